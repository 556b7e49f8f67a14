// SPDX-License-Identifier: GPL-2.0
/*
 * toyperf, the benchmark: every workload runs for every family, its JSON
 * (checked with jq) holds what its table shows, its ratios are the
 * medians of per-round ratios, and its exit status tells errors apart.
 *
 * The rounds are made very short: these tests check what toyperf reports,
 * not how fast anything is. One run of the whole matrix is shared by the
 * tests that read it (RESULTS, made by the first test that needs it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "families.h"
#include "run_cmd.h"

#define OUT_MAX		65536
#define RESULTS		"/tmp/toyperf-selftest.json"
#define TABLE		"/tmp/toyperf-selftest.md"
/* every workload, small: 5 rounds of 20 ms, no warm-up */
#define MATRIX		"toyperf -q -t 0.02 -w 0 crowd=1,100 stream=4096,65536 " \
			"pingpong=64 records=4096 seqpingpong=64 dgram=64 connect " \
			"parallel=1,2"
/* The matrix takes about 20 s in the test VM; the harness default is 30. */
#define MATRIX_TIMEOUT	120

FIXTURE(toyperf) {
	char out[OUT_MAX];
};

FIXTURE_SETUP(toyperf)
{
	if (toy_family() < 0)
		SKIP(return, "af_toy.ko is not loaded");
	if (system("command -v toyperf >/dev/null && command -v jq >/dev/null"))
		SKIP(return, "toyperf or jq is not on PATH");
}

FIXTURE_TEARDOWN(toyperf)
{
}

#define RUN(cmd) run_as(-1, (cmd), self->out, sizeof(self->out))

/*
 * Run the shared matrix once; 0 when its results are there. They are
 * renamed into place only when toyperf succeeded, so a run cut short
 * never leaves half a file for the next test.
 */
static int matrix(char *out, size_t size)
{
	if (!access(RESULTS, R_OK) && !access(TABLE, R_OK))
		return 0;
	return run_as(-1, MATRIX " --json " RESULTS ".new > " TABLE ".new && "
		      "mv " RESULTS ".new " RESULTS " && mv " TABLE ".new " TABLE,
		      out, size);
}

/* jq -e FILTER on the shared results: 0 when it yields true. */
#define JQ(filter) RUN("jq -e '" filter "' " RESULTS " >/dev/null")

TEST_F_TIMEOUT(toyperf, json_has_every_family_and_point, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	EXPECT_EQ(0, JQ(".config.families | map(.name) == [\"toy\",\"unix\",\"vsock\",\"inet\"]"));
	/* in toyperf's order of workloads, whatever the command line's */
	EXPECT_EQ(0, JQ("[.points[] | \"\\(.workload)=\\(.param)\"] == "
			"[\"stream=4096\",\"stream=65536\",\"pingpong=64\","
			"\"records=4096\",\"seqpingpong=64\",\"dgram=64\",\"connect=1\",\"parallel=1\",\"parallel=2\","
			"\"crowd=1\",\"crowd=100\"]")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, JQ(".config.rounds == 5 and .system.kernel != \"\" and .system.cpus > 0"));
}

TEST_F_TIMEOUT(toyperf, every_measured_cell_has_five_positive_rounds, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	/*
	 * dropped datagrams may be none, and so may CPU time outside
	 * toyperf's threads; every other figure is positive
	 */
	if (JQ("[.points[].metrics[] | select(.name != \"dropped\" and .name != \"cpu_elsewhere\")"
	       " | .families[] | select(.skipped | not)"
	       " | (.rounds | length == 5 and all(. > 0)) and .median > 0]"
	       " | length > 0 and all")) {
		/* name the cells, or the failure says nothing */
		RUN("jq -r '.points[] | . as $p | .metrics[]"
		    " | select(.name != \"dropped\" and .name != \"cpu_elsewhere\")"
		    " | . as $m | .families | to_entries[] | select(.value.skipped | not)"
		    " | select(.value.rounds | length != 5 or any(. <= 0))"
		    " | \"\\($p.workload)=\\($p.param) \\($m.name) \\(.key): \\(.value.rounds)\"' "
		    RESULTS);
		TH_LOG("cells with a round that is not positive:\n%s", self->out);
		EXPECT_TRUE(false);
	}
}

