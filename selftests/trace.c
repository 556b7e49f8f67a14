// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY's tracepoints (events/af_toy/ in tracefs): each test enables
 * them, runs a known sequence of calls in a network namespace of its own,
 * reads the trace buffer back and checks that the events it expects are
 * there, in order, with their fields: the namespace's cookie
 * (SO_NETNS_COOKIE), each socket's cookie (SO_COOKIE), ports, lengths and
 * outcomes. Events of other namespaces are left out by the cookie.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"
#include "toy_nl.h"
#include "tracefs.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE	71
#endif

#define PORT		7400
#define MAX_EVENTS	4096
#define MAX_FIELDS	12

/* One event read back: its name and its key=value fields. */
struct event {
	char name[32];
	int nfields;
	char key[MAX_FIELDS][16];
	char val[MAX_FIELDS][24];
};

FIXTURE(trace) {
	const char *dir;
	uint64_t netns;
	int family;
	struct event *ev;
	int nev;
	int next;	/* where expect_event() goes on from */
	int fd[4];
};

FIXTURE_SETUP(trace)
{
	int fd;

	fds_init(self->fd, 4);
	self->ev = calloc(MAX_EVENTS, sizeof(*self->ev));
	ASSERT_NE(NULL, self->ev);
	self->family = toy_family();
	if (self->family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->dir = tracefs();
	if (!*self->dir)
		SKIP(return, "no tracefs (mount: %s)", strerror(errno));
	fd = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	self->netns = sockopt_u64(fd, SO_NETNS_COOKIE);
	close(fd);
	ASSERT_NE(0ULL, self->netns);
	ASSERT_EQ(0, trace_enable(self->dir, "events/af_toy", true))
		TH_LOG("%s/events/af_toy/enable: %s", self->dir, strerror(errno));
	ASSERT_EQ(0, trace_write(self->dir, "trace", ""));
}

FIXTURE_TEARDOWN(trace)
{
	fds_close(self->fd, 4);
	if (self->dir && *self->dir)
		trace_enable(self->dir, "events/af_toy", false);
	free(self->ev);
}

/* Parse the af_toy events of this namespace out of the trace buffer. */
static void read_events(struct __test_metadata *_metadata,
			FIXTURE_DATA(trace) *self)
{
	char path[256], line[512], want[48];
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", self->dir);
	snprintf(want, sizeof(want), " netns=%" PRIu64 " ", self->netns);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	self->nev = 0;
	self->next = 0;
	while (self->nev < MAX_EVENTS && fgets(line, sizeof(line), f)) {
		struct event *e = &self->ev[self->nev];
		char *p = strstr(line, ": toy_"), *tok, *save;

		if (!p || !strstr(line, want))
			continue;
		memset(e, 0, sizeof(*e));
		p += 2;
		tok = strtok_r(p, ": \n", &save);
		snprintf(e->name, sizeof(e->name), "%s", tok);
		while ((tok = strtok_r(NULL, " \n", &save)) &&
		       e->nfields < MAX_FIELDS) {
			char *eq = strchr(tok, '=');

			if (!eq)
				continue;
			*eq = '\0';
			snprintf(e->key[e->nfields], sizeof(e->key[0]), "%s", tok);
			snprintf(e->val[e->nfields], sizeof(e->val[0]), "%s",
				 eq + 1);
			e->nfields++;
		}
		self->nev++;
	}
	fclose(f);
}

static const char *field(const struct event *e, const char *key)
{
	int i;

	for (i = 0; i < e->nfields; i++)
		if (!strcmp(e->key[i], key))
			return e->val[i];
	return NULL;
}

/* Does @e have every "key=value" of @match (space-separated)? */
static bool matches(const struct event *e, const char *name,
		    const char *match)
{
	char buf[256], *tok, *save;

	if (strcmp(e->name, name))
		return false;
	snprintf(buf, sizeof(buf), "%s", match);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		const char *v;

		if (!eq)
			return false;
		*eq = '\0';
		v = field(e, tok);
		if (!v || strcmp(v, eq + 1))
			return false;
	}
	return true;
}

