// SPDX-License-Identifier: GPL-2.0
/*
 * toystat: what AF_TOY is doing in this network namespace, read from the
 * "af_toy" generic netlink family.
 *
 *   toystat [-j] [-w SECONDS [-c COUNT]]           the namespace summary
 *   toystat [-j] sockets [type TYPE] [port PORT]   one line per socket
 *   toystat reset                                  zero the counters
 *   toystat [-j] [-c COUNT] monitor [type TYPE] [port PORT] [event EVENT,...]
 *                                                  events as they happen
 *
 * Exit status: 0 on success, 1 on any error (with the kernel's message),
 * 2 when af_toy.ko is not loaded, 3 when a monitor lost events.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>

#include "toy_genl.h"
#include "toy_parse.h"

#define TOYSTAT_VERSION		"1"
#define EXIT_NOT_LOADED		2
#define EXIT_EVENTS_LOST	3
/* The receive buffer a monitor asks for, as ip monitor does. */
#define MONITOR_RCVBUF		(1 << 20)

/* One integer attribute as a column or a JSON member. */
struct field {
	int attr;
	const char *json;
	const char *head;
	int width;
};

static const struct field type_fields[] = {
	{ TOY_TYPE_A_SOCKETS,		"sockets",		"Sockets",	8 },
	{ TOY_TYPE_A_UNCONNECTED,	"unconnected",		"Unconn",	7 },
	{ TOY_TYPE_A_LISTENING,		"listening",		"Listen",	7 },
	{ TOY_TYPE_A_CONNECTED,		"connected",		"Conn",		7 },
	{ TOY_TYPE_A_ESTABLISHED,	"established",		"Estab",	8 },
	{ TOY_TYPE_A_REFUSED,		"refused",		"Refused",	8 },
	{ TOY_TYPE_A_BACKLOG_OVERFLOWS,	"backlog_overflows",	"Overflows",	10 },
	{ TOY_TYPE_A_TX_BYTES,		"tx_bytes",		"TxBytes",	12 },
	{ TOY_TYPE_A_TX_MSGS,		"tx_msgs",		"TxMsgs",	10 },
	{ TOY_TYPE_A_RX_BYTES,		"rx_bytes",		"RxBytes",	12 },
	{ TOY_TYPE_A_RX_MSGS,		"rx_msgs",		"RxMsgs",	10 },
	{ TOY_TYPE_A_DROPS,		"drops",		"Drops",	8 },
	{ TOY_TYPE_A_DIRECT_BYTES,	"direct_bytes",		"Direct",	12 },
	{ TOY_TYPE_A_IMPAIR_DROPS,	"impair_drops",		"ImpDrops",	10 },
	{ TOY_TYPE_A_DUPLICATED,	"duplicated",		"Dups",		8 },
	{ TOY_TYPE_A_DELAYED,		"delayed",		"Delayed",	10 },
	{ TOY_TYPE_A_REORDERED,		"reordered",		"Reordered",	10 },
};

/* sockets: the columns after Type, State and the two queues */
static const struct field sock_fields[] = {
	{ TOY_SOCK_A_PORT,	"port",		"Local",	11 },
	{ TOY_SOCK_A_PEER_PORT,	"peer_port",	"Peer",		11 },
	{ TOY_SOCK_A_UID,	"uid",		"Uid",		6 },
	{ TOY_SOCK_A_INODE,	"inode",	"Inode",	8 },
	{ TOY_SOCK_A_COOKIE,	"cookie",	"Cookie",	8 },
	{ TOY_SOCK_A_TX_BYTES,	"tx_bytes",	"TxBytes",	12 },
	{ TOY_SOCK_A_RX_BYTES,	"rx_bytes",	"RxBytes",	12 },
	{ TOY_SOCK_A_DROPS,	"drops",	"Drops",	6 },
};

