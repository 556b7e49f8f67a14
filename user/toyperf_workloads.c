// SPDX-License-Identifier: GPL-2.0
/*
 * toyperf workloads: how each family gets its sockets, and the timed loop
 * of each measurement. Every round builds its own sockets, so no round
 * inherits queued data or state from another.
 *
 * Addresses: each family binds to "any" (AF_TOY TOY_PORT_ANY, AF_UNIX
 * autobind to an abstract name, AF_VSOCK VMADDR_PORT_ANY, AF_INET
 * 127.0.0.1 port 0) and getsockname() tells the peer where to connect.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <linux/af_toy.h>
#include <linux/errqueue.h>
#include <linux/vm_sockets.h>

#include "toyperf.h"

#define MIB		(1024.0 * 1024.0)
#define USEC		1e6
/* Backlog of the listeners; connects are accepted one by one. */
#define TP_BACKLOG	128
/* How long a dgram receiver waits for more once the sender stopped. */
#define TP_DRAIN_MS	50
/* How long a zerocopy writer refused ENOBUFS waits for completions. */
#define TP_ZC_WAIT_MS	100
/* Ping-pong keeps at most this many round-trip times per round. */
#define TP_MAX_SAMPLES	(1 << 20)
/* The largest UDP payload over IPv4, less than the other families' */
#define TP_DGRAM_MAX	65507
/* The largest record toyperf sends: below every family's limit. */
#define TP_RECORD_MAX	(128 << 10)
/* How long an AF_VSOCK connect() may wait for the loopback worker. */
#define TP_VSOCK_CONNECT_S	60
/*
 * The memory workload waits for freed objects this long at most (vsock
 * loopback takes seconds to finish closing 10,000 connections)...
 */
#define TP_SETTLE_S	20.0
/* ...and calls the slab settled when it moves less than this per tick */
#define TP_SETTLE_BYTES	(64 * 1024)

