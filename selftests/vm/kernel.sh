#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernels the test VM boots, fetched or built once per machine and
# cached outside the repository. One place to add a kernel: the table in
# recipe() below.
#
#   kernel.sh [--cached] [--debug] SERIES   print the kernel's folder,
#                                           fetching or building it first
#   kernel.sh --list                        the supported series, oldest first
#   kernel.sh --default                     the series make check boots
#   kernel.sh --default-debug               and the one make check-debug does
#
# SERIES is a kernel series: 6.1, 6.12 or 7.3. --debug builds the series
# from its Debian source package with selftests/vm/debug.config on top
# (KASAN, lockdep, kmemleak, failslab). --cached only prints a folder that
# is already there, and fails otherwise (nothing is fetched or built).
#
# The folder holds:
#   vmlinuz   the image to boot
#   release   its release (uname -r)
#   build     the tree that out-of-tree modules build against
#   modroot   the root whose lib/modules/<release> holds the image's modules
#   cmdline   what the kernel command line needs on top of the runner's
#   key       what the folder was made from (the cache key's input)
#
# TOY_CACHE sets the cache (default /var/cache/af_toy). Nothing here
# touches the host's apt sources, /lib/modules or /boot: packages of other
# suites are fetched with a private apt state and unpacked in the cache.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${TOY_CACHE:-/var/cache/af_toy}
mirror=${TOY_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# kvm_guest.config and the kselftest config of the selftests, for every
# kernel built from source; the debug fragment on top for --debug
frags=("$here/../config")
debug_frag=$here/debug.config

SERIES_ALL="6.1 6.12 7.3"
SERIES_DEFAULT=6.1
SERIES_DEBUG_DEFAULT=7.3

die() { echo "kernel: $*" >&2; exit 1; }

# recipe SERIES: how the test kernel of a series is made, as
# "KIND SUITE". KIND is "host" (Debian's image and headers, installed on
# the host by make deps), "deb" (Debian's image and headers from SUITE,
# unpacked in the cache) or "src" (built from SUITE's linux-source-SERIES).
recipe() {
	case $1 in
	6.1) echo "host bookworm" ;;
	6.12) echo "deb bookworm-backports" ;;
	7.3) echo "src trixie-backports" ;;
	*) die "unknown kernel series '$1'; supported: $SERIES_ALL" ;;
	esac
}

cached=0 debug=0
while [ $# -gt 0 ]; do
	case $1 in
	--cached) cached=1 ;;
	--debug) debug=1 ;;
	--list) echo "$SERIES_ALL"; exit 0 ;;
	--default) echo "$SERIES_DEFAULT"; exit 0 ;;
	--default-debug) echo "$SERIES_DEBUG_DEFAULT"; exit 0 ;;
	-h | --help) sed -n '/^#   kernel.sh/,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
	shift
done
[ $# = 1 ] || die "give one kernel series: $SERIES_ALL"
series=$1
how=$(recipe "$series") || exit 1
read -r kind suite <<<"$how"
# a debug kernel is always built from source
if [ $debug = 1 ]; then
	kind=src
	[ "$series" != 6.1 ] || suite=bookworm
	frags+=("$debug_frag")
fi

# a make that runs this must not pass its flags (-n, -j) to the kernel's
unset MAKEFLAGS MFLAGS MAKELEVEL

# The key: the recipe; for a build from source the fragments and the
# tools whose versions kbuild records and compares when a module is built
# against the tree (the compiler, pahole).
# For the host's own kernel, its release: an upgrade makes a new folder.
host_release() {
	ls -v /lib/modules 2>/dev/null | grep -- "^$series\.[0-9].*-amd64\$" | tail -n 1 || true
}

key_text() {
	echo "$series $kind $suite"
	[ "$kind" != host ] || host_release
	[ "$kind" = src ] || return 0
	cat "${frags[@]}"
	gcc --version | head -n 1
	pahole --version 2>/dev/null || echo "no pahole"
}
key=$(key_text | sha256sum | cut -c1-12)
name=linux-$series$([ $debug = 0 ] || echo -debug)
dir=$cache/$name-$key

mkdir -p "$cache"
# one fetch or build at a time per kernel; a second caller waits
exec 9> "$cache/.$name.lock"
[ $cached = 1 ] || flock 9

# What the kernel command line needs on top of the runner's. Not part of
# the cache: written again on every call, so that a change here reaches
# kernels built before it.
write_cmdline() {
	local cmdline=""

	# slub_debug=A: every slab cache may fail under failslab's cache
	# filter, but kmemleak's own (selftests/fault.c says why)
	[ $debug = 0 ] || cmdline="slub_debug=A;-,kmemleak_object,kmemleak_scan_area"
	if [ ! -e "$dir/cmdline" ] || [ "$(cat "$dir/cmdline")" != "$cmdline" ]; then
		echo "$cmdline" > "$dir/cmdline.new"
		mv "$dir/cmdline.new" "$dir/cmdline"
	fi
}

if [ -e "$dir/.built" ]; then
	write_cmdline
	echo "$dir"
	exit 0
fi
[ $cached = 0 ] || die "$name is not in $cache yet (make check KERNEL=$series fetches or builds it)"

# apt-get or apt-cache ($1) with a private state in the cache: SUITE's
# lists only
apt_private() {
	local tool=$1
	local state=$cache/apt-$suite
	mkdir -p "$state/lists/partial" "$state/archives/partial"
	echo "deb [signed-by=$keyring] $mirror $suite main" > "$state/sources.list"
	shift
	"$tool" -q -o Dir::State::Lists="$state/lists" \
		-o Dir::Etc::SourceList="$state/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::status=/dev/null \
		-o Dir::Cache="$state" -o Dir::Cache::archives="$state/archives" \
		-o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root "$@"
}

# The newest version of metapackage $1 in the suite that is of this
# series, and the kernel packages it depends on, recursively.
deb_closure() {
	local meta=$1 ver
	ver=$(apt_private apt-cache madison "$meta" 2>/dev/null | awk -F' *[|] *' -v s="$series" \
		'index($2, s ".") == 1 { print $2; exit }')
	[ -n "$ver" ] || die "no $meta of series $series in $suite"
	local todo=("$meta=$ver") seen=() p
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}
		todo=("${todo[@]:1}")
		seen+=("$p")
		while read -r dep; do
			case " ${seen[*]} ${todo[*]} " in *" $dep "*) continue ;; esac
			todo+=("$dep")
		done < <(apt_private apt-cache show "$p" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1 |
			tr ',|' '\n\n' | sed 's/^ *//; s/ .*//' |
			grep -E '^linux-(image|headers|kbuild|modules)-[0-9]' | grep -v -- '-unsigned$' || true)
	done
	printf '%s\n' "${seen[@]}"
}

