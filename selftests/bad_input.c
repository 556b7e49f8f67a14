// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to AF_TOY, one row per kind: every system call and netlink
 * request that userspace can get wrong gets its documented errno
 * (Documentation/bad-input.md lists the same rows), and a connected socket
 * keeps working afterwards: nothing is lost because a call was refused.
 *
 * Each FIXTURE_VARIANT_ADD is one row: what the socket is before the call
 * (prep), the call (op) and its arguments, and the errno it must give.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "families.h"
#include "toy_nl.h"

/* What the socket under test is before the call. */
enum prep {
	FRESH,		/* just created */
	BOUND,		/* bound to a port of its own */
	LISTENING,	/* bound and listening (stream) */
	CONNECTED,	/* connected to the helper socket */
};

/* The call made with the row's arguments. */
enum op {
	OP_SOCKET,	/* socket(family, type, arg) */
	OP_BIND,
	OP_CONNECT,
	OP_SENDTO,	/* sendto() of arg bytes, with an address if addrlen */
	OP_RECV,	/* recv() of arg bytes after 1 byte was sent to it */
	OP_SENDMSG,	/* sendmsg() of arg iovecs */
	OP_LISTEN,	/* listen(arg) */
	OP_ACCEPT,
	OP_SHUTDOWN,	/* shutdown(arg) */
	OP_IOCTL,	/* ioctl(arg, &int) */
	OP_SETSOCKOPT,
	OP_GETSOCKOPT,
	OP_NETLINK,	/* genetlink request arg, flags; one attribute */
};

/* Port arguments that stand for something found at run time. */
#define P_HELPER	1	/* the port the helper socket is bound to */
#define P_NOBODY	2	/* a port nobody bound */
#define P_ZERO		3	/* port 0, invalid */
#define P_ANY		4	/* TOY_PORT_ANY */

#define ADDR_LEN	((int)sizeof(struct sockaddr_toy))

FIXTURE(bad_input) {
	int family;
	int fd;
	int helper;
	int peer;	/* the other end of a CONNECTED socket */
	uint32_t port;
	void *unmapped;
};

/**
 * FIXTURE_VARIANT(bad_input) - one row
 * @op: the call
 * @type: the socket type
 * @prep: what the socket is before the call
 * @addrlen: address length for bind, connect and sendto
 * @addr_family: the family in the address, 0 for AF_TOY's
 * @reserved: stoy_reserved
 * @port: a P_* value, or a literal port
 * @bad_ptr: pass an unmapped pointer as buffer, address or option
 * @flags: send/recv flags, or netlink message flags
 * @level: sockopt level, or the netlink attribute's value
 * @optname: sockopt name, or the netlink attribute type
 * @optlen: sockopt length, or the netlink attribute's payload length
 * @arg: see enum op
 * @err: the errno the call must give
 */
FIXTURE_VARIANT(bad_input) {
	enum op op;
	int type;
	enum prep prep;
	int addrlen;
	int addr_family;
	uint16_t reserved;
	uint32_t port;
	bool bad_ptr;
	int flags;
	int level;
	int optname;
	int optlen;
	long arg;
	int err;
};

#define STREAM	.type = SOCK_STREAM
#define DGRAM	.type = SOCK_DGRAM
#define SEQPACKET	.type = SOCK_SEQPACKET

/* A record above any SO_SNDBUF the tests run with (wmem_max is 212992). */
#define RECORD_OVER_SNDBUF	(1 << 20)

/* socket() */
FIXTURE_VARIANT_ADD(bad_input, socket_rdm) {
	.op = OP_SOCKET, .type = SOCK_RDM, .err = ESOCKTNOSUPPORT };
FIXTURE_VARIANT_ADD(bad_input, socket_raw) {
	.op = OP_SOCKET, .type = SOCK_RAW, .err = ESOCKTNOSUPPORT };
FIXTURE_VARIANT_ADD(bad_input, socket_protocol_not_zero) {
	.op = OP_SOCKET, STREAM, .arg = 1, .err = EPROTONOSUPPORT };