void tp_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("toyperf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

double tp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ----- sockets ----- */

struct tp_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

static int tp_socket(const struct tp_family *f, int type)
{
	struct timeval tv = { .tv_sec = TP_VSOCK_CONNECT_S };
	int fd = socket(f->domain, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		tp_die("socket(%s): %s", f->label, strerror(errno));
	/*
	 * vsock loopback answers connect() from a workqueue, which falls
	 * behind when thousands of closed connections still linger: wait
	 * for it rather than fail after vsock's default 2 s.
	 */
	if (f->domain == AF_VSOCK && type != SOCK_DGRAM &&
	    setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv,
		       sizeof(tv)))
		tp_die("SO_VM_SOCKETS_CONNECT_TIMEOUT: %s", strerror(errno));
	return fd;
}

const int tp_types[3] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
const char *const tp_type_names[3] = { "SOCK_STREAM", "SOCK_DGRAM",
				       "SOCK_SEQPACKET" };

int tp_type_index(int type)
{
	int i;

	for (i = 0; i < 2; i++)
		if (tp_types[i] == type)
			return i;
	return 2;
}

void tp_probe(struct tp_family *f)
{
	int i, fd;

	for (i = 0; i < 3; i++) {
		fd = socket(f->domain, tp_types[i] | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			f->why_not[i] = strdup(strerror(errno));
			continue;
		}
		close(fd);
		f->why_not[i] = NULL;
	}
}

bool tp_raise_nofile(long nfds)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return false;
	if ((long)rl.rlim_cur >= nfds)
		return true;
	rl.rlim_cur = nfds;
	if ((long)rl.rlim_max < nfds)
		rl.rlim_max = nfds;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

/* The address that asks @f for any free port or name. */
static void tp_any_addr(const struct tp_family *f, struct tp_addr *a)
{
	memset(a, 0, sizeof(*a));
	switch (f->domain) {
	case AF_UNIX: {
		struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;

		/* only the family: autobind to an abstract name */
		sun->sun_family = AF_UNIX;
		a->len = sizeof(sa_family_t);
		break;
	}
	case AF_VSOCK: {
		struct sockaddr_vm *svm = (struct sockaddr_vm *)&a->ss;

		svm->svm_family = AF_VSOCK;
		svm->svm_cid = VMADDR_CID_ANY;
		svm->svm_port = VMADDR_PORT_ANY;
		a->len = sizeof(*svm);
		break;
	}
	case AF_INET: {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->len = sizeof(*sin);
		break;
	}
	default: {
		struct sockaddr_toy *st = (struct sockaddr_toy *)&a->ss;

		st->stoy_family = f->domain;
		st->stoy_port = TOY_PORT_ANY;
		a->len = sizeof(*st);
		break;
	}
	}
}

/* Bind @fd to any address of @f; where to reach it goes into @where. */
static void tp_bind_any(const struct tp_family *f, int fd,
			struct tp_addr *where)
{
	struct tp_addr any;

	tp_any_addr(f, &any);
	if (bind(fd, (struct sockaddr *)&any.ss, any.len))
		tp_die("bind(%s): %s", f->label, strerror(errno));
	if (!where)
		return;
	where->len = sizeof(where->ss);
	if (getsockname(fd, (struct sockaddr *)&where->ss, &where->len))
		tp_die("getsockname(%s): %s", f->label, strerror(errno));
	/* bound to any CID, reached through the loopback one */
	if (f->domain == AF_VSOCK)
		((struct sockaddr_vm *)&where->ss)->svm_cid = VMADDR_CID_LOCAL;
}

static void tp_connect(const struct tp_family *f, int fd,
		       const struct tp_addr *to)
{
	if (connect(fd, (const struct sockaddr *)&to->ss, to->len))
		tp_die("connect(%s): %s", f->label, strerror(errno));
}

static int tp_accept(const struct tp_family *f, int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		tp_die("accept(%s): %s", f->label, strerror(errno));
	return fd;
}

/* A listening socket of @f and @type; where to connect goes into @where. */
static int tp_listener(const struct tp_family *f, int type,
		       struct tp_addr *where)
{
	int fd = tp_socket(f, type);

	tp_bind_any(f, fd, where);
	if (listen(fd, TP_BACKLOG))
		tp_die("listen(%s): %s", f->label, strerror(errno));
	return fd;
}

/* TCP sends small writes at once, as the other families do. */
static void tp_nodelay(const struct tp_family *f, int fd)
{
	int one = 1;

	if (f->domain == AF_INET &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		tp_die("TCP_NODELAY: %s", strerror(errno));
}

/*
 * Two connected sockets of @f and @type in @fd: for SOCK_STREAM and
 * SOCK_SEQPACKET through listen, connect and accept, for SOCK_DGRAM two
 * bound sockets connected to each other. fd[0] is the active end.
 */
static void tp_pair(const struct tp_family *f, int type, int fd[2])
{
	struct tp_addr a0, a1;
	int lfd;

	if (type == SOCK_DGRAM) {
		fd[0] = tp_socket(f, SOCK_DGRAM);
		fd[1] = tp_socket(f, SOCK_DGRAM);
		tp_bind_any(f, fd[0], &a0);
		tp_bind_any(f, fd[1], &a1);
		tp_connect(f, fd[0], &a1);
		tp_connect(f, fd[1], &a0);
		return;
	}
	lfd = tp_listener(f, type, &a1);
	fd[0] = tp_socket(f, type);
	tp_connect(f, fd[0], &a1);
	fd[1] = tp_accept(f, lfd);
	close(lfd);
	tp_nodelay(f, fd[0]);
	tp_nodelay(f, fd[1]);
}

static void tp_close_pair(int fd[2])
{
	close(fd[0]);
	close(fd[1]);
}

static void *tp_buffer(size_t size)
{
	void *buf = malloc(size);

	if (!buf)
		tp_die("out of memory for a %zu-byte buffer", size);
	memset(buf, 0x5a, size);
	return buf;
}

/* Write all @size bytes; 0, or the errno of the write that failed. */
static int tp_try_write_all(int fd, const char *buf, size_t size)
{
	while (size) {
		ssize_t n = write(fd, buf, size);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		buf += n;
		size -= n;
	}
	return 0;
}

static void tp_write_all(int fd, const char *buf, size_t size)
{
	int err = tp_try_write_all(fd, buf, size);

	if (err)
		tp_die("write: %s", strerror(err));
}

/* Read exactly @size bytes; false on end of stream. */
static bool tp_read_all(int fd, char *buf, size_t size)
{
	while (size) {
		ssize_t n = read(fd, buf, size);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			tp_die("read: %s", strerror(errno));
		}
		if (!n)
			return false;
		buf += n;
		size -= n;
	}
	return true;
}

static void tp_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(t, NULL, fn, arg);

	if (err)
		tp_die("pthread_create: %s", strerror(err));
}

/*
 * ----- the end of a round -----
 *
 * The loops that send as fast as they can stop when a flag says the
 * round's time is up, not by reading the clock at every send: in the TCG
 * guest the clock source is the HPET (TCG's TSC is not trusted), so each
 * read is a system call and an emulated device access, which cost as much
 * as a small send itself and diluted every ratio towards 1.
 */

/**
 * struct tp_alarm - a flag that rises at a given time
 * @rang: true once the time has come
 * @at: when, on CLOCK_MONOTONIC
 * @thread: the thread that sleeps until then and raises @rang
 */
struct tp_alarm {
	atomic_bool rang;
	struct timespec at;
	pthread_t thread;
};

