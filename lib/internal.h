/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Copyright (C) 2026 the libinotifywd authors */
/*
 * Internal interfaces of libinotifywd.  Nothing here is installed or
 * exported: api.c holds every exported call, listed in libinotifywd.map.
 * Every name here starts with iwd_, the one prefix the static archive
 * adds to the application's namespace.
 *
 * The sections follow the way down a call takes (HACKING.md draws it):
 *   api.c -> call.c, probe.c -> restore.c (handle.c, worker.c, layout.c),
 *            paths.c (ovl.c, walk.c, worker.c)
 *         -> fastpath.c | fallback.c -> create.c -> queue.c, taken.c,
 *            dump.c -> fdinfo.c, util.c -> sys.c
 * and no file calls a file above it.
 */
#ifndef INOTIFY_WD_INTERNAL_H
#define INOTIFY_WD_INTERNAL_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include "inotify-wd.h"

/* Size of one IN_IGNORED event: a struct inotify_event without a name. */
#define IGNORED_EVENT_SIZE	((int)sizeof(struct inotify_event))

/* The mask bits that only steer path lookup, never the events. */
#define LOOKUP_BITS	(IN_ONLYDIR | IN_DONT_FOLLOW)

/* The mask bits a restored watch keeps (what the kernel stores). */
#define KEPT_BITS	(IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK)

/* ---- probe.c: what the kernel offers, learnt once per process ---- */
/* INOTIFY_IOC_SETNEXTWD: not yet used, works, unavailable */
enum { IWD_SETNEXT_UNKNOWN, IWD_SETNEXT_YES, IWD_SETNEXT_NO };
struct features {
	int setnext;		/* IWD_SETNEXT_* */
	int setnextwd_errno;	/* why unavailable */
	int mask_create;	/* INOTIFY_WD_MASK_CREATE_*; 0: not known */
	unsigned int drain_batch;	/* own events to queue before draining;
					 * 0: not read yet (iwd_call_drain()) */
};
/* 1: fd is an inotify instance; 0: not (EBADF, EINVAL); -1: no answer. */
int iwd_probe_instance(int fd);
/* What a call on fd needs first, asked on fd itself; see probe.c. */
int iwd_features_for_fd(int fd, struct features *out, bool *instance);
/* The first real SETNEXTWD answered: 0, or why it is unavailable. */
void iwd_features_setnext(struct features *f, int err);
/* The fallback's drain batch, from the queue limit (read once). */
unsigned int iwd_features_drain(void);
/* Everything, on a private instance without watches (get_features). */
int iwd_features_get(struct features *out);
/* For the test suite when it runs without fork: probe again next time. */
void iwd_features_reset(void);

/* ---- dump.c: reading /proc/PID/fdinfo ---- */
/*
 * The watches of one of our own fds, as a sorted array (wd ascending).
 * Used to tell the caller's watches from ours on kernels that lack
 * IN_MASK_CREATE, and to find busy wds before cycling towards them.
 */
struct snapshot {
	struct inotify_wd_watch *w;
	size_t n;
	bool valid;		/* false: fdinfo was unreadable */
	int err;		/* why it was unreadable */
};
int iwd_dump(pid_t pid, int fd, struct inotify_wd_watch **out, size_t *count);
int iwd_fd_is_inotify(pid_t pid, int fd);
void iwd_snapshot_take(struct snapshot *s, int fd);
void iwd_snapshot_free(struct snapshot *s);

/* ---- taken.c: the wds taken on the fd, all sorted ---- */
struct taken {
	struct snapshot snap;	/* before the call; taken when needed */
	int *created;		/* by this call (a restore's), ascending */
	size_t ncreated;
};
bool iwd_taken_before(const struct taken *t, int wd);
bool iwd_taken_by_call(const struct taken *t, int wd);
unsigned long iwd_taken_between(const struct taken *t, int a, int b);
const struct inotify_wd_watch *iwd_taken_find(const struct taken *t, int wd);
void iwd_taken_forget_own(struct taken *t, int own);

