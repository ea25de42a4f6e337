// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The restore kit: dump, batch restore, file-handle targets.  Round trips
 * compare the kernel's fdinfo of the original and the restored instance,
 * watch by watch (wd, inode, device, mask).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <seccomp.h>

#include "seam.h"
#include "variant.h"

static int src, dst, fds_before;
static struct inotify_wd_stats st;

static void setup(void)
{
	scratch_setup();
	src = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	dst = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(src, 0);
	ck_assert_int_ge(dst, 0);
	fds_before = open_fds();
}

static void teardown(void)
{
	char mnt[128];

	close(src);
	close(dst);
	/* handles_queue_nothing's tmpfs, if any, before the files go */
	snprintf(mnt, sizeof(mnt), "%s/mnt", sc.dir);
	umount2(mnt, MNT_DETACH);
	scratch_teardown();
}

static int restore(const struct inotify_wd_watch *w, size_t n,
		   unsigned int flags)
{
	struct inotify_wd_opts o = variant_opts();

	o.flags |= flags;
	return inotify_wd_restore(dst, w, n, WSIZE, &o, &st);
}

/* Every watch of src is in dst with the same wd, inode, device, mask. */
static void expect_same_watches(void)
{
	char **a, **b;
	int na, nb, i;

	a = klines(src, &na);
	b = klines(dst, &nb);
	ck_assert_int_eq(na, nb);
	for (i = 0; i < na; i++)
		ck_assert_str_eq(a[i], b[i]);
	klines_free(a, na);
	klines_free(b, nb);
	ck_assert_int_eq(queued_bytes(dst), 0);
	ck_assert_int_eq(open_fds(), fds_before);
}

/* fd has exactly the n watches of w (n <= MAX_KWATCH), nothing queued. */
static void expect_same_watches_of(int fd, const struct inotify_wd_watch *w,
				   size_t n)
{
	const struct kwatch *k;
	struct kstate after;
	size_t i;

	kstate(fd, &after);
	ck_assert_int_eq(after.n, (int)n);
	for (i = 0; i < n; i++) {
		k = kfind(&after, w[i].wd);
		ck_assert_ptr_nonnull(k);
		ck_assert_uint_eq(k->ino, inode_of(w[i].path));
		ck_assert_uint_eq(k->mask, w[i].mask);
	}
	ck_assert_int_eq(after.queued, 0);
	ck_assert_int_eq(open_fds(), fds_before);
}

static void dump_src(struct inotify_wd_watch **w, size_t *n)
{
	ck_assert_int_eq(inotify_wd_dump(0, src, w, n, WSIZE), 0);
}

/*
 * Restore dumped entries: by file handle, which needs /proc (mountinfo
 * and /proc/self/fd); without it the call fails with ENOENT, changing
 * nothing.  Returns whether the restore was expected to work.
 */
static bool restore_handles(const struct inotify_wd_watch *w, size_t n)
{
	struct kstate before, after;
	int ret;

	kstate(dst, &before);
	ret = inotify_wd_restore(dst, w, n, WSIZE, &(struct inotify_wd_opts){
					 .flags = V->flags }, &st);
	if (!V->no_proc) {
		ck_assert_msg(ret == 0, "[%s] restore: %s", V->name,
			      strerror(errno));
		return true;
	}
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(errno, ENOENT);
	kstate(dst, &after);
	assert_kstate_equal(&before, &after);
	return false;
}

/* The scattered set of the issue, on files and directories, with flags. */
static void build_scattered(bool reachable)
{
	put_watch(src, sc.a, IN_MODIFY, 1);
	put_watch(src, sc.b, IN_ALL_EVENTS, 2);
	put_watch(src, sc.d, IN_CREATE | IN_DELETE | IN_ONESHOT, 3);
	put_watch(src, sc.c, IN_ATTRIB | IN_EXCL_UNLINK, 17);
	put_watch(src, sc.sym, IN_DELETE_SELF | IN_DONT_FOLLOW, 1000);
	put_watch(src, sc.dir, IN_MOVE, 65536);
	if (!reachable)
		put_watch(src, "/", IN_CLOSE_WRITE, 0x34d71d6);
}

START_TEST(round_trip_handles)
{
	struct inotify_wd_watch *w;
	size_t n;

	build_scattered(V->fallback);
	dump_src(&w, &n);
	ck_assert_uint_eq(n, V->fallback ? 6 : 7);
	variant_enter();
	if (restore_handles(w, n)) {
		ck_assert_uint_eq(st.failed, n);
		expect_same_watches();
	}
	free(w);
}
END_TEST

/*
 * The caller may hand the entries in any order.  (src is built in
 * ascending order: without the ioctl a set-up cannot move back.)
 */
START_TEST(round_trip_paths_unsorted)
{
	const char *paths[] = { sc.dir, sc.c, sc.a, sc.d, sc.b };
	const int wds[] = { 900, 17, 1, 3, 2 }, up[] = { 2, 4, 3, 1, 0 };
	struct inotify_wd_watch w[5];
	size_t i;

	memset(w, 0, sizeof(w));
	for (i = 0; i < 5; i++)
		put_watch(src, paths[up[i]], IN_MODIFY | IN_ONESHOT, wds[up[i]]);
	for (i = 0; i < 5; i++) {
		w[i].wd = wds[i];
		w[i].mask = IN_MODIFY | IN_ONESHOT;
		w[i].path = paths[i];
	}
	variant_enter();
	ck_assert_int_eq(restore(w, 5, 0), 0);
	expect_same_watches();
	if (V->fallback)	/* one crossing: 900 minus the 4 made below */
		ck_assert_uint_eq(st.cycles, 900 - 5);
}
END_TEST

