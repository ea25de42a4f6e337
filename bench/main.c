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
 *
 * main() runs the table of cases below on this kernel, then runs itself
 * once per older kernel that seccomp plays (kernel.c), for the cases
 * marked so, each in a process of its own that prints its own table.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

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
	.scale = { 1000, 10000, 100000 }, .nscale = 3, .scale_rounds = 7,
};

static const struct plan quick_plan = {
	.name = "quick", .budget_s = 25,
	.window = 50000, .headline_calls = 20, .headline_rounds = 2,
	.overhead_n = 500, .overhead_rounds = 11,
	.k = 100000, .k_rounds = 2,
	.refuse_rounds = 11, .pair_cycles = 10000,
	.batch = 2000, .batch_rounds = 3,
	.dist = distances, .dist_rounds = dist_rounds_quick, .ndist = 4,
	.scale = { 1000, 10000 }, .nscale = 2, .scale_rounds = 2,
};

/* The cases, in the order they run and appear. */
static const struct bench_case cases[] = {
	{ "1", case_headline, false },
	{ "2", case_overhead, false },
	{ "3", case_cycle, false },
	{ "4", case_refuse, false },
	{ "5", case_batch, false },
	{ "6", case_distance, false },
	{ "7", case_handles, false },
	{ "8", case_scale, true },
	{ "9", case_first, false },
	{ "10", case_ckpt, false },
	/* Last: it leaves this process in a mount namespace of its own. */
	{ "11", case_findpaths, false },
};

struct options {
	const char *csv, *prefix, *gnuplot, *scale_prefix;
	const char *only;		/* --cases: ids to run, "1,4,8" */
	bool quick, million;
	const struct kernel *k;		/* --kernel: this process plays it */
	char *self;			/* how to run ourselves again */
};

static const char *mask_create_name(void)
{
	switch (feat.mask_create) {
	case INOTIFY_WD_MASK_CREATE_HONOURED:
		return "honoured";
	case INOTIFY_WD_MASK_CREATE_REJECTED:
		return "rejected (4.4-4.18)";
	default:
		return "ignored (before 4.4)";
	}
}

static void header(const struct run *run, const char *kernel,
		   const char *cpu, const char *date, long max_watches)
{
	if (run->k) {
		printf("\n==== played kernel %s: %s (seccomp, on %s) ====\n",
		       run->k->name, run->k->what, kernel);
	} else {
		printf("inotifywd-bench (%s %s), %s run\n", PACKAGE_NAME,
		       PACKAGE_VERSION, run->p->name);
		printf("kernel:   %s\n", kernel);
		printf("cpu:      %s, nproc %ld\n", cpu,
		       sysconf(_SC_NPROCESSORS_ONLN));
		printf("date:     %s\n", date);
	}
	printf("features: INOTIFY_IOC_SETNEXTWD %s%s%s, IN_MASK_CREATE %s\n",
	       feat.setnextwd ? "yes" : "no", feat.setnextwd ? "" : ": ",
	       feat.setnextwd ? "" : strerror(feat.setnextwd_errno),
	       mask_create_name());
	printf("limits:   max_user_watches %ld, max_queued_events %ld\n",
	       max_watches,
	       read_long("/proc/sys/fs/inotify/max_queued_events", -1));
	printf("scratch:  %s (%s files + 1, created in %.1f s)\n", scr.dir,
	       counted(scr.nfiles), run->setup_s);
	if (run->k) {
		printf("\n");
		fflush(stdout);
		return;
	}
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
	fprintf(f, "usage: inotifywd-bench [--quick] [--million] [--csv FILE] [--plot PREFIX] [--gnuplot PROG]\n"
		"  --quick          smoke run (a few seconds), rough numbers\n"
		"  --million        the scale series goes on to 10^6 watches (as root, raises\n"
		"                   fs.inotify.max_user_watches for the run and puts it back)\n"
		"  --csv FILE       write one CSV row per case\n"
		"  --plot PREFIX    write PREFIX.dat and PREFIX.gp, and PREFIX.png with gnuplot\n"
		"  --scale-plot PREFIX  the same for the scale series (case 8) of every kernel\n"
		"  --cases LIST     run only these cases, e.g. 7,8 (the physical limit and the\n"
		"                   fallback plot need 1, 4 and 6)\n"
		"  --gnuplot PROG   gnuplot to run (default gnuplot; empty: no PNG)\n");
}