static void *tp_alarm_thread(void *arg)
{
	struct tp_alarm *a = arg;
	int err;

	/* a signal cuts the sleep short; any other error would loop for ever */
	do
		err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &a->at,
				      NULL);
	while (err == EINTR);
	if (err)
		tp_die("clock_nanosleep: %s", strerror(err));
	atomic_store_explicit(&a->rang, true, memory_order_release);
	return NULL;
}

/* Raise @a->rang @secs from now. */
static void tp_alarm_set(struct tp_alarm *a, double secs)
{
	double at = tp_now() + secs;

	atomic_init(&a->rang, false);
	a->at.tv_sec = (time_t)at;
	a->at.tv_nsec = (long)((at - a->at.tv_sec) * 1e9);
	tp_thread(&a->thread, tp_alarm_thread, a);
}

static bool tp_alarm_rang(struct tp_alarm *a)
{
	return atomic_load_explicit(&a->rang, memory_order_acquire);
}

/* Wait for @a to ring and be done with it. */
static void tp_alarm_join(struct tp_alarm *a)
{
	pthread_join(a->thread, NULL);
}

/* ----- stream: one writer thread, one reader, bytes per second ----- */

/*
 * @end: rings when the writer is to stop
 * @file: the file sendfile() reads (the sendfile workload), else -1
 * @file_size: its size
 * @err: the errno that stopped the writer early, else 0
 */
struct tp_writer {
	int fd;
	size_t size;
	struct tp_alarm end;
	int file;
	size_t file_size;
	int err;
};

static void *tp_stream_writer(void *arg)
{
	struct tp_writer *w = arg;
	char *buf = tp_buffer(w->size);

	/* at least one write: a thread that starts late still measures */
	do
		w->err = tp_try_write_all(w->fd, buf, w->size);
	while (!w->err && !tp_alarm_rang(&w->end));
	shutdown(w->fd, SHUT_WR);
	free(buf);
	return NULL;
}

/* sendfile() of @w->size bytes at a time, round and round the file. */
static void *tp_sendfile_writer(void *arg)
{
	struct tp_writer *w = arg;
	off_t off = 0;

	do {
		size_t left = w->size;

		while (left) {
			ssize_t n;

			if ((size_t)off + left > w->file_size)
				off = 0;
			n = sendfile(w->fd, w->file, &off, left);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				w->err = errno;
				goto out;
			}
			left -= n;
		}
	} while (!tp_alarm_rang(&w->end));
out:
	shutdown(w->fd, SHUT_WR);
	return NULL;
}

/*
 * Throughput of @w's writer, read with a buffer of @param bytes, on a
 * connection of @type: with SOCK_SEQPACKET each write is one record of
 * @param bytes and each read takes one. A read or write that fails fails
 * the round for the family, not toyperf: AF_VSOCK on 6.12 loses 64-byte
 * writes at full speed, its reader getting ENOBUFS.
 */
static void tp_stream_measure(const struct tp_family *f, int type,
			      long param, double secs, struct tp_writer *w,
			      void *(*writer)(void *), struct tp_result *res)
{
	char *buf = tp_buffer(param);
	double bytes = 0, start;
	pthread_t t;
	int fd[2];
	ssize_t n;

	tp_pair(f, type, fd);
	w->fd = fd[0];
	w->size = param;
	start = tp_now();
	tp_alarm_set(&w->end, secs);
	w->err = 0;
	tp_thread(&t, writer, w);
	while ((n = read(fd[1], buf, param)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(res->failed, sizeof(res->failed), "read: %s",
				 strerror(errno));
			/* a writer waiting for room gets EPIPE */
			shutdown(fd[1], SHUT_RDWR);
			break;
		}
		bytes += n;
	}
	res->vals[0] = bytes / MIB / (tp_now() - start);
	res->work = bytes;
	pthread_join(t, NULL);
	tp_alarm_join(&w->end);
	if (w->err && !res->failed[0])
		snprintf(res->failed, sizeof(res->failed), "write: %s",
			 strerror(w->err));
	tp_close_pair(fd);
	free(buf);
}

/* Throughput: writes of @param bytes, read with a buffer as large. */
static void tp_stream_run(const struct tp_family *f, long param, double secs,
			  void *state, struct tp_result *res)
{
	struct tp_writer w = { .file = -1 };

	tp_stream_measure(f, SOCK_STREAM, param, secs, &w, tp_stream_writer,
			  res);
}

/* Record throughput: SOCK_SEQPACKET records of @param bytes. */
static void tp_records_run(const struct tp_family *f, long param,
			   double secs, void *state, struct tp_result *res)
{
	struct tp_writer w = { .file = -1 };

	tp_stream_measure(f, SOCK_SEQPACKET, param, secs, &w, tp_stream_writer,
			  res);
}

