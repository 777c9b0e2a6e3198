#!/usr/bin/env python3
"""bench/dissect: what protocol dissection and exploit tagging cost.

`mitsu analyze --json` with every dissector and the default rule set, beside
the same run with `--no-dissect` (reassembly only: no dissectors, fingerprints
or rules), on
  (a) a generated multi-flow pcap (bench/genflows.c: HTTP-like flows), and
  (b) a pcap of realistic attack payloads: every rule sample of
      tests/rules/samples/ and the benign ones of tests/rules/benign/, each
      as a full TCP flow, repeated --copies times.
Then the rule count: the default set beside no rules, the set x20 with
renamed copies (same literals) and x20 with distinct literals, on (b).

Prints medians of --repeat runs: seconds, records/s, and the ratio of each
run's time to the --no-dissect baseline (target: <= 2x).
usage: bench/dissect.py [--mitsu ./mitsu] [--mb 50] [--copies 300] [--repeat 5]"""
import argparse
import glob
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--mitsu", default=os.path.abspath("mitsu"))
ap.add_argument("--mb", type=int, default=50, help="size of the generated pcap (a)")
ap.add_argument("--copies", type=int, default=300, help="copies of each sample in pcap (b)")
ap.add_argument("--repeat", type=int, default=5)
ap.add_argument("--keep", help="write the attack pcap (b) here and keep it")
args = ap.parse_args()
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
work = tempfile.mkdtemp(prefix="mitsu-bench-dissect-")


# ---- pcap of attack flows ----

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        self.t = 1700000000.0

    def packet(self, src, dst, sport, dport, seq, ack, flags, data=b""):
        self.t += 0.0002
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4,
                          flags, 64240, 0, 0) + data
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        frame = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ip + tcp
        sec = int(self.t)
        self.f.write(struct.pack("<IIII", sec, int((self.t - sec) * 1e6), len(frame), len(frame)) + frame)

    def flow(self, n, dport, payload):
        """SYN, SYN+ACK, ACK, the client's bytes in segments, FIN both ways."""
        c = bytes([10, (n >> 16) & 255, (n >> 8) & 255, n & 255 or 1])
        s = bytes([203, 0, 113, 10])
        cp, cs, ss = 20000 + n % 40000, 1000 * n, 7000 * n
        self.packet(c, s, cp, dport, cs, 0, 0x02)
        self.packet(s, c, dport, cp, ss, cs + 1, 0x12)
        self.packet(c, s, cp, dport, cs + 1, ss + 1, 0x10)
        off = 0
        while off < len(payload):
            seg = payload[off:off + 1400]
            self.packet(c, s, cp, dport, cs + 1 + off, ss + 1, 0x18, seg)
            off += len(seg)
        self.packet(c, s, cp, dport, cs + 1 + off, ss + 1, 0x11)
        self.packet(s, c, dport, cp, ss + 1, cs + 2 + off, 0x11)
        self.packet(c, s, cp, dport, cs + 2 + off, ss + 2, 0x10)

    def close(self):
        self.f.close()


def port_for(name, data):
    if data.startswith(b"\0\0") and b"SMB" in data[:12]:
        return 445
    if data[:1] == b"*" or name.startswith("redis"):
        return 6379
    if data.startswith(b"SSH-"):
        return 22
    if data[:1] == b"\x16":
        return 443
    m = re.search(rb"^Host: [^:\r]+:(\d+)\r$", data, re.M)
    return int(m.group(1)) if m else 80


def attack_pcap(path, copies):
    samples = sorted(glob.glob(os.path.join(root, "tests/rules/samples/*.bin")))
    benign = sorted(glob.glob(os.path.join(root, "tests/rules/benign/*.bin")))
    if not samples:
        sys.exit("no samples in tests/rules/samples (run tests/rules/mksamples.py)")
    pc, n = Pcap(path), 0
    for _ in range(copies):
        for f in samples + benign:
            data = open(f, "rb").read()
            n += 1
            pc.flow(n, port_for(os.path.basename(f), data), data)
    pc.close()
    return n, len(samples), len(benign)


