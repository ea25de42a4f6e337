// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * What a process learns about the kernel, and what its environment says,
 * seen from a fresh process: each scenario runs in a child forked before
 * it made any call, so that the child's first call is a process's first
 * (nothing probed, the environment not read).  The seam counts the
 * system calls (tests/seam.c); a seccomp filter shows that a first call
 * needs no inotify instance of its own.
 *
 * The children report with REQUIRE (stderr, exit status): Check's
 * assertions belong to the process that runs the case.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "seam.h"
#include "variant.h"

#define MASK	(IN_MODIFY | IN_ATTRIB)
#define FAR	5	/* a wd a fresh instance reaches only by the cursor */

#define REQUIRE(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s: ", __FILE__,	\
				__LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			_exit(1);					\
		}							\
	} while (0)

static void setup(void)
{
	variant_setup(&variants[0]);
	scratch_setup();
	kernel_setnextwd();	/* cached before any filter in a child */
}

static void teardown(void)
{
	scratch_teardown();
}

/* Runs fn in a fresh child and asserts that it passed. */
static void in_child(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "child failed (status %#x), see its stderr", status);
}

static int instance(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	REQUIRE(fd >= 0, "%s", strerror(errno));
	return fd;
}

/* One add at FAR on a fresh instance: its system calls, through the seam. */
static unsigned long add_calls(const struct inotify_wd_opts *o,
			       struct inotify_wd_stats *st)
{
	int fd = instance(), ret;
	unsigned long before = iwd_sys_count();

	ret = inotify_wd_add_watch(fd, sc.a, MASK, FAR, o, st);
	before = iwd_sys_count() - before;
	REQUIRE(ret == FAR, "got %d (%s)", ret, strerror(errno));
	close(fd);
	return before;
}

static struct inotify_wd_features features(void)
{
	struct inotify_wd_features f;

	REQUIRE(inotify_wd_get_features(&f) == 0, "%s", strerror(errno));
	return f;
}

/*
 * The first call of a process opens no instance (so none is closed, and
 * no grace period is waited for), and costs the three probing adds over
 * a warm call, plus the one ioctl that finds SETNEXTWD missing where the
 * kernel has none (a warm call then no longer asks), and there the
 * fallback's first run reads the queue limit too (open, two reads,
 * close of /proc/sys/fs/inotify/max_queued_events).
 */
static void first_call(void)
{
	unsigned long first, warm, extra;

	first = add_calls(NULL, NULL);
	REQUIRE(seam.count[SEAM_INIT] == 0, "%lu instances",
		seam.count[SEAM_INIT]);
	warm = add_calls(NULL, NULL);
	extra = kernel_setnextwd() ? 3 + 1 + 4 : 3;	/* errno: no ioctl */
	REQUIRE(first <= warm + extra, "first %lu, warm %lu", first, warm);
	REQUIRE(seam.count[SEAM_INIT] == 0, "%lu instances",
		seam.count[SEAM_INIT]);
}

START_TEST(first_call_opens_no_instance)
{
	in_child(first_call);
}
END_TEST

/* The kernel refuses to make instances: the caller's is enough. */
static void deny_instances(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	REQUIRE(ctx, "seccomp_init");
	REQUIRE(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				 SCMP_SYS(inotify_init1), 0) == 0, "rule");
	REQUIRE(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
				 SCMP_SYS(inotify_init), 0) == 0, "rule");
	REQUIRE(seccomp_load(ctx) == 0, "load");
	seccomp_release(ctx);
}

static void first_call_no_init(void)
{
	int fd = instance(), ret;
	struct inotify_wd_features f;

	deny_instances();
	REQUIRE(inotify_init1(IN_CLOEXEC) < 0 && errno == EPERM, "filter");
	ret = inotify_add_watch_at(fd, sc.a, MASK, FAR);
	REQUIRE(ret == FAR, "got %d (%s)", ret, strerror(errno));
	/* everything is known now: no instance needed for the report */
	f = features();
	REQUIRE(f.mask_create == INOTIFY_WD_MASK_CREATE_HONOURED, "%d",
		f.mask_create);
	REQUIRE(f.setnextwd == !kernel_setnextwd(), "%d", f.setnextwd);
	close(fd);
}

START_TEST(first_call_without_inotify_init)
{
	in_child(first_call_no_init);
}
END_TEST

/*
 * SETNEXTWD refused by a seccomp filter: the first call's ioctl is the
 * probe, the call cycles instead, and no later call asks again.
 */
static int deny_errno;

