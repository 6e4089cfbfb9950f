#!/usr/bin/env python3
"""bench/bdrate.py: the Bjøntegaard delta rate (BD-rate) between two rate-quality curves.

G. Bjøntegaard, "Calculation of average PSNR differences between RD-curves", ITU-T SG16 Q.6
VCEG-M33, Austin, April 2001: fit log10(rate) as a cubic polynomial of the quality, for each
curve; integrate both over the interval of quality the two curves share; the mean difference
of the integrals, d, is the test's log-rate change at equal quality, reported as
(10^d - 1) * 100 percent. Negative: the test curve needs fewer bits for the same quality.

Methods (--method):
  cubic  VCEG-M33's least-squares cubic through all the points (the default). With more than
         four points it is a fit, not an interpolation, so it also smooths a ladder whose
         rungs are not monotone in quality.
  pchip  piecewise cubic Hermite interpolation (Fritsch-Carlson slopes), as the JCT-VC
         common-test-conditions sheet has computed it since HEVC (S. Pateux, J. Jung, "An
         Excel add-in for computing Bjontegaard metric and its evolution", VCEG-AE07, 2007).
         Points of equal quality are merged (their log-rates averaged).

Quality metrics: PSNR (dB) as given; SSIM either as given (--quality ssim) or, the default
for SSIM in bench/per-title.sh, in decibels, -10*log10(1 - SSIM) (--quality ssim-db), which
is close to linear in log-rate where SSIM itself saturates near 1.

Pure Python (Debian 12's python3 without python3-numpy): the cubic's normal equations are
solved by Gaussian elimination on centred and scaled qualities, and every integral is exact
(two-point Gauss-Legendre on each cubic piece).

Usage:
  bdrate.py [--method cubic|pchip] [--quality psnr|ssim|ssim-db] ANCHOR TEST
ANCHOR and TEST are files of "rate quality" pairs, one per line (commas or blanks between;
"#" starts a comment), or inline lists "r:q,r:q,...". Prints the BD-rate in percent ("%.2f").
Refuses, with one line on stderr and exit status 2, fewer than 4 points in a curve, a
non-positive rate, a non-finite number, or curves whose quality ranges do not overlap.
As a module: bd_rate(anchor_rates, anchor_q, test_rates, test_q, method="cubic") -> percent,
raising BDRateError for the same refusals.
"""
import math
import sys

MIN_POINTS = 4


class BDRateError(ValueError):
    pass


def ssim_db(ssim):
    """SSIM as decibels: -10 log10(1 - SSIM) (SSIM 1 is capped at 100 dB)."""
    if ssim >= 1.0:
        return 100.0
    return -10.0 * math.log10(1.0 - ssim)