/*
 * The next event @name, after the one the last call found, with the
 * fields in @fmt (printf-style "key=value ..."): fails the test, listing
 * what was read, when there is none.
 */
static void expect_event(struct __test_metadata *_metadata,
			 FIXTURE_DATA(trace) *self, const char *name,
			 const char *fmt, ...)
{
	char match[256];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(match, sizeof(match), fmt, ap);
	va_end(ap);
	for (i = self->next; i < self->nev; i++) {
		if (matches(&self->ev[i], name, match)) {
			self->next = i + 1;
			return;
		}
	}
	TH_LOG("no %s with %s after event %d; read %d events:", name, match,
	       self->next, self->nev);
	for (i = 0; i < self->nev; i++)
		TH_LOG("  %d %s cookie=%s", i, self->ev[i].name,
		       field(&self->ev[i], "cookie") ?: "-");
	EXPECT_TRUE(false);
}

/* The stream connection used by several tests: L listening, C, S. */
enum { L, C, S, X };

static void stream_connection(struct __test_metadata *_metadata,
			      FIXTURE_DATA(trace) *self, int type)
{
	self->fd[L] = toy_socket_bound(self->family, type, PORT);
	ASSERT_LE(0, self->fd[L]);
	ASSERT_EQ(0, listen(self->fd[L], 4));
	self->fd[C] = socket(self->family, type, 0);
	ASSERT_LE(0, self->fd[C]);
	ASSERT_EQ(0, toy_connect_port(self->fd[C], self->family, PORT));
	self->fd[S] = accept(self->fd[L], NULL, NULL);
	ASSERT_LE(0, self->fd[S]);
}

TEST_F(trace, connection_lifecycle_in_order)
{
	uint64_t l, c, s;
	uint32_t cport;
	char buf[8];

	stream_connection(_metadata, self, SOCK_STREAM);
	l = cookie_of(self->fd[L]);
	c = cookie_of(self->fd[C]);
	s = cookie_of(self->fd[S]);
	cport = toy_port_of(self->fd[C]);
	ASSERT_EQ(5, send(self->fd[C], "hello", 5, 0));
	ASSERT_EQ(5, recv(self->fd[S], buf, sizeof(buf), 0));
	ASSERT_EQ(0, shutdown(self->fd[C], SHUT_WR));
	fds_close(self->fd, 4);
	fds_init(self->fd, 4);
	read_events(_metadata, self);

	expect_event(_metadata, self, "toy_create",
		     "cookie=%" PRIu64 " type=stream accepted=0", l);
	expect_event(_metadata, self, "toy_bind",
		     "cookie=%" PRIu64 " port=%d asked=%d autobind=0 err=0",
		     l, PORT, PORT);
	expect_event(_metadata, self, "toy_state",
		     "cookie=%" PRIu64 " from=unconnected to=listen", l);
	expect_event(_metadata, self, "toy_listen",
		     "cookie=%" PRIu64 " backlog=4", l);
	expect_event(_metadata, self, "toy_create",
		     "cookie=%" PRIu64 " accepted=0", c);
	/* the listener's end, allocated by connect() itself */
	expect_event(_metadata, self, "toy_create",
		     "cookie=%" PRIu64 " accepted=1", s);
	expect_event(_metadata, self, "toy_bind",
		     "cookie=%" PRIu64 " port=%u asked=0 autobind=1 err=0",
		     c, cport);
	expect_event(_metadata, self, "toy_state",
		     "cookie=%" PRIu64 " port=%d to=connected", s, PORT);
	expect_event(_metadata, self, "toy_state",
		     "cookie=%" PRIu64 " to=connected", c);
	expect_event(_metadata, self, "toy_connect",
		     "cookie=%" PRIu64 " peer=%d outcome=queued err=0", c, PORT);
	expect_event(_metadata, self, "toy_accept",
		     "cookie=%" PRIu64 " child=%" PRIu64 " peer=%u", l, s,
		     cport);
	expect_event(_metadata, self, "toy_send",
		     "cookie=%" PRIu64 " peer=%d len=5 err=0", c, PORT);
	expect_event(_metadata, self, "toy_recv",
		     "cookie=%" PRIu64 " len=5 peek=0 err=0", s);
	expect_event(_metadata, self, "toy_shutdown",
		     "cookie=%" PRIu64 " rd=0 wr=1 peer_rd=1 peer_wr=0", c);
	/* close: the listener first (fds_close() goes from the end) */
	expect_event(_metadata, self, "toy_release",
		     "cookie=%" PRIu64 " unread=0", s);
	expect_event(_metadata, self, "toy_release",
		     "cookie=%" PRIu64 " unread=0", c);
	expect_event(_metadata, self, "toy_release",
		     "cookie=%" PRIu64, l);
}

