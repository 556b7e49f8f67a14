// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: the socket core. struct toy_sock allocation, the state of each
 * network namespace (its port tables, port.c's, and its socket list), and
 * the socket list itself. Nothing here knows a socket type's data path:
 * the types call in, this file never calls out.
 *
 * socket(2) reaches toy_create() (main.c), which gives the struct socket
 * (the VFS side) the proto_ops of its type and allocates the struct sock
 * (the protocol side) with toy_sock_alloc(), from the "AF_TOY" slab cache
 * of toy_proto, which also pins the module while any sock exists.
 *
 * Every socket, bound or not, is also on its namespace's socket list from
 * allocation to release, for the netlink socket dump and the per-state
 * gauges. The list is hashed by socket address into buckets with a lock
 * each, so creating and closing sockets on different CPUs rarely meet on
 * one lock; each bucket counts its changes so that a dump spanning several
 * netlink messages can tell that the list changed under it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/sock_diag.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "impair.h"
#include "port.h"
#include "sock.h"
#include "stats.h"
#include "trace.h"

unsigned int toy_net_id __read_mostly;

static int __net_init toy_net_init(struct net *net)
{
	struct toy_net *tn = toy_net(net);
	unsigned int i;
	int err;

	for (i = 0; i < TOY_SOCK_BUCKETS; i++) {
		spin_lock_init(&tn->socks[i].lock);
		INIT_HLIST_HEAD(&tn->socks[i].head);
	}
	tn->stats = toy_stats_net_alloc();
	if (!tn->stats)
		return -ENOMEM;
	toy_impair_net_init(net);
	err = toy_ports_init(tn);
	if (err)
		goto err_stats;
	return 0;

err_stats:
	toy_stats_net_free(tn->stats);
	return err;
}

static void __net_exit toy_net_exit(struct net *net)
{
	struct toy_net *tn = toy_net(net);

	toy_impair_net_exit(net);
	toy_ports_exit(tn);
	toy_stats_net_free(tn->stats);
}

static struct toy_sock_bucket *toy_sock_bucket(const struct sock *sk)
{
	return &toy_net(sock_net(sk))->socks[hash_ptr(sk, TOY_SOCK_HASH_BITS)];
}

/* Put a new @sk on its namespace's socket list. */
static void toy_sock_list(struct sock *sk)
{
	struct toy_sock_bucket *b = toy_sock_bucket(sk);

	spin_lock(&b->lock);
	hlist_add_head(&toy_sk(sk)->sock_node, &b->head);
	b->gen++;
	spin_unlock(&b->lock);
}

/**
 * toy_sock_unlist() - take @sk off its namespace's socket list
 * @sk: a socket being released, or one never handed to user space
 *
 * Idempotent: a stream socket closed by its listener and later released
 * calls it twice.
 */
void toy_sock_unlist(struct sock *sk)
{
	struct toy_sock_bucket *b = toy_sock_bucket(sk);
	struct toy_sock *tsk = toy_sk(sk);

	spin_lock(&b->lock);
	if (!hlist_unhashed(&tsk->sock_node)) {
		hlist_del_init(&tsk->sock_node);
		b->gen++;
	}
	spin_unlock(&b->lock);
}

/**
 * toy_sock_list_gen() - a number that changes whenever a socket enters or
 * leaves the socket list of @net
 * @net: the namespace
 *
 * A dump compares it between its parts (NLM_F_DUMP_INTR). It sums the
 * buckets' counts without their locks: each count only grows, so the sum
 * differs from an earlier one exactly when some bucket changed.
 *
 * Return: the sum of the buckets' change counts.
 */
unsigned int toy_sock_list_gen(struct net *net)
{
	struct toy_net *tn = toy_net(net);
	unsigned int i, gen = 0;

	for (i = 0; i < TOY_SOCK_BUCKETS; i++)
		gen += READ_ONCE(tn->socks[i].gen);
	return gen;
}

/**
 * toy_sock_walk() - call @visit for the sockets of @net from @pos on
 * @net: the namespace
 * @pos: where to start; updated to where the walk stopped
 * @visit: called with a bucket lock held, so it must not sleep or take a
 *	socket's lock; returns 0 to go on, or an error to stop before @sk
 * @arg: passed to @visit
 *
 * A walk stopped by @visit resumes at the socket it stopped at. Sockets
 * that enter or leave the list between two calls may be missed or seen
 * twice; toy_sock_list_gen() tells when that may have happened.
 *
 * Return: 0 when every socket was visited, else what @visit returned.
 */
int toy_sock_walk(struct net *net, struct toy_sock_cursor *pos,
		  int (*visit)(struct sock *sk, void *arg), void *arg)
{
	struct toy_net *tn = toy_net(net);
	int err = 0;

	for (; pos->bucket < TOY_SOCK_BUCKETS; pos->bucket++, pos->skip = 0) {
		struct toy_sock_bucket *b = &tn->socks[pos->bucket];
		struct toy_sock *tsk;
		unsigned int i = 0;

		spin_lock(&b->lock);
		hlist_for_each_entry(tsk, &b->head, sock_node) {
			if (i++ < pos->skip)
				continue;
			err = visit(&tsk->sk, arg);
			if (err)
				break;
			pos->skip++;
		}
		spin_unlock(&b->lock);
		if (err)
			return err;
	}
	return 0;
}

/**
 * toy_sock_state() - the state of @sk as the netlink family reports it
 * @sk: a socket on a socket list
 *
 * Return: the &enum toy_state.
 */
enum toy_state toy_sock_state(const struct sock *sk)
{
	switch (READ_ONCE(sk->sk_state)) {
	case TCP_LISTEN:
		return TOY_STATE_LISTEN;
	case TCP_ESTABLISHED:
		return TOY_STATE_CONNECTED;
	default:
		return TOY_STATE_UNCONNECTED;
	}
}

static struct pernet_operations toy_net_ops = {
	.init	= toy_net_init,
	.exit	= toy_net_exit,
	.id	= &toy_net_id,
	.size	= sizeof(struct toy_net),
};

static struct proto toy_proto = {
	.name		= "AF_TOY",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct toy_sock),
};

