/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY: ports and addresses (port.c): the port tables of a namespace,
 * bind, autobind and lookup, and the proto_ops that name addresses.
 */
#ifndef _AF_TOY_PORT_H
#define _AF_TOY_PORT_H

#include <linux/net.h>
#include <net/sock.h>

#include "sock.h"

int toy_ports_init(struct toy_net *tn);
void toy_ports_exit(struct toy_net *tn);
void toy_ports_seed(void);

int toy_bind(struct socket *sock, struct sockaddr_unsized *uaddr,
	     int addr_len);
int toy_autobind(struct sock *sk);
void toy_unbind(struct sock *sk);
int toy_addr_check(const struct sockaddr_unsized *uaddr, int addr_len);
struct sock *toy_lookup(const struct sock *sk, u32 port);
struct sock *toy_lookup_rcu(const struct sock *sk, u32 port);
int toy_getname(struct socket *sock, struct sockaddr *uaddr, int peer);

#endif /* _AF_TOY_PORT_H */
