// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* The state every public call carries: options, probe results, stats. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "internal.h"

#define KNOWN_FLAGS \
	(INOTIFY_WD_FALLBACK | INOTIFY_WD_NO_FALLBACK | INOTIFY_WD_NO_ROLLBACK | \
	 INOTIFY_WD_FRESH)

/*
 * The reserved words, and on 32-bit ABIs the pads that keep each pointer's
 * slot 64 bits wide: a later version may give them meaning.
 */
static bool reserved_clear(const struct inotify_wd_opts *o)
{
	size_t i;

#if UINTPTR_MAX <= 0xffffffffU
	if (o->pad0 || o->pad1 || o->pad2)
		return false;
#endif
	for (i = 0; i < sizeof(o->reserved) / sizeof(o->reserved[0]); i++)
		if (o->reserved[i])
			return false;
	return true;
}

static int check_opts(const struct inotify_wd_opts *o)
{
	if (!o)
		return 0;
	if ((o->flags & ~KNOWN_FLAGS) || !reserved_clear(o) ||
	    ((o->flags & INOTIFY_WD_FALLBACK) &&
	     (o->flags & INOTIFY_WD_NO_FALLBACK))) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int iwd_call_begin(struct call *c, int fd, const struct inotify_wd_opts *opts,
	       struct inotify_wd_stats *stats)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->stats = stats;
	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (check_opts(opts) < 0 || iwd_features_get(&c->feat) < 0)
		return -1;
	c->max_cycles = INOTIFY_WD_DEFAULT_MAX_CYCLES;
	if (opts) {
		c->flags = opts->flags;
		if (opts->max_cycles)
			c->max_cycles = opts->max_cycles;
		c->progress = opts->progress;
		c->progress_arg = opts->progress_arg;
	}
	/* Probe syscalls happen once per process: not this call's cost. */
	c->sys_start = iwd_sys_count();
	return 0;
}

/* Reports the stats and releases what the call held; keeps errno. */
int iwd_call_end(struct call *c, int ret)
{
	int saved = errno;

	if (c->stats) {
		c->st.syscalls = iwd_sys_count() - c->sys_start +
				 c->sys_worker;
		*c->stats = c->st;
	}
	iwd_snapshot_free(&c->taken.snap);
	errno = saved;
	return ret;
}

bool iwd_call_use_ioctl(const struct call *c)
{
	return c->feat.setnextwd && !(c->flags & INOTIFY_WD_FALLBACK);
}
