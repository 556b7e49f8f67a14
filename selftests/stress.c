// SPDX-License-Identifier: GPL-2.0
/*
 * Stress with data integrity: worker threads make seeded random choices
 * among connect, send in random pieces, shutdown, close, poll and datagram
 * sends, for a fixed time, while a receiver thread per connection checks
 * every byte. Each connection, stream or seqpacket, carries records: a
 * header with the connection's id, a sequence number, a length and an
 * FNV-1a checksum of header fields and payload, then the payload; a
 * stream sends them in random pieces, a seqpacket connection one record
 * per send, and its receiver checks that each recv() returns exactly one.
 * The test fails on any byte lost (a sequence gap, or fewer records than
 * the sender's final count), duplicated or reordered (a sequence out of
 * step), corrupted (a bad checksum) or, for seqpacket, a record boundary
 * lost. Datagrams may be dropped but never duplicated, reordered or
 * corrupted.
 *
 * TOY_STRESS_SECONDS sets the time (default 5; make check-debug uses
 * more), TOY_STRESS_SEED the seed (default: the time, printed, so that a
 * failing run can be repeated).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "families.h"
#include "toy_nl.h"

#define WORKERS		4
#define MAX_PAYLOAD	(64 * 1024)
#define LAST_RECORD	UINT32_MAX	/* seq of the record that closes a connection */
#define POLL_MS		50
#define DEFAULT_SECONDS	5

/* One record header, as it travels. */
struct record {
	uint32_t conn;
	uint32_t seq;
	uint32_t len;
	uint32_t sum;
};

