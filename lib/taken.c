// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The wds that are taken on the caller's fd: those /proc/self/fdinfo
 * showed when the call began (the snapshot, its watches "before" the
 * call; a FRESH call reads it late, if at all, and forgets its own
 * watches in it), and those the call has created since (a restore's).  Both
 * lists are sorted: the snapshot by the parser, the created ones because
 * a restore places its watches in ascending wd order.  So every question is a binary search, and a restore of n
 * watches stays O(n log n) on kernels where each add must be checked
 * against them.
 */
#include "config.h"

#include <limits.h>

#include "internal.h"

/* Index of the first snapshot entry whose wd is at least wd. */
static size_t snap_lower(const struct snapshot *s, int wd)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->w[mid].wd < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the first created wd that is at least wd. */
static size_t created_lower(const struct taken *t, int wd)
{
	size_t lo = 0, hi = t->ncreated, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->created[mid] < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Was wd taken when the call began? */
bool iwd_taken_before(const struct taken *t, int wd)
{
	size_t i = snap_lower(&t->snap, wd);

	return i < t->snap.n && t->snap.w[i].wd == wd;
}

/* Did this call create wd? */
bool iwd_taken_by_call(const struct taken *t, int wd)
{
	size_t i = created_lower(t, wd);

	return i < t->ncreated && t->created[i] == wd;
}

/* The watch the snapshot shows at wd, or NULL. */
const struct inotify_wd_watch *iwd_taken_find(const struct taken *t, int wd)
{
	size_t i = snap_lower(&t->snap, wd);

	return i < t->snap.n && t->snap.w[i].wd == wd ? &t->snap.w[i] : NULL;
}

/*
 * A snapshot taken late (INOTIFY_WD_FRESH: only once the fallback is
 * about to cycle) shows the call's own watches too: the ones it created,
 * and own, the watch it is about to cycle.  Forget them, so that what
 * stays is what was there before the call, as an early snapshot shows.
 */
void iwd_taken_forget_own(struct taken *t, int own)
{
	struct snapshot *s = &t->snap;
	size_t i, m = 0;

	for (i = 0; i < s->n; i++)
		if (s->w[i].wd != own && !iwd_taken_by_call(t, s->w[i].wd))
			s->w[m++] = s->w[i];
	s->n = m;
}

/* Taken wds in [lo, hi], lo <= hi, without wrapping. */
static unsigned long taken_in(const struct taken *t, int lo, int hi)
{
	size_t s_end, c_end;

	s_end = hi == INT_MAX ? t->snap.n : snap_lower(&t->snap, hi + 1);
	c_end = hi == INT_MAX ? t->ncreated : created_lower(t, hi + 1);

	return (unsigned long)(s_end - snap_lower(&t->snap, lo)) +
	       (unsigned long)(c_end - created_lower(t, lo));
}

/*
 * Taken wds strictly between a and b, going up from a and wrapping from
 * INT_MAX to 1, as the allocator does.
 */
unsigned long iwd_taken_between(const struct taken *t, int a, int b)
{
	if (a < b)
		return b - a > 1 ? taken_in(t, a + 1, b - 1) : 0;
	return (a < INT_MAX ? taken_in(t, a + 1, INT_MAX) : 0) +
	       (b > 1 ? taken_in(t, 1, b - 1) : 0);
}
