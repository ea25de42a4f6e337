// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The text format of "inotifywd dump", read back by "inotifywd restore".
 *
 * Version 2.  The first line is exactly
 *   # inotifywd dump v2
 * followed, for each inotify instance, by an instance line
 *   instance fd=<dec> flags=0<oct> pending=<dec>|unknown[:<ENAME>]
 * and then its watch lines, in strictly ascending wd order:
 *   wd=<dec> ino=<dec> dev=<major>:<minor> mask=0x<hex>
 *   ignored_mask=0x<hex> fhandle_type=<dec> fhandle=<hex>|- [path=<path>]
 * (each one line, fields in this order, separated by single spaces).
 *
 * fd is the instance's fd number in the process; no two instances share
 * one.  flags are its file status flags as fdinfo prints them (O_NONBLOCK
 * 04000, O_CLOEXEC 02000000).  pending is the number of bytes of events
 * that were queued on it, or unknown, optionally with the name of the
 * errno that kept the dump from reading it.
 *
 * dev is the userspace major:minor in decimal, as ls -l and mountinfo
 * show it; mask is what inotify_add_watch() takes (events, IN_ONESHOT,
 * IN_EXCL_UNLINK); fhandle_type is a signed int; fhandle is the file
 * handle bytes in lowercase hex (1 to 128 of them), or "-" when the
 * kernel printed none.  path, optional, names the target by its path as
 * the dumped process saw it (dump finds it with inotify_wd_find_paths();
 * a tool or a hand may write it too): restore uses it where the handle
 * is missing or cannot be opened, restore --by-path always.  A byte below 0x21 (space included), from 0x7f up, or a
 * backslash is written as a backslash and three octal digits, as
 * /proc/self/mountinfo does, so that a path holds no space or newline.
 * The reader also takes bytes from 0x80 up as they are (UTF-8 written by
 * hand), and uppercase hex digits.  An escape names one byte, \001 to
 * \377: \000 and \400 up are refused.  Every line, the last included, ends
 * with a newline.
 *
 * Version 1, still read: the first line is "# inotifywd dump v1" and the
 * watch lines of one instance follow, without an instance line: its fd
 * and flags are not recorded.
 *
 * The reader is strict: a restore built on a guess recreates the wrong
 * watch, and a file cut short inside a handle would otherwise still
 * parse.  Anything else is refused with the line number and the reason.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <search.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "tool.h"


static void put_handle(FILE *f, const struct inotify_wd_watch *w)
{
	unsigned int i;

	if (!w->handle_bytes) {
		putc('-', f);
		return;
	}
	for (i = 0; i < w->handle_bytes; i++)
		fprintf(f, "%02x", w->handle[i]);
}

static void put_watch(FILE *f, const struct inotify_wd_watch *w,
		      const char *path)
{
	static char esc[PATH_ESC_MAX];

	fprintf(f, "wd=%d ino=%llu dev=%u:%u mask=0x%x ignored_mask=0x%x fhandle_type=%d fhandle=",
		w->wd, (unsigned long long)w->ino, major(w->dev),
		minor(w->dev), w->mask, w->ignored_mask, w->handle_type);
	put_handle(f, w);
	if (path)
		fprintf(f, " path=%s", path_escape(path, esc, sizeof(esc)));
	putc('\n', f);
}

/* "0%o", as the kernel prints flags: a zero stays "00". */
static void put_instance(FILE *f, const struct instance *in)
{
	size_t i;

	fprintf(f, "%s fd=%d flags=0%o pending=", INSTANCE_KEY, in->fd,
		in->flags);
	if (in->pending >= 0)
		fprintf(f, "%lld\n", in->pending);
	else if (in->pending_err)
		fprintf(f, "unknown:%s\n", errno_name(in->pending_err));
	else
		fputs("unknown\n", f);
	for (i = 0; i < in->n; i++)
		put_watch(f, &in->w[i], in->path ? in->path[i] : NULL);
}

/*
 * Paths are those inotify_wd_find_paths() found for a process (the
 * kernel gives none), or those a file had.  Write errors are left to the
 * stream's error flag.
 */
