// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_SEQPACKET across AF_UNIX (abstract names), AF_VSOCK (loopback) and
 * AF_TOY: records keep their boundaries, short buffers truncate, MSG_PEEK,
 * MSG_TRUNC, MSG_EOR, the largest record, flow control, SIOCINQ and
 * SIOCOUTQ, poll, timeouts, and the connection lifecycle a seqpacket
 * socket shares with a stream one.
 *
 * Where the families differ, the variant says what each one does; every
 * difference is listed in Documentation/differences.md.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"
#include "connected.h"
#include "preempt.h"

/* Listener, client and accepted server end of the fixture's connection. */
enum { L, C, S, NFDS };

/* What bounds the size of one record. */
enum record_limit {
	LIMIT_SNDBUF,		/* the sender's SO_SNDBUF */
	LIMIT_SNDBUF_32,	/* SO_SNDBUF less 32 bytes */
	LIMIT_VSOCK_BUFFER,	/* SO_VM_SOCKETS_BUFFER_SIZE, 256 KiB */
};

/* Pages sendfile() sends in sendfile_makes_one_record_per_page. */
#define SENDFILE_PAGES		3

/* The vsock buffer size the kernel gives a socket by default. */
#define VSOCK_DEFAULT_BUFFER	(256 * 1024)

FIXTURE(seqpacket) {
	int family;
	int fd[NFDS];
};

FIXTURE_VARIANT(seqpacket) {
	enum fam fam;
	enum record_limit limit;
	struct by_kernel over_limit; /* errno of a record over the limit */
	struct by_kernel peek;	/* errno of MSG_PEEK, 0 when it works */
	struct by_kernel recv_fault; /* errno of recv() into unmapped memory */
	bool zero_length;	/* a record of 0 bytes is delivered */
	bool records_atomic;	/* records of two writers never interleave */
	bool fault_keeps_record; /* a recv() that faults leaves the record */
	struct by_kernel sendfile_records; /* records from sendfile() of
				 * SENDFILE_PAGES pages */
	bool eor_always;	/* MSG_EOR on a record sent without it */
	bool eor_passed_on;	/* MSG_EOR on a record sent with it */
	bool inq_sums_records;	/* SIOCINQ counts every record, not the next */
	bool lowat_holds_poll;	/* SO_RCVLOWAT keeps a short record from
				 * making poll() readable */
	struct by_kernel siocinq; /* errno of SIOCINQ, 0 when it works */
	int recv_unconnected;	/* errno of recv() before connect() */
	int refused;		/* errno of connect() with nobody listening */
	bool socketpair;	/* socketpair() works */
	bool peercred;		/* SO_PEERCRED names the peer process */
	bool reset_on_unread;	/* close with unread records: peer gets
				 * ECONNRESET */
	struct by_kernel sigpipe; /* EPIPE from send() comes with SIGPIPE */
	bool own_port_space;	/* a stream socket may bind the same address */
	int sendto_connected;	/* errno of sendto() with an address on a
				 * connected socket, 0 when the address is
				 * ignored */
	bool netns_isolated;	/* another netns cannot connect */
	bool end_after_records;	/* the end never overtakes a record */
};

FIXTURE_VARIANT_ADD(seqpacket, unix) {
	.fam = FAM_UNIX,
	.limit = LIMIT_SNDBUF_32,
	.over_limit = SAME_ON_ALL(EMSGSIZE),
	.peek = SAME_ON_ALL(0),
	.recv_fault = SAME_ON_ALL(EFAULT),
	.zero_length = true,
	.records_atomic = true,
	.fault_keeps_record = false,
	/* 6.5: splice hands sockets up to 16 pages in one sendmsg() */
	.sendfile_records = BY_KERNEL(SENDFILE_PAGES, KV(6, 5), 1),
	.eor_always = false,
	.eor_passed_on = false,
	.inq_sums_records = true,
	.lowat_holds_poll = false,
	.siocinq = SAME_ON_ALL(0),
	.recv_unconnected = ENOTCONN,
	.refused = ECONNREFUSED,
	.socketpair = true,
	.peercred = true,
	.reset_on_unread = true,
	/* unix_dgram_sendmsg() returns EPIPE without raising it */
	.sigpipe = SAME_ON_ALL(false),
	/* abstract names are hashed with the socket type */
	.own_port_space = true,
	.sendto_connected = 0,
	.netns_isolated = true,
	/* unix_dgram_recvmsg() with MSG_DONTWAIT */
	.end_after_records = false,
};

