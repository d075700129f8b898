// SPDX-License-Identifier: GPL-2.0
/*
 * wq_bench - the benchmark of make bench and make bench-smoke
 *
 *	wq_bench [--smoke] [--zero] [--cases 1,2,...] [--reps N]
 *
 * Runs the cases of the benchmark in the guest and prints raw samples
 * (bench.h says the format).  --zero runs only the measurements that need
 * no queue, which the unpatched base kernel can run too: the patched and
 * pristine boots of make bench run those, for the ratios of case 5.  On a
 * kernel without /dev/watch_queue --zero is implied.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "bench.h"
#include "queue.h"

struct bench_opts opts;
/* Shared with the children that some cases fork, which print samples too. */
static unsigned long *nr_samples;

/**
 * sample - Print one sample
 * @bcase: The case, 1 to 8.
 * @x: What the case varies (a size, a batch, an operation).
 * @method: What is measured.
 * @rep: The repetition, from 0.
 * @value: The value, in the case's unit.
 */
void sample(int bcase, const char *x, const char *method, unsigned int rep,
	    double value)
{
	printf("S\t%d\t%s\t%s\t%u\t%.6g\n", bcase, x, method, rep, value);
	(*nr_samples)++;
}

/**
 * skipped - Say that a measurement could not be made, and why
 * @bcase: The case.
 * @x: Its parameter.
 * @method: The method.
 * @why: The reason, one line.
 */
void skipped(int bcase, const char *x, const char *method, const char *why)
{
	printf("K\t%d\t%s\t%s\t%s\n", bcase, x, method, why);
}

/**
 * info - Print a fact about the run
 * @key: Its name, one word.
 * @fmt: printf() format of its value.
 */
void info(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("I\t%s\t", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/**
 * note - Progress on stderr, which the console keeps
 * @fmt: printf() format.
 */
void note(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("wq_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/**
 * die - Stop the run with a message
 * @fmt: printf() format; errno's text is added if errno is set.
 */
void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fputs("wq_bench: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

/**
 * timer_floor - Measure what a timed section costs when it is empty
 *
 * Printed as an I line: every sample includes it once.
 */
static void timer_floor(void)
{
	uint64_t best = UINT64_MAX, t0, t1;
	int i;

	for (i = 0; i < 1000; i++) {
		t0 = cpu_ns();
		t1 = cpu_ns();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	info("timer_floor_ns", "%llu", (unsigned long long)best);
}

/**
 * show_clock - Say what the kernel keeps time with
 *
 * A guest that could not calibrate its TSC counts in jiffies, and every
 * figure is then a multiple of a tick.
 */
static void show_clock(void)
{
	static const char path[] =
		"/sys/devices/system/clocksource/clocksource0/current_clocksource";
	char *buf = NULL;
	size_t cap = 0;

	read_file(path, &buf, &cap);
	buf[strcspn(buf, "\n")] = '\0';
	info("clocksource", "%s", buf);
	if (strncmp(buf, "tsc", 3))
		note("warning: clocksource %s: times are coarse", buf);
	free(buf);
}

/**
 * parse_cases - Parse the list of --cases
 * @arg: Comma-separated case numbers.
 *
 * Return: The bit mask.
 */
static unsigned int parse_cases(const char *arg)
{
	unsigned int mask = 0;
	char *end;
	long c;

	while (*arg) {
		c = strtol(arg, &end, 10);
		if (end == arg || c < 1 || c > 9)
			die("bad --cases %s", arg);
		mask |= 1u << c;
		arg = *end == ',' ? end + 1 : end;
	}
	return mask;
}

static void (*const cases[10])(void) = {
	[1] = case_mounts,
	[2] = case_ns,
	[3] = case_consumer,
	[4] = case_ring,
	[5] = case_producer,
	[6] = case_wakeup,
	[7] = case_memory,
	[8] = case_resync,
	[9] = case_procs,
};

/**
 * main - Run the cases asked for
 * @argc: Argument count.
 * @argv: Arguments (see the top of this file).
 *
 * Return: 0 if every case ran.
 */
int main(int argc, char **argv)
{
	const struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	struct utsname u;
	int i;

	opts.cases = 0x3fe;	/* cases 1 to 9 */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--smoke"))
			opts.smoke = true;
		else if (!strcmp(argv[i], "--zero"))
			opts.zero = true;
		else if (!strcmp(argv[i], "--cases") && i + 1 < argc)
			opts.cases = parse_cases(argv[++i]);
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			opts.reps = strtoul(argv[++i], NULL, 10);
		else
			die("usage: wq_bench [--smoke] [--zero] [--cases 1,2,...] [--reps N]");
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	nr_samples = mmap(NULL, sizeof(*nr_samples), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (nr_samples == MAP_FAILED)
		die("mmap");
	/* Up to 100 rings at once are charged to RLIMIT_MEMLOCK. */
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited) < 0)
		die("setrlimit(RLIMIT_MEMLOCK)");

	opts.pristine = !bq_device_present();
	if (opts.pristine)
		opts.zero = true;
	uname(&u);
	info("kernel", "%s %s", u.release, u.version);
	info("cpus", "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	show_clock();
	info("kernel_role", "%s", opts.pristine ? "pristine" : "patched");
	info("mode", "%s%s", opts.smoke ? "smoke" : "full",
	     opts.zero ? " zero" : "");
	timer_floor();

	for (i = 1; i <= 9; i++) {
		if (!(opts.cases & (1u << i)))
			continue;
		note("case %d", i);
		info("case_start", "%d", i);
		errno = 0;
		cases[i]();
		info("case_end", "%d", i);
	}
	printf("D\t%lu\n", *nr_samples);
	return 0;
}
