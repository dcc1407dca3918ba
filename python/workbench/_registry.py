"""Plugin discovery and loading for Python, with the Swift host's safety and one step more.

Search order: $WORKBENCH_PLUGIN_PATH (colon-separated), then this package's own copy (workbench/_bin,
installed by `pip install ./python`), then the repository's .build/release when the package has no
copy (running from a source checkout). Every file is first loaded by a child process (`_abi.py` as a
script): a file that crashes dlopen, its constructors or its entry points kills the child and is
reported with its path and reason; only files the child loaded cleanly are loaded here. Probe results
are cached per file content (SHA-256) under $XDG_CACHE_HOME/workbench.
"""
import hashlib
import json
import math
import os
import subprocess
import sys
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from . import _abi
from ._abi import PluginLoadError

PACKAGE_BIN = Path(__file__).resolve().parent / "_bin"
SOURCE_ROOT = Path(__file__).resolve().parent.parent.parent
PROBE_CACHE_VERSION = 1


class WorkbenchPluginWarning(UserWarning):
    """A plugin file on the search path was skipped (the message names the file and the reason)."""


@dataclass(frozen=True)
class Parameter:
    index: int
    name: str
    unit: str
    summary: str
    default: float          # NaN: no default
    min: float
    max: float
    flags: int
    choices: Tuple[str, ...]
    valid_range: str        # e.g. "> 0 mV", "one of: shift, taylor" (the C header's wording)

    @property
    def required(self) -> bool:
        return bool(self.flags & _abi.WB_PARAM_REQUIRED)

    @property
    def optional(self) -> bool:
        return bool(self.flags & _abi.WB_PARAM_OPTIONAL)

    @property
    def integer(self) -> bool:
        return bool(self.flags & _abi.WB_PARAM_INTEGER)

    @property
    def is_choice(self) -> bool:
        return bool(self.flags & _abi.WB_PARAM_CHOICE)

    @property
    def potential(self) -> bool:
        return bool(self.flags & _abi.WB_PARAM_POTENTIAL)


@dataclass(frozen=True)
class Output:
    index: int
    name: str
    unit: str
    summary: str
    observable: Optional[str]
    model_error: float
    model_error_output: Optional[int]
    potential: bool


@dataclass
class Description:
    """What `workbench.describe(name)` returns: the estimator's declaration, read through the ABI."""
    name: str
    summary: str
    reference: str
    model: str
    toolchain: str
    notes: str
    parameters: List[Parameter]
    outputs: List[Output]
    warnings: List[str]
    plugin: str
    sha256: str

    def __str__(self):
        lines = [f"{self.name} — {self.summary}", f"model {self.model}; reference: {self.reference}",
                 f"plugin {self.plugin}", "", "parameters"]
        for p in self.parameters:
            kind = "required" if p.required else ("optional" if p.optional else f"default {p.default:.15g}")
            lines.append(f"  {p.name:<18} [{p.unit}]  {kind}; {p.valid_range} — {p.summary}")
        lines += ["", "outputs"]
        for o in self.outputs:
            obs = f"  (observable {o.observable})" if o.observable else ""
            lines.append(f"  {o.name:<18} [{o.unit}]  {o.summary}{obs}")
        if self.notes:
            lines += ["", self.notes]
        return "\n".join(lines)


def describe_range(p: _abi.WbParam) -> str:
    """wb_describe_range of the C header, in Python (same wording, %.15g numbers)."""
    unit = p.unit.decode() if p.unit and p.unit not in (b"1", b"") else ""
    sp = " " if unit else ""
    if p.flags & _abi.WB_PARAM_CHOICE:
        return "one of: " + ", ".join(_abi._text(p.choices[k]) for k in range(p.n_choices))
    integer = "an integer " if p.flags & _abi.WB_PARAM_INTEGER else ""
    has_lo = not math.isinf(p.min) or p.min > 0
    has_hi = not math.isinf(p.max) or p.max < 0
    lo_x, hi_x = p.flags & _abi.WB_PARAM_MIN_EXCLUSIVE, p.flags & _abi.WB_PARAM_MAX_EXCLUSIVE
    if has_lo and has_hi:
        return (f"{integer}in {'(' if lo_x else '['}{p.min:.15g}, {p.max:.15g}{')' if hi_x else ']'}"
                f"{sp}{unit}")
    if has_lo:
        return f"{integer}{'>' if lo_x else '>='} {p.min:.15g}{sp}{unit}"
    if has_hi:
        return f"{integer}{'<' if hi_x else '<='} {p.max:.15g}{sp}{unit}"
    return "any integer" if p.flags & _abi.WB_PARAM_INTEGER else "any finite number"


