/* SPDX-License-Identifier: GPL-2.0 */
/* AF_TOY: SOCK_SEQPACKET, a connection of records (seqpacket.c). */
#ifndef _AF_TOY_SEQPACKET_H
#define _AF_TOY_SEQPACKET_H

#include <linux/net.h>

int toy_seqpacket_create(struct net *net, struct socket *sock, int kern);

#endif /* _AF_TOY_SEQPACKET_H */
