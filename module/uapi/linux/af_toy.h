/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * AF_TOY: a toy socket address family for same-host IPC.
 *
 * This header is the user-visible ABI of af_toy.ko. It is shared by the
 * module, the user tools and the selftests.
 */
#ifndef _UAPI_LINUX_AF_TOY_H
#define _UAPI_LINUX_AF_TOY_H

#include <linux/socket.h>
#include <linux/types.h>

/**
 * TOY_FAMILY_DEFAULT - address family number used when the module is loaded
 * without a ``family=`` parameter.
 *
 * 25 is the AF_WANPIPE slot, which no mainline kernel registers. The number
 * in use can be read from /sys/module/af_toy/parameters/family.
 */
#define TOY_FAMILY_DEFAULT	25

/**
 * TOY_PORT_ANY - bind or connect-time autobind to an ephemeral port.
 */
#define TOY_PORT_ANY		0xFFFFFFFFU

/**
 * TOY_PORT_PRIVILEGED_MAX - highest port that needs CAP_NET_BIND_SERVICE in
 * the socket's network namespace; binding 1..TOY_PORT_PRIVILEGED_MAX without
 * it fails with EACCES. Port 0 is never valid (EINVAL).
 */
#define TOY_PORT_PRIVILEGED_MAX	1023U

/**
 * TOY_DGRAM_MAX - largest SOCK_DGRAM payload in bytes; larger sends fail
 * with EMSGSIZE.
 */
#define TOY_DGRAM_MAX		65535U

/**
 * DOC: SOCK_SEQPACKET records
 *
 * Every sendmsg() on a SOCK_SEQPACKET socket is one record, delivered
 * whole by one recvmsg(), which sets MSG_EOR. A record may be as large as
 * the sender's SO_SNDBUF; a larger one fails with EMSGSIZE. A receive
 * buffer shorter than the record gets its start, with MSG_TRUNC in
 * msg_flags, and the rest is discarded.
 */

/**
 * DOC: MSG_ZEROCOPY on SOCK_STREAM
 *
 * A stream socket with zerocopy on sends a sendmsg() flagged MSG_ZEROCOPY
 * by reference, as TCP does: the pages under the caller's buffer are
 * queued to the reader, who copies from them, so the bytes are copied
 * once instead of twice. The caller must leave the buffer as it is until
 * the kernel says it is done with it, by a completion on the socket's
 * error queue. Without zerocopy on, or for sendfile() and write(), the
 * flag is ignored and the bytes are copied as usual.
 *
 * Turn it on with setsockopt(fd, SOL_TOY, TOY_ZEROCOPY, &one, sizeof(int))
 * on every kernel, or with setsockopt(SOL_SOCKET, SO_ZEROCOPY) where the
 * kernel lets a module family take that option (6.2 and later); both set
 * the same flag, which getsockopt() reads at either level. A socket
 * returned by accept() inherits it from the listener, as in TCP.
 * SOCK_SEQPACKET and SOCK_DGRAM sockets refuse it with EOPNOTSUPP.
 *
 * Completions are read with recvmsg(MSG_ERRQUEUE): no data, and one
 * control message of level %SOL_TOY and type %TOY_RECVERR holding a
 * struct sock_extended_err (linux/errqueue.h) with ee_origin
 * SO_EE_ORIGIN_ZEROCOPY. The zerocopy sendmsg() calls of a socket are
 * numbered from 0; ee_info to ee_data is the range completed, adjacent
 * ranges merged. ee_code has SO_EE_CODE_ZEROCOPY_COPIED when the bytes
 * were copied after all (a reader used splice(), which must not hand the
 * caller's pages to a pipe). A sendmsg() that sends nothing takes no
 * number and gets no completion. poll() reports POLLERR while
 * completions wait; with none, recvmsg(MSG_ERRQUEUE) fails with EAGAIN.
 *
 * The pages in flight are bounded as TCP bounds them: by the flow
 * control limit of the connection; by the caller's RLIMIT_MEMLOCK
 * (unless it has CAP_IPC_LOCK), which each zerocopy sendmsg() is charged
 * its length to until the reader is done with its pages; and by the
 * socket's option memory (net.core.optmem_max), which holds each
 * completion until it is read. A sendmsg() over either limit fails with
 * ENOBUFS and sends nothing. Unlike TCP over loopback, which copies, the
 * pages stay queued for as long as the reader leaves them unread.
 */

