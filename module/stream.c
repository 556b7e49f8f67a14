// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: SOCK_STREAM operations.
 *
 * Creation, release, bind and getsockname/getpeername (socket.c) are built
 * so far; every other operation answers with the errno of the kernel's
 * sock_no_*() helpers (EOPNOTSUPP), or EOPNOTSUPP from the core for
 * getsockopt/setsockopt above SOL_SOCKET.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <net/sock.h>

#include "toy.h"

/* .family is set by toy_init() before the family is registered. */
struct proto_ops toy_stream_ops __ro_after_init = {
	.owner		= THIS_MODULE,
	.release	= toy_release,
	.bind		= toy_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= toy_getname,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};
