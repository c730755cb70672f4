"""Turns the measurements into the summary table and the verdict on each target."""
import statistics

from workloads import SERVICE, THIRD_PARTY

# Sampled mode's target: at most this slowdown on the workloads of these kinds.
SAMPLED_LIMIT = 1.05
SAMPLED_TARGET_KINDS = (SERVICE, THIRD_PARTY)


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


def _shallow_floor(wall, cpu, wall_limit, cpu_limit, wall_missed, cpu_missed):
    """What exact with 1-frame stacks says of an exact target not met, judged on the ratios
    exact missed: over the limit there too, it is the floor that no cheaper stack brings
    exact under; within it, what is over comes with the stacks (their walk and their sites)."""
    if wall is None:
        return ""
    measured = f"wall {wall:.2f}x" + (f", CPU {cpu:.2f}x" if cpu is not None else "")
    over = (wall_missed and wall > wall_limit) or \
        (cpu_missed and cpu is not None and cpu_limit is not None and cpu > cpu_limit)
    if over:
        return f" (floor: with 1-frame stacks exact still costs {measured}, over the limit: " \
               "the hooks, the ring and the collector, before any stack is walked)"
    return f" (with 1-frame stacks exact costs {measured}, within the limit: what is over " \
           "comes with the stacks, their walk and their sites)"


def _ratio_text(summary, workload, mode):
    s = summary.get(workload, {}).get(mode, {})
    wall, cpu = s.get("slowdown"), s.get("cpu_slowdown")
    if wall is None:
        return "no successful run"
    return f"wall {wall:.2f}x, CPU {cpu:.2f}x" if cpu else f"wall {wall:.2f}x"


def sampled_verdict(summary, workload):
    """The times' verdict on a workload's sampled target, or None when it has no sampled run."""
    sampled = summary.get(workload, {}).get("sampled", {})
    if not sampled.get("slowdown"):
        return None
    return _judge(sampled["slowdown"], sampled.get("cpu_slowdown"), SAMPLED_LIMIT)


def _instructions_note(counts):
    """What callgrind counted for a sampled target the times did not meet (instructions.py)."""
    plain, sampled, hooks = (counts or {}).get("plain"), (counts or {}).get("sampled"), \
        (counts or {}).get("hooks")
    if not plain or not sampled:
        return ""
    note = f" (instructions at the small size, which noise does not move: sampled " \
        f"{sampled / plain:.3f}x"
    if hooks:
        note += f", the hooks alone with nothing sampled {hooks / plain:.3f}x"
    within = "within" if sampled / plain <= SAMPLED_LIMIT else "over"
    return note + f", {within} the limit)"


