// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * Cases 7 and 8: whole instances restored by file handle, the way a
 * checkpoint tool restores them, against the loop such a tool writes by
 * hand: open_by_handle_at(mount fd, O_PATH), the ioctl only where the wd
 * does not follow the previous one, inotify_add_watch() on
 * /proc/self/fd/N (with IN_MASK_CREATE where the kernel has it), close.
 *
 * Case 7 compares the library's ways of taking the targets (a mount fd
 * given, or looked up: mount_fd = -1 in the old API) on the ioctl path and
 * the fallback; case 8 is the scale series, cost per watch from 10^3 to
 * 10^5 watches (10^6 with --million), on this kernel and, run by main()
 * in processes of their own, on the older kernels that seccomp plays.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* How one side takes its targets. */
enum target { LOOKUP, MOUNT_FD };

/* Entries of the scratch files, as a dump gives them (dense wds). */
static struct inotify_wd_watch *dense[2];	/* [LOOKUP], [MOUNT_FD] */
static struct inotify_wd_watch *scattered[2], *holed;
static int mount_fd = -1;	/* a real fd on the scratch filesystem */

struct handle_arg {
	const struct inotify_wd_watch *w;
	size_t n;
	unsigned int flags;	/* the library: inotify_wd_opts.flags */
	bool floor;		/* the hand-written loop instead */
	bool ioctl;		/* the floor sets the cursor at gaps */
	bool cycle;		/* the floor cycles to each wd (no ioctl) */
};

static void fill_handle(struct inotify_wd_watch *w, const char *path)
{
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) +
				  INOTIFY_WD_HANDLE_MAX];
	} h;
	struct stat sb;
	int mnt;

	h.fh.handle_bytes = INOTIFY_WD_HANDLE_MAX;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mnt, 0) < 0)
		die("name_to_handle_at %s: %s", path, strerror(errno));
	if (stat(path, &sb) < 0)
		die("stat %s: %s", path, strerror(errno));
	w->mask = BENCH_MASK;
	w->ino = sb.st_ino;
	w->dev = sb.st_dev;
	w->handle_type = h.fh.handle_type;
	w->handle_bytes = h.fh.handle_bytes;
	memcpy(w->handle, h.fh.f_handle, h.fh.handle_bytes);
}

static struct inotify_wd_watch *copy_of(const struct inotify_wd_watch *w,
					size_t n)
{
	struct inotify_wd_watch *c = malloc(n * sizeof(*c));

	if (!c)
		die("out of memory");
	memcpy(c, w, n * sizeof(*c));
	return c;
}

static void with_mount_fd(struct inotify_wd_watch *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		w[i].flags = INOTIFY_WD_WATCH_MOUNT_FD;
		w[i].mount_fd = mount_fd;
	}
}

/* Dense runs of 1,000 with a gap of 7 after each. */
static int holed_wd(size_t i)
{
	return (int)(i + 1 + i / 1000 * 7);
}

static void build_handles(struct run *run)
{
	size_t i, n = run->nfiles;

	if (dense[LOOKUP])
		return;
	mount_fd = open(scr.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount_fd < 0)
		die("open %s: %s", scr.dir, strerror(errno));
	dense[LOOKUP] = calloc(n, sizeof(*dense[LOOKUP]));
	if (!dense[LOOKUP])
		die("out of memory");
	for (i = 0; i < n; i++) {
		fill_handle(&dense[LOOKUP][i], scr.files[i]);
		dense[LOOKUP][i].wd = (int)i + 1;
	}
	dense[MOUNT_FD] = copy_of(dense[LOOKUP], n);
	with_mount_fd(dense[MOUNT_FD], n);
	scattered[LOOKUP] = copy_of(dense[LOOKUP], run->n);
	holed = copy_of(dense[LOOKUP], run->n);
	for (i = 0; i < run->n; i++) {
		scattered[LOOKUP][i].wd = run->scattered[i].wd;
		holed[i].wd = holed_wd(i);
	}
	scattered[MOUNT_FD] = copy_of(scattered[LOOKUP], run->n);
	with_mount_fd(scattered[MOUNT_FD], run->n);
}

/* The floor's way to the wd of entry w, without the ioctl: CRIU's loop. */
static void floor_cycle(int fd, const char *path, uint32_t mask, int wd)
{
	int got;

	while ((got = inotify_add_watch(fd, path, mask)) != wd) {
		if (got < 0 || got > wd || inotify_rm_watch(fd, got) < 0)
			die("floor: cycling to %d gave %d: %s", wd, got,
			    strerror(errno));
	}
}

