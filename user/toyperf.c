// SPDX-License-Identifier: GPL-2.0
/*
 * toyperf: AF_TOY measured next to AF_UNIX, AF_VSOCK (loopback) and TCP or
 * UDP over 127.0.0.1, in one run on one machine.
 *
 *   toyperf [-f FAMILIES] [-r ROUNDS] [-t SECONDS] [--json FILE]
 *           [WORKLOAD[=P1,P2,...]]...
 *
 * Each point (a workload with one parameter) runs a warm-up round per
 * family, then ROUNDS measured rounds in which the families take turns,
 * so that every family sees the same machine. A point reports the median
 * of the rounds and, next to it, the median of the per-round ratios to
 * AF_UNIX: on an emulated or shared machine only those ratios mean
 * anything.
 *
 * Exit status: 0 when everything was measured, 1 on an error, 2 when
 * af_toy.ko is not loaded, 3 when a family failed a point (its socket gave
 * an error; the rest is measured and printed).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/vm_sockets.h>

#include "toy_family.h"
#include "toyperf.h"

#define TOYPERF_VERSION		"1"
#define EXIT_NOT_LOADED		2
#define EXIT_FAILED_POINT	3
#define TP_MIN_ROUNDS		5
#define TP_MAX_ROUNDS		1000
#define TP_MAX_POINTS		64
#define TP_UNIX			1	/* index of AF_UNIX in tp_families */
#define TP_LARGEST		-1	/* a target's parameter: the largest */
#define TP_CPU			-1	/* a target's metric: "cpu" */
#define TP_DESC_MAX		128
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#ifndef AF_VSOCK
#define AF_VSOCK		40
#endif

static const char tp_note[] =
	"Rounds of the families alternate; each figure is the median of the "
	"rounds, and (N.NNx) the median of the per-round ratios to AF_UNIX. "
	"Under emulation (QEMU TCG) or on a shared machine only those ratios "
	"mean anything, not the raw figures. CPU is the busy time of all "
	"CPUs during a round per unit of work; \"elsewhere\" is the part of "
	"it spent outside toyperf's threads (kernel workers, interrupts).";

static struct tp_family tp_families[] = {
	{ .name = "toy",	.label = "AF_TOY" },
	{ .name = "unix",	.label = "AF_UNIX",	.domain = AF_UNIX },
	{ .name = "vsock",	.label = "AF_VSOCK",	.domain = AF_VSOCK },
	{ .name = "inet",	.label = "TCP/UDP",	.domain = AF_INET },
};

#define TP_NFAMILIES	ARRAY_SIZE(tp_families)

/**
 * struct tp_point - one workload at one parameter, and what it measured
 * @w: the workload
 * @param: its parameter
 * @seq: its place on the command line
 * @v: per family, metric and round, the measured value; the workload's
 *	own metrics first, then "cpu" and "cpu_elsewhere" when it has them;
 *	NULL for a family not measured, or that failed
 * @failed: per family, NULL, or why it failed the point (which round, and
 *	the error); its values are then dropped and its later rounds not run
 */
struct tp_point {
	const struct tp_workload *w;
	long param;
	int seq;
	double *v[TP_NFAMILIES][TP_MAX_METRICS];
	char *failed[TP_NFAMILIES];
};

/**
 * struct tp_target - a goal AF_TOY is held to
 * @desc: what it says; a %ld in it is replaced by the parameter
 * @workload: the workload it reads
 * @param: at which parameter; TP_LARGEST for the largest one measured
 * @metric: which metric; TP_CPU for "cpu"
 * @base_param: 0 to compare with AF_UNIX at @param; otherwise compare
 *	with AF_TOY itself at this parameter
 * @limit: the ratio to reach
 * @at_most: the ratio must be at most @limit, else at least
 * @stretch: a stretch goal, reported but not required
 */
struct tp_target {
	const char *desc;
	const char *workload;
	long param;
	int metric;
	long base_param;
	double limit;
	bool at_most;
	bool stretch;
};

