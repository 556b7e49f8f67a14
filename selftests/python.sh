#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The Python package's tests (python/tests), as TAP: the af_toy package
# against the module, and the example programs on AF_TOY, AF_UNIX and
# AF_INET. The package is found beside this folder (the source tree, or
# /toy/python in the test VM) or where TOY_PYTHON says.

here=$(cd "$(dirname "$0")" && pwd)
for d in "${TOY_PYTHON:-}" "$here/../python" /toy/python; do
	if [ -n "$d" ] && [ -r "$d/tests/tap.py" ]; then
		py=$d
		break
	fi
done
if [ -z "${py:-}" ]; then
	echo "1..0 # SKIP the af_toy Python package is not beside the tests (set TOY_PYTHON)"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 is not installed (the test VM has it with run.sh -P)"
	exit 0
fi
# toystat for python3 -m af_toy, where the VM has it
PATH=$PATH:/toy/bin exec python3 "$py/tests/tap.py" "$@"
