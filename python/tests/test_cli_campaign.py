"""A seeded campaign of hostile batch rows through the CLI (`eval --input`, CSV and JSON), every estimator.

Each row's cells are drawn from the parameter's range, its boundaries, extreme doubles, non-finite
values, empty cells, unit suffixes and junk text. The CLI must neither crash nor hang; every row comes
out (in order, in both formats); the JSON is strict (RFC 8259); an ok row carries no output that is
null without being listed as not applicable or explained by a warning (no silent NaN or infinity); no
ok row has a negative probability or rate.

CI: 1500 rows per estimator (300 for random-walk and leaky-discrete, whose exact outputs cost up to
milliseconds), 14 100 rows in all. WORKBENCH_CAMPAIGN_ROWS=N sets the rows per estimator (a long campaign:
N = 140000 gives 1 036 000 rows, each in CSV and JSON); WORKBENCH_CAMPAIGN_SEED picks another seed. The figures
are printed.
"""
import csv
import io
import json
import math
import os
import random
import subprocess
import time

import workbench

ROWS = int(os.environ.get("WORKBENCH_CAMPAIGN_ROWS", "1500"))
SEED = int(os.environ.get("WORKBENCH_CAMPAIGN_SEED", "20261207"))
SLOW = {"random-walk": 5, "leaky-discrete": 5}            # rows divided by this factor
EXTREMES = ["0", "-0", "1", "-1", "1e-320", "5e-324", "1e-300", "1e300", "-1e300", "1.7e308", "-1.7e308", "inf",
            "-inf", "nan", "NaN", "", " ", "1e999", "0.5", "2", "1e6", "100000", "100001", "abc", "1,5", "\"7\"",
            "15mV", "0.015V", "10ms", "0.01s", "10Hz", "1e308V", "0x10", "++1", "1e", ".", "\t3", "１"]


def cell(rng, p):
    r = rng.random()
    if r < 0.08:
        return rng.choice(EXTREMES)
    if p.is_choice:
        return rng.choice(list(p.choices) + [str(rng.randint(-1, len(p.choices)))])
    lo = p.min if math.isfinite(p.min) else -50.0
    hi = p.max if math.isfinite(p.max) else 50.0
    if lo >= 0 and rng.random() < 0.5:
        v = math.exp(rng.uniform(math.log(max(lo, 1e-12)), math.log(max(hi, 1e-11))))
    else:
        v = rng.uniform(lo, hi)
    return repr(round(v)) if p.integer else repr(v)


def quote(text):
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text


def run(args, timeout=600):
    return subprocess.run([workbench.executable()] + args, capture_output=True, text=True, timeout=timeout)


def test_hostile_batches_through_the_cli(tmp_path):
    rng = random.Random(SEED)
    totals = {"rows": 0, "ok": 0, "warning": 0, "error": 0, "crashes": 0, "lost_rows": 0, "invalid_json": 0,
              "silent_nan": 0, "impossible": 0}
    problems, seconds = [], {}
    for name in workbench.estimators():
        d = workbench.describe(name)
        n = ROWS // SLOW.get(name, 1)
        columns = [p for p in d.parameters if p.required or rng.random() < 0.6]
        path = tmp_path / f"{name}.csv"
        with open(path, "w", newline="") as f:
            f.write(",".join(p.name for p in columns) + "\n")
            for _ in range(n):
                cells = [quote(cell(rng, p)) for p in columns]
                if rng.random() < 0.02:
                    cells = cells[:-1]                          # a short row
                f.write(",".join(cells) + "\n")
        outputs = [o.name for o in d.outputs]
        if rng.random() < 0.5:
            outputs = rng.sample(outputs, rng.randint(1, len(outputs)))
        common = ["eval", name, "--input", str(path), "--outputs", ",".join(outputs)]
        for fmt in ("csv", "json"):
            started = time.monotonic()
            p = run(common + ["--format", fmt])
            seconds[f"{name} {fmt}"] = round(time.monotonic() - started, 2)
            if p.returncode not in (0, 1, 2):
                totals["crashes"] += 1
                problems.append(f"{name} {fmt}: exit {p.returncode}: {p.stderr[-300:]}")
                continue
            if fmt == "csv":
                got = len(list(csv.reader(io.StringIO(p.stdout)))) - 1
                if got != n:
                    totals["lost_rows"] += abs(n - got)
                    problems.append(f"{name} csv: {got} rows out of {n}")
                continue
            try:
                doc = json.loads(p.stdout, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
            except ValueError as e:
                totals["invalid_json"] += 1
                problems.append(f"{name} json: invalid JSON ({e})")
                continue
            rows = doc["rows"]
            if len(rows) != n:
                totals["lost_rows"] += abs(n - len(rows))
                problems.append(f"{name} json: {len(rows)} rows out of {n}")
            totals["rows"] += len(rows)
            for i, row in enumerate(rows):
                totals[row["status"]] += 1
                if row["status"] == "error":
                    continue
                na = set(row.get("not_applicable", []))
                warned = " ".join(row.get("warnings", []))
                for key, value in row["outputs"].items():
                    if isinstance(value, str):          # the JSON convention for an infinite value
                        if value not in ("inf", "-inf"):
                            problems.append(f"{name} row {i + 1}: {key} is the string {value!r}")
                        value = float(value) if value in ("inf", "-inf") else None
                    if value is None and key not in na and key not in warned and row["status"] == "ok":
                        totals["silent_nan"] += 1
                        problems.append(f"{name} row {i + 1}: {key} is null in an ok row ({row['parameters']})")
                    if (value is not None and value < 0 and (key in ("rate_hz", "spike_prob") or key.startswith("p_"))):
                        totals["impossible"] += 1
                        problems.append(f"{name} row {i + 1}: {key} = {value} < 0 ({row['parameters']})")
    print("CLI campaign:", json.dumps(totals))
    print("seconds per run:", json.dumps(seconds))
    assert not problems, f"{len(problems)} problems, e.g.:\n" + "\n".join(problems[:40])
    assert totals["rows"] >= min(10_000, 8 * ROWS)
    assert totals["ok"] + totals["warning"] > totals["rows"] // 5       # the generator reaches valid rows too
