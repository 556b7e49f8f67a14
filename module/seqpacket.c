// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: SOCK_SEQPACKET's data path, a reliable, ordered sequence of
 * records. The connection around it (listen, connect, accept, shutdown,
 * release, flow control) is the stream's, from conn.c and flow.c; only
 * how bytes move differs.
 *
 * sendmsg() makes one record of the whole message: one skb, charged to
 * the sender, and appended to the peer's sk_receive_queue in one step, so
 * records of two threads never interleave. A record too large for one skb
 * goes on in more skbs chained on the first one's frag_list; the reader
 * never sees the seams. recvmsg() returns one record per call, never more
 * and never part of one: a buffer too short for it gets its start, with
 * MSG_TRUNC, and the rest is dropped, as in AF_UNIX. sendfile() and
 * splice() make one record of each pipe buffer (toy_send_each_page()).
 *
 * Limits: a record may be as large as the sender's SO_SNDBUF (EMSGSIZE
 * above it). A sender waits while what it has in flight to the peer is at
 * the flow-control limit (toy_flow_limit_to()), then queues the record
 * whole, so a direction holds at most the limit plus one record per
 * writing thread.
 *
 * Readers of one socket are serialised by lock_sock(), so the record at
 * the head of the queue stays there until its reader takes it. Which lock
 * guards what: struct toy_sock, sock.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/sockios.h>
#include <linux/termios.h>
#include <linux/uaccess.h>
#include <net/sock.h>

#include "conn.h"
#include "flow.h"
#include "seqpacket.h"
#include "port.h"
#include "sock.h"
#include "stats.h"
#include "trace.h"

/*
 * The most payload one skb of a record carries. alloc_skb_with_frags()
 * on 6.1 refuses more than MAX_SKB_FRAGS pages, whatever their order;
 * 64 KiB is 16 pages.
 */
#define TOY_SEQPACKET_SKB_MAX	SZ_64K
/*
 * A part up to this size is copied into the skb head, one allocation of
 * up to four pages, as AF_UNIX does: 4 KiB records in page fragments ran
 * at 0.8x AF_UNIX's throughput, in the head at 1.08x (toyperf records).
 */
#define TOY_SEQPACKET_LINEAR_MAX	SKB_MAX_ALLOC
/* Larger parts go into page fragments of up to this order. */
#define TOY_SEQPACKET_FRAG_ORDER	get_order(SZ_32K)

/* An skb for @size bytes of a record, not charged to anybody yet. */
static struct sk_buff *toy_seqpacket_alloc_part(struct sock *sk, size_t size,
						int *err)
{
	size_t linear = size <= TOY_SEQPACKET_LINEAR_MAX ? size : 0;
	struct sk_buff *skb;

	skb = alloc_skb_with_frags(linear, size - linear,
				   TOY_SEQPACKET_FRAG_ORDER, err,
				   sk->sk_allocation);
	if (!skb)
		return NULL;
	skb_put(skb, linear);
	skb->data_len = size - linear;
	skb->len = size;
	return skb;
}

/*
 * An skb for a record of @len bytes (0 included), charged to @sk as a
 * whole: past TOY_SEQPACKET_SKB_MAX, the rest goes into more skbs on its
 * frag_list, whose lengths and memory the first skb accounts for, so that
 * copying in, copying out and freeing treat the record as one skb.
 */
static struct sk_buff *toy_seqpacket_alloc_record(struct sock *sk, size_t len,
						  int *err)
{
	size_t size = min_t(size_t, len, TOY_SEQPACKET_SKB_MAX);
	struct sk_buff *skb, *part, **next;
	size_t left;

	skb = toy_seqpacket_alloc_part(sk, size, err);
	if (!skb)
		return NULL;
	next = &skb_shinfo(skb)->frag_list;
	for (left = len - size; left; left -= size) {
		size = min_t(size_t, left, TOY_SEQPACKET_SKB_MAX);
		part = toy_seqpacket_alloc_part(sk, size, err);
		if (!part) {
			/* frees the parts on the frag_list too */
			kfree_skb(skb);
			return NULL;
		}
		*next = part;
		next = &part->next;
		skb->len += size;
		skb->data_len += size;
		skb->truesize += part->truesize;
	}
	skb_set_owner_w(skb, sk);
	return skb;
}

/* Send @len bytes of @msg as one record. */
static int toy_seqpacket_send_one(struct socket *sock, struct msghdr *msg,
				  size_t len)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	struct sock *peer;
	long timeo;
	int err;

	/* out of scope, see Documentation/differences.md */
	if (msg->msg_flags & MSG_OOB || msg->msg_controllen)
		return -EOPNOTSUPP;
	if (msg->msg_namelen)
		return sk->sk_state == TCP_ESTABLISHED ? -EISCONN : -EOPNOTSUPP;

	/* as in stream.c: the reference @peer owns keeps the peer alive */
	peer = smp_load_acquire(&toy_sk(sk)->peer);
	if (!peer)
		return -ENOTCONN;
	if (len > READ_ONCE(sk->sk_sndbuf))
		return -EMSGSIZE;

	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	err = toy_flow_wait_room(sk, peer, &timeo);
	if (err)
		goto out_err;
	skb = toy_seqpacket_alloc_record(sk, len, &err);
	if (!skb)
		goto out_err;
	err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter, len);
	if (!err)
		err = toy_flow_queue_skb(peer, skb);
	if (err) {
		kfree_skb(skb);
		goto out_err;
	}
	toy_count_tx(sk, len);
	trace_toy_send(sk, 0, len, 0, 0);
	return len;

