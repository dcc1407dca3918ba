"""workbench — the stochastic-process theory of the leaky integrate-and-fire neuron, from Python.

    import workbench
    r = workbench.evaluate("siegert", mu=np.linspace(0, 30, 301), sigma=5.0, tau_m="10ms", outputs=["rate_hz"])
    r["rate_hz"]                                   # ndarray, Hz
    workbench.estimators(); print(workbench.describe("siegert"))
    workbench.validate("siegert", 15, 5).all_agree
    workbench.atlas("siegert-colored", grid={"mu": [10, 15, 20], "sigma": 5, "tau_s": [0.5, 2]}, out="atlas-cn")
    workbench.init.plan([784, 256, 10], "fluctuation", nu=10, xi=2)
    workbench.simulate_network("examples/networks/brunel-A.yaml", time="1s").populations["E"].rate

The estimators are the CLI's plugins (lib*Plugin.so), called in-process through their C ABI (ctypes);
simulate, validate and init run the `workbench` executable and read its JSON. `workbench.torch` (needs
PyTorch) initialises network weights in place.
"""
from typing import List

from . import init
from ._abi import PluginLoadError
from ._cli import Atlas, Observable, Quantity, Simulation, SpikeTrains, Validation, atlas, executable, read_atlas
from ._cli import simulate as _simulate, validate as _validate
from ._errors import WorkbenchError, WorkbenchInputError, WorkbenchNumericalError, WorkbenchWarning
from ._evaluate import Result, evaluate
from ._network import (NetworkSimulation, NetworkTheory, NetworkValidation, PopulationActivity, WorkingPoint, network,
                       simulate_network, validate_network)
from ._registry import Description, WorkbenchPluginWarning, registry

__version__ = "0.1.0"
__all__ = ["evaluate", "estimators", "describe", "load_plugin", "plugin_failures", "simulate", "validate", "atlas",
           "read_atlas", "Atlas", "init", "network", "simulate_network", "validate_network", "NetworkTheory",
           "NetworkSimulation", "NetworkValidation", "WorkingPoint", "PopulationActivity",
           "Result", "Description", "Simulation", "Validation", "Observable", "Quantity", "SpikeTrains",
           "WorkbenchError", "WorkbenchInputError", "WorkbenchNumericalError", "WorkbenchWarning",
           "WorkbenchPluginWarning", "PluginLoadError", "executable"]


def estimators() -> List[str]:
    """Names of the estimators found on the plugin path (and loaded with load_plugin)."""
    return list(registry().estimators)


def describe(name: str) -> Description:
    """Parameters (unit, default, range, flags), outputs (unit, observable, model error), model, reference."""
    from ._registry import estimator
    return estimator(name).describe()


def load_plugin(path: str) -> List[str]:
    """Loads a third-party plugin file (probed in a child process first); returns its estimator names.

    Raises PluginLoadError (path, reason) if the file cannot be used."""
    return registry().load_path(path)


def plugin_failures() -> List[PluginLoadError]:
    """Plugin files on the search path that were skipped, each with its path and reason."""
    return list(registry().failures)


def simulate(model: str, *values, seed: int = 1, spikes: bool = False, timeout=None, **options) -> Simulation:
    """Monte-Carlo simulation of a model, as `workbench simulate` (same numbers for the same seed).

    Positional values fill the model's required parameters (e.g. mu, sigma of lif-white); keywords are
    parameters and run options with underscores: neurons, samples, time ("2s" or ms), burn_in, dt, scheme,
    threads, density=(vmin, vmax, bins), plus the model's parameters (tau_m, tau_s, ...).
    spikes=True also returns the spike trains. Returns observables as Observable(value, se)."""
    return _simulate(model, *values, seed=seed, spikes=spikes, timeout=timeout, **options)


def validate(estimator: str, *values, seed: int = 1, timeout=None, **options) -> Validation:
    """Estimator against a Monte-Carlo simulation of its model, as `workbench validate` (THEORY §9.0).

    Returns per-quantity verdicts (estimator, mc ± mc_se, z, relative difference, delta) and all_agree;
    a disagreement is a result (all_agree False), not an exception. Options as for simulate, plus
    precision and assume_exact=True."""
    return _validate(estimator, *values, seed=seed, timeout=timeout, **options)
