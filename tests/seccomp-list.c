// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The system calls libinotifywd(7) lists for seccomp are all the library
 * needs.  The list is read from the page itself (argv[1]), from the
 * example blocks (.EX ... .EE) of its "seccomp and other sandboxes"
 * subsection, so page and test cannot drift apart.  Each scenario runs
 * in a child of its own under a filter that allows only those calls and
 * the few this program needs itself, and traps every other one: the
 * SIGSYS handler passes the call's number up a pipe and the child dies;
 * the parent names the call.  The library is the one built from
 * lib/sys.c (not the test suite's seam), as applications link it.
 *
 * Usage: seccomp-list PAGE.  Exit 0: every scenario ran and gave the
 * expected results; 1: one did not; 77: seccomp is unavailable; 99: the
 * page or the machine could not be read.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inotify-wd.h"

#define MASK		(IN_MODIFY | IN_ATTRIB)
#define WSIZE		sizeof(struct inotify_wd_watch)
#define MAX_NAMES	128

/*
 * What this program issues itself once the filter is in, and why:
 *   write       a child reports a wrong result, and the SIGSYS handler
 *               the number of a refused call, to the parent;
 *   exit_group  a child ends (_exit()), from the handler too.
 * Nothing else: the children prepare their state before the filter.
 */
static const char *const harness[] = { "write", "exit_group" };

static const char *names[MAX_NAMES];
static int nnames;
static int report_fd = -1;	/* the child's end of the SIGSYS pipe */

/* ---- the list, from the page ---- */

static bool known_somewhere(const char *name)
{
	static const uint32_t arches[] = {
		SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_AARCH64,
	};
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (seccomp_syscall_resolve_name_arch(arches[i], name) !=
		    __NR_SCMP_ERROR)
			return true;
	return false;
}

static int add_names(char *line)
{
	char *save = NULL, *w;

	for (w = strtok_r(line, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save)) {
		if (!known_somewhere(w)) {
			fprintf(stderr, "seccomp-list: the page lists \"%s\","
				" a system call of no architecture\n", w);
			return -1;
		}
		if (nnames == MAX_NAMES)
			return -1;
		names[nnames++] = strdup(w);
	}
	return 0;
}

/* The words of the .EX blocks of the seccomp subsection. */
static int read_list(const char *page)
{
	FILE *f = fopen(page, "r");
	char line[512];
	bool in_section = false, in_example = false, bad = false;

	if (!f) {
		perror(page);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, ".SS ", 4) || !strncmp(line, ".SH ", 4))
			in_section = strstr(line, "seccomp") != NULL;
		else if (in_section && !strncmp(line, ".EX", 3))
			in_example = true;
		else if (in_section && !strncmp(line, ".EE", 3))
			in_example = false;
		else if (in_example && (bad = (add_names(line) < 0)))
			break;
	}
	fclose(f);
	if (bad)
		return -1;	/* add_names() said why */
	if (in_example || nnames < 10) {
		fprintf(stderr, "seccomp-list: no list of system calls in the"
			" seccomp subsection of %s\n", page);
		return -1;
	}
	return 0;
}

/* ---- the child's side ---- */

static void put(const char *s)
{
	ssize_t ignored = write(STDERR_FILENO, s, strlen(s));

	(void)ignored;
}

/* A wrong result: said on stderr, the child ends with 2. */
static int wrong(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int wrong(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(buf);
	put("\n");
	return -1;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	int nr = si->si_syscall;
	ssize_t ignored = write(report_fd, &nr, sizeof(nr));

	(void)sig;
	(void)uc;
	(void)ignored;
	_exit(3);
}

static void enter_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };
	size_t i;
	int nr;

	if (!ctx || sigaction(SIGSYS, &sa, NULL) < 0)
		_exit(99);
	for (i = 0; i < sizeof(harness) / sizeof(harness[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
				     seccomp_syscall_resolve_name(harness[i]),
				     0) < 0)
			_exit(99);
	for (i = 0; i < (size_t)nnames; i++) {
		/*
		 * Names of other architectures (readlink on aarch64) are
		 * unknown or negative (libseccomp's pseudo numbers).
		 */
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr >= 0 &&
		    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0)
			_exit(99);
	}
	if (seccomp_load(ctx) < 0)
		_exit(99);
	/* Not released: free() is the C library's; it runs at the end. */
}

/* ---- the scenarios: state before the filter, then library calls ---- */