FIXTURE_VARIANT_ADD(seqpacket, vsock) {
	.fam = FAM_VSOCK,
	.limit = LIMIT_VSOCK_BUFFER,
	/* 6.6: "vsock: return errors other than -ENOMEM to socket" */
	.over_limit = BY_KERNEL(ENOMEM, KV(6, 6), EMSGSIZE),
	/*
	 * 6.3: "virtio/vsock: support MSG_PEEK for SOCK_SEQPACKET"; before,
	 * the transport's EOPNOTSUPP, and any error of a seqpacket receive,
	 * reached the caller as ENOMEM (until 6.6, as for sends)
	 */
	.peek = BY_KERNEL(ENOMEM, KV(6, 3), 0),
	.recv_fault = BY_KERNEL(ENOMEM, KV(6, 6), EFAULT),
	.zero_length = false,
	.records_atomic = false,
	.fault_keeps_record = false,
	.sendfile_records = BY_KERNEL(SENDFILE_PAGES, KV(6, 5), 1),
	.eor_always = false,
	.eor_passed_on = true,
	.inq_sums_records = true,
	.lowat_holds_poll = true,
	/* 6.9: "vsock: support SIOCOUTQ ioctl"; 6.17: SIOCINQ too */
	.siocinq = BY_KERNEL3(EOPNOTSUPP, KV(6, 9), ENOTTY, KV(6, 17), 0),
	.recv_unconnected = ENOTCONN,
	.refused = ECONNRESET,
	.socketpair = false,
	.peercred = false,
	.reset_on_unread = false,
	/* 6.3's "vsock: send SIGPIPE on write to shutdowned socket": stream only */
	.sigpipe = SAME_ON_ALL(false),
	.own_port_space = false,
	.sendto_connected = EISCONN,
	.netns_isolated = false,
	.end_after_records = true,
};

FIXTURE_VARIANT_ADD(seqpacket, toy) {
	.fam = FAM_TOY,
	.limit = LIMIT_SNDBUF,
	.over_limit = SAME_ON_ALL(EMSGSIZE),
	.peek = SAME_ON_ALL(0),
	.recv_fault = SAME_ON_ALL(EFAULT),
	.zero_length = true,
	.records_atomic = true,
	.fault_keeps_record = true,
	.sendfile_records = SAME_ON_ALL(SENDFILE_PAGES),
	.eor_always = true,
	.eor_passed_on = true,
	.inq_sums_records = false,
	.lowat_holds_poll = false,
	.siocinq = SAME_ON_ALL(0),
	.recv_unconnected = ENOTCONN,
	.refused = ECONNREFUSED,
	.socketpair = true,
	.peercred = true,
	.reset_on_unread = true,
	.sigpipe = SAME_ON_ALL(true),
	.own_port_space = true,
	.sendto_connected = EISCONN,
	.netns_isolated = true,
	.end_after_records = true,
};

FIXTURE_SETUP(seqpacket)
{
	fds_init(self->fd, NFDS);
	self->family = fam_number(variant->fam);
}

FIXTURE_TEARDOWN(seqpacket)
{
	fds_close(self->fd, NFDS);
}

/* The fixture's connection: listener L on key 1, client C, accepted S. */
#define PAIR_OR_SKIP() do {						\
	FAMILY_OR_SKIP(self->family, variant->fam);			\
	self->fd[L] = fam_listen(_metadata, variant->fam, self->family,	\
				 SOCK_SEQPACKET, 1, 16);		\
	self->fd[C] = fam_socket(_metadata, self->family,		\
				 SOCK_SEQPACKET);			\
	ASSERT_EQ(0, fam_connect(variant->fam, self->family,		\
				 self->fd[C], 1))			\
		TH_LOG("connect: %s", strerror(errno));			\
	self->fd[S] = accept(self->fd[L], NULL, NULL);			\
	ASSERT_LE(0, self->fd[S]) TH_LOG("accept: %s", strerror(errno)); \
} while (0)

/* recvmsg() of one record into @buf; its msg_flags go to *@flags. */
static ssize_t recv_record(int fd, void *buf, size_t len, int flags,
			   int *msg_flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(fd, &msg, flags);

	*msg_flags = msg.msg_flags;
	return n;
}

/* The largest record @fd may send, by the family's rule. */
static size_t record_limit(enum record_limit limit, int fd)
{
	switch (limit) {
	case LIMIT_SNDBUF:
		return sockopt_int(fd, SO_SNDBUF);
	case LIMIT_SNDBUF_32:
		return sockopt_int(fd, SO_SNDBUF) - 32;
	default:
		return VSOCK_DEFAULT_BUFFER;
	}
}

/*
 * Read everything @fd has, until nothing more comes for BLOCKED_MS
 * (AF_VSOCK delivers on loopback from a workqueue, a little later).
 */
static void drain(int fd)
{
	char buf[4096];

	while (poll_for(fd, POLLIN, BLOCKED_MS) & POLLIN)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
}

/* ---- records ---- */