/**
 * SOL_TOY - AF_TOY's own socket option level, and the level of its
 * control messages. 1025 lies above every SOL_ value the kernel defines;
 * only SOL_SOCKET is ever interpreted outside the family.
 */
#define SOL_TOY			1025

/** TOY_ZEROCOPY - int, 0 or 1: SO_ZEROCOPY at %SOL_TOY (stream only) */
#define TOY_ZEROCOPY		1

/** TOY_RECVERR - control message type of a zerocopy completion */
#define TOY_RECVERR		2

/**
 * struct sockaddr_toy - an AF_TOY socket address
 * @stoy_family: the family number in use (see %TOY_FAMILY_DEFAULT)
 * @stoy_reserved: must be 0, else EINVAL
 * @stoy_port: port in host byte order; %TOY_PORT_ANY asks for an ephemeral
 *	port, 0 is invalid
 * @stoy_zero: pads the structure to sizeof(struct sockaddr); ignored
 *
 * Port spaces are per network namespace and per socket type.
 */
struct sockaddr_toy {
	__kernel_sa_family_t	stoy_family;
	__u16			stoy_reserved;
	__u32			stoy_port;
	__u8			stoy_zero[8];
};

/**
 * DOC: generic netlink family "af_toy"
 *
 * The module reports what it does through a generic netlink family. Every
 * network namespace sees only its own counters and sockets. Requests are
 * validated strictly: an attribute a command does not take, an unknown
 * attribute or one of the wrong length fails with EINVAL or ERANGE and an
 * extended ack message. Counters are 64 bits and start at zero when the
 * namespace is created or reset. Documentation/netlink/specs/af_toy.yaml
 * describes the same family in the kernel's YAML spec format.
 */

/** TOY_GENL_NAME - name of the generic netlink family */
#define TOY_GENL_NAME		"af_toy"
/** TOY_GENL_VERSION - version of the generic netlink family */
#define TOY_GENL_VERSION	1
/**
 * TOY_GENL_MCGRP_EVENTS - name of the multicast group of socket events
 *
 * A member receives a %TOY_CMD_SOCK_EVENT message for each event of a
 * socket in its own network namespace (&enum toy_event). Joining needs no
 * privilege, as the socket dump needs none. Events that do not fit in the
 * member's receive buffer are lost and the member's next receive fails
 * with ENOBUFS, as for any netlink multicast.
 */
#define TOY_GENL_MCGRP_EVENTS	"events"

/**
 * enum toy_cmd - commands of the "af_toy" generic netlink family
 * @TOY_CMD_UNSPEC: not a command
 * @TOY_CMD_STATS_GET: do; takes no attribute; replies with the counters of
 *	the caller's namespace (&enum toy_stats_attr)
 * @TOY_CMD_SOCK_GET: dump; one message per socket of the caller's
 *	namespace (&enum toy_sock_attr); %TOY_SOCK_A_TYPE and
 *	%TOY_SOCK_A_PORT in the request select sockets of that type and
 *	local port
 * @TOY_CMD_STATS_RESET: do; takes no attribute; zeroes the counters of
 *	the caller's namespace (not the gauges, not the per-socket counters);
 *	needs CAP_NET_ADMIN in the user namespace owning it, else EPERM
 * @TOY_CMD_IMPAIR_GET: do; takes no attribute; replies with the datagram
 *	impairments of the caller's namespace (&enum toy_impair_attr)
 * @TOY_CMD_IMPAIR_SET: do; replaces them with the attributes given, each
 *	absent one 0 (off); none clears them all. Needs %CAP_NET_ADMIN over
 *	the namespace
 * @TOY_CMD_SOCK_EVENT: notification only, to %TOY_GENL_MCGRP_EVENTS: one
 *	socket event, %TOY_SOCK_A_EVENT, with the attributes of the socket
 *	as %TOY_CMD_SOCK_GET reports it at that moment
 * @__TOY_CMD_MAX: one above the last command
 */