int toy_proto_init(void)
{
	int err;

	toy_ports_seed();
	/* alloc_slab: one kmem_cache named after the proto, visible in slabinfo */
	err = proto_register(&toy_proto, 1);
	if (err)
		return err;
	err = register_pernet_subsys(&toy_net_ops);
	if (err)
		goto err_proto;
	return 0;

err_proto:
	proto_unregister(&toy_proto);
	return err;
}

void toy_proto_exit(void)
{
	unregister_pernet_subsys(&toy_net_ops);
	proto_unregister(&toy_proto);
}

/**
 * toy_next_msg_len() - SIOCINQ of a socket of messages (datagrams,
 *	records): the size of the next one, what the next recv() needs
 * @sk: the socket
 *
 * Return: the length of the skb at the head of the receive queue, 0 when
 * it is empty.
 */
int toy_next_msg_len(struct sock *sk)
{
	struct sk_buff_head *queue = &sk->sk_receive_queue;
	struct sk_buff *skb;
	int len = 0;

	spin_lock_bh(&queue->lock);
	skb = skb_peek(queue);
	if (skb)
		len = skb->len;
	spin_unlock_bh(&queue->lock);
	return len;
}

/**
 * toy_send_each_page() - sendfile() and splice() into a socket whose every
 *	send is one message (a datagram, a record)
 * @sock: the sending socket
 * @msg: a MSG_SPLICE_PAGES message: a bvec iterator over pipe buffers
 * @len: its length
 * @send_one: the type's send of one message from @msg's iterator
 *
 * One message per pipe buffer (at most a page), on every kernel. Before
 * 6.5 the kernel sent each buffer through proto_ops.sendpage, which
 * AF_TOY leaves to the kernel's fallback, one sendmsg() per buffer; from
 * 6.5 on it hands over up to 16 buffers in one sendmsg(MSG_SPLICE_PAGES),
 * which would make one message of up to 64 KiB, over a datagram's limit
 * and, for records, with boundaries that depend on the kernel.
 *
 * Return: the bytes sent, or the error of the first message.
 */
int toy_send_each_page(struct socket *sock, struct msghdr *msg, size_t len,
		       toy_send_one_fn_t send_one)
{
	size_t sent = 0;

	while (sent < len) {
		size_t seg = iov_iter_single_seg_count(&msg->msg_iter);
		int n;

		if (!seg)
			break;
		n = send_one(sock, msg, seg);
		if (n < 0)
			return sent ? sent : n;
		sent += n;
	}
	return sent;
}

/*
 * sk_destruct: the last reference is gone. Zerocopy completions (stream.c)
 * that nobody read are freed here and not at close: each one held the
 * socket until it was queued, so none can come after this.
 */
static void toy_sock_destruct(struct sock *sk)
{
	skb_queue_purge(&sk->sk_error_queue);
}

/**
 * toy_sock_alloc() - allocate and initialise an AF_TOY sock
 * @net: its network namespace
 * @sock: the struct socket it belongs to, or NULL for a socket that a
 *	listener queues for accept()
 * @type: its socket type
 * @kern: true for sockets created by the kernel itself
 *
 * Return: the sock, holding the one reference of its owner, or NULL.
 */
struct sock *toy_sock_alloc(struct net *net, struct socket *sock, int type,
			    int kern)
{
	struct toy_sock *tsk;
	struct sock *sk;

	sk = sk_alloc(net, toy_family, GFP_KERNEL, &toy_proto, kern);
	if (!sk)
		return NULL;

	sock_init_data(sock, sk);
	sk->sk_type = type;
	sk->sk_destruct = toy_sock_destruct;

	tsk = toy_sk(sk);
	tsk->stats = toy_net(net)->stats->pcpu;
	spin_lock_init(&tsk->lock);
	INIT_LIST_HEAD(&tsk->accept_queue);
	INIT_LIST_HEAD(&tsk->accept_node);
	init_waitqueue_head(&tsk->peer_wait);
	toy_sock_list(sk);
	trace_toy_create(sk, !sock);
	return sk;
}

/**
 * toy_set_state() - change the sk_state of @sk, traced
 * @sk: the socket, with the lock its type changes the state under held
 * @state: TCP_CLOSE, TCP_LISTEN or TCP_ESTABLISHED
 */
void toy_set_state(struct sock *sk, int state)
{
	int old = sk->sk_state;

	if (old == state)
		return;
	trace_toy_state(sk, old, state);
	/* poll, the dump and the sending paths read it without the lock */
	WRITE_ONCE(sk->sk_state, state);
}

/**
 * toy_sock_cookie() - the socket cookie of @sk, SO_COOKIE's value
 * @sk: the socket
 *
 * sock_gen_cookie() is not exported to modules in 6.1;
 * sock_diag_save_cookie() is, and gives the same number in two halves.
 *
 * Return: the cookie, made on first use.
 */
u64 toy_sock_cookie(struct sock *sk)
{
	u32 half[2];

	sock_diag_save_cookie(sk, half);
	return (u64)half[1] << 32 | half[0];
}
