#!/usr/bin/env python3
"""bench/synflood: a SYN flood with random sources and ports (trafgen) into a
namespace pair, answered by (a) mitsu sensor, (b) the kernel with RSTs and no
sensor; and captured by (c) `tcpdump -w` alone (the cost of capture).
Prints, per offered rate (median of REPEAT runs): SYNs offered, replies
received on the attacker side, answered %, CPU seconds and peak RSS of the
sensor / tcpdump, CPU per packet and the ratio sensor/tcpdump.
usage: sudo bench/synflood.py [--mitsu ./mitsu] [--seconds 10] [--repeat 3]
                               [--rates 20000,100000,0]   (0 = as fast as trafgen goes)"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--mitsu", default=os.path.abspath("mitsu"))
ap.add_argument("--seconds", type=int, default=10)
ap.add_argument("--repeat", type=int, default=3)
ap.add_argument("--rates", default="20000,100000,0")
args = ap.parse_args()
for tool in ("trafgen", "tcpdump", "ip"):
    if not shutil.which(tool):
        sys.exit(f"synflood: {tool} is missing (tools/deps.sh installs it)")

ID = os.getpid()
S, C = f"bench-s-{ID}", f"bench-c-{ID}"
SIF, CIF = f"bs{ID}", f"bc{ID}"
SADDR, CADDR = "10.250.0.1", "10.250.0.2"
work = tempfile.mkdtemp(prefix="mitsu-bench-")
os.chmod(work, 0o755)


def sh(*cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, **kw)


def setup():
    sh("ip", "netns", "add", S)
    sh("ip", "netns", "add", C)
    sh("ip", "link", "add", SIF, "type", "veth", "peer", "name", CIF)
    sh("ip", "link", "set", SIF, "netns", S)
    sh("ip", "link", "set", CIF, "netns", C)
    sh("ip", "-n", S, "addr", "add", SADDR + "/8", "dev", SIF)
    sh("ip", "-n", C, "addr", "add", CADDR + "/8", "dev", CIF)
    for ns, dev in ((S, SIF), (C, CIF)):
        sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    time.sleep(1)


def cleanup():
    sh("ip", "netns", "del", S, check=False)
    sh("ip", "netns", "del", C, check=False)
    shutil.rmtree(work, ignore_errors=True)


def mac(ns, dev):
    out = sh("ip", "-n", ns, "-j", "link", "show", dev, capture_output=True, text=True).stdout
    return json.loads(out)[0]["address"]


def counters():
    out = sh("ip", "-n", C, "-j", "-s", "link", "show", CIF, capture_output=True, text=True).stdout
    st = json.loads(out)[0]["stats64"]
    return st["tx"]["packets"], st["rx"]["packets"]


def trafgen_conf():
    def hexmac(m):
        return ", ".join("0x" + b for b in m.split(":"))
    dst = ", ".join(str(int(x)) for x in SADDR.split("."))
    conf = f"""{{
  {hexmac(mac(S, SIF))}, {hexmac(mac(C, CIF))}, 0x08, 0x00,
  0x45, 0x00, 0x00, 0x28, drnd(2), 0x00, 0x00, 64, 6, csumip(14, 33),
  10, drnd(3), {dst},
  drnd(2), drnd(2), drnd(4), 0, 0, 0, 0, 0x50, 0x02, 0x04, 0x00, csumtcp(14, 34), 0, 0
}}
"""
    path = os.path.join(work, "syn.trafgen")
    open(path, "w").write(conf)
    return path


def timed(cmd):
    """Starts cmd under GNU time in the sensor namespace."""
    out = os.path.join(work, "time.txt")
    p = subprocess.Popen(["ip", "netns", "exec", S, "/usr/bin/time", "-f", "%U %S %M", "-o", out] + cmd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p, out


def stop_timed(p, out):
    # GNU time forwards nothing: signal the child (time's only child) by pgid-less lookup.
    kids = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout.split()
    for k in kids:
        os.kill(int(k), signal.SIGTERM)
    p.wait(timeout=120)
    u, s, m = open(out).read().split()[-3:]
    return float(u) + float(s), int(m)


def flood(conf, rate):
    cmd = ["ip", "netns", "exec", C, "timeout", "-s", "INT", str(args.seconds), "trafgen",
           "-o", CIF, "-i", conf, "-P", "1"]
    if rate:
        cmd += ["-b", f"{rate}pps"]
    tx0, rx0 = counters()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # let the last replies arrive
    tx1, rx1 = counters()
    return tx1 - tx0, rx1 - rx0


def run_mode(mode, conf, rate):
    store = os.path.join(work, f"store-{mode}")
    proc = None
    if mode == "mitsu":
        proc = timed([args.mitsu, "sensor", "-i", SIF, "--store", store, "--stats-interval", "0",
                      "--global-rate", "100000000", "--global-burst", "100000000", "--user", "root",
                      "--log", os.path.join(work, f"mitsu-{rate}.log")])
    elif mode == "tcpdump":
        os.makedirs(store, exist_ok=True)
        proc = timed(["tcpdump", "-i", SIF, "-w", os.path.join(store, "all.pcap"), "-s", "65535",
                      "-B", "32768", "-q"])
    time.sleep(1.5)
    offered, replies = flood(conf, rate)
    cpu, rss = stop_timed(*proc) if proc else (0.0, 0)
    shutil.rmtree(store, ignore_errors=True)
    if mode == "mitsu" and os.environ.get("SYNFLOOD_VERBOSE"):
        print(open(os.path.join(work, f"mitsu-{rate}.log")).read().strip().splitlines()[-1])
    return offered, replies, cpu, rss


def main():
    setup()
    try:
        conf = trafgen_conf()
        rates = [int(r) for r in args.rates.split(",")]
        print(f"synflood: {args.seconds} s floods, random 10/8 sources and ports, median of {args.repeat}")
        print(f"{'rate':>8} {'mode':>8} {'offered':>9} {'replies':>9} {'answered':>8} "
              f"{'cpu s':>7} {'us/pkt':>7} {'rss MiB':>8}")
        for rate in rates:
            res = {}
            for mode in ("kernel", "tcpdump", "mitsu"):
                runs = [run_mode(mode, conf, rate) for _ in range(args.repeat)]
                med = [statistics.median(x[i] for x in runs) for i in range(4)]
                res[mode] = med
                off, rep, cpu, rss = med
                upp = cpu / off * 1e6 if off else 0
                ans = f"{rep / off * 100:.1f}%" if mode != "tcpdump" and off else "-"
                print(f"{rate or 'max':>8} {mode:>8} {off:>9.0f} {rep:>9.0f} {ans:>8} "
                      f"{cpu:>7.2f} {upp:>7.2f} {rss / 1024:>8.1f}")
            t, m = res["tcpdump"], res["mitsu"]
            if t[2] and t[0] and m[0]:
                print(f"{'':>8} ratio mitsu/tcpdump CPU per packet: "
                      f"{(m[2] / m[0]) / (t[2] / t[0]):.2f}x; mitsu answered "
                      f"{m[1] / m[0] * 100:.1f}% vs kernel RSTs {res['kernel'][1] / max(res['kernel'][0], 1) * 100:.1f}%")
    finally:
        cleanup()


main()
