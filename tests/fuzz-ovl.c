// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * libFuzzer target for lib/ovl.c, run by tests/matrix.sh (built like
 * tests/fuzz-parse.c, from the .c files of lib/):
 *
 *   ./fuzz-ovl -max_total_time=60 CORPUS tests/fuzz-ovl-corpus
 *
 * The first byte of an input chooses what the rest is:
 *   even: an overlay file handle, its second byte the handle type (0xf8
 *         when odd, 0xfb when even), then the handle's bytes (as many as
 *         fdinfo could show, 128 at most);
 *   odd:  the super options of an overlay mount, as mountinfo shows them.
 * Besides memory errors (ASan) and undefined behaviour (UBSan), it checks
 * what paths.c relies on:
 *   - a decoded handle: errno untouched on success, EINVAL on failure;
 *     the fid lies inside the bytes given, 1..128 bytes, after the
 *     header; the header's length covers it, and the bytes exceed it by
 *     less than a word;
 *   - layers: each a non-empty string inside the store, no more layers
 *     than the options have characters, the upper ones from upperdir=.
 * A broken invariant aborts, which libFuzzer reports as a crash.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inotify-wd.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz-ovl: %s:%d: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

static void handle(const uint8_t *data, size_t size)
{
	unsigned int bytes, pad;
	struct ovl_handle o;
	unsigned char *h;
	int type;

	if (size < 1)
		return;
	type = data[0] & 1 ? IWD_OVL_FILEID_V1 : IWD_OVL_FILEID_V0;
	pad = type == IWD_OVL_FILEID_V1 ? 3 : 0;
	data++;
	size--;
	bytes = size > INOTIFY_WD_HANDLE_MAX ? INOTIFY_WD_HANDLE_MAX :
					       (unsigned int)size;
	/* exactly bytes long, so that ASan sees any overread */
	h = malloc(bytes ? bytes : 1);
	CHECK(h);
	memcpy(h, data, bytes);
	errno = 0;
	if (iwd_ovl_decode(type, bytes, h, &o) < 0) {
		CHECK(errno == EINVAL);
	} else {
		CHECK(errno == 0);
		CHECK(o.fid_bytes >= 1 && o.fid_bytes <= INOTIFY_WD_HANDLE_MAX);
		CHECK(o.fid == h + pad + 21);
		CHECK(pad + 21 + o.fid_bytes <= bytes);
		CHECK(bytes - (pad + 21 + o.fid_bytes) <= 3);
		CHECK(h[pad + 2] == 21 + o.fid_bytes);
		CHECK(o.upper == !!(h[pad + 3] & 4));
		CHECK(o.type == h[pad + 4]);
		CHECK(memcmp(o.uuid, h + pad + 5, 16) == 0);
		CHECK(iwd_ovl_uuid_null(&o) ==
		      (memcmp(o.uuid, (unsigned char[16]){ 0 }, 16) == 0));
	}
	/* the other type on the same bytes: decoded or refused, no more */
	(void)iwd_ovl_decode(type ^ (IWD_OVL_FILEID_V0 ^ IWD_OVL_FILEID_V1),
			     bytes, h, &o);
	free(h);
}

static void layers(const uint8_t *data, size_t size)
{
	struct ovl_layer *l;
	char *opts, *store;
	size_t n, k, len;

	opts = malloc(size ? size : 1);
	CHECK(opts);
	memcpy(opts, data, size);
	if (iwd_ovl_layers(opts, size, &l, &n, &store) < 0) {
		CHECK(errno == ENOMEM);
		free(opts);
		return;
	}
	CHECK(n <= size);
	CHECK(n == 0 || l != NULL);
	for (k = 0; k < n; k++) {
		CHECK(l[k].path >= store && l[k].path < store + size + 1);
		len = strlen(l[k].path);
		CHECK(len > 0 && l[k].path + len < store + size + 1);
		if (l[k].upper)
			CHECK(memmem(opts, size, "upperdir=", 9) != NULL);
	}
	free(l);
	free(store);
	free(opts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		layers(data + 1, size - 1);
	else
		handle(data + 1, size - 1);
	return 0;
}
