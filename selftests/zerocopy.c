// SPDX-License-Identifier: GPL-2.0
/*
 * MSG_ZEROCOPY on SOCK_STREAM across AF_UNIX, AF_VSOCK (loopback) and
 * AF_TOY: turning it on, what the reader gets, the completions on the
 * error queue, the memory limits, and buffers that change hands (close,
 * fork, MAP_SHARED, munmap) while the kernel still reads them.
 *
 * A family or kernel without MSG_ZEROCOPY refuses SO_ZEROCOPY; the tests
 * that need it then SKIP, saying so. Documentation/af_toy.rst ("Zerocopy:
 * the user's own pages") describes AF_TOY's.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/errqueue.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY		60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY		0x4000000
#endif
#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY	5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif
#ifndef SOL_VSOCK
#define SOL_VSOCK		287
#endif
#ifndef VSOCK_RECVERR
#define VSOCK_RECVERR		1
#endif

/*
 * The tests of RLIMIT_MEMLOCK run as users of their own, without
 * CAP_IPC_LOCK: the charge is per user, and another family's pages still
 * in flight must not count against the next test. A user is
 * USERS + test * 8 + family.
 */
#define USERS			61000
/* how long such a test's child may take before SIGALRM ends it */
#define CHILD_SECONDS		60
/* a buffer the tests send from: more than one skb of AF_TOY's (64 KiB) */
#define ZC_LEN			(192 * 1024)

/* A send over RLIMIT_MEMLOCK that sends a part rather than fail. */
#define MEMLOCK_PART		-1

/* Listener, client and accepted server end of the fixture's connection. */
enum { L, C, S, NFDS };

FIXTURE(zerocopy) {
	int family;
	int fd[NFDS];
};

FIXTURE_VARIANT(zerocopy) {
	enum fam fam;
	/* errno of setsockopt(SOL_SOCKET, SO_ZEROCOPY, 1), 0 when taken */
	struct by_kernel sol_socket;
	/* the level and type of a completion's control message */
	int cmsg_level;
	int cmsg_type;
	/* a sendmsg() takes one completion number, however large */
	bool one_number_per_send;
	/*
	 * a 1 MiB send over RLIMIT_MEMLOCK: the errno it fails with, whole,
	 * or MEMLOCK_PART when it sends a part
	 */
	struct by_kernel memlock;
	/* errno of a send over net.core.optmem_max */
	int optmem_errno;
	/* errno of a zerocopy send from unmapped memory */
	int fault_errno;
};

FIXTURE_VARIANT_ADD(zerocopy, unix) {
	.fam = FAM_UNIX,
	.sol_socket = SAME_ON_ALL(EOPNOTSUPP),
};

FIXTURE_VARIANT_ADD(zerocopy, vsock) {
	.fam = FAM_VSOCK,
	/* 6.7: "vsock: MSG_ZEROCOPY flag support" */
	.sol_socket = BY_KERNEL(EOPNOTSUPP, KV(6, 7), 0),
	.cmsg_level = SOL_VSOCK,
	.cmsg_type = VSOCK_RECVERR,
	/*
	 * it numbers each piece of a send that the reader's credit lets it
	 * queue at once: how many a send takes depends on the reader's pace
	 */
	.one_number_per_send = false,
	/*
	 * changed after 6.12; only 6.12 and 7.3 are checked, so the release
	 * is not pinned down: 6.13 stands for "after 6.12"
	 */
	.memlock = BY_KERNEL(MEMLOCK_PART, KV(6, 13), ENOMEM),
	.optmem_errno = ENOMEM,
	/* as for its plain sends (stream.c, send_fault) */
	.fault_errno = ENOMEM,
};

FIXTURE_VARIANT_ADD(zerocopy, toy) {
	.fam = FAM_TOY,
	/* the core hands SOL_SOCKET to a module family from 6.2 on */
	.sol_socket = BY_KERNEL(EOPNOTSUPP, KV(6, 2), 0),
	.cmsg_level = SOL_TOY,
	.cmsg_type = TOY_RECVERR,
	.one_number_per_send = true,
	.memlock = SAME_ON_ALL(ENOBUFS),
	.optmem_errno = ENOBUFS,
	.fault_errno = EFAULT,
};

FIXTURE_SETUP(zerocopy)
{
	fds_init(self->fd, NFDS);
	self->family = fam_number(variant->fam);
}

FIXTURE_TEARDOWN(zerocopy)
{
	fds_close(self->fd, NFDS);
}