static void round_trip_size(int n, int stride)
{
	struct inotify_wd_watch *w;
	char **files = scratch_files(n);
	size_t got;
	int i;

	for (i = 0; i < n; i++)
		put_watch(src, files[i], IN_MODIFY | IN_CREATE, 1 + i * stride);
	dump_src(&w, &got);
	ck_assert_uint_eq(got, (size_t)n);
	variant_enter();
	if (restore_handles(w, got))
		expect_same_watches();
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(w);
}

START_TEST(size_1)
{
	round_trip_size(1, 1);
}
END_TEST

START_TEST(size_100)
{
	round_trip_size(100, 37);
}
END_TEST

START_TEST(size_10000)
{
	round_trip_size(10000, 3);
}
END_TEST

static struct inotify_wd_watch by_path(const char *path, uint32_t mask,
				       int wd)
{
	struct inotify_wd_watch w;

	memset(&w, 0, sizeof(w));
	w.path = path;
	w.mask = mask;
	w.wd = wd;
	return w;
}

/* A dense run by path costs what a plain inotify_add_watch loop does. */
START_TEST(dense_syscalls)
{
	char **files = scratch_files(50);
	struct inotify_wd_watch w[50];
	int i;

	for (i = 0; i < 50; i++)
		w[i] = by_path(files[i], IN_MODIFY, i + 1);
	variant_enter();
	ck_assert_int_eq(restore(w, 50, 0), 0);
	if (!V->fallback && !V->mask_create)
		ck_assert_uint_eq(st.syscalls, 50 + 1);	/* one ioctl */
	for (i = 0; i < 50; i++)
		ck_assert_uint_eq(kwatches(dst, (struct kwatch[MAX_KWATCH]){0},
					   MAX_KWATCH), 50);
	for (i = 0; i < 50; i++)
		free(files[i]);
	free(files);
}
END_TEST

