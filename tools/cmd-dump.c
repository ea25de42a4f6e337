// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* inotifywd dump: the watches of another process's inotify fd. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tool.h"

static const char dump_usage[] =
	"Usage: inotifywd dump [--json] PID FD\n"
	"Print the watches of inotify file descriptor FD of process PID, in\n"
	"the text format 'inotifywd restore' reads (first line\n"
	"'" DUMP_HEADER "'), or as JSON.\n"
	"\n"
	"  --json      one JSON object instead of the text format\n"
	"  -h, --help  show this help\n";

static void json_watch(const struct inotify_wd_watch *w)
{
	unsigned int i;

	printf("{\"wd\":%d,\"ino\":%llu,\"dev\":\"%u:%u\",\"mask\":%u,"
	       "\"ignored_mask\":%u,\"fhandle_type\":%d,\"fhandle\":",
	       w->wd, (unsigned long long)w->ino, major(w->dev),
	       minor(w->dev), w->mask, w->ignored_mask, w->handle_type);
	if (!w->handle_bytes) {
		fputs("null}", stdout);
		return;
	}
	putchar('"');
	for (i = 0; i < w->handle_bytes; i++)
		printf("%02x", w->handle[i]);
	fputs("\"}", stdout);
}

/* One watch a line: still one JSON value, but readable and diffable. */
static void print_json(int pid, int fd, const struct inotify_wd_watch *w,
		       size_t n)
{
	size_t i;

	printf("{\"pid\":%d,\"fd\":%d,\"watches\":[", pid, fd);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", stdout);
		json_watch(&w[i]);
	}
	fputs(n ? "\n]}\n" : "]}\n", stdout);
}

/*
 * The library says ENOENT for a missing process and a missing fd alike;
 * /proc/PID tells which one the user got wrong.
 */
static void report_failure(int pid, int fd)
{
	char path[32];
	int err = errno;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (err == ENOENT && access(path, F_OK) < 0)
		errmsg("pid %d: %s", pid, strerror(ESRCH));
	else if (err == ENOENT)
		errmsg("pid %d fd %d: %s", pid, fd, strerror(EBADF));
	else if (err == EINVAL)
		errmsg("pid %d fd %d: not an inotify instance", pid, fd);
	else if (err == EBADMSG)
		errmsg("pid %d fd %d: fdinfo not understood: %s", pid, fd,
		       strerror(err));
	else
		errmsg("pid %d fd %d: %s", pid, fd, strerror(err));
}

int cmd_dump(int argc, char **argv)
{
	struct inotify_wd_watch *w;
	long long pid, fd;
	bool json;
	size_t n;
	int ret;

	ret = parse_json_opts(argc, argv, dump_usage, &json);
	if (ret >= 0)
		return ret;
	if (argc - optind < 2)
		return usage_error("missing %s", optind == argc ? "PID and FD" :
							       "FD");
	if (argc - optind > 2)
		return usage_error("unexpected argument '%s'",
				   argv[optind + 2]);
	/* PID 0 would be the library's "this process": useless here. */
	if (parse_number("PID", argv[optind], 1, INT_MAX, &pid) < 0 ||
	    parse_number("FD", argv[optind + 1], 0, INT_MAX, &fd) < 0)
		return EXIT_USAGE;
	if (inotify_wd_dump((pid_t)pid, (int)fd, &w, &n, sizeof(*w)) < 0) {
		report_failure((int)pid, (int)fd);
		return EXIT_FAILURE;
	}
	if (json)
		print_json((int)pid, (int)fd, w, n);
	else
		dump_write(stdout, w, n);
	free(w);
	return finish_stdout(0);
}