TEST_F(seqpacket, records_keep_their_boundaries)
{
	static const size_t sizes[] = { 1, 100, 3000, 17, 65536 };
	static char buf[65536 + 1];
	unsigned int i;
	int flags;

	PAIR_OR_SKIP();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(buf, 'a' + i, sizes[i]);
		ASSERT_EQ((ssize_t)sizes[i], send(self->fd[C], buf, sizes[i], 0));
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ((ssize_t)sizes[i],
			  recv_record(self->fd[S], buf, sizeof(buf), 0, &flags));
		EXPECT_EQ('a' + (int)i, buf[0]);
		EXPECT_EQ('a' + (int)i, buf[sizes[i] - 1]);
		EXPECT_EQ(0, buf[sizes[i]]);
		EXPECT_FALSE(flags & MSG_TRUNC);
	}
}

TEST_F(seqpacket, short_buffer_gets_the_start_with_msg_trunc)
{
	char buf[100];
	int flags;

	PAIR_OR_SKIP();
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(100, send(self->fd[C], buf, 100, 0));
	ASSERT_EQ(5, send(self->fd[C], "next!", 5, 0));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(10, recv_record(self->fd[S], buf, 10, 0, &flags));
	EXPECT_TRUE(flags & MSG_TRUNC);
	EXPECT_EQ('x', buf[9]);
	EXPECT_EQ(0, buf[10]);
	/* the rest of the record is gone: the next call gets the next one */
	EXPECT_EQ(5, recv_record(self->fd[S], buf, sizeof(buf), 0, &flags));
	EXPECT_EQ(0, memcmp(buf, "next!", 5));
	EXPECT_FALSE(flags & MSG_TRUNC);
	OBSERVE("rest discarded");
}

TEST_F(seqpacket, msg_trunc_in_flags_returns_the_full_length)
{
	char buf[100];
	int flags;

	PAIR_OR_SKIP();
	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(100, send(self->fd[C], buf, 100, 0));
	EXPECT_EQ(100, recv_record(self->fd[S], buf, 10, MSG_TRUNC, &flags));
	EXPECT_TRUE(flags & MSG_TRUNC);
}

TEST_F(seqpacket, msg_peek_peeks_one_record)
{
	char buf[16];
	int flags, err;
	ssize_t n;

	PAIR_OR_SKIP();
	ASSERT_EQ(3, send(self->fd[C], "one", 3, 0));
	ASSERT_EQ(3, send(self->fd[C], "two", 3, 0));
	n = recv_record(self->fd[S], buf, sizeof(buf), MSG_PEEK, &flags);
	err = n < 0 ? errno : 0;
	EXPECT_EQ(on_kernel(variant->peek), observed_errno(err));
	if (err)
		return;
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	EXPECT_EQ(3, recv_record(self->fd[S], buf, sizeof(buf), MSG_PEEK,
				 &flags));
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	EXPECT_EQ(3, recv(self->fd[S], buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "one", 3));
	EXPECT_EQ(3, recv(self->fd[S], buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "two", 3));
}

TEST_F(seqpacket, zero_length_record_is_delivered)
{
	char buf[16];
	int flags;

	ssize_t n;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, send(self->fd[C], buf, 0, 0));
	ASSERT_EQ(3, send(self->fd[C], "end", 3, 0));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
	n = recv_record(self->fd[S], buf, sizeof(buf), MSG_DONTWAIT, &flags);
	if (!variant->zero_length) {
		/* the next record comes first: the empty one was dropped */
		OBSERVE("not delivered");
		EXPECT_EQ(3, n);
		return;
	}
	EXPECT_EQ(0, n);
	OBSERVE_IF(flags & MSG_EOR, "0 bytes with MSG_EOR", "0 bytes");
	EXPECT_EQ(variant->eor_always, !!(flags & MSG_EOR));
	EXPECT_EQ(3, recv(self->fd[S], buf, sizeof(buf), MSG_DONTWAIT));
}

TEST_F(seqpacket, msg_eor_marks_a_record_sent_without_it)
{
	char buf[16];
	int flags;

	PAIR_OR_SKIP();
	ASSERT_EQ(3, send(self->fd[C], "abc", 3, 0));
	EXPECT_EQ(3, recv_record(self->fd[S], buf, sizeof(buf), 0, &flags));
	OBSERVE_IF(flags & MSG_EOR, "MSG_EOR", "no MSG_EOR");
	EXPECT_EQ(variant->eor_always, !!(flags & MSG_EOR));
}

TEST_F(seqpacket, msg_eor_marks_a_record_sent_with_it)
{
	char buf[16];
	int flags;

	PAIR_OR_SKIP();
	ASSERT_EQ(3, send(self->fd[C], "abc", 3, MSG_EOR));
	EXPECT_EQ(3, recv_record(self->fd[S], buf, sizeof(buf), 0, &flags));
	OBSERVE_IF(flags & MSG_EOR, "MSG_EOR", "no MSG_EOR");
	EXPECT_EQ(variant->eor_passed_on, !!(flags & MSG_EOR));
}

