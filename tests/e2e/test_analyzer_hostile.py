"""Hostile dumps: names that would drive a terminal never reach it raw, and dumps built to
exhaust memory or time are analysed in bounded memory or refused with one line, fast."""
import csv
import io
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time

from harness import BUILD, SLOWBURN, sample, tmpdir

CRAFT = os.path.join(BUILD, "craft_dump")

# An OSC title, CSI sequences (7-bit and the one-byte C1 CSI U+009B), BEL, CR, LF, DEL,
# quotes, commas, ';' and invalid UTF-8.
HOSTILE = b'\x1b]0;pwned\x07 \x1b[2J\xc2\x9b31m \x07\r\n\x7f "q",c;s \xff\xfe end'
# HOSTILE as every human-facing output prints it: each control and bad byte a '?'.
SHOWN = '?]0;pwned? ?[2J?31m ???? "q",c;s ?? end'
# HOSTILE as CSV keeps it: CR and LF survive inside quotes, the rest as SHOWN.
IN_CSV = '?]0;pwned? ?[2J?31m ?\r\n? "q",c;s ?? end'
# HOSTILE as JSON keeps it: every character, invalid bytes as U+FFFD.
IN_JSON = HOSTILE.decode("utf-8", errors="replace")


# Under make test-asan the analyzer takes more memory (shadow, redzones) and time, and its
# shadow mapping cannot live under an address-space limit.
ASAN = os.environ.get("SLOWBURN_ASAN") == "1"
MEMORY_FACTOR, TIME_FACTOR = (3, 5) if ASAN else (1, 1)


def run_bounded(args, limit_mb=4096):
    """Runs the analyzer under an address-space limit (a regression fails, the machine does
    not swap); returns (exit code, stdout bytes, stderr bytes, seconds, peak RSS in MiB)."""
    def limit():
        if not ASAN:
            resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    env = dict(os.environ)
    if ASAN:  # freed memory held in quarantine would count as the analyzer's
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.monotonic()
        proc = subprocess.Popen([SLOWBURN] + list(args), stdout=stdout, stderr=stderr,
                                preexec_fn=limit, env=env)
        # wait4 gives this child's own peak RSS
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        return proc.returncode, stdout.read(), stderr.read(), seconds, usage.ru_maxrss / 1024


def within(rss, seconds, rss_mb, max_seconds):
    """Asserts a run's peak RSS and time, scaled for sanitizer builds."""
    assert rss < rss_mb * MEMORY_FACTOR and seconds < max_seconds * TIME_FACTOR, (rss, seconds)


def craft(*args):
    path = os.path.join(tmpdir(), "crafted.sb")
    subprocess.run([CRAFT, args[0], path] + [str(a) for a in args[1:]], check=True)
    return path


def assert_terminal_safe(data, what, allow_crlf=False):
    """No byte a terminal would obey: C0 (but CR/LF inside CSV), DEL, C1; valid UTF-8."""
    text = data.decode("utf-8")  # raises on invalid UTF-8
    for ch in text:
        code = ord(ch)
        if allow_crlf and ch in "\r\n":
            continue
        assert ch == "\n" or not (code < 0x20 or 0x7F <= code <= 0x9F), (what, repr(ch), text)


def hostile_module(workdir):
    """A shared object whose function, source file and path all hold HOSTILE; returns its
    path and the addresses (inside the function) of two call sites."""
    escaped = "".join(f"\\{b:03o}" for b in HOSTILE)  # the #line name, as C escapes
    src = os.path.join(workdir, "evil.c")
    with open(src, "w") as f:
        f.write(f'#line 1 "{escaped}.c"\n'
                "void *keep[2];\n"
                "void leak_here(void) { extern void *malloc(unsigned long);"
                " keep[0] = malloc(16); keep[1] = malloc(32); }\n")
    plain = os.path.join(workdir, "plain.so")
    subprocess.run(["gcc", "-g", "-O0", "-fPIC", "-shared", "-o", plain, src], check=True,
                   cwd=workdir)  # DWARF names the source relative to it
    symbols = subprocess.run(["nm", plain], capture_output=True, text=True, check=True).stdout
    start = int(re.search(r"^([0-9a-f]+) T leak_here$", symbols, re.M).group(1), 16)
    # The function's symbol renamed: what the symbolizer reports for it.
    directory = os.path.join(os.fsencode(workdir), b"dir " + HOSTILE)
    os.makedirs(directory)
    module = os.path.join(directory, b"lib" + HOSTILE + b".so")
    subprocess.run([b"objcopy", b"--redefine-sym", b"leak_here=evil_" + HOSTILE,
                    os.fsencode(plain), module], check=True)
    return module, [start + 0x10, start + 0x20]


