// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Case 11: paths for a dump, and restores by path beneath a root (issue 16
 * item 5), against what a checkpoint tool writes by hand.
 *
 * 11a: a dump with paths (inotify_wd_dump() + inotify_wd_find_paths() of
 *      this process) against the floor: the same fdinfo read, then per
 *      watch open_by_handle_at() on the right mount (for overlayfs, the
 *      lower layer's fid on the layer, as the handle names it), readlink
 *      of /proc/self/fd/N, fstat, close; 10^3, 10^4, 10^5 watches on
 *      ext4 (the scratch directory, when it is ext4), tmpfs and overlayfs.
 * 11b, 11c: overlayfs, a lower layer of 10^5 entries, 10^4 watches: the
 *      library against a walk of the merged tree per watch (CRIU PR
 *      #3043's way; sampled on 20 watches, cost per watch) and against one
 *      walk for all (RFC #3052's way).
 * 11d: memory per watch with paths: the string block over the count.
 * 11e: restore of 10^4 watches by path beneath a root (DIRFD | IN_ROOT,
 *      FRESH) against the loop openat2(RESOLVE_IN_ROOT) + add through
 *      /proc/self/fd/N + close.
 *
 * The trees are mounted in a mount namespace of this process's own
 * (unshare(CLONE_NEWNS), private), so they vanish with it; this case
 * runs last for that reason, and needs root.  Holding 10^5 watches, a
 * full run wants nothing else on the machine placing watches meanwhile.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "bench.h"

#define TREE_FILES	100000
#define TREE_DIRS	100
#define EXT4_MAGIC	0xef53
#define WALK_SAMPLE	20
#define OVL_WATCHES	10000
#define ROOT_WATCHES	10000

enum fs { FS_EXT4, FS_TMPFS, FS_OVL, NFS };
static const char *const fs_names[NFS] = { "ext4", "tmpfs", "overlayfs" };

/* A tree of files to watch, and how the floor opens their handles. */
struct tree {
	bool ready;
	char why[128];		/* when not ready */
	char *root;		/* where the tree is seen (merged for overlay) */
	char *layer;		/* overlay: the lower layer the files are in */
	char **files;		/* absolute, as seen under root */
	size_t n;
	int handle_fd;		/* the floor's mount fd (the layer for ovl) */
};

static struct tree trees[NFS];
static char *base;		/* the tmpfs holding the tmpfs and ovl trees */

/* ---- the trees ---- */

static char *join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) < 0)
		die("out of memory");
	return p;
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %s", path, strerror(errno));
}

/* TREE_FILES files in TREE_DIRS directories under dir; their paths. */
static char **fill(const char *dir, const char *seen_as)
{
	char **files = calloc(TREE_FILES, sizeof(*files)), name[64];
	size_t i;
	char *p;
	int fd;

	if (!files)
		die("out of memory");
	for (i = 0; i < TREE_FILES; i++) {
		snprintf(name, sizeof(name), "d%02zu", i % TREE_DIRS);
		if (i < TREE_DIRS) {
			p = join(dir, name);
			make_dir(p);
			free(p);
		}
		snprintf(name, sizeof(name), "d%02zu/f%06zu", i % TREE_DIRS, i);
		p = join(dir, name);
		fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (fd < 0)
			die("create %s: %s", p, strerror(errno));
		close(fd);
		free(p);
		files[i] = join(seen_as, name);
	}
	return files;
}

static bool private_namespace(char *why, size_t size)
{
	if (geteuid() != 0) {
		snprintf(why, size, "needs root (mounts, file handles)");
		return false;
	}
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(why, size, "no private mount namespace: %s",
			 strerror(errno));
		return false;
	}
	return true;
}

