// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY's seeded datagram impairments (TOY_CMD_IMPAIR_SET): loss,
 * duplication and reordering at the rates set, within binomial bounds;
 * delays within theirs; the same seed gives the same outcome per
 * datagram; counters; memory held back and its teardown; namespaces,
 * privileges and bad settings. AF_TOY only: no other family has them.
 * Each test runs in a network namespace of its own.
 *
 * The bounds: over N datagrams with probability p, a count k is accepted
 * when |k - Np| <= Z sqrt(Np(1 - p)), Z = 3.89, so that a correct
 * implementation fails one check in 10,000 (two-sided normal tail).
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/sockios.h>
#include <libmnl/libmnl.h>

#include "kselftest_harness.h"
#include "families.h"
#include "toy_nl.h"

#define PORT		7600
#define N		20000
#define Z		3.89
#define PPM		1000000
#define MS		1000	/* microseconds, the unit of delays */
/*
 * How much later than its delay a datagram may arrive: the timer, the
 * work item and the receiver's wake-up, under TCG on a loaded machine.
 * The guests measure a few milliseconds; the bound leaves room for noise.
 */
#define LATE_MS		200
/* How long every datagram held back may take to be delivered or freed. */
#define SETTLE_MS	5000

/* What the impairments did to one datagram, as its receiver saw it. */
enum outcome { LOST, ONCE, TWICE };

FIXTURE(impair) {
	int family;
	int fd[3];		/* fd[0] sends to fd[1]; fd[2] unused */
	struct toy_genl genl;
	bool genl_open;
};

FIXTURE_SETUP(impair)
{
	self->fd[0] = self->fd[1] = self->fd[2] = -1;
	self->genl_open = false;
	self->family = toy_family();
	if (self->family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, toy_genl_open(&self->genl));
	self->genl_open = true;
	ASSERT_EQ(0, toy_pair(self->family, SOCK_DGRAM, PORT, self->fd));
}

FIXTURE_TEARDOWN(impair)
{
	if (self->fd[0] >= 0)
		close(self->fd[0]);
	if (self->fd[1] >= 0)
		close(self->fd[1]);
	if (self->genl_open)
		toy_genl_close(&self->genl);
}

/* Set the impairments to @imp, failing the test with the kernel's message. */
static void set_imp(struct __test_metadata *_metadata,
		    FIXTURE_DATA(impair) *self, const struct toy_impair *imp)
{
	ASSERT_EQ(0, toy_impair_set(&self->genl, imp))
		TH_LOG("IMPAIR_SET: %s %s", strerror(errno), self->genl.errmsg);
}

static void set(struct __test_metadata *_metadata, FIXTURE_DATA(impair) *self,
		uint32_t loss, uint32_t duplicate, uint64_t seed)
{
	struct toy_impair imp = {
		.loss = loss, .duplicate = duplicate, .seed = seed,
	};

	set_imp(_metadata, self, &imp);
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* The datagrams held back now, or -1. */
static long held(FIXTURE_DATA(impair) *self)
{
	struct toy_impair imp;

	return toy_impair_get(&self->genl, &imp) ? -1 : (long)imp.held;
}

/* Wait up to @ms for nothing to be held back; returns what still is. */
static long held_settle(FIXTURE_DATA(impair) *self, int ms)
{
	int64_t end = now_us() + ms * 1000LL;
	long n;

	while ((n = held(self)) > 0 && now_us() < end)
		poll(NULL, 0, 10);
	return n;
}

/*
 * Room in both buffers for every datagram a test has in flight, so that
 * neither a full queue nor a sender waiting for room blurs what the
 * impairments did.
 */
static void roomy(struct __test_metadata *_metadata, FIXTURE_DATA(impair) *self)
{
	int room = 8 << 20;

	ASSERT_EQ(0, setsockopt(self->fd[0], SOL_SOCKET, SO_SNDBUFFORCE, &room,
				sizeof(room)));
	ASSERT_EQ(0, setsockopt(self->fd[1], SOL_SOCKET, SO_RCVBUFFORCE, &room,
				sizeof(room)));
}

/*
 * A datagram that carries its index and the time it was sent, so that
 * the receiver can tell order and delay.
 */
struct stamped {
	uint32_t i;
	int64_t sent_us;
};

/* Send datagram @i, stamped with the time now, from @s. */
static void send_stamped(struct __test_metadata *_metadata,
			 FIXTURE_DATA(impair) *self, struct stamped *s, uint32_t i)
{
	s->i = i;
	s->sent_us = now_us();
	ASSERT_EQ((ssize_t)sizeof(*s), send(self->fd[0], s, sizeof(*s), 0));
}

/* Receive one stamped datagram, waiting up to @ms; 0, or -1 on timeout. */
static int recv_stamped(int fd, struct stamped *d, int64_t *delay_us, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, ms) != 1 ||
	    recv(fd, d, sizeof(*d), MSG_DONTWAIT) != sizeof(*d))
		return -1;
	*delay_us = now_us() - d->sent_us;
	return 0;
}

