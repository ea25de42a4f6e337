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

/* Cycles from holding wd "from" to getting "to", wrapping at INT_MAX. */
static unsigned long distance(int from, int to)
{
	if (to > from)
		return (unsigned long)(to - from);
	return (unsigned long)(INT_MAX - from) + (unsigned long)to;
}

/* The distance the bound is checked against: to the batch's last wd. */
static unsigned long needed(const struct call *c, int from, int to)
{
	unsigned long d = distance(from, to);

	if (c->horizon && distance(from, c->horizon) > d)
		d = distance(from, c->horizon);
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

	return d == 1 || iwd_taken_between(c, held, wd) == d - 1;
}

/*
 * The mask of the add that should land on wd: the caller's, with
 * IN_MASK_CREATE, so that no later add on the path is needed (a path
 * renamed meanwhile onto a watched inode then gives EEXIST, never an
 * altered watch).  Kernels without IN_MASK_CREATE keep the quiet mask
 * and get the caller's mask afterwards (iwd_add_finish()).
 */
static uint32_t armed_mask(const struct call *c, const struct cycle *cy)
{
	if (cy->defer || !cy->mask ||
	    c->feat.mask_create != INOTIFY_WD_MASK_CREATE_HONOURED)
		return iwd_add_quiet_mask(c, cy->mask);
	return cy->mask | IN_MASK_CREATE;
}

/*
 * One cycle: drop the watch we hold, take the next wd.  Before an add
 * that arms a watch with event bits, every event of ours is read back:
 * from then on events may arrive that the accounting cannot tell apart.
 */
static int step(struct call *c, struct cycle *cy, uint32_t mask, bool arming)
{
	int prev = cy->held;

	if (iwd_remove_own(c, prev) < 0)
		return -1;
	cy->held = 0;
	if ((arming || c->pending >= (int)c->feat.drain_batch) &&
	    iwd_queue_drain(c) < 0)
		return -1;
	cy->held = iwd_sys_add(c->fd, cy->path, mask);
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
	const uint32_t quiet = iwd_add_quiet_mask(c, cy->mask);
	const uint32_t armed = armed_mask(c, cy);
	unsigned long total = distance(cy->held, wd), left = total, d;
	uint32_t m;
	int prev;

	while (cy->held != wd) {
		prev = cy->held;
		m = armed != quiet && next_is(c, prev, wd) ? armed : quiet;
		if (step(c, cy, m, m != quiet) < 0)
			return -1;
		cy->armed = m != quiet && cy->held == wd;
		d = distance(cy->held, wd);
		if (cy->held == prev) {
			/* 2.6.31-2.6.35 reuse the lowest free wd: no progress. */
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
void iwd_cycle_abandon(struct call *c, struct cycle *cy)
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
 * discard (iwd_cycle_abandon()).
 */
int iwd_cycle_to(struct call *c, struct cycle *cy, int wd)
{
	c->st.method = INOTIFY_WD_METHOD_CYCLE;
	cy->held = iwd_add_new(c, cy->path, cy->mask, true, cy->target_private);
	if (cy->held < 0) {
		cy->held = 0;
		return -1;
	}
	if (cy->held == wd) {
		c->st.method = INOTIFY_WD_METHOD_PLAIN;
		return wd;
	}
	if (needed(c, cy->held, wd) > c->max_cycles) {
		errno = ERANGE;
		return -1;
	}
	c->max_cycles -= distance(cy->held, wd);
	if (cycle_loop(c, cy, wd) < 0)
		return -1;
	return wd;
}
