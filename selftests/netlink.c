// SPDX-License-Identifier: GPL-2.0
/*
 * The "af_toy" generic netlink family: counters that move by exactly what
 * a test does, socket dumps that list every socket as it is, namespaces
 * that never see each other, reset and its permission, and malformed
 * requests that get an errno and an extended ack message.
 *
 * Every test runs in a network namespace of its own (the harness forks
 * each test), so nothing else moves its counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/capability.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"
#include "toy_nl.h"
#include "tracefs.h"

#define PORT		7000
#define NOBODY		65534
/* sockets in the large dump tests; raises RLIMIT_NOFILE as needed */
#define MANY		3000
/* room for any request these tests build */
#define REQ_SIZE	8192

/* Leave this test's network namespace for a new one. */
#define NEW_NETNS() \
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno))

#define GENL_OPEN_OR_SKIP(g) do {						\
	if (toy_family() < 0)							\
		SKIP(return, "af_toy.ko is not loaded");			\
	ASSERT_EQ(0, toy_genl_open(g)) TH_LOG("af_toy genl: %s",		\
					       strerror(errno));		\
} while (0)

FIXTURE(stats) {
	int family;
	int type;
	struct toy_genl g;
	int fd[3];
};

FIXTURE_VARIANT(stats) {
	int type;
};

