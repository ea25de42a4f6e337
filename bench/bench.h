/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 the libinotifywd authors */
/*
 * inotifywd-bench: the measuring harness shared by the benchmark's files.
 *
 * A "side" is one way of doing a job (the library, or what a restore tool
 * would do without it).  A group runs its sides in rounds, rotating which
 * goes first, so that A and B see the same machine; a "row" compares two
 * sides of one group through the ratio of their results in each round.
 */
#ifndef INOTIFYWD_BENCH_H
#define INOTIFYWD_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "inotify-wd.h"

/* What one timed repetition of one side measured. */
struct sample {
	double ns;		/* timed nanoseconds (CLOCK_MONOTONIC) */
	double ops;		/* operations covered: calls, cycles, watches */
	double syscalls;	/* system calls issued; < 0: not known */
};

/* Runs one repetition on arg; sets up and cleans up outside the clock. */
typedef void side_fn(const void *arg, struct sample *s);

struct side {
	char label[96];
	side_fn *fn;
	const void *arg;
	const void *warm;	/* argument of an untimed warm-up, or NULL */
	double scale;		/* reported = ns / ops * scale */
	int rounds;		/* rounds recorded in v */
	double *v;		/* per round: reported nanoseconds */
	double syscalls;	/* per op, mean over rounds; < 0: not known */
	struct side *next;	/* every side, for side_free_all() */
};

struct side *side_new(const char *label, side_fn *fn, const void *arg,
		      const void *warm, double scale);
void side_free_all(void);
/* Run nsides sides for rounds rounds, rotating the order every round. */
void group_run(struct side **sides, int nsides, int rounds);

struct summary {
	double min, q1, med, q3, max;
};
void summarize(const double *v, int n, struct summary *s);

enum target_kind {
	TARGET_NONE,
	TARGET_RATIO_MAX,	/* median of the per-round ratios <= value */
	TARGET_A_BELOW_NS,	/* median of A < value */
};

void row_add(const char *id, const char *title, const struct side *a,
	     const struct side *b, enum target_kind kind, double target);
void row_skip(const char *id, const char *title, const char *why);
/* A line printed under the table, after the rows' own notes. */
void note_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rows_print(FILE *f);
int rows_csv(const char *path, const char *kernel, const char *date,
	     bool append);
void rows_free(void);

double now_ns(void);
/* "4.41 µs" style, three significant digits. */
void fmt_time(char *buf, size_t size, double ns);
/* 1234567 -> "1,234,567" */
void fmt_count(char *buf, size_t size, unsigned long n);

/* ---- scratch.c: the files the benchmark watches ---- */
struct scratch {
	char *dir;
	char *watched;		/* the single file most cases watch */
	char **files;		/* nfiles distinct inodes for the batches */
	size_t nfiles;
};
/* Creates $TMPDIR/inotifywd-bench.XXXXXX with nfiles files + one. */
void scratch_create(struct scratch *s, size_t nfiles);
void scratch_remove(void);

/* Prints a message and the errno text, removes the scratch dir, exits 1. */
void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
/* Reads a small /proc or /sys number; def when unreadable. */
long read_long(const char *path, long def);
/* Machine facts for the header. */
void machine_facts(char *kernel, size_t klen, char *cpu, size_t clen,
		   char *date, size_t dlen);

/* ---- what a run does: the plan, and the state the cases share ---- */

/* The headline wd: 55,407,061 add/rm cycles away from a fresh instance. */
#define HEADLINE_WD	0x34d71d6
#define BENCH_MASK \
	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF)
/* Watches left for the rest of the system when a batch is sized. */
#define WATCH_HEADROOM	1024
/* Closing an instance leaves the kernel deferred freeing: let it run. */
#define SETTLE_NS	3000000L
#define MAX_SCALE	4

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
	size_t batch;			/* 5, 7: watches */
	int batch_rounds;
	const unsigned long *dist;	/* 6 */
	const int *dist_rounds;
	int ndist;
	size_t scale[MAX_SCALE];	/* 8: restore sizes, ascending */
	int nscale;
	int scale_rounds;
};

