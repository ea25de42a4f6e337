// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Creating a watch without ever altering one that already exists.
 *
 * A plain inotify_add_watch() on an inode that is already watched returns
 * the existing wd and replaces its mask.  Kernels 4.19+ refuse instead when
 * given IN_MASK_CREATE.  Older kernels get IN_MASK_ADD with no event bit:
 * ORing nothing into an existing mask leaves it as it was on every version,
 * and a snapshot of fdinfo taken beforehand tells whether the wd we got
 * back existed already.  There the watch gets its mask from a second add
 * (iwd_create_arm()), once the caller knows it is the one it wanted.
 */
#include "config.h"

#include <errno.h>

#include "internal.h"

/* Does iwd_create() give the watch its mask itself (4.19+)? */
bool iwd_create_arms(const struct call *c)
{
	return c->feat.mask_create == INOTIFY_WD_MASK_CREATE_HONOURED;
}

/* The mask of a watch that reports nothing: lookup bits only. */
uint32_t iwd_quiet_mask(const struct call *c, uint32_t mask)
{
	return (mask & LOOKUP_BITS) |
	       (iwd_create_arms(c) ? IN_MASK_CREATE : IN_MASK_ADD);
}

/* Did this add return a watch that existed before it? */
static bool existed(const struct call *c, int wd)
{
	return iwd_taken_before(&c->taken, wd) ||
	       iwd_taken_by_call(&c->taken, wd);
}

/*
 * Without IN_MASK_CREATE the snapshot is what tells new from old, so it
 * must be readable; a private target (our memfd) needs no proof.
 */
int iwd_create_prepare(struct call *c, unsigned int how)
{
	struct snapshot *s = &c->taken.snap;
	int bytes;

	if (iwd_create_arms(c) || (how & IWD_CREATE_PRIVATE))
		return 0;
	if (!s->valid)
		iwd_snapshot_take(s, c->fd);
	if (s->valid)
		return 0;
	errno = s->err;
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
 * IWD_CREATE_QUIET it reports no events (the fallback's cycling watches);
 * otherwise it gets mask right away where the kernel allows.
 */
int iwd_create(struct call *c, const char *path, uint32_t mask,
	       unsigned int how)
{
	uint32_t quiet = iwd_quiet_mask(c, mask);
	int wd;

	if (iwd_create_arms(c))
		return iwd_sys_add(c->fd, path, (how & IWD_CREATE_QUIET) ?
				   quiet : mask | IN_MASK_CREATE);
	wd = iwd_sys_add(c->fd, path, quiet);
	if (wd < 0 || (how & IWD_CREATE_PRIVATE) || !existed(c, wd))
		return wd;
	errno = EEXIST;
	return -1;
}

/*
 * Give watch wd, which this call created quiet, the caller's mask; the
 * watch is ours, so replacing its mask is safe.
 */
int iwd_create_arm(struct call *c, const char *path, uint32_t mask, int wd)
{
	int got;

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
