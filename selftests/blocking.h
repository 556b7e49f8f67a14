/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for testing blocking socket calls without bare sleeps: a call runs
 * in a thread of its own and reports through a pipe when it returns, so the
 * test can check, each with a bounded wait, that the call is still blocked
 * and that it returns once the test has done what should wake it.
 *
 * Include after kselftest_harness.h.
 */
#ifndef TOY_SELFTEST_BLOCKING_H
#define TOY_SELFTEST_BLOCKING_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>

/* How long a call must stay blocked to count as blocked, in ms. */
#define BLOCKED_MS	200
/* How long a woken call may take to return, in ms (TCG is slow). */
#define WAKE_MS		10000

enum call_op {
	CALL_RECV,
	CALL_SEND,
	CALL_ACCEPT,
	CALL_CONNECT,
	CALL_SPLICE,
};

/**
 * struct call - one blocking call run in a thread
 * @op: which call
 * @fd: its socket
 * @out: the pipe CALL_SPLICE splices into
 * @buf: data buffer for CALL_RECV and CALL_SEND
 * @len: its length
 * @flags: send/recv flags, splice flags for CALL_SPLICE
 * @addr: address for CALL_CONNECT
 * @addrlen: its length
 * @ret: what the call returned
 * @err: errno after the call
 * @tid: the thread's id, for /proc/self/task and tgkill()
 * @thread: the thread
 * @done: pipe written once the call returned
 */
struct call {
	enum call_op op;
	int fd;
	int out;
	void *buf;
	size_t len;
	int flags;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	ssize_t ret;
	int err;
	pid_t tid;
	pthread_t thread;
	int done[2];
};

static inline void *call_thread(void *arg)
{
	struct call *c = arg;

	__atomic_store_n(&c->tid, gettid(), __ATOMIC_RELEASE);
	switch (c->op) {
	case CALL_RECV:
		c->ret = recv(c->fd, c->buf, c->len, c->flags);
		break;
	case CALL_SEND:
		c->ret = send(c->fd, c->buf, c->len, c->flags);
		break;
	case CALL_ACCEPT:
		c->ret = accept(c->fd, NULL, NULL);
		break;
	case CALL_CONNECT:
		c->ret = connect(c->fd, (struct sockaddr *)&c->addr,
				 c->addrlen);
		break;
	case CALL_SPLICE:
		c->ret = splice(c->fd, NULL, c->out, NULL, c->len, c->flags);
		break;
	}
	c->err = errno;
	if (write(c->done[1], "", 1) != 1)
		c->err = -1;
	return NULL;
}

/* Start @c; returns 0 or an errno. */
static inline int call_start(struct call *c)
{
	int err;

	if (pipe(c->done))
		return errno;
	err = pthread_create(&c->thread, NULL, call_thread, c);
	if (err) {
		close(c->done[0]);
		close(c->done[1]);
	}
	return err;
}

/* Has @c returned within @ms milliseconds? */
static inline bool call_returns_within(struct call *c, int ms)
{
	struct pollfd pfd = { .fd = c->done[0], .events = POLLIN };

	return poll(&pfd, 1, ms) == 1;
}

/* Wait for @c to return (the caller made sure it will) and clean up. */
static inline void call_join(struct call *c)
{
	pthread_join(c->thread, NULL);
	close(c->done[0]);
	close(c->done[1]);
}

/* revents of @fd for @events, waiting up to @ms for any of them. */
static inline short poll_for(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	if (poll(&pfd, 1, ms) < 0)
		return -1;
	return pfd.revents;
}

/* Read exactly @len bytes, waiting up to WAKE_MS for each piece. */
static inline ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n;

		if (!(poll_for(fd, POLLIN, WAKE_MS) & POLLIN))
			return got;
		n = recv(fd, (char *)buf + got, len - got, MSG_DONTWAIT);
		if (n <= 0)
			return got ? (ssize_t)got : n;
		got += n;
	}
	return got;
}

/* Monotonic milliseconds, for checking how long a timeout took. */
static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SO_RCVTIMEO used by the timeout checks, in ms. */
#define RCVTIMEO_MS	300

/*
 * With SO_RCVTIMEO set on @fd, a blocking recv() with nothing to read
 * fails with EAGAIN once the timeout has run out, not before, and not
 * much after.
 */
static inline void expect_rcvtimeo(struct __test_metadata *_metadata, int fd)
{
	struct timeval tv = { .tv_usec = RCVTIMEO_MS * 1000 };
	long start, took;
	char byte;

	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	start = now_ms();
	EXPECT_EQ(-1, recv(fd, &byte, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	took = now_ms() - start;
	/* timers may fire a tick early */
	EXPECT_LE(RCVTIMEO_MS - 50, took);
	EXPECT_GE(WAKE_MS, took);
}

/* The state letter of thread @tid of this process (R, S, D...), or '?'. */
static inline char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "re");
	if (!f)
		return '?';
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* "tid (comm) S ...": comm may hold anything, the state follows its ')' */
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] == ' ' ? p[2] : '?';
}

static inline void ignore_signal(int sig)
{
}

/* Install a handler for @sig, restarting interrupted calls or not. */
static inline int catch_signal(int sig, bool restart)
{
	struct sigaction sa = { .sa_handler = ignore_signal };

	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

#endif /* TOY_SELFTEST_BLOCKING_H */
