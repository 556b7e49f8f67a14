// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_STREAM across AF_UNIX (abstract names), AF_VSOCK (loopback) and
 * AF_TOY: connection setup, the byte stream and its options, flow control,
 * teardown, poll and the wake-ups of blocking calls, namespaces.
 *
 * Where the families differ, the variant says what each one does; every
 * difference is listed in Documentation/differences.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"
#include "connected.h"
#include "preempt.h"

#ifndef SO_VM_SOCKETS_BUFFER_SIZE
#define SO_VM_SOCKETS_BUFFER_SIZE 0
#endif

/* Listener, client and accepted server end of the fixture's connection. */
enum { L, C, S, NFDS };

FIXTURE(stream) {
	int family;
	int fd[NFDS];
};

FIXTURE_VARIANT(stream) {
	enum fam fam;
	int refused;		/* errno of connect() with nobody listening */
	bool autobind;		/* connect() binds the client */
	bool backlog_queues;	/* a full backlog makes connect() wait */
	int backlog_full;	/* errno of a non-blocking connect then */
	int recv_unconnected;	/* errno of recv() before connect() */
	bool socketpair;	/* socketpair() works */
	bool peercred;		/* SO_PEERCRED names the peer process */
	bool rcvbuf_limits;	/* the reader's SO_RCVBUF bounds the writer */
	bool lowat_poll;	/* poll() honours SO_RCVLOWAT */
	struct by_kernel siocinq; /* errno of SIOCINQ, 0 when it works */
	struct by_kernel siocoutq; /* errno of SIOCOUTQ, 0 when it works */
	enum {
		OUTQ_PAYLOAD,	/* bytes the peer has not read */
		OUTQ_MEMORY,	/* the memory of the skbs holding them */
		OUTQ_UNSENT,	/* bytes the transport has not sent yet */
	} outq;			/* what SIOCOUTQ counts */
	int listen_inq;		/* errno of SIOCINQ on a listener */
	int oob;		/* errno of send(MSG_OOB), 0 when supported */
	int rights;		/* errno of sending SCM_RIGHTS, 0 when supported */
	bool netns_isolated;	/* another netns cannot connect */
	bool reset_on_unread;	/* close with unread data: peer gets ECONNRESET */
	int shut_rd_send;	/* errno of the peer's send after SHUT_RD, or 0 */
	struct by_kernel sigpipe; /* EPIPE from send() comes with SIGPIPE */
	bool peer_hup;		/* the peer's close or SHUT_RDWR gives POLLHUP */
	bool unconnected_hup;	/* a socket never connected polls POLLHUP */
	int send_reset;		/* errno of a blocked send when the peer closes
				 * with unread data */
	int send_fault;		/* errno of a send() whose buffer faults */
	int waitall_max;	/* errno of a MSG_WAITALL read of 256 KiB */
	int reset_after_short;	/* errno of the send after one cut short by
				 * the peer's close with unread data */
	int lowat_huge;		/* errno of SO_RCVLOWAT = 1 MiB, 0 if taken */
	bool shut_rd_refuses;	/* a listener's SHUT_RD refuses the connectors
				 * waiting on its full backlog */
	int errqueue;		/* errno of recv(MSG_ERRQUEUE) with data
				 * queued and no error queue; 0 when it
				 * reads the data */
	bool backlog_wake_passed_on; /* a connector woken for a slot that
				 * finds its socket connected meanwhile wakes
				 * the next one */
};

FIXTURE_VARIANT_ADD(stream, unix) {
	.fam = FAM_UNIX,
	.refused = ECONNREFUSED,
	.autobind = false,
	.backlog_queues = true,
	.backlog_full = EAGAIN,
	.recv_unconnected = EINVAL,
	.socketpair = true,
	.peercred = true,
	.rcvbuf_limits = false,
	.lowat_poll = false,
	.siocinq = SAME_ON_ALL(0),
	.siocoutq = SAME_ON_ALL(0),
	.outq = OUTQ_MEMORY,
	.listen_inq = EINVAL,
	.oob = 0,
	.rights = 0,
	.netns_isolated = true,
	.reset_on_unread = true,
	.shut_rd_send = EPIPE,
	.sigpipe = SAME_ON_ALL(true),
	.peer_hup = true,
	.unconnected_hup = true,
	.send_reset = ECONNRESET,
	.send_fault = EFAULT,
	.waitall_max = 0,
	.reset_after_short = EPIPE,
	.lowat_huge = 0,
	.shut_rd_refuses = false,
	.errqueue = 0,
	.backlog_wake_passed_on = false,
};

FIXTURE_VARIANT_ADD(stream, vsock) {
	.fam = FAM_VSOCK,
	.refused = ECONNRESET,
	.autobind = true,
	.backlog_queues = false,
	.backlog_full = EINPROGRESS,
	.recv_unconnected = ENOTCONN,
	.socketpair = false,
	.peercred = false,
	.rcvbuf_limits = false,
	.lowat_poll = true,
	/* 6.9: "vsock: support SIOCOUTQ ioctl"; 6.17: SIOCINQ too */
	.siocinq = BY_KERNEL3(EOPNOTSUPP, KV(6, 9), ENOTTY, KV(6, 17), 0),
	.siocoutq = BY_KERNEL(EOPNOTSUPP, KV(6, 9), 0),
	.outq = OUTQ_UNSENT,
	/* a listener has no transport to ask */
	.listen_inq = EOPNOTSUPP,
	.oob = EOPNOTSUPP,
	.rights = 0,
	.netns_isolated = false,
	.reset_on_unread = false,
	.shut_rd_send = EPIPE,
	/* 6.3: "vsock: send SIGPIPE on write to shutdowned socket" */
	.sigpipe = BY_KERNEL(false, KV(6, 3), true),
	.peer_hup = false,
	.unconnected_hup = false,
	.send_reset = EPIPE,
	.send_fault = ENOMEM,
	.waitall_max = ENOMEM,
	.reset_after_short = EPIPE,
	.lowat_huge = EINVAL,
	.shut_rd_refuses = false,
	.errqueue = EAGAIN,
	.backlog_wake_passed_on = false,
};

FIXTURE_VARIANT_ADD(stream, toy) {
	.fam = FAM_TOY,
	.refused = ECONNREFUSED,
	.autobind = true,
	.backlog_queues = true,
	.backlog_full = EAGAIN,
	.recv_unconnected = EINVAL,
	.socketpair = true,
	.peercred = true,
	.rcvbuf_limits = true,
	.lowat_poll = true,
	.siocinq = SAME_ON_ALL(0),
	.siocoutq = SAME_ON_ALL(0),
	.outq = OUTQ_PAYLOAD,
	.listen_inq = EINVAL,
	.oob = EOPNOTSUPP,
	.rights = EOPNOTSUPP,
	.netns_isolated = true,
	.reset_on_unread = true,
	.shut_rd_send = EPIPE,
	.sigpipe = SAME_ON_ALL(true),
	.peer_hup = true,
	.unconnected_hup = true,
	.send_reset = ECONNRESET,
	.send_fault = EFAULT,
	.waitall_max = 0,
	.reset_after_short = ECONNRESET,
	.lowat_huge = 0,
	.shut_rd_refuses = true,
	.errqueue = EAGAIN,
	.backlog_wake_passed_on = true,
};

FIXTURE_SETUP(stream)
{
	fds_init(self->fd, NFDS);
	self->family = fam_number(variant->fam);
}

FIXTURE_TEARDOWN(stream)
{
	fds_close(self->fd, NFDS);
}

/* A stream socket of the fixture's family. */
static int stream_socket(struct __test_metadata *_metadata, int family,
			 int flags)
{
	return fam_socket(_metadata, family, SOCK_STREAM | flags);
}

/* A listener on the address numbered @key. */
static int listen_on(struct __test_metadata *_metadata, enum fam fam,
		     int family, unsigned int key, int backlog)
{
	return fam_listen(_metadata, fam, family, SOCK_STREAM, key, backlog);
}

/* connect(@fd) to the address numbered @key: 0 or -1 with errno. */
static int connect_to(enum fam fam, int family, int fd, unsigned int key)
{
	return fam_connect(fam, family, fd, key);
}

