// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The scratch directory the benchmark watches files in, removed on every
 * way out (normal end, die(), SIGINT/SIGTERM/SIGHUP), and machine facts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* What the signal handler removes: set up before any file exists. */
static struct scratch *cur;
/*
 * files[0..created) exist, and files[created] may: a signal that arrives
 * during open(O_CREAT) is handled once the file is there.
 */
static volatile sig_atomic_t created;

/* Only async-signal-safe calls: it also runs from the signal handler. */
static void remove_files(void)
{
	sig_atomic_t i;

	if (!cur)
		return;
	for (i = 0; i <= created && (size_t)i < cur->nfiles; i++)
		unlink(cur->files[i]);
	if (cur->watched)
		unlink(cur->watched);
	rmdir(cur->dir);
}

static void on_signal(int sig)
{
	watches_restore();
	remove_files();
	signal(sig, SIG_DFL);
	raise(sig);
}

static char *xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	return p;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		die("cannot create %s: %s", path, strerror(errno));
	close(fd);
}

void scratch_create(struct scratch *s, size_t nfiles)
{
	const char *tmp = getenv("TMPDIR");
	struct sigaction sa;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!tmp || !*tmp)
		tmp = "/tmp";
	s->dir = xasprintf("%s/inotifywd-bench.XXXXXX", tmp);
	if (!mkdtemp(s->dir))
		die("mkdtemp %s: %s", s->dir, strerror(errno));
	s->files = calloc(nfiles ? nfiles : 1, sizeof(*s->files));
	if (!s->files)
		die("out of memory");
	for (i = 0; i < nfiles; i++)
		s->files[i] = xasprintf("%s/f%05zu", s->dir, i);
	s->nfiles = nfiles;

	cur = s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	s->watched = xasprintf("%s/watched", s->dir);
	touch(s->watched);
	for (i = 0; i < nfiles; i++) {
		touch(s->files[i]);
		created = (sig_atomic_t)(i + 1);
	}
}

void scratch_remove(void)
{
	struct scratch *s = cur;
	size_t i;

	if (!s)
		return;
	remove_files();
	cur = NULL;
	created = 0;
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	free(s->watched);
	free(s->dir);
	memset(s, 0, sizeof(*s));
}

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("inotifywd-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	scratch_remove();
	watches_restore();
	exit(1);
}

long read_long(const char *path, long def)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return def;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return def;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* The first "model name" (x86) or "Hardware"/"cpu" (others) line. */
static void cpu_model(char *cpu, size_t clen)
{
	static const char *const keys[] = { "model name", "Hardware", "cpu" };
	char line[256], *colon, *end;
	size_t k;
	FILE *f;

	snprintf(cpu, clen, "unknown");
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return;
	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		rewind(f);
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, keys[k], strlen(keys[k])) != 0)
				continue;
			colon = strchr(line, ':');
			if (!colon)
				continue;
			colon += strspn(colon + 1, " \t") + 1;
			end = colon + strcspn(colon, "\n");
			*end = '\0';
			snprintf(cpu, clen, "%s", colon);
			fclose(f);
			return;
		}
	}
	fclose(f);
}

void machine_facts(char *kernel, size_t klen, char *cpu, size_t clen,
		   char *date, size_t dlen)
{
	struct utsname u;
	time_t t = time(NULL);
	struct tm tm;

	if (uname(&u) == 0)
		snprintf(kernel, klen, "%s %s", u.release, u.machine);
	else
		snprintf(kernel, klen, "unknown");
	cpu_model(cpu, clen);
	if (!localtime_r(&t, &tm) ||
	    !strftime(date, dlen, "%Y-%m-%d %H:%M:%S %z", &tm))
		snprintf(date, dlen, "unknown");
}
