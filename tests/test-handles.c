// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Whole instances restored by file handle, as a checkpoint tool does:
 * 100,000 watches on both paths, the ioctl and the fallback, compared
 * line by line with the source's fdinfo (wd, ino, sdev, mask), with
 * nothing queued anywhere afterwards: not on the restoring fd, which
 * watches the mount's root itself, not on a bystander instance of this
 * process, and not on one of another process.  And what the one-pass
 * design promises: no handle opened twice, one add per watch of a dense
 * run, every system call counted, the caller's cwd untouched.
 *
 * The files live directly in the root of a tmpfs mounted in a mount
 * namespace of the test's own, so a watch of the root sees any open of
 * any of them (events on children) and nobody else's activity.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seam.h"
#include "variant.h"

#define BIG		100000
#define WATCH_MASK	(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE)
/* Watches left to the bystanders and the rest of the machine. */
#define HEADROOM	64

static char root[128], bind_dir[128];
static int dst = -1, fds_before;

/* The tmpfs of the test's own: needs fork (CK_FORK) and root. */
static void setup(void)
{
	scratch_setup();
	scratch_private_tmpfs(root, sizeof(root), "size=64m,nr_inodes=300k");
	dst = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(dst, 0);
	fds_before = open_fds();
}

static void teardown(void)
{
	if (dst >= 0)
		close(dst);
	if (bind_dir[0])
		umount2(bind_dir, MNT_DETACH);
	bind_dir[0] = '\0';
	/* the tmpfs, and what a case stacked on it */
	while (umount2(root, MNT_DETACH) == 0)
		;
	scratch_teardown();
}

