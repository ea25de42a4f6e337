// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotifywd-bench: what libinotifywd costs, measured side by side against
 * what a restore tool does without it.
 *
 * Every row of the table compares two sides A and B measured in the same
 * run: rounds alternate which side goes first, each repetition gets a
 * fresh inotify instance (created and closed outside the clock), and the
 * row reports each side's median and min-max and the median of the
 * per-round ratios A/B.  The machine is noisy, so targets are reported,
 * never asserted: the exit status only says whether the benchmark ran.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "inotify-wd.h"
#include "bench.h"

extern char **environ;

/* The headline wd: 55,407,061 add/rm cycles away from a fresh instance. */
#define HEADLINE_WD	0x34d71d6
#define BENCH_MASK \
	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF)
/* Watches left for the rest of the system when the batch is sized. */
#define WATCH_HEADROOM	1024
/* Closing an instance leaves the kernel deferred freeing: let it run. */
#define SETTLE_NS	3000000L

/* How much of everything a run does. */
struct plan {
	const char *name;
	double budget_s;		/* case 6 trims its rounds to fit */
	unsigned long window;		/* 1: naive cycles per idr level */
	int headline_calls;		/* 1: library calls per round */
	int headline_rounds;
	size_t overhead_n;		/* 2: calls per round */
	int overhead_rounds;
	unsigned long k;		/* 3: cycles the fallback must do */
	int k_rounds;
	int refuse_rounds;		/* 4 */
	unsigned long pair_cycles;	/* 4: B, and the physical limit */
	size_t batch;			/* 5: watches */
	int batch_rounds;
	const unsigned long *dist;	/* 6 */
	const int *dist_rounds;
	int ndist;
};

static const unsigned long distances[] = {
	1024, 4096, 16384, 65536, 262144, 1048576
};
static const int dist_rounds_full[] = { 15, 11, 9, 7, 5, 3 };
static const int dist_rounds_quick[] = { 3, 1, 1, 1 };

static const struct plan full_plan = {
	.name = "full", .budget_s = 240,
	.window = 500000, .headline_calls = 100, .headline_rounds = 3,
	.overhead_n = 500, .overhead_rounds = 101,
	.k = 100000, .k_rounds = 9,
	.refuse_rounds = 51, .pair_cycles = 10000,
	.batch = 10000, .batch_rounds = 11,
	.dist = distances, .dist_rounds = dist_rounds_full, .ndist = 6,
};

static const struct plan quick_plan = {
	.name = "quick", .budget_s = 25,
	.window = 50000, .headline_calls = 20, .headline_rounds = 2,
	.overhead_n = 500, .overhead_rounds = 11,
	.k = 100000, .k_rounds = 2,
	.refuse_rounds = 11, .pair_cycles = 10000,
	.batch = 2000, .batch_rounds = 3,
	.dist = distances, .dist_rounds = dist_rounds_quick, .ndist = 4,
};

static struct scratch scr;
static struct inotify_wd_features feat;
static uint32_t create_bit;	/* IN_MASK_CREATE where the kernel has it */

/* ---- helpers ---- */

static int instance(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		die("inotify_init1: %s", strerror(errno));
	return fd;
}

static void set_cursor(int fd, int wd)
{
	if (ioctl(fd, INOTIFY_IOC_SETNEXTWD, (unsigned long)wd) < 0)
		die("INOTIFY_IOC_SETNEXTWD %d: %s", wd, strerror(errno));
}

/* The ioctl where the kernel has it, else the library's own fallback. */
static void move_cursor(int fd, int wd)
{
	if (feat.setnextwd)
		set_cursor(fd, wd);
	else if (inotify_wd_set_next(fd, wd, NULL, NULL) < 0)
		die("inotify_wd_set_next %d: %s", wd, strerror(errno));
}

/* Untimed: after a close, the kernel frees marks and connectors later. */
static void settle(void)
{
	const struct timespec t = { 0, SETTLE_NS };

	nanosleep(&t, NULL);
}

static const char *counted(unsigned long n)
{
	static char buf[4][32];
	static int i;

	i = (i + 1) % 4;
	fmt_count(buf[i], sizeof(buf[i]), n);
	return buf[i];
}

/* ---- sides ---- */

/* One library call per fresh instance, calls times. */
struct one_arg {
	int wd;
	int cursor;		/* > 0: set the cursor there first, untimed */
	unsigned int flags;	/* 0: inotify_add_watch_at(); else these opts */
	int calls;
	int expect;		/* 0: must return wd; else this errno */
};

static void check_one(const struct one_arg *a, int r, int err)
{
	if (!a->expect && r != a->wd)
		die("placing wd %d gave %d: %s", a->wd, r, strerror(err));
	if (a->expect && (r != -1 || err != a->expect))
		die("wd %d: expected -1 %s, got %d (%s)", a->wd,
		    strerror(a->expect), r, strerror(err));
}

static void side_one(const void *p, struct sample *s)
{
	const struct one_arg *a = p;
	const struct inotify_wd_opts o = { .flags = a->flags };
	struct inotify_wd_stats st;
	double t0, t1;
	int i, fd, r, err;

	s->syscalls = a->flags ? 0 : -1;
	for (i = 0; i < a->calls; i++) {
		fd = instance();
		if (a->cursor)
			move_cursor(fd, a->cursor);
		if (a->flags) {
			t0 = now_ns();
			r = inotify_wd_add_watch(fd, scr.watched, BENCH_MASK,
						 a->wd, &o, &st);
			err = errno;
			t1 = now_ns();
			s->syscalls += (double)st.syscalls;
		} else {
			t0 = now_ns();
			r = inotify_add_watch_at(fd, scr.watched, BENCH_MASK,
						 a->wd);
			err = errno;
			t1 = now_ns();
		}
		check_one(a, r, err);
		s->ns += t1 - t0;
		close(fd);
	}
	s->ops = a->calls;
}

