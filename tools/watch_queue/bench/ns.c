// SPDX-License-Identifier: GPL-2.0
/*
 * Case 2: the CPU time a monitor spends learning that one process entered a
 * new network namespace, with P processes each in UTS and IPC namespaces
 * of their own.  Methods:
 *
 *	scan	readlink() of every /proc/<pid>/ns/<type> link, diffed
 *		against the previous scan
 *	record	one namespace record from the ring, which names the
 *		process and the namespace
 *
 * A child, told by a signal, unshares its network namespace and says so
 * on a pipe (untimed); both methods then detect that; then the child goes
 * back with setns() (untimed) and the monitor consumes what that posted.
 * Each method must name the child and its new namespace, or the run stops.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bench.h"
#include "queue.h"

#define NR_NS_LINKS	10
static const char *const ns_links[NR_NS_LINKS] = {
	"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
	"time_for_children", "user", "uts",
};

#define NET_LINK	3

/* One process as a scan sees it. */
struct proc_ns {
	int pid;
	unsigned long long inum[NR_NS_LINKS];
};

/**
 * struct scan - The state of the scanning monitor
 * @cur: This scan.
 * @nr: Its number of processes.
 * @base: The previous scan, by ascending pid.
 * @base_nr: Its number of processes.
 * @cap: Capacity of both.
 */
struct scan {
	struct proc_ns *cur, *base;
	size_t nr, base_nr, cap;
};

/**
 * scan_proc - Read every namespace link of every process
 * @s: The monitor; fills in @s->cur.
 */
static void scan_proc(struct scan *s)
{
	char path[64], link[64];
	struct dirent *de;
	DIR *d;
	int i;

	d = opendir("/proc");
	if (!d)
		die("opendir /proc");
	s->nr = 0;
	while ((de = readdir(d))) {
		struct proc_ns *p;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		if (s->nr == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 1024;
			s->cur = realloc(s->cur, s->cap * sizeof(*s->cur));
			s->base = realloc(s->base, s->cap * sizeof(*s->base));
			if (!s->cur || !s->base)
				die("realloc");
		}
		p = &s->cur[s->nr];
		p->pid = pid;
		for (i = 0; i < NR_NS_LINKS; i++) {
			ssize_t len;
			char *b;

			snprintf(path, sizeof(path), "/proc/%ld/ns/%s", pid,
				 ns_links[i]);
			len = readlink(path, link, sizeof(link) - 1);
			p->inum[i] = 0;
			if (len <= 0)
				continue;	/* exited, or a kernel thread */
			link[len] = '\0';
			b = strchr(link, '[');
			if (b)
				p->inum[i] = strtoull(b + 1, NULL, 10);
		}
		s->nr++;
	}
	closedir(d);
}

/**
 * scan_keep - Make this scan the baseline of the next
 * @s: The monitor.
 */
static void scan_keep(struct scan *s)
{
	struct proc_ns *t = s->base;

	s->base = s->cur;
	s->cur = t;
	s->base_nr = s->nr;
}

/**
 * detect_scan - Method "scan"
 * @s: The monitor.
 * @inum: Set to the new network namespace's inode number.
 *
 * /proc lists processes by ascending pid: one merge with the previous scan
 * finds the process whose network namespace changed.
 *
 * Return: Its pid, or 0.
 */
static int detect_scan(struct scan *s, unsigned long long *inum)
{
	size_t i, j = 0;
	int found = 0;

	scan_proc(s);
	for (i = 0; i < s->nr; i++) {
		const struct proc_ns *p = &s->cur[i];

		while (j < s->base_nr && s->base[j].pid < p->pid)
			j++;
		if (j < s->base_nr && s->base[j].pid == p->pid &&
		    s->base[j].inum[NET_LINK] != p->inum[NET_LINK] &&
		    p->inum[NET_LINK]) {
			found = p->pid;
			*inum = p->inum[NET_LINK];
		}
	}
	return found;
}

/**
 * detect_record - Method "record"
 * @q: The queue.
 * @inum: Set to the new network namespace's inode number.
 *
 * Return: The pid the record names, or 0.
 */
static int detect_record(struct bq *q, unsigned long long *inum)
{
	const struct watch_notification *n;
	int32_t pid = 0;
	uint64_t ino;

	if (bq_poll(q, 0) <= 0)
		return 0;
	while (!pid && (n = bq_next(q)))
		if (bq_ns_created(n, CLONE_NEWNET, &pid, &ino))
			*inum = ino;
	bq_release(q);
	return pid;
}

