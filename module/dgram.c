// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: SOCK_DGRAM, connectionless datagrams with best-effort delivery.
 *
 * A send is one skb holding one datagram and the sender's port. It is
 * allocated charged to the sender (so a sender's own SO_SNDBUF bounds what
 * it has in flight inside the kernel), then looked up by destination port,
 * moved to the receiver's charge and appended to the receiver's
 * sk_receive_queue, all in the sender's system call. A receiver whose
 * queue has reached its SO_RCVBUF drops the datagram: the sender is not
 * blocked and sees success, like UDP and unlike AF_UNIX, and the drop is
 * counted in the receiver's sk_drops (SO_MEMINFO, SO_RXQ_OVFL) and in its
 * namespace's counters.
 *
 * connect() records a default destination port (and autobinds, so that the
 * peer can recognise the sender); a connected socket accepts datagrams
 * from that port only. The peer is a port, not a socket: when it closes,
 * sends find nothing bound and fail with ECONNREFUSED.
 *
 * Locks: the receiver's toy_sock.lock is held while appending, and release
 * sets SOCK_DEAD under it before purging the queue, so nothing is queued
 * to a socket after its release. Receivers use the generic datagram
 * helpers, which take the queue lock.
 *
 * A sender finds and feeds the receiver under rcu_read_lock(), as UDP
 * does, without taking a reference on it: a reference count would be one
 * atomic that every sender to a receiver writes, per datagram. A bound
 * socket is freed only after a grace period (SOCK_RCU_FREE), and the
 * SOCK_DEAD test under its lock keeps a closing one from being fed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/sockios.h>
#include <linux/termios.h>
#include <linux/uaccess.h>
#include <net/sock.h>

#include "dgram.h"
#include "impair.h"
#include "port.h"
#include "sock.h"
#include "stats.h"
#include "trace.h"

/* A datagram up to this size is copied into the skb head, one allocation. */
#define TOY_DGRAM_LINEAR_MAX	SKB_MAX_HEAD(0)

/**
 * struct toy_dgram_cb - AF_TOY data in skb->cb of a datagram
 * @src_port: the sender's port, for recvfrom() and the connected filter
 * @dst_port: the port it was sent to, where a datagram held back for a
 *	delay (impair.c) is delivered when it is due
 *
 * Written before the skb is queued or held, constant after.
 */
struct toy_dgram_cb {
	u32 src_port;
	u32 dst_port;
};

#define TOY_DGRAM_CB(skb)	((struct toy_dgram_cb *)(skb)->cb)

