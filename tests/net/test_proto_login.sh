#!/bin/sh
# Group-b dissectors end to end, with real clients from Debian.
# Client-first protocols go straight to the sensor (it answers the SYN, the
# client sends its first message): redis-cli, psql, mosquitto_pub, adb,
# svmap (SIPVicious, UDP) and nmap's NSE probes for S7, Modbus, SMB, RDP.
# Server-first protocols need something to speak first: a scripted server
# in the sensor namespace (the sensor leaves ports with a listener alone but
# records their packets) greets hydra (FTP, telnet, SMTP, POP3, IMAP, HTTP
# Basic, VNC), the telnet client, the mariadb client, tsql and psql.  Then
# `mitsu analyze` reads the sensor's store and the records' fields and
# credentials are checked, a few of them against tshark.
. "$(dirname "$0")/lib.sh"

for t in hydra redis-cli psql mariadb telnet mosquitto_pub tsql adb svmap nmap tshark mergecap \
	python3; do
	command -v "$t" >/dev/null 2>&1 || { notok "missing tool $t (tools/deps.sh)"; exit 1; }
done
netns_setup || { notok "namespace setup"; exit 1; }

cat >"$WORK/servers.py" <<'PY'
# Scripted servers: just enough of each protocol for a client to send its
# credentials.  Every connection is bounded (10 s, 64 reads).
import socket, socketserver, struct, sys, threading

ADDR = sys.argv[1]

def lines(sock, n=32):
    """Yields the client's lines (telnet IAC sequences dropped)."""
    buf = b""
    for _ in range(n):
        while b"\n" not in buf and b"\r\x00" not in buf:
            d = sock.recv(4096)
            if not d:
                return
            buf += d
        cut = min(i for i in (buf.find(b"\n"), buf.find(b"\r\x00")) if i >= 0)
        line, buf = buf[:cut], buf[cut + 1:].lstrip(b"\x00\n")
        clean, i = b"", 0
        while i < len(line):
            if line[i] == 0xff and i + 1 < len(line):
                i += 3 if 0xfb <= line[i + 1] <= 0xfe else 2
                continue
            clean += line[i:i + 1]
            i += 1
        yield clean.rstrip(b"\r")

def recvn(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            break
        b += d
    return b

def ftp(s):
    s.sendall(b"220 (vsFTPd 3.0.3)\r\n")
    for l in lines(s):
        v = l[:4].upper()
        s.sendall({b"USER": b"331 Please specify the password.\r\n",
                   b"PASS": b"530 Login incorrect.\r\n",
                   b"QUIT": b"221 Goodbye.\r\n"}.get(v, b"500 Unknown command.\r\n"))
        if v == b"QUIT":
            return

def telnet(s):
    s.sendall(b"\xff\xfd\x18\xff\xfd\x1f\r\nDebian GNU/Linux 12\r\nmitsu login: ")
    it = lines(s)
    for _ in range(3):
        for l in it:
            if l:
                break
        else:
            return
        s.sendall(b"Password: ")
        if next(it, None) is None:
            return
        s.sendall(b"\r\nLogin incorrect\r\nmitsu login: ")

def smtp(s):
    s.sendall(b"220 mitsu.test ESMTP Postfix\r\n")
    it = lines(s)
    for l in it:
        u = l.upper()
        if u.startswith(b"EHLO"):
            s.sendall(b"250-mitsu.test\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n")
        elif u.startswith(b"AUTH LOGIN"):
            s.sendall(b"334 VXNlcm5hbWU6\r\n")
            if next(it, None) is None:
                return
            s.sendall(b"334 UGFzc3dvcmQ6\r\n")
            if next(it, None) is None:
                return
            s.sendall(b"535 5.7.8 Authentication failed\r\n")
        elif u.startswith(b"AUTH PLAIN"):
            if len(l) <= 11:
                s.sendall(b"334 \r\n")
                next(it, None)
            s.sendall(b"535 5.7.8 Authentication failed\r\n")
        elif u.startswith(b"QUIT"):
            s.sendall(b"221 Bye\r\n")
            return
        else:
            s.sendall(b"250 Ok\r\n")

def pop3(s):
    s.sendall(b"+OK Dovecot ready.\r\n")
    for l in lines(s):
        u = l.upper()
        if u.startswith(b"CAPA"):
            s.sendall(b"+OK\r\nUSER\r\n.\r\n")
        elif u.startswith(b"PASS"):
            s.sendall(b"-ERR [AUTH] Authentication failed.\r\n")
        elif u.startswith(b"QUIT"):
            s.sendall(b"+OK Logging out.\r\n")
            return
        else:
            s.sendall(b"+OK\r\n")

def imap(s):
    s.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN] Dovecot ready.\r\n")
    it = lines(s)
    for l in it:
        tag, _, rest = l.partition(b" ")
        u = rest.upper()
        if u.startswith(b"CAPABILITY"):
            s.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN\r\n" + tag + b" OK\r\n")
        elif u.startswith(b"LOGOUT"):
            s.sendall(b"* BYE\r\n" + tag + b" OK\r\n")
            return
        else:
            # AUTHENTICATE LOGIN: two challenges; PLAIN without an initial
            # response: one.
            steps = 2 if u.startswith(b"AUTHENTICATE LOGIN") else \
                1 if u.strip() == b"AUTHENTICATE PLAIN" else 0
            for ch in (b"+ VXNlcm5hbWU6\r\n", b"+ UGFzc3dvcmQ6\r\n")[:steps]:
                s.sendall(ch if steps == 2 else b"+ \r\n")
                if next(it, None) is None:
                    return
            s.sendall(tag + b" NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")

