// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Fault injection: for each operation, each system call kind it issues
 * and each k up to the number of such calls, the k-th call fails with
 * ENOSPC, ENOMEM, EINTR, EACCES or EMFILE.  After every run: the call
 * either succeeded completely or failed with a documented errno, no watch
 * it created remains, the caller's watches are intact, the queue holds no
 * event it caused, and no fd leaked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "seam.h"
#include "variant.h"

#define MASK	(IN_MODIFY | IN_ATTRIB)

static const int faults[] = { ENOSPC, ENOMEM, EINTR, EACCES, EMFILE };
static const char *const kind_names[] = {
	"init", "add", "rm", "setnext", "nread", "read", "open", "memfd",
	"handle", "readlink", "chdir", "thread", "stat",
};
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == SEAM_NCALLS,
	       "a name for every kind of call the seam counts");

struct op {
	const char *name;
	unsigned int flags;	/* inotify_wd_opts.flags */
	int mask_create;	/* seam: the kernel's IN_MASK_CREATE */
	int (*run)(int fd, const struct op *op);
	int nwatches;		/* watches a successful run adds */
	unsigned int needs;	/* NEED_*: left out where unmet */
};

static struct inotify_wd_watch *handles;	/* the symlink, by handle */

static int run_add(int fd, const struct op *op)
{
	struct inotify_wd_opts o = { .flags = op->flags };

	return inotify_wd_add_watch(fd, sc.a, MASK, 40, &o, NULL) == 40 ?
	       0 : -1;
}

static int run_restore(int fd, const struct op *op)
{
	struct inotify_wd_opts o = { .flags = op->flags };
	struct inotify_wd_watch w[4];

	memset(w, 0, sizeof(w));
	w[0].wd = 30; w[0].path = sc.a;
	w[1].wd = 5; w[1].path = sc.c;
	w[2].wd = 20; w[2].path = sc.d;
	w[3] = handles[0];
	w[3].wd = 25;
	w[0].mask = w[1].mask = w[2].mask = w[3].mask = MASK;
	return inotify_wd_restore(fd, w, 4, WSIZE, &o, NULL);
}

static void *wait_pipe(void *arg)
{
	char c;

	return read(*(int *)arg, &c, 1) == 1 ? NULL : arg;
}

/*
 * A caller with another thread: the handle's mount lookup runs in the
 * library's thread then, whose start and end are injected too.
 */
static int run_restore_threaded(int fd, const struct op *op)
{
	pthread_t t;
	int p[2], ret, err;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, wait_pipe, &p[0]), 0);
	ret = run_restore(fd, op);
	err = errno;
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
	errno = err;
	return ret;
}

static int run_set_next(int fd, const struct op *op)
{
	struct inotify_wd_opts o = { .flags = op->flags };

	return inotify_wd_set_next(fd, 60, &o, NULL);
}

static int run_dump(int fd, const struct op *op)
{
	struct inotify_wd_watch *w;
	size_t n;

	(void)op;
	if (inotify_wd_dump(0, fd, &w, &n, WSIZE) < 0)
		return -1;
	free(w);
	return n == 1 ? 0 : -1;
}

/*
 * The ioctl operations would quietly take the fallback on a kernel
 * without it; restores have a handle target, which needs
 * CAP_DAC_READ_SEARCH.
 */
#define IOCTL		NEED_SETNEXTWD
#define HANDLE		NEED_HANDLES

static const struct op ops[] = {
	{ "add/fallback", INOTIFY_WD_FALLBACK, 0, run_add, 1, 0 },
	{ "add/fallback-4.4", INOTIFY_WD_FALLBACK,
	  INOTIFY_WD_MASK_CREATE_REJECTED, run_add, 1, 0 },
	{ "add/ioctl", 0, 0, run_add, 1, IOCTL },
	{ "add/ioctl-4.17", 0, INOTIFY_WD_MASK_CREATE_REJECTED, run_add, 1,
	  IOCTL },
	{ "restore/fallback", INOTIFY_WD_FALLBACK, 0, run_restore, 4, HANDLE },
	{ "restore/fallback-4.4", INOTIFY_WD_FALLBACK,
	  INOTIFY_WD_MASK_CREATE_REJECTED, run_restore, 4, HANDLE },
	{ "restore/ioctl", 0, 0, run_restore, 4, IOCTL | HANDLE },
	{ "restore/fallback-threaded", INOTIFY_WD_FALLBACK, 0,
	  run_restore_threaded, 4, HANDLE },
	{ "set-next/fallback", INOTIFY_WD_FALLBACK, 0, run_set_next, 0, 0 },
	{ "dump", 0, 0, run_dump, 0, 0 },
};
#define NOPS	(sizeof(ops) / sizeof(ops[0]))