TEST_F(trace, connect_reports_each_outcome)
{
	struct timeval tv = { .tv_usec = 200 * 1000 };
	uint64_t c[3];
	int fd[3], i;

	/* nobody there */
	fd[0] = socket(self->family, SOCK_STREAM, 0);
	ASSERT_LE(0, fd[0]);
	EXPECT_EQ(-1, toy_connect_port(fd[0], self->family, PORT));
	/* a backlog of 0 takes one; the next waits or is turned away */
	self->fd[L] = toy_socket_bound(self->family, SOCK_STREAM, PORT);
	ASSERT_EQ(0, listen(self->fd[L], 0));
	self->fd[C] = socket(self->family, SOCK_STREAM, 0);
	ASSERT_EQ(0, toy_connect_port(self->fd[C], self->family, PORT));
	fd[1] = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	EXPECT_EQ(-1, toy_connect_port(fd[1], self->family, PORT));
	EXPECT_EQ(EAGAIN, errno);
	fd[2] = socket(self->family, SOCK_STREAM, 0);
	ASSERT_EQ(0, setsockopt(fd[2], SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	EXPECT_EQ(-1, toy_connect_port(fd[2], self->family, PORT));
	EXPECT_EQ(EAGAIN, errno);
	for (i = 0; i < 3; i++) {
		c[i] = cookie_of(fd[i]);
		close(fd[i]);
	}
	read_events(_metadata, self);

	expect_event(_metadata, self, "toy_connect",
		     "cookie=%" PRIu64 " peer=%d outcome=refused err=%d", c[0],
		     PORT, -ECONNREFUSED);
	expect_event(_metadata, self, "toy_connect",
		     "cookie=%" PRIu64 " outcome=backlog_full err=%d", c[1],
		     -EAGAIN);
	expect_event(_metadata, self, "toy_connect",
		     "cookie=%" PRIu64 " outcome=waiting", c[2]);
	expect_event(_metadata, self, "toy_connect",
		     "cookie=%" PRIu64 " outcome=timed_out err=%d", c[2],
		     -EAGAIN);
}

TEST_F(trace, bytes_copied_into_a_waiting_reader_are_counted_as_direct)
{
	static unsigned char buf[65536];
	struct call r = { .op = CALL_RECV, .buf = buf, .len = sizeof(buf),
			  .flags = MSG_WAITALL };
	int after_warm_up;
	uint64_t c, s;

	stream_connection(_metadata, self, SOCK_STREAM);
	c = cookie_of(self->fd[C]);
	s = cookie_of(self->fd[S]);
	/* a bulk read first, so that the reader posts its buffer next time */
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], buf, sizeof(buf));
	r.fd = self->fd[S];
	ASSERT_EQ(0, call_start(&r));
	EXPECT_FALSE(call_returns_within(&r, BLOCKED_MS));
	ASSERT_EQ((ssize_t)sizeof(buf), send(self->fd[C], buf, sizeof(buf), 0));
	EXPECT_TRUE(call_returns_within(&r, WAKE_MS));
	call_join(&r);
	ASSERT_EQ((ssize_t)sizeof(buf), r.ret);
	read_events(_metadata, self);

	/* the warm-up went through the queue */
	expect_event(_metadata, self, "toy_send",
		     "cookie=%" PRIu64 " len=65536 direct=0", c);
	expect_event(_metadata, self, "toy_recv",
		     "cookie=%" PRIu64 " len=65536 direct=0", s);
	/*
	 * The second send found the reader waiting. toy_send fires when
	 * sendmsg() ends, after the copy has woken the reader, so the
	 * reader's toy_recv may come first: look for each after the warm-up.
	 */
	after_warm_up = self->next;
	expect_event(_metadata, self, "toy_send",
		     "cookie=%" PRIu64 " len=65536", c);
	EXPECT_STRNE("0", field(&self->ev[self->next - 1], "direct"));
	self->next = after_warm_up;
	expect_event(_metadata, self, "toy_recv",
		     "cookie=%" PRIu64 " len=65536", s);
	EXPECT_STRNE("0", field(&self->ev[self->next - 1], "direct"));
}