def http(s):
    buf = b""
    for _ in range(16):
        while b"\r\n\r\n" not in buf:
            d = s.recv(4096)
            if not d:
                return
            buf += d
        buf = buf[buf.find(b"\r\n\r\n") + 4:]
        s.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"mitsu\"\r\n"
                  b"Content-Length: 0\r\n\r\n")

def mysql(s):
    caps = 0x1 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000 | 0x100000 | 0x200000
    body = (b"\x0a5.7.42-mitsu\x00" + struct.pack("<I", 42) + b"abcdefgh\x00"
            + struct.pack("<H", caps & 0xffff) + b"\x21" + struct.pack("<H", 2)
            + struct.pack("<H", caps >> 16) + b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00"
            + b"mysql_native_password\x00")
    s.sendall(struct.pack("<I", len(body))[:3] + b"\x00" + body)
    recvn(s, 4)
    err = b"\xff" + struct.pack("<H", 1045) + b"#28000Access denied for user"
    s.sendall(struct.pack("<I", len(err))[:3] + b"\x02" + err)

def pgsql(s):
    hdr = recvn(s, 8)
    if len(hdr) < 8:
        return
    n, code = struct.unpack(">II", hdr)
    if code == 80877103:  # SSLRequest: no
        s.sendall(b"N")
        hdr = recvn(s, 8)
        n, code = struct.unpack(">II", hdr)
    recvn(s, n - 8)
    s.sendall(b"R" + struct.pack(">II", 8, 3))  # AuthenticationCleartextPassword
    t = recvn(s, 5)
    if len(t) == 5:
        recvn(s, struct.unpack(">I", t[1:])[0] - 4)
    msg = b"SFATAL\x00C28P01\x00Mpassword authentication failed\x00\x00"
    s.sendall(b"E" + struct.pack(">I", len(msg) + 4) + msg)

def mssql(s):
    h = recvn(s, 8)
    if len(h) < 8 or h[0] != 0x12:
        return
    recvn(s, struct.unpack(">H", h[2:4])[0] - 8)
    # PRELOGIN answer: VERSION 15.0.2000.0, ENCRYPTION = NOT_SUP (2)
    opts = b"\x00\x00\x0b\x00\x06\x01\x00\x11\x00\x01\xff" + b"\x0f\x00\x07\xd0\x00\x00" + b"\x02"
    s.sendall(b"\x04\x01" + struct.pack(">H", len(opts) + 8) + b"\x00\x00\x01\x00" + opts)
    recvn(s, 8)
    s.settimeout(2)
    try:
        s.recv(8192)
    except OSError:
        pass

