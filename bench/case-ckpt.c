// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Case 10: restores shaped like a checkpoint tool's, with targets the tool
 * names as (root dirfd, path) and INOTIFY_WD_FRESH, against the loop
 * such a tool writes by hand: openat() (or openat2() with
 * RESOLVE_IN_ROOT) of the path from the dirfd, O_PATH; the ioctl where
 * the wd does not follow the previous one; inotify_add_watch() on
 * /proc/self/fd/N (with IN_MASK_CREATE where the kernel has it); close.
 *
 * 10a/10b: one instance of the batch size, wds in runs of 1,000 with gaps
 * of 7; 10a plain DIRFD, 10b DIRFD|IN_ROOT.  10c: a process tree, 50
 * processes of batch/50 watches each, forked at once; each creates its
 * instance, restores (DIRFD|IN_ROOT) and exits, timed from the first
 * fork to the last wait, per watch.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define TREE_PROCS	50

enum style { PLAIN_DIRFD, IN_ROOT };

struct ckpt_arg {
	const struct inotify_wd_watch *w;	/* the library's entries */
	size_t n;
	enum style style;
	bool floor;		/* the hand-written loop instead */
	int procs;		/* > 0: a tree of this many processes */
};

static struct inotify_wd_watch *entries[2];	/* [PLAIN_DIRFD], [IN_ROOT] */
static int root_fd = -1;

/* "f00042": the scratch files' names, relative to their directory. */
static const char *rel(size_t i)
{
	const char *slash = strrchr(scr.files[i], '/');

	return slash ? slash + 1 : scr.files[i];
}

/* Dense runs of 1,000 with a gap of 7 after each, as case 7. */
static int holed_wd(size_t i)
{
	return (int)(i + 1 + i / 1000 * 7);
}

static void build_entries(struct run *run)
{
	size_t i;
	int s;

	root_fd = open(scr.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		die("open %s: %s", scr.dir, strerror(errno));
	for (s = 0; s < 2; s++) {
		entries[s] = calloc(run->n, sizeof(*entries[s]));
		if (!entries[s])
			die("out of memory");
		for (i = 0; i < run->n; i++) {
			entries[s][i] = run->dense[i];
			entries[s][i].wd = holed_wd(i);
			entries[s][i].path = rel(i);
			entries[s][i].dirfd = root_fd;
			entries[s][i].flags = INOTIFY_WD_WATCH_DIRFD |
				(s == IN_ROOT ? INOTIFY_WD_WATCH_IN_ROOT : 0);
		}
	}
}

static int open_beneath(const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
}

/*
 * The hand-written loop over w[0..n): its system calls, or -1 with errno
 * (no die() here: a process of the tree must not remove the scratch).
 */
static double floor_restore(int fd, const struct inotify_wd_watch *w,
			    size_t n, enum style style)
{
	double calls = 0;
	char path[40];
	int f, prev = 0, got;
	size_t i;

	for (i = 0; i < n; i++) {
		f = style == IN_ROOT ? open_beneath(w[i].path) :
				       openat(root_fd, w[i].path,
					      O_PATH | O_CLOEXEC);
		if (f < 0)
			return -1;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", f);
		if (w[i].wd != prev + 1) {
			if (ioctl(fd, INOTIFY_IOC_SETNEXTWD,
				  (unsigned long)w[i].wd))
				return -1;
			calls++;
		}
		got = inotify_add_watch(fd, path, w[i].mask | create_bit);
		close(f);
		if (got != w[i].wd)
			return -1;
		calls += 3;
		prev = w[i].wd;
	}
	return calls;
}

/* One side's restore of w[0..n) into fd: its system calls, or -1. */
static double restore(int fd, const struct ckpt_arg *a,
		      const struct inotify_wd_watch *w, size_t n)
{
	const struct inotify_wd_opts o = { .flags = INOTIFY_WD_FRESH };
	struct inotify_wd_stats st;

	if (a->floor)
		return floor_restore(fd, w, n, a->style);
	if (inotify_wd_restore(fd, w, n, sizeof(*w), &o, &st) < 0)
		return -1;
	return (double)st.syscalls;
}

static void side_instance(const struct ckpt_arg *a, struct sample *s)
{
	double t0;
	int fd;

	fd = instance();
	t0 = now_ns();
	s->syscalls = restore(fd, a, a->w, a->n);
	s->ns = now_ns() - t0;
	if (s->syscalls < 0)
		die("%s of %zu by dirfd: %s", a->floor ? "floor" :
		    "inotify_wd_restore", a->n, strerror(errno));
	close(fd);
	settle();
}

/* A restored process: its instance, its slice of the entries, exit. */
static void __attribute__((noreturn))
tree_child(const struct ckpt_arg *a, int p)
{
	size_t per = a->n / (size_t)a->procs;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0 || restore(fd, a, a->w + (size_t)p * per, per) < 0)
		_exit(1);
	_exit(0);
}

