#!/bin/sh
# End-to-end test of `mitsu sensor` with real clients in two network
# namespaces: nmap, hping3, masscan, curl, nc, ping; tshark checks the pcaps.
. "$(dirname "$0")/lib.sh"

netns_setup || { notok "namespace setup"; exit 1; }

# A real service in the sensor's namespace must keep answering as itself.
sns python3 -m http.server 8000 --bind "$SADDR" >/dev/null 2>&1 &
HTTPD=$!
i=0
while [ $i -lt 50 ] && ! sns ss -ltn | grep -q ":8000 "; do sleep 0.1; i=$((i + 1)); done

start_sensor --exclude-port 22
check "sensor is running" kill -0 "$SENSOR_PID"
check "sensor dropped privileges to nobody" [ "$(ps -o user= -p "$SENSOR_PID" | tr -d ' ')" = nobody ]
check "firewall table installed" sh -c "ip netns exec $SNS nft list tables | grep -q 'inet mitsu_'"

# --- full port scan ---------------------------------------------------------
cns timeout 240 nmap -n -sS -p- -T4 "$SADDR" -oG "$WORK/nmap.txt" >/dev/null 2>&1
open=$(grep -o 'Ports:.*' "$WORK/nmap.txt" | tr ',' '\n' | grep -c '/open/')
check "nmap -p- sees 65534 open ports (all but excluded 22), got $open" [ "$open" -eq 65534 ]
check "excluded port 22 is not answered" grep -q ' 22/closed/' "$WORK/nmap.txt"
check "the real listener on 8000 answers as itself" \
	sh -c "ip netns exec $CNS curl -s -m 3 http://$SADDR:8000/ | grep -q 'Directory listing'"

# --- clients with payload -----------------------------------------------------
cns curl -s -m 2 "http://$SADDR:8080/mitsu-test" -o /dev/null
cns sh -c "printf 'SSH-2.0-x\r\n' | timeout 3 nc -q1 $SADDR 2222"
cns curl -s -m 2 -g "http://[$SADDR6]:8081/v6-test" -o /dev/null
cns sh -c "echo udp-probe | timeout 1 nc -u -q0 $SADDR 5353"
cns ping -c 2 -i 0.2 "$SADDR" >/dev/null

# --- hping3 from several (spoofed, in-namespace) sources, and a retransmitted SYN
for h in 5 6 7; do
	cns timeout 10 hping3 -q -S -p 443 -c 2 -i u20000 -a "10.$N.0.$h" "$SADDR" >/dev/null 2>&1
done
cns timeout 10 hping3 -q -S -p 81 -s 40000 -k -M 1000 -c 2 -i u200000 "$SADDR" >/dev/null 2>&1

# --- masscan (its own TCP stack), bounded by timeout -----------------------------
SMAC=$(ip -n "$SNS" link show "$SIF" | awk '/link\/ether/ {print $2}')
cns timeout 30 masscan "$SADDR" -p 3000-3099 --rate 2000 -e "$CIF" --router-mac "$SMAC" \
	--wait 2 >"$WORK/masscan.txt" 2>/dev/null
mopen=$(grep -c 'Discovered open port' "$WORK/masscan.txt")
check "masscan finds 100 open ports, got $mopen" [ "$mopen" -eq 100 ]

kill "$HTTPD" 2>/dev/null
stop_sensor
check "sensor exits 0 on SIGTERM" [ "$SENSOR_RC" -eq 0 ]
check "firewall table removed on exit" sh -c "! ip netns exec $SNS nft list tables | grep -q mitsu_"
check "no write errors, nothing left open" grep -q 'flows open 0, .*write errors 0' "$WORK/sensor.log"

PCAPS=$(find "$WORK/store/pcap" -name '*.pcap' | sort)
bad=0
for f in $PCAPS; do
	tshark -r "$f" -q >/dev/null 2>"$WORK/tshark.err" || bad=$((bad + 1))
	[ -s "$WORK/tshark.err" ] && grep -qv 'Running as user' "$WORK/tshark.err" && bad=$((bad + 1))
done
check "every pcap opens in tshark without errors ($(echo "$PCAPS" | wc -l) files)" [ "$bad" -eq 0 ]

