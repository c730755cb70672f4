"""A guest the program cannot notice: the collector is a process of its own, so a profiled
program that was single-threaded stays so for the kernel and glibc — privilege drops,
user namespaces, raw clone() children and address-space limits behave as in a plain run —
nor is it the program's child, so a program waiting for every child (strace, ptrace
supervisors) sees only its own; and the preload's own complaints go to the stderr the
program was started with."""
import os
import resource
import shutil
import signal
import subprocess
import time

from harness import (BUILD, PRELOAD, SLOWBURN, children_of, collector_of, parent_of, run_plain,
                     run_profiled)
from test_preload_support import (dump_for_pid, only_dump, read_dump, sample, sites_in_function,
                                  tmpdir)


def same_as_plain(cmd, env=None, preexec_fn=None, workdir_mode=None, timeout=300):
    """Runs cmd plain and preloaded in fresh directories; asserts equal stdout and status.

    Returns (the profiled run, its dumps)."""
    plain = run_plain(cmd, tmpdir(), env=env, preexec_fn=preexec_fn, timeout=timeout)
    workdir = tmpdir()
    if workdir_mode is not None:
        os.chmod(workdir, workdir_mode)
    profiled, dumps = run_profiled(cmd, workdir, env=env, check=False, preexec_fn=preexec_fn,
                                   timeout=timeout)
    assert profiled.returncode == plain.returncode, (cmd, plain, profiled)
    assert profiled.stdout == plain.stdout, (cmd, plain.stdout, profiled.stdout)
    assert b"slowburn" not in profiled.stderr, profiled.stderr
    return profiled, dumps


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name} in /proc/{pid}/status")


