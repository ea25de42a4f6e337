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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The directories still to read: paths from the root, first in first out. */
struct queue {
	char **p;
	size_t head, tail, cap;
};

static int enqueue(struct queue *q, const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
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
	s = malloc(dl + nl + 2);
	if (!s)
		goto nomem;
	memcpy(s, dir, dl);
	s[dl] = dl ? '/' : '\0';
	memcpy(s + dl + !!dl, name, nl + 1);
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

/* A child directory to read later: on the mount, and no mount point. */
static int consider_dir(const struct walk *wk, struct queue *q,
			const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	char rel[4096];

	if (dl + strlen(name) + 2 > sizeof(rel))
		return 0;
	memcpy(rel, dir, dl);
	rel[dl] = dl ? '/' : '\0';
	strcpy(rel + dl + !!dl, name);
	if (wk->skip(wk->arg, rel))
		return 0;
	return enqueue(q, dir, name);
}

struct scan {
	const struct walk *wk;
	struct queue *q;
	const char *dir;	/* from the root; "" is the root */
	int fd;
	size_t left;
};

static int entry(struct scan *s, const struct linux_dirent64 *d)
{
	const struct walk *wk = s->wk;
	const struct walk_key *k = lookup(wk, d->d_ino);
	bool dir = d->d_type == DT_DIR, is_dir;
	char rel[4096];
	struct stat st;

	if (k || wk->any_dev || d->d_type == DT_UNKNOWN) {
		if (iwd_sys_fstatat(s->fd, d->d_name, &st,
				    AT_SYMLINK_NOFOLLOW) < 0)
			return fatal(errno) ? -1 : 0;
		is_dir = S_ISDIR(st.st_mode);
		dir = is_dir && st.st_dev == wk->dev;
		k = lookup(wk, st.st_ino);
		if (k && (st.st_dev == wk->dev || (wk->any_dev && !is_dir)) &&
		    strlen(s->dir) + strlen(d->d_name) + 2 <= sizeof(rel)) {
			strcpy(rel, s->dir);
			if (*s->dir)
				strcat(rel, "/");
			strcat(rel, d->d_name);
			s->left = match(wk, k, rel, s->left);
		}
	}
	if (dir && wk->deep && s->left)
		return consider_dir(wk, s->q, s->dir, d->d_name);
	return 0;
}

/* Read one directory; 1 when the budget ran out. */
static int scan_dir(struct scan *s)
{
	union {
		struct linux_dirent64 d;
		char b[32768];
	} buf;
	const struct linux_dirent64 *d;
	long got, off;

	while (s->left) {
		got = iwd_sys_getdents(s->fd, buf.b, sizeof(buf.b));
		if (got <= 0)
			return got < 0 && fatal(errno) ? -1 : 0;
		for (off = 0; off < got && s->left; off += d->d_reclen) {
			d = (const void *)(buf.b + off);
			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			if (!*s->wk->budget)
				return 1;
			--*s->wk->budget;
			if (entry(s, d) < 0)
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

	if (enqueue(&q, "", "") < 0)
		return -1;
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