/* ---- call.c: the state of one public call ---- */
struct call {
	int fd;
	unsigned int flags;
	unsigned long max_cycles;	/* budget left for the fallback */
	int fd_err;		/* fd is no instance: EBADF or EINVAL */
	bool fd_instance;	/* this call proved fd an instance */
	int cursor;		/* the cursor stands at this wd; 0: unknown */
	inotify_wd_progress_fn *progress;
	void *progress_arg;
	inotify_wd_open_fn *open_target;	/* restore: OPEN_CB entries */
	void *open_target_arg;
	struct features feat;
	struct inotify_wd_stats *stats;	/* the caller's, or NULL */
	struct inotify_wd_stats st;	/* what is reported at the end */
	unsigned long sys_start;
	unsigned long sys_worker;	/* system calls of the worker thread */
	int pending;		/* our IN_IGNORED events still queued */
	bool queue_owned;	/* the queue held nothing else when we began */
	int clash;		/* FRESH: the call's own wd an add returned */
	bool whole;		/* the failure is the call's, no entry's */
	struct taken taken;
	struct inotify_wd_result *results;	/* restore: the caller's */
};
int iwd_call_begin(struct call *c, int fd, const struct inotify_wd_opts *opts,
		   struct inotify_wd_stats *stats);
int iwd_call_end(struct call *c, int ret);
bool iwd_call_use_ioctl(const struct call *c);
unsigned int iwd_call_drain(struct call *c);
/* The environment's switches (libinotifywd(7)), read once. */
struct iwd_env {
	int flags;		/* INOTIFY_WD_ENV_* */
	unsigned long max_cycles;	/* 0: not set */
};
void iwd_env_get(struct iwd_env *e);

/* ---- restore.c: a whole set of watches in one pass ---- */
int iwd_restore(struct call *c, const struct inotify_wd_watch *w, size_t n,
		size_t size);

/* ---- handle.c: restore targets, by path or by file handle ---- */
struct mount_fd {
	dev_t dev;
	int fd;			/* O_PATH, on the mount point */
};
struct targets {
	struct mount_fd *m;
	size_t n;
	int last;		/* the mount used last, or -1 */
	int cwd;		/* the mount fd or caller's dirfd we are in;
				 * -1: where we began */
	int home;		/* O_PATH fd of where we began, or -1 */
	/*
	 * Set by each iwd_target_open(): the errno that made a
	 * HANDLE_FIRST entry pass its handle over for its path, else 0.
	 */
	int handle_error;
};
void iwd_targets_init(struct targets *t);
void iwd_targets_free(struct targets *t);
int iwd_targets_leave(struct targets *t);
int iwd_targets_where(const struct targets *t);
int iwd_targets_return(struct targets *t, int dir);
bool iwd_target_needs_worker(const struct inotify_wd_watch *w);
int iwd_target_open(struct targets *t, const struct inotify_wd_watch *w,
		    char *buf, size_t size, const char **path, int *fd);

/* ---- paths.c: a path for each watch, as a process sees it ---- */
ssize_t iwd_find_paths(pid_t pid, struct inotify_wd_watch *w, size_t n,
		       size_t size, const struct inotify_wd_opts *opts,
		       char **strings);

/* ---- ovl.c: overlayfs handles and layer options, no system call ---- */
#define IWD_OVL_FILEID_V0	0xfb	/* before 5.5: no padding */
#define IWD_OVL_FILEID_V1	0xf8	/* 3 bytes of padding first */
/* An overlay handle, taken apart; fid points into the handle's bytes. */
struct ovl_handle {
	bool upper;		/* the real inode is on the upper layer */
	int type;		/* the layer filesystem's own handle type */
	unsigned int fid_bytes;	/* 1..128 */
	const unsigned char *fid;
	unsigned char uuid[16];	/* of the layer's filesystem, or zeros */
};
/* 0, or -1 with EINVAL when it is no well-formed overlay handle. */
int iwd_ovl_decode(int type, unsigned int bytes, const unsigned char *h,
		   struct ovl_handle *out);
bool iwd_ovl_uuid_null(const struct ovl_handle *fh);
/* The statfs() f_fsid (val[0] low) of a filesystem with fh's uuid, or 0. */
uint64_t iwd_ovl_fsid(const struct ovl_handle *fh);
struct ovl_layer {
	const char *path;	/* as the mount was given it */
	bool upper;
};
/*
 * The layers in an overlay mount's super options (len bytes, as
 * mountinfo shows them): *out (free()) points into *store (free()).
 */
