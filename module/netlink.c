// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: the "af_toy" generic netlink family.
 *
 * TOY_CMD_STATS_GET answers with the counters of the caller's namespace
 * (stats.c) and gauges of its open sockets by type and state, counted by
 * walking the namespace's socket list: the reader pays for them, not the
 * data path. TOY_CMD_SOCK_GET dumps that list, one message per socket;
 * when sockets come or go between two parts of a dump, the later messages
 * carry NLM_F_DUMP_INTR. TOY_CMD_STATS_RESET zeroes the counters.
 * toy_nl_event() multicasts one socket's event, with the dump's
 * attributes, to the "events" group (event.c decides when).
 *
 * Every command is validated by the genetlink core against its own policy,
 * strictly (resv_start_op 0): a command that takes no attribute rejects
 * all, and a filter of the wrong type or length is refused with an extack
 * message naming it. The family is netnsok; every handler looks only at
 * the namespace of the requesting socket. The handlers take no lock of
 * their own besides the socket list's and the counters', so the family
 * runs with parallel_ops, outside the global genl_mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "impair.h"
#include "netlink.h"
#include "sock.h"
#include "stats.h"

/* TOY_CMD_SOCK_GET takes an optional type and port to match. */
static const struct nla_policy toy_sock_get_policy[TOY_SOCK_A_MAX + 1] = {
	/* the largest type here; toy_nl_sock_dump() refuses the others */
	[TOY_SOCK_A_TYPE]	= NLA_POLICY_MAX(NLA_U16, SOCK_SEQPACKET),
	[TOY_SOCK_A_PORT]	= { .type = NLA_U32 },
};

/* Which types' nests carry an attribute of enum toy_type_attr. */
#define TOY_IN_STREAM	BIT(TOY_IDX_STREAM)
#define TOY_IN_DGRAM	BIT(TOY_IDX_DGRAM)
#define TOY_IN_CONN	(TOY_IN_STREAM | BIT(TOY_IDX_SEQPACKET))
#define TOY_IN_ALL	(TOY_IN_CONN | TOY_IN_DGRAM)

/* No counter: the attribute is a gauge, counted by toy_count_sock(). */
#define TOY_GAUGE	(-1)

/**
 * struct toy_type_field - one attribute of a type's nest in STATS_GET
 * @attr: the &enum toy_type_attr
 * @stat: the &enum toy_stat it reports, or %TOY_GAUGE
 * @types: the types whose nest carries it (%TOY_IN_STREAM, ...)
 */
struct toy_type_field {
	u16 attr;
	s8 stat;
	u8 types;
};

/* The nest of each type, in attribute order. */
static const struct toy_type_field toy_type_fields[] = {
	{ TOY_TYPE_A_SOCKETS, TOY_GAUGE, TOY_IN_ALL },
	{ TOY_TYPE_A_UNCONNECTED, TOY_GAUGE, TOY_IN_ALL },
	{ TOY_TYPE_A_LISTENING, TOY_GAUGE, TOY_IN_CONN },
	{ TOY_TYPE_A_CONNECTED, TOY_GAUGE, TOY_IN_ALL },
	{ TOY_TYPE_A_ESTABLISHED, TOY_STAT_ESTABLISHED, TOY_IN_ALL },
	{ TOY_TYPE_A_REFUSED, TOY_STAT_REFUSED, TOY_IN_ALL },
	{ TOY_TYPE_A_BACKLOG_OVERFLOWS, TOY_STAT_BACKLOG_OVERFLOWS, TOY_IN_CONN },
	{ TOY_TYPE_A_TX_BYTES, TOY_STAT_TX_BYTES, TOY_IN_ALL },
	{ TOY_TYPE_A_TX_MSGS, TOY_STAT_TX_MSGS, TOY_IN_ALL },
	{ TOY_TYPE_A_RX_BYTES, TOY_STAT_RX_BYTES, TOY_IN_ALL },
	{ TOY_TYPE_A_RX_MSGS, TOY_STAT_RX_MSGS, TOY_IN_ALL },
	{ TOY_TYPE_A_DROPS, TOY_STAT_DROPS, TOY_IN_DGRAM },
	{ TOY_TYPE_A_DIRECT_BYTES, TOY_STAT_DIRECT_BYTES, TOY_IN_STREAM },
	{ TOY_TYPE_A_IMPAIR_DROPS, TOY_STAT_IMPAIR_DROPS, TOY_IN_DGRAM },
	{ TOY_TYPE_A_DUPLICATED, TOY_STAT_DUPLICATED, TOY_IN_DGRAM },
	{ TOY_TYPE_A_DELAYED, TOY_STAT_DELAYED, TOY_IN_DGRAM },
	{ TOY_TYPE_A_REORDERED, TOY_STAT_REORDERED, TOY_IN_DGRAM },
};

