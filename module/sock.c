// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: the socket core. struct toy_sock allocation, the port tables,
 * bind, getsockname/getpeername, the address checks shared by bind and
 * connect, and the socket list of each namespace. Nothing here knows a
 * socket type's data path: the types call in, this file never calls out.
 *
 * socket(2) reaches toy_create() (main.c), which gives the struct socket
 * (the VFS side) the proto_ops of its type and allocates the struct sock
 * (the protocol side) with toy_sock_alloc(), from the "AF_TOY" slab cache
 * of toy_proto, which also pins the module while any sock exists.
 *
 * Bound sockets live in a port table per network namespace and per socket
 * type, so a stream and a dgram socket may share a port number and two
 * namespaces never see each other's ports. A table is an rhashtable keyed
 * by port: inserts that find the port taken fail atomically (EADDRINUSE),
 * and lookups cost the same with one socket or ten thousand. Lookups run
 * under rcu_read_lock() and take a reference only on a socket whose
 * refcount is not already zero; a socket is marked SOCK_RCU_FREE when it
 * enters a table, which keeps its memory valid until the grace period
 * ends. Sockets that never enter one (accepted ones, unbound ones) are
 * found by nobody and are freed at once, without waiting for RCU.
 *
 * Every socket, bound or not, is also on its namespace's socket list from
 * allocation to release, for the netlink socket dump and the per-state
 * gauges. The list is hashed by socket address into buckets with a lock
 * each, so creating and closing sockets on different CPUs rarely meet on
 * one lock; each bucket counts its changes so that a dump spanning several
 * netlink messages can tell that the list changed under it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/hash.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "sock.h"

/* Ephemeral ports are drawn at random from the upper three quarters. */
#define TOY_PORT_EPHEMERAL_MIN	0x40000000U
#define TOY_PORT_EPHEMERAL_MAX	(TOY_PORT_ANY - 1)
/* Tries before an ephemeral bind gives up with EADDRNOTAVAIL. */
#define TOY_EPHEMERAL_TRIES	16
/* Buckets of a namespace's socket list: 2^8, 4 KiB per namespace. */
#define TOY_SOCK_HASH_BITS	8
#define TOY_SOCK_BUCKETS	BIT(TOY_SOCK_HASH_BITS)

/**
 * struct toy_sock_bucket - one bucket of a namespace's socket list
 * @lock: guards @gen and @head; a leaf lock, never held while taking
 *	another socket lock
 * @gen: changes of @head so far, for NLM_F_DUMP_INTR
 * @head: the sockets, linked by toy_sock.sock_node
 */
struct toy_sock_bucket {
	spinlock_t		lock;	/* guards gen and head */
	unsigned int		gen;
	struct hlist_head	head;
};

/**
 * struct toy_net - AF_TOY state of one network namespace
 * @ports: bound sockets by port, one table per &enum toy_type_idx
 * @socks: every socket of the namespace, hashed by address
 *
 * Allocated and freed with the namespace (pernet_operations). Each port
 * table is guarded by its own rhashtable locks, each bucket of @socks by
 * its lock. Every user socket holds a reference on its namespace, so the
 * tables and the list are empty when it is freed.
 */
struct toy_net {
	struct rhashtable	ports[TOY_NR_TYPES];
	struct toy_sock_bucket	socks[TOY_SOCK_BUCKETS];
};

static unsigned int toy_net_id __read_mostly;

static const struct rhashtable_params toy_port_params = {
	.key_len		= sizeof(u32),
	.key_offset		= offsetof(struct toy_sock, key),
	.head_offset		= offsetof(struct toy_sock, port_node),
	.automatic_shrinking	= true,
};

static struct rhashtable *toy_port_table(const struct sock *sk)
{
	struct toy_net *tn = net_generic(sock_net(sk), toy_net_id);

	return &tn->ports[toy_type_idx(sk)];
}

static int __net_init toy_net_init(struct net *net)
{
	struct toy_net *tn = net_generic(net, toy_net_id);
	unsigned int i, t;
	int err;

	for (i = 0; i < TOY_SOCK_BUCKETS; i++) {
		spin_lock_init(&tn->socks[i].lock);
		INIT_HLIST_HEAD(&tn->socks[i].head);
	}
	for (t = 0; t < TOY_NR_TYPES; t++) {
		err = rhashtable_init(&tn->ports[t], &toy_port_params);
		if (err)
			goto err_ports;
	}
	return 0;

err_ports:
	while (t--)
		rhashtable_destroy(&tn->ports[t]);
	return err;
}

