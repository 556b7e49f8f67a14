// SPDX-License-Identifier: GPL-2.0
/*
 * toystat, the command-line reader of the "af_toy" netlink family: its
 * JSON parses (with jq) and says what the netlink family says, its text
 * views list what is there, and its exit status tells errors apart.
 *
 * Each test runs in a network namespace of its own; toystat and jq are
 * found on PATH (the test VM has both in /toy/bin).
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "families.h"
#include "toy_nl.h"
#include "run_cmd.h"

#define PORT		7100
#define NOBODY		65534
#define OUT_MAX		65536

FIXTURE(toystat) {
	int family;
	struct toy_genl g;
	int fd[3];
	char out[OUT_MAX];
};

FIXTURE_SETUP(toystat)
{
	fds_init(self->fd, 3);
	self->family = toy_family();
	if (self->family < 0)
		SKIP(return, "af_toy.ko is not loaded");
	if (system("command -v toystat >/dev/null && command -v jq >/dev/null"))
		SKIP(return, "toystat or jq is not on PATH");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, toy_genl_open(&self->g));
}

FIXTURE_TEARDOWN(toystat)
{
	fds_close(self->fd, 3);
	toy_genl_close(&self->g);
}

#define RUN(cmd) run_as(-1, (cmd), self->out, sizeof(self->out))

TEST_F(toystat, json_summary_parses_and_matches_netlink)
{
	uint64_t v[6];
	struct toy_stats st;
	char buf[123] = {};

	ASSERT_EQ(0, toy_pair(self->family, SOCK_STREAM, PORT, self->fd));
	ASSERT_EQ(123, send(self->fd[0], buf, 123, 0));
	ASSERT_EQ(100, recv(self->fd[1], buf, 100, 0));

	ASSERT_EQ(0, RUN("toystat -j | jq -e -r '[.family, .stream.sockets, "
			 ".stream.tx_bytes, .stream.rx_bytes, .stream.established, "
			 ".dgram.drops] | @tsv'")) TH_LOG("%s", self->out);
	ASSERT_EQ(6, sscanf(self->out, "%" SCNu64 "%" SCNu64 "%" SCNu64
			    "%" SCNu64 "%" SCNu64 "%" SCNu64,
			    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]))
		TH_LOG("%s", self->out);

	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	EXPECT_EQ(st.family, v[0]);
	EXPECT_EQ(st.stream.val[TOY_TYPE_A_SOCKETS], v[1]);
	EXPECT_EQ(3ULL, v[1]);
	EXPECT_EQ(st.stream.val[TOY_TYPE_A_TX_BYTES], v[2]);
	EXPECT_EQ(123ULL, v[2]);
	EXPECT_EQ(100ULL, v[3]);
	EXPECT_EQ(1ULL, v[4]);
	EXPECT_EQ(0ULL, v[5]);
}

TEST_F(toystat, json_sockets_match_the_netlink_dump)
{
	uint64_t cookie, port, peer, rxq, txq, inode;
	struct sock_find f;
	char state[32], type[32];
	char buf[500] = {};
	char *line;
	int lines = 0;

	ASSERT_EQ(0, toy_pair(self->family, SOCK_STREAM, PORT, self->fd));
	ASSERT_EQ(500, send(self->fd[0], buf, 500, 0));

	ASSERT_EQ(0, RUN("toystat -j sockets type stream | jq -e -r '.[] | "
			 "[.cookie, .port, (.peer_port // \"-\"), .rx_queue, "
			 ".tx_queue, .inode, .state, .type] | @tsv'"))
		TH_LOG("%s", self->out);
	for (line = strtok(self->out, "\n"); line; line = strtok(NULL, "\n")) {
		char peer_s[32];

		ASSERT_EQ(8, sscanf(line, "%" SCNu64 "%" SCNu64 "%31s%" SCNu64
				    "%" SCNu64 "%" SCNu64 "%31s%31s", &cookie,
				    &port, peer_s, &rxq, &txq, &inode, state,
				    type)) TH_LOG("%s", line);
		lines++;
		memset(&f, 0, sizeof(f));
		f.cookie = cookie;
		ASSERT_EQ(0, toy_sock_dump(&self->g, 0, -1, sock_find_cb, &f));
		ASSERT_EQ(1U, f.seen) TH_LOG("cookie %" PRIu64, cookie);
		EXPECT_EQ(f.info.val[TOY_SOCK_A_PORT], port);
		EXPECT_EQ(f.info.val[TOY_SOCK_A_RX_QUEUE], rxq);
		EXPECT_EQ(f.info.val[TOY_SOCK_A_TX_QUEUE], txq);
		EXPECT_EQ(f.info.val[TOY_SOCK_A_INODE], inode);
		EXPECT_STREQ("stream", type);
		if (f.info.has[TOY_SOCK_A_PEER_PORT]) {
			peer = strtoull(peer_s, NULL, 10);
			EXPECT_EQ(f.info.val[TOY_SOCK_A_PEER_PORT], peer);
			EXPECT_STREQ("connected", state);
		} else {
			EXPECT_STREQ("-", peer_s);
			EXPECT_STREQ("listen", state);
		}
	}
	EXPECT_EQ(3, lines);

	/* the receiver's queue holds what was sent */
	ASSERT_EQ(0, RUN("toystat -j sockets | jq -e "
			 "'[.[] | select(.rx_queue == 500)] | length == 1'"))
		TH_LOG("%s", self->out);
}

