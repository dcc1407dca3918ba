"""simulate, validate and init.plan from Python through the CLI's JSON.

These run the same executable and code path as the command line (`workbench simulate|validate|init
--format json`), so a seeded run gives the CLI's numbers bit for bit: JSON numbers are written
shortest-round-trip and read back exactly. A simulation costs milliseconds to minutes, so the process
start (~20 ms) does not matter; the per-row estimator path (workbench.evaluate) is in-process instead.
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from ._errors import WorkbenchError, WorkbenchInputError
from ._registry import PACKAGE_BIN, SOURCE_ROOT

EXIT_BAD_INPUT, EXIT_PLUGIN, EXIT_DISAGREE = 2, 3, 4


def executable() -> str:
    """The `workbench` executable: $WORKBENCH_EXECUTABLE, this package's copy, or the source tree's build."""
    candidates = [os.environ.get("WORKBENCH_EXECUTABLE"), str(PACKAGE_BIN / "workbench"),
                  str(SOURCE_ROOT / ".build" / "release" / "workbench")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise WorkbenchError("the workbench executable was not found (install with `pip install ./python`, or set "
                         "WORKBENCH_EXECUTABLE)")


def main():
    """Console entry point `workbench`: the installed executable, with the plugins next to it."""
    exe = executable()
    os.execv(exe, [exe] + sys.argv[1:])


def _word(value) -> str:
    """A Python value as a CLI word: floats shortest-round-trip (repr), so they reach the CLI exactly."""
    if isinstance(value, bool):
        raise WorkbenchInputError(f"a boolean ({value}) is not a value here")
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return repr(v) if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, str):
        return value
    raise WorkbenchInputError(f"{value!r} is not a number or a string")


def _options(options: Dict[str, object]) -> List[str]:
    words = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            words.append(flag)
        elif isinstance(value, (list, tuple)) and key != "density":
            words += [flag, ",".join(_word(v) for v in value)]
        elif key == "density":
            words += [flag, ":".join(_word(v) for v in value) if isinstance(value, (list, tuple)) else str(value)]
        else:
            words += [flag, _word(value)]
    return words


def run_cli(words: List[str], plugin_dirs: Optional[List[str]] = None, timeout: Optional[float] = None,
            ok_codes=(0,)) -> subprocess.CompletedProcess:
    """Runs `workbench WORDS` (with the directories of plugins loaded by path); exit 2 raises
    WorkbenchInputError with the CLI's message, a crash or another exit code WorkbenchError."""
    from ._registry import registry
    extra = []
    # `simulate` runs the host's simulators and loads no plugin, so it declares no --plugin-path.
    if words[:1] != ["simulate"]:
        for d in plugin_dirs if plugin_dirs is not None else registry().explicit_dirs:
            extra += ["--plugin-path", d]
    try:
        proc = subprocess.run([executable()] + words + extra, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise WorkbenchError(f"`workbench {' '.join(words)}` did not finish within {timeout} s") from None
    err = proc.stderr.strip()
    if proc.returncode == EXIT_BAD_INPUT:
        line = next((l for l in err.splitlines() if l.startswith("error:")), err)
        raise WorkbenchInputError(line.removeprefix("error: ").strip())
    if proc.returncode < 0:
        raise WorkbenchError(f"`workbench {' '.join(words)}` crashed (signal {-proc.returncode}): {err}")
    if proc.returncode not in ok_codes:
        raise WorkbenchError(f"`workbench {' '.join(words)}` failed (exit {proc.returncode}): {err}")
    return proc


def run_json(words: List[str], plugin_dirs: Optional[List[str]] = None, timeout: Optional[float] = None,
             ok_codes=(0,)) -> (dict, int, str):
    """Runs `workbench WORDS --format json`; returns (parsed JSON, exit code, stderr)."""
    proc = run_cli(words + ["--format", "json"], plugin_dirs, timeout, ok_codes)
    err = proc.stderr.strip()
    try:
        return json.loads(proc.stdout), proc.returncode, err
    except ValueError as e:
        raise WorkbenchError(f"`workbench {' '.join(words)}` printed invalid JSON ({e})") from None


@dataclass
class Observable:
    """A Monte-Carlo observable: value and standard error (arrays for a density, with its bin centres v_mv)."""
    value: object
    se: object
    v_mv: Optional[np.ndarray] = None

    def __iter__(self):          # value, se = obs
        return iter((self.value, self.se))


@dataclass
class SpikeTrains:
    """Spike times [ms] and the ISI ending at each spike [ms] (NaN for a neuron's first spike), per spike."""
    neuron: np.ndarray
    time_ms: np.ndarray
    isi_ms: np.ndarray

    def trains(self) -> List[np.ndarray]:
        """Spike times per neuron (index = neuron)."""
        n = int(self.neuron.max()) + 1 if len(self.neuron) else 0
        return [self.time_ms[self.neuron == i] for i in range(n)]


@dataclass
class Simulation:
    model: str
    observables: Dict[str, Observable]
    warnings: List[str]
    raw: dict
    spikes: Optional[SpikeTrains] = None

    def __getitem__(self, name) -> Observable:
        return self.observables[name]


@dataclass
class Quantity:
    quantity: str
    unit: str
    estimator: float
    mc: float
    mc_se: float
    z: float
    relative_difference: float
    delta: float
    verdict: str


@dataclass
class Validation:
    estimator: str
    model: str
    quantities: List[Quantity]
    all_agree: bool
    notes: List[str]
    raw: dict = field(repr=False)

    def __getitem__(self, name) -> Quantity:
        for q in self.quantities:
            if q.quantity == name:
                return q
        raise KeyError(name)


def _num(x):
    # JSON convention (README, "Output formats"): null is no value, the strings "inf"/"-inf" infinite values.
    if x is None:
        return math.nan
    return float(x) if isinstance(x, str) else x


def _observables(raw: dict) -> Dict[str, Observable]:
    out = {}
    for name, o in raw.get("observables", {}).items():
        if isinstance(o.get("value"), list):
            out[name] = Observable(np.array([_num(v) for v in o["value"]], dtype=float),
                                   np.array([_num(v) for v in o["se"]], dtype=float),
                                   np.array(o.get("v_mv", []), dtype=float))
        else:
            out[name] = Observable(_num(o.get("value")), _num(o.get("se")))
    return out


def simulate(model: str, *values, seed: int = 1, spikes: bool = False, timeout: Optional[float] = None,
             **options) -> Simulation:
    """Monte-Carlo simulation of `model` (as `workbench simulate`); see workbench.simulate."""
    words = ["simulate", model] + [_word(v) for v in values] + ["--seed", _word(seed)]
    with tempfile.TemporaryDirectory(prefix="workbench-") as tmp:
        spike_file = os.path.join(tmp, "spikes.csv")
        if spikes:
            words += ["--spikes", spike_file]
        raw, _, _ = run_json(words + _options(options), timeout=timeout)
        trains = None
        if spikes:
            data = np.loadtxt(spike_file, delimiter=",", skiprows=1, ndmin=2,
                              converters={2: lambda s: float(s) if s.strip() else math.nan}) \
                if os.path.getsize(spike_file) > 0 else np.zeros((0, 3))
            trains = SpikeTrains(data[:, 0].astype(np.int64), data[:, 1], data[:, 2]) if data.size else \
                SpikeTrains(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    return Simulation(raw.get("model", model), _observables(raw), list(raw.get("warnings", [])), raw, trains)


def validate(estimator: str, *values, seed: int = 1, timeout: Optional[float] = None, **options) -> Validation:
    """Estimator vs Monte Carlo (THEORY §9.0, as `workbench validate`); see workbench.validate."""
    words = ["validate", estimator] + [_word(v) for v in values] + ["--seed", _word(seed)]
    raw, code, _ = run_json(words + _options(options), timeout=timeout, ok_codes=(0, EXIT_DISAGREE))
    quantities = [Quantity(q["quantity"], q.get("unit", ""), _num(q.get("estimator")), _num(q.get("mc")),
                           _num(q.get("mc_se")), _num(q.get("z")), _num(q.get("relative_difference")),
                           _num(q.get("delta")), q.get("verdict", "")) for q in raw.get("quantities", [])]
    return Validation(raw.get("estimator", estimator), raw.get("model", ""), quantities,
                      bool(raw.get("all_agree")) and code == 0, list(raw.get("notes", [])), raw)


@dataclass
class Atlas:
    """An atlas table (atlas.csv) as columns: point, seed, the grid axes, variant, quantity, unit, estimator,
    mc, mc_se, z, relative_difference, delta, verdict, status, error (numbers as float arrays, NaN where
    empty; text as object arrays). `directory` holds the table, atlas.json and the heat maps."""
    directory: str
    columns: Dict[str, np.ndarray]
    summary: str

    def __getitem__(self, name) -> np.ndarray:
        return self.columns[name]

    def where(self, **conditions) -> np.ndarray:
        """Boolean mask of the rows matching column == value for each keyword (e.g. quantity="rate_hz")."""
        mask = np.ones(len(self.columns["point"]), dtype=bool)
        for k, v in conditions.items():
            mask &= self.columns[k] == v
        return mask


_TEXT_COLUMNS = {"variant", "quantity", "unit", "verdict", "status", "error"}


def read_atlas(directory: str, summary: str = "") -> Atlas:
    """Reads a finished atlas directory (atlas.csv) into columns."""
    path = os.path.join(directory, "atlas.csv")
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise WorkbenchInputError(f"cannot read '{path}': {e.strerror or e}") from None
    if not rows:
        raise WorkbenchError(f"'{path}' is empty")
    header, body = rows[0], rows[1:]
    cols: Dict[str, np.ndarray] = {}
    for k, name in enumerate(header):
        cells = [r[k] if k < len(r) else "" for r in body]
        if name in _TEXT_COLUMNS:
            cols[name] = np.array(cells, dtype=object)
        elif name == "seed" or name == "point":
            cols[name] = np.array([int(c) for c in cells], dtype=np.int64)
        else:
            try:
                cols[name] = np.array([float(c) if c != "" else math.nan for c in cells], dtype=float)
            except ValueError:                 # a choice axis (labels)
                cols[name] = np.array(cells, dtype=object)
    return Atlas(directory, cols, summary)


def atlas(estimator: str, *values, grid: Dict[str, object], out: str, compare: Optional[List[str]] = None,
          seed: int = 1, resume: bool = False, overwrite: bool = False, shard: Optional[str] = None,
          timeout: Optional[float] = None, **options) -> Optional[Atlas]:
    """`workbench atlas` from Python: validate at every point of `grid` ({name: values or "a:b:step"}).

    Returns the table (or None for a shard that did not finish the atlas: merge the shard directories
    with `workbench atlas merge`). Options as for validate (neurons, time, precision, threads, ...)."""
    words = ["atlas", estimator] + [_word(v) for v in values]
    if not grid:
        raise WorkbenchInputError("atlas needs at least one grid axis, e.g. grid={'mu': [10, 15, 20]}")
    for name, axis in grid.items():
        if isinstance(axis, str):
            spec = axis
        else:
            spec = ",".join(_word(v) for v in np.atleast_1d(np.asarray(axis, dtype=object)).tolist())
        words += ["--grid", f"{name}={spec}"]
    for c in compare or []:
        words += ["--compare", c]
    words += ["--seed", _word(seed), "--out", out]
    if resume:
        words.append("--resume")
    if overwrite:
        words.append("--overwrite")
    if shard:
        words += ["--shard", shard]
    # A timeout keeps the finished points: call again with resume=True.
    proc = run_cli(words + _options(options), timeout=timeout)
    if proc.stdout.startswith("shard "):
        return None
    return read_atlas(out, proc.stdout)