/* What STATS_GET reports: by type, the value of each enum toy_type_attr. */
struct toy_stats_report {
	u64 val[TOY_NR_TYPES][TOY_TYPE_A_MAX + 1];
};

/* The gauge attribute of each state. */
static const u16 toy_state_attr[__TOY_STATE_MAX] = {
	[TOY_STATE_UNCONNECTED]	= TOY_TYPE_A_UNCONNECTED,
	[TOY_STATE_LISTEN]	= TOY_TYPE_A_LISTENING,
	[TOY_STATE_CONNECTED]	= TOY_TYPE_A_CONNECTED,
};

/* toy_sock_walk() visitor: count the sockets by type and state. */
static int toy_count_sock(struct sock *sk, void *arg)
{
	struct toy_stats_report *report = arg;
	u64 *val = report->val[toy_type_idx(sk)];

	val[TOY_TYPE_A_SOCKETS]++;
	val[toy_state_attr[toy_sock_state(sk)]]++;
	return 0;
}

/* The counters of @net, and its sockets counted by type and state. */
static void toy_stats_report(struct net *net, struct toy_stats_report *r)
{
	u64 stat[TOY_NR_TYPES][TOY_NR_STATS];
	struct toy_sock_cursor pos = {};
	unsigned int t, i;

	toy_stats_read(net, stat);
	for (t = 0; t < TOY_NR_TYPES; t++)
		for (i = 0; i < ARRAY_SIZE(toy_type_fields); i++)
			if (toy_type_fields[i].stat != TOY_GAUGE)
				r->val[t][toy_type_fields[i].attr] =
					stat[t][toy_type_fields[i].stat];
	toy_sock_walk(net, &pos, toy_count_sock, r);
}

static int toy_put_u64(struct sk_buff *skb, int attr, u64 value)
{
	return nla_put_u64_64bit(skb, attr, value, TOY_TYPE_A_PAD);
}

/* The nest @attr of type @t: the attributes that apply to the type. */
static int toy_put_type(struct sk_buff *skb, int attr,
			const struct toy_stats_report *r, enum toy_type_idx t)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(toy_type_fields); i++) {
		const struct toy_type_field *f = &toy_type_fields[i];

		if (!(f->types & BIT(t)))
			continue;
		if (toy_put_u64(skb, f->attr, r->val[t][f->attr])) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static struct genl_family toy_genl_family;

static int toy_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct toy_stats_report report = {};
	struct sk_buff *msg;
	void *hdr;

	toy_stats_report(genl_info_net(info), &report);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &toy_genl_family, 0,
				TOY_CMD_STATS_GET);
	if (!hdr)
		goto err_size;
	if (nla_put_u32(msg, TOY_STATS_A_FAMILY, toy_family) ||
	    toy_put_type(msg, TOY_STATS_A_STREAM, &report, TOY_IDX_STREAM) ||
	    toy_put_type(msg, TOY_STATS_A_DGRAM, &report, TOY_IDX_DGRAM) ||
	    toy_put_type(msg, TOY_STATS_A_SEQPACKET, &report,
			 TOY_IDX_SEQPACKET))
		goto err_size;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_size:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/*
 * Probabilities are in millionths, delays in microseconds: the core
 * refuses more than one, or than ten seconds. Not const: 6.1's
 * NLA_POLICY_FULL_RANGE() takes a plain pointer.
 */
static struct netlink_range_validation toy_impair_ppm_range __ro_after_init = {
	.max	= TOY_IMPAIR_PPM,
};

static struct netlink_range_validation toy_impair_us_range __ro_after_init = {
	.max	= TOY_IMPAIR_DELAY_MAX,
};

static struct netlink_range_validation toy_impair_limit_range __ro_after_init = {
	.max	= TOY_IMPAIR_LIMIT_MAX,
};

