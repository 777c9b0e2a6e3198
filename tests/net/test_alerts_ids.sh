#!/bin/sh
# IDS mode under a full scan: `nmap -p-` from one source through `mitsu run
# --alert-on any` gives one aggregated alert naming all 65535 ports, not
# 65535 alerts, and no observation is dropped on the way.  (On a loaded
# machine the capture itself may miss SYNs; the alert must then name
# exactly the ports that were recorded.)
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")/.." && pwd)
netns_setup || { notok "namespace setup"; exit 1; }
cp "$HERE/alerts/exec_sink.sh" "$WORK/exec_sink.sh"
chmod 755 "$WORK/exec_sink.sh"
: >"$WORK/exec.jsonl"
chmod 666 "$WORK/exec.jsonl"
ip netns exec "$SNS" "$MITSU" run -i "$SIF" --store "$WORK/store" --stats-interval 0 --idle 2 \
	--scans-rotate 2 --rate 200000 --burst 200000 --alert-on any --alert-window 10 \
	--exec "$WORK/exec_sink.sh,$WORK/exec.jsonl" >"$WORK/run.log" 2>&1 &
SENSOR_PID=$!
i=0
while [ $i -lt 30 ] && ! grep -q 'mitsu run: sensor' "$WORK/run.log"; do sleep 0.1; i=$((i + 1)); done
sleep 0.5
cns timeout 120 nmap -n -Pn -sS -p- --min-rate 10000 "$SADDR" >"$WORK/nmap.txt" 2>&1
check "nmap -p- finished" grep -q 'Nmap done' "$WORK/nmap.txt"
i=0
while [ $i -lt 900 ] && ! grep -q '"kind":"contact"' "$WORK/exec.jsonl"; do sleep 0.1; i=$((i + 1)); done
sleep 3 # a second alert, if any, would come now
n=$(grep -c '"kind":"contact"' "$WORK/exec.jsonl")
check "one contact alert for the whole scan ($n)" [ "$n" -eq 1 ]
s=$(grep -o '"summary":"[^"]*"' "$WORK/exec.jsonl" | head -1)
stop_sensor
DB=$WORK/store/mitsu.db
ports=$("$MITSU" sql --db "$DB" "select count(distinct dst_port) from flows where src_addr = '$CADDR'" | tail -1)
flows=$("$MITSU" sql --db "$DB" "select count(*) from flows where src_addr = '$CADDR'" | tail -1)
check "it names the $ports recorded ports: $(echo "$s" | cut -c1-120)" \
	sh -c "[ '$ports' -ge 30000 ] && echo '$s' | grep -q 'probed $ports ports on $SADDR in [0-9]* s: port scan (tcp 1-'"
check "no observation dropped ($flows flows), one alert stored" \
	grep -q "alerts: 1 raised, $flows contacts, 0 ignored, 1 stored, .* 0 dropped (queue full)" "$WORK/run.log"
exit 0
