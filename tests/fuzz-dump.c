// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * libFuzzer target for the dump-file reader of "inotifywd restore"
 * (dump_read(): tools/dumpfmt.c, dumpline.c), run by tests/matrix.sh:
 *
 *   clang -fsanitize=fuzzer,address,undefined -I BUILD -I include \
 *         -I tools tests/fuzz-dump.c tools/dumpfmt.c tools/dumpline.c \
 *         tools/pathesc.c tools/instance.c tools/report.c
 *   ./fuzz-dump -max_len=20000 CORPUS tests/fuzz-dump-corpus
 *
 * where BUILD holds the config.h of a configured build.  -max_len must
 * pass the reader's line bound, DUMP_LINE_MAX, for a line too long to be
 * tried.  The reader's one-line refusals go to /dev/null (its stderr is
 * swapped at start); sanitizer reports and the checks below still reach
 * the original standard error.
 *
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it checks
 * what the reader promises:
 *   - failure: an empty dump is left (nothing to free, nothing leaked);
 *   - success: the text ends in a newline and no line is longer than
 *     DUMP_LINE_MAX; version 1 or 2, v1 with one instance and no fd;
 *     in v2 no two instances share an fd; the wds of an instance are
 *     strictly ascending in 1..INT_MAX; handles of at most 128 bytes; a
 *     path is non-empty (no escape decoded to a NUL that cut it short);
 *     and a v2 dump written back with dump_write() reads back the same
 *     (nothing lost or invented, paths escaped the same way).
 * A broken invariant aborts, which libFuzzer reports as a crash.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The original standard error, for the checks. */
static FILE *out;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(out, "fuzz-dump: %s:%d: %s\n",		\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

static void lines_bounded(const uint8_t *data, size_t size)
{
	size_t start = 0, i;

	CHECK(size > 0 && data[size - 1] == '\n');
	for (i = 0; i < size; i++) {
		if (data[i] != '\n')
			continue;
		CHECK(i + 1 - start <= (size_t)DUMP_LINE_MAX);
		start = i + 1;
	}
}

static void fds_distinct(const struct dump *d)
{
	size_t i, k;

	/* Quadratic, but on the few instances a fuzz input holds. */
	for (i = 0; i < d->n; i++)
		for (k = 0; k < i; k++)
			CHECK(d->inst[i].fd != d->inst[k].fd);
}

static void instance_sane(const struct dump *d, const struct instance *in)
{
	size_t i;

	CHECK(d->version == 2 ? in->fd >= 0 : in->fd == -1);
	for (i = 0; i < in->n; i++) {
		CHECK(in->w[i].wd >= 1);
		CHECK(i == 0 || in->w[i].wd > in->w[i - 1].wd);
		CHECK(in->w[i].handle_bytes <= INOTIFY_WD_HANDLE_MAX);
		CHECK(!in->path[i] || in->path[i][0] != '\0');
		CHECK(in->wline[i] > in->line);
	}
}

static void same_instance(const struct instance *a, const struct instance *b)
{
	size_t i;

	CHECK(a->fd == b->fd && a->flags == b->flags);
	CHECK(a->pending == b->pending && a->n == b->n);
	for (i = 0; i < a->n; i++) {
		CHECK(a->w[i].wd == b->w[i].wd);
		CHECK(a->w[i].ino == b->w[i].ino && a->w[i].dev == b->w[i].dev);
		CHECK(a->w[i].mask == b->w[i].mask);
		CHECK(a->w[i].ignored_mask == b->w[i].ignored_mask);
		CHECK(a->w[i].handle_type == b->w[i].handle_type);
		CHECK(a->w[i].handle_bytes == b->w[i].handle_bytes);
		CHECK(memcmp(a->w[i].handle, b->w[i].handle,
			     a->w[i].handle_bytes) == 0);
		CHECK(!a->path[i] == !b->path[i]);
		CHECK(!a->path[i] || strcmp(a->path[i], b->path[i]) == 0);
	}
}

static void round_trip(const struct dump *d)
{
	struct dump again;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	f = open_memstream(&text, &len);
	CHECK(f);
	dump_write(f, d);
	CHECK(fclose(f) == 0);
	f = fmemopen(text, len, "r");
	CHECK(f);
	CHECK(dump_read(f, "again", &again) == 0);
	fclose(f);
	CHECK(again.version == 2 && again.n == d->n);
	for (i = 0; i < d->n; i++)
		same_instance(&d->inst[i], &again.inst[i]);
	dump_free(&again);
	free(text);
}

/* errmsg() writes to stderr: a refusal per input would flood the log. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null = fopen("/dev/null", "w");
	int fd = dup(2);

	(void)argc;
	(void)argv;
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out || !null)
		abort();
	setvbuf(out, NULL, _IONBF, 0);
	stderr = null;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dump d;
	size_t i;
	FILE *f;
	int ret;

	if (!size)
		return 0;	/* fmemopen() refuses an empty buffer */
	f = fmemopen((void *)data, size, "r");
	CHECK(f);
	ret = dump_read(f, "fuzz", &d);
	fclose(f);
	if (ret != 0) {
		CHECK(ret == -1);
		CHECK(d.n == 0 && d.inst == NULL);
		return 0;
	}
	lines_bounded(data, size);
	CHECK(d.version == 1 || d.version == 2);
	CHECK(d.version == 2 || d.n == 1);
	fds_distinct(&d);
	for (i = 0; i < d.n; i++)
		instance_sane(&d, &d.inst[i]);
	if (d.version == 2)
		round_trip(&d);
	dump_free(&d);
	return 0;
}
