// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The restore loop of a checkpoint tool, as README.md ("Using it from a
 * checkpoint tool") and libinotifywd(7) show it: "make check" builds and
 * runs this program, so the sample is known to compile and to work.
 *
 * It plays both halves.  The "dump": a few files in a directory that
 * stands for a container's root, watched at wds with gaps, read back with
 * inotify_wd_dump() into an image such as a tool keeps (wd, mask, the
 * device in the kernel's encoding, inode, a path relative to the root or
 * none).  The "restore": a fresh instance, one inotify_wd_restore() call
 * with targets beneath the root fd and, for the entries without a path,
 * the tool's own opener; then the check that the instance is the dump.
 * Exit status 0 when it is.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inotify-wd.h"

/* What the tool's image keeps per watch (CRIU: InotifyWdEntry). */
struct image_watch {
	int wd;
	uint32_t mask;
	uint32_t s_dev;		/* major << 20 | minor, as fdinfo prints */
	uint64_t i_ino;
	const char *path;	/* relative to the root; NULL: handle only */
	const char *secret;	/* how the tool itself reaches it */
};

/* The tool's state its opener needs: its root fd and the image. */
struct tool {
	int root;
	const struct image_watch *img;
};

/* ---- sample begin ---- */
/*
 * The target of an entry only the tool can open (a file handle through
 * a helper in the right namespace, a remapped ghost file ...): here, a
 * name the tool keeps for itself.  An O_PATH fd is enough; the library
 * closes it.  Called in ascending wd order, just before the watch is
 * made; -1 with errno fails the entry.
 */
static int tool_open(const struct inotify_wd_watch *w, size_t i, void *arg)
{
	const struct tool *t = arg;

	(void)w;
	return openat(t->root, t->img[i].secret, O_PATH | O_CLOEXEC);
}

/* Restores one dumped instance into fd, a new inotify instance. */
static int restore_instance(int fd, struct tool *t, size_t n)
{
	struct inotify_wd_watch *w = calloc(n, sizeof(*w));
	struct inotify_wd_result *res = calloc(n, sizeof(*res));
	struct inotify_wd_opts opts = { 0 };
	struct inotify_wd_stats st;
	size_t i;
	int ret;

	if (!w || !res)
		err(1, "calloc");
	for (i = 0; i < n; i++) {
		const struct image_watch *e = &t->img[i];

		w[i].wd = e->wd;
		w[i].mask = e->mask;
		w[i].ino = e->i_ino;
		w[i].dev = inotify_wd_dev_from_kernel(e->s_dev);
		if (e->path) {
			/* resolved as if t->root were "/" */
			w[i].flags = INOTIFY_WD_WATCH_DIRFD |
				     INOTIFY_WD_WATCH_IN_ROOT;
			w[i].dirfd = t->root;
			w[i].path = e->path;
		} else {
			w[i].flags = INOTIFY_WD_WATCH_OPEN_CB;
		}
	}
	opts.flags = INOTIFY_WD_FRESH;	/* fd was created just now */
	opts.open_target = tool_open;
	opts.open_target_arg = t;
	opts.results = res;
	ret = inotify_wd_restore(fd, w, n, sizeof(*w), &opts, &st);
	if (ret < 0 && st.failed < n)
		warnx("wd %d: %s", w[st.failed].wd,
		      strerror(res[st.failed].error));
	else if (ret < 0)
		warn("inotify_wd_restore");	/* no entry at fault */
	for (i = 0; ret == 0 && i < n; i++)
		printf("wd %d: %s%s\n", res[i].wd,
		       res[i].method == INOTIFY_WD_METHOD_IOCTL ? "ioctl" :
		       res[i].method == INOTIFY_WD_METHOD_CYCLE ? "cycles" :
		       "at the cursor", t->img[i].path ? "" : ", tool's opener");
	free(res);
	free(w);
	return ret;
}
/* ---- sample end ---- */

/* ---- the dump half, and the check ---- */

#define NFILES	6
static const int wds[NFILES] = { 1, 2, 5, 6, 7, 4000 };
static char dir[64];

static void cleanup(void)
{
	char p[128];
	int i;

	for (i = 0; i < NFILES; i++) {
		snprintf(p, sizeof(p), "%s/f%d", dir, i);
		unlink(p);
	}
	rmdir(dir);
}

/* The image of an instance watching f0..f5 at wds[]; f1, f4: no path. */
static void dump(struct image_watch *img, char names[][8])
{
	struct inotify_wd_watch *w;
	char p[128];
	size_t n, i;
	int fd = inotify_init1(IN_CLOEXEC), f;

	if (fd < 0)
		err(1, "inotify_init1");
	for (i = 0; i < NFILES; i++) {
		snprintf(names[i], 8, "f%zu", i);
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		f = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		if (f < 0)
			err(1, "%s", p);
		close(f);
		if (inotify_add_watch_at(fd, p, IN_MODIFY | IN_CLOSE_WRITE,
					 wds[i]) != wds[i])
			err(1, "inotify_add_watch_at %s", p);
	}
	if (inotify_wd_dump(0, fd, &w, &n, sizeof(*w)) < 0 || n != NFILES)
		err(1, "inotify_wd_dump");
	for (i = 0; i < n; i++) {
		img[i] = (struct image_watch){
			.wd = w[i].wd, .mask = w[i].mask, .i_ino = w[i].ino,
			.s_dev = major(w[i].dev) << 20 | minor(w[i].dev),
			.path = i == 1 || i == 4 ? NULL : names[i],
			.secret = names[i],
		};
	}
	free(w);
	close(fd);
}

/* The restored instance is the dump, and nothing is queued. */
static int same(int fd, const struct image_watch *img)
{
	struct inotify_wd_watch *w;
	size_t n, i;
	int queued = -1, ok;

	if (inotify_wd_dump(0, fd, &w, &n, sizeof(*w)) < 0)
		err(1, "inotify_wd_dump");
	ok = n == NFILES;
	for (i = 0; ok && i < n; i++)
		ok = w[i].wd == img[i].wd && w[i].mask == img[i].mask &&
		     w[i].ino == img[i].i_ino &&
		     w[i].dev == inotify_wd_dev_from_kernel(img[i].s_dev);
	free(w);
	if (ioctl(fd, FIONREAD, &queued) < 0 || queued != 0)
		ok = 0;
	return ok;
}

int main(void)
{
	struct image_watch img[NFILES];
	char names[NFILES][8];
	const char *tmp = getenv("TMPDIR");
	struct tool t;
	int fd, ok;

	snprintf(dir, sizeof(dir), "%s/iwd-example-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		err(1, "mkdtemp");
	atexit(cleanup);
	dump(img, names);

	t.root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	t.img = img;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (t.root < 0 || fd < 0)
		err(1, "open");
	if (restore_instance(fd, &t, NFILES) < 0)
		return 1;
	ok = same(fd, img);
	printf("%s\n", ok ? "the restored instance is the dump" :
			    "the restored instance differs from the dump");
	close(fd);
	close(t.root);
	return ok ? 0 : 1;
}
