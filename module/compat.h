/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY: every difference between the kernels af_toy.ko builds against,
 * and nowhere else.
 *
 * The module is written for the newest interface (7.3). Each entry below
 * names the kernel release that changed an interface and gives older
 * kernels the newer interface, so that no other file needs an #if. The
 * oldest supported kernel is 6.1; an entry goes when its release is older
 * than the oldest supported one.
 *
 * checkpatch.pl reports LINUX_VERSION_CODE and CONSTANT_COMPARISON on the
 * version tests here: both checks are meant for code in the kernel tree,
 * which never needs them. `make style` checks this file without those
 * two, and every other file with all checks.
 */
#ifndef _AF_TOY_COMPAT_H
#define _AF_TOY_COMPAT_H

#include <linux/build_bug.h>
#include <linux/net.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include <net/sock.h>

/*
 * 6.19: proto_ops.bind and .connect take struct sockaddr_unsized, a
 * sockaddr whose length only the length argument tells. Before, they took
 * struct sockaddr; the two begin alike (sa_family), which is all that the
 * module reads before it checks the length.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 19, 0)
#define sockaddr_unsized sockaddr
#endif

/*
 * 6.17: sock_i_uid() is gone; sk_uid() reads the owner's uid, which is
 * set once when the socket is created.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
static inline kuid_t sk_uid(const struct sock *sk)
{
	return READ_ONCE(sk->sk_uid);
}
#endif

/*
 * 6.10: proto_ops.accept takes its flags in struct proto_accept_arg
 * instead of as (int flags, bool kern). Write .accept for the new form,
 * fn(sock, newsock, arg), follow it with TOY_ACCEPT_OP(fn) and set
 * .accept = toy_accept_op(fn). Before 6.10 that defines and names
 * fn_pre_6_10(), which passes the old arguments on. Either way it checks
 * at build time that .accept gets the type it wants.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
struct proto_accept_arg {
	int flags;
	bool kern;
};

#define TOY_ACCEPT_OP(fn)						\
static int fn##_pre_6_10(struct socket *sock, struct socket *newsock,	\
			 int flags, bool kern)				\
{									\
	struct proto_accept_arg arg = { .flags = flags, .kern = kern };	\
									\
	return fn(sock, newsock, &arg);					\
}									\
static_assert(__same_type(&fn##_pre_6_10,				\
			  typeof_member(const struct proto_ops, accept)))
#define toy_accept_op(fn) fn##_pre_6_10
#else
#define TOY_ACCEPT_OP(fn)						\
	static_assert(__same_type(&(fn),					\
				  typeof_member(const struct proto_ops, accept)))
#define toy_accept_op(fn) (fn)
#endif

/*
 * 6.6: the attributes a generic netlink dump was asked with moved into a
 * struct genl_info, which genl_info_dump() returns; before, they were in
 * struct genl_dumpit_info itself, under the same name.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define genl_info_dump(cb) genl_dumpit_info(cb)
#endif

#endif /* _AF_TOY_COMPAT_H */
