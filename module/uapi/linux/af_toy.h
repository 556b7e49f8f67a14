/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * AF_TOY: a toy socket address family for same-host IPC.
 *
 * This header is the user-visible ABI of af_toy.ko. It is shared by the
 * module, the user tools and the selftests.
 */
#ifndef _UAPI_LINUX_AF_TOY_H
#define _UAPI_LINUX_AF_TOY_H

#include <linux/socket.h>
#include <linux/types.h>

/**
 * TOY_FAMILY_DEFAULT - address family number used when the module is loaded
 * without a ``family=`` parameter.
 *
 * 25 is the AF_WANPIPE slot, which no mainline kernel registers. The number
 * in use can be read from /sys/module/af_toy/parameters/family.
 */
#define TOY_FAMILY_DEFAULT	25

/**
 * TOY_PORT_ANY - bind or connect-time autobind to an ephemeral port.
 */
#define TOY_PORT_ANY		0xFFFFFFFFU

/**
 * TOY_PORT_PRIVILEGED_MAX - highest port that needs CAP_NET_BIND_SERVICE in
 * the socket's network namespace; binding 1..TOY_PORT_PRIVILEGED_MAX without
 * it fails with EACCES. Port 0 is never valid (EINVAL).
 */
#define TOY_PORT_PRIVILEGED_MAX	1023U

/**
 * TOY_DGRAM_MAX - largest SOCK_DGRAM payload in bytes; larger sends fail
 * with EMSGSIZE.
 */
#define TOY_DGRAM_MAX		65535U

/**
 * struct sockaddr_toy - an AF_TOY socket address
 * @stoy_family: the family number in use (see %TOY_FAMILY_DEFAULT)
 * @stoy_reserved: must be 0, else EINVAL
 * @stoy_port: port in host byte order; %TOY_PORT_ANY asks for an ephemeral
 *	port, 0 is invalid
 * @stoy_zero: pads the structure to sizeof(struct sockaddr); ignored
 *
 * Port spaces are per network namespace and per socket type.
 */
struct sockaddr_toy {
	__kernel_sa_family_t	stoy_family;
	__u16			stoy_reserved;
	__u32			stoy_port;
	__u8			stoy_zero[8];
};

#endif /* _UAPI_LINUX_AF_TOY_H */
