// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Restore targets: a path, or a file handle.
 *
 * open_by_handle_at() (CAP_DAC_READ_SEARCH) needs an fd on the target's
 * filesystem; when the caller gives none, a mount of the device is looked
 * up in /proc/self/mountinfo.  The file is opened O_PATH and watched as
 * /proc/self/fd/N: an O_PATH open and its close queue no IN_OPEN or
 * IN_CLOSE_NOWRITE on existing watches (Linux 6.10+), unlike the
 * read-only open CRIU used, which later had to drain those events again.
 *
 * The kernel refuses an O_PATH fd as the mount anchor (EBADF), and
 * opening the mount's root directory for real would queue IN_OPEN and
 * IN_CLOSE_NOWRITE on any watch of that directory (a watch on the root
 * of a tmpfs is common).  So such handles are opened relative to the
 * working directory, after an fchdir() to the mount's O_PATH fd: in the
 * calling thread when no other thread shares its working directory,
 * which then goes back where it was before the call returns
 * (iwd_targets_leave()), else in a thread with one of its own
 * (worker.c).  A handle costs its open and nothing more; the fchdir()
 * happens when the mount changes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/* What the lookup needs of one line of mountinfo. */
struct mount_line {
	int id;			/* the mount id, as statx() gives it */
	dev_t dev;
	const char *root;	/* of the file system, that the mount shows */
	char *point;		/* unescaped once dev matched */
};

/* Cut line's fields in place; false for a line of another form. */
static bool parse_line(char *line, struct mount_line *m)
{
	unsigned int maj, min;
	char *end;
	int r = -1;

	if (sscanf(line, "%d %*d %u:%u %n", &m->id, &maj, &min, &r) != 3 ||
	    r < 0)
		return false;
	m->dev = makedev(maj, min);
	m->root = line + r;
	end = strchr(line + r, ' ');
	if (!end)
		return false;
	*end = '\0';
	m->point = end + 1;
	end = strchr(m->point, ' ');
	if (end)
		*end = '\0';
	return true;
}

/*
 * The mounts of dev that mountinfo lists, in its order, as a malloc()ed
 * array into text (which is cut up).  *n is 0 when there is none.
 */
static struct mount_line *mounts_of(char *text, dev_t dev, size_t *n)
{
	struct mount_line *m, l;
	char *line, *save = NULL;
	size_t max = 1;
	const char *p;

	for (p = text; *p; p++)
		max += *p == '\n';
	m = malloc(max * sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	*n = 0;
	for (line = strtok_r(text, "\n", &save); line && *n < max;
	     line = strtok_r(NULL, "\n", &save))
		if (parse_line(line, &l) && l.dev == dev) {
			unescape(l.point);
			m[(*n)++] = l;
		}
	return m;
}

/* The mount id fdinfo shows (Linux 3.15 on); -1 when it cannot tell. */
static int fdinfo_mount_id(int fd, int *id)
{
	char path[40], *text, *p;
	size_t len;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (iwd_read_file(path, &text, &len) < 0)
		return -1;
	p = strstr(text, "mnt_id:");
	if (p && sscanf(p, "mnt_id: %d", id) == 1)
		ret = 0;
	free(text);
	return ret;
}

/*
 * Is fd, opened on m's mount point, on m itself?  A path can lead
 * elsewhere: to a mount stacked on top (containers are full of them).
 * The mount id settles it, from statx() or else fdinfo; a kernel with
 * neither (before 3.15) is only asked for the device.
 */
static bool is_mount(int fd, const struct mount_line *m)
{
	struct stat st;
	int id;

	if (iwd_sys_mount_id(fd, &id) == 0 || fdinfo_mount_id(fd, &id) == 0)
		return id == m->id;
	return iwd_sys_fstat(fd, &st) == 0 && st.st_dev == m->dev;
}

/* Out of descriptors or memory: no use trying another mount. */
static bool fatal(int err)
{
	return err == ENOMEM || err == EMFILE || err == ENFILE;
}

/*
 * An O_PATH fd on the first of the n mounts that its mount point opens
 * to, those that show the whole file system (root "/") first: a handle
 * outside a bind mount's subtree may not open through it.  When none
 * does: the error of the first mount point that did not open, or ENODEV
 * when each one led to another mount.
 */
static int open_mount(const struct mount_line *m, size_t n)
{
	int pass, fd, err = 0;
	size_t i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			if ((strcmp(m[i].root, "/") == 0) != (pass == 0))
				continue;
			fd = iwd_sys_open(m[i].point, O_PATH | O_DIRECTORY);
			if (fd < 0) {
				if (fatal(errno))
					return -1;
				err = err ? err : errno;
				continue;
			}
			if (is_mount(fd, &m[i]))
				return fd;
			iwd_sys_close(fd);
		}
	}
	errno = err ? err : ENODEV;
	return -1;
}

