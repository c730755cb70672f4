"""Support code for the preload's end-to-end tests (no tests here).

They locate call sites in a dump by the functions their frames fall in, using the
MODULE records the preload wrote and the sample's own symbol table.
"""
import os
import re
import subprocess

from harness import read_dump, run_profiled, sample, tmpdir

__all__ = ["function_range", "module_containing", "sites_in_function", "only_dump",
           "dump_for_pid", "run_sample", "read_dump", "sample", "tmpdir", "run_profiled"]


def function_range(binary, name):
    """(start, end) file addresses of the function whose demangled name contains name."""
    out = subprocess.run(["nm", "-S", "--defined-only", "-C", binary], capture_output=True,
                         text=True, check=True).stdout
    matches = []
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[2] in "tTwW" and name in parts[3]:
            start = int(parts[0], 16)
            matches.append((start, start + int(parts[1], 16), parts[3]))
    if len(matches) > 1:  # keptNew and keptNewArray: the one named exactly
        exact = re.compile(r"(^|::)" + re.escape(name) + r"(\(|$)")
        matches = [m for m in matches if exact.search(m[2])]
    if len(matches) != 1:
        raise AssertionError(f"{name!r} in {binary}: expected one function, found {matches}")
    return matches[0][0], matches[0][1]


def module_containing(dump, address):
    for m in dump.modules:
        if m["load_address"] <= address < m["load_address"] + m["size"]:
            return m
    return None


def innermost_in(dump, site, binary):
    """The site's innermost frame inside binary, as a file address, or None."""
    real = os.path.realpath(binary)
    for frame in site["frames"]:
        m = module_containing(dump, frame)
        if m is not None and os.path.realpath(m["path"]) == real:
            return frame - m["load_address"]
    return None


def sites_in_function(dump, binary, name, kind="alloc"):
    """Ids of the sites whose innermost frame in binary lies in the named function.

    Frames are return addresses, so they fall strictly inside the calling function.
    """
    start, end = function_range(binary, name)
    found = []
    for sid, site in dump.sites.items():
        if site["kind"] != kind:
            continue
        addr = innermost_in(dump, site, binary)
        if addr is not None and start < addr <= end:
            found.append(sid)
    return found


def only_dump(dumps):
    if len(dumps) != 1:
        raise AssertionError(f"expected exactly one dump, got {dumps}")
    return read_dump(dumps[0])


def dump_for_pid(dumps, pid):
    for path in dumps:
        d = read_dump(path)
        if d.header["pid"] == pid:
            return d
    raise AssertionError(f"no dump for pid {pid} among {dumps}")


def run_sample(name, *args, env=None, workdir=None):
    workdir = workdir or tmpdir()
    proc, dumps = run_profiled([sample(name)] + [str(a) for a in args], workdir, env=env)
    return proc, dumps, workdir
