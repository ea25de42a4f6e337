// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * overlayfs handles and mount options, read without a system call (so
 * that tests/fuzz-ovl.c can feed them anything).
 *
 * fdinfo prints an overlay inode's handle as overlayfs encodes it: a
 * short header and, inside it, the handle of the real inode on one
 * layer, in that layer filesystem's own format.  The overlay handle
 * opens only on overlays mounted with nfs_export=on, but the inner one
 * opens on the layer (paths.c does that): the header says whether the
 * real inode is on the upper layer or on a lower one, and gives the
 * layer filesystem's uuid, zero when the overlay was told not to record
 * it.  The header (fs/overlayfs/overlayfs.h, 4.16 on): version 0, magic
 * 0xfb, the length of header and fid, flags (byte order; bit 2: the
 * inode is an upper one), the fid's type, 16 bytes of uuid, the fid.
 * Handle type 0xf8 puts 3 bytes of padding before it, so that the fid
 * is 32-bit aligned; 0xfb, which kernels before 5.5 printed, does not.
 * Handles are whole 32-bit words, so the bytes may exceed the header's
 * length by up to 3.
 *
 * The layers are in the super options mountinfo shows for the mount,
 * as the mount gave them: "lowerdir=A:B" (':' separates, '\' escapes
 * the next character), or one "lowerdir+=" (and "datadir+=") per layer
 * from the new mount API (taken literally), and "upperdir=" (backslash
 * escapes too).  mountinfo itself escapes ',', '=', blanks and '\' in
 * option values as \ooo octal.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define OVL_HEADER	21	/* version..uuid, before the fid */
#define OVL_PAD		3	/* of type 0xf8 */
#define OVL_MAGIC	0xfb
#define OVL_FLAG_BIG_ENDIAN	(1U << 0)
#define OVL_FLAG_ANY_ENDIAN	(1U << 1)
#define OVL_FLAG_UPPER		(1U << 2)
#define OVL_FLAGS_KNOWN \
	(OVL_FLAG_BIG_ENDIAN | OVL_FLAG_ANY_ENDIAN | OVL_FLAG_UPPER)

static int bad(void)
{
	errno = EINVAL;
	return -1;
}

int iwd_ovl_decode(int type, unsigned int bytes, const unsigned char *h,
		   struct ovl_handle *out)
{
	unsigned int off, len;

	if (type == IWD_OVL_FILEID_V1)
		off = OVL_PAD;
	else if (type == IWD_OVL_FILEID_V0)
		off = 0;
	else
		return bad();
	if (bytes > INOTIFY_WD_HANDLE_MAX || bytes < off + OVL_HEADER + 1)
		return bad();
	h += off;
	len = h[2];
	/* The fid's own bytes, then up to 3 bytes rounding to a word. */
	if (h[0] != 0 || h[1] != OVL_MAGIC || len <= OVL_HEADER ||
	    off + len > bytes || bytes - (off + len) > 3 ||
	    (h[3] & ~OVL_FLAGS_KNOWN))
		return bad();
	out->upper = h[3] & OVL_FLAG_UPPER;
	out->type = h[4];
	memcpy(out->uuid, h + 5, sizeof(out->uuid));
	out->fid = h + OVL_HEADER;
	out->fid_bytes = len - OVL_HEADER;
	return 0;
}

bool iwd_ovl_uuid_null(const struct ovl_handle *fh)
{
	size_t i;

	for (i = 0; i < sizeof(fh->uuid); i++)
		if (fh->uuid[i])
			return false;
	return true;
}

/*
 * The fsid statfs() reports for a filesystem whose uuid this is, where
 * the filesystem derives one from the other (tmpfs, ext4 and others:
 * the two halves, read little-endian, exclusive-or'ed); 0 for no uuid.
 */