static const struct nla_policy toy_impair_policy[TOY_IMPAIR_A_MAX + 1] = {
	[TOY_IMPAIR_A_LOSS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						    &toy_impair_ppm_range),
	[TOY_IMPAIR_A_DUPLICATE] = NLA_POLICY_FULL_RANGE(NLA_U32,
							 &toy_impair_ppm_range),
	[TOY_IMPAIR_A_SEED] = { .type = NLA_U64 },
	[TOY_IMPAIR_A_DELAY] = NLA_POLICY_FULL_RANGE(NLA_U32,
						     &toy_impair_us_range),
	[TOY_IMPAIR_A_JITTER] = NLA_POLICY_FULL_RANGE(NLA_U32,
						      &toy_impair_us_range),
	[TOY_IMPAIR_A_REORDER] = NLA_POLICY_FULL_RANGE(NLA_U32,
						       &toy_impair_ppm_range),
	[TOY_IMPAIR_A_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U32,
						     &toy_impair_limit_range),
	[TOY_IMPAIR_A_HELD] = {
		.type = NLA_REJECT,
		.reject_message = "HELD is reported by IMPAIR_GET, not set",
	},
};

static int toy_nl_impair_get(struct sk_buff *skb, struct genl_info *info)
{
	struct toy_impair_conf conf;
	struct sk_buff *msg;
	void *hdr;
	u32 held;

	toy_impair_get(genl_info_net(info), &conf, &held);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &toy_genl_family, 0,
				TOY_CMD_IMPAIR_GET);
	if (!hdr ||
	    nla_put_u32(msg, TOY_IMPAIR_A_LOSS, conf.loss) ||
	    nla_put_u32(msg, TOY_IMPAIR_A_DUPLICATE, conf.duplicate) ||
	    nla_put_u32(msg, TOY_IMPAIR_A_DELAY, conf.delay_us) ||
	    nla_put_u32(msg, TOY_IMPAIR_A_JITTER, conf.jitter_us) ||
	    nla_put_u32(msg, TOY_IMPAIR_A_REORDER, conf.reorder) ||
	    nla_put_u32(msg, TOY_IMPAIR_A_HELD, held) ||
	    nla_put_u32(msg, TOY_IMPAIR_A_LIMIT, conf.limit) ||
	    nla_put_u64_64bit(msg, TOY_IMPAIR_A_SEED, conf.seed,
			      TOY_IMPAIR_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static u32 toy_nl_u32_or_0(struct genl_info *info, int attr)
{
	return info->attrs[attr] ? nla_get_u32(info->attrs[attr]) : 0;
}

static int toy_nl_impair_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *seed = info->attrs[TOY_IMPAIR_A_SEED];
	struct toy_impair_conf conf = {
		.loss		= toy_nl_u32_or_0(info, TOY_IMPAIR_A_LOSS),
		.duplicate	= toy_nl_u32_or_0(info, TOY_IMPAIR_A_DUPLICATE),
		.reorder	= toy_nl_u32_or_0(info, TOY_IMPAIR_A_REORDER),
		.delay_us	= toy_nl_u32_or_0(info, TOY_IMPAIR_A_DELAY),
		.jitter_us	= toy_nl_u32_or_0(info, TOY_IMPAIR_A_JITTER),
		.limit		= toy_nl_u32_or_0(info, TOY_IMPAIR_A_LIMIT),
		.seed		= seed ? nla_get_u64(seed) : 0,
	};

	/* the core checked CAP_NET_ADMIN over the namespace (UNS_ADMIN_PERM) */
	if (conf.jitter_us > conf.delay_us) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[TOY_IMPAIR_A_JITTER],
				    "jitter exceeds the delay");
		return -EINVAL;
	}
	if (conf.reorder && !conf.delay_us) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[TOY_IMPAIR_A_REORDER],
				    "reordering needs a delay to skip");
		return -EINVAL;
	}
	return toy_impair_set(genl_info_net(info), &conf);
}

static int toy_nl_stats_reset(struct sk_buff *skb, struct genl_info *info)
{
	/* the core checked CAP_NET_ADMIN over the namespace (UNS_ADMIN_PERM) */
	toy_stats_reset(genl_info_net(info));
	return 0;
}

/**
 * struct toy_dump_ctx - one part of a TOY_CMD_SOCK_GET dump
 * @skb: the message being filled
 * @cb: the dump's callback state
 * @user_ns: the requester's user namespace, for the uid
 * @type: dump only sockets of this type, or 0 for all
 * @port: dump only sockets with this local port, if @match_port
 * @match_port: whether @port applies
 */
