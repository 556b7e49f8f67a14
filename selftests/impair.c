// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY's seeded datagram impairments (TOY_CMD_IMPAIR_SET): loss and
 * duplication at the rates set, within binomial bounds; the same seed
 * gives the same outcome per datagram; counters; namespaces and
 * privileges. AF_TOY only: no other family has them. Each test runs in a
 * network namespace of its own.
 *
 * The bounds: over N datagrams with probability p, a count k is accepted
 * when |k - Np| <= Z sqrt(Np(1 - p)), Z = 3.89, so that a correct
 * implementation fails one check in 10,000 (two-sided normal tail).
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "toy_nl.h"

#define PORT		7600
#define N		20000
#define Z		3.89
#define PPM		1000000

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

/* Set the impairments, failing the test with the kernel's message. */
static void set(struct __test_metadata *_metadata, FIXTURE_DATA(impair) *self,
		uint32_t loss, uint32_t duplicate, uint64_t seed)
{
	struct toy_impair imp = { loss, duplicate, seed };

	ASSERT_EQ(0, toy_impair_set(&self->genl, &imp))
		TH_LOG("IMPAIR_SET: %s %s", strerror(errno), self->genl.errmsg);
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
	/* sent = received + dropped (buffer) + dropped (impairment) - duplicated */
	EXPECT_EQ(st.dgram.val[TOY_TYPE_A_TX_MSGS],
		  st.dgram.val[TOY_TYPE_A_RX_MSGS] +
		  st.dgram.val[TOY_TYPE_A_DROPS] +
		  st.dgram.val[TOY_TYPE_A_IMPAIR_DROPS] -
		  st.dgram.val[TOY_TYPE_A_DUPLICATED]);
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

TEST_HARNESS_MAIN
