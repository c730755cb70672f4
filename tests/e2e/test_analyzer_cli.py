"""The slowburn command line on real dumps: check budgets, run, exports, bad input."""
import csv
import io
import json
import os
import shutil
import subprocess

from harness import BUILD, SLOWBURN, export_json, run_profiled, sample, slowburn, tmpdir


def leaky_dump(requests=150):
    workdir = tmpdir()
    _, dumps = run_profiled([sample("incident_leaky"), str(requests)], workdir)
    assert len(dumps) == 1, dumps
    return dumps[0]


def assert_one_error_line(proc):
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("slowburn: error: "), proc.stderr


def test_check_exit_codes_follow_the_budget():
    dump = leaky_dump()
    over = slowburn(["check", dump, "--max-growth", "1KiB/s"])
    assert over.returncode == 1, (over.stdout, over.stderr)
    assert "over budget: #1" in over.stdout and "handle" in over.stdout, over.stdout
    within = slowburn(["check", dump, "--max-growth", "1GiB/s"])
    assert within.returncode == 0, (within.stdout, within.stderr)
    assert "check passed" in within.stdout
    plain = slowburn(["check", dump, "--max-growth", "1024"])
    assert plain.returncode == 1, plain.stdout


def test_check_bad_input_exits_2():
    dump = leaky_dump(60)
    workdir = os.path.dirname(dump)
    garbage = os.path.join(workdir, "garbage.sb")
    with open(garbage, "wb") as f:
        f.write(os.urandom(4096))
    cases = [
        ["check", os.path.join(workdir, "missing.sb"), "--max-growth", "1MiB/min"],
        ["check", garbage, "--max-growth", "1MiB/min"],
        ["check", dump, "--max-growth", "fast"],
        ["check", dump, "--max-growth", "1MiB"],
    ]
    for args in cases:
        proc = slowburn(args)
        assert proc.returncode == 2, (args, proc.returncode, proc.stderr)
        assert_one_error_line(proc)
    usage = slowburn(["check", dump])
    assert usage.returncode == 2 and "--max-growth" in usage.stderr, usage.stderr


