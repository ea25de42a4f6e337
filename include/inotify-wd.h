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
 * Conventions: every call returns -1 (or NULL) and sets errno on failure.
 * Only the errno values listed for a call are returned by the library
 * itself; errors of the underlying system calls pass through unchanged.
 * Link with -linotifywd (pkg-config --libs inotify-wd).
 */
#ifndef INOTIFY_WD_H
#define INOTIFY_WD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/inotify.h>

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
 * Default bound on the add/rm cycles of the fallback: 5-7 s measured on a
 * 2-core x86_64 VM running 6.18 (4.4 us per cycle at small wds, up to
 * 6 us at large ones, where the kernel's id tree is deeper).
 */
#define INOTIFY_WD_DEFAULT_MAX_CYCLES	1048576UL

/* inotify_wd_opts.flags */
#define INOTIFY_WD_FALLBACK	(1U << 0)	/* never use the ioctl */
#define INOTIFY_WD_NO_FALLBACK	(1U << 1)	/* fail rather than cycle */
#define INOTIFY_WD_NO_ROLLBACK	(1U << 2)	/* restore: keep what worked */

/* Called by the fallback from time to time while it cycles. */
typedef void inotify_wd_progress_fn(unsigned long done, unsigned long total,
				    void *arg);

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
	uint64_t reserved[8];		/* must be zero */
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
 * (see inotify_wd_add_watch()).
 *
 * Returns @wd, or -1 with errno:
 *   EINVAL  @wd < 1; @mask has no event bit, has IN_MASK_ADD or an unknown
 *           bit; @fd is not an inotify instance.
 *   EFAULT  @path is NULL.
 *   EEXIST  the inode is already watched on @fd; that watch is unchanged.
 *   EBUSY   @wd belongs to another watch on @fd.  Without a readable
 *           /proc/self/fdinfo the fallback only notices a busy @wd when it
 *           passes it, and a busy @wd behind the cursor gives ERANGE.
 *   ERANGE  the fallback would need more cycles than its bound (@wd is
 *           behind the allocator's cursor, or too far ahead of it), or the
 *           kernel's allocator cannot reach @wd (no wrap before 3.10).
 *   EAGAIN  the fallback had to cycle while the queue held events the
 *           library did not cause: it refuses to start on a non-empty
 *           queue (nothing changed), and stops if such an event arrives
 *           while it cycles (its own IN_IGNORED events from the last
 *           drain on, at most 1024, then stay queued).
 *   ESTALE  @path named another inode at the add that gives the watch
 *           its mask than at the add that created it: renamed meanwhile,
 *           or a file system (hostfs) that makes a new inode per lookup.
 *           The stray watch is removed too; retrying will not help on
 *           such a file system.
 *   EOPNOTSUPP the kernel lacks IN_MASK_CREATE (before 4.19) and
 *           /proc/self/fdinfo is unreadable, so the library cannot prove
 *           the target is not watched already.
 *   EMFILE, ENFILE, ENOMEM, ENOSPC  the once-per-process probe could not
 *           create its private instance or watch (the next call probes
 *           again).
 *   and any error of inotify_add_watch(2) (ENOENT, EACCES, ENOSPC, ENOMEM,
 *   EBADF, ENOTDIR, ENAMETOOLONG, ELOOP, ...), unchanged.
 * On failure no watch created by the call remains.  The allocator's
 * cursor is not restored: the kernel offers no way to read it.
 *
 * @path is resolved at each add the call makes.  On 4.19+ the add that
 * creates the watch at @wd carries IN_MASK_CREATE with the caller's mask,
 * so a file renamed onto @path meanwhile gives EEXIST.  One case remains
 * where a second add sets the mask (the fallback's first add already
 * landed on @wd, and on kernels without IN_MASK_CREATE): a new inode at
 * @path by then gives ESTALE, but renaming another file that @fd watches
 * onto @path between the two is a race the library cannot see, as with
 * any path-based call.
 */
int inotify_add_watch_at(int fd, const char *path, uint32_t mask, int wd);

/*
 * inotify_wd_add_watch - inotify_add_watch_at() with options and stats
 * @opts:  NULL for the defaults
 * @stats: NULL, or where to report the method, cycles and syscalls
 *
 * Errors as inotify_add_watch_at(), plus:
 *   EINVAL     unknown bits in @opts->flags, or both INOTIFY_WD_FALLBACK
 *              and INOTIFY_WD_NO_FALLBACK.
 *   EOPNOTSUPP INOTIFY_WD_NO_FALLBACK and the ioctl is unavailable.
 */
int inotify_wd_add_watch(int fd, const char *path, uint32_t mask, int wd,
			 const struct inotify_wd_opts *opts,
			 struct inotify_wd_stats *stats);

/*
 * inotify_wd_set_next - choose the wd the next new watch on @fd gets
 * @wd: 1..INT_MAX
 *
 * After success, the next inotify_add_watch() that creates a watch gets
 * @wd if it is free, else the lowest free wd above it.  The fallback moves
 * the cursor with add/rm cycles on a private inode (a memfd reached
 * through /proc/self/fd), so it cannot move it backwards without a wrap.
 *
 * Returns 0, or -1 with errno: EINVAL (@wd < 1, @fd not inotify, bad
 * flags), ERANGE, EAGAIN, EOPNOTSUPP as for inotify_wd_add_watch(),
 * EBUSY (fallback without /proc/self/fdinfo, and @wd - 1 is busy), and
 * errors of memfd_create(2) and inotify_add_watch(2).  The fallback cannot
 * confirm a cursor that already points at @wd without moving it past @wd,
 * so that case needs a wrap: ERANGE within the default bound.
 */
int inotify_wd_set_next(int fd, int wd, const struct inotify_wd_opts *opts,
			struct inotify_wd_stats *stats);

/* Largest file handle the kernel encodes (MAX_HANDLE_SZ). */
#define INOTIFY_WD_HANDLE_MAX	128

/* inotify_wd_watch.flags */
#define INOTIFY_WD_WATCH_MOUNT_FD (1U << 0)	/* @mount_fd is set */

/*
 * One watch: what inotify_wd_dump() reads, and what inotify_wd_restore()
 * creates.  The target of a restore is @path when it is not NULL, else the
 * file handle, opened relative to @mount_fd when @flags has
 * INOTIFY_WD_WATCH_MOUNT_FD, otherwise relative to a mount of @dev that
 * the library finds in /proc/self/mountinfo.  Arrays of these are passed
 * with the size of one element (see "How the public structures grow").
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
};

/*
 * inotify_wd_parse - parse the text of /proc/PID/fdinfo/FD
 * @text, @len: the text (need not be NUL-terminated)
 * @out:   receives a malloc()ed array in ascending wd order (free() it);
 *         NULL when there are no watches
 * @count: receives its length
 *
 * Returns 0, or -1 with errno:
 *   EINVAL   NULL @text, @out or @count.
 *   EBADMSG  a malformed, truncated (no final newline) or duplicated
 *            "inotify" line, or a value out of range.
 *   ENOMEM
 * Lines with other keys ("pos:", "flags:", ...) are skipped.
 * Masks keep only the bits inotify_add_watch() accepts: internal bits that
 * kernels before 4.4 printed (FS_EVENT_ON_CHILD, IN_IGNORED, IN_UNMOUNT)
 * are dropped.
 */
int inotify_wd_parse(const char *text, size_t len,
		     struct inotify_wd_watch **out, size_t *count, size_t size);

/*
 * inotify_wd_dump - read the watches of inotify fd @fd of process @pid
 * (0: this process) from /proc/PID/fdinfo/FD, as inotify_wd_parse().
 *
 * Returns 0, or -1 with errno: EINVAL (@fd < 0, @pid < 0, NULL pointers,
 * or @fd is not an inotify instance), the errors of inotify_wd_parse(),
 * and those of open(2)/read(2) on the fdinfo file (ENOENT: no such
 * process or fd; EACCES: not allowed to inspect it).
 */
int inotify_wd_dump(pid_t pid, int fd, struct inotify_wd_watch **out,
		    size_t *count, size_t size);

/*
 * inotify_wd_restore - create @count watches on @fd, each with its wd
 *
 * Watches are created in ascending wd order in one pass, whatever the
 * order of @watches: the ioctl is issued only where the cursor is not
 * already at the next wd, and the fallback crosses the id space at most
 * once.  All or nothing, unless INOTIFY_WD_NO_ROLLBACK: on failure every
 * watch this call created is removed and the caller's other watches are
 * untouched; @stats->failed names the entry that failed (the index in
 * @watches), or is @count when the error concerns no single entry.
 *
 * Returns 0, or -1 with errno:
 *   EINVAL   NULL @watches with @count > 0; @count too large to index;
 *            a bad wd or mask; two entries with the same wd; bad flags.
 *   EEXIST   two entries name the same inode (same @dev and @ino), or an
 *            entry's inode is already watched on @fd.
 *   EBUSY, ERANGE, EAGAIN, ESTALE, EOPNOTSUPP as inotify_wd_add_watch().
 *   ESTALE, EPERM, ... from open_by_handle_at(2) for handle targets
 *   (which needs CAP_DAC_READ_SEARCH and /proc); ENODEV when no mount of
 *   @dev is found; EAGAIN also when the helper thread that opens handles
 *   cannot be created; and any error of inotify_add_watch(2).
 * Handle targets are opened O_PATH: from Linux 6.10 that queues no event;
 * older kernels queue IN_OPEN (before 6.5) and IN_CLOSE_NOWRITE on the
 * target's watches, the new one included.
 */
int inotify_wd_restore(int fd, const struct inotify_wd_watch *watches,
		       size_t count, size_t size,
		       const struct inotify_wd_opts *opts,
		       struct inotify_wd_stats *stats);

/* inotify_wd_features.mask_create */
#define INOTIFY_WD_MASK_CREATE_HONOURED	1	/* 4.19+ */
#define INOTIFY_WD_MASK_CREATE_REJECTED	2	/* 4.4-4.18: EINVAL */
#define INOTIFY_WD_MASK_CREATE_IGNORED	3	/* before 4.4 */

/* What the kernel offers this process, probed once per process. */
struct inotify_wd_features {
	int setnextwd;		/* 1: INOTIFY_IOC_SETNEXTWD works */
	int setnextwd_errno;	/* why not: ENOTTY, EPERM, ...; else 0 */
	int mask_create;	/* INOTIFY_WD_MASK_CREATE_* */
	int reserved0;		/* zeroed by the library */
	uint64_t reserved[7];	/* zeroed by the library */
};

/*
 * inotify_wd_get_features - report the cached probe results
 * Returns 0, or -1 with errno EINVAL (@f is NULL), or the error that made
 * the probe itself fail (EMFILE, ENFILE, ENOMEM from inotify_init1();
 * ENOSPC, ENOMEM from its inotify_add_watch()).
 */
int inotify_wd_get_features(struct inotify_wd_features *f);

#ifdef __cplusplus
}
#endif

#endif /* INOTIFY_WD_H */
