/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Races whose window is a few instructions wide, made to happen: the
 * kernel is switched to full preemption (PREEMPT_DYNAMIC, through
 * /sys/kernel/debug/sched/preempt), a reader and a SCHED_FIFO writer
 * share one CPU, and the writer wakes from a timer at a moment that moves
 * from round to round. The timer's interrupt then hands the CPU to the
 * writer wherever the reader is in its system call, and the writer does
 * its part while the reader is stopped there.
 *
 * end_race() checks with it that the end of a connection never overtakes
 * data sent before it: a reader that found its queue empty and then sees
 * the end must look at the queue again, since the peer may have queued
 * its last bytes and shut down in between.
 *
 * Include after kselftest_harness.h, families.h and blocking.h.
 */
#ifndef TOY_SELFTEST_PREEMPT_H
#define TOY_SELFTEST_PREEMPT_H

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#define PREEMPT_FILE		"/sys/kernel/debug/sched/preempt"
#define PREEMPT_MODE_LEN	32

/* Rounds end_race() runs, and the time it may take. */
#define END_RACE_ROUNDS		3000
#define END_RACE_SECONDS	8
/* Fewer rounds than this in the time mean nothing. */
#define END_RACE_MIN_ROUNDS	100U
/* The writer sleeps up to this long, in ns, before it sends. */
#define END_RACE_MAX_NS		200000

/*
 * Switch the kernel to full preemption; the mode it had into @old.
 * Returns 0, or -1 when the kernel cannot switch (no PREEMPT_DYNAMIC, no
 * debugfs, not root).
 */
static inline int preempt_full(char *old, size_t size)
{
	FILE *f = fopen(PREEMPT_FILE, "r+");
	char modes[128], *open, *end;

	if (!f)
		return -1;
	/* the modes the kernel has, its current one in parentheses */
	if (!fgets(modes, sizeof(modes), f))
		goto fail;
	open = strchr(modes, '(');
	end = open ? strchr(open, ')') : NULL;
	if (!end || !strstr(modes, "full"))
		goto fail;
	*end = '\0';
	snprintf(old, size, "%s", open + 1);
	rewind(f);
	if (fputs("full", f) < 0 || fclose(f))
		return -1;
	return 0;
fail:
	fclose(f);
	return -1;
}

static inline void preempt_restore(const char *old)
{
	FILE *f = fopen(PREEMPT_FILE, "w");

	if (!f)
		return;
	fputs(old, f);
	fclose(f);
}

static inline double preempt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the reader of a round saw. */
enum end_seen {
	END_AFTER_DATA,		/* the byte, then the end: right */
	END_BEFORE_DATA,	/* the end while the byte was still queued */
	END_ERROR,		/* recv() failed */
	END_OUTCOMES
};

/**
 * struct end_race - what the writer and the reader of end_race() share
 * @fd: the round's reading end, handed over; -1 once taken
 * @done: pipe on which the reader writes an enum end_seen per round
 * @stop: set when the rounds are over
 * @rounds: rounds run
 * @seen: rounds of each outcome
 * @old: the preemption mode to go back to
 */
struct end_race {
	atomic_int fd;
	int done[2];
	atomic_bool stop;
	unsigned int rounds;
	unsigned int seen[END_OUTCOMES];
	char old[PREEMPT_MODE_LEN];
};

/* Spin in non-blocking recv() on each round's socket until its end. */
static inline void *end_race_reader(void *arg)
{
	struct end_race *r = arg;
	char c, seen;
	ssize_t n;
	int fd;

	while (!atomic_load(&r->stop)) {
		fd = atomic_exchange(&r->fd, -1);
		if (fd < 0)
			continue;
		seen = END_ERROR;
		for (;;) {
			n = recv(fd, &c, 1, MSG_DONTWAIT);
			if (n == 1)
				seen = END_AFTER_DATA;
			else if (n == 0 && seen != END_AFTER_DATA)
				seen = END_BEFORE_DATA;
			if (n == 0 || (n < 0 && errno != EAGAIN))
				break;
		}
		if (write(r->done[1], &seen, 1) != 1)
			break;
	}
	return NULL;
}