/* The fixture's connection: listener L on key 1, client C, accepted S. */
static void make_pair(struct __test_metadata *_metadata,
		      FIXTURE_DATA(stream) *self,
		      const FIXTURE_VARIANT(stream) *variant)
{
	self->fd[L] = listen_on(_metadata, variant->fam, self->family, 1, 16);
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	ASSERT_EQ(0, connect_to(variant->fam, self->family, self->fd[C], 1))
		TH_LOG("connect: %s", strerror(errno));
	self->fd[S] = accept(self->fd[L], NULL, NULL);
	ASSERT_LE(0, self->fd[S]) TH_LOG("accept: %s", strerror(errno));
}

#define PAIR_OR_SKIP() do {						\
	FAMILY_OR_SKIP(self->family, variant->fam);			\
	make_pair(_metadata, self, variant);				\
} while (0)

/* Tests of connections waiting in a backlog need a family that queues. */
#define BACKLOG_QUEUES_OR_SKIP() do {					\
	if (!variant->backlog_queues)					\
		SKIP(return, "%s refuses instead of queueing (listen_backlog_bounds_pending_connections)", \
		     fam_name(variant->fam));				\
} while (0)

/* How many bytes a non-blocking writer gets in before EAGAIN. */
static size_t fill(struct __test_metadata *_metadata, int fd)
{
	static char chunk[4096];
	size_t total = 0;
	ssize_t n;

	for (;;) {
		n = send(fd, chunk, sizeof(chunk), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0)
			break;
		total += n;
	}
	EXPECT_EQ(EAGAIN, observed_errno(errno));
	return total;
}

/*
 * Fill @fd's send buffer until it stays full: AF_VSOCK's loopback hands
 * the reader's credit back from a worker, so room can open once more
 * after fill() first met EAGAIN (seen after bulk reads). Returns the bytes
 * queued.
 */
static size_t fill_settled(struct __test_metadata *_metadata, int fd)
{
	size_t total = fill(_metadata, fd);
	int i;

	for (i = 0; i < 50 && (poll_for(fd, POLLOUT, BLOCKED_MS) & POLLOUT); i++)
		total += fill(_metadata, fd);
	return total;
}

static int sockopt(int fd, int level, int name)
{
	int val = -1;
	socklen_t len = sizeof(val);

	if (getsockopt(fd, level, name, &val, &len))
		return -errno;
	return val;
}

/* ---- listen ---- */

TEST_F(stream, listen_unbound_fails_einval)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = stream_socket(_metadata, self->family, 0);
	EXPECT_EQ(-1, listen(self->fd[L], 1));
	EXPECT_EQ(EINVAL, observed_errno(errno));
}

TEST_F(stream, listen_backlog_bounds_pending_connections)
{
	int i, fds[8], n = 0, backlog = 2;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = listen_on(_metadata, variant->fam, self->family, 1,
				backlog);
	for (i = 0; i < (int)ARRAY_SIZE(fds); i++) {
		fds[i] = stream_socket(_metadata, self->family, SOCK_NONBLOCK);
		if (connect_to(variant->fam, self->family, fds[i], 1))
			break;
		n++;
	}
	OBSERVE("%d wait with backlog %d", n, backlog);
	if (variant->backlog_queues) {
		/* as in sk_acceptq_is_full(): backlog + 1 may wait */
		EXPECT_EQ(backlog + 1, n);
		EXPECT_EQ(variant->backlog_full, observed_errno(errno));
	} else {
		/* non-blocking vsock connect always goes in progress */
		EXPECT_EQ(0, n);
		EXPECT_EQ(EINPROGRESS, observed_errno(errno));
	}
	while (i >= 0)
		close(fds[i--]);
}

/* net.core.somaxconn is per netns: lower it in a namespace of our own. */
TEST_F(stream, listen_backlog_is_clamped_to_somaxconn)
{
	int i, fds[8], n = 0, fd;

	FAMILY_OR_SKIP(self->family, variant->fam);
	BACKLOG_QUEUES_OR_SKIP();
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));
	fd = open("/proc/sys/net/core/somaxconn", O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(2, write(fd, "2\n", 2));
	close(fd);

	self->fd[L] = listen_on(_metadata, variant->fam, self->family, 1, 1000);
	for (i = 0; i < (int)ARRAY_SIZE(fds); i++) {
		fds[i] = stream_socket(_metadata, self->family, SOCK_NONBLOCK);
		if (connect_to(variant->fam, self->family, fds[i], 1))
			break;
		n++;
	}
	EXPECT_EQ(2 + 1, n);
	EXPECT_EQ(EAGAIN, observed_errno(errno));
	while (i >= 0)
		close(fds[i--]);
}

TEST_F(stream, listener_polls_readable_while_connection_waits)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = listen_on(_metadata, variant->fam, self->family, 1, 4);
	EXPECT_EQ(0, poll_for(self->fd[L], POLLIN | POLLOUT, 0));
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	ASSERT_EQ(0, connect_to(variant->fam, self->family, self->fd[C], 1));
	EXPECT_EQ(POLLIN, poll_for(self->fd[L], POLLIN | POLLOUT, WAKE_MS));
	self->fd[S] = accept(self->fd[L], NULL, NULL);
	ASSERT_LE(0, self->fd[S]);
	EXPECT_EQ(0, poll_for(self->fd[L], POLLIN, 0));
}

/* ---- connect ---- */

TEST_F(stream, connect_autobinds_the_client)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	PAIR_OR_SKIP();
	ASSERT_EQ(0, getsockname(self->fd[C], (struct sockaddr *)&ss, &len));
	/* an unbound AF_UNIX socket has only its family as its name */
	OBSERVE_IF(len > sizeof(sa_family_t), "bound", "unbound");
	EXPECT_EQ(variant->autobind, len > sizeof(sa_family_t));
}

TEST_F(stream, connect_with_nobody_bound_is_refused)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	EXPECT_EQ(-1, connect_to(variant->fam, self->family, self->fd[C], 1));
	EXPECT_EQ(variant->refused, observed_errno(errno));
}

TEST_F(stream, connect_to_bound_but_not_listening_is_refused)
{
	struct sockaddr_storage ss;
	socklen_t len;

	FAMILY_OR_SKIP(self->family, variant->fam);
	len = fam_addr(variant->fam, self->family, test_port() + 1, true, &ss);
	self->fd[L] = stream_socket(_metadata, self->family, 0);
	ASSERT_EQ(0, bind(self->fd[L], (struct sockaddr *)&ss, len));
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	EXPECT_EQ(-1, connect_to(variant->fam, self->family, self->fd[C], 1));
	EXPECT_EQ(variant->refused, observed_errno(errno));
}

TEST_F(stream, connect_when_connected_fails_eisconn)
{
	PAIR_OR_SKIP();
	EXPECT_EQ(-1, connect_to(variant->fam, self->family, self->fd[C], 1));
	EXPECT_EQ(EISCONN, observed_errno(errno));
}

/*
 * A listener on key 1 with backlog 0 and one connection waiting in it, so
 * that its backlog is full (backlog 0 still lets one wait). Returns the
 * client of that connection.
 */
static int full_backlog(struct __test_metadata *_metadata,
			FIXTURE_DATA(stream) *self,
			const FIXTURE_VARIANT(stream) *variant)
{
	int first;

	self->fd[L] = listen_on(_metadata, variant->fam, self->family, 1, 0);
	first = stream_socket(_metadata, self->family, 0);
	ASSERT_EQ(0, connect_to(variant->fam, self->family, first, 1));
	return first;
}

/*
 * Start @c, a connect() of a new socket (in c->fd) to the full listener
 * of full_backlog(), and check that it waits.
 */
static void connect_waiting(struct __test_metadata *_metadata,
			    FIXTURE_DATA(stream) *self,
			    const FIXTURE_VARIANT(stream) *variant,
			    struct call *c)
{
	c->op = CALL_CONNECT;
	c->fd = stream_socket(_metadata, self->family, 0);
	c->addrlen = fam_addr(variant->fam, self->family, test_port() + 1,
			      false, &c->addr);
	ASSERT_EQ(0, call_start(c));
	EXPECT_FALSE(call_returns_within(c, BLOCKED_MS));
}

