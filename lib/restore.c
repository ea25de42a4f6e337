// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotify_wd_restore(): a whole set of watches in one ascending pass.
 *
 * Sorting by wd lets the cursor do the work: after creating wd N the
 * kernel's cursor is N+1, so a dense run needs no ioctl and no cycle at
 * all, and the fallback crosses the id space once for the whole set.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "internal.h"

/* The entries are sorted through small keys, never moved themselves. */
struct wd_key {
	int wd;
	size_t i;
};

struct inode_key {
	dev_t dev;
	uint64_t ino;
	size_t i;
};

struct batch {
	struct call *c;
	const unsigned char *w;	/* the caller's array, of size-byte elements */
	size_t n, size;
	struct wd_key *order;	/* ascending wd */
	struct mounts mounts;
};

static const struct inotify_wd_watch *entry(const struct batch *b, size_t i)
{
	return (const void *)(b->w + i * b->size);
}

/* The k-th entry in ascending wd order. */
static const struct inotify_wd_watch *nth(const struct batch *b, size_t k)
{
	return entry(b, b->order[k].i);
}

static int fail_at(struct batch *b, size_t index, int err)
{
	b->c->st.failed = index;
	errno = err;
	return -1;
}

static int cmp_wd(const void *x, const void *y)
{
	const struct wd_key *a = x, *b = y;

	return (a->wd > b->wd) - (a->wd < b->wd);
}

static int cmp_inode(const void *x, const void *y)
{
	const struct inode_key *a = x, *b = y;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return (a->ino > b->ino) - (a->ino < b->ino);
}

static bool sorted(const struct wd_key *k, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (k[i - 1].wd > k[i].wd)
			return false;
	return true;
}

static bool entry_valid(const struct inotify_wd_watch *w)
{
	if (w->wd < 1 || !iwd_mask_valid(w->mask) ||
	    (w->flags & ~(unsigned int)INOTIFY_WD_WATCH_MOUNT_FD))
		return false;
	return w->path ||
	       (w->handle_bytes && w->handle_bytes <= INOTIFY_WD_HANDLE_MAX);
}

/* Refuse any inode named twice, among the m entries that give one. */
static int check_inodes(struct batch *b, struct inode_key *k, size_t m)
{
	size_t i;

	qsort(k, m, sizeof(*k), cmp_inode);
	for (i = 1; i < m; i++)
		if (cmp_inode(&k[i - 1], &k[i]) == 0)
			return fail_at(b, k[i].i, EEXIST);
	return 0;
}

/*
 * Everything that can be refused before the fd is touched.  One pass over
 * the entries fills both sort keys: entries are large, and each extra
 * pass over 10,000 of them costs cache misses a plain add loop does not.
 */
static int validate(struct batch *b)
{
	const struct inotify_wd_watch *w;
	struct inode_key *k;
	size_t i, m = 0;
	int ret = 0;

	k = malloc(b->n * sizeof(*k));
	if (!k)
		return fail_at(b, b->n, ENOMEM);
	for (i = 0; i < b->n; i++) {
		w = entry(b, i);
		if (!entry_valid(w) || !iwd_layout_tail_clear(w, b->size)) {
			free(k);
			return fail_at(b, i, entry_valid(w) ? E2BIG : EINVAL);
		}
		b->order[i] = (struct wd_key){ w->wd, i };
		if (w->ino)	/* path entries may leave it 0 */
			k[m++] = (struct inode_key){ w->dev, w->ino, i };
	}
	/* Dumps come sorted already: then the O(n) check is all it costs. */
	if (!sorted(b->order, b->n))
		qsort(b->order, b->n, sizeof(*b->order), cmp_wd);
	for (i = 1; i < b->n && !ret; i++)
		if (b->order[i].wd == b->order[i - 1].wd)
			ret = fail_at(b, b->order[i].i, EINVAL);
	if (!ret)
		ret = check_inodes(b, k, m);
	free(k);
	return ret;
}

/* The fallback refuses busy wds and a non-empty queue up front. */
static int begin_fallback(struct batch *b)
{
	size_t i, busy = 0;
	int *wds, ret;

	wds = malloc(b->n * sizeof(*wds));
	if (!wds)
		return fail_at(b, b->n, ENOMEM);
	for (i = 0; i < b->n; i++)
		wds[i] = nth(b, i)->wd;
	ret = iwd_fallback_begin(b->c, wds, b->n, &busy);
	free(wds);
	if (ret < 0 && errno == EBUSY && busy < b->n)
		b->c->st.failed = b->order[busy].i;
	b->c->horizon = nth(b, b->n - 1)->wd;
	return ret;
}

