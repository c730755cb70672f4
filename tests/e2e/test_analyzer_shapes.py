"""Each shape sample runs under the real preload; the analyzer must classify and rank it."""
import os

from harness import ROOT, export_json, run_profiled, sample, slowburn, tmpdir


def marker_line(source, marker):
    """1-based line of the sample source holding marker (so edits never break the test)."""
    path = os.path.join(ROOT, "samples", source)
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if marker in line:
                return number
    raise AssertionError(f"marker {marker!r} not in {path}")


# The preload's default (SPEC), which users get; the harness alone defaults to a faster one.
DEFAULT_INTERVAL_MS = 100


def profile_dump(name, *args, env=None):
    """Runs a sample under the preload, at the default interval; returns its dump's path."""
    workdir = tmpdir()
    _, dumps = run_profiled([sample(name)] + [str(a) for a in args], workdir,
                            env={"SLOWBURN_INTERVAL_MS": str(DEFAULT_INTERVAL_MS), **(env or {})})
    assert len(dumps) == 1, dumps
    return dumps[0]


def profile(name, *args):
    """The analyzer's JSON for a sample's dump (see profile_dump)."""
    report = export_json(profile_dump(name, *args))
    assert report["process"]["interval_ms"] == DEFAULT_INTERVAL_MS, report["process"]
    # Only a GROWING site has a growth rate.
    for s in report["sites"]:
        if s["class"] != "GROWING":
            assert s["growth_bytes_per_s"] == 0.0, s
    return report


def alloc_sites(report):
    return [s for s in report["sites"] if s["kind"] == "alloc"]


def growing(report):
    return [s for s in report["sites"] if s["class"] == "GROWING"]


def site_in(report, function):
    """The highest-ranked alloc site whose location is in function."""
    for s in alloc_sites(report):
        if function in s["location"]["function"]:
            return s
    raise AssertionError(f"no alloc site in {function}: " + describe(report))


def describe(report, n=6):
    return "; ".join(f"#{s['rank']} {s['kind']} {s['class']} conf={s['confidence']:.2f} "
                     f"growth={s['growth_bytes_per_s']:.0f} peak={s['peak_live_bytes']} "
                     f"at {s['location']['function']}:{s['location']['line']}"
                     for s in report["sites"][:n])


def test_incident_culprit_is_first_with_its_push_back_line():
    report = profile("incident_leaky", 300)
    top = report["sites"][0]
    assert top["kind"] == "alloc" and top["class"] == "GROWING", describe(report)
    assert "handle" in top["location"]["function"], describe(report)
    assert top["location"]["file"].endswith("incident_leaky.cpp"), top["location"]
    expected = marker_line("incident_leaky.cpp", "cache.push_back(data);  // the leak")
    assert top["location"]["line"] == expected, (top["location"], expected)
    # One line, several stacks: the copies of each request body (60 KiB plus the terminator)
    # and the vector's own buffer as it doubles. The line is reported once, with them all.
    stacks = top.get("stacks", [top])
    copies = [st for st in stacks if st["peak_live_bytes"] % 61441 == 0
              and st["peak_live_bytes"] >= 250 * 61441]
    assert len(copies) == 1, [st["peak_live_bytes"] for st in stacks]
    assert top["peak_live_bytes"] >= copies[0]["peak_live_bytes"], top
    lines = [(s["location"]["function"], s["location"]["line"]) for s in alloc_sites(report)]
    assert lines.count((top["location"]["function"], expected)) == 1, lines
    assert top["confidence"] >= 0.5, top


def test_incident_retains_about_one_kib_per_read():
    report = profile("incident_leaky", 300)
    top = report["sites"][0]
    retained = top["retained_bytes_per_syscall"]
    # 61441 bytes kept per request over 60 reads of 1 KiB and the read that sees EOF.
    assert retained is not None, describe(report)
    assert 900 <= retained <= 1100, retained
    reads = [s for s in report["sites"] if s["kind"] == "syscall" and s.get("op") == "read"
             and "handle" in s["location"]["function"]]
    assert len(reads) == 1, [s["location"] for s in report["sites"] if s["kind"] == "syscall"]
    assert reads[0]["syscall_calls"] == 300 * 61, reads[0]["syscall_calls"]
    assert reads[0]["syscall_bytes"] == 300 * 60 * 1024, reads[0]["syscall_bytes"]


def test_incident_fixed_twin_has_no_growing_site():
    report = profile("incident_fixed", 300)
    assert not growing(report), describe(report)
    cache = site_in(report, "handle")
    assert cache["peak_live_bytes"] <= 32 * 61441 + 64 * 1024, cache


def test_lru_cache_plateaus():
    # About 4 s, the first second warming the cache up: ten snapshots of filling.
    report = profile("lru_cache", 360)
    assert not growing(report), describe(report)
    biggest = max(alloc_sites(report), key=lambda s: s["peak_live_bytes"])
    assert biggest["class"] == "PLATEAU", describe(report)
    # 2000 entries of 4001 bytes (+1 for the terminator) at the plateau.
    assert biggest["peak_live_bytes"] == 2000 * 4002, biggest["peak_live_bytes"]


