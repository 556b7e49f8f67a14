// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: seeded impairments of a namespace's datagrams.
 *
 * SOCK_DGRAM promises best effort: a datagram may be lost, come twice,
 * come late or overtake another. On one host nothing does any of that but
 * a full queue, so a namespace may ask for them (TOY_CMD_IMPAIR_SET,
 * netlink.c), as netem does for a device; Documentation/impairments.md
 * compares the two.
 *
 * Each datagram's fate is drawn from a keyed hash of its sequence number
 * in the namespace: the same seed and the same sends give the same
 * outcomes, and the draw takes no lock. While no namespace has any set,
 * a static key patches the draw out of the send path.
 *
 * A delayed datagram waits in its namespace's struct toy_impair_hold, an
 * rbtree by due time, still charged to its sender: the sender's SO_SNDBUF
 * bounds what it has held back, as a qdisc's packets are charged to the
 * socket that sent them. A high-resolution timer armed for the earliest
 * due time queues a work item, which delivers in process context, where
 * the receiver's locks are taken.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <uapi/linux/af_toy.h>

#include "impair.h"
#include "sock.h"

/* The half of the siphash key that does not come from the seed ("toyimpai"). */
#define TOY_IMPAIR_KEY1		0x746f79696d706169ULL
/* Second argument of the hash whose halves give reorder and jitter. */
#define TOY_IMPAIR_DRAW_TIMING	1
/* Due datagrams taken out per hold of the lock, so that senders never wait long. */
#define TOY_IMPAIR_BATCH	64

DEFINE_STATIC_KEY_FALSE(toy_impair_on);

/* Serialises TOY_CMD_IMPAIR_SET, and the static key's count with it. */
static DEFINE_MUTEX(toy_impair_lock);

/* Does a draw @r, uniform over 32 bits, fall below @ppm millionths? */
static bool toy_impair_hit(u32 r, u32 ppm)
{
	return (u64)r * TOY_IMPAIR_PPM < (u64)ppm << 32;
}

/* A value uniform in 0..@n from a draw @r uniform over 32 bits. */
static u32 toy_impair_scale(u32 r, u32 n)
{
	return ((u64)r * ((u64)n + 1)) >> 32;
}

/**
 * toy_impair_fate() - draw the fate of the next datagram of @net
 * @net: the sender's namespace
 * @fate: zeroed by the caller; set to what the impairments do to it
 *
 * Four independent 32-bit draws: loss and duplicate are the halves of
 * siphash(n), reorder and jitter those of siphash(n, 1).
 */
void toy_impair_fate(const struct net *net, struct toy_impair_fate *fate)
{
	const struct toy_impair_conf *conf;
	struct toy_impair *imp;
	u32 delay_us;
	u64 n, r;

	rcu_read_lock();
	imp = rcu_dereference(toy_net(net)->impair);
	if (!imp)
		goto out;
	conf = &imp->conf;
	n = atomic64_inc_return(&imp->seq);
	r = siphash_1u64(n, &imp->key);
	if (toy_impair_hit(lower_32_bits(r), conf->loss)) {
		fate->lose = true;
		goto out;
	}
	fate->duplicate = toy_impair_hit(upper_32_bits(r), conf->duplicate);
	if (!conf->delay_us)
		goto out;
	r = siphash_2u64(n, TOY_IMPAIR_DRAW_TIMING, &imp->key);
	if (toy_impair_hit(lower_32_bits(r), conf->reorder)) {
		fate->reordered = true;
		goto out;
	}
	/* jitter <= delay (netlink.c checks), so this is never negative */
	delay_us = conf->delay_us - conf->jitter_us +
		   toy_impair_scale(upper_32_bits(r), 2 * conf->jitter_us);
	fate->delay_ns = (u64)delay_us * NSEC_PER_USEC;
out:
	rcu_read_unlock();
}

/**
 * toy_impair_hold() - hold @skb back for @delay_ns, then hand it on
 * @net: the namespace whose impairments delay it
 * @skb: the datagram, charged to its sender (skb->sk), which stays so;
 *	once held, it is no longer the caller's to touch
 * @delay_ns: how long, from now
 * @deliver: what @skb is handed to when it is due, in process context
 *
 * Return: 0 when held; with @skb still the caller's, -ENOBUFS when the
 * namespace holds its limit already, -ESHUTDOWN when it is going away.
 */