/* The hand-written loop; returns its system calls. */
static double floor_restore(int fd, const struct handle_arg *a)
{
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) +
				  INOTIFY_WD_HANDLE_MAX];
	} h;
	double calls = 0;
	char path[40];
	int f, prev = 0, wd;
	size_t i;

	for (i = 0; i < a->n; i++) {
		wd = a->w[i].wd;
		h.fh.handle_bytes = a->w[i].handle_bytes;
		h.fh.handle_type = a->w[i].handle_type;
		memcpy(h.fh.f_handle, a->w[i].handle, a->w[i].handle_bytes);
		f = open_by_handle_at(mount_fd, &h.fh, O_PATH | O_CLOEXEC);
		if (f < 0)
			die("floor: open_by_handle_at: %s", strerror(errno));
		snprintf(path, sizeof(path), "/proc/self/fd/%d", f);
		if (a->ioctl && wd != prev + 1) {
			if (ioctl(fd, INOTIFY_IOC_SETNEXTWD, (unsigned long)wd))
				die("floor: ioctl: %s", strerror(errno));
			calls++;
		}
		if (a->cycle && wd != prev + 1)
			floor_cycle(fd, path, a->w[i].mask | create_bit, wd);
		else if (inotify_add_watch(fd, path,
					   a->w[i].mask | create_bit) != wd)
			die("floor: add %d: %s", wd, strerror(errno));
		close(f);
		calls += 3;
		prev = wd;
	}
	return calls;
}

static void side_handles(const void *p, struct sample *s)
{
	const struct handle_arg *a = p;
	const struct inotify_wd_opts o = { .flags = a->flags };
	struct inotify_wd_stats st;
	double t0;
	int fd;

	fd = instance();
	t0 = now_ns();
	if (a->floor) {
		s->syscalls = floor_restore(fd, a);
		/* The cycling floor leaves its add/rm pairs uncounted. */
		if (a->cycle)
			s->syscalls = -1;
	} else {
		if (inotify_wd_restore(fd, a->w, a->n, sizeof(*a->w), &o,
				       &st) < 0)
			die("inotify_wd_restore (%zu by handle): entry %zu: %s",
			    a->n, st.failed, strerror(errno));
		s->syscalls = (double)st.syscalls;
	}
	s->ns = now_ns() - t0;
	close(fd);
	settle();
	s->ops = (double)a->n;
}

static bool has_ioctl(void)
{
	return feat.setnextwd;
}

/* ---- case 7: the ways to take targets, at the batch size ---- */

struct pair {
	struct handle_arg lib, floor;
};

static void handle_row(struct run *run, const char *id, const char *title,
		       struct pair *pr, double target)
{
	struct side *s[2];

	s[0] = side_new("inotify_wd_restore by handle", side_handles,
			&pr->lib, &pr->lib, 1);
	s[1] = side_new("hand-written handle loop", side_handles, &pr->floor,
			&pr->floor, 1);
	group_run(s, 2, run->p->batch_rounds);
	row_add(id, title, s[0], s[1],
		target ? TARGET_RATIO_MAX : TARGET_NONE, target);
	note_add("%s: syscalls per watch: library %.3f, floor %.3f.", id,
		 s[0]->syscalls, s[1]->syscalls);
}

static void ioctl_rows(struct run *run, struct pair *pr)
{
	static const char *const ids[] = { "7a", "7b", "7c", "7d" };
	static const char *const titles[] = {
		"dense, mount lookup, ioctl: restore vs floor",
		"dense, mount fd given, ioctl: restore vs floor",
		"scattered, mount lookup, ioctl: restore vs floor",
		"scattered, mount fd given, ioctl: restore vs floor",
	};
	int i;

	for (i = 0; i < 4; i++) {
		if (!has_ioctl()) {
			row_skip(ids[i], titles[i],
				 "INOTIFY_IOC_SETNEXTWD unavailable");
			continue;
		}
		pr[i].lib = (struct handle_arg){
			.w = i < 2 ? dense[i] : scattered[i - 2], .n = run->n,
		};
		pr[i].floor = pr[i].lib;
		pr[i].floor.floor = pr[i].floor.ioctl = true;
		/* The floor always has its mount fd: it is the floor. */
		pr[i].floor.w = i < 2 ? dense[MOUNT_FD] : scattered[MOUNT_FD];
		handle_row(run, ids[i], titles[i], &pr[i],
			   i % 2 ? 0 : 1.10);
	}
}

