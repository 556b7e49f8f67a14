#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The behaviour matrix from the output of the comparative selftests
# (socket_create, bind, stream, seqpacket, dgram, splice, zerocopy,
# user_memory, races) as run_tests.sh prints it:
# one row per behaviour (fixture.test), one column per family and socket
# type, each cell what that family did there. Each section shows the
# columns some row of it has a value in.
#
#   behaviour-matrix.sh [K=]LOG...            the matrix, Markdown, on stdout
#   behaviour-matrix.sh --summary [K=]LOG...  the few lines the README shows
#   behaviour-matrix.sh --cells K MATRIX      the cells of MATRIX for kernel
#                                             K, one "row|column|value" a
#                                             line
#   behaviour-matrix.sh --cells K=LOG         the same, from a run's log
#
# With one log per kernel (K=LOG, K a series such as 6.1), a cell whose
# value differs between kernels lists each: "6.1: no SIGPIPE<br>6.12, 7.3:
# SIGPIPE". The summary counts what the first kernel did. --cells lets a
# run on one kernel be compared with the committed matrix (make check).
#
# A cell holds what the test recorded with OBSERVE() (families.h): an errno
# name, "success", or a word for the outcome. A test that passed without
# recording anything shows "yes": the behaviour its name states held. A
# SKIP shows its reason as a footnote, a failure "**FAIL**". Exits 1, with
# the matrix still printed, when a test failed or none was found.

set -euo pipefail

