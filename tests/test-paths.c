// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotify_wd_find_paths(): every path it gives names, from the process's
 * root, the inode fdinfo shows for the watch (read by the suite's own
 * parser, tests/common.c), and each way to a path is the one expected:
 * an opened handle, an overlay layer's handle, a walk.  Each case runs in
 * a process of its own (Check's fork) in a mount namespace of its own,
 * with / private, so that its tmpfs and overlays vanish with it.
 *
 * The pure parts of lib/ovl.c (the overlay handle and the layer options)
 * are tested here too, through the seam library that builds them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "internal.h"
#include "seam.h"

#define MASK	(IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF)
#define MAXW	16

static char root[128];		/* a tmpfs of the case's own */
static int ifd = -1, fds_before;

static void setup(void)
{
	scratch_setup();
	scratch_private_tmpfs(root, sizeof(root), "size=64m");
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(ifd, 0);
	fds_before = open_fds();
}

static void teardown(void)
{
	if (ifd >= 0)
		close(ifd);
	ifd = -1;
	while (umount2(root, MNT_DETACH) == 0)
		;
	scratch_teardown();
}

/* root/<rel>, in one of 16 static buffers, reused in turn. */
static const char *at(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static const char *at(const char *fmt, ...)
{
	static char buf[16][PATH_MAX];
	static int k;
	char rel[PATH_MAX - 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	k = (k + 1) % 16;
	snprintf(buf[k], sizeof(buf[k]), "%.200s/%s", root, rel);
	return buf[k];
}

static void mkfile(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);

	ck_assert_msg(fd >= 0, "create %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
}

/* n files f0..f(n-1) in root/dir, without taking at()'s buffers. */
static void mkfiles(const char *dir, int n)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%.200s/%.200s/f%d", root, dir, i);
		mkfile(path);
	}
}

static void mkdirs(const char *path)
{
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s", path);
	for (s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	ck_assert_int_eq(mkdir(p, 0755) == 0 || errno == EEXIST, 1);
}

/*
 * An overlay at root/m: lowers root/l1 (top) and root/l2, upper root/u.
 * l1/a, l2/d/e/f, l1/c, and l2/r/x; extra: more mount options.
 */
static int mount_overlay(const char *base, const char *extra)
{
	char opts[1024];

	snprintf(opts, sizeof(opts),
		 "lowerdir=%s/l1:%s/l2,upperdir=%s/u,workdir=%s/w%s%s", base,
		 base, base, base, extra ? "," : "", extra ? extra : "");
	return mount("overlay", at("m"), "overlay", 0, opts);
}

static void overlay_tree(const char *extra)
{
	const char *d[] = { "l1", "l2", "u", "w", "m", "l2/d/e", "l2/r/x" };
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		mkdirs(at("%s", d[i]));
	mkfile(at("l1/a"));
	mkfile(at("l1/c"));
	mkfile(at("l2/d/e/f"));
	ck_assert_msg(mount_overlay(root, extra) == 0, "overlay: %s",
		      strerror(errno));
}

/* Watches on the paths, then the library's dump of them. */
static struct inotify_wd_watch *watch_all(const char *const *paths,
					  size_t n, uint32_t extra)
{
	struct inotify_wd_watch *w;
	size_t i, m;

	for (i = 0; i < n; i++)
		ck_assert_msg(inotify_add_watch(ifd, paths[i], MASK | extra) ==
			      (int)i + 1, "watch %s: %s", paths[i],
			      strerror(errno));
	ck_assert_int_eq(inotify_wd_dump(0, ifd, &w, &m, WSIZE), 0);
	ck_assert_uint_eq(m, n);
	return w;
}

/* Entry i's path names, from pid's root, what fdinfo shows for wd i+1. */
static void assert_verified(pid_t pid, const struct inotify_wd_watch *w,
			    int fd, size_t n)
{
	struct kwatch k[MAXW];
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	ck_assert_int_eq(kwatches(fd, k, MAXW), (int)n);
	for (i = 0; i < n; i++) {
		ck_assert_msg(w[i].path, "wd %d: no path", w[i].wd);
		ck_assert_msg(w[i].path[0] == '/', "%s", w[i].path);
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid,
			 w[i].path);
		ck_assert_msg(lstat(path, &st) == 0, "%s: %s", path,
			      strerror(errno));
		ck_assert_int_eq(w[i].wd, k[i].wd);
		ck_assert_msg(st.st_ino == k[i].ino, "%s: ino %lu, not %lu",
			      w[i].path, (unsigned long)st.st_ino, k[i].ino);
		ck_assert_uint_eq(major(st.st_dev), k[i].sdev >> 20);
		ck_assert_uint_eq(minor(st.st_dev), k[i].sdev & 0xfffff);
	}
}

static ssize_t find(pid_t pid, struct inotify_wd_watch *w, size_t n,
		    struct inotify_wd_result *res, unsigned int flags,
		    uint64_t max_walk, char **strings)
{
	struct inotify_wd_opts o = { .flags = flags, .results = res,
				     .max_walk = max_walk };

	return inotify_wd_find_paths(pid, w, n, WSIZE, &o, strings);
}

static const char *method_name(unsigned int m)
{
	static const char *const names[] = { "none", "given", "handle",
					     "layer", "walk" };

	return m < 5 ? names[m] : "?";
}

static void assert_method(const struct inotify_wd_result *r, size_t i,
			  unsigned int method)
{
	ck_assert_msg(r[i].method == method && r[i].error == 0,
		      "entry %zu: method %s error %d, expected %s", i,
		      method_name(r[i].method), r[i].error,
		      method_name(method));
}

/*
 * The six cases of an overlay with two lowers and an upper: a lower
 * file, a nested lower directory, an upper-only file, a lower file
 * copied up after the watch was set, and the overlay root, all through
 * a layer's handle; a renamed directory (redirect_dir) through the walk.
 */
static void overlay_six(void)
{
	struct inotify_wd_result r[6];
	struct stat cwd, now;
	struct inotify_wd_watch *w;
	char *s = NULL;
	int fd;
	const char *p[6];

	overlay_tree("redirect_dir=on");
	mkfile(at("m/up"));
	p[0] = at("m/a");
	p[1] = at("m/d/e");
	p[2] = at("m/up");
	p[3] = at("m/c");
	p[4] = at("m");
	p[5] = at("m/r");
	w = watch_all(p, 6, 0);
	/* copy up c and rename r, after the watches were set */
	fd = open(at("m/c"), O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "y", 1), 1);
	close(fd);
	ck_assert_int_eq(access(at("u/c"), F_OK), 0);
	ck_assert_int_eq(rename(at("m/r"), at("m/r2")), 0);
	ck_assert_int_eq(stat(".", &cwd), 0);
	ck_assert_int_eq(find(0, w, 6, r, 0, 0, &s), 0);
	/* handles open after an fchdir(): the caller's cwd is back */
	ck_assert_int_eq(stat(".", &now), 0);
	ck_assert_uint_eq(cwd.st_ino, now.st_ino);
	ck_assert_uint_eq(cwd.st_dev, now.st_dev);
	assert_verified(getpid(), w, ifd, 6);
	assert_method(r, 0, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 1, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 2, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 3, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 4, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 5, INOTIFY_WD_FOUND_WALK);
	ck_assert_str_eq(w[5].path, at("m/r2"));
	ck_assert_str_eq(w[4].path, at("m"));
	/* one block: every path lies in it */
	ck_assert_ptr_eq(w[0].path, s);
	free(s);
	free(w);
	ck_assert_int_eq(open_fds(), fds_before);
}

