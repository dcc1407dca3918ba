"""Hostile rows through workbench.evaluate: no crash, no hang, every row accounted for, no unannounced NaN.

The rows run in a child process (fuzz_rows.py) so that a crash names its seed instead of killing pytest.
CI runs 2 seeds x 300 rows x 9 estimators; WORKBENCH_FUZZ_SEEDS=N runs more."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("fuzz_rows.py")
SEEDS = range(1, 1 + int(os.environ.get("WORKBENCH_FUZZ_SEEDS", "2")))


@pytest.mark.parametrize("seed", SEEDS)
def test_hostile_rows_for_every_estimator(seed):
    proc = subprocess.run([sys.executable, str(SCRIPT), str(seed), "300"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"seed {seed}: the evaluating process died ({proc.returncode}): {proc.stderr[-2000:]}"
    lines = [json.loads(l) for l in proc.stdout.splitlines()]
    assert len(lines) >= 9, proc.stdout
    for r in lines:
        assert r["ok"] + r["failed"] == r["rows"], r          # no lost row
    assert sum(r["ok"] for r in lines) > 300, lines           # the generator reaches the valid region too
