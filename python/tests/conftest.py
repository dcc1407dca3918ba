"""Shared helpers: the CLI beside the Python API (numbers must agree bit for bit)."""
import csv
import io
import math
import shutil
import subprocess

import pytest

import workbench


def run_cli(*words, check=True):
    proc = subprocess.run([workbench.executable(), *map(str, words)], capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"workbench {' '.join(map(str, words))} exited {proc.returncode}: {proc.stderr}")
    return proc


def cli_csv(*words, check=True):
    """Rows of `workbench ... --format csv` as dicts of strings."""
    return list(csv.DictReader(io.StringIO(run_cli(*words, "--format", "csv", check=check).stdout)))


def cli_float(text):
    """A CLI number (shortest round-trip) as the double it denotes; an empty cell is NaN."""
    return math.nan if text == "" else float(text)


def same_double(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.fixture
def c_compiler():
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.fail("no C compiler (cc) found: the hostile-plugin suite builds its plugins in C")
    return cc