static const struct tp_target tp_targets[] = {
	{ "stream throughput, 64 KiB writes, vs AF_UNIX", "stream", 65536, 0, 0, 1.0, false, false },
	{ "stream throughput, 1 MiB writes, vs AF_UNIX", "stream", 1048576, 0, 0, 1.0, false, false },
	{ "stream throughput, 64 KiB writes, vs AF_UNIX (stretch)", "stream", 65536, 0, 0, 1.3, false, true },
	{ "stream throughput, 1 MiB writes, vs AF_UNIX (stretch)", "stream", 1048576, 0, 0, 1.3, false, true },
	{ "sendfile throughput, 1 MiB chunks, vs AF_UNIX", "sendfile", 1048576, 0, 0, 1.0, false, false },
	{ "stream CPU per GiB, 64 KiB writes, vs AF_UNIX", "stream", 65536, TP_CPU, 0, 0.9, true, false },
	{ "stream CPU per GiB, 1 MiB MSG_ZEROCOPY writes, vs AF_UNIX's plain ones", "zerocopy", 1048576, TP_CPU, 0, 0.6, true, false },
	{ "ping-pong p50, 64 B, vs AF_UNIX (1.1x its rate)", "pingpong", 64, 0, 0, 1 / 1.1, true, false },
	{ "seqpacket records, 64 KiB, vs AF_UNIX", "records", 65536, 0, 0, 1.0, false, false },
	{ "seqpacket ping-pong p50, 64 B, vs AF_UNIX", "seqpingpong", 64, 0, 0, 1.0, true, false },
	{ "datagrams received, 64 B, vs AF_UNIX", "dgram", 64, 0, 0, 1.2, false, false },
	{ "connection rate vs AF_UNIX", "connect", 1, 0, 0, 1.0, false, false },
	{ "bind cost, %ld open vs 1 open", "crowd", TP_LARGEST, 0, 1, 1.5, true, false },
	{ "connect cost, %ld open vs 1 open", "crowd", TP_LARGEST, 1, 1, 1.5, true, false },
	{ "2 parallel pairs vs 1 pair", "parallel", 2, 0, 1, 1.7, false, false },
	{ "kernel memory per idle pair (%ld pairs) vs AF_UNIX", "memory", TP_LARGEST, 0, 0, 1.0, true, false },
};

static bool tp_use[TP_NFAMILIES];
static struct tp_point tp_points[TP_MAX_POINTS];
static int tp_npoints;
static int tp_rounds = TP_MIN_ROUNDS;
static double tp_round_s = 0.5;
static double tp_warmup_s = 0.1;
static const char *tp_label = "";
static bool tp_quiet;

static void usage(FILE *f)
{
	int i;

	fprintf(f,
		"Usage: toyperf [OPTIONS] [WORKLOAD[=P1,P2,...]]...\n"
		"Measure AF_TOY next to AF_UNIX, AF_VSOCK (loopback) and TCP/UDP over\n"
		"127.0.0.1, and print a Markdown table of medians with ratios to AF_UNIX.\n"
		"\n"
		"Options:\n"
		"  -f, --families LIST  comma-separated, from toy,unix,vsock,inet (default: all)\n"
		"  -r, --rounds N       measured rounds per point, at least %d (default %d)\n"
		"  -t, --time SECONDS   length of one round (default %.1f)\n"
		"  -w, --warmup SECONDS unmeasured round per family first, 0 for none (default %.1f)\n"
		"      --json FILE      also write the results as JSON to FILE\n"
		"  -j                   print JSON instead of the table\n"
		"  -l, --label TEXT     describe the machine in the output\n"
		"  -q, --quiet          no progress on standard error\n"
		"  -h, --help           this help\n"
		"  -V, --version        the version\n"
		"\n"
		"Workloads, in the order they run, with their default parameters:\n",
		TP_MIN_ROUNDS, TP_MIN_ROUNDS, tp_round_s, tp_warmup_s);
	for (i = 0; i < tp_nworkloads; i++) {
		const struct tp_workload *w = &tp_workloads[i];
		int p;

		fprintf(f, "  %-9s %s;", w->name, w->title);
		for (p = 0; p < w->nparams; p++)
			fprintf(f, "%s%ld", p ? "," : " ", w->params[p]);
		fprintf(f, " (%s%s%s)\n", w->param_name[0] ? w->param_name : "unused",
			w->param_unit[0] ? ", " : "", w->param_unit);
	}
	fprintf(f,
		"With no WORKLOAD, all of them run. Every workload but memory also reports\n"
		"its CPU time: all CPUs' busy time per unit of work (per GiB, round trip,\n"
		"datagram or connection), and the part of it outside toyperf's threads.\n"
		"Exit status: 0 on success, 1 on an error, 2 when af_toy.ko is not loaded,\n"
		"3 when a family failed a point (a socket error; the rest is printed).\n");
}

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "toyperf: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'toyperf --help'.\n");
	exit(1);
}