FIXTURE_VARIANT_ADD(stats, stream) {
	.type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(stats, dgram) {
	.type = SOCK_DGRAM,
};

FIXTURE_VARIANT_ADD(stats, seqpacket) {
	.type = SOCK_SEQPACKET,
};

/* Stream and seqpacket: listen, connect and accept. */
#define CONNECTED_TYPE(type)	((type) != SOCK_DGRAM)

FIXTURE_SETUP(stats)
{
	fds_init(self->fd, 3);
	self->type = variant->type;
	self->family = toy_family();
	NEW_NETNS();
	GENL_OPEN_OR_SKIP(&self->g);
}

FIXTURE_TEARDOWN(stats)
{
	fds_close(self->fd, 3);
	toy_genl_close(&self->g);
}

TEST_F(stats, new_namespace_starts_at_zero_and_reports_the_family)
{
	struct toy_stats st;
	unsigned int a;

	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	EXPECT_EQ((uint32_t)self->family, st.family);
	for (a = TOY_TYPE_A_SOCKETS; a <= TOY_TYPE_A_MAX; a++) {
		EXPECT_EQ(0ULL, type_stats(&st, self->type)->val[a])
			TH_LOG("attribute %u", a);
	}
	/* the attributes that apply to the type, and only those */
	EXPECT_EQ(CONNECTED_TYPE(self->type),
		  type_stats(&st, self->type)->has[TOY_TYPE_A_LISTENING]);
	EXPECT_EQ(CONNECTED_TYPE(self->type),
		  type_stats(&st, self->type)->has[TOY_TYPE_A_BACKLOG_OVERFLOWS]);
	EXPECT_EQ(self->type == SOCK_DGRAM,
		  type_stats(&st, self->type)->has[TOY_TYPE_A_DROPS]);
	EXPECT_EQ(self->type == SOCK_STREAM,
		  type_stats(&st, self->type)->has[TOY_TYPE_A_DIRECT_BYTES]);
	EXPECT_TRUE(type_stats(&st, self->type)->has[TOY_TYPE_A_TX_BYTES]);
}

TEST_F(stats, bytes_and_messages_move_by_exactly_what_was_sent)
{
	static const size_t sizes[] = { 1, 100, 4096, 65535 };
	const unsigned int n = sizeof(sizes) / sizeof(sizes[0]);
	const struct toy_type_stats *t;
	struct sock_find tx, rx;
	static char buf[65535];
	uint64_t bytes = 0;
	struct toy_stats st;
	unsigned int i;

	ASSERT_EQ(0, toy_pair(self->family, self->type, PORT, self->fd));
	for (i = 0; i < n; i++) {
		ASSERT_EQ((ssize_t)sizes[i], send(self->fd[0], buf, sizes[i], 0));
		bytes += sizes[i];
	}
	/* a peek reads nothing away and is not counted */
	ASSERT_LT(0, recv(self->fd[1], buf, 1, MSG_PEEK));
	for (i = 0; i < n; i++)
		ASSERT_EQ((ssize_t)sizes[i],
			  recv(self->fd[1], buf, sizes[i], MSG_WAITALL));

	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	t = type_stats(&st, self->type);
	EXPECT_EQ(bytes, t->val[TOY_TYPE_A_TX_BYTES]);
	EXPECT_EQ(n, t->val[TOY_TYPE_A_TX_MSGS]);
	EXPECT_EQ(bytes, t->val[TOY_TYPE_A_RX_BYTES]);
	EXPECT_EQ(n, t->val[TOY_TYPE_A_RX_MSGS]);

	/* and each socket counts its own side */
	ASSERT_EQ(0, toy_sock_find(&self->g, self->fd[0], &tx));
	ASSERT_EQ(0, toy_sock_find(&self->g, self->fd[1], &rx));
	ASSERT_EQ(1U, tx.seen);
	ASSERT_EQ(1U, rx.seen);
	EXPECT_EQ(bytes, tx.info.val[TOY_SOCK_A_TX_BYTES]);
	EXPECT_EQ(n, tx.info.val[TOY_SOCK_A_TX_MSGS]);
	EXPECT_EQ(0ULL, tx.info.val[TOY_SOCK_A_RX_BYTES]);
	EXPECT_EQ(bytes, rx.info.val[TOY_SOCK_A_RX_BYTES]);
	EXPECT_EQ(n, rx.info.val[TOY_SOCK_A_RX_MSGS]);
	EXPECT_EQ(0ULL, rx.info.val[TOY_SOCK_A_TX_MSGS]);
}

TEST_F(stats, open_sockets_are_counted_by_state_until_closed)
{
	const struct toy_type_stats *t;
	struct toy_stats st;
	int lone;

	lone = socket(self->family, self->type, 0);
	ASSERT_LE(0, lone);
	ASSERT_EQ(0, toy_pair(self->family, self->type, PORT, self->fd));

	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	t = type_stats(&st, self->type);
	EXPECT_EQ(1ULL, t->val[TOY_TYPE_A_UNCONNECTED]);
	EXPECT_EQ(2ULL, t->val[TOY_TYPE_A_CONNECTED]);
	/* stream, seqpacket: one connection; dgram: two connect() calls */
	EXPECT_EQ(CONNECTED_TYPE(self->type) ? 1ULL : 2ULL,
		  t->val[TOY_TYPE_A_ESTABLISHED]);
	if (CONNECTED_TYPE(self->type)) {
		EXPECT_EQ(1ULL, t->val[TOY_TYPE_A_LISTENING]);
		EXPECT_EQ(4ULL, t->val[TOY_TYPE_A_SOCKETS]);
	} else {
		EXPECT_EQ(3ULL, t->val[TOY_TYPE_A_SOCKETS]);
	}

	close(lone);
	fds_close(self->fd, 3);
	fds_init(self->fd, 3);
	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	t = type_stats(&st, self->type);
	EXPECT_EQ(0ULL, t->val[TOY_TYPE_A_SOCKETS]);
	EXPECT_EQ(0ULL, t->val[TOY_TYPE_A_CONNECTED]);
	/* the counters are not gauges: they stay */
	EXPECT_NE(0ULL, t->val[TOY_TYPE_A_ESTABLISHED]);
}

TEST_F(stats, connect_to_a_port_nobody_bound_counts_as_refused)
{
	struct toy_stats st;
	int fd;

	fd = socket(self->family, self->type, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, toy_connect_port(fd, self->family, PORT));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(fd);

	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	EXPECT_EQ(1ULL, type_stats(&st, self->type)->val[TOY_TYPE_A_REFUSED]);
	EXPECT_EQ(0ULL, type_stats(&st, self->type)->val[TOY_TYPE_A_ESTABLISHED]);
}

TEST_F(stats, dump_shows_ports_queues_and_owner_of_each_socket)
{
	struct sock_find a, b;
	char buf[1000] = {};
	struct stat sb;
	unsigned int i;

	ASSERT_EQ(0, toy_pair(self->family, self->type, PORT, self->fd));
	ASSERT_EQ(300, send(self->fd[0], buf, 300, 0));
	ASSERT_EQ(700, send(self->fd[0], buf, 700, 0));

	ASSERT_EQ(0, toy_sock_find(&self->g, self->fd[0], &a));
	ASSERT_EQ(0, toy_sock_find(&self->g, self->fd[1], &b));
	ASSERT_EQ(1U, a.seen);
	ASSERT_EQ(1U, b.seen);
	EXPECT_FALSE(a.intr);

	EXPECT_EQ((uint64_t)self->type, b.info.val[TOY_SOCK_A_TYPE]);
	EXPECT_EQ((uint64_t)TOY_STATE_CONNECTED, b.info.val[TOY_SOCK_A_STATE]);
	EXPECT_EQ(toy_port_of(self->fd[0]), a.info.val[TOY_SOCK_A_PORT]);
	EXPECT_EQ(toy_port_of(self->fd[1]), b.info.val[TOY_SOCK_A_PORT]);
	EXPECT_EQ((uint64_t)PORT, b.info.val[TOY_SOCK_A_PORT]);
	ASSERT_TRUE(a.info.has[TOY_SOCK_A_PEER_PORT]);
	EXPECT_EQ((uint64_t)PORT, a.info.val[TOY_SOCK_A_PEER_PORT]);
	EXPECT_EQ(toy_port_of(self->fd[0]), b.info.val[TOY_SOCK_A_PEER_PORT]);

	ASSERT_EQ(0, fstat(self->fd[1], &sb));
	EXPECT_EQ(sb.st_ino, b.info.val[TOY_SOCK_A_INODE]);
	EXPECT_EQ(getuid(), b.info.val[TOY_SOCK_A_UID]);
	EXPECT_EQ((uint64_t)sockopt_int(self->fd[1], SO_RCVBUF),
		  b.info.val[TOY_SOCK_A_RCVBUF]);
	EXPECT_EQ((uint64_t)sockopt_int(self->fd[1], SO_SNDBUF),
		  b.info.val[TOY_SOCK_A_SNDBUF]);

	/* no value is a kernel address (x86_64: upper half of the space) */
	for (i = 0; i <= TOY_SOCK_A_MAX; i++) {
		EXPECT_GT(0xffff800000000000ULL, a.info.val[i])
			TH_LOG("attribute %u", i);
		EXPECT_GT(0xffff800000000000ULL, b.info.val[i])
			TH_LOG("attribute %u", i);
	}

	if (CONNECTED_TYPE(self->type)) {
		/* unread payload, as a stream's SIOCINQ and SIOCOUTQ say */
		EXPECT_EQ(1000ULL, b.info.val[TOY_SOCK_A_RX_QUEUE]);
		EXPECT_EQ(1000ULL, a.info.val[TOY_SOCK_A_TX_QUEUE]);
		EXPECT_EQ(0ULL, a.info.val[TOY_SOCK_A_RX_QUEUE]);
	} else {
		/* memory charged for the two datagrams, as SO_MEMINFO */
		EXPECT_EQ((uint64_t)meminfo(self->fd[1], SK_MEMINFO_RMEM_ALLOC),
			  b.info.val[TOY_SOCK_A_RX_QUEUE]);
		EXPECT_LT(1000ULL, b.info.val[TOY_SOCK_A_RX_QUEUE]);
		EXPECT_EQ(0ULL, a.info.val[TOY_SOCK_A_TX_QUEUE]);
	}
}

TEST_F(stats, dump_filters_by_type_and_port)
{
	struct sock_find f;
	int other;

	ASSERT_EQ(0, toy_pair(self->family, self->type, PORT, self->fd));
	other = toy_socket_bound(self->family, self->type, PORT + 100);
	ASSERT_LE(0, other);

	memset(&f, 0, sizeof(f));
	f.cookie = cookie_of(other);
	ASSERT_EQ(0, toy_sock_dump(&self->g, self->type, PORT + 100,
				   sock_find_cb, &f));
	EXPECT_EQ(1U, f.total);
	EXPECT_EQ(1U, f.seen);

	/* the listener and the accepted socket share the port */
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, toy_sock_dump(&self->g, self->type, PORT,
				   sock_find_cb, &f));
	EXPECT_EQ(CONNECTED_TYPE(self->type) ? 2U : 1U, f.total);

	memset(&f, 0, sizeof(f));
	ASSERT_EQ(0, toy_sock_dump(&self->g,
				   self->type == SOCK_STREAM ? SOCK_DGRAM :
							       SOCK_STREAM,
				   -1, sock_find_cb, &f));
	EXPECT_EQ(0U, f.total);
	close(other);
}

