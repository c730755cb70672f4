"""Runs one command once, the same way for every profiler, and measures it.

Wall time is taken around the whole command (for heaptrack that includes its interpreter
finishing the trace, which is what a user waits for); CPU time (user + system, from wait4,
over the whole process tree) is kept beside it because it suffers less from other load
on a shared machine. The tree includes processes the command's processes left behind:
this process is a child subreaper, so slowburn's collector (started apart from the
profiled program and handed to the nearest subreaper) is adopted here and its CPU counted
too. Peak RSS is the target's own VmHWM,
written at exit by build/bench/libhwm_probe.so, so heaptrack's helper processes do not
count against it; wait4's rusage for the whole process tree is kept beside it.
"""
import ctypes
import glob
import os
import re
import shlex
import signal
import subprocess
import threading
import time


class RunResult:
    def __init__(self):
        self.wall_s = None
        self.cpu_s = None           # user + system CPU of the whole command (wait4)
        self.exit_code = None
        self.rss_kb = None          # the target's peak RSS (VmHWM)
        self.helper_rss_kb = None   # largest other process (heaptrack's interpreter)
        self.tree_rss_kb = None     # wait4 ru_maxrss (also counts this Python process's, see
                                    # analyzer_timing.time_report): kept only for the record
        self.output_bytes = 0       # slowburn dumps or heaptrack trace written by the run
        self.output_files = []
        self.vmrss_10pct_kb = None  # read_loop only
        self.vmrss_100pct_kb = None
        self.stderr_tail = ""

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items() if k != "stderr_tail"}


PR_SET_CHILD_SUBREAPER = 36
WALL = 0x40000000  # __WALL: also children whose exit signal is not SIGCHLD (the collector)
REAP_TIMEOUT_S = 30


def become_subreaper():
    """Orphans of the commands run here become this process's children (Linux 3.4+)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_leftovers(deadline_s):
    """Waits for every remaining descendant; their total user + system CPU seconds."""
    cpu = 0.0
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG | WALL)
        except ChildProcessError:
            return cpu
        if pid == 0:
            if time.monotonic() > deadline:
                return cpu
            time.sleep(0.005)
            continue
        cpu += usage.ru_utime + usage.ru_stime


def command_line(argv, env_delta):
    """The exact shell command a reader can paste to repeat a run."""
    prefix = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(env_delta.items()))
    return (prefix + " " if prefix else "") + " ".join(shlex.quote(a) for a in argv)


def _kill_session(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def target_peak_rss(hwm_path, argv, target_exe):
    """(target's peak RSS, largest other process's) from the probe's lines, in KiB.

    The target is the line naming its executable, else the largest.
    """
    if not os.path.exists(hwm_path):
        return None, None
    lines = []
    with open(hwm_path) as f:
        for line in f:
            kb, _, exe = line.rstrip("\n").partition(" ")
            if kb.lstrip("-").isdigit():
                lines.append((int(kb), exe))
    if not lines:
        return None, None
    exe = os.path.realpath(target_exe or argv[0])
    mine = [kb for kb, path in lines if path == exe]
    others = [kb for kb, path in lines if path != exe]
    return (max(mine) if mine else max(kb for kb, _ in lines)), (max(others) if others else None)


def clean_environment():
    """This process's environment without what a run sets itself."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("SLOWBURN_") and k not in ("LD_PRELOAD", "HWM_PROBE_OUT")}


def run_once(argv, env_delta, workdir, output_glob, hwm_probe, timeout_s, target_exe=None):
    """Runs argv in workdir with env_delta on top of a clean environment.

    target_exe names the profiled program when argv starts with a wrapper (heaptrack).
    """
    os.makedirs(workdir, exist_ok=True)
    env = clean_environment()
    env.update(env_delta)
    hwm_path = os.path.join(workdir, "hwm.txt")
    env["HWM_PROBE_OUT"] = hwm_path
    # The probe goes last: heaptrack puts its own library in front of an existing LD_PRELOAD.
    env["LD_PRELOAD"] = ":".join(p for p in (env.get("LD_PRELOAD", ""), hwm_probe) if p)

    result = RunResult()
    out_path = os.path.join(workdir, "stdout.txt")
    err_path = os.path.join(workdir, "stderr.txt")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=workdir, env=env, stdout=out, stderr=err,
                                start_new_session=True)
        # A run that hangs is killed (its whole session) so the benchmark still finishes.
        killer = threading.Timer(timeout_s, _kill_session, (proc.pid,))
        killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        result.wall_s = time.perf_counter() - start
        # What the command left running (a collector finishing its dump) is still its cost.
        leftover_cpu = reap_leftovers(REAP_TIMEOUT_S)
        killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    result.exit_code = proc.returncode
    result.tree_rss_kb = usage.ru_maxrss
    result.cpu_s = usage.ru_utime + usage.ru_stime + leftover_cpu

    result.rss_kb, result.helper_rss_kb = target_peak_rss(hwm_path, argv, target_exe)
    result.output_files = sorted(glob.glob(os.path.join(workdir, output_glob))) \
        if output_glob else []
    result.output_bytes = sum(os.path.getsize(p) for p in result.output_files)

    with open(err_path, "rb") as f:
        stderr = f.read().decode(errors="replace")
    result.stderr_tail = stderr[-2000:]
    match = re.search(r"vmrss_kb_10pct=(-?\d+) vmrss_kb_100pct=(-?\d+)", stderr)
    if match:
        result.vmrss_10pct_kb = int(match.group(1))
        result.vmrss_100pct_kb = int(match.group(2))
    return result