/* The file of the sendfile workload: in /tmp, which is tmpfs in the VM. */
#define TP_SENDFILE_FILE	(16 << 20)

static void *tp_sendfile_setup(const struct tp_family *f, long param)
{
	struct tp_writer *w = calloc(1, sizeof(*w));
	char path[] = "/tmp/toyperf-sendfile.XXXXXX";
	char *buf = tp_buffer(TP_SENDFILE_FILE);

	if (!w)
		tp_die("out of memory");
	w->file = mkstemp(path);
	if (w->file < 0)
		tp_die("mkstemp %s: %s", path, strerror(errno));
	unlink(path);
	tp_write_all(w->file, buf, TP_SENDFILE_FILE);
	w->file_size = TP_SENDFILE_FILE;
	free(buf);
	return w;
}

static void tp_sendfile_teardown(void *state)
{
	struct tp_writer *w = state;

	close(w->file);
	free(w);
}

/* Throughput of a file sendfile()d @param bytes at a time. */
static void tp_sendfile_run(const struct tp_family *f, long param,
			    double secs, void *state, struct tp_result *res)
{
	tp_stream_measure(f, SOCK_STREAM, param, secs, state,
			  tp_sendfile_writer, res);
}

/* ----- zerocopy: the stream, written with MSG_ZEROCOPY ----- */

/* SO_ZEROCOPY on @fd, at SOL_SOCKET or else AF_TOY's own level. */
static bool tp_zerocopy_on(int fd)
{
	int one = 1;

	return !setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)) ||
	       !setsockopt(fd, SOL_TOY, TOY_ZEROCOPY, &one, sizeof(one));
}

/*
 * Read the completions queued on @fd's error queue, counting them in
 * *@n: 0 or an errno.
 */
static int tp_zerocopy_drain(int fd, int *n)
{
	char cbuf[CMSG_SPACE(sizeof(struct sock_extended_err))];

	for (*n = 0;; (*n)++) {
		struct msghdr msg = {
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};

		if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return errno == EAGAIN ? 0 : errno;
	}
}

/*
 * Writes of @w->size bytes with MSG_ZEROCOPY, the completions read as
 * they come. As the kernel's own msg_zerocopy benchmark does, it sends
 * the same buffer again without waiting for its completion: the bytes
 * never change, so the reader reads what it would, and the cost measured
 * is the family's. A send refused for want of memory (ENOBUFS; ENOMEM
 * from AF_VSOCK), which completions waiting to be read can cause, waits
 * for them and tries again; refused with none to read, it fails the
 * round. A family without MSG_ZEROCOPY (AF_UNIX) gets plain writes: the
 * reference.
 */
static void *tp_zerocopy_writer(void *arg)
{
	struct tp_writer *w = arg;
	char *buf = tp_buffer(w->size);
	bool zc = tp_zerocopy_on(w->fd);
	int flags = zc ? MSG_ZEROCOPY : 0;

	do {
		size_t off = 0;

		while (!w->err && off < w->size) {
			ssize_t n = send(w->fd, buf + off, w->size - off, flags);
			bool refused = n < 0 && zc &&
				       (errno == ENOBUFS || errno == ENOMEM);
			int err = errno, drained = 0;

			if (refused) {
				struct pollfd p = { .fd = w->fd };

				poll(&p, 1, TP_ZC_WAIT_MS);
			} else if (n < 0 && errno != EINTR) {
				w->err = errno;
			} else if (n > 0) {
				off += n;
			}
			if (zc && !w->err)
				w->err = tp_zerocopy_drain(w->fd, &drained);
			if (refused && !drained && !w->err)
				w->err = err;
		}
	} while (!w->err && !tp_alarm_rang(&w->end));
	shutdown(w->fd, SHUT_WR);
	free(buf);
	return NULL;
}

/* Throughput of writes of @param bytes with MSG_ZEROCOPY. */
static void tp_zerocopy_run(const struct tp_family *f, long param,
			    double secs, void *state, struct tp_result *res)
{
	struct tp_writer w = { .file = -1 };

	tp_stream_measure(f, SOCK_STREAM, param, secs, &w, tp_zerocopy_writer,
			  res);
}

/* ----- ping-pong: round-trip times of @param-byte messages ----- */

struct tp_echo {
	int fd;
	size_t size;
};

static void *tp_echo_server(void *arg)
{
	struct tp_echo *e = arg;
	char *buf = tp_buffer(e->size);

	while (tp_read_all(e->fd, buf, e->size))
		tp_write_all(e->fd, buf, e->size);
	free(buf);
	return NULL;
}