def test_names_holding_terminal_controls_never_reach_any_output_raw():
    # given a dump whose exe path and note, module path, symbol and source file hold HOSTILE
    workdir = tmpdir()
    module, addresses = hostile_module(workdir)
    dump = os.path.join(workdir, "hostile.sb")
    subprocess.run([os.fsencode(CRAFT), b"terminal", os.fsencode(dump), HOSTILE, module]
                   + [hex(a).encode() for a in addresses], check=True)

    # when each output is made, then what people read shows every control as '?'
    for args in (["report", dump, "--color", "always"], ["check", dump, "--max-growth", "1"]):
        code, out, err, _, _ = run_bounded(args)
        assert code == (1 if args[0] == "check" else 0), (args, err)
        # The report's own colours are the only escape sequences: SGR, ESC [ ... m.
        out = re.sub(rb"\x1b\[[0-9;]*m", b"", out)
        assert_terminal_safe(out + err, args[0])
        text = out.decode()
        assert "evil_" + SHOWN in text, text
        assert SHOWN + ".c:2" in text, text
    code, out, _, _, _ = run_bounded(["report", dump])
    text = out.decode()
    assert f"slowburn report: /tmp/{SHOWN}/app (pid 4242)" in text, text
    assert f"note: note {SHOWN}" in text, text

    # and CSV parsed back gives each field whole, CR and LF included
    code, out, err, _, _ = run_bounded(["export", dump, "--format", "csv"])
    assert code == 0, err
    assert_terminal_safe(out, "csv", allow_crlf=True)
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    header, rows = rows[0], rows[1:]
    # (a row per line of the program: the two alloc stacks at the hostile line are one)
    assert len(rows) == 2 and all(len(r) == len(header) for r in rows), rows
    for row in rows:
        field = dict(zip(header, row))
        assert field["function"] == "evil_" + IN_CSV, field
        assert field["file"] == os.path.join(workdir, IN_CSV + ".c"), field
        assert field["module"] == os.path.join(workdir, "dir " + IN_CSV, "lib" + IN_CSV + ".so")

    # and collapsed keeps one stack per line: two growing alloc sites, two lines
    code, out, err, _, _ = run_bounded(["export", dump, "--format", "collapsed"])
    assert code == 0, err
    assert_terminal_safe(out, "collapsed")
    lines = out.decode().split("\n")
    assert lines[-1] == "" and len(lines) == 3, lines
    for line in lines[:-1]:
        stack, value = line.rsplit(" ", 1)
        assert int(value) > 0 and ";" not in stack, line
        assert stack == "evil_" + SHOWN.replace(";", ":"), stack

    # and JSON keeps every character, escaped
    code, out, err, _, _ = run_bounded(["export", dump, "--format", "json"])
    assert code == 0, err
    assert_terminal_safe(out, "json")
    report = json.loads(out)
    assert report["process"]["exe"] == f"/tmp/{IN_JSON}/app"
    assert report["process"]["notes"] == [f"note {IN_JSON}"]
    location = report["sites"][0]["location"]
    assert location["function"] == "evil_" + IN_JSON, location
    assert location["module"] == os.path.join(workdir, "dir " + IN_JSON, "lib" + IN_JSON + ".so")


def test_run_of_a_program_named_with_an_osc_sequence_prints_no_raw_escape():
    # given a program whose name retitles the terminal when printed
    workdir = tmpdir()
    named = os.path.join(os.fsencode(workdir), b"app\x1b]0;pwned\x07\xc2\x9bx")
    shutil.copy(sample("incident_leaky"), named)
    out = os.path.join(workdir, "out")
    # when slowburn runs it (the dump's name holds the program's), and a missing one
    for command in ([named, b"20"], [b"/nonexistent/\x1b]0;pwned\x07"]):
        proc = subprocess.run([os.fsencode(SLOWBURN), b"run", b"--out", os.fsencode(out),
                               b"--"] + command, capture_output=True, timeout=300)
        # then nothing it prints holds the raw sequence
        assert_terminal_safe(proc.stdout + proc.stderr, command[0])
        assert b"?]0;pwned?" in proc.stderr, proc.stderr[-2000:]
    dumps = os.listdir(os.fsencode(out))
    assert len(dumps) == 1 and b"\x1b" in dumps[0], dumps


def test_error_lines_show_controls_in_arguments_as_question_marks():
    for args in (["report", "/nonexistent/\x1b]0;pwned\x07.sb"], ["\x1b[2Jnope"],
                 ["check", "x.sb", "--max-growth", "\x9b1"]):
        code, out, err, _, _ = run_bounded(args)
        assert code == 2, (args, err)
        assert_terminal_safe(out + err, args)
        assert err.count(b"\n") == 1 and err.startswith(b"slowburn: error: "), err


def test_stacks_of_distinct_frames_in_a_long_named_module_are_refused_fast():
    # given 1000 all-plumbing stacks of 256 distinct addresses in a module with a 4 KiB path
    # (each resolved frame would copy the path: about 1 GiB)
    dump = craft("frames", 1000)
    code, out, err, seconds, rss = run_bounded(["report", dump])
    # then it is refused with one line, in bounded memory and time
    assert code == 2 and out == b"", (code, err)
    assert err.count(b"\n") == 1 and b"MiB of frames" in err, err
    within(rss, seconds, 256, 10)


def test_many_one_change_snapshots_over_many_sites_cost_their_changes():
    # given 20,000 sites and 50,000 snapshots that each change one site
    dump = craft("snapshots", 20000, 50000)
    code, out, err, seconds, rss = run_bounded(["report", dump])
    # then the report is made without touching every site at every snapshot
    assert code == 0, err
    assert b"50000 snapshots" in out and b"20000 sites" in out, out[:500]
    within(rss, seconds, 256, 30)


def test_many_wandering_sites_are_analysed_in_bounded_memory():
    # given 20,000 sites that all change at each of 120 snapshots
    dump = craft("sites", 20000, 120)
    code, out, err, seconds, rss = run_bounded(["report", dump])
    assert code == 0, err
    assert b"20000 sites" in out, out[:500]
    within(rss, seconds, 256, 60)


def test_more_sites_than_the_analyzer_holds_are_refused_with_one_line():
    dump = craft("sites", (1 << 19) + 1, 1)
    code, out, err, seconds, rss = run_bounded(["report", dump])
    assert code == 2 and out == b"", err
    assert err.count(b"\n") == 1 and b"more sites than the analyzer accepts" in err, err
    within(rss, seconds, 512, 30)
