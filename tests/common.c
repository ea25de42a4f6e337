// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"

struct scratch sc;

static int by_wd(const void *x, const void *y)
{
	const struct kwatch *a = x, *b = y;

	return (a->wd > b->wd) - (a->wd < b->wd);
}

int kwatches(int fd, struct kwatch *out, int max)
{
	char path[64], line[512];
	struct kwatch w;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	ck_assert_msg(f, "cannot read %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "inotify wd:%x ino:%lx sdev:%x mask:%x",
			   (unsigned int *)&w.wd, &w.ino, &w.sdev,
			   &w.mask) != 4)
			continue;
		if (n < max)
			out[n] = w;
		n++;
	}
	fclose(f);
	qsort(out, (size_t)(n < max ? n : max), sizeof(*out), by_wd);
	return n;
}

int queued_bytes(int fd)
{
	int n = -1;

	ck_assert_int_eq(ioctl(fd, FIONREAD, &n), 0);
	return n;
}

void kstate(int fd, struct kstate *s)
{
	memset(s, 0, sizeof(*s));
	s->n = kwatches(fd, s->w, MAX_KWATCH);
	s->queued = queued_bytes(fd);
}

void assert_kstate_equal(const struct kstate *a, const struct kstate *b)
{
	int i;

	ck_assert_int_eq(a->n, b->n);
	ck_assert_int_eq(a->queued, b->queued);
	for (i = 0; i < a->n && i < MAX_KWATCH; i++) {
		ck_assert_int_eq(a->w[i].wd, b->w[i].wd);
		ck_assert_uint_eq(a->w[i].ino, b->w[i].ino);
		ck_assert_uint_eq(a->w[i].sdev, b->w[i].sdev);
		ck_assert_uint_eq(a->w[i].mask, b->w[i].mask);
	}
}

const struct kwatch *kfind(const struct kstate *s, int wd)
{
	int i;

	for (i = 0; i < s->n && i < MAX_KWATCH; i++)
		if (s->w[i].wd == wd)
			return &s->w[i];
	return NULL;
}

int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

unsigned long inode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return (unsigned long)st.st_ino;
}

unsigned int sdev_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return major(st.st_dev) << 20 | minor(st.st_dev);
}

void deny_setnextwd(int err)
{
	/* Spelled out: SCMP_A1() leaves fields to the compiler's defaults. */
	const struct scmp_arg_cmp cmd = {
		.arg = 1, .op = SCMP_CMP_EQ,
		.datum_a = INOTIFY_IOC_SETNEXTWD, .datum_b = 0,
	};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	ck_assert(ctx);
	ck_assert_int_eq(seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err),
						SCMP_SYS(ioctl), 1, &cmd), 0);
	ck_assert_int_eq(seccomp_load(ctx), 0);
	seccomp_release(ctx);
}

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

	ck_assert_int_ge(fd, 0);
	close(fd);
}

void scratch_setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(sc.dir, sizeof(sc.dir), "%s/iwd-XXXXXX", tmp ? tmp : "/tmp");
	ck_assert(mkdtemp(sc.dir));
	snprintf(sc.a, sizeof(sc.a), "%s/a", sc.dir);
	snprintf(sc.b, sizeof(sc.b), "%s/b", sc.dir);
	snprintf(sc.c, sizeof(sc.c), "%s/c", sc.dir);
	snprintf(sc.ln, sizeof(sc.ln), "%s/ln", sc.dir);
	snprintf(sc.sym, sizeof(sc.sym), "%s/sym", sc.dir);
	snprintf(sc.d, sizeof(sc.d), "%s/d", sc.dir);
	touch(sc.a);
	touch(sc.b);
	touch(sc.c);
	ck_assert_int_eq(link(sc.a, sc.ln), 0);
	ck_assert_int_eq(symlink(sc.b, sc.sym), 0);
	ck_assert_int_eq(mkdir(sc.d, 0755), 0);
}

void scratch_private_tmpfs(char *root, size_t size, const char *opts)
{
	ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	snprintf(root, size, "%s/mnt", sc.dir);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	ck_assert_int_eq(mount("iwd", root, "tmpfs", 0, opts), 0);
}

char **scratch_files(int n)
{
	char **p = calloc((size_t)n, sizeof(*p));
	int i;

	ck_assert(p);
	for (i = 0; i < n; i++) {
		ck_assert_int_gt(asprintf(&p[i], "%s/f%d", sc.dir, i), 0);
		touch(p[i]);
	}
	return p;
}

void scratch_teardown(void)
{
	char cmd[128];

	if (!sc.dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sc.dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", sc.dir);
}

static int by_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

char **klines(int fd, int *n)
{
	char path[64], *line = NULL, *cut, **out = NULL, **more;
	size_t cap = 0;
	FILE *f;
	int m = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	ck_assert(f);
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "inotify ", 8) != 0)
			continue;
		cut = strstr(line, " ignored_mask:");
		ck_assert_ptr_nonnull(cut);
		*cut = '\0';
		more = realloc(out, (size_t)(m + 1) * sizeof(*out));
		ck_assert(more);
		out = more;
		out[m++] = strdup(line);
	}
	free(line);
	fclose(f);
	if (m)
		qsort(out, (size_t)m, sizeof(*out), by_str);
	*n = m;
	return out;
}

void klines_free(char **l, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed, ran;

	print_left_out();
	/* Probed here, before any case installs a seccomp filter. */
	kernel_setnextwd();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	ran = srunner_ntests_run(sr);
	srunner_free(sr);
	if (failed)
		return EXIT_FAILURE;
	return ran ? EXIT_SUCCESS : 77;
}

int case_main(const char *name, const struct case_spec *cases, size_t n,
	      void (*setup)(void), void (*teardown)(void), int timeout)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	size_t i;

	tcase_set_timeout(tc, timeout);
	tcase_add_checked_fixture(tc, setup, teardown);
	for (i = 0; i < n; i++)
		add_case(tc, &cases[i]);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