static char dir[64], path_a[96], path_b[96], path_c[96], missing[96];
static struct inotify_wd_watch handle_of[3];	/* a, b, c by handle */
static int ifd;				/* the child's instance */
static pid_t self;			/* the child, for a dump by pid */
static const struct inotify_wd_opts fallback = {
	.flags = INOTIFY_WD_FALLBACK };
static const struct inotify_wd_opts fallback_no_rollback = {
	.flags = INOTIFY_WD_FALLBACK | INOTIFY_WD_NO_ROLLBACK };
static const struct inotify_wd_opts no_rollback = {
	.flags = INOTIFY_WD_NO_ROLLBACK };

static int expect_wd(int got, int wd, const char *what)
{
	if (got != wd)
		return wrong("%s: got %d (errno %d), expected %d", what, got,
			     errno, wd);
	return 0;
}

static int add(const struct inotify_wd_opts *o, const char *path, int wd)
{
	return expect_wd(inotify_wd_add_watch(ifd, path, MASK, wd, o, NULL),
			 wd, path);
}

/* A far wd, a gap, then the cursor already there. */
static int add_ioctl(void)
{
	return add(NULL, path_a, 100000) || add(NULL, path_b, 100010) ||
	       add(NULL, path_c, 100011);
}

static int add_fallback(void)
{
	return add(&fallback, path_a, 3000) || add(&fallback, path_b, 3010) ||
	       add(&fallback, path_c, 3011);
}

static int set_next(const struct inotify_wd_opts *o, int wd)
{
	if (inotify_wd_set_next(ifd, wd, o, NULL) < 0)
		return wrong("set_next %d: errno %d", wd, errno);
	return expect_wd(inotify_add_watch(ifd, path_a, MASK), wd, "set_next");
}

static int set_next_ioctl(void)
{
	return set_next(NULL, 5000);
}

static int set_next_fallback(void)
{
	return set_next(&fallback, 700);
}

static struct inotify_wd_watch by_path(const char *path, int wd)
{
	struct inotify_wd_watch w;

	memset(&w, 0, sizeof(w));
	w.wd = wd;
	w.mask = MASK;
	w.path = path;
	return w;
}

static int restore(const struct inotify_wd_watch *w, size_t n,
		   const struct inotify_wd_opts *o, int err)
{
	int ret = inotify_wd_restore(ifd, w, n, WSIZE, o, NULL);

	if (err ? ret != -1 || errno != err : ret != 0)
		return wrong("restore of %zu: returned %d, errno %d, "
			     "expected errno %d", n, ret, errno, err);
	return 0;
}

/* Unsorted, with a gap; then one whose middle entry fails. */
static int restore_paths(const struct inotify_wd_opts *o,
			 const struct inotify_wd_opts *keep)
{
	struct inotify_wd_watch w[3] = {
		by_path(path_c, 40), by_path(path_a, 10), by_path(path_b, 11),
	};
	struct inotify_wd_watch bad[3] = {
		by_path(path_a, 60), by_path(missing, 65), by_path(path_b, 70),
	};
	int fresh;

	if (restore(w, 3, o, 0))
		return -1;
	fresh = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fresh < 0)
		return wrong("inotify_init1: errno %d", errno);
	ifd = fresh;
	if (restore(bad, 3, o, ENOENT))	/* rolled back */
		return -1;
	/* Kept: a, the first, stays.  Ahead: the fallback moved on. */
	bad[0].wd += 100;
	bad[1].wd += 100;
	bad[2].wd += 100;
	return restore(bad, 3, keep, ENOENT) || restore(NULL, 0, o, 0);
}

static int restore_paths_ioctl(void)
{
	return restore_paths(NULL, &no_rollback);
}

static int restore_paths_fallback(void)
{
	return restore_paths(&fallback, &fallback_no_rollback);
}

/* By handle, the mount found in /proc/self/mountinfo. */
static int restore_handles_ioctl(void)
{
	return restore(handle_of, 3, NULL, 0);
}

static int restore_handles_fallback(void)
{
	return restore(handle_of, 3, &fallback, 0);
}

/* Handles around a missing path: the first stays, ENOENT. */
static int restore_handles_failing(void)
{
	struct inotify_wd_watch w[3];

	memcpy(w, handle_of, sizeof(w));
	w[1] = by_path(missing, w[1].wd);
	return restore(w, 3, &no_rollback, ENOENT);
}

