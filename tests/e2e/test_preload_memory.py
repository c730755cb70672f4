"""The profiler's own memory grows with sites and live blocks, never with events."""
from test_preload_support import only_dump, run_sample


def rss_after(reads):
    proc, dumps, _ = run_sample("pl_readloop", reads)
    words = proc.stdout.split()
    assert words[0] == b"reads" and int(words[1]) == reads, proc.stdout
    dump = only_dump(dumps)
    calls = sum(s["calls"] for s in dump.final_state().values())
    assert calls >= reads, calls
    return int(words[3])


def test_preload_own_memory_is_flat_in_the_number_of_syscalls():
    small, large = rss_after(200000), rss_after(2000000)
    assert large - small < 512, (small, large)  # kB: ten times the calls, same memory