static double parse_seconds(const char *s, const char *what, double min)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > 3600)
		usage_error(what, s);
	return v;
}

static int parse_rounds(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < TP_MIN_ROUNDS || v > TP_MAX_ROUNDS)
		usage_error("rounds '%s': give a whole number from 5 to 1000", s);
	return v;
}

static void parse_families(char *list)
{
	char *name, *save = NULL;
	size_t i;

	memset(tp_use, 0, sizeof(tp_use));
	for (name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < TP_NFAMILIES; i++)
			if (!strcmp(name, tp_families[i].name))
				break;
		if (i == TP_NFAMILIES)
			usage_error("unknown family '%s' (toy, unix, vsock or inet)",
				    name);
		tp_use[i] = true;
	}
}

static const struct tp_workload *find_workload(const char *name)
{
	int i;

	for (i = 0; i < tp_nworkloads; i++)
		if (!strcmp(name, tp_workloads[i].name))
			return &tp_workloads[i];
	return NULL;
}

static void add_point(const struct tp_workload *w, long param)
{
	if (tp_npoints == TP_MAX_POINTS)
		usage_error("more than %s points", "64");
	tp_points[tp_npoints].w = w;
	tp_points[tp_npoints].param = param;
	tp_points[tp_npoints].seq = tp_npoints;
	tp_npoints++;
}

/* "stream" or "stream=64,4096": the workload's points. */
static void parse_workload(char *arg)
{
	char *eq = strchr(arg, '='), *p, *end, *save = NULL;
	const struct tp_workload *w;
	long v;
	int i;

	if (eq)
		*eq = '\0';
	w = find_workload(arg);
	if (!w)
		usage_error("unknown workload '%s'", arg);
	if (!eq) {
		for (i = 0; i < w->nparams; i++)
			add_point(w, w->params[i]);
		return;
	}
	for (p = strtok_r(eq + 1, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		errno = 0;
		v = strtol(p, &end, 0);
		if (errno || end == p || *end || v < 1 || v > w->max_param)
			usage_error("parameter '%s' is out of the workload's range", p);
		add_point(w, v);
	}
}

/* By workload, in tp_workloads[] order; stable within one workload. */
static int cmp_point(const void *a, const void *b)
{
	const struct tp_point *x = a, *y = b;

	if (x->w != y->w)
		return x->w < y->w ? -1 : 1;
	return x->seq - y->seq;
}

static int family_index(const struct tp_family *f)
{
	return f - tp_families;
}

static bool measurable(const struct tp_family *f, const struct tp_workload *w)
{
	return tp_use[family_index(f)] &&
	       !f->why_not[tp_type_index(w->type)];
}

/* Family @fam failed @pt in @round (-1: the warm-up) for @why. */
static void fail(struct tp_point *pt, int fam, int round, const char *why)
{
	int m, n;

	if (round < 0)
		n = asprintf(&pt->failed[fam], "warm-up round: %s", why);
	else
		n = asprintf(&pt->failed[fam], "round %d: %s", round + 1, why);
	if (n < 0)
		tp_die("out of memory");
	for (m = 0; m < TP_MAX_METRICS; m++) {
		free(pt->v[fam][m]);
		pt->v[fam][m] = NULL;
	}
	if (!tp_quiet)
		fprintf(stderr, "toyperf: %s %ld: %s failed in %s\n",
			pt->w->name, pt->param, tp_families[fam].label,
			pt->failed[fam]);
}

static double *slot(struct tp_point *pt, int fam, int metric)
{
	if (!pt->v[fam][metric]) {
		pt->v[fam][metric] = calloc(tp_rounds, sizeof(double));
		if (!pt->v[fam][metric])
			tp_die("out of memory");
	}
	return pt->v[fam][metric];
}

/* ----- CPU time ----- */

/**
 * struct tp_cpu_time - CPU time used so far, in seconds
 * @busy: by the whole machine: every CPU's time less its idle time
 * @self: by this process's threads
 */
struct tp_cpu_time {
	double busy;
	double self;
};

/*
 * The kernel measures idle time exactly (nohz idle accounting), where it
 * only samples user and system time at the tick; so busy time is taken as
 * CPUs times elapsed time less idle and iowait time, whose only error is
 * /proc/stat's unit (USER_HZ, 10 ms over all CPUs). The process's own time,
 * from its CPU clock, is exact.
 */
static void cpu_time(struct tp_cpu_time *t)
{
	static long cpus, hz;
	unsigned long long idle, iowait;
	struct timespec ts;
	FILE *f;

	if (!cpus) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		hz = sysconf(_SC_CLK_TCK);
	}
	f = fopen("/proc/stat", "re");
	if (!f)
		tp_die("/proc/stat: %s", strerror(errno));
	if (fscanf(f, "cpu %*u %*u %*u %llu %llu", &idle, &iowait) != 2)
		tp_die("/proc/stat: no cpu line to read idle time from");
	t->busy = cpus * tp_now() - (double)(idle + iowait) / hz;
	fclose(f);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	t->self = ts.tv_sec + ts.tv_nsec / 1e9;
}