TEST_F(trace, flow_control_wait_and_wakeup)
{
	char chunk[4096] = {};
	struct call w = { .op = CALL_SEND, .buf = chunk, .len = sizeof(chunk) };
	uint64_t c;

	stream_connection(_metadata, self, SOCK_STREAM);
	c = cookie_of(self->fd[C]);
	while (send(self->fd[C], chunk, sizeof(chunk), MSG_DONTWAIT) > 0)
		;
	w.fd = self->fd[C];
	ASSERT_EQ(0, call_start(&w));
	EXPECT_FALSE(call_returns_within(&w, BLOCKED_MS));
	while (recv(self->fd[S], chunk, sizeof(chunk), MSG_DONTWAIT) > 0)
		;
	EXPECT_TRUE(call_returns_within(&w, WAKE_MS));
	call_join(&w);
	read_events(_metadata, self);

	expect_event(_metadata, self, "toy_wait_room",
		     "cookie=%" PRIu64, c);
	EXPECT_LE(atoi(field(&self->ev[self->next - 1], "limit")),
		  atoi(field(&self->ev[self->next - 1], "inflight")));
	expect_event(_metadata, self, "toy_write_space",
		     "cookie=%" PRIu64, c);
	expect_event(_metadata, self, "toy_send",
		     "cookie=%" PRIu64 " len=4096 err=0", c);
}

