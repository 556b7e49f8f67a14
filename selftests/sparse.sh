#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of a sparse that can check the module against every
# supported kernel, building it first if need be.
#
# Bookworm's sparse (0.6.4) does not know __typeof_unqual__, which 7.3's
# headers use: kbuild's scripts/checker-valid.sh then rejects it and C=2
# silently checks nothing. Debian's sid has 0.6.5~rc1 (2026-11), which
# does; its binary needs a newer glibc than bookworm's, so this builds the
# program from sid's source package (about 15 s) and caches it in
# TOY_CACHE (default /var/cache/af_toy), with a private apt state as
# kernel.sh does. The build checks that it can parse what 7.3 needs.

set -euo pipefail
cache=${TOY_CACHE:-/var/cache/af_toy}
mirror=${TOY_MIRROR:-http://deb.debian.org/debian}
suite=sid
for built in "$cache"/sparse-*/sparse; do
	if [ -x "$built" ]; then
		echo "$built"
		exit 0
	fi
done

state=$cache/apt-src-$suite
mkdir -p "$state/lists/partial" "$state/archives/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
	> "$state/sources.list"
apt=(-q -o Dir::State::Lists="$state/lists" -o Dir::Etc::SourceList="$state/sources.list"
     -o Dir::Etc::SourceParts=/dev/null -o Dir::State::status=/dev/null
     -o Dir::Cache="$state" -o APT::Sandbox::User=root)
work=$(mktemp -d "${TMPDIR:-/tmp}/toy-sparse.XXXXXX")
trap 'rm -rf "$work"' EXIT
{
	apt-get "${apt[@]}" update
	cd "$work"
	apt-get "${apt[@]}" source --download-only sparse
	tar -xzf sparse_*.orig.tar.*
	make -C sparse-* -j"$(nproc)" sparse
	# what 7.3's scripts/checker-valid.sh asks of it
	echo 'static int u(const int *q) { __typeof_unqual__(*q) v = *q; return v; }' > t.c
	! sparse-*/sparse t.c 2>&1 | grep error
} >&2 || { echo "sparse: could not fetch or build a recent sparse from $suite" >&2; exit 1; }
version=$(ls "$work"/sparse_*.dsc | sed 's/.*sparse_\(.*\)\.dsc/\1/')
dir=$cache/sparse-$version
mkdir -p "$dir"
install -m 0755 "$work"/sparse-*/sparse "$dir/sparse"
echo "$dir/sparse"
