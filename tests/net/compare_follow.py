#!/usr/bin/env python3
"""Compares mitsu's reassembled TCP bytes with tshark's `follow,tcp,raw`
for every TCP stream of a capture.  Prints TAP lines; exit 1 on mismatch.
usage: compare_follow.py CAPTURE RECORDS.jsonl"""
import base64, json, subprocess, sys

cap, recs = sys.argv[1], sys.argv[2]
records = {}
for line in open(recs):
    r = json.loads(line)
    if r["proto"] != "tcp":
        continue
    key = (r["src_addr"], r["src_port"], r["dst_addr"], r["dst_port"])
    records.setdefault(key, []).append(r)
for rs in records.values():
    rs.sort(key=lambda r: r["init_ts"])
seen = {}  # tuple -> how many tshark streams of it so far (a reused 4-tuple)

streams = subprocess.run(
    ["tshark", "-r", cap, "-T", "fields", "-e", "tcp.stream"],
    capture_output=True, text=True).stdout.split()
nstreams = len(set(s for s in streams if s))
bad = 0
checked = 0
for n in range(nstreams):
    out = subprocess.run(["tshark", "-r", cap, "-q", "-z", f"follow,tcp,raw,{n}"],
                         capture_output=True, text=True).stdout
    nodes, data = [], {0: b"", 1: b""}
    for line in out.splitlines():
        if line.startswith("Node "):
            addr = line.split(": ", 1)[1]
            host, port = addr.rsplit(":", 1)
            nodes.append((host.strip("[]"), int(port)))
        elif line and not line.startswith(("=", "Follow", "Filter")):
            side = 1 if line.startswith("\t") else 0
            data[side] += bytes.fromhex(line.strip())
    if len(nodes) != 2:
        continue
    cands = records.get(nodes[0] + nodes[1]), records.get(nodes[1] + nodes[0])
    client = 0 if cands[0] else 1
    rs = cands[0] or cands[1]
    if not rs:
        print(f"not ok - stream {n} {nodes}: no mitsu record")
        bad += 1
        continue
    # A reused 4-tuple gives several streams: pair them with records in time order.
    tup = tuple(sorted(nodes))
    idx = seen.get(tup, 0)
    seen[tup] = idx + 1
    if idx >= len(rs):
        print(f"not ok - stream {n} {nodes}: tuple reused more often than mitsu saw")
        bad += 1
        continue
    got_c = base64.b64decode(rs[idx]["payload"])
    got_s = base64.b64decode(rs[idx]["server_payload"])
    want_c, want_s = data[client], data[1 - client]
    checked += 1
    if got_c != want_c or got_s != want_s:
        bad += 1
        print(f"not ok - stream {n} {nodes}: client {len(got_c)}/{len(want_c)} bytes, "
              f"server {len(got_s)}/{len(want_s)} bytes differ from tshark")
print(f"ok - compared {checked} TCP streams with tshark follow,tcp,raw; {bad} differ"
      if bad == 0 else f"not ok - {bad} of {checked} streams differ")
sys.exit(1 if bad else 0)
