"""workbench.torch: in-place initialisers with the plan's numbers (skipped without PyTorch; see README)."""
import math

import pytest

torch = pytest.importorskip("torch")
import workbench  # noqa: E402
import workbench.torch as wbt  # noqa: E402


def close_std(t, sigma, n_se=5):
    """Sample std within n_se standard errors (SE of a normal sample's std: sigma / sqrt(2 n))."""
    s = t.double().std().item()
    return abs(s - sigma) <= n_se * sigma / math.sqrt(2 * t.numel())


def test_single_layer_initialisers_use_the_plan_and_the_fan_in_of_the_shape():
    g = torch.Generator().manual_seed(0)
    w = torch.empty(1000, 1000)
    wbt.variance_flow_normal_(w, generator=g)
    assert close_std(w, math.sqrt(6.30297437506875 / 1000)) and abs(w.double().mean().item()) < 5e-4
    wbt.rate_collapse_normal_(w, nu=20, generator=g)
    assert close_std(w, math.sqrt(4.06693694113573 / 1000))
    w2 = torch.empty(100, 200, dtype=torch.float64)
    wbt.fluctuation_normal_(w2, nu=10, mu_u=0.5, xi=1, generator=g)
    plan = workbench.init.plan([200, 100], "fluctuation", nu=10, mu_u=0.5, xi=1)["layers"][0]
    assert abs(plan["sigma_w"] / 0.49749371855331 - 1) < 1e-13
    assert close_std(w2, plan["sigma_w"]) and abs(w2.mean().item() - 0.05) < 5 * plan["sigma_w"] / math.sqrt(2e4)
    conv = torch.nn.Conv2d(3, 64, 5)          # fan-in 3 x 5 x 5 = 75
    wbt.variance_flow_normal_(conv.weight, generator=g)
    expect = workbench.init.plan([75, 64], "variance-flow")["layers"][0]["sigma_w"]
    assert close_std(conv.weight.detach(), expect)
    with pytest.raises(workbench.WorkbenchInputError):
        wbt.variance_flow_normal_(torch.empty(10))


def test_tau_mem_and_time_step_reach_the_plan():
    w = torch.empty(50, 700)
    a = workbench.init.plan([700, 50], "fluctuation", nu=10, xi=2, tau_m=10, time_step=1)["layers"][0]
    g = torch.Generator().manual_seed(1)
    wbt.fluctuation_normal_(w, nu=10, xi=2, tau_mem=10, time_step=1, generator=g)
    g2 = torch.Generator().manual_seed(1)
    ref = torch.empty(50, 700).normal_(a["mu_w"], a["sigma_w"], generator=g2)
    assert torch.equal(w, ref)


def test_init_network_walks_the_stack_and_returns_the_plan():
    model = torch.nn.Sequential(torch.nn.Linear(700, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.Linear(128, 20))
    torch.manual_seed(0)
    plan = wbt.init_network_(model, "fluctuation", nu=10, mu_u=0.2, xi=2)
    ref = workbench.init.plan([700, 256, 128, 20], "fluctuation", nu=10, mu_u=0.2, xi=2)
    assert plan["layers"] == ref["layers"]
    for layer, lin in zip(plan["layers"], [model[0], model[2], model[3]]):
        assert abs(layer["mean_u"] - 0.2) < 1e-13 and abs(layer["std_u"] - 0.4) < 1e-13
        assert close_std(lin.weight.detach(), layer["sigma_w"]) and torch.count_nonzero(lin.bias) == 0
    cnn = torch.nn.Sequential(torch.nn.Conv2d(2, 16, 3), torch.nn.Conv2d(16, 32, 3), torch.nn.Flatten(),
                              torch.nn.Linear(32 * 4, 10))
    plan = wbt.init_network_(cnn, "variance-flow")
    assert [l["fan_in"] for l in plan["layers"]] == [18, 144, 128]
    assert [l["neurons"] for l in plan["layers"]] == [16, 32, 10]
    mixed = wbt.init_network_([model[0].weight, model[2]], "variance-flow")
    assert [l["fan_in"] for l in mixed["layers"]] == [700, 256]


def test_dale_weights_follow_the_plan_columns():
    w = torch.empty(400, 100, dtype=torch.float64)
    g = torch.Generator().manual_seed(2)
    wbt.fluctuation_normal_(w, nu=10, xi=2, inh_fraction=0.2, generator=g)
    layer = workbench.init.plan([100, 400], "fluctuation", nu=10, xi=2, inh_fraction=0.2)["layers"][0]
    n_exc = layer["n_exc"]
    assert (w[:, :n_exc] > 0).all() and (w[:, n_exc:] < 0).all()
    assert abs(w[:, :n_exc].mean().item() * layer["lambda_e"] - 1) < 0.02         # Exp(lambda): mean 1/lambda
    assert abs(-w[:, n_exc:].mean().item() * layer["lambda_i"] - 1) < 0.03