/*
 * Send datagram @i and see what arrived: delivery is synchronous, so what
 * is not queued when send() returns was lost.
 */
static int send_one(struct __test_metadata *_metadata,
		    FIXTURE_DATA(impair) *self, uint32_t i)
{
	uint32_t got;
	int n = 0;

	EXPECT_EQ((ssize_t)sizeof(i), send(self->fd[0], &i, sizeof(i), 0));
	while (recv(self->fd[1], &got, sizeof(got), MSG_DONTWAIT) ==
	       sizeof(got)) {
		EXPECT_EQ(i, got);
		n++;
	}
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_GE(2, n);
	return n;
}

/* Is @k within the binomial bound for @n draws of probability @ppm? */
static bool within(unsigned int k, unsigned int n, uint32_t ppm)
{
	double p = (double)ppm / PPM, mean = n * p;

	return fabs(k - mean) <= Z * sqrt(mean * (1 - p));
}

/*
 * With nothing queued or held: sent = received + dropped (buffer, closed,
 * unreachable, hold_full) + dropped (impairment) - duplicated.
 */
static bool counters_add_up(const struct toy_stats *st)
{
	const uint64_t *v = st->dgram.val;

	return v[TOY_TYPE_A_TX_MSGS] ==
	       v[TOY_TYPE_A_RX_MSGS] + v[TOY_TYPE_A_DROPS] +
	       v[TOY_TYPE_A_IMPAIR_DROPS] - v[TOY_TYPE_A_DUPLICATED];
}

TEST_F(impair, off_by_default_and_cleared_by_an_empty_set)
{
	struct toy_impair imp;
	unsigned int i;

	ASSERT_EQ(0, toy_impair_get(&self->genl, &imp));
	EXPECT_EQ(0U, imp.loss);
	EXPECT_EQ(0U, imp.duplicate);
	for (i = 0; i < 100; i++)
		EXPECT_EQ(ONCE, send_one(_metadata, self, i));
	set(_metadata, self, PPM, 0, 7);
	EXPECT_EQ(LOST, send_one(_metadata, self, 0));
	set(_metadata, self, 0, 0, 0);
	ASSERT_EQ(0, toy_impair_get(&self->genl, &imp));
	EXPECT_EQ(0U, imp.loss);
	EXPECT_EQ(0ULL, imp.seed);
	EXPECT_EQ(ONCE, send_one(_metadata, self, 1));
}

TEST_F(impair, loss_rate_is_within_the_binomial_bound)
{
	uint32_t loss = 200000;
	unsigned int i, lost = 0;

	set(_metadata, self, loss, 0, 1);
	for (i = 0; i < N; i++)
		lost += send_one(_metadata, self, i) == LOST;
	EXPECT_TRUE(within(lost, N, loss))
		TH_LOG("%u of %u lost at %u ppm", lost, N, loss);
}

TEST_F(impair, duplicate_rate_is_within_the_binomial_bound)
{
	uint32_t dup = 100000;
	unsigned int i, twice = 0;

	set(_metadata, self, 0, dup, 2);
	for (i = 0; i < N; i++)
		twice += send_one(_metadata, self, i) == TWICE;
	EXPECT_TRUE(within(twice, N, dup))
		TH_LOG("%u of %u twice at %u ppm", twice, N, dup);
}

