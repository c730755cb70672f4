"""read()/write() counted per call site: exact calls and bytes; SLOWBURN_SYSCALLS filters."""
import os

from test_preload_support import (function_range, module_containing, only_dump, run_sample,
                                  sample, sites_in_function)

N, M = 1000, 500


def syscall_sites(dump, function):
    return sites_in_function(dump, sample("pl_syscalls"), function, kind="syscall")


def test_preload_syscalls_exact_calls_and_bytes_per_site():
    proc, dumps, _ = run_sample("pl_syscalls", N, M)
    assert proc.stdout == f"read {N * 333} write {M * 777}\n".encode(), proc.stdout
    dump = only_dump(dumps)
    state = dump.final_state()
    reads, writes = syscall_sites(dump, "doReads"), syscall_sites(dump, "doWrites")
    assert len(reads) == 1 and len(writes) == 1, (reads, writes)
    assert dump.sites[reads[0]]["op"] == "read" and dump.sites[writes[0]]["op"] == "write"
    assert (state[reads[0]]["calls"], state[reads[0]]["bytes"]) == (N, N * 333)
    assert (state[writes[0]]["calls"], state[writes[0]]["bytes"]) == (M, M * 777)


def test_preload_syscalls_filter_counts_only_reads():
    _, dumps, _ = run_sample("pl_syscalls", N, M, env={"SLOWBURN_SYSCALLS": "read"})
    dump = only_dump(dumps)
    ops = {s["op"] for s in dump.sites.values() if s["kind"] == "syscall"}
    assert ops == {"read"}, ops
    reads = syscall_sites(dump, "doReads")
    assert len(reads) == 1 and dump.final_state()[reads[0]]["calls"] == N
    assert syscall_sites(dump, "doWrites") == []


def test_preload_syscalls_none_counts_nothing():
    _, dumps, _ = run_sample("pl_syscalls", N, M, env={"SLOWBURN_SYSCALLS": "none"})
    dump = only_dump(dumps)
    assert [s for s in dump.sites.values() if s["kind"] == "syscall"] == []


# function in pl_iofamily -> (op recorded, bytes); pread/pwrite are pread64/pwrite64.
FAMILY = {"viaPread(": ("pread64", 101), "viaPread64": ("pread64", 102),
          "viaReadv": ("readv", 103), "viaPwrite(": ("pwrite64", 104),
          "viaPwrite64": ("pwrite64", 105), "viaWritev": ("writev", 106),
          "viaSend(": ("send", 107), "viaRecv(": ("recv", 107),
          "viaSendto": ("sendto", 108), "viaRecvfrom": ("recvfrom", 108),
          "viaSendmsg": ("sendmsg", 109), "viaRecvmsg": ("recvmsg", 109)}


def test_preload_syscalls_every_wrapper_is_counted_at_its_caller():
    proc, dumps, _ = run_sample("pl_iofamily")
    assert proc.stdout == b"ok\n", (proc.stdout, proc.stderr)
    dump = only_dump(dumps)
    state = dump.final_state()
    for function, (op, size) in FAMILY.items():
        ids = sites_in_function(dump, sample("pl_iofamily"), function, kind="syscall")
        assert len(ids) == 1, (function, ids)
        assert dump.sites[ids[0]]["op"] == op, (function, dump.sites[ids[0]])
        s = state[ids[0]]
        assert (s["calls"], s["bytes"]) == (1, size), (function, s)


def sites_through(dump, binary, name, kind="syscall"):
    """Ids of the sites with a frame inside the named function of binary."""
    start, end = function_range(binary, name)
    real = os.path.realpath(binary)
    found = []
    for sid, site in dump.sites.items():
        if site["kind"] != kind:
            continue
        for frame in site["frames"]:
            m = module_containing(dump, frame)
            if m is not None and os.path.realpath(m["path"]) == real and \
                    start < frame - m["load_address"] <= end:
                found.append(sid)
                break
    return found


def test_preload_syscalls_a_wrapper_counts_for_each_of_its_callers():
    # Given one read() wrapper called from two functions at the same depth, and through a
    # second wrapper from a third, the calls interleaved one by one (frames found by rbp),
    check_each_caller_counted("pl_syscall_callers")


def test_preload_syscalls_a_wrapper_counts_for_each_caller_without_frame_pointers():
    # Given the same program built without frame pointers (every frame found by rsp),
    check_each_caller_counted("pl_syscall_callers_nofp")


def check_each_caller_counted(name):
    n, m, k = 1000, 300, 50
    proc, dumps, _ = run_sample(name, n, m, k)
    assert proc.returncode == 0, proc.stderr
    dump = only_dump(dumps)
    state = dump.final_state()
    binary = sample(name)
    # then every caller is a syscall site of its own, with exactly its calls and bytes,
    for caller, calls in (("parseRequests", n), ("loadConfig", m), ("fillCache", 3 * k)):
        ids = sites_through(dump, binary, caller)
        assert len(ids) == 1, (caller, ids, dump.sites)
        s = state[ids[0]]
        assert (s["calls"], s["bytes"]) == (calls, calls * 100), (caller, s)
        # and its stack runs through the wrapper.
        assert sites_through(dump, binary, "readChunk") and ids[0] in \
            sites_through(dump, binary, "readChunk"), caller
    # Nothing else read.
    reads = [sid for sid, s in dump.sites.items() if s["kind"] == "syscall" and s["op"] == "read"]
    assert len(reads) == 3, reads