static int toy_dgram_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct toy_sock *tsk;
	u32 unread;

	if (!sk)
		return 0;
	tsk = toy_sk(sk);

	toy_sock_unlist(sk);
	toy_unbind(sk);
	spin_lock(&tsk->lock);
	/* SOCK_DEAD: from here on no sender can append */
	sock_orphan(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	spin_unlock(&tsk->lock);
	/* datagrams nobody will read are drops too: sent == read + drops */
	unread = skb_queue_len(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_receive_queue);
	if (unread) {
		toy_stat_add(sk, TOY_STAT_DROPS, unread);
		trace_toy_drop(sk, 0, 0, unread, TOY_DROP_CLOSED);
	}
	trace_toy_release(sk, unread);

	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

/* connect(): set or, with AF_UNSPEC, dissolve the default destination. */
static int toy_dgram_connect(struct socket *sock,
			     struct sockaddr_unsized *uaddr,
			     int addr_len, int flags)
{
	const struct sockaddr_toy *addr = (const struct sockaddr_toy *)uaddr;
	struct sock *sk = sock->sk;
	struct toy_sock *tsk = toy_sk(sk);
	struct sock *other;
	int err;

	if (addr_len >= (int)offsetofend(struct sockaddr_unsized, sa_family) &&
	    uaddr->sa_family == AF_UNSPEC) {
		lock_sock(sk);
		spin_lock(&tsk->lock);
		WRITE_ONCE(tsk->peer_port, 0);
		toy_set_state(sk, TCP_CLOSE);
		spin_unlock(&tsk->lock);
		sock->state = SS_UNCONNECTED;
		trace_toy_connect(sk, 0, TOY_CONNECT_DEST_CLEARED, 0);
		release_sock(sk);
		return 0;
	}

	err = toy_addr_check(uaddr, addr_len);
	if (err)
		return err;

	lock_sock(sk);
	err = toy_autobind(sk);
	if (err)
		goto out;
	/* as AF_UNIX: connecting to a port nobody has bound is refused */
	other = toy_lookup(sk, addr->stoy_port);
	if (!other) {
		toy_stat_add(sk, TOY_STAT_REFUSED, 1);
		err = -ECONNREFUSED;
		goto out;
	}
	sock_put(other);

	spin_lock(&tsk->lock);
	WRITE_ONCE(tsk->peer_port, addr->stoy_port);
	toy_set_state(sk, TCP_ESTABLISHED);
	spin_unlock(&tsk->lock);
	sock->state = SS_CONNECTED;
	toy_stat_add(sk, TOY_STAT_ESTABLISHED, 1);
out:
	trace_toy_connect(sk, addr->stoy_port,
			  err == -ECONNREFUSED ? TOY_CONNECT_REFUSED :
			  err ? TOY_CONNECT_FAILED : TOY_CONNECT_DEST_SET, err);
	release_sock(sk);
	return err;
}

/*
 * Under @rx's toy_sock.lock: queue @skb, or give it back when @rx is at
 * its limit (below it one more datagram fits, whatever its size).
 */
static struct sk_buff *toy_dgram_queue(struct sock *rx, struct sk_buff *skb)
{
	if (atomic_read(&rx->sk_rmem_alloc) >= READ_ONCE(rx->sk_rcvbuf)) {
		atomic_inc(&rx->sk_drops);
		return skb;
	}
	skb_orphan(skb);
	skb_set_owner_r(skb, rx);
	sock_skb_set_dropcount(rx, skb);
	skb_queue_tail(&rx->sk_receive_queue, skb);
	return NULL;
}

/* Count and free @skb, which @rx had no room for; with no lock held. */
static void toy_dgram_drop_full(struct sock *rx, struct sk_buff *skb)
{
	toy_stat_add(rx, TOY_STAT_DROPS, 1);
	trace_toy_drop(rx, TOY_DGRAM_CB(skb)->src_port, skb->len, 1,
		       TOY_DROP_RCVBUF);
	kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_RCVBUFF);
}

static void toy_dgram_deliver_held(struct sk_buff *skb);

/*
 * Hold @skb back for @fate's delay (impair.c); it stays charged to its
 * sender. @rx, the receiver it is for, only counts it. Once held, @skb
 * may be delivered and freed at any moment: nothing here touches it after.
 */
static void toy_dgram_hold(struct sock *rx, struct sk_buff *skb,
			   const struct toy_impair_fate *fate)
{
	u32 from = TOY_DGRAM_CB(skb)->src_port, len = skb->len;
	int err;

	err = toy_impair_hold(sock_net(rx), skb, fate->delay_ns,
			      toy_dgram_deliver_held);
	if (!err) {
		toy_stat_add(rx, TOY_STAT_DELAYED, 1);
		trace_toy_impair(rx, from, len, TOY_IMPAIR_HELD,
				 div_u64(fate->delay_ns, NSEC_PER_USEC));
		return;
	}
	/* the namespace holds its limit, or is going away */
	toy_stat_add(rx, TOY_STAT_DROPS, 1);
	trace_toy_drop(rx, from, len, 1, err == -ENOBUFS ?
		       TOY_DROP_HOLD_FULL : TOY_DROP_UNREACHABLE);
	kfree_skb_reason(skb, SKB_DROP_REASON_QDISC_DROP);
}

/*
 * Hand @skb to @rx, found under rcu_read_lock(), which the caller holds,
 * and do to it what the namespace's impairments drew (@fate).
 * Returns 0 when it was queued, held back, lost on purpose or dropped for
 * want of room (all counted), -ECONNREFUSED when @rx is closing, -EPIPE
 * when @rx is shut down for reading and -EPERM when @rx is connected to
 * another port. On error the caller still owns @skb.
 */