TEST_F(seqpacket, record_above_the_limit_fails_emsgsize)
{
	struct timeval tv = { .tv_sec = WAKE_MS / 1000 };
	size_t limit;
	char *buf;
	int flags;

	PAIR_OR_SKIP();
	limit = record_limit(variant->limit, self->fd[C]);
	buf = calloc(1, limit + 1);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, setsockopt(self->fd[C], SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	EXPECT_EQ(-1, send(self->fd[C], buf, limit + 1, 0));
	EXPECT_EQ(on_kernel(variant->over_limit), observed_errno(errno));
	EXPECT_EQ((ssize_t)limit, send(self->fd[C], buf, limit, 0))
		TH_LOG("send %zu: %s", limit, strerror(errno));
	EXPECT_EQ((ssize_t)limit, recv_record(self->fd[S], buf, limit + 1, 0,
					      &flags));
	OBSERVE("%s", variant->limit == LIMIT_SNDBUF ? "up to SO_SNDBUF" :
		variant->limit == LIMIT_SNDBUF_32 ? "up to SO_SNDBUF - 32" :
		"up to the vsock buffer size");
	free(buf);
}

/*
 * One record per send, through the connection in both directions at
 * once: random sizes up to the limit, each with its sequence number, its
 * length and a checksum of its payload at the front.
 */
struct record_head {
	uint32_t seq;
	uint32_t len;
	uint64_t sum;
};

#define INTEGRITY_RECORDS	200

struct integrity {
	int fd;
	size_t max;
	unsigned int seed;
	unsigned int bad;	/* records that arrived wrong */
	unsigned int got;	/* records read */
	ssize_t err;		/* the first failing call's errno */
};

static uint64_t payload_sum(const unsigned char *p, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum = sum * 131 + p[i];
	return sum;
}

static void *integrity_writer(void *arg)
{
	struct integrity *w = arg;
	unsigned char *buf = malloc(w->max);
	struct record_head *h = (struct record_head *)buf;
	unsigned int seed = w->seed, i;
	size_t len, j;

	for (i = 0; buf && i < INTEGRITY_RECORDS; i++) {
		len = sizeof(*h) + rand_r(&seed) % (w->max - sizeof(*h) + 1);
		for (j = sizeof(*h); j < len; j++)
			buf[j] = rand_r(&seed);
		h->seq = i;
		h->len = len;
		h->sum = payload_sum(buf + sizeof(*h), len - sizeof(*h));
		if (send(w->fd, buf, len, 0) != (ssize_t)len) {
			w->err = errno;
			break;
		}
	}
	free(buf);
	return NULL;
}

static void *integrity_reader(void *arg)
{
	struct integrity *r = arg;
	unsigned char *buf = malloc(r->max + 1);
	struct record_head *h = (struct record_head *)buf;
	int flags;
	ssize_t n;

	while (buf && r->got < INTEGRITY_RECORDS) {
		if (!(poll_for(r->fd, POLLIN, WAKE_MS) & POLLIN)) {
			r->err = ETIMEDOUT;
			break;
		}
		n = recv_record(r->fd, buf, r->max + 1, 0, &flags);
		if (n < (ssize_t)sizeof(*h)) {
			r->err = n < 0 ? errno : EPROTO;
			break;
		}
		if (h->seq != r->got || h->len != n || flags & MSG_TRUNC ||
		    h->sum != payload_sum(buf + sizeof(*h), n - sizeof(*h)))
			r->bad++;
		r->got++;
	}
	free(buf);
	return NULL;
}

TEST_F_TIMEOUT(seqpacket, large_records_arrive_whole_both_directions, 240)
{
	struct integrity w[2] = {}, r[2] = {};
	pthread_t tw[2], tr[2];
	size_t max;
	int i;

	PAIR_OR_SKIP();
	max = record_limit(variant->limit, self->fd[C]);
	if (max > record_limit(variant->limit, self->fd[S]))
		max = record_limit(variant->limit, self->fd[S]);
	for (i = 0; i < 2; i++) {
		w[i] = (struct integrity){ .fd = self->fd[i ? S : C],
					   .max = max, .seed = 7 + i };
		r[i] = (struct integrity){ .fd = self->fd[i ? C : S],
					   .max = max };
		ASSERT_EQ(0, pthread_create(&tr[i], NULL, integrity_reader,
					    &r[i]));
		ASSERT_EQ(0, pthread_create(&tw[i], NULL, integrity_writer,
					    &w[i]));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(tw[i], NULL);
		pthread_join(tr[i], NULL);
		EXPECT_EQ(0, w[i].err) TH_LOG("writer %d: %s", i,
					      strerror(w[i].err));
		EXPECT_EQ(0, r[i].err) TH_LOG("reader %d: %s", i,
					      strerror(r[i].err));
		EXPECT_EQ(INTEGRITY_RECORDS, (int)r[i].got);
		EXPECT_EQ(0, (int)r[i].bad);
	}
}

/* Two threads sending at once: each record arrives whole, never mixed. */
struct mixer {
	int fd;
	char fill;
	int sent;
	int err;
};

#define MIXER_RECORDS	300
#define MIXER_SIZE	(48 * 1024)

static void *mixer_writer(void *arg)
{
	struct mixer *m = arg;
	char *buf = malloc(MIXER_SIZE);
	int i;

	if (!buf)
		return NULL;
	memset(buf, m->fill, MIXER_SIZE);
	for (i = 0; i < MIXER_RECORDS; i++) {
		if (send(m->fd, buf, MIXER_SIZE, 0) != MIXER_SIZE) {
			m->err = errno;
			break;
		}
		m->sent++;
	}
	free(buf);
	return NULL;
}

TEST_F_TIMEOUT(seqpacket, records_of_two_writers_never_interleave, 240)
{
	struct timeval tv = { .tv_sec = WAKE_MS / 1000 };
	int i, got = 0, mixed = 0, flags;
	struct mixer m[2];
	pthread_t t[2];
	char *buf;
	ssize_t n = 0;

	FAMILY_OR_SKIP(self->family, variant->fam);
	if (!variant->records_atomic)
		SKIP(return, "%s sends a large record in pieces as the peer's credit allows, and two writers' pieces may interleave (144 of 600 records mixed on 7.3)",
		     fam_name(variant->fam));
	PAIR_OR_SKIP();
	/* a writer the reader stopped reading for gives up in time */
	ASSERT_EQ(0, setsockopt(self->fd[C], SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	buf = malloc(MIXER_SIZE + 1);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < 2; i++) {
		m[i] = (struct mixer){ .fd = self->fd[C], .fill = 'a' + i };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, mixer_writer, &m[i]));
	}
	while (got < 2 * MIXER_RECORDS) {
		if (!(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN))
			break;
		n = recv_record(self->fd[S], buf, MIXER_SIZE + 1, 0, &flags);
		if (n <= 0)
			break;
		if (n != MIXER_SIZE || memchr(buf, buf[0] == 'a' ? 'b' : 'a', n))
			mixed++;
		got++;
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(MIXER_RECORDS, m[i].sent) TH_LOG("writer %d: %s", i,
							 strerror(m[i].err));
	}
	OBSERVE_IF(mixed, "records mixed", "records whole");
	EXPECT_EQ(2 * MIXER_RECORDS, got) TH_LOG("last recv: %zd", n);
	EXPECT_EQ(0, mixed);
	free(buf);
}