TEST_F(impair, same_seed_gives_the_same_outcome_per_datagram)
{
	static unsigned char a[2000], b[2000], c[2000];
	struct toy_impair imp;
	unsigned int i;

	set(_metadata, self, 300000, 100000, 42);
	ASSERT_EQ(0, toy_impair_get(&self->genl, &imp));
	EXPECT_EQ(42ULL, imp.seed);
	for (i = 0; i < sizeof(a); i++)
		a[i] = send_one(_metadata, self, i);
	/* set again: the draws start again from the first datagram */
	set(_metadata, self, 300000, 100000, 42);
	for (i = 0; i < sizeof(b); i++)
		b[i] = send_one(_metadata, self, i);
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	set(_metadata, self, 300000, 100000, 43);
	for (i = 0; i < sizeof(c); i++)
		c[i] = send_one(_metadata, self, i);
	EXPECT_NE(0, memcmp(a, c, sizeof(a)));
}

TEST_F(impair, a_seed_of_0_is_picked_and_reported)
{
	struct toy_impair imp;

	set(_metadata, self, 1, 0, 0);
	ASSERT_EQ(0, toy_impair_get(&self->genl, &imp));
	EXPECT_NE(0ULL, imp.seed);
	EXPECT_EQ(1U, imp.loss);
}

TEST_F(impair, counters_count_every_loss_and_duplicate)
{
	unsigned int i, lost = 0, twice = 0, got = 0;
	struct toy_stats st;
	int o;

	ASSERT_EQ(0, toy_stats_reset(&self->genl));
	set(_metadata, self, 250000, 250000, 3);
	for (i = 0; i < 4000; i++) {
		o = send_one(_metadata, self, i);
		lost += o == LOST;
		twice += o == TWICE;
		got += o;
	}
	ASSERT_EQ(0, toy_stats_get(&self->genl, &st));
	EXPECT_EQ(lost, st.dgram.val[TOY_TYPE_A_IMPAIR_DROPS]);
	EXPECT_EQ(twice, st.dgram.val[TOY_TYPE_A_DUPLICATED]);
	EXPECT_EQ(4000U, st.dgram.val[TOY_TYPE_A_TX_MSGS]);
	EXPECT_EQ(got, st.dgram.val[TOY_TYPE_A_RX_MSGS]);
	EXPECT_TRUE(counters_add_up(&st));
}

/* Note the delay of one datagram received: within its bounds. */
static void check_delay(struct __test_metadata *_metadata,
			const struct toy_impair *imp, const struct stamped *s,
			int64_t d, int64_t *lo, int64_t *hi)
{
	/* never early: the due time is set after the send began */
	EXPECT_LE(imp->delay_us - imp->jitter_us, d)
		TH_LOG("datagram %u after %lld us", s->i, (long long)d);
	EXPECT_GE(imp->delay_us + imp->jitter_us + LATE_MS * MS, d)
		TH_LOG("datagram %u after %lld us", s->i, (long long)d);
	*lo = d < *lo ? d : *lo;
	*hi = d > *hi ? d : *hi;
}

TEST_F(impair, each_delay_is_within_delay_plus_or_minus_jitter)
{
	struct toy_impair imp = {
		.delay_us = 100 * MS, .jitter_us = 50 * MS, .seed = 11,
	};
	int64_t d, lo = INT64_MAX, hi = 0;
	const unsigned int n = 200;
	unsigned int i, got = 0;
	struct stamped s;

	roomy(_metadata, self);
	set_imp(_metadata, self, &imp);
	/* read while sending too, so that a slow sender delays no reading */
	for (i = 0; i < n; i++) {
		send_stamped(_metadata, self, &s, i);
		while (recv_stamped(self->fd[1], &s, &d, 0) == 0) {
			check_delay(_metadata, &imp, &s, d, &lo, &hi);
			got++;
		}
	}
	for (; got < n; got++) {
		ASSERT_EQ(0, recv_stamped(self->fd[1], &s, &d,
					  (imp.delay_us + imp.jitter_us) / MS +
					  LATE_MS))
			TH_LOG("%u of %u datagrams arrived", got, n);
		check_delay(_metadata, &imp, &s, d, &lo, &hi);
	}
	TH_LOG("%u delays of %u +- %u us: from %lld to %lld us", n,
	       imp.delay_us, imp.jitter_us, (long long)lo, (long long)hi);
	/*
	 * Spread over the whole range: all 200 uniform draws missing its
	 * lowest or highest quarter has a probability of 2 (3/4)^200 < 1e-24.
	 * The lowest draw is then below 75 ms, and is measured late by the
	 * timer, the work item and the wake-up: a few ms in the guests, under
	 * 25 ms on the debug kernel, which is what a quarter of 100 ms allows.
	 */
	EXPECT_GT(imp.delay_us - imp.jitter_us / 2, lo);
	EXPECT_LT(imp.delay_us + imp.jitter_us / 2, hi);
	EXPECT_EQ(0, held(self));
}

