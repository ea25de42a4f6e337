// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotifywd add: create one watch under a chosen wd, on an instance of
 * our own, and show what it cost and what the kernel recorded.  The watch
 * goes away when the tool exits; this is for trying a kernel out.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

static const char add_usage[] =
	"Usage: inotifywd add [OPTION]... --wd WD PATH\n"
	"Create a watch on PATH whose watch descriptor is WD, on a fresh\n"
	"inotify instance, then print how it was placed and the kernel's\n"
	"fdinfo line for it.\n"
	"\n"
	"  --wd WD            the watch descriptor, 1..2147483647\n"
	"  --mask MASK        events: comma-separated names (access, modify,\n"
	"                     attrib, close_write, close_nowrite, open,\n"
	"                     moved_from, moved_to, create, delete,\n"
	"                     delete_self, move_self, all, close, move,\n"
	"                     oneshot, excl_unlink, onlydir, dont_follow)\n"
	"                     or a number; default all\n"
	"  --fallback         cycle add/rm even if the ioctl is available\n"
	"  --no-fallback      fail rather than cycle\n"
	"  --max-cycles N     most add/rm cycles to spend (default 1048576)\n"
	"  -h, --help         show this help\n"
	"Numbers are decimal or 0x hex.\n";

struct add_args {
	struct inotify_wd_opts opts;
	uint32_t mask;
	int wd;
	const char *path;
};

static const char *method_word(unsigned int method)
{
	switch (method) {
	case INOTIFY_WD_METHOD_IOCTL:
		return "ioctl";
	case INOTIFY_WD_METHOD_CYCLE:
		return "fallback";
	case INOTIFY_WD_METHOD_PLAIN:
		return "plain";
	default:
		return "none";
	}
}

/*
 * The kernel's own line for the watch, so the user need not trust us.
 * The kernel prints wds in hex: "inotify wd:34d71d6 ino:...".
 */
static int print_fdinfo_line(int fd, int wd)
{
	char path[64], want[32], *line = NULL;
	size_t size = 0, wlen;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	wlen = (size_t)snprintf(want, sizeof(want), "inotify wd:%x ", wd);
	f = fopen(path, "re");
	if (!f) {
		errmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &size, f)) > 0) {
		if (strncmp(line, want, wlen) != 0)
			continue;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = '\0';
		printf("%s\n", line);
		break;
	}
	if (n <= 0)
		errmsg("%s: no line for wd %d", path, wd);
	free(line);
	fclose(f);
	return n > 0 ? 0 : -1;
}

static void report_failure(const struct add_args *a, int err)
{
	bool no_fallback = a->opts.flags & INOTIFY_WD_NO_FALLBACK;
	const char *hint = lib_hint(err, no_fallback);
	char buf[160];

	/* The instance is the tool's own, fresh: the cursor is at 1. */
	if (err == ERANGE)
		hint = range_hint(buf, sizeof(buf), a->wd, a->opts.max_cycles);
	if (err == ESTALE)
		hint = HINT_NEW_INODE;
	/* Errors about the number name the number, the rest the path. */
	if (err == ERANGE || err == EBUSY)
		errmsg("--wd %d: %s (%s)", a->wd, strerror(err), hint);
	else if (hint)
		errmsg("%s: %s (%s)", a->path, strerror(err), hint);
	else
		errmsg("%s: %s", a->path, strerror(err));
}

static int run(const struct add_args *a)
{
	struct inotify_wd_opts opts = a->opts;
	struct inotify_wd_features feat;
	struct inotify_wd_stats st;
	struct progress prog;
	struct timespec t0;
	double ms;
	int fd, wd, ret, err;

	/*
	 * The library probes the kernel once per process, on first use;
	 * doing it now keeps that one-time cost out of the time shown.
	 */
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0 || inotify_wd_get_features(&feat) < 0) {
		errmsg("inotify_init1: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_FAILURE;
	}
	progress_begin(&prog);
	opts.progress = progress_report;
	opts.progress_arg = &prog;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wd = inotify_wd_add_watch(fd, a->path, a->mask, a->wd, &opts, &st);
	err = errno;
	ms = elapsed_ms(&t0);
	progress_end(&prog);
	if (wd < 0) {
		report_failure(a, err);
		close(fd);
		return EXIT_FAILURE;
	}
	printf("wd %d (0x%x) on %s: path %s, %lu cycles, %lu syscalls, %.3f ms\n",
	       wd, wd, a->path, method_word(st.method), st.cycles,
	       st.syscalls, ms);
	ret = print_fdinfo_line(fd, wd);
	close(fd);
	return finish_stdout(ret < 0 ? EXIT_FAILURE : 0);
}

int cmd_add(int argc, char **argv)
{
	enum { OPT_WD = 256, OPT_MASK, OPT_FALLBACK, OPT_NO_FALLBACK,
	       OPT_MAX_CYCLES };
	static const struct option opts[] = {
		{ "wd", required_argument, NULL, OPT_WD },
		{ "mask", required_argument, NULL, OPT_MASK },
		{ "fallback", no_argument, NULL, OPT_FALLBACK },
		{ "no-fallback", no_argument, NULL, OPT_NO_FALLBACK },
		{ "max-cycles", required_argument, NULL, OPT_MAX_CYCLES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct add_args a = { .mask = IN_ALL_EVENTS };
	long long v;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_WD:
			if (parse_number("--wd", optarg, 1, INT_MAX, &v) < 0)
				return EXIT_USAGE;
			a.wd = (int)v;
			break;
		case OPT_MASK:
			if (parse_mask(optarg, &a.mask) < 0)
				return EXIT_USAGE;
			break;
		case OPT_FALLBACK:
			a.opts.flags |= INOTIFY_WD_FALLBACK;
			break;
		case OPT_NO_FALLBACK:
			a.opts.flags |= INOTIFY_WD_NO_FALLBACK;
			break;
		case OPT_MAX_CYCLES:
			if (parse_number("--max-cycles", optarg, 1, LONG_MAX,
					 &v) < 0)
				return EXIT_USAGE;
			a.opts.max_cycles = (unsigned long)v;
			break;
		case 'h':
			return print_help(add_usage);
		default:
			return bad_option(argv, c);
		}
	}
	if ((a.opts.flags & INOTIFY_WD_FALLBACK) &&
	    (a.opts.flags & INOTIFY_WD_NO_FALLBACK))
		return usage_error("--fallback and --no-fallback exclude each other");
	if (!a.wd)
		return usage_error("--wd is required");
	if (optind == argc)
		return usage_error("missing PATH");
	if (argc - optind > 1)
		return usage_error("unexpected argument '%s'",
				   argv[optind + 1]);
	a.path = argv[optind];
	return run(&a);
}
