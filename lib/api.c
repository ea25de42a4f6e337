// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Every exported call, and nothing else: the checks of its arguments,
 * the state of the call (call.c), and the way down, to the fast path
 * when the kernel has the ioctl, else to the fallback.  The man page of
 * each call is the one complete list of the errno values it returns.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "internal.h"

#define EXPORT __attribute__((visibility("default")))

static int fail(int err)
{
	errno = err;
	return -1;
}

/*
 * Is fd an inotify instance?  Asked the way the kernel's own
 * inotify_add_watch() answers it, one system call and no /proc: it
 * refuses a closed fd (EBADF) and any other file (EINVAL) before it
 * looks at the path, and an empty path is never looked up (ENOENT), so
 * an instance gets no watch and no event.  -1 with that errno when fd is
 * no instance; otherwise 0, errno as it was (a failure of the check
 * itself says nothing about fd).
 */
static int check_fd(int fd)
{
	int saved = errno;

	if (iwd_probe_instance(fd) == 0)
		return -1;
	errno = saved;
	return 0;
}

/*
 * A call that failed on the way down failed, first of all, because fd
 * was no inotify instance, if it was none: whatever the fast path or
 * the fallback ran into first (the fallback without /proc may take a
 * pipe with data for a queue that is not empty: EAGAIN), the caller is
 * told EBADF or EINVAL, as on every kernel variant.  Only failures pay.
 */
static int fd_first(struct call *c, int ret)
{
	if (ret < 0)
		check_fd(c->fd);
	return ret;
}

static int add_one(struct call *c, const char *path, uint32_t mask, int wd)
{
	size_t busy;

	if (!path)
		return fail(EFAULT);
	if (wd < 1 || !iwd_mask_valid(mask))
		return fail(EINVAL);
	if (c->fd_err)
		return fail(c->fd_err);
	if (iwd_fast_settle(c, wd) < 0)
		return fd_first(c, -1);
	if (iwd_call_use_ioctl(c))
		return fd_first(c, iwd_fast_add(c, path, mask, wd, 0));
	if (iwd_fallback_claim(c, &wd, 1, &busy) < 0)
		return fd_first(c, -1);
	return fd_first(c, iwd_fallback_add(c, path, mask, wd, 0, 0, NULL));
}

EXPORT int inotify_wd_add_watch(int fd, const char *path, uint32_t mask,
				int wd, const struct inotify_wd_opts *opts,
				struct inotify_wd_stats *stats)
{
	struct call c;

	if (iwd_call_begin(&c, fd, opts, stats) < 0)
		return iwd_call_end(&c, -1);
	return iwd_call_end(&c, add_one(&c, path, mask, wd));
}

EXPORT int inotify_add_watch_at(int fd, const char *path, uint32_t mask,
				int wd)
{
	return inotify_wd_add_watch(fd, path, mask, wd, NULL, NULL);
}

static int set_next(struct call *c, int wd)
{
	if (wd < 1)
		return fail(EINVAL);
	if (c->fd_err)
		return fail(c->fd_err);
	if (iwd_fast_settle(c, wd) < 0)
		return fd_first(c, -1);
	if (iwd_call_use_ioctl(c))
		return fd_first(c, iwd_fast_set_next(c, wd));
	return fd_first(c, iwd_fallback_set_next(c, wd));
}

EXPORT int inotify_wd_set_next(int fd, int wd,
			       const struct inotify_wd_opts *opts,
			       struct inotify_wd_stats *stats)
{
	struct call c;

	if (iwd_call_begin(&c, fd, opts, stats) < 0)
		return iwd_call_end(&c, -1);
	return iwd_call_end(&c, set_next(&c, wd));
}

/*
 * No array; an element smaller than any release's; a count no array
 * could hold (so that restore.c's smaller sort keys fit too).
 */
static int check_array(const struct inotify_wd_watch *w, size_t n,
		       size_t size)
{
	if ((!w && n) || iwd_layout_check(size) < 0 || n > SIZE_MAX / size)
		return fail(EINVAL);
	return 0;
}

/*
 * The fd is checked whatever the count: with none, here (nothing else
 * would look at it); with entries, when the restore failed.  An fd that
 * is no inotify instance concerns no single entry: failed is count.
 */
