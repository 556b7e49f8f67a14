/* SPDX-License-Identifier: GPL-2.0 */
/* AF_TOY: the "af_toy" generic netlink family and its events (netlink.c). */
#ifndef _AF_TOY_NETLINK_H
#define _AF_TOY_NETLINK_H

#include <linux/af_toy.h>
#include <linux/types.h>

struct net;
struct sock;

/* The multicast groups of the family. */
enum toy_nl_group {
	TOY_NL_GROUP_EVENTS,
};

int toy_netlink_init(void);
void toy_netlink_exit(void);

bool toy_nl_event_wanted(struct net *net);
void toy_nl_event(struct sock *sk, enum toy_event event,
		  enum toy_drop_reason reason, u32 drops);

#endif /* _AF_TOY_NETLINK_H */