/* bind(): address length and fields */
FIXTURE_VARIANT_ADD(bad_input, bind_addrlen_zero) {
	.op = OP_BIND, STREAM, .addrlen = 0, .port = P_NOBODY, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, bind_addrlen_short) {
	.op = OP_BIND, STREAM, .addrlen = ADDR_LEN - 1, .port = P_NOBODY, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, bind_addrlen_family_only) {
	.op = OP_BIND, DGRAM, .addrlen = 2, .port = P_NOBODY, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, bind_addrlen_over_sockaddr_storage) {
	.op = OP_BIND, STREAM, .addrlen = 4096, .port = P_NOBODY, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, bind_addrlen_negative) {
	.op = OP_BIND, STREAM, .addrlen = -1, .port = P_NOBODY, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, bind_address_unmapped) {
	.op = OP_BIND, STREAM, .addrlen = ADDR_LEN, .bad_ptr = true, .err = EFAULT };
FIXTURE_VARIANT_ADD(bad_input, bind_family_inet) {
	.op = OP_BIND, STREAM, .addrlen = ADDR_LEN, .addr_family = AF_INET,
	.port = P_NOBODY, .err = EAFNOSUPPORT };
FIXTURE_VARIANT_ADD(bad_input, bind_family_unspec) {
	.op = OP_BIND, DGRAM, .addrlen = ADDR_LEN, .addr_family = -1,
	.port = P_NOBODY, .err = EAFNOSUPPORT };
FIXTURE_VARIANT_ADD(bad_input, bind_reserved_field_set) {
	.op = OP_BIND, STREAM, .addrlen = ADDR_LEN, .reserved = 1,
	.port = P_NOBODY, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, bind_port_zero) {
	.op = OP_BIND, DGRAM, .addrlen = ADDR_LEN, .port = P_ZERO, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, bind_port_taken) {
	.op = OP_BIND, STREAM, .addrlen = ADDR_LEN, .port = P_HELPER, .err = EADDRINUSE };
FIXTURE_VARIANT_ADD(bad_input, bind_when_bound) {
	.op = OP_BIND, DGRAM, .prep = BOUND, .addrlen = ADDR_LEN,
	.port = P_NOBODY, .err = EINVAL };

/* connect() */
FIXTURE_VARIANT_ADD(bad_input, connect_addrlen_short) {
	.op = OP_CONNECT, STREAM, .addrlen = ADDR_LEN - 1, .port = P_HELPER, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, connect_address_unmapped) {
	.op = OP_CONNECT, STREAM, .addrlen = ADDR_LEN, .bad_ptr = true, .err = EFAULT };
FIXTURE_VARIANT_ADD(bad_input, connect_family_inet) {
	.op = OP_CONNECT, STREAM, .addrlen = ADDR_LEN, .addr_family = AF_INET,
	.port = P_HELPER, .err = EAFNOSUPPORT };
FIXTURE_VARIANT_ADD(bad_input, connect_reserved_field_set) {
	.op = OP_CONNECT, STREAM, .addrlen = ADDR_LEN, .reserved = 7,
	.port = P_HELPER, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, connect_port_zero) {
	.op = OP_CONNECT, STREAM, .addrlen = ADDR_LEN, .port = P_ZERO, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, connect_to_nobody) {
	.op = OP_CONNECT, STREAM, .addrlen = ADDR_LEN, .port = P_NOBODY, .err = ECONNREFUSED };
FIXTURE_VARIANT_ADD(bad_input, connect_when_connected) {
	.op = OP_CONNECT, STREAM, .prep = CONNECTED, .addrlen = ADDR_LEN,
	.port = P_HELPER, .err = EISCONN };
FIXTURE_VARIANT_ADD(bad_input, connect_a_listener) {
	.op = OP_CONNECT, STREAM, .prep = LISTENING, .addrlen = ADDR_LEN,
	.port = P_HELPER, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, dgram_connect_port_zero) {
	.op = OP_CONNECT, DGRAM, .addrlen = ADDR_LEN, .port = P_ZERO, .err = EINVAL };

