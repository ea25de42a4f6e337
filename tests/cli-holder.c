// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The helper processes of tests/cli.test.
 *
 * cli-holder [@]FD[:FLAG[,FLAG]] PATH:WD[:MASK]... [@FD[:FLAG] PATH:WD...]...
 *   The source process: an inotify instance at each fd FD (FLAG nonblock,
 *   cloexec, or async: O_ASYNC set with F_SETFL), with a watch on each PATH that follows it at wd WD (mask
 *   MASK, default IN_ALL_EVENTS), made with inotify_add_watch_at().
 *   Prints "ready" once they all exist, then sleeps until killed.  On
 *   SIGUSR1 it prints "queued FD BYTES" (FIONREAD) for each instance,
 *   then "end N" for the Nth signal: the kernel's own count, for the test
 *   to compare with what the dump says.
 *
 * cli-holder --queued FD...
 *   Print "FD BYTES" (FIONREAD) for each inherited FD: run inside the CMD
 *   of a restore, it shows what the restored instances hold.
 *
 * cli-holder --deny SYSCALL=ERRNO -- CMD [ARG]...
 *   Run CMD with SYSCALL (pidfd_open or pidfd_getfd) failing with ERRNO
 *   (EPERM or ENOSYS), as on a kernel or under a policy that refuses it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "inotify-wd.h"

#define MAX_INSTANCES	16

static int instance_fds[MAX_INSTANCES];
static int ninstances;

/* "cli-holder: WHAT: why", exit code. */
static void die(int code, const char *what)
{
	fprintf(stderr, "cli-holder: %s: %s\n", what, strerror(errno));
	exit(code);
}

/* long long: wds up to 0x7fffffff must parse on 32-bit too. */
static long long number(const char *s, const char *arg)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end) {
		errno = EINVAL;
		die(2, arg);
	}
	return v;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	if (s[0] == '0' && s[1] == 'x')
		s += 2;
	return strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

/* PATH:WD or PATH:WD:MASK; PATH may hold colons, the numbers do not. */
static void add(int fd, char *arg)
{
	char *copy = strdup(arg), *last, *prev;
	uint32_t mask = IN_ALL_EVENTS;
	int wd;

	last = copy ? strrchr(copy, ':') : NULL;
	if (!last) {
		errno = EINVAL;
		die(2, arg);
	}
	*last++ = '\0';
	prev = strrchr(copy, ':');
	if (prev && all_digits(prev + 1)) {
		*prev++ = '\0';
		mask = (uint32_t)number(last, arg);
		last = prev;
	}
	wd = (int)number(last, arg);
	if (inotify_add_watch_at(fd, copy, mask, wd) != wd)
		die(1, arg);
	free(copy);
}

/*
 * FD[:nonblock,cloexec,async]: the fd number, inotify_init1() flags, and
 * whether to set O_ASYNC.
 */
static int instance_spec(const char *arg, int *flags, bool *async)
{
	const char *colon = strchr(arg, ':');
	char num[32];

	*flags = 0;
	*async = false;
	if (!colon)
		return (int)number(arg, arg);
	snprintf(num, sizeof(num), "%.*s", (int)(colon - arg), arg);
	if (strstr(colon, "nonblock"))
		*flags |= IN_NONBLOCK;
	if (strstr(colon, "cloexec"))
		*flags |= IN_CLOEXEC;
	*async = strstr(colon, "async") != NULL;
	return (int)number(num, arg);
}

/* Each instance goes to its number at once: no two are ever in flight. */
static void place(int fd, int target, int flags)
{
	if (fd != target) {
		if (dup3(fd, target, (flags & IN_CLOEXEC) ? O_CLOEXEC : 0) < 0)
			die(1, "dup3");
		close(fd);
	}
	if (ninstances == MAX_INSTANCES) {
		errno = E2BIG;
		die(2, "instances");
	}
	instance_fds[ninstances++] = target;
}

/* Without F_SETOWN, O_ASYNC signals nobody: the holder sleeps on. */
static void make_instances(int argc, char **argv)
{
	int i = 1, fd, target, flags;
	bool async;

	while (i < argc) {
		target = instance_spec(argv[i] + (argv[i][0] == '@'), &flags,
				       &async);
		fd = inotify_init1(flags);
		if (fd < 0 || (async && fcntl(fd, F_SETFL,
					      fcntl(fd, F_GETFL) | O_ASYNC) < 0))
			die(1, argv[i]);
		for (i++; i < argc && argv[i][0] != '@'; i++)
			add(fd, argv[i]);
		place(fd, target, flags);
	}
}

static void print_queued(int fd, const char *prefix)
{
	int bytes = -1;

	if (ioctl(fd, FIONREAD, &bytes) < 0)
		printf("%s%d error %s\n", prefix, fd, strerror(errno));
	else
		printf("%s%d %d\n", prefix, fd, bytes);
}

static int hold(int argc, char **argv)
{
	unsigned long signals = 0;
	sigset_t set;
	int i, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	make_instances(argc, argv);
	printf("ready\n");
	fflush(stdout);
	/* sigwait() only fails on a bad set. */
	while (sigwait(&set, &sig) == 0) {
		for (i = 0; i < ninstances; i++)
			print_queued(instance_fds[i], "queued ");
		printf("end %lu\n", ++signals);
		fflush(stdout);
	}
	return 1;
}

static int queued(int argc, char **argv)
{
	int i;

	for (i = 2; i < argc; i++)
		print_queued((int)number(argv[i], argv[i]), "");
	return 0;
}

/* The syscall a --deny spec names, or -1; *err gets its errno. */
static long deny_spec(const char *spec, unsigned int *err)
{
	const char *eq = strchr(spec, '=');
	long nr = -1;

	if (!eq)
		return -1;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	if (strncmp(spec, "pidfd_open=", 11) == 0)
		nr = SYS_pidfd_open;
	else if (strncmp(spec, "pidfd_getfd=", 12) == 0)
		nr = SYS_pidfd_getfd;
#endif
	if (strcmp(eq, "=EPERM") == 0)
		*err = EPERM;
	else if (strcmp(eq, "=ENOSYS") == 0)
		*err = ENOSYS;
	else
		nr = -1;
	return nr;
}

/*
 * The filter matches the syscall number alone, without checking the
 * architecture: it only ever makes a call fail, and a call of another ABI
 * with the same number failing too does no harm in a test.
 */
static int deny(int argc, char **argv)
{
	const char *spec = argc > 2 ? argv[2] : "";
	unsigned int err = 0;
	long nr = deny_spec(spec, &err);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]),
		.filter = f,
	};

	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		errno = EINVAL;
		die(2, "usage: --deny SYSCALL=ERRNO -- CMD");
	}
	if (nr < 0) {
		errno = ENOTSUP;
		die(77, spec);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		die(77, "seccomp");
	execvp(argv[4], argv + 4);
	die(127, argv[4]);
	return 127;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: cli-holder [@]FD[:FLAGS] PATH:WD[:MASK]...\n"
				"       cli-holder --queued FD...\n"
				"       cli-holder --deny SYSCALL=ERRNO -- CMD...\n");
		return 2;
	}
	if (strcmp(argv[1], "--queued") == 0)
		return queued(argc, argv);
	if (strcmp(argv[1], "--deny") == 0)
		return deny(argc, argv);
	return hold(argc, argv);
}
