// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: flow control and waiting, for the data paths of the connected
 * socket types.
 *
 * The bytes of one direction in flight (sent, not yet read) are charged
 * to the sender, so its sk_wmem_alloc bounds them. A sender may queue
 * while that charge is below the smaller of its SO_SNDBUF and the
 * reader's SO_RCVBUF (toy_flow_limit_to()); the data path decides how
 * much one skb carries. Reading an skb frees it, which runs sock_wfree():
 * it uncharges the sender and calls its sk_write_space(),
 * toy_flow_write_space(), waking a writer that waits for room. This is
 * AF_UNIX's model: the receiver is never charged.
 *
 * A sender appends to its peer's sk_receive_queue under the peer's
 * toy_sock.lock (toy_flow_queue_skb()), where release and shutdown change
 * what it must see; readers wait here for data, an error or the end of
 * the stream. Which lock guards what: struct toy_sock, sock.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include "flow.h"
#include "sock.h"
#include "trace.h"

/**
 * toy_flow_limit_to() - the most @sk may have in flight to @peer
 * @sk: the sender
 * @peer: the reader
 *
 * Return: the smaller of @sk's SO_SNDBUF and @peer's SO_RCVBUF.
 */
int toy_flow_limit_to(const struct sock *sk, const struct sock *peer)
{
	return min(READ_ONCE(sk->sk_sndbuf), READ_ONCE(peer->sk_rcvbuf));
}

/*
 * The most @sk may have in flight to its peer, from poll() of @sk or from
 * sk_write_space(), where the peer reference cannot go away (struct
 * toy_sock says why).
 */
static int toy_flow_limit(const struct sock *sk)
{
	struct sock *peer = READ_ONCE(toy_sk(sk)->peer);

	return peer ? toy_flow_limit_to(sk, peer) : READ_ONCE(sk->sk_sndbuf);
}

/**
 * toy_flow_writable() - may poll() report @sk writable?
 * @sk: a socket of a connected type
 *
 * Writable for poll and for waking writers: half the limit is free, so a
 * woken writer can queue a full-sized skb and waiters are not woken for
 * every skb the reader frees.
 *
 * Return: true when half the limit is free and @sk does not listen.
 */
bool toy_flow_writable(const struct sock *sk)
{
	return READ_ONCE(sk->sk_state) != TCP_LISTEN &&
	       sk_wmem_alloc_get(sk) * 2 <= toy_flow_limit(sk);
}

/**
 * toy_flow_write_space() - sk_write_space of the connected types
 * @sk: the sender, whose skb the reader has just freed (sock_wfree())
 *
 * Wakes writers and pollers of @sk once it is writable again.
 */