/**
 * child_loop - What each process of the case does
 * @ack: The pipe it reports on.
 *
 * SIGUSR1: unshare the network namespace.  SIGUSR2: go back to the one
 * it started in.  Each is answered with one byte on @ack.
 */
static __noreturn void child_loop(int ack)
{
	sigset_t set;
	int sig, home;

	if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0)
		die("unshare(CLONE_NEWUTS | CLONE_NEWIPC)");
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		die("open /proc/self/ns/net");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (write(ack, "r", 1) != 1)
		_exit(1);
	for (;;) {
		if (sigwait(&set, &sig))
			_exit(1);
		if (sig == SIGUSR1 && unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (sig == SIGUSR2 && setns(home, CLONE_NEWNET) < 0)
			_exit(1);
		if (write(ack, "x", 1) != 1)
			_exit(1);
	}
}

/**
 * wait_ack - Read one answer from the children
 * @ack: The pipe.
 */
static void wait_ack(int ack)
{
	char c;

	if (read(ack, &c, 1) != 1)
		die("a child of case 2 died");
}

/**
 * net_inum - The network namespace of a process
 * @pid: The process.
 *
 * Return: Its inode number.
 */
static unsigned long long net_inum(int pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	if (stat(path, &st) < 0)
		die("stat %s", path);
	return st.st_ino;
}

/**
 * measure - Case 2 at one number of processes
 * @nr: The number of processes.
 * @reps: Repetitions.
 */
static void measure(unsigned int nr, unsigned int reps)
{
	struct scan s = { 0 };
	unsigned long long want, got_inum;
	unsigned int i, r, k;
	int ack[2], *pids, got, user_fd;
	uint64_t t0, t1;
	sigset_t set;
	struct bq q;
	char x[16];

	snprintf(x, sizeof(x), "%u", nr);
	if (pipe2(ack, O_CLOEXEC) < 0)
		die("pipe");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pids = calloc(nr, sizeof(*pids));
	if (!pids)
		die("calloc");
	for (i = 0; i < nr; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork %u", i);
		if (!pids[i])
			child_loop(ack[1]);
	}
	for (i = 0; i < nr; i++)
		wait_ack(ack[0]);

	user_fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	if (user_fd < 0)
		die("open /proc/self/ns/user");
	if (bq_open_ring(&q, 1 << 20) < 0 || bq_watch_userns(&q, user_fd, 1) < 0)
		die("watch the user namespace");
	scan_proc(&s);
	scan_keep(&s);

	for (r = 0; r < reps; r++) {
		int pid = pids[(r * 7919u) % nr];

		bq_drain(&q);
		kill(pid, SIGUSR1);
		wait_ack(ack[0]);
		want = net_inum(pid);
		for (k = 0; k < 2; k++) {
			unsigned int meth = (k + r) % 2;

			got = 0;
			got_inum = 0;
			t0 = cpu_ns();
			if (meth == 0)
				got = detect_scan(&s, &got_inum);
			else
				got = detect_record(&q, &got_inum);
			t1 = cpu_ns();
			if (got != pid || got_inum != want)
				die("%s found pid %d in %llu, not %d in %llu",
				    meth ? "record" : "scan", got, got_inum,
				    pid, want);
			sample(2, x, meth ? "record" : "scan", r, t1 - t0);
		}
		kill(pid, SIGUSR2);
		wait_ack(ack[0]);
		scan_proc(&s);
		scan_keep(&s);
	}
	if (bq_lost(&q))
		die("the ring lost records");
	bq_close(&q);
	close(user_fd);
	for (i = 0; i < nr; i++)
		kill(pids[i], SIGKILL);
	for (i = 0; i < nr; i++)
		wait_child(pids[i]);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	close(ack[0]);
	close(ack[1]);
	free(pids);
	free(s.cur);
	free(s.base);
}

/**
 * case_ns - Case 2
 */
void case_ns(void)
{
	static const unsigned int sizes[] = { 10, 100, 1000 };
	unsigned int i;

	if (opts.zero)
		return;
	for (i = 0; i < (opts.smoke ? 1 : 3); i++) {
		note("case 2: %u processes", sizes[i]);
		measure(sizes[i], reps_or(sizes[i] >= 1000 ? 10 : 15));
	}
}
