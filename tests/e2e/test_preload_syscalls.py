"""read()/write() counted per call site: exact calls and bytes; SLOWBURN_SYSCALLS filters."""
from test_preload_support import only_dump, run_sample, sample, sites_in_function

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
