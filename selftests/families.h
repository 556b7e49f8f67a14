/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the comparative selftests: which families are compared,
 * how AF_TOY's runtime family number is found, and the one SKIP the
 * comparison allows (AF_VSOCK loopback has no datagram transport).
 *
 * Include after kselftest_harness.h.
 */
#ifndef TOY_SELFTEST_FAMILIES_H
#define TOY_SELFTEST_FAMILIES_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <linux/af_toy.h>
#include <linux/sock_diag.h>
#include <linux/vm_sockets.h>

#include "toy_family.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* The families compared; AF_TOY's number is only known at run time. */
enum fam {
	FAM_UNIX,
	FAM_VSOCK,
	FAM_TOY,
};

static inline const char *fam_name(enum fam fam)
{
	switch (fam) {
	case FAM_UNIX:
		return "AF_UNIX";
	case FAM_VSOCK:
		return "AF_VSOCK";
	default:
		return "AF_TOY";
	}
}

/*
 * What a family does on the running kernel, where it changed between the
 * supported kernels (AF_VSOCK did: SIGPIPE in 6.3, SIOCOUTQ in 6.9,
 * SIOCINQ in 6.17). A variant gives such a field as BY_KERNEL(old, since,
 * new): @old before kernel @since (KV(major, minor)), @new from it on, or
 * BY_KERNEL3() for two changes; on_kernel() picks the one for this
 * kernel. A release named here is where the change landed upstream; the
 * tests check it on the supported kernels only. AF_TOY's own answers are
 * the same on every kernel: its variants say SAME_ON_ALL().
 */
struct by_kernel {
	int val[3];
	unsigned int since[3];
};

#define KV(major, minor)	((major) << 16 | (minor) << 8)
#define BY_KERNEL3(v0, s1, v1, s2, v2) \
	{ .val = { (v0), (v1), (v2) }, .since = { 0, (s1), (s2) } }
#define BY_KERNEL(v0, s1, v1)	BY_KERNEL3(v0, s1, v1, s1, v1)
#define SAME_ON_ALL(v)		BY_KERNEL(v, 0, v)

/* The running kernel's release as KV(major, minor), from uname(2). */
static inline unsigned int running_kernel(void)
{
	static unsigned int kv;
	unsigned int major = 0, minor = 0;
	struct utsname u;

	if (!kv && !uname(&u) && sscanf(u.release, "%u.%u", &major, &minor) == 2)
		kv = KV(major, minor);
	return kv;
}

static inline int on_kernel(struct by_kernel b)
{
	int i = 2;

	while (i > 0 && running_kernel() < b.since[i])
		i--;
	return b.val[i];
}

/* The family number for socket(2), or -1 when af_toy.ko is not loaded. */
static inline int fam_number(enum fam fam)
{
	switch (fam) {
	case FAM_UNIX:
		return AF_UNIX;
	case FAM_VSOCK:
		return AF_VSOCK;
	default:
		return toy_family();
	}
}

/*
 * FAMILY_OR_SKIP() - resolve @fam into @family, skipping the test (with the
 * reason) when af_toy.ko is not loaded on this machine.
 */
#define FAMILY_OR_SKIP(family, fam) do {					\
	(family) = fam_number(fam);						\
	if ((family) < 0)							\
		SKIP(return, "af_toy.ko is not loaded (%s: %s)",		\
		     TOY_FAMILY_PARAM, strerror(errno));			\
} while (0)

/*
 * SOCKET_OR_SKIP() - socket(@family, @type, 0) into @fd, or SKIP when the
 * family is AF_VSOCK, the type SOCK_DGRAM and the kernel says ENODEV: vsock
 * loopback has no datagram transport. Anything else that fails, fails.
 */
#define SOCKET_OR_SKIP(fd, family, type) do {					\
	(fd) = socket((family), (type), 0);					\
	if ((fd) < 0 && errno == ENODEV && (family) == AF_VSOCK &&		\
	    ((type) & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_DGRAM)		\
		SKIP(return, "AF_VSOCK loopback has no SOCK_DGRAM transport (socket() gives ENODEV)"); \
	ASSERT_LE(0, (fd)) TH_LOG("socket(%d, %d, 0): %s", (family), (type),	\
				   strerror(errno));				\
} while (0)

/*
 * fam_addr() - the address numbered @key in @fam, for bind or connect.
 * AF_UNIX gets an abstract name unique to this process and key, AF_VSOCK
 * port @key on the local CID (VMADDR_CID_ANY to bind), AF_TOY port @key.
 * Returns the address length.
 */
