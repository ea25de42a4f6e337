/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 the libinotifywd authors */
/*
 * Internal interfaces of the inotifywd command-line tool.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error (restore:
 * also a command line that does not fit the dump).  Every error is
 * reported as one line on stderr, "inotifywd: CMD: what: why".
 */
#ifndef INOTIFYWD_TOOL_H
#define INOTIFYWD_TOOL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <sys/types.h>

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
/* The ESTALE of a path target, which restore's stale handles are not. */
#define HINT_NEW_INODE "named another inode between two adds: renamed " \
	"meanwhile, or a file system such as hostfs that gives a new inode " \
	"per lookup"
/*
 * ERANGE from a fresh instance, as a hint in buf: the cycles reaching
 * wd takes at most, and the bound (0: the default).
 */
const char *range_hint(char *buf, size_t size, int wd, unsigned long bound);
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
/* Options of probe, list, dump (--json, --help): -1 to go on, or a status. */
int parse_json_opts(int argc, char **argv, const char *usage, bool *json);

/* ---- mask.c: --mask ---- */
/* 0, or -1 after reporting why not. */
int parse_mask(const char *s, uint32_t *out);

struct instance;

/* ---- json.c ---- */
void json_string(FILE *f, const char *s);
/* The members of an instance but its watches, after an opening brace. */
void json_instance_head(FILE *f, const struct instance *in);

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

/* ---- instance.c: an inotify instance, as read from a process or a dump */
struct instance {
	int fd;			/* -1: not recorded (a v1 dump) */
	unsigned int flags;	/* file status flags, as fdinfo's flags: */
	long long pending;	/* bytes of queued events; -1: unknown */
	int pending_err;	/* why unknown (an errno); 0: not said */
	struct inotify_wd_watch *w;	/* in ascending wd order */
	size_t n;
	/* Only what a dump file gives: */
	unsigned long line;	/* of the instance line; 0 in v1 */
	unsigned long *wline;	/* of each watch line */
	char **path;		/* each watch's path=, or NULL */
};
/* A whole dump: the instances of one process, or of one file. */
struct dump {
	int version;		/* of the file format it was read from */
	struct instance *inst;
	size_t n;
	size_t cap;		/* room in inst */
};
/* A new zeroed instance at the end of d; NULL on ENOMEM. */
struct instance *dump_add_instance(struct dump *d);
void dump_free(struct dump *d);
/* "O_NONBLOCK|O_CLOEXEC", or "" for neither: for people. */
const char *flags_words(unsigned int flags);
/* The highest wd of in, 0 without watches. */
int instance_max_wd(const struct instance *in);

/* ---- procfs.c: the inotify instances of a live process ---- */
/*
 * Instances fds[0..n) of pid, or with fds NULL all of them in ascending
 * fd order, with flags and queue sizes, into d; 0, or -1 after a report.
 */
int proc_read(int pid, const int *fds, size_t n, struct dump *d);
/* 1 when fd of pid (0: this process) is inotify, 0 if not, -1 with errno. */
int proc_is_inotify(int pid, int fd);

/* ---- pending.c: the queue size of another process's instance ---- */
struct peek {
	int pid;
	int pidfd;		/* -1 when it could not be opened */
	int err;		/* why not */
};
void peek_open(struct peek *pk, int pid);
/*
 * in->pending, or -1 with in->pending_err; nothing is read.  0, or -1
 * after a report when fd is no longer an inotify instance.
 */
int peek_pending(struct peek *pk, int fd, struct instance *in);
void peek_close(struct peek *pk);
/* Why a count is unknown, for people. */
const char *peek_why(int err);

/* ---- pathesc.c: paths in dumps and messages ---- */
/* Room for any path escaped: four bytes a byte, and the NUL. */
#define PATH_ESC_MAX	(4 * 4096 + 1)
/* path with its unsafe bytes as \ooo, cut to fit buf; returns buf. */
const char *path_escape(const char *path, char *buf, size_t size);

