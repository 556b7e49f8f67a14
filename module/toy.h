/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY internal declarations shared by the files of af_toy.ko.
 *
 * Files and what they hold:
 *   main.c    module parameters, family registration, module init and exit
 *   socket.c  struct toy_sock, socket creation and release
 *   stream.c  SOCK_STREAM proto_ops
 *   dgram.c   SOCK_DGRAM proto_ops
 */
#ifndef _AF_TOY_TOY_H
#define _AF_TOY_TOY_H

#include <linux/net.h>
#include <net/sock.h>
#include <linux/af_toy.h>

/**
 * struct toy_sock - an AF_TOY socket
 * @sk: the generic socket; must be first so that sk_alloc() can size it from
 *	struct proto.obj_size and toy_sk() can convert with container_of().
 *
 * Lifetime: the structure is freed by sk_free() when the last reference
 * taken with sock_hold() is dropped with sock_put(); the reference owned by
 * the struct socket is dropped in the release operation.
 */
struct toy_sock {
	struct sock sk;
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

/* stream.c, dgram.c: filled in by toy_ops_init() once the family is known */
extern struct proto_ops toy_stream_ops;
extern struct proto_ops toy_dgram_ops;

#endif /* _AF_TOY_TOY_H */
