// SPDX-License-Identifier: GPL-2.0
/*
 * The event stream: the "events" multicast group of the "af_toy" generic
 * netlink family. A member sees each step of a socket's life in the order
 * it happened, with the attributes the socket dump has; drops add up to
 * every datagram dropped, at a bounded rate; another network namespace
 * sees nothing; an unprivileged user may listen; and a member that cannot
 * keep up is told it lost events (ENOBUFS).
 *
 * Every test runs in a network namespace of its own, so that the events it
 * reads are its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"
#include "toy_nl.h"

#define PORT		7100
#define NOBODY		65534
/* the most events a test keeps */
#define MAX_EVENTS	4096
/* sockets opened and closed to overrun a member's buffer */
#define FLOOD		2000
/* datagrams sent to a receiver that does not read */
#define DGRAM_FLOOD	3000
#define DGRAM_SIZE	256
/* threads sending to one receiver at once */
#define FLOODERS	4

/**
 * struct seen - the events a test read
 * @n: how many
 * @ev: each, in the order they came
 */
struct seen {
	unsigned int n;
	struct toy_sock_info ev[MAX_EVENTS];
};

FIXTURE(events) {
	int family;
	struct toy_genl g;
	struct seen *seen;
};

FIXTURE_SETUP(events)
{
	self->seen = calloc(1, sizeof(*self->seen));
	ASSERT_NE(NULL, self->seen);
	self->family = toy_family();
	if (self->family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s",
						   strerror(errno));
	ASSERT_EQ(0, toy_genl_open(&self->g)) TH_LOG("af_toy genl: %s",
						      strerror(errno));
	ASSERT_EQ(0, toy_events_join(&self->g)) TH_LOG("join: %s",
							strerror(errno));
}

FIXTURE_TEARDOWN(events)
{
	if (self->g.nl)
		toy_genl_close(&self->g);
	free(self->seen);
}

/* The 6.1 harness runs the body after a SKIP in FIXTURE_SETUP: stop it. */
#define SETUP_OR_SKIP() do {						\
	if (self->family < 0)						\
		SKIP(return, "af_toy.ko is not loaded");		\
} while (0)

static int keep_event(const struct toy_sock_info *ev, void *data)
{
	struct seen *seen = data;

	if (seen->n < MAX_EVENTS)
		seen->ev[seen->n++] = *ev;
	return 0;
}

/*
 * Read events into self->seen until @want more came or nothing came for
 * WAKE_MS. Returns 0, or the errno of the read that failed.
 */
static int read_events(FIXTURE_DATA(events) *self, unsigned int want)
{
	unsigned int until = self->seen->n + want;

	while (self->seen->n < until) {
		unsigned int before = self->seen->n;

		if (toy_events_read(&self->g, WAKE_MS, keep_event, self->seen))
			return errno;
		if (self->seen->n == before)
			break;
	}
	return 0;
}

/*
 * Events already queued, read without waiting; how many. Every event is
 * sent before the call that caused it returns, so after the calls this
 * is all of them.
 */
static unsigned int read_rest(FIXTURE_DATA(events) *self)
{
	unsigned int before = self->seen->n;

	while (toy_events_read(&self->g, 0, keep_event, self->seen) == 0 &&
	       self->seen->n > before && self->seen->n < MAX_EVENTS &&
	       poll_for(mnl_socket_get_fd(self->g.nl), POLLIN, 0) & POLLIN)
		;
	return self->seen->n - before;
}

static uint64_t ev_val(const struct toy_sock_info *ev, int attr)
{
	return ev->val[attr];
}

/* One expected event: what happened, to which socket (by cookie). */
struct expect {
	enum toy_event event;
	uint64_t cookie;
};

