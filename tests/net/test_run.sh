#!/bin/sh
# `mitsu run` end to end: a flow's record is queryable about a second after
# the flow ends; SIGHUP reloads the config file; SIGTERM leaves everything
# analysed.
. "$(dirname "$0")/lib.sh"
netns_setup || { notok "namespace setup"; exit 1; }
DB=$WORK/store/mitsu.db
printf '# test config\nexclude-port 9999\nidle 2\n' >"$WORK/mitsu.conf"
chmod 644 "$WORK/mitsu.conf"
ip netns exec "$SNS" "$MITSU" run -i "$SIF" --store "$WORK/store" --config "$WORK/mitsu.conf" \
	--stats-interval 0 >"$WORK/run.log" 2>&1 &
SENSOR_PID=$!
i=0
while [ $i -lt 30 ] && ! grep -q 'mitsu run: sensor' "$WORK/run.log"; do sleep 0.1; i=$((i + 1)); done
sleep 0.3

# A single UDP datagram: its flow ends exactly --idle (2 s) after it.
t0=$(date +%s.%N)
cns sh -c "echo run-probe | timeout 1 nc -u -q0 $SADDR 5060"
found=""
i=0
while [ $i -lt 50 ]; do
	n=$("$MITSU" query --db "$DB" --csv "filter dst_port = 5060 and readable like 'run-probe' | stats count(*) as n" 2>/dev/null | tail -1 | tr -d '\r')
	if [ "$n" = 1 ]; then
		found=$(date +%s.%N)
		break
	fi
	sleep 0.1
	i=$((i + 1))
done
lat=$(python3 -c "print(round(${found:-0} - $t0, 2))")
# idle 2 s + the once-a-second sweep + analysis: within 2 s after the flow ends
check "record queryable ${lat}s after the datagram (flow ends at 2 s)" \
	python3 -c "import sys; sys.exit(0 if 0 < $lat <= 4.0 else 1)"

ports() { cns timeout 30 nmap -n -sS -p 9998,9999 "$SADDR" -oG - 2>/dev/null | grep -o 'Ports:.*'; }
p=$(ports)
check "config file: 9999 excluded, 9998 open ($p)" sh -c "echo '$p' | grep -q '9998/open' && ! echo '$p' | grep -q '9999/open'"
printf 'exclude-port 9998\nidle 2\n' >"$WORK/mitsu.conf"
kill -HUP "$SENSOR_PID"
sleep 1
p=$(ports)
check "after SIGHUP: 9998 excluded, 9999 open ($p)" sh -c "echo '$p' | grep -q '9999/open' && ! echo '$p' | grep -q '9998/open'"
check "reload logged" grep -q 'configuration reloaded' "$WORK/run.log"

# 8080, where the dashboard listens on 127.0.0.1: a loopback listener does not
# take the port from the honeypot.
cns curl -s -m 1 "http://$SADDR:8080/before-stop" -o /dev/null
stop_sensor
check "mitsu run exits 0 on SIGTERM" [ "$SENSOR_RC" -eq 0 ]
n=$("$MITSU" query --db "$DB" --csv "filter readable like 'GET /before-stop' | stats count(*) as n" | tail -1 | tr -d '\r')
check "a flow open at SIGTERM is written and analysed before exit" [ "$n" -ge 1 ]
nflows=$("$MITSU" sql --db "$DB" 'select count(*) from flows' | tail -1)
# the UDP probe, 9998 before the reload, 9999 after it, the curl (excluded ports are not recorded)
check "one record per recorded flow ($nflows of 4)" [ "$nflows" -eq 4 ]
exit 0