/* How many metrics @w's points have: its own, then the CPU ones. */
static int nmetrics(const struct tp_workload *w)
{
	return w->nmetrics + (w->cpu.unit ? TP_CPU_METRICS : 0);
}

static bool is_cpu(const struct tp_workload *w, int m)
{
	return m == w->nmetrics && w->cpu.unit;
}

static bool is_cpu_elsewhere(const struct tp_workload *w, int m)
{
	return m == w->nmetrics + 1 && w->cpu.unit;
}

/* Metric @m of @w's points. */
static struct tp_metric metric(const struct tp_workload *w, int m)
{
	if (is_cpu(w, m))
		return (struct tp_metric){ "cpu", w->cpu.unit, true };
	if (is_cpu_elsewhere(w, m))
		return (struct tp_metric){ "cpu_elsewhere", w->cpu.unit, true };
	return w->metrics[m];
}

/*
 * One round, and what it cost: the machine's busy time while it ran (both
 * ends, and whatever the family made the kernel do elsewhere: softirqs,
 * vsock's loopback worker), per unit of work. The part outside toyperf's
 * own threads is reported too; rounding can make the machine's figure
 * fall short of the process's exact one, and then the process's counts.
 */
static void run_round(struct tp_point *pt, const struct tp_family *f,
		      void *state, double secs, int round)
{
	const struct tp_workload *w = pt->w;
	struct tp_result res = { .work = 0 };
	struct tp_cpu_time t0, t1;
	double busy, self;
	int fam = family_index(f), m;

	if (pt->failed[fam])
		return;
	cpu_time(&t0);
	w->run(f, pt->param, secs, state, &res);
	cpu_time(&t1);
	if (res.failed[0]) {
		fail(pt, fam, round, res.failed);
		return;
	}
	if (round < 0)
		return;
	for (m = 0; m < w->nmetrics; m++)
		slot(pt, fam, m)[round] = res.vals[m];
	if (!w->cpu.unit)
		return;
	if (res.work <= 0)
		tp_die("%s %ld (%s): a round did no work", w->name, pt->param,
		       f->label);
	self = t1.self - t0.self;
	busy = fmax(t1.busy - t0.busy, self);
	slot(pt, fam, w->nmetrics)[round] = busy * w->cpu.scale / res.work;
	slot(pt, fam, w->nmetrics + 1)[round] = (busy - self) * w->cpu.scale /
						res.work;
}

/*
 * All rounds of one point. Interleaved: a warm-up round per family, then
 * round r lets every family run once, starting with family r (mod n), so
 * that no family always runs first.
 */
static void run_point(struct tp_point *pt)
{
	const struct tp_workload *w = pt->w;
	void *state[TP_NFAMILIES] = { NULL };
	int order[TP_NFAMILIES], n = 0, r, i;
	double start = tp_now();

	for (i = 0; i < (int)TP_NFAMILIES; i++)
		if (measurable(&tp_families[i], w))
			order[n++] = i;
	for (i = 0; i < n; i++)
		if (w->setup)
			state[order[i]] = w->setup(&tp_families[order[i]], pt->param);

	if (w->interleaved) {
		for (i = 0; tp_warmup_s > 0 && i < n; i++)
			run_round(pt, &tp_families[order[i]], state[order[i]],
				  tp_warmup_s, -1);
		for (r = 0; r < tp_rounds; r++)
			for (i = 0; i < n; i++) {
				int fam = order[(r + i) % n];

				run_round(pt, &tp_families[fam], state[fam],
					  tp_round_s, r);
			}
	} else {
		for (i = 0; i < n; i++)
			for (r = 0; r < tp_rounds; r++)
				run_round(pt, &tp_families[order[i]],
					  state[order[i]], tp_round_s, r);
	}

	for (i = 0; i < n; i++)
		if (w->teardown)
			w->teardown(state[order[i]]);
	if (!tp_quiet)
		fprintf(stderr, "toyperf: %s %ld: %d rounds of %d families in %.1f s\n",
			w->name, pt->param, tp_rounds, n, tp_now() - start);
}