/* n files f0..f(n-1) in the tmpfs root. */
static char **make_files(int n)
{
	char **p = calloc((size_t)n, sizeof(*p));
	int i, f;

	ck_assert(p);
	for (i = 0; i < n; i++) {
		ck_assert_int_gt(asprintf(&p[i], "%s/f%d", root, i), 0);
		f = open(p[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		ck_assert_int_ge(f, 0);
		close(f);
	}
	return p;
}

static void free_files(char **p, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(p[i]);
	free(p);
}

/*
 * Watches the rest of the suite may hold meanwhile: make -j runs the
 * other programs beside this one (test-restore holds up to 20,000), and
 * the limit is per user.
 */
#define OTHERS		32768

/*
 * As many watches as the limit leaves beside the others', up to want
 * (said when lower).  A second build running the suite as the same user
 * at the same time can still exhaust the limit: ENOSPC in the set-up
 * then says so.
 */
static int size_for(int want)
{
	FILE *f = fopen("/proc/sys/fs/inotify/max_user_watches", "r");
	long limit, room;

	if (!f || fscanf(f, "%ld", &limit) != 1)
		limit = want + OTHERS + HEADROOM;	/* unknown: assume room */
	if (f)
		fclose(f);
	room = limit - OTHERS - HEADROOM;
	if (room < want) {
		printf("max_user_watches is %ld: %ld watches instead of %d\n",
		       limit, room, want);
		return (int)room;
	}
	return want;
}

/*
 * Move fd's cursor so that its next new watch gets wd, without the
 * ioctl (the suite never assumes it in a set-up): add and remove a watch
 * on a memfd of the test's own, which nobody watches.
 */
static void advance(int fd, int wd)
{
	char path[64];
	int m = memfd_create("iwd-advance", MFD_CLOEXEC), got;

	ck_assert_int_ge(m, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", m);
	do {
		got = inotify_add_watch(fd, path, IN_MODIFY);
		ck_assert_int_gt(got, 0);
		ck_assert_int_eq(inotify_rm_watch(fd, got), 0);
	} while (got < wd - 1);
	close(m);
}

/*
 * The source: files[i] watched at wd wd_of(i) (from 2 up: wd 1 is the
 * restoring fd's own watch of the root), dumped, its fdinfo lines kept,
 * and closed, so that the watch limit holds only one copy.
 */
struct source {
	struct inotify_wd_watch *w;
	size_t n;
	char **lines;
	int nlines;
};

static void make_source(struct source *s, char **files, int n,
			int (*wd_of)(int))
{
	int src = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), i, next = 1;

	ck_assert_int_ge(src, 0);
	for (i = 0; i < n; i++) {
		if (wd_of(i) != next)
			advance(src, wd_of(i));
		ck_assert_int_eq(inotify_add_watch(src, files[i], WATCH_MASK),
				 wd_of(i));
		next = wd_of(i) + 1;
	}
	ck_assert_int_eq(inotify_wd_dump(0, src, &s->w, &s->n, WSIZE), 0);
	ck_assert_uint_eq(s->n, (size_t)n);
	s->lines = klines(src, &s->nlines);
	close(src);
}

static void free_source(struct source *s)
{
	free(s->w);
	klines_free(s->lines, s->nlines);
}

/*
 * Before Linux 6.10 an O_PATH open queues IN_OPEN (before 6.5) and its
 * close IN_CLOSE_NOWRITE on the watches of the file and of its
 * directory, as inotify_wd_restore(3) says; the checks that nothing
 * reaches a watch of the mount root need 6.10.
 */
static bool opath_silent(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	ck_assert_int_eq(uname(&u), 0);
	if (sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 10);
}

static void say_left_out(void)
{
	static bool said;
	struct utsname u;

	if (said || opath_silent())
		return;
	said = true;
	uname(&u);
	printf("left out: the watches of the mount root (restoring fd, bystanders): Linux %s < 6.10 queues IN_OPEN/IN_CLOSE_NOWRITE for O_PATH\n",
	       u.release);
}

/*
 * The caller's own watch, wd 1, made before the restore: of the mount
 * root where O_PATH opens queue nothing, else of a file elsewhere.
 */
static void watch_root(void)
{
	say_left_out();
	ck_assert_int_eq(inotify_add_watch(dst, opath_silent() ? root : sc.c,
					   IN_ALL_EVENTS), 1);
}

/* dst holds the source's watches line for line, and its watch of root. */
static void expect_restored(const struct source *s)
{
	char **got;
	int n, i, k = 0;

	got = klines(dst, &n);
	ck_assert_int_eq(n, s->nlines + 1);
	for (i = 0; i < n; i++) {
		if (strncmp(got[i], "inotify wd:1 ", 13) == 0)
			continue;
		ck_assert_str_eq(got[i], s->lines[k]);
		k++;
	}
	ck_assert_int_eq(k, s->nlines);
	klines_free(got, n);
}

/* A process of its own, watching the root; it reports its queue. */
struct bystander {
	pid_t pid;
	int ask, answer;
};

static void bystander_start(struct bystander *b)
{
	int q[2], a[2], fd, bytes;
	char c;

	ck_assert_int_eq(pipe2(q, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(a, O_CLOEXEC), 0);
	b->pid = fork();
	ck_assert_int_ge(b->pid, 0);
	if (b->pid == 0) {
		fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (fd < 0 || inotify_add_watch(fd, opath_silent() ? root : sc.c,
						IN_ALL_EVENTS) < 0)
			_exit(1);
		bytes = 0;
		if (write(a[1], &bytes, sizeof(bytes)) != sizeof(bytes) ||
		    read(q[0], &c, 1) != 1 || ioctl(fd, FIONREAD, &bytes) < 0 ||
		    write(a[1], &bytes, sizeof(bytes)) != sizeof(bytes))
			_exit(1);
		_exit(0);
	}
	close(q[0]);
	close(a[1]);
	b->ask = q[1];
	b->answer = a[0];
	ck_assert_int_eq(read(b->answer, &bytes, sizeof(bytes)),
			 (int)sizeof(bytes));	/* it watches now */
}

static int bystander_queued(struct bystander *b)
{
	int bytes = -1, status;

	ck_assert_int_eq(write(b->ask, "?", 1), 1);
	ck_assert_int_eq(read(b->answer, &bytes, sizeof(bytes)),
			 (int)sizeof(bytes));
	ck_assert_int_eq(waitpid(b->pid, &status, 0), b->pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(b->ask);
	close(b->answer);
	return bytes;
}

static int dense(int i)
{
	return i + 2;
}

/* Dense runs of 1,000 with a gap of 7 after each. */
static int holed(int i)
{
	return i + 2 + (i / 1000) * 7;
}

/*
 * The whole instance, as dumped: restored into dst, which watches the
 * root of the tmpfs, with a bystander instance here and one in another
 * process watching it too.  Nothing may be queued on any of them.
 */
static void restore_whole(int n, int (*wd_of)(int))
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_stats st;
	struct bystander other;
	struct source s;
	char **files;
	int here, big;

	big = size_for(n);
	files = make_files(big);
	make_source(&s, files, big, wd_of);
	here = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(inotify_add_watch(here, opath_silent() ? root : sc.c,
					   IN_ALL_EVENTS), 1);
	watch_root();
	bystander_start(&other);
	variant_enter();

	ck_assert_msg(inotify_wd_restore(dst, s.w, s.n, WSIZE, &o, &st) == 0,
		      "[%s] restore: %s (entry %zu)", V->name, strerror(errno),
		      st.failed);
	ck_assert_uint_eq(st.failed, s.n);
	expect_restored(&s);
	ck_assert_int_eq(queued_bytes(dst), 0);
	ck_assert_int_eq(queued_bytes(here), 0);
	ck_assert_int_eq(bystander_queued(&other), 0);
	ck_assert_int_eq(open_fds(), fds_before + 1);	/* "here" */
	close(here);
	free_source(&s);
	free_files(files, big);
}

START_TEST(whole_instance_dense)
{
	restore_whole(BIG, dense);
}
END_TEST

START_TEST(whole_instance_holed)
{
	restore_whole(BIG, holed);
}
END_TEST

/*
 * The one-pass promises, counted at the seam: every handle is opened
 * once, a dense run costs one add per watch (plus the few of the first
 * watch and of the probes of the queue and fdinfo), a holed run one more
 * add per watch before its last gap, and stats.syscalls counts the
 * worker thread's calls as well.
 */
static void count_calls(int n, int (*wd_of)(int), unsigned long *opens,
			unsigned long *adds, struct inotify_wd_stats *st)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_features f;
	struct source s;
	char **files = make_files(n);

	make_source(&s, files, n, wd_of);
	watch_root();
	variant_enter();
	/* The probe's own calls are not the restore's. */
	ck_assert_int_eq(inotify_wd_get_features(&f), 0);
	memset(seam.count, 0, sizeof(seam.count));
	ck_assert_int_eq(inotify_wd_restore(dst, s.w, s.n, WSIZE, &o, st), 0);
	*opens = seam.count[SEAM_HANDLE];
	*adds = seam.count[SEAM_ADD];
	expect_restored(&s);
	ck_assert_int_eq(queued_bytes(dst), 0);
	ck_assert_int_eq(open_fds(), fds_before);
	free_source(&s);
	free_files(files, n);
}

START_TEST(one_open_per_handle)
{
	struct inotify_wd_stats st;
	unsigned long opens, adds;
	const int n = 3000;

	count_calls(n, holed, &opens, &adds, &st);
	ck_assert_uint_eq(opens, n);
	/* Three calls a watch: open, add, close; the ioctl at each gap. */
	ck_assert_uint_ge(st.syscalls, 3UL * n);
	if (!V->fallback) {
		ck_assert_uint_eq(adds, n);
		ck_assert_uint_eq(seam.count[SEAM_SETNEXT], 3);
		ck_assert_uint_le(st.syscalls, 3UL * n + 3 + 40);
		return;
	}
	/*
	 * The fallback: the 2,000 watches before the last gap (wd 2,016)
	 * get their masks in a second add, through the fd kept open; each
	 * gap of 7 costs 7 cycles (an add and a removal each).
	 */
	ck_assert_uint_eq(adds, n + 2000 + 2 * 7);
	ck_assert_uint_eq(st.cycles, 2 * 7);
	ck_assert_uint_eq(seam.count[SEAM_RM], 2 * 7);
}
END_TEST

START_TEST(dense_one_add_each)
{
	struct inotify_wd_stats st;
	unsigned long opens, adds;
	const int n = 3000;

	count_calls(n, dense, &opens, &adds, &st);
	ck_assert_uint_eq(opens, n);
	/* The fallback's first add learns the cursor, a second arms it. */
	ck_assert_uint_eq(adds, V->fallback ? n + 1 : n);
	ck_assert_uint_eq(st.cycles, 0);
	ck_assert_uint_ge(st.syscalls, 3UL * n);
	ck_assert_uint_le(st.syscalls, 3UL * n + 40);
}
END_TEST

/*
 * Entries that name their mount fd need no worker thread; zeroed entries
 * (no INOTIFY_WD_WATCH_MOUNT_FD) look their mount up, whatever fd 0 is.
 */
START_TEST(mount_fd_and_zeroed_entries)
{
	struct inotify_wd_opts o = variant_opts();
	struct source s;
	char **files = make_files(50);
	int mfd, saved0, p[2];
	size_t i;

	make_source(&s, files, 50, dense);
	mfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(mfd, 0);
	for (i = 0; i < s.n; i++) {
		s.w[i].flags = INOTIFY_WD_WATCH_MOUNT_FD;
		s.w[i].mount_fd = mfd;
	}
	variant_enter();
	memset(seam.count, 0, sizeof(seam.count));
	ck_assert_int_eq(inotify_wd_restore(dst, s.w, s.n, WSIZE, &o, NULL), 0);
	ck_assert_uint_eq(seam.count[SEAM_THREAD], 0);
	ck_assert_int_eq(queued_bytes(dst), 0);
	close(dst);

	/* fd 0 a pipe: a zeroed mount_fd must not mean it. */
	for (i = 0; i < s.n; i++) {
		s.w[i].flags = 0;
		s.w[i].mount_fd = 0;
	}
	saved0 = dup(0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(dup2(p[0], 0), 0);
	dst = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_eq(inotify_wd_restore(dst, s.w, s.n, WSIZE, &o, NULL), 0);
	/* one thread: the lookup runs in it, no other task is made */
	ck_assert_uint_eq(seam.count[SEAM_THREAD], 0);
	ck_assert_int_eq(dup2(saved0, 0), 0);
	close(saved0);
	close(p[0]);
	close(p[1]);
	close(mfd);
	ck_assert_int_eq(kwatches(dst, (struct kwatch[MAX_KWATCH]){ 0 },
				  MAX_KWATCH), 50);
	free_source(&s);
	free_files(files, 50);
}
END_TEST

/*
 * Relative paths among handle entries resolve where the caller's cwd
 * is, although the worker moves its own between mounts; and the caller's
 * cwd is where it was.
 */
START_TEST(relative_paths_and_cwd)
{
	struct inotify_wd_opts o = variant_opts();
	char **files = make_files(4), before[4096], after[4096];
	struct source s;
	struct kstate k;
	struct stat sb;
	const char *target;
	int i;

	make_source(&s, files, 4, dense);
	/* Entries 1 and 3 by a path relative to the caller's cwd. */
	ck_assert_int_eq(chdir(sc.dir), 0);
	ck_assert_ptr_nonnull(getcwd(before, sizeof(before)));
	s.w[1].path = "a";
	s.w[3].path = "b";
	variant_enter();
	ck_assert_int_eq(inotify_wd_restore(dst, s.w, 4, WSIZE, &o, NULL), 0);
	ck_assert_ptr_nonnull(getcwd(after, sizeof(after)));
	ck_assert_str_eq(before, after);
	kstate(dst, &k);
	ck_assert_int_eq(k.n, 4);
	ck_assert_int_eq(k.queued, 0);
	for (i = 0; i < 4; i++) {
		target = i == 1 ? sc.a : i == 3 ? sc.b : files[i];
		ck_assert_int_eq(stat(target, &sb), 0);
		ck_assert_int_eq(k.w[i].wd, dense(i));
		ck_assert_uint_eq(k.w[i].ino, sb.st_ino);
	}
	free_source(&s);
	free_files(files, 4);
}
END_TEST

/* A fresh instance in dst, restored from s with o: 0 or the errno. */
static int restore_fresh(const struct source *s, struct inotify_wd_opts *o,
			 struct inotify_wd_stats *st)
{
	close(dst);
	dst = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(dst, 0);
	if (inotify_wd_restore(dst, s->w, s->n, WSIZE, o, st) < 0)
		return errno;
	return 0;
}

/* dst holds exactly the source's watches, and nothing is queued. */
static void expect_exactly(const struct source *s)
{
	char **got;
	int n, i;

	got = klines(dst, &n);
	ck_assert_int_eq(n, s->nlines);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(got[i], s->lines[i]);
	klines_free(got, n);
	ck_assert_int_eq(queued_bytes(dst), 0);
}

/* Another tmpfs stacked on the test's, hiding it at its mount point. */
static void overmount_root(void)
{
	ck_assert_int_eq(mount("iwd-over", root, "tmpfs", 0, "size=1m"), 0);
}

/*
 * The mount point mountinfo lists first for the device is overmounted,
 * but a bind mount of the same file system's root is listed too: the
 * handles open through it.  Once with the mount id from statx(), once
 * from fdinfo (kernels before 5.8, played by the seam).
 */
START_TEST(overmounted_point_second_mount)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_stats st;
	char **files = make_files(20);
	struct source s;
	int err;

	make_source(&s, files, 20, holed);
	snprintf(bind_dir, sizeof(bind_dir), "%s/bind", sc.dir);
	ck_assert_int_eq(mkdir(bind_dir, 0755), 0);
	ck_assert_int_eq(mount(root, bind_dir, NULL, MS_BIND, NULL), 0);
	overmount_root();
	variant_enter();
	err = restore_fresh(&s, &o, &st);
	ck_assert_msg(err == 0, "[%s] restore: %s (entry %zu)", V->name,
		      strerror(err), st.failed);
	expect_exactly(&s);
	ck_assert_int_eq(open_fds(), fds_before);

	seam.no_mount_id = true;
	ck_assert_int_eq(restore_fresh(&s, &o, NULL), 0);
	expect_exactly(&s);
	ck_assert_int_eq(open_fds(), fds_before);
	free_source(&s);
	free_files(files, 20);
}
END_TEST

/*
 * The one mount of the device is overmounted: ENODEV, whichever way the
 * mount id is learnt, and nothing is left behind.
 */
START_TEST(only_mount_overmounted)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_stats st;
	char **files = make_files(3);
	struct source s;
	int round;

	make_source(&s, files, 3, dense);
	overmount_root();
	variant_enter();
	for (round = 0; round < 2; round++) {
		seam.no_mount_id = round == 1;
		ck_assert_int_eq(restore_fresh(&s, &o, &st), ENODEV);
		ck_assert_uint_eq(st.failed, 0);
		ck_assert_int_eq(kwatches(dst, (struct kwatch[MAX_KWATCH]){ 0 },
					  MAX_KWATCH), 0);
		ck_assert_int_eq(queued_bytes(dst), 0);
		ck_assert_int_eq(open_fds(), fds_before);
	}
	free_source(&s);
	free_files(files, 3);
}
END_TEST

/*
 * A checkpoint tool restores a task in its own PID namespace, where it
 * is pid 1, and then forks the next tasks with the pids they had: the
 * restore must create no task, so that the next fork() gets pid 2.
 */
/* The pid-1 process of a new PID namespace: restore, then fork. */
static int restore_as_init(const struct source *s)
{
	struct inotify_wd_opts o = variant_opts();
	int status, fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	pid_t child;

	if (getpid() != 1 || fd < 0)
		return 10;
	if (inotify_wd_restore(fd, s->w, s->n, WSIZE, &o, NULL) < 0)
		return 11;
	child = fork();
	if (child == 0)
		_exit(getpid() == 2 ? 0 : 12);
	if (child < 0 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status))
		return 13;
	return WEXITSTATUS(status);
}

