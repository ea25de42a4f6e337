/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 the libinotifywd authors */
/*
 * libinotifywd: create inotify watches under a chosen watch descriptor.
 *
 * A restored program still holds the wd numbers it had before the
 * checkpoint, so a restore tool must recreate every watch under exactly
 * the same number.  Linux 4.17 added INOTIFY_IOC_SETNEXTWD for this (only
 * with CONFIG_CHECKPOINT_RESTORE); on other kernels the library cycles
 * inotify_add_watch()/inotify_rm_watch() within a bound, without touching
 * the caller's watches or events.
 *
 * This header is a compatibility shim as well: it includes
 * <sys/inotify.h> (never <linux/inotify.h>, which clashes with it) and
 * provides INOTIFY_IOC_SETNEXTWD and IN_MASK_CREATE when the C library's
 * headers are too old to have them.
 *
 * Conventions: every call returns -1 and sets errno on failure, and on
 * failure no watch the call created remains; a watch of the caller's is
 * never removed or modified.  The man page of each call (man 3
 * inotify_add_watch_at, ...) is the one complete list of its errno
 * values; libinotifywd(7) is the overview.
 * Link with -linotifywd (pkg-config --libs inotify-wd).
 */
#ifndef INOTIFY_WD_H
#define INOTIFY_WD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>
#include <sys/sysmacros.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE		0x10000000	/* Linux 4.19+ */
#endif

#ifndef INOTIFY_IOC_SETNEXTWD
#define INOTIFY_IOC_SETNEXTWD	_IOW('I', 0, int32_t)	/* Linux 4.17+ */
#endif

/* Mask bits inotify_add_watch_at() accepts besides the IN_ALL_EVENTS bits. */
#define INOTIFY_WD_MASK_FLAGS \
	(IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE | \
	 IN_ONESHOT)

/*
 * Default bound on the add/rm cycles of the fallback: a few seconds of
 * the kernel's own add/rm cost (make bench measures it; see README).
 */
#define INOTIFY_WD_DEFAULT_MAX_CYCLES	1048576UL

/* inotify_wd_opts.flags */
#define INOTIFY_WD_FALLBACK	(1U << 0)	/* never use the ioctl */
#define INOTIFY_WD_NO_FALLBACK	(1U << 1)	/* fail rather than cycle */
#define INOTIFY_WD_NO_ROLLBACK	(1U << 2)	/* restore: keep what worked */
/*
 * The caller promises that @fd holds none of its watches (a new instance,
 * as a checkpoint tool restores into): each watch then costs one add on
 * every kernel, with no snapshot of the instance.  A watch the call meets
 * that is not its own gets EEXIST, its mask replaced: hence a promise.
 */
#define INOTIFY_WD_FRESH	(1U << 3)
#define INOTIFY_WD_NO_WALK	(1U << 4)	/* find_paths: never walk a tree */

/* Called by the fallback from time to time while it cycles. */
typedef void inotify_wd_progress_fn(unsigned long done, unsigned long total,
				    void *arg);

struct inotify_wd_watch;

/*
 * Opens the target of entry @w (index @i in the caller's array) of a
 * restore, for entries with INOTIFY_WD_WATCH_OPEN_CB: called in the
 * calling thread, in ascending wd order, just before the entry's watch is
 * made.  Returns an fd of any kind (O_PATH is enough), which the library
 * owns and closes; or -1 with errno set, which fails the entry.
 */
typedef int inotify_wd_open_fn(const struct inotify_wd_watch *w, size_t i,
			       void *arg);

/* inotify_wd_result.method of inotify_wd_find_paths() */
#define INOTIFY_WD_FOUND_NONE		0	/* no path: see error */
#define INOTIFY_WD_FOUND_GIVEN		1	/* the entry had a path */
#define INOTIFY_WD_FOUND_HANDLE		2	/* its handle, opened */
#define INOTIFY_WD_FOUND_LAYER		3	/* an overlayfs layer's handle */
#define INOTIFY_WD_FOUND_WALK		4	/* a walk of its mount */

/*
 * What became of one entry of a restore or of inotify_wd_find_paths():
 * an array of @count of these, one per entry in the caller's order, given
 * in inotify_wd_opts.results.  This structure never changes size.
 */
