// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* inotifywd list: which fds of a process are inotify instances. */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "tool.h"

static const char list_usage[] =
	"Usage: inotifywd list [--json] PID\n"
	"List the inotify instances of process PID, one a line: the fd\n"
	"number ('inotifywd dump' takes it), the number of watches, the\n"
	"file status flags (octal, as fdinfo shows them) and the bytes of\n"
	"events queued on it, or unknown and why.\n"
	"\n"
	"  --json      one JSON object instead of the table\n"
	"  -h, --help  show this help\n";

#define ROW	"%6s %8s  %-32s %s\n"

static void print_row(const struct instance *in)
{
	char fd[16], n[24], flags[48], pending[64];

	snprintf(fd, sizeof(fd), "%d", in->fd);
	snprintf(n, sizeof(n), "%zu", in->n);
	snprintf(flags, sizeof(flags), "0%o %s", in->flags,
		 flags_words(in->flags));
	if (in->pending >= 0)
		snprintf(pending, sizeof(pending), "%lld", in->pending);
	else
		snprintf(pending, sizeof(pending), "unknown (%s)",
			 errno_name(in->pending_err));
	printf(ROW, fd, n, flags, pending);
}

static void print_text(const struct dump *d)
{
	size_t i;

	printf(ROW, "FD", "WATCHES", "FLAGS", "PENDING");
	for (i = 0; i < d->n; i++)
		print_row(&d->inst[i]);
}

static void print_json(int pid, const struct dump *d)
{
	size_t i;

	printf("{\"pid\":%d,\"instances\":[", pid);
	for (i = 0; i < d->n; i++) {
		fputs(i ? ",\n{" : "\n{", stdout);
		json_instance_head(stdout, &d->inst[i]);
		printf(",\"watch_count\":%zu}", d->inst[i].n);
	}
	fputs(d->n ? "\n]}\n" : "]}\n", stdout);
}

int cmd_list(int argc, char **argv)
{
	long long pid;
	struct dump d;
	bool json;
	int ret;

	ret = parse_json_opts(argc, argv, list_usage, &json);
	if (ret >= 0)
		return ret;
	if (optind == argc)
		return usage_error("missing PID");
	if (argc - optind > 1)
		return usage_error("unexpected argument '%s'",
				   argv[optind + 1]);
	if (parse_number("PID", argv[optind], 1, INT_MAX, &pid) < 0)
		return EXIT_USAGE;
	if (proc_read((int)pid, NULL, 0, &d) < 0)
		return EXIT_FAILURE;
	if (json)
		print_json((int)pid, &d);
	else
		print_text(&d);
	dump_free(&d);
	return finish_stdout(0);
}