uint64_t iwd_ovl_fsid(const struct ovl_handle *fh)
{
	uint64_t a = 0, b = 0;
	int k;

	if (iwd_ovl_uuid_null(fh))
		return 0;
	for (k = 7; k >= 0; k--) {
		a = a << 8 | fh->uuid[k];
		b = b << 8 | fh->uuid[8 + k];
	}
	return a ^ b;
}

/* \ooo as mountinfo writes it; anything else is kept as it is. */
static bool octal_at(const char *s)
{
	return s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
	       s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7';
}

size_t iwd_mountinfo_unescape(char *d, const char *s, size_t n)
{
	char *start = d;
	size_t i = 0;

	while (i < n) {
		if (i + 3 < n && octal_at(s + i)) {
			*d++ = (char)((s[i + 1] - '0') << 6 |
				      (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
			i += 4;
		} else {
			*d++ = s[i++];
		}
	}
	*d = '\0';
	return (size_t)(d - start);
}

/* Drop each '\', keeping what it escapes, up to an unescaped stop. */
static const char *unbackslash(char *d, const char *s, const char *end,
			       char stop)
{
	while (s < end && *s != stop) {
		if (*s == '\\' && s + 1 < end)
			s++;
		*d++ = *s++;
	}
	*d = '\0';
	return s;
}

struct layer_list {
	struct ovl_layer *l;
	size_t n, cap;
};

static int push(struct layer_list *ls, char *path, bool upper)
{
	struct ovl_layer *p;

	if (!*path)
		return 0;
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? 2 * ls->cap : 4;
		p = realloc(ls->l, ls->cap * sizeof(*p));
		if (!p) {
			errno = ENOMEM;
			return -1;
		}
		ls->l = p;
	}
	ls->l[ls->n++] = (struct ovl_layer){ .path = path, .upper = upper };
	return 0;
}

/*
 * One option, "key=value" of len bytes; its value is unescaped into
 * *store, which advances.  Options other than the layers are skipped.
 */
static int option(struct layer_list *ls, const char *o, size_t len,
		  char **store)
{
	const char *eq = memchr(o, '=', len), *v, *end;
	size_t klen, vlen;
	char *val, *d;

	if (!eq)
		return 0;
	klen = (size_t)(eq - o);
	val = *store;
	vlen = iwd_mountinfo_unescape(val, eq + 1, len - klen - 1);
	*store += vlen + 1;
	end = val + vlen;
	if (klen == 8 && memcmp(o, "lowerdir", 8) == 0) {
		/* Unescaping only shortens: in place, element by element. */
		for (v = val, d = val; v < end; v++) {
			v = unbackslash(d, v, end, ':');
			if (push(ls, d, false) < 0)
				return -1;
			d += strlen(d) + 1;
		}
		return 0;
	}
	if (klen == 8 && memcmp(o, "upperdir", 8) == 0) {
		unbackslash(val, val, end, '\0');
		return push(ls, val, true);
	}
	if ((klen == 9 && memcmp(o, "lowerdir+", 9) == 0) ||
	    (klen == 8 && memcmp(o, "datadir+", 8) == 0))
		return push(ls, val, false);
	return 0;
}

int iwd_ovl_layers(const char *opts, size_t len, struct ovl_layer **out,
		   size_t *n, char **store)
{
	struct layer_list ls = { 0 };
	const char *o = opts, *end = opts + len, *comma;
	char *s;

	*out = NULL;
	*n = 0;
	/* Each value, unescaped, is no longer than its text. */
	*store = malloc(len + 1);
	if (!*store) {
		errno = ENOMEM;
		return -1;
	}
	s = *store;
	for (; o < end; o = comma + 1) {
		comma = memchr(o, ',', (size_t)(end - o));
		if (!comma)
			comma = end;
		if (option(&ls, o, (size_t)(comma - o), &s) < 0) {
			free(ls.l);
			free(*store);
			*store = NULL;
			return -1;
		}
	}
	*out = ls.l;
	*n = ls.n;
	return 0;
}
