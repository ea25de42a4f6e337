// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The caller's layout of struct inotify_wd_watch.
 *
 * Arrays of watches cross the API with the size of one element, as the
 * caller's header defines it, so that the structure can grow.  This
 * release knows one layout: its own.  A larger element comes from a
 * caller built against a later header; the bytes past what this library
 * knows must then be zero, since they hold fields it cannot honour.
 *
 * Maintainers: a later version adds fields after the end of the previous
 * layout, its tail padding included, so that an older caller's padding
 * is never read as a field.  It then accepts every earlier release's
 * element size and reads the fields such a caller lacks as zero.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int iwd_layout_check(size_t size)
{
	if (size < sizeof(struct inotify_wd_watch)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Whether the part of a caller's element this library does not know is 0. */
bool iwd_layout_tail_clear(const void *elem, size_t size)
{
	const unsigned char *p = elem;
	size_t i;

	for (i = sizeof(struct inotify_wd_watch); i < size; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * Hand an array the library built (*arr, n full elements) to a caller
 * whose elements are size bytes: the same array when the layouts agree,
 * else a copy with the unknown fields zeroed.  Frees *arr on failure.
 */
int iwd_layout_export(struct inotify_wd_watch **arr, size_t n, size_t size)
{
	const size_t own = sizeof(**arr);
	unsigned char *out;
	size_t i;

	if (size == own || !n)
		return 0;
	out = n > SIZE_MAX / size ? NULL : calloc(n, size);
	if (!out) {
		free(*arr);
		*arr = NULL;
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < n; i++)
		memcpy(out + i * size, &(*arr)[i], own);
	free(*arr);
	*arr = (struct inotify_wd_watch *)(void *)out;
	return 0;
}
