// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The target of each watch of a restore, and what to say when one fails.
 *
 * Same host (the default): the file handle, which is the exact inode;
 * where the kernel cannot open it (overlayfs, procfs, sysfs, a device no
 * longer mounted) the path=, which must still name the dumped inode
 * (INOTIFY_WD_WATCH_HANDLE_FIRST | SAME_INODE: the library opens the path
 * once and checks that very inode, with no window between a check and
 * the add).  A line with a path= and no handle is checked the same way.
 *
 * --by-path: every path=, resolved beneath the --root directory as if it
 * were "/" (INOTIFY_WD_WATCH_DIRFD | IN_ROOT: no symlink or ".." leaves
 * it), with no inode check: on another host or a new mount the inodes
 * are new by nature.  How many are is counted afterwards.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "tool.h"

#define NEW_FLAGS (INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT | \
		   INOTIFY_WD_WATCH_HANDLE_FIRST | INOTIFY_WD_WATCH_SAME_INODE)

static int by_path(const struct target_ctx *t, struct instance *in, size_t i)
{
	struct inotify_wd_watch *w = &in->w[i];

	if (!in->path[i]) {
		errmsg("%s:%lu: wd %d has no path=: --by-path restores every watch by its path (dump it again without --no-paths)",
		       t->name, in->wline[i], w->wd);
		return -1;
	}
	w->path = in->path[i];
	w->flags = INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT;
	w->dirfd = t->rootfd;
	return 0;
}

/*
 * Without ino, a hand-written line asks for no check: its path is taken
 * as it is, and a handle beside it wins alone.
 */
static int same_host(const struct target_ctx *t, struct instance *in,
		     size_t i)
{
	struct inotify_wd_watch *w = &in->w[i];
	const char *path = in->path[i];

	w->flags &= ~(unsigned int)NEW_FLAGS;
	if (!w->handle_bytes && !path) {
		errmsg("%s:%lu: wd %d has no file handle (its file system gives none) and no path=: cannot restore it",
		       t->name, in->wline[i], w->wd);
		return -1;
	}
	if (!path || (w->handle_bytes && !w->ino))
		return 0;
	w->path = path;
	if (w->ino)
		w->flags |= INOTIFY_WD_WATCH_SAME_INODE;
	if (w->handle_bytes)
		w->flags |= INOTIFY_WD_WATCH_HANDLE_FIRST;
	return 0;
}

int targets_choose(const struct target_ctx *t, struct instance *in)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		if ((t->by_path ? by_path(t, in, i) : same_host(t, in, i)) < 0)
			return -1;
	return 0;
}

/* Why a handle was not opened: not every ESTALE is a deleted file. */
static const char *handle_why(const struct inotify_wd_watch *w, int err,
			      char *buf, size_t size)
{
	char type[64];
	const char *fs = w->path ? fs_of_path(w->path) : NULL;

	if (!fs)
		fs = fs_of_dev(w->dev, type, sizeof(type));
	if ((err == ESTALE || err == EOPNOTSUPP) && fs_opens_no_handles(fs))
		snprintf(buf, size, "%s does not open file handles", fs);
	else if (err == ESTALE)
		snprintf(buf, size, "the file was deleted, or device %u:%u is no longer the file system it was dumped from",
			 major(w->dev), minor(w->dev));
	else if (err == ENODEV)
		snprintf(buf, size, "no mount of device %u:%u here",
			 major(w->dev), minor(w->dev));
	else if (err == EPERM || err == EACCES)
		snprintf(buf, size, "opening file handles needs CAP_DAC_READ_SEARCH");
	else
		return NULL;
	return buf;
}

/* The inode a path names now, against the dump's, for an ESTALE. */
static void other_inode(const struct inotify_wd_watch *w, char *buf,
			size_t size)
{
	struct stat st;
	int ret;

	ret = (w->mask & IN_DONT_FOLLOW) ? lstat(w->path, &st) :
					   stat(w->path, &st);
	if (ret < 0)
		snprintf(buf, size, ": %s", strerror(errno));
	else
		snprintf(buf, size, " is inode %llu on %u:%u, the dump has inode %llu on %u:%u",
			 (unsigned long long)st.st_ino, major(st.st_dev),
			 minor(st.st_dev), (unsigned long long)w->ino,
			 major(w->dev), minor(w->dev));
}

