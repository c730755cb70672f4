"""A module-level cache of dicts that grows and is never evicted, as a service's would.

Run with Debian's python3 and its default allocator (pymalloc): small objects live in 1 MiB
arenas it takes with mmap, so malloc sees almost none of the growth. Usage:
    python3 py_growing_cache.py SECONDS
"""
import sys
import time

CACHE = []


def remember(i):
    CACHE.append({"id": i, "name": "item%d" % i, "tags": [i, i + 1]})


def main(seconds):
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        for _ in range(2000):
            remember(i)
            i += 1
        time.sleep(0.01)
    print(len(CACHE))


if __name__ == "__main__":
    main(float(sys.argv[1]))
