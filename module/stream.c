// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: SOCK_STREAM, a connected, reliable, ordered byte stream.
 *
 * Connection: listen() marks a bound socket TCP_LISTEN. connect() finds the
 * listener in the port table, allocates the listener's end of the new
 * connection itself (no handshake is needed on one host), links the two
 * ends as peers and queues the new end on the listener's accept_queue;
 * accept() takes it from there. A full backlog makes connect() sleep on the
 * listener's peer_wait, or fail with EAGAIN when it may not sleep.
 *
 * Data: sendmsg() copies the caller's bytes into skbs charged to the
 * sender's sk_wmem_alloc and appends them to the peer's sk_receive_queue;
 * recvmsg() copies them out, remembering in the skb's control block how
 * much of each skb was read, and frees an skb once all of it was read. The
 * free runs sock_wfree(), which uncharges the sender and calls its
 * sk_write_space(), waking a writer that waits for room.
 *
 * Flow control: the bytes of one direction in flight (sent, not yet read)
 * are charged to the sender, so its sk_wmem_alloc bounds them. A sender may
 * queue while that charge is below the smaller of its SO_SNDBUF and the
 * reader's SO_RCVBUF, one skb of at most half that limit at a time, so one
 * connection never holds more than one and a half limits per direction
 * (per writing thread).
 *
 * Locks: readers of one socket are serialised by lock_sock(), which also
 * orders connect and listen. accept() takes only the listener's
 * toy_sock.lock, under which listen and shutdown change what it checks.
 * Senders take no socket lock of their own: they append under the peer's
 * toy_sock.lock, which release and shutdown take to change what a sender
 * must see. See struct toy_sock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <linux/splice.h>
#include <linux/termios.h>
#include <net/sock.h>

#include "toy.h"

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
 * @spliced: the skb holds references to a sender's pages (sendfile(),
 *	splice()); set before it is queued, never changed.
 */
struct toy_skb_cb {
	u32 consumed;
	bool spliced;
};

#define TOY_SKB_CB(skb)	((struct toy_skb_cb *)(skb)->cb)

/* The most @sk may have in flight to @peer. */
static int toy_stream_limit_to(const struct sock *sk, const struct sock *peer)
{
	return min(READ_ONCE(sk->sk_sndbuf), READ_ONCE(peer->sk_rcvbuf));
}

/*
 * The most @sk may have in flight to its peer, from poll() of @sk or from
 * sk_write_space(), where the peer reference cannot go away (struct
 * toy_sock says why).
 */
static int toy_stream_limit(const struct sock *sk)
{
	struct sock *peer = READ_ONCE(toy_sk(sk)->peer);

	return peer ? toy_stream_limit_to(sk, peer) : READ_ONCE(sk->sk_sndbuf);
}

/*
 * Writable for poll and for waking writers: half the limit is free, so a
 * woken writer can queue a full-sized skb and waiters are not woken for
 * every skb the reader frees.
 */
static bool toy_stream_writable(const struct sock *sk)
{
	return READ_ONCE(sk->sk_state) != TCP_LISTEN &&
	       sk_wmem_alloc_get(sk) * 2 <= toy_stream_limit(sk);
}

