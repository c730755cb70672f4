"""Times `slowburn report` on dumps, and reads a dump's shape from `slowburn export`."""
import json
import os
import statistics
import subprocess
import time


def time_report(slowburn, dump, reps, hwm_probe):
    """Median and all wall times of `slowburn report DUMP`, and its peak RSS in KiB.

    The RSS comes from the probe: wait4's ru_maxrss of a freshly exec'd child also counts
    the high-water mark of the (large) Python process it was forked from.
    """
    times = []
    rss = 0
    hwm_path = dump + ".hwm"
    env = dict(os.environ, LD_PRELOAD=hwm_probe, HWM_PROBE_OUT=hwm_path)
    for _ in range(reps):
        start = time.perf_counter()
        proc = subprocess.Popen([slowburn, "report", dump], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=env)
        _, status, _ = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode != 0:
            raise RuntimeError(f"slowburn report {dump} exited {proc.returncode}: {err.strip()}")
    with open(hwm_path) as f:
        rss = max(int(line.split()[0]) for line in f if line.strip())
    os.unlink(hwm_path)
    return {"median_s": statistics.median(times), "times_s": times, "rss_kb": rss}


def dump_shape(slowburn, dump):
    """Snapshots, sites (stacks) and lines, duration and dropped events as the analyzer sees them."""
    proc = subprocess.run([slowburn, "export", dump, "--format", "json"], capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"slowburn export {dump} exited {proc.returncode}: "
                           f"{proc.stderr.strip()}")
    doc = json.loads(proc.stdout)
    process = doc.get("process", {})
    return {
        "snapshots": process.get("snapshots"),
        "duration_s": process.get("duration_s"),
        "dropped_events": process.get("dropped_events"),
        "truncated": process.get("truncated"),
        # Sites are the dump's stacks (SITE records); the JSON groups them by program line.
        "sites": sum(len(site.get("stacks", [site])) for site in doc.get("sites", [])),
        "lines": len(doc.get("sites", [])),
        "allocs": doc.get("totals", {}).get("allocs"),
    }


def end_figures(sbdump, dumps):
    """The END record's memory figures of the dump whose block map held the most blocks."""
    best = {}
    for dump in dumps:
        proc = subprocess.run([sbdump, "--json", dump], capture_output=True, text=True,
                              timeout=600)
        if proc.returncode != 0:
            continue
        for line in proc.stdout.splitlines():
            record = json.loads(line)
            if record.get("type") != "end":
                continue
            if record.get("block_map_peak_blocks", 0) >= best.get("block_map_peak_blocks", -1):
                best = {k: record.get(k) for k in ("collector_peak_rss_bytes",
                                                    "block_map_peak_bytes",
                                                    "block_map_peak_blocks")}
    return best
