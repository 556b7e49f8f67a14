// SPDX-License-Identifier: GPL-2.0
/*
 * Races between threads on one connection, for AF_TOY next to AF_UNIX:
 * close() of a socket another thread is blocked on (accept, connect, send,
 * recv), the peer closing in the middle of a large send, shutdown racing
 * with recv, and a port and a cookie taken again right after close; and
 * for AF_TOY datagrams, senders racing with their receiver's close.
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
#include <stdint.h>
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

/*
 * Cookies are unique, not ordered: the kernel hands them out in per-CPU
 * batches (include/linux/cookie.h), so a thread that moves to another CPU
 * may get a smaller one. Every round's must differ from all before it.
 */
TEST_F(races, port_is_free_again_at_once_and_the_cookie_is_new)
{
	struct sockaddr_storage ss;
	uint64_t cookie[100];
	socklen_t len;
	int i, j, fd;

	SETUP_OR_SKIP();
	len = fam_addr(variant->fam, self->family, test_port() + 1, true, &ss);
	for (i = 0; i < 100; i++) {
		fd = socket(self->family, SOCK_STREAM, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, bind(fd, (struct sockaddr *)&ss, len)) TH_LOG("round %d: %s", i,
									   strerror(errno));
		ASSERT_EQ(0, listen(fd, 1));
		cookie[i] = cookie_of(fd);
		EXPECT_NE(0ULL, cookie[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(cookie[j], cookie[i]) TH_LOG("rounds %d and %d", j, i);
		close(fd);
	}
}

/*
 * Datagrams stamped with a port the sender does not own. One thread keeps
 * trying to bind a fresh, unbound attacker socket to the victim's port
 * (EADDRINUSE every time) while another sends from it, round after round
 * on both CPUs, and a third dumps the victim's port. A receiver connected
 * to the victim must get nothing from the attacker; an unconnected one
 * must never see a datagram "from" the victim's port or from port 0; the
 * dump must never show another socket on the victim's port. AF_TOY only:
 * its ports are what a connected receiver filters on.
 */
#define SPOOF_MS	4000

struct spoof {
	int family;
	uint32_t victim;
	uint64_t victim_cookie;
	int fd;			/* the attacker socket of this round, or -1 */
	int tried;		/* the last socket the binder tried */
	bool stop;
	unsigned long binds_won;	/* binds that should have failed */
	unsigned long dump_seen;	/* other sockets on the victim's port */
	unsigned long to_conn;		/* datagrams the victim's peer got */
	unsigned long from_victim;	/* datagrams "from" the victim's port */
	unsigned long from_zero;	/* datagrams from port 0 */
};

/* Count what the two receivers have, without waiting. */
static void spoof_drain(struct spoof *sp, int conn, int open_rx)
{
	char byte;

	while (recv(conn, &byte, 1, MSG_DONTWAIT) == 1)
		sp->to_conn++;
	for (;;) {
		struct sockaddr_toy from;
		socklen_t len = sizeof(from);

		if (recvfrom(open_rx, &byte, 1, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &len) != 1)
			break;
		sp->from_victim += from.stoy_port == sp->victim;
		sp->from_zero += from.stoy_port == 0;
	}
}

static void *spoof_binder(void *arg)
{
	struct spoof *sp = arg;
	struct sockaddr_toy a = {
		.stoy_family = sp->family,
		.stoy_port = sp->victim,
	};

	while (!__atomic_load_n(&sp->stop, __ATOMIC_ACQUIRE)) {
		int fd = __atomic_load_n(&sp->fd, __ATOMIC_ACQUIRE);

		if (fd < 0)
			continue;
		if (!bind(fd, (struct sockaddr *)&a, sizeof(a)))
			sp->binds_won++;
		__atomic_store_n(&sp->tried, fd, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int spoof_dump_cb(const struct toy_sock_info *sock, void *data)
{
	struct spoof *sp = data;

	if (sock->val[TOY_SOCK_A_COOKIE] != sp->victim_cookie)
		sp->dump_seen++;
	return 0;
}

static void *spoof_dumper(void *arg)
{
	struct spoof *sp = arg;
	struct toy_genl g;

	if (toy_genl_open(&g))
		return NULL;
	while (!__atomic_load_n(&sp->stop, __ATOMIC_ACQUIRE))
		toy_sock_dump(&g, SOCK_DGRAM, sp->victim, spoof_dump_cb, sp);
	toy_genl_close(&g);
	return NULL;
}

TEST(dgram_failed_binds_never_lend_the_port_to_a_sender)
{
	int family = toy_family(), victim, conn, open_rx, i, rounds;
	struct spoof sp = { .fd = -1, .tried = -1 };
	unsigned long sent = 0;
	pthread_t binder, dumper;
	char byte = 'x';
	long end;

	if (family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	victim = toy_socket_bound(family, SOCK_DGRAM, PORT);
	conn = toy_socket_bound(family, SOCK_DGRAM, PORT + 1);
	open_rx = toy_socket_bound(family, SOCK_DGRAM, PORT + 2);
	ASSERT_LE(0, victim);
	ASSERT_LE(0, conn);
	ASSERT_LE(0, open_rx);
	ASSERT_EQ(0, toy_connect_port(conn, family, PORT));
	sp.family = family;
	sp.victim = PORT;
	sp.victim_cookie = cookie_of(victim);
	ASSERT_EQ(0, pthread_create(&binder, NULL, spoof_binder, &sp));
	ASSERT_EQ(0, pthread_create(&dumper, NULL, spoof_dumper, &sp));

	end = now_ms() + SPOOF_MS;
	for (rounds = 0; now_ms() < end; rounds++) {
		struct sockaddr_toy to = { .stoy_family = family };
		int fd = socket(family, SOCK_DGRAM, 0);

		ASSERT_LE(0, fd);
		__atomic_store_n(&sp.fd, fd, __ATOMIC_RELEASE);
		/* the binder is at it before the first send, which autobinds */
		for (i = 0; i < 1000000 &&
		     __atomic_load_n(&sp.tried, __ATOMIC_ACQUIRE) != fd; i++)
			;
		for (i = 0; i < 8; i++) {
			to.stoy_port = PORT + 1 + i % 2;
			if (sendto(fd, &byte, 1, MSG_DONTWAIT,
				   (struct sockaddr *)&to, sizeof(to)) == 1)
				sent++;
		}
		__atomic_store_n(&sp.fd, -1, __ATOMIC_RELEASE);
		close(fd);
		/* before the receivers drop anything */
		spoof_drain(&sp, conn, open_rx);
	}
	__atomic_store_n(&sp.stop, true, __ATOMIC_RELEASE);
	pthread_join(binder, NULL);
	pthread_join(dumper, NULL);

	spoof_drain(&sp, conn, open_rx);
	TH_LOG("%d rounds, %lu datagrams sent; stamped: %lu to the victim's peer, %lu from its port, %lu from port 0",
	       rounds, sent, sp.to_conn, sp.from_victim, sp.from_zero);
	EXPECT_LT(0UL, sent);
	EXPECT_EQ(0UL, sp.binds_won);
	EXPECT_EQ(0UL, sp.to_conn) TH_LOG("the receiver connected to the victim got the attacker's datagrams");
	EXPECT_EQ(0UL, sp.from_victim) TH_LOG("datagrams stamped with the victim's port");
	EXPECT_EQ(0UL, sp.from_zero) TH_LOG("datagrams stamped with port 0");
	EXPECT_EQ(0UL, sp.dump_seen) TH_LOG("the dump showed another socket on the victim's port");
	close(victim);
	close(conn);
	close(open_rx);
}

/*
 * Senders to a port whose receiver closes and comes back, again and again:
 * a sender finds the receiver without taking a reference (under RCU, as
 * UDP does), so it may find one that is closing at that very moment. Each
 * send must then either be delivered or fail with ECONNREFUSED; none may
 * touch a freed socket (KASAN in make check-debug) or go uncounted: in the
 * namespace's counters every datagram sent was received or dropped. The
 * receivers' buffers are small, so that senders also drop at closing
 * receivers, and a member of the events group makes each drop build a
 * netlink event from the receiver's state, in the sender's RCU section.
 */
#define CHURN_SENDERS	2
#define CHURN_MS	2000
#define CHURN_RCVBUF	4096

struct churn {
	int family;
	bool stop;
	unsigned long sent;	/* datagrams send() accepted */
	unsigned long refused;
	int bad_errno;
	struct toy_genl events;
	unsigned long drops_events;
};

static int churn_count_drops(const struct toy_sock_info *ev, void *data)
{
	struct churn *c = data;

	if (ev->val[TOY_SOCK_A_EVENT] == TOY_EVENT_DROPS)
		c->drops_events++;
	return 0;
}

/* Reads the event stream while the senders run; lost events are fine. */
static void *churn_listener(void *arg)
{
	struct churn *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE))
		toy_events_read(&c->events, WAKE_MS, churn_count_drops, c);
	return NULL;
}

static void *churn_sender(void *arg)
{
	struct churn *c = arg;
	struct sockaddr_toy to = { .stoy_family = c->family, .stoy_port = PORT };
	unsigned long sent = 0, refused = 0;
	char byte = 'x';
	int fd = socket(c->family, SOCK_DGRAM, 0);

	while (fd >= 0 && !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		if (sendto(fd, &byte, 1, MSG_DONTWAIT, (struct sockaddr *)&to,
			   sizeof(to)) == 1)
			sent++;
		else if (errno == ECONNREFUSED)
			refused++;
		else if (errno != EAGAIN && errno != ENOBUFS)
			__atomic_store_n(&c->bad_errno, errno, __ATOMIC_RELEASE);
	}
	if (fd >= 0)
		close(fd);
	__atomic_fetch_add(&c->sent, sent, __ATOMIC_RELEASE);
	__atomic_fetch_add(&c->refused, refused, __ATOMIC_RELEASE);
	return NULL;
}

TEST(dgram_senders_racing_with_the_receivers_close_lose_nothing_uncounted)
{
	struct churn c = { .family = toy_family() };
	struct sockaddr_toy here = { .stoy_family = c.family, .stoy_port = PORT };
	int rcvbuf = CHURN_RCVBUF;
	pthread_t senders[CHURN_SENDERS], listener;
	unsigned long rounds = 0, taken = 0;
	const struct toy_type_stats *d;
	struct toy_stats st;
	struct toy_genl g;
	char byte;
	long end;
	int i;

	if (c.family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, toy_genl_open(&c.events));
	ASSERT_EQ(0, toy_events_join(&c.events));
	ASSERT_EQ(0, pthread_create(&listener, NULL, churn_listener, &c));
	for (i = 0; i < CHURN_SENDERS; i++)
		ASSERT_EQ(0, pthread_create(&senders[i], NULL, churn_sender, &c));
	end = now_ms() + CHURN_MS;
	while (now_ms() < end) {
		int rx = socket(c.family, SOCK_DGRAM, 0);

		ASSERT_LE(0, rx);
		ASSERT_EQ(0, setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
					sizeof(rcvbuf)));
		ASSERT_EQ(0, bind(rx, (struct sockaddr *)&here, sizeof(here)));
		/* take a few, leave the rest queued for close to drop */
		for (i = 0; i < 4 && recv(rx, &byte, 1, MSG_DONTWAIT) == 1; i++)
			taken++;
		close(rx);
		rounds++;
	}
	__atomic_store_n(&c.stop, true, __ATOMIC_RELEASE);
	for (i = 0; i < CHURN_SENDERS; i++)
		pthread_join(senders[i], NULL);
	pthread_join(listener, NULL);
	toy_genl_close(&c.events);

	TH_LOG("%lu rounds: %lu datagrams sent, %lu read, %lu refused, %lu drops events",
	       rounds, c.sent, taken, c.refused, c.drops_events);
	EXPECT_EQ(0, c.bad_errno) TH_LOG("a send failed: %s", strerror(c.bad_errno));
	EXPECT_LT(0UL, c.sent);
	EXPECT_LT(0UL, c.refused);
	EXPECT_LT(0UL, c.drops_events);
	ASSERT_EQ(0, toy_genl_open(&g));
	ASSERT_EQ(0, toy_stats_get(&g, &st));
	toy_genl_close(&g);
	d = &st.dgram;
	EXPECT_EQ(c.sent, d->val[TOY_TYPE_A_TX_MSGS]);
	EXPECT_EQ(taken, d->val[TOY_TYPE_A_RX_MSGS]);
	EXPECT_EQ(d->val[TOY_TYPE_A_TX_MSGS],
		  d->val[TOY_TYPE_A_RX_MSGS] + d->val[TOY_TYPE_A_DROPS]);
}

TEST_HARNESS_MAIN
