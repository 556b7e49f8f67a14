// SPDX-License-Identifier: GPL-2.0
/*
 * bind(2) and getsockname(2) across AF_UNIX (abstract names), AF_VSOCK
 * (loopback) and AF_TOY: address checks, conflicts, ephemeral ports, and
 * which scopes a name lives in (socket type, network namespace).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "families.h"

FIXTURE(bind) {
	int family;
	int fd[2];
};

FIXTURE_VARIANT(bind) {
	enum fam fam;
	int type;
	int short_len;		/* errno of bind() with a 1-byte address */
	int bad_family;		/* errno of bind() with sa_family AF_INET */
	int other_netns;	/* errno of binding the same name in a new netns */
};

FIXTURE_VARIANT_ADD(bind, unix_stream) {
	.fam = FAM_UNIX, .type = SOCK_STREAM,
	.short_len = EINVAL, .bad_family = EINVAL,
};

FIXTURE_VARIANT_ADD(bind, unix_dgram) {
	.fam = FAM_UNIX, .type = SOCK_DGRAM,
	.short_len = EINVAL, .bad_family = EINVAL,
};

FIXTURE_VARIANT_ADD(bind, vsock_stream) {
	.fam = FAM_VSOCK, .type = SOCK_STREAM,
	.short_len = EINVAL, .bad_family = EINVAL,
	.other_netns = EADDRINUSE,	/* vsock ports are global */
};

FIXTURE_VARIANT_ADD(bind, vsock_dgram) {
	.fam = FAM_VSOCK, .type = SOCK_DGRAM,
	.short_len = EINVAL, .bad_family = EINVAL,
	.other_netns = EADDRINUSE,
};

FIXTURE_VARIANT_ADD(bind, toy_stream) {
	.fam = FAM_TOY, .type = SOCK_STREAM,
	.short_len = EINVAL, .bad_family = EAFNOSUPPORT,
};

FIXTURE_VARIANT_ADD(bind, toy_dgram) {
	.fam = FAM_TOY, .type = SOCK_DGRAM,
	.short_len = EINVAL, .bad_family = EAFNOSUPPORT,
};

FIXTURE_SETUP(bind)
{
	fds_init(self->fd, ARRAY_SIZE(self->fd));
}

FIXTURE_TEARDOWN(bind)
{
	fds_close(self->fd, ARRAY_SIZE(self->fd));
}

#define OPEN_OR_SKIP(i) do {							\
	FAMILY_OR_SKIP(self->family, variant->fam);				\
	SOCKET_OR_SKIP(self->fd[i], self->family, variant->type);		\
} while (0)

TEST_F(bind, getsockname_returns_bound_address)
{
	struct sockaddr_storage addr, got;
	socklen_t len, got_len = sizeof(got);

	OPEN_OR_SKIP(0);
	len = fam_addr(variant->fam, self->family, test_port(), true, &addr);
	ASSERT_EQ(0, bind(self->fd[0], (struct sockaddr *)&addr, len))
		TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(self->fd[0], (struct sockaddr *)&got, &got_len));
	EXPECT_EQ(len, got_len);
	EXPECT_EQ(0, memcmp(&addr, &got, len));
}

TEST_F(bind, same_address_twice_is_eaddrinuse)
{
	struct sockaddr_storage addr;
	socklen_t len;

	OPEN_OR_SKIP(0);
	OPEN_OR_SKIP(1);
	len = fam_addr(variant->fam, self->family, test_port(), true, &addr);
	ASSERT_EQ(0, bind(self->fd[0], (struct sockaddr *)&addr, len));
	EXPECT_EQ(-1, bind(self->fd[1], (struct sockaddr *)&addr, len));
	EXPECT_EQ(EADDRINUSE, observed_errno(errno));
}

TEST_F(bind, second_bind_is_einval)
{
	struct sockaddr_storage addr;
	socklen_t len;

	OPEN_OR_SKIP(0);
	len = fam_addr(variant->fam, self->family, test_port(), true, &addr);
	ASSERT_EQ(0, bind(self->fd[0], (struct sockaddr *)&addr, len));
	len = fam_addr(variant->fam, self->family, test_port() + 1, true, &addr);
	EXPECT_EQ(-1, bind(self->fd[0], (struct sockaddr *)&addr, len));
	EXPECT_EQ(EINVAL, observed_errno(errno));
}

