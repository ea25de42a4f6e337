// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The system calls libinotifywd issues, and nothing else.
 *
 * This file is the seam the test suite replaces (tests/seam.c) to play
 * kernels this machine does not run.  The library proper links this file,
 * so production calls go straight to the kernel; the only extra work is a
 * thread-local counter that feeds inotify_wd_stats.syscalls.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/*
 * The default TLS model, not initial-exec: checkpoint tools load plugins
 * with dlopen(), and a library with static TLS (DF_STATIC_TLS) loads late
 * only while the C library's reserve of static TLS lasts.  It costs a
 * __tls_get_addr() call per system call, nanoseconds next to the call.
 */
static __thread unsigned long calls;

unsigned long iwd_sys_count(void)
{
	return calls;
}

int iwd_sys_inotify_init(void)
{
	calls++;
	return inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
}

int iwd_sys_add(int fd, const char *path, uint32_t mask)
{
	calls++;
	return inotify_add_watch(fd, path, mask);
}

int iwd_sys_rm(int fd, int wd)
{
	calls++;
	return inotify_rm_watch(fd, wd);
}

int iwd_sys_setnext(int fd, int wd)
{
	calls++;
	/*
	 * The kernel takes the wd by value, not through a pointer.  The
	 * result is tested, not returned as is, so that the call is not a
	 * tail call: this frame stays under ioctl(), where the valgrind
	 * suppression for static links finds it (lib/libinotifywd.supp).
	 */
	return ioctl(fd, INOTIFY_IOC_SETNEXTWD, (unsigned long)wd) < 0 ? -1 : 0;
}

int iwd_sys_nread(int fd, int *bytes)
{
	calls++;
	return ioctl(fd, FIONREAD, bytes);
}

long iwd_sys_read(int fd, void *buf, size_t len)
{
	calls++;
	return read(fd, buf, len);
}

int iwd_sys_open(const char *path, int flags)
{
	calls++;
	return open(path, flags | O_CLOEXEC);
}

int iwd_sys_openat(int dirfd, const char *path, int flags)
{
	calls++;
	return openat(dirfd, path, flags | O_CLOEXEC);
}

/*
 * openat2() by number: glibc before 2.36 has no wrapper, nor has musl.
 * Its number is 437 on every architecture but alpha (all share the
 * table since Linux 5.1).  ENOSYS before Linux 5.6.
 */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
int iwd_sys_openat2(int dirfd, const char *path, int flags,
		    uint64_t resolve)
{
	struct iwd_open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve
	};

	calls++;
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

int iwd_sys_close(int fd)
{
	calls++;
	return close(fd);
}

int iwd_sys_memfd(const char *name)
{
	calls++;
#ifdef HAVE_MEMFD_CREATE
	return memfd_create(name, MFD_CLOEXEC);
#else
	return (int)syscall(SYS_memfd_create, name, 1U /* MFD_CLOEXEC */);
#endif
}

/* open_by_handle_at() from the bytes fdinfo shows. */
int iwd_sys_open_by_handle(int mount_fd, int type, unsigned int bytes,
			   const unsigned char *handle, int flags)
{
	union iwd_file_handle h;

	calls++;
	if (!iwd_file_handle_set(&h, type, bytes, handle))
		return -1;
	return open_by_handle_at(mount_fd, &h.fh, flags | O_CLOEXEC);
}

long iwd_sys_readlink(const char *path, char *buf, size_t size)
{
	calls++;
	return readlink(path, buf, size);
}

int iwd_sys_fchdir(int fd)
{
	calls++;
	return fchdir(fd);
}

/* A working directory of this thread's own, apart from the process's. */
int iwd_sys_unshare_fs(void)
{
	calls++;
	return unshare(CLONE_FS);
}

int iwd_sys_stat(const char *path, struct stat *st)
{
	calls++;
	return stat(path, st);
}

int iwd_sys_fstat(int fd, struct stat *st)
{
	calls++;
	return fstat(fd, st);
}

int iwd_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	calls++;
	return fstatat(dirfd, path, st, flags);
}

int iwd_sys_fstatfs(int fd, struct statfs *sf)
{
	calls++;
	return fstatfs(fd, sf);
}

/*
 * Whether the mount table fd (an open /proc/PID/mountinfo) reads changed
 * since it was opened: the kernel flags it POLLPRI (and POLLERR).  1 yes,
 * 0 no, -1 with errno.
 */
int iwd_sys_mounts_changed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLPRI };
	int n;

	calls++;
	n = poll(&p, 1, 0);
	if (n < 0)
		return -1;
	return n > 0 && (p.revents & (POLLPRI | POLLERR | POLLNVAL)) != 0;
}

/*
 * The id of the mount fd is on, as the first field of mountinfo shows
 * it: statx() has it from Linux 5.8 on.  ENOSYS where it does not.
 */
int iwd_sys_mount_id(int fd, int *id)
{
#ifdef HAVE_STRUCT_STATX_STX_MNT_ID
	struct statx sx;

	calls++;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0)
		return -1;
	if (sx.stx_mask & STATX_MNT_ID) {
		*id = (int)sx.stx_mnt_id;
		return 0;
	}
#else
	(void)fd;
	(void)id;
#endif
	errno = ENOSYS;
	return -1;
}

long iwd_sys_getdents(int fd, void *buf, size_t size)
{
	calls++;
	return syscall(SYS_getdents64, fd, buf, size);
}

int iwd_sys_nofile_limit(unsigned long *limit)
{
	struct rlimit r;

	calls++;
	if (getrlimit(RLIMIT_NOFILE, &r) < 0)
		return -1;
	*limit = r.rlim_cur == RLIM_INFINITY ? (unsigned long)-1 :
					       (unsigned long)r.rlim_cur;
	return 0;
}

/*
 * The thread takes no signal, so the caller's handlers keep running in
 * its own threads.  Counted as the three calls strace shows: the mask is
 * set, the thread cloned, the mask put back.
 */
int iwd_sys_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	calls += 3;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void iwd_sys_thread_join(pthread_t t)
{
	calls++;
	pthread_join(t, NULL);
}

/* Counted as the futex call each takes when the other side waits. */
void iwd_sys_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock)
{
	calls++;
	pthread_cond_wait(cond, lock);
}

void iwd_sys_cond_wake(pthread_cond_t *cond)
{
	calls++;
	pthread_cond_broadcast(cond);
}
