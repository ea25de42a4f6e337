// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The restore's worker: a thread with a working directory of its own.
 *
 * File handles are opened relative to a working directory on their mount
 * (see handle.c), and the caller's must not move.  The thread unshares
 * its filesystem context (CLONE_FS) and then runs the whole batch, while
 * the caller waits: one hand-over per call, not per watch.  Waking a
 * thread that sleeps on another CPU costs tens of microseconds on an
 * idle machine, which per watch would be many times a watch's own cost.
 */
#include "config.h"

#include <errno.h>

#include "internal.h"

struct job {
	int (*fn)(void *);
	void *arg;
	int ret, err;
	unsigned long calls;	/* the system calls the worker issued */
};

static void *worker_main(void *p)
{
	struct job *j = p;

	if (iwd_sys_unshare_fs() < 0) {
		j->ret = -1;
		j->err = errno;
	} else {
		j->ret = j->fn(j->arg);
		j->err = errno;
	}
	j->calls = iwd_sys_count();
	return NULL;
}

/*
 * Run fn(arg) in the worker; its result and errno become ours, and the
 * system calls it issued are added to *calls.  EAGAIN when no thread can
 * be created.
 */
int iwd_worker_run(int (*fn)(void *), void *arg, unsigned long *calls)
{
	struct job j = { .fn = fn, .arg = arg };
	pthread_t t;

	if (iwd_sys_thread_start(&t, worker_main, &j) < 0)
		return -1;
	iwd_sys_thread_join(t);
	*calls += j.calls;
	errno = j.err;
	return j.ret;
}