int toy_impair_hold(struct net *net, struct sk_buff *skb, u64 delay_ns,
		    toy_impair_deliver_fn deliver)
{
	struct toy_impair_hold *h = &toy_net(net)->hold;
	struct rb_node **link, *parent = NULL;
	ktime_t due = ktime_add_ns(ktime_get(), delay_ns);
	bool leftmost = true;
	int err = 0;

	spin_lock(&h->lock);
	if (h->dying)
		err = -ESHUTDOWN;
	else if (h->count >= h->limit)
		err = -ENOBUFS;
	if (err) {
		spin_unlock(&h->lock);
		return err;
	}
	skb->tstamp = due;
	link = &h->held.rb_root.rb_node;
	while (*link) {
		parent = *link;
		if (due < rb_to_skb(parent)->tstamp) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&skb->rbnode, parent, link);
	rb_insert_color_cached(&skb->rbnode, &h->held, leftmost);
	WRITE_ONCE(h->count, h->count + 1);
	h->deliver = deliver;
	if (leftmost)
		hrtimer_start(&h->timer, due, HRTIMER_MODE_ABS);
	spin_unlock(&h->lock);
	return 0;
}

/* The earliest held datagram is due: deliver in process context. */
static enum hrtimer_restart toy_impair_timer(struct hrtimer *timer)
{
	struct toy_impair_hold *h = container_of(timer, struct toy_impair_hold,
						 timer);

	/* unbound: a long batch of deliveries keeps no CPU's other work waiting */
	queue_work(system_unbound_wq, &h->work);
	return HRTIMER_NORESTART;
}

/*
 * Take @skb out of @h->held. Caller holds @h->lock. It still counts in
 * @h->count until it is delivered or freed (toy_impair_unhold_done()).
 */
static void toy_impair_unhold(struct toy_impair_hold *h, struct sk_buff *skb)
{
	rb_erase_cached(&skb->rbnode, &h->held);
	/* the node overlaid skb->next, ->prev and ->dev: clear what it left */
	skb->dev = NULL;
}

/* @n datagrams taken out of @h are delivered or freed: uncount them. */
static void toy_impair_unhold_done(struct toy_impair_hold *h, unsigned int n)
{
	spin_lock(&h->lock);
	WRITE_ONCE(h->count, h->count - n);
	spin_unlock(&h->lock);
}

/*
 * Take up to TOY_IMPAIR_BATCH datagrams due by @now out of @h onto @due,
 * oldest first. When the earliest left is not due yet, arm the timer for
 * it. Caller holds @h->lock. Returns how many were taken.
 */
static unsigned int toy_impair_take_due(struct toy_impair_hold *h,
					ktime_t now, struct sk_buff_head *due)
{
	unsigned int n = 0;
	struct rb_node *node;
	struct sk_buff *skb;

	while (n < TOY_IMPAIR_BATCH && (node = rb_first_cached(&h->held))) {
		skb = rb_to_skb(node);
		if (skb->tstamp > now) {
			if (!h->dying)
				hrtimer_start(&h->timer, skb->tstamp,
					      HRTIMER_MODE_ABS);
			break;
		}
		toy_impair_unhold(h, skb);
		__skb_queue_tail(due, skb);
		n++;
	}
	return n;
}

static void toy_impair_work(struct work_struct *work)
{
	struct toy_impair_hold *h = container_of(work, struct toy_impair_hold,
						 work);
	toy_impair_deliver_fn deliver;
	struct sk_buff_head due;
	struct sk_buff *skb;
	ktime_t now = ktime_get();
	unsigned int n;

	__skb_queue_head_init(&due);
	do {
		spin_lock(&h->lock);
		n = toy_impair_take_due(h, now, &due);
		deliver = h->deliver;
		spin_unlock(&h->lock);

		while ((skb = __skb_dequeue(&due))) {
			/* received datagrams are stamped when read */
			skb->tstamp = 0;
			deliver(skb);
		}
		/* only now: "held" falls to 0 when every one has arrived */
		if (n)
			toy_impair_unhold_done(h, n);
		cond_resched();
	} while (n == TOY_IMPAIR_BATCH);
}

