// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Threads.  Each thread on an fd of its own: 10,000 calls each, on both
 * paths, all correct.  The first-call probe raced from many threads runs
 * once.  One fd shared without locking: what libinotifywd(7) promises, that
 * a call may fail with EBUSY but never reports success for a watch at
 * another wd, and never leaves a watch behind.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "seam.h"
#include "variant.h"

#define THREADS		4
#define CALLS		10000

static char **files;
static pthread_barrier_t start;

static void setup(void)
{
	variant_setup(&variants[0]);
	scratch_setup();
	files = scratch_files(THREADS);
}

static void teardown(void)
{
	int i;

	for (i = 0; i < THREADS; i++)
		free(files[i]);
	free(files);
	scratch_teardown();
}

struct worker {
	int id;
	unsigned int flags;
	int fd;
	int ok, busy, wrong;
	int *wds;		/* shared fd: what each call returned */
};

/* Own fd: add at the next wd, check it, remove it, read the IN_IGNORED. */
static void *own_fd(void *arg)
{
	struct worker *w = arg;
	struct inotify_wd_opts o = { .flags = w->flags };
	struct inotify_event ev;
	int i, wd, got;

	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	pthread_barrier_wait(&start);
	for (i = 0; i < CALLS; i++) {
		/* the fallback moves one step ahead; the ioctl jumps */
		wd = w->flags ? i + 1 : 1 + (i * 7919) % 1000000;
		got = inotify_wd_add_watch(w->fd, files[w->id], IN_MODIFY, wd,
					   &o, NULL);
		if (got != wd || inotify_rm_watch(w->fd, got) < 0 ||
		    read(w->fd, &ev, sizeof(ev)) != (ssize_t)sizeof(ev) ||
		    ev.wd != wd || !(ev.mask & IN_IGNORED))
			w->wrong++;
		else
			w->ok++;
	}
	return NULL;
}

static void run_own(unsigned int flags)
{
	pthread_t t[THREADS];
	struct worker w[THREADS];
	int i;

	memset(w, 0, sizeof(w));
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (i = 0; i < THREADS; i++) {
		w[i].id = i;
		w[i].flags = flags;
		ck_assert_int_eq(pthread_create(&t[i], NULL, own_fd, &w[i]),
				 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].wrong, 0);
		ck_assert_int_eq(w[i].ok, CALLS);
		ck_assert_int_eq(kwatches(w[i].fd,
					  (struct kwatch[MAX_KWATCH]){ { 0 } },
					  MAX_KWATCH), 0);
		ck_assert_int_eq(queued_bytes(w[i].fd), 0);
		close(w[i].fd);
	}
	pthread_barrier_destroy(&start);
}

START_TEST(own_fd_ioctl)
{
	run_own(0);
}
END_TEST

START_TEST(own_fd_fallback)
{
	run_own(INOTIFY_WD_FALLBACK);
}
END_TEST

static void *probe_race(void *arg)
{
	struct inotify_wd_features *f = arg;

	pthread_barrier_wait(&start);
	ck_assert_int_eq(inotify_wd_get_features(f), 0);
	return NULL;
}

START_TEST(probe_once)
{
	enum { N = 16 };
	struct inotify_wd_features f[N];
	pthread_t t[N];
	int i;

	memset(seam.count, 0, sizeof(seam.count));
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, N), 0);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, probe_race, &f[i]),
				 0);
	for (i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		/* the suite's own probe says what the kernel has */
		ck_assert_int_eq(f[i].setnextwd, !kernel_setnextwd());
		ck_assert_int_eq(f[i].mask_create,
				 INOTIFY_WD_MASK_CREATE_HONOURED);
	}
	/* one private instance, one ioctl: the probe ran once */
	ck_assert_uint_eq(seam.count[SEAM_INIT], 1);
	ck_assert_uint_eq(seam.count[SEAM_SETNEXT], 1);
	pthread_barrier_destroy(&start);
}
END_TEST

#define SHARED_CALLS	2000

/* Shared fd, no lock: each thread asks for wds of its own range. */
static void *shared_fd(void *arg)
{
	struct worker *w = arg;
	int i, wd, got;

	pthread_barrier_wait(&start);
	for (i = 0; i < SHARED_CALLS; i++) {
		wd = (w->id + 1) * 100000 + i;
		got = inotify_add_watch_at(w->fd, files[w->id], IN_MODIFY, wd);
		w->wds[i] = got;
		if (got == wd) {
			w->ok++;
			/* let the next call create the watch again */
			inotify_rm_watch(w->fd, got);
		} else if (got < 0 && errno == EBUSY) {
			w->busy++;
		} else {
			w->wrong++;
		}
	}
	return NULL;
}

START_TEST(shared_fd_unlocked)
{
	pthread_t t[THREADS];
	struct worker w[THREADS];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), i, ok = 0;

	memset(w, 0, sizeof(w));
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, THREADS), 0);
	for (i = 0; i < THREADS; i++) {
		w[i].id = i;
		w[i].fd = fd;
		w[i].wds = calloc(SHARED_CALLS, sizeof(int));
		ck_assert_int_eq(pthread_create(&t[i], NULL, shared_fd, &w[i]),
				 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].wrong, 0);
		ok += w[i].ok;
		free(w[i].wds);
	}
	/* every watch was removed by its thread: none may be left over */
	ck_assert_int_eq(kwatches(fd, (struct kwatch[MAX_KWATCH]){ { 0 } },
				  MAX_KWATCH), 0);
	ck_assert_int_gt(ok, 0);
	printf("shared fd: %d of %d calls succeeded, the rest EBUSY\n", ok,
	       THREADS * SHARED_CALLS);
	close(fd);
	pthread_barrier_destroy(&start);
}
END_TEST

int main(void)
{
	const struct case_spec cases[] = {
		NEEDS(own_fd_ioctl, NEED_SETNEXTWD,
		      "its calls jump across wds"),
		CASE(own_fd_fallback), CASE(probe_once),
		/* the fallback is not meant to share an fd (libinotifywd(7)) */
		NEEDS(shared_fd_unlocked, NEED_SETNEXTWD,
		      "races the fast path's ioctl and add"),
	};

	/* own_fd_fallback: 1 s here, 19 s in user-mode Linux (README) */
	return case_main("threads", cases, sizeof(cases) / sizeof(cases[0]),
			 setup, teardown, 300);
}
