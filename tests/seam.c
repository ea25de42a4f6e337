// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The test build's replacement for lib/sys.c: the same calls, passed to
 * the real kernel, but bent on request into the behaviour of kernels this
 * machine does not run, or failed on the k-th call (fault injection).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "seam.h"

struct seam seam;

static __thread unsigned long calls;

unsigned long iwd_sys_count(void)
{
	return calls;
}

/* Fault injection: true when this call of kind k is the one to fail. */
static bool inject(enum seam_call k)
{
	unsigned long n;

	calls++;
	/* atomic: the thread tests call through here from many threads */
	n = __atomic_add_fetch(&seam.count[k], 1, __ATOMIC_RELAXED);
	if (seam.fail_kind != k || seam.fail_at != n)
		return false;
	errno = seam.fail_errno;
	return true;
}

int iwd_sys_inotify_init(void)
{
	if (inject(SEAM_INIT))
		return -1;
	return inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
}

/* The bits kernels before 4.4 know; they drop the others silently. */
#define OLD_KERNEL_BITS \
	(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | \
	 IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD | \
	 IN_ISDIR | IN_ONESHOT)

/* Kernels before 4.4 drop unknown bits, IN_MASK_CREATE among them. */
static int add_old_kernel(int fd, const char *path, uint32_t mask)
{
	if (seam.mask_create == INOTIFY_WD_MASK_CREATE_IGNORED)
		mask &= OLD_KERNEL_BITS;
	if (seam.mask_create == INOTIFY_WD_MASK_CREATE_REJECTED &&
	    (mask & IN_MASK_CREATE)) {
		errno = EINVAL;
		return -1;
	}
	return inotify_add_watch(fd, path, mask);
}

int iwd_sys_add(int fd, const char *path, uint32_t mask)
{
	int wd;

	if (inject(SEAM_ADD))
		return -1;
	/* The probe's adds of "" (lib/probe.c) name no file to race with. */
	if (seam.before_add && *path)
		seam.before_add(fd, path);
	if (seam.no_proc_fd && strncmp(path, "/proc/", 6) == 0) {
		errno = ENOENT;
		return -1;
	}
	/* Before 3.10 the allocator stops at INT_MAX instead of wrapping. */
	if (seam.no_wrap && seam.last_wd == INT_MAX) {
		errno = ENOSPC;
		return -1;
	}
	wd = add_old_kernel(fd, path, mask);
	if (wd > 0)
		seam.last_wd = wd;
	return wd;
}

int iwd_sys_rm(int fd, int wd)
{
	if (inject(SEAM_RM))
		return -1;
	return inotify_rm_watch(fd, wd);
}

int iwd_sys_setnext(int fd, int wd)
{
	if (inject(SEAM_SETNEXT))
		return -1;
	if (seam.setnext_errno) {
		errno = seam.setnext_errno;
		return -1;
	}
	/* Not a tail call, as in lib/sys.c: valgrind must see this frame. */
	return ioctl(fd, INOTIFY_IOC_SETNEXTWD, (unsigned long)wd) < 0 ? -1 : 0;
}

int iwd_sys_nread(int fd, int *bytes)
{
	if (inject(SEAM_NREAD))
		return -1;
	return ioctl(fd, FIONREAD, bytes);
}

long iwd_sys_read(int fd, void *buf, size_t len)
{
	if (inject(SEAM_READ))
		return -1;
	return read(fd, buf, len);
}

static bool proc_hidden(const char *path)
{
	return seam.no_proc && strncmp(path, "/proc/", 6) == 0;
}

int iwd_sys_open(const char *path, int flags)
{
	if (inject(SEAM_OPEN))
		return -1;
	if (proc_hidden(path)) {
		errno = ENOENT;
		return -1;
	}
	if (strstr(path, "/fdinfo/"))
		seam.fdinfo_reads++;
	if (seam.fail_open && strstr(path, seam.fail_open)) {
		errno = seam.fail_errno;
		return -1;
	}
	return open(path, flags | O_CLOEXEC);
}

int iwd_sys_openat(int dirfd, const char *path, int flags)
{
	if (inject(SEAM_OPEN))
		return -1;
	return openat(dirfd, path, flags | O_CLOEXEC);
}

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
/* Plays a kernel before 5.6 (openat2_errno ENOSYS), or a rename race. */
int iwd_sys_openat2(int dirfd, const char *path, int flags,
		    uint64_t resolve)
{
	struct iwd_open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve
	};

	if (inject(SEAM_OPEN))	/* counted as an open */
		return -1;
	if (seam.openat2_errno) {
		errno = seam.openat2_errno;
		return -1;
	}
	if (seam.openat2_eagain) {
		seam.openat2_eagain--;
		errno = EAGAIN;
		return -1;
	}
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

int iwd_sys_close(int fd)
{
	calls++;
	return close(fd);
}

int iwd_sys_memfd(const char *name)
{
	if (inject(SEAM_MEMFD))
		return -1;
	return memfd_create(name, MFD_CLOEXEC);
}

int iwd_sys_open_by_handle(int mount_fd, int type, unsigned int bytes,
			   const unsigned char *handle, int flags)
{
	union iwd_file_handle h;

	if (inject(SEAM_HANDLE) || !iwd_file_handle_set(&h, type, bytes, handle))
		return -1;
	return open_by_handle_at(mount_fd, &h.fh, flags | O_CLOEXEC);
}

long iwd_sys_readlink(const char *path, char *buf, size_t size)
{
	if (inject(SEAM_READLINK))
		return -1;
	if (proc_hidden(path)) {
		errno = ENOENT;
		return -1;
	}
	return readlink(path, buf, size);
}

int iwd_sys_fchdir(int fd)
{
	if (inject(SEAM_CHDIR))
		return -1;
	return fchdir(fd);
}

int iwd_sys_unshare_fs(void)
{
	if (inject(SEAM_CHDIR))
		return -1;
	return unshare(CLONE_FS);
}

int iwd_sys_stat(const char *path, struct stat *st)
{
	if (inject(SEAM_STAT))
		return -1;
	if (proc_hidden(path)) {
		errno = ENOENT;
		return -1;
	}
	return stat(path, st);
}

int iwd_sys_fstat(int fd, struct stat *st)
{
	if (inject(SEAM_STAT))
		return -1;
	return fstat(fd, st);
}

int iwd_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	if (inject(SEAM_STAT))
		return -1;
	return fstatat(dirfd, path, st, flags);
}

int iwd_sys_fstatfs(int fd, struct statfs *sf)
{
	if (inject(SEAM_STAT))
		return -1;
	return fstatfs(fd, sf);
}

int iwd_sys_mounts_changed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLPRI };
	int n;

	if (inject(SEAM_READ))
		return -1;
	if (seam.before_mounts_poll)
		seam.before_mounts_poll();
	n = poll(&p, 1, 0);
	if (n < 0)
		return -1;
	return n > 0 && (p.revents & (POLLPRI | POLLERR | POLLNVAL)) != 0;
}

int iwd_sys_mount_id(int fd, int *id)
{
#ifdef HAVE_STRUCT_STATX_STX_MNT_ID
	struct statx sx;

	if (inject(SEAM_STAT))
		return -1;
	if (seam.no_mount_id) {
		errno = ENOSYS;
		return -1;
	}
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

int iwd_sys_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	if (inject(SEAM_THREAD))
		return -1;
	calls += 2;
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
