// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The last way to a path: read a mount's directories, breadth first,
 * for the inode numbers of the watches nothing else found.  One walk
 * serves every pending watch of its mount, and the call's budget of
 * directory entries bounds them all, as CRIU's irmap scan is unbounded
 * and takes minutes on a large tree.  Breadth first finds the shallow
 * targets (a watched configuration directory) early.
 *
 * Directories are queued as paths relative to the walk's root and
 * opened again from it when their turn comes: no descriptor is held per
 * level, however deep the tree.  A directory whose device is not the
 * mount's, or that is another mount's mount point, is another mount and
 * not entered.  Reading a directory needs a real open, so a watch on a
 * directory the walk reads sees IN_OPEN, IN_ACCESS and IN_CLOSE_NOWRITE
 * (the man page says so); names are checked with fstatat(), which
 * queues nothing.
 *
 * readdir's d_ino is the inode number stat() reports on the usual
 * filesystems, so only entries whose d_ino is wanted are stat()ed.  An
 * overlay's merged directories may report other numbers there, so on an
 * overlay every entry is.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* One record of getdents64 (struct linux_dirent64), taken apart. */
struct dent {
	uint64_t ino;
	unsigned short reclen;
	unsigned char type;
	const char *name;
};

static void dent_at(const char *rec, struct dent *d)
{
	/* d_ino at 0, d_off at 8, d_reclen at 16, d_type at 18, name 19 */
	memcpy(&d->ino, rec, sizeof(d->ino));
	memcpy(&d->reclen, rec + 16, sizeof(d->reclen));
	d->type = (unsigned char)rec[18];
	d->name = rec + 19;
}

/* The directories still to read: paths from the root, first in first out. */
struct queue {
	char **p;
	size_t head, tail, cap;
};

/* dir/name ("" is the root: then name), into buf; false if too long. */
static bool rel_path(char *buf, size_t size, const char *dir,
		     const char *name)
{
	int n = snprintf(buf, size, "%s%s%s", dir, *dir ? "/" : "", name);

	return n >= 0 && (size_t)n < size;
}

static int enqueue(struct queue *q, const char *rel)
{
	char **p, *s;

	if (q->tail == q->cap) {
		if (q->head) {
			memmove(q->p, q->p + q->head,
				(q->tail - q->head) * sizeof(*q->p));
			q->tail -= q->head;
			q->head = 0;
		}
		if (q->tail == q->cap) {
			q->cap = q->cap ? 2 * q->cap : 64;
			p = realloc(q->p, q->cap * sizeof(*p));
			if (!p)
				goto nomem;
			q->p = p;
		}
	}
	s = strdup(rel);
	if (!s)
		goto nomem;
	q->p[q->tail++] = s;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

static void queue_free(struct queue *q)
{
	while (q->head < q->tail)
		free(q->p[q->head++]);
	free(q->p);
}

static const struct walk_key *lookup(const struct walk *wk, uint64_t ino)
{
	size_t lo = 0, hi = wk->nkeys, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (wk->keys[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < wk->nkeys && wk->keys[lo].ino == ino ? &wk->keys[lo] : NULL;
}

/* Every pending entry with this inode; how many are left then. */
static size_t match(const struct walk *wk, const struct walk_key *k,
		    const char *rel, size_t left)
{
	const struct walk_key *end = wk->keys + wk->nkeys;
	uint64_t ino = k->ino;

	for (; k < end && k->ino == ino; k++)
		if (wk->pending(wk->arg, k->i))
			left = wk->found(wk->arg, k->i, rel);
	return left;
}

static bool fatal(int err)
{
	return err == ENOMEM || err == EMFILE || err == ENFILE;
}

/* A child directory to read later, unless it is a mount point. */
static int consider_dir(const struct walk *wk, struct queue *q,
			const char *rel)
{
	return wk->skip(wk->arg, rel) ? 0 : enqueue(q, rel);
}

struct scan {
	const struct walk *wk;
	struct queue *q;
	const char *dir;	/* from the root; "" is the root */
	int fd;
	size_t left;
};

static int entry(struct scan *s, const struct dent *d)
{
	const struct walk *wk = s->wk;
	const struct walk_key *k = lookup(wk, d->ino);
	bool dir = d->type == DT_DIR, is_dir;
	char rel[4096];
	struct stat st;

	/* Deeper than a path can name: not reachable by one either. */
	if (!rel_path(rel, sizeof(rel), s->dir, d->name))
		return 0;
	if (k || wk->any_dev || d->type == DT_UNKNOWN) {
		if (iwd_sys_fstatat(s->fd, d->name, &st,
				    AT_SYMLINK_NOFOLLOW) < 0)
			return fatal(errno) ? -1 : 0;
		is_dir = S_ISDIR(st.st_mode);
		dir = is_dir && st.st_dev == wk->dev;
		k = lookup(wk, st.st_ino);
		if (k && (st.st_dev == wk->dev || (wk->any_dev && !is_dir)))
			s->left = match(wk, k, rel, s->left);
	}
	if (dir && wk->deep && s->left)
		return consider_dir(wk, s->q, rel);
	return 0;
}

/* Read one directory; 1 when the budget ran out. */
static int scan_dir(struct scan *s)
{
	/* 8-byte aligned, as the kernel writes the records */
	uint64_t buf[4096];
	const char *b = (const char *)buf;
	struct dent d;
	long got, off;

	while (s->left) {
		got = iwd_sys_getdents(s->fd, buf, sizeof(buf));
		if (got <= 0)
			return got < 0 && fatal(errno) ? -1 : 0;
		for (off = 0; off < got && s->left; off += d.reclen) {
			dent_at(b + off, &d);
			if (strcmp(d.name, ".") == 0 || strcmp(d.name, "..") == 0)
				continue;
			if (!*s->wk->budget)
				return 1;
			--*s->wk->budget;
			if (entry(s, &d) < 0)
				return -1;
		}
	}
	return 0;
}

/* Open a queued directory for reading, if it is still on the mount. */
static int open_dir(const struct walk *wk, const char *rel)
{
	struct stat st;
	int fd;

	fd = iwd_sys_openat(wk->root, *rel ? rel : ".",
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0)
		return fatal(errno) ? -1 : -2;
	if (iwd_sys_fstat(fd, &st) < 0 || st.st_dev != wk->dev) {
		iwd_sys_close(fd);
		return -2;
	}
	return fd;
}

int iwd_walk(const struct walk *wk)
{
	struct queue q = { 0 };
	struct scan s = { .wk = wk, .q = &q, .left = 1 };
	char *dir;
	int ret = 0;

	if (enqueue(&q, "") < 0) {
		queue_free(&q);
		return -1;
	}
	while (q.head < q.tail && s.left && ret == 0) {
		dir = q.p[q.head++];
		s.dir = dir;
		s.fd = open_dir(wk, dir);
		if (s.fd == -1)
			ret = -1;
		if (s.fd >= 0) {
			ret = scan_dir(&s);
			iwd_sys_close(s.fd);
		}
		free(dir);
	}
	queue_free(&q);
	return ret;
}
