// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotify_wd_find_paths(): a path for each watch, as a process sees it.
 *
 * A dump holds each watch's inode as a device, an inode number and, most
 * often, a file handle; a restore elsewhere (another boot, another host,
 * a new mount) needs a path.  Paths are per mount namespace and per
 * root, so each one is built in the view of the process: its mounts
 * (/proc/PID/mountinfo) and its root (/proc/PID/root), and every path
 * given out was checked, at the time of the call, to name the watch's
 * device and inode from that root.  The ways, cheapest first:
 *
 *  1. The handle, opened on a mount of the device in the process's
 *     view: the kernel's name for the opened file, less its name for the
 *     mount's root, is the path inside the mount; the mount point before
 *     it makes the process's path.  That name is the kernel's, of the
 *     opened inode: where no mount of the process's view covers it
 *     (named()), the mount table read once stands for a lookup per path,
 *     and recheck() looks after all if the table changed meanwhile.
 *  2. An overlayfs handle, which opens only with nfs_export=on, carries
 *     the handle of the real inode on a layer (ovl.c): opened on that
 *     layer, the path inside the layer is the path inside the overlay,
 *     unless a rename moved it (redirect_dir), which the check catches.
 *  3. Otherwise, walk.c reads the mounts of the device, once each for
 *     all their pending watches, within a budget of directory entries:
 *     first the directories the process is likely to use (its working
 *     directory, those of its open files and mapped files), then all.
 *
 * Handles open relative to the working directory, after an fchdir() to
 * an O_PATH fd of the mount or layer (the kernel refuses an O_PATH fd as
 * open_by_handle_at()'s anchor, and a real open of a directory would
 * queue events on watches of it); in a thread of its own when others
 * share the process's working directory (worker.c), else in the calling
 * thread, which goes back where it was before the call returns.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "internal.h"

#define DEFAULT_MAX_WALK	1000000
#define NO_PATH			((size_t)-1)
#define HINTS_MAX		64	/* directories looked at first */
#define HINT_FDS_MAX		1024	/* fds and mappings looked at for them */

/* An overlay's layer directory, opened through one view. */
struct layer_view {
	int fd;			/* O_PATH; -1: not tried; -2: unusable */
	char *link;		/* our name for it */
	uint64_t fsid;		/* of its filesystem (statfs), or 0 */
};

/* One line of the process's mountinfo. */
struct mnt {
	int id;
	dev_t dev;
	char *root;		/* of its filesystem, that it shows */
	char *point;		/* in the process's view */
	char *fstype;
	const char *super;	/* super options, escaped as mountinfo has them */
	size_t super_len;
	int fd;			/* O_PATH, on it; -1: not tried; -2: unusable */
	char *link;		/* our name for its root (readlink of fd) */
	bool walked;
	bool sure;		/* the kernel's names beneath it need no look */
	bool kept;		/* a path beneath it was kept so (keep()) */
	bool fsid_read;
	uint64_t fsid;		/* of its filesystem (statfs), or 0 */
	/* overlay: its layers, each opened through both views */
	bool parsed;
	struct ovl_layer *layer;
	size_t nlayer;
	char *layer_store;
	struct layer_view *lv;	/* 2 per layer: the process's view, ours */
};

/* What became of one entry. */
struct state {
	size_t off;		/* of its path in the strings, or NO_PATH */
	int err;		/* why it has none (so far) */
	unsigned char method;
	bool symlink;		/* the path names a symbolic link */
	bool final;		/* no further way: deleted, no mount */
	bool unlooked;		/* kept without the look (named()) */
};

struct finder {
	char proc[32];		/* "/proc/PID" */
	int root;		/* O_PATH, the process's root */
	int mi;			/* its mountinfo, open since before the read */
	char *text;		/* its mountinfo */
	struct mnt *m;
	size_t nm;
	char **points;		/* every mount point, sorted */
	int home, cwd;		/* where we began; the fd we moved to */
	bool self;		/* the view is the calling process's */
	bool no_openat2;
	int own;		/* our root read: 1; failed: -1; not yet: 0 */
	int own_id;		/* the mount of our root */
	ino_t own_ino;		/* and its inode */
	size_t unlooked;	/* paths kept without the look */
	/* the caller's */
	unsigned char *w;
	size_t n, size;
	unsigned int flags;
	uint64_t budget;
	struct state *st;
	char *str;		/* the strings block, growing */
	size_t len, cap;
	/* the walk under way */
	const char *walk_base;
	size_t walk_left;
};

static struct inotify_wd_watch *entry(struct finder *f, size_t i)
{
	return (void *)(f->w + i * f->size);
}

static bool fatal(int err)
{
	return err == ENOMEM || err == EMFILE || err == ENFILE;
}

/* Whether m shows its filesystem's root (not a bind mount of a part). */
static bool whole(const struct mnt *m)
{
	return m->root && strcmp(m->root, "/") == 0;
}

static bool overlay(const struct mnt *m)
{
	return m->fstype && strcmp(m->fstype, "overlay") == 0;
}

/* ---- the process's mounts ---- */

