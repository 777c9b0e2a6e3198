#!/bin/sh
# HTTP, TLS and SSH dissectors against real clients, tshark as the oracle.
# The sensor answers every SYN, so openssl s_client, curl and wget send their
# ClientHello or request to it; an SSH server that only says its version
# (nc in the sensor's namespace) makes OpenSSH send its KEXINIT.  Then the
# store is analysed and, flow by flow (each client on its own port):
#   - JA3 string and MD5 equal tshark's tls.handshake.ja3_full / ja3;
#   - JA4 equals the value recomputed here in python from tshark's fields
#     (ciphers, extension types, SNI, first ALPN, supported_versions and the
#     signature_algorithms extension's list), after FoxIO's JA4.md;
#   - SNI and ALPN equal tshark's;
#   - HASSH equals md5 of tshark's ssh.kex_algorithms ; encryption, mac and
#     compression client-to-server lists, and tshark's ssh.kex.hassh;
#   - HTTP method, uri, Host, User-Agent and Basic credentials equal
#     tshark's, the POST body's sha256 that of the file sent.
. "$(dirname "$0")/lib.sh"

netns_setup || { notok "namespace setup"; exit 1; }
# An SSH server that only says its version, on 2222, started before the
# sensor so that the sensor sees the listener and leaves that port to it.
(printf 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'; sleep 10) | sns timeout 12 nc -l -p 2222 >/dev/null 2>&1 &
NC=$!
i=0
while [ $i -lt 30 ] && ! sns ss -ltn | grep -q ":2222 "; do sleep 0.1; i=$((i + 1)); done
start_sensor

# TLS and HTTP clients, each on its own port (flows are told apart by
# port), all at once: each sends its first bytes and waits for an answer
# that never comes, so each is ended by its timeout.
PIDS=
bg() { # runs a client in the background, noting its pid
	"$@" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
}
tls() { # port, openssl options...
	port=$1
	shift
	bg cns sh -c "timeout 2 openssl s_client -connect $SADDR:$port $* </dev/null"
}
tls 443 -tls1_2
tls 8443 -tls1_3
tls 4433 -alpn h2,http/1.1 -servername www.example.test
tls 9443 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA -servername x
tls 10443 -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -groups X25519:P-256 -alpn x
tls 11443 -no_tls1_3 -sigalgs RSA+SHA256:ECDSA+SHA256 -noservername
bg cns timeout 3 curl -sk -m 2 "https://$SADDR:12443/"
bg cns timeout 3 curl -sk -m 2 --http1.1 "https://curl.example.test:13443/" \
	--resolve "curl.example.test:13443:$SADDR"
bg cns timeout 3 wget -q -T 2 -t 1 --no-check-certificate -O /dev/null "https://$SADDR:14443/"
TLS_PORTS="443 8443 4433 9443 10443 11443 12443 13443 14443"

# HTTP with user agents, Basic credentials and a body.
head -c 700 /dev/urandom | base64 >"$WORK/body"
bg cns timeout 3 curl -s -m 2 -A 'mitsu-agent/1.0 (test)' -u 'alice:wonder land' \
	"http://$SADDR:8080/admin?x=1"
bg cns timeout 3 wget -q -T 2 -t 1 -U 'Wget-mitsu/2.0' --user=bob --password=builder \
	--auth-no-challenge -O /dev/null "http://$SADDR:37215/ctrlt/DeviceUpgrade_1"
bg cns timeout 3 curl -s -m 2 -H 'Expect:' --data-binary "@$WORK/body" "http://$SADDR:80/upload"
wait $PIDS # not the sensor's

# SSH: the version-only server on 2222; the sensor alone on 22.
cns timeout 4 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-p 2222 "mitsu@$SADDR" true >/dev/null 2>&1
cns timeout 3 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-o ConnectTimeout=2 -p 22 "mitsu@$SADDR" true >/dev/null 2>&1
stop_sensor
kill "$NC" 2>/dev/null

"$MITSU" analyze --json -q "$WORK/store" >"$WORK/records.jsonl"
check "the store analyses into records" [ -s "$WORK/records.jsonl" ]

python3 - "$WORK" "$TLS_PORTS" <<'EOF'
import base64, hashlib, json, os, subprocess, sys
import xml.etree.ElementTree as ET

work, tls_ports = sys.argv[1], [int(p) for p in sys.argv[2].split()]
recs = {}
for line in open(os.path.join(work, "records.jsonl")):
    d = json.loads(line)
    if d.get("proto") == "tcp" or d.get("proto") == 6:
        recs.setdefault(d["dst_port"], []).append(d)

def report(ok, desc, got=None, want=None):
    print(("ok - " if ok else "not ok - ") + desc)
    if not ok:
        print("#   got:  %r\n#   want: %r" % (got, want))

def pcap_of(rec):
    p = rec.get("s3path", "")
    return p[len("file://"):] if p.startswith("file://") else None

def one(port, key):
    """The record on port that has member key."""
    for d in recs.get(port, []):
        if key in d:
            return d
    return None

def tshark(path, port, proto, *args):
    cmd = ["tshark", "-r", path, "-d", "tcp.port==%d,%s" % (port, proto)] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True).stdout

