// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "toy_genl.h"

/* Large enough for the biggest part of a dump the kernel sends (32 KiB). */
#define TOY_GENL_RECV_SIZE	32768

/* What a reply callback gets: the caller's callback and the socket. */
struct toy_talk {
	struct toy_genl *g;
	int (*cb)(const struct nlmsghdr *nlh, void *data);
	void *data;
};

/*
 * Keep the extended ack message of an NLMSG_ERROR or NLMSG_DONE, if it has
 * one; its attributes start @offset bytes into the payload.
 */
static void toy_genl_extack(struct toy_genl *g, const struct nlmsghdr *nlh,
			    unsigned int offset)
{
	const void *payload = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	const void *tlvs;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	tlvs = (const char *)payload + offset;
	mnl_attr_for_each_payload(tlvs, mnl_nlmsg_get_payload_len(nlh) - offset) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING)) {
			snprintf(g->errmsg, sizeof(g->errmsg), "%s",
				 mnl_attr_get_str(attr));
		}
	}
}

static int toy_genl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct toy_talk *talk = data;
	unsigned int offset;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	offset = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += err->msg.nlmsg_len - sizeof(err->msg);
	toy_genl_extack(talk->g, nlh, offset);
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* The end of a dump, carrying the dump's error, if it failed. */
static int toy_genl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct toy_talk *talk = data;
	int error;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return MNL_CB_STOP;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (!error)
		return MNL_CB_STOP;
	toy_genl_extack(talk->g, nlh, sizeof(error));
	errno = error < 0 ? -error : error;
	return MNL_CB_ERROR;
}

static int toy_genl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct toy_talk *talk = data;

	return talk->cb ? talk->cb(nlh, talk->data) : MNL_CB_OK;
}

int toy_genl_talk(struct toy_genl *g, struct nlmsghdr *nlh,
		  int (*cb)(const struct nlmsghdr *nlh, void *data),
		  void *data)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = toy_genl_error_cb,
		[NLMSG_DONE] = toy_genl_done_cb,
	};
	struct toy_talk talk = { .g = g, .cb = cb, .data = data };
	char buf[TOY_GENL_RECV_SIZE];
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	g->errmsg[0] = '\0';
	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(g->nl, buf, sizeof(buf));
		if (n < 0)
			return -1;
		ret = mnl_cb_run2(buf, n, seq, g->portid, toy_genl_data_cb,
				  &talk, ctl, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -1 : 0;
}

struct nlmsghdr *toy_genl_request(struct toy_genl *g, void *buf, uint8_t cmd,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = g->family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++g->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TOY_GENL_VERSION;
	return nlh;
}

/* One group of CTRL_ATTR_MCAST_GROUPS: keep the id of "events". */
static void toy_genl_group(struct toy_genl *g, const struct nlattr *group)
{
	const char *name = NULL;
	const struct nlattr *attr;
	uint32_t id = 0;

	mnl_attr_for_each_nested(attr, group) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_NAME &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			name = mnl_attr_get_str(attr);
		if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_ID &&
		    !mnl_attr_validate(attr, MNL_TYPE_U32))
			id = mnl_attr_get_u32(attr);
	}
	if (name && !strcmp(name, TOY_GENL_MCGRP_EVENTS))
		g->events_group = id;
}

static int toy_genl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *group;
	struct toy_genl *g = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    !mnl_attr_validate(attr, MNL_TYPE_U16))
			g->family_id = mnl_attr_get_u16(attr);
		if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
			mnl_attr_for_each_nested(group, attr)
				toy_genl_group(g, group);
	}
	return MNL_CB_OK;
}

