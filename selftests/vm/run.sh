#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel made by kernel.sh in QEMU (TCG, no disk, no network) with a busybox
# initramfs, load the vsock loopback modules and af_toy.ko, run a command in
# the guest and return its exit status.
#
# The guest's kernel console goes to a log file; the command's output comes
# back on stdout. The run fails on a timeout, on a guest that never reports
# its status, and on any kernel splat in the console log. Its last lines are
# TAP results for these checks, so that `make check` can count them.

set -euo pipefail

usage() {
	cat <<USAGE
Usage: $0 [options] [--] [command...]
  -K DIR      the kernel to boot: a folder made by kernel.sh (its vmlinuz,
              release, modroot with the image's modules, cmdline)
  -m MODULE   af_toy.ko to load, built for that kernel (required)
  -p PARAMS   af_toy module parameters, e.g. "family=30"
  -d DIR      folder copied into /toy in the guest as /toy/$(basename DIR),
              with the shared libraries of its ELF files (repeatable)
  -P          Debian's python3 and its standard library (without what
              only development and GUIs use) in the guest
  -t SECONDS  time limit for the whole run (default 300)
  -l LOG      guest console log file  (default: build/vm/console.log)
  -i          interactive shell on this terminal instead of a command
Exit status: the command's; 124 on timeout; 125 when the guest could not be
set up or never reported; 1 on a kernel splat (WARNING, BUG, Oops, KASAN,
lockdep) even when the command passed.
USAGE
}

kdir="" module="" params="" timeout=300 log="build/vm/console.log"
interactive=0 python=0
dirs=()
while getopts "K:m:p:d:t:l:iPh" opt; do
	case $opt in
	K) kdir=$OPTARG ;;
	m) module=$OPTARG ;;
	p) params=$OPTARG ;;
	d) dirs+=("$OPTARG") ;;
	t) timeout=$OPTARG ;;
	l) log=$OPTARG ;;
	i) interactive=1 ;;
	P) python=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

# a TAP line, so that make check counts a run that could not start
die() { echo "not ok - vm: $*" >&2; exit 125; }

