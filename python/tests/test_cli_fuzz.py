"""Seeded hostile CSV files through `workbench eval --input` (the CLI's host path: parsing, units, choices,
quoting, ragged rows, JSON and CSV writing): no crash, no hang, no lost row, valid JSON.

3 seeds x 30 files x 9 estimators' parameters in CI; WORKBENCH_CLI_FUZZ_SEEDS=N runs more. A blank line
is not a row (RFC 4180 readers skip it), so a one-column file's empty cells are not counted."""
import csv
import io
import json
import os
import random
import subprocess

import pytest

import workbench

ESTIMATORS = {
    "siegert": ["mu", "sigma", "theta", "v_reset", "tau_m", "tau_ref", "v"],
    "siegert-colored": ["mu", "sigma", "tau_s", "method", "tau_m"],
    "wiener": ["m", "s", "a", "t", "b", "y", "tau_ref"],
    "shot-noise": ["r_e", "a_e", "r_i", "a_i", "v"],
    "leaky-discrete": ["beta", "m", "s", "mode", "time_step"],
    "random-walk": ["a", "m", "s", "n", "x0"],
    "variance-flow-init": ["theta", "sigma_target", "sigma0", "layer", "scheme", "n"],
    "fluctuation-init": ["n", "nu", "xi", "target_mu_u", "tau_syn", "time_step"],
    "rate-collapse": ["n", "nu", "sigma_w", "mu_w", "layer"],
}
CELLS = ["0", "1", "-1", "15", "5", "20mV", "0.015V", "10ms", "0.01s", "10Hz", "1kHz", "nan", "inf", "-inf", "1e308",
         "1e-320", "5e-324", "1e300", "-1e300", "", " 3 ", "abc", '"2"', '"a,b"', "µ", "15µV", "0x10", "1e", "shift",
         "taylor", "reset", "subtract", "micheli", "kaiming", "1.5", "100000", "100001", "2.5", "-0", "+3", "1e99",
         "0.999999", "\t7", "3e-5", "1e308V"]
SEEDS = range(1, 1 + int(os.environ.get("WORKBENCH_CLI_FUZZ_SEEDS", "3")))


def hostile_file(rng):
    est = rng.choice(sorted(ESTIMATORS))
    cols = rng.sample(ESTIMATORS[est], rng.randint(1, len(ESTIMATORS[est])))
    rows = []
    for _ in range(rng.randint(1, 60)):
        r = [rng.choice(CELLS) if rng.random() < 0.5 else repr(rng.uniform(-50, 50)) for _ in cols]
        if rng.random() < 0.05:
            r = r[:-1]
        if rng.random() < 0.05:
            r = r + ["9"]
        rows.append(",".join(r))
    return est, ",".join(cols) + "\n" + "\n".join(rows) + "\n", sum(1 for r in rows if r != "")


@pytest.mark.parametrize("seed", SEEDS)
def test_hostile_csv_files_through_the_cli(seed, tmp_path):
    rng = random.Random(seed)
    path = tmp_path / "in.csv"
    for k in range(30):
        est, text, rows = hostile_file(rng)
        path.write_text(text)
        for fmt in ("csv", "json"):
            p = subprocess.run([workbench.executable(), "eval", est, "--input", str(path), "--format", fmt],
                               capture_output=True, text=True, timeout=120)
            where = f"seed {seed} file {k} ({est}, {fmt}):\n{text[:400]}"
            assert p.returncode in (0, 1, 2), f"{where}\nexit {p.returncode}: {p.stderr[-500:]}"
            if p.returncode == 2 and not p.stdout:
                assert p.stderr.startswith("error:"), where        # a whole-file error says why
                continue
            if fmt == "json":
                n = len(json.loads(p.stdout)["rows"])
            else:
                n = len(list(csv.reader(io.StringIO(p.stdout)))) - 1
            assert n == rows, f"{where}\n{n} rows out of {rows}"
