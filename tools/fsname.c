// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The file system a path or a device is on, by name, for messages: a
 * handle that overlayfs or procfs cannot open is not a deleted file, and
 * the user needs to be told which of the two it is.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "tool.h"

/* statfs() magic numbers of the file systems messages name. */
static const struct {
	unsigned long magic;
	const char *name;
} magics[] = {
	{ 0x794c7630UL, "overlay" },	{ 0x9fa0UL, "proc" },
	{ 0x62656572UL, "sysfs" },	{ 0x01021994UL, "tmpfs" },
	{ 0xef53UL, "ext4" },		{ 0x58465342UL, "xfs" },
	{ 0x9123683eUL, "btrfs" },	{ 0x27e0ebUL, "cgroup" },
	{ 0x63677270UL, "cgroup2" },	{ 0x64626720UL, "debugfs" },
	{ 0x74726163UL, "tracefs" },	{ 0x1cd1UL, "devpts" },
	{ 0x65735546UL, "fuse" },	{ 0x6969UL, "nfs" },
	{ 0x73636673UL, "securityfs" },	{ 0xcafe4a11UL, "bpf" },
	{ 0x6165676cUL, "pstore" },	{ 0x62656570UL, "configfs" },
};

/*
 * File systems whose handles the kernel prints but never opens (overlayfs
 * without nfs_export, the pseudo file systems): ESTALE there says nothing
 * of the file.
 */
static const char *const no_handles[] = {
	"overlay", "proc", "sysfs", "cgroup", "cgroup2", "debugfs", "tracefs",
	"devpts", "securityfs", "bpf", "pstore", "configfs", "fuse",
};

const char *fs_of_path(const char *path)
{
	struct statfs sf;
	size_t i;

	if (statfs(path, &sf) < 0)
		return NULL;
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if ((unsigned long)sf.f_type == magics[i].magic)
			return magics[i].name;
	return NULL;
}

/* Field 3 of a mountinfo line is major:minor, the type follows " - ". */
static bool line_type(const char *line, dev_t dev, char *buf, size_t size)
{
	unsigned int maj, min;
	const char *sep;
	int n;

	if (sscanf(line, "%*d %*d %u:%u", &maj, &min) != 2 ||
	    makedev(maj, min) != dev)
		return false;
	sep = strstr(line, " - ");
	if (!sep)
		return false;
	n = (int)strcspn(sep + 3, " \n");
	snprintf(buf, size, "%.*s", n, sep + 3);
	return n > 0;
}

const char *fs_of_dev(dev_t dev, char *buf, size_t size)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	while (!found && getline(&line, &cap, f) > 0)
		found = line_type(line, dev, buf, size);
	free(line);
	fclose(f);
	return found ? buf : NULL;
}

bool fs_opens_no_handles(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(no_handles) / sizeof(no_handles[0]);
	     i++)
		if (strcmp(name, no_handles[i]) == 0)
			return true;
	return false;
}