/* sk_write_space: called by sock_wfree() when the reader freed an skb. */
static void toy_stream_write_space(struct sock *sk)
{
	struct socket_wq *wq;

	if (!toy_stream_writable(sk))
		return;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_sync_poll(&wq->wait, EPOLLOUT |
						EPOLLWRNORM | EPOLLWRBAND);
	sk_wake_async(sk, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/**
 * toy_stream_init_sock() - stream-specific part of toy_sock_alloc()
 * @sk: the new sock
 */
void toy_stream_init_sock(struct sock *sk)
{
	sk->sk_write_space = toy_stream_write_space;
}

/* SO_PEERCRED: record the calling process as what @sk's peer will see. */
static void toy_stream_set_peercred(struct sock *sk)
{
	const struct cred *old_cred;
	struct pid *old_pid;

	spin_lock(&sk->sk_peer_lock);
	old_pid = sk->sk_peer_pid;
	old_cred = sk->sk_peer_cred;
	sk->sk_peer_pid = get_pid(task_tgid(current));
	sk->sk_peer_cred = get_current_cred();
	spin_unlock(&sk->sk_peer_lock);

	put_pid(old_pid);
	put_cred(old_cred);
}

/* SO_PEERCRED: give @sk the credentials @from recorded in listen(). */
static void toy_stream_copy_peercred(struct sock *sk, struct sock *from)
{
	const struct cred *cred, *old_cred;
	struct pid *pid, *old_pid;

	spin_lock(&from->sk_peer_lock);
	pid = get_pid(from->sk_peer_pid);
	cred = get_cred(from->sk_peer_cred);
	spin_unlock(&from->sk_peer_lock);

	spin_lock(&sk->sk_peer_lock);
	old_pid = sk->sk_peer_pid;
	old_cred = sk->sk_peer_cred;
	sk->sk_peer_pid = pid;
	sk->sk_peer_cred = cred;
	spin_unlock(&sk->sk_peer_lock);

	put_pid(old_pid);
	put_cred(old_cred);
}

/*
 * Must a blocking call stop waiting? -EAGAIN when its time @timeo ran out,
 * the errno of a pending signal, or 0 to go on waiting.
 */
static int toy_stream_wait_over(long timeo)
{
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 0;
}

/*
 * Wake connectors sleeping in toy_stream_wait_backlog() on listener @tsk:
 * one when a backlog slot was freed, all when @all (the listener closed,
 * was shut down for reading or got a larger backlog). The state they wait
 * for was changed before; wq_has_sleeper()'s barrier pairs with the one in
 * prepare_to_wait_exclusive(), so the wait queue lock is only taken when
 * somebody sleeps there, not on every accept() and close().
 */
static void toy_stream_wake_connectors(struct toy_sock *tsk, bool all)
{
	if (!wq_has_sleeper(&tsk->peer_wait))
		return;
	if (all)
		wake_up_interruptible_all(&tsk->peer_wait);
	else
		wake_up_interruptible(&tsk->peer_wait);
}

/*
 * Close the connection side of @sk: no more data can reach it, its peer
 * sees the end of the stream (and ECONNRESET if @sk leaves unread data or
 * was never accepted, as with AF_UNIX), and the sockets waiting in its
 * accept queue are closed the same way. Runs once per sock, from release or,
 * for a sock never accepted, from its listener's close.
 */
static void toy_stream_close(struct sock *sk, bool never_accepted)
{
	struct toy_sock *tsk = toy_sk(sk);
	struct toy_sock *pending, *next;
	LIST_HEAD(accept_queue);
	struct sock *peer;
	bool unread;

	toy_sock_unlist(sk);
	toy_unbind(sk);

	spin_lock(&tsk->lock);
	sock_orphan(sk);
	sk->sk_state = TCP_CLOSE;
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	peer = tsk->peer;
	WRITE_ONCE(tsk->peer, NULL);
	list_splice_init(&tsk->accept_queue, &accept_queue);
	/* SOCK_DEAD is set: from here on no sender can append */
	unread = !skb_queue_empty(&sk->sk_receive_queue);
	spin_unlock(&tsk->lock);

	/* connectors waiting for backlog room find the listener gone */
	toy_stream_wake_connectors(tsk, true);

	if (peer) {
		struct toy_sock *ptsk = toy_sk(peer);

		spin_lock(&ptsk->lock);
		WRITE_ONCE(peer->sk_shutdown, SHUTDOWN_MASK);
		if (unread || never_accepted)
			WRITE_ONCE(peer->sk_err, ECONNRESET);
		spin_unlock(&ptsk->lock);
		peer->sk_state_change(peer);
		sk_wake_async(peer, SOCK_WAKE_WAITD, POLL_HUP);
		sock_put(peer);
	}

	/* frees each skb through sock_wfree(), waking its sender */
	skb_queue_purge(&sk->sk_receive_queue);
	WRITE_ONCE(tsk->rx_unread, 0);

	/* sockets never accepted: depth one, they have no queue of their own */
	list_for_each_entry_safe(pending, next, &accept_queue, accept_node) {
		list_del_init(&pending->accept_node);
		toy_stream_close(&pending->sk, true);
		sock_put(&pending->sk);
	}
}

static int toy_stream_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	toy_stream_close(sk, false);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static int toy_stream_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct toy_sock *tsk = toy_sk(sk);
	bool grown;
	int err;

	/* the core has already clamped backlog to net.core.somaxconn */
	lock_sock(sk);
	err = -EINVAL;
	if (!tsk->in_table)
		goto out;
	if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN)
		goto out;

	toy_stream_set_peercred(sk);

	spin_lock(&tsk->lock);
	grown = backlog > sk->sk_max_ack_backlog;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	sk->sk_state = TCP_LISTEN;
	spin_unlock(&tsk->lock);
	if (grown)
		toy_stream_wake_connectors(tsk, true);
	err = 0;
out:
	release_sock(sk);
	return err;
}

