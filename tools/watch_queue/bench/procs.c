// SPDX-License-Identifier: GPL-2.0
/*
 * Case 9: processes.
 *
 * "spawn": the wall time of one fork(), execve() of a program that exits
 * at once, and waitpid(), with methods
 *
 *	0	no process event watch anywhere
 *	1	one watch on the initial pid namespace, whose ring is drained
 *		after each spawn (its three records: FORK, EXEC, EXIT)
 *
 * "0" runs all its repetitions before "1" sets the first watch: the hooks'
 * static branch goes off only a second after the last watch goes, so
 * alternating would time "0" with the branch on.
 *
 * "track": the CPU time a monitor spends learning which one of N tracked
 * processes exited (killed and reaped, untimed), with methods
 *
 *	scan	readdir() of /proc, diffed against the previous scan
 *	record	one EXIT record from the ring, which names the process
 *
 * Each method must name the process that exited, or the run stops.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bench.h"
#include "queue.h"

#define EXIT_ENV	"WQ_BENCH_EXIT_AT_ONCE"

/* The program spawn executes: wq_bench itself, which exits here. */
__attribute__((constructor)) static void exit_if_spawned(void)
{
	if (getenv(EXIT_ENV))
		_exit(0);
}

/**
 * spawn_once - fork(), exec wq_bench to exit at once, and reap it
 * @self: The path of wq_bench.
 */
static void spawn_once(const char *self)
{
	static char *const argv[] = { "wq_bench", NULL };
	static char *const envp[] = { EXIT_ENV "=1", NULL };
	int pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		execve(self, argv, envp);
		_exit(127);
	}
	if (wait_child(pid))
		die("the spawned process failed");
}

/**
 * measure_spawn - "spawn", with 0 and then 1 watcher
 * @reps: Repetitions.
 */
static void measure_spawn(unsigned int reps)
{
	unsigned int r, k, batch = opts.smoke ? 2 : 20;
	char self[4096];
	uint64_t t0, t1;
	ssize_t len;
	struct bq q;
	int fd;

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0)
		die("readlink /proc/self/exe");
	self[len] = '\0';
	for (r = 0; r < reps; r++) {
		t0 = wall_ns();
		for (k = 0; k < batch; k++)
			spawn_once(self);
		t1 = wall_ns();
		sample(9, "spawn", "0", r, (double)(t1 - t0) / batch);
	}
	fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/self/ns/pid");
	if (bq_open_ring(&q, 1 << 20) < 0 || bq_watch_procs(&q, fd, 1) < 0)
		die("watch the initial pid namespace");
	close(fd);
	for (r = 0; r < reps; r++) {
		t0 = wall_ns();
		for (k = 0; k < batch; k++) {
			spawn_once(self);
			bq_drain(&q);
		}
		t1 = wall_ns();
		sample(9, "spawn", "1", r, (double)(t1 - t0) / batch);
	}
	if (bq_lost(&q))
		die("the ring lost records");
	bq_close(&q);
}

/**
 * struct pids - The pids a /proc scan found, ascending
 * @cur: This scan.
 * @base: The previous one.
 * @nr: Entries of @cur.
 * @base_nr: Entries of @base.
 * @cap: Capacity of both.
 */
struct pids {
	int *cur, *base;
	size_t nr, base_nr, cap;
};

/**
 * scan_pids - List the processes of /proc
 * @s: Fills in @s->cur, in the order of /proc: ascending pids.
 */
static void scan_pids(struct pids *s)
{
	struct dirent *de;
	char *end;
	long pid;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		die("opendir /proc");
	s->nr = 0;
	while ((de = readdir(d))) {
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		if (s->nr == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 2048;
			s->cur = realloc(s->cur, s->cap * sizeof(*s->cur));
			s->base = realloc(s->base, s->cap * sizeof(*s->base));
			if (!s->cur || !s->base)
				die("realloc");
		}
		s->cur[s->nr++] = pid;
	}
	closedir(d);
}

/**
 * scan_keep - Make this scan the baseline of the next
 * @s: The scan.
 */
