// SPDX-License-Identifier: GPL-2.0
/*
 * toycat, netcat for AF_TOY: bytes go through it intact both ways, a
 * stream ends when both sides have sent everything, datagrams and
 * seqpacket records keep their boundaries, its reports (-j) say the ports and counts, and its errors
 * say what to do, with exit statuses scripts can tell apart.
 *
 * Each test runs in a network namespace of its own, with a scratch folder;
 * toycat is found on PATH (the test VM has it in /toy/bin). A toycat run
 * in the background writes its exit status to a file, which the test
 * waits for with a time limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "families.h"
#include "run_cmd.h"

#define PORT		7200
#define NOBODY		65534
#define OUT_MAX		65536
#define CMD_MAX		1024
/* how long a background toycat may take to get ready or to finish */
#define WAIT_MS		10000
#define STEP_MS		10
#define BULK		(1 << 20)	/* bytes each way in the stream test */

FIXTURE(toycat) {
	int family;
	char dir[64];
	char out[OUT_MAX];
	int fd[2];
};

FIXTURE_SETUP(toycat)
{
	fds_init(self->fd, 2);
	self->dir[0] = '\0';
	self->family = toy_family();
	if (self->family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	if (system("command -v toycat >/dev/null"))
		SKIP(return, "toycat is not on PATH");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	strcpy(self->dir, "/tmp/toycat.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
}

FIXTURE_TEARDOWN(toycat)
{
	char cmd[CMD_MAX];

	fds_close(self->fd, 2);
	if (!self->dir[0])
		return;
	/* background toycats still running are killed, then the folder goes */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && for p in *.pid; do [ -e \"$p\" ] && kill $(cat \"$p\"); done; cd / && rm -rf %s",
		 self->dir, self->dir);
	if (system(cmd))
		TH_LOG("cleaning %s failed", self->dir);
}

/* Run a shell command made from @fmt in the scratch folder; its status. */
static int sh(FIXTURE_DATA(toycat) *self, int uid, const char *fmt, ...)
{
	char cmd[CMD_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return run_as(uid, cmd, self->out, sizeof(self->out));
}

#define SH(...) sh(self, -1, __VA_ARGS__)

/*
 * Start toycat with @args in the background as NAME: input NAME.in (which
 * must exist), output NAME.out, reports NAME.ev, its pid in NAME.pid (for
 * the teardown to kill it), its exit status in NAME.rc.
 */
#define BACKGROUND(name, args)						\
	ASSERT_EQ(0, SH("(toycat " args " <" name ".in >" name ".out 2>" name ".ev & " \
			"echo $! >" name ".pid; wait $!; echo $? >" name ".rc) " \
			"</dev/null >/dev/null 2>&1 &"))

/* The contents of file @path (at most @size - 1 bytes), or NULL. */
static char *slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* Wait up to WAIT_MS for file @path to hold @needle; whether it did. */
static bool wait_file(const char *path, const char *needle)
{
	struct timespec step = { .tv_nsec = STEP_MS * 1000000L };
	char buf[4096];
	int ms;

	for (ms = 0; ms < WAIT_MS; ms += STEP_MS) {
		if (slurp(path, buf, sizeof(buf)) && strstr(buf, needle))
			return true;
		nanosleep(&step, NULL);
	}
	return false;
}

/* The exit status a background toycat wrote to NAME.rc, or -1. */
static int bg_status(const char *name)
{
	char path[64], buf[16];

	snprintf(path, sizeof(path), "%s.rc", name);
	if (!wait_file(path, "\n"))
		return -1;
	return atoi(slurp(path, buf, sizeof(buf)));
}

/* A JSON number member @key of the @event line in report file @path. */
static long long ev_num(const char *path, const char *event, const char *key)
{
	char buf[4096], want[64], *line, *p;

	if (!slurp(path, buf, sizeof(buf)))
		return -1;
	snprintf(want, sizeof(want), "{\"event\":\"%s\"", event);
	line = strstr(buf, want);
	if (!line)
		return -1;
	snprintf(want, sizeof(want), "\"%s\":", key);
	p = strstr(line, want);
	if (!p || (strchr(line, '\n') && p > strchr(line, '\n')))
		return -1;
	return atoll(p + strlen(want));
}

/* Write @len pseudo-random bytes (from @seed) to file @path. */
static int make_file(const char *path, size_t len, unsigned int seed)
{
	static char data[BULK];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t i;

	if (fd < 0 || len > sizeof(data))
		return -1;
	srandom(seed);
	for (i = 0; i < len; i++)
		data[i] = random();
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A socket of @type bound to @port. */
static int bound(int family, int type, uint32_t port)
{
	struct sockaddr_toy addr = {
		.stoy_family = family,
		.stoy_port = port,
	};
	int fd = socket(family, type, 0);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST_F(toycat, stream_copies_both_ways_and_ends_when_both_are_done)
{
	ASSERT_EQ(0, make_file("l.in", BULK, 1));
	ASSERT_EQ(0, make_file("c.in", BULK / 2 + 7, 2));
	BACKGROUND("l", "-l -j 7201");
	ASSERT_TRUE(wait_file("l.ev", "listening"));

	ASSERT_EQ(0, SH("toycat -j 7201 <c.in >c.out 2>c.ev")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, bg_status("l"));
	/* each side got exactly what the other read from its input */
	EXPECT_EQ(0, SH("cmp l.in c.out && cmp c.in l.out")) TH_LOG("%s", self->out);
	EXPECT_EQ(BULK, ev_num("l.ev", "closed", "sent_bytes"));
	EXPECT_EQ(BULK / 2 + 7, ev_num("l.ev", "closed", "recv_bytes"));
	EXPECT_EQ(BULK / 2 + 7, ev_num("c.ev", "closed", "sent_bytes"));
	EXPECT_EQ(BULK, ev_num("c.ev", "closed", "recv_bytes"));
	/* both reports name the same connection */
	EXPECT_EQ(7201, ev_num("c.ev", "connected", "peer_port"));
	EXPECT_EQ(ev_num("c.ev", "connected", "port"),
		  ev_num("l.ev", "connected", "peer_port"));
}

TEST_F(toycat, listener_without_a_port_reports_the_free_port_it_got)
{
	long long port;

	ASSERT_EQ(0, SH("echo hello >l.in"));
	BACKGROUND("l", "-l -j");
	ASSERT_TRUE(wait_file("l.ev", "listening"));
	port = ev_num("l.ev", "listening", "port");
	ASSERT_LT(1023, port) TH_LOG("an ephemeral port is above 1023");

	ASSERT_EQ(0, SH("echo world | toycat %lld", port)) TH_LOG("%s", self->out);
	EXPECT_STREQ("hello\n", self->out);
	ASSERT_EQ(0, bg_status("l"));
	EXPECT_EQ(0, SH("cat l.out"));
	EXPECT_STREQ("world\n", self->out);
}

TEST_F(toycat, bind_option_sets_the_connecting_port)
{
	ASSERT_EQ(0, SH(": >l.in"));
	BACKGROUND("l", "-l -j 7202");
	ASSERT_TRUE(wait_file("l.ev", "listening"));
	ASSERT_EQ(0, SH("toycat -b 7302 7202 </dev/null")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, bg_status("l"));
	EXPECT_EQ(7302, ev_num("l.ev", "connected", "peer_port"));
}

TEST_F(toycat, keep_open_serves_connections_one_after_another)
{
	int i;

	ASSERT_EQ(0, SH(": >l.in"));
	BACKGROUND("l", "-l -k -v 7203");
	ASSERT_TRUE(wait_file("l.ev", "listening"));
	for (i = 1; i <= 3; i++)
		ASSERT_EQ(0, SH("echo line%d | toycat 7203", i)) TH_LOG("%s", self->out);
	ASSERT_TRUE(wait_file("l.out", "line1\nline2\nline3\n"));
	ASSERT_EQ(0, SH("grep -c '^toycat: closed' l.ev"));
	EXPECT_STREQ("3\n", self->out);
	/* still listening: a fourth gets through */
	EXPECT_EQ(0, SH("echo line4 | toycat 7203"));
	EXPECT_TRUE(wait_file("l.out", "line3\nline4\n"));
}

TEST_F(toycat, dgram_sender_makes_one_datagram_per_read_of_input)
{
	char buf[TOY_DGRAM_MAX + 1];
	struct pollfd p;

	self->fd[0] = bound(self->family, SOCK_DGRAM, 7204);
	ASSERT_LE(0, self->fd[0]);
	/* a file is read TOY_DGRAM_MAX bytes at a time */
	ASSERT_EQ(0, make_file("c.in", TOY_DGRAM_MAX + 1000, 3));
	ASSERT_EQ(0, SH("toycat -u 7204 <c.in")) TH_LOG("%s", self->out);

	p = (struct pollfd){ .fd = self->fd[0], .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, WAIT_MS));
	EXPECT_EQ(TOY_DGRAM_MAX, recv(self->fd[0], buf, sizeof(buf), 0));
	EXPECT_EQ(1000, recv(self->fd[0], buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(-1, recv(self->fd[0], buf, sizeof(buf), MSG_DONTWAIT));
}

TEST_F(toycat, dgram_listener_writes_datagrams_whole_and_answers_the_first_sender)
{
	struct sockaddr_toy to = { .stoy_family = self->family, .stoy_port = 7205 };
	char buf[64];
	struct pollfd p;

	ASSERT_EQ(0, SH("printf pong >l.in"));
	BACKGROUND("l", "-l -u -w 2 -j 7205");
	ASSERT_TRUE(wait_file("l.ev", "listening"));

	self->fd[0] = bound(self->family, SOCK_DGRAM, 7305);
	ASSERT_LE(0, self->fd[0]);
	ASSERT_EQ(3, sendto(self->fd[0], "one", 3, 0, (struct sockaddr *)&to, sizeof(to)));
	/* the answer comes back to the sender of the first datagram */
	p = (struct pollfd){ .fd = self->fd[0], .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, WAIT_MS));
	ASSERT_EQ(4, recv(self->fd[0], buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
	ASSERT_EQ(0, sendto(self->fd[0], "", 0, 0, (struct sockaddr *)&to, sizeof(to)));
	ASSERT_EQ(5, sendto(self->fd[0], "three", 5, 0, (struct sockaddr *)&to, sizeof(to)));

	/* -w 2: silence ends a datagram listener, successfully */
	ASSERT_EQ(0, bg_status("l"));
	EXPECT_TRUE(wait_file("l.out", "onethree"));
	EXPECT_EQ(7305, ev_num("l.ev", "connected", "peer_port"));
	EXPECT_EQ(3, ev_num("l.ev", "closed", "recv_msgs"));
	EXPECT_EQ(8, ev_num("l.ev", "closed", "recv_bytes"));
	EXPECT_EQ(1, ev_num("l.ev", "closed", "sent_msgs"));
}

TEST_F(toycat, seqpacket_sender_makes_one_record_per_read_of_input)
{
	static char buf[TOY_DGRAM_MAX + 1];
	struct pollfd p;

	self->fd[1] = bound(self->family, SOCK_SEQPACKET, 7206);
	ASSERT_LE(0, self->fd[1]);
	ASSERT_EQ(0, listen(self->fd[1], 1));
	ASSERT_EQ(0, make_file("c.in", TOY_DGRAM_MAX + 1000, 4));
	BACKGROUND("c", "-s -j 7206");
	p = (struct pollfd){ .fd = self->fd[1], .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, WAIT_MS));
	self->fd[0] = accept(self->fd[1], NULL, NULL);
	ASSERT_LE(0, self->fd[0]);

	p.fd = self->fd[0];
	ASSERT_EQ(1, poll(&p, 1, WAIT_MS));
	EXPECT_EQ(TOY_DGRAM_MAX, recv(self->fd[0], buf, sizeof(buf), 0));
	ASSERT_EQ(1, poll(&p, 1, WAIT_MS));
	EXPECT_EQ(1000, recv(self->fd[0], buf, sizeof(buf), 0));
	/* then the end of its input: it shuts down its side */
	ASSERT_EQ(1, poll(&p, 1, WAIT_MS));
	EXPECT_EQ(0, recv(self->fd[0], buf, sizeof(buf), MSG_DONTWAIT));
	close(self->fd[0]);
	self->fd[0] = -1;
	EXPECT_EQ(0, bg_status("c"));
	EXPECT_EQ(2, ev_num("c.ev", "closed", "sent_msgs"));
}

TEST_F(toycat, seqpacket_listener_writes_large_and_empty_records_whole)
{
	struct sockaddr_toy to = { .stoy_family = self->family, .stoy_port = 7207 };
	static char big[200000];

	ASSERT_EQ(0, SH(": >l.in"));
	BACKGROUND("l", "-l -s -j 7207");
	ASSERT_TRUE(wait_file("l.ev", "listening"));
	self->fd[0] = socket(self->family, SOCK_SEQPACKET, 0);
	ASSERT_LE(0, self->fd[0]);
	ASSERT_EQ(0, connect(self->fd[0], (struct sockaddr *)&to, sizeof(to)));
	memset(big, 'x', sizeof(big));
	/* larger than toycat's read of its input: SIOCINQ sizes its buffer */
	ASSERT_EQ((ssize_t)sizeof(big), send(self->fd[0], big, sizeof(big), 0));
	/* an empty record is a record, not the end */
	ASSERT_EQ(0, send(self->fd[0], "", 0, 0));
	ASSERT_EQ(3, send(self->fd[0], "end", 3, 0));
	ASSERT_EQ(0, shutdown(self->fd[0], SHUT_WR));
	ASSERT_EQ(0, bg_status("l")) TH_LOG("%s", slurp("l.ev", self->out, sizeof(self->out)));
	EXPECT_EQ((long long)sizeof(big) + 3, ev_num("l.ev", "closed", "recv_bytes"));
	EXPECT_EQ(3, ev_num("l.ev", "closed", "recv_msgs"));
	EXPECT_EQ(0, SH("test $(wc -c <l.out) = %zu && tail -c 3 l.out | grep -qx end",
			sizeof(big) + 3)) TH_LOG("%s", self->out);
}

TEST_F(toycat, connect_to_nobody_fails_and_says_to_start_the_listener)
{
	EXPECT_EQ(1, SH("toycat 7206 </dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "connection refused")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "toycat -l 7206")) TH_LOG("%s", self->out);
	EXPECT_EQ(1, SH("toycat -u 7206 </dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "toycat -l -u 7206")) TH_LOG("%s", self->out);
}

TEST_F(toycat, taken_and_privileged_ports_fail_with_what_to_do)
{
	self->fd[0] = bound(self->family, SOCK_STREAM, 7207);
	ASSERT_LE(0, self->fd[0]);
	EXPECT_EQ(1, SH("toycat -l 7207 </dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "taken")) TH_LOG("%s", self->out);
	EXPECT_EQ(1, sh(self, NOBODY, "toycat -l 80 </dev/null"));
	EXPECT_NE(NULL, strstr(self->out, "CAP_NET_BIND_SERVICE")) TH_LOG("%s", self->out);
}

TEST_F(toycat, wait_option_bounds_the_wait_for_a_connection)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	EXPECT_EQ(1, SH("toycat -l -w 1 7208 </dev/null"));
	clock_gettime(CLOCK_MONOTONIC, &b);
	EXPECT_NE(NULL, strstr(self->out, "within 1 s")) TH_LOG("%s", self->out);
	EXPECT_LE(1, b.tv_sec - a.tv_sec + (b.tv_nsec >= a.tv_nsec ? 0 : -1));
}

TEST_F(toycat, peer_closing_with_unread_bytes_is_a_reset_error)
{
	struct pollfd p;

	self->fd[0] = bound(self->family, SOCK_STREAM, 7209);
	ASSERT_LE(0, self->fd[0]);
	ASSERT_EQ(0, listen(self->fd[0], 1));
	ASSERT_EQ(0, SH("printf x >c.in"));
	BACKGROUND("c", "7209");
	self->fd[1] = accept(self->fd[0], NULL, NULL);
	ASSERT_LE(0, self->fd[1]);
	/* toycat has sent its byte and shut down its side */
	p = (struct pollfd){ .fd = self->fd[1], .events = POLLRDHUP };
	ASSERT_EQ(1, poll(&p, 1, WAIT_MS));
	/* closing with that byte unread resets toycat's end */
	close(self->fd[1]);
	self->fd[1] = -1;
	EXPECT_EQ(1, bg_status("c"));
	EXPECT_EQ(0, SH("cat c.ev"));
	EXPECT_NE(NULL, strstr(self->out, "connection reset")) TH_LOG("%s", self->out);
}

TEST_F(toycat, bad_usage_exits_1_with_a_message_and_help_exits_0)
{
	static const char * const bad[] = {
		"toycat",
		"toycat 0",
		"toycat 4294967295",
		"toycat 7210 7211",
		"toycat x",
		"toycat -w 0 7210",
		"toycat -w 86401 7210",
		"toycat -b 7300 -l 7210",
		"toycat -k 7210",
		"toycat -l -k -u 7210",
		"toycat -u -s 7210",
		"toycat --nosuch",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(1, SH("%s </dev/null", bad[i])) TH_LOG("%s: %s", bad[i], self->out);
		EXPECT_NE(NULL, strstr(self->out, "toycat: ")) TH_LOG("%s: %s", bad[i], self->out);
	}
	EXPECT_EQ(0, SH("toycat --help"));
	EXPECT_NE(NULL, strstr(self->out, "Usage: toycat"));
	EXPECT_EQ(0, SH("toycat -V"));
}

TEST_HARNESS_MAIN
