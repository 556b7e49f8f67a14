/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY internal declarations shared by the files of af_toy.ko.
 *
 * Files and what they hold:
 *   main.c    module parameters, family registration, module init and exit
 *   socket.c  struct toy_sock allocation and release, the per-netns port
 *             tables, bind, getsockname/getpeername, address checks
 *   stream.c  SOCK_STREAM: listen, connect, accept, the byte stream data
 *             path with its flow control, shutdown, poll, ioctl
 *   dgram.c   SOCK_DGRAM: best-effort datagrams, connect as a default
 *             destination, drops counted
 *   stats.c   the per-namespace counters: per-CPU, summed when read
 *   netlink.c the "af_toy" generic netlink family: counters and the
 *             socket dump
 */
#ifndef _AF_TOY_TOY_H
#define _AF_TOY_TOY_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <linux/rhashtable-types.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <linux/af_toy.h>

#include "compat.h"

/* The most bytes a sender copies into a reader's buffer in one go. */
#define TOY_DIRECT_MAX		SZ_64K
/*
 * The most pages of a reader's buffer a sender may copy into directly:
 * TOY_DIRECT_MAX, and one more for a buffer that does not start a page.
 */
#define TOY_DIRECT_PAGES	(TOY_DIRECT_MAX / PAGE_SIZE + 1)
/*
 * A reader posts its buffer only when it reads this much at a time: below
 * it, pinning and unpinning the pages cost more than the copy they save
 * (toyperf pingpong: 0.67x AF_UNIX's round trip at 64 KiB, 1.18x at 16 KiB).
 */
#define TOY_DIRECT_MIN		SZ_32K

/**
 * enum toy_direct_state - the life of a &struct toy_direct
 * @TOY_DIRECT_POSTED: waiting for a sender, or taken back by the reader
 * @TOY_DIRECT_CLAIMED: a sender took it off the socket and copies into it
 * @TOY_DIRECT_DONE: the sender is done and will not touch it again
 */
enum toy_direct_state {
	TOY_DIRECT_POSTED,
	TOY_DIRECT_CLAIMED,
	TOY_DIRECT_DONE,
};

/**
 * struct toy_direct - a stream reader's buffer, pinned, on the reader's
 *	stack, that one sender may copy into (one copy instead of two)
 * @pages: the pinned pages of the buffer
 * @offset: where the buffer starts in @pages[0]
 * @len: its length in bytes
 * @copied: bytes the sender copied; written by the sender before @state
 *	becomes TOY_DIRECT_DONE, read by the reader after
 * @state: &enum toy_direct_state; POSTED to CLAIMED under the reader's
 *	sk_receive_queue.lock, CLAIMED to DONE by the sender alone
 */
struct toy_direct {
	struct page	*pages[TOY_DIRECT_PAGES];
	size_t		offset;
	size_t		len;
	size_t		copied;
	int		state;
};

