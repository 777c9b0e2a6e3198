#!/bin/sh
# `sudo make demo`: mitsu's main job on its embedded defaults, in a throwaway
# pair of network namespaces: `mitsu run` (sensor + local folder store +
# in-process bus + analyzer + SQLite in ./mitsu-data) on one side; nmap,
# curl, nc, ping and hping3 on the other.  Then shows what was recorded.
MITSU=$PWD/mitsu
DATA=${MITSU_DATA:-$PWD/mitsu-data}
. "$(dirname "$0")/net/lib.sh"

echo "== creating namespaces $SNS ($SADDR) and $CNS ($CADDR)"
netns_setup || { echo "namespace setup failed (are you root?)"; exit 1; }
mkdir -p "$DATA"
chmod 755 "$DATA"
echo "== mitsu run -i $SIF --store $DATA --idle 3 --scans-rotate 5"
ip netns exec "$SNS" "$MITSU" run -i "$SIF" --store "$DATA" --idle 3 --scans-rotate 5 \
	--stats-interval 0 >"$WORK/run.log" 2>&1 &
SENSOR_PID=$!
sleep 1
echo "== nmap -n -sS -p 1-2000 $SADDR"
cns timeout 60 nmap -n -sS -p 1-2000 -T4 "$SADDR" | tail -3
echo "== curl, nc, ping, udp, hping3"
cns curl -s -m 2 -A 'Mozilla/5.0 zgrab/0.x' "http://$SADDR:8080/cgi-bin/luci;stok=/locale" -o /dev/null
cns sh -c "printf 'SSH-2.0-libssh2_1.9.0\r\n' | timeout 3 nc -q1 $SADDR 2222"
cns sh -c "printf '*1\r\n\$4\r\nINFO\r\n' | timeout 3 nc -q1 $SADDR 6379"
cns ping -c 2 -i 0.2 "$SADDR" >/dev/null
cns sh -c "echo probe | timeout 1 nc -u -q0 $SADDR 161"
cns timeout 5 hping3 -q -S -p 23 -c 3 -i u100000 "$SADDR" >/dev/null 2>&1
echo "== waiting for flows to end (idle 3 s) and the scans file to rotate (5 s)"
sleep 8
stop_sensor
grep -E 'stats \(exit\)|analyzer:' "$WORK/run.log"
echo "== pcaps written under $DATA/pcap:"
find "$DATA/pcap" -name '*.pcap' | sort | tail -8
echo "== mitsu query 'filter payload_len > 0 | fields init_ts, src_addr, dst_port, readable'"
"$MITSU" query --db "$DATA/mitsu.db" 'filter payload_len > 0 | fields init_ts, src_addr, dst_port, readable | sort init_ts desc | limit 10'
echo "== mitsu query 'stats count(*) as flows by proto'"
"$MITSU" query --db "$DATA/mitsu.db" 'stats count(*) as flows by proto | sort flows desc'
echo "== what the dissectors, fingerprints and rules say"
"$MITSU" query --db "$DATA/mitsu.db" "filter service != 'unknown' | fields dst_port, service, tags, os_guess | limit 8"
"$MITSU" query --db "$DATA/mitsu.db" 'stats count(*) as flows by scanner'
f=$(ls "$DATA"/pcap/*/*/*/*/*_8080.pcap 2>/dev/null | tail -1)
if [ -n "$f" ]; then
	echo "== tshark -r $f"
	tshark -r "$f" 2>/dev/null | head -8
fi
echo "== done: try ./mitsu query --db $DATA/mitsu.db 'stats count(*) by dst_port | sort count(*) desc'"
# The dashboard ran inside the throwaway namespace while it captured; serve
# the same data on this host's loopback now, when someone is watching.
echo "== the dashboard: ./mitsu web --db $DATA/mitsu.db --store $DATA (http://127.0.0.1:8080/)"
if [ -t 0 ] && [ -t 1 ] && [ -z "$MITSU_DEMO_NO_WEB" ]; then
	echo "   serving it now on http://127.0.0.1:8080/ until Ctrl-C"
	"$MITSU" web --db "$DATA/mitsu.db" --store "$DATA"
fi
