"""workbench.evaluate: NumPy-broadcast batches through the plugin ABI, in chunks, on all cores.

The path is the CLI's (WorkbenchCore/Evaluation.swift) step for step, so the numbers are the CLI's bit
for bit: values parsed with their units, potentials shifted by v_rest, the range check of the C header
(wb_check_param) done here first (vectorised), rows that fail it replaced by a row every estimator
accepts, one `evaluate` call per chunk with the wanted-output mask, and failed rows evaluated again alone
to obtain their message.
"""
import ctypes
import math
import os
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence

import numpy as np

from . import _abi, _units
from ._errors import WorkbenchError, WorkbenchInputError, WorkbenchNumericalError, WorkbenchWarning
from ._registry import Estimator, Parameter, estimator as find_estimator

# Rows per ABI call: large enough that the ctypes call costs < 1 % of a chunk of the fastest estimator
# (siegert's rate, ~0.2 µs/row), small enough that a chunk's full output rows stay in L2.
CHUNK_ROWS = 4096


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))     # honours taskset, unlike os.cpu_count()
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Result(Mapping):
    """Output name -> ndarray (shape of the broadcast input), plus per-row status.

    status: int32 array (0 ok, > 0 warning bits, < 0 error); errors: {flat row: message};
    not_applicable: {output: bool array} (NaN there means "does not apply to this row", e.g. a density
    without --v); unexplained_nan: {output: bool array}, NaN the estimator returned in an ok row without
    that mark (announced by a WorkbenchWarning); units: {output: unit}; parameters: {name: array} (inputs
    as evaluated, user frame)."""

    def __init__(self, estimator: Estimator, shape, values: Dict[str, np.ndarray], status, errors,
                 not_applicable, parameters):
        self.estimator, self.shape, self._values = estimator.name, shape, values
        self.status, self.errors, self.not_applicable, self.parameters = status, errors, not_applicable, parameters
        self.units = {name: estimator.output(name).unit for name in values}
        self._warning_table = estimator.warnings

    def __getitem__(self, name):
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    @property
    def ok(self) -> np.ndarray:
        """True where the row has values (status >= 0)."""
        return self.status >= 0

    @property
    def warnings(self) -> Dict[int, List[str]]:
        """{flat row: warning texts} for the rows that carry warnings."""
        flat = self.status.reshape(-1)
        out = {}
        for r in np.flatnonzero(flat > 0):
            s = int(flat[r])
            out[int(r)] = [self._warning_table[b] if b < len(self._warning_table) else f"warning bit {b}"
                           for b in range(32) if s & (1 << b)]
        return out

    def __repr__(self):
        n = int(np.prod(self.shape, dtype=np.int64))
        bad = int((self.status < 0).sum())
        return (f"<workbench.Result {self.estimator}: {', '.join(self._values)}; shape {self.shape}, "
                f"{n - bad} ok rows, {bad} failed>")


def _check_column(p: Parameter, v: np.ndarray) -> np.ndarray:
    """wb_check_param vectorised: True where v is NOT a valid value of p."""
    nan = np.isnan(v)
    with np.errstate(invalid="ignore"):
        if p.is_choice:
            bad = np.isinf(v) | (v != np.floor(v)) | (v < 0) | (v >= len(p.choices))
        else:
            bad = np.isinf(v)
            if p.integer:
                bad |= v != np.floor(v)
            bad |= ~(v > p.min) if p.flags & _abi.WB_PARAM_MIN_EXCLUSIVE else ~(v >= p.min)
            bad |= ~(v < p.max) if p.flags & _abi.WB_PARAM_MAX_EXCLUSIVE else ~(v <= p.max)
    return np.where(nan, not p.optional, bad)


def _range_message(p: Parameter, v: float) -> str:
    """The message of wb_check_param for a failing value (same wording as the CLI)."""
    if math.isnan(v):
        return f"parameter '{p.name}' is missing or NaN; it is required"
    unit = "" if p.is_choice or p.unit in ("1", "") else " " + p.unit
    return f"parameter '{p.name}' = {v:.15g}{unit} is out of range (valid: {p.valid_range})"


