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
 *
 * An add without IN_MASK_CREATE that follows another on the same target
 * must not go by name: a path renamed meanwhile onto an inode the caller
 * watches on this fd would return the caller's wd and replace its mask,
 * and discarding that "stray" would remove the caller's watch.  So a
 * call that adds more than once without IN_MASK_CREATE holds the inode
 * with an O_PATH fd and makes every add, the first too, through
 * /proc/self/fd/N (iwd_hold()): a name can then never lead elsewhere.
 * The fallback holds it on every kernel: even on 4.19+ a first add that
 * lands on the wd wanted is quiet and armed by a second one.  There its
 * cycles in between go by name, each with IN_MASK_CREATE, which is
 * cheaper (fallback.c step()).  The calls that add once (4.19+ with the
 * ioctl, a restore's dense run after its last cycle) go by name, at no
 * extra cost; so do those of a FRESH call before 4.19 (below).
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
 * INOTIFY_WD_FRESH before 4.19: the caller promises that the fd holds
 * none of its watches, so a watch an add returns is new or the call's
 * own, and no snapshot is needed to tell which (4.19+ needs none
 * anyway).  A watch that needs no quiet first add then takes one add
 * with the caller's mask, by name: there is no second add to hold the
 * inode for.  The promise cannot be checked without the snapshot it
 * saves; a false one costs the watch an add meets its mask (EEXIST).
 */
bool iwd_create_fresh(const struct call *c)
{
	return (c->flags & INOTIFY_WD_FRESH) && !iwd_create_arms(c);
}

/* Does iwd_create() give the watch its mask in its one add? */
bool iwd_create_once(const struct call *c, unsigned int how)
{
	if (how & IWD_CREATE_QUIET)
		return false;
	return iwd_create_arms(c) ||
	       (iwd_create_fresh(c) && !(how & IWD_CREATE_PRIVATE));
}

/* The snapshot, which must be readable: else why, as the kernel says. */
static int take_snapshot(struct call *c)
{
	struct snapshot *s = &c->taken.snap;
	int bytes;

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
 * Without IN_MASK_CREATE the snapshot is what tells new from old, so it
 * must be readable; a private target (our memfd) needs no proof, and
 * neither does a FRESH call.
 */
int iwd_create_prepare(struct call *c, unsigned int how)
{
	if (iwd_create_arms(c) || iwd_create_fresh(c) ||
	    (how & IWD_CREATE_PRIVATE))
		return 0;
	return take_snapshot(c);
}

/*
 * A FRESH call's fallback is about to cycle: the watch own that its
 * first add returned goes with the next cycle, so it had better be the
 * call's.  Where a false promise would cost a watch its life, not just
 * its mask, the snapshot is read after all: next to the cycles it costs
 * little.  A watch made quiet reports no event; own does: it existed
 * before (EEXIST, untouched).  What stays in the snapshot, the call's
 * own watches forgotten, is what was there before the call.
 */
int iwd_create_learn(struct call *c, int own)
{
	const struct inotify_wd_watch *w;

	if (!iwd_create_fresh(c) || c->taken.snap.valid)
		return 0;
	if (take_snapshot(c) < 0) {
		c->whole = true;	/* fdinfo is no entry's */
		return -1;
	}
	w = iwd_taken_find(&c->taken, own);
	if (w && (w->mask & IN_ALL_EVENTS)) {
		errno = EEXIST;
		return -1;
	}
	iwd_taken_forget_own(&c->taken, own);
	return 0;
}

/*
 * Create a watch on path, never touching an existing one.  With
 * IWD_CREATE_QUIET it reports no events (the fallback's cycling watches);
 * otherwise it gets mask right away where the kernel allows.  A FRESH
 * call's one add that returns a watch of the call's own has replaced its
 * mask: c->clash names it, for iwd_create_mend().
 */
int iwd_create(struct call *c, const char *path, uint32_t mask,
	       unsigned int how)
{
	uint32_t quiet = iwd_quiet_mask(c, mask);
	bool once = iwd_create_once(c, how);
	int wd;

	if (iwd_create_arms(c))
		wd = iwd_sys_add(c->fd, path, once ? mask | IN_MASK_CREATE :
					     quiet);
	else
		wd = iwd_sys_add(c->fd, path, once ?
				 mask & ~(uint32_t)IN_MASK_CREATE : quiet);
	/*
	 * A held target's fd is open: ENOENT for its /proc/self/fd/N says
	 * /proc is missing, and without it the inode cannot be held.
	 */
	if (wd < 0 && errno == ENOENT && (how & IWD_CREATE_HELD))
		errno = EOPNOTSUPP;
	if (wd < 0 || iwd_create_arms(c) || (how & IWD_CREATE_PRIVATE) ||
	    !existed(c, wd))
		return wd;
	if (once)
		c->clash = wd;
	errno = EEXIST;
	return -1;
}

/*
 * After a FRESH clash: give the call's own watch c->clash back its mask,
 * through the target the clashing add went to, which reached its inode.
 * Should the path name another inode by now, the add made a watch there
 * that is not the call's to keep (new, by the promise): it goes.  Keeps
 * errno: the clash is what the caller hears of.
 */
void iwd_create_mend(struct call *c, const char *path, uint32_t mask)
{
	int saved = errno, got;

	got = iwd_sys_add(c->fd, path, mask & ~(uint32_t)IN_MASK_CREATE);
	if (got > 0 && got != c->clash && !iwd_taken_by_call(&c->taken, got))
		iwd_discard_watch(c, got);
	c->clash = 0;
	errno = saved;
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

/*
 * The O_PATH fd of path, opened the way the add would look it up: not
 * following a last symlink with IN_DONT_FOLLOW, only a directory with
 * IN_ONLYDIR.  An O_PATH open queues no event on the target (6.10+).
 */
int iwd_hold_open(const char *path, uint32_t mask)
{
	int flags = O_PATH;

	if (mask & IN_DONT_FOLLOW)
		flags |= O_NOFOLLOW;
	if (mask & IN_ONLYDIR)
		flags |= O_DIRECTORY;
	return iwd_sys_open(path, flags);
}

/* /proc/self/fd/N is a link that must be followed to the held target. */
uint32_t iwd_held_mask(uint32_t mask)
{
	return mask & ~(uint32_t)IN_DONT_FOLLOW;
}

/*
 * Hold the target of *path when this call will add to it more than once
 * (many: the inode may change between any two adds), and point *path and
 * *mask at the held inode.  Nothing to do for our own memfd, or a target
 * the caller holds already (IWD_CREATE_HELD).
 */
int iwd_hold(struct hold *h, const char **path, uint32_t *mask,
	     unsigned int how, bool many)
{
	h->fd = -1;
	if (!many || (how & (IWD_CREATE_PRIVATE | IWD_CREATE_HELD)))
		return 0;
	h->fd = iwd_hold_open(*path, *mask);
	if (h->fd < 0)
		return -1;
	*path = iwd_fd_path(h->fd, h->path, sizeof(h->path));
	*mask = iwd_held_mask(*mask);
	return 0;
}

/* Keeps errno: it runs on the way out of failures too. */
void iwd_hold_release(struct hold *h)
{
	int saved = errno;

	if (h->fd >= 0)
		iwd_sys_close(h->fd);
	h->fd = -1;
	errno = saved;
}
