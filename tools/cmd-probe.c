// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* inotifywd probe: what this kernel offers for placing watches. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "tool.h"

static const char probe_usage[] =
	"Usage: inotifywd probe [--json]\n"
	"Report the kernel release, whether INOTIFY_IOC_SETNEXTWD works (and\n"
	"why not), how the kernel treats IN_MASK_CREATE, and the inotify\n"
	"limits.\n"
	"\n"
	"  --json      one JSON object instead of 'key: value' lines\n"
	"  -h, --help  show this help\n";

static const char *const limit_names[] = {
	"max_user_watches", "max_user_instances", "max_queued_events",
};
#define NLIMITS	(sizeof(limit_names) / sizeof(limit_names[0]))

struct probe {
	struct utsname uts;
	struct inotify_wd_features feat;
	long long limit[NLIMITS];
	int limit_errno[NLIMITS];	/* 0: limit[] is valid */
};

/* A limit is one decimal number and a newline; 0 or an errno. */
static int read_limit(const char *name, long long *val)
{
	char path[80], buf[32], *end;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/sys/fs/inotify/%s", name);
	f = fopen(path, "re");
	if (!f)
		return errno;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return EIO;
	errno = 0;
	*val = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return EBADMSG;
	return 0;
}

static const char *mask_create_word(int mc)
{
	switch (mc) {
	case INOTIFY_WD_MASK_CREATE_HONOURED:
		return "honoured";
	case INOTIFY_WD_MASK_CREATE_REJECTED:
		return "rejected";
	default:
		return "ignored";
	}
}

static const char *setnextwd_why(int err)
{
	switch (err) {
	case ENOTTY:
		return "kernel older than 4.17 or built without CONFIG_CHECKPOINT_RESTORE";
	case EPERM:
	case EACCES:
		return "refused by a seccomp or LSM policy";
	default:
		return strerror(err);
	}
}

static void print_text(const struct probe *p)
{
	size_t i;

	printf("kernel: %s\n", p->uts.release);
	if (p->feat.setnextwd)
		printf("setnextwd: yes\n");
	else
		printf("setnextwd: no (%s: %s)\n",
		       errno_name(p->feat.setnextwd_errno),
		       setnextwd_why(p->feat.setnextwd_errno));
	printf("in_mask_create: %s\n", mask_create_word(p->feat.mask_create));
	for (i = 0; i < NLIMITS; i++) {
		if (p->limit_errno[i])
			printf("%s: unknown (%s)\n", limit_names[i],
			       strerror(p->limit_errno[i]));
		else
			printf("%s: %lld\n", limit_names[i], p->limit[i]);
	}
}

/* An unreadable limit is null: a number would be a lie. */
static void print_json(const struct probe *p)
{
	size_t i;

	fputs("{\"kernel\":", stdout);
	json_string(stdout, p->uts.release);
	printf(",\"setnextwd\":%s,\"setnextwd_error\":",
	       p->feat.setnextwd ? "true" : "false");
	if (p->feat.setnextwd)
		fputs("null", stdout);
	else
		json_string(stdout, errno_name(p->feat.setnextwd_errno));
	printf(",\"in_mask_create\":\"%s\"",
	       mask_create_word(p->feat.mask_create));
	for (i = 0; i < NLIMITS; i++) {
		if (p->limit_errno[i])
			printf(",\"%s\":null", limit_names[i]);
		else
			printf(",\"%s\":%lld", limit_names[i], p->limit[i]);
	}
	fputs("}\n", stdout);
}

static int probe(struct probe *p)
{
	size_t i;

	if (uname(&p->uts) < 0) {
		errmsg("uname: %s", strerror(errno));
		return -1;
	}
	if (inotify_wd_get_features(&p->feat) < 0) {
		errmsg("inotify_init1: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < NLIMITS; i++)
		p->limit_errno[i] = read_limit(limit_names[i], &p->limit[i]);
	return 0;
}

int cmd_probe(int argc, char **argv)
{
	struct probe p;
	bool json;
	int ret;

	ret = parse_json_opts(argc, argv, probe_usage, &json);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (probe(&p) < 0)
		return EXIT_FAILURE;
	if (json)
		print_json(&p);
	else
		print_text(&p);
	return finish_stdout(0);
}