def _convert(e: Estimator, p: Parameter, value):
    """A user value (number, string with unit, choice label; scalar or array) -> (float array, errors).

    errors: None, or an object array of messages (None where the element converted)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):       # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        a = np.asarray(value)
    except OverflowError:
        raise WorkbenchInputError(f"parameter '{p.name}': {value!r} is beyond the double range "
                                  f"(valid: {p.valid_range})", parameter=p.name, valid_range=p.valid_range) from None
    if a.dtype.kind in "iuf":
        v = a.astype(np.float64)
        return v, None
    if a.dtype.kind == "b":
        raise WorkbenchInputError(f"parameter '{p.name}': a boolean is not a value (valid: {p.valid_range})",
                                  parameter=p.name, value=value, valid_range=p.valid_range)
    if a.dtype.kind not in "UO" and a.dtype.kind != "S":
        raise WorkbenchInputError(f"parameter '{p.name}': values of dtype {a.dtype} are not numbers or strings",
                                  parameter=p.name, value=value, valid_range=p.valid_range)
    out = np.empty(a.shape, dtype=np.float64)
    errs = np.full(a.shape, None, dtype=object)
    cache = {}
    for idx, item in np.ndenumerate(a):
        key = (type(item), item) if isinstance(item, (str, bytes, int, float)) else (type(item), repr(item))
        if key not in cache:
            cache[key] = _convert_one(e, p, item)
        out[idx], errs[idx] = cache[key]
    return out, (errs if any(x is not None for x in errs.flat) else None)


def _convert_one(e: Estimator, p: Parameter, item):
    if isinstance(item, bytes):
        item = item.decode("utf-8", "replace")
    if isinstance(item, bool) or item is None:
        return math.nan, f"parameter '{p.name}' = {item!r} is not a value (valid: {p.valid_range})"
    if isinstance(item, (int, float, np.integer, np.floating)):
        try:
            return float(item), None
        except OverflowError:
            digits = str(item)
            shown = digits if len(digits) <= 20 else f"{digits[:8]}... ({len(digits)} digits)"
            return math.nan, f"parameter '{p.name}' = {shown} is beyond the double range (valid: {p.valid_range})"
    if not isinstance(item, str):
        return math.nan, f"parameter '{p.name}' = {item!r} is not a number or a string (valid: {p.valid_range})"
    if p.is_choice:
        t = item.strip(" \t\n\r\f\v")
        if t in p.choices:
            return float(p.choices.index(t)), None
        if t.isascii() and t.isdigit() and int(t) < len(p.choices):      # an index, as the CLI accepts
            return float(int(t)), None
        return math.nan, f"parameter '{p.name}' = '{item}' is not one of: {', '.join(p.choices)}"
    try:
        return _units.parse(item, p.unit, p.name), None
    except _units.UnitError as err:
        return math.nan, f"{err} (valid: {p.valid_range})"


def evaluate(name: str, *values, outputs: Optional[Sequence[str]] = None, errors: str = "raise",
             v_rest=None, sigma_free=None, threads: Optional[int] = None, **params) -> Result:
    """Evaluates estimator `name` over NumPy-broadcast parameters; see workbench.evaluate."""
    if errors not in ("raise", "mask"):
        raise ValueError(f"errors = {errors!r}: expected 'raise' or 'mask'")
    e = find_estimator(name)
    given: Dict[int, object] = {}
    for key, value in params.items():
        p = e.parameter(key)
        if p is None:
            raise WorkbenchInputError(f"unknown parameter '{key}' for {e.name} "
                                      f"(parameters: {', '.join(q.name for q in e.parameters)})", parameter=key)
        if p.index in given:
            raise WorkbenchInputError(f"parameter '{p.name}' given twice", parameter=p.name)
        given[p.index] = value
    if sigma_free is not None:
        p = e.parameter("sigma")
        if p is None:
            raise WorkbenchInputError(f"sigma_free needs an estimator with a 'sigma' parameter; {e.name} has none")
        if p.index in given:
            raise WorkbenchInputError("give either sigma or sigma_free, not both", parameter="sigma")
    free_p = Parameter(-1, "sigma_free", "mV", "", math.nan, 0.0, math.inf, _abi.WB_PARAM_MIN_EXCLUSIVE, (), "> 0 mV")
    positional = list(values)
    for p in e.parameters:
        if p.required and p.index not in given and not (sigma_free is not None and p.name == "sigma") and positional:
            given[p.index] = positional.pop(0)
    if positional:
        req = ", ".join(q.name for q in e.parameters if q.required)
        raise WorkbenchInputError(f"too many positional values ({len(values)}): {e.name} takes its required "
                                  f"parameters ({req}) positionally, others by keyword")
    missing = [p for p in e.parameters if p.required and p.index not in given
               and not (sigma_free is not None and p.name == "sigma")]
    if missing:
        p = missing[0]
        raise WorkbenchInputError(f"missing required parameter '{p.name}' [{p.unit}] of {e.name}", parameter=p.name,
                                  valid_range=p.valid_range)
    vrest_p = Parameter(-1, "v_rest", "mV", "", math.nan, -math.inf, math.inf, 0, (), "any finite number")
    if v_rest is not None:
        for p in e.parameters:
            if p.potential and not p.optional and p.index not in given:
                raise WorkbenchInputError(
                    f"with v_rest, parameter '{p.name}' is an absolute potential and must be given explicitly "
                    f"(its default {p.default:.15g} mV is relative to rest)", parameter=p.name)

    # Convert every given value; broadcast them together.
    arrays, conv_errors, names = [], [], []
    for index, value in sorted(given.items()):
        v, errs = _convert(e, e.parameters[index], value)
        arrays.append(v), conv_errors.append(errs), names.append(index)
    extra = {}
    for key, value, p in (("sigma_free", sigma_free, free_p), ("v_rest", v_rest, vrest_p)):
        if value is not None:
            v, errs = _convert(e, p, value)
            extra[key] = len(arrays)
            arrays.append(v), conv_errors.append(errs), names.append(key)
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError as err:
        shapes = ", ".join(f"{e.parameters[n].name if isinstance(n, int) else n} {a.shape}"
                           for n, a in zip(names, arrays))
        raise WorkbenchInputError(f"parameter shapes do not broadcast: {shapes}") from err
    n_rows = int(np.prod(shape, dtype=np.int64))
    n_params, n_outputs = len(e.parameters), len(e.outputs)

    # Rows in the user's frame (n_rows x n_params), and the first error of each row.
    user = np.empty((n_rows, n_params), dtype=np.float64)
    for p in e.parameters:
        user[:, p.index] = p.default
    row_error: Dict[int, str] = {}                        # the first error of a failed row
    row_param: Dict[int, int] = {}                        # parameter index that error names
    failed_host = np.zeros(n_rows, dtype=bool)             # rows with an error found here, before the ABI

    def note_errors(errs, column_index):
        if errs is None:
            return
        flat = np.broadcast_to(errs, shape).reshape(-1)
        for r in np.flatnonzero(np.frompyfunc(lambda x: x is not None, 1, 1)(flat).astype(bool)):
            if not failed_host[r]:
                row_error[int(r)], row_param[int(r)], failed_host[r] = flat[r], column_index, True

    for k, index in enumerate(names):
        if isinstance(index, int):
            user[:, index] = np.broadcast_to(arrays[k], shape).reshape(-1)
        note_errors(conv_errors[k], index if isinstance(index, int) else -1)
    if "sigma_free" in extra:
        free = np.broadcast_to(arrays[extra["sigma_free"]], shape).reshape(-1)
        bad = _check_column(free_p, free) | np.isnan(free)
        for r in np.flatnonzero(bad & ~failed_host):
            row_error[int(r)] = f"parameter 'sigma_free' = {free[r]:.15g} is out of range (valid: > 0 mV)"
            failed_host[r] = True
        user[:, e.parameter("sigma").index] = free * math.sqrt(2.0)   # Brunel convention: σ = √2 s_V
    frame = user                                                       # the estimator's frame
    vrest = None
    if "v_rest" in extra:
        frame = user.copy()
        vrest = np.broadcast_to(arrays[extra["v_rest"]], shape).reshape(-1)
        for r in np.flatnonzero(~np.isfinite(vrest) & ~failed_host):
            row_error[int(r)], failed_host[r] = f"parameter 'v_rest' = {vrest[r]:.15g} is not a finite number", True
        for p in e.parameters:
            if p.potential:
                col = frame[:, p.index]
                frame[:, p.index] = np.where(np.isnan(col), col, col - vrest)

    # Host-side range checks, in parameter order (the first failing parameter names the row's error).
    for p in e.parameters:
        bad = _check_column(p, frame[:, p.index])
        for r in np.flatnonzero(bad & ~failed_host):
            row_error[int(r)], row_param[int(r)], failed_host[r] = _range_message(p, frame[r, p.index]), p.index, True
    if errors == "raise" and failed_host.any():
        _raise_input(e, int(np.flatnonzero(failed_host)[0]), row_error, row_param, frame, shape)

    # Outputs and the wanted-output mask.
    if outputs is None:
        selected = list(e.outputs)
    else:
        if isinstance(outputs, str):
            outputs = [s.strip() for s in outputs.split(",")]
        selected = []
        for o in outputs:
            out = e.output(o)
            if out is None:
                raise WorkbenchInputError(f"unknown output '{o}' for {e.name} "
                                          f"(outputs: {', '.join(x.name for x in e.outputs)})")
            selected.append(out)
    want = np.zeros(n_outputs, dtype=np.uint8)
    for o in selected:
        want[o.index] = 1

    safe = np.array(_abi.safe_row(e._d), dtype=np.float64)
    if failed_host.any():
        if frame is user:
            frame = user.copy()         # `user` keeps what the caller gave, for Result.parameters
        frame[failed_host] = safe
    frame = np.ascontiguousarray(frame)
    values = np.full((n_rows, len(selected)), np.nan, dtype=np.float64)
    na = np.zeros(n_rows, dtype=np.uint64)
    status = np.zeros(n_rows, dtype=np.int32)
    columns = np.array([o.index for o in selected], dtype=np.intp)
    call_failed = []

    def run(lo: int):
        n = min(CHUNK_ROWS, n_rows - lo)
        out = np.empty((n, n_outputs), dtype=np.float64)
        out.fill(np.nan)
        msg = ctypes.create_string_buffer(8)
        rc = e.evaluate_fn(e.address, n, frame[lo:].ctypes.data, want.ctypes.data, out.ctypes.data,
                           na[lo:].ctypes.data, status[lo:].ctypes.data, msg, 0)
        if rc != 0:
            call_failed.append(rc)
        values[lo:lo + n] = out[:, columns]

    starts = range(0, n_rows, CHUNK_ROWS)
    workers = min(usable_cores() if threads is None else max(1, int(threads)), len(starts))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, starts))
    else:
        for lo in starts:
            run(lo)
    if call_failed:
        raise WorkbenchError(f"estimator '{e.name}' ({e.path}) failed the batch call (returned {call_failed[0]})")

    # Host errors override whatever the safe row produced; plugin-side failures get their message.
    status[failed_host] = _abi.WB_STATUS_BAD_INPUT
    values[failed_host] = np.nan
    na[failed_host] = 0
    plugin_failed = np.flatnonzero((status < 0) & ~failed_host)
    if errors == "raise" and len(plugin_failed) and not failed_host.any():
        plugin_failed = plugin_failed[:1]          # only the first failed row's message is needed
    for r in plugin_failed:
        row_error[int(r)] = _row_message(e, frame[r], int(status[r]), want)
    # A NaN in a wanted output of an ok row that the estimator did not mark "not applicable" is its defect;
    # the row keeps its status and its other values (as in the CLI, which prints an empty cell), and the
    # NaN is announced: Result.unexplained_nan and a WorkbenchWarning.
    unexplained = np.zeros((n_rows, len(selected)), dtype=bool)
    if len(selected):
        bits = np.array([np.uint64(1) << np.uint64(o.index) for o in selected], dtype=np.uint64)
        applicable = (na[:, None] & bits[None, :]) == 0
        unexplained = np.isnan(values) & applicable & (status >= 0)[:, None]
    failed = status < 0
    if errors == "raise" and failed.any():
        r = int(np.flatnonzero(failed)[0])
        if status[r] == _abi.WB_STATUS_NUMERICAL_ERROR:
            index = np.unravel_index(r, shape) if shape else ()
            raise WorkbenchNumericalError(f"{e.name}: row {r}{_index_text(index, shape)}: numerical failure: "
                                          f"{row_error[r]}", row=r, index=index)
        _raise_input(e, r, row_error, row_param, frame, shape)

    # User frame for outputs: potentials absolute under v_rest.
    result_values = {}
    for k, o in enumerate(selected):
        col = values[:, k]
        if o.potential and vrest is not None:
            col = col + vrest
        result_values[o.name] = col.reshape(shape)
    not_applicable = {o.name: ((na & (np.uint64(1) << np.uint64(o.index))) != 0).reshape(shape) for o in selected}
    error_map = {int(r): row_error[int(r)] for r in np.flatnonzero(failed)}
    params_out = {p.name: user[:, p.index].reshape(shape) for p in e.parameters}
    result = Result(e, shape, result_values, status.reshape(shape), error_map, not_applicable, params_out)
    result.unexplained_nan = {o.name: unexplained[:, k].reshape(shape) for k, o in enumerate(selected)}
    bad_outputs = [o.name for k, o in enumerate(selected) if unexplained[:, k].any()]
    if bad_outputs:
        warnings.warn(f"{e.name}: NaN without a 'not applicable' mark in {', '.join(bad_outputs)} "
                      f"({int(unexplained.any(axis=1).sum())} rows): the estimator could not give these values "
                      "(see Result.unexplained_nan)", WorkbenchWarning, stacklevel=2)
    warned = np.flatnonzero(status > 0)
    if len(warned):
        texts = sorted({t for s in np.unique(status[warned]) for t in e.warning_texts(int(s))})
        where = f"row {int(warned[0])} carries" if n_rows > 1 and len(warned) == 1 else (
            f"{len(warned)} of {n_rows} rows carry" if n_rows > 1 else "the value carries")
        warnings.warn(f"{e.name}: {where} warnings: {'; '.join(texts)} (see Result.status/warnings)",
                      WorkbenchWarning, stacklevel=3)
    return result


def _index_text(index, shape) -> str:
    return f" (index {tuple(int(i) for i in index)})" if len(shape) > 1 else ""


def _raise_input(e: Estimator, r: int, row_error, row_param, frame, shape):
    index = np.unravel_index(r, shape) if shape else ()
    k = row_param.get(r, -1)
    p = e.parameters[k] if k >= 0 else None
    where = f"row {r}{_index_text(index, shape)}: " if shape else ""
    raise WorkbenchInputError(f"{e.name}: {where}{row_error[r]}", parameter=p.name if p else None,
                              value=float(frame[r, k]) if p else None, valid_range=p.valid_range if p else None,
                              row=r, index=tuple(int(i) for i in index))


def _row_message(e: Estimator, row: np.ndarray, status: int, want: np.ndarray) -> str:
    """The estimator's own message for a failed row (evaluated again alone with the same wanted outputs,
    as the CLI does)."""
    row = np.ascontiguousarray(row, dtype=np.float64)
    out = np.full(len(e.outputs), np.nan)
    na, st = ctypes.c_uint64(0), ctypes.c_int32(0)
    msg = ctypes.create_string_buffer(1025)
    e.evaluate_fn(e.address, 1, row.ctypes.data, want.ctypes.data, out.ctypes.data, ctypes.byref(na),
                  ctypes.byref(st), msg, 1024)
    text = msg.raw[:1024].split(b"\0", 1)[0].decode("utf-8", "replace")     # a message without NUL is cut
    if text:
        return text
    if status <= _abi.WB_STATUS_BAD_PARAM_BASE:
        i = _abi.WB_STATUS_BAD_PARAM_BASE - status
        if i < len(e.parameters):
            return f"parameter '{e.parameters[i].name}' = {row[i]:.15g} is out of range"
    return "numerical failure" if status == _abi.WB_STATUS_NUMERICAL_ERROR else "bad input"
