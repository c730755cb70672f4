"""The profiler survives what programs do to it: SIGKILL, closing every fd, chdir, and a
dump that cannot be created."""
import os
import signal
import subprocess
import time

from harness import PRELOAD, run_plain
from test_preload_support import only_dump, run_sample, sample, sites_in_function, tmpdir


def test_preload_kill_9_leaves_a_readable_dump_with_snapshots():
    workdir = tmpdir()
    env = dict(os.environ, LD_PRELOAD=PRELOAD, SLOWBURN_INTERVAL_MS="20")
    env.pop("SLOWBURN_OUT", None)
    proc = subprocess.Popen([sample("pl_spin")], cwd=workdir, env=env, stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"spinning\n"
    time.sleep(0.4)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    dumps = [os.path.join(workdir, f) for f in os.listdir(workdir) if f.endswith(".sb")]
    dump = only_dump(dumps)  # the reader accepted it (sbdump exit 0)
    assert not dump.summary["saw_end"] and not dump.ends, dump.summary
    assert len(dump.snapshots) >= 3, len(dump.snapshots)
    live = max(s["live_bytes"] for s in dump.final_state().values())
    assert live >= 10 * 10001, live  # what it kept up to the last interval is there


def test_preload_kill_9_loses_nothing_the_program_handed_over():
    # One snapshot a minute: everything reaches the dump because the collector, a process
    # of its own, drains the ring and writes a last snapshot after the program is killed.
    workdir = tmpdir()
    env = dict(os.environ, LD_PRELOAD=PRELOAD, SLOWBURN_INTERVAL_MS="60000")
    env.pop("SLOWBURN_OUT", None)
    proc = subprocess.Popen([sample("pl_allocwait")], cwd=workdir, env=env,
                            stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while True:
        dumps = [os.path.join(workdir, f) for f in os.listdir(workdir) if f.endswith(".sb")]
        dump = only_dump(dumps)
        live = [s["live_bytes"] for s in dump.final_state().values()]
        if 50 * 10001 in live or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert 50 * 10001 in live, (live, dump.snapshots)
    # The program's last known RSS, not the 0 of a process that is gone.
    assert dump.snapshots[-1]["rss_bytes"] > 0, dump.snapshots
    assert not dump.summary["saw_end"] and not dump.summary["truncated"], dump.summary


def test_preload_program_closing_every_fd_and_chdir_is_recorded_to_the_end():
    proc, dumps, workdir = run_sample("pl_closefds")
    dump = only_dump(dumps)
    assert dump.summary["saw_end"] and dump.ends[0]["dropped_events"] == 0, dump.summary
    ids = sites_in_function(dump, sample("pl_closefds"), "keepAfterClosing")
    assert len(ids) == 1, ids
    assert dump.final_state()[ids[0]]["live_bytes"] == 5 * 60001
    # Snapshots kept coming after the descriptors were gone (the program ran ~260 ms).
    first_use = next(s["time_ns"] for s in dump.snapshots
                     if any(c["site"] == ids[0] for c in s["changes"]))
    assert sum(1 for s in dump.snapshots if s["time_ns"] > first_use) >= 3
    # The dump stayed in the directory the program started in, not in "/".
    assert os.path.dirname(dumps[0]) == workdir


def test_preload_unopenable_dump_changes_nothing_but_one_stderr_line():
    workdir = tmpdir()
    env = {"SLOWBURN_OUT": os.path.join(workdir, "missing", "dir", "x.sb")}
    plain = run_plain([sample("pl_exitcode")], workdir)
    profiled, dumps = run_profiled_unchecked(workdir, env)
    assert profiled.returncode == plain.returncode == 7
    assert profiled.stdout == plain.stdout and plain.stdout.count(b"\n") == 100
    lines = profiled.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("slowburn: "), lines
    assert "missing/dir/x.sb" in lines[0], lines
    assert dumps == [], dumps


def run_profiled_unchecked(workdir, env):
    from harness import run_profiled
    return run_profiled([sample("pl_exitcode")], workdir, env=env, check=False)


def test_preload_same_output_and_status_when_recording():
    workdir = tmpdir()
    plain = run_plain([sample("pl_exitcode")], workdir)
    profiled, dumps = run_profiled_unchecked(workdir, None)
    assert (profiled.returncode, profiled.stdout, profiled.stderr) == \
        (plain.returncode, plain.stdout, plain.stderr) == (7, plain.stdout, b"")
    assert only_dump(dumps).summary["saw_end"]