/* Cut one line into m; false for a line of another form. */
static bool parse_line(char *line, struct mnt *m)
{
	char *f[7], *sep, *p = line;
	unsigned int maj, min;
	size_t i;

	for (i = 0; i < 5; i++) {
		f[i] = p;
		p = strchr(p, ' ');
		if (!p)
			return false;
		*p++ = '\0';
	}
	sep = strstr(p, " - ");
	if (!sep && strncmp(p, "- ", 2) != 0)
		return false;
	p = sep ? sep + 3 : p + 2;
	f[5] = p;		/* fstype */
	p = strchr(p, ' ');
	if (!p)
		return false;
	*p++ = '\0';
	f[6] = strchr(p, ' ');	/* after the source: the super options */
	if (!f[6])
		return false;
	*f[6]++ = '\0';
	if (sscanf(f[0], "%d", &m->id) != 1 ||
	    sscanf(f[2], "%u:%u", &maj, &min) != 2)
		return false;
	m->dev = makedev(maj, min);
	m->root = f[3];
	m->point = f[4];
	m->fstype = f[5];
	m->super = f[6];
	m->super_len = strlen(f[6]);
	iwd_mountinfo_unescape(m->root, m->root, strlen(m->root));
	iwd_mountinfo_unescape(m->point, m->point, strlen(m->point));
	m->fd = -1;
	m->link = NULL;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_mounts(struct finder *f)
{
	char path[48], *line, *save = NULL;
	size_t len, max = 1, i;
	const char *p;

	snprintf(path, sizeof(path), "%s/mountinfo", f->proc);
	if (iwd_read_file(path, &f->text, &len) < 0)
		return -1;
	for (p = f->text; *p; p++)
		max += *p == '\n';
	f->m = calloc(max, sizeof(*f->m));
	f->points = calloc(max, sizeof(*f->points));
	if (!f->m || !f->points) {
		errno = ENOMEM;
		return -1;
	}
	for (line = strtok_r(f->text, "\n", &save); line && f->nm < max;
	     line = strtok_r(NULL, "\n", &save))
		if (parse_line(line, &f->m[f->nm]))
			f->nm++;
	for (i = 0; i < f->nm; i++)
		f->points[i] = f->m[i].point;
	qsort(f->points, f->nm, sizeof(*f->points), cmp_str);
	return 0;
}

static bool is_mount_point(const struct finder *f, const char *path)
{
	const char *key = path;

	return bsearch(&key, f->points, f->nm, sizeof(*f->points),
		       cmp_str) != NULL;
}

static struct mnt *mount_by_id(struct finder *f, int id)
{
	size_t i;

	for (i = 0; i < f->nm; i++)
		if (f->m[i].id == id)
			return &f->m[i];
	return NULL;
}

/* Our name for what fd is on (d_path); NULL when it cannot be read. */
static char *fd_link(int fd)
{
	char proc[40], buf[PATH_MAX + 16], *p;
	long n;

	n = iwd_sys_readlink(iwd_fd_path(fd, proc, sizeof(proc)), buf,
			     sizeof(buf) - 1);
	if (n < 0 || n >= (long)sizeof(buf) - 1) {
		if (n >= 0)
			errno = ENAMETOOLONG;
		return NULL;
	}
	buf[n] = '\0';
	p = strdup(buf);
	if (!p)
		errno = ENOMEM;
	return p;
}

/* The mount and inode of our own root, that our names (d_path) start at. */
static bool own_root(struct finder *f)
{
	struct stat st;
	int fd;

	if (f->own)
		return f->own > 0;
	f->own = -1;
	fd = f->self ? f->root :
	     iwd_sys_open("/proc/self/root", O_PATH | O_DIRECTORY);
	if (fd < 0)
		return false;
	if (iwd_fd_mount_id(fd, &f->own_id) == 0 &&
	    iwd_sys_fstat(fd, &st) == 0) {
		f->own_ino = st.st_ino;
		f->own = 1;
	}
	if (fd != f->root)
		iwd_sys_close(fd);
	return f->own > 0;
}

/*
 * Whether a path made of our name for a handle opened on m (fd, reached
 * by mount id) needs no look beyond named(): m shows its filesystem
 * whole (a bind mount of a part can open inodes outside it, which the
 * kernel names from the filesystem's root), is no overlay (whose files
 * may show another device or inode than their watch), nothing else is
 * mounted on its point, our root is not inside it below its root (our
 * names would begin there, not at its root), and a change of the mount
 * table is seen (mi, recheck()).
 */
static bool trusted(struct finder *f, const struct mnt *m, int fd)
{
	struct stat st;
	size_t k;

	if (f->mi < 0 || !whole(m) || overlay(m) || !own_root(f))
		return false;
	for (k = 0; k < f->nm; k++)
		if (&f->m[k] != m && strcmp(f->m[k].point, m->point) == 0)
			return false;
	if (m->id != f->own_id)
		return true;
	return iwd_sys_fstat(fd, &st) == 0 && st.st_ino == f->own_ino;
}

/*
 * An O_PATH fd on m, opened through the process's root, and our name for
 * it; NULL when its mount point leads to another mount (one stacked on
 * top), errno set when the failure is ours (ENOMEM, EMFILE, ENFILE).
 */
static struct mnt *open_mount(struct finder *f, struct mnt *m)
{
	char path[PATH_MAX + 48];
	struct stat st;
	bool by_id = false;
	int fd, id;

	errno = 0;
	if (m->fd >= 0)
		return m;
	if (m->fd == -2)
		return NULL;
	m->fd = -2;
	if ((size_t)snprintf(path, sizeof(path), "%s/root%s", f->proc,
			     m->point) >= sizeof(path))
		return NULL;
	fd = iwd_sys_open(path, O_PATH | O_DIRECTORY);
	if (fd < 0)
		goto out;
	if (iwd_fd_mount_id(fd, &id) == 0) {
		if (id != m->id)
			goto out;
		by_id = true;
	} else if (iwd_sys_fstat(fd, &st) < 0 || st.st_dev != m->dev) {
		goto out;
	}
	m->link = fd_link(fd);
	if (!m->link)
		goto out;
	m->fd = fd;
	m->sure = by_id && trusted(f, m, fd);
	errno = 0;
	return m;
out:
	if (!fatal(errno))
		errno = 0;
	if (fd >= 0)
		iwd_sys_close(fd);
	return NULL;
}

/* ---- paths ---- */

/* What follows base in link (our names), or NULL: not beneath it. */
static const char *beneath(const char *link, const char *base)
{
	size_t n = strlen(base);

	if (strcmp(base, "/") == 0)
		return link;
	if (strncmp(link, base, n) != 0 || (link[n] && link[n] != '/'))
		return NULL;
	return link + n;
}

/* dir + rest ("" or "/..."), into buf; false when it does not fit. */
static bool join(char *buf, size_t size, const char *dir, const char *rest)
{
	if (strcmp(dir, "/") == 0 && *rest)
		dir = "";
	return (size_t)snprintf(buf, size, "%s%s", dir, rest) < size;
}

static bool deleted(const char *link)
{
	static const char tail[] = " (deleted)";
	size_t n = strlen(link);

	return n >= sizeof(tail) - 1 &&
	       strcmp(link + n - (sizeof(tail) - 1), tail) == 0;
}

/* path, absolute in the process's view, opened O_PATH from its root. */
static int open_beneath(struct finder *f, const char *path, int flags)
{
	int fd;

	if (!f->no_openat2) {
		fd = iwd_sys_openat2(f->root, path, flags | O_NOFOLLOW,
				     IWD_RESOLVE_IN_ROOT | IWD_RESOLVE_NO_MAGICLINKS);
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return fd;
		f->no_openat2 = true;
	}
	/* A name the kernel made has no symbolic link before its end. */
	while (*path == '/')
		path++;
	return iwd_sys_openat(f->root, *path ? path : ".", flags | O_NOFOLLOW);
}

/*
 * Does path name entry i's inode?  An overlay whose layers span
 * filesystems reports, without xino, a device of a layer's for files;
 * there the mount the path reaches settles it.  1 yes, 0 no, -1 fatal.
 */
static int verify(struct finder *f, size_t i, const char *path)
{
	const struct inotify_wd_watch *e = entry(f, i);
	struct stat st;
	struct mnt *m;
	int fd, id, ok = 0;

	fd = open_beneath(f, path, O_PATH);
	if (fd < 0)
		return fatal(errno) ? -1 : 0;
	if (iwd_sys_fstat(fd, &st) == 0 && st.st_ino == e->ino) {
		ok = st.st_dev == e->dev;
		if (!ok && !S_ISDIR(st.st_mode) &&
		    iwd_fd_mount_id(fd, &id) == 0) {
			m = mount_by_id(f, id);
			ok = m && m->dev == e->dev;
		}
		if (ok)
			f->st[i].symlink = S_ISLNK(st.st_mode);
	}
	iwd_sys_close(fd);
	return ok;
}

static int record(struct finder *f, size_t i, const char *path,
		  unsigned char method)
{
	size_t n = strlen(path) + 1;
	char *p;

	if (f->len + n > f->cap) {
		f->cap = (f->len + n) * 2 + 256;
		p = realloc(f->str, f->cap);
		if (!p) {
			errno = ENOMEM;
			return -1;
		}
		f->str = p;
	}
	memcpy(f->str + f->len, path, n);
	f->st[i].off = f->len;
	f->st[i].method = method;
	f->st[i].err = 0;
	f->len += n;
	return 0;
}

/* Check path for entry i and keep it if it names the inode: 1 kept. */
static int try_path(struct finder *f, size_t i, const char *path,
		    unsigned char method)
{
	int ok = verify(f, i, path);

	if (ok <= 0)
		return ok;
	return record(f, i, path, method) < 0 ? -1 : 1;
}

/* ---- handles ---- */

/* Make dir (an O_PATH fd) the working directory, remembering ours. */
static int enter(struct finder *f, int dir)
{
	if (f->cwd == dir)
		return 0;
	if (f->home < 0) {
		f->home = iwd_sys_open(".", O_PATH | O_DIRECTORY);
		if (f->home < 0)
			return -1;
	}
	if (iwd_sys_fchdir(dir) < 0)
		return -1;
	f->cwd = dir;
	return 0;
}

static void leave(struct finder *f)
{
	if (f->cwd >= 0 && f->home >= 0)
		iwd_sys_fchdir(f->home);
	f->cwd = -1;
}

/*
 * Open a handle on the filesystem of dir, and read our name for it.
 * NULL with errno 0 when it does not open (ESTALE and the like, kept in
 * *herr), or fatal errno; *gone when the inode has no name left.  With
 * out, the opened inode's fstat() (zeros if it failed).
 */
static char *open_handle(struct finder *f, int dir, int type,
			 unsigned int bytes, const unsigned char *h,
			 int *herr, bool *gone, struct stat *out)
{
	struct stat own = { 0 }, *st = out ? out : &own;
	bool stat_ok = false;
	char *link;
	int fd, err;

	*gone = false;
	/* A directory we may not enter (EACCES) is a way less, no more. */
	fd = enter(f, dir) < 0 ? -1 :
	     iwd_sys_open_by_handle(AT_FDCWD, type, bytes, h, O_PATH);
	if (fd < 0) {
		*herr = *herr == EPERM ? EPERM : errno;
		if (!fatal(errno))
			errno = 0;
		return NULL;
	}
	link = fd_link(fd);
	err = link || fatal(errno) ? errno : 0;
	if (link && (out || deleted(link)))
		stat_ok = iwd_sys_fstat(fd, st) == 0;
	if (!stat_ok)
		memset(st, 0, sizeof(*st));
	if (link && deleted(link) && stat_ok && st->st_nlink == 0)
		*gone = true;
	iwd_sys_close(fd);
	errno = link ? 0 : err;
	return link;
}

/*
 * Whether a mount of the process's view has its point on path beyond
 * m's point: on a directory of it, or on its end.  A lookup of path
 * would cross into that mount.
 */
static bool covered(const struct finder *f, const struct mnt *m, char *path)
{
	char *p = path + (strcmp(m->point, "/") ? strlen(m->point) : 0);
	bool hit;

	if (!*p)	/* m's point itself: trusted() looked at that */
		return false;
	for (;;) {
		p = strchr(p + 1, '/');
		if (p)
			*p = '\0';
		hit = is_mount_point(f, path);
		if (p)
			*p = '/';
		if (hit || !p)
			return hit;
	}
}

/*
 * Does path, m's point and our name (link) for a handle opened on m
 * past our name for m's root, name entry e's inode without a look from
 * the process's root?  The opened inode is e's (st).  The name is the
 * kernel's, made at one instant, of real directories (no symbolic
 * link) from m's root; m is trusted().  It leads elsewhere only when it
 * is no name (" (deleted)"), reads as m's root (a handle the kernel
 * opened without connecting it to a parent reads as "/"), or another
 * mount of the process's view covers a directory on it, or its end:
 * then the look decides.  The mounts are as parsed; recheck() covers a
 * change during the call.
 */
static bool named(struct finder *f, const struct mnt *m,
		  const struct inotify_wd_watch *e, const char *link,
		  char *path, const struct stat *st)
{
	if (!m->sure || st->st_ino != e->ino || st->st_dev != e->dev ||
	    deleted(link) || strcmp(link, m->link) == 0)
		return false;
	return !covered(f, m, path);
}

/* Keep path for entry i without the look: 1 kept, -1 fatal. */
static int keep(struct finder *f, size_t i, struct mnt *m, const char *path,
		const struct stat *st)
{
	if (record(f, i, path, INOTIFY_WD_FOUND_HANDLE) < 0)
		return -1;
	m->kept = true;
	f->st[i].symlink = S_ISLNK(st->st_mode);
	f->st[i].unlooked = true;
	f->unlooked++;
	return 1;
}

/*
 * Whether the mounts that paths were kept beneath still have the names
 * they had when opened: a rename of a directory above a mount point
 * changes the start of our names for everything beneath it.
 */
static bool names_moved(struct finder *f)
{
	bool moved = false;
	char *link;
	size_t k;

	for (k = 0; k < f->nm && !moved; k++) {
		if (!f->m[k].kept)
			continue;
		link = fd_link(f->m[k].fd);
		moved = !link || strcmp(link, f->m[k].link) != 0;
		free(link);
	}
	return moved;
}

/*
 * The paths kept without the look hold while the process's mount table
 * is the one parsed and the mounts keep their names: if the table
 * changed since the call opened it (the kernel flags the open
 * mountinfo), or a mount's name did, each gets the look after all, and
 * one that fails it is pending again.  -1 only when fatal.
 */
static int recheck(struct finder *f)
{
	size_t i;
	int ok;

	if (!f->unlooked || (iwd_sys_mounts_changed(f->mi) == 0 &&
			     !names_moved(f)))
		return 0;
	for (i = 0; i < f->n; i++) {
		if (!f->st[i].unlooked)
			continue;
		f->st[i].unlooked = false;
		ok = verify(f, i, f->str + f->st[i].off);
		if (ok < 0)
			return -1;
		if (!ok)
			f->st[i] = (struct state){ .off = NO_PATH,
						   .err = ESTALE };
	}
	f->unlooked = 0;
	return 0;
}

static void mark_gone(struct finder *f, size_t i)
{
	f->st[i].err = ENOENT;
	f->st[i].final = true;
}

/* Way 1: the handle, through each mount of the device (whole ones first). */
static int by_handle(struct finder *f, size_t i)
{
	const struct inotify_wd_watch *e = entry(f, i);
	char path[PATH_MAX], *link;
	const char *rest;
	struct stat st;
	struct mnt *m;
	size_t k;
	int pass, ok, herr = 0;
	bool gone;

	for (pass = 0; pass < 2; pass++) {
		for (k = 0; k < f->nm; k++) {
			m = &f->m[k];
			if (m->dev != e->dev ||
			    whole(m) != (pass == 0))
				continue;
			if (!open_mount(f, m)) {
				if (errno)
					return -1;
				continue;
			}
			link = open_handle(f, m->fd, e->handle_type,
					   e->handle_bytes, e->handle, &herr,
					   &gone, &st);
			if (!link) {
				if (errno)
					return -1;
				if (herr == EPERM)
					f->st[i].err = EPERM;
				/* No mount of it opens what the first did not. */
				return 0;
			}
			if (gone) {
				free(link);
				mark_gone(f, i);
				return 0;
			}
			rest = beneath(link, m->link);
			ok = 0;
			if (rest && join(path, sizeof(path), m->point, rest))
				ok = named(f, m, e, link, path, &st) ?
				     keep(f, i, m, path, &st) :
				     try_path(f, i, path,
					      INOTIFY_WD_FOUND_HANDLE);
			free(link);
			if (ok)
				return ok;
		}
	}
	return 0;
}

/* ---- overlay layers ---- */

static int parse_layers(struct mnt *m)
{
	size_t k;

	if (m->parsed)
		return 0;
	if (iwd_ovl_layers(m->super, m->super_len, &m->layer, &m->nlayer,
			   &m->layer_store) < 0)
		return -1;
	m->lv = calloc(2 * m->nlayer + 1, sizeof(*m->lv));
	if (!m->lv) {
		errno = ENOMEM;
		return -1;
	}
	for (k = 0; k < 2 * m->nlayer; k++)
		m->lv[k].fd = -1;
	m->parsed = true;
	return 0;
}

/* What statfs() reports as f_fsid, in the form iwd_ovl_fsid() gives. */
static uint64_t fsid_of(int fd)
{
	struct statfs sf;
	uint32_t v[2];

	if (iwd_sys_fstatfs(fd, &sf) < 0)
		return 0;
	memcpy(v, &sf.f_fsid, sizeof(v));
	return v[0] | (uint64_t)v[1] << 32;
}

/*
 * Layer k of m seen through view v (0: the process's root, 1: ours: the
 * options of a container's overlay name host paths); NULL when it does
 * not open, with errno when that is fatal.
 */
static struct layer_view *layer_fd(struct finder *f, struct mnt *m,
				   size_t k, int v)
{
	struct layer_view *l = &m->lv[2 * k + v];
	const char *p = m->layer[k].path;
	char path[PATH_MAX + 48];
	int err;

	errno = 0;
	if (l->fd != -1)
		return l->fd >= 0 ? l : NULL;
	l->fd = -2;
	/* A relative layer names a directory of a cwd nobody knows now. */
	if (p[0] != '/' ||
	    (size_t)snprintf(path, sizeof(path), "%s%s%s", v ? "" : f->proc,
			     v ? "" : "/root", p) >= sizeof(path))
		return NULL;
	l->fd = iwd_sys_open(path, O_PATH | O_DIRECTORY);
	if (l->fd >= 0) {
		l->link = fd_link(l->fd);
		if (l->link) {
			l->fsid = fsid_of(l->fd);
			return l;
		}
		err = errno;
		iwd_sys_close(l->fd);
		errno = err;
	}
	l->fd = -2;
	if (!fatal(errno))
		errno = 0;
	return NULL;
}

/* The overlay path of rest (inside the layers), through m: 1 found. */
static int try_merged(struct finder *f, size_t i, struct mnt *m,
		      const char *rest)
{
	char path[PATH_MAX];

	/* A mount of a subtree shows what lies beneath its root only. */
	rest = whole(m) ? rest : beneath(rest, m->root);
	if (!rest || !join(path, sizeof(path), m->point, rest))
		return 0;
	return try_path(f, i, path, INOTIFY_WD_FOUND_LAYER);
}

/*
 * The layer's handle opened on layer k of m, in both views: in pass 0
 * only where the layer's filesystem has the handle's uuid (fsid), in
 * pass 1 where it may have it.
 */
static int through_layer(struct finder *f, size_t i, struct mnt *m,
			 size_t k, const struct ovl_handle *oh, int pass)
{
	const uint64_t want = iwd_ovl_fsid(oh);
	struct layer_view *l;
	const char *rest;
	char *link;
	int v, ok, herr = 0;
	bool gone;

	for (v = 0; v < 2; v++) {
		l = layer_fd(f, m, k, v);
		if (!l) {
			if (errno)
				return -1;
			continue;
		}
		if ((want && l->fsid == want) != (pass == 0))
			continue;
		link = open_handle(f, l->fd, oh->type, oh->fid_bytes, oh->fid,
				   &herr, &gone, NULL);
		if (!link) {
			if (errno)
				return -1;
			continue;
		}
		rest = gone ? NULL : beneath(link, l->link);
		ok = rest ? try_merged(f, i, m, rest) : 0;
		free(link);
		if (gone) {
			mark_gone(f, i);
			return 1;
		}
		if (ok)
			return ok;
	}
	return 0;
}

/*
 * A layer the options name relatively (as mount(8) run in a directory
 * leaves them), or one that does not open: the fid opens on any mount of
 * the layer's filesystem, which the fsid of the handle's uuid finds, but
 * where the layer begins in it is not known.  The path inside the layer
 * is one of the tails of the path read there: each is tried beneath the
 * overlay, longest first, one check each.
 */
static int by_tail(struct finder *f, size_t i, struct mnt *ovl,
		   const struct ovl_handle *oh)
{
	const uint64_t want = iwd_ovl_fsid(oh);
	const char *tail;
	struct mnt *m;
	char *link;
	size_t j;
	int ok = 0, herr = 0;
	bool gone;

	for (j = 0; want && j < f->nm; j++) {
		m = &f->m[j];
		if (overlay(m) || !open_mount(f, m)) {
			if (errno)
				return -1;
			continue;
		}
		if (!m->fsid_read) {
			m->fsid = fsid_of(m->fd);
			m->fsid_read = true;
		}
		if (m->fsid != want)
			continue;
		link = open_handle(f, m->fd, oh->type, oh->fid_bytes, oh->fid,
				   &herr, &gone, NULL);
		if (!link) {
			if (errno)
				return -1;
			continue;
		}
		if (gone)
			mark_gone(f, i);
		for (tail = link; !gone && tail && ok == 0;
		     tail = strchr(tail + 1, '/'))
			ok = try_merged(f, i, ovl, tail);
		if (!gone && ok == 0)
			ok = try_merged(f, i, ovl, "");
		free(link);
		return gone ? 1 : ok;
	}
	return 0;
}

/* Whether a layer of this kind (upper or lower) opened in no view. */
static bool layer_missing(const struct mnt *m, bool upper)
{
	size_t k;

	for (k = 0; k < m->nlayer; k++)
		if (m->layer[k].upper == upper && m->lv[2 * k].fd < 0 &&
		    m->lv[2 * k + 1].fd < 0)
			return true;
	return !m->nlayer;
}

/* Way 2: an overlay handle, through the layers of each overlay of dev. */
static int by_layer(struct finder *f, size_t i)
{
	const struct inotify_wd_watch *e = entry(f, i);
	struct ovl_handle oh;
	struct mnt *m;
	size_t j, k;
	int ok, pass;

	if (iwd_ovl_decode(e->handle_type, e->handle_bytes, e->handle,
			   &oh) < 0)
		return 0;
	for (j = 0; j < f->nm; j++) {
		m = &f->m[j];
		if (m->dev != e->dev || !overlay(m))
			continue;
		if (parse_layers(m) < 0)
			return -1;
		for (pass = 0; pass < 2; pass++)
			for (k = 0; k < m->nlayer; k++) {
				if (m->layer[k].upper != oh.upper)
					continue;
				ok = through_layer(f, i, m, k, &oh, pass);
				if (ok)
					return ok;
			}
		if (layer_missing(m, oh.upper)) {
			ok = by_tail(f, i, m, &oh);
			if (ok)
				return ok;
		}
	}
	return 0;
}

static bool has_mount(struct finder *f, dev_t dev)
{
	size_t k;

	for (k = 0; k < f->nm; k++)
		if (f->m[k].dev == dev)
			return true;
	return false;
}

/* Ways that need no walk, for entry i; -1 only when fatal. */
static int direct(struct finder *f, size_t i)
{
	const struct inotify_wd_watch *e = entry(f, i);
	int ok;

	f->st[i].err = ESTALE;
	if (!has_mount(f, e->dev)) {
		f->st[i].err = ENODEV;
		f->st[i].final = true;
		return 0;
	}
	if (!e->handle_bytes)
		return 0;
	/*
	 * An overlay handle opens only on an overlay with nfs_export=on,
	 * its layer's handle on any: that one first (for other handles
	 * by_layer() issues no system call).
	 */
	ok = by_layer(f, i);
	if (ok == 0 && !f->st[i].final)
		ok = by_handle(f, i);
	return ok < 0 ? -1 : 0;
}

/* ---- the walk ---- */

static bool pending(void *arg, size_t i)
{
	struct finder *f = arg;

	return f->st[i].off == NO_PATH && !f->st[i].final;
}

/* The process's path of rel, found by the walk under way. */
static bool walk_path(const struct finder *f, char *buf, size_t size,
		      const char *rel)
{
	const char *base = strcmp(f->walk_base, "/") ? f->walk_base : "";
	int n = snprintf(buf, size, "%s/%s", base, rel);

	return n >= 0 && (size_t)n < size;
}

static size_t found(void *arg, size_t i, const char *rel)
{
	struct finder *f = arg;
	char path[PATH_MAX];
	int ok = 0;

	if (walk_path(f, path, sizeof(path), rel))
		ok = try_path(f, i, path, INOTIFY_WD_FOUND_WALK);
	if (ok < 0)
		f->walk_left = 0;	/* out of memory: stop */
	else if (ok > 0 && f->walk_left)
		f->walk_left--;
	return f->walk_left;
}

static bool skip(void *arg, const char *rel)
{
	struct finder *f = arg;
	char path[PATH_MAX];

	return walk_path(f, path, sizeof(path), rel) &&
	       is_mount_point(f, path);
}

struct pend {
	dev_t dev;
	struct walk_key k;
};

static int cmp_pend(const void *a, const void *b)
{
	const struct pend *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->k.ino != y->k.ino)
		return x->k.ino < y->k.ino ? -1 : 1;
	return x->k.i < y->k.i ? -1 : x->k.i > y->k.i;
}

