// SPDX-License-Identifier: GPL-2.0
/*
 * toycat: netcat for AF_TOY. Connects to a port, or listens on one, and
 * copies standard input to the socket and the socket to standard output.
 *
 *   toycat [-u|-s] [-b PORT] [-w SECONDS] PORT     connect
 *   toycat -l [-u|-s] [-k] [-w SECONDS] [PORT]     listen (any free
 *                                                  port when PORT is
 *                                                  left out)
 *
 * SOCK_STREAM: at the end of standard input the sending side is shut down
 * (the peer reads end of file) and toycat goes on reading until the peer
 * closes. SOCK_SEQPACKET (-s): the same, but each read of standard input
 * is one record, and each record received is written out whole, however
 * large (SIOCINQ says how large the next one is). SOCK_DGRAM (-u): each
 * read of standard input, at most
 * TOY_DGRAM_MAX bytes, is one datagram, and each datagram received is
 * written out whole. A listener answers the sender of the first datagram
 * and ends after -w seconds of silence; a sender ends with its input, or
 * -w seconds after it.
 *
 * Exit status: 0 when the data went through, 1 on any error (with what to
 * do), 2 when af_toy.ko is not loaded.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/sockios.h>
#include <linux/af_toy.h>

#include "toy_family.h"
#include "toy_parse.h"

#define TOYCAT_VERSION		"1"
#define EXIT_NOT_LOADED		2
/* the longest -w: a day */
#define WAIT_MAX_S		86400
#define MS_PER_S		1000

/* What toycat was asked to do. */
struct cat_opts {
	bool listen;
	bool keep_open;
	bool verbose;
	bool json;
	int type;		/* SOCK_STREAM, SOCK_SEQPACKET or SOCK_DGRAM */
	uint32_t port;		/* to connect to, or to listen on */
	uint32_t bind_port;	/* -b: the connecting side's own port */
	unsigned int wait_s;	/* -w: 0 waits for ever */
};

/* What went through one connection (or one datagram exchange). */
struct cat_count {
	uint64_t sent_bytes, sent_msgs;
	uint64_t recv_bytes, recv_msgs;
};

static int family;
/* one datagram, one piece of a stream, or one record read from input */
static char buf[TOY_DGRAM_MAX + 1];
/* a record received, as large as the largest so far */
static char *rbuf;
static size_t rbuf_len;

static void usage(FILE *f)
{
	fprintf(f,
"Usage: toycat [OPTIONS] PORT\n"
"       toycat [OPTIONS] -l [PORT]\n"
"\n"
"Copy standard input to an AF_TOY socket and the socket to standard output.\n"
"The first form connects to PORT; -l listens on PORT, or on any free port.\n"
"\n"
"Options:\n"
"  -l, --listen          listen and serve one connection (the first sender\n"
"                        with -u), then exit\n"
"  -k, --keep-open       with -l, serve connections one after another until\n"
"                        interrupted (SOCK_STREAM)\n"
"  -u, --dgram           SOCK_DGRAM: each read of input is one datagram of\n"
"                        at most %u bytes\n"
"  -s, --seqpacket       SOCK_SEQPACKET: a connection, like the default, whose\n"
"                        every read of input is one record, written out whole\n"
"  -b, --bind PORT       connect from this port instead of a free one\n"
"  -w, --wait SECONDS    give up when connecting, accepting or the traffic\n"
"                        stalls for SECONDS; with -u, the silence that ends\n"
"                        a listener, and how long a sender waits for answers\n"
"                        after its input\n"
"  -v, --verbose         report the ports and the byte counts on stderr\n"
"  -j, --json            report them as JSON, one object per line, on stderr\n"
"  -h, --help            print this help\n"
"  -V, --version         print the version\n"
"\n"
"Ports 1-1023 need CAP_NET_BIND_SERVICE. Exit status: 0 success, 1 error,\n"
"2 af_toy.ko is not loaded. See toycat(8).\n", TOY_DGRAM_MAX);
}

static int parse_port(const char *s, uint32_t *port)
{
	uint64_t val;

	if (toy_parse_uint(s, UINT32_MAX - 1, &val) || !val) {
		fprintf(stderr, "toycat: a port is a number from 1 to %u, not \"%s\"\n",
			UINT32_MAX - 1, s);
		return -1;
	}
	*port = val;
	return 0;
}

static void toy_addr(struct sockaddr_toy *addr, uint32_t port)
{
	memset(addr, 0, sizeof(*addr));
	addr->stoy_family = family;
	addr->stoy_port = port;
}

static uint32_t local_port(int fd)
{
	struct sockaddr_toy addr = {};
	socklen_t len = sizeof(addr);

	return getsockname(fd, (struct sockaddr *)&addr, &len) ? 0 : addr.stoy_port;
}

