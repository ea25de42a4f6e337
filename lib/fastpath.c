// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The fast path: the cursor where the watch must land, then one add.
 * INOTIFY_IOC_SETNEXTWD puts it there; a restore that has just created
 * wd - 1 knows it is there already (iwd_add_at_cursor()).  On 4.19+ that
 * is the whole cost: two system calls, or one.
 */
#include "config.h"

#include <errno.h>

#include "internal.h"

static int set_cursor(struct call *c, int wd)
{
	if (iwd_sys_setnext(c->fd, wd) == 0)
		return 0;
	/*
	 * The probe proved this kernel knows the ioctl, so ENOTTY can only
	 * mean the fd is not an inotify instance; say so as
	 * inotify_add_watch() would.
	 */
	if (errno == ENOTTY)
		errno = EINVAL;
	return -1;
}

/* The add at the cursor, which must give wd; path may be held. */
static int create_held(struct call *c, const char *path, uint32_t mask,
		       int wd, unsigned int how)
{
	int got;

	got = iwd_create(c, path, mask, how);
	if (got < 0)
		return -1;
	if (got != wd && iwd_create_fresh(c)) {
		/*
		 * Neither wd nor the call's own: the fd held a watch on this
		 * inode after all, whose mask the add replaced, or one at wd.
		 * The promise was false; whose watch got is, only a snapshot
		 * could tell, so it stays.
		 */
		errno = EEXIST;
		return -1;
	}
	if (got != wd) {
		/* wd was taken: the allocator skipped to a free one. */
		iwd_discard_watch(c, got);
		errno = EBUSY;
		return -1;
	}
	if (!iwd_create_once(c, how) && iwd_create_arm(c, path, mask, wd) < 0) {
		iwd_discard_watch(c, wd);
		return -1;
	}
	return wd;
}

/*
 * Before 4.19 the watch takes two adds, both to the inode held; one by
 * name in a FRESH call.
 */
static int create_at(struct call *c, const char *path, uint32_t mask, int wd,
		     unsigned int how)
{
	struct hold h;
	int got;

	if (iwd_hold(&h, &path, &mask, how, !iwd_create_once(c, how)) < 0)
		return -1;
	got = create_held(c, path, mask, wd,
			  h.fd >= 0 ? how | IWD_CREATE_HELD : how);
	iwd_hold_release(&h);
	return got;
}

/*
 * Set the cursor to wd with the ioctl, unless iwd_fast_settle() just did,
 * then create the watch there.
 */
int iwd_fast_add(struct call *c, const char *path, uint32_t mask, int wd,
		 unsigned int how)
{
	if (iwd_create_prepare(c, 0) < 0 ||
	    (c->cursor != wd && set_cursor(c, wd) < 0))
		return -1;
	c->cursor = 0;
	c->st.method = INOTIFY_WD_METHOD_IOCTL;
	return create_at(c, path, mask, wd, how);
}

/* The cursor is known to be at wd: the one add, with or without ioctl. */
int iwd_add_at_cursor(struct call *c, const char *path, uint32_t mask, int wd,
		      unsigned int how)
{
	if (iwd_create_prepare(c, 0) < 0)
		return -1;
	c->st.method = INOTIFY_WD_METHOD_PLAIN;
	return create_at(c, path, mask, wd, how);
}

int iwd_fast_set_next(struct call *c, int wd)
{
	c->st.method = INOTIFY_WD_METHOD_IOCTL;
	if (c->cursor == wd) {
		c->cursor = 0;
		return 0;
	}
	return set_cursor(c, wd);
}

/*
 * Nobody in this process has used the ioctl yet: this call's first one,
 * with the wd it was going to set anyway, is the probe.  It works: the
 * cursor stands at wd (c->cursor), and the call goes on as usual.  It
 * fails with ENOTTY (no CONFIG_CHECKPOINT_RESTORE, or before 4.17) or
 * EPERM/EACCES (seccomp, an LSM): the ioctl is unavailable, as long as
 * fd is an instance (P1, probe.c, unless the call proved it already);
 * the answer is kept for the process and the call takes the fallback,
 * nothing having changed.  -1 with errno when fd is no instance or the
 * ioctl failed otherwise; the answer then stays unknown.
 */
int iwd_fast_settle(struct call *c, int wd)
{
	int err, r;

	if (c->feat.setnext != IWD_SETNEXT_UNKNOWN ||
	    (c->flags & INOTIFY_WD_FALLBACK))
		return 0;
	if (iwd_sys_setnext(c->fd, wd) == 0) {
		iwd_features_setnext(&c->feat, 0);
		c->cursor = wd;
		return 0;
	}
	err = errno;
	if (err != ENOTTY && err != EPERM && err != EACCES)
		return -1;
	if (!c->fd_instance) {
		r = iwd_probe_instance(c->fd);
		if (r <= 0)
			return -1;
		c->fd_instance = true;
	}
	iwd_features_setnext(&c->feat, err);
	return 0;
}
