/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY: tracepoints, events/af_toy/ in tracefs (trace.c creates them).
 *
 * Every event names its socket the way the netlink dump does: the cookie
 * of its network namespace (netns), the socket cookie (SO_COOKIE, the
 * dump's TOY_SOCK_A_COOKIE), its type and its local port. No kernel
 * address is recorded. A disabled event costs a static branch at its call
 * site; the fields, the cookie included, are only computed when the event
 * is enabled.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM af_toy

#if !defined(_AF_TOY_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _AF_TOY_TRACE_H

#include <linux/net.h>
#include <linux/tracepoint.h>
#include <net/sock.h>

#include "sock.h"

#ifndef _AF_TOY_TRACE_ENUMS
#define _AF_TOY_TRACE_ENUMS
/**
 * enum toy_trace_connect - how a connect() attempt ended, or waits
 * @TOY_CONNECT_QUEUED: the new connection is on the listener's queue
 * @TOY_CONNECT_REFUSED: nobody listens on the port (ECONNREFUSED)
 * @TOY_CONNECT_BACKLOG_FULL: the backlog is full and the caller may not
 *	wait (EAGAIN)
 * @TOY_CONNECT_WAITING: the backlog is full; the caller sleeps for room
 * @TOY_CONNECT_TIMED_OUT: it slept until SO_SNDTIMEO ran out (EAGAIN)
 * @TOY_CONNECT_FAILED: any other error (a signal, EISCONN, ...)
 * @TOY_CONNECT_DEST_SET: dgram: the default destination is set
 * @TOY_CONNECT_DEST_CLEARED: dgram: AF_UNSPEC dissolved it
 * @TOY_CONNECT_PAIRED: socketpair() connected it to a new peer
 */
enum toy_trace_connect {
	TOY_CONNECT_QUEUED,
	TOY_CONNECT_REFUSED,
	TOY_CONNECT_BACKLOG_FULL,
	TOY_CONNECT_WAITING,
	TOY_CONNECT_TIMED_OUT,
	TOY_CONNECT_FAILED,
	TOY_CONNECT_DEST_SET,
	TOY_CONNECT_DEST_CLEARED,
	TOY_CONNECT_PAIRED,
};

/* why a datagram was dropped: enum toy_drop_reason, in the uapi header */

/**
 * enum toy_trace_impair - what the impairments did to a datagram, but lose
 *	it (that is toy_drop, reason impair)
 * @TOY_IMPAIR_DUPLICATED: a copy follows it
 * @TOY_IMPAIR_REORDERED: it skipped the delay, ahead of those held back
 * @TOY_IMPAIR_HELD: held back for @delay_us
 * @TOY_IMPAIR_DUE: held back, it is due and is delivered now
 */
enum toy_trace_impair {
	TOY_IMPAIR_DUPLICATED,
	TOY_IMPAIR_REORDERED,
	TOY_IMPAIR_HELD,
	TOY_IMPAIR_DUE,
};
#endif

TRACE_DEFINE_ENUM(TOY_CONNECT_QUEUED);
TRACE_DEFINE_ENUM(TOY_CONNECT_REFUSED);
TRACE_DEFINE_ENUM(TOY_CONNECT_BACKLOG_FULL);
TRACE_DEFINE_ENUM(TOY_CONNECT_WAITING);
TRACE_DEFINE_ENUM(TOY_CONNECT_TIMED_OUT);
TRACE_DEFINE_ENUM(TOY_CONNECT_FAILED);
TRACE_DEFINE_ENUM(TOY_CONNECT_DEST_SET);
TRACE_DEFINE_ENUM(TOY_CONNECT_DEST_CLEARED);
TRACE_DEFINE_ENUM(TOY_CONNECT_PAIRED);
TRACE_DEFINE_ENUM(TOY_DROP_RCVBUF);
TRACE_DEFINE_ENUM(TOY_DROP_CLOSED);
TRACE_DEFINE_ENUM(TOY_DROP_IMPAIR);
TRACE_DEFINE_ENUM(TOY_DROP_UNREACHABLE);
TRACE_DEFINE_ENUM(TOY_DROP_HOLD_FULL);
TRACE_DEFINE_ENUM(TOY_IMPAIR_DUPLICATED);
TRACE_DEFINE_ENUM(TOY_IMPAIR_REORDERED);
TRACE_DEFINE_ENUM(TOY_IMPAIR_HELD);
TRACE_DEFINE_ENUM(TOY_IMPAIR_DUE);
TRACE_DEFINE_ENUM(TCP_ESTABLISHED);
TRACE_DEFINE_ENUM(TCP_CLOSE);
TRACE_DEFINE_ENUM(TCP_LISTEN);

#define toy_show_type(t)						\
	__print_symbolic(t, { SOCK_STREAM, "stream" },			\
			 { SOCK_DGRAM, "dgram" },			\
			 { SOCK_SEQPACKET, "seqpacket" })

#define toy_show_state(s)						\
	__print_symbolic(s, { TCP_ESTABLISHED, "connected" },		\
			 { TCP_CLOSE, "unconnected" },			\
			 { TCP_LISTEN, "listen" })

#define toy_show_connect(o)						\
	__print_symbolic(o, { TOY_CONNECT_QUEUED, "queued" },		\
			 { TOY_CONNECT_REFUSED, "refused" },		\
			 { TOY_CONNECT_BACKLOG_FULL, "backlog_full" },	\
			 { TOY_CONNECT_WAITING, "waiting" },		\
			 { TOY_CONNECT_TIMED_OUT, "timed_out" },	\
			 { TOY_CONNECT_FAILED, "failed" },		\
			 { TOY_CONNECT_DEST_SET, "dest_set" },		\
			 { TOY_CONNECT_DEST_CLEARED, "dest_cleared" },	\
			 { TOY_CONNECT_PAIRED, "paired" })

#define toy_show_drop(r)						\
	__print_symbolic(r, { TOY_DROP_RCVBUF, "rcvbuf" },		\
			 { TOY_DROP_CLOSED, "closed" },			\
			 { TOY_DROP_IMPAIR, "impair" },			\
			 { TOY_DROP_UNREACHABLE, "unreachable" },	\
			 { TOY_DROP_HOLD_FULL, "hold_full" })

#define toy_show_impair(a)						\
	__print_symbolic(a, { TOY_IMPAIR_DUPLICATED, "duplicated" },	\
			 { TOY_IMPAIR_REORDERED, "reordered" },		\
			 { TOY_IMPAIR_HELD, "held" },			\
			 { TOY_IMPAIR_DUE, "due" })

/* The fields that name a socket, first in every event. */
#define TOY_TP_SOCK_ENTRY						\
	__field(u64, netns)						\
	__field(u64, cookie)						\
	__field(u16, type)						\
	__field(u32, port)

#define TOY_TP_SOCK_ASSIGN(sk)	do {					\
	struct sock *__sk = (sk);					\
									\
	__entry->netns = sock_net(__sk)->net_cookie;			\
	__entry->cookie = toy_sock_cookie(__sk);			\
	__entry->type = __sk->sk_type;					\
	__entry->port = READ_ONCE(toy_sk(__sk)->port);			\
} while (0)

