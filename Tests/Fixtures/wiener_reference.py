#!/usr/bin/env python3
"""Reference values for the `wiener` estimator (THEORY §3), computed with mpmath at 200 digits, where
the textbook forms (1 - F, direct sums, (L P_up - b)/m) carry no rounding problem. Writes
wiener_reference.csv beside this file; WienerTests reads it. Spot checks by quadrature (F = ∫ f,
E[M_t] = ∫ P(M_t >= y) dy, mean exit time by the ODE solution) guard the formulas themselves.
Run: python3 Tests/Fixtures/wiener_reference.py   (needs mpmath)"""
import csv, os, random
import mpmath as mp

mp.mp.dps = 200

def fpt(t, a, m, s):
    t, a, m, s = map(mp.mpf, (t, a, m, s))
    st = s * mp.sqrt(t)
    z1, z2 = (m * t - a) / st, (m * t + a) / st
    F = mp.ncdf(z1) + mp.exp(2 * m * a / s**2) * mp.ncdf(-z2)
    f = a / (s * mp.sqrt(2 * mp.pi * t**3)) * mp.exp(-(a - m * t)**2 / (2 * s**2 * t))
    S = 1 - F
    if S < mp.mpf(10)**-150:        # 1 - F lost its digits: redo with enough of them
        with mp.workdps(int(-mp.log10(S)) + 250 if S > 0 else 3000):
            S = +(mp.ncdf(-z1) - mp.exp(2 * m * a / s**2) * mp.ncdf(-z2))
    return f, F, S

def exit_(a, b, m, s):
    a, b, m, s = map(mp.mpf, (a, b, m, s))
    L = a + b
    if m == 0:
        return b / L, a / L, a * b / s**2
    k = 2 * m / s**2
    pu = (1 - mp.exp(-k * b)) / (1 - mp.exp(-k * L))
    pd = (1 - mp.exp(k * a)) / (1 - mp.exp(k * L))
    return pu, pd, (L * pu - b) / m

def mean_max(t, m, s):
    t, m, s = map(mp.mpf, (t, m, s))
    if m == 0:
        return s * mp.sqrt(2 * t / mp.pi)
    z = m * mp.sqrt(t) / s
    return m * t * mp.ncdf(z) + s * mp.sqrt(t) * mp.npdf(z) + s**2 / (2 * m) * (2 * mp.ncdf(z) - 1)

def spot_checks():
    with mp.workdps(30):
        for (t, a, m, s) in [(20, 10, 0.5, 1), (50, 10, 0, 1), (100, 10, -0.2, 1), (3, 0.5, 2, 0.3)]:
            F = mp.quad(lambda u: fpt(u, a, m, s)[0], [0, t / 4, t / 2, t])
            assert abs(F - fpt(t, a, m, s)[1]) < mp.mpf(10)**-20, (t, a, m, s)
        for (t, m, s) in [(20, 0.5, 1), (20, -0.5, 1), (20, 0, 1), (7, 1e-3, 2)]:
            E = mp.quad(lambda y: fpt(t, y, m, s)[1], [0, 1, 5, 20, mp.inf])
            assert abs(E - mean_max(t, m, s)) < mp.mpf(10)**-15 * E, (t, m, s)
        # mean exit time u(x) solves (s²/2) u'' + m u' = -1, u(-b) = u(a) = 0: check the residual numerically.
        for (a, b, m, s) in [(10, 5, 0.1, 1), (10, 5, -0.1, 1), (2, 3, 1e-4, 0.7)]:
            a, b, m, s = map(mp.mpf, (a, b, m, s))
            k = 2 * m / s**2
            def u(x):
                pu = (1 - mp.exp(-k * (x + b))) / (1 - mp.exp(-k * (a + b)))
                return (pu * (a + b) - (x + b)) / m
            x = (a - b) / 3
            res = s**2 / 2 * mp.diff(u, x, 2) + m * mp.diff(u, x) + 1
            assert abs(res) < mp.mpf(10)**-10 and abs(u(-b)) < mp.mpf(10)**-20
            assert abs(u(0) - exit_(a, b, m, s)[2]) < mp.mpf(10)**-20

def main():
    spot_checks()
    rng = random.Random(20261123)
    rows = []
    def logu(lo, hi): return 10 ** rng.uniform(lo, hi)
    for i in range(1500):
        m = rng.choice([0.0, 1.0, -1.0]) * logu(-6, 1) if i % 10 else 0.0
        if i % 10 and m == 0.0: m = logu(-6, 1)
        s, a, t = logu(-1.3, 1.3), logu(-3, 2), logu(-3, 5)
        b, y = logu(-3, 2), logu(-3, 2)
        f, F, S = fpt(t, a, m, s)
        pu, pd, et = exit_(a, b, m, s)
        _, Fy, Sy = fpt(t, y, m, s)
        mm = mean_max(t, m, s)
        def e(x): return mp.nstr(x, 20, min_fixed=1, max_fixed=0) if x != 0 else "0"
        def ln(x): return mp.nstr(mp.log(x), 20) if x > 0 else "-inf"
        rows.append([repr(m), repr(s), repr(a), repr(t), repr(b), repr(y), e(f), e(F), e(S), mp.nstr(mp.log(F) if F < 0.5 else mp.log1p(-S), 20), ln(S),
                     e(pu), e(pd), ln(pu), ln(pd), e(et), e(Sy), e(mm)])
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wiener_reference.csv")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["m", "s", "a", "t", "b", "y", "density", "cdf", "survival", "ln_cdf", "ln_survival",
                    "p_up", "p_down", "ln_p_up", "ln_p_down", "mean_exit", "max_cdf", "mean_max"])
        w.writerows(rows)

if __name__ == "__main__":
    main()