int iwd_ovl_layers(const char *opts, size_t len, struct ovl_layer **out,
		   size_t *n, char **store);
/* mountinfo's \ooo escapes undone: n bytes of s into d (n + 1 bytes). */
size_t iwd_mountinfo_unescape(char *d, const char *s, size_t n);

/* ---- walk.c: a bounded search of a mount for inodes ---- */
struct walk_key {
	uint64_t ino;
	size_t i;		/* the entry */
};
struct walk {
	int root;		/* O_PATH fd of the directory to start at */
	dev_t dev;		/* stay on it */
	bool any_dev;		/* overlay: non-directories may show a layer's */
	bool deep;		/* false: the root directory alone (a hint) */
	const struct walk_key *keys;	/* sorted by ino */
	size_t nkeys;
	uint64_t *budget;	/* directory entries left to read */
	/* a mount point other than the root: not entered */
	bool (*skip)(void *arg, const char *rel);
	/* entry i may be rel (from root): checks it; how many are left */
	size_t (*found)(void *arg, size_t i, const char *rel);
	bool (*pending)(void *arg, size_t i);
	void *arg;
};
/* 0: all searched or found; 1: the budget ran out; -1 with errno. */
int iwd_walk(const struct walk *wk);

/* ---- worker.c: a thread with a working directory of its own ---- */
bool iwd_worker_needed(void);
bool iwd_worker_hand(void (*fn)(void *), void *arg);
bool iwd_worker_report(inotify_wd_progress_fn *fn, unsigned long done,
		       unsigned long total, void *arg);
int iwd_worker_run(int (*fn)(void *), void *arg, unsigned long *calls);

/* ---- layout.c: the caller's size of struct inotify_wd_watch ---- */
int iwd_layout_check(size_t size);
bool iwd_layout_tail_clear(const void *elem, size_t size);
int iwd_layout_export(struct inotify_wd_watch **arr, size_t n, size_t size);

/* ---- fastpath.c: the cursor at wd, then one add ---- */
int iwd_fast_add(struct call *c, const char *path, uint32_t mask, int wd,
		 unsigned int how);
int iwd_add_at_cursor(struct call *c, const char *path, uint32_t mask,
		      int wd, unsigned int how);
int iwd_fast_set_next(struct call *c, int wd);
int iwd_fast_settle(struct call *c, int wd);

/* ---- fallback.c: add/rm cycles, within a bound ---- */
int iwd_fallback_claim(struct call *c, const int *wds, size_t n,
		       size_t *busy);
int iwd_fallback_add(struct call *c, const char *path, uint32_t mask, int wd,
		     int horizon, unsigned int how, const char *name);
int iwd_fallback_set_next(struct call *c, int wd);

/* ---- create.c: creating a watch without altering an existing one ---- */
/* how: */
#define IWD_CREATE_QUIET	(1U << 0)	/* no event bits (yet) */
#define IWD_CREATE_PRIVATE	(1U << 1)	/* our own inode: no proof */
#define IWD_CREATE_HELD		(1U << 2)	/* path: /proc/self/fd/N */
/* A target held by an O_PATH fd, so that all adds reach one inode. */
struct hold {
	int fd;			/* -1: the path is used as given */
	char path[32];		/* /proc/self/fd/N */
};
bool iwd_create_arms(const struct call *c);
bool iwd_create_fresh(const struct call *c);
bool iwd_create_once(const struct call *c, unsigned int how);
uint32_t iwd_quiet_mask(const struct call *c, uint32_t mask);
int iwd_create_prepare(struct call *c, unsigned int how);
int iwd_create(struct call *c, const char *path, uint32_t mask,
	       unsigned int how);
int iwd_create_arm(struct call *c, const char *path, uint32_t mask, int wd);
int iwd_create_learn(struct call *c, int own);
void iwd_create_mend(struct call *c, const char *path, uint32_t mask);
int iwd_hold_open(const char *path, uint32_t mask);
uint32_t iwd_held_mask(uint32_t mask);
int iwd_hold(struct hold *h, const char **path, uint32_t *mask,
	     unsigned int how, bool many);
