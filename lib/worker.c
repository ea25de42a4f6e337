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
 * times a watch's own cost.  Meanwhile the caller runs the progress
 * reports the worker hands over (rare: every 16384 cycles), and the
 * open_target callback of each OPEN_CB entry (one hand-over each), so
 * that both callbacks run in the calling thread, as the manual says.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "internal.h"

/* What the worker hands to the calling thread: fn(arg), run there. */
struct report {
	void (*fn)(void *);
	void *arg;
};

struct job {
	int (*fn)(void *);
	void *arg;
	int ret, err;
	unsigned long calls;	/* the system calls the worker issued */
	pthread_mutex_t lock;	/* guards what follows */
	pthread_cond_t cond;	/* either side waits on it */
	bool finished;
	bool reporting;		/* r waits for the calling thread */
	struct report r;
};

/* The job of this thread, in the worker; NULL elsewhere. */
static __thread struct job *current;

static void *worker_main(void *p)
{
	struct job *j = p;

	current = j;
	if (iwd_sys_unshare_fs() < 0) {
		j->ret = -1;
		j->err = errno;
	} else {
		j->ret = j->fn(j->arg);
		j->err = errno;
	}
	pthread_mutex_lock(&j->lock);
	j->finished = true;
	iwd_sys_cond_wake(&j->cond);
	j->calls = iwd_sys_count();
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/*
 * In the worker: hand fn(arg) to the calling thread, which runs it in its
 * own working directory, and wait for its return.  False when this is
 * not the worker: call it yourself then.
 */
bool iwd_worker_hand(void (*fn)(void *), void *arg)
{
	struct job *j = current;

	if (!j)
		return false;
	pthread_mutex_lock(&j->lock);
	j->r = (struct report){ fn, arg };
	j->reporting = true;
	iwd_sys_cond_wake(&j->cond);
	while (j->reporting)
		iwd_sys_cond_wait(&j->cond, &j->lock);
	pthread_mutex_unlock(&j->lock);
	return true;
}

struct progress {
	inotify_wd_progress_fn *fn;
	unsigned long done, total;
	void *arg;
};

static void run_progress(void *arg)
{
	struct progress *p = arg;

	p->fn(p->done, p->total, p->arg);
}

/* In the worker: the progress callback, handed over as above. */
bool iwd_worker_report(inotify_wd_progress_fn *fn, unsigned long done,
		       unsigned long total, void *arg)
{
	struct progress p = { fn, done, total, arg };

	return iwd_worker_hand(run_progress, &p);
}

/* The calling thread: run the worker's reports until it has finished. */
static void serve(struct job *j)
{
	struct report r;

	pthread_mutex_lock(&j->lock);
	while (!j->finished) {
		if (!j->reporting) {
			iwd_sys_cond_wait(&j->cond, &j->lock);
			continue;
		}
		r = j->r;
		pthread_mutex_unlock(&j->lock);
		r.fn(r.arg);
		pthread_mutex_lock(&j->lock);
		j->reporting = false;
		iwd_sys_cond_wake(&j->cond);
	}
	pthread_mutex_unlock(&j->lock);
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
 * Run fn(arg) in the worker, while this thread runs the progress reports
 * it hands over; its result and errno become ours, and the system calls
 * it issued are added to *calls.  EAGAIN when no thread can be created.
 */
int iwd_worker_run(int (*fn)(void *), void *arg, unsigned long *calls)
{
	struct job j = { .fn = fn, .arg = arg };
	pthread_t t;
	int ret = -1;

	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.cond, NULL);
	if (iwd_sys_thread_start(&t, worker_main, &j) == 0) {
		serve(&j);
		iwd_sys_thread_join(t);
		*calls += j.calls;
		errno = j.err;
		ret = j.ret;
	}
	pthread_cond_destroy(&j.cond);
	pthread_mutex_destroy(&j.lock);
	return ret;
}
