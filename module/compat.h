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
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/uio.h>
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
 * 6.13: hrtimer_setup() initialises a timer and sets its function in one
 * call; hrtimer_init() went in 6.15. Before, the function was set after.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
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
 * fn(sock, newsock, arg), follow its declaration in a header with
 * TOY_ACCEPT_OP(fn) and set .accept = toy_accept_op(fn) in any file that
 * includes the header. Before 6.10 that defines and names fn_pre_6_10(),
 * a static inline that passes the old arguments on. Either way it checks
 * at build time that .accept gets the type it wants.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
struct proto_accept_arg {
	int flags;
	bool kern;
};

#define TOY_ACCEPT_OP(fn)						\
static inline int fn##_pre_6_10(struct socket *sock,			\
				struct socket *newsock,			\
				int flags, bool kern)			\
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
 * 6.13: skb_splice_from_iter() lost its unused gfp argument. (Checked
 * against the supported kernels only: 6.12 has it and 7.3 has not.)
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define skb_splice_from_iter(skb, iter, maxsize) \
	skb_splice_from_iter(skb, iter, maxsize, GFP_KERNEL)
#endif

/*
 * 6.2: a family may take setsockopt(SOL_SOCKET) itself by setting
 * SOCK_CUSTOM_SOCKOPT in its struct socket's flags (AF_VSOCK does from
 * 6.7, for SO_ZEROCOPY). Before, only MPTCP could, and the core refuses
 * SO_ZEROCOPY to every family but TCP, UDP and RDS, so SOL_TOY is the
 * only way there. toy_sock_own_sol_socket() sets the flag where it exists
 * and toy_sock_owns_sol_socket() reads it; before 6.2 they do nothing and
 * say false. (Checked against the supported kernels only: 6.1 has no
 * flag, 6.12 has it as a macro and 7.3 as an enum member.)
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static inline void toy_sock_own_sol_socket(struct socket *sock)
{
	set_bit(SOCK_CUSTOM_SOCKOPT, &sock->flags);
}

static inline bool toy_sock_owns_sol_socket(const struct socket *sock)
{
	return test_bit(SOCK_CUSTOM_SOCKOPT, &sock->flags);
}
#else
static inline void toy_sock_own_sol_socket(struct socket *sock)
{
}

static inline bool toy_sock_owns_sol_socket(const struct socket *sock)
{
	return false;
}
#endif

/*
 * 6.16: device memory TCP sends. msg_zerocopy_realloc() takes whether the
 * buffer is device memory, and __zerocopy_sg_from_iter() the device
 * memory binding to take it from; plain user memory passes false and
 * NULL, which is what older kernels do without the arguments. (Checked
 * against the supported kernels only: 6.12 has not the arguments, 7.3
 * has.)
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
#define msg_zerocopy_realloc(sk, size, uarg, devmem) \
	msg_zerocopy_realloc(sk, size, uarg)
#define __zerocopy_sg_from_iter(msg, sk, skb, from, length, binding) \
	__zerocopy_sg_from_iter(msg, sk, skb, from, length)
#endif

/*
 * 6.6: the attributes a generic netlink dump was asked with moved into a
 * struct genl_info, which genl_info_dump() returns; before, they were in
 * struct genl_dumpit_info itself, under the same name.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define genl_info_dump(cb) genl_dumpit_info(cb)
#endif

/*
 * 6.5: proto_ops.sendpage is gone. sendfile() and splice() into a socket
 * now come as sendmsg() with MSG_SPLICE_PAGES and the pipe's pages in a
 * bvec iterator, which skb_splice_from_iter() attaches to an skb by
 * reference. Before, they came one page at a time through .sendpage.
 *
 * A type that takes pages by reference writes its send path for the new
 * form, fn(sock, msg, len, splice), and asks toy_msg_splices_pages(msg)
 * in .sendmsg. Before 6.5 that answers false whatever the flags say (no
 * caller splices through .sendmsg there, and a flag from user space must
 * never make a user's iovec look like pages), TOY_SENDPAGE_OP(fn) defines
 * fn_sendpage_pre_6_5(), which wraps the page in a one-entry bvec
 * iterator for fn, and TOY_PROTO_SENDPAGE(fn) sets .sendpage to it. From
 * 6.5 on TOY_PROTO_SENDPAGE(fn) is empty and TOY_SENDPAGE_OP(fn) only
 * checks that fn has the type toy_send_fn_t.
 */
