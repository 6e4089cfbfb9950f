"""test_units.py: the systemd units in packaging/systemd/, as `cmake --install` writes them
into a temporary prefix: `systemd-analyze verify` passes on both (their ExecStart is the
prefix's ladder, their man page the prefix's) and fails on a copy pointing at a missing
program; their hardening's exposure (`systemd-analyze security --offline`) stays low; and the
settings the services rely on are there: SIGTERM with a stop timeout above the 30 s graces,
KillMode=mixed for the worker's child, ExecReload sending SIGHUP, the worker's Redis URL from
the EnvironmentFile, the library under StateDirectory."""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from install_test import UNITS, install, read_unit, seconds  # noqa: E402
from ladder_test import Checks, cleanup, run, workdir  # noqa: E402

MAX_EXPOSURE = 2.5  # systemd-analyze security: 0 (locked down) .. 10 (exposed); ours ≈ 1.8
GRACE = 30          # ladder serve --shutdown-grace and ladder worker --grace defaults
HARDENING = {
    "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
    "PrivateTmp": "yes", "PrivateDevices": "yes", "DynamicUser": "yes",
    "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
    "ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes",
    "SystemCallFilter": "@system-service", "StateDirectory": None, "ReadWritePaths": None,
}

c = Checks("install.units")
work = workdir()
prefix = os.path.join(work, "prefix")
env = dict(os.environ, MANPATH=os.path.join(prefix, "share", "man"))
try:
    r = install(prefix)
    if not c.check(r.returncode == 0, f"cmake --install: {r.stderr[-500:]}"):
        c.done()
    unit_dir = os.path.join(prefix, "lib", "systemd", "system")
    units = {n: os.path.join(unit_dir, f"ladder-{n}.service") for n in ("serve", "worker")}
    r = run(["systemd-analyze", "verify", *units.values()], env=env, cwd=work)
    c.check(r.returncode == 0 and not (r.stdout + r.stderr).strip(),
            f"systemd-analyze verify: rc {r.returncode}: {r.stdout}{r.stderr}")

    # The same check on a copy whose ExecStart names a missing program must fail.
    broken = os.path.join(work, "ladder-broken.service")
    with open(units["serve"]) as f:
        text = f.read()
    with open(broken, "w") as f:
        f.write(text.replace(os.path.join(prefix, "bin", "ladder"),
                             os.path.join(work, "no-such-ladder")))
    r = run(["systemd-analyze", "verify", broken], env=env, cwd=work)
    c.check(r.returncode != 0, f"verify fails on a missing ExecStart program: {r.stderr}")

    for name, path in units.items():
        src = read_unit(os.path.join(UNITS, os.path.basename(path)))
        inst = read_unit(path)
        svc = src.get("Service", {})
        c.check(inst["Service"]["ExecStart"].startswith(os.path.join(prefix, "bin", "ladder") + " "),
                f"{name}: installed ExecStart is the prefix's: {inst['Service']['ExecStart']}")
        c.equal(inst["Service"].get("EnvironmentFile"),
                "-" + os.path.join(prefix, "etc", "default", "ladder"),
                f"{name}: installed EnvironmentFile is the prefix's")
        c.check(src["Service"]["ExecStart"].startswith("/usr/bin/ladder " + name),
                f"{name}: packaged ExecStart is /usr/bin/ladder {name}")
        c.equal(svc.get("EnvironmentFile"), "-/etc/default/ladder", f"{name}: EnvironmentFile")
        c.equal(svc.get("KillSignal"), "SIGTERM", f"{name}: KillSignal")
        c.equal(svc.get("KillMode"), "mixed", f"{name}: KillMode (SIGTERM to the main process)")
        stop_s = seconds(svc.get("TimeoutStopSec", "0"))
        c.check(stop_s > GRACE, f"{name}: TimeoutStopSec {stop_s} s is above the {GRACE} s grace")
        for key, want in HARDENING.items():
            got = svc.get(key)
            c.check(got is not None and (want is None or got == want),
                    f"{name}: {key}={got}, want {want or 'set'}")
        c.check("ladder" in svc.get("StateDirectory", "").split(), f"{name}: StateDirectory=ladder")
        c.equal(src.get("Install", {}).get("WantedBy"), "multi-user.target", f"{name}: WantedBy")
        r = run(["systemd-analyze", "security", "--offline=yes", path], env=env, cwd=work)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout + r.stderr)
        c.check(m is not None and float(m.group(1)) <= MAX_EXPOSURE,
                f"{name}: exposure {m.group(1) if m else r.stderr.strip()} <= {MAX_EXPOSURE}")

    serve = read_unit(os.path.join(UNITS, "ladder-serve.service"))["Service"]
    c.equal(serve.get("ExecReload"), "/bin/kill -HUP $MAINPID", "serve: ExecReload sends SIGHUP")
    c.check("--library /var/lib/ladder/library" in serve["ExecStart"] and
            "ladder/library" in serve.get("StateDirectory", "").split(),
            "serve: the library is /var/lib/ladder/library, made by StateDirectory")
    c.check("--access-log /var/log/ladder/access.log" in serve["ExecStart"] and
            serve.get("LogsDirectory") == "ladder", "serve: access log under LogsDirectory")
    worker = read_unit(os.path.join(UNITS, "ladder-worker.service"))["Service"]
    c.check("--queue ${LADDER_QUEUE}" in worker["ExecStart"],
            f"worker: --queue from LADDER_QUEUE: {worker['ExecStart']}")
    with open(os.path.join(prefix, "etc", "default", "ladder")) as f:
        defaults = f.read()
    c.check(re.search(r"^#LADDER_QUEUE=redis://", defaults, re.M) is not None,
            "etc/default/ladder: LADDER_QUEUE is there, commented")
    c.check(all(ln.startswith("#") for ln in defaults.splitlines() if ln.strip()),
            "etc/default/ladder: every setting is a commented default")
    shutil.rmtree(prefix)
finally:
    cleanup(work)
c.done()