TEST_F(stats, namespaces_see_only_their_own_sockets_and_counters)
{
	struct toy_stats st;
	struct toy_genl g2;
	struct sock_find f;
	char byte = 0;
	int fd2;

	ASSERT_EQ(0, toy_pair(self->family, self->type, PORT, self->fd));
	ASSERT_EQ(1, send(self->fd[0], &byte, 1, 0));

	/* a second namespace, with a socket on the same port */
	NEW_NETNS();
	ASSERT_EQ(0, toy_genl_open(&g2));
	fd2 = toy_socket_bound(self->family, self->type, PORT);
	ASSERT_LE(0, fd2);

	ASSERT_EQ(0, toy_sock_find(&g2, self->fd[0], &f));
	EXPECT_EQ(0U, f.seen);
	EXPECT_EQ(1U, f.total);
	ASSERT_EQ(0, toy_sock_find(&self->g, fd2, &f));
	EXPECT_EQ(0U, f.seen);
	EXPECT_EQ(CONNECTED_TYPE(self->type) ? 3U : 2U, f.total);

	ASSERT_EQ(0, toy_stats_get(&g2, &st));
	EXPECT_EQ(0ULL, type_stats(&st, self->type)->val[TOY_TYPE_A_TX_BYTES]);
	EXPECT_EQ(1ULL, type_stats(&st, self->type)->val[TOY_TYPE_A_SOCKETS]);
	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	EXPECT_EQ(1ULL, type_stats(&st, self->type)->val[TOY_TYPE_A_TX_BYTES]);

	/* a reset in one namespace leaves the other alone */
	ASSERT_EQ(0, toy_stats_reset(&g2));
	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	EXPECT_EQ(1ULL, type_stats(&st, self->type)->val[TOY_TYPE_A_TX_BYTES]);
	close(fd2);
	toy_genl_close(&g2);
}