int tp_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The @pct percentile of @n sorted values (nearest rank). */
static double tp_percentile(const double *v, size_t n, double pct)
{
	size_t rank = (size_t)(pct / 100.0 * n + 0.5);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/*
 * Round trips of @param-byte messages on a connection of @type; with
 * SOCK_SEQPACKET each message is one record, which one read takes whole.
 */
static void tp_pingpong(const struct tp_family *f, int type, long param,
			double secs, struct tp_result *res)
{
	double *rtt = malloc(TP_MAX_SAMPLES * sizeof(*rtt));
	struct tp_echo e = { .size = param };
	char *buf = tp_buffer(param);
	double deadline, t0, t1, trips = 0;
	size_t n = 0;
	pthread_t t;
	int fd[2];

	if (!rtt)
		tp_die("out of memory for samples");
	tp_pair(f, type, fd);
	e.fd = fd[1];
	tp_thread(&t, tp_echo_server, &e);
	deadline = tp_now() + secs;
	do {
		t0 = tp_now();
		tp_write_all(fd[0], buf, param);
		if (!tp_read_all(fd[0], buf, param))
			tp_die("ping-pong(%s): the echo ended early", f->label);
		t1 = tp_now();
		trips++;
		if (n < TP_MAX_SAMPLES)
			rtt[n++] = (t1 - t0) * USEC;
	} while (t1 < deadline);
	shutdown(fd[0], SHUT_WR);
	pthread_join(t, NULL);
	tp_close_pair(fd);

	qsort(rtt, n, sizeof(*rtt), tp_cmp_double);
	res->vals[0] = tp_percentile(rtt, n, 50);
	res->vals[1] = tp_percentile(rtt, n, 99);
	res->work = trips;
	free(rtt);
	free(buf);
}

static void tp_pingpong_run(const struct tp_family *f, long param,
			    double secs, void *state, struct tp_result *res)
{
	tp_pingpong(f, SOCK_STREAM, param, secs, res);
}

static void tp_seqpingpong_run(const struct tp_family *f, long param,
			       double secs, void *state, struct tp_result *res)
{
	tp_pingpong(f, SOCK_SEQPACKET, param, secs, res);
}

/* ----- dgram: one sender thread at full speed, one receiver ----- */

struct tp_sender {
	int fd;
	size_t size;
	struct tp_alarm end;
	double elapsed;
	unsigned long sent;
	atomic_bool done;
};

static void *tp_dgram_sender(void *arg)
{
	struct tp_sender *s = arg;
	char *buf = tp_buffer(s->size);
	double start = tp_now();

	/* at least one send, as in tp_stream_writer() */
	do {
		if (send(s->fd, buf, s->size, 0) == (ssize_t)s->size) {
			s->sent++;
			continue;
		}
		/* a full receiver, for the families that report it */
		if (errno != EINTR && errno != ENOBUFS && errno != EAGAIN)
			tp_die("send: %s", strerror(errno));
	} while (!tp_alarm_rang(&s->end));

	s->elapsed = tp_now() - start;
	atomic_store(&s->done, true);
	free(buf);
	return NULL;
}

/*
 * Datagrams of @param bytes: received, sent and dropped per second. A
 * datagram sent and never received was dropped (by the receiver's full
 * queue); families that block the sender instead drop none.
 */
static void tp_dgram_run(const struct tp_family *f, long param, double secs,
			 void *state, struct tp_result *res)
{
	struct timeval tv = { .tv_usec = TP_DRAIN_MS * 1000 };
	struct tp_sender s = { .size = param };
	char *buf = tp_buffer(param);
	unsigned long received = 0;
	pthread_t t;
	int fd[2];

	tp_pair(f, SOCK_DGRAM, fd);
	if (setsockopt(fd[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		tp_die("SO_RCVTIMEO: %s", strerror(errno));
	s.fd = fd[0];
	tp_alarm_set(&s.end, secs);
	atomic_init(&s.done, false);
	tp_thread(&t, tp_dgram_sender, &s);
	for (;;) {
		if (recv(fd[1], buf, param, 0) >= 0) {
			received++;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			tp_die("recv(%s): %s", f->label, strerror(errno));
		if (atomic_load(&s.done))
			break;
	}
	pthread_join(t, NULL);
	tp_alarm_join(&s.end);
	tp_close_pair(fd);
	free(buf);

	res->vals[0] = received / s.elapsed;
	res->vals[1] = s.sent / s.elapsed;
	res->vals[2] = (s.sent - received) / s.elapsed;
	res->work = received;
}

/* ----- connection rate: connect, accept, close both ----- */

static void tp_connect_run(const struct tp_family *f, long param,
			   double secs, void *state, struct tp_result *res)
{
	double start = tp_now();
	struct tp_alarm end;
	unsigned long n = 0;
	struct tp_addr to;
	int lfd, c, a;

	lfd = tp_listener(f, SOCK_STREAM, &to);
	tp_alarm_set(&end, secs);
	do {
		c = tp_socket(f, SOCK_STREAM);
		tp_connect(f, c, &to);
		a = tp_accept(f, lfd);
		close(c);
		close(a);
		n++;
	} while (!tp_alarm_rang(&end));
	res->vals[0] = n / (tp_now() - start);
	res->work = n;
	tp_alarm_join(&end);
	close(lfd);
}

/* ----- parallel: @param threads, each moving data through its own pair ----- */

struct tp_lane {
	const struct tp_family *f;
	int cpu;
	struct tp_alarm *end;
	pthread_barrier_t *start;
	double bytes;
};

/* Size of the writes of the parallel workload. */
#define TP_LANE_WRITE	4096

/*
 * One thread owns both ends of its connection: it writes a block to one
 * end and reads it from the other, so each lane keeps one CPU busy and
 * lanes share nothing but the kernel.
 */
static void *tp_lane(void *arg)
{
	struct tp_lane *l = arg;
	char *buf = tp_buffer(TP_LANE_WRITE);
	cpu_set_t cpus;
	int fd[2];

	CPU_ZERO(&cpus);
	CPU_SET(l->cpu, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	tp_pair(l->f, SOCK_STREAM, fd);
	pthread_barrier_wait(l->start);
	/* at least one block: a lane that resumes late still measures */
	do {
		tp_write_all(fd[0], buf, TP_LANE_WRITE);
		if (!tp_read_all(fd[1], buf, TP_LANE_WRITE))
			tp_die("parallel(%s): early end of stream", l->f->label);
		l->bytes += TP_LANE_WRITE;
	} while (!tp_alarm_rang(l->end));
	tp_close_pair(fd);
	free(buf);
	return NULL;
}

static void tp_parallel_run(const struct tp_family *f, long param,
			    double secs, void *state, struct tp_result *res)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct tp_lane *lanes = calloc(param, sizeof(*lanes));
	pthread_t *t = calloc(param, sizeof(*t));
	pthread_barrier_t start;
	double bytes = 0, begin;
	struct tp_alarm end;
	long i;

	if (!lanes || !t)
		tp_die("out of memory for %ld threads", param);
	pthread_barrier_init(&start, NULL, param + 1);
	for (i = 0; i < param; i++) {
		lanes[i].f = f;
		lanes[i].cpu = i % (ncpus > 0 ? ncpus : 1);
		lanes[i].start = &start;
		lanes[i].end = &end;
		tp_thread(&t[i], tp_lane, &lanes[i]);
	}
	/* the lanes have their sockets; the clock starts for all at once */
	begin = tp_now();
	tp_alarm_set(&end, secs);
	pthread_barrier_wait(&start);
	for (i = 0; i < param; i++) {
		pthread_join(t[i], NULL);
		bytes += lanes[i].bytes;
	}
	res->vals[0] = bytes / MIB / (tp_now() - begin);
	res->work = bytes;
	tp_alarm_join(&end);
	pthread_barrier_destroy(&start);
	free(lanes);
	free(t);
}

/* ----- bind and connect cost next to @param open sockets ----- */

struct tp_crowd {
	int *fds;
	long n;
	int lfd;
	struct tp_addr to;
};

/* @param bound, listening sockets fill the family's tables. */
static void *tp_crowd_setup(const struct tp_family *f, long param)
{
	struct tp_crowd *c = calloc(1, sizeof(*c));
	long i;

	if (!c || !(c->fds = calloc(param, sizeof(int))))
		tp_die("out of memory for %ld sockets", param);
	if (!tp_raise_nofile(param * 4 + 1024))
		tp_die("cannot raise RLIMIT_NOFILE for %ld sockets: run as root",
		       param);
	for (i = 0; i < param; i++) {
		c->fds[i] = tp_listener(f, SOCK_STREAM, NULL);
		c->n++;
	}
	c->lfd = tp_listener(f, SOCK_STREAM, &c->to);
	return c;
}

static void tp_crowd_teardown(void *state)
{
	struct tp_crowd *c = state;
	long i;

	for (i = 0; i < c->n; i++)
		close(c->fds[i]);
	close(c->lfd);
	free(c->fds);
	free(c);
}

/* Microseconds per bind() to any port, and per connect() to a listener. */
static void tp_crowd_run(const struct tp_family *f, long param, double secs,
			 void *state, struct tp_result *res)
{
	struct tp_crowd *c = state;
	double deadline = tp_now() + secs;
	double bind_s = 0, connect_s = 0, t0, t1, t2;
	unsigned long n = 0;
	int fd, a;

	do {
		fd = tp_socket(f, SOCK_STREAM);
		t0 = tp_now();
		tp_bind_any(f, fd, NULL);
		t1 = tp_now();
		tp_connect(f, fd, &c->to);
		t2 = tp_now();
		a = tp_accept(f, c->lfd);
		close(a);
		close(fd);
		bind_s += t1 - t0;
		connect_s += t2 - t1;
		n++;
	} while (t2 < deadline);
	res->vals[0] = bind_s * USEC / n;
	res->vals[1] = connect_s * USEC / n;
	res->work = n;
}

/* ----- memory: kernel slab bytes per idle connected pair ----- */

/*
 * Bytes in use in all slab caches: active objects times object size, from
 * /proc/slabinfo (root only). Objects in per-CPU slabs count as in use,
 * which blurs a few KiB; over thousands of pairs that is noise.
 */
static double tp_slab_bytes(void)
{
	FILE *f = fopen("/proc/slabinfo", "re");
	unsigned long active, num, size;
	double total = 0;
	char line[512];

	if (!f)
		tp_die("/proc/slabinfo: %s (the memory workload needs root)",
		       strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%*s %lu %lu %lu", &active, &num, &size) == 3)
			total += (double)active * size;
	}
	fclose(f);
	return total;
}

/* Wait until objects freed earlier (RCU, workqueues) have gone. */
static double tp_slab_settled(void)
{
	struct timespec tick = { .tv_nsec = 250 * 1000 * 1000 };
	double deadline = tp_now() + TP_SETTLE_S;
	double prev = tp_slab_bytes(), cur;

	for (;;) {
		nanosleep(&tick, NULL);
		cur = tp_slab_bytes();
		if ((cur > prev ? cur - prev : prev - cur) < TP_SETTLE_BYTES ||
		    tp_now() > deadline)
			return cur;
		prev = cur;
	}
}

/*
 * Wait until the slab is back to @target bytes: closed AF_VSOCK sockets
 * linger for seconds on a timer, and would otherwise be freed in the
 * middle of the next round's count.
 */
static void tp_slab_back_to(double target)
{
	struct timespec tick = { .tv_nsec = 250 * 1000 * 1000 };
	double deadline = tp_now() + TP_SETTLE_S;

	while (tp_slab_bytes() > target && tp_now() < deadline)
		nanosleep(&tick, NULL);
}

static void tp_memory_run(const struct tp_family *f, long param, double secs,
			  void *state, struct tp_result *res)
{
	int *fds = calloc(2 * param, sizeof(int));
	double before, after;
	struct tp_addr to;
	int lfd;
	long i;

	if (!fds)
		tp_die("out of memory for %ld pairs", param);
	if (!tp_raise_nofile(param * 2 + 1024))
		tp_die("cannot raise RLIMIT_NOFILE for %ld pairs: run as root",
		       param);
	lfd = tp_listener(f, SOCK_STREAM, &to);
	before = tp_slab_settled();
	for (i = 0; i < param; i++) {
		fds[2 * i] = tp_socket(f, SOCK_STREAM);
		tp_connect(f, fds[2 * i], &to);
		fds[2 * i + 1] = tp_accept(f, lfd);
	}
	after = tp_slab_settled();
	for (i = 0; i < 2 * param; i++)
		close(fds[i]);
	close(lfd);
	free(fds);
	/* nine tenths of it freed again: the rest is caches and noise */
	tp_slab_back_to(before + (after - before) / 10);
	res->vals[0] = (after - before) / param;
}

/* ----- the table of workloads, in the order they run ----- */

/* CPU seconds per GiB of bytes moved; CPU microseconds per @unit. */
#define TP_CPU_PER_GIB		{ "s/GiB", 1024.0 * MIB }
#define TP_CPU_PER(unit)	{ unit, USEC }

const struct tp_workload tp_workloads[] = {
	{
		/* first: no other workload's sockets are being freed yet */
		.name = "memory", .title = "Kernel memory per idle connected pair",
		.type = SOCK_STREAM, .param_name = "pairs", .param_unit = "",
		.params = { 10000 }, .nparams = 1,
		.max_param = 1000000,
		.metrics = { { "slab", "B/pair", true } }, .nmetrics = 1,
		.interleaved = false, .run = tp_memory_run,
	},
	{
		.name = "stream", .title = "Stream throughput",
		.type = SOCK_STREAM, .param_name = "write", .param_unit = "B",
		.params = { 64, 1024, 4096, 65536, 1048576 }, .nparams = 5,
		.max_param = 64L << 20,
		.metrics = { { "throughput", "MiB/s", false } }, .nmetrics = 1,
		.cpu = TP_CPU_PER_GIB,
		.interleaved = true, .run = tp_stream_run,
	},
	{
		.name = "sendfile", .title = "sendfile() of a file in memory",
		.type = SOCK_STREAM, .param_name = "chunk", .param_unit = "B",
		.params = { 65536, 1048576 }, .nparams = 2,
		.max_param = TP_SENDFILE_FILE,
		.metrics = { { "throughput", "MiB/s", false } }, .nmetrics = 1,
		.cpu = TP_CPU_PER_GIB,
		.interleaved = true, .setup = tp_sendfile_setup,
		.run = tp_sendfile_run, .teardown = tp_sendfile_teardown,
	},
	{
		.name = "zerocopy",
		.title = "Stream throughput with MSG_ZEROCOPY (plain writes where the family has none)",
		.type = SOCK_STREAM, .param_name = "write", .param_unit = "B",
		.params = { 65536, 1048576 }, .nparams = 2,
		.max_param = 64L << 20,
		.metrics = { { "throughput", "MiB/s", false } }, .nmetrics = 1,
		.cpu = TP_CPU_PER_GIB,
		.interleaved = true, .run = tp_zerocopy_run,
	},
	{
		.name = "pingpong", .title = "Ping-pong round trip",
		.type = SOCK_STREAM, .param_name = "message", .param_unit = "B",
		.params = { 1, 64, 1024, 16384, 65536 }, .nparams = 5,
		.max_param = 64L << 20,
		.metrics = { { "p50", "us", true }, { "p99", "us", true } },
		.nmetrics = 2,
		.cpu = TP_CPU_PER("us/rtt"),
		.interleaved = true, .run = tp_pingpong_run,
	},
	{
		.name = "records", .title = "Seqpacket record throughput",
		.type = SOCK_SEQPACKET, .param_name = "record",
		.param_unit = "B",
		/* AF_VSOCK loses records of 256 B and less at this rate */
		.params = { 1024, 4096, 65536 }, .nparams = 3,
		.max_param = TP_RECORD_MAX,
		.metrics = { { "throughput", "MiB/s", false } }, .nmetrics = 1,
		.cpu = TP_CPU_PER_GIB,
		.interleaved = true, .run = tp_records_run,
	},
	{
		.name = "seqpingpong", .title = "Seqpacket ping-pong round trip",
		.type = SOCK_SEQPACKET, .param_name = "record",
		.param_unit = "B",
		.params = { 1, 64, 1024, 16384 }, .nparams = 4,
		.max_param = TP_RECORD_MAX,
		.metrics = { { "p50", "us", true }, { "p99", "us", true } },
		.nmetrics = 2,
		.cpu = TP_CPU_PER("us/rtt"),
		.interleaved = true, .run = tp_seqpingpong_run,
	},
	{
		.name = "dgram", .title = "Datagram rate",
		.type = SOCK_DGRAM, .param_name = "datagram", .param_unit = "B",
		.params = { 64, 1024, 8192 }, .nparams = 3,
		.max_param = TP_DGRAM_MAX,
		.metrics = { { "received", "msg/s", false },
			     { "sent", "msg/s", false },
			     { "dropped", "msg/s", true } },
		.nmetrics = 3,
		.cpu = TP_CPU_PER("us/msg"),
		.interleaved = true, .run = tp_dgram_run,
	},
	{
		.name = "connect", .title = "Connection rate (connect, accept, close)",
		.type = SOCK_STREAM, .param_name = "", .param_unit = "",
		.params = { 1 }, .nparams = 1,
		.max_param = 1,
		.metrics = { { "rate", "conn/s", false } }, .nmetrics = 1,
		.cpu = TP_CPU_PER("us/conn"),
		.interleaved = true, .run = tp_connect_run,
	},
	{
		.name = "parallel", .title = "Parallel pairs, 4 KiB writes",
		.type = SOCK_STREAM, .param_name = "pairs", .param_unit = "",
		.params = { 1, 2 }, .nparams = 2,
		.max_param = 256,
		.metrics = { { "throughput", "MiB/s", false } }, .nmetrics = 1,
		.cpu = TP_CPU_PER_GIB,
		.interleaved = true, .run = tp_parallel_run,
	},
	{
		.name = "crowd", .title = "Bind and connect next to open sockets",
		.type = SOCK_STREAM, .param_name = "open", .param_unit = "",
		.params = { 1, 1000, 10000 }, .nparams = 3,
		.max_param = 1000000,
		.metrics = { { "bind", "us", true }, { "connect", "us", true } },
		.nmetrics = 2,
		.cpu = TP_CPU_PER("us/conn"),
		.interleaved = true,
		.setup = tp_crowd_setup, .run = tp_crowd_run,
		.teardown = tp_crowd_teardown,
	},
};

const int tp_nworkloads = sizeof(tp_workloads) / sizeof(tp_workloads[0]);
