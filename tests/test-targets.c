// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Where a restore's target comes from (inotify_wd_restore(3), "Targets"):
 * a path from a dirfd, beneath it, checked against its inode, what the
 * caller's callback opens, or a handle that falls back to a checked
 * path.  Each watch is checked against the kernel (fdinfo ino), and each
 * failure against what it must leave: no watch, fd, event, and the
 * caller's working directory where it was.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"
#include "seam.h"
#include "variant.h"

#define MASK	(IN_MODIFY | IN_ATTRIB)

static int dst, fds_before, home;
static struct inotify_wd_stats st;
static struct stat home_st;

static void setup(void)
{
	scratch_setup();
	dst = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(dst, 0);
	/* The cases move their cwd: they go back here afterwards. */
	home = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(home, 0);
	ck_assert_int_eq(chdir(sc.d), 0);
	ck_assert_int_eq(stat(".", &home_st), 0);
	fds_before = open_fds();
}

static void teardown(void)
{
	if (fchdir(home) != 0)
		abort();
	close(home);
	close(dst);
	scratch_teardown();
}

static int restore_size(const void *w, size_t n, size_t size,
			struct inotify_wd_opts *o)
{
	struct inotify_wd_opts d = variant_opts();

	if (!o)
		o = &d;
	o->flags |= V->flags;
	return inotify_wd_restore(dst, w, n, size, o, &st);
}

static int restore(const struct inotify_wd_watch *w, size_t n,
		   struct inotify_wd_opts *o)
{
	return restore_size(w, n, WSIZE, o);
}

static struct inotify_wd_watch entry(const char *path, int wd,
				     unsigned int flags, int dirfd)
{
	struct inotify_wd_watch w;

	memset(&w, 0, sizeof(w));
	w.wd = wd;
	w.mask = MASK;
	w.path = path;
	w.flags = flags;
	w.dirfd = dirfd;
	return w;
}

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
/*
 * Whether openat2() works here: not before Linux 5.6, nor under a
 * valgrind that does not know it.  Where it does not, IN_ROOT entries
 * must fail with EOPNOTSUPP, leaving nothing.
 */
static bool have_openat2(void)
{
	uint64_t how[3] = { O_PATH | O_CLOEXEC, 0, 0x10 /* IN_ROOT */ };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, ".", how, sizeof(how));

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* The working directory is the one the case set up. */
static void expect_home(void)
{
	struct stat now;

	ck_assert_int_eq(stat(".", &now), 0);
	ck_assert_msg(now.st_ino == home_st.st_ino &&
		      now.st_dev == home_st.st_dev,
		      "[%s] the working directory moved", V->name);
}

/* A failed call left nothing: no watch, fd or event; cwd where it was. */
static void expect_nothing(void)
{
	struct kstate s;

	kstate(dst, &s);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(s.queued, 0);
	ck_assert_int_eq(open_fds(), fds_before);
	expect_home();
}

/* Watch wd is on path's inode. */
static void expect_on(int wd, const char *path)
{
	struct kstate s;
	const struct kwatch *k;

	kstate(dst, &s);
	k = kfind(&s, wd);
	ck_assert_msg(k, "[%s] no wd %d", V->name, wd);
	ck_assert_msg(k->ino == inode_of(path), "[%s] wd %d on ino %lu, not "
		      "%s's %lu", V->name, wd, k->ino, path, inode_of(path));
	ck_assert_uint_eq(k->mask, MASK);
}

/* After a success: n watches, nothing queued, no fd left, cwd back. */
static void expect_clean(int n)
{
	struct kstate s;

	kstate(dst, &s);
	ck_assert_int_eq(s.n, n);
	ck_assert_int_eq(s.queued, 0);
	ck_assert_int_eq(open_fds(), fds_before);
	expect_home();
}

/*
 * A new instance, for the next restore of a case: the fallback cannot
 * move the cursor back to the wds of the last.
 */
static void fresh(void)
{
	close(dst);
	dst = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(dst, 0);
}