START_TEST(overlay_two_lowers_and_upper)
{
	overlay_six();
}
END_TEST

static void *idle(void *arg)
{
	char c;

	return read(*(int *)arg, &c, 1) < 0 ? NULL : arg;
}

/* With another thread sharing the cwd: the library's thread opens. */
START_TEST(overlay_threaded)
{
	pthread_t t;
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, idle, &p[0]), 0);
	fds_before = open_fds();
	memset(seam.count, 0, sizeof(seam.count));
	overlay_six();
	ck_assert_uint_eq(seam.count[SEAM_THREAD], 1);
	close(p[1]);
	pthread_join(t, NULL);
	close(p[0]);
}
END_TEST

/* The same before 5.8 (no mount id from statx) and 5.6 (no openat2). */
START_TEST(overlay_old_kernel)
{
	seam.no_mount_id = true;
	seam.openat2_errno = ENOSYS;
	overlay_six();
	ck_assert_uint_gt(seam.count[SEAM_OPEN], 0);
}
END_TEST

/*
 * Lowers on two filesystems, xino=off: the overlay's files show their
 * layer's device in st_dev, not the one fdinfo shows, and still check
 * out (by the mount).  The handle's uuid (as statfs' fsid) picks the
 * second lower's filesystem first: one open_by_handle_at() each.
 */
START_TEST(overlay_lowers_on_two_filesystems)
{
	const char *p[2];
	struct inotify_wd_result r[2];
	struct inotify_wd_watch *w;
	struct kwatch k[2];
	struct stat st;
	char *s;

	mkdirs(at("l1"));
	mkdirs(at("l2"));
	ck_assert_int_eq(mount("iwd2", at("l2"), "tmpfs", 0, "size=1m"), 0);
	mkdirs(at("u"));
	mkdirs(at("w"));
	mkdirs(at("m"));
	mkdirs(at("l2/d"));
	mkfile(at("l1/a"));
	mkfile(at("l2/d/b"));
	ck_assert_int_eq(mount_overlay(root, "xino=off"), 0);
	p[0] = at("m/d/b");
	p[1] = at("m/a");
	w = watch_all(p, 2, 0);
	memset(seam.count, 0, sizeof(seam.count));
	ck_assert_int_eq(find(0, w, 2, r, INOTIFY_WD_NO_WALK, 0, &s), 0);
	ck_assert_uint_eq(seam.count[SEAM_HANDLE], 2);
	assert_method(r, 0, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 1, INOTIFY_WD_FOUND_LAYER);
	ck_assert_str_eq(w[0].path, p[0]);
	ck_assert_str_eq(w[1].path, p[1]);
	ck_assert_int_eq(kwatches(ifd, k, 2), 2);
	ck_assert_int_eq(lstat(p[0], &st), 0);
	ck_assert_uint_eq(st.st_ino, k[0].ino);
	ck_assert_uint_ne(major(st.st_dev) << 20 | minor(st.st_dev), k[0].sdev);
	free(s);
	free(w);
	umount2(at("m"), MNT_DETACH);
	umount2(at("l2"), MNT_DETACH);
}
END_TEST

/*
 * Layers named relatively (mount(8) run in root): mountinfo shows
 * "lowerdir=l1:l2", a directory nobody knows now.  The handle's uuid
 * finds the filesystem, a tail of the path read there the layer's part.
 */
