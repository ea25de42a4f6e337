// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * A restore shaped like a checkpoint tool's: a tree of processes, each
 * restoring the inotify instances it had, from a dump that names every
 * watch by (wd, mask, dev, ino) and a target the tool resolves itself.
 *
 * The "dump" comes from real instances: a dumper process places watches
 * with gaps and a far wd, reads them back with inotify_wd_dump() and
 * writes them as an image (the device in the kernel's encoding, as the
 * tool's image keeps it) into shared memory, then goes away.  Then the
 * restorers are forked at once, as a tool restores a process tree, each
 * under RLIMIT_NOFILE 256: a fresh instance per dumped one, restored with
 * INOTIFY_WD_FRESH from (root dirfd, path) entries, DIRFD|IN_ROOT (paths
 * relative, absolute within the root, through absolute symlinks and ".."
 * that must stay inside it), a few plain DIRFD ones, and entries that
 * only the tool can open, through the open_target callback.  Each checks
 * what a restored program relies on: the instance is the dump, wd for wd
 * (the library's dump and the test's own reading of fdinfo), with no
 * other watch, nothing queued, no fd left, its cwd where it was, each
 * entry's result, and few target fds open at any one time (with the
 * ioctl; the fallback keeps the targets of the watches waiting for their
 * masks within its budget, half of what RLIMIT_NOFILE leaves free); and
 * the events that come after the restore reach the restored wds.  A
 * second case fails a restore midway, in the opener and at a target
 * deleted since the dump: the results name the entry, nothing is left.
 *
 * The masks leave out IN_OPEN, IN_ACCESS and IN_CLOSE_NOWRITE: the
 * restorers run at once over shared files, and before Linux 6.10 the
 * O_PATH opens of one would queue events on the watches of another.
 * One restorer takes 10^5 watches (on the ioctl path, and under
 * INOTIFYWD_FALLBACK=1); make check runs this program after
 * test-handles, so that the two never hold 10^5 watches each at once.
 *
 * The case process never calls the library itself (the dumper and the
 * restorers are its children), so that a restorer can set
 * INOTIFYWD_FALLBACK=1 before its first call, as a tool's test does.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seam.h"
#include "variant.h"

#define NOFILE		256
#define BIG		100000
/* Watches left to the rest of the machine when the big one is sized. */
#define HEADROOM	1024
/* Target fds a restore may hold at once on the ioctl path: "a handful". */
#define FEW_FDS		3

#define FILE_MASK	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE)
#define DIR_MASK	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
			 IN_ATTRIB)

/* How the tool names an entry's target. */
enum how {
	BY_ROOT,	/* DIRFD|IN_ROOT, a path relative to the root */
	BY_ROOT_ABS,	/* DIRFD|IN_ROOT, "/..." meaning the root's */
	BY_DIRFD,	/* DIRFD alone, relative to the root */
	BY_CB,		/* OPEN_CB: the tool opens it (a handle, say) */
};

/* One entry of the image: what the tool's dump keeps per watch. */
struct img_entry {
	int wd;
	uint32_t mask;
	uint32_t s_dev;		/* major << 20 | minor, as fdinfo prints */
	uint32_t how;
	uint64_t ino;
	char canon[40];		/* where the dumper watched it */
	char path[56];		/* what the image names it by */
};

enum { I_ETC, I_DATA, I_HANDLES, I_MID, I_BIG, NINST };
#define NPROC	4

struct img_inst {
	int proc;		/* the restorer it belongs to */
	int root;		/* 0: tree A, 1: tree B */
	size_t first, n;	/* its entries in the pool, ascending wd */
	size_t priv;		/* index of its private file's entry */
	bool reversed;		/* handed over in descending wd order */
};

/* What a restorer saw, for the case's report. */
struct report {
	size_t watches;
	int peak;		/* most target fds open at a callback */
	unsigned long cycles;
	double ms;
};

/* Shared between the case process and its children. */
struct shm {
	struct img_inst inst[NINST];
	bool used[NINST];
	struct report rep[NPROC];
	char msg[NPROC + 1][320];	/* [NPROC]: the dumper's */
	size_t nentries;
	struct img_entry e[];
};

static const struct variant env_variant = {
	.name = "env-fallback", .fallback = true,
};

static char roots[2][96];
static struct shm *shm;
static size_t shm_size;
static int msg_slot;

/* ---- children: no ck_assert (Check's messages are the case's) ---- */

static void __attribute__((noreturn, format(printf, 1, 2)))
child_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shm->msg[msg_slot], sizeof(shm->msg[0]), fmt, ap);
	va_end(ap);
	_exit(1);
}