/*
 * One round: a connection of @type to the listener @lst on the address
 * numbered @key; the writer sends a byte and shuts down while the reader
 * spins on the accepted end. False when the round could not run.
 */
static inline bool end_race_round(struct end_race *r, enum fam fam,
				  int family, int type, int lst,
				  unsigned int key, unsigned int *seed)
{
	struct timespec ts = { .tv_nsec = rand_r(seed) % END_RACE_MAX_NS };
	struct pollfd pfd = { .fd = r->done[0], .events = POLLIN };
	int fd = socket(family, type, 0), peer = -1;
	bool ok = false;
	char seen;

	if (fd < 0 || fam_connect(fam, family, fd, key))
		goto out;
	peer = accept(lst, NULL, NULL);
	if (peer < 0)
		goto out;
	atomic_store(&r->fd, peer);
	/* the reader spins in recv() until the timer stops it */
	clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	send(fd, "x", 1, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	if (poll(&pfd, 1, WAKE_MS) != 1 || read(r->done[0], &seen, 1) != 1)
		goto out;
	r->seen[(int)seen]++;
	r->rounds++;
	ok = true;
out:
	if (peer >= 0)
		close(peer);
	if (fd >= 0)
		close(fd);
	return ok;
}

/**
 * end_race() - run the rounds of the race between the end and the data
 * @_metadata: the test
 * @fam: the family under test
 * @family: its number
 * @type: SOCK_STREAM or SOCK_SEQPACKET
 * @key: the address number a listener of @type may take
 * @r: the outcome
 *
 * Returns false, the test skipped, when the kernel cannot preempt a
 * system call on demand.
 */
static inline bool end_race(struct __test_metadata *_metadata, enum fam fam,
			    int family, int type, unsigned int key,
			    struct end_race *r)
{
	struct sched_param param = { .sched_priority = 1 };
	double deadline = preempt_now() + END_RACE_SECONDS;
	unsigned int seed = time(NULL);
	bool started, fifo;
	pthread_t reader;
	cpu_set_t cpu;
	int lst;

	memset(r, 0, sizeof(*r));
	atomic_store(&r->fd, -1);
	lst = fam_listen(_metadata, fam, family, type, key, 1);
	ASSERT_EQ(0, pipe(r->done));
	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu(), &cpu);
	/* the reader, made below, inherits the CPU but not the priority */
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu), &cpu));
	if (preempt_full(r->old, sizeof(r->old))) {
		close(lst);
		SKIP(return false, "cannot switch the kernel to full preemption through %s",
		     PREEMPT_FILE);
	}
	/* from here on nothing may leave before preempt_restore() */
	started = !pthread_create(&reader, NULL, end_race_reader, r);
	fifo = started && !pthread_setschedparam(pthread_self(), SCHED_FIFO,
						 &param);
	while (fifo && r->rounds < END_RACE_ROUNDS && preempt_now() < deadline)
		if (!end_race_round(r, fam, family, type, lst, key, &seed))
			break;
	param.sched_priority = 0;
	pthread_setschedparam(pthread_self(), SCHED_OTHER, &param);
	atomic_store(&r->stop, true);
	if (started)
		pthread_join(reader, NULL);
	preempt_restore(r->old);
	close(r->done[0]);
	close(r->done[1]);
	close(lst);
	EXPECT_TRUE(fifo) TH_LOG("the writer cannot run SCHED_FIFO beside its reader");
	TH_LOG("%u rounds with preemption switched from %s to full: the end came first in %u, recv() failed in %u",
	       r->rounds, r->old, r->seen[END_BEFORE_DATA], r->seen[END_ERROR]);
	EXPECT_LE(END_RACE_MIN_ROUNDS, r->rounds) TH_LOG("too few rounds to mean anything");
	return true;
}

#endif /* TOY_SELFTEST_PREEMPT_H */
