// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The sides most cases measure: one call per fresh instance, the naive
 * add/rm loop, the library's forced fallback, and batches of watches on
 * distinct files done one way or another.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"

static void check_one(const struct one_arg *a, int r, int err)
{
	if (!a->expect && r != a->wd)
		die("placing wd %d gave %d: %s", a->wd, r, strerror(err));
	if (a->expect && (r != -1 || err != a->expect))
		die("wd %d: expected -1 %s, got %d (%s)", a->wd,
		    strerror(a->expect), r, strerror(err));
}

void side_one(const void *p, struct sample *s)
{
	const struct one_arg *a = p;
	const struct inotify_wd_opts o = { .flags = a->flags };
	struct inotify_wd_stats st;
	double t0, t1;
	int i, fd, r, err;

	s->syscalls = a->flags ? 0 : -1;
	for (i = 0; i < a->calls; i++) {
		fd = instance();
		if (a->cursor)
			move_cursor(fd, a->cursor);
		if (a->flags) {
			t0 = now_ns();
			r = inotify_wd_add_watch(fd, scr.watched, BENCH_MASK,
						 a->wd, &o, &st);
			err = errno;
			t1 = now_ns();
			s->syscalls += (double)st.syscalls;
		} else {
			t0 = now_ns();
			r = inotify_add_watch_at(fd, scr.watched, BENCH_MASK,
						 a->wd);
			err = errno;
			t1 = now_ns();
		}
		check_one(a, r, err);
		s->ns += t1 - t0;
		close(fd);
	}
	s->ops = a->calls;
}

void side_loop(const void *p, struct sample *s)
{
	const struct loop_arg *a = p;
	unsigned long i;
	double t0;
	int fd, wd;

	fd = instance();
	t0 = now_ns();
	for (i = 0; i < a->cycles; i++) {
		wd = inotify_add_watch(fd, scr.watched, BENCH_MASK);
		if (wd < 0 || inotify_rm_watch(fd, wd) < 0)
			die("naive add/rm: %s", strerror(errno));
	}
	s->ns = now_ns() - t0;
	close(fd);
	settle();
	s->ops = (double)a->cycles;
	s->syscalls = 2.0 * (double)a->cycles;
}

void side_cycle(const void *p, struct sample *s)
{
	const struct cycle_arg *a = p;
	const struct inotify_wd_opts o = { .flags = INOTIFY_WD_FALLBACK };
	struct inotify_wd_stats st;
	int fd, r, err, wd = (int)(a->k + 1);
	double t0;

	fd = instance();
	t0 = now_ns();
	r = inotify_wd_add_watch(fd, scr.watched, BENCH_MASK, wd, &o, &st);
	err = errno;
	s->ns = now_ns() - t0;
	if (r != wd)
		die("fallback to wd %d gave %d: %s", wd, r, strerror(err));
	if (st.cycles != a->k || st.method != INOTIFY_WD_METHOD_CYCLE)
		die("fallback to wd %d: %lu cycles (method %u), expected %lu",
		    wd, st.cycles, st.method, a->k);
	close(fd);
	settle();
	s->ops = (double)a->k;
	s->syscalls = (double)st.syscalls;
}

static void many_at(int fd, const struct many_arg *a)
{
	size_t i;
	int r;

	for (i = 0; i < a->n; i++) {
		r = inotify_add_watch_at(fd, a->w[i].path, a->w[i].mask,
					 a->w[i].wd);
		if (r != a->w[i].wd)
			die("inotify_add_watch_at %d: %s", a->w[i].wd,
			    strerror(errno));
	}
}

static void many_ioctl_add(int fd, const struct many_arg *a)
{
	size_t i;
	int r;

	for (i = 0; i < a->n; i++) {
		if (ioctl(fd, INOTIFY_IOC_SETNEXTWD,
			  (unsigned long)a->w[i].wd) < 0)
			die("INOTIFY_IOC_SETNEXTWD: %s", strerror(errno));
		r = inotify_add_watch(fd, a->w[i].path,
				      a->w[i].mask | create_bit);
		if (r != a->w[i].wd)
			die("ioctl+add %d gave %d: %s", a->w[i].wd, r,
			    strerror(errno));
	}
}

static void many_plain(int fd, const struct many_arg *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (inotify_add_watch(fd, a->w[i].path, a->w[i].mask) !=
		    (int)i + 1)
			die("inotify_add_watch: %s", strerror(errno));
}

void side_many(const void *p, struct sample *s)
{
	const struct many_arg *a = p;
	struct inotify_wd_stats st;
	double t0;
	int fd;

	fd = instance();
	t0 = now_ns();
	switch (a->how) {
	case HOW_AT:
		many_at(fd, a);
		s->syscalls = -1;	/* counted apart: count_at() */
		break;
	case HOW_IOCTL_ADD:
		many_ioctl_add(fd, a);
		s->syscalls = 2.0 * (double)a->n;
		break;
	case HOW_PLAIN:
		many_plain(fd, a);
		s->syscalls = (double)a->n;
		break;
	case HOW_RESTORE:
		if (inotify_wd_restore(fd, a->w, a->n, sizeof(*a->w), NULL,
				       &st) < 0)
			die("inotify_wd_restore: entry %zu: %s", st.failed,
			    strerror(errno));
		s->syscalls = (double)st.syscalls;
		break;
	}
	s->ns = now_ns() - t0;
	close(fd);		/* removes every watch: not timed */
	settle();
	s->ops = (double)a->n;
}

/*
 * inotify_add_watch_at() reports no stats; the same calls through
 * inotify_wd_add_watch(), untimed, count its system calls per watch.
 */
double count_at(const struct many_arg *a)
{
	struct inotify_wd_stats st;
	unsigned long sum = 0;
	size_t i;
	int fd = instance();

	for (i = 0; i < a->n; i++) {
		if (inotify_wd_add_watch(fd, a->w[i].path, a->w[i].mask,
					 a->w[i].wd, NULL, &st) != a->w[i].wd)
			die("inotify_wd_add_watch %d: %s", a->w[i].wd,
			    strerror(errno));
		sum += st.syscalls;
	}
	close(fd);
	return (double)sum / (double)a->n;
}
