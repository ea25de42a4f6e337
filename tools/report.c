// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* Error messages: one line on stderr each, naming the input and the why. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

const char *tool_cmd;

/*
 * Messages quote user input (paths, file contents).  A newline or an
 * escape sequence in there would break the one-line-per-error promise or
 * play with the terminal, so control characters are shown as '?'.
 */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void verrmsg(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

static void verrmsg(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	sanitize(buf);
	fflush(stdout);
	if (tool_cmd)
		fprintf(stderr, "inotifywd: %s: %s\n", tool_cmd, buf);
	else
		fprintf(stderr, "inotifywd: %s\n", buf);
}

void errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/*
 * Our own table rather than strerrorname_np(): that is glibc 2.32+ only,
 * and the names matter here because probe --json promises them.  Only
 * errors the library or its probe can report are listed.
 */
static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },		{ ENOENT, "ENOENT" },
	{ ESRCH, "ESRCH" },		{ EINTR, "EINTR" },
	{ EIO, "EIO" },			{ EBADF, "EBADF" },
	{ EAGAIN, "EAGAIN" },		{ ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },		{ EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },		{ EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" },		{ ENOTDIR, "ENOTDIR" },
	{ EINVAL, "EINVAL" },		{ ENFILE, "ENFILE" },
	{ EMFILE, "EMFILE" },		{ ENOTTY, "ENOTTY" },
	{ ENOSPC, "ENOSPC" },		{ ERANGE, "ERANGE" },
	{ ENAMETOOLONG, "ENAMETOOLONG" }, { ENOSYS, "ENOSYS" },
	{ ELOOP, "ELOOP" },		{ EBADMSG, "EBADMSG" },
	{ EOPNOTSUPP, "EOPNOTSUPP" },	{ ESTALE, "ESTALE" },
};

int arg_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
	return -1;
}

const char *errno_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return "EUNKNOWN";
}

const char *lib_hint(int err, bool no_fallback)
{
	switch (err) {
	case ERANGE:
		return "wd is behind the allocator cursor or farther than --max-cycles";
	case EBUSY:
		return "wd is used by another watch";
	case EEXIST:
		return "the inode is already watched on this instance";
	case EAGAIN:
		return "queue holds unread events";
	case EOPNOTSUPP:
		/* The library reports two different things with this errno. */
		return no_fallback ?
			"SETNEXTWD unavailable and fallback forbidden" :
			"kernel lacks IN_MASK_CREATE and /proc/self/fdinfo is unreadable";
	case ESTALE:
		return "the file no longer exists";
	case EPERM:
		return "opening file handles needs CAP_DAC_READ_SEARCH";
	case ENODEV:
		return "no mount of the dumped device";
	default:
		return NULL;
	}
}

/*
 * A full disk or a closed pipe on stdout must not go unnoticed by the
 * scripts that save a dump, so check the flush rather than trust exit().
 */
int finish_stdout(int code)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return code;
	errmsg("write error on standard output: %s", strerror(errno));
	return code ? code : EXIT_FAILURE;
}

/*
 * The tool places watches on instances of its own making, where the
 * allocator starts at 1: the fallback reaches wd in at most wd - 1
 * cycles.  When that is within the bound, ERANGE has another cause.
 */
const char *range_hint(char *buf, size_t size, int wd, unsigned long bound)
{
	unsigned long need = wd > 1 ? (unsigned long)wd - 1 : 0;

	if (!bound)
		bound = INOTIFY_WD_DEFAULT_MAX_CYCLES;
	if (need <= bound)
		return lib_hint(ERANGE, false);
	snprintf(buf, size, "reaching wd %d takes up to %lu add/rm cycles; --max-cycles is %lu",
		 wd, need, bound);
	return buf;
}
