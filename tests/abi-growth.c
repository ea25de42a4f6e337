// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * One caller, built twice by tests/abi-growth.test: against this
 * release's header, and against a "future" header in which every public
 * structure has one field more (struct inotify_wd_watch grows, the other
 * three take theirs out of their reserved space).  Both programs run
 * against the same library and must both be right: that is the promise
 * of "How the public structures grow" in <inotify-wd.h>.
 *
 * It checks what the library wrote against the kernel's own view, read
 * here with code of its own from /proc/self/fdinfo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <inotify-wd.h>

#ifdef FUTURE
#define LAYOUT "future"
#else
#define LAYOUT "current"
#endif

static int failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("FAIL [%s] line %d: %s (errno %s)\n",	\
			       LAYOUT, __LINE__, #cond,			\
			       strerror(errno));			\
			failures++;					\
		}							\
	} while (0)

static const int wds[] = { 1, 5, 300 };
#define NW (sizeof(wds) / sizeof(wds[0]))

static char dir[64], files[NW][96];

/* The kernel's "wd:%x ino:%lx" pairs of fd, in its own order. */
static int kernel_watches(int fd, int *wd, unsigned long *ino, int max)
{
	char path[64], line[512];
	unsigned int w;
	unsigned long i;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "inotify wd:%x ino:%lx", &w, &i) == 2 &&
		    n < max) {
			wd[n] = (int)w;
			ino[n++] = i;
		}
	fclose(f);
	return n;
}

/* fd holds exactly the watches of wds[] on files[], in any order. */
static void check_instance(int fd)
{
	unsigned long ino[8];
	struct stat sb;
	int wd[8], n, i, k;

	n = kernel_watches(fd, wd, ino, 8);
	CHECK(n == (int)NW);
	for (i = 0; i < n; i++)
		for (k = 0; k < (int)NW; k++)
			if (wd[i] == wds[k]) {
				CHECK(stat(files[k], &sb) == 0);
				CHECK(ino[i] == (unsigned long)sb.st_ino);
			}
}

static int fresh(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	CHECK(fd >= 0);
	return fd;
}

static void make_files(void)
{
	size_t i;
	int f;

	snprintf(dir, sizeof(dir), "%s/iwd-abi-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(99);
	}
	for (i = 0; i < NW; i++) {
		snprintf(files[i], sizeof(files[i]), "%s/f%zu", dir, i);
		f = open(files[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (f < 0)
			exit(99);
		close(f);
	}
}

static void remove_files(void)
{
	size_t i;

	for (i = 0; i < NW; i++)
		unlink(files[i]);
	rmdir(dir);
}

/* Dump an instance: the array has this caller's stride. */
static struct inotify_wd_watch *dumped(size_t *n)
{
	struct inotify_wd_watch *w = NULL;
	int src = fresh();
	size_t i;

	for (i = 0; i < NW; i++)
		CHECK(inotify_add_watch_at(src, files[i], IN_MODIFY, wds[i]) ==
		      wds[i]);
	CHECK(inotify_wd_dump(0, src, &w, n, sizeof(*w)) == 0);
	CHECK(*n == NW);
	for (i = 0; w && i < *n && i < NW; i++) {
		CHECK(w[i].wd == wds[i]);
		CHECK(w[i].mask == IN_MODIFY);
		CHECK(w[i].flags == 0 && w[i].path == NULL);
#ifdef FUTURE
		CHECK(w[i].added == 0);		/* unknown: zeroed */
#endif
		w[i].path = files[i];
	}
	close(src);
	return w;
}

/* A restore whose stats land in a structure with a guard behind it. */
static void restore_round_trip(const struct inotify_wd_watch *w, size_t n)
{
	struct {
		struct inotify_wd_stats st;
		unsigned char guard[64];
	} out;
	const struct inotify_wd_opts opts = { 0 };
	size_t i;
	int dst = fresh();

	memset(&out, 0xa5, sizeof(out));
	CHECK(inotify_wd_restore(dst, w, n, sizeof(*w), &opts, &out.st) == 0);
	check_instance(dst);
	CHECK(out.st.failed == n);
	for (i = 0; i < sizeof(out.st.reserved) / sizeof(out.st.reserved[0]);
	     i++)
		CHECK(out.st.reserved[i] == 0);
#ifdef FUTURE
	CHECK(out.st.added == 0);
#endif
	for (i = 0; i < sizeof(out.guard); i++)
		CHECK(out.guard[i] == 0xa5);
	close(dst);
}

#ifdef FUTURE
/* What this library cannot honour is refused, and nothing is made. */
static void future_fields_refused(struct inotify_wd_watch *w, size_t n)
{
	struct inotify_wd_opts opts = { 0 };
	int dst = fresh();
	unsigned long ino[8];
	int wd[8];

	w[1].added = 7;
	errno = 0;
	CHECK(inotify_wd_restore(dst, w, n, sizeof(*w), NULL, NULL) == -1);
	CHECK(errno == E2BIG);
	w[1].added = 0;
	opts.added = 1;
	errno = 0;
	CHECK(inotify_wd_restore(dst, w, n, sizeof(*w), &opts, NULL) == -1);
	CHECK(errno == EINVAL);
	CHECK(kernel_watches(dst, wd, ino, 8) == 0);
	close(dst);
}
#endif

static void features(void)
{
	struct {
		struct inotify_wd_features f;
		unsigned char guard[64];
	} out;
	size_t i;

	memset(&out, 0xa5, sizeof(out));
	CHECK(inotify_wd_get_features(&out.f) == 0);
	CHECK(out.f.setnextwd == 0 || out.f.setnextwd == 1);
	CHECK(out.f.env == 0);
	for (i = 0; i < sizeof(out.f.reserved) / sizeof(out.f.reserved[0]);
	     i++)
		CHECK(out.f.reserved[i] == 0);
#ifdef FUTURE
	CHECK(out.f.added == 0);
#endif
	for (i = 0; i < sizeof(out.guard); i++)
		CHECK(out.guard[i] == 0xa5);
}

int main(void)
{
	struct inotify_wd_watch *w;
	size_t n = 0;

	make_files();
	features();
	w = dumped(&n);
	if (w && n == NW) {
		restore_round_trip(w, n);
#ifdef FUTURE
		future_fields_refused(w, n);
#endif
	}
	free(w);
	remove_files();
	printf("%s layout: element size %zu, %s\n", LAYOUT,
	       sizeof(struct inotify_wd_watch),
	       failures ? "FAILED" : "all checks passed");
	return failures ? 1 : 0;
}
