#!/bin/sh
# The dashboard end to end: `mitsu run` captures real traffic carrying an XSS
# corpus while serving the dashboard on 127.0.0.1:8080 inside the sensor
# namespace; Debian's chromium (playwright-core, headless, off the network)
# walks every page there and checks that no payload runs.  Then curl checks:
# headers, read-only API, pcap key traversal, /metrics, authentication.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")/../.." && pwd)
ART=${ARTIFACTS:-/tmp/mitsu-artifacts}/web
mkdir -p "$ART"
netns_setup || { notok "namespace setup"; exit 1; }
DB=$WORK/store/mitsu.db
B=http://127.0.0.1:8080
WEB_PID=

cleanup_web() { [ -n "$WEB_PID" ] && kill "$WEB_PID" 2>/dev/null && wait "$WEB_PID" 2>/dev/null; WEB_PID=; }

# A MaxMind DB naming the client's network with markup of its own
GEO_ORG='<b>Evil AS</b> <script>alert(1)</script>'
python3 "$HERE/tests/web/make_mmdb.py" "$WORK/geo.mmdb" "$CADDR" NZ 64500 "$GEO_ORG"
ip netns exec "$SNS" "$MITSU" run -i "$SIF" --store "$WORK/store" --idle 2 --stats-interval 0 \
	--web-mmdb "$WORK/geo.mmdb" >"$WORK/run.log" 2>&1 &
SENSOR_PID=$!
i=0
while [ $i -lt 50 ] && ! grep -q 'mitsu run: sensor' "$WORK/run.log"; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
check "mitsu run logs the dashboard" grep -q 'dashboard on http://127.0.0.1:8080/' "$WORK/run.log"
check "/healthz answers" sh -c "ip netns exec $SNS curl -sf -m 3 $B/healthz | grep -q ok"

# ---- the XSS corpus, through the sensor ----
cat >"$WORK/xss.txt" <<'EOF'
<script>alert(1)</script>
<img src=x onerror=alert(1)>
javascript:alert(1)
<svg onload=alert(1)>
"><script>alert(1)</script>
EOF
cns curl -s -m 2 --path-as-is "http://$SADDR:8080/<script>alert(1)</script>" \
	-H 'X-Xss: <img src=x onerror=alert(1)>' -A '<svg onload=alert(1)>' -o /dev/null
cns curl -s -m 2 "http://$SADDR:8888/form" -d '"><script>alert(1)</script>&u=javascript:alert(1)' -o /dev/null
send() { # send PORT printf-format
	cns sh -c "printf '$2' | timeout 3 nc -q1 $SADDR $1" >/dev/null 2>&1
}
send 2323 '<img src=x onerror=alert(1)>\r\n'
send 2121 'javascript:alert(1)\r\n'
send 6667 '<svg onload=alert(1)>\r\n'
send 4444 '"><script>alert(1)</script>\r\n'
send 9999 '\377\376\300\257 alert(1) \033]0;x\007 \033[2J broken \342\202 utf-8\r\n'
n=0
i=0
while [ $i -lt 100 ]; do
	n=$("$MITSU" query --db "$DB" --csv "filter readable like 'alert(1)' | stats count(*) as n" 2>/dev/null | tail -1 | tr -d '\r')
	[ "${n:-0}" -ge 7 ] && break
	sleep 0.2
	i=$((i + 1))
done
check "7 flows carrying the XSS corpus recorded ($n)" [ "${n:-0}" -ge 7 ]
# The dashboard listens on 127.0.0.1:8080 only: the honeypot still answers
# port 8080 of the monitored address (loopback listeners are not the operator's
# services there).
p=$("$MITSU" query --db "$DB" --csv "filter dst_port = 8080 and service = 'http' | stats count(*) as n" 2>/dev/null | tail -1 | tr -d '\r')
check "port 8080 answered beside the dashboard's 127.0.0.1:8080 ($p)" [ "${p:-0}" -ge 1 ]

# An alert and a honeytoken as the alert hub would store them (the web side
# only reads these tables), carrying markup of their own.
sqlite3 -cmd ".timeout 5000" "$DB" "
INSERT INTO tokens(id, kind, value, secret, user, note, created, doc)
  VALUES ('tok-1', 'password', 'hunter2', 'SECRET-NEVER-SHOWN', 'admin', '<img src=x onerror=alert(1)> token note', 1700000000, '{}');
INSERT INTO alerts(ts, kind, src_addr, dst_addr, src_port, dst_port, proto, token_id, tag, uri, community_id, summary, doc, dedup_key, created)
  VALUES (1700000100, 'token', '$CADDR', '$SADDR', 40000, 23, 'tcp', 'tok-1', NULL, 'file:///x', '1:x',
          '<script>alert(1)</script> used honeytoken', '{}', 'k1', 1700000100);" ||
	notok "inserting the test alert and token"