static inline socklen_t fam_addr(enum fam fam, int family, unsigned int key,
				 bool to_bind, struct sockaddr_storage *ss)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	struct sockaddr_vm *vm = (struct sockaddr_vm *)ss;
	struct sockaddr_toy *toy = (struct sockaddr_toy *)ss;
	int n;

	memset(ss, 0, sizeof(*ss));
	switch (fam) {
	case FAM_UNIX:
		un->sun_family = AF_UNIX;
		n = snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
			     "af_toy-selftest-%d-%u", getpid(), key);
		return offsetof(struct sockaddr_un, sun_path) + 1 + n;
	case FAM_VSOCK:
		vm->svm_family = AF_VSOCK;
		vm->svm_cid = to_bind ? VMADDR_CID_ANY : VMADDR_CID_LOCAL;
		vm->svm_port = key;
		return sizeof(*vm);
	default:
		toy->stoy_family = family;
		toy->stoy_port = key;
		return sizeof(*toy);
	}
}

/*
 * fam_addr_any() - the address asking the family for a free one: AF_UNIX
 * autobind (the family field alone), VMADDR_PORT_ANY, TOY_PORT_ANY.
 */
static inline socklen_t fam_addr_any(enum fam fam, int family,
				     struct sockaddr_storage *ss)
{
	socklen_t len = fam_addr(fam, family, 0, true, ss);

	switch (fam) {
	case FAM_UNIX:
		return sizeof(sa_family_t);
	case FAM_VSOCK:
		((struct sockaddr_vm *)ss)->svm_port = VMADDR_PORT_ANY;
		return len;
	default:
		((struct sockaddr_toy *)ss)->stoy_port = TOY_PORT_ANY;
		return len;
	}
}

/* A port number unlikely to be in use by another test process. */
static inline unsigned int test_port(void)
{
	return 20000 + getpid() % 40000;
}

/* socket(@family, @type, 0), which must work. */
static inline int fam_socket(struct __test_metadata *_metadata, int family,
			     int type)
{
	int fd = socket(family, type, 0);

	ASSERT_LE(0, fd) TH_LOG("socket(%d, %d): %s", family, type,
				strerror(errno));
	return fd;
}

/* A listener of @type on the address numbered test_port() + @key. */
static inline int fam_listen(struct __test_metadata *_metadata, enum fam fam,
			     int family, int type, unsigned int key,
			     int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = fam_addr(fam, family, test_port() + key, true, &ss);
	int fd = fam_socket(_metadata, family, type);

	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&ss, len))
		TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, listen(fd, backlog)) TH_LOG("listen: %s", strerror(errno));
	return fd;
}

/* connect(@fd) to the address numbered test_port() + @key: 0 or -1. */
static inline int fam_connect(enum fam fam, int family, int fd,
			      unsigned int key)
{
	struct sockaddr_storage ss;
	socklen_t len = fam_addr(fam, family, test_port() + key, false, &ss);

	return connect(fd, (struct sockaddr *)&ss, len);
}

/* The int socket option @name (SOL_SOCKET) of @fd, or -1. */
static inline int sockopt_int(int fd, int name)
{
	socklen_t len = sizeof(int);
	int val = -1;

	if (getsockopt(fd, SOL_SOCKET, name, &val, &len) || len != sizeof(int))
		return -1;
	return val;
}

/* The 64-bit socket option @name (SOL_SOCKET) of @fd, or 0. */
static inline uint64_t sockopt_u64(int fd, int name)
{
	socklen_t len = sizeof(uint64_t);
	uint64_t val = 0;

	if (getsockopt(fd, SOL_SOCKET, name, &val, &len) || len != sizeof(val))
		return 0;
	return val;
}

/* SO_MEMINFO field @what (SK_MEMINFO_*) of @fd, or -1. */
static inline long meminfo(int fd, int what)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len))
		return -1;
	return mem[what];
}

/*
 * OBSERVE() - record what this family did, for the behaviour matrix: a
 * "# observed: " line on stderr, which the harness prints between the
 * test's RUN line and its result. selftests/behaviour-matrix.sh turns
 * these into the cells of Documentation/behaviour-matrix.md; a test that
 * records nothing shows "yes" there when it passes. Only what is the same
 * on every run may be recorded: no ports, counts that vary, or times.
 */
#define OBSERVE(fmt, ...) fprintf(stderr, "# observed: " fmt "\n", ##__VA_ARGS__)

