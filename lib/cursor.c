// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* inotify_wd_set_next(): restoring the allocator's cursor itself. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "internal.h"

/*
 * The wd the fallback parks its watch on so that the next new watch gets
 * wd: the one just below, or, when the ones below are busy, the first
 * free one under them (the allocator skips busy wds, so a cursor anywhere
 * in a busy run behaves as one at its end).
 */
static int park_wd(const struct snapshot *s, int wd)
{
	int p = wd;

	do
		p = p > 1 ? p - 1 : INT_MAX;
	while (iwd_snapshot_has_wd(s, p) && p != wd);
	return p;
}

/*
 * Cycle a watch on a memfd of our own: no caller can be watching it, it
 * lives on no directory anybody watches, and opening it queues nothing.
 */
static int cycle_cursor(struct call *c, int wd)
{
	struct cycle cy = { .mask = 0, .target_private = true };
	char path[40];
	int mfd, ret;

	mfd = iwd_sys_memfd("inotifywd-cursor");
	if (mfd < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	cy.path = path;
	ret = iwd_cycle_to(c, &cy, park_wd(&c->snap, wd));
	/* Success or not, the parked watch goes: only the cursor stays. */
	iwd_cycle_abandon(c, &cy);
	iwd_sys_close(mfd);
	return ret < 0 ? -1 : 0;
}

static int set_next(struct call *c, int wd)
{
	size_t none;

	if (wd < 1) {
		errno = EINVAL;
		return -1;
	}
	if (iwd_call_use_ioctl(c))
		return iwd_fast_set_next(c, wd);
	if (iwd_fallback_begin(c, NULL, 0, &none) < 0)
		return -1;
	return cycle_cursor(c, wd);
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