#define CHECK(cond, ...) do { if (!(cond)) child_fail(__VA_ARGS__); } while (0)

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		child_fail("opendir /proc/self/fd: %s", strerror(errno));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* ---- the tree and its two roots (tmpfs, in the case's namespace) ---- */

static void make_file(const char *root, const char *rel)
{
	char p[256];
	int f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ck_assert_msg(f >= 0, "create %s: %s", p, strerror(errno));
	close(f);
}

static void make_dir(const char *root, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	ck_assert_msg(mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
}

static void make_link(const char *root, const char *rel, const char *to)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	ck_assert_int_eq(symlink(to, p), 0);
}

static void make_tree(int big)
{
	char rel[64], to[64];
	int i;

	make_dir(roots[0], "etc");
	make_dir(roots[0], "var");
	make_dir(roots[0], "var/log");
	make_dir(roots[0], "home");
	make_dir(roots[0], "lnk");
	make_dir(roots[0], "mid");
	for (i = 0; i < 100; i++) {
		snprintf(rel, sizeof(rel), "etc/f%d", i);
		make_file(roots[0], rel);
		/* absolute: only a resolution beneath the root finds it */
		snprintf(rel, sizeof(rel), "lnk/to%d", i);
		snprintf(to, sizeof(to), "/etc/f%d", i);
		make_link(roots[0], rel, to);
	}
	for (i = 0; i < 20; i++) {
		snprintf(rel, sizeof(rel), "var/log/l%d", i);
		make_file(roots[0], rel);
	}
	for (i = 0; i < 2000; i++) {
		snprintf(rel, sizeof(rel), "mid/m%d", i);
		make_file(roots[0], rel);
	}
	for (i = 0; i < NINST; i++) {
		snprintf(rel, sizeof(rel), "home/i%d", i);
		make_file(roots[0], rel);
	}
	make_dir(roots[1], "data");
	make_dir(roots[1], "home");
	make_file(roots[1], "home/i1");
	for (i = 0; i < 200; i++) {
		snprintf(rel, sizeof(rel), "data/g%d", i);
		make_file(roots[1], rel);
	}
	if (!big)
		return;
	make_dir(roots[0], "big");
	for (i = 0; i < big; i++) {
		if (i % 1000 == 0) {
			snprintf(rel, sizeof(rel), "big/d%03d", i / 1000);
			make_dir(roots[0], rel);
		}
		snprintf(rel, sizeof(rel), "big/d%03d/f%d", i / 1000, i);
		make_file(roots[0], rel);
	}
}

static void setup(void)
{
	int i;

	scratch_setup();
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	for (i = 0; i < 2; i++) {
		snprintf(roots[i], sizeof(roots[i]), "%s/root%c", sc.dir,
			 'A' + i);
		ck_assert_int_eq(mkdir(roots[i], 0755), 0);
		ck_assert_int_eq(mount("iwd-ckpt", roots[i], "tmpfs", 0,
				       "size=64m,nr_inodes=300k"), 0);
	}
}

static void teardown(void)
{
	int i;

	if (shm)
		munmap(shm, shm_size);
	shm = NULL;
	for (i = 0; i < 2; i++)
		if (roots[i][0])
			umount2(roots[i], MNT_DETACH);
	scratch_teardown();
}

/*
 * The watches beside ours: other programs of "make check" hold some
 * (test-handles up to 10^5; the Makefile runs it before this one).
 */
#define OTHERS		32768

static int size_for(int want)
{
	FILE *f = fopen("/proc/sys/fs/inotify/max_user_watches", "r");
	long limit, room;

	if (!f || fscanf(f, "%ld", &limit) != 1)
		limit = want + OTHERS + HEADROOM + 10000;
	if (f)
		fclose(f);
	/* the small instances, and one copy only: sources are closed */
	room = limit - OTHERS - HEADROOM - 10000;
	if (room < want) {
		printf("max_user_watches is %ld: %ld watches instead of %d\n",
		       limit, room, want);
		return (int)room;
	}
	return want;
}

/* ---- the plan of each instance ---- */

static struct img_inst *plan_inst(int i, int proc, int root)
{
	struct img_inst *in = &shm->inst[i];

	shm->used[i] = true;
	in->proc = proc;
	in->root = root;
	in->first = shm->nentries;
	return in;
}

static struct img_entry *plan(const char *canon, const char *path, int wd,
			      uint32_t mask, enum how how)
{
	struct img_entry *e = &shm->e[shm->nentries++];

	e->wd = wd;
	e->mask = mask;
	e->how = how;
	snprintf(e->canon, sizeof(e->canon), "%s", canon);
	snprintf(e->path, sizeof(e->path), "%s", path ? path : canon);
	return e;
}

static void plan_private(struct img_inst *in, int i, int wd)
{
	char rel[40];

	snprintf(rel, sizeof(rel), "home/i%d", i);
	in->priv = shm->nentries - in->first;
	plan(rel, NULL, wd, FILE_MASK, BY_ROOT);
}

static void plan_end(struct img_inst *in)
{
	in->n = shm->nentries - in->first;
}

/* Every way of naming a target, gaps of 3 after each 25, a far wd. */
static void plan_etc(void)
{
	struct img_inst *in = plan_inst(I_ETC, 0, 0);
	char canon[40], path[56];
	uint32_t mask;
	enum how how;
	int i, wd = 0;

	for (i = 0; i < 100; i++) {
		wd = 1 + i + i / 25 * 3;
		snprintf(canon, sizeof(canon), "etc/f%d", i);
		mask = FILE_MASK | (i % 4 == 1 ? IN_EXCL_UNLINK : 0) |
		       (i == 13 ? IN_ONESHOT : 0);
		how = i % 10 == 3 ? BY_CB : i % 10 == 5 ? BY_ROOT_ABS : BY_ROOT;
		if (how == BY_ROOT_ABS)
			snprintf(path, sizeof(path), "/%s", canon);
		else if (i % 10 == 7)	/* an absolute symlink to it */
			snprintf(path, sizeof(path), "lnk/to%d", i);
		else if (i == 42)	/* ".." clamped at the root */
			snprintf(path, sizeof(path), "var/../../../%s", canon);
		else
			snprintf(path, sizeof(path), "%s", canon);
		plan(canon, path, wd, mask, how);
	}
	for (i = 0; i < 20; i++) {
		wd += 1 + (i % 5 == 0 ? 10 : 0);
		snprintf(canon, sizeof(canon), "var/log/l%d", i);
		plan(canon, NULL, wd, FILE_MASK, i % 2 ? BY_CB : BY_ROOT);
	}
	plan_private(in, I_ETC, ++wd);
	plan("var/log", NULL, wd + 40000, DIR_MASK, BY_ROOT);
	plan_end(in);
}

/* Tree B, a root of its own: every other wd, plain DIRFD a third. */
static void plan_data(void)
{
	struct img_inst *in = plan_inst(I_DATA, 0, 1);
	static const enum how hows[] = { BY_DIRFD, BY_ROOT, BY_CB };
	char canon[40];
	int i;

	for (i = 0; i < 200; i++) {
		snprintf(canon, sizeof(canon), "data/g%d", i);
		plan(canon, NULL, 2 + 2 * i, FILE_MASK, hows[i % 3]);
	}
	plan_private(in, I_DATA, 2 + 2 * 200);
	plan("data", NULL, 2 + 2 * 201, DIR_MASK, BY_DIRFD);
	plan_end(in);
}

/* Only the tool can open these (handles, say), handed over reversed. */
static void plan_handles(void)
{
	struct img_inst *in = plan_inst(I_HANDLES, 1, 0);
	char canon[40];
	int i;

	for (i = 0; i < 120; i++) {
		if (i < 100)
			snprintf(canon, sizeof(canon), "etc/f%d", i);
		else
			snprintf(canon, sizeof(canon), "var/log/l%d", i - 100);
		plan(canon, NULL, i < 60 ? i + 1 : i + 30, FILE_MASK, BY_CB);
	}
	plan_private(in, I_HANDLES, 200);
	plan_end(in);
	in->reversed = true;
}

/* A first wd of 1,000: dense, then every third wd. */
static void plan_mid(void)
{
	struct img_inst *in = plan_inst(I_MID, 2, 0);
	char canon[40];
	int i;

	for (i = 0; i < 2000; i++) {
		snprintf(canon, sizeof(canon), "mid/m%d", i);
		plan(canon, NULL, i < 1000 ? 1000 + i : 2000 + 3 * (i - 1000),
		     FILE_MASK, i % 8 == 0 ? BY_CB : BY_ROOT);
	}
	plan_private(in, I_MID, 6000);
	plan("mid", NULL, 6001, DIR_MASK, BY_ROOT);
	plan_end(in);
}

/* The big one: gaps of 5 after each 1,000, 1 in 64 by the callback. */
static void plan_big(int big)
{
	struct img_inst *in = plan_inst(I_BIG, 3, 0);
	char canon[40];
	int i, wd = 0;

	for (i = 0; i < big; i++) {
		wd = 1 + i + i / 1000 * 5;
		snprintf(canon, sizeof(canon), "big/d%03d/f%d", i / 1000, i);
		plan(canon, NULL, wd, FILE_MASK, i % 64 == 0 ? BY_CB : BY_ROOT);
	}
	plan_private(in, I_BIG, wd + 1);
	plan("big", NULL, wd + 20000, DIR_MASK, BY_ROOT);
	plan_end(in);
}

/* ---- the dumper: real instances, read back by inotify_wd_dump() ---- */

/* Without the ioctl: add and remove a memfd's watch until the cursor is there. */
static void dumper_cursor(int fd, int wd)
{
	struct inotify_event ev;
	char path[40];
	int m, got;

	if (!kernel_setnextwd()) {
		CHECK(ioctl(fd, INOTIFY_IOC_SETNEXTWD, (unsigned long)wd) == 0,
		      "dump: SETNEXTWD %d: %s", wd, strerror(errno));
		return;
	}
	m = memfd_create("iwd-ckpt", MFD_CLOEXEC);
	CHECK(m >= 0, "dump: memfd: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", m);
	for (;;) {
		got = inotify_add_watch(fd, path, IN_MODIFY);
		CHECK(got > 0 && got < wd, "dump: cycling to %d gave %d", wd,
		      got);
		CHECK(inotify_rm_watch(fd, got) == 0, "dump: rm: %s",
		      strerror(errno));
		CHECK(read(fd, &ev, sizeof(ev)) == sizeof(ev) &&
		      ev.mask == IN_IGNORED, "dump: no IN_IGNORED");
		if (got == wd - 1)
			break;
	}
	close(m);
}

static void dump_inst(const struct img_inst *in)
{
	struct inotify_wd_watch *w;
	struct img_entry *e = &shm->e[in->first];
	char p[256];
	struct stat sb;
	size_t n, k;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), next = 1;

	CHECK(fd >= 0, "dump: inotify_init1: %s", strerror(errno));
	for (k = 0; k < in->n; k++) {
		if (e[k].wd != next)
			dumper_cursor(fd, e[k].wd);
		snprintf(p, sizeof(p), "%s/%s", roots[in->root], e[k].canon);
		CHECK(inotify_add_watch(fd, p, e[k].mask) == e[k].wd,
		      "dump: %s did not get wd %d", p, e[k].wd);
		next = e[k].wd + 1;
	}
	CHECK(inotify_wd_dump(0, fd, &w, &n, WSIZE) == 0, "inotify_wd_dump: %s",
	      strerror(errno));
	CHECK(n == in->n, "dump: %zu watches, planned %zu", n, in->n);
	for (k = 0; k < n; k++) {
		snprintf(p, sizeof(p), "%s/%s", roots[in->root], e[k].canon);
		CHECK(stat(p, &sb) == 0, "dump: stat %s", p);
		CHECK(w[k].wd == e[k].wd && w[k].mask == e[k].mask &&
		      w[k].ino == sb.st_ino && w[k].dev == sb.st_dev,
		      "dump: entry %zu is not %s", k, p);
		e[k].ino = w[k].ino;
		e[k].s_dev = major(w[k].dev) << 20 | minor(w[k].dev);
	}
	free(w);
	close(fd);	/* one copy of the watches at a time */
}

