"""Turns the measurements into the summary table and the verdict on each target."""
import statistics


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def human_bytes(n):
    if n is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024.0
    return f"{n:.1f} GiB"


def summarize(workload_runs, untraced=()):
    """workload -> mode -> summary dict (medians over repetitions).

    untraced: workloads whose work heaptrack does not record (syscalls), so comparing
    output sizes with its trace means nothing.
    """
    summary = {}
    for workload, modes in workload_runs.items():
        plain = modes.get("plain", [])
        plain_wall = median([r["wall_s"] for r in plain])
        plain_cpu = median([r.get("cpu_s") for r in plain])
        plain_rss = median([r["rss_kb"] for r in plain])
        heap_out = median([r["output_bytes"] for r in modes.get("heaptrack", [])])
        summary[workload] = {}
        for mode, runs in modes.items():
            ok = [r for r in runs if r["exit_code"] == 0]
            wall = median([r["wall_s"] for r in ok])
            cpu = median([r.get("cpu_s") for r in ok])
            rss = median([r["rss_kb"] for r in ok])
            out = median([r["output_bytes"] for r in ok]) if mode != "plain" else None
            growth = median([r["vmrss_100pct_kb"] - r["vmrss_10pct_kb"] for r in ok
                             if r.get("vmrss_10pct_kb") is not None
                             and r.get("vmrss_100pct_kb") is not None])
            summary[workload][mode] = {
                "runs": len(runs),
                "failed": len(runs) - len(ok),
                "wall_median_s": wall,
                "wall_all_s": [r["wall_s"] for r in runs],
                "slowdown": wall / plain_wall if wall and plain_wall else None,
                "cpu_median_s": cpu,
                "cpu_slowdown": cpu / plain_cpu if cpu and plain_cpu else None,
                "rss_median_kb": rss,
                "rss_over_plain_kb": rss - plain_rss if rss is not None and plain_rss else None,
                "helper_rss_median_kb": median([r.get("helper_rss_kb") for r in ok]),
                "output_median_bytes": out,
                "output_vs_heaptrack": out / heap_out
                if out is not None and heap_out and mode in ("exact", "sampled")
                and workload not in untraced else None,
                "vmrss_growth_10_100_kb": growth,
            }
    return summary


def _num(value, spec, suffix=""):
    return "-" if value is None else format(value, spec) + suffix


def _kib(value_kb, signed=False):
    if value_kb is None:
        return "-"
    sign = "+" if signed and value_kb >= 0 else ""
    return sign + human_bytes(value_kb * 1024)


