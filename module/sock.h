/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY: the socket core, below every socket type (sock.c).
 *
 * The module is layered; each file calls only into the layers below it
 * and never up:
 *
 *   event.c               the netlink event stream: probes on the
 *                         tracepoints that hand events to netlink.c
 *   main.c, netlink.c     the address family and the netlink family: know
 *                         every type and dispatch on it
 *   stream.c, seqpacket.c, dgram.c
 *                         the data path of each type; direct.c, the
 *                         stream's one-copy path into a waiting reader
 *   conn.c, flow.c        what the connected types share: the connection
 *                         lifecycle (listen, connect, accept, shutdown,
 *                         release) and flow control with its waits
 *   sock.c, port.c,       the core: struct toy_sock and the socket
 *   stats.c, trace.c      list; ports, bind and addresses; the counters;
 *                         the tracepoints (trace.h), which every layer
 *                         calls
 *
 * Each file has its header, which says what it offers to the layers
 * above. compat.h holds every difference between the supported kernels.
 */
#ifndef _AF_TOY_SOCK_H
#define _AF_TOY_SOCK_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/net.h>
#include <linux/rhashtable-types.h>
#include <linux/sched/signal.h>
#include <net/netns/generic.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <net/sock.h>
#include <linux/af_toy.h>

#include "compat.h"
#include "impair.h"

/* The family number in use: the module parameter, set at load (main.c). */
extern int toy_family;

struct toy_direct;
struct toy_stats_net;
struct toy_stats_pcpu;