/* sockets -j: members beyond sock_fields, in this order */
static const struct field sock_json_extra[] = {
	{ .attr = TOY_SOCK_A_SHUTDOWN, .json = "shutdown" },
	{ .attr = TOY_SOCK_A_RX_QUEUE, .json = "rx_queue" },
	{ .attr = TOY_SOCK_A_TX_QUEUE, .json = "tx_queue" },
	{ .attr = TOY_SOCK_A_RCVBUF, .json = "rcvbuf" },
	{ .attr = TOY_SOCK_A_SNDBUF, .json = "sndbuf" },
	{ .attr = TOY_SOCK_A_TX_MSGS, .json = "tx_msgs" },
	{ .attr = TOY_SOCK_A_RX_MSGS, .json = "rx_msgs" },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static bool json;
static volatile sig_atomic_t stop;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: toystat [OPTIONS] [show]\n"
"       toystat [OPTIONS] sockets [type stream|dgram|seqpacket] [port PORT]\n"
"       toystat reset\n"
"       toystat [OPTIONS] monitor [type TYPE] [port PORT] [event EVENT[,EVENT...]]\n"
"       toystat [OPTIONS] impair [show]\n"
"       toystat impair set [loss PCT] [duplicate PCT] [delay TIME]\n"
"                          [jitter TIME] [reorder PCT] [limit N] [seed SEED]\n"
"       toystat impair clear\n"
"\n"
"Show what AF_TOY (af_toy.ko) is doing in this network namespace.\n"
"  show      counters and open sockets per type (the default)\n"
"  sockets   one line per socket, like ss; type and port select sockets\n"
"  reset     zero this namespace's counters (needs CAP_NET_ADMIN)\n"
"  monitor   one line per socket event as it happens, until interrupted;\n"
"            EVENT is created, bound, listening, connected, accepted,\n"
"            closed, reset or drops\n"
"  impair    the datagram impairments of this namespace: show them, set\n"
"            them (needs CAP_NET_ADMIN), or clear them. PCT is a\n"
"            percentage such as 20%% or 0.5%%, to a ten-thousandth; TIME\n"
"            is a number with us, ms or s, such as 10ms, up to 10s; each\n"
"            delay is uniform in delay +- jitter (jitter <= delay);\n"
"            reorder sends that share of datagrams on at once, past those\n"
"            delayed (needs a delay); limit caps the datagrams held back\n"
"            at once (default 1000); SEED 0 or absent picks one\n"
"\n"
"Options:\n"
"  -j, --json             print JSON (one document per refresh with -w;\n"
"                         one line per event with monitor)\n"
"  -w, --watch SECONDS    refresh every SECONDS until interrupted\n"
"  -c, --count COUNT      with -w, stop after COUNT refreshes; with\n"
"                         monitor, after COUNT events\n"
"  -h, --help             print this help\n"
"  -V, --version          print the version\n"
"\n"
"Exit status: 0 success, 1 error, 2 af_toy.ko is not loaded, 3 the monitor\n"
"lost events (it could not keep up).\n"
"See toystat(8).\n");
}

/*
 * A percentage ("20%", "0.5%", "100%") in millionths: at most four
 * decimals. Returns 0, or -1 on anything else.
 */
static int parse_percent(const char *s, uint32_t *ppm)
{
	uint64_t whole = 0, frac = 0, scale = 10000;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p) && whole <= 100)
		whole = whole * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p) && scale > 1) {
			scale /= 10;
			frac += (*p++ - '0') * scale;
		}
	}
	if (strcmp(p, "%") || whole * 10000 + frac > 100 * 10000)
		return -1;
	*ppm = whole * 10000 + frac;
	return 0;
}

/* Millionths as a percentage, without trailing zeros: "20%", "0.5%". */
static void print_percent(uint32_t ppm)
{
	char frac[8];
	int i;

	snprintf(frac, sizeof(frac), "%04u", ppm % 10000);
	for (i = 3; i >= 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	printf("%u%s%s%%", ppm / 10000, frac[0] ? "." : "", frac);
}

/*
 * A time ("10ms", "500us", "1.5s") in microseconds, to a microsecond.
 * Returns 0, or -1 on anything else or more than UINT32_MAX us (the
 * kernel refuses more than TOY_IMPAIR_DELAY_MAX itself, with a message).
 */
static int parse_time(const char *s, uint32_t *us)
{
	uint64_t whole = 0, frac = 0, scale = 1000000, unit;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p) && whole <= UINT32_MAX)
		whole = whole * 10 + (*p++ - '0');
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		/* digits past the sixth must be zeros: no unit is finer */
		while (isdigit((unsigned char)*p)) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			} else if (*p != '0') {
				return -1;
			}
			p++;
		}
	}
	if (!strcmp(p, "us"))
		unit = 1;
	else if (!strcmp(p, "ms"))
		unit = 1000;
	else if (!strcmp(p, "s"))
		unit = 1000000;
	else
		return -1;
	/* a fraction finer than the unit's microsecond is refused */
	if (frac * unit % 1000000 || whole > UINT32_MAX ||
	    whole * unit + frac * unit / 1000000 > UINT32_MAX)
		return -1;
	*us = whole * unit + frac * unit / 1000000;
	return 0;
}