mode=matrix
case ${1:-} in
--summary) mode=summary; shift ;;
--cells) mode=cells; shift ;;
esac
[ $# -ge 1 ] || { echo "usage: $0 [--summary|--cells] [K=]LOG..." >&2; exit 2; }

# --cells K MATRIX: what a committed matrix says kernel K does, cell by
# cell, with a skip's footnote resolved to its reason
if [ $mode = cells ] && [ $# = 2 ]; then
	awk -v k="$1" -F' [|] ' '
	/^\[\^[0-9]+\]: / { n = $0; sub(/\]:.*/, "", n); sub(/^\[\^/, "", n)
		r = $0; sub(/^[^:]*: /, "", r); note[n] = r; next }
	# a section'\''s heading names its columns
	/^[|] behaviour [|]/ { hdr = $0 }
	/^[|] `/ { nrow++; line[nrow] = $0; head[nrow] = hdr }
	END {
		for (i = 1; i <= nrow; i++) {
			split(head[i], h, / [|] /)
			nf = split(line[i], f, / [|] /)
			row = f[1]; sub(/^[|] `/, "", row); sub(/`$/, "", row)
			for (c = 2; c <= nf; c++) {
				v = f[c]; sub(/ [|]$/, "", v)
				# "6.1: X<br>6.12, 7.3: Y": the part for k
				if (v ~ /^[0-9.]+(, [0-9.]+)*: /) {
					np = split(v, part, /<br>/)
					for (p = 1; p <= np; p++) {
						ks = part[p]; sub(/: .*/, "", ks)
						if (index(", " ks ", ", ", " k ", ")) {
							v = part[p]; sub(/^[^:]*: /, "", v)
						}
					}
				}
				if (match(v, /^skip\[\^[0-9]+\]$/)) {
					n = v; gsub(/[^0-9]/, "", n); v = "skip: " note[n]
				}
				col = h[c]; sub(/ [|]$/, "", col)
				if (v != "")
					printf "%s|%s|%s\n", row, col, v
			}
		}
	}' "$2"
	exit 0
fi

labels=() logs=()
for a in "$@"; do
	case $a in
	*=*) labels+=("${a%%=*}"); logs+=("${a#*=}") ;;
	*) labels+=(""); logs+=("$a") ;;
	esac
done
for l in "${logs[@]}"; do
	[ -r "$l" ] || { echo "$0: cannot read $l" >&2; exit 2; }
done

awk -v mode="$mode" -v labels="${labels[*]}" '
BEGIN {
	nk = split(labels, klabel, " ")
	if (nk == 0) nk = 1
	nbins = split("socket_create bind stream seqpacket dgram splice zerocopy user_memory races", bins, " ")
	for (i = 1; i <= nbins; i++)
		wanted[bins[i]] = 1
	title["socket_create"] = "socket(2)"
	title["bind"] = "bind(2) and getsockname(2)"
	title["stream"] = "SOCK_STREAM"
	title["seqpacket"] = "SOCK_SEQPACKET"
	title["dgram"] = "SOCK_DGRAM"
	title["splice"] = "sendfile(2) and splice(2)"
	title["zerocopy"] = "MSG_ZEROCOPY (SOCK_STREAM)"
	title["user_memory"] = "Unusual user memory (SOCK_STREAM)"
	title["races"] = "Races (SOCK_STREAM)"
	# the type of the fixtures whose variants name only the family
	ftype["stream"] = "stream"; ftype["races"] = "stream"
	ftype["seqpacket"] = "seqpacket"
	ftype["user_memory"] = "stream"
	ftype["dgram"] = "dgram"
	ftype["splice"] = "stream"; ftype["splice_dgram"] = "dgram"
	ftype["zerocopy"] = "stream"
	ftype["family"] = "any"; ftype["scope"] = "any"
	ncols = split("unix.stream unix.seqpacket unix.dgram vsock.stream vsock.seqpacket vsock.dgram toy.stream toy.seqpacket toy.dgram", cols, " ")
	head["unix"] = "AF_UNIX"; head["vsock"] = "AF_VSOCK"; head["toy"] = "AF_TOY"
}

FNR == 1 { kn++ }
/^# selftest: / { bin = $3; cur = ""; next }
!(bin in wanted) { next }

# "#  RUN           fixture.variant.test ..."
/^#  RUN / {
	# a TEST() of one family, "global.test", compares nothing
	if (split($3, p, ".") < 3) { cur = ""; next }
	fixture = p[1]; variant = p[2]; test = p[3]
	row = fixture "." test
	if (!(row in seen)) {
		seen[row] = 1
		rows[++nrows] = row
		rowbin[row] = bin
	}
	if (variant ~ /_(stream|seqpacket|dgram)$/) {
		fam = variant; sub(/_.*/, "", fam)
		type = variant; sub(/.*_/, "", type)
	} else {
		fam = variant
		type = (fixture in ftype) ? ftype[fixture] : "stream"
	}
	cur = kn SUBSEP row SUBSEP fam SUBSEP type
	obs[cur] = ""
	next
}

/^# observed: / && cur != "" {
	v = substr($0, length("# observed: ") + 1)
	sub(/ +$/, "", v)
	gsub(/\|/, "\\|", v)
	# each outcome once, in the order first seen
	if (index(", " obs[cur] ", ", ", " v ", ") == 0)
		obs[cur] = obs[cur] == "" ? v : obs[cur] ", " v
	next
}

/^ok [0-9]+ # SKIP/ && cur != "" {
	reason = $0; sub(/^ok [0-9]+ # SKIP */, "", reason)
	if (!(reason in note)) {
		note[reason] = ++nnotes
		notes[nnotes] = reason
	}
	result[cur] = "skip[^" note[reason] "]"
	skipped[cur] = 1
	cur = ""
	next
}

/^ok [0-9]+ / && cur != "" {
	result[cur] = obs[cur] == "" ? "yes" : obs[cur]
	cur = ""
	next
}

/^not ok [0-9]+ / && cur != "" {
	result[cur] = "**FAIL**"
	failed++
	cur = ""
	next
}

# what family and type @c did in @row on kernel number @kk
function kcell(kk, row, c,    fam, type, k) {
	fam = c; sub(/\..*/, "", fam)
	type = c; sub(/.*\./, "", type)
	k = kk SUBSEP row SUBSEP fam SUBSEP type
	if (k in result)
		return result[k]
	# a check of any type (socket(2), names) fills the columns of the
	# two types it was first written for; seqpacket has a section of its own
	k = kk SUBSEP row SUBSEP fam SUBSEP "any"
	if (type != "seqpacket" && k in result)
		return result[k]
	return ""
}

# the first kernel'\''s cell, for the summary
function cell(row, c) {
	return kcell(1, row, c)
}

# the cell over all kernels: one value, or each kernel'\''s where they differ
function mcell(row, c,    kk, v, j, nv, val, who, out) {
	nv = 0
	for (kk = 1; kk <= nk; kk++) {
		v = kcell(kk, row, c)
		for (j = 1; j <= nv; j++)
			if (val[j] == v)
				break
		if (j > nv) {
			val[++nv] = v
			who[j] = klabel[kk]
		} else {
			who[j] = who[j] ", " klabel[kk]
		}
	}
	if (nv == 1)
		return val[1]
	differ[row] = 1
	# AF_TOY answers the same on every kernel: a difference is a failure
	if (c ~ /^toy\./) {
		printf "behaviour-matrix: AF_TOY differs between kernels in %s (%s)\n", row, c > "/dev/stderr"
		failed++
	}
	out = ""
	for (j = 1; j <= nv; j++)
		out = out (j > 1 ? "<br>" : "") who[j] ": " (val[j] == "" ? "(none)" : val[j])
	return out
}

# the column of family @f and type @t, as its heading names it
function colname(c,    f, t) {
	f = c; sub(/\..*/, "", f)
	t = c; sub(/.*\./, "", t)
	return head[f] " " t
}

# whether families @a and @b did the same in every type both ran
function same(row, a, b,    t, x, y, n, types) {
	n = 0
	split("stream seqpacket dgram", types, " ")
	for (t = 1; t <= 3; t++) {
		x = cell(row, a "." types[t])
		y = cell(row, b "." types[t])
		if (x == "" || y == "" || x ~ /^skip/ || y ~ /^skip/)
			continue
		if (x != y)
			return 0
		n++
	}
	return n ? 1 : -1
}

END {
	for (r = 1; r <= nrows; r++) {
		row = rows[r]
		tu = same(row, "toy", "unix"); tv = same(row, "toy", "vsock")
		uv = same(row, "unix", "vsock")
		if (tu == 1) as_unix++
		if (tv == 1) as_vsock++
		if (tu != 0 && tv != 0 && uv != 0) agree++
		if (tu == 0 && tv != 1) {
			only_toy++
			diff_list = diff_list (diff_list == "" ? "" : ", ") "`" row "`"
		}
	}
	summary = sprintf("%d behaviours checked on each family and type that offers them. All families that ran a check agree on %d; AF_TOY does what AF_UNIX does in %d and what AF_VSOCK does in %d. AF_TOY differs from AF_UNIX, and from AF_VSOCK where it ran, in %d: %s.",
			  nrows, agree, as_unix, as_vsock, only_toy, diff_list)
	if (mode == "cells") {
		for (r = 1; r <= nrows; r++)
			for (c = 1; c <= ncols; c++) {
				v = cell(rows[r], cols[c])
				if (v ~ /^skip\[\^[0-9]+\]$/) {
					n = v; gsub(/[^0-9]/, "", n); v = "skip: " notes[n]
				}
				if (v != "")
					printf "%s|%s|%s\n", rows[r], colname(cols[c]), v
			}
		exit failed || !nrows
	}
	# the cells first: they find the rows that differ between kernels
	for (r = 1; r <= nrows; r++)
		for (c = 1; c <= ncols; c++)
			table[r, c] = mcell(rows[r], cols[c])
	ndiffer = 0; kdiff_list = ""
	for (r = 1; r <= nrows; r++)
		if (rows[r] in differ) {
			ndiffer++
			kdiff_list = kdiff_list (kdiff_list == "" ? "" : ", ") "`" rows[r] "`"
		}
	if (nk > 1) {
		klist = klabel[1]
		for (kk = 2; kk <= nk; kk++)
			klist = klist (kk == nk ? " and " : ", ") klabel[kk]
		summary = summary sprintf(" Run on %s, the counts are %s'\''s; %d behaviours differ between kernels: %s.",
			klist, klabel[1], ndiffer, kdiff_list == "" ? "none" : kdiff_list)
	}
	if (mode == "summary") {
		print summary
		exit failed || !nrows
	}

	print "# Behaviour matrix: AF_UNIX, AF_VSOCK and AF_TOY"
	print ""
	print "<!-- generated by make matrix from the selftests run in the test VM; do not edit -->"
	print ""
	print "Each row is one comparative selftest, named `fixture.test` (the test is"
	print "`TEST_F(fixture, test)` in the file its section names), run on every"
	print "family and socket type of its fixture. A cell is what that family did:"
	print "an errno name, `success`, or the outcome the test recorded with"
	print "`OBSERVE()`. `yes` means the behaviour the name states held and there"
	print "was no value to record; `skip` links to the reason; a blank cell, a"
	print "family or type the check does not apply to. Where the families differ,"
	print "the test asserts each family'\''s own result, so every cell here passed."
	print "Why AF_TOY differs where it does is in differences.md."
	if (nk > 1) {
		print ""
		printf "The tests ran on each supported kernel (%s). Where a family did\n", klist
		print "something else on another kernel, the cell lists what each did,"
		print "kernel by kernel; AF_TOY does the same on all of them."
	}
	print ""
	print summary
	# each section with the columns one of its rows has a value in
	for (r = 1; r <= nrows; r++)
		for (c = 1; c <= ncols; c++)
			if (table[r, c] != "")
				used[rowbin[rows[r]], c] = 1
	last = ""
	for (r = 1; r <= nrows; r++) {
		row = rows[r]
		if (rowbin[row] != last) {
			last = rowbin[row]
			print ""
			printf "## %s (selftests/%s.c)\n\n", title[last], last
			line = "| behaviour |"; rule = "|---|"
			for (c = 1; c <= ncols; c++) {
				if (!((last, c) in used))
					continue
				line = line " " colname(cols[c]) " |"; rule = rule "---|"
			}
			print line; print rule
		}
		line = "| `" row "` |"
		for (c = 1; c <= ncols; c++)
			if ((last, c) in used)
				line = line " " table[r, c] " |"
		print line
	}
	if (nnotes) {
		print ""
		print "## Skips"
		print ""
		for (n = 1; n <= nnotes; n++)
			printf "[^%d]: %s\n", n, notes[n]
	}
	exit failed || !nrows
}
' "${logs[@]}"
