"""slowburn attach PID: a running process is recorded for a window and left as it was.

Each test starts a target, attaches with the real slowburn, and compares what the target
printed and how it exited with a plain run of the same program.
"""
import ctypes
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from harness import BUILD, PRELOAD, ROOT, SLOWBURN, collector_of, read_dump, sample, tmpdir

PTRACE_SEIZE, PTRACE_INTERRUPT, PTRACE_DETACH = 0x4206, 0x4207, 17
WALL = 0x40000000


def start(cmd, workdir, stdin=subprocess.DEVNULL, preexec_fn=None):
    """Starts a target with its output in workdir/out.txt; returns the Popen."""
    out = open(os.path.join(workdir, "out.txt"), "wb")
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    proc = subprocess.Popen(cmd, cwd=workdir, stdin=stdin, stdout=out, stderr=subprocess.STDOUT,
                            env=env, preexec_fn=preexec_fn)
    wait_until_loaded(proc.pid)
    return proc


def wait_until_loaded(pid, timeout=10):
    """Until the target runs its own code: its loader has mapped libc (or it is static)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/maps") as f:
                maps = f.read()
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            maps, exe = "", ""
        if "libc.so" in maps or (exe and "ld-linux" not in maps and maps):
            time.sleep(0.2)
            return
        time.sleep(0.02)
    raise AssertionError(f"process {pid} did not start")


def finish(proc, workdir, timeout=120):
    code = proc.wait(timeout=timeout)
    with open(os.path.join(workdir, "out.txt"), "rb") as f:
        return code, f.read()


def plain(cmd, workdir):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    p = subprocess.run(cmd, cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env, timeout=120)
    return p.returncode, p.stdout


def attach(pid, *args, workdir, timeout=120, slowburn=SLOWBURN, prefix=()):
    return subprocess.run(list(prefix) + [slowburn, "attach", str(pid)] + list(args), cwd=workdir,
                          capture_output=True, text=True, timeout=timeout)


def attach_in_background(pid, *args, workdir):
    """slowburn attach, returned once it says it is attached (and its stderr so far)."""
    attacher = subprocess.Popen([SLOWBURN, "attach", str(pid)] + list(args), cwd=workdir,
                                stderr=subprocess.PIPE, text=True)
    first = attacher.stderr.readline()
    assert "attached to" in first, first + attacher.stderr.read()
    return attacher, first


def libslowburn_mapped(pid):
    with open(f"/proc/{pid}/maps") as f:
        return "libslowburn" in f.read()


def children_of(pid):
    kids = []
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        with open(task) as f:
            kids += f.read().split()
    return kids


def leak_line():
    with open(os.path.join(ROOT, "samples", "at_service.cpp")) as f:
        for number, line in enumerate(f, 1):
            if "// the leak" in line:
                return number
    raise AssertionError("no leak marker in at_service.cpp")


def assert_untouched(pid):
    """A refused attach leaves nothing behind: no library, no tracer."""
    assert not libslowburn_mapped(pid), "libslowburn.so was loaded"
    with open(f"/proc/{pid}/status") as f:
        assert "TracerPid:\t0\n" in f.read(), "the process is still traced"


def assert_refused(result, *phrases):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("slowburn: error: "), result.stderr
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])


# --- the tests ---------------------------------------------------------------------

def test_attach_service_mid_run_keeps_output_and_names_the_leak():
    workdir = tmpdir()
    cmd = [sample("at_service"), "150"]
    expected = plain(cmd, workdir)
    assert expected[0] == 3 and b"signals 150/150" in expected[1], expected
    proc = start(cmd, workdir)
    time.sleep(0.5)
    result = attach(proc.pid, "--duration", "1.2", "--frames", "1", workdir=workdir)
    assert result.returncode == 0, result.stderr
    assert (finish(proc, workdir)) == expected, "the service's output or status changed"
    first = result.stderr.split("\n#1 ", 1)[1].split("\n#2", 1)[0]
    assert first.lstrip().startswith("GROWING"), first
    assert f"rememberSession" in first and f"at_service.cpp:{leak_line()})" in first, first
    assert "detached in" in result.stderr and "calls restored" in result.stderr
    dump = re.search(r"^dump: (.*)$", result.stderr, re.M).group(1)
    d = read_dump(dump)
    assert d.summary["saw_end"] and d.header["pid"] == proc.pid
    assert any("before recording started" in n["text"] for n in d.notes), d.notes


def test_attach_50_cycles_on_busy_threads_with_cross_thread_frees():
    workdir = tmpdir()
    read_end, write_end = os.pipe()
    # Niced: its four busy threads must not starve the timing of tests running beside it.
    proc = start([sample("at_churn")], workdir, stdin=read_end, preexec_fn=lambda: os.nice(10))
    os.close(read_end)
    try:
        for cycle in range(50):
            result = attach(proc.pid, "--duration", "0.03", "--top", "1", "--frames", "0",
                            workdir=workdir)
            assert result.returncode == 0, (cycle, result.stderr)
            assert proc.poll() is None, f"the process died in cycle {cycle}"
            assert not children_of(proc.pid) and collector_of(proc.pid, timeout=0) is None, \
                "a collector outlived its detach"
    finally:
        os.close(write_end)
    code, out = finish(proc, workdir)
    rounds = int(re.match(rb"rounds (\d+),", out).group(1))
    assert rounds > 50, out
    assert (code, out) == plain([sample("at_churn"), str(rounds)], workdir)
    assert len(glob.glob(os.path.join(workdir, "*.sb"))) == 50


def python3():
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def test_attach_to_python3_growing_a_list():
    workdir = tmpdir()
    script = os.path.join(workdir, "grow.py")
    with open(script, "w") as f:
        f.write("import time\n"
                "data = []\n"
                "for i in range(80):\n"
                "    data.append('x' * 100000 + str(i))\n"
                "    time.sleep(0.04)\n"
                "print('grew', len(data), sum(len(s) for s in data))\n")
    cmd = [python3(), script]
    expected = plain(cmd, workdir)
    proc = start(cmd, workdir)
    result = attach(proc.pid, "--duration", "1.5", "--frames", "0", workdir=workdir)
    assert result.returncode == 0, result.stderr
    assert finish(proc, workdir) == expected
    assert "#1   GROWING" in result.stderr, result.stderr


# --- the target's own life while attached --------------------------------------------------

def test_attach_a_target_that_forks_leaves_children_unrecorded_and_unchanged():
    workdir = tmpdir()
    cmd = [sample("at_forker"), "fork", "30"]
    expected = plain(cmd, workdir)
    proc = start(cmd, workdir)
    result = attach(proc.pid, "--duration", "1", workdir=workdir)
    assert result.returncode == 0, result.stderr
    assert finish(proc, workdir) == expected
    dumps = glob.glob(os.path.join(workdir, "*.sb"))
    assert len(dumps) == 1 and f".{proc.pid}." in dumps[0], dumps  # the children have none
    assert read_dump(dumps[0]).summary["saw_end"]


def test_attach_a_target_that_execs_ends_the_dump_and_leaves_the_new_image_clean():
    workdir = tmpdir()
    cmd = [sample("at_forker"), "exec", "16"]
    expected = plain(cmd, workdir)
    proc = start(cmd, workdir)
    result = attach(proc.pid, "--duration", "20", workdir=workdir)
    assert result.returncode == 0, result.stderr
    assert "exec'd another program while attached" in result.stderr, result.stderr
    assert proc.poll() is None and not libslowburn_mapped(proc.pid)
    assert finish(proc, workdir) == expected
    dump = re.search(r"^dump: (.*)$", result.stderr, re.M).group(1)
    assert any("exec()" in n["text"] for n in read_dump(dump).notes)


def test_attach_a_target_that_exits_while_attached_finishes_the_dump():
    workdir = tmpdir()
    cmd = [sample("at_service"), "60"]
    expected = plain(cmd, workdir)
    proc = start(cmd, workdir)
    began = time.monotonic()
    result = attach(proc.pid, "--duration", "30", workdir=workdir)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - began < 20, "attach waited for its whole duration"
    assert "ended while attached" in result.stderr, result.stderr
    assert finish(proc, workdir) == expected
    dump = re.search(r"^dump: (.*)$", result.stderr, re.M).group(1)
    assert read_dump(dump).summary["saw_end"], "the exit finished the dump with END"


def test_attach_ctrl_c_detaches_cleanly_and_reports():
    workdir = tmpdir()
    cmd = [sample("at_service"), "120"]
    expected = plain(cmd, workdir)
    proc = start(cmd, workdir)
    attacher, first = attach_in_background(proc.pid, workdir=workdir)
    time.sleep(1.2)
    attacher.send_signal(signal.SIGINT)
    _, err = attacher.communicate(timeout=60)
    err = first + err
    assert attacher.returncode == 0, err
    assert "detached in" in err and "#1   GROWING" in err, err
    assert not libslowburn_mapped(proc.pid) or proc.poll() is None
    assert finish(proc, workdir) == expected


# --- refusals: one line, exit 2, the target untouched ----------------------------------------

def test_attach_refuses_a_pid_that_is_gone():
    workdir = tmpdir()
    gone = subprocess.Popen(["true"])
    gone.wait()
    assert_refused(attach(gone.pid, workdir=workdir), f"no process {gone.pid}")


def test_attach_refuses_a_statically_linked_target():
    workdir = tmpdir()
    proc = start([sample("at_static"), "30"], workdir)
    assert_refused(attach(proc.pid, workdir=workdir), "statically linked")
    assert_untouched(proc.pid)
    assert finish(proc, workdir) == (0, b"static done after 30 naps\n")


def test_attach_refuses_a_target_another_tracer_holds():
    workdir = tmpdir()
    # This stand-in tracer never waits: a signal would stop the thread until it detaches
    # and be lost there, so the target is one whose output no signal decides.
    cmd = [sample("at_forker"), "fork", "30"]
    expected = plain(cmd, workdir)
    proc = start(cmd, workdir)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    assert libc.ptrace(PTRACE_SEIZE, proc.pid, None, None) == 0, ctypes.get_errno()
    try:
        result = attach(proc.pid, workdir=workdir)
        assert_refused(result, "already traced by", str(os.getpid()))
        assert not libslowburn_mapped(proc.pid)
    finally:
        libc.ptrace(PTRACE_INTERRUPT, proc.pid, None, None)
        os.waitpid(proc.pid, WALL)
        libc.ptrace(PTRACE_DETACH, proc.pid, None, None)
    assert finish(proc, workdir) == expected


def test_attach_refuses_without_ptrace_permission():
    workdir = tmpdir()
    os.chmod(workdir, 0o755)
    if os.geteuid() == 0:
        # A service user's process, and a root without CAP_SYS_PTRACE (a container's).
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
               sample("at_service"), "60"]
        proc = start(cmd, workdir)
        pid = int(subprocess.check_output(["pgrep", "-P", str(proc.pid)]).split()[0]) \
            if subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True).stdout \
            else proc.pid
        result = attach(pid, workdir=workdir,
                        prefix=["setpriv", "--inh-caps=-sys_ptrace", "--bounding-set=-sys_ptrace"])
        assert_refused(result, "lacks CAP_SYS_PTRACE", "--cap-add=SYS_PTRACE")
        assert_untouched(pid)
        assert finish(proc, workdir)[0] == 3
    else:
        assert_refused(attach(1, workdir=workdir), "CAP_SYS_PTRACE")


def in_mount_namespace_with_yama(scope, argv):
    """argv run where /proc/sys/kernel/yama/ptrace_scope reads `scope`."""
    script = ("mount -t tmpfs none /proc/sys/kernel && mkdir -p /proc/sys/kernel/yama && "
              f"echo {scope} > /proc/sys/kernel/yama/ptrace_scope && exec \"$@\"")
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    return unshare + ["sh", "-c", script, "sh"] + argv


def test_attach_refuses_when_yama_forbids_ptrace():
    workdir = tmpdir()
    cmd = [sample("at_service"), "60"]
    expected = plain(cmd, workdir)
    proc = start(cmd, workdir)
    result = subprocess.run(in_mount_namespace_with_yama(3, [SLOWBURN, "attach", str(proc.pid)]),
                            capture_output=True, text=True, timeout=60)
    assert_refused(result, "kernel.yama.ptrace_scope = 3")
    result = subprocess.run(
        in_mount_namespace_with_yama(2, ["setpriv", "--inh-caps=-sys_ptrace",
                                         "--bounding-set=-sys_ptrace", SLOWBURN, "attach",
                                         str(proc.pid)]),
        capture_output=True, text=True, timeout=60)
    assert_refused(result, "kernel.yama.ptrace_scope = 2", "CAP_SYS_PTRACE")
    assert_untouched(proc.pid)
    assert finish(proc, workdir) == expected


def test_attach_refuses_when_the_library_or_the_collector_is_missing():
    workdir = tmpdir()
    cmd = [sample("at_service"), "60"]
    expected = plain(cmd, workdir)
    proc = start(cmd, workdir)
    alone = os.path.join(workdir, "alone")
    os.makedirs(os.path.join(alone, "bin"))
    shutil.copy(SLOWBURN, os.path.join(alone, "bin", "slowburn"))
    assert_refused(attach(proc.pid, workdir=workdir, slowburn=os.path.join(alone, "bin", "slowburn")),
                   "libslowburn.so not found")
    shutil.copy(PRELOAD, os.path.join(alone, "bin", "libslowburn.so"))
    assert_refused(attach(proc.pid, workdir=workdir, slowburn=os.path.join(alone, "bin", "slowburn")),
                   "slowburn-collector not found")
    assert_untouched(proc.pid)
    assert finish(proc, workdir) == expected


def test_attach_redirects_a_module_loaded_later_along_the_callers_runpath():
    workdir = tmpdir()
    host = sample("at_plugin_host")
    expected = subprocess.run([host], input=b"go\n", capture_output=True, timeout=60)
    assert expected.stdout == b"plugin kept 6 blocks\n", expected
    read_end, write_end = os.pipe()
    proc = start([host], workdir, stdin=read_end)
    os.close(read_end)
    attacher, first = attach_in_background(proc.pid, "--duration", "2", workdir=workdir)
    os.write(write_end, b"go\n")  # the plugin is loaded while attached
    _, err = attacher.communicate(timeout=60)
    err = first + err
    os.close(write_end)
    assert attacher.returncode == 0, err
    assert finish(proc, workdir) == (0, expected.stdout)
    dump = re.search(r"^dump: (.*)$", err, re.M).group(1)
    report = subprocess.run([SLOWBURN, "export", dump, "--format", "json"], capture_output=True,
                            text=True, check=True)
    import json
    sites = json.loads(report.stdout)["sites"]
    plugin = [s for s in sites if s["location"]["function"].startswith("pluginKeep")]
    assert plugin and plugin[0]["live_bytes_end"] == 6 * 50001, sites