/* -v and -j: one event on stderr. */
static const char *type_name(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return "stream";
	case SOCK_SEQPACKET:
		return "seqpacket";
	default:
		return "dgram";
	}
}

static void report(const struct cat_opts *o, const char *event,
		   uint32_t port, uint32_t peer, const struct cat_count *c)
{
	if (o->json) {
		fprintf(stderr, "{\"event\":\"%s\",\"type\":\"%s\",\"port\":%" PRIu32,
			event, type_name(o->type), port);
		if (peer)
			fprintf(stderr, ",\"peer_port\":%" PRIu32, peer);
		if (c)
			fprintf(stderr, ",\"sent_bytes\":%" PRIu64 ",\"sent_msgs\":%" PRIu64
				",\"recv_bytes\":%" PRIu64 ",\"recv_msgs\":%" PRIu64,
				c->sent_bytes, c->sent_msgs, c->recv_bytes,
				c->recv_msgs);
		fprintf(stderr, "}\n");
	} else if (o->verbose) {
		fprintf(stderr, "toycat: %s, port %" PRIu32, event, port);
		if (peer)
			fprintf(stderr, ", peer port %" PRIu32, peer);
		if (c)
			fprintf(stderr, ": sent %" PRIu64 " bytes in %" PRIu64
				" writes, received %" PRIu64 " bytes in %" PRIu64 " reads",
				c->sent_bytes, c->sent_msgs, c->recv_bytes,
				c->recv_msgs);
		fprintf(stderr, "\n");
	}
}

/* An errno of socket() or bind() as something to do about it. */
static int socket_error(const char *what, uint32_t port)
{
	int e = errno;

	if (e == EADDRINUSE)
		fprintf(stderr, "toycat: %s port %" PRIu32 ": it is taken; choose another port, or leave it out for any free one\n",
			what, port);
	else if (e == EACCES)
		fprintf(stderr, "toycat: %s port %" PRIu32 ": ports below 1024 need CAP_NET_BIND_SERVICE\n",
			what, port);
	else
		fprintf(stderr, "toycat: %s port %" PRIu32 ": %s\n", what, port,
			strerror(e));
	return 1;
}

/* Wait for @events on @fd for the -w time; 0 when they came, -1 when not. */
static int wait_for(const struct cat_opts *o, int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, o->wait_s ? (int)(o->wait_s * MS_PER_S) : -1);
	} while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -1;
}

/* Write all of @len bytes to standard output. */
static int write_out(const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "toycat: cannot write standard output: %s\n",
				strerror(errno));
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* Send all of @len bytes: one datagram, or a piece of the stream. */
static int send_all(int fd, const char *p, size_t len, struct cat_count *c)
{
	c->sent_msgs++;
	do {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == ECONNREFUSED)
				fprintf(stderr, "toycat: nobody is bound to the port any more\n");
			else
				fprintf(stderr, "toycat: send: %s\n", strerror(errno));
			return -1;
		}
		c->sent_bytes += n;
		p += n;
		len -= n;
	} while (len);
	return 0;
}

/*
 * Receive what @fd has into *@p: a piece of a stream or a datagram into
 * buf, a record into rbuf, made as large as SIOCINQ says the next record
 * is, so that none is cut short. Returns what recv() returned; *@eof says
 * whether a 0 is the peer's end (an empty record comes with MSG_EOR).
 */
static ssize_t receive(const struct cat_opts *o, int fd, char **p, bool *eof)
{
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int next = 0;
	ssize_t n;

	if (o->type == SOCK_SEQPACKET) {
		if (!ioctl(fd, SIOCINQ, &next) && (size_t)next > rbuf_len) {
			char *bigger = realloc(rbuf, next);

			if (!bigger) {
				errno = ENOMEM;
				return -1;
			}
			rbuf = bigger;
			rbuf_len = next;
		}
		iov.iov_base = rbuf_len ? rbuf : buf;
		iov.iov_len = rbuf_len ? rbuf_len : sizeof(buf);
	}
	*p = iov.iov_base;
	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n >= 0 && msg.msg_flags & MSG_TRUNC) {
		errno = EMSGSIZE;
		return -1;
	}
	*eof = !n && !(o->type == SOCK_SEQPACKET && msg.msg_flags & MSG_EOR);
	return n;
}

/*
 * copy() - the netcat loop on a connected socket: standard input to @fd and
 * @fd to standard output. A connection ends when both directions have:
 * the input at its end (then shut down for the peer) and the peer's too.
 */
