#!/bin/sh
# make fuzz: runs every libFuzzer harness in build-fuzz/ for SECONDS each on
# a scratch copy of its seed corpus (the committed seeds stay as they are).
# Exit status 1 if any harness crashed; the crashing input is kept in
# build-fuzz/crashes/.
SECONDS_EACH=${1:-20}
fail=0
mkdir -p build-fuzz/crashes
for bin in build-fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin#build-fuzz/fuzz_}
	scratch=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$scratch/"
	if "$bin" -max_total_time="$SECONDS_EACH" -artifact_prefix=build-fuzz/crashes/"$name"- \
		-print_final_stats=1 "$scratch" >build-fuzz/"$name".log 2>&1; then
		echo "ok - fuzz_$name: $(grep -o 'stat::number_of_executed_units: [0-9]*' build-fuzz/"$name".log | awk '{print $2}') runs, no crash"
	else
		echo "not ok - fuzz_$name crashed; see build-fuzz/$name.log and build-fuzz/crashes/"
		fail=1
	fi
	rm -rf "$scratch"
done
exit $fail