struct inotify_wd_result {
	int wd;			/* restore: the entry's wd if its watch exists
				 * when the call returns, else 0 */
	int error;		/* 0, or the errno of this entry's failure
				 * (find_paths: why it has no path) */
	unsigned int method;	/* restore: INOTIFY_WD_METHOD_*;
				 * find_paths: INOTIFY_WD_FOUND_* */
	int handle_error;	/* INOTIFY_WD_WATCH_HANDLE_FIRST: why the
				 * handle was passed over for the path */
	uint64_t cycles;	/* fallback cycles spent on this entry */
	uint64_t reserved[2];	/* zeroed by the library */
};

/* Padding that keeps a pointer's slot 64 bits wide on 32-bit ABIs. */
#if UINTPTR_MAX > 0xffffffffU
#define INOTIFY_WD_PTR_PAD(name)
#else
#define INOTIFY_WD_PTR_PAD(name)	uint32_t name;
#endif

/*
 * How the public structures grow (the rule for every later version):
 *
 * inotify_wd_opts, inotify_wd_stats and inotify_wd_features never change
 * size.  Each ends in reserved space; a later version takes new fields
 * out of it.  The library refuses (EINVAL) options whose reserved space
 * is not zero, so a caller built against a later header that sets a new
 * field gets a clear error from an older library instead of having it
 * ignored; where zero is a meaningful value of a new field, a new flag
 * bit says that the field is set.  Outputs are written whole, reserved
 * space zeroed, and never larger than the structure the caller has.
 *
 * struct inotify_wd_watch does grow: it is an array element, and a
 * reserve in each of a million entries would cost memory for nothing.
 * Every call that takes or returns an array of them also takes the size
 * of one element, which the caller gives as sizeof(struct
 * inotify_wd_watch) from the header it was built with.  The library reads
 * and writes only that many bytes of each element: fields an older caller
 * does not have count as zero, bytes of a newer caller's fields that the
 * library does not know must be zero (E2BIG otherwise, as openat2(2)),
 * and returned arrays have that stride, with unknown fields zeroed.
 *
 * In every structure, zero means the default: a zeroed structure asks
 * for the default behaviour, and new fields keep that rule.
 */

/*
 * Per-call options.  A NULL pointer, or a zeroed structure, means the
 * defaults: the ioctl when the kernel has it, else the fallback bounded by
 * INOTIFY_WD_DEFAULT_MAX_CYCLES.
 */
struct inotify_wd_opts {
	unsigned int flags;		/* INOTIFY_WD_* flags above */
	unsigned long max_cycles;	/* 0: INOTIFY_WD_DEFAULT_MAX_CYCLES */
	inotify_wd_progress_fn *progress;	/* may be NULL */
	void *progress_arg;
	/* restore: opens entries with INOTIFY_WD_WATCH_OPEN_CB */
	inotify_wd_open_fn *open_target;
	INOTIFY_WD_PTR_PAD(pad0)		/* must be zero */
	void *open_target_arg;
	INOTIFY_WD_PTR_PAD(pad1)		/* must be zero */
	/* NULL, or count results: one per entry, filled in by the call */
	struct inotify_wd_result *results;
	INOTIFY_WD_PTR_PAD(pad2)		/* must be zero */
	uint64_t max_walk;		/* find_paths: 0: 1,000,000 dirents */
	uint64_t reserved[4];		/* must be zero */
};

/* inotify_wd_stats.method */
#define INOTIFY_WD_METHOD_NONE		0	/* no wd was placed */
#define INOTIFY_WD_METHOD_IOCTL		1	/* INOTIFY_IOC_SETNEXTWD */
#define INOTIFY_WD_METHOD_CYCLE		2	/* add/rm cycling */
#define INOTIFY_WD_METHOD_PLAIN		3	/* the cursor was already there */

/* What a call did; filled in on success and on failure. */
struct inotify_wd_stats {
	unsigned int method;	/* INOTIFY_WD_METHOD_*, of the last watch */
	unsigned long cycles;	/* add/rm cycles spent by the fallback */
	unsigned long syscalls;	/* system calls issued, probes excluded */
	size_t failed;		/* restore: the failing entry, or count */
	uint64_t reserved[8];	/* zeroed by the library */
};

