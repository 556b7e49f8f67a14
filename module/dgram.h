/* SPDX-License-Identifier: GPL-2.0 */
/* AF_TOY: SOCK_DGRAM, best-effort datagrams (dgram.c). */
#ifndef _AF_TOY_DGRAM_H
#define _AF_TOY_DGRAM_H

#include <linux/net.h>

int toy_dgram_create(struct net *net, struct socket *sock, int kern);

#endif /* _AF_TOY_DGRAM_H */
