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

#include <stdio.h>
#include <unistd.h>

#include "inotify-wd.h"

#define WANT_WD 4242

static const char *method_name(unsigned int m)
{
	switch (m) {
	case INOTIFY_WD_METHOD_IOCTL:
		return "ioctl";
	case INOTIFY_WD_METHOD_CYCLE:
		return "fallback";
	case INOTIFY_WD_METHOD_PLAIN:
		return "plain";
	default:
		return "none";
	}
}

int main(void)
{
	struct inotify_wd_features feat;
	struct inotify_wd_stats st = { 0 };
	int fd, wd;

	if (inotify_wd_get_features(&feat) < 0) {
		perror("inotify_wd_get_features");
		return 1;
	}
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0) {
		perror("inotify_init1");
		return 1;
	}
	wd = inotify_wd_add_watch(fd, "/", IN_ATTRIB, WANT_WD, NULL, &st);
	if (wd != WANT_WD) {
		perror("inotify_wd_add_watch");
		return 1;
	}
	printf("setnextwd %s, wd %d by %s\n", feat.setnextwd ? "yes" : "no",
	       wd, method_name(st.method));
	return close(fd) != 0;
}
