// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* Placing one watch at one wd: the fast path or the fallback. */
#include "config.h"

#include <errno.h>

#include "internal.h"

/*
 * Before the fallback cycles: a wd that fdinfo shows busy is refused
 * before anything happens (EBUSY), and the queue must be empty, because
 * the IN_IGNORED events of the cycles can only be read back when nothing
 * else is queued (EAGAIN otherwise).
 */
int iwd_fallback_begin(struct call *c, const int *wds, size_t n, size_t *busy)
{
	size_t i;

	if (c->flags & INOTIFY_WD_NO_FALLBACK) {
		errno = EOPNOTSUPP;
		return -1;
	}
	/*
	 * The queue is looked at before any add: refuse what is not an
	 * inotify fd first, so a pipe with data in it is not taken for an
	 * instance with events queued.
	 */
	if (iwd_fd_is_inotify(0, c->fd) == 0) {
		errno = EINVAL;
		return -1;
	}
	if (!c->snap.valid)
		iwd_snapshot_take(&c->snap, c->fd);
	for (i = 0; c->snap.valid && i < n; i++) {
		if (iwd_snapshot_has_wd(&c->snap, wds[i])) {
			*busy = i;
			errno = EBUSY;
			return -1;
		}
	}
	return iwd_queue_claim(c);
}

static int cycle_add(struct call *c, const char *path, uint32_t mask, int wd,
		     bool quiet)
{
	struct cycle cy = { .path = path, .mask = mask, .defer = quiet };

	if (iwd_add_prepare(c, false) < 0)
		return -1;
	if (iwd_cycle_to(c, &cy, wd) < 0 ||
	    (!cy.defer && iwd_add_finish(c, path, mask, wd, !cy.armed) < 0)) {
		iwd_cycle_abandon(c, &cy);
		return -1;
	}
	return wd;
}

/*
 * With IWD_PLACE_CURSOR_AT_WD the caller knows where the cursor is (the
 * previous watch of a restore, and the busy wds after it): one add does,
 * with the ioctl or without.  Otherwise the fast path sets the cursor and
 * the fallback cycles, leaving the watch without events when
 * IWD_PLACE_QUIET (iwd_arm_watch() gives it its mask later).
 */
int iwd_place_watch(struct call *c, const char *path, uint32_t mask, int wd,
		    unsigned int how)
{
	if (how & IWD_PLACE_CURSOR_AT_WD)
		return iwd_fast_add(c, path, mask, wd, false);
	if (iwd_call_use_ioctl(c))
		return iwd_fast_add(c, path, mask, wd, true);
	return cycle_add(c, path, mask, wd, how & IWD_PLACE_QUIET);
}

/* Give a watch placed with IWD_PLACE_QUIET the caller's mask. */
int iwd_arm_watch(struct call *c, const char *path, uint32_t mask, int wd)
{
	return iwd_add_finish(c, path, mask, wd, true);
}
