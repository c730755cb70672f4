"""bench/run's judgement of its targets: the 1-frame-stack mode it runs beside exact and
what its ratios say of an exact target that is not met, and the instructions it counts
for a sampled target the times did not meet (bench/lib/tables.py, instructions.py)."""
import os
import pathlib
import sys

from harness import ROOT, sample, tmpdir

sys.path.insert(0, os.path.join(ROOT, "bench", "lib"))
import modes  # noqa: E402
import tables  # noqa: E402
from workloads import Workload  # noqa: E402


def summary_of(**slowdowns):
    """A summary as summarize() makes it: mode -> (wall, cpu) slowdown."""
    return {"svc": {mode: {"slowdown": wall, "cpu_slowdown": cpu}
                    for mode, (wall, cpu) in slowdowns.items()}}


def exact_verdict(summary):
    checks = tables.verdicts(summary, [Workload("svc", ["svc"])], None, None, {})
    [(target, measured, verdict)] = [c for c in checks if c[0].startswith("svc: exact")]
    return measured, verdict


def test_bench_shallow_mode_records_exactly_with_one_frame():
    [shallow] = [m for m in modes.MODES if m.name == "shallow"]
    argv, env, outputs = shallow.command(Workload("svc", ["svc", "1"], env={"K": "v"}),
                                         "/lib/libslowburn.so", "svc")
    assert argv == ["svc", "1"]
    assert env == {"K": "v", "LD_PRELOAD": "/lib/libslowburn.so",
                   "SLOWBURN_SAMPLE_BYTES": "0", "SLOWBURN_DEPTH": "1"}
    assert outputs == "*.sb"
    assert "shallow" in modes.RECORDING


def test_bench_exact_target_not_met_names_the_floor_when_one_frame_is_over_too():
    measured, verdict = exact_verdict(summary_of(exact=(1.34, 1.76), shallow=(1.22, 1.60),
                                                 heaptrack=(2.19, 2.99)))
    assert "limits wall 1.09x, CPU 1.50x" in measured, measured
    assert verdict.startswith("not met (floor: with 1-frame stacks exact still costs "
                              "wall 1.22x, CPU 1.60x, over the limit"), verdict


def test_bench_exact_target_not_met_blames_the_walk_when_one_frame_is_within():
    _, verdict = exact_verdict(summary_of(exact=(1.90, 3.23), shallow=(1.40, 2.00),
                                          heaptrack=(3.15, 4.32)))
    assert verdict == ("not met (with 1-frame stacks exact costs wall 1.40x, CPU 2.00x, "
                       "within the limit: what is over comes with the stacks, their walk and "
                       "their sites)"), verdict


def test_bench_exact_target_met_on_one_ratio_judges_the_floor_on_the_other():
    # Exact misses CPU only; 1-frame is over on wall (noise) but within on CPU: the walk.
    _, verdict = exact_verdict(summary_of(exact=(1.20, 1.60), shallow=(1.40, 1.30),
                                          heaptrack=(2.60, 3.00)))
    assert verdict.startswith("met on wall time only (with 1-frame stacks exact costs "), verdict
    # Exact misses wall only; 1-frame is over on wall too: the floor.
    _, verdict = exact_verdict(summary_of(exact=(1.40, 1.40), shallow=(1.35, 1.20),
                                          heaptrack=(2.60, 3.00)))
    assert verdict.startswith("met on CPU time only (floor: with 1-frame stacks"), verdict


def test_bench_exact_target_met_or_below_one_says_nothing_of_one_frame():
    _, met = exact_verdict(summary_of(exact=(1.20, 1.30), shallow=(5.0, 5.0),
                                      heaptrack=(3.0, 3.0)))
    assert met == "met", met
    _, below = exact_verdict(summary_of(exact=(1.04, 1.01), shallow=(1.03, 1.01),
                                        heaptrack=(1.58, 1.71)))
    assert "a limit below 1.00x" in below and "1-frame" not in below, below
    _, unmeasured = exact_verdict(summary_of(exact=(1.90, 3.23), heaptrack=(3.15, 4.32)))
    assert unmeasured == "not met", unmeasured


def sampled_verdict(summary, counts):
    checks = tables.verdicts(summary, [Workload("svc", ["svc"])], None, None, {},
                             {"svc": counts} if counts else None)
    [(_, _, verdict)] = [c for c in checks if c[0].startswith("svc: sampled")]
    return verdict


def test_bench_sampled_target_not_met_in_time_gives_the_instruction_counts():
    summary = summary_of(sampled=(1.09, 1.08))
    assert sampled_verdict(summary, None) == "not met"
    verdict = sampled_verdict(summary, {"plain": 1000, "sampled": 1046, "hooks": 1043})
    assert verdict == ("not met (instructions at the small size, which noise does not move: "
                       "sampled 1.046x, the hooks alone with nothing sampled 1.043x, within "
                       "the limit)"), verdict
    verdict = sampled_verdict(summary, {"plain": 1000, "sampled": 1080, "hooks": None})
    assert verdict.endswith("sampled 1.080x, over the limit)"), verdict
    # A target the times met is not annotated, whatever was counted.
    assert sampled_verdict(summary_of(sampled=(1.01, 1.02)),
                           {"plain": 1000, "sampled": 1100}) == "met"


def test_bench_counts_instructions_of_every_process_of_a_run():
    import instructions
    tmp_path = pathlib.Path(tmpdir())
    # A sample, which `make test` builds (bench's own programs it does not).
    preload = os.path.join(ROOT, "build", "libslowburn.so")
    workload = Workload("churn", [sample("churn"), "20"])
    counts = {}
    for mode in instructions.MODES:
        out = tmp_path / mode
        n, command = instructions.count(workload.argv,
                                        instructions._env_for(mode, workload, preload),
                                        str(out), 300)
        assert n is not None, command
        assert command.startswith("valgrind --tool=callgrind --trace-children=yes"), command
        # The preloaded runs start the collector: a second process, counted too.
        assert len(list(out.glob("cg.*"))) == (1 if mode == "plain" else 2), mode
        counts[mode] = n
    assert counts["plain"] < counts["hooks"] <= counts["sampled"], counts
    assert instructions._env_for("hooks", workload, preload)["SLOWBURN_SAMPLE_BYTES"] == \
        instructions.NOTHING_SAMPLED
