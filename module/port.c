// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: ports and addresses. The port tables of each network namespace,
 * bind and autobind, the lookup connect and sendmsg use, the checks of a
 * struct sockaddr_toy, and getsockname/getpeername.
 *
 * Bound sockets live in a port table per network namespace and per socket
 * type (struct toy_net, sock.h), so a stream, a seqpacket and a dgram
 * socket may share a port number and two namespaces never see each
 * other's ports. A table is an rhashtable keyed by port: inserts that find
 * the port taken fail atomically (EADDRINUSE), and lookups cost the same
 * with one socket or ten thousand. Lookups run under rcu_read_lock(); a
 * socket is marked SOCK_RCU_FREE when it enters a table, which keeps its
 * memory valid until the grace period ends, so a lookup may use what it
 * found until rcu_read_unlock() (datagram senders, toy_lookup_rcu()) or
 * take a reference on it if its refcount is not already zero (connect,
 * toy_lookup()). Sockets that never enter one (accepted ones, unbound
 * ones) are found by nobody and are freed at once, without waiting for
 * RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "port.h"
#include "sock.h"
#include "trace.h"

/* Ephemeral ports are drawn at random from the upper three quarters. */
#define TOY_PORT_EPHEMERAL_MIN	0x40000000U
#define TOY_PORT_EPHEMERAL_MAX	(TOY_PORT_ANY - 1)
/* Tries before an ephemeral bind gives up with EADDRNOTAVAIL. */
#define TOY_EPHEMERAL_TRIES	16

static const struct rhashtable_params toy_port_params = {
	.key_len		= sizeof(u32),
	.key_offset		= offsetof(struct toy_sock, key),
	.head_offset		= offsetof(struct toy_sock, port_node),
	.automatic_shrinking	= true,
};

static struct rhashtable *toy_port_table(const struct sock *sk)
{
	return &toy_net(sock_net(sk))->ports[toy_type_idx(sk)];
}

/**
 * toy_ports_init() - the empty port tables of a new namespace
 * @tn: its AF_TOY state
 *
 * Return: 0 or the errno of rhashtable_init().
 */
int toy_ports_init(struct toy_net *tn)
{
	unsigned int t;
	int err;

	for (t = 0; t < TOY_NR_TYPES; t++) {
		err = rhashtable_init(&tn->ports[t], &toy_port_params);
		if (err)
			goto err_tables;
	}
	return 0;

err_tables:
	while (t--)
		rhashtable_destroy(&tn->ports[t]);
	return err;
}

/**
 * toy_ports_exit() - free the port tables of a namespace going away
 * @tn: its AF_TOY state; every socket is gone, so the tables are empty
 */
void toy_ports_exit(struct toy_net *tn)
{
	unsigned int t;

	for (t = 0; t < TOY_NR_TYPES; t++)
		rhashtable_destroy(&tn->ports[t]);
}

/*
 * Ephemeral ports are drawn from a per-CPU pseudo-random generator seeded
 * from the kernel's random pool at load. get_random_u32() refills its
 * batch with ChaCha20 every few calls, which dominated connect() when
 * profiled; a port only needs to be spread over the range, not secret: a
 * port someone bound first just makes the insert try another. Used with
 * preemption off (get_cpu_ptr()), in process context only.
 */
static DEFINE_PER_CPU(struct rnd_state, toy_port_rnd);

/* Seed the ephemeral port generators, once, at module load. */
void toy_ports_seed(void)
{
	prandom_seed_full_state(&toy_port_rnd);
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
	int err;

	if (tsk->port)
		return 0;
	err = toy_port_insert_ephemeral(tsk);
	trace_toy_bind(sk, 0, err);
	return err;
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
 * toy_lookup_rcu() - find the socket bound to @port in @sk's port table,
 *	without taking a reference
 * @sk: the socket looking: its namespace and type choose the table
 * @port: the port
 *
 * Context: rcu_read_lock() held. The socket found stays in memory until
 * the caller's rcu_read_unlock(): every socket that entered a port table
 * is freed only after a grace period (SOCK_RCU_FREE). It may be closing
 * meanwhile; the caller checks SOCK_DEAD under its lock before queuing
 * to it.
 *
 * Return: the socket, or NULL when no socket is bound there.
 */
struct sock *toy_lookup_rcu(const struct sock *sk, u32 port)
{
	struct toy_sock *tsk;

	tsk = rhashtable_lookup(toy_port_table(sk), &port, toy_port_params);
	return tsk ? &tsk->sk : NULL;
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
	struct sock *found;

	rcu_read_lock();
	found = toy_lookup_rcu(sk, port);
	if (found && !refcount_inc_not_zero(&found->sk_refcnt))
		found = NULL;
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
	trace_toy_bind(sk, addr->stoy_port, err);
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
