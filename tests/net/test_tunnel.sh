#!/bin/sh
# A layer-3 interface (link type raw IP), as a Raspberry Pi behind a cloud
# relay sees its traffic on wg0: two tun devices joined by a relay process.
# The sensor must capture and answer on it, and write raw-IP pcaps.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
ip netns add "$SNS" && ip netns add "$CNS" || { notok "namespaces"; exit 1; }
TA=mt$ID
TB=mu$ID
mkfifo "$WORK/relay.in"
python3 "$HERE/tunrelay.py" "$TA" "$TB" <"$WORK/relay.in" >"$WORK/relay.out" 2>&1 &
RELAY=$!
exec 7>"$WORK/relay.in"
i=0
while [ $i -lt 50 ] && ! grep -q ready "$WORK/relay.out"; do sleep 0.1; i=$((i + 1)); done
ip link set "$TA" netns "$SNS"
ip link set "$TB" netns "$CNS"
ip -n "$SNS" addr add "10.$N.9.1" peer "10.$N.9.2" dev "$TA"
ip -n "$CNS" addr add "10.$N.9.2" peer "10.$N.9.1" dev "$TB"
ip -n "$SNS" link set "$TA" up
ip -n "$CNS" link set "$TB" up
SIF=$TA
TADDR=10.$N.9.1
check "relay and tunnel up" sh -c "ip netns exec $CNS ping -c1 -W2 $TADDR >/dev/null"

start_sensor --addr "$TADDR"
cns curl -s -m 2 "http://$TADDR:8443/over-the-tunnel" -o /dev/null
cns timeout 30 nmap -n -sS -p 1-200 "$TADDR" -oG "$WORK/nmap.txt" >/dev/null 2>&1
open=$(grep -o 'Ports:.*' "$WORK/nmap.txt" | tr ',' '\n' | grep -c '/open/')
check "nmap over the tunnel sees 200 open ports, got $open" [ "$open" -eq 200 ]
stop_sensor
cat "$WORK/sensor.log" | sed "s/^/# /"
exec 7>&-
wait "$RELAY" 2>/dev/null
check "sensor exits 0" [ "$SENSOR_RC" -eq 0 ]

f=$(ls "$WORK"/store/pcap/*/*/*/*/*_8443.pcap 2>/dev/null | head -1)
check "the curl flow has its own pcap" [ -n "$f" ]
check "its link type is raw IP" sh -c "tshark -r '$f' -T fields -e frame.protocols 2>/dev/null | head -1 | grep -q '^raw:ip:tcp'"
check "it holds the SYN, our SYN+ACK and the request" sh -c \
	"[ \$(tshark -r '$f' -Y 'tcp.flags == 0x002 || tcp.flags == 0x012' 2>/dev/null | wc -l) -ge 2 ] && tshark -r '$f' -Y http.request -T fields -e http.request.uri 2>/dev/null | grep -q over-the-tunnel"
"$MITSU" analyze --json -q "$WORK/store" >"$WORK/rec.jsonl"
check "the analyzer reads the raw-IP pcaps" grep -q 'over-the-tunnel' "$WORK/rec.jsonl"
exit 0