enum toy_cmd {
	TOY_CMD_UNSPEC,
	TOY_CMD_STATS_GET,
	TOY_CMD_SOCK_GET,
	TOY_CMD_STATS_RESET,
	TOY_CMD_SOCK_EVENT,
	TOY_CMD_IMPAIR_GET,
	TOY_CMD_IMPAIR_SET,

	__TOY_CMD_MAX,
};

#define TOY_CMD_MAX		(__TOY_CMD_MAX - 1)

/**
 * enum toy_state - state of a socket as the netlink family reports it
 * @TOY_STATE_UNCONNECTED: a stream or seqpacket socket neither listening
 *	nor connected, or a dgram socket without a default destination
 * @TOY_STATE_LISTEN: a listening stream or seqpacket socket
 * @TOY_STATE_CONNECTED: a connected stream or seqpacket socket (accepted
 *	or still in its listener's accept queue, whatever its peer did
 *	since), or a dgram socket with a default destination
 * @__TOY_STATE_MAX: one above the last state
 */
enum toy_state {
	TOY_STATE_UNCONNECTED = 1,
	TOY_STATE_LISTEN,
	TOY_STATE_CONNECTED,

	__TOY_STATE_MAX,
};

/**
 * enum toy_event - what happened to a socket, in %TOY_SOCK_A_EVENT
 * @TOY_EVENT_CREATED: socket(2) or socketpair(2) made it
 * @TOY_EVENT_BOUND: it has a port, by bind() or by autobind
 * @TOY_EVENT_LISTENING: listen() succeeded (also when it only changed the
 *	backlog)
 * @TOY_EVENT_CONNECTED: connect() or socketpair() connected it; dgram:
 *	connect() set its default destination
 * @TOY_EVENT_ACCEPTED: accept() returned it; its port is its listener's
 * @TOY_EVENT_CLOSED: its last file reference was closed
 * @TOY_EVENT_RESET: its peer closed with data unread, or its listener
 *	closed before accept() took it: its calls fail with ECONNRESET
 * @TOY_EVENT_DROPS: dgram: datagrams were dropped at it,
 *	%TOY_SOCK_A_EVENT_DROPS of them since its previous drops event, for
 *	the reason in %TOY_SOCK_A_DROP_REASON. Drops for want of room are
 *	reported at most once per %TOY_EVENT_DROPS_INTERVAL_MS: the first at
 *	once, those after it with the next drop after the interval, or
 *	before the socket's closed event at the latest. The other reasons
 *	are reported as they happen; a datagram held back for a delay whose
 *	port nobody has bound any more is reported on its sender. Summed
 *	over a socket's drops events, %TOY_SOCK_A_EVENT_DROPS gives every
 *	drop.
 * @__TOY_EVENT_MAX: one above the last event
 */
enum toy_event {
	TOY_EVENT_CREATED = 1,
	TOY_EVENT_BOUND,
	TOY_EVENT_LISTENING,
	TOY_EVENT_CONNECTED,
	TOY_EVENT_ACCEPTED,
	TOY_EVENT_CLOSED,
	TOY_EVENT_RESET,
	TOY_EVENT_DROPS,

	__TOY_EVENT_MAX,
};

/**
 * TOY_EVENT_DROPS_INTERVAL_MS - the shortest time between two drops
 * events of a socket for want of room, in milliseconds
 */
