// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: SOCK_STREAM's data path, a reliable, ordered byte stream. The
 * connection around it (listen, connect, accept, shutdown, release, flow
 * control) is conn.c's.
 *
 * sendmsg() copies the caller's bytes into skbs charged to the sender's
 * sk_wmem_alloc and appends them to the peer's sk_receive_queue, one skb
 * of at most half the flow-control limit at a time, so one connection
 * never holds more than one and a half limits per direction (per writing
 * thread). recvmsg() copies them out, remembering in the skb's control
 * block how much of each skb was read, and frees an skb once all of it
 * was read; a read may take bytes of several skbs, and one skb may feed
 * several reads.
 *
 * Three paths avoid a copy: a reader asleep with an empty queue posts its
 * buffer for a sender to copy into directly (struct toy_direct);
 * sendfile() or splice() queue the sender's pages by reference; and so
 * does a sendmsg() with MSG_ZEROCOPY on a socket with SO_ZEROCOPY on,
 * taking references to the pages under the user's buffer. The sender
 * then learns from a completion on its error queue that the reader is
 * done with them (Documentation/af_toy.rst, "Zerocopy: the user's own
 * pages").
 *
 * Readers of one socket are serialised by lock_sock(); senders take no
 * lock of their own socket but the one zerocopy senders share
 * (toy_sock.zc_busy). Which lock guards what: struct toy_sock, sock.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errqueue.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/splice.h>
#include <linux/sockios.h>
#include <linux/termios.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>
#include <net/sock.h>

#include "conn.h"
#include "direct.h"
#include "flow.h"
#include "port.h"
#include "sock.h"
#include "stats.h"
#include "stream.h"
#include "trace.h"

/* Largest payload of one skb; more is sent as several skbs. */
#define TOY_STREAM_SKB_MAX	(64 * 1024)
/* Smallest skb payload a sender builds even when its limit is tiny. */
#define TOY_STREAM_SKB_MIN	512
/* A payload up to this size is copied into the skb head, one allocation. */
#define TOY_STREAM_LINEAR_MAX	SKB_MAX_HEAD(0)
/* Larger payloads go into page fragments of up to this order. */
#define TOY_STREAM_FRAG_ORDER	get_order(32 * 1024)

/**
 * struct toy_skb_cb - AF_TOY data in skb->cb of a queued stream skb
 * @consumed: bytes of the skb already read; written by the one reader
 *	holding lock_sock() under sk_receive_queue.lock.
 * @by_ref: the skb holds references to a sender's pages (sendfile(),
 *	splice(), MSG_ZEROCOPY) rather than a copy; set before it is
 *	queued, never changed.
 */
struct toy_skb_cb {
	u32 consumed;
	bool by_ref;
};

#define TOY_SKB_CB(skb)	((struct toy_skb_cb *)(skb)->cb)

/* An skb for @size payload bytes, charged to @sk. */
static struct sk_buff *toy_stream_alloc_skb(struct sock *sk, size_t size,
					    int *err)
{
	size_t linear = size <= TOY_STREAM_LINEAR_MAX ? size : 0;
	struct sk_buff *skb;

	skb = alloc_skb_with_frags(linear, size - linear, TOY_STREAM_FRAG_ORDER,
				   err, sk->sk_allocation);
	if (!skb)
		return NULL;

	skb_set_owner_w(skb, sk);
	skb_put(skb, linear);
	skb->data_len = size - linear;
	skb->len = size;
	TOY_SKB_CB(skb)->consumed = 0;
	TOY_SKB_CB(skb)->by_ref = false;
	return skb;
}

/*
 * An skb holding references to up to *@size bytes of the pages in @msg's
 * iterator (sendfile(), splice()), charged to @sk; *@size becomes what it
 * holds. The reader then copies straight from those pages: one copy in
 * all, as in AF_UNIX; copying the pages into the skb would make two.
 */
static struct sk_buff *toy_stream_splice_skb(struct sock *sk,
					     struct msghdr *msg, size_t *size,
					     int *err)
{
	struct sk_buff *skb;
	ssize_t n;

	skb = alloc_skb(0, sk->sk_allocation);
	if (!skb) {
		*err = -ENOBUFS;
		return NULL;
	}
	/* nothing checksums these bytes: do not sum them while splicing */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	n = skb_splice_from_iter(skb, &msg->msg_iter, *size);
	if (n <= 0) {
		kfree_skb(skb);
		*err = n ?: -EIO;
		return NULL;
	}
	skb_set_owner_w(skb, sk);
	TOY_SKB_CB(skb)->consumed = 0;
	TOY_SKB_CB(skb)->by_ref = true;
	*size = n;
	return skb;
}

/*
 * MSG_ZEROCOPY: an skb holding references to the pages under up to
 * *@size bytes of @msg's user buffer, charged to @sk, which @uarg tells
 * when the skb is freed; *@size becomes what it holds. The pages are
 * held by reference (iov_iter_get_pages2()), not pinned for DMA, as TCP
 * holds them. A buffer of more pieces than an skb has fragments
 * (MAX_SKB_FRAGS) fills the skb and leaves the rest for the next; a
 * fault after some pages keeps those, as a copying send keeps what it
 * copied.
 */
static struct sk_buff *toy_stream_zerocopy_skb(struct sock *sk,
					       struct msghdr *msg,
					       struct ubuf_info *uarg,
					       size_t *size, int *err)
{
	struct sk_buff *skb;
	int ret;

	skb = alloc_skb(0, sk->sk_allocation);
	if (!skb) {
		*err = -ENOBUFS;
		return NULL;
	}
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	/*
	 * First: with no socket given, the pages' truesize is charged to
	 * skb->sk's sk_wmem_alloc, as the skb's own is, so that flow control
	 * bounds the pages in flight; given the socket, a SOCK_STREAM one
	 * would be charged TCP's way (sk_wmem_queued), which nothing here
	 * uncharges.
	 */
	skb_set_owner_w(skb, sk);
	ret = __zerocopy_sg_from_iter(NULL, NULL, skb, &msg->msg_iter, *size,
				      NULL);
	if (!skb->len) {
		kfree_skb(skb);
		*err = ret ?: -EFAULT;
		return NULL;
	}
	skb_zcopy_set(skb, uarg, NULL);
	TOY_SKB_CB(skb)->consumed = 0;
	TOY_SKB_CB(skb)->by_ref = true;
	*size = skb->len;
	return skb;
}

/* Payload of the next skb to @peer: half the limit, within the bounds. */
static size_t toy_stream_skb_size(const struct sock *sk,
				  const struct sock *peer, size_t left)
{
	size_t size = toy_flow_limit_to(sk, peer) / 2;

	size = clamp_t(size_t, size, TOY_STREAM_SKB_MIN, TOY_STREAM_SKB_MAX);
	return min(size, left);
}

/*
 * Queue the next skb of @msg to @peer: up to @left bytes copied into it,
 * or by reference the pages @msg's iterator holds (@splice) or those
 * under its user buffer (@uarg, MSG_ZEROCOPY). Returns the bytes queued
 * or an errno.
 */
static ssize_t toy_stream_queue_next(struct sock *sk, struct sock *peer,
				     struct msghdr *msg, size_t left,
				     bool splice, struct ubuf_info *uarg)
{
	size_t size = toy_stream_skb_size(sk, peer, left);
	bool copy = !splice && !uarg;
	struct sk_buff *skb;
	int err = 0;

	if (splice)
		skb = toy_stream_splice_skb(sk, msg, &size, &err);
	else if (uarg)
		skb = toy_stream_zerocopy_skb(sk, msg, uarg, &size, &err);
	else
		skb = toy_stream_alloc_skb(sk, size, &err);
	if (!skb)
		return err;
	if (copy)
		err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter, size);
	if (!err)
		err = toy_flow_queue_skb(peer, skb);
	if (err) {
		kfree_skb(skb);
		return err;
	}
	return size;
}