TEST_F(trace, datagram_drops_carry_their_reason)
{
	int rcvbuf = 4096, i, sent = 0;
	char dgram[1000] = {};
	uint64_t rx;
	uint32_t from;

	self->fd[S] = toy_socket_bound(self->family, SOCK_DGRAM, PORT);
	ASSERT_LE(0, self->fd[S]);
	ASSERT_EQ(0, setsockopt(self->fd[S], SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	self->fd[C] = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_EQ(0, toy_connect_port(self->fd[C], self->family, PORT));
	from = toy_port_of(self->fd[C]);
	rx = cookie_of(self->fd[S]);
	for (i = 0; i < 64; i++)
		sent += send(self->fd[C], dgram, sizeof(dgram), 0) > 0;
	ASSERT_EQ(64, sent);
	close(self->fd[S]);
	self->fd[S] = -1;
	read_events(_metadata, self);

	expect_event(_metadata, self, "toy_send",
		     "type=dgram peer=%d len=1000 err=0", PORT);
	expect_event(_metadata, self, "toy_drop",
		     "cookie=%" PRIu64 " from=%u len=1000 count=1 reason=rcvbuf",
		     rx, from);
	expect_event(_metadata, self, "toy_drop",
		     "cookie=%" PRIu64 " reason=closed", rx);
	expect_event(_metadata, self, "toy_release",
		     "cookie=%" PRIu64, rx);
}

/*
 * A datagram the namespace's impairments hold back and copy: held, its
 * copy made and held, then each due and delivered; one sent on ahead of
 * the delay: reordered.
 */
TEST_F(trace, impairments_trace_each_datagram_held_copied_due_or_reordered)
{
	struct toy_impair imp = {
		.delay_us = 10000, .duplicate = 1000000, .seed = 1,
	};
	struct toy_genl g;
	uint64_t rx;
	uint32_t from;
	char buf[8];
	int i;

	ASSERT_EQ(0, toy_pair(self->family, SOCK_DGRAM, PORT, self->fd));
	rx = cookie_of(self->fd[1]);
	from = toy_port_of(self->fd[0]);
	ASSERT_EQ(0, toy_genl_open(&g));
	ASSERT_EQ(0, toy_impair_set(&g, &imp));
	ASSERT_EQ(5, send(self->fd[0], "held!", 5, 0));
	/* both copies come after the delay */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(POLLIN, poll_for(self->fd[1], POLLIN, WAKE_MS));
		ASSERT_EQ(5, recv(self->fd[1], buf, sizeof(buf), 0));
	}
	imp.duplicate = 0;
	imp.reorder = 1000000;
	ASSERT_EQ(0, toy_impair_set(&g, &imp));
	ASSERT_EQ(5, send(self->fd[0], "ahead", 5, 0));
	ASSERT_EQ(5, recv(self->fd[1], buf, sizeof(buf), MSG_DONTWAIT));
	toy_genl_close(&g);
	read_events(_metadata, self);

	expect_event(_metadata, self, "toy_impair",
		     "cookie=%" PRIu64 " from=%u len=5 action=held delay_us=10000",
		     rx, from);
	expect_event(_metadata, self, "toy_impair",
		     "cookie=%" PRIu64 " from=%u len=5 action=duplicated", rx, from);
	expect_event(_metadata, self, "toy_impair",
		     "cookie=%" PRIu64 " action=held delay_us=10000", rx);
	expect_event(_metadata, self, "toy_impair",
		     "cookie=%" PRIu64 " from=%u len=5 action=due", rx, from);
	expect_event(_metadata, self, "toy_impair",
		     "cookie=%" PRIu64 " action=due", rx);
	expect_event(_metadata, self, "toy_impair",
		     "cookie=%" PRIu64 " from=%u len=5 action=reordered", rx, from);
}

TEST_F(trace, close_with_unread_data_traces_the_reset)
{
	uint64_t c, s;

	stream_connection(_metadata, self, SOCK_SEQPACKET);
	c = cookie_of(self->fd[C]);
	s = cookie_of(self->fd[S]);
	ASSERT_EQ(3, send(self->fd[C], "abc", 3, 0));
	close(self->fd[S]);
	self->fd[S] = -1;
	read_events(_metadata, self);

	expect_event(_metadata, self, "toy_send",
		     "cookie=%" PRIu64 " type=seqpacket len=3", c);
	expect_event(_metadata, self, "toy_release",
		     "cookie=%" PRIu64 " unread=3", s);
	expect_event(_metadata, self, "toy_reset",
		     "cookie=%" PRIu64 " peer=%" PRIu64 " never_accepted=0",
		     s, c);
}

TEST_F(trace, no_field_holds_a_kernel_address)
{
	int i, j;

	stream_connection(_metadata, self, SOCK_STREAM);
	ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	fds_close(self->fd, 4);
	fds_init(self->fd, 4);
	read_events(_metadata, self);
	ASSERT_LT(10, self->nev);
	for (i = 0; i < self->nev; i++) {
		EXPECT_NE(NULL, field(&self->ev[i], "netns"));
		for (j = 0; j < self->ev[i].nfields; j++) {
			const char *v = self->ev[i].val[j];

			/* a number, never in the kernel's upper half */
			EXPECT_FALSE(v[0] == '0' && v[1] == 'x') TH_LOG("%s", v);
			EXPECT_GT(0xffff800000000000ULL, strtoull(v, NULL, 0))
				TH_LOG("%s %s=%s", self->ev[i].name,
				       self->ev[i].key[j], v);
		}
	}
}

TEST_F(trace, disabled_events_record_nothing)
{
	ASSERT_EQ(0, trace_enable(self->dir, "events/af_toy", false));
	stream_connection(_metadata, self, SOCK_STREAM);
	ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	fds_close(self->fd, 4);
	fds_init(self->fd, 4);
	read_events(_metadata, self);
	EXPECT_EQ(0, self->nev);
}

TEST_HARNESS_MAIN
