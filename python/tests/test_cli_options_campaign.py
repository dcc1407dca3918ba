"""A seeded campaign of hostile command lines: `simulate` and `validate` of every model, `init` of every scheme,
`plot`, `eval --grid`, notebooks and REPL scripts, with option values drawn from ordinary, boundary, extreme,
non-finite and junk values (the batch rows have their own campaign, test_cli_campaign.py).

Each command must finish (no hang: 120 s), end with exit 0, 2 (bad input, with "error:" and a message) or
4 (disagreement / failed notebook cell), never a signal or an internal error (exit 1); its JSON must be
strict RFC 8259; a table of an exit-0 run must not print a bare nan. Run sizes are kept small where the
value is ordinary (a campaign of minutes), while the hostile values are the huge ones that must be refused.

CI: WORKBENCH_OPTIONS_CAMPAIGN=360 commands (default); more on demand, figures printed per command kind.
WORKBENCH_OPTIONS_SEED picks another seed.
"""
import json
import math
import os
import random
import re
import subprocess
import time

import workbench

COMMANDS = int(os.environ.get("WORKBENCH_OPTIONS_CAMPAIGN", "360"))
SEED = int(os.environ.get("WORKBENCH_OPTIONS_SEED", "20261207"))
HOSTILE = ["0", "-1", "-0", "1e300", "-1e300", "1e19", "nan", "inf", "-inf", "1e-320", "5e-324", "abc", "", " ",
           "15mV", "0x10", "2.5", "200.5", "1e", "--", "1,2", "1:2:3", "é", "１"]
SIZE_OPTIONS = {"neurons", "samples", "time", "burn_in", "dt"}


def models():
    """(name, [(parameter, unit, optional)], [options]) from `workbench simulate --models`."""
    text = subprocess.run([workbench.executable(), "simulate", "--models"], capture_output=True, text=True,
                          timeout=60).stdout
    found = []
    for block in re.split(r"\n(?=\S)", text.strip()):
        name = block.split(":", 1)[0].strip()
        params = re.search(r"parameters: (.*)", block)
        opts = re.search(r"options: (.*)", block)
        plist = []
        for item in (params.group(1).split(", ") if params else []):
            m = re.match(r"(\w+) \[([^\]]*)\]( \(optional\))?", item)
            if m:
                plist.append((m.group(1), m.group(2), bool(m.group(3))))
        found.append((name, plist, opts.group(1).split(", ") if opts else []))
    return found


def ordinary(rng, p):
    """A value in the parameter's valid range when there is one (describe), else a modest number."""
    if getattr(p, "choices", None):
        return rng.choice(list(p.choices))
    default = getattr(p, "default", None)
    if default is not None and math.isfinite(default) and rng.random() < 0.7:
        return repr(default)
    lo = p.min if math.isfinite(p.min) else -30.0
    hi = p.max if math.isfinite(p.max) else 30.0
    lo, hi = max(lo, -1e3), min(hi, 1e3)
    v = rng.uniform(lo, hi) if hi > lo else lo
    return repr(round(v)) if p.integer else repr(v)


class Mood:
    """Half of the commands are ordinary throughout (they must run); in the other half each value is
    hostile with probability 0.3."""
    hostile = False


def value(rng, ordinary_value):
    return rng.choice(HOSTILE) if Mood.hostile and rng.random() < 0.3 else ordinary_value


def size_options(rng, options, lif):
    """Small runs: the ordinary sizes keep a command well under a second; hostile ones must be refused."""
    chosen = []
    table = {"neurons": ["160", "200", "400"], "samples": ["160", "300", "1000"], "time": ["100ms", "0.2s", "300"],
             "burn_in": ["50", "100ms"], "dt": ["0.1", "0.05ms"]}
    for o in options:
        if o in table and (o in ("neurons", "samples", "time") or rng.random() < 0.3):
            v = rng.choice(table[o])
            if Mood.hostile and rng.random() < 0.15:
                v = rng.choice(["0", "-1", "1e300", "1e19", "nan", "abc", "2.5", "1e-300"])
            chosen += ["--" + o.replace("_", "-"), v]
    for o, choices in (("scheme", ["bridge", "naive", "euler", "5", "inf"]), ("density", ["0:20:10", "20:0:10", "0:20:1e9", "x"])):
        if o in options and rng.random() < 0.3:
            chosen += ["--" + o, rng.choice(choices)]
    if rng.random() < 0.3:
        chosen += ["--seed", rng.choice(["1", "7", "0", "18446744073709551615"] + (["-1", "1e30", "abc"] if Mood.hostile else []))]
    if rng.random() < 0.2:
        chosen += ["--threads", rng.choice(["1", "2"] + (["0", "-3", "1e9", "x"] if Mood.hostile else []))]
    return chosen


def fmt(rng):
    return ["--format", rng.choice(["table", "json", "csv"])] if rng.random() < 0.6 else []