/*
 * Does @msg go by reference, MSG_ZEROCOPY? Only when the socket has
 * SO_ZEROCOPY on (else the flag is ignored, as TCP ignores it) and the
 * bytes are in user memory: a kernel caller's buffer has no pages to
 * take references to.
 */
static bool toy_stream_zerocopy(const struct sock *sk,
				const struct msghdr *msg, size_t len)
{
	return len && msg->msg_flags & MSG_ZEROCOPY &&
	       sock_flag(sk, SOCK_ZEROCOPY) && user_backed_iter(&msg->msg_iter);
}

/*
 * Send @len bytes of @msg: copied into skbs, or with @splice (sendfile(),
 * splice()) queued as references to the pages @msg's iterator holds, or
 * with MSG_ZEROCOPY as references to the pages under its user buffer.
 */
static int toy_stream_send(struct socket *sock, struct msghdr *msg,
			   size_t len, bool splice)
{
	/*
	 * A reader waits with an empty queue: copy straight to it. Not pages
	 * to splice, which the reader copies from as they are: it would be
	 * one copy either way, and the reader's pinning would cost more than
	 * it saves. Nor a zerocopy send, whose caller asked for its pages to
	 * be read where they are.
	 */
	bool direct_ok = !splice;
	struct ubuf_info *uarg = NULL;
	bool zerocopy;
	struct sock *sk = sock->sk;
	size_t sent = 0, direct = 0;
	struct sock *peer;
	long timeo;
	int err;

	/* out of scope, see Documentation/differences.md */
	if (msg->msg_flags & MSG_OOB || msg->msg_controllen)
		return -EOPNOTSUPP;
	if (msg->msg_namelen)
		return sk->sk_state == TCP_ESTABLISHED ? -EISCONN : -EOPNOTSUPP;

	/*
	 * Only release clears @peer, and release cannot run while this call
	 * holds the file: the reference @peer owns keeps the peer alive.
	 */
	peer = smp_load_acquire(&toy_sk(sk)->peer);
	if (!peer)
		return -ENOTCONN;

	err = toy_flow_send_error(sk);
	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	zerocopy = !err && !splice && toy_stream_zerocopy(sk, msg, len);
	if (zerocopy && wait_on_bit_lock(&toy_sk(sk)->zc_busy, TOY_ZC_BUSY,
					 TASK_INTERRUPTIBLE)) {
		zerocopy = false;
		err = sock_intr_errno(timeo);
	}
	if (zerocopy) {
		/*
		 * The completion to come, numbered: it charges @len to the
		 * caller's RLIMIT_MEMLOCK and holds the socket until the
		 * completion is queued, and takes the socket's option memory
		 * until the completion is read.
		 */
		uarg = msg_zerocopy_realloc(sk, len, NULL, false);
		if (!uarg)
			err = -ENOBUFS;
		direct_ok = false;
	}
	while (!err && sent < len) {
		ssize_t n = 0;

		err = toy_flow_wait_room(sk, peer, &timeo);
		if (err)
			break;
		if (direct_ok) {
			n = toy_direct_send(peer, msg, len - sent, &direct_ok);
			direct += n;
		}
		if (!n)
			n = toy_stream_queue_next(sk, peer, msg, len - sent,
						  splice, uarg);
		if (n < 0)
			err = n;
		else
			sent += n;
	}
	/*
	 * The skbs queued hold the completion now; sent nothing, it is
	 * withdrawn, number and all, and never reported.
	 */
	if (uarg && sent)
		net_zcopy_put(uarg);
	else if (uarg)
		net_zcopy_put_abort(uarg, true);
	if (zerocopy)
		clear_and_wake_up_bit(TOY_ZC_BUSY, &toy_sk(sk)->zc_busy);

	if (sent)
		toy_count_tx(sk, sent);
	else
		err = toy_flow_send_failed(sk, err, msg->msg_flags);
	trace_toy_send(sk, 0, sent, direct,
		       sent ? 0 : err);
	return sent ? sent : err;
}