/*
 * Link @sk and @newsk as the two ends of a connection and queue @newsk on
 * @listener's accept queue. Returns 0, -ECONNREFUSED when @listener does
 * not listen, or -EAGAIN when its backlog is full.
 */
static int toy_stream_queue_conn(struct sock *listener, struct sock *sk,
				 struct sock *newsk)
{
	struct toy_sock *ltsk = toy_sk(listener);
	struct toy_sock *ntsk = toy_sk(newsk);
	struct toy_sock *tsk = toy_sk(sk);

	spin_lock(&ltsk->lock);
	if (listener->sk_state != TCP_LISTEN ||
	    listener->sk_shutdown & RCV_SHUTDOWN) {
		spin_unlock(&ltsk->lock);
		return -ECONNREFUSED;
	}
	if (sk_acceptq_is_full(listener)) {
		spin_unlock(&ltsk->lock);
		return -EAGAIN;
	}

	/* @newsk is private until it is on the queue: no lock needed */
	ntsk->port = ltsk->port;
	newsk->sk_uid = listener->sk_uid;
	newsk->sk_state = TCP_ESTABLISHED;
	newsk->sk_rcvbuf = READ_ONCE(listener->sk_rcvbuf);
	newsk->sk_sndbuf = READ_ONCE(listener->sk_sndbuf);
	sock_hold(sk);
	ntsk->peer = sk;
	toy_stream_set_peercred(newsk);
	toy_stream_copy_peercred(sk, listener);

	spin_lock_nested(&tsk->lock, SINGLE_DEPTH_NESTING);
	sock_hold(newsk);
	/* pairs with the smp_load_acquire() in sendmsg: @newsk is ready */
	smp_store_release(&tsk->peer, newsk);
	sk->sk_state = TCP_ESTABLISHED;
	spin_unlock(&tsk->lock);

	list_add_tail(&ntsk->accept_node, &ltsk->accept_queue);
	sk_acceptq_added(listener);
	spin_unlock(&ltsk->lock);

	listener->sk_data_ready(listener);
	return 0;
}

/*
 * Sleep until @listener may have backlog room, stops listening or *@timeo
 * ends. Connectors wait exclusively: an accept() frees one slot and wakes
 * one of them, not all (unix_wait_for_peer() does the same); a connector
 * that was woken and leaves without taking the slot passes the wakeup on
 * (toy_stream_connect()).
 */
static int toy_stream_wait_backlog(struct sock *listener, long *timeo)
{
	struct toy_sock *ltsk = toy_sk(listener);
	DEFINE_WAIT(wait);

	prepare_to_wait_exclusive(&ltsk->peer_wait, &wait, TASK_INTERRUPTIBLE);
	if (sk_acceptq_is_full(listener) &&
	    READ_ONCE(listener->sk_state) == TCP_LISTEN &&
	    !(READ_ONCE(listener->sk_shutdown) & RCV_SHUTDOWN))
		*timeo = schedule_timeout(*timeo);
	finish_wait(&ltsk->peer_wait, &wait);

	return signal_pending(current) ? sock_intr_errno(*timeo) : 0;
}

