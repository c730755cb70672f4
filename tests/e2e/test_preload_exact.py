"""Exact live bytes and counts per call site, through the real preload."""
import os
import shutil

from harness import BUILD, export_json
from test_preload_support import only_dump, run_sample, sample, sites_in_function, tmpdir

N, M = 100, 60


def check_exact(name, env=None):
    proc, dumps, _ = run_sample(name, N, M, env=env)
    assert b"allocated 100 x 10001 and 60 x 20001" in proc.stdout, proc.stdout
    dump = only_dump(dumps)
    assert dump.summary["saw_end"] and not dump.summary["truncated"], dump.summary
    assert dump.ends[0]["dropped_events"] == 0, dump.ends
    state = dump.final_state()
    small = sites_in_function(dump, sample(name), "allocateSmall")
    large = sites_in_function(dump, sample(name), "allocateLarge")
    assert len(small) == 1 and len(large) == 1, (small, large, dump.sites)
    s, l = state[small[0]], state[large[0]]
    assert s["live_bytes"] == (N - N // 2) * 10001, s
    assert s["live_count"] == N - N // 2 and s["allocs"] == N and s["frees"] == N // 2, s
    assert l["live_bytes"] == (M - M // 2) * 20001, l
    assert l["live_count"] == M - M // 2 and l["allocs"] == M and l["frees"] == M // 2, l
    # The peak is the true high-water mark, before half was freed, even within one interval.
    assert s["peak_bytes"] == N * 10001, s
    assert l["peak_bytes"] == M * 20001, l
    return dump


def test_preload_exact_live_bytes_per_site():
    check_exact("pl_exact")


def test_exact_peak_reaches_the_report():
    dump = check_exact("pl_exact")
    report = export_json(dump.path)
    peaks = {site["location"]["function"]: site["peak_live_bytes"] for site in report["sites"]
             if site["kind"] == "alloc"}
    small = [peak for function, peak in peaks.items() if "allocateSmall" in function]
    assert small == [N * 10001], peaks
    assert report["totals"]["peak_live_bytes"] >= N * 10001 + M * 20001, report["totals"]


def test_preload_exact_with_z_now_binding():
    # Every symbol bound at load time: the hooks must be the ones bound.
    check_exact("pl_exact_now")


def test_preload_site_records_precede_their_use():
    _, dumps, _ = run_sample("pl_exact", 10, 10)
    dump = only_dump(dumps)
    seen_sites, seen_modules = set(), 0
    for rec in dump.records:
        if rec["type"] == "module":
            seen_modules += 1
        elif rec["type"] == "site":
            assert seen_modules > 0, "SITE before any MODULE"
            seen_sites.add(rec["id"])
        elif rec["type"] == "snapshot":
            for c in rec["changes"]:
                assert c["site"] in seen_sites, f"site {c['site']} used before its SITE"
    times = [s["time_ns"] for s in dump.snapshots]
    assert times == sorted(times) and len(times) >= 1, times


def test_preload_exact_with_the_library_alone_collects_in_a_copy_of_the_program():
    # No slowburn-collector beside the library: a copy of the program collects instead.
    lonely = os.path.join(tmpdir(), "libslowburn.so")
    shutil.copy(os.path.join(BUILD, "libslowburn.so"), lonely)
    check_exact("pl_exact", env={"LD_PRELOAD": lonely})
