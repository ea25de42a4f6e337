// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The fallback: move the allocator's cursor by adding and removing a watch
 * until the kernel hands out the wd we want.
 *
 * The kernel gives the lowest free wd at or above its cursor and moves the
 * cursor past it; removal does not move it back.  So the first add tells
 * where the cursor is, the distance to the target bounds the cycles, and a
 * target that is passed over was busy.  The cycling watch reports no
 * events (its mask has no event bit), so the only events it causes are
 * the IN_IGNORED of each removal, which queue.c reads back.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>

#include "internal.h"

/* How often the progress callback runs: about every 70 ms here. */
#define PROGRESS_EVERY	16384UL

/* Where the fallback stands: the wd it holds and the cursor past it. */
struct cycle {
	const char *path;	/* /proc/self/fd/N of the inode held, or ours */
	const char *name;	/* where a cycle may go by name, or NULL */
	uint32_t mask;		/* the caller's mask; 0: keep no watch */
	unsigned int how;	/* IWD_CREATE_QUIET, IWD_CREATE_PRIVATE */
	int horizon;		/* the last wd of the batch; 0: this one */
	int held;		/* wd of our watch on path, or 0 */
	bool armed;		/* it has the caller's mask already */
};

/* Cycles from holding wd "from" to getting "to", wrapping at INT_MAX. */
static unsigned long distance(int from, int to)
{
	if (to > from)
		return (unsigned long)(to - from);
	return (unsigned long)(INT_MAX - from) + (unsigned long)to;
}

/* The distance the bound is checked against: to the batch's last wd. */
static unsigned long needed(const struct cycle *cy, int from, int to)
{
	unsigned long d = distance(from, to);

	if (cy->horizon && distance(from, cy->horizon) > d)
		d = distance(from, cy->horizon);
	return d;
}

static void report(struct call *c, unsigned long done, unsigned long total)
{
	if (c->progress)
		c->progress(done, total, c->progress_arg);
}

/*
 * Will the next add get wd?  The allocator hands out the lowest free wd
 * after the one we hold, skipping the busy ones fdinfo showed and those
 * this call made: so yes when every wd in between is one of those.
 */
static bool next_is(const struct call *c, int held, int wd)
{
	unsigned long d = distance(held, wd);

	return d == 1 || iwd_taken_between(&c->taken, held, wd) == d - 1;
}

/*
 * Can the add that lands on wd carry the caller's mask, with
 * IN_MASK_CREATE, so that no later add is needed?  Not on kernels
 * without IN_MASK_CREATE (the mask comes from iwd_create_arm() then, on
 * the inode held), and not when the caller arms it later.
 */
static bool may_arm(const struct call *c, const struct cycle *cy)
{
	return cy->mask && !(cy->how & IWD_CREATE_QUIET) &&
	       iwd_create_arms(c);
}

/*
 * One cycle: drop the watch we hold, take the next wd, with the caller's
 * mask when arming.  With IN_MASK_CREATE (4.19+) a cycle may go by name,
 * which is cheaper than through /proc/self/fd/N: such an add never alters
 * a watch, and the watch it makes is removed by the next cycle.  Not the
 * one expected to land on wd (landing): that watch must be on the inode
 * held, where a later add gives it its mask.  Before an arming add every
 * event of ours is read back: from then on events may arrive that the
 * accounting cannot tell apart.
 */
static int step(struct call *c, struct cycle *cy, bool arming, bool landing)
{
	const char *path = cy->name && !landing ? cy->name : cy->path;
	int prev = cy->held;

	if (iwd_remove_own(c, prev) < 0)
		return -1;
	cy->held = 0;
	if ((arming || c->pending >= (int)iwd_call_drain(c)) &&
	    iwd_queue_drain(c) < 0)
		return -1;
	cy->held = iwd_sys_add(c->fd, path,
			       arming ? cy->mask | IN_MASK_CREATE :
					iwd_quiet_mask(c, cy->mask));
	if (cy->held < 0) {
		/* An allocator that does not wrap (before 3.10) stops here. */
		if (prev == INT_MAX && (errno == ENOSPC || errno == EINVAL))
			errno = ERANGE;
		cy->held = 0;
		return -1;
	}
	c->st.cycles++;
	return 0;
}

static int cycle_loop(struct call *c, struct cycle *cy, int wd)
{
	unsigned long total = distance(cy->held, wd), left = total, d;
	bool arming, landing;
	int prev;

	while (cy->held != wd) {
		prev = cy->held;
		landing = next_is(c, prev, wd);
		arming = may_arm(c, cy) && landing;
		if (step(c, cy, arming, landing) < 0)
			return -1;
		cy->armed = arming && cy->held == wd;
		d = distance(cy->held, wd);
		if (cy->held == prev) {
			/* 2.6.31-2.6.35 reuse the lowest free wd: stuck. */
			errno = ERANGE;
			return -1;
		}
		if (cy->held != wd && d >= left) {
			/* We went past wd: somebody else holds it. */
			errno = EBUSY;
			return -1;
		}
		left = d;
		if ((c->st.cycles % PROGRESS_EVERY) == 0)
			report(c, total - left, total);
	}
	report(c, total, total);
	return iwd_queue_drain(c);
}