/* Microseconds in the largest unit that shows them whole: "10ms". */
static void print_time(uint32_t us)
{
	if (us && !(us % 1000000))
		printf("%us", us / 1000000);
	else if (us && !(us % 1000))
		printf("%ums", us / 1000);
	else
		printf("%uus", us);
}

static int impair_show(struct toy_genl *g)
{
	struct toy_impair imp;

	if (toy_impair_get(g, &imp))
		return -1;
	if (json) {
		printf("{\"loss_ppm\":%u,\"duplicate_ppm\":%u,\"delay_us\":%u,"
		       "\"jitter_us\":%u,\"reorder_ppm\":%u,\"limit\":%u,"
		       "\"seed\":%" PRIu64 ",\"held\":%u}\n", imp.loss,
		       imp.duplicate, imp.delay_us, imp.jitter_us, imp.reorder,
		       imp.limit, imp.seed, imp.held);
		return 0;
	}
	if (!imp.loss && !imp.duplicate && !imp.delay_us) {
		printf("no impairments");
		if (imp.held)
			printf(" (%u datagrams still held back)", imp.held);
		printf("\n");
		return 0;
	}
	printf("dgram loss ");
	print_percent(imp.loss);
	printf(" duplicate ");
	print_percent(imp.duplicate);
	printf(" delay ");
	print_time(imp.delay_us);
	printf(" jitter ");
	print_time(imp.jitter_us);
	printf(" reorder ");
	print_percent(imp.reorder);
	printf(" limit %u seed %" PRIu64 "\n", imp.limit, imp.seed);
	printf("held back now: %u\n", imp.held);
	return 0;
}

/* What an impair command did not understand, for the message. */
static const char *impair_bad_word, *impair_bad_value;

/* "set loss PCT ..." or "clear" in @argv: TOY_CMD_IMPAIR_SET. */
static int impair_change(struct toy_genl *g, char **argv)
{
	struct toy_impair imp = {};
	uint64_t v;
	int bad;

	if (!strcmp(*argv, "clear")) {
		impair_bad_word = argv[1];
		return argv[1] ? (errno = EINVAL, -2) : toy_impair_set(g, &imp);
	}
	/* nothing to set is a mistake, not a way to clear */
	if (!argv[1]) {
		impair_bad_word = "set";
		return errno = EINVAL, -2;
	}
	for (argv++; *argv; argv += 2) {
		impair_bad_word = argv[0];
		impair_bad_value = argv[1];
		if (!argv[1])
			return errno = EINVAL, -2;
		if (!strcmp(argv[0], "loss"))
			bad = parse_percent(argv[1], &imp.loss);
		else if (!strcmp(argv[0], "duplicate"))
			bad = parse_percent(argv[1], &imp.duplicate);
		else if (!strcmp(argv[0], "reorder"))
			bad = parse_percent(argv[1], &imp.reorder);
		else if (!strcmp(argv[0], "delay"))
			bad = parse_time(argv[1], &imp.delay_us);
		else if (!strcmp(argv[0], "jitter"))
			bad = parse_time(argv[1], &imp.jitter_us);
		else if (!strcmp(argv[0], "limit"))
			bad = toy_parse_uint(argv[1], UINT32_MAX, &v) ||
			      !(imp.limit = v);
		else if (!strcmp(argv[0], "seed"))
			bad = toy_parse_uint(argv[1], UINT64_MAX, &imp.seed);
		else
			bad = -1;
		if (bad)
			return errno = EINVAL, -2;
	}
	return toy_impair_set(g, &imp);
}

