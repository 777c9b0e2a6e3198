#!/bin/sh
# Runs every unit-test binary in BUILD/tests and, unless "unit" is given, every
# network test in tests/net/.  Each prints TAP-style "ok"/"not ok" lines; a test
# program that exits non-zero without printing "not ok" counts as one failure.
# Ends with one line: "N passed, N failed".
BUILD=${1:-build}
WHAT=${2:-all}
LOG=$(mktemp)
pass=0
fail=0
run_one() {
	name=$1
	shift
	echo "# --- $name"
	"$@" >"$LOG" 2>&1
	rc=$?
	cat "$LOG"
	p=$(grep -c '^ok ' "$LOG")
	f=$(grep -c '^not ok ' "$LOG")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
if [ "$WHAT" = all ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "# network tests need root (namespaces): run 'sudo make test'"
		fail=$((fail + 1))
	else
		for t in tests/net/test_*.sh; do
			[ -f "$t" ] || continue
			run_one "$(basename "$t")" timeout 600 sh "$t" "$PWD/mitsu"
		done
	fi
fi
rm -f "$LOG"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
