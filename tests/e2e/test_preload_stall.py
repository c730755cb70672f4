"""The full-ring policy, forced for real: the collector process alone is stopped (ptrace
interrupt), the program's threads fill the ring, wait a bounded time, then drop and count;
the program never deadlocks, and the dump says how much was lost."""
import ctypes
import os
import subprocess
import time

from harness import PRELOAD, collector_of
from test_preload_support import only_dump, sample, tmpdir

PTRACE_DETACH, PTRACE_SEIZE, PTRACE_INTERRUPT = 17, 0x4206, 0x4207
WALL = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.ptrace.restype = ctypes.c_long


def collector_pid(pid):
    """The program's collector process (named slowburn, holding the program's pidfd)."""
    collector = collector_of(pid)
    if collector is None:
        raise AssertionError("no collector process named slowburn")
    return collector


def ptrace(request, tid):
    if libc.ptrace(request, tid, None, None) != 0:
        raise OSError(ctypes.get_errno(), f"ptrace({request}, {tid})")


def test_preload_stalled_collector_makes_producers_drop_and_count_not_hang():
    workdir = tmpdir()
    env = dict(os.environ, LD_PRELOAD=PRELOAD, SLOWBURN_INTERVAL_MS="20")
    env.pop("SLOWBURN_OUT", None)
    start = time.monotonic()
    proc = subprocess.Popen([sample("pl_flood"), "3500"], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tid = collector_pid(proc.pid)
    time.sleep(0.3)
    ptrace(PTRACE_SEIZE, tid)
    ptrace(PTRACE_INTERRUPT, tid)
    os.waitpid(tid, WALL)  # the collector alone is stopped; the program runs on
    time.sleep(2.0)        # ring full within milliseconds, then the 1 s stall limit
    ptrace(PTRACE_DETACH, tid)
    out, err = proc.communicate(timeout=60)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0 and out.startswith(b"flood done"), (out, err)
    assert elapsed < 20, elapsed  # no deadlock, no pathological slowdown
    dump = only_dump([os.path.join(workdir, f) for f in os.listdir(workdir)])
    dropped = [n for n in dump.notes if n["kind"] == "dropped_events"]
    assert dropped and sum(n["count"] for n in dropped) > 0, dump.notes
    assert dump.ends[0]["dropped_events"] == sum(n["count"] for n in dropped), dump.ends
    # Recording resumed once the collector ran again: snapshots span the whole run.
    assert dump.snapshots[-1]["time_ns"] > 3.0e9, dump.snapshots[-1]["time_ns"]


def test_preload_slow_collector_loses_nothing_while_alive():
    # The same traffic without the stall: a busy ring only makes producers wait.
    workdir = tmpdir()
    env = dict(os.environ, LD_PRELOAD=PRELOAD, SLOWBURN_INTERVAL_MS="20")
    env.pop("SLOWBURN_OUT", None)
    proc = subprocess.run([sample("pl_flood"), "500"], cwd=workdir, env=env,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    dump = only_dump([os.path.join(workdir, f) for f in os.listdir(workdir)])
    assert dump.ends[0]["dropped_events"] == 0 and not dump.notes, dump.notes
