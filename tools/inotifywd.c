// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * inotifywd: the command-line face of libinotifywd.
 *
 *   inotifywd probe    what the kernel offers
 *   inotifywd add      one watch under a chosen wd, to try a kernel out
 *   inotifywd list     the inotify fds of a process
 *   inotifywd dump     their fd numbers, flags and watches, as text
 *   inotifywd restore  those instances at their fds, handed to a command
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static const char main_usage[] =
	"Usage: inotifywd COMMAND [OPTION]... [ARG]...\n"
	"Recreate inotify watches under chosen watch descriptor numbers.\n"
	"\n"
	"Commands:\n"
	"  probe     report what this kernel offers (SETNEXTWD, limits)\n"
	"  add       create one watch with a given wd and show the cost\n"
	"  list      list the inotify fds of process PID\n"
	"  dump      print the inotify instances of PID with their watches\n"
	"  restore   recreate dumped instances at their fds and run a command\n"
	"\n"
	"  -h, --help  show this help ('inotifywd COMMAND --help' for one)\n"
	"  --version   show the version\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "probe", cmd_probe },
	{ "add", cmd_add },
	{ "list", cmd_list },
	{ "dump", cmd_dump },
	{ "restore", cmd_restore },
};

int main(int argc, char **argv)
{
	const char *arg = argc > 1 ? argv[1] : NULL;
	size_t i;

	if (!arg)
		return usage_error("missing COMMAND (see inotifywd --help)");
	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
		return print_help(main_usage);
	if (strcmp(arg, "--version") == 0) {
		printf("inotifywd (libinotifywd) %s\n", PACKAGE_VERSION);
		return finish_stdout(0);
	}
	if (arg[0] == '-')
		return usage_error("unknown option '%s' (see inotifywd --help)",
				   arg);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(arg, commands[i].name) == 0) {
			tool_cmd = commands[i].name;
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	return usage_error("'%s' is not a command (see inotifywd --help)", arg);
}