def test_guest_program_stays_single_threaded_beside_a_small_collector_process():
    workdir = tmpdir()
    env = dict(os.environ, LD_PRELOAD=PRELOAD)
    env.pop("SLOWBURN_OUT", None)
    proc = subprocess.Popen([sample("pl_spin")], cwd=workdir, env=env, stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline() == b"spinning\n"
        time.sleep(0.3)
        assert status_field(proc.pid, "Threads") == "1"
        # Not the program's child either: a wait for every child must not find it.
        assert children_of(proc.pid) == [], children_of(proc.pid)
        collector = collector_of(proc.pid)
        assert collector is not None and parent_of(collector) != proc.pid, collector
        assert os.readlink(f"/proc/{collector}/exe") == os.path.join(BUILD, "slowburn-collector")
        assert status_field(collector, "Name") == "slowburn"
        # It holds none of the program's descriptors: /dev/null on 0-2, the liveness pipe,
        # the program's pidfd and statm, and the dump (same inode as the file in workdir).
        fds = {int(fd): os.stat(f"/proc/{collector}/fd/{fd}")
               for fd in os.listdir(f"/proc/{collector}/fd")}
        null = os.stat("/dev/null")
        assert all((fds[fd].st_dev, fds[fd].st_ino) == (null.st_dev, null.st_ino)
                   for fd in (0, 1, 2)), fds
        dump = os.stat(next(os.path.join(workdir, f) for f in os.listdir(workdir)))
        others = [st for fd, st in fds.items() if fd > 2]
        assert len(others) == 4, fds
        assert any((st.st_dev, st.st_ino) == (dump.st_dev, dump.st_ino) for st in others), fds
        rss_kb = int(status_field(collector, "VmRSS").split()[0])
        assert rss_kb < 16 * 1024, rss_kb
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert ended(collector), "the collector outlived its program"


def ended(pid, timeout=10.0):
    """Whether process pid exits (a zombie or gone) within timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if status_field(pid, "State").startswith("Z"):
                return True
        except (OSError, AssertionError):
            return True
        time.sleep(0.01)
    return False


def test_guest_privilege_drop_with_capset_and_setresgid_runs_as_plain():
    assert os.geteuid() == 0, "the privilege-drop tests need root, as daemons start"
    profiled, dumps = same_as_plain([sample("pl_privdrop")])
    assert profiled.stdout == b"uid 65534 65534 65534 gid 65534 65534 65534\n", profiled.stdout
    dump = only_dump(dumps)
    assert dump.summary["saw_end"], dump.summary
    # Allocations after the drop are recorded as well as before.
    state = dump.final_state()
    assert {10001, 20001} <= {s["live_bytes"] for s in state.values()}, state


def test_guest_setpriv_reuid_regid_runs_as_plain():
    assert os.geteuid() == 0, "the privilege-drop tests need root, as daemons start"
    # The programs it runs are nobody's: they need a directory they may write their dumps in.
    profiled, dumps = same_as_plain(["setpriv", "--reuid=65534", "--regid=65534",
                                     "--clear-groups", "sh", "-c", "id -u; id -g"],
                                    workdir_mode=0o1777)
    assert profiled.stdout == b"65534\n65534\n", profiled.stdout
    names = sorted(os.path.basename(d).split(".")[1] for d in dumps)
    assert names == ["dash", "id", "id", "setpriv"], names


def test_guest_raw_clone_child_calling_exit_does_not_hang_and_stays_out_of_the_dump():
    profiled, dumps = same_as_plain([sample("pl_rawclone")])
    assert profiled.stdout == b"child allocated\nchild exited 3\n", profiled.stdout
    dump = dump_for_pid(dumps, profiled_pid(dumps, "pl_rawclone"))
    assert dump.summary["saw_end"], dump.summary
    sizes = {s["live_bytes"] for s in dump.final_state().values()}
    assert {10001, 20001} <= sizes, sizes
    assert 30001 not in sizes, sizes  # the child's block is not the parent's


def profiled_pid(dumps, exe_name):
    for path in dumps:
        if os.path.basename(path).startswith(f"slowburn.{exe_name}."):
            return int(os.path.basename(path).split(".")[2])
    raise AssertionError(f"no dump of {exe_name} among {dumps}")


def test_guest_unshare_user_namespace_succeeds_as_plain():
    profiled, _ = same_as_plain([sample("pl_userns")])
    assert profiled.stdout == b"unshare(CLONE_NEWUSER): ok\n", profiled.stdout
    same_as_plain(["unshare", "-U", "echo", "inside"])


def address_space_limit(mib):
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (mib << 20, mib << 20))


def test_guest_small_mallocs_under_a_40_mib_address_space_limit_fail_as_plain():
    profiled, _ = same_as_plain([sample("pl_aslimit"), "small"],
                                preexec_fn=address_space_limit(40))
    assert profiled.stdout == b"small mallocs failed: 0 of 100000\n", profiled.stdout


def test_guest_doubling_realloc_under_an_address_space_limit_reaches_what_plain_does():
    profiled, _ = same_as_plain([sample("pl_aslimit"), "realloc"],
                                preexec_fn=address_space_limit(200))
    assert profiled.stdout == b"realloc reached 128 MiB\n", profiled.stdout


def test_guest_complaint_goes_to_the_original_stderr_not_the_programs_file():
    # The dump cannot grow past 4 KiB (RLIMIT_FSIZE): the collector fails mid-run, after the
    # program has made its own data file its stdout and stderr.
    workdir = tmpdir()
    data = os.path.join(workdir, "data.txt")
    limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    plain = run_plain([sample("pl_fd2"), data], workdir, preexec_fn=limit)
    with open(data, "rb") as f:
        plain_data = f.read()
    profiled, _ = run_profiled([sample("pl_fd2"), data], workdir, check=False, preexec_fn=limit)
    assert profiled.returncode == plain.returncode == 0, profiled
    with open(data, "rb") as f:
        assert f.read() == plain_data == b"the program's own data\n"
    lines = profiled.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("slowburn: cannot write the dump: ") and "EFBIG" in lines[0], lines


# --- programs that wait for every child they have -------------------------------------------

def lonely_library():
    """libslowburn.so without its slowburn-collector: a copy of the program collects."""
    lonely = os.path.join(tmpdir(), "libslowburn.so")
    shutil.copy(PRELOAD, lonely)
    return lonely


def test_guest_strace_f_profiled_itself_finishes_with_complete_dumps():
    # strace waits for every child with waitpid(-1, __WALL): a collector among them, waiting
    # for strace to exit, hung it for good.
    cmd = ["strace", "-f", "-o", "/dev/null", sample("pl_fork"), "fork"]
    profiled, dumps = same_as_plain(cmd, timeout=60)
    assert profiled.returncode == 0 and profiled.stdout == b"parent done, child exited 0\n"
    tracer = [d for d in dumps if os.path.basename(d).startswith("slowburn.strace.")]
    assert len(tracer) == 1, dumps
    assert only_dump(tracer).summary["saw_end"], tracer
    programs = [read_dump(d) for d in dumps if ".pl_fork." in os.path.basename(d)]
    assert len(programs) == 2 and all(d.summary["saw_end"] for d in programs), dumps
    sizes = {s["live_bytes"] for d in programs for s in d.final_state().values()}
    assert {5 * 10001, 7 * 20001, 3 * 30001} <= sizes, sizes


def waiting_for_every_child(env=None):
    profiled, dumps = same_as_plain([sample("pl_waitall")], env=env, timeout=30)
    assert profiled.returncode == 0, profiled.stdout
    assert profiled.stdout == b"reaped exactly my 3 children\n", profiled.stdout
    # The parent's dump and each child's, complete and analyzable.
    by_pid = {int(os.path.basename(d).split(".")[2]): read_dump(d) for d in dumps}
    assert len(by_pid) == 4, dumps
    children = [d for d in by_pid.values() if d.header["ppid"] in by_pid]
    assert len(children) == 3, [d.header for d in by_pid.values()]
    parent = by_pid[children[0].header["ppid"]]
    assert 5 * 10001 in {s["live_bytes"] for s in parent.final_state().values()}
    for child in children:
        assert 2 * 20001 in {s["live_bytes"] for s in child.final_state().values()}
    for dump in by_pid.values():
        assert dump.summary["saw_end"], (dump.path, dump.summary)
        report = subprocess.run([SLOWBURN, "report", dump.path], capture_output=True, timeout=60)
        assert report.returncode == 0, report.stderr


def test_guest_parent_waiting_for_every_child_reaps_only_its_own():
    waiting_for_every_child()


def test_guest_parent_waiting_for_every_child_reaps_only_its_own_beside_a_copy_collector():
    waiting_for_every_child(env={"LD_PRELOAD": lonely_library()})


# --- where the collector stays the program's child -----------------------------------------

def spin_then_kill(cmd, preexec_fn=None):
    """Runs pl_spin (after cmd's prefix) preloaded and SIGKILLs it, asserting its collector was
    its child and finished the dump; returns whether that collector held the program's pidfd."""
    workdir = tmpdir()
    env = dict(os.environ, LD_PRELOAD=PRELOAD, SLOWBURN_INTERVAL_MS="20")
    env.pop("SLOWBURN_OUT", None)
    proc = subprocess.Popen(cmd + [sample("pl_spin")], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, preexec_fn=preexec_fn)
    try:
        assert proc.stdout.readline() == b"spinning\n"
        time.sleep(0.3)
        children = children_of(proc.pid)
        assert len(children) == 1 and status_field(children[0], "Name") == "slowburn", children
        collector = children[0]
        holds_pidfd = collector_of(proc.pid, timeout=0) == collector
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    # It saw the program go (whatever killed it) and finished the dump.
    assert ended(collector), "the collector outlived its program"
    dumps = [os.path.join(workdir, f) for f in os.listdir(workdir) if ".pl_spin." in f]
    dump = only_dump(dumps)
    assert len(dump.snapshots) >= 3, len(dump.snapshots)
    assert max(s["live_bytes"] for s in dump.final_state().values()) >= 10 * 10001
    return holds_pidfd


def test_guest_without_pidfd_the_collector_is_a_quiet_child_that_sees_a_kill_9():
    # pidfd_open(2) answers ENOSYS, as before Linux 5.3: the collector is the program's
    # child (exit signal 0, unseen by wait()) and getppid() tells it the program is gone.
    assert not spin_then_kill([sample("pl_nopidfd")])


def test_guest_without_pidfd_fork_and_exit_run_as_plain():
    profiled, dumps = same_as_plain([sample("pl_nopidfd"), sample("pl_fork"), "fork"])
    assert profiled.stdout == b"parent done, child exited 0\n", profiled.stdout
    programs = [read_dump(d) for d in dumps if ".pl_fork." in os.path.basename(d)]
    assert len(programs) == 2 and all(d.summary["saw_end"] for d in programs), dumps


def become_subreaper():
    import ctypes
    PR_SET_CHILD_SUBREAPER = 36
    assert ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def test_guest_subreaper_program_keeps_its_collector_as_a_quiet_child():
    # Orphans would come back to a subreaper (with SIGCHLD): its collector stays its child,
    # with exit signal 0, and still watches it through a pidfd.
    assert spin_then_kill([], preexec_fn=become_subreaper)
