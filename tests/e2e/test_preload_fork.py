"""fork and fork+exec: one dump per process, each with its own contents."""
from test_preload_support import (read_dump, run_profiled, run_sample, sample,
                                  sites_in_function, tmpdir)


def live_by_size(dump):
    """{block size: live count} over alloc sites holding blocks of one size."""
    out = {}
    for sid, s in dump.final_state().items():
        if dump.sites[sid]["kind"] == "alloc" and s["live_count"]:
            out[s["live_bytes"] // s["live_count"]] = s["live_count"]
    return out


def parent_and_child(dumps):
    assert len(dumps) == 2, dumps
    a, b = (read_dump(p) for p in dumps)
    if b.header["ppid"] == a.header["pid"]:
        return a, b
    assert a.header["ppid"] == b.header["pid"], (a.header, b.header)
    return b, a


def test_preload_fork_child_gets_its_own_dump_and_parent_is_untouched():
    proc, dumps, _ = run_sample("pl_fork", "fork")
    assert b"parent done, child exited 0" in proc.stdout, proc.stdout
    parent, child = parent_and_child(dumps)
    for d in (parent, child):
        assert d.summary["saw_end"] and d.ends[0]["dropped_events"] == 0, d.summary
        assert d.modules, "every dump carries its own module map"
    p, c = live_by_size(parent), live_by_size(child)
    assert p.get(10001) == 5 and p.get(30001) == 3 and 20001 not in p, p
    # The child starts fresh: the parent's blocks are not its allocations.
    assert c.get(20001) == 7 and 10001 not in c and 30001 not in c, c
    assert sites_in_function(child, sample("pl_fork"), "keepBlocks"), \
        "the child publishes its sites again in its own dump"


def test_preload_fork_exec_gives_one_dump_per_process():
    proc, dumps, _ = run_sample("pl_fork", "exec")
    assert b"target done" in proc.stdout and b"child exited 0" in proc.stdout, proc.stdout
    # Parent and exec'd child; the child before its exec recorded nothing, so left none.
    parent, target = parent_and_child(dumps)
    p, t = live_by_size(parent), live_by_size(target)
    assert p.get(10001) == 5 and 40001 not in p, p
    assert t.get(40001) == 4 and 10001 not in t, t
    assert parent.summary["saw_end"] and target.summary["saw_end"]


def test_preload_fork_during_loader_walks_never_hangs_the_child():
    # Without the fork gate, a child inherits the loader's walk lock held and its first
    # walk (an unwind, a module scan) waits forever: this hung about one run in three.
    workdir = tmpdir()
    proc, dumps = run_profiled([sample("pl_forkstress"), "50"], workdir, timeout=120)
    assert proc.stdout == b"50 forks, 0 failed\n", proc.stdout
    assert len(dumps) == 51, len(dumps)
    assert all(read_dump(p).summary["saw_end"] for p in dumps)