/* The events seen are exactly @want, in order; logs the first mismatch. */
static bool events_are(struct __test_metadata *_metadata,
		       const struct seen *seen, const struct expect *want,
		       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && i < seen->n; i++) {
		if (ev_val(&seen->ev[i], TOY_SOCK_A_EVENT) != want[i].event ||
		    ev_val(&seen->ev[i], TOY_SOCK_A_COOKIE) != want[i].cookie) {
			TH_LOG("event %u: %" PRIu64 " of cookie %" PRIu64 ", expected %u of cookie %" PRIu64,
			       i, ev_val(&seen->ev[i], TOY_SOCK_A_EVENT),
			       ev_val(&seen->ev[i], TOY_SOCK_A_COOKIE),
			       want[i].event, want[i].cookie);
			return false;
		}
	}
	if (seen->n != n)
		TH_LOG("%u events, expected %u", seen->n, n);
	return seen->n == n;
}

TEST_F(events, stream_connection_steps_arrive_in_order)
{
	uint64_t cl, cs, cc;
	int l, c, s;
	char buf[8];

	SETUP_OR_SKIP();
	l = toy_socket_bound(self->family, SOCK_STREAM, PORT);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, listen(l, 4));
	c = socket(self->family, SOCK_STREAM, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, toy_connect_port(c, self->family, PORT));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	ASSERT_EQ(5, send(c, "hello", 5, 0));
	ASSERT_EQ(5, recv(s, buf, sizeof(buf), 0));
	cl = cookie_of(l);
	cc = cookie_of(c);
	cs = cookie_of(s);
	close(c);
	close(s);
	close(l);
	const struct expect want[] = {
		{ TOY_EVENT_CREATED, cl }, { TOY_EVENT_BOUND, cl },
		{ TOY_EVENT_LISTENING, cl },
		{ TOY_EVENT_CREATED, cc },
		{ TOY_EVENT_BOUND, cc },	/* autobind */
		{ TOY_EVENT_CONNECTED, cc },
		{ TOY_EVENT_ACCEPTED, cs },
		{ TOY_EVENT_CLOSED, cc }, { TOY_EVENT_CLOSED, cs },
		{ TOY_EVENT_CLOSED, cl },
	};

	ASSERT_EQ(0, read_events(self, ARRAY_SIZE(want)));
	EXPECT_EQ(0U, read_rest(self));
	ASSERT_TRUE(events_are(_metadata, self->seen, want, ARRAY_SIZE(want)));
	/* the attributes say what each step did */
	EXPECT_EQ((uint64_t)PORT, ev_val(&self->seen->ev[1], TOY_SOCK_A_PORT));
	EXPECT_EQ((uint64_t)TOY_STATE_LISTEN, ev_val(&self->seen->ev[2],
					   TOY_SOCK_A_STATE));
	EXPECT_EQ((uint64_t)TOY_STATE_CONNECTED, ev_val(&self->seen->ev[5],
					      TOY_SOCK_A_STATE));
	EXPECT_EQ((uint64_t)PORT, ev_val(&self->seen->ev[5], TOY_SOCK_A_PEER_PORT));
	EXPECT_EQ((uint64_t)PORT, ev_val(&self->seen->ev[6], TOY_SOCK_A_PORT));
	EXPECT_EQ(ev_val(&self->seen->ev[4], TOY_SOCK_A_PORT),
		  ev_val(&self->seen->ev[6], TOY_SOCK_A_PEER_PORT));
	EXPECT_NE(0U, ev_val(&self->seen->ev[6], TOY_SOCK_A_INODE));
	EXPECT_EQ(5U, ev_val(&self->seen->ev[7], TOY_SOCK_A_TX_BYTES));
	EXPECT_EQ(5U, ev_val(&self->seen->ev[8], TOY_SOCK_A_RX_BYTES));
}