void case_handles(struct run *run)
{
	static struct pair pr[7];
	int i;

	build_handles(run);
	progress(run, "7: %s watches by handle, %d rounds", counted(run->n),
		 run->p->batch_rounds);
	ioctl_rows(run, pr);
	/* The fallback: a dense run needs no cycle, a holed one does. */
	for (i = 4; i < 7; i++) {
		pr[i].lib = (struct handle_arg){
			.w = i == 6 ? holed : dense[i == 4 ? LOOKUP : MOUNT_FD],
			.n = run->n, .flags = INOTIFY_WD_FALLBACK,
		};
		pr[i].floor = (struct handle_arg){
			.w = i == 6 ? holed : dense[MOUNT_FD], .n = run->n,
			.floor = true, .cycle = i == 6,
		};
	}
	handle_row(run, "7e", "dense, mount lookup, fallback: vs floor",
		   &pr[4], 1.20);
	handle_row(run, "7f", "dense, mount fd given, fallback: vs floor",
		   &pr[5], 0);
	handle_row(run, "7g", "holed, mount lookup, fallback: vs CRIU loop",
		   &pr[6], 0);
	note_add("7: per watch, %s files by file handle (as dumped), dense wds 1..%zu, scattered %d..%d, holed: runs of 1,000 with gaps of 7; fresh instance per repetition, close not timed. Floor: open_by_handle_at(mount fd, O_PATH) [+ ioctl at gaps] + inotify_add_watch(/proc/self/fd/N, mask%s) + close; without the ioctl (7e-7g) the floor gets dense wds as they come and cycles add/rm on the target to pass a gap, never reading its IN_IGNORED events (CRIU's loop).",
		 counted(run->n), run->n, scattered[LOOKUP][0].wd,
		 scattered[LOOKUP][run->n - 1].wd,
		 create_bit ? "|IN_MASK_CREATE" : "");
}

/* ---- case 8: the scale series ---- */

/* The library's peak memory per watch, in a process of its own. */
static double peak_bytes_per_watch(const struct handle_arg *a)
{
	struct rusage before, after;
	int p[2], status;
	double v = -1;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		getrusage(RUSAGE_SELF, &before);
		side_handles(a, &(struct sample){ 0 });
		getrusage(RUSAGE_SELF, &after);
		v = (double)(after.ru_maxrss - before.ru_maxrss) * 1024.0 /
		    (double)a->n;
		_exit(write(p[1], &v, sizeof(v)) == sizeof(v) ? 0 : 1);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &v, sizeof(v)) != sizeof(v))
		v = -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return v;
}

static const char *method_name(unsigned int flags)
{
	return flags & INOTIFY_WD_FALLBACK || !has_ioctl() ? "fallback" :
							      "ioctl";
}

/* "k4.17 " on a played kernel, nothing on the machine's own. */
static const char *on_kernel(const struct run *run)
{
	static char buf[16];

	snprintf(buf, sizeof(buf), "%s%s", run->k ? run->k->name : "",
		 run->k ? " " : "");
	return buf;
}

/* One block of the plot's data: cost per watch against n, in µs. */
static void scale_data(const struct run *run, struct side **s, int n,
		       const struct handle_arg *lib, unsigned int flags)
{
	struct summary a, b;
	FILE *f;
	int i;

	if (!run->scale_dat)
		return;
	f = fopen(run->scale_dat, "a");
	if (!f)
		die("%s: %s", run->scale_dat, strerror(errno));
	fprintf(f, "# block: %s%s\n", on_kernel(run), method_name(flags));
	fprintf(f, "# n lib_med lib_min lib_max floor_med floor_min floor_max (µs per watch)\n");
	for (i = 0; i < n / 2; i++) {
		summarize(s[2 * i]->v, s[2 * i]->rounds, &a);
		summarize(s[2 * i + 1]->v, s[2 * i + 1]->rounds, &b);
		fprintf(f, "%zu %.4g %.4g %.4g %.4g %.4g %.4g\n", lib[i].n,
			a.med / 1e3, a.min / 1e3, a.max / 1e3, b.med / 1e3,
			b.min / 1e3, b.max / 1e3);
	}
	fprintf(f, "\n\n");
	if (fclose(f) != 0)
		die("%s: %s", run->scale_dat, strerror(errno));
}