static int toy_stream_connect(struct socket *sock,
			      struct sockaddr_unsized *uaddr,
			      int addr_len, int flags)
{
	const struct sockaddr_toy *addr = (const struct sockaddr_toy *)uaddr;
	struct sock *listener, *newsk, *waited = NULL;
	struct sock *sk = sock->sk;
	bool overflowed = false;
	long timeo;
	int err;

	err = toy_addr_check(uaddr, addr_len);
	if (err)
		return err;

	/* allocate before taking any lock; freed again if connect fails */
	newsk = toy_sock_alloc(sock_net(sk), NULL, SOCK_STREAM, 0);
	if (!newsk)
		return -ENOMEM;

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	lock_sock(sk);
	for (;;) {
		switch (sk->sk_state) {
		case TCP_CLOSE:
			break;
		case TCP_ESTABLISHED:
			err = -EISCONN;
			goto out;
		default:
			err = -EINVAL;
			goto out;
		}
		err = toy_autobind(sk);
		if (err)
			goto out;

		listener = toy_lookup(sock_net(sk), SOCK_STREAM,
				      addr->stoy_port);
		if (!listener) {
			err = -ECONNREFUSED;
			goto out;
		}
		err = toy_stream_queue_conn(listener, sk, newsk);
		if (err == -EAGAIN && !overflowed) {
			toy_stat_add(sk, TOY_STAT_BACKLOG_OVERFLOWS, 1);
			overflowed = true;
		}
		if (err != -EAGAIN || !timeo) {
			sock_put(listener);
			break;
		}

		/* backlog full: wait without blocking other users of @sk */
		release_sock(sk);
		err = toy_stream_wait_backlog(listener, &timeo);
		/* keep the last listener waited on, for the end below */
		if (waited)
			sock_put(waited);
		waited = listener;
		lock_sock(sk);
		if (err)
			goto out;
	}
	if (!err) {
		sock->state = SS_CONNECTED;
		newsk = NULL;
		toy_stat_add(sk, TOY_STAT_ESTABLISHED, 1);
	}
out:
	release_sock(sk);
	/*
	 * Woken for a slot and leaving without it (a signal, or another
	 * thread connected @sk meanwhile): the next connector may have it.
	 */
	if (waited) {
		if (err && !sk_acceptq_is_full(waited))
			toy_stream_wake_connectors(toy_sk(waited), false);
		sock_put(waited);
	}
	if (err == -ECONNREFUSED)
		toy_stat_add(sk, TOY_STAT_REFUSED, 1);
	if (newsk) {
		toy_sock_unlist(newsk);
		sock_put(newsk);
	}
	return err;
}

/*
 * Take the oldest connection off the accept queue of listener @sk into
 * *@newsk (NULL when the queue is empty). Returns -EINVAL when @sk does
 * not listen or was shut down for reading (which ends accept, as in
 * AF_UNIX); both are checked under the lock that listen() and shutdown()
 * change them under, so accept() needs no lock_sock().
 */
static int toy_stream_dequeue_conn(struct sock *sk, struct sock **newsk)
{
	struct toy_sock *tsk = toy_sk(sk);
	struct toy_sock *ntsk = NULL;
	int err = 0;

	spin_lock(&tsk->lock);
	if (sk->sk_state != TCP_LISTEN || sk->sk_shutdown & RCV_SHUTDOWN)
		err = -EINVAL;
	else
		ntsk = list_first_entry_or_null(&tsk->accept_queue,
						struct toy_sock, accept_node);
	if (ntsk) {
		list_del_init(&ntsk->accept_node);
		sk_acceptq_removed(sk);
	}
	spin_unlock(&tsk->lock);

	*newsk = ntsk ? &ntsk->sk : NULL;
	if (ntsk)
		toy_stream_wake_connectors(tsk, false);
	return err;
}

static int toy_stream_accept(struct socket *sock, struct socket *newsock,
			     struct proto_accept_arg *arg)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk;
	struct sock *newsk;
	long timeo;
	int err;

	/* the common case: a connection is waiting, no wait queue needed */
	err = toy_stream_dequeue_conn(sk, &newsk);
	if (err || newsk)
		goto out;

	timeo = sock_rcvtimeo(sk, arg->flags & O_NONBLOCK);
	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		/* checked again once queued: a wakeup before that is not lost */
		err = toy_stream_dequeue_conn(sk, &newsk);
		if (err || newsk)
			break;
		err = toy_stream_wait_over(timeo);
		if (err)
			break;
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
out:
	if (err)
		return err;
	/* the accept queue's reference becomes the new socket's */
	sock_graft(newsk, newsock);
	newsock->state = SS_CONNECTED;
	return 0;
}

TOY_ACCEPT_OP(toy_stream_accept);

/*
 * Append @skb to @peer's receive queue. Returns -EPIPE when @peer is closed
 * or shut down for reading; the caller then frees @skb.
 */
static int toy_stream_queue_skb(struct sock *peer, struct sk_buff *skb)
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

/*
 * What a send on @sk meets whatever room there is: the socket's pending
 * error, looked at and not taken, or -EPIPE once @sk is shut down for
 * writing; 0 if neither.
 */
static int toy_stream_send_error(const struct sock *sk)
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
 * The socket error is only looked at here: toy_stream_send() takes it
 * when it fails with it, and leaves it for the next call after a short
 * send, as TCP does.
 */
static bool toy_stream_send_ready(struct sock *sk, struct sock *peer,
				  int *err)
{
	*err = toy_stream_send_error(sk);
	if (!*err && READ_ONCE(peer->sk_shutdown) & RCV_SHUTDOWN)
		*err = -EPIPE;
	if (*err)
		return true;
	return sk_wmem_alloc_get(sk) < toy_stream_limit_to(sk, peer);
}

