/* SPDX-License-Identifier: GPL-2.0 */
/* AF_TOY: the "af_toy" generic netlink family (netlink.c). */
#ifndef _AF_TOY_NETLINK_H
#define _AF_TOY_NETLINK_H

int toy_netlink_init(void);
void toy_netlink_exit(void);

#endif /* _AF_TOY_NETLINK_H */
