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
#include <stdio.h>

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
int rows_csv(const char *path, const char *kernel, const char *date);
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

#endif /* INOTIFYWD_BENCH_H */