/*
 * Wait until toy_stream_send_ready(), *@timeo ends (-EAGAIN) or a signal
 * comes (its errno). The wait queue is only joined when there is no room.
 */
static int toy_stream_wait_room(struct sock *sk, struct sock *peer,
				long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err;

	if (toy_stream_send_ready(sk, peer, &err))
		return err;

	add_wait_queue(sk_sleep(sk), &wait);
	/* checked again once queued: a wakeup before that is not lost */
	while (!toy_stream_send_ready(sk, peer, &err)) {
		err = toy_stream_wait_over(*timeo);
		if (err)
			break;
		*timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, *timeo);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

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
	TOY_SKB_CB(skb)->spliced = false;
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
	TOY_SKB_CB(skb)->spliced = true;
	*size = n;
	return skb;
}

/* Payload of the next skb to @peer: half the limit, within the bounds. */
static size_t toy_stream_skb_size(const struct sock *sk,
				  const struct sock *peer, size_t left)
{
	size_t size = toy_stream_limit_to(sk, peer) / 2;

	size = clamp_t(size_t, size, TOY_STREAM_SKB_MIN, TOY_STREAM_SKB_MAX);
	return min(size, left);
}

/*
 * Copy @len bytes (at most d->len) of @msg into the posted buffer @d with
 * page faults disabled: a fault stops the copy short instead of sleeping,
 * so the reader, which waits for this copy to end, waits for a memcpy and
 * never for the sender's memory (a userfaultfd range, a stalled FUSE file).
 */
static size_t toy_stream_copy_direct(struct toy_direct *d,
				     struct msghdr *msg, size_t len)
{
	size_t copied = 0, off = d->offset;
	unsigned int i;

	for (i = 0; copied < len; i++, off = 0) {
		size_t chunk = min_t(size_t, PAGE_SIZE - off, len - copied);
		void *to = kmap_local_page(d->pages[i]);
		size_t n;

		pagefault_disable();
		n = copy_from_iter(to + off, chunk, &msg->msg_iter);
		pagefault_enable();
		kunmap_local(to);
		copied += n;
		if (n < chunk)
			break;
	}
	return copied;
}

/*
 * One copy instead of two: when @peer's reader sleeps in recvmsg() with
 * an empty queue, it has posted its buffer (struct toy_direct), pinned.
 * Fault the source in first, while the buffer is still the reader's:
 * whatever that costs, the reader can still give up. Then claim the
 * buffer, under the locks a sender queues under, so that no skb can be
 * queued before the claim and nothing is claimed from a closed or shut
 * down peer, and copy into it outside any lock. Returns the bytes copied,
 * 0 when there was nothing to claim; the caller queues what is left.
 * Clears *@again when the copy stopped short on a fault: the rest must
 * go through the queue, where faults may sleep.
 */
static size_t toy_stream_send_direct(struct sock *peer, struct msghdr *msg,
				     size_t len, bool *again)
{
	struct sk_buff_head *queue = &peer->sk_receive_queue;
	struct toy_sock *ptsk = toy_sk(peer);
	struct toy_direct *d = NULL;
	size_t copied;

	if (!READ_ONCE(ptsk->direct))
		return 0;
	len = min_t(size_t, len, TOY_DIRECT_MAX);
	if (fault_in_iov_iter_readable(&msg->msg_iter, len) == len) {
		*again = false;
		return 0;
	}

	spin_lock(&ptsk->lock);
	if (!sock_flag(peer, SOCK_DEAD) && !(peer->sk_shutdown & RCV_SHUTDOWN)) {
		spin_lock(&queue->lock);
		if (ptsk->direct && skb_queue_empty(queue)) {
			d = ptsk->direct;
			WRITE_ONCE(ptsk->direct, NULL);
			WRITE_ONCE(d->state, TOY_DIRECT_CLAIMED);
		}
		spin_unlock(&queue->lock);
	}
	spin_unlock(&ptsk->lock);
	if (!d)
		return 0;

	len = min(len, d->len);
	copied = toy_stream_copy_direct(d, msg, len);
	if (copied < len)
		*again = false;
	d->copied = copied;
	/* the reader may return once it sees DONE: @d is not used after */
	smp_store_release(&d->state, TOY_DIRECT_DONE);
	/* orders the store before wake_up_var()'s look at its wait queue */
	smp_mb();
	wake_up_var(&d->state);
	peer->sk_data_ready(peer);
	if (copied)
		toy_stat_add(peer, TOY_STAT_DIRECT_BYTES, copied);
	return copied;
}

