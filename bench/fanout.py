#!/usr/bin/env python3
"""bench/fanout: objects per second end to end (sensor writes the object ->
bus announces it -> analyzer commits its record) and the latency per object
from announcement to committed record, for
  (a) the embedded pipeline: `mitsu run -r` (local folder, in-process bus,
      SQLite), and
  (b) the fleet pipeline: `mitsu sensor -r --store s3:// --bus nats://` with
      a separate `mitsu analyze --from nats://` (s3rver and nats-server on
      127.0.0.1; each object is PUT, announced on JetStream, fetched with
      GET, analysed, committed, acked).
Printed side by side, with what (b) adds per object.  The same synthetic
flows (bench/genflows, one object per flow) go through both.
usage: bench/fanout.py [--mitsu ./mitsu] [--flows 500] [--repeat 3]
needs: nats-server, node with tests/keep/node_modules (npm install there)."""
import argparse, os, re, shutil, socket, sqlite3, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--mitsu", default=os.path.abspath("mitsu"))
ap.add_argument("--flows", type=int, default=500)
ap.add_argument("--repeat", type=int, default=3)
args = ap.parse_args()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
S3RVER = os.path.join(ROOT, "tests/keep/node_modules/s3rver/bin/s3rver.js")
for tool in ("nats-server", "node", "cc"):
    if not shutil.which(tool):
        sys.exit(f"fanout: {tool} is missing (tools/deps.sh installs it)")
if not os.path.exists(S3RVER):
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=os.path.join(ROOT, "tests/keep"),
                   check=True, stdout=subprocess.DEVNULL)

work = tempfile.mkdtemp(prefix="mitsu-bench-fanout-")
os.chmod(work, 0o755)
ID = os.getpid()
NS_S, NS_C = f"fanout-s-{ID}", f"fanout-c-{ID}"
SIF, CIF = f"fs{ID}", f"fc{ID}"
SADDR, CADDR = "10.251.0.1", "10.251.0.2"
procs = []


def free_port():
    s = socket.socket()  # on the host; the namespace's loopback is empty anyway
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, seconds=20):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"fanout: nothing listens on {port}")


def start(cmd, log, env=None):
    p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env)
    procs.append(p)
    return p


def distinct_objects(db):
    try:
        c = sqlite3.connect(db, timeout=5)
        n = c.execute("select count(distinct s3path) from flows").fetchone()[0]
        c.close()
        return n
    except sqlite3.Error:
        return 0


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def run_local(pcaps, tag):
    """Each pcap through `mitsu run -r`; returns (objects, seconds, latencies)."""
    d = os.path.join(work, f"local-{tag}")
    lat, t = [], 0.0
    for pcap in pcaps:
        t0 = time.time()
        r = subprocess.run([args.mitsu, "run", "-r", pcap, "--addr", "192.0.2.0/24", "--store", d,
                            "--db", d + ".db", "--one-file-per-flow", "-v", "--stats-interval", "0"],
                           capture_output=True, text=True)
        t += time.time() - t0
        lat += [float(m) for m in re.findall(r"records, ([0-9.]+) ms after the event", r.stderr)]
    return distinct_objects(d + ".db"), t, lat


