/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks that stream.c and seqpacket.c make alike, on a connection of
 * either type: what a send after SHUT_WR raises, what SO_PEERCRED names,
 * what socketpair() gives, what a close with data unread does.
 *
 * Include after kselftest_harness.h, families.h and blocking.h.
 */
#ifndef TOY_SELFTEST_CONNECTED_H
#define TOY_SELFTEST_CONNECTED_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

/*
 * A send on @fd, shut down for writing, fails with EPIPE, and raises
 * SIGPIPE when @sigpipe (taken here, blocked, so that it kills nothing).
 */
static inline void expect_epipe_after_shut_wr(struct __test_metadata *_metadata,
					      int fd, bool sigpipe)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	ASSERT_EQ(0, shutdown(fd, SHUT_WR));
	EXPECT_EQ(-1, send(fd, "x", 1, 0));
	EXPECT_EQ(EPIPE, observed_errno(errno));
	ASSERT_EQ(0, sigpending(&set));
	OBSERVE_IF(sigismember(&set, SIGPIPE), "SIGPIPE", "no SIGPIPE");
	EXPECT_EQ(sigpipe, sigismember(&set, SIGPIPE));
	if (!sigismember(&set, SIGPIPE))
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	ASSERT_EQ(0, sigwait(&set, &sig));
}

/*
 * SO_PEERCRED of @fd, one end of a connection made by this process: the
 * process itself when @peercred, else pid 0.
 */
static inline void expect_peercred(struct __test_metadata *_metadata, int fd,
				   bool peercred)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	memset(&cred, 0, sizeof(cred));
	ASSERT_EQ(0, getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len));
	OBSERVE_IF(cred.pid == getpid(), "the peer's pid", "pid 0");
	if (!peercred) {
		EXPECT_EQ(0, cred.pid);
		return;
	}
	EXPECT_EQ(getpid(), cred.pid);
	EXPECT_EQ(getuid(), cred.uid);
	EXPECT_EQ(getgid(), cred.gid);
}

/*
 * socketpair(@family, @type) gives a connected pair into @sv when @works
 * (a message crosses each way), else fails with EOPNOTSUPP.
 */
static inline void expect_socketpair(struct __test_metadata *_metadata,
				     int family, int type, bool works,
				     int sv[2])
{
	char buf[4];

	if (!works) {
		EXPECT_EQ(-1, socketpair(family, type, 0, sv));
		EXPECT_EQ(EOPNOTSUPP, observed_errno(errno));
		sv[0] = sv[1] = -1;
		return;
	}
	ASSERT_EQ(0, socketpair(family, type, 0, sv));
	EXPECT_EQ(4, send(sv[0], "ping", 4, 0));
	EXPECT_EQ(4, recv(sv[1], buf, 4, 0));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_EQ(4, send(sv[1], "pong", 4, 0));
	EXPECT_EQ(4, recv(sv[0], buf, 4, 0));
	EXPECT_EQ(0, memcmp(buf, "pong", 4));
}

/*
 * Close *@s, the accepted end of a connection to @c, with a byte unread,
 * and wait until @c sees it gone. A family that does not reset the peer
 * for it gives @c the end of the stream, which this checks and records;
 * returns whether the caller has a reset to check.
 */
static inline bool close_with_unread(struct __test_metadata *_metadata,
				     int c, int *s, bool resets)
{
	char byte;

	ASSERT_EQ(1, send(c, "x", 1, 0));
	ASSERT_TRUE(poll_for(*s, POLLIN, WAKE_MS) & POLLIN);
	close(*s);
	*s = -1;
	ASSERT_TRUE(poll_for(c, POLLRDHUP, WAKE_MS) & POLLRDHUP);
	if (resets)
		return true;
	EXPECT_EQ(0, recv(c, &byte, 1, 0));
	OBSERVE("end of file");
	return false;
}

#endif /* TOY_SELFTEST_CONNECTED_H */