static double median(const double *v, int n)
{
	double *s = malloc(n * sizeof(*s));
	double m;

	if (!s)
		tp_die("out of memory");
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), tp_cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

/* The median of family @fam's per-round ratios to AF_UNIX, or NAN. */
static double ratio_to_unix(const struct tp_point *pt, int fam, int metric)
{
	const double *a = pt->v[fam][metric], *u = pt->v[TP_UNIX][metric];
	double ratio[TP_MAX_ROUNDS];
	int r, n = 0;

	if (!a || !u)
		return NAN;
	for (r = 0; r < tp_rounds; r++)
		if (u[r] > 0)
			ratio[n++] = a[r] / u[r];
	return n ? median(ratio, n) : NAN;
}

/* The point of @workload at @param (TP_LARGEST: the largest), or NULL. */
static const struct tp_point *find_point(const char *workload, long param)
{
	const struct tp_point *found = NULL;
	int i;

	for (i = 0; i < tp_npoints; i++) {
		const struct tp_point *pt = &tp_points[i];

		if (strcmp(pt->w->name, workload))
			continue;
		if (pt->param == param)
			return pt;
		if (param == TP_LARGEST && (!found || pt->param > found->param))
			found = pt;
	}
	return found;
}

/* @t's description for the point it reads. */
static const char *target_desc(const struct tp_target *t)
{
	static char desc[TP_DESC_MAX];
	const struct tp_point *pt = find_point(t->workload, t->param);

	snprintf(desc, sizeof(desc), t->desc, pt ? pt->param : 0L);
	return desc;
}

/* The ratio a target reads, or NAN when its points were not measured. */
static double target_ratio(const struct tp_target *t)
{
	const struct tp_point *pt = find_point(t->workload, t->param), *base;
	int m = pt && t->metric == TP_CPU ? pt->w->nmetrics : t->metric;
	const double *v = pt ? pt->v[0][m] : NULL;

	if (!v)
		return NAN;
	if (!t->base_param)
		return ratio_to_unix(pt, 0, m);
	base = find_point(t->workload, t->base_param);
	if (!base || base == pt || !base->v[0][m])
		return NAN;
	return median(v, tp_rounds) / median(base->v[0][m], tp_rounds);
}

static bool target_met(const struct tp_target *t, double ratio)
{
	return t->at_most ? ratio <= t->limit : ratio >= t->limit;
}

/* ----- the machine ----- */

struct tp_system {
	struct utsname uts;
	long cpus;
	long mem_kib;
	char cpu_model[128];
	bool hypervisor;
};

static void read_system(struct tp_system *s)
{
	char line[4096];
	FILE *f;

	memset(s, 0, sizeof(*s));
	uname(&s->uts);
	s->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	f = fopen("/proc/meminfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemTotal: %ld kB", &s->mem_kib) == 1)
				break;
		fclose(f);
	}
	f = fopen("/proc/cpuinfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (!colon)
				continue;
			if (!strncmp(line, "model name", 10) && !s->cpu_model[0])
				snprintf(s->cpu_model, sizeof(s->cpu_model), "%.*s",
					 (int)strcspn(colon + 2, "\n"), colon + 2);
			if (!strncmp(line, "flags", 5) && strstr(colon, " hypervisor"))
				s->hypervisor = true;
		}
		fclose(f);
	}
}

/* ----- the table ----- */

static void print_value(FILE *f, double v)
{
	if (v >= 100)
		fprintf(f, "%.0f", v);
	else if (v >= 10)
		fprintf(f, "%.1f", v);
	else
		fprintf(f, "%.2f", v);
}

static void print_param(FILE *f, const struct tp_point *pt)
{
	const struct tp_workload *w = pt->w;

	if (!w->param_name[0])
		fputs("all", f);
	else if (!strcmp(w->param_unit, "B") && pt->param >= 1024 &&
		 pt->param % 1024 == 0)
		fprintf(f, pt->param >= 1048576 && pt->param % 1048576 == 0 ?
			"%ld MiB" : "%ld KiB", pt->param >= 1048576 &&
			pt->param % 1048576 == 0 ? pt->param / 1048576 :
			pt->param / 1024);
	else
		fprintf(f, "%ld%s%s", pt->param, w->param_unit[0] ? " " : "",
			w->param_unit);
}

