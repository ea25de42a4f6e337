// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Cases 2 to 4: the fast path's overhead per call, the fallback's cost
 * per cycle, and refusing a wd behind the cursor.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "bench.h"

void case_overhead(struct run *run)
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

void case_cycle(struct run *run)
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

void case_refuse(struct run *run)
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