TEST_F(seqpacket, recv_that_faults_loses_the_record_or_keeps_it)
{
	char buf[16];
	void *bad;
	ssize_t n;

	PAIR_OR_SKIP();
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	ASSERT_EQ(3, send(self->fd[C], "abc", 3, 0));
	ASSERT_EQ(3, send(self->fd[C], "def", 3, 0));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
	EXPECT_EQ(-1, recv(self->fd[S], bad, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(on_kernel(variant->recv_fault), errno);
	/* AF_VSOCK delivers from a workqueue: "def" may still be on its way */
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
	n = recv(self->fd[S], buf, sizeof(buf), MSG_DONTWAIT);
	ASSERT_EQ(3, n);
	OBSERVE_IF(!memcmp(buf, "abc", 3), "record kept", "record lost");
	EXPECT_EQ(variant->fault_keeps_record, !memcmp(buf, "abc", 3));
	munmap(bad, 4096);
}

TEST_F(seqpacket, sendfile_makes_one_record_per_page)
{
	static char page[4096];
	int i, file, n = 0;

	PAIR_OR_SKIP();
	file = memfd_create("seqpacket-sendfile", MFD_CLOEXEC);
	ASSERT_LE(0, file);
	for (i = 0; i < SENDFILE_PAGES; i++)
		ASSERT_EQ((ssize_t)sizeof(page), write(file, page, sizeof(page)));
	ASSERT_EQ(0, lseek(file, 0, SEEK_SET));
	ASSERT_EQ(SENDFILE_PAGES * (ssize_t)sizeof(page),
		  sendfile(self->fd[C], file, NULL, SENDFILE_PAGES * sizeof(page)))
		TH_LOG("sendfile: %s", strerror(errno));
	while (poll_for(self->fd[S], POLLIN, BLOCKED_MS) & POLLIN &&
	       recv(self->fd[S], page, sizeof(page), MSG_DONTWAIT) > 0)
		n++;
	OBSERVE("%d records", n);
	EXPECT_EQ(on_kernel(variant->sendfile_records), n);
	close(file);
}

/* ---- flow control, queues, poll, timeouts ---- */

TEST_F(seqpacket, nonblocking_writer_stops_when_the_reader_does_not_read)
{
	char record[1000] = {};
	unsigned int n = 0;

	PAIR_OR_SKIP();
	/* a bound far above any family's queue: kernel memory is bounded */
	while (n < 100000 && send(self->fd[C], record, sizeof(record),
				  MSG_DONTWAIT) == sizeof(record))
		n++;
	EXPECT_GT(100000, (int)n);
	EXPECT_EQ(EAGAIN, observed_errno(errno));
	EXPECT_FALSE(poll_for(self->fd[C], POLLOUT, 0) & POLLOUT);
	/* once the reader has read everything, the writer may go on */
	drain(self->fd[S]);
	EXPECT_TRUE(poll_for(self->fd[C], POLLOUT, WAKE_MS) & POLLOUT);
	EXPECT_EQ((ssize_t)sizeof(record),
		  send(self->fd[C], record, sizeof(record), MSG_DONTWAIT));
}

TEST_F(seqpacket, blocked_writer_resumes_when_the_reader_reads)
{
	char record[1000] = {};
	struct call c = { .op = CALL_SEND, .buf = record,
			  .len = sizeof(record) };

	PAIR_OR_SKIP();
	while (send(self->fd[C], record, sizeof(record), MSG_DONTWAIT) > 0)
		;
	c.fd = self->fd[C];
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	drain(self->fd[S]);
	EXPECT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ((ssize_t)sizeof(record), c.ret);
}

TEST_F(seqpacket, siocinq_reports_the_next_record_or_all_records)
{
	int want, inq = -1, err, ms;

	PAIR_OR_SKIP();
	want = variant->inq_sums_records ? 30 : 10;
	ASSERT_EQ(10, send(self->fd[C], "0123456789", 10, 0));
	ASSERT_EQ(20, send(self->fd[C], "01234567890123456789", 20, 0));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
	/* AF_VSOCK delivers from a workqueue: the second record may lag */
	for (ms = 0; ms < WAKE_MS; ms += 10) {
		err = ioctl(self->fd[S], SIOCINQ, &inq) ? errno : 0;
		if (err || inq == want)
			break;
		poll(NULL, 0, 10);
	}
	EXPECT_EQ(on_kernel(variant->siocinq), observed_errno(err));
	if (err)
		return;
	OBSERVE("%d", inq);
	EXPECT_EQ(want, inq);
}

TEST_F(seqpacket, siocoutq_counts_what_the_peer_has_not_read)
{
	int outq = -1;

	FAMILY_OR_SKIP(self->family, variant->fam);
	if (variant->fam != FAM_TOY)
		SKIP(return, "%s counts memory or unsent bytes, not unread payload (stream.siocinq_and_siocoutq_count_unread_bytes)",
		     fam_name(variant->fam));
	PAIR_OR_SKIP();
	ASSERT_EQ(10, send(self->fd[C], "0123456789", 10, 0));
	ASSERT_EQ(0, send(self->fd[C], "", 0, 0));
	ASSERT_EQ(0, ioctl(self->fd[C], SIOCOUTQ, &outq));
	EXPECT_EQ(10, outq);
}

TEST_F(seqpacket, poll_is_readable_once_a_record_is_queued)
{
	PAIR_OR_SKIP();
	EXPECT_EQ(POLLOUT, poll_for(self->fd[S], POLLIN | POLLOUT, 0));
	ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	EXPECT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
	observe_poll(poll_for(self->fd[S], POLLIN | POLLOUT, 0));
}

TEST_F(seqpacket, so_rcvlowat_does_not_hold_back_a_record)
{
	struct timeval tv = { .tv_sec = WAKE_MS / 1000 };
	int lowat = 100, flags;
	char buf[16];
	short r;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, setsockopt(self->fd[S], SOL_SOCKET, SO_RCVLOWAT, &lowat,
				sizeof(lowat)));
	ASSERT_EQ(0, setsockopt(self->fd[S], SOL_SOCKET, SO_RCVTIMEO, &tv,
				sizeof(tv)));
	ASSERT_EQ(3, send(self->fd[C], "abc", 3, 0));
	r = poll_for(self->fd[S], POLLIN, BLOCKED_MS);
	OBSERVE_IF(r & POLLIN, "poll readable", "poll not readable");
	EXPECT_EQ(variant->lowat_holds_poll, !(r & POLLIN));
	/* recv() returns the record whatever the mark */
	EXPECT_EQ(3, recv_record(self->fd[S], buf, sizeof(buf), 0, &flags));
}

TEST_F(seqpacket, msg_waitall_returns_one_record)
{
	struct timeval tv = { .tv_usec = RCVTIMEO_MS * 1000 };
	char buf[16];
	ssize_t n;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, setsockopt(self->fd[S], SOL_SOCKET, SO_RCVTIMEO, &tv,
				sizeof(tv)));
	ASSERT_EQ(3, send(self->fd[C], "abc", 3, 0));
	ASSERT_EQ(3, send(self->fd[C], "def", 3, 0));
	n = recv(self->fd[S], buf, sizeof(buf), MSG_WAITALL);
	OBSERVE("%zd bytes", n);
	EXPECT_EQ(3, n);
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
}

