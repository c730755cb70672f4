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


def summarize(workload_runs):
    """workload -> mode -> summary dict (medians over repetitions)."""
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
                if out is not None and heap_out and mode in ("exact", "sampled") else None,
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


def verdicts(summary, rss_run, soak):
    """One (target, measured, met) triple per target in docs/BENCHMARKS.md."""
    out = []

    def get(workload, mode, key):
        return summary.get(workload, {}).get(mode, {}).get(key)

    exact = get("churn", "exact", "slowdown")
    heap = get("churn", "heaptrack", "slowdown")
    if exact and heap:
        out.append(("churn: exact slowdown <= 1/3 of heaptrack's",
                    f"exact {exact:.2f}x vs heaptrack {heap:.2f}x (limit {heap / 3:.2f}x)",
                    exact <= heap / 3))
    for workload in ("churn", "cc1plus_O0", "python_dicts", "python_dicts_malloc"):
        sampled = get(workload, "sampled", "slowdown")
        if sampled:
            out.append((f"{workload}: sampled <= 1.05x plain", f"{sampled:.3f}x",
                        sampled <= 1.05))
    for mode in ("exact", "sampled"):
        reads = get("read_loop", mode, "slowdown")
        if reads:
            out.append((f"read_loop: syscall counting ({mode}) <= 1.10x plain", f"{reads:.3f}x",
                        reads <= 1.10))
    for workload, modes in summary.items():
        ratio = modes.get("exact", {}).get("output_vs_heaptrack")
        if ratio is not None:
            out.append((f"{workload}: exact dump <= 1% of heaptrack's trace",
                        f"{ratio * 100:.2f}%", ratio <= 0.01))
    if rss_run and rss_run.get("growth_kb") is not None:
        out.append((f"profiler RSS growth 10%->100% of {rss_run['reads']:,} reads < 1 MiB",
                    f"{rss_run['growth_kb']} KiB", rss_run["growth_kb"] < 1024))
    if soak and soak.get("report"):
        out.append((f"analyzer ranks a 10-minute-equivalent dump "
                    f"({soak['shape']['snapshots']} snapshots) in < 1 s",
                    f"{soak['report']['median_s']:.3f} s", soak["report"]["median_s"] < 1.0))
    return out


def markdown_verdicts(items):
    rows = ["| target | measured | met |", "| --- | --- | --- |"]
    for target, measured, met in items:
        rows.append(f"| {target} | {measured} | {'met' if met else '**not met**'} |")
    return "\n".join(rows)
