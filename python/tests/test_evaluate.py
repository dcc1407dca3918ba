"""workbench.evaluate: THEORY vectors, bit-identity with the CLI, broadcasting, units, errors."""
import math
import warnings

import numpy as np
import pytest

import workbench
from conftest import cli_csv, cli_float, run_cli, same_double

SIEGERT_S1 = 9.46079980575913        # THEORY §1.5 S1: mu = 15, sigma = 5 mV, defaults


def test_theory_vector_s1_and_the_cli_single_value():
    r = workbench.evaluate("siegert", 15, 5)
    assert r.shape == () and r.status == 0
    assert abs(r["rate_hz"] / SIEGERT_S1 - 1) < 1e-12
    cli = run_cli("eval", "siegert", "15", "5", "--format", "json").stdout
    import json
    outs = json.loads(cli)["outputs"]
    for name, v in outs.items():
        if v is None:
            assert np.isnan(r[name]), name
        else:
            assert float(r[name]) == v, name          # JSON numbers are shortest round-trip: exact


def _random_rows(rng, n):
    mu = rng.uniform(-20, 40, n)
    sigma = np.exp(rng.uniform(np.log(0.3), np.log(30), n))
    tau_m = rng.choice([5.0, 10.0, 20.0], n)
    return mu, sigma, tau_m


@pytest.mark.parametrize("estimator", ["siegert", "siegert-colored", "linear-response"])
def test_every_output_equals_the_cli_bit_for_bit(tmp_path, estimator):
    rng = np.random.default_rng(7)
    n = 1500
    mu, sigma, tau_m = _random_rows(rng, n)
    cols = {"mu": mu, "sigma": sigma, "tau_m": tau_m}
    if estimator == "siegert":
        cols["v"] = rng.uniform(0, 19, n)
    elif estimator == "siegert-colored":
        cols["tau_s"] = rng.uniform(0.1, 2, n)
        cols["method"] = np.where(rng.random(n) < 0.5, "shift", "taylor")
    else:
        cols["f"] = np.exp(rng.uniform(np.log(0.1), np.log(1e4), n))
    path = tmp_path / "rows.csv"
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for i in range(n):
            f.write(",".join(str(c[i]) if isinstance(c[i], str) else repr(float(c[i])) for c in cols.values()) + "\n")
    rows = cli_csv("eval", estimator, "--input", path, check=False)     # exit 2: some rows fail, by design
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", workbench.WorkbenchWarning)
        r = workbench.evaluate(estimator, errors="mask", **cols)
    assert len(rows) == n
    names = list(r)
    compared = 0
    for i, row in enumerate(rows):
        assert (row["status"] == "error") == (r.status[i] < 0), (i, row)
        if row["status"] == "error":
            assert r.errors[i] == row["error"], i
            continue
        for name in names:
            cell = row.get(name + "_out", row.get(name))
            assert same_double(cli_float(cell), float(r[name][i])), (i, name, cell, r[name][i])
            compared += 1
    assert compared > n * 3


def test_grid_broadcasting_and_scalars():
    mu = np.linspace(0, 30, 7)[:, None]
    sigma = np.array([2.0, 5.0, 10.0])
    r = workbench.evaluate("siegert", mu=mu, sigma=sigma, outputs=["rate_hz", "cv"])
    assert r.shape == (7, 3) and r["rate_hz"].shape == (7, 3) and set(r) == {"rate_hz", "cv"}
    for i in range(7):
        for j in range(3):
            one = workbench.evaluate("siegert", float(mu[i, 0]), float(sigma[j]), outputs=["rate_hz"])
            assert one["rate_hz"] == r["rate_hz"][i, j]
    with pytest.raises(workbench.WorkbenchInputError, match="broadcast"):
        workbench.evaluate("siegert", mu=np.zeros(3), sigma=np.ones(4))


def test_outputs_asked_for_only_and_the_same_numbers_as_a_full_evaluation():
    mu = np.linspace(-5, 35, 41)
    full = workbench.evaluate("siegert", mu=mu, sigma=4.0)
    part = workbench.evaluate("siegert", mu=mu, sigma=4.0, outputs="rate_hz,ln_rate_hz")
    assert list(part) == ["rate_hz", "ln_rate_hz"]
    assert np.array_equal(full["rate_hz"], part["rate_hz"]) and np.array_equal(full["ln_rate_hz"], part["ln_rate_hz"])


