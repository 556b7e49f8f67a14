// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: the connection lifecycle of the connected socket types, and
 * nothing of how they move data.
 *
 * listen() marks a bound socket TCP_LISTEN. connect() finds the listener
 * in the port table, allocates the listener's end of the new connection
 * itself (no handshake is needed on one host), links the two ends as
 * peers and queues the new end on the listener's accept_queue; accept()
 * takes it from there. A full backlog makes connect() sleep on the
 * listener's peer_wait, or fail with EAGAIN when it may not sleep.
 * shutdown() mirrors what one end stops doing to the other; release
 * closes both directions, resets the peer when data was left unread, and
 * closes the connections its accept queue still holds.
 *
 * The data paths (stream.c, seqpacket.c) call into this file for the
 * proto_ops above;
 * this file never calls into them. Flow control is flow.c's. Which lock
 * guards what: struct toy_sock, sock.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include "conn.h"
#include "flow.h"
#include "port.h"
#include "sock.h"
#include "stats.h"
#include "trace.h"

/*
 * A sock of a connected type: for socket(2) when @sock is set, else the
 * listener's end of a connection that connect() builds.
 */
static struct sock *toy_conn_sock_alloc(struct net *net, struct socket *sock,
					int type, int kern)
{
	struct sock *sk = toy_sock_alloc(net, sock, type, kern);

	if (sk)
		sk->sk_write_space = toy_flow_write_space;
	return sk;
}

/**
 * toy_conn_create() - socket(2) of a connected type
 * @net: the caller's network namespace
 * @sock: the new struct socket, its type set
 * @ops: the proto_ops of the type
 * @kern: true for sockets created by the kernel itself
 *
 * Return: 0 or -ENOMEM.
 */
int toy_conn_create(struct net *net, struct socket *sock,
		    const struct proto_ops *ops, int kern)
{
	sock->ops = ops;
	return toy_conn_sock_alloc(net, sock, sock->type, kern) ? 0 : -ENOMEM;
}

/* SO_PEERCRED: record the calling process as what @sk's peer will see. */
static void toy_conn_set_peercred(struct sock *sk)
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
static void toy_conn_copy_peercred(struct sock *sk, struct sock *from)
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
 * Wake connectors sleeping in toy_conn_wait_backlog() on listener @tsk:
 * one when a backlog slot was freed, all when @all (the listener closed,
 * was shut down for reading or got a larger backlog). The state they wait
 * for was changed before; wq_has_sleeper()'s barrier pairs with the one in
 * prepare_to_wait_exclusive(), so the wait queue lock is only taken when
 * somebody sleeps there, not on every accept() and close().
 */
static void toy_conn_wake_connectors(struct toy_sock *tsk, bool all)
{
	if (!wq_has_sleeper(&tsk->peer_wait))
		return;
	if (all)
		wake_up_interruptible_all(&tsk->peer_wait);
	else
		wake_up_interruptible(&tsk->peer_wait);
}

/*
 * Close @sk: no more data can reach it, its peer sees the end of the
 * stream (and ECONNRESET if @sk leaves unread data or was never accepted,
 * as with AF_UNIX), and the sockets waiting in its accept queue are closed
 * the same way. Runs once per sock, from release or, for a sock never
 * accepted, from its listener's close.
 */
static void toy_conn_close(struct sock *sk, bool never_accepted)
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
	toy_set_state(sk, TCP_CLOSE);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	peer = tsk->peer;
	WRITE_ONCE(tsk->peer, NULL);
	list_splice_init(&tsk->accept_queue, &accept_queue);
	/* SOCK_DEAD is set: from here on no sender can append */
	unread = !skb_queue_empty(&sk->sk_receive_queue);
	spin_unlock(&tsk->lock);

	/* connectors waiting for backlog room find the listener gone */
	toy_conn_wake_connectors(tsk, true);

	trace_toy_release(sk, READ_ONCE(tsk->rx_unread));
	if (peer) {
		struct toy_sock *ptsk = toy_sk(peer);
		bool reset = unread || never_accepted;

		spin_lock(&ptsk->lock);
		WRITE_ONCE(peer->sk_shutdown, SHUTDOWN_MASK);
		if (reset)
			WRITE_ONCE(peer->sk_err, ECONNRESET);
		spin_unlock(&ptsk->lock);
		if (reset)
			trace_toy_reset(sk, peer, never_accepted);
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
		toy_conn_close(&pending->sk, true);
		sock_put(&pending->sk);
	}
}