TEST_F(stream, connect_to_full_backlog_waits_for_sndtimeo)
{
	struct timeval tv = { .tv_usec = 300 * 1000 };
	long start, took;
	int fds[2];

	FAMILY_OR_SKIP(self->family, variant->fam);
	BACKLOG_QUEUES_OR_SKIP();
	fds[0] = full_backlog(_metadata, self, variant);
	fds[1] = stream_socket(_metadata, self->family, 0);
	ASSERT_EQ(0, setsockopt(fds[1], SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	start = now_ms();
	EXPECT_EQ(-1, connect_to(variant->fam, self->family, fds[1], 1));
	EXPECT_EQ(EAGAIN, observed_errno(errno));
	took = now_ms() - start;
	EXPECT_LE(250, took);
	EXPECT_GE(WAKE_MS, took);
	close(fds[0]);
	close(fds[1]);
}

TEST_F(stream, connect_blocked_on_backlog_returns_after_accept)
{
	struct call c = {};
	int first;

	FAMILY_OR_SKIP(self->family, variant->fam);
	BACKLOG_QUEUES_OR_SKIP();
	first = full_backlog(_metadata, self, variant);
	connect_waiting(_metadata, self, variant, &c);
	self->fd[C] = c.fd;
	self->fd[S] = accept(self->fd[L], NULL, NULL);
	ASSERT_LE(0, self->fd[S]);
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(0, c.ret) TH_LOG("connect: %s", strerror(c.err));
	close(first);
}

TEST_F(stream, connect_blocked_on_backlog_refused_when_listener_closes)
{
	struct call c = {};
	int first;

	FAMILY_OR_SKIP(self->family, variant->fam);
	BACKLOG_QUEUES_OR_SKIP();
	first = full_backlog(_metadata, self, variant);
	connect_waiting(_metadata, self, variant, &c);
	self->fd[C] = c.fd;
	close(self->fd[L]);
	self->fd[L] = -1;
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(ECONNREFUSED, c.err);
	/* the connection that was waiting is reset */
	EXPECT_EQ(-1, recv(first, &c, 1, 0));
	EXPECT_EQ(ECONNRESET, observed_errno(errno));
	close(first);
}

/*
 * A listener shut down for reading accepts no more (accept() gives
 * EINVAL), so a connector waiting on its full backlog can never get in.
 * AF_TOY refuses it at once; AF_UNIX leaves it waiting until the listener
 * closes or its SO_SNDTIMEO ends.
 */
TEST_F(stream, connect_blocked_on_backlog_when_the_listener_shuts_down_reading)
{
	struct call c = {};
	bool returned;
	int first;

	FAMILY_OR_SKIP(self->family, variant->fam);
	BACKLOG_QUEUES_OR_SKIP();
	first = full_backlog(_metadata, self, variant);
	connect_waiting(_metadata, self, variant, &c);
	self->fd[C] = c.fd;
	ASSERT_EQ(0, shutdown(self->fd[L], SHUT_RD));
	returned = call_returns_within(&c, variant->shut_rd_refuses ? WAKE_MS : BLOCKED_MS);
	OBSERVE_IF(returned, "refused", "still waits");
	EXPECT_EQ(variant->shut_rd_refuses, returned);
	/* the listener's close ends the wait everywhere */
	close(self->fd[L]);
	self->fd[L] = -1;
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(ECONNREFUSED, c.err);
	close(first);
}

/*
 * Two connectors wait on a full backlog, the first one woken first. While
 * it waits, another thread connects its socket elsewhere. An accept()
 * frees the slot and wakes the first, which finds its socket connected
 * (EISCONN) and leaves: AF_TOY passes the wakeup on and the second gets
 * in; AF_UNIX loses it, and the second waits with a slot free until the
 * listener closes.
 */
TEST_F(stream, connector_leaving_without_its_slot_passes_the_wakeup_on)
{
	struct call a = {}, b = {};
	int first, other, s, got_in;

	FAMILY_OR_SKIP(self->family, variant->fam);
	BACKLOG_QUEUES_OR_SKIP();
	first = full_backlog(_metadata, self, variant);
	other = listen_on(_metadata, variant->fam, self->family, 2, 1);
	connect_waiting(_metadata, self, variant, &a);
	connect_waiting(_metadata, self, variant, &b);

	/* a's socket gets connected elsewhere while a waits */
	ASSERT_EQ(0, connect_to(variant->fam, self->family, a.fd, 2));
	s = accept(self->fd[L], NULL, NULL);
	ASSERT_LE(0, s);
	close(s);
	ASSERT_TRUE(call_returns_within(&a, WAKE_MS));
	call_join(&a);
	EXPECT_EQ(-1, a.ret);
	EXPECT_EQ(EISCONN, a.err);
	got_in = call_returns_within(&b, variant->backlog_wake_passed_on ?
				     WAKE_MS : BLOCKED_MS);
	OBSERVE_IF(got_in, "the next connector gets in", "the next one waits");
	EXPECT_EQ(variant->backlog_wake_passed_on, got_in);
	if (!got_in) {
		/* the slot is free and nothing else will wake it: close */
		close(self->fd[L]);
		self->fd[L] = -1;
		ASSERT_TRUE(call_returns_within(&b, WAKE_MS));
	}
	call_join(&b);
	if (got_in)
		EXPECT_EQ(0, b.ret) TH_LOG("connect: %s", strerror(b.err));
	close(a.fd);
	close(b.fd);
	close(other);
	close(first);
}

/* Connectors blocked on a full backlog, each in a thread of its own. */
#define CONNECTORS	8

struct connector {
	int fd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	pid_t tid;
	int ret;
	int err;
	long sleeps;	/* voluntary context switches inside connect() */
	bool done;
};

static long thread_sleeps(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? -1 : ru.ru_nvcsw;
}

static void *connector_run(void *arg)
{
	struct connector *c = arg;
	long before;

	__atomic_store_n(&c->tid, gettid(), __ATOMIC_RELEASE);
	before = thread_sleeps();
	c->ret = connect(c->fd, (struct sockaddr *)&c->addr, c->addrlen);
	c->err = errno;
	c->sleeps = thread_sleeps() - before;
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Wait up to WAKE_MS until @want connectors are done and every other one
 * sleeps: true when they got there.
 */
static bool connectors_settle(struct connector *c, int want)
{
	long end = now_ms() + WAKE_MS;
	int i, done, asleep;

	do {
		for (i = done = asleep = 0; i < CONNECTORS; i++) {
			pid_t tid = __atomic_load_n(&c[i].tid, __ATOMIC_ACQUIRE);

			if (__atomic_load_n(&c[i].done, __ATOMIC_ACQUIRE))
				done++;
			else if (tid && thread_state(tid) == 'S')
				asleep++;
		}
		if (done == want && done + asleep == CONNECTORS)
			return true;
		poll(NULL, 0, 5);
	} while (now_ms() < end);
	return false;
}

/*
 * CONNECTORS threads wait on a full backlog; accept() frees one slot at a
 * time. Every connector gets in, none with an error, and each is woken
 * about once: an accept wakes one waiter, not all of them to find the
 * slot taken and sleep again (8 connectors woken by every accept would
 * sleep 8 + 7 + ... + 1 = 36 times in all).
 */
TEST_F(stream, connectors_waiting_on_a_full_backlog_are_woken_one_per_accept)
{
	struct connector c[CONNECTORS] = {};
	pthread_t t[CONNECTORS];
	long sleeps = 0;
	int i, a, first;

	FAMILY_OR_SKIP(self->family, variant->fam);
	BACKLOG_QUEUES_OR_SKIP();
	first = full_backlog(_metadata, self, variant);
	for (i = 0; i < CONNECTORS; i++) {
		c[i].fd = stream_socket(_metadata, self->family, 0);
		c[i].addrlen = fam_addr(variant->fam, self->family,
					test_port() + 1, false, &c[i].addr);
		ASSERT_EQ(0, pthread_create(&t[i], NULL, connector_run, &c[i]));
	}
	EXPECT_TRUE(connectors_settle(c, 0)) TH_LOG("the connectors never all slept");
	for (i = 0; i <= CONNECTORS; i++) {
		a = accept(self->fd[L], NULL, NULL);
		ASSERT_LE(0, a) TH_LOG("accept %d: %s", i, strerror(errno));
		close(a);
		/* one more gets in per accept, the others sleep again */
		if (i < CONNECTORS)
			EXPECT_TRUE(connectors_settle(c, i + 1)) TH_LOG("accept %d", i);
	}
	for (i = 0; i < CONNECTORS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, c[i].ret) TH_LOG("connector %d: %s", i, strerror(c[i].err));
		sleeps += c[i].sleeps;
		close(c[i].fd);
	}
	TH_LOG("%d connectors slept %ld times in connect()", CONNECTORS, sleeps);
	EXPECT_GE(2 * CONNECTORS, sleeps);
	close(first);
}

/* ---- accept ---- */

TEST_F(stream, accept_when_not_listening_fails_einval)
{
	struct sockaddr_storage ss;
	socklen_t len;

	FAMILY_OR_SKIP(self->family, variant->fam);
	len = fam_addr(variant->fam, self->family, test_port() + 1, true, &ss);
	self->fd[L] = stream_socket(_metadata, self->family, 0);
	ASSERT_EQ(0, bind(self->fd[L], (struct sockaddr *)&ss, len));
	EXPECT_EQ(-1, accept(self->fd[L], NULL, NULL));
	EXPECT_EQ(EINVAL, observed_errno(errno));
}

TEST_F(stream, accept_nonblocking_with_nothing_waiting_gives_eagain)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = listen_on(_metadata, variant->fam, self->family, 1, 4);
	ASSERT_EQ(0, fcntl(self->fd[L], F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, accept(self->fd[L], NULL, NULL));
	EXPECT_EQ(EAGAIN, observed_errno(errno));
}

TEST_F(stream, accept4_sets_nonblock_and_cloexec)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = listen_on(_metadata, variant->fam, self->family, 1, 4);
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	ASSERT_EQ(0, connect_to(variant->fam, self->family, self->fd[C], 1));
	self->fd[S] = accept4(self->fd[L], NULL, NULL,
			      SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, self->fd[S]);
	EXPECT_TRUE(fcntl(self->fd[S], F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(self->fd[S], F_GETFD) & FD_CLOEXEC);
}

TEST_F(stream, accept_blocks_until_a_connection_arrives)
{
	struct call c = { .op = CALL_ACCEPT };

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = listen_on(_metadata, variant->fam, self->family, 1, 4);
	c.fd = self->fd[L];
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	ASSERT_EQ(0, connect_to(variant->fam, self->family, self->fd[C], 1));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	ASSERT_LE(0, c.ret) TH_LOG("accept: %s", strerror(c.err));
	self->fd[S] = c.ret;
}

TEST_F(stream, getpeername_names_the_other_end_on_both_sides)
{
	struct sockaddr_storage a, b;
	socklen_t alen = sizeof(a), blen = sizeof(b);

	PAIR_OR_SKIP();
	/* the client's peer is the listener's address... */
	ASSERT_EQ(0, getpeername(self->fd[C], (struct sockaddr *)&a, &alen));
	ASSERT_EQ(0, getsockname(self->fd[L], (struct sockaddr *)&b, &blen));
	ASSERT_EQ(blen, alen);
	if (variant->fam != FAM_VSOCK)	/* vsock: CID_LOCAL vs CID_ANY */
		EXPECT_EQ(0, memcmp(&a, &b, alen));
	/* ...and the server's peer is the client's address */
	alen = sizeof(a);
	blen = sizeof(b);
	ASSERT_EQ(0, getpeername(self->fd[S], (struct sockaddr *)&a, &alen));
	ASSERT_EQ(0, getsockname(self->fd[C], (struct sockaddr *)&b, &blen));
	ASSERT_EQ(blen, alen);
	if (variant->fam != FAM_VSOCK)
		EXPECT_EQ(0, memcmp(&a, &b, alen));
}

TEST_F(stream, getpeername_unconnected_fails_enotconn)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	EXPECT_EQ(-1, getpeername(self->fd[C], (struct sockaddr *)&ss, &len));
	EXPECT_EQ(ENOTCONN, observed_errno(errno));
}

/* ---- data ---- */

/* xorshift64: the test pattern, cheap enough for 64 MiB under TCG */
static uint64_t next_word(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Byte @i of the pattern with @seed, generated eight at a time. */
struct pattern {
	uint64_t state;
	uint64_t word;
	unsigned int left;
};

static uint8_t pattern_byte(struct pattern *p)
{
	uint8_t b;

	if (!p->left) {
		p->word = next_word(&p->state);
		p->left = 8;
	}
	b = p->word;
	p->word >>= 8;
	p->left--;
	return b;
}

#define BULK_BYTES	(64UL << 20)
#define BULK_IO_MAX	(256 * 1024)

/**
 * struct bulk - one direction of the large transfer
 * @fd: socket to write to (writer) or read from (reader)
 * @seed: seed of the pattern and of the write/read sizes
 * @done: bytes moved
 * @sum: Fletcher-style checksum of the bytes moved
 * @bad: offset of the first byte that differed from the pattern, or -1
 * @err: errno of a failed call, 0 if none
 */
struct bulk {
	int fd;
	uint64_t seed;
	size_t done;
	uint64_t sum;
	long bad;
	int err;
};

static void checksum(uint64_t *sum, const uint8_t *buf, size_t len)
{
	uint32_t a = *sum, b = *sum >> 32;

	while (len--) {
		a = (a + *buf++) % 65521;
		b = (b + a) % 65521;
	}
	*sum = (uint64_t)b << 32 | a;
}

static void *bulk_writer(void *arg)
{
	struct bulk *w = arg;
	struct pattern p = { .state = w->seed };
	uint64_t sizes = w->seed ^ 0x9e3779b97f4a7c15ULL;
	uint8_t *buf = malloc(BULK_IO_MAX);
	size_t i, len, off;
	ssize_t n;

	while (buf && w->done < BULK_BYTES) {
		len = 1 + next_word(&sizes) % BULK_IO_MAX;
		if (len > BULK_BYTES - w->done)
			len = BULK_BYTES - w->done;
		for (i = 0; i < len; i++)
			buf[i] = pattern_byte(&p);
		checksum(&w->sum, buf, len);
		for (off = 0; off < len; off += n) {
			n = send(w->fd, buf + off, len - off, MSG_NOSIGNAL);
			if (n <= 0) {
				w->err = n ? errno : EPIPE;
				goto out;
			}
		}
		w->done += len;
	}
out:
	free(buf);
	return NULL;
}

static void *bulk_reader(void *arg)
{
	struct bulk *r = arg;
	struct pattern p = { .state = r->seed };
	uint64_t sizes = r->seed ^ 0x3c6ef372fe94f82bULL;
	uint8_t *buf = malloc(BULK_IO_MAX);
	ssize_t i, n;

	r->bad = -1;
	while (buf && r->done < BULK_BYTES) {
		n = recv(r->fd, buf, 1 + next_word(&sizes) % BULK_IO_MAX, 0);
		if (n <= 0) {
			r->err = n ? errno : EPIPE;
			break;
		}
		for (i = 0; i < n; i++)
			if (buf[i] != pattern_byte(&p) && r->bad < 0)
				r->bad = r->done + i;
		checksum(&r->sum, buf, n);
		r->done += n;
	}
	free(buf);
	return NULL;
}

TEST_F_TIMEOUT(stream, bulk_64mib_both_directions_arrives_intact, 240)
{
	struct bulk w[2], r[2];
	pthread_t t[4];
	int i;

	PAIR_OR_SKIP();
	memset(w, 0, sizeof(w));
	memset(r, 0, sizeof(r));
	w[0].fd = self->fd[C];
	r[0].fd = self->fd[S];
	w[1].fd = self->fd[S];
	r[1].fd = self->fd[C];
	for (i = 0; i < 2; i++) {
		w[i].seed = r[i].seed = 0x5eed0000 + getpid() * 2 + i;
		ASSERT_EQ(0, pthread_create(&t[2 * i], NULL, bulk_writer, &w[i]));
		ASSERT_EQ(0, pthread_create(&t[2 * i + 1], NULL, bulk_reader,
					    &r[i]));
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, w[i].err) TH_LOG("writer %d: %s", i, strerror(w[i].err));
		EXPECT_EQ(0, r[i].err) TH_LOG("reader %d: %s", i, strerror(r[i].err));
		EXPECT_EQ(BULK_BYTES, w[i].done);
		EXPECT_EQ(BULK_BYTES, r[i].done);
		EXPECT_EQ(-1, r[i].bad) TH_LOG("direction %d: first bad byte at %ld",
					       i, r[i].bad);
		EXPECT_EQ(w[i].sum, r[i].sum);
	}
}

TEST_F(stream, writev_and_readv_keep_byte_order)
{
	char a[] = "abc", b[] = "defgh", out[8] = "", x[3], y[5];
	struct iovec wv[] = { { a, 3 }, { b, 5 } };
	struct iovec rv[] = { { x, 3 }, { y, 5 } };

	PAIR_OR_SKIP();
	ASSERT_EQ(8, writev(self->fd[C], wv, 2));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
	ASSERT_EQ(8, readv(self->fd[S], rv, 2));
	memcpy(out, x, 3);
	memcpy(out + 3, y, 5);
	EXPECT_EQ(0, memcmp(out, "abcdefgh", 8));
}

TEST_F(stream, msg_peek_leaves_the_bytes_queued)
{
	char buf[8] = "";

	PAIR_OR_SKIP();
	ASSERT_EQ(6, send(self->fd[C], "abcdef", 6, 0));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
	EXPECT_EQ(4, recv(self->fd[S], buf, 4, MSG_PEEK | MSG_WAITALL));
	EXPECT_EQ(0, memcmp(buf, "abcd", 4));
	EXPECT_EQ(6, read_full(self->fd[S], buf, 6));
	EXPECT_EQ(0, memcmp(buf, "abcdef", 6));
}

TEST_F(stream, msg_waitall_waits_for_the_full_length)
{
	struct call c = { .op = CALL_RECV, .flags = MSG_WAITALL };
	char buf[8] = "";

	PAIR_OR_SKIP();
	c.fd = self->fd[S];
	c.buf = buf;
	c.len = 8;
	ASSERT_EQ(0, call_start(&c));
	ASSERT_EQ(4, send(self->fd[C], "abcd", 4, 0));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(4, send(self->fd[C], "efgh", 4, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(8, c.ret);
	EXPECT_EQ(0, memcmp(buf, "abcdefgh", 8));
}

TEST_F(stream, msg_dontwait_with_nothing_queued_gives_eagain)
{
	char byte;

	PAIR_OR_SKIP();
	EXPECT_EQ(-1, recv(self->fd[S], &byte, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, observed_errno(errno));
}

TEST_F(stream, zero_length_send_returns_zero)
{
	PAIR_OR_SKIP();
	EXPECT_EQ(0, send(self->fd[C], "", 0, 0));
	EXPECT_EQ(0, poll_for(self->fd[S], POLLIN, BLOCKED_MS));
}

TEST_F(stream, so_rcvtimeo_bounds_a_blocking_recv)
{
	PAIR_OR_SKIP();
	expect_rcvtimeo(_metadata, self->fd[S]);
}

TEST_F(stream, so_sndtimeo_bounds_a_blocked_send)
{
	struct timeval tv = { .tv_usec = 300 * 1000 };
	size_t len = 16 << 20;
	char *buf = calloc(1, len);
	long start;
	ssize_t n;

	PAIR_OR_SKIP();
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, setsockopt(self->fd[C], SOL_SOCKET, SO_SNDTIMEO, &tv,
				sizeof(tv)));
	/* a blocking send larger than any buffer returns what fitted */
	start = now_ms();
	n = send(self->fd[C], buf, len, 0);
	EXPECT_LT(0, n);
	EXPECT_GT((ssize_t)len, n);
	EXPECT_GE(WAKE_MS, now_ms() - start);
	/* with the buffer still full, the next send times out empty */
	start = now_ms();
	EXPECT_EQ(-1, send(self->fd[C], buf, len, 0));
	EXPECT_EQ(EAGAIN, observed_errno(errno));
	EXPECT_LE(250, now_ms() - start);
	free(buf);
}

TEST_F(stream, so_rcvlowat_makes_recv_wait_for_that_many_bytes)
{
	struct call c = { .op = CALL_RECV };
	int lowat = 8;
	char buf[16] = "";

	PAIR_OR_SKIP();
	ASSERT_EQ(0, setsockopt(self->fd[S], SOL_SOCKET, SO_RCVLOWAT, &lowat,
				sizeof(lowat)));
	c.fd = self->fd[S];
	c.buf = buf;
	c.len = sizeof(buf);
	ASSERT_EQ(0, call_start(&c));
	ASSERT_EQ(4, send(self->fd[C], "abcd", 4, 0));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(4, send(self->fd[C], "efgh", 4, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(8, c.ret);
	EXPECT_EQ(0, memcmp(buf, "abcdefgh", 8));
}

TEST_F(stream, so_rcvlowat_in_poll)
{
	int lowat = 8;
	short revents;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, setsockopt(self->fd[S], SOL_SOCKET, SO_RCVLOWAT, &lowat,
				sizeof(lowat)));
	ASSERT_EQ(4, send(self->fd[C], "abcd", 4, 0));
	revents = poll_for(self->fd[S], POLLIN, BLOCKED_MS);
	OBSERVE_IF(revents & POLLIN, "POLLIN below the mark", "POLLIN at the mark");
	EXPECT_EQ(!variant->lowat_poll, !!(revents & POLLIN));
	ASSERT_EQ(4, send(self->fd[C], "efgh", 4, 0));
	EXPECT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
}

/*
 * An event loop with both ends in poll(), one 64 KiB chunk per event, the
 * reader's SO_RCVLOWAT far above what flow control lets the writer have
 * in flight. It must not stall with the writer waiting for room and the
 * reader for its mark: AF_TOY reports the reader readable once the writer
 * is no longer writable.
 */
TEST_F(stream, so_rcvlowat_above_the_flow_control_limit_does_not_stall_poll)
{
	const size_t total = 4 << 20;
	size_t sent = 0, got = 0;
	int lowat = 1 << 20, err;
	static char buf[65536];

	PAIR_OR_SKIP();
	err = setsockopt(self->fd[S], SOL_SOCKET, SO_RCVLOWAT, &lowat,
			 sizeof(lowat)) ? errno : 0;
	EXPECT_EQ(variant->lowat_huge, observed_errno(err));
	if (err)
		return;
	ASSERT_EQ(0, fcntl(self->fd[C], F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, fcntl(self->fd[S], F_SETFL, O_NONBLOCK));
	while (got < total) {
		struct pollfd p[2] = {
			{ .fd = self->fd[C], .events = sent < total ? POLLOUT : 0 },
			{ .fd = self->fd[S], .events = POLLIN },
		};
		ssize_t n;

		if (poll(p, 2, WAKE_MS) <= 0)
			break;
		/* one chunk per event, as an event loop does */
		if (p[0].revents & POLLOUT) {
			n = send(self->fd[C], buf, sizeof(buf) < total - sent ?
				 sizeof(buf) : total - sent, 0);
			sent += n > 0 ? n : 0;
			/* the end of the stream makes the rest readable */
			if (sent == total)
				shutdown(self->fd[C], SHUT_WR);
		}
		if (p[1].revents & POLLIN) {
			n = recv(self->fd[S], buf, sizeof(buf), 0);
			got += n > 0 ? n : 0;
		}
	}
	EXPECT_EQ(total, got) TH_LOG("poll() stalled for %d ms with %zu of %zu bytes sent, %zu read",
				     WAKE_MS, sent, total, got);
}

TEST_F(stream, siocinq_and_siocoutq_count_unread_bytes)
{
	int inq = -1, outq = -1, inq_err, outq_err;

	PAIR_OR_SKIP();
	ASSERT_EQ(100, send(self->fd[C], memset(alloca(100), 'x', 100), 100, 0));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);

	inq_err = on_kernel(variant->siocinq);
	if (inq_err) {
		EXPECT_EQ(-1, ioctl(self->fd[S], SIOCINQ, &inq));
		OBSERVE("SIOCINQ: %s", strerrorname_np(errno));
		EXPECT_EQ(inq_err, errno);
	} else {
		ASSERT_EQ(0, ioctl(self->fd[S], SIOCINQ, &inq));
		OBSERVE_IF(inq == 100, "SIOCINQ: unread bytes", "SIOCINQ: wrong");
		EXPECT_EQ(100, inq);
		EXPECT_EQ(-1, ioctl(self->fd[L], SIOCINQ, &inq));
		OBSERVE("SIOCINQ on a listener: %s", strerrorname_np(errno));
		EXPECT_EQ(variant->listen_inq, errno);
	}

	outq_err = on_kernel(variant->siocoutq);
	if (outq_err) {
		EXPECT_EQ(-1, ioctl(self->fd[C], SIOCOUTQ, &outq));
		OBSERVE("SIOCOUTQ: %s", strerrorname_np(errno));
		EXPECT_EQ(outq_err, errno);
		return;
	}
	ASSERT_EQ(0, ioctl(self->fd[C], SIOCOUTQ, &outq));
	/* AF_UNIX counts skb memory, AF_TOY the payload bytes */
	OBSERVE("SIOCOUTQ: %s", outq == 100 ? "payload" :
		outq > 100 ? "skb memory" : "unsent bytes");
	switch (variant->outq) {
	case OUTQ_PAYLOAD:
		EXPECT_EQ(100, outq);
		break;
	case OUTQ_MEMORY:
		EXPECT_LT(100, outq);
		break;
	case OUTQ_UNSENT:
		/* the reader has the bytes: the transport sent them all */
		EXPECT_EQ(0, outq);
		break;
	}
}

TEST_F(stream, so_peercred_names_the_peer_process)
{
	PAIR_OR_SKIP();
	expect_peercred(_metadata, self->fd[C], variant->peercred);
	expect_peercred(_metadata, self->fd[S], variant->peercred);
}

TEST_F(stream, socketpair_gives_a_connected_pair)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	expect_socketpair(_metadata, self->family, SOCK_STREAM,
			  variant->socketpair, &self->fd[C]);
}

TEST_F(stream, msg_oob_is_refused_or_supported_as_documented)
{
	PAIR_OR_SKIP();
	if (!variant->oob) {
		EXPECT_EQ(1, send(self->fd[C], "!", 1, MSG_OOB));
		OBSERVE("sent");
		return;
	}
	EXPECT_EQ(-1, send(self->fd[C], "!", 1, MSG_OOB));
	EXPECT_EQ(variant->oob, observed_errno(errno));
}

TEST_F(stream, msg_errqueue_with_nothing_queued_fails_or_reads)
{
	char buf[8];
	ssize_t n;

	PAIR_OR_SKIP();
	ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	/* AF_VSOCK delivers from a workqueue */
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN);
	n = recv(self->fd[S], buf, sizeof(buf), MSG_ERRQUEUE | MSG_DONTWAIT);
	if (!variant->errqueue) {
		EXPECT_EQ(1, n);
		OBSERVE("reads the stream");
		return;
	}
	EXPECT_EQ(-1, n);
	EXPECT_EQ(variant->errqueue, observed_errno(errno));
	/* the byte is still there for a plain recv() */
	EXPECT_EQ(1, recv(self->fd[S], buf, sizeof(buf), MSG_DONTWAIT));
}

TEST_F(stream, scm_rights_is_refused_or_supported_as_documented)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = "";
	struct iovec iov = { "x", 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int fd = 0;

	PAIR_OR_SKIP();
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	if (!variant->rights) {
		EXPECT_EQ(1, sendmsg(self->fd[C], &msg, 0));
		OBSERVE("sent");
		return;
	}
	EXPECT_EQ(-1, sendmsg(self->fd[C], &msg, 0));
	EXPECT_EQ(variant->rights, observed_errno(errno));
}

/* ---- flow control ---- */

TEST_F(stream, nonblocking_writer_stops_at_the_send_buffer)
{
	int sndbuf = 64 * 1024, bound;
	size_t total;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, setsockopt(self->fd[C], SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	total = fill(_metadata, self->fd[C]);
	EXPECT_LT((size_t)0, total);
	if (variant->fam == FAM_VSOCK)	/* vsock: the peer's credit */
		bound = sockopt(self->fd[S], AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE);
	else	/* the kernel doubles the value set, for overhead */
		bound = sockopt(self->fd[C], SOL_SOCKET, SO_SNDBUF);
	EXPECT_GE((size_t)bound * 3 / 2, total)
		TH_LOG("%zu bytes buffered, limit %d", total, bound);
}

TEST_F(stream, reader_rcvbuf_bounds_the_writer)
{
	int rcvbuf = 8 * 1024, bound;
	size_t total;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, setsockopt(self->fd[S], SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	bound = sockopt(self->fd[S], SOL_SOCKET, SO_RCVBUF);
	total = fill(_metadata, self->fd[C]);
	EXPECT_LT((size_t)0, total);
	OBSERVE_IF(total <= (size_t)bound * 3 / 2, "bounded", "not bounded");
	EXPECT_EQ(variant->rcvbuf_limits, total <= (size_t)bound * 3 / 2)
		TH_LOG("%zu bytes buffered, reader's SO_RCVBUF %d", total, bound);
}

TEST_F(stream, blocked_writer_resumes_when_the_reader_reads)
{
	struct call c = { .op = CALL_SEND };
	size_t queued, len = 256 * 1024;
	char *buf = calloc(1, len);

	PAIR_OR_SKIP();
	ASSERT_NE(NULL, buf);
	queued = fill(_metadata, self->fd[C]);
	c.fd = self->fd[C];
	c.buf = buf;
	c.len = 4096;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	EXPECT_EQ((ssize_t)queued, read_full(self->fd[S], buf, queued));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(4096, c.ret);
	free(buf);
}

/*
 * The same after bulk reads, with a bulk send: the send returns once the
 * reader has read what was queued before it, with none of its own bytes
 * read. A program may send two requests and then wait for the reply to
 * the first; a send that waited for its own bytes to be read (one copy
 * out of the writer's pages, say) would hang it. The bytes come intact.
 */
TEST_F(stream, bulk_blocked_writer_returns_once_room_opens)
{
	struct call c = { .op = CALL_SEND, .flags = MSG_NOSIGNAL };
	size_t queued, len = 65536;
	unsigned char *buf = page_buf(len, 0), *in = page_buf(len, 0);
	char *drain;

	PAIR_OR_SKIP();
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, in);
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], in, len);
	queued = fill_settled(_metadata, self->fd[C]);
	drain = malloc(queued);
	ASSERT_NE(NULL, drain);
	bulk_pattern(buf, len, 3);
	c.fd = self->fd[C];
	c.buf = buf;
	c.len = len;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	EXPECT_EQ((ssize_t)queued, read_full(self->fd[S], drain, queued));
	EXPECT_TRUE(call_returns_within(&c, WAKE_MS))
		TH_LOG("send() still blocked with room and its bytes unread");
	EXPECT_EQ((ssize_t)len, read_full(self->fd[S], in, len));
	call_join(&c);
	EXPECT_EQ((ssize_t)len, c.ret);
	EXPECT_EQ(0, memcmp(buf, in, len));
	free(drain);
}

/* ---- teardown ---- */

TEST_F(stream, shut_wr_gives_the_peer_eof_and_pollrdhup)
{
	char byte;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, shutdown(self->fd[C], SHUT_WR));
	EXPECT_TRUE(poll_for(self->fd[S], POLLRDHUP, WAKE_MS) & POLLRDHUP);
	EXPECT_EQ(0, recv(self->fd[S], &byte, 1, 0));
	/* the other direction still works */
	EXPECT_EQ(1, send(self->fd[S], "x", 1, 0));
	EXPECT_EQ(1, read_full(self->fd[C], &byte, 1));
}

