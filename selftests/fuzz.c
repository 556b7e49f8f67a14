// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded syscall fuzzer over AF_TOY sockets: random calls, flags,
 * lengths, addresses, socket options and netlink messages on a small pool
 * of sockets, as root in a network namespace of its own, as an
 * unprivileged user, and as root of a new user namespace. Nothing may
 * block (every socket is non-blocking, every receive MSG_DONTWAIT), the
 * process must survive, every sock it made must be freed once it closed
 * them, and the kernel log must stay free of splats (the VM runner checks
 * that; make check-debug adds KASAN, lockdep and kmemleak).
 *
 * TOY_FUZZ_ITERATIONS sets the calls per run (default 20000),
 * TOY_FUZZ_SEED the seed (default: the time, printed). Seeds that once
 * found a bug are replayed first, from fuzz_seeds[] below.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "families.h"
#include "toy_nl.h"

#define POOL		16
#define MAX_LEN		(70 * 1024)	/* beyond TOY_DGRAM_MAX on purpose */
#define DEFAULT_ITERATIONS 20000
#define NOBODY		65534

/*
 * Seeds that once made the kernel splat or the fuzzer fail, replayed on
 * every run before the new seed. None so far: a seed that fails goes here
 * with the date and the commit that fixed what it found.
 */
static const unsigned int fuzz_seeds[] = { 0 };

struct fuzz {
	int family;
	unsigned int seed;
	int fd[POOL];
	char *buf;
	struct toy_genl g;
	bool genl;
	/* what went through, to show the calls reach deep paths */
	unsigned long binds, listens, connects, accepts, sent, received, replies;
};

static uint32_t rnd(struct fuzz *z)
{
	return rand_r(&z->seed);
}

/* Mostly ordinary values, now and then extreme ones. */
static uint32_t rnd_port(struct fuzz *z)
{
	static const uint32_t odd[] = { 0, 1, 1023, 1024, TOY_PORT_ANY,
					TOY_PORT_ANY - 1, 0x40000000, 0x7fffffff };

	if (rnd(z) % 4 == 0)
		return odd[rnd(z) % (sizeof(odd) / sizeof(odd[0]))];
	/* few ports: binds collide, connects find listeners */
	return 9000 + rnd(z) % 3;
}

static socklen_t rnd_addr(struct fuzz *z, struct sockaddr_storage *ss)
{
	struct sockaddr_toy *a = (struct sockaddr_toy *)ss;
	static const socklen_t lens[] = { 0, 1, 2, 8, 15, 16, 17, 128, 200 };

	memset(ss, 0, sizeof(*ss));
	a->stoy_family = rnd(z) % 8 ? (uint32_t)z->family : rnd(z) % 64;
	a->stoy_reserved = rnd(z) % 8 ? 0 : rnd(z);
	a->stoy_port = rnd_port(z);
	if (rnd(z) % 8 == 0)
		memset(a->stoy_zero, 0xff, sizeof(a->stoy_zero));
	return rnd(z) % 4 ? sizeof(*a) : lens[rnd(z) % (sizeof(lens) / sizeof(lens[0]))];
}

static int rnd_flags(struct fuzz *z)
{
	static const int f[] = { MSG_PEEK, MSG_WAITALL, MSG_TRUNC, MSG_OOB,
				 MSG_NOSIGNAL, MSG_EOR, MSG_MORE, MSG_CONFIRM,
				 MSG_ERRQUEUE, MSG_CMSG_CLOEXEC };
	int flags = MSG_DONTWAIT, i;

	for (i = 0; i < 2; i++)
		if (rnd(z) % 3 == 0)
			flags |= f[rnd(z) % (sizeof(f) / sizeof(f[0]))];
	return flags;
}

static size_t rnd_len(struct fuzz *z)
{
	switch (rnd(z) % 6) {
	case 0:
		return 0;
	case 1:
		return MAX_LEN;
	case 2:
		return TOY_DGRAM_MAX + rnd(z) % 3 - 1;
	default:
		return rnd(z) % 4096;
	}
}