def test_run_passes_exit_status_through():
    out = tmpdir()
    proc = subprocess.run([SLOWBURN, "run", "--out", out, "--", "sh", "-c", "exit 7"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 7, (proc.returncode, proc.stderr)
    # The status passes through whatever the dump holds; the report itself is covered by
    # test_run_reports_the_incident_culprit.
    assert "slowburn report:" in proc.stderr or "slowburn: error:" in proc.stderr, proc.stderr
    killed = subprocess.run([SLOWBURN, "run", "--out", out, "--", "sh", "-c", "kill -TERM $$"],
                            capture_output=True, text=True, timeout=60)
    assert killed.returncode == 128 + 15, (killed.returncode, killed.stderr)
    missing = subprocess.run([SLOWBURN, "run", "--out", out, "--", "/nonexistent/program"],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 127, (missing.returncode, missing.stderr)


def test_run_reports_the_top_process_and_mentions_child_dumps():
    out = tmpdir()
    script = f"{sample('late_leak')} 4 && {sample('churn')} 2"
    proc = subprocess.run([SLOWBURN, "run", "--out", out, "--", "sh", "-c", script],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    children = [f for f in os.listdir(out) if f.startswith(("slowburn.late_leak.",
                                                            "slowburn.churn."))]
    assert len(children) == 2, os.listdir(out)
    assert "2 more dumps from child processes" in proc.stderr, proc.stderr
    for name in children:
        assert f"slowburn report {os.path.join(out, name)}" in proc.stderr, proc.stderr


def test_run_reports_the_incident_culprit():
    out = tmpdir()
    proc = subprocess.run([SLOWBURN, "run", "--out", out, "--interval", "20", "--top", "2",
                           "--", sample("incident_leaky"), "150"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "handled 150 requests" in proc.stdout, proc.stdout
    report = proc.stderr
    first = report.index("#1 ")
    block = report[first:report.index("#2 ") if "#2 " in report else len(report)]
    assert "GROWING" in block and "handle" in block and "incident_leaky.cpp:" in block, report
    assert "per read()" in block, report
    dumps = [f for f in os.listdir(out) if f.endswith(".sb")]
    assert len(dumps) == 1 and "incident_leaky" in dumps[0], dumps


def test_run_refuses_what_the_preload_would_ignore_in_its_words():
    out = tmpdir()
    workdir = tmpdir()
    cases = [("--interval", "SLOWBURN_INTERVAL_MS", ["0", "3600001", "4294967296"]),
             ("--depth", "SLOWBURN_DEPTH", ["0", "257"]),
             ("--sample-bytes", "SLOWBURN_SAMPLE_BYTES", [str(2**40 + 1), "12k"]),
             ("--syscalls", "SLOWBURN_SYSCALLS", ["read,,write", "pwrite"])]
    for flag, variable, values in cases:
        for value in values:
            # The preload, given the value, ignores it and says what it expected.
            preload = run_profiled(["true"], workdir, env={variable: value})[0]
            complaint = preload.stderr.decode()
            assert complaint.count("\n") == 1 and "(expected " in complaint, complaint
            expected = complaint.split("(expected ", 1)[1].rsplit("); using the default", 1)[0]
            # `slowburn run` refuses it before starting anything, in the same words.
            proc = subprocess.run([SLOWBURN, "run", "--out", out, flag, value, "--", "true"],
                                  capture_output=True, text=True, timeout=60)
            assert proc.returncode == 2, (flag, value, proc.returncode, proc.stderr)
            assert_one_error_line(proc)
            assert f'{flag}: expected {expected}, not "{value}"' in proc.stderr, proc.stderr
    assert not os.listdir(out), os.listdir(out)
    # A directory so deep that the dump's path would pass SLOWBURN_OUT's limit.
    deep = os.path.join(tmpdir(), *["d" * 200] * 20)
    proc = subprocess.run([SLOWBURN, "run", "--out", deep, "--", "true"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert_one_error_line(proc)
    assert "--out: expected a non-empty path shorter than 4000 bytes" in proc.stderr, proc.stderr
    assert not os.path.exists(deep)


def test_run_finds_preload_in_install_prefix():
    prefix = tmpdir()
    os.makedirs(os.path.join(prefix, "bin"))
    os.makedirs(os.path.join(prefix, "lib"))
    shutil.copy(SLOWBURN, os.path.join(prefix, "bin", "slowburn"))
    shutil.copy(os.path.join(BUILD, "libslowburn.so"), os.path.join(prefix, "lib"))
    out = tmpdir()
    proc = subprocess.run([os.path.join(prefix, "bin", "slowburn"), "run", "--out", out, "--",
                           "true"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "slowburn report:" in proc.stderr, proc.stderr
    os.remove(os.path.join(prefix, "lib", "libslowburn.so"))
    lost = subprocess.run([os.path.join(prefix, "bin", "slowburn"), "run", "--", "true"],
                          capture_output=True, text=True, timeout=60)
    assert lost.returncode == 2 and "libslowburn.so not found" in lost.stderr, lost.stderr


def test_csv_and_collapsed_agree_with_json():
    dump = leaky_dump()
    report = export_json(dump)
    totals = report["totals"]
    assert sum(s["live_bytes_end"] for s in report["sites"]) == totals["live_bytes_end"]
    assert sum(s["allocs"] for s in report["sites"]) == totals["allocs"]

    proc = slowburn(["export", dump, "--format", "csv"])
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [int(r["rank"]) for r in rows] == [s["rank"] for s in report["sites"]]
    assert sum(int(r["live_bytes_end"]) for r in rows) == totals["live_bytes_end"]
    assert sum(int(r["allocs"]) for r in rows) == totals["allocs"]
    assert rows[0]["class"] == report["sites"][0]["class"]
    assert rows[0]["function"] == report["sites"][0]["location"]["function"]

    # After the clean exit live bytes are the ones held before the static destructors ran.
    before_exit = sum(s["live_bytes_before_exit"] for s in report["sites"] if s["kind"] == "alloc")
    folded_by_value = {}
    for value, total in (("live", before_exit), ("allocs", totals["allocs"])):
        proc = slowburn(["export", dump, "--format", "collapsed", "--value", value])
        assert proc.returncode == 0, proc.stderr
        folded = 0
        for line in proc.stdout.splitlines():
            stack, count = line.rsplit(" ", 1)
            assert stack and ";" in stack or stack, line
            folded += int(count)
        assert folded == total, (value, folded, total)
        folded_by_value[value] = proc.stdout
    # The culprit's stack, with most of the 150 request bodies it holds at the last snapshot
    # (a stack starts at the caller of operator new, the allocator's allocate()).
    culprit = [line for line in folded_by_value["live"].splitlines()
               if ";handle(int)" in line and "allocate" in line.rsplit(" ", 1)[0].split(";")[-1]]
    assert culprit, folded_by_value["live"]
    assert max(int(line.rsplit(" ", 1)[1]) for line in culprit) >= 100 * 61441, culprit


def test_json_is_the_contract():
    report = export_json(leaky_dump(60))
    assert report["format"] == "slowburn-report" and report["version"] == 1
    process = report["process"]
    for key, kind in (("pid", int), ("exe", str), ("duration_s", float), ("snapshots", int),
                      ("truncated", bool), ("dropped_events", int)):
        assert isinstance(process[key], kind), (key, process[key])
    assert process["exe"].endswith("incident_leaky")
    assert process["truncated"] is False
    ranks = [s["rank"] for s in report["sites"]]
    assert ranks == list(range(1, len(ranks) + 1))
    for s in report["sites"]:
        assert s["kind"] in ("alloc", "syscall")
        assert s["class"] in ("GROWING", "PLATEAU", "CHURN", "TRANSIENT", "STABLE")
        for key in ("score", "growth_bytes_per_s", "confidence"):
            assert isinstance(s[key], float), (key, s[key])
        for key in ("live_bytes_end", "peak_live_bytes", "allocs", "frees", "syscall_calls",
                    "syscall_bytes"):
            assert isinstance(s[key], int), (key, s[key])
        assert s["retained_bytes_per_syscall"] is None or isinstance(
            s["retained_bytes_per_syscall"], float)
        assert set(s["location"]) >= {"function", "file", "line"}
        assert s["frames"], s
        for f in s["frames"]:
            assert set(f) >= {"address", "module", "function", "file", "line"}
            int(f["address"], 16)
    growing = [s for s in report["sites"] if s["class"] == "GROWING"]
    rest = [s for s in report["sites"] if s["class"] != "GROWING"]
    if growing and rest:
        assert max(s["rank"] for s in growing) < min(s["rank"] for s in rest)


def test_help_reads_well_and_usage_errors_exit_2():
    for args in (["--help"], ["report", "--help"], ["check", "--help"], ["export", "--help"],
                 ["run", "--help"], ["watch", "--help"]):
        proc = slowburn(args)
        assert proc.returncode == 0 and "Usage:" in proc.stdout, (args, proc.stdout)
        assert max(len(line) for line in proc.stdout.splitlines()) <= 100, proc.stdout
    assert "--max-growth" in slowburn(["check", "--help"]).stdout
    assert "live|peak|allocs" in slowburn(["export", "--help"]).stdout
    assert "--metrics-listen" in slowburn(["watch", "--help"]).stdout
    unknown = slowburn(["frobnicate"])
    assert "unknown command 'frobnicate'" in unknown.stderr, unknown.stderr
    assert "report, check, export, watch, run" in unknown.stderr, unknown.stderr
    for args in ([], ["frobnicate"], ["report"], ["export", "x.sb", "--format", "xml"],
                 ["report", "x.sb", "--top", "none"], ["run"]):
        proc = slowburn(args)
        assert proc.returncode == 2, (args, proc.returncode, proc.stderr)
        assert_one_error_line(proc)


def report_on_terminal(dump, env):
    """Runs `slowburn report` with stdout on a pseudo-terminal; returns what it printed."""
    import pty
    main, follower = pty.openpty()
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    full_env.update(env)
    proc = subprocess.Popen([SLOWBURN, "report", dump, "--top", "1"], stdout=follower,
                            stderr=subprocess.PIPE, env=full_env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closes when the report has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    return b"".join(chunks).decode()


def test_colour_only_on_a_terminal_without_no_color():
    dump = leaky_dump(40)
    assert "\x1b[" not in slowburn(["report", dump]).stdout
    assert "\x1b[" in slowburn(["report", dump, "--color", "always"]).stdout
    assert "\x1b[" in report_on_terminal(dump, {})
    plain = report_on_terminal(dump, {"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "slowburn report:" in plain, plain
