// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define SYSCTL_QUEUE	"/proc/sys/fs/inotify/max_queued_events"

static const char *errname(int err)
{
	switch (err) {
	case ENOTTY: return "ENOTTY";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOSYS: return "ENOSYS";
	default: return strerror(err);
	}
}

bool nofork(void)
{
	const char *f = getenv("CK_FORK");

	return f && strcmp(f, "no") == 0;
}

/* Outside a test case ck_assert() has nothing to report to. */
static void setup_failed(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(99);
}

/* On a private instance: an ENOTTY from another fd would prove nothing. */
int kernel_setnextwd(void)
{
	static int err = -1;
	int fd;

	if (err >= 0)
		return err;
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0)
		setup_failed("inotify_init1");
	err = ioctl(fd, INOTIFY_IOC_SETNEXTWD, 1UL) == 0 ? 0 : errno;
	close(fd);
	return err;
}

static bool has_cap(int cap)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		setup_failed("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff >> cap & 1;
}

/* Whether a child may enter a user namespace of its own: 0 or errno. */
static int userns_errno(void)
{
	static int err = -1;
	int status;
	pid_t pid;

	if (err >= 0)
		return err;
	pid = fork();
	if (pid < 0)
		setup_failed("fork");
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		setup_failed("waitpid");
	err = WEXITSTATUS(status);
	return err;
}

/*
 * A builder's shell often sets a soft limit of 1024 fds: raised to the
 * hard limit, for this process only, before it counts as too few.
 */
static bool fds_room(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) < 0)
		setup_failed("getrlimit");
	if (r.rlim_cur >= NEED_FDS_MIN)
		return true;
	if (r.rlim_max < NEED_FDS_MIN)
		return false;
	r.rlim_cur = r.rlim_max;
	return setrlimit(RLIMIT_NOFILE, &r) == 0;
}

static const char *sysctl_unmet(void)
{
	const char *v = getenv(SYSCTL_OPT_IN);

	if (!v || strcmp(v, "1") != 0)
		return "changes " SYSCTL_QUEUE " for the whole machine: runs "
		       "only with " SYSCTL_OPT_IN "=1 (as the uml matrix check "
		       "sets in its guest)";
	if (access(SYSCTL_QUEUE, W_OK) != 0)
		return SYSCTL_OPT_IN "=1, but " SYSCTL_QUEUE " is not writable "
		       "(needs root)";
	return NULL;
}

const char *unmet(unsigned int needs)
{
	static char why[128];

	if ((needs & NEED_SETNEXTWD) && kernel_setnextwd()) {
		snprintf(why, sizeof(why), "kernel has no INOTIFY_IOC_SETNEXTWD "
			 "(%s)", errname(kernel_setnextwd()));
		return why;
	}
	if ((needs & NEED_HANDLES) && !has_cap(CAP_DAC_READ_SEARCH))
		return "needs CAP_DAC_READ_SEARCH (open_by_handle_at), i.e. root";
	if ((needs & NEED_MOUNT) && !has_cap(CAP_SYS_ADMIN))
		return "needs CAP_SYS_ADMIN (a mount namespace and a tmpfs)";
	if ((needs & NEED_FORK) && nofork())
		return "CK_FORK=no: its filter or namespace would outlive it";
	if ((needs & NEED_USERNS) && userns_errno()) {
		snprintf(why, sizeof(why), "cannot enter a user namespace "
			 "(unshare: %s)", errname(userns_errno()));
		return why;
	}
	if ((needs & NEED_FDS) && !fds_room()) {
		snprintf(why, sizeof(why), "needs a hard RLIMIT_NOFILE of %d "
			 "(ulimit -Hn)", NEED_FDS_MIN);
		return why;
	}
	if (needs & NEED_SYSCTL)
		return sysctl_unmet();
	return NULL;
}

/* ---- what was left out -------------------------------------------------- */

#define MAX_LEFT_OUT	64

static struct left_out {
	char what[64];
	char why[224];
	int n;
} left[MAX_LEFT_OUT];
static int nleft;

void leave_out(const char *what, int n, const char *why)
{
	int i;

	for (i = 0; i < nleft; i++) {
		if (strcmp(left[i].what, what) == 0 &&
		    strcmp(left[i].why, why) == 0) {
			left[i].n += n;
			return;
		}
	}
	if (nleft == MAX_LEFT_OUT) {
		fprintf(stderr, "too many reasons to leave cases out\n");
		exit(99);
	}
	snprintf(left[nleft].what, sizeof(left[nleft].what), "%s", what);
	snprintf(left[nleft].why, sizeof(left[nleft].why), "%s", why);
	left[nleft++].n = n;
}

