// SPDX-License-Identifier: GPL-2.0
/*
 * af_toy.ko lifetime: open sockets pin the module, the family parameter is
 * checked at load, and a taken family number fails with a message naming
 * the fix. Needs CAP_SYS_MODULE and the module file (AF_TOY_KO, default
 * /lib/modules/$(uname -r)/extra/af_toy.ko); restores the module as it was
 * found (loaded, same family) after every test.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "families.h"
#include "toy_nl.h"

#define PORT		6100

/* How long the last sockets may take to be freed after close. */
#define RCU_FREE_MS	5000

/*
 * Unload af_toy.ko, which must be unused or about to be: AF_TOY sockets
 * are freed after an RCU grace period (SOCK_RCU_FREE), so each one closed
 * just before still pins the module for a moment. Retries while the module
 * is in use, up to RCU_FREE_MS.
 */
static int module_unload(void)
{
	struct timespec start, now;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		/* O_NONBLOCK: fail at once when in use instead of waiting */
		ret = syscall(SYS_delete_module, "af_toy", O_NONBLOCK);
		if (!ret || errno != EWOULDBLOCK)
			return ret;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000 > RCU_FREE_MS)
			return ret;
		poll(NULL, 0, 10);
	}
}

/* Unload af_toy.ko once, failing at once if it is in use. */
static int module_unload_now(void)
{
	return syscall(SYS_delete_module, "af_toy", O_NONBLOCK);
}

static int module_load(const char *params)
{
	const char *path = getenv("AF_TOY_KO");
	char buf[PATH_MAX];
	struct utsname uts;
	int fd, ret, err;

	if (!path) {
		uname(&uts);
		snprintf(buf, sizeof(buf), "/lib/modules/%s/extra/af_toy.ko",
			 uts.release);
		path = buf;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

/* Position @fd at the end of the kernel log, to read only what follows. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Whether a kernel log record written since kmsg_open() contains @needle. */
static bool kmsg_contains(int fd, const char *needle)
{
	char rec[2048];
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten records: go on */
			continue;
		if (n <= 0)
			return false;
		rec[n] = '\0';
		if (strstr(rec, needle))
			return true;
	}
}

FIXTURE(module) {
	int family;		/* the module was found with; -1: not loaded */
	int kmsg;
};

FIXTURE_SETUP(module)
{
	self->family = toy_family();
	self->kmsg = kmsg_open();
}

FIXTURE_TEARDOWN(module)
{
	char params[32];

	snprintf(params, sizeof(params), "family=%d", self->family);
	if (self->family > 0 && toy_family() < 0)
		EXPECT_EQ(0, module_load(params))
			TH_LOG("cannot reload af_toy.ko: %s", strerror(errno));
	if (self->kmsg >= 0)
		close(self->kmsg);
}

#define NEED_MODULE_OR_SKIP() do {						\
	if (self->family < 0)							\
		SKIP(return, "af_toy.ko is not loaded");			\
	if (geteuid() != 0)							\
		SKIP(return, "loading and unloading modules needs root");	\
} while (0)

static void unload_refused_while_open(struct __test_metadata *_metadata,
				      int family, int type)
{
	int fd = socket(family, type, 0);

	ASSERT_LE(0, fd);
	/* Linux 6.1 answers delete_module() of a module in use with EAGAIN */
	EXPECT_EQ(-1, module_unload_now());
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(family, toy_family());
	close(fd);
	EXPECT_EQ(0, module_unload()) TH_LOG("unload: %s", strerror(errno));
	EXPECT_EQ(-1, toy_family());
}

TEST_F(module, unload_refused_while_stream_socket_open)
{
	NEED_MODULE_OR_SKIP();
	unload_refused_while_open(_metadata, self->family, SOCK_STREAM);
}

TEST_F(module, unload_refused_while_dgram_socket_open)
{
	NEED_MODULE_OR_SKIP();
	unload_refused_while_open(_metadata, self->family, SOCK_DGRAM);
}

/*
 * In a new network namespace: delay datagrams by @delay_ms, send some and
 * close both ends with them held back.
 */
static int hold_datagrams_and_close(int family, int delay_ms)
{
	struct toy_impair imp = { .delay_us = delay_ms * 1000, .seed = 1 };
	struct toy_genl g;
	int fd[3], i;

	if (unshare(CLONE_NEWNET) || toy_genl_open(&g) ||
	    toy_impair_set(&g, &imp) || toy_pair(family, SOCK_DGRAM, PORT, fd))
		return 1;
	for (i = 0; i < 20; i++)
		if (send(fd[0], "datagram", 8, 0) != 8)
			return 2;
	close(fd[0]);
	close(fd[1]);
	toy_genl_close(&g);
	return 0;
}

/*
 * Datagrams held back for a delay keep their closed sender, and so the
 * module: unloading is refused until they are delivered (to nobody) and
 * freed, then succeeds.
 */
