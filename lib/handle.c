// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Restore targets: a path, from the caller's working directory or from a
 * dirfd, beneath a dirfd, checked to be an inode; or a file handle.
 *
 * inotify_add_watch() takes no dirfd.  A relative path from a dirfd is
 * added by name after an fchdir() to the dirfd (once per change of it),
 * which holds no descriptor; the same working-directory machinery as a
 * handle's mount serves it, below.  A path beneath a root (IN_ROOT) and
 * a path checked against its inode (SAME_INODE) are opened O_PATH, the
 * first with openat2(), and watched as /proc/self/fd/N like a handle:
 * one fd at a time, closed after the add.
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

	if (iwd_fd_mount_id(fd, &id) == 0)
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

/*
 * Make dir the working directory: a mount's O_PATH fd, a caller's dirfd,
 * or -1 for where the call started.
 */
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

/*
 * Where the batch stands (for iwd_targets_return()): the fallback's
 * cycles may go by a name relative to a dirfd, and the progress
 * callback between two of them runs back home.
 */
int iwd_targets_where(const struct targets *t)
{
	return t->cwd;
}

int iwd_targets_return(struct targets *t, int dir)
{
	return enter(t, dir);
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

/*
 * The directory a DIRFD entry's relative path starts from, for enter():
 * -1 for AT_FDCWD (where the call began), or the caller's dirfd.  Any
 * other negative number is no descriptor (EBADF, as openat() says).
 */
static int dir_of(const struct inotify_wd_watch *w, int *dir)
{
	*dir = -1;
	if (!(w->flags & INOTIFY_WD_WATCH_DIRFD) || w->dirfd == AT_FDCWD)
		return 0;
	if (w->dirfd < 0) {
		errno = EBADF;
		return -1;
	}
	*dir = w->dirfd;
	return 0;
}

/* An entry's own path resolved by name from a directory we must enter. */
static bool by_name_elsewhere(const struct inotify_wd_watch *w)
{
	return (w->flags & INOTIFY_WD_WATCH_DIRFD) &&
	       !(w->flags & INOTIFY_WD_WATCH_IN_ROOT) && w->path[0] != '/' &&
	       w->dirfd != AT_FDCWD;
}

/*
 * Whether w moves the working directory: a relative path from a dirfd
 * (fchdir() there, then the add by name: no descriptor held), or a
 * handle opened through a mount lookup.  The callback's entries never.
 */
bool iwd_target_needs_worker(const struct inotify_wd_watch *w)
{
	if (w->flags & INOTIFY_WD_WATCH_OPEN_CB)
		return false;
	if (w->path && by_name_elsewhere(w))
		return true;
	if (w->path && !(w->flags & INOTIFY_WD_WATCH_HANDLE_FIRST))
		return false;
	return !(w->flags & INOTIFY_WD_WATCH_MOUNT_FD);
}

/* open()'s flags for a lookup the way inotify_add_watch() makes it. */
static int lookup_flags(uint32_t mask)
{
	return O_PATH | ((mask & IN_DONT_FOLLOW) ? O_NOFOLLOW : 0) |
	       ((mask & IN_ONLYDIR) ? O_DIRECTORY : 0);
}

/* Attempts of openat2() that a concurrent rename or ".." may cost. */
#define IN_ROOT_TRIES	4

/*
 * path beneath dirfd, which acts as "/": absolute paths, ".." and
 * symbolic links are clamped inside it, and magic links (/proc/N/root,
 * /proc/N/fd/M) refused (ELOOP).  The kernel answers EAGAIN when a
 * rename raced the walk; a few tries, then EAGAIN is the caller's.
 * Without openat2() (before 5.6, or refused by a seccomp filter) there
 * is no safe way: EOPNOTSUPP.
 */
static int open_in_root(struct targets *t, const struct inotify_wd_watch *w)
{
	int tries, fd = -1;

	if (w->dirfd == AT_FDCWD && enter(t, -1) < 0)
		return -1;
	for (tries = 0; tries < IN_ROOT_TRIES; tries++) {
		fd = iwd_sys_openat2(w->dirfd, w->path, lookup_flags(w->mask),
				     IWD_RESOLVE_IN_ROOT |
				     IWD_RESOLVE_NO_MAGICLINKS);
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		errno = EOPNOTSUPP;
	return fd;
}

/* Is fd the inode w names?  ESTALE if not. */
static int check_inode(int fd, const struct inotify_wd_watch *w)
{
	struct stat st;

	if (iwd_sys_fstat(fd, &st) < 0)
		return -1;
	if (st.st_dev == w->dev && st.st_ino == w->ino)
		return 0;
	errno = ESTALE;
	return -1;
}

/*
 * w's path.  By name where nothing more is asked (from the dirfd, which
 * becomes the working directory for a relative path); else held by an
 * O_PATH fd, beneath the dirfd (IN_ROOT) and checked to be w's inode
 * (verify).
 */
static int open_path(struct targets *t, const struct inotify_wd_watch *w,
		     bool verify, char *buf, size_t size, const char **path,
		     int *fd)
{
	int dir;

	if (w->flags & INOTIFY_WD_WATCH_IN_ROOT) {
		*fd = open_in_root(t, w);
	} else {
		/* A relative path resolves where the caller's cwd was. */
		if (w->path[0] != '/' &&
		    (dir_of(w, &dir) < 0 || enter(t, dir) < 0))
			return -1;
		*path = w->path;
		if (!verify)
			return 0;
		*fd = iwd_sys_open(w->path, lookup_flags(w->mask));
	}
	if (*fd < 0)
		return -1;
	if (verify && check_inode(*fd, w) < 0) {
		iwd_sys_close(*fd);
		*fd = -1;
		return -1;
	}
	*path = iwd_fd_path(*fd, buf, size);
	return 0;
}

/*
 * Why a handle of HANDLE_FIRST did not open, when the path may stand in:
 * the handle is stale or of a kind that never opens (overlayfs, procfs),
 * the privilege is missing, or no mount of its device is usable.  Out of
 * memory or descriptors, the path would fail the same way.
 */
static bool path_may_stand_in(int err)
{
	switch (err) {
	case ESTALE:
	case EOPNOTSUPP:
	case EPERM:
	case EACCES:
	case EINVAL:
	case ENODEV:
		return true;
	default:
		return false;
	}
}

/*
 * Resolve the target of w (not an OPEN_CB entry: restore.c calls the
 * caller for those) to a path inotify_add_watch() can take.  When it
 * is held by an fd, *fd receives it, to close after the add.  The rule
 * is inotify_wd_restore(3)'s "Targets": HANDLE_FIRST, then the path
 * (from a dirfd, beneath it, checked), then the handle.
 */
int iwd_target_open(struct targets *t, const struct inotify_wd_watch *w,
		    char *buf, size_t size, const char **path, int *fd)
{
	const bool verify = w->flags & (INOTIFY_WD_WATCH_SAME_INODE |
					INOTIFY_WD_WATCH_HANDLE_FIRST);

	*fd = -1;
	t->handle_error = 0;
	if (w->flags & INOTIFY_WD_WATCH_HANDLE_FIRST) {
		*fd = open_handle(t, w);
		if (*fd >= 0) {
			*path = iwd_fd_path(*fd, buf, size);
			return 0;
		}
		if (!path_may_stand_in(errno))
			return -1;
		t->handle_error = errno;
	}
	if (w->path)
		return open_path(t, w, verify, buf, size, path, fd);
	*fd = open_handle(t, w);
	if (*fd < 0)
		return -1;
	*path = iwd_fd_path(*fd, buf, size);
	return 0;
}
