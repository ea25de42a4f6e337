// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* Case 5: batches of watches given by path, dense and scattered. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

/* Files 0..n-1 at the scattered wds, for cases 2 and 5. */
void build_batches(struct run *run)
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

void case_batch(struct run *run)
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