TEST_F(module, unload_refused_while_datagrams_are_held_back)
{
	int status;
	pid_t pid;

	NEED_MODULE_OR_SKIP();
	ASSERT_EQ(0, toy_sockets_settle(RCU_FREE_MS));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(hold_datagrams_and_close(self->family, 3000));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child exit %d", WEXITSTATUS(status));
	EXPECT_EQ(-1, module_unload_now());
	EXPECT_EQ(EWOULDBLOCK, errno);
	/* 3 s of delay, then the grace period: module_unload() waits 5 s */
	EXPECT_EQ(0, module_unload()) TH_LOG("unload: %s", strerror(errno));
}

/* Whether modprobe can find af_toy.ko by the alias net-pf-<default>. */
static bool alias_installed(void)
{
	char path[PATH_MAX], line[256], want[64];
	struct utsname uts;
	bool found = false;
	FILE *f;

	uname(&uts);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.alias",
		 uts.release);
	snprintf(want, sizeof(want), "alias net-pf-%d af_toy\n",
		 TOY_FAMILY_DEFAULT);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strcmp(line, want);
	fclose(f);
	return found;
}

TEST_F(module, socket_after_unload_autoloads_default_family)
{
	int fd;

	NEED_MODULE_OR_SKIP();
	if (!alias_installed())
		SKIP(return, "af_toy.ko is not installed where modprobe finds it (no net-pf-%d in modules.alias)",
		     TOY_FAMILY_DEFAULT);
	ASSERT_EQ(0, module_unload());
	ASSERT_EQ(-1, toy_family());
	/* __sock_create() asks modprobe for "net-pf-25" */
	fd = socket(TOY_FAMILY_DEFAULT, SOCK_STREAM, 0);
	EXPECT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	EXPECT_EQ(TOY_FAMILY_DEFAULT, toy_family());
	close(fd);
	/* back to the family the module was found with */
	ASSERT_EQ(0, module_unload());
}

/* A family number nothing registers, found by asking socket(2). */
static int free_family(void)
{
	int family, fd;

	for (family = TOY_FAMILY_DEFAULT + 1; family < 46; family++) {
		fd = socket(family, SOCK_STREAM, 0);
		if (fd < 0 && errno == EAFNOSUPPORT)
			return family;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

/*
 * The module's only alias is net-pf-25: a socket of the number it would
 * take with family=N does not load it (README, "Loading it").
 */
TEST_F(module, socket_of_another_family_does_not_autoload)
{
	int family;

	NEED_MODULE_OR_SKIP();
	if (!alias_installed())
		SKIP(return, "af_toy.ko is not installed where modprobe finds it (no net-pf-%d in modules.alias)",
		     TOY_FAMILY_DEFAULT);
	ASSERT_EQ(0, module_unload());
	family = free_family();
	ASSERT_LT(0, family) TH_LOG("every family number is taken");
	/* free_family() itself asked for that socket: no module came */
	EXPECT_EQ(-1, toy_family());
	EXPECT_EQ(-1, socket(family, SOCK_STREAM, 0));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	EXPECT_EQ(-1, toy_family());
}

TEST_F(module, family_parameter_registers_and_unload_unregisters)
{
	char params[32];
	int family, fd;

	NEED_MODULE_OR_SKIP();
	ASSERT_EQ(0, module_unload());
	family = free_family();
	ASSERT_LT(0, family) TH_LOG("every family number is taken");
	snprintf(params, sizeof(params), "family=%d", family);

	ASSERT_EQ(0, module_load(params)) TH_LOG("%s: %s", params, strerror(errno));
	EXPECT_EQ(family, toy_family());
	fd = socket(family, SOCK_DGRAM, 0);
	EXPECT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	close(fd);

	ASSERT_EQ(0, module_unload());
	EXPECT_EQ(-1, socket(family, SOCK_DGRAM, 0));
	EXPECT_EQ(EAFNOSUPPORT, errno);
}

TEST_F(module, netlink_family_comes_and_goes_with_the_module)
{
	struct toy_stats st;
	struct toy_genl g;
	char params[32];
	int family, status;

	NEED_MODULE_OR_SKIP();
	if (system("command -v toystat >/dev/null"))
		SKIP(return, "toystat is not on PATH");
	ASSERT_EQ(0, module_unload());
	EXPECT_EQ(-1, toy_genl_open(&g));
	EXPECT_EQ(ENOENT, errno);
	/* toystat tells a missing module apart from other errors */
	status = system("toystat >/dev/null 2>&1");
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(2, WEXITSTATUS(status));
	/* and so does toyperf, before measuring anything */
	if (!system("command -v toyperf >/dev/null")) {
		status = system("toyperf -q connect >/dev/null 2>&1");
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(2, WEXITSTATUS(status));
	}
	/* and toycat, before opening a socket */
	if (!system("command -v toycat >/dev/null")) {
		status = system("toycat -l 7000 </dev/null >/dev/null 2>&1");
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(2, WEXITSTATUS(status));
	}

	family = free_family();
	ASSERT_LT(0, family);
	snprintf(params, sizeof(params), "family=%d", family);
	ASSERT_EQ(0, module_load(params)) TH_LOG("%s: %s", params, strerror(errno));
	ASSERT_EQ(0, toy_genl_open(&g)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, toy_stats_get(&g, &st));
	EXPECT_EQ((uint32_t)family, st.family);
	toy_genl_close(&g);
	ASSERT_EQ(0, module_unload());
}

TEST_F(module, default_load_registers_family_25)
{
	int fd;

	NEED_MODULE_OR_SKIP();
	ASSERT_EQ(0, module_unload());
	ASSERT_EQ(0, module_load("")) TH_LOG("load: %s", strerror(errno));
	EXPECT_EQ(TOY_FAMILY_DEFAULT, toy_family());
	EXPECT_TRUE(kmsg_contains(self->kmsg, "af_toy: registered address family 25"));
	fd = socket(TOY_FAMILY_DEFAULT, SOCK_STREAM, 0);
	EXPECT_LE(0, fd);
	close(fd);
	/* back to the family the module was found with */
	ASSERT_EQ(0, module_unload());
}

TEST_F(module, taken_family_fails_naming_number_and_fix)
{
	NEED_MODULE_OR_SKIP();
	ASSERT_EQ(0, module_unload());
	/* AF_UNIX is built into every kernel */
	EXPECT_EQ(-1, module_load("family=1"));
	/* not EEXIST, which tells modprobe the module is loaded already */
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, toy_family());
	EXPECT_TRUE(kmsg_contains(self->kmsg,
				  "address family 1 is already registered"));
	/* the same record names the parameter that fixes it */
	lseek(self->kmsg, 0, SEEK_END);
	EXPECT_EQ(-1, module_load("family=1"));
	EXPECT_TRUE(kmsg_contains(self->kmsg, "insmod af_toy.ko family=N"));
}

TEST_F(module, out_of_range_family_is_einval)
{
	static const char * const bad[] = {
		"family=0", "family=-1", "family=46", "family=100000",
	};
	unsigned int i;

	NEED_MODULE_OR_SKIP();
	ASSERT_EQ(0, module_unload());
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-1, module_load(bad[i])) TH_LOG("%s loaded", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", bad[i]);
	}
	EXPECT_TRUE(kmsg_contains(self->kmsg, "is out of range"));
	EXPECT_EQ(-1, toy_family());
}

