// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* --mask: comma-separated event names, or a number. */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "tool.h"

static const struct {
	const char *name;
	uint32_t bits;
} mask_names[] = {
	{ "access", IN_ACCESS },
	{ "modify", IN_MODIFY },
	{ "attrib", IN_ATTRIB },
	{ "close_write", IN_CLOSE_WRITE },
	{ "close_nowrite", IN_CLOSE_NOWRITE },
	{ "open", IN_OPEN },
	{ "moved_from", IN_MOVED_FROM },
	{ "moved_to", IN_MOVED_TO },
	{ "create", IN_CREATE },
	{ "delete", IN_DELETE },
	{ "delete_self", IN_DELETE_SELF },
	{ "move_self", IN_MOVE_SELF },
	{ "all", IN_ALL_EVENTS },
	{ "close", IN_CLOSE },
	{ "move", IN_MOVE },
	{ "oneshot", IN_ONESHOT },
	{ "excl_unlink", IN_EXCL_UNLINK },
	{ "onlydir", IN_ONLYDIR },
	{ "dont_follow", IN_DONT_FOLLOW },
};

/*
 * Names are matched without regard to case and with an optional "IN_",
 * so that the spelling of inotify(7) and of C code both work.
 */
static int mask_bit(const char *name, size_t len, uint32_t *bits)
{
	size_t i;

	if (len > 3 && strncasecmp(name, "in_", 3) == 0) {
		name += 3;
		len -= 3;
	}
	for (i = 0; i < sizeof(mask_names) / sizeof(mask_names[0]); i++) {
		if (strlen(mask_names[i].name) == len &&
		    strncasecmp(mask_names[i].name, name, len) == 0) {
			*bits = mask_names[i].bits;
			return 0;
		}
	}
	return -1;
}

static int mask_from_names(const char *s, uint32_t *out)
{
	const char *p = s;
	uint32_t bits, mask = 0;
	size_t len;

	for (;;) {
		len = strcspn(p, ",");
		if (!len)
			return arg_error("--mask: '%s' has an empty event name",
					 s);
		if (mask_bit(p, len, &bits) < 0)
			return arg_error("--mask: unknown event '%.*s'",
					 (int)len, p);
		mask |= bits;
		if (!p[len])
			break;
		p += len + 1;
	}
	*out = mask;
	return 0;
}

int parse_mask(const char *s, uint32_t *out)
{
	const uint32_t allowed = IN_ALL_EVENTS | INOTIFY_WD_MASK_FLAGS;
	uint32_t mask = 0;
	long long v;

	if (s[0] >= '0' && s[0] <= '9') {
		if (parse_number("--mask", s, 0, UINT32_MAX, &v) < 0)
			return -1;
		mask = (uint32_t)v;
	} else if (mask_from_names(s, &mask) < 0) {
		return -1;
	}
	/* Refused here, with the reason, rather than as EINVAL later. */
	if (mask & ~allowed)
		return arg_error("--mask: '%s' has bits inotifywd does not take (0x%x)",
				 s, mask & ~allowed);
	if (!(mask & IN_ALL_EVENTS))
		return arg_error("--mask: '%s' names no event", s);
	*out = mask;
	return 0;
}