start=$SECONDS
rm -rf "$dir"
mkdir -p "$dir"
key_text > "$dir/key"

case $kind in
host)
	rel=$(host_release)
	[ -n "$rel" ] || die "no Debian $series kernel in /lib/modules: make deps installs linux-image-amd64 and linux-headers-amd64"
	[ -d "/lib/modules/$rel/build" ] || die "no headers for $rel: make deps installs linux-headers-amd64"
	ln -s "/boot/vmlinuz-$rel" "$dir/vmlinuz"
	ln -s "/lib/modules/$rel/build" "$dir/build"
	ln -s / "$dir/modroot"
	;;
deb)
	echo "kernel: fetching Debian's $series image and headers from $suite" >&2
	apt_private apt-get update >&2
	mapfile -t pkgs < <(deb_closure linux-image-amd64; deb_closure linux-headers-amd64)
	mkdir -p "$dir/root" "$dir/debs"
	(cd "$dir/debs" && apt_private apt-get download "${pkgs[@]}" >&2)
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir/root"
	done
	rm -rf "$dir/debs"
	rel=$(ls "$dir/root/lib/modules")
	[ "$(echo "$rel" | wc -l)" = 1 ] || die "more than one release unpacked: $rel"
	# the headers' symlinks are absolute (/usr/src/...): point them into
	# the cache, so that kbuild finds the common headers and kbuild's tools
	find "$dir/root/usr/src" "$dir/root/lib/modules" -type l | while read -r l; do
		t=$(readlink "$l")
		case $t in /*) ln -sfn "$dir/root$t" "$l" ;; esac
	done
	# and the headers' Makefile includes the common one by absolute path
	sed -i "s|/usr/src/|$dir/root/usr/src/|" "$dir/root/usr/src/linux-headers-$rel/Makefile"
	depmod -b "$dir/root" "$rel"
	ln -s "root/boot/vmlinuz-$rel" "$dir/vmlinuz"
	ln -s "root/usr/src/linux-headers-$rel" "$dir/build"
	ln -s root "$dir/modroot"
	;;
src)
	echo "kernel: building $name from linux-source-$series of $suite (about 11 minutes on 2 idle cores, 30 with KASAN)" >&2
	if [ "$series" = 6.1 ] && [ -r /usr/src/linux-source-6.1.tar.xz ]; then
		tarball=/usr/src/linux-source-6.1.tar.xz
	else
		apt_private apt-get update >&2
		mkdir -p "$dir/debs"
		(cd "$dir/debs" && apt_private apt-get download "linux-source-$series" >&2)
		dpkg-deb --fsys-tarfile "$dir"/debs/linux-source-*.deb |
			tar -x -C "$dir/debs" --wildcards './usr/src/linux-source-*.tar.xz'
		tarball=$(ls "$dir"/debs/usr/src/linux-source-*.tar.xz)
	fi
	mkdir "$dir/tree"
	tar -xJf "$tarball" -C "$dir/tree" --strip-components=1
	rm -rf "$dir/debs"
	cd "$dir/tree"
	make -s x86_64_defconfig
	scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config \
		"${frags[@]}" >/dev/null
	make -s olddefconfig
	# every option of the fragments must have made it: a dependency they
	# lack would otherwise drop one silently
	missing=0
	while IFS= read -r line; do
		case $line in
		# off, or not even offered: either way not built
		CONFIG_*=n) grep -qx "${line%=n}=[ym]" .config || continue ;;
		CONFIG_*) grep -qxF "$line" .config && continue ;;
		*) continue ;;
		esac
		echo "kernel: $line did not make it into .config" >&2
		missing=1
	done < <(cat "${frags[@]}")
	[ $missing = 0 ] || exit 1
	make -j"$(($(nproc) + 1))" >build.log 2>&1 || { tail -30 build.log >&2; exit 1; }
	make -s INSTALL_MOD_PATH="$dir/root" modules_install >>build.log 2>&1
	rel=$(cat include/config/kernel.release)
	ln -s tree/arch/x86/boot/bzImage "$dir/vmlinuz"
	ln -s tree "$dir/build"
	ln -s root "$dir/modroot"
	;;
esac
echo "$rel" > "$dir/release"
write_cmdline
touch "$dir/.built"
echo "kernel: $name ($rel) ready in $dir after $((SECONDS - start)) s" >&2
echo "$dir"
