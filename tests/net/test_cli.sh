#!/bin/sh
# Command-line behaviour a user meets first: bad options, bad input, bad
# stores, malformed queries.  No network needed, but it runs with the others.
MITSU=${MITSU:-${1:-$PWD/mitsu}}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/mitsu-cli.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
expect_rc() { # expect_rc RC "description" command...
	want=$1 desc=$2
	shift 2
	"$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$desc (exit $rc)"; else notok "$desc: exit $rc, wanted $want"; cat "$WORK/err"; fi
}

expect_rc 2 "mitsu with no command" "$MITSU"
expect_rc 0 "mitsu --help" "$MITSU" --help
expect_rc 2 "unknown command" "$MITSU" frobnicate
for c in run sensor analyze query sql; do
	expect_rc 0 "mitsu $c --help" "$MITSU" "$c" --help
done
expect_rc 2 "sensor: unknown option" "$MITSU" sensor --bogus
grep -q "unknown or incomplete option '--bogus'" "$WORK/err" && ok "sensor: the bad option is named" || notok "sensor: bad option not named"
[ "$(grep -c 'usage:' "$WORK/err")" -ge 1 ] && ok "sensor: usage follows the error" || notok "sensor: no usage"
expect_rc 2 "sensor: bad --rate" "$MITSU" sensor -i lo --rate lots
expect_rc 2 "sensor: bad --addr" "$MITSU" sensor -i lo --addr 10.0.0.0/33
expect_rc 2 "sensor: -i and -r together" "$MITSU" sensor -i lo -r x.pcap
expect_rc 1 "sensor -r: needs --addr" "$MITSU" sensor -r /dev/null
: >"$WORK/file"
expect_rc 1 "sensor: unwritable store fails at start" "$MITSU" sensor -r /dev/null --addr 10.0.0.1 --store "$WORK/file/store"
grep -q "store $WORK/file/store" "$WORK/err" && ok "sensor: the store error names the folder" || notok "store error text"
expect_rc 2 "analyze: no path" "$MITSU" analyze
expect_rc 2 "analyze: bad --max-bytes" "$MITSU" analyze --max-bytes -1 x

python3 "$HERE/make_bad_pcaps.py" "$WORK/bad"
"$MITSU" analyze --json -q "$WORK/bad" >"$WORK/bad.jsonl" 2>"$WORK/bad.err"
rc=$?
[ "$rc" -eq 1 ] && ok "analyze over awkward captures exits 1 (something skipped)" || notok "awkward captures: exit $rc"
for f in text.pcap cut.pcap; do
	[ "$(grep -c "$f" "$WORK/bad.err")" -eq 1 ] && ok "analyze: $f reported once" || notok "analyze: $f not reported once"
done
for f in snaplen0 snaplen262144 zerolen tcphdr-past-end unknown-block; do
	grep -q "$f" "$WORK/bad.jsonl" && ok "analyze: $f still gives its record" || notok "analyze: no record from $f"
done
n=$(grep -c 'tuple-reuse' "$WORK/bad.jsonl")
[ "$n" -eq 2 ] && grep 'tuple-reuse' "$WORK/bad.jsonl" | grep -q 'second-connection' &&
	ok "a reused 4-tuple after FINs gives two records" || notok "tuple reuse: $n records"
grep -q "tcphdr-past-end.pcap: 1 malformed" "$WORK/bad.err" && ok "analyze: the malformed TCP header is counted and named" || notok "malformed header not reported"
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)
' "$WORK/bad.jsonl" && ok "every record is valid JSON" || notok "invalid JSON"

"$MITSU" analyze -q --db "$WORK/q.db" "$WORK/bad/zerolen.pcap" >/dev/null 2>&1
expect_rc 2 "query: malformed query" "$MITSU" query --db "$WORK/q.db" 'fields src_addr | stats count(*) by'
grep -q 'query:1:' "$WORK/err" && grep -q '\^' "$WORK/err" && ok "query: error points at the column" || notok "query error has no position"
expect_rc 1 "query: missing database" "$MITSU" query --db "$WORK/none.db" 'limit 1'
expect_rc 0 "query: a good query" "$MITSU" query --db "$WORK/q.db" 'stats count(*) as n by dst_port'
expect_rc 2 "sql: two statements refused" "$MITSU" sql --db "$WORK/q.db" 'select 1; select 2'
expect_rc 1 "sql: writes refused (read-only)" "$MITSU" sql --db "$WORK/q.db" 'delete from flows'
[ "$("$MITSU" sql --db "$WORK/q.db" 'select count(*) from flows' | tail -1)" -ge 1 ] && ok "sql: rows still there" || notok "sql: rows gone"
exit 0