/**
 * struct toy_sock - an AF_TOY socket
 * @sk: the generic socket; must be first so that sk_alloc() can size it from
 *	struct proto.obj_size and toy_sk() can convert with container_of().
 * @lock: the state lock, taken by other sockets as well as the owner; see
 *	"Locks" below.
 * @port: the local port, 0 while unbound: the port the socket owns. Set
 *	once, under lock_sock(), by bind and autobind only after the insert
 *	into the port table succeeded (smp_store_release(), so that a
 *	lockless reader that sees it also sees the socket in the table), or
 *	by connect for an accepted socket, which shares its listener's port.
 *	Never changes once set: a datagram, getsockname() and the dump never
 *	show a port the socket does not own.
 * @key: the port table's key, the port being inserted; written under
 *	lock_sock() before the insert, left stale when it fails. Only the
 *	table reads it.
 * @in_table: true while @port_node is in a port table. Written under
 *	lock_sock(); read by release, when no other user exists.
 * @port_node: link in the port table of the socket's netns and type; the
 *	table's own locking (rhashtable) guards it.
 * @sock_node: link in the socket list of the namespace, from allocation
 *	until release (or until a connect() that allocated it fails); the
 *	list's bucket lock guards it. The netlink dump walks that list.
 * @stats: the per-CPU counters of the socket's namespace (stats.h), set
 *	at allocation. A user socket holds its namespace, and so them; a
 *	kernel socket must be closed before its namespace goes, as with any
 *	family.
 * @tx_bytes: payload bytes this socket sent; atomic, because several
 *	threads may send on one socket without a common lock.
 * @tx_msgs: sendmsg() calls that sent data; atomic, as @tx_bytes.
 * @rx_bytes: payload bytes recvmsg() returned (MSG_PEEK not counted);
 *	atomic, because dgram receivers run without a common lock.
 * @rx_msgs: recvmsg() calls that returned data; atomic, as @rx_bytes.
 * @peer: connected types (conn.c): the connected peer, holding a
 *	reference on it. Guarded by @lock; set once by connect or
 *	socketpair, cleared by release; see "Who may read @peer" below.
 * @accept_queue: connected types: connected sockets that accept() has not
 *	taken yet, each linked by its @accept_node and owning its initial
 *	reference. Guarded by @lock; sk_ack_backlog counts it.
 * @accept_node: link in the listener's @accept_queue, guarded by the
 *	listener's @lock.
 * @peer_wait: connected types: connectors sleep here, exclusively, while
 *	the listener's backlog is full; one is woken when accept() takes a
 *	socket, all when the listener closes, is shut down for reading or
 *	gets a larger backlog.
 * @rx_unread: connected types: unread payload bytes in sk_receive_queue
 *	(a stream's SIOCINQ, poll and SO_RCVLOWAT; SIOCOUTQ); records of 0
 *	bytes add nothing. Written under sk_receive_queue.lock, read
 *	locklessly; release zeroes it without the lock, once SOCK_DEAD is
 *	set and the queue purged, when nobody can queue or read any more.
 * @direct: stream: the buffer of a reader sleeping in recvmsg() with an
 *	empty queue, posted for a sender to copy into directly (struct
 *	toy_direct, direct.c); NULL when no reader waits so. Written under
 *	sk_receive_queue.lock (WRITE_ONCE), which also guards claiming it;
 *	senders peek at it locklessly first.
 * @rx_last: stream: bytes the last recvmsg() returned, which sizes the
 *	next buffer posted in @direct; 0 when they came from spliced pages.
 *	Guarded by lock_sock().
 * @zc_busy: stream: bit %TOY_ZC_BUSY is a sleeping lock that serialises
 *	the MSG_ZEROCOPY sends of the socket (stream.c), from taking a
 *	completion number off sk_zckey to giving it back when the send sent
 *	nothing; a zerocopy send in between would get the same number. Held
 *	across the send's waits for room, so not lock_sock(), which would
 *	keep the socket's readers out meanwhile; a bit in a word of the
 *	socket's own (wait_on_bit_lock()), not a mutex, so that a socket is
 *	no larger for it.
 * @peer_port: dgram: the port connect() set as default destination and
 *	only accepted source, 0 when not connected. Written under lock_sock()
 *	and @lock, read locklessly.
 * @drops_told: dgram: how many of sk_drops the event stream has reported
 *	(event.c); only moved forward, with cmpxchg(), by whoever reports,
 *	so that two reports never count a drop twice.
 * @drops_told_at: dgram: jiffies of the last drops event for want of
 *	room; the reporter that moves it on with cmpxchg() sends the next.
 *
 * Locks, outermost first. None is held across a sleep except
 * %TOY_ZC_BUSY and lock_sock().
 *
 * - @zc_busy's %TOY_ZC_BUSY bit: a socket's zerocopy senders against
 *   each other; taken with no other lock held.
 * - lock_sock(sk): a socket's readers against each other; bind, connect,
 *   listen and autobind; @rx_last.
 * - @lock of a listener: its sk_state and sk_shutdown changes,
 *   @accept_queue and sk_ack_backlog.
 * - @lock of any other socket (nested inside a listener's only as
 *   listener then connector, SINGLE_DEPTH_NESTING): @peer, @peer_port,
 *   the transitions of sk_state, and the writes of sk_shutdown and
 *   SOCK_DEAD that a sender must see atomically with queuing: a sender
 *   appends to a socket's sk_receive_queue only while holding that
 *   socket's @lock and finding it neither dead nor shut down for reading,
 *   so nothing is queued after release has purged the queue. A sender
 *   takes its peer's @lock, never its own with it, so two sockets sending
 *   to each other cannot deadlock.
 * - sk_receive_queue.lock: the queue, @rx_unread, what each queued skb's
 *   control block says was read, @direct and claiming it.
 * - a socket list bucket's lock: the bucket's list and change counter; a
 *   leaf, taken with no socket lock held.
 * - the rhashtable's own locks: the port tables.
 * - struct toy_stats_net.lock: the counters' reset base only.
 *
 * References (sk_refcnt): the struct socket (dropped by release), a
 * connected peer's @peer, a listener's @accept_queue for a socket not yet
 * accepted, and connect()'s lookup of a listener. A socket that was ever in
 * a port table is freed after an RCU grace period (SOCK_RCU_FREE, set when
 * it enters the table), so that a lookup under rcu_read_lock() may take a
 * reference with refcount_inc_not_zero(), or, as a datagram sender does,
 * use the socket without one until rcu_read_unlock(); others are freed at
 * once. Every skb a socket sends is charged to its sk_wmem_alloc until the
 * reader frees it, which keeps the sender's memory alive until then.
 *
 * Who may read @peer without @lock: a connected socket's @peer reference
 * is dropped only by its own release, after it left the socket list. So
 * the socket's own system calls (which hold its file, so release cannot
 * run), the netlink dump while it holds the socket's list bucket lock,
 * sk_write_space(), which the peer itself calls while freeing an skb,
 * and the event probes (event.c), which run in the socket's own system
 * calls or, for a reset, inside the close of the very peer it points to,
 * may read it. Connect publishes @peer with smp_store_release().
 */
struct toy_sock {
	struct sock		sk;
	spinlock_t		lock;	/* the state lock, see above */
	u32			port;
	u32			key;
	bool			in_table;
	struct rhash_head	port_node;
	struct hlist_node	sock_node;
	struct toy_stats_pcpu __percpu *stats;
	atomic64_t		tx_bytes;
	atomic64_t		tx_msgs;
	atomic64_t		rx_bytes;
	atomic64_t		rx_msgs;

	struct sock		*peer;
	struct list_head	accept_queue;
	struct list_head	accept_node;
	wait_queue_head_t	peer_wait;
	u32			rx_unread;
	u32			rx_last;

	struct toy_direct	*direct;
	unsigned long		zc_busy; /* bit 0: zerocopy sender's lock */

	u32			peer_port;
	u32			drops_told;
	unsigned long		drops_told_at;
};