/*
 * With reordering, each datagram either arrives at once, ahead of those
 * held back, or after the delay. Those that arrived at once are exactly
 * those the counter counts, at the rate set, and overtake others.
 */
TEST_F(impair, reorder_sends_some_ahead_of_those_delayed)
{
	struct toy_impair imp = {
		.delay_us = 200 * MS, .reorder = 300000, .seed = 12,
	};
	unsigned int i, at_once = 0, got = 0, overtaken = 0, max = 0;
	const unsigned int n = 1000;
	struct toy_stats st;
	struct stamped s;
	int64_t d;

	roomy(_metadata, self);
	ASSERT_EQ(0, toy_stats_reset(&self->genl));
	set_imp(_metadata, self, &imp);
	for (i = 0; i < n; i++) {
		send_stamped(_metadata, self, &s, i);
		while (recv_stamped(self->fd[1], &s, &d, 0) == 0) {
			/* the one just sent: the 200 ms delay cannot have passed */
			at_once += s.i == i;
			overtaken += s.i < max;
			max = s.i > max ? s.i : max;
			got++;
		}
	}
	while (got < n && recv_stamped(self->fd[1], &s, &d,
				       imp.delay_us / MS + LATE_MS) == 0) {
		overtaken += s.i < max;
		max = s.i > max ? s.i : max;
		got++;
	}
	EXPECT_EQ(n, got);
	EXPECT_TRUE(within(at_once, n, imp.reorder))
		TH_LOG("%u of %u at once at %u ppm", at_once, n, imp.reorder);
	EXPECT_LT(0U, overtaken);
	ASSERT_EQ(0, toy_stats_get(&self->genl, &st));
	EXPECT_EQ(at_once, st.dgram.val[TOY_TYPE_A_REORDERED]);
	EXPECT_EQ(n - at_once, st.dgram.val[TOY_TYPE_A_DELAYED]);
}

/*
 * Which datagrams skip the delay, with the delay's draws beside them,
 * follows from the seed too: two runs with one seed pick the same ones.
 */
static void at_once_set(struct __test_metadata *_metadata,
			FIXTURE_DATA(impair) *self, uint64_t seed,
			unsigned char *at_once, unsigned int n)
{
	struct toy_impair imp = {
		.delay_us = 300 * MS, .jitter_us = 100 * MS, .reorder = 300000,
		.duplicate = 100000, .seed = seed,
	};
	struct stamped s;
	unsigned int i;
	int64_t d;

	roomy(_metadata, self);
	set_imp(_metadata, self, &imp);
	memset(at_once, 0, n);
	for (i = 0; i < n; i++) {
		send_stamped(_metadata, self, &s, i);
		/* the one just sent: 200 ms at least cannot have passed */
		while (recv_stamped(self->fd[1], &s, &d, 0) == 0)
			if (s.i == i)
				at_once[i]++;
	}
	ASSERT_EQ(0, held_settle(self, SETTLE_MS));
	while (recv_stamped(self->fd[1], &s, &d, 0) == 0)
		;
}

TEST_F(impair, same_seed_reorders_the_same_datagrams)
{
	static unsigned char a[300], b[300], c[300];

	at_once_set(_metadata, self, 77, a, sizeof(a));
	at_once_set(_metadata, self, 77, b, sizeof(b));
	at_once_set(_metadata, self, 78, c, sizeof(c));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	EXPECT_NE(0, memcmp(a, c, sizeof(a)));
	/* and some did: 0 of 300 at 30% has a probability below 1e-46 */
	EXPECT_NE(NULL, memchr(a, 1, sizeof(a)));
}

