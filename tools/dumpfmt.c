// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The text format of "inotifywd dump", read back by "inotifywd restore".
 *
 * Version 1, stable.  The first line is exactly
 *   # inotifywd dump v1
 * followed by one line per watch, in strictly ascending wd order:
 *   wd=<dec> ino=<dec> dev=<major>:<minor> mask=0x<hex>
 *   ignored_mask=0x<hex> fhandle_type=<dec> fhandle=<hex>|-
 * (one line, fields in this order, separated by single spaces).  dev is
 * the userspace major:minor in decimal, as ls -l and mountinfo show it;
 * mask is what inotify_add_watch() takes (events, IN_ONESHOT,
 * IN_EXCL_UNLINK); fhandle_type is a signed int; fhandle is the file
 * handle bytes in lowercase hex (1 to 128 of them), or "-" when the
 * kernel printed none.  Every line, the last included, ends with a
 * newline.  The reader also takes uppercase hex digits.
 *
 * The reader is strict: a restore built on a guess recreates the wrong
 * watch, and a file cut short inside a handle would otherwise still
 * parse.  Anything else is refused with the line number and the reason.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "tool.h"

/* Longest valid line is about 370 bytes; refuse anything far beyond. */
#define LINE_MAX_LEN	1024

/* The kernel's dev_t: 12 bits of major, 20 of minor. */
#define KDEV_MAJOR_MAX	0xfffULL
#define KDEV_MINOR_MAX	0xfffffULL

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

/* Write errors are left to the stream's error flag, for the caller. */
void dump_write(FILE *f, const struct inotify_wd_watch *w, size_t n)
{
	size_t i;

	fprintf(f, "%s\n", DUMP_HEADER);
	for (i = 0; i < n; i++) {
		fprintf(f, "wd=%d ino=%llu dev=%u:%u mask=0x%x ignored_mask=0x%x fhandle_type=%d fhandle=",
			w[i].wd, (unsigned long long)w[i].ino,
			major(w[i].dev), minor(w[i].dev), w[i].mask,
			w[i].ignored_mask, w[i].handle_type);
		put_handle(f, &w[i]);
		putc('\n', f);
	}
}