def grease(v):
    return (v & 0x0F0F) == 0x0A0A and (v >> 8) == (v & 0xFF)

def hello_fields(path, port):
    """The ClientHello as tshark dissects it (PDML), for JA4."""
    root = ET.fromstring(tshark(path, port, "tls", "-Y", "tls.handshake.type == 1", "-T", "pdml"))
    h = {"version": None, "ciphers": [], "exts": [], "versions": [], "sigalgs": [], "alpn": None, "sni": None}
    for el in root.iter("field"):
        name, val = el.get("name"), el.get("value")
        if name == "tls.handshake.version" and h["version"] is None:
            h["version"] = int(val, 16)
        elif name == "tls.handshake.ciphersuite":
            h["ciphers"].append(int(val, 16))
        elif name == "tls.handshake.extensions.supported_version":
            h["versions"].append(int(val, 16))
        elif name == "tls.handshake.extensions_alpn_str" and h["alpn"] is None:
            h["alpn"] = bytes.fromhex(val)
        elif name == "tls.handshake.extensions_server_name" and h["sni"] is None:
            h["sni"] = el.get("show")
        types = [c for c in el if c.get("name") == "tls.handshake.extension.type"]
        if types:  # one extension's subtree
            t = int(types[0].get("value"), 16)
            h["exts"].append(t)
            if t == 13:
                h["sigalgs"] = [int(c.get("value"), 16) for c in el.iter("field")
                                if c.get("name") == "tls.handshake.sig_hash_alg"]
    return h

def ja4(h):
    """JA4 (FoxIO technical_details/JA4.md), written again from the spec."""
    sha = lambda s: hashlib.sha256(s.encode()).hexdigest()[:12]
    ciphers = [c for c in h["ciphers"] if not grease(c)]
    exts = [e for e in h["exts"] if not grease(e)]
    vers = [v for v in h["versions"] if not grease(v)]
    ver = max(vers) if vers else h["version"]
    names = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2"}
    a = "t" + names.get(ver, "00") + ("d" if 0 in exts else "i")
    a += "%02d%02d" % (min(len(ciphers), 99), min(len(exts), 99))
    alpn, alnum = h["alpn"], lambda c: chr(c).isascii() and chr(c).isalnum()
    if not alpn:
        a += "00"
    elif alnum(alpn[0]) and alnum(alpn[-1]):
        a += chr(alpn[0]) + chr(alpn[-1])
    else:
        a += alpn.hex()[0] + alpn.hex()[-1]
    b = sha(",".join("%04x" % c for c in sorted(ciphers))) if ciphers else "0" * 12
    rest = sorted(e for e in exts if e not in (0, 16))
    c = ",".join("%04x" % e for e in rest)
    sigs = [s for s in h["sigalgs"] if not grease(s)]
    if sigs:
        c += "_" + ",".join("%04x" % s for s in sigs)
    return "%s_%s_%s" % (a, b, sha(c) if rest else "0" * 12)

# TLS, flow by flow.
for port in tls_ports:
    d = one(port, "tls")
    report(d is not None, "port %d: a record with tls" % port)
    if not d:
        continue
    t, path = d["tls"], pcap_of(d)
    out = tshark(path, port, "tls", "-Y", "tls.handshake.type == 1", "-T", "fields",
                 "-e", "tls.handshake.ja3_full", "-e", "tls.handshake.ja3").strip().split("\n")[0]
    full, md5 = (out.split("\t") + ["", ""])[:2]
    report(full != "" and t.get("ja3") == full, "port %d: JA3 string equals tshark's" % port, t.get("ja3"), full)
    report(md5 != "" and t.get("ja3_md5") == md5, "port %d: JA3 md5 equals tshark's" % port, t.get("ja3_md5"), md5)
    h = hello_fields(path, port)
    want = ja4(h)
    report(t.get("ja4") == want, "port %d: JA4 equals the one recomputed from tshark's fields" % port,
           t.get("ja4"), want)
    report(t.get("sni") == h["sni"], "port %d: SNI equals tshark's" % port, t.get("sni"), h["sni"])
    first_alpn = (t.get("alpn") or [None])[0]
    report((first_alpn.encode() if first_alpn else None) == h["alpn"],
           "port %d: first ALPN equals tshark's" % port, first_alpn, h["alpn"])

