"""The alert that never fired, fired: a real Prometheus on 127.0.0.1 scrapes `slowburn watch`
beside the incident's leaky service and its fixed twin, evaluates the alerting rule that
docs/prometheus/ ships (and README shows), and fires for the leak's file:line only."""
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

from harness import ROOT, tmpdir
from test_analyzer_shapes import marker_line
from test_watch import Watch, start_profiled

DOCS = os.path.join(ROOT, "docs", "prometheus")
RULES = os.path.join(DOCS, "slowburn-rules.yml")
LEAK_LINE = marker_line("incident_leaky.cpp", "cache.push_back(data);  // the leak")
REQUESTS = 1500  # each twin runs about 8 s under the preload; the alert fires in 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port, path, **params):
    url = f"http://127.0.0.1:{port}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def start_prometheus(workdir, port, targets):
    """Prometheus with 1 s scrapes and evaluations and the shipped rule, its for: shortened."""
    with open(RULES) as f:
        rules = re.sub(r"for: \S+", "for: 0s", f.read())
    with open(os.path.join(workdir, "slowburn-rules.yml"), "w") as f:
        f.write(rules)
    with open(os.path.join(workdir, "prometheus.yml"), "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                "rule_files:\n  - slowburn-rules.yml\n"
                "scrape_configs:\n  - job_name: slowburn\n    static_configs:\n"
                f"      - targets: {json.dumps(targets)}\n")
    return subprocess.Popen(
        ["prometheus", f"--config.file={workdir}/prometheus.yml",
         f"--storage.tsdb.path={workdir}/data", f"--web.listen-address=127.0.0.1:{port}",
         "--log.level=warn"],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=open(f"{workdir}/prometheus.log", "w"))


def wait_ready(prometheus, port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert prometheus.poll() is None, "prometheus exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("prometheus did not become ready")


def wait_scraping(port, targets, timeout=30):
    """Prometheus sets its scrape loops up some seconds after it starts: wait until each
    target has been tried once (down, as nothing listens there yet), so the services below
    are watched from their start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        active = api(port, "/api/v1/targets")["data"]["activeTargets"]
        tried = {t["labels"]["instance"] for t in active if not t["lastScrape"].startswith("0001")}
        if tried >= set(targets):
            return
        time.sleep(0.2)
    raise AssertionError(f"prometheus never scraped {targets}")


def test_the_shipped_rule_and_scrape_config_are_valid():
    config = os.path.join(DOCS, "prometheus.yml")
    for args in (["check", "rules", RULES], ["check", "config", config]):
        proc = subprocess.run(["promtool"] + args, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    # README shows the same text users copy
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    for name in ("prometheus.yml", "slowburn-rules.yml"):
        with open(os.path.join(DOCS, name)) as f:
            assert f.read() in readme, f"README does not show docs/prometheus/{name}"


def test_prometheus_fires_for_the_leaky_line_and_not_for_the_fixed_twin():
    workdir = tmpdir()
    prom_port, leaky_port, fixed_port = free_port(), free_port(), free_port()
    leaky_target, fixed_target = f"127.0.0.1:{leaky_port}", f"127.0.0.1:{fixed_port}"
    started = []  # everything this test starts, stopped in the end whatever happens
    began = time.monotonic()
    try:
        # given Prometheus scraping two watches, one beside each twin
        prometheus = start_prometheus(workdir, prom_port, [leaky_target, fixed_target])
        started.append(prometheus)
        wait_ready(prometheus, prom_port)
        wait_scraping(prom_port, [leaky_target, fixed_target])
        leaky_dir, fixed_dir = os.path.join(workdir, "leaky"), os.path.join(workdir, "fixed")
        os.mkdir(leaky_dir)
        os.mkdir(fixed_dir)
        leaky, leaky_dump = start_profiled("incident_leaky", leaky_dir, REQUESTS)
        started.append(leaky)
        fixed, fixed_dump = start_profiled("incident_fixed", fixed_dir, REQUESTS)
        started.append(fixed)
        watches = [Watch(leaky_dump, "--every", "1", "--metrics-listen", leaky_target),
                   Watch(fixed_dump, "--every", "1", "--metrics-listen", fixed_target)]
        started.extend(watches)

        # when the services run, every alert Prometheus holds is noted
        seen = []
        firing = None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and firing is None:
            alerts = api(prom_port, "/api/v1/alerts")["data"]["alerts"]
            seen.extend(alerts)
            firing = next((a for a in alerts if a["state"] == "firing"), None)
            time.sleep(0.5)

        # then the leak's alert fires while the service still runs, naming its line
        assert firing is not None, (seen, watches[0].lines, watches[0].err)
        assert leaky.poll() is None, \
            f"the alert fired only after the process ended ({time.monotonic() - began:.1f} s)"
        labels = firing["labels"]
        assert labels["alertname"] == "SlowburnMemoryGrowing", labels
        assert labels["instance"] == leaky_target, labels
        assert labels["location"] == f"incident_leaky.cpp:{LEAK_LINE}", labels
        assert labels["function"] == "handle(int)", labels
        assert labels["exe"].endswith("incident_leaky") and labels["pid"] == str(leaky.pid)
        assert float(firing["value"]) > 0, firing

        # and the fixed twin, scraped all along to its end, never raised one
        assert fixed.wait(timeout=60) == 0
        assert watches[1].finish()[0] == 0, watches[1].err
        for alert in seen + api(prom_port, "/api/v1/alerts")["data"]["alerts"]:
            assert alert["labels"]["instance"] != fixed_target, alert
        window = f"[{int(time.monotonic() - began) + 30}s]"
        history = api(prom_port, "/api/v1/query",
                      query=f'count_over_time(ALERTS{{instance="{fixed_target}"}}{window})')
        assert history["data"]["result"] == [], history
        scraped = api(prom_port, "/api/v1/query",
                      query=f'count_over_time(slowburn_location_live_bytes'
                            f'{{instance="{fixed_target}"}}{window})')
        assert scraped["data"]["result"], "the fixed twin's watch was never scraped"
    finally:
        for thing in reversed(started):
            if isinstance(thing, Watch):
                thing.stop()
            elif thing.poll() is None:
                thing.terminate()
                try:
                    thing.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    thing.kill()
                    thing.wait()
    shutil.rmtree(workdir)