def _solve(a, b):
    """Solves a x = b (a square, small) by Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [list(row) + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[piv][col]) < 1e-300:
            raise BDRateError("the curve's qualities are too few distinct values for a cubic fit")
        m[col], m[piv] = m[piv], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def polyfit3(xs, ys):
    """Least-squares cubic y(x); returns a callable. x is centred and scaled for conditioning."""
    mid = (max(xs) + min(xs)) / 2.0
    half = (max(xs) - min(xs)) / 2.0 or 1.0
    us = [(x - mid) / half for x in xs]
    # Normal equations: sum u^(i+j) c_j = sum u^i y.
    powsum = [sum(u ** k for u in us) for k in range(7)]
    a = [[powsum[i + j] for j in range(4)] for i in range(4)]
    b = [sum((u ** i) * y for u, y in zip(us, ys)) for i in range(4)]
    c = _solve(a, b)

    def f(x):
        u = (x - mid) / half
        return c[0] + u * (c[1] + u * (c[2] + u * c[3]))
    return f, []


def pchip(xs, ys):
    """Piecewise cubic Hermite interpolant (Fritsch-Carlson, as scipy's PchipInterpolator);
    returns a callable and its knots. Equal x values are merged, their y averaged."""
    pts = {}
    for x, y in zip(xs, ys):
        pts.setdefault(x, []).append(y)
    x = sorted(pts)
    y = [sum(pts[k]) / len(pts[k]) for k in x]
    n = len(x)
    if n < 2:
        raise BDRateError("pchip needs at least 2 distinct qualities")
    h = [x[k + 1] - x[k] for k in range(n - 1)]
    delta = [(y[k + 1] - y[k]) / h[k] for k in range(n - 1)]
    d = [0.0] * n
    if n == 2:
        d = [delta[0], delta[0]]
    else:
        for k in range(1, n - 1):
            if delta[k - 1] * delta[k] <= 0:
                d[k] = 0.0
            else:
                w1 = 2 * h[k] + h[k - 1]
                w2 = h[k] + 2 * h[k - 1]
                d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k])

        def end(h0, h1, d0, d1):
            s = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)
            if s * d0 <= 0:
                return 0.0
            if d0 * d1 < 0 and abs(s) > 3 * abs(d0):
                return 3 * d0
            return s
        d[0] = end(h[0], h[1], delta[0], delta[1])
        d[-1] = end(h[-1], h[-2], delta[-1], delta[-2])

    def f(t):
        k = 0
        while k < n - 2 and t > x[k + 1]:
            k += 1
        hk = h[k]
        s = (t - x[k]) / hk
        h00 = (1 + 2 * s) * (1 - s) ** 2
        h10 = s * (1 - s) ** 2
        h01 = s * s * (3 - 2 * s)
        h11 = s * s * (s - 1)
        return h00 * y[k] + h10 * hk * d[k] + h01 * y[k + 1] + h11 * hk * d[k + 1]
    return f, x


def _integrate(f, knots, lo, hi):
    """Exact integral of a piecewise cubic over [lo, hi]: 2-point Gauss-Legendre per piece."""
    cuts = [lo] + [k for k in knots if lo < k < hi] + [hi]
    g = 1.0 / math.sqrt(3.0)
    total = 0.0
    for a, b in zip(cuts, cuts[1:]):
        m, r = (a + b) / 2.0, (b - a) / 2.0
        total += r * (f(m - r * g) + f(m + r * g))
    return total


def _check(rates, quals, what):
    if len(rates) != len(quals):
        raise BDRateError(f"{what}: {len(rates)} rates but {len(quals)} qualities")
    if len(rates) < MIN_POINTS:
        raise BDRateError(f"{what}: {len(rates)} points, at least {MIN_POINTS} needed")
    for r, q in zip(rates, quals):
        if not (math.isfinite(r) and math.isfinite(q)):
            raise BDRateError(f"{what}: a non-finite value ({r}, {q})")
        if r <= 0:
            raise BDRateError(f"{what}: rate {r} is not positive")
    if max(quals) - min(quals) <= 0:
        raise BDRateError(f"{what}: every point has the same quality {quals[0]}")


def overlap(q1, q2):
    """The quality interval both curves cover, (lo, hi); lo >= hi when there is none."""
    return max(min(q1), min(q2)), min(max(q1), max(q2))


def bd_rate(r1, q1, r2, q2, method="cubic"):
    """BD-rate of curve 2 (test) against curve 1 (anchor), in percent."""
    r1, q1, r2, q2 = ([float(v) for v in a] for a in (r1, q1, r2, q2))
    _check(r1, q1, "anchor")
    _check(r2, q2, "test")
    lo, hi = overlap(q1, q2)
    if not hi > lo:
        raise BDRateError(f"no overlap: anchor quality {min(q1):.4g}-{max(q1):.4g}, "
                          f"test {min(q2):.4g}-{max(q2):.4g}")
    fit = {"cubic": polyfit3, "pchip": pchip}.get(method)
    if fit is None:
        raise BDRateError(f"unknown method {method!r} (cubic or pchip)")
    f1, k1 = fit(q1, [math.log10(r) for r in r1])
    f2, k2 = fit(q2, [math.log10(r) for r in r2])
    avg = (_integrate(f2, k2, lo, hi) - _integrate(f1, k1, lo, hi)) / (hi - lo)
    return (10.0 ** avg - 1.0) * 100.0


def _read_curve(arg):
    if ":" in arg and not _is_file(arg):
        pairs = [p.split(":") for p in arg.split(",") if p.strip()]
    else:
        pairs = []
        with open(arg) as f:
            for line in f:
                line = line.split("#", 1)[0].replace(",", " ").split()
                if line:
                    pairs.append(line)
    try:
        rates = [float(p[0]) for p in pairs]
        quals = [float(p[1]) for p in pairs]
    except (IndexError, ValueError):
        raise BDRateError(f"{arg}: want \"rate quality\" pairs")
    return rates, quals


def _is_file(path):
    try:
        with open(path):
            return True
    except OSError:
        return False


def main(argv):
    method, quality, pos = "cubic", "psnr", []
    it = iter(argv)
    for a in it:
        if a == "--method":
            method = next(it, "")
        elif a == "--quality":
            quality = next(it, "")
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            pos.append(a)
    if len(pos) != 2 or quality not in ("psnr", "ssim", "ssim-db"):
        print("usage: bdrate.py [--method cubic|pchip] [--quality psnr|ssim|ssim-db] ANCHOR TEST",
              file=sys.stderr)
        return 2
    try:
        (r1, q1), (r2, q2) = _read_curve(pos[0]), _read_curve(pos[1])
        if quality == "ssim-db":
            q1, q2 = [ssim_db(q) for q in q1], [ssim_db(q) for q in q2]
        print(f"{bd_rate(r1, q1, r2, q2, method):.2f}")
    except (BDRateError, OSError) as e:
        print(f"bdrate.py: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
