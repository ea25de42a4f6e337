// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The state every public call carries: options, probe results, stats,
 * and the switches a consumer sets in the environment.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
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

static struct iwd_env env;
static int env_state;		/* 0: unread, 1: being stored, 2: read */

/* "1", or a value not understood. */
static void env_fallback(struct iwd_env *e, const char *v)
{
	if (!v)
		return;
	e->flags |= strcmp(v, "1") == 0 ? INOTIFY_WD_ENV_FALLBACK :
					  INOTIFY_WD_ENV_IGNORED;
}

/* Decimal digits only, at least 1, no larger than an unsigned long. */
static void env_max_cycles(struct iwd_env *e, const char *v)
{
	unsigned long n;
	char *end;

	if (!v)
		return;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || !n) {
		e->flags |= INOTIFY_WD_ENV_IGNORED;
		return;
	}
	e->flags |= INOTIFY_WD_ENV_MAX_CYCLES;
	e->max_cycles = n;
}

/*
 * Read on the first call, not at load time, so that a program (or a
 * test's child) may set the variables before it calls; secure_getenv()
 * leaves them unread in set-id programs.  They can only narrow what a
 * call does: force the fallback, lower the bound.
 *
 * Not pthread_once(): its end wakes waiters with a futex call, one more
 * system call on the first call.  Threads that read at once each use
 * what they read (the same), and the first keeps it for every later
 * call; a fork() child inherits it and never reads again.
 */
void iwd_env_get(struct iwd_env *e)
{
	int saved = errno, unread = 0;

	if (__atomic_load_n(&env_state, __ATOMIC_ACQUIRE) == 2) {
		*e = env;
		return;
	}
	*e = (struct iwd_env){ 0 };
	env_fallback(e, secure_getenv("INOTIFYWD_FALLBACK"));
	env_max_cycles(e, secure_getenv("INOTIFYWD_MAX_CYCLES"));
	errno = saved;
	if (__atomic_compare_exchange_n(&env_state, &unread, 1, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		env = *e;
		__atomic_store_n(&env_state, 2, __ATOMIC_RELEASE);
	}
}

/*
 * The environment narrows the options: the fallback forced (with the
 * call's INOTIFY_WD_NO_FALLBACK the call then fails with EOPNOTSUPP, as
 * on a kernel without the ioctl), the bound lowered, never raised.
 */
static void apply_env(struct call *c)
{
	struct iwd_env e;

	iwd_env_get(&e);
	if (e.flags & INOTIFY_WD_ENV_FALLBACK)
		c->flags |= INOTIFY_WD_FALLBACK;
	if ((e.flags & INOTIFY_WD_ENV_MAX_CYCLES) &&
	    e.max_cycles < c->max_cycles)
		c->max_cycles = e.max_cycles;
}

/*
 * The features come from probe.c, asked on fd itself when this process
 * has not learnt them yet.  An fd that proves no instance does not fail
 * the call here: api.c says so after its argument checks, the order
 * every call keeps (c->fd_err).
 */
static int features(struct call *c)
{
	if (iwd_features_for_fd(c->fd, &c->feat, &c->fd_instance) == 0)
		return 0;
	if (errno != EBADF && errno != EINVAL)
		return -1;
	c->fd_err = errno;
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
	if (check_opts(opts) < 0 || features(c) < 0)
		return -1;
	c->max_cycles = INOTIFY_WD_DEFAULT_MAX_CYCLES;
	if (opts) {
		c->flags = opts->flags;
		if (opts->max_cycles)
			c->max_cycles = opts->max_cycles;
		c->progress = opts->progress;
		c->progress_arg = opts->progress_arg;
		c->open_target = opts->open_target;
		c->open_target_arg = opts->open_target_arg;
	}
	apply_env(c);
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

/* Known to work: fastpath.c iwd_fast_settle() asked first, if need be. */
bool iwd_call_use_ioctl(const struct call *c)
{
	return c->feat.setnext == IWD_SETNEXT_YES &&
	       !(c->flags & INOTIFY_WD_FALLBACK);
}

/* The drain batch, read from the queue limit when first needed. */
unsigned int iwd_call_drain(struct call *c)
{
	if (!c->feat.drain_batch)
		c->feat.drain_batch = iwd_features_drain();
	return c->feat.drain_batch;
}