#define TOY_TP_SOCK_FMT		"netns=%llu cookie=%llu type=%s port=%u"
#define TOY_TP_SOCK_ARGS						\
	__entry->netns, __entry->cookie, toy_show_type(__entry->type),	\
	__entry->port

/* toy_create: a sock was allocated, by socket(2) or for a connection. */
TRACE_EVENT(toy_create,
	TP_PROTO(struct sock *sk, bool accepted),
	TP_ARGS(sk, accepted),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(bool, accepted)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->accepted = accepted;
	),
	TP_printk(TOY_TP_SOCK_FMT " accepted=%d", TOY_TP_SOCK_ARGS,
		  __entry->accepted)
);

/* toy_release: closed, @unread bytes or datagrams left unread. */
TRACE_EVENT(toy_release,
	TP_PROTO(struct sock *sk, u32 unread),
	TP_ARGS(sk, unread),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u32, unread)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->unread = unread;
	),
	TP_printk(TOY_TP_SOCK_FMT " unread=%u", TOY_TP_SOCK_ARGS,
		  __entry->unread)
);

/* toy_bind: asked for @asked (TOY_PORT_ANY: any, 0: autobind), got port or @err. */
TRACE_EVENT(toy_bind,
	TP_PROTO(struct sock *sk, u32 asked, int err),
	TP_ARGS(sk, asked, err),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u32, asked)
		__field(int, err)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->asked = asked;
		__entry->err = err;
	),
	TP_printk(TOY_TP_SOCK_FMT " asked=%u autobind=%d err=%d",
		  TOY_TP_SOCK_ARGS, __entry->asked, !__entry->asked,
		  __entry->err)
);

