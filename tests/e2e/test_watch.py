"""slowburn watch: following a dump while its process writes it, the alert lines, the metrics
(validated by promtool) and bounded memory over hours of snapshots."""
import glob
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request

from harness import BUILD, PRELOAD, SLOWBURN, sample, slowburn, tmpdir
from test_analyzer_shapes import marker_line

SBGROW = os.path.join(BUILD, "sbgrow")
LEAK_LINE = marker_line("incident_leaky.cpp", "cache.push_back(data);  // the leak")


class Watch:
    """A `slowburn watch` running beside a process: its stdout lines as they come."""

    def __init__(self, dump, *args):
        env = dict(os.environ)
        if os.environ.get("SLOWBURN_ASAN") == "1":
            # ASan's quarantine holds up to 256 MiB of freed blocks: a memory bound would
            # measure the quarantine, not the watch.
            env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                         "quarantine_size_mb=4"]))
        self.proc = subprocess.Popen([SLOWBURN, "watch", dump] + list(args), env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.err = []
        self.url = None
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.lines)),
                         threading.Thread(target=self._read, args=(self.proc.stderr, self.err))]
        for r in self._readers:
            r.start()

    def _read(self, stream, into):
        for line in stream:
            into.append(line.rstrip("\n"))
            if line.startswith("slowburn: serving Prometheus metrics on "):
                self.url = line.split(" on ", 1)[1].strip()

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            if self.proc.poll() is not None:
                return predicate()
            time.sleep(0.05)
        return False

    def finish(self, timeout=30):
        """Waits for the watch to end by itself; returns (exit status, peak RSS in KiB)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid != 0:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                for r in self._readers:
                    r.join()
                return self.proc.returncode, usage.ru_maxrss
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"watch did not end in {timeout} s: {self.lines} {self.err}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        for r in self._readers:
            r.join()


def start_profiled(name, workdir, *args, env=None):
    full_env = dict(os.environ)
    full_env.pop("SLOWBURN_OUT", None)
    full_env.update({"LD_PRELOAD": PRELOAD, "SLOWBURN_INTERVAL_MS": "50"})
    full_env.update(env or {})
    proc = subprocess.Popen([sample(name)] + [str(a) for a in args], cwd=workdir, env=full_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        dumps = glob.glob(os.path.join(workdir, "*.sb"))
        if dumps and os.path.getsize(dumps[0]) > 0:
            return proc, dumps[0]
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"{name} wrote no dump")


def promtool_check(text):
    proc = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, (proc.stdout, proc.stderr, text)


def test_watch_alerts_on_the_incident_serves_metrics_and_respects_a_budget():
    # given the incident's service running under the preload, one watch feeding Prometheus
    # and a node_exporter directory, and one with a budget the leak stays under
    workdir = tmpdir()
    textdir = os.path.join(workdir, "textfile")
    os.mkdir(textdir)
    proc, dump = start_profiled("incident_leaky", workdir, 900)
    watch = Watch(dump, "--every", "0.5", "--metrics-listen", "127.0.0.1:0", "--textfile",
                  textdir)
    quiet = Watch(dump, "--every", "0.5", "--max-growth", "1GiB/s")
    try:
        # when the leak has grown for a while
        growing = lambda: any("GROWING" in line for line in watch.lines)
        assert watch.wait_for(growing, 30), (watch.lines, watch.err)
        # then one line names the culprit's line, its rate and confidence
        line = next(line for line in watch.lines if "GROWING" in line)
        assert f"handle(int) at incident_leaky.cpp:{LEAK_LINE}" in line, line
        assert "/s" in line and "confidence" in line, line
        # and /metrics and the textfile hold the same family, valid for promtool
        assert watch.url and watch.url.startswith("http://127.0.0.1:"), watch.err
        with urllib.request.urlopen(watch.url, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            served = response.read().decode()
        promtool_check(served)
        assert (f'function="handle(int)",location="incident_leaky.cpp:{LEAK_LINE}"}} 1'
                in served), served
        assert 'location="other"' in served and "slowburn_process_resident_memory_bytes{" in served
        proms = glob.glob(os.path.join(textdir, "*.prom"))
        assert [os.path.basename(p) for p in proms] == \
            [os.path.basename(dump)[:-3] + ".prom"], proms
        with open(proms[0]) as f:
            promtool_check(f.read())
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
        # and both watches end with the process, the textfile removed
        status, _ = watch.finish()
        assert status == 0, watch.err
        assert watch.lines[-1].endswith("the process exited: the watch ends"), watch.lines
        assert glob.glob(os.path.join(textdir, "*.prom*")) == []
        status, _ = quiet.finish()
        assert status == 0, quiet.err
        assert not any("GROWING" in line for line in quiet.lines), quiet.lines
    finally:
        proc.kill()
        proc.wait()
        watch.stop()
        quiet.stop()
    shutil.rmtree(workdir)


def test_watch_stays_quiet_on_the_fixed_twin():
    workdir = tmpdir()
    proc, dump = start_profiled("incident_fixed", workdir, 600)
    watch = Watch(dump, "--every", "0.5")
    try:
        assert proc.wait(timeout=60) == 0
        status, _ = watch.finish()
        assert status == 0, watch.err
        assert len(watch.lines) == 1, watch.lines
        assert watch.lines[0].endswith("the process exited: the watch ends"), watch.lines
    finally:
        proc.kill()
        proc.wait()
        watch.stop()
    shutil.rmtree(workdir)


def follow_synthetic(workdir, snapshots, *extra):
    """sbgrow writes SNAPSHOTS 100 ms snapshots of 50 sites while a watch follows it."""
    dump = os.path.join(workdir, f"grow{snapshots}.sb")
    writer = subprocess.Popen([SBGROW, dump, str(snapshots), "50"] + list(extra))
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(dump) and time.monotonic() < deadline:
            time.sleep(0.01)
        watch = Watch(dump, "--every", "0.2")
        assert writer.wait(timeout=60) == 0
        status, peak_kib = watch.finish(timeout=60)
    finally:
        writer.kill()
        writer.wait()
    return watch, status, peak_kib


def test_watch_follows_hours_of_snapshots_in_bounded_memory():
    # given a dump written as a process would stream it, minutes long and four hours long
    workdir = tmpdir()
    short, status, short_peak = follow_synthetic(workdir, 2000)
    assert status == 0, short.err
    long, status, long_peak = follow_synthetic(workdir, 144000)
    assert status == 0, long.err
    # then both watches saw the leak and the end
    for watch in (short, long):
        assert any("GROWING" in line and "sbgrow+0x1000" in line for line in watch.lines), \
            watch.lines
        assert watch.lines[-1].endswith("the process exited: the watch ends"), watch.lines
    assert long.lines[-1].startswith("[4h00m]"), long.lines
    # and four hours cost the watch no more memory than minutes, beyond its read buffer:
    # keeping every snapshot of 50 sites would take 110 MiB more
    assert long_peak < short_peak + 8 * 1024, (short_peak, long_peak)
    shutil.rmtree(workdir)


def test_watch_says_when_a_line_stops_growing():
    # given a leak that grows for 200 s of the process's time, then stays where it is
    workdir = tmpdir()
    watch, status, _ = follow_synthetic(workdir, 8000, "--leak-until", "2000", "--pause-ms", "300")
    assert status == 0, watch.err
    # then the watch says when it turned GROWING and when it stopped, once each
    leak = [line for line in watch.lines if "sbgrow+0x1000" in line]
    assert len(leak) == 2, watch.lines
    assert "] GROWING 40.0 KiB/s" in leak[0], leak
    assert "] stopped growing: sbgrow+0x1000" in leak[1] and leak[1].endswith(" is PLATEAU now"), \
        leak
    shutil.rmtree(workdir)


def test_watch_ends_when_the_process_is_gone_without_end():
    # given a process that stops writing without END, as after kill -9
    workdir = tmpdir()
    watch, status, _ = follow_synthetic(workdir, 3000, "--no-end")
    # then the watch notices and ends
    assert status == 0, watch.err
    assert watch.lines[-1].endswith("the process is gone (no END record): the watch ends"), \
        watch.lines
    shutil.rmtree(workdir)


def test_watch_refuses_bad_input_with_one_line_and_exit_2():
    workdir = tmpdir()
    notdump = os.path.join(workdir, "notdump.sb")
    with open(notdump, "wb") as f:
        f.write(b"not a dump at all, longer than the preamble")
    empty = os.path.join(workdir, "empty.sb")
    open(empty, "wb").close()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    cases = [
        ([os.path.join(workdir, "missing.sb")], "cannot open"),
        ([notdump], "bad magic"),
        ([empty], "no HEADER after"),
        ([notdump, "--metrics-listen", "nonsense"], "ADDR:PORT"),
        ([notdump, "--metrics-listen", f"127.0.0.1:{busy.getsockname()[1]}"], "cannot listen"),
        ([notdump, "--textfile", os.path.join(workdir, "nodir")], "is not a directory"),
        ([notdump, "--max-growth", "fast"], "fast"),
        ([notdump, "--every", "0"], "every"),
    ]
    for args, said in cases:
        proc = slowburn(["watch"] + args, timeout=30)
        assert proc.returncode == 2, (args, proc.returncode, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("slowburn: error:"), (args, proc.stderr)
        assert said in lines[0], (args, lines)
    busy.close()
    shutil.rmtree(workdir)