/* After a failure: drop the watch we hold and read back our events. */
static void cycle_abandon(struct call *c, struct cycle *cy)
{
	int saved = errno;

	if (cy->held)
		iwd_discard_watch(c, cy->held);
	else
		iwd_queue_settle(c);
	cy->held = 0;
	errno = saved;
}

/*
 * Make cy->held, nothing at first, equal wd: the first add tells where
 * the cursor stands.  On failure cy->held is whatever the caller must
 * discard (cycle_abandon()).
 */
static int cycle_to(struct call *c, struct cycle *cy, int wd)
{
	c->st.method = INOTIFY_WD_METHOD_CYCLE;
	cy->held = iwd_create(c, cy->path, cy->mask,
			      cy->how | IWD_CREATE_QUIET);
	if (cy->held < 0) {
		cy->held = 0;
		return -1;
	}
	if (cy->held == wd) {
		c->st.method = INOTIFY_WD_METHOD_PLAIN;
		return wd;
	}
	if (!(cy->how & IWD_CREATE_PRIVATE) &&
	    iwd_create_learn(c, cy->held) < 0) {
		/* EEXIST: not ours to cycle, nor to discard. */
		if (errno == EEXIST)
			cy->held = 0;
		return -1;
	}
	if (needed(cy, cy->held, wd) > c->max_cycles) {
		errno = ERANGE;
		return -1;
	}
	c->max_cycles -= distance(cy->held, wd);
	if (cycle_loop(c, cy, wd) < 0)
		return -1;
	return wd;
}

/*
 * Before the fallback cycles: a wd that fdinfo shows busy is refused
 * before anything happens (EBUSY, *busy its index in wds), and the queue
 * must be empty, because the IN_IGNORED events of the cycles can only be
 * read back when nothing else is queued (EAGAIN otherwise).
 */
int iwd_fallback_claim(struct call *c, const int *wds, size_t n,
		       size_t *busy)
{
	struct snapshot *s = &c->taken.snap;
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
	/* FRESH: no wd is busy, by the caller's promise. */
	if (!s->valid && !iwd_create_fresh(c))
		iwd_snapshot_take(s, c->fd);
	for (i = 0; s->valid && i < n; i++) {
		if (iwd_taken_before(&c->taken, wds[i])) {
			*busy = i;
			errno = EBUSY;
			return -1;
		}
	}
	return iwd_queue_claim(c);
}

/*
 * Create the watch at wd by cycling, with the caller's mask, or without
 * event bits with IWD_CREATE_QUIET (iwd_create_arm() gives it the mask
 * once no cycle is left).  horizon: the last wd of the batch, so that
 * the bound covers all of it from the first cycle on; 0 for one watch.
 * Every add goes to the inode held (create.c), so that neither a cycle
 * nor the add that gives the mask can reach another one.
 */
int iwd_fallback_add(struct call *c, const char *path, uint32_t mask, int wd,
		     int horizon, unsigned int how, const char *name)
{
	struct cycle cy = { .how = how, .horizon = horizon };
	bool by_name = iwd_create_arms(c) && !(mask & IN_DONT_FOLLOW);
	struct hold h;
	int ret = wd;

	if (!(how & IWD_CREATE_HELD))
		name = path;
	if (iwd_create_prepare(c, how) < 0 ||
	    iwd_hold(&h, &path, &mask, how, true) < 0)
		return -1;
	if (h.fd >= 0)
		cy.how |= IWD_CREATE_HELD;
	/*
	 * Cycles by name need IN_MASK_CREATE, and the lookup bits as given:
	 * the mask of a held target has lost IN_DONT_FOLLOW.
	 */
	if (by_name && (cy.how & IWD_CREATE_HELD))
		cy.name = name;
	cy.path = path;
	cy.mask = mask;
	if (cycle_to(c, &cy, wd) < 0 ||
	    (!(how & IWD_CREATE_QUIET) && !cy.armed &&
	     iwd_create_arm(c, path, mask, wd) < 0)) {
		cycle_abandon(c, &cy);
		ret = -1;
	}
	iwd_hold_release(&h);
	return ret;
}

/*
 * The wd the fallback parks its watch on so that the next new watch gets
 * wd: the one just below, or, when the ones below are busy, the first
 * free one under them (the allocator skips busy wds, so a cursor anywhere
 * in a busy run behaves as one at its end).
 */
static int park_wd(const struct taken *t, int wd)
{
	int p = wd;

	do
		p = p > 1 ? p - 1 : INT_MAX;
	while (iwd_taken_before(t, p) && p != wd);
	return p;
}

/*
 * Move the cursor to wd by cycling a watch on a memfd of our own: no
 * caller can be watching it, it lives on no directory anybody watches,
 * and opening it queues nothing.
 */
int iwd_fallback_set_next(struct call *c, int wd)
{
	struct cycle cy = { .mask = 0, .how = IWD_CREATE_PRIVATE };
	char path[40];
	size_t none;
	int mfd, ret;

	if (iwd_fallback_claim(c, NULL, 0, &none) < 0)
		return -1;
	mfd = iwd_sys_memfd("inotifywd-cursor");
	if (mfd < 0)
		return -1;
	cy.path = iwd_fd_path(mfd, path, sizeof(path));
	ret = cycle_to(c, &cy, park_wd(&c->taken, wd));
	/* Success or not, the parked watch goes: only the cursor stays. */
	cycle_abandon(c, &cy);
	iwd_sys_close(mfd);
	return ret < 0 ? -1 : 0;
}