def vnc(s):
    s.sendall(b"RFB 003.008\n")
    recvn(s, 12)
    s.sendall(b"\x01\x02")
    recvn(s, 1)
    s.sendall(bytes(range(1, 17)))
    recvn(s, 16)
    s.sendall(b"\x00\x00\x00\x01\x00\x00\x00\x0eauthentication")

SERVERS = {21: ftp, 23: telnet, 25: smtp, 80: http, 110: pop3, 143: imap, 1433: mssql,
           3306: mysql, 5433: pgsql, 5900: vnc}

def serve(port, fn):
    class H(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.settimeout(10)
            try:
                fn(self.request)
            except (OSError, StopIteration, struct.error):
                pass
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    srv = socketserver.ThreadingTCPServer((ADDR, port), H)
    srv.daemon_threads = True
    srv.serve_forever()

for p, f in SERVERS.items():
    threading.Thread(target=serve, args=(p, f), daemon=True).start()
print("ready", flush=True)
threading.Event().wait(150)  # bounded: the test is over by then
PY

sns python3 "$WORK/servers.py" "$SADDR" >"$WORK/servers.log" 2>&1 &
SRV=$!
i=0
while [ $i -lt 50 ] && ! grep -q ready "$WORK/servers.log" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
check "scripted servers listen" sns sh -c "ss -ltn | grep -q ':5900 '"
# The sensor starts after the servers, so it knows their ports at once.
start_sensor
check "sensor runs" kill -0 "$SENSOR_PID"

# --- server-first, through the scripted servers --------------------------
H="timeout 20 hydra -I -t 1 -w 5 -f"
cns $H -l ftpuser -p ftppass "ftp://$SADDR" >"$WORK/hydra-ftp.log" 2>&1
cns $H -l teluser -p telpass "telnet://$SADDR" >"$WORK/hydra-telnet.log" 2>&1
cns $H -l smtpuser -p smtppass "smtp://$SADDR" >"$WORK/hydra-smtp.log" 2>&1
cns $H -l popuser -p poppass "pop3://$SADDR" >"$WORK/hydra-pop3.log" 2>&1
cns $H -l imapuser -p imappass "imap://$SADDR" >"$WORK/hydra-imap.log" 2>&1
cns $H -l imapclear -p clearpass "imap://$SADDR/CLEAR" >"$WORK/hydra-imap2.log" 2>&1
cns $H -l imapplain -p plainpass "imap://$SADDR/PLAIN" >"$WORK/hydra-imap3.log" 2>&1
cns $H -l webuser -p webpass "http-get://$SADDR/admin" >"$WORK/hydra-http.log" 2>&1
cns $H -p vncpass "vnc://$SADDR" >"$WORK/hydra-vnc.log" 2>&1
# netkit telnet, typed line by line
(sleep 1; printf 'root\n'; sleep 0.5; printf 'toor\n'; sleep 1) |
	cns timeout 6 telnet "$SADDR" 23 >"$WORK/telnet.log" 2>&1
cns timeout 8 mariadb -h "$SADDR" -P 3306 -u dbuser -pdbpass -D shop --connect-timeout=3 \
	-e 'select 1' >"$WORK/mariadb.log" 2>&1
cns env PGPASSWORD=pgsecret PGCONNECT_TIMEOUT=5 timeout 8 psql \
	"host=$SADDR port=5433 user=pguser2 dbname=pgdb2 sslmode=prefer gssencmode=disable" \
	-c 'select 1' >"$WORK/psql2.log" 2>&1
cns env TDSVER=7.4 timeout 8 tsql -H "$SADDR" -p 1433 -U sa -P mssqlpw >"$WORK/tsql.log" 2>&1 </dev/null

# --- client-first, straight to the sensor, all at once ---------------------
cns timeout 3 redis-cli -h "$SADDR" -p 6379 AUTH secret >/dev/null 2>&1 &
P1=$!
cns timeout 3 redis-cli -h "$SADDR" -p 6379 CONFIG SET dir /tmp >/dev/null 2>&1 &
P2=$!
cns timeout 3 redis-cli -h "$SADDR" -p 6380 --user alice --pass alicepw --no-auth-warning PING \
	>/dev/null 2>&1 &
P3=$!
cns env PGCONNECT_TIMEOUT=3 timeout 5 psql \
	"host=$SADDR port=5432 user=pguser dbname=pgdb sslmode=disable gssencmode=disable application_name=mitsutest" \
	-c 'select 1' >/dev/null 2>&1 &
P4=$!
cns timeout 4 mosquitto_pub -h "$SADDR" -p 1883 -i mitsu-cid -u mqttuser -P mqttpw -t a/b -m hi \
	>/dev/null 2>&1 &
P5=$!
# adb starts a server daemon in the client namespace; kill-server ends it.
cns sh -c "HOME=$WORK timeout 6 adb connect $SADDR:5555; HOME=$WORK timeout 5 adb kill-server" \
	>/dev/null 2>&1 &
P6=$!
cns timeout 6 svmap -p 5060 "$SADDR" >/dev/null 2>&1 &
P7=$!
# The sensor never answers, so each script waits out its own timeouts;
# 15 s is enough for every first request (modbus-discover would go on
# through slave ids 1..247).
cns timeout 40 nmap -n -Pn -p 102,502,445,3389 --script-timeout 15s \
	--script s7-info,modbus-discover,smb-protocols,rdp-enum-encryption "$SADDR" \
	>"$WORK/nmap.log" 2>&1
wait "$P1" "$P2" "$P3" "$P4" "$P5" "$P6" "$P7"
sleep 1
stop_sensor
kill "$SRV" 2>/dev/null

"$MITSU" analyze --json -q "$WORK/store" >"$WORK/records.jsonl" 2>"$WORK/analyze.err"
check "mitsu analyze reads the store" [ -s "$WORK/records.jsonl" ]

python3 - "$WORK/records.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]

def show(ok, what):
    print(("ok - " if ok else "not ok - ") + what)

def find(service, pred=lambda r: True):
    return [r for r in recs if r.get("service") == service and pred(r)]

def has_cred(service, user, pw):
    return any(c.get("user") == user and c.get("pass") == pw and c.get("proto") == service
               for r in find(service) for c in r.get("creds", []))

def field(service, path, value):
    for r in find(service):
        v = r.get(service, {})
        for k in path:
            v = v.get(k) if isinstance(v, dict) else None
        if v == value or (isinstance(v, list) and value in v):
            return True
    return False

for svc, u, p in [("ftp", "ftpuser", "ftppass"), ("telnet", "teluser", "telpass"),
                  ("telnet", "root", "toor"), ("smtp", "smtpuser", "smtppass"),
                  ("pop3", "popuser", "poppass"), ("imap", "imapuser", "imappass"),
                  ("imap", "imapclear", "clearpass"), ("imap", "imapplain", "plainpass"),
                  ("http", "webuser", "webpass"), ("redis", "", "secret"),
                  ("redis", "alice", "alicepw"), ("mysql", "dbuser", ""),
                  ("pgsql", "pguser", ""), ("pgsql", "pguser2", "pgsecret"),
                  ("mqtt", "mqttuser", "mqttpw"), ("mssql", "sa", "mssqlpw")]:
    show(has_cred(svc, u, p), "%s cred %s/%s" % (svc, u, p))

show(field("ftp", ["banner"], "220 (vsFTPd 3.0.3)"), "ftp banner")
show(field("ftp", ["commands"], "USER ftpuser"), "ftp commands")
show(field("telnet", ["options"], "WONT TTYPE") or field("telnet", ["options"], "WILL TTYPE"),
     "telnet client's option answers")
show(field("smtp", ["auth"], "LOGIN"), "smtp AUTH LOGIN mechanism")
show(any(r["smtp"].get("helo") for r in find("smtp")), "smtp EHLO name")
show(field("imap", ["commands"], "LOGIN"), "imap LOGIN command")
show(field("imap", ["auth"], "LOGIN") and field("imap", ["auth"], "PLAIN"),
     "imap AUTHENTICATE LOGIN and PLAIN")
show(field("redis", ["commands"], ["CONFIG", "SET", "dir", "/tmp"]), "redis CONFIG SET dir /tmp")
show(field("redis", ["format"], "resp"), "redis-cli speaks RESP")
show(field("mysql", ["server_version"], "5.7.42-mitsu"), "mysql greeting version")
show(field("mysql", ["database"], "shop"), "mysql database")
show(any(r["mysql"].get("auth_hash") for r in find("mysql")), "mysql auth_hash")
show(any("_client_name" in r["mysql"].get("attrs", {}) for r in find("mysql")), "mysql attrs")
show(field("pgsql", ["database"], "pgdb"), "pgsql database")
show(field("pgsql", ["application_name"], "mitsutest"), "pgsql application_name")
show(field("pgsql", ["requests"], "ssl") and field("pgsql", ["auth"], "cleartext"),
     "pgsql SSLRequest refused, then cleartext password")
show(field("mqtt", ["client_id"], "mitsu-cid") and field("mqtt", ["protocol"], "MQTT"),
     "mqtt CONNECT client id")
show(field("mssql", ["type"], "prelogin"), "mssql PRELOGIN")
show(field("mssql", ["login", "app"], "TSQL"), "mssql LOGIN7 app name")
show(any(r["vnc"].get("client_version", "").startswith("003.") for r in find("vnc"))
     and field("vnc", ["security"], "vnc"), "vnc version and security type")
show(any(r["vnc"].get("response") and r["vnc"].get("challenge") == "0102030405060708090a0b0c0d0e0f10"
         for r in find("vnc")), "vnc challenge/response")
show(any(r["adb"].get("identity", "").startswith("host::") for r in find("adb")), "adb CNXN identity")
show(any(r["sip"].get("user_agent") == "friendly-scanner" and r["sip"].get("method") == "OPTIONS"
         and r.get("proto") == "udp" for r in find("sip")), "sip OPTIONS from svmap over UDP")
show(field("s7", ["dst_tsap"], "0x0102") or field("s7", ["dst_tsap"], "0x0100"), "s7 COTP TSAPs")
show(any(r.get("dst_port") == 502 for r in find("modbus")), "modbus request from nmap")
show(any("NT LM 0.12" in r["smb"].get("dialects", []) for r in find("smb")), "smb1 dialects")
show(any("0x0311" in r["smb"].get("dialects", []) or "0x0202" in r["smb"].get("dialects", [])
         for r in find("smb")), "smb2 dialects")
show(any(r["rdp"].get("mstshash") == "nmap" and r["rdp"].get("protocols") for r in find("rdp")),
     "rdp cookie and negotiation request")
PY

# tshark as the oracle for a few fields of the same flows.
mergecap -w "$WORK/all.pcap" $(find "$WORK/store" -name '*.pcap') 2>/dev/null
tshark -r "$WORK/all.pcap" -T fields -e mysql.user -e mqtt.username -e mqtt.clientid \
	-e ftp.request.arg 2>/dev/null >"$WORK/tshark.txt"
check "tshark sees the mysql user the record has" grep -q 'dbuser' "$WORK/tshark.txt"
check "tshark sees the mqtt user and client id" grep -q 'mqttuser.*mitsu-cid\|mitsu-cid.*mqttuser' "$WORK/tshark.txt"
check "tshark sees the ftp user" grep -q 'ftpuser' "$WORK/tshark.txt"
exit 0
