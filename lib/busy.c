// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The wds that are taken on the caller's fd: those /proc/self/fdinfo
 * showed when the call began (the snapshot), and those the call has
 * created since.  Both lists are sorted: the snapshot by the parser, the
 * created ones because a restore places its watches in ascending wd
 * order.  So every question is a binary search, and a restore of n
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
static size_t created_lower(const struct call *c, int wd)
{
	size_t lo = 0, hi = c->ncreated, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->created[mid] < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool iwd_snapshot_has_wd(const struct snapshot *s, int wd)
{
	size_t i = snap_lower(s, wd);

	return i < s->n && s->w[i].wd == wd;
}

bool iwd_call_created(const struct call *c, int wd)
{
	size_t i = created_lower(c, wd);

	return i < c->ncreated && c->created[i] == wd;
}

/* Taken wds in [lo, hi], lo <= hi, without wrapping. */
static unsigned long taken_in(const struct call *c, int lo, int hi)
{
	size_t s_end = hi == INT_MAX ? c->snap.n : snap_lower(&c->snap, hi + 1);
	size_t c_end = hi == INT_MAX ? c->ncreated : created_lower(c, hi + 1);

	return (unsigned long)(s_end - snap_lower(&c->snap, lo)) +
	       (unsigned long)(c_end - created_lower(c, lo));
}

/*
 * Taken wds strictly between a and b, going up from a and wrapping from
 * INT_MAX to 1, as the allocator does.
 */
unsigned long iwd_taken_between(const struct call *c, int a, int b)
{
	if (a < b)
		return b - a > 1 ? taken_in(c, a + 1, b - 1) : 0;
	return (a < INT_MAX ? taken_in(c, a + 1, INT_MAX) : 0) +
	       (b > 1 ? taken_in(c, 1, b - 1) : 0);
}