static const char *type_name(uint64_t type)
{
	switch (type) {
	case SOCK_STREAM:
		return "stream";
	case SOCK_DGRAM:
		return "dgram";
	case SOCK_SEQPACKET:
		return "seqpacket";
	default:
		return "?";
	}
}

static const char *state_name(uint64_t state)
{
	switch (state) {
	case TOY_STATE_UNCONNECTED:
		return json ? "unconnected" : "UNCONN";
	case TOY_STATE_LISTEN:
		return json ? "listen" : "LISTEN";
	case TOY_STATE_CONNECTED:
		return json ? "connected" : "ESTAB";
	default:
		return "?";
	}
}

/* The summary: one row (or JSON object) per type. */
static void print_type(const char *name, const struct toy_type_stats *t,
		       bool first)
{
	unsigned int i;

	if (json) {
		printf("%s\"%s\":{", first ? "" : ",", name);
		first = true;
		for (i = 0; i < ARRAY_SIZE(type_fields); i++) {
			if (!t->has[type_fields[i].attr])
				continue;
			printf("%s\"%s\":%" PRIu64, first ? "" : ",",
			       type_fields[i].json, t->val[type_fields[i].attr]);
			first = false;
		}
		printf("}");
		return;
	}
	printf("%-9s", name);
	for (i = 0; i < ARRAY_SIZE(type_fields); i++) {
		if (t->has[type_fields[i].attr])
			printf(" %*" PRIu64, type_fields[i].width,
			       t->val[type_fields[i].attr]);
		else
			printf(" %*s", type_fields[i].width, "-");
	}
	printf("\n");
}

static int show(struct toy_genl *g)
{
	struct toy_stats stats;
	unsigned int i;

	if (toy_stats_get(g, &stats))
		return -1;
	if (json) {
		printf("{\"family\":%u,", stats.family);
		print_type("stream", &stats.stream, true);
		print_type("dgram", &stats.dgram, false);
		print_type("seqpacket", &stats.seqpacket, false);
		printf("}\n");
		return 0;
	}
	printf("AF_TOY family %u\n%-9s", stats.family, "Type");
	for (i = 0; i < ARRAY_SIZE(type_fields); i++)
		printf(" %*s", type_fields[i].width, type_fields[i].head);
	printf("\n");
	print_type("stream", &stats.stream, true);
	print_type("dgram", &stats.dgram, false);
	print_type("seqpacket", &stats.seqpacket, false);
	return 0;
}

/* A socket's members in JSON, "type" first, without the braces. */
static void print_sock_json(const struct toy_sock_info *s)
{
	unsigned int i;

	printf("\"type\":\"%s\",\"state\":\"%s\"",
	       type_name(s->val[TOY_SOCK_A_TYPE]),
	       state_name(s->val[TOY_SOCK_A_STATE]));
	for (i = 0; i < ARRAY_SIZE(sock_fields); i++)
		if (s->has[sock_fields[i].attr])
			printf(",\"%s\":%" PRIu64, sock_fields[i].json,
			       s->val[sock_fields[i].attr]);
	for (i = 0; i < ARRAY_SIZE(sock_json_extra); i++)
		if (s->has[sock_json_extra[i].attr])
			printf(",\"%s\":%" PRIu64, sock_json_extra[i].json,
			       s->val[sock_json_extra[i].attr]);
}

struct sockets_out {
	unsigned int count;
	bool intr;
};

static int print_sock(const struct toy_sock_info *s, void *data)
{
	struct sockets_out *out = data;
	unsigned int i;

	out->intr |= s->intr;
	if (json) {
		printf("%s{", out->count ? "," : "");
		print_sock_json(s);
		printf("}");
	} else {
		printf("%-9s %-6s %6" PRIu64 " %6" PRIu64,
		       type_name(s->val[TOY_SOCK_A_TYPE]),
		       state_name(s->val[TOY_SOCK_A_STATE]),
		       s->val[TOY_SOCK_A_RX_QUEUE], s->val[TOY_SOCK_A_TX_QUEUE]);
		for (i = 0; i < ARRAY_SIZE(sock_fields); i++) {
			if (s->has[sock_fields[i].attr])
				printf(" %*" PRIu64, sock_fields[i].width,
				       s->val[sock_fields[i].attr]);
			else
				printf(" %*s", sock_fields[i].width, "*");
		}
		printf("\n");
	}
	out->count++;
	return 0;
}

