"""The programs bench/run profiles, and how big each run is (full and --quick)."""
import os
import random
import shlex
import subprocess
import sys

from gen_large_cpp import generate

# One line, so heaptrack's trace (which records the command line) stays parseable.
PYTHON_DICTS = ('for r in range(3): t = {"k%d" % i: {"id": i, "name": str(i) * 3, '
                '"tags": [i, r]} for i in range(100000)}; '
                'm = {k: len(v["name"]) for k, v in t.items() if v["id"] % 3}; del t, m')

# sqlite3's bulk load: rows of random text through one transaction, then an index on them.
SQLITE_BULK = ("CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, body TEXT); "
               "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
               "WHERE i < {rows}) INSERT INTO item(name, body) SELECT hex(randomblob(12)), "
               "hex(randomblob(40 + i % 200)) FROM n; COMMIT; "
               "CREATE INDEX item_name ON item(name); SELECT count(*) FROM item;")

# What a workload stands for, in the targets of bench/lib/tables.py.
SERVICE = "service"          # a program of the kind a profiler is left on in production
THIRD_PARTY = "third-party"  # someone else's program, as it ships
MICRO = "micro"              # one cost isolated on purpose
SYSCALLS = "syscalls"        # syscall counting, which heaptrack does not do


class Workload:
    def __init__(self, name, argv, env=None, about="", kind=SERVICE, heaptrack_sees_it=True,
                 heaptrack_follows=True, memory_target=False):
        self.name = name
        self.argv = argv
        self.env = env or {}
        self.about = about
        self.kind = kind
        # False when the work is syscalls, which heaptrack does not record at all.
        self.heaptrack_sees_it = heaptrack_sees_it
        # False when the work happens in fork()ed children, which heaptrack leaves untraced:
        # its slowdown there is not a profiler's, so exact mode is not held to half of it.
        self.heaptrack_follows = heaptrack_follows
        # The target's peak RSS under exact mode is held to 1.2x plain on these.
        self.memory_target = memory_target


def cc1plus_argv(source, asm_out):
    """What `g++ -O0 -c SOURCE` runs for the compile itself (from `g++ -###`), writing asm_out.

    heaptrack does not follow a program into the processes it execs, so every profiler is
    given the compiler proper rather than the g++ driver.
    """
    probe = subprocess.run(["g++", "-###", "-O0", "-c", source, "-o", asm_out + ".o"],
                           capture_output=True, text=True, check=True)
    for line in probe.stderr.splitlines():
        words = shlex.split(line)
        if words and os.path.basename(words[0]) == "cc1plus":
            out = words.index("-o")
            words[out + 1] = asm_out
            return words
    raise RuntimeError("g++ -### did not show a cc1plus command")


def real_python():
    """The interpreter itself, not a version-manager shim (a shell script)."""
    return os.path.realpath(sys.executable)


def real_program(name):
    """A program's own executable, not a wrapper script; None when it is not installed."""
    for d in os.environ.get("PATH", "").split(os.pathsep):
        path = os.path.join(d, name)
        if os.access(path, os.X_OK):
            return os.path.realpath(path)
    return None


def sort_input(inputs_dir, lines):
    """lines random words, one a line: GNU sort's input, made once."""
    path = os.path.join(inputs_dir, f"sort_{lines}.txt")
    if not os.path.exists(path):
        rng = random.Random(11)
        letters = "abcdefghijklmnopqrstuvwxyz"
        with open(path, "w") as f:
            for _ in range(lines):
                f.write("".join(rng.choice(letters) for _ in range(rng.randint(4, 40))) + "\n")
    return path


