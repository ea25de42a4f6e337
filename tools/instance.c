// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * An inotify instance as the tool sees it: its fd number, its file status
 * flags, its queue size and its watches.  The library only deals with the
 * watches; the rest is generic file state that the tool records itself.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* The array doubles: n instances cost O(n) copying, not O(n^2). */
struct instance *dump_add_instance(struct dump *d)
{
	struct instance *ni;
	size_t ncap;

	if (d->n == d->cap) {
		ncap = d->cap ? 2 * d->cap : 8;
		ni = realloc(d->inst, ncap * sizeof(*ni));
		if (!ni)
			return NULL;
		d->inst = ni;
		d->cap = ncap;
	}
	ni = &d->inst[d->n++];
	*ni = (struct instance){ .fd = -1, .pending = -1 };
	return ni;
}

static void instance_free(struct instance *in)
{
	size_t i;

	for (i = 0; in->path && i < in->n; i++)
		free(in->path[i]);
	free(in->path);
	free(in->wline);
	free(in->w);
}

void dump_free(struct dump *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		instance_free(&d->inst[i]);
	free(d->inst);
	*d = (struct dump){ 0 };
}

const char *flags_words(unsigned int flags)
{
	switch (flags & (O_NONBLOCK | O_CLOEXEC)) {
	case O_NONBLOCK | O_CLOEXEC:
		return "O_NONBLOCK|O_CLOEXEC";
	case O_NONBLOCK:
		return "O_NONBLOCK";
	case O_CLOEXEC:
		return "O_CLOEXEC";
	default:
		return "";
	}
}

/* The watches are kept in ascending order: the last is the highest. */
int instance_max_wd(const struct instance *in)
{
	return in->n ? in->w[in->n - 1].wd : 0;
}