static void dumper(void)
{
	int i;

	msg_slot = NPROC;
	for (i = 0; i < NINST; i++)
		if (shm->used[i])
			dump_inst(&shm->inst[i]);
	_exit(0);
}

/* ---- a restorer ---- */

struct cb_state {
	int root;
	const struct img_entry *e;	/* the instance's, caller's order */
	size_t n;
	int base;			/* fds open before the restore */
	int peak;
	int last_wd;
	unsigned char *calls;		/* per entry */
	char why[160];			/* the first thing found wrong */
};

/* The callback fails for this wd with this errno (0: never). */
static int cb_fail_wd, cb_fail_errno;

static void cb_wrong(struct cb_state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void cb_wrong(struct cb_state *s, const char *fmt, ...)
{
	va_list ap;

	if (s->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

/*
 * The tool's own opener (CRIU's open_handle() through its helper, say):
 * O_PATH from the root fd.  It also measures how many fds the library
 * holds while it runs, and whether it is asked in wd order.
 */
static int open_cb(const struct inotify_wd_watch *w, size_t i, void *arg)
{
	struct cb_state *s = arg;
	int held = count_fds() - s->base;

	if (held > s->peak)
		s->peak = held;
	if (i >= s->n || w->wd != s->e[i].wd)
		cb_wrong(s, "callback for index %zu with wd %d", i, w->wd);
	else if (s->e[i].how != BY_CB)
		cb_wrong(s, "callback for entry %zu, not OPEN_CB", i);
	else if (s->calls[i]++ == 0 && w->wd < s->last_wd)
		cb_wrong(s, "callback for wd %d after wd %d", w->wd,
			 s->last_wd);
	if (i < s->n && s->calls[i] == 1)
		s->last_wd = w->wd;
	if (cb_fail_wd && w->wd == cb_fail_wd) {
		errno = cb_fail_errno;
		return -1;
	}
	return openat(s->root, s->e[i < s->n ? i : 0].path,
		      O_PATH | O_CLOEXEC);
}

/* The image's entries, in the order the tool hands them over. */
static struct img_entry *image_of(const struct img_inst *in)
{
	struct img_entry *e = malloc(in->n * sizeof(*e));
	size_t k;

	CHECK(e, "out of memory");
	for (k = 0; k < in->n; k++)
		e[k] = shm->e[in->first + (in->reversed ? in->n - 1 - k : k)];
	return e;
}

/* The restore loop of a tool, as the docs show it. */
static void to_watches(const struct img_entry *e, size_t n, int root,
		       struct inotify_wd_watch *w)
{
	size_t k;

	memset(w, 0, n * sizeof(*w));
	for (k = 0; k < n; k++) {
		w[k].wd = e[k].wd;
		w[k].mask = e[k].mask;
		w[k].ino = e[k].ino;
		w[k].dev = inotify_wd_dev_from_kernel(e[k].s_dev);
		switch (e[k].how) {
		case BY_CB:
			w[k].flags = INOTIFY_WD_WATCH_OPEN_CB;
			break;
		case BY_DIRFD:
			w[k].flags = INOTIFY_WD_WATCH_DIRFD;
			break;
		default:
			w[k].flags = INOTIFY_WD_WATCH_DIRFD |
				     INOTIFY_WD_WATCH_IN_ROOT;
		}
		if (e[k].how != BY_CB) {
			w[k].path = e[k].path;
			w[k].dirfd = root;
		}
	}
}

struct fdinfo_watch {
	int wd;
	unsigned long ino;
	unsigned int sdev, mask;
};

static int by_wd(const void *x, const void *y)
{
	const struct fdinfo_watch *a = x, *b = y;

	return (a->wd > b->wd) - (a->wd < b->wd);
}

/* The test's own reading of fdinfo, independent of the library's. */
static struct fdinfo_watch *read_fdinfo(int fd, size_t *n)
{
	struct fdinfo_watch *v = NULL, *more, w;
	char path[64], line[512];
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	CHECK(f, "%s: %s", path, strerror(errno));
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "inotify wd:%x ino:%lx sdev:%x mask:%x",
			   (unsigned int *)&w.wd, &w.ino, &w.sdev,
			   &w.mask) != 4)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			more = realloc(v, cap * sizeof(*v));
			CHECK(more, "out of memory");
			v = more;
		}
		v[(*n)++] = w;
	}
	fclose(f);
	qsort(v, *n, sizeof(*v), by_wd);
	return v;
}