TEST_F(bind, close_releases_address)
{
	struct sockaddr_storage addr;
	socklen_t len;

	OPEN_OR_SKIP(0);
	OPEN_OR_SKIP(1);
	len = fam_addr(variant->fam, self->family, test_port(), true, &addr);
	ASSERT_EQ(0, bind(self->fd[0], (struct sockaddr *)&addr, len));
	close(self->fd[0]);
	self->fd[0] = -1;
	EXPECT_EQ(0, bind(self->fd[1], (struct sockaddr *)&addr, len))
		TH_LOG("bind after close: %s", strerror(errno));
}

TEST_F(bind, any_address_gets_a_free_one)
{
	struct sockaddr_storage any, got[2];
	socklen_t len, got_len[2] = { sizeof(got[0]), sizeof(got[1]) };
	int i;

	OPEN_OR_SKIP(0);
	OPEN_OR_SKIP(1);
	len = fam_addr_any(variant->fam, self->family, &any);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, bind(self->fd[i], (struct sockaddr *)&any, len))
			TH_LOG("bind any: %s", strerror(errno));
		ASSERT_EQ(0, getsockname(self->fd[i], (struct sockaddr *)&got[i],
					 &got_len[i]));
		/* a real address now: longer than the family alone, not "any" */
		EXPECT_LT(sizeof(sa_family_t), got_len[i]);
		if (len > sizeof(sa_family_t))
			EXPECT_NE(0, memcmp(&any, &got[i], len));
	}
	/* and two of them differ */
	EXPECT_NE(0, memcmp(&got[0], &got[1], got_len[0]));
	if (variant->fam == FAM_TOY) {
		struct sockaddr_toy *toy = (struct sockaddr_toy *)&got[0];

		EXPECT_LT(TOY_PORT_PRIVILEGED_MAX, toy->stoy_port);
		EXPECT_NE(TOY_PORT_ANY, toy->stoy_port);
	}
}

TEST_F(bind, short_address)
{
	struct sockaddr_storage addr;

	OPEN_OR_SKIP(0);
	fam_addr(variant->fam, self->family, test_port(), true, &addr);
	EXPECT_EQ(-1, bind(self->fd[0], (struct sockaddr *)&addr, 1));
	EXPECT_EQ(variant->short_len, observed_errno(errno));
}

TEST_F(bind, foreign_family_in_address)
{
	struct sockaddr_storage addr;
	socklen_t len;

	OPEN_OR_SKIP(0);
	len = fam_addr(variant->fam, self->family, test_port(), true, &addr);
	addr.ss_family = AF_INET;
	EXPECT_EQ(-1, bind(self->fd[0], (struct sockaddr *)&addr, len));
	EXPECT_EQ(variant->bad_family, observed_errno(errno));
}

/* Bind the same name in a new network namespace, in a child process. */
TEST_F(bind, same_name_in_another_netns)
{
	struct sockaddr_storage addr;
	int status, fd, err;
	socklen_t len;
	pid_t pid;

	OPEN_OR_SKIP(0);
	if (geteuid() != 0)
		SKIP(return, "unshare(CLONE_NEWNET) needs root");
	len = fam_addr(variant->fam, self->family, test_port(), true, &addr);
	ASSERT_EQ(0, bind(self->fd[0], (struct sockaddr *)&addr, len));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET))
			_exit(255);
		fd = socket(self->family, variant->type, 0);
		err = fd < 0 ? 254 : bind(fd, (struct sockaddr *)&addr, len) ? errno : 0;
		_exit(err);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(variant->other_netns, observed_errno(WEXITSTATUS(status)));
}

/*
 * Names per socket type: AF_TOY ports and AF_UNIX abstract names are per
 * type (6.1 hashes abstract names with the type); AF_VSOCK cannot tell on
 * loopback, which has no dgram transport.
 */
FIXTURE(scope) {
	int fd[2];
};

FIXTURE_VARIANT(scope) {
	enum fam fam;
	int other_type;		/* errno of binding a dgram socket to a stream's name */
};

FIXTURE_VARIANT_ADD(scope, unix) {
	.fam = FAM_UNIX,
};

FIXTURE_VARIANT_ADD(scope, vsock) {
	.fam = FAM_VSOCK,
};

FIXTURE_VARIANT_ADD(scope, toy) {
	.fam = FAM_TOY,
};

