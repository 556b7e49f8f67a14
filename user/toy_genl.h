/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small libmnl client of the "af_toy" generic netlink family, shared by
 * toystat and the selftests: it resolves the family through the genetlink
 * controller, asks for extended acks, and turns the replies into plain
 * arrays indexed by attribute number (every attribute of the family is an
 * integer).
 */
#ifndef TOY_GENL_H
#define TOY_GENL_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/af_toy.h>

struct mnl_socket;
struct nlmsghdr;

/**
 * struct toy_genl - a netlink socket talking to the "af_toy" family
 * @nl: the libmnl socket
 * @portid: its netlink port id
 * @family_id: the family's id, from the genetlink controller
 * @seq: sequence number of the last request
 * @events_group: id of the family's "events" multicast group, 0 when
 *	the module has none
 * @errmsg: the kernel's extended ack message for the last error, or ""
 */
struct toy_genl {
	struct mnl_socket *nl;
	unsigned int portid;
	uint16_t family_id;
	uint32_t seq;
	uint32_t events_group;
	char errmsg[256];
};

/**
 * struct toy_type_stats - counters of one type (&enum toy_type_attr)
 * @val: the value of each attribute, by attribute number
 * @has: whether the reply carried the attribute
 */
struct toy_type_stats {
	uint64_t val[TOY_TYPE_A_MAX + 1];
	bool has[TOY_TYPE_A_MAX + 1];
};

/**
 * struct toy_stats - a %TOY_CMD_STATS_GET reply
 * @family: the address family number in use
 * @stream: the SOCK_STREAM counters
 * @dgram: the SOCK_DGRAM counters
 * @seqpacket: the SOCK_SEQPACKET counters
 */
struct toy_stats {
	uint32_t family;
	struct toy_type_stats stream;
	struct toy_type_stats dgram;
	struct toy_type_stats seqpacket;
};

/**
 * struct toy_sock_info - one socket of a %TOY_CMD_SOCK_GET dump
 * @val: the value of each attribute (&enum toy_sock_attr)
 * @has: whether the message carried the attribute
 * @intr: the message had NLM_F_DUMP_INTR: the list changed under the dump
 */
struct toy_sock_info {
	uint64_t val[TOY_SOCK_A_MAX + 1];
	bool has[TOY_SOCK_A_MAX + 1];
	bool intr;
};

/*
 * toy_genl_open() - open a netlink socket and resolve the family.
 *
 * Returns 0, or -1 with errno: ENOENT when no "af_toy" family is registered
 * (the module is not loaded), or the error of the socket calls.
 */
int toy_genl_open(struct toy_genl *g);
void toy_genl_close(struct toy_genl *g);

/*
 * toy_genl_request() - start a request for @cmd in @buf (MNL_SOCKET_BUFFER_SIZE
 * bytes); attributes may be appended with mnl_attr_put_*().
 */
struct nlmsghdr *toy_genl_request(struct toy_genl *g, void *buf, uint8_t cmd,
				  uint16_t flags);

/*
 * toy_genl_talk() - send @nlh and run @cb on every reply message until the
 * final ack, NLMSG_DONE or an error.
 *
 * Returns 0, or -1 with errno set to the kernel's error (its extended ack
 * message, if any, in g->errmsg) or to the error of a socket call, or to
 * EPROTO for a malformed reply.
 */
int toy_genl_talk(struct toy_genl *g, struct nlmsghdr *nlh,
		  int (*cb)(const struct nlmsghdr *nlh, void *data),
		  void *data);

/* TOY_CMD_STATS_GET into @stats. Returns 0 or -1 as toy_genl_talk(). */
int toy_stats_get(struct toy_genl *g, struct toy_stats *stats);

/* TOY_CMD_STATS_RESET. Returns 0 or -1 as toy_genl_talk(). */
int toy_stats_reset(struct toy_genl *g);

/**
 * struct toy_impair - the datagram impairments of a namespace
 * @loss: probability of a loss, in millionths
 * @duplicate: probability of a duplicate, in millionths
 * @reorder: probability that a datagram skips the delay, in millionths
 * @delay_us: how long each datagram is held back, in microseconds
 * @jitter_us: the delay's spread either way, in microseconds
 * @held: get only: datagrams held back now
 * @limit: the most datagrams held back at once (0 on set: the default)
 * @seed: the seed of the draws (0 on set: the kernel picks one)
 */
struct toy_impair {
	uint32_t loss;
	uint32_t duplicate;
	uint32_t reorder;
	uint32_t delay_us;
	uint32_t jitter_us;
	uint32_t held;
	uint32_t limit;
	uint64_t seed;
};

/* TOY_CMD_IMPAIR_GET into @imp. Returns 0 or -1 as toy_genl_talk(). */
int toy_impair_get(struct toy_genl *g, struct toy_impair *imp);

/* TOY_CMD_IMPAIR_SET to @imp (all zero clears). As toy_genl_talk(). */
int toy_impair_set(struct toy_genl *g, const struct toy_impair *imp);

/*
 * toy_sock_dump() - TOY_CMD_SOCK_GET, calling @cb for each socket.
 * @type: only sockets of this type, or 0 for all
 * @port: only sockets with this local port, or -1 for all
 *
 * @cb returns 0 to go on; a non-zero return is kept and stops the calls
 * (the dump is still read to its end). Returns 0 or -1 as toy_genl_talk().
 */
int toy_sock_dump(struct toy_genl *g, int type, int64_t port,
		  int (*cb)(const struct toy_sock_info *sock, void *data),
		  void *data);

/*
 * toy_events_join() - join the "events" multicast group; from then on the
 * socket receives a %TOY_CMD_SOCK_EVENT message for each event in its
 * network namespace.
 *
 * Returns 0, or -1 with errno: EOPNOTSUPP when the module has no events
 * group (an older af_toy.ko), or the error of setsockopt().
 */
int toy_events_join(struct toy_genl *g);

/*
 * toy_events_read() - wait up to @timeout_ms (-1: for ever) for events and
 * call @cb for each that arrived, as a struct toy_sock_info (the dump's
 * attributes and %TOY_SOCK_A_EVENT).
 *
 * @cb returns 0 to go on, non-zero to stop (returned). Returns 0 once all
 * that had arrived went to @cb, or the time ran out; -1 with errno: ENOBUFS when events were lost because
 * the socket's buffer was full (the next call goes on with what came
 * after), EINTR on a signal, EPROTO for a malformed message.
 */
int toy_events_read(struct toy_genl *g, int timeout_ms,
		    int (*cb)(const struct toy_sock_info *ev, void *data),
		    void *data);

#endif /* TOY_GENL_H */
