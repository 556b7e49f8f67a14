#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/bad-input.md lists exactly the rows of selftests/bad_input.c,
# with the same errno: a TAP line for make check, run on the host.

cd "$(dirname "$0")/.." || exit 1
# each variant: its name, and the .err of the lines up to its closing "};"
code=$(awk '
	/^FIXTURE_VARIANT_ADD\(bad_input, / { name = $2; sub(/\).*/, "", name) }
	name && match($0, /\.err = [A-Z0-9]+/) { err = substr($0, RSTART + 7, RLENGTH - 7) }
	name && /};$/ { print name, err; name = "" }' selftests/bad_input.c | sort)
doc=$(sed -n 's/^| `\([a-z0-9_]*\)` |.*| `\([A-Z0-9]*\)` |$/\1 \2/p' Documentation/bad-input.md | sort)
if [ -n "$code" ] && [ "$code" = "$doc" ]; then
	echo "ok - docs: Documentation/bad-input.md lists the $(echo "$code" | wc -l) rows of selftests/bad_input.c"
	exit 0
fi
echo "not ok - docs: Documentation/bad-input.md and selftests/bad_input.c differ:"
printf '%s\n' "$code" > /tmp/bad-input-code.$$
printf '%s\n' "$doc" | diff /tmp/bad-input-code.$$ - | sed 's/^/# /'
rm -f /tmp/bad-input-code.$$
exit 1
