"""torch.nn.init-style initialisers from the workbench init schemes (needs PyTorch).

    import workbench.torch as wbt
    wbt.fluctuation_normal_(layer.weight, nu=10, xi=2, tau_mem=20, tau_syn=5)       # stork / Rossbroich 2022
    wbt.variance_flow_normal_(layer.weight, theta=1)                                   # Micheli 2024
    wbt.rate_collapse_normal_(layer.weight, nu=20)                                     # Siegert fixed point
    plan = wbt.init_network_(model, "fluctuation", nu=10, xi=2)                        # a whole stack, in order

The fan-in comes from the tensor's shape as in torch.nn.init (in_features, or in_channels x kernel
size); the weight mean and std are the first layer of `workbench.init.plan([fan_in, fan_out], scheme,
...)`, so they are the CLI's numbers bit for bit. Options are named as the CLI's with underscores
(tau_mem is accepted for tau_m). With inh_fraction (fluctuation scheme, Dale's law), the first n_exc
inputs get excitatory weights ~ Exp(lambda_e) and the last n_inh inhibitory weights ~ -Exp(lambda_i)
(rates lambda, means 1/lambda), as the plan's columns say.
"""
from typing import Iterable, List, Union

import torch

from . import init as _init
from ._errors import WorkbenchInputError

__all__ = ["fluctuation_normal_", "variance_flow_normal_", "rate_collapse_normal_", "init_network_"]


def _fans(tensor: torch.Tensor):
    if tensor.dim() < 2:
        raise WorkbenchInputError(f"a weight tensor needs at least 2 dimensions (got shape {tuple(tensor.shape)})")
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= int(s)
    return int(tensor.shape[1]) * receptive, int(tensor.shape[0]) * receptive


def _cli_options(options: dict) -> dict:
    out = dict(options)
    if "tau_mem" in out:
        if out.get("tau_m") is not None:
            raise WorkbenchInputError("give tau_mem or tau_m, not both")
        out["tau_m"] = out.pop("tau_mem")
    return {k: v for k, v in out.items() if v is not None}


@torch.no_grad()
def _fill(tensor: torch.Tensor, layer: dict, generator=None) -> torch.Tensor:
    """Draws the layer's weights in place: Gaussian (mu_w, sigma_w), or Dale's exponential weights."""
    if layer.get("lambda_e") is not None:
        if tensor.dim() != 2:
            raise WorkbenchInputError("Dale's-law weights (inh_fraction) are defined for 2-D (linear) weights; "
                                      f"got shape {tuple(tensor.shape)}")
        n_exc, n_inh = int(layer["n_exc"]), int(layer["n_inh"])
        tensor[:, :n_exc].exponential_(layer["lambda_e"], generator=generator)
        if n_inh:
            tensor[:, n_exc:].exponential_(layer["lambda_i"], generator=generator).neg_()
        return tensor
    mu_w, sigma_w = layer.get("mu_w"), layer.get("sigma_w")
    if mu_w is None or sigma_w is None:
        raise WorkbenchInputError(f"the plan gives no weight mean/std for layer {layer.get('layer')}: {layer}")
    return tensor.normal_(mu_w, sigma_w, generator=generator)


def _single(tensor: torch.Tensor, scheme: str, generator, options) -> torch.Tensor:
    fan_in, fan_out = _fans(tensor)
    plan = _init.plan([fan_in, max(1, fan_out)], scheme, **_cli_options(options))
    return _fill(tensor, plan["layers"][0], generator)


def fluctuation_normal_(tensor: torch.Tensor, *, nu, sigma_u=None, xi=None, mu_u=None, tau_mem=None, tau_syn=None,
                        time_step=None, theta=None, v_reset=None, tau_ref=None, inh_fraction=None, tau_syn_inh=None,
                        generator=None, **options) -> torch.Tensor:
    """Fluctuation-driven init (Rossbroich, Gygax & Zenke 2022): the weight mean and std that put the free
    membrane at mean mu_u and std sigma_u (or (theta - mu_u)/xi) for inputs firing at nu [Hz]."""
    return _single(tensor, "fluctuation", generator,
                   dict(nu=nu, sigma_u=sigma_u, xi=xi, mu_u=mu_u, tau_mem=tau_mem, tau_syn=tau_syn,
                        time_step=time_step, theta=theta, v_reset=v_reset, tau_ref=tau_ref,
                        inh_fraction=inh_fraction, tau_syn_inh=tau_syn_inh, **options))


