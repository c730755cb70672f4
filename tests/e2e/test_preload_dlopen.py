"""A dlopen'ed library's allocations are attributed inside its own MODULE record."""
import os

from harness import BUILD
from test_preload_support import module_containing, only_dump, run_sample

PLUGIN = os.path.join(BUILD, "samples", "libpl_plugin.so")


def test_preload_dlopen_site_lies_in_the_plugin_module():
    proc, dumps, _ = run_sample("pl_dlopen", PLUGIN)
    assert b"plugin kept 6 blocks" in proc.stdout, proc.stdout
    dump = only_dump(dumps)
    plugin = [m for m in dump.modules if os.path.realpath(m["path"]) == os.path.realpath(PLUGIN)]
    assert len(plugin) == 1, dump.modules
    state = dump.final_state()
    site = [sid for sid, s in state.items() if s["live_bytes"] == 6 * 50001]
    assert len(site) == 1, state
    frames = dump.sites[site[0]]["frames"]
    # Innermost frame past malloc: the return address into pluginKeep.
    owners = [module_containing(dump, f) for f in frames]
    first_own = next(m for m in owners if m is not None and "libc" not in m["path"])
    assert first_own is plugin[0], (first_own, frames)
    index = dump.records.index(plugin[0])
    site_index = next(i for i, r in enumerate(dump.records)
                      if r["type"] == "site" and r["id"] == site[0])
    assert index < site_index, "the MODULE record comes before the SITE that uses it"