/* What all threads share. */
struct stress {
	int family;
	uint32_t stream_port;
	uint32_t seqpacket_port;
	uint32_t dgram_port;
	unsigned int seed;
	double deadline;
	atomic_bool stop;
	atomic_uint next_conn;
	atomic_int receivers;		/* receiver threads still running */
	/* results */
	atomic_ulong errors;
	atomic_ulong conns;		/* connections fully checked */
	atomic_ulong seq_conns;		/* of those, seqpacket ones */
	atomic_ulong broken;		/* connections cut short on purpose */
	atomic_ulong records;
	atomic_ulong bytes;
	atomic_ulong dgrams_sent;
	atomic_ulong dgrams_seen;
	char first_error[256];
	pthread_mutex_t lock;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t fnv1a(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static uint32_t record_sum(const struct record *r, const void *payload)
{
	uint32_t h = 2166136261u;

	h = fnv1a(h, &r->conn, sizeof(r->conn));
	h = fnv1a(h, &r->seq, sizeof(r->seq));
	h = fnv1a(h, &r->len, sizeof(r->len));
	return fnv1a(h, payload, r->len);
}

static void fail(struct stress *s, const char *what, uint32_t conn,
		 uint32_t seq)
{
	pthread_mutex_lock(&s->lock);
	if (!atomic_load(&s->errors))
		snprintf(s->first_error, sizeof(s->first_error),
			 "%s (connection %u, record %u)", what, conn, seq);
	atomic_fetch_add(&s->errors, 1);
	pthread_mutex_unlock(&s->lock);
}

/*
 * A receiver reads in bulk, as much as fits in its buffer, and takes
 * records out of what it has: large reads are what let AF_TOY copy
 * straight into a waiting reader, so the stress covers that path too.
 */
#define RECV_BUF	(4 * MAX_PAYLOAD)

struct receiver {
	struct stress *s;
	int fd;
	bool records;	/* seqpacket: one record per recv() */
};

/* Check one record at @p; false when the connection must be dropped. */
static bool check_record(struct stress *s, const struct record *r,
			 const char *payload, uint32_t conn, uint32_t *expect,
			 bool *last)
{
	if (record_sum(r, payload) != r->sum) {
		fail(s, "checksum mismatch", conn, r->seq);
		return false;
	}
	if (r->seq == LAST_RECORD) {
		/* the last record carries the number of records before it */
		if (*(const uint32_t *)payload != *expect)
			fail(s, "records lost", conn, *expect);
		*last = true;
		return true;
	}
	if (*last || r->seq != *expect) {
		fail(s, *last ? "data after the last record" :
		     "record out of sequence", conn, r->seq);
		return false;
	}
	(*expect)++;
	atomic_fetch_add(&s->records, 1);
	atomic_fetch_add(&s->bytes, r->len);
	return true;
}

/*
 * Check one connection's records until its end. A connection may end
 * without the last record (the sender cut it short on purpose): then what
 * came must still be a gap-free, intact prefix, ending at a record's end.
 */
static void *receiver(void *arg)
{
	struct receiver *rc = arg;
	struct stress *s = rc->s;
	char *buf = malloc(RECV_BUF);
	uint32_t conn = UINT32_MAX, expect = 0;
	size_t have = 0, used;
	bool last = false, ok = true;
	struct record r;
	ssize_t n;

	while (buf && ok) {
		n = recv(rc->fd, buf + have, RECV_BUF - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (have)
				fail(s, "record cut in the middle", conn, expect);
			break;
		}
		if (rc->records && (n < (ssize_t)sizeof(r) ||
				    n != (ssize_t)(sizeof(r) +
						   ((struct record *)buf)->len))) {
			fail(s, "record boundary lost", conn, expect);
			break;
		}
		have += n;
		for (used = 0; ok && have - used >= sizeof(r); ) {
			memcpy(&r, buf + used, sizeof(r));
			if (conn == UINT32_MAX)
				conn = r.conn;
			if (r.len > MAX_PAYLOAD || r.conn != conn) {
				fail(s, "header corrupted", conn, expect);
				ok = false;
				break;
			}
			if (have - used < sizeof(r) + r.len)
				break;
			ok = check_record(s, &r, buf + used + sizeof(r), conn,
					  &expect, &last);
			used += sizeof(r) + r.len;
		}
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	if (last && ok) {
		atomic_fetch_add(&s->conns, 1);
		if (rc->records)
			atomic_fetch_add(&s->seq_conns, 1);
	} else
		atomic_fetch_add(&s->broken, 1);
	close(rc->fd);
	free(buf);
	free(rc);
	atomic_fetch_sub(&s->receivers, 1);
	return NULL;
}

/* A listener of one type. */
struct acceptor {
	struct stress *s;
	int type;
	uint32_t port;
};

/* Accept connections until told to stop; a receiver thread for each. */
static void *acceptor(void *arg)
{
	struct acceptor *a = arg;
	struct stress *s = a->s;
	int lfd = toy_socket_bound(s->family, a->type, a->port);
	struct pollfd pfd = { .events = POLLIN };

	if (lfd < 0 || listen(lfd, 64)) {
		fail(s, "listener", 0, 0);
		return NULL;
	}
	pfd.fd = lfd;
	while (!atomic_load(&s->stop)) {
		struct receiver *rc;
		pthread_t t;
		int fd;

		if (poll(&pfd, 1, POLL_MS) <= 0)
			continue;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		rc = malloc(sizeof(*rc));
		if (!rc) {
			close(fd);
			continue;
		}
		rc->s = s;
		rc->fd = fd;
		rc->records = a->type == SOCK_SEQPACKET;
		atomic_fetch_add(&s->receivers, 1);
		if (pthread_create(&t, NULL, receiver, rc)) {
			atomic_fetch_sub(&s->receivers, 1);
			close(fd);
			free(rc);
			continue;
		}
		pthread_detach(t);
	}
	close(lfd);
	return NULL;
}

/* Send all of @len bytes in random pieces; false when the peer is gone. */
static bool send_pieces(int fd, const char *buf, size_t len,
			unsigned int *seed)
{
	while (len) {
		size_t piece = 1 + rand_r(seed) % len;
		int flags = MSG_NOSIGNAL;
		ssize_t n;

		/* now and then without blocking, waiting with poll() */
		if (rand_r(seed) % 4 == 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			flags |= MSG_DONTWAIT;
			poll(&pfd, 1, POLL_MS);
		}
		n = send(fd, buf, piece, flags);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

/*
 * Send the record at @buf (header and payload) whole, as one seqpacket
 * record; false when the peer is gone.
 */
static bool send_record(int fd, const char *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	for (;;) {
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			poll(&pfd, 1, POLL_MS);
			continue;
		}
		return n == (ssize_t)len;
	}
}

/* Header @r, then its payload already at @buf + sizeof(*r), sent. */
static bool send_one(int fd, bool records, struct record *r, char *buf,
		     unsigned int *seed)
{
	r->sum = record_sum(r, buf + sizeof(*r));
	memcpy(buf, r, sizeof(*r));
	if (records)
		return send_record(fd, buf, sizeof(*r) + r->len);
	return send_pieces(fd, buf, sizeof(*r) + r->len, seed);
}

/*
 * One connection, stream or seqpacket: random records, then an end of
 * some kind.
 */
static void one_connection(struct stress *s, unsigned int *seed, char *buf)
{
	uint32_t conn = atomic_fetch_add(&s->next_conn, 1);
	bool records = rand_r(seed) % 3 == 0;
	int fd = socket(s->family, records ? SOCK_SEQPACKET : SOCK_STREAM, 0);
	uint32_t seq, n = 1 + rand_r(seed) % 20;
	struct record r = { .conn = conn };
	int how = rand_r(seed) % 8;

	if (fd < 0)
		return;
	if (toy_connect_port(fd, s->family, records ? s->seqpacket_port :
						       s->stream_port)) {
		close(fd);
		return;
	}
	for (seq = 0; seq < n; seq++) {
		r.seq = seq;
		r.len = rand_r(seed) % 8 ? rand_r(seed) % 2048 :
					    rand_r(seed) % MAX_PAYLOAD;
		memset(buf + sizeof(r), (int)(conn + seq), r.len);
		if (!send_one(fd, records, &r, buf, seed))
			goto out;
		/* cut short on purpose: close in the middle of the stream */
		if (how == 0 && seq == n / 2)
			goto out;
	}
	r.seq = LAST_RECORD;
	r.len = sizeof(uint32_t);
	memcpy(buf + sizeof(r), &n, sizeof(n));
	if (!send_one(fd, records, &r, buf, seed))
		goto out;
	if (how == 1)
		shutdown(fd, SHUT_WR);
	else if (how == 2)
		shutdown(fd, SHUT_RDWR);
out:
	close(fd);
}

/* A burst of datagrams to the dgram receiver, numbered per sender. */
static void dgram_burst(struct stress *s, int fd, uint32_t id, uint32_t *seq,
			unsigned int *seed, char *buf)
{
	int i, n = 1 + rand_r(seed) % 32;
	struct record r = { .conn = id };

	for (i = 0; i < n; i++) {
		r.seq = (*seq)++;
		r.len = rand_r(seed) % 1024;
		memset(buf + sizeof(r), (int)r.seq, r.len);
		r.sum = record_sum(&r, buf + sizeof(r));
		memcpy(buf, &r, sizeof(r));
		if (send(fd, buf, sizeof(r) + r.len, MSG_DONTWAIT) > 0)
			atomic_fetch_add(&s->dgrams_sent, 1);
	}
}

/* Check datagrams: per sender, sequence only grows and sums match. */
static void *dgram_receiver(void *arg)
{
	struct stress *s = arg;
	int fd = toy_socket_bound(s->family, SOCK_DGRAM, s->dgram_port);
	char *buf = malloc(sizeof(struct record) + 1024);
	int64_t last[WORKERS];
	struct pollfd pfd;
	struct record r;
	ssize_t n;
	int i;

	if (fd < 0 || !buf) {
		fail(s, "dgram receiver", 0, 0);
		free(buf);
		return NULL;
	}
	for (i = 0; i < WORKERS; i++)
		last[i] = -1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!atomic_load(&s->stop) || poll(&pfd, 1, 0) > 0) {
		if (poll(&pfd, 1, POLL_MS) <= 0)
			continue;
		n = recv(fd, buf, sizeof(r) + 1024, MSG_DONTWAIT);
		if (n < (ssize_t)sizeof(r))
			continue;
		memcpy(&r, buf, sizeof(r));
		if (r.conn >= WORKERS || n != (ssize_t)(sizeof(r) + r.len) ||
		    record_sum(&r, buf + sizeof(r)) != r.sum) {
			fail(s, "datagram corrupted", r.conn, r.seq);
			continue;
		}
		if ((int64_t)r.seq <= last[r.conn])
			fail(s, "datagram duplicated or reordered", r.conn, r.seq);
		last[r.conn] = r.seq;
		atomic_fetch_add(&s->dgrams_seen, 1);
	}
	close(fd);
	free(buf);
	return NULL;
}

struct worker {
	struct stress *s;
	uint32_t id;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct stress *s = w->s;
	unsigned int seed = s->seed * (WORKERS + 1) + w->id;
	char *buf = malloc(MAX_PAYLOAD + sizeof(struct record));
	uint32_t dseq = 0;
	int dfd;

	dfd = socket(s->family, SOCK_DGRAM, 0);
	if (!buf || dfd < 0 || toy_connect_port(dfd, s->family, s->dgram_port)) {
		fail(s, "worker setup", w->id, 0);
		goto out;
	}
	while (now_s() < s->deadline) {
		switch (rand_r(&seed) % 4) {
		case 0:
			dgram_burst(s, dfd, w->id, &dseq, &seed, buf);
			break;
		default:
			one_connection(s, &seed, buf);
		}
	}
out:
	if (dfd >= 0)
		close(dfd);
	free(buf);
	return NULL;
}

FIXTURE(stress) {
};

FIXTURE_SETUP(stress)
{
}

FIXTURE_TEARDOWN(stress)
{
}

/* TOY_STRESS_SECONDS, the wait for the last receivers, and slack */
TEST_F_TIMEOUT(stress, every_type_under_random_load_loses_nothing, 900)
{
	struct acceptor a[2];
	struct worker w[WORKERS];
	pthread_t t[WORKERS], acc[2], drecv;
	struct stress *s = calloc(1, sizeof(*s));
	struct toy_stats st;
	struct toy_genl g;
	double wait_until;
	int i;

	ASSERT_NE(NULL, s);
	s->family = toy_family();
	if (s->family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	s->seed = (unsigned int)env_ulong("TOY_STRESS_SEED", (unsigned int)time(NULL));
	s->stream_port = 5000;
	s->dgram_port = 5001;
	s->seqpacket_port = 5002;
	pthread_mutex_init(&s->lock, NULL);
	TH_LOG("seed %u (TOY_STRESS_SEED=%u repeats this run), %u s", s->seed,
	       s->seed, (unsigned int)env_ulong("TOY_STRESS_SECONDS", DEFAULT_SECONDS));

	a[0] = (struct acceptor){ s, SOCK_STREAM, s->stream_port };
	a[1] = (struct acceptor){ s, SOCK_SEQPACKET, s->seqpacket_port };
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&acc[i], NULL, acceptor, &a[i]));
	ASSERT_EQ(0, pthread_create(&drecv, NULL, dgram_receiver, s));
	/* the listener and the dgram receiver are bound before work starts */
	wait_until = now_s() + 10;
	while (now_s() < wait_until) {
		int sprobe = socket(s->family, SOCK_STREAM, 0);
		int qprobe = socket(s->family, SOCK_SEQPACKET, 0);
		int dprobe = socket(s->family, SOCK_DGRAM, 0);
		bool up = !toy_connect_port(sprobe, s->family, s->stream_port) &&
			  !toy_connect_port(qprobe, s->family,
					    s->seqpacket_port) &&
			  !toy_connect_port(dprobe, s->family, s->dgram_port);

		close(sprobe);
		close(qprobe);
		close(dprobe);
		if (up)
			break;
		poll(NULL, 0, POLL_MS);
	}
	s->deadline = now_s() + (unsigned int)env_ulong("TOY_STRESS_SECONDS", DEFAULT_SECONDS);
	for (i = 0; i < WORKERS; i++) {
		w[i].s = s;
		w[i].id = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, worker, &w[i]));
	}
	for (i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	atomic_store(&s->stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(acc[i], NULL);
	pthread_join(drecv, NULL);
	/* receivers end with their connections, which are all closed */
	wait_until = now_s() + 30;
	while (atomic_load(&s->receivers) && now_s() < wait_until)
		poll(NULL, 0, POLL_MS);

	ASSERT_EQ(0, toy_genl_open(&g));
	ASSERT_EQ(0, toy_stats_get(&g, &st));
	toy_genl_close(&g);
	TH_LOG("%lu connections checked whole (%lu seqpacket), %lu cut short, %lu records, %lu bytes "
	       "(%llu copied straight into a waiting reader); %lu of %lu datagrams arrived",
	       atomic_load(&s->conns), atomic_load(&s->seq_conns),
	       atomic_load(&s->broken),
	       atomic_load(&s->records), atomic_load(&s->bytes),
	       (unsigned long long)st.stream.val[TOY_TYPE_A_DIRECT_BYTES],
	       atomic_load(&s->dgrams_seen), atomic_load(&s->dgrams_sent));
	EXPECT_EQ(0, atomic_load(&s->receivers));
	EXPECT_EQ(0UL, atomic_load(&s->errors)) TH_LOG("first error: %s", s->first_error);
	EXPECT_LT(0UL, atomic_load(&s->conns));
	EXPECT_LT(0UL, atomic_load(&s->seq_conns));
	EXPECT_LT(atomic_load(&s->seq_conns), atomic_load(&s->conns));
	EXPECT_LT(0UL, atomic_load(&s->dgrams_seen));
	/* both ways a stream byte travels were taken */
	EXPECT_LT(0ULL, st.stream.val[TOY_TYPE_A_DIRECT_BYTES]);
	EXPECT_LT(st.stream.val[TOY_TYPE_A_DIRECT_BYTES], st.stream.val[TOY_TYPE_A_TX_BYTES]);
}

TEST_HARNESS_MAIN
