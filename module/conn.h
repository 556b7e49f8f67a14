/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY: the connection lifecycle shared by the connected socket types
 * (conn.c): socket creation and the proto_ops that do not move data.
 */
#ifndef _AF_TOY_CONN_H
#define _AF_TOY_CONN_H

#include <linux/net.h>
#include <net/sock.h>

#include "compat.h"

int toy_conn_create(struct net *net, struct socket *sock,
		    const struct proto_ops *ops, int kern);

/* proto_ops of every connected type */
int toy_conn_release(struct socket *sock);
int toy_conn_listen(struct socket *sock, int backlog);
int toy_conn_connect(struct socket *sock, struct sockaddr_unsized *uaddr,
		     int addr_len, int flags);
int toy_conn_accept(struct socket *sock, struct socket *newsock,
		    struct proto_accept_arg *arg);
TOY_ACCEPT_OP(toy_conn_accept);
int toy_conn_shutdown(struct socket *sock, int how);
int toy_conn_socketpair(struct socket *sock1, struct socket *sock2);

#endif /* _AF_TOY_CONN_H */