/* The bit of toy_sock.zc_busy that zerocopy senders take (stream.c). */
#define TOY_ZC_BUSY	0

static inline struct toy_sock *toy_sk(const struct sock *sk)
{
	return container_of(sk, struct toy_sock, sk);
}

/* Index of a socket type in the port tables and the per-type counters. */
enum toy_type_idx {
	TOY_IDX_STREAM,
	TOY_IDX_SEQPACKET,
	TOY_IDX_DGRAM,
	TOY_NR_TYPES,
};

static inline enum toy_type_idx toy_type_idx(const struct sock *sk)
{
	switch (sk->sk_type) {
	case SOCK_STREAM:
		return TOY_IDX_STREAM;
	case SOCK_SEQPACKET:
		return TOY_IDX_SEQPACKET;
	default:
		return TOY_IDX_DGRAM;
	}
}

/*
 * The sk_shutdown bits for shutdown(2)'s @how: SHUT_RD, SHUT_WR and
 * SHUT_RDWR are 0, 1 and 2; RCV_SHUTDOWN, SEND_SHUTDOWN and SHUTDOWN_MASK
 * are 1, 2 and 3. Returns 0 for any other @how.
 */
static inline int toy_shutdown_mode(int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return 0;
	return how + 1;
}

/*
 * Must a blocking call stop waiting? -EAGAIN when its time @timeo ran out,
 * the errno of a pending signal, or 0 to go on waiting.
 */
static inline int toy_wait_over(long timeo)
{
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 0;
}

/* Buckets of a namespace's socket list: 2^8, 4 KiB per namespace. */
#define TOY_SOCK_HASH_BITS	8
#define TOY_SOCK_BUCKETS	BIT(TOY_SOCK_HASH_BITS)

/**
 * struct toy_sock_bucket - one bucket of a namespace's socket list
 * @lock: guards @gen and @head; a leaf lock, never held while taking
 *	another socket lock
 * @gen: changes of @head so far, for NLM_F_DUMP_INTR
 * @head: the sockets, linked by toy_sock.sock_node
 */
struct toy_sock_bucket {
	spinlock_t		lock;	/* guards gen and head */
	unsigned int		gen;
	struct hlist_head	head;
};

/**
 * struct toy_net - AF_TOY state of one network namespace
 * @ports: bound sockets by port, one table per &enum toy_type_idx
 *	(port.c)
 * @socks: every socket of the namespace, hashed by address (sock.c)
 * @stats: the namespace's counters (stats.c)
 * @impair: the namespace's datagram impairments, NULL when none is set
 *	(impair.c); replaced under its mutex, read under RCU
 * @hold: the datagrams the impairments hold back for a delay (impair.c),
 *	guarded by its own lock
 *
 * Allocated and freed with the namespace (pernet_operations, sock.c).
 * Each port table is guarded by its own rhashtable locks, each bucket of
 * @socks by its lock, @stats as struct toy_stats_net says. Every user
 * socket holds a reference on its namespace, so the tables and the list
 * are empty when it is freed.
 */
struct toy_net {
	struct rhashtable	ports[TOY_NR_TYPES];
	struct toy_sock_bucket	socks[TOY_SOCK_BUCKETS];
	struct toy_stats_net	*stats;
	struct toy_impair __rcu	*impair;
	struct toy_impair_hold	hold;
};

extern unsigned int toy_net_id;

static inline struct toy_net *toy_net(const struct net *net)
{
	return net_generic(net, toy_net_id);
}

int toy_proto_init(void);
void toy_proto_exit(void);
struct sock *toy_sock_alloc(struct net *net, struct socket *sock, int type,
			    int kern);
void toy_set_state(struct sock *sk, int state);
u64 toy_sock_cookie(struct sock *sk);

/* sockets whose every send is one message: datagrams, records */
int toy_next_msg_len(struct sock *sk);
typedef int (*toy_send_one_fn_t)(struct socket *sock, struct msghdr *msg,
				 size_t len);
int toy_send_each_page(struct socket *sock, struct msghdr *msg, size_t len,
		       toy_send_one_fn_t send_one);

/* the socket list of a namespace */
void toy_sock_unlist(struct sock *sk);
unsigned int toy_sock_list_gen(struct net *net);

/**
 * struct toy_sock_cursor - where a walk of a socket list stands
 * @bucket: the bucket to visit next
 * @skip: sockets of @bucket already visited
 */
struct toy_sock_cursor {
	unsigned int bucket;
	unsigned int skip;
};

int toy_sock_walk(struct net *net, struct toy_sock_cursor *pos,
		  int (*visit)(struct sock *sk, void *arg), void *arg);
enum toy_state toy_sock_state(const struct sock *sk);

#endif /* _AF_TOY_SOCK_H */
