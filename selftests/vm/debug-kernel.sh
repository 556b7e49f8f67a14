#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel for `make check-debug`, built once per machine from
# Debian's linux-source-6.1 with x86_64_defconfig, kvm_guest.config and
# selftests/vm/debug.config, and cached outside the repository under a
# name derived from the fragment and the source package.
#
#   debug-kernel.sh          build it unless cached; print its directory
#   debug-kernel.sh --cached print its directory if it is built, else fail
#
# TOY_CACHE sets the cache folder (default /var/cache/af_toy); KSRC the
# source tarball. The first build takes about 21 minutes on 2 cores.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/debug.config
src=${KSRC:-/usr/src/linux-source-6.1.tar.xz}
cache=${TOY_CACHE:-/var/cache/af_toy}
key=$({ cat "$frag"; ls -l --time-style=+%s "$src"; } | sha256sum | cut -c1-12)
dir=$cache/linux-debug-$key

# a make that runs this must not pass its flags (-n, -j) to the kernel's
unset MAKEFLAGS MFLAGS MAKELEVEL

# one build at a time per cache; a second caller waits for the first
mkdir -p "$cache"
exec 9> "$cache/.lock"
if [ "${1:-}" != --cached ]; then
	flock 9
fi

if [ -e "$dir/.built" ]; then
	echo "$dir"
	exit 0
fi
if [ "${1:-}" = --cached ]; then
	echo "debug-kernel: no debug kernel built for this fragment in $cache" >&2
	exit 1
fi
[ -r "$src" ] || { echo "debug-kernel: missing $src: make deps installs linux-source-6.1" >&2; exit 1; }

start=$SECONDS
rm -rf "$dir"
mkdir "$dir"
echo "debug-kernel: building in $dir (about 21 minutes on 2 cores)" >&2
tar -xJf "$src" -C "$dir" --strip-components=1
cd "$dir"
make -s x86_64_defconfig
scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config "$frag" >/dev/null
make -s olddefconfig

# every option of the fragment must have made it: a dependency the fragment
# lacks would otherwise drop one silently
missing=0
while IFS= read -r line; do
	case $line in
	# off, or not even offered: either way not built
	CONFIG_*=n) grep -qx "${line%=n}=[ym]" .config || continue ;;
	CONFIG_*) grep -qxF "$line" .config && continue ;;
	*) continue ;;
	esac
	echo "debug-kernel: $line did not make it into .config" >&2
	missing=1
done < "$frag"
[ $missing = 0 ] || exit 1

make -j"$(($(nproc) + 1))" >build.log 2>&1 || { tail -30 build.log >&2; exit 1; }
touch .built
echo "debug-kernel: built in $((SECONDS - start)) s" >&2
echo "$dir"