# Flow files: named after their first packet, hold SYN, our SYN+ACK and the data.
flow_ok() { # flow_ok DPORT DATA-STRING
	f=$(ls "$WORK"/store/pcap/*/*/*/*/*_"$1".pcap 2>/dev/null | head -1)
	[ -n "$f" ] || return 1
	name=$(basename "$f" .pcap)
	first=$(tshark -r "$f" -c 1 -T fields -e frame.time_epoch -e ip.src -e ipv6.src -e ip.dst \
		-e ipv6.dst -e tcp.srcport -e tcp.dstport 2>/dev/null |
		awk -F'\t' '{split($1,t,"."); printf "%s_%s%s_%s%s_%s_%s", t[1],$2,$3,$4,$5,$6,$7}')
	[ "$name" = "$first" ] || { echo "# name $name != first packet $first"; return 1; }
	[ "$(tshark -r "$f" -Y 'tcp.flags == 0x002' 2>/dev/null | wc -l)" -ge 1 ] || return 1
	[ "$(tshark -r "$f" -Y 'tcp.flags == 0x012' 2>/dev/null | wc -l)" -ge 1 ] || return 1
	tshark -r "$f" -Y 'tcp.len > 0' -T fields -e tcp.payload 2>/dev/null | xxd -r -p | grep -q "$2"
}
check "curl flow on 8080: name, SYN, SYN+ACK, request bytes" flow_ok 8080 'GET /mitsu-test'
check "nc flow on 2222: name, SYN, SYN+ACK, SSH banner bytes" flow_ok 2222 'SSH-2.0-x'
check "IPv6 curl flow on 8081" flow_ok 8081 'GET /v6-test'

ALL="$WORK/all.pcap"
mergecap -w "$ALL" $PCAPS 2>/dev/null
count() { tshark -r "$ALL" -Y "$1" 2>/dev/null | wc -l; }
check "UDP probe captured" [ "$(count "udp.dstport == 5353 && ip.src == $CADDR")" -ge 1 ]
check "ping captured with its replies" [ "$(count "icmp.type == 0 && ip.src == $SADDR")" -ge 2 ]
for h in 5 6 7; do
	check "SYN+ACK sent to spoofed source 10.$N.0.$h" [ "$(count "tcp.flags == 0x012 && ip.dst == 10.$N.0.$h")" -ge 1 ]
done
uniq=$(tshark -r "$ALL" -Y "tcp.flags == 0x012 && tcp.dstport == 40000" -T fields -e tcp.seq_raw \
	-e tcp.ack_raw -e tcp.options 2>/dev/null | sort | uniq -c)
check "a retransmitted SYN gets an identical SYN+ACK" sh -c "echo '$uniq' | grep -q '^ *2 '"
badsum=$(tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -r "$ALL" \
	-Y "tcp.flags == 0x012 && ip.src == $SADDR && tcp.srcport != 8000 && !(ip.checksum.status == 1 && tcp.checksum.status == 1)" 2>/dev/null | wc -l)
goodsum=$(tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -r "$ALL" \
	-Y "tcp.flags == 0x012 && ip.src == $SADDR && tcp.srcport != 8000 && ip.checksum.status == 1 && tcp.checksum.status == 1" 2>/dev/null | wc -l)
# (tshark 4.0: checksum status 1 = good, 0 = bad, 2 = unverified; port 8000 is the
# real listener, whose kernel SYN+ACKs carry offloaded, not yet computed, checksums)
check "our SYN+ACKs have valid IP and TCP checksums (tshark: $goodsum good, $badsum not)" [ "$badsum" -eq 0 -a "$goodsum" -gt 65000 ]
# nmap's SYN offers only MSS; curl's offers everything, so check curl's flow.
f8080=$(ls "$WORK"/store/pcap/*/*/*/*/*_8080.pcap | head -1)
ttl=$(tshark -r "$f8080" -Y "tcp.flags == 0x012" -T fields -e ip.ttl -e ip.flags.df -e tcp.window_size_value -e tcp.options.wscale.shift 2>/dev/null | head -1)
check "SYN+ACK looks like Linux: TTL 64, DF, window 65160 (timestamps on), wscale 7 ($ttl)" [ "$(echo "$ttl" | tr '\t' ' ')" = "64 1 65160 7" ]

# --- offline mode: the same code on a file, replies to a pcap ------------------
f=$(ls "$WORK"/store/pcap/*/*/*/*/*_8080.pcap | head -1)
"$MITSU" sensor -r "$f" --addr "$SADDR" --tx-out "$WORK/replies.pcap" --store "$WORK/offline" >"$WORK/offline.log" 2>&1
check "offline mode exits 0" [ $? -eq 0 ]
syn_seq=$(tshark -r "$f" -Y 'tcp.flags == 0x002' -T fields -e tcp.seq_raw 2>/dev/null | head -1)
rep_ack=$(tshark -r "$WORK/replies.pcap" -Y 'tcp.flags == 0x012' -T fields -e tcp.ack_raw 2>/dev/null | head -1)
check "offline replies.pcap holds the SYN+ACK (ack $rep_ack = seq $syn_seq + 1)" [ "$rep_ack" = "$((syn_seq + 1))" ]
check "offline run wrote the flow to its store" sh -c "ls $WORK/offline/pcap/*/*/*/*/*_8080.pcap >/dev/null"
exit 0