int toy_conn_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	toy_conn_close(sk, false);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

int toy_conn_listen(struct socket *sock, int backlog)
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

	toy_conn_set_peercred(sk);

	spin_lock(&tsk->lock);
	grown = backlog > sk->sk_max_ack_backlog;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	toy_set_state(sk, TCP_LISTEN);
	spin_unlock(&tsk->lock);
	trace_toy_listen(sk, backlog);
	if (grown)
		toy_conn_wake_connectors(tsk, true);
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
static int toy_conn_queue_conn(struct sock *listener, struct sock *sk,
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
	toy_set_state(newsk, TCP_ESTABLISHED);
	newsk->sk_rcvbuf = READ_ONCE(listener->sk_rcvbuf);
	newsk->sk_sndbuf = READ_ONCE(listener->sk_sndbuf);
	sock_hold(sk);
	ntsk->peer = sk;
	toy_conn_set_peercred(newsk);
	toy_conn_copy_peercred(sk, listener);

	spin_lock_nested(&tsk->lock, SINGLE_DEPTH_NESTING);
	sock_hold(newsk);
	/* pairs with the smp_load_acquire() in sendmsg: @newsk is ready */
	smp_store_release(&tsk->peer, newsk);
	toy_set_state(sk, TCP_ESTABLISHED);
	spin_unlock(&tsk->lock);

	list_add_tail(&ntsk->accept_node, &ltsk->accept_queue);
	sk_acceptq_added(listener);
	spin_unlock(&ltsk->lock);

	listener->sk_data_ready(listener);
	return 0;
}

/*
 * One attempt to connect @sk, under its lock_sock(), to the listener on
 * @port, with @newsk as the listener's end. Returns 0 when connected;
 * -EAGAIN when the backlog is full, with the listener in *@listener and a
 * reference on it for the caller; any other errno when connect fails.
 */
static int toy_conn_try_connect(struct sock *sk, u32 port,
				struct sock *newsk, struct sock **listener)
{
	int err;

	switch (sk->sk_state) {
	case TCP_CLOSE:
		break;
	case TCP_ESTABLISHED:
		return -EISCONN;
	default:
		return -EINVAL;
	}
	err = toy_autobind(sk);
	if (err)
		return err;

	*listener = toy_lookup(sk, port);
	if (!*listener)
		return -ECONNREFUSED;
	err = toy_conn_queue_conn(*listener, sk, newsk);
	if (err != -EAGAIN)
		sock_put(*listener);
	return err;
}

/*
 * Sleep until @listener may have backlog room, stops listening or *@timeo
 * ends. Connectors wait exclusively: an accept() frees one slot and wakes
 * one of them, not all (unix_wait_for_peer() does the same); a connector
 * that was woken and leaves without taking the slot passes the wakeup on
 * (toy_conn_connect()).
 */
static int toy_conn_wait_backlog(struct sock *listener, long *timeo)
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

/* How a connect() that waited or not (@waited) and returned @err ended. */
static int toy_conn_outcome(int err, bool waited)
{
	switch (err) {
	case 0:
		return TOY_CONNECT_QUEUED;
	case -ECONNREFUSED:
		return TOY_CONNECT_REFUSED;
	case -EAGAIN:
		return waited ? TOY_CONNECT_TIMED_OUT : TOY_CONNECT_BACKLOG_FULL;
	default:
		return TOY_CONNECT_FAILED;
	}
}

