// SPDX-License-Identifier: GPL-2.0
/*
 * sendfile(2) and splice(2) into and out of sockets of AF_UNIX, AF_VSOCK
 * (loopback) and AF_TOY: every byte arrives intact whatever the offsets
 * and lengths, and the families that carry page references instead of
 * copies show it (a write to the file after sendfile() shows in the bytes
 * not yet read). Datagram sockets get one datagram per pipe buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"

/* Bounds every wait for data: generous, TCG is slow. */
#define WAIT_MS		10000
/* The large file: several times any family's default socket buffers. */
#define BIG_SIZE	(3 * 1024 * 1024 + 1234)
/* An offset and a tail left out that start and end mid-page. */
#define ODD_OFFSET	777
#define ODD_TAIL	333

#define PAGE		4096

/* A file of @len pseudo-random bytes (seeded: the same on every run). */
static int data_file(struct __test_metadata *_metadata, size_t len,
		     unsigned char **data)
{
	char path[] = "/tmp/toy-splice.XXXXXX";
	unsigned int seed = 1;
	size_t i;
	int fd;

	*data = malloc(len);
	ASSERT_NE(NULL, *data);
	for (i = 0; i < len; i++)
		(*data)[i] = rand_r(&seed);
	fd = mkstemp(path);
	ASSERT_LE(0, fd) TH_LOG("mkstemp: %s", strerror(errno));
	unlink(path);
	ASSERT_EQ((ssize_t)len, pwrite(fd, *data, len, 0));
	return fd;
}

/* A file of one page of byte @c. */
static int page_file(struct __test_metadata *_metadata, char c)
{
	char path[] = "/tmp/toy-splice.XXXXXX", buf[PAGE];
	int fd = mkstemp(path);

	ASSERT_LE(0, fd) TH_LOG("mkstemp: %s", strerror(errno));
	unlink(path);
	memset(buf, c, sizeof(buf));
	ASSERT_EQ(PAGE, pwrite(fd, buf, sizeof(buf), 0));
	return fd;
}

/*
 * A reader that collects what arrives on a socket or pipe until it has
 * @want bytes, EOF, or WAIT_MS without anything new; for datagram
 * sockets it also records the size of each datagram.
 */
struct reader {
	int fd;
	size_t want;
	unsigned char *buf;
	size_t got;
	size_t sizes[64];
	unsigned int nsizes;
	pthread_t thread;
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;

	while (r->got < r->want) {
		ssize_t n;

		if (!(poll_for(r->fd, POLLIN, WAIT_MS) & POLLIN))
			break;
		n = read(r->fd, r->buf + r->got, r->want - r->got);
		if (n <= 0)
			break;
		if (r->nsizes < sizeof(r->sizes) / sizeof(r->sizes[0]))
			r->sizes[r->nsizes] = n;
		r->nsizes++;
		r->got += n;
	}
	return NULL;
}

static void reader_start(struct __test_metadata *_metadata, struct reader *r,
			 int fd, size_t want)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->want = want;
	/* a datagram larger than asked for must show, not be cut */
	r->buf = malloc(want + 65536);
	ASSERT_NE(NULL, r->buf);
	ASSERT_EQ(0, pthread_create(&r->thread, NULL, reader_run, r));
}

/*
 * Wait for @r to finish; check that it got exactly its @r->want bytes and
 * that they are @data's. Frees its buffer; true when all was intact.
 */
static bool reader_expect(struct __test_metadata *_metadata, struct reader *r,
			  const unsigned char *data)
{
	bool intact;

	pthread_join(r->thread, NULL);
	EXPECT_EQ(r->want, r->got);
	intact = r->got == r->want && !memcmp(r->buf, data, r->want);
	EXPECT_TRUE(intact);
	free(r->buf);
	r->buf = NULL;
	return intact;
}

/* sendfile() all of [@off, @off + @len) of @file to @sock. */
static ssize_t sendfile_all(int sock, int file, off_t off, size_t len)
{
	size_t sent = 0;

	while (sent < len) {
		ssize_t n = sendfile(sock, file, &off, len - sent);

		if (n <= 0)
			return sent ? (ssize_t)sent : n;
		sent += n;
	}
	return sent;
}

/* ---- SOCK_STREAM ---- */

enum { C, S, NFDS };

FIXTURE(splice) {
	int family;
	int fd[NFDS];
	int file;
	int pipe[2];
	unsigned char *data;
};