static const char *beneath_hint(int err)
{
	switch (err) {
	case ELOOP:
		return "a symlink on the way jumps through /proc, or too many symlinks";
	case EAGAIN:
		return "a rename or mount raced the lookup: try again";
	case EOPNOTSUPP:
		return "resolving beneath a root needs openat2(), Linux 5.6 or later";
	case EXDEV:
		return "the path leaves the root";
	default:
		return NULL;
	}
}

static const char *path_hint(const struct target_ctx *t,
			     const struct instance *in,
			     const struct inotify_wd_watch *w, int err,
			     char *buf, size_t size)
{
	if (t->by_path && beneath_hint(err))
		return beneath_hint(err);
	if (err == ESTALE && (w->flags & INOTIFY_WD_WATCH_SAME_INODE))
		return t->by_path ? NULL : "--by-path restores by path whatever the inode";
	if (err == ESTALE && w->path)
		return HINT_NEW_INODE;
	if (err == ERANGE)
		return range_hint(buf, size, instance_max_wd(in),
				  t->max_cycles);
	if (err == EEXIST)
		return "another line names the same inode";
	if (err == ESTALE || err == ENODEV || err == EPERM)
		return NULL;
	return lib_hint(err, t->no_fallback);
}

/* "wd W: path P[ beneath ROOT]" and what became of it. */
static void report_path(const struct target_ctx *t, const struct instance *in,
			size_t i, int err, int handle_err)
{
	static char esc[PATH_ESC_MAX], state[PATH_ESC_MAX + 128];
	const struct inotify_wd_watch *w = &in->w[i];
	char hbuf[256], rbuf[160], hinted[512];
	const char *hint = path_hint(t, in, w, err, rbuf, sizeof(rbuf)), *why;

	if (err == ESTALE && (w->flags & INOTIFY_WD_WATCH_SAME_INODE) &&
	    !t->by_path)
		other_inode(w, state, sizeof(state));
	else
		snprintf(state, sizeof(state), ": %s", strerror(err));
	hinted[0] = '\0';
	why = handle_err ? handle_why(w, handle_err, hbuf, sizeof(hbuf)) : NULL;
	if (handle_err)
		snprintf(hinted, sizeof(hinted), "; its handle: %s%s%s%s",
			 strerror(handle_err), why ? " (" : "",
			 why ? why : "", why ? ")" : "");
	errmsg("%s:%lu: wd %d: path %s%s%s%s%s%s%s%s", t->name, in->wline[i],
	       w->wd, path_escape(w->path, esc, sizeof(esc)),
	       t->by_path ? " beneath " : "", t->by_path ? t->root : "",
	       state, hint ? " (" : "", hint ? hint : "", hint ? ")" : "",
	       hinted);
}

void targets_report(const struct target_ctx *t, const struct instance *in,
		    const struct inotify_wd_result *res, size_t failed,
		    int err)
{
	const struct inotify_wd_watch *w;
	const char *hint;
	char buf[256];
	int handle_err;

	if (failed >= in->n) {
		errmsg("%s: %s", t->name, strerror(err));
		return;
	}
	w = &in->w[failed];
	if (res && res[failed].error)
		err = res[failed].error;
	handle_err = res ? res[failed].handle_error : 0;
	if (w->path) {
		report_path(t, in, failed, err, handle_err);
		return;
	}
	/* A handle alone: its errors are the handle's. */
	hint = handle_why(w, err, buf, sizeof(buf));
	if (!hint)
		hint = path_hint(t, in, w, err, buf, sizeof(buf));
	errmsg("%s:%lu: wd %d: %s%s%s%s", t->name, in->wline[failed], w->wd,
	       strerror(err), hint ? " (" : "", hint ? hint : "",
	       hint ? ")" : "");
}

/*
 * Watches on other inodes than the dump's: after --by-path on a new host
 * or mount, all of them may be, and the user should know how many.
 * Lines without ino (written by hand) are not counted.
 */
int targets_moved(const struct instance *in, int fd, size_t *moved)
{
	struct inotify_wd_watch *now;
	size_t n, i, k;

	if (inotify_wd_dump(0, fd, &now, &n, sizeof(*now)) < 0)
		return -1;
	/* Both in ascending wd order: one merge. */
	for (i = 0, k = 0; i < in->n; i++) {
		while (k < n && now[k].wd < in->w[i].wd)
			k++;
		if (!in->w[i].ino)
			continue;
		if (k == n || now[k].wd != in->w[i].wd ||
		    now[k].ino != in->w[i].ino || now[k].dev != in->w[i].dev)
			(*moved)++;
	}
	free(now);
	return 0;
}
