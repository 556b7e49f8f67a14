// SPDX-License-Identifier: GPL-2.0
/*
 * The tour that Documentation/tracing.rst is made of: a connection, a
 * byte through it, its close, and a dropped datagram, each step traced
 * with AF_TOY's tracepoints and printed as "# tour SECTION: EVENT FIELDS"
 * on stderr, unbuffered, as the harness's own lines are (the test runs in
 * a child that ends with _exit(), which would lose buffered stdout).
 *
 * Everything runs in one thread, in a network namespace of its own, so
 * the events come in the same order on every run and every kernel. The
 * lines are made comparable: the task, CPU and time of each line and the
 * namespace's cookie are left out, each socket cookie becomes the name of
 * its socket (L the listener, C the client, S the server's end, R the
 * datagram receiver, D its sender), and each port the kernel chose becomes
 * port(NAME). make trace prints the tour; make trace-guide writes it into
 * the guide, and make check fails when a run would write anything else.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "families.h"
#include "toy_nl.h"
#include "tracefs.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE	71
#endif

#define STREAM_PORT	7000
#define DGRAM_PORT	7001
#define MAX_NAMES	8
#define BIG_DGRAM	60000

/* What a number in a trace line stands for. */
struct names {
	int n;
	uint64_t val[MAX_NAMES];
	bool port[MAX_NAMES];
	char name[MAX_NAMES][16];
};

static void name_socket(struct names *nm, int fd, const char *name,
			bool port_too)
{
	snprintf(nm->name[nm->n], sizeof(nm->name[0]), "%s", name);
	nm->val[nm->n++] = cookie_of(fd);
	if (!port_too)
		return;
	snprintf(nm->name[nm->n], sizeof(nm->name[0]), "port(%s)", name);
	nm->port[nm->n] = true;
	nm->val[nm->n++] = toy_port_of(fd);
}

/*
 * The name of value @val of field @key in event @event, or NULL: cookie,
 * child and a reset's peer hold cookies; port, from and any other peer
 * hold ports.
 */
static const char *name_of(const struct names *nm, const char *event,
			   const char *key, const char *val)
{
	bool cookie = !strcmp(key, "cookie") || !strcmp(key, "child") ||
		      (!strcmp(key, "peer") && !strcmp(event, "toy_reset"));
	bool port = !strcmp(key, "port") || !strcmp(key, "from") ||
		    (!strcmp(key, "peer") && !cookie);
	uint64_t v = strtoull(val, NULL, 10);
	int i;

	for (i = 0; i < nm->n && (cookie || port); i++)
		if (v == nm->val[i] && nm->port[i] == port)
			return nm->name[i];
	return NULL;
}

/*
 * Print the af_toy events of namespace @netns in the buffer, as
 * "# tour @section: EVENT FIELDS", and empty the buffer. Returns how many.
 */
static int print_section(const char *dir, uint64_t netns,
			 const struct names *nm, const char *section)
{
	char path[256], line[512], want[48];
	int count = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	snprintf(want, sizeof(want), " netns=%" PRIu64 " ", netns);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, ": toy_"), *tok, *save, *event;

		if (!p || !strstr(line, want))
			continue;
		event = strtok_r(p + 2, ": \n", &save);
		fprintf(stderr, "# tour %s: %s", section, event);
		while ((tok = strtok_r(NULL, " \n", &save))) {
			char *eq = strchr(tok, '=');
			const char *name;

			if (!eq) {
				fprintf(stderr, " %s", tok);
				continue;
			}
			*eq = '\0';
			if (!strcmp(tok, "netns"))
				continue;
			name = name_of(nm, event, tok, eq + 1);
			fprintf(stderr, " %s=%s", tok, name ?: eq + 1);
		}
		fprintf(stderr, "\n");
		count++;
	}
	fclose(f);
	trace_write(dir, "trace", "");
	return count;
}

TEST(tour_of_a_connection_a_byte_and_a_drop)
{
	int family = toy_family(), l, c, s, r, d, rcvbuf = 1;
	static char big[BIG_DGRAM];
	struct names nm = {};
	const char *dir;
	uint64_t netns;
	char buf[4];

	if (family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	dir = tracefs();
	if (!*dir)
		SKIP(return, "no tracefs (mount: %s)", strerror(errno));
	ASSERT_EQ(0, trace_write(dir, "trace", ""));
	ASSERT_EQ(0, trace_enable(dir, "events/af_toy", true));

	/* a connection */
	l = toy_socket_bound(family, SOCK_STREAM, STREAM_PORT);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, listen(l, 1));
	c = socket(family, SOCK_STREAM, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, toy_connect_port(c, family, STREAM_PORT));
	s = accept(l, NULL, NULL);
	ASSERT_LE(0, s);
	netns = sockopt_u64(c, SO_NETNS_COOKIE);
	name_socket(&nm, l, "L", false);
	name_socket(&nm, c, "C", true);
	name_socket(&nm, s, "S", false);
	EXPECT_LT(0, print_section(dir, netns, &nm, "connection"));

	/* a byte through it, and back */
	ASSERT_EQ(1, send(c, "x", 1, 0));
	ASSERT_EQ(1, recv(s, buf, sizeof(buf), 0));
	EXPECT_LT(0, print_section(dir, netns, &nm, "byte"));

	/* the close, the client first */
	close(c);
	close(s);
	close(l);
	EXPECT_LT(0, print_section(dir, netns, &nm, "close"));

	/*
	 * A dropped datagram: a receiver with the smallest buffer takes any
	 * datagram while it is below its limit, so a byte and 60,000 bytes
	 * get in and the next byte is dropped, whatever the kernel's skb
	 * sizes are.
	 */
	r = toy_socket_bound(family, SOCK_DGRAM, DGRAM_PORT);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, setsockopt(r, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	d = socket(family, SOCK_DGRAM, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, toy_connect_port(d, family, DGRAM_PORT));
	name_socket(&nm, r, "R", false);
	name_socket(&nm, d, "D", true);
	ASSERT_EQ(1, send(d, "x", 1, 0));
	ASSERT_EQ(BIG_DGRAM, send(d, big, sizeof(big), 0));
	ASSERT_EQ(1, send(d, "y", 1, 0));
	close(r);
	close(d);
	EXPECT_LT(0, print_section(dir, netns, &nm, "drop"));
	EXPECT_EQ(0, trace_enable(dir, "events/af_toy", false));
}

TEST_HARNESS_MAIN
