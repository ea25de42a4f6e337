// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The contract of inotify_add_watch_at() and inotify_wd_set_next(), run
 * against every kernel variant (variant.c).  Each case checks what the
 * kernel says afterwards: the watches in fdinfo, the bytes queued, the
 * events read back, the open fds; not only the return value.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seam.h"
#include "variant.h"

#define MASK	(IN_MODIFY | IN_ATTRIB)

static int fd, fds_before;
static struct inotify_wd_stats st;

static void setup(void)
{
	scratch_setup();
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	fds_before = open_fds();
}

static void teardown(void)
{
	close(fd);
	scratch_teardown();
}

static int add(const char *path, uint32_t mask, int wd)
{
	struct inotify_wd_opts o = variant_opts();

	return inotify_wd_add_watch(fd, path, mask, wd, &o, &st);
}

static int add_opts(const char *path, uint32_t mask, int wd,
		    struct inotify_wd_opts *o)
{
	o->flags |= V->flags;
	return inotify_wd_add_watch(fd, path, mask, wd, o, &st);
}

/* A call that fails must fail with err and leave the fd as it was. */
static void expect_fail(int ret, int err, const struct kstate *before)
{
	struct kstate after;
	int saved = errno;

	ck_assert_int_eq(ret, -1);
	ck_assert_msg(saved == err, "[%s] errno %s, expected %s", V->name,
		      strerror(saved), strerror(err));
	kstate(fd, &after);
	assert_kstate_equal(before, &after);
	ck_assert_int_eq(open_fds(), fds_before);
}

/* Exactly one watch more than before: wd on path with mask. */
static void expect_watch(int ret, int wd, const char *path, uint32_t mask,
			 const struct kstate *before)
{
	struct kstate after;
	const struct kwatch *w;

	ck_assert_msg(ret == wd, "[%s] got %d (%s), expected %d", V->name,
		      ret, strerror(errno), wd);
	kstate(fd, &after);
	ck_assert_int_eq(after.n, before->n + 1);
	ck_assert_int_eq(after.queued, before->queued);
	w = kfind(&after, wd);
	ck_assert_ptr_nonnull(w);
	ck_assert_uint_eq(w->ino, inode_of(path));
	ck_assert_uint_eq(w->sdev, sdev_of(path));
	ck_assert_uint_eq(w->mask, mask);
	ck_assert_int_eq(open_fds(), fds_before);
}

/* The caller's own watch, made with the plain system call (at wd at). */
static int caller_watch(const char *path, uint32_t mask, int at)
{
	int wd;

	if (at)
		return put_watch(fd, path, mask, at);
	wd = inotify_add_watch(fd, path, mask);
	ck_assert_int_gt(wd, 0);
	return wd;
}

/* Queue one real event for the caller: its watch on b sees a write. */
static int caller_event(void)
{
	int wd = caller_watch(sc.b, IN_MODIFY, 0), f;

	f = open(sc.b, O_WRONLY | O_CLOEXEC);
	ck_assert_int_eq(write(f, "x", 1), 1);
	close(f);
	ck_assert_int_eq(queued_bytes(fd), (int)sizeof(struct inotify_event));
	return wd;
}

static void expect_event(int wd, uint32_t mask)
{
	struct inotify_event ev;

	ck_assert_int_eq(read(fd, &ev, sizeof(ev)), (int)sizeof(ev));
	ck_assert_int_eq(ev.wd, wd);
	ck_assert_uint_eq(ev.mask, mask);
}

START_TEST(far_target)
{
	struct kstate before;
	int wd = V->fallback ? 20000 : 0x34d71d6;

	kstate(fd, &before);
	variant_enter();
	/* 20000 cycles pass the 16384-event queue limit: drained as we go. */
	expect_watch(add(sc.a, MASK, wd), wd, sc.a, MASK, &before);
	ck_assert_int_eq(queued_bytes(fd), 0);
	if (V->fallback) {
		ck_assert_uint_eq(st.method, INOTIFY_WD_METHOD_CYCLE);
		ck_assert_uint_eq(st.cycles, (unsigned long)wd - 1);
	} else {
		ck_assert_uint_eq(st.method, INOTIFY_WD_METHOD_IOCTL);
		ck_assert_uint_eq(st.cycles, 0);
		if (!V->mask_create)
			ck_assert_uint_eq(st.syscalls, 2);
	}
}
END_TEST

