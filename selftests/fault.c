// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures, injected one at a time with failslab's fail-nth:
 * for each operation, the first run fails its 1st slab allocation, the
 * next its 2nd, and so on until the operation makes fewer allocations
 * than asked (fail-nth still pending afterwards). Every failed run must
 * return an errno (or succeed, where the failure was recoverable), leave
 * nothing behind, and leave AF_TOY working: the next run without a fault
 * must succeed. Leaks are what kmemleak reports after the run (make
 * check-debug), and the module's own count of live socks, which must
 * return to zero.
 *
 * Needs a kernel with CONFIG_FAILSLAB and debugfs (the debug kernel of
 * make check-debug); SKIPs elsewhere, saying so.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <libmnl/libmnl.h>

#include "kselftest_harness.h"
#include "families.h"
#include "toy_nl.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"
/* More allocations than any operation makes: a bound, not a goal. */
#define MAX_NTH		400
#define PORT		7300

/* Write @val to the failslab control file @name; 0 or -1. */
static int failslab_set(const char *name, const char *val)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), FAILSLAB "/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Whether slab caches take part in failslab's cache filter: run.sh -b
 * boots with slub_debug=A for every cache but kmemleak's (Linux 6.1 has
 * no runtime switch per cache).
 */
static bool caches_marked(void)
{
	char c = '0';
	int fd = open("/sys/kernel/slab/kmalloc-64/failslab", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

/* Arm (@nth > 0) the @nth slab allocation of this thread to fail. */
static int fail_nth_set(int fd, int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", nth);

	return pwrite(fd, buf, len, 0) == len ? 0 : -1;
}

/* What is left of fail-nth: 0 once the failure was injected. */
static int fail_nth_left(int fd)
{
	char buf[16] = {};

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

FIXTURE(fault) {
	int family;
	int nth;		/* /proc/thread-self/fail-nth */
	int lst;		/* a stream listener on PORT */
	int seqlst;		/* a seqpacket listener on PORT */
	int dgram;		/* a dgram socket bound to PORT */
	int fd[3];
	struct toy_genl g;	/* opened by the netlink set-ups, not under fault */
	bool g_open;
};

FIXTURE_SETUP(fault)
{
	self->nth = self->lst = self->seqlst = self->dgram = -1;
	fds_init(self->fd, 3);
	self->family = toy_family();
	if (self->family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	if (access(FAILSLAB, F_OK))
		SKIP(return, "this kernel has no failslab in debugfs (make check-debug has)");
	/* fail GFP_KERNEL allocations too, and quietly: no stack per fault */
	ASSERT_EQ(0, failslab_set("ignore-gfp-wait", "N"));
	ASSERT_EQ(0, failslab_set("verbose", "0"));
	/*
	 * Only caches marked failslab count for fail-nth: all of them but
	 * kmemleak's own, whose failure would turn kmemleak off for the
	 * rest of the run.
	 */
	if (!caches_marked())
		SKIP(return, "slab caches not marked for failslab (boot with slub_debug=A)");
	ASSERT_EQ(0, failslab_set("cache-filter", "Y"));
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->lst = toy_socket_bound(self->family, SOCK_STREAM, PORT);
	ASSERT_LE(0, self->lst);
	ASSERT_EQ(0, listen(self->lst, 64));
	/* drain() takes what is queued and must not wait for more */
	ASSERT_EQ(0, fcntl(self->lst, F_SETFL, O_NONBLOCK));
	self->seqlst = toy_socket_bound(self->family, SOCK_SEQPACKET, PORT);
	ASSERT_LE(0, self->seqlst);
	ASSERT_EQ(0, listen(self->seqlst, 64));
	ASSERT_EQ(0, fcntl(self->seqlst, F_SETFL, O_NONBLOCK));
	self->dgram = toy_socket_bound(self->family, SOCK_DGRAM, PORT);
	ASSERT_LE(0, self->dgram);
}

FIXTURE_TEARDOWN(fault)
{
	if (self->g_open)
		toy_genl_close(&self->g);
	fds_close(self->fd, 3);
	if (self->lst >= 0)
		close(self->lst);
	if (self->seqlst >= 0)
		close(self->seqlst);
	if (self->dgram >= 0)
		close(self->dgram);
	if (self->nth >= 0)
		close(self->nth);
}

/*
 * One operation under test: set up what it needs (@prep, not under
 * fault), run it (@op, under fault; returns 0 or an errno), clean up.
 */
struct op {
	const char *name;
	int (*prep)(FIXTURE_DATA(fault) *self);
	int (*run)(FIXTURE_DATA(fault) *self);
};

/* Drain what the listener and the dgram socket received. */
static void drain(FIXTURE_DATA(fault) *self)
{
	char buf[1024];
	int fd;

	while ((fd = accept(self->lst, NULL, NULL)) >= 0)
		close(fd);
	while ((fd = accept(self->seqlst, NULL, NULL)) >= 0)
		close(fd);
	while (recv(self->dgram, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static int errno_of(int ret)
{
	return ret < 0 ? errno : 0;
}

static int prep_nothing(FIXTURE_DATA(fault) *self)
{
	return 0;
}

static int prep_stream(FIXTURE_DATA(fault) *self)
{
	self->fd[0] = socket(self->family, SOCK_STREAM, 0);
	return self->fd[0] < 0 ? errno : 0;
}

static int prep_dgram(FIXTURE_DATA(fault) *self)
{
	self->fd[0] = socket(self->family, SOCK_DGRAM, 0);
	return self->fd[0] < 0 ? errno : 0;
}

static int prep_pair(FIXTURE_DATA(fault) *self)
{
	self->fd[0] = socket(self->family, SOCK_STREAM, 0);
	if (self->fd[0] < 0 || toy_connect_port(self->fd[0], self->family, PORT))
		return errno;
	self->fd[1] = accept(self->lst, NULL, NULL);
	return self->fd[1] < 0 ? errno : 0;
}

static int prep_seqpacket_pair(FIXTURE_DATA(fault) *self)
{
	self->fd[0] = socket(self->family, SOCK_SEQPACKET, 0);
	if (self->fd[0] < 0 || toy_connect_port(self->fd[0], self->family, PORT))
		return errno;
	self->fd[1] = accept(self->seqlst, NULL, NULL);
	return self->fd[1] < 0 ? errno : 0;
}

static int prep_waiting_connection(FIXTURE_DATA(fault) *self)
{
	self->fd[0] = socket(self->family, SOCK_STREAM, 0);
	if (self->fd[0] < 0 || toy_connect_port(self->fd[0], self->family, PORT))
		return errno;
	return 0;
}

static int run_socket_stream(FIXTURE_DATA(fault) *self)
{
	self->fd[2] = socket(self->family, SOCK_STREAM, 0);
	return errno_of(self->fd[2]);
}

static int run_socket_dgram(FIXTURE_DATA(fault) *self)
{
	self->fd[2] = socket(self->family, SOCK_DGRAM, 0);
	return errno_of(self->fd[2]);
}

static int run_socket_seqpacket(FIXTURE_DATA(fault) *self)
{
	self->fd[2] = socket(self->family, SOCK_SEQPACKET, 0);
	return errno_of(self->fd[2]);
}

static int run_seqpacket_connect(FIXTURE_DATA(fault) *self)
{
	self->fd[2] = socket(self->family, SOCK_SEQPACKET, 0);
	if (self->fd[2] < 0)
		return errno;
	return errno_of(toy_connect_port(self->fd[2], self->family, PORT));
}

/* A record of several skbs: the ones allocated before a failure go too. */
static int run_seqpacket_send(FIXTURE_DATA(fault) *self)
{
	static char buf[150000];

	return errno_of(send(self->fd[0], buf, sizeof(buf), MSG_DONTWAIT));
}

static int run_bind_any(FIXTURE_DATA(fault) *self)
{
	struct sockaddr_toy a = {
		.stoy_family = self->family,
		.stoy_port = TOY_PORT_ANY,
	};

	return errno_of(bind(self->fd[0], (struct sockaddr *)&a, sizeof(a)));
}

static int run_connect(FIXTURE_DATA(fault) *self)
{
	return errno_of(toy_connect_port(self->fd[0], self->family, PORT));
}

static int run_accept(FIXTURE_DATA(fault) *self)
{
	self->fd[2] = accept(self->lst, NULL, NULL);
	return errno_of(self->fd[2]);
}

static int run_stream_send(FIXTURE_DATA(fault) *self)
{
	static char buf[100000];

	return errno_of(send(self->fd[0], buf, sizeof(buf), MSG_DONTWAIT));
}

static int run_dgram_send(FIXTURE_DATA(fault) *self)
{
	char buf[1000] = {};

	if (toy_connect_port(self->fd[0], self->family, PORT))
		return errno;
	return errno_of(send(self->fd[0], buf, sizeof(buf), 0));
}

/*
 * A netlink socket of its own for each run, opened before the fault: a
 * reply lost to a failed allocation must not confuse the next run. A
 * receive timeout turns a lost reply into EAGAIN instead of a hang.
 */
static int prep_genl(FIXTURE_DATA(fault) *self)
{
	struct timeval tv = { .tv_sec = 5 };

	if (toy_genl_open(&self->g))
		return errno;
	self->g_open = true;
	return setsockopt(mnl_socket_get_fd(self->g.nl), SOL_SOCKET,
			  SO_RCVTIMEO, &tv, sizeof(tv)) ? errno : 0;
}

static int prep_genl_and_pair(FIXTURE_DATA(fault) *self)
{
	return prep_pair(self) ?: prep_genl(self);
}

static int run_stats_get(FIXTURE_DATA(fault) *self)
{
	struct toy_stats st;

	return errno_of(toy_stats_get(&self->g, &st));
}

static int count_cb(const struct toy_sock_info *sock, void *data)
{
	(*(int *)data)++;
	return 0;
}

static int run_sock_dump(FIXTURE_DATA(fault) *self)
{
	int n = 0;

	return errno_of(toy_sock_dump(&self->g, 0, -1, count_cb, &n));
}

/* Undo what a set-up and a run left: sockets, connections, datagrams. */
static void cleanup(FIXTURE_DATA(fault) *self)
{
	fds_close(self->fd, 3);
	drain(self);
	if (self->g_open)
		toy_genl_close(&self->g);
	self->g_open = false;
}

/*
 * Run @op with its 1st, 2nd, ... slab allocation failing until it makes
 * fewer allocations than that; then once more without a fault, which must
 * succeed. Returns the number of failures injected.
 */
static int inject_each(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fault) *self, const struct op *op)
{
	int nth, err, left, injected = 0;

	for (nth = 1; nth <= MAX_NTH; nth++) {
		ASSERT_EQ(0, op->prep(self)) TH_LOG("%s: set-up failed", op->name);
		ASSERT_EQ(0, fail_nth_set(self->nth, nth));
		err = op->run(self);
		left = fail_nth_left(self->nth);
		ASSERT_EQ(0, fail_nth_set(self->nth, 0));
		cleanup(self);
		if (left > 0)
			break;
		if (err)
			TH_LOG("%s: allocation %d failed: %s", op->name, nth, strerror(err));
		injected++;
		/* a failure is an errno from the call, never a crash or a hang */
		EXPECT_TRUE(err == 0 || err == ENOMEM || err == ENOBUFS ||
			    err == EAGAIN || err == ENFILE || err == EMFILE)
			TH_LOG("%s, allocation %d failed: errno %d (%s)", op->name,
			       nth, err, strerror(err));
	}
	EXPECT_LT(nth, MAX_NTH) TH_LOG("%s: still allocating after %d", op->name, MAX_NTH);
	/* and it works again */
	ASSERT_EQ(0, op->prep(self));
	EXPECT_EQ(0, op->run(self)) TH_LOG("%s after the faults", op->name);
	cleanup(self);
	TH_LOG("%s: %d allocations failed in turn", op->name, injected);
	return injected;
}

/*
 * @min: allocations the operation must make at least. Binding makes none
 * (the port table grows in a worker, not in bind()), and the test keeps
 * it so. The 6.1 harness runs the body after a SKIP in FIXTURE_SETUP:
 * stop it.
 */
#define FAULT_TEST(name, prep_fn, run_fn, min)					\
TEST_F_TIMEOUT(fault, name##_survives_each_allocation_failing, 600)	\
{										\
	static const struct op op = { #name, prep_fn, run_fn };		\
										\
	if (self->nth < 0)							\
		SKIP(return, "no failslab here (make check-debug has it)");	\
	EXPECT_LE(min, inject_each(_metadata, self, &op));			\
}

FAULT_TEST(create_stream, prep_nothing, run_socket_stream, 1)
FAULT_TEST(create_dgram, prep_nothing, run_socket_dgram, 1)
FAULT_TEST(bind_any_port, prep_stream, run_bind_any, 0)
FAULT_TEST(connect, prep_stream, run_connect, 1)
FAULT_TEST(accept, prep_waiting_connection, run_accept, 1)
FAULT_TEST(stream_send, prep_pair, run_stream_send, 1)
FAULT_TEST(dgram_send, prep_dgram, run_dgram_send, 1)
FAULT_TEST(create_seqpacket, prep_nothing, run_socket_seqpacket, 1)
FAULT_TEST(seqpacket_connect, prep_nothing, run_seqpacket_connect, 1)
FAULT_TEST(seqpacket_send, prep_seqpacket_pair, run_seqpacket_send, 3)
FAULT_TEST(netlink_stats_get, prep_genl, run_stats_get, 1)
FAULT_TEST(netlink_socket_dump, prep_genl_and_pair, run_sock_dump, 1)

/* After all of it, no AF_TOY sock of this test is left alive anywhere. */
TEST(no_sock_outlives_the_faults)
{
	if (access(FAILSLAB, F_OK))
		SKIP(return, "this kernel has no failslab in debugfs (make check-debug has)");
	EXPECT_EQ(0, toy_sockets_settle(5000));
}

TEST_HARNESS_MAIN
