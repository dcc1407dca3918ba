"""The loader: built-ins found, descriptions read, third-party plugins by path, and every class of broken
plugin reported with its path and reason and skipped, never a crash of this process."""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import workbench
from workbench._registry import Registry

REPO = Path(__file__).resolve().parents[2]
HEADER_DIR = REPO / "Sources" / "CWorkbenchPlugin" / "include"
BUILTINS = {"siegert", "siegert-colored", "wiener", "random-walk", "leaky-discrete", "shot-noise",
            "fluctuation-init", "variance-flow-init", "rate-collapse"}


@pytest.fixture(autouse=True)
def private_probe_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def build(cc, directory: Path, name: str, *defines: str) -> Path:
    out = directory / f"lib{name}Plugin.so"
    cmd = [cc, "-shared", "-fPIC", "-O1", "-I", str(HEADER_DIR), *[f"-D{d}" for d in defines],
           str(Path(__file__).with_name("hostile_plugin.c")), "-o", str(out), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


def test_builtins_and_their_descriptions():
    assert BUILTINS <= set(workbench.estimators())
    d = workbench.describe("siegert")
    assert d.model == "lif-white" and d.reference.startswith("Siegert")
    sigma = next(p for p in d.parameters if p.name == "sigma")
    assert (sigma.unit, sigma.required, sigma.valid_range, sigma.min) == ("mV", True, "> 0 mV", 0.0)
    theta = next(p for p in d.parameters if p.name == "theta")
    assert theta.default == 20.0 and not theta.required and theta.potential
    rate = next(o for o in d.outputs if o.name == "rate_hz")
    assert rate.unit == "Hz" and rate.observable == "rate_hz"
    method = next(p for p in workbench.describe("siegert-colored").parameters if p.name == "method")
    assert method.choices == ("shift", "taylor")
    assert "sigma" in str(d) and len(d.sha256) == 64 and os.path.isfile(d.plugin)
    with pytest.raises(workbench.WorkbenchInputError, match="unknown estimator"):
        workbench.describe("nope")


def test_a_third_party_c_plugin_by_path(c_compiler, tmp_path):
    lib = tmp_path / "libDeterministicLIFPlugin.so"
    subprocess.run([c_compiler, "-shared", "-fPIC", "-O2", "-I", str(HEADER_DIR),
                    str(REPO / "Examples" / "CPlugin" / "deterministic_lif.c"), "-o", str(lib), "-lm"], check=True)
    assert workbench.load_plugin(str(lib)) == ["lif-deterministic"]
    assert workbench.load_plugin(str(lib)) == ["lif-deterministic"]        # loading twice is harmless
    r = workbench.evaluate("lif-deterministic", [25.0, 30.0, 15.0], outputs=["rate_hz"])
    T = 2 + 20 * np.log1p(10 / (np.array([25.0, 30.0]) - 20))
    assert np.allclose(r["rate_hz"][:2], 1000 / T, rtol=1e-15) and r["rate_hz"][2] == 0


CLASSES = [
    # (defines, expected words in the reason)
    (["CONSTRUCTOR_CRASHES"], "crashed the probe process (signal 11)"),
    (["EVALUATE_CRASHES"], "crashed the probe process (signal 11)"),
    (["ESTIMATORS_IS_DATA"], "are not functions"),
    (["ABI_SEVEN"], "incompatible plugin ABI version 7"),
    (["BAD_MODEL_ERROR_OUTPUT"], "model_error_output 99"),
    (["HUGE_COUNT"], ""),            # reads past the table: a crash or a malformed descriptor, either reported
]


def test_every_class_of_broken_plugin_is_reported_and_skipped(c_compiler, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    expected = {}
    for i, (defines, words) in enumerate(CLASSES):
        expected[str(build(c_compiler, bad, f"Bad{i}", *defines, f'NAME="bad-{i}"'))] = words
    (bad / "libRandomPlugin.so").write_bytes(np.random.default_rng(1).bytes(4096))
    expected[str(bad / "libRandomPlugin.so")] = "not an ELF file"
    real = Path(workbench.describe("siegert").plugin).read_bytes()
    (bad / "libTruncatedPlugin.so").write_bytes(real[:len(real) // 3])
    expected[str(bad / "libTruncatedPlugin.so")] = "truncated"
    (bad / "libEmptyPlugin.so").write_bytes(b"")
    expected[str(bad / "libEmptyPlugin.so")] = "empty file"
    (bad / "libDirPlugin.so").mkdir()
    expected[str(bad / "libDirPlugin.so")] = "cannot read file"
    (bad / "libLoopPlugin.so").symlink_to(bad / "libLoopPlugin.so")
    expected[str(bad / "libLoopPlugin.so")] = "cannot read file"
    build(c_compiler, bad, "Good", 'NAME="good-one"')
    with pytest.warns(workbench.WorkbenchPluginWarning):
        reg = Registry(search_path=[str(bad)])
    assert list(reg.estimators) == ["good-one"]
    reasons = {f.path: f.reason for f in reg.failures}
    for path, words in expected.items():
        assert path in reasons, f"{path} was not reported"
        assert words in reasons[path], (path, reasons[path])
    # The probe result is cached per file content: a second registry does not re-probe (and agrees).
    with pytest.warns(workbench.WorkbenchPluginWarning):
        again = Registry(search_path=[str(bad)])
    assert {f.path: f.reason for f in again.failures} == reasons


def test_a_hanging_plugin_is_reported_and_probed_again_next_time(c_compiler, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_PROBE_TIMEOUT", "2")
    d = tmp_path / "hang"
    d.mkdir()
    hang = build(c_compiler, d, "Hang", "CONSTRUCTOR_HANGS", 'NAME="hangs"')
    build(c_compiler, d, "Good", 'NAME="good-after-hang"')
    with pytest.warns(workbench.WorkbenchPluginWarning, match="did not finish"):
        reg = Registry(search_path=[str(d)])
    assert list(reg.estimators) == ["good-after-hang"]
    assert "did not finish within the probe's time limit" in {f.path: f.reason for f in reg.failures}[str(hang)]
    cache = json.loads((tmp_path / "cache" / "workbench" / "plugin-probe-v1.json").read_text())
    assert len(cache) == 1, "a hang is not cached: it may be this process's limits, not the file"


def test_a_duplicate_name_is_refused_with_a_warning_not_silently(c_compiler, tmp_path):
    d = tmp_path / "dup"
    d.mkdir()
    build(c_compiler, d, "FakeSiegert", 'NAME="siegert"')
    builtin_dir = os.path.dirname(workbench.describe("siegert").plugin)
    with pytest.warns(workbench.WorkbenchPluginWarning, match="duplicate estimator name 'siegert'"):
        reg = Registry(search_path=[str(d), builtin_dir])
    assert reg.estimators["siegert"].path.startswith(str(d))


def test_load_plugin_raises_with_path_and_reason(tmp_path):
    junk = tmp_path / "libJunkPlugin.so"
    junk.write_text("not a library, though its name says so; " * 4)
    with pytest.raises(workbench.PluginLoadError) as e:
        workbench.load_plugin(str(junk))
    assert e.value.path == str(junk) and "not an ELF file" in e.value.reason


def test_what_a_plugin_returns_is_checked(c_compiler, tmp_path):
    msg = build(c_compiler, tmp_path, "NoNul", "MESSAGE_WITHOUT_NUL", 'NAME="no-nul"')
    nan = build(c_compiler, tmp_path, "NanOk", "NAN_IN_OK_ROW", 'NAME="nan-ok"')
    fails = build(c_compiler, tmp_path, "Fails", "EVALUATE_FAILS", 'NAME="call-fails"')
    for f in (msg, nan, fails):
        workbench.load_plugin(str(f))
    r = workbench.evaluate("no-nul", [1.0, 2.0], errors="mask")
    assert r.status[0] == 0 and r.status[1] < 0 and set(r.errors[1]) == {"x"} and len(r.errors[1]) <= 1024
    # A NaN the estimator did not mark "not applicable": kept as the CLI keeps it, but announced.
    with pytest.warns(workbench.WorkbenchWarning, match="NaN without a 'not applicable' mark in y_mv"):
        r = workbench.evaluate("nan-ok", [1.0, 2.0])
    assert r["y_mv"][0] == 2.0 and np.isnan(r["y_mv"][1]) and (r.status == 0).all()
    assert r.unexplained_nan["y_mv"].tolist() == [False, True]
    with pytest.raises(workbench.WorkbenchError, match="failed the batch call"):
        workbench.evaluate("call-fails", [1.0])


def corrupt_dt_strtab(path: Path) -> None:
    """Points the dynamic section's DT_STRTAB at an unmapped address (dlopen itself then crashes)."""
    import struct
    data = bytearray(path.read_bytes())
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 2:  # PT_DYNAMIC
            for off in range(p_offset, p_offset + p_filesz, 16):
                tag, = struct.unpack_from("<q", data, off)
                if tag == 5:  # DT_STRTAB
                    struct.pack_into("<Q", data, off + 8, 0x7ff0_dead_0000)
                    path.write_bytes(bytes(data))
                    return
    raise AssertionError("no DT_STRTAB found")


def test_a_library_that_crashes_dlopen_is_reported_not_fatal(c_compiler, tmp_path):
    """A real plugin whose DT_STRTAB points nowhere: dlopen segfaults. The first load is probed in a child
    process, so the host reports the file and goes on (eval siegert included)."""
    bad = tmp_path / "bad"
    bad.mkdir()
    corrupt_dt_strtab(build(c_compiler, bad, "Strtab", 'NAME="strtab"'))
    env = dict(os.environ, WORKBENCH_PLUGIN_PATH=str(bad))
    r = subprocess.run([workbench.executable(), "eval", "siegert", "15", "5", "--format", "json"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["outputs"]["rate_hz"] > 0
    assert "libStrtabPlugin.so" in r.stderr and ("crashed" in r.stderr or "DT_STRTAB" in r.stderr), r.stderr
