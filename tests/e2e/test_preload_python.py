"""Debian's python3 with its default allocator: a module-level list of dicts grows through
pymalloc's mmap'ed arenas, which malloc never sees, and is ranked by them."""
import os

from harness import ROOT, export_json, run_profiled, slowburn, tmpdir

PYTHON = "/usr/bin/python3"  # Debian's interpreter, not a version manager's shim
SCRIPT = os.path.join(ROOT, "samples", "py_growing_cache.py")


def test_python_growing_a_list_of_dicts_is_ranked_growing_first_by_its_arenas():
    workdir = tmpdir()
    # -I: no PYTHON* variable (PYTHONMALLOC) may pick another allocator.
    proc, dumps = run_profiled([PYTHON, "-I", SCRIPT, "3"], workdir,
                               env={"SLOWBURN_INTERVAL_MS": "100"})
    assert int(proc.stdout) > 10000, proc.stdout
    # python3 takes malloc's address (a canonical PLT entry in the executable): its malloc
    # is still the preload's, and nothing is said about it.
    assert b"malloc is defined by" not in proc.stderr, proc.stderr
    assert len(dumps) == 1, dumps
    report = export_json(dumps[0])
    top = report["sites"][0]
    summary = [(s["rank"], s["kind"], s["class"], s["growth_bytes_per_s"])
               for s in report["sites"][:5]]
    assert top["kind"] == "mmap" and top["class"] == "GROWING", summary
    assert top["interpreter"].startswith("python3"), top["interpreter"]
    # The arenas explain the RSS growth; the heap (malloc) explains little of it.
    account = report["process"]["rss_account"]
    assert account["mapped_growth_bytes"] > 4 * max(account["heap_growth_bytes"], 0), account
    assert account["explained"] >= 0.8, account
    text = slowburn(["report", dumps[0], "--top", "1"]).stdout
    assert "these frames are the python3" in text and "interpreter's" in text, text
    assert "tracked heap" in text and "mappings +" in text, text
