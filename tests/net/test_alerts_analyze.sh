#!/bin/sh
# Alerts from `mitsu analyze` (no namespaces needed): IDS and tag alerts from
# pcaps, stored once; analysing the same pcaps again stores and sends
# nothing new; ignore rules; a bad option is refused; mitsu query --alerts.
MITSU=${MITSU:-${1:-$PWD/mitsu}}
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/mitsu-net.XXXXXX)
trap '[ -n "$KEEP_WORK" ] || rm -rf "$WORK"' EXIT INT TERM
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; return 1; fi
}
P=$HERE/fuzz/corpus/analyze
cp "$HERE/alerts/exec_sink.sh" "$WORK/sink.sh"
DB=$WORK/m.db
run() { "$MITSU" analyze -q --db "$DB" --alert-on any --alert-on tags --exec "$WORK/sink.sh,$WORK/out.jsonl" "$@" 2>>"$WORK/log"; }

run --alert-ignore 10.174.0.0/16 "$P/http.pcap" "$P/udp.pcap" "$P/multi.pcap"
check "analyze exits 0" [ $? -eq 0 ]
c=$(grep -c '"kind":"contact"' "$WORK/out.jsonl")
t=$(grep -c '"kind":"tag","ts":[0-9.]*,"src_addr":"10.121.0.2".*"tag":"zgrab"' "$WORK/out.jsonl")
check "one contact alert per source ($c of 4, one ignored) and the zgrab tag alert ($t)" \
	sh -c "[ $c -eq 4 ] && [ $t -eq 1 ]"
check "the ignored source has no alert" sh -c "! grep -q '10.174.11.243' '$WORK/out.jsonl'"
check "the exec program saw the environment" grep -q '^env kind=contact src=10.197.0.2$' "$WORK/out.jsonl"
run --alert-ignore 10.174.0.0/16 "$P/http.pcap" "$P/udp.pcap" "$P/multi.pcap"
c2=$(grep -c '"kind":"contact"' "$WORK/out.jsonl")
n=$("$MITSU" sql --db "$DB" 'select count(*) from alerts' | tail -1)
check "analysing again sends nothing new ($c2) and stores nothing twice ($n rows)" \
	sh -c "[ $c2 -eq 4 ] && [ $n -eq 5 ]"
check "repeats counted" grep -q 'alerts: 5 raised, 4 contacts, 1 ignored, 0 stored, 5 repeats' "$WORK/log"
q=$("$MITSU" query --db "$DB" --alerts --csv 'filter kind = "contact" and dst_port = 53 | fields src_addr, proto, detail.class as class' | tail -1 | tr -d '\r')
check "mitsu query --alerts ($q)" [ "$q" = "10.197.0.2,udp,single port contact" ]
"$MITSU" analyze -q --db "$DB" --alert-ignore 'port:99999' "$P/http.pcap" 2>"$WORK/err"
check "a bad ignore rule is refused (exit 2)" sh -c "[ $? -eq 2 ] && grep -q \"ignore rule 'port:99999'\" '$WORK/err'"
"$MITSU" analyze -q --db "$DB" --webhook ftp://x "$P/http.pcap" 2>"$WORK/err"
check "a bad channel is refused (exit 1)" sh -c "[ $? -eq 1 ] && grep -q 'not an http:// or https:// URL' '$WORK/err'"
exit 0
