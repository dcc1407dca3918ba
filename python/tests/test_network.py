"""Networks from Python: the same numbers as the CLI, bit for bit, and errors as exceptions."""
import json
import math
from pathlib import Path

import pytest

import workbench
from conftest import run_cli

BRUNEL = str(Path(__file__).resolve().parents[2] / "examples" / "networks" / "brunel-A.yaml")


def test_theory_matches_cli():
    th = workbench.network(BRUNEL, set={"connections.1.J": "-0.6mV"}, spectrum=[10, 100])
    cli = json.loads(run_cli("network", BRUNEL, "--set", "connections.1.J=-0.6mV", "--spectrum", "10,100",
                             "--format", "json").stdout)
    wp = th.working_points[0]
    assert wp.rates["E"] == cli["working_points"][0]["populations"][0]["rate_hz"]
    assert wp.stable is True and wp.spectra["E"].shape == (2,)
    assert list(wp.frequencies_hz) == [10.0, 100.0]


def test_simulation_matches_cli_and_is_seeded():
    kwargs = dict(set={"populations.E.size": 2000, "populations.I.size": 500}, time="200ms", burn_in=100)
    a = workbench.simulate_network(BRUNEL, seed=3, spectrum=[50, 150], **kwargs)
    cli = json.loads(run_cli("simulate", "network", BRUNEL, "--set", "populations.E.size=2000", "--set",
                             "populations.I.size=500", "--time", "200ms", "--burn-in", "100", "--seed", "3",
                             "--spectrum", "50,150", "--format", "json").stdout)
    e = a.populations["E"]
    assert e.rate.value == cli["populations"][0]["rate_hz"]["value"]
    assert e.cv.se == cli["populations"][0]["cv"]["se"]
    assert list(e.spectrum.value) == [s["value"] for s in cli["populations"][0]["spectrum_hz"]]
    assert a.synapses == 2500 * 1250 and a.neuron_steps_per_second > 0
    b = workbench.simulate_network(BRUNEL, seed=3, threads=1, spectrum=[50, 150], **kwargs)
    assert b.populations["E"].rate.value == e.rate.value      # any thread count: the same run
    c = workbench.simulate_network(BRUNEL, seed=4, spectrum=[50, 150], **kwargs)
    assert c.populations["E"].rate.value != e.rate.value


def test_validation_is_a_result_and_errors_raise():
    v = workbench.validate_network(BRUNEL, set={"connections.1.J": "-0.8mV"}, time="500ms")
    assert v.stable and v.agree and v.verdict.startswith("AGREE")
    assert any(c["quantity"] == "cv" and c["judged"] for c in v.comparisons)
    with pytest.raises(workbench.WorkbenchInputError, match="at least the time step"):
        workbench.simulate_network(BRUNEL, set={"connections.0.delay": "0.01ms"}, time=100)
    with pytest.raises(workbench.WorkbenchInputError, match="populations.E.size"):
        workbench.network(BRUNEL, set={"populations.E.size": 0})
    assert math.isfinite(workbench.network(BRUNEL, stability=False).working_points[0].rates["I"])
