// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * path= for the watches of a live process: the kernel gives a handle and
 * an inode, inotify_wd_find_paths() the path the process sees for it
 * (absolute in its root, checked to name that inode).  A dump with paths
 * restores where handles do not open (overlayfs, procfs, sysfs), and on
 * another host or mount with --by-path.  A watch left without one is
 * said, once, and the dump goes on: the handle may still do.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "tool.h"

/* Why a watch has no path, in the words of inotify_wd_find_paths(3). */
static const char *no_path_why(int err)
{
	switch (err) {
	case ENOENT:
		return "its file was deleted: no path reaches it";
	case ENODEV:
		return "no mount of its device in the process's view";
	case ESTALE:
		return "not found on its mount";
	case ERANGE:
		return "the search of its mount ran out of its bound";
	case EPERM:
	case EACCES:
		return "its handle cannot be opened and the search found nothing";
	default:
		return strerror(err);
	}
}

static void warn_no_path(int pid, const struct instance *in, size_t i,
			 int err)
{
	const struct inotify_wd_watch *w = &in->w[i];

	errmsg("pid %d fd %d: wd %d: no path= (inode %llu on %u:%u): %s (%s)",
	       pid, in->fd, w->wd, (unsigned long long)w->ino, major(w->dev),
	       minor(w->dev), no_path_why(err), errno_name(err));
}

/* Each path into in->path, a string of its own as a dump file's are. */
static int keep_paths(int pid, struct instance *in,
		      const struct inotify_wd_result *res)
{
	size_t i;

	in->path = calloc(in->n, sizeof(*in->path));
	if (!in->path)
		return -1;
	for (i = 0; i < in->n; i++) {
		if (!in->w[i].path) {
			warn_no_path(pid, in, i, res[i].error ? res[i].error :
							       ESTALE);
			continue;
		}
		in->path[i] = strdup(in->w[i].path);
		in->w[i].path = NULL;
		if (!in->path[i])
			return -1;
	}
	return 0;
}

/*
 * A failure of the whole call (no access to /proc/PID/root, the process
 * gone) is one warning for the instance, not one per watch.
 */
static int instance_paths(int pid, struct instance *in)
{
	struct inotify_wd_opts opts = { 0 };
	struct inotify_wd_result *res;
	char *strings = NULL;
	ssize_t left;
	int ret = 0;

	if (!in->n)
		return 0;
	res = calloc(in->n, sizeof(*res));
	if (!res) {
		errmsg("pid %d: %s", pid, strerror(ENOMEM));
		return -1;
	}
	opts.results = res;
	left = inotify_wd_find_paths(pid, in->w, in->n, sizeof(*in->w), &opts,
				     &strings);
	if (left < 0)
		errmsg("pid %d fd %d: no path= for its %zu watches: %s (%s)",
		       pid, in->fd, in->n, strerror(errno), errno_name(errno));
	else if (keep_paths(pid, in, res) < 0) {
		errmsg("pid %d: %s", pid, strerror(ENOMEM));
		ret = -1;
	}
	free(strings);
	free(res);
	return ret;
}

int dump_find_paths(int pid, struct dump *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (instance_paths(pid, &d->inst[i]) < 0)
			return -1;
	return 0;
}
