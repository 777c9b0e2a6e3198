#!/bin/sh
# UDP dissectors with real clients against the sensor (which records UDP
# flows and never answers them): dig (DNS over UDP and TCP), snmpget and
# snmpbulkwalk, ntpdig, ntpsec's python3-ntp control session (mode 6
# READVAR), nmap's ntp-monlist / upnp-info / memcached-info scripts, and
# printf | nc -u for SSDP and memcached.  The records of `mitsu analyze`
# are compared with tshark's reading of the same pcaps.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

netns_setup || { notok "namespace setup"; exit 1; }
start_sensor --exclude-port 22
check "sensor is running" kill -0 "$SENSOR_PID"

have() { command -v "$1" >/dev/null 2>&1; }
DIG="dig @$SADDR +tries=1 +time=1"
if have dig; then
	cns $DIG example.com A >/dev/null 2>&1
	cns $DIG +notcp isc.org ANY >/dev/null 2>&1
	cns $DIG +dnssec +bufsize=4096 isc.org DNSKEY >/dev/null 2>&1
	cns $DIG dnsscan.shadowserver.org >/dev/null 2>&1
	cns $DIG +noedns version.bind CH TXT >/dev/null 2>&1
	cns $DIG -p 5353 +tcp example.net MX >/dev/null 2>&1
fi
if have snmpget; then
	cns snmpget -v1 -c public -r0 -t1 "$SADDR" 1.3.6.1.2.1.1.1.0 >/dev/null 2>&1
	cns snmpbulkwalk -v2c -c s3cret-community -r0 -t1 "$SADDR" 1.3.6.1.2.1 >/dev/null 2>&1
fi
have ntpdig && cns timeout 5 ntpdig -t 1 "$SADDR" >/dev/null 2>&1
# ntpq's library: a mode-6 READVAR for the system variables
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import ntp.packet' 2>/dev/null; then
	cns timeout 5 /usr/bin/python3 -c "
import ntp.packet
s = ntp.packet.ControlSession()
s.primary_timeout = s.secondary_timeout = 300
s.openhost('$SADDR')
try: s.readvar(0, ['version'])
except Exception: pass" >/dev/null 2>&1
fi
cns timeout 60 nmap -n -Pn -sU -p 123,1900,11211 --max-retries 0 --script-timeout 5s \
	--script ntp-monlist,upnp-info,memcached-info "$SADDR" >/dev/null 2>&1
cns sh -c "printf 'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\nUSER-AGENT: mitsu-test/1.0\r\n\r\n' | timeout 2 nc -u -q1 -p 41900 $SADDR 1900"
cns sh -c "printf '\0\001\0\0\0\001\0\0stats\r\n' | timeout 2 nc -u -q1 -p 41211 $SADDR 11211"
sleep 0.5
stop_sensor
check "sensor exits 0" [ "$SENSOR_RC" -eq 0 ]

"$MITSU" analyze --json -q "$WORK/store" >"$WORK/records.jsonl" 2>"$WORK/analyze.err"
check "analyze reads the store" [ -s "$WORK/records.jsonl" ]

python3 - "$WORK/records.jsonl" "$(have dig && echo dig)" "$(have snmpget && echo snmp)" \
	"$(have ntpdig && echo ntpdig)" <<'EOF'
import json, subprocess, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
tools = set(sys.argv[2:])
def ok(cond, desc):
    print(("ok - " if cond else "not ok - ") + desc)
def skip(desc, why):
    print("ok - %s # SKIP %s" % (desc, why))
def find(service, pred=lambda r: True):
    return [r for r in recs if r.get("service") == service and pred(r)]
