// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/* Helpers every case uses: instances, the cursor, pauses, numbers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

#define WATCHES_SYSCTL	"/proc/sys/fs/inotify/max_user_watches"

struct scratch scr;
static char old_watches[32];
static volatile sig_atomic_t watches_raised;
struct inotify_wd_features feat;
uint32_t create_bit;

int instance(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		die("inotify_init1: %s", strerror(errno));
	return fd;
}

void set_cursor(int fd, int wd)
{
	if (ioctl(fd, INOTIFY_IOC_SETNEXTWD, (unsigned long)wd) < 0)
		die("INOTIFY_IOC_SETNEXTWD %d: %s", wd, strerror(errno));
}

/* The ioctl where the kernel has it, else the library's own fallback. */
void move_cursor(int fd, int wd)
{
	if (feat.setnextwd)
		set_cursor(fd, wd);
	else if (inotify_wd_set_next(fd, wd, NULL, NULL) < 0)
		die("inotify_wd_set_next %d: %s", wd, strerror(errno));
}

/* Untimed: after a close, the kernel frees marks and connectors later. */
void settle(void)
{
	const struct timespec t = { 0, SETTLE_NS };

	nanosleep(&t, NULL);
}

const char *counted(unsigned long n)
{
	static char buf[4][32];
	static int i;

	i = (i + 1) % 4;
	fmt_count(buf[i], sizeof(buf[i]), n);
	return buf[i];
}

void progress(const struct run *run, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "[%6.1f s] ", (now_ns() - run->t_start) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool write_sysctl(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(text);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, text, (size_t)len) == len;
	close(fd);
	return ok;
}

bool watches_raise(long want)
{
	char text[32];
	long now = read_long(WATCHES_SYSCTL, -1);

	if (geteuid() != 0 || now < 0 || watches_raised)
		return false;
	snprintf(old_watches, sizeof(old_watches), "%ld", now);
	snprintf(text, sizeof(text), "%ld", want);
	if (!write_sysctl(WATCHES_SYSCTL, text))
		return false;
	watches_raised = 1;
	fprintf(stderr, "inotifywd-bench: max_user_watches raised from %ld to %ld for the run\n",
		now, want);
	return true;
}

/* Only async-signal-safe calls: scratch.c's signal handler runs it. */
void watches_restore(void)
{
	if (!watches_raised)
		return;
	watches_raised = 0;
	write_sysctl(WATCHES_SYSCTL, old_watches);
}

/* Runs gnuplot on a script: 0 when it made the picture. */
int run_gnuplot(const char *prog, const char *script)
{
	char *argv[3];
	int status;
	pid_t pid;

	argv[0] = (char *)prog;
	argv[1] = (char *)script;
	argv[2] = NULL;
	if (posix_spawnp(&pid, prog, NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void plot_names(struct plot *p, const char *prefix)
{
	if (asprintf(&p->dat, "%s.dat", prefix) < 0 ||
	    asprintf(&p->gp, "%s.gp", prefix) < 0 ||
	    asprintf(&p->png, "%s.png", prefix) < 0)
		die("out of memory");
}

/* Without gnuplot the data and script are still left for the reader. */
void plot_draw(struct plot *p, const char *gnuplot)
{
	if (!gnuplot || !*gnuplot)
		printf("plot: gnuplot not available: %s skipped (data in %s, script in %s)\n",
		       p->png, p->dat, p->gp);
	else if (run_gnuplot(gnuplot, p->gp) < 0)
		printf("plot: %s %s failed: no %s (data in %s)\n", gnuplot,
		       p->gp, p->png, p->dat);
	else
		printf("plot: %s (data in %s, script in %s)\n", p->png, p->dat,
		       p->gp);
	free(p->dat);
	free(p->gp);
	free(p->png);
}