/*
 * Send @len bytes of @msg: copied into skbs, or with @splice (sendfile(),
 * splice()) queued as references to the pages @msg's iterator holds.
 */
static int toy_stream_send(struct socket *sock, struct msghdr *msg,
			   size_t len, bool splice)
{
	/*
	 * A reader waits with an empty queue: copy straight to it. Not pages
	 * to splice, which the reader copies from as they are: it would be
	 * one copy either way, and the reader's pinning would cost more than
	 * it saves.
	 */
	bool direct_ok = !splice;
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	struct sock *peer;
	size_t sent = 0;
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

	err = toy_stream_send_error(sk);
	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	while (!err && sent < len) {
		size_t size;

		err = toy_stream_wait_room(sk, peer, &timeo);
		if (err)
			break;

		if (direct_ok) {
			size = toy_stream_send_direct(peer, msg, len - sent,
						      &direct_ok);
			sent += size;
			if (size)
				continue;
		}

		size = toy_stream_skb_size(sk, peer, len - sent);
		if (splice) {
			skb = toy_stream_splice_skb(sk, msg, &size, &err);
			if (!skb)
				break;
		} else {
			skb = toy_stream_alloc_skb(sk, size, &err);
			if (!skb)
				break;
			err = skb_copy_datagram_from_iter(skb, 0,
							  &msg->msg_iter, size);
		}
		if (!err)
			err = toy_stream_queue_skb(peer, skb);
		if (err) {
			kfree_skb(skb);
			break;
		}
		sent += size;
	}

	if (sent) {
		toy_count_tx(sk, sent);
		return sent;
	}
	/*
	 * The socket error (only the peer's reset sets one) is reported once,
	 * by the call that fails with it; a call that finds another took it
	 * first reports what came with the reset, the end of the stream.
	 */
	if (err == -ECONNRESET)
		err = sock_error(sk) ?: -EPIPE;
	if (err == -EPIPE && !(msg->msg_flags & MSG_NOSIGNAL))
		send_sig(SIGPIPE, current, 0);
	return err;
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

/* Is there more to read than the @seen bytes already looked at? */
static bool toy_stream_readable(struct sock *sk, u32 seen)
{
	return READ_ONCE(toy_sk(sk)->rx_unread) > seen ||
	       READ_ONCE(sk->sk_err) ||
	       READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN;
}

/*
 * Must a reader of @sk that found nothing queued stop, having @copied
 * bytes so far? True at the end of the stream (*@err untouched), on the
 * socket's error (taken into *@err only when nothing was copied: else it
 * is reported by the next call), and when *@err says the timeout ended
 * or a signal came; false when it may wait. Queued data is read before
 * the error or the end of the stream.
 */
static bool toy_stream_read_over(struct sock *sk, size_t copied, long timeo,
				 int *err)
{
	if (sk->sk_err) {
		if (!copied)
			*err = sock_error(sk);
		return true;
	}
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		return true;
	*err = toy_stream_wait_over(timeo);
	return *err;
}

/*
 * Sleep, with lock_sock() released, until @sk has more than @seen bytes,
 * an error or an EOF, or *@timeo ends or a signal comes.
 */
static void toy_stream_wait_readable(struct sock *sk, long *timeo, u32 seen)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	sk_wait_event(sk, timeo, toy_stream_readable(sk, seen), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
}

/*
 * Sleep, with lock_sock() released, until @sk has data, an error or an
 * EOF, or *@timeo ends or a signal comes, having posted up to @len bytes
 * of the caller's buffer for a sender to copy into directly (see
 * toy_stream_send_direct()). Called with an empty queue. Returns the
 * bytes a sender copied into the buffer, which advance @msg's iterator.
 */
static size_t toy_stream_wait_data(struct sock *sk, struct msghdr *msg,
				   size_t len, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sk_buff_head *queue = &sk->sk_receive_queue;
	struct toy_sock *tsk = toy_sk(sk);
	struct page **pages;
	unsigned int npages, ndirty;
	struct toy_direct d;
	ssize_t pinned = 0;
	size_t start;

	d.state = TOY_DIRECT_POSTED;
	d.copied = 0;
	/*
	 * Pin as much as the last read returned, twice over: a reader of
	 * small messages with a large buffer pins nothing, a bulk reader
	 * pins up to TOY_DIRECT_PAGES. Only user memory is pinned, and
	 * pinned (FOLL_PIN), not merely referenced: the pages stay the
	 * caller's across a fork and are written back like O_DIRECT's.
	 * Kernel callers keep the two copies.
	 */
	len = min_t(size_t, len, 2 * (size_t)tsk->rx_last);
	if (len >= TOY_DIRECT_MIN && user_backed_iter(&msg->msg_iter)) {
		pages = d.pages;
		pinned = iov_iter_extract_pages(&msg->msg_iter, &pages, len,
						TOY_DIRECT_PAGES, 0, &start);
	}
	if (pinned > 0) {
		d.offset = start;
		d.len = pinned;
		spin_lock(&queue->lock);
		/* one posted buffer per socket; data queued meanwhile goes first */
		if (!tsk->direct && skb_queue_empty(queue))
			WRITE_ONCE(tsk->direct, &d);
		spin_unlock(&queue->lock);
	}

	add_wait_queue(sk_sleep(sk), &wait);
	/* acquire: pairs with the release of DONE in toy_stream_send_direct() */
	sk_wait_event(sk, timeo, smp_load_acquire(&d.state) != TOY_DIRECT_POSTED ||
		      toy_stream_readable(sk, 0), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
	if (pinned <= 0)
		return 0;

	/*
	 * Take it back unless a sender claimed it; then wait for its copy,
	 * which page faults cannot stretch: toy_stream_copy_direct().
	 */
	spin_lock(&queue->lock);
	if (tsk->direct == &d)
		WRITE_ONCE(tsk->direct, NULL);
	spin_unlock(&queue->lock);
	/* acquire: d.copied and the pages are the sender's until DONE */
	wait_var_event(&d.state, smp_load_acquire(&d.state) != TOY_DIRECT_CLAIMED);

	/* only the pages written are dirtied */
	npages = DIV_ROUND_UP(d.offset + pinned, PAGE_SIZE);
	ndirty = d.copied ? DIV_ROUND_UP(d.offset + d.copied, PAGE_SIZE) : 0;
	unpin_user_pages_dirty_lock(d.pages, ndirty, true);
	unpin_user_pages(d.pages + ndirty, npages - ndirty);
	iov_iter_revert(&msg->msg_iter, pinned - d.copied);
	return d.copied;
}

static int toy_stream_recvmsg(struct socket *sock, struct msghdr *msg,
			      size_t size, int flags)
{
	bool peek = flags & MSG_PEEK;
	struct sock *sk = sock->sk;
	struct sk_buff *skb = NULL;
	bool spliced = false;
	size_t copied = 0;
	long timeo;
	int target;
	int err = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;

	lock_sock(sk);
	if (sk->sk_state != TCP_ESTABLISHED) {
		err = -EINVAL;
		goto out;
	}
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, size);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);

	while (copied < size) {
		size_t offset, len;

		/* when peeking, @skb is the last skb looked at */
		skb = toy_stream_next_skb(sk, peek ? skb : NULL);
		if (!skb) {
			if (copied >= target ||
			    toy_stream_read_over(sk, copied, timeo, &err))
				break;
			if (!peek) {
				copied += toy_stream_wait_data(sk, msg,
							       size - copied,
							       &timeo);
				continue;
			}
			toy_stream_wait_readable(sk, &timeo, copied);
			/* peek again from the start of the queue */
			iov_iter_revert(&msg->msg_iter, copied);
			copied = 0;
			skb = NULL;
			continue;
		}

		offset = TOY_SKB_CB(skb)->consumed;
		len = min_t(size_t, skb->len - offset, size - copied);
		if (skb_copy_datagram_msg(skb, offset, msg, len)) {
			if (!copied)
				err = -EFAULT;
			break;
		}
		copied += len;
		spliced = TOY_SKB_CB(skb)->spliced;
		if (!peek)
			toy_stream_consume(sk, skb, len);
	}
	/*
	 * A reader fed spliced pages posts no buffer: the sender would not
	 * copy into it, and pinning it would cost for nothing.
	 */
	if (!peek)
		toy_sk(sk)->rx_last = spliced ? 0 : copied;
out:
	release_sock(sk);
	if (!copied)
		return err;
	if (!peek)
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
			if (spliced || toy_stream_read_over(sk, 0, timeo, &err))
				break;
			toy_stream_wait_readable(sk, &timeo, 0);
			continue;
		}

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
	if (!spliced)
		return err;
	toy_count_rx(sk, spliced);
	return spliced;
}