/* The fixture's connection: listener L on key 1, client C, accepted S. */
static void make_pair(struct __test_metadata *_metadata,
		      FIXTURE_DATA(zerocopy) *self,
		      const FIXTURE_VARIANT(zerocopy) *variant)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = fam_listen(_metadata, variant->fam, self->family,
				 SOCK_STREAM, 1, 16);
	self->fd[C] = fam_socket(_metadata, self->family, SOCK_STREAM);
	ASSERT_EQ(0, fam_connect(variant->fam, self->family, self->fd[C], 1))
		TH_LOG("connect: %s", strerror(errno));
	self->fd[S] = accept(self->fd[L], NULL, NULL);
	ASSERT_LE(0, self->fd[S]) TH_LOG("accept: %s", strerror(errno));
}

static int set_int(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val)) ? errno : 0;
}

/* SO_ZEROCOPY on @fd: at SOL_SOCKET, or at SOL_TOY for AF_TOY. */
static int zerocopy_on(enum fam fam, int fd)
{
	int err = set_int(fd, SOL_SOCKET, SO_ZEROCOPY, 1);

	if (err && fam == FAM_TOY)
		err = set_int(fd, SOL_TOY, TOY_ZEROCOPY, 1);
	return err;
}

/* The fixture's connection with SO_ZEROCOPY on the client, or SKIP. */
#define ZEROCOPY_PAIR_OR_SKIP() do {					\
	make_pair(_metadata, self, variant);				\
	if (zerocopy_on(variant->fam, self->fd[C]))			\
		SKIP(return, "%s has no MSG_ZEROCOPY on this kernel (so_zerocopy_is_taken_or_refused)", \
		     fam_name(variant->fam));				\
} while (0)

/* A buffer of @len bytes, private or MAP_SHARED, filled with @seed. */
static uint8_t *zc_buffer(size_t len, bool shared, uint8_t seed)
{
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS,
			  -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, seed, len);
	return p;
}

/* Does @buf hold @len bytes of @seed? */
static bool all_are(const uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != seed)
			return false;
	return true;
}

/* A completion from the error queue. */
struct completion {
	uint32_t lo, hi;
	bool copied;
	int level, type;
	uint8_t origin;
	int err;
};

/*
 * Read one completion from @fd's error queue, waiting up to @ms for
 * POLLERR. Returns 1 with *@c filled, 0 when none came, -1 with errno on
 * a recvmsg() error other than EAGAIN.
 */
static int read_completion(int fd, int ms, struct completion *c)
{
	char cbuf[CMSG_SPACE(sizeof(struct sock_extended_err))];
	struct msghdr msg = {
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct sock_extended_err ee;
	struct cmsghdr *cm;
	long end = now_ms() + ms;

	for (;;) {
		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0)
			break;
		if (errno != EAGAIN)
			return -1;
		if (now_ms() >= end)
			return 0;
		poll_for(fd, 0, end - now_ms());
	}
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm)
		return -1;
	memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
	c->level = cm->cmsg_level;
	c->type = cm->cmsg_type;
	c->origin = ee.ee_origin;
	c->err = ee.ee_errno;
	c->lo = ee.ee_info;
	c->hi = ee.ee_data;
	c->copied = ee.ee_code & SO_EE_CODE_ZEROCOPY_COPIED;
	return 1;
}

/*
 * Read completions until the zerocopy sends numbered up to @last are
 * done; each must begin where the one before ended (in order, none
 * twice, none missing). Returns the number after the last one completed,
 * or -1.
 */
static long expect_completions(struct __test_metadata *_metadata,
			       const FIXTURE_VARIANT(zerocopy) *variant,
			       int fd, uint32_t first, uint32_t last)
{
	uint32_t next = first;

	while (next <= last) {
		struct completion c;

		if (read_completion(fd, WAKE_MS, &c) != 1) {
			TH_LOG("no completion for send %u of %u..%u: %s", next,
			       first, last, strerror(errno));
			return -1;
		}
		EXPECT_EQ(variant->cmsg_level, c.level);
		EXPECT_EQ(variant->cmsg_type, c.type);
		EXPECT_EQ(SO_EE_ORIGIN_ZEROCOPY, c.origin);
		EXPECT_EQ(0, c.err);
		EXPECT_EQ(next, c.lo) TH_LOG("completion %u..%u, expected %u next",
					     c.lo, c.hi, next);
		if (c.lo != next || c.hi < c.lo)
			return -1;
		next = c.hi + 1;
	}
	return next;
}

/* ---- turning it on ---- */

