"""slowburn html, loaded in Debian's headless Chromium (tests/browser/inspect_report.mjs):
what the page shows for a real run, for a dump named to attack it, and for a huge dump."""
import json
import os
import subprocess
import time

from harness import BUILD, ROOT, export_json, run_profiled, sample, slowburn, tmpdir

INSPECT = os.path.join(ROOT, "tests", "browser", "inspect_report.mjs")
SBCRAFT = os.path.join(BUILD, "sbcraft")


def html(dump, out, *args):
    proc = slowburn(["html", dump, "-o", out] + list(args))
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    return out


def inspect(report):
    """What Chromium shows of the page; a screenshot beside it."""
    assert os.path.isdir(os.path.join(ROOT, "tests", "browser", "node_modules")), \
        "run `make browser-deps` (make test does) to install the browser driver"
    shot = report + ".png"
    proc = subprocess.run(["node", INSPECT, report, shot], capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    facts = json.loads(proc.stdout)
    assert os.path.getsize(shot) > 10000, "no screenshot"
    return facts


def assert_nothing_went_wrong(facts):
    assert facts["consoleErrors"] == [], facts["consoleErrors"]
    assert facts["pageErrors"] == [], facts["pageErrors"]
    assert facts["dialogs"] == [], facts["dialogs"]
    assert facts["requests"] == [], facts["requests"]  # self-contained: nothing fetched
    assert facts["pwned"] is None
    assert facts["scripts"] == 1 and facts["elementsWithHandlers"] == 0


def assert_sorts(facts):
    for name, s in facts["sorting"].items():
        assert s["first"] == sorted(s["first"], reverse=True), (name, s)
        assert s["second"] == sorted(s["second"]), (name, s)
        assert (s["firstSort"], s["secondSort"]) == ("descending", "ascending"), (name, s)
        assert s["first"] != s["second"], (name, s)  # the click changed the order
    assert set(facts["sorting"]) == {"live", "allocs", "#"}, facts["sorting"].keys()


def test_html_help_and_bad_input():
    proc = slowburn(["html", "--help"])
    assert proc.returncode == 0 and "--rows" in proc.stdout, proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 100, proc.stdout
    workdir = tmpdir()
    for args in (["html", os.path.join(workdir, "missing.sb"), "-o", os.path.join(workdir, "x")],
                 ["html", os.path.join(workdir, "missing.sb")]):
        bad = slowburn(args)
        assert bad.returncode == 2 and bad.stderr.startswith("slowburn: error: "), bad.stderr
        assert bad.stderr.count("\n") == 1, bad.stderr
    assert not os.path.exists(os.path.join(workdir, "x"))  # nothing written for a bad dump


def test_html_report_of_the_incident_in_chromium():
    workdir = tmpdir()
    _, dumps = run_profiled([sample("incident_leaky"), "300"], workdir)
    report = json.loads(json.dumps(export_json(dumps[0])))
    facts = inspect(html(dumps[0], os.path.join(workdir, "report.html")))
    assert_nothing_went_wrong(facts)

    # The culprit's row first, as the analysis ranks it, and named in the verdict.
    culprit = report["sites"][0]
    assert culprit["class"] == "GROWING" and culprit["location"]["function"] == "handle(int)"
    first = facts["rows"][0]
    where = f"handle(int) at incident_leaky.cpp:{culprit['location']['line']}"
    assert first[1]["text"] == "GROWING" and first[-1]["text"] == where, first
    assert where in facts["verdict"] and "grows +" in facts["verdict"], facts["verdict"]
    assert len(facts["rows"]) == len(report["sites"])
    assert [int(r[0]["text"]) for r in facts["rows"]] == list(range(1, len(report["sites"]) + 1))

    # A chart per top location, one vertex per snapshot up to the exit teardown (where a
    # site's series stops); the growth line on GROWING ones.
    snapshots = report["process"]["snapshots"]
    top = report["sites"][:10]
    assert [c["id"] for c in facts["charts"]] == [f"site-{s['rank']}" for s in top]
    for chart, site in zip(facts["charts"], top):
        assert chart["svgs"] == 1, chart
        points = site["trend"]["points"]
        assert 0.9 * snapshots <= points <= snapshots, (site["trend"], snapshots)
        assert [s["vertices"] for s in chart["series"]] == [points], (chart, points)
        assert chart["series"][0]["dataPoints"] == points
        assert chart["fit"] == (1 if site["class"] == "GROWING" else 0), (chart, site["class"])
        assert any(t.endswith(" s") for t in chart["ticks"]), chart["ticks"]
    assert any(t.endswith("MiB") for t in facts["charts"][0]["ticks"]), facts["charts"][0]
    # The stack starts at the line to open; the frames into the allocator come folded after.
    stack = facts["charts"][0]["stack"]
    assert stack[:2] == [f"handle(int) (incident_leaky.cpp:{culprit['location']['line']})",
                         "main (incident_leaky.cpp:57)"], stack
    assert stack[-1].startswith(culprit["frames"][0]["function"]), (stack, culprit["frames"][0])
    assert not any("slowburn::" in frame for frame in stack), stack  # the preload's own go
    assert [p["vertices"] for p in facts["processSeries"]] == [snapshots, snapshots]
    assert facts["legend"] == ["GROWING", "PLATEAU", "CHURN", "TRANSIENT", "STABLE"]
    assert_sorts(facts)


# Names that would run script, break an attribute or drive a terminal if any of them were
# markup; each byte below 0x20, DEL, C1 and every byte of invalid UTF-8 shows as '?'.
EXE = b'/srv/<script>window.__pwned=1</script>"&amp;\'\x01\x1b[31m\xff\xfe\xc2\x9b'
EXE_SHOWN = '/srv/<script>window.__pwned=1</script>"&amp;\'??[31m???'
FUNC = b'<img src=x onerror="window.__pwned=2">&lt;b&gt;\'\x7f\xe2\x28\xa1'
FUNC_SHOWN = '<img src=x onerror="window.__pwned=2">&lt;b&gt;\'??(?'
FILE = b'<script>window.__pwned=3<\\script>&"\x02\xc0.cpp'
FILE_SHOWN = '<script>window.__pwned=3<\\script>&"??.cpp'
NOTE = b'<svg onload="window.__pwned=4">\r\n&#x3C;script&#x3E;'
NOTE_SHOWN = '<svg onload="window.__pwned=4">??&#x3C;script&#x3E;'


def hostile_module(workdir):
    """A shared object whose function and source file carry the hostile names: assembled
    with placeholders of the same length, which are then overwritten in the ELF file."""
    func_mark = b"sbfunc" + b"_" * (len(FUNC) - 6)
    file_mark = b"sbfile" + b"_" * (len(FILE) - 10) + b".cpp"
    source = os.path.join(workdir, "hostile.s")
    with open(source, "w") as f:
        f.write(f"""\t.text
\t.file 1 "{file_mark.decode()}"
\t.globl {func_mark.decode()}
\t.type {func_mark.decode()}, @function
{func_mark.decode()}:
\t.loc 1 7
\tnop
\tnop
\tnop
\tret
\t.size {func_mark.decode()}, .-{func_mark.decode()}
\t.section .note.GNU-stack,"",@progbits
""")
    # The module's own path is hostile too: a directory named "<script>..<" holding "script>".
    directory = os.path.join(os.fsencode(workdir), b'<script>window.__pwned=5<')
    os.makedirs(directory)
    path = os.path.join(directory, b'script>&"\x03.so')
    built = os.path.join(workdir, "hostile.so")
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", built, source], check=True)
    with open(built, "rb") as f:
        elf = f.read()
    assert elf.count(func_mark) >= 2 and elf.count(file_mark) >= 1
    with open(path, "wb") as f:
        f.write(elf.replace(func_mark, FUNC).replace(file_mark, FILE))
    notes = subprocess.run(["readelf", "-n", built], capture_output=True, text=True, check=True)
    build_id = notes.stdout.split("Build ID:")[1].split()[0]
    return path, build_id


def craft(spec_lines, out):
    proc = subprocess.run([SBCRAFT, out], input="\n".join(spec_lines) + "\n", text=True,
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_html_report_of_a_hostile_dump_shows_names_as_text():
    workdir = tmpdir()
    module, build_id = hostile_module(workdir)
    load = 0x7f0000000000
    spec = [f"header 7 {EXE.hex()} 100",
            f"module 0 {load} 0x10000 {module.hex()} {build_id}",
            f"module 1 0x400000 0x10000 {(b'/gone/' + FUNC).hex()}",
            f"site 0 alloc {load + 0x1001} {load + 0x1002}",
            "site 1 alloc 0x401136",
            f"note {NOTE.hex()}"]
    for i in range(1, 41):
        spec.append(f"snapshot {i * 100_000_000} 1048576 a:0:{i * 4096}:{i}:{i}:0 a:1:512:1:1:0")
    spec.append("end 4050000000")
    dump = craft(spec, os.path.join(workdir, "hostile.sb"))
    facts = inspect(html(dump, os.path.join(workdir, "hostile.html")))
    assert_nothing_went_wrong(facts)

    assert facts["heading"] == f"slowburn report: {EXE_SHOWN} (pid 7)", facts["heading"]
    assert facts["title"] == "slowburn: script>\"&amp;'??[31m???", facts["title"]
    located = f"{FUNC_SHOWN} at {FILE_SHOWN}:7"
    assert located in facts["verdict"], facts["verdict"]
    assert facts["rows"][0][-1]["text"] == located, facts["rows"][0]
    assert facts["charts"][0]["stack"][0] == f"{FUNC_SHOWN} ({FILE_SHOWN}:7)", facts["charts"]
    # A frame in a module that is not on disk is named by the module's file name.
    assert facts["rows"][1][-1]["text"] == \
        f"{FUNC_SHOWN}+0x1136 (cannot open: No such file or directory)", facts["rows"][1]
    assert f"note: {NOTE_SHOWN}" in facts["notes"], facts["notes"]
    assert facts["footer"].endswith("/hostile.sb"), facts["footer"]


def test_html_report_of_40000_locations_opens_at_once():
    workdir = tmpdir()
    sites = 40_000
    spec = ["header 9 " + b"/usr/bin/cc1plus".hex() + " 100",
            "module 0 0x400000 0x1000000 " + b"/gone/cc1plus".hex()]
    spec += [f"site {s} alloc {0x400000 + 16 * s + 1}" for s in range(sites)]
    first = " ".join(f"a:{s}:{64 + s % 500}:1:1:0" for s in range(sites))
    spec.append(f"snapshot 100000000 104857600 {first}")
    for i in range(2, 31):  # ten locations grow, the rest keep their first size
        grow = " ".join(f"a:{s}:{64 + s % 500 + i * 10000}:{i}:1:0" for s in range(0, 100, 10))
        spec.append(f"snapshot {i * 100_000_000} 104857600 {grow}")
    spec.append("end 3050000000")
    dump = craft(spec, os.path.join(workdir, "big.sb"))
    start = time.monotonic()
    report = html(dump, os.path.join(workdir, "big.html"))
    seconds = time.monotonic() - start
    size = os.path.getsize(report)
    assert size < 1_000_000, size  # top 10 in full, 200 rows; the rest counted
    assert seconds < 30, seconds
    facts = inspect(report)
    assert_nothing_went_wrong(facts)
    assert facts["loadMs"] < 5000, facts["loadMs"]
    assert len(facts["rows"]) == 200 and len(facts["charts"]) == 10
    assert all(r[1]["text"] == "GROWING" for r in facts["rows"][:10])
    assert facts["rest"].startswith(f"{sites - 200} more locations not listed"), facts["rest"]
    assert_sorts(facts)
