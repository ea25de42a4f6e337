// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The restore's worker: a thread with a working directory of its own,
 * for a caller that has other threads.
 *
 * File handles are opened relative to a working directory on their mount
 * (see handle.c).  A process with one thread has its working directory
 * to itself, so the batch runs in the calling thread, which goes back to
 * its own directory before it returns and around the progress callback:
 * no task is created, and a checkpoint tool that restores a task with
 * chosen pids finds none taken.  Only when other threads share the
 * directory does the batch run in a thread that unshares its filesystem
 * context (CLONE_FS), while the caller waits: one hand-over per call,
 * not per watch.  Waking a thread that sleeps on another CPU costs tens
 * of microseconds on an idle machine, which per watch would be many
 * times a watch's own cost.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

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
 * Does the process have threads besides this one, which would see the
 * working directory move?  /proc/self/task links one entry per thread
 * to its two own ("." and ".."): one stat() tells, with no text to
 * parse.  When /proc cannot tell, assume they exist.  Only this thread
 * could add one during the call (in the progress callback, which the
 * manual asks not to).
 */
bool iwd_worker_needed(void)
{
	struct stat st;

	return iwd_sys_stat("/proc/self/task", &st) < 0 || st.st_nlink != 3;
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
