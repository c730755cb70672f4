"""Programs linked with Debian's jemalloc, tcmalloc and mimalloc: every operator new and
delete form and each allocator's own entry points are recorded with exact bytes, and the
mappings the allocators make inside those calls are not counted a second time."""
from harness import export_json
from test_preload_support import only_dump, run_sample, sample, sites_in_function
from test_analyzer_shapes import describe, marker_line, profile, profile_dump

ALLOCATORS = ("jemalloc", "tcmalloc", "mimalloc")

# Kept blocks: function -> bytes. Every freedBy... function allocated one block and freed it.
CXX_KEPT = {"keptNew": 10011, "keptNewArray": 10013, "keptNewNothrow": 10015,
            "keptNewArrayNothrow": 10017, "keptNewAligned": 10019, "keptNewArrayAligned": 10021,
            "keptNewAlignedNothrow": 10023, "keptNewArrayAlignedNothrow": 10025,
            "keptNewExpression": 10027}
CXX_FREED = ["freedByDelete", "freedByDeleteArray", "freedBySizedDelete",
             "freedBySizedDeleteArray", "freedByNothrowDelete", "freedByNothrowDeleteArray",
             "freedByAlignedDelete", "freedByAlignedDeleteArray", "freedBySizedAlignedDelete",
             "freedBySizedAlignedDeleteArray", "freedByAlignedNothrowDelete",
             "freedByAlignedNothrowDeleteArray"]
TC_CXX_KEPT = {"keptTcNew": 10029, "keptTcNewArray": 10031, "keptTcNewNothrow": 10033,
               "keptTcNewAligned": 10035}
TC_CXX_FREED = ["freedByTcDelete", "freedByTcDeleteSized", "freedByTcDeleteArray",
                "freedByTcDeleteAligned"]

# The C entry points (samples/pl_allocator_api.c). A realloc-like call's block belongs to
# its caller (moved..., resized...), and the block it came from is freed.
API_KEPT = {
    "jemalloc": {"keptMallocx": 30011, "keptMallocxZeroAligned": 30013,
                 "movedByRallocx": 90001, "resizedInPlace": 31000},
    "tcmalloc": {"keptTcMalloc": 30011, "keptTcCalloc": 7 * 4289, "keptTcMemalign": 30029,
                 "keptTcPosixMemalign": 30031, "keptTcValloc": 30037, "keptTcPvalloc": 30041,
                 "keptTcSkipNewHandler": 30047, "movedByTcRealloc": 90001},
    "mimalloc": {"keptMiMalloc": 30011, "keptMiZalloc": 30013, "keptMiCalloc": 7 * 4289,
                 "keptMiMallocn": 3 * 10007, "keptMiMallocAligned": 30029,
                 "keptMiMallocAlignedAt": 30031, "keptMiPosixMemalign": 30037,
                 "keptMiStrdup": len("slowburn") + 1, "keptMiStrndup": 4 + 1,
                 "keptMiNew": 30041, "keptMiNewN": 3 * 10009, "movedByMiRealloc": 90001,
                 "movedByMiReallocf": 90007},
}
API_FREED = {
    "jemalloc": ["freedBySdallocx", "freedByDallocx", "grownFrom", "resizedFrom"],
    "tcmalloc": ["freedByTcFree", "freedByTcFreeSized", "freedByTcCfree", "grownFrom"],
    # lostFrom's block went with the failed mi_reallocf that was given it.
    "mimalloc": ["freedByMiFree", "freedByMiFreeSize", "freedByMiFreeAligned", "grownFrom",
                 "grownFromF", "lostFrom"],
}


def check_program(name, kept, freed):
    proc, dumps, _ = run_sample(name)
    assert proc.stdout.split()[-1] == b"ok", (name, proc.stdout, proc.stderr)
    dump = only_dump(dumps)
    assert dump.summary["saw_end"] and dump.ends[0]["dropped_events"] == 0, name
    state = dump.final_state()
    exe = sample(name)

    def site(function):
        ids = sites_in_function(dump, exe, function)
        assert len(ids) == 1, (name, function, ids)
        s = state[ids[0]]
        return s["live_bytes"], s["live_count"], s["allocs"], s["frees"]

    for function, size in kept.items():
        assert site(function) == (size, 1, 1, 0), (name, function, site(function))
    for function in freed:
        assert site(function) == (0, 0, 1, 1), (name, function, site(function))
    # The allocators mapped their memory inside the recorded calls: counted once, as blocks.
    mapped = [s for s in dump.sites.values() if s["kind"] == "mmap"]
    assert mapped == [], (name, mapped)