bool add_case(TCase *tc, const struct case_spec *c)
{
	const char *why = unmet(c->needs);
	char reason[224];

	if (!why) {
		tcase_add_test(tc, c->test);
		return true;
	}
	if (c->what)
		snprintf(reason, sizeof(reason), "%s: %s", c->what, why);
	else
		snprintf(reason, sizeof(reason), "%s", why);
	leave_out(c->test->name, 1, reason);
	return false;
}

/* "lt-test-add" when libtool runs it through its wrapper. */
static const char *program(void)
{
	const char *p = program_invocation_short_name;

	return strncmp(p, "lt-", 3) == 0 ? p + 3 : p;
}

void print_left_out(void)
{
	int i;

	for (i = 0; i < nleft; i++)
		printf("%s: left out %s (x%d): %s\n", program(), left[i].what,
		       left[i].n, left[i].why);
	/* Before the cases fork: a buffered line would print once per case. */
	fflush(stdout);
}

/* ---- set-ups without the ioctl ------------------------------------------ */

#define BATCH	256

/* Reads back the IN_IGNORED of the n removals just made: all that is queued. */
static void read_back(int fd, const int *gone, int n)
{
	struct inotify_event ev[BATCH];
	int bytes = n * (int)sizeof(ev[0]), i;

	if (!n)
		return;
	ck_assert_int_eq(queued_bytes(fd), bytes);
	ck_assert_int_eq(read(fd, ev, (size_t)bytes), bytes);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(ev[i].wd, gone[i]);
		ck_assert_uint_eq(ev[i].mask, IN_IGNORED);
	}
}

/*
 * Adds path (mask) and removes it again until an add gives a wd of at
 * least stop; returns that wd, whose watch stays.
 */
static int cycle_until(int fd, const char *path, uint32_t mask, int stop)
{
	int gone[BATCH], n = 0, wd, prev = 0;

	ck_assert_msg(queued_bytes(fd) == 0, "set-up: cycling needs an "
		      "empty queue");
	for (;;) {
		wd = inotify_add_watch(fd, path, mask);
		ck_assert_msg(wd > prev, "set-up: add %s gave %d after %d (%s)",
			      path, wd, prev, strerror(errno));
		if (wd >= stop)
			break;
		ck_assert_int_eq(inotify_rm_watch(fd, wd), 0);
		gone[n++] = prev = wd;
		if (n == BATCH) {
			read_back(fd, gone, n);
			n = 0;
		}
	}
	read_back(fd, gone, n);
	return wd;
}

static void set_next_ioctl(int fd, int wd)
{
	ck_assert_int_eq(ioctl(fd, INOTIFY_IOC_SETNEXTWD, (unsigned long)wd),
			 0);
}

/* The highest wd below wd that is free, from which the next is wd. */
static int park_below(int fd, int wd)
{
	struct kwatch w[MAX_KWATCH];
	int n = kwatches(fd, w, MAX_KWATCH), park = wd - 1, i;

	ck_assert_int_le(n, MAX_KWATCH);
	for (i = n - 1; i >= 0; i--)
		if (w[i].wd == park)
			park--;
	ck_assert_msg(park >= 1, "set-up: no free wd below %d", wd);
	return park;
}

void move_cursor(int fd, int wd)
{
	char path[64];
	int park, got, m;

	if (!kernel_setnextwd()) {
		set_next_ioctl(fd, wd);
		return;
	}
	/* A memfd: no other watch involves it, its creation queues nothing. */
	park = park_below(fd, wd);
	m = memfd_create("iwd-test-cursor", MFD_CLOEXEC);
	ck_assert_int_ge(m, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", m);
	got = cycle_until(fd, path, IN_MODIFY, park);
	ck_assert_msg(got == park, "set-up: the cursor was past %d already "
		      "(got %d): without the ioctl it cannot go back", wd, got);
	ck_assert_int_eq(inotify_rm_watch(fd, got), 0);
	read_back(fd, &got, 1);
	close(m);
}

int put_watch(int fd, const char *path, uint32_t mask, int wd)
{
	int got;

	if (!kernel_setnextwd()) {
		set_next_ioctl(fd, wd);
		got = inotify_add_watch(fd, path, mask);
	} else {
		got = cycle_until(fd, path, mask, wd);
	}
	ck_assert_msg(got == wd, "set-up: %s got wd %d, not %d (busy, or the "
		      "cursor was past it)", path, got, wd);
	return wd;
}