TEST_F(stream, the_end_never_overtakes_bytes_sent_before_it)
{
	struct end_race r;

	FAMILY_OR_SKIP(self->family, variant->fam);
	if (!end_race(_metadata, variant->fam, self->family, SOCK_STREAM, 1, &r))
		return;
	EXPECT_EQ(0U, r.seen[END_BEFORE_DATA]);
	EXPECT_EQ(0U, r.seen[END_ERROR]);
}

TEST_F(stream, send_after_shut_wr_gives_epipe_and_sigpipe)
{
	PAIR_OR_SKIP();
	expect_epipe_after_shut_wr(_metadata, self->fd[C],
				   on_kernel(variant->sigpipe));
}

TEST_F(stream, msg_nosignal_gives_epipe_without_sigpipe)
{
	sigset_t set;

	PAIR_OR_SKIP();
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	close(self->fd[S]);
	self->fd[S] = -1;
	ASSERT_TRUE(poll_for(self->fd[C], POLLRDHUP, WAKE_MS) & POLLRDHUP);
	EXPECT_EQ(-1, send(self->fd[C], "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, observed_errno(errno));
	ASSERT_EQ(0, sigpending(&set));
	EXPECT_FALSE(sigismember(&set, SIGPIPE));
}

TEST_F(stream, shut_rd_is_mirrored_to_the_peer)
{
	char byte;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, shutdown(self->fd[C], SHUT_RD));
	EXPECT_EQ(0, recv(self->fd[C], &byte, 1, 0));
	/* vsock tells the peer asynchronously: a later byte orders it */
	ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	ASSERT_EQ(1, read_full(self->fd[S], &byte, 1));
	EXPECT_EQ(-1, send(self->fd[S], "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(variant->shut_rd_send, observed_errno(errno));
}

TEST_F(stream, shut_rdwr_gives_the_peer_pollhup)
{
	short revents;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, shutdown(self->fd[C], SHUT_RDWR));
	revents = poll_for(self->fd[S], POLLRDHUP, WAKE_MS);
	EXPECT_TRUE(revents & POLLRDHUP);
	observe_poll(revents);
	EXPECT_EQ(variant->peer_hup, !!(revents & POLLHUP));
}

TEST_F(stream, shutdown_with_a_bad_how_fails_einval)
{
	PAIR_OR_SKIP();
	EXPECT_EQ(-1, shutdown(self->fd[C], 3));
	EXPECT_EQ(EINVAL, observed_errno(errno));
}

TEST_F(stream, peer_close_after_reading_everything_gives_eof)
{
	char byte;

	PAIR_OR_SKIP();
	ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	close(self->fd[C]);
	self->fd[C] = -1;
	EXPECT_EQ(1, read_full(self->fd[S], &byte, 1));
	EXPECT_TRUE(poll_for(self->fd[S], POLLRDHUP, WAKE_MS) & POLLRDHUP);
	EXPECT_EQ(0, recv(self->fd[S], &byte, 1, 0));
}

TEST_F(stream, close_with_unread_data_resets_the_peer)
{
	char byte;

	PAIR_OR_SKIP();
	if (!close_with_unread(_metadata, self->fd[C], &self->fd[S],
			       variant->reset_on_unread))
		return;
	EXPECT_TRUE(poll_for(self->fd[C], 0, 0) & POLLERR);
	EXPECT_EQ(-1, recv(self->fd[C], &byte, 1, 0));
	EXPECT_EQ(ECONNRESET, observed_errno(errno));
	/* the error is reported once, then the stream has ended */
	EXPECT_EQ(0, recv(self->fd[C], &byte, 1, 0));
}

TEST_F(stream, recv_on_an_unconnected_socket_fails)
{
	char byte;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	EXPECT_EQ(-1, recv(self->fd[C], &byte, 1, MSG_DONTWAIT));
	EXPECT_EQ(variant->recv_unconnected, observed_errno(errno));
}

TEST_F(stream, send_on_an_unconnected_socket_fails_enotconn)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	EXPECT_EQ(-1, send(self->fd[C], "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ENOTCONN, observed_errno(errno));
}

/* ---- poll ---- */

TEST_F(stream, poll_of_an_idle_connection_is_pollout_only)
{
	PAIR_OR_SKIP();
	EXPECT_EQ(POLLOUT, poll_for(self->fd[C], POLLIN | POLLOUT | POLLRDHUP,
				    WAKE_MS));
}

TEST_F(stream, poll_after_peer_close_reports_hup_rdhup_and_in)
{
	short want = POLLIN | POLLRDHUP | POLLHUP, revents;

	PAIR_OR_SKIP();
	if (!variant->peer_hup)
		want &= ~POLLHUP;
	close(self->fd[S]);
	self->fd[S] = -1;
	revents = poll_for(self->fd[C], POLLIN | POLLRDHUP, WAKE_MS);
	observe_poll(revents);
	EXPECT_EQ(want, revents & want);
}

TEST_F(stream, poll_of_an_unconnected_socket_is_pollhup)
{
	short revents;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	revents = poll_for(self->fd[C], POLLIN, 0);
	observe_poll(revents);
	EXPECT_EQ(variant->unconnected_hup, !!(revents & POLLHUP));
}

TEST_F(stream, epoll_edge_triggered_reports_new_data)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int ep;

	PAIR_OR_SKIP();
	ep = epoll_create1(0);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd[S], &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, WAKE_MS));
	EXPECT_TRUE(!!(ev.events & EPOLLIN));
	/* edge-triggered: no second report without new data */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(1, send(self->fd[C], "y", 1, 0));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, WAKE_MS));
	close(ep);
}

