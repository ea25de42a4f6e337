// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright (C) 2026 the libinotifywd authors
/*
 * The progress line of the fallback, on stderr when it is a terminal.
 *
 * The library calls back every 16384 cycles with (done, total) of the
 * stretch it is cycling.  Most stretches end well within a second, and a
 * line that flashes by is noise, so the line only appears once the
 * estimated length of the stretch exceeds a second.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define SHOW_AFTER_MS	1000.0

double elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

void progress_begin(struct progress *p)
{
	*p = (struct progress){ .tty = isatty(STDERR_FILENO) == 1 };
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

static void clear_line(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r%*s\r", p->width, "");
	p->shown = false;
	p->width = 0;
}

void progress_report(unsigned long done, unsigned long total, void *arg)
{
	struct progress *p = arg;
	double ms, rate;
	int width;

	if (!p->tty)
		return;
	/* A restore cycles once per watch: each stretch starts from 0. */
	if (done < p->last)
		clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = done;
	ms = elapsed_ms(&p->start);
	if (!done || ms <= 0.0)
		return;
	if (!p->shown && ms * (double)total / (double)done < SHOW_AFTER_MS)
		return;
	rate = (double)done * 1e3 / ms;
	width = fprintf(stderr, "\rcycles %lu/%lu, %.0f/s, ETA %.0f s",
			done, total, rate, (double)(total - done) / rate);
	/* Blank out what is left of a longer previous line. */
	if (width - 1 < p->width)
		fprintf(stderr, "%*s", p->width - (width - 1), "");
	if (width - 1 > p->width)
		p->width = width - 1;
	p->shown = true;
}

void progress_end(struct progress *p)
{
	if (p->tty)
		clear_line(p);
}
