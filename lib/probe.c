// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * What the kernel offers, learnt once per process, each answer when a
 * call first needs it and at the price of a few failing system calls.
 *
 * No call opens an instance of its own to find out: closing one that
 * ever held a watch waits for an SRCU grace period (fsnotify's mark
 * reaper), some 250 us, sixty times a warm call.  Instead:
 *
 *  - IN_MASK_CREATE is classified on the caller's own fd by adds of the
 *    empty path, which every kernel refuses before any lookup, so no
 *    watch is made or changed (iwd_features_for_fd(), P1 to P3 below);
 *  - INOTIFY_IOC_SETNEXTWD by the call's first real use of it
 *    (fastpath.c iwd_fast_settle(), which reports through
 *    iwd_features_setnext());
 *  - the queue limit when the fallback first drains (iwd_features_drain()).
 *
 * Only inotify_wd_get_features(), which has no fd, probes on a private
 * instance, and that one never gets a watch.
 *
 * Each answer is one int, stored with release and read with acquire, so
 * a call reads them without a lock, and a fork() child inherits them
 * and asks nothing again.  Two calls that ask at once both ask the
 * kernel (on their own fds) and store the same answer.  Only the private
 * instance of get_features() is serialized, so that threads asking at
 * once make one.  A probe that fails for a passing reason (ENOMEM)
 * stores nothing and is asked again by the next call.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

static int mask_create;		/* INOTIFY_WD_MASK_CREATE_*, 0: not known */
static int setnext;		/* IWD_SETNEXT_* */
static int setnext_err;		/* written before setnext */
static int drain_batch;		/* 0: not read yet */
static pthread_mutex_t private_lock = PTHREAD_MUTEX_INITIALIZER;

/* No kernel defines this inotify mask bit (IN_MOVE_SELF is 0x800). */
#define UNDEFINED_BIT	0x00001000U

/* Any valid wd will do: the private instance is thrown away. */
#define PROBE_WD	16