FIXTURE_VARIANT(splice) {
	enum fam fam;
	/* sendfile() queues references to the file's pages, no copy */
	struct by_kernel refs_in;
	/* splice() out hands the queued pages to the pipe, no copy */
	struct by_kernel refs_out;
	/* SPLICE_F_NONBLOCK alone keeps splice() out from waiting */
	bool nonblock_flag;
};

FIXTURE_VARIANT_ADD(splice, unix) {
	.fam = FAM_UNIX,
	.refs_in = SAME_ON_ALL(true),
	.refs_out = SAME_ON_ALL(true),
	.nonblock_flag = true,
};

FIXTURE_VARIANT_ADD(splice, vsock) {
	.fam = FAM_VSOCK,
	.refs_in = SAME_ON_ALL(false),
	.refs_out = SAME_ON_ALL(false),
	/* no .splice_read: the kernel's copying fallback ignores the flag */
	.nonblock_flag = false,
};

FIXTURE_VARIANT_ADD(splice, toy) {
	.fam = FAM_TOY,
	.refs_in = SAME_ON_ALL(true),
	.refs_out = SAME_ON_ALL(true),
	.nonblock_flag = true,
};

FIXTURE_SETUP(splice)
{
	fds_init(self->fd, NFDS);
	fds_init(self->pipe, 2);
	self->file = -1;
	self->data = NULL;
	self->family = fam_number(variant->fam);
}

FIXTURE_TEARDOWN(splice)
{
	fds_close(self->fd, NFDS);
	fds_close(self->pipe, 2);
	if (self->file >= 0)
		close(self->file);
	free(self->data);
}

#define PAIR_OR_SKIP() do {						\
	FAMILY_OR_SKIP(self->family, variant->fam);			\
	stream_pair(_metadata, variant->fam, self->family, 0, self->fd); \
} while (0)

TEST_F(splice, sendfile_of_a_large_file_at_odd_offsets_arrives_intact)
{
	size_t len = BIG_SIZE - ODD_OFFSET - ODD_TAIL;
	struct reader r;

	PAIR_OR_SKIP();
	self->file = data_file(_metadata, BIG_SIZE, &self->data);
	reader_start(_metadata, &r, self->fd[S], len);
	EXPECT_EQ((ssize_t)len, sendfile_all(self->fd[C], self->file,
					     ODD_OFFSET, len));
	reader_expect(_metadata, &r, self->data + ODD_OFFSET);
}

/*
 * Writes @len bytes of @data to a pipe or a socket (@sock) in pieces of
 * 1, 4, 13, 40, ... bytes, which straddle page boundaries, then closes
 * the pipe or shuts the socket down for writing.
 */
struct piece_writer {
	int fd;
	bool sock;
	const unsigned char *data;
	size_t len;
	pthread_t thread;
};

static void *piece_writer_run(void *arg)
{
	struct piece_writer *w = arg;
	size_t off = 0, piece = 1;

	while (off < w->len) {
		size_t n = w->len - off;
		ssize_t done;

		piece = piece > 70000 ? 1 : piece * 3 + 1;
		if (n > piece)
			n = piece;
		done = w->sock ? send(w->fd, w->data + off, n, MSG_NOSIGNAL) :
				 write(w->fd, w->data + off, n);
		if (done <= 0)
			break;
		off += done;
	}
	if (w->sock)
		shutdown(w->fd, SHUT_WR);
	else
		close(w->fd);
	return NULL;
}

TEST_F(splice, splice_from_a_pipe_in_odd_pieces_arrives_intact)
{
	size_t len = BIG_SIZE, sent = 0;
	struct piece_writer w;
	struct reader r;

	PAIR_OR_SKIP();
	self->file = data_file(_metadata, len, &self->data);
	ASSERT_EQ(0, pipe(self->pipe));
	w = (struct piece_writer){ .fd = self->pipe[1], .data = self->data,
				   .len = len };
	/* the writer closes it */
	self->pipe[1] = -1;
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, piece_writer_run, &w));
	reader_start(_metadata, &r, self->fd[S], len);
	for (;;) {
		ssize_t n = splice(self->pipe[0], NULL, self->fd[C], NULL,
				   65537, 0);

		if (n <= 0) {
			EXPECT_EQ(0, n) TH_LOG("splice: %s", strerror(errno));
			break;
		}
		sent += n;
	}
	pthread_join(w.thread, NULL);
	reader_expect(_metadata, &r, self->data);
	EXPECT_EQ(len, sent);
}