static int *slot(struct fuzz *z)
{
	return &z->fd[rnd(z) % POOL];
}

static void op_socket(struct fuzz *z)
{
	/* mostly the three real types, so that calls get past the first check */
	static const int types[] = { SOCK_STREAM, SOCK_STREAM, SOCK_STREAM,
				     SOCK_DGRAM, SOCK_DGRAM, SOCK_DGRAM,
				     SOCK_SEQPACKET, SOCK_SEQPACKET,
				     SOCK_SEQPACKET, SOCK_RAW, 0, 99 };
	int *fd = slot(z);

	if (*fd >= 0)
		close(*fd);
	*fd = socket(z->family, types[rnd(z) % (sizeof(types) / sizeof(types[0]))] |
		     SOCK_NONBLOCK | SOCK_CLOEXEC,
		     rnd(z) % 8 ? 0 : rnd(z) % 4);
}

static void op_socketpair(struct fuzz *z)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
	int *a = slot(z), *b = slot(z), sv[2];

	if (a == b)
		return;
	if (socketpair(z->family, types[rnd(z) % 3] | SOCK_NONBLOCK, 0, sv))
		return;
	if (*a >= 0)
		close(*a);
	if (*b >= 0)
		close(*b);
	*a = sv[0];
	*b = sv[1];
}

static void op_bind_connect(struct fuzz *z, bool bind_it)
{
	struct sockaddr_storage ss;
	socklen_t len = rnd_addr(z, &ss);
	int fd = *slot(z);

	if (bind_it)
		z->binds += !bind(fd, (struct sockaddr *)&ss, len);
	else
		z->connects += !connect(fd, (struct sockaddr *)&ss, len);
}

static void op_listen_accept(struct fuzz *z)
{
	int fd = *slot(z), *to, nfd, k;

	if (rnd(z) % 2) {
		z->listens += !listen(fd, (int)(rnd(z) % 8) - 1);
		return;
	}
	/* from the first socket of the pool that has a connection waiting */
	for (nfd = -1, k = 0; nfd < 0 && k < POOL; k++)
		nfd = accept4(z->fd[k], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nfd < 0)
		return;
	z->accepts++;
	to = slot(z);
	if (*to >= 0)
		close(*to);
	*to = nfd;
}

static void op_send(struct fuzz *z)
{
	struct sockaddr_storage ss;
	socklen_t len = rnd(z) % 3 ? 0 : rnd_addr(z, &ss);
	struct iovec iov[3];
	struct msghdr msg = {};
	int fd = *slot(z), i;
	ssize_t n;

	if (rnd(z) % 2) {
		n = sendto(fd, z->buf, rnd_len(z), rnd_flags(z) | MSG_NOSIGNAL,
			   len ? (struct sockaddr *)&ss : NULL, len);
		z->sent += n > 0 ? n : 0;
		return;
	}
	for (i = 0; i < 3; i++) {
		iov[i].iov_base = z->buf + rnd(z) % 1024;
		iov[i].iov_len = rnd_len(z) / 3;
	}
	msg.msg_iov = iov;
	msg.msg_iovlen = rnd(z) % 4;
	msg.msg_name = len ? &ss : NULL;
	msg.msg_namelen = len;
	n = sendmsg(fd, &msg, rnd_flags(z) | MSG_NOSIGNAL);
	z->sent += n > 0 ? n : 0;
}

static void op_recv(struct fuzz *z)
{
	struct sockaddr_storage ss;
	struct msghdr msg = {};
	struct iovec iov;
	char cbuf[64];
	int fd = *slot(z);
	ssize_t n;

	if (rnd(z) % 2) {
		socklen_t len = rnd(z) % 2 ? sizeof(ss) : rnd(z) % 20;

		n = recvfrom(fd, z->buf, rnd_len(z), rnd_flags(z),
			     (struct sockaddr *)&ss, rnd(z) % 4 ? &len : NULL);
		z->received += n > 0 ? n : 0;
		return;
	}
	iov.iov_base = z->buf;
	iov.iov_len = rnd_len(z);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_name = &ss;
	msg.msg_namelen = rnd(z) % 2 ? sizeof(ss) : 0;
	msg.msg_control = rnd(z) % 2 ? cbuf : NULL;
	msg.msg_controllen = msg.msg_control ? sizeof(cbuf) : 0;
	n = recvmsg(fd, &msg, rnd_flags(z));
	z->received += n > 0 ? n : 0;
}

