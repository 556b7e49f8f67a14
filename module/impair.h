/* SPDX-License-Identifier: GPL-2.0 */
/* AF_TOY: seeded impairments of a namespace's datagrams (impair.c). */
#ifndef _AF_TOY_IMPAIR_H
#define _AF_TOY_IMPAIR_H

#include <linux/jump_label.h>
#include <linux/siphash.h>
#include <linux/types.h>
#include <net/net_namespace.h>

/**
 * struct toy_impair - the datagram impairments of one namespace
 * @loss: probability of a loss, in millionths
 * @duplicate: probability of a duplicate, in millionths
 * @seed: the seed they were set with (reported by TOY_CMD_IMPAIR_GET)
 * @key: siphash key derived from @seed
 * @seq: datagrams drawn for so far; the n-th datagram's draws depend on
 *	@key and n only, so the same seed and sends give the same outcomes
 * @rcu: frees a replaced struct after readers are done
 *
 * Replaced whole by TOY_CMD_IMPAIR_SET (toy_net.impair, RCU); only @seq
 * changes after publication, atomically.
 */
struct toy_impair {
	u32		loss;
	u32		duplicate;
	u64		seed;
	siphash_key_t	key;
	atomic64_t	seq;
	struct rcu_head	rcu;
};

/* What the impairments do to one datagram. */
enum toy_impair_fate {
	TOY_IMPAIR_DELIVER,
	TOY_IMPAIR_LOSE,
	TOY_IMPAIR_DUPLICATE,
};

DECLARE_STATIC_KEY_FALSE(toy_impair_on);

enum toy_impair_fate toy_impair_fate(const struct net *net);
int toy_impair_set(struct net *net, u32 loss, u32 duplicate, u64 seed);
bool toy_impair_get(struct net *net, u32 *loss, u32 *duplicate, u64 *seed);
void toy_impair_net_exit(struct net *net);

/**
 * toy_impair_draw() - the fate of the next datagram of @net
 * @net: the sender's namespace
 *
 * Return: %TOY_IMPAIR_DELIVER at no cost but a patched-out branch while
 * no namespace has impairments set.
 */
static inline enum toy_impair_fate toy_impair_draw(const struct net *net)
{
	if (static_branch_unlikely(&toy_impair_on))
		return toy_impair_fate(net);
	return TOY_IMPAIR_DELIVER;
}

#endif /* _AF_TOY_IMPAIR_H */