TEST_F(stats, reset_zeroes_the_counters_but_not_the_gauges)
{
	const struct toy_type_stats *t;
	struct sock_find f;
	struct toy_stats st;
	char buf[10] = {};
	unsigned int a;

	ASSERT_EQ(0, toy_pair(self->family, self->type, PORT, self->fd));
	ASSERT_EQ(10, send(self->fd[0], buf, 10, 0));
	ASSERT_EQ(0, toy_stats_reset(&self->g));

	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	t = type_stats(&st, self->type);
	for (a = TOY_TYPE_A_ESTABLISHED; a <= TOY_TYPE_A_MAX; a++)
		EXPECT_EQ(0ULL, t->val[a]) TH_LOG("attribute %u", a);
	EXPECT_EQ(2ULL, t->val[TOY_TYPE_A_CONNECTED]);
	/* per-socket counters are the socket's own */
	ASSERT_EQ(0, toy_sock_find(&self->g, self->fd[0], &f));
	EXPECT_EQ(10ULL, f.info.val[TOY_SOCK_A_TX_BYTES]);

	/* and counting goes on from zero */
	ASSERT_EQ(7, send(self->fd[0], buf, 7, 0));
	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	EXPECT_EQ(7ULL, type_stats(&st, self->type)->val[TOY_TYPE_A_TX_BYTES]);
}

/* Run @fn in a child process; returns its exit status. */
static int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* toy_sock_dump() callback: the uid and inode of each socket. */
struct owners {
	unsigned int n;
	uint64_t uid[4];
	uint64_t inode[4];
};

static int owners_cb(const struct toy_sock_info *sock, void *data)
{
	struct owners *o = data;

	if (o->n < 4) {
		o->uid[o->n] = sock->val[TOY_SOCK_A_UID];
		o->inode[o->n] = sock->val[TOY_SOCK_A_INODE];
	}
	o->n++;
	return 0;
}

/*
 * A connection still in the accept queue of a listener that user nobody
 * owns: its end there has no file yet (inode 0), and the dump names its
 * owner as the listener's uid, not root's. The child that owns both stays
 * until the dump is done.
 */
TEST(sock_dump_owner_of_an_unaccepted_connection_is_the_listener_uid)
{
	struct owners o = {};
	int ready[2], done[2];
	struct toy_genl g;
	unsigned int i;
	char byte;
	pid_t pid;

	NEW_NETNS();
	GENL_OPEN_OR_SKIP(&g);
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int l, c;

		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(1);
		l = toy_socket_bound(toy_family(), SOCK_STREAM, PORT);
		c = socket(toy_family(), SOCK_STREAM, 0);
		if (l < 0 || listen(l, 1) || c < 0 ||
		    toy_connect_port(c, toy_family(), PORT))
			_exit(2);
		if (write(ready[1], "", 1) != 1)
			_exit(3);
		_exit(read(done[0], &byte, 1) == 1 ? 0 : 4);
	}
	ASSERT_TRUE(poll_for(ready[0], POLLIN, WAKE_MS) & POLLIN);
	ASSERT_EQ(1, read(ready[0], &byte, 1));
	EXPECT_EQ(0, toy_sock_dump(&g, SOCK_STREAM, PORT, owners_cb, &o));
	EXPECT_EQ(1, write(done[1], "", 1));
	waitpid(pid, NULL, 0);

	/* the listener, and the end of the connection waiting in its queue */
	ASSERT_EQ(2U, o.n);
	for (i = 0; i < o.n; i++)
		EXPECT_EQ((uint64_t)NOBODY, o.uid[i]) TH_LOG("socket %u, inode %llu", i,
							(unsigned long long)o.inode[i]);
	EXPECT_TRUE(!o.inode[0] || !o.inode[1]);
	toy_genl_close(&g);
}

/* As user nobody with no capabilities: reset must fail with EPERM. */
static int reset_as_nobody(void *arg)
{
	struct toy_stats st;
	struct toy_genl g;

	(void)arg;
	if (setgid(NOBODY) || setuid(NOBODY) || toy_genl_open(&g))
		return 10;
	if (toy_stats_get(&g, &st))
		return 11;	/* reading needs no privilege */
	if (!toy_stats_reset(&g))
		return 12;
	return errno == EPERM ? 0 : 13;
}

/* As nobody, root of a new user namespace owning a new network namespace. */
static int reset_as_userns_root(void *arg)
{
	struct toy_genl g;

	(void)arg;
	if (setgid(NOBODY) || setuid(NOBODY))
		return 10;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return errno == EPERM || errno == EINVAL ? 4 : 11;
	if (toy_genl_open(&g))
		return 12;
	if (toy_stats_reset(&g))
		return 13;
	toy_genl_close(&g);
	return 0;
}

TEST_F(stats, reset_needs_cap_net_admin_over_the_namespace)
{
	int status;

	EXPECT_EQ(0, in_child(reset_as_nobody, NULL))
		TH_LOG("10: setuid or open, 11: get failed, 12: reset allowed, 13: not EPERM");
	status = in_child(reset_as_userns_root, NULL);
	if (status == 4)
		SKIP(return, "unprivileged user namespaces are disabled here");
	EXPECT_EQ(0, status)
		TH_LOG("10: setuid, 11: unshare, 12: genl open, 13: reset refused");
}