/*
 * The cell of family @fam for metric @m of @pt: the median, the ratio to
 * AF_UNIX, and after "cpu" the median of "cpu_elsewhere".
 */
static void print_cell(FILE *f, const struct tp_point *pt, size_t fam, int m)
{
	double ratio;

	if (pt->failed[fam]) {
		fputs(" failed |", f);
		return;
	}
	if (!pt->v[fam][m]) {
		fputs(" n/a |", f);
		return;
	}
	fputc(' ', f);
	print_value(f, median(pt->v[fam][m], tp_rounds));
	ratio = ratio_to_unix(pt, fam, m);
	if (fam != TP_UNIX && !isnan(ratio))
		fprintf(f, " (%.2fx)", ratio);
	if (is_cpu(pt->w, m)) {
		fputs(", ", f);
		print_value(f, median(pt->v[fam][m + 1], tp_rounds));
		fputs(" elsewhere", f);
	}
	fputs(" |", f);
}

/*
 * The table of metric @m of the workload of tp_points[@first] and the
 * points after it, rows by parameter; "cpu_elsewhere" is shown in the
 * cells of "cpu".
 */
static void print_table(FILE *f, int first, int m)
{
	const struct tp_workload *w = tp_points[first].w;
	struct tp_metric mt = metric(w, m);
	size_t fam;
	int j;

	if (is_cpu(w, m))
		fprintf(f, "\n## %s: CPU time (%s, lower is better; then the part of it elsewhere)\n\n",
			w->title, mt.unit);
	else
		fprintf(f, "\n## %s: %s (%s, %s is better)\n\n", w->title,
			mt.name, mt.unit, mt.lower_better ? "lower" : "higher");
	fprintf(f, "| %s |", w->param_name[0] ? w->param_name : "");
	for (fam = 0; fam < TP_NFAMILIES; fam++)
		if (tp_use[fam])
			fprintf(f, " %s |", tp_families[fam].label);
	fprintf(f, "\n|---:|");
	for (fam = 0; fam < TP_NFAMILIES; fam++)
		if (tp_use[fam])
			fprintf(f, "---:|");
	fputc('\n', f);
	for (j = first; j < tp_npoints && tp_points[j].w == w; j++) {
		fputs("| ", f);
		print_param(f, &tp_points[j]);
		fputs(" |", f);
		for (fam = 0; fam < TP_NFAMILIES; fam++)
			if (tp_use[fam])
				print_cell(f, &tp_points[j], fam, m);
		fputc('\n', f);
	}
}

/* One table per workload and metric, then the targets. */
static void print_tables(FILE *f, const struct tp_system *s)
{
	size_t fam;
	int i, m, n, t;

	fprintf(f, "# toyperf: AF_TOY next to AF_UNIX, AF_VSOCK and TCP/UDP\n\n");
	fprintf(f, "Kernel %s, %ld CPUs, %ld MiB%s%s; %d rounds of %.2g s per point.\n",
		s->uts.release, s->cpus, s->mem_kib / 1024,
		tp_label[0] ? "; " : "", tp_label, tp_rounds, tp_round_s);
	fprintf(f, "%s\n", tp_note);

	for (i = 0; i < tp_npoints; i++) {
		const struct tp_workload *w = tp_points[i].w;

		if (i && tp_points[i - 1].w == w)
			continue;
		for (m = 0; m < nmetrics(w); m++)
			if (!is_cpu_elsewhere(w, m))
				print_table(f, i, m);
	}

	fputs("\n## Targets for AF_TOY\n\n", f);
	for (i = 0, n = 0; i < (int)ARRAY_SIZE(tp_targets); i++) {
		const struct tp_target *t = &tp_targets[i];
		double ratio = target_ratio(t);

		if (isnan(ratio))
			continue;
		if (!n++)
			fputs("| target | ratio | goal | met |\n|---|---:|---:|---|\n", f);
		fprintf(f, "| %s | %.2fx | %s %.2fx | %s |\n", target_desc(t), ratio,
			t->at_most ? "<=" : ">=", t->limit,
			target_met(t, ratio) ? "yes" : "**no**");
	}
	if (!n)
		fputs("No target's points were measured.\n", f);
	for (t = 0; t < 3; t++)
		for (fam = 0; fam < TP_NFAMILIES; fam++)
			if (tp_use[fam] && tp_families[fam].why_not[t])
				fprintf(f, "\n%s: no %s here (%s).\n",
					tp_families[fam].label, tp_type_names[t],
					tp_families[fam].why_not[t]);
	for (i = 0; i < tp_npoints; i++)
		for (fam = 0; fam < TP_NFAMILIES; fam++)
			if (tp_points[i].failed[fam]) {
				fprintf(f, "\n%s failed %s ", tp_families[fam].label,
					tp_points[i].w->name);
				print_param(f, &tp_points[i]);
				fprintf(f, ": %s.\n", tp_points[i].failed[fam]);
			}
}

