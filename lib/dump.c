// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* Reading the watches of an inotify fd from /proc/PID/fdinfo/FD. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int read_fdinfo(pid_t pid, int fd, struct inotify_wd_watch **out,
		       size_t *count)
{
	char path[64], *text;
	size_t len;
	int ret, err;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (iwd_read_file(path, &text, &len) < 0)
		return -1;
	ret = iwd_fdinfo_parse(text, len, out, count);
	err = errno;
	free(text);
	errno = err;
	return ret;
}

/*
 * Whether fd of pid (0: us) is an inotify instance, from the name of its
 * /proc link: 1 yes, 0 no, -1 with errno when the link cannot be read.
 */
int iwd_fd_is_inotify(pid_t pid, int fd)
{
	static const char want[] = "anon_inode:inotify";
	char path[64], target[sizeof(want) + 1];
	ssize_t n;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = iwd_sys_readlink(path, target, sizeof(target));
	if (n < 0)
		return -1;
	return (size_t)n == sizeof(want) - 1 && !memcmp(target, want, (size_t)n);
}

/* Watches are only listed for inotify fds; anything else is EINVAL. */
static int check_inotify(pid_t pid, int fd)
{
	int ret = iwd_fd_is_inotify(pid, fd);

	if (ret == 0)
		errno = EINVAL;
	return ret == 1 ? 0 : -1;
}

/* The watches of inotify fd fd of process pid (0: this one). */
int iwd_dump(pid_t pid, int fd, struct inotify_wd_watch **out, size_t *count)
{
	if (check_inotify(pid, fd) < 0)
		return -1;
	return read_fdinfo(pid, fd, out, count);
}

void iwd_snapshot_take(struct snapshot *s, int fd)
{
	int saved = errno;

	s->valid = read_fdinfo(0, fd, &s->w, &s->n) == 0;
	s->err = s->valid ? 0 : errno;
	if (!s->valid) {
		s->w = NULL;
		s->n = 0;
	}
	errno = saved;
}

void iwd_snapshot_free(struct snapshot *s)
{
	free(s->w);
	s->w = NULL;
	s->n = 0;
	s->valid = false;
}