/* listen(), accept(), shutdown() */
FIXTURE_VARIANT_ADD(bad_input, listen_unbound) {
	.op = OP_LISTEN, STREAM, .arg = 8, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, listen_connected) {
	.op = OP_LISTEN, STREAM, .prep = CONNECTED, .arg = 8, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, listen_dgram) {
	.op = OP_LISTEN, DGRAM, .prep = BOUND, .arg = 8, .err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, accept_not_listening) {
	.op = OP_ACCEPT, STREAM, .prep = BOUND, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, accept_dgram) {
	.op = OP_ACCEPT, DGRAM, .prep = BOUND, .err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, shutdown_how_out_of_range) {
	.op = OP_SHUTDOWN, STREAM, .prep = CONNECTED, .arg = 3, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, shutdown_how_negative) {
	.op = OP_SHUTDOWN, DGRAM, .prep = CONNECTED, .arg = -1, .err = EINVAL };

/* send and receive */
FIXTURE_VARIANT_ADD(bad_input, send_unconnected_stream) {
	.op = OP_SENDTO, STREAM, .arg = 1, .err = ENOTCONN };
FIXTURE_VARIANT_ADD(bad_input, sendto_address_on_connected_stream) {
	.op = OP_SENDTO, STREAM, .prep = CONNECTED, .addrlen = ADDR_LEN,
	.port = P_HELPER, .arg = 1, .err = EISCONN };
FIXTURE_VARIANT_ADD(bad_input, send_oob) {
	.op = OP_SENDTO, STREAM, .prep = CONNECTED, .flags = MSG_OOB, .arg = 1,
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, send_buffer_unmapped) {
	.op = OP_SENDTO, STREAM, .prep = CONNECTED, .bad_ptr = true, .arg = 100,
	.err = EFAULT };
FIXTURE_VARIANT_ADD(bad_input, recv_buffer_unmapped) {
	.op = OP_RECV, STREAM, .prep = CONNECTED, .bad_ptr = true, .arg = 100,
	.err = EFAULT };
FIXTURE_VARIANT_ADD(bad_input, recv_oob) {
	.op = OP_RECV, STREAM, .prep = CONNECTED, .flags = MSG_OOB, .arg = 1,
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, sendmsg_iovec_array_unmapped) {
	.op = OP_SENDMSG, STREAM, .prep = CONNECTED, .bad_ptr = true, .arg = 1,
	.err = EFAULT };
FIXTURE_VARIANT_ADD(bad_input, sendmsg_too_many_iovecs) {
	.op = OP_SENDMSG, STREAM, .prep = CONNECTED, .arg = UIO_MAXIOV + 1,
	.err = EMSGSIZE };
FIXTURE_VARIANT_ADD(bad_input, dgram_send_without_destination) {
	.op = OP_SENDTO, DGRAM, .arg = 1, .err = EDESTADDRREQ };
FIXTURE_VARIANT_ADD(bad_input, dgram_sendto_addrlen_short) {
	.op = OP_SENDTO, DGRAM, .addrlen = ADDR_LEN - 2, .port = P_HELPER,
	.arg = 1, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, dgram_sendto_family_inet) {
	.op = OP_SENDTO, DGRAM, .addrlen = ADDR_LEN, .addr_family = AF_INET,
	.port = P_HELPER, .arg = 1, .err = EAFNOSUPPORT };
FIXTURE_VARIANT_ADD(bad_input, dgram_sendto_nobody) {
	.op = OP_SENDTO, DGRAM, .addrlen = ADDR_LEN, .port = P_NOBODY, .arg = 1,
	.err = ECONNREFUSED };
FIXTURE_VARIANT_ADD(bad_input, dgram_over_toy_dgram_max) {
	.op = OP_SENDTO, DGRAM, .prep = CONNECTED, .arg = TOY_DGRAM_MAX + 1,
	.err = EMSGSIZE };
