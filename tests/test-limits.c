// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Kernel limits, for real: the watch limit (ENOSPC, which on 4.11+
 * consumes the wd it had allocated) in a user namespace of the test's
 * own, which any user may create where the kernel allows it; and an
 * instance created with max_queued_events at 64.  That sysctl is one for
 * the whole machine: every instance anything creates meanwhile gets the
 * small queue too.  Those cases run only when asked to
 * (INOTIFYWD_TEST_SYSCTL=1, as root), as the uml matrix check does in a
 * guest kernel of its own; otherwise they are left out.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "variant.h"

#define MASK	IN_MODIFY

static int fd;

static void write_file(const char *path, const char *text)
{
	int f = open(path, O_WRONLY | O_CLOEXEC);

	ck_assert_msg(f >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(write(f, text, strlen(text)), (int)strlen(text));
	close(f);
}

/*
 * The watch limit of a user namespace only this test lives in.  Without
 * fork (CK_FORK=no, valgrind) the namespace would outlive the test, and
 * a multithreaded process (valgrind's) cannot enter one: left out then.
 */
static void watch_limit(const char *n)
{
	ck_assert_int_eq(unshare(CLONE_NEWUSER), 0);
	write_file("/proc/sys/user/max_inotify_watches", n);
}

static void setup(void)
{
	variant_setup(&variants[0]);
	scratch_setup();
	fd = -1;
}

static void teardown(void)
{
	if (fd >= 0)
		close(fd);
	scratch_teardown();
}

/* An instance allowed two watches in all, holding one of the caller's. */
static void one_of_two(void)
{
	watch_limit("2");
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_eq(inotify_add_watch(fd, sc.a, MASK), 1);
}

static void enospc(unsigned int flags)
{
	struct inotify_wd_opts o = { .flags = flags };
	struct kstate before, after;

	one_of_two();
	ck_assert_int_eq(inotify_wd_add_watch(fd, sc.b, MASK, 10, &o, NULL),
			 10);
	kstate(fd, &before);
	ck_assert_int_eq(inotify_wd_add_watch(fd, sc.c, MASK, 20, &o, NULL),
			 -1);
	ck_assert_int_eq(errno, ENOSPC);
	kstate(fd, &after);
	assert_kstate_equal(&before, &after);
}

START_TEST(enospc_ioctl)
{
	enospc(0);
}
END_TEST

START_TEST(enospc_fallback)
{
	enospc(INOTIFY_WD_FALLBACK);
}
END_TEST

/* One free slot is all the fallback needs: it holds one watch at a time. */
START_TEST(one_slot_fallback)
{
	struct inotify_wd_opts o = { .flags = INOTIFY_WD_FALLBACK };

	one_of_two();
	ck_assert_int_eq(inotify_wd_add_watch(fd, sc.b, MASK, 5000, &o, NULL),
			 5000);
	ck_assert_int_eq(queued_bytes(fd), 0);
}
END_TEST

/*
 * The queue limit is copied into an instance when it is created.  The
 * sysctl is global, so it is changed only around the one inotify_init1()
 * (and, in the first case, the library's probe) and put back at once.
 */
static void small_queue(bool probe_sees_it)
{
	struct inotify_wd_opts o = { .flags = INOTIFY_WD_FALLBACK };
	struct inotify_wd_features f;
	char old[32] = { 0 };
	int q;

	q = open("/proc/sys/fs/inotify/max_queued_events", O_RDONLY);
	ck_assert_int_gt(read(q, old, sizeof(old) - 1), 0);
	close(q);
	write_file("/proc/sys/fs/inotify/max_queued_events", "64");
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (probe_sees_it)
		inotify_wd_get_features(&f);
	write_file("/proc/sys/fs/inotify/max_queued_events", old);
	ck_assert_int_ge(fd, 0);
	/* 3000 removals: 47 times what the instance can queue */
	ck_assert_int_eq(inotify_wd_add_watch(fd, sc.a, MASK, 3000, &o, NULL),
			 3000);
	ck_assert_int_eq(queued_bytes(fd), 0);
	ck_assert_int_eq(kwatches(fd, (struct kwatch[MAX_KWATCH]){ { 0 } },
				  MAX_KWATCH), 1);
}

/* The probe knew the limit: drains every 16 removals, never overflows. */
START_TEST(small_queue_known)
{
	small_queue(true);
}
END_TEST

/* The limit shrank after the probe: the overflow is detected and read. */
START_TEST(small_queue_unknown)
{
	small_queue(false);
}
END_TEST

/* A user namespace of the case's own, which only a forked case ends. */
#define USERNS	(NEED_USERNS | NEED_FORK)
#define LIMIT	"a watch limit in a user namespace"
#define QUEUE	"max_queued_events at 64 for one inotify_init1()"

int main(void)
{
	const struct case_spec cases[] = {
		NEEDS(enospc_ioctl, USERNS | NEED_SETNEXTWD,
		      "a watch limit in a user namespace, and the ioctl"),
		NEEDS(enospc_fallback, USERNS, LIMIT),
		NEEDS(one_slot_fallback, USERNS, LIMIT),
		NEEDS(small_queue_known, NEED_SYSCTL, QUEUE),
		NEEDS(small_queue_unknown, NEED_SYSCTL, QUEUE),
	};

	/* under a second each, here and in user-mode Linux (README) */
	return case_main("limits", cases, sizeof(cases) / sizeof(cases[0]),
			 setup, teardown, 60);
}