int toy_genl_open(struct toy_genl *g)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int one = 1;

	memset(g, 0, sizeof(*g));
	g->seq = time(NULL);
	g->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!g->nl)
		return -1;
	/* best effort: without them errors come back with no message */
	mnl_socket_setsockopt(g->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(g->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	g->portid = mnl_socket_get_portid(g->nl);

	g->family_id = GENL_ID_CTRL;
	nlh = toy_genl_request(g, buf, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	nlh->nlmsg_type = GENL_ID_CTRL;
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TOY_GENL_NAME);
	g->family_id = 0;
	if (toy_genl_talk(g, nlh, toy_genl_family_cb, g) < 0)
		goto err;
	if (!g->family_id) {
		errno = EPROTO;
		goto err;
	}
	return 0;

err:
	toy_genl_close(g);
	return -1;
}

void toy_genl_close(struct toy_genl *g)
{
	int saved = errno;

	if (g->nl)
		mnl_socket_close(g->nl);
	g->nl = NULL;
	errno = saved;
}

/* Read the integer attributes of one nest or message into @val/@has. */
static int toy_genl_ints(const struct nlattr *attr, uint64_t *val, bool *has,
			 unsigned int max)
{
	unsigned int type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);

	if (type > max)
		return 0;	/* newer kernel: skip what we do not know */
	switch (len) {
	case 1:
		val[type] = mnl_attr_get_u8(attr);
		break;
	case 2:
		val[type] = mnl_attr_get_u16(attr);
		break;
	case 4:
		val[type] = mnl_attr_get_u32(attr);
		break;
	case 8:
		val[type] = mnl_attr_get_u64(attr);
		break;
	default:
		if (len)
			errno = EPROTO;
		return len ? -1 : 0;	/* zero-length: padding */
	}
	has[type] = true;
	return 0;
}

static int toy_type_stats_parse(const struct nlattr *nest,
				struct toy_type_stats *t)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) == TOY_TYPE_A_PAD)
			continue;
		if (toy_genl_ints(attr, t->val, t->has, TOY_TYPE_A_MAX))
			return -1;
	}
	return 0;
}

static int toy_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct toy_stats *stats = data;
	const struct nlattr *attr;
	int err = 0;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case TOY_STATS_A_FAMILY:
			if (mnl_attr_validate(attr, MNL_TYPE_U32))
				return MNL_CB_ERROR;
			stats->family = mnl_attr_get_u32(attr);
			break;
		case TOY_STATS_A_STREAM:
			err = toy_type_stats_parse(attr, &stats->stream);
			break;
		case TOY_STATS_A_DGRAM:
			err = toy_type_stats_parse(attr, &stats->dgram);
			break;
		case TOY_STATS_A_SEQPACKET:
			err = toy_type_stats_parse(attr, &stats->seqpacket);
			break;
		}
		if (err)
			return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int toy_stats_get(struct toy_genl *g, struct toy_stats *stats)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(stats, 0, sizeof(*stats));
	nlh = toy_genl_request(g, buf, TOY_CMD_STATS_GET, NLM_F_ACK);
	return toy_genl_talk(g, nlh, toy_stats_cb, stats);
}

int toy_stats_reset(struct toy_genl *g)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = toy_genl_request(g, buf, TOY_CMD_STATS_RESET, NLM_F_ACK);
	return toy_genl_talk(g, nlh, NULL, NULL);
}

static int toy_impair_cb(const struct nlmsghdr *nlh, void *data)
{
	struct toy_impair *imp = data;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case TOY_IMPAIR_A_LOSS:
			imp->loss = mnl_attr_get_u32(attr);
			break;
		case TOY_IMPAIR_A_DUPLICATE:
			imp->duplicate = mnl_attr_get_u32(attr);
			break;
		case TOY_IMPAIR_A_REORDER:
			imp->reorder = mnl_attr_get_u32(attr);
			break;
		case TOY_IMPAIR_A_DELAY:
			imp->delay_us = mnl_attr_get_u32(attr);
			break;
		case TOY_IMPAIR_A_JITTER:
			imp->jitter_us = mnl_attr_get_u32(attr);
			break;
		case TOY_IMPAIR_A_HELD:
			imp->held = mnl_attr_get_u32(attr);
			break;
		case TOY_IMPAIR_A_LIMIT:
			imp->limit = mnl_attr_get_u32(attr);
			break;
		case TOY_IMPAIR_A_SEED:
			imp->seed = mnl_attr_get_u64(attr);
			break;
		}
	}
	return MNL_CB_OK;
}

int toy_impair_get(struct toy_genl *g, struct toy_impair *imp)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(imp, 0, sizeof(*imp));
	nlh = toy_genl_request(g, buf, TOY_CMD_IMPAIR_GET, NLM_F_ACK);
	return toy_genl_talk(g, nlh, toy_impair_cb, imp);
}

