/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 the libinotifywd authors */
/*
 * Internal interfaces of the inotifywd command-line tool.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.  Every
 * error is reported as one line on stderr, "inotifywd: CMD: what: why".
 */
#ifndef INOTIFYWD_TOOL_H
#define INOTIFYWD_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "inotify-wd.h"

#define EXIT_USAGE	2

#define PRINTF_LIKE(f, a)	__attribute__((format(printf, f, a)))

/* ---- report.c: messages on stderr, errno names, stdout errors ---- */
/* The subcommand being run, named in every message; NULL before that. */
extern const char *tool_cmd;
void errmsg(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* errmsg(), then EXIT_USAGE: for the return of a usage error. */
int usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* errmsg(), then -1: for parsers whose caller returns EXIT_USAGE. */
int arg_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
const char *errno_name(int err);
/*
 * Why the library may have failed with err, in the words of its API,
 * or NULL.  no_fallback: the caller forbade the fallback.
 */
const char *lib_hint(int err, bool no_fallback);
/* Flush stdout and turn a write error into exit code 1. */
int finish_stdout(int code);

/* ---- args.c: option and operand parsing ---- */
/*
 * Decimal or 0x hex, optionally negative, within [min, max]; 0, or -1
 * after reporting why not.
 */
int parse_number(const char *what, const char *s, long long min,
		 long long max, long long *out);
/* Report what getopt_long() refused (it returned c); EXIT_USAGE. */
int bad_option(char **argv, int c);
/* Print a subcommand's usage text to stdout; 0. */
int print_help(const char *text);
/* Options of probe and dump (--json, --help): -1 to go on, or a status. */
int parse_json_opts(int argc, char **argv, const char *usage, bool *json);

/* ---- mask.c: --mask ---- */
/* 0, or -1 after reporting why not. */
int parse_mask(const char *s, uint32_t *out);

/* ---- json.c ---- */
void json_string(FILE *f, const char *s);

/* ---- progress.c: the fallback's progress line on a terminal ---- */
struct progress {
	bool tty;		/* stderr is a terminal */
	bool shown;		/* a progress line is on screen */
	int width;		/* of the line on screen */
	unsigned long last;	/* done at the previous report */
	struct timespec start;	/* of the current stretch of cycles */
};
void progress_begin(struct progress *p);
inotify_wd_progress_fn progress_report;
void progress_end(struct progress *p);
double elapsed_ms(const struct timespec *since);

/* ---- dumpfmt.c: the "# inotifywd dump v1" text format ---- */
#define DUMP_HEADER	"# inotifywd dump v1"
void dump_write(FILE *f, const struct inotify_wd_watch *w, size_t n);
struct dump {
	struct inotify_wd_watch *w;
	unsigned long *line;	/* the file line of each entry */
	size_t n;
};
/* Parse f, named name in messages; 0, or -1 after reporting why. */
int dump_read(FILE *f, const char *name, struct dump *d);
void dump_free(struct dump *d);

/* ---- the subcommands ---- */
int cmd_probe(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif /* INOTIFYWD_TOOL_H */
