// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * libFuzzer target for inotify_wd_parse(), run by tests/matrix.sh:
 *
 *   clang -fsanitize=fuzzer,address,undefined -I BUILD -I include -I lib \
 *         tests/fuzz-parse.c LIB-SOURCES -lpthread
 *   ./fuzz-parse -max_total_time=60 CORPUS tests/fuzz-corpus
 *
 * where BUILD holds the config.h of a configured build and LIB-SOURCES
 * are the .c files of lib/.
 *
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it checks
 * what the header promises of a parse:
 *   - failure: errno is EBADMSG or ENOMEM, and text that does not end in
 *     a newline is always refused (a truncated read);
 *   - success: count > 0 with a non-NULL array, NULL with count 0; wds
 *     strictly ascending, each in 1..INT_MAX; handle_bytes <= 128; masks
 *     limited to the bits inotify_add_watch() accepts; no path, no mount
 *     fd; and printing the result back in the kernel's format, then
 *     parsing that, gives the same watches (nothing lost or invented).
 * A broken invariant aborts, which libFuzzer reports as a crash.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "inotify-wd.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz-parse: %s:%d: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* One watch in the kernel's format, as fs/notify/fdinfo.c prints it. */
static size_t print_watch(char *buf, size_t cap,
			  const struct inotify_wd_watch *w)
{
	unsigned int sdev = (unsigned int)(major(w->dev) << 20 | minor(w->dev));
	size_t len;
	unsigned int i;

	len = (size_t)snprintf(buf, cap,
			       "inotify wd:%x ino:%llx sdev:%x mask:%x "
			       "ignored_mask:%x ",
			       (unsigned int)w->wd, (unsigned long long)w->ino,
			       sdev, (unsigned int)w->mask,
			       (unsigned int)w->ignored_mask);
	if (w->handle_bytes || w->handle_type) {
		len += (size_t)snprintf(buf + len, cap - len,
					"fhandle-bytes:%x fhandle-type:%x "
					"f_handle:",
					w->handle_bytes,
					(unsigned int)w->handle_type);
		for (i = 0; i < w->handle_bytes; i++)
			len += (size_t)snprintf(buf + len, cap - len, "%02x",
						w->handle[i]);
	}
	len += (size_t)snprintf(buf + len, cap - len, "\n");
	CHECK(len < cap);
	return len;
}

static void same_watch(const struct inotify_wd_watch *a,
		       const struct inotify_wd_watch *b)
{
	CHECK(a->wd == b->wd);
	CHECK(a->mask == b->mask);
	CHECK(a->ignored_mask == b->ignored_mask);
	CHECK(a->ino == b->ino);
	CHECK(a->dev == b->dev);
	CHECK(a->handle_type == b->handle_type);
	CHECK(a->handle_bytes == b->handle_bytes);
	CHECK(memcmp(a->handle, b->handle, a->handle_bytes) == 0);
}

/* Print the watches back, newest first as the kernel does, and reparse. */
static void round_trip(const struct inotify_wd_watch *w, size_t n)
{
	/* wd, ino, sdev, masks, handle header: well under 200 characters. */
	const size_t line_max = 200 + 2 * INOTIFY_WD_HANDLE_MAX;
	struct inotify_wd_watch *again = NULL;
	size_t cap = 64 + n * line_max, len, i, m = 0;
	char *text = malloc(cap);

	CHECK(text);
	len = (size_t)snprintf(text, cap, "pos:\t0\nflags:\t02004000\n");
	for (i = n; i-- > 0;)
		len += print_watch(text + len, cap - len, &w[i]);
	CHECK(inotify_wd_parse(text, len, &again, &m, sizeof(*w)) == 0);
	CHECK(m == n);
	for (i = 0; i < n; i++)
		same_watch(&w[i], &again[i]);
	free(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inotify_wd_watch *w = (struct inotify_wd_watch *)&w;
	size_t n = (size_t)-1, i;
	char *copy;
	int ret;

	/* A copy of exactly size bytes, so ASan sees any overread. */
	copy = malloc(size ? size : 1);
	CHECK(copy);
	if (size)
		memcpy(copy, data, size);
	errno = 0;
	ret = inotify_wd_parse(copy, size, &w, &n, sizeof(*w));
	if (ret != 0) {
		CHECK(ret == -1);
		CHECK(errno == EBADMSG || errno == ENOMEM);
		free(copy);
		return 0;
	}
	CHECK(size == 0 || copy[size - 1] == '\n');
	CHECK(n != (size_t)-1);
	CHECK(n == 0 ? w == NULL : w != NULL);
	for (i = 0; i < n; i++) {
		CHECK(w[i].wd >= 1);
		CHECK(i == 0 || w[i].wd > w[i - 1].wd);
		CHECK(w[i].handle_bytes <= INOTIFY_WD_HANDLE_MAX);
		CHECK((w[i].mask & ~(uint32_t)KEPT_BITS) == 0);
		CHECK(w[i].path == NULL);
		CHECK(w[i].flags == 0 && w[i].mount_fd == 0 && !w[i].path);
	}
	round_trip(w, n);
	free(w);
	free(copy);
	return 0;
}