class Estimator:
    """One estimator as seen through the ABI (the descriptor stays valid: plugins are never closed)."""

    def __init__(self, address: int, d: _abi.WbEstimator, library, path: str, sha256: str):
        self.address, self._d, self._library, self.path, self.sha256 = address, d, library, path, sha256
        t = _abi._text
        self.name, self.summary, self.reference = t(d.name), t(d.summary), t(d.reference)
        self.model, self.toolchain, self.notes = t(d.model), t(d.toolchain), t(d.notes)
        self.parameters = [
            Parameter(i, t(p.name), t(p.unit), t(p.summary), p.default_value, p.min, p.max, p.flags,
                      tuple(t(p.choices[k]) for k in range(p.n_choices)) if p.flags & _abi.WB_PARAM_CHOICE else (),
                      describe_range(p))
            for i, p in ((i, d.params[i]) for i in range(d.n_params))]
        self.outputs = [
            Output(i, t(o.name), t(o.unit), t(o.summary), t(o.observable) or None, o.model_error,
                   o.model_error_output if o.model_error_output >= 0 else None,
                   bool(o.flags & _abi.WB_OUTPUT_POTENTIAL))
            for i, o in ((i, d.outputs[i]) for i in range(d.n_outputs))]
        self.warnings = [t(d.warnings[i]) for i in range(d.n_warnings)]
        self.evaluate_fn = _abi.EVALUATE_FN(d.evaluate)
        self._by_name = {p.name: p for p in self.parameters}
        self._outputs_by_name = {o.name: o for o in self.outputs}

    def parameter(self, name: str) -> Optional[Parameter]:
        return self._by_name.get(name.replace("-", "_"))

    def output(self, name: str) -> Optional[Output]:
        return self._outputs_by_name.get(name)

    def warning_texts(self, status: int) -> List[str]:
        if status <= 0:
            return []
        return [self.warnings[b] if b < len(self.warnings) else f"warning bit {b}"
                for b in range(32) if status & (1 << b)]

    def describe(self) -> Description:
        return Description(self.name, self.summary, self.reference, self.model, self.toolchain, self.notes,
                           list(self.parameters), list(self.outputs), list(self.warnings), self.path, self.sha256)

    def __repr__(self):
        return f"<workbench estimator {self.name!r} (model {self.model}) from {self.path}>"


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "workbench" / f"plugin-probe-v{PROBE_CACHE_VERSION}.json"


def _probe_seconds_per_file() -> float:
    """Time a file may take to load in the probe ($WORKBENCH_PROBE_TIMEOUT seconds, default 30)."""
    try:
        return max(0.5, float(os.environ.get("WORKBENCH_PROBE_TIMEOUT", "30")))
    except ValueError:
        return 30.0


def _probe(paths: List[str]) -> Dict[str, dict]:
    """Runs the probe child over `paths`; a file during which the child died or hung is failed (with
    "transient": True, so that it is probed again next time), the rest re-probed."""
    results, pending = {}, list(paths)
    while pending:
        try:
            proc = subprocess.run([sys.executable, "-I", _abi.__file__, *pending], capture_output=True, text=True,
                                  timeout=_probe_seconds_per_file() * len(pending))
            out, code, err_text, hung = proc.stdout, proc.returncode, proc.stderr, False
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            code, err_text, hung = 0, "", True
        for line in out.splitlines():
            try:
                r = json.loads(line)
                results[r["path"]] = r
            except (ValueError, KeyError):
                pass
        rest = [p for p in pending if p not in results]
        if rest:       # the child died (or hung) inside rest[0]
            err = err_text.strip().splitlines()[-1:] if err_text.strip() else []
            if hung:
                reason = ("loading it (dlopen, entry points, one evaluation at the defaults) did not finish "
                          "within the probe's time limit: the file hangs")
            else:
                how = f"signal {-code}" if code < 0 else f"exit code {code}"
                reason = (f"loading it (dlopen, entry points, one evaluation at the defaults) crashed the probe "
                          f"process ({how})" + (f": {err[0]}" if err else ""))
            results[rest[0]] = {"path": rest[0], "ok": False, "reason": reason, "transient": True}
            rest = rest[1:]
        pending = rest
    return results