def test_paced_leak_beside_a_churning_line_is_first():
    # 256-byte blocks arriving at random, 128 KiB/s for 4 s, beside 64 requests a tick.
    report = profile("paced_leak", 131072, 4)
    top = report["sites"][0]
    assert top["class"] == "GROWING" and "keep" in top["location"]["function"], describe(report)
    assert 64 * 1024 < top["growth_bytes_per_s"] < 256 * 1024, top["growth_bytes_per_s"]
    requests = site_in(report, "request")
    assert requests["class"] != "GROWING", describe(report)


def test_churn_is_flat():
    report = profile("churn", 100)
    assert not growing(report), describe(report)
    messages = site_in(report, "makeMessage")
    # A first snapshot that catches the slots half filled shows a climb that stopped at once,
    # which may read as PLATEAU; what matters is that churn never reads as growth.
    assert messages["class"] in ("CHURN", "PLATEAU"), describe(report)
    assert messages["peak_live_bytes"] == sum(64 + 15 * slot for slot in range(256))
    assert messages["allocs"] >= 100 * 2000, messages["allocs"]


def test_small_leak_outranks_big_cache():
    report = profile("small_leak_big_cache", 150)
    top = report["sites"][0]
    assert top["class"] == "GROWING", describe(report)
    assert "auditRequest" in top["location"]["function"], describe(report)
    assert top["peak_live_bytes"] % 48 == 0, top["peak_live_bytes"]
    cache = site_in(report, "loadEntry")
    assert cache["class"] != "GROWING", describe(report)
    assert cache["peak_live_bytes"] >= 200 * 1000003, cache["peak_live_bytes"]
    assert cache["rank"] > top["rank"]


def test_late_leak_is_growing():
    report = profile("late_leak", 120)
    leak = site_in(report, "remember")
    assert leak["class"] == "GROWING" and leak["rank"] == 1, describe(report)
    # One 12008-byte node a round over the second half of 120 rounds.
    assert leak["peak_live_bytes"] == 60 * 12008, leak["peak_live_bytes"]
    assert leak["allocs"] == 60, leak["allocs"]


def test_random_walk_is_not_growing():
    for seed in (12345, 777):
        report = profile("random_walk", 120, seed)
        assert not growing(report), (seed, describe(report))


def test_non_growing_sites_show_no_growth_rate():
    # Long enough for the walk's late window to have a slope.
    dump = profile_dump("random_walk", 300, 12345)
    report = export_json(dump)
    walk = max(alloc_sites(report), key=lambda s: s["peak_live_bytes"])
    assert walk["class"] != "GROWING", describe(report)
    # The walk's last stretch has a slope, kept as a diagnostic, but it is no leak rate.
    assert walk["growth_bytes_per_s"] == 0.0, walk
    assert isinstance(walk["trend"]["slope_per_s"], float), walk["trend"]
    proc = slowburn(["report", dump, "--color", "never"])
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout + proc.stderr
    headers = [line for line in text.splitlines() if line.startswith("#") and " growth " in line]
    assert headers, text
    for line in headers:
        assert ("GROWING" in line) == ("/s" in line), line


def test_threaded_service_finds_the_slow_leak_across_threads():
    report = profile("threaded_service", 120)
    top = report["sites"][0]
    assert top["class"] == "GROWING", describe(report)
    assert "trackConnection" in top["location"]["function"], describe(report)
    # Every 50th of 120 x 200 requests leaks 96 bytes.
    assert top["peak_live_bytes"] == 120 * 200 // 50 * 96, top["peak_live_bytes"]
    requests = site_in(report, "makeRequest")
    assert requests["class"] != "GROWING", describe(report)
    # Freed on worker threads, every one matched to its allocation.
    assert requests["allocs"] == 120 * 200 and requests["frees"] == requests["allocs"], requests


def test_anonymous_namespace_container_is_located_in_the_users_function():
    report = profile("anon_registry", 100)
    top = report["sites"][0]
    assert top["class"] == "GROWING", describe(report)
    assert top["location"]["function"] == "remember(int)", describe(report)
    assert top["location"]["file"].endswith("anon_registry.cpp"), top["location"]
    expected = marker_line("anon_registry.cpp", "g_registry.emplace(key, Entry(key));  // the leak")
    assert top["location"]["line"] == expected, (top["location"], expected)


def test_state_owned_by_a_local_of_main_is_judged_before_main_destroys_it():
    # The Server in main is destroyed at main's closing brace, before the exit's teardown:
    # the series end where that run-down began, so the trace that only grew is GROWING and
    # the bounded cache a PLATEAU, not both STABLE at 0.
    dump = profile_dump("local_owner", 2.5)
    report = export_json(dump)
    leak_line = marker_line("local_owner.cpp", "// LEAK")
    cache_line = marker_line("local_owner.cpp", "// CACHE")
    at = {s["location"]["line"]: s for s in alloc_sites(report)}
    assert at[leak_line]["class"] == "GROWING" and at[leak_line]["rank"] == 1, describe(report)
    assert at[leak_line]["live_bytes_before_exit"] > 64 * 1024, at[leak_line]
    assert at[cache_line]["class"] == "PLATEAU", describe(report)
    assert [s["location"]["line"] for s in growing(report)] == [leak_line], describe(report)
    # The counters still tell what the process held at its very end.
    assert report["totals"]["live_bytes_end"] < 64 * 1024, report["totals"]
