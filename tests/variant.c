// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "seam.h"
#include "variant.h"

#define HONOURED INOTIFY_WD_MASK_CREATE_HONOURED
#define REJECTED INOTIFY_WD_MASK_CREATE_REJECTED
#define IGNORED  INOTIFY_WD_MASK_CREATE_IGNORED

/* The seccomp filters stay until the process ends: forked cases only. */
const struct variant variants[] = {
	{ .name = "ioctl", .needs = NEED_SETNEXTWD },
	{ .name = "forced-fallback", .flags = INOTIFY_WD_FALLBACK,
	  .fallback = true },
	{ .name = "seccomp-enotty", .seccomp_errno = ENOTTY, .fallback = true,
	  .needs = NEED_FORK },
	{ .name = "seccomp-eperm", .seccomp_errno = EPERM, .fallback = true,
	  .needs = NEED_FORK },
	{ .name = "seccomp-eacces", .seccomp_errno = EACCES,
	  .fallback = true, .needs = NEED_FORK },
	/* 4.17 and 4.18: the ioctl, but IN_MASK_CREATE is refused. */
	{ .name = "k4.17", .mask_create = REJECTED, .needs = NEED_SETNEXTWD },
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

void variant_setup(const struct variant *v)
{
	V = v;
	memset(&seam, 0, sizeof(seam));
	seam.setnext_errno = v->setnext_errno;
	seam.mask_create = v->mask_create;
	seam.no_wrap = v->no_wrap;
	/* Without fork the probe result of the last test would linger. */
	iwd_features_reset();
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

/*
 * Check's fixtures take no argument, so each variant gets a setup of its
 * own that selects it and then runs the test file's setup.
 */
static void (*file_setup)(void);

#define VARIANT_SETUP(i) \
	static void setup##i(void) { variant_setup(&variants[i]); file_setup(); }
VARIANT_SETUP(0) VARIANT_SETUP(1) VARIANT_SETUP(2) VARIANT_SETUP(3)
VARIANT_SETUP(4) VARIANT_SETUP(5) VARIANT_SETUP(6) VARIANT_SETUP(7)
VARIANT_SETUP(8) VARIANT_SETUP(9)
static void (*const setups[])(void) = {
	setup0, setup1, setup2, setup3, setup4, setup5, setup6, setup7, setup8,
	setup9,
};

int variant_main(const struct case_spec *cases, size_t ncases,
		 void (*setup)(void), void (*teardown)(void), int timeout)
{
	Suite *s = suite_create("variants");
	char what[64];
	const char *why;
	size_t v, t;

	if (sizeof(setups) / sizeof(setups[0]) != nvariants)
		return 99;	/* a variant without its fixture */
	file_setup = setup;
	for (v = 0; v < nvariants; v++) {
		TCase *tc;

		why = unmet(variants[v].needs);
		if (why) {
			snprintf(what, sizeof(what), "variant %s",
				 variants[v].name);
			leave_out(what, (int)ncases, why);
			continue;
		}
		tc = tcase_create(variants[v].name);
		tcase_set_timeout(tc, timeout);
		tcase_add_checked_fixture(tc, setups[v], teardown);
		for (t = 0; t < ncases; t++)
			add_case(tc, &cases[t]);
		suite_add_tcase(s, tc);
	}
	return run_suite(s);
}