int toy_impair_set(struct toy_genl *g, const struct toy_impair *imp)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = toy_genl_request(g, buf, TOY_CMD_IMPAIR_SET, NLM_F_ACK);
	if (imp->loss)
		mnl_attr_put_u32(nlh, TOY_IMPAIR_A_LOSS, imp->loss);
	if (imp->duplicate)
		mnl_attr_put_u32(nlh, TOY_IMPAIR_A_DUPLICATE, imp->duplicate);
	if (imp->reorder)
		mnl_attr_put_u32(nlh, TOY_IMPAIR_A_REORDER, imp->reorder);
	if (imp->delay_us)
		mnl_attr_put_u32(nlh, TOY_IMPAIR_A_DELAY, imp->delay_us);
	if (imp->jitter_us)
		mnl_attr_put_u32(nlh, TOY_IMPAIR_A_JITTER, imp->jitter_us);
	if (imp->limit)
		mnl_attr_put_u32(nlh, TOY_IMPAIR_A_LIMIT, imp->limit);
	if (imp->seed)
		mnl_attr_put_u64(nlh, TOY_IMPAIR_A_SEED, imp->seed);
	return toy_genl_talk(g, nlh, NULL, NULL);
}

struct toy_dump {
	int (*cb)(const struct toy_sock_info *sock, void *data);
	void *data;
	int stopped;
};

/* One message of enum toy_sock_attr into @sock. */
static int toy_sock_parse(const struct nlmsghdr *nlh,
			  struct toy_sock_info *sock)
{
	const struct nlattr *attr;

	memset(sock, 0, sizeof(*sock));
	sock->intr = nlh->nlmsg_flags & NLM_F_DUMP_INTR;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == TOY_SOCK_A_PAD)
			continue;
		if (toy_genl_ints(attr, sock->val, sock->has, TOY_SOCK_A_MAX))
			return -1;
	}
	return 0;
}

static int toy_sock_cb(const struct nlmsghdr *nlh, void *data)
{
	struct toy_dump *dump = data;
	struct toy_sock_info sock;

	if (dump->stopped)
		return MNL_CB_OK;
	if (toy_sock_parse(nlh, &sock))
		return MNL_CB_ERROR;
	dump->stopped = dump->cb(&sock, dump->data);
	return MNL_CB_OK;
}

int toy_sock_dump(struct toy_genl *g, int type, int64_t port,
		  int (*cb)(const struct toy_sock_info *sock, void *data),
		  void *data)
{
	struct toy_dump dump = { .cb = cb, .data = data };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = toy_genl_request(g, buf, TOY_CMD_SOCK_GET, NLM_F_DUMP);
	if (type)
		mnl_attr_put_u16(nlh, TOY_SOCK_A_TYPE, type);
	if (port >= 0)
		mnl_attr_put_u32(nlh, TOY_SOCK_A_PORT, port);
	return toy_genl_talk(g, nlh, toy_sock_cb, &dump);
}

int toy_events_join(struct toy_genl *g)
{
	if (!g->events_group) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return mnl_socket_setsockopt(g->nl, NETLINK_ADD_MEMBERSHIP,
				     &g->events_group,
				     sizeof(g->events_group));
}

/* The events of one read, and where they go. */
struct toy_events {
	struct toy_genl *g;
	int (*cb)(const struct toy_sock_info *ev, void *data);
	void *data;
	int stopped;
};

static int toy_event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct toy_events *events = data;
	struct toy_sock_info ev;

	if (nlh->nlmsg_type != events->g->family_id ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl) ||
	    genl->cmd != TOY_CMD_SOCK_EVENT || events->stopped)
		return MNL_CB_OK;
	if (toy_sock_parse(nlh, &ev))
		return MNL_CB_ERROR;
	events->stopped = events->cb(&ev, events->data);
	return events->stopped ? MNL_CB_STOP : MNL_CB_OK;
}

int toy_events_read(struct toy_genl *g, int timeout_ms,
		    int (*cb)(const struct toy_sock_info *ev, void *data),
		    void *data)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(g->nl), .events = POLLIN };
	struct toy_events events = { .g = g, .cb = cb, .data = data };
	char buf[TOY_GENL_RECV_SIZE];
	ssize_t n;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret <= 0)
		return ret;
	/* everything queued, without waiting again */
	for (;;) {
		n = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		/* multicasts carry sequence 0 and the kernel's port id 0 */
		ret = mnl_cb_run(buf, n, 0, 0, toy_event_cb, &events);
		if (ret < 0)
			return -1;
		if (events.stopped)
			return events.stopped;
	}
}
