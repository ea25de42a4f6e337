// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Case 9: the first call of a fresh process.  A fork() child would
 * inherit what this process's library has learnt already, so each
 * repetition executes this program anew (first_child(), reached from
 * main() before anything else), which times one add on an instance it
 * created outside the clock and writes the nanoseconds to a pipe.  The
 * children run with LD_BIND_NOW=1: resolving the library's imports
 * lazily is the dynamic linker's cost, the same for any library, and
 * would hide what the library itself does on its first call.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* Far from a fresh instance's first wd: only the cursor reaches it. */
#define FIRST_WD	1000

/* What a child does; its name on the command line. */
struct first_arg {
	const char *how;	/* "lib", "warm", "code", "raw" or "rawc" */
};

static double raw_add(int fd, const char *path, uint32_t create)
{
	double t0 = now_ns();

	if (ioctl(fd, INOTIFY_IOC_SETNEXTWD, (unsigned long)FIRST_WD) < 0 ||
	    inotify_add_watch(fd, path, BENCH_MASK | create) != FIRST_WD)
		return -1;
	return now_ns() - t0;
}

static double lib_add(int fd, const char *path)
{
	double t0 = now_ns();

	if (inotify_add_watch_at(fd, path, BENCH_MASK, FIRST_WD) != FIRST_WD)
		return -1;
	return now_ns() - t0;
}

/*
 * In the child: "lib" times the library's first call, "warm" its second
 * (each on an instance of its own), "code" its first call on an instance
 * after one on fd -1 (EBADF: the library's code has run, nothing is
 * learnt), "raw"/"rawc" the hand-written add, with IN_MASK_CREATE for
 * "rawc".  Prints the nanoseconds; 1 on failure.
 */
int first_child(const char *how, const char *path)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), warm;
	double ns;

	if (fd < 0)
		return 1;
	if (!strcmp(how, "warm")) {
		warm = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (warm < 0 || lib_add(warm, path) < 0)
			return 1;
	}
	if (!strcmp(how, "code") &&
	    (inotify_add_watch_at(-1, path, BENCH_MASK, FIRST_WD) != -1 ||
	     errno != EBADF))
		return 1;
	if (strncmp(how, "raw", 3))
		ns = lib_add(fd, path);
	else
		ns = raw_add(fd, path, strcmp(how, "rawc") ? 0 : IN_MASK_CREATE);
	if (ns < 0)
		return 1;
	printf("%.0f\n", ns);
	return 0;
}

/* The environment of a child: ours, with LD_BIND_NOW=1. */
static char **child_env(void)
{
	extern char **environ;
	static char **env;
	static char bind_now[] = "LD_BIND_NOW=1";
	size_t n = 0, i, j = 0;

	if (env)
		return env;
	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		die("out of memory");
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_BIND_NOW=", 12))
			env[j++] = environ[i];
	env[j] = bind_now;
	return env;
}

/* One fresh process doing a->how; its timed nanoseconds. */
static void side_first(const void *p, struct sample *s)
{
	static char name[] = "inotifywd-bench", opt[] = FIRST_CHILD_OPT;
	const struct first_arg *a = p;
	char how[8];
	char *argv[] = { name, opt, how, scr.watched, NULL };
	posix_spawn_file_actions_t fa;
	char out[64] = { 0 };
	int pipefd[2], status;
	ssize_t got;
	pid_t pid;

	snprintf(how, sizeof(how), "%s", a->how);
	if (pipe2(pipefd, O_CLOEXEC) < 0 ||
	    posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1) != 0)
		die("case 9: pipe");
	if (posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv,
			child_env()) != 0)
		die("case 9: spawn");
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	got = read(pipefd[0], out, sizeof(out) - 1);
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || got <= 0)
		die("case 9: the %s child failed", a->how);
	s->ns = strtod(out, NULL);
	s->ops = 1;
	s->syscalls = -1;
	settle();
}

void case_first(struct run *run)
{
	const struct plan *p = run->p;
	static struct first_arg lib = { "lib" }, warm = { "warm" },
				code = { "code" }, raw;
	struct side *s[4];

	if (!feat.setnextwd) {
		row_skip("9", "first call in a fresh process vs ioctl+add",
			 "INOTIFY_IOC_SETNEXTWD unavailable");
		return;
	}
	raw.how = create_bit ? "rawc" : "raw";
	progress(run, "9: first call in a fresh process, %d rounds",
		 p->overhead_rounds);
	s[0] = side_new("first inotify_add_watch_at, fresh process",
			side_first, &lib, &lib, 1);
	s[1] = side_new("first ioctl+add, fresh process", side_first, &raw,
			&raw, 1);
	s[2] = side_new("second inotify_add_watch_at, fresh process",
			side_first, &warm, &warm, 1);
	s[3] = side_new("first inotify_add_watch_at, code run once",
			side_first, &code, &code, 1);
	group_run(s, 4, p->overhead_rounds);
	row_add("9", "first call, fresh process: add_watch_at vs ioctl+add",
		s[0], s[1], TARGET_RATIO_MAX, 1.5);
	row_add("9b", "fresh process: first add_watch_at vs its second",
		s[0], s[2], TARGET_NONE, 0);
	row_add("9c", "first call, library code run once: vs ioctl+add",
		s[3], s[1], TARGET_RATIO_MAX, 1.5);
	note_add("9: each repetition is a process of its own, executed anew (LD_BIND_NOW=1; nothing "
		 "inherited), timing one call at wd %d on an instance it created outside the clock. A = its "
		 "first inotify_add_watch_at() (the library learns IN_MASK_CREATE with three failing adds on "
		 "the caller's fd, and SETNEXTWD from the call's own ioctl: 5 syscalls); B = "
		 "ioctl(SETNEXTWD) + inotify_add_watch(%s) (2); 9b's B = the library's second call in such a "
		 "process, on a second instance (2). 9c's A = the first call after one on fd -1 (EBADF; "
		 "nothing learnt, but the library's code has run once in the process): the probing's own "
		 "cost, without the first execution of the library's code.",
		 FIRST_WD, create_bit ? "IN_MASK_CREATE" : "mask");
}
