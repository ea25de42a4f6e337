// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Older kernels, played on this one by a seccomp filter, so that the
 * library and the hand-written floor meet the same kernel: the ioctl
 * answers ENOTTY as without CONFIG_CHECKPOINT_RESTORE or before 4.17,
 * and an add with IN_MASK_CREATE answers EINVAL as 4.4 to 4.18 do.  A
 * filter cannot be taken back, so main() runs each kernel in a process
 * of its own, which probes the kernel afresh.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "bench.h"

const struct kernel kernels[] = {
	{ "k4.17", "Linux 4.17/4.18: the ioctl; IN_MASK_CREATE refused",
	  true, false },
	{ "k4.4", "Linux 4.4-4.16: no ioctl (ENOTTY); IN_MASK_CREATE refused",
	  false, false },
};
const size_t nkernels = sizeof(kernels) / sizeof(kernels[0]);

#ifdef HAVE_SECCOMP
static int deny(scmp_filter_ctx ctx, int err, int nr, unsigned int arg,
		enum scmp_compare op, uint64_t a, uint64_t b)
{
	const struct scmp_arg_cmp cmp = {
		.arg = arg, .op = op, .datum_a = a, .datum_b = b,
	};

	return seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), nr, 1, &cmp);
}

bool kernel_enter(const struct kernel *k, char *why, size_t size)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int ret = ctx ? 0 : -ENOMEM;

	if (!ret && !k->setnextwd)
		ret = deny(ctx, ENOTTY, SCMP_SYS(ioctl), 1, SCMP_CMP_EQ,
			   INOTIFY_IOC_SETNEXTWD, 0);
	if (!ret && !k->mask_create)
		ret = deny(ctx, EINVAL, SCMP_SYS(inotify_add_watch), 2,
			   SCMP_CMP_MASKED_EQ, IN_MASK_CREATE, IN_MASK_CREATE);
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret)
		snprintf(why, size, "seccomp: %s", strerror(-ret));
	return !ret;
}
#else
bool kernel_enter(const struct kernel *k, char *why, size_t size)
{
	(void)k;
	snprintf(why, size, "built without libseccomp");
	return false;
}
#endif