/* observed_errno() - OBSERVE() errno @e by name (or "0"), and return it. */
static inline int observed_errno(int e)
{
	if (e)
		OBSERVE("%s", strerrorname_np(e));
	else
		OBSERVE("success");
	return e;
}

/* OBSERVE() the poll(2) events among IN, OUT, RDHUP, HUP and ERR in @r. */
static inline void observe_poll(short r)
{
	OBSERVE("%s%s%s%s%s%s", r & POLLIN ? "POLLIN " : "",
		r & POLLOUT ? "POLLOUT " : "", r & POLLRDHUP ? "POLLRDHUP " : "",
		r & POLLHUP ? "POLLHUP " : "", r & POLLERR ? "POLLERR " : "",
		r ? "" : "no events");
}

/* OBSERVE() a yes/no outcome with the words that say it. */
#define OBSERVE_IF(cond, yes, no) OBSERVE("%s", (cond) ? (yes) : (no))

/* Fixture helpers: mark @n descriptors unused, close those in use. */
static inline void fds_init(int *fd, int n)
{
	while (n--)
		fd[n] = -1;
}

static inline void fds_close(int *fd, int n)
{
	while (n--)
		if (fd[n] >= 0)
			close(fd[n]);
}

/*
 * af_toy.ko's reference count: each sock and each open socket file holds
 * one. -1 without the module.
 */
static inline long toy_module_refs(void)
{
	FILE *f = fopen("/sys/module/af_toy/refcnt", "re");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/*
 * af_toy.ko's reference count once it is down to @want, or after @ms:
 * socks closed just before are freed after an RCU grace period or with
 * their namespace. -1 without the module.
 */
static inline long toy_module_refs_settle(long want, int ms)
{
	long n;

	for (;;) {
		n = toy_module_refs();
		if (n <= want || ms <= 0)
			return n;
		poll(NULL, 0, 10);
		ms -= 10;
	}
}

/* AF_TOY socks alive in the whole system, once they are 0 or after @ms. */
static inline long toy_sockets_settle(int ms)
{
	return toy_module_refs_settle(0, ms);
}

/* The number in environment variable @name, or @def when it is unset. */
static inline unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

/*
 * stream_pair() - a connected SOCK_STREAM pair of @fam through a listener
 * on the address numbered test_port() + @key: fd[0] the client, fd[1] the
 * accepted end. The listener is closed again.
 */
static inline void stream_pair(struct __test_metadata *_metadata, enum fam fam,
			       int family, unsigned int key, int fd[2])
{
	struct sockaddr_storage ss;
	socklen_t len;
	int l;

	l = socket(family, SOCK_STREAM, 0);
	ASSERT_LE(0, l) TH_LOG("socket: %s", strerror(errno));
	len = fam_addr(fam, family, test_port() + key, true, &ss);
	ASSERT_EQ(0, bind(l, (struct sockaddr *)&ss, len))
		TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, listen(l, 1));
	fd[0] = socket(family, SOCK_STREAM, 0);
	ASSERT_LE(0, fd[0]);
	len = fam_addr(fam, family, test_port() + key, false, &ss);
	ASSERT_EQ(0, connect(fd[0], (struct sockaddr *)&ss, len))
		TH_LOG("connect: %s", strerror(errno));
	fd[1] = accept(l, NULL, NULL);
	ASSERT_LE(0, fd[1]) TH_LOG("accept: %s", strerror(errno));
	close(l);
}

/* @len bytes of byte @fill, page-aligned (a mapping of its own), or NULL. */
static inline unsigned char *page_buf(size_t len, int fill)
{
	unsigned char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return NULL;
	memset(buf, fill, len);
	return buf;
}

/* Fill @buf with a pattern that tells every offset of every message apart. */
static inline void bulk_pattern(unsigned char *buf, size_t len,
				unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 31 + seed * 7 + i / 251);
}

/*
 * One @len-byte message through the connected pair, client @c to server
 * @s, by way of @buf: the reader has then read in bulk, and AF_TOY posts
 * its buffer to the next writer when it waits (one copy instead of two).
 */
static inline void bulk_warm_up(struct __test_metadata *_metadata, int c,
				int s, unsigned char *buf, size_t len)
{
	ASSERT_EQ((ssize_t)len, send(c, buf, len, 0));
	ASSERT_EQ((ssize_t)len, recv(s, buf, len, MSG_WAITALL));
}

#endif /* TOY_SELFTEST_FAMILIES_H */
