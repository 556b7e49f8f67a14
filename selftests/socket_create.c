// SPDX-License-Identifier: GPL-2.0
/*
 * socket(2) across AF_UNIX, AF_VSOCK and AF_TOY: which types and protocols
 * each family accepts and what the created socket reports about itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "families.h"

/* One fixture per family and type, for what every type must do alike. */
FIXTURE(create) {
	int family;
	int fd;
};

FIXTURE_VARIANT(create) {
	enum fam fam;
	int type;
	/* errno of socket(family, type, family): 0 when the family allows it */
	int own_number_as_protocol;
};

FIXTURE_VARIANT_ADD(create, unix_stream) {
	.fam = FAM_UNIX, .type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(create, unix_dgram) {
	.fam = FAM_UNIX, .type = SOCK_DGRAM,
};

FIXTURE_VARIANT_ADD(create, vsock_stream) {
	.fam = FAM_VSOCK, .type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(create, vsock_dgram) {
	.fam = FAM_VSOCK, .type = SOCK_DGRAM,
};

FIXTURE_VARIANT_ADD(create, toy_stream) {
	.fam = FAM_TOY, .type = SOCK_STREAM,
	.own_number_as_protocol = EPROTONOSUPPORT,
};

FIXTURE_VARIANT_ADD(create, toy_dgram) {
	.fam = FAM_TOY, .type = SOCK_DGRAM,
	.own_number_as_protocol = EPROTONOSUPPORT,
};

FIXTURE_SETUP(create)
{
	fds_init(&self->fd, 1);
}

FIXTURE_TEARDOWN(create)
{
	fds_close(&self->fd, 1);
}


TEST_F(create, socket_reports_family_type_and_protocol)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	SOCKET_OR_SKIP(self->fd, self->family, variant->type);

	EXPECT_EQ(self->family, sockopt_int(self->fd, SO_DOMAIN));
	EXPECT_EQ(variant->type, sockopt_int(self->fd, SO_TYPE));
	EXPECT_EQ(0, sockopt_int(self->fd, SO_PROTOCOL));
}

TEST_F(create, nonblock_and_cloexec_flags_apply)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	SOCKET_OR_SKIP(self->fd, self->family,
		       variant->type | SOCK_NONBLOCK | SOCK_CLOEXEC);

	EXPECT_TRUE(fcntl(self->fd, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(variant->type, sockopt_int(self->fd, SO_TYPE));
}

TEST_F(create, unknown_protocol_is_eprotonosupport)
{
	FAMILY_OR_SKIP(self->family, variant->fam);

	self->fd = socket(self->family, variant->type, 99);
	EXPECT_EQ(-1, self->fd);
	EXPECT_EQ(EPROTONOSUPPORT, observed_errno(errno));
}

/*
 * AF_UNIX and AF_VSOCK accept their own family number as the protocol;
 * AF_TOY has one protocol per type and accepts only 0.
 */
TEST_F(create, family_number_as_protocol)
{
	FAMILY_OR_SKIP(self->family, variant->fam);

	self->fd = socket(self->family, variant->type, self->family);
	if (variant->own_number_as_protocol) {
		EXPECT_EQ(-1, self->fd);
		EXPECT_EQ(variant->own_number_as_protocol, observed_errno(errno));
		return;
	}
	if (self->fd < 0 && errno == ENODEV && variant->fam == FAM_VSOCK)
		SKIP(return, "AF_VSOCK loopback has no SOCK_DGRAM transport (socket() gives ENODEV)");
	ASSERT_LE(0, self->fd) TH_LOG("socket: %s", strerror(errno));
	OBSERVE("created");
	EXPECT_EQ(variant->type, sockopt_int(self->fd, SO_TYPE));
}

/* One fixture per family, for the types a family does or does not offer. */
FIXTURE(family) {
	int family;
	int fd;
};

FIXTURE_VARIANT(family) {
	enum fam fam;
	/* errno of socket() for each type; 0 when it creates a socket */
	int seqpacket;
	int raw;
	int rdm;
	/* SO_TYPE of a SOCK_RAW socket when the family creates one */
	int raw_becomes;
};

FIXTURE_VARIANT_ADD(family, unix) {
	.fam = FAM_UNIX,
	.raw_becomes = SOCK_DGRAM,	/* unix_create() maps RAW to DGRAM */
	.rdm = ESOCKTNOSUPPORT,
};

FIXTURE_VARIANT_ADD(family, vsock) {
	.fam = FAM_VSOCK,
	.raw = ESOCKTNOSUPPORT,
	.rdm = ESOCKTNOSUPPORT,
};

FIXTURE_VARIANT_ADD(family, toy) {
	.fam = FAM_TOY,
	.raw = ESOCKTNOSUPPORT,
	.rdm = ESOCKTNOSUPPORT,
};

FIXTURE_SETUP(family)
{
	fds_init(&self->fd, 1);
}

FIXTURE_TEARDOWN(family)
{
	fds_close(&self->fd, 1);
}

static void check_type(struct __test_metadata *_metadata, int family,
		       int type, int expect_errno, int expect_type)
{
	int fd = socket(family, type, 0);

	if (expect_errno) {
		EXPECT_EQ(-1, fd);
		EXPECT_EQ(expect_errno, observed_errno(errno));
	} else {
		ASSERT_LE(0, fd) TH_LOG("socket(%d, %d): %s", family, type,
					strerror(errno));
		OBSERVE_IF(sockopt_int(fd, SO_TYPE) == type, "created",
			   "created as another type");
		EXPECT_EQ(expect_type, sockopt_int(fd, SO_TYPE));
	}
	if (fd >= 0)
		close(fd);
}

TEST_F(family, seqpacket)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	check_type(_metadata, self->family, SOCK_SEQPACKET, variant->seqpacket,
		   SOCK_SEQPACKET);
}

TEST_F(family, raw)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	check_type(_metadata, self->family, SOCK_RAW, variant->raw,
		   variant->raw_becomes);
}

TEST_F(family, rdm)
{
	FAMILY_OR_SKIP(self->family, variant->fam);
	check_type(_metadata, self->family, SOCK_RDM, variant->rdm, SOCK_RDM);
}

TEST_HARNESS_MAIN