static int open_dir(const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

/* DIRFD: relative to the dirfd, absolute (dirfd ignored), AT_FDCWD. */
START_TEST(dirfd_paths)
{
	struct inotify_wd_watch w[5];
	int dir = open_dir(sc.dir);
	char other[128];

	snprintf(other, sizeof(other), "%s/other", sc.dir);
	ck_assert_int_eq(mkdir(other, 0755), 0);
	fds_before = open_fds();
	w[0] = entry("a", 3, INOTIFY_WD_WATCH_DIRFD, dir);
	/* an absolute path ignores the dirfd, even one that is no fd */
	w[1] = entry(sc.b, 1, INOTIFY_WD_WATCH_DIRFD, -1);
	/* AT_FDCWD: the caller's cwd, sc.d */
	w[2] = entry("../c", 7, INOTIFY_WD_WATCH_DIRFD, AT_FDCWD);
	w[3] = entry(".", 8, INOTIFY_WD_WATCH_DIRFD, dir);
	/* a plain relative path still resolves in the caller's cwd */
	w[4] = entry("../other", 9, 0, -1);
	variant_enter();
	ck_assert_msg(restore(w, 5, NULL) == 0, "[%s] restore: %s", V->name,
		      strerror(errno));
	expect_on(3, sc.a);
	expect_on(1, sc.b);
	expect_on(7, sc.c);
	expect_on(8, sc.dir);
	expect_on(9, other);
	expect_clean(5);
	close(dir);
}
END_TEST

static int progress_calls;

static void count_progress(unsigned long done, unsigned long total, void *arg)
{
	struct stat now;

	(void)done;
	(void)total;
	(void)arg;
	progress_calls++;
	/* the callback runs in the caller's working directory */
	ck_assert_int_eq(stat(".", &now), 0);
	ck_assert_uint_eq(now.st_ino, home_st.st_ino);
}

/*
 * The fallback's progress callback runs in the caller's cwd, and the
 * cycles by name after it still resolve from the dirfd: b is not in the
 * caller's cwd.
 */
START_TEST(dirfd_progress)
{
	struct inotify_wd_watch w[2];
	struct inotify_wd_opts o = variant_opts();
	int dir = open_dir(sc.dir);

	if (!V->fallback)
		return;	/* no cycles, no progress */
	fds_before = open_fds();
	w[0] = entry("a", 1, INOTIFY_WD_WATCH_DIRFD, dir);
	w[1] = entry("b", 40000, INOTIFY_WD_WATCH_DIRFD, dir);
	o.progress = count_progress;
	progress_calls = 0;
	variant_enter();
	ck_assert_msg(restore(w, 2, &o) == 0, "[%s] restore: %s", V->name,
		      strerror(errno));
	ck_assert_int_gt(progress_calls, 0);
	expect_on(1, sc.a);
	expect_on(40000, sc.b);
	expect_clean(2);
	close(dir);
}
END_TEST

/* A failing DIRFD entry leaves no watch, fd, or moved cwd behind. */
START_TEST(dirfd_failures)
{
	struct inotify_wd_watch w[2];
	int dir = open_dir(sc.dir), file;

	file = open(sc.a, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(file, 0);
	fds_before = open_fds();
	w[0] = entry("b", 1, INOTIFY_WD_WATCH_DIRFD, dir);
	w[1] = entry("missing", 2, INOTIFY_WD_WATCH_DIRFD, dir);
	variant_enter();
	ck_assert_int_eq(restore(w, 2, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(st.failed, 1);
	expect_nothing();
	w[1] = entry("c", 2, INOTIFY_WD_WATCH_DIRFD, -5);
	fresh();
	ck_assert_int_eq(restore(w, 2, NULL), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_uint_eq(st.failed, 1);
	expect_nothing();
	w[1] = entry("c", 2, INOTIFY_WD_WATCH_DIRFD, file);
	fresh();
	ck_assert_int_eq(restore(w, 2, NULL), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	expect_nothing();
	close(file);
	close(dir);
}
END_TEST

/*
 * IN_ROOT: the watched directory w of a root is replaced by a symlink
 * that points out of it.  Absolute links and ".." stay inside (the watch
 * lands on the in-root inode), a magic link is ELOOP.  Never outside.
 */
START_TEST(in_root_stays_inside)
{
	char root[128], w_dir[128], etc[128];
	struct inotify_wd_watch w;
	int rfd, pfd;

	snprintf(root, sizeof(root), "%s/root", sc.dir);
	snprintf(w_dir, sizeof(w_dir), "%s/root/w", sc.dir);
	snprintf(etc, sizeof(etc), "%s/root/etc", sc.dir);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	ck_assert_int_eq(mkdir(etc, 0755), 0);
	ck_assert_int_eq(mkdir(w_dir, 0755), 0);
	rfd = open_dir(root);
	pfd = open_dir("/proc");
	fds_before = open_fds();
	variant_enter();

	/* as given: the directory itself */
	w = entry("w", 5, INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT,
		  rfd);
	if (!have_openat2()) {
		ck_assert_int_eq(restore(&w, 1, NULL), -1);
		ck_assert_int_eq(errno, EOPNOTSUPP);
		expect_nothing();
		goto out;
	}
	ck_assert_msg(restore(&w, 1, NULL) == 0, "[%s] %s", V->name,
		      strerror(errno));
	expect_on(5, w_dir);
	expect_clean(1);
	ck_assert_int_eq(inotify_rm_watch(dst, 5), 0);
	ck_assert_int_gt(read(dst, (char[64]){ 0 }, 64), 0);

	/* replaced by a link to /etc: root/etc, not the host's */
	ck_assert_int_eq(rmdir(w_dir), 0);
	ck_assert_int_eq(symlink("/etc", w_dir), 0);
	w.wd = 6;
	ck_assert_int_eq(restore(&w, 1, NULL), 0);
	expect_on(6, etc);
	ck_assert_uint_ne(inode_of(etc), inode_of("/etc"));
	expect_clean(1);
	ck_assert_int_eq(inotify_rm_watch(dst, 6), 0);
	ck_assert_int_gt(read(dst, (char[64]){ 0 }, 64), 0);

	/* to ../../..: clamped at the root */
	ck_assert_int_eq(unlink(w_dir), 0);
	ck_assert_int_eq(symlink("../../..", w_dir), 0);
	w.wd = 7;
	ck_assert_int_eq(restore(&w, 1, NULL), 0);
	expect_on(7, root);
	expect_clean(1);
	ck_assert_int_eq(inotify_rm_watch(dst, 7), 0);
	ck_assert_int_gt(read(dst, (char[64]){ 0 }, 64), 0);

	/* an absolute path starts at the root too */
	w = entry("/etc/../../w/../etc", 8,
		  INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT, rfd);
	ck_assert_int_eq(restore(&w, 1, NULL), 0);
	expect_on(8, etc);
	ck_assert_int_eq(inotify_rm_watch(dst, 8), 0);
	ck_assert_int_gt(read(dst, (char[64]){ 0 }, 64), 0);

	/* to /proc/self/root: inside this root there is no /proc */
	ck_assert_int_eq(unlink(w_dir), 0);
	ck_assert_int_eq(symlink("/proc/self/root", w_dir), 0);
	w = entry("w", 9, INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT,
		  rfd);
	ck_assert_int_eq(restore(&w, 1, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	expect_nothing();
	/* and where /proc is inside the root, its magic link is refused */
	w = entry("self/root", 9,
		  INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT, pfd);
	ck_assert_int_eq(restore(&w, 1, NULL), -1);
	ck_assert_int_eq(errno, ELOOP);
	expect_nothing();
out:
	close(pfd);
	close(rfd);
}
END_TEST

/* IN_ROOT needs openat2(): EAGAIN retried 3 times, ENOSYS/EPERM refused. */
START_TEST(in_root_seam)
{
	struct inotify_wd_watch w;
	int rfd = open_dir(sc.dir);

	fds_before = open_fds();
	w = entry("a", 4, INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT,
		  rfd);
	variant_enter();
	seam.openat2_eagain = 4;
	ck_assert_int_eq(restore(&w, 1, NULL), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_uint_eq(st.failed, 0);
	expect_nothing();
	seam.openat2_errno = ENOSYS;
	fresh();
	ck_assert_int_eq(restore(&w, 1, NULL), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	expect_nothing();
	seam.openat2_errno = EPERM;
	fresh();
	ck_assert_int_eq(restore(&w, 1, NULL), -1);
	ck_assert_int_eq(errno, EOPNOTSUPP);
	expect_nothing();
	seam.openat2_errno = 0;
	seam.openat2_eagain = 2;
	fresh();
	if (!have_openat2()) {
		ck_assert_int_eq(restore(&w, 1, NULL), -1);
		ck_assert_int_eq(errno, EOPNOTSUPP);
		expect_nothing();
		close(rfd);
		return;
	}
	ck_assert_int_eq(restore(&w, 1, NULL), 0);
	ck_assert_int_eq(seam.openat2_eagain, 0);
	expect_on(4, sc.a);
	expect_clean(1);
	close(rfd);
}
END_TEST

/* SAME_INODE: the path must still name dev/ino. */
START_TEST(same_inode)
{
	struct inotify_wd_watch w[2];
	struct stat sa;
	int dir = open_dir(sc.dir);

	fds_before = open_fds();
	ck_assert_int_eq(stat(sc.a, &sa), 0);
	w[0] = entry(sc.a, 2, INOTIFY_WD_WATCH_SAME_INODE, -1);
	w[0].dev = sa.st_dev;
	w[0].ino = sa.st_ino;
	w[1] = entry("b", 3, INOTIFY_WD_WATCH_SAME_INODE |
		     INOTIFY_WD_WATCH_DIRFD, dir);
	w[1].dev = sa.st_dev;
	w[1].ino = inode_of(sc.b);
	variant_enter();
	ck_assert_int_eq(restore(w, 2, NULL), 0);
	expect_on(2, sc.a);
	expect_on(3, sc.b);
	expect_clean(2);
	ck_assert_int_eq(inotify_rm_watch(dst, 2), 0);
	ck_assert_int_eq(inotify_rm_watch(dst, 3), 0);
	ck_assert_int_gt(read(dst, (char[128]){ 0 }, 128), 0);
	ck_assert_int_eq(queued_bytes(dst), 0);
	/* b renamed onto c's place: c is another inode */
	w[1].path = "c";
	fresh();
	ck_assert_int_eq(restore(w, 2, NULL), -1);
	ck_assert_int_eq(errno, ESTALE);
	ck_assert_uint_eq(st.failed, 1);
	expect_nothing();
	/* another device */
	w[1].path = "b";
	w[1].dev = makedev(major(sa.st_dev) + 1, 7);
	fresh();
	ck_assert_int_eq(restore(w, 2, NULL), -1);
	ck_assert_int_eq(errno, ESTALE);
	expect_nothing();
	close(dir);
}
END_TEST

/* What the callback saw. */
struct seen {
	int calls;
	int wd[8];
	size_t index[8];
	int last_fd;		/* the fd it returned last */
	bool last_open;		/* ... was still open at the next call */
	pid_t tid;		/* the thread it ran in */
	bool moved;		/* the cwd was not the caller's */
	int fail_wd, fail_errno;
	const char *path[8];	/* by index */
};

static int open_cb(const struct inotify_wd_watch *w, size_t i, void *arg)
{
	struct seen *s = arg;
	struct stat now;

	if (s->last_fd >= 0 && fcntl(s->last_fd, F_GETFD) >= 0)
		s->last_open = true;
	if (s->calls < 8) {
		s->wd[s->calls] = w->wd;
		s->index[s->calls] = i;
	}
	s->calls++;
	s->tid = (pid_t)syscall(SYS_gettid);
	if (stat(".", &now) < 0 || now.st_ino != home_st.st_ino)
		s->moved = true;
	if (w->wd == s->fail_wd) {
		errno = s->fail_errno;
		return -1;
	}
	s->last_fd = open(s->path[i], O_PATH | O_CLOEXEC);
	return s->last_fd;
}

/* The second call for wd 1 (the fallback past its budget) gives c. */
static int swapping_cb(const struct inotify_wd_watch *w, size_t i, void *arg)
{
	struct seen *s = arg;
	int n = 0, k;

	for (k = 0; k < s->calls && k < 8; k++)
		n += s->wd[k] == w->wd;
	if (w->wd == 1 && n == 1 && s->fail_wd == -1) {
		if (s->calls < 8)
			s->wd[s->calls] = w->wd;
		s->calls++;
		return open(sc.c, O_PATH | O_CLOEXEC);
	}
	return open_cb(w, i, arg);
}

static struct inotify_wd_opts cb_opts(struct seen *s)
{
	struct inotify_wd_opts o = variant_opts();

	s->last_fd = -1;
	o.open_target = open_cb;
	o.open_target_arg = s;
	return o;
}

/*
 * OPEN_CB: called once per entry in ascending wd order, with the caller's
 * index, in the calling thread and cwd; each fd closed before the next
 * call (where no fallback keeps it for a second add).
 */
START_TEST(open_cb_order)
{
	struct inotify_wd_watch w[4];
	struct seen s = { .path = { sc.a, sc.b, sc.c, sc.d } };
	struct inotify_wd_opts o = cb_opts(&s);
	static const int wd[4] = { 9, 2, 5, 3 };
	int i;

	for (i = 0; i < 4; i++)
		w[i] = entry(NULL, wd[i], INOTIFY_WD_WATCH_OPEN_CB, -1);
	/* ignored with OPEN_CB: never looked at */
	w[1].path = "/nonexistent";
	w[1].mask |= IN_DONT_FOLLOW;
	variant_enter();
	ck_assert_msg(restore(w, 4, &o) == 0, "[%s] restore: %s", V->name,
		      strerror(errno));
	ck_assert_int_eq(s.calls, 4);
	ck_assert_int_eq(s.wd[0], 2);
	ck_assert_int_eq(s.wd[1], 3);
	ck_assert_int_eq(s.wd[2], 5);
	ck_assert_int_eq(s.wd[3], 9);
	ck_assert_uint_eq(s.index[0], 1);
	ck_assert_uint_eq(s.index[1], 3);
	ck_assert_uint_eq(s.index[2], 2);
	ck_assert_uint_eq(s.index[3], 0);
	ck_assert_int_eq(s.tid, (pid_t)syscall(SYS_gettid));
	ck_assert(!s.moved);
	if (!V->fallback)
		ck_assert(!s.last_open);
	ck_assert_int_eq(fcntl(s.last_fd, F_GETFD), -1);
	for (i = 0; i < 4; i++)
		expect_on(wd[i], s.path[i]);
	expect_clean(4);
}
END_TEST

/* -1 fails the entry with the callback's errno; errno 0 is EIO. */
START_TEST(open_cb_errors)
{
	struct inotify_wd_watch w[3];
	struct seen s = { .path = { sc.a, sc.b, sc.c } };
	struct inotify_wd_opts o = cb_opts(&s);
	int i;

	for (i = 0; i < 3; i++)
		w[i] = entry(NULL, i + 1, INOTIFY_WD_WATCH_OPEN_CB, -1);
	variant_enter();
	s.fail_wd = 2;
	s.fail_errno = EACCES;
	ck_assert_int_eq(restore(w, 3, &o), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_uint_eq(st.failed, 1);
	expect_nothing();
	o = cb_opts(&s);
	s.calls = 0;
	s.fail_errno = 0;
	fresh();
	ck_assert_int_eq(restore(w, 3, &o), -1);
	ck_assert_int_eq(errno, EIO);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_int_eq(s.calls, 2);
	expect_nothing();
	/* no callback */
	o.open_target = NULL;
	fresh();
	ck_assert_int_eq(restore(w, 3, &o), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(st.failed, 0);
	expect_nothing();
}
END_TEST

/*
 * The fallback places wds 1 and 3 quiet, before its last cycle (to 5),
 * and with no fd to spare keeps none of their fds: their masks need a
 * second callback each, checked to give the inode of the first.
 */
START_TEST(open_cb_second_call)
{
	struct inotify_wd_watch w[3];
	struct seen s = { .path = { sc.a, sc.b, sc.c } };
	struct inotify_wd_opts o;
	struct rlimit old, low;
	int i, ret;

	if (!V->fallback || V->no_proc)
		return;	/* no second add; no budget of 0 without /proc */
	for (i = 0; i < 3; i++)
		w[i] = entry(NULL, 2 * i + 1, INOTIFY_WD_WATCH_OPEN_CB, -1);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	variant_enter();
	for (i = 0; i < 2; i++) {
		memset(&s, 0, sizeof(s));
		s.path[0] = sc.a;
		s.path[1] = sc.b;
		s.path[2] = sc.c;
		o = cb_opts(&s);
		o.open_target = swapping_cb;
		s.fail_wd = i ? -1 : 0;
		fresh();
		/* room for one more fd: the budget is 0 */
		low.rlim_cur = (rlim_t)open_fds() + 1;
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
		ret = restore(w, 3, &o);
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
		ck_assert_int_eq(s.wd[0], 1);
		ck_assert_int_eq(s.wd[1], 3);
		ck_assert_int_eq(s.wd[2], 5);
		ck_assert_int_eq(s.wd[3], 1);
		if (i) {
			ck_assert_int_eq(ret, -1);
			ck_assert_int_eq(errno, ESTALE);
			ck_assert_uint_eq(st.failed, 0);
			expect_nothing();
			continue;
		}
		ck_assert_msg(ret == 0, "[%s] restore: %s", V->name,
			      strerror(errno));
		ck_assert_int_eq(s.calls, 5);
		ck_assert_int_eq(s.wd[4], 3);
		expect_on(1, sc.a);
		expect_on(3, sc.b);
		expect_on(5, sc.c);
		expect_clean(3);
	}
}
END_TEST

static void *sleeper(void *arg)
{
	int *p = arg;
	char c;

	/* until the case closes the pipe */
	while (read(*p, &c, 1) > 0)
		;
	return NULL;
}

/*
 * A caller with other threads: a DIRFD entry's fchdir() runs in the
 * worker, whose cwd is its own; the callback still runs in the calling
 * thread and its cwd.  With one thread, no thread is created.
 */
static void threaded(bool others)
{
	struct inotify_wd_watch w[4];
	struct seen s = { .path = { NULL, sc.b, NULL, sc.c } };
	struct inotify_wd_opts o = cb_opts(&s);
	int dir = open_dir(sc.dir), p[2] = { -1, -1 };
	pthread_t t;

	w[0] = entry("a", 1, INOTIFY_WD_WATCH_DIRFD, dir);
	w[1] = entry(NULL, 2, INOTIFY_WD_WATCH_OPEN_CB, -1);
	w[2] = entry(".", 3, INOTIFY_WD_WATCH_DIRFD, dir);
	w[3] = entry(NULL, 4, INOTIFY_WD_WATCH_OPEN_CB, -1);
	if (others) {
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		ck_assert_int_eq(pthread_create(&t, NULL, sleeper, &p[0]), 0);
	}
	fds_before = open_fds();
	variant_enter();
	ck_assert_msg(restore(w, 4, &o) == 0, "[%s] restore: %s", V->name,
		      strerror(errno));
	ck_assert_int_eq(s.calls, 2);
	ck_assert_int_eq(s.tid, (pid_t)syscall(SYS_gettid));
	ck_assert(!s.moved);
	/* without /proc/self/task the library assumes other threads */
	ck_assert_uint_eq(seam.count[SEAM_THREAD], others || V->no_proc);
	expect_on(1, sc.a);
	expect_on(2, sc.b);
	expect_on(3, sc.dir);
	expect_on(4, sc.c);
	expect_clean(4);
	if (others) {
		close(p[1]);
		pthread_join(t, NULL);
		close(p[0]);
	}
	close(dir);
}

START_TEST(threaded_caller)
{
	threaded(true);
}
END_TEST

START_TEST(single_thread)
{
	threaded(false);
}
END_TEST

/*
 * Opts in to 100,000 entries instead of 10,000: more watches than the
 * suite may take beside other programs that share max_user_watches (run
 * it alone, or under a lock the machine's users agree on).
 */
#define HEAVY_OPT_IN	"INOTIFYWD_TEST_HEAVY"

/*
 * 10,000 DIRFD entries (and as many IN_ROOT ones) under RLIMIT_NOFILE
 * 256: no fd per entry.  Scattered wds make the fallback hold quiet
 * entries, past its budget re-resolved and checked.
 */
START_TEST(many_under_nofile)
{
	const int N = getenv(HEAVY_OPT_IN) ? 100000 : 10000;
	struct inotify_wd_watch *w = calloc(N, sizeof(*w));
	char **files = scratch_files(N);
	char (*names)[16] = calloc(N, sizeof(*names));
	struct kwatch *k = calloc(N, sizeof(*k));
	struct rlimit old, low;
	int dir = open_dir(sc.dir), i, pass, n;

	ck_assert(w && names && k);
	fds_before = open_fds();
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 256;
	for (i = 0; i < N; i++)
		snprintf(names[i], sizeof(names[i]), "f%d", i);
	variant_enter();
	/* IN_ROOT in the second pass: not without openat2() */
	for (pass = 0; pass < (have_openat2() ? 2 : 1); pass++) {
		for (i = 0; i < N; i++) {
			w[i] = entry(names[i], 2 * i + 1,
				     INOTIFY_WD_WATCH_DIRFD, dir);
			if (pass)
				w[i].flags |= INOTIFY_WD_WATCH_IN_ROOT;
		}
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
		i = restore(w, N, NULL);
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
		ck_assert_msg(i == 0, "[%s] pass %d: %s", V->name, pass,
			      strerror(errno));
		n = kwatches(dst, k, N);
		ck_assert_int_eq(n, N);
		for (i = 0; i < N; i++) {
			ck_assert_int_eq(k[i].wd, 2 * i + 1);
			ck_assert_uint_eq(k[i].ino, inode_of(files[i]));
		}
		ck_assert_int_eq(queued_bytes(dst), 0);
		ck_assert_int_eq(open_fds(), fds_before);
		expect_home();
		fresh();
	}
	free(k);
	close(dir);
	for (i = 0; i < N; i++)
		free(files[i]);
	free(files);
	free(names);
	free(w);
}
END_TEST

/* sc.a's handle, and its device and inode. */
static void handle_of(struct inotify_wd_watch *w, const char *path)
{
	union iwd_file_handle h;
	struct stat s;
	int mnt;

	h.fh.handle_bytes = INOTIFY_WD_HANDLE_MAX;
	ck_assert_int_eq(name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt, 0),
			 0);
	w->handle_type = h.fh.handle_type;
	w->handle_bytes = h.fh.handle_bytes;
	memcpy(w->handle, h.fh.f_handle, h.fh.handle_bytes);
	ck_assert_int_eq(stat(path, &s), 0);
	w->dev = s.st_dev;
	w->ino = s.st_ino;
}

/*
 * HANDLE_FIRST: a handle that opens is used (its path never looked up);
 * one that does not (corrupted: ESTALE) gives way to the path, checked to
 * be the inode; a path that names another one is ESTALE.
 */
START_TEST(handle_first)
{
	struct inotify_wd_opts o = { 0 };
	struct inotify_wd_result r;
	struct inotify_wd_watch w;
	unsigned int i;
	int mfd = open(sc.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(mfd, 0);
	fds_before = open_fds();
	w = entry("/nonexistent", 4, INOTIFY_WD_WATCH_HANDLE_FIRST |
		  INOTIFY_WD_WATCH_MOUNT_FD, -1);
	w.mount_fd = mfd;
	handle_of(&w, sc.a);
	variant_enter();
	ck_assert_msg(restore(&w, 1, NULL) == 0, "[%s] restore: %s", V->name,
		      strerror(errno));
	expect_on(4, sc.a);
	expect_clean(1);
	ck_assert_int_eq(inotify_rm_watch(dst, 4), 0);
	ck_assert_int_gt(read(dst, (char[64]){ 0 }, 64), 0);

	for (i = 0; i < w.handle_bytes; i++)
		w.handle[i] ^= 0xa5;
	w.path = sc.a;
	w.wd = 5;
	o.results = &r;
	ck_assert_msg(restore(&w, 1, &o) == 0, "[%s] restore: %s", V->name,
		      strerror(errno));
	expect_on(5, sc.a);
	/* the result says why the path stood in for the handle */
	ck_assert_int_eq(r.wd, 5);
	ck_assert_int_ne(r.handle_error, 0);
	ck_assert_int_eq(r.error, 0);
	expect_clean(1);
	ck_assert_int_eq(inotify_rm_watch(dst, 5), 0);
	ck_assert_int_gt(read(dst, (char[64]){ 0 }, 64), 0);

	w.path = sc.b;
	fresh();
	ck_assert_int_eq(restore(&w, 1, NULL), -1);
	ck_assert_int_eq(errno, ESTALE);
	expect_nothing();
	close(mfd);
}
END_TEST

/* One valid entry for each flag, then each rule's EINVAL. */
START_TEST(einval_rules)
{
	struct inotify_wd_watch ok[2], bad;
	struct seen s = { .path = { NULL, sc.b } };
	struct inotify_wd_opts o = cb_opts(&s);
	const struct {
		unsigned int flags;
		bool path, handle, ino;
	} rule[] = {
		{ INOTIFY_WD_WATCH_IN_ROOT, true, false, false },
		{ INOTIFY_WD_WATCH_DIRFD, false, true, false },
		{ INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT, false,
		  true, false },
		{ INOTIFY_WD_WATCH_HANDLE_FIRST, false, true, true },
		{ INOTIFY_WD_WATCH_HANDLE_FIRST, true, false, true },
		{ INOTIFY_WD_WATCH_SAME_INODE, true, false, false },
		{ INOTIFY_WD_WATCH_HANDLE_FIRST, true, true, false },
		{ 1U << 6, true, false, false },
		{ 1U << 31, true, false, false },
	};
	size_t r;
	int dir = open_dir(sc.dir);

	fds_before = open_fds();
	ok[0] = entry("a", 1, INOTIFY_WD_WATCH_DIRFD, dir);
	ok[1] = entry(NULL, 2, INOTIFY_WD_WATCH_OPEN_CB, -1);
	variant_enter();
	ck_assert_int_eq(restore(ok, 2, &o), 0);
	expect_on(1, sc.a);
	expect_on(2, sc.b);
	for (r = 0; r < sizeof(rule) / sizeof(rule[0]); r++) {
		bad = entry(rule[r].path ? "a" : NULL, 3, rule[r].flags, dir);
		if (rule[r].handle) {
			bad.handle_bytes = 8;
			bad.handle_type = 1;
		}
		bad.ino = rule[r].ino ? inode_of(sc.a) : 0;
		ok[1] = bad;
		fresh();
		ck_assert_int_eq(restore(ok, 2, &o), -1);
		ck_assert_msg(errno == EINVAL, "[%s] rule %zu: %s", V->name,
			      r, strerror(errno));
		ck_assert_uint_eq(st.failed, 1);
		expect_nothing();
	}
	ck_assert_int_eq(s.calls, 1);
	close(dir);
}
END_TEST

int main(void)
{
	const struct case_spec cases[] = {
		CASE(dirfd_paths), CASE(dirfd_failures), CASE(dirfd_progress),
		CASE(in_root_stays_inside), CASE(in_root_seam),
		CASE(same_inode), CASE(open_cb_order), CASE(open_cb_errors),
		CASE(open_cb_second_call),
		CASE(threaded_caller), CASE(single_thread),
		CASE(many_under_nofile),
		NEEDS(handle_first, NEED_HANDLES, "opens a file handle"),
		CASE(einval_rules),
	};

	return variant_main(cases, sizeof(cases) / sizeof(cases[0]), setup,
			    teardown, 240);
}
