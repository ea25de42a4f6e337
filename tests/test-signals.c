// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Signals.  A checkpoint tool restores with timers and children around
 * it, so every kind of call runs here under a SIGALRM every millisecond,
 * once with a handler installed with SA_RESTART and once without (the
 * library's system calls then see EINTR wherever the kernel gives it).
 * Each call must give exactly the result it gives undisturbed: the
 * watches in fdinfo, an empty queue, no fd left, the working directory
 * where it was.  No case counts the signals: how many arrive depends on
 * the machine's speed, the result must not.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "variant.h"

#define FILES		300
#define GAP		37	/* wds between two restored watches */

static int fd, fds_before;
static char **files;
static volatile sig_atomic_t ticks;

static void tick(int sig)
{
	(void)sig;
	ticks++;
}

static void setup(void)
{
	scratch_setup();
	files = scratch_files(FILES);
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	fds_before = open_fds();
}

static void teardown(void)
{
	int i;

	close(fd);
	for (i = 0; i < FILES; i++)
		free(files[i]);
	free(files);
	scratch_teardown();
}

/* A SIGALRM every millisecond, its handler installed with sa_flags. */
static void alarms_on(int sa_flags)
{
	struct sigaction sa = { .sa_handler = tick, .sa_flags = sa_flags };
	struct itimerval it = { { 0, 1000 }, { 0, 1000 } };

	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void alarms_off(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	signal(SIGALRM, SIG_IGN);
}

/* Nothing of the calls remains but the watches the case asked for. */
static void expect_clean(int nwatches)
{
	ck_assert_int_eq(kwatches(fd, (struct kwatch[MAX_KWATCH]){ { 0 } },
				  MAX_KWATCH), nwatches);
	ck_assert_int_eq(queued_bytes(fd), 0);
	ck_assert_int_eq(open_fds(), fds_before);
}

/* Remove every watch of fd and read back the IN_IGNORED of each. */
static void clear_watches(int n, const int *wds)
{
	char buf[4096];
	int i;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(inotify_rm_watch(fd, wds[i]), 0);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	ck_assert_int_eq(queued_bytes(fd), 0);
}

/* The two ways a handler can be installed: with and without SA_RESTART. */
static const int modes[] = { SA_RESTART, 0 };

/* One far watch: the fallback cycles tens of thousands of times. */
START_TEST(add_far_under_alarms)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_stats st;
	const struct kwatch *k;
	struct kstate s;
	int wd, m;

	for (m = 0; m < 2; m++) {
		wd = V->fallback ? 40000 * (m + 1) : 0x34d71d6 + m;
		alarms_on(modes[m]);
		ck_assert_int_eq(inotify_wd_add_watch(fd, sc.a, IN_MODIFY, wd,
						      &o, &st), wd);
		alarms_off();
		kstate(fd, &s);
		k = kfind(&s, wd);
		ck_assert_ptr_nonnull(k);
		ck_assert_uint_eq(k->ino, inode_of(sc.a));
		ck_assert_uint_eq(k->mask, IN_MODIFY);
		expect_clean(1);
		clear_watches(1, &wd);
	}
}
END_TEST

/* A restore by path with a gap before every entry. */
START_TEST(restore_under_alarms)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_watch *w;
	struct inotify_wd_stats st;
	int i, m, *wds;

	w = calloc(FILES, sizeof(*w));
	wds = calloc(FILES, sizeof(*wds));
	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(wds);
	for (m = 0; m < 2; m++) {
		for (i = 0; i < FILES; i++) {
			wds[i] = 1 + (i + 1) * GAP + m * FILES * GAP;
			w[i].wd = wds[i];
			w[i].mask = IN_MODIFY | IN_ATTRIB;
			w[i].path = files[i];
		}
		alarms_on(modes[m]);
		ck_assert_int_eq(inotify_wd_restore(fd, w, FILES, WSIZE, &o,
						    &st), 0);
		alarms_off();
		ck_assert_uint_eq(st.failed, FILES);
		for (i = 0; i < FILES; i++)
			ck_assert_int_eq(inotify_add_watch(fd, files[i],
					 IN_MODIFY | IN_ATTRIB | IN_MASK_ADD),
					 wds[i]);
		expect_clean(FILES);
		clear_watches(FILES, wds);
	}
	free(wds);
	free(w);
}
END_TEST

/* By handle, through a mount lookup: the call moves its cwd and back. */
START_TEST(restore_handles_under_alarms)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_watch *w;
	struct inotify_wd_stats st;
	struct stat before, after;
	size_t n;
	int src, i, m;

	src = inotify_init1(IN_CLOEXEC);
	ck_assert_int_ge(src, 0);
	for (i = 0; i < FILES; i++)
		ck_assert_int_ge(inotify_add_watch(src, files[i], IN_MODIFY),
				 0);
	ck_assert_int_eq(inotify_wd_dump(0, src, &w, &n, WSIZE), 0);
	ck_assert_uint_eq(n, FILES);
	close(src);
	ck_assert_int_eq(stat(".", &before), 0);
	for (m = 0; m < 2; m++) {
		for (i = 0; i < FILES; i++)
			w[i].wd = 1 + (i + 1) * GAP + m * FILES * GAP;
		alarms_on(modes[m]);
		ck_assert_int_eq(inotify_wd_restore(fd, w, n, WSIZE, &o, &st),
				 0);
		alarms_off();
		ck_assert_int_eq(stat(".", &after), 0);
		ck_assert_uint_eq(after.st_ino, before.st_ino);
		ck_assert_uint_eq(after.st_dev, before.st_dev);
		for (i = 0; i < FILES; i++) {
			ck_assert_int_eq(inotify_add_watch(fd, files[i],
					 IN_MODIFY | IN_MASK_ADD), w[i].wd);
		}
		expect_clean(FILES);
		for (i = 0; i < FILES; i++)
			ck_assert_int_eq(inotify_rm_watch(fd, w[i].wd), 0);
		clear_watches(0, NULL);
	}
	free(w);
}
END_TEST

/* The cursor moved far, then a plain add lands on it. */
START_TEST(set_next_under_alarms)
{
	struct inotify_wd_opts o = variant_opts();
	int wd, m, got;

	for (m = 0; m < 2; m++) {
		wd = V->fallback ? 30000 * (m + 1) : 0x1000000 + m;
		alarms_on(modes[m]);
		ck_assert_int_eq(inotify_wd_set_next(fd, wd, &o, NULL), 0);
		alarms_off();
		expect_clean(0);
		got = inotify_add_watch(fd, sc.b, IN_MODIFY);
		ck_assert_int_eq(got, wd);
		clear_watches(1, &got);
	}
}
END_TEST

int main(void)
{
	const struct case_spec cases[] = {
		CASE(add_far_under_alarms), CASE(restore_under_alarms),
		NEEDS(restore_handles_under_alarms, NEED_HANDLES,
		      "restores by file handle"),
		CASE(set_next_under_alarms),
	};

	return variant_main(cases, sizeof(cases) / sizeof(cases[0]), setup,
			    teardown, 240);
}