static void side_tree(const struct ckpt_arg *a, struct sample *s)
{
	pid_t pid[TREE_PROCS];
	double t0;
	int p, status;

	fflush(NULL);
	t0 = now_ns();
	for (p = 0; p < a->procs; p++) {
		pid[p] = fork();
		if (pid[p] < 0)
			die("fork: %s", strerror(errno));
		if (pid[p] == 0)
			tree_child(a, p);
	}
	for (p = 0; p < a->procs; p++)
		if (waitpid(pid[p], &status, 0) != pid[p] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			die("a restored process failed (%#x)", status);
	s->ns = now_ns() - t0;
	s->syscalls = -1;
	settle();
}

static void side_ckpt(const void *p, struct sample *s)
{
	const struct ckpt_arg *a = p;

	if (a->procs)
		side_tree(a, s);
	else
		side_instance(a, s);
	s->ops = (double)(a->procs ? a->n / (size_t)a->procs *
				     (size_t)a->procs : a->n);
}

struct pair {
	struct ckpt_arg lib, floor;
};

static void ckpt_row(struct run *run, const char *id, const char *title,
		     struct pair *pr, double target)
{
	struct side *s[2];

	s[0] = side_new("inotify_wd_restore, FRESH", side_ckpt, &pr->lib,
			&pr->lib, 1);
	s[1] = side_new("hand-written dirfd loop", side_ckpt, &pr->floor,
			&pr->floor, 1);
	/* a restore of the batch is short: thrice the rounds, a steadier median */
	group_run(s, 2, 3 * run->p->batch_rounds);
	row_add(id, title, s[0], s[1], TARGET_RATIO_MAX, target);
	if (s[0]->syscalls >= 0 && s[1]->syscalls >= 0)
		note_add("%s: syscalls per watch: library %.3f, floor %.3f.",
			 id, s[0]->syscalls, s[1]->syscalls);
}

/* Whether openat2() with RESOLVE_IN_ROOT works here (5.6+). */
static bool has_openat2(void)
{
	int f = open_beneath(rel(0));

	if (f < 0)
		return false;
	close(f);
	return true;
}

void case_ckpt(struct run *run)
{
	static const char *const ids[] = { "10a", "10b", "10c" };
	static const char *const titles[] = {
		"dirfd + relative path: restore vs floor",
		"dirfd + IN_ROOT: restore vs openat2 floor",
		"tree of 50 processes, IN_ROOT: vs floor",
	};
	/*
	 * 10a: issue 17's (a); 10b: a restore beneath a root, whose target
	 * is issue 16's (<= 1.10 a hand-written openat2 loop, as 11e);
	 * 10c: issue 17's (b).
	 */
	static const double targets[] = { 1.05, 1.10, 1.10 };
	static struct pair pr[3];
	int i;

	progress(run, "10: %s watches by dirfd and path, %d rounds",
		 counted(run->n), 3 * run->p->batch_rounds);
	for (i = 0; i < 3; i++) {
		if (!feat.setnextwd) {
			row_skip(ids[i], titles[i],
				 "INOTIFY_IOC_SETNEXTWD unavailable: the floor is the ioctl loop");
			continue;
		}
		if (!entries[0])
			build_entries(run);
		if (i && !has_openat2()) {
			row_skip(ids[i], titles[i],
				 "openat2(RESOLVE_IN_ROOT) unavailable (Linux < 5.6)");
			continue;
		}
		pr[i].lib = (struct ckpt_arg){
			.w = entries[i ? IN_ROOT : PLAIN_DIRFD], .n = run->n,
			.style = i ? IN_ROOT : PLAIN_DIRFD,
			.procs = i == 2 ? TREE_PROCS : 0,
		};
		pr[i].floor = pr[i].lib;
		pr[i].floor.floor = true;
		ckpt_row(run, ids[i], titles[i], &pr[i], targets[i]);
	}
	note_add("10: per watch, %s files named by (dirfd of their directory, name), wds in runs of 1,000 "
		 "with gaps of 7, the library with INOTIFY_WD_FRESH; fresh instance per repetition, close "
		 "not timed (10a, 10b). Floor: openat(dirfd, name, O_PATH) (10b, 10c: openat2 "
		 "RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) [+ ioctl at gaps] + "
		 "inotify_add_watch(/proc/self/fd/N, mask%s) + close. 10c: %d processes of %s watches forked "
		 "at once, each creating its instance, restoring and exiting; fork to last wait, exits "
		 "included.",
		 counted(run->n), create_bit ? "|IN_MASK_CREATE" : "",
		 TREE_PROCS, counted(run->n / TREE_PROCS));
}