/* Its parent, in the namespace of the case's: 0 when it exited 0. */
static int in_new_pid_ns(const struct source *s)
{
	int status;
	pid_t init;

	if (unshare(CLONE_NEWPID) < 0)
		return 14;
	init = fork();
	if (init == 0)
		_exit(restore_as_init(s));
	if (init < 0 || waitpid(init, &status, 0) != init ||
	    !WIFEXITED(status))
		return 15;
	return WEXITSTATUS(status);
}

START_TEST(no_task_in_new_pid_ns)
{
	char **files = make_files(5);
	struct source s;
	int status;
	pid_t p;

	make_source(&s, files, 5, dense);
	/* a process of its own: after its pid 1 the namespace forks no more */
	p = fork();
	ck_assert_int_ge(p, 0);
	if (p == 0)
		_exit(in_new_pid_ns(&s));
	ck_assert_int_eq(waitpid(p, &status, 0), p);
	ck_assert(WIFEXITED(status));
	/* 12: the next task was not pid 2, the restore took a pid */
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	free_source(&s);
	free_files(files, 5);
}
END_TEST

/* What the progress callback saw. */
static struct {
	struct stat cwd;	/* the caller's */
	int calls, other_thread, other_cwd;
} seen;

static void note_progress(unsigned long done, unsigned long total, void *arg)
{
	struct stat here;

	seen.calls++;
	if (syscall(SYS_gettid) != getpid())
		seen.other_thread++;
	if (stat(".", &here) < 0 || here.st_dev != seen.cwd.st_dev ||
	    here.st_ino != seen.cwd.st_ino)
		seen.other_cwd++;
}

