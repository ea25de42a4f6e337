// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotify_wd_restore(): a whole set of watches in one ascending pass.
 *
 * Sorting by wd lets the cursor do the work: after creating wd N the
 * kernel's cursor is N+1, so a dense run needs no ioctl and no cycle at
 * all, and the fallback crosses the id space once for the whole set.
 *
 * The fallback must read back the IN_IGNORED events of its cycles, which
 * it can only do while no watch that reports events could have queued
 * one (queue.c).  So the watches placed before its last cycle are placed
 * quiet and given their masks once it is done; those after it, a dense
 * run, get their masks as they are created, one add each.  The targets
 * placed quiet are held by O_PATH fds, paths too, so that the second
 * add, which cannot carry IN_MASK_CREATE, reaches the inode of the first
 * whatever the path names by then.  The fds are kept within a share of
 * RLIMIT_NOFILE; past it a handle is opened again, and a path opened
 * again is checked against the inode recorded at its first add.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

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

/* api.c bounds n by the entries' size: the keys' arrays then fit too. */
_Static_assert(sizeof(struct wd_key) <= sizeof(struct inotify_wd_watch) &&
	       sizeof(struct inode_key) <= sizeof(struct inotify_wd_watch),
	       "sort keys larger than an entry");

/*
 * The inode a quiet entry's watch was placed on: its O_PATH fd while the
 * budget lasts, else its identity, checked when the path is opened again
 * to give the watch its mask.
 */
struct kept {
	int fd;			/* -1: not held */
	dev_t dev;
	ino_t ino;
};

