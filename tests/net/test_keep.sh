#!/bin/sh
# Keep at scale: S3 store (s3rver behind a botocore SigV4-checking proxy),
# spool, NATS JetStream fan-out, analyzers in groups, S3 event input.
# Every server runs on 127.0.0.1 inside the test's sensor namespace.
#   - signatures: every request our S3 client makes is re-signed by botocore
#     and must match; a wrong secret is refused (proves the proxy can fail)
#     and its objects wait in the spool, then go out after a restart;
#   - three sensors (offline -r runs) PUT to S3 and publish to NATS; two
#     analyzers in group g1 (one killed with SIGKILL mid-stream) and one in
#     g2: each group has every object's records exactly once;
#   - a live sensor while the S3 server is down for 60 s: the spool grows,
#     then drains; every flow reaches the bucket and group g2;
#   - mitsu analyze --s3-events reads AWS-made events in SQS-of-SNS envelopes.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KEEP=$ROOT/tests/keep
PIDS=""

keep_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	cleanup
}
trap keep_cleanup EXIT INT TERM

bg() { # bg NAME command...: runs in the sensor namespace, logs to $WORK/NAME.log
	name=$1
	shift
	# ip netns exec execs the command: $! is the server itself.
	ip netns exec "$SNS" "$@" >"$WORK/$name.log" 2>&1 &
	eval "PID_$name=$!"
	PIDS="$PIDS $!"
}

wait_until() { # wait_until SECONDS command...: polls every 0.2 s
	limit=$(($1 * 5))
	shift
	i=0
	while [ $i -lt $limit ]; do
		"$@" && return 0
		i=$((i + 1))
		sleep 0.2
	done
	return 1
}

for tool in node npm nats-server python3 sqlite3 nc; do
	command -v $tool >/dev/null || { notok "keep: $tool is missing (tools/deps.sh)"; exit 0; }
done
python3 -c 'import botocore' 2>/dev/null || { notok "keep: python3-botocore is missing"; exit 0; }
if [ ! -d "$KEEP/node_modules/s3rver" ]; then
	(cd "$KEEP" && timeout 300 npm install --no-audit --no-fund >"$WORK/npm.log" 2>&1) ||
		{ notok "keep: npm install s3rver failed"; cat "$WORK/npm.log"; exit 0; }
fi
netns_setup || { notok "keep: namespaces"; exit 0; }
cc -O2 -o "$WORK/genflows" "$ROOT/bench/genflows.c" || { notok "keep: genflows"; exit 0; }

S3EP=http://127.0.0.1:9001
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SESSION_TOKEN

start_s3() {
	bg s3rver node "$KEEP/node_modules/s3rver/bin/s3rver.js" -d "$WORK/s3" -a 127.0.0.1 \
		-p 9000 --configure-bucket honey
	wait_until 20 sns curl -s -o /dev/null http://127.0.0.1:9000/
}
start_s3 || { notok "keep: s3rver did not start"; cat "$WORK/s3rver.log"; exit 0; }
bg proxy python3 "$KEEP/sigv4_proxy.py" 9001 9000 S3RVER S3RVER "$WORK/proxy.req"
bg nats nats-server -js -a 127.0.0.1 -p 4222 -sd "$WORK/js"
wait_until 10 sns curl -s -o /dev/null http://127.0.0.1:9001/ &&
	wait_until 10 sns nc -z 127.0.0.1 4222 || { notok "keep: proxy or nats-server"; exit 0; }

objects() { # objects PREFIX: keys in the bucket under PREFIX, sorted
	(cd "$WORK/s3/honey" 2>/dev/null && find . -name '*.pcap._S3rver_object' |
		sed 's|^\./||; s/\._S3rver_object$//' | grep "^$1" | sort)
}
db_paths() { # db_paths DB PREFIX: distinct object keys in the records
	sqlite3 "$1" "select distinct substr(s3path, 12) from flows where s3path like 's3://honey/$2%' order by 1" 2>/dev/null
}
db_rows() { sqlite3 "$1" "select count(*) from flows where s3path like 's3://honey/$2%'" 2>/dev/null; }