START_TEST(cursor_already_there)
{
	struct kstate before;

	kstate(fd, &before);
	variant_enter();
	expect_watch(add(sc.a, MASK, 1), 1, sc.a, MASK, &before);
	if (V->fallback)
		ck_assert_uint_eq(st.cycles, 0);
}
END_TEST

START_TEST(einval_wd)
{
	static const int bad[] = { 0, -1, INT_MIN };
	struct kstate before;
	size_t i;

	caller_watch(sc.b, IN_MODIFY, 0);
	kstate(fd, &before);
	variant_enter();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_fail(add(sc.a, MASK, bad[i]), EINVAL, &before);
}
END_TEST

START_TEST(einval_mask)
{
	static const uint32_t bad[] = {
		0, IN_MASK_ADD | IN_MODIFY, IN_ONLYDIR, IN_ONESHOT,
		IN_MODIFY | IN_ISDIR, IN_MODIFY | 0x00010000,
		IN_MODIFY | IN_IGNORED, IN_MASK_CREATE,
	};
	struct kstate before;
	size_t i;

	caller_watch(sc.b, IN_MODIFY, 0);
	kstate(fd, &before);
	variant_enter();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_fail(add(sc.a, bad[i], 5), EINVAL, &before);
}
END_TEST

START_TEST(einval_not_inotify)
{
	int p[2], real = fd;
	struct kstate before;

	kstate(fd, &before);
	ck_assert_int_eq(pipe(p), 0);
	fds_before = open_fds();
	variant_enter();
	fd = p[0];
	ck_assert_int_eq(add(sc.a, MASK, 5), -1);
	ck_assert_int_eq(errno, EINVAL);
	fd = open(sc.c, O_RDONLY | O_CLOEXEC);
	ck_assert_int_eq(add(sc.a, MASK, 5), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(fd);
	fd = real;
	close(p[0]);
	close(p[1]);
	fds_before -= 2;
	expect_fail(-1, EINVAL, &before);
}
END_TEST

START_TEST(ebadf)
{
	int real = fd;

	variant_enter();
	fd = 1000;
	ck_assert_int_eq(add(sc.a, MASK, 5), -1);
	ck_assert_int_eq(errno, EBADF);
	fd = real;
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

START_TEST(efault)
{
	struct kstate before;

	kstate(fd, &before);
	variant_enter();
	expect_fail(add(NULL, MASK, 5), EFAULT, &before);
}
END_TEST

START_TEST(enoent)
{
	struct kstate before;
	char path[128];

	caller_watch(sc.b, IN_MODIFY, 0);
	kstate(fd, &before);
	variant_enter();
	snprintf(path, sizeof(path), "%s/missing", sc.dir);
	expect_fail(add(path, MASK, 500), ENOENT, &before);
	expect_fail(add("", MASK, 500), ENOENT, &before);
}
END_TEST

START_TEST(enotdir)
{
	struct kstate before;

	kstate(fd, &before);
	variant_enter();
	expect_fail(add(sc.a, MASK | IN_ONLYDIR, 500), ENOTDIR, &before);
	expect_watch(add(sc.d, MASK | IN_ONLYDIR, 500), 500, sc.d, MASK,
		     &before);
}
END_TEST

/* The caller's watch on the inode, by any name, is left exactly as is. */
START_TEST(eexist)
{
	const uint32_t mine = IN_MODIFY | IN_ONESHOT;
	struct kstate before;

	caller_watch(sc.a, mine, 0);
	kstate(fd, &before);
	variant_enter();
	expect_fail(add(sc.a, MASK, 200), EEXIST, &before);
	expect_fail(add(sc.ln, MASK, 200), EEXIST, &before);
	expect_fail(add(sc.a, IN_DELETE_SELF | IN_EXCL_UNLINK, 200), EEXIST,
		    &before);
	ck_assert_uint_eq(before.w[0].mask, mine);
}
END_TEST

START_TEST(symlinks)
{
	struct kstate before;

	caller_watch(sc.b, IN_MODIFY, 0);
	kstate(fd, &before);
	variant_enter();
	expect_fail(add(sc.sym, MASK, 300), EEXIST, &before);
	/* IN_DONT_FOLLOW names the link itself: another inode. */
	expect_watch(add(sc.sym, MASK | IN_DONT_FOLLOW, 300), 300, sc.sym,
		     MASK, &before);
}
END_TEST

START_TEST(ebusy_ahead)
{
	struct kstate before;
	int busy = caller_watch(sc.b, IN_MODIFY, 300);

	move_cursor(fd, 1);
	kstate(fd, &before);
	variant_enter();
	expect_fail(add(sc.a, MASK, busy), EBUSY, &before);
	if (V->fallback && !V->no_proc)
		ck_assert_uint_eq(st.cycles, 0);
}
END_TEST

/* A busy wd behind the cursor: EBUSY, but ERANGE without fdinfo. */
START_TEST(ebusy_behind)
{
	struct kstate before;
	int busy = caller_watch(sc.b, IN_MODIFY, 5);

	move_cursor(fd, 1000);
	kstate(fd, &before);
	variant_enter();
	expect_fail(add(sc.a, MASK, busy), V->no_proc ? ERANGE : EBUSY,
		    &before);
}
END_TEST

/*
 * Pending caller events.  The fast path does not care; the fallback
 * refuses (EAGAIN) rather than read them.  Either way the caller's event
 * stays first in the queue, untouched.
 */
START_TEST(pending_events)
{
	struct kstate before;
	int mine = caller_event();

	kstate(fd, &before);
	variant_enter();
	if (V->fallback) {
		expect_fail(add(sc.a, MASK, 50), EAGAIN, &before);
	} else {
		expect_watch(add(sc.a, MASK, 50), 50, sc.a, MASK, &before);
		ck_assert_int_eq(queued_bytes(fd), before.queued);
	}
	expect_event(mine, IN_MODIFY);
	ck_assert_int_eq(queued_bytes(fd), 0);
}
END_TEST

/*
 * The fast path on a busy wd while caller events are queued: its stray
 * watch is removed; the IN_IGNORED that removal queues cannot be told
 * apart without reading the caller's event, so it stays behind it.
 */
START_TEST(ebusy_pending_events)
{
	struct inotify_event ev;
	struct kstate before, after;
	/* the busy watch first: its set-up may cycle, on an empty queue */
	int busy = caller_watch(sc.c, IN_MODIFY, 300), mine = caller_event();

	kstate(fd, &before);
	variant_enter();
	/* The fallback sees the busy wd in fdinfo before the queue. */
	ck_assert_int_eq(add(sc.a, MASK, busy), -1);
	ck_assert_int_eq(errno, V->no_proc ? EAGAIN : EBUSY);
	kstate(fd, &after);
	ck_assert_int_eq(after.n, before.n);
	expect_event(mine, IN_MODIFY);
	if (!V->fallback) {
		ck_assert_int_eq(read(fd, &ev, sizeof(ev)), (int)sizeof(ev));
		ck_assert_uint_eq(ev.mask, IN_IGNORED);
		ck_assert_ptr_null(kfind(&after, ev.wd));
	}
	ck_assert_int_eq(queued_bytes(fd), 0);
}
END_TEST

START_TEST(erange_behind_cursor)
{
	struct kstate before;

	move_cursor(fd, 1000);
	kstate(fd, &before);
	variant_enter();
	if (V->fallback) {
		expect_fail(add(sc.a, MASK, 10), ERANGE, &before);
		ck_assert_uint_eq(st.cycles, 0);
		ck_assert_int_eq(queued_bytes(fd), 0);
	} else {
		expect_watch(add(sc.a, MASK, 10), 10, sc.a, MASK, &before);
	}
}
END_TEST

START_TEST(erange_bound)
{
	struct inotify_wd_opts o = { .max_cycles = 1000 };
	struct kstate before;

	kstate(fd, &before);
	variant_enter();
	if (V->fallback) {
		expect_fail(add_opts(sc.a, MASK, 5000, &o), ERANGE, &before);
		ck_assert_uint_eq(st.cycles, 0);
		/* Within the bound it works. */
		expect_watch(add_opts(sc.a, MASK, 900, &o), 900, sc.a, MASK,
			     &before);
	} else {
		expect_watch(add_opts(sc.a, MASK, 5000, &o), 5000, sc.a, MASK,
			     &before);
	}
}
END_TEST

/* Through INT_MAX and back to small numbers, where the kernel wraps. */
START_TEST(wrap)
{
	struct kstate before;

	caller_watch(sc.b, IN_MODIFY, 0);	/* wd 1: skipped on wrap */
	move_cursor(fd, INT_MAX - 3);
	kstate(fd, &before);
	variant_enter();
	if (V->no_wrap) {
		expect_fail(add(sc.a, MASK, 3), ERANGE, &before);
		return;
	}
	expect_watch(add(sc.a, MASK, 3), 3, sc.a, MASK, &before);
	if (V->fallback)
		ck_assert_uint_le(st.cycles, 6);
}
END_TEST

/* The caller's watches on b and c at first and first + 1; cursor at 1. */
static void two_busy(int first, struct kstate *before)
{
	caller_watch(sc.b, IN_MODIFY, first);
	caller_watch(sc.c, IN_MODIFY, first + 1);
	move_cursor(fd, 1);
	kstate(fd, before);
}

/* Busy wds between the cursor and the target are skipped over. */
START_TEST(busy_between)
{
	struct kstate before;

	two_busy(300, &before);
	variant_enter();
	expect_watch(add(sc.a, MASK, 600), 600, sc.a, MASK, &before);
	if (V->fallback)
		ck_assert_uint_eq(st.cycles, 599 - 2);
}
END_TEST

START_TEST(flags_kept)
{
	const uint32_t mask = IN_MODIFY | IN_ONESHOT | IN_EXCL_UNLINK;
	struct kstate before;

	kstate(fd, &before);
	variant_enter();
	/* fdinfo shows IN_ONESHOT and IN_EXCL_UNLINK from 5.19 on. */
	expect_watch(add(sc.a, mask | IN_MASK_CREATE, 77), 77, sc.a, mask,
		     &before);
}
END_TEST

static unsigned long calls, last_done, last_total;

static void progress(unsigned long done, unsigned long total, void *arg)
{
	ck_assert_ptr_eq(arg, &calls);
	ck_assert_uint_ge(done, last_done);
	ck_assert_uint_le(done, total);
	calls++;
	last_done = done;
	last_total = total;
}

START_TEST(progress_reports)
{
	struct inotify_wd_opts o = { .progress = progress,
				     .progress_arg = &calls };
	struct kstate before;

	calls = last_done = last_total = 0;	/* CK_FORK=no: no fresh statics */
	kstate(fd, &before);
	variant_enter();
	expect_watch(add_opts(sc.a, MASK, 40000, &o), 40000, sc.a, MASK,
		     &before);
	if (V->fallback) {
		ck_assert_uint_ge(calls, 3);
		ck_assert_uint_eq(last_done, 39999);
		ck_assert_uint_eq(last_total, 39999);
	} else {
		ck_assert_uint_eq(calls, 0);
	}
}
END_TEST

START_TEST(no_fallback)
{
	struct inotify_wd_opts o = { .flags = INOTIFY_WD_NO_FALLBACK };
	struct kstate before;

	if (V->flags & INOTIFY_WD_FALLBACK)
		return;		/* the two flags exclude each other */
	kstate(fd, &before);
	variant_enter();
	if (V->fallback)
		expect_fail(add_opts(sc.a, MASK, 50, &o), EOPNOTSUPP, &before);
	else
		expect_watch(add_opts(sc.a, MASK, 50, &o), 50, sc.a, MASK,
			     &before);
}
END_TEST

START_TEST(bad_flags)
{
	struct inotify_wd_opts both = {
		.flags = INOTIFY_WD_FALLBACK | INOTIFY_WD_NO_FALLBACK };
	struct inotify_wd_opts unknown = { .flags = 1U << 20 };
	struct kstate before;

	kstate(fd, &before);
	variant_enter();
	expect_fail(add_opts(sc.a, MASK, 50, &both), EINVAL, &before);
	expect_fail(add_opts(sc.a, MASK, 50, &unknown), EINVAL, &before);
}
END_TEST

START_TEST(features)
{
	struct inotify_wd_features f;

	variant_enter();
	ck_assert_int_eq(inotify_wd_get_features(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(inotify_wd_get_features(&f), 0);
	/* What the variant plays, else what the suite's own probe found. */
	ck_assert_int_eq(f.setnextwd, !V->seccomp_errno && !V->setnext_errno &&
			 !kernel_setnextwd());
	ck_assert_int_eq(f.setnextwd_errno,
			 V->seccomp_errno ? V->seccomp_errno :
			 V->setnext_errno ? V->setnext_errno :
			 kernel_setnextwd());
	ck_assert_int_eq(f.mask_create, V->mask_create ? V->mask_create :
			 INOTIFY_WD_MASK_CREATE_HONOURED);
}
END_TEST

static int set_next(int wd)
{
	struct inotify_wd_opts o = variant_opts();

	return inotify_wd_set_next(fd, wd, &o, &st);
}

/* The next plain inotify_add_watch() tells where the cursor is. */
static void expect_next(const char *path, int wd)
{
	ck_assert_int_eq(inotify_add_watch(fd, path, IN_MODIFY), wd);
}

START_TEST(set_next_ahead)
{
	struct kstate before, after;

	caller_watch(sc.b, IN_MODIFY, 0);
	kstate(fd, &before);
	variant_enter();
	ck_assert_int_eq(set_next(5000), 0);
	kstate(fd, &after);
	assert_kstate_equal(&before, &after);
	ck_assert_int_eq(open_fds(), fds_before);
	expect_next(sc.a, 5000);
}
END_TEST

/* Busy wds right below the target: the next watch still gets it. */
START_TEST(set_next_busy_below)
{
	struct kstate before;

	two_busy(498, &before);
	variant_enter();
	if (V->fallback && V->no_proc) {
		/* Blind to busy wds, the fallback parks on 499 and fails. */
		expect_fail(set_next(500), EBUSY, &before);
		return;
	}
	ck_assert_int_eq(set_next(500), 0);
	ck_assert_int_eq(queued_bytes(fd), 0);
	expect_next(sc.a, 500);
}
END_TEST

START_TEST(set_next_behind)
{
	struct kstate before;

	move_cursor(fd, 1000);
	kstate(fd, &before);
	variant_enter();
	if (!V->fallback) {
		ck_assert_int_eq(set_next(10), 0);
		expect_next(sc.a, 10);
		return;
	}
	expect_fail(set_next(10), ERANGE, &before);
	ck_assert_int_eq(set_next(0), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(set_next_pending_events)
{
	int mine = caller_event();

	variant_enter();
	if (V->fallback) {
		ck_assert_int_eq(set_next(100), -1);
		ck_assert_int_eq(errno, EAGAIN);
	} else {
		ck_assert_int_eq(set_next(100), 0);
	}
	expect_event(mine, IN_MODIFY);
	ck_assert_int_eq(queued_bytes(fd), 0);
}
END_TEST

/*
 * The seam renames "from" onto a right before the second add the call
 * makes on fd, whatever name that add goes by.
 */
static int adds_on_fd;
static const char *rename_from;

static void rename_before_second_add(int f, const char *path)
{
	(void)path;
	if (f == fd && ++adds_on_fd == 2)
		ck_assert_int_eq(rename(rename_from, sc.a), 0);
}

static void rename_at_second_add(const char *from)
{
	adds_on_fd = 0;
	rename_from = from;
	seam.before_add = rename_before_second_add;
}

/*
 * a is renamed over between the adds of one call: the watch is created
 * on the inode a named at the first add (kept alive by its hard link ln)
 * whatever a names later, since every add after the first goes to the
 * inode itself.  Two adds: on wd 1 of a fresh instance the fallback's
 * first add already lands there and a second gives the mask, and kernels
 * without IN_MASK_CREATE always make two.  4.19+ with the ioctl adds once.
 */
START_TEST(renamed_between_adds)
{
	unsigned long ino = inode_of(sc.a);
	struct kstate before, after;

	kstate(fd, &before);
	variant_enter();
	rename_at_second_add(sc.c);
	ck_assert_msg(add(sc.a, MASK, 1) == 1, "[%s] %s", V->name,
		      strerror(errno));
	seam.before_add = NULL;
	ck_assert_int_eq(adds_on_fd, V->fallback || V->mask_create ? 2 : 1);
	kstate(fd, &after);
	ck_assert_int_eq(after.n, before.n + 1);
	ck_assert_uint_eq(kfind(&after, 1)->ino, ino);
	ck_assert_uint_eq(kfind(&after, 1)->mask, MASK);
	ck_assert_int_eq(after.queued, 0);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/*
 * Issue 18, item 1: a is renamed over by a hard link of b, which the
 * caller watches as wd 1, between the adds of a call.  An add that went
 * by name then reached wd 1, replaced its mask, and the library removed
 * it as its own stray.  The caller's watch must stay exactly as it was;
 * the call's watch lands on a's first inode, or the call fails with a
 * documented errno, and nothing else is left.
 */
START_TEST(renamed_onto_callers_watch)
{
	const uint32_t mine = IN_MODIFY | IN_CLOSE_WRITE;
	unsigned long ino = inode_of(sc.a);
	struct kstate before, after;
	const struct kwatch *w;
	char link_b[128];
	int ret;

	ck_assert_int_eq(caller_watch(sc.b, mine, 0), 1);
	snprintf(link_b, sizeof(link_b), "%s/b-link", sc.dir);
	ck_assert_int_eq(link(sc.b, link_b), 0);
	kstate(fd, &before);
	variant_enter();
	rename_at_second_add(link_b);
	ret = add(sc.a, MASK, 5);
	seam.before_add = NULL;
	kstate(fd, &after);
	w = kfind(&after, 1);
	ck_assert_msg(w != NULL, "[%s] the caller's wd 1 is gone", V->name);
	ck_assert_uint_eq(w->ino, inode_of(sc.b));
	ck_assert_uint_eq(w->mask, mine);
	ck_assert_int_eq(after.queued, 0);
	ck_assert_int_eq(open_fds(), fds_before);
	/*
	 * The fallback of 4.19+ cycles by name with IN_MASK_CREATE, which
	 * refuses the caller's inode: EEXIST, and nothing of the call left.
	 */
	if (V->fallback && !V->mask_create) {
		ck_assert_msg(ret == -1 && errno == EEXIST, "[%s] got %d (%s)",
			      V->name, ret, strerror(errno));
		ck_assert_int_eq(after.n, before.n);
		return;
	}
	ck_assert_msg(ret == 5, "[%s] got %d (%s)", V->name, ret,
		      strerror(errno));
	ck_assert_int_eq(after.n, before.n + 1);
	ck_assert_uint_eq(kfind(&after, 5)->ino, ino);
	ck_assert_uint_eq(kfind(&after, 5)->mask, MASK);
}
END_TEST

/*
 * Without /proc/self/fd a call that adds more than once cannot hold the
 * inode, and refuses rather than go by name: EOPNOTSUPP, nothing left.
 * 4.19+ with the ioctl adds once, by name, and needs no /proc.
 */
START_TEST(no_proc_fd_refused)
{
	struct kstate before;

	kstate(fd, &before);
	variant_enter();
	seam.no_proc_fd = true;
	if (V->fallback || V->mask_create)
		expect_fail(add(sc.a, MASK, 50), EOPNOTSUPP, &before);
	else
		expect_watch(add(sc.a, MASK, 50), 50, sc.a, MASK, &before);
}
END_TEST

/* Set-ups that need the cursor moved back, or wrapped: the ioctl only. */
#define BACK	NEED_SETNEXTWD, "set-up puts the cursor below a watch"

int main(void)
{
	const struct case_spec cases[] = {
		CASE(far_target), CASE(cursor_already_there),
		CASE(einval_wd), CASE(einval_mask), CASE(einval_not_inotify),
		CASE(ebadf), CASE(efault), CASE(enoent), CASE(enotdir),
		CASE(eexist), CASE(symlinks), NEEDS(ebusy_ahead, BACK),
		CASE(ebusy_behind), CASE(pending_events),
		CASE(ebusy_pending_events), CASE(erange_behind_cursor),
		CASE(erange_bound),
		NEEDS(wrap, NEED_SETNEXTWD,
		      "set-up puts the cursor at INT_MAX - 3"),
		NEEDS(busy_between, BACK), CASE(flags_kept),
		CASE(progress_reports), CASE(no_fallback), CASE(bad_flags),
		CASE(features), CASE(set_next_ahead),
		NEEDS(set_next_busy_below, BACK), CASE(set_next_behind),
		CASE(set_next_pending_events), CASE(renamed_between_adds),
		CASE(renamed_onto_callers_watch), CASE(no_proc_fd_refused),
	};

	/* The slowest case: 0.4 s here, 5 s in user-mode Linux (README). */
	return variant_main(cases, sizeof(cases) / sizeof(cases[0]), setup,
			    teardown, 120);
}
