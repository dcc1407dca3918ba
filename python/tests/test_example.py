"""The example script runs end to end (rate curve, validation, init of an MLP or its plan)."""
import subprocess
import sys
from pathlib import Path


def test_tour_example_runs():
    script = Path(__file__).resolve().parents[1] / "examples" / "tour.py"
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "verdict: all agree" in proc.stdout and "predicted 20.000 Hz" in proc.stdout