# --- 1. signatures: a wrong secret is refused, its objects are spooled ---
"$WORK/genflows" -o "$WORK/in1.pcap" -b 150000 >/dev/null
"$WORK/genflows" -o "$WORK/in2.pcap" -b 100000 >/dev/null
"$WORK/genflows" -o "$WORK/in3.pcap" -b 60000 >/dev/null
sensor_r() { # sensor_r N [extra]: offline sensor N writing to s3://honey/sN
	n=$1
	shift
	sns timeout 120 "$MITSU" sensor -r "$WORK/in$n.pcap" --addr 192.0.2.0/24 \
		--store "s3://honey/s$n" --s3-endpoint "$S3EP" --spool "$WORK/spool$n" \
		--sensor-id "s$n" --bus nats://127.0.0.1:4222 --stats-interval 0 "$@" \
		>>"$WORK/sensor$n.log" 2>&1
}
AWS_SECRET_ACCESS_KEY=wrong sensor_r 1
check "keep: the proxy refuses a wrong secret (403 SignatureDoesNotMatch)" \
	grep -q 'HTTP 403 (SignatureDoesNotMatch' "$WORK/sensor1.log"
nspool=$(ls "$WORK/spool1" | grep -c '\.pcap$')
check "keep: refused objects wait in the spool ($nspool)" [ "$nspool" -ge 30 ]
check "keep: nothing reached the bucket with the wrong secret" [ -z "$(objects s1)" ]

# --- 2. fan-out: analyzers in two groups, sensors with the right secret ---
analyzer() { # analyzer NAME GROUP DB
	bg "$1" "$MITSU" analyze --from nats://127.0.0.1:4222 --group "$2" --ack-wait 5 \
		--db "$WORK/$3" --s3-endpoint "$S3EP" -q
}
analyzer a1 g1 g1.db
analyzer a3 g2 g2.db
bad0=$(grep -c '^bad' "$WORK/proxy.req")
sensor_r 1 # its spool from the failed run goes out first, then this run's objects
sensor_r 2
sensor_r 3
check "keep: botocore verified every request of the right-secret runs ($(grep -c '^ok' "$WORK/proxy.req") ok)" \
	[ "$(grep -c '^bad' "$WORK/proxy.req")" = "$bad0" ]
check "keep: sensor 1's spool drained after the restart" \
	sh -c "[ -z \"\$(ls '$WORK/spool1' | grep '\.pcap$')\" ]"
nobj=$(objects s | wc -l)
want=0
for n in 1 2 3; do
	w=$(grep -o 'open [0-9]*, written [0-9]*' "$WORK/sensor$n.log" | tail -1 | awk '{print $4}')
	want=$((want + ${w:-0}))
done
check "keep: every object of the three sensors is in the bucket ($nobj of $want)" \
	[ "$nobj" -ge 60 -a "$nobj" = "$want" ]
# Kill a1 once it is busy; a2 joins g1 and takes over (with the redeliveries).
wait_until 20 sh -c "[ \"\$(sqlite3 '$WORK/g1.db' 'select count(*) from flows' 2>/dev/null)\" -ge 5 ] 2>/dev/null"
kill -9 "$PID_a1"
g1_at_kill=$(db_paths "$WORK/g1.db" s | wc -l)
analyzer a2 g1 g1.db
echo "# a1 killed after $g1_at_kill of $nobj objects"
objects s >"$WORK/objects.txt"
wait_until 60 sh -c "[ \"\$(sqlite3 '$WORK/g1.db' \"select count(distinct s3path) from flows where s3path like 's3://honey/s%'\")\" -ge $nobj ]"
wait_until 30 sh -c "[ \"\$(sqlite3 '$WORK/g2.db' \"select count(distinct s3path) from flows where s3path like 's3://honey/s%'\")\" -ge $nobj ]"
check "keep: a1 was killed mid-stream ($g1_at_kill of $nobj done)" [ "$g1_at_kill" -lt "$nobj" ]
db_paths "$WORK/g1.db" s >"$WORK/g1.txt"
db_paths "$WORK/g2.db" s >"$WORK/g2.txt"
check "keep: group g1 (a1 killed, a2) has every object, no other" cmp -s "$WORK/objects.txt" "$WORK/g1.txt"
check "keep: group g2 has every object, no other" cmp -s "$WORK/objects.txt" "$WORK/g2.txt"
# Exactly once: as many rows as distinct (object, flow); one record per
# single-flow object.
for g in g1 g2; do
	rows=$(db_rows "$WORK/$g.db" s)
	uniq=$(sqlite3 "$WORK/$g.db" "select count(*) from (select distinct s3path, flow_key from flows where s3path like 's3://honey/s%')")
	check "keep: $g: every flow exactly once ($rows records, $nobj objects)" \
		[ "$rows" = "$uniq" -a "$rows" = "$nobj" ]