out_err:
	err = toy_flow_send_failed(sk, err, msg->msg_flags);
	trace_toy_send(sk, 0, 0, 0, err);
	return err;
}

static int toy_seqpacket_sendmsg(struct socket *sock, struct msghdr *msg,
				 size_t len)
{
	/* a pipe buffer's pages are copied: a record is never shared */
	if (toy_msg_splices_pages(msg))
		return toy_send_each_page(sock, msg, len,
					  toy_seqpacket_send_one);
	return toy_seqpacket_send_one(sock, msg, len);
}

/* The record at the head of @sk's receive queue, or NULL. */
static struct sk_buff *toy_seqpacket_peek(struct sock *sk)
{
	struct sk_buff_head *queue = &sk->sk_receive_queue;
	struct sk_buff *skb;

	spin_lock(&queue->lock);
	skb = skb_peek(queue);
	spin_unlock(&queue->lock);
	return skb;
}

/* Take the record @skb, read, off the head of @sk's queue and free it. */
static void toy_seqpacket_consume(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff_head *queue = &sk->sk_receive_queue;
	struct toy_sock *tsk = toy_sk(sk);

	spin_lock(&queue->lock);
	__skb_unlink(skb, queue);
	WRITE_ONCE(tsk->rx_unread, tsk->rx_unread - skb->len);
	spin_unlock(&queue->lock);
	/* runs sock_wfree(): uncharges the sender and wakes it */
	consume_skb(skb);
}

/*
 * Wait, under lock_sock(), for a record at the head of @sk's queue.
 * Returns it, or NULL with *@err 0 at the end of the stream, or the
 * socket's error, -EAGAIN or a signal's errno.
 */
static struct sk_buff *toy_seqpacket_wait_record(struct sock *sk, long timeo,
						 int *err)
{
	struct sk_buff *skb;

	while (!(skb = toy_seqpacket_peek(sk))) {
		if (toy_flow_read_over(sk, 0, 0, timeo, err))
			break;
		toy_flow_wait_readable(sk, &timeo, 0);
	}
	return skb;
}

/*
 * One record per call. Every call that returns a record ends at its
 * boundary, so MSG_EOR is always set, and a zero-length record (0, with
 * MSG_EOR) can be told from the end of the stream (0 without). A record
 * that faults on the way out stays queued for the next call.
 */
static int toy_seqpacket_recvmsg(struct socket *sock, struct msghdr *msg,
				 size_t size, int flags)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	size_t copied;
	int err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;

	lock_sock(sk);
	if (sk->sk_state != TCP_ESTABLISHED) {
		err = -ENOTCONN;
		goto out;
	}
	skb = toy_seqpacket_wait_record(sk, sock_rcvtimeo(sk, flags &
							  MSG_DONTWAIT), &err);
	if (!skb)
		goto out;

	copied = min_t(size_t, skb->len, size);
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (err)
		goto out;
	msg->msg_flags |= MSG_EOR;
	if (copied < skb->len)
		msg->msg_flags |= MSG_TRUNC;
	err = flags & MSG_TRUNC ? skb->len : copied;
	if (!(flags & MSG_PEEK)) {
		toy_seqpacket_consume(sk, skb);
		toy_count_rx(sk, copied);
	}
	trace_toy_recv(sk, copied, 0, flags & MSG_PEEK, 0);
	release_sock(sk);
	return err;
out:
	trace_toy_recv(sk, 0, 0, flags & MSG_PEEK, err);
	release_sock(sk);
	return err;
}

/* Readable once a record, even an empty one, is queued. */
static __poll_t toy_seqpacket_poll(struct file *file, struct socket *sock,
				   poll_table *wait)
{
	struct sock *sk = sock->sk;

	sock_poll_wait(file, sock, wait);
	return toy_flow_poll_mask(sk,
				  !skb_queue_empty_lockless(&sk->sk_receive_queue));
}

/*
 * SIOCINQ: the size of the next record, what a recv() needs room for (as
 * for a datagram; AF_UNIX sums every record queued). SIOCOUTQ: the bytes
 * of the records sent and not yet read, as for a stream.
 */
static int toy_seqpacket_ioctl(struct socket *sock, unsigned int cmd,
			       unsigned long arg)
{
	struct sock *sk = sock->sk;
	int bytes;

	switch (cmd) {
	case SIOCINQ:
		if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
			return -EINVAL;
		bytes = toy_next_msg_len(sk);
		break;
	case SIOCOUTQ:
		bytes = toy_flow_outq(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(bytes, (int __user *)arg);
}

static const struct proto_ops toy_seqpacket_ops = {
	TOY_CONN_OPS,
	.poll		= toy_seqpacket_poll,
	.ioctl		= toy_seqpacket_ioctl,
	.sendmsg	= toy_seqpacket_sendmsg,
	.recvmsg	= toy_seqpacket_recvmsg,
};

/**
 * toy_seqpacket_create() - socket(2) for SOCK_SEQPACKET
 * @net: the caller's network namespace
 * @sock: the new struct socket
 * @kern: true for sockets created by the kernel itself
 *
 * Return: 0 or -ENOMEM.
 */
int toy_seqpacket_create(struct net *net, struct socket *sock, int kern)
{
	return toy_conn_create(net, sock, &toy_seqpacket_ops, kern);
}
