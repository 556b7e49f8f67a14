// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: module parameters, address family registration, init and exit.
 *
 * The family number is a module parameter so that the module can coexist
 * with a kernel that already uses the default slot. It is fixed for the
 * lifetime of the module: the net_proto_family is written once here, before
 * the family is registered, and is read-only afterwards (__ro_after_init).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/socket.h>

#include "dgram.h"
#include "event.h"
#include "netlink.h"
#include "seqpacket.h"
#include "sock.h"
#include "stream.h"

int toy_family = TOY_FAMILY_DEFAULT;
module_param_named(family, toy_family, int, 0444);
MODULE_PARM_DESC(family, "address family number to register (default "
		 __stringify(TOY_FAMILY_DEFAULT) ")");

/**
 * toy_create() - net_proto_family.create: socket(2) for AF_TOY
 * @net: network namespace of the caller
 * @sock: the new struct socket, its type already set by the caller
 * @protocol: must be 0: AF_TOY has one protocol per type
 * @kern: true for sockets created by the kernel itself
 *
 * Each type sets its proto_ops and allocates the sock.
 *
 * Return: 0, -EPROTONOSUPPORT for a non-zero protocol, -ESOCKTNOSUPPORT for
 * a type AF_TOY does not offer, or -ENOMEM.
 */
static int toy_create(struct net *net, struct socket *sock, int protocol,
		      int kern)
{
	if (protocol)
		return -EPROTONOSUPPORT;

	switch (sock->type) {
	case SOCK_STREAM:
		return toy_stream_create(net, sock, kern);
	case SOCK_SEQPACKET:
		return toy_seqpacket_create(net, sock, kern);
	case SOCK_DGRAM:
		return toy_dgram_create(net, sock, kern);
	default:
		return -ESOCKTNOSUPPORT;
	}
}

/*
 * Read by __sock_create() under RCU; .family is the only field that is not
 * known at compile time. The proto_ops of each type are const, so their
 * .family is PF_UNSPEC: sock_register() takes the number from here and
 * every sock carries it in sk_family. The 6.1 core reads proto_ops.family
 * only to recognise AF_UNIX sockets (SCM_RIGHTS in net/core/scm.c, the
 * garbage collector in net/unix/garbage.c).
 */
static struct net_proto_family toy_family_ops __ro_after_init = {
	.create	= toy_create,
	.owner	= THIS_MODULE,
};

static int __init toy_init(void)
{
	int err;

	/* sock_register() indexes an array of NPROTO entries with this. */
	if (toy_family <= AF_UNSPEC || toy_family >= NPROTO) {
		pr_err("family=%d is out of range; use a number from 1 to %d that the kernel does not register\n",
		       toy_family, NPROTO - 1);
		return -EINVAL;
	}

	toy_family_ops.family = toy_family;

	err = toy_proto_init();
	if (err)
		return err;
	err = toy_netlink_init();
	if (err) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       TOY_GENL_NAME, err);
		goto err_proto;
	}
	err = toy_event_init();
	if (err) {
		pr_err("cannot attach the event stream to the tracepoints: %d\n",
		       err);
		goto err_netlink;
	}

	err = sock_register(&toy_family_ops);
	if (err == -EEXIST) {
		pr_err("address family %d is already registered by another protocol; load with a free number instead: insmod af_toy.ko family=N (1..%d)\n",
		       toy_family, NPROTO - 1);
		/*
		 * EEXIST from init_module() tells modprobe that the module
		 * is loaded already, and it would report success; newer
		 * kernels (7.3 does) turn it into EBUSY themselves.
		 */
		err = -EBUSY;
		goto err_event;
	}
	if (err) {
		pr_err("cannot register address family %d: %d\n",
		       toy_family, err);
		goto err_event;
	}

	pr_info("registered address family %d\n", toy_family);
	return 0;

err_event:
	toy_event_exit();
err_netlink:
	toy_netlink_exit();
err_proto:
	toy_proto_exit();
	return err;
}

static void __exit toy_exit(void)
{
	/*
	 * Every socket holds a module reference (proto_ops.owner and
	 * proto.owner), so none is left when this runs.
	 */
	sock_unregister(toy_family);
	toy_event_exit();
	toy_netlink_exit();
	toy_proto_exit();
	pr_info("unregistered address family %d\n", toy_family);
}

module_init(toy_init);
module_exit(toy_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("AF_TOY: a toy socket address family for same-host IPC");
MODULE_AUTHOR("The AF_TOY developers");
MODULE_ALIAS_NETPROTO(TOY_FAMILY_DEFAULT);