FIXTURE_VARIANT_ADD(bad_input, dgram_send_oob) {
	.op = OP_SENDTO, DGRAM, .prep = CONNECTED, .flags = MSG_OOB, .arg = 1,
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, seqpacket_record_over_sndbuf) {
	.op = OP_SENDTO, SEQPACKET, .prep = CONNECTED, .arg = RECORD_OVER_SNDBUF,
	.err = EMSGSIZE };
FIXTURE_VARIANT_ADD(bad_input, seqpacket_send_unconnected) {
	.op = OP_SENDTO, SEQPACKET, .arg = 1, .err = ENOTCONN };
FIXTURE_VARIANT_ADD(bad_input, seqpacket_send_oob) {
	.op = OP_SENDTO, SEQPACKET, .prep = CONNECTED, .flags = MSG_OOB,
	.arg = 1, .err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, seqpacket_send_buffer_unmapped) {
	.op = OP_SENDTO, SEQPACKET, .prep = CONNECTED, .bad_ptr = true,
	.arg = 100, .err = EFAULT };
FIXTURE_VARIANT_ADD(bad_input, seqpacket_recv_buffer_unmapped) {
	.op = OP_RECV, SEQPACKET, .prep = CONNECTED, .bad_ptr = true,
	.arg = 100, .err = EFAULT };
FIXTURE_VARIANT_ADD(bad_input, seqpacket_connect_a_listener) {
	.op = OP_CONNECT, SEQPACKET, .prep = LISTENING, .addrlen = ADDR_LEN,
	.port = P_HELPER, .err = EINVAL };

/* ioctl() and socket options */
FIXTURE_VARIANT_ADD(bad_input, ioctl_unknown) {
	.op = OP_IOCTL, STREAM, .prep = CONNECTED, .arg = 0x5401, .err = ENOTTY };
FIXTURE_VARIANT_ADD(bad_input, siocinq_on_listener) {
	.op = OP_IOCTL, STREAM, .prep = LISTENING, .arg = SIOCINQ, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, setsockopt_optlen_short) {
	.op = OP_SETSOCKOPT, STREAM, .level = SOL_SOCKET, .optname = SO_RCVBUF,
	.optlen = 2, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, setsockopt_optval_unmapped) {
	.op = OP_SETSOCKOPT, DGRAM, .level = SOL_SOCKET, .optname = SO_SNDBUF,
	.optlen = 4, .bad_ptr = true, .err = EFAULT };
FIXTURE_VARIANT_ADD(bad_input, setsockopt_unknown_name) {
	.op = OP_SETSOCKOPT, STREAM, .level = SOL_SOCKET, .optname = 9999,
	.optlen = 4, .err = ENOPROTOOPT };
FIXTURE_VARIANT_ADD(bad_input, setsockopt_family_level) {
	.op = OP_SETSOCKOPT, STREAM, .level = 25, .optname = 1, .optlen = 4,
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, setsockopt_zerocopy_not_0_or_1) {
	.op = OP_SETSOCKOPT, STREAM, .level = SOL_TOY, .optname = TOY_ZEROCOPY,
	.optlen = 4, .arg = 2, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, setsockopt_zerocopy_optlen_short) {
	.op = OP_SETSOCKOPT, STREAM, .level = SOL_TOY, .optname = TOY_ZEROCOPY,
	.optlen = 2, .arg = 1, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, setsockopt_sol_toy_unknown_name) {
	.op = OP_SETSOCKOPT, STREAM, .level = SOL_TOY, .optname = 99,
	.optlen = 4, .err = ENOPROTOOPT };
FIXTURE_VARIANT_ADD(bad_input, setsockopt_zerocopy_on_dgram) {
	.op = OP_SETSOCKOPT, DGRAM, .level = SOL_TOY, .optname = TOY_ZEROCOPY,
	.optlen = 4, .arg = 1, .err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, setsockopt_zerocopy_on_seqpacket) {
	.op = OP_SETSOCKOPT, SEQPACKET, .level = SOL_TOY,
	.optname = TOY_ZEROCOPY, .optlen = 4, .arg = 1, .err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, getsockopt_sol_toy_unknown_name) {
	.op = OP_GETSOCKOPT, STREAM, .level = SOL_TOY, .optname = 99,
	.optlen = 4, .err = ENOPROTOOPT };