TEST_F(zerocopy, so_zerocopy_is_taken_or_refused)
{
	int want = on_kernel(variant->sol_socket);
	int err;

	make_pair(_metadata, self, variant);
	err = set_int(self->fd[C], SOL_SOCKET, SO_ZEROCOPY, 1);
	/*
	 * AF_TOY's answers are the same on every kernel; where SOL_SOCKET is
	 * the kernel's to give, the cell says so, and the check is per kernel
	 */
	if (variant->fam == FAM_TOY)
		OBSERVE("SOL_TOY; SOL_SOCKET too from 6.2");
	else
		observed_errno(err);
	EXPECT_EQ(want, err);
	/* getsockopt() answers at SOL_SOCKET in every family */
	EXPECT_EQ(!err, sockopt_int(self->fd[C], SO_ZEROCOPY));
	if (variant->fam != FAM_TOY)
		return;
	/* AF_TOY's own level takes it on every kernel, and both agree */
	ASSERT_EQ(0, set_int(self->fd[C], SOL_TOY, TOY_ZEROCOPY, 1));
	EXPECT_EQ(1, sockopt_int(self->fd[C], SO_ZEROCOPY));
	ASSERT_EQ(0, set_int(self->fd[C], SOL_TOY, TOY_ZEROCOPY, 0));
	EXPECT_EQ(0, sockopt_int(self->fd[C], SO_ZEROCOPY));
}

TEST_F(zerocopy, accept_inherits_so_zerocopy_from_the_listener)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = fam_listen(_metadata, variant->fam, self->family,
				 SOCK_STREAM, 1, 16);
	if (zerocopy_on(variant->fam, self->fd[L]))
		SKIP(return, "%s has no MSG_ZEROCOPY on this kernel (so_zerocopy_is_taken_or_refused)",
		     fam_name(variant->fam));
	self->fd[C] = fam_socket(_metadata, self->family, SOCK_STREAM);
	ASSERT_EQ(0, fam_connect(variant->fam, self->family, self->fd[C], 1));
	self->fd[S] = accept(self->fd[L], NULL, NULL);
	ASSERT_LE(0, self->fd[S]);
	OBSERVE_IF(sockopt_int(self->fd[S], SO_ZEROCOPY) == 1, "inherited",
		   "not inherited");
	/* as in TCP (af_toy.h) */
	if (variant->fam == FAM_TOY)
		EXPECT_EQ(1, sockopt_int(self->fd[S], SO_ZEROCOPY));
	/* and the accepted socket takes it like any other */
	EXPECT_EQ(0, zerocopy_on(variant->fam, self->fd[S]));
	EXPECT_EQ(1, sockopt_int(self->fd[S], SO_ZEROCOPY));
}

/* ---- the data ---- */

