#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install, make uninstall and DKMS, each into a scratch root on the
# build machine (whose own kernel cannot load modules), for kernel KVER
# whose headers or tree are in KDIR:
#
#   install_test.sh KVER KDIR
#
# Prints TAP lines for make check; exits 1 when one is "not ok". The
# guest of make check is the machine where the installed module is then
# used: there modprobe loads it by its alias and make -C selftests
# run_tests runs the tests.

set -uo pipefail
kver=${1:?usage: $0 KVER KDIR}
kdir=${2:?usage: $0 KVER KDIR}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/toy-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log=build/install-test.log
mkdir -p build
: > "$log"
rc=0

ok() {
	if [ "$1" = 0 ]; then
		echo "ok - install: $2"
	else
		echo "not ok - install: $2 (log: $log)"
		rc=1
	fi
}

root=$tmp/root
make -s install DESTDIR="$root" KVER="$kver" KDIR="$kdir" >> "$log" 2>&1
ok $? "make install DESTDIR=... KVER=$kver KDIR=... runs"

# compressed when the kernel compresses its own modules (6.12: .ko.xz)
ko=$(ls "$root/lib/modules/$kver/extra/af_toy.ko"* 2>/dev/null | head -n 1)
[ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$kver "
ok $? "${ko##*/} is in /lib/modules/$kver/extra, built for $kver"
grep -qx "alias net-pf-25 af_toy" "$root/lib/modules/$kver/modules.alias" 2>/dev/null
ok $? "depmod ran: modules.alias maps net-pf-25 to af_toy"

missing=0
for t in toystat toycat toyperf; do
	"$root/usr/local/bin/$t" --help > /dev/null 2>&1 || missing=1
	[ -r "$root/usr/local/share/man/man8/$t.8" ] || missing=1
done
ok $missing "toystat, toycat and toyperf in /usr/local/bin run, with their man pages"

# the Python package, where Debian's python3 looks under /usr/local
pydir=$(/usr/bin/python3 -c 'import sys; print([p for p in sys.path if p.startswith("/usr/local/lib/python3") and p.endswith("dist-packages")][0])' 2>/dev/null)
[ -n "$pydir" ] && [ -r "$root$pydir/af_toy/__init__.py" ] &&
	PYTHONPATH=$root$pydir /usr/bin/python3 -c 'import af_toy; assert af_toy.PORT_ANY == 0xFFFFFFFF' >> "$log" 2>&1
ok $? "the af_toy Python package is in ${pydir:-dist-packages}, where python3 looks, and imports"

make -s uninstall DESTDIR="$root" KVER="$kver" >> "$log" 2>&1 &&
	[ -n "$ko" ] && [ ! -e "$ko" ] && [ ! -e "$root/usr/local/bin/toycat" ] &&
	[ ! -e "$root$pydir/af_toy" ] &&
	! grep -q af_toy "$root/lib/modules/$kver/modules.alias"
ok $? "make uninstall removes the module, its alias, the tools and the Python package"

if ! command -v dkms > /dev/null; then
	echo "ok - install: dkms add, build and install # SKIP dkms is not installed (make deps installs it)"
	exit $rc
fi
# dkms's trees in the scratch folder; dkms itself makes its signing key
# (/var/lib/dkms/mok.key) once per machine, as on any install
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
src=$tmp/src/af_toy-$version
mkdir -p "$src" "$tmp/dkms" "$tmp/modules/$kver"
cp -r dkms.conf Kbuild module "$src/"
trees=(--sourcetree "$tmp/src" --dkmstree "$tmp/dkms" --installtree "$tmp/modules")
dkms add "af_toy/$version" "${trees[@]}" >> "$log" 2>&1 &&
	dkms build "af_toy/$version" -k "$kver" --kernelsourcedir "$kdir" "${trees[@]}" >> "$log" 2>&1 &&
	dkms install "af_toy/$version" -k "$kver" --no-depmod "${trees[@]}" >> "$log" 2>&1
ok $? "dkms add, build and install af_toy/$version for $kver"
built=$(find "$tmp/modules/$kver" -name 'af_toy.ko*' 2>/dev/null | head -n 1)
[ -n "$built" ] && modinfo -F alias "$built" | grep -qx net-pf-25
ok $? "dkms installed an af_toy.ko with the net-pf-25 alias (${built#"$tmp"/modules/})"
exit $rc