/* The instance is the dump: wd, ino, sdev and mask, nothing more. */
static void expect_image(int fd, const struct img_inst *in)
{
	const struct img_entry *e = &shm->e[in->first];
	struct inotify_wd_watch *w;
	struct fdinfo_watch *k;
	size_t n, i;

	/* The library's view; without /proc (played) only the test's. */
	if (V->no_proc)
		n = 0, w = NULL;
	else
		CHECK(inotify_wd_dump(0, fd, &w, &n, WSIZE) == 0 &&
		      n == in->n, "inotify_wd_dump: %s, %zu watches of %zu",
		      strerror(errno), n, in->n);
	for (i = 0; i < n; i++)
		CHECK(w[i].wd == e[i].wd && w[i].ino == e[i].ino &&
		      w[i].dev == inotify_wd_dev_from_kernel(e[i].s_dev) &&
		      w[i].mask == e[i].mask,
		      "wd %d: restored ino %llu mask %#x, dumped wd %d ino %llu mask %#x",
		      w[i].wd, (unsigned long long)w[i].ino, w[i].mask,
		      e[i].wd, (unsigned long long)e[i].ino, e[i].mask);
	free(w);
	k = read_fdinfo(fd, &n);
	CHECK(n == in->n, "fdinfo: %zu watches, %zu dumped", n, in->n);
	for (i = 0; i < n; i++)
		CHECK(k[i].wd == e[i].wd && k[i].ino == e[i].ino &&
		      k[i].sdev == e[i].s_dev && k[i].mask == e[i].mask,
		      "fdinfo: wd %d is not the dump's %d (%s)", k[i].wd,
		      e[i].wd, e[i].canon);
	free(k);
}

