"""The plugin C ABI (Sources/CWorkbenchPlugin/include/workbench_plugin.h) in ctypes, the ELF pre-check of
a plugin file, and the loader's probe.

This module imports nothing outside the standard library: `python -I _abi.py FILE...` is the probe
that loads plugin files in a child process first (see _registry.py), so that a file that crashes
dlopen, its constructors or its entry points takes down the child, never the user's Python.
"""
import ctypes
import json
import math
import os
import platform
import struct
import sys

WB_ABI_VERSION = 1

WB_PARAM_REQUIRED = 1
WB_PARAM_OPTIONAL = 2
WB_PARAM_INTEGER = 4
WB_PARAM_CHOICE = 8
WB_PARAM_MIN_EXCLUSIVE = 16
WB_PARAM_MAX_EXCLUSIVE = 32
WB_PARAM_POTENTIAL = 64
WB_OUTPUT_POTENTIAL = 1

WB_STATUS_OK = 0
WB_STATUS_NUMERICAL_ERROR = -1
WB_STATUS_BAD_INPUT = -2
WB_STATUS_BAD_PARAM_BASE = -1000

ENTRY_ABI_VERSION = "workbench_plugin_abi_version"
ENTRY_ESTIMATORS = "workbench_plugin_estimators"

# Same bounds as the Swift host (PluginRegistry.malformed): the not-applicable mask is one uint64.
MAX_PARAMS, MAX_OUTPUTS, MAX_ESTIMATORS = 256, 64, 10_000
# No plugin is this large; a bigger file named lib*Plugin.so is refused without being read.
MAX_PLUGIN_BYTES = 512 << 20


class WbParam(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("unit", ctypes.c_char_p), ("summary", ctypes.c_char_p),
                ("default_value", ctypes.c_double), ("min", ctypes.c_double), ("max", ctypes.c_double),
                ("flags", ctypes.c_uint32), ("n_choices", ctypes.c_size_t),
                ("choices", ctypes.POINTER(ctypes.c_char_p))]


class WbOutput(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("unit", ctypes.c_char_p), ("summary", ctypes.c_char_p),
                ("observable", ctypes.c_char_p), ("model_error", ctypes.c_double),
                ("model_error_output", ctypes.c_int32), ("flags", ctypes.c_uint32)]


# int32_t evaluate(const wb_estimator *self, size_t n_rows, const double *in, const uint8_t *want,
#                  double *out, uint64_t *na, int32_t *status, char *msg, size_t msg_len)
# CFUNCTYPE releases the GIL during the call: chunks of one batch run on several threads.
EVALUATE_FN = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                               ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                               ctypes.c_void_p, ctypes.c_size_t)


class WbEstimator(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_uint32), ("struct_size", ctypes.c_uint32),
                ("name", ctypes.c_char_p), ("summary", ctypes.c_char_p), ("reference", ctypes.c_char_p),
                ("model", ctypes.c_char_p), ("toolchain", ctypes.c_char_p), ("notes", ctypes.c_char_p),
                ("n_params", ctypes.c_size_t), ("params", ctypes.POINTER(WbParam)),
                ("n_outputs", ctypes.c_size_t), ("outputs", ctypes.POINTER(WbOutput)),
                ("n_warnings", ctypes.c_size_t), ("warnings", ctypes.POINTER(ctypes.c_char_p)),
                ("context", ctypes.c_void_p), ("evaluate", ctypes.c_void_p)]