static void ioctl_refused(void)
{
	struct inotify_wd_stats st;
	struct inotify_wd_features f;

	deny_setnextwd(deny_errno);
	add_calls(NULL, &st);
	REQUIRE(st.method == INOTIFY_WD_METHOD_CYCLE, "method %u", st.method);
	REQUIRE(seam.count[SEAM_SETNEXT] == 1, "%lu ioctls",
		seam.count[SEAM_SETNEXT]);
	add_calls(NULL, &st);
	REQUIRE(st.method == INOTIFY_WD_METHOD_CYCLE, "method %u", st.method);
	REQUIRE(seam.count[SEAM_SETNEXT] == 1, "%lu ioctls",
		seam.count[SEAM_SETNEXT]);
	f = features();
	REQUIRE(!f.setnextwd && f.setnextwd_errno == deny_errno, "%d %d",
		f.setnextwd, f.setnextwd_errno);
	REQUIRE(seam.count[SEAM_INIT] == 0, "%lu instances",
		seam.count[SEAM_INIT]);
}

START_TEST(ioctl_refused_falls_back_once)
{
	static const int errs[] = { EPERM, EACCES, ENOTTY };
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		deny_errno = errs[i];
		in_child(ioctl_refused);
	}
}
END_TEST

/*
 * An fd that is no instance fails as on every later call, after the
 * argument checks, and teaches the process nothing: the next call on a
 * real instance still finds the ioctl.
 */
static void not_instance(void)
{
	struct inotify_wd_opts fb = { .flags = INOTIFY_WD_FALLBACK };
	struct inotify_wd_stats st;
	int p[2], ret;

	REQUIRE(pipe2(p, O_CLOEXEC) == 0, "pipe");
	ret = inotify_add_watch_at(p[0], NULL, MASK, FAR);
	REQUIRE(ret == -1 && errno == EFAULT, "%d %s", ret, strerror(errno));
	ret = inotify_add_watch_at(p[0], sc.a, MASK, FAR);
	REQUIRE(ret == -1 && errno == EINVAL, "%d %s", ret, strerror(errno));
	ret = inotify_add_watch_at(1000, sc.a, MASK, FAR);
	REQUIRE(ret == -1 && errno == EBADF, "%d %s", ret, strerror(errno));
	ret = inotify_wd_set_next(p[0], FAR, NULL, NULL);
	REQUIRE(ret == -1 && errno == EINVAL, "%d %s", ret, strerror(errno));
	/* IN_MASK_CREATE learnt on a real fd, SETNEXTWD not yet used ... */
	add_calls(&fb, NULL);
	/* ... whose ENOTTY on a pipe says nothing about the kernel */
	ret = inotify_add_watch_at(p[0], sc.a, MASK, FAR);
	REQUIRE(ret == -1 && errno == EINVAL, "%d %s", ret, strerror(errno));
	add_calls(NULL, &st);
	REQUIRE(st.method == (kernel_setnextwd() ? INOTIFY_WD_METHOD_CYCLE :
						    INOTIFY_WD_METHOD_IOCTL),
		"method %u", st.method);
	REQUIRE(seam.count[SEAM_INIT] == 0, "%lu instances",
		seam.count[SEAM_INIT]);
	close(p[0]);
	close(p[1]);
}

START_TEST(not_an_instance_first)
{
	in_child(not_instance);
}
END_TEST

/* A child of a process that has probed inherits every answer. */
static unsigned long parent_warm, parent_adds;

static void grandchild(void)
{
	unsigned long adds = seam.count[SEAM_ADD];
	unsigned long calls = add_calls(NULL, NULL);

	REQUIRE(calls == parent_warm, "%lu calls, warm %lu", calls,
		parent_warm);
	/* one add with the ioctl; the same cycles as the parent without */
	REQUIRE(seam.count[SEAM_ADD] - adds == parent_adds,
		"%lu adds, warm %lu", seam.count[SEAM_ADD] - adds,
		parent_adds);
	REQUIRE(seam.count[SEAM_INIT] == 0, "%lu instances",
		seam.count[SEAM_INIT]);
}

static void probed_parent(void)
{
	pid_t pid;
	int status;

	add_calls(NULL, NULL);
	REQUIRE(seam.count[SEAM_INIT] == 0, "%lu instances",
		seam.count[SEAM_INIT]);
	parent_adds = seam.count[SEAM_ADD];
	parent_warm = add_calls(NULL, NULL);
	parent_adds = seam.count[SEAM_ADD] - parent_adds;
	pid = fork();
	REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		grandchild();
		_exit(0);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid");
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"grandchild failed");
}

START_TEST(fork_child_does_not_probe)
{
	in_child(probed_parent);
}
END_TEST

/* The kernels the seam and seccomp play classify as they did. */
struct played {
	const char *name;
	int mask_create;	/* the seam's knob; 0: this kernel's */
	int setnext_errno;	/* the seam's knob */
	int seccomp_errno;	/* a filter on the ioctl */
	int want_mask;
};

