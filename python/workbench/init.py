"""workbench.init.plan: the per-layer initialisation plan of `workbench init` (same numbers, bit for bit).

    plan = workbench.init.plan([700, 256, 256, 20], "fluctuation", nu=10, xi=2)
    plan["layers"][0]["sigma_w"]

Options are the CLI's, with underscores (nu, nu_target, sigma_u, mu_u, xi, time_step, tau_m, tau_syn,
tau_syn_inh, tau_ref, theta, v_reset, inh_fraction, sigma_target, sigma0, init, n_var_w, jumps);
numbers are in the CLI's default units (Hz, ms, mV or the scheme's units), strings may carry units
("10Hz", "5ms"). The result is the JSON object of `workbench init --format json`: scheme, widths,
setting, layers (one dict per layer: layer, neurons, fan_in, mu_w, sigma_w, mean_u, std_u, rate or
spike probability, ...), comparison (Kaiming and Glorot beside it), verdict, warnings.
"""
from typing import Sequence

from ._cli import _options, run_json
from ._errors import WorkbenchInputError

SCHEMES = ("fluctuation", "variance-flow", "rate-collapse")


def plan(widths: Sequence[int], scheme: str, **options) -> dict:
    """Weight statistics per layer for an SNN of layer widths W0 (input), W1, ..., WL (fan-in of layer l is
    W(l-1)); see the module docstring."""
    if scheme not in SCHEMES:
        raise WorkbenchInputError(f"scheme = {scheme!r} is not one of: {', '.join(SCHEMES)}", parameter="scheme")
    widths = list(widths)
    if len(widths) < 2:
        raise WorkbenchInputError(f"widths = {widths}: give the input width and at least one layer",
                                  parameter="widths")
    for w in widths:
        if isinstance(w, bool) or not float(w).is_integer() or w < 1:
            raise WorkbenchInputError(f"widths: {w!r} is not a positive integer", parameter="widths", value=w)
    words = ["init", "--layers", ",".join(str(int(w)) for w in widths), "--scheme", scheme]
    raw, _, _ = run_json(words + _options(options), plugin_dirs=[])
    return raw