/* ---- blocking calls and what wakes them ---- */

TEST_F(stream, blocked_recv_wakes_on_data)
{
	struct call c = { .op = CALL_RECV };
	char byte = 0;

	PAIR_OR_SKIP();
	c.fd = self->fd[S];
	c.buf = &byte;
	c.len = 1;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(1, c.ret);
	EXPECT_EQ('x', byte);
}

TEST_F(stream, blocked_recv_wakes_on_peer_close)
{
	struct call c = { .op = CALL_RECV };
	char byte;

	PAIR_OR_SKIP();
	c.fd = self->fd[S];
	c.buf = &byte;
	c.len = 1;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	close(self->fd[C]);
	self->fd[C] = -1;
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(0, c.ret);
}

TEST_F(stream, blocked_recv_wakes_on_shutdown_from_another_thread)
{
	struct call c = { .op = CALL_RECV };
	char byte;

	PAIR_OR_SKIP();
	c.fd = self->fd[S];
	c.buf = &byte;
	c.len = 1;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(0, shutdown(self->fd[S], SHUT_RD));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(0, c.ret);
}

/*
 * close() of the descriptor in another thread does not end a call blocked
 * on it in any of the families: the call holds a reference to the file, so
 * release runs only once it returns. The peer's close then ends it.
 */