static int toy_stream_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct toy_sock *tsk = toy_sk(sk);
	int mode, peer_mode = 0;
	struct sock *peer;

	mode = toy_shutdown_mode(how);
	if (!mode)
		return -EINVAL;

	spin_lock(&tsk->lock);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | mode);
	peer = tsk->peer;
	if (peer)
		sock_hold(peer);
	spin_unlock(&tsk->lock);
	sk->sk_state_change(sk);
	/* a listener shut down for reading accepts no more: refuse waiters */
	if (mode & RCV_SHUTDOWN)
		toy_stream_wake_connectors(tsk, true);
	if (!peer)
		return 0;

	/* what one end stops doing, the other end can no longer expect */
	if (mode & RCV_SHUTDOWN)
		peer_mode |= SEND_SHUTDOWN;
	if (mode & SEND_SHUTDOWN)
		peer_mode |= RCV_SHUTDOWN;

	spin_lock(&toy_sk(peer)->lock);
	WRITE_ONCE(peer->sk_shutdown, peer->sk_shutdown | peer_mode);
	spin_unlock(&toy_sk(peer)->lock);
	peer->sk_state_change(peer);
	if (peer_mode == SHUTDOWN_MASK)
		sk_wake_async(peer, SOCK_WAKE_WAITD, POLL_HUP);
	else if (peer_mode & RCV_SHUTDOWN)
		sk_wake_async(peer, SOCK_WAKE_WAITD, POLL_IN);
	sock_put(peer);
	return 0;
}