FIXTURE_SETUP(scope)
{
	fds_init(self->fd, ARRAY_SIZE(self->fd));
}

FIXTURE_TEARDOWN(scope)
{
	fds_close(self->fd, ARRAY_SIZE(self->fd));
}

TEST_F(scope, stream_and_dgram_share_a_name)
{
	struct sockaddr_storage addr;
	socklen_t len;
	int family;

	FAMILY_OR_SKIP(family, variant->fam);
	SOCKET_OR_SKIP(self->fd[0], family, SOCK_STREAM);
	SOCKET_OR_SKIP(self->fd[1], family, SOCK_DGRAM);
	len = fam_addr(variant->fam, family, test_port(), true, &addr);
	ASSERT_EQ(0, bind(self->fd[0], (struct sockaddr *)&addr, len));
	if (variant->other_type) {
		EXPECT_EQ(-1, bind(self->fd[1], (struct sockaddr *)&addr, len));
		EXPECT_EQ(variant->other_type, observed_errno(errno));
	} else {
		EXPECT_EQ(0, observed_errno(bind(self->fd[1], (struct sockaddr *)&addr,
						 len) ? errno : 0));
	}
}

/* Numbered ports: AF_VSOCK and AF_TOY; AF_UNIX has names instead. */
FIXTURE(port) {
	int family;
	int fd;
};

FIXTURE_VARIANT(port) {
	enum fam fam;
	int type;
	int port_zero;		/* errno of binding port 0 */
	int reserved_set;	/* errno with the reserved field non-zero */
};

FIXTURE_VARIANT_ADD(port, vsock_stream) {
	.fam = FAM_VSOCK, .type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(port, toy_stream) {
	.fam = FAM_TOY, .type = SOCK_STREAM,
	.port_zero = EINVAL, .reserved_set = EINVAL,
};

FIXTURE_VARIANT_ADD(port, toy_dgram) {
	.fam = FAM_TOY, .type = SOCK_DGRAM,
	.port_zero = EINVAL, .reserved_set = EINVAL,
};

FIXTURE_SETUP(port)
{
	fds_init(&self->fd, 1);
}

FIXTURE_TEARDOWN(port)
{
	fds_close(&self->fd, 1);
}

static void expect_bind(struct __test_metadata *_metadata, int fd,
			struct sockaddr_storage *addr, socklen_t len, int err)
{
	if (err) {
		EXPECT_EQ(-1, bind(fd, (struct sockaddr *)addr, len));
		EXPECT_EQ(err, observed_errno(errno));
	} else {
		EXPECT_EQ(0, observed_errno(bind(fd, (struct sockaddr *)addr, len) ?
					    errno : 0));
	}
}

TEST_F(port, port_zero)
{
	struct sockaddr_storage addr;
	socklen_t len;

	FAMILY_OR_SKIP(self->family, variant->fam);
	SOCKET_OR_SKIP(self->fd, self->family, variant->type);
	len = fam_addr(variant->fam, self->family, 0, true, &addr);
	expect_bind(_metadata, self->fd, &addr, len, variant->port_zero);
}

TEST_F(port, reserved_field_set)
{
	struct sockaddr_storage addr;
	socklen_t len;

	FAMILY_OR_SKIP(self->family, variant->fam);
	SOCKET_OR_SKIP(self->fd, self->family, variant->type);
	len = fam_addr(variant->fam, self->family, test_port(), true, &addr);
	/* stoy_reserved and svm_reserved1 both follow the family field */
	((unsigned short *)&addr)[1] = 1;
	expect_bind(_metadata, self->fd, &addr, len, variant->reserved_set);
}

static int drop_effective_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, data);
}

TEST_F(port, privileged_port_needs_net_bind_service)
{
	struct sockaddr_storage addr;
	socklen_t len;

	FAMILY_OR_SKIP(self->family, variant->fam);
	SOCKET_OR_SKIP(self->fd, self->family, variant->type);
	ASSERT_EQ(0, drop_effective_cap(CAP_NET_BIND_SERVICE));

	len = fam_addr(variant->fam, self->family, 1023, true, &addr);
	expect_bind(_metadata, self->fd, &addr, len, EACCES);
	len = fam_addr(variant->fam, self->family, 1024, true, &addr);
	expect_bind(_metadata, self->fd, &addr, len, 0);
}

TEST_HARNESS_MAIN
