// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Paths as a dump writes them, and as messages show them: a byte below
 * 0x21 (space included), from 0x7f up, or a backslash becomes a
 * backslash and three octal digits.  The result holds no space, newline
 * or terminal escape, and is plain ASCII whatever the path's encoding.
 */
#include "config.h"

#include <stdio.h>

#include "tool.h"

static bool plain(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '\\';
}

/* As much of path as fits in buf (size > 0), always NUL-terminated. */
const char *path_escape(const char *path, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)path;
	size_t n = 0;

	for (; *p && n + 5 <= size; p++) {
		if (plain(*p))
			buf[n++] = (char)*p;
		else
			n += (size_t)snprintf(buf + n, size - n, "\\%03o", *p);
	}
	buf[n] = '\0';
	return buf;
}