static void __net_exit toy_net_exit(struct net *net)
{
	struct toy_net *tn = net_generic(net, toy_net_id);
	unsigned int t;

	for (t = 0; t < TOY_NR_TYPES; t++)
		rhashtable_destroy(&tn->ports[t]);
}

static struct toy_sock_bucket *toy_sock_bucket(const struct sock *sk)
{
	struct toy_net *tn = net_generic(sock_net(sk), toy_net_id);

	return &tn->socks[hash_ptr(sk, TOY_SOCK_HASH_BITS)];
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
	struct toy_net *tn = net_generic(net, toy_net_id);
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
	struct toy_net *tn = net_generic(net, toy_net_id);
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

/*
 * Ephemeral ports are drawn from a per-CPU pseudo-random generator seeded
 * from the kernel's random pool at load. get_random_u32() refills its
 * batch with ChaCha20 every few calls, which dominated connect() when
 * profiled; a port only needs to be spread over the range, not secret: a
 * port someone bound first just makes the insert try another. Used with
 * preemption off (get_cpu_ptr()), in process context only.
 */
static DEFINE_PER_CPU(struct rnd_state, toy_port_rnd);

int toy_proto_init(void)
{
	int err;

	prandom_seed_full_state(&toy_port_rnd);
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

/*
 * Insert @tsk into its port table under @port and publish @port as its
 * own. Called with lock_sock() held and tsk->port still 0. Returns 0,
 * -EADDRINUSE, or the table's -ENOMEM/-EBUSY. tsk->port is written only
 * on success: senders and the dump read it without the lock, and a
 * failed bind of another socket's port must never show in it.
 */
static int toy_port_insert(struct toy_sock *tsk, u32 port)
{
	int err;

	/* from here on lookups may find it: free it after a grace period */
	sock_set_flag(&tsk->sk, SOCK_RCU_FREE);
	tsk->key = port;
	err = rhashtable_lookup_insert_fast(toy_port_table(&tsk->sk),
					    &tsk->port_node, toy_port_params);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	tsk->in_table = true;
	/* after the insert: whoever reads this port finds the socket owns it */
	smp_store_release(&tsk->port, port);
	return 0;
}

/* A pseudo-random port in the ephemeral range. */
static u32 toy_port_random(void)
{
	const u32 span = TOY_PORT_EPHEMERAL_MAX - TOY_PORT_EPHEMERAL_MIN + 1;
	u32 r = prandom_u32_state(get_cpu_ptr(&toy_port_rnd));

	put_cpu_ptr(&toy_port_rnd);
	/* scale, not modulo: no bias towards the low ports */
	return TOY_PORT_EPHEMERAL_MIN + (u32)(((u64)r * span) >> 32);
}

/* Bind to a random free ephemeral port. */
static int toy_port_insert_ephemeral(struct toy_sock *tsk)
{
	int tries, err = -EADDRNOTAVAIL;

	for (tries = 0; tries < TOY_EPHEMERAL_TRIES; tries++) {
		err = toy_port_insert(tsk, toy_port_random());
		if (err != -EADDRINUSE)
			return err;
	}
	return -EADDRNOTAVAIL;
}

/**
 * toy_autobind() - bind @sk to an ephemeral port unless it has a port
 * @sk: the socket, with lock_sock() held
 *
 * connect() and the first dgram send call this, as AF_UNIX autobinds.
 *
 * Return: 0 or the errno of the ephemeral bind.
 */
int toy_autobind(struct sock *sk)
{
	struct toy_sock *tsk = toy_sk(sk);

	if (tsk->port)
		return 0;
	return toy_port_insert_ephemeral(tsk);
}

/**
 * toy_unbind() - take @sk out of its port table, if it is in one
 * @sk: the socket being released
 *
 * Once this returns no new lookup finds @sk; lookups already under
 * rcu_read_lock() may still take a reference and must check the state.
 */
void toy_unbind(struct sock *sk)
{
	struct toy_sock *tsk = toy_sk(sk);

	if (!tsk->in_table)
		return;
	rhashtable_remove_fast(toy_port_table(sk), &tsk->port_node,
			       toy_port_params);
	tsk->in_table = false;
}

/**
 * toy_lookup() - find the socket bound to @port in @sk's port table
 * @sk: the socket looking: its namespace and type choose the table
 * @port: the port
 *
 * Return: the socket with a reference the caller drops with sock_put(), or
 * NULL when no socket is bound there.
 */
struct sock *toy_lookup(const struct sock *sk, u32 port)
{
	struct sock *found = NULL;
	struct toy_sock *tsk;

	rcu_read_lock();
	tsk = rhashtable_lookup(toy_port_table(sk), &port, toy_port_params);
	if (tsk && refcount_inc_not_zero(&tsk->sk.sk_refcnt))
		found = &tsk->sk;
	rcu_read_unlock();
	return found;
}

/**
 * toy_addr_check() - validate a struct sockaddr_toy given to bind or connect
 * @uaddr: the address
 * @addr_len: its length
 *
 * Return: 0; -EINVAL for a short address, a non-zero stoy_reserved or port
 * 0; -EAFNOSUPPORT for another family.
 */
int toy_addr_check(const struct sockaddr_unsized *uaddr, int addr_len)
{
	const struct sockaddr_toy *addr = (const struct sockaddr_toy *)uaddr;

	if (addr_len < (int)sizeof(*addr))
		return -EINVAL;
	if (addr->stoy_family != toy_family)
		return -EAFNOSUPPORT;
	if (addr->stoy_reserved || !addr->stoy_port)
		return -EINVAL;
	return 0;
}

/**
 * toy_bind() - proto_ops.bind for both types
 * @sock: the socket to bind
 * @uaddr: a struct sockaddr_toy
 * @addr_len: its length
 *
 * Return: 0; -EINVAL for a short address, a non-zero stoy_reserved, port 0
 * or a socket already bound; -EAFNOSUPPORT for another family; -EACCES for
 * ports 1..%TOY_PORT_PRIVILEGED_MAX without CAP_NET_BIND_SERVICE in the
 * socket's namespace; -EADDRINUSE; -EADDRNOTAVAIL when no ephemeral port
 * could be found.
 */
int toy_bind(struct socket *sock, struct sockaddr_unsized *uaddr,
	     int addr_len)
{
	struct sockaddr_toy *addr = (struct sockaddr_toy *)uaddr;
	struct sock *sk = sock->sk;
	struct toy_sock *tsk = toy_sk(sk);
	int err;

	err = toy_addr_check(uaddr, addr_len);
	if (err)
		return err;
	if (addr->stoy_port <= TOY_PORT_PRIVILEGED_MAX &&
	    !ns_capable(sock_net(sk)->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;

	lock_sock(sk);
	if (tsk->port)
		err = -EINVAL;
	else if (addr->stoy_port == TOY_PORT_ANY)
		err = toy_port_insert_ephemeral(tsk);
	else
		err = toy_port_insert(tsk, addr->stoy_port);
	release_sock(sk);
	return err;
}

/**
 * toy_getname() - proto_ops.getname: getsockname() and getpeername()
 * @sock: the socket asked
 * @uaddr: where to write a struct sockaddr_toy
 * @peer: non-zero for getpeername()
 *
 * An unbound socket reports port 0, as an unbound inet socket does.
 * lock_sock() orders this after a bind in progress, which may set a port
 * and take it back when the port is in use. The peer's port never changes
 * once it is connected, and the peer stays named after it closed, as with
 * AF_UNIX.
 *
 * Return: the address length, or -ENOTCONN for the peer of a socket that
 * is not connected.
 */
int toy_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_toy *addr = (struct sockaddr_toy *)uaddr;
	struct sock *sk = sock->sk;
	struct toy_sock *tsk = toy_sk(sk);
	int err = sizeof(*addr);

	memset(addr, 0, sizeof(*addr));
	addr->stoy_family = toy_family;
	if (peer) {
		/* a stream peer may have port 0 (socketpair), a dgram one not */
		spin_lock(&tsk->lock);
		if (tsk->peer)
			addr->stoy_port = toy_sk(tsk->peer)->port;
		else if (tsk->peer_port)
			addr->stoy_port = tsk->peer_port;
		else
			err = -ENOTCONN;
		spin_unlock(&tsk->lock);
		return err;
	}
	lock_sock(sk);
	addr->stoy_port = tsk->port;
	release_sock(sk);
	return err;
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

	tsk = toy_sk(sk);
	spin_lock_init(&tsk->lock);
	INIT_LIST_HEAD(&tsk->accept_queue);
	INIT_LIST_HEAD(&tsk->accept_node);
	init_waitqueue_head(&tsk->peer_wait);
	toy_sock_list(sk);
	return sk;
}
