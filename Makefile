# SPDX-License-Identifier: GPL-2.0
#
# AF_TOY: build the module, the user tools and the selftests; boot the test
# VM; check everything. `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := all

# The kernel the test VM boots and the module is built for: a series that
# selftests/vm/kernel.sh knows (6.1, 6.12, 7.3). It fetches or builds the
# kernel once and caches it in /var/cache/af_toy; KERNEL_DIR is its folder,
# looked up (and made, if need be) the first time a target uses it.
KERNEL_SH := selftests/vm/kernel.sh
KERNELS := $(shell $(KERNEL_SH) --list)
KERNEL_DEFAULT := $(shell $(KERNEL_SH) --default)
KERNEL ?= $(KERNEL_DEFAULT)
# DEBUG=1: the debug build of that series (make check-debug sets it)
KERNEL_DIR = $(eval KERNEL_DIR := $$(shell $(KERNEL_SH) $(if $(DEBUG),--debug) $(KERNEL)))$(KERNEL_DIR)
KERNEL_RELEASE = $(shell cat $(KERNEL_DIR)/release)
# make module builds af_toy.ko here for KVER's headers, or for KERNEL
KDIR ?= $(if $(KVER),/lib/modules/$(KVER)/build,$(KERNEL_DIR)/build)
KSRC ?= /usr/src/linux-source-6.1.tar.xz

B := build
VM := selftests/vm/run.sh
VMLOG = $(B)/$(KERNEL)$(if $(DEBUG),-debug)/console.log
# af_toy.ko for the VM's kernel, built in a copy of the sources per kernel
VM_MOD = $(B)/$(KERNEL)$(if $(DEBUG),-debug)/module
# Debian's python3 and the af_toy Python package, for the runs that test it
PYVM := -P -d python
VMFLAGS = -K $(KERNEL_DIR) -m $(VM_MOD)/af_toy.ko -d $(B)/bin -d $(B)/selftests -l $(VMLOG) $(if $(FAMILY),-p family=$(FAMILY))

# Debian packages the build and the VM need (bookworm); the kernels built
# from source (7.3) need flex to libssl-dev, and 6.12's headers pahole
# (dwarves) for the module's BTF.
PACKAGES := gcc make libc6-dev linux-image-amd64 linux-headers-amd64 \
	    linux-source-6.1 qemu-system-x86 busybox-static libmnl-dev cpio \
	    kmod xz-utils jq gnuplot-nox dkms flex bison bc libelf-dev \
	    libssl-dev dwarves python3

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -Werror=implicit-function-declaration \
	  -Imodule/uapi -Iuser -D_GNU_SOURCE
LIBTOY := $(B)/user/libtoy.a
TOOLS := toystat toycat toyperf
# jq goes into the guest for the tests of toystat -j
JQ = $(shell command -v jq)

.PHONY: all deps module vm-module module-lint style user selftests run vm check \
	check-kernels check-debug check-debug-run bench bench-kernels matrix matrix-run \
	matrix-check matrix-kernels-check install uninstall clean help \
	trace trace-guide

all: deps vm-module user selftests

help:
	@echo "make          build af_toy.ko, the user tools and the selftests"
	@echo "make run      build, boot the test VM, load the module and show it working"
	@echo "make check    build, boot the test VM and run every selftest"
	@echo "make check-kernels  make check on every supported kernel: $(KERNELS)"
	@echo "make vm       interactive shell in the test VM with the module loaded"
	@echo "make check-debug  the selftests on a KASAN/lockdep/kmemleak kernel built once"
	@echo "make bench    toyperf in the test VM: $(BENCH)/results.{json,md,png} and README"
	@echo "make bench-kernels  make bench on every supported kernel, each into Documentation/bench/KERNEL"
	@echo "make style    checkpatch.pl --strict on the module"
	@echo "make matrix   the comparative selftests in the VM: $(MATRIX)"
	@echo "make trace    boot the test VM and print the trace of a connection, a byte and a drop"
	@echo "make trace-guide  the same tour, written into $(GUIDE)"
	@echo "make install  af_toy.ko into /lib/modules/\$$(uname -r)/extra, the tools into /usr/local"
	@echo "make clean    remove what the build made"
	@echo "KERNEL=SERIES boots another kernel ($(KERNELS); default $(KERNEL_DEFAULT)), fetched or built once."
	@echo "FAMILY=N loads the module with family=N in run, vm and check."
	@echo "BENCHFLAGS='...' passes options and workloads to toyperf in bench."

