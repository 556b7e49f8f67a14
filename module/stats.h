/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY: the counters of each network namespace (stats.c), and the
 * inlines the data paths count with. The counters hang off the
 * namespace's struct toy_net (sock.h), which allocates them, and every
 * socket keeps a pointer to its namespace's: counting costs no lookup.
 */
#ifndef _AF_TOY_STATS_H
#define _AF_TOY_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <net/sock.h>

#include "sock.h"

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
	TOY_STAT_IMPAIR_DROPS,
	TOY_STAT_DUPLICATED,
	TOY_STAT_DELAYED,
	TOY_STAT_REORDERED,
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
 * @pcpu: the per-CPU shares, allocated with the namespace; sockets keep
 *	a copy of the pointer (toy_sock.stats)
 * @lock: guards @base; taken by readers and by reset, never by writers
 * @base: the sums at the last reset; readers report sum minus base, so
 *	that a reset never races with writers on other CPUs
 */
struct toy_stats_net {
	struct toy_stats_pcpu __percpu *pcpu;
	spinlock_t lock;	/* guards base */
	u64 base[TOY_NR_TYPES][TOY_NR_STATS];
};

/* Add @n to counter @stat of @sk's type in @sk's namespace. */
static inline void toy_stat_add(const struct sock *sk, enum toy_stat stat,
				u64 n)
{
	this_cpu_add(toy_sk(sk)->stats->val[toy_type_idx(sk)][stat], n);
}

/*
 * Count one sendmsg() (@bytes_stat TOY_STAT_TX_BYTES) or recvmsg()
 * (TOY_STAT_RX_BYTES) of @sk that moved @bytes: in the socket's own
 * @bytes_ctr and @msgs_ctr, and in its namespace, where the message
 * counter follows the byte counter.
 */
static inline void toy_count_msg(struct sock *sk, atomic64_t *bytes_ctr,
				 atomic64_t *msgs_ctr, enum toy_stat bytes_stat,
				 u64 bytes)
{
	struct toy_stats_pcpu __percpu *pcpu = toy_sk(sk)->stats;
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

struct toy_stats_net *toy_stats_net_alloc(void);
void toy_stats_net_free(struct toy_stats_net *sn);
void toy_stats_read(struct net *net, u64 val[TOY_NR_TYPES][TOY_NR_STATS]);
void toy_stats_reset(struct net *net);

#endif /* _AF_TOY_STATS_H */
