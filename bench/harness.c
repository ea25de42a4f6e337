// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The measuring harness: rounds of interleaved sides, order statistics,
 * and the table and CSV they end up in.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#define MAX_ROWS	64
#define MAX_NOTES	64

struct row {
	const struct side *a, *b;
	double target;
	enum target_kind kind;
	bool skipped;
	char id[8];
	char title[96];
	char why[160];
};

static struct row rows[MAX_ROWS];
static int nrows;
static char *notes[MAX_NOTES];
static int nnotes;
static struct side *all_sides;

double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* ---- sides and groups ---- */

struct side *side_new(const char *label, side_fn *fn, const void *arg,
		      const void *warm, double scale)
{
	struct side *s = calloc(1, sizeof(*s));

	if (!s)
		die("out of memory");
	snprintf(s->label, sizeof(s->label), "%s", label);
	s->fn = fn;
	s->arg = arg;
	s->warm = warm;
	s->scale = scale;
	s->syscalls = -1;
	s->next = all_sides;
	all_sides = s;
	return s;
}

void side_free_all(void)
{
	struct side *s;

	while (all_sides) {
		s = all_sides;
		all_sides = s->next;
		free(s->v);
		free(s);
	}
}

static void side_record(struct side *s, int round, const struct sample *m)
{
	if (m->ops <= 0)
		die("%s: a repetition covered no operation", s->label);
	s->v[round] = m->ns / m->ops * s->scale;
	if (round == 0)
		s->syscalls = m->syscalls < 0 ? -1 : 0;
	if (s->syscalls >= 0 && m->syscalls >= 0)
		s->syscalls += m->syscalls / m->ops;
	else
		s->syscalls = -1;
	s->rounds = round + 1;
}

/*
 * The position-j side of round r.  Two sides alternate: AB, BA, AB, ...
 * More sides go through every rotation forwards and backwards (ABC, ACB,
 * BCA, BAC, CAB, CBA for three), so that each goes first equally often
 * and no side always follows the same one (a side that closes an instance
 * leaves the kernel some deferred freeing to do).
 */
static int order(int r, int j, int nsides)
{
	int start;

	if (nsides == 2)
		return (r + j) % 2;
	start = (r / 2) % nsides;
	if (r % 2 == 0)
		return (start + j) % nsides;
	return (start - j + nsides) % nsides;
}

void group_run(struct side **sides, int nsides, int rounds)
{
	struct sample m;
	int r, j, k;

	for (k = 0; k < nsides; k++) {
		free(sides[k]->v);
		sides[k]->v = calloc((size_t)rounds, sizeof(double));
		if (!sides[k]->v)
			die("out of memory");
		if (sides[k]->warm)
			sides[k]->fn(sides[k]->warm, &m);
	}
	for (r = 0; r < rounds; r++) {
		for (j = 0; j < nsides; j++) {
			k = order(r, j, nsides);
			memset(&m, 0, sizeof(m));
			sides[k]->fn(sides[k]->arg, &m);
			side_record(sides[k], r, &m);
		}
	}
	for (k = 0; k < nsides; k++)
		if (sides[k]->syscalls > 0)
			sides[k]->syscalls /= rounds;
}

/* ---- statistics ---- */

static int cmp_double(const void *x, const void *y)
{
	const double *a = x, *b = y;

	return (*a > *b) - (*a < *b);
}

/* Linear interpolation between the closest ranks. */
static double quantile(const double *sorted, int n, double q)
{
	double pos = q * (n - 1);
	int lo = (int)pos;

	if (lo >= n - 1)
		return sorted[n - 1];
	return sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]);
}

void summarize(const double *v, int n, struct summary *s)
{
	double *t;

	memset(s, 0, sizeof(*s));
	if (n <= 0)
		return;
	t = malloc((size_t)n * sizeof(*t));
	if (!t)
		die("out of memory");
	memcpy(t, v, (size_t)n * sizeof(*t));
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	s->min = t[0];
	s->q1 = quantile(t, n, 0.25);
	s->med = quantile(t, n, 0.5);
	s->q3 = quantile(t, n, 0.75);
	s->max = t[n - 1];
	free(t);
}

/* ---- formatting ---- */

static void pick_unit(double ns, double *div, const char **unit)
{
	if (ns < 1e3) {
		*div = 1;
		*unit = "ns";
	} else if (ns < 1e6) {
		*div = 1e3;
		*unit = "µs";
	} else if (ns < 1e9) {
		*div = 1e6;
		*unit = "ms";
	} else {
		*div = 1e9;
		*unit = "s";
	}
}

/* Three significant digits for a value in [1, 1000); more if smaller. */
static void fmt_num(char *buf, size_t size, double v)
{
	int decimals = v < 10 ? 2 : v < 100 ? 1 : 0;

	snprintf(buf, size, "%.*f", decimals, v);
}

