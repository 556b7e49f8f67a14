#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak around a command: forget what the kernel leaked before it (boot),
# run it, then scan and fail on any object leaked since. kmemleak reports an
# object only once it has gone unreferenced for 5 s and over two scans, so
# the scans are 6 s apart: a wait kmemleak's own rules fix, not a guess.
#
#   kmemleak.sh COMMAND...
#
# Prints TAP lines for make check-debug; exits with the command's status,
# or 1 when anything leaked.

k=/sys/kernel/debug/kmemleak
if [ ! -w "$k" ]; then
	"$@"
	rc=$?
	echo "ok - kmemleak # SKIP this kernel has no kmemleak"
	exit $rc
fi

echo scan > "$k"
echo clear > "$k"
"$@"
rc=$?
echo scan > "$k"
sleep 6
echo scan > "$k"
leaks=$(grep -c '^unreferenced object' "$k")
if [ "$leaks" != 0 ]; then
	echo "not ok - kmemleak: $leaks objects leaked during the run"
	head -n 60 "$k"
	exit 1
fi
echo "ok - kmemleak: nothing leaked during the run"
exit $rc