#define TOY_EVENT_DROPS_INTERVAL_MS	100

/**
 * enum toy_drop_reason - why datagrams were dropped
 * @TOY_DROP_RCVBUF: the receiver's queue was at its SO_RCVBUF
 * @TOY_DROP_CLOSED: they were still queued, unread, when the receiver
 *	closed
 * @TOY_DROP_IMPAIR: the namespace's impairments lost it on purpose
 *	(%TOY_CMD_IMPAIR_SET)
 * @TOY_DROP_UNREACHABLE: the impairments held it back for a delay, and
 *	when it was due nobody bound to its port would take it (closing, shut
 *	down for reading, or connected to another port); reported on the
 *	socket bound there, or on the sender's (even a closed one) when
 *	nobody is
 * @TOY_DROP_HOLD_FULL: the impairments would have held it back for a
 *	delay, but the namespace already held its limit
 *	(%TOY_IMPAIR_A_LIMIT)
 * @__TOY_DROP_MAX: one above the last reason
 */
enum toy_drop_reason {
	TOY_DROP_RCVBUF = 1,
	TOY_DROP_CLOSED,
	TOY_DROP_IMPAIR,
	TOY_DROP_UNREACHABLE,
	TOY_DROP_HOLD_FULL,

	__TOY_DROP_MAX,
};

/**
 * enum toy_stats_attr - reply attributes of %TOY_CMD_STATS_GET
 * @TOY_STATS_A_UNSPEC: not an attribute
 * @TOY_STATS_A_PAD: padding for 64-bit attributes
 * @TOY_STATS_A_FAMILY: u32, the address family number in use
 * @TOY_STATS_A_STREAM: nest of &enum toy_type_attr for SOCK_STREAM
 * @TOY_STATS_A_DGRAM: nest of &enum toy_type_attr for SOCK_DGRAM
 * @TOY_STATS_A_SEQPACKET: nest of &enum toy_type_attr for SOCK_SEQPACKET
 * @__TOY_STATS_A_MAX: one above the last attribute
 */
enum toy_stats_attr {
	TOY_STATS_A_UNSPEC,
	TOY_STATS_A_PAD,
	TOY_STATS_A_FAMILY,
	TOY_STATS_A_STREAM,
	TOY_STATS_A_DGRAM,
	TOY_STATS_A_SEQPACKET,

	__TOY_STATS_A_MAX,
};

#define TOY_STATS_A_MAX		(__TOY_STATS_A_MAX - 1)