TEST_F(impair, a_delay_without_jitter_or_reorder_keeps_the_order)
{
	struct toy_impair imp = { .delay_us = 10 * MS, .seed = 13 };
	const unsigned int n = 200;
	struct stamped s;
	unsigned int i;
	int64_t d;

	roomy(_metadata, self);
	set_imp(_metadata, self, &imp);
	for (i = 0; i < n; i++) {
		send_stamped(_metadata, self, &s, i);
	}
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, recv_stamped(self->fd[1], &s, &d,
					  imp.delay_us / MS + LATE_MS));
		EXPECT_EQ(i, s.i);
		EXPECT_LE(imp.delay_us, d);
	}
}

/* Held back, a datagram is still its sender's: SIOCOUTQ shows it. */
TEST_F(impair, held_datagrams_stay_charged_to_their_sender)
{
	struct toy_impair imp = { .delay_us = 1000 * MS, .seed = 14 };
	char buf[1000] = "";
	int outq, i;

	set_imp(_metadata, self, &imp);
	for (i = 0; i < 10; i++)
		ASSERT_EQ((ssize_t)sizeof(buf),
			  send(self->fd[0], buf, sizeof(buf), 0));
	ASSERT_EQ(0, ioctl(self->fd[0], SIOCOUTQ, &outq));
	EXPECT_LE(10 * (int)sizeof(buf), outq);
	EXPECT_EQ(10, held(self));
	EXPECT_EQ(0, held_settle(self, SETTLE_MS));
	ASSERT_EQ(0, ioctl(self->fd[0], SIOCOUTQ, &outq));
	EXPECT_EQ(0, outq);
	for (i = 0; i < 10; i++)
		EXPECT_EQ((ssize_t)sizeof(buf),
			  recv(self->fd[1], buf, sizeof(buf), MSG_DONTWAIT));
}