FIXTURE_VARIANT_ADD(bad_input, getsockopt_optlen_unmapped) {
	.op = OP_GETSOCKOPT, STREAM, .level = SOL_SOCKET, .optname = SO_TYPE,
	.bad_ptr = true, .err = EFAULT };
FIXTURE_VARIANT_ADD(bad_input, getsockopt_optlen_negative) {
	.op = OP_GETSOCKOPT, DGRAM, .level = SOL_SOCKET, .optname = SO_TYPE,
	.optlen = -1, .err = EINVAL };

/* the "af_toy" generic netlink family */
FIXTURE_VARIANT_ADD(bad_input, netlink_unknown_command) {
	.op = OP_NETLINK, .arg = TOY_CMD_MAX + 1, .flags = NLM_F_ACK,
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, netlink_sock_get_as_do) {
	.op = OP_NETLINK, .arg = TOY_CMD_SOCK_GET, .flags = NLM_F_ACK,
	.err = EOPNOTSUPP };
FIXTURE_VARIANT_ADD(bad_input, netlink_type_of_wrong_length) {
	.op = OP_NETLINK, .arg = TOY_CMD_SOCK_GET, .flags = NLM_F_DUMP,
	.optname = TOY_SOCK_A_TYPE, .optlen = 4, .level = SOCK_STREAM, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, netlink_type_out_of_range) {
	.op = OP_NETLINK, .arg = TOY_CMD_SOCK_GET, .flags = NLM_F_DUMP,
	.optname = TOY_SOCK_A_TYPE, .optlen = 2, .level = SOCK_PACKET,
	.err = ERANGE };
FIXTURE_VARIANT_ADD(bad_input, netlink_type_in_range_but_no_type) {
	.op = OP_NETLINK, .arg = TOY_CMD_SOCK_GET, .flags = NLM_F_DUMP,
	.optname = TOY_SOCK_A_TYPE, .optlen = 2, .level = SOCK_RAW,
	.err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, netlink_reply_only_attribute) {
	.op = OP_NETLINK, .arg = TOY_CMD_SOCK_GET, .flags = NLM_F_DUMP,
	.optname = TOY_SOCK_A_COOKIE, .optlen = 8, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, netlink_attribute_on_stats_get) {
	.op = OP_NETLINK, .arg = TOY_CMD_STATS_GET, .flags = NLM_F_ACK,
	.optname = TOY_STATS_A_FAMILY, .optlen = 4, .err = EINVAL };
/* the datagram impairments (impairments.md); the test is root */
FIXTURE_VARIANT_ADD(bad_input, netlink_impair_loss_above_one) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_SET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_LOSS, .optlen = 4, .level = TOY_IMPAIR_PPM + 1,
	.err = ERANGE };
FIXTURE_VARIANT_ADD(bad_input, netlink_impair_loss_of_wrong_length) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_SET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_LOSS, .optlen = 2, .level = 1, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, netlink_impair_delay_negative) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_SET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_DELAY, .optlen = 4, .level = -1, .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_input, netlink_impair_delay_above_10_s) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_SET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_DELAY, .optlen = 4,
	.level = TOY_IMPAIR_DELAY_MAX + 1, .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_input, netlink_impair_jitter_above_the_delay) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_SET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_JITTER, .optlen = 4, .level = 1, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, netlink_impair_reorder_without_a_delay) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_SET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_REORDER, .optlen = 4, .level = 1, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, netlink_impair_limit_above_the_maximum) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_SET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_LIMIT, .optlen = 4,
	.level = TOY_IMPAIR_LIMIT_MAX + 1, .err = ERANGE };
