"""Recurrent networks from Python: `workbench network`, `simulate network` and `validate network` through the CLI's
JSON (same executable, same numbers bit for bit for the same seed).

    import workbench
    th = workbench.network("examples/networks/brunel-A.yaml", set={"connections.1.J": "-0.6mV"}, spectrum=[10, 100])
    th.working_points[0].rates          # {"E": 37.9..., "I": ...} Hz
    sim = workbench.simulate_network("examples/networks/brunel-A.yaml", time="1s", spectrum=[100, 150])
    sim.populations["E"].rate           # Observable(value, se), Hz
    workbench.validate_network("examples/networks/brunel-A.yaml", set={"connections.1.J": "-0.8mV"}).agree
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from ._cli import EXIT_DISAGREE, Observable, _num, _word, run_json


def _file_words(set: Optional[Dict[str, object]]) -> List[str]:
    words = []
    for path, value in (set or {}).items():
        words += ["--set", f"{path}={_word(value)}"]
    return words


def _frequencies(spectrum) -> List[str]:
    if spectrum is None:
        return []
    if isinstance(spectrum, str):
        return ["--spectrum", spectrum]
    return ["--spectrum", ",".join(_word(f) for f in spectrum)]


def _run_options(seed, time, burn_in, dt, threads, segments) -> List[str]:
    words = ["--seed", _word(seed)]
    for name, value in (("time", time), ("burn-in", burn_in), ("dt", dt), ("threads", threads),
                        ("segments", segments)):
        if value is not None:
            words += [f"--{name}", _word(value)]
    return words


@dataclass
class WorkingPoint:
    """One self-consistent state: per population mu, sigma [mV], rate [Hz], CV; stability; spectra [Hz]."""
    mu: Dict[str, float]
    sigma: Dict[str, float]
    rates: Dict[str, float]
    cv: Dict[str, float]
    stable: Optional[bool]
    unstable_modes: Optional[int]
    mode_frequency_hz: float
    frequencies_hz: np.ndarray
    spectra: Dict[str, np.ndarray]


@dataclass
class NetworkTheory:
    network: str
    working_points: List[WorkingPoint]
    raw: dict = field(repr=False)


def network(file: str, set: Optional[Dict[str, object]] = None, spectrum=None, stability: bool = True,
            sigma2_channel: bool = False, rate_estimator: Optional[str] = None,
            response_estimator: Optional[str] = None, timeout: Optional[float] = None) -> NetworkTheory:
    """The mean-field theory of a network file, as `workbench network FILE`: every working point, its stability
    and (with spectrum = frequencies in Hz) the population-rate spectra. set = {path: value} edits the file."""
    words = ["network", file] + _file_words(set) + _frequencies(spectrum)
    words += [] if stability else ["--no-stability"]
    words += ["--sigma2-channel"] if sigma2_channel else []
    if rate_estimator:
        words += ["--rate-estimator", rate_estimator]
    if response_estimator:
        words += ["--response-estimator", response_estimator]
    raw, _, _ = run_json(words, timeout=timeout)
    points = []
    for wp in raw.get("working_points", []):
        pops = wp["populations"]
        st = wp.get("stability") or {}
        sp = wp.get("spectra") or {}
        points.append(WorkingPoint(
            {p["name"]: _num(p["mu_mv"]) for p in pops}, {p["name"]: _num(p["sigma_mv"]) for p in pops},
            {p["name"]: _num(p["rate_hz"]) for p in pops}, {p["name"]: _num(p.get("cv")) for p in pops},
            st.get("stable"), st.get("unstable_modes"), _num(st.get("mode_frequency_hz")),
            np.array([_num(f) for f in sp.get("frequencies_hz", [])], dtype=float),
            {k: np.array([_num(x) for x in v], dtype=float) for k, v in sp.get("power_hz", {}).items()}))
    return NetworkTheory(raw.get("network", ""), points, raw)


@dataclass
class PopulationActivity:
    """Simulated observables of one population, each Observable(value, se); spectrum: arrays over frequencies."""
    neurons: int
    rate: Observable
    cv: Observable
    mean_v: Observable
    spectrum: Optional[Observable]
    spikes: int


@dataclass
class NetworkSimulation:
    network: str
    synapses: int
    frequencies_hz: np.ndarray
    populations: Dict[str, PopulationActivity]
    neuron_steps_per_second: float
    synaptic_events_per_second: float
    raw: dict = field(repr=False)


def simulate_network(file: str, set: Optional[Dict[str, object]] = None, seed: int = 1, time=None, burn_in=None,
                     dt=None, threads=None, spectrum=None, segments=None,
                     timeout: Optional[float] = None) -> NetworkSimulation:
    """Simulates a network file, as `workbench simulate network FILE` (time and burn_in in ms or "1s"); a pure
    function of the file and the seed, on any number of threads."""
    words = ["simulate", "network", file] + _file_words(set) + _frequencies(spectrum)
    raw, _, _ = run_json(words + _run_options(seed, time, burn_in, dt, threads, segments), timeout=timeout)

    def obs(o):
        return Observable(_num(o["value"]), _num(o["se"]))

    pops = {}
    for p in raw["populations"]:
        spec = p.get("spectrum_hz")
        pops[p["name"]] = PopulationActivity(
            int(p["neurons"]), obs(p["rate_hz"]), obs(p["cv"]), obs(p["mean_v_mv"]),
            Observable(np.array([_num(s["value"]) for s in spec], dtype=float),
                       np.array([_num(s["se"]) for s in spec], dtype=float)) if spec is not None else None,
            int(p["spikes"]))
    return NetworkSimulation(raw["network"], int(raw["synapses"]),
                             np.array([_num(f) for f in raw.get("frequencies_hz", [])], dtype=float), pops,
                             _num(raw["neuron_steps_per_second"]), _num(raw["synaptic_events_per_second"]), raw)


@dataclass
class NetworkValidation:
    """agree: every judged comparison within 4 SE + model error (or, at an unstable point, the oscillation
    found); comparisons: dicts with population, quantity, f_hz, theory, simulation, se, delta, z, judged,
    accepted."""
    agree: bool
    stable: bool
    verdict: str
    comparisons: List[dict]
    oscillation: Optional[dict]
    raw: dict = field(repr=False)


def validate_network(file: str, set: Optional[Dict[str, object]] = None, seed: int = 1, time=None, burn_in=None,
                     dt=None, threads=None, spectrum=None, segments=None, sigma2_channel: Optional[bool] = None,
                     timeout: Optional[float] = None) -> NetworkValidation:
    """Theory against simulation, as `workbench validate network FILE`. A disagreement is a result (agree False),
    not an exception."""
    words = ["validate", "network", file] + _file_words(set) + _frequencies(spectrum)
    if sigma2_channel is not None:
        words.append("--sigma2-channel" if sigma2_channel else "--no-sigma2-channel")
    raw, code, _ = run_json(words + _run_options(seed, time, burn_in, dt, threads, segments), timeout=timeout,
                            ok_codes=(0, EXIT_DISAGREE))
    return NetworkValidation(bool(raw.get("agree")) and code == 0, bool(raw.get("stable")), raw.get("verdict", ""),
                             list(raw.get("comparisons", [])), raw.get("oscillation"), raw)