def verdicts(summary, workloads, rss_run, soak, shapes, instructions=None):
    """One (target, measured, verdict) triple per target of issue 11 (docs/BENCHMARKS.md).

    Slowdown targets are judged on both the median wall-time ratio and the median CPU-time
    ratio (user + system of every process, the profiler's collector included): on a loaded
    machine wall time mostly measures the queue for a core, and a collector that runs on an
    idle core costs CPU without costing wall time.
    shapes: workload -> the shape of its exact dump (sites, and the END's memory figures).
    instructions: workload -> mode -> instructions callgrind counted (instructions.py), for
    the sampled targets the times did not meet.
    """
    out = []

    def get(workload, mode, key):
        return summary.get(workload, {}).get(mode, {}).get(key)

    by_kind = {}
    for w in workloads:
        by_kind.setdefault(w.kind, []).append(w)

    # 1. Exact mode at half heaptrack's slowdown, every workload heaptrack records.
    for w in workloads:
        if not w.heaptrack_sees_it:
            continue
        if not w.heaptrack_follows:
            out.append((f"{w.name}: exact slowdown <= 0.5x heaptrack's",
                        f"exact {_ratio_text(summary, w.name, 'exact')}; heaptrack "
                        f"{_ratio_text(summary, w.name, 'heaptrack')}",
                        "not comparable: heaptrack does not follow fork() children, so "
                        "its trace holds only the parent's few allocations"))
            continue
        heap_wall, heap_cpu = get(w.name, "heaptrack", "slowdown"), get(w.name, "heaptrack",
                                                                         "cpu_slowdown")
        exact_wall, exact_cpu = get(w.name, "exact", "slowdown"), get(w.name, "exact",
                                                                       "cpu_slowdown")
        if not heap_wall or not exact_wall:
            continue
        wall_ok = exact_wall <= heap_wall / 2
        cpu_ok = exact_cpu is None or heap_cpu is None or exact_cpu <= heap_cpu / 2
        verdict = "met" if wall_ok and cpu_ok else "met on wall time only" if wall_ok else \
            "met on CPU time only" if cpu_ok else "not met"
        limits = f"limits wall {heap_wall / 2:.2f}x" + \
            (f", CPU {heap_cpu / 2:.2f}x" if heap_cpu else "")
        if verdict != "met" and min(heap_wall, heap_cpu or heap_wall) / 2 < 1.0:
            verdict += " (floor: a limit below 1.00x asks for less time than the program " \
                       "takes without a profiler)"
        elif verdict != "met":
            verdict += _shallow_floor(get(w.name, "shallow", "slowdown"),
                                      get(w.name, "shallow", "cpu_slowdown"),
                                      heap_wall / 2, heap_cpu / 2 if heap_cpu else None,
                                      not wall_ok, not cpu_ok)
        out.append((f"{w.name}: exact slowdown <= 0.5x heaptrack's",
                    f"exact {_ratio_text(summary, w.name, 'exact')}; heaptrack "
                    f"{_ratio_text(summary, w.name, 'heaptrack')}; {limits}", verdict))

    # 2. Memory: the block map per live block, and the target's own peak RSS.
    for w in workloads:
        shape = shapes.get(w.name) or {}
        blocks, mapped = shape.get("block_map_peak_blocks"), shape.get("block_map_peak_bytes")
        if blocks and blocks >= 10000 and mapped:
            per = mapped / blocks
            out.append((f"{w.name}: the collector's block map <= 24 B per live block, its most "
                        "mapped at once (growth included) over its most blocks",
                        f"{per:.1f} B ({human_bytes(mapped)} for {blocks:,} blocks; collector "
                        f"peak RSS {human_bytes(shape.get('collector_peak_rss_bytes'))})",
                        "met" if per <= 24 else "not met"))
    for w in workloads:
        if not w.memory_target:
            continue
        plain, exact = get(w.name, "plain", "rss_median_kb"), get(w.name, "exact",
                                                                   "rss_median_kb")
        if plain and exact:
            out.append((f"{w.name}: target's peak RSS under exact mode <= 1.2x plain",
                        f"{human_bytes(exact * 1024)} vs {human_bytes(plain * 1024)} "
                        f"({exact / plain:.2f}x)", "met" if exact <= 1.2 * plain else "not met"))

    # 2b. Short-lived threads.
    if get("thread_churn", "exact", "slowdown"):
        out.append(("thread_churn: exact <= 1.3x plain", _ratio_text(summary, "thread_churn",
                                                                     "exact"),
                    _judge(get("thread_churn", "exact", "slowdown"),
                           get("thread_churn", "exact", "cpu_slowdown"), 1.3)))

    # 3. Syscall counting.
    for mode in ("exact", "sampled"):
        if get("read_loop", mode, "slowdown"):
            out.append((f"read_loop: syscall counting ({mode}) <= 1.10x plain",
                        _ratio_text(summary, "read_loop", mode),
                        _judge(get("read_loop", mode, "slowdown"),
                               get("read_loop", mode, "cpu_slowdown"), 1.10)))

    # What a change to the preload costs (bench/run --baseline).
    for workload, modes in summary.items():
        exact, base = modes.get("exact", {}), modes.get("baseline", {})
        if exact.get("wall_median_s") and base.get("wall_median_s"):
            wall = exact["wall_median_s"] / base["wall_median_s"]
            cpu = exact["cpu_median_s"] / base["cpu_median_s"] \
                if exact.get("cpu_median_s") and base.get("cpu_median_s") else None
            measured = f"wall {wall:.3f}x" + (f", CPU {cpu:.3f}x" if cpu else "")
            out.append((f"{workload}: exact <= 1.02x exact with the baseline library", measured,
                        _judge(wall, cpu, 1.02)))

    # 4. Sampled mode.
    for w in [w for kind in SAMPLED_TARGET_KINDS for w in by_kind.get(kind, [])]:
        verdict = sampled_verdict(summary, w.name)
        if verdict:
            if verdict != "met":
                verdict += _instructions_note((instructions or {}).get(w.name))
            out.append((f"{w.name}: sampled <= {SAMPLED_LIMIT:.2f}x plain",
                        _ratio_text(summary, w.name, "sampled"), verdict))
    if get("tiny_allocs", "sampled", "slowdown"):
        out.append(("tiny_allocs: sampled <= 1.2x plain",
                    _ratio_text(summary, "tiny_allocs", "sampled"),
                    _judge(get("tiny_allocs", "sampled", "slowdown"),
                           get("tiny_allocs", "sampled", "cpu_slowdown"), 1.2)))

    # 5. Dumps of many-stack programs.
    for w in workloads:
        ratio = get(w.name, "exact", "output_vs_heaptrack")
        sites = (shapes.get(w.name) or {}).get("sites") or 0
        if ratio is not None and sites >= 1000:
            out.append((f"{w.name} ({sites:,} sites): exact dump <= 25% of heaptrack's trace",
                        f"{ratio * 100:.1f}% ({human_bytes(get(w.name, 'exact', 'output_median_bytes'))}"
                        f" vs {human_bytes(get(w.name, 'heaptrack', 'output_median_bytes'))})",
                        "met" if ratio <= 0.25 else "not met"))

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