/* The line being parsed, and why it was refused. */
struct scan {
	const char *line;
	const char *p;
	char why[96];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool refuse(struct scan *s, const char *fmt, ...) PRINTF_LIKE(2, 3);

static bool refuse(struct scan *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return false;
}

/* Digits of base 10 or 16, at least one, no larger than max. */
static bool digits(struct scan *s, unsigned int base, uint64_t max,
		   uint64_t *val)
{
	const char *start = s->p;
	uint64_t v = 0;
	int d;

	while ((d = hexval(*s->p)) >= 0 && (unsigned int)d < base) {
		if (v > (max - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
		s->p++;
	}
	*val = v;
	return s->p != start;
}

/* "name=", after a single space unless it is the first field. */
static bool key(struct scan *s, const char *name)
{
	size_t n = strlen(name);

	if (s->p != s->line && *s->p++ != ' ')
		return refuse(s, "want a single space before '%s='", name);
	if (strncmp(s->p, name, n) != 0 || s->p[n] != '=')
		return refuse(s, "want field '%s=' here", name);
	s->p += n + 1;
	return true;
}

static bool number(struct scan *s, const char *name, bool hex, uint64_t max,
		   uint64_t *val)
{
	if (!key(s, name))
		return false;
	if (hex && strncmp(s->p, "0x", 2) != 0)
		return refuse(s, "%s wants a 0x hex value", name);
	s->p += hex ? 2 : 0;
	if (!digits(s, hex ? 16 : 10, max, val))
		return refuse(s, "bad or out of range %s value", name);
	return true;
}

static bool dev(struct scan *s, struct inotify_wd_watch *w)
{
	uint64_t maj, min;

	if (!key(s, "dev"))
		return false;
	if (!digits(s, 10, KDEV_MAJOR_MAX, &maj) || *s->p++ != ':' ||
	    !digits(s, 10, KDEV_MINOR_MAX, &min))
		return refuse(s, "bad %s value (want major:minor)", "dev");
	w->dev = makedev((unsigned int)maj, (unsigned int)min);
	return true;
}

static bool handle_type(struct scan *s, struct inotify_wd_watch *w)
{
	bool neg;
	uint64_t v;

	if (!key(s, "fhandle_type"))
		return false;
	neg = *s->p == '-';
	s->p += neg;
	if (!digits(s, 10, neg ? (uint64_t)INT_MAX + 1 : INT_MAX, &v))
		return refuse(s, "bad or out of range %s value",
			      "fhandle_type");
	w->handle_type = neg ? (int)(-(long long)v) : (int)v;
	return true;
}

static bool handle(struct scan *s, struct inotify_wd_watch *w)
{
	int hi, lo;

	if (!key(s, "fhandle"))
		return false;
	if (*s->p == '-') {
		s->p++;
		return true;
	}
	while ((hi = hexval(s->p[0])) >= 0 && (lo = hexval(s->p[1])) >= 0) {
		if (w->handle_bytes == INOTIFY_WD_HANDLE_MAX)
			return refuse(s, "%s longer than 128 bytes",
				      "fhandle");
		w->handle[w->handle_bytes++] = (unsigned char)(hi << 4 | lo);
		s->p += 2;
	}
	if (hexval(*s->p) >= 0)
		return refuse(s, "%s has an odd number of hex digits",
			      "fhandle");
	if (!w->handle_bytes)
		return refuse(s, "bad %s value (want hex bytes or -)",
			      "fhandle");
	return true;
}

static bool mask_ok(struct scan *s, uint32_t mask)
{
	const uint32_t allowed = IN_ALL_EVENTS | INOTIFY_WD_MASK_FLAGS;

	if ((mask & IN_ALL_EVENTS) && !(mask & ~allowed))
		return true;
	return refuse(s, "%s has no event or bits inotify refuses", "mask");
}

static bool watch_line(struct scan *s, struct inotify_wd_watch *w)
{
	uint64_t wd, ino, mask, ign;

	memset(w, 0, sizeof(*w));
	if (!number(s, "wd", false, INT_MAX, &wd) ||
	    !number(s, "ino", false, UINT64_MAX, &ino) || !dev(s, w) ||
	    !number(s, "mask", true, UINT32_MAX, &mask) ||
	    !number(s, "ignored_mask", true, UINT32_MAX, &ign) ||
	    !handle_type(s, w) || !handle(s, w))
		return false;
	if (*s->p != '\n')
		return refuse(s, "unexpected text after the %s", "fhandle");
	if (wd < 1)
		return refuse(s, "%s 0 is not a watch descriptor", "wd");
	w->wd = (int)wd;
	w->ino = ino;
	w->mask = (uint32_t)mask;
	w->ignored_mask = (uint32_t)ign;
	return mask_ok(s, w->mask);
}

static int append(struct dump *d, size_t *cap,
		  const struct inotify_wd_watch *w, unsigned long line)
{
	struct inotify_wd_watch *nw;
	unsigned long *nl;
	size_t ncap;

	if (d->n == *cap) {
		ncap = *cap ? *cap * 2 : 64;
		nw = realloc(d->w, ncap * sizeof(*nw));
		if (!nw)
			return -1;
		d->w = nw;
		nl = realloc(d->line, ncap * sizeof(*nl));
		if (!nl)
			return -1;
		d->line = nl;
		*cap = ncap;
	}
	d->w[d->n] = *w;
	d->line[d->n++] = line;
	return 0;
}

/* The reader of one file: where it is and what it has read. */
struct reader {
	FILE *f;
	const char *name;
	unsigned long line;	/* number of the line in buf */
	char *buf;
	size_t size;
};

/* The next line, newline included: 1, or 0 at EOF, -1 after a report. */
static int next_line(struct reader *r)
{
	ssize_t n;

	errno = 0;
	n = getline(&r->buf, &r->size, r->f);
	if (n < 0) {
		if (!errno && !ferror(r->f))
			return 0;
		errmsg("%s: %s", r->name, strerror(errno ? errno : EIO));
		return -1;
	}
	r->line++;
	if (strlen(r->buf) != (size_t)n)
		errmsg("%s:%lu: NUL byte in line", r->name, r->line);
	else if (n > LINE_MAX_LEN)
		errmsg("%s:%lu: line too long", r->name, r->line);
	else if (r->buf[n - 1] != '\n')
		errmsg("%s:%lu: truncated line (no newline at the end)",
		       r->name, r->line);
	else
		return 1;
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
	if (strcmp(r->buf, DUMP_HEADER "\n") != 0) {
		errmsg("%s:1: not an inotifywd dump (want '%s')", r->name,
		       DUMP_HEADER);
		return -1;
	}
	return 0;
}

static int read_watch(struct reader *r, struct dump *d, size_t *cap)
{
	struct scan s = { .line = r->buf, .p = r->buf };
	struct inotify_wd_watch w;
	int prev = d->n ? d->w[d->n - 1].wd : 0;

	if (!watch_line(&s, &w)) {
		errmsg("%s:%lu: %s", r->name, r->line, s.why);
		return -1;
	}
	/* Also what catches a wd given twice. */
	if (w.wd <= prev) {
		errmsg("%s:%lu: wd %d after wd %d: not in ascending order",
		       r->name, r->line, w.wd, prev);
		return -1;
	}
	if (append(d, cap, &w, r->line) < 0) {
		errmsg("%s: %s", r->name, strerror(ENOMEM));
		return -1;
	}
	return 0;
}

static int read_all(struct reader *r, struct dump *d)
{
	size_t cap = 0;
	int ret;

	if (read_header(r) < 0)
		return -1;
	while ((ret = next_line(r)) > 0)
		if (read_watch(r, d, &cap) < 0)
			return -1;
	return ret;
}

int dump_read(FILE *f, const char *name, struct dump *d)
{
	struct reader r = { .f = f, .name = name };
	int ret;

	*d = (struct dump){ 0 };
	ret = read_all(&r, d);
	free(r.buf);
	if (ret < 0)
		dump_free(d);
	return ret;
}

void dump_free(struct dump *d)
{
	free(d->w);
	free(d->line);
	*d = (struct dump){ 0 };
}
