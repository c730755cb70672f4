"""slowburn diff on real runs: the same PIE at two load addresses, a rebuilt binary whose
code moved, and a change that introduces a creep (the CI gate)."""
import json
import os
import shutil
import subprocess

from harness import ROOT, read_dump, run_profiled, sample, slowburn, tmpdir


def profile(binary, requests=300):
    workdir = tmpdir()
    _, dumps = run_profiled([binary, str(requests)], workdir)
    assert len(dumps) == 1, dumps
    return dumps[0]


def diff(a, b, *args):
    return slowburn(["diff", a, b] + list(args))


def diff_json(a, b):
    proc = diff(a, b, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def exe_load(dump, binary):
    return next(m["load_address"] for m in read_dump(dump).modules if m["path"] == binary)


def build(source, workdir, *flags, extra_sources=()):
    """Compiles samples/SOURCE (copied as server.cpp, so two versions share a file name)."""
    os.makedirs(workdir, exist_ok=True)
    shutil.copy(os.path.join(ROOT, "samples", source), os.path.join(workdir, "server.cpp"))
    binary = os.path.join(workdir, "server")
    subprocess.run(["g++", "-std=c++20", "-g", "-fPIE", "-pie", *flags, *extra_sources,
                    "server.cpp", "-o", binary], cwd=workdir, check=True)
    return binary


def culprit(report, side="b"):
    rows = [r for r in report["locations"]
            if r[side] and r[side]["class"] == "GROWING"
            and r[side]["location"]["function"] == "handle(int)"]
    assert len(rows) == 1, report["locations"]
    return rows[0]


def test_diff_matches_one_pie_at_two_load_addresses():
    binary = sample("incident_leaky")
    a, b = profile(binary), profile(binary)
    assert exe_load(a, binary) != exe_load(b, binary)  # ASLR moved it
    report = diff_json(a, b)
    s = report["summary"]
    assert (s["new"], s["gone"], s["new_growth"]) == (0, 0, 0), s
    assert s["matched"] == report["a"]["locations"] == report["b"]["locations"], report
    row = culprit(report)
    assert row["change"] == "same" and not row["moved"] and row["a"]["class"] == "GROWING"
    gate = diff(a, b, "--fail-on-new-growth")
    assert gate.returncode == 0, (gate.stdout, gate.stderr)
    assert "0 newly growing" in gate.stdout, gate.stdout


def test_diff_matches_a_rebuilt_binary_whose_code_moved():
    workdir = tmpdir()
    pad = os.path.join(workdir, "moved", "pad.cpp")
    os.makedirs(os.path.dirname(pad))
    with open(pad, "w") as f:  # code linked first: everything after it moves
        f.write("volatile int sink;\n__attribute__((used, noinline)) void pad() {\n"
                + "  sink = sink * 3 + 1;\n" * 400 + "}\n")
    a_bin = build("incident_leaky.cpp", os.path.join(workdir, "plain"), "-O1")
    b_bin = build("incident_leaky.cpp", os.path.join(workdir, "moved"), "-O2",
                  extra_sources=["pad.cpp"])

    def handle_offset(binary):
        out = subprocess.run(["nm", "-C", binary], capture_output=True, text=True).stdout
        return next(line.split()[0] for line in out.splitlines() if line.endswith(" handle(int)"))
    assert handle_offset(a_bin) != handle_offset(b_bin)
    a, b = profile(a_bin), profile(b_bin)
    report = diff_json(a, b)
    row = culprit(report)
    assert row["change"] == "same" and not row["new_growth"], row
    where = [(r["location"]["function"], os.path.basename(r["location"]["file"]),
              r["location"]["line"]) for r in (row["a"], row["b"])]
    assert where[0] == where[1], row
    assert report["summary"]["new_growth"] == 0, report["summary"]
    gate = diff(a, b, "--fail-on-new-growth")
    assert gate.returncode == 0, (gate.stdout, gate.stderr)


def test_diff_fails_on_new_growth_and_matches_lines_that_moved():
    workdir = tmpdir()
    fixed = profile(build("incident_fixed.cpp", os.path.join(workdir, "fixed"), "-O1"))
    leaky = profile(build("incident_leaky.cpp", os.path.join(workdir, "leaky"), "-O1"))

    gate = diff(fixed, leaky, "--fail-on-new-growth")
    assert gate.returncode == 1, (gate.returncode, gate.stdout, gate.stderr)
    first = gate.stdout.split("\n\n")[1].splitlines()[1]
    assert first.startswith("NEW GROWTH") and "handle(int) at server.cpp:" in first, gate.stdout

    report = diff_json(fixed, leaky)
    row = culprit(report)
    assert row["new_growth"] and report["locations"][0] == row, report["locations"][:2]
    # The cache's push_back: two lines lower in the leaky version, matched by its function
    # and the calls into the allocator, bounded in one run and growing in the other.
    assert row["moved"] and row["change"] == "class_changed", row
    assert row["a"]["class"] == "PLATEAU", row
    assert row["b"]["location"]["line"] == row["a"]["location"]["line"] + 2, row

    back = diff(leaky, fixed, "--fail-on-new-growth")
    assert back.returncode == 0, (back.stdout, back.stderr)
    assert "1 no longer growing" in back.stdout, back.stdout


def test_diff_help_fits_100_columns():
    proc = slowburn(["diff", "--help"])
    assert proc.returncode == 0 and "--fail-on-new-growth" in proc.stdout, proc.stdout
    assert max(len(line) for line in proc.stdout.splitlines()) <= 100, proc.stdout


def test_diff_bad_input_exits_2():
    dump = profile(sample("incident_leaky"), 50)
    for args in (["diff", dump, os.path.join(tmpdir(), "missing.sb")],
                 ["diff", dump],
                 ["diff", dump, dump, "--format", "xml"]):
        proc = slowburn(args)
        assert proc.returncode == 2, (args, proc.returncode, proc.stderr)
        assert proc.stderr.startswith("slowburn: error: ") and proc.stderr.count("\n") == 1, proc.stderr