def simulate_command(rng, model_list, estimators):
    name, params, options = rng.choice(model_list)
    # Ordinary values from an estimator of this model where one names the parameter.
    specs = {p.name: p for d in estimators.values() if d.model == name for p in d.parameters}
    words = ["simulate", name]
    for pname, unit, optional in params:
        if optional and rng.random() < 0.6:
            continue
        base = ordinary(rng, specs[pname]) if pname in specs else repr(rng.uniform(0.5, 20))
        words += ["--" + pname.replace("_", "-"), value(rng, base)]
    return words + size_options(rng, options, name.startswith("lif")) + fmt(rng)


def validate_command(rng, model_list, estimators):
    d = rng.choice(list(estimators.values()))
    options = next((o for n, _, o in model_list if n == d.model), [])
    words = ["validate", d.name]
    for p in d.parameters:
        if p.required or rng.random() < 0.3:
            words += ["--" + p.name.replace("_", "-"), value(rng, ordinary(rng, p))]
    if rng.random() < 0.3:
        words += ["--precision", rng.choice(["0.05", "0.1", "0", "-1", "2", "nan", "abc"])]
    if rng.random() < 0.2:
        words.append("--assume-exact")
    return words + size_options(rng, options, d.model.startswith("lif")) + fmt(rng)


def init_command(rng, _models, _estimators):
    ordinary_widths = ["100,100", "1000,1000,1000", "50,60,70,80", "200,100,50,10"]
    bad_widths = ["0,10", "10", "1e9,10", "a,b", "", "10,-5", "3.5,4", "100000,100000,100000,100000"]
    widths = rng.choice(bad_widths) if Mood.hostile and rng.random() < 0.3 else rng.choice(ordinary_widths)
    scheme = rng.choice(["fluctuation", "variance-flow", "rate-collapse"] + (["bogus", ""] if Mood.hostile else []))
    words = ["init", "--layers", widths, "--scheme", scheme]
    needs = {"fluctuation": [("nu", ["5", "20", "50Hz"]), rng.choice([("xi", ["1", "2"]), ("sigma-u", ["1", "0.5"])])],
             "rate-collapse": [("nu", ["5", "20", "50Hz"])]}.get(scheme, [])
    for o, ordinary_values in needs:
        words += ["--" + o, value(rng, rng.choice(ordinary_values))]
    extra = {"fluctuation": [("mu-u", ["0", "-1"]), ("tau-m", ["20", "10ms"]), ("tau-syn", ["5", "2ms"]),
                             ("inh-fraction", ["0.2", "0.5"]), ("time-step", ["1", "0.5ms"]), ("theta", ["1", "2"])],
             "variance-flow": [("sigma-target", ["1", "2"]), ("sigma0", ["1", "3"]), ("theta", ["1", "2"])],
             "rate-collapse": [("nu-target", ["5", "10"]), ("init", ["zero-mean", "fixed-spread"]),
                               ("jumps", ["diffusion", "siegmund"]), ("tau-ref", ["0", "2"]), ("theta", ["1", "2"])]}
    for o, ordinary_values in extra.get(scheme, []) + ([("xi", ["1"]), ("sigma0", ["1"])] if Mood.hostile else []):
        if rng.random() < 0.3:
            words += ["--" + o, value(rng, rng.choice(ordinary_values))]
    return words + fmt(rng)


def grid_spec(rng, p):
    lo = p.min if math.isfinite(p.min) else -20.0
    hi = p.max if math.isfinite(p.max) else 40.0
    lo, hi = max(lo, -1e3), min(hi, 1e3)
    a = rng.uniform(lo, hi)
    b = rng.uniform(a, max(hi, a + 1))
    spec = rng.choice([f"{a!r}:{b!r}:{(b - a) / rng.randint(1, 40)!r}", f"{a!r},{b!r}", f"{a!r}"])
    if Mood.hostile and rng.random() < 0.25:
        spec = rng.choice(["0:10:0", "0:10:-1", "10:0:1", "0:1e308:1e-300", "nan:1:0.1", "0:inf:1", "1,,2", "a:b:c",
                           "0:10:1e-9", "-1e308:1e308:1e307", "", "1e300"])
    return f"{p.name}={spec}"


def plot_command(rng, _models, estimators, tmp):
    d = rng.choice(list(estimators.values()))
    numeric = [p for p in d.parameters if not getattr(p, "choices", None)] or d.parameters
    axes = rng.sample(numeric, min(len(numeric), rng.choice([1, 1, 2])))
    words = ["plot", d.name, rng.choice([o.name for o in d.outputs] + (["nope"] if Mood.hostile else []))]
    for p in axes:
        words += ["--grid", grid_spec(rng, p)]
    for p in d.parameters:
        if p.required and p not in axes and (rng.random() < 0.8 or not Mood.hostile):
            words += ["--" + p.name.replace("_", "-"), value(rng, ordinary(rng, p))]
    for o, vals in (("--log-x", None), ("--log-y", None), ("--y-min", ["0", "-1", "nan", "1e300"]),
                    ("--width", ["720", "1000"] + (["0", "-5", "1e9", "x"] if Mood.hostile else [])), ("--title", ["t", "", "<script>"])):
        if rng.random() < 0.2:
            words += [o] + ([rng.choice(vals)] if vals else [])
    return words + ["-o", str(tmp / f"plot{rng.randint(0, 9)}.svg")]