START_TEST(overlay_relative_layers)
{
	struct inotify_wd_result r[4];
	struct inotify_wd_watch *w;
	const char *p[4];
	char *s;
	int home;

	mkdirs(at("l1"));
	mkdirs(at("l2/d/e"));
	mkdirs(at("u"));
	mkdirs(at("w"));
	mkdirs(at("m"));
	mkfile(at("l1/a"));
	mkfile(at("l2/d/e/f"));
	home = open(".", O_PATH | O_DIRECTORY);
	ck_assert_int_ge(home, 0);
	ck_assert_int_eq(chdir(root), 0);
	ck_assert_int_eq(mount("overlay", "m", "overlay", 0,
			       "lowerdir=l1:l2,upperdir=u,workdir=w"), 0);
	ck_assert_int_eq(fchdir(home), 0);
	close(home);
	mkfile(at("m/up"));
	p[0] = at("m/a");
	p[1] = at("m/d/e/f");
	p[2] = at("m/up");
	p[3] = at("m/d");
	w = watch_all(p, 4, 0);
	ck_assert_int_eq(find(0, w, 4, r, INOTIFY_WD_NO_WALK, 0, &s), 0);
	assert_verified(getpid(), w, ifd, 4);
	assert_method(r, 0, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 1, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 2, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 3, INOTIFY_WD_FOUND_LAYER);
	ck_assert_str_eq(w[1].path, p[1]);
	free(s);
	free(w);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/* A pipe's byte: the child is ready; its exit: the parent is done. */
struct child {
	pid_t pid;
	int ready[2], done[2];
};

/* The child's side: a chroot into its own tmpfs, an overlay inside it. */
static void child_main(struct child *c)
{
	const char *p[] = { "/m/a", "/m/d/e", "/plain" };
	int fd, i;

	close(c->ready[0]);
	close(c->done[1]);
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("iwd-child", root, "tmpfs", 0, "size=16m") < 0 ||
	    chroot(root) < 0 || chdir("/") < 0)
		_exit(2);
	mkdirs("/l1");
	mkdirs("/l2/d/e");
	mkdirs("/u");
	mkdirs("/w");
	mkdirs("/m");
	mkfile("/l1/a");
	mkfile("/plain");
	if (mount("overlay", "/m", "overlay", 0,
		  "lowerdir=/l1:/l2,upperdir=/u,workdir=/w") < 0)
		_exit(3);
	fd = inotify_init1(0);
	for (i = 0; i < 3; i++)
		if (inotify_add_watch(fd, p[i], MASK) != i + 1)
			_exit(4);
	if (write(c->ready[1], &fd, sizeof(fd)) != sizeof(fd))
		_exit(5);
	/* until the parent closes its end: EOF, or an error, ends it */
	if (read(c->done[0], &i, 1) < 0)
		_exit(6);
	_exit(0);
}

/*
 * A process in a mount namespace and a root of its own: the paths are
 * the ones it sees (its root is a tmpfs the caller does not see at all).
 */