/* toy_listen: with @backlog (after somaxconn). */
TRACE_EVENT(toy_listen,
	TP_PROTO(struct sock *sk, int backlog),
	TP_ARGS(sk, backlog),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(int, backlog)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->backlog = backlog;
	),
	TP_printk(TOY_TP_SOCK_FMT " backlog=%d", TOY_TP_SOCK_ARGS,
		  __entry->backlog)
);

/* toy_connect: to @peer, with &enum toy_trace_connect @outcome and @err. */
TRACE_EVENT(toy_connect,
	TP_PROTO(struct sock *sk, u32 peer, int outcome, int err),
	TP_ARGS(sk, peer, outcome, err),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u32, peer)
		__field(int, outcome)
		__field(int, err)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->peer = peer;
		__entry->outcome = outcome;
		__entry->err = err;
	),
	TP_printk(TOY_TP_SOCK_FMT " peer=%u outcome=%s err=%d",
		  TOY_TP_SOCK_ARGS, __entry->peer,
		  toy_show_connect(__entry->outcome), __entry->err)
);

/* toy_accept: listener @sk handed over connection @newsk (its cookie: child). */
TRACE_EVENT(toy_accept,
	TP_PROTO(struct sock *sk, struct sock *newsk),
	TP_ARGS(sk, newsk),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u64, child)
		__field(u32, peer)
	),
	TP_fast_assign(
		struct sock *peer = READ_ONCE(toy_sk(newsk)->peer);

		TOY_TP_SOCK_ASSIGN(sk);
		__entry->child = toy_sock_cookie(newsk);
		__entry->peer = peer ? READ_ONCE(toy_sk(peer)->port) : 0;
	),
	TP_printk(TOY_TP_SOCK_FMT " child=%llu peer=%u", TOY_TP_SOCK_ARGS,
		  __entry->child, __entry->peer)
);

/* toy_state: sk_state changes from @oldstate to @newstate. */
TRACE_EVENT(toy_state,
	TP_PROTO(struct sock *sk, int oldstate, int newstate),
	TP_ARGS(sk, oldstate, newstate),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(int, oldstate)
		__field(int, newstate)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->oldstate = oldstate;
		__entry->newstate = newstate;
	),
	TP_printk(TOY_TP_SOCK_FMT " from=%s to=%s", TOY_TP_SOCK_ARGS,
		  toy_show_state(__entry->oldstate),
		  toy_show_state(__entry->newstate))
);

/* toy_shutdown: @how as sk_shutdown bits, and what the peer got (@peer_how). */
TRACE_EVENT(toy_shutdown,
	TP_PROTO(struct sock *sk, int how, int peer_how),
	TP_ARGS(sk, how, peer_how),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u8, how)
		__field(u8, peer_how)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->how = how;
		__entry->peer_how = peer_how;
	),
	TP_printk(TOY_TP_SOCK_FMT " rd=%d wr=%d peer_rd=%d peer_wr=%d",
		  TOY_TP_SOCK_ARGS, !!(__entry->how & RCV_SHUTDOWN),
		  !!(__entry->how & SEND_SHUTDOWN),
		  !!(__entry->peer_how & RCV_SHUTDOWN),
		  !!(__entry->peer_how & SEND_SHUTDOWN))
);

/*
 * toy_send: one sendmsg() moved @len bytes to port @dst (0: the connected
 * peer's, read here, only while the event is enabled), @direct of them
 * straight into a waiting reader, or failed with @err.
 */
TRACE_EVENT(toy_send,
	TP_PROTO(struct sock *sk, u32 dst, size_t len, size_t direct,
		 int err),
	TP_ARGS(sk, dst, len, direct, err),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u32, peer)
		__field(u32, len)
		__field(u32, direct)
		__field(int, err)
	),
	TP_fast_assign(
		/* the sender's own call holds the file: @peer stays */
		struct sock *peer = dst ? NULL : READ_ONCE(toy_sk(sk)->peer);

		TOY_TP_SOCK_ASSIGN(sk);
		__entry->peer = peer ? READ_ONCE(toy_sk(peer)->port) : dst;
		__entry->len = len;
		__entry->direct = direct;
		__entry->err = err;
	),
	TP_printk(TOY_TP_SOCK_FMT " peer=%u len=%u direct=%u err=%d",
		  TOY_TP_SOCK_ARGS, __entry->peer, __entry->len,
		  __entry->direct, __entry->err)
);

