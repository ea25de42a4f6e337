// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * How many bytes of events are queued on another process's instance.
 *
 * FIONREAD gives the queue size without reading any of it, but only on an
 * fd of our own.  pidfd_getfd(2) (Linux 5.6) duplicates the target's fd
 * into this process: the copy shares the open file, hence the queue, and
 * closing it releases nothing while the target keeps its fd.  It needs
 * PTRACE_MODE_ATTACH on the target (root, or the same user where Yama
 * allows it), more than reading fdinfo does: without it the size stays
 * unknown, and says why.
 *
 * The process may put another file at the fd number between our listing
 * and the copy, hostile or not: so the copy, which is ours and cannot
 * change, is checked to be an inotify instance before FIONREAD reaches
 * whatever driver (or FUSE daemon) a different file would send it to.
 * Its /proc/self/fd link names the kind of anonymous inode; fstat()
 * could not, since eventfd, epoll, timerfd and inotify share one inode.
 * A file that is not inotify ends the dump: what fdinfo said of that
 * number a moment before no longer describes the process.
 *
 * Called through syscall(): glibc has wrappers only from 2.36, musl none.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tool.h"

static int sys_pidfd_open(int pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static int sys_pidfd_getfd(int pidfd, int fd)
{
#ifdef SYS_pidfd_getfd
	return (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
#else
	(void)pidfd;
	(void)fd;
	errno = ENOSYS;
	return -1;
#endif
}

void peek_open(struct peek *pk, int pid)
{
	pk->pid = pid;
	pk->pidfd = sys_pidfd_open(pid);
	pk->err = pk->pidfd < 0 ? errno : 0;
}

static void unknown(struct instance *in, int err)
{
	in->pending = -1;
	in->pending_err = err;
}

/*
 * The copy of a file that is not inotify is closed all the same: no way
 * of dropping an fd skips the file's flush, which on FUSE asks the
 * daemon, so a hostile process can still make that close wait.  Keeping
 * it until exit would only move the wait there.
 */
static int changed(struct peek *pk, int fd, int copy)
{
	close(copy);
	errmsg("pid %d fd %d: no longer an inotify instance (the process replaced it during the dump)",
	       pk->pid, fd);
	return -1;
}

int peek_pending(struct peek *pk, int fd, struct instance *in)
{
	int copy, bytes, ret;

	if (pk->pidfd < 0) {
		unknown(in, pk->err);
		return 0;
	}
	copy = sys_pidfd_getfd(pk->pidfd, fd);
	if (copy < 0) {
		unknown(in, errno);
		return 0;
	}
	ret = proc_is_inotify(0, copy);
	if (ret == 0)
		return changed(pk, fd, copy);
	if (ret < 0)
		unknown(in, errno);
	else if (ioctl(copy, FIONREAD, &bytes) < 0)
		unknown(in, errno);
	else
		in->pending = bytes;
	close(copy);
	return 0;
}

void peek_close(struct peek *pk)
{
	if (pk->pidfd >= 0)
		close(pk->pidfd);
	pk->pidfd = -1;
}

const char *peek_why(int err)
{
	switch (err) {
	case ENOSYS:
		return "pidfd_getfd() needs Linux 5.6";
	case EPERM:
		return "pidfd_getfd() needs ptrace access to the process";
	default:
		return strerror(err);
	}
}