def tshark(r, fields, filt):
    """The oracle: tshark's fields for the client's first packet of this
    record's pcap that matches filt."""
    path = r["s3path"].replace("file://", "", 1)
    cmd = ["tshark", "-r", path, "-Y", filt, "-c", "1", "-T", "fields", "-E", "separator=|"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    return out.split("\n")[0].split("|") if out else None

# --- DNS ---------------------------------------------------------------------
if "dig" in tools:
    dns = find("dns")
    byname = {(r["dns"]["qname"], r["dns"]["qtype"]): r for r in dns}
    for (name, qt), tags in ((("example.com.", 1), []),
                             (("isc.org.", 255), ["dns-any", "amplification-probe"]),
                             (("isc.org.", 48), ["amplification-probe"]),
                             (("dnsscan.shadowserver.org.", 1), ["amplification-probe"]),
                             (("version.bind.", 16), [])):
        r = byname.get((name, qt))
        ok(r is not None and sorted(t for t in r["tags"] if t in ("dns-any", "amplification-probe")) == sorted(tags),
           "dig %s type %d: dns record, tags %s" % (name, qt, r["tags"] if r else None))
        if r:
            o = tshark(r, ["dns.qry.name", "dns.qry.type", "dns.qry.class", "dns.id"], "dns")
            ok(o == [name.rstrip("."), str(qt), "0x%04x" % r["dns"]["qclass"], "0x%04x" % r["dns"]["id"]],
               "dig %s: tshark agrees on name, type, class, id (%s)" % (name, o))
    r = byname.get(("isc.org.", 48))
    ok(r is not None and r["dns"].get("edns", {}).get("do") is True and r["dns"]["edns"]["udp_size"] == 4096,
       "dig +dnssec +bufsize=4096: EDNS DO bit and buffer size")
    r = byname.get(("example.net.", 15))
    ok(r is not None and r["proto"] == "tcp" and r["dns"].get("tcp") is True,
       "dig +tcp: DNS over TCP dissected")
else:
    skip("dig", "dig not installed (bind9-dnsutils)")

# --- SNMP --------------------------------------------------------------------
if "snmp" in tools:
    v1 = find("snmp", lambda r: r["snmp"].get("community") == "public")
    ok(len(v1) == 1 and v1[0]["snmp"]["pdu"] == "get" and v1[0]["snmp"]["oids"] == ["1.3.6.1.2.1.1.1.0"]
       and {"proto": "snmp", "user": "", "pass": "public"} in v1[0].get("creds", []),
       "snmpget -v1: community as a credential, get 1.3.6.1.2.1.1.1.0")
    if v1:
        o = tshark(v1[0], ["snmp.version", "snmp.community", "snmp.name"], "snmp")
        ok(o == ["0", "public", "1.3.6.1.2.1.1.1.0"], "snmpget: tshark agrees (%s)" % o)
    bulk = find("snmp", lambda r: r["snmp"].get("community") == "s3cret-community")
    ok(len(bulk) >= 1 and bulk[0]["snmp"]["pdu"] == "getbulk" and "amplification-probe" in bulk[0]["tags"]
       and bulk[0]["snmp"]["version_name"] == "v2c",
       "snmpbulkwalk -v2c: getbulk, amplification-probe")
else:
    skip("snmp", "snmpget not installed (snmp)")

# --- NTP ---------------------------------------------------------------------
ntp = find("ntp")
if "ntpdig" in tools:
    c = [r for r in ntp if r["ntp"]["mode"] == 3 and r["ntp"]["version"] == 4]
    ok(len(c) >= 1, "ntpdig: an NTPv4 client request")
    if c:
        o = tshark(c[0], ["ntp.flags.vn", "ntp.flags.mode"], "ntp")
        ok(o == ["4", "3"], "ntpdig: tshark agrees on version and mode (%s)" % o)
else:
    skip("ntpdig", "ntpdig not installed (ntpsec-ntpdig)")
mon = [r for r in ntp if "ntp-monlist" in r["tags"]]
ok(len(mon) == 1 and mon[0]["ntp"].get("request") == 42 and "amplification-probe" in mon[0]["tags"],
   "nmap ntp-monlist: mode 7 MON_GETLIST_1 tagged ntp-monlist")
if mon:
    o = tshark(mon[0], ["ntp.flags.mode", "ntp.priv.reqcode"], "ntp")
    ok(o == ["7", "42"], "ntp-monlist: tshark agrees on mode and request (%s)" % o)
rv = [r for r in ntp if r["ntp"]["mode"] == 6]
if rv or "ntpdig" in tools:
    ok(len(rv) >= 1 and rv[0]["ntp"].get("opcode_name") == "readvar" and rv[0]["ntp"].get("data") == "version",
       "python3-ntp readvar: mode 6 READVAR of 'version'")
    if rv:
        o = tshark(rv[0], ["ntp.flags.mode", "ntp.ctrl.flags2.opcode"], "ntp")
        ok(o == ["6", "2"], "readvar: tshark agrees on mode and opcode (%s)" % o)

# --- SSDP --------------------------------------------------------------------
ss = find("ssdp")
mine = [r for r in ss if r["src_port"] == 41900]
ok(len(mine) == 1 and mine[0]["ssdp"].get("st") == "ssdp:all" and mine[0]["ssdp"].get("user_agent") == "mitsu-test/1.0"
   and "amplification-probe" in mine[0]["tags"], "M-SEARCH ssdp:all via nc: st, user agent, tag")
if mine:
    o = tshark(mine[0], ["http.request.method"], "udp.dstport==1900")
    ok(o == ["M-SEARCH"], "SSDP: tshark agrees on the method (%s)" % o)
nm = [r for r in ss if r["src_port"] != 41900 and r["ssdp"].get("st") == "upnp:rootdevice"]
ok(len(nm) >= 1 and "amplification-probe" in nm[0]["tags"], "nmap upnp-info: M-SEARCH upnp:rootdevice")

# --- memcached ---------------------------------------------------------------
mc = find("memcached")
st = [r for r in mc if r["src_port"] == 41211]
ok(len(st) == 1 and st[0]["memcached"].get("command") == "stats" and "amplification-probe" in st[0]["tags"],
   "memcached stats over UDP: command, amplification-probe")
if st:
    # tshark 4.0 shows no fields for memcache over UDP: compare the bytes
    o = tshark(st[0], ["udp.payload"], "udp.dstport==11211")
    ok(o == ["000100000001000073746174730d0a"], "memcached: tshark sees the same datagram (%s)" % o)
ver = [r for r in mc if r["memcached"].get("command") == "version"]
ok(len(ver) >= 1 and "amplification-probe" not in ver[0]["tags"], "nmap memcached-info: version, no tag")

# Nothing sent to these ports may stay unrecognised.
un = [r for r in recs if r["proto"] == "udp" and r["dst_port"] in (53, 161, 1900, 11211) and r["service"] == "unknown" and r.get("payload")]
ok(not un, "no unrecognised client datagram on 53/161/1900/11211 (%d)" % len(un))
EOF
