/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the user tools from a selftest: a shell command as a given user,
 * its output captured for the checks and for TH_LOG.
 */
#ifndef TOY_SELFTEST_RUN_CMD_H
#define TOY_SELFTEST_RUN_CMD_H

#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

/*
 * Run @cmd with sh as user @uid (-1: as we are), its stdout and stderr in
 * @out. Returns its exit status, or -1 when it did not exit.
 */
static inline int run_as(int uid, const char *cmd, char *out, size_t size)
{
	int pipefd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		/* a command left in the background must not hold the pipe */
		close(pipefd[1]);
		close(pipefd[0]);
		if (uid >= 0 && (setgid(uid) || setuid(uid)))
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < size - 1 &&
	       (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#endif /* TOY_SELFTEST_RUN_CMD_H */
