#!/usr/bin/env python3
"""A rate curve, its validation against Monte Carlo, and a small torch MLP initialised by the theory.

    python python/examples/tour.py          (torch is optional: without it the plan is printed alone)
"""
import numpy as np

import workbench

# 1. The Siegert rate curve of a white-noise LIF (tau_m = 10 ms), mu from 0 to 30 mV at sigma = 2, 5 mV.
mu = np.linspace(0.0, 30.0, 7)
curve = workbench.evaluate("siegert", mu=mu[:, None], sigma=[2.0, 5.0], tau_m="10ms", outputs=["rate_hz", "cv"])
print("rate [Hz] (rows: mu in mV; columns: sigma = 2, 5 mV), tau_m = 10 ms")
for m, (r2, r5), (c2, c5) in zip(mu, curve["rate_hz"], curve["cv"]):
    print(f"  mu = {m:5.1f}   {r2:12.6g} Hz (CV {c2:.3f})   {r5:12.6g} Hz (CV {c5:.3f})")

# 2. One point of the curve against a simulation of the same model (THEORY §9.0 acceptance rule).
check = workbench.validate("siegert", 15, 5, tau_m="10ms", neurons=2000, time="2s", seed=1)
print("\nvalidate siegert 15 5 --tau-m 10ms:")
for q in check.quantities[:3]:
    print(f"  {q.quantity:<14} theory {q.estimator:.6g}   MC {q.mc:.6g} ± {q.mc_se:.2g}   {q.verdict}")
print("  verdict:", "all agree" if check.all_agree else "DISAGREE")

# 3. A feed-forward SNN of LIF layers initialised so that every layer fires near the input rate.
try:
    import torch
    import workbench.torch as wbt
except ImportError:
    torch = None
widths = [784, 256, 128, 10]
if torch is not None:
    mlp = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.Linear(256, 128), torch.nn.Linear(128, 10))
    plan = wbt.init_network_(mlp, "rate-collapse", nu="20Hz")
    print(f"\ntorch MLP {widths} initialised in place (rate-collapse, 20 Hz input):")
else:
    plan = workbench.init.plan(widths, "rate-collapse", nu="20Hz")
    print(f"\n(no PyTorch) init plan for {widths} (rate-collapse, 20 Hz input):")
for layer, cmp in zip(plan["layers"], plan["comparison"]):
    print(f"  layer {layer['layer']}: fan-in {layer['fan_in']:4d}, sigma_w = {layer['sigma_w']:.5f}, "
          f"predicted {layer['rate_hz']:.3f} Hz (Kaiming: {cmp['kaiming']:.3g} Hz)")
