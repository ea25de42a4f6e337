// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Bookkeeping of the IN_IGNORED events our own inotify_rm_watch() calls
 * queue on the caller's fd.
 *
 * inotify has no way to peek at or put back an event, so the library only
 * reads when FIONREAD proves the queue holds nothing but its own events:
 * each removal queues exactly one 16-byte IN_IGNORED, and nothing merges
 * into an IN_IGNORED, so "bytes queued == 16 * our removals" means every
 * queued event is ours.
 */
#include "config.h"

#include <errno.h>

#include "internal.h"

#define DRAIN_CHUNK	1024	/* events per read() */

/* The fallback may only cycle on a queue that starts out empty. */
int iwd_queue_claim(struct call *c)
{
	int bytes = 0;

	if (iwd_sys_nread(c->fd, &bytes) < 0) {
		/* Every inotify instance answers FIONREAD. */
		if (errno == ENOTTY)
			errno = EINVAL;
		return -1;
	}
	if (bytes != 0) {
		errno = EAGAIN;
		return -1;
	}
	c->queue_owned = true;
	c->pending = 0;
	return 0;
}

/* Read and check bytes of events we know to be ours. */
static int consume(struct call *c, long bytes)
{
	struct inotify_event ev[DRAIN_CHUNK];
	long n, chunk;

	while (bytes > 0) {
		chunk = bytes < (long)sizeof(ev) ? bytes : (long)sizeof(ev);
		n = iwd_sys_read(c->fd, ev, (size_t)chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		bytes -= n;
	}
	return 0;
}

/*
 * The queue is shorter than our removals: the instance was created with a
 * smaller max_queued_events than the one probed, so it overflowed and
 * dropped some of ours.  Everything in it is ours (it was empty when we
 * claimed it); read it all and drain more often from now on.
 */
static int recover_overflow(struct call *c, int bytes)
{
	unsigned int seen = (unsigned int)bytes / IGNORED_EVENT_SIZE;

	c->feat.drain_batch = seen / 4 ? seen / 4 : 1;
	return consume(c, bytes);
}

int iwd_queue_drain(struct call *c)
{
	int bytes = 0;
	long want = (long)c->pending * IGNORED_EVENT_SIZE;

	if (!c->pending)
		return 0;
	if (iwd_sys_nread(c->fd, &bytes) < 0)
		return -1;
	if (bytes == want) {
		if (consume(c, want) < 0)
			return -1;
	} else if (bytes < want && c->queue_owned) {
		if (recover_overflow(c, bytes) < 0)
			return -1;
	} else {
		/* An event of the caller's arrived: never read past it. */
		errno = EAGAIN;
		return -1;
	}
	c->pending = 0;
	return 0;
}

/*
 * Remove a watch this call created; its IN_IGNORED is then queued and
 * counted.  A passing failure gets another try.  EINVAL means the watch
 * went away by itself (its inode was deleted or unmounted, or IN_ONESHOT
 * fired), which queued the same IN_IGNORED: counted too.
 */
int iwd_remove_own(struct call *c, int wd)
{
	int tries;

	for (tries = 0; tries < 3; tries++) {
		if (iwd_sys_rm(c->fd, wd) == 0 || errno == EINVAL) {
			c->pending++;
			return 0;
		}
		if (errno == EBADF)
			break;
	}
	return -1;
}

/*
 * Drain on a cleanup path: a passing failure gets a second try, a foreign
 * event (EAGAIN) does not.  Keeps errno: the caller reports its own.
 */
void iwd_queue_settle(struct call *c)
{
	int saved = errno;

	if (iwd_queue_drain(c) < 0 && errno != EAGAIN)
		iwd_queue_drain(c);
	errno = saved;
}

/* Remove our watch, and read its IN_IGNORED back when provably ours. */
void iwd_discard_watch(struct call *c, int wd)
{
	int saved = errno;

	iwd_remove_own(c, wd);
	iwd_queue_settle(c);
	errno = saved;
}