/* Did a family fail a point? */
static bool any_failed(void)
{
	size_t fam;
	int i;

	for (i = 0; i < tp_npoints; i++)
		for (fam = 0; fam < TP_NFAMILIES; fam++)
			if (tp_points[i].failed[fam])
				return true;
	return false;
}

/* ----- JSON ----- */

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * Ten significant digits keep a rate of millions per second exact to a
 * thousandth, so that sums checked from the JSON (sent = received +
 * dropped) hold; %.6g rounded 1,234,567/s to 1,234,570/s.
 */
static void json_number(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.10g", v);
}

static void json_family_cell(FILE *f, const struct tp_point *pt, size_t fam,
			     int m)
{
	const struct tp_family *tf = &tp_families[fam];
	const double *v = pt->v[fam][m];
	int r;

	fprintf(f, "\"%s\":{", tf->name);
	if (pt->failed[fam]) {
		fputs("\"failed\":", f);
		json_string(f, pt->failed[fam]);
		fputc('}', f);
		return;
	}
	if (!v) {
		fputs("\"skipped\":", f);
		json_string(f, tf->why_not[tp_type_index(pt->w->type)] ?
			    tf->why_not[tp_type_index(pt->w->type)] :
			    "not measured");
		fputc('}', f);
		return;
	}
	fputs("\"median\":", f);
	json_number(f, median(v, tp_rounds));
	fputs(",\"ratio_to_unix\":", f);
	json_number(f, ratio_to_unix(pt, fam, m));
	fputs(",\"rounds\":[", f);
	for (r = 0; r < tp_rounds; r++) {
		if (r)
			fputc(',', f);
		json_number(f, v[r]);
	}
	fputs("]}", f);
}