TOY_SENDPAGE_OP(toy_stream_send);

static int toy_stream_sendmsg(struct socket *sock, struct msghdr *msg,
			      size_t len)
{
	return toy_stream_send(sock, msg, len, toy_msg_splices_pages(msg));
}

/* The skb after @skb in the receive queue of @sk, or its first skb. */
static struct sk_buff *toy_stream_next_skb(struct sock *sk,
					   struct sk_buff *skb)
{
	struct sk_buff_head *queue = &sk->sk_receive_queue;

	spin_lock(&queue->lock);
	skb = skb ? skb_peek_next(skb, queue) : skb_peek(queue);
	spin_unlock(&queue->lock);
	return skb;
}

/* Account @len bytes of @skb read; free it once all of it was read. */
static void toy_stream_consume(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct sk_buff_head *queue = &sk->sk_receive_queue;
	struct toy_sock *tsk = toy_sk(sk);
	bool done;

	spin_lock(&queue->lock);
	WRITE_ONCE(tsk->rx_unread, tsk->rx_unread - len);
	TOY_SKB_CB(skb)->consumed += len;
	done = TOY_SKB_CB(skb)->consumed == skb->len;
	if (done)
		__skb_unlink(skb, queue);
	spin_unlock(&queue->lock);

	if (done)
		consume_skb(skb);
}

