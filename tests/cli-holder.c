// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * cli-holder FD PATH:WD[:MASK]...
 *
 * The source process of tests/cli.test: an inotify instance at fd FD
 * with a watch on each PATH at wd WD (mask MASK, default IN_ALL_EVENTS),
 * made with inotify_add_watch_at().  Prints "ready" once they all exist,
 * then sleeps until killed, so the test can dump it.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inotify-wd.h"

/* long long: wds up to 0x7fffffff must parse on 32-bit too. */
static long long number(const char *s, const char *arg)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "cli-holder: %s: bad number '%s'\n", arg, s);
		exit(2);
	}
	return v;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	if (s[0] == '0' && s[1] == 'x')
		s += 2;
	return strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

/* PATH:WD or PATH:WD:MASK; PATH may hold colons, the numbers do not. */
static void add(int fd, char *arg)
{
	char *copy = strdup(arg), *last, *prev;
	uint32_t mask = IN_ALL_EVENTS;
	int wd;

	last = copy ? strrchr(copy, ':') : NULL;
	if (!last) {
		fprintf(stderr, "cli-holder: %s: want PATH:WD[:MASK]\n", arg);
		exit(2);
	}
	*last++ = '\0';
	prev = strrchr(copy, ':');
	if (prev && all_digits(prev + 1)) {
		*prev++ = '\0';
		mask = (uint32_t)number(last, arg);
		last = prev;
	}
	wd = (int)number(last, arg);
	if (inotify_add_watch_at(fd, copy, mask, wd) != wd) {
		fprintf(stderr, "cli-holder: %s: %s\n", arg, strerror(errno));
		exit(1);
	}
	free(copy);
}

int main(int argc, char **argv)
{
	int fd, target, i;

	if (argc < 2) {
		fprintf(stderr, "usage: cli-holder FD PATH:WD[:MASK]...\n");
		return 2;
	}
	target = (int)number(argv[1], "FD");
	fd = inotify_init1(0);
	if (fd < 0) {
		perror("cli-holder: inotify_init1");
		return 1;
	}
	for (i = 2; i < argc; i++)
		add(fd, argv[i]);
	if (fd != target) {
		if (dup2(fd, target) < 0) {
			perror("cli-holder: dup2");
			return 1;
		}
		close(fd);
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
