// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The smallest application of the library: one watch at a chosen wd on
 * a fresh instance.  tests/valgrind.test runs it under memcheck, linked
 * against the shared library (tests/consumer) and against the static
 * archive (tests/consumer-static).  It prints whether the kernel has
 * INOTIFY_IOC_SETNEXTWD and the path the call took; exit 0 when the
 * watch got the wd.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <unistd.h>

#include "inotify-wd.h"

#define WANT_WD 4242

int main(void)
{
	struct inotify_wd_features feat;
	struct inotify_wd_stats st = { 0 };
	int fd;

	if (inotify_wd_get_features(&feat) < 0)
		err(1, "inotify_wd_get_features");
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0)
		err(1, "inotify_init1");
	if (inotify_wd_add_watch(fd, "/", IN_ATTRIB, WANT_WD, NULL, &st) != WANT_WD)
		err(1, "inotify_wd_add_watch");
	printf("setnextwd %s, wd %d by %s\n", feat.setnextwd ? "yes" : "no",
	       WANT_WD, st.method == INOTIFY_WD_METHOD_IOCTL ? "ioctl" :
	       "another path");
	return close(fd) != 0;
}
