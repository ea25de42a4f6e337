// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* JSON output, written by hand: the tool needs strings and nothing more. */
#include "config.h"

#include <stdio.h>

#include "tool.h"

/*
 * Quote s as a JSON string.  Control characters must be escaped; bytes
 * from 0x80 up are passed through, as the only strings printed (kernel
 * release, errno names, hex) are ASCII or at worst UTF-8.
 */
void json_string(FILE *f, const char *s)
{
	unsigned char c;

	putc('"', f);
	for (; (c = (unsigned char)*s); s++) {
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				putc(c, f);
		}
	}
	putc('"', f);
}