/**
 * toy_impair_set() - replace the datagram impairments of @net
 * @net: the namespace
 * @conf: the new settings, checked by the caller (netlink.c); all zero
 *	but the seed clears them
 *
 * The draws start again from the first datagram. Datagrams held back
 * keep their due times.
 *
 * Return: 0, or -ENOMEM.
 */
int toy_impair_set(struct net *net, const struct toy_impair_conf *conf)
{
	struct toy_net *tn = toy_net(net);
	struct toy_impair *imp = NULL, *old;
	u64 seed = conf->seed;

	if (conf->loss || conf->duplicate || conf->delay_us) {
		imp = kzalloc(sizeof(*imp), GFP_KERNEL);
		if (!imp)
			return -ENOMEM;
		while (!seed)
			seed = get_random_u64();
		imp->conf = *conf;
		imp->conf.seed = seed;
		if (!imp->conf.limit)
			imp->conf.limit = TOY_IMPAIR_LIMIT_DEFAULT;
		imp->key.key[0] = seed;
		imp->key.key[1] = TOY_IMPAIR_KEY1;
		atomic64_set(&imp->seq, 0);
	}

	mutex_lock(&toy_impair_lock);
	spin_lock(&tn->hold.lock);
	WRITE_ONCE(tn->hold.limit, conf->limit ?: TOY_IMPAIR_LIMIT_DEFAULT);
	spin_unlock(&tn->hold.lock);
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
 * @conf: set to the settings; all zero but the limit when none is set
 * @held: set to the number of datagrams held back now, or being delivered
 *
 * Return: true when any is set.
 */
bool toy_impair_get(struct net *net, struct toy_impair_conf *conf,
		    u32 *held)
{
	struct toy_net *tn = toy_net(net);
	struct toy_impair *imp;

	memset(conf, 0, sizeof(*conf));
	*held = READ_ONCE(tn->hold.count);
	rcu_read_lock();
	imp = rcu_dereference(tn->impair);
	if (imp)
		*conf = imp->conf;
	rcu_read_unlock();
	/* the limit in force, also when it was set with nothing else */
	conf->limit = READ_ONCE(tn->hold.limit);
	return imp;
}

/**
 * toy_impair_net_init() - a new namespace holds nothing back
 * @net: the namespace
 */
void toy_impair_net_init(struct net *net)
{
	struct toy_impair_hold *h = &toy_net(net)->hold;

	spin_lock_init(&h->lock);
	h->held = RB_ROOT_CACHED;
	h->limit = TOY_IMPAIR_LIMIT_DEFAULT;
	hrtimer_setup(&h->timer, toy_impair_timer, CLOCK_MONOTONIC,
		      HRTIMER_MODE_ABS);
	INIT_WORK(&h->work, toy_impair_work);
}

/**
 * toy_impair_net_exit() - forget the impairments of a namespace going away
 * @net: the namespace
 *
 * Every held datagram keeps its sender's socket, and so the namespace,
 * alive until it is delivered: a namespace exits with nothing held, and
 * the module (pinned by every socket) cannot go while anything is. What
 * is left to do is to wait for the timer and the work item to finish.
 * Should a kernel socket have left datagrams held, they are freed.
 */
void toy_impair_net_exit(struct net *net)
{
	static const struct toy_impair_conf none;
	struct toy_impair_hold *h = &toy_net(net)->hold;
	struct sk_buff_head left;
	struct rb_node *node;

	toy_impair_set(net, &none);
	__skb_queue_head_init(&left);
	spin_lock(&h->lock);
	h->dying = true;
	while ((node = rb_first_cached(&h->held))) {
		toy_impair_unhold(h, rb_to_skb(node));
		__skb_queue_tail(&left, rb_to_skb(node));
	}
	spin_unlock(&h->lock);
	hrtimer_cancel(&h->timer);
	cancel_work_sync(&h->work);
	toy_impair_unhold_done(h, skb_queue_len(&left));
	__skb_queue_purge(&left);
}