/**
 * enum toy_type_attr - counters of one socket type in a namespace
 * @TOY_TYPE_A_UNSPEC: not an attribute
 * @TOY_TYPE_A_PAD: padding for 64-bit attributes
 * @TOY_TYPE_A_SOCKETS: u64 gauge, sockets of the type open now (created
 *	and not yet closed, including stream and seqpacket sockets waiting
 *	to be accepted)
 * @TOY_TYPE_A_UNCONNECTED: u64 gauge, of those in %TOY_STATE_UNCONNECTED
 * @TOY_TYPE_A_LISTENING: u64 gauge, of those in %TOY_STATE_LISTEN (stream,
 *	seqpacket)
 * @TOY_TYPE_A_CONNECTED: u64 gauge, of those in %TOY_STATE_CONNECTED
 * @TOY_TYPE_A_ESTABLISHED: u64, stream and seqpacket: connections
 *	established by connect() or socketpair(); dgram: connect() calls that
 *	set a default destination, and socketpair() calls
 * @TOY_TYPE_A_REFUSED: u64, ECONNREFUSED returned: stream and seqpacket
 *	connect() to a port where nobody listens; dgram connect() or send to
 *	a port nobody bound or whose socket is closing
 * @TOY_TYPE_A_BACKLOG_OVERFLOWS: u64, stream and seqpacket: connect()
 *	calls that found the listener's backlog full, counted once per call
 *	whether the call then waited or failed with EAGAIN
 * @TOY_TYPE_A_TX_BYTES: u64, payload bytes sendmsg() accepted
 * @TOY_TYPE_A_TX_MSGS: u64, sendmsg() calls that accepted data (one per
 *	datagram or record)
 * @TOY_TYPE_A_RX_BYTES: u64, payload bytes recvmsg() returned, not
 *	counting MSG_PEEK
 * @TOY_TYPE_A_RX_MSGS: u64, recvmsg() calls that returned data (one per
 *	datagram or record), not counting MSG_PEEK
 * @TOY_TYPE_A_DROPS: u64, dgram: datagrams dropped because the receiver's
 *	queue was at its SO_RCVBUF, still queued unread when the receiver
 *	closed, or held back for a delay and unwanted when due or over the
 *	namespace's limit (%TOY_DROP_UNREACHABLE, %TOY_DROP_HOLD_FULL); the
 *	sender saw success, so TX_MSGS equals RX_MSGS plus DROPS plus
 *	IMPAIR_DROPS minus DUPLICATED plus the datagrams still queued or held
 * @TOY_TYPE_A_DIRECT_BYTES: u64, stream: of TX_BYTES, those a sender
 *	copied straight into the buffer of a reader that was waiting in
 *	recvmsg() (one copy instead of two; see Documentation/benchmarks.md)
 * @TOY_TYPE_A_IMPAIR_DROPS: u64, dgram: datagrams the namespace's
 *	impairments lost on purpose (&enum toy_impair_attr); the sender saw
 *	success
 * @TOY_TYPE_A_DUPLICATED: u64, dgram: datagrams the impairments delivered
 *	twice (each counts once in TX_MSGS)
 * @TOY_TYPE_A_DELAYED: u64, dgram: datagrams (copies included) the
 *	impairments held back for their delay before delivering them
 * @TOY_TYPE_A_REORDERED: u64, dgram: datagrams the impairments sent on at
 *	once, ahead of those held back for the delay
 * @__TOY_TYPE_A_MAX: one above the last attribute
 *
 * A type's nest holds the attributes that apply to it: LISTENING and
 * BACKLOG_OVERFLOWS for SOCK_STREAM and SOCK_SEQPACKET, DIRECT_BYTES only
 * for SOCK_STREAM, DROPS only for SOCK_DGRAM.
 * The gauges count what is open now; the other counters count from the
 * namespace's creation or its last %TOY_CMD_STATS_RESET.
 */
enum toy_type_attr {
	TOY_TYPE_A_UNSPEC,
	TOY_TYPE_A_PAD,
	TOY_TYPE_A_SOCKETS,
	TOY_TYPE_A_UNCONNECTED,
	TOY_TYPE_A_LISTENING,
	TOY_TYPE_A_CONNECTED,
	TOY_TYPE_A_ESTABLISHED,
	TOY_TYPE_A_REFUSED,
	TOY_TYPE_A_BACKLOG_OVERFLOWS,
	TOY_TYPE_A_TX_BYTES,
	TOY_TYPE_A_TX_MSGS,
	TOY_TYPE_A_RX_BYTES,
	TOY_TYPE_A_RX_MSGS,
	TOY_TYPE_A_DROPS,
	TOY_TYPE_A_DIRECT_BYTES,
	TOY_TYPE_A_IMPAIR_DROPS,
	TOY_TYPE_A_DUPLICATED,
	TOY_TYPE_A_DELAYED,
	TOY_TYPE_A_REORDERED,

	__TOY_TYPE_A_MAX,
};

#define TOY_TYPE_A_MAX		(__TOY_TYPE_A_MAX - 1)