void dump_write(FILE *f, const struct dump *d)
{
	size_t i;

	fprintf(f, "%s\n", DUMP_HEADER);
	for (i = 0; i < d->n; i++)
		put_instance(f, &d->inst[i]);
}

/* Room for one more watch in in, whose arrays hold *cap. */
static int grow(struct instance *in, size_t *cap)
{
	struct inotify_wd_watch *nw;
	unsigned long *nl;
	char **np;
	size_t ncap;

	if (in->n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	nw = realloc(in->w, ncap * sizeof(*nw));
	if (!nw)
		return -1;
	in->w = nw;
	nl = realloc(in->wline, ncap * sizeof(*nl));
	if (!nl)
		return -1;
	in->wline = nl;
	np = realloc(in->path, ncap * sizeof(*np));
	if (!np)
		return -1;
	in->path = np;
	*cap = ncap;
	return 0;
}

_Static_assert(DUMP_LINE_MAX == 16772, "inotifywd(1) names the bound");

/* An instance's fd and line, in the tree of the fds seen so far. */
struct fd_seen {
	int fd;
	unsigned long line;
};

/* The reader of one file: where it is and what it has read. */
struct reader {
	FILE *f;
	const char *name;
	unsigned long line;	/* number of the line in buf */
	char buf[DUMP_LINE_MAX + 1];
	struct dump *d;
	size_t cap;		/* room in the arrays of the last instance */
	void *fds;		/* tsearch() tree of struct fd_seen */
};

/*
 * Up to DUMP_LINE_MAX bytes into buf, stopping after a newline: a line
 * longer than any valid one is refused after that many bytes, never
 * stored whole (/dev/zero, or a line of gigabytes, costs no memory).
 */
static size_t read_bounded(struct reader *r, bool *nul)
{
	size_t n = 0;
	int c;

	*nul = false;
	while (n < DUMP_LINE_MAX && (c = getc(r->f)) != EOF) {
		r->buf[n++] = (char)c;
		*nul |= c == '\0';
		if (c == '\n')
			break;
	}
	r->buf[n] = '\0';
	return n;
}

/* The next line, newline included: 1, or 0 at EOF, -1 after a report. */
static int next_line(struct reader *r)
{
	bool nul;
	size_t n;

	errno = 0;
	n = read_bounded(r, &nul);
	if (ferror(r->f)) {
		errmsg("%s: %s", r->name, strerror(errno ? errno : EIO));
		return -1;
	}
	if (!n)
		return 0;
	r->line++;
	if (nul)
		errmsg("%s:%lu: NUL byte in line", r->name, r->line);
	else if (r->buf[n - 1] == '\n')
		return 1;
	else if (n == DUMP_LINE_MAX && getc(r->f) != EOF)
		errmsg("%s:%lu: line too long (longer than %d bytes, the longest a dump line can be)",
		       r->name, r->line, DUMP_LINE_MAX);
	else
		errmsg("%s:%lu: truncated line (no newline at the end)",
		       r->name, r->line);
	return -1;
}

static int read_header(struct reader *r)
{
	int ret = next_line(r);

	if (ret < 0)
		return -1;
	if (ret == 0) {
		errmsg("%s: empty file, not an inotifywd dump", r->name);
		return -1;
	}
	if (strcmp(r->buf, DUMP_HEADER "\n") == 0) {
		r->d->version = 2;
		return 0;
	}
	if (strcmp(r->buf, DUMP_HEADER_V1 "\n") == 0) {
		r->d->version = 1;
		/* The one instance of v1, whose fd is not recorded. */
		if (dump_add_instance(r->d))
			return 0;
		errmsg("%s: %s", r->name, strerror(ENOMEM));
		return -1;
	}
	errmsg("%s:1: not an inotifywd dump (want '%s' or '%s')", r->name,
	       DUMP_HEADER, DUMP_HEADER_V1);
	return -1;
}

static bool is_instance_line(const char *line)
{
	size_t n = strlen(INSTANCE_KEY);

	return strncmp(line, INSTANCE_KEY, n) == 0 &&
	       (line[n] == ' ' || line[n] == '\n');
}

static int cmp_fd_seen(const void *a, const void *b)
{
	const struct fd_seen *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

/*
 * The fd numbers of the instances are where restore puts them.  A
 * balanced tree (tsearch() is one in glibc and musl) finds a number seen
 * before in O(log n): n instances cost O(n log n), not O(n^2).
 */
static int check_fd(struct reader *r, const struct instance *in)
{
	struct fd_seen *key, **found;

	key = malloc(sizeof(*key));
	if (!key) {
		errmsg("%s: %s", r->name, strerror(ENOMEM));
		return -1;
	}
	*key = (struct fd_seen){ .fd = in->fd, .line = r->line };
	found = tsearch(key, &r->fds, cmp_fd_seen);
	if (!found) {
		free(key);
		errmsg("%s: %s", r->name, strerror(ENOMEM));
		return -1;
	}
	if (*found == key)
		return 0;
	free(key);
	errmsg("%s:%lu: duplicate fd %d (lines %lu and %lu)", r->name,
	       r->line, in->fd, (*found)->line, r->line);
	return -1;
}

static int read_instance(struct reader *r)
{
	struct scan s = { .line = r->buf, .p = r->buf };
	struct instance *in;

	if (r->d->version == 1) {
		errmsg("%s:%lu: an instance line needs a v2 dump ('%s')",
		       r->name, r->line, DUMP_HEADER);
		return -1;
	}
	in = dump_add_instance(r->d);
	if (!in) {
		errmsg("%s: %s", r->name, strerror(ENOMEM));
		return -1;
	}
	r->cap = 0;
	in->line = r->line;
	if (!scan_instance(&s, in)) {
		errmsg("%s:%lu: %s", r->name, r->line, s.why);
		return -1;
	}
	return check_fd(r, in);
}

/* Ascending is also what catches a wd given twice. */
static int check_order(struct reader *r, const struct instance *in, int wd)
{
	int prev;

	if (!in->n)
		return 0;
	prev = in->w[in->n - 1].wd;
	if (wd == prev)
		errmsg("%s:%lu: duplicate wd %d (lines %lu and %lu)", r->name,
		       r->line, wd, in->wline[in->n - 1], r->line);
	else if (wd < prev)
		errmsg("%s:%lu: wd %d after wd %d (line %lu): not in ascending order",
		       r->name, r->line, wd, prev, in->wline[in->n - 1]);
	return wd > prev ? 0 : -1;
}

static int read_watch(struct reader *r)
{
	struct scan s = { .line = r->buf, .p = r->buf };
	struct inotify_wd_watch w;
	struct instance *in;
	char *path;
	int ret;

	if (!r->d->n) {
		errmsg("%s:%lu: watch line before the first '%s' line",
		       r->name, r->line, INSTANCE_KEY);
		return -1;
	}
	in = &r->d->inst[r->d->n - 1];
	if (!scan_watch(&s, &w, &path)) {
		errmsg("%s:%lu: %s", r->name, r->line, s.why);
		return -1;
	}
	ret = check_order(r, in, w.wd);
	if (ret == 0 && grow(in, &r->cap) < 0) {
		errmsg("%s: %s", r->name, strerror(ENOMEM));
		ret = -1;
	}
	if (ret < 0) {
		free(path);
		return -1;
	}
	in->w[in->n] = w;
	in->path[in->n] = path;
	in->wline[in->n++] = r->line;
	return 0;
}

static int read_all(struct reader *r)
{
	int ret;

	if (read_header(r) < 0)
		return -1;
	while ((ret = next_line(r)) > 0) {
		ret = is_instance_line(r->buf) ? read_instance(r) :
						 read_watch(r);
		if (ret < 0)
			return -1;
	}
	return ret;
}

int dump_read(FILE *f, const char *name, struct dump *d)
{
	struct reader *r;
	int ret;

	*d = (struct dump){ 0 };
	/* Its line buffer is too large for the stack of some threads. */
	r = calloc(1, sizeof(*r));
	if (!r) {
		errmsg("%s: %s", name, strerror(ENOMEM));
		return -1;
	}
	r->f = f;
	r->name = name;
	r->d = d;
	ret = read_all(r);
	tdestroy(r->fds, free);
	free(r);
	if (ret < 0)
		dump_free(d);
	return ret;
}