TEST_F(events, socketpair_reports_both_ends_created_and_connected)
{
	int sv[2];

	SETUP_OR_SKIP();
	ASSERT_EQ(0, socketpair(self->family, SOCK_SEQPACKET, 0, sv));
	const struct expect want[] = {
		{ TOY_EVENT_CREATED, cookie_of(sv[0]) },
		{ TOY_EVENT_CREATED, cookie_of(sv[1]) },
		{ TOY_EVENT_CONNECTED, cookie_of(sv[0]) },
		{ TOY_EVENT_CONNECTED, cookie_of(sv[1]) },
	};

	ASSERT_EQ(0, read_events(self, ARRAY_SIZE(want)));
	EXPECT_EQ(0U, read_rest(self));
	EXPECT_TRUE(events_are(_metadata, self->seen, want, ARRAY_SIZE(want)));
	EXPECT_EQ((uint64_t)SOCK_SEQPACKET, ev_val(&self->seen->ev[0], TOY_SOCK_A_TYPE));
	close(sv[0]);
	close(sv[1]);
}

TEST_F(events, dgram_connect_reports_the_destination)
{
	int fd[3];

	SETUP_OR_SKIP();
	ASSERT_EQ(0, toy_pair(self->family, SOCK_DGRAM, PORT, fd));
	const struct expect want[] = {
		{ TOY_EVENT_CREATED, cookie_of(fd[1]) },
		{ TOY_EVENT_BOUND, cookie_of(fd[1]) },
		{ TOY_EVENT_CREATED, cookie_of(fd[0]) },
		{ TOY_EVENT_BOUND, cookie_of(fd[0]) },
		{ TOY_EVENT_CONNECTED, cookie_of(fd[0]) },
		{ TOY_EVENT_CONNECTED, cookie_of(fd[1]) },
	};

	ASSERT_EQ(0, read_events(self, ARRAY_SIZE(want)));
	EXPECT_EQ(0U, read_rest(self));
	EXPECT_TRUE(events_are(_metadata, self->seen, want, ARRAY_SIZE(want)));
	EXPECT_EQ((uint64_t)PORT, ev_val(&self->seen->ev[4], TOY_SOCK_A_PEER_PORT));
	fds_close(fd, 3);
}

TEST_F(events, reset_names_the_socket_whose_peer_left_data_unread)
{
	int fd[3];
	uint64_t victim;
	unsigned int i, resets = 0;

	SETUP_OR_SKIP();
	ASSERT_EQ(0, toy_pair(self->family, SOCK_STREAM, PORT, fd));
	ASSERT_EQ(0, read_events(self, 7));
	self->seen->n = 0;
	victim = cookie_of(fd[0]);
	ASSERT_EQ(3, send(fd[0], "abc", 3, 0));
	/* the accepted end closes with the 3 bytes unread */
	close(fd[1]);
	fd[1] = -1;
	ASSERT_EQ(0, read_events(self, 2));
	for (i = 0; i < self->seen->n; i++) {
		if (ev_val(&self->seen->ev[i], TOY_SOCK_A_EVENT) != TOY_EVENT_RESET)
			continue;
		resets++;
		EXPECT_EQ(victim, ev_val(&self->seen->ev[i], TOY_SOCK_A_COOKIE));
	}
	EXPECT_EQ(1U, resets);
	fds_close(fd, 3);
}

/* Drops events of @cookie, and how many drops they report per reason. */
static unsigned int drops_of(const struct seen *seen, uint64_t cookie,
			     uint64_t *rcvbuf, uint64_t *closed)
{
	unsigned int i, events = 0;

	*rcvbuf = *closed = 0;
	for (i = 0; i < seen->n; i++) {
		const struct toy_sock_info *ev = &seen->ev[i];

		if (ev_val(ev, TOY_SOCK_A_EVENT) != TOY_EVENT_DROPS ||
		    ev_val(ev, TOY_SOCK_A_COOKIE) != cookie)
			continue;
		events++;
		if (ev_val(ev, TOY_SOCK_A_DROP_REASON) == TOY_DROP_RCVBUF)
			*rcvbuf += ev_val(ev, TOY_SOCK_A_EVENT_DROPS);
		else
			*closed += ev_val(ev, TOY_SOCK_A_EVENT_DROPS);
	}
	return events;
}