/*
 * Readable for poll(): SO_RCVLOWAT bytes are queued, or some are and the
 * peer waits for room: it is not writable (toy_stream_writable()), and
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
	return peer && !toy_stream_writable(peer);
}

static __poll_t toy_stream_poll(struct file *file, struct socket *sock,
				poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;
	u8 shutdown;
	int state;

	sock_poll_wait(file, sock, wait);
	state = READ_ONCE(sk->sk_state);
	shutdown = READ_ONCE(sk->sk_shutdown);

	if (READ_ONCE(sk->sk_err))
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

	if (toy_stream_lowat_met(sk))
		mask |= EPOLLIN | EPOLLRDNORM;
	/* a stream socket that is not connected has hung up, as in AF_UNIX */
	if (state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (toy_stream_writable(sk))
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	return mask;
}

/* Unread bytes @sk sent: what its peer has queued. From ioctl() of @sk. */
static int toy_stream_outq(struct sock *sk)
{
	struct sock *peer = READ_ONCE(toy_sk(sk)->peer);

	return peer ? READ_ONCE(toy_sk(peer)->rx_unread) : 0;
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
		bytes = toy_stream_outq(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(bytes, (int __user *)arg);
}

/*
 * socketpair(): both sockets are new and not yet reachable from user
 * space, so no lock is needed to link them.
 */
static int toy_stream_socketpair(struct socket *sock1, struct socket *sock2)
{
	struct sock *sk1 = sock1->sk, *sk2 = sock2->sk;

	sock_hold(sk1);
	toy_sk(sk2)->peer = sk1;
	sock_hold(sk2);
	toy_sk(sk1)->peer = sk2;
	sk1->sk_state = TCP_ESTABLISHED;
	sk2->sk_state = TCP_ESTABLISHED;
	toy_stream_set_peercred(sk1);
	toy_stream_set_peercred(sk2);
	sock1->state = SS_CONNECTED;
	sock2->state = SS_CONNECTED;
	toy_stat_add(sk1, TOY_STAT_ESTABLISHED, 1);
	return 0;
}

/* .family: see toy_stream_ops in toy.h */
const struct proto_ops toy_stream_ops = {
	.family		= PF_UNSPEC,
	.owner		= THIS_MODULE,
	.release	= toy_stream_release,
	.bind		= toy_bind,
	.connect	= toy_stream_connect,
	.socketpair	= toy_stream_socketpair,
	.accept		= toy_accept_op(toy_stream_accept),
	.getname	= toy_getname,
	.poll		= toy_stream_poll,
	.ioctl		= toy_stream_ioctl,
	.listen		= toy_stream_listen,
	.shutdown	= toy_stream_shutdown,
	.sendmsg	= toy_stream_sendmsg,
	.recvmsg	= toy_stream_recvmsg,
	.mmap		= sock_no_mmap,
	.splice_read	= toy_stream_splice_read,
	TOY_PROTO_SENDPAGE(toy_stream_send)
};
