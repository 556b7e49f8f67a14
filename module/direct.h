/* SPDX-License-Identifier: GPL-2.0 */
/* AF_TOY: one copy instead of two, into a stream reader that waits (direct.c). */
#ifndef _AF_TOY_DIRECT_H
#define _AF_TOY_DIRECT_H

#include <linux/net.h>
#include <net/sock.h>

size_t toy_direct_send(struct sock *peer, struct msghdr *msg, size_t len,
		       bool *again);
size_t toy_direct_wait(struct sock *sk, struct msghdr *msg, size_t len,
		       long *timeo);

#endif /* _AF_TOY_DIRECT_H */
