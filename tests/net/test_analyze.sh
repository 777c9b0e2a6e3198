#!/bin/sh
# The analyzer against the oracle: real clients and servers talk across a
# lossy veth (nftables drops 10% of TCP packets at random in each namespace's
# output chain; offloads off), tcpdump records it, and for every TCP stream
# mitsu's reassembled bytes must equal `tshark -z follow,tcp,raw`.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

netns_setup || { notok "namespace setup"; exit 1; }
for ns in "$SNS" "$CNS"; do
	ip netns exec "$ns" nft -f - <<NFT
table inet loss {
  chain out {
    type filter hook output priority 0; policy accept;
    meta l4proto tcp numgen random mod 100 < 10 drop
  }
}
NFT
done

head -c 300000 /dev/urandom >"$WORK/blob"
(cd "$WORK" && exec ip netns exec "$SNS" python3 -m http.server 8000 --bind "$SADDR") >/dev/null 2>&1 &
HTTPD=$!
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
	-days 1 -subj /CN=mitsu-test >/dev/null 2>&1
sns timeout 60 openssl s_server -accept 4433 -cert "$WORK/cert.pem" -key "$WORK/key.pem" \
	-quiet >/dev/null 2>&1 &
TLSD=$!
i=0
while [ $i -lt 50 ] && ! sns ss -ltn | grep -q ":8000 "; do sleep 0.1; i=$((i + 1)); done

cns tcpdump -i "$CIF" -U -w "$WORK/cap.pcap" tcp >/dev/null 2>&1 &
DUMP=$!
# The same traffic as `tcpdump -i any` records it: Linux cooked v2 headers.
cns tcpdump -i any -U -w "$WORK/any.pcap" tcp >/dev/null 2>&1 &
DUMP2=$!
sleep 0.5
cns curl -s -m 30 "http://$SADDR:8000/blob" -o "$WORK/got" && ok "curl GET 300 kB across 10% loss" || notok "curl GET"
cns curl -s -m 30 -X POST --data-binary "@$WORK/blob" "http://$SADDR:8000/upload" -o /dev/null
for opt in "-tls1_2" "-tls1_3" "-alpn h2,http/1.1 -servername example.test"; do
	cns sh -c "echo hello-tls | timeout 5 openssl s_client -connect $SADDR:4433 $opt -quiet" >/dev/null 2>&1
done
# The SSH check is about the dissector, not about loss: a lost segment there
# can push the KEXINIT past the server's timeout, so the link is clean again.
for ns in "$SNS" "$CNS"; do ip netns exec "$ns" nft delete table inet loss; done
# An SSH server that only speaks its version line, so that OpenSSH's client
# sends its own version and its KEXINIT.
(printf 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'; sleep 3) | sns timeout 5 nc -l -p 2222 >/dev/null 2>&1 &
sleep 0.3
cns timeout 4 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
	-p 2222 "mitsu@$SADDR" true >/dev/null 2>&1
cns timeout 60 nmap -n -sV -p 8000,4433 "$SADDR" >/dev/null 2>&1
sleep 1
kill "$HTTPD" "$TLSD" 2>/dev/null
# Both captures must be final before anything reads them: the pcapng check
# below compares two reads of cap.pcap made a minute apart.
check "both tcpdumps stopped" stop_ns_procs "$CNS" tcpdump
wait "$DUMP" "$DUMP2" 2>/dev/null

"$MITSU" analyze --json -q "$WORK/cap.pcap" >"$WORK/records.jsonl"
check "mitsu analyze reads the capture" [ -s "$WORK/records.jsonl" ]
python3 "$HERE/compare_follow.py" "$WORK/cap.pcap" "$WORK/records.jsonl"
check "the SSH client's version and KEXINIT are in a record" \
	sh -c "grep -q 'SSH-2.0-OpenSSH' '$WORK/records.jsonl' && grep -q 'curve25519' '$WORK/records.jsonl'"
check "tcpdump -i any writes Linux cooked v2" \
	sh -c "tshark -r '$WORK/any.pcap' -T fields -e frame.protocols 2>/dev/null | head -1 | grep -q '^sll'"
"$MITSU" analyze --json -q "$WORK/any.pcap" >"$WORK/records-any.jsonl"
python3 "$HERE/compare_follow.py" "$WORK/any.pcap" "$WORK/records-any.jsonl"

# The same capture as pcapng and through stdin gives the same bytes.
tshark -r "$WORK/cap.pcap" -F pcapng -w "$WORK/cap.pcapng" 2>/dev/null
"$MITSU" analyze --json -q - <"$WORK/cap.pcapng" >"$WORK/records-ng.jsonl"
cut -d, -f1-12 "$WORK/records.jsonl" | sort >"$WORK/flows.txt"
cut -d, -f1-12 "$WORK/records-ng.jsonl" | sort >"$WORK/flows-ng.txt"
check "pcapng via stdin gives the same records" cmp -s "$WORK/flows.txt" "$WORK/flows-ng.txt" ||
	diff "$WORK/flows.txt" "$WORK/flows-ng.txt" | head -6 | sed 's/^/# /' 

# Bad input: reported once, skipped, run continues, exit status 1.
head -c 1000 "$WORK/cap.pcap" >"$WORK/truncated.pcap"
echo "not a pcap" >"$WORK/junk.pcap"
"$MITSU" analyze --json -q "$WORK/junk.pcap" "$WORK/truncated.pcap" "$WORK/cap.pcap" \
	>"$WORK/mixed.jsonl" 2>"$WORK/mixed.err"
rc=$?
check "bad files: exit status 1" [ "$rc" -eq 1 ]
check "bad files: each named once on stderr" \
	[ "$(grep -c junk.pcap "$WORK/mixed.err")" -eq 1 -a "$(grep -c truncated.pcap "$WORK/mixed.err")" -eq 1 ]
check "bad files: the good file is still analysed" \
	[ "$(grep -c . "$WORK/mixed.jsonl")" -ge "$(grep -c . "$WORK/records.jsonl")" ]
exit 0
