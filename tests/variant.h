/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 the libinotifywd authors */
/*
 * The kernels the contract suite runs against.  The real one, with the
 * fallback forced by option or by a seccomp filter answering what old
 * kernels answer, and those this machine cannot show, played by the seam.
 */
#ifndef INOTIFY_WD_TESTS_VARIANT_H
#define INOTIFY_WD_TESTS_VARIANT_H

#include "common.h"

struct variant {
	const char *name;
	unsigned int flags;	/* inotify_wd_opts.flags of every call */
	int seccomp_errno;	/* SETNEXTWD refused by a seccomp filter */
	int setnext_errno;	/* SETNEXTWD missing (seam) */
	int mask_create;	/* seam: INOTIFY_WD_MASK_CREATE_* or 0 */
	bool no_proc;		/* seam: /proc not mounted */
	bool no_wrap;		/* seam: allocator stops at INT_MAX */
	bool fallback;		/* the calls cycle */
	unsigned int needs;	/* NEED_*: what the machine must offer */
};

extern const struct variant variants[];
extern const size_t nvariants;
extern const struct variant *V;

/* Applies V's seam knobs; called by each test's fixture. */
void variant_setup(const struct variant *v);
/* Installs V's seccomp filter: after the test prepared its state. */
void variant_enter(void);
/* The options every call of the test uses. */
struct inotify_wd_opts variant_opts(void);
/*
 * Runs every case on every variant (one Check test case per variant),
 * leaving out the variants and cases whose needs this machine does not
 * meet.  timeout: seconds per case on a slow builder (see README).
 */
int variant_main(const struct case_spec *cases, size_t ncases,
		 void (*setup)(void), void (*teardown)(void), int timeout);

#endif
