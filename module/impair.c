// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: seeded impairments of a namespace's datagrams.
 *
 * SOCK_DGRAM promises best effort: a datagram may be lost or come twice.
 * On one host nothing does either but a full queue, so a namespace may ask
 * for them (TOY_CMD_IMPAIR_SET, netlink.c), as netem does for a device.
 * Each datagram's fate is drawn from a keyed hash of its sequence number
 * in the namespace: the same seed and the same sends give the same
 * outcomes, and the draw takes no lock. While no namespace has any set,
 * a static key patches the draw out of the send path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <uapi/linux/af_toy.h>

#include "impair.h"
#include "sock.h"

/* The half of the siphash key that does not come from the seed ("toyimpai"). */
#define TOY_IMPAIR_KEY1		0x746f79696d706169ULL

DEFINE_STATIC_KEY_FALSE(toy_impair_on);

/* Serialises TOY_CMD_IMPAIR_SET, and the static key's count with it. */
static DEFINE_MUTEX(toy_impair_lock);

/* Does a draw @r, uniform over 32 bits, fall below @ppm millionths? */
static bool toy_impair_hit(u32 r, u32 ppm)
{
	return (u64)r * TOY_IMPAIR_PPM < (u64)ppm << 32;
}

/**
 * toy_impair_fate() - draw the fate of the next datagram of @net
 * @net: the sender's namespace
 *
 * Return: what the namespace's impairments do to the datagram.
 */
enum toy_impair_fate toy_impair_fate(const struct net *net)
{
	enum toy_impair_fate fate = TOY_IMPAIR_DELIVER;
	struct toy_impair *imp;
	u64 r;

	rcu_read_lock();
	imp = rcu_dereference(toy_net(net)->impair);
	if (imp) {
		/* two independent draws: the hash's two halves */
		r = siphash_1u64(atomic64_inc_return(&imp->seq), &imp->key);
		if (toy_impair_hit(lower_32_bits(r), imp->loss))
			fate = TOY_IMPAIR_LOSE;
		else if (toy_impair_hit(upper_32_bits(r), imp->duplicate))
			fate = TOY_IMPAIR_DUPLICATE;
	}
	rcu_read_unlock();
	return fate;
}

/**
 * toy_impair_set() - replace the datagram impairments of @net
 * @net: the namespace
 * @loss: probability of a loss, in millionths (at most TOY_IMPAIR_PPM)
 * @duplicate: probability of a duplicate, in millionths
 * @seed: the seed of the draws; 0 picks one
 *
 * All zero clears them. The draws start again from the first datagram.
 *
 * Return: 0, or -ENOMEM.
 */
int toy_impair_set(struct net *net, u32 loss, u32 duplicate, u64 seed)
{
	struct toy_net *tn = toy_net(net);
	struct toy_impair *imp = NULL, *old;

	if (loss || duplicate) {
		imp = kzalloc(sizeof(*imp), GFP_KERNEL);
		if (!imp)
			return -ENOMEM;
		while (!seed)
			seed = get_random_u64();
		imp->loss = loss;
		imp->duplicate = duplicate;
		imp->seed = seed;
		imp->key.key[0] = seed;
		imp->key.key[1] = TOY_IMPAIR_KEY1;
		atomic64_set(&imp->seq, 0);
	}

	mutex_lock(&toy_impair_lock);
	old = rcu_replace_pointer(tn->impair, imp,
				  lockdep_is_held(&toy_impair_lock));
	if (imp && !old)
		static_branch_inc(&toy_impair_on);
	else if (!imp && old)
		static_branch_dec(&toy_impair_on);
	mutex_unlock(&toy_impair_lock);

	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/**
 * toy_impair_get() - the datagram impairments of @net
 * @net: the namespace
 * @loss: set to the probability of a loss, in millionths
 * @duplicate: set to the probability of a duplicate, in millionths
 * @seed: set to the seed
 *
 * Return: true when any is set; false, with all three 0, when none is.
 */
bool toy_impair_get(struct net *net, u32 *loss, u32 *duplicate, u64 *seed)
{
	struct toy_impair *imp;

	*loss = 0;
	*duplicate = 0;
	*seed = 0;
	rcu_read_lock();
	imp = rcu_dereference(toy_net(net)->impair);
	if (imp) {
		*loss = imp->loss;
		*duplicate = imp->duplicate;
		*seed = imp->seed;
	}
	rcu_read_unlock();
	return imp;
}

/**
 * toy_impair_net_exit() - forget the impairments of a namespace going away
 * @net: the namespace, with no socket left
 */
void toy_impair_net_exit(struct net *net)
{
	toy_impair_set(net, 0, 0, 0);
}