FIXTURE_VARIANT_ADD(bad_input, netlink_impair_held_set) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_SET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_HELD, .optlen = 4, .level = 1, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, netlink_impair_unknown_attribute) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_SET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_MAX + 1, .optlen = 4, .level = 1, .err = EINVAL };
FIXTURE_VARIANT_ADD(bad_input, netlink_attribute_on_impair_get) {
	.op = OP_NETLINK, .arg = TOY_CMD_IMPAIR_GET, .flags = NLM_F_ACK,
	.optname = TOY_IMPAIR_A_LOSS, .optlen = 4, .level = 1, .err = EINVAL };

FIXTURE_SETUP(bad_input)
{
	self->fd = self->helper = self->peer = -1;
	self->family = toy_family();
	if (self->family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			      -1, 0);
	ASSERT_NE(MAP_FAILED, self->unmapped);
	if (variant->op == OP_SOCKET || variant->op == OP_NETLINK)
		return;

	/* the helper: a bound socket of the type, listening for a stream */
	self->port = test_port();
	self->helper = toy_socket_bound(self->family, variant->type, self->port);
	ASSERT_LE(0, self->helper);
	if (variant->type != SOCK_DGRAM)
		ASSERT_EQ(0, listen(self->helper, 8));

	self->fd = socket(self->family, variant->type, 0);
	ASSERT_LE(0, self->fd);
	if (variant->prep == BOUND || variant->prep == LISTENING ||
	    (variant->prep == CONNECTED && variant->type == SOCK_DGRAM)) {
		close(self->fd);
		self->fd = toy_socket_bound(self->family, variant->type,
					    self->port + 1);
		ASSERT_LE(0, self->fd);
	}
	if (variant->prep == LISTENING)
		ASSERT_EQ(0, listen(self->fd, 8));
	if (variant->prep == CONNECTED) {
		ASSERT_EQ(0, toy_connect_port(self->fd, self->family, self->port));
		if (variant->type == SOCK_DGRAM) {
			ASSERT_EQ(0, toy_connect_port(self->helper, self->family,
						      self->port + 1));
			self->peer = dup(self->helper);
		} else {
			self->peer = accept(self->helper, NULL, NULL);
		}
		ASSERT_LE(0, self->peer);
	}
}

FIXTURE_TEARDOWN(bad_input)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->helper >= 0)
		close(self->helper);
	if (self->peer >= 0)
		close(self->peer);
}

/* The row's address in @a; returns its length. */
static socklen_t row_addr(FIXTURE_DATA(bad_input) *self,
			  const FIXTURE_VARIANT(bad_input) *v,
			  struct sockaddr_storage *a)
{
	struct sockaddr_toy *st = (struct sockaddr_toy *)a;

	memset(a, 0, sizeof(*a));
	st->stoy_family = v->addr_family < 0 ? AF_UNSPEC :
			  v->addr_family ? v->addr_family : self->family;
	st->stoy_reserved = v->reserved;
	switch (v->port) {
	case P_HELPER:
		st->stoy_port = self->port;
		break;
	case P_NOBODY:
		st->stoy_port = self->port + 2;
		break;
	case P_ZERO:
		st->stoy_port = 0;
		break;
	case P_ANY:
		st->stoy_port = TOY_PORT_ANY;
		break;
	default:
		st->stoy_port = v->port;
	}
	return v->addrlen;
}

/* The netlink row: a request with at most one attribute; its errno. */
static int netlink_row(const FIXTURE_VARIANT(bad_input) *v)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct toy_genl g;
	uint64_t value = v->level;
	int err;

	if (toy_genl_open(&g))
		return -1;
	nlh = toy_genl_request(&g, buf, v->arg, v->flags);
	if (v->optname)
		mnl_attr_put(nlh, v->optname, v->optlen, &value);
	err = toy_genl_talk(&g, nlh, NULL, NULL) ? errno : 0;
	toy_genl_close(&g);
	return err;
}

