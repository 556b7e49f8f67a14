/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY internal declarations shared by the files of af_toy.ko.
 *
 * Files and what they hold:
 *   main.c    module parameters, family registration, module init and exit
 *   socket.c  struct toy_sock, socket creation and release, the per-netns
 *             port tables, bind and getsockname
 *   stream.c  SOCK_STREAM proto_ops
 *   dgram.c   SOCK_DGRAM proto_ops
 */
#ifndef _AF_TOY_TOY_H
#define _AF_TOY_TOY_H

#include <linux/net.h>
#include <linux/rhashtable-types.h>
#include <net/sock.h>
#include <linux/af_toy.h>

/**
 * struct toy_sock - an AF_TOY socket
 * @sk: the generic socket; must be first so that sk_alloc() can size it from
 *	struct proto.obj_size and toy_sk() can convert with container_of().
 * @port: the bound port, 0 while unbound. Written and read under
 *	lock_sock(); bind sets it before inserting the socket into its port
 *	table (it is the table's key) and resets it if the insert fails. It
 *	never changes while the socket is in the table, so the table reads
 *	it under its own rules, and release reads it without the lock.
 * @port_node: link in the port table of the socket's netns and type; the
 *	table's own locking (rhashtable) guards it.
 *
 * Lifetime: the structure is freed by sk_free() when the last reference
 * taken with sock_hold() is dropped with sock_put(); the reference owned by
 * the struct socket is dropped in the release operation, after the socket
 * has left its port table.
 */
struct toy_sock {
	struct sock		sk;
	u32			port;
	struct rhash_head	port_node;
};

static inline struct toy_sock *toy_sk(const struct sock *sk)
{
	return container_of(sk, struct toy_sock, sk);
}

/* main.c */
extern int toy_family;

/* socket.c */
int toy_proto_init(void);
void toy_proto_exit(void);
int toy_create(struct net *net, struct socket *sock, int protocol, int kern);
int toy_release(struct socket *sock);
int toy_bind(struct socket *sock, struct sockaddr *uaddr, int addr_len);
int toy_getname(struct socket *sock, struct sockaddr *uaddr, int peer);

/* stream.c, dgram.c: .family is written by toy_init() before registration */
extern struct proto_ops toy_stream_ops;
extern struct proto_ops toy_dgram_ops;

#endif /* _AF_TOY_TOY_H */
