// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The fast path: INOTIFY_IOC_SETNEXTWD, then one add.  On 4.19+ that is
 * the whole cost: two system calls.
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

/*
 * Create the watch at wd.  need_ioctl is false when the caller knows the
 * cursor already points at wd (the previous watch of a restore was wd-1).
 */
int iwd_fast_add(struct call *c, const char *path, uint32_t mask, int wd,
	     bool need_ioctl)
{
	int got;

	if (iwd_add_prepare(c, false) < 0)
		return -1;
	if (need_ioctl && set_cursor(c, wd) < 0)
		return -1;
	c->st.method = need_ioctl ? INOTIFY_WD_METHOD_IOCTL :
				    INOTIFY_WD_METHOD_PLAIN;
	got = iwd_add_new(c, path, mask, false, false);
	if (got < 0)
		return -1;
	if (got != wd) {
		/* wd was taken: the allocator skipped to a free one. */
		iwd_discard_watch(c, got);
		errno = EBUSY;
		return -1;
	}
	if (iwd_add_finish(c, path, mask, wd, false) < 0) {
		iwd_discard_watch(c, wd);
		return -1;
	}
	return wd;
}

int iwd_fast_set_next(struct call *c, int wd)
{
	c->st.method = INOTIFY_WD_METHOD_IOCTL;
	return set_cursor(c, wd);
}
