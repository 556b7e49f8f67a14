// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: struct toy_sock, socket creation and release.
 *
 * socket(2) reaches toy_create() through the net_proto_family registered in
 * main.c. The struct socket (the VFS side) gets the proto_ops of its type;
 * the struct sock (the protocol side) is allocated from the "AF_TOY" slab
 * cache of toy_proto, which also pins the module while any sock exists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>

#include "toy.h"

static struct proto toy_proto = {
	.name		= "AF_TOY",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct toy_sock),
};

int toy_proto_init(void)
{
	/* alloc_slab: one kmem_cache named after the proto, visible in slabinfo */
	return proto_register(&toy_proto, 1);
}

void toy_proto_exit(void)
{
	proto_unregister(&toy_proto);
}

/**
 * toy_create() - net_proto_family.create for AF_TOY
 * @net: network namespace of the caller
 * @sock: the new struct socket, its type already set by the caller
 * @protocol: must be 0: AF_TOY has one protocol per type
 * @kern: true for sockets created by the kernel itself
 *
 * Return: 0, -EPROTONOSUPPORT for a non-zero protocol, -ESOCKTNOSUPPORT for
 * a type other than SOCK_STREAM and SOCK_DGRAM, or -ENOMEM.
 */
int toy_create(struct net *net, struct socket *sock, int protocol, int kern)
{
	struct sock *sk;

	if (protocol)
		return -EPROTONOSUPPORT;

	switch (sock->type) {
	case SOCK_STREAM:
		sock->ops = &toy_stream_ops;
		break;
	case SOCK_DGRAM:
		sock->ops = &toy_dgram_ops;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}

	sk = sk_alloc(net, toy_family, GFP_KERNEL, &toy_proto, kern);
	if (!sk)
		return -ENOMEM;

	sock_init_data(sock, sk);
	return 0;
}

/**
 * toy_release() - proto_ops.release: the last close() of the socket's file
 * @sock: the socket being closed
 *
 * Detaches the sock from the struct socket and drops the reference the
 * socket owned; the sock is freed once nobody else holds one.
 *
 * Return: always 0.
 */
int toy_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	sock_orphan(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}