/* A missing path half-way: the fd is left exactly as before. */
START_TEST(failure_midway)
{
	char missing[128];
	struct inotify_wd_watch w[4];
	struct kstate before, after;

	put_watch(dst, sc.c, IN_MODIFY, 5);	/* the caller's own */
	snprintf(missing, sizeof(missing), "%s/missing", sc.dir);
	w[0] = by_path(sc.a, IN_MODIFY, 10);
	w[1] = by_path(missing, IN_MODIFY, 300);
	w[2] = by_path(sc.b, IN_MODIFY, 20);
	w[3] = by_path(sc.d, IN_MODIFY, 400);
	kstate(dst, &before);
	variant_enter();
	ck_assert_int_eq(restore(w, 4, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(st.failed, 1);
	kstate(dst, &after);
	assert_kstate_equal(&before, &after);
	ck_assert_int_eq(open_fds(), fds_before);
	/*
	 * Without rollback the ones before the failure stay.  A new
	 * instance: the fallback cannot bring the cursor back to 10.
	 */
	close(dst);
	dst = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_eq(restore(w, 4, INOTIFY_WD_NO_ROLLBACK), -1);
	ck_assert_int_eq(errno, ENOENT);
	kstate(dst, &after);
	ck_assert_int_eq(after.n, 2);
	ck_assert_ptr_nonnull(kfind(&after, 10));
	ck_assert_ptr_nonnull(kfind(&after, 20));
}
END_TEST

START_TEST(bad_input)
{
	struct inotify_wd_watch w[3];
	struct kstate before, after;

	put_watch(dst, sc.c, IN_MODIFY, 7);
	kstate(dst, &before);
	variant_enter();
	w[0] = by_path(sc.a, IN_MODIFY, 10);
	w[1] = by_path(sc.b, IN_MODIFY, 11);
	w[2] = by_path(sc.d, IN_MODIFY, 10);		/* same wd */
	ck_assert_int_eq(restore(w, 3, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(st.failed, 2);
	w[2].wd = 12;
	w[0].ino = w[2].ino = 42;			/* same inode */
	ck_assert_int_eq(restore(w, 3, 0), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(st.failed, 2);
	w[0].ino = w[2].ino = 0;
	w[1].mask = IN_MASK_ADD | IN_MODIFY;
	ck_assert_int_eq(restore(w, 3, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(st.failed, 1);
	w[1] = by_path(NULL, IN_MODIFY, 11);		/* no target */
	ck_assert_int_eq(restore(w, 3, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(restore(NULL, 3, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(restore(NULL, 0, 0), 0);
	/* The caller's watch on c, named again: EEXIST, it stays. */
	w[1] = by_path(sc.c, IN_ATTRIB, 11);
	ck_assert_int_eq(restore(w, 3, 0), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(st.failed, 1);
	/* A busy wd (behind the cursor: ERANGE when fdinfo is hidden). */
	w[1] = by_path(sc.b, IN_ATTRIB, 7);
	ck_assert_int_eq(restore(w, 3, 0), -1);
	ck_assert_int_eq(errno, V->no_proc ? ERANGE : EBUSY);
	ck_assert_uint_eq(st.failed, 1);
	kstate(dst, &after);
	assert_kstate_equal(&before, &after);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/* The fallback refuses at once a set whose last wd is out of reach. */
START_TEST(horizon)
{
	struct inotify_wd_opts o = { .max_cycles = 5000 };
	struct inotify_wd_watch w[2];
	struct kstate before, after;

	w[0] = by_path(sc.a, IN_MODIFY, 10);
	w[1] = by_path(sc.b, IN_MODIFY, 9000);
	kstate(dst, &before);
	variant_enter();
	o.flags = V->flags;
	if (!V->fallback) {
		ck_assert_int_eq(inotify_wd_restore(dst, w, 2, WSIZE, &o, &st),
				 0);
		return;
	}
	ck_assert_int_eq(inotify_wd_restore(dst, w, 2, WSIZE, &o, &st), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_uint_eq(st.cycles, 0);
	kstate(dst, &after);
	assert_kstate_equal(&before, &after);
}
END_TEST

/*
 * Handle targets are opened O_PATH through a helper thread: the caller's
 * watches on the file's directory and on the mount's root see no event.
 */
/*
 * The files live on a tmpfs of the test's own, mounted in a mount
 * namespace of its own, so that the watch on the mount's root sees
 * nobody else's opens: any event there is the library's.
 */
static void private_tmpfs(char *root, size_t size)
{
	scratch_private_tmpfs(root, size, "size=1m");
}

START_TEST(handles_queue_nothing)
{
	struct inotify_wd_watch *w;
	char root[128], d[160], a[192], b[192];
	size_t n;
	int f;

	private_tmpfs(root, sizeof(root));
	snprintf(d, sizeof(d), "%s/d", root);
	snprintf(a, sizeof(a), "%s/a", d);
	snprintf(b, sizeof(b), "%s/b", d);
	ck_assert_int_eq(mkdir(d, 0755), 0);
	f = open(a, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	close(f);
	f = open(b, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	close(f);
	put_watch(src, a, IN_MODIFY, 40);
	put_watch(src, b, IN_MODIFY, 41);
	dump_src(&w, &n);
	ck_assert_uint_eq(n, 2);
	put_watch(dst, d, IN_ALL_EVENTS, 5);
	put_watch(dst, root, IN_ALL_EVENTS, 6);
	ck_assert_int_eq(queued_bytes(dst), 0);
	variant_enter();
	if (restore_handles(w, n))
		ck_assert_int_eq(kwatches(dst, (struct kwatch[MAX_KWATCH]){0},
					  MAX_KWATCH), 4);
	ck_assert_int_eq(queued_bytes(dst), 0);
	ck_assert_int_eq(open_fds(), fds_before);
	free(w);
}
END_TEST

START_TEST(handle_errors)
{
	struct inotify_wd_watch *w;
	struct kstate before, after;
	size_t n;

	put_watch(src, sc.a, IN_MODIFY, 40);
	dump_src(&w, &n);
	kstate(dst, &before);
	variant_enter();
	w[0].dev = makedev(4095, 4095);		/* no such mount */
	ck_assert_int_eq(restore(w, n, 0), -1);
	ck_assert_int_eq(errno, V->no_proc ? ENOENT : ENODEV);
	w[0].dev = makedev(sdev_of(sc.a) >> 20, sdev_of(sc.a) & 0xfffff);
	ck_assert_int_eq(unlink(sc.a), 0);
	ck_assert_int_eq(unlink(sc.ln), 0);
	ck_assert_int_eq(restore(w, n, 0), -1);
	ck_assert_int_eq(errno, V->no_proc ? ENOENT : ESTALE);
	kstate(dst, &after);
	assert_kstate_equal(&before, &after);
	ck_assert_int_eq(open_fds(), fds_before);
	free(w);
}
END_TEST

START_TEST(fallback_pending_events)
{
	struct inotify_wd_watch w[2];
	int f, mine;

	mine = inotify_add_watch(dst, sc.c, IN_MODIFY);
	f = open(sc.c, O_WRONLY | O_CLOEXEC);
	ck_assert_int_eq(write(f, "x", 1), 1);
	close(f);
	w[0] = by_path(sc.a, IN_MODIFY, 100);
	w[1] = by_path(sc.b, IN_MODIFY, 200);
	variant_enter();
	ck_assert_int_eq(restore(w, 2, 0), V->fallback ? -1 : 0);
	if (V->fallback)
		ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(queued_bytes(dst), (int)sizeof(struct inotify_event));
	(void)mine;
}
END_TEST

/*
 * Issue 18, item 1, in a restore.  The caller watches b as wd 1.  Entry
 * a at wd 2 is placed quiet, before the cycles up to entry c at 20000,
 * and armed after them; meanwhile the progress callback renames a hard
 * link of b over a.  An arm by name reached wd 1, replaced its mask,
 * and removed it as a stray.
 */
#define RACE_MASK	(IN_MODIFY | IN_ATTRIB)
#define CALLER_MASK	(IN_MODIFY | IN_CLOSE_WRITE)

static char link_b[128];
static bool renamed;

static void rename_over_a(unsigned long done, unsigned long total, void *arg)
{
	(void)done;
	(void)total;
	(void)arg;
	if (!renamed)
		ck_assert_int_eq(rename(link_b, sc.a), 0);
	renamed = true;
}

static int restore_renaming(const struct inotify_wd_watch *w, size_t n)
{
	struct inotify_wd_opts o = variant_opts();

	o.progress = rename_over_a;
	return inotify_wd_restore(dst, w, n, WSIZE, &o, &st);
}

/* The caller's b as wd 1 and a hard link of b to rename; the entries. */
static void race_setup(struct inotify_wd_watch *w)
{
	ck_assert_int_eq(inotify_add_watch(dst, sc.b, CALLER_MASK), 1);
	snprintf(link_b, sizeof(link_b), "%s/b-link", sc.dir);
	ck_assert_int_eq(link(sc.b, link_b), 0);
	renamed = false;
	w[0] = by_path(sc.a, RACE_MASK, 2);
	w[1] = by_path(sc.c, RACE_MASK, 20000);
}

/* wd 1 is the caller's, exactly as it was; returns the state. */
static void expect_callers_watch(struct kstate *after)
{
	const struct kwatch *k;

	kstate(dst, after);
	k = kfind(after, 1);
	ck_assert_msg(k != NULL, "[%s] the caller's wd 1 is gone", V->name);
	ck_assert_uint_eq(k->ino, inode_of(sc.b));
	ck_assert_uint_eq(k->mask, CALLER_MASK);
	ck_assert_int_eq(after->queued, 0);
	ck_assert_int_eq(open_fds(), fds_before);
}

/* Within the fd budget: a is armed through the fd kept since its add. */
START_TEST(renamed_onto_callers_watch)
{
	unsigned long ino = inode_of(sc.a);	/* kept alive by sc.ln */
	struct inotify_wd_watch w[2];
	struct kstate after;
	int ret;

	race_setup(w);
	variant_enter();
	ret = restore_renaming(w, 2);
	expect_callers_watch(&after);
	ck_assert_msg(ret == 0, "[%s] %s", V->name, strerror(errno));
	ck_assert_int_eq(renamed, V->fallback);
	ck_assert_int_eq(after.n, 3);
	ck_assert_uint_eq(kfind(&after, 2)->ino, ino);
	ck_assert_uint_eq(kfind(&after, 2)->mask, RACE_MASK);
	ck_assert_uint_eq(kfind(&after, 20000)->ino, inode_of(sc.c));
	ck_assert_uint_eq(kfind(&after, 20000)->mask, RACE_MASK);
}
END_TEST

/*
 * Beyond the fd budget (RLIMIT_NOFILE leaves it nothing): a is opened
 * again to be armed, and found to be another inode before any add:
 * ESTALE, the call's watches rolled back.
 */
START_TEST(renamed_beyond_budget)
{
	struct inotify_wd_watch w[2];
	struct rlimit old, low;
	struct kstate after;
	int ret;

	race_setup(w);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	/*
	 * The limit caps fd numbers: with n fds open, n + 1 leaves room for
	 * exactly one more whatever the holes, and a budget of 0.  Without
	 * /proc the budget is a quarter of the limit, so a's fd is kept and
	 * c's is opened beside it: room for two.
	 */
	low = old;
	low.rlim_cur = (rlim_t)open_fds() + (V->no_proc ? 2 : 1);
	variant_enter();
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	ret = restore_renaming(w, 2);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	expect_callers_watch(&after);
	ck_assert_int_eq(renamed, V->fallback);
	/* Without /proc to count the fds open, the budget is a quarter. */
	if (!V->fallback || V->no_proc) {
		ck_assert_int_eq(ret, 0);
		ck_assert_uint_eq(kfind(&after, 2)->mask, RACE_MASK);
		return;
	}
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(errno, ESTALE);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_int_eq(after.n, 1);
}
END_TEST

/*
 * Issue 18, item 4: with INOTIFY_WD_NO_ROLLBACK the watches kept below
 * a failed entry report their events, the quiet ones of the fallback
 * (a and b, placed before the last cycle) included.
 */
START_TEST(no_rollback_arms_kept)
{
	const char *path[3] = { sc.a, sc.b, sc.c };
	static const int wd[3] = { 2, 500, 1000 };
	struct inotify_wd_watch w[4];
	struct inotify_event ev;
	struct kstate after;
	char missing[128];
	int i, f;

	snprintf(missing, sizeof(missing), "%s/missing", sc.dir);
	for (i = 0; i < 3; i++)
		w[i] = by_path(path[i], IN_MODIFY, wd[i]);
	w[3] = by_path(missing, IN_MODIFY, 1001);
	variant_enter();
	ck_assert_int_eq(restore(w, 4, INOTIFY_WD_NO_ROLLBACK), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(st.failed, 3);
	kstate(dst, &after);
	ck_assert_int_eq(after.n, 3);
	ck_assert_int_eq(after.queued, 0);
	ck_assert_int_eq(open_fds(), fds_before);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(kfind(&after, wd[i])->ino, inode_of(path[i]));
		ck_assert_msg(kfind(&after, wd[i])->mask == IN_MODIFY,
			      "[%s] wd %d has mask %#x", V->name, wd[i],
			      kfind(&after, wd[i])->mask);
		f = open(path[i], O_WRONLY | O_CLOEXEC);
		ck_assert_int_eq(write(f, "x", 1), 1);
		close(f);
		ck_assert_int_eq(read(dst, &ev, sizeof(ev)), (int)sizeof(ev));
		ck_assert_int_eq(ev.wd, wd[i]);
		ck_assert_uint_eq(ev.mask, IN_MODIFY);
	}
	ck_assert_int_eq(queued_bytes(dst), 0);
}
END_TEST

/*
 * The hook sees the failing entry's add by name: the two adds after it
 * arm a and b, and the second of them fails (ENOMEM, injected).
 */
static const char *fail_after;

static void fail_second_arm(int f, const char *path)
{
	if (f == dst && strcmp(path, fail_after) == 0) {
		seam.fail_kind = SEAM_ADD;
		seam.fail_errno = ENOMEM;
		seam.fail_at = seam.count[SEAM_ADD] + 2;
	}
}

/*
 * Issue 18, item 4, when an arm fails: the watches kept are those below
 * the entry that could not be armed, which stats.failed and errno name.
 * Only where the failing entry adds by name and quiet entries exist: the
 * fallback on 4.19+ (elsewhere it fails at its O_PATH open, before any
 * add the hook could count from, or nothing is quiet).
 */
START_TEST(no_rollback_arm_fails)
{
	struct inotify_wd_watch w[4];
	struct kstate after;
	char missing[128];

	if (!V->fallback || V->mask_create)
		return;
	snprintf(missing, sizeof(missing), "%s/missing", sc.dir);
	w[0] = by_path(sc.a, IN_MODIFY, 2);
	w[1] = by_path(sc.b, IN_MODIFY, 500);
	w[2] = by_path(sc.c, IN_MODIFY, 1000);
	w[3] = by_path(missing, IN_MODIFY, 1001);
	fail_after = missing;
	variant_enter();
	seam.before_add = fail_second_arm;
	ck_assert_int_eq(restore(w, 4, INOTIFY_WD_NO_ROLLBACK), -1);
	seam.before_add = NULL;
	ck_assert_int_eq(errno, ENOMEM);
	ck_assert_uint_eq(st.failed, 1);
	kstate(dst, &after);
	ck_assert_int_eq(after.n, 1);
	ck_assert_uint_eq(kfind(&after, 2)->ino, inode_of(sc.a));
	ck_assert_uint_eq(kfind(&after, 2)->mask, IN_MODIFY);
	ck_assert_int_eq(after.queued, 0);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/* ---- per-entry results (opts.results) ---- */

#define CANARY	0xa5

/* Room for the largest set here, and canaries beyond it. */
#define FRESH_N	50
static struct inotify_wd_result res[FRESH_N + 2];

static int restore_res(int fd, const struct inotify_wd_watch *w, size_t n,
		       unsigned int flags)
{
	struct inotify_wd_opts o = variant_opts();

	memset(res, CANARY, sizeof(res));
	o.flags |= flags;
	o.results = res;
	return inotify_wd_restore(fd, w, n, WSIZE, &o, &st);
}

static void expect_result(size_t i, int wd, unsigned int method,
			  unsigned long cycles, int error)
{
	const struct inotify_wd_result *r = &res[i];

	ck_assert_msg(r->wd == wd && r->method == method &&
		      r->cycles == cycles && r->error == error,
		      "[%s] result %zu: wd %d method %u cycles %llu error %d, "
		      "want %d %u %lu %d", V->name, i, r->wd, r->method,
		      (unsigned long long)r->cycles, r->error, wd, method,
		      cycles, error);
	ck_assert_int_eq(r->handle_error, 0);
	ck_assert_uint_eq(r->reserved[0], 0);
	ck_assert_uint_eq(r->reserved[1], 0);
}

/* The results from n on are as the caller left them. */
static void expect_canaries(size_t n)
{
	const unsigned char *p = (const unsigned char *)&res[n];
	size_t i;

	for (i = 0; i < (sizeof(res) / sizeof(res[0]) - n) * sizeof(res[0]);
	     i++)
		ck_assert_msg(p[i] == CANARY, "[%s] result byte %zu written",
			      V->name, n * sizeof(res[0]) + i);
}

/* Each entry's wd, method and cycles, in the caller's order. */
START_TEST(results_per_method)
{
	unsigned int gap = V->fallback ? INOTIFY_WD_METHOD_CYCLE :
					 INOTIFY_WD_METHOD_IOCTL;
	struct inotify_wd_watch w[3];

	/* In wd order a (10), b (11, right after), c (500, a gap). */
	w[0] = by_path(sc.c, IN_MODIFY, 500);
	w[1] = by_path(sc.a, IN_ATTRIB, 10);
	w[2] = by_path(sc.b, IN_MODIFY, 11);
	variant_enter();
	ck_assert_int_eq(restore_res(dst, w, 3, 0), 0);
	ck_assert_uint_eq(st.failed, 3);
	/* The fallback starts at 1 on a new instance: 9 cycles to 10. */
	expect_result(0, 500, gap, V->fallback ? 500 - 12 : 0, 0);
	expect_result(1, 10, gap, V->fallback ? 10 - 1 : 0, 0);
	expect_result(2, 11, INOTIFY_WD_METHOD_PLAIN, 0, 0);
	ck_assert_uint_eq(st.cycles, res[0].cycles + res[1].cycles);
	expect_canaries(3);
	expect_same_watches_of(dst, w, 3);
}
END_TEST

/* A failure half-way: its entry has the errno, rolled back ones wd 0. */
START_TEST(results_failure_midway)
{
	unsigned int gap = V->fallback ? INOTIFY_WD_METHOD_CYCLE :
					 INOTIFY_WD_METHOD_IOCTL;
	unsigned long cyc = V->fallback ? 9 : 0;
	struct inotify_wd_watch w[4];
	struct kstate after;
	char missing[128];
	int fd;

	snprintf(missing, sizeof(missing), "%s/missing", sc.dir);
	w[0] = by_path(sc.a, IN_MODIFY, 10);
	w[1] = by_path(missing, IN_MODIFY, 300);
	w[2] = by_path(sc.b, IN_MODIFY, 20);
	w[3] = by_path(sc.d, IN_MODIFY, 400);
	variant_enter();
	ck_assert_int_eq(restore_res(dst, w, 4, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(st.failed, 1);
	expect_result(0, 0, gap, cyc, 0);
	expect_result(1, 0, INOTIFY_WD_METHOD_NONE, 0, ENOENT);
	expect_result(2, 0, gap, cyc, 0);
	expect_result(3, 0, INOTIFY_WD_METHOD_NONE, 0, 0);
	expect_canaries(4);
	kstate(dst, &after);
	ck_assert_int_eq(after.n, 0);
	/* Kept below the failure: their wds stay (a new instance, at 1). */
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_eq(restore_res(fd, w, 4, INOTIFY_WD_NO_ROLLBACK), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(st.failed, 1);
	expect_result(0, 10, gap, cyc, 0);
	expect_result(1, 0, INOTIFY_WD_METHOD_NONE, 0, ENOENT);
	expect_result(2, 20, gap, cyc, 0);
	expect_result(3, 0, INOTIFY_WD_METHOD_NONE, 0, 0);
	expect_canaries(4);
	kstate(fd, &after);
	ck_assert_int_eq(after.n, 2);
	ck_assert_ptr_nonnull(kfind(&after, 10));
	ck_assert_ptr_nonnull(kfind(&after, 20));
	close(fd);
}
END_TEST

/* Every result zeroed, no error anywhere: the failure has no entry. */
static void expect_no_entry(int ret, int err, size_t n)
{
	size_t i;

	ck_assert_int_eq(ret, -1);
	ck_assert_msg(errno == err, "[%s] errno %s, want %s", V->name,
		      strerror(errno), strerror(err));
	ck_assert_uint_eq(st.failed, n);
	for (i = 0; i < n; i++)
		expect_result(i, 0, INOTIFY_WD_METHOD_NONE, 0, 0);
	expect_canaries(n);
}

/*
 * stats.failed is count for each failure of no entry: options refused,
 * an fd that is no instance, a queue with events in it, fdinfo that
 * cannot be read where the kernel needs it (no IN_MASK_CREATE).
 */
START_TEST(results_no_entry)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_watch w[3];
	struct kstate before, after;
	int p[2], f;

	w[0] = by_path(sc.a, IN_MODIFY, 10);
	w[1] = by_path(sc.b, IN_MODIFY, 300);
	w[2] = by_path(sc.c, IN_MODIFY, 11);
	ck_assert_int_eq(pipe(p), 0);
	kstate(dst, &before);
	variant_enter();
	/* Options refused: the results are not even looked at. */
	memset(res, CANARY, sizeof(res));
	o.results = res;
	o.reserved[0] = 1;
	ck_assert_int_eq(inotify_wd_restore(dst, w, 3, WSIZE, &o, &st), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(st.failed, 3);
	expect_canaries(0);
#if UINTPTR_MAX <= 0xffffffffU
	/* The pad that widens results to 64 bits on this ABI. */
	o.reserved[0] = 0;
	o.pad2 = 1;
	ck_assert_int_eq(inotify_wd_restore(dst, w, 3, WSIZE, &o, &st), -1);
	ck_assert_int_eq(errno, EINVAL);
	expect_canaries(0);
#endif
	/* Not an inotify instance. */
	expect_no_entry(restore_res(p[0], w, 3, 0), EINVAL, 3);
	/* Where the kernel needs fdinfo to tell new from old. */
	if (V->mask_create) {
		seam.fail_open = "/fdinfo/";
		seam.fail_errno = EMFILE;
		expect_no_entry(restore_res(dst, w, 3, 0), EMFILE, 3);
		/*
		 * FRESH: the fallback reads fdinfo only to cycle, before
		 * the first entry when there is a gap, else when the first
		 * entry has to.  Neither is the entry's failure.
		 */
		if (V->fallback) {
			expect_no_entry(restore_res(dst, w, 3,
						    INOTIFY_WD_FRESH |
						    INOTIFY_WD_NO_ROLLBACK),
					EMFILE, 3);
			expect_no_entry(restore_res(dst, w, 1,
						    INOTIFY_WD_FRESH |
						    INOTIFY_WD_NO_ROLLBACK),
					EMFILE, 1);
		}
		seam.fail_open = NULL;
	}
	kstate(dst, &after);
	assert_kstate_equal(&before, &after);
	/* The fallback's queue must start out empty. */
	if (V->fallback) {
		ck_assert_int_ge(inotify_add_watch(dst, sc.d, IN_ATTRIB), 1);
		f = open(sc.d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ck_assert_int_eq(fchmod(f, 0700), 0);
		close(f);
		expect_no_entry(restore_res(dst, w, 3, 0), EAGAIN, 3);
	}
	close(p[0]);
	close(p[1]);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/* ---- INOTIFY_WD_FRESH ---- */

/*
 * On the "ioctl" and "seccomp-enotty" variants, a seccomp filter refuses
 * IN_MASK_CREATE as 4.4-4.18 do: the real kernel then plays 4.17/4.18
 * and 4.4-4.16 (the bench's played kernels).  Only where the case has a
 * process of its own, the filter staying until it ends.  Before the
 * library's first call: it probes the kernel then.
 */
static void play_old(void)
{
	const struct scmp_arg_cmp cmp = {
		.arg = 2, .op = SCMP_CMP_MASKED_EQ,
		.datum_a = IN_MASK_CREATE, .datum_b = IN_MASK_CREATE,
	};
	scmp_filter_ctx ctx;

	if (nofork() || (strcmp(V->name, "ioctl") &&
			 strcmp(V->name, "seccomp-enotty")))
		return;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	ck_assert(ctx);
	ck_assert_int_eq(seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EINVAL),
						SCMP_SYS(inotify_add_watch), 1,
						&cmp), 0);
	ck_assert_int_eq(seccomp_load(ctx), 0);
	seccomp_release(ctx);
}

/* After play_old(): the features, probed now; true without IN_MASK_CREATE. */
static bool old_kernel(bool *ioctl)
{
	struct inotify_wd_features f;

	ck_assert_int_eq(inotify_wd_get_features(&f), 0);
	*ioctl = f.setnextwd && !(V->flags & INOTIFY_WD_FALLBACK);
	return f.mask_create != INOTIFY_WD_MASK_CREATE_HONOURED;
}

/* The adds and fdinfo reads of one restore of w into a new instance. */
static void count_restore(const struct inotify_wd_watch *w, unsigned int flags,
			  unsigned long *adds, unsigned long *fdinfo)
{
	unsigned long a0 = seam.count[SEAM_ADD], f0 = seam.fdinfo_reads;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	struct kstate after;
	int i;

	ck_assert_int_eq(restore_res(fd, w, FRESH_N, flags), 0);
	*adds = seam.count[SEAM_ADD] - a0;
	*fdinfo = seam.fdinfo_reads - f0;
	kstate(fd, &after);
	ck_assert_int_eq(after.n, MAX_KWATCH < FRESH_N ? MAX_KWATCH : FRESH_N);
	for (i = 0; i < after.n; i++) {
		ck_assert_int_eq(after.w[i].wd, w[i].wd);
		ck_assert_uint_eq(after.w[i].ino, inode_of(w[i].path));
		ck_assert_uint_eq(after.w[i].mask, w[i].mask);
		ck_assert_int_eq(res[i].wd, w[i].wd);
	}
	ck_assert_int_eq(after.queued, 0);
	close(fd);
}

/*
 * A new instance, FRESH: one add per watch, no fdinfo, where the kernel
 * lacks IN_MASK_CREATE (the fallback's first entry takes two: it learns
 * where the cursor is with a quiet add).  Without FRESH: two per watch
 * and the snapshot, as before.  With IN_MASK_CREATE: no difference.
 */
START_TEST(fresh_one_add)
{
	char **files = scratch_files(FRESH_N);
	struct inotify_wd_watch w[FRESH_N];
	unsigned long adds, fdinfo, adds0, fdinfo0;
	bool ioctl, old;
	int i;

	for (i = 0; i < FRESH_N; i++)
		w[i] = by_path(files[i], i % 2 ? IN_MODIFY : IN_ATTRIB | IN_ONESHOT,
			       i + 1);
	variant_enter();
	play_old();
	old = old_kernel(&ioctl);	/* the probe: its adds are not counted */
	count_restore(w, INOTIFY_WD_FRESH, &adds, &fdinfo);
	count_restore(w, 0, &adds0, &fdinfo0);
	if (old) {
		ck_assert_msg(adds == FRESH_N + (unsigned long)!ioctl,
			      "[%s] %lu adds for %d watches", V->name, adds,
			      FRESH_N);
		ck_assert_uint_eq(fdinfo, 0);
		ck_assert_uint_eq(adds0, 2 * FRESH_N);
		ck_assert_uint_ge(fdinfo0, 1);
	} else {
		ck_assert_uint_eq(adds, adds0);
		ck_assert_uint_eq(fdinfo, fdinfo0);
	}
	for (i = 0; i < FRESH_N; i++)
		free(files[i]);
	free(files);
}
END_TEST

/*
 * Two entries on one inode that no ino tells apart (a and its hard link
 * ln): the second gets EEXIST, and the first keeps its own mask, which
 * a FRESH add on an old kernel replaced for a moment.
 */
START_TEST(fresh_own_clash)
{
	struct inotify_wd_watch w[2];
	struct kstate after;
	bool ioctl;
	int fd;

	w[0] = by_path(sc.a, IN_MODIFY, 1);
	w[1] = by_path(sc.ln, IN_ATTRIB | IN_CLOSE_WRITE, 2);
	variant_enter();
	play_old();
	(void)old_kernel(&ioctl);
	ck_assert_int_eq(restore_res(dst, w, 2, INOTIFY_WD_FRESH |
						INOTIFY_WD_NO_ROLLBACK), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_int_eq(res[0].wd, 1);
	ck_assert_int_eq(res[1].wd, 0);
	ck_assert_int_eq(res[1].error, EEXIST);
	kstate(dst, &after);
	ck_assert_int_eq(after.n, 1);
	ck_assert_uint_eq(kfind(&after, 1)->ino, inode_of(sc.a));
	ck_assert_msg(kfind(&after, 1)->mask == IN_MODIFY,
		      "[%s] wd 1 has mask %#x", V->name, kfind(&after, 1)->mask);
	ck_assert_int_eq(after.queued, 0);
	/* Rolled back: nothing stays. */
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_eq(restore_res(fd, w, 2, INOTIFY_WD_FRESH), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(res[0].wd, 0);
	kstate(fd, &after);
	ck_assert_int_eq(after.n, 0);
	ck_assert_int_eq(after.queued, 0);
	close(fd);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/*
 * A false promise: the caller watches c already.  EEXIST; the watch
 * stays, with its mask, except on an old kernel's single add (the
 * ioctl path), which replaced it: what the man page warns of.  The
 * fallback never cycles it away: it reads fdinfo before a first cycle.
 */
START_TEST(fresh_false_promise)
{
	struct inotify_wd_watch w[1];
	struct kstate after;
	bool ioctl, old;

	w[0] = by_path(sc.c, IN_ATTRIB, 10);
	put_watch(dst, sc.c, IN_MODIFY, 5);
	variant_enter();
	play_old();
	old = old_kernel(&ioctl);
	ck_assert_int_eq(restore_res(dst, w, 1, INOTIFY_WD_FRESH), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(st.failed, 0);
	kstate(dst, &after);
	ck_assert_int_eq(after.n, 1);
	ck_assert_uint_eq(kfind(&after, 5)->ino, inode_of(sc.c));
	ck_assert_uint_eq(kfind(&after, 5)->mask,
			  old && ioctl ? IN_ATTRIB : IN_MODIFY);
	ck_assert_int_eq(after.queued, 0);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/* Dump refuses what is not an inotify fd, and reads other processes. */
START_TEST(dump_other_process)
{
	struct inotify_wd_watch *w;
	int p[2];
	size_t n;
	pid_t pid;
	char c;

	put_watch(src, sc.a, IN_MODIFY, 33);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	variant_enter();
	if (V->no_proc) {
		ck_assert_int_eq(inotify_wd_dump(pid, src, &w, &n, WSIZE), -1);
		ck_assert_int_eq(errno, ENOENT);
		goto out;
	}
	ck_assert_int_eq(inotify_wd_dump(pid, src, &w, &n, WSIZE), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(w[0].wd, 33);
	ck_assert_uint_eq(w[0].ino, inode_of(sc.a));
	ck_assert_uint_eq(w[0].mask, IN_MODIFY);
	ck_assert_uint_gt(w[0].handle_bytes, 0);
	free(w);
	ck_assert_int_eq(inotify_wd_dump(pid, p[1], &w, &n, WSIZE), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(inotify_wd_dump(pid, 999, &w, &n, WSIZE), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(inotify_wd_dump(-1, src, &w, &n, WSIZE), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(inotify_wd_dump(0, src, NULL, &n, WSIZE), -1);
	ck_assert_int_eq(errno, EINVAL);
out:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(p[0]);
}
END_TEST

/* By file handle: open_by_handle_at(2) needs CAP_DAC_READ_SEARCH. */
#define HANDLES	NEED_HANDLES, "restores by file handle"

int main(void)
{
	const struct case_spec cases[] = {
		NEEDS(round_trip_handles, HANDLES),
		CASE(round_trip_paths_unsorted), NEEDS(size_1, HANDLES),
		NEEDS(size_100, HANDLES), NEEDS(size_10000, HANDLES),
		CASE(dense_syscalls), CASE(failure_midway), CASE(bad_input),
		CASE(horizon),
		/* the namespace and its mount would outlive an unforked case */
		NEEDS(handles_queue_nothing,
		      NEED_HANDLES | NEED_MOUNT | NEED_FORK,
		      "restores by handle on a private tmpfs"),
		NEEDS(handle_errors, HANDLES), CASE(fallback_pending_events),
		CASE(dump_other_process), CASE(renamed_onto_callers_watch),
		CASE(renamed_beyond_budget), CASE(no_rollback_arms_kept),
		CASE(no_rollback_arm_fails), CASE(results_per_method),
		CASE(results_failure_midway), CASE(results_no_entry),
		CASE(fresh_one_add), CASE(fresh_own_clash),
		CASE(fresh_false_promise),
	};

	/* The slowest: 12 s here, 26 s in user-mode Linux (see README). */
	return variant_main(cases, sizeof(cases) / sizeof(cases[0]), setup,
			    teardown, 240);
}