struct batch {
	struct call *c;
	const unsigned char *w;	/* the caller's array: n of size bytes */
	size_t n, size;
	struct wd_key *order;	/* ascending wd */
	struct targets targets;
	bool worker;		/* a handle needs a mount lookup */
	inotify_wd_progress_fn *progress;	/* the caller's, wrapped */
	void *progress_arg;
	/* fallback only */
	int horizon;		/* the last wd: the bound covers it */
	size_t quiet;		/* entries [0, quiet) wait for masks */
	struct kept *kept;	/* their inodes, held or recorded */
	size_t budget;		/* fds that may still be kept */
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

/* The flags that choose a target other than a path or a handle. */
#define TARGET_FLAGS \
	(INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT | \
	 INOTIFY_WD_WATCH_OPEN_CB | INOTIFY_WD_WATCH_HANDLE_FIRST | \
	 INOTIFY_WD_WATCH_SAME_INODE)

static bool handle_given(const struct inotify_wd_watch *w)
{
	return w->handle_bytes && w->handle_bytes <= INOTIFY_WD_HANDLE_MAX;
}

/* The rules of inotify_wd_restore(3)'s "Targets". */
static bool entry_valid(const struct batch *b, const struct inotify_wd_watch *w)
{
	const unsigned int known = INOTIFY_WD_WATCH_MOUNT_FD | TARGET_FLAGS;
	unsigned int f = w->flags;

	if (w->wd < 1 || !iwd_mask_valid(w->mask) || (f & ~known))
		return false;
	/* HANDLE_FIRST's path is checked as SAME_INODE's is. */
	if ((f & (INOTIFY_WD_WATCH_SAME_INODE | INOTIFY_WD_WATCH_HANDLE_FIRST)) &&
	    !w->ino)
		return false;
	if (f & INOTIFY_WD_WATCH_OPEN_CB)
		return b->c->open_target != NULL;
	if ((f & INOTIFY_WD_WATCH_IN_ROOT) && !(f & INOTIFY_WD_WATCH_DIRFD))
		return false;
	if ((f & (INOTIFY_WD_WATCH_DIRFD | INOTIFY_WD_WATCH_IN_ROOT |
		  INOTIFY_WD_WATCH_HANDLE_FIRST)) && !w->path)
		return false;
	if ((f & INOTIFY_WD_WATCH_HANDLE_FIRST) && !handle_given(w))
		return false;
	return w->path || handle_given(w);
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

/* What one entry tells about the batch as a whole. */
static void note_entry(struct batch *b, const struct inotify_wd_watch *w)
{
	if (iwd_target_needs_worker(w))
		b->worker = true;
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
		if (!entry_valid(b, w) || !iwd_layout_tail_clear(w, b->size)) {
			free(k);
			return fail_at(b, i, entry_valid(b, w) ? E2BIG : EINVAL);
		}
		note_entry(b, w);
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

/*
 * Does entry k follow entry k-1 without a cycle?  It does when every wd
 * between the two is taken by a watch fdinfo showed: the allocator skips
 * those by itself.
 */
static bool follows(const struct batch *b, size_t k)
{
	int prev = nth(b, k - 1)->wd, wd = nth(b, k)->wd;

	return iwd_taken_between(&b->c->taken, prev, wd) ==
	       (unsigned long)(wd - prev - 1);
}

/*
 * The entry of the last cycle: those before it wait quiet for their
 * masks.  Entry 0 always counts as cycling, since only the first add
 * tells where the cursor is.
 */
static size_t last_cycle(const struct batch *b)
{
	size_t k;

	for (k = b->n - 1; k > 0; k--)
		if (!follows(b, k))
			return k;
	return 0;
}

/* The fallback refuses busy wds and a non-empty queue up front. */
static int claim_fallback(struct batch *b)
{
	size_t i, busy = 0;
	int *wds, ret;

	wds = malloc(b->n * sizeof(*wds));
	if (!wds)
		return fail_at(b, b->n, ENOMEM);
	for (i = 0; i < b->n; i++)
		wds[i] = nth(b, i)->wd;
	ret = iwd_fallback_claim(b->c, wds, b->n, &busy);
	free(wds);
	if (ret < 0 && errno == EBUSY && busy < b->n)
		b->c->st.failed = b->order[busy].i;
	b->horizon = nth(b, b->n - 1)->wd;
	return ret;
}

/* The fds this process has open, from /proc/self/fd; -1 if unreadable. */
static long open_fds(void)
{
	uint64_t buf[512] = { 0 };	/* aligned as linux_dirent64 */
	const unsigned char *b = (const unsigned char *)buf;
	long n, count = -1;	/* the directory's own fd */
	unsigned short reclen;
	size_t off;
	int dir;

	dir = iwd_sys_open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	if (dir < 0)
		return -1;
	/* struct linux_dirent64: d_reclen at 16, d_name at 19. */
	while ((n = iwd_sys_getdents(dir, buf, sizeof(buf))) > 0) {
		for (off = 0; off < (size_t)n; off += reclen) {
			memcpy(&reclen, b + off + 16, sizeof(reclen));
			if (b[off + 19] != '.')
				count++;
		}
	}
	iwd_sys_close(dir);
	return n < 0 ? -1 : count;
}

/*
 * How many O_PATH fds the quiet entries may keep until they are armed:
 * half of what RLIMIT_NOFILE leaves free, so that the caller's other
 * threads keep room; a quarter of the limit when /proc cannot tell.
 */
static size_t fd_budget(void)
{
	unsigned long limit;
	long used;

	if (iwd_sys_nofile_limit(&limit) < 0)
		return 0;
	used = open_fds();
	if (used < 0)
		return limit / 4;
	return (unsigned long)used < limit ? (limit - (size_t)used) / 2 : 0;
}

static int plan_quiet(struct batch *b)
{
	size_t k;

	b->quiet = last_cycle(b);
	if (!b->quiet)
		return 0;
	b->kept = malloc(b->quiet * sizeof(*b->kept));
	if (!b->kept)
		return fail_at(b, b->n, ENOMEM);
	for (k = 0; k < b->quiet; k++)
		b->kept[k] = (struct kept){ .fd = -1 };
	b->budget = fd_budget();
	return 0;
}

/*
 * Keep the fd of quiet entry k for its second add, if the budget allows;
 * else record its inode, so that the path opened again can be checked.
 */
static bool keep_fd(struct batch *b, size_t k, int fd)
{
	struct stat st;

	if (k >= b->quiet)
		return false;
	if (!b->budget) {
		if (iwd_sys_fstat(fd, &st) == 0) {
			b->kept[k].dev = st.st_dev;
			b->kept[k].ino = st.st_ino;
		}
		return false;
	}
	b->kept[k].fd = fd;
	b->budget--;
	return true;
}

/*
 * The name the fallback may cycle by on 4.19+ (fallback.c): the path as
 * given, when its lookup bits are the held target's; NULL for a handle,
 * and for any target chosen by TARGET_FLAGS: their path is not a name from the
 * working directory (IN_ROOT, OPEN_CB, HANDLE_FIRST), would be from a
 * dirfd the progress callback leaves (DIRFD), or must be checked first
 * (SAME_INODE).  Those cycle through the held fd.
 */
static const char *cycle_name(const struct inotify_wd_watch *w)
{
	if ((w->flags & TARGET_FLAGS) || (w->mask & IN_DONT_FOLLOW))
		return NULL;
	return w->path;
}

/*
 * Create the watch of entry k at its wd; next is the wd the cursor stands
 * at, or 0.  The fast path sets the cursor where it is elsewhere; the
 * fallback cycles up to the last gap, and adds at the cursor after it.
 */
static int place(struct batch *b, size_t k, const char *path, uint32_t mask,
		 int next, unsigned int how)
{
	struct call *c = b->c;
	int wd = nth(b, k)->wd;

	if (iwd_call_use_ioctl(c))
		return next == wd ? iwd_add_at_cursor(c, path, mask, wd, how) :
				    iwd_fast_add(c, path, mask, wd, how);
	if (k > b->quiet)
		return iwd_add_at_cursor(c, path, mask, wd, how);
	return iwd_fallback_add(c, path, mask, wd, b->horizon,
				k < b->quiet ? how | IWD_CREATE_QUIET : how,
				cycle_name(nth(b, k)));
}

/* Through an fd (/proc/self/fd/N), the mask create.c gives a held one. */
static uint32_t mask_for(const struct inotify_wd_watch *w, int fd)
{
	return fd >= 0 ? iwd_held_mask(w->mask) : w->mask;
}

/* One call of the caller's open_target callback, and what it gave. */
struct opening {
	const struct call *c;
	const struct inotify_wd_watch *w;
	size_t i;		/* the entry's index in the caller's array */
	int fd, err;
};

static void open_home(void *arg)
{
	struct opening *o = arg;

	errno = 0;
	o->fd = o->c->open_target(o->w, o->i, o->c->open_target_arg);
	o->err = errno;
}

/*
 * Entry k's target from the caller's callback, run in the calling thread
 * and its working directory (as the progress callback: handed over by
 * the worker, else after going back home).  -1 with the callback's
 * errno, or EIO when it set none.
 */
static int call_open(struct batch *b, size_t k)
{
	struct opening o = { b->c, nth(b, k), b->order[k].i, -1, 0 };

	if (!iwd_worker_hand(open_home, &o)) {
		if (iwd_targets_leave(&b->targets) < 0)
			return -1;
		open_home(&o);
	}
	if (o.fd >= 0)
		return o.fd;
	errno = o.err ? o.err : EIO;
	return -1;
}

/*
 * Open entry k's target, held by an O_PATH fd when k is quiet: its
 * second add, which has no IN_MASK_CREATE, must reach the same inode as
 * the first whatever the path names by then.
 */
static int open_target(struct batch *b, size_t k, char *buf, size_t size,
		       const char **path, int *fd)
{
	const struct inotify_wd_watch *w = nth(b, k);

	if (w->flags & INOTIFY_WD_WATCH_OPEN_CB) {
		b->targets.handle_error = 0;
		*fd = call_open(b, k);
		if (*fd < 0)
			return -1;
		*path = iwd_fd_path(*fd, buf, size);
		return 0;
	}
	if (iwd_target_open(&b->targets, w, buf, size, path, fd) < 0)
		return -1;
	if (*fd >= 0 || k >= b->quiet)
		return 0;
	*fd = iwd_hold_open(*path, w->mask);
	if (*fd < 0)
		return -1;
	*path = iwd_fd_path(*fd, buf, size);
	return 0;
}

/* The entry of the call whose watch is wd, by binary search, or NULL. */
static const struct inotify_wd_watch *entry_of(const struct batch *b, int wd)
{
	size_t lo = 0, hi = b->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (b->order[mid].wd < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < b->n && b->order[lo].wd == wd ? nth(b, lo) : NULL;
}

/*
 * A FRESH add reached the watch of an earlier entry (two entries on one
 * inode, which check_inodes() cannot see when ino is 0) and gave it this
 * entry's mask: give it its own back, through this entry's target, with
 * this target's lookup bits.
 */
static void mend(struct batch *b, const char *path, uint32_t used)
{
	const struct inotify_wd_watch *w = entry_of(b, b->c->clash);

	if (!w) {
		b->c->clash = 0;
		return;
	}
	iwd_create_mend(b->c, path, (w->mask & ~(uint32_t)LOOKUP_BITS) |
					    (used & LOOKUP_BITS));
}

/* Create entry k's watch; next is the wd the cursor stands at, or 0. */
static int place_one(struct batch *b, size_t k, int next)
{
	const struct inotify_wd_watch *w = nth(b, k);
	const char *path;
	char buf[40];
	int fd, got, err;

	if (open_target(b, k, buf, sizeof(buf), &path, &fd) < 0)
		return -1;
	got = place(b, k, path, mask_for(w, fd), next,
		    fd >= 0 ? IWD_CREATE_HELD : 0);
	if (got < 0 && b->c->clash)
		mend(b, path, mask_for(w, fd));
	err = errno;
	if (fd >= 0 && (got < 0 || !keep_fd(b, k, fd)))
		iwd_sys_close(fd);
	errno = err;
	return got;
}

/*
 * Open quiet entry k's target again, beyond the budget: a handle names
 * its inode; a path, and what the callback gives when called a second
 * time, are checked against the inode recorded at placement before any
 * add (ESTALE when it was renamed or replaced meanwhile).
 */
static int reopen(struct batch *b, size_t k, char *buf, size_t size,
		  const char **path, int *fd)
{
	const struct inotify_wd_watch *w = nth(b, k);
	const struct kept *p = &b->kept[k];
	struct stat st;

	if (open_target(b, k, buf, size, path, fd) < 0)
		return -1;
	if (!w->path && !(w->flags & INOTIFY_WD_WATCH_OPEN_CB))
		return 0;
	if (iwd_sys_fstat(*fd, &st) == 0) {
		/* Nothing recorded (the fstat at placement failed): ESTALE. */
		if (st.st_dev == p->dev && st.st_ino == p->ino && p->ino)
			return 0;
		errno = ESTALE;
	}
	iwd_sys_close(*fd);
	*fd = -1;
	return -1;
}

/* Give quiet entry k its mask, through the inode it was placed on. */
static int arm_one(struct batch *b, size_t k)
{
	const struct inotify_wd_watch *w = nth(b, k);
	const char *path;
	char buf[40];
	int fd = b->kept[k].fd, got, err;

	b->kept[k].fd = -1;
	if (fd >= 0)
		path = iwd_fd_path(fd, buf, sizeof(buf));
	else if (reopen(b, k, buf, sizeof(buf), &path, &fd) < 0)
		return -1;
	got = iwd_create_arm(b->c, path, mask_for(w, fd), w->wd);
	err = errno;
	if (fd >= 0)
		iwd_sys_close(fd);
	errno = err;
	return got;
}

static void close_kept(struct batch *b)
{
	size_t k;

	for (k = 0; b->kept && k < b->quiet; k++)
		if (b->kept[k].fd >= 0)
			iwd_sys_close(b->kept[k].fd);
	free(b->kept);
	b->kept = NULL;
}

/*
 * Remove what this call created from its from-th watch (in wd order) on;
 * the caller's watches stay.  The k-th watch created is entry k's: their
 * results say they are gone.
 */
static void rollback(struct batch *b, size_t from)
{
	struct call *c = b->c;
	struct taken *t = &c->taken;
	int saved = errno;
	size_t i;

	for (i = t->ncreated; i > from; i--) {
		iwd_remove_own(c, t->created[i - 1]);
		if (c->results)
			c->results[b->order[i - 1].i].wd = 0;
		if (c->pending >= (int)iwd_call_drain(c))
			iwd_queue_drain(c);
	}
	iwd_queue_settle(c);
	t->ncreated = from;
	errno = saved;
}

/*
 * Entry k failed; the quiet entries below armed are armed already.  With
 * INOTIFY_WD_NO_ROLLBACK the watches below k stay, so each must report
 * its events: the quiet ones still waiting get their masks now.  If one
 * of those arms fails, the kept watches end below it instead, and it is
 * the entry reported (stats.failed, errno).
 */
static int failed(struct batch *b, size_t k, size_t armed)
{
	int err = errno;
	size_t j;

	if (!(b->c->flags & INOTIFY_WD_NO_ROLLBACK) || b->c->whole) {
		b->c->st.failed = b->c->whole ? b->n : b->order[k].i;
		rollback(b, 0);
		return -1;
	}
	for (j = armed; j < k && j < b->quiet; j++) {
		if (arm_one(b, j) < 0) {
			err = errno;
			k = j;
			break;
		}
	}
	b->c->st.failed = b->order[k].i;
	rollback(b, k);
	errno = err;
	return -1;
}

/*
 * What entry k's placement did, cycles counted from before: the caller's
 * result, if asked for.  A few stores per entry, in the pass there is.
 */
static void note_result(struct batch *b, size_t k, unsigned long before,
			int wd)
{
	struct inotify_wd_result *r = b->c->results;

	if (!r)
		return;
	r += b->order[k].i;
	r->wd = wd;
	r->method = wd ? b->c->st.method : INOTIFY_WD_METHOD_NONE;
	r->cycles = b->c->st.cycles - before;
	/* HANDLE_FIRST: why the handle was passed over for the path */
	r->handle_error = b->targets.handle_error;
}

static int place_all(struct batch *b)
{
	struct call *c = b->c;
	unsigned long before;
	int next = 0, wd;
	size_t k;

	for (k = 0; k < b->n; k++) {
		before = c->st.cycles;
		if (place_one(b, k, next) < 0) {
			note_result(b, k, before, 0);
			return failed(b, k, 0);
		}
		wd = nth(b, k)->wd;
		note_result(b, k, before, wd);
		c->taken.created[c->taken.ncreated++] = wd;
		next = wd == INT_MAX ? 0 : wd + 1;
	}
	for (k = 0; k < b->quiet; k++)
		if (arm_one(b, k) < 0)
			return failed(b, k, k);
	return 0;
}

/*
 * The snapshot, where the kernel needs one, before the first entry: not
 * being able to read it is no entry's failure.  A FRESH call needs none,
 * unless the fallback cycles past a gap: then the watch it cycles must be
 * told from one that a false promise left (create.c iwd_create_learn()),
 * and next to those cycles one read of fdinfo costs little.  Without a
 * gap, only the first entry can cycle, and learns when it does.
 */
static int prepare(struct batch *b)
{
	if (iwd_create_prepare(b->c, 0) < 0)
		return -1;
	if (b->quiet && iwd_create_learn(b->c, 0) < 0) {
		b->c->whole = false;
		return -1;
	}
	return 0;
}

/*
 * The batch, where it runs.  Success or failure, the working directory
 * is back where it was when it returns; should that fail after a
 * success, the call fails (no entry at fault), its watches removed.
 */
static int run(struct batch *b)
{
	int ret = -1, err;

	if (iwd_fast_settle(b->c, nth(b, 0)->wd) < 0)
		ret = -1;
	else if ((iwd_call_use_ioctl(b->c) ||
		  (claim_fallback(b) == 0 && plan_quiet(b) == 0)) &&
		 prepare(b) == 0)
		ret = place_all(b);
	err = errno;
	if (iwd_targets_leave(&b->targets) < 0 && ret == 0) {
		rollback(b, 0);
		ret = -1;
		b->c->st.failed = b->n;	/* no entry at fault */
	} else {
		errno = err;
	}
	if (ret == 0)
		b->c->st.failed = b->n;
	return ret;
}

static int run_job(void *arg)
{
	return run(arg);
}

/*
 * The caller's progress callback, in the calling thread and in the
 * caller's working directory: the worker hands it over to the caller;
 * without one, the working directory goes back first, and returns to
 * where the batch stood after.
 */
static void progress_home(unsigned long done, unsigned long total, void *arg)
{
	struct batch *b = arg;
	int dir = iwd_targets_where(&b->targets);

	if (iwd_worker_report(b->progress, done, total, b->progress_arg))
		return;
	iwd_targets_leave(&b->targets);
	b->progress(done, total, b->progress_arg);
	/*
	 * Back to the dirfd the cycles' names are relative to.  Should it
	 * fail (the callback closed it), they fail by name (ENOENT, or
	 * EEXIST with IN_MASK_CREATE): no watch is altered.
	 */
	iwd_targets_return(&b->targets, dir);
}

/*
 * A mount lookup moves the working directory: the caller's progress
 * callback is wrapped to run back in the caller's.
 */
static void wrap_progress(struct batch *b)
{
	struct call *c = b->c;

	if (!b->worker || !c->progress)
		return;
	b->progress = c->progress;
	b->progress_arg = c->progress_arg;
	c->progress = progress_home;
	c->progress_arg = b;
}

/*
 * The n entries of w, size bytes each, checked by api.c: n fits in memory
 * as entries, and so as keys, which are smaller.  c->st.failed is n.
 * A mount lookup runs in the calling thread when the process has no
 * other, else in worker.c's thread.
 */
int iwd_restore(struct call *c, const struct inotify_wd_watch *w, size_t n,
		size_t size)
{
	struct batch b = { .c = c, .w = (const void *)w, .n = n, .size = size };
	int ret = -1;

	if (!n)
		return 0;
	iwd_targets_init(&b.targets);
	/* zeroed: the analyzer cannot follow validate() filling it */
	b.order = calloc(n, sizeof(*b.order));
	c->taken.created = malloc(n * sizeof(*c->taken.created));
	if (!b.order || !c->taken.created) {
		errno = ENOMEM;
	} else if (validate(&b) == 0) {
		wrap_progress(&b);
		if (b.worker && iwd_worker_needed())
			ret = iwd_worker_run(run_job, &b, &c->sys_worker);
		else
			ret = run(&b);
	}
	close_kept(&b);
	iwd_targets_free(&b.targets);
	free(b.order);
	free(c->taken.created);
	c->taken.created = NULL;
	c->taken.ncreated = 0;
	return ret;
}