TEST_F(stream, close_from_another_thread_leaves_recv_blocked)
{
	struct call c = { .op = CALL_RECV };
	char byte;

	PAIR_OR_SKIP();
	c.fd = self->fd[S];
	c.buf = &byte;
	c.len = 1;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	EXPECT_EQ(0, close(self->fd[S]));
	self->fd[S] = -1;
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	close(self->fd[C]);
	self->fd[C] = -1;
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(0, c.ret);
}

TEST_F(stream, blocked_recv_fails_eintr_on_a_signal)
{
	struct call c = { .op = CALL_RECV };
	char byte;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, catch_signal(SIGUSR1, false));
	c.fd = self->fd[S];
	c.buf = &byte;
	c.len = 1;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(0, pthread_kill(c.thread, SIGUSR1));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(EINTR, c.err);
}

TEST_F(stream, blocked_recv_restarts_after_an_sa_restart_signal)
{
	struct call c = { .op = CALL_RECV };
	char byte = 0;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, catch_signal(SIGUSR1, true));
	c.fd = self->fd[S];
	c.buf = &byte;
	c.len = 1;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(0, pthread_kill(c.thread, SIGUSR1));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(1, c.ret);
	EXPECT_EQ('x', byte);
}

TEST_F(stream, blocked_send_fails_when_the_peer_closes)
{
	struct call c = { .op = CALL_SEND, .flags = MSG_NOSIGNAL };
	char buf[4096] = "";

	PAIR_OR_SKIP();
	fill(_metadata, self->fd[C]);
	c.fd = self->fd[C];
	c.buf = buf;
	c.len = sizeof(buf);
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	close(self->fd[S]);
	self->fd[S] = -1;
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(variant->send_reset, observed_errno(c.err));
}

