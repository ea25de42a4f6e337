// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Bad input, every public call, as one table: each row names the call,
 * the input and the documented errno.  After each row the caller's
 * instance is exactly as before (watches, queue) and no fd leaked.
 *
 * Then an fd that is no inotify instance, on every kernel variant: the
 * calls that take one check it whatever else they are given, a restore
 * of no entries too (EBADF, else EINVAL, and stats.failed is count).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "variant.h"

#define MASK	IN_MODIFY

static int fd;			/* the caller's instance, one watch on sc.b */
static int closed_fd;		/* a number no fd has */
static int pipe_fd;		/* an fd that is not inotify */
static char long_path[PATH_MAX + 16];
static char long_name[300];
static struct inotify_wd_watch *ws;	/* restore entries (path targets) */
static const struct inotify_wd_opts fallback = {
	.flags = INOTIFY_WD_FALLBACK };

static void setup(void)
{
	int p[2];

	scratch_setup();
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_eq(inotify_add_watch(fd, sc.b, IN_MODIFY), 1);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pipe_fd = p[0];
	closed_fd = p[1];
	close(p[1]);
	memset(long_path, 'x', sizeof(long_path) - 1);
	long_path[0] = '/';
	memcpy(long_name, sc.dir, strlen(sc.dir));
	long_name[strlen(sc.dir)] = '/';
	memset(long_name + strlen(sc.dir) + 1, 'y', 280);
	ws = calloc(2, sizeof(*ws));
	ws[0].wd = 10; ws[0].mask = MASK; ws[0].path = sc.a;
	ws[1].wd = 11; ws[1].mask = MASK; ws[1].path = sc.c;
}

static void teardown(void)
{
	free(ws);
	close(pipe_fd);
	close(fd);
	scratch_teardown();
}

static int add(int f, const char *path, uint32_t mask, int wd)
{
	return inotify_add_watch_at(f, path, mask, wd);
}

static int add_fb(int f, const char *path, uint32_t mask, int wd)
{
	return inotify_wd_add_watch(f, path, mask, wd, &fallback, NULL);
}

static int set_next(int f, int wd)
{
	return inotify_wd_set_next(f, wd, NULL, NULL);
}

static int set_next_fb(int f, int wd)
{
	return inotify_wd_set_next(f, wd, &fallback, NULL);
}

static int restore_with(int f, const struct inotify_wd_watch *w, size_t n,
			const struct inotify_wd_opts *o)
{
	return inotify_wd_restore(f, w, n, WSIZE, o, NULL);
}

static int restore_sized(size_t size)
{
	return inotify_wd_restore(fd, ws, 2, size, NULL, NULL);
}

/* An entry of a later header's layout: one more field, set. */
static int restore_future(uint64_t field)
{
	struct {
		struct inotify_wd_watch w;
		uint64_t added;
	} future[1];

	memset(future, 0, sizeof(future));
	future[0].w = ws[0];
	future[0].added = field;
	return inotify_wd_restore(fd, &future[0].w, 1, sizeof(future[0]),
				  NULL, NULL);
}

static int restore_flagged(unsigned int flags)
{
	struct inotify_wd_watch w = ws[0];

	w.flags = flags;
	return inotify_wd_restore(fd, &w, 1, WSIZE, NULL, NULL);
}

static int parse(const char *text, size_t len, struct inotify_wd_watch **w,
		 size_t *n, size_t size)
{
	return inotify_wd_parse(text, len, w, n, size);
}

static int dump(pid_t pid, int f, struct inotify_wd_watch **w, size_t *n)
{
	return inotify_wd_dump(pid, f, w, n, WSIZE);
}

static const char garbage[] = "inotify wd:zz ino:1 sdev:0 mask:2 "
			      "ignored_mask:0\n";
static const char truncated[] = "pos:\t0\ninotify wd:1 ino:2 sdev:3 ma";

/*
 * The table: the errno each call must fail with.  Written once, as an
 * X-macro, so that every row's text, errno and call stay on one line.
 */
