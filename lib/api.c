// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* inotify_add_watch_at() and its options variant. */
#include "config.h"

#include <errno.h>

#include "internal.h"

static int check_args(const char *path, uint32_t mask, int wd)
{
	if (!path) {
		errno = EFAULT;
		return -1;
	}
	if (wd < 1 || !iwd_mask_valid(mask)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int add_one(struct call *c, const char *path, uint32_t mask, int wd)
{
	size_t busy;

	if (check_args(path, mask, wd) < 0)
		return -1;
	if (!iwd_call_use_ioctl(c) && iwd_fallback_begin(c, &wd, 1, &busy) < 0)
		return -1;
	return iwd_place_watch(c, path, mask, wd, 0);
}

EXPORT int inotify_wd_add_watch(int fd, const char *path, uint32_t mask,
				int wd, const struct inotify_wd_opts *opts,
				struct inotify_wd_stats *stats)
{
	struct call c;

	if (iwd_call_begin(&c, fd, opts, stats) < 0)
		return iwd_call_end(&c, -1);
	return iwd_call_end(&c, add_one(&c, path, mask, wd));
}

EXPORT int inotify_add_watch_at(int fd, const char *path, uint32_t mask,
				int wd)
{
	return inotify_wd_add_watch(fd, path, mask, wd, NULL, NULL);
}
