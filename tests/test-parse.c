// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotify_wd_parse() on captured fdinfo text of several kernels and on a
 * table of malformed input, each refused with EBADMSG and nothing
 * returned.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "common.h"

#define HDR "pos:\t0\nflags:\t04000\nmnt_id:\t17\nino:\t17\n"

/* 6.18, x86_64, ext4 on 254:0: newest first, handle present. */
static const char captured_618[] = HDR
	"inotify wd:34d71d6 ino:3c51a sdev:fe00000 mask:80000002 "
	"ignored_mask:0 fhandle-bytes:8 fhandle-type:1 "
	"f_handle:1ac5030000000000\n"
	"inotify wd:11 ino:13 sdev:fe00000 mask:4000002 ignored_mask:0 "
	"fhandle-bytes:8 fhandle-type:1 f_handle:1300000000000000\n"
	"inotify wd:1 ino:2 sdev:800001 mask:fff ignored_mask:0 "
	"fhandle-bytes:c fhandle-type:81 f_handle:0200000000000000a1b2c3d4\n";

/* No CONFIG_EXPORTFS: the line ends after "ignored_mask:0 ". */
static const char captured_nohandle[] =
	"pos:\t0\nflags:\t02000000\n"
	"inotify wd:3 ino:1a2b sdev:16 mask:2 ignored_mask:0 \n";

/* 3.x: the raw mask, with FS_EVENT_ON_CHILD, IN_IGNORED, IN_UNMOUNT. */
static const char captured_3x[] =
	"pos:\t0\nflags:\t00\n"
	"inotify wd:2 ino:7 sdev:800003 mask:800afce ignored_mask:0 "
	"fhandle-bytes:8 fhandle-type:1 f_handle:0700000012345678\n";

START_TEST(parse_618)
{
	struct inotify_wd_watch *w;
	size_t n;

	ck_assert_int_eq(inotify_wd_parse(captured_618,
					  strlen(captured_618), &w, &n, WSIZE), 0);
	ck_assert_uint_eq(n, 3);
	/* ascending wd, whatever the kernel's order */
	ck_assert_int_eq(w[0].wd, 1);
	ck_assert_int_eq(w[1].wd, 0x11);
	ck_assert_int_eq(w[2].wd, 0x34d71d6);
	ck_assert_uint_eq(w[0].ino, 2);
	ck_assert(w[0].dev == makedev(8, 1));
	ck_assert(w[2].dev == makedev(254, 0));
	ck_assert_uint_eq(w[0].mask, 0xfff);
	ck_assert_uint_eq(w[1].mask, IN_MODIFY | IN_EXCL_UNLINK);
	ck_assert_uint_eq(w[2].mask, IN_MODIFY | IN_ONESHOT);
	ck_assert_uint_eq(w[0].handle_bytes, 12);
	ck_assert_int_eq(w[0].handle_type, 0x81);
	ck_assert_uint_eq(w[0].handle[8], 0xa1);
	ck_assert_uint_eq(w[0].handle[11], 0xd4);
	ck_assert_ptr_null(w[0].path);
	ck_assert_uint_eq(w[0].flags, 0);
	ck_assert_int_eq(w[0].mount_fd, 0);
	free(w);
}
END_TEST