TEST_F_TIMEOUT(toyperf, every_timed_point_reports_cpu_per_unit_of_work, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	/* the last two metrics, in the unit of the workload's work */
	EXPECT_EQ(0, JQ("[.points[] | .metrics[-2:] | map(.name) == [\"cpu\", \"cpu_elsewhere\"]]"
			" | length == 11 and all")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, JQ("[.points[] | \"\\(.workload) \\(.metrics[-1].unit)\"] | unique"
			" == [\"connect us/conn\", \"crowd us/conn\", \"dgram us/msg\","
			" \"parallel s/GiB\", \"pingpong us/rtt\", \"records s/GiB\","
			" \"seqpingpong us/rtt\", \"stream s/GiB\"]"))
		TH_LOG("%s", self->out);
	/* round by round, the part elsewhere is part of the whole */
	EXPECT_EQ(0, JQ("[.points[] | .metrics[-2] as $cpu | .metrics[-1] as $out"
			" | $cpu.families | keys[] as $f"
			" | select($cpu.families[$f].rounds)"
			" | [$cpu.families[$f].rounds, $out.families[$f].rounds] | transpose[]"
			" | .[0] > 0 and .[1] >= 0 and .[1] <= .[0]] | length > 0 and all"))
		TH_LOG("%s", self->out);
}

/*
 * AF_VSOCK's loopback connects through a kernel worker: the CPU time it
 * burns there is charged to AF_VSOCK, and shows as time elsewhere, which
 * AF_UNIX's connect has almost none of (5% against 50% measured on 6.1).
 * Rounds of 0.3 s: /proc/stat counts in 10 ms steps.
 */
TEST_F_TIMEOUT(toyperf, vsock_worker_time_is_charged_to_vsock, MATRIX_TIMEOUT)
{
	int vsock = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (vsock < 0)
		SKIP(return, "no AF_VSOCK stream sockets here: %s", strerror(errno));
	close(vsock);
	EXPECT_EQ(0, RUN("toyperf -q -j -f unix,vsock -t 0.3 -w 0 connect"
			 " | jq -e '.points[0].metrics as [$rate, $cpu, $out]"
			 " | ($out.families.vsock.median / $cpu.families.vsock.median) as $v"
			 " | ($out.families.unix.median / $cpu.families.unix.median) as $u"
			 " | \"vsock \\($v), unix \\($u)\" | debug"
			 " | $v >= 0.2 and $u < $v / 2'")) TH_LOG("%s", self->out);
}

/*
 * A family whose socket fails a round (AF_VSOCK's reader gets ENOBUFS
 * for 64-byte records at full speed on 6.12 and 7.3) fails that point,
 * with the reason, and exit status 3; the other families and points are
 * measured all the same. Before, toyperf ended at the first such error.
 */