static int copy(const struct cat_opts *o, int fd, struct cat_count *c)
{
	bool connected = o->type != SOCK_DGRAM;
	bool eof;
	char *got;
	size_t piece = o->type == SOCK_STREAM ? sizeof(buf) : TOY_DGRAM_MAX;
	struct pollfd p[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};
	int timeout = o->wait_s ? (int)(o->wait_s * MS_PER_S) : -1;
	ssize_t n;

	for (;;) {
		/* a datagram sender ends with its input, or -w after it */
		if (!connected && !o->listen && p[0].fd < 0 && !o->wait_s)
			return 0;
		n = poll(p, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "toycat: poll: %s\n", strerror(errno));
			return -1;
		}
		/* datagrams have no end but silence */
		if (!n && !connected)
			return 0;
		if (!n) {
			fprintf(stderr, "toycat: no traffic for %u s (-w); giving up\n",
				o->wait_s);
			return -1;
		}
		if (p[1].revents) {
			n = receive(o, fd, &got, &eof);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n < 0) {
				if (errno == ECONNRESET)
					fprintf(stderr, "toycat: the peer closed without reading everything (connection reset)\n");
				else if (errno == EMSGSIZE)
					fprintf(stderr, "toycat: a record was larger than its size said; it was cut short\n");
				else
					fprintf(stderr, "toycat: recv: %s\n",
						strerror(errno));
				return -1;
			}
			/* the peer has sent everything; ours may remain */
			if (eof && connected) {
				p[1].fd = -1;
				if (p[0].fd < 0)
					return 0;
				continue;
			}
			c->recv_bytes += n;
			c->recv_msgs++;
			if (write_out(got, n))
				return -1;
		}
		if (p[0].revents) {
			n = read(STDIN_FILENO, buf, piece);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fprintf(stderr, "toycat: cannot read standard input: %s\n",
					strerror(errno));
				return -1;
			}
			if (!n) {
				/* the peer reads end of file; go on reading */
				p[0].fd = -1;
				if (connected && shutdown(fd, SHUT_WR)) {
					fprintf(stderr, "toycat: shutdown: %s\n",
						strerror(errno));
					return -1;
				}
				if (connected && p[1].fd < 0)
					return 0;
				continue;
			}
			if (send_all(fd, buf, n, c))
				return -1;
		}
	}
}

static int run_connect(const struct cat_opts *o)
{
	struct timeval tv = { .tv_sec = o->wait_s };
	struct sockaddr_toy addr;
	struct cat_count c = {};
	int fd, ret = 1;

	fd = socket(family, o->type, 0);
	if (fd < 0) {
		fprintf(stderr, "toycat: socket: %s\n", strerror(errno));
		return 1;
	}
	if (o->bind_port) {
		toy_addr(&addr, o->bind_port);
		if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
			ret = socket_error("cannot bind", o->bind_port);
			goto out;
		}
	}
	/* AF_TOY bounds a connect() waiting on a full backlog by SO_SNDTIMEO */
	if (o->wait_s)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	toy_addr(&addr, o->port);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		if (errno == ECONNREFUSED)
			fprintf(stderr, "toycat: nobody %s port %" PRIu32 " (connection refused); start the other side first, e.g. toycat -l%s %" PRIu32 "\n",
				o->type == SOCK_DGRAM ? "is bound to" : "listens on",
				o->port, o->type == SOCK_DGRAM ? " -u" :
				o->type == SOCK_SEQPACKET ? " -s" : "", o->port);
		else if (errno == EAGAIN || errno == EINPROGRESS)
			fprintf(stderr, "toycat: port %" PRIu32 " accepted nobody within %u s (-w)\n",
				o->port, o->wait_s);
		else
			fprintf(stderr, "toycat: connect to port %" PRIu32 ": %s\n",
				o->port, strerror(errno));
		goto out;
	}
	report(o, "connected", local_port(fd), o->port, NULL);
	if (!copy(o, fd, &c))
		ret = 0;
	report(o, "closed", local_port(fd), o->port, &c);
out:
	close(fd);
	return ret;
}

/* SOCK_DGRAM -l: wait for the first datagram and answer its sender. */
static int serve_dgram(const struct cat_opts *o, int fd)
{
	struct sockaddr_toy from;
	socklen_t len = sizeof(from);
	struct cat_count c = {};
	ssize_t n;
	int ret;

	if (wait_for(o, fd, POLLIN)) {
		fprintf(stderr, "toycat: no datagram within %u s (-w)\n", o->wait_s);
		return 1;
	}
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	if (n < 0) {
		fprintf(stderr, "toycat: recvfrom: %s\n", strerror(errno));
		return 1;
	}
	c.recv_bytes = n;
	c.recv_msgs = 1;
	if (write_out(buf, n))
		return 1;
	/* an autobound sender has a port; one without cannot be answered */
	if (len >= sizeof(from) &&
	    connect(fd, (struct sockaddr *)&from, sizeof(from))) {
		fprintf(stderr, "toycat: cannot answer port %" PRIu32 ": %s\n",
			from.stoy_port, strerror(errno));
		return 1;
	}
	report(o, "connected", o->port, from.stoy_port, NULL);
	ret = copy(o, fd, &c) ? 1 : 0;
	report(o, "closed", o->port, from.stoy_port, &c);
	return ret;
}

