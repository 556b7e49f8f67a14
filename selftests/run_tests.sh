#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every AF_TOY selftest binary in this folder (or those named as
# arguments), one after another, each bounded by the timeout in ./settings.
# A binary that exits non-zero without reporting a failing test, or prints
# no result at all, gets a "not ok" line of its own, so that a crash or a
# hang never passes unseen.

cd "$(dirname "$0")" || exit 1
# TOY_TIMEOUT overrides it (make check-debug: KASAN under TCG is slow)
timeout=${TOY_TIMEOUT:-$(sed -n 's/^timeout=//p' settings 2>/dev/null)}
[ -n "$timeout" ] || timeout=120
tests=${*:-$(cat tests.list)}

# Run the kselftest way on a machine with af_toy.ko installed (make
# install) but not loaded, load it first; without it, AF_TOY's tests SKIP.
if [ ! -e /sys/module/af_toy ]; then
	if modprobe af_toy 2>/dev/null; then
		echo "# run_tests: loaded af_toy.ko with modprobe"
	else
		echo "# run_tests: af_toy.ko is not loaded and modprobe af_toy failed (make install puts it where modprobe looks); the AF_TOY tests will SKIP"
	fi
fi
out=${TMPDIR:-/tmp}/toy-selftest.$$
rc=0

for t in $tests; do
	echo "# selftest: $t"
	timeout "$timeout" "./$t" > "$out" 2>&1
	status=$?
	cat "$out"
	if [ $status -ne 0 ] && ! grep -q '^not ok' "$out"; then
		echo "not ok - $t: exited with status $status (timeout ${timeout}s gives 124 or 143)"
	elif ! grep -q '^ok\|^not ok' "$out"; then
		echo "not ok - $t: printed no test result"
		status=1
	fi
	[ $status -eq 0 ] || rc=1
done
rm -f "$out"
exit $rc