# Install what is missing, saying what; nothing when all is there.
deps:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing missing Debian packages:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then \
			echo "deps: run as root, or install them with: apt-get install" $$missing >&2; \
			exit 1; \
		fi; \
		apt-get update; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# af_toy.ko in this folder, for the headers of KVER (make module
# KVER=$(uname -r)) or KDIR, else for KERNEL's tree
module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

vm-module:
	@test -n "$(KERNEL_DIR)" || { echo "no kernel $(KERNEL): selftests/vm/kernel.sh failed (above)" >&2; exit 1; }
	@mkdir -p $(VM_MOD) && cp -a Kbuild module $(VM_MOD)/
	$(MAKE) -C $(KERNEL_DIR)/build M=$(CURDIR)/$(VM_MOD) W=1 modules

# W=1 and sparse on every file from scratch, in a copy of the sources:
# kbuild's clean would delete every .o and .a under this tree, the user
# tools' and the selftests' too. Any diagnostic fails. Bookworm's sparse
# (0.6.4) cannot parse 7.3's headers, and kbuild then skips it with one
# line of its own: selftests/sparse.sh builds a newer one from Debian's
# source package, and that line fails the check too.
LINT = $(B)/$(KERNEL)$(if $(DEBUG),-debug)/module-lint
SPARSE = $(eval SPARSE := $$(shell selftests/sparse.sh))$(SPARSE)
module-lint:
	@test -x "$(SPARSE)" || { echo "not ok - build: no sparse (selftests/sparse.sh)"; exit 1; }
	@rm -rf $(LINT) && mkdir -p $(LINT) && cp -r Kbuild module $(LINT)/
	@$(MAKE) -C $(KERNEL_DIR)/build M=$(CURDIR)/$(LINT) W=1 C=2 CHECK=$(SPARSE) modules \
		> $(LINT).log 2>&1 || echo "error: kbuild failed" >> $(LINT).log
	@if grep -E 'warning:|error:|sparse is not available' $(LINT).log; then \
		echo "not ok - build: af_toy.ko builds for $(KERNEL_RELEASE) with W=1 and sparse without diagnostics (log: $(LINT).log)"; \
	else \
		echo "ok - build: af_toy.ko builds for $(KERNEL_RELEASE) with W=1 and sparse without diagnostics"; \
	fi