/**
 * struct toy_sock - an AF_TOY socket
 * @sk: the generic socket; must be first so that sk_alloc() can size it from
 *	struct proto.obj_size and toy_sk() can convert with container_of().
 * @lock: the state lock, taken by other sockets as well as the owner; see
 *	below for what it guards. Never held across a sleep; may nest inside
 *	another socket's @lock only as listener (outer) then connector
 *	(inner, SINGLE_DEPTH_NESTING).
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
 * @peer: the connected peer, holding a reference on it. Guarded by @lock;
 *	set once by connect or socketpair, cleared by release; see below for
 *	who may read it without @lock.
 * @accept_queue: connected sockets that accept() has not taken yet, each
 *	linked by its @accept_node and owning its initial reference. Guarded
 *	by @lock; sk_ack_backlog counts it.
 * @accept_node: link in the listener's @accept_queue, guarded by the
 *	listener's @lock.
 * @peer_wait: connectors sleep here, exclusively, while the listener's
 *	backlog is full; one is woken when accept() takes a socket, all when
 *	the listener closes, is shut down for reading or gets a larger
 *	backlog.
 * @direct: stream: the buffer of a reader sleeping in recvmsg() with an
 *	empty queue, posted for a sender to copy into directly; NULL when no
 *	reader waits so. Written under sk_receive_queue.lock (WRITE_ONCE),
 *	which also guards claiming it; senders peek at it locklessly first.
 * @rx_last: stream: bytes the last recvmsg() returned, which sizes the
 *	next buffer posted in @direct; 0 when they came from spliced pages.
 *	Guarded by lock_sock().
 * @rx_unread: stream: unread payload bytes in sk_receive_queue (SIOCINQ,
 *	poll and SO_RCVLOWAT). Written under sk_receive_queue.lock, read
 *	locklessly.
 * @peer_port: dgram: the port connect() set as default destination and
 *	only accepted source, 0 when not connected. Written under lock_sock()
 *	and @lock, read locklessly.
 * @sock_node: link in the socket list of the namespace, from allocation
 *	until release (or until a connect() that allocated it fails); the
 *	list's bucket lock guards it. The netlink dump walks that list.
 * @tx_bytes: payload bytes this socket sent; atomic, because several
 *	threads may send on one socket without a common lock.
 * @tx_msgs: sendmsg() calls that sent data; atomic, as @tx_bytes.
 * @rx_bytes: payload bytes recvmsg() returned (MSG_PEEK not counted);
 *	atomic, because dgram receivers run without a common lock.
 * @rx_msgs: recvmsg() calls that returned data; atomic, as @rx_bytes.
 *
 * @lock also guards the transitions of sk_state and the writes of
 * sk_shutdown and SOCK_DEAD that a peer must see atomically with queuing:
 * a sender appends to its peer's sk_receive_queue only while holding the
 * peer's @lock and finding it neither dead nor shut down for reading, so
 * nothing is queued after release has purged the queue.
 *
 * Lifetime: sk_refcnt counts the struct socket (dropped by release), a
 * connected peer's @peer, a listener's @accept_queue for a socket not yet
 * accepted, and lookups in progress. A socket that was ever in a port
 * table is freed after an RCU grace period (SOCK_RCU_FREE, set when it
 * enters the table) so that lookups under rcu_read_lock() may take a
 * reference with refcount_inc_not_zero(); others are freed at once. Every
 * skb a socket sends is charged to its sk_wmem_alloc until the reader
 * frees it, which keeps the sender's memory alive until then.
 *
 * A stream socket's @peer reference is dropped only by its own release,
 * after it left the socket list. So @peer may be read without @lock by
 * the socket's own system calls (which hold its file, so release cannot
 * run), by the netlink dump while it holds the socket's list bucket lock,
 * and by sk_write_space(), which the peer itself calls while freeing an
 * skb. Connect publishes @peer with smp_store_release().
 */
struct toy_sock {
	struct sock		sk;
	spinlock_t		lock;	/* the state lock, see above */
	u32			port;
	u32			key;
	bool			in_table;
	struct rhash_head	port_node;
	struct sock		*peer;
	struct list_head	accept_queue;
	struct list_head	accept_node;
	wait_queue_head_t	peer_wait;
	struct toy_direct	*direct;
	u32			rx_last;
	u32			rx_unread;
	u32			peer_port;
	struct hlist_node	sock_node;
	atomic64_t		tx_bytes;
	atomic64_t		tx_msgs;
	atomic64_t		rx_bytes;
	atomic64_t		rx_msgs;
};