#define ROWS(X) \
	X(EFAULT, add(fd, NULL, MASK, 5)) \
	X(EFAULT, add_fb(fd, NULL, MASK, 5)) \
	X(ENOENT, add(fd, "", MASK, 5)) \
	X(ENOENT, add_fb(fd, "", MASK, 5)) \
	X(ENAMETOOLONG, add(fd, long_path, MASK, 5)) \
	X(ENAMETOOLONG, add_fb(fd, long_path, MASK, 5)) \
	X(ENAMETOOLONG, add(fd, long_name, MASK, 5)) \
	X(EINVAL, add(fd, sc.a, MASK, 0)) \
	X(EINVAL, add(fd, sc.a, MASK, -1)) \
	X(EINVAL, add(fd, sc.a, MASK, INT_MIN)) \
	X(EINVAL, add_fb(fd, sc.a, MASK, 0)) \
	X(ERANGE, add_fb(fd, sc.a, MASK, INT_MAX)) \
	X(EINVAL, add(fd, sc.a, 0, 5)) \
	X(EINVAL, add(fd, sc.a, 0x00010000 | MASK, 5)) \
	X(EINVAL, add(fd, sc.a, IN_ISDIR | MASK, 5)) \
	X(EINVAL, add(fd, sc.a, IN_Q_OVERFLOW | MASK, 5)) \
	X(EINVAL, add(fd, sc.a, IN_MASK_ADD | MASK, 5)) \
	X(EINVAL, add(fd, sc.a, UINT32_MAX, 5)) \
	X(EBADF, add(closed_fd, sc.a, MASK, 5)) \
	X(EBADF, add_fb(closed_fd, sc.a, MASK, 5)) \
	X(EBADF, add(-1, sc.a, MASK, 5)) \
	X(EINVAL, add(pipe_fd, sc.a, MASK, 5)) \
	X(EINVAL, add_fb(pipe_fd, sc.a, MASK, 5)) \
	X(EEXIST, add(fd, sc.b, MASK, 5)) \
	X(EEXIST, add_fb(fd, sc.b, MASK, 5)) \
	X(EBUSY, add(fd, sc.a, MASK, 1)) \
	X(EBUSY, add_fb(fd, sc.a, MASK, 1)) \
	X(EINVAL, set_next(fd, 0)) \
	X(EINVAL, set_next(fd, INT_MIN)) \
	X(EINVAL, set_next_fb(fd, -1)) \
	X(EBADF, set_next(closed_fd, 5)) \
	X(EBADF, set_next_fb(closed_fd, 5)) \
	X(EINVAL, set_next(pipe_fd, 5)) \
	X(EINVAL, set_next_fb(pipe_fd, 5)) \
	X(EINVAL, parse(NULL, 10, &out, &count, WSIZE)) \
	X(EINVAL, parse(garbage, sizeof(garbage), NULL, &count, WSIZE)) \
	X(EINVAL, parse(garbage, sizeof(garbage), &out, NULL, WSIZE)) \
	X(EBADMSG, parse(garbage, strlen(garbage), &out, &count, WSIZE)) \
	X(EBADMSG, parse(truncated, strlen(truncated), &out, &count, WSIZE)) \
	X(EINVAL, parse(truncated, strlen(truncated), &out, &count, 8)) \
	X(EINVAL, inotify_wd_dump(0, fd, &out, &count, WSIZE - 1)) \
	X(EINVAL, dump(0, fd, NULL, &count)) \
	X(EINVAL, dump(0, fd, &out, NULL)) \
	X(EINVAL, dump(0, -1, &out, &count)) \
	X(EINVAL, dump(-5, fd, &out, &count)) \
	X(EINVAL, dump(0, pipe_fd, &out, &count)) \
	X(ENOENT, dump(0, closed_fd, &out, &count)) \
	X(ENOENT, dump(INT_MAX, fd, &out, &count)) \
	X(EINVAL, restore_with(fd, NULL, 2, NULL)) \
	X(EINVAL, restore_with(fd, ws, SIZE_MAX, NULL)) \
	X(EINVAL, restore_with(fd, ws, SIZE_MAX / 8, &fallback)) \
	X(EBADF, restore_with(closed_fd, ws, 2, NULL)) \
	X(EBADF, restore_with(closed_fd, ws, 2, &fallback)) \
	X(EINVAL, restore_with(pipe_fd, ws, 2, NULL)) \
	X(EINVAL, restore_with(pipe_fd, ws, 2, &fallback)) \
	X(EINVAL, restore_with(fd, ws, 2, &bad_flags)) \
	X(EINVAL, restore_with(fd, ws, 2, &reserved_set)) \
	X(EINVAL, restore_sized(0)) \
	X(EINVAL, restore_sized(WSIZE - 1)) \
	X(EINVAL, restore_flagged(1U << 5)) \
	X(E2BIG, restore_future(1)) \
	X(EINVAL, inotify_wd_get_features(NULL))