/* An older kernel, played by a seccomp filter in a process of its own. */
struct kernel {
	const char *name;		/* "k4.17" */
	const char *what;
	bool setnextwd;			/* the ioctl works */
	bool mask_create;		/* IN_MASK_CREATE is honoured */
};

struct run {
	const struct plan *p;
	const struct kernel *k;		/* NULL: the machine's own */
	size_t nfiles;			/* scratch files */
	struct inotify_wd_watch *scattered, *dense;
	size_t n;			/* entries in each */
	struct side *naive;		/* 1: per cycle, extrapolated */
	struct side *refuse;		/* 1b */
	struct side *pair;		/* 4: B */
	struct side **dist_lib, **dist_naive;	/* 6 */
	double t_start;
	double setup_s;			/* creating the scratch files */
	const char *scale_dat;		/* case 8 appends its data here */
};

/* One entry of the table of cases main() runs. */
struct bench_case {
	const char *id;
	void (*run)(struct run *run);
	bool emulated;			/* also run on the played kernels */
};

/* ---- util.c ---- */
extern struct scratch scr;
extern struct inotify_wd_features feat;
extern uint32_t create_bit;	/* IN_MASK_CREATE where the kernel has it */
int instance(void);
void set_cursor(int fd, int wd);
void move_cursor(int fd, int wd);
void settle(void);
const char *counted(unsigned long n);
void progress(const struct run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Raise fs.inotify.max_user_watches for the run (root only)... */
bool watches_raise(long want);
/* ...and put it back: on every way out, from a signal handler too. */
void watches_restore(void);
int run_gnuplot(const char *prog, const char *script);

/* The three files of one plot: PREFIX.dat, PREFIX.gp, PREFIX.png. */
struct plot {
	char *dat, *gp, *png;
};
void plot_names(struct plot *p, const char *prefix);
void plot_draw(struct plot *p, const char *gnuplot);

/* ---- sides.c ---- */
/* One library call per fresh instance, calls times. */
struct one_arg {
	int wd;
	int cursor;		/* > 0: set the cursor there first, untimed */
	unsigned int flags;	/* 0: inotify_add_watch_at(); else these opts */
	int calls;
	int expect;		/* 0: must return wd; else this errno */
};
void side_one(const void *p, struct sample *s);

/* The naive loop: add(path, mask); rm; repeat.  Nothing is ever read. */
struct loop_arg {
	unsigned long cycles;
};
void side_loop(const void *p, struct sample *s);

/* The library's forced fallback cycling k times: wd k+1 on a fresh fd. */
struct cycle_arg {
	unsigned long k;
};
void side_cycle(const void *p, struct sample *s);

/* n watches on n distinct files, one way or another. */
enum how { HOW_AT, HOW_IOCTL_ADD, HOW_PLAIN, HOW_RESTORE };
struct many_arg {
	enum how how;
	const struct inotify_wd_watch *w;	/* wd and path of each */
	size_t n;
};
void side_many(const void *p, struct sample *s);
double count_at(const struct many_arg *a);

/* ---- the cases, one file each ---- */
void case_headline(struct run *run);
void physical_limit(const struct run *run);
void case_overhead(struct run *run);
void case_cycle(struct run *run);
void case_refuse(struct run *run);
void build_batches(struct run *run);
void case_batch(struct run *run);
void case_distance(struct run *run);
void plot(const struct run *run, const char *prefix, const char *gnuplot,
	  const char *kernel);
void case_handles(struct run *run);
/* Case 9: main() hands a child run as FIRST_CHILD_OPT HOW PATH over. */
#define FIRST_CHILD_OPT	"--first-child"
void case_first(struct run *run);
int first_child(const char *how, const char *path);
void case_scale(struct run *run);
void case_ckpt(struct run *run);
/* Case 11 (case-findpaths.c): paths for dumps, restores beneath a root. */
void case_findpaths(struct run *run);
/* The scale series of every kernel, one data block each, as a picture. */
void scale_plot(const char *prefix, const char *gnuplot, const char *kernel);

/* ---- kernel.c: older kernels played by seccomp ---- */
extern const struct kernel kernels[];
extern const size_t nkernels;
/* Installs k's filter in this process; false (and why) when it cannot. */
bool kernel_enter(const struct kernel *k, char *why, size_t size);

#endif /* INOTIFYWD_BENCH_H */