done
check "keep: records carry the sensor id from the event" \
	[ "$(sqlite3 "$WORK/g2.db" "select count(*) from flows where s3path like 's3://honey/s2/%' and sensor = 's2'")" -ge 1 ]

# --- 3. --s3-events: AWS-shaped events in SQS-of-SNS envelopes ---
python3 - "$WORK/objects.txt" >"$WORK/events.jsonl" <<'PY'
import json, sys, urllib.parse
keys = [l.strip() for l in open(sys.argv[1]) if l.startswith('s3/')][:10]
for k in keys:
    rec = {"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
           "eventTime": "2026-01-01T00:00:00.000Z", "eventName": "ObjectCreated:Put",
           "s3": {"bucket": {"name": "honey"},
                  "object": {"key": urllib.parse.quote_plus(k, safe='/'), "size": 1}}}
    sns = {"Type": "Notification", "Message": json.dumps({"Records": [rec]})}
    print(json.dumps({"MessageId": "m", "Body": json.dumps(sns)}))
PY
sns "$MITSU" analyze --s3-events "$WORK/events.jsonl" --db "$WORK/events.db" --s3-endpoint "$S3EP" -q \
	>"$WORK/events.log" 2>&1
check "keep: --s3-events analysed all 10 objects of SQS-of-SNS events" \
	[ "$(sqlite3 "$WORK/events.db" 'select count(distinct s3path) from flows')" = 10 ]

# --- 4. the S3 server is down for 60 s under a live sensor ---
start_sensor --store s3://honey/live --s3-endpoint "$S3EP" --spool "$WORK/spool-live" \
	--spool-retry-max 4 --bus nats://127.0.0.1:4222 --one-file-per-flow --idle 1 \
	--sensor-id live --stats-interval 5
kill "$PID_s3rver"
wait "$PID_s3rver" 2>/dev/null
t0=$(date +%s)
for p in $(seq 2001 2030); do cns nc -z -w 1 "$SADDR" "$p" >/dev/null 2>&1; done
wait_until 20 sh -c "[ \$(ls '$WORK/spool-live' 2>/dev/null | grep -c '\.pcap$') -ge 30 ]"
grown=$(ls "$WORK/spool-live" | grep -c '\.pcap$')
check "keep: while S3 is down the spool grows ($grown objects)" [ "$grown" -ge 30 ]
check "keep: nothing of it in the bucket yet" [ -z "$(objects live)" ]
sleep $((60 - ($(date +%s) - t0)))
start_s3 || notok "keep: s3rver restart"
wait_until 30 sh -c "[ \$(ls '$WORK/spool-live' | grep -c '\.pcap$') -eq 0 ]"
check "keep: the spool drained after S3 came back" \
	[ "$(ls "$WORK/spool-live" | grep -c '\.pcap$')" -eq 0 ]
stop_sensor
nlive=$(objects live | wc -l)
written=$(grep -o 'open [0-9]*, written [0-9]*' "$WORK/sensor.log" | tail -1 | awk '{print $4}')
check "keep: every flow the sensor wrote is in the bucket ($nlive of $written)" \
	[ "$nlive" -ge 30 -a "$nlive" = "$written" ]
check "keep: the sensor counted spooled and delivered objects" \
	grep -q 'store (exit): delivered [1-9][0-9]*, failed PUTs [1-9][0-9]*, spooled [1-9]' "$WORK/sensor.log"
objects live >"$WORK/live.txt"
wait_until 30 sh -c "[ \$(sqlite3 '$WORK/g2.db' \"select count(distinct s3path) from flows where s3path like 's3://honey/live/%'\") -ge $nlive ]"
db_paths "$WORK/g2.db" live >"$WORK/g2live.txt"
check "keep: group g2 analysed every object of the outage" cmp -s "$WORK/live.txt" "$WORK/g2live.txt"

# --- SIGTERM stops the analyzers cleanly ---
for a in a2 a3; do
	eval "pid=\$PID_$a"
	kill -TERM "$pid"
	wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"
	check "keep: analyzer $a stops on SIGTERM" grep -q 'messages acked' "$WORK/$a.log"
done
echo "# g1 after the kill: a2 $(grep -o 'acked ([0-9]* redelivered)' "$WORK/a2.log")"
exit 0