/* Look a mount of dev up, and open it.  ENODEV: none listed, or hidden. */
static int find_mount(dev_t dev)
{
	struct mount_line *m;
	char *text;
	size_t len, n;
	int fd, err;

	if (iwd_read_file("/proc/self/mountinfo", &text, &len) < 0)
		return -1;
	m = mounts_of(text, dev, &n);
	fd = m ? open_mount(m, n) : -1;
	err = errno;
	free(m);
	free(text);
	errno = err;
	return fd;
}

static int add_mount(struct targets *t, dev_t dev)
{
	struct mount_fd *p;
	int fd;

	fd = find_mount(dev);
	if (fd < 0)
		return -1;
	p = realloc(t->m, (t->n + 1) * sizeof(*p));
	if (!p) {
		iwd_sys_close(fd);
		errno = ENOMEM;
		return -1;
	}
	t->m = p;
	t->m[t->n] = (struct mount_fd){ .dev = dev, .fd = fd };
	return (int)t->n++;
}

/* The O_PATH fd of a mount of dev; entries of one device come in runs. */
static int mount_of(struct targets *t, dev_t dev)
{
	size_t i;
	int k;

	if (t->last >= 0 && t->m[t->last].dev == dev)
		return t->m[t->last].fd;
	for (i = 0; i < t->n; i++)
		if (t->m[i].dev == dev)
			break;
	k = i < t->n ? (int)i : add_mount(t, dev);
	if (k < 0)
		return -1;
	t->last = k;
	return t->m[k].fd;
}

/* Make dir (an O_PATH fd; -1: where it started) the working directory. */
static int enter(struct targets *t, int dir)
{
	if (t->cwd == dir)
		return 0;
	/*
	 * Remember where we began, before leaving it: relative paths
	 * resolve there, and the caller's callback and return find it.
	 */
	if (t->cwd == -1 && t->home < 0) {
		t->home = iwd_sys_open(".", O_PATH | O_DIRECTORY);
		if (t->home < 0)
			return -1;
	}
	if (iwd_sys_fchdir(dir == -1 ? t->home : dir) < 0)
		return -1;
	t->cwd = dir;
	return 0;
}

/*
 * Go back to where the call began, if we left it; once per call, and
 * around the progress callback.  An fchdir() to a directory we stood in
 * and hold open, which CAP_DAC_READ_SEARCH (needed to open any handle)
 * lets us search: it does not fail in practice.
 */
int iwd_targets_leave(struct targets *t)
{
	return enter(t, -1);
}

static int open_handle(struct targets *t, const struct inotify_wd_watch *w)
{
	int dir = w->mount_fd;

	if (!(w->flags & INOTIFY_WD_WATCH_MOUNT_FD)) {
		dir = mount_of(t, w->dev);
		if (dir < 0 || enter(t, dir) < 0)
			return -1;
		dir = AT_FDCWD;
	}
	return iwd_sys_open_by_handle(dir, w->handle_type, w->handle_bytes,
				      w->handle, O_PATH);
}

void iwd_targets_init(struct targets *t)
{
	memset(t, 0, sizeof(*t));
	t->last = -1;
	t->cwd = -1;
	t->home = -1;
}

void iwd_targets_free(struct targets *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		iwd_sys_close(t->m[i].fd);
	if (t->home >= 0)
		iwd_sys_close(t->home);
	free(t->m);
	iwd_targets_init(t);
}

/* Whether w needs the worker: a handle opened through a mount lookup. */
bool iwd_target_needs_worker(const struct inotify_wd_watch *w)
{
	return !w->path && !(w->flags & INOTIFY_WD_WATCH_MOUNT_FD);
}

/*
 * Resolve the target of w to a path inotify_add_watch() can take.  For a
 * handle, *fd receives the O_PATH fd to close after the add.
 */
int iwd_target_open(struct targets *t, const struct inotify_wd_watch *w,
		    char *buf, size_t size, const char **path, int *fd)
{
	*fd = -1;
	if (w->path) {
		/* A relative path resolves where the caller's cwd was. */
		if (w->path[0] != '/' && enter(t, -1) < 0)
			return -1;
		*path = w->path;
		return 0;
	}
	*fd = open_handle(t, w);
	if (*fd < 0)
		return -1;
	*path = iwd_fd_path(*fd, buf, size);
	return 0;
}
