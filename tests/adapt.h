/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 the libinotifywd authors */
/*
 * The suite adapts to the machine it runs on.  What the kernel and the
 * process offer is probed here, by the suite's own code on private
 * instances, never through the library under test.  A case or variant
 * that needs what is missing is not registered (Check cannot skip a
 * registered case) but left out visibly: each program prints one line
 * per left-out case or variant, with the reason, before it runs.
 */
#ifndef INOTIFY_WD_TESTS_ADAPT_H
#define INOTIFY_WD_TESTS_ADAPT_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

/* What a case or variant needs beyond an inotify instance. */
#define NEED_SETNEXTWD	0x01	/* the kernel's INOTIFY_IOC_SETNEXTWD */
#define NEED_HANDLES	0x02	/* CAP_DAC_READ_SEARCH: open_by_handle_at */
#define NEED_MOUNT	0x04	/* CAP_SYS_ADMIN: a mount namespace, tmpfs */
#define NEED_USERNS	0x08	/* a user namespace of the case's own */
#define NEED_FORK	0x10	/* a state only the case's own process ends */
#define NEED_SYSCTL	0x20	/* writes a host-wide sysctl: opt-in only */
#define NEED_FDS	0x40	/* RLIMIT_NOFILE of at least NEED_FDS_MIN */

/* Enough for the library to keep 2,000 O_PATH fds within its budget. */
#define NEED_FDS_MIN	4096

/* Opts in to the cases that change a host-wide sysctl for a moment. */
#define SYSCTL_OPT_IN	"INOTIFYWD_TEST_SYSCTL"

struct case_spec {
	const TTest *test;
	unsigned int needs;
	const char *what;	/* what the case needs it for, or NULL */
};
/* A case that any machine runs; one that needs (needs, what). */
#define CASE(t)		{ (t), 0, NULL }
#define NEEDS(t, ...)	{ (t), __VA_ARGS__ }

/* True when the cases run without fork (CK_FORK=no, valgrind). */
bool nofork(void);
/* 0 when the kernel has INOTIFY_IOC_SETNEXTWD, else the ioctl's errno. */
int kernel_setnextwd(void);
/* Why this machine cannot give what needs asks for; NULL if it can. */
const char *unmet(unsigned int needs);
/* Records that what (n cases) is left out because of why. */
void leave_out(const char *what, int n, const char *why);
/* Adds c to tc, or leaves it out; returns whether it was added. */
bool add_case(TCase *tc, const struct case_spec *c);
/* Prints what was left out, one line each, prefixed with the program. */
void print_left_out(void);

/*
 * Set-ups without the ioctl where the kernel has none.  move_cursor():
 * the next new watch on fd gets the lowest free wd >= wd.  put_watch():
 * a new watch on path with mask at exactly wd.  Both cycle add/remove
 * (a private memfd, or path itself) where the kernel lacks the ioctl, so
 * they only move the cursor forward, and read back the IN_IGNORED their
 * removals queue: the queue, empty before, is empty after.
 */
void move_cursor(int fd, int wd);
int put_watch(int fd, const char *path, uint32_t mask, int wd);

#endif
