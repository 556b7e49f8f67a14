/* SPDX-License-Identifier: GPL-2.0 */
/* AF_TOY: SOCK_STREAM, the byte stream (stream.c). */
#ifndef _AF_TOY_STREAM_H
#define _AF_TOY_STREAM_H

#include <linux/net.h>

int toy_stream_create(struct net *net, struct socket *sock, int kern);

#endif /* _AF_TOY_STREAM_H */