static size_t count_pending(struct finder *f, const struct pend *p, size_t n)
{
	size_t k, left = 0;

	for (k = 0; k < n; k++)
		left += pending(f, p[k].k.i);
	return left;
}

/* Walk from dir (base: its path in the process's view) for dev's keys. */
static int walk_from(struct finder *f, int dir, const char *base,
		     const struct pend *p, size_t n, struct walk_key *keys,
		     bool deep, bool overlay)
{
	struct walk wk = {
		.root = dir, .dev = p[0].dev, .any_dev = overlay, .deep = deep,
		.keys = keys, .nkeys = n, .budget = &f->budget, .skip = skip,
		.found = found, .pending = pending, .arg = f,
	};
	size_t k;
	int ret;

	for (k = 0; k < n; k++)
		keys[k] = p[k].k;
	f->walk_base = base;
	f->walk_left = count_pending(f, p, n);
	if (!f->walk_left)
		return 0;
	ret = iwd_walk(&wk);
	return ret < 0 && !fatal(errno) ? 0 : ret;
}

/* ---- hints: directories the process uses ---- */

struct hints {
	char *dir[HINTS_MAX];
	size_t n;
};

/* Our name for fd, in the process's view: through its mount's point. */
static bool view_path(struct finder *f, int fd, char *buf, size_t size)
{
	struct mnt *m;
	const char *rest;
	char *link;
	bool ok;
	int id;

	if (iwd_fd_mount_id(fd, &id) < 0)
		return false;
	m = mount_by_id(f, id);
	if (!m || !open_mount(f, m))
		return false;
	link = fd_link(fd);
	if (!link)
		return false;
	rest = deleted(link) ? NULL : beneath(link, m->link);
	ok = rest && join(buf, size, m->point, rest);
	free(link);
	return ok;
}