/* The naive loop: add(path, mask); rm; repeat.  Nothing is ever read. */
struct loop_arg {
	unsigned long cycles;
};

static void side_loop(const void *p, struct sample *s)
{
	const struct loop_arg *a = p;
	unsigned long i;
	double t0;
	int fd, wd;

	fd = instance();
	t0 = now_ns();
	for (i = 0; i < a->cycles; i++) {
		wd = inotify_add_watch(fd, scr.watched, BENCH_MASK);
		if (wd < 0 || inotify_rm_watch(fd, wd) < 0)
			die("naive add/rm: %s", strerror(errno));
	}
	s->ns = now_ns() - t0;
	close(fd);
	settle();
	s->ops = (double)a->cycles;
	s->syscalls = 2.0 * (double)a->cycles;
}

/*
 * The naive loop all the way to a far wd, estimated rather than run: the
 * kernel's idr keeps the wds in a radix tree of 64-way nodes, and with a
 * single watch the loop builds and frees the whole path to its wd on every
 * cycle, so a cycle costs more the more levels its wd needs (1 level below
 * 64, 2 below 4096, ..., 5 below 2^30).  Each level's range of the trip is
 * timed whole when it is at most window cycles, else through window cycles
 * from its middle (the cursor put there with the ioctl, untimed), and
 * counted at that cost.
 */
#define MAX_LEVELS	6	/* 64^5 < INT_MAX < 64^6 */
#define MAX_LOG		64

struct strata_arg {
	int target;		/* the wd the loop must reach */
	unsigned long window;
	bool log;		/* record into strata_log (not for warm-ups) */
};

/* What the timed rounds saw, level by level, for the notes. */
static struct {
	int rounds;
	int levels;
	unsigned long cycles[MAX_LEVELS];	/* of the trip */
	unsigned long timed[MAX_LEVELS];	/* per round */
	double per_cycle[MAX_LEVELS][MAX_LOG];	/* ns */
} strata_log;

/* Cycles landing on wds of [lo, hi) with one watch: rm, then add. */
static double strata_time(int fd, int *held, unsigned long cycles)
{
	unsigned long i;
	double t0 = now_ns();

	for (i = 0; i < cycles; i++) {
		if (inotify_rm_watch(fd, *held) < 0)
			die("naive rm: %s", strerror(errno));
		*held = inotify_add_watch(fd, scr.watched, BENCH_MASK);
		if (*held < 0)
			die("naive add: %s", strerror(errno));
	}
	return now_ns() - t0;
}

static int strata_start(int wd)
{
	int fd = instance(), held;

	if (wd > 1)
		set_cursor(fd, wd);
	held = inotify_add_watch(fd, scr.watched, BENCH_MASK);
	if (held != wd)
		die("naive: first add gave %d, not %d", held, wd);
	return fd;
}

static void side_strata(const void *p, struct sample *s)
{
	const struct strata_arg *a = p;
	long lo = 2, hi, top = 64, n, k;
	int level, fd = -1, held = 0;
	double t, total = 0;

	for (level = 0; lo <= a->target; level++, top *= 64) {
		hi = top < (long)a->target + 1 ? top : (long)a->target + 1;
		n = hi - lo;
		if ((unsigned long)n <= a->window) {
			/* Whole: continues from where the last level ended. */
			if (fd < 0 || held != lo - 1) {
				if (fd >= 0)
					close(fd);
				held = (int)lo - 1;
				fd = strata_start(held);
			}
			k = n;
		} else {
			if (fd >= 0)
				close(fd);
			k = (long)a->window;
			held = (int)(lo + (n - k) / 2) - 1;
			fd = strata_start(held);
		}
		t = strata_time(fd, &held, (unsigned long)k);
		total += t / (double)k * (double)n;
		if (a->log && strata_log.rounds < MAX_LOG) {
			strata_log.levels = level + 1;
			strata_log.cycles[level] = (unsigned long)n;
			strata_log.timed[level] = (unsigned long)k;
			strata_log.per_cycle[level][strata_log.rounds] =
				t / (double)k;
		}
		lo = hi;
	}
	if (fd >= 0)
		close(fd);
	settle();
	if (a->log && strata_log.rounds < MAX_LOG)
		strata_log.rounds++;
	s->ns = total;
	s->ops = 1;
	s->syscalls = -1;
}

static unsigned long strata_timed(void)
{
	unsigned long sum = 0;
	int i;

	for (i = 0; i < strata_log.levels; i++)
		sum += strata_log.timed[i];
	return sum;
}

/* The library's forced fallback cycling k times: wd k+1 on a fresh fd. */
struct cycle_arg {
	unsigned long k;
};