static int sockets(struct toy_genl *g, int type, int64_t port)
{
	struct sockets_out out = {};
	unsigned int i;
	int err;

	if (json) {
		printf("[");
	} else {
		printf("%-9s %-6s %6s %6s", "Type", "State", "Recv-Q", "Send-Q");
		for (i = 0; i < ARRAY_SIZE(sock_fields); i++)
			printf(" %*s", sock_fields[i].width,
			       sock_fields[i].head);
		printf("\n");
	}
	err = toy_sock_dump(g, type, port, print_sock, &out);
	if (json)
		printf("]\n");
	if (!err && out.intr)
		fprintf(stderr, "toystat: sockets came or went during the dump; the list may be incomplete\n");
	return err;
}

/* Event names, by enum toy_event. */
static const char *const event_names[__TOY_EVENT_MAX] = {
	[TOY_EVENT_CREATED]	= "created",
	[TOY_EVENT_BOUND]	= "bound",
	[TOY_EVENT_LISTENING]	= "listening",
	[TOY_EVENT_CONNECTED]	= "connected",
	[TOY_EVENT_ACCEPTED]	= "accepted",
	[TOY_EVENT_CLOSED]	= "closed",
	[TOY_EVENT_RESET]	= "reset",
	[TOY_EVENT_DROPS]	= "drops",
};

static const char *drop_reason_name(uint64_t reason)
{
	switch (reason) {
	case TOY_DROP_RCVBUF:
		return "rcvbuf";
	case TOY_DROP_CLOSED:
		return "closed";
	default:
		return "?";
	}
}

/**
 * struct monitor - what `toystat monitor` shows, and how much
 * @type: only events of sockets of this type, or 0 for all
 * @port: only events of sockets with this local port, or -1 for all
 * @events: only these events (bit N: enum toy_event N), or 0 for all
 * @count: stop after this many events, or 0 for never
 * @shown: events shown so far
 */
struct monitor {
	int type;
	int64_t port;
	unsigned int events;
	uint64_t count;
	uint64_t shown;
};

/* Parse "created,bound,..." into a bit mask of enum toy_event. */
static int parse_events(const char *list, unsigned int *mask)
{
	const char *name = list, *end;
	unsigned int e;
	size_t len;

	do {
		end = strchrnul(name, ',');
		len = end - name;
		for (e = 1; e < __TOY_EVENT_MAX; e++)
			if (len == strlen(event_names[e]) &&
			    !strncmp(name, event_names[e], len))
				break;
		if (e == __TOY_EVENT_MAX) {
			fprintf(stderr, "toystat: no event \"%.*s\" in \"%s\"; events are created, bound, listening, connected, accepted, closed, reset and drops, separated by commas\n",
				(int)len, name, list);
			return -1;
		}
		*mask |= 1U << e;
		name = end + 1;
	} while (*end);
	return 0;
}