void fmt_time(char *buf, size_t size, double ns)
{
	const char *unit;
	char num[32];
	double div;

	pick_unit(ns, &div, &unit);
	fmt_num(num, sizeof(num), ns / div);
	snprintf(buf, size, "%s %s", num, unit);
}

void fmt_count(char *buf, size_t size, unsigned long n)
{
	char digits[32];
	size_t len, i, o = 0;

	snprintf(digits, sizeof(digits), "%lu", n);
	len = strlen(digits);
	for (i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* "4.41 µs [4.30–5.20]": median, then min and max in the same unit. */
static void fmt_spread_time(char *buf, size_t size, const struct summary *s)
{
	char med[32], lo[32], hi[32];
	const char *unit;
	double div;

	pick_unit(s->med, &div, &unit);
	fmt_num(med, sizeof(med), s->med / div);
	fmt_num(lo, sizeof(lo), s->min / div);
	fmt_num(hi, sizeof(hi), s->max / div);
	snprintf(buf, size, "%s %s [%s–%s]", med, unit, lo, hi);
}

static void fmt_ratio_one(char *buf, size_t size, double r)
{
	if (r >= 0.01 && r < 1000)
		snprintf(buf, size, "%.3f", r);
	else
		snprintf(buf, size, "%.2e", r);
}

static void fmt_spread_ratio(char *buf, size_t size, const struct summary *s)
{
	char med[32], lo[32], hi[32];

	fmt_ratio_one(med, sizeof(med), s->med);
	fmt_ratio_one(lo, sizeof(lo), s->min);
	fmt_ratio_one(hi, sizeof(hi), s->max);
	snprintf(buf, size, "%s [%s–%s]", med, lo, hi);
}

/* ---- rows ---- */

static struct row *row_new(const char *id, const char *title)
{
	struct row *r;

	if (nrows == MAX_ROWS)
		die("too many rows");
	r = &rows[nrows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->title, sizeof(r->title), "%s", title);
	return r;
}

void row_add(const char *id, const char *title, const struct side *a,
	     const struct side *b, enum target_kind kind, double target)
{
	struct row *r = row_new(id, title);

	r->a = a;
	r->b = b;
	r->kind = kind;
	r->target = target;
}

void row_skip(const char *id, const char *title, const char *why)
{
	struct row *r = row_new(id, title);

	r->skipped = true;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

void note_add(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	if (nnotes == MAX_NOTES)
		return;
	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	notes[nnotes++] = p;
}

void rows_free(void)
{
	while (nnotes > 0)
		free(notes[--nnotes]);
	nrows = 0;
}

/* Everything a row's cells and CSV line are made of. */
struct result {
	struct summary a, b, ratio;
	int rounds;
	bool has_target, met;
};

static void row_result(const struct row *r, struct result *res)
{
	double *ratio;
	int i, n;

	memset(res, 0, sizeof(*res));
	if (r->skipped)
		return;
	n = r->a->rounds < r->b->rounds ? r->a->rounds : r->b->rounds;
	ratio = calloc((size_t)(n ? n : 1), sizeof(*ratio));
	if (!ratio)
		die("out of memory");
	for (i = 0; i < n; i++)
		ratio[i] = r->a->v[i] / r->b->v[i];
	summarize(r->a->v, r->a->rounds, &res->a);
	summarize(r->b->v, r->b->rounds, &res->b);
	summarize(ratio, n, &res->ratio);
	free(ratio);
	res->rounds = n;
	switch (r->kind) {
	case TARGET_RATIO_MAX:
		res->has_target = true;
		res->met = res->ratio.med <= r->target;
		break;
	case TARGET_A_BELOW_NS:
		res->has_target = true;
		res->met = res->a.med < r->target;
		break;
	case TARGET_NONE:
		break;
	}
}

static void fmt_target(char *buf, size_t size, const struct row *r)
{
	char t[32];

	switch (r->kind) {
	case TARGET_RATIO_MAX:
		snprintf(buf, size, "≤ %.2f", r->target);
		break;
	case TARGET_A_BELOW_NS:
		fmt_time(t, sizeof(t), r->target);
		snprintf(buf, size, "A < %s", t);
		break;
	case TARGET_NONE:
		snprintf(buf, size, "-");
		break;
	}
}

static const char *verdict(const struct row *r, const struct result *res)
{
	if (r->skipped)
		return "skipped";
	if (!res->has_target)
		return "-";
	return res->met ? "met" : "NOT MET";
}

/* Display width: UTF-8 continuation bytes take no column. */
static int width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static void put_cell(FILE *f, const char *s, int w, bool last)
{
	int pad = w - width(s);

	fputs(s, f);
	if (last)
		return;
	while (pad-- > 0)
		fputc(' ', f);
	fputs("  ", f);
}

#define NCOLS	6

void rows_print(FILE *f)
{
	static const char *const head[NCOLS] = {
		"case", "A median [min–max]", "B median [min–max]",
		"ratio A/B median [min–max]", "target", "verdict"
	};
	char (*cell)[NCOLS][128];
	struct result res;
	int w[NCOLS], i, j, total = 0;

	cell = calloc((size_t)(nrows ? nrows : 1), sizeof(*cell));
	if (!cell)
		die("out of memory");
	for (j = 0; j < NCOLS; j++)
		w[j] = width(head[j]);
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		row_result(r, &res);
		snprintf(cell[i][0], sizeof(cell[i][0]), "%-3.7s %.100s",
			 r->id, r->title);
		if (r->skipped) {
			for (j = 1; j < 4; j++)
				snprintf(cell[i][j], sizeof(cell[i][j]), "-");
		} else {
			fmt_spread_time(cell[i][1], sizeof(cell[i][1]), &res.a);
			fmt_spread_time(cell[i][2], sizeof(cell[i][2]), &res.b);
			fmt_spread_ratio(cell[i][3], sizeof(cell[i][3]),
					 &res.ratio);
		}
		fmt_target(cell[i][4], sizeof(cell[i][4]), r);
		snprintf(cell[i][5], sizeof(cell[i][5]), "%s",
			 verdict(r, &res));
		for (j = 0; j < NCOLS; j++)
			if (width(cell[i][j]) > w[j])
				w[j] = width(cell[i][j]);
	}
	for (j = 0; j < NCOLS; j++) {
		put_cell(f, head[j], w[j], j == NCOLS - 1);
		total += w[j] + 2;
	}
	fputc('\n', f);
	for (j = 0; j < total - 2; j++)
		fputc('-', f);
	fputc('\n', f);
	for (i = 0; i < nrows; i++) {
		for (j = 0; j < NCOLS; j++)
			put_cell(f, cell[i][j], w[j], j == NCOLS - 1);
		fputc('\n', f);
	}
	fputc('\n', f);
	for (i = 0; i < nrows; i++)
		if (rows[i].skipped)
			fprintf(f, "%s: skipped: %s\n", rows[i].id, rows[i].why);
	for (i = 0; i < nnotes; i++)
		fprintf(f, "%s\n", notes[i]);
	free(cell);
}

/* ---- CSV ---- */

static void csv_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputs("\",", f);
}

static void csv_summary(FILE *f, const struct summary *s, bool skipped)
{
	if (skipped) {
		fputs(",,,,,", f);
		return;
	}
	fprintf(f, "%.6g,%.6g,%.6g,%.6g,%.6g,", s->med, s->min, s->q1,
		s->q3, s->max);
}

static void csv_syscalls(FILE *f, const struct side *s)
{
	if (s && s->syscalls >= 0)
		fprintf(f, "%.4f,", s->syscalls);
	else
		fputc(',', f);
}

int rows_csv(const char *path, const char *kernel, const char *date,
	     bool append)
{
	struct result res;
	char target[32];
	FILE *f;
	int i;

	f = fopen(path, append ? "a" : "w");
	if (!f)
		return -1;
	if (!append)
		fputs("case,title,a,b,rounds,"
	      "a_med_ns,a_min_ns,a_q1_ns,a_q3_ns,a_max_ns,"
	      "b_med_ns,b_min_ns,b_q1_ns,b_q3_ns,b_max_ns,"
	      "ratio_med,ratio_min,ratio_q1,ratio_q3,ratio_max,"
	      "a_syscalls_per_op,b_syscalls_per_op,target,verdict,"
	      "kernel,date\n", f);
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		row_result(r, &res);
		csv_str(f, r->id);
		csv_str(f, r->title);
		csv_str(f, r->skipped ? "" : r->a->label);
		csv_str(f, r->skipped ? "" : r->b->label);
		fprintf(f, "%d,", res.rounds);
		csv_summary(f, &res.a, r->skipped);
		csv_summary(f, &res.b, r->skipped);
		csv_summary(f, &res.ratio, r->skipped);
		csv_syscalls(f, r->a);
		csv_syscalls(f, r->b);
		switch (r->kind) {
		case TARGET_RATIO_MAX:
			snprintf(target, sizeof(target), "ratio<=%.2f",
				 r->target);
			break;
		case TARGET_A_BELOW_NS:
			snprintf(target, sizeof(target), "a<%.0fns",
				 r->target);
			break;
		case TARGET_NONE:
			target[0] = '\0';
			break;
		}
		csv_str(f, target);
		csv_str(f, verdict(r, &res));
		csv_str(f, kernel);
		fprintf(f, "\"%s\"\n", date);
	}
	if (fclose(f) != 0)
		return -1;
	return 0;
}
