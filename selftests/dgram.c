// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_DGRAM across AF_UNIX (abstract names), AF_VSOCK (loopback, which
 * has no datagram transport: every variant SKIPs at socket()) and AF_TOY:
 * message boundaries, addressing, connect as a default destination,
 * best-effort delivery with counted drops, options, poll, shutdown.
 *
 * Where the families differ, the variant says what each one does; every
 * difference is listed in Documentation/differences.md.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"

/* Receiver, sender and a third socket. */
enum { R, T, X, NFDS };

FIXTURE(dgram) {
	int family;
	int fd[NFDS];
};

FIXTURE_VARIANT(dgram) {
	enum fam fam;
	bool best_effort;	/* a full receiver drops instead of blocking */
	bool autobind;		/* the first send binds the sender */
	bool max_payload;	/* TOY_DGRAM_MAX bounds the payload */
	int no_destination;	/* errno of send() unconnected, no address */
};

FIXTURE_VARIANT_ADD(dgram, unix) {
	.fam = FAM_UNIX,
	.best_effort = false,
	.autobind = false,
	.max_payload = false,
	.no_destination = ENOTCONN,
};

FIXTURE_VARIANT_ADD(dgram, vsock) {
	.fam = FAM_VSOCK,
};

FIXTURE_VARIANT_ADD(dgram, toy) {
	.fam = FAM_TOY,
	.best_effort = true,
	.autobind = true,
	.max_payload = true,
	.no_destination = EDESTADDRREQ,
};

FIXTURE_SETUP(dgram)
{
	fds_init(self->fd, NFDS);
	self->family = fam_number(variant->fam);
}

FIXTURE_TEARDOWN(dgram)
{
	fds_close(self->fd, NFDS);
}

/* Fixture sockets: R bound to key 1, T and X unbound. */
#define SOCKETS_OR_SKIP() do {						\
	struct sockaddr_storage ss_;					\
	socklen_t len_;							\
	int i_;								\
									\
	FAMILY_OR_SKIP(self->family, variant->fam);			\
	for (i_ = 0; i_ < NFDS; i_++)					\
		SOCKET_OR_SKIP(self->fd[i_], self->family, SOCK_DGRAM);	\
	len_ = fam_addr(variant->fam, self->family, test_port() + 1,	\
			true, &ss_);					\
	ASSERT_EQ(0, bind(self->fd[R], (struct sockaddr *)&ss_, len_))	\
		TH_LOG("bind: %s", strerror(errno));			\
} while (0)

/* sendto() the address numbered @key. */
static ssize_t send_to(const FIXTURE_VARIANT(dgram) *variant, int family,
		       int fd, unsigned int key, const void *buf, size_t len,
		       int flags)
{
	struct sockaddr_storage ss;
	socklen_t alen = fam_addr(variant->fam, family, test_port() + key,
				  false, &ss);

	return sendto(fd, buf, len, flags, (struct sockaddr *)&ss, alen);
}

static int connect_key(const FIXTURE_VARIANT(dgram) *variant, int family,
		       int fd, unsigned int key)
{
	struct sockaddr_storage ss;
	socklen_t alen = fam_addr(variant->fam, family, test_port() + key,
				  false, &ss);

	return connect(fd, (struct sockaddr *)&ss, alen);
}

TEST_F(dgram, each_send_is_one_datagram)
{
	char buf[16];

	SOCKETS_OR_SKIP();
	ASSERT_EQ(3, send_to(variant, self->family, self->fd[T], 1, "abc", 3, 0));
	ASSERT_EQ(2, send_to(variant, self->family, self->fd[T], 1, "de", 2, 0));
	EXPECT_EQ(3, recv(self->fd[R], buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(2, recv(self->fd[R], buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "de", 2));
}

TEST_F(dgram, zero_length_datagram_is_delivered)
{
	char buf[4];

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, send_to(variant, self->family, self->fd[T], 1, "", 0, 0));
	ASSERT_EQ(1, send_to(variant, self->family, self->fd[T], 1, "z", 1, 0));
	EXPECT_EQ(0, recv(self->fd[R], buf, sizeof(buf), 0));
	EXPECT_EQ(1, recv(self->fd[R], buf, sizeof(buf), 0));
}

TEST_F(dgram, payload_above_toy_dgram_max_is_emsgsize)
{
	char *buf = calloc(1, TOY_DGRAM_MAX + 1);
	ssize_t n;

	SOCKETS_OR_SKIP();
	ASSERT_NE(NULL, buf);
	n = send_to(variant, self->family, self->fd[T], 1, buf,
		    TOY_DGRAM_MAX + 1, 0);
	if (variant->max_payload) {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EMSGSIZE, observed_errno(errno));
	} else {	/* AF_UNIX: bounded by SO_SNDBUF only */
		EXPECT_EQ(TOY_DGRAM_MAX + 1, n);
		OBSERVE("sent");
	}
	free(buf);
}