static void add_hint(struct hints *h, const char *dir)
{
	size_t k;

	if (h->n == HINTS_MAX)
		return;
	for (k = 0; k < h->n; k++)
		if (strcmp(h->dir[k], dir) == 0)
			return;
	h->dir[h->n] = strdup(dir);
	if (h->dir[h->n])
		h->n++;
}

/* The pending entries, by device and inode. */
struct pending_set {
	struct pend *p;
	size_t n;
	struct walk_key *keys;	/* of one device at a time */
};

static bool dev_pending(const struct pending_set *ps, dev_t dev)
{
	size_t k;

	for (k = 0; k < ps->n; k++)
		if (ps->p[k].dev == dev)
			return true;
	return false;
}

/* The directory of what /proc/PID/<name> leads to (itself if one). */
static void hint_from(struct finder *f, const struct pending_set *ps,
		      struct hints *h, const char *name)
{
	char path[PATH_MAX], *slash;
	struct stat st;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", f->proc, name) >=
	    sizeof(path))
		return;
	fd = iwd_sys_open(path, O_PATH);
	if (fd < 0)
		return;
	if (iwd_sys_fstat(fd, &st) == 0 &&
	    (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) &&
	    dev_pending(ps, st.st_dev) && view_path(f, fd, path, sizeof(path))) {
		slash = strrchr(path, '/');
		if (!S_ISDIR(st.st_mode) && slash)
			*(slash == path ? slash + 1 : slash) = '\0';
		add_hint(h, path);
	}
	iwd_sys_close(fd);
}