static int toy_dgram_deliver(struct sock *rx, struct sk_buff *skb,
			     const struct toy_impair_fate *fate)
{
	u32 from = TOY_DGRAM_CB(skb)->src_port, len = skb->len;
	struct toy_sock *rtsk = toy_sk(rx);
	struct sk_buff *twin = NULL;
	bool duplicated;
	u32 peer_port;

	spin_lock(&rtsk->lock);
	if (sock_flag(rx, SOCK_DEAD)) {
		spin_unlock(&rtsk->lock);
		return -ECONNREFUSED;
	}
	if (rx->sk_shutdown & RCV_SHUTDOWN) {
		spin_unlock(&rtsk->lock);
		return -EPIPE;
	}
	peer_port = READ_ONCE(rtsk->peer_port);
	if (peer_port && peer_port != TOY_DGRAM_CB(skb)->src_port) {
		spin_unlock(&rtsk->lock);
		return -EPERM;
	}
	/* lost on the way, on purpose: the sender sees success, as with UDP */
	if (fate->lose) {
		spin_unlock(&rtsk->lock);
		toy_stat_add(rx, TOY_STAT_IMPAIR_DROPS, 1);
		trace_toy_drop(rx, from, len, 1, TOY_DROP_IMPAIR);
		kfree_skb_reason(skb, SKB_DROP_REASON_QDISC_DROP);
		return 0;
	}
	/* the copy shares the payload, and meets the limit on its own */
	if (fate->duplicate)
		twin = skb_clone(skb, GFP_ATOMIC);
	duplicated = twin;
	if (fate->delay_ns) {
		/* checked now, so the sender gets the errors above at once */
		spin_unlock(&rtsk->lock);
		/* a held copy is its sender's too */
		if (twin)
			skb_set_owner_w(twin, skb->sk);
		toy_dgram_hold(rx, skb, fate);
		if (twin) {
			toy_stat_add(rx, TOY_STAT_DUPLICATED, 1);
			trace_toy_impair(rx, from, len, TOY_IMPAIR_DUPLICATED, 0);
			toy_dgram_hold(rx, twin, fate);
		}
		return 0;
	}
	skb = toy_dgram_queue(rx, skb);
	if (twin)
		twin = toy_dgram_queue(rx, twin);
	spin_unlock(&rtsk->lock);

	if (fate->reordered) {
		toy_stat_add(rx, TOY_STAT_REORDERED, 1);
		trace_toy_impair(rx, from, len, TOY_IMPAIR_REORDERED, 0);
	}
	if (duplicated) {
		toy_stat_add(rx, TOY_STAT_DUPLICATED, 1);
		trace_toy_impair(rx, from, len, TOY_IMPAIR_DUPLICATED, 0);
	}
	if (skb)
		toy_dgram_drop_full(rx, skb);
	if (twin)
		toy_dgram_drop_full(rx, twin);
	rx->sk_data_ready(rx);
	return 0;
}

/*
 * A datagram held back for a delay is due (impair.c, process context).
 * Whoever is bound to its port now gets it, as if it were sent now. If
 * nobody will take it, it is dropped, counted and reported on the socket
 * bound there, or on its sender when nobody is. Its charge keeps its
 * sender's sock, @tx, in memory until it is freed or queued.
 */
static void toy_dgram_deliver_held(struct sk_buff *skb)
{
	static const struct toy_impair_fate now;
	struct sock *tx = skb->sk;
	struct sock *rx;
	int err;

	rcu_read_lock();
	rx = toy_lookup_rcu(tx, TOY_DGRAM_CB(skb)->dst_port);
	trace_toy_impair(rx ?: tx, TOY_DGRAM_CB(skb)->src_port, skb->len,
			 TOY_IMPAIR_DUE, 0);
	err = rx ? toy_dgram_deliver(rx, skb, &now) : -ECONNREFUSED;
	if (err) {
		toy_stat_add(tx, TOY_STAT_DROPS, 1);
		trace_toy_drop(rx ?: tx, TOY_DGRAM_CB(skb)->src_port,
			       skb->len, 1, TOY_DROP_UNREACHABLE);
	}
	rcu_read_unlock();
	if (err)
		kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
}