def grid_command(rng, _models, estimators):
    d = rng.choice(list(estimators.values()))
    numeric = [p for p in d.parameters if not getattr(p, "choices", None)] or d.parameters
    words = ["eval", d.name]
    axes = rng.sample(numeric, min(len(numeric), rng.randint(1, 3)))
    for p in axes:
        words += ["--grid", grid_spec(rng, p)]
    for p in d.parameters:
        if p.required and p not in axes and (rng.random() < 0.7 or not Mood.hostile):
            words += ["--" + p.name.replace("_", "-"), value(rng, ordinary(rng, p))]
    return words + fmt(rng)


def notebook_command(rng, model_list, estimators, tmp):
    lines = ["A fuzzed notebook", "================", ""]
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice([simulate_command, validate_command, init_command, grid_command])
        words = kind(rng, model_list, estimators)
        lines.append("$ workbench " + " ".join(w if w and " " not in w else repr(w) for w in words))
        lines += rng.choice([["  rate_hz 1"], [], ["~ rel 1e-3"], ["~ rel nan"], ["~ abs -1"], ["  anything"]])
        lines.append("")
    path = tmp / f"nb{rng.randint(0, 9)}.txt"
    path.write_text("\n".join(lines) + "\n")
    return ["notebook", "run", str(path)]


def repl_script(rng, model_list, estimators):
    lines = []
    for _ in range(rng.randint(1, 5)):
        r = rng.random()
        if r < 0.3:
            lines.append(f"set {rng.choice(['mu', 'sigma', 'tau_m', 'seed', 'threads', 'format', 'zz'])} "
                         f"{rng.choice(HOSTILE + ['15', '5', 'json'])}")
        elif r < 0.4:
            lines.append(rng.choice(["show", "unset all", "unset mu", "help", "help eval", "'unterminated", "# c"]))
        else:
            kind = rng.choice([grid_command, init_command, simulate_command])
            lines.append(" ".join(w if w and " " not in w else repr(w) for w in kind(rng, model_list, estimators)))
    return "\n".join(lines) + "\n"


def strict_json(text):
    json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def test_hostile_command_lines(tmp_path):
    rng = random.Random(SEED)
    model_list = models()
    estimators = {n: workbench.describe(n) for n in workbench.estimators()}
    kinds = {"simulate": simulate_command, "validate": validate_command, "init": init_command,
             "plot": lambda r, m, e: plot_command(r, m, e, tmp_path), "grid": grid_command,
             "notebook": lambda r, m, e: notebook_command(r, m, e, tmp_path), "repl": None}
    totals = {k: {"tried": 0, "ok": 0, "bad_input": 0, "disagree": 0, "crashes": 0, "hangs": 0, "internal": 0,
                  "invalid_json": 0, "silent_nan": 0, "unclear": 0} for k in kinds}
    problems, started = [], time.monotonic()
    for i in range(COMMANDS):
        kind = list(kinds)[i % len(kinds)]
        Mood.hostile = rng.random() < 0.5
        t = totals[kind]
        t["tried"] += 1
        stdin = None
        if kind == "repl":
            words, stdin = ["repl"], repl_script(rng, model_list, estimators)
        else:
            words = kinds[kind](rng, model_list, estimators)
        shown = " ".join(words) + (f" <<< {stdin!r}" if stdin else "")
        try:
            p = subprocess.run([workbench.executable()] + words, capture_output=True, text=True, timeout=120,
                               input=stdin, errors="replace")
        except subprocess.TimeoutExpired:
            t["hangs"] += 1
            problems.append(f"hang: {shown}")
            continue
        code = p.returncode
        if code < 0 or code > 4:
            t["crashes"] += 1
            problems.append(f"exit {code}: {shown}: {p.stderr[-300:]}")
            continue
        if code == 1 or code == 3:
            t["internal"] += 1
            problems.append(f"exit {code}: {shown}: {p.stderr[-300:]}")
            continue
        t[{0: "ok", 2: "bad_input", 4: "disagree"}[code]] += 1
        if code == 2 and not re.search(r"error: \S", p.stderr) and kind != "repl":
            t["unclear"] += 1
            problems.append(f"exit 2 without a message: {shown}: {p.stderr[-300:]}")
        if "--format" in words and words[words.index("--format") + 1] == "json" and code == 0 and kind != "repl":
            try:
                strict_json(p.stdout)
            except ValueError as e:
                t["invalid_json"] += 1
                problems.append(f"invalid JSON ({e}): {shown}")
        if code == 0 and re.search(r"(?<![\w.-])-?nan(?![\w])", p.stdout) and kind not in ("notebook", "repl"):
            t["silent_nan"] += 1
            problems.append(f"nan in the output: {shown}: {p.stdout[:400]}")
    print("options campaign (seed %d, %.0f s):" % (SEED, time.monotonic() - started), json.dumps(totals))
    assert not problems, f"{len(problems)} problems, e.g.:\n" + "\n".join(problems[:30])
    for kind, t in totals.items():
        assert t["ok"] + t["disagree"] > 0 or kind in ("notebook",), f"{kind}: no command got through ({t})"