TEST_F_TIMEOUT(toyperf, a_family_failing_a_point_is_reported_and_the_rest_measured,
	       MATRIX_TIMEOUT)
{
	int rc, vsock = socket(AF_VSOCK, SOCK_SEQPACKET, 0);

	if (vsock < 0)
		SKIP(return, "no AF_VSOCK seqpacket sockets here: %s", strerror(errno));
	close(vsock);
	rc = RUN("toyperf -q -f unix,vsock -r 5 -t 0.3 -w 0 records=64 connect"
		 " --json /tmp/toyperf-failed.json > /tmp/toyperf-failed.md");
	if (rc == 0)
		SKIP(return, "AF_VSOCK delivers 64-byte records at full speed on this kernel (6.1 does): nothing fails");
	ASSERT_EQ(3, rc) TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("jq -e '.points[0].metrics | all(.families.vsock.failed"
			 " | test(\"^round 1: read: \"))' /tmp/toyperf-failed.json"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("jq -e '(.points[0].metrics[0].families.unix.rounds | length == 5)"
			 " and (.points[1].metrics[0].families.vsock.median > 0)'"
			 " /tmp/toyperf-failed.json")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("grep -q '^| 64 B | .* | failed |$' /tmp/toyperf-failed.md &&"
			 " grep -q '^AF_VSOCK failed records 64 B: round 1: read: ' /tmp/toyperf-failed.md"))
		TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(toyperf, vsock_dgram_is_skipped_with_the_reason, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	EXPECT_EQ(0, JQ(".points[] | select(.workload == \"dgram\") | .metrics[0]"
			" | .families.vsock.skipped == \"No such device\""
			" and (.families.toy.median > 0)"));
	EXPECT_EQ(0, RUN("grep -q 'AF_VSOCK: no SOCK_DGRAM here (No such device)' " TABLE));
}

TEST_F_TIMEOUT(toyperf, seqpacket_is_measured_for_all_but_tcp, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	EXPECT_EQ(0, JQ("[.points[] | select(.workload == \"records\" or"
			" .workload == \"seqpingpong\") | .metrics[0].families"
			" | (.inet.skipped | type == \"string\") and .toy.median > 0"
			" and .unix.median > 0 and .vsock.median > 0]"
			" | length == 2 and all")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("grep -q 'TCP/UDP: no SOCK_SEQPACKET here' " TABLE));
}

TEST_F_TIMEOUT(toyperf, ratio_is_the_median_of_the_per_round_ratios, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	EXPECT_EQ(0, JQ("def median: sort | if length % 2 == 1 then .[length / 2 | floor]"
			" else (.[length / 2 - 1] + .[length / 2]) / 2 end;"
			" [.points[].metrics[].families | .unix.rounds as $u"
			" | to_entries[] | select(.value.rounds and ($u | all(. > 0)))"
			" | .value as $c | [range(5) | $c.rounds[.] / $u[.]] | median"
			" | (. - $c.ratio_to_unix) | fabs < 1e-4 * ($c.ratio_to_unix + 1e-9) + 1e-6]"
			" | length > 0 and all")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, JQ("[.points[].metrics[].families.unix | select(.rounds | all(. > 0))"
			" | .ratio_to_unix == 1] | length > 0 and all"));
}

TEST_F_TIMEOUT(toyperf, dgram_sent_is_received_plus_dropped, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	/* per round and family; AF_UNIX blocks its sender and drops nothing */
	EXPECT_EQ(0, JQ(".points[] | select(.workload == \"dgram\") | .metrics as [$r, $s, $d]"
			" | [$r.families | keys[] as $f | select($r.families[$f].rounds)"
			" | range(5) as $i | $s.families[$f].rounds[$i] - $r.families[$f].rounds[$i]"
			" - $d.families[$f].rounds[$i] | fabs < 1]"
			" | length == 15 and all")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, JQ(".points[] | select(.workload == \"dgram\") | .metrics[2].families.unix.median == 0"));
}

TEST_F_TIMEOUT(toyperf, pingpong_p99_is_not_below_p50, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	EXPECT_EQ(0, JQ(".points[] | select(.workload == \"pingpong\") | .metrics as [$p50, $p99]"
			" | [$p50.families | keys[] as $f | range(5) as $i"
			" | $p99.families[$f].rounds[$i] >= $p50.families[$f].rounds[$i]]"
			" | length == 20 and all"));
}

/*
 * Without AF_VSOCK, whose loopback keeps closed sockets for seconds (the
 * workload waits for them every round; make bench measures it). Each of
 * the 15 rounds may wait up to 20 s for freed objects to settle: under
 * KASAN, whose quarantine holds them back, it can take all of that (the
 * 7.3 debug kernel did), so this test may run far longer than the others.
 */
#define MEMORY_TIMEOUT	(15 * 20 + 60)

TEST_F_TIMEOUT(toyperf, memory_is_kernel_bytes_per_pair, MEMORY_TIMEOUT)
{
	/* two sockets, their inodes and files: more than 1 KiB, far below 64 */
	EXPECT_EQ(0, RUN("toyperf -q -j -t 0.02 -w 0 -f toy,unix,inet memory=300"
			 " | jq -e '.points[0].metrics[0].families"
			 " | [.[].median | . > 1024 and . < 65536] | length == 3 and all'"))
		TH_LOG("%s", self->out);
}

TEST_F_TIMEOUT(toyperf, targets_compare_ratio_with_goal, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	/* those whose points the matrix measures: not records=65536 */
	EXPECT_EQ(0, JQ(".targets | length == 10 and all(.met == (if .goal == \">=\""
			" then .ratio >= .limit else .ratio <= .limit end))"))
		TH_LOG("%s", self->out);
	/* the stream target reads the ratio the stream point reports */
	EXPECT_EQ(0, JQ("(.points[] | select(.workload == \"stream\" and .param == 65536)"
			" | .metrics[0].families.toy.ratio_to_unix) as $r"
			" | .targets[0].ratio == $r"));
	/* and the CPU target the ratio of the stream point's "cpu" */
	EXPECT_EQ(0, JQ("(.points[] | select(.workload == \"stream\" and .param == 65536)"
			" | .metrics[] | select(.name == \"cpu\") | .families.toy.ratio_to_unix) as $r"
			" | .targets[] | select(.target | startswith(\"stream CPU\")) | .ratio == $r"));
}

TEST_F_TIMEOUT(toyperf, table_shows_the_json_medians, MATRIX_TIMEOUT)
{
	ASSERT_EQ(0, matrix(self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	/* the AF_UNIX cell of the 4 KiB row of the stream table */
	EXPECT_EQ(0, RUN("cell=$(awk -F'|' '/^## Stream throughput/ { on = 1 }"
			 " on && $2 == \" 4 KiB \" { print $4; exit }' " TABLE ");"
			 " echo \"cell: $cell\";"
			 " jq -e --argjson c \"$cell\" '.points[]"
			 " | select(.workload == \"stream\" and .param == 4096)"
			 " | .metrics[0].families.unix.median | . - $c | fabs <= 0.01 * $c + 0.01' "
			 RESULTS)) TH_LOG("%s", self->out);
	/*
	 * a table per metric: stream 1, pingpong 2, records 1, seqpingpong
	 * 2, dgram 3, connect 1, parallel 1, crowd 2; one of CPU time for
	 * each of those 8 workloads; and the targets
	 */
	EXPECT_EQ(0, RUN("test $(grep -c '^## ' " TABLE ") = 22")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("grep -c '^## .*: CPU time' " TABLE " | grep -qx 8")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, RUN("grep -q 'only those ratios' " TABLE));
}

TEST_F(toyperf, json_on_stdout_with_j)
{
	EXPECT_EQ(0, RUN("toyperf -q -j -f toy,unix -t 0.02 -w 0 connect | jq -e '.points | length == 1'"))
		TH_LOG("%s", self->out);
}

TEST_F(toyperf, bad_usage_exits_1_with_a_message)
{
	static const char *const bad[] = {
		"toyperf -f toy,nosuch connect",
		"toyperf nosuch",
		"toyperf stream=0",
		"toyperf stream=64,x",
		"toyperf dgram=70000",
		"toyperf -r 4 connect",
		"toyperf -r 5.5 connect",
		"toyperf -t 0 connect",
		"toyperf -w -1 connect",
		"toyperf --nosuch",
		"toyperf --json /nonexistent/dir/x.json -f toy -t 0.01 connect",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(1, RUN(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_NE(NULL, strstr(self->out, "toyperf: ")) TH_LOG("%s: %s", bad[i], self->out);
	}
	EXPECT_EQ(0, RUN("toyperf --help"));
	EXPECT_NE(NULL, strstr(self->out, "crowd"));
	EXPECT_EQ(0, RUN("toyperf -V"));
}

TEST_HARNESS_MAIN