/*
 * Nothing (more) is queued past @seen bytes peeked: is the read over? Yes
 * once @target bytes were copied, or as toy_flow_read_over() says.
 */
static bool toy_stream_read_done(struct sock *sk, size_t copied, u32 seen,
				 int target, long timeo, int *err)
{
	return copied >= target ||
	       toy_flow_read_over(sk, copied, seen, timeo, err);
}

/*
 * Copy what @skb holds past the bytes consumed to @msg, up to @size bytes
 * in all, adding to *@copied. False when the copy faulted: the read ends,
 * with -EFAULT in *@err if it copied nothing before.
 */
static bool toy_stream_copy_skb(struct sk_buff *skb, struct msghdr *msg,
				size_t size, size_t *copied, int *err)
{
	u32 offset = TOY_SKB_CB(skb)->consumed;
	size_t len = min_t(size_t, skb->len - offset, size - *copied);

	if (skb_copy_datagram_msg(skb, offset, msg, len)) {
		if (!*copied)
			*err = -EFAULT;
		return false;
	}
	*copied += len;
	return true;
}

/*
 * Read and consume up to @size bytes into @msg, in order, waiting as
 * @target and *@timeo say. Called under lock_sock(). Returns the bytes
 * read; *@err says why nothing was.
 */
static size_t toy_stream_read(struct sock *sk, struct msghdr *msg,
			      size_t size, int target, long *timeo, int *err,
			      size_t *direct)
{
	bool by_ref = false;
	size_t copied = 0, n;

	while (copied < size) {
		struct sk_buff *skb = toy_stream_next_skb(sk, NULL);
		size_t before = copied;

		if (!skb) {
			if (toy_stream_read_done(sk, copied, 0, target, *timeo,
						 err))
				break;
			n = toy_direct_wait(sk, msg, size - copied, timeo);
			copied += n;
			*direct += n;
			continue;
		}
		if (!toy_stream_copy_skb(skb, msg, size, &copied, err))
			break;
		by_ref = TOY_SKB_CB(skb)->by_ref;
		toy_stream_consume(sk, skb, copied - before);
	}
	/*
	 * A reader fed a sender's pages posts no buffer: the sender would not
	 * copy into it, and pinning it would cost for nothing.
	 */
	toy_sk(sk)->rx_last = by_ref ? 0 : copied;
	return copied;
}

/*
 * MSG_PEEK: copy up to @size queued bytes into @msg without consuming
 * them. A peek that must wait for more starts again from the head of the
 * queue once woken, since a reader may have consumed meanwhile. Called
 * under lock_sock(). Returns the bytes copied; *@err says why none were.
 */
static size_t toy_stream_peek(struct sock *sk, struct msghdr *msg,
			      size_t size, int target, long *timeo, int *err)
{
	struct sk_buff *skb = NULL;
	size_t copied = 0;

	while (copied < size) {
		skb = toy_stream_next_skb(sk, skb);
		if (skb) {
			if (!toy_stream_copy_skb(skb, msg, size, &copied, err))
				break;
			continue;
		}
		if (toy_stream_read_done(sk, copied, copied, target, *timeo,
					 err))
			break;
		toy_flow_wait_readable(sk, timeo, copied);
		iov_iter_revert(&msg->msg_iter, copied);
		copied = 0;
	}
	return copied;
}