TEST(dgram_drops_equal_the_datagrams_not_received)
{
	const unsigned int sent = 500;
	const struct toy_type_stats *t;
	unsigned int i, received = 0;
	struct sock_find f;
	char buf[256] = {};
	struct toy_stats st;
	int small = 4096, fd[3];
	struct toy_genl g;

	NEW_NETNS();
	GENL_OPEN_OR_SKIP(&g);
	ASSERT_EQ(0, toy_pair(toy_family(), SOCK_DGRAM, PORT, fd));
	ASSERT_EQ(0, setsockopt(fd[1], SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	for (i = 0; i < sent; i++)
		ASSERT_EQ((ssize_t)sizeof(buf), send(fd[0], buf, sizeof(buf), 0));
	while (recv(fd[1], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		received++;
	ASSERT_LT(0U, received);
	ASSERT_GT(sent, received);

	ASSERT_EQ(0, toy_stats_get(&g, &st));
	t = type_stats(&st, SOCK_DGRAM);
	EXPECT_EQ(sent, t->val[TOY_TYPE_A_TX_MSGS]);
	EXPECT_EQ(received, t->val[TOY_TYPE_A_RX_MSGS]);
	EXPECT_EQ(sent - received, t->val[TOY_TYPE_A_DROPS]);

	ASSERT_EQ(0, toy_sock_find(&g, fd[1], &f));
	EXPECT_EQ(sent - received, f.info.val[TOY_SOCK_A_DROPS]);
	EXPECT_EQ((uint64_t)meminfo(fd[1], SK_MEMINFO_DROPS),
		  f.info.val[TOY_SOCK_A_DROPS]);
	/* what the receiver never read is dropped when it closes */
	for (i = 0; i < 3; i++)
		ASSERT_EQ((ssize_t)sizeof(buf), send(fd[0], buf, sizeof(buf), 0));
	close(fd[1]);
	fd[1] = -1;
	ASSERT_EQ(0, toy_stats_get(&g, &st));
	t = type_stats(&st, SOCK_DGRAM);
	EXPECT_EQ(sent + 3 - received, t->val[TOY_TYPE_A_DROPS]);
	EXPECT_EQ(t->val[TOY_TYPE_A_TX_MSGS],
		  t->val[TOY_TYPE_A_RX_MSGS] + t->val[TOY_TYPE_A_DROPS]);
	fds_close(fd, 3);
	toy_genl_close(&g);
}

/*
 * A datagram dropped for a full receiver is freed as a drop with the
 * kernel's reason for it, so that the drop monitor, `perf trace -e
 * skb:kfree_skb` and `dropwatch` see it like UDP's: one skb:kfree_skb
 * event with reason SOCKET_RCVBUFF per datagram the receiver's counter
 * counts as dropped.
 */
TEST(dgram_drops_show_in_the_kfree_skb_tracepoint_with_their_reason)
{
	const char *dir = tracefs();
	unsigned int i, events;
	char buf[256] = {};
	int small = 4096, fd[3];
	long drops;

	if (toy_family() < 0)
		SKIP(return, "af_toy.ko is not loaded");
	if (!*dir)
		SKIP(return, "no tracefs (mount: %s)", strerror(errno));
	NEW_NETNS();
	ASSERT_EQ(0, toy_pair(toy_family(), SOCK_DGRAM, PORT, fd));
	ASSERT_EQ(0, setsockopt(fd[1], SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	ASSERT_EQ(0, trace_write(dir, "trace", ""));
	ASSERT_EQ(0, trace_enable(dir, "events/skb/kfree_skb", true))
		TH_LOG("%s/events/skb/kfree_skb/enable: %s", dir, strerror(errno));
	for (i = 0; i < 100; i++)
		ASSERT_EQ((ssize_t)sizeof(buf), send(fd[0], buf, sizeof(buf), 0));
	EXPECT_EQ(0, trace_enable(dir, "events/skb/kfree_skb", false));
	drops = meminfo(fd[1], SK_MEMINFO_DROPS);
	events = trace_count(dir, "reason: SOCKET_RCVBUFF");
	TH_LOG("%ld drops counted, %u events", drops, events);
	EXPECT_LT(0, drops);
	EXPECT_EQ(drops, (long)events);
	fds_close(fd, 3);
}

TEST(stream_backlog_overflow_is_counted_once_per_connect)
{
	int family = toy_family();
	struct toy_stats st;
	struct toy_genl g;
	int lst, c[3], i;

	NEW_NETNS();
	GENL_OPEN_OR_SKIP(&g);
	lst = toy_socket_bound(family, SOCK_STREAM, PORT);
	ASSERT_LE(0, lst);
	/* backlog 0 queues one connection, as for AF_UNIX */
	ASSERT_EQ(0, listen(lst, 0));
	for (i = 0; i < 3; i++) {
		c[i] = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, c[i]);
	}
	ASSERT_EQ(0, toy_connect_port(c[0], family, PORT));
	EXPECT_EQ(-1, toy_connect_port(c[1], family, PORT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, toy_connect_port(c[2], family, PORT));

	ASSERT_EQ(0, toy_stats_get(&g, &st));
	EXPECT_EQ(2ULL, st.stream.val[TOY_TYPE_A_BACKLOG_OVERFLOWS]);
	EXPECT_EQ(1ULL, st.stream.val[TOY_TYPE_A_ESTABLISHED]);
	/* the connection waiting in the accept queue is a connected socket */
	EXPECT_EQ(2ULL, st.stream.val[TOY_TYPE_A_CONNECTED]);
	for (i = 0; i < 3; i++)
		close(c[i]);
	close(lst);
	toy_genl_close(&g);
}

/* The size of the messages the one-copy tests move: a bulk read. */
#define DIRECT_LEN	65536

/* DIRECT_LEN bytes of @fill, page-aligned so that the pages are counted. */
static char *direct_buf(char fill)
{
	char *buf = mmap(NULL, DIRECT_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return NULL;
	memset(buf, fill, DIRECT_LEN);
	return buf;
}

/*
 * A reader that just read a bulk message and waits in recv() for the next
 * gets it copied straight into its buffer: DIRECT_BYTES counts it all, and
 * the bytes are those sent. The first message, sent before anyone waited,
 * went through the queue and is not counted.
 */
TEST(stream_direct_bytes_count_copies_into_a_waiting_reader)
{
	struct call c = { .op = CALL_RECV, .len = DIRECT_LEN,
			  .flags = MSG_WAITALL };
	int family = toy_family();
	char *out, *in;
	struct toy_genl g;
	int fd[3];

	NEW_NETNS();
	GENL_OPEN_OR_SKIP(&g);
	out = direct_buf('a');
	in = direct_buf(0);
	ASSERT_TRUE(out && in);
	ASSERT_EQ(0, toy_pair(family, SOCK_STREAM, PORT, fd));
	ASSERT_EQ(DIRECT_LEN, send(fd[0], out, DIRECT_LEN, 0));
	ASSERT_EQ(DIRECT_LEN, recv(fd[1], in, DIRECT_LEN, MSG_WAITALL));
	EXPECT_EQ(0, toy_direct_bytes(&g));

	c.fd = fd[1];
	c.buf = in;
	memset(in, 0, DIRECT_LEN);
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	memset(out, 'b', DIRECT_LEN);
	ASSERT_EQ(DIRECT_LEN, send(fd[0], out, DIRECT_LEN, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(DIRECT_LEN, c.ret) TH_LOG("recv: %s", strerror(c.err));
	EXPECT_EQ(0, memcmp(out, in, DIRECT_LEN));
	EXPECT_EQ(DIRECT_LEN, toy_direct_bytes(&g));
	fds_close(fd, 3);
	toy_genl_close(&g);
}

/*
 * Readers of small messages, and readers that peek, keep the two copies:
 * pinning their buffer would cost more than it saves, and a peeked byte
 * must stay queued.
 */
TEST(stream_direct_bytes_stay_zero_for_small_reads_and_peeks)
{
	struct call c = { .op = CALL_RECV, .len = DIRECT_LEN };
	int family = toy_family();
	struct toy_genl g;
	char *out, *in;
	int fd[3], i;

	NEW_NETNS();
	GENL_OPEN_OR_SKIP(&g);
	out = direct_buf('s');
	in = direct_buf(0);
	ASSERT_TRUE(out && in);
	ASSERT_EQ(0, toy_pair(family, SOCK_STREAM, PORT, fd));
	/* 1 KiB messages into a 64 KiB buffer, each read waiting first */
	for (i = 0; i < 3; i++) {
		c.fd = fd[1];
		c.buf = in;
		c.flags = 0;
		ASSERT_EQ(0, call_start(&c));
		EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
		ASSERT_EQ(1024, send(fd[0], out, 1024, 0));
		ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
		call_join(&c);
		EXPECT_EQ(1024, c.ret);
	}
	/* a bulk read, then a peeking reader that waits */
	ASSERT_EQ(DIRECT_LEN, send(fd[0], out, DIRECT_LEN, 0));
	ASSERT_EQ(DIRECT_LEN, recv(fd[1], in, DIRECT_LEN, MSG_WAITALL));
	c.flags = MSG_PEEK;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(DIRECT_LEN, send(fd[0], out, DIRECT_LEN, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_LT(0, c.ret);
	EXPECT_EQ(0, toy_direct_bytes(&g));
	/* what was peeked is still there */
	EXPECT_EQ(DIRECT_LEN, recv(fd[1], in, DIRECT_LEN, MSG_WAITALL));
	fds_close(fd, 3);
	toy_genl_close(&g);
}

/* Open @n AF_TOY sockets into @fd, half of them bound. */
static int open_many(int family, int type, int *fd, int n)
{
	struct rlimit rl = { n + 64, n + 64 };
	int i;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	for (i = 0; i < n; i++) {
		fd[i] = i % 2 ? socket(family, type, 0) :
				toy_socket_bound(family, type, TOY_PORT_ANY);
		if (fd[i] < 0)
			return -1;
	}
	return 0;
}

struct cookies {
	uint64_t *cookie;	/* sorted */
	unsigned char *seen;
	int n;
	unsigned int total;
	bool intr;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cookies_cb(const struct toy_sock_info *sock, void *data)
{
	struct cookies *c = data;
	uint64_t key = sock->val[TOY_SOCK_A_COOKIE];
	uint64_t *hit;

	c->total++;
	c->intr |= sock->intr;
	hit = bsearch(&key, c->cookie, c->n, sizeof(key), cmp_u64);
	if (hit)
		c->seen[hit - c->cookie]++;
	return 0;
}

TEST_F(stats, dump_of_thousands_of_sockets_lists_each_once)
{
	struct cookies c = { .n = MANY };
	int fd[MANY], i;

	c.cookie = calloc(MANY, sizeof(*c.cookie));
	c.seen = calloc(MANY, 1);
	ASSERT_TRUE(c.cookie && c.seen);
	ASSERT_EQ(0, open_many(self->family, self->type, fd, MANY))
		TH_LOG("%s", strerror(errno));
	for (i = 0; i < MANY; i++)
		c.cookie[i] = cookie_of(fd[i]);
	qsort(c.cookie, MANY, sizeof(*c.cookie), cmp_u64);

	ASSERT_EQ(0, toy_sock_dump(&self->g, 0, -1, cookies_cb, &c));
	EXPECT_EQ((unsigned int)MANY, c.total);
	EXPECT_FALSE(c.intr);
	for (i = 0; i < MANY; i++)
		if (c.seen[i] != 1)
			break;
	EXPECT_EQ(MANY, i) TH_LOG("socket %d seen %d times", i, c.seen[i]);

	for (i = 0; i < MANY; i++)
		close(fd[i]);
	free(c.cookie);
	free(c.seen);
}

/*
 * Read a SOCK_GET dump part by part, opening a socket after the first
 * part; returns whether any later message carried NLM_F_DUMP_INTR, or -1.
 */
static int dump_with_change(struct toy_genl *g, int family, int type)
{
	static char buf[32768];
	char req[REQ_SIZE];
	struct nlmsghdr *nlh;
	bool done = false;
	int parts = 0, intr = 0, fd = -1;
	int n;

	nlh = toy_genl_request(g, req, TOY_CMD_SOCK_GET, NLM_F_DUMP);
	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while (!done) {
		n = mnl_socket_recvfrom(g->nl, buf, sizeof(buf));
		if (n <= 0)
			return -1;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			if (nlh->nlmsg_type == NLMSG_DONE ||
			    nlh->nlmsg_type == NLMSG_ERROR)
				done = true;
		}
		if (!parts++)
			fd = socket(family, type, 0);
	}
	if (fd >= 0)
		close(fd);
	return parts > 1 ? intr : -1;
}

TEST_F(stats, dump_marks_a_list_changed_under_it_interrupted)
{
	int fd[MANY], i;

	ASSERT_EQ(0, open_many(self->family, self->type, fd, MANY));
	EXPECT_EQ(1, dump_with_change(&self->g, self->family, self->type))
		TH_LOG("-1: the dump came in one part or failed");
	for (i = 0; i < MANY; i++)
		close(fd[i]);
}

/* Malformed and refused requests: errno and extended ack message. */
FIXTURE(requests) {
	struct toy_genl g;
	char buf[REQ_SIZE];
};

FIXTURE_SETUP(requests)
{
	NEW_NETNS();
	GENL_OPEN_OR_SKIP(&self->g);
}

FIXTURE_TEARDOWN(requests)
{
	toy_genl_close(&self->g);
}

/* Send @nlh; returns the errno the kernel answered, 0 for success. */
static int answer(struct toy_genl *g, struct nlmsghdr *nlh)
{
	return toy_genl_talk(g, nlh, NULL, NULL) ? errno : 0;
}

TEST_F(requests, unknown_command_is_eopnotsupp)
{
	struct nlmsghdr *nlh;

	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_MAX + 1, NLM_F_ACK);
	EXPECT_EQ(EOPNOTSUPP, answer(&self->g, nlh));
	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_UNSPEC, NLM_F_ACK);
	EXPECT_EQ(EOPNOTSUPP, answer(&self->g, nlh));
}

TEST_F(requests, wrong_kind_of_request_is_eopnotsupp)
{
	struct nlmsghdr *nlh;

	/* SOCK_GET is a dump only, STATS_GET and RESET are do only */
	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_SOCK_GET,
			       NLM_F_ACK);
	EXPECT_EQ(EOPNOTSUPP, answer(&self->g, nlh));
	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_STATS_GET,
			       NLM_F_DUMP);
	EXPECT_EQ(EOPNOTSUPP, answer(&self->g, nlh));
}

TEST_F(requests, attribute_on_a_command_without_any_is_rejected_with_message)
{
	struct nlmsghdr *nlh;

	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_STATS_GET,
			       NLM_F_ACK);
	mnl_attr_put_u32(nlh, TOY_STATS_A_FAMILY, 25);
	EXPECT_EQ(EINVAL, answer(&self->g, nlh));
	EXPECT_NE(0U, strlen(self->g.errmsg));
	TH_LOG("kernel says: %s", self->g.errmsg);

	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_STATS_RESET,
			       NLM_F_ACK);
	mnl_attr_put_u32(nlh, 1, 0);
	EXPECT_EQ(EINVAL, answer(&self->g, nlh));
	EXPECT_NE(0U, strlen(self->g.errmsg));
}

TEST_F(requests, unknown_attribute_is_rejected_with_message)
{
	struct nlmsghdr *nlh;

	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_SOCK_GET,
			       NLM_F_DUMP);
	mnl_attr_put_u32(nlh, TOY_SOCK_A_MAX + 1, 0);
	EXPECT_EQ(EINVAL, answer(&self->g, nlh));
	EXPECT_NE(0U, strlen(self->g.errmsg));
	TH_LOG("kernel says: %s", self->g.errmsg);

	/* a reply-only attribute is not a filter */
	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_SOCK_GET,
			       NLM_F_DUMP);
	mnl_attr_put_u64(nlh, TOY_SOCK_A_COOKIE, 1);
	EXPECT_EQ(EINVAL, answer(&self->g, nlh));
	EXPECT_NE(0U, strlen(self->g.errmsg));
}

TEST_F(requests, filter_of_wrong_length_or_value_is_rejected_with_message)
{
	struct nlmsghdr *nlh;
	int err;

	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_SOCK_GET,
			       NLM_F_DUMP);
	mnl_attr_put_u32(nlh, TOY_SOCK_A_TYPE, SOCK_STREAM);	/* is a u16 */
	err = answer(&self->g, nlh);
	EXPECT_TRUE(err == EINVAL || err == ERANGE) TH_LOG("errno %d", err);
	EXPECT_NE(0U, strlen(self->g.errmsg));
	TH_LOG("kernel says: %s", self->g.errmsg);

	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_SOCK_GET,
			       NLM_F_DUMP);
	mnl_attr_put_u16(nlh, TOY_SOCK_A_TYPE, SOCK_PACKET);
	err = answer(&self->g, nlh);
	EXPECT_TRUE(err == EINVAL || err == ERANGE) TH_LOG("errno %d", err);
	EXPECT_NE(0U, strlen(self->g.errmsg));
	TH_LOG("kernel says: %s", self->g.errmsg);

	/* inside the policy's range (1 to 5), but no AF_TOY type */
	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_SOCK_GET,
			       NLM_F_DUMP);
	mnl_attr_put_u16(nlh, TOY_SOCK_A_TYPE, SOCK_RDM);
	err = answer(&self->g, nlh);
	EXPECT_EQ(EINVAL, err);
	EXPECT_NE(NULL, strstr(self->g.errmsg, "no socket of this type"))
		TH_LOG("kernel says: %s", self->g.errmsg);

	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_SOCK_GET,
			       NLM_F_DUMP);
	mnl_attr_put_u16(nlh, TOY_SOCK_A_PORT, 7);		/* is a u32 */
	err = answer(&self->g, nlh);
	EXPECT_TRUE(err == EINVAL || err == ERANGE) TH_LOG("errno %d", err);
	EXPECT_NE(0U, strlen(self->g.errmsg));
}

