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
procs = []


def free_port():
    s = socket.socket()
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


def start(cmd, log):
    p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)
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


def run_local(pcap, i):
    d = os.path.join(work, f"local{i}")
    t0 = time.time()
    r = subprocess.run([args.mitsu, "run", "-r", pcap, "--addr", "192.0.2.0/24", "--store", d,
                        "--db", d + ".db", "--one-file-per-flow", "-v", "--stats-interval", "0"],
                       capture_output=True, text=True)
    t = time.time() - t0
    lat = [float(m) for m in re.findall(r"records, ([0-9.]+) ms after the event", r.stderr)]
    return distinct_objects(d + ".db"), t, lat


def run_fleet(pcap, i, s3port, natsport):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER",
               AWS_REGION="us-east-1", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_CONFIG_FILE="/dev/null")
    ep = f"http://127.0.0.1:{s3port}"
    db = os.path.join(work, f"fleet{i}.db")
    alog = os.path.join(work, f"analyze{i}.log")
    an = subprocess.Popen([args.mitsu, "analyze", "--from", f"nats://127.0.0.1:{natsport}",
                           "--group", f"bench{i}", "--db", db, "--s3-endpoint", ep],
                          env=env, stdout=subprocess.DEVNULL, stderr=open(alog, "w"))
    procs.append(an)
    while "consuming" not in open(alog).read():
        time.sleep(0.05)
    t0 = time.time()
    subprocess.run([args.mitsu, "sensor", "-r", pcap, "--addr", "192.0.2.0/24",
                    "--store", f"s3://bench/run{i}", "--s3-endpoint", ep, "--spool",
                    os.path.join(work, f"spool{i}"), "--bus", f"nats://127.0.0.1:{natsport}",
                    "--one-file-per-flow", "--stats-interval", "0", "--sensor-id", f"bench{i}"],
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    want = args.flows
    end = time.time() + 300
    while distinct_objects(db) < want and time.time() < end:
        time.sleep(0.02)
    t = time.time() - t0
    an.terminate()
    an.wait(30)
    m = re.search(r"median ([0-9.]+) ms, p99 ([0-9.]+) ms", open(alog).read())
    return distinct_objects(db), t, m


def main():
    gen = os.path.join(work, "genflows")
    subprocess.run(["cc", "-O2", "-o", gen, os.path.join(ROOT, "bench/genflows.c")], check=True)
    pcap = os.path.join(work, "in.pcap")
    # genflows makes about one flow per 3.2 KB.
    subprocess.run([gen, "-o", pcap, "-b", str(args.flows * 3200)], check=True,
                   stdout=subprocess.DEVNULL)
    s3port, natsport = free_port(), free_port()
    start(["node", S3RVER, "-d", os.path.join(work, "s3"), "-a", "127.0.0.1", "-p", str(s3port),
           "--configure-bucket", "bench", "--silent"], os.path.join(work, "s3rver.log"))
    start(["nats-server", "-js", "-a", "127.0.0.1", "-p", str(natsport), "-sd",
           os.path.join(work, "js")], os.path.join(work, "nats.log"))
    wait_port(s3port)
    wait_port(natsport)
    local, fleet = [], []
    for i in range(args.repeat):
        n, t, lat = run_local(pcap, i)
        local.append((n, t, statistics.median(lat) if lat else float("nan"),
                      pct(lat, 99) if lat else float("nan")))
        n, t, m = run_fleet(pcap, i, s3port, natsport)
        fleet.append((n, t, float(m.group(1)) if m else float("nan"),
                      float(m.group(2)) if m else float("nan")))
        args.flows = n if i == 0 and n else args.flows

    def med(rows, k):
        return statistics.median(r[k] for r in rows)

    lo = (med(local, 0), med(local, 1), med(local, 2), med(local, 3))
    fl = (med(fleet, 0), med(fleet, 1), med(fleet, 2), med(fleet, 3))
    print(f"fanout: {args.repeat} runs each, medians; {os.cpu_count()} CPUs shared with whatever else runs")
    print(f"{'':34} {'local folder + in-process':>26} {'S3 (s3rver) + NATS JetStream':>30} {'added':>10}")
    print(f"{'objects analysed':34} {lo[0]:>26.0f} {fl[0]:>30.0f}")
    print(f"{'wall time, first write to last record':34} {lo[1]:>24.2f} s {fl[1]:>28.2f} s {fl[1]-lo[1]:>8.2f} s")
    print(f"{'objects/s end to end':34} {lo[0]/lo[1]:>26.0f} {fl[0]/fl[1]:>30.0f}")
    print(f"{'latency announce->record, median':34} {lo[2]:>23.1f} ms {fl[2]:>27.1f} ms {fl[2]-lo[2]:>7.1f} ms")
    print(f"{'latency announce->record, p99':34} {lo[3]:>23.1f} ms {fl[3]:>27.1f} ms {fl[3]-lo[3]:>7.1f} ms")
    print(f"{'per object (wall / objects)':34} {lo[1]/lo[0]*1000:>23.2f} ms {fl[1]/fl[0]*1000:>27.2f} ms "
          f"{fl[1]/fl[0]*1000 - lo[1]/lo[0]*1000:>7.2f} ms")


try:
    main()
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    shutil.rmtree(work, ignore_errors=True)