START_TEST(parse_no_handle)
{
	struct inotify_wd_watch *w;
	size_t n;

	ck_assert_int_eq(inotify_wd_parse(captured_nohandle,
					  strlen(captured_nohandle), &w, &n, WSIZE),
			 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(w[0].wd, 3);
	ck_assert_uint_eq(w[0].ino, 0x1a2b);
	ck_assert(w[0].dev == makedev(0, 0x16));
	ck_assert_uint_eq(w[0].handle_bytes, 0);
	free(w);
}
END_TEST

/* CRIU issue #31: the internal bits must not reach inotify_add_watch. */
START_TEST(parse_old_mask)
{
	struct inotify_wd_watch *w;
	size_t n;

	ck_assert_int_eq(inotify_wd_parse(captured_3x, strlen(captured_3x),
					  &w, &n, WSIZE), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(w[0].mask, 0xfce);
	free(w);
}
END_TEST

START_TEST(parse_empty)
{
	struct inotify_wd_watch *w = (void *)1;
	size_t n = 5;

	ck_assert_int_eq(inotify_wd_parse(HDR, strlen(HDR), &w, &n, WSIZE), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(w);
	ck_assert_int_eq(inotify_wd_parse("", 0, &w, &n, WSIZE), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* Text is taken by length: no NUL needed, and none read past it. */
START_TEST(parse_length_bound)
{
	struct inotify_wd_watch *w;
	size_t n, len = strlen(captured_nohandle);
	char *copy = malloc(len);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, captured_nohandle, len);
	ck_assert_int_eq(inotify_wd_parse(copy, len, &w, &n, WSIZE), 0);
	ck_assert_uint_eq(n, 1);
	free(w);
	/* one byte short: the last line loses its newline */
	ck_assert_int_eq(inotify_wd_parse(copy, len - 1, &w, &n, WSIZE), -1);
	ck_assert_int_eq(errno, EBADMSG);
	free(copy);
}
END_TEST

#define W "inotify wd:1 ino:2 sdev:3 mask:2 ignored_mask:0"

static const struct {
	const char *why;
	const char *text;
} malformed[] = {
	{ "no final newline", W },
	{ "truncated mid-line", "inotify wd:1 ino:2 sd\n" },
	{ "wd 0", "inotify wd:0 ino:2 sdev:3 mask:2 ignored_mask:0\n" },
	{ "wd above INT_MAX",
	  "inotify wd:80000000 ino:2 sdev:3 mask:2 ignored_mask:0\n" },
	{ "wd overflowing 64 bits",
	  "inotify wd:100000000000000001 ino:2 sdev:3 mask:2 "
	  "ignored_mask:0\n" },
	{ "ino overflowing 64 bits",
	  "inotify wd:1 ino:10000000000000000 sdev:3 mask:2 "
	  "ignored_mask:0\n" },
	{ "mask above 32 bits",
	  "inotify wd:1 ino:2 sdev:3 mask:100000000 ignored_mask:0\n" },
	{ "decimal garbage", "inotify wd:1 ino:2 sdev:3 mask:2x ignored_mask:0\n" },
	{ "empty value", "inotify wd: ino:2 sdev:3 mask:2 ignored_mask:0\n" },
	{ "missing field", "inotify wd:1 ino:2 mask:2 ignored_mask:0\n" },
	{ "fields reordered", "inotify ino:2 wd:1 sdev:3 mask:2 ignored_mask:0\n" },
	{ "negative", "inotify wd:-1 ino:2 sdev:3 mask:2 ignored_mask:0\n" },
	{ "two spaces", "inotify wd:1  ino:2 sdev:3 mask:2 ignored_mask:0\n" },
	{ "trailing junk", W " junk\n" },
	{ "handle too long", W " fhandle-bytes:81 fhandle-type:1 f_handle:00\n" },
	{ "handle shorter than its size",
	  W " fhandle-bytes:4 fhandle-type:1 f_handle:0011\n" },
	{ "handle longer than its size",
	  W " fhandle-bytes:1 fhandle-type:1 f_handle:001122\n" },
	{ "handle not hex", W " fhandle-bytes:1 fhandle-type:1 f_handle:zz\n" },
	{ "handle without type", W " fhandle-bytes:1 f_handle:00\n" },
	{ "duplicate wd", W "\n" W "\n" },
	{ "NUL inside", "inotify wd:1 ino:2\0 sdev:3 mask:2 ignored_mask:0\n" },
};

START_TEST(parse_malformed)
{
	struct inotify_wd_watch *w = (void *)1;
	size_t n = 7, len;
	const char *t = malformed[_i].text;

	/* the NUL case has its length spelled out */
	len = strcmp(malformed[_i].why, "NUL inside") == 0 ?
		strlen(t) + 1 + strlen(t + strlen(t) + 1) : strlen(t);
	ck_assert_msg(inotify_wd_parse(t, len, &w, &n, WSIZE) == -1,
		      "accepted: %s", malformed[_i].why);
	ck_assert_msg(errno == EBADMSG, "%s: errno %d", malformed[_i].why,
		      errno);
	ck_assert_ptr_eq(w, (void *)1);
	ck_assert_uint_eq(n, 7);
}
END_TEST

START_TEST(parse_bad_args)
{
	struct inotify_wd_watch *w;
	size_t n;

	ck_assert_int_eq(inotify_wd_parse(NULL, 0, &w, &n, WSIZE), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(inotify_wd_parse(W "\n", 3, NULL, &n, WSIZE), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(inotify_wd_parse(W "\n", 3, &w, NULL, WSIZE), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Many watches, long lines: grows without a fixed limit. */
START_TEST(parse_many)
{
#define LINE "inotify wd:%x ino:%x sdev:fe00000 mask:2 ignored_mask:0 " \
	     "fhandle-bytes:80 fhandle-type:1 f_handle:%0256d\n"
	size_t cap = 100000 * 400, len = 0, n;
	struct inotify_wd_watch *w;
	char *text = malloc(cap);
	int i;

	ck_assert_ptr_nonnull(text);
	for (i = 100000; i > 0; i--)
		len += (size_t)snprintf(text + len, cap - len, LINE, i, i, 0);
	ck_assert_int_eq(inotify_wd_parse(text, len, &w, &n, WSIZE), 0);
	ck_assert_uint_eq(n, 100000);
	ck_assert_int_eq(w[0].wd, 1);
	ck_assert_int_eq(w[99999].wd, 100000);
	ck_assert_uint_eq(w[99999].handle_bytes, 128);
	free(w);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("parse");

	/* parse_many: 0.15 s here, 1 s in user-mode Linux (README) */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, parse_618);
	tcase_add_test(tc, parse_no_handle);
	tcase_add_test(tc, parse_old_mask);
	tcase_add_test(tc, parse_empty);
	tcase_add_test(tc, parse_length_bound);
	tcase_add_loop_test(tc, parse_malformed, 0,
			    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, parse_bad_args);
	tcase_add_test(tc, parse_many);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