TEST_F(seqpacket, so_rcvtimeo_bounds_a_blocking_recv)
{
	PAIR_OR_SKIP();
	expect_rcvtimeo(_metadata, self->fd[S]);
}

TEST_F(seqpacket, blocked_recv_wakes_on_a_record)
{
	char buf[16];
	struct call c = { .op = CALL_RECV, .buf = buf, .len = sizeof(buf) };

	PAIR_OR_SKIP();
	c.fd = self->fd[S];
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(3, send(self->fd[C], "abc", 3, 0));
	EXPECT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(3, c.ret);
}

TEST_F(seqpacket, blocked_recv_wakes_on_a_zero_length_record)
{
	char buf[16];
	struct call c = { .op = CALL_RECV, .buf = buf, .len = sizeof(buf) };

	FAMILY_OR_SKIP(self->family, variant->fam);
	if (!variant->zero_length)
		SKIP(return, "%s does not deliver a record of 0 bytes (zero_length_record_is_delivered)",
		     fam_name(variant->fam));
	PAIR_OR_SKIP();
	c.fd = self->fd[S];
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(0, send(self->fd[C], buf, 0, 0));
	EXPECT_TRUE(call_returns_within(&c, WAKE_MS));
	if (!call_returns_within(&c, 0)) {
		/* still blocked: unblock it before joining */
		ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	}
	call_join(&c);
	EXPECT_EQ(0, c.ret);
}