/* One in a million: the unit of the impairments' probabilities. */
#define TOY_IMPAIR_PPM		1000000
/* The longest delay, in microseconds (10 s); with jitter, a hold lasts 20 s at most. */
#define TOY_IMPAIR_DELAY_MAX	10000000
/* The most datagrams a namespace holds back at once, unless set (netem's). */
#define TOY_IMPAIR_LIMIT_DEFAULT	1000
/* The highest limit that may be set. */
#define TOY_IMPAIR_LIMIT_MAX	100000

/**
 * enum toy_impair_attr - the datagram impairments of a namespace
 * @TOY_IMPAIR_A_UNSPEC: not an attribute
 * @TOY_IMPAIR_A_PAD: padding for the u64 attribute
 * @TOY_IMPAIR_A_LOSS: u32, probability that a datagram is lost, in
 *	millionths (0 to %TOY_IMPAIR_PPM)
 * @TOY_IMPAIR_A_DUPLICATE: u32, probability that a datagram arrives
 *	twice, in millionths
 * @TOY_IMPAIR_A_SEED: u64, the seed of the draws: the same seed and the
 *	same sequence of datagrams give the same outcomes; 0 on
 *	%TOY_CMD_IMPAIR_SET picks one, which %TOY_CMD_IMPAIR_GET reports
 * @TOY_IMPAIR_A_DELAY: u32, microseconds each datagram is held back
 *	before it reaches its receiver (0 to %TOY_IMPAIR_DELAY_MAX)
 * @TOY_IMPAIR_A_JITTER: u32, microseconds: each delay is drawn uniformly
 *	from DELAY - JITTER to DELAY + JITTER (at most DELAY), so datagrams
 *	may overtake each other
 * @TOY_IMPAIR_A_REORDER: u32, probability, in millionths, that a datagram
 *	skips the delay and overtakes those held back (needs a DELAY)
 * @TOY_IMPAIR_A_HELD: u32, %TOY_CMD_IMPAIR_GET only: datagrams held back
 *	for their delay now, or due and not yet delivered
 * @TOY_IMPAIR_A_LIMIT: u32, the most datagrams the namespace holds back at
 *	once (1 to %TOY_IMPAIR_LIMIT_MAX; absent or 0 on %TOY_CMD_IMPAIR_SET
 *	means %TOY_IMPAIR_LIMIT_DEFAULT); one more is dropped
 *	(%TOY_DROP_HOLD_FULL)
 * @__TOY_IMPAIR_A_MAX: one above the last attribute
 *
 * Only SOCK_DGRAM is impaired: the other types promise delivery.
 */
enum toy_impair_attr {
	TOY_IMPAIR_A_UNSPEC,
	TOY_IMPAIR_A_PAD,
	TOY_IMPAIR_A_LOSS,
	TOY_IMPAIR_A_DUPLICATE,
	TOY_IMPAIR_A_SEED,
	TOY_IMPAIR_A_DELAY,
	TOY_IMPAIR_A_JITTER,
	TOY_IMPAIR_A_REORDER,
	TOY_IMPAIR_A_HELD,
	TOY_IMPAIR_A_LIMIT,

	__TOY_IMPAIR_A_MAX,
};

#define TOY_IMPAIR_A_MAX	(__TOY_IMPAIR_A_MAX - 1)

