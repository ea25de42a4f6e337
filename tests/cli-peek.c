// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The queue peek of "inotifywd dump" (tools/pending.c) on an fd that is
 * not inotify: what it finds when the dumped process puts another file
 * at a number after the listing checked it.  The tool's own listing
 * refuses such an fd first, so this calls the peek directly, on an fd
 * of this process: a pipe with bytes in it, which FIONREAD would count.
 *
 * Exit 0 when the peek refuses the pipe (-1, count left unknown, the
 * copy closed) and still counts an inotify instance; 77 when
 * pidfd_getfd() is unavailable; 1 otherwise.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "../tools/tool.h"

static int fails;

static void expect(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok  " : "FAIL", what);
	fails += !cond;
}

static int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	if (!dir)
		return -1;
	while (readdir(dir))
		n++;
	closedir(dir);
	return n;
}

int main(void)
{
	struct instance in = { .pending = -1 }, pipe_in = { .pending = -1 };
	int ifd, p[2], before, ret;
	struct peek pk;

	tool_cmd = "dump";
	ifd = inotify_init1(IN_CLOEXEC);
	if (ifd < 0 || pipe(p) < 0 || write(p[1], "hello", 5) != 5) {
		perror("cli-peek: setup");
		return 99;
	}
	peek_open(&pk, getpid());
	before = open_fds();
	ret = peek_pending(&pk, ifd, &in);
	if (ret == 0 && in.pending < 0 &&
	    (in.pending_err == ENOSYS || in.pending_err == EPERM)) {
		printf("SKIP - pidfd_getfd(): %s\n", peek_why(in.pending_err));
		return 77;
	}
	expect(ret == 0 && in.pending == 0,
	       "an inotify instance: counted (0 bytes)");
	ret = peek_pending(&pk, p[0], &pipe_in);
	expect(ret == -1, "a pipe at the fd: refused (-1, one line on stderr)");
	expect(pipe_in.pending == -1, "... its 5 bytes are not counted");
	expect(open_fds() == before, "... the copy is closed");
	peek_close(&pk);
	return fails ? 1 : 0;
}