static int restore(struct call *c, const struct inotify_wd_watch *w,
		   size_t n, size_t size)
{
	if (check_array(w, n, size) < 0)
		return -1;
	/* Zeroed once the arguments hold: each stays so until placed. */
	if (c->results)
		memset(c->results, 0, n * sizeof(*c->results));
	if (c->fd_err)
		return fail(c->fd_err);	/* failed is count */
	if (!n)
		return check_fd(c->fd);
	if (iwd_restore(c, w, n, size) == 0)
		return 0;
	if (check_fd(c->fd) < 0)
		c->st.failed = n;
	/* The entry at fault, if any, carries the errno in its result. */
	if (c->results && c->st.failed < n)
		c->results[c->st.failed].error = errno;
	return -1;
}

EXPORT int inotify_wd_restore(int fd, const struct inotify_wd_watch *watches,
			      size_t count, size_t size,
			      const struct inotify_wd_opts *opts,
			      struct inotify_wd_stats *stats)
{
	struct call c;
	int ret = iwd_call_begin(&c, fd, opts, stats);

	/* Errors that concern no single entry report the count. */
	c.st.failed = count;
	/* Only a restore has results: other calls ignore the field. */
	if (ret == 0 && opts)
		c.results = opts->results;
	if (ret == 0)
		ret = restore(&c, watches, count, size);
	return iwd_call_end(&c, ret);
}

EXPORT int inotify_wd_dump(pid_t pid, int fd, struct inotify_wd_watch **out,
			   size_t *count, size_t size)
{
	if (pid < 0 || fd < 0 || !out || !count)
		return fail(EINVAL);
	if (iwd_layout_check(size) < 0 || iwd_dump(pid, fd, out, count) < 0)
		return -1;
	return iwd_layout_export(out, *count, size);
}

EXPORT int inotify_wd_parse(const char *text, size_t len,
			    struct inotify_wd_watch **out, size_t *count,
			    size_t size)
{
	if (!text || !out || !count)
		return fail(EINVAL);
	if (iwd_layout_check(size) < 0 ||
	    iwd_fdinfo_parse(text, len, out, count) < 0)
		return -1;
	return iwd_layout_export(out, *count, size);
}

EXPORT int inotify_wd_get_features(struct inotify_wd_features *f)
{
	struct features p;
	struct iwd_env e;

	if (!f)
		return fail(EINVAL);
	if (iwd_features_get(&p) < 0)
		return -1;
	iwd_env_get(&e);
	memset(f, 0, sizeof(*f));
	f->setnextwd = p.setnext == IWD_SETNEXT_YES;
	f->setnextwd_errno = p.setnextwd_errno;
	f->mask_create = p.mask_create;
	f->env = e.flags;
	f->env_max_cycles = e.max_cycles;
	return 0;
}

/*
 * Options find_paths reads: flags (NO_WALK alone), results, max_walk;
 * the reserved space must be zero, as for every call.  An entry with
 * bytes past this version's structure sets a field it does not know.
 */
static int check_find(const struct inotify_wd_watch *w, size_t n,
		      size_t size, const struct inotify_wd_opts *o,
		      char **strings)
{
	size_t i, k;

	if (check_array(w, n, size) < 0 || !strings)
		return fail(EINVAL);
	if (o) {
		for (k = 0; k < sizeof(o->reserved) / sizeof(o->reserved[0]);
		     k++)
			if (o->reserved[k])
				return fail(EINVAL);
		if (o->flags & ~(unsigned int)INOTIFY_WD_NO_WALK)
			return fail(EINVAL);
	}
	for (i = 0; i < n; i++) {
		const void *e = (const unsigned char *)w + i * size;

		if (((const struct inotify_wd_watch *)e)->handle_bytes >
		    INOTIFY_WD_HANDLE_MAX)
			return fail(EINVAL);
		if (!iwd_layout_tail_clear(e, size))
			return fail(E2BIG);
	}
	return 0;
}

EXPORT ssize_t inotify_wd_find_paths(pid_t pid,
				     struct inotify_wd_watch *watches,
				     size_t count, size_t size,
				     const struct inotify_wd_opts *opts,
				     char **strings)
{
	if (pid < 0)
		return fail(EINVAL);
	if (check_find(watches, count, size, opts, strings) < 0)
		return -1;
	*strings = NULL;
	if (opts && opts->results)
		memset(opts->results, 0, count * sizeof(*opts->results));
	return iwd_find_paths(pid, watches, count, size, opts, strings);
}
