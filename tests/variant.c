// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "seam.h"
#include "variant.h"

#define HONOURED INOTIFY_WD_MASK_CREATE_HONOURED
#define REJECTED INOTIFY_WD_MASK_CREATE_REJECTED
#define IGNORED  INOTIFY_WD_MASK_CREATE_IGNORED

const struct variant variants[] = {
	{ .name = "ioctl" },
	{ .name = "forced-fallback", .flags = INOTIFY_WD_FALLBACK,
	  .fallback = true },
	{ .name = "seccomp-enotty", .seccomp_errno = ENOTTY, .fallback = true },
	{ .name = "seccomp-eperm", .seccomp_errno = EPERM, .fallback = true },
	{ .name = "seccomp-eacces", .seccomp_errno = EACCES,
	  .fallback = true },
	/* 4.17 and 4.18: the ioctl, but IN_MASK_CREATE is refused. */
	{ .name = "k4.17", .mask_create = REJECTED },
	/* 4.4-4.16: neither. */
	{ .name = "k4.4", .setnext_errno = ENOTTY, .mask_create = REJECTED,
	  .fallback = true },
	/* 3.10-4.3: unknown mask bits, IN_MASK_CREATE too, dropped. */
	{ .name = "k3.10", .setnext_errno = ENOTTY, .mask_create = IGNORED,
	  .fallback = true },
	/* Before 3.10 the allocator does not wrap. */
	{ .name = "k3.8", .setnext_errno = ENOTTY, .mask_create = IGNORED,
	  .no_wrap = true, .fallback = true },
	/* /proc is not mounted; 4.19+ needs no fdinfo. */
	{ .name = "no-proc", .flags = INOTIFY_WD_FALLBACK, .no_proc = true,
	  .fallback = true },
};
const size_t nvariants = sizeof(variants) / sizeof(variants[0]);
const struct variant *V;

bool nofork(void)
{
	const char *f = getenv("CK_FORK");

	return f && strcmp(f, "no") == 0;
}

void variant_setup(const struct variant *v)
{
	V = v;
	memset(&seam, 0, sizeof(seam));
	seam.setnext_errno = v->setnext_errno;
	seam.mask_create = v->mask_create;
	seam.no_wrap = v->no_wrap;
	/* Without fork the probe result of the last test would linger. */
	features_reset();
}

void variant_enter(void)
{
	/* Hidden from here on: the test's own set-up may read /proc. */
	seam.no_proc = V->no_proc;
	if (V->seccomp_errno)
		deny_setnextwd(V->seccomp_errno);
}

struct inotify_wd_opts variant_opts(void)
{
	struct inotify_wd_opts o = { .flags = V->flags };

	return o;
}