check "/api/tokens never shows a token's secret" sh -c "ip netns exec $SNS curl -s -m 3 $B/api/tokens | grep -q hunter2 &&
	! ip netns exec $SNS curl -s -m 3 $B/api/tokens | grep -q SECRET-NEVER-SHOWN"

# ---- the browser ----
if [ ! -d "$HERE/tests/web/node_modules/playwright-core" ]; then
	(cd "$HERE/tests/web" && npm install --no-audit --no-fund >"$WORK/npm.log" 2>&1)
fi
if command -v node >/dev/null && [ -x /usr/bin/chromium ] && [ -d "$HERE/tests/web/node_modules/playwright-core" ]; then
	rm -f "$ART/session.pcap"
	ip netns exec "$SNS" env BASE=$B OUT="$ART" XSS_FILE="$WORK/xss.txt" GEO_TEXT="NZ · AS64500 · $GEO_ORG" \
		ESCAPE_PORT=9999 ALERT_TEXT='<script>alert(1)</script> used honeytoken' TOKEN_TEXT='<img src=x onerror=alert(1)> token note' \
		QUERY='filter readable like "alert(1)"' HOME="$WORK" \
		timeout 180 node "$HERE/tests/web/ui.mjs" >"$WORK/ui.log" 2>&1
	rc=$?
	grep -E '^(ok|not ok|#)' "$WORK/ui.log"
	check "browser run exits 0 (screenshots in $ART)" [ "$rc" -eq 0 ] || tail -20 "$WORK/ui.log"
	np=$(tshark -r "$ART/session.pcap" 2>/dev/null | wc -l)
	check "the downloaded pcap opens in tshark ($np packets)" [ "$np" -ge 1 ]
else
	notok "node, chromium or playwright-core missing (tools/deps.sh; npm install in tests/web)"
fi

# ---- curl checks ----
hdrs() { ip netns exec "$SNS" curl -s -m 3 -o /dev/null -D - "$@"; }
for u in / /app.js /api/stats /api/sessions /nope '/api/pcap?key=x'; do
	hdrs "$B$u" >"$WORK/h.txt"
	check "headers on $u" sh -c "grep -qi \"^content-security-policy: default-src 'self'.*frame-ancestors 'none'\" '$WORK/h.txt' &&
		grep -qi '^x-content-type-options: nosniff' '$WORK/h.txt' && grep -qi '^referrer-policy: no-referrer' '$WORK/h.txt' &&
		! grep -qi 'unsafe-inline' '$WORK/h.txt'"
done
code() { ip netns exec "$SNS" curl -s -m 3 -o /dev/null -w '%{http_code}' "$@"; }
check "POST refused (405)" [ "$(code -X POST -d x $B/api/sessions)" = 405 ]
check "a foreign Host is refused without auth (DNS rebinding)" [ "$(code -H 'Host: evil.example' $B/api/stats)" = 421 ]
check "query errors come back as JSON with the column" sh -c \
	"ip netns exec $SNS curl -s -m 3 '$B/api/sessions?q=filter%20nosuch%20%3D%201' | grep -q '\"col\":8'"
