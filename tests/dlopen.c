// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * dlopen SONAME-PATH
 *
 * Load the shared library the way a checkpoint tool loads a plugin,
 * dlopen(RTLD_NOW | RTLD_LOCAL) late in a running process, and use it:
 * inotify_wd_get_features(), then inotify_add_watch_at() on a fresh
 * instance, checked against what the kernel shows in fdinfo.  This
 * program is not linked against the library; tests/dlopen.test runs it.
 */
#include "config.h"

#include <dlfcn.h>
#include <err.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inotify-wd.h"

/* Within the fallback's reach of a fresh instance, so any kernel does. */
#define WANT_WD 1000

static void *sym(void *lib, const char *name)
{
	void *p = dlsym(lib, name);

	if (!p)
		errx(1, "dlsym %s: %s", name, dlerror());
	return p;
}

/* Whether /proc/self/fdinfo/FD lists a watch numbered wd. */
static int fdinfo_has_wd(int fd, int wd)
{
	char path[64], line[512], want[32];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	snprintf(want, sizeof(want), "inotify wd:%x ", (unsigned int)wd);
	f = fopen(path, "re");
	if (!f)
		err(1, "%s", path);
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, want, strlen(want)) == 0;
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	__typeof__(inotify_wd_get_features) *get_features;
	__typeof__(inotify_add_watch_at) *add_watch_at;
	struct inotify_wd_features feat;
	void *lib;
	int fd;

	if (argc != 2)
		errx(2, "usage: dlopen LIBRARY");
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		errx(1, "dlopen: %s", dlerror());
	get_features = sym(lib, "inotify_wd_get_features");
	add_watch_at = sym(lib, "inotify_add_watch_at");
	if (get_features(&feat) < 0)
		err(1, "inotify_wd_get_features");
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0)
		err(1, "inotify_init1");
	if (add_watch_at(fd, "/", IN_ATTRIB, WANT_WD) != WANT_WD)
		err(1, "inotify_add_watch_at");
	if (!fdinfo_has_wd(fd, WANT_WD))
		errx(1, "fdinfo of fd %d shows no wd %d", fd, WANT_WD);
	printf("dlopen'ed %s: setnextwd %d, wd %d in fdinfo\n", argv[1],
	       feat.setnextwd, WANT_WD);
	close(fd);
	return dlclose(lib) != 0;
}
