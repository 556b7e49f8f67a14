// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: the event stream. Lifecycle events of sockets (created, bound,
 * listening, connected, accepted, closed, reset, datagrams dropped) go to
 * the "events" multicast group of the "af_toy" generic netlink family,
 * where `toystat monitor` reads them.
 *
 * The socket code knows nothing of it. At load, event.c attaches a probe
 * to each of the module's own tracepoints that marks a step of a socket's
 * life (trace.h), the way net/core/drop_monitor.c attaches to kfree_skb;
 * the send and receive tracepoints stay detached, so the data path pays
 * nothing. A probe returns at once unless a netlink socket in the
 * socket's namespace is in the group; then toy_nl_event() (netlink.c)
 * sends the event with the attributes of the socket dump. The probes sit
 * on tracepoints that fire with no spinlock of the module held, so that
 * building and sending a message never lengthens a lock other sockets
 * wait for: "connected" comes from toy_connect, not from toy_state, which
 * fires under the listener's lock.
 *
 * Drops for want of room can come by the million: a socket reports them
 * at most once per TOY_EVENT_DROPS_INTERVAL_MS, with the count since its
 * last report. The first drop is reported at once; those that follow
 * within the interval go with the next report, which comes with the next
 * drop after the interval or, at the latest, just before the socket's
 * closed event. So the counts of a socket's drops events add up to every
 * drop it had.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/tracepoint.h>
#include <net/sock.h>

#include "event.h"
#include "netlink.h"
#include "sock.h"
#include "trace.h"

/*
 * Report the drops of @sk for want of room not reported yet, if any.
 * Racing reporters each take a disjoint share: @drops_told only moves
 * forward, so one that read an older total finds nothing left to tell.
 */
static void toy_event_drops_untold(struct sock *sk)
{
	struct toy_sock *tsk = toy_sk(sk);
	u32 total = atomic_read(&sk->sk_drops);
	u32 told = READ_ONCE(tsk->drops_told), prev;

	for (;;) {
		if ((s32)(total - told) <= 0)
			return;
		prev = cmpxchg(&tsk->drops_told, told, total);
		if (prev == told)
			break;
		told = prev;
	}
	toy_nl_event(sk, TOY_EVENT_DROPS, TOY_DROP_RCVBUF, total - told);
}

static void toy_event_create(void *data, struct sock *sk, bool accepted)
{
	/* a connection's socket is reported when accept() returns it */
	if (!accepted && toy_nl_event_wanted(sock_net(sk)))
		toy_nl_event(sk, TOY_EVENT_CREATED, 0, 0);
}

static void toy_event_bind(void *data, struct sock *sk, u32 asked, int err)
{
	if (!err && toy_nl_event_wanted(sock_net(sk)))
		toy_nl_event(sk, TOY_EVENT_BOUND, 0, 0);
}

static void toy_event_listen(void *data, struct sock *sk, int backlog)
{
	if (toy_nl_event_wanted(sock_net(sk)))
		toy_nl_event(sk, TOY_EVENT_LISTENING, 0, 0);
}

/*
 * Connected: connect() of a stream, seqpacket or dgram socket, and each
 * end of a socketpair(). The socket a connection makes on the listener's
 * side is reported by accept().
 */
static void toy_event_connect(void *data, struct sock *sk, u32 peer,
			      int outcome, int err)
{
	if (err || (outcome != TOY_CONNECT_QUEUED &&
		    outcome != TOY_CONNECT_DEST_SET &&
		    outcome != TOY_CONNECT_PAIRED))
		return;
	if (toy_nl_event_wanted(sock_net(sk)))
		toy_nl_event(sk, TOY_EVENT_CONNECTED, 0, 0);
}

static void toy_event_accept(void *data, struct sock *sk, struct sock *newsk)
{
	if (toy_nl_event_wanted(sock_net(newsk)))
		toy_nl_event(newsk, TOY_EVENT_ACCEPTED, 0, 0);
}

static void toy_event_release(void *data, struct sock *sk, u32 unread)
{
	if (!toy_nl_event_wanted(sock_net(sk)))
		return;
	if (sk->sk_type == SOCK_DGRAM)
		toy_event_drops_untold(sk);
	toy_nl_event(sk, TOY_EVENT_CLOSED, 0, 0);
}