static const struct inotify_wd_opts bad_flags = { .flags = 0xff00 };
static const struct inotify_wd_opts reserved_set = { .reserved[3] = 1 };
static struct inotify_wd_watch *out;
static size_t count;

static const struct row {
	const char *call;
	int err;
} rows[] = {
#define X(err, call) { #call, err },
	ROWS(X)
#undef X
};

static int eval(int i)
{
	int k = 0;

#define X(err, call) if (i == k++) return (call);
	ROWS(X)
#undef X
	return -2;
}

START_TEST(bad_input)
{
	struct kstate before, after;
	int fds = open_fds(), ret;

	kstate(fd, &before);
	errno = 0;
	ret = eval(_i);
	ck_assert_msg(ret == -1 && errno == rows[_i].err,
		      "%s: returned %d, errno %s, expected %s", rows[_i].call,
		      ret, strerror(errno), strerror(rows[_i].err));
	kstate(fd, &after);
	assert_kstate_equal(&before, &after);
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

/* ---- fds that are no inotify instance, on every variant ---- */

/*
 * Each kind of fd that is not an inotify instance, and the errno every
 * call must give for it.  Those that are open hold data, so that their
 * FIONREAD is not 0 (a queue to a fallback that took them for inotify)
 * and their content shows whether a call consumed any.
 */
enum bad_kind { BAD_MINUS_ONE, BAD_CLOSED, BAD_PIPE, BAD_FILE, BAD_EVENTFD,
		NBAD };

static const struct {
	const char *name;
	int err;
} bad_kinds[NBAD] = {
	[BAD_MINUS_ONE] = { "fd -1", EBADF },
	[BAD_CLOSED] = { "a closed fd", EBADF },
	[BAD_PIPE] = { "a pipe", EINVAL },
	[BAD_FILE] = { "a regular file", EINVAL },
	[BAD_EVENTFD] = { "an eventfd", EINVAL },
};

static int bad[NBAD];
static int pipe_w;

static void bad_setup(void)
{
	int p[2];

	setup();
	bad[BAD_MINUS_ONE] = -1;
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	bad[BAD_PIPE] = p[0];
	pipe_w = p[1];
	ck_assert_int_eq(write(pipe_w, "x", 1), 1);
	bad[BAD_FILE] = open(sc.c, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(bad[BAD_FILE], 0);
	ck_assert_int_eq(write(bad[BAD_FILE], "data", 4), 4);
	ck_assert_int_eq(lseek(bad[BAD_FILE], 0, SEEK_SET), 0);
	bad[BAD_EVENTFD] = eventfd(3, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(bad[BAD_EVENTFD], 0);
	/* Last: the fds above would take the number of setup()'s. */
	bad[BAD_CLOSED] = dup(bad[BAD_EVENTFD]);
	close(bad[BAD_CLOSED]);
}

static void bad_teardown(void)
{
	close(bad[BAD_EVENTFD]);
	close(bad[BAD_FILE]);
	close(bad[BAD_PIPE]);
	close(pipe_w);
	teardown();
}

/* What the open ones hold, read without consuming it. */
static void bad_content(int *pipe_bytes, off_t *file_pos, eventfd_t *value)
{
	ck_assert_int_eq(ioctl(bad[BAD_PIPE], FIONREAD, pipe_bytes), 0);
	*file_pos = lseek(bad[BAD_FILE], 0, SEEK_CUR);
	ck_assert_int_eq(eventfd_read(bad[BAD_EVENTFD], value), 0);
	ck_assert_int_eq(eventfd_write(bad[BAD_EVENTFD], *value), 0);
}

static struct inotify_wd_stats bst;

/* Each call that takes an inotify fd, given f. */
#define BAD_CALLS(X) \
	X(inotify_wd_add_watch(f, sc.a, MASK, 5, &o, &bst), 0) \
	X(inotify_wd_add_watch(f, sc.a, MASK, 1, &o, &bst), 0) \
	X(inotify_wd_set_next(f, 5, &o, &bst), 0) \
	X(inotify_wd_restore(f, NULL, 0, WSIZE, &o, &bst), 0) \
	X(inotify_wd_restore(f, ws, 0, WSIZE, &o, &bst), 0) \
	X(inotify_wd_restore(f, ws, 1, WSIZE, &o, &bst), 1) \
	X(inotify_wd_restore(f, ws, 2, WSIZE, &o, &bst), 2) \
	X(inotify_wd_restore(f, ws, 2, WSIZE, &no_rollback, &bst), 2)

/* Runs call i on f: its result, errno, and the count it was given. */
static int bad_call(int i, int f, size_t *given)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_opts no_rollback = o;
	int k = 0;

	no_rollback.flags |= INOTIFY_WD_NO_ROLLBACK;
#define X(call, n) if (i == k++) { *given = (n); return (call); }
	BAD_CALLS(X)
#undef X
	return -2;
}

static const char *const bad_call_names[] = {
#define X(call, n) #call,
	BAD_CALLS(X)
#undef X
};

#define NBAD_CALLS (sizeof(bad_call_names) / sizeof(bad_call_names[0]))

/* Call i on bad fd k: the errno of its kind, stats.failed the count. */
static bool bad_ok(int i, int k)
{
	size_t n;
	int ret, err;

	memset(&bst, 0xff, sizeof(bst));
	errno = 0;
	ret = bad_call(i, bad[k], &n);
	err = errno;
	if (ret == -1 && err == bad_kinds[k].err &&
	    (i < 3 || bst.failed == n))	/* the restores report failed */
		return true;
	fprintf(stderr, "[%s] %s, f %s: returned %d, errno %s, failed %lu;"
		" expected -1, %s, failed %zu\n", V->name, bad_call_names[i],
		bad_kinds[k].name, ret, strerror(err),
		(unsigned long)bst.failed, strerror(bad_kinds[k].err), n);
	return false;
}

START_TEST(not_inotify)
{
	struct kstate before, after;
	int fds = open_fds(), bytes[2], wrong = 0, i, k;
	off_t pos[2];
	eventfd_t value[2];

	kstate(fd, &before);
	bad_content(&bytes[0], &pos[0], &value[0]);
	variant_enter();
	/* All of them, then the verdict: one run shows every gap. */
	for (k = 0; k < NBAD; k++)
		for (i = 0; i < (int)NBAD_CALLS; i++)
			wrong += !bad_ok(i, k);
	ck_assert_msg(wrong == 0, "[%s] %d calls of %d gave the wrong answer"
		      " (listed on stderr)", V->name, wrong,
		      NBAD * (int)NBAD_CALLS);
	kstate(fd, &after);
	assert_kstate_equal(&before, &after);
	ck_assert_int_eq(open_fds(), fds);
	bad_content(&bytes[1], &pos[1], &value[1]);
	ck_assert_int_eq(bytes[1], bytes[0]);
	ck_assert_int_eq(pos[1], pos[0]);
	ck_assert_uint_eq(value[1], value[0]);
}
END_TEST

int main(void)
{
	const struct case_spec bad_fd_cases[] = { CASE(not_inotify) };
	Suite *s = suite_create("bad-input");
	TCase *tc = tcase_create("bad-input");
	int table, fds;

	/* milliseconds a row; Check's default 4 s would measure the load */
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_input, 0, sizeof(rows) / sizeof(rows[0]));
	suite_add_tcase(s, tc);
	table = run_suite(s);
	printf("%zu rows\n", sizeof(rows) / sizeof(rows[0]));
	fds = variant_main(bad_fd_cases, 1, bad_setup, bad_teardown, 60);
	if (table == EXIT_FAILURE || fds == EXIT_FAILURE)
		return EXIT_FAILURE;
	return table == 77 && fds == 77 ? 77 : EXIT_SUCCESS;
}