void iwd_hold_release(struct hold *h);

/* ---- queue.c: the events our own removals queue ---- */
int iwd_queue_claim(struct call *c);
int iwd_queue_drain(struct call *c);
void iwd_queue_settle(struct call *c);
int iwd_remove_own(struct call *c, int wd);
void iwd_discard_watch(struct call *c, int wd);

/* ---- fdinfo.c: the parser ---- */
int iwd_fdinfo_parse(const char *text, size_t len,
		     struct inotify_wd_watch **out, size_t *count);

/* ---- util.c ---- */
/* Read a whole file (a /proc file: size unknown) into a malloc()ed buffer. */
int iwd_read_file(const char *path, char **buf, size_t *len);
bool iwd_mask_valid(uint32_t mask);
const char *iwd_fd_path(int fd, char *buf, size_t size);
int iwd_fd_mount_id(int fd, int *id);

/* ---- sys.c: the only place that issues system calls (the seam) ---- */
int iwd_sys_inotify_init(void);
int iwd_sys_add(int fd, const char *path, uint32_t mask);
int iwd_sys_rm(int fd, int wd);
int iwd_sys_setnext(int fd, int wd);
int iwd_sys_nread(int fd, int *bytes);
long iwd_sys_read(int fd, void *buf, size_t len);
int iwd_sys_open(const char *path, int flags);
int iwd_sys_openat(int dirfd, const char *path, int flags);
/* openat2(2)'s struct open_how, and the RESOLVE_* bits the library uses. */
struct iwd_open_how {
	uint64_t flags, mode, resolve;
};
#define IWD_RESOLVE_NO_MAGICLINKS	0x02
#define IWD_RESOLVE_IN_ROOT		0x10
int iwd_sys_openat2(int dirfd, const char *path, int flags,
		    uint64_t resolve);
int iwd_sys_close(int fd);
int iwd_sys_memfd(const char *name);
int iwd_sys_open_by_handle(int mount_fd, int type, unsigned int bytes,
			   const unsigned char *handle, int flags);
long iwd_sys_readlink(const char *path, char *buf, size_t size);
int iwd_sys_fchdir(int fd);
int iwd_sys_unshare_fs(void);
long iwd_sys_getdents(int fd, void *buf, size_t size);
struct stat;
int iwd_sys_stat(const char *path, struct stat *st);
int iwd_sys_fstat(int fd, struct stat *st);
int iwd_sys_fstatat(int dirfd, const char *path, struct stat *st, int flags);
struct statfs;
int iwd_sys_fstatfs(int fd, struct statfs *sf);
int iwd_sys_mount_id(int fd, int *id);
/* 1 when the mounts an open /proc/PID/mountinfo reads changed since. */
int iwd_sys_mounts_changed(int fd);
int iwd_sys_nofile_limit(unsigned long *limit);
/* A thread with every signal blocked, and waiting for its end. */
int iwd_sys_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);
void iwd_sys_thread_join(pthread_t t);
/* Waiting for the other side of a hand-over, and waking it. */
void iwd_sys_cond_wait(pthread_cond_t *cond, pthread_mutex_t *lock);
void iwd_sys_cond_wake(pthread_cond_t *cond);
/* System calls this thread issued through the seam, for the stats. */
unsigned long iwd_sys_count(void);

/* A struct file_handle with room for the largest handle the kernel makes. */
union iwd_file_handle {
	struct file_handle fh;
	unsigned char raw[sizeof(struct file_handle) + INOTIFY_WD_HANDLE_MAX];
};

/* Fill h from the bytes fdinfo shows; false (EINVAL) if too long. */
static inline bool iwd_file_handle_set(union iwd_file_handle *h, int type,
				       unsigned int bytes,
				       const unsigned char *handle)
{
	if (bytes > INOTIFY_WD_HANDLE_MAX) {
		errno = EINVAL;
		return false;
	}
	h->fh.handle_bytes = bytes;
	h->fh.handle_type = type;
	memcpy(h->fh.f_handle, handle, bytes);
	return true;
}

#endif /* INOTIFY_WD_INTERNAL_H */