static void scan_keep(struct pids *s)
{
	int *t = s->base;

	s->base = s->cur;
	s->cur = t;
	s->base_nr = s->nr;
}

/**
 * detect_scan - Method "scan": which tracked process is gone
 * @s: The scan, whose baseline has every tracked process.
 * @tracked: Whether a pid is one of ours, indexed by pid.
 * @max_pid: Entries of @tracked.
 *
 * Return: The pid of the first tracked process of the baseline that this
 * scan does not list, or 0.
 */
static int detect_scan(struct pids *s, const char *tracked, int max_pid)
{
	size_t i, j = 0;

	scan_pids(s);
	for (i = 0; i < s->base_nr; i++) {
		int pid = s->base[i];

		while (j < s->nr && s->cur[j] < pid)
			j++;
		if ((j == s->nr || s->cur[j] != pid) && pid < max_pid &&
		    tracked[pid])
			return pid;
	}
	return 0;
}

/**
 * detect_record - Method "record"
 * @q: The queue.
 *
 * Return: The pid of the process whose EXIT was read, or 0.
 */
static int detect_record(struct bq *q)
{
	const struct watch_notification *n;
	int32_t pid = 0;

	if (bq_poll(q, 0) <= 0)
		return 0;
	while (!pid && (n = bq_next(q)))
		bq_proc_exited(n, &pid);
	bq_release(q);
	return pid;
}

/**
 * start_sleeper - A tracked process, which waits to be killed
 *
 * Return: Its pid.
 */
static int start_sleeper(void)
{
	int pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		for (;;)
			pause();
	}
	return pid;
}

/**
 * measure_track - "track" at one number of processes
 * @nr: The number of tracked processes.
 * @reps: Repetitions.
 */
static void measure_track(unsigned int nr, unsigned int reps)
{
	int max_pid = 4 << 20, got, fd, *pids;
	struct pids s = { 0 };
	unsigned int i, r, k;
	uint64_t t0, t1;
	char *tracked;
	struct bq q;
	char x[16];

	snprintf(x, sizeof(x), "track%u", nr);
	tracked = calloc(max_pid, 1);
	pids = calloc(nr, sizeof(*pids));
	if (!tracked || !pids)
		die("calloc");
	for (i = 0; i < nr; i++) {
		pids[i] = start_sleeper();
		if (pids[i] < max_pid)
			tracked[pids[i]] = 1;
	}
	fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/self/ns/pid");
	if (bq_open_ring(&q, 1 << 20) < 0 || bq_watch_procs(&q, fd, 1) < 0)
		die("watch the initial pid namespace");
	close(fd);
	scan_pids(&s);
	scan_keep(&s);

	for (r = 0; r < reps; r++) {
		unsigned int victim = (r * 7919u) % nr;
		int pid = pids[victim];

		bq_drain(&q);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		for (k = 0; k < 2; k++) {
			unsigned int meth = (k + r) % 2;

			t0 = cpu_ns();
			got = meth ? detect_record(&q) : detect_scan(&s, tracked, max_pid);
			t1 = cpu_ns();
			if (got != pid)
				die("%s found pid %d, not %d",
				    meth ? "record" : "scan", got, pid);
			sample(9, x, meth ? "record" : "scan", r, t1 - t0);
		}
		if (pid < max_pid)
			tracked[pid] = 0;
		pids[victim] = start_sleeper();
		if (pids[victim] < max_pid)
			tracked[pids[victim]] = 1;
		scan_pids(&s);
		scan_keep(&s);
	}
	if (bq_lost(&q))
		die("the ring lost records");
	bq_close(&q);
	for (i = 0; i < nr; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < nr; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
	free(tracked);
	free(s.cur);
	free(s.base);
}

/**
 * case_procs - Case 9
 */
void case_procs(void)
{
	if (opts.zero)
		return;
	note("case 9: fork+exec+exit");
	measure_spawn(reps_or(15));
	note("case 9: tracking processes");
	measure_track(opts.smoke ? 20 : 1000, reps_or(15));
}