/* Cycles of the lifecycle tests, and sockets of each kind per cycle. */
#define CYCLES		100

/*
 * A stream pair with data in flight and a dgram pair with a datagram
 * queued, in @fd[6]; 0 or -1.
 */
static int busy_sockets(int family, int fd[6])
{
	if (toy_pair(family, SOCK_STREAM, PORT, fd) ||
	    toy_pair(family, SOCK_DGRAM, PORT + 10, fd + 3))
		return -1;
	if (send(fd[0], "stream", 6, 0) != 6 || send(fd[3], "dgram", 5, 0) != 5)
		return -1;
	return 0;
}

TEST_F_TIMEOUT(module, load_and_unload_100_times_with_sockets_between, 600)
{
	char params[32];
	int fd[6], i, j;

	NEED_MODULE_OR_SKIP();
	snprintf(params, sizeof(params), "family=%d", self->family);
	for (i = 0; i < CYCLES; i++) {
		ASSERT_EQ(0, busy_sockets(self->family, fd)) TH_LOG("cycle %d", i);
		/* in use: refused */
		ASSERT_EQ(-1, module_unload_now());
		ASSERT_EQ(EWOULDBLOCK, errno);
		for (j = 0; j < 6; j++)
			close(fd[j]);
		ASSERT_EQ(0, module_unload()) TH_LOG("cycle %d: %s", i, strerror(errno));
		ASSERT_EQ(0, module_load(params)) TH_LOG("cycle %d: %s", i, strerror(errno));
	}
	EXPECT_EQ(self->family, toy_family());
	EXPECT_EQ(0, toy_sockets_settle(RCU_FREE_MS));
}

/* In a new network namespace: listeners, busy pairs, then exit. */
static int fill_a_namespace(int family)
{
	int fd[6], lst[4], i;

	if (unshare(CLONE_NEWNET))
		return 1;
	for (i = 0; i < 4; i++) {
		lst[i] = toy_socket_bound(family, SOCK_STREAM, PORT + 20 + i);
		if (lst[i] < 0 || listen(lst[i], 4))
			return 2;
	}
	if (busy_sockets(family, fd))
		return 3;
	/* exit with everything open: the namespace goes with the last socket */
	return 0;
}

TEST_F_TIMEOUT(module, hundred_namespaces_filled_and_destroyed_leave_no_socket, 600)
{
	int i, status;
	pid_t pid;

	NEED_MODULE_OR_SKIP();
	ASSERT_EQ(0, toy_sockets_settle(RCU_FREE_MS));
	for (i = 0; i < CYCLES; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid)
			_exit(fill_a_namespace(self->family));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("namespace %d", i);
	}
	/* every socket of every namespace freed, and nothing pins the module */
	EXPECT_EQ(0, toy_sockets_settle(RCU_FREE_MS));
	EXPECT_EQ(0, module_unload()) TH_LOG("unload: %s", strerror(errno));
}

TEST_HARNESS_MAIN