/*
 * toy_recv: one recvmsg() returned @len bytes, @direct of them copied in by a
 * sender while it waited, @peek when it left them queued, or @err.
 */
TRACE_EVENT(toy_recv,
	TP_PROTO(struct sock *sk, size_t len, size_t direct, bool peek,
		 int err),
	TP_ARGS(sk, len, direct, peek, err),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u32, len)
		__field(u32, direct)
		__field(bool, peek)
		__field(int, err)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->len = len;
		__entry->direct = direct;
		__entry->peek = peek;
		__entry->err = err;
	),
	TP_printk(TOY_TP_SOCK_FMT " len=%u direct=%u peek=%d err=%d",
		  TOY_TP_SOCK_ARGS, __entry->len, __entry->direct,
		  __entry->peek, __entry->err)
);

/* Flow control: @inflight bytes charged against @limit. */
DECLARE_EVENT_CLASS(toy_flow,
	TP_PROTO(struct sock *sk, int inflight, int limit),
	TP_ARGS(sk, inflight, limit),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(int, inflight)
		__field(int, limit)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->inflight = inflight;
		__entry->limit = limit;
	),
	TP_printk(TOY_TP_SOCK_FMT " inflight=%d limit=%d", TOY_TP_SOCK_ARGS,
		  __entry->inflight, __entry->limit)
);

/* toy_wait_room: a sender found no room and sleeps. */
DEFINE_EVENT(toy_flow, toy_wait_room,
	TP_PROTO(struct sock *sk, int inflight, int limit),
	TP_ARGS(sk, inflight, limit)
);

/* toy_write_space: the reader freed room; the sender's waiters are woken. */
DEFINE_EVENT(toy_flow, toy_write_space,
	TP_PROTO(struct sock *sk, int inflight, int limit),
	TP_ARGS(sk, inflight, limit)
);

/* toy_drop: @count datagrams of @len bytes (0: several) from @from dropped. */
TRACE_EVENT(toy_drop,
	TP_PROTO(struct sock *sk, u32 from, u32 len, u32 count, int reason),
	TP_ARGS(sk, from, len, count, reason),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u32, from)
		__field(u32, len)
		__field(u32, count)
		__field(int, reason)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->from = from;
		__entry->len = len;
		__entry->count = count;
		__entry->reason = reason;
	),
	TP_printk(TOY_TP_SOCK_FMT " from=%u len=%u count=%u reason=%s",
		  TOY_TP_SOCK_ARGS, __entry->from, __entry->len,
		  __entry->count, toy_show_drop(__entry->reason))
);

/*
 * toy_impair: the namespace's impairments did @action to a datagram of
 * @len bytes from port @from for @sk, its receiver (or, when it is due and
 * nobody is bound to its port, its sender); @delay_us for held.
 */
TRACE_EVENT(toy_impair,
	TP_PROTO(struct sock *sk, u32 from, u32 len, int action, u32 delay_us),
	TP_ARGS(sk, from, len, action, delay_us),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u32, from)
		__field(u32, len)
		__field(int, action)
		__field(u32, delay_us)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->from = from;
		__entry->len = len;
		__entry->action = action;
		__entry->delay_us = delay_us;
	),
	TP_printk(TOY_TP_SOCK_FMT " from=%u len=%u action=%s delay_us=%u",
		  TOY_TP_SOCK_ARGS, __entry->from, __entry->len,
		  toy_show_impair(__entry->action), __entry->delay_us)
);

/* toy_reset: @sk closed with data unread or unaccepted; @peer gets ECONNRESET. */
TRACE_EVENT(toy_reset,
	TP_PROTO(struct sock *sk, struct sock *peer, bool never_accepted),
	TP_ARGS(sk, peer, never_accepted),
	TP_STRUCT__entry(
		TOY_TP_SOCK_ENTRY
		__field(u64, peer)
		__field(bool, never_accepted)
	),
	TP_fast_assign(
		TOY_TP_SOCK_ASSIGN(sk);
		__entry->peer = toy_sock_cookie(peer);
		__entry->never_accepted = never_accepted;
	),
	TP_printk(TOY_TP_SOCK_FMT " peer=%llu never_accepted=%d",
		  TOY_TP_SOCK_ARGS, __entry->peer, __entry->never_accepted)
);

#endif /* _AF_TOY_TRACE_H */

/* out of the kernel tree: define_trace.h finds this file by path */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
