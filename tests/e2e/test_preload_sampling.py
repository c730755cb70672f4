"""Poisson sampling by bytes: estimates close to the truth, frees still exact."""
from test_preload_support import only_dump, run_sample, sample, sites_in_function

MB = 200
MEAN = 65536


def test_preload_sampling_estimates_live_bytes_within_a_few_percent():
    proc, dumps, _ = run_sample("pl_sampling", MB, env={"SLOWBURN_SAMPLE_BYTES": str(MEAN)})
    assert proc.stdout == f"kept {MB * 100000 // 1000} blocks\n".encode(), proc.stdout
    dump = only_dump(dumps)
    assert dump.header["sample_bytes"] == MEAN
    state = dump.final_state()
    kept = sites_in_function(dump, sample("pl_sampling"), "keepBlock")
    churn = sites_in_function(dump, sample("pl_sampling"), "churnBlock")
    assert len(kept) == 1 and len(churn) == 1, (kept, churn)
    truth = MB * 1000000
    estimate = state[kept[0]]["live_bytes"]
    # About 2800 samples: the relative standard error is 1.7%; 6% is 3.4 sigma.
    assert abs(estimate - truth) <= 0.06 * truth, (estimate, truth)
    blocks = truth // 10000
    assert abs(state[kept[0]]["allocs"] - blocks) <= 0.06 * blocks, state[kept[0]]
    # Every sampled churn block was freed: its estimate comes back to exactly zero.
    c = state[churn[0]]
    assert c["live_bytes"] == 0 and c["live_count"] == 0 and c["allocs"] > 0, c
    assert abs(c["frees"] - c["allocs"]) <= 1, c