/*
 * inotify_add_watch_at - create a new watch with a chosen wd
 * @fd:   an inotify instance
 * @path: the file or directory to watch (resolved like inotify_add_watch)
 * @mask: IN_* event bits, optionally with IN_ONLYDIR, IN_DONT_FOLLOW,
 *        IN_EXCL_UNLINK, IN_ONESHOT or IN_MASK_CREATE (implied anyway)
 * @wd:   the watch descriptor the new watch must get, 1..INT_MAX
 *
 * Never modifies or removes a watch that already exists on @fd.  Uses
 * INOTIFY_IOC_SETNEXTWD when the kernel has it, else the bounded fallback
 * (see inotify_wd_add_watch()).  Returns @wd, or -1 with errno: see
 * inotify_add_watch_at(3).
 */
int inotify_add_watch_at(int fd, const char *path, uint32_t mask, int wd);

/*
 * inotify_wd_add_watch - inotify_add_watch_at() with options and stats
 * @opts:  NULL for the defaults
 * @stats: NULL, or where to report the method, cycles and syscalls
 *
 * Returns @wd, or -1 with errno: see inotify_add_watch_at(3).
 */
int inotify_wd_add_watch(int fd, const char *path, uint32_t mask, int wd,
			 const struct inotify_wd_opts *opts,
			 struct inotify_wd_stats *stats);

/*
 * inotify_wd_set_next - choose the wd the next new watch on @fd gets
 * @wd: 1..INT_MAX
 *
 * After success, the next inotify_add_watch() that creates a watch gets
 * @wd if it is free, else the lowest free wd above it.  The fallback
 * cannot move the cursor backwards without a wrap.  Returns 0, or -1 with
 * errno: see inotify_wd_set_next(3).
 */
int inotify_wd_set_next(int fd, int wd, const struct inotify_wd_opts *opts,
			struct inotify_wd_stats *stats);

/* Largest file handle the kernel encodes (MAX_HANDLE_SZ). */
#define INOTIFY_WD_HANDLE_MAX	128

/* inotify_wd_watch.flags */
#define INOTIFY_WD_WATCH_MOUNT_FD (1U << 0)	/* @mount_fd is set */
/* @path is resolved from @dirfd, as openat() does; AT_FDCWD allowed */
#define INOTIFY_WD_WATCH_DIRFD	(1U << 1)
/* ... and never leaves it: @dirfd acts as "/" (RESOLVE_IN_ROOT) */
#define INOTIFY_WD_WATCH_IN_ROOT (1U << 2)
/* the target is what inotify_wd_opts.open_target returns */
#define INOTIFY_WD_WATCH_OPEN_CB (1U << 3)
/* the handle; where it cannot be opened, @path (checked as SAME_INODE) */
#define INOTIFY_WD_WATCH_HANDLE_FIRST (1U << 4)
/* a @path target must still be the inode @dev/@ino (else ESTALE) */
#define INOTIFY_WD_WATCH_SAME_INODE (1U << 5)

/*
 * One watch: what inotify_wd_dump() reads, and what inotify_wd_restore()
 * creates.  The target of a restore is, by @flags: what the open_target
 * callback returns (OPEN_CB); the handle, else @path (HANDLE_FIRST);
 * @path when it is not NULL, from @dirfd with DIRFD, beneath it with
 * IN_ROOT; else the file handle, opened relative to @mount_fd when @flags
 * has INOTIFY_WD_WATCH_MOUNT_FD, otherwise relative to a mount of @dev
 * that the library finds in /proc/self/mountinfo.  inotify_wd_restore(3)
 * gives the whole rule.  Arrays of these are passed with the size of one
 * element (see "How the public structures grow").
 */
struct inotify_wd_watch {
	int wd;
	uint32_t mask;		/* IN_* bits inotify_add_watch accepts */
	uint32_t ignored_mask;	/* as printed; always 0 on Linux */
	unsigned int flags;	/* INOTIFY_WD_WATCH_* */
	uint64_t ino;
	dev_t dev;		/* userspace dev_t, as in struct stat */
	int handle_type;
	unsigned int handle_bytes;	/* 0: the kernel printed no handle */
	unsigned char handle[INOTIFY_WD_HANDLE_MAX];
	const char *path;	/* restore target; NULL: use the handle */
	int mount_fd;		/* with INOTIFY_WD_WATCH_MOUNT_FD */
	int dirfd;		/* with INOTIFY_WD_WATCH_DIRFD */
};

/*
 * The dev_t of a device number as the kernel prints it in fdinfo's sdev
 * and as CRIU's images keep it (major << 20 | minor).
 */
static inline dev_t inotify_wd_dev_from_kernel(uint32_t sdev)
{
	return makedev(sdev >> 20, sdev & 0xfffff);
}

