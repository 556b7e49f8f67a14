/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the selftests that read AF_TOY's generic netlink family
 * (netlink.c, toystat.c): AF_TOY sockets by port, connected pairs, and
 * finding one socket in a dump by its SO_COOKIE.
 *
 * Include after kselftest_harness.h.
 */
#ifndef TOY_SELFTEST_TOY_NL_H
#define TOY_SELFTEST_TOY_NL_H

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/af_toy.h>

#include "toy_family.h"
#include "toy_genl.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* An AF_TOY socket of @type bound to @port (TOY_PORT_ANY: any), or -1. */
static inline int toy_socket_bound(int family, int type, uint32_t port)
{
	struct sockaddr_toy addr = {
		.stoy_family = family,
		.stoy_port = port,
	};
	int fd = socket(family, type, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int toy_connect_port(int fd, int family, uint32_t port)
{
	struct sockaddr_toy addr = {
		.stoy_family = family,
		.stoy_port = port,
	};

	return connect(fd, (struct sockaddr *)&addr, sizeof(addr));
}

/* The local port of @fd, 0 when unbound or on error. */
static inline uint32_t toy_port_of(int fd)
{
	struct sockaddr_toy addr;
	socklen_t len = sizeof(addr);

	if (getsockname(fd, (struct sockaddr *)&addr, &len))
		return 0;
	return addr.stoy_port;
}

static inline uint64_t cookie_of(int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len);
	return cookie;
}

/*
 * toy_pair() - two connected AF_TOY sockets of @type in @fd[0] and @fd[1].
 * Stream, seqpacket: @fd[2] listens on @port, @fd[0] connected to it,
 * @fd[1] accepted.
 * Dgram: @fd[1] bound to @port, @fd[0] to @port + 1, each connected to the
 * other; @fd[2] is -1. Returns 0, or -1 with errno.
 */
static inline int toy_pair(int family, int type, uint32_t port, int fd[3])
{
	fd[0] = fd[1] = fd[2] = -1;
	if (type != SOCK_DGRAM) {
		fd[2] = toy_socket_bound(family, type, port);
		if (fd[2] < 0 || listen(fd[2], 8))
			return -1;
		fd[0] = socket(family, type, 0);
		if (fd[0] < 0 || toy_connect_port(fd[0], family, port))
			return -1;
		fd[1] = accept(fd[2], NULL, NULL);
		return fd[1] < 0 ? -1 : 0;
	}
	fd[1] = toy_socket_bound(family, SOCK_DGRAM, port);
	fd[0] = toy_socket_bound(family, SOCK_DGRAM, port + 1);
	if (fd[0] < 0 || fd[1] < 0)
		return -1;
	if (toy_connect_port(fd[0], family, port) ||
	    toy_connect_port(fd[1], family, port + 1))
		return -1;
	return 0;
}

/* toy_sock_find(): what a dump says about one socket, found by cookie. */
struct sock_find {
	uint64_t cookie;
	struct toy_sock_info info;
	unsigned int seen;	/* messages with that cookie */
	unsigned int total;	/* messages in the dump */
	bool intr;		/* some message had NLM_F_DUMP_INTR */
};

static inline int sock_find_cb(const struct toy_sock_info *sock, void *data)
{
	struct sock_find *find = data;

	find->total++;
	find->intr |= sock->intr;
	if (sock->val[TOY_SOCK_A_COOKIE] == find->cookie) {
		find->info = *sock;
		find->seen++;
	}
	return 0;
}

/* Dump the sockets of this namespace looking for @fd. Returns as the dump. */
static inline int toy_sock_find(struct toy_genl *g, int fd,
				struct sock_find *find)
{
	memset(find, 0, sizeof(*find));
	find->cookie = cookie_of(fd);
	return toy_sock_dump(g, 0, -1, sock_find_cb, find);
}

/* The counters of @type in @stats. */
static inline const struct toy_type_stats *
type_stats(const struct toy_stats *stats, int type)
{
	switch (type) {
	case SOCK_STREAM:
		return &stats->stream;
	case SOCK_SEQPACKET:
		return &stats->seqpacket;
	default:
		return &stats->dgram;
	}
}

/* The stream DIRECT_BYTES counter of the namespace, or -1. */
static inline int64_t toy_direct_bytes(struct toy_genl *g)
{
	struct toy_stats st;

	if (toy_stats_get(g, &st))
		return -1;
	return st.stream.val[TOY_TYPE_A_DIRECT_BYTES];
}

#endif /* TOY_SELFTEST_TOY_NL_H */