TEST_F(toystat, every_view_prints_valid_json_even_when_empty)
{
	EXPECT_EQ(0, RUN("toystat -j | jq -e 'type == \"object\"'"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("toystat -j show | jq -e '.stream.sockets == 0'"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("toystat -j sockets | jq -e '. == []'"))
		TH_LOG("%s", self->out);
	/* -w: one document per refresh */
	EXPECT_EQ(0, RUN("toystat -j -w 1 -c 2 sockets | jq -s -e 'length == 2'"))
		TH_LOG("%s", self->out);
}

TEST_F(toystat, text_views_show_one_line_per_socket)
{
	int dgram;

	ASSERT_EQ(0, toy_pair(self->family, SOCK_STREAM, PORT, self->fd));
	dgram = toy_socket_bound(self->family, SOCK_DGRAM, PORT);
	ASSERT_LE(0, dgram);

	ASSERT_EQ(0, RUN("toystat sockets"));
	/* a header and four sockets */
	EXPECT_EQ(0, RUN("test $(toystat sockets | wc -l) = 5")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("test $(toystat sockets type dgram | wc -l) = 2"));
	EXPECT_EQ(0, RUN("toystat sockets port 7100 | grep -q LISTEN"));
	EXPECT_EQ(0, RUN("toystat | grep -q '^stream *3 '")) TH_LOG("%s", self->out);
	close(dgram);
}

TEST_F(toystat, seqpacket_has_its_row_its_type_and_its_json)
{
	char buf[3] = "abc";

	ASSERT_EQ(0, toy_pair(self->family, SOCK_SEQPACKET, PORT, self->fd));
	ASSERT_EQ(3, send(self->fd[0], buf, 3, 0));
	ASSERT_EQ(0, send(self->fd[0], buf, 0, 0));

	EXPECT_EQ(0, RUN("toystat | grep -q '^seqpacket *3 '")) TH_LOG("%s", self->out);
	/* the listener, the client, the accepted end */
	EXPECT_EQ(0, RUN("test $(toystat sockets type seqpacket | grep -c '^seqpacket ') = 3"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("toystat -j | jq -e '.seqpacket.tx_msgs == 2 and "
			 ".seqpacket.tx_bytes == 3 and .seqpacket.listening == 1 and "
			 "(.seqpacket | has(\"drops\") or has(\"direct_bytes\") | not)'"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("toystat -j sockets type seqpacket | jq -e "
			 "'[.[] | select(.rx_queue == 3)] | length == 1'"))
		TH_LOG("%s", self->out);
}

TEST_F(toystat, reset_zeroes_the_counters)
{
	struct toy_stats st;
	char byte = 0;

	ASSERT_EQ(0, toy_pair(self->family, SOCK_DGRAM, PORT, self->fd));
	ASSERT_EQ(1, send(self->fd[0], &byte, 1, 0));
	ASSERT_EQ(0, RUN("toystat reset")) TH_LOG("%s", self->out);
	EXPECT_STREQ("", self->out);
	ASSERT_EQ(0, toy_stats_get(&self->g, &st));
	EXPECT_EQ(0ULL, st.dgram.val[TOY_TYPE_A_TX_BYTES]);
}

TEST_F(toystat, reset_without_privilege_exits_1_saying_why)
{
	EXPECT_EQ(1, run_as(NOBODY, "toystat reset", self->out,
			    sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "CAP_NET_ADMIN")) TH_LOG("%s", self->out);
	/* reading needs no privilege */
	EXPECT_EQ(0, run_as(NOBODY, "toystat -j", self->out, sizeof(self->out)));
}

TEST_F(toystat, bad_usage_exits_1_with_a_message)
{
	static const char * const bad[] = {
		"toystat frobnicate",
		"toystat sockets type raw",
		"toystat sockets port -1",
		"toystat sockets port 4294967296",
		"toystat -w 0",
		"toystat -c 3",
		"toystat -w 1 reset",
		"toystat --bogus",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(1, RUN(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_NE(0U, strlen(self->out)) TH_LOG("%s printed nothing", bad[i]);
	}
}

TEST_F(toystat, help_exits_0_and_names_every_command)
{
	ASSERT_EQ(0, RUN("toystat --help"));
	EXPECT_NE(NULL, strstr(self->out, "sockets"));
	EXPECT_NE(NULL, strstr(self->out, "reset"));
	EXPECT_NE(NULL, strstr(self->out, "--json"));
	EXPECT_NE(NULL, strstr(self->out, "Exit status"));
}

TEST_HARNESS_MAIN
