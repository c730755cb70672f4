"""Real programs run unchanged under the preload and leave dumps the reader accepts."""
import os
import random
import sys

from harness import run_plain, run_profiled
from test_preload_support import read_dump, tmpdir

DICT_SCRIPT = ("d = {}\n"
               "for i in range(200000):\n"
               "    d[str(i)] = [i] * (i % 7)\n"
               "print(len(d), sum(len(v) for v in d.values()))\n")


def same_under_preload(cmd, workdir=None, **kwargs):
    """Runs cmd plain and preloaded; checks output and status match; returns the dumps."""
    workdir = workdir or tmpdir()
    plain = run_plain(cmd, workdir, **kwargs)
    profiled, dumps = run_profiled(cmd, workdir, check=False, **kwargs)
    assert profiled.returncode == plain.returncode, (cmd, profiled.stderr[-2000:])
    assert profiled.stdout == plain.stdout, cmd
    assert profiled.stderr == plain.stderr, (cmd, profiled.stderr[-2000:])
    assert dumps, f"{cmd} left no dump"
    return plain, [read_dump(p) for p in dumps]  # read_dump fails on a dump it rejects


def exe_names(dumps):
    return {os.path.basename(d.header["exe"]) for d in dumps}


def test_preload_python_dict_heavy_script():
    plain, dumps = same_under_preload([sys.executable, "-c", DICT_SCRIPT])
    expected = sum(i % 7 for i in range(200000))
    assert plain.stdout == f"200000 {expected}\n".encode(), plain.stdout
    assert len(dumps) == 1 and dumps[0].summary["saw_end"]
    # pymalloc serves small objects itself; the dict's tables still come from malloc.
    assert sum(s["allocs"] for s in dumps[0].final_state().values()) > 100


def test_preload_gcc_compiles_a_small_file():
    workdir = tmpdir()
    with open(os.path.join(workdir, "small.cpp"), "w") as f:
        f.write("#include <map>\n#include <string>\n"
                "int count(const std::string& s) { std::map<char, int> m;\n"
                "  for (char c : s) ++m[c]; return static_cast<int>(m.size()); }\n")
    _, dumps = same_under_preload(["g++", "-O1", "-c", "small.cpp", "-o", "small.o"], workdir)
    assert os.path.getsize(os.path.join(workdir, "small.o")) > 0
    names = exe_names(dumps)
    assert any("g++" in n for n in names) and "cc1plus" in names, names
    assert all(d.summary["saw_end"] for d in dumps), [d.header["exe"] for d in dumps]


def test_preload_bash_pipeline():
    cmd = ["bash", "-c", "seq 1 20000 | sort -rn | tail -n 5000 | wc -l; exit 3"]
    plain, dumps = same_under_preload(cmd)
    assert plain.stdout == b"5000\n" and plain.returncode == 3
    names = exe_names(dumps)
    assert {"bash", "seq", "sort", "tail", "wc"} <= names, names
    # Every program ran to its end and wrote END; only a forked bash that then exec'd
    # cannot (exec ends the process image without exit).
    for d in dumps:
        if os.path.basename(d.header["exe"]) != "bash":
            assert d.summary["saw_end"], d.header
    assert any(d.summary["saw_end"] for d in dumps if d.header["exe"].endswith("bash"))


def test_preload_sort_a_generated_file():
    workdir = tmpdir()
    rng = random.Random(7)
    with open(os.path.join(workdir, "input.txt"), "w") as f:
        for _ in range(100000):
            f.write(f"{rng.randrange(10**9):09d} {rng.choice(['alpha', 'beta', 'gamma'])}\n")
    plain, dumps = same_under_preload(["sort", "input.txt"], workdir)
    assert plain.stdout.count(b"\n") == 100000
    assert len(dumps) == 1 and dumps[0].summary["saw_end"], exe_names(dumps)


def test_preload_sqlite3_bulk_insert_and_query():
    script = ("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT);\n"
              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000)\n"
              "INSERT INTO t SELECT i, printf('%08d-%s', i * 7919 % 50000, hex(i)) FROM n;\n"
              "CREATE INDEX tv ON t(v);\n"
              "SELECT count(*), sum(length(v)), min(v), max(v) FROM t;\n")
    plain, dumps = same_under_preload(["sqlite3", ":memory:"], input=script.encode())
    assert plain.stdout.startswith(b"50000|"), plain.stdout
    assert len(dumps) == 1 and dumps[0].summary["saw_end"], exe_names(dumps)


def test_preload_perl_hash_heavy_script():
    cmd = ["perl", "-e", 'my %h; $h{$_} = "x" x ($_ % 50) for 1..100000; '
           'my $n = 0; $n += length $h{$_} for keys %h; print scalar(keys %h), " $n\n"']
    plain, dumps = same_under_preload(cmd)
    assert plain.stdout == f"100000 {sum(i % 50 for i in range(1, 100001))}\n".encode()
    assert len(dumps) == 1 and dumps[0].summary["saw_end"], exe_names(dumps)


def test_preload_git_init_commit_and_log():
    # Fixed identities and dates: the commit hashes are the same in both runs.
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.org",
           "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": tmpdir()}
    cmd = ["bash", "-c", "rm -rf repo && git init -q -b main repo && cd repo && "
           "for i in $(seq 20); do seq $i 1000 > f$i; git add f$i; "
           "git commit -q -m \"change $i\"; done && git log --format='%H %s' | head -3 && "
           "git count-objects -v | head -1"]
    plain, dumps = same_under_preload(cmd, env=env)
    assert plain.stdout.count(b"change") == 3, plain.stdout
    names = exe_names(dumps)
    assert {"bash", "git"} <= names, names