/* Make the row's call; returns 0 when it succeeded, else its errno. */
static int row_call(FIXTURE_DATA(bad_input) *self,
		    const FIXTURE_VARIANT(bad_input) *v)
{
	static char data[RECORD_OVER_SNDBUF];
	struct sockaddr_storage a;
	void *bad = self->unmapped;
	socklen_t len = row_addr(self, v, &a);
	struct msghdr msg = {};
	struct iovec *iov;
	int value = 0, fd;
	socklen_t optlen;
	ssize_t ret;

	errno = 0;
	switch (v->op) {
	case OP_SOCKET:
		fd = socket(self->family, v->type, v->arg);
		if (fd >= 0)
			close(fd);
		return fd < 0 ? errno : 0;
	case OP_BIND:
		return bind(self->fd, v->bad_ptr ? bad : (void *)&a, len) ? errno : 0;
	case OP_CONNECT:
		return connect(self->fd, v->bad_ptr ? bad : (void *)&a, len) ? errno : 0;
	case OP_SENDTO:
		ret = sendto(self->fd, v->bad_ptr ? bad : data, v->arg,
			     v->flags | MSG_NOSIGNAL, len ? (void *)&a : NULL, len);
		return ret < 0 ? errno : 0;
	case OP_RECV:
		/* something to read, so that only the row's fault can fail it */
		if (send(self->peer, "x", 1, 0) != 1)
			return -1;
		ret = recv(self->fd, v->bad_ptr ? bad : data, v->arg,
			   v->flags | MSG_DONTWAIT);
		return ret < 0 ? errno : 0;
	case OP_SENDMSG:
		iov = calloc(v->arg, sizeof(*iov));
		if (!iov)
			return -1;
		iov[0].iov_base = data;
		iov[0].iov_len = 1;
		msg.msg_iov = v->bad_ptr ? bad : iov;
		msg.msg_iovlen = v->arg;
		ret = sendmsg(self->fd, &msg, MSG_NOSIGNAL);
		free(iov);
		return ret < 0 ? errno : 0;
	case OP_LISTEN:
		return listen(self->fd, v->arg) ? errno : 0;
	case OP_ACCEPT:
		fd = accept4(self->fd, NULL, NULL, SOCK_NONBLOCK);
		if (fd >= 0)
			close(fd);
		return fd < 0 ? errno : 0;
	case OP_SHUTDOWN:
		return shutdown(self->fd, v->arg) ? errno : 0;
	case OP_IOCTL:
		return ioctl(self->fd, v->arg, &value) ? errno : 0;
	case OP_SETSOCKOPT:
		value = v->arg;
		return setsockopt(self->fd, v->level, v->optname,
				  v->bad_ptr ? bad : (void *)&value, v->optlen) ? errno : 0;
	case OP_GETSOCKOPT:
		optlen = v->optlen;
		return getsockopt(self->fd, v->level, v->optname, &value,
				  v->bad_ptr ? bad : (void *)&optlen) ? errno : 0;
	case OP_NETLINK:
		return netlink_row(v);
	}
	return -1;
}

/* A connected socket still carries data both ways, in order. */
static void expect_working(struct __test_metadata *_metadata,
			   FIXTURE_DATA(bad_input) *self)
{
	char buf[4] = "ab", got[4] = {};

	ASSERT_EQ(2, send(self->fd, buf, 2, 0));
	EXPECT_EQ(2, recv(self->peer, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(buf, got, 2));
	ASSERT_EQ(2, send(self->peer, buf, 2, 0));
	EXPECT_EQ(2, recv(self->fd, got, sizeof(got), 0));
	EXPECT_EQ(0, memcmp(buf, got, 2));
}

/*
 * The row's errno; and a refused call changes nothing: a connected socket
 * still works (unless the row itself read from it or shut it down).
 */
TEST_F(bad_input, gets_its_errno_and_changes_nothing)
{
	int err = row_call(self, variant);

	EXPECT_EQ(variant->err, err)
		TH_LOG("expected %s, got %s", strerror(variant->err),
		       err > 0 ? strerror(err) : "success");
	if (variant->prep == CONNECTED && variant->op != OP_SHUTDOWN &&
	    variant->op != OP_RECV)
		expect_working(_metadata, self);
}

TEST_HARNESS_MAIN