int toy_conn_connect(struct socket *sock, struct sockaddr_unsized *uaddr,
		     int addr_len, int flags)
{
	const struct sockaddr_toy *addr = (const struct sockaddr_toy *)uaddr;
	struct sock *listener, *newsk, *waited = NULL;
	struct sock *sk = sock->sk;
	long timeo;
	int err;

	err = toy_addr_check(uaddr, addr_len);
	if (err)
		return err;

	/* allocate before taking any lock; freed again if connect fails */
	newsk = toy_conn_sock_alloc(sock_net(sk), NULL, sk->sk_type, 0);
	if (!newsk)
		return -ENOMEM;

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	lock_sock(sk);
	err = toy_conn_try_connect(sk, addr->stoy_port, newsk, &listener);
	if (err == -EAGAIN)
		toy_stat_add(sk, TOY_STAT_BACKLOG_OVERFLOWS, 1);
	/* backlog full: wait, without blocking other users of @sk, and retry */
	while (err == -EAGAIN && timeo) {
		trace_toy_connect(sk, addr->stoy_port, TOY_CONNECT_WAITING, 0);
		release_sock(sk);
		err = toy_conn_wait_backlog(listener, &timeo);
		/* keep the last listener waited on, for the end below */
		if (waited)
			sock_put(waited);
		waited = listener;
		lock_sock(sk);
		if (!err)
			err = toy_conn_try_connect(sk, addr->stoy_port, newsk,
						   &listener);
	}
	/* each try that found the backlog full left a reference to drop */
	if (err == -EAGAIN)
		sock_put(listener);
	if (!err) {
		sock->state = SS_CONNECTED;
		newsk = NULL;
		toy_stat_add(sk, TOY_STAT_ESTABLISHED, 1);
	}
	trace_toy_connect(sk, addr->stoy_port, toy_conn_outcome(err, waited),
			  err);
	release_sock(sk);
	/*
	 * Woken for a slot and leaving without it (a signal, or another
	 * thread connected @sk meanwhile): the next connector may have it.
	 */
	if (waited) {
		if (err && !sk_acceptq_is_full(waited))
			toy_conn_wake_connectors(toy_sk(waited), false);
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
static int toy_conn_dequeue_conn(struct sock *sk, struct sock **newsk)
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
		toy_conn_wake_connectors(tsk, false);
	return err;
}

int toy_conn_accept(struct socket *sock, struct socket *newsock,
		    struct proto_accept_arg *arg)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk;
	struct sock *newsk;
	long timeo;
	int err;

	/* the common case: a connection is waiting, no wait queue needed */
	err = toy_conn_dequeue_conn(sk, &newsk);
	if (err || newsk)
		goto out;

	timeo = sock_rcvtimeo(sk, arg->flags & O_NONBLOCK);
	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		/* checked again once queued: a wakeup before that is not lost */
		err = toy_conn_dequeue_conn(sk, &newsk);
		if (err || newsk)
			break;
		err = toy_wait_over(timeo);
		if (err)
			break;
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
out:
	if (err)
		return err;
	/*
	 * As in TCP, the new socket has its listener's SO_ZEROCOPY, and takes
	 * the option levels its listener takes (compat.h). Nobody else writes
	 * its sk_flags yet: it is off the queue and not reachable by its fd.
	 */
	sock_valbool_flag(newsk, SOCK_ZEROCOPY, sock_flag(sk, SOCK_ZEROCOPY));
	if (toy_sock_owns_sol_socket(sock))
		toy_sock_own_sol_socket(newsock);
	/* the accept queue's reference becomes the new socket's */
	sock_graft(newsk, newsock);
	newsock->state = SS_CONNECTED;
	/* after: the event stream reports the socket with its inode */
	trace_toy_accept(sk, newsk);
	return 0;
}

int toy_conn_shutdown(struct socket *sock, int how)
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
		toy_conn_wake_connectors(tsk, true);

	/* what one end stops doing, the other end can no longer expect */
	if (peer && mode & RCV_SHUTDOWN)
		peer_mode |= SEND_SHUTDOWN;
	if (peer && mode & SEND_SHUTDOWN)
		peer_mode |= RCV_SHUTDOWN;
	trace_toy_shutdown(sk, mode, peer_mode);
	if (!peer)
		return 0;

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
 * socketpair(): both sockets are new and not yet reachable from user
 * space, so no lock is needed to link them.
 */
int toy_conn_socketpair(struct socket *sock1, struct socket *sock2)
{
	struct sock *sk1 = sock1->sk, *sk2 = sock2->sk;

	sock_hold(sk1);
	toy_sk(sk2)->peer = sk1;
	sock_hold(sk2);
	toy_sk(sk1)->peer = sk2;
	toy_set_state(sk1, TCP_ESTABLISHED);
	toy_set_state(sk2, TCP_ESTABLISHED);
	toy_conn_set_peercred(sk1);
	toy_conn_set_peercred(sk2);
	sock1->state = SS_CONNECTED;
	sock2->state = SS_CONNECTED;
	toy_stat_add(sk1, TOY_STAT_ESTABLISHED, 1);
	trace_toy_connect(sk1, 0, TOY_CONNECT_PAIRED, 0);
	trace_toy_connect(sk2, 0, TOY_CONNECT_PAIRED, 0);
	return 0;
}

