/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_TOY: flow control and waiting for the data paths of the connected
 * socket types (flow.c).
 */
#ifndef _AF_TOY_FLOW_H
#define _AF_TOY_FLOW_H

#include <linux/poll.h>
#include <net/sock.h>

/* sending */
int toy_flow_limit_to(const struct sock *sk, const struct sock *peer);
bool toy_flow_writable(const struct sock *sk);
void toy_flow_write_space(struct sock *sk);
int toy_flow_send_error(const struct sock *sk);
int toy_flow_wait_room(struct sock *sk, struct sock *peer, long *timeo);
int toy_flow_queue_skb(struct sock *peer, struct sk_buff *skb);
int toy_flow_send_failed(struct sock *sk, int err, int flags);

/* receiving */
bool toy_flow_readable(struct sock *sk, u32 seen);
bool toy_flow_read_over(struct sock *sk, size_t copied, u32 seen, long timeo,
			int *err);
void toy_flow_wait_readable(struct sock *sk, long *timeo, u32 seen);

/* poll and ioctl */
__poll_t toy_flow_poll_mask(const struct sock *sk, bool readable);
int toy_flow_outq(const struct sock *sk);

#endif /* _AF_TOY_FLOW_H */
