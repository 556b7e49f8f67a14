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
#include <poll.h>
#include <signal.h>

#include "kselftest_harness.h"
#include "families.h"
#include "blocking.h"
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
		"toystat monitor event bogus",
		"toystat monitor event created,",
		"toystat monitor type raw",
		"toystat -w 1 monitor",
		"toystat impair set loss 101%",
		"toystat impair set loss 20",
		"toystat impair set loss 0.00001%",
		"toystat impair set delay 10",
		"toystat impair set delay 1.5us",
		"toystat impair set delay -1ms",
		"toystat impair set bogus 1",
		"toystat impair set limit 0",
		"toystat impair set loss",
		"toystat impair clear now",
		"toystat -w 1 impair set loss 1%",
		"toystat impair set",
		"toystat impair set delay 0.0000001s",
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
	EXPECT_NE(NULL, strstr(self->out, "monitor"));
	EXPECT_NE(NULL, strstr(self->out, "impair set"));
	EXPECT_NE(NULL, strstr(self->out, "--json"));
	EXPECT_NE(NULL, strstr(self->out, "Exit status"));
}

/* ---- toystat impair ---- */

TEST_F(toystat, impair_set_show_and_clear)
{
	struct toy_impair imp;

	ASSERT_EQ(0, RUN("toystat impair set loss 20% duplicate 0.5% delay 10ms jitter 2ms reorder 25% limit 500 seed 42"))
		TH_LOG("%s", self->out);
	EXPECT_STREQ("", self->out);
	ASSERT_EQ(0, toy_impair_get(&self->g, &imp));
	EXPECT_EQ(200000U, imp.loss);
	EXPECT_EQ(5000U, imp.duplicate);
	EXPECT_EQ(10000U, imp.delay_us);
	EXPECT_EQ(2000U, imp.jitter_us);
	EXPECT_EQ(250000U, imp.reorder);
	EXPECT_EQ(500U, imp.limit);
	EXPECT_EQ(42ULL, imp.seed);

	ASSERT_EQ(0, RUN("toystat impair"));
	EXPECT_NE(NULL, strstr(self->out, "loss 20% duplicate 0.5% delay 10ms jitter 2ms reorder 25% limit 500 seed 42"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("toystat -j impair show | jq -e '.loss_ppm == 200000 and .duplicate_ppm == 5000 and .delay_us == 10000 and .jitter_us == 2000 and .reorder_ppm == 250000 and .limit == 500 and .seed == 42 and .held == 0'"))
		TH_LOG("%s", self->out);

	ASSERT_EQ(0, RUN("toystat impair clear"));
	ASSERT_EQ(0, toy_impair_get(&self->g, &imp));
	EXPECT_EQ(0U, imp.loss + imp.duplicate + imp.delay_us + imp.reorder);
	ASSERT_EQ(0, RUN("toystat impair"));
	EXPECT_STREQ("no impairments\n", self->out);
}

TEST_F(toystat, impair_set_without_privilege_exits_1_saying_why)
{
	EXPECT_EQ(1, run_as(NOBODY, "toystat impair set loss 1%", self->out,
			    sizeof(self->out)));
	EXPECT_NE(NULL, strstr(self->out, "CAP_NET_ADMIN")) TH_LOG("%s", self->out);
	/* reading needs no privilege */
	EXPECT_EQ(0, run_as(NOBODY, "toystat -j impair", self->out,
			    sizeof(self->out)));
}

/* A setting toystat cannot read is named in its message. */
TEST_F(toystat, impair_set_names_the_setting_it_cannot_use)
{
	EXPECT_EQ(1, RUN("toystat impair set loss 20% delay 10"));
	EXPECT_NE(NULL, strstr(self->out, "\"delay 10\"")) TH_LOG("%s", self->out);
	EXPECT_EQ(1, RUN("toystat impair set delay 1.0000009s"));
	EXPECT_NE(NULL, strstr(self->out, "\"delay 1.0000009s\"")) TH_LOG("%s", self->out);
}

/* What the kernel refuses comes back with its reason. */
TEST_F(toystat, impair_settings_the_kernel_refuses_exit_1_with_its_message)
{
	EXPECT_EQ(1, RUN("toystat impair set delay 1ms jitter 2ms"));
	EXPECT_NE(NULL, strstr(self->out, "jitter exceeds the delay"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(1, RUN("toystat impair set reorder 10%"));
	EXPECT_NE(NULL, strstr(self->out, "reordering needs a delay"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(1, RUN("toystat impair set delay 11s"));
	EXPECT_NE(NULL, strstr(self->out, "toystat:")) TH_LOG("%s", self->out);
}

/* The counters of each impairment, in the summary's JSON and its table. */
TEST_F(toystat, impairment_counters_are_shown)
{
	char byte = 0;
	int i;

	ASSERT_EQ(0, toy_pair(self->family, SOCK_DGRAM, PORT, self->fd));
	ASSERT_EQ(0, RUN("toystat impair set loss 100% seed 1"));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(1, send(self->fd[0], &byte, 1, 0));
	ASSERT_EQ(0, RUN("toystat impair set duplicate 100% delay 1ms seed 1"));
	ASSERT_EQ(1, send(self->fd[0], &byte, 1, 0));
	EXPECT_EQ(0, RUN("toystat -j | jq -e '.dgram.impair_drops == 3 and .dgram.duplicated == 1 and .dgram.delayed == 2 and .dgram.reordered == 0'"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, RUN("toystat"));
	EXPECT_NE(NULL, strstr(self->out, "ImpDrops")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "Delayed")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "Reordered")) TH_LOG("%s", self->out);
}

/* ---- toystat monitor ---- */

/**
 * struct monitor - a `toystat monitor` running beside the test
 * @pid: its process
 * @out: the read end of its stdout and stderr
 * @text: what it printed so far
 * @len: bytes in @text
 */
struct monitor {
	pid_t pid;
	int out;
	char text[OUT_MAX];
	size_t len;
};

/*
 * Read what @m printed, waiting up to @ms for the first bytes and then
 * taking what follows at once; with @to_eof, waiting up to @ms in all
 * for the end of its output instead. What does not fit in @m->text is
 * read and dropped, so that the monitor never blocks.
 */
static void monitor_read_more(struct monitor *m, int ms, bool to_eof)
{
	long deadline = now_ms() + ms;
	char buf[4096];
	size_t fit;
	ssize_t n;

	while (poll_for(m->out, POLLIN, ms) & (POLLIN | POLLHUP)) {
		n = read(m->out, buf, sizeof(buf));
		if (n <= 0)
			break;
		fit = sizeof(m->text) - 1 - m->len;
		if (fit > (size_t)n)
			fit = n;
		memcpy(m->text + m->len, buf, fit);
		m->len += fit;
		m->text[m->len] = '\0';
		ms = to_eof ? deadline - now_ms() : 0;
		if (ms < 0)
			break;
	}
}

static void monitor_read(struct monitor *m, int ms)
{
	monitor_read_more(m, ms, false);
}

/*
 * Start `toystat ARGS` (ending in monitor and its filters), and return
 * once it shows events: @marker(), which must make an event the filters
 * let through, runs until then. Returns 0, or -1 when it never did.
 */
static int monitor_start(struct monitor *m, char *const argv[],
			 void (*marker)(int family), int family)
{
	int p[2], i;

	memset(m, 0, sizeof(*m));
	if (pipe(p))
		return -1;
	m->pid = fork();
	if (m->pid < 0)
		return -1;
	if (m->pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		execvp("toystat", argv);
		_exit(127);
	}
	close(p[1]);
	m->out = p[0];
	/* it has joined once the first marker's event comes out */
	for (i = 0; i < WAKE_MS / 100 && !m->len; i++) {
		marker(family);
		monitor_read(m, 100);
	}
	return m->len ? 0 : -1;
}

/* Stop @m with SIGINT and read the rest; its exit status, or -1. */
static int monitor_stop(struct monitor *m)
{
	int status;

	kill(m->pid, SIGINT);
	/* all it still prints: closing the pipe early would kill it */
	monitor_read_more(m, WAKE_MS, true);
	close(m->out);
	while (waitpid(m->pid, &status, 0) != m->pid)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		fprintf(stderr, "# toystat killed by signal %d\n", WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A dgram socket made and closed: two events. */
static void dgram_marker(int family)
{
	close(socket(family, SOCK_DGRAM, 0));
}

/* A dgram socket bound to any port, and closed. */
static void bind_marker(int family)
{
	close(toy_socket_bound(family, SOCK_DGRAM, TOY_PORT_ANY));
}

/* A stream listener on PORT, made and closed. */
static void listen_marker(int family)
{
	int fd = toy_socket_bound(family, SOCK_STREAM, PORT);

	if (fd >= 0)
		listen(fd, 1);
	close(fd);
}

/*
 * The "event" of each line of @text whose type is @type, space-separated,
 * into @seq.
 */
static void events_of_type(const char *text, const char *type, char *seq,
			   size_t size)
{
	char event[32], t[16];
	const char *line;
	size_t used = 0;

	seq[0] = '\0';
	for (line = text; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (sscanf(line, "{\"event\":\"%31[^\"]\",\"type\":\"%15[^\"]\"",
			   event, t) == 2 && !strcmp(t, type) && used < size)
			used += snprintf(seq + used, size - used, "%s%s",
					 used ? " " : "", event);
	}
}

TEST_F(toystat, monitor_prints_a_json_line_per_event_in_order)
{
	char *const argv[] = { "toystat", "-j", "monitor", NULL };
	struct monitor m;
	char seq[512];
	FILE *f;

	ASSERT_EQ(0, monitor_start(&m, argv, dgram_marker, self->family))
		TH_LOG("toystat monitor showed nothing: %s", m.text);
	ASSERT_EQ(0, toy_pair(self->family, SOCK_STREAM, PORT, self->fd));
	ASSERT_EQ(1, send(self->fd[0], "x", 1, 0));
	fds_close(self->fd, 3);
	/* the end: one more marker, then stop */
	dgram_marker(self->family);
	monitor_read(&m, 500);
	EXPECT_EQ(0, monitor_stop(&m)) TH_LOG("%s", m.text);
	events_of_type(m.text, "stream", seq, sizeof(seq));
	/* fds_close() goes from the listener to the client, which the
	 * accepted end resets: it closes with the byte unread
	 */
	EXPECT_STREQ("created bound listening created bound connected accepted closed closed reset closed",
		     seq) TH_LOG("%s", m.text);
	/* every line is a JSON document of its own */
	f = fopen("/tmp/toystat-monitor.json", "w");
	ASSERT_NE(NULL, f);
	fputs(m.text, f);
	fclose(f);
	EXPECT_EQ(0, RUN("jq -s -e '[.[] | select(.event == \"closed\" and .type == \"stream\")] | length == 3 and (map(.tx_bytes) | add) == 1' /tmp/toystat-monitor.json >/dev/null"))
		TH_LOG("%s", self->out);
	unlink("/tmp/toystat-monitor.json");
}

TEST_F(toystat, monitor_filters_by_type_port_and_event)
{
	char *const argv[] = { "toystat", "-j", "monitor", "type", "stream",
			       "port", "7100", "event", "listening", NULL };
	char want[128], *line;
	struct monitor m;
	unsigned int lines = 0;
	int other;

	ASSERT_EQ(0, monitor_start(&m, argv, listen_marker, self->family))
		TH_LOG("toystat monitor showed nothing: %s", m.text);
	/* none of these passes the filters */
	other = toy_socket_bound(self->family, SOCK_STREAM, PORT + 1);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, listen(other, 1));
	close(other);
	other = toy_socket_bound(self->family, SOCK_DGRAM, PORT);
	ASSERT_LE(0, other);
	close(other);
	ASSERT_EQ(0, toy_pair(self->family, SOCK_SEQPACKET, PORT, self->fd));
	fds_close(self->fd, 3);
	/* this one does, and ends the test */
	listen_marker(self->family);
	monitor_read(&m, 500);
	EXPECT_EQ(0, monitor_stop(&m)) TH_LOG("%s", m.text);
	snprintf(want, sizeof(want),
		 "{\"event\":\"listening\",\"type\":\"stream\",\"state\":\"listen\",\"port\":%d,",
		 PORT);
	for (line = strtok(m.text, "\n"); line; line = strtok(NULL, "\n")) {
		EXPECT_EQ(line, strstr(line, want)) TH_LOG("%s", line);
		lines++;
	}
	EXPECT_LE(1U, lines);
}

/*
 * Sockets made and closed while the monitor is stopped: two events each,
 * several times what its receive buffer (1 MiB asked, capped by
 * net.core.rmem_max) holds.
 */
#define MONITOR_FLOOD	4000

TEST_F_TIMEOUT(toystat, monitor_that_falls_behind_says_so_and_exits_3, 180)
{
	/* it prints few lines: the flood's events are read and filtered */
	char *const argv[] = { "toystat", "-j", "monitor", "event", "bound",
			       NULL };
	struct monitor m;
	int i;

	ASSERT_EQ(0, monitor_start(&m, argv, bind_marker, self->family))
		TH_LOG("toystat monitor showed nothing: %s", m.text);
	/* stopped, it reads nothing while the events pile up */
	ASSERT_EQ(0, kill(m.pid, SIGSTOP));
	for (i = 0; i < MONITOR_FLOOD; i++)
		dgram_marker(self->family);
	ASSERT_EQ(0, kill(m.pid, SIGCONT));
	monitor_read(&m, 500);
	EXPECT_EQ(3, monitor_stop(&m));
	EXPECT_NE(NULL, strstr(m.text, "{\"event\":\"lost\"}"))
		TH_LOG("no loss reported in %zu bytes", m.len);
}

TEST_HARNESS_MAIN
