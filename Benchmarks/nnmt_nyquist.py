"""Cross-check of `workbench network`'s stability with NNMT 1.3.0's own ingredients: its transfer function (shift
method, synaptic filter on) and effective connectivity tau_m J K H exp(-i omega d) for a network file, the winding
of det(1 - M(i omega)) (Nyquist: the number of growing modes) and the leading eigenvalues at a few frequencies.

    Benchmarks/.venv-nnmt/bin/python Benchmarks/nnmt_nyquist.py examples/networks/microcircuit.yaml microcircuit

Uses the working point of Tests/Fixtures/networks_nnmt.json. Measured 2026-12-07: microcircuit Z = 6.0, eigenvalues
crossing the positive real axis at ~350 Hz with Re 1.76, 1.28, 1.15 (where 2 pi f tau_s = 1.1, beyond the shift's
validity) - the same as workbench's 6 modes near 352 Hz."""
import json
import sys

import numpy as np
import yaml
from nnmt.lif import exp

sys.path.insert(0, "Benchmarks")
from nnmt_network import arrays, si  # noqa: E402

a = arrays(sys.argv[1])
ref = json.load(open("Tests/Fixtures/networks_nnmt.json"))[sys.argv[2]]
mu, sigma = np.array(ref["mu_mv"]) * 1e-3, np.array(ref["sigma_mv"]) * 1e-3
f = yaml.safe_load(open(sys.argv[1]))
names = list(f["populations"])
n = len(names)
D = np.zeros((n, n))
for c in f["connections"]:
    for s in c["from"] if isinstance(c["from"], list) else [c["from"]]:
        for t in c["to"] if isinstance(c["to"], list) else [c["to"]]:
            D[names.index(t), names.index(s)] = si(c.get("delay", 0))
freqs = np.unique(np.concatenate([np.logspace(-3, 4, 2801), np.arange(1, 12000, 2.0)]))
omegas = 2 * np.pi * freqs
tf = exp._transfer_function(mu, sigma, a["tau_m"], float(a["tau_s"][0]), a["tau_r"], a["V_th_rel"], a["V_0_rel"],
                            omegas, method="shift", synaptic_filter=True)
M = lambda k: a["tau_m"][:, None] * a["J"] * a["K"] * tf[k][:, None] * np.exp(-1j * omegas[k] * D)
g = np.array([np.linalg.det(np.eye(n) - M(k)) for k in range(len(freqs))])
ok = np.isfinite(g)
phase = np.unwrap(np.angle(g[ok]))
print(f"Z = {-(phase[-1] - phase[0] - np.angle(g[ok][-1])) / np.pi:.3f} growing modes (up to {freqs[ok][-1]:.0f} Hz)")
for fq in [0.001, 10, 64, 100, 200, 300, 350, 400, 500, 800]:
    k = np.argmin(abs(freqs - fq))
    ev = sorted(np.linalg.eigvals(M(k)), key=lambda e: -abs(e))[:4]
    print(f"{fq:8g} Hz: " + " ".join(f"{e.real:+.2f}{e.imag:+.2f}j" for e in ev))
