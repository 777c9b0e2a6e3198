#!/usr/bin/env python3
"""Replays nmap's service-probe list (nmap-service-probes) at the sensor.

usage: nmap_probes.py send PROBEFILE ADDR OUT.json   (in the client namespace)
       nmap_probes.py check OUT.json RECORDS.jsonl

send: every TCP probe with a payload goes to its own port (20000 + i) over a
real connection (the sensor answers the SYN; the payload is never ACKed, so
after a short wait the socket is reset); every UDP probe goes to 30000 + i.
What was sent is written to OUT.json.  check: every probe has a record on its
port whose payload is exactly the probe's bytes.  Bounded: one pass over the
list, 0.25 s per TCP probe at most."""
import base64, json, socket, struct, sys, time

ESC = {"\\": b"\\", "0": b"\0", "a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n",
       "r": b"\r", "t": b"\t", "v": b"\v"}


def unescape(s):
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("latin-1")
            i += 1
            continue
        n = s[i + 1]
        if n == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        elif n in ESC:
            out += ESC[n]
            i += 2
        else:  # nmap keeps an unknown escape's character
            out += n.encode("latin-1")
            i += 2
    return bytes(out)


def probes(path):
    for line in open(path, encoding="latin-1"):
        if not line.startswith("Probe "):
            continue
        _, proto, name, rest = line.rstrip("\n").split(" ", 3)
        delim = rest[1]
        body = rest[2:rest.index(delim, 2)]
        payload = unescape(body)
        if payload:
            yield proto, name, payload


def send(path, addr, out):
    sent, tcp_i, udp_i = [], 0, 0
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for proto, name, payload in probes(path):
        if proto == "TCP":
            port = 20000 + tcp_i
            tcp_i += 1
            s = socket.create_connection((addr, port), timeout=2)
            s.sendall(payload)
            time.sleep(0.15)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        else:
            port = 30000 + udp_i
            udp_i += 1
            u.sendto(payload, (addr, port))
        sent.append({"proto": proto.lower(), "name": name, "port": port,
                     "payload": base64.b64encode(payload).decode()})
    json.dump(sent, open(out, "w"))
    print("# sent %d TCP and %d UDP probes" % (tcp_i, udp_i))


def check(sent_path, records_path):
    sent = json.load(open(sent_path))
    recs = {}
    for line in open(records_path):
        r = json.loads(line)
        recs.setdefault((r["proto"], r["dst_port"]), []).append(r)
    missing, differ = [], []
    for p in sent:
        rs = recs.get((p["proto"], p["port"]), [])
        if not rs:
            missing.append(p["name"])
        elif not any(r.get("payload") == p["payload"] for r in rs):
            differ.append(p["name"])
    for p in sent:
        for r in recs.get((p["proto"], p["port"]), []):
            if not r.get("service"):
                differ.append(p["name"] + " (no service field)")
    return sent, missing, differ


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sent, missing, differ = check(sys.argv[2], sys.argv[3])
        tcp = sum(1 for p in sent if p["proto"] == "tcp")
        print(("ok" if sent and not missing else "not ok") +
              " - %d of %d probes (%d TCP) have a record" % (len(sent) - len(missing), len(sent), tcp) +
              ("" if not missing else "; missing: " + ", ".join(missing[:8])))
        print(("ok" if sent and not differ else "not ok") +
              " - every record's payload is the probe's exact bytes" +
              ("" if not differ else "; differ: " + ", ".join(differ[:8])))
