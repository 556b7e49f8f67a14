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
#include <string.h>
#include <sys/socket.h>
#include <linux/af_toy.h>

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

#endif /* TOY_SELFTEST_FAMILIES_H */