struct toy_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct user_namespace *user_ns;
	u16 type;
	u32 port;
	bool match_port;
};

/* The two queue sizes ss would show for @sk; see enum toy_sock_attr. */
static void toy_sock_queues(struct sock *sk, u32 *rx, u32 *tx)
{
	struct sock *peer;

	if (sk->sk_type == SOCK_DGRAM) {
		*rx = sk_rmem_alloc_get(sk);
		*tx = sk_wmem_alloc_get(sk);
		return;
	}
	if (READ_ONCE(sk->sk_state) == TCP_LISTEN) {
		*rx = READ_ONCE(sk->sk_ack_backlog);
		*tx = READ_ONCE(sk->sk_max_ack_backlog);
		return;
	}
	*rx = READ_ONCE(toy_sk(sk)->rx_unread);
	*tx = 0;
	/* @sk is listed: its release has not dropped @peer yet */
	peer = READ_ONCE(toy_sk(sk)->peer);
	if (peer)
		*tx = READ_ONCE(toy_sk(peer)->rx_unread);
}

/*
 * The peer's port of a connected @sk, or false when it has none. A stream
 * peer keeps its port after it closed, as getpeername() reports it.
 */
static bool toy_sock_peer_port(struct sock *sk, u32 *port)
{
	struct toy_sock *tsk = toy_sk(sk);
	struct sock *peer;
	bool connected;

	if (sk->sk_type == SOCK_DGRAM) {
		*port = READ_ONCE(tsk->peer_port);
		return *port;
	}
	/* @sk is listed: its release has not dropped @peer yet */
	peer = READ_ONCE(tsk->peer);
	connected = peer;
	if (peer)
		*port = READ_ONCE(toy_sk(peer)->port);
	return connected;
}

/* Which socket it is: type, ports, state, owner and identities. */
static int toy_put_sock_id(struct sk_buff *skb, struct sock *sk,
			   struct user_namespace *user_ns)
{
	u32 peer_port;

	if (nla_put_u16(skb, TOY_SOCK_A_TYPE, sk->sk_type) ||
	    nla_put_u32(skb, TOY_SOCK_A_PORT, READ_ONCE(toy_sk(sk)->port)) ||
	    nla_put_u8(skb, TOY_SOCK_A_STATE, toy_sock_state(sk)))
		return -EMSGSIZE;
	if (toy_sock_peer_port(sk, &peer_port) &&
	    nla_put_u32(skb, TOY_SOCK_A_PEER_PORT, peer_port))
		return -EMSGSIZE;
	if (nla_put_u8(skb, TOY_SOCK_A_SHUTDOWN, READ_ONCE(sk->sk_shutdown)) ||
	    nla_put_u64_64bit(skb, TOY_SOCK_A_INODE, sock_i_ino(sk),
			      TOY_SOCK_A_PAD) ||
	    nla_put_u64_64bit(skb, TOY_SOCK_A_COOKIE, toy_sock_cookie(sk),
			      TOY_SOCK_A_PAD) ||
	    nla_put_u32(skb, TOY_SOCK_A_UID,
			from_kuid_munged(user_ns, sk_uid(sk))))
		return -EMSGSIZE;
	return 0;
}

/* Its queues and buffer sizes. */
static int toy_put_sock_queues(struct sk_buff *skb, struct sock *sk)
{
	u32 rx_queue, tx_queue;

	toy_sock_queues(sk, &rx_queue, &tx_queue);
	if (nla_put_u32(skb, TOY_SOCK_A_RX_QUEUE, rx_queue) ||
	    nla_put_u32(skb, TOY_SOCK_A_TX_QUEUE, tx_queue) ||
	    nla_put_u32(skb, TOY_SOCK_A_RCVBUF, READ_ONCE(sk->sk_rcvbuf)) ||
	    nla_put_u32(skb, TOY_SOCK_A_SNDBUF, READ_ONCE(sk->sk_sndbuf)))
		return -EMSGSIZE;
	return 0;
}