/* Send @len bytes of @msg as one datagram. */
static int toy_dgram_send_one(struct socket *sock, struct msghdr *msg,
			      size_t len)
{
	struct sock *sk = sock->sk;
	struct toy_sock *tsk = toy_sk(sk);
	struct toy_impair_fate fate;
	struct sk_buff *skb;
	size_t linear;
	u32 port, src_port;
	struct sock *rx;
	int err;

	/* out of scope, see Documentation/differences.md */
	if (msg->msg_flags & MSG_OOB || msg->msg_controllen)
		return -EOPNOTSUPP;
	if (len > TOY_DGRAM_MAX)
		return -EMSGSIZE;

	if (msg->msg_name) {
		err = toy_addr_check(msg->msg_name, msg->msg_namelen);
		if (err)
			return err;
		port = ((struct sockaddr_toy *)msg->msg_name)->stoy_port;
	} else {
		port = READ_ONCE(tsk->peer_port);
		if (!port)
			return -EDESTADDRREQ;
	}
	if (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN)
		return -EPIPE;

	/*
	 * Read once: the port stamped on the datagram is one this socket
	 * owns, whatever a bind() racing in another thread does.
	 */
	src_port = READ_ONCE(tsk->port);
	if (!src_port) {
		lock_sock(sk);
		err = toy_autobind(sk);
		src_port = tsk->port;
		release_sock(sk);
		if (err)
			return err;
	}

	/* large datagrams go into page fragments, not one high-order head */
	linear = len <= TOY_DGRAM_LINEAR_MAX ? len : 0;
	skb = sock_alloc_send_pskb(sk, linear, len - linear,
				   msg->msg_flags & MSG_DONTWAIT, &err,
				   PAGE_ALLOC_COSTLY_ORDER);
	if (!skb)
		return err;
	skb_put(skb, linear);
	skb->data_len = len - linear;
	skb->len = len;
	err = skb_copy_datagram_from_iter(skb, 0, &msg->msg_iter, len);
	if (err)
		goto out_free;
	TOY_DGRAM_CB(skb)->src_port = src_port;
	TOY_DGRAM_CB(skb)->dst_port = port;

	rcu_read_lock();
	rx = toy_lookup_rcu(sk, port);
	if (rx) {
		toy_impair_draw(sock_net(sk), &fate);
		err = toy_dgram_deliver(rx, skb, &fate);
	} else {
		err = -ECONNREFUSED;
	}
	rcu_read_unlock();
	if (err)
		goto out_free;
	toy_count_tx(sk, len);
	trace_toy_send(sk, port, len, 0, 0);
	return len;

out_free:
	kfree_skb(skb);
	if (err == -ECONNREFUSED)
		toy_stat_add(sk, TOY_STAT_REFUSED, 1);
	trace_toy_send(sk, port, 0, 0, err);
	return err;
}

static int toy_dgram_sendmsg(struct socket *sock, struct msghdr *msg,
			     size_t len)
{
	/* sendfile() and splice(): one datagram per pipe buffer */
	if (toy_msg_splices_pages(msg))
		return toy_send_each_page(sock, msg, len, toy_dgram_send_one);
	return toy_dgram_send_one(sock, msg, len);
}