/*
 * inotify_wd_parse - parse the text of /proc/PID/fdinfo/FD
 * @text, @len: the text (need not be NUL-terminated)
 * @out:   receives a malloc()ed array in ascending wd order (free() it);
 *         NULL when there are no watches
 * @count: receives its length
 * @size:  sizeof(struct inotify_wd_watch), the element size of *@out
 *
 * Masks keep only the bits inotify_add_watch() accepts.  Returns 0, or -1
 * with errno: see inotify_wd_parse(3).
 */
int inotify_wd_parse(const char *text, size_t len,
		     struct inotify_wd_watch **out, size_t *count, size_t size);

/*
 * inotify_wd_dump - read the watches of inotify fd @fd of process @pid
 * (0: this process) from /proc/PID/fdinfo/FD, as inotify_wd_parse().
 *
 * Returns 0, or -1 with errno: see inotify_wd_dump(3).
 */
int inotify_wd_dump(pid_t pid, int fd, struct inotify_wd_watch **out,
		    size_t *count, size_t size);

/*
 * inotify_wd_restore - create @count watches on @fd, each with its wd
 * @size: sizeof(struct inotify_wd_watch), the element size of @watches
 *
 * Watches are created in ascending wd order in one pass, whatever the
 * order of @watches.  All or nothing, unless INOTIFY_WD_NO_ROLLBACK:
 * @stats->failed names the entry that failed (the index in @watches), or
 * is @count.  Returns 0, or -1 with errno: see inotify_wd_restore(3).
 */
int inotify_wd_restore(int fd, const struct inotify_wd_watch *watches,
		       size_t count, size_t size,
		       const struct inotify_wd_opts *opts,
		       struct inotify_wd_stats *stats);

/*
 * inotify_wd_find_paths - find a path for each watch, as @pid sees it
 * @pid:     the process whose root and mounts give the view (0: this one)
 * @watches: @count entries, @size bytes each (from inotify_wd_dump());
 *           each entry whose @path is NULL gets one, absolute in @pid's
 *           root and checked to name @dev/@ino when the call looked
 * @opts:    NULL, or: results (per entry: method INOTIFY_WD_FOUND_*, or
 *           error), max_walk, INOTIFY_WD_NO_WALK
 * @strings: receives one malloc()ed block holding every path set (NULL if
 *           none); free(*@strings) frees them all, after the array's last
 *           use
 *
 * Returns how many entries are left without a path, or -1 with errno:
 * see inotify_wd_find_paths(3).
 */
ssize_t inotify_wd_find_paths(pid_t pid, struct inotify_wd_watch *watches,
			      size_t count, size_t size,
			      const struct inotify_wd_opts *opts,
			      char **strings);

/* inotify_wd_features.mask_create */
#define INOTIFY_WD_MASK_CREATE_HONOURED	1	/* 4.19+ */
#define INOTIFY_WD_MASK_CREATE_REJECTED	2	/* 4.4-4.18: EINVAL */
#define INOTIFY_WD_MASK_CREATE_IGNORED	3	/* before 4.4 */

/* What the kernel offers this process, probed once per process. */
struct inotify_wd_features {
	int setnextwd;		/* 1: INOTIFY_IOC_SETNEXTWD works */
	int setnextwd_errno;	/* why not: ENOTTY, EPERM, ...; else 0 */
	int mask_create;	/* INOTIFY_WD_MASK_CREATE_* */
	int env;		/* INOTIFY_WD_ENV_*: what the environment set */
	uint64_t env_max_cycles;	/* INOTIFYWD_MAX_CYCLES, or 0 */
	uint64_t reserved[6];	/* zeroed by the library */
};

/* inotify_wd_features.env: the consumer switches (libinotifywd(7)) */
#define INOTIFY_WD_ENV_FALLBACK		(1 << 0)	/* INOTIFYWD_FALLBACK=1 */
#define INOTIFY_WD_ENV_MAX_CYCLES	(1 << 1)	/* INOTIFYWD_MAX_CYCLES=N */
#define INOTIFY_WD_ENV_IGNORED		(1 << 2)	/* set, not understood */

/*
 * inotify_wd_get_features - report the cached probe results
 * Returns 0, or -1 with errno: see inotify_wd_get_features(3).
 */
int inotify_wd_get_features(struct inotify_wd_features *f);

#ifdef __cplusplus
}
#endif

#endif /* INOTIFY_WD_H */