/* Its own counters. */
static int toy_put_sock_counters(struct sk_buff *skb, struct sock *sk)
{
	struct toy_sock *tsk = toy_sk(sk);

	if (nla_put_u64_64bit(skb, TOY_SOCK_A_TX_BYTES,
			      atomic64_read(&tsk->tx_bytes), TOY_SOCK_A_PAD) ||
	    nla_put_u64_64bit(skb, TOY_SOCK_A_TX_MSGS,
			      atomic64_read(&tsk->tx_msgs), TOY_SOCK_A_PAD) ||
	    nla_put_u64_64bit(skb, TOY_SOCK_A_RX_BYTES,
			      atomic64_read(&tsk->rx_bytes), TOY_SOCK_A_PAD) ||
	    nla_put_u64_64bit(skb, TOY_SOCK_A_RX_MSGS,
			      atomic64_read(&tsk->rx_msgs), TOY_SOCK_A_PAD))
		return -EMSGSIZE;
	if (sk->sk_type == SOCK_DGRAM &&
	    nla_put_u64_64bit(skb, TOY_SOCK_A_DROPS,
			      (u32)atomic_read(&sk->sk_drops), TOY_SOCK_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* What the dump reports of @sk: who it is, its queues, its counters. */
static int toy_put_sock(struct sk_buff *skb, struct sock *sk,
			struct user_namespace *user_ns)
{
	if (toy_put_sock_id(skb, sk, user_ns) ||
	    toy_put_sock_queues(skb, sk) ||
	    toy_put_sock_counters(skb, sk))
		return -EMSGSIZE;
	return 0;
}

/* One message of the dump: @sk, as enum toy_sock_attr describes it. */
static int toy_fill_sock(struct sock *sk, struct toy_dump_ctx *ctx)
{
	struct sk_buff *skb = ctx->skb;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, &toy_genl_family,
			  NLM_F_MULTI, TOY_CMD_SOCK_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(ctx->cb, hdr);

	if (toy_put_sock(skb, sk, ctx->user_ns)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* toy_sock_walk() visitor: one message per socket that matches. */
static int toy_dump_sock(struct sock *sk, void *arg)
{
	struct toy_dump_ctx *ctx = arg;

	if (ctx->type && sk->sk_type != ctx->type)
		return 0;
	if (ctx->match_port && READ_ONCE(toy_sk(sk)->port) != ctx->port)
		return 0;
	return toy_fill_sock(sk, ctx);
}

static int toy_nl_sock_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_info_dump(cb)->attrs;
	struct net *net = sock_net(skb->sk);
	struct toy_sock_cursor pos = {
		.bucket = cb->args[0],
		.skip = cb->args[1],
	};
	struct toy_dump_ctx ctx = {
		.skb = skb,
		.cb = cb,
		.user_ns = sk_user_ns(NETLINK_CB(cb->skb).sk),
	};
	int err;

	if (attrs[TOY_SOCK_A_TYPE]) {
		ctx.type = nla_get_u16(attrs[TOY_SOCK_A_TYPE]);
		/* the policy bounds it; below, only these are types */
		if (ctx.type != SOCK_STREAM && ctx.type != SOCK_DGRAM &&
		    ctx.type != SOCK_SEQPACKET) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[TOY_SOCK_A_TYPE],
					    "AF_TOY has no socket of this type");
			return -EINVAL;
		}
	}
	if (attrs[TOY_SOCK_A_PORT]) {
		ctx.port = nla_get_u32(attrs[TOY_SOCK_A_PORT]);
		ctx.match_port = true;
	}

	/* non-zero, so that the first part is checked against the next */
	cb->seq = toy_sock_list_gen(net) + 1;
	err = toy_sock_walk(net, &pos, toy_dump_sock, &ctx);
	cb->args[0] = pos.bucket;
	cb->args[1] = pos.skip;
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

static const struct genl_ops toy_genl_ops[] = {
	{
		.cmd	= TOY_CMD_STATS_GET,
		.doit	= toy_nl_stats_get,
	},
	{
		.cmd	= TOY_CMD_SOCK_GET,
		.dumpit	= toy_nl_sock_dump,
		.policy	= toy_sock_get_policy,
		.maxattr = TOY_SOCK_A_MAX,
	},
	{
		.cmd	= TOY_CMD_STATS_RESET,
		.doit	= toy_nl_stats_reset,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TOY_CMD_IMPAIR_GET,
		.doit	= toy_nl_impair_get,
	},
	{
		.cmd	= TOY_CMD_IMPAIR_SET,
		.doit	= toy_nl_impair_set,
		.policy	= toy_impair_policy,
		.maxattr = TOY_IMPAIR_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

/* The multicast groups, indexed by enum toy_nl_group. */
static const struct genl_multicast_group toy_genl_mcgrps[] = {
	[TOY_NL_GROUP_EVENTS] = { .name = TOY_GENL_MCGRP_EVENTS },
};

/*
 * resv_start_op 0: every command gets the strict checks of new families,
 * and a command without a policy rejects every attribute.
 */
static struct genl_family toy_genl_family __ro_after_init = {
	.name		= TOY_GENL_NAME,
	.version	= TOY_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= toy_genl_ops,
	.n_ops		= ARRAY_SIZE(toy_genl_ops),
	.mcgrps		= toy_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(toy_genl_mcgrps),
	.resv_start_op	= 0,
};

/* The largest payload toy_put_sock() and toy_nl_event() write. */
static size_t toy_nl_event_size(void)
{
	return nla_total_size(sizeof(u8)) +		/* EVENT */
	       nla_total_size(sizeof(u16)) +		/* TYPE */
	       nla_total_size(sizeof(u32)) * 2 +	/* PORT, PEER_PORT */
	       nla_total_size(sizeof(u8)) * 2 +		/* STATE, SHUTDOWN */
	       nla_total_size_64bit(sizeof(u64)) * 2 +	/* INODE, COOKIE */
	       nla_total_size(sizeof(u32)) * 5 +	/* UID, queues, bufs */
	       nla_total_size_64bit(sizeof(u64)) * 5 +	/* counters, DROPS */
	       nla_total_size(sizeof(u32)) +		/* EVENT_DROPS */
	       nla_total_size(sizeof(u8));		/* DROP_REASON */
}

/**
 * toy_nl_event_wanted() - might anybody hear an event of @net?
 * @net: the namespace of the socket the event is about
 *
 * Netlink keeps one bitmap of the groups that have members for all
 * namespaces, so this is true when the "events" group has a member in
 * any namespace; the multicast then reaches only those in @net.
 *
 * Return: false when nobody is in the "events" group.
 */
bool toy_nl_event_wanted(struct net *net)
{
	return genl_has_listeners(&toy_genl_family, net, TOY_NL_GROUP_EVENTS);
}

/**
 * toy_nl_event() - multicast an event of @sk to its namespace's listeners
 * @sk: the socket
 * @event: what happened to it
 * @reason: drops events: why; else 0
 * @drops: drops events: how many datagrams since its last drops event
 *
 * Runs where the event happens, often with preemption disabled or a
 * socket's spinlock held: it allocates atomically, and a message that
 * cannot be allocated or filled is reported to every listener as ENOBUFS,
 * as netlink reports one that does not fit in a listener's buffer. The uid
 * is as seen from the user namespace owning @sk's network namespace.
 */
void toy_nl_event(struct sock *sk, enum toy_event event,
		  enum toy_drop_reason reason, u32 drops)
{
	struct net *net = sock_net(sk);
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(toy_nl_event_size(), GFP_ATOMIC);
	if (!skb)
		goto lost;
	hdr = genlmsg_put(skb, 0, 0, &toy_genl_family, 0, TOY_CMD_SOCK_EVENT);
	if (!hdr)
		goto err_free;
	if (nla_put_u8(skb, TOY_SOCK_A_EVENT, event) ||
	    toy_put_sock(skb, sk, net->user_ns))
		goto err_free;
	if (event == TOY_EVENT_DROPS &&
	    (nla_put_u32(skb, TOY_SOCK_A_EVENT_DROPS, drops) ||
	     nla_put_u8(skb, TOY_SOCK_A_DROP_REASON, reason)))
		goto err_free;
	genlmsg_end(skb, hdr);
	/* a listener without room gets ENOBUFS from netlink itself */
	genlmsg_multicast_netns(&toy_genl_family, net, skb, 0,
				TOY_NL_GROUP_EVENTS, GFP_ATOMIC);
	return;

err_free:
	nlmsg_free(skb);
lost:
	genl_set_err(&toy_genl_family, net, 0, TOY_NL_GROUP_EVENTS, -ENOBUFS);
}

int toy_netlink_init(void)
{
	return genl_register_family(&toy_genl_family);
}

void toy_netlink_exit(void)
{
	genl_unregister_family(&toy_genl_family);
}