/* The count of the drops events of @cookie for @reason, and their number. */
static uint64_t drops_for(const struct seen *seen, uint64_t cookie,
			  enum toy_drop_reason reason, unsigned int *events)
{
	uint64_t n = 0;
	unsigned int i;

	*events = 0;
	for (i = 0; i < seen->n; i++) {
		const struct toy_sock_info *ev = &seen->ev[i];

		if (ev_val(ev, TOY_SOCK_A_EVENT) == TOY_EVENT_DROPS &&
		    ev_val(ev, TOY_SOCK_A_COOKIE) == cookie &&
		    ev_val(ev, TOY_SOCK_A_DROP_REASON) == reason) {
			n += ev_val(ev, TOY_SOCK_A_EVENT_DROPS);
			(*events)++;
		}
	}
	return n;
}

/*
 * Each datagram the namespace's impairments lose is a drops event of its
 * receiver, reason impair; one held back for a delay that finds its
 * receiver gone is one of its sender, reason unreachable.
 */
TEST_F(events, impairment_drops_are_events_with_their_reason)
{
	struct toy_impair imp = { .loss = 1000000, .seed = 1 };
	uint64_t tx, rx, lost, gone;
	unsigned int events, gone_events;
	struct toy_genl cmd;
	int fd[3], i;

	SETUP_OR_SKIP();
	/* a socket of its own: replies on the events socket would skip events */
	ASSERT_EQ(0, toy_genl_open(&cmd));
	ASSERT_EQ(0, toy_pair(self->family, SOCK_DGRAM, PORT, fd));
	tx = cookie_of(fd[0]);
	rx = cookie_of(fd[1]);
	ASSERT_EQ(0, toy_impair_set(&cmd, &imp));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(1, send(fd[0], "x", 1, 0));
	imp.loss = 0;
	/* long enough for the close below to come first on a slow machine */
	imp.delay_us = 1000000;
	ASSERT_EQ(0, toy_impair_set(&cmd, &imp));
	toy_genl_close(&cmd);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(1, send(fd[0], "x", 1, 0));
	close(fd[1]);
	fd[1] = -1;
	/* the held ones are due 1 s on; events come as they are dropped */
	read_rest(self);
	for (i = 0; i < 10 && drops_for(self->seen, tx, TOY_DROP_UNREACHABLE,
					 &gone_events) < 3; i++)
		ASSERT_EQ(0, read_events(self, 1));
	lost = drops_for(self->seen, rx, TOY_DROP_IMPAIR, &events);
	gone = drops_for(self->seen, tx, TOY_DROP_UNREACHABLE, &gone_events);
	EXPECT_EQ(5U, lost);
	EXPECT_EQ(5U, events);
	EXPECT_EQ(3U, gone);
	EXPECT_EQ(3U, gone_events);
	fds_close(fd, 3);
}