static int print_event(const struct toy_sock_info *ev, void *data)
{
	const uint64_t *val = ev->val;
	struct monitor *m = data;
	uint64_t e = val[TOY_SOCK_A_EVENT];

	/* an event a newer module knows and this toystat does not: skip it */
	if (!ev->has[TOY_SOCK_A_EVENT] || !e || e >= __TOY_EVENT_MAX)
		return 0;
	if ((m->events && !(m->events & 1U << e)) ||
	    (m->type && val[TOY_SOCK_A_TYPE] != (uint64_t)m->type) ||
	    (m->port >= 0 && val[TOY_SOCK_A_PORT] != (uint64_t)m->port))
		return 0;
	if (json) {
		printf("{\"event\":\"%s\",", event_names[e]);
		print_sock_json(ev);
		if (ev->has[TOY_SOCK_A_EVENT_DROPS])
			printf(",\"dropped\":%" PRIu64 ",\"reason\":\"%s\"",
			       val[TOY_SOCK_A_EVENT_DROPS],
			       drop_reason_name(val[TOY_SOCK_A_DROP_REASON]));
		printf("}\n");
	} else {
		printf("%-9s %-9s %-6s port %" PRIu64, event_names[e],
		       type_name(val[TOY_SOCK_A_TYPE]),
		       state_name(val[TOY_SOCK_A_STATE]), val[TOY_SOCK_A_PORT]);
		if (ev->has[TOY_SOCK_A_PEER_PORT])
			printf(" peer %" PRIu64, val[TOY_SOCK_A_PEER_PORT]);
		printf(" cookie %" PRIu64, val[TOY_SOCK_A_COOKIE]);
		if (ev->has[TOY_SOCK_A_EVENT_DROPS])
			printf(" dropped %" PRIu64 " (%s)",
			       val[TOY_SOCK_A_EVENT_DROPS],
			       drop_reason_name(val[TOY_SOCK_A_DROP_REASON]));
		if (e == TOY_EVENT_CLOSED)
			printf(" tx %" PRIu64 " rx %" PRIu64,
			       val[TOY_SOCK_A_TX_BYTES], val[TOY_SOCK_A_RX_BYTES]);
		printf("\n");
	}
	fflush(stdout);
	m->shown++;
	return m->count && m->shown >= m->count;
}

/*
 * Print events until a signal or m->count of them. Lost events are shown
 * where they were lost, and reported in *@lost.
 */
