"""The preload's outside: exported symbols, environment options, dump naming."""
import os
import re
import subprocess

from harness import PRELOAD, ROOT
from test_preload_support import only_dump, read_dump, run_profiled, run_sample, sample, tmpdir

HOOKS = {"malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign",
         "aligned_alloc", "memalign", "valloc", "pvalloc", "malloc_usable_size",
         "read", "pread", "pread64", "readv", "recv", "recvfrom", "recvmsg", "write",
         "pwrite", "pwrite64", "writev", "send", "sendto", "sendmsg", "dlclose",
         "dl_iterate_phdr", "exit", "__libc_start_main",
         "mmap", "mmap64", "munmap", "mremap", "brk", "sbrk",
         # operator new/delete, plain and nothrow; jemalloc's, tcmalloc's, mimalloc's own
         "_Znwm", "_ZnamRKSt9nothrow_t", "_ZdlPvm", "_ZdaPvSt11align_val_t",
         "mallocx", "sdallocx", "tc_malloc", "tc_delete_sized", "mi_malloc", "mi_free"}
HOOK_LISTS = ("hook_list.hpp", "allocator_hook_list.hpp")


def listed_hooks():
    """Every name the hook lists declare (the first column of each X(...) line)."""
    names = set()
    for name in HOOK_LISTS:
        with open(os.path.join(ROOT, "preload", "hooks", name)) as f:
            names.update(re.findall(r"^\s*X\((\w+)", f.read(), re.M))
    return names


def test_preload_exports_only_hooks_and_slowburn_symbols():
    out = subprocess.run(["nm", "-D", "--defined-only", PRELOAD], capture_output=True,
                         text=True, check=True).stdout
    names = {line.split()[-1] for line in out.splitlines() if line.strip()}
    listed = listed_hooks()
    assert HOOKS <= listed, HOOKS - listed
    extra = {n for n in names if n not in listed and not n.startswith("slowburn_")}
    assert not extra, extra
    assert listed <= names, listed - names


def test_preload_bad_option_values_complain_once_each_and_use_defaults():
    env = {"SLOWBURN_INTERVAL_MS": "fast", "SLOWBURN_DEPTH": "0",
           "SLOWBURN_SAMPLE_BYTES": "-5", "SLOWBURN_SYSCALLS": "read,reed"}
    proc, dumps, _ = run_sample("pl_syscalls", 10, 10, env=env)
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 4 and all(l.startswith("slowburn: ignoring SLOWBURN_") for l in lines), lines
    dump = only_dump(dumps)
    h = dump.header
    assert (h["interval_ms"], h["stack_depth"], h["sample_bytes"]) == (100, 32, 0), h
    ops = {s["op"] for s in dump.sites.values() if s["kind"] == "syscall"}
    assert {"read", "write"} <= ops, ops  # the default: every syscall counted


def test_preload_depth_and_interval_are_honoured():
    _, dumps, _ = run_sample("pl_exact", 10, 10,
                             env={"SLOWBURN_DEPTH": "2", "SLOWBURN_INTERVAL_MS": "7"})
    dump = only_dump(dumps)
    assert dump.header["stack_depth"] == 2 and dump.header["interval_ms"] == 7
    assert dump.sites and all(len(s["frames"]) <= 2 for s in dump.sites.values())


def test_preload_out_pattern_expands_and_never_overwrites():
    workdir = tmpdir()
    for _ in range(2):
        run_profiled([sample("pl_exact"), "3", "3"], workdir, env={"SLOWBURN_OUT": "fixed.sb"})
    names = sorted(os.listdir(workdir))
    assert names == ["fixed.1.sb", "fixed.sb"], names
    for n in names:
        assert os.stat(os.path.join(workdir, n)).st_mode & 0o777 == 0o600
        assert read_dump(os.path.join(workdir, n)).summary["saw_end"]
    other = tmpdir()
    _, dumps = run_profiled([sample("pl_exact"), "3", "3"], other,
                            env={"SLOWBURN_OUT": "run-%e-%p.sb"})
    (path,) = dumps
    m = re.fullmatch(r"run-pl_exact-(\d+)\.sb", os.path.basename(path))
    assert m and int(m.group(1)) == read_dump(path).header["pid"], path


def test_preload_default_dump_name():
    _, dumps, workdir = run_sample("pl_exact", 3, 3)
    (path,) = dumps
    pid = read_dump(path).header["pid"]
    assert os.path.basename(path) == f"slowburn.pl_exact.{pid}.sb", path