typedef int (*toy_send_fn_t)(struct socket *sock, struct msghdr *msg,
			     size_t len, bool splice);

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
static inline bool toy_msg_splices_pages(const struct msghdr *msg)
{
	return false;
}

/* Attach up to @maxsize bytes of @iter's pages (a bvec) to @skb. */
static inline ssize_t skb_splice_from_iter(struct sk_buff *skb,
					   struct iov_iter *iter,
					   ssize_t maxsize)
{
	ssize_t spliced = 0;
	int err = 0;

	if (WARN_ON_ONCE(!iov_iter_is_bvec(iter)))
		return -EINVAL;
	while (iov_iter_count(iter) && spliced < maxsize) {
		const struct bio_vec *bv = iter->bvec;
		size_t off = bv->bv_offset + iter->iov_offset;
		struct page *page = bv->bv_page + off / PAGE_SIZE;
		size_t part = min3(iov_iter_single_seg_count(iter),
				   PAGE_SIZE - off % PAGE_SIZE,
				   (size_t)(maxsize - spliced));

		/* a slab page cannot be held by reference (as from 6.5) */
		err = -EIO;
		if (WARN_ON_ONCE(!sendpage_ok(page)))
			break;
		err = skb_append_pagefrags(skb, page, off % PAGE_SIZE, part);
		if (err)
			break;
		iov_iter_advance(iter, part);
		spliced += part;
	}
	skb_len_add(skb, spliced);
	return spliced ?: err;
}

#define TOY_SENDPAGE_OP(fn)						\
static ssize_t fn##_sendpage_pre_6_5(struct socket *sock,		\
				     struct page *page, int offset,	\
				     size_t size, int flags)		\
{									\
	struct bio_vec bvec = {						\
		.bv_page = page,					\
		.bv_len = size,						\
		.bv_offset = offset,					\
	};								\
	struct msghdr msg = { .msg_flags = flags };			\
									\
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, size);	\
	return fn(sock, &msg, size, true);				\
}									\
static_assert(__same_type(&fn##_sendpage_pre_6_5,			\
			  typeof_member(const struct proto_ops, sendpage)))
#define TOY_PROTO_SENDPAGE(fn) .sendpage = fn##_sendpage_pre_6_5,
#else
static inline bool toy_msg_splices_pages(const struct msghdr *msg)
{
	return msg->msg_flags & MSG_SPLICE_PAGES;
}

#define TOY_SENDPAGE_OP(fn)						\
	static_assert(__same_type(&(fn), toy_send_fn_t))
#define TOY_PROTO_SENDPAGE(fn)
#endif

/*
 * 6.3: iov_iter_extract_pages() pins (FOLL_PIN) the pages under a user
 * buffer, as O_DIRECT does; they are released with unpin_user_page*().
 * Before, only iov_iter_get_pages2() existed, which takes plain references
 * (FOLL_GET). Older kernels get the part the module uses: user-backed
 * iterators (ITER_UBUF, ITER_IOVEC), the first segment only, into the
 * caller's array; extraction_flags must be 0.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline ssize_t iov_iter_extract_pages(struct iov_iter *i,
					     struct page ***pages,
					     size_t maxsize,
					     unsigned int maxpages,
					     unsigned int extraction_flags,
					     size_t *offset0)
{
	unsigned int gup_flags = iov_iter_rw(i) == READ ? FOLL_WRITE : 0;
	unsigned long addr;
	size_t len;
	int n;

	if (WARN_ON_ONCE(!user_backed_iter(i) || !*pages || extraction_flags))
		return -EFAULT;
	if (iter_is_ubuf(i)) {
		addr = (unsigned long)i->ubuf + i->iov_offset;
		len = i->count;
	} else {
		addr = (unsigned long)i->iov->iov_base + i->iov_offset;
		len = min(i->count, i->iov->iov_len - i->iov_offset);
	}
	len = min(len, maxsize);
	if (!len)
		return 0;
	*offset0 = offset_in_page(addr);
	maxpages = min_t(size_t, maxpages, DIV_ROUND_UP(*offset0 + len,
							PAGE_SIZE));
	n = pin_user_pages_fast(addr & PAGE_MASK, maxpages, gup_flags, *pages);
	if (n <= 0)
		return n ?: -EFAULT;
	len = min_t(size_t, len, (size_t)n * PAGE_SIZE - *offset0);
	iov_iter_advance(i, len);
	return len;
}
#endif

#endif /* _AF_TOY_COMPAT_H */