TEST_F_TIMEOUT(dgram, sizes_from_zero_to_max_arrive_intact, 120)
{
	uint8_t *out = malloc(TOY_DGRAM_MAX), *in = malloc(TOY_DGRAM_MAX + 1);
	uint64_t s = 0x12345678 + getpid();
	size_t i, len;
	int n;

	SOCKETS_OR_SKIP();
	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	for (n = 0; n < 300; n++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		len = n == 0 ? 0 : n == 1 ? TOY_DGRAM_MAX : s % (TOY_DGRAM_MAX + 1);
		for (i = 0; i < len; i++)
			out[i] = s >> (i % 7 * 8) ^ i;
		ASSERT_EQ((ssize_t)len, send_to(variant, self->family,
						self->fd[T], 1, out, len, 0));
		ASSERT_EQ((ssize_t)len, recv(self->fd[R], in, TOY_DGRAM_MAX + 1, 0));
		ASSERT_EQ(0, memcmp(in, out, len)) TH_LOG("datagram %d, %zu bytes", n, len);
	}
	free(out);
	free(in);
}

TEST_F(dgram, sendto_unbound_port_is_refused)
{
	SOCKETS_OR_SKIP();
	EXPECT_EQ(-1, send_to(variant, self->family, self->fd[T], 2, "x", 1, 0));
	EXPECT_EQ(ECONNREFUSED, observed_errno(errno));
}

TEST_F(dgram, first_send_autobinds_and_recvfrom_names_the_sender)
{
	struct sockaddr_storage from, name;
	socklen_t flen = sizeof(from), nlen = sizeof(name);
	char byte;

	SOCKETS_OR_SKIP();
	ASSERT_EQ(1, send_to(variant, self->family, self->fd[T], 1, "x", 1, 0));
	ASSERT_EQ(1, recvfrom(self->fd[R], &byte, 1, 0,
			      (struct sockaddr *)&from, &flen));
	ASSERT_EQ(0, getsockname(self->fd[T], (struct sockaddr *)&name, &nlen));
	OBSERVE_IF(nlen > sizeof(sa_family_t), "sender bound and named",
		   "sender unbound and unnamed");
	if (!variant->autobind) {
		/* AF_UNIX: an unbound sender stays unbound and unnamed */
		EXPECT_EQ(sizeof(sa_family_t), nlen);
		EXPECT_EQ(0U, flen);
		return;
	}
	EXPECT_NE(0U, ((struct sockaddr_toy *)&name)->stoy_port);
	EXPECT_EQ(nlen, flen);
	EXPECT_EQ(0, memcmp(&from, &name, flen));
}

