#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation/tracing.rst shows the trace of selftests/trace_tour, a
# section at a time, between the comment lines ".. tour: NAME begin" and
# ".. tour: NAME end". The tour prints each event as "# tour NAME: EVENT
# FIELDS" into the log of a run in the test VM.
#
#   trace-guide.sh --write LOG DOC   put LOG's tour into DOC
#   trace-guide.sh --check LOG DOC   one TAP line: whether DOC shows
#                                    what LOG's tour printed
set -euo pipefail

[ $# = 3 ] || { echo "usage: $0 --write|--check LOG DOC" >&2; exit 2; }
mode=$1 log=$2 doc=$3

# DOC with every section's block rebuilt from LOG, on stdout
render() {
	awk -v logf="$log" '
	BEGIN {
		while ((getline l < logf) > 0) {
			if (l !~ /^# tour [a-z]+: /)
				continue
			s = l; sub(/^# tour /, "", s); sub(/:.*/, "", s)
			e = l; sub(/^# tour [a-z]+: /, "", e)
			tour[s] = tour[s] "    " e "\n"
			seen[s] = 1
		}
	}
	/^\.\. tour: [a-z]+ begin$/ {
		print
		s = $3
		if (!(s in seen)) {
			printf "tour section %s: none in the log\n", s > "/dev/stderr"
			bad = 1
		}
		printf "\n::\n\n%s\n", tour[s]
		skip = 1
		next
	}
	/^\.\. tour: [a-z]+ end$/ { skip = 0 }
	!skip { print }
	END { exit bad }
	' "$doc"
}

case $mode in
--write)
	render > "$doc.new"
	mv "$doc.new" "$doc"
	;;
--check)
	if render 2>/dev/null | diff -u "$doc" - > "$doc.diff.$$" 2>&1; then
		echo "ok - guide: $doc shows the trace this run's tour printed"
		rm -f "$doc.diff.$$"
	else
		sed 's/^/# /' "$doc.diff.$$"
		rm -f "$doc.diff.$$"
		echo "not ok - guide: the tour's trace differs from $doc (the diff above); make trace-guide rewrites it"
		exit 1
	fi
	;;
*)
	echo "usage: $0 --write|--check LOG DOC" >&2
	exit 2
	;;
esac