/* The operations this machine can run; the loop's _i indexes these. */
static const struct op *runnable[NOPS];

/* One run on a fresh instance holding one watch of the caller's. */
struct outcome {
	int ret, err;
	struct kstate before, after;
	int fds_before, fds_after;
};

static void run_once(const struct op *op, struct outcome *o)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(inotify_add_watch(fd, sc.b, IN_MODIFY), 1);
	kstate(fd, &o->before);
	o->fds_before = open_fds();
	iwd_features_reset();	/* the probe's calls are counted too */
	memset(seam.count, 0, sizeof(seam.count));
	seam.mask_create = op->mask_create;
	o->ret = op->run(fd, op);
	o->err = errno;
	seam.fail_at = 0;
	kstate(fd, &o->after);
	o->fds_after = open_fds();
	close(fd);
}

/* What a failure may report: the fault itself, or what it stands for. */
static bool documented(int err, int fault)
{
	if (err == fault)
		return true;
	/* an unreadable fdinfo on a kernel without IN_MASK_CREATE */
	return err == EOPNOTSUPP && fault == EACCES;
}

static void check_outcome(const struct op *op, const struct outcome *o,
			  const char *what)
{
	ck_assert_msg(o->fds_after == o->fds_before, "%s: fd leak", what);
	ck_assert_msg(o->after.queued == 0, "%s: %d bytes queued", what,
		      o->after.queued);
	if (o->ret < 0) {
		assert_kstate_equal(&o->before, &o->after);
		return;
	}
	ck_assert_msg(o->after.n == o->before.n + op->nwatches,
		      "%s: %d watches after success", what, o->after.n);
	ck_assert_ptr_nonnull(kfind(&o->after, 1));
	ck_assert_uint_eq(kfind(&o->after, 1)->mask, IN_MODIFY);
}

static void setup(void)
{
	size_t n;
	int fd;

	variant_setup(&variants[0]);
	scratch_setup();
	fd = inotify_init1(IN_CLOEXEC);
	ck_assert_int_ge(inotify_add_watch(fd, sc.sym,
					   IN_MODIFY | IN_DONT_FOLLOW), 1);
	ck_assert_int_eq(inotify_wd_dump(0, fd, &handles, &n, WSIZE), 0);
	close(fd);
}

static void teardown(void)
{
	free(handles);
	scratch_teardown();
}

START_TEST(inject)
{
	const struct op *op = runnable[_i];
	unsigned long calls[SEAM_NCALLS], k, runs = 0, failed = 0;
	struct outcome o;
	char what[128];
	size_t kind, f;

	run_once(op, &o);
	ck_assert_msg(o.ret == 0, "%s: %s without faults", op->name,
		      strerror(o.err));
	check_outcome(op, &o, op->name);
	memcpy(calls, seam.count, sizeof(calls));
	for (kind = 0; kind < SEAM_NCALLS; kind++) {
		for (k = 1; k <= calls[kind]; k++) {
			for (f = 0; f < sizeof(faults) / sizeof(faults[0]);
			     f++) {
				seam.fail_kind = (enum seam_call)kind;
				seam.fail_at = k;
				seam.fail_errno = faults[f];
				run_once(op, &o);
				snprintf(what, sizeof(what), "%s: %s #%lu %s",
					 op->name, kind_names[kind], k,
					 strerror(faults[f]));
				if (o.ret < 0) {
					ck_assert_msg(documented(o.err,
								 faults[f]),
						      "%s: errno %s", what,
						      strerror(o.err));
					failed++;
				}
				check_outcome(op, &o, what);
				runs++;
			}
		}
	}
	printf("%s: %lu faults injected, %lu calls failed cleanly, "
	       "%lu recovered\n", op->name, runs, failed, runs - failed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("faults");
	const char *why;
	int n = 0;
	size_t i;

	for (i = 0; i < NOPS; i++) {
		why = unmet(ops[i].needs);
		if (why)
			leave_out(ops[i].name, 1, why);
		else
			runnable[n++] = &ops[i];
	}
	/* the slowest operation: 11 s here, 4 s in user-mode Linux */
	tcase_set_timeout(tc, 600);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, inject, 0, n);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