static void print_json(FILE *f, const struct tp_system *s)
{
	size_t fam;
	int i, m, n;

	fputs("{\"toyperf\":" TOYPERF_VERSION ",\"note\":", f);
	json_string(f, tp_note);
	fputs(",\"system\":{\"kernel\":", f);
	json_string(f, s->uts.release);
	fputs(",\"machine\":", f);
	json_string(f, s->uts.machine);
	fprintf(f, ",\"cpus\":%ld,\"mem_kib\":%ld,\"cpu_model\":", s->cpus,
		s->mem_kib);
	json_string(f, s->cpu_model);
	fprintf(f, ",\"hypervisor\":%s,\"label\":", s->hypervisor ? "true" : "false");
	json_string(f, tp_label);
	fprintf(f, "},\"config\":{\"rounds\":%d,\"round_s\":", tp_rounds);
	json_number(f, tp_round_s);
	fputs(",\"warmup_s\":", f);
	json_number(f, tp_warmup_s);
	fputs(",\"families\":[", f);
	for (fam = 0, n = 0; fam < TP_NFAMILIES; fam++)
		if (tp_use[fam])
			fprintf(f, "%s{\"name\":\"%s\",\"label\":\"%s\"}",
				n++ ? "," : "", tp_families[fam].name,
				tp_families[fam].label);
	fputs("]},\"points\":[", f);
	for (i = 0; i < tp_npoints; i++) {
		const struct tp_point *pt = &tp_points[i];
		const struct tp_workload *w = pt->w;

		fprintf(f, "%s{\"workload\":\"%s\",\"title\":", i ? "," : "", w->name);
		json_string(f, w->title);
		fprintf(f, ",\"param\":%ld,\"param_name\":\"%s\",\"param_unit\":\"%s\",\"metrics\":[",
			pt->param, w->param_name, w->param_unit);
		for (m = 0; m < nmetrics(w); m++) {
			struct tp_metric mt = metric(w, m);

			fprintf(f, "%s{\"name\":\"%s\",\"unit\":\"%s\",\"better\":\"%s\",\"families\":{",
				m ? "," : "", mt.name, mt.unit,
				mt.lower_better ? "lower" : "higher");
			for (fam = 0, n = 0; fam < TP_NFAMILIES; fam++) {
				if (!tp_use[fam])
					continue;
				if (n++)
					fputc(',', f);
				json_family_cell(f, pt, fam, m);
			}
			fputs("}}", f);
		}
		fputs("]}", f);
	}
	fputs("],\"targets\":[", f);
	for (i = 0, n = 0; i < (int)ARRAY_SIZE(tp_targets); i++) {
		const struct tp_target *t = &tp_targets[i];
		double ratio = target_ratio(t);

		if (isnan(ratio))
			continue;
		fputs(n++ ? ",{\"target\":" : "{\"target\":", f);
		json_string(f, target_desc(t));
		fputs(",\"ratio\":", f);
		json_number(f, ratio);
		fprintf(f, ",\"goal\":\"%s\",\"limit\":", t->at_most ? "<=" : ">=");
		json_number(f, t->limit);
		fprintf(f, ",\"stretch\":%s,\"met\":%s}", t->stretch ? "true" : "false",
			target_met(t, ratio) ? "true" : "false");
	}
	fputs("]}\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "families",	required_argument,	NULL, 'f' },
		{ "rounds",	required_argument,	NULL, 'r' },
		{ "time",	required_argument,	NULL, 't' },
		{ "warmup",	required_argument,	NULL, 'w' },
		{ "json",	required_argument,	NULL, 'J' },
		{ "label",	required_argument,	NULL, 'l' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ }
	};
	const char *json_file = NULL;
	bool json_stdout = false;
	FILE *json = NULL;
	struct tp_system sys;
	size_t fam;
	int opt, i;

	memset(tp_use, 1, sizeof(tp_use));
	/*
	 * A connection that breaks fails the write with EPIPE, which says
	 * so; SIGPIPE would end toyperf without a word. AF_VSOCK on 6.12
	 * raised it in the stream workload after the memory workload,
	 * although every call then succeeded.
	 */
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt_long(argc, argv, "f:r:t:w:jl:qhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			parse_families(optarg);
			break;
		case 'r':
			tp_rounds = parse_rounds(optarg);
			break;
		case 't':
			tp_round_s = parse_seconds(optarg, "time '%s': give seconds from 0.001 to 3600",
						   0.001);
			break;
		case 'w':
			tp_warmup_s = parse_seconds(optarg, "warmup '%s': give seconds from 0 to 3600", 0);
			break;
		case 'J':
			json_file = optarg;
			break;
		case 'j':
			json_stdout = true;
			break;
		case 'l':
			tp_label = optarg;
			break;
		case 'q':
			tp_quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("toyperf %s\n", TOYPERF_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'toyperf --help'.\n");
			return 1;
		}
	}
	for (i = optind; i < argc; i++)
		parse_workload(argv[i]);
	if (optind == argc)
		for (i = 0; i < tp_nworkloads; i++)
			parse_workload((char *)tp_workloads[i].name);
	/* memory first, whatever the order given: see tp_workloads[] */
	qsort(tp_points, tp_npoints, sizeof(*tp_points), cmp_point);

	if (tp_use[0]) {
		tp_families[0].domain = toy_family();
		if (tp_families[0].domain < 0) {
			fprintf(stderr, "toyperf: af_toy.ko is not loaded (%s: %s); load it, or leave toy out with -f\n",
				TOY_FAMILY_PARAM, strerror(errno));
			return EXIT_NOT_LOADED;
		}
	}
	for (fam = 0; fam < TP_NFAMILIES; fam++) {
		if (!tp_use[fam])
			continue;
		tp_probe(&tp_families[fam]);
		if (tp_families[fam].why_not[0] && tp_families[fam].why_not[1] &&
		    tp_families[fam].why_not[2]) {
			fprintf(stderr, "toyperf: %s is not available here: %s; leave %s out with -f\n",
				tp_families[fam].label, tp_families[fam].why_not[0],
				tp_families[fam].name);
			return 1;
		}
	}

	/* a file that cannot be written fails now, not after the run */
	if (json_file) {
		json = strcmp(json_file, "-") ? fopen(json_file, "we") : stdout;
		if (!json)
			tp_die("cannot write %s: %s", json_file, strerror(errno));
	}

	for (i = 0; i < tp_npoints; i++)
		run_point(&tp_points[i]);

	read_system(&sys);
	if (json_stdout)
		print_json(stdout, &sys);
	else
		print_tables(stdout, &sys);
	if (json) {
		print_json(json, &sys);
		if (json != stdout && fclose(json))
			tp_die("cannot write %s: %s", json_file, strerror(errno));
	}
	return any_failed() ? EXIT_FAILED_POINT : 0;
}
