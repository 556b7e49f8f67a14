#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/af_toy.rst points into the source by function name: every
# toy_*() it names must still be defined in module/, so that a rename
# cannot leave the guide pointing at nothing. Run on the host by make
# check; prints one TAP line.

cd "$(dirname "$0")/.." || exit 1
doc=Documentation/af_toy.rst
missing=$(grep -o '``toy_[a-z0-9_]*()``' "$doc" | tr -d '`()' | sort -u |
	while read -r f; do
		grep -Eq "^[a-z_].*[ *]$f\(" module/*.c module/*.h || echo "$f"
	done)
if [ -n "$missing" ]; then
	echo "not ok - docs: $doc names functions module/ does not have:" $missing
	exit 1
fi
echo "ok - docs: every function $doc names exists in module/"