def variance_flow_normal_(tensor: torch.Tensor, *, theta=None, sigma_target=None, sigma0=None, generator=None,
                          **options) -> torch.Tensor:
    """Variance-flow init (Micheli et al. 2024): zero-mean weights that hold Var[u] at sigma_target^2."""
    return _single(tensor, "variance-flow", generator,
                   dict(theta=theta, sigma_target=sigma_target, sigma0=sigma0, **options))


def rate_collapse_normal_(tensor: torch.Tensor, *, nu, nu_target=None, init=None, n_var_w=None, theta=None,
                          v_reset=None, tau_mem=None, tau_ref=None, jumps=None, generator=None,
                          **options) -> torch.Tensor:
    """Rate-collapse init (Siegert fixed point, Perez-Nieves & Goodman 2023): weights that map an input rate
    nu [Hz] to nu_target (default nu) through one LIF layer."""
    return _single(tensor, "rate-collapse", generator,
                   dict(nu=nu, nu_target=nu_target, init=init, n_var_w=n_var_w, theta=theta, v_reset=v_reset,
                        tau_mem=tau_mem, tau_ref=tau_ref, jumps=jumps, **options))


_SCHEMES = {"fluctuation": "fluctuation", "fluctuation-driven": "fluctuation", "variance-flow": "variance-flow",
            "variance_flow": "variance-flow", "rate-collapse": "rate-collapse", "rate_collapse": "rate-collapse"}


def _weights(module_or_layers) -> List[torch.Tensor]:
    """The weight tensors of a feed-forward stack, in order: Linear and Conv layers of a module (in
    registration order), or a list of layers / weight tensors."""
    conv = (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d)
    if isinstance(module_or_layers, torch.nn.Module):
        return [m.weight for m in module_or_layers.modules() if isinstance(m, conv)]
    out = []
    for item in module_or_layers:
        if isinstance(item, torch.Tensor):
            out.append(item)
        elif isinstance(item, torch.nn.Module):
            out += _weights(item)
        else:
            raise WorkbenchInputError(f"init_network_: {type(item).__name__} is neither a layer nor a weight tensor")
    return out


def init_network_(module_or_layers: Union[torch.nn.Module, Iterable], scheme: str, *, zero_bias: bool = True,
                  generator=None, **options) -> dict:
    """Initialises a feed-forward stack in place, layer by layer as `workbench init` composes it, and
    returns the plan (the JSON of `workbench init`, with each layer's `neurons` the layer's real output
    count). Each layer's fan-in is taken from its weight (convolutions: in_channels x kernel size); the
    activity predicted at layer l is the input of layer l + 1. Biases are set to zero (zero_bias=False
    keeps them): the plan's predicted rates assume none."""
    if scheme not in _SCHEMES:
        raise WorkbenchInputError(f"scheme = {scheme!r} is not one of: fluctuation, variance-flow, rate-collapse")
    weights = _weights(module_or_layers)
    if not weights:
        raise WorkbenchInputError("init_network_: no Linear/Conv layer or weight tensor found")
    fans = [_fans(w) for w in weights]
    # `init --layers W0,...,WL` gives layer l the fan-in W(l-1): the widths are the fan-ins, then the last
    # layer's output count.
    widths = [f_in for f_in, _ in fans] + [int(weights[-1].shape[0])]
    opts = _cli_options(options)
    plan = _init.plan(widths, _SCHEMES[scheme], **opts)
    for w, layer in zip(weights, plan["layers"]):
        layer["neurons"] = int(w.shape[0])
        _fill(w, layer, generator)
    if zero_bias and isinstance(module_or_layers, torch.nn.Module):
        with torch.no_grad():
            for m in module_or_layers.modules():
                if getattr(m, "bias", None) is not None and isinstance(m.bias, torch.Tensor) and hasattr(m, "weight"):
                    m.bias.zero_()
    return plan
