/* SPDX-License-Identifier: GPL-2.0 */
/*
 * toyperf: the families it compares and the workloads it runs.
 *
 * toyperf.c holds the command line, the order of the rounds and the
 * output (table, JSON, targets); toyperf_workloads.c holds the sockets and
 * the timed loops of each workload.
 */
#ifndef TOYPERF_H
#define TOYPERF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The most values one round of a workload reports itself. */
#define TP_MAX_VALS	3
/* The CPU metrics toyperf adds after them: "cpu" and "cpu_elsewhere". */
#define TP_CPU_METRICS	2
/* The most metrics a point has. */
#define TP_MAX_METRICS	(TP_MAX_VALS + TP_CPU_METRICS)

/**
 * struct tp_family - one socket family toyperf measures
 * @name: its name on the command line and in JSON
 * @label: its name in tables
 * @domain: the family number for socket(2); AF_TOY's is found at run time
 * @why_not: per socket type, why it cannot be measured (socket(2)'s error),
 *	or NULL when it can; indexed by tp_type_index()
 */
struct tp_family {
	const char *name;
	const char *label;
	int domain;
	const char *why_not[3];
};

/* The socket types toyperf measures, in the order of tp_family.why_not. */
extern const int tp_types[3];
extern const char *const tp_type_names[3];
int tp_type_index(int type);

/**
 * struct tp_metric - one value a workload reports for each round
 * @name: short name, in JSON and in the table heading
 * @unit: its unit
 * @lower_better: true for costs (latency, bytes), false for rates
 */
struct tp_metric {
	const char *name;
	const char *unit;
	bool lower_better;
};

/**
 * struct tp_cpu - how a workload's CPU time is reported
 * @unit: the unit of "cpu" and "cpu_elsewhere", e.g. "s/GiB"; NULL when
 *	the workload has no CPU figure (memory, which counts bytes)
 * @scale: what turns CPU seconds per unit of tp_result.work into @unit
 *	(2^30 for seconds per GiB of bytes, 1e6 for microseconds per message)
 */
struct tp_cpu {
	const char *unit;
	double scale;
};

/* The longest message saying why a family failed a round. */
#define TP_FAILED_MAX	128

/**
 * struct tp_result - what one round of a workload reports
 * @vals: the value of each of its metrics
 * @work: how much it did, in the unit its CPU time is divided by (bytes,
 *	messages, round trips, connections)
 * @failed: empty, or why the family failed the round (its socket gave an
 *	error a working family never gives, e.g. a reader's ENOBUFS): the
 *	family's figures for the point are then left out, with this reason
 */
struct tp_result {
	double vals[TP_MAX_VALS];
	double work;
	char failed[TP_FAILED_MAX];
};

/**
 * struct tp_workload - one kind of measurement
 * @name: its name on the command line and in JSON
 * @title: a heading for tables
 * @type: SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
 * @param_name: what the parameter is, e.g. "write size"
 * @param_unit: the parameter's unit, e.g. "B"
 * @params: default parameter values
 * @nparams: how many
 * @max_param: the largest parameter the workload takes
 * @metrics: the values each round reports
 * @nmetrics: how many
 * @cpu: how its CPU time per unit of work is reported
 * @interleaved: rounds of all families alternate (timings); when false,
 *	each family runs all its rounds in turn (memory, which must not see
 *	another family's sockets being freed)
 * @setup: optional, before the rounds of one parameter for one family;
 *	returns state handed to @run and @teardown
 * @run: one round: measure for @secs seconds and fill @res
 * @teardown: optional, after the rounds of one parameter
 */
struct tp_workload {
	const char *name;
	const char *title;
	int type;
	const char *param_name;
	const char *param_unit;
	long params[8];
	int nparams;
	long max_param;
	struct tp_metric metrics[TP_MAX_VALS];
	int nmetrics;
	struct tp_cpu cpu;
	bool interleaved;
	void *(*setup)(const struct tp_family *f, long param);
	void (*run)(const struct tp_family *f, long param, double secs,
		    void *state, struct tp_result *res);
	void (*teardown)(void *state);
};

extern const struct tp_workload tp_workloads[];
extern const int tp_nworkloads;

/* Fill in @f->why_not by opening a socket of each type. */
void tp_probe(struct tp_family *f);

/* Make sure @nfds file descriptors can be open at once; false if not. */
bool tp_raise_nofile(long nfds);

/* qsort() comparison of two doubles, ascending. */
int tp_cmp_double(const void *a, const void *b);

/* CLOCK_MONOTONIC in seconds. */
double tp_now(void);

/* Print "toyperf: MESSAGE" and exit 1. */
void tp_die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						   noreturn));

#endif /* TOYPERF_H */