TEST_F(dgram, short_buffer_truncates_and_sets_msg_trunc)
{
	char buf[4] = "";
	struct iovec iov = { buf, 2 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	SOCKETS_OR_SKIP();
	ASSERT_EQ(4, send_to(variant, self->family, self->fd[T], 1, "abcd", 4, 0));
	ASSERT_EQ(1, send_to(variant, self->family, self->fd[T], 1, "e", 1, 0));
	EXPECT_EQ(2, recvmsg(self->fd[R], &msg, 0));
	EXPECT_TRUE(!!(msg.msg_flags & MSG_TRUNC));
	EXPECT_EQ(0, memcmp(buf, "ab", 2));
	/* the rest of the datagram is gone */
	EXPECT_EQ(1, recv(self->fd[R], buf, sizeof(buf), 0));
	EXPECT_EQ('e', buf[0]);
}

TEST_F(dgram, msg_trunc_flag_returns_the_real_length)
{
	char buf[2];

	SOCKETS_OR_SKIP();
	ASSERT_EQ(5, send_to(variant, self->family, self->fd[T], 1, "abcde", 5, 0));
	EXPECT_EQ(5, recv(self->fd[R], buf, sizeof(buf), MSG_TRUNC));
}

TEST_F(dgram, msg_peek_leaves_the_datagram_queued)
{
	char buf[8];

	SOCKETS_OR_SKIP();
	ASSERT_EQ(3, send_to(variant, self->family, self->fd[T], 1, "abc", 3, 0));
	EXPECT_EQ(3, recv(self->fd[R], buf, sizeof(buf), MSG_PEEK));
	EXPECT_EQ(3, recv(self->fd[R], buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	EXPECT_EQ(-1, recv(self->fd[R], buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, observed_errno(errno));
}

TEST_F(dgram, connect_sets_the_default_destination)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char byte;

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, connect_key(variant, self->family, self->fd[T], 1));
	ASSERT_EQ(0, getpeername(self->fd[T], (struct sockaddr *)&ss, &len));
	EXPECT_EQ(1, send(self->fd[T], "x", 1, 0));
	EXPECT_EQ(1, recv(self->fd[R], &byte, 1, 0));
}

TEST_F(dgram, connect_to_an_unbound_port_is_refused)
{
	SOCKETS_OR_SKIP();
	EXPECT_EQ(-1, connect_key(variant, self->family, self->fd[T], 2));
	EXPECT_EQ(ECONNREFUSED, observed_errno(errno));
}

TEST_F(dgram, connected_socket_receives_only_from_its_peer)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char byte;

	SOCKETS_OR_SKIP();
	/* T bound to key 2 and connected to R; R connected to T */
	len = fam_addr(variant->fam, self->family, test_port() + 2, true, &ss);
	ASSERT_EQ(0, bind(self->fd[T], (struct sockaddr *)&ss, len));
	ASSERT_EQ(0, connect_key(variant, self->family, self->fd[R], 2));
	ASSERT_EQ(0, connect_key(variant, self->family, self->fd[T], 1));
	EXPECT_EQ(-1, send_to(variant, self->family, self->fd[X], 1, "x", 1, 0));
	EXPECT_EQ(EPERM, observed_errno(errno));
	EXPECT_EQ(1, send(self->fd[T], "t", 1, 0));
	EXPECT_EQ(1, recv(self->fd[R], &byte, 1, 0));
	EXPECT_EQ('t', byte);
}

TEST_F(dgram, connect_af_unspec_dissolves_the_association)
{
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, connect_key(variant, self->family, self->fd[T], 1));
	ASSERT_EQ(0, connect(self->fd[T], &unspec, sizeof(unspec)));
	EXPECT_EQ(-1, getpeername(self->fd[T], (struct sockaddr *)&ss, &len));
	EXPECT_EQ(ENOTCONN, observed_errno(errno));
	EXPECT_EQ(-1, send(self->fd[T], "x", 1, 0));
	EXPECT_EQ(variant->no_destination, observed_errno(errno));
}

TEST_F(dgram, send_without_destination_unconnected_fails)
{
	SOCKETS_OR_SKIP();
	EXPECT_EQ(-1, send(self->fd[T], "x", 1, 0));
	EXPECT_EQ(variant->no_destination, observed_errno(errno));
}

TEST_F(dgram, listen_and_accept_are_eopnotsupp)
{
	SOCKETS_OR_SKIP();
	EXPECT_EQ(-1, listen(self->fd[R], 1));
	EXPECT_EQ(EOPNOTSUPP, observed_errno(errno));
	EXPECT_EQ(-1, accept(self->fd[R], NULL, NULL));
	EXPECT_EQ(EOPNOTSUPP, observed_errno(errno));
}