def build_workloads(build, inputs_dir, quick, reads):
    os.makedirs(inputs_dir, exist_ok=True)
    functions = 150 if quick else 800
    source = os.path.join(inputs_dir, f"generated_{functions}.cpp")
    if not os.path.exists(source):
        with open(source, "w") as f:
            f.write(generate(functions))
    bench = os.path.join(build, "bench")

    def size(full, small):
        return str(small if quick else full)

    churn_n = size(2000000, 200000)
    reads = str(reads)
    requests = size(400, 60)
    py_rounds = PYTHON_DICTS if not quick else PYTHON_DICTS.replace("100000", "20000")
    rows = size(200000, 20000)
    sort_lines = int(size(600000, 60000))
    out = [
        Workload("churn", [os.path.join(bench, "churn"), churn_n], kind=MICRO,
                 about=f"2 threads x {churn_n} malloc/free, 4 paths 10 frames deep, 16..4096 B"),
        Workload("tiny_allocs", [os.path.join(bench, "tiny_allocs"), size(40000000, 4000000)],
                 kind=MICRO, about="C: malloc/free pairs of 8..64 B, a working set of 256"),
        Workload("thread_churn", [os.path.join(bench, "thread_churn"), size(400, 60)],
                 kind=MICRO, about="short-lived threads, two at a time, each allocating a "
                                   "little and computing ~3 ms"),
        Workload("read_loop", [os.path.join(bench, "read_loop"), reads],
                 env={"READ_LOOP_RSS": "1"}, kind=SYSCALLS, heaptrack_sees_it=False,
                 about=f"{reads} 64-byte read() calls from /dev/zero"),
        Workload("incident_leaky", [os.path.join(build, "samples", "incident_leaky"), requests],
                 about=f"the SPEC's incident service, {requests} requests"),
        Workload("mailbox_service",
                 [os.path.join(bench, "mailbox_service"), size(200000, 20000)],
                 about="4 threads passing messages through mailboxes; every message freed "
                       "on another thread"),
        Workload("forked_workers",
                 [os.path.join(bench, "forked_workers"), size(250000, 25000)],
                 heaptrack_follows=False,
                 about="a pre-forking server: 2 waves of 4 workers doing the allocating"),
        Workload("refresh_cache", [os.path.join(bench, "refresh_cache"), size(1500000, 150000)],
                 memory_target=True,
                 about="60,000 entries, a tenth of lookups replace theirs on another path"),
        Workload("lru_cache", [os.path.join(bench, "lru_cache"), size(1500000, 150000)],
                 memory_target=True,
                 about="bounded LRU of 80,000 values of 200..2200 B in front of a backend"),
        Workload("plugin_host",
                 [os.path.join(bench, "plugin_host"), os.path.join(bench, "libquery_plugin.so"),
                  size(400000, 40000)],
                 about="requests parsed by a dlopen()ed plugin, closed and reopened halfway"),
        Workload("late_leak_service",
                 [os.path.join(bench, "late_leak_service"), size(1000000, 100000)],
                 about="flat request loop that starts keeping every request at 60%"),
        Workload("cc1plus_O0", cc1plus_argv(source, "out.s"), kind=THIRD_PARTY,
                 about=f"g++ -O0 -c on a generated {os.path.getsize(source) // 1024} KiB file "
                       "(cc1plus run directly)"),
        Workload("python_dicts", [real_python(), "-c", py_rounds], kind=THIRD_PARTY,
                 about="python3 -c building and dropping dicts (pymalloc)"),
        Workload("python_dicts_malloc", [real_python(), "-c", py_rounds],
                 env={"PYTHONMALLOC": "malloc"}, kind=THIRD_PARTY, memory_target=True,
                 about="the same with PYTHONMALLOC=malloc: every object through malloc"),
    ]
    sqlite = real_program("sqlite3")
    if sqlite:
        out.append(Workload("sqlite3_bulk", [sqlite, "bulk.db", SQLITE_BULK.format(rows=rows)],
                            kind=THIRD_PARTY,
                            about=f"sqlite3 inserting {rows} rows in one transaction, then "
                                  "indexing them"))
    sort = real_program("sort")
    if sort:
        source_lines = sort_input(inputs_dir, sort_lines)
        out.append(Workload("sort", [sort, "-o", "sorted.txt", source_lines], kind=THIRD_PARTY,
                            env={"LC_ALL": "C.UTF-8"},
                            about=f"GNU sort on {sort_lines} random words"))
    return out
