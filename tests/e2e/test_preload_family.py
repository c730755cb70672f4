"""Every interposed allocation function is recorded at its caller, and the realloc
corner cases keep the books straight."""
from test_preload_support import only_dump, run_sample, sample, sites_in_function

KEPT = {"viaCalloc": 7007, "viaPosixMemalign": 7011, "viaAlignedAlloc": 7040,
        "viaMemalign": 7013, "viaValloc": 7017, "viaPvalloc": 7019,
        "viaReallocarray": 7023, "viaReallocNull": 7027,
        "failedRealloc": 7031, "overflowingReallocarray": 7039, "grownTo": 7047}


def test_preload_every_allocation_function_and_realloc_corner_case():
    proc, dumps, _ = run_sample("pl_family")
    assert proc.stdout == b"ok\n", (proc.stdout, proc.stderr)  # errno and results intact
    dump = only_dump(dumps)
    state = dump.final_state()
    exe = sample("pl_family")

    def site(name):
        ids = sites_in_function(dump, exe, name)
        assert len(ids) == 1, (name, ids)
        return state[ids[0]]

    for name, size in KEPT.items():
        s = site(name)
        assert (s["live_bytes"], s["live_count"], s["allocs"], s["frees"]) == (size, 1, 1, 0), \
            (name, s)
    # realloc(p, 0) freed the block; a successful realloc freed the old one.
    for name in ("reallocToZero", "grownFrom"):
        s = site(name)
        assert (s["live_bytes"], s["allocs"], s["frees"]) == (0, 1, 1), (name, s)
