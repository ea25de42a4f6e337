// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The kernel feature probe, run once per process.
 *
 * Probing happens on a private inotify instance: an ENOTTY from a caller's
 * fd only says that fd is not an inotify instance, never that the kernel
 * lacks INOTIFY_IOC_SETNEXTWD.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

/*
 * A mutex and a flag rather than pthread_once(): a probe that fails for a
 * passing reason (EMFILE, ENOMEM) is retried by the next call instead of
 * being cached for the life of the process.
 */
static struct features feat;
static bool feat_done;
static pthread_mutex_t feat_lock = PTHREAD_MUTEX_INITIALIZER;

/* Any valid wd will do: the instance is thrown away afterwards. */
#define PROBE_WD	16

static void probe_setnextwd(int fd)
{
	if (iwd_sys_setnext(fd, PROBE_WD) == 0) {
		feat.setnextwd = true;
		return;
	}
	/*
	 * ENOTTY: no CONFIG_CHECKPOINT_RESTORE, or a kernel before 4.17.
	 * EPERM/EACCES: a seccomp policy or an LSM said no.  Either way the
	 * ioctl is unavailable; the errno is kept for the report.
	 */
	feat.setnextwd_errno = errno;
}

/*
 * Add one inode twice with IN_MASK_CREATE: 4.19+ says EEXIST the second
 * time, 4.4-4.18 reject the flag outright, older kernels ignore it.  Any
 * inode will do on this throw-away instance; "/" exists everywhere, and
 * the working directory stands in where "/" cannot be read.  Any other
 * error (ENOSPC, ENOMEM) fails the probe, to be tried again next call:
 * guessing would cost every later call the slower, fdinfo-based path.
 */
static int probe_mask_create(int fd)
{
	static const char *const paths[] = { "/", "." };
	const uint32_t mask = IN_MASK_CREATE | IN_DELETE_SELF;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (iwd_sys_add(fd, paths[i], mask) < 0) {
			if (errno == EACCES || errno == ENOENT)
				continue;
			if (errno != EINVAL)
				return -1;
			feat.mask_create = INOTIFY_WD_MASK_CREATE_REJECTED;
			return 0;
		}
		if (iwd_sys_add(fd, paths[i], mask) < 0 && errno == EEXIST)
			feat.mask_create = INOTIFY_WD_MASK_CREATE_HONOURED;
		else
			feat.mask_create = INOTIFY_WD_MASK_CREATE_IGNORED;
		return 0;
	}
	/* Nothing readable: the careful answer. */
	feat.mask_create = INOTIFY_WD_MASK_CREATE_IGNORED;
	return 0;
}

/*
 * How many of its own IN_IGNORED events the fallback lets pile up before
 * it reads them back: a quarter of the queue limit new instances get, so
 * that an instance created under a smaller limit still has room, and at
 * most 1024 so that one read() drains them into a small buffer.
 */
static void probe_queue_limit(void)
{
	char *text = NULL;
	size_t len;
	long limit = 16384;

	if (iwd_read_file("/proc/sys/fs/inotify/max_queued_events",
		      &text, &len) == 0) {
		limit = strtol(text, NULL, 10);
		free(text);
	}
	limit /= 4;
	if (limit < 1)
		limit = 1;
	if (limit > 1024)
		limit = 1024;
	feat.drain_batch = (unsigned int)limit;
}

static void probe(void)
{
	int saved_errno = errno;
	int fd;

	feat = (struct features){ 0 };
	probe_queue_limit();
	fd = iwd_sys_inotify_init();
	if (fd < 0) {
		feat.probe_errno = errno;
		errno = saved_errno;
		return;
	}
	probe_setnextwd(fd);
	if (probe_mask_create(fd) < 0)
		feat.probe_errno = errno;
	iwd_sys_close(fd);
	errno = saved_errno;
}

int iwd_features_get(struct features *out)
{
	if (!__atomic_load_n(&feat_done, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&feat_lock);
		if (!feat_done) {
			probe();
			if (!feat.probe_errno)
				__atomic_store_n(&feat_done, true,
						 __ATOMIC_RELEASE);
		}
		*out = feat;
		pthread_mutex_unlock(&feat_lock);
	} else {
		*out = feat;
	}
	if (out->probe_errno) {
		errno = out->probe_errno;
		return -1;
	}
	return 0;
}

void iwd_features_reset(void)
{
	pthread_mutex_lock(&feat_lock);
	__atomic_store_n(&feat_done, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&feat_lock);
}
