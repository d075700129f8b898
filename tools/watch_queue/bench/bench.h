/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wq_bench: what make bench runs in the guest.  Each case measures
 * alternatives side by side, interleaved repetition by repetition, and
 * prints raw samples; harness/scripts/bench-report.awk turns them into
 * medians, spreads and ratios.
 *
 * Output, one record a line, tab-separated:
 *	I <key> <value>				about the run
 *	S <case> <x> <method> <rep> <value>	one sample
 *	K <case> <x> <method> <why>		a measurement that was skipped
 * and last "D <samples>" when every case ran.  Values are nanoseconds of
 * CPU time per unit (a detection, a record, an operation) unless a case
 * says otherwise (records per wake-up, bytes).
 */
#ifndef _WQ_BENCH_H
#define _WQ_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* __printf(), __noreturn and ARRAY_SIZE(), as the selftests have them. */
#include "../../testing/selftests/kselftest.h"

/**
 * struct bench_opts - What to run, and how long
 * @smoke: Tiny sizes and one repetition: make bench-smoke.
 * @pristine: The kernel has no /dev/watch_queue (the unpatched base).
 * @zero: Only what needs no queue, which both kernels can run.
 * @cases: Bit N set runs case N (1 to 8).
 * @reps: Repetitions of each measurement, 0 for each case's default.
 */
struct bench_opts {
	bool smoke;
	bool pristine;
	bool zero;
	unsigned int cases;
	unsigned int reps;
};

extern struct bench_opts opts;

/**
 * reps_or - The number of repetitions a case makes
 * @full: Its default for make bench.
 *
 * Return: 1 in a smoke run, else the --reps given, else @full.
 */
static inline unsigned int reps_or(unsigned int full)
{
	if (opts.smoke)
		return 1;
	return opts.reps ? opts.reps : full;
}

/**
 * cpu_ns - CPU time of the calling thread
 *
 * Return: Nanoseconds.
 */
static inline uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/**
 * wall_ns - Monotonic time
 *
 * Return: Nanoseconds.
 */
static inline uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

void sample(int bcase, const char *x, const char *method, unsigned int rep,
	    double value);
void skipped(int bcase, const char *x, const char *method, const char *why);
__printf(2, 3) void info(const char *key, const char *fmt, ...);
__noreturn __printf(1, 2) void die(const char *fmt, ...);
__printf(1, 2) void note(const char *fmt, ...);

/* Helpers (util.c). */
void mkdir_p(const char *path);
void mount_or_die(const char *src, const char *dst, const char *type,
		  unsigned long flags);
void private_mount_ns(void);
int wait_child(int pid);
void raise_nofile(unsigned int nr);
void pin_to_cpu(int cpu);
void unpin(void);
size_t read_file(const char *path, char **buf, size_t *cap);

/* listmount() and statmount(), which the C library may not wrap. */
#define BENCH_STATMOUNT_MASK	0x3fU	/* SB_BASIC up to FS_TYPE */
ssize_t list_mounts(uint64_t **ids, size_t *cap);
int stat_mount(uint64_t id, void *buf, size_t size);

/* The cases. */
void case_mounts(void);
void case_ns(void);
void case_consumer(void);
void case_ring(void);
void case_producer(void);
void case_wakeup(void);
void case_memory(void);
void case_resync(void);
void case_procs(void);

#endif /* _WQ_BENCH_H */