static const struct played *played;

static void classify_played(void)
{
	struct inotify_wd_features f;
	int want_setnext;

	seam.mask_create = played->mask_create;
	seam.setnext_errno = played->setnext_errno;
	if (played->seccomp_errno)
		deny_setnextwd(played->seccomp_errno);
	add_calls(NULL, NULL);
	f = features();
	REQUIRE(f.mask_create == played->want_mask, "[%s] mask_create %d",
		played->name, f.mask_create);
	want_setnext = !kernel_setnextwd() && !played->setnext_errno &&
		       !played->seccomp_errno;
	REQUIRE(f.setnextwd == want_setnext, "[%s] setnextwd %d",
		played->name, f.setnextwd);
	REQUIRE(want_setnext || f.setnextwd_errno, "[%s] no errno",
		played->name);
	REQUIRE(seam.count[SEAM_INIT] == 0, "[%s] %lu instances",
		played->name, seam.count[SEAM_INIT]);
}

START_TEST(played_kernels_classify)
{
	static const struct played kernels[] = {
		{ "this", 0, 0, 0, INOTIFY_WD_MASK_CREATE_HONOURED },
		{ "k4.17", INOTIFY_WD_MASK_CREATE_REJECTED, 0, 0,
		  INOTIFY_WD_MASK_CREATE_REJECTED },
		{ "k4.4", INOTIFY_WD_MASK_CREATE_REJECTED, ENOTTY, 0,
		  INOTIFY_WD_MASK_CREATE_REJECTED },
		{ "k3.10", INOTIFY_WD_MASK_CREATE_IGNORED, ENOTTY, 0,
		  INOTIFY_WD_MASK_CREATE_IGNORED },
		{ "seccomp-enotty", 0, 0, ENOTTY,
		  INOTIFY_WD_MASK_CREATE_HONOURED },
		{ "seccomp-eperm", 0, 0, EPERM,
		  INOTIFY_WD_MASK_CREATE_HONOURED },
		{ "seccomp-eacces", 0, 0, EACCES,
		  INOTIFY_WD_MASK_CREATE_HONOURED },
	};
	size_t i;

	for (i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++) {
		played = &kernels[i];
		in_child(classify_played);
	}
}
END_TEST

/* ---- the environment, set in the child before its first call ---- */

static const char *env_fb, *env_max;

static void set_env(void)
{
	unsetenv("INOTIFYWD_FALLBACK");
	unsetenv("INOTIFYWD_MAX_CYCLES");
	if (env_fb)
		REQUIRE(setenv("INOTIFYWD_FALLBACK", env_fb, 1) == 0, "env");
	if (env_max)
		REQUIRE(setenv("INOTIFYWD_MAX_CYCLES", env_max, 1) == 0,
			"env");
}

/* One add at wd on a fresh instance; -1 leaves it as it was. */
static int add_at(int wd, const struct inotify_wd_opts *o,
		  struct inotify_wd_stats *st, int *err)
{
	int fd = instance(), ret;
	struct kstate before, after;

	kstate(fd, &before);
	ret = inotify_wd_add_watch(fd, sc.a, MASK, wd, o, st);
	*err = errno;
	kstate(fd, &after);
	if (ret < 0) {
		REQUIRE(after.n == before.n && after.queued == 0,
			"%d watches, %d bytes left", after.n, after.queued);
	} else {
		REQUIRE(ret == wd && after.n == 1 && after.w[0].wd == wd &&
			after.w[0].mask == MASK && after.queued == 0,
			"got %d", ret);
	}
	close(fd);
	return ret;
}

static void env_fallback(void)
{
	struct inotify_wd_opts no = { .flags = INOTIFY_WD_NO_FALLBACK };
	struct inotify_wd_stats st;
	struct inotify_wd_features f;
	int err;

	env_fb = "1";
	env_max = NULL;
	set_env();
	REQUIRE(add_at(FAR, NULL, &st, &err) == FAR, "%s", strerror(err));
	REQUIRE(st.method == INOTIFY_WD_METHOD_CYCLE, "method %u", st.method);
	REQUIRE(add_at(FAR, &no, &st, &err) == -1 && err == EOPNOTSUPP,
		"%s", strerror(err));
	f = features();
	REQUIRE(f.env == INOTIFY_WD_ENV_FALLBACK && !f.env_max_cycles,
		"env %d, %llu", f.env, (unsigned long long)f.env_max_cycles);
}

START_TEST(env_forces_fallback)
{
	in_child(env_fallback);
}
END_TEST

