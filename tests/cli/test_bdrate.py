"""test_bdrate.py: bench/bdrate.py, the Bjøntegaard delta rate bench/per-title.sh reports, on
synthetic curves whose answer is known in closed form (pure Python, well under a second):
- a curve whose every rate is 0.8x the anchor's, at the same qualities, is -20.0% (±0.5), and
  1.25x is +25%, with both methods (VCEG-M33's cubic fit and PCHIP), from the module and from
  the command line, on PSNR and on SSIM as decibels;
- identical curves give 0; a curve 1 dB better everywhere on a 10 dB-per-decade line is
  10^-0.1 - 1 = -20.57%; curves overlapping on part of their quality range are compared there;
- fewer than 4 points, no overlap, a non-positive rate and a flat curve are refused: the module
  raises BDRateError, the command exits 2 with one line on stderr and nothing on stdout."""
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "bench", "bdrate.py")
sys.path.insert(0, os.path.join(ROOT, "bench"))
import bdrate  # noqa: E402

failures = []
count = 0


def check(cond, what):
    global count
    count += 1
    if not cond:
        failures.append(what)
        print(f"FAIL bdrate: {what}", flush=True)


def near(got, want, tol, what):
    check(got is not None and abs(got - want) <= tol, f"{what}: got {got}, want {want} ±{tol}")


def refused(args, what):
    try:
        bdrate.bd_rate(*args)
    except bdrate.BDRateError:
        check(True, what)
        return
    check(False, f"{what}: accepted")


def cli(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          timeout=60)


# An x264-like ladder: PSNR rising about 4.5 dB per doubling, flattening at the top.
RATES = [145, 300, 365, 600, 730, 1100, 1600, 2000, 3000, 3800, 4500]
PSNR = [30.1 + 5.2 * math.log2(r / 145) - 0.18 * math.log2(r / 145) ** 2 for r in RATES]
SSIM = [1 - 0.08 * (r / 145) ** -0.7 for r in RATES]

for method in ("cubic", "pchip"):
    near(bdrate.bd_rate(RATES, PSNR, RATES, PSNR, method), 0.0, 1e-9,
         f"{method}: identical curves")
    near(bdrate.bd_rate(RATES, PSNR, [0.8 * r for r in RATES], PSNR, method), -20.0, 0.5,
         f"{method}: every rate 0.8x")
    near(bdrate.bd_rate(RATES, PSNR, [1.25 * r for r in RATES], PSNR, method), 25.0, 0.5,
         f"{method}: every rate 1.25x")
    sdb = [bdrate.ssim_db(s) for s in SSIM]
    near(bdrate.bd_rate(RATES, sdb, [0.8 * r for r in RATES], sdb, method), -20.0, 0.5,
         f"{method}: SSIM in dB, every rate 0.8x")
    near(bdrate.bd_rate(RATES, SSIM, [0.8 * r for r in RATES], SSIM, method), -20.0, 0.5,
         f"{method}: SSIM as is, every rate 0.8x")
    # q = 10 log10(r): 1 dB better is log10(r) 0.1 lower at the same quality.
    r = [100, 200, 400, 800, 1600]
    q = [10 * math.log10(x) for x in r]
    near(bdrate.bd_rate(r, q, r, [x + 1 for x in q], method), (10 ** -0.1 - 1) * 100, 0.05,
         f"{method}: 1 dB better on a 10 dB/decade line")
    # Half the rate, the test curve covering only the upper part of the anchor's range and
    # beyond: compared on the overlap alone.
    r1 = [100, 200, 400, 800, 1600]
    r2 = [400, 800, 1600, 3200, 6400]
    q1 = [10 * math.log10(x) for x in r1]
    q2 = [10 * math.log10(x) for x in r2]
    near(bdrate.bd_rate(r1, q1, [x / 2 for x in r2], q2, method), -50.0, 0.5,
         f"{method}: half the rate on a partial overlap")
    # A ladder whose rungs are not monotone in quality still gives a finite answer.
    bumpy = list(PSNR)
    bumpy[3] -= 1.5
    got = bdrate.bd_rate(RATES, PSNR, RATES, bumpy, method)
    check(math.isfinite(got) and got > 0, f"{method}: a worse rung costs bits: got {got}")

# Refusals.
refused((RATES[:3], PSNR[:3], RATES, PSNR), "3 anchor points refused")
refused((RATES, PSNR, RATES[:3], PSNR[:3]), "3 test points refused")
refused(([100, 200, 400, 800], [30, 32, 34, 36], [100, 200, 400, 800], [37, 39, 41, 43]),
        "disjoint quality ranges refused")
refused(([100, 200, 400, 800], [30, 32, 34, 36], [100, 200, 400, 800], [36, 38, 40, 42]),
        "ranges touching at one point refused")
refused(([0, 200, 400, 800], [30, 32, 34, 36], RATES, PSNR), "a zero rate refused")
refused(([100, 200, 400, 800], [33, 33, 33, 33], RATES, PSNR), "a flat curve refused")
refused((RATES, PSNR, RATES, PSNR, "spline"), "an unknown method refused")

# The command line: inline lists and files, exit status, one line on refusal.
a = ",".join(f"{r}:{q}" for r, q in zip(RATES, PSNR))
t = ",".join(f"{0.8 * r}:{q}" for r, q in zip(RATES, PSNR))
p = cli(a, t)
check(p.returncode == 0, f"cli: exit {p.returncode} ({p.stderr.strip()})")
try:
    near(float(p.stdout), -20.0, 0.5, "cli: 0.8x")
except ValueError:
    check(False, f"cli: stdout {p.stdout!r}")
with tempfile.TemporaryDirectory() as d:
    fa, ft = os.path.join(d, "a.txt"), os.path.join(d, "t.txt")
    with open(fa, "w") as f:
        f.write("# rate ssim\n" + "".join(f"{r} {s}\n" for r, s in zip(RATES, SSIM)))
    with open(ft, "w") as f:
        f.write("".join(f"{1.25 * r}, {s}\n" for r, s in zip(RATES, SSIM)))
    for method in ("cubic", "pchip"):
        p = cli("--quality", "ssim-db", "--method", method, fa, ft)
        try:
            near(float(p.stdout), 25.0, 0.5, f"cli: files, SSIM dB, {method}, 1.25x")
        except ValueError:
            check(False, f"cli: files, {method}: stdout {p.stdout!r}, stderr {p.stderr!r}")
for args, what in ((("100:30,200:32,400:34", a), "3 points"),
                   (("100:20,200:21,400:22,800:23", a), "no overlap")):
    p = cli(*args)
    check(p.returncode == 2 and p.stdout == "" and len(p.stderr.strip().splitlines()) == 1,
          f"cli refuses {what}: exit {p.returncode}, stdout {p.stdout!r}, stderr {p.stderr!r}")

print(f"bdrate: {count - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
