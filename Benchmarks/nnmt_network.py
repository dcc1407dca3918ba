"""NNMT 1.3.0's working point of a workbench network file, for fixtures and same-run speed comparisons:

    Benchmarks/.venv-nnmt/bin/python Benchmarks/nnmt_network.py examples/networks/brunel-A.yaml [--eps 1e-7] [--repeat N]

Reads the YAML (PyYAML), converts to NNMT's SI arrays and calls the pure cores lif.delta._firing_rates (all tau_s = 0)
or lif.exp._firing_rates (shift method), which integrate d nu/ds = Phi(nu) - nu from nu = 0 until the increment is
below eps. Prints JSON: populations, rates [Hz], mean input mu and sigma [mV], seconds per call (best of --repeat)."""
import argparse
import json
import re
import time

import numpy as np
import yaml
from nnmt.lif import _general, delta, exp

UNITS = {"mV": 1e-3, "V": 1.0, "ms": 1e-3, "s": 1.0, "Hz": 1.0, "": 1.0}


def si(value):
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*([A-Za-z]*)\s*", str(value))
    return float(m.group(1)) * UNITS[m.group(2)]


def arrays(path):
    f = yaml.safe_load(open(path))
    names = list(f["populations"])
    n = len(names)
    pops = [dict(f.get("neuron", {}), **f["populations"][p]) for p in names]
    K, J = np.zeros((n, n)), np.zeros((n, n))
    for c in f["connections"]:
        src = c["from"] if isinstance(c["from"], list) else [c["from"]]
        dst = c["to"] if isinstance(c["to"], list) else [c["to"]]
        for s in src:
            for t in dst:
                a, b = names.index(t), names.index(s)
                K[a, b] = float(c["indegree"]) if "indegree" in c else float(c["probability"]) * pops[b]["size"]
                J[a, b] = si(c["J"])
    ext = [p.get("external", {}) for p in pops]
    get = lambda key, default: np.array([si(p.get(key, default)) for p in pops])
    return dict(names=names, K=K, J=J, V_th_rel=get("theta", "20 mV"), V_0_rel=get("v_reset", "10 mV"),
                tau_m=get("tau_m", "20 ms"), tau_r=get("tau_ref", "2 ms"), tau_s=get("tau_s", "0 ms"),
                K_ext=np.diag([float(e.get("indegree", 0)) for e in ext]),
                J_ext=np.diag([si(e.get("J", 0)) for e in ext]),
                nu_ext=np.array([si(e.get("rate", 0)) for e in ext]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--eps", type=float, default=1e-7)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    a = arrays(args.file)
    common = dict(J=a["J"], K=a["K"], V_0_rel=a["V_0_rel"], V_th_rel=a["V_th_rel"], tau_m=a["tau_m"], tau_r=a["tau_r"],
                  J_ext=a["J_ext"], K_ext=a["K_ext"], nu_ext=a["nu_ext"], eps_tol=args.eps)
    best = float("inf")
    for _ in range(args.repeat):
        t = time.perf_counter()
        if np.any(a["tau_s"] > 0):
            rates = exp._firing_rates(tau_s=float(a["tau_s"][0]), method="shift", **common)
        else:
            rates = delta._firing_rates(**common)
        best = min(best, time.perf_counter() - t)
    mu = _general._mean_input(rates, a["J"], a["K"], a["tau_m"], a["J_ext"], a["K_ext"], a["nu_ext"])
    sigma = _general._std_input(rates, a["J"], a["K"], a["tau_m"], a["J_ext"], a["K_ext"], a["nu_ext"])
    print(json.dumps(dict(file=args.file, populations=a["names"], rates_hz=list(rates), mu_mv=list(mu * 1e3),
                          sigma_mv=list(sigma * 1e3), eps_tol=args.eps, seconds=best), indent=1))


if __name__ == "__main__":
    main()
