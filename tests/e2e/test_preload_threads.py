"""Eight threads, cross-thread frees and realloc chains: every total exact, nothing lost."""
from test_preload_support import only_dump, run_sample, sample, sites_in_function

THREADS, PER, KEEP = 8, 100000, 100


def test_preload_threads_cross_thread_frees_and_realloc_chains_are_exact():
    proc, dumps, _ = run_sample("pl_threads", PER, KEEP)
    assert b"800 chains kept" in proc.stdout, proc.stdout
    dump = only_dump(dumps)
    assert dump.summary["saw_end"], dump.summary
    assert dump.ends[0]["dropped_events"] == 0, dump.ends
    assert not [n for n in dump.notes if n["kind"] == "dropped_events"], dump.notes
    state = dump.final_state()
    exe = sample("pl_threads")

    def one(name):
        ids = sites_in_function(dump, exe, name)
        assert len(ids) == 1, (name, ids)
        return state[ids[0]]

    chains = THREADS * PER // 10
    handoff = one("handoffBlock")
    assert handoff == dict(handoff, allocs=THREADS * PER, frees=THREADS * PER,
                           live_bytes=0, live_count=0), handoff
    start = one("chainStart")
    assert start == dict(start, allocs=chains, frees=chains, live_bytes=0), start
    grow = one("chainGrow(")
    assert grow == dict(grow, allocs=chains, frees=chains, live_bytes=0), grow
    last = one("chainGrowAgain")
    kept = THREADS * KEEP
    assert last == dict(last, allocs=chains, frees=chains - kept, live_count=kept,
                        live_bytes=kept * 303), last


def test_preload_threads_started_and_ended_at_a_high_rate():
    proc, dumps, _ = run_sample("pl_threadchurn", 125)
    assert proc.stdout == b"1000 threads\n", proc.stdout
    dump = only_dump(dumps)
    assert dump.ends[0]["dropped_events"] == 0
    state = dump.final_state()
    by_size = {}
    for sid in sites_in_function(dump, sample("pl_threadchurn"), "shortLivedWork"):
        s = state[sid]
        by_size[s["allocs"], s["frees"]] = s
    temp, kept = by_size.get((1000, 1000)), by_size.get((1000, 500))
    assert temp is not None and temp["live_bytes"] == 0, by_size
    assert kept is not None and kept["live_bytes"] == 500 * 5003, by_size


def test_preload_exit_from_a_worker_thread_still_ends_the_dump():
    proc, dumps, _ = run_sample("pl_exitthread")
    assert proc.stdout == b"exiting from a worker\n" and proc.returncode == 0
    dump = only_dump(dumps)
    assert dump.summary["saw_end"] and len(dump.ends) == 1, dump.summary
    assert [r["type"] for r in dump.records[-3:]] == ["snapshot", "end", "summary"]