class Fleet:
    """Fresh s3rver and nats-server on 127.0.0.1 and one analyzer."""

    def __init__(self, tag, netns=False):
        self.tag = tag
        pre = ["ip", "netns", "exec", NS_S] if netns else []
        self.s3port, self.natsport = free_port(), free_port()
        self.env = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
                        AWS_REGION="us-east-1", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                        AWS_CONFIG_FILE="/dev/null")
        self.ep = f"http://127.0.0.1:{self.s3port}"
        self.procs = [start(pre + ["node", S3RVER, "-d", os.path.join(work, f"s3-{tag}"), "-a",
                             "127.0.0.1", "-p", str(self.s3port), "--configure-bucket", "bench",
                             "--silent"], os.path.join(work, f"s3rver-{tag}.log")),
                      start(pre + ["nats-server", "-js", "-a", "127.0.0.1", "-p", str(self.natsport),
                             "-sd", os.path.join(work, f"js-{tag}")],
                            os.path.join(work, f"nats-{tag}.log"))]
        if netns:
            time.sleep(2)
        else:
            wait_port(self.s3port)
            wait_port(self.natsport)
        self.db = os.path.join(work, f"fleet-{tag}.db")
        self.alog = os.path.join(work, f"analyze-{tag}.log")
        self.an = subprocess.Popen(pre + [args.mitsu, "analyze", "--from",
                                    f"nats://127.0.0.1:{self.natsport}", "--group", "bench",
                                    "--db", self.db, "--s3-endpoint", self.ep],
                                   env=self.env, stdout=subprocess.DEVNULL,
                                   stderr=open(self.alog, "w"))
        procs.append(self.an)
        end = time.time() + 20
        while "consuming" not in open(self.alog).read() and time.time() < end:
            time.sleep(0.05)

    def sensor(self, pcap, want):
        """One sensor run; waits until the analyzer has want objects."""
        subprocess.run([args.mitsu, "sensor", "-r", pcap, "--addr", "192.0.2.0/24", "--store",
                        "s3://bench/x", "--s3-endpoint", self.ep, "--spool",
                        os.path.join(work, f"spool-{self.tag}"), "--bus",
                        f"nats://127.0.0.1:{self.natsport}", "--one-file-per-flow",
                        "--stats-interval", "0", "--sensor-id", "bench"],
                       env=self.env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        end = time.time() + 300
        while distinct_objects(self.db) < want and time.time() < end:
            time.sleep(0.005)

    def stop(self):
        self.an.terminate()
        self.an.wait(30)
        for p in self.procs:
            p.terminate()
            p.wait(10)
        m = re.search(r"median ([0-9.]+) ms, p99 ([0-9.]+) ms", open(self.alog).read())
        return (float(m.group(1)), float(m.group(2))) if m else (float("nan"), float("nan"))


def throughput(pcap, i):
    n, t, _ = run_local([pcap], f"t{i}")
    f = Fleet(f"t{i}")
    t0 = time.time()
    f.sensor(pcap, n)
    tf = time.time() - t0
    nf = distinct_objects(f.db)
    f.stop()
    return (n, t), (nf, tf)


def ns(cmd):
    return ["ip", "netns", "exec", NS_S] + cmd


def netns_setup():
    for c in (["ip", "netns", "add", NS_S], ["ip", "netns", "add", NS_C],
              ["ip", "link", "add", SIF, "type", "veth", "peer", "name", CIF],
              ["ip", "link", "set", SIF, "netns", NS_S], ["ip", "link", "set", CIF, "netns", NS_C],
              ["ip", "-n", NS_S, "addr", "add", SADDR + "/24", "dev", SIF],
              ["ip", "-n", NS_C, "addr", "add", CADDR + "/24", "dev", CIF],
              ["ip", "-n", NS_S, "link", "set", SIF, "up"], ["ip", "-n", NS_C, "link", "set", CIF, "up"],
              ["ip", "-n", NS_S, "link", "set", "lo", "up"], ["ip", "-n", NS_C, "link", "set", "lo", "up"]):
        subprocess.run(c, check=True)
    time.sleep(1)


def netns_cleanup():
    subprocess.run(["ip", "netns", "del", NS_S], check=False)
    subprocess.run(["ip", "netns", "del", NS_C], check=False)


def has_port(db, port):
    try:
        c = sqlite3.connect(db, timeout=5)
        n = c.execute("select count(*) from flows where dst_port = ?", (port,)).fetchone()[0]
        c.close()
        return n > 0
    except sqlite3.Error:
        return False


def connect_each(db, base, n, sensor):
    """One connection at a time; the next once the last one's record is in."""
    for k in range(n):
        if sensor.poll() is not None:
            sys.exit("fanout: the sensor exited; see its log in " + work)
        subprocess.run(["ip", "netns", "exec", NS_C, "nc", "-z", "-w", "1", SADDR, str(base + k)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.time() + 20
        while not has_port(db, base + k) and time.time() < end:
            time.sleep(0.005)


def latency(n):
    """Live sensors, one connection at a time: the path's own latency from the
    sensor's commit to the committed record, with nothing queued."""
    live = ["-i", SIF, "--one-file-per-flow", "--idle", "1", "--stats-interval", "0",
            "--user", "root", "--no-firewall"]
    db = os.path.join(work, "live-local.db")
    log = os.path.join(work, "live-local.log")
    run = start(ns([args.mitsu, "run", "--store", os.path.join(work, "live-local"), "--db", db,
                    "-v"] + live), log)
    time.sleep(1.5)
    connect_each(db, 3000, n, run)
    run.terminate()
    run.wait(30)
    lat = [float(m) for m in re.findall(r"_30[0-9][0-9]\.pcap: [0-9]+ records, ([0-9.]+) ms",
                                         open(log).read())]
    f = Fleet("lat", netns=True)
    sensor = start(ns([args.mitsu, "sensor", "--store", "s3://bench/live", "--s3-endpoint", f.ep,
                       "--spool", os.path.join(work, "spool-live"), "--bus",
                       f"nats://127.0.0.1:{f.natsport}"] + live), os.path.join(work, "live-s3.log"),
                   env=f.env)
    time.sleep(1.5)
    connect_each(f.db, 4000, n, sensor)
    sensor.terminate()
    sensor.wait(30)
    fl = f.stop()
    return (statistics.median(lat), pct(lat, 99)) if lat else (float("nan"),) * 2, fl


def main():
    gen = os.path.join(work, "genflows")
    subprocess.run(["cc", "-O2", "-o", gen, os.path.join(ROOT, "bench/genflows.c")], check=True)
    pcap = os.path.join(work, "in.pcap")
    # genflows makes about one flow per 3.2 KB.
    subprocess.run([gen, "-o", pcap, "-b", str(args.flows * 3200)], check=True,
                   stdout=subprocess.DEVNULL)
    lo, fl = [], []
    for i in range(args.repeat):
        a, b = throughput(pcap, i)
        lo.append(a)
        fl.append(b)
    netns_setup()
    nlat = 40
    (lm, lp), (fm, fp) = latency(nlat)
    n_lo = statistics.median(x[0] for x in lo)
    t_lo = statistics.median(x[1] for x in lo)
    n_fl = statistics.median(x[0] for x in fl)
    t_fl = statistics.median(x[1] for x in fl)
    print(f"fanout: {n_lo:.0f} one-flow objects per run, median of {args.repeat} runs; latency "
          f"over {nlat} live connections one at a time; {os.cpu_count()} CPUs, shared")
    print(f"{'':38} {'local folder, in-process':>25} {'S3 (s3rver) + NATS JetStream':>29} {'added':>10}")
    print(f"{'objects analysed per run':38} {n_lo:>25.0f} {n_fl:>29.0f}")
    print(f"{'wall, sensor start to last record':38} {t_lo:>23.2f} s {t_fl:>27.2f} s {t_fl - t_lo:>8.2f} s")
    print(f"{'objects/s end to end':38} {n_lo / t_lo:>25.0f} {n_fl / t_fl:>29.0f}")
    print(f"{'latency commit->record, median':38} {lm:>22.1f} ms {fm:>26.1f} ms {fm - lm:>7.1f} ms")
    print(f"{'latency commit->record, p99':38} {lp:>22.1f} ms {fp:>26.1f} ms {fp - lp:>7.1f} ms")


try:
    main()
finally:
    netns_cleanup()
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    shutil.rmtree(work, ignore_errors=True)