/* Each entry's result: its wd, no error, a method of this path. */
static void expect_results(const struct inotify_wd_result *r,
			   const struct inotify_wd_watch *w, size_t n,
			   const struct inotify_wd_stats *st)
{
	unsigned long cycles = 0;
	size_t i, ioctl = 0, cycled = 0;

	for (i = 0; i < n; i++) {
		CHECK(r[i].wd == w[i].wd && r[i].error == 0 &&
		      r[i].handle_error == 0 && !r[i].reserved[0] &&
		      !r[i].reserved[1],
		      "result %zu: wd %d error %d, entry's wd %d", i, r[i].wd,
		      r[i].error, w[i].wd);
		if (V->fallback)
			CHECK(r[i].method == INOTIFY_WD_METHOD_CYCLE ||
			      r[i].method == INOTIFY_WD_METHOD_PLAIN,
			      "result %zu: method %u on the fallback", i,
			      r[i].method);
		else
			CHECK((r[i].method == INOTIFY_WD_METHOD_IOCTL ||
			       r[i].method == INOTIFY_WD_METHOD_PLAIN) &&
			      !r[i].cycles,
			      "result %zu: method %u, %llu cycles with the ioctl",
			      i, r[i].method,
			      (unsigned long long)r[i].cycles);
		ioctl += r[i].method == INOTIFY_WD_METHOD_IOCTL;
		cycled += r[i].method == INOTIFY_WD_METHOD_CYCLE;
		cycles += r[i].cycles;
	}
	/* every instance has gaps: some entries moved the cursor */
	CHECK(V->fallback ? cycled > 0 : ioctl > 0,
	      "no entry used the %s", V->fallback ? "cycles" : "ioctl");
	CHECK(cycles == st->cycles, "results count %lu cycles, stats %lu",
	      cycles, st->cycles);
}