/* Each name in /proc/PID/<dir> (fd, map_files), as a hint. */
/* One of the fds this call opened (in the calling process's own view). */
static bool own_fd(const struct finder *f, const char *name, int dirfd)
{
	const struct mnt *m;
	size_t k, j;
	char *end;
	long fd;

	fd = strtol(name, &end, 10);
	if (!f->self || *end || end == name)
		return false;
	if (fd == dirfd || fd == f->root || fd == f->home || fd == f->mi)
		return true;
	for (k = 0; k < f->nm; k++) {
		m = &f->m[k];
		if (m->fd == fd)
			return true;
		for (j = 0; m->parsed && j < 2 * m->nlayer; j++)
			if (m->lv[j].fd == fd)
				return true;
	}
	return false;
}

static void hints_in(struct finder *f, const struct pending_set *ps,
		     struct hints *h, const char *dir)
{
	char path[64], name[300], buf[8192];
	const char *d_name;
	long got, off;
	unsigned short reclen;
	size_t seen = 0;
	bool fds = strcmp(dir, "fd") == 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", f->proc, dir);
	fd = iwd_sys_open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return;
	while (seen < HINT_FDS_MAX && h->n < HINTS_MAX &&
	       (got = iwd_sys_getdents(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < got; off += reclen) {
			/* struct linux_dirent64: d_reclen at 16, name at 19 */
			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			d_name = buf + off + 19;
			if (d_name[0] == '.' || seen++ >= HINT_FDS_MAX ||
			    (fds && own_fd(f, d_name, fd)))
				continue;
			snprintf(name, sizeof(name), "%s/%s", dir, d_name);
			hint_from(f, ps, h, name);
		}
	}
	iwd_sys_close(fd);
}

static void hints_free(struct hints *h)
{
	while (h->n)
		free(h->dir[--h->n]);
}

static struct mnt *mount_of_dev(struct finder *f, dev_t dev)
{
	size_t k;