static int toy_stream_recvmsg(struct socket *sock, struct msghdr *msg,
			      size_t size, int flags)
{
	size_t copied = 0, direct = 0;
	struct sock *sk = sock->sk;
	long timeo;
	int target;
	int err = 0;

	/* zerocopy completions; with none, EAGAIN, as in TCP and AF_VSOCK */
	if (flags & MSG_ERRQUEUE)
		return sock_recv_errqueue(sk, msg, size, SOL_TOY, TOY_RECVERR);
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;

	lock_sock(sk);
	if (sk->sk_state != TCP_ESTABLISHED) {
		err = -EINVAL;
		goto out;
	}
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, size);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	if (flags & MSG_PEEK)
		copied = toy_stream_peek(sk, msg, size, target, &timeo, &err);
	else
		copied = toy_stream_read(sk, msg, size, target, &timeo, &err,
					 &direct);
out:
	release_sock(sk);
	trace_toy_recv(sk, copied, direct, flags & MSG_PEEK, copied ? 0 : err);
	if (!copied)
		return err;
	if (!(flags & MSG_PEEK))
		toy_count_rx(sk, copied);
	return copied;
}

/*
 * splice() out of the socket: the pages of the queued skbs go into @pipe
 * by reference, so bytes a sender spliced in from a file reach the pipe
 * without being copied; skb_splice_bits() copies only what an skb holds
 * in its head. Waits for data as recvmsg() does and stops when the pipe
 * is full. Returns the
 * bytes moved, 0 at EOF, or an error. SPLICE_F_NONBLOCK or O_NONBLOCK on
 * the socket make it return -EAGAIN instead of waiting, as in AF_UNIX.
 */
static ssize_t toy_stream_splice_read(struct socket *sock, loff_t *ppos,
				      struct pipe_inode_info *pipe,
				      size_t len, unsigned int flags)
{
	struct sock *sk = sock->sk;
	ssize_t spliced = 0;
	bool nonblock;
	long timeo;
	int err = 0;

	lock_sock(sk);
	if (sk->sk_state != TCP_ESTABLISHED) {
		err = -EINVAL;
		goto out;
	}
	nonblock = flags & SPLICE_F_NONBLOCK || sock->file->f_flags & O_NONBLOCK;
	timeo = sock_rcvtimeo(sk, nonblock);

	while (spliced < len) {
		struct sk_buff *skb = toy_stream_next_skb(sk, NULL);
		u32 offset, want;
		int n;

		if (!skb) {
			/* what there was goes now, as in AF_UNIX */
			if (spliced || toy_flow_read_over(sk, 0, 0, timeo, &err))
				break;
			toy_flow_wait_readable(sk, &timeo, 0);
			continue;
		}

		/*
		 * A pipe would keep a zerocopy sender's pages past the
		 * completion, while the sender may write to them again: copy
		 * them first, which makes the completion say COPIED.
		 */
		err = skb_orphan_frags_rx(skb, GFP_KERNEL);
		if (err)
			break;
		offset = TOY_SKB_CB(skb)->consumed;
		want = min_t(size_t, skb->len - offset, len - spliced);
		n = skb_splice_bits(skb, sk, offset, pipe, want, flags);
		if (n <= 0) {
			/* the pipe is full (-EAGAIN) or has no reader */
			if (!spliced)
				err = n;
			break;
		}
		toy_stream_consume(sk, skb, n);
		spliced += n;
		if (n < want)
			break;
	}
out:
	release_sock(sk);
	trace_toy_recv(sk, spliced, 0, false, spliced ? 0 : err);
	if (!spliced)
		return err;
	toy_count_rx(sk, spliced);
	return spliced;
}

/*
 * Readable for poll(): SO_RCVLOWAT bytes are queued, or some are and the
 * peer waits for room: it is not writable (toy_flow_writable()), and
 * only this reader's reads can make it so. A mark above what flow control
 * lets the peer have in flight would otherwise leave the reader in poll()
 * and the writer waiting, for ever. The peer becomes unwritable only by
 * queueing an skb, whose sk_data_ready() wakes this poll. TCP clamps the
 * mark instead (tcp_set_rcvlowat()); here the limit is the peer's as
 * well, and may change after the mark was set.
 */
