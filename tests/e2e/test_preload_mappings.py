"""Private anonymous mappings are booked per call site (kind mmap), exactly, through partial
munmap, mremap moves and shrinks, failed mremaps, MAP_FIXED replacement, brk and sbrk; and
what is no private memory (reservations, files) or is glibc malloc's own is not."""
from harness import export_json
from test_preload_support import only_dump, run_sample, sample, sites_in_function

# function -> (live bytes in pages or bytes, live ranges, mappings made, ranges unmapped whole)
PAGES = {
    "keptWhole": (5, 1, 1, 0),
    "partlyUnmapped": (5, 2, 1, 0),      # 8 pages, the middle 3 unmapped
    "mappedForMove": (0, 0, 1, 1),       # moved away by mremap
    "movedAndGrown": (16, 1, 1, 0),      # the mremap's own site holds the new range
    "mappedForShrink": (0, 0, 1, 1),
    "shrunkInPlace": (3, 1, 1, 0),
    "failedRemapKeeps": (2, 1, 1, 0),    # the failed mremap left it as it was
    "replacedInPart": (3, 2, 1, 0),      # 6 pages, 2 replaced by an anonymous MAP_FIXED
    "fixedOver": (2, 1, 1, 0),           # mapping, 1 by a file mapping
}


def mapping_run():
    proc, dumps, _ = run_sample("pl_mappings")
    lines = proc.stdout.decode().split()
    assert lines[-1] == "ok", (proc.stdout, proc.stderr)  # every call behaved
    page = int(lines[1])
    return page, only_dump(dumps)


def one_site(dump, name, kind):
    ids = sites_in_function(dump, sample("pl_mappings"), name, kind=kind)
    assert len(ids) == 1, (name, kind, ids, dump.sites)
    return dump.final_state()[ids[0]]


def test_preload_books_every_mapping_exactly_through_unmaps_moves_and_replacements():
    page, dump = mapping_run()
    assert dump.summary["saw_end"] and dump.ends[0]["dropped_events"] == 0
    for name, (pages, ranges, made, unmapped) in PAGES.items():
        s = one_site(dump, name, "mmap")
        got = (s["live_bytes"], s["live_count"], s["allocs"], s["frees"])
        assert got == (pages * page, ranges, made, unmapped), (name, s)
    # sbrk: 3 pages and 100 bytes up, 100 back; brk: 5000 bytes up. Byte-exact, not paged.
    sb = one_site(dump, "sbrkUpAndDown", "mmap")
    assert (sb["live_bytes"], sb["peak_bytes"]) == (3 * page, 3 * page + 100), sb
    assert one_site(dump, "breakMovedUp", "mmap")["live_bytes"] == 5000


def test_preload_leaves_reservations_files_and_mallocs_own_mappings_out_of_the_books():
    _, dump = mapping_run()
    exe = sample("pl_mappings")
    for name in ("reservation", "fileMapping", "fileOver", "largeMalloc"):
        assert sites_in_function(dump, exe, name, kind="mmap") == [], name
    # glibc mapped the 4 MiB block itself: it is counted once, as an allocation.
    assert one_site(dump, "largeMalloc", "alloc")["live_bytes"] == 4 << 20


def test_mapping_sites_reach_the_report_as_kind_mmap():
    page, dump = mapping_run()
    report = export_json(dump.path)
    mapped = [s for s in report["sites"] if s["kind"] == "mmap"]
    moved = [s for s in mapped if "movedAndGrown" in s["location"]["function"]]
    assert len(moved) == 1 and moved[0]["live_bytes_end"] == 16 * page, mapped
    assert "op" not in moved[0] and moved[0]["class"] in ("STABLE", "TRANSIENT", "PLATEAU")
    assert report["process"]["mapped_bytes_end"] == sum(s["live_bytes_end"] for s in mapped)
    # The heap totals stay the heap's.
    heap = sum(s["live_bytes_end"] for s in report["sites"] if s["kind"] == "alloc")
    assert report["totals"]["live_bytes_end"] == heap


def test_mapping_sites_are_exact_when_allocations_are_sampled():
    # Sampling is for the malloc family; mappings are few and always counted whole.
    proc, dumps, _ = run_sample("pl_mappings", env={"SLOWBURN_SAMPLE_BYTES": "65536"})
    page = int(proc.stdout.decode().split()[1])
    dump = only_dump(dumps)
    assert dump.header["sample_bytes"] == 65536
    for name, (pages, ranges, made, unmapped) in PAGES.items():
        s = one_site(dump, name, "mmap")
        assert (s["live_bytes"], s["live_count"]) == (pages * page, ranges), (name, s)


def test_no_mapping_but_the_programs_own_is_booked():
    # The profiler maps its channel, its tables and libunwind's caches; glibc maps the
    # loader's objects and its arenas: none of it is the program's.
    proc, dumps, _ = run_sample("pl_exact", 100, 60)
    assert [s for s in only_dump(dumps).sites.values() if s["kind"] == "mmap"] == []
    _, dump = mapping_run()
    exe = sample("pl_mappings")
    booked = {sid for sid, s in dump.sites.items() if s["kind"] == "mmap"}
    expected = {sid for name in list(PAGES) + ["sbrkUpAndDown", "breakMovedUp"]
                for sid in sites_in_function(dump, exe, name, kind="mmap")}
    assert booked == expected, (booked - expected, dump.sites)


def test_threads_mapping_and_unmapping_at_once_keep_the_books_exact():
    # Freed ranges are reused by other threads at once: an unmap booked after the range
    # was freed would take another thread's new mapping with it.
    proc, dumps, _ = run_sample("pl_mapping_threads")
    words = proc.stdout.decode().split()
    assert words[-1] == "ok", proc.stdout
    page, kept = int(words[1]), int(words[3])
    assert kept == 4 * 30, words
    dump = only_dump(dumps)
    assert dump.ends[0]["dropped_events"] == 0
    ids = sites_in_function(dump, sample("pl_mapping_threads"), "mapPages", kind="mmap")
    assert len(ids) == 1, (ids, dump.sites)
    s = dump.final_state()[ids[0]]
    assert (s["live_bytes"], s["live_count"]) == (kept * page, kept), s
    assert (s["allocs"], s["frees"]) == (4 * 3000, 4 * 3000 - kept), s
