#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/af_toy.rst and tracing.rst point into the source by
# function name: every toy_*() they name must still be defined in
# module/, so that a rename cannot leave a guide pointing at nothing. Run
# on the host by make check; prints one TAP line.

cd "$(dirname "$0")/.." || exit 1
docs="Documentation/af_toy.rst Documentation/tracing.rst"
missing=$(grep -ho '``toy_[a-z0-9_]*()``' $docs | tr -d '`()' | sort -u |
	while read -r f; do
		grep -Eq "^[a-z_].*[ *]$f\(" module/*.c module/*.h || echo "$f"
	done)
if [ -n "$missing" ]; then
	echo "not ok - docs: $docs name functions module/ does not have:" $missing
	exit 1
fi
echo "ok - docs: every function $docs name exists in module/"