static void side_cycle(const void *p, struct sample *s)
{
	const struct cycle_arg *a = p;
	const struct inotify_wd_opts o = { .flags = INOTIFY_WD_FALLBACK };
	struct inotify_wd_stats st;
	int fd, r, err, wd = (int)(a->k + 1);
	double t0;

	fd = instance();
	t0 = now_ns();
	r = inotify_wd_add_watch(fd, scr.watched, BENCH_MASK, wd, &o, &st);
	err = errno;
	s->ns = now_ns() - t0;
	if (r != wd)
		die("fallback to wd %d gave %d: %s", wd, r, strerror(err));
	if (st.cycles != a->k || st.method != INOTIFY_WD_METHOD_CYCLE)
		die("fallback to wd %d: %lu cycles (method %u), expected %lu",
		    wd, st.cycles, st.method, a->k);
	close(fd);
	settle();
	s->ops = (double)a->k;
	s->syscalls = (double)st.syscalls;
}

/* n watches on n distinct files, one way or another. */
enum how { HOW_AT, HOW_IOCTL_ADD, HOW_PLAIN, HOW_RESTORE };

struct many_arg {
	enum how how;
	const struct inotify_wd_watch *w;	/* wd and path of each */
	size_t n;
};

static void many_at(int fd, const struct many_arg *a)
{
	size_t i;
	int r;

	for (i = 0; i < a->n; i++) {
		r = inotify_add_watch_at(fd, a->w[i].path, a->w[i].mask,
					 a->w[i].wd);
		if (r != a->w[i].wd)
			die("inotify_add_watch_at %d: %s", a->w[i].wd,
			    strerror(errno));
	}
}

static void many_ioctl_add(int fd, const struct many_arg *a)
{
	size_t i;
	int r;

	for (i = 0; i < a->n; i++) {
		if (ioctl(fd, INOTIFY_IOC_SETNEXTWD,
			  (unsigned long)a->w[i].wd) < 0)
			die("INOTIFY_IOC_SETNEXTWD: %s", strerror(errno));
		r = inotify_add_watch(fd, a->w[i].path,
				      a->w[i].mask | create_bit);
		if (r != a->w[i].wd)
			die("ioctl+add %d gave %d: %s", a->w[i].wd, r,
			    strerror(errno));
	}
}

static void many_plain(int fd, const struct many_arg *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (inotify_add_watch(fd, a->w[i].path, a->w[i].mask) !=
		    (int)i + 1)
			die("inotify_add_watch: %s", strerror(errno));
}

static void side_many(const void *p, struct sample *s)
{
	const struct many_arg *a = p;
	struct inotify_wd_stats st;
	double t0;
	int fd;

	fd = instance();
	t0 = now_ns();
	switch (a->how) {
	case HOW_AT:
		many_at(fd, a);
		s->syscalls = -1;	/* counted apart: count_at() */
		break;
	case HOW_IOCTL_ADD:
		many_ioctl_add(fd, a);
		s->syscalls = 2.0 * (double)a->n;
		break;
	case HOW_PLAIN:
		many_plain(fd, a);
		s->syscalls = (double)a->n;
		break;
	case HOW_RESTORE:
		if (inotify_wd_restore(fd, a->w, a->n, sizeof(*a->w), NULL,
				       &st) < 0)
			die("inotify_wd_restore: entry %zu: %s", st.failed,
			    strerror(errno));
		s->syscalls = (double)st.syscalls;
		break;
	}
	s->ns = now_ns() - t0;
	close(fd);		/* removes every watch: not timed */
	settle();
	s->ops = (double)a->n;
}

/*
 * inotify_add_watch_at() reports no stats; the same calls through
 * inotify_wd_add_watch(), untimed, count its system calls per watch.
 */
static double count_at(const struct many_arg *a)
{
	struct inotify_wd_stats st;
	unsigned long sum = 0;
	size_t i;
	int fd = instance();

	for (i = 0; i < a->n; i++) {
		if (inotify_wd_add_watch(fd, a->w[i].path, a->w[i].mask,
					 a->w[i].wd, NULL, &st) != a->w[i].wd)
			die("inotify_wd_add_watch %d: %s", a->w[i].wd,
			    strerror(errno));
		sum += st.syscalls;
	}
	close(fd);
	return (double)sum / (double)a->n;
}

/* ---- the cases ---- */

struct run {
	const struct plan *p;
	struct inotify_wd_watch *scattered, *dense;
	size_t n;			/* entries in each */
	struct side *naive;		/* 1: per cycle, extrapolated */
	struct side *refuse;		/* 1b */
	struct side *pair;		/* 4: B */
	struct side **dist_lib, **dist_naive;	/* 6 */
	double t_start;
	double setup_s;			/* creating the scratch files */
};