/*
 * @sk closed; @peer, the socket it reset, is the event's subject, unless
 * it is closed already and nobody will see the reset.
 */
static void toy_event_reset(void *data, struct sock *sk, struct sock *peer,
			    bool never_accepted)
{
	if (!sock_flag(peer, SOCK_DEAD) && toy_nl_event_wanted(sock_net(peer)))
		toy_nl_event(peer, TOY_EVENT_RESET, 0, 0);
}

static void toy_event_drop(void *data, struct sock *sk, u32 from, u32 len,
			   u32 count, int reason)
{
	struct toy_sock *tsk = toy_sk(sk);
	unsigned long now = jiffies, last;

	if (!toy_nl_event_wanted(sock_net(sk)))
		return;
	/*
	 * Each on its own: closing happens once, and the impairments drop
	 * at the rate the namespace set for them (a listener that cannot
	 * keep up gets ENOBUFS from netlink, as for any event).
	 */
	if (reason != TOY_DROP_RCVBUF) {
		if (reason == TOY_DROP_CLOSED)
			toy_event_drops_untold(sk);
		toy_nl_event(sk, TOY_EVENT_DROPS, reason, count);
		return;
	}
	last = READ_ONCE(tsk->drops_told_at);
	if (time_before(now, last +
			msecs_to_jiffies(TOY_EVENT_DROPS_INTERVAL_MS)))
		return;
	/* of the droppers that found the interval over, one reports */
	if (cmpxchg(&tsk->drops_told_at, last, now) == last)
		toy_event_drops_untold(sk);
}

/**
 * toy_event_init() - attach the event stream to the tracepoints
 *
 * Called after the netlink family is registered, before the address family
 * is: no socket exists yet. A kernel without tracepoints
 * (CONFIG_TRACEPOINTS=n) has no event stream; the module works without.
 *
 * Return: 0, or the error of the first probe that could not be attached
 * (the others are detached again).
 */
int toy_event_init(void)
{
	int err;

	if (!IS_ENABLED(CONFIG_TRACEPOINTS)) {
		pr_info("no tracepoints in this kernel: no event stream\n");
		return 0;
	}
	err = register_trace_toy_create(toy_event_create, NULL);
	if (err)
		goto err_create;
	err = register_trace_toy_bind(toy_event_bind, NULL);
	if (err)
		goto err_bind;
	err = register_trace_toy_listen(toy_event_listen, NULL);
	if (err)
		goto err_listen;
	err = register_trace_toy_connect(toy_event_connect, NULL);
	if (err)
		goto err_connect;
	err = register_trace_toy_accept(toy_event_accept, NULL);
	if (err)
		goto err_accept;
	err = register_trace_toy_release(toy_event_release, NULL);
	if (err)
		goto err_release;
	err = register_trace_toy_reset(toy_event_reset, NULL);
	if (err)
		goto err_reset;
	err = register_trace_toy_drop(toy_event_drop, NULL);
	if (err)
		goto err_drop;
	return 0;

err_drop:
	unregister_trace_toy_reset(toy_event_reset, NULL);
err_reset:
	unregister_trace_toy_release(toy_event_release, NULL);
err_release:
	unregister_trace_toy_accept(toy_event_accept, NULL);
err_accept:
	unregister_trace_toy_connect(toy_event_connect, NULL);
err_connect:
	unregister_trace_toy_listen(toy_event_listen, NULL);
err_listen:
	unregister_trace_toy_bind(toy_event_bind, NULL);
err_bind:
	unregister_trace_toy_create(toy_event_create, NULL);
err_create:
	tracepoint_synchronize_unregister();
	return err;
}

/**
 * toy_event_exit() - detach the event stream; no probe runs on return
 *
 * Called once no socket is left, before the netlink family goes.
 */
void toy_event_exit(void)
{
	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		return;
	unregister_trace_toy_drop(toy_event_drop, NULL);
	unregister_trace_toy_reset(toy_event_reset, NULL);
	unregister_trace_toy_release(toy_event_release, NULL);
	unregister_trace_toy_accept(toy_event_accept, NULL);
	unregister_trace_toy_connect(toy_event_connect, NULL);
	unregister_trace_toy_listen(toy_event_listen, NULL);
	unregister_trace_toy_bind(toy_event_bind, NULL);
	unregister_trace_toy_create(toy_event_create, NULL);
	tracepoint_synchronize_unregister();
}