static void op_sockopt(struct fuzz *z)
{
	static const int names[] = { SO_RCVBUF, SO_SNDBUF, SO_RCVLOWAT,
				     SO_SNDLOWAT, SO_RCVTIMEO, SO_SNDTIMEO,
				     SO_LINGER, SO_PEERCRED, SO_ERROR, SO_TYPE,
				     SO_PROTOCOL, SO_DOMAIN, SO_ACCEPTCONN,
				     SO_COOKIE, SO_MEMINFO, SO_RCVBUFFORCE,
				     SO_PASSCRED, SO_KEEPALIVE, SO_REUSEADDR,
				     SO_BINDTODEVICE, SO_PEEK_OFF, 9999 };
	int fd = *slot(z), name = names[rnd(z) % (sizeof(names) / sizeof(names[0]))];
	int level = rnd(z) % 8 ? SOL_SOCKET : (int)(rnd(z) % 300);
	uint64_t val[8];
	socklen_t len = rnd(z) % 4 ? sizeof(int) : rnd(z) % sizeof(val);

	val[0] = rnd(z) % 2 ? rnd(z) : (uint64_t)-1;
	val[1] = rnd(z);
	if (rnd(z) % 2)
		setsockopt(fd, level, name, val, len);
	else
		getsockopt(fd, level, name, val, &len);
}

static void op_misc(struct fuzz *z)
{
	static const unsigned long cmds[] = { SIOCINQ, SIOCOUTQ, FIONBIO,
					      SIOCGSTAMP, 0x5401, 0x89f0 };
	struct pollfd pfd = { .fd = *slot(z), .events = POLLIN | POLLOUT | POLLRDHUP };
	int fd = pfd.fd, arg = rnd(z) % 2, *dst;
	unsigned long cmd = cmds[rnd(z) % 6];

	switch (rnd(z) % 4) {
	case 0:
		/* FIONBIO 0 would make the next accept or connect block */
		if (cmd == FIONBIO)
			arg = 1;
		ioctl(fd, cmd, &arg);
		break;
	case 1:
		shutdown(fd, (int)(rnd(z) % 5) - 1);
		break;
	case 2:
		poll(&pfd, 1, 0);
		break;
	default:
		dst = slot(z);
		if (*dst >= 0)
			close(*dst);
		*dst = rnd(z) % 2 ? dup(fd) : -1;
	}
}

/* A genetlink request with random command, flags and attributes. */
static void op_netlink(struct fuzz *z)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint64_t val[2];
	int i, n;

	if (!z->genl)
		return;
	nlh = toy_genl_request(&z->g, req, rnd(z) % (TOY_CMD_MAX + 3),
			       rnd(z) % 2 ? NLM_F_DUMP : NLM_F_ACK);
	n = rnd(z) % 4;
	for (i = 0; i < n; i++) {
		val[0] = (uint64_t)rnd(z) << 32 | rnd(z);
		val[1] = rnd(z);
		/* 1, 2, 4 or 8 bytes mostly; any length up to 12 now and then */
		mnl_attr_put(nlh, rnd(z) % (TOY_SOCK_A_MAX + 3),
			     rnd(z) % 3 ? 1U << (rnd(z) % 4) : rnd(z) % 12, val);
	}
	if (rnd(z) % 16 == 0)
		nlh->nlmsg_len -= rnd(z) % 8;
	z->replies += !toy_genl_talk(&z->g, nlh, NULL, NULL);
}

