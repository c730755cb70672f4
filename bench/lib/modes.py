"""The ways every workload is run, interleaved within one benchmark run."""
import os

SAMPLE_BYTES = "524288"


# The modes that record with the preload and write a dump.
RECORDING = ("exact", "shallow", "sampled", "baseline")


class Mode:
    def __init__(self, name, label):
        self.name = name
        self.label = label

    def command(self, workload, preload, name_tag):
        """(argv, env delta, glob of the files this mode writes) for one run."""
        env = dict(workload.env)
        if self.name == "plain":
            return workload.argv, env, None
        if self.name in RECORDING:
            env["LD_PRELOAD"] = preload
            env["SLOWBURN_SAMPLE_BYTES"] = SAMPLE_BYTES if self.name == "sampled" else "0"
            if self.name == "shallow":
                env["SLOWBURN_DEPTH"] = "1"
            return workload.argv, env, "*.sb"
        if self.name == "heaptrack":
            # heaptrack adds .zst (or .gz without zstd) to the name given with -o
            return ["heaptrack", "-o", os.path.join(".", f"heaptrack.{name_tag}")] + \
                workload.argv, env, f"heaptrack.{name_tag}.*"
        raise ValueError(self.name)


MODES = [
    Mode("plain", "plain"),
    Mode("exact", "slowburn exact"),
    # Exact with stacks cut at one frame: what recording costs before any stack is walked
    # (the hooks, the ring, the collector), the floor a faster stack walk cannot go under.
    Mode("shallow", "slowburn exact, 1-frame stacks"),
    Mode("sampled", f"slowburn sampled ({SAMPLE_BYTES})"),
    Mode("heaptrack", "heaptrack"),
]

# Exact recording with another build of the library (bench/run --baseline LIB): what a
# change to the preload costs, measured in the same interleaved runs.
BASELINE = Mode("baseline", "slowburn exact, baseline library")


def modes_for(names, baseline):
    """The modes a run uses: every one (or those named), plus the baseline when given."""
    chosen = [m for m in MODES if not names or m.name in names]
    if baseline:
        chosen.append(BASELINE)
    return chosen