static int dump_parse(void)
{
	static const char text[] = "inotify wd:3 ino:1a sdev:800001 mask:2 "
				   "ignored_mask:0\n";
	struct inotify_wd_watch *w;
	size_t n;

	if (inotify_wd_dump(0, ifd, &w, &n, WSIZE) < 0 || n != 1)
		return wrong("dump: errno %d", errno);
	free(w);
	if (inotify_wd_dump(self, ifd, &w, &n, WSIZE) < 0 || n != 1)
		return wrong("dump by pid: errno %d", errno);
	free(w);
	if (inotify_wd_parse(text, sizeof(text) - 1, &w, &n, WSIZE) < 0 ||
	    n != 1 || w[0].wd != 3)
		return wrong("parse: errno %d", errno);
	free(w);
	return 0;
}

/*
 * Paths: three by their handles, one without a handle found by a walk
 * of the working directory (a hint), checked beneath /proc/self/root.
 */
static int find_paths(void)
{
	struct inotify_wd_opts o = { .max_walk = 100000 };
	struct inotify_wd_watch w[4];
	char *s;
	int i;

	memcpy(w, handle_of, sizeof(handle_of));
	w[3] = handle_of[1];
	w[3].handle_bytes = 0;
	if (inotify_wd_find_paths(0, w, 4, WSIZE, &o, &s) != 0)
		return wrong("find_paths: errno %d", errno);
	for (i = 0; i < 4; i++)
		if (strcmp(w[i].path, i == 3 ? path_b :
				      i == 0 ? path_a :
				      i == 1 ? path_b : path_c) != 0)
			return wrong("find_paths: %s", w[i].path);
	free(s);
	return 0;
}

static int features(void)
{
	struct inotify_wd_features f;

	if (inotify_wd_get_features(&f) < 0)
		return wrong("get_features: errno %d", errno);
	return 0;
}

/* A second thread, made before the filter, waits in read() till the end. */
static void *idle(void *arg)
{
	char c;
	ssize_t ignored = read(*(int *)arg, &c, 1);

	(void)ignored;
	return NULL;
}

static void second_thread(void)
{
	static int p[2];
	pthread_t t;

	if (pipe(p) < 0 || pthread_create(&t, NULL, idle, &p[0]) != 0)
		_exit(99);
}

static void in_dir(void)
{
	if (chdir(dir) < 0)
		_exit(99);
}

static void in_dir_second_thread(void)
{
	in_dir();
	second_thread();
}

static void dump_prepare(void)
{
	self = getpid();
	if (inotify_add_watch(ifd, path_a, MASK) < 0)
		_exit(99);
}

#define NEED_IOCTL	0x1
#define NEED_HANDLES	0x2

static const struct scenario {
	const char *name;
	int (*run)(void);
	void (*prepare)(void);
	unsigned int needs;
} scenarios[] = {
	{ "add, ioctl: a far wd, a gap", add_ioctl, NULL, NEED_IOCTL },
	{ "add, fallback forced: a far wd, a gap", add_fallback, NULL, 0 },
	{ "set_next, ioctl", set_next_ioctl, NULL, NEED_IOCTL },
	{ "set_next, fallback forced", set_next_fallback, NULL, 0 },
	{ "restore by path, ioctl, a failing entry, with and without "
	  "rollback", restore_paths_ioctl, NULL, NEED_IOCTL },
	{ "restore by path, fallback forced, a failing entry, with and "
	  "without rollback", restore_paths_fallback, NULL, 0 },
	{ "restore by handle, mount lookup, ioctl", restore_handles_ioctl,
	  NULL, NEED_IOCTL | NEED_HANDLES },
	{ "restore by handle, mount lookup, fallback forced",
	  restore_handles_fallback, NULL, NEED_HANDLES },
	{ "restore by handle, mount lookup, a second thread",
	  restore_handles_ioctl, second_thread, NEED_HANDLES },
	{ "restore by handle, a failing entry, no rollback",
	  restore_handles_failing, NULL, NEED_HANDLES },
	{ "dump and parse", dump_parse, dump_prepare, 0 },
	{ "find_paths: by handle, by a walk", find_paths, in_dir,
	  NEED_HANDLES },
	{ "find_paths: by handle, by a walk, a second thread", find_paths,
	  in_dir_second_thread, NEED_HANDLES },
	{ "get_features", features, NULL, 0 },
};

static void child(const struct scenario *s, int report)
{
	report_fd = report;
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0)
		_exit(99);
	if (s->prepare)
		s->prepare();
	enter_filter();
	_exit(s->run() == 0 ? 0 : 2);
}

/* ---- the parent's side ---- */