static const struct kernel *kernel_named(const char *name)
{
	size_t i;

	for (i = 0; i < nkernels; i++)
		if (!strcmp(kernels[i].name, name))
			return &kernels[i];
	return NULL;
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "million", no_argument, NULL, 'm' },
		{ "csv", required_argument, NULL, 'c' },
		{ "plot", required_argument, NULL, 'p' },
		{ "gnuplot", required_argument, NULL, 'g' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "scale-plot", required_argument, NULL, 's' },
		{ "cases", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	o->gnuplot = "gnuplot";
	o->self = argv[0];
	while ((c = getopt_long(argc, argv, "qmc:p:g:k:s:C:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'q':
			o->quick = true;
			break;
		case 'm':
			o->million = true;
			break;
		case 'c':
			o->csv = optarg;
			break;
		case 'p':
			o->prefix = optarg;
			break;
		case 'g':
			o->gnuplot = optarg;
			break;
		case 's':
			o->scale_prefix = optarg;
			break;
		case 'C':
			o->only = optarg;
			break;
		case 'k':
			o->k = kernel_named(optarg);
			if (!o->k) {
				fprintf(stderr, "no kernel '%s'\n", optarg);
				return 2;
			}
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
	return -1;
}

/* The scale series, with 10^6 behind --million. */
static struct plan plan_for(const struct options *o)
{
	struct plan p = o->quick ? quick_plan : full_plan;

	if (o->million && !o->k && p.nscale < MAX_SCALE)
		p.scale[p.nscale++] = 1000000;
	return p;
}

/* Files enough for the largest case the watch limit allows. */
static size_t size_run(struct run *run, long *max_watches)
{
	const struct plan *p = run->p;
	size_t want = p->batch, top;

	if (p->nscale && p->scale[p->nscale - 1] > want)
		want = p->scale[p->nscale - 1];
	*max_watches = read_long("/proc/sys/fs/inotify/max_user_watches", -1);
	if (*max_watches > 0 && (size_t)*max_watches < want + WATCH_HEADROOM &&
	    watches_raise((long)(want + WATCH_HEADROOM)))
		*max_watches = (long)(want + WATCH_HEADROOM);
	top = want;
	if (*max_watches > 0 && (size_t)*max_watches < top + WATCH_HEADROOM) {
		if (*max_watches < 100 + WATCH_HEADROOM)
			die("max_user_watches is only %ld", *max_watches);
		top = (size_t)*max_watches - WATCH_HEADROOM;
		note_add("max_user_watches is %ld: at most %zu watches per case (wanted %zu).",
			 *max_watches, top, want);
	}
	run->n = p->batch < top ? p->batch : top;
	if (run->n < p->overhead_n)
		note_add("case 2 uses %zu files (max_user_watches).", run->n);
	return top;
}

/* PREFIX.dat, emptied by the first run and appended to by the others. */
static bool scale_data_file(struct run *run, const struct options *o)
{
	char *path;
	FILE *f;

	if (strchr(o->scale_prefix, '\''))
		return false;
	if (asprintf(&path, "%s.dat", o->scale_prefix) < 0)
		return false;
	f = fopen(path, o->k ? "a" : "w");
	if (!f) {
		free(path);
		return false;
	}
	fclose(f);
	run->scale_dat = path;
	return true;
}

/* Is id in the comma-separated list (NULL: every case)? */
static bool chosen(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p;

	if (!list)
		return true;
	for (p = list; (p = strstr(p, id)); p += n)
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
	return false;
}

static bool ran_all(const struct options *o, const char *const *ids)
{
	for (; *ids; ids++)
		if (!chosen(o->only, *ids))
			return false;
	return true;
}

static void run_cases(struct run *run, const struct options *o)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if ((!run->k || cases[i].emulated) &&
		    chosen(o->only, cases[i].id))
			cases[i].run(run);
	progress(run, "done");
}

/* Each played kernel, in a process of its own: a filter cannot go. */
static void run_played(const struct options *o)
{
	static char opt_kernel[] = "--kernel", opt_quick[] = "--quick",
		    opt_csv[] = "--csv", opt_scale[] = "--scale-plot",
		    opt_cases[] = "--cases";
	char *argv[12];
	int argc, status;
	size_t i;
	pid_t pid;

	for (i = 0; i < nkernels; i++) {
		argc = 0;
		argv[argc++] = o->self;
		argv[argc++] = opt_kernel;
		argv[argc++] = (char *)kernels[i].name;
		if (o->quick)
			argv[argc++] = opt_quick;
		if (o->csv) {
			argv[argc++] = opt_csv;
			argv[argc++] = (char *)o->csv;
		}
		if (o->scale_prefix) {
			argv[argc++] = opt_scale;
			argv[argc++] = (char *)o->scale_prefix;
		}
		if (o->only) {
			argv[argc++] = opt_cases;
			argv[argc++] = (char *)o->only;
		}
		argv[argc] = NULL;
		fflush(stdout);
		if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv,
				environ) != 0 ||
		    waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			die("the run on played kernel %s failed",
			    kernels[i].name);
	}
}

static void report(struct run *run, const struct options *o,
		   const char *kernel, const char *date)
{
	static const char *const limit_cases[] = { "1", "4", "6", NULL };
	bool whole = ran_all(o, limit_cases);

	rows_print(stdout);
	if (!run->k && whole)
		physical_limit(run);
	printf("\n");
	if (o->csv) {
		if (rows_csv(o->csv, kernel, date, run->k != NULL) < 0)
			die("writing %s: %s", o->csv, strerror(errno));
		printf("csv: %s\n", o->csv);
	}
	if (o->prefix && !run->k && whole)
		plot(run, o->prefix, o->gnuplot, kernel);
}

int main(int argc, char **argv)
{
	char kernel[128], cpu[128], date[64], why[128];
	struct options o = { 0 };
	struct run run = { 0 };
	struct plan plan;
	long max_watches;
	int ret;

	/* Case 9's fresh process: before the library's first call. */
	if (argc == 4 && !strcmp(argv[1], FIRST_CHILD_OPT))
		return first_child(argv[2], argv[3]);
	ret = parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	plan = plan_for(&o);
	run.p = &plan;
	run.k = o.k;
	run.t_start = now_ns();
	/* Before the library's first call: it probes the kernel once. */
	if (o.k && !kernel_enter(o.k, why, sizeof(why))) {
		printf("\n==== played kernel %s: left out: %s ====\n",
		       o.k->name, why);
		return 0;
	}
	if (inotify_wd_get_features(&feat) < 0)
		die("inotify_wd_get_features: %s", strerror(errno));
	create_bit = feat.mask_create == INOTIFY_WD_MASK_CREATE_HONOURED ?
		     IN_MASK_CREATE : 0;

	if (o.scale_prefix && !scale_data_file(&run, &o))
		die("--scale-plot %s: %s", o.scale_prefix, strerror(errno));
	run.nfiles = size_run(&run, &max_watches);
	machine_facts(kernel, sizeof(kernel), cpu, sizeof(cpu), date,
		      sizeof(date));
	scratch_create(&scr, run.nfiles);
	run.setup_s = (now_ns() - run.t_start) / 1e9;
	header(&run, kernel, cpu, date, max_watches);
	build_batches(&run);
	run_cases(&run, &o);
	report(&run, &o, kernel, date);
	scratch_remove();
	watches_restore();
	if (!o.k && chosen(o.only, "8"))
		run_played(&o);
	if (!o.k && o.scale_prefix)
		scale_plot(o.scale_prefix, o.gnuplot, kernel);
	free((char *)run.scale_dat);
	printf("wall time: %.1f s\n", (now_ns() - run.t_start) / 1e9);
	rows_free();
	side_free_all();
	free(run.scattered);
	free(run.dense);
	free(run.dist_lib);
	free(run.dist_naive);
	return 0;
}