static int monitor(struct toy_genl *g, struct monitor *m, bool *lost)
{
	int rcvbuf = MONITOR_RCVBUF, ret;

	/* best effort: the kernel caps it at net.core.rmem_max */
	setsockopt(mnl_socket_get_fd(g->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	if (toy_events_join(g)) {
		if (errno == EOPNOTSUPP)
			fprintf(stderr, "toystat: this af_toy.ko has no event stream (no \"%s\" multicast group); load a newer one\n",
				TOY_GENL_MCGRP_EVENTS);
		return -1;
	}
	while (!stop) {
		ret = toy_events_read(g, -1, print_event, m);
		if (ret > 0)
			break;
		if (ret == 0 || errno == EINTR)
			continue;
		if (errno != ENOBUFS)
			return -1;
		*lost = true;
		if (json)
			printf("{\"event\":\"lost\"}\n");
		else
			printf("lost      events came faster than this monitor read them (ENOBUFS)\n");
		fflush(stdout);
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "watch",	required_argument,	NULL, 'w' },
		{ "count",	required_argument,	NULL, 'c' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{}
	};
	enum { SHOW, SOCKETS, RESET, MONITOR, IMPAIR } cmd = SHOW;
	char **impair_args = NULL;
	uint64_t watch = 0, count = 0, val;
	struct monitor mon = {};
	bool lost = false;
	int64_t port = -1;
	struct toy_genl g;
	int opt, type = 0;
	unsigned int n;
	int err;

	while ((opt = getopt_long(argc, argv, "jw:c:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'w':
			if (toy_parse_uint(optarg, 86400, &watch) || !watch) {
				fprintf(stderr, "toystat: -w takes whole seconds from 1 to 86400, not \"%s\"\n",
					optarg);
				return 1;
			}
			break;
		case 'c':
			if (toy_parse_uint(optarg, UINT_MAX, &count) || !count) {
				fprintf(stderr, "toystat: -c takes a count of at least 1, not \"%s\"\n",
					optarg);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("toystat %s (netlink family %s version %d)\n",
			       TOYSTAT_VERSION, TOY_GENL_NAME, TOY_GENL_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}

	argv += optind;
	if (*argv && !strcmp(*argv, "show")) {
		argv++;
	} else if (*argv && !strcmp(*argv, "sockets")) {
		cmd = SOCKETS;
		argv++;
	} else if (*argv && !strcmp(*argv, "reset")) {
		cmd = RESET;
		argv++;
	} else if (*argv && !strcmp(*argv, "monitor")) {
		cmd = MONITOR;
		argv++;
	} else if (*argv && !strcmp(*argv, "impair")) {
		cmd = IMPAIR;
		argv++;
		if (*argv && !strcmp(*argv, "show"))
			argv++;
		else if (*argv && (!strcmp(*argv, "set") ||
				   !strcmp(*argv, "clear")))
			impair_args = argv;
		while (impair_args && *argv)
			argv++;
	}
	while ((cmd == SOCKETS || cmd == MONITOR) && *argv) {
		if (!strcmp(argv[0], "type") && argv[1]) {
			if (!strcmp(argv[1], "stream")) {
				type = SOCK_STREAM;
			} else if (!strcmp(argv[1], "dgram")) {
				type = SOCK_DGRAM;
			} else if (!strcmp(argv[1], "seqpacket")) {
				type = SOCK_SEQPACKET;
			} else {
				fprintf(stderr, "toystat: type is stream, dgram or seqpacket, not \"%s\"\n",
					argv[1]);
				return 1;
			}
		} else if (!strcmp(argv[0], "port") && argv[1]) {
			if (toy_parse_uint(argv[1], UINT32_MAX, &val)) {
				fprintf(stderr, "toystat: port is a number from 0 to %u, not \"%s\"\n",
					UINT32_MAX, argv[1]);
				return 1;
			}
			port = val;
		} else if (cmd == MONITOR && !strcmp(argv[0], "event") &&
			   argv[1]) {
			if (parse_events(argv[1], &mon.events))
				return 1;
		} else {
			break;
		}
		argv += 2;
	}
	if (*argv) {
		fprintf(stderr, "toystat: unexpected \"%s\"; see toystat --help\n",
			*argv);
		return 1;
	}
	if ((cmd == RESET || cmd == MONITOR || impair_args) && watch) {
		fprintf(stderr, "toystat: -w does not apply to %s\n",
			cmd == RESET ? "reset" : cmd == MONITOR ? "monitor" :
			"impair set or clear");
		return 1;
	}
	if (count && !watch && cmd != MONITOR) {
		fprintf(stderr, "toystat: -c needs -w, or monitor\n");
		return 1;
	}

	if (toy_genl_open(&g)) {
		if (errno == ENOENT) {
			fprintf(stderr, "toystat: AF_TOY is not loaded (no generic netlink family \"%s\"); load it with: modprobe af_toy, or insmod af_toy.ko\n",
				TOY_GENL_NAME);
			return EXIT_NOT_LOADED;
		}
		fprintf(stderr, "toystat: cannot reach generic netlink: %s\n",
			strerror(errno));
		return 1;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (n = 1;; n++) {
		if (watch && !json && isatty(STDOUT_FILENO))
			printf("\033[H\033[2J");	/* home, clear screen */
		else if (watch && !json && n > 1)
			printf("\n");
		switch (cmd) {
		case SHOW:
			err = show(&g);
			break;
		case SOCKETS:
			err = sockets(&g, type, port);
			break;
		case MONITOR:
			mon.type = type;
			mon.port = port;
			mon.count = count;
			err = monitor(&g, &mon, &lost);
			break;
		case IMPAIR:
			err = impair_args ? impair_change(&g, impair_args) :
					    impair_show(&g);
			break;
		default:
			err = toy_stats_reset(&g);
			break;
		}
		fflush(stdout);
		if (err || !watch || stop || (count && n >= count))
			break;
		sleep(watch);
		if (stop)
			break;
	}

	if (err) {
		int e = errno;

		if (err == -2)
			fprintf(stderr, "toystat: impair: cannot use \"%s%s%s\": impair set takes loss, duplicate and reorder PCT (a percentage up to 100%%, such as 20%% or 0.5%%), delay and jitter TIME (such as 10ms, 500us or 1.5s), limit N (1 or more) and seed SEED; see toystat --help\n",
				impair_bad_word ? impair_bad_word : "",
				impair_bad_value ? " " : "",
				impair_bad_value ? impair_bad_value : "");
		else if (e == EPERM && (cmd == RESET || impair_args))
			fprintf(stderr, "toystat: %s needs CAP_NET_ADMIN in this network namespace: %s\n",
				cmd == RESET ? "reset" : "impair set or clear",
				strerror(e));
		else if (g.errmsg[0])
			fprintf(stderr, "toystat: %s: %s\n", strerror(e),
				g.errmsg);
		else
			fprintf(stderr, "toystat: %s\n", strerror(e));
	}
	toy_genl_close(&g);
	if (err)
		return 1;
	return lost ? EXIT_EVENTS_LOST : 0;
}