/* ---- the connection ---- */

TEST_F(seqpacket, connect_with_nobody_bound_is_refused)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[C] = fam_socket(_metadata, self->family, SOCK_SEQPACKET);
	EXPECT_EQ(-1, fam_connect(variant->fam, self->family, self->fd[C], 1));
	EXPECT_EQ(variant->refused, observed_errno(errno));
}

TEST_F(seqpacket, stream_listener_does_not_take_seqpacket_connections)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int err;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = fam_socket(_metadata, self->family, SOCK_STREAM);
	len = fam_addr(variant->fam, self->family, test_port() + 1, true, &ss);
	ASSERT_EQ(0, bind(self->fd[L], (struct sockaddr *)&ss, len));
	ASSERT_EQ(0, listen(self->fd[L], 1));
	self->fd[C] = fam_socket(_metadata, self->family, SOCK_SEQPACKET);
	err = fam_connect(variant->fam, self->family, self->fd[C], 1) ?
	      errno : 0;
	EXPECT_NE(0, observed_errno(err));
}

TEST_F(seqpacket, port_space_is_its_own_or_shared_with_stream)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int err;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = fam_socket(_metadata, self->family, SOCK_STREAM);
	len = fam_addr(variant->fam, self->family, test_port() + 1, true, &ss);
	ASSERT_EQ(0, bind(self->fd[L], (struct sockaddr *)&ss, len));
	self->fd[C] = fam_socket(_metadata, self->family, SOCK_SEQPACKET);
	err = bind(self->fd[C], (struct sockaddr *)&ss, len) ? errno : 0;
	EXPECT_EQ(variant->own_port_space ? 0 : EADDRINUSE,
		  observed_errno(err));
}