/*
 * Two sends blocked for room when the peer closes with data unread: the
 * reset is reported once, to one of them; the other sees the closed peer.
 */
TEST_F(stream, reset_is_reported_to_one_of_two_blocked_senders)
{
	struct call c[2] = {
		{ .op = CALL_SEND, .flags = MSG_NOSIGNAL },
		{ .op = CALL_SEND, .flags = MSG_NOSIGNAL },
	};
	char buf[4096] = "";
	int i, resets = 0;

	PAIR_OR_SKIP();
	fill(_metadata, self->fd[C]);
	for (i = 0; i < 2; i++) {
		c[i].fd = self->fd[C];
		c[i].buf = buf;
		c[i].len = sizeof(buf);
		ASSERT_EQ(0, call_start(&c[i]));
	}
	EXPECT_FALSE(call_returns_within(&c[0], BLOCKED_MS));
	EXPECT_FALSE(call_returns_within(&c[1], 0));
	close(self->fd[S]);
	self->fd[S] = -1;
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(call_returns_within(&c[i], WAKE_MS));
		call_join(&c[i]);
		EXPECT_EQ(-1, c[i].ret);
		EXPECT_TRUE(c[i].err == ECONNRESET || c[i].err == EPIPE)
			TH_LOG("send %d: %s", i, strerror(c[i].err));
		resets += c[i].err == ECONNRESET;
	}
	EXPECT_EQ(variant->send_reset == ECONNRESET, resets);
}