TEST_F(requests, malformed_headers_are_einval)
{
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	/* reserved field of the genetlink header */
	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_STATS_GET,
			       NLM_F_ACK);
	genl = mnl_nlmsg_get_payload(nlh);
	genl->reserved = 1;
	EXPECT_EQ(EINVAL, answer(&self->g, nlh));
	EXPECT_NE(0U, strlen(self->g.errmsg));

	/* a message too short to hold the genetlink header */
	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_STATS_GET,
			       NLM_F_ACK);
	nlh->nlmsg_len = mnl_nlmsg_size(sizeof(*genl) - 1);
	EXPECT_EQ(EINVAL, answer(&self->g, nlh));

	/* an attribute whose length runs past the message */
	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_SOCK_GET,
			       NLM_F_DUMP);
	mnl_attr_put_u32(nlh, TOY_SOCK_A_PORT, 7);
	((struct nlattr *)((char *)genl + sizeof(*genl)))->nla_len = 64;
	EXPECT_EQ(EINVAL, answer(&self->g, nlh));

	/* and the family still answers afterwards */
	nlh = toy_genl_request(&self->g, self->buf, TOY_CMD_STATS_GET,
			       NLM_F_ACK);
	EXPECT_EQ(0, answer(&self->g, nlh));
}

TEST_HARNESS_MAIN