TEST_F(dgram, full_receiver_drops_or_blocks_as_documented)
{
	int rcvbuf = 16 * 1024, i, sent = 0, queued = 0, sends = 1000;
	char buf[1024] = "";
	long drops, rmem;

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, setsockopt(self->fd[R], SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	for (i = 0; i < sends; i++) {
		if (send_to(variant, self->family, self->fd[T], 1, buf,
			    sizeof(buf), MSG_DONTWAIT) < 0)
			break;
		sent++;
	}
	if (!variant->best_effort) {
		/* AF_UNIX: the queue fills and the sender is pushed back */
		EXPECT_GT(sends, sent);
		EXPECT_EQ(EAGAIN, observed_errno(errno));
		return;
	}
	EXPECT_EQ(sends, sent);
	OBSERVE("every send succeeds, the excess is dropped and counted");
	drops = meminfo(self->fd[R], SK_MEMINFO_DROPS);
	rmem = meminfo(self->fd[R], SK_MEMINFO_RMEM_ALLOC);
	/* kernel memory held: at most the limit plus one datagram */
	EXPECT_GE(meminfo(self->fd[R], SK_MEMINFO_RCVBUF) + 4096, rmem);
	while (recv(self->fd[R], buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		queued++;
	EXPECT_LT(0, drops);
	EXPECT_EQ(sends, queued + drops);
}

/**
 * struct flood - one of several senders to one receiver
 * @variant: the fixture variant
 * @family: its family number
 * @fd: this sender's socket
 * @id: this sender's number, written in each datagram
 * @sent: datagrams sent successfully
 */
struct flood {
	const FIXTURE_VARIANT(dgram) *variant;
	int family;
	int fd;
	uint32_t id;
	uint32_t sent;
};

#define FLOOD_SENDERS	4
#define FLOOD_EACH	3000

static void *flood_sender(void *arg)
{
	struct flood *f = arg;
	uint32_t msg[2] = { f->id, 0 };

	for (msg[1] = 0; msg[1] < FLOOD_EACH; msg[1]++)
		if (send_to(f->variant, f->family, f->fd, 1, msg, sizeof(msg),
			    0) == sizeof(msg))
			f->sent++;
	return NULL;
}

TEST_F_TIMEOUT(dgram, many_senders_received_plus_drops_equals_sent, 120)
{
	struct flood f[FLOOD_SENDERS];
	uint32_t next[FLOOD_SENDERS] = { 0 }, msg[2];
	pthread_t t[FLOOD_SENDERS];
	long received = 0, sent = 0, disorder = 0;
	int i, running = FLOOD_SENDERS, on = 1;

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, setsockopt(self->fd[R], SOL_SOCKET, SO_RXQ_OVFL, &on,
				sizeof(on)));
	for (i = 0; i < FLOOD_SENDERS; i++) {
		f[i] = (struct flood){ variant, self->family, -1, i, 0 };
		SOCKET_OR_SKIP(f[i].fd, self->family, SOCK_DGRAM);
		ASSERT_EQ(0, pthread_create(&t[i], NULL, flood_sender, &f[i]));
	}
	/* read while they send; once all have finished, drain */
	while (running || poll_for(self->fd[R], POLLIN, 0) & POLLIN) {
		if (recv(self->fd[R], msg, sizeof(msg), MSG_DONTWAIT) ==
		    sizeof(msg)) {
			if (msg[0] >= FLOOD_SENDERS || msg[1] < next[msg[0]])
				disorder++;
			else
				next[msg[0]] = msg[1] + 1;
			received++;
			continue;
		}
		if (!running)
			break;
		if (!(poll_for(self->fd[R], POLLIN, 100) & POLLIN)) {
			for (i = running = 0; i < FLOOD_SENDERS; i++)
				running += pthread_tryjoin_np(t[i], NULL) == EBUSY;
		}
	}
	for (i = 0; i < FLOOD_SENDERS; i++) {
		pthread_join(t[i], NULL);
		sent += f[i].sent;
		close(f[i].fd);
	}
	EXPECT_EQ(FLOOD_SENDERS * FLOOD_EACH, sent);
	EXPECT_EQ(0, disorder);
	EXPECT_EQ(sent, received + meminfo(self->fd[R], SK_MEMINFO_DROPS));
	if (!variant->best_effort)
		EXPECT_EQ(0, meminfo(self->fd[R], SK_MEMINFO_DROPS));
}

TEST_F(dgram, poll_reports_pollin_with_a_datagram_and_pollout_idle)
{
	SOCKETS_OR_SKIP();
	EXPECT_EQ(POLLOUT, poll_for(self->fd[R], POLLIN | POLLOUT, 0));
	ASSERT_EQ(1, send_to(variant, self->family, self->fd[T], 1, "x", 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, poll_for(self->fd[R], POLLIN | POLLOUT, 0));
}

TEST_F(dgram, so_rcvtimeo_bounds_a_blocking_recv)
{
	SOCKETS_OR_SKIP();
	expect_rcvtimeo(_metadata, self->fd[R]);
}

TEST_F(dgram, msg_dontwait_with_nothing_queued_gives_eagain)
{
	char byte;

	SOCKETS_OR_SKIP();
	EXPECT_EQ(-1, recv(self->fd[R], &byte, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, observed_errno(errno));
}

TEST_F(dgram, siocinq_is_the_size_of_the_next_datagram)
{
	int inq = -1;

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, ioctl(self->fd[R], SIOCINQ, &inq));
	EXPECT_EQ(0, inq);
	ASSERT_EQ(5, send_to(variant, self->family, self->fd[T], 1, "abcde", 5, 0));
	ASSERT_EQ(2, send_to(variant, self->family, self->fd[T], 1, "fg", 2, 0));
	ASSERT_EQ(0, ioctl(self->fd[R], SIOCINQ, &inq));
	EXPECT_EQ(5, inq);
}

TEST_F(dgram, so_rcvbuf_and_so_sndbuf_read_back_doubled)
{
	int val = 32 * 1024;

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, setsockopt(self->fd[R], SOL_SOCKET, SO_RCVBUF, &val,
				sizeof(val)));
	ASSERT_EQ(0, setsockopt(self->fd[R], SOL_SOCKET, SO_SNDBUF, &val,
				sizeof(val)));
	EXPECT_EQ(2 * val, meminfo(self->fd[R], SK_MEMINFO_RCVBUF));
	EXPECT_EQ(2 * val, meminfo(self->fd[R], SK_MEMINFO_SNDBUF));
}

TEST_F(dgram, blocked_recv_wakes_on_a_datagram)
{
	struct call c = { .op = CALL_RECV };
	char byte = 0;

	SOCKETS_OR_SKIP();
	c.fd = self->fd[R];
	c.buf = &byte;
	c.len = 1;
	ASSERT_EQ(0, call_start(&c));
	EXPECT_FALSE(call_returns_within(&c, BLOCKED_MS));
	ASSERT_EQ(1, send_to(variant, self->family, self->fd[T], 1, "x", 1, 0));
	ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	call_join(&c);
	EXPECT_EQ(1, c.ret);
	EXPECT_EQ('x', byte);
}

TEST_F(dgram, socketpair_gives_a_connected_pair)
{
	char buf[4];
	int sv[2];

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, socketpair(self->family, SOCK_DGRAM, 0, sv));
	EXPECT_EQ(4, send(sv[0], "ping", 4, 0));
	EXPECT_EQ(4, recv(sv[1], buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_EQ(4, send(sv[1], "pong", 4, 0));
	EXPECT_EQ(4, recv(sv[0], buf, sizeof(buf), 0));
	close(sv[0]);
	close(sv[1]);
}

TEST_F(dgram, recv_after_shut_rd_returns_zero)
{
	char byte;

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, shutdown(self->fd[R], SHUT_RD));
	EXPECT_EQ(0, recv(self->fd[R], &byte, 1, 0));
}

TEST_F(dgram, send_after_shut_wr_gives_epipe)
{
	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, shutdown(self->fd[T], SHUT_WR));
	EXPECT_EQ(-1, send_to(variant, self->family, self->fd[T], 1, "x", 1,
			      MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, observed_errno(errno));
}

TEST_F(dgram, sender_connected_to_a_closed_peer_is_refused)
{
	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, connect_key(variant, self->family, self->fd[T], 1));
	close(self->fd[R]);
	self->fd[R] = -1;
	EXPECT_EQ(-1, send(self->fd[T], "x", 1, 0));
	EXPECT_EQ(ECONNREFUSED, observed_errno(errno));
}

TEST_F(dgram, another_netns_cannot_send_to_the_port)
{
	int fd;

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));
	fd = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, send_to(variant, self->family, fd, 1, "x", 1, 0));
	EXPECT_EQ(ECONNREFUSED, observed_errno(errno));
	close(fd);
}

TEST_F(dgram, msg_oob_and_control_messages_are_refused_or_supported)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = "";
	struct iovec iov = { "x", 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int fd = 0;

	SOCKETS_OR_SKIP();
	ASSERT_EQ(0, connect_key(variant, self->family, self->fd[T], 1));
	EXPECT_EQ(-1, send(self->fd[T], "x", 1, MSG_OOB));
	EXPECT_EQ(EOPNOTSUPP, observed_errno(errno));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	if (variant->fam == FAM_UNIX) {
		EXPECT_EQ(1, sendmsg(self->fd[T], &msg, 0));
		return;
	}
	EXPECT_EQ(-1, sendmsg(self->fd[T], &msg, 0));
	EXPECT_EQ(EOPNOTSUPP, observed_errno(errno));
}

TEST_HARNESS_MAIN