def markdown_table(summary, labels):
    rows = ["| workload | mode | wall (median s) | slowdown | CPU slowdown | peak RSS "
            "| RSS vs plain | dump / trace | vs heaptrack | VmRSS 10%→100% |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for workload, modes in summary.items():
        for mode, s in modes.items():
            failed = f" ({s['failed']} failed)" if s["failed"] else ""
            ratio = s["output_vs_heaptrack"]
            growth = s["vmrss_growth_10_100_kb"]
            cells = [
                workload,
                labels[mode] + failed,
                _num(s["wall_median_s"], ".3f"),
                _num(s["slowdown"], ".2f", "x"),
                _num(s["cpu_slowdown"], ".2f", "x"),
                _kib(s["rss_median_kb"]),
                "-" if mode == "plain" else _kib(s["rss_over_plain_kb"], signed=True),
                human_bytes(s["output_median_bytes"]),
                _num(ratio * 100 if ratio is not None else None, ".2f", "%"),
                "-" if growth is None else f"{int(growth)} KiB",
            ]
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _judge(wall, cpu, limit):
    """A slowdown target is met when both the wall and the CPU ratio are within it."""
    wall_ok = wall is not None and wall <= limit
    cpu_ok = cpu is None or cpu <= limit
    if wall_ok and cpu_ok:
        return "met"
    if wall_ok:
        return "met on wall time only"
    if cpu_ok and cpu is not None:
        return "met on CPU time only"
    return "not met"


def verdicts(summary, rss_run, soak):
    """One (target, measured, verdict) triple per target in docs/BENCHMARKS.md.

    Slowdown targets are judged on both the median wall-time ratio and the median CPU-time
    ratio (user + system of every thread, the profiler's own included): on a loaded
    machine wall time mostly measures the queue for a core, and a collector thread that
    runs on an idle core costs CPU without costing wall time.
    """
    out = []

    def get(workload, mode, key):
        return summary.get(workload, {}).get(mode, {}).get(key)

    def ratio_text(workload, mode):
        wall = get(workload, mode, "slowdown")
        cpu = get(workload, mode, "cpu_slowdown")
        return f"wall {wall:.2f}x, CPU {cpu:.2f}x" if cpu else f"wall {wall:.2f}x"

    exact = get("churn", "exact", "slowdown")
    heap = get("churn", "heaptrack", "slowdown")
    if exact and heap:
        heap_cpu = get("churn", "heaptrack", "cpu_slowdown")
        exact_cpu = get("churn", "exact", "cpu_slowdown")
        wall_ok = exact <= heap / 3
        cpu_ok = exact_cpu is None or heap_cpu is None or exact_cpu <= heap_cpu / 3
        verdict = "met" if wall_ok and cpu_ok else \
            "met on wall time only" if wall_ok else \
            "met on CPU time only" if cpu_ok else "not met"
        limits = f"limits wall {heap / 3:.2f}x" + (f", CPU {heap_cpu / 3:.2f}x" if heap_cpu else "")
        out.append(("churn: exact slowdown <= 1/3 of heaptrack's",
                    f"exact {ratio_text('churn', 'exact')}; heaptrack "
                    f"{ratio_text('churn', 'heaptrack')}; {limits}", verdict))
    for workload in ("churn", "cc1plus_O0", "python_dicts", "python_dicts_malloc"):
        sampled = get(workload, "sampled", "slowdown")
        if sampled:
            out.append((f"{workload}: sampled <= 1.05x plain", ratio_text(workload, "sampled"),
                        _judge(sampled, get(workload, "sampled", "cpu_slowdown"), 1.05)))
    for mode in ("exact", "sampled"):
        reads = get("read_loop", mode, "slowdown")
        if reads:
            out.append((f"read_loop: syscall counting ({mode}) <= 1.10x plain",
                        ratio_text("read_loop", mode),
                        _judge(reads, get("read_loop", mode, "cpu_slowdown"), 1.10)))
    for workload, modes in summary.items():
        exact, base = modes.get("exact", {}), modes.get("baseline", {})
        if exact.get("wall_median_s") and base.get("wall_median_s"):
            wall = exact["wall_median_s"] / base["wall_median_s"]
            cpu = exact["cpu_median_s"] / base["cpu_median_s"] \
                if exact.get("cpu_median_s") and base.get("cpu_median_s") else None
            measured = f"wall {wall:.3f}x" + (f", CPU {cpu:.3f}x" if cpu else "")
            out.append((f"{workload}: exact <= 1.02x exact with the baseline library", measured,
                        _judge(wall, cpu, 1.02)))
    for workload, modes in summary.items():
        ratio = modes.get("exact", {}).get("output_vs_heaptrack")
        if ratio is not None:
            out.append((f"{workload}: exact dump <= 1% of heaptrack's trace",
                        f"{ratio * 100:.2f}%", "met" if ratio <= 0.01 else "not met"))
    if rss_run and rss_run.get("growth_kb") is not None:
        out.append((f"profiler RSS growth 10%->100% of {rss_run['reads']:,} reads < 1 MiB",
                    f"{rss_run['growth_kb']} KiB",
                    "met" if rss_run["growth_kb"] < 1024 else "not met"))
    if soak and soak.get("report"):
        snapshots = soak["shape"]["snapshots"]
        out.append((f"analyzer ranks the soak dump ({snapshots} snapshots; a 10-minute run "
                    "at 100 ms has 6000) in < 1 s",
                    f"{soak['report']['median_s']:.3f} s",
                    "met" if soak["report"]["median_s"] < 1.0 else "not met"))
    return out


def markdown_verdicts(items):
    rows = ["| target | measured | verdict |", "| --- | --- | --- |"]
    for target, measured, verdict in items:
        shown = verdict if verdict == "met" else f"**{verdict}**"
        rows.append(f"| {target} | {measured} | {shown} |")
    return "\n".join(rows)


def markdown_analyzer(timings, soak):
    """`slowburn report` times: each workload's exact dump, then the soak dump."""
    rows = ["| dump | size | snapshots | sites | dropped events | `slowburn report` (median s) "
            "| analyzer peak RSS |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    items = list(timings.items())
    if soak and soak.get("report"):
        items.append(("soak (10 ms interval)", soak))
    for name, t in items:
        if "report" not in t:
            rows.append(f"| {name} | error: {t.get('error', '?')[:80]} | | | | | |")
            continue
        shape = t["shape"]
        rows.append(f"| {name} | {human_bytes(t['dump_bytes'])} | {shape['snapshots']} "
                    f"| {shape['sites']} | {shape['dropped_events']} "
                    f"| {t['report']['median_s']:.3f} | {_kib(t['report']['rss_kb'])} |")
    return "\n".join(rows)
