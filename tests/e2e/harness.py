"""Helpers for end-to-end tests: run programs under the real preload, read dumps back.

Tests are plain functions named test_* in tests/e2e/test_*.py; they raise AssertionError
(or any exception) to fail. Each gets a fresh temporary directory from `tmpdir()`.
"""
import glob
import json
import os
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(os.environ.get("BUILD", os.path.join(ROOT, "build")))
PRELOAD = os.path.join(BUILD, "libslowburn.so")
SLOWBURN = os.path.join(BUILD, "slowburn")
SBDUMP = os.path.join(BUILD, "sbdump")


def sample(name):
    """Path of a built sample program, samples/NAME.cpp -> build/samples/NAME."""
    return os.path.join(BUILD, "samples", name)


def tmpdir():
    return tempfile.mkdtemp(prefix="sb-e2e-")


def run_profiled(cmd, workdir, env=None, timeout=300, check=True, **kwargs):
    """Runs cmd (a list) with LD_PRELOAD in workdir; returns (CompletedProcess, [dump paths]).

    Dumps default to workdir/slowburn.%e.%p.sb unless env sets SLOWBURN_OUT.
    """
    full_env = dict(os.environ)
    full_env.pop("SLOWBURN_OUT", None)
    full_env["LD_PRELOAD"] = PRELOAD
    full_env.setdefault("SLOWBURN_INTERVAL_MS", "20")
    if env:
        full_env.update(env)
    proc = subprocess.run(cmd, cwd=workdir, env=full_env, capture_output=True,
                          timeout=timeout, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}: {proc.stderr[-2000:]!r}")
    return proc, sorted(glob.glob(os.path.join(workdir, "*.sb")))


def collector_of(pid, timeout=5.0):
    """The collector process recording pid: the process named slowburn holding a pidfd of pid
    (it is not pid's child). Waits up to timeout for one to appear; None when none does."""
    deadline = time.monotonic() + timeout
    while True:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() != "slowburn":
                        continue
                for fd in os.listdir(f"/proc/{entry}/fdinfo"):
                    with open(f"/proc/{entry}/fdinfo/{fd}") as f:
                        if f"\nPid:\t{pid}\n" in f.read():
                            return int(entry)
            except OSError:
                continue
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def children_of(pid):
    """Process ids the kernel lists as children of pid's threads."""
    kids = []
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(task) as f:
                kids += [int(k) for k in f.read().split()]
        except OSError:
            continue
    return kids


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def run_plain(cmd, workdir, env=None, timeout=300, **kwargs):
    full_env = dict(os.environ)
    full_env.pop("LD_PRELOAD", None)
    if env:
        full_env.update(env)
    return subprocess.run(cmd, cwd=workdir, env=full_env, capture_output=True,
                          timeout=timeout, **kwargs)


class Dump:
    """A dump read back through the analyzer (build/sbdump --json): every record as a dict in
    file order then the read summary; each site's totals over the run apart, by site id."""

    def __init__(self, path):
        self.path = path
        proc = subprocess.run([SBDUMP, "--json", path], capture_output=True, text=True,
                              timeout=300)
        if proc.returncode != 0:
            raise AssertionError(f"sbdump {path} exited {proc.returncode}: {proc.stderr}")
        lines = [json.loads(line) for line in proc.stdout.splitlines()]
        self.totals = {r["site"]: r for r in lines if r["type"] == "site_totals"}
        self.records = [r for r in lines if r["type"] != "site_totals"]  # file order, summary
        self.summary = self.records[-1]
        self.header = next(r for r in self.records if r["type"] == "header")
        self.modules = [r for r in self.records if r["type"] == "module"]
        self.sites = {r["id"]: r for r in self.records if r["type"] == "site"}
        self.snapshots = [r for r in self.records if r["type"] == "snapshot"]
        self.notes = [r for r in self.records if r["type"] == "note"]
        self.ends = [r for r in self.records if r["type"] == "end"]
        self.teardowns = [r for r in self.records if r["type"] == "teardown"]

    def final_state(self):
        """site id -> dict(live_bytes, live_count, allocs, frees, peak_bytes, calls, bytes)."""
        keys = ("live_bytes", "live_count", "allocs", "frees", "peak_bytes", "calls", "bytes")
        return {sid: {k: t[k] for k in keys} for sid, t in self.totals.items()}


def read_dump(path):
    return Dump(path)


def slowburn(args, timeout=300, **kwargs):
    """Runs the analyzer; returns CompletedProcess with text output."""
    return subprocess.run([SLOWBURN] + list(args), capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def export_json(dump_path):
    proc = slowburn(["export", dump_path, "--format", "json"])
    if proc.returncode != 0:
        raise AssertionError(f"export exited {proc.returncode}: {proc.stderr}")
    return json.loads(proc.stdout)