TEST_F(zerocopy, without_so_zerocopy_the_flag_copies_and_completes_nothing)
{
	uint8_t *buf, *got;

	make_pair(_metadata, self, variant);
	buf = zc_buffer(ZC_LEN, false, 'a');
	got = malloc(ZC_LEN);
	ASSERT_TRUE(buf != NULL && got != NULL);
	ASSERT_EQ(4096, send(self->fd[C], buf, 4096, MSG_ZEROCOPY));
	/* a copy was taken: the writes after the send do not show */
	memset(buf, 'b', 4096);
	ASSERT_EQ(4096, read_full(self->fd[S], got, 4096));
	EXPECT_TRUE(all_are(got, 4096, 'a'));
	EXPECT_FALSE(poll_for(self->fd[C], 0, 0) & POLLERR);
	EXPECT_EQ(-1, recv(self->fd[C], got, 1, MSG_ERRQUEUE | MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	munmap(buf, ZC_LEN);
	free(got);
}

TEST_F(zerocopy, the_reader_reads_the_senders_pages)
{
	uint8_t *buf, *got;
	struct completion c;

	ZEROCOPY_PAIR_OR_SKIP();
	buf = zc_buffer(ZC_LEN, false, 'a');
	got = malloc(ZC_LEN);
	ASSERT_TRUE(buf != NULL && got != NULL);
	ASSERT_EQ(ZC_LEN, send(self->fd[C], buf, ZC_LEN, MSG_ZEROCOPY));
	/*
	 * No completion yet: the pages are queued, not copied. A write to
	 * the buffer now (which the contract forbids) shows in what the
	 * reader gets, which a copy taken at send time would not show.
	 */
	EXPECT_FALSE(poll_for(self->fd[C], 0, 0) & POLLERR);
	memset(buf, 'b', ZC_LEN);
	ASSERT_EQ(ZC_LEN, read_full(self->fd[S], got, ZC_LEN));
	OBSERVE_IF(all_are(got, ZC_LEN, 'b'), "by reference", "copied");
	/* AF_TOY's contract (af_toy.h): the reader copies from the pages */
	if (variant->fam == FAM_TOY)
		EXPECT_TRUE(all_are(got, ZC_LEN, 'b'));
	/* read: the completion is queued, and poll() says so */
	EXPECT_TRUE(poll_for(self->fd[C], 0, WAKE_MS) & POLLERR);
	ASSERT_EQ(1, read_completion(self->fd[C], WAKE_MS, &c));
	EXPECT_EQ(0U, c.lo);
	EXPECT_EQ(0U, c.hi);
	EXPECT_FALSE(c.copied);
	munmap(buf, ZC_LEN);
	free(got);
}

/* A reader thread: reads @len bytes of the stream into @buf. */
struct reader {
	pthread_t thread;
	int fd;
	uint8_t *buf;
	size_t len, got;
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	ssize_t n = read_full(r->fd, r->buf, r->len);

	r->got = n > 0 ? n : 0;
	return NULL;
}

static void reader_start(struct reader *r, int fd, size_t len)
{
	r->fd = fd;
	r->len = len;
	r->got = 0;
	r->buf = malloc(len);
	pthread_create(&r->thread, NULL, reader_run, r);
}

static size_t reader_join(struct reader *r)
{
	pthread_join(r->thread, NULL);
	return r->got;
}

#define SENDS		64

/* The size of send @i: from one byte to more than an skb holds. */
static size_t send_size(int i)
{
	return 1 + (size_t)i * 4099 % ZC_LEN;
}

TEST_F(zerocopy, completions_arrive_in_order_and_cover_every_send)
{
	struct timeval tv = { .tv_sec = WAKE_MS / 1000 };
	size_t total = 0, off = 0;
	struct reader r;
	uint8_t *buf;
	long next;
	int i;

	ZEROCOPY_PAIR_OR_SKIP();
	for (i = 0; i < SENDS; i++)
		total += send_size(i);
	buf = zc_buffer(ZC_LEN, false, 0);
	ASSERT_TRUE(buf != NULL);
	for (i = 0; i < ZC_LEN; i++)
		buf[i] = i * 7;
	/* a reader that gives up must not leave the sender blocked for ever */
	ASSERT_EQ(0, setsockopt(self->fd[C], SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	reader_start(&r, self->fd[S], total);
	for (i = 0; i < SENDS; i++)
		ASSERT_EQ((ssize_t)send_size(i), send(self->fd[C], buf, send_size(i),
					     MSG_ZEROCOPY));
	ASSERT_EQ(total, reader_join(&r));
	for (i = 0; i < SENDS; i++) {
		ASSERT_EQ(0, memcmp(r.buf + off, buf, send_size(i)))
			TH_LOG("send %d arrived changed", i);
		off += send_size(i);
	}
	next = expect_completions(_metadata, variant, self->fd[C], 0,
				  SENDS - 1);
	ASSERT_LE(SENDS, next);
	/* AF_VSOCK's count depends on the reader's pace: nothing to check */
	if (variant->one_number_per_send) {
		EXPECT_EQ(SENDS, next);
		/* all read: nothing more, and poll() no longer says POLLERR */
		EXPECT_FALSE(poll_for(self->fd[C], 0, 0) & POLLERR);
	}
	free(r.buf);
	munmap(buf, ZC_LEN);
}

TEST_F(zerocopy, a_send_that_sends_nothing_takes_no_number)
{
	uint8_t *buf;
	size_t sent = 0, total;
	int sends = 0, i;
	uint8_t *got;

	ZEROCOPY_PAIR_OR_SKIP();
	buf = zc_buffer(ZC_LEN, false, 'z');
	ASSERT_TRUE(buf != NULL);
	/* fill the connection until a send sends nothing */
	for (i = 0; i < 1000; i++) {
		ssize_t n = send(self->fd[C], buf, 16384,
				 MSG_ZEROCOPY | MSG_DONTWAIT);

		if (n < 0)
			break;
		sent += n;
		sends++;
	}
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_LT(0, sends);
	total = sent;
	got = malloc(total);
	ASSERT_TRUE(got != NULL);
	ASSERT_EQ((ssize_t)total, read_full(self->fd[S], got, total));
	EXPECT_TRUE(all_are(got, total, 'z'));
	/* the sends that failed with EAGAIN left no gap in the numbers */
	EXPECT_LE(0, expect_completions(_metadata, variant, self->fd[C], 0,
					sends - 1));
	ASSERT_EQ(1, send(self->fd[C], buf, 1, MSG_ZEROCOPY));
	ASSERT_EQ(1, read_full(self->fd[S], got, 1));
	EXPECT_LE(0, expect_completions(_metadata, variant, self->fd[C], sends,
					sends));
	free(got);
	munmap(buf, ZC_LEN);
}

/* A thread sending 4 KiB with MSG_ZEROCOPY | MSG_DONTWAIT for a while. */
struct racer {
	pthread_t thread;
	int fd;
	long end_ms;
	int sends;
	size_t bytes;
};

static void *racer_run(void *arg)
{
	static const uint8_t buf[4096] = "racer";
	struct racer *r = arg;

	while (now_ms() < r->end_ms) {
		ssize_t n = send(r->fd, buf, sizeof(buf),
				 MSG_ZEROCOPY | MSG_DONTWAIT);

		if (n > 0) {
			r->sends++;
			r->bytes += n;
		}
	}
	return NULL;
}

/* A reader thread that reads until end of stream, counting. */
static void *drainer_run(void *arg)
{
	struct reader *r = arg;
	static uint8_t buf[65536];
	ssize_t n;

	while ((n = recv(r->fd, buf, sizeof(buf), 0)) > 0)
		r->got += n;
	return NULL;
}

TEST_F(zerocopy, two_threads_sending_never_share_a_number)
{
	struct racer racer[2];
	struct reader drainer = { 0 };
	int i, sends = 0;
	size_t bytes = 0;
	long next;

	ZEROCOPY_PAIR_OR_SKIP();
	if (!variant->one_number_per_send)
		SKIP(return, "%s numbers the pieces its reader's credit lets it queue, not sends: the count cannot be checked",
		     fam_name(variant->fam));
	/* a small buffer: sends that send nothing come often */
	ASSERT_EQ(0, set_int(self->fd[C], SOL_SOCKET, SO_SNDBUF, 16384));
	drainer.fd = self->fd[S];
	pthread_create(&drainer.thread, NULL, drainer_run, &drainer);
	for (i = 0; i < 2; i++) {
		racer[i] = (struct racer){ .fd = self->fd[C],
					   .end_ms = now_ms() + 1000 };
		pthread_create(&racer[i].thread, NULL, racer_run, &racer[i]);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(racer[i].thread, NULL);
		sends += racer[i].sends;
		bytes += racer[i].bytes;
	}
	shutdown(self->fd[C], SHUT_WR);
	pthread_join(drainer.thread, NULL);
	ASSERT_EQ(bytes, drainer.got);
	ASSERT_LT(0, sends);
	/* every send one number, none twice, none left out */
	next = expect_completions(_metadata, variant, self->fd[C], 0,
				  sends - 1);
	EXPECT_EQ(sends, next);
	EXPECT_FALSE(poll_for(self->fd[C], 0, 0) & POLLERR);
}

TEST_F(zerocopy, a_buffer_reused_after_its_completion_arrives_intact)
{
	/* one send that every family numbers once (one packet of AF_VSOCK) */
	ssize_t len = variant->one_number_per_send ? ZC_LEN : 16384;
	uint8_t *buf, *got;
	int round;

	ZEROCOPY_PAIR_OR_SKIP();
	buf = zc_buffer(ZC_LEN, false, 0);
	got = malloc(ZC_LEN);
	ASSERT_TRUE(buf != NULL && got != NULL);
	for (round = 0; round < 16; round++) {
		memset(buf, 'A' + round, len);
		ASSERT_EQ(len, send(self->fd[C], buf, len, MSG_ZEROCOPY));
		/* not before the reader has read it */
		ASSERT_FALSE(poll_for(self->fd[C], 0, 0) & POLLERR);
		ASSERT_EQ(len, read_full(self->fd[S], got, len));
		ASSERT_LE(0, expect_completions(_metadata, variant, self->fd[C],
						round, round));
		/* the kernel is done with it: the next round writes it over */
		ASSERT_TRUE(all_are(got, len, 'A' + round))
			TH_LOG("round %d arrived changed", round);
	}
	free(got);
	munmap(buf, ZC_LEN);
}

TEST_F(zerocopy, splice_out_copies_the_pages_and_says_so)
{
	int pipefd[2] = { -1, -1 };
	uint8_t *buf, got[4096];
	struct completion c;
	ssize_t n;

	ZEROCOPY_PAIR_OR_SKIP();
	buf = zc_buffer(4096, false, 'p');
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(4096, send(self->fd[C], buf, 4096, MSG_ZEROCOPY));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
	n = splice(self->fd[S], NULL, pipefd[1], NULL, 4096, SPLICE_F_NONBLOCK);
	if (n < 0) {
		observed_errno(errno);
		EXPECT_TRUE(variant->fam != FAM_TOY);
		goto out;
	}
	ASSERT_EQ(4096, n);
	ASSERT_EQ(1, read_completion(self->fd[C], WAKE_MS, &c));
	/* the pipe holds a copy: the sender's writes now do not reach it */
	memset(buf, 'q', 4096);
	ASSERT_EQ(4096, read(pipefd[0], got, sizeof(got)));
	EXPECT_TRUE(all_are(got, 4096, 'p'));
	OBSERVE_IF(c.copied, "copied", "zerocopy");
	if (variant->fam == FAM_TOY)
		EXPECT_TRUE(c.copied);
out:
	close(pipefd[0]);
	close(pipefd[1]);
	munmap(buf, 4096);
}

TEST_F(zerocopy, a_send_from_unmapped_memory_fails_and_completes_nothing)
{
	uint8_t *buf = zc_buffer(ZC_LEN, false, 'u'), got[16];

	ZEROCOPY_PAIR_OR_SKIP();
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(0, munmap(buf, ZC_LEN));
	EXPECT_EQ(-1, send(self->fd[C], buf, ZC_LEN, MSG_ZEROCOPY));
	EXPECT_EQ(variant->fault_errno, observed_errno(errno));
	/* nothing arrived, no completion is due, and the next send is 0 */
	EXPECT_EQ(-1, recv(self->fd[S], got, sizeof(got), MSG_DONTWAIT));
	EXPECT_FALSE(poll_for(self->fd[C], 0, 0) & POLLERR);
	ASSERT_EQ(1, send(self->fd[C], "x", 1, MSG_ZEROCOPY));
	ASSERT_EQ(1, read_full(self->fd[S], got, 1));
	EXPECT_LE(0, expect_completions(_metadata, variant, self->fd[C], 0, 0));
}

/* ---- buffers that change hands ---- */

TEST_F(zerocopy, munmap_before_the_read_leaves_the_bytes_to_the_reader)
{
	uint8_t *buf, *got;

	ZEROCOPY_PAIR_OR_SKIP();
	buf = zc_buffer(ZC_LEN, false, 'm');
	got = malloc(ZC_LEN);
	ASSERT_TRUE(buf != NULL && got != NULL);
	ASSERT_EQ(ZC_LEN, send(self->fd[C], buf, ZC_LEN, MSG_ZEROCOPY));
	ASSERT_EQ(0, munmap(buf, ZC_LEN));
	ASSERT_EQ(ZC_LEN, read_full(self->fd[S], got, ZC_LEN));
	EXPECT_TRUE(all_are(got, ZC_LEN, 'm'));
	EXPECT_LE(0, expect_completions(_metadata, variant, self->fd[C], 0, 0));
	free(got);
}

/*
 * Send from a buffer, fork, and let the child write @seed over it before
 * the reader reads. Returns what the reader got, or NULL.
 */
static uint8_t *send_then_child_writes(struct __test_metadata *_metadata,
				       FIXTURE_DATA(zerocopy) *self,
				       bool shared, uint8_t seed)
{
	uint8_t *buf = zc_buffer(ZC_LEN, shared, 'p');
	uint8_t *got = malloc(ZC_LEN);
	int status;
	pid_t pid;

	if (!buf || !got)
		return NULL;
	if (send(self->fd[C], buf, ZC_LEN, MSG_ZEROCOPY) != ZC_LEN)
		return NULL;
	pid = fork();
	if (!pid) {
		memset(buf, seed, ZC_LEN);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return NULL;
	if (read_full(self->fd[S], got, ZC_LEN) != ZC_LEN)
		return NULL;
	munmap(buf, ZC_LEN);
	return got;
}

TEST_F(zerocopy, a_forked_childs_writes_never_reach_the_parents_send)
{
	uint8_t *got;

	ZEROCOPY_PAIR_OR_SKIP();
	/* private memory: the child writes to its own copy of the pages */
	got = send_then_child_writes(_metadata, self, false, 'c');
	ASSERT_TRUE(got != NULL);
	EXPECT_TRUE(all_are(got, ZC_LEN, 'p'));
	EXPECT_LE(0, expect_completions(_metadata, variant, self->fd[C], 0, 0));
	free(got);
}

TEST_F(zerocopy, shared_memory_sends_what_it_holds_when_read)
{
	uint8_t *got;

	ZEROCOPY_PAIR_OR_SKIP();
	/* MAP_SHARED: the child writes to the very pages queued */
	got = send_then_child_writes(_metadata, self, true, 'c');
	ASSERT_TRUE(got != NULL);
	OBSERVE_IF(all_are(got, ZC_LEN, 'c'), "what the pages hold when read",
		   "what they held when sent");
	/* AF_TOY's contract (af_toy.h): the reader copies from the pages */
	if (variant->fam == FAM_TOY)
		EXPECT_TRUE(all_are(got, ZC_LEN, 'c'));
	EXPECT_LE(0, expect_completions(_metadata, variant, self->fd[C], 0, 0));
	free(got);
}

/*
 * af_toy.ko's reference count once the socks that earlier tests closed
 * are freed (after an RCU grace period): the same for 200 ms running.
 */
static long module_refs_stable(void)
{
	long n = toy_module_refs(), end = now_ms() + WAKE_MS;

	while (now_ms() < end) {
		long m;

		poll(NULL, 0, 200);
		m = toy_module_refs();
		if (m == n)
			break;
		n = m;
	}
	return n;
}

/*
 * For AF_TOY: close the fixture's pair the way @close_pair does and
 * check that both socks are freed, which they are not while a completion
 * holds the sender. The references one socket holds are measured with
 * a socket of its own.
 */
static void expect_pair_freed(struct __test_metadata *_metadata,
			      FIXTURE_DATA(zerocopy) *self, long before)
{
	long per_socket, base;
	int fd;

	base = toy_module_refs();
	fd = socket(self->family, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	per_socket = toy_module_refs() - base;
	close(fd);
	ASSERT_LT(0, per_socket);
	EXPECT_GE(before - 2 * per_socket,
		  toy_module_refs_settle(before - 2 * per_socket, WAKE_MS))
		TH_LOG("a sock of the pair is still alive");
}

TEST_F(zerocopy, close_with_sends_in_flight_frees_them)
{
	uint8_t *buf, *got;
	long before;

	ZEROCOPY_PAIR_OR_SKIP();
	before = module_refs_stable();
	buf = zc_buffer(ZC_LEN, false, 'f');
	got = malloc(ZC_LEN);
	ASSERT_TRUE(buf != NULL && got != NULL);
	ASSERT_EQ(ZC_LEN, send(self->fd[C], buf, ZC_LEN, MSG_ZEROCOPY));
	/* the sender goes first: its bytes still reach the reader */
	close(self->fd[C]);
	self->fd[C] = -1;
	memset(buf, 'g', ZC_LEN);
	munmap(buf, ZC_LEN);
	ASSERT_EQ(ZC_LEN, read_full(self->fd[S], got, ZC_LEN));
	OBSERVE_IF(all_are(got, ZC_LEN, 'g'), "by reference", "copied");
	free(got);
	close(self->fd[S]);
	self->fd[S] = -1;
	if (variant->fam == FAM_TOY)
		expect_pair_freed(_metadata, self, before);
}

TEST_F(zerocopy, close_with_sends_unread_or_completions_unread_frees_them)
{
	uint8_t *buf, *got;
	long before;

	ZEROCOPY_PAIR_OR_SKIP();
	before = module_refs_stable();
	buf = zc_buffer(ZC_LEN, false, 'f');
	got = malloc(ZC_LEN);
	ASSERT_TRUE(buf != NULL && got != NULL);
	/* one send read, its completion left unread; one never read */
	ASSERT_EQ(ZC_LEN / 2, send(self->fd[C], buf, ZC_LEN / 2, MSG_ZEROCOPY));
	ASSERT_EQ(ZC_LEN / 2, read_full(self->fd[S], got, ZC_LEN / 2));
	ASSERT_TRUE(poll_for(self->fd[C], 0, WAKE_MS) & POLLERR);
	ASSERT_EQ(ZC_LEN / 2, send(self->fd[C], buf, ZC_LEN / 2, MSG_ZEROCOPY));
	/* the reader goes first, with the send unread */
	close(self->fd[S]);
	self->fd[S] = -1;
	close(self->fd[C]);
	self->fd[C] = -1;
	munmap(buf, ZC_LEN);
	free(got);
	if (variant->fam == FAM_TOY)
		expect_pair_freed(_metadata, self, before);
}

/*
 * A connected pair of @fam on the address numbered @key, SO_ZEROCOPY on
 * the client *@c; 0, or -1.
 */
static int zc_pair(enum fam fam, int family, unsigned int key, int *c, int *s)
{
	struct sockaddr_storage ss;
	socklen_t len = fam_addr(fam, family, test_port() + key, true, &ss);
	int l = socket(family, SOCK_STREAM, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&ss, len) || listen(l, 1))
		return -1;
	len = fam_addr(fam, family, test_port() + key, false, &ss);
	*c = socket(family, SOCK_STREAM, 0);
	if (*c < 0 || connect(*c, (struct sockaddr *)&ss, len))
		return -1;
	*s = accept(l, NULL, NULL);
	close(l);
	return *s < 0 || zerocopy_on(fam, *c) ? -1 : 0;
}

/*
 * Run @fn(@fam, @family) in a child as user @uid (so without
 * CAP_IPC_LOCK) under RLIMIT_MEMLOCK @limit; returns its exit code, 100
 * when it could not become @uid.
 */
static int as_user(uid_t uid, enum fam fam, int family, rlim_t limit,
		   int (*fn)(enum fam fam, int family))
{
	struct rlimit rl = { limit, limit };
	int status;
	pid_t pid;

	pid = fork();
	if (!pid) {
		/* a child stuck past the harness's timeout must not live on */
		alarm(CHILD_SECONDS);
		if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(uid) || setuid(uid))
			_exit(100);
		_exit(fn(fam, family));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* under a 64 KiB limit: 1 MiB is refused, whole; 16 KiB goes */
static int memlock_refuses(enum fam fam, int family)
{
	static uint8_t buf[1 << 20];
	struct completion cpl;
	int c, s;

	if (zc_pair(fam, family, 2, &c, &s))
		return 10;
	if (send(c, buf, sizeof(buf), MSG_ZEROCOPY | MSG_DONTWAIT) > 0)
		return 1;
	if (errno != ENOBUFS)
		return errno < 128 ? 128 + errno : 2;
	/* nothing of it was sent, and no completion is due */
	if (recv(s, buf, 1, MSG_DONTWAIT) != -1 || errno != EAGAIN)
		return 3;
	if (send(c, buf, 16384, MSG_ZEROCOPY) != 16384)
		return 4;
	if (read_full(s, buf, 16384) != 16384)
		return 5;
	if (read_completion(c, WAKE_MS, &cpl) != 1 || cpl.lo != 0 || cpl.hi != 0)
		return 6;
	return 0;
}

TEST_F(zerocopy, rlimit_memlock_refuses_a_send_with_enobufs)
{
	int want = on_kernel(variant->memlock);
	int code;

	ZEROCOPY_PAIR_OR_SKIP();
	code = as_user(USERS + variant->fam, variant->fam, self->family,
		       64 * 1024, memlock_refuses);
	if (code == 1)
		OBSERVE("sends a part");
	else if (code > 128)
		observed_errno(code - 128);
	else if (!code)
		observed_errno(ENOBUFS);
	EXPECT_EQ(want == MEMLOCK_PART ? 1 : want == ENOBUFS ? 0 : 128 + want,
		  code)
		TH_LOG("1: 1 MiB sent in part, 128 + errno: refused with errno, not ENOBUFS, 3: bytes arrived, 4: 16 KiB refused, 5: not read, 6: no completion 0, 10: no pair");
}

/*
 * Under a 1 MiB limit, rounds that each send 512 KiB and close both ends
 * with it unread, the sender first or the reader first: each round's
 * charge must come back when its pages are freed, or the next round is
 * refused.
 */
static int memlock_comes_back(enum fam fam, int family)
{
	static uint8_t buf[512 * 1024];
	int round, c, s;

	for (round = 0; round < 8; round++) {
		if (zc_pair(fam, family, 3 + round, &c, &s))
			return 10;
		if (send(c, buf, sizeof(buf), MSG_ZEROCOPY | MSG_DONTWAIT) <= 0)
			return 20 + round;
		close(round % 2 ? s : c);
		close(round % 2 ? c : s);
	}
	return 0;
}

TEST_F(zerocopy, closing_with_sends_unread_gives_the_memlock_charge_back)
{
	ZEROCOPY_PAIR_OR_SKIP();
	if (on_kernel(variant->memlock) != ENOBUFS)
		SKIP(return, "%s does not refuse a send over RLIMIT_MEMLOCK with ENOBUFS here, which shows a charge left behind (rlimit_memlock_refuses_a_send_with_enobufs)",
		     fam_name(variant->fam));
	EXPECT_EQ(0, as_user(USERS + 8 + variant->fam, variant->fam,
			     self->family, 1024 * 1024, memlock_comes_back))
		TH_LOG("10: no pair, 20 + n: round n refused (an earlier round's charge stayed)");
}

/* the largest net.core.optmem_max that leaves room for a few completions */
#define OPTMEM_SMALL	"4096"

/* Write @val to @path, keeping what it held in @old (size @len). */
static int sysctl_swap(const char *path, const char *val, char *old, size_t len)
{
	int fd = open(path, O_RDWR);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, old, len - 1);
	old[n > 0 ? n : 0] = '\0';
	n = pwrite(fd, val, strlen(val), 0);
	close(fd);
	return n < 0 ? -1 : 0;
}

TEST_F(zerocopy, optmem_max_refuses_a_send_with_enobufs)
{
	const char *path = "/proc/sys/net/core/optmem_max";
	char old[32], scratch[32];
	uint8_t buf[4096] = "";
	int sends = 0, err = 0;
	size_t total = 0;
	uint8_t *got;

	ZEROCOPY_PAIR_OR_SKIP();
	ASSERT_EQ(0, sysctl_swap(path, OPTMEM_SMALL, old, sizeof(old)));
	ASSERT_NE('\0', old[0]) TH_LOG("%s was empty; set it back by hand", path);
	/* each send in flight holds its completion, charged to optmem */
	while (sends < 1000) {
		ssize_t n = send(self->fd[C], buf, sizeof(buf),
				 MSG_ZEROCOPY | MSG_DONTWAIT);

		if (n < 0) {
			err = errno;
			break;
		}
		total += n;
		sends++;
	}
	ASSERT_EQ(0, sysctl_swap(path, old, scratch, sizeof(scratch)))
		TH_LOG("%s is still %s: set it back to %s", path, OPTMEM_SMALL, old);
	EXPECT_EQ(variant->optmem_errno, observed_errno(err));
	ASSERT_LT(0, sends);
	got = malloc(total + 1);
	ASSERT_TRUE(got != NULL);
	/* what was sent arrives; the refused send added nothing */
	ASSERT_EQ((ssize_t)total, read_full(self->fd[S], got, total));
	EXPECT_EQ(-1, recv(self->fd[S], got, 1, MSG_DONTWAIT));
	EXPECT_LE(0, expect_completions(_metadata, variant, self->fd[C], 0,
					sends - 1));
	free(got);
}

TEST_HARNESS_MAIN