class Registry:
    """All estimators found on a search path, and the files that failed (path, reason)."""

    def __init__(self, search_path: Optional[List[str]] = None):
        self.search_path = default_search_path() if search_path is None else list(search_path)
        self.estimators: Dict[str, Estimator] = {}
        self.failures: List[PluginLoadError] = []
        self._loaded_paths = set()
        self.explicit_dirs: List[str] = []         # directories of files loaded by path (passed to the CLI)
        self._lock = threading.Lock()
        files = []
        for d in self.search_path:
            try:
                names = sorted(os.listdir(d))
            except OSError:
                continue
            files += [os.path.join(d, n) for n in names if n.startswith("lib") and n.endswith("Plugin.so")]
        self.load_files(files, explicit=False)

    def load_files(self, paths: List[str], explicit: bool) -> List[str]:
        """Loads plugin files (probed first). Returns the estimator names added; failures are recorded and,
        when `explicit`, raised as PluginLoadError for the first failing file."""
        with self._lock:
            return self._load_files(paths, explicit)

    def _load_files(self, paths, explicit):
        wanted = []                     # (path, real path, sha256)
        failures = []
        cache_path = _cache_file()
        try:
            cache = json.loads(cache_path.read_text())
        except (OSError, ValueError):
            cache = {}
        for path in paths:
            real = os.path.realpath(path)
            if real in self._loaded_paths:
                continue           # one file reached twice on the path
            try:
                if not os.path.isfile(real):
                    raise OSError("not a regular file")
                if os.path.getsize(real) > _abi.MAX_PLUGIN_BYTES:
                    raise OSError(f"larger than {_abi.MAX_PLUGIN_BYTES >> 20} MB: not a plugin")
                with open(real, "rb") as f:
                    sha = hashlib.sha256(f.read()).hexdigest()
            except OSError as e:
                failures.append(PluginLoadError(path, f"cannot read file ({e.strerror or e})"))
                continue
            wanted.append((path, real, sha))
        unknown = [real for (_, real, sha) in wanted if sha not in cache]
        if unknown:
            probed = _probe(unknown)
            for real, r in probed.items():
                sha = next(s for (_, rr, s) in wanted if rr == real)
                cache[sha] = {k: r.get(k) for k in ("ok", "reason", "estimators", "problems")}
            # A crash or a hang may come from this process's limits or environment: such a result serves
            # this call only, and the file is probed again next time.
            store = {s: v for s, v in cache.items()
                     if not any(s == sha and probed.get(rr, {}).get("transient") for (_, rr, sha) in wanted)}
            try:
                cache_path.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(store))
                os.replace(tmp, cache_path)
            except OSError:
                pass        # an unwritable cache only costs a probe next time
        added = []
        swift = {e.toolchain for e in self.estimators.values() if e.toolchain.startswith("swift")}
        for path, real, sha in wanted:
            r = cache[sha]
            if not r.get("ok"):
                failures.append(PluginLoadError(path, r.get("reason") or "failed to load"))
                continue
            toolchains = {e["toolchain"] for e in r["estimators"] if e["toolchain"].startswith("swift")}
            if swift and toolchains - swift:
                failures.append(PluginLoadError(path, f"built with {', '.join(sorted(toolchains))}, the plugins "
                                f"already loaded with {', '.join(sorted(swift))} (Swift's runtime ABI is not "
                                "stable on Linux: rebuild the plugin)"))
                continue
            try:
                lib, descriptors, problems = _abi.open_library(real)
            except ValueError as e:
                failures.append(PluginLoadError(path, str(e)))
                continue
            self._loaded_paths.add(real)
            swift |= toolchains
            failures += [PluginLoadError(path, p) for p in problems]
            for address, d in descriptors:
                e = Estimator(address, d, lib, path, sha)
                if e.name in self.estimators:
                    failures.append(PluginLoadError(path, f"duplicate estimator name '{e.name}': already provided "
                                                          f"by {self.estimators[e.name].path}; this one refused"))
                    continue
                self.estimators[e.name] = e
                added.append(e.name)
        self.failures += failures
        if explicit and failures:
            raise failures[0]
        for f in failures:
            warnings.warn(f"workbench: plugin skipped: {f}", WorkbenchPluginWarning, stacklevel=4)
        return added


    def load_path(self, path: str) -> List[str]:
        """A plugin file given by path: its estimator names (already loaded: the names it provided)."""
        real = os.path.realpath(path)
        with self._lock:
            if real in self._loaded_paths:
                return [n for n, e in self.estimators.items() if os.path.realpath(e.path) == real]
            names = self._load_files([path], explicit=True)
        d = os.path.dirname(os.path.abspath(path))
        if d not in self.explicit_dirs:
            self.explicit_dirs.append(d)
        return names


def default_search_path() -> List[str]:
    dirs = [d for d in os.environ.get("WORKBENCH_PLUGIN_PATH", "").split(":") if d]
    if any(PACKAGE_BIN.glob("lib*Plugin.so")):
        dirs.append(str(PACKAGE_BIN))
    elif (SOURCE_ROOT / "Package.swift").is_file():
        dirs.append(str(SOURCE_ROOT / ".build" / "release"))
    return dirs


_registry: Optional[Registry] = None
_registry_lock = threading.Lock()


def registry() -> Registry:
    global _registry
    with _registry_lock:
        if _registry is None:
            _registry = Registry()
        return _registry


def estimator(name: str) -> Estimator:
    e = registry().estimators.get(name)
    if e is None:
        from ._errors import WorkbenchInputError
        known = ", ".join(sorted(registry().estimators)) or "none: no plugins found on " + ":".join(
            registry().search_path)
        raise WorkbenchInputError(f"unknown estimator '{name}' (estimators: {known})")
    return e
