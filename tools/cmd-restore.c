// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotifywd restore: recreate the instances of a dump, each with its
 * watches, at the fd numbers the program expects, and exec it.
 *
 * Targets are the file handles of the dump, opened relative to a mount of
 * the dumped device (this needs CAP_DAC_READ_SEARCH), else the path=
 * checked to be the dumped inode; with --by-path, every path= beneath
 * the --root directory (targets.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tool.h"

static const char restore_usage[] =
	"Usage: inotifywd restore [OPTION]... FILE -- CMD [ARG]...\n"
	"Recreate the inotify instances of FILE (written by 'inotifywd dump';\n"
	"- reads standard input), each at its own fd number and with its\n"
	"O_NONBLOCK, with every watch under its watch descriptor, and run CMD\n"
	"with them.  All or nothing: when one watch fails, CMD is not run.\n"
	"O_CLOEXEC is reported, not applied: CMD could not inherit the fd.\n"
	"Targets are the file handles of the dump (which needs\n"
	"CAP_DAC_READ_SEARCH), else the path= if it still names the dumped inode.\n"
	"\n"
	"  --by-path          every watch by its path=, whatever the inode now\n"
	"                     (another host, a new mount): inodes that changed\n"
	"                     are counted on standard error\n"
	"  --root DIR         with --by-path: resolve paths beneath DIR as if it\n"
	"                     were / (a container's root); default /\n"
	"  --fd N             put the single instance of FILE at fd N instead\n"
	"                     (needed for a v1 dump, which records no fd)\n"
	"  --allow-stdio      let an instance take fd 0, 1 or 2\n"
	"  --fallback         cycle add/rm even if the ioctl is available\n"
	"  --no-fallback      fail rather than cycle\n"
	"  --max-cycles N     most add/rm cycles per instance (default 1048576)\n"
	"  -h, --help         show this help\n"
	"Numbers are decimal or 0x hex.  Exit status is CMD's, 1 when the\n"
	"restore failed, 2 on a usage error (or options that do not fit\n"
	"FILE), 126/127 when CMD cannot be run.\n";

struct restore_args {
	struct inotify_wd_opts opts;
	struct target_ctx t;	/* name, --by-path, --root, for targets.c */
	int fd;			/* --fd, or -1 */
	bool allow_stdio;
	const char *file;
	const char *name;	/* the file, as messages call it */
	char **cmd;
	bool help;
};

static const char *const stdio_names[] = { "input", "output", "error" };

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

/* Where a target fd comes from, for messages: the option or the line. */
static const char *fd_origin(const struct restore_args *a,
			     const struct instance *in, char *buf, size_t size)
{
	if (a->fd >= 0)
		snprintf(buf, size, "--fd %d", a->fd);
	else
		snprintf(buf, size, "%s:%lu: fd %d", a->name, in->line, in->fd);
	return buf;
}

/* The fd number of each instance: 0, or the exit status of a refusal. */
static int plan_fd(const struct restore_args *a, const struct instance *in,
		   rlim_t limit, int *target)
{
	char buf[PATH_MAX + 64];

	if (a->fd < 0 && in->fd < 0)
		return usage_error("%s is a v1 dump, which records no fd: give --fd N",
				   a->name);
	*target = a->fd >= 0 ? a->fd : in->fd;
	if (*target <= 2 && !a->allow_stdio)
		return usage_error("%s: that is standard %s (--allow-stdio puts an instance there)",
				   fd_origin(a, in, buf, sizeof(buf)),
				   stdio_names[*target]);
	if ((rlim_t)*target >= limit) {
		errmsg("%s: beyond the open file limit of %llu (ulimit -n)",
		       fd_origin(a, in, buf, sizeof(buf)),
		       (unsigned long long)limit);
		return EXIT_FAILURE;
	}
	return 0;
}

static int plan(const struct restore_args *a, const struct dump *d,
		int *targets)
{
	struct rlimit rl;
	size_t i;
	int ret;

	if (a->fd >= 0 && d->n != 1)
		return usage_error("--fd %d: %s holds %zu instances; --fd places a single one",
				   a->fd, a->name, d->n);
	/* Unknown, the limit is left to dup2() to find. */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		rl.rlim_cur = RLIM_INFINITY;
	for (i = 0; i < d->n; i++) {
		ret = plan_fd(a, &d->inst[i], rl.rlim_cur, &targets[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * A new instance with the original's O_NONBLOCK (a file status flag, so
 * the final dup2() keeps it), close-on-exec until it is put in place.
 */
static int restore_instance(const struct restore_args *a,
			    const struct instance *in, size_t *moved)
{
	struct inotify_wd_opts opts = a->opts;
	struct inotify_wd_features feat;
	struct inotify_wd_result *res;
	struct inotify_wd_stats st;
	struct progress prog;
	int fd, ret, err;

	/*
	 * A failing kernel probe would come back from the restore with
	 * stats.failed at 0, blaming the first line: probe first.
	 */
	res = calloc(in->n + 1, sizeof(*res));
	fd = res ? inotify_init1((in->flags & O_NONBLOCK) ?
				 IN_CLOEXEC | IN_NONBLOCK : IN_CLOEXEC) : -1;
	if (fd < 0 || inotify_wd_get_features(&feat) < 0) {
		errmsg("inotify_init1: %s", strerror(res ? errno : ENOMEM));
		if (fd >= 0)
			close(fd);
		free(res);
		return -1;
	}
	/* The instance is ours and new: the promise FRESH asks for holds. */
	if (a->t.by_path)
		opts.flags |= INOTIFY_WD_FRESH;
	opts.results = res;
	progress_begin(&prog);
	opts.progress = progress_report;
	opts.progress_arg = &prog;
	ret = inotify_wd_restore(fd, in->w, in->n, sizeof(*in->w), &opts, &st);
	err = errno;
	progress_end(&prog);
	if (ret < 0)
		targets_report(&a->t, in, res, st.failed, err);
	else if (a->t.by_path && targets_moved(in, fd, moved) < 0)
		errmsg("%s:%lu: fd %d: cannot count the targets that are other inodes: %s",
		       a->name, in->line, in->fd, strerror(errno));
	free(res);
	if (ret < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * What the restore does not apply is said, once per instance: O_CLOEXEC,
 * which the exec would act on, and flags set with F_SETFL (O_ASYNC needs
 * an owner, F_SETOWN, that fdinfo does not show).
 */
static void note_flags(const struct restore_args *a,
		       const struct instance *in, int target)
{
	unsigned int other = in->flags & ~(unsigned int)(O_ACCMODE |
							 O_NONBLOCK | O_CLOEXEC);

	if (in->flags & O_CLOEXEC)
		errmsg("%s:%lu: fd %d: O_CLOEXEC recorded, not applied: CMD could not inherit the fd",
		       a->name, in->line, target);
	if (other)
		errmsg("%s:%lu: fd %d: flags 0%o recorded, not applied",
		       a->name, in->line, target, other);
}

/* All instances first, at free numbers; then each at its target. */
static int restore_all(const struct restore_args *a, const struct dump *d,
		       const int *targets, int *fds)
{
	size_t i, k, moved = 0;

	if (fds_reserve(targets, d->n) < 0)
		return -1;
	for (i = 0; i < d->n; i++) {
		fds[i] = restore_instance(a, &d->inst[i], &moved);
		if (fds[i] < 0) {
			for (k = 0; k < i; k++)
				close(fds[k]);
			return -1;
		}
	}
	for (i = 0; i < d->n; i++) {
		if (fd_place(fds[i], targets[i]) < 0)
			return -1;
		note_flags(a, &d->inst[i], targets[i]);
	}
	if (a->t.by_path)
		errmsg("%s: %zu targets are other inodes than at the dump",
		       a->name, moved);
	return 0;
}

/* Everything but the exec: 0, or an exit status. */
static int prepare(const struct restore_args *a, struct dump *d)
{
	int *targets, *fds, ret;
	size_t i;

	targets = calloc(d->n + 1, sizeof(*targets));
	fds = calloc(d->n + 1, sizeof(*fds));
	ret = targets && fds ? plan(a, d, targets) : EXIT_FAILURE;
	if (!targets || !fds)
		errmsg("%s", strerror(ENOMEM));
	for (i = 0; i < d->n && !ret; i++)
		if (targets_choose(&a->t, &d->inst[i]) < 0)
			ret = EXIT_FAILURE;
	if (!ret && restore_all(a, d, targets, fds) < 0)
		ret = EXIT_FAILURE;
	free(targets);
	free(fds);
	return ret;
}

/* 127 and 126 as env(1) and the shells: CMD missing, or not runnable. */
/* The --root directory, held O_PATH for the whole restore. */
static int open_root(struct restore_args *a)
{
	a->t.name = a->name;
	a->t.no_fallback = a->opts.flags & INOTIFY_WD_NO_FALLBACK;
	a->t.max_cycles = a->opts.max_cycles;
	if (!a->t.by_path)
		return 0;
	a->t.rootfd = open(a->t.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (a->t.rootfd >= 0)
		return 0;
	errmsg("--root %s: %s", a->t.root, strerror(errno));
	return -1;
}

static int run(struct restore_args *a)
{
	struct dump d = { 0 };
	int ret, err;

	if (open_root(a) < 0)
		return EXIT_FAILURE;
	ret = read_dump(a, &d) < 0 ? EXIT_FAILURE : prepare(a, &d);
	dump_free(&d);
	if (a->t.rootfd >= 0)
		close(a->t.rootfd);
	if (ret)
		return ret;
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

static int parse_option(int c, struct restore_args *a)
{
	long long v;

	switch (c) {
	case 'f':
		if (parse_number("--fd", optarg, 0, INT_MAX, &v) < 0)
			return EXIT_USAGE;
		a->fd = (int)v;
		return 0;
	case 's':
		a->allow_stdio = true;
		return 0;
	case 'F':
		a->opts.flags |= INOTIFY_WD_FALLBACK;
		return 0;
	case 'N':
		a->opts.flags |= INOTIFY_WD_NO_FALLBACK;
		return 0;
	case 'm':
		if (parse_number("--max-cycles", optarg, 1, LONG_MAX, &v) < 0)
			return EXIT_USAGE;
		a->opts.max_cycles = (unsigned long)v;
		return 0;
	case 'p':
		a->t.by_path = true;
		return 0;
	case 'r':
		a->t.root = optarg;
		return 0;
	default:
		return -1;
	}
}

/* What the options say of each other, before any file is read. */
static int check_options(int argc, char **argv, struct restore_args *a)
{
	if ((a->opts.flags & INOTIFY_WD_FALLBACK) &&
	    (a->opts.flags & INOTIFY_WD_NO_FALLBACK))
		return usage_error("--fallback and --no-fallback exclude each other");
	if (a->t.root && !a->t.by_path)
		return usage_error("--root %s needs --by-path (the default restore opens handles, which know no root)",
				   a->t.root);
	if (a->t.root && !*a->t.root)
		return usage_error("--root: empty directory name");
	if (!a->t.root)
		a->t.root = "/";
	if (optind == argc)
		return usage_error("missing FILE");
	if (argc - optind > 1)
		return usage_error("unexpected argument '%s' (CMD goes after --)",
				   argv[optind + 1]);
	a->file = argv[optind];
	a->name = strcmp(a->file, "-") == 0 ? "stdin" : a->file;
	return 0;
}

/* Long options only: the values are the letters parse_option() takes. */
static int parse(int argc, char **argv, struct restore_args *a)
{
	static const struct option opts[] = {
		{ "fd", required_argument, NULL, 'f' },
		{ "allow-stdio", no_argument, NULL, 's' },
		{ "fallback", no_argument, NULL, 'F' },
		{ "no-fallback", no_argument, NULL, 'N' },
		{ "max-cycles", required_argument, NULL, 'm' },
		{ "by-path", no_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			a->help = true;
			return 0;
		}
		ret = parse_option(c, a);
		if (ret)
			return ret < 0 ? bad_option(argv, c) : ret;
	}
	return check_options(argc, argv, a);
}

int cmd_restore(int argc, char **argv)
{
	struct restore_args a = { .fd = -1, .t.rootfd = -1 };
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
