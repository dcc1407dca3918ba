"""simulate, validate and init.plan from Python: the CLI's numbers for the same seed, clear errors."""
import json
import math

import numpy as np
import pytest

import workbench
from conftest import run_cli

SMALL = dict(neurons=400, time="0.5s")


def cli_json(*words, check=True):
    proc = run_cli(*words, "--format", "json", check=check)
    return json.loads(proc.stdout), proc.returncode


def test_simulate_gives_the_cli_numbers_for_the_same_seed_and_spike_trains():
    sim = workbench.simulate("lif-white", 15, 5, seed=3, density=(0, 20, 8), spikes=True, **SMALL)
    raw, _ = cli_json("simulate", "lif-white", "15", "5", "--seed", "3", "--density", "0:20:8",
                      "--neurons", "400", "--time", "0.5s")
    for name, o in raw["observables"].items():
        if isinstance(o["value"], list):
            assert np.array_equal(sim[name].value, np.array(o["value"])) and np.array_equal(sim[name].v_mv, o["v_mv"])
        else:
            value, se = sim[name]
            assert (value, se) == (o["value"], o["se"]), name
    assert abs(sim["rate_hz"].value - 9.46) < 6 * sim["rate_hz"].se
    assert len(sim.spikes.time_ms) == raw["spikes"]
    trains = sim.spikes.trains()
    assert len(trains) <= 400 and all(np.all(np.diff(t) > 0) for t in trains if len(t) > 1)
    isi = sim.spikes.isi_ms[~np.isnan(sim.spikes.isi_ms)]
    assert len(isi) > 0.5 * raw["spikes"] and np.all(isi >= 2.0)          # tau_ref = 2 ms
    n0 = sim.spikes.neuron == sim.spikes.neuron[0]
    t0, isi0 = sim.spikes.time_ms[n0], sim.spikes.isi_ms[n0]
    assert np.isnan(isi0[0]) and np.allclose(isi0[1:], np.diff(t0), rtol=0, atol=1e-9)
    other_seed = workbench.simulate("lif-white", 15, 5, seed=4, **SMALL)
    assert other_seed["rate_hz"].value != sim["rate_hz"].value
    threads = workbench.simulate("lif-white", 15, 5, seed=3, threads=1, density=(0, 20, 8), **SMALL)
    assert threads["rate_hz"].value == sim["rate_hz"].value      # a run does not depend on threads


def test_simulate_other_models_and_bad_options():
    w = workbench.simulate("wiener", 1, 1, 1, samples=2000, seed=2)
    assert "mean_fpt_ms" in w.observables or len(w.observables) > 0
    with pytest.raises(workbench.WorkbenchInputError, match="neurons"):
        workbench.simulate("lif-white", 15, 5, neurons=16)
    with pytest.raises(workbench.WorkbenchInputError):
        workbench.simulate("no-such-model", 1)
    with pytest.raises(workbench.WorkbenchInputError, match="boolean"):
        workbench.simulate("lif-white", 15, True)


def test_validate_agrees_rejects_and_matches_the_cli():
    v = workbench.validate("siegert", 15, 5, neurons=2000, time="1s")
    assert v.all_agree and v.estimator == "siegert" and v.model == "lif-white"
    rate = v["rate_hz"]
    assert rate.verdict == "agree" and abs(rate.estimator / 9.46079980575913 - 1) < 1e-12
    raw, code = cli_json("validate", "siegert", "15", "5", "--neurons", "2000", "--time", "1s")
    assert code == 0 and [q["mc"] for q in raw["quantities"]] == [q.mc for q in v.quantities]
    # the naive threshold check is ~6 % low by design: a disagreement is a result, not an exception
    naive = workbench.validate("siegert", 15, 5, scheme="naive", neurons=2000, time="2s")
    assert not naive.all_agree and naive["rate_hz"].verdict == "DISAGREE"
    with pytest.raises(workbench.WorkbenchInputError, match="sigma"):
        workbench.validate("siegert", 15, -5)


def test_init_plan_is_the_cli_json_and_holds_the_hold_out_references():
    plan = workbench.init.plan([1000] * 5, "rate-collapse", nu=20)
    raw, _ = cli_json("init", "--layers", "1000,1000,1000,1000,1000", "--scheme", "rate-collapse", "--nu", "20Hz")
    assert plan == raw
    # rate-collapse: the Kaiming table and the 20 Hz fixed point (Tests/WorkbenchTests/InitEstimatorTests.swift)
    for i, rate in enumerate([9.54072406441194, 2.82725628216187, 0.0113172836752554]):
        assert abs(plan["comparison"][i]["kaiming"] / rate - 1) < 1e-12
    assert abs(plan["layers"][0]["sigma_w"] / math.sqrt(4.06693694113573 / 1000) - 1) < 1e-12
    # Micheli's variance-flow init: sigma_w^2 n = 6.30297437506875 at theta = 1
    vf = workbench.init.plan([1000, 1000], "variance-flow")
    assert abs(vf["layers"][0]["sigma_w"] / math.sqrt(6.30297437506875 / 1000) - 1) < 1e-13
    # stork's fluctuation init (inverse problem vector, THEORY §6.5): mu_u = 0.5, xi = 1, n = 200, nu = 10 Hz
    fl = workbench.init.plan([200, 100], "fluctuation", nu="10Hz", mu_u=0.5, xi=1)
    assert abs(fl["layers"][0]["mu_w"] - 0.05) < 1e-15
    assert abs(fl["layers"][0]["sigma_w"] / 0.49749371855331 - 1) < 1e-13
    with pytest.raises(workbench.WorkbenchInputError):
        workbench.init.plan([10, 10], "rate-collapse", nu=5, jumps="lattice")
    with pytest.raises(workbench.WorkbenchInputError, match="scheme"):
        workbench.init.plan([10, 10], "kaiming")
    with pytest.raises(workbench.WorkbenchInputError, match="positive integer"):
        workbench.init.plan([10, 0], "variance-flow")


def test_atlas_from_python_is_the_cli_table(tmp_path):
    a = workbench.atlas("siegert", grid={"mu": [10, 15, 20], "sigma": "3,5"}, out=str(tmp_path / "a"), seed=7,
                        neurons=160, time="300ms", burn_in="100ms", threads=1)
    run_cli("atlas", "siegert", "--grid", "mu=10,15,20", "--grid", "sigma=3,5", "--seed", "7", "--neurons", "160",
            "--time", "300ms", "--burn-in", "100ms", "--threads", "1", "--out", str(tmp_path / "b"))
    assert (tmp_path / "a" / "atlas.csv").read_bytes() == (tmp_path / "b" / "atlas.csv").read_bytes()
    assert "atlas: 6 points" in a.summary
    rate = a.where(quantity="rate_hz")
    assert rate.sum() == 6 and np.all(np.isfinite(a["estimator"][rate]))
    assert all(v in ("agree", "DISAGREE") or v.startswith("not compared (") for v in a["verdict"][rate])
    assert sorted(set(a["mu"][rate])) == [10.0, 15.0, 20.0]
    with pytest.raises(workbench.WorkbenchInputError, match="unknown"):
        workbench.atlas("siegert", grid={"nu": [1]}, out=str(tmp_path / "c"))
    assert workbench.atlas("siegert", grid={"mu": [10, 15]}, sigma=5, out=str(tmp_path / "d"), shard="0/2",
                           neurons=160, time="200ms", burn_in="100ms") is None