TEST_F(events, dgram_drops_add_up_at_a_bounded_rate)
{
	int small = 4096, fd[3], i, queued;
	uint64_t rx, rcvbuf, closed;
	char buf[DGRAM_SIZE] = {};
	unsigned int events;
	double start, took;

	SETUP_OR_SKIP();
	ASSERT_EQ(0, toy_pair(self->family, SOCK_DGRAM, PORT, fd));
	ASSERT_EQ(0, setsockopt(fd[1], SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	rx = cookie_of(fd[1]);
	start = now_ms();
	for (i = 0; i < DGRAM_FLOOD; i++)
		ASSERT_EQ(DGRAM_SIZE, send(fd[0], buf, sizeof(buf), 0));
	took = now_ms() - start;
	queued = DGRAM_FLOOD - meminfo(fd[1], SK_MEMINFO_DROPS);
	/* what the receiver never read is dropped when it closes */
	close(fd[1]);
	fd[1] = -1;
	/* a probe sends its event before the call returns: all are here */
	read_rest(self);
	events = drops_of(self->seen, rx, &rcvbuf, &closed);
	TH_LOG("%d datagrams in %.0f ms: %u drops events, %" PRIu64 " for want of room, %" PRIu64 " unread at close",
	       DGRAM_FLOOD, took, events, rcvbuf, closed);
	EXPECT_EQ((uint64_t)(DGRAM_FLOOD - queued), rcvbuf);
	EXPECT_EQ((uint64_t)queued, closed);
	/* the first at once, one per interval, the rest before closed */
	EXPECT_GE(2 + took / TOY_EVENT_DROPS_INTERVAL_MS + 1, (double)events);
	EXPECT_LE(2U, events);
	fds_close(fd, 3);
}

/* One of several senders flooding one receiver. */
struct flooder {
	int family;
	int sent;
};

static void *flood(void *arg)
{
	struct flooder *f = arg;
	char buf[DGRAM_SIZE] = {};
	int fd = socket(f->family, SOCK_DGRAM, 0), i;

	if (fd < 0 || toy_connect_port(fd, f->family, PORT))
		return NULL;
	for (i = 0; i < DGRAM_FLOOD; i++)
		if (send(fd, buf, sizeof(buf), 0) == sizeof(buf))
			f->sent++;
	close(fd);
	return NULL;
}

TEST_F(events, dgram_drops_of_racing_senders_add_up)
{
	struct flooder f[FLOODERS];
	uint64_t rx, rcvbuf, closed, sent = 0;
	int small = 4096, fd, i, queued;
	pthread_t t[FLOODERS];
	unsigned int n, events;

	SETUP_OR_SKIP();
	fd = toy_socket_bound(self->family, SOCK_DGRAM, PORT);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	rx = cookie_of(fd);
	for (i = 0; i < FLOODERS; i++) {
		f[i].family = self->family;
		f[i].sent = 0;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, flood, &f[i]));
	}
	for (i = 0; i < FLOODERS; i++) {
		pthread_join(t[i], NULL);
		sent += f[i].sent;
	}
	ASSERT_EQ((uint64_t)FLOODERS * DGRAM_FLOOD, sent);
	queued = sent - meminfo(fd, SK_MEMINFO_DROPS);
	close(fd);
	read_rest(self);
	events = drops_of(self->seen, rx, &rcvbuf, &closed);
	TH_LOG("%u drops events: %" PRIu64 " for want of room, %" PRIu64 " unread at close",
	       events, rcvbuf, closed);
	EXPECT_EQ(sent - queued, rcvbuf);
	EXPECT_EQ((uint64_t)queued, closed);
	/* no event counts more than there was, nor comes after closed */
	for (n = 0; n < self->seen->n; n++) {
		const struct toy_sock_info *ev = &self->seen->ev[n];

		if (ev_val(ev, TOY_SOCK_A_COOKIE) != rx)
			continue;
		if (ev_val(ev, TOY_SOCK_A_EVENT) == TOY_EVENT_DROPS)
			EXPECT_GE(sent, ev_val(ev, TOY_SOCK_A_EVENT_DROPS));
		if (ev_val(ev, TOY_SOCK_A_EVENT) == TOY_EVENT_CLOSED)
			EXPECT_EQ(self->seen->n - 1, n);
	}
}

