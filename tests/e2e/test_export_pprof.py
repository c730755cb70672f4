"""export --format pprof, read by the real reader: Debian's golang-go `go tool pprof`."""
import os
import re
import shutil
import subprocess

from harness import SLOWBURN, run_profiled, sample, tmpdir
from test_analyzer_shapes import marker_line

LEAK_LINE = marker_line("incident_leaky.cpp", "cache.push_back(data);  // the leak")


def export(dump, out):
    proc = subprocess.run([SLOWBURN, "export", dump, "--format", "pprof"], capture_output=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout[:2] == b"\x1f\x8b", "gzip"
    with open(out, "wb") as f:
        f.write(proc.stdout)
    return out


def pprof(*args):
    proc = subprocess.run(["go", "tool", "pprof"] + list(args), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, (args, proc.stderr)
    return proc.stdout


def top_rows(text):
    """The rows of a -top table: (flat, name), in order."""
    rows = text.split("flat  flat%   sum%        cum   cum%\n", 1)[1].splitlines()
    return [(r.split()[0], r.split(None, 5)[5]) for r in rows if r.strip()]


def profiled(name, workdir, requests, env=None):
    os.mkdir(workdir)
    _, dumps = run_profiled([sample(name), str(requests)], workdir, env=env)
    assert len(dumps) == 1, dumps
    return dumps[0]


def test_go_tool_pprof_finds_the_incident_culprit_first_and_diffs_the_twins():
    # given the incident's service and its fixed twin, each exported as pprof
    workdir = tmpdir()
    leaky = export(profiled("incident_leaky", os.path.join(workdir, "l"), 200),
                   os.path.join(workdir, "leaky.pb.gz"))
    fixed = export(profiled("incident_fixed", os.path.join(workdir, "f"), 200),
                   os.path.join(workdir, "fixed.pb.gz"))
    # when go tool pprof reads them, then the culprit's line holds the most live bytes
    text = pprof("-top", "-lines", leaky)
    assert "Type: inuse_space" in text, text
    assert top_rows(text)[0][1].startswith(f"handle(int) ") and \
        top_rows(text)[0][1].endswith(f"incident_leaky.cpp:{LEAK_LINE}"), text
    # and grows fastest; the fixed twin grows nowhere
    text = pprof("-top", "-sample_index=growth_per_hour", leaky)
    assert top_rows(text)[0][1] == "handle(int)" and top_rows(text)[0][0] != "0", text
    text = pprof("-top", "-sample_index=growth_per_hour", fixed)
    assert "Total samples = 0" in text, text
    # and its stack comes first in -traces, leaf first, from the culprit down to main
    text = pprof("-traces", leaky)
    first = text.split("-----------+-------------------------------------------------------\n")[1]
    frames = [line.split()[-1] for line in first.splitlines() if line.strip()]
    assert "class:  GROWING" in first, first
    assert re.match(r"\s+\S+B\s+handle\(int\)$", first.splitlines()[1]), first
    assert "main" in frames, first
    # and against the fixed twin as a base, the leak is what the change added
    text = pprof("-top", "-diff_base=" + fixed, leaky)
    name = top_rows(text)[0]
    assert name[1] == "handle(int)" and not name[0].startswith("-"), text
    shutil.rmtree(workdir)


def test_a_sampled_recording_exports_whole_program_estimates():
    # given 50 MB kept in 10000 B blocks, recorded one block per 64 KiB on average
    workdir = tmpdir()
    dump = profiled("pl_sampling", os.path.join(workdir, "s"), 50,
                    env={"SLOWBURN_SAMPLE_BYTES": "65536"})
    out = export(dump, os.path.join(workdir, "sampled.pb.gz"))
    # then pprof shows about 50 MB at keepBlock, not the few sampled blocks' bytes
    rows = top_rows(pprof("-top", "-unit=B", out))
    # pprof shortens "(anonymous namespace)::keepBlock()" to "::keepBlock"
    assert rows[0][1].endswith("keepBlock"), rows
    kept = int(rows[0][0].rstrip("B"))
    # About 760 sampled blocks: a relative standard error near 3.6%; 12% is 3.3 sigma.
    assert abs(kept - 50_000_000) <= 0.12 * 50_000_000, rows
    shutil.rmtree(workdir)