/* Runs s in a child; true when it ended with 0. */
static bool run_scenario(const struct scenario *s)
{
	int p[2], status, nr;
	char *name;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return false;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(s, p[1]);
	}
	close(p[1]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		close(p[0]);
		return false;
	}
	if (read(p[0], &nr, sizeof(nr)) == (ssize_t)sizeof(nr)) {
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		printf("FAIL: %s: system call %d (%s) is not in the list\n",
		       s->name, nr, name ? name : "?");
		free(name);
		close(p[0]);
		return false;
	}
	close(p[0]);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		/*
		 * The kernel kills without the handler when SIGSYS is
		 * blocked: the library starts its thread with every
		 * signal blocked.
		 */
		printf("FAIL: %s: a system call refused while signals were "
		       "blocked; strace -f -e signal=SIGSYS names it\n",
		       s->name);
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("FAIL: %s: the child ended with status 0x%x\n",
		       s->name, status);
		return false;
	}
	printf("PASS: %s\n", s->name);
	return true;
}

/* A filter allowing everything loads: seccomp is there to test with. */
static bool seccomp_works(void)
{
	scmp_filter_ctx ctx;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		_exit(ctx && seccomp_load(ctx) == 0 ? 0 : 1);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool kernel_setnextwd(void)
{
	int fd = inotify_init1(IN_CLOEXEC);
	bool ok = fd >= 0 && ioctl(fd, INOTIFY_IOC_SETNEXTWD, 1UL) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		exit(99);
	close(fd);
}

/*
 * The entries by handle, as a dump records them; NULL when this machine
 * cannot restore them, and why.
 */
static const char *make_handles(void)
{
	const char *paths[3] = { path_a, path_b, path_c };
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) +
				  INOTIFY_WD_HANDLE_MAX];
	} h;
	struct stat st;
	int i, mnt, fd;

	for (i = 0; i < 3; i++) {
		h.fh.handle_bytes = INOTIFY_WD_HANDLE_MAX;
		if (name_to_handle_at(AT_FDCWD, paths[i], &h.fh, &mnt, 0) < 0 ||
		    stat(paths[i], &st) < 0)
			return "the scratch file system gives no file handles";
		memset(&handle_of[i], 0, sizeof(handle_of[i]));
		handle_of[i].wd = 20 + 2 * i;
		handle_of[i].mask = MASK;
		handle_of[i].ino = st.st_ino;
		handle_of[i].dev = st.st_dev;
		handle_of[i].handle_type = h.fh.handle_type;
		handle_of[i].handle_bytes = h.fh.handle_bytes;
		memcpy(handle_of[i].handle, h.fh.f_handle, h.fh.handle_bytes);
	}
	mnt = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = open_by_handle_at(mnt, &h.fh, O_PATH | O_CLOEXEC);
	close(mnt);
	if (fd < 0)
		return "needs CAP_DAC_READ_SEARCH (open_by_handle_at), i.e. root";
	close(fd);
	return NULL;
}

static const char *unmet(unsigned int needs, const char *handles)
{
	if ((needs & NEED_IOCTL) && !kernel_setnextwd())
		return "the kernel has no INOTIFY_IOC_SETNEXTWD";
	if (needs & NEED_HANDLES)
		return handles;
	return NULL;
}

static void scratch(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/iwd-XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		exit(99);
	snprintf(path_a, sizeof(path_a), "%s/a", dir);
	snprintf(path_b, sizeof(path_b), "%s/b", dir);
	snprintf(path_c, sizeof(path_c), "%s/c", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	touch(path_a);
	touch(path_b);
	touch(path_c);
}

int main(int argc, char **argv)
{
	size_t i, n = sizeof(scenarios) / sizeof(scenarios[0]);
	const char *handles, *why;
	int failed = 0, ran = 0, native = 0;

	if (argc != 2 || read_list(argv[1]) < 0)
		return 99;
	if (!seccomp_works()) {
		printf("SKIP: seccomp filters cannot be loaded here\n");
		return 77;
	}
	for (i = 0; i < (size_t)nnames; i++)
		native += seccomp_syscall_resolve_name(names[i]) >= 0;
	printf("the list: %d names, %d of them on this architecture\n",
	       nnames, native);
	scratch();
	handles = make_handles();
	for (i = 0; i < n; i++) {
		why = unmet(scenarios[i].needs, handles);
		if (why) {
			printf("left out: %s: %s\n", scenarios[i].name, why);
			continue;
		}
		ran++;
		failed += !run_scenario(&scenarios[i]);
	}
	unlink(path_a);
	unlink(path_b);
	unlink(path_c);
	rmdir(dir);
	printf("%d passed, %d failed, %zu left out\n", ran - failed, failed,
	       n - (size_t)ran);
	return failed ? 1 : ran ? 0 : 77;
}