/* ---- fsname.c: the file system of a path or device, for messages ---- */
/* "overlay", "proc", ... from statfs(), or NULL when unknown. */
const char *fs_of_path(const char *path);
/* The type of a mount of dev in /proc/self/mountinfo, in buf, or NULL. */
const char *fs_of_dev(dev_t dev, char *buf, size_t size);
/* The kernel prints handles of this file system but never opens them. */
bool fs_opens_no_handles(const char *name);

/* ---- dumppaths.c: path= for the watches of a live process ---- */
/*
 * The path pid sees for each watch of d (inotify_wd_find_paths()), with
 * one warning per watch left without one; 0, or -1 after a report.
 */
int dump_find_paths(int pid, struct dump *d);

/* ---- targets.c: the target of each watch of a restore ---- */
struct target_ctx {
	const char *name;	/* the dump file, as messages call it */
	bool by_path;		/* --by-path */
	const char *root;	/* --root, or "/" */
	int rootfd;		/* open O_PATH with --by-path, else -1 */
	bool no_fallback;	/* --no-fallback */
	unsigned long max_cycles;	/* --max-cycles, or 0 */
};
/* Sets the flags, path and dirfd of each watch; 0, or -1 after a report. */
int targets_choose(const struct target_ctx *t, struct instance *in);
/* One line: the failing entry (or the call), the wd and the reason. */
void targets_report(const struct target_ctx *t, const struct instance *in,
		    const struct inotify_wd_result *res, size_t failed,
		    int err);
/* Adds to *moved the watches of fd on other inodes than in's; 0 or -1. */
int targets_moved(const struct instance *in, int fd, size_t *moved);

/* ---- dumpline.c: one line of a dump ---- */
struct scan {
	const char *line;
	const char *p;
	char why[128];
};
/* Parse a watch line into *w and *path (malloc()ed or NULL). */
bool scan_watch(struct scan *s, struct inotify_wd_watch *w, char **path);
/* Parse an instance line ("instance fd=..."). */
bool scan_instance(struct scan *s, struct instance *in);

/* ---- dumpfmt.c: the "# inotifywd dump v2" text format ---- */
/*
 * The longest valid line, newline included: a watch line with every
 * number at its widest, a 128-byte handle and a path of PATH_MAX - 1
 * bytes, each escaped to four.  16772 bytes (inotifywd(1) says so); the
 * reader refuses a longer line without storing it.
 */
#define DUMP_WIDEST_FIELDS "wd=2147483647 ino=18446744073709551615 " \
	"dev=4095:1048575 mask=0xffffffff ignored_mask=0xffffffff " \
	"fhandle_type=-2147483648 fhandle="
#define DUMP_LINE_MAX	((int)(sizeof(DUMP_WIDEST_FIELDS) - 1 + \
			       2 * INOTIFY_WD_HANDLE_MAX + \
			       sizeof(" path=") - 1 + 4 * (PATH_MAX - 1) + 1))
#define DUMP_HEADER_V1	"# inotifywd dump v1"
#define DUMP_HEADER	"# inotifywd dump v2"
#define INSTANCE_KEY	"instance"
void dump_write(FILE *f, const struct dump *d);
/*
 * Parse f (v1 or v2), named name in messages; 0, or -1 after a report.
 * Its memory is proportional to the lines it accepted.
 */
int dump_read(FILE *f, const char *name, struct dump *d);

/* ---- fdplace.c: restored instances at their fd numbers ---- */
/* Hold every free fd of targets[0..n) with a placeholder; 0 or -1. */
int fds_reserve(const int *targets, size_t n);
/* Make fd target (closing its placeholder) and close fd; 0 or -1. */
int fd_place(int fd, int target);

/* ---- the subcommands ---- */
int cmd_probe(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif /* INOTIFYWD_TOOL_H */
