"""Writes examples/networks/microcircuit.yaml from NNMT 1.3.0's microcircuit parameter file
(tests/fixtures/unit/config/network_params_microcircuit.yaml in github.com/INM-6/nnmt, Potjans & Diesmann 2014):

    python Benchmarks/microcircuit_yaml_from_nnmt.py PATH/network_params_microcircuit.yaml > examples/networks/microcircuit.yaml

Conversions as NNMT's Microcircuit model makes them: potentials relative to rest (V_th - V_0 = 15 mV, reset 0),
the weight J = w tau_s / C (the area of the exponential PSC's PSP, 87.8 pA x 0.5 ms / 250 pF = 0.1756 mV), inhibitory
weights -g J, the L4E -> L2/3E weight doubled, delays d_e and d_i (no distribution)."""
import sys
import yaml

p = yaml.safe_load(open(sys.argv[1]))
names = ["L23E" if n == "23E" else "L23I" if n == "23I" else "L" + n for n in p["populations"]]
J = p["w"]["val"] * p["tau_s"]["val"] / p["C"]["val"]
print("# Potjans & Diesmann (2014), Cereb. Cortex 24:785: the cortical microcircuit (8 populations, 77 169 neurons,")
print("# ~3e8 synapses), with the parameters of NNMT 1.3.0's network_params_microcircuit.yaml (written by")
print("# Benchmarks/microcircuit_yaml_from_nnmt.py): in-degrees K, K_ext, nu_ext = 8 Hz, g = 4, J = w tau_s / C,")
print("# L4E -> L2/3E doubled, exponential synapses tau_s = 0.5 ms, delays 1.5 ms (E) and 0.75 ms (I).")
print("name: microcircuit")
print(f"neuron: {{tau_m: {p['tau_m']['val']:g} ms, theta: {p['V_th_abs']['val'] - p['V_0_abs']['val']:g} mV, "
      f"v_reset: 0 mV, tau_ref: {p['tau_r']['val']:g} ms, tau_s: {p['tau_s']['val']:g} ms}}")
print("populations:")
for name, n, k in zip(names, p["N"], p["K_ext"]):
    print(f"  {name}: {{size: {n}, external: {{rate: {p['nu_ext']['val']:g} Hz, indegree: {k}, J: {J:.10g} mV}}}}")
print("connections:")
for a, target in enumerate(names):
    for b, source in enumerate(names):
        k = p["K"][a][b]
        if k == 0:
            continue
        w = J * (2 if (source, target) == ("L4E", "L23E") else 1) * (-p["g"] if source.endswith("I") else 1)
        d = p["d_i"]["val"] if source.endswith("I") else p["d_e"]["val"]
        print(f"  - {{from: {source}, to: {target}, indegree: {k:.10g}, J: {w:.10g} mV, delay: {d:g} ms}}")