class PluginLoadError(Exception):
    """A plugin file that cannot be used: `path` and `reason` say which and why."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


# ---- ELF pre-check (the Swift host's ELFPrecheck, plus: entry symbols must be functions) ----

_HOST_MACHINE = {"x86_64": 62, "AMD64": 62, "aarch64": 183, "arm64": 183}.get(platform.machine(), 0)


def elf_precheck(data: bytes) -> None:
    """Raises ValueError naming the first problem; returns when the bytes may be dlopen'ed.

    dlopen of a truncated library can SIGBUS the process and dlopen runs constructors, so "is this a
    workbench plugin?" is decided on the file first."""
    size = len(data)
    if size == 0:
        raise ValueError("empty file")
    if size < 64:
        raise ValueError(f"too short for an ELF header ({size} bytes)")
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file (bad magic)")
    if data[4] != 2:
        raise ValueError("not a 64-bit ELF file")
    if data[5] != 1:
        raise ValueError("not a little-endian ELF file")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if e_type != 3:
        raise ValueError(f"not a shared library (ELF type {e_type})")
    if e_machine != _HOST_MACHINE:
        raise ValueError(f"built for another machine (ELF machine {e_machine})")

    def inside(offset, length):
        return 0 <= offset <= size and 0 <= length <= size - offset

    phoff, = struct.unpack_from("<Q", data, 32)
    shoff, = struct.unpack_from("<Q", data, 40)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 54)
    if phnum == 0 or phentsize < 56 or not inside(phoff, phentsize * phnum):
        raise ValueError("truncated: program headers lie outside the file")
    saw_load = saw_dynamic = False
    for i in range(phnum):
        h = phoff + i * phentsize
        p_type, = struct.unpack_from("<I", data, h)
        offset, = struct.unpack_from("<Q", data, h + 8)
        filesz, = struct.unpack_from("<Q", data, h + 32)
        if p_type in (1, 2):
            if not inside(offset, filesz):
                kind = "PT_LOAD" if p_type == 1 else "PT_DYNAMIC"
                raise ValueError(f"truncated: segment {i} ({kind}) extends past the end of the file")
            saw_load |= p_type == 1
            saw_dynamic |= p_type == 2
    if not (saw_load and saw_dynamic):
        raise ValueError("no loadable dynamic segments")
    if shnum == 0:
        raise ValueError("no section headers (the entry symbols cannot be checked before loading)")
    if shentsize < 64 or not inside(shoff, shentsize * shnum):
        raise ValueError("truncated: section headers lie outside the file")
    wanted = {ENTRY_ABI_VERSION, ENTRY_ESTIMATORS}
    found, not_functions, saw_dynsym = set(), set(), False
    for i in range(shnum):
        s = shoff + i * shentsize
        if struct.unpack_from("<I", data, s + 4)[0] != 11:      # SHT_DYNSYM
            continue
        saw_dynsym = True
        sym_off, sym_size = struct.unpack_from("<QQ", data, s + 24)
        link, = struct.unpack_from("<I", data, s + 40)
        entsize, = struct.unpack_from("<Q", data, s + 56)
        if entsize < 24 or not inside(sym_off, sym_size) or link >= shnum:
            raise ValueError("corrupt .dynsym section")
        st = shoff + link * shentsize
        str_off, str_size = struct.unpack_from("<QQ", data, st + 24)
        if not inside(str_off, str_size):
            raise ValueError("corrupt .dynstr section")
        for k in range(sym_size // entsize):
            e = sym_off + k * entsize
            name_off, info, _, shndx = struct.unpack_from("<IBBH", data, e)
            if shndx == 0 or name_off >= str_size:       # undefined symbols do not count
                continue
            start = str_off + name_off
            end = data.find(b"\0", start, str_off + str_size)
            name = data[start:end if end >= 0 else str_off + str_size].decode("utf-8", "replace")
            if name in wanted:
                (found if info & 0xF == 2 else not_functions).add(name)     # STT_FUNC
    if not saw_dynsym:
        raise ValueError("no dynamic symbol table")
    if not_functions - found:
        raise ValueError("not a workbench plugin: entry symbol(s) "
                         f"{', '.join(sorted(not_functions - found))} are not functions")
    missing = sorted(wanted - found)
    if missing:
        s = "s" if len(missing) > 1 else ""
        raise ValueError(f"not a workbench plugin: missing entry symbol{s} {', '.join(missing)}")


# ---- Loading and reading descriptors ----

def _text(p):
    return p.decode("utf-8", "replace") if p else ""


def malformed(d: WbEstimator):
    """Structural checks on a descriptor before its tables are used (None when it is sound)."""
    if d.abi_version != WB_ABI_VERSION:
        return f"descriptor ABI version {d.abi_version}, expected {WB_ABI_VERSION}"
    if d.struct_size < ctypes.sizeof(WbEstimator):
        return f"descriptor too small ({d.struct_size} bytes)"
    if not d.name:
        return "no name"
    if not d.model:
        return "no model"
    if not d.evaluate:
        return "no evaluate function"
    if not (1 <= d.n_params <= MAX_PARAMS) or not d.params:
        return f"bad parameter table ({d.n_params})"
    if not (1 <= d.n_outputs <= MAX_OUTPUTS) or not d.outputs:
        return f"bad output table ({d.n_outputs} outputs; 1 to {MAX_OUTPUTS} allowed)"
    for i in range(d.n_params):
        p = d.params[i]
        if not p.name or not p.unit:
            return f"parameter {i} has no name or unit"
        if p.flags & WB_PARAM_CHOICE and (p.n_choices == 0 or p.n_choices > 1000 or not p.choices):
            return f"choice parameter {i} has no valid choice table"
        if p.flags & WB_PARAM_CHOICE and any(not p.choices[k] for k in range(p.n_choices)):
            return f"choice parameter {i} has a NULL label"
    for i in range(d.n_outputs):
        o = d.outputs[i]
        if not o.name or not o.unit:
            return f"output {i} has no name or unit"
        if not (-1 <= o.model_error_output < d.n_outputs):
            return f"output {i}: model_error_output {o.model_error_output} is not an output index"
    if d.n_warnings > 32 or (d.n_warnings > 0 and not d.warnings):
        return f"bad warning table ({d.n_warnings})"
    names = [_text(d.params[i].name) for i in range(d.n_params)]
    if len(set(names)) != len(names):
        return "two parameters share a name"
    return None


def open_library(path: str):
    """dlopen (RTLD_NOW | RTLD_LOCAL: plugins never see each other's symbols; never closed)."""
    try:
        lib = ctypes.CDLL(path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
    except OSError as e:
        raise ValueError(f"dlopen failed: {e}") from None
    off = getattr(lib, "gsl_set_error_handler_off", None)   # GSL's default handler aborts the process
    if off is not None:
        off.restype = ctypes.c_void_p
        off()
    try:
        abi_fn, list_fn = getattr(lib, ENTRY_ABI_VERSION), getattr(lib, ENTRY_ESTIMATORS)
    except AttributeError:
        raise ValueError("not a workbench plugin: entry symbols not found by dlsym") from None
    abi_fn.restype, abi_fn.argtypes = ctypes.c_uint32, []
    abi = abi_fn()
    if abi != WB_ABI_VERSION:
        raise ValueError(f"incompatible plugin ABI version {abi} (this workbench speaks version {WB_ABI_VERSION})")
    list_fn.restype = ctypes.POINTER(ctypes.c_void_p)
    list_fn.argtypes = [ctypes.POINTER(ctypes.c_size_t)]
    count = ctypes.c_size_t(0)
    table = list_fn(ctypes.byref(count))
    if not table:
        raise ValueError("plugin returned no estimator table")
    if not (0 < count.value < MAX_ESTIMATORS):
        raise ValueError(f"plugin declares {count.value} estimators")
    descriptors, problems = [], []
    for i in range(count.value):
        if not table[i]:
            problems.append(f"estimator {i} is NULL")
            continue
        head = (ctypes.c_uint32 * 2).from_address(table[i])   # a descriptor of another version may be shorter
        if head[0] != WB_ABI_VERSION:
            problems.append(f"estimator {i}: descriptor ABI version {head[0]}, expected {WB_ABI_VERSION}")
            continue
        d = WbEstimator.from_address(table[i])
        problem = malformed(d)
        if problem:
            problems.append(f"estimator {i}: {problem}")
            continue
        descriptors.append((table[i], d))
    return lib, descriptors, problems


def safe_row(d: WbEstimator):
    """A row every estimator accepts: defaults, NaN for optional, 1 where a required value has no default
    (the Swift host evaluates failed rows as this row)."""
    row = []
    for i in range(d.n_params):
        p = d.params[i]
        if p.flags & WB_PARAM_OPTIONAL:
            row.append(math.nan)
        else:
            row.append(1.0 if math.isnan(p.default_value) else p.default_value)
    return row


def probe_file(path: str) -> dict:
    """Pre-check, load, read every descriptor and call each evaluate once: what the parent needs to know."""
    with open(path, "rb") as f:
        data = f.read(MAX_PLUGIN_BYTES + 1)
    elf_precheck(data)
    _, descriptors, problems = open_library(path)
    estimators = []
    for address, d in descriptors:
        # Touch every string and table the parent will read; a wild pointer crashes here, in the child.
        for i in range(d.n_params):
            p = d.params[i]
            _ = (_text(p.name), _text(p.unit), _text(p.summary), [_text(p.choices[k]) for k in range(p.n_choices)]
                 if p.flags & WB_PARAM_CHOICE else None)
        for i in range(d.n_outputs):
            o = d.outputs[i]
            _ = (_text(o.name), _text(o.unit), _text(o.summary), _text(o.observable))
        _ = [_text(d.warnings[i]) for i in range(d.n_warnings)]
        row = (ctypes.c_double * d.n_params)(*safe_row(d))
        out = (ctypes.c_double * d.n_outputs)()
        na, status = ctypes.c_uint64(0), ctypes.c_int32(0)
        msg = ctypes.create_string_buffer(256)
        rc = EVALUATE_FN(d.evaluate)(address, 1, row, None, out, ctypes.byref(na), ctypes.byref(status), msg, 255)
        estimators.append({"name": _text(d.name), "toolchain": _text(d.toolchain), "probe_rc": rc})
    return {"estimators": estimators, "problems": problems}


def main(paths):
    """The probe: one JSON line per file, flushed, so the parent knows which file a crash happened in."""
    for path in paths:
        try:
            result = {"path": path, "ok": True, **probe_file(path)}
        except (OSError, ValueError) as e:
            result = {"path": path, "ok": False, "reason": str(e)}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