/* Kernel memory stays bounded: a sender's SO_SNDBUF caps what it holds. */
TEST_F(impair, a_sender_with_its_buffer_full_of_held_datagrams_waits)
{
	struct toy_impair imp = { .delay_us = 2000 * MS, .seed = 15 };
	int sndbuf = 16384, sent = 0, outq;
	char buf[1000] = "";

	ASSERT_EQ(0, setsockopt(self->fd[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	set_imp(_metadata, self, &imp);
	while (send(self->fd[0], buf, sizeof(buf), MSG_DONTWAIT) ==
	       sizeof(buf) && sent < 10000)
		sent++;
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, ioctl(self->fd[0], SIOCOUTQ, &outq));
	/* the kernel doubles SO_SNDBUF; one more datagram may pass the cap */
	EXPECT_GE(2 * sndbuf + 2 * (int)sizeof(buf) + 1024, outq);
	EXPECT_EQ(sent, held(self));
	EXPECT_GT(100, sent);
}

/*
 * Kernel memory stays bounded across senders too: past its limit, a
 * namespace drops what it would have held, and counts it.
 */
TEST_F(impair, a_namespace_holds_back_at_most_its_limit)
{
	struct toy_impair imp = { .delay_us = 2000 * MS, .limit = 10, .seed = 20 };
	struct toy_stats st;
	int i;

	ASSERT_EQ(0, toy_stats_reset(&self->genl));
	set_imp(_metadata, self, &imp);
	ASSERT_EQ(0, toy_impair_get(&self->genl, &imp));
	EXPECT_EQ(10U, imp.limit);
	for (i = 0; i < 15; i++)
		ASSERT_EQ(8, send(self->fd[0], "datagram", 8, 0));
	EXPECT_EQ(10, held(self));
	ASSERT_EQ(0, toy_stats_get(&self->genl, &st));
	EXPECT_EQ(5U, st.dgram.val[TOY_TYPE_A_DROPS]);
	EXPECT_EQ(10U, st.dgram.val[TOY_TYPE_A_DELAYED]);

	imp.limit = TOY_IMPAIR_LIMIT_MAX + 1;
	EXPECT_EQ(-1, toy_impair_set(&self->genl, &imp));
	EXPECT_EQ(ERANGE, errno);
	/* no limit given: the default */
	imp.limit = 0;
	set_imp(_metadata, self, &imp);
	ASSERT_EQ(0, toy_impair_get(&self->genl, &imp));
	EXPECT_EQ((uint32_t)TOY_IMPAIR_LIMIT_DEFAULT, imp.limit);
}

TEST_F(impair, counters_add_up_with_every_impairment_at_once)
{
	struct toy_impair imp = {
		.loss = 100000, .duplicate = 100000, .reorder = 100000,
		.delay_us = 5 * MS, .jitter_us = 5 * MS, .seed = 16,
	};
	const unsigned int n = 2000;
	struct toy_stats st;
	unsigned int i;
	char buf[64];

	ASSERT_EQ(0, toy_stats_reset(&self->genl));
	set_imp(_metadata, self, &imp);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(8, send(self->fd[0], "datagram", 8, 0));
		while (recv(self->fd[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
	}
	ASSERT_EQ(0, held_settle(self, SETTLE_MS));
	while (recv(self->fd[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	ASSERT_EQ(0, toy_stats_get(&self->genl, &st));
	EXPECT_EQ(n, st.dgram.val[TOY_TYPE_A_TX_MSGS]);
	EXPECT_LT(0U, st.dgram.val[TOY_TYPE_A_IMPAIR_DROPS]);
	EXPECT_LT(0U, st.dgram.val[TOY_TYPE_A_DUPLICATED]);
	EXPECT_LT(0U, st.dgram.val[TOY_TYPE_A_DELAYED]);
	EXPECT_LT(0U, st.dgram.val[TOY_TYPE_A_REORDERED]);
	/* nothing queued or held any more */
	EXPECT_TRUE(counters_add_up(&st));
}

TEST_F(impair, a_held_datagram_whose_receiver_closed_is_a_counted_drop)
{
	struct toy_impair imp = { .delay_us = 100 * MS, .seed = 17 };
	struct toy_stats st;
	int i;

	ASSERT_EQ(0, toy_stats_reset(&self->genl));
	set_imp(_metadata, self, &imp);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(8, send(self->fd[0], "datagram", 8, 0));
	close(self->fd[1]);
	self->fd[1] = -1;
	ASSERT_EQ(0, held_settle(self, SETTLE_MS));
	ASSERT_EQ(0, toy_stats_get(&self->genl, &st));
	EXPECT_EQ(5U, st.dgram.val[TOY_TYPE_A_DROPS]);
	EXPECT_EQ(0U, st.dgram.val[TOY_TYPE_A_RX_MSGS]);
	EXPECT_TRUE(counters_add_up(&st));
}

/*
 * Datagrams held when both ends close are delivered to nobody and freed:
 * af_toy.ko's count comes back down (and kmemleak, in check-debug, finds
 * nothing).
 */
TEST_F(impair, closing_both_ends_with_datagrams_held_frees_them)
{
	struct toy_impair imp = {
		.delay_us = 200 * MS, .jitter_us = 100 * MS, .duplicate = 500000,
		.seed = 18,
	};
	int i;

	set_imp(_metadata, self, &imp);
	for (i = 0; i < 50; i++)
		ASSERT_EQ(8, send(self->fd[0], "datagram", 8, 0));
	EXPECT_LT(0, held(self));
	close(self->fd[0]);
	close(self->fd[1]);
	self->fd[0] = self->fd[1] = -1;
	EXPECT_EQ(0, held_settle(self, SETTLE_MS));
	/* no AF_TOY socket is left in this test or any other */
	EXPECT_EQ(0, toy_sockets_settle(SETTLE_MS));
}

/* A namespace whose last process leaves with datagrams held still goes. */
TEST_F(impair, a_namespace_left_with_datagrams_held_goes_away)
{
	int status;
	pid_t pid;

	close(self->fd[0]);
	close(self->fd[1]);
	self->fd[0] = self->fd[1] = -1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct toy_impair imp = { .delay_us = 300 * MS, .seed = 19 };
		struct toy_genl g;
		int fd[3], i;

		if (unshare(CLONE_NEWNET) || toy_genl_open(&g) ||
		    toy_impair_set(&g, &imp) ||
		    toy_pair(self->family, SOCK_DGRAM, PORT, fd))
			_exit(1);
		for (i = 0; i < 20; i++)
			if (send(fd[0], "datagram", 8, 0) != 8)
				_exit(2);
		if (toy_impair_get(&g, &imp) || imp.held != 20)
			_exit(3);
		/* exit with the sockets open and the datagrams held */
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child exit %d", WEXITSTATUS(status));
	/* the namespace, its sockets and what they held are all freed */
	EXPECT_EQ(0, toy_sockets_settle(SETTLE_MS));
}

TEST_F(impair, another_namespace_is_not_impaired)
{
	int status;
	pid_t pid;

	set(_metadata, self, PPM, 0, 5);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd[3];
		uint32_t i = 9, got;

		if (unshare(CLONE_NEWNET) ||
		    toy_pair(self->family, SOCK_DGRAM, PORT, fd) ||
		    send(fd[0], &i, sizeof(i), 0) != sizeof(i) ||
		    recv(fd[1], &got, sizeof(got), MSG_DONTWAIT) != sizeof(got))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(LOST, send_one(_metadata, self, 0));
}

TEST_F(impair, an_unprivileged_user_can_read_but_not_set)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct toy_impair imp = { .loss = 1 };

		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (toy_impair_get(&self->genl, &imp))
			_exit(3);
		imp.loss = 1;
		_exit(!toy_impair_set(&self->genl, &imp) || errno != EPERM);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child exit %d", WEXITSTATUS(status));
}

TEST_F(impair, a_probability_above_one_is_refused_with_a_message)
{
	struct toy_impair imp = { .loss = PPM + 1 };

	EXPECT_EQ(-1, toy_impair_set(&self->genl, &imp));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_STRNE("", self->genl.errmsg);
	imp.loss = 0;
	imp.duplicate = PPM + 1;
	EXPECT_EQ(-1, toy_impair_set(&self->genl, &imp));
	EXPECT_EQ(ERANGE, errno);
	ASSERT_EQ(0, toy_impair_get(&self->genl, &imp));
	EXPECT_EQ(0U, imp.loss);
}

TEST_F(impair, a_delay_above_10_s_is_refused_with_a_message)
{
	struct toy_impair imp = { .delay_us = TOY_IMPAIR_DELAY_MAX + 1 };

	EXPECT_EQ(-1, toy_impair_set(&self->genl, &imp));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_STRNE("", self->genl.errmsg);
	imp.delay_us = TOY_IMPAIR_DELAY_MAX;
	set_imp(_metadata, self, &imp);
}

TEST_F(impair, jitter_above_the_delay_is_refused_with_a_message)
{
	struct toy_impair imp = { .delay_us = 10 * MS, .jitter_us = 10 * MS + 1 };

	EXPECT_EQ(-1, toy_impair_set(&self->genl, &imp));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STREQ("jitter exceeds the delay", self->genl.errmsg);
	ASSERT_EQ(0, toy_impair_get(&self->genl, &imp));
	EXPECT_EQ(0U, imp.delay_us);
}

TEST_F(impair, reorder_without_a_delay_is_refused_with_a_message)
{
	struct toy_impair imp = { .reorder = 1 };

	EXPECT_EQ(-1, toy_impair_set(&self->genl, &imp));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STREQ("reordering needs a delay to skip", self->genl.errmsg);
}

/* Setting what only GET reports, or an attribute it does not know. */
TEST_F(impair, held_or_an_unknown_attribute_is_refused)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = toy_genl_request(&self->genl, buf, TOY_CMD_IMPAIR_SET, NLM_F_ACK);
	mnl_attr_put_u32(nlh, TOY_IMPAIR_A_HELD, 1);
	EXPECT_EQ(-1, toy_genl_talk(&self->genl, nlh, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STRNE("", self->genl.errmsg);

	nlh = toy_genl_request(&self->genl, buf, TOY_CMD_IMPAIR_SET, NLM_F_ACK);
	mnl_attr_put_u32(nlh, TOY_IMPAIR_A_MAX + 1, 1);
	EXPECT_EQ(-1, toy_genl_talk(&self->genl, nlh, NULL, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STRNE("", self->genl.errmsg);
}

TEST_HARNESS_MAIN