static int far(int i)
{
	return 2 + i * 40000;
}

static void *wait_pipe(void *arg)
{
	char c;

	return read(*(int *)arg, &c, 1) == 1 ? NULL : arg;
}

/*
 * The fallback's progress callback, for a handle looked up on its mount:
 * in the calling thread, in the caller's working directory, while the
 * call itself works in the mount's; threaded: the caller has another
 * thread, so the call works in a thread of the library's.
 */
static void progress_in_caller(bool threaded)
{
	struct inotify_wd_opts o = variant_opts();
	char **files = make_files(2);
	struct stat after;
	struct source s;
	pthread_t t;
	int p[2];

	make_source(&s, files, 2, far);
	ck_assert_int_eq(chdir(sc.dir), 0);
	ck_assert_int_eq(stat(".", &seen.cwd), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	if (threaded)
		ck_assert_int_eq(pthread_create(&t, NULL, wait_pipe, &p[0]), 0);
	o.flags |= INOTIFY_WD_FALLBACK;
	o.progress = note_progress;
	variant_enter();
	memset(seam.count, 0, sizeof(seam.count));
	ck_assert_int_eq(restore_fresh(&s, &o, NULL), 0);
	ck_assert_int_eq(write(p[1], "x", 1), 1);
	if (threaded)
		pthread_join(t, NULL);
	close(p[0]);
	close(p[1]);
	expect_exactly(&s);
	ck_assert_int_gt(seen.calls, 2);
	ck_assert_int_eq(seen.other_thread, 0);
	ck_assert_int_eq(seen.other_cwd, 0);
	ck_assert_uint_eq(seam.count[SEAM_THREAD], threaded);
	ck_assert_int_eq(stat(".", &after), 0);
	ck_assert(after.st_dev == seen.cwd.st_dev &&
		  after.st_ino == seen.cwd.st_ino);
	free_source(&s);
	free_files(files, 2);
}

START_TEST(progress_in_caller_alone)
{
	progress_in_caller(false);
}
END_TEST

START_TEST(progress_in_caller_threaded)
{
	progress_in_caller(true);
}
END_TEST

/*
 * A batch that fails midway (a stale handle) leaves the caller's
 * working directory where it was, and nothing else behind.
 */
START_TEST(cwd_kept_after_failure)
{
	struct inotify_wd_opts o = variant_opts();
	struct inotify_wd_stats st;
	char **files = make_files(5), before[4096], after[4096];
	struct stat b, a;
	struct source s;

	make_source(&s, files, 5, holed);
	/* tmpfs: the inode's generation leads its handle; now it opens none */
	s.w[3].handle[0] ^= 0xff;
	ck_assert_int_eq(chdir(sc.dir), 0);
	ck_assert_ptr_nonnull(getcwd(before, sizeof(before)));
	ck_assert_int_eq(stat(".", &b), 0);
	variant_enter();
	ck_assert_int_eq(restore_fresh(&s, &o, &st), ESTALE);
	ck_assert_uint_eq(st.failed, 3);
	ck_assert_ptr_nonnull(getcwd(after, sizeof(after)));
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(stat(".", &a), 0);
	ck_assert(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	ck_assert_int_eq(kwatches(dst, (struct kwatch[MAX_KWATCH]){ 0 },
				  MAX_KWATCH), 0);
	ck_assert_int_eq(queued_bytes(dst), 0);
	ck_assert_int_eq(open_fds(), fds_before);
	free_source(&s);
	free_files(files, 5);
}
END_TEST

/* A thread of the caller's that watches its working directory. */
static struct {
	struct stat cwd;
	volatile int stop;
	long samples, moved;
} watcher;

static void *watch_cwd(void *arg)
{
	struct stat here;

	while (!watcher.stop) {
		if (stat(".", &here) < 0 || here.st_dev != watcher.cwd.st_dev ||
		    here.st_ino != watcher.cwd.st_ino)
			watcher.moved++;
		watcher.samples++;
	}
	return arg;
}

/*
 * A caller with other threads: they share its working directory, so the
 * mount lookup runs in the library's thread, and theirs never moves.
 */
START_TEST(other_threads_cwd_untouched)
{
	struct inotify_wd_opts o = variant_opts();
	char **files = make_files(2000);
	struct source s;
	pthread_t t;

	make_source(&s, files, 2000, holed);
	ck_assert_int_eq(chdir(sc.dir), 0);
	ck_assert_int_eq(stat(".", &watcher.cwd), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, watch_cwd, NULL), 0);
	while (!__atomic_load_n(&watcher.samples, __ATOMIC_RELAXED))
		;
	variant_enter();
	memset(seam.count, 0, sizeof(seam.count));
	ck_assert_int_eq(restore_fresh(&s, &o, NULL), 0);
	watcher.stop = 1;
	pthread_join(t, NULL);
	ck_assert_uint_eq(seam.count[SEAM_THREAD], 1);
	ck_assert_int_gt(watcher.samples, 1);
	ck_assert_int_eq(watcher.moved, 0);
	expect_exactly(&s);
	ck_assert_int_eq(open_fds(), fds_before);
	free_source(&s);
	free_files(files, 2000);
}
END_TEST

/*
 * One Check test case per variant, unless this machine lacks what the
 * variant or setup() needs: then its cases are listed as left out.
 */
static void add_variant(Suite *s, const struct variant *v,
			void (*fixture)(void), const struct case_spec *cases,
			size_t n)
{
	const char *why = unmet(v->needs | NEED_HANDLES | NEED_MOUNT |
				NEED_FORK);
	TCase *tc;
	char what[64];
	size_t i;

	if (why) {
		snprintf(what, sizeof(what), "variant %s", v->name);
		leave_out(what, (int)n, why);
		return;
	}
	tc = tcase_create(v->name);
	/* Sized for a slow builder; CK_TIMEOUT_MULTIPLIER scales it. */
	tcase_set_timeout(tc, 600);
	tcase_add_checked_fixture(tc, fixture, teardown);
	for (i = 0; i < n; i++)
		add_case(tc, &cases[i]);
	suite_add_tcase(s, tc);
}

/* Check's fixtures take no argument: one per variant used. */
static void setup_ioctl(void)
{
	variant_setup(&variants[0]);
	setup();
}

static void setup_fallback(void)
{
	variant_setup(&variants[1]);
	setup();
}

int main(void)
{
	const struct case_spec cases[] = {
		CASE(whole_instance_dense), CASE(whole_instance_holed),
		/* the library keeps the fds of 2,000 entries only within
		 * half of what RLIMIT_NOFILE leaves free */
		NEEDS(one_open_per_handle, NEED_FDS,
		      "keeps 2,000 O_PATH fds open at once"),
		CASE(dense_one_add_each), CASE(mount_fd_and_zeroed_entries),
		CASE(relative_paths_and_cwd),
		CASE(overmounted_point_second_mount),
		CASE(only_mount_overmounted), CASE(no_task_in_new_pid_ns),
		CASE(progress_in_caller_alone),
		CASE(progress_in_caller_threaded), CASE(cwd_kept_after_failure),
		CASE(other_threads_cwd_untouched),
	};
	const size_t n = sizeof(cases) / sizeof(cases[0]);
	Suite *s = suite_create("handles");

	/* setup() mounts a tmpfs in a mount namespace of the case's own */
	add_variant(s, &variants[0], setup_ioctl, cases, n);
	add_variant(s, &variants[1], setup_fallback, cases, n);
	return run_suite(s);
}