static inline struct toy_sock *toy_sk(const struct sock *sk)
{
	return container_of(sk, struct toy_sock, sk);
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

/* Index of a socket type in the per-type counters. */
enum toy_type_idx {
	TOY_IDX_STREAM,
	TOY_IDX_DGRAM,
	TOY_NR_TYPES,
};

static inline enum toy_type_idx toy_type_idx(const struct sock *sk)
{
	return sk->sk_type == SOCK_STREAM ? TOY_IDX_STREAM : TOY_IDX_DGRAM;
}

/*
 * The per-namespace counters of one socket type; see enum toy_type_attr
 * in the uapi header for what each counts. Each *_MSGS counter follows
 * its *_BYTES counter: toy_count_msg() relies on it.
 */
enum toy_stat {
	TOY_STAT_ESTABLISHED,
	TOY_STAT_REFUSED,
	TOY_STAT_BACKLOG_OVERFLOWS,
	TOY_STAT_TX_BYTES,
	TOY_STAT_TX_MSGS,
	TOY_STAT_RX_BYTES,
	TOY_STAT_RX_MSGS,
	TOY_STAT_DROPS,
	TOY_STAT_DIRECT_BYTES,
	TOY_NR_STATS,
};

/**
 * struct toy_stats_pcpu - one CPU's share of a namespace's counters
 * @val: counters by type and &enum toy_stat. Only the owning CPU writes
 *	its share, with this_cpu_add(), which needs no lock and is safe
 *	against preemption and interrupts; readers sum all CPUs' shares.
 */
struct toy_stats_pcpu {
	u64 val[TOY_NR_TYPES][TOY_NR_STATS];
};

/**
 * struct toy_stats_net - the counters of one network namespace
 * @pcpu: the per-CPU shares, allocated with the namespace
 * @lock: guards @base; taken by readers and by reset, never by writers
 * @base: the sums at the last reset; readers report sum minus base, so
 *	that a reset never races with writers on other CPUs
 */
struct toy_stats_net {
	struct toy_stats_pcpu __percpu *pcpu;
	spinlock_t lock;	/* guards base */
	u64 base[TOY_NR_TYPES][TOY_NR_STATS];
};

extern unsigned int toy_stats_net_id;

/* The per-CPU counters of @sk's namespace. */
static inline struct toy_stats_pcpu __percpu *
toy_stats_pcpu(const struct sock *sk)
{
	struct toy_stats_net *sn = net_generic(sock_net(sk), toy_stats_net_id);

	return sn->pcpu;
}

/* Add @n to counter @stat of @sk's type in @sk's namespace. */
static inline void toy_stat_add(const struct sock *sk, enum toy_stat stat,
				u64 n)
{
	this_cpu_add(toy_stats_pcpu(sk)->val[toy_type_idx(sk)][stat], n);
}

/*
 * Count one sendmsg() (@bytes_stat TOY_STAT_TX_BYTES) or recvmsg()
 * (TOY_STAT_RX_BYTES) of @sk that moved @bytes: in the socket's own
 * @bytes_ctr and @msgs_ctr, and in its namespace, where the message
 * counter follows the byte counter. Looks the namespace up once.
 */
static inline void toy_count_msg(struct sock *sk, atomic64_t *bytes_ctr,
				 atomic64_t *msgs_ctr, enum toy_stat bytes_stat,
				 u64 bytes)
{
	struct toy_stats_pcpu __percpu *pcpu = toy_stats_pcpu(sk);
	enum toy_type_idx t = toy_type_idx(sk);

	BUILD_BUG_ON(TOY_STAT_TX_MSGS - TOY_STAT_TX_BYTES != 1 ||
		     TOY_STAT_RX_MSGS - TOY_STAT_RX_BYTES != 1);
	atomic64_add(bytes, bytes_ctr);
	atomic64_inc(msgs_ctr);
	this_cpu_add(pcpu->val[t][bytes_stat], bytes);
	this_cpu_inc(pcpu->val[t][bytes_stat + 1]);
}

static inline void toy_count_tx(struct sock *sk, u64 bytes)
{
	struct toy_sock *tsk = toy_sk(sk);

	toy_count_msg(sk, &tsk->tx_bytes, &tsk->tx_msgs, TOY_STAT_TX_BYTES,
		      bytes);
}

static inline void toy_count_rx(struct sock *sk, u64 bytes)
{
	struct toy_sock *tsk = toy_sk(sk);

	toy_count_msg(sk, &tsk->rx_bytes, &tsk->rx_msgs, TOY_STAT_RX_BYTES,
		      bytes);
}

/* main.c */
extern int toy_family;

/* socket.c */
int toy_proto_init(void);
void toy_proto_exit(void);
int toy_create(struct net *net, struct socket *sock, int protocol, int kern);
struct sock *toy_sock_alloc(struct net *net, struct socket *sock, int type,
			    int kern);
int toy_bind(struct socket *sock, struct sockaddr_unsized *uaddr,
	     int addr_len);
int toy_autobind(struct sock *sk);
void toy_unbind(struct sock *sk);
int toy_addr_check(const struct sockaddr_unsized *uaddr, int addr_len);
struct sock *toy_lookup(struct net *net, int type, u32 port);
int toy_getname(struct socket *sock, struct sockaddr *uaddr, int peer);
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

/* stats.c */
int toy_stats_init(void);
void toy_stats_exit(void);
void toy_stats_read(struct net *net,
		    u64 val[TOY_NR_TYPES][TOY_NR_STATS]);
void toy_stats_reset(struct net *net);

/* netlink.c */
int toy_netlink_init(void);
void toy_netlink_exit(void);

/*
 * stream.c, dgram.c: the operations of each socket type. The family number
 * is a load-time parameter and these tables are const, so their .family is
 * PF_UNSPEC: sock_register() takes the number from the net_proto_family in
 * main.c and every sock carries it in sk_family. The 6.1 core reads
 * proto_ops.family only to recognise AF_UNIX sockets (SCM_RIGHTS in
 * net/core/scm.c, the garbage collector in net/unix/garbage.c).
 */
extern const struct proto_ops toy_stream_ops;
extern const struct proto_ops toy_dgram_ops;
void toy_stream_init_sock(struct sock *sk);

#endif /* _AF_TOY_TOY_H */
