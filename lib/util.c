// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* Small helpers shared by the other files. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * /proc files report a size of 0, so read until end of file, doubling the
 * buffer.  The result is NUL-terminated for the parsers' convenience.
 */
int iwd_read_file(const char *path, char **buf, size_t *len)
{
	size_t cap = 4096, used = 0;
	char *p = NULL, *q;
	long n;
	int fd, err;

	fd = iwd_sys_open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (;;) {
		if (!p || used + 1 >= cap) {
			if (p)
				cap *= 2;
			q = cap > (size_t)1 << 30 ? NULL : realloc(p, cap);
			if (!q) {
				err = ENOMEM;
				goto fail;
			}
			p = q;
		}
		n = iwd_sys_read(fd, p + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	iwd_sys_close(fd);
	p[used] = '\0';
	*buf = p;
	*len = used;
	return 0;
fail:
	free(p);
	iwd_sys_close(fd);
	errno = err;
	return -1;
}

/*
 * A mask must ask for at least one event (the kernel accepts masks of
 * flags only on some versions, which would create a watch that reports
 * nothing) and must not carry IN_MASK_ADD: this library never modifies a
 * watch.  Unknown bits are refused here because kernels before 4.4
 * silently drop them.
 */
bool iwd_mask_valid(uint32_t mask)
{
	if (!(mask & IN_ALL_EVENTS))
		return false;
	return !(mask & ~(uint32_t)(IN_ALL_EVENTS | INOTIFY_WD_MASK_FLAGS));
}

/* The name through which the kernel reaches the file fd was opened on. */
const char *iwd_fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
	return buf;
}

/*
 * The id of the mount fd is on: statx() knows it from 5.8 on, fdinfo's
 * mnt_id: line from 3.15; -1 when neither can tell.
 */
int iwd_fd_mount_id(int fd, int *id)
{
	char path[40], *text, *p;
	size_t len;
	int ret = -1;

	if (iwd_sys_mount_id(fd, id) == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (iwd_read_file(path, &text, &len) < 0)
		return -1;
	p = strstr(text, "mnt_id:");
	if (p && sscanf(p, "mnt_id: %d", id) == 1)
		ret = 0;
	free(text);
	return ret;
}
