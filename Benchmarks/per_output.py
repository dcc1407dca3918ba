#!/usr/bin/env python3
"""µs per point of every output of every built-in estimator (issue 20), inside the estimator: the CPU time of
the batch ABI calls that `eval --timing` reports, one core (taskset -c 0), each output requested alone
(outputs that share a computation show the same cost), then all outputs together. Rows are drawn over
each estimator's ordinary regimes (seeded). Prints a Markdown table for Benchmarks/README.md.
Usage: Benchmarks/per_output.py [ROWS]   (release build in .build/release)
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WB = os.path.join(ROOT, ".build/release/workbench")
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 20000


def u(a, b):
    return random.uniform(a, b)


def lu(a, b):   # log-uniform
    return 10 ** random.uniform(__import__("math").log10(a), __import__("math").log10(b))


# estimator: (header, row generator, extra options)
CASES = {
    "siegert": ("mu,sigma,tau_ref,v", lambda: (u(-20, 40), u(0.5, 20), random.choice([0, 2]), u(-10, 20)), []),
    "siegert-colored": ("mu,sigma,tau_s,method", lambda: (u(-20, 40), u(0.5, 20), u(0, 5),
                                                           random.choice(["shift", "taylor"])), []),
    "shot-noise": ("r_e,a_e,r_i,a_i,v", lambda: (lu(100, 1e5), lu(0.01, 2), random.choice([0, lu(100, 1e4)]),
                                                  lu(0.01, 2), u(0, 19)), []),
    "wiener": ("m,s,a,t,b,y", lambda: (u(-1, 2), lu(0.1, 3), lu(1, 20), lu(1, 500), lu(1, 20), lu(1, 20)), []),
    "random-walk": ("a,m,s,n", lambda: (lu(0.5, 20), u(-0.5, 1), lu(0.2, 3), random.randint(1, 200)), []),
    "leaky-discrete": ("beta,m,s,time_step", lambda: (u(0, 0.95), u(-0.2, 0.5), lu(0.05, 1), 1), []),
    "fluctuation-init": ("n,nu,xi", lambda: (random.randint(10, 5000), lu(1, 100), u(0.5, 3)), []),
    "variance-flow-init": ("theta,sigma_target,n,layer", lambda: (lu(0.1, 3), lu(0.3, 3), random.randint(10, 5000),
                                                                  random.randint(0, 50)), []),
    "rate-collapse": ("n,nu_in,mu_w,sigma_w,layer", lambda: (random.randint(10, 5000), lu(1, 100), u(-0.05, 0.1),
                                                             lu(0.01, 0.3), random.randint(0, 20)), []),
}


def outputs(est):
    p = subprocess.run([WB, "describe", est, "--format", "json"], capture_output=True, text=True)
    return [o["name"] for o in json.loads(p.stdout)["outputs"]]


def timed(est, path, outs, rows):
    p = subprocess.run(["taskset", "-c", "0", WB, "eval", est, "--input", path, "--outputs", ",".join(outs),
                        "--timing"], capture_output=True, text=True)
    m = re.search(r"CPU [0-9.e-]+ s = ([0-9.e+-]+) µs/row", p.stderr)
    failed = re.search(r"error: (\d+) of", p.stderr)
    return float(m.group(1)), int(failed.group(1)) if failed else 0


def main():
    random.seed(20)
    print(f"| estimator | output | µs/point | rows that failed |")
    print(f"|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for est, (header, gen, _) in CASES.items():
            rows = ROWS // 10 if est in ("random-walk", "rate-collapse") else ROWS
            path = os.path.join(d, est + ".csv")
            with open(path, "w") as f:
                f.write(header + "\n")
                for _ in range(rows):
                    f.write(",".join(x if isinstance(x, str) else repr(x) for x in gen()) + "\n")
            outs = outputs(est)
            for o in outs + ["(all outputs)"]:
                us, failed = timed(est, path, outs if o == "(all outputs)" else [o], rows)
                flag = " **> 10**" if us > 10 else ""
                print(f"| {est} | {o} | {us:.3g}{flag} | {failed} of {rows} |", flush=True)


if __name__ == "__main__":
    main()