START_TEST(other_process_own_view)
{
	struct inotify_wd_result r[3];
	struct inotify_wd_watch *w;
	struct child c;
	size_t n;
	char *s;
	int fd, status;

	ck_assert_int_eq(pipe(c.ready), 0);
	ck_assert_int_eq(pipe(c.done), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0)
		child_main(&c);
	close(c.ready[1]);
	close(c.done[0]);
	ck_assert_int_eq(read(c.ready[0], &fd, sizeof(fd)), sizeof(fd));
	ck_assert_int_eq(inotify_wd_dump(c.pid, fd, &w, &n, WSIZE), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(find(c.pid, w, 3, r, 0, 0, &s), 0);
	ck_assert_str_eq(w[0].path, "/m/a");
	ck_assert_str_eq(w[1].path, "/m/d/e");
	ck_assert_str_eq(w[2].path, "/plain");
	assert_method(r, 0, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 1, INOTIFY_WD_FOUND_LAYER);
	assert_method(r, 2, INOTIFY_WD_FOUND_HANDLE);
	free(s);
	free(w);
	close(c.done[1]);
	close(c.ready[0]);
	ck_assert_int_eq(waitpid(c.pid, &status, 0), c.pid);
	ck_assert_int_eq(status, 0);
}
END_TEST

/*
 * procfs and sysfs print handles nothing opens (type 0x81 on 6.7+) or
 * none: a walk finds their paths, a hint (an open fd in the watched
 * directory) first and within a small budget.
 */
START_TEST(procfs_sysfs_by_walk_and_hint)
{
	const char *p[] = { "/proc/sys/fs/inotify/max_queued_events",
			    "/sys/kernel/mm" };
	struct inotify_wd_result r[2];
	struct inotify_wd_watch *w;
	char *s;
	int hint;

	w = watch_all(p, 2, 0);
	ck_assert_int_eq(find(0, w, 2, r, 0, 0, &s), 0);
	assert_verified(getpid(), w, ifd, 2);
	assert_method(r, 0, INOTIFY_WD_FOUND_WALK);
	assert_method(r, 1, INOTIFY_WD_FOUND_WALK);
	ck_assert_str_eq(w[0].path, p[0]);
	ck_assert_str_eq(w[1].path, p[1]);
	free(s);
	/* with a hint, 64 entries are enough; without, they are not */
	w[0].path = NULL;
	ck_assert_int_eq(find(0, w, 1, r, 0, 64, &s), 1);
	ck_assert_int_eq(r[0].error, ERANGE);
	ck_assert_ptr_null(w[0].path);
	free(s);
	hint = open("/proc/sys/fs/inotify/max_user_watches", O_RDONLY);
	ck_assert_int_ge(hint, 0);
	ck_assert_int_eq(find(0, w, 1, r, 0, 64, &s), 0);
	assert_method(r, 0, INOTIFY_WD_FOUND_WALK);
	ck_assert_str_eq(w[0].path, p[0]);
	close(hint);
	free(s);
	free(w);
}
END_TEST

/*
 * A deleted file, still open (a log file, say): ENOENT, the entry and
 * its handle as they were.  (Once nothing holds its name, tmpfs no
 * longer opens the handle: ESTALE, as for any inode nothing finds.)
 */
START_TEST(deleted_file_enoent)
{
	const char *p[] = { at("gone"), at("kept") };
	struct inotify_wd_result r[2];
	struct inotify_wd_watch *w, before;
	char *s;
	int fd;

	mkfile(p[0]);
	mkfile(p[1]);
	w = watch_all(p, 2, 0);
	fd = open(p[0], O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(unlink(p[0]), 0);
	before = w[0];
	ck_assert_int_eq(find(0, w, 2, r, 0, 0, &s), 1);
	ck_assert_int_eq(r[0].error, ENOENT);
	ck_assert_uint_eq(r[0].method, INOTIFY_WD_FOUND_NONE);
	ck_assert_int_eq(memcmp(&before, &w[0], sizeof(before)), 0);
	assert_method(r, 1, INOTIFY_WD_FOUND_HANDLE);
	ck_assert_str_eq(w[1].path, p[1]);
	ck_assert_ptr_eq(w[1].path, s);
	free(s);
	close(fd);
	ck_assert_int_eq(find(0, w, 1, r, INOTIFY_WD_NO_WALK, 0, &s), 1);
	ck_assert_int_eq(r[0].error, ESTALE);
	free(w);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/*
 * A path the kernel names beneath the mount can still lead elsewhere in
 * the process's view: another mount covers a directory on it (near the
 * top, or deeper) or its end.  Each of the three hidden files has a
 * file of the same name and filesystem (same device) in the mount that
 * covers it, so only a look at the inode tells them apart: none may get
 * that name (nothing else names them: no path at all); the uncovered
 * file gets its path from its handle, without a look.
 */
START_TEST(overmount_keeps_the_look)
{
	const char *p[] = { at("d/f"), at("x/y/z/f"), at("h"), at("k") };
	struct inotify_wd_result r[4];
	struct inotify_wd_watch *w;
	struct stat st;
	size_t i;
	char *s;

	mkdirs(at("d"));
	mkdirs(at("x/y/z"));
	mkdirs(at("e/z"));
	mkfile(p[0]);
	mkfile(p[1]);
	mkfile(p[2]);
	mkfile(p[3]);
	mkfile(at("e/f"));
	mkfile(at("e/z/f"));
	w = watch_all(p, 4, 0);
	ck_assert_int_eq(mount(at("e"), at("d"), NULL, MS_BIND, NULL), 0);
	ck_assert_int_eq(mount(at("e"), at("x/y"), NULL, MS_BIND, NULL), 0);
	ck_assert_int_eq(mount(at("e/f"), at("h"), NULL, MS_BIND, NULL), 0);
	for (i = 0; i < 3; i++) {
		/* The names now lead to other inodes of the same device. */
		ck_assert_int_eq(stat(p[i], &st), 0);
		ck_assert_uint_eq(st.st_dev, w[i].dev);
		ck_assert_uint_ne(st.st_ino, w[i].ino);
	}
	ck_assert_int_eq(find(0, w, 4, r, 0, 0, &s), 3);
	for (i = 0; i < 3; i++) {
		ck_assert_msg(!w[i].path, "%s: given %s, another inode", p[i],
			      w[i].path);
		ck_assert_uint_eq(r[i].method, INOTIFY_WD_FOUND_NONE);
		ck_assert_int_eq(r[i].error, ESTALE);
	}
	assert_method(r, 3, INOTIFY_WD_FOUND_HANDLE);
	ck_assert_str_eq(w[3].path, p[3]);
	ck_assert_ptr_eq(w[3].path, s);
	free(s);
	free(w);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/* Changes made while a call is under way (seam.before_mounts_poll). */
static void cover_d(void)
{
	ck_assert_int_eq(mount(at("e"), at("d"), NULL, MS_BIND, NULL), 0);
}

static void rename_a(void)
{
	ck_assert_int_eq(rename(at("a"), at("b")), 0);
}

/*
 * The mounts change after the call read them, while it opens handles:
 * a mount covers the directory of d/f (with e/f of the same device),
 * or a directory above a mount point is renamed (a/n/f becomes
 * b/n/f).  The paths kept without a look get it after all: neither d/f
 * nor n's file gets a path (the walk goes by the mount points the call
 * read); k keeps its own.
 */
START_TEST(mounts_change_during_the_call)
{
	const char *p[] = { at("d/f"), at("a/n/f"), at("k") };
	struct inotify_wd_result r[3];
	struct inotify_wd_watch *w;
	char *s;

	mkdirs(at("d"));
	mkdirs(at("e"));
	mkdirs(at("a/n"));
	ck_assert_int_eq(mount("iwd2", at("a/n"), "tmpfs", 0, "size=1m"), 0);
	mkfile(p[0]);
	mkfile(p[1]);
	mkfile(p[2]);
	mkfile(at("e/f"));
	w = watch_all(p, 3, 0);
	seam.before_mounts_poll = cover_d;
	ck_assert_int_eq(find(0, w, 3, r, 0, 0, &s), 1);
	ck_assert_msg(!w[0].path, "given %s, another inode", w[0].path);
	ck_assert_int_eq(r[0].error, ESTALE);
	assert_method(r, 1, INOTIFY_WD_FOUND_HANDLE);
	assert_method(r, 2, INOTIFY_WD_FOUND_HANDLE);
	free(s);
	w[1].path = w[2].path = NULL;
	seam.before_mounts_poll = rename_a;
	ck_assert_int_eq(find(0, w + 1, 2, r, 0, 0, &s), 1);
	seam.before_mounts_poll = NULL;
	/* The walk too goes by the mount points read: no path, no wrong. */
	ck_assert_msg(!w[1].path, "given %s, which names nothing", w[1].path);
	ck_assert_uint_eq(r[0].method, INOTIFY_WD_FOUND_NONE);
	assert_method(r, 1, INOTIFY_WD_FOUND_HANDLE);
	ck_assert_str_eq(w[2].path, p[2]);
	free(s);
	free(w);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/*
 * A caller whose root lies inside the watched file's mount, below its
 * root (chrooted there), asks for another process's view: our names
 * then start at our root, not at the mount's.  The file is j<root>/f
 * inside the mount, so our name for it, "<root>/f", reads as the
 * mount's root name plus "/f", and the process's <root>/f is another
 * file of the same device: only the look tells, and the walk then finds
 * the right path.
 */
START_TEST(caller_root_inside_the_mount)
{
	struct inotify_wd_result r[1];
	struct inotify_wd_watch *w;
	char inner[2 * PATH_MAX], jail[PATH_MAX];
	const char *p[1];
	pid_t pid;
	char *s;
	int status;

	snprintf(jail, sizeof(jail), "%s", at("j"));
	snprintf(inner, sizeof(inner), "%.2000s%.200s", jail, root);
	mkdirs(inner);
	strncat(inner, "/f", sizeof(inner) - strlen(inner) - 1);
	mkfile(inner);
	mkfile(at("f"));	/* the process's <root>/f: another inode */
	p[0] = inner;
	w = watch_all(p, 1, 0);
	mkdirs(at("j/proc"));
	ck_assert_int_eq(mount("/proc", at("j/proc"), NULL, MS_BIND | MS_REC,
			       NULL), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	ck_assert_int_eq(chroot(jail), 0);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(find(pid, w, 1, r, 0, 0, &s), 0);
	ck_assert_msg(w[0].path && strcmp(w[0].path, inner) == 0,
		      "given %s, not %s", w[0].path ? w[0].path : "none",
		      inner);
	assert_method(r, 0, INOTIFY_WD_FOUND_WALK);
	assert_verified(pid, w, ifd, 1);
	free(s);
	free(w);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}
END_TEST

/*
 * Without a handle only the walk finds a path: a budget of 2 entries
 * runs out (ERANGE), NO_WALK does not look (ESTALE), the default finds
 * it.  The tree has 100 other files.
 */
START_TEST(walk_bound_and_no_walk)
{
	const char *p[] = { at("t/u/v/target") };
	struct inotify_wd_result r[1];
	struct inotify_wd_watch *w;
	char *s = (char *)1;

	mkdirs(at("t/u/v"));
	mkfiles("t", 100);
	mkfile(p[0]);
	w = watch_all(p, 1, 0);
	w[0].handle_bytes = 0;
	ck_assert_int_eq(find(0, w, 1, r, 0, 2, &s), 1);
	ck_assert_int_eq(r[0].error, ERANGE);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(find(0, w, 1, r, INOTIFY_WD_NO_WALK, 0, &s), 1);
	ck_assert_int_eq(r[0].error, ESTALE);
	ck_assert_ptr_null(w[0].path);
	ck_assert_int_eq(find(0, w, 1, r, 0, 0, &s), 0);
	assert_method(r, 0, INOTIFY_WD_FOUND_WALK);
	ck_assert_str_eq(w[0].path, p[0]);
	free(s);
	free(w);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/*
 * Hints: the directory of a mapped file, and the working directory, are
 * read before the mount, so that 5 entries find the targets there, deep
 * beneath 1,000 others that a walk of the mount reads first.
 */
START_TEST(hints_maps_and_cwd)
{
	const char *p[] = { at("z/y/x/target"), at("c/b/a/target") };
	struct inotify_wd_result r[2];
	struct inotify_wd_watch *w;
	char *s;
	void *map;
	int fd, home;

	mkdirs(at("t"));
	mkfiles("t", 1000);
	mkdirs(at("z/y/x"));
	mkdirs(at("c/b/a"));
	mkfile(p[0]);
	mkfile(p[1]);
	mkfile(at("z/y/x/mapped"));
	w = watch_all(p, 2, 0);
	w[0].handle_bytes = 0;
	w[1].handle_bytes = 0;
	ck_assert_int_eq(find(0, w, 2, r, 0, 5, &s), 2);
	ck_assert_int_eq(r[0].error, ERANGE);
	ck_assert_int_eq(r[1].error, ERANGE);
	fd = open(at("z/y/x/mapped"), O_RDONLY);
	ck_assert_int_ge(fd, 0);
	map = mmap(NULL, 1, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	close(fd);
	home = open(".", O_PATH | O_DIRECTORY);
	ck_assert_int_ge(home, 0);
	ck_assert_int_eq(chdir(at("c/b/a")), 0);
	ck_assert_int_eq(find(0, w, 2, r, 0, 5, &s), 0);
	ck_assert_int_eq(fchdir(home), 0);
	close(home);
	assert_method(r, 0, INOTIFY_WD_FOUND_WALK);
	assert_method(r, 1, INOTIFY_WD_FOUND_WALK);
	ck_assert_str_eq(w[0].path, p[0]);
	ck_assert_str_eq(w[1].path, p[1]);
	free(s);
	munmap(map, 1);
	free(w);
}
END_TEST

/* A watch on a symbolic link itself: its path keeps IN_DONT_FOLLOW. */
START_TEST(symlink_keeps_dont_follow)
{
	const char *p[] = { at("link") };
	struct inotify_wd_result r[1];
	struct inotify_wd_watch *w;
	char *s;

	ck_assert_int_eq(symlink("nowhere", p[0]), 0);
	w = watch_all(p, 1, IN_DONT_FOLLOW);
	/* fdinfo never shows the lookup flags */
	ck_assert_uint_eq(w[0].mask & IN_DONT_FOLLOW, 0);
	ck_assert_int_eq(find(0, w, 1, r, 0, 0, &s), 0);
	ck_assert_str_eq(w[0].path, p[0]);
	ck_assert_uint_eq(w[0].mask & IN_DONT_FOLLOW, IN_DONT_FOLLOW);
	/* by walk too */
	w[0].path = NULL;
	w[0].mask &= ~(uint32_t)IN_DONT_FOLLOW;
	w[0].handle_bytes = 0;
	free(s);
	ck_assert_int_eq(find(0, w, 1, r, 0, 0, &s), 0);
	assert_method(r, 0, INOTIFY_WD_FOUND_WALK);
	ck_assert_uint_eq(w[0].mask & IN_DONT_FOLLOW, IN_DONT_FOLLOW);
	free(s);
	free(w);
}
END_TEST

/* A given path is kept as it is; a device with no mount gets ENODEV. */
START_TEST(given_path_and_no_mount)
{
	const char *p[] = { at("a"), at("b") };
	struct inotify_wd_result r[2];
	struct inotify_wd_watch *w;
	const char *given = "/given/elsewhere";
	char *s;

	mkfile(p[0]);
	mkfile(p[1]);
	w = watch_all(p, 2, 0);
	w[0].path = given;
	w[1].dev = makedev(4095, 1048575);
	ck_assert_int_eq(find(0, w, 2, r, 0, 0, &s), 1);
	ck_assert_ptr_eq(w[0].path, given);
	assert_method(r, 0, INOTIFY_WD_FOUND_GIVEN);
	ck_assert_int_eq(r[1].error, ENODEV);
	ck_assert_ptr_null(w[1].path);
	ck_assert_ptr_null(s);
	free(w);
}
END_TEST

/*
 * The kernel refuses the handle (no CAP_DAC_READ_SEARCH, played by the
 * seam): EPERM for the entry when nothing else finds it, a path when
 * the walk does.
 */
START_TEST(handle_refused_eperm)
{
	const char *p[] = { at("a") };
	struct inotify_wd_result r[1];
	struct inotify_wd_watch *w;
	char *s;

	mkfile(p[0]);
	w = watch_all(p, 1, 0);
	seam.fail_kind = SEAM_HANDLE;
	seam.fail_errno = EPERM;
	seam.fail_at = 1;
	ck_assert_int_eq(find(0, w, 1, r, INOTIFY_WD_NO_WALK, 0, &s), 1);
	ck_assert_int_eq(r[0].error, EPERM);
	memset(seam.count, 0, sizeof(seam.count));
	ck_assert_int_eq(find(0, w, 1, r, 0, 0, &s), 0);
	seam.fail_at = 0;
	assert_method(r, 0, INOTIFY_WD_FOUND_WALK);
	ck_assert_str_eq(w[0].path, p[0]);
	free(s);
	free(w);
}
END_TEST

/* Another user's process: its root and mounts are not ours to read. */
START_TEST(other_users_process)
{
	const char *p[] = { at("a") };
	struct inotify_wd_watch *w;
	pid_t pid;
	char *s;
	int status;

	mkfile(p[0]);
	w = watch_all(p, 1, 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		errno = 0;
		_exit(inotify_wd_find_paths(1, w, 1, WSIZE, NULL, &s) == -1 &&
		      errno == EACCES && !s && !w[0].path ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	free(w);
}
END_TEST

/* Bad arguments: the documented errno, nothing changed, nothing left. */
START_TEST(bad_arguments)
{
	const char *p[] = { at("a") };
	struct inotify_wd_opts o = { 0 };
	struct inotify_wd_watch *w;
	unsigned char big[WSIZE + 8];
	char *s = NULL;

	mkfile(p[0]);
	w = watch_all(p, 1, 0);
	errno = 0;
	ck_assert_int_eq(inotify_wd_find_paths(-1, w, 1, WSIZE, NULL, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(inotify_wd_find_paths(0, w, 1, WSIZE, NULL, NULL),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(inotify_wd_find_paths(0, NULL, 1, WSIZE, NULL, &s),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(inotify_wd_find_paths(0, w, 1, 8, NULL, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	o.flags = INOTIFY_WD_FRESH;
	ck_assert_int_eq(inotify_wd_find_paths(0, w, 1, WSIZE, &o, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	o.flags = 0;
	o.reserved[3] = 1;
	ck_assert_int_eq(inotify_wd_find_paths(0, w, 1, WSIZE, &o, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	w[0].handle_bytes = INOTIFY_WD_HANDLE_MAX + 1;
	ck_assert_int_eq(inotify_wd_find_paths(0, w, 1, WSIZE, NULL, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	w[0].handle_bytes = 8;
	/* a later caller's field this version does not know */
	memset(big, 0, sizeof(big));
	memcpy(big, w, WSIZE);
	big[WSIZE + 3] = 1;
	ck_assert_int_eq(inotify_wd_find_paths(0, (void *)big, 1, sizeof(big),
					       NULL, &s), -1);
	ck_assert_int_eq(errno, E2BIG);
	big[WSIZE + 3] = 0;
	ck_assert_int_eq(inotify_wd_find_paths(0, (void *)big, 1, sizeof(big),
					       NULL, &s), 0);
	free(s);
	/* no such process */
	ck_assert_int_eq(inotify_wd_find_paths(INT_MAX, w, 1, WSIZE, NULL,
					       &s), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_ptr_null(w[0].path);
	/* nothing to do is no error */
	ck_assert_int_eq(inotify_wd_find_paths(0, NULL, 0, WSIZE, NULL, &s),
			 0);
	ck_assert_ptr_null(s);
	free(w);
	ck_assert_int_eq(open_fds(), fds_before);
}
END_TEST

/*
 * Each system call of each kind failed in turn, with EMFILE: the call
 * fails with it and changes nothing, or (where a failure only loses a
 * way, as for a hint) gives verified paths; no fd is left either way.
 */
START_TEST(every_failure_clean)
{
	static const enum seam_call kinds[] = { SEAM_OPEN, SEAM_HANDLE,
						SEAM_READLINK, SEAM_STAT };
	const char *p[] = { at("a"), at("b"), at("link") };
	struct inotify_wd_watch *w, copy[3];
	struct inotify_wd_result r[3];
	unsigned long clean[SEAM_NCALLS], k;
	size_t j, i, failed = 0;
	ssize_t ret;
	char *s;

	mkfile(p[0]);
	mkfile(p[1]);
	ck_assert_int_eq(symlink("a", p[2]), 0);
	w = watch_all(p, 3, IN_DONT_FOLLOW);
	w[1].handle_bytes = 0;
	memcpy(copy, w, sizeof(copy));
	memset(seam.count, 0, sizeof(seam.count));
	ck_assert_int_eq(find(0, w, 3, r, 0, 0, &s), 0);
	free(s);
	memcpy(clean, seam.count, sizeof(clean));
	for (j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++) {
		for (k = 1; k <= clean[kinds[j]]; k++) {
			memcpy(w, copy, sizeof(copy));
			memset(seam.count, 0, sizeof(seam.count));
			seam.fail_kind = kinds[j];
			seam.fail_at = k;
			seam.fail_errno = EMFILE;
			s = (char *)1;
			ret = find(0, w, 3, r, 0, 0, &s);
			seam.fail_at = 0;
			ck_assert_int_eq(open_fds(), fds_before);
			if (ret < 0) {
				ck_assert_int_eq(errno, EMFILE);
				ck_assert_ptr_null(s);
				ck_assert_int_eq(memcmp(w, copy, sizeof(copy)),
						 0);
				failed++;
				continue;
			}
			for (i = 0; i < 3; i++)
				ck_assert(w[i].path ? r[i].error == 0 :
				       r[i].error != 0);
			free(s);
		}
	}
	ck_assert_uint_gt(failed, 0);
	free(w);
}
END_TEST

/* ---- lib/ovl.c, alone ---- */

/* A V1 handle around a fid of n bytes, as overlayfs encodes it. */
static unsigned int ovl_handle(unsigned char *h, unsigned int n, int flags)
{
	unsigned int i;

	memset(h, 0, INOTIFY_WD_HANDLE_MAX);
	h[3] = 0;		/* version */
	h[4] = 0xfb;		/* magic */
	h[5] = (unsigned char)(21 + n);
	h[6] = (unsigned char)flags;
	h[7] = 1;		/* the layer's fid type */
	for (i = 0; i < 16; i++)
		h[8 + i] = (unsigned char)(0xa0 + i);
	for (i = 0; i < n; i++)
		h[24 + i] = (unsigned char)i;
	return 3 + 21 + n;
}

START_TEST(ovl_decode_forms)
{
	unsigned char h[INOTIFY_WD_HANDLE_MAX];
	struct ovl_handle o;
	unsigned int b;

	b = ovl_handle(h, 12, 4);
	ck_assert_int_eq(iwd_ovl_decode(0xf8, b, h, &o), 0);
	ck_assert(o.upper);
	ck_assert_int_eq(o.type, 1);
	ck_assert_uint_eq(o.fid_bytes, 12);
	ck_assert_ptr_eq(o.fid, h + 24);
	ck_assert_int_eq(o.uuid[15], 0xaf);
	ck_assert(!iwd_ovl_uuid_null(&o));
	/* V0: the same without padding, rounded up to a word */
	ck_assert_int_eq(iwd_ovl_decode(0xfb, b - 3 + 3, h + 3, &o), 0);
	ck_assert(o.upper && o.fid_bytes == 12);
	ck_assert_int_eq(iwd_ovl_decode(0xfb, b - 3 + 4, h + 3, &o), -1);
	/* what is refused */
	ck_assert_int_eq(iwd_ovl_decode(0x81, b, h, &o), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(iwd_ovl_decode(0xf8, b - 1, h, &o), -1);
	ck_assert_int_eq(iwd_ovl_decode(0xf8, b + 4, h, &o), -1);
	ck_assert_int_eq(iwd_ovl_decode(0xf8, 3, h, &o), -1);
	ck_assert_int_eq(iwd_ovl_decode(0xf8, 129, h, &o), -1);
	h[6] = 8;		/* an unknown flag */
	ck_assert_int_eq(iwd_ovl_decode(0xf8, b, h, &o), -1);
	h[6] = 0;
	h[3] = 1;		/* version 1 */
	ck_assert_int_eq(iwd_ovl_decode(0xf8, b, h, &o), -1);
	h[3] = 0;
	h[4] = 0xfa;		/* magic */
	ck_assert_int_eq(iwd_ovl_decode(0xf8, b, h, &o), -1);
	h[4] = 0xfb;
	h[5] = 21;		/* no fid */
	ck_assert_int_eq(iwd_ovl_decode(0xf8, 24, h, &o), -1);
	/* the largest: 104 bytes of fid fill 128 */
	b = ovl_handle(h, 104, 0);
	ck_assert_int_eq(iwd_ovl_decode(0xf8, b, h, &o), 0);
	ck_assert(!o.upper);
	/* the fsid tmpfs derives from the uuid (seen with stat -f) */
	memcpy(o.uuid, "\x34\x91\x92\xbd\xb9\x06\x4f\xe4\xbc\x61\x59\x09"
	       "\x72\x1d\xe4\x0c", 16);
	ck_assert_uint_eq(iwd_ovl_fsid(&o), 0xe8ab1bcbb4cbf088ULL);
	memset(o.uuid, 0, sizeof(o.uuid));
	ck_assert(iwd_ovl_uuid_null(&o));
	ck_assert_uint_eq(iwd_ovl_fsid(&o), 0);
}
END_TEST

static void expect_layers(const char *opts, const char *const *want,
			  const bool *upper, size_t n)
{
	struct ovl_layer *l;
	char *store;
	size_t k, got;

	ck_assert_int_eq(iwd_ovl_layers(opts, strlen(opts), &l, &got, &store),
			 0);
	ck_assert_msg(got == n, "%s: %zu layers, not %zu", opts, got, n);
	for (k = 0; k < n; k++) {
		ck_assert_str_eq(l[k].path, want[k]);
		ck_assert_int_eq(l[k].upper, upper[k]);
	}
	free(l);
	free(store);
}

START_TEST(ovl_layer_options)
{
	const char *const a[] = { "/l1", "/l2", "/u" };
	const bool au[] = { false, false, true };
	/* \134 is '\': lowerdir's own escape of ':', as mountinfo shows */
	const char *const b[] = { "/a:b", "/c,d", "/e f" };
	const bool bu[] = { false, false, false };
	const char *const c[] = { "/x", "/y\\z", "/data", "/up" };
	const bool cu[] = { false, false, false, true };

	expect_layers("rw,lowerdir=/l1:/l2,upperdir=/u,workdir=/w,uuid=on",
		      a, au, 3);
	expect_layers("rw,lowerdir=/a\\134:b:/c\\054d:/e\\040f", b, bu, 3);
	expect_layers("lowerdir+=/x,lowerdir+=/y\\134z,datadir+=/data,"
		      "upperdir=/up,workdir=/w", c, cu, 4);
	expect_layers("rw,relatime", NULL, NULL, 0);
	expect_layers("lowerdir=::,upperdir=", NULL, NULL, 0);
	expect_layers("", NULL, NULL, 0);
}
END_TEST

/* Is overlayfs there to mount?  Asked in a child of its own. */
static const char *overlay_missing(void)
{
	static char why[128];
	pid_t pid;
	int status;

	if (unmet(NEED_MOUNT))
		return unmet(NEED_MOUNT);
	pid = fork();
	if (pid == 0) {
		char dir[] = "/tmp/iwd-ovl-XXXXXX";

		if (!mkdtemp(dir) || unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("t", dir, "tmpfs", 0, NULL) < 0)
			_exit(1);
		snprintf(root, sizeof(root), "%s", dir);
		if (mkdir(at("l1"), 0755) || mkdir(at("l2"), 0755) ||
		    mkdir(at("u"), 0755) || mkdir(at("w"), 0755) ||
		    mkdir(at("m"), 0755))
			_exit(errno);
		status = mount_overlay(dir, NULL) < 0 ? errno : 0;
		umount2(dir, MNT_DETACH);
		rmdir(dir);
		_exit(status);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return "fork failed";
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	snprintf(why, sizeof(why), "no overlayfs to mount (%s)",
		 WIFEXITED(status) ? strerror(WEXITSTATUS(status)) : "signal");
	return why;
}

int main(void)
{
	const unsigned int needs = NEED_MOUNT | NEED_HANDLES | NEED_FORK;
	const struct case_spec units[] = {
		CASE(ovl_decode_forms), CASE(ovl_layer_options),
	};
	const struct case_spec cases[] = {
		NEEDS(procfs_sysfs_by_walk_and_hint, needs, "a tmpfs"),
		NEEDS(deleted_file_enoent, needs, "a tmpfs"),
		NEEDS(overmount_keeps_the_look, needs, "a tmpfs"),
		NEEDS(caller_root_inside_the_mount, needs, "a tmpfs"),
		NEEDS(mounts_change_during_the_call, needs, "a tmpfs"),
		NEEDS(walk_bound_and_no_walk, needs, "a tmpfs"),
		NEEDS(hints_maps_and_cwd, needs, "a tmpfs"),
		NEEDS(symlink_keeps_dont_follow, needs, "a tmpfs"),
		NEEDS(given_path_and_no_mount, needs, "a tmpfs"),
		NEEDS(bad_arguments, needs, "a tmpfs"),
		NEEDS(handle_refused_eperm, needs, "a tmpfs"),
		NEEDS(other_users_process, needs, "a tmpfs"),
		NEEDS(every_failure_clean, needs, "a tmpfs"),
	};
	const struct case_spec ovl_cases[] = {
		NEEDS(overlay_two_lowers_and_upper, needs, "an overlay"),
		NEEDS(overlay_old_kernel, needs, "an overlay"),
		NEEDS(overlay_threaded, needs, "an overlay"),
		NEEDS(overlay_relative_layers, needs, "an overlay"),
		NEEDS(overlay_lowers_on_two_filesystems, needs, "an overlay"),
		NEEDS(other_process_own_view, needs, "an overlay"),
	};
	const size_t nov = sizeof(ovl_cases) / sizeof(ovl_cases[0]);
	Suite *s = suite_create("paths");
	TCase *tu = tcase_create("ovl"), *tc = tcase_create("paths");
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		add_case(tu, &units[i]);
	suite_add_tcase(s, tu);

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		add_case(tc, &cases[i]);
	why = overlay_missing();
	if (why)
		leave_out("the overlay cases", (int)nov, why);
	for (i = 0; !why && i < nov; i++)
		add_case(tc, &ovl_cases[i]);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
