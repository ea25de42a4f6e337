// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The inotify instances of a live process: which fds they are (the
 * /proc/PID/fd links), and what /proc/PID/fdinfo/FD says of each.
 *
 * One read of fdinfo gives both the flags: line and the watches, so the
 * two always describe the same moment; the watches are parsed by the
 * library's inotify_wd_parse().
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define INOTIFY_LINK	"anon_inode:inotify"

int proc_is_inotify(int pid, int fd)
{
	char path[64], target[sizeof(INOTIFY_LINK) + 1];
	ssize_t n;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target));
	if (n < 0)
		return -1;
	return (size_t)n == strlen(INOTIFY_LINK) &&
	       memcmp(target, INOTIFY_LINK, (size_t)n) == 0;
}

/*
 * ENOENT means a missing process or a missing fd alike: /proc/PID tells
 * which one the user got wrong.
 */
static void report(int pid, int fd, int err)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (err == ENOENT && access(path, F_OK) < 0)
		errmsg("pid %d: %s", pid, strerror(ESRCH));
	else if (err == ENOENT && fd >= 0)
		errmsg("pid %d fd %d: %s", pid, fd, strerror(EBADF));
	else if (fd >= 0)
		errmsg("pid %d fd %d: %s", pid, fd, strerror(err));
	else
		errmsg("pid %d: %s/fd: %s", pid, path, strerror(err));
}

static int cmp_int(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;

	return (a > b) - (a < b);
}

/* The fd a /proc/PID/fd entry names, or -1 for "." and "..". */
static int entry_fd(const char *name)
{
	long long v;
	char *end;

	if (name[0] < '0' || name[0] > '9')
		return -1;
	v = strtoll(name, &end, 10);
	return *end || v > INT_MAX ? -1 : (int)v;
}

static int append_fd(int **fds, size_t *n, int fd)
{
	int *nf = realloc(*fds, (*n + 1) * sizeof(*nf));

	if (!nf)
		return -1;
	nf[(*n)++] = fd;
	*fds = nf;
	return 0;
}

/* An fd closed between readdir() and readlink() is not an instance. */
static int scan_fds(DIR *dir, int pid, int **fds, size_t *n)
{
	struct dirent *e;
	int fd, ret;

	while ((e = readdir(dir))) {
		fd = entry_fd(e->d_name);
		if (fd < 0)
			continue;
		ret = proc_is_inotify(pid, fd);
		if (ret < 0 && errno == ENOENT)
			continue;
		if (ret < 0) {
			report(pid, fd, errno);
			return -1;
		}
		if (ret && append_fd(fds, n, fd) < 0) {
			errmsg("pid %d: %s", pid, strerror(ENOMEM));
			return -1;
		}
	}
	return 0;
}

static int inotify_fds(int pid, int **fds, size_t *n)
{
	char path[32];
	DIR *dir;
	int ret;

	*fds = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir) {
		report(pid, -1, errno);
		return -1;
	}
	ret = scan_fds(dir, pid, fds, n);
	closedir(dir);
	if (ret < 0) {
		free(*fds);
		*fds = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*fds, *n, sizeof(**fds), cmp_int);
	return 0;
}

/* All of a /proc file, NUL-terminated: 0, or -1 with errno. */
static int read_text(const char *path, char **text, size_t *len)
{
	size_t size = 0, n = 0;
	char *buf = NULL, *nb;
	ssize_t got;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		if (n + 1 >= size) {
			size = size ? size * 2 : 4096;
			nb = realloc(buf, size);
			if (!nb) {
				err = ENOMEM;
				break;
			}
			buf = nb;
		}
		got = read(fd, buf + n, size - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			err = got < 0 ? errno : 0;
			break;
		}
		n += (size_t)got;
	}
	close(fd);
	if (err) {
		free(buf);
		errno = err;
		return -1;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/*
 * The kernel prints "flags:\t0%o": the file status flags in octal, with
 * O_CLOEXEC added when the fd has close-on-exec.
 */
static int parse_flags(const char *text, unsigned int *flags)
{
	const char *p = text;
	unsigned long v;
	char *end;

	while (strncmp(p, "flags:", 6) != 0) {
		p = strchr(p, '\n');
		if (!p)
			return -1;
		p++;
	}
	p += 6;
	p += strspn(p, " \t");
	if (*p != '0')
		return -1;
	errno = 0;
	v = strtoul(p, &end, 8);
	if (errno || *end != '\n' || v > UINT_MAX)
		return -1;
	*flags = (unsigned int)v;
	return 0;
}

/* The flags and watches of one fdinfo text. */
static int parse_fdinfo(int pid, int fd, const char *text, size_t len,
			struct instance *in)
{
	if (parse_flags(text, &in->flags) < 0) {
		errmsg("pid %d fd %d: fdinfo has no flags: line in octal",
		       pid, fd);
		return -1;
	}
	if (inotify_wd_parse(text, len, &in->w, &in->n, sizeof(*in->w)) < 0) {
		errmsg("pid %d fd %d: fdinfo not understood: %s", pid, fd,
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int read_one(int pid, int fd, struct peek *pk, struct instance *in)
{
	char path[64], *text;
	size_t len;
	int ret;

	in->fd = fd;
	ret = proc_is_inotify(pid, fd);
	if (ret <= 0) {
		if (ret == 0)
			errmsg("pid %d fd %d: not an inotify instance", pid, fd);
		else
			report(pid, fd, errno);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	if (read_text(path, &text, &len) < 0) {
		report(pid, fd, errno);
		return -1;
	}
	ret = parse_fdinfo(pid, fd, text, len, in);
	free(text);
	if (ret == 0)
		ret = peek_pending(pk, fd, in);
	return ret;
}

static int read_fds(int pid, const int *fds, size_t n, struct dump *d)
{
	struct instance *in;
	struct peek pk;
	size_t i;
	int ret = 0;

	*d = (struct dump){ .version = 2 };
	peek_open(&pk, pid);
	for (i = 0; i < n && ret == 0; i++) {
		in = dump_add_instance(d);
		if (!in) {
			errmsg("pid %d: %s", pid, strerror(ENOMEM));
			ret = -1;
		} else {
			ret = read_one(pid, fds[i], &pk, in);
		}
	}
	peek_close(&pk);
	if (ret < 0)
		dump_free(d);
	return ret;
}

int proc_read(int pid, const int *fds, size_t n, struct dump *d)
{
	int *all = NULL, ret;

	if (!fds) {
		if (inotify_fds(pid, &all, &n) < 0)
			return -1;
		fds = all;
	}
	ret = read_fds(pid, fds, n, d);
	free(all);
	return ret;
}