static int run_listen(const struct cat_opts *o)
{
	struct cat_opts lo = *o;
	struct sockaddr_toy addr;
	int fd, conn, ret = 1;

	fd = socket(family, o->type, 0);
	if (fd < 0) {
		fprintf(stderr, "toycat: socket: %s\n", strerror(errno));
		return 1;
	}
	toy_addr(&addr, o->port ? o->port : TOY_PORT_ANY);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		ret = socket_error("cannot listen on", o->port);
		goto out;
	}
	lo.port = local_port(fd);
	if (o->type == SOCK_DGRAM) {
		report(&lo, "listening", lo.port, 0, NULL);
		ret = serve_dgram(&lo, fd);
		goto out;
	}
	if (listen(fd, SOMAXCONN)) {
		fprintf(stderr, "toycat: listen: %s\n", strerror(errno));
		goto out;
	}
	report(&lo, "listening", lo.port, 0, NULL);
	do {
		struct cat_count c = {};
		socklen_t len = sizeof(addr);

		if (wait_for(o, fd, POLLIN)) {
			fprintf(stderr, "toycat: nobody connected within %u s (-w)\n",
				o->wait_s);
			goto out;
		}
		conn = accept(fd, (struct sockaddr *)&addr, &len);
		if (conn < 0) {
			fprintf(stderr, "toycat: accept: %s\n", strerror(errno));
			goto out;
		}
		report(&lo, "connected", lo.port, addr.stoy_port, NULL);
		ret = copy(o, conn, &c) ? 1 : 0;
		report(&lo, "closed", lo.port, addr.stoy_port, &c);
		close(conn);
	} while (o->keep_open);
out:
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen",	no_argument,		NULL, 'l' },
		{ "keep-open",	no_argument,		NULL, 'k' },
		{ "dgram",	no_argument,		NULL, 'u' },
		{ "seqpacket",	no_argument,		NULL, 's' },
		{ "bind",	required_argument,	NULL, 'b' },
		{ "wait",	required_argument,	NULL, 'w' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{}
	};
	struct cat_opts o = { .type = SOCK_STREAM };
	uint64_t val;
	int opt;

	while ((opt = getopt_long(argc, argv, "lkusb:w:vjhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			o.listen = true;
			break;
		case 'k':
			o.keep_open = true;
			break;
		case 'u':
		case 's':
			if (o.type != SOCK_STREAM) {
				fprintf(stderr, "toycat: -u and -s choose the socket type: give one of them\n");
				return 1;
			}
			o.type = opt == 'u' ? SOCK_DGRAM : SOCK_SEQPACKET;
			break;
		case 'b':
			if (parse_port(optarg, &o.bind_port))
				return 1;
			break;
		case 'w':
			if (toy_parse_uint(optarg, WAIT_MAX_S, &val) || !val) {
				fprintf(stderr, "toycat: -w takes whole seconds from 1 to %u, not \"%s\"\n",
					WAIT_MAX_S, optarg);
				return 1;
			}
			o.wait_s = val;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("toycat %s\n", TOYCAT_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	argv += optind;
	if (*argv && parse_port(*argv++, &o.port))
		return 1;
	if (*argv) {
		fprintf(stderr, "toycat: unexpected \"%s\"; see toycat --help\n",
			*argv);
		return 1;
	}
	if (!o.listen && !o.port) {
		fprintf(stderr, "toycat: give the port to connect to, or -l to listen; see toycat --help\n");
		return 1;
	}
	if (o.listen && o.bind_port) {
		fprintf(stderr, "toycat: -b is for connecting; a listener's port is its argument\n");
		return 1;
	}
	if (o.keep_open && (!o.listen || o.type == SOCK_DGRAM)) {
		fprintf(stderr, "toycat: -k needs -l and a connection (not -u)\n");
		return 1;
	}

	family = toy_family();
	if (family < 0) {
		fprintf(stderr, "toycat: AF_TOY is not loaded (%s: %s); load it with: modprobe af_toy, or insmod af_toy.ko\n",
			TOY_FAMILY_PARAM, strerror(errno));
		return EXIT_NOT_LOADED;
	}
	signal(SIGPIPE, SIG_IGN);
	return o.listen ? run_listen(&o) : run_connect(&o);
}
