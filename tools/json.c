// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* JSON output, written by hand: strings, and the fields of an instance. */
#include "config.h"

#include <fcntl.h>
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

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

/* An unknown queue size is null, with the errno name saying why. */
void json_instance_head(FILE *f, const struct instance *in)
{
	fprintf(f, "\"fd\":%d,\"flags\":%u,\"nonblock\":%s,\"cloexec\":%s,\"pending\":",
		in->fd, in->flags, json_bool(in->flags & O_NONBLOCK),
		json_bool(in->flags & O_CLOEXEC));
	if (in->pending >= 0) {
		fprintf(f, "%lld,\"pending_error\":null", in->pending);
		return;
	}
	fputs("null,\"pending_error\":", f);
	if (in->pending_err)
		json_string(f, errno_name(in->pending_err));
	else
		fputs("null", f);
}