/*
 * A send blocked for room, cut short when the peer closes with data
 * unread, returns the bytes it queued; the reset is then the next send's
 * answer. TCP keeps it the same way; AF_UNIX's and AF_VSOCK's next send
 * only sees the closed peer.
 */
TEST_F(stream, send_cut_short_by_a_reset_leaves_it_for_the_next_send)
{
	struct call c = { .op = CALL_SEND, .flags = MSG_NOSIGNAL };
	const size_t len = 4 << 20;
	char *buf = calloc(1, len);

	PAIR_OR_SKIP();
	ASSERT_NE(NULL, buf);
	c.fd = self->fd[C];
	c.buf = buf;
	c.len = len;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	close(self->fd[S]);
	self->fd[S] = -1;
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_LT(0, c.ret) TH_LOG("send: %s", strerror(c.err));
	EXPECT_GT((ssize_t)len, c.ret);
	EXPECT_EQ(-1, send(self->fd[C], buf, 1, MSG_NOSIGNAL));
	EXPECT_EQ(variant->reset_after_short, observed_errno(errno));
	free(buf);
}

/* ---- namespaces ---- */

TEST_F(stream, another_netns_cannot_connect)
{
	int err;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[L] = listen_on(_metadata, variant->fam, self->family, 1, 4);
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));
	self->fd[C] = stream_socket(_metadata, self->family, 0);
	err = connect_to(variant->fam, self->family, self->fd[C], 1) ? errno : 0;
	EXPECT_EQ(variant->netns_isolated ? variant->refused : 0,
		  observed_errno(err));
}

/*
 * Bulk reads that wait for data: AF_TOY lets a sender copy straight into
 * the buffer of a reader that waits (one copy instead of two) once the
 * reader's last read was a bulk one. These check, for every family, what a
 * reader must see whichever way the bytes travel.
 */
#define BULK		65536

TEST_F(stream, bulk_write_into_a_waiting_reader_arrives_intact)
{
	struct call c = { .op = CALL_RECV, .len = BULK, .flags = MSG_WAITALL };
	unsigned char *out = page_buf(BULK, 0), *in = page_buf(BULK, 0);

	PAIR_OR_SKIP();
	ASSERT_TRUE(out && in);
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], in, BULK);
	c.fd = self->fd[S];
	c.buf = in;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	bulk_pattern(out, BULK, 1);
	ASSERT_EQ(BULK, send(self->fd[C], out, BULK, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(BULK, c.ret) TH_LOG("recv: %s", strerror(c.err));
	EXPECT_EQ(0, memcmp(out, in, BULK));
}

/* AF_VSOCK refuses a MSG_WAITALL read as large as its buffer (ENOMEM). */
TEST_F(stream, waitall_bulk_read_gathers_writes_in_order)
{
	struct call c = { .op = CALL_RECV, .len = 4 * BULK,
			  .flags = MSG_WAITALL };
	unsigned char *out = page_buf(BULK, 0), *in = malloc(4 * BULK);
	int i;

	PAIR_OR_SKIP();
	ASSERT_TRUE(out && in);
	if (variant->waitall_max) {
		EXPECT_EQ(-1, recv(self->fd[S], in, 4 * BULK, MSG_WAITALL));
		EXPECT_EQ(variant->waitall_max, observed_errno(errno));
		free(in);
		return;
	}
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], out, BULK);
	c.fd = self->fd[S];
	c.buf = in;
	ASSERT_EQ(0, call_start(&c));
	for (i = 0; i < 4; i++) {
		EXPECT_FALSE(call_returns_within(&c, i ? 0 : BLOCKED_MS));
		bulk_pattern(out, BULK, i + 1);
		ASSERT_EQ(BULK, send(self->fd[C], out, BULK, 0));
	}
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(4 * BULK, c.ret) TH_LOG("recv: %s", strerror(c.err));
	for (i = 0; i < 4; i++) {
		bulk_pattern(out, BULK, i + 1);
		EXPECT_EQ(0, memcmp(out, in + i * BULK, BULK)) TH_LOG("write %d", i);
	}
	free(in);
}

TEST_F(stream, bulk_read_that_timed_out_loses_nothing_sent_after)
{
	unsigned char *out = page_buf(BULK, 0), *in = page_buf(BULK, 0);

	PAIR_OR_SKIP();
	ASSERT_TRUE(out && in);
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], in, BULK);
	/* the reader waits with its bulk buffer, and gives up */
	expect_rcvtimeo(_metadata, self->fd[S]);
	ASSERT_EQ(-1, recv(self->fd[S], in, BULK, 0));
	EXPECT_EQ(EAGAIN, observed_errno(errno));
	bulk_pattern(out, BULK, 2);
	ASSERT_EQ(BULK, send(self->fd[C], out, BULK, 0));
	ASSERT_EQ(BULK, recv(self->fd[S], in, BULK, MSG_WAITALL));
	EXPECT_EQ(0, memcmp(out, in, BULK));
}

/*
 * A send from a buffer whose second half is not mapped: the reader gets
 * exactly the bytes send() reported, the first ones of the buffer (none
 * when it failed with EFAULT), followed by the next send's.
 */
TEST_F(stream, send_from_a_faulting_buffer_delivers_what_it_reports)
{
	struct call c = { .op = CALL_RECV, .len = BULK };
	unsigned char *out = page_buf(BULK, 0), *in = page_buf(BULK, 0);
	unsigned char *got = malloc(BULK + 1);
	size_t have = 0;
	ssize_t sent, n;
	char mark = 'M';

	PAIR_OR_SKIP();
	ASSERT_TRUE(out && in && got);
	bulk_warm_up(_metadata, self->fd[C], self->fd[S], in, BULK);
	bulk_pattern(out, BULK, 3);
	ASSERT_EQ(0, mprotect(out + BULK / 2, BULK / 2, PROT_NONE));
	c.fd = self->fd[S];
	c.buf = in;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	sent = send(self->fd[C], out, BULK, MSG_NOSIGNAL);
	if (sent < 0) {
		EXPECT_EQ(variant->send_fault, observed_errno(errno));
		sent = 0;
	} else {
		OBSERVE("the bytes before the fault");
	}
	EXPECT_GE(BULK / 2, sent);
	ASSERT_EQ(1, send(self->fd[C], &mark, 1, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	ASSERT_LT(0, c.ret) TH_LOG("recv: %s", strerror(c.err));
	memcpy(got, in, c.ret);
	have = c.ret;
	while (have < (size_t)sent + 1 &&
	       poll_for(self->fd[S], POLLIN, WAKE_MS) & POLLIN) {
		n = recv(self->fd[S], got + have, BULK + 1 - have, MSG_DONTWAIT);
		if (n <= 0)
			break;
		have += n;
	}
	ASSERT_EQ((size_t)sent + 1, have);
	EXPECT_EQ(0, memcmp(out, got, sent));
	EXPECT_EQ(mark, got[sent]);
	free(got);
}

TEST_HARNESS_MAIN