/* The bound is lowered to N, never raised above the call's. */
static void env_bound(void)
{
	struct inotify_wd_opts o = { .flags = INOTIFY_WD_FALLBACK };
	struct inotify_wd_features f;
	int err;

	env_fb = NULL;
	env_max = "3";
	set_env();
	REQUIRE(add_at(10, &o, NULL, &err) == -1 && err == ERANGE, "%s",
		strerror(err));
	REQUIRE(add_at(3, &o, NULL, &err) == 3, "%s", strerror(err));
	o.max_cycles = 1;
	REQUIRE(add_at(3, &o, NULL, &err) == -1 && err == ERANGE, "%s",
		strerror(err));
	o.max_cycles = 100;
	REQUIRE(add_at(10, &o, NULL, &err) == -1 && err == ERANGE, "%s",
		strerror(err));
	f = features();
	REQUIRE(f.env == INOTIFY_WD_ENV_MAX_CYCLES && f.env_max_cycles == 3,
		"env %d, %llu", f.env, (unsigned long long)f.env_max_cycles);
}

START_TEST(env_lowers_bound)
{
	in_child(env_bound);
}
END_TEST

/* Values not understood change nothing, and are reported. */
static void env_garbage(void)
{
	struct inotify_wd_opts o = { .flags = INOTIFY_WD_FALLBACK };
	struct inotify_wd_stats st;
	struct inotify_wd_features f;
	int err;

	set_env();
	REQUIRE(add_at(FAR, NULL, &st, &err) == FAR, "%s", strerror(err));
	REQUIRE(st.method == (kernel_setnextwd() ? INOTIFY_WD_METHOD_CYCLE :
						    INOTIFY_WD_METHOD_IOCTL),
		"method %u", st.method);
	REQUIRE(add_at(10, &o, NULL, &err) == 10, "%s", strerror(err));
	f = features();
	REQUIRE(f.env == INOTIFY_WD_ENV_IGNORED && !f.env_max_cycles,
		"[%s, %s] env %d, %llu", env_fb ? env_fb : "-",
		env_max ? env_max : "-", f.env,
		(unsigned long long)f.env_max_cycles);
}

START_TEST(env_garbage_ignored)
{
	static const char *const values[][2] = {
		{ "yes", NULL }, { "0", NULL }, { "", NULL }, { " 1", NULL },
		{ NULL, "0" }, { NULL, "-3" }, { NULL, "3x" }, { NULL, " 3" },
		{ NULL, "" }, { NULL, "99999999999999999999999" },
	};
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		env_fb = values[i][0];
		env_max = values[i][1];
		in_child(env_garbage);
	}
}
END_TEST

/* Read once: a variable set after the first call changes nothing. */
static void env_late(void)
{
	struct inotify_wd_stats st;
	struct inotify_wd_features f;
	int err;

	env_fb = NULL;
	env_max = "1000";
	set_env();
	REQUIRE(add_at(FAR, NULL, &st, &err) == FAR, "%s", strerror(err));
	REQUIRE(setenv("INOTIFYWD_FALLBACK", "1", 1) == 0, "env");
	REQUIRE(setenv("INOTIFYWD_MAX_CYCLES", "2", 1) == 0, "env");
	REQUIRE(add_at(FAR, NULL, &st, &err) == FAR, "%s", strerror(err));
	REQUIRE(st.method == INOTIFY_WD_METHOD_IOCTL, "method %u", st.method);
	f = features();
	REQUIRE(f.env == INOTIFY_WD_ENV_MAX_CYCLES && f.env_max_cycles == 1000,
		"env %d, %llu", f.env, (unsigned long long)f.env_max_cycles);
}

START_TEST(env_read_once)
{
	in_child(env_late);
}
END_TEST

int main(void)
{
	const struct case_spec cases[] = {
		NEEDS(first_call_opens_no_instance, NEED_FORK, NULL),
		NEEDS(first_call_without_inotify_init, NEED_FORK, NULL),
		NEEDS(ioctl_refused_falls_back_once, NEED_FORK, NULL),
		NEEDS(not_an_instance_first, NEED_FORK, NULL),
		NEEDS(fork_child_does_not_probe, NEED_FORK, NULL),
		NEEDS(played_kernels_classify, NEED_FORK, NULL),
		NEEDS(env_forces_fallback, NEED_FORK, NULL),
		NEEDS(env_lowers_bound, NEED_FORK, NULL),
		NEEDS(env_garbage_ignored, NEED_FORK, NULL),
		NEEDS(env_read_once, NEED_FORK | NEED_SETNEXTWD,
		      "the ioctl, to tell the fallback from it"),
	};

	return case_main("env", cases, sizeof(cases) / sizeof(cases[0]),
			 setup, teardown, 60);
}
