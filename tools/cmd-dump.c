// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* inotifywd dump: the inotify instances of another process, as text. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "tool.h"

static const char dump_usage[] =
	"Usage: inotifywd dump [--json] [--no-paths] PID [FD]...\n"
	"Print the inotify instances of process PID (every one, or those of\n"
	"the FDs given; 'inotifywd list PID' shows them) with their fd\n"
	"numbers, flags and watches, in the text format 'inotifywd restore'\n"
	"reads (first line '" DUMP_HEADER "'), or as JSON.\n"
	"Queued events are counted, not read: a restore cannot bring them\n"
	"back, and a warning says so.\n"
	"Each watch gets path=, the path PID sees for its inode (absolute in\n"
	"PID's root, checked to name that inode), which 'restore' uses where\n"
	"the handle cannot be opened and 'restore --by-path' always; a watch\n"
	"without one gets a warning, and the dump goes on.\n"
	"\n"
	"  --json      one JSON object instead of the text format\n"
	"  --no-paths  no path= search: handles and inodes only\n"
	"  -h, --help  show this help\n";

static void json_path(const char *path)
{
	if (!path) {
		putchar('}');
		return;
	}
	fputs(",\"path\":", stdout);
	json_string(stdout, path);
	putchar('}');
}

static void json_watch(const struct inotify_wd_watch *w, const char *path)
{
	unsigned int i;

	printf("{\"wd\":%d,\"ino\":%llu,\"dev\":\"%u:%u\",\"mask\":%u,"
	       "\"ignored_mask\":%u,\"fhandle_type\":%d,\"fhandle\":",
	       w->wd, (unsigned long long)w->ino, major(w->dev),
	       minor(w->dev), w->mask, w->ignored_mask, w->handle_type);
	if (!w->handle_bytes) {
		fputs("null", stdout);
	} else {
		putchar('"');
		for (i = 0; i < w->handle_bytes; i++)
			printf("%02x", w->handle[i]);
		putchar('"');
	}
	json_path(path);
}

static void json_instance(const struct instance *in)
{
	size_t i;

	putchar('{');
	json_instance_head(stdout, in);
	fputs(",\"watches\":[", stdout);
	for (i = 0; i < in->n; i++) {
		fputs(i ? ",\n" : "\n", stdout);
		json_watch(&in->w[i], in->path ? in->path[i] : NULL);
	}
	fputs(in->n ? "\n]}" : "]}", stdout);
}

/* One watch a line: still one JSON value, but readable and diffable. */
static void print_json(int pid, const struct dump *d)
{
	size_t i;

	printf("{\"version\":%d,\"pid\":%d,\"instances\":[", d->version, pid);
	for (i = 0; i < d->n; i++) {
		fputs(i ? ",\n" : "\n", stdout);
		json_instance(&d->inst[i]);
	}
	fputs(d->n ? "\n]}\n" : "]}\n", stdout);
}

/* The warning CRIU's dump never gives: events are not checkpointed. */
static void warn_pending(int pid, const struct dump *d)
{
	const struct instance *in;
	size_t i;

	if (!d->n)
		errmsg("pid %d has no inotify instance", pid);
	for (i = 0; i < d->n; i++) {
		in = &d->inst[i];
		if (in->pending > 0)
			errmsg("pid %d fd %d: %lld bytes of events queued: a restore cannot bring them back",
			       pid, in->fd, in->pending);
		else if (in->pending < 0)
			errmsg("pid %d fd %d: queued events unknown (%s): a restore cannot bring any back",
			       pid, in->fd, peek_why(in->pending_err));
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* An FD given twice, found on a sorted copy: O(n log n). */
static int once_each(const int *fds, size_t n)
{
	int *sorted, ret = 0;
	size_t i;

	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted) {
		errmsg("%s", strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	memcpy(sorted, fds, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_int);
	for (i = 1; i < n && !ret; i++)
		if (sorted[i] == sorted[i - 1])
			ret = usage_error("FD %d given twice", sorted[i]);
	free(sorted);
	return ret;
}

/* The FD operands, each at most once; 0, or an exit status. */
static int parse_fds(char **args, size_t n, int *fds)
{
	long long v;
	size_t i;

	for (i = 0; i < n; i++) {
		if (parse_number("FD", args[i], 0, INT_MAX, &v) < 0)
			return EXIT_USAGE;
		fds[i] = (int)v;
	}
	return once_each(fds, n);
}

struct dump_args {
	bool json;
	bool no_paths;
};

static int dump(int pid, const int *fds, size_t nfds,
		const struct dump_args *a)
{
	struct dump d;

	if (proc_read(pid, nfds ? fds : NULL, nfds, &d) < 0)
		return EXIT_FAILURE;
	if (!a->no_paths && dump_find_paths(pid, &d) < 0) {
		dump_free(&d);
		return EXIT_FAILURE;
	}
	warn_pending(pid, &d);
	if (a->json)
		print_json(pid, &d);
	else
		dump_write(stdout, &d);
	dump_free(&d);
	return finish_stdout(0);
}

/* -1 to go on, or an exit status (help, usage error). */
static int parse_dump_opts(int argc, char **argv, struct dump_args *a)
{
	enum { OPT_JSON = 256, OPT_NO_PATHS };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-paths", no_argument, NULL, OPT_NO_PATHS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_NO_PATHS:
			a->no_paths = true;
			break;
		case 'h':
			return print_help(dump_usage);
		default:
			return bad_option(argv, c);
		}
	}
	return -1;
}

int cmd_dump(int argc, char **argv)
{
	struct dump_args a = { 0 };
	long long pid;
	size_t nfds;
	int *fds, ret;

	ret = parse_dump_opts(argc, argv, &a);
	if (ret >= 0)
		return ret;
	if (optind == argc)
		return usage_error("missing PID");
	/* PID 0 would be the library's "this process": useless here. */
	if (parse_number("PID", argv[optind], 1, INT_MAX, &pid) < 0)
		return EXIT_USAGE;
	nfds = (size_t)(argc - optind - 1);
	fds = calloc(nfds + 1, sizeof(*fds));
	if (!fds) {
		errmsg("%s", strerror(ENOMEM));
		return EXIT_FAILURE;
	}
	ret = parse_fds(argv + optind + 1, nfds, fds);
	if (!ret)
		ret = dump((int)pid, fds, nfds, &a);
	free(fds);
	return ret;
}
