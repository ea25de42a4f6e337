// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Putting restored instances at the fd numbers the program expects.
 *
 * Every new fd takes the lowest free number, so an instance (or an fd the
 * library opens meanwhile) could take a number that another instance must
 * have later, and dup2() onto it would close it.  Holding each free target
 * number with a placeholder first rules that out; the final dup2() then
 * replaces the placeholder in one step.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

static bool is_free(int fd)
{
	return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

static bool is_target(int fd, const int *targets, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (targets[i] == fd)
			return true;
	return false;
}

/*
 * The placeholders are O_PATH opens of "/", close-on-exec so that none
 * survives into CMD.  The first may itself land on a target: then it is
 * that target's placeholder, and stays.
 */
int fds_reserve(const int *targets, size_t n)
{
	int hold = -1, ret = 0;
	size_t i;

	for (i = 0; i < n && !ret; i++) {
		if (!is_free(targets[i]))
			continue;
		if (hold < 0) {
			hold = open("/", O_PATH | O_CLOEXEC);
			if (hold < 0) {
				errmsg("/: %s", strerror(errno));
				return -1;
			}
			if (hold == targets[i])
				continue;
		}
		if (dup3(hold, targets[i], O_CLOEXEC) < 0) {
			errmsg("fd %d: %s", targets[i], strerror(errno));
			ret = -1;
		}
	}
	if (hold >= 0 && !is_target(hold, targets, n))
		close(hold);
	return ret;
}

/* dup2() leaves the copy without close-on-exec, as CMD needs it. */
int fd_place(int fd, int target)
{
	int ret = 0;

	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	if (dup2(fd, target) < 0) {
		errmsg("fd %d: %s", target, strerror(errno));
		ret = -1;
	}
	close(fd);
	return ret;
}
