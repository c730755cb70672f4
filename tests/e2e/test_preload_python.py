"""Debian's python3 with its default allocator: a module-level list of dicts grows through
pymalloc's mmap'ed arenas, which malloc never sees, and is ranked by them."""
import os
import signal
import subprocess
import time

from harness import PRELOAD, ROOT, export_json, slowburn, tmpdir

PYTHON = "/usr/bin/python3"  # Debian's interpreter, not a version manager's shim
SCRIPT = os.path.join(ROOT, "samples", "py_growing_cache.py")


def profile_until_killed(seconds):
    """Runs the growing cache under the preload and kills it (-9) after seconds, as the OOM
    killer ends a service: no interpreter teardown frees the cache first. Returns (stderr,
    dump path) once the collector has written its last snapshot."""
    workdir = tmpdir()
    env = dict(os.environ, LD_PRELOAD=PRELOAD, SLOWBURN_INTERVAL_MS="100")
    env.pop("SLOWBURN_OUT", None)
    # -I: no PYTHON* variable (PYTHONMALLOC) may pick another allocator.
    proc = subprocess.Popen([PYTHON, "-I", SCRIPT, "600"], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    _, stderr = proc.communicate(timeout=30)
    # The collector outlives the program by a moment: wait for the dump to stop growing.
    dumps, size, stable_since = [], -1, time.monotonic()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        dumps = [os.path.join(workdir, f) for f in os.listdir(workdir) if f.endswith(".sb")]
        now = sum(os.path.getsize(d) for d in dumps)
        if now != size:
            size, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since > 0.5:
            break
        time.sleep(0.05)
    assert len(dumps) == 1, dumps
    return stderr, dumps[0]


def test_python_growing_a_list_of_dicts_is_ranked_growing_first_by_its_arenas():
    stderr, dump = profile_until_killed(4)
    # python3 takes malloc's address (a canonical PLT entry in the executable): its malloc
    # is still the preload's, and nothing is said about it.
    assert b"malloc is defined by" not in stderr, stderr
    report = export_json(dump)
    top = report["sites"][0]
    summary = [(s["rank"], s["kind"], s["class"], s["growth_bytes_per_s"], s["trend"])
               for s in report["sites"][:5]]
    assert top["kind"] == "mmap" and top["class"] == "GROWING", summary
    assert top["interpreter"].startswith("python3"), top["interpreter"]
    # The arenas explain the RSS growth; the heap (malloc) explains little of it.
    account = report["process"]["rss_account"]
    assert account["mapped_growth_bytes"] > 4 * max(account["heap_growth_bytes"], 0), account
    assert account["explained"] >= 0.8, account
    text = slowburn(["report", dump, "--top", "1"]).stdout
    assert "these frames are the python3" in text and "interpreter's" in text, text
    assert "tracked heap" in text and "mappings +" in text, text
