// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Restore targets given by file handle.
 *
 * open_by_handle_at() (CAP_DAC_READ_SEARCH) needs an fd on the target's
 * filesystem; when the caller gives none, a mount of the device is looked
 * up in /proc/self/mountinfo.  The file is opened O_PATH and watched as
 * /proc/self/fd/N: an O_PATH open and its close queue no IN_OPEN or
 * IN_CLOSE_NOWRITE on existing watches, unlike the read-only open CRIU
 * used, which later had to drain those events again.
 *
 * The kernel refuses an O_PATH fd as the mount anchor, and opening the
 * mount's root directory for real would queue IN_OPEN/IN_CLOSE_NOWRITE on
 * any watch of that directory (a watch on the root of a tmpfs is common).
 * So the opens run in a helper thread that has unshared its filesystem
 * context: it fchdir()s to the mount's O_PATH fd and opens relative to
 * AT_FDCWD, touching neither the caller's cwd nor any watched inode.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * The mount point of a mount of dev, preferring one that shows the whole
 * filesystem (root "/"): a handle outside a bind mount's subtree may not
 * open through it.  Returns a malloc()ed path, or NULL with errno
 * (ENODEV: no mount of dev).
 */
static char *find_mount(dev_t dev)
{
	char *text, *line, *save = NULL, *best = NULL;
	bool found = false;
	unsigned int maj, min;
	char root[4096], point[4096];
	size_t len;

	if (iwd_read_file("/proc/self/mountinfo", &text, &len) < 0)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%*d %*d %u:%u %4095s %4095s",
			   &maj, &min, root, point) != 4 ||
		    makedev(maj, min) != dev)
			continue;
		found = true;
		if (best && strcmp(root, "/") != 0)
			continue;
		free(best);
		unescape(point);
		best = strdup(point);
		if (!best || strcmp(root, "/") == 0)
			break;
	}
	free(text);
	if (!best)
		errno = found ? ENOMEM : ENODEV;
	return best;
}

static int mount_path_fd(struct mounts *ms, dev_t dev)
{
	struct mount_fd *p;
	char *point;
	int fd;
	size_t i;

	for (i = 0; i < ms->n; i++)
		if (ms->m[i].dev == dev)
			return ms->m[i].fd;
	point = find_mount(dev);
	if (!point)
		return -1;
	fd = iwd_sys_open(point, O_PATH | O_DIRECTORY);
	free(point);
	if (fd < 0)
		return -1;
	p = realloc(ms->m, (ms->n + 1) * sizeof(*p));
	if (!p) {
		iwd_sys_close(fd);
		errno = ENOMEM;
		return -1;
	}
	ms->m = p;
	ms->m[ms->n].dev = dev;
	ms->m[ms->n++].fd = fd;
	return fd;
}

static void *opener_main(void *arg)
{
	struct opener *o = arg;
	int setup_err = 0;

	if (unshare(CLONE_FS) < 0)
		setup_err = errno;
	for (;;) {
		sem_wait(&o->go);
		if (o->quit)
			break;
		o->fd = -1;
		o->err = setup_err;
		if (!setup_err && fchdir(o->dir_fd) < 0)
			o->err = errno;
		if (!o->err) {
			o->fd = iwd_sys_open_by_handle(AT_FDCWD,
						       o->w->handle_type,
						       o->w->handle_bytes,
						       o->w->handle, O_PATH);
			o->err = o->fd < 0 ? errno : 0;
		}
		sem_post(&o->done);
	}
	return NULL;
}

/* The helper takes no signal: the caller's handlers stay in its threads. */
static int opener_start(struct opener *o)
{
	sigset_t all, old;
	int err;

	if (sem_init(&o->go, 0, 0) < 0 || sem_init(&o->done, 0, 0) < 0)
		return -1;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&o->thread, NULL, opener_main, o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		errno = err;
		return -1;
	}
	o->started = true;
	return 0;
}

static int opener_open(struct opener *o, int dir_fd,
		       const struct inotify_wd_watch *w)
{
	if (!o->started && opener_start(o) < 0)
		return -1;
	o->dir_fd = dir_fd;
	o->w = w;
	sem_post(&o->go);
	while (sem_wait(&o->done) < 0)
		;
	errno = o->err;
	return o->fd;
}

void iwd_mounts_free(struct mounts *ms)
{
	size_t i;

	if (ms->opener.started) {
		ms->opener.quit = true;
		sem_post(&ms->opener.go);
		pthread_join(ms->opener.thread, NULL);
		sem_destroy(&ms->opener.go);
		sem_destroy(&ms->opener.done);
	}
	for (i = 0; i < ms->n; i++)
		iwd_sys_close(ms->m[i].fd);
	free(ms->m);
	memset(ms, 0, sizeof(*ms));
}

/*
 * Resolve the target of w to a path inotify_add_watch() can take.  For a
 * handle, *fd receives the O_PATH fd to close after the add.
 */
int iwd_target_open(struct mounts *ms, const struct inotify_wd_watch *w,
		char *buf, size_t size, const char **path, int *fd)
{
	int mfd;

	*fd = -1;
	if (w->path) {
		*path = w->path;
		return 0;
	}
	if (w->flags & INOTIFY_WD_WATCH_MOUNT_FD) {
		*fd = iwd_sys_open_by_handle(w->mount_fd, w->handle_type,
					 w->handle_bytes, w->handle, O_PATH);
	} else {
		mfd = mount_path_fd(ms, w->dev);
		*fd = mfd < 0 ? -1 : opener_open(&ms->opener, mfd, w);
	}
	if (*fd < 0)
		return -1;
	snprintf(buf, size, "/proc/self/fd/%d", *fd);
	*path = buf;
	return 0;
}
