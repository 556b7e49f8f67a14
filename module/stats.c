// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: the counters of each network namespace.
 *
 * Senders and receivers count with toy_stat_add() (stats.h): a this_cpu_add()
 * on the CPU's own share of the namespace's counters, with no lock and no
 * atomic instruction shared between CPUs. Readers sum the shares of every
 * possible CPU. A reset does not write to the shares, which other CPUs may
 * be updating at that moment; it records the current sums as a base that
 * later reads subtract, so no count is lost or torn by a reset.
 *
 * The counters are 64 bits. A read on a 32-bit machine could see a torn
 * share; AF_TOY is built and tested on x86_64, where it cannot.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/net_namespace.h>

#include "stats.h"

/**
 * toy_stats_net_alloc() - the counters of a new namespace, all zero
 *
 * Called by the namespace's init (sock.c, toy_net_init()).
 *
 * Return: the counters, or NULL when out of memory.
 */
struct toy_stats_net *toy_stats_net_alloc(void)
{
	struct toy_stats_net *sn = kzalloc(sizeof(*sn), GFP_KERNEL);

	if (!sn)
		return NULL;
	sn->pcpu = alloc_percpu(struct toy_stats_pcpu);
	if (!sn->pcpu)
		goto err_free;
	spin_lock_init(&sn->lock);
	return sn;

err_free:
	kfree(sn);
	return NULL;
}

/**
 * toy_stats_net_free() - free the counters of a namespace going away
 * @sn: its counters; no socket of the namespace is left to count
 */
void toy_stats_net_free(struct toy_stats_net *sn)
{
	free_percpu(sn->pcpu);
	kfree(sn);
}

/* The sums of all CPUs' shares, without the base. */
static void toy_stats_sum(struct toy_stats_net *sn,
			  u64 sum[TOY_NR_TYPES][TOY_NR_STATS])
{
	unsigned int cpu, t, s;

	memset(sum, 0, sizeof(u64) * TOY_NR_TYPES * TOY_NR_STATS);
	for_each_possible_cpu(cpu) {
		const struct toy_stats_pcpu *c = per_cpu_ptr(sn->pcpu, cpu);

		for (t = 0; t < TOY_NR_TYPES; t++)
			for (s = 0; s < TOY_NR_STATS; s++)
				sum[t][s] += READ_ONCE(c->val[t][s]);
	}
}

/**
 * toy_stats_read() - the counters of @net since its last reset
 * @net: the namespace
 * @val: filled with the counters by type and &enum toy_stat
 */
void toy_stats_read(struct net *net, u64 val[TOY_NR_TYPES][TOY_NR_STATS])
{
	struct toy_stats_net *sn = toy_net(net)->stats;
	unsigned int t, s;

	spin_lock(&sn->lock);
	toy_stats_sum(sn, val);
	for (t = 0; t < TOY_NR_TYPES; t++)
		for (s = 0; s < TOY_NR_STATS; s++)
			val[t][s] -= sn->base[t][s];
	spin_unlock(&sn->lock);
}

/**
 * toy_stats_reset() - start the counters of @net from zero
 * @net: the namespace
 */
void toy_stats_reset(struct net *net)
{
	struct toy_stats_net *sn = toy_net(net)->stats;

	spin_lock(&sn->lock);
	toy_stats_sum(sn, sn->base);
	spin_unlock(&sn->lock);
}
