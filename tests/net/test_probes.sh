#!/bin/sh
# nmap's whole service-probe list (/usr/share/nmap/nmap-service-probes,
# about 100 TCP and 50 UDP payloads, many of them binary) replayed through
# real sockets at the sensor, then analysed with every dissector and the
# default rules: nothing crashes, every probe becomes a record whose payload
# is the probe's exact bytes.  Run it with MITSU=build-asan/mitsu for the
# same under ASan/UBSan.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
PROBES=/usr/share/nmap/nmap-service-probes

[ -r "$PROBES" ] || { notok "nmap-service-probes not found"; exit 1; }
netns_setup || { notok "namespace setup"; exit 1; }
start_sensor --idle 2
cns timeout 120 python3 "$HERE/nmap_probes.py" send "$PROBES" "$SADDR" "$WORK/sent.json"
check "every probe sent" [ -s "$WORK/sent.json" ]
sleep 3 # the last flows go idle
stop_sensor
check "sensor exits 0" [ "$SENSOR_RC" -eq 0 ]
check "sensor log has no sanitizer report" sh -c "! grep -q 'runtime error\|AddressSanitizer' '$WORK/sensor.log'"

"$MITSU" analyze --json -q "$WORK/store" >"$WORK/records.jsonl" 2>"$WORK/analyze.err"
rc=$?
check "analyze over the replayed probes exits 0 (status $rc)" [ "$rc" -eq 0 ]
check "analyze prints no sanitizer report" sh -c "! grep -q 'runtime error\|AddressSanitizer' '$WORK/analyze.err'"
python3 "$HERE/nmap_probes.py" check "$WORK/sent.json" "$WORK/records.jsonl"
# Recognition by content, whatever the port (each probe went to an unrelated
# high port): the probes of protocols we dissect must be named so, and every
# other probe must stay "unknown" (no false positives: nmap's LDAP probe once
# passed for a Modbus frame).
python3 - "$WORK/sent.json" "$WORK/records.jsonl" <<'PY'
import json, sys
sent = {(p["proto"], p["port"]): (p["name"], p["proto"]) for p in json.load(open(sys.argv[1]))}
got = {}
for line in open(sys.argv[2]):
    r = json.loads(line)
    if (r["proto"], r["dst_port"]) in sent:
        got[sent[(r["proto"], r["dst_port"])]] = r.get("service")
want = {"GetRequest": "http", "HTTPOptions": "http", "FourOhFourRequest": "http",
        "RTSPRequest": "http", "OfficeScan": "http", "apple-iphoto": "http",
        "docker": "http", "hazelcast-http": "http", "metasploit-msgrpc": "http",
        "SSLSessionReq": "tls", "TLSSessionReq": "tls", "SSLv23SessionReq": "tls",
        "TLS-PSK": "tls", "DTLSSessionReq": "tls", "SMBProgNeg": "smb",
        "TerminalServerCookie": "rdp", "TerminalServer": "rdp", "redis-server": "redis",
        "DNSVersionBindReq": "dns", "DNSVersionBindReqTCP": "dns", "DNS-SD": "dns",
        "NBTStat": "dns", "NTPRequest": "ntp", "SNMPv1public": "snmp",
        "SNMPv3GetRequest": "snmp", "SIPOptions": "sip", "memcached": "memcached",
        "Memcache": "memcached", "ms-sql-s": "mssql", "mqtt": "mqtt",
        "adbConnect": "adb", "Hello": "smtp", "tn3270": "telnet"}
wrong = ["%s/%s=%s" % (n, pr, s) for (n, pr), s in sorted(got.items())
         if s != want.get(n, "unknown")]
named = sum(1 for (n, pr) in got if n in want)
print(("ok" if got and not wrong else "not ok") +
      " - %d probes: %d recognised by content, the rest unknown" % (len(got), named) +
      ("" if not wrong else "; wrong: " + ", ".join(wrong[:10])))
PY
exit 0
