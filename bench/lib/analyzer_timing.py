"""Times `slowburn report` on dumps, and reads a dump's shape from `slowburn export`."""
import json
import os
import statistics
import subprocess
import time


def time_report(slowburn, dump, reps):
    """Median and all wall times of `slowburn report DUMP`, and its peak RSS in KiB."""
    times = []
    rss = 0
    for _ in range(reps):
        start = time.perf_counter()
        proc = subprocess.Popen([slowburn, "report", dump], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode != 0:
            raise RuntimeError(f"slowburn report {dump} exited {proc.returncode}: {err.strip()}")
        rss = max(rss, usage.ru_maxrss)
    return {"median_s": statistics.median(times), "times_s": times, "rss_kb": rss}


def dump_shape(slowburn, dump):
    """Snapshots, sites, duration and dropped events as the analyzer sees them."""
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
        "sites": len(doc.get("sites", [])),
        "allocs": doc.get("totals", {}).get("allocs"),
    }