TEST_F(splice, splice_into_a_pipe_in_odd_pieces_arrives_intact)
{
	size_t len = BIG_SIZE, moved = 0;
	struct piece_writer w;
	struct reader r;

	PAIR_OR_SKIP();
	self->file = data_file(_metadata, len, &self->data);
	ASSERT_EQ(0, pipe(self->pipe));
	w = (struct piece_writer){ .fd = self->fd[C], .sock = true,
				   .data = self->data, .len = len };
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, piece_writer_run, &w));
	reader_start(_metadata, &r, self->pipe[0], len);
	for (;;) {
		ssize_t n;

		/* bounded: a family that never ends the stream fails here */
		if (!(poll_for(self->fd[S], POLLIN, WAIT_MS) & POLLIN))
			break;
		n = splice(self->fd[S], NULL, self->pipe[1], NULL, 70001, 0);
		if (n <= 0) {
			EXPECT_EQ(0, n) TH_LOG("splice: %s", strerror(errno));
			break;
		}
		moved += n;
	}
	pthread_join(w.thread, NULL);
	reader_expect(_metadata, &r, self->data);
	EXPECT_EQ(len, moved);
}

/*
 * A family that queues references to the file's pages shows a write to
 * the file made after sendfile() in the bytes not read yet, as TCP does;
 * one that copies shows what the file held at sendfile() time.
 */
TEST_F(splice, sendfile_queues_page_references)
{
	char buf[PAGE], want;

	PAIR_OR_SKIP();
	self->file = page_file(_metadata, 'A');
	ASSERT_EQ(PAGE, sendfile_all(self->fd[C], self->file, 0, PAGE));
	memset(buf, 'B', sizeof(buf));
	ASSERT_EQ(PAGE, pwrite(self->file, buf, sizeof(buf), 0));
	memset(buf, 0, sizeof(buf));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAIT_MS) & POLLIN);
	ASSERT_EQ(PAGE, recv(self->fd[S], buf, sizeof(buf), MSG_WAITALL));
	OBSERVE_IF(buf[0] == 'B', "page references", "copied");
	want = on_kernel(variant->refs_in) ? 'B' : 'A';
	EXPECT_EQ(want, buf[0]);
	EXPECT_EQ(want, buf[PAGE - 1]);
}

/* And splice() out of the socket passes those pages on to a pipe. */
TEST_F(splice, splice_out_passes_page_references_to_the_pipe)
{
	char buf[PAGE], want;

	PAIR_OR_SKIP();
	self->file = page_file(_metadata, 'A');
	ASSERT_EQ(0, pipe(self->pipe));
	ASSERT_EQ(PAGE, sendfile_all(self->fd[C], self->file, 0, PAGE));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAIT_MS) & POLLIN);
	ASSERT_EQ(PAGE, splice(self->fd[S], NULL, self->pipe[1], NULL, PAGE,
			       SPLICE_F_NONBLOCK));
	memset(buf, 'B', sizeof(buf));
	ASSERT_EQ(PAGE, pwrite(self->file, buf, sizeof(buf), 0));
	ASSERT_EQ(PAGE, read(self->pipe[0], buf, sizeof(buf)));
	OBSERVE_IF(buf[0] == 'B', "page references", "copied");
	want = on_kernel(variant->refs_in) && on_kernel(variant->refs_out) ?
	       'B' : 'A';
	EXPECT_EQ(want, buf[0]);
	EXPECT_EQ(want, buf[PAGE - 1]);
}

