// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotifywd restore: recreate the watches of a dump on a new inotify
 * instance, put it at the fd number the program expects, and exec it.
 *
 * Targets are the file handles of the dump, opened relative to a mount of
 * the dumped device: this needs CAP_DAC_READ_SEARCH.
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

static const char restore_usage[] =
	"Usage: inotifywd restore [OPTION]... --fd N FILE -- CMD [ARG]...\n"
	"Recreate the watches of FILE (written by 'inotifywd dump'; - reads\n"
	"standard input) under their watch descriptors on a new inotify\n"
	"instance, make it file descriptor N, and run CMD with it.  All or\n"
	"nothing: when one watch fails, CMD is not run.  Opening the file\n"
	"handles of the dump needs CAP_DAC_READ_SEARCH.\n"
	"\n"
	"  --fd N             the fd number the instance gets in CMD\n"
	"  --fallback         cycle add/rm even if the ioctl is available\n"
	"  --no-fallback      fail rather than cycle\n"
	"  --max-cycles N     most add/rm cycles to spend (default 1048576)\n"
	"  -h, --help         show this help\n"
	"Numbers are decimal or 0x hex.  Exit status is CMD's, 1 when the\n"
	"restore failed, 2 on a usage error, 126/127 when CMD cannot be run.\n";

struct restore_args {
	struct inotify_wd_opts opts;
	int fd;
	const char *file;
	const char *name;	/* the file, as messages call it */
	char **cmd;
	bool help;
};

static int read_dump(const struct restore_args *a, struct dump *d)
{
	FILE *f = stdin;
	int ret;

	if (strcmp(a->file, "-") != 0) {
		f = fopen(a->file, "re");
		if (!f) {
			errmsg("%s: %s", a->file, strerror(errno));
			return -1;
		}
	}
	ret = dump_read(f, a->name, d);
	if (f != stdin)
		fclose(f);
	return ret;
}

/* The kernel prints no handle for some filesystems: nothing to open. */
static int check_handles(const struct restore_args *a, const struct dump *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->w[i].handle_bytes)
			continue;
		errmsg("%s:%lu: wd %d has no file handle, cannot restore it",
		       a->name, d->line[i], d->w[i].wd);
		return -1;
	}
	return 0;
}

static void report_failure(const struct restore_args *a, const struct dump *d,
			   size_t failed, int err)
{
	bool no_fallback = a->opts.flags & INOTIFY_WD_NO_FALLBACK;
	const char *hint = lib_hint(err, no_fallback);

	/* The instance is new: an inode can only clash with another line. */
	if (err == EEXIST)
		hint = "another line names the same inode";
	if (failed >= d->n)
		errmsg("%s: %s", a->name, strerror(err));
	else if (hint)
		errmsg("%s:%lu: wd %d: %s (%s)", a->name, d->line[failed],
		       d->w[failed].wd, strerror(err), hint);
	else
		errmsg("%s:%lu: wd %d: %s", a->name, d->line[failed],
		       d->w[failed].wd, strerror(err));
}

/*
 * The instance is made blocking and without close-on-exec: that is what
 * inotify_init() gives, and the dump does not record the original flags.
 */
