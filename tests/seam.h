/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 the libinotifywd authors */
/* Knobs of the test seam (tests/seam.c); all zero = the real kernel. */
#ifndef INOTIFY_WD_SEAM_H
#define INOTIFY_WD_SEAM_H

#include <stdbool.h>

enum seam_call {
	SEAM_INIT, SEAM_ADD, SEAM_RM, SEAM_SETNEXT, SEAM_NREAD, SEAM_READ,
	SEAM_OPEN, SEAM_MEMFD, SEAM_HANDLE, SEAM_READLINK, SEAM_CHDIR,
	SEAM_THREAD, SEAM_STAT, SEAM_NCALLS
};

struct seam {
	int setnext_errno;	/* SETNEXTWD answers this (ENOTTY, EPERM) */
	int mask_create;	/* INOTIFY_WD_MASK_CREATE_*; 0: the kernel's */
	bool no_wrap;		/* the allocator stops at INT_MAX (< 3.10) */
	bool no_proc;		/* /proc is not mounted */
	bool no_proc_fd;	/* adds through /proc/self/fd/N fail too */
	int last_wd;
	bool no_mount_id;	/* statx() has no mount id (< 5.8) */
	int openat2_errno;	/* openat2() answers this (ENOSYS: < 5.6) */
	int openat2_eagain;	/* the next this many openat2() give EAGAIN */
	/* called before each add reaches the kernel (a rename, say) */
	void (*before_add)(int fd, const char *path);
	/* called before find_paths polls the mount table (a mount, say) */
	void (*before_mounts_poll)(void);
	/* fault injection: the fail_at-th call of fail_kind fails */
	enum seam_call fail_kind;
	unsigned long fail_at;	/* 0: never */
	int fail_errno;
	/* every open of a path containing this fails with fail_errno */
	const char *fail_open;
	unsigned long fdinfo_reads;	/* opens of a /proc/.../fdinfo/ file */
	unsigned long count[SEAM_NCALLS];
};

extern struct seam seam;

#endif