/* A write reaches the restored program as an event on its own wd. */
static void expect_event(int fd, const struct img_inst *in)
{
	const struct img_entry *p = &shm->e[in->first + in->priv];
	char buf[4096] __attribute__((aligned(8)));
	const struct inotify_event *ev = (const void *)buf;
	char path[256];
	int f;

	snprintf(path, sizeof(path), "%s/%s", roots[in->root], p->canon);
	f = open(path, O_WRONLY | O_CLOEXEC);
	CHECK(f >= 0 && write(f, "x", 1) == 1, "write %s", path);
	close(f);
	CHECK(read(fd, buf, sizeof(buf)) >= (ssize_t)sizeof(*ev),
	      "no event after the restore: %s", strerror(errno));
	CHECK(ev->wd == p->wd && ev->mask == IN_MODIFY,
	      "event wd %d mask %#x, expected wd %d IN_MODIFY", ev->wd,
	      ev->mask, p->wd);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One instance into fd, from the root fd of its tree. */
static void restore_inst(int fd, int root, const struct img_inst *in,
			 struct report *rep)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_result *res = calloc(in->n, sizeof(*res));
	struct inotify_wd_watch *w = calloc(in->n, sizeof(*w));
	struct img_entry *e = image_of(in);
	struct inotify_wd_stats st;
	struct cb_state cb = { .root = root, .e = e, .n = in->n };
	struct timespec t0;
	size_t i;
	int after, queued = -1;

	cb.calls = calloc(in->n, 1);
	CHECK(res && w && cb.calls, "out of memory");
	to_watches(e, in->n, root, w);
	o.flags |= INOTIFY_WD_FRESH;
	o.open_target = open_cb;
	o.open_target_arg = &cb;
	o.results = res;
	cb.base = count_fds();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(inotify_wd_restore(fd, w, in->n, WSIZE, &o, &st) == 0,
	      "[%s] restore of %zu: %s (entry %zu, wd %d)", V->name, in->n,
	      strerror(errno), st.failed,
	      st.failed < in->n ? w[st.failed].wd : 0);
	rep->ms += ms_since(&t0);
	after = count_fds();
	CHECK(after == cb.base, "%d fds before the restore, %d after",
	      cb.base, after);
	CHECK(!cb.why[0], "%s", cb.why);
	CHECK(st.failed == in->n, "stats.failed %zu of %zu", st.failed,
	      in->n);
	for (i = 0; i < in->n; i++)
		CHECK(e[i].how != BY_CB || (cb.calls[i] >= 1 &&
		      cb.calls[i] <= (V->fallback ? 2 : 1)),
		      "entry %zu (wd %d): %u callbacks", i, e[i].wd,
		      cb.calls[i]);
	/*
	 * A handful of targets at once; the fallback may keep those of the
	 * watches waiting for their masks, within half of what
	 * RLIMIT_NOFILE leaves free (inotify_wd_restore(3)).
	 */
	CHECK(cb.peak <= (V->fallback ? (NOFILE - cb.base) / 2 + FEW_FDS :
			  FEW_FDS),
	      "%d target fds open at once (%d before)", cb.peak, cb.base);
	expect_results(res, w, in->n, &st);
	expect_image(fd, in);
	CHECK(ioctl(fd, FIONREAD, &queued) == 0 && queued == 0,
	      "%d bytes queued after the restore", queued);
	if (cb.peak > rep->peak)
		rep->peak = cb.peak;
	rep->watches += in->n;
	rep->cycles += st.cycles;
	free(cb.calls);
	free(e);
	free(w);
	free(res);
}

