// SPDX-License-Identifier: GPL-2.0
/*
 * Races between threads on one connection, for AF_TOY next to AF_UNIX:
 * close() of a socket another thread is blocked on (accept, connect, send,
 * recv), the peer closing in the middle of a large send, shutdown racing
 * with recv, and a port and a cookie taken again right after close.
 *
 * close() of a file another thread is blocked in does not end that call
 * on Linux: the blocked call holds the file, so the socket lives until it
 * returns. What must hold is that the call still returns once there is a
 * reason to (a connection, data, room, a peer's close), that it returns
 * what it got, and that every sock is freed afterwards.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"
#include "toy_nl.h"

#define PORT		7700
#define BIG		(16 << 20)
#define SHUTDOWN_ROUNDS	200

FIXTURE(races) {
	int family;
	int lst;
	int fd[2];	/* client, accepted server end */
};

FIXTURE_VARIANT(races) {
	enum fam fam;
};

FIXTURE_VARIANT_ADD(races, unix) {
	.fam = FAM_UNIX,
};

FIXTURE_VARIANT_ADD(races, toy) {
	.fam = FAM_TOY,
};

/* The listener's address, key 0, in @ss. */
static socklen_t listen_addr(FIXTURE_DATA(races) *self,
			     const FIXTURE_VARIANT(races) *variant,
			     struct sockaddr_storage *ss)
{
	return fam_addr(variant->fam, self->family, test_port(), false, ss);
}

FIXTURE_SETUP(races)
{
	struct sockaddr_storage ss;
	socklen_t len;

	self->lst = self->fd[0] = self->fd[1] = -1;
	self->family = fam_number(variant->fam);
	if (self->family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	len = fam_addr(variant->fam, self->family, test_port(), true, &ss);
	self->lst = socket(self->family, SOCK_STREAM, 0);
	ASSERT_LE(0, self->lst);
	ASSERT_EQ(0, bind(self->lst, (struct sockaddr *)&ss, len));
	ASSERT_EQ(0, listen(self->lst, 1));
}

FIXTURE_TEARDOWN(races)
{
	fds_close(self->fd, 2);
	if (self->lst >= 0)
		close(self->lst);
}

static void connect_pair(struct __test_metadata *_metadata,
			 FIXTURE_DATA(races) *self,
			 const FIXTURE_VARIANT(races) *variant)
{
	struct sockaddr_storage ss;
	socklen_t len = listen_addr(self, variant, &ss);

	self->fd[0] = socket(self->family, SOCK_STREAM, 0);
	ASSERT_LE(0, self->fd[0]);
	ASSERT_EQ(0, connect(self->fd[0], (struct sockaddr *)&ss, len));
	self->fd[1] = accept(self->lst, NULL, NULL);
	ASSERT_LE(0, self->fd[1]);
}

/* The 6.1 harness runs the body after a SKIP in FIXTURE_SETUP: stop it. */
#define SETUP_OR_SKIP() do {						\
	if (self->lst < 0)						\
		SKIP(return, "no listener: see the set-up");		\
} while (0)

TEST_F(races, close_while_blocked_in_accept_then_a_connection_ends_it)
{
	struct call c = { .op = CALL_ACCEPT };
	struct sockaddr_storage ss;
	socklen_t len;
	int cl;

	SETUP_OR_SKIP();
	c.fd = self->lst;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	close(self->lst);
	self->lst = -1;
	/* the listener lives while accept() holds it */
	len = listen_addr(self, variant, &ss);
	cl = socket(self->family, SOCK_STREAM, 0);
	ASSERT_LE(0, cl);
	EXPECT_EQ(0, connect(cl, (struct sockaddr *)&ss, len));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_LE(0, c.ret);
	if (c.ret >= 0)
		close(c.ret);
	close(cl);
}

