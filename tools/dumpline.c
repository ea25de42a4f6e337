// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The lines of a dump: a watch line, and the instance line of v2 (the
 * format is described in dumpfmt.c).  Each scanner takes the line from
 * its start to its newline, and says why when it refuses it.
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

/* The kernel's dev_t: 12 bits of major, 20 of minor. */
#define KDEV_MAJOR_MAX	0xfffULL
#define KDEV_MINOR_MAX	0xfffffULL

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

/* A path= value, unescaped: see dumpfmt.c for the escapes. */
static int octal3(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 3; i++) {
		if (p[i] < '0' || p[i] > '7')
			return -1;
		v = v * 8 + (p[i] - '0');
	}
	return v;
}

static bool path_byte(struct scan *s, int *byte)
{
	unsigned char c = (unsigned char)*s->p;

	if (c == '\\') {
		/*
		 * Three octal digits reach \777, but a byte ends at \377:
		 * above it the value would wrap (\400 to a NUL that cuts
		 * the path short), and a NUL cannot be in a path at all.
		 */
		*byte = octal3(s->p + 1);
		if (*byte <= 0 || *byte > 0377)
			return refuse(s, "%s has a bad escape (want \\ and three octal digits, \\001 to \\377)",
				      "path");
		s->p += 4;
		return true;
	}
	if (c < ' ' || c == 0x7f)
		return refuse(s, "%s has a raw control character (write it \\%03o)",
			      "path", c);
	*byte = c;
	s->p++;
	return true;
}

static bool path_value(struct scan *s, char **path)
{
	char buf[PATH_MAX];
	size_t n = 0;
	int byte = 0;

	if (!key(s, "path"))
		return false;
	while (*s->p != ' ' && *s->p != '\n') {
		if (!path_byte(s, &byte))
			return false;
		if (n == sizeof(buf) - 1)
			return refuse(s, "%s longer than %d bytes", "path",
				      PATH_MAX - 1);
		buf[n++] = (char)byte;
	}
	if (!n)
		return refuse(s, "%s is empty", "path");
	if (*s->p == ' ')
		return refuse(s, "unexpected text after the %s (write a space in it \\040)",
			      "path");
	*path = strndup(buf, n);
	if (!*path)
		return refuse(s, "%s", strerror(ENOMEM));
	return true;
}

static bool watch_fields(struct scan *s, struct inotify_wd_watch *w,
			 char **path)
{
	uint64_t wd = 0, ino = 0, mask = 0, ign = 0;

	memset(w, 0, sizeof(*w));
	if (!number(s, "wd", false, INT_MAX, &wd) ||
	    !number(s, "ino", false, UINT64_MAX, &ino) || !dev(s, w) ||
	    !number(s, "mask", true, UINT32_MAX, &mask) ||
	    !number(s, "ignored_mask", true, UINT32_MAX, &ign) ||
	    !handle_type(s, w) || !handle(s, w))
		return false;
	if (strncmp(s->p, " path=", 6) == 0 && !path_value(s, path))
		return false;
	if (*s->p != '\n')
		return refuse(s, "unexpected text after the %s",
			      *path ? "path" : "fhandle");
	if (wd < 1)
		return refuse(s, "%s 0 is not a watch descriptor", "wd");
	w->wd = (int)wd;
	w->ino = ino;
	w->mask = (uint32_t)mask;
	w->ignored_mask = (uint32_t)ign;
	return mask_ok(s, w->mask);
}

bool scan_watch(struct scan *s, struct inotify_wd_watch *w, char **path)
{
	*path = NULL;
	if (watch_fields(s, w, path))
		return true;
	free(*path);
	*path = NULL;
	return false;
}

/* The kernel's "0%o": a leading zero, then octal digits. */
static bool flags_value(struct scan *s, uint64_t *flags)
{
	if (!key(s, "flags"))
		return false;
	if (*s->p != '0' || !digits(s, 8, UINT32_MAX, flags))
		return refuse(s, "bad or out of range %s value (want 0 and octal digits)",
			      "flags");
	return true;
}

/*
 * A byte count, or "unknown" with an optional ":ENAME", the errno that
 * kept the dump from reading it: for people, not needed to restore.
 */
static bool pending_value(struct scan *s, struct instance *in)
{
	static const char name_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint64_t v;

	if (!key(s, "pending"))
		return false;
	if (strncmp(s->p, "unknown", 7) == 0) {
		s->p += 7;
		in->pending = -1;
		if (*s->p == ':' && s->p[1] >= 'A' && s->p[1] <= 'Z')
			s->p += 1 + strspn(s->p + 1, name_chars);
		return true;
	}
	if (!digits(s, 10, INT_MAX, &v))
		return refuse(s, "bad %s value (want a byte count or unknown)",
			      "pending");
	in->pending = (long long)v;
	return true;
}

bool scan_instance(struct scan *s, struct instance *in)
{
	uint64_t fd = 0, flags = 0;

	if (strncmp(s->p, INSTANCE_KEY, strlen(INSTANCE_KEY)) != 0)
		return refuse(s, "want '%s' here", INSTANCE_KEY);
	s->p += strlen(INSTANCE_KEY);
	if (!number(s, "fd", false, INT_MAX, &fd) || !flags_value(s, &flags) ||
	    !pending_value(s, in))
		return false;
	if (*s->p != '\n')
		return refuse(s, "unexpected text after the %s", "pending count");
	in->fd = (int)fd;
	in->flags = (unsigned int)flags;
	return true;
}
