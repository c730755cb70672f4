"""The programs bench/run profiles, and how big each run is (full and --quick)."""
import os
import shlex
import subprocess
import sys

from gen_large_cpp import generate

# One line, so heaptrack's trace (which records the command line) stays parseable.
PYTHON_DICTS = ('for r in range(3): t = {"k%d" % i: {"id": i, "name": str(i) * 3, '
                '"tags": [i, r]} for i in range(100000)}; '
                'm = {k: len(v["name"]) for k, v in t.items() if v["id"] % 3}; del t, m')


class Workload:
    def __init__(self, name, argv, env=None, about="", heaptrack_sees_it=True):
        self.name = name
        self.argv = argv
        self.env = env or {}
        self.about = about
        # False when the work is syscalls, which heaptrack does not record at all.
        self.heaptrack_sees_it = heaptrack_sees_it


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


def build_workloads(build, inputs_dir, quick, reads):
    os.makedirs(inputs_dir, exist_ok=True)
    functions = 150 if quick else 800
    source = os.path.join(inputs_dir, f"generated_{functions}.cpp")
    if not os.path.exists(source):
        with open(source, "w") as f:
            f.write(generate(functions))
    bench = os.path.join(build, "bench")
    churn_n = "200000" if quick else "2000000"
    reads = str(reads)
    requests = "60" if quick else "400"
    py_rounds = PYTHON_DICTS if not quick else PYTHON_DICTS.replace("100000", "20000")
    return [
        Workload("churn", [os.path.join(bench, "churn"), churn_n],
                 about=f"2 threads x {churn_n} malloc/free, 4 paths 10 frames deep, 16..4096 B"),
        Workload("read_loop", [os.path.join(bench, "read_loop"), reads],
                 env={"READ_LOOP_RSS": "1"}, heaptrack_sees_it=False,
                 about=f"{reads} one-byte read() calls from /dev/zero"),
        Workload("incident_leaky", [os.path.join(build, "samples", "incident_leaky"), requests],
                 about=f"the SPEC's incident service, {requests} requests"),
        Workload("cc1plus_O0", cc1plus_argv(source, "out.s"),
                 about=f"g++ -O0 -c on a generated {os.path.getsize(source) // 1024} KiB file "
                       "(cc1plus run directly)"),
        Workload("python_dicts", [real_python(), "-c", py_rounds],
                 about="python3 -c building and dropping dicts (pymalloc)"),
        Workload("python_dicts_malloc", [real_python(), "-c", py_rounds],
                 env={"PYTHONMALLOC": "malloc"},
                 about="the same with PYTHONMALLOC=malloc: every object through malloc"),
    ]