/* One method on this kernel: each size against its floor, and flatness. */
static void scale_group(struct run *run, unsigned int flags, char letter)
{
	const struct plan *p = run->p;
	static struct handle_arg args[2][2][MAX_SCALE];
	static int used;
	struct handle_arg (*a)[MAX_SCALE] = args[used++ % 2];
	struct side *s[2 * MAX_SCALE];
	char id[16], title[96];
	int i, n = 0, i4 = -1, i5 = -1;
	/*
	 * The floor adds into a fresh instance as if nothing could be there:
	 * on a played kernel without IN_MASK_CREATE the library is told so
	 * too (on this one FRESH changes nothing).
	 */
	unsigned int fresh = run->k ? INOTIFY_WD_FRESH : 0;

	for (i = 0; i < p->nscale && p->scale[i] <= run->nfiles; i++) {
		a[0][i] = (struct handle_arg){ .w = dense[LOOKUP],
					       .n = p->scale[i],
					       .flags = flags | fresh };
		a[1][i] = (struct handle_arg){ .w = dense[MOUNT_FD],
					       .n = p->scale[i], .floor = true,
					       .ioctl = has_ioctl() &&
							!(flags & INOTIFY_WD_FALLBACK) };
		s[n++] = side_new("inotify_wd_restore by handle", side_handles,
				  &a[0][i], NULL, 1);
		s[n++] = side_new("hand-written handle loop", side_handles,
				  &a[1][i], NULL, 1);
		if (p->scale[i] == 10000)
			i4 = i;
		if (p->scale[i] == 100000)
			i5 = i;
	}
	progress(run, "8%c: scale series, %s, %d sizes, %d rounds", letter,
		 method_name(flags), n / 2, p->scale_rounds);
	group_run(s, n, p->scale_rounds);
	for (i = 0; i < n / 2; i++) {
		snprintf(id, sizeof(id), "8%c%d", letter, i + 1);
		snprintf(title, sizeof(title),
			 "%s%s by handle, %s: restore vs floor", on_kernel(run),
			 counted(a[0][i].n), method_name(flags));
		row_add(id, title, s[2 * i], s[2 * i + 1],
			a[0][i].n >= 1000000 ? TARGET_RATIO_MAX : TARGET_NONE,
			1.10);
	}
	if (i4 >= 0 && i5 >= 0) {
		snprintf(id, sizeof(id), "8%c%d", letter, n / 2 + 1);
		snprintf(title, sizeof(title),
			 "%sper watch, 10^5 vs 10^4, %s (flatness)",
			 on_kernel(run), method_name(flags));
		row_add(id, title, s[2 * i5], s[2 * i4], TARGET_RATIO_MAX,
			1.30);
	}
	scale_data(run, s, n, a[0], flags);
	if (n)
		note_add("8%c: peak memory of a restore of %s watches by handle, %s: %.0f bytes per watch beyond the caller's array (%zu bytes per entry), from ru_maxrss in a process of its own.",
			 letter, counted(a[0][n / 2 - 1].n), method_name(flags),
			 peak_bytes_per_watch(&a[0][n / 2 - 1]),
			 sizeof(struct inotify_wd_watch));
}

void case_scale(struct run *run)
{
	build_handles(run);
	if (has_ioctl())
		scale_group(run, 0, 'a');
	if (!run->k || !has_ioctl())
		scale_group(run, INOTIFY_WD_FALLBACK, 'b');
	note_add("8: cost per watch of restoring a whole instance of n dense watches by file handle (mount lookup), each size against its floor in the same rounds, all sizes interleaved; the flatness row compares the library's cost per watch at 10^5 and 10^4; on a played kernel the library gets INOTIFY_WD_FRESH, as the floor assumes an empty instance.");
}

/* The block titles, in the order the runs appended them. */
static int block_titles(FILE *dat, char titles[][64], int max)
{
	char line[256];
	int n = 0;

	while (n < max && fgets(line, sizeof(line), dat))
		if (!strncmp(line, "# block: ", 9) &&
		    sscanf(line + 9, "%63[^\n]", titles[n]) == 1)
			n++;
	return n;
}

static int write_scale_gp(const char *gp, const char *dat, const char *png,
			  const char *kernel)
{
	char titles[8][64];
	FILE *f, *d = fopen(dat, "r");
	int n, i;

	if (!d)
		return -1;
	n = block_titles(d, titles, 8);
	fclose(d);
	f = fopen(gp, "w");
	if (!f)
		return -1;
	fprintf(f, "# generated by inotifywd-bench\n"
		"if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) set terminal pngcairo size 1000,650; else set terminal png size 1000,650\n"
		"set output '%s'\n"
		"set title 'restore by file handle: cost per watch against the hand-written loop (%s)' noenhanced\n"
		"set logscale x\n"
		"set xrange [500:*]\n"
		"set format x '10^{%%L}'\n"
		"set xlabel 'watches restored in one call'\n"
		"set ylabel 'µs per watch'\n"
		"set yrange [0:*]\n"
		"set grid\n"
		"set key outside right\n"
		"plot ", png, kernel);
	for (i = 0; i < n; i++)
		fprintf(f, "%s'%s' index %d using 1:2:3:4 with yerrorlines lw 2 lc %d title 'library, %s', \\\n"
			"     '' index %d using 1:5 with lines dt 2 lc %d title 'floor, %s'",
			i ? ", \\\n     " : "", dat, i, i + 1, titles[i], i,
			i + 1, titles[i]);
	fprintf(f, "\n");
	return fclose(f);
}

void scale_plot(const char *prefix, const char *gnuplot, const char *kernel)
{
	struct plot p;

	plot_names(&p, prefix);
	if (write_scale_gp(p.gp, p.dat, p.png, kernel) < 0)
		die("writing %s: %s", p.gp, strerror(errno));
	plot_draw(&p, gnuplot);
}