static int toy_dgram_recvmsg(struct socket *sock, struct msghdr *msg,
			     size_t size, int flags)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;

	/* waits as SO_RCVTIMEO and MSG_DONTWAIT say; NULL, 0 after SHUT_RD */
	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;

	copied = skb->len;
	if (copied > size) {
		copied = size;
		msg->msg_flags |= MSG_TRUNC;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (err)
		goto out;

	if (msg->msg_name) {
		DECLARE_SOCKADDR(struct sockaddr_toy *, addr, msg->msg_name);

		memset(addr, 0, sizeof(*addr));
		addr->stoy_family = toy_family;
		addr->stoy_port = TOY_DGRAM_CB(skb)->src_port;
		msg->msg_namelen = sizeof(*addr);
	}
	sock_recv_cmsgs(msg, sk, skb);
	if (!(flags & MSG_PEEK))
		toy_count_rx(sk, copied);
	err = flags & MSG_TRUNC ? skb->len : copied;
out:
	trace_toy_recv(sk, err < 0 ? 0 : copied, 0, flags & MSG_PEEK,
		       err < 0 ? err : 0);
	skb_free_datagram(sk, skb);
	return err;
}

static int toy_dgram_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	struct toy_sock *tsk = toy_sk(sk);
	int mode = toy_shutdown_mode(how);

	if (!mode)
		return -EINVAL;

	spin_lock(&tsk->lock);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | mode);
	spin_unlock(&tsk->lock);
	sk->sk_state_change(sk);
	trace_toy_shutdown(sk, mode, 0);
	return 0;
}

/* SIOCINQ: the size of the next datagram, as UDP; 0 when none is queued. */
static int toy_dgram_ioctl(struct socket *sock, unsigned int cmd,
			   unsigned long arg)
{
	struct sock *sk = sock->sk;
	int bytes;

	switch (cmd) {
	case SIOCINQ:
		bytes = toy_next_msg_len(sk);
		break;
	case SIOCOUTQ:
		bytes = sk_wmem_alloc_get(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(bytes, (int __user *)arg);
}

/*
 * socketpair(): the peer of a dgram socket is a port, so both sockets are
 * bound to ephemeral ports and connected to each other. Both are new and
 * not yet reachable from user space.
 */
static int toy_dgram_socketpair(struct socket *sock1, struct socket *sock2)
{
	struct sock *sk1 = sock1->sk, *sk2 = sock2->sk;
	int err;

	lock_sock(sk1);
	err = toy_autobind(sk1);
	release_sock(sk1);
	if (err)
		return err;
	lock_sock(sk2);
	err = toy_autobind(sk2);
	release_sock(sk2);
	if (err)
		return err;

	toy_sk(sk1)->peer_port = toy_sk(sk2)->port;
	toy_sk(sk2)->peer_port = toy_sk(sk1)->port;
	toy_set_state(sk1, TCP_ESTABLISHED);
	toy_set_state(sk2, TCP_ESTABLISHED);
	sock1->state = SS_CONNECTED;
	sock2->state = SS_CONNECTED;
	toy_stat_add(sk1, TOY_STAT_ESTABLISHED, 1);
	trace_toy_connect(sk1, toy_sk(sk2)->port, TOY_CONNECT_PAIRED, 0);
	trace_toy_connect(sk2, toy_sk(sk1)->port, TOY_CONNECT_PAIRED, 0);
	return 0;
}

/* .family: PF_UNSPEC, see toy_family_ops in main.c */
static const struct proto_ops toy_dgram_ops = {
	.family		= PF_UNSPEC,
	.owner		= THIS_MODULE,
	.release	= toy_dgram_release,
	.bind		= toy_bind,
	.connect	= toy_dgram_connect,
	.socketpair	= toy_dgram_socketpair,
	.accept		= sock_no_accept,
	.getname	= toy_getname,
	.poll		= datagram_poll,
	.ioctl		= toy_dgram_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= toy_dgram_shutdown,
	.sendmsg	= toy_dgram_sendmsg,
	.recvmsg	= toy_dgram_recvmsg,
	.mmap		= sock_no_mmap,
};

/**
 * toy_dgram_create() - socket(2) for SOCK_DGRAM
 * @net: the caller's network namespace
 * @sock: the new struct socket
 * @kern: true for sockets created by the kernel itself
 *
 * Return: 0 or -ENOMEM.
 */
int toy_dgram_create(struct net *net, struct socket *sock, int kern)
{
	sock->ops = &toy_dgram_ops;
	return toy_sock_alloc(net, sock, SOCK_DGRAM, kern) ? 0 : -ENOMEM;
}