def test_every_operator_new_and_delete_form_with_libstdcxx():
    check_program("pl_cxx_forms", CXX_KEPT, CXX_FREED)


def test_every_operator_new_and_delete_form_with_each_allocator():
    for allocator in ALLOCATORS:
        kept, freed = dict(CXX_KEPT), list(CXX_FREED)
        if allocator == "tcmalloc":
            kept.update(TC_CXX_KEPT)
            freed += TC_CXX_FREED
        check_program(f"pl_cxx_forms_{allocator}", kept, freed)


def test_each_allocators_own_c_entry_points():
    for allocator in ALLOCATORS:
        check_program(f"pl_allocator_api_{allocator}", API_KEPT[allocator], API_FREED[allocator])


def test_the_incident_service_linked_with_jemalloc_is_ranked_as_with_glibc():
    # jemalloc's operator new never calls malloc: without its own hooks this dump was empty.
    report = profile("incident_leaky_jemalloc", 300)
    top = report["sites"][0]
    assert top["kind"] == "alloc" and top["class"] == "GROWING", describe(report)
    expected = marker_line("incident_leaky.cpp", "cache.push_back(data);  // the leak")
    assert "handle" in top["location"]["function"], describe(report)
    assert top["location"]["line"] == expected, (top["location"], expected)
    # The line's leading stack is the strings' copies: 61441 bytes each (the vector's own
    # buffer is another stack of the same line).
    lead = top["stacks"][0] if "stacks" in top else top
    assert lead["id"] == top["id"], top
    assert lead["peak_live_bytes"] % 61441 == 0 and lead["peak_live_bytes"] >= 250 * 61441, top


def test_jemalloc_sampled_books_none_of_its_own_mappings():
    # Sampled, most calls are not recorded; what jemalloc maps inside them is still its own
    # business, not a mapping of the program's.
    dump = profile_dump("incident_leaky_jemalloc", 300, env={"SLOWBURN_SAMPLE_BYTES": "524288"})
    report = export_json(dump)
    assert not [s for s in report["sites"] if s["kind"] == "mmap"], describe(report)
    # 300 requests leak ~18 MB, under 64 sampling intervals: the verdict may go either way,
    # but the leak's line is the biggest.
    expected = marker_line("incident_leaky.cpp", "cache.push_back(data);  // the leak")
    assert report["sites"][0]["location"]["line"] == expected, describe(report)


def test_an_allocator_linked_in_statically_is_said_once_and_its_mappings_are_ranked():
    name = "incident_leaky_static_jemalloc"
    proc, dumps, _ = run_sample(name, 300)
    said = [line for line in proc.stderr.decode().splitlines() if "malloc is defined by" in line]
    assert len(said) == 1 and name in said[0], proc.stderr
    dump = only_dump(dumps)
    assert [n for n in dump.notes if "malloc is defined by" in n["text"]], dump.notes
    report = export_json(dump.path)
    assert any("malloc is defined by" in n for n in report["process"]["notes"])
    # No block reached the hooks; what jemalloc mapped for the 300 request bodies did.
    assert report["totals"]["allocs"] == 0, report["totals"]
    top = report["sites"][0]
    assert top["kind"] == "mmap", describe(report)
    assert top["live_bytes_before_exit"] >= 300 * 61441, top
    assert any("handle" in f["function"] for f in top["frames"]), top["frames"]


def test_a_program_with_the_preloads_malloc_says_nothing_of_it():
    proc, dumps, _ = run_sample("pl_cxx_forms_jemalloc")
    assert b"malloc is defined by" not in proc.stderr, proc.stderr
    assert not [n for n in only_dump(dumps).notes if "malloc is defined by" in n["text"]]
