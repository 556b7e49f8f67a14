/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracefs for the selftests: find or mount it, write its control files,
 * read its buffer.
 */
#ifndef TOY_SELFTEST_TRACEFS_H
#define TOY_SELFTEST_TRACEFS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

/* tracefs, mounted here if nobody did; "" when it cannot be had. */
static inline const char *tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	if (!mount("nodev", dirs[0], "tracefs", 0, NULL))
		return dirs[0];
	return "";
}

/* Write @val to tracefs file @name: 0 or -1. */
static inline int trace_write(const char *dir, const char *name, const char *val)
{
	char path[256];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/* Lines of the trace buffer that hold @what. */
static inline unsigned int trace_count(const char *dir, const char *what)
{
	unsigned int n = 0;
	char path[256], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, what);
	fclose(f);
	return n;
}

/*
 * Enable (@on) or disable the events @events ("events/af_toy" ...) of
 * tracefs @dir: 0 or -1. The command names of traced tasks are not
 * recorded (options/record-cmd 0): recording them hooks sched_switch,
 * which patches __schedule() while the other CPU runs it, and QEMU's TCG
 * does not always survive that (an int3 Oops in __schedule() seen on
 * 7.3). The trace lines then show "<...>" for the task.
 */
static inline int trace_enable(const char *dir, const char *events, bool on)
{
	char name[128];

	if (on && trace_write(dir, "options/record-cmd", "0"))
		return -1;
	snprintf(name, sizeof(name), "%s/enable", events);
	return trace_write(dir, name, on ? "1" : "0");
}

#endif /* TOY_SELFTEST_TRACEFS_H */
