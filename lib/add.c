// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Adding a watch without ever altering one that already exists.
 *
 * A plain inotify_add_watch() on an inode that is already watched returns
 * the existing wd and replaces its mask.  Kernels 4.19+ refuse instead when
 * given IN_MASK_CREATE.  Older kernels get IN_MASK_ADD with no event bit:
 * ORing nothing into an existing mask leaves it as it was on every version,
 * and a snapshot of fdinfo taken beforehand tells whether the wd we got
 * back existed already.
 */
#include "config.h"

#include <errno.h>

#include "internal.h"

static bool have_mask_create(const struct call *c)
{
	return c->feat.mask_create == INOTIFY_WD_MASK_CREATE_HONOURED;
}

/* The mask of a watch that reports nothing: lookup bits only. */
uint32_t iwd_add_quiet_mask(const struct call *c, uint32_t mask)
{
	return (mask & LOOKUP_BITS) |
	       (have_mask_create(c) ? IN_MASK_CREATE : IN_MASK_ADD);
}

/* Did this add return a watch that existed before it? */
static bool existed(const struct call *c, int wd)
{
	return iwd_snapshot_has_wd(&c->snap, wd) || iwd_call_created(c, wd);
}

/*
 * Without IN_MASK_CREATE the snapshot is what tells new from old, so it
 * must be readable; a private target (our memfd) needs no proof.
 */
int iwd_add_prepare(struct call *c, bool private_target)
{
	if (have_mask_create(c) || private_target)
		return 0;
	int bytes;

	if (!c->snap.valid)
		iwd_snapshot_take(&c->snap, c->fd);
	if (c->snap.valid)
		return 0;
	errno = c->snap.err;
	/* A passing shortage (EMFILE, ENOMEM, ...) is reported as such. */
	if (errno != ENOENT && errno != EACCES && errno != EPERM)
		return -1;
	/* No fdinfo for a closed fd either: report that as the kernel would. */
	if (iwd_sys_nread(c->fd, &bytes) == 0 || errno != EBADF)
		errno = EOPNOTSUPP;
	return -1;
}

/*
 * Create a watch on path, never touching an existing one.  With
 * quiet, the watch reports no events (the fallback's cycling watches);
 * otherwise it gets mask right away where the kernel allows.
 */
int iwd_add_new(struct call *c, const char *path, uint32_t mask, bool quiet,
	    bool private_target)
{
	int wd;

	if (have_mask_create(c))
		return iwd_sys_add(c->fd, path,
				   quiet ? iwd_add_quiet_mask(c, mask) :
					   (mask | IN_MASK_CREATE));
	wd = iwd_sys_add(c->fd, path, iwd_add_quiet_mask(c, mask));
	if (wd < 0 || private_target || !existed(c, wd))
		return wd;
	errno = EEXIST;
	return -1;
}

/*
 * Give a watch created by iwd_add_new() the caller's mask.  Only needed where
 * iwd_add_new() could not set it directly; the watch is ours, so replacing its
 * mask is safe.
 */
int iwd_add_finish(struct call *c, const char *path, uint32_t mask, int wd,
	       bool quiet)
{
	int got;

	if (have_mask_create(c) && !quiet)
		return wd;
	got = iwd_sys_add(c->fd, path, mask & ~(uint32_t)IN_MASK_CREATE);
	if (got == wd || got < 0)
		return got;
	/*
	 * The path named another inode this time: renamed meanwhile, or a
	 * file system (hostfs) that gives a new inode to every lookup.  Not
	 * a passing state of the queue, so not EAGAIN: retrying the same
	 * path on such a file system fails the same way.
	 */
	iwd_discard_watch(c, got);
	errno = ESTALE;
	return -1;
}
