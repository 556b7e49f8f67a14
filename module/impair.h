/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY: seeded impairments of a namespace's datagrams, and the datagrams
 * they hold back for a delay (impair.c).
 */
#ifndef _AF_TOY_IMPAIR_H
#define _AF_TOY_IMPAIR_H

#include <linux/hrtimer.h>
#include <linux/jump_label.h>
#include <linux/rbtree.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

/**
 * struct toy_impair_conf - what a namespace asks its datagrams to suffer
 * @loss: probability of a loss, in millionths
 * @duplicate: probability of a duplicate, in millionths
 * @reorder: probability, in millionths, that a datagram skips @delay_us
 * @delay_us: how long each datagram is held back, in microseconds
 * @jitter_us: each delay is uniform in @delay_us +- @jitter_us
 * @limit: the most datagrams held back at once; 0 on toy_impair_set()
 *	means TOY_IMPAIR_LIMIT_DEFAULT
 * @seed: the seed of the draws; 0 on toy_impair_set() picks one
 */
struct toy_impair_conf {
	u32	loss;
	u32	duplicate;
	u32	reorder;
	u32	delay_us;
	u32	jitter_us;
	u32	limit;
	u64	seed;
};

/**
 * struct toy_impair - the datagram impairments of one namespace
 * @conf: the settings, as set (with the seed picked, if it was 0)
 * @key: siphash key derived from @conf.seed
 * @seq: datagrams drawn for so far; the n-th datagram's draws depend on
 *	@key and n only, so the same seed and sends give the same outcomes
 * @rcu: frees a replaced struct after readers are done
 *
 * Replaced whole by TOY_CMD_IMPAIR_SET (toy_net.impair, RCU); only @seq
 * changes after publication, atomically.
 */
struct toy_impair {
	struct toy_impair_conf	conf;
	siphash_key_t		key;
	atomic64_t		seq;
	struct rcu_head		rcu;
};

/* Delivers a held datagram that is due (dgram.c); may sleep. */
typedef void (*toy_impair_deliver_fn)(struct sk_buff *skb);

/**
 * struct toy_impair_hold - the datagrams a namespace holds back for a delay
 * @lock: guards @held, @count, @limit, @dying and @deliver; taken in
 *	process context only (senders and @work), never by @timer
 * @held: the held skbs by due time (skb->tstamp, CLOCK_MONOTONIC), linked
 *	through skb->rbnode; equal times keep the order they came in. Each
 *	skb stays charged to its sender (sk_wmem_alloc), which keeps the
 *	sender's struct sock, and so its namespace, in memory.
 * @count: the number of skbs in @held, or taken out of it and not yet
 *	delivered or freed (read without the lock by TOY_CMD_IMPAIR_GET)
 * @limit: the most skbs @count may count; set by toy_impair_set()
 * @dying: set at namespace exit; nothing is held after it
 * @deliver: what a due skb is handed to
 * @timer: armed, under @lock, for the earliest due time; it only queues
 *	@work, so it needs no lock of its own
 * @work: takes the due skbs out of @held and delivers them
 */
struct toy_impair_hold {
	spinlock_t		lock;	/* see above */
	struct rb_root_cached	held;
	u32			count;
	u32			limit;
	bool			dying;
	toy_impair_deliver_fn	deliver;
	struct hrtimer		timer;
	struct work_struct	work;
};

/**
 * struct toy_impair_fate - what the impairments do to one datagram
 * @lose: it is lost
 * @duplicate: a copy follows it
 * @reordered: it skipped the delay, overtaking those held
 * @delay_ns: how long it (and its copy) is held back; 0 for not at all
 */
struct toy_impair_fate {
	bool	lose;
	bool	duplicate;
	bool	reordered;
	u64	delay_ns;
};

DECLARE_STATIC_KEY_FALSE(toy_impair_on);

void toy_impair_fate(const struct net *net, struct toy_impair_fate *fate);
int toy_impair_hold(struct net *net, struct sk_buff *skb, u64 delay_ns,
		    toy_impair_deliver_fn deliver);
int toy_impair_set(struct net *net, const struct toy_impair_conf *conf);
bool toy_impair_get(struct net *net, struct toy_impair_conf *conf,
		    u32 *held);
void toy_impair_net_init(struct net *net);
void toy_impair_net_exit(struct net *net);

/**
 * toy_impair_draw() - the fate of the next datagram of @net
 * @net: the sender's namespace
 * @fate: set to what happens to it
 *
 * Costs no more than a patched-out branch while no namespace has
 * impairments set: @fate is then all zero, a plain delivery.
 */
static inline void toy_impair_draw(const struct net *net,
				   struct toy_impair_fate *fate)
{
	memset(fate, 0, sizeof(*fate));
	if (static_branch_unlikely(&toy_impair_on))
		toy_impair_fate(net, fate);
}

#endif /* _AF_TOY_IMPAIR_H */
