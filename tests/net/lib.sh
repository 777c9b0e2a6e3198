# Shared helpers for network tests: each test builds its own pair of network
# namespaces joined by a veth pair, runs the sensor in one and real clients in
# the other, and removes everything on exit.  Traffic stays inside them.
#   SNS / CNS: sensor and client namespace names
#   SADDR / CADDR, SADDR6 / CADDR6: their addresses
MITSU=${MITSU:-${1:-$PWD/mitsu}}
ID=$$
SNS=mitsu-s-$ID
CNS=mitsu-c-$ID
N=$(( (ID % 200) + 20 ))
SADDR=10.$N.0.1
CADDR=10.$N.0.2
SADDR6=fd00:$N::1
CADDR6=fd00:$N::2
WORK=$(mktemp -d /tmp/mitsu-net.XXXXXX)
chmod 755 "$WORK" # the sensor drops to nobody and must reach its store
SENSOR_PID=

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() { # check "description" command...
	desc=$1
	shift
	if "$@"; then ok "$desc"; else notok "$desc"; return 1; fi
}

cleanup() {
	[ -n "$SENSOR_PID" ] && kill "$SENSOR_PID" 2>/dev/null && wait "$SENSOR_PID" 2>/dev/null
	# Nothing a test started may outlive it: a tcpdump -i any keeps running
	# (and writing) after its namespace is deleted.
	for ns in "$SNS" "$CNS"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	ip netns del "$SNS" 2>/dev/null
	ip netns del "$CNS" 2>/dev/null
	[ -n "$KEEP_WORK" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

netns_setup() {
	ip netns add "$SNS" || return 1
	ip netns add "$CNS" || return 1
	ip link add "ms$ID" type veth peer name "mc$ID" || return 1
	ip link set "ms$ID" netns "$SNS"
	ip link set "mc$ID" netns "$CNS"
	ip -n "$SNS" link set lo up
	ip -n "$CNS" link set lo up
	ip -n "$SNS" addr add "$SADDR/24" dev "ms$ID"
	ip -n "$CNS" addr add "$CADDR/24" dev "mc$ID"
	ip -n "$SNS" -6 addr add "$SADDR6/64" dev "ms$ID" nodad
	ip -n "$CNS" -6 addr add "$CADDR6/64" dev "mc$ID" nodad
	ip -n "$SNS" link set "ms$ID" up
	ip -n "$CNS" link set "mc$ID" up
	# The tests compare bytes on the wire with what we stored: no offloads.
	ip netns exec "$SNS" ethtool -K "ms$ID" tso off gso off gro off >/dev/null 2>&1
	ip netns exec "$CNS" ethtool -K "mc$ID" tso off gso off gro off >/dev/null 2>&1
	SIF=ms$ID
	CIF=mc$ID
	# Wait for the link to come up (bounded).
	i=0
	while [ $i -lt 50 ]; do
		ip netns exec "$CNS" ping -c1 -W1 "$SADDR" >/dev/null 2>&1 && return 0
		i=$((i + 1))
		sleep 0.1
	done
	return 0
}

# start_sensor [extra options]: runs the sensor in SNS on SIF, store in $WORK/store.
start_sensor() {
	ip netns exec "$SNS" "$MITSU" sensor -i "$SIF" --store "$WORK/store" --stats-interval 0 \
		"$@" >"$WORK/sensor.log" 2>&1 &
	SENSOR_PID=$!
	# Ready once its firewall table exists (or after 3 s).
	i=0
	while [ $i -lt 30 ]; do
		ip netns exec "$SNS" nft list tables 2>/dev/null | grep -q mitsu_ && break
		grep -q 'started' "$WORK/sensor.log" 2>/dev/null && break
		i=$((i + 1))
		sleep 0.1
	done
	sleep 0.3
}

stop_sensor() {
	[ -n "$SENSOR_PID" ] || return 0
	kill -TERM "$SENSOR_PID"
	wait "$SENSOR_PID"
	SENSOR_RC=$?
	SENSOR_PID=
	return 0
}

cns() { ip netns exec "$CNS" "$@"; }
sns() { ip netns exec "$SNS" "$@"; }
# stop_ns_procs NS NAME: SIGTERM every process called NAME inside NS and wait
# (at most 5 s) until they are gone. `cns tcpdump ... &` gives $! of a
# subshell, not of tcpdump, so killing $! does not stop the capture.
stop_ns_procs() {
	for p in $(ip netns pids "$1" 2>/dev/null); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = "$2" ] && kill "$p" 2>/dev/null
	done
	i=0
	while [ $i -lt 50 ]; do
		left=0
		for p in $(ip netns pids "$1" 2>/dev/null); do
			[ "$(cat /proc/$p/comm 2>/dev/null)" = "$2" ] && left=1
		done
		[ $left -eq 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