static void tree_ext4(void)
{
	struct tree *t = &trees[FS_EXT4];
	struct statfs sf;

	if (statfs(scr.dir, &sf) < 0 || sf.f_type != EXT4_MAGIC) {
		snprintf(t->why, sizeof(t->why),
			 "the scratch directory %s is not on ext4 (set TMPDIR)",
			 scr.dir);
		return;
	}
	t->root = scr.dir;
	t->files = scr.files;
	t->n = scr.nfiles;
	t->handle_fd = open(scr.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t->ready = t->handle_fd >= 0;
}

static void tree_tmpfs(void)
{
	struct tree *t = &trees[FS_TMPFS];

	t->root = join(base, "t");
	make_dir(t->root);
	t->files = fill(t->root, t->root);
	t->n = TREE_FILES;
	t->handle_fd = open(t->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t->ready = t->handle_fd >= 0;
}

/* Two lowers (the files in the first), an upper; all on base's tmpfs. */
static void tree_overlay(void)
{
	struct tree *t = &trees[FS_OVL];
	char *l2 = join(base, "l2"), *u = join(base, "u"), *w = join(base, "w");
	char *opts;

	t->layer = join(base, "l1");
	t->root = join(base, "m");
	make_dir(t->layer);
	make_dir(l2);
	make_dir(u);
	make_dir(w);
	make_dir(t->root);
	t->files = fill(t->layer, t->root);
	t->n = TREE_FILES;
	if (asprintf(&opts, "lowerdir=%s:%s,upperdir=%s,workdir=%s", t->layer,
		     l2, u, w) < 0)
		die("out of memory");
	if (mount("overlay", t->root, "overlay", 0, opts) < 0)
		snprintf(t->why, sizeof(t->why), "cannot mount overlayfs: %s",
			 strerror(errno));
	else
		t->handle_fd = open(t->layer, O_RDONLY | O_DIRECTORY |
					      O_CLOEXEC);
	t->ready = !t->why[0] && t->handle_fd >= 0;
	free(opts);
	free(l2);
	free(u);
	free(w);
}

static bool trees_build(struct run *run, char *why, size_t size)
{
	if (!private_namespace(why, size))
		return false;
	base = join(scr.dir, "findpaths");
	make_dir(base);
	if (mount("none", base, "tmpfs", 0, "mode=0755") < 0) {
		snprintf(why, size, "cannot mount tmpfs: %s", strerror(errno));
		return false;
	}
	progress(run, "11: building the trees (%s files on tmpfs and overlayfs)",
		 counted(TREE_FILES));
	tree_ext4();
	tree_tmpfs();
	tree_overlay();
	return true;
}

/* ---- 11a: a dump with paths ---- */

/*
 * An instance holding a watch on each of the first n files of t, or -1
 * when max_user_watches, shared with every process of the user, ran out.
 */
static int watch_tree(const struct tree *t, size_t n)
{
	int fd = instance();
	size_t i;

	for (i = 0; i < n; i++) {
		if (inotify_add_watch(fd, t->files[i], BENCH_MASK) >= 0)
			continue;
		if (errno != ENOSPC)
			die("inotify_add_watch %s: %s", t->files[i],
			    strerror(errno));
		close(fd);
		settle();
		return -1;
	}
	return fd;
}

#define NO_WATCHES "max_user_watches ran out (other processes hold watches)"

struct dump_arg {
	const struct tree *t;
	int fd;			/* the instance dumped */
	size_t n;
	bool floor;
	bool overlay;		/* the floor decodes the layer's fid */
	size_t *block;		/* the library: its string block's size */
	size_t *used;		/* ... and the bytes of its strings */
};

/*
 * The fid inside an overlayfs handle (struct ovl_fh: 3 pad bytes, then
 * version, magic 0xfb, len, flags, type, a 16-byte uuid, the fid): the
 * floor knows its tree has one lower layer of files.
 */
static void floor_handle(const struct dump_arg *a,
			 const struct inotify_wd_watch *w,
			 struct file_handle *fh)
{
	const unsigned char *h = w->handle;
	unsigned int bytes = w->handle_bytes;

	fh->handle_type = w->handle_type;
	if (a->overlay) {
		if (bytes < 24 || h[4] != 0xfb)
			die("floor: not an overlayfs handle (type %#x)",
			    w->handle_type);
		fh->handle_type = h[7];
		h += 24;
		bytes -= 24;
	}
	fh->handle_bytes = bytes;
	memcpy(fh->f_handle, h, bytes);
}

/* readlink of the opened fd, turned into the path under the tree. */
static void floor_path(const struct dump_arg *a, int f, char *out)
{
	char link[40], got[PATH_MAX];
	size_t skip = a->overlay ? strlen(a->t->layer) : 0;
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", f);
	len = readlink(link, got, sizeof(got) - 1);
	if (len < 0)
		die("floor: readlink: %s", strerror(errno));
	got[len] = '\0';
	if (a->overlay)
		snprintf(out, PATH_MAX, "%s%s", a->t->root, got + skip);
	else
		memcpy(out, got, (size_t)len + 1);
}

static void floor_paths(const struct dump_arg *a, struct inotify_wd_watch *w,
			size_t n)
{
	union {
		struct file_handle fh;
		/* Storage for fh's flexible f_handle[]. */
		// cppcheck-suppress unusedStructMember
		unsigned char raw[sizeof(struct file_handle) +
				  INOTIFY_WD_HANDLE_MAX];
	} h;
	static char path[PATH_MAX];
	struct stat sb;
	size_t i;
	int f;

	for (i = 0; i < n; i++) {
		floor_handle(a, &w[i], &h.fh);
		f = open_by_handle_at(a->t->handle_fd, &h.fh,
				      O_PATH | O_CLOEXEC);
		if (f < 0)
			die("floor: open_by_handle_at: %s", strerror(errno));
		floor_path(a, f, path);
		/* The merged inode is what a restore would watch. */
		if ((a->overlay ? stat(path, &sb) : fstat(f, &sb)) < 0 ||
		    sb.st_ino != w[i].ino)
			die("floor: %s is not inode %llu", path,
			    (unsigned long long)w[i].ino);
		close(f);
	}
}

static void side_dump(const void *p, struct sample *s)
{
	const struct dump_arg *a = p;
	struct inotify_wd_watch *w;
	char *strings = NULL;
	ssize_t left;
	double t0;
	size_t n, k;

	t0 = now_ns();
	if (inotify_wd_dump(0, a->fd, &w, &n, sizeof(*w)) < 0 || n != a->n)
		die("inotify_wd_dump: %s", strerror(errno));
	if (a->floor) {
		floor_paths(a, w, n);
	} else {
		left = inotify_wd_find_paths(0, w, n, sizeof(*w), NULL,
					     &strings);
		if (left != 0)
			die("inotify_wd_find_paths (%s, %zu watches): %zd left: %s",
			    a->t->root, n, left,
			    left < 0 ? strerror(errno) : "no path");
	}
	s->ns = now_ns() - t0;
	if (a->block && strings) {
		*a->block = malloc_usable_size(strings);
		for (*a->used = 0, k = 0; k < n; k++)
			*a->used += w[k].path ? strlen(w[k].path) + 1 : 0;
	}
	free(strings);
	free(w);
	s->ops = (double)n;
}

/* "10^3" for the titles and ids: the sizes are powers of ten. */
static int power_of_ten(size_t n)
{
	int e = 0;

	while (n >= 10) {
		n /= 10;
		e++;
	}
	return e;
}

static void dump_rows(struct run *run, enum fs k)
{
	const struct plan *p = run->p;
	static struct dump_arg args[NFS][MAX_SCALE][2];
	static size_t block[NFS][MAX_SCALE], used[NFS][MAX_SCALE];
	const struct tree *t = &trees[k];
	struct side *s[2];
	char id[8], title[96];
	int i, fd;

	for (i = 0; i < p->nscale && p->scale[i] <= 100000; i++) {
		snprintf(id, sizeof(id), "11a%d%d", (int)k, i);
		snprintf(title, sizeof(title), "%s 10^%d: dump with paths vs floor",
			 fs_names[k], power_of_ten(p->scale[i]));
		if (!t->ready || t->n < p->scale[i]) {
			row_skip(id, title, t->ready ? "too few files" : t->why);
			continue;
		}
		progress(run, "11a: %s, %s watches", fs_names[k],
			 counted(p->scale[i]));
		fd = watch_tree(t, p->scale[i]);
		if (fd < 0) {
			row_skip(id, title, NO_WATCHES);
			continue;
		}
		args[k][i][0] = (struct dump_arg){ t, fd, p->scale[i], false,
						   k == FS_OVL,
						   &block[k][i], &used[k][i] };
		args[k][i][1] = args[k][i][0];
		args[k][i][1].floor = true;
		args[k][i][1].block = NULL;
		args[k][i][1].used = NULL;
		s[0] = side_new("dump + inotify_wd_find_paths", side_dump,
				&args[k][i][0], &args[k][i][0], 1);
		s[1] = side_new("fdinfo + open_by_handle_at/readlink/fstat",
				side_dump, &args[k][i][1], &args[k][i][1], 1);
		group_run(s, 2, p->scale_rounds);
		row_add(id, title, s[0], s[1], TARGET_RATIO_MAX, 1.20);
		note_add("11d: %s 10^%d: %.1f bytes per watch for paths (a block of %zu bytes, %.1f used per watch).",
			 fs_names[k], power_of_ten(p->scale[i]),
			 (double)block[k][i] / (double)p->scale[i], block[k][i],
			 (double)used[k][i] / (double)p->scale[i]);
		close(fd);
		settle();
	}
}

/* ---- 11b, 11c: overlayfs, against walks of the merged tree ---- */

/* Depth first under dir: the path of ino, or false (CRIU #3043's scan). */
static bool walk_find(int dir, ino_t ino, dev_t dev)
{
	struct dirent *e;
	struct stat sb;
	bool found = false;
	DIR *d;
	int sub;

	d = fdopendir(dir);
	if (!d)
		die("fdopendir: %s", strerror(errno));
	while (!found && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (sb.st_ino == ino && sb.st_dev == dev) {
			found = true;
		} else if (S_ISDIR(sb.st_mode)) {
			sub = openat(dirfd(d), e->d_name,
				     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub >= 0)
				found = walk_find(sub, ino, dev);
		}
	}
	closedir(d);
	return found;
}

static int cmp_ino(const void *x, const void *y)
{
	const struct inotify_wd_watch *a = x, *b = y;

	return (a->ino > b->ino) - (a->ino < b->ino);
}

/* One walk for every pending inode (RFC #3052): bsearch per entry. */
static size_t walk_all(int dir, const struct inotify_wd_watch *sorted,
		       size_t n, size_t found)
{
	struct inotify_wd_watch key;
	struct dirent *e;
	struct stat sb;
	DIR *d;
	int sub;

	d = fdopendir(dir);
	if (!d)
		die("fdopendir: %s", strerror(errno));
	while (found < n && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		key.ino = sb.st_ino;
		if (bsearch(&key, sorted, n, sizeof(key), cmp_ino))
			found++;
		if (S_ISDIR(sb.st_mode)) {
			sub = openat(dirfd(d), e->d_name,
				     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub >= 0)
				found = walk_all(sub, sorted, n, found);
		}
	}
	closedir(d);
	return found;
}

enum walk { WALK_NONE, WALK_EACH, WALK_ONCE };

struct walk_arg {
	struct dump_arg dump;	/* WALK_NONE: the library's dump */
	enum walk how;
};

static int open_root(void)
{
	int fd = open(trees[FS_OVL].root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", trees[FS_OVL].root, strerror(errno));
	return fd;
}

/* A sample of WALK_SAMPLE watches spread over the dump: cost per watch. */
static void walk_each(const struct inotify_wd_watch *w, size_t n,
		      struct sample *s)
{
	size_t i, k;

	for (i = 0; i < WALK_SAMPLE; i++) {
		k = i * n / WALK_SAMPLE;
		if (!walk_find(open_root(), w[k].ino, w[k].dev))
			die("walk: inode %llu not found",
			    (unsigned long long)w[k].ino);
	}
	s->ops = WALK_SAMPLE;
}

static void walk_once(struct inotify_wd_watch *w, size_t n,
		      struct sample *s)
{
	size_t found;

	qsort(w, n, sizeof(*w), cmp_ino);
	found = walk_all(open_root(), w, n, 0);
	if (found < n)
		die("walk: %zu of %zu inodes found", found, n);
	s->ops = (double)n;
}

static void side_walk(const void *p, struct sample *s)
{
	const struct walk_arg *a = p;
	struct inotify_wd_watch *w;
	double t0;
	size_t n;

	if (a->how == WALK_NONE) {
		side_dump(&a->dump, s);
		return;
	}
	t0 = now_ns();
	if (inotify_wd_dump(0, a->dump.fd, &w, &n, sizeof(*w)) < 0)
		die("inotify_wd_dump: %s", strerror(errno));
	if (a->how == WALK_EACH)
		walk_each(w, n, s);
	else
		walk_once(w, n, s);
	s->ns = now_ns() - t0;
	free(w);
}

static void walk_rows(struct run *run)
{
	static struct walk_arg a[3];
	const struct tree *t = &trees[FS_OVL];
	size_t n = OVL_WATCHES < t->n ? OVL_WATCHES : t->n;
	struct side *s[3];
	int fd;

	if (!t->ready) {
		row_skip("11b", "overlayfs 10^4 of 10^5: vs a walk per watch",
			 t->why);
		row_skip("11c", "overlayfs 10^4 of 10^5: vs one walk", t->why);
		return;
	}
	progress(run, "11b: overlayfs, %s watches among %s entries",
		 counted(n), counted(t->n));
	/* Spread over every directory: the walks meet them at random. */
	fd = watch_tree(t, n);
	if (fd < 0) {
		row_skip("11b", "overlayfs 10^4 of 10^5: vs a walk per watch",
			 NO_WATCHES);
		row_skip("11c", "overlayfs 10^4 of 10^5: vs one walk",
			 NO_WATCHES);
		return;
	}
	a[0] = (struct walk_arg){ { t, fd, n, false, true, NULL, NULL },
				  WALK_NONE };
	a[1] = a[0];
	a[1].how = WALK_EACH;
	a[2] = a[0];
	a[2].how = WALK_ONCE;
	s[0] = side_new("inotify_wd_find_paths", side_walk, &a[0], &a[0], 1);
	s[1] = side_new("a walk of the merged tree per watch", side_walk,
			&a[1], NULL, 1);
	s[2] = side_new("one walk for all", side_walk, &a[2], NULL, 1);
	group_run(s, 3, run->p->batch_rounds);
	row_add("11b", "overlayfs 10^4 of 10^5: vs a walk per watch", s[0],
		s[1], TARGET_RATIO_MAX, 0.001);
	row_add("11c", "overlayfs 10^4 of 10^5: vs one walk", s[0], s[2],
		TARGET_RATIO_MAX, 0.5);
	note_add("11b: the walk per watch is timed on %d watches spread over the dump and reported per watch (CRIU PR #3043 scans the mount for each); 11c walks once and matches every pending inode (RFC #3052). Both fstatat() each entry: readdir's d_ino is not st_ino on a merged directory. Targets: 11b ratio <= 0.001 (1000x faster), 11c <= 0.5 (2x).",
		 WALK_SAMPLE);
	close(fd);
	settle();
}

/* ---- 11e: restore by path beneath a root ---- */

struct root_arg {
	const struct inotify_wd_watch *w;	/* relative paths, wd 1..n */
	size_t n;
	int rootfd;
	bool floor;
};

static void floor_beneath(int fd, const struct root_arg *a)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char path[40];
	size_t i;
	int f;

	for (i = 0; i < a->n; i++) {
		f = (int)syscall(SYS_openat2, a->rootfd, a->w[i].path, &how,
				 sizeof(how));
		if (f < 0)
			die("floor: openat2 %s: %s", a->w[i].path,
			    strerror(errno));
		snprintf(path, sizeof(path), "/proc/self/fd/%d", f);
		/* A fresh instance hands out 1, 2, ...: no ioctl needed. */
		if (inotify_add_watch(fd, path, a->w[i].mask | create_bit) !=
		    a->w[i].wd)
			die("floor: add %d: %s", a->w[i].wd, strerror(errno));
		close(f);
	}
}

static void side_root(const void *p, struct sample *s)
{
	const struct root_arg *a = p;
	const struct inotify_wd_opts o = { .flags = INOTIFY_WD_FRESH };
	struct inotify_wd_stats st;
	double t0;
	int fd = instance();

	t0 = now_ns();
	if (a->floor)
		floor_beneath(fd, a);
	else if (inotify_wd_restore(fd, a->w, a->n, sizeof(*a->w), &o,
				    &st) < 0)
		die("inotify_wd_restore (%zu beneath a root): entry %zu: %s",
		    a->n, st.failed, strerror(errno));
	s->ns = now_ns() - t0;
	close(fd);
	settle();
	s->ops = (double)a->n;
}

static void root_row(struct run *run)
{
	static struct root_arg a[2];
	const struct tree *t = &trees[FS_TMPFS];
	size_t n = ROOT_WATCHES, i, skip = strlen(base);
	struct inotify_wd_watch *w;
	struct side *s[2];

	if (!t->ready) {
		row_skip("11e", "10^4 by path beneath a root vs openat2 loop",
			 t->why);
		return;
	}
	progress(run, "11e: %s watches by path beneath a root", counted(n));
	w = calloc(n, sizeof(*w));
	if (!w)
		die("out of memory");
	/* Paths as a container sees them: absolute in base. */
	for (i = 0; i < n; i++)
		w[i] = (struct inotify_wd_watch){
			.wd = (int)i + 1, .mask = BENCH_MASK,
			.flags = INOTIFY_WD_WATCH_DIRFD |
				 INOTIFY_WD_WATCH_IN_ROOT,
			.path = t->files[i] + skip,
		};
	a[0] = (struct root_arg){ w, n, -1, false };
	a[0].rootfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (a[0].rootfd < 0)
		die("open %s: %s", base, strerror(errno));
	for (i = 0; i < n; i++)
		w[i].dirfd = a[0].rootfd;
	a[1] = a[0];
	a[1].floor = true;
	s[0] = side_new("inotify_wd_restore DIRFD|IN_ROOT", side_root, &a[0],
			&a[0], 1);
	s[1] = side_new("openat2 + add + close loop", side_root, &a[1],
			&a[1], 1);
	group_run(s, 2, run->p->batch_rounds);
	row_add("11e", "10^4 by path beneath a root vs openat2 loop", s[0],
		s[1], TARGET_RATIO_MAX, 1.10);
	note_add("11e: paths like %s resolved beneath %s with RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS; FRESH instance, wds 1..%zu.",
		 w[0].path, base, n);
	close(a[0].rootfd);
	free(w);
}

void case_findpaths(struct run *run)
{
	char why[160];
	int k;

	if (!trees_build(run, why, sizeof(why))) {
		row_skip("11a", "dump with paths vs floor", why);
		row_skip("11b", "overlayfs: vs a walk per watch", why);
		row_skip("11e", "by path beneath a root vs openat2 loop", why);
		return;
	}
	for (k = 0; k < NFS; k++)
		dump_rows(run, (enum fs)k);
	walk_rows(run);
	root_row(run);
	/* The scratch directory's removal must not walk into the trees. */
	if (trees[FS_OVL].ready)
		umount2(trees[FS_OVL].root, MNT_DETACH);
	umount2(base, MNT_DETACH);
	note_add("11: every tree is mounted in this process's own mount namespace and goes with it; 10^5 watches take over half of a default max_user_watches: run nothing else that watches meanwhile.");
}