TEST_F(splice, splice_out_of_an_empty_socket_gives_eagain_when_nonblocking)
{
	struct call c = { .op = CALL_SPLICE, .len = PAGE,
			  .flags = SPLICE_F_NONBLOCK };
	bool returned;

	PAIR_OR_SKIP();
	ASSERT_EQ(0, pipe(self->pipe));
	/* SPLICE_F_NONBLOCK on a blocking socket, in a thread: it may wait */
	c.fd = self->fd[S];
	c.out = self->pipe[1];
	ASSERT_EQ(0, call_start(&c));
	returned = call_returns_within(&c, WAKE_MS);
	OBSERVE_IF(returned, "SPLICE_F_NONBLOCK: EAGAIN", "SPLICE_F_NONBLOCK: waits");
	if (!returned) {
		ASSERT_EQ(1, send(self->fd[C], "x", 1, 0));
		ASSERT_TRUE(call_returns_within(&c, WAKE_MS));
	}
	call_join(&c);
	EXPECT_EQ(variant->nonblock_flag, returned);
	if (returned) {
		EXPECT_EQ(-1, c.ret);
		EXPECT_EQ(EAGAIN, c.err);
	}
	/* O_NONBLOCK on the socket, no flag: the pipe is drained first */
	ASSERT_EQ(0, fcntl(self->pipe[0], F_SETFL, O_NONBLOCK));
	while (read(self->pipe[0], &returned, 1) > 0)
		;
	ASSERT_EQ(0, fcntl(self->fd[S], F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, splice(self->fd[S], NULL, self->pipe[1], NULL, PAGE, 0));
	EXPECT_EQ(EAGAIN, observed_errno(errno));
	/* and EOF once the peer is done */
	ASSERT_EQ(0, shutdown(self->fd[C], SHUT_WR));
	ASSERT_TRUE(poll_for(self->fd[S], POLLIN, WAIT_MS) & POLLIN);
	EXPECT_EQ(0, splice(self->fd[S], NULL, self->pipe[1], NULL, PAGE, 0));
}

/* ---- SOCK_DGRAM ---- */

FIXTURE(splice_dgram) {
	int family;
	int fd[NFDS];
	int file;
	unsigned char *data;
};

FIXTURE_VARIANT(splice_dgram) {
	enum fam fam;
	/* sendfile() sends one datagram per page, else per batch of pages */
	struct by_kernel per_page;
};

FIXTURE_VARIANT_ADD(splice_dgram, unix) {
	.fam = FAM_UNIX,
	/* 6.5: the pipe's pages come as one sendmsg(MSG_SPLICE_PAGES) */
	.per_page = BY_KERNEL(true, KV(6, 5), false),
};

FIXTURE_VARIANT_ADD(splice_dgram, toy) {
	.fam = FAM_TOY,
	.per_page = SAME_ON_ALL(true),
};

FIXTURE_SETUP(splice_dgram)
{
	fds_init(self->fd, NFDS);
	self->file = -1;
	self->data = NULL;
	self->family = fam_number(variant->fam);
}

FIXTURE_TEARDOWN(splice_dgram)
{
	fds_close(self->fd, NFDS);
	if (self->file >= 0)
		close(self->file);
	free(self->data);
}

/*
 * A file of more than TOY_DGRAM_MAX bytes, not a whole number of pages,
 * through sendfile() to a connected datagram socket: every byte arrives,
 * one datagram per page (a short one last) where the family says so.
 */
TEST_F(splice_dgram, sendfile_sends_one_datagram_per_page)
{
	size_t len = 25 * PAGE + 100;
	struct sockaddr_storage ss;
	struct reader r;
	socklen_t alen;
	unsigned int i;

	FAMILY_OR_SKIP(self->family, variant->fam);
	self->fd[S] = socket(self->family, SOCK_DGRAM, 0);
	self->fd[C] = socket(self->family, SOCK_DGRAM, 0);
	ASSERT_LE(0, self->fd[S]);
	ASSERT_LE(0, self->fd[C]);
	alen = fam_addr(variant->fam, self->family, test_port(), true, &ss);
	ASSERT_EQ(0, bind(self->fd[S], (struct sockaddr *)&ss, alen));
	alen = fam_addr(variant->fam, self->family, test_port(), false, &ss);
	ASSERT_EQ(0, connect(self->fd[C], (struct sockaddr *)&ss, alen));
	self->file = data_file(_metadata, len, &self->data);

	reader_start(_metadata, &r, self->fd[S], len);
	EXPECT_EQ((ssize_t)len, sendfile_all(self->fd[C], self->file, 0, len));
	ASSERT_TRUE(reader_expect(_metadata, &r, self->data));
	OBSERVE_IF(r.nsizes == 26, "a datagram per page", "a datagram per batch");
	if (on_kernel(variant->per_page)) {
		ASSERT_EQ(26U, r.nsizes);
		for (i = 0; i < 25; i++)
			EXPECT_EQ((size_t)PAGE, r.sizes[i]);
		EXPECT_EQ((size_t)100, r.sizes[25]);
	} else {
		EXPECT_GT(26U, r.nsizes);
	}
}

TEST_HARNESS_MAIN