# checkpatch.pl --strict on every module source, from the linux-source
# package (with the two data files it reads); any report fails.
CHECKPATCH := $(B)/checkpatch/scripts/checkpatch.pl
STYLE_FILES := $(filter-out module/compat.h module/trace.h,$(wildcard module/*.[ch])) \
	       module/uapi/linux/af_toy.h Kbuild
# compat.h compares LINUX_VERSION_CODE by design: module/compat.h says why
STYLE_COMPAT_IGNORE := LINUX_VERSION_CODE,CONSTANT_COMPARISON
# trace.h is written in TRACE_EVENT()'s own layout, as include/trace/events/
# is: lines open on "(", fields and arguments in macros without parentheses
STYLE_TRACE_IGNORE := OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT,COMPLEX_MACRO

style: $(CHECKPATCH)
	@if $(CHECKPATCH) --strict --no-tree --terse --show-types -f $(STYLE_FILES) && \
	    $(CHECKPATCH) --strict --no-tree --terse --show-types \
		--ignore $(STYLE_COMPAT_IGNORE) -f module/compat.h && \
	    $(CHECKPATCH) --strict --no-tree --terse --show-types \
		--ignore $(STYLE_TRACE_IGNORE) -f module/trace.h; then \
		echo "ok - style: checkpatch.pl --strict reports nothing on module/ and Kbuild"; \
	else \
		echo "not ok - style: checkpatch.pl --strict reports the lines above"; exit 1; \
	fi

$(CHECKPATCH): $(KSRC)
	@mkdir -p $(B)/checkpatch
	tar -xJf $(KSRC) -C $(B)/checkpatch --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	@touch $@

# libtoy.a: the helpers the tools and the selftests share.
user: $(LIBTOY) $(addprefix $(B)/bin/,$(TOOLS) jq make)

$(LIBTOY): $(B)/user/toy_family.o $(B)/user/toy_genl.o
	$(AR) rcs $@ $^

$(B)/bin/%: $(B)/user/%.o $(LIBTOY)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -pthread -o $@ $^ -lmnl -lm

$(B)/bin/toyperf: $(B)/user/toyperf_workloads.o
# the workloads share one callback signature; not all use every argument
$(B)/user/toyperf_workloads.o: CFLAGS += -Wno-unused-parameter

# make goes into the guest too: make check runs the selftests there the
# kselftest way, make -C selftests run_tests, on a copy of the sources
MAKE_BIN = $(shell command -v make)
$(B)/bin/make:
	@mkdir -p $(@D)
	cp $(MAKE_BIN) $@

$(B)/bin/jq:
	@test -n "$(JQ)" || { echo "jq is missing: make deps installs it" >&2; exit 1; }
	@mkdir -p $(@D)
	cp $(JQ) $@

$(B)/user/%.o: user/%.c user/*.h module/uapi/linux/af_toy.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(KSRC):
	@echo "missing $(KSRC): make deps installs linux-source-6.1" >&2; exit 1

# The selftests build with their own Makefile, the kselftest way; it takes
# kselftest_harness.h from $(KSRC) at build time.
selftests: $(KSRC)
	$(MAKE) -C selftests OUTPUT=$(CURDIR)/$(B)/selftests KSRC=$(KSRC)

run: all
	$(VM) $(VMFLAGS) -t 300 -- sh -c '\
		echo "== af_toy.ko in the guest: family $$(cat /sys/module/af_toy/parameters/family)"; \
		lsmod | grep -E "^(Module|af_toy)"; dmesg | grep "af_toy:"; \
		echo "== socket() of each type, next to AF_UNIX and AF_VSOCK (selftests/socket_create)"; \
		set -o pipefail; selftests/socket_create | \
			grep -E "^(not )?ok .*(socket_reports|family_number_as|seqpacket)"; \
		echo "== SOCK_STREAM, next to AF_UNIX and AF_VSOCK (selftests/stream, a few of its checks)"; \
		selftests/stream 2>&1 | grep -E "^(not )?ok .*(bulk_64mib|nobody_bound|rcvlowat_in_poll|rcvbuf_bounds)|^# Totals"; \
		echo "== SOCK_SEQPACKET, next to AF_UNIX and AF_VSOCK (selftests/seqpacket, a few of its checks)"; \
		selftests/seqpacket 2>&1 | grep -E "^(not )?ok .*(keep_their_boundaries|short_buffer|zero_length|large_records|never_interleave)|^# Totals"; \
		echo "== SOCK_DGRAM, next to AF_UNIX (selftests/dgram, a few of its checks; AF_VSOCK has no loopback dgram)"; \
		selftests/dgram 2>&1 | grep -E "^(not )?ok .*(unix|toy)\.(full_receiver|many_senders|sizes_from)|^# Totals"; \
		echo "== toycat: /init through an AF_TOY stream (toycat -l 7000 > /tmp/copy, toycat 7000 < /init)"; \
		toycat -l -j 7000 > /tmp/copy 2> /tmp/events & \
		for i in $$(seq 100); do grep -q listening /tmp/events 2>/dev/null && break; sleep 0.1; done; \
		toycat -v 7000 < /init > /dev/null; wait; \
		cmp /init /tmp/copy && echo "the copy is identical to /init"; \
		echo "== toystat: what AF_TOY counted in this namespace during the checks above"; \
		toystat; \
		echo "== toystat -j, the SOCK_DGRAM part: every datagram sent was received or dropped"; \
		toystat -j | jq -M -c ".dgram"; \
		echo "== toycat -s: SOCK_SEQPACKET, each read of its input one record, written out whole"; \
		toycat -l -s -j 7001 > /tmp/records 2> /tmp/events & \
		for i in $$(seq 100); do grep -q listening /tmp/events 2>/dev/null && break; sleep 0.1; done; \
		printf "one\\ntwo\\n" | toycat -s 7001; wait; \
		grep closed /tmp/events; cat /tmp/records; \
		echo "== toystat impair: this namespace loses a fifth of its datagrams on purpose"; \
		toystat reset; toystat impair set loss 20% seed 7; toystat impair; \
		echo "== toycat -u: 200 lines, a datagram per read of its input (each line is written on its own: a read is one line, or two when toycat falls behind)"; \
		toycat -l -u -j -w 2 7002 > /tmp/lines 2> /tmp/events & \
		for i in $$(seq 100); do grep -q listening /tmp/events 2>/dev/null && break; sleep 0.1; done; \
		for i in $$(seq 200); do echo "line $$i"; sleep 0.01; done | toycat -u 7002; wait; \
		echo "$$(wc -l < /tmp/lines) of 200 lines arrived; toystat -j says:"; \
		toystat -j | jq -M -c ".dgram | {tx_msgs, rx_msgs, impair_drops, drops}"; \
		toystat impair clear'

# toyperf's whole matrix in the guest; its JSON and Markdown come back
# between marker lines and user/toyperf-report files them and plots them,
# per kernel; the README shows the default kernel's.
BENCH = Documentation/bench/$(KERNEL)
BENCHFLAGS ?= -r 7
QEMU_VERSION = $(shell qemu-system-x86_64 --version | sed -n '1s/.*version \([0-9.]*\).*/\1/p')
BENCH_LABEL = QEMU $(QEMU_VERSION) TCG, 2 vCPUs, 1 GiB

bench: all
	@mkdir -p $(B)/$(KERNEL)
	$(VM) $(VMFLAGS) -t 3000 -- sh -c '\
		set -e; toyperf $(BENCHFLAGS) -l "$(BENCH_LABEL)" --json /tmp/bench.json > /tmp/bench.md || [ $$? = 3 ]; \
		echo "==== toyperf json"; cat /tmp/bench.json; \
		echo "==== toyperf md"; cat /tmp/bench.md' | tee $(B)/$(KERNEL)/bench.log
	user/toyperf-report $(B)/$(KERNEL)/bench.log $(BENCH) \
		$(if $(filter $(KERNEL_DEFAULT),$(KERNEL)),README.md)

bench-kernels:
	@for k in $(KERNELS); do $(MAKE) bench KERNEL=$$k || exit 1; done

vm: all
	$(VM) $(VMFLAGS) $(PYVM) -i

# The tour of AF_TOY's tracepoints (selftests/trace_tour) in the VM:
# make trace prints it, make trace-guide writes it into $(GUIDE), and make
# check fails when its own run of the tour prints anything else.
GUIDE := Documentation/tracing.rst
GUIDE_GEN := selftests/trace-guide.sh

trace: all
	@$(VM) $(VMFLAGS) -t 300 -- /toy/selftests/trace_tour > $(B)/trace.log 2>&1 || \
		{ cat $(B)/trace.log; exit 1; }
	@sed -n 's/^# tour \([a-z]*\): /\1: /p' $(B)/trace.log

trace-guide: all
	$(VM) $(VMFLAGS) -t 300 -- /toy/selftests/trace_tour > $(B)/trace.log 2>&1
	$(GUIDE_GEN) --write $(B)/trace.log $(GUIDE)
	@echo "trace-guide: wrote $(GUIDE)"

# The behaviour matrix: the comparative selftests in the VM, what each
# family did in each, written to $(MATRIX) and summed up in the README
# between the matrix markers. make check fails when its own run of the
# same tests would write anything else (matrix-check).
MATRIX := Documentation/behaviour-matrix.md
MATRIX_TESTS := socket_create bind stream seqpacket dgram splice zerocopy user_memory races
MATRIX_GEN := selftests/behaviour-matrix.sh

matrix:
	@for k in $(KERNELS); do $(MAKE) matrix-run KERNEL=$$k || exit 1; done
	$(MATRIX_GEN) $(MATRIX_LOGS:%=%/matrix.log) > $(B)/behaviour-matrix.md
	$(MATRIX_GEN) --summary $(MATRIX_LOGS:%=%/matrix.log) > $(B)/matrix-summary.txt
	mv $(B)/behaviour-matrix.md $(MATRIX)
	$(call readme_section,matrix,$(B)/matrix-summary.txt)
	@echo "matrix: wrote $(MATRIX) and the README summary"

matrix-run: all
	@mkdir -p $(B)/$(KERNEL)
	$(VM) $(VMFLAGS) -t 1200 -- /toy/selftests/run_tests.sh $(MATRIX_TESTS) | tee $(B)/$(KERNEL)/matrix.log

# KERNEL=build/KERNEL for each kernel: the generator's K=LOG arguments
# take the folder and add the log's name
MATRIX_LOGS = $(foreach k,$(KERNELS),$(k)=$(B)/$(k))

# $(call readme_section,NAME,FILE): FILE between <!-- NAME:begin/end -->
define readme_section
	awk -v f=$(2) '/<!-- $(1):end -->/ { while ((getline l < f) > 0) print l; skip = 0 } \
		!skip { print } /<!-- $(1):begin -->/ { skip = 1 }' README.md > $(B)/README.md.new
	mv $(B)/README.md.new README.md
endef

# Whether a run on one kernel ($(LOG)) did, cell by cell, what the
# committed matrix says that kernel does.
matrix-check:
	@$(MATRIX_GEN) --cells $(KERNEL) $(MATRIX) > $(CHECK_DIR)/matrix.want
	@$(MATRIX_GEN) --cells $(KERNEL)=$(LOG) > $(CHECK_DIR)/matrix.got 2>/dev/null || true
	@if diff -u $(CHECK_DIR)/matrix.want $(CHECK_DIR)/matrix.got; then \
		echo "ok - matrix: $(MATRIX) says what this run on $(KERNEL) observed"; \
	else \
		echo "not ok - matrix: this run on $(KERNEL) observed what the diff above shows; if the change is meant, make matrix rewrites $(MATRIX) and the README summary"; \
	fi

# Whether the runs on every kernel give the committed matrix and README
# summary, whole (make check-kernels).
matrix-kernels-check:
	@$(MATRIX_GEN) $(MATRIX_LOGS:%=%/check.log) > $(B)/behaviour-matrix.md 2>/dev/null || true
	@$(MATRIX_GEN) --summary $(MATRIX_LOGS:%=%/check.log) > $(B)/matrix-summary.txt 2>/dev/null || true
	@awk '/<!-- matrix:begin -->/ { on = 1; next } /<!-- matrix:end -->/ { on = 0 } on' \
		README.md > $(B)/matrix-summary.readme
	@if diff -u $(MATRIX) $(B)/behaviour-matrix.md && \
	    diff -u $(B)/matrix-summary.readme $(B)/matrix-summary.txt; then \
		echo "ok - matrix: $(MATRIX) and the README summary are what the runs on $(KERNELS) observed"; \
	else \
		echo "not ok - matrix: the runs on $(KERNELS) observed what the diff above shows; make matrix rewrites $(MATRIX) and the README summary"; \
	fi

# The whole suite on KERNEL: the build checks on this machine, then the
# selftests in the guest. Its log and its summary line go to
# build/KERNEL/check.log and build/KERNEL/summary.
CHECK_DIR = $(B)/$(KERNEL)
check: all
	@rm -rf $(B)/src && mkdir -p $(B)/src/module $(CHECK_DIR) && \
		cp -a selftests user $(B)/src/ && cp -a module/uapi $(B)/src/module/
	@echo "# check: kernel $(KERNEL_RELEASE) ($(KERNEL_DIR))"
	@rc=0; { $(MAKE) -s module-lint; $(MAKE) -s style; selftests/bad_input_doc.sh; \
		selftests/internals_doc.sh; \
		selftests/install_test.sh $(KERNEL_RELEASE) $(KERNEL_DIR)/build; \
		$(VM) $(VMFLAGS) $(PYVM) -d $(B)/src -t 1200 -- \
			make -C /toy/src/selftests OUTPUT=/toy/selftests run_tests; \
	} 2>&1 | tee $(CHECK_DIR)/check.log || rc=$$?; \
	$(MAKE) -s matrix-check LOG=$(CHECK_DIR)/check.log | tee -a $(CHECK_DIR)/check.log; \
	$(GUIDE_GEN) --check $(CHECK_DIR)/check.log $(GUIDE) | tee -a $(CHECK_DIR)/check.log; \
	selftests/vm/tap-summary $(CHECK_DIR)/check.log | tee $(CHECK_DIR)/summary && exit $$rc

# make check on every supported kernel, one after another; a line per
# kernel, then their sum. Fails when any of them fails.
check-kernels:
	@rc=0; for k in $(KERNELS); do \
		$(MAKE) check KERNEL=$$k || rc=1; \
	done; \
	$(MAKE) -s matrix-kernels-check | tee $(B)/matrix-kernels.log; \
	for k in $(KERNELS); do \
		echo "$$(cat $$($(KERNEL_SH) --cached $$k)/release): $$(cat $(B)/$$k/summary 2>/dev/null || echo 0 passed, 1 failed, 0 skipped)"; \
	done | tee $(B)/check-kernels.txt; \
	echo "all kernels: $$(selftests/vm/tap-summary $(B)/matrix-kernels.log)" | tee -a $(B)/check-kernels.txt; \
	awk -F'[:,] *' '{ for (i = 2; i <= NF; i++) { split($$i, w, " "); n[w[2]] += w[1] } } \
		END { printf "%d passed, %d failed, %d skipped\n", n["passed"], n["failed"], n["skipped"]; \
		      exit n["failed"] > 0 }' $(B)/check-kernels.txt || rc=1; \
	exit $$rc

# The selftests on a debug kernel (selftests/vm/debug.config: KASAN,
# lockdep, kmemleak, failslab), built once per machine and cached like
# the others; kmemleak is scanned at the end. The newest kernel unless
# KERNEL= names another.
DEBUG_SERIES = $(if $(filter command line environment,$(origin KERNEL)),$(KERNEL),$(shell $(KERNEL_SH) --default-debug))
# KASAN under TCG is slow: each selftest binary may take this long
DEBUG_TIMEOUT := 1200
# and the stress and the fuzzer run longer than in make check
DEBUG_STRESS_SECONDS := 30
DEBUG_FUZZ_ITERATIONS := 50000

check-debug:
	@$(MAKE) check-debug-run DEBUG=1 KERNEL=$(DEBUG_SERIES)

check-debug-run: all
	@rc=0; { $(MAKE) -s module-lint; \
		$(VM) $(VMFLAGS) $(PYVM) -t 4800 -- \
		sh -c 'TOY_TIMEOUT=$(DEBUG_TIMEOUT) TOY_STRESS_SECONDS=$(DEBUG_STRESS_SECONDS) \
			TOY_FUZZ_ITERATIONS=$(DEBUG_FUZZ_ITERATIONS) \
			/toy/selftests/kmemleak.sh /toy/selftests/run_tests.sh'; \
	} 2>&1 | tee $(B)/check-debug.log || rc=$$?; \
	selftests/vm/tap-summary $(B)/check-debug.log && exit $$rc

# make install: af_toy.ko into /lib/modules/KVER/extra with modules.alias
# updated, so that socket(25, ...) loads it; KVER is the running kernel's
# unless given, KDIR its headers' tree unless given. The kernel's own
# configuration decides whether it is compressed (af_toy.ko.xz on 6.12). The tools and their man pages go under PREFIX. DESTDIR
# stages it all under another root (packages; selftests/install_test.sh).
PREFIX ?= /usr/local
# where Debian's python3 looks for packages under PREFIX
PY_VER := $(shell /usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PY_DIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(PY_VER)/dist-packages)
INSTALL_KVER = $(if $(filter command line environment,$(origin KVER)),$(KVER),$(shell uname -r))
INSTALL_KDIR = $(if $(filter command line environment,$(origin KDIR)),$(KDIR),/lib/modules/$(INSTALL_KVER)/build)
INSTALL_MOD := $(B)/install-module
MAN8 := toystat.8 toycat.8 toyperf.8

install: user
	@test -d $(INSTALL_KDIR) || { echo "install: no headers for kernel $(INSTALL_KVER) in $(INSTALL_KDIR); install linux-headers-$(INSTALL_KVER), or give the kernel: make install KVER=..." >&2; exit 1; }
	rm -rf $(INSTALL_MOD) && mkdir -p $(INSTALL_MOD) && cp -r Kbuild module $(INSTALL_MOD)/
	$(MAKE) -C $(INSTALL_KDIR) M=$(CURDIR)/$(INSTALL_MOD) modules
	@# unsigned: the distribution's signing key is not on this machine
	$(MAKE) -C $(INSTALL_KDIR) M=$(CURDIR)/$(INSTALL_MOD) CONFIG_MODULE_SIG_ALL= \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(abspath $(DESTDIR))) INSTALL_MOD_DIR=extra modules_install
	depmod $(if $(DESTDIR),-b $(abspath $(DESTDIR))) $(INSTALL_KVER)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(addprefix $(B)/bin/,$(TOOLS)) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(addprefix Documentation/,$(MAN8)) $(DESTDIR)$(PREFIX)/share/man/man8/
	@test -n "$(PY_VER)" || { echo "install: no /usr/bin/python3 to install the af_toy Python package for; install python3 (make deps)" >&2; exit 1; }
	install -d $(DESTDIR)$(PY_DIR)/af_toy
	install -m 0644 python/af_toy/*.py python/af_toy/py.typed $(DESTDIR)$(PY_DIR)/af_toy/

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(INSTALL_KVER)/extra/af_toy.ko*
	depmod $(if $(DESTDIR),-b $(abspath $(DESTDIR))) $(INSTALL_KVER)
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(TOOLS)) \
	      $(addprefix $(DESTDIR)$(PREFIX)/share/man/man8/,$(MAN8))
	rm -rf $(DESTDIR)$(PY_DIR)/af_toy

# make module's objects, cleaned with a tree that is already there: clean
# never fetches or builds a kernel
CLEAN_KDIR = $(if $(KVER),$(KDIR),$(shell $(KERNEL_SH) --cached $(KERNEL) 2>/dev/null)/build)
clean:
	-$(MAKE) -s -C $(CLEAN_KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -rf $(B)