def test_units_are_parsed_as_the_cli_parses_them():
    base = workbench.evaluate("siegert", 15, 5, tau_m=10, outputs=["rate_hz"])["rate_hz"]
    for text in ["10ms", "0.01s", "10000us", " 10 ms"]:
        assert workbench.evaluate("siegert", "15mV", "0.005V", tau_m=text, outputs=["rate_hz"])["rate_hz"] == base
    cli = cli_csv("eval", "siegert", "15", "5", "--tau-m", "0.01s", "--outputs", "rate_hz")
    assert float(cli[0]["rate_hz"]) == base
    arr = workbench.evaluate("siegert", 15, 5, tau_m=np.array(["10ms", "20ms"]), outputs=["rate_hz"])
    assert arr["rate_hz"][0] == base and abs(arr["rate_hz"][1] / SIEGERT_S1 - 1) < 1e-12
    with pytest.raises(workbench.WorkbenchInputError, match=r"unit 'mV' in '10mV' is not a time"):
        workbench.evaluate("siegert", 15, 5, tau_m="10mV")
    with pytest.raises(workbench.WorkbenchInputError, match="is not a number"):
        workbench.evaluate("siegert", 15, "abc")
    with pytest.raises(workbench.WorkbenchInputError, match="unit 'x10'"):
        workbench.evaluate("siegert", 15, "0x10")      # hexadecimal is not a value with a unit


def test_a_bad_value_names_parameter_value_range_and_row():
    sigma = np.array([5.0, 4.0, -5.0, 3.0])
    with pytest.raises(workbench.WorkbenchInputError) as e:
        workbench.evaluate("siegert", mu=15.0, sigma=sigma)
    err = e.value
    assert isinstance(err, ValueError)
    assert (err.parameter, err.value, err.valid_range, err.row) == ("sigma", -5.0, "> 0 mV", 2)
    assert "row 2" in str(err) and "parameter 'sigma' = -5 mV is out of range (valid: > 0 mV)" in str(err)
    grid = workbench.evaluate("siegert", mu=np.array([[15.0], [16.0]]), sigma=np.array([5.0, -1.0]), errors="mask")
    assert grid.status.shape == (2, 2) and (grid.status[:, 1] < 0).all() and (grid.status[:, 0] == 0).all()
    assert np.isnan(grid["rate_hz"][:, 1]).all() and np.isfinite(grid["rate_hz"][:, 0]).all()
    assert grid.errors[1].startswith("parameter 'sigma' = -1 mV is out of range")
    assert grid.parameters["sigma"][0, 1] == -1.0          # the inputs given, not defaults
    with pytest.raises(workbench.WorkbenchInputError, match=r"row 1 \(index \(0, 1\)\)"):
        workbench.evaluate("siegert", mu=np.array([[15.0], [16.0]]), sigma=np.array([5.0, -1.0]))


def test_missing_nan_and_relations_between_parameters():
    with pytest.raises(workbench.WorkbenchInputError, match="missing required parameter 'sigma'"):
        workbench.evaluate("siegert", 15)
    with pytest.raises(workbench.WorkbenchInputError, match="'mu' is missing or NaN"):
        workbench.evaluate("siegert", mu=[15.0, np.nan], sigma=5.0)
    # v_reset >= theta is checked by the plugin: its own message, through the row re-evaluation.
    r = workbench.evaluate("siegert", 15, 5, v_reset=[10.0, 25.0], errors="mask")
    assert r.status[0] == 0 and r.status[1] < 0 and "v_reset" in r.errors[1]
    cli = run_cli("eval", "siegert", "15", "5", "--v-reset", "25", check=False)
    assert cli.returncode == 2
    with pytest.raises(workbench.WorkbenchInputError) as e:
        workbench.evaluate("siegert", 15, 5, v_reset=25)
    assert str(e.value).endswith(cli.stderr.strip().removeprefix("error: "))
    with pytest.raises(workbench.WorkbenchInputError, match="unknown parameter 'tau'"):
        workbench.evaluate("siegert", 15, 5, tau=3)
    with pytest.raises(workbench.WorkbenchInputError, match="unknown output 'rate'"):
        workbench.evaluate("siegert", 15, 5, outputs=["rate"])
    with pytest.raises(workbench.WorkbenchInputError, match="unknown estimator 'siegrt'"):
        workbench.evaluate("siegrt", 15, 5)
    with pytest.raises(workbench.WorkbenchInputError, match="too many positional"):
        workbench.evaluate("siegert", 15, 5, 3)
    with pytest.raises(workbench.WorkbenchInputError, match="boolean"):
        workbench.evaluate("siegert", 15, True)
    for bad in [np.inf, -np.inf, 1e309]:
        with pytest.raises(workbench.WorkbenchInputError, match="'mu'"):
            workbench.evaluate("siegert", bad, 5)


