// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: SOCK_DGRAM operations.
 *
 * Only creation and release are built so far; every other operation answers
 * with the errno of the kernel's sock_no_*() helpers (EOPNOTSUPP) or, for
 * getsockopt/setsockopt above SOL_SOCKET, with ENOPROTOOPT.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>

#include "toy.h"

/* .family is set by toy_init() before the family is registered. */
struct proto_ops toy_dgram_ops __ro_after_init = {
	.owner		= THIS_MODULE,
	.release	= toy_release,
	.bind		= sock_no_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= sock_no_getname,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};