[ -n "$kdir" ] && [ -e "$kdir/.built" ] || die "give the kernel's folder with -K (selftests/vm/kernel.sh prints it)"
[ -r "$kdir/cmdline" ] || die "$kdir has no cmdline: selftests/vm/kernel.sh writes it"
kver=$(cat "$kdir/release")
kernel=$kdir/vmlinuz
append=$(cat "$kdir/cmdline")
modules=$kdir/modroot/lib/modules/$kver
[ -r "$kernel" ] || die "cannot read kernel image $kernel"
[ -n "$module" ] && [ -r "$module" ] || die "give the module to load with -m (af_toy.ko)"
[ $interactive = 1 ] || [ $# -gt 0 ] || die "no command given; use -i for a shell"
busybox=/bin/busybox
[ -x "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || die "$busybox is missing or not static; install busybox-static"

mkdir -p "$(dirname "$log")"
work=$(mktemp -d "${TMPDIR:-/tmp}/toyvm.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,etc/toy,proc,sys,dev,toy,lib/modules/$kver/extra}

# The guest: busybox, its /init, the modules, the command.
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$(dirname "$0")/init" "$root/init"
# vsock loopback: modules of the kernel, uncompressed for busybox's
# insmod (6.12 and later ship .ko.xz), unless the kernel has them built in
for m in vsock vmw_vsock_virtio_transport_common vsock_loopback; do
	rel=kernel/net/vmw_vsock/$m.ko
	dst=$root/lib/modules/$kver/$rel
	if [ -r "$modules/$rel" ]; then
		install -D -m 0644 "$modules/$rel" "$dst"
	elif [ -r "$modules/$rel.xz" ]; then
		mkdir -p "$(dirname "$dst")" && xz -dc "$modules/$rel.xz" > "$dst"
	elif [ -r "$modules/$rel.zst" ]; then
		mkdir -p "$(dirname "$dst")" && zstd -qdc "$modules/$rel.zst" > "$dst"
	elif ! grep -qx "$rel" "$modules/modules.builtin" 2>/dev/null; then
		die "$m is neither a module under $modules nor built into $kver"
	fi
done
cp "$module" "$root/lib/modules/$kver/extra/af_toy.ko"
printf '%s\n' "$params" > "$root/etc/toy/modparams-af_toy"
depmod -b "$root" "$kver" 2>/dev/null || true
if [ $interactive = 1 ]; then
	touch "$root/etc/toy/interactive"
else
	printf '%q ' "$@" > "$root/etc/toy/cmd"
	echo >> "$root/etc/toy/cmd"
fi

# Payload folders, and the shared libraries of every dynamic ELF in them.
for d in ${dirs[@]+"${dirs[@]}"}; do
	cp -a "$d" "$root/toy/"
done
# Debian's python3 (not another one first on PATH), at the same place, so
# that it finds its standard library as on the host
elves=("$root/toy")
if [ $python = 1 ]; then
	py=/usr/bin/python3
	[ -x $py ] || die "$py is missing; install python3 (make deps)"
	pyver=$($py -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	mkdir -p "$root/usr/bin" "$root/usr/lib"
	cp -L $py "$root/usr/bin/python3"
	tar -C /usr/lib -cf - --exclude="./python$pyver/config-*" \
		--exclude=./python$pyver/{ensurepip,idlelib,lib2to3,pydoc_data,tkinter,turtledemo,distutils,venv,test,site-packages,dist-packages} \
		./python$pyver | tar -C "$root/usr/lib" -xf -
	elves+=("$root/usr/bin/python3" "$root/usr/lib/python$pyver/lib-dynload")
fi
find "${elves[@]}" -type f \( -perm -u+x -o -name '*.so' \) -print0 | while IFS= read -r -d '' f; do
	{ ldd "$f" 2>/dev/null || true; } | awk '/=> \//{print $3} /^\t\//{print $1}'
done | sort -u | while read -r lib; do
	cp -L --parents "$lib" "$root/" 2>/dev/null || die "cannot copy $lib"
done

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) > "$work/initrd"

status=$work/status
: > "$status"
qemu=(qemu-system-x86_64 -accel tcg -m 1024 -smp 2 -nodefaults -display none
      -no-reboot -kernel "$kernel" -initrd "$work/initrd"
      -append "console=ttyS0 panic=-1 loglevel=7 printk.devkmsg=on $append"
      -serial "file:$log" -chardev stdio,id=out,signal=off
      -serial chardev:out -serial "file:$status")
if [ $interactive = 1 ]; then
	"${qemu[@]}" || true
	exit 0
fi

splat='WARNING:|BUG:|Oops|KASAN:|UBSAN:|general protection fault|Kernel panic|Call Trace:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|kmemleak: [0-9]+ new suspected|blocked for more than'

# Did the guest kernel die before af_toy.ko was loaded, so before the
# command ran? QEMU's multi-threaded TCG now and then executes a
# breakpoint the kernel is patching out of its text (a jump label or a
# static call) on the other vCPU, an "Oops: int3" at boot: seen once on
# 7.3 in about forty boots. Nothing of this project has run by then.
crashed_before_module() {
	local first
	grep -q . "$status" && return 1
	first=$(grep -Enm1 "$splat" "$log" | cut -d: -f1)
	[ -n "$first" ] || return 1
	! head -n "$first" "$log" | grep -q "af_toy: registered address family"
}

start=$SECONDS
for attempt in 1 2; do
	rc=0
	: > "$status"
	timeout -k 10 "$timeout" "${qemu[@]}" < /dev/null || rc=$?
	[ $attempt = 1 ] && crashed_before_module || break
	echo "# vm: the guest kernel crashed while booting, before af_toy.ko was loaded: $(grep -Em1 "$splat" "$log" | tr -d '\r'); its console is in $log.boot1; booting again"
	mv "$log" "$log.boot1"
done
elapsed=$((SECONDS - start))

result=0
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "not ok - vm: guest finished within ${timeout}s (killed after ${elapsed}s; console: $log)"
	result=124
elif guest=$(tr -dc '0-9' < "$status") && [ -n "$guest" ]; then
	echo "ok - vm: guest finished in ${elapsed}s with status $guest"
	result=$guest
else
	echo "not ok - vm: guest reported no status (qemu exit $rc; console: $log)"
	result=125
fi

if grep -Eq "$splat" "$log"; then
	echo "not ok - vm: kernel log free of splats: $(grep -Em1 "$splat" "$log" | tr -d '\r') (console: $log)"
	[ $result != 0 ] || result=1
else
	echo "ok - vm: kernel log free of WARNING, BUG, Oops, KASAN and lockdep reports"
fi
exit $result