def test_choice_parameters_take_labels_or_indices_and_reject_anything_else():
    a = workbench.evaluate("siegert-colored", 15, 5, 1, method="taylor", outputs=["rate_hz"])
    b = workbench.evaluate("siegert-colored", 15, 5, 1, method=1, outputs=["rate_hz"])
    assert a["rate_hz"] == b["rate_hz"]
    for bad in ["tailor", np.inf, 5e223, 1e19, 1.5, -1, np.nan]:
        with pytest.raises(workbench.WorkbenchInputError, match="method"):
            workbench.evaluate("siegert-colored", 15, 5, 1, method=bad)
    with pytest.raises(workbench.WorkbenchInputError, match="one of: shift, taylor"):
        workbench.evaluate("siegert-colored", 15, 5, 1, method="tailor")
    mixed = workbench.evaluate("siegert-colored", 15, 5, 1, method=np.array(["shift", "taylor", "bogus"]),
                               errors="mask", outputs=["rate_hz"])
    assert (mixed.status[:2] >= 0).all() and mixed.status[2] < 0 and "bogus" in mixed.errors[2]


def test_underflow_is_an_answer_with_the_exact_log_and_a_warning():
    with pytest.warns(workbench.WorkbenchWarning, match="below the double range"):
        r = workbench.evaluate("siegert", 0, 0.5, outputs=["rate_hz", "ln_rate_hz"])
    assert r["rate_hz"] == 0.0 and r.status > 0
    assert abs(r["ln_rate_hz"] / -1592.97177522790 - 1) < 1e-12
    assert r.warnings == {0: ["rate below the double range: rate_hz = 0, ln_rate_hz is exact"]} or \
        "below the double range" in r.warnings[0][0]


def test_not_applicable_outputs_are_marked():
    r = workbench.evaluate("siegert", 15, 5, v=[np.nan, 12.0], outputs=["density_per_mv"])
    assert r.not_applicable["density_per_mv"].tolist() == [True, False]
    assert np.isnan(r["density_per_mv"][0]) and r["density_per_mv"][1] > 0
    assert (r.status == 0).all()


def test_v_rest_and_sigma_free_follow_the_cli():
    rel = workbench.evaluate("siegert", 15, 5)
    absolute = workbench.evaluate("siegert", 15, 5, theta=-45, v_reset=-55, v_rest=-65)
    assert absolute["rate_hz"] == rel["rate_hz"]
    assert abs(absolute["mean_v_mv"] - (rel["mean_v_mv"] - 65)) < 1e-12
    cli = cli_csv("eval", "siegert", "15", "5", "--theta", "-45", "--v-reset", "-55", "--v-rest", "-65")
    assert float(cli[0]["mean_v_mv"]) == absolute["mean_v_mv"]
    with pytest.raises(workbench.WorkbenchInputError, match="absolute potential"):
        workbench.evaluate("siegert", 15, 5, v_rest=-65)
    free = workbench.evaluate("siegert", mu=15, sigma_free=5 / math.sqrt(2), outputs=["rate_hz"])
    cli = cli_csv("eval", "siegert", "15", "--sigma-free", repr(5 / math.sqrt(2)), "--outputs", "rate_hz")
    assert free["rate_hz"] == float(cli[0]["rate_hz"])


def test_threads_do_not_change_a_bit_and_chunks_cover_every_row():
    rng = np.random.default_rng(3)
    mu, sigma = rng.uniform(-20, 40, 30_001), rng.uniform(0.5, 20, 30_001)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", workbench.WorkbenchWarning)
        one = workbench.evaluate("siegert", mu=mu, sigma=sigma, outputs=["rate_hz", "cv"], threads=1)
        many = workbench.evaluate("siegert", mu=mu, sigma=sigma, outputs=["rate_hz", "cv"], threads=4)
    for k in one:
        assert np.array_equal(one[k], many[k], equal_nan=True)
    assert (one.status >= 0).all() and np.isfinite(one["rate_hz"]).all()
    # every row was evaluated: spot checks against single calls at chunk edges
    for i in [0, 4095, 4096, 8191, 30_000]:
        assert workbench.evaluate("siegert", mu[i], sigma[i], outputs=["cv"])["cv"] == one["cv"][i]


def test_other_estimators_through_the_same_path():
    w = workbench.evaluate("wiener", m=1.0, s=1.0, a=1.0, t=[0.5, 1.0, 2.0], outputs=["fpt_cdf", "mean_fpt_ms"])
    assert np.all(np.diff(w["fpt_cdf"]) > 0) and w["mean_fpt_ms"][0] == 1.0
    sn = workbench.evaluate("shot-noise", 500, 2, outputs=["rate_hz"])
    cli = cli_csv("eval", "shot-noise", "500", "2", "--outputs", "rate_hz")
    assert float(cli[0]["rate_hz"]) == sn["rate_hz"]