static bool toy_stream_lowat_met(const struct sock *sk)
{
	u32 unread = READ_ONCE(toy_sk(sk)->rx_unread);
	struct sock *peer;

	if (unread >= max(READ_ONCE(sk->sk_rcvlowat), 1))
		return true;
	if (!unread)
		return false;
	/* poll holds the file: @peer cannot go away (struct toy_sock) */
	peer = READ_ONCE(toy_sk(sk)->peer);
	return peer && !toy_flow_writable(peer);
}

static __poll_t toy_stream_poll(struct file *file, struct socket *sock,
				poll_table *wait)
{
	sock_poll_wait(file, sock, wait);
	return toy_flow_poll_mask(sock->sk, toy_stream_lowat_met(sock->sk));
}

static int toy_stream_ioctl(struct socket *sock, unsigned int cmd,
			    unsigned long arg)
{
	struct sock *sk = sock->sk;
	int bytes;

	switch (cmd) {
	case SIOCINQ:
		if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
			return -EINVAL;
		bytes = READ_ONCE(toy_sk(sk)->rx_unread);
		break;
	case SIOCOUTQ:
		bytes = toy_flow_outq(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(bytes, (int __user *)arg);
}

/*
 * Zerocopy on or off: SO_ZEROCOPY at SOL_SOCKET, where the kernel lets the
 * family take it (compat.h), or TOY_ZEROCOPY at SOL_TOY. The data path
 * reads the flag without the lock, once per sendmsg().
 */
static int toy_stream_set_zerocopy(struct sock *sk, sockptr_t optval,
				   unsigned int optlen)
{
	int val;

	if (optlen < sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	if (val != 0 && val != 1)
		return -EINVAL;
	lock_sock(sk);
	sock_valbool_flag(sk, SOCK_ZEROCOPY, val);
	release_sock(sk);
	return 0;
}

/*
 * setsockopt(): SOL_TOY, and on kernels that hand SOL_SOCKET to the
 * family, SOL_SOCKET too, of which only SO_ZEROCOPY is the stream's: the
 * others go to the core as they would without the handover. Any other
 * level is refused with EOPNOTSUPP, as the core refuses it for a family
 * without setsockopt().
 */
static int toy_stream_setsockopt(struct socket *sock, int level, int optname,
				 sockptr_t optval, unsigned int optlen)
{
	if (level == SOL_SOCKET && optname != SO_ZEROCOPY)
		return sock_setsockopt(sock, level, optname, optval, optlen);
	if (level != SOL_SOCKET && level != SOL_TOY)
		return -EOPNOTSUPP;
	if (level == SOL_TOY && optname != TOY_ZEROCOPY)
		return -ENOPROTOOPT;
	return toy_stream_set_zerocopy(sock->sk, optval, optlen);
}

/* getsockopt() at SOL_TOY; the core answers SOL_SOCKET itself. */
static int toy_stream_getsockopt(struct socket *sock, int level, int optname,
				 char __user *optval, int __user *optlen)
{
	int val, len;

	if (level != SOL_TOY)
		return -EOPNOTSUPP;
	if (optname != TOY_ZEROCOPY)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min_t(int, len, sizeof(val));
	val = sock_flag(sock->sk, SOCK_ZEROCOPY);
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

static const struct proto_ops toy_stream_ops = {
	TOY_CONN_OPS,
	.poll		= toy_stream_poll,
	.ioctl		= toy_stream_ioctl,
	.sendmsg	= toy_stream_sendmsg,
	.recvmsg	= toy_stream_recvmsg,
	.splice_read	= toy_stream_splice_read,
	.setsockopt	= toy_stream_setsockopt,
	.getsockopt	= toy_stream_getsockopt,
	TOY_PROTO_SENDPAGE(toy_stream_send)
};

/**
 * toy_stream_create() - socket(2) for SOCK_STREAM
 * @net: the caller's network namespace
 * @sock: the new struct socket
 * @kern: true for sockets created by the kernel itself
 *
 * Return: 0 or -ENOMEM.
 */
int toy_stream_create(struct net *net, struct socket *sock, int kern)
{
	int err = toy_conn_create(net, sock, &toy_stream_ops, kern);

	/* SO_ZEROCOPY comes to toy_stream_setsockopt() where it can */
	if (!err)
		toy_sock_own_sol_socket(sock);
	return err;
}
