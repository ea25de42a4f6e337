// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The parser for the text of /proc/PID/fdinfo/FD of an inotify fd.
 *
 * The kernel prints one line per watch, newest first:
 *   inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:%x
 * followed, when it can encode a file handle, by
 *   fhandle-bytes:%x fhandle-type:%x f_handle:<bytes as %02x>
 * Every number is hex, the wd included.  The parser is strict: a watch
 * line either parses completely or the whole text is refused, because a
 * restore built on a guess recreates the wrong watch.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "internal.h"

/* A position inside the line being parsed. */
struct scan {
	const char *p;
	const char *end;
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

static bool expect(struct scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	return true;
}

/* One hex number no larger than max; at least one digit. */
static bool hexnum(struct scan *s, uint64_t max, uint64_t *val)
{
	uint64_t v = 0;
	const char *start = s->p;
	int d;

	while (s->p < s->end && (d = hexval(*s->p)) >= 0) {
		if (v > (max - (uint64_t)d) / 16)
			return false;
		v = v * 16 + (uint64_t)d;
		s->p++;
	}
	*val = v;
	return s->p != start;
}

/* "key:hex" followed by a single space or the end of the line. */
static bool field(struct scan *s, const char *key, uint64_t max,
		  uint64_t *val)
{
	if (!expect(s, key) || !expect(s, ":") || !hexnum(s, max, val))
		return false;
	return s->p == s->end || expect(s, " ");
}

static bool handle_bytes(struct scan *s, struct inotify_wd_watch *w)
{
	unsigned int i;
	int hi, lo;

	if (!expect(s, "f_handle:"))
		return false;
	if ((size_t)(s->end - s->p) < 2 * (size_t)w->handle_bytes)
		return false;
	for (i = 0; i < w->handle_bytes; i++) {
		hi = hexval(s->p[0]);
		lo = hexval(s->p[1]);
		if (hi < 0 || lo < 0)
			return false;
		w->handle[i] = (unsigned char)(hi << 4 | lo);
		s->p += 2;
	}
	return s->p == s->end || expect(s, " ");
}

static bool fhandle(struct scan *s, struct inotify_wd_watch *w)
{
	uint64_t bytes, type;

	if (!field(s, "fhandle-bytes", INOTIFY_WD_HANDLE_MAX, &bytes) ||
	    !field(s, "fhandle-type", UINT32_MAX, &type))
		return false;
	w->handle_bytes = (unsigned int)bytes;
	/* The kernel prints the int handle type with %x. */
	w->handle_type = (int)(uint32_t)type;
	return handle_bytes(s, w);
}

static bool watch_line(struct scan *s, struct inotify_wd_watch *w)
{
	uint64_t wd, ino, sdev, mask, ignored;

	memset(w, 0, sizeof(*w));
	if (!expect(s, "inotify ") ||
	    !field(s, "wd", INT_MAX, &wd) || wd < 1 ||
	    !field(s, "ino", UINT64_MAX, &ino) ||
	    !field(s, "sdev", UINT32_MAX, &sdev) ||
	    !field(s, "mask", UINT32_MAX, &mask) ||
	    !field(s, "ignored_mask", UINT32_MAX, &ignored))
		return false;
	w->wd = (int)wd;
	w->ino = ino;
	/* The kernel's dev_t is major << 20 | minor, not userspace's. */
	w->dev = makedev((unsigned int)(sdev >> 20),
			 (unsigned int)(sdev & 0xfffff));
	/*
	 * Kernels before 4.4 print the raw mark mask, with internal bits
	 * (FS_EVENT_ON_CHILD, IN_IGNORED, IN_UNMOUNT) that
	 * inotify_add_watch() refuses on later kernels (CRIU issue #31).
	 */
	w->mask = (uint32_t)mask & KEPT_BITS;
	w->ignored_mask = (uint32_t)ignored;
	if (s->p == s->end)
		return true;
	return fhandle(s, w) && s->p == s->end;
}

static int by_wd(const void *a, const void *b)
{
	const struct inotify_wd_watch *x = a, *y = b;

	return (x->wd > y->wd) - (x->wd < y->wd);
}

static int append(struct inotify_wd_watch **arr, size_t *n, size_t *cap,
		  const struct inotify_wd_watch *w)
{
	struct inotify_wd_watch *p;
	size_t ncap;

	if (*n == *cap) {
		ncap = *cap ? *cap * 2 : 16;
		if (ncap > SIZE_MAX / sizeof(**arr))
			return -1;
		p = realloc(*arr, ncap * sizeof(**arr));
		if (!p)
			return -1;
		*arr = p;
		*cap = ncap;
	}
	(*arr)[(*n)++] = *w;
	return 0;
}

static bool has_duplicate_wd(const struct inotify_wd_watch *w, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (w[i].wd == w[i - 1].wd)
			return true;
	return false;
}

int iwd_fdinfo_parse(const char *text, size_t len,
		 struct inotify_wd_watch **out, size_t *count)
{
	struct inotify_wd_watch *arr = NULL, w;
	const char *p = text, *end = text + len, *nl;
	size_t n = 0, cap = 0;
	struct scan s;
	int err = EBADMSG;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			goto fail;	/* truncated: no final newline */
		s.p = p;
		s.end = nl;
		/* The kernel ends the handle-less format with a space. */
		if (nl > p && nl[-1] == ' ')
			s.end--;
		if ((size_t)(nl - p) >= 8 && memcmp(p, "inotify ", 8) == 0) {
			if (!watch_line(&s, &w))
				goto fail;
			if (append(&arr, &n, &cap, &w) < 0) {
				err = ENOMEM;
				goto fail;
			}
		}
		p = nl + 1;
	}
	if (n)
		qsort(arr, n, sizeof(*arr), by_wd);
	if (has_duplicate_wd(arr, n))
		goto fail;
	*out = arr;
	*count = n;
	return 0;
fail:
	free(arr);
	errno = err;
	return -1;
}