static void progress(const struct run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void progress(const struct run *run, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%6.1f s] ", (now_ns() - run->t_start) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void case_headline(struct run *run)
{
	const struct plan *p = run->p;
	static struct one_arg fast, fast_warm, refuse, refuse_warm;
	static struct strata_arg naive, naive_warm;
	static struct loop_arg plain, plain_warm;
	struct side *s[3], *fs = NULL;
	int n = 0;

	fast = (struct one_arg){ HEADLINE_WD, 0, 0, p->headline_calls, 0 };
	fast_warm = fast;
	fast_warm.calls = 5;
	refuse = (struct one_arg){ HEADLINE_WD, 0, INOTIFY_WD_FALLBACK,
				   p->headline_calls, ERANGE };
	refuse_warm = refuse;
	refuse_warm.calls = 5;
	naive = (struct strata_arg){ HEADLINE_WD, p->window, true };
	naive_warm = (struct strata_arg){ 20000, 20000, false };
	plain.cycles = 2 * p->window;
	plain_warm.cycles = 20000;

	progress(run, "1: wd 0x%x, %d rounds of %d library calls and the naive loop",
		 HEADLINE_WD, p->headline_rounds, p->headline_calls);
	if (feat.setnextwd) {
		fs = side_new("inotify_add_watch_at (fast path)", side_one,
			      &fast, &fast_warm, 1);
		s[n++] = fs;
	}
	run->refuse = side_new("inotify_wd_add_watch FALLBACK: ERANGE",
			       side_one, &refuse, &refuse_warm, 1);
	s[n++] = run->refuse;
	if (feat.setnextwd)
		run->naive = side_new("naive add/rm loop (extrapolated)",
				      side_strata, &naive, &naive_warm, 1);
	else
		run->naive = side_new("naive add/rm loop (extrapolated)",
				      side_loop, &plain, &plain_warm,
				      HEADLINE_WD - 1.0);
	s[n++] = run->naive;
	group_run(s, n, p->headline_rounds);

	if (fs)
		row_add("1a", "wd 0x34d71d6: fast path vs naive (extrap.)",
			fs, run->naive, TARGET_NONE, 0);
	else
		row_skip("1a", "wd 0x34d71d6: fast path vs naive (extrap.)",
			 "INOTIFY_IOC_SETNEXTWD unavailable");
	row_add("1b", "wd 0x34d71d6: fallback refusal vs naive",
		run->refuse, run->naive, TARGET_A_BELOW_NS, 1e6);
	note_add("1a: A = inotify_add_watch_at(fd, file, mask, 0x34d71d6) on a fresh instance, mean of %d calls per round (the one-time probe ran before).",
		 p->headline_calls);
	if (feat.setnextwd)
		note_add("1a/1b: B = naive (extrapolated from %s timed cycles per round, %d rounds) to the %s cycles that reach 0x34d71d6: each idr level's range of wds timed whole or through %s cycles from its middle (see the physical limit).",
			 counted(strata_timed()), p->headline_rounds,
			 counted(HEADLINE_WD - 1), counted(p->window));
	else
		note_add("1a/1b: B = naive (extrapolated from %s timed cycles from wd 1 per round, %d rounds) x %s cycles to reach 0x34d71d6; without the ioctl the higher idr levels cannot be sampled, so this underestimates.",
			 counted(plain.cycles), p->headline_rounds,
			 counted(HEADLINE_WD - 1));
	note_add("1b: A = inotify_wd_add_watch(..., 0x34d71d6, INOTIFY_WD_FALLBACK) = -1 ERANGE: distance %s > bound %s cycles; %.1f syscalls per call.",
		 counted(HEADLINE_WD - 1),
		 counted(INOTIFY_WD_DEFAULT_MAX_CYCLES), run->refuse->syscalls);
}

/* Files 0..n-1 at the scattered wds, for cases 2 and 5. */
static void build_batches(struct run *run)
{
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	const size_t n = run->n;
	unsigned long gap = (1UL << 29) / n;	/* the sum stays below 2^30 */
	struct stat sb;
	long wd = 0;
	size_t i;

	run->scattered = calloc(n, sizeof(*run->scattered));
	run->dense = calloc(n, sizeof(*run->dense));
	if (!run->scattered || !run->dense)
		die("out of memory");
	for (i = 0; i < n; i++) {
		if (stat(scr.files[i], &sb) < 0)
			die("stat %s: %s", scr.files[i], strerror(errno));
		/* xorshift64: gaps of 1..2*gap, deterministic. */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		wd += 1 + (long)(x % (2 * gap));
		run->dense[i] = (struct inotify_wd_watch){
			.wd = (int)i + 1, .mask = BENCH_MASK,
			.ino = sb.st_ino, .dev = sb.st_dev,
			.path = scr.files[i],
		};
		run->scattered[i] = run->dense[i];
		run->scattered[i].wd = (int)wd;
	}
}

static void case_overhead(struct run *run)
{
	const struct plan *p = run->p;
	static struct many_arg at, raw;
	struct side *s[2];

	if (!feat.setnextwd) {
		row_skip("2", "fast path: add_watch_at vs ioctl+add",
			 "INOTIFY_IOC_SETNEXTWD unavailable");
		return;
	}
	at = (struct many_arg){ HOW_AT, run->scattered, p->overhead_n };
	if (at.n > run->n)
		at.n = run->n;
	raw = at;
	raw.how = HOW_IOCTL_ADD;
	progress(run, "2: fast-path overhead, %d rounds of %zu calls",
		 p->overhead_rounds, at.n);
	s[0] = side_new("inotify_add_watch_at", side_many, &at, &at, 1);
	s[1] = side_new("ioctl(SETNEXTWD) + inotify_add_watch", side_many,
			&raw, &raw, 1);
	group_run(s, 2, p->overhead_rounds);
	s[0]->syscalls = count_at(&at);
	row_add("2", "fast path, per call: add_watch_at vs ioctl+add",
		s[0], s[1], TARGET_RATIO_MAX, 1.05);
	note_add("2: A = inotify_add_watch_at(); B = ioctl(fd, INOTIFY_IOC_SETNEXTWD, wd) + inotify_add_watch(fd, path, mask%s): %zu distinct files at distinct scattered wds on one fresh instance per round, per call; removal (close) not timed. Syscalls per call: A %.2f, B %.2f.",
		 create_bit ? "|IN_MASK_CREATE" : "", at.n, s[0]->syscalls,
		 s[1]->syscalls);
}

static void case_cycle(struct run *run)
{
	const struct plan *p = run->p;
	static struct cycle_arg lib, lib_warm;
	static struct loop_arg naive, naive_warm;
	long queued = read_long("/proc/sys/fs/inotify/max_queued_events", -1);
	struct side *s[2];
	char title[96];

	lib.k = p->k;
	lib_warm.k = 10000;
	naive.cycles = p->k;
	naive_warm.cycles = 10000;
	progress(run, "3: fallback per cycle, %d rounds of K = %s cycles",
		 p->k_rounds, counted(p->k));
	s[0] = side_new("inotify_wd_add_watch FALLBACK", side_cycle, &lib,
			&lib_warm, 1);
	s[1] = side_new("naive add/rm loop", side_loop, &naive, &naive_warm,
			1);
	group_run(s, 2, p->k_rounds);
	snprintf(title, sizeof(title), "fallback, per cycle (K = %s)",
		 counted(p->k));
	row_add("3", title, s[0], s[1], TARGET_RATIO_MAX, 1.10);
	note_add("3: A = one inotify_wd_add_watch(..., wd K+1, INOTIFY_WD_FALLBACK) on a fresh instance, IN_IGNORED draining included (%.3f syscalls per cycle); B = K x (inotify_add_watch(file, mask); inotify_rm_watch()), never reading: its queue overflows after %ld events (max_queued_events) and the rest are dropped.",
		 s[0]->syscalls, queued);
}

static void case_refuse(struct run *run)
{
	const struct plan *p = run->p;
	static struct one_arg behind;
	static struct loop_arg pair;
	struct side *s[2];

	behind = (struct one_arg){ 10, 1000, INOTIFY_WD_FALLBACK, 1, ERANGE };
	pair.cycles = p->pair_cycles;
	progress(run, "4: refusing a wd behind the cursor, %d rounds",
		 p->refuse_rounds);
	s[0] = side_new("refuse wd 10, cursor 1000", side_one, &behind,
			&behind, 1);
	run->pair = side_new("bare add+rm pair", side_loop, &pair, &pair, 1);
	s[1] = run->pair;
	group_run(s, 2, p->refuse_rounds);
	row_add("4", "refuse wd 10 behind cursor 1000 vs 1 add+rm", s[0],
		s[1], TARGET_A_BELOW_NS, 1e6);
	note_add("4: A = inotify_wd_add_watch(fd, file, mask, 10, INOTIFY_WD_FALLBACK) = -1 ERANGE, cursor moved to 1000 by the ioctl beforehand (untimed), one call per round, %.1f syscalls; B = one bare add+rm pair, mean of %s per round: the ratio is the refusal's cost in add/rm pairs.",
		 s[0]->syscalls, counted(p->pair_cycles));
}

static void batch_group(struct run *run, const char *kind,
			struct inotify_wd_watch *w, const char *ida,
			const char *idb, bool target)
{
	static struct many_arg args[2][3];
	static int used;
	struct many_arg *a = args[used++ % 2];
	struct side *s[3];
	char title[96];

	a[0] = (struct many_arg){ HOW_RESTORE, w, run->n };
	a[1] = (struct many_arg){ HOW_AT, w, run->n };
	a[2] = (struct many_arg){ HOW_PLAIN, w, run->n };
	s[0] = side_new("inotify_wd_restore", side_many, &a[0], &a[0], 1);
	s[1] = side_new("inotify_add_watch_at each", side_many, &a[1],
			&a[1], 1);
	s[2] = side_new("plain inotify_add_watch loop", side_many, &a[2],
			&a[2], 1);
	group_run(s, 3, run->p->batch_rounds);
	s[1]->syscalls = count_at(&a[1]);

	snprintf(title, sizeof(title), "%s %s: restore vs add_watch_at", kind,
		 counted(run->n));
	row_add(ida, title, s[0], s[1], TARGET_NONE, 0);
	snprintf(title, sizeof(title), "%s %s: restore vs plain loop", kind,
		 counted(run->n));
	row_add(idb, title, s[0], s[2],
		target ? TARGET_RATIO_MAX : TARGET_NONE, 1.05);
	note_add("%s/%s: syscalls per watch: restore %.4f, add_watch_at %.4f, plain loop %.4f.",
		 ida, idb, s[0]->syscalls, s[1]->syscalls, s[2]->syscalls);
}

static void case_batch(struct run *run)
{
	const struct plan *p = run->p;

	progress(run, "5: batches of %s watches, %d rounds", counted(run->n),
		 p->batch_rounds);
	if (feat.setnextwd) {
		batch_group(run, "scattered", run->scattered, "5a", "5b",
			    false);
	} else {
		row_skip("5a", "scattered: restore vs add_watch_at",
			 "INOTIFY_IOC_SETNEXTWD unavailable: out of the fallback's bound");
		row_skip("5b", "scattered: restore vs plain loop",
			 "INOTIFY_IOC_SETNEXTWD unavailable");
	}
	batch_group(run, "dense", run->dense, "5c", "5d", true);
	note_add("5: per watch, %s distinct files, entries in ascending wd order; scattered wds %d..%d, dense 1..%zu; fresh instance per repetition, close not timed. The plain loop cannot choose wds: it is the floor (for the scattered run it gets 1..%zu instead).",
		 counted(run->n), run->scattered[0].wd,
		 run->scattered[run->n - 1].wd, run->n, run->n);
}

/*
 * Rounds for distance i that still fit the time budget, leaving one
 * round for each larger distance; estimated from the naive loop's cost
 * per cycle in case 1 (the library's is about the same).
 */
static int fit_rounds(const struct run *run, int i)
{
	const struct plan *p = run->p;
	struct summary naive;
	double cycle_s, left, later = 0;
	int j, fit;

	summarize(run->naive->v, run->naive->rounds, &naive);
	cycle_s = 1.2 * naive.med / (HEADLINE_WD - 1.0) / 1e9;
	for (j = i + 1; j < p->ndist; j++)
		later += 2 * cycle_s * (double)p->dist[j];
	left = p->budget_s - (now_ns() - run->t_start) / 1e9 - later;
	fit = (int)(left / (2 * cycle_s * (double)p->dist[i]));
	if (fit >= p->dist_rounds[i])
		return p->dist_rounds[i];
	return fit < 1 ? 1 : fit;
}

static void case_distance(struct run *run)
{
	const struct plan *p = run->p;
	static struct cycle_arg lib[8];
	static struct loop_arg naive[8];
	struct side *s[2];
	char title[96], id[8];
	int i, rounds;

	run->dist_lib = calloc((size_t)p->ndist, sizeof(*run->dist_lib));
	run->dist_naive = calloc((size_t)p->ndist, sizeof(*run->dist_naive));
	if (!run->dist_lib || !run->dist_naive)
		die("out of memory");
	for (i = 0; i < p->ndist; i++) {
		lib[i].k = p->dist[i];
		naive[i].cycles = p->dist[i];
		rounds = fit_rounds(run, i);
		if (rounds < p->dist_rounds[i])
			note_add("6: d = %s: %d rounds instead of %d, to stay within the %.0f s budget.",
				 counted(p->dist[i]), rounds,
				 p->dist_rounds[i], p->budget_s);
		progress(run, "6: distance %s, %d rounds", counted(p->dist[i]),
			 rounds);
		s[0] = side_new("library, forced fallback", side_cycle,
				&lib[i], NULL, (double)p->dist[i]);
		s[1] = side_new("naive add/rm loop", side_loop, &naive[i],
				NULL, (double)p->dist[i]);
		group_run(s, 2, rounds);
		run->dist_lib[i] = s[0];
		run->dist_naive[i] = s[1];
		snprintf(title, sizeof(title), "reach d = %s: fallback vs naive",
			 counted(p->dist[i]));
		snprintf(id, sizeof(id), "6%c", 'a' + i);
		row_add(id, title, s[0], s[1], TARGET_NONE, 0);
	}
	note_add("6: total time to reach wd d+1 from a fresh instance (d cycles): A = library, INOTIFY_WD_FALLBACK; B = naive loop of d add/rm pairs.");
}

/* ---- the plot ---- */

static void dat_line(FILE *f, double x, const struct side *a,
		     const struct side *b)
{
	struct summary sa, sb;

	summarize(a->v, a->rounds, &sa);
	summarize(b->v, b->rounds, &sb);
	fprintf(f, "%.0f %.6g %.6g %.6g %.6g %.6g %.6g %d\n", x,
		sa.med / 1e9, sa.min / 1e9, sa.max / 1e9,
		sb.med / 1e9, sb.min / 1e9, sb.max / 1e9, a->rounds);
}

static int write_dat(const struct run *run, const char *path)
{
	const struct plan *p = run->p;
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		return -1;
	fprintf(f, "# libinotifywd fallback against the naive add/rm loop; times in seconds\n"
		"# index 0: measured side by side\n"
		"# distance lib_med lib_min lib_max naive_med naive_min naive_max rounds\n");
	for (i = 0; i < p->ndist; i++)
		dat_line(f, (double)p->dist[i], run->dist_lib[i],
			 run->dist_naive[i]);
	fprintf(f, "\n\n# index 1: distance to 0x%x, beyond the bound: library refusal (ERANGE), naive extrapolated (case 1)\n",
		HEADLINE_WD);
	dat_line(f, HEADLINE_WD - 1.0, run->refuse, run->naive);
	return fclose(f);
}

static int write_gp(const char *gp, const char *dat, const char *png,
		    const char *kernel)
{
	FILE *f = fopen(gp, "w");

	if (!f)
		return -1;
	fprintf(f, "# generated by inotifywd-bench\n"
		"if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) set terminal pngcairo size 1000,650; else set terminal png size 1000,650\n"
		"set output '%s'\n"
		"set title 'libinotifywd fallback vs naive add/rm loop (%s)' noenhanced\n"
		"set logscale xy\n"
		"set format x '10^{%%L}'\n"
		"set format y '10^{%%L}'\n"
		"set xlabel 'distance to the wanted wd (add/rm cycles)'\n"
		"set ylabel 'time (s)'\n"
		"set grid\n"
		"set key top left\n"
		"set xrange [500:2e8]\n"
		"set arrow from %lu, graph 0 to %lu, graph 1 nohead dt 2 lw 2 lc rgb 'red'\n"
		"set label 'bound %lu cycles' at %lu, graph 0.12 right offset -1,0 tc rgb 'red'\n"
		"plot '%s' index 0 using 1:2:3:4 with yerrorlines lw 2 title 'library, INOTIFY\\_WD\\_FALLBACK', \\\n"
		"     '' index 0 using 1:5:6:7 with yerrorlines lw 2 title 'naive add/rm loop', \\\n"
		"     '' index 1 using 1:5 with points pt 6 ps 2 title 'naive loop to 0x34d71d6 (extrapolated)', \\\n"
		"     '' index 1 using 1:2 with points pt 7 ps 1.5 title 'library at 0x34d71d6: refused (ERANGE)'\n",
		png, kernel, INOTIFY_WD_DEFAULT_MAX_CYCLES,
		INOTIFY_WD_DEFAULT_MAX_CYCLES, INOTIFY_WD_DEFAULT_MAX_CYCLES,
		INOTIFY_WD_DEFAULT_MAX_CYCLES, dat);
	return fclose(f);
}

static int run_gnuplot(const char *prog, const char *script)
{
	char *argv[3];
	int status;
	pid_t pid;

	argv[0] = (char *)prog;
	argv[1] = (char *)script;
	argv[2] = NULL;
	if (posix_spawnp(&pid, prog, NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void plot(const struct run *run, const char *prefix,
		 const char *gnuplot, const char *kernel)
{
	char *dat = NULL, *gp = NULL, *png = NULL;

	if (strchr(prefix, '\'') || strchr(kernel, '\''))
		die("--plot: no quote allowed in %s or %s", prefix, kernel);
	if (asprintf(&dat, "%s.dat", prefix) < 0 ||
	    asprintf(&gp, "%s.gp", prefix) < 0 ||
	    asprintf(&png, "%s.png", prefix) < 0)
		die("out of memory");
	if (write_dat(run, dat) < 0 || write_gp(gp, dat, png, kernel) < 0)
		die("writing %s or %s: %s", dat, gp, strerror(errno));
	if (!gnuplot || !*gnuplot)
		printf("plot: gnuplot not available: %s skipped (data in %s, script in %s)\n",
		       png, dat, gp);
	else if (run_gnuplot(gnuplot, gp) < 0)
		printf("plot: %s %s failed: no %s (data in %s)\n", gnuplot, gp,
		       png, dat);
	else
		printf("plot: %s (data in %s, script in %s)\n", png, dat, gp);
	free(dat);
	free(gp);
	free(png);
}

/* ---- main ---- */

/* The per-cycle cost of each idr level, as case 1 timed it. */
static void print_levels(void)
{
	struct summary l;
	int i;

	if (!strata_log.rounds)
		return;
	printf("  naive cycle by idr level of its wd (case 1, median of %d rounds):",
	       strata_log.rounds);
	for (i = 0; i < strata_log.levels; i++) {
		summarize(strata_log.per_cycle[i], strata_log.rounds, &l);
		printf("%s %d: %.2f µs", i ? "," : "", i + 1, l.med / 1e3);
	}
	printf("\n  (levels: 1 below wd 64, 2 below 4,096, 3 below 262,144, 4 below 16,777,216, 5 below 2^30;\n"
	       "   the trip to 0x%x spends", HEADLINE_WD);
	for (i = 0; i < strata_log.levels; i++)
		printf("%s %.1f%% at %d", i ? "," : "",
		       100.0 * (double)strata_log.cycles[i] /
		       (HEADLINE_WD - 1.0), i + 1);
	printf(")\n");
}

static void physical_limit(const struct run *run)
{
	const struct plan *p = run->p;
	struct summary pair, naive, refuse, bound;
	char a[32], b[32], c[32], d[32];
	int i;

	summarize(run->pair->v, run->pair->rounds, &pair);
	summarize(run->naive->v, run->naive->rounds, &naive);
	summarize(run->refuse->v, run->refuse->rounds, &refuse);
	printf("\nPhysical limit (the kernel's own cost of the naive way, whatever the library does):\n"
	       "  one bare add+rm pair: %.2f µs median [%.2f–%.2f] (case 4 B: %s pairs from wd 1, %d rounds)\n",
	       pair.med / 1e3, pair.min / 1e3, pair.max / 1e3,
	       counted(p->pair_cycles), run->pair->rounds);
	print_levels();
	fmt_time(a, sizeof(a), naive.med);
	fmt_time(b, sizeof(b), pair.med * (HEADLINE_WD - 1.0));
	printf("  naive loop to 0x%x (%s cycles): %s extrapolated (case 1, %.2f µs per cycle on average); %s at the bare pair cost\n",
	       HEADLINE_WD, counted(HEADLINE_WD - 1), a,
	       naive.med / (HEADLINE_WD - 1.0) / 1e3, b);
	fmt_time(c, sizeof(c), refuse.med);
	for (i = 0; i < p->ndist; i++)
		if (p->dist[i] == INOTIFY_WD_DEFAULT_MAX_CYCLES)
			break;
	if (i < p->ndist) {
		summarize(run->dist_lib[i]->v, run->dist_lib[i]->rounds,
			  &bound);
		fmt_time(d, sizeof(d), bound.med);
		printf("  the fallback's bound, %s cycles, took the library %s (case 6); past it, it refuses in %s (case 1b)\n",
		       counted(INOTIFY_WD_DEFAULT_MAX_CYCLES), d, c);
	} else {
		fmt_time(d, sizeof(d),
			 INOTIFY_WD_DEFAULT_MAX_CYCLES * pair.med);
		printf("  the fallback's bound, %s cycles, is worth about %s of bare pairs; past it, the library refuses in %s (case 1b)\n",
		       counted(INOTIFY_WD_DEFAULT_MAX_CYCLES), d, c);
	}
}

static void header(const struct run *run, const char *kernel,
		   const char *cpu, const char *date, long max_watches)
{
	const char *mc;

	switch (feat.mask_create) {
	case INOTIFY_WD_MASK_CREATE_HONOURED:
		mc = "honoured";
		break;
	case INOTIFY_WD_MASK_CREATE_REJECTED:
		mc = "rejected (4.4-4.18)";
		break;
	default:
		mc = "ignored (before 4.4)";
		break;
	}
	printf("inotifywd-bench (%s %s), %s run\n", PACKAGE_NAME,
	       PACKAGE_VERSION, run->p->name);
	printf("kernel:   %s\n", kernel);
	printf("cpu:      %s, nproc %ld\n", cpu, sysconf(_SC_NPROCESSORS_ONLN));
	printf("date:     %s\n", date);
	printf("features: INOTIFY_IOC_SETNEXTWD %s%s%s, IN_MASK_CREATE %s\n",
	       feat.setnextwd ? "yes" : "no",
	       feat.setnextwd ? "" : ": ",
	       feat.setnextwd ? "" : strerror(feat.setnextwd_errno), mc);
	printf("limits:   max_user_watches %ld, max_queued_events %ld\n",
	       max_watches,
	       read_long("/proc/sys/fs/inotify/max_queued_events", -1));
	printf("scratch:  %s (%s files + 1, created in %.1f s)\n", scr.dir,
	       counted(scr.nfiles), run->setup_s);
	printf("method:   A and B measured side by side in rounds that alternate which goes first;\n"
	       "          fresh inotify instance (IN_NONBLOCK|IN_CLOEXEC) per repetition, created and\n"
	       "          closed outside the clock; CLOCK_MONOTONIC; ratio = median of per-round A/B.\n"
	       "          Targets are reported, never asserted (the machine is noisy).\n");
	if (!strcmp(run->p->name, "quick"))
		printf("note:     quick run: a smoke test with few rounds; numbers are rough.\n");
	printf("\n");
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: inotifywd-bench [--quick] [--csv FILE] [--plot PREFIX] [--gnuplot PROG]\n"
		"  --quick          smoke run (a few seconds), rough numbers\n"
		"  --csv FILE       write one CSV row per case\n"
		"  --plot PREFIX    write PREFIX.dat and PREFIX.gp, and PREFIX.png with gnuplot\n"
		"  --gnuplot PROG   gnuplot to run (default gnuplot; empty: no PNG)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "csv", required_argument, NULL, 'c' },
		{ "plot", required_argument, NULL, 'p' },
		{ "gnuplot", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *csv = NULL, *prefix = NULL, *gnuplot = "gnuplot";
	char kernel[128], cpu[128], date[64];
	struct run run = { .p = &full_plan };
	long max_watches;
	int c;

	while ((c = getopt_long(argc, argv, "qc:p:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			run.p = &quick_plan;
			break;
		case 'c':
			csv = optarg;
			break;
		case 'p':
			prefix = optarg;
			break;
		case 'g':
			gnuplot = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	run.t_start = now_ns();

	/* The library probes the kernel once per process: do it untimed. */
	if (inotify_wd_get_features(&feat) < 0)
		die("inotify_wd_get_features: %s", strerror(errno));
	create_bit = feat.mask_create == INOTIFY_WD_MASK_CREATE_HONOURED ?
		     IN_MASK_CREATE : 0;

	run.n = run.p->batch;
	max_watches = read_long("/proc/sys/fs/inotify/max_user_watches", -1);
	if (max_watches > 0 && (size_t)max_watches < run.n + WATCH_HEADROOM) {
		if (max_watches < 100 + WATCH_HEADROOM)
			die("max_user_watches is only %ld", max_watches);
		run.n = (size_t)max_watches - WATCH_HEADROOM;
		note_add("max_user_watches is %ld: the batch of case 5 was lowered from %zu to %zu watches.",
			 max_watches, run.p->batch, run.n);
	}
	if (run.n < run.p->overhead_n)
		note_add("case 2 uses %zu files (max_user_watches).", run.n);

	machine_facts(kernel, sizeof(kernel), cpu, sizeof(cpu), date,
		      sizeof(date));
	scratch_create(&scr, run.n);
	run.setup_s = (now_ns() - run.t_start) / 1e9;
	header(&run, kernel, cpu, date, max_watches);
	build_batches(&run);

	case_headline(&run);
	case_overhead(&run);
	case_cycle(&run);
	case_refuse(&run);
	case_batch(&run);
	case_distance(&run);
	progress(&run, "done");

	rows_print(stdout);
	physical_limit(&run);
	printf("\n");
	if (csv) {
		if (rows_csv(csv, kernel, date) < 0)
			die("writing %s: %s", csv, strerror(errno));
		printf("csv: %s\n", csv);
	}
	if (prefix)
		plot(&run, prefix, gnuplot, kernel);
	printf("wall time: %.1f s\n", (now_ns() - run.t_start) / 1e9);

	scratch_remove();
	rows_free();
	side_free_all();
	free(run.scattered);
	free(run.dense);
	free(run.dist_lib);
	free(run.dist_naive);
	return 0;
}
