/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY: the connection lifecycle shared by the connected socket types
 * (conn.c): socket creation and the proto_ops that do not move data.
 */
#ifndef _AF_TOY_CONN_H
#define _AF_TOY_CONN_H

#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>

#include "compat.h"
#include "port.h"

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

/*
 * The proto_ops of a connected type that conn.c and port.c provide: a
 * type's table starts with TOY_CONN_OPS and adds its data path (sendmsg,
 * recvmsg, poll, ioctl). .family is PF_UNSPEC: see toy_family_ops in
 * main.c.
 */
#define TOY_CONN_OPS					\
	.family		= PF_UNSPEC,			\
	.owner		= THIS_MODULE,			\
	.release	= toy_conn_release,		\
	.bind		= toy_bind,			\
	.connect	= toy_conn_connect,		\
	.socketpair	= toy_conn_socketpair,		\
	.accept		= toy_accept_op(toy_conn_accept), \
	.getname	= toy_getname,			\
	.listen		= toy_conn_listen,		\
	.shutdown	= toy_conn_shutdown,		\
	.mmap		= sock_no_mmap

#endif /* _AF_TOY_CONN_H */