/* A restored process's start: its limit, environment, cwd, roots. */
static void restorer_enter(int proc, int root[2], struct stat *cwd)
{
	const struct rlimit lim = { NOFILE, NOFILE };
	int i;

	msg_slot = proc;
	if (V == &env_variant)
		CHECK(setenv("INOTIFYWD_FALLBACK", "1", 1) == 0, "setenv");
	CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0, "setrlimit: %s",
	      strerror(errno));
	CHECK(chdir(sc.dir) == 0 && stat(".", cwd) == 0, "chdir");
	for (i = 0; i < 2; i++) {
		root[i] = open(roots[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		CHECK(root[i] >= 0, "open %s: %s", roots[i], strerror(errno));
	}
}

static void restorer(int proc)
{
	int fd[NINST], root[2], i, base;
	struct report *rep = &shm->rep[proc];
	struct inotify_wd_features f;
	struct stat cwd, now;

	restorer_enter(proc, root, &cwd);
	/* The fd table first, as a tool restores it, then the watches. */
	for (i = 0; i < NINST; i++)
		fd[i] = shm->used[i] && shm->inst[i].proc == proc ?
			inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
	variant_enter();
	base = count_fds();
	for (i = 0; i < NINST; i++)
		if (fd[i] >= 0)
			restore_inst(fd[i], root[shm->inst[i].root],
				     &shm->inst[i], rep);
	CHECK(count_fds() == base, "fds left over");
	CHECK(stat(".", &now) == 0 && now.st_ino == cwd.st_ino &&
	      now.st_dev == cwd.st_dev, "the cwd moved");
	for (i = 0; i < NINST; i++)
		if (fd[i] >= 0)
			expect_event(fd[i], &shm->inst[i]);
	CHECK(inotify_wd_get_features(&f) == 0, "get_features: %s",
	      strerror(errno));
	if (V == &env_variant)
		CHECK(f.env & INOTIFY_WD_ENV_FALLBACK,
		      "INOTIFYWD_FALLBACK=1 not honoured (env %#x)", f.env);
	_exit(0);
}

/*
 * A restore that fails at entry k with err, which the tool's log takes
 * from the results: that entry's error, every wd 0 (rolled back), and
 * nothing of the call left: no watch, no event, no fd.
 */
static void expect_failure(int root, const struct img_inst *in, size_t k,
			   int err)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_result *res = calloc(in->n, sizeof(*res));
	struct inotify_wd_watch *w = calloc(in->n, sizeof(*w));
	struct img_entry *e = image_of(in);
	struct cb_state cb = { .root = root, .e = e, .n = in->n };
	struct inotify_wd_stats st;
	int fd, base, got, queued = -1;
	size_t i, n;

	cb.calls = calloc(in->n, 1);
	CHECK(res && w && cb.calls, "out of memory");
	to_watches(e, in->n, root, w);
	o.flags |= INOTIFY_WD_FRESH;
	o.open_target = open_cb;
	o.open_target_arg = &cb;
	o.results = res;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK(fd >= 0, "inotify_init1: %s", strerror(errno));
	base = count_fds();
	got = inotify_wd_restore(fd, w, in->n, WSIZE, &o, &st);
	CHECK(got == -1 && errno == err,
	      "[%s] restore gave %d (%s), expected %s at entry %zu", V->name,
	      got, strerror(errno), strerror(err), k);
	CHECK(st.failed == k, "stats.failed %zu, expected %zu", st.failed, k);
	for (i = 0; i < in->n; i++)
		CHECK(res[i].wd == 0 && res[i].error == (i == k ? err : 0),
		      "result %zu: wd %d error %d after a failure at %zu", i,
		      res[i].wd, res[i].error, k);
	CHECK(count_fds() == base, "fds left over by a failed restore");
	free(read_fdinfo(fd, &n));
	CHECK(n == 0, "%zu watches left by a failed restore", n);
	CHECK(ioctl(fd, FIONREAD, &queued) == 0 && queued == 0,
	      "%d bytes left queued by a failed restore", queued);
	close(fd);
	free(cb.calls);
	free(e);
	free(w);
	free(res);
}

/* The entry of I_ETC's dumped etc/f<i> (in the caller's order: i). */
#define ETC_CB_ENTRY	33	/* by the callback */
#define ETC_GONE_ENTRY	50	/* by path beneath the root */

static void restorer_failing(int proc)
{
	const struct img_inst *in = &shm->inst[I_ETC];
	int root[2];
	struct stat cwd;

	restorer_enter(proc, root, &cwd);
	variant_enter();
	/* the tool's opener fails: its errno is the call's */
	cb_fail_wd = shm->e[in->first + ETC_CB_ENTRY].wd;
	cb_fail_errno = EACCES;
	expect_failure(root[0], in, ETC_CB_ENTRY, EACCES);
	/* a target gone since the dump */
	cb_fail_wd = 0;
	expect_failure(root[0], in, ETC_GONE_ENTRY, ENOENT);
	_exit(0);
}

/* ---- the case process ---- */

static void wait_child(pid_t pid, int slot, const char *who)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "[%s] %s: %s (status %#x)", V->name, who,
		      shm->msg[slot][0] ? shm->msg[slot] : "no message",
		      status);
}