/* Place entry k (arm: give its placed watch the caller's mask). */
static int restore_one(struct batch *b, size_t k, bool cursor_at_wd,
		       bool arm)
{
	const struct inotify_wd_watch *w = nth(b, k);
	uint32_t mask = w->mask;
	const char *path;
	char buf[40];
	int fd, got, err;

	if (iwd_target_open(&b->mounts, w, buf, sizeof(buf), &path, &fd) < 0)
		return -1;
	/* /proc/self/fd/N is a link that must be followed to the target. */
	if (fd >= 0)
		mask &= ~(uint32_t)IN_DONT_FOLLOW;
	if (arm)
		got = iwd_arm_watch(b->c, path, mask, w->wd);
	else
		got = iwd_place_watch(b->c, path, mask, w->wd, cursor_at_wd);
	err = errno;
	if (fd >= 0)
		iwd_sys_close(fd);
	errno = err;
	return got;
}

/* Remove what this call created; the caller's watches stay. */
static void rollback(struct call *c)
{
	int saved = errno;
	size_t i;

	for (i = c->ncreated; i > 0; i--) {
		iwd_remove_own(c, c->created[i - 1]);
		if (c->pending >= (int)c->feat.drain_batch)
			iwd_queue_drain(c);
	}
	iwd_queue_settle(c);
	c->ncreated = 0;
	errno = saved;
}

static int failed(struct batch *b, size_t k)
{
	b->c->st.failed = b->order[k].i;
	if (!(b->c->flags & INOTIFY_WD_NO_ROLLBACK))
		rollback(b->c);
	return -1;
}

/*
 * Without the ioctl, watches are placed quiet (no event bits) while the
 * fallback crosses the id space, and armed with their masks only at the
 * end: an event on an armed watch would be indistinguishable from the
 * IN_IGNORED events the fallback must read back.
 */
static int arm_all(struct batch *b)
{
	size_t k;

	for (k = 0; k < b->n; k++)
		if (restore_one(b, k, false, true) < 0)
			return failed(b, k);
	return 0;
}

static int run(struct batch *b)
{
	struct call *c = b->c;
	int next = 0;
	size_t k;

	if (!iwd_call_use_ioctl(c)) {
		if (begin_fallback(b) < 0)
			return -1;
		c->defer_masks = true;
	}
	for (k = 0; k < b->n; k++) {
		if (restore_one(b, k, next == nth(b, k)->wd, false) < 0)
			return failed(b, k);
		c->created[c->ncreated++] = nth(b, k)->wd;
		next = nth(b, k)->wd == INT_MAX ? 0 : nth(b, k)->wd + 1;
	}
	if (c->defer_masks && arm_all(b) < 0)
		return -1;
	c->st.failed = b->n;
	return 0;
}

static int restore(struct call *c, const struct inotify_wd_watch *w,
		   size_t n, size_t size)
{
	struct batch b = { .c = c, .w = (const void *)w, .n = n, .size = size };
	int ret = -1;

	/* Errors that concern no single entry report the count. */
	c->st.failed = n;
	/* No array; or a count no array could hold (the keys must fit). */
	if ((!w && n) || n > SIZE_MAX / sizeof(struct inode_key) ||
	    iwd_layout_check(size) < 0 || (n && n > SIZE_MAX / size)) {
		errno = EINVAL;
		return -1;
	}
	if (!n)
		return 0;
	/* zeroed: the analyzer cannot follow validate() filling it */
	b.order = calloc(n, sizeof(*b.order));
	c->created = malloc(n * sizeof(*c->created));
	if (!b.order || !c->created)
		errno = ENOMEM;
	else if (validate(&b) == 0)
		ret = run(&b);
	iwd_mounts_free(&b.mounts);
	free(b.order);
	free(c->created);
	c->created = NULL;
	return ret;
}

EXPORT int inotify_wd_restore(int fd, const struct inotify_wd_watch *watches,
			      size_t count, size_t size,
			      const struct inotify_wd_opts *opts,
			      struct inotify_wd_stats *stats)
{
	struct call c;

	if (iwd_call_begin(&c, fd, opts, stats) < 0) {
		c.st.failed = count;
		return iwd_call_end(&c, -1);
	}
	return iwd_call_end(&c, restore(&c, watches, count, size));
}
