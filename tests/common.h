/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 the libinotifywd authors */
/*
 * Helpers of the test suite.  They read the kernel's view of things
 * (fdinfo, FIONREAD, /proc/self/fd) with code of their own, independent
 * of the library's parser, so the tests never trust the code under test.
 */
#ifndef INOTIFY_WD_TESTS_COMMON_H
#define INOTIFY_WD_TESTS_COMMON_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "inotify-wd.h"
#include "adapt.h"

#define MAX_KWATCH 64

/* One watch as /proc/self/fdinfo shows it. */
struct kwatch {
	int wd;
	unsigned long ino;
	unsigned int sdev;
	uint32_t mask;
};

/* All the watches of fd, sorted by wd; returns how many. */
int kwatches(int fd, struct kwatch *out, int max);
/* The kernel state of fd: its watches (the first max) and queue bytes. */
struct kstate {
	int n;
	struct kwatch w[MAX_KWATCH];
	int queued;
};
void kstate(int fd, struct kstate *s);
void assert_kstate_equal(const struct kstate *a, const struct kstate *b);
/* The watch with this wd, or NULL. */
const struct kwatch *kfind(const struct kstate *s, int wd);

int queued_bytes(int fd);
int open_fds(void);
unsigned long inode_of(const char *path);
unsigned int sdev_of(const char *path);

/* The element size of the watch arrays the tests pass: this header's. */
#define WSIZE sizeof(struct inotify_wd_watch)

/* Makes INOTIFY_IOC_SETNEXTWD fail with err, as an old kernel would. */
void deny_setnextwd(int err);

/* A scratch directory with files a, b, c, a hard link ln -> a, a symlink
 * sym -> b and a subdirectory d; paths in scratch.* */
struct scratch {
	char dir[64], a[96], b[96], c[96], ln[96], sym[96], d[96];
};
extern struct scratch sc;
void scratch_setup(void);
void scratch_teardown(void);
/*
 * Moves the calling process (a forked case) into a mount namespace of
 * its own with / private, and mounts a tmpfs with options opts on
 * sc.dir/mnt, written to root: all gone when the process ends.
 */
void scratch_private_tmpfs(char *root, size_t size, const char *opts);
/* Creates n more files f0..f(n-1) in the scratch dir, returns their paths. */
char **scratch_files(int n);



/* The watch lines of fd's fdinfo up to the mask, sorted: the identity of
 * each watch (wd, inode, device, mask) as text, for whole-set compares. */
char **klines(int fd, int *n);
void klines_free(char **l, int n);

/*
 * Runs a suite the usual way, after printing what was left out; the
 * process's exit status, 77 (skipped) when every case was left out.
 */
int run_suite(Suite *s);
/* One Check test case named name with these cases; run_suite()'s status. */
int case_main(const char *name, const struct case_spec *cases, size_t n,
	      void (*setup)(void), void (*teardown)(void), int timeout);
#endif