	for (k = 0; k < f->nm; k++)
		if (f->m[k].dev == dev)
			return &f->m[k];
	return NULL;
}

/* The range of ps with ps->p[from].dev, as [from, *to). */
static size_t run_end(const struct pending_set *ps, size_t from)
{
	size_t to = from;

	while (to < ps->n && ps->p[to].dev == ps->p[from].dev)
		to++;
	return to;
}

/* Each hint directory's own entries, for the pending of its device. */
static int walk_hints(struct finder *f, struct pending_set *ps)
{
	struct hints h = { .n = 0 };
	struct stat st;
	struct mnt *m;
	size_t k, a, b;
	int fd, ret = 0;

	hint_from(f, ps, &h, "cwd");
	hints_in(f, ps, &h, "fd");
	hints_in(f, ps, &h, "map_files");
	for (k = 0; k < h.n && ret == 0; k++) {
		fd = open_beneath(f, h.dir[k], O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			continue;
		a = iwd_sys_fstat(fd, &st) == 0 ? 0 : ps->n;
		while (a < ps->n && ps->p[a].dev != st.st_dev)
			a = run_end(ps, a);
		if (a < ps->n) {
			b = run_end(ps, a);
			m = mount_of_dev(f, st.st_dev);
			ret = walk_from(f, fd, h.dir[k], ps->p + a, b - a,
					ps->keys, false,
					m && overlay(m));
		}
		iwd_sys_close(fd);
	}
	hints_free(&h);
	return ret;
}

/* Each mount of each device with pending entries, at most once. */
static int walk_mounts(struct finder *f, struct pending_set *ps)
{
	size_t a, b, k;
	struct mnt *m;
	int pass, ret = 0;

	for (a = 0; a < ps->n && ret == 0; a = b) {
		b = run_end(ps, a);
		for (pass = 0; pass < 2 && ret == 0; pass++) {
			for (k = 0; k < f->nm && ret == 0; k++) {
				m = &f->m[k];
				if (m->dev != ps->p[a].dev || m->walked ||
				    whole(m) != (pass == 0))
					continue;
				m->walked = true;
				if (!open_mount(f, m)) {
					ret = errno ? -1 : 0;
					continue;
				}
				ret = walk_from(f, m->fd, m->point, ps->p + a,
						b - a, ps->keys, true,
						overlay(m));
			}
		}
	}
	return ret;
}

static int walk_all(struct finder *f)
{
	struct pending_set ps = { 0 };
	size_t i, k;
	int ret;

	for (i = 0; i < f->n; i++)
		ps.n += pending(f, i);
	if (!ps.n)
		return 0;
	ps.p = malloc(ps.n * sizeof(*ps.p));
	ps.keys = malloc(ps.n * sizeof(*ps.keys));
	if (!ps.p || !ps.keys) {
		free(ps.p);
		free(ps.keys);
		errno = ENOMEM;
		return -1;
	}
	for (i = 0, k = 0; i < f->n; i++)
		if (pending(f, i))
			ps.p[k++] = (struct pend){ entry(f, i)->dev,
						   { entry(f, i)->ino, i } };
	qsort(ps.p, ps.n, sizeof(*ps.p), cmp_pend);
	ret = walk_hints(f, &ps);
	if (ret == 0)
		ret = walk_mounts(f, &ps);
	if (ret == 1)
		for (i = 0; i < f->n; i++)
			if (pending(f, i))
				f->st[i].err = ERANGE;
	free(ps.p);
	free(ps.keys);
	return ret < 0 ? -1 : 0;
}

/* ---- the call ---- */

static void finder_free(struct finder *f)
{
	size_t k, j;

	leave(f);
	for (k = 0; k < f->nm; k++) {
		struct mnt *m = &f->m[k];

		if (m->fd >= 0)
			iwd_sys_close(m->fd);
		free(m->link);
		for (j = 0; m->parsed && j < 2 * m->nlayer; j++) {
			if (m->lv[j].fd >= 0)
				iwd_sys_close(m->lv[j].fd);
			free(m->lv[j].link);
		}
		free(m->lv);
		free(m->layer);
		free(m->layer_store);
	}
	if (f->home >= 0)
		iwd_sys_close(f->home);
	if (f->root >= 0)
		iwd_sys_close(f->root);
	if (f->mi >= 0)
		iwd_sys_close(f->mi);
	free(f->m);
	free(f->points);
	free(f->text);
	free(f->st);
}

/* The process's root and mounts; ESRCH when there is no such process. */
static int finder_open(struct finder *f, pid_t pid)
{
	char path[48];

	f->self = !pid;
	if (pid)
		snprintf(f->proc, sizeof(f->proc), "/proc/%d", (int)pid);
	else
		snprintf(f->proc, sizeof(f->proc), "/proc/self");
	snprintf(path, sizeof(path), "%s/root", f->proc);
	f->root = iwd_sys_open(path, O_PATH | O_DIRECTORY);
	if (f->root < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	/* Opened first: its flag tells a change after the read (recheck()). */
	snprintf(path, sizeof(path), "%s/mountinfo", f->proc);
	f->mi = iwd_sys_open(path, O_RDONLY);
	if (f->mi < 0 && fatal(errno))
		return -1;
	if (read_mounts(f) < 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	return 0;
}

/* Hand the paths over: one block, and each entry's path into it. */
static ssize_t finish(struct finder *f, struct inotify_wd_result *res,
		      char **strings)
{
	struct inotify_wd_watch *e;
	ssize_t left = 0;
	bool any = false;
	size_t i;
	char *p;

	/* The block grew by doubling: give the slack back. */
	if (f->str && f->len && f->len < f->cap) {
		p = realloc(f->str, f->len);
		if (p)
			f->str = p;
	}
	for (i = 0; i < f->n; i++) {
		e = entry(f, i);
		if (res) {
			res[i].method = f->st[i].method;
			res[i].error = f->st[i].method ? 0 : f->st[i].err;
		}
		if (f->st[i].method == INOTIFY_WD_FOUND_GIVEN)
			continue;
		if (f->st[i].off == NO_PATH) {
			left++;
			continue;
		}
		e->path = f->str + f->st[i].off;
		any = true;
		if (f->st[i].symlink)
			e->mask |= IN_DONT_FOLLOW;
	}
	if (!any) {
		/* Paths a recheck() took back: no path set, no block. */
		free(f->str);
		f->str = NULL;
	}
	*strings = f->str;
	f->str = NULL;
	return left;
}

struct job {
	struct finder *f;
	ssize_t ret;
};

static int run(void *arg)
{
	struct job *j = arg;
	struct finder *f = j->f;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (entry(f, i)->path) {
			f->st[i].method = INOTIFY_WD_FOUND_GIVEN;
			f->st[i].final = true;
			continue;
		}
		if (direct(f, i) < 0)
			goto fail;
	}
	leave(f);
	if (recheck(f) < 0)
		goto fail;
	if (!(f->flags & INOTIFY_WD_NO_WALK) && walk_all(f) < 0)
		goto fail;
	return 0;
fail:
	leave(f);
	return -1;
}

static bool needs_handles(struct finder *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!entry(f, i)->path && entry(f, i)->handle_bytes)
			return true;
	return false;
}

ssize_t iwd_find_paths(pid_t pid, struct inotify_wd_watch *w, size_t n,
		       size_t size, const struct inotify_wd_opts *opts,
		       char **strings)
{
	struct finder f = { .root = -1, .mi = -1, .home = -1, .cwd = -1 };
	struct job j = { .f = &f };
	unsigned long calls = 0;
	size_t i;
	int ret, err;

	f.w = (unsigned char *)w;
	f.n = n;
	f.size = size;
	f.flags = opts ? opts->flags : 0;
	f.budget = opts && opts->max_walk ? opts->max_walk : DEFAULT_MAX_WALK;
	f.st = malloc((n ? n : 1) * sizeof(*f.st));
	if (!f.st) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < n; i++)
		f.st[i] = (struct state){ .off = NO_PATH };
	ret = finder_open(&f, pid);
	if (ret == 0)
		ret = needs_handles(&f) && iwd_worker_needed() ?
		      iwd_worker_run(run, &j, &calls) : run(&j);
	err = errno;
	if (ret == 0)
		j.ret = finish(&f, opts ? opts->results : NULL, strings);
	free(f.str);
	finder_free(&f);
	errno = err;
	return ret == 0 ? j.ret : -1;
}
