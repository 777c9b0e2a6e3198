#!/bin/sh
# masscan --banners against the sensor.  masscan runs its own TCP stack from
# a source address the kernel does not own (so the kernel sends no RSTs); the
# sensor's SYN+ACK lets it complete the handshake and send its "hello" for
# the port: an HTTP GET on 80 and 8080, a TLS ClientHello on 443.  The
# records must name masscan from the SYN (window 1024, no options), dissect
# the GET and the ClientHello, and JA3 must equal tshark's on the same packets.
. "$(dirname "$0")/lib.sh"

netns_setup || { notok "namespace setup"; exit 1; }
SMAC=$(ip -n "$SNS" link show "$SIF" | awk '/link\/ether/ {print $2}')
MSRC=10.$N.0.77
start_sensor
cns timeout 40 masscan "$SADDR" -p 80,443,8080 --banners --source-ip "$MSRC" --rate 100 \
	-e "$CIF" --router-mac "$SMAC" --wait 5 >"$WORK/masscan.out" 2>&1
stop_sensor
check "sensor exits 0" [ "$SENSOR_RC" -eq 0 ]
"$MITSU" analyze --json -q "$WORK/store" >"$WORK/records.jsonl"
find "$WORK/store" -name '*.pcap' -exec tshark -r {} -Y "ip.src == $MSRC && tls.handshake.type == 1" \
	-T fields -e tls.handshake.ja3_full -e tls.handshake.ja3 \; 2>/dev/null | sort -u >"$WORK/ja3.tshark"
python3 - "$WORK/records.jsonl" "$MSRC" "$WORK/ja3.tshark" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
mine = [r for r in recs if r["src_addr"] == sys.argv[2] and r["proto"] == "tcp"]
def ok(c, m): print(("ok - " if c else "not ok - ") + m)
def at(p): return [r for r in mine if r["dst_port"] == p]
ok(mine and all(r.get("scanner") == "masscan" for r in mine),
   "every masscan flow named masscan from its SYN (%d flows)" % len(mine))
for p in (80, 8080):
    h = [r for r in at(p) if r.get("service") == "http"]
    ua = h[0]["http"].get("user_agent", "") if h else ""
    ok(h and "masscan" in ua, "port %d: masscan's GET dissected, User-Agent %r" % (p, ua))
t = [r for r in at(443) if r.get("service") == "tls"]
ja3 = sorted({"%s\t%s" % (r["tls"].get("ja3"), r["tls"].get("ja3_md5")) for r in t if r.get("tls")})
oracle = [l.strip() for l in open(sys.argv[3]) if l.strip()]
ok(t and ja3 == oracle, "port 443: masscan's ClientHello; JA3 string and MD5 equal tshark's (%s)" % (oracle or "none"))
PY
exit 0