static int restore_instance(const struct restore_args *a, const struct dump *d)
{
	struct inotify_wd_opts opts = a->opts;
	struct inotify_wd_features feat;
	struct inotify_wd_stats st;
	struct progress prog;
	int fd, ret, err;

	/*
	 * A failing kernel probe would come back from the restore with
	 * stats.failed at 0, blaming the first line: probe first.
	 */
	fd = inotify_init1(0);
	if (fd < 0 || inotify_wd_get_features(&feat) < 0) {
		errmsg("inotify_init1: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	progress_begin(&prog);
	opts.progress = progress_report;
	opts.progress_arg = &prog;
	ret = inotify_wd_restore(fd, d->w, d->n, sizeof(*d->w), &opts, &st);
	err = errno;
	progress_end(&prog);
	if (ret < 0) {
		report_failure(a, d, st.failed, err);
		close(fd);
		return -1;
	}
	return fd;
}

/* dup2() leaves the copy without close-on-exec, as CMD needs it. */
static int move_fd(int fd, int target)
{
	if (fd == target)
		return 0;
	if (dup2(fd, target) < 0) {
		errmsg("--fd %d: %s", target, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* 127 and 126 as env(1) and the shells: CMD missing, or not runnable. */
static int run(const struct restore_args *a)
{
	struct dump d;
	int fd, err;

	if (read_dump(a, &d) < 0)
		return EXIT_FAILURE;
	if (check_handles(a, &d) < 0) {
		dump_free(&d);
		return EXIT_FAILURE;
	}
	fd = restore_instance(a, &d);
	dump_free(&d);
	if (fd < 0 || move_fd(fd, a->fd) < 0)
		return EXIT_FAILURE;
	fflush(NULL);
	execvp(a->cmd[0], a->cmd);
	err = errno;
	errmsg("%s: %s", a->cmd[0], strerror(err));
	return err == ENOENT ? 127 : 126;
}

/*
 * FILE and the options come before the first "--", CMD after it.  Finding
 * it first lets getopt_long() permute the options around FILE while CMD's
 * own options stay untouched.
 */
static int find_cmd(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i;
	return argc;
}

static int parse(int argc, char **argv, struct restore_args *a)
{
	enum { OPT_FD = 256, OPT_FALLBACK, OPT_NO_FALLBACK, OPT_MAX_CYCLES };
	static const struct option opts[] = {
		{ "fd", required_argument, NULL, OPT_FD },
		{ "fallback", no_argument, NULL, OPT_FALLBACK },
		{ "no-fallback", no_argument, NULL, OPT_NO_FALLBACK },
		{ "max-cycles", required_argument, NULL, OPT_MAX_CYCLES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long v;
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FD:
			if (parse_number("--fd", optarg, 0, INT_MAX, &v) < 0)
				return EXIT_USAGE;
			a->fd = (int)v;
			break;
		case OPT_FALLBACK:
			a->opts.flags |= INOTIFY_WD_FALLBACK;
			break;
		case OPT_NO_FALLBACK:
			a->opts.flags |= INOTIFY_WD_NO_FALLBACK;
			break;
		case OPT_MAX_CYCLES:
			if (parse_number("--max-cycles", optarg, 1, LONG_MAX,
					 &v) < 0)
				return EXIT_USAGE;
			a->opts.max_cycles = (unsigned long)v;
			break;
		case 'h':
			a->help = true;
			return 0;
		default:
			return bad_option(argv, c);
		}
	}
	if ((a->opts.flags & INOTIFY_WD_FALLBACK) &&
	    (a->opts.flags & INOTIFY_WD_NO_FALLBACK))
		return usage_error("--fallback and --no-fallback exclude each other");
	if (a->fd < 0)
		return usage_error("--fd is required");
	if (optind == argc)
		return usage_error("missing FILE");
	if (argc - optind > 1)
		return usage_error("unexpected argument '%s' (CMD goes after --)",
				   argv[optind + 1]);
	a->file = argv[optind];
	a->name = strcmp(a->file, "-") == 0 ? "stdin" : a->file;
	return 0;
}

int cmd_restore(int argc, char **argv)
{
	struct restore_args a = { .fd = -1 };
	int ncmd = find_cmd(argc, argv);
	int ret;

	ret = parse(ncmd, argv, &a);
	if (ret)
		return ret;
	if (a.help)
		return print_help(restore_usage);
	if (ncmd == argc)
		return usage_error("missing '--' and CMD");
	if (ncmd + 1 == argc)
		return usage_error("missing CMD after --");
	a.cmd = argv + ncmd + 1;
	return run(&a);
}