TEST_F(races, close_while_blocked_in_connect_then_accept_ends_it)
{
	struct call c = { .op = CALL_CONNECT };
	int extra[8], n, fd;

	SETUP_OR_SKIP();
	c.addrlen = listen_addr(self, variant, &c.addr);
	/* fill the backlog until a non-blocking connect is refused */
	for (n = 0; n < 8; n++) {
		extra[n] = socket(self->family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, extra[n]);
		if (connect(extra[n], (struct sockaddr *)&c.addr, c.addrlen)) {
			ASSERT_EQ(EAGAIN, errno);
			close(extra[n]);
			break;
		}
	}
	ASSERT_GT(8, n) TH_LOG("the backlog never filled");
	fd = socket(self->family, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	c.fd = fd;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	close(fd);
	/* room in the backlog: the connect that waited goes through */
	close(accept(self->lst, NULL, NULL));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(0, c.ret) TH_LOG("connect: %s", strerror(c.err));
	while (n--)
		close(extra[n]);
}

TEST_F(races, close_while_blocked_in_recv_then_data_ends_it)
{
	struct call c = { .op = CALL_RECV };
	char buf[16];

	SETUP_OR_SKIP();
	connect_pair(_metadata, self, variant);
	c.fd = self->fd[1];
	c.buf = buf;
	c.len = sizeof(buf);
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	close(self->fd[1]);
	self->fd[1] = -1;
	ASSERT_EQ(5, send(self->fd[0], "hello", 5, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(5, c.ret);
}

TEST_F(races, close_while_blocked_in_send_then_reading_ends_it)
{
	struct call c = { .op = CALL_SEND, .flags = MSG_NOSIGNAL };
	char *buf = calloc(1, BIG), *sink = malloc(65536);
	ssize_t n, got = 0;

	SETUP_OR_SKIP();
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, sink);
	connect_pair(_metadata, self, variant);
	c.fd = self->fd[0];
	c.buf = buf;
	c.len = BIG;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	close(self->fd[0]);
	self->fd[0] = -1;
	/* the reader takes it all; the send that waited completes */
	while (got < BIG && (n = recv(self->fd[1], sink, 65536, 0)) > 0)
		got += n;
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(BIG, c.ret);
	EXPECT_EQ(BIG, got);
	free(buf);
	free(sink);
}

TEST_F(races, peer_close_in_the_middle_of_a_large_send)
{
	struct call c = { .op = CALL_SEND, .flags = MSG_NOSIGNAL };
	char *buf = calloc(1, BIG), sink[4096];

	SETUP_OR_SKIP();
	ASSERT_NE(NULL, buf);
	connect_pair(_metadata, self, variant);
	c.fd = self->fd[0];
	c.buf = buf;
	c.len = BIG;
	ASSERT_EQ(0, call_start(&c));
	ASSERT_LT(0, recv(self->fd[1], sink, sizeof(sink), 0));
	close(self->fd[1]);
	self->fd[1] = -1;
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	/* what was sent before the close, or the error of the close */
	if (c.ret < 0) {
		EXPECT_TRUE(c.err == EPIPE || c.err == ECONNRESET)
			TH_LOG("%s", strerror(c.err));
	} else {
		EXPECT_GT(BIG, c.ret);
	}
	free(buf);
}

TEST_F(races, shutdown_racing_with_recv_always_ends_the_recv)
{
	struct call c = { .op = CALL_RECV };
	char buf[16];
	int i;

	SETUP_OR_SKIP();
	for (i = 0; i < SHUTDOWN_ROUNDS; i++) {
		connect_pair(_metadata, self, variant);
		c.fd = self->fd[1];
		c.buf = buf;
		c.len = sizeof(buf);
		ASSERT_EQ(0, call_start(&c));
		/* at a moment that moves from round to round */
		if (i % 2)
			sched_yield();
		if (i % 3 == 0)
			send(self->fd[0], "x", 1, MSG_NOSIGNAL);
		shutdown(self->fd[1], i % 4 ? SHUT_RD : SHUT_RDWR);
		/* a recv() waiting still needs something to end it on AF_UNIX */
		shutdown(self->fd[0], SHUT_WR);
		ASSERT_TRUE(call_returns_within(&c, WAKE_MS)) TH_LOG("round %d", i);
		call_join(&c);
		EXPECT_TRUE(c.ret == 0 || c.ret == 1) TH_LOG("round %d: %zd %s", i,
							   c.ret, strerror(c.err));
		fds_close(self->fd, 2);
	}
}

TEST_F(races, port_is_free_again_at_once_and_the_cookie_is_new)
{
	struct sockaddr_storage ss;
	uint64_t cookie = 0, again;
	socklen_t len;
	int i, fd;

	SETUP_OR_SKIP();
	len = fam_addr(variant->fam, self->family, test_port() + 1, true, &ss);
	for (i = 0; i < 100; i++) {
		fd = socket(self->family, SOCK_STREAM, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, bind(fd, (struct sockaddr *)&ss, len)) TH_LOG("round %d: %s", i,
									   strerror(errno));
		ASSERT_EQ(0, listen(fd, 1));
		again = cookie_of(fd);
		EXPECT_NE(cookie, again);
		EXPECT_LT(cookie, again) TH_LOG("cookies only grow");
		cookie = again;
		close(fd);
	}
}

TEST_HARNESS_MAIN
