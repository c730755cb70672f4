"""The four ways every workload is run, interleaved within one benchmark run."""
import os

SAMPLE_BYTES = "524288"


class Mode:
    def __init__(self, name, label):
        self.name = name
        self.label = label

    def command(self, workload, preload, name_tag):
        """(argv, env delta, glob of the files this mode writes) for one run."""
        env = dict(workload.env)
        if self.name == "plain":
            return workload.argv, env, None
        if self.name in ("exact", "sampled"):
            env["LD_PRELOAD"] = preload
            env["SLOWBURN_SAMPLE_BYTES"] = "0" if self.name == "exact" else SAMPLE_BYTES
            return workload.argv, env, "*.sb"
        if self.name == "heaptrack":
            # heaptrack adds .zst (or .gz without zstd) to the name given with -o
            return ["heaptrack", "-o", os.path.join(".", f"heaptrack.{name_tag}")] + \
                workload.argv, env, f"heaptrack.{name_tag}.*"
        raise ValueError(self.name)


MODES = [
    Mode("plain", "plain"),
    Mode("exact", "slowburn exact"),
    Mode("sampled", f"slowburn sampled ({SAMPLE_BYTES})"),
    Mode("heaptrack", "heaptrack"),
]