static pid_t spawn(void (*fn)(int), int arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		fn(arg);
	return pid;
}

static void run_dumper(int unused)
{
	(void)unused;
	dumper();
}

/* The image, shared with the children, with room for entries. */
static void image_new(size_t entries)
{
	int m = memfd_create("iwd-ckpt-image", MFD_CLOEXEC);

	ck_assert_int_ge(m, 0);
	shm_size = sizeof(*shm) + entries * sizeof(shm->e[0]);
	ck_assert_int_eq(ftruncate(m, (off_t)shm_size), 0);
	shm = mmap(NULL, shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, m, 0);
	ck_assert(shm != MAP_FAILED);
	close(m);
}

static void restore_tree(int big)
{
	size_t entries = 6000 + (size_t)big;
	pid_t pid[NPROC];
	char who[32];
	int p;

	make_tree(big);
	image_new(entries);
	plan_etc();
	plan_data();
	plan_handles();
	plan_mid();
	if (big)
		plan_big(big);
	ck_assert_uint_le(shm->nentries, entries);
	wait_child(spawn(run_dumper, 0), NPROC, "dumper");

	for (p = 0; p < NPROC; p++)
		pid[p] = p < 3 || big ? spawn(restorer, p) : 0;
	for (p = 0; p < NPROC; p++) {
		if (!pid[p])
			continue;
		snprintf(who, sizeof(who), "restorer %d", p);
		wait_child(pid[p], p, who);
	}
	for (p = 0; p < NPROC; p++)
		if (pid[p])
			printf("ckpt [%s] restorer %d: %zu watches in %.0f ms, %lu cycles, at most %d target fds open\n",
			       V->name, p, shm->rep[p].watches, shm->rep[p].ms,
			       shm->rep[p].cycles, shm->rep[p].peak);
}

START_TEST(process_tree)
{
	restore_tree(0);
}
END_TEST

START_TEST(process_tree_big)
{
	restore_tree(size_for(BIG));
}
END_TEST

/*
 * A restore that fails midway, once in the tool's opener and once at a
 * target deleted since the dump: the errno of the entry at fault, which
 * the results name, and nothing left behind.
 */
START_TEST(failed_entry)
{
	char gone[256];

	make_tree(0);
	image_new(200);
	plan_etc();
	wait_child(spawn(run_dumper, 0), NPROC, "dumper");
	ck_assert_uint_eq(shm->e[ETC_CB_ENTRY].how, BY_CB);
	ck_assert_uint_eq(shm->e[ETC_GONE_ENTRY].how, BY_ROOT);
	snprintf(gone, sizeof(gone), "%s/%s", roots[0],
		 shm->e[ETC_GONE_ENTRY].canon);
	ck_assert_int_eq(unlink(gone), 0);
	wait_child(spawn(restorer_failing, 0), 0, "restorer");
}
END_TEST

/* ---- variants: Check's fixtures take no argument ---- */

#define VSETUP(name, v) \
	static void setup_##name(void) { variant_setup(v); setup(); }
VSETUP(0, &variants[0]) VSETUP(1, &variants[1]) VSETUP(2, &variants[2])
VSETUP(3, &variants[3]) VSETUP(4, &variants[4]) VSETUP(5, &variants[5])
VSETUP(6, &variants[6]) VSETUP(7, &variants[7]) VSETUP(8, &variants[8])
VSETUP(9, &variants[9]) VSETUP(env, &env_variant)
static void (*const setups[])(void) = {
	setup_0, setup_1, setup_2, setup_3, setup_4, setup_5, setup_6,
	setup_7, setup_8, setup_9,
};

static void add_variant(Suite *s, const struct variant *v,
			void (*fixture)(void), bool big)
{
	const struct case_spec cases[] = {
		CASE(process_tree), CASE(failed_entry),
		CASE(process_tree_big),
	};
	const char *why = unmet(v->needs | NEED_MOUNT | NEED_FORK);
	size_t n = big ? 3 : 2, i;
	char what[64];
	TCase *tc;

	if (why) {
		snprintf(what, sizeof(what), "variant %s", v->name);
		leave_out(what, (int)n, why);
		return;
	}
	tc = tcase_create(v->name);
	/* Sized for a slow builder; CK_TIMEOUT_MULTIPLIER scales it. */
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, fixture, teardown);
	for (i = 0; i < n; i++)
		add_case(tc, &cases[i]);
	suite_add_tcase(s, tc);
}

int main(void)
{
	Suite *s = suite_create("ckpt");
	size_t v;

	if (sizeof(setups) / sizeof(setups[0]) != nvariants)
		return 99;
	/* 10^5 watches: on the ioctl path, and the fallback by the env */
	for (v = 0; v < nvariants; v++)
		add_variant(s, &variants[v], setups[v], v == 0);
	add_variant(s, &env_variant, setup_env, true);
	return run_suite(s);
}
