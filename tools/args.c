// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* Parsing of numeric arguments and reporting of getopt_long() refusals. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* Only digits of the base after the optional sign and 0x; nothing else. */
static bool well_formed(const char *s, int *base)
{
	const char *p = s;

	if (*p == '-')
		p++;
	*base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		*base = 16;
		p += 2;
	}
	if (!*p)
		return false;
	for (; *p; p++)
		if (*base == 16 ? !isxdigit((unsigned char)*p) :
				  !isdigit((unsigned char)*p))
			return false;
	return true;
}

/*
 * Deliberately not strtol(s, NULL, 0): its octal would read "010" as 8,
 * which nobody copying a wd from a log expects.  A leading zero is
 * decimal here; hex needs its 0x.
 */
int parse_number(const char *what, const char *s, long long min,
		 long long max, long long *out)
{
	long long v;
	char *end;
	int base;

	if (!well_formed(s, &base))
		return arg_error("%s: '%s' is not a number", what, s);
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno == ERANGE || v < min || v > max)
		return arg_error("%s: '%s' is out of range %lld..%lld",
				 what, s, min, max);
	*out = v;
	return 0;
}

int bad_option(char **argv, int c)
{
	const char *arg = argv[optind - 1];
	size_t len = strcspn(arg, "=");

	/* A short option may sit inside a cluster: name it alone. */
	if (optopt > 0 && optopt < 128 && strncmp(arg, "--", 2) != 0) {
		if (c == ':')
			return usage_error("option '-%c' needs an argument",
					   optopt);
		return usage_error("unknown option '-%c'", optopt);
	}
	if (c == ':')
		return usage_error("option '%.*s' needs an argument",
				   (int)len, arg);
	if (arg[len] == '=')
		return usage_error("option '%.*s' takes no argument or is unknown",
				   (int)len, arg);
	return usage_error("unknown or ambiguous option '%s'", arg);
}

int print_help(const char *text)
{
	fputs(text, stdout);
	return finish_stdout(0);
}

/*
 * The options of the subcommands that only take --json and --help.
 * Returns -1 to go on (operands from optind), else the exit status.
 */
int parse_json_opts(int argc, char **argv, const char *usage, bool *json)
{
	enum { OPT_JSON = 256 };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*json = false;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			*json = true;
			break;
		case 'h':
			return print_help(usage);
		default:
			return bad_option(argv, c);
		}
	}
	return -1;
}