/**
 * enum toy_sock_attr - one socket in a %TOY_CMD_SOCK_GET dump
 * @TOY_SOCK_A_UNSPEC: not an attribute
 * @TOY_SOCK_A_PAD: padding for 64-bit attributes
 * @TOY_SOCK_A_TYPE: u16, SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET; in a
 *	request, dump only sockets of this type (another value: EINVAL)
 * @TOY_SOCK_A_PORT: u32, the local port, 0 while unbound; an accepted
 *	socket has its listener's port; in a request, dump only sockets with
 *	this local port
 * @TOY_SOCK_A_STATE: u8, &enum toy_state
 * @TOY_SOCK_A_PEER_PORT: u32, the peer's port; present only when
 *	connected (0 for an unbound socketpair() peer)
 * @TOY_SOCK_A_SHUTDOWN: u8, bit 0: no more receives, bit 1: no more sends
 *	(as ss shows them), whether by shutdown() or by the peer
 * @TOY_SOCK_A_INODE: u64, inode number of the socket (as in /proc/PID/fd);
 *	0 for a stream socket still waiting in an accept queue
 * @TOY_SOCK_A_COOKIE: u64, the socket cookie (SO_COOKIE)
 * @TOY_SOCK_A_UID: u32, owner uid, as seen from the requester's user
 *	namespace
 * @TOY_SOCK_A_RX_QUEUE: u32, stream and seqpacket: unread payload bytes
 *	(a stream's SIOCINQ; records of 0 bytes add nothing); listener:
 *	connections waiting in the accept queue; dgram: memory charged for
 *	queued datagrams (SO_MEMINFO's SK_MEMINFO_RMEM_ALLOC)
 * @TOY_SOCK_A_TX_QUEUE: u32, stream and seqpacket: payload bytes sent and
 *	not yet read by the peer (SIOCOUTQ); listener: the backlog given to
 *	listen(); dgram: memory charged for datagrams being sent (SIOCOUTQ)
 * @TOY_SOCK_A_RCVBUF: u32, SO_RCVBUF
 * @TOY_SOCK_A_SNDBUF: u32, SO_SNDBUF
 * @TOY_SOCK_A_TX_BYTES: u64, payload bytes this socket sent
 * @TOY_SOCK_A_TX_MSGS: u64, sendmsg() calls of this socket that sent data
 * @TOY_SOCK_A_RX_BYTES: u64, payload bytes this socket received
 * @TOY_SOCK_A_RX_MSGS: u64, recvmsg() calls of this socket that returned
 *	data
 * @TOY_SOCK_A_DROPS: u64, datagrams dropped at this socket (SO_MEMINFO's
 *	SK_MEMINFO_DROPS); dgram only
 * @TOY_SOCK_A_EVENT: u8, events only: &enum toy_event
 * @TOY_SOCK_A_EVENT_DROPS: u32, drops events only: datagrams dropped
 *	since the socket's previous drops event
 * @TOY_SOCK_A_DROP_REASON: u8, drops events only: &enum toy_drop_reason
 * @__TOY_SOCK_A_MAX: one above the last attribute
 *
 * No attribute holds a kernel address. Per-socket counters count from the
 * socket's creation; %TOY_CMD_STATS_RESET does not touch them. In events,
 * the uid is as seen from the user namespace that owns the socket's
 * network namespace.
 */
enum toy_sock_attr {
	TOY_SOCK_A_UNSPEC,
	TOY_SOCK_A_PAD,
	TOY_SOCK_A_TYPE,
	TOY_SOCK_A_PORT,
	TOY_SOCK_A_STATE,
	TOY_SOCK_A_PEER_PORT,
	TOY_SOCK_A_SHUTDOWN,
	TOY_SOCK_A_INODE,
	TOY_SOCK_A_COOKIE,
	TOY_SOCK_A_UID,
	TOY_SOCK_A_RX_QUEUE,
	TOY_SOCK_A_TX_QUEUE,
	TOY_SOCK_A_RCVBUF,
	TOY_SOCK_A_SNDBUF,
	TOY_SOCK_A_TX_BYTES,
	TOY_SOCK_A_TX_MSGS,
	TOY_SOCK_A_RX_BYTES,
	TOY_SOCK_A_RX_MSGS,
	TOY_SOCK_A_DROPS,
	TOY_SOCK_A_EVENT,
	TOY_SOCK_A_EVENT_DROPS,
	TOY_SOCK_A_DROP_REASON,

	__TOY_SOCK_A_MAX,
};

#define TOY_SOCK_A_MAX		(__TOY_SOCK_A_MAX - 1)

#endif /* _UAPI_LINUX_AF_TOY_H */
