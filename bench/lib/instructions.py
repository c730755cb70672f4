"""Instructions counted by callgrind: what sampled mode costs where the machine's noise
hides it. A time ratio within 5 % cannot be told from noise here (plain runs of one
workload spread by up to 60 %); an instruction count is the same run after run, so one
count of each mode settles what the time ratios leave open.

Each workload runs at its small size (bench/run --quick's), once plain, once sampled and
once with nothing sampled: the last is the hooks alone, passing every call on, the floor
of a sampling profiler that interposes malloc and free. The collector is counted too.
"""
import glob
import os
import shutil
import subprocess

import modes
from measure import clean_environment, command_line

# A mean gap between samples no program reaches: nothing is ever sampled.
NOTHING_SAMPLED = str(1 << 40)
MODES = ("plain", "sampled", "hooks")


def _env_for(mode, workload, preload):
    """The timed mode's environment (modes.py); the hooks' is sampled's, sampling nothing."""
    [timed] = [m for m in modes.MODES if m.name == ("plain" if mode == "plain" else "sampled")]
    _, env, _ = timed.command(workload, preload, workload.name)
    if mode == "hooks":
        env["SLOWBURN_SAMPLE_BYTES"] = NOTHING_SAMPLED
    return env


def callgrind_command(argv, env_delta, out_dir):
    """Every process of the command under callgrind; env set inside, past valgrind's own."""
    return ["valgrind", "--tool=callgrind", "--trace-children=yes",
            f"--callgrind-out-file={os.path.join(out_dir, 'cg.%p')}", "env"] + \
        [f"{k}={v}" for k, v in sorted(env_delta.items())] + list(argv)


def total_instructions(out_dir):
    """The sum of the `totals:` lines of every callgrind file in out_dir, or None."""
    total, found = 0, False
    for path in glob.glob(os.path.join(out_dir, "cg.*")):
        with open(path, errors="replace") as f:
            for line in f:
                if line.startswith("totals:"):
                    total += int(line.split()[1])
                    found = True
    return total if found else None


def count(argv, env_delta, workdir, timeout_s):
    """(instructions of the command and every process it starts, or None; the command)."""
    os.makedirs(workdir, exist_ok=True)
    cmd = callgrind_command(argv, env_delta, workdir)
    try:
        proc = subprocess.run(cmd, cwd=workdir, env=clean_environment(), timeout=timeout_s,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except subprocess.TimeoutExpired:
        return None, command_line(cmd, {})
    if proc.returncode != 0:
        return None, command_line(cmd, {})
    return total_instructions(workdir), command_line(cmd, {})


def available():
    return shutil.which("valgrind") is not None


def count_sampled(workload, preload, scratch, timeout_s, say):
    """mode -> instructions (plain, sampled, hooks) for one small workload."""
    out = {}
    for mode in MODES:
        n, cmd = count(workload.argv, _env_for(mode, workload, preload),
                       os.path.join(scratch, f"{workload.name}-instructions-{mode}"), timeout_s)
        say(f"   $ (cd WORKDIR && {cmd})")
        say(f"   {mode:8} {n:,} instructions" if n is not None else f"   ! {mode} failed")
        out[mode] = n
    return out