void toy_flow_write_space(struct sock *sk)
{
	struct socket_wq *wq;

	if (!toy_flow_writable(sk))
		return;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq)) {
		trace_toy_write_space(sk, sk_wmem_alloc_get(sk),
				      toy_flow_limit(sk));
		wake_up_interruptible_sync_poll(&wq->wait, EPOLLOUT |
						EPOLLWRNORM | EPOLLWRBAND);
	}
	sk_wake_async(sk, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/**
 * toy_flow_queue_skb() - append @skb to @peer's receive queue
 * @peer: the receiving socket
 * @skb: the data, charged to the sender
 *
 * Return: 0, or -EPIPE when @peer is closed or shut down for reading; the
 * caller then frees @skb.
 */
int toy_flow_queue_skb(struct sock *peer, struct sk_buff *skb)
{
	struct sk_buff_head *queue = &peer->sk_receive_queue;
	struct toy_sock *ptsk = toy_sk(peer);

	spin_lock(&ptsk->lock);
	if (sock_flag(peer, SOCK_DEAD) || peer->sk_shutdown & RCV_SHUTDOWN) {
		spin_unlock(&ptsk->lock);
		return -EPIPE;
	}
	spin_lock(&queue->lock);
	__skb_queue_tail(queue, skb);
	WRITE_ONCE(ptsk->rx_unread, ptsk->rx_unread + skb->len);
	spin_unlock(&queue->lock);
	spin_unlock(&ptsk->lock);

	peer->sk_data_ready(peer);
	return 0;
}

/**
 * toy_flow_send_error() - what a send on @sk meets whatever room there is
 * @sk: the sending socket
 *
 * The socket's pending error is looked at, not taken: the call that fails
 * with it takes it (toy_flow_send_failed()).
 *
 * Return: the pending error, -EPIPE once @sk is shut down for writing, or 0.
 */
int toy_flow_send_error(const struct sock *sk)
{
	int err = -READ_ONCE(sk->sk_err);

	if (!err && READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN)
		err = -EPIPE;
	return err;
}

/*
 * Is sending to @peer possible, or over? True with *@err 0 when @sk has
 * room for one more skb; true with a pending socket error (ECONNRESET when
 * the peer closed with data unread, as by AF_UNIX) or with -EPIPE once
 * either side shut the direction down; false while @sk must wait for room.
 */
static bool toy_flow_send_ready(struct sock *sk, struct sock *peer, int *err)
{
	*err = toy_flow_send_error(sk);
	if (!*err && READ_ONCE(peer->sk_shutdown) & RCV_SHUTDOWN)
		*err = -EPIPE;
	if (*err)
		return true;
	return sk_wmem_alloc_get(sk) < toy_flow_limit_to(sk, peer);
}

/**
 * toy_flow_wait_room() - wait until @sk may queue one more skb to @peer
 * @sk: the sending socket
 * @peer: its peer
 * @timeo: the time left to wait; updated
 *
 * The wait queue is only joined when there is no room.
 *
 * Return: 0 when there is room; the pending socket error or -EPIPE as
 * toy_flow_send_error() and the peer's shutdown say; -EAGAIN when *@timeo
 * ends; the errno of a signal.
 */
int toy_flow_wait_room(struct sock *sk, struct sock *peer, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err;

	if (toy_flow_send_ready(sk, peer, &err))
		return err;

	add_wait_queue(sk_sleep(sk), &wait);
	/*
	 * Checked again once queued, so that a wakeup before that is not
	 * lost. The reader frees room and then looks for sleepers without a
	 * lock we take (sock_wfree(), skwq_has_sleeper()): the barrier orders
	 * our joining before our look at the room, against its barrier.
	 */
	smp_mb();
	while (!toy_flow_send_ready(sk, peer, &err)) {
		err = toy_wait_over(*timeo);
		if (err)
			break;
		trace_toy_wait_room(sk, sk_wmem_alloc_get(sk),
				    toy_flow_limit_to(sk, peer));
		*timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, *timeo);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

/**
 * toy_flow_send_failed() - the errno a send that sent nothing returns
 * @sk: the sending socket
 * @err: what stopped it
 * @flags: the send's msg_flags
 *
 * The socket error (only the peer's reset sets one) is reported once, by
 * the call that fails with it; a call that finds another took it first
 * reports what came with the reset, the end of the stream. EPIPE raises
 * SIGPIPE unless MSG_NOSIGNAL.
 *
 * Return: the errno to return.
 */
int toy_flow_send_failed(struct sock *sk, int err, int flags)
{
	if (err == -ECONNRESET)
		err = sock_error(sk) ?: -EPIPE;
	if (err == -EPIPE && !(flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err;
}

/* Are more than @seen bytes queued (with @seen 0, any record, even empty)? */
static bool toy_flow_unread(struct sock *sk, u32 seen)
{
	return seen ? READ_ONCE(toy_sk(sk)->rx_unread) > seen :
		      !skb_queue_empty_lockless(&sk->sk_receive_queue);
}

/**
 * toy_flow_readable() - is there more to read than @seen bytes?
 * @sk: the reading socket
 * @seen: bytes already looked at (a peek), else 0
 *
 * Return: true with more than @seen unread bytes, an error or the end of
 * the stream.
 */
bool toy_flow_readable(struct sock *sk, u32 seen)
{
	return toy_flow_unread(sk, seen) || READ_ONCE(sk->sk_err) ||
	       READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN;
}

/**
 * toy_flow_read_over() - must a reader that found nothing queued stop?
 * @sk: the reading socket
 * @copied: bytes the call has read so far
 * @seen: bytes it looked at and left queued (a peek), else 0
 * @timeo: the time it has left
 * @err: set to the errno to return, see below
 *
 * Queued data is read before the error or the end of the stream, and
 * data queued after the reader looked counts too: a peer queues its last
 * bytes, then shuts down or resets, each under its own lock section, and
 * a reader that sees the end must look at the queue once more.
 *
 * Return: false when more than @seen bytes are queued after all, or the
 * reader may wait; true at the end of the stream (*@err untouched), on
 * the socket's error (taken into *@err only when nothing was copied: else
 * the next call reports it), and when *@err says the timeout ended or a
 * signal came.
 */
bool toy_flow_read_over(struct sock *sk, size_t copied, u32 seen, long timeo,
			int *err)
{
	if (READ_ONCE(sk->sk_err) || READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) {
		/*
		 * The peer queued under its lock, then set the end under
		 * the same lock: whatever the end shows, the queue shows.
		 */
		smp_rmb();
		if (toy_flow_unread(sk, seen))
			return false;
		if (sk->sk_err && !copied)
			*err = sock_error(sk);
		return true;
	}
	*err = toy_wait_over(timeo);
	return *err;
}

/**
 * toy_flow_wait_readable() - sleep until toy_flow_readable()
 * @sk: the reading socket, with lock_sock() held (released while asleep)
 * @timeo: the time left to wait; updated
 * @seen: as for toy_flow_readable()
 *
 * Returns also when *@timeo ends or a signal comes.
 */
void toy_flow_wait_readable(struct sock *sk, long *timeo, u32 seen)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	sk_wait_event(sk, timeo, toy_flow_readable(sk, seen), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
}

/**
 * toy_flow_poll_mask() - what poll() reports for @sk
 * @sk: a socket of a connected type
 * @readable: whether its data path has something to read
 *
 * Called after sock_poll_wait(); reads the state locklessly.
 *
 * Return: the poll mask.
 */
__poll_t toy_flow_poll_mask(const struct sock *sk, bool readable)
{
	int state = READ_ONCE(sk->sk_state);
	u8 shutdown = READ_ONCE(sk->sk_shutdown);
	__poll_t mask = 0;

	/* an error, or zerocopy completions to read (stream.c) */
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	if (shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;

	if (state == TCP_LISTEN) {
		if (READ_ONCE(sk->sk_ack_backlog))
			mask |= EPOLLIN | EPOLLRDNORM;
		return mask;
	}

	if (readable)
		mask |= EPOLLIN | EPOLLRDNORM;
	/* a socket that is not connected has hung up, as in AF_UNIX */
	if (state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (toy_flow_writable(sk))
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	return mask;
}

/**
 * toy_flow_outq() - SIOCOUTQ: unread bytes @sk sent, what its peer queues
 * @sk: the socket asked, from its own ioctl()
 *
 * Return: the peer's unread bytes, 0 without a peer.
 */
int toy_flow_outq(const struct sock *sk)
{
	struct sock *peer = READ_ONCE(toy_sk(sk)->peer);

	return peer ? READ_ONCE(toy_sk(peer)->rx_unread) : 0;
}