# ---- rule sets ----

def rules_x20(dst, distinct):
    """The default set twenty times, ids renamed; with distinct=True each
    copy's content literals also get a prefix of their own, so the automaton
    really holds twenty times the patterns."""
    os.makedirs(dst)
    for src in sorted(glob.glob(os.path.join(root, "share/rules/*.rules"))):
        text = open(src).read()
        for k in range(20):
            t = re.sub(r"^(rule\s+\S+)", rf"\1-c{k}", text, flags=re.M)
            if distinct and k:
                t = re.sub(r'^(\s*content\s+")', rf"\1c{k}~", t, flags=re.M)
            open(os.path.join(dst, f"{k:02d}-{os.path.basename(src)}"), "w").write(t)
    return dst


# ---- runs ----

def run_once(cmd, env):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    secs = time.perf_counter() - t0
    if p.returncode:
        sys.exit(f"{' '.join(cmd)} failed: {p.stderr.decode(errors='replace')[-400:]}")
    m = re.search(rb"(\d+) records", p.stderr)
    return secs, int(m.group(1)) if m else 0


def median_run(extra, pcap, rules=None):
    env = dict(os.environ)
    env.pop("MITSU_RULES", None)
    if rules:
        env["MITSU_RULES"] = rules
    cmd = [args.mitsu, "analyze", "--json"] + extra + [pcap]
    run_once(cmd, env)  # warm the page cache
    runs = [run_once(cmd, env) for _ in range(args.repeat)]
    return statistics.median(r[0] for r in runs), runs[0][1]


def row(name, secs, records, base=None):
    ratio = f"{secs / base:5.2f}x" if base else "    -"
    print(f"  {name:<46} {secs:7.3f} s {records / secs:10.0f} records/s  {ratio}")


def bench_pcap(title, pcap):
    print(title)
    b_secs, recs = median_run(["--no-dissect"], pcap)
    row("--no-dissect (reassembly only)", b_secs, recs)
    f_secs, recs = median_run([], pcap)
    row("every dissector + default rules", f_secs, recs, b_secs)
    return b_secs, f_secs, recs


try:
    print(f"bench/dissect: medians of {args.repeat} runs of `mitsu analyze --json`; "
          "ratio = time / --no-dissect time")
    gen = os.path.join(work, "genflows")
    subprocess.run(["cc", "-O2", "-o", gen, os.path.join(here, "genflows.c")], check=True)
    multi = os.path.join(work, "multi.pcap")
    out = subprocess.run([gen, "-o", multi, "-b", str(args.mb * 1000000)], capture_output=True,
                         text=True).stdout
    print(f"(a) generated pcap: {os.path.getsize(multi) / 1e6:.0f} MB, {out.split()[0]} flows")
    bench_pcap("", multi)
    os.unlink(multi)

    attacks = args.keep or os.path.join(work, "attacks.pcap")
    nflows, ns, nb = attack_pcap(attacks, args.copies)
    print(f"(b) attack pcap: {os.path.getsize(attacks) / 1e6:.0f} MB, {nflows} flows "
          f"({ns} rule samples + {nb} benign, x{args.copies})")
    base, full, recs = bench_pcap("", attacks)

    print("(c) rule count, on (b), every dissector on")
    empty = os.path.join(work, "norules")
    os.makedirs(empty)
    n_secs, _ = median_run([], attacks, empty)
    row("no rules (MITSU_RULES=empty folder)", n_secs, recs, base)
    row(f"default set", full, recs, base)
    s_secs, _ = median_run([], attacks, rules_x20(os.path.join(work, "x20"), False))
    row("default x20, renamed copies (same literals)", s_secs, recs, base)
    d_secs, _ = median_run([], attacks, rules_x20(os.path.join(work, "x20d"), True))
    row("default x20, distinct literals", d_secs, recs, base)
    print(f"  default set vs no rules: {full / n_secs:.2f}x; x20 vs default: "
          f"{s_secs / full:.2f}x (same literals), {d_secs / full:.2f}x (distinct literals)")
finally:
    shutil.rmtree(work, ignore_errors=True)
