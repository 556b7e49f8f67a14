// SPDX-License-Identifier: GPL-2.0
/*
 * AF_TOY: one copy instead of two, into a stream reader that waits.
 *
 * A reader about to sleep with an empty queue pins part of its own buffer
 * and posts it on its socket (struct toy_direct, on the reader's stack);
 * a sender that finds it claims it and copies straight into it, instead
 * of into an skb the reader would copy out of again. The sender faults
 * its source in before claiming and copies with page faults disabled, so
 * that the reader, which must wait for a claimed copy to end, waits for a
 * memcpy and never for the sender's memory. Which lock guards what:
 * struct toy_sock, sock.h; the states of a posted buffer: struct
 * toy_direct below.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/sizes.h>
#include <linux/skbuff.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/wait_bit.h>
#include <net/sock.h>

#include "direct.h"
#include "flow.h"
#include "sock.h"
#include "stats.h"

/* The most bytes a sender copies into a reader's buffer in one go. */
#define TOY_DIRECT_MAX		SZ_64K
/*
 * The most pages of a reader's buffer a sender may copy into directly:
 * TOY_DIRECT_MAX, and one more for a buffer that does not start a page.
 */
#define TOY_DIRECT_PAGES	(TOY_DIRECT_MAX / PAGE_SIZE + 1)
/*
 * A reader posts its buffer only when it reads this much at a time: below
 * it, pinning and unpinning the pages cost more than the copy they save
 * (toyperf pingpong: 0.67x AF_UNIX's round trip at 64 KiB, 1.18x at 16 KiB).
 */
#define TOY_DIRECT_MIN		SZ_32K

/**
 * enum toy_direct_state - the life of a &struct toy_direct
 * @TOY_DIRECT_POSTED: waiting for a sender, or taken back by the reader
 * @TOY_DIRECT_CLAIMED: a sender took it off the socket and copies into it
 * @TOY_DIRECT_DONE: the sender is done and will not touch it again
 */
enum toy_direct_state {
	TOY_DIRECT_POSTED,
	TOY_DIRECT_CLAIMED,
	TOY_DIRECT_DONE,
};

/**
 * struct toy_direct - a stream reader's buffer, pinned, on the reader's
 *	stack, that one sender may copy into (one copy instead of two)
 * @pages: the pinned pages of the buffer
 * @offset: where the buffer starts in @pages[0]
 * @len: its length in bytes
 * @copied: bytes the sender copied; written by the sender before @state
 *	becomes TOY_DIRECT_DONE, read by the reader after
 * @state: &enum toy_direct_state; POSTED to CLAIMED under the reader's
 *	sk_receive_queue.lock, CLAIMED to DONE by the sender alone
 */
struct toy_direct {
	struct page	*pages[TOY_DIRECT_PAGES];
	size_t		offset;
	size_t		len;
	size_t		copied;
	int		state;
};

/*
 * Copy @len bytes (at most d->len) of @msg into the posted buffer @d with
 * page faults disabled: a fault stops the copy short instead of sleeping,
 * so the reader, which waits for this copy to end, waits for a memcpy and
 * never for the sender's memory (a userfaultfd range, a stalled FUSE file).
 */
static size_t toy_direct_copy(struct toy_direct *d, struct msghdr *msg,
			      size_t len)
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

/**
 * toy_direct_send() - copy into the buffer a waiting reader posted
 * @peer: the reading socket
 * @msg: the sender's message, its iterator at the next byte to send
 * @len: the bytes left to send
 * @again: cleared when the copy stopped short on a fault
 *
 * One copy instead of two: when @peer's reader sleeps in recvmsg() with
 * an empty queue, it has posted its buffer (struct toy_direct), pinned.
 * Fault the source in first, while the buffer is still the reader's:
 * whatever that costs, the reader can still give up. Then claim the
 * buffer, under the locks a sender queues under, so that no skb can be
 * queued before the claim and nothing is claimed from a closed or shut
 * down peer, and copy into it outside any lock. The caller queues what
 * is left; after a short copy (*@again cleared) it must, since faults
 * may sleep only there.
 *
 * Return: the bytes copied, 0 when there was nothing to claim.
 */
size_t toy_direct_send(struct sock *peer, struct msghdr *msg, size_t len,
		       bool *again)
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
	copied = toy_direct_copy(d, msg, len);
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

/**
 * toy_direct_wait() - wait for data with the reader's buffer posted
 * @sk: the reading socket, with lock_sock() held (released while asleep)
 *	and an empty receive queue
 * @msg: the reader's message, its iterator at the next byte to fill
 * @len: the bytes still wanted
 * @timeo: the time left to wait; updated
 *
 * Sleeps until @sk has data, an error or an EOF, or *@timeo ends or a
 * signal comes, having posted up to @len bytes of the caller's buffer for
 * a sender to copy into directly (toy_direct_send()).
 *
 * Return: the bytes a sender copied into the buffer, which advance @msg's
 * iterator.
 */
size_t toy_direct_wait(struct sock *sk, struct msghdr *msg, size_t len,
		       long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sk_buff_head *queue = &sk->sk_receive_queue;
	struct toy_sock *tsk = toy_sk(sk);
	struct page **pages;
	unsigned int npages, ndirty;
	struct toy_direct d;
	ssize_t pinned = 0;
	size_t start;

	/*
	 * Data queued since the caller looked (toy_flow_read_over() finds
	 * some after the end was set): read it, pinning nothing for it.
	 */
	if (!skb_queue_empty_lockless(queue))
		return 0;
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
	/* acquire: pairs with the release of DONE in toy_direct_send() */
	sk_wait_event(sk, timeo, smp_load_acquire(&d.state) != TOY_DIRECT_POSTED ||
		      toy_flow_readable(sk, 0), &wait);
	remove_wait_queue(sk_sleep(sk), &wait);
	if (pinned <= 0)
		return 0;

	/*
	 * Take it back unless a sender claimed it; then wait for its copy,
	 * which page faults cannot stretch: toy_direct_copy().
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
