"""make install / make uninstall into a DESTDIR, and the installed slowburn at work: its
`run` finds the installed preload, which starts the installed collector."""
import glob
import os
import subprocess
import time

from harness import BUILD, ROOT, collector_of, sample, tmpdir

PREFIX = "/usr/local"
INSTALLED = ["bin/slowburn", "lib/slowburn/libslowburn.so", "lib/slowburn/slowburn-collector",
             "share/man/man1/slowburn.1", "share/doc/slowburn/README.md",
             "share/doc/slowburn/FORMAT.md", "share/doc/slowburn/RANKING.md",
             "share/doc/slowburn/JSON.md"]


def make(target, destdir):
    # Relative, as `make` names the objects: header dependencies are recorded under that name.
    proc = subprocess.run(["make", "--no-print-directory", "-s", target,
                           f"BUILD={os.path.relpath(BUILD, ROOT)}",
                           f"PREFIX={PREFIX}", f"DESTDIR={destdir}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc


def children(pid):
    """Process ids whose parent is pid."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat) as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(os.path.basename(os.path.dirname(stat))))
        except (OSError, ValueError, IndexError):
            continue
    return found


def executable(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def test_install_run_and_uninstall_from_a_destdir():
    destdir = tmpdir()
    make("install", destdir)
    root = destdir + PREFIX
    for path in INSTALLED:
        assert os.path.isfile(os.path.join(root, path)), path
    assert os.access(os.path.join(root, "bin/slowburn"), os.X_OK)
    assert os.access(os.path.join(root, "lib/slowburn/slowburn-collector"), os.X_OK)

    # The man page renders without a warning, and man finds it under the prefix.
    groff = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z",
                            os.path.join(root, "share/man/man1/slowburn.1")],
                           capture_output=True, text=True)
    assert groff.returncode == 0 and groff.stderr == "", groff.stderr
    page = subprocess.run(["man", "-P", "cat", "slowburn"], capture_output=True, text=True,
                          env=dict(os.environ, MANPATH=os.path.join(root, "share/man"),
                                   MANWIDTH="100"))
    assert page.returncode == 0 and "slowburn html" in page.stdout, page.stderr

    # The installed CLI runs a program under the installed preload ...
    slowburn = os.path.join(root, "bin/slowburn")
    out = tmpdir()
    env = dict(os.environ, SLOWBURN_INTERVAL_MS="20")
    env.pop("LD_PRELOAD", None)
    shown = subprocess.run([slowburn, "run", "--out", out, "--", "printenv", "LD_PRELOAD"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == os.path.join(root, "lib/slowburn/libslowburn.so"), shown.stdout

    # ... which starts the installed collector beside itself ...
    proc = subprocess.Popen([slowburn, "run", "--out", out, "--", sample("incident_leaky"), "300"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    collector = os.path.join(root, "lib/slowburn/slowburn-collector")
    seen = set()
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline and collector not in seen:
        for program in children(proc.pid):  # slowburn -> the program; its collector apart
            seen.add(executable(collector_of(program, timeout=0)))
        time.sleep(0.02)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert collector in seen, seen

    # ... and a real dump comes out, reported by the installed analyzer.
    dumps = glob.glob(os.path.join(out, "slowburn.incident_leaky.*.sb"))
    assert len(dumps) == 1, os.listdir(out)
    assert "#1   GROWING" in stderr and "handle(int)" in stderr, stderr
    report = subprocess.run([slowburn, "html", dumps[0], "-o", os.path.join(out, "r.html")],
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr

    make("uninstall", destdir)
    left = [os.path.join(d, f) for d, _, files in os.walk(destdir) for f in files]
    assert left == [], left
    assert not os.path.exists(os.path.join(root, "lib/slowburn"))
    assert not os.path.exists(os.path.join(root, "share/doc/slowburn"))