key=$(ip netns exec "$SNS" curl -s -m 3 "$B/api/sessions?q=filter%20dst_port%20%3D%202323&limit=1" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"][0][0])' 2>/dev/null)
key=$(ip netns exec "$SNS" curl -s -m 3 "$B/api/session/$key" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["pcap_key"])' 2>/dev/null)
check "session record names its pcap key ($key)" [ -n "$key" ]
check "a valid key downloads (200)" [ "$(code "$B/api/pcap?key=$key")" = 200 ]
for bad in 'pcap/../mitsu.db' '../../etc/passwd' '%2Fetc%2Fpasswd.pcap' 'pcap/..%2F..%2Fetc%2Fpasswd.pcap' \
	'pcap//x.pcap' 'pcap/%2E%2E/x.pcap' 'mitsu.db'; do
	c=$(code "$B/api/pcap?key=$bad")
	check "pcap key '$bad' rejected ($c)" [ "$c" = 400 ]
done
ln -s /etc/passwd "$WORK/store/pcap/evil.pcap"
mkdir -p "$WORK/outside" && ln -s "$WORK/outside" "$WORK/store/pcap/out"
cp "$WORK/store/$key" "$WORK/outside/x.pcap" 2>/dev/null
check "a symlink out of the store is refused" [ "$(code "$B/api/pcap?key=pcap/evil.pcap")" = 404 ]
check "a directory symlink out of the store is refused" [ "$(code "$B/api/pcap?key=pcap/out/x.pcap")" = 404 ]
m=$(ip netns exec "$SNS" curl -s -m 3 $B/metrics)
check "/metrics has the sensor counters" sh -c "echo '$m' | grep -Eq '^mitsu_sensor_syns_total [1-9]' &&
	echo '$m' | grep -Eq '^mitsu_sensor_packets_total [1-9]' && echo '$m' | grep -q '^# TYPE mitsu_sensor_flows_open gauge'"
check "session detail carries the source's country and AS (--web-mmdb)" sh -c \
	"ip netns exec $SNS curl -s -m 3 '$B/api/stats' | grep -q '\"asn\":64500'"
check "/api/events streams (SSE)" sh -c "ip netns exec $SNS curl -sN -m 2 $B/api/events | grep -q '^event: hello'"
check "alerts and tokens answer (empty is fine)" sh -c "[ \$(ip netns exec $SNS curl -s -o /dev/null -w '%{http_code}' $B/api/alerts) = 200 ] &&
	[ \$(ip netns exec $SNS curl -s -o /dev/null -w '%{http_code}' $B/api/tokens) = 200 ]"

# ---- port taken: mitsu web fails clearly; mitsu run goes on without it ----
ip netns exec "$SNS" "$MITSU" web --db "$DB" >"$WORK/web-taken.log" 2>&1
rc=$?
check "mitsu web on a taken port exits 1 ($rc)" sh -c "[ $rc -eq 1 ] && grep -q 'in use' '$WORK/web-taken.log'"
ip netns exec "$SNS" timeout 20 "$MITSU" run -r "$WORK/store/$key" --addr "$SADDR" --store "$WORK/store2" \
	--stats-interval 0 >"$WORK/run2.log" 2>&1
rc=$?
check "mitsu run with the port taken warns and still captures ($rc)" sh -c \
	"[ $rc -eq 0 ] && grep -q 'dashboard not started' '$WORK/run2.log' && [ -s '$WORK/store2/mitsu.db' ]"
stop_sensor
check "mitsu run exits 0 on SIGTERM with the dashboard" [ "$SENSOR_RC" -eq 0 ]

# ---- mitsu web on its own: authentication ----
ip netns exec "$SNS" "$MITSU" web --db "$DB" --listen "$SADDR:8090" >"$WORK/web-open.log" 2>&1
rc=$?
check "non-loopback --listen without auth refuses (exit $rc)" sh -c "[ $rc -eq 2 ] && grep -q 'without authentication' '$WORK/web-open.log'"
webstart() { # webstart options...: runs mitsu web in SNS until cleanup_web
	ip netns exec "$SNS" "$MITSU" web --db "$DB" --store "$WORK/store" "$@" >"$WORK/web.log" 2>&1 &
	WEB_PID=$!
	i=0
	while [ $i -lt 30 ] && ! grep -q 'dashboard on' "$WORK/web.log"; do sleep 0.1; i=$((i + 1)); done
}
ccode() { cns curl -s -m 3 -o /dev/null -w '%{http_code}' "$@"; }
webstart --listen "$SADDR:8090" --auth s3cret-Token
check "token: 401 without credentials" [ "$(ccode http://$SADDR:8090/api/stats)" = 401 ]
check "token: 401 with a wrong bearer" [ "$(ccode -H 'Authorization: Bearer nope' http://$SADDR:8090/api/stats)" = 401 ]
check "token: 200 with the bearer" [ "$(ccode -H 'Authorization: Bearer s3cret-Token' http://$SADDR:8090/api/stats)" = 200 ]
check "token: 200 with Basic, token as password" [ "$(ccode -u any:s3cret-Token http://$SADDR:8090/api/stats)" = 200 ]
check "token: 401 carries WWW-Authenticate" sh -c "ip netns exec $CNS curl -s -m 3 -D - -o /dev/null http://$SADDR:8090/ | grep -qi '^www-authenticate: basic'"
cleanup_web
hash=$(openssl passwd -6 'pa ss:word')
webstart --listen "$SADDR:8090" --auth-user admin --auth-hash "$hash"
check "user/hash: 200 with the password" [ "$(ccode -u 'admin:pa ss:word' http://$SADDR:8090/api/stats)" = 200 ]
check "user/hash: 401 with a wrong password" [ "$(ccode -u 'admin:pass' http://$SADDR:8090/api/stats)" = 401 ]
check "user/hash: 401 with a wrong user" [ "$(ccode -u 'root:pa ss:word' http://$SADDR:8090/api/stats)" = 401 ]
cleanup_web
webstart --listen "$SADDR:8090" --trust-proxy "$CADDR/32" --proxy-user-header X-Auth-User
check "proxy: 200 from the proxy with its header" [ "$(ccode -H 'X-Auth-User: alice@example.org' http://$SADDR:8090/api/stats)" = 200 ]
check "proxy: 401 from the proxy without its header" [ "$(ccode http://$SADDR:8090/api/stats)" = 401 ]
check "proxy: header ignored from elsewhere (401)" [ "$(ip netns exec "$SNS" curl -s -m 3 -o /dev/null -w '%{http_code}' \
	-H 'X-Auth-User: alice@example.org' http://$SADDR:8090/api/stats)" = 401 ]
cleanup_web
exit 0