/* In a namespace of its own, a whole connection and a dropped datagram. */
static int busy_elsewhere(int family)
{
	int fd[3], small = 4096, i;
	char buf[DGRAM_SIZE] = {};

	if (unshare(CLONE_NEWNET))
		return 10;
	if (toy_pair(family, SOCK_STREAM, PORT, fd))
		return 11;
	send(fd[0], "x", 1, 0);
	fds_close(fd, 3);
	if (toy_pair(family, SOCK_DGRAM, PORT, fd))
		return 12;
	setsockopt(fd[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	for (i = 0; i < 100; i++)
		send(fd[0], buf, sizeof(buf), 0);
	fds_close(fd, 3);
	return 0;
}

TEST_F(events, another_namespace_sees_none)
{
	int status, marker;
	pid_t pid;

	SETUP_OR_SKIP();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(busy_elsewhere(self->family));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("10: unshare, 11, 12: pairs");
	/* then one socket here: the first and only event */
	marker = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_LE(0, marker);
	ASSERT_EQ(0, read_events(self, 1));
	EXPECT_EQ(0U, read_rest(self));
	ASSERT_EQ(1U, self->seen->n);
	EXPECT_EQ(cookie_of(marker), ev_val(&self->seen->ev[0],
					    TOY_SOCK_A_COOKIE));
	close(marker);
}

/* As nobody: join, make a socket, see its event. */
static int listen_as_nobody(int family)
{
	struct seen *seen = calloc(1, sizeof(*seen));
	struct toy_genl g;
	int fd;

	if (!seen || setgid(NOBODY) || setuid(NOBODY))
		return 10;
	if (toy_genl_open(&g))
		return 11;
	if (toy_events_join(&g))
		return 12;
	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return 13;
	if (toy_events_read(&g, WAKE_MS, keep_event, seen) || seen->n != 1)
		return 14;
	if (seen->ev[0].val[TOY_SOCK_A_COOKIE] != cookie_of(fd) ||
	    seen->ev[0].val[TOY_SOCK_A_UID] != NOBODY)
		return 15;
	return 0;
}

TEST_F(events, an_unprivileged_user_may_listen)
{
	int status;
	pid_t pid;

	SETUP_OR_SKIP();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(listen_as_nobody(self->family));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("10: setuid, 11: genl open, 12: join, 13: socket, 14: no event, 15: wrong cookie or uid");
}

TEST_F(events, event_attributes_are_the_dump_attributes)
{
	struct sock_find f;
	const struct toy_sock_info *ev;
	int l, attr;

	SETUP_OR_SKIP();
	l = toy_socket_bound(self->family, SOCK_STREAM, PORT);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, listen(l, 7));
	ASSERT_EQ(0, read_events(self, 3));
	ASSERT_EQ(3U, self->seen->n);
	ev = &self->seen->ev[2];
	ASSERT_EQ((uint64_t)TOY_EVENT_LISTENING, ev_val(ev, TOY_SOCK_A_EVENT));
	ASSERT_EQ(0, toy_sock_find(&self->g, l, &f));
	ASSERT_EQ(1U, f.seen);
	for (attr = TOY_SOCK_A_TYPE; attr <= TOY_SOCK_A_DROPS; attr++) {
		EXPECT_EQ(f.info.has[attr], ev->has[attr])
			TH_LOG("attribute %d", attr);
		EXPECT_EQ(f.info.val[attr], ev->val[attr])
			TH_LOG("attribute %d", attr);
	}
	close(l);
}

TEST_F(events, a_member_that_falls_behind_gets_enobufs_then_more_events)
{
	int small = 1, i, fd, err = 0;
	unsigned int rounds;

	SETUP_OR_SKIP();
	/* the smallest buffer the kernel allows, and nobody reading it */
	ASSERT_EQ(0, setsockopt(mnl_socket_get_fd(self->g.nl), SOL_SOCKET,
				SO_RCVBUF, &small, sizeof(small)));
	for (i = 0; i < FLOOD; i++) {
		fd = socket(self->family, SOCK_DGRAM, 0);
		ASSERT_LE(0, fd);
		close(fd);
	}
	/* the loss is reported where it happened, then events go on */
	for (rounds = 0; rounds < FLOOD && !err; rounds++) {
		self->seen->n = 0;
		if (toy_events_read(&self->g, 0, keep_event, self->seen))
			err = errno;
		else if (!self->seen->n)
			break;
	}
	EXPECT_EQ(ENOBUFS, err) TH_LOG("%s", strerror(err));
	TH_LOG("%u events read before the loss was reported", self->seen->n);
	read_rest(self);
	self->seen->n = 0;
	fd = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, read_events(self, 1));
	ASSERT_EQ(1U, self->seen->n);
	EXPECT_EQ(cookie_of(fd), ev_val(&self->seen->ev[0], TOY_SOCK_A_COOKIE));
	close(fd);
}

TEST_HARNESS_MAIN