/* @iterations random calls; the pool is closed at the end. */
static void fuzz_run(struct fuzz *z, unsigned long iterations)
{
	static void (*const ops[])(struct fuzz *) = {
		op_socket, op_socket, op_socketpair, op_listen_accept,
		op_send, op_send, op_recv, op_recv, op_sockopt, op_misc,
		op_netlink,
	};
	struct timeval tv = { .tv_sec = 1 };
	unsigned long i;
	int k;

	for (k = 0; k < POOL; k++)
		z->fd[k] = -1;
	z->genl = !toy_genl_open(&z->g);
	/* a lost reply is an error, not a hang */
	if (z->genl)
		setsockopt(mnl_socket_get_fd(z->g.nl), SOL_SOCKET, SO_RCVTIMEO,
			   &tv, sizeof(tv));
	for (i = 0; i < iterations; i++) {
		switch (rnd(z) % 15) {
		case 11:
		case 12:
			op_bind_connect(z, true);
			break;
		case 13:
		case 14:
			op_bind_connect(z, false);
			break;
		default:
			ops[rnd(z) % (sizeof(ops) / sizeof(ops[0]))](z);
		}
	}
	for (k = 0; k < POOL; k++)
		if (z->fd[k] >= 0)
			close(z->fd[k]);
	if (z->genl)
		toy_genl_close(&z->g);
	printf("# fuzz: %lu binds, %lu listens, %lu connects, %lu accepts, %lu bytes sent, "
	       "%lu received, %lu netlink requests answered without error\n",
	       z->binds, z->listens, z->connects, z->accepts, z->sent, z->received,
	       z->replies);
	fflush(stdout);
}

/*
 * In a child: @setup (namespaces, credentials), then the fuzzer from
 * @seed. Returns the child's exit status, or -1 when it did not exit (a
 * crash; the fuzzer never blocks, so the harness timeout means a hang).
 */
static int fuzz_child(int (*setup)(void), unsigned int seed,
		      unsigned long iterations)
{
	struct fuzz z = {};
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		z.family = toy_family();
		z.seed = seed;
		z.buf = calloc(1, MAX_LEN + 1024);
		if (!z.buf || setup())
			_exit(2);
		fuzz_run(&z, iterations);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int as_root_in_netns(void)
{
	return unshare(CLONE_NEWNET);
}

static int as_nobody(void)
{
	return unshare(CLONE_NEWNET) || setgid(NOBODY) || setuid(NOBODY);
}

static int as_root_of_a_user_namespace(void)
{
	if (setgid(NOBODY) || setuid(NOBODY))
		return -1;
	return unshare(CLONE_NEWUSER | CLONE_NEWNET);
}

FIXTURE(fuzz) {
	unsigned int seed;
	unsigned long iterations;
};

FIXTURE_VARIANT(fuzz) {
	int (*setup)(void);
};

FIXTURE_VARIANT_ADD(fuzz, root) {
	.setup = as_root_in_netns,
};

FIXTURE_VARIANT_ADD(fuzz, unprivileged) {
	.setup = as_nobody,
};

FIXTURE_VARIANT_ADD(fuzz, user_namespace) {
	.setup = as_root_of_a_user_namespace,
};

FIXTURE_SETUP(fuzz)
{
	self->seed = env_ulong("TOY_FUZZ_SEED", (unsigned long)time(NULL));
	self->iterations = env_ulong("TOY_FUZZ_ITERATIONS", DEFAULT_ITERATIONS);
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F_TIMEOUT(fuzz, random_calls_leave_kernel_and_sockets_sound, 1800)
{
	unsigned int i;

	if (toy_family() < 0)
		SKIP(return, "af_toy.ko is not loaded");
	for (i = 0; i < sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]); i++) {
		if (!fuzz_seeds[i])
			continue;
		EXPECT_EQ(0, fuzz_child(variant->setup, fuzz_seeds[i],
					self->iterations))
			TH_LOG("kept seed %u", fuzz_seeds[i]);
	}
	TH_LOG("seed %u (TOY_FUZZ_SEED=%u repeats it), %lu calls", self->seed,
	       self->seed, self->iterations);
	EXPECT_EQ(0, fuzz_child(variant->setup, self->seed, self->iterations));
	/* every sock the fuzzer made is freed once it closed them */
	EXPECT_EQ(0, toy_sockets_settle(5000));
}

TEST_HARNESS_MAIN