TEST_F(seqpacket, accept4_sets_nonblock_and_cloexec)
{
	int fd;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = fam_listen(_metadata, variant->fam, self->family, SOCK_SEQPACKET, 1, 16);
	self->fd[C] = fam_socket(_metadata, self->family, SOCK_SEQPACKET);
	ASSERT_EQ(0, fam_connect(variant->fam, self->family, self->fd[C], 1));
	fd = accept4(self->fd[L], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("accept4: %s", strerror(errno));
	self->fd[S] = fd;
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(SOCK_SEQPACKET, sockopt_int(fd, SO_TYPE));
}

TEST_F(seqpacket, recv_on_an_unconnected_socket_fails)
{
	char byte;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[C] = fam_socket(_metadata, self->family, SOCK_SEQPACKET);
	EXPECT_EQ(-1, recv(self->fd[C], &byte, 1, MSG_DONTWAIT));
	EXPECT_EQ(variant->recv_unconnected, observed_errno(errno));
}

TEST_F(seqpacket, send_on_an_unconnected_socket_fails_enotconn)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[C] = fam_socket(_metadata, self->family, SOCK_SEQPACKET);
	EXPECT_EQ(-1, send(self->fd[C], "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, observed_errno(errno));
}

TEST_F(seqpacket, sendto_with_an_address_when_connected)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int err;

	PAIR_OR_SKIP();
	len = fam_addr(variant->fam, self->family, test_port() + 1, false, &ss);
	err = sendto(self->fd[C], "x", 1, 0, (struct sockaddr *)&ss, len) == 1 ?
	      0 : errno;
	EXPECT_EQ(variant->sendto_connected, observed_errno(err));
}

TEST_F(seqpacket, so_peercred_names_the_peer_process)
{
	PAIR_OR_SKIP();
	expect_peercred(_metadata, self->fd[S], variant->peercred);
}

TEST_F(seqpacket, socketpair_gives_a_connected_pair)
{
	char buf[8];
	int flags;

	FAMILY_OR_SKIP(self->family, variant->fam);
	expect_socketpair(_metadata, self->family, SOCK_SEQPACKET,
			  variant->socketpair, &self->fd[C]);
	if (!variant->socketpair)
		return;
	/* and keeps records apart */
	EXPECT_EQ(2, send(self->fd[C], "ab", 2, 0));
	EXPECT_EQ(2, send(self->fd[C], "cd", 2, 0));
	EXPECT_EQ(2, recv_record(self->fd[S], buf, sizeof(buf), 0, &flags));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	EXPECT_EQ(2, recv_record(self->fd[S], buf, sizeof(buf), 0, &flags));
	EXPECT_EQ(0, memcmp(buf, "cd", 2));
}

TEST_F(seqpacket, peer_close_gives_queued_records_then_eof)
{
	char buf[16];
	int flags;

	PAIR_OR_SKIP();
	ASSERT_EQ(3, send(self->fd[C], "one", 3, 0));
	ASSERT_EQ(3, send(self->fd[C], "two", 3, 0));
	close(self->fd[C]);
	self->fd[C] = -1;
	ASSERT_TRUE(poll_for(self->fd[S], POLLRDHUP, WAKE_MS) & POLLRDHUP);
	EXPECT_EQ(3, recv(self->fd[S], buf, sizeof(buf), 0));
	EXPECT_EQ(3, recv(self->fd[S], buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv_record(self->fd[S], buf, sizeof(buf), 0, &flags));
	/* the end of the stream is no record: no MSG_EOR */
	EXPECT_FALSE(flags & MSG_EOR);
}

TEST_F(seqpacket, close_with_unread_records_resets_the_peer)
{
	PAIR_OR_SKIP();
	if (!close_with_unread(_metadata, self->fd[C], &self->fd[S],
			       variant->reset_on_unread))
		return;
	EXPECT_EQ(-1, send(self->fd[C], "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ECONNRESET, observed_errno(errno));
	EXPECT_EQ(-1, send(self->fd[C], "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

TEST_F(seqpacket, send_after_shut_wr_gives_epipe_and_sigpipe)
{
	PAIR_OR_SKIP();
	expect_epipe_after_shut_wr(_metadata, self->fd[C],
				   on_kernel(variant->sigpipe));
}

TEST_F(seqpacket, shut_wr_gives_the_peer_eof_after_the_records)
{
	char buf[16];

	PAIR_OR_SKIP();
	ASSERT_EQ(3, send(self->fd[C], "abc", 3, 0));
	ASSERT_EQ(0, shutdown(self->fd[C], SHUT_WR));
	ASSERT_TRUE(poll_for(self->fd[S], POLLRDHUP, WAKE_MS) & POLLRDHUP);
	EXPECT_EQ(3, recv(self->fd[S], buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv(self->fd[S], buf, sizeof(buf), 0));
	/* the other direction still works */
	EXPECT_EQ(3, send(self->fd[S], "def", 3, 0));
	EXPECT_EQ(3, recv(self->fd[C], buf, sizeof(buf), 0));
}

TEST_F(seqpacket, the_end_never_overtakes_a_record_sent_before_it)
{
	struct end_race r;

	FAMILY_OR_SKIP(self->family, variant->fam);
	if (!end_race(_metadata, variant->fam, self->family, SOCK_SEQPACKET, 1,
		      &r))
		return;
	if (!variant->end_after_records && r.seen[END_BEFORE_DATA])
		SKIP(return, "%s's non-blocking recv() looks for the end after the queue, without a lock, and can report it with a record sent before it still queued",
		     fam_name(variant->fam));
	EXPECT_EQ(0U, r.seen[END_BEFORE_DATA]);
	EXPECT_EQ(0U, r.seen[END_ERROR]);
}

TEST_F(seqpacket, another_netns_cannot_connect)
{
	int err;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = fam_listen(_metadata, variant->fam, self->family, SOCK_SEQPACKET, 1, 16);
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s",
						   strerror(errno));
	self->fd[C] = fam_socket(_metadata, self->family, SOCK_SEQPACKET);
	err = fam_connect(variant->fam, self->family, self->fd[C], 1) ?
	      errno : 0;
	OBSERVE_IF(err, "refused", "connected");
	EXPECT_EQ(variant->netns_isolated, err != 0);
}

TEST_HARNESS_MAIN