static int load(const int *v)
{
	return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

static void store(int *v, int val)
{
	__atomic_store_n(v, val, __ATOMIC_RELEASE);
}

/*
 * P1: an add of the empty path.  Linux refuses a closed fd (EBADF) and
 * any file but an instance (EINVAL) before it looks at the path, and
 * never looks "" up (ENOENT).  1: fd is an instance; 0: it is not, errno
 * EBADF or EINVAL; -1: no answer, errno says why.
 */
int iwd_probe_instance(int fd)
{
	if (iwd_sys_add(fd, "", IN_ACCESS) >= 0 || errno == ENOENT)
		return 1;
	if (errno == EBADF || errno == EINVAL)
		return 0;
	return -1;
}

/*
 * The answer to an add of "" with IN_ACCESS and bit: its errno, ENOENT
 * when the mask was accepted (and, as P1, when the add succeeded, which
 * no Linux does).
 */
static int empty_add(int fd, uint32_t bit)
{
	return iwd_sys_add(fd, "", IN_ACCESS | bit) >= 0 ? ENOENT : errno;
}

/*
 * P2 and P3, on an fd known to be an instance, with the empty path again
 * (ENOENT is the "accepted" answer, and nothing is looked up):
 *  P2 IN_ACCESS|IN_MASK_CREATE: 4.4-4.18 refuse the bit they do not know
 *     (EINVAL: REJECTED); 4.19+ know it and older kernels drop it
 *     (ENOENT).  IN_MASK_ADD stays out: 4.19+ refuse the pair before
 *     they look at the fd.
 *  P3 IN_ACCESS|UNDEFINED_BIT: 4.4+ refuse unknown bits (EINVAL: 4.19+,
 *     HONOURED); before 4.4 they are dropped (ENOENT: IGNORED, also the
 *     careful answer for any other kernel that drops them, gVisor).
 * -1 with errno when the kernel answered something else.
 */
static int classify(int fd)
{
	int got = 0;

	switch (empty_add(fd, IN_MASK_CREATE)) {
	case EINVAL:
		got = INOTIFY_WD_MASK_CREATE_REJECTED;
		break;
	case ENOENT:
		switch (empty_add(fd, UNDEFINED_BIT)) {
		case EINVAL:
			got = INOTIFY_WD_MASK_CREATE_HONOURED;
			break;
		case ENOENT:
			got = INOTIFY_WD_MASK_CREATE_IGNORED;
			break;
		}
		break;
	}
	if (!got)
		return -1;
	store(&mask_create, got);
	return 0;
}

static void copy(struct features *out)
{
	out->setnext = load(&setnext);
	out->setnextwd_errno = load(&setnext_err);
	out->mask_create = load(&mask_create);
	out->drain_batch = (unsigned int)load(&drain_batch);
}

/*
 * The features a call on fd needs before it starts: IN_MASK_CREATE,
 * classified on fd when no call did before.  0, *instance set when fd
 * was proved an instance on the way; -1 with errno EBADF or EINVAL when
 * fd is none (api.c reports that after its argument checks, as every
 * later call does), or with the errno of a probe that got no answer.
 */
int iwd_features_for_fd(int fd, struct features *out, bool *instance)
{
	int r;

	*instance = false;
	copy(out);
	if (out->mask_create)
		return 0;
	r = iwd_probe_instance(fd);
	if (r <= 0)
		return -1;
	*instance = true;
	if (classify(fd) < 0)
		return -1;
	out->mask_create = load(&mask_create);
	return 0;
}

/*
 * The answer of the first real INOTIFY_IOC_SETNEXTWD on an instance: 0
 * (it works), or the errno that says it is unavailable.
 */
void iwd_features_setnext(struct features *f, int err)
{
	store(&setnext_err, err);
	store(&setnext, err ? IWD_SETNEXT_NO : IWD_SETNEXT_YES);
	f->setnext = err ? IWD_SETNEXT_NO : IWD_SETNEXT_YES;
	f->setnextwd_errno = err;
}

/*
 * How many of its own IN_IGNORED events the fallback lets pile up before
 * it reads them back: a quarter of the queue limit new instances get, so
 * that an instance created under a smaller limit still has room, and at
 * most 1024 so that one read() drains them into a small buffer.
 */
unsigned int iwd_features_drain(void)
{
	unsigned int got = (unsigned int)load(&drain_batch);
	char *text = NULL;
	size_t len;
	long limit = 16384;

	if (got)
		return got;
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
	store(&drain_batch, (int)limit);
	return (unsigned int)limit;
}

/* The ioctl on the private instance; its cursor does not matter. */
static void probe_setnext(int fd)
{
	iwd_features_setnext(&(struct features){ 0 },
			     iwd_sys_setnext(fd, PROBE_WD) == 0 ? 0 : errno);
}

/*
 * Everything inotify_wd_get_features() reports, asked on a private
 * instance when some answer is still missing.  It never holds a watch,
 * so its close() waits for no grace period of its own.  The queue limit
 * is read here too: a program that asks before it calls gets the limit
 * of that moment, as before.
 */
static bool all_known(struct features *out)
{
	copy(out);
	return out->mask_create && out->setnext != IWD_SETNEXT_UNKNOWN;
}

static int ask_private(struct features *out)
{
	int saved = errno, fd, ret = 0;

	fd = iwd_sys_inotify_init();
	if (fd < 0)
		return -1;
	if (!out->mask_create && classify(fd) < 0)
		ret = -1;
	if (ret == 0 && out->setnext == IWD_SETNEXT_UNKNOWN)
		probe_setnext(fd);
	if (ret < 0)
		saved = errno;
	iwd_sys_close(fd);
	copy(out);
	errno = saved;
	return ret;
}

int iwd_features_get(struct features *out)
{
	int ret = 0;

	iwd_features_drain();
	if (all_known(out))
		return 0;
	pthread_mutex_lock(&private_lock);
	if (!all_known(out))
		ret = ask_private(out);
	pthread_mutex_unlock(&private_lock);
	return ret;
}

void iwd_features_reset(void)
{
	store(&mask_create, 0);
	store(&setnext, IWD_SETNEXT_UNKNOWN);
	store(&setnext_err, 0);
	store(&drain_batch, 0);
}
