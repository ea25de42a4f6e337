// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Case 1, the headline: wd 0x34d71d6 by the fast path and refused by the
 * fallback, against the naive loop extrapolated level by level of the
 * kernel's id tree; and the physical limit printed under the table.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

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

void case_headline(struct run *run)
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

void physical_limit(const struct run *run)
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