# The option sets really differ: the fingerprints are not all one value.
ja3s = {one(p, "tls")["tls"].get("ja3_md5") for p in tls_ports if one(p, "tls")}
report(len(ja3s) >= 6, "the TLS clients give at least 6 different JA3 values (%d)" % len(ja3s))
d = one(4433, "tls")
report(d is not None and d["tls"].get("ja4", "").startswith("t13d") and d["tls"]["ja4"][8:10] == "h2",
       "openssl -alpn h2,http/1.1 -servername: JA4_a says TLS 1.3, domain, h2")
d = one(9443, "tls")
report(d is not None and d["tls"].get("ciphers", [])[:2] == [0xC02F, 0x0035],
       "openssl -cipher: the two chosen suites first in the list")

# HTTP.
def http_check(port, ua, user, pw, uri):
    d = one(port, "http")
    report(d is not None and d.get("service") == "http", "port %d: an http record" % port)
    if not d:
        return
    h, path = d["http"], pcap_of(d)
    out = tshark(path, port, "http", "-Y", "http.request", "-T", "fields", "-e", "http.request.method",
                 "-e", "http.request.uri", "-e", "http.host", "-e", "http.user_agent",
                 "-e", "http.authbasic").strip().split("\n")[0].split("\t")
    out += [""] * 5
    report([h.get("method"), h.get("uri"), h.get("host"), h.get("user_agent")] == out[:4],
           "port %d: method, uri, host, user agent equal tshark's" % port,
           [h.get("method"), h.get("uri"), h.get("host"), h.get("user_agent")], out[:4])
    report(h.get("user_agent") == ua, "port %d: user agent is the one given" % port, h.get("user_agent"), ua)
    report(h.get("uri") == uri, "port %d: uri" % port, h.get("uri"), uri)
    if user is not None:
        creds = [(c["user"], c["pass"]) for c in d.get("creds", []) if c["proto"] == "http"]
        report(creds == [(user, pw)], "port %d: Basic credentials" % port, creds, [(user, pw)])
        report(out[4] == "%s:%s" % (user, pw), "port %d: tshark decodes the same pair" % port, out[4])

http_check(8080, "mitsu-agent/1.0 (test)", "alice", "wonder land", "/admin?x=1")
http_check(37215, "Wget-mitsu/2.0", "bob", "builder", "/ctrlt/DeviceUpgrade_1")
d = one(80, "http")
body = open(os.path.join(work, "body"), "rb").read()
report(d is not None and d["http"].get("method") == "POST", "curl --data-binary: POST")
if d:
    h = d["http"]
    report(h.get("body_len") == len(body) and h.get("content_length") == len(body),
           "POST body length", h.get("body_len"), len(body))
    report(h.get("body_sha256") == hashlib.sha256(body).hexdigest(), "POST body sha256 equals the file's")

# SSH.
d = one(2222, "ssh")
report(d is not None and d.get("service") == "ssh", "ssh -p 2222: an ssh record")
if d:
    s, path = d["ssh"], pcap_of(d)
    ver = subprocess.run(["ssh", "-V"], capture_output=True, text=True).stderr.split(",")[0].strip()
    report(s.get("client", "").startswith("SSH-2.0-" + ver.split(" ")[0]),
           "ssh.client is OpenSSH's version line", s.get("client"), ver)
    report(s.get("server") == "SSH-2.0-OpenSSH_9.2p1 Debian-2", "ssh.server is the fake server's line")
    out = tshark(path, 2222, "ssh", "-Y", "ssh.kex_algorithms && tcp.dstport == 2222", "-T", "fields",
                 "-e", "ssh.kex_algorithms", "-e", "ssh.encryption_algorithms_client_to_server",
                 "-e", "ssh.mac_algorithms_client_to_server",
                 "-e", "ssh.compression_algorithms_client_to_server", "-e", "ssh.kex.hassh")
    f = (out.strip().split("\n")[0].split("\t") + [""] * 5)[:5]
    algos = ";".join(f[:4])
    want = hashlib.md5(algos.encode()).hexdigest()
    report(f[0] != "" and s.get("hassh_algorithms") == algos, "HASSH algorithms equal tshark's lists",
           s.get("hassh_algorithms"), algos)
    report(s.get("hassh") == want, "HASSH equals md5 of tshark's lists", s.get("hassh"), want)
    report(s.get("hassh") == f[4], "HASSH equals tshark's ssh.kex.hassh", s.get("hassh"), f[4])
    report(s.get("kex_algorithms") == f[0], "kex_algorithms equal tshark's")
d = one(22, "ssh")
report(d is not None and d["ssh"].get("client", "").startswith("SSH-2.0-OpenSSH"),
       "ssh -p 22 to the sensor alone: the client's version line")
EOF
exit 0
