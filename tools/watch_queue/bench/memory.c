// SPDX-License-Identifier: GPL-2.0
/*
 * Case 7: kernel memory per queue of each size and per watch of each
 * source, as the memory cgroup sees it: the "kernel" entry of memory.stat
 * (slab objects, pages, page tables and vmalloc charged to the group),
 * read before and after making NR of a thing in a group of our own and
 * divided by NR.  Only what the kernel charges is seen: memory allocated
 * without __GFP_ACCOUNT is not (a notification pipe's note pages are not
 * charged, for one).
 *
 * memory.stat is kept per CPU and summed ("flushed") only once enough has
 * changed or every two seconds, so a reading just after making a thousand
 * small objects may not show them at all.  Reading the group's cpu.stat
 * first flushes it: on 6.12 every controller's statistics of a group are
 * flushed together (cgroup_rstat_flush_hold() from
 * cgroup_base_stat_cputime_show()), the memory controller's with the CPU
 * times.  The "kernel" entry counts whole pages charged to the group, and
 * each CPU keeps less than a page of object bytes charged ahead: one
 * reading is then exact to within a page.
 *
 * The objects a watch watches (keys, mounts, user namespaces) are made
 * before the first reading, so a watch's figure is the watch and, since
 * each object is watched once, its watch list.  The measuring child pins
 * itself to one CPU, so that one per-CPU stock holds the group's charges:
 * each reading is then off by less than a page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

#include "bench.h"
#include "queue.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG		CG_ROOT "/wqb7"
#define TOP		"/tmp/wqb7"

/**
 * cg_write - Write a string to a cgroup file
 * @path: The file.
 * @val: The string.
 */
static void cg_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = strlen(val);

	if (fd < 0 || write(fd, val, len) != len)
		die("write %s to %s", val, path);
	close(fd);
}

/**
 * kmem - The group's charged kernel memory
 *
 * Reads cpu.stat first, for the flush that it makes (see the top of the
 * file).
 *
 * Return: Bytes: memory.stat's "kernel".
 */
static long long kmem(void)
{
	static char *buf;
	static size_t cap;
	char *p;

	read_file(CG "/cpu.stat", &buf, &cap);
	read_file(CG "/memory.stat", &buf, &cap);
	for (p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, "kernel ", 7))
			return strtoll(p + 7, NULL, 10);
	}
	die("no \"kernel\" in memory.stat");
}

/**
 * kmem_settled - The group's charged kernel memory, once it stops moving
 *
 * What the previous measurement closed is partly freed later, after an RCU
 * grace period or from a work item, and would otherwise be subtracted from
 * the next one.  Reads until two readings 50 ms apart agree (at most two
 * seconds).
 *
 * Return: Bytes, as kmem().
 */
static long long kmem_settled(void)
{
	const struct timespec gap = { .tv_nsec = 50 * 1000 * 1000 };
	long long prev = kmem(), cur;
	int i;

	/* The smoke run's figures mean nothing: only that it runs. */
	for (i = 0; i < 40 && !opts.smoke; i++) {
		nanosleep(&gap, NULL);
		cur = kmem();
		if (cur == prev)
			break;
		prev = cur;
	}
	return prev;
}

/**
 * setup_cgroup - Mount cgroup2 if needed and make the group
 *
 * Return: 0, or -1 if the kernel has no memory controller.
 */
static int setup_cgroup(void)
{
	struct stat st;

	if (stat(CG_ROOT "/cgroup.controllers", &st) < 0 &&
	    mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL) < 0)
		return -1;
	if (stat(CG_ROOT "/memory.stat", &st) < 0 &&
	    access(CG_ROOT "/cgroup.subtree_control", W_OK) < 0)
		return -1;
	cg_write(CG_ROOT "/cgroup.subtree_control", "+memory");
	if (mkdir(CG, 0755) < 0 && errno != EEXIST)
		die("mkdir " CG);
	return 0;
}

/**
 * per_ring - Memory per ring of a size
 * @bytes: Its size.
 * @nr: How many to make.
 * @pipe: Notification pipes of @bytes / 128 notes instead.
 *
 * Return: Bytes per queue.
 */
static double per_queue(size_t bytes, unsigned int nr, bool pipe)
{
	struct bq *q = calloc(nr, sizeof(*q));
	long long before, after;
	unsigned int i;
	int ret;

	if (!q)
		die("calloc");
	before = kmem_settled();
	for (i = 0; i < nr; i++) {
		ret = pipe ? bq_open_pipe(&q[i], bytes / 128) :
			     bq_open_ring(&q[i], bytes);
		if (ret < 0) {
			errno = -ret;
			die("queue %u of %zu bytes", i, bytes);
		}
	}
	after = kmem_settled();
	for (i = 0; i < nr; i++)
		bq_close(&q[i]);
	free(q);
	return (double)(after - before) / nr;
}

/* Watch IDs a queue has for each type. */
#define WATCH_IDS	256

/* The objects whose watches are measured. */
enum source { SRC_KEY, SRC_MOUNT, SRC_USERNS, NR_SOURCES };
static const char *const source_names[NR_SOURCES] = {
	"watch-key", "watch-mount", "watch-userns",
};

/**
 * make_userns - A new user namespace, held by a descriptor
 *
 * Return: The nsfs descriptor.
 */
static int make_userns(void)
{
	int p[2], pid, fd;
	char path[64], c;

	if (pipe(p) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(p[0]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		if (write(p[1], "u", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		die("the user namespace's child");
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s", path);
	kill(pid, SIGKILL);
	wait_child(pid);
	close(p[0]);
	return fd;
}

/**
 * per_watch - Memory per watch of a source
 * @src: The source.
 * @nr: How many objects to watch.
 *
 * Return: Bytes per watch.
 */
static double per_watch(enum source src, unsigned int nr)
{
	unsigned int nq = (nr + WATCH_IDS - 1) / WATCH_IDS;
	int32_t *keys = calloc(nr, sizeof(*keys)), ring = 0;
	struct bq *q = calloc(nq, sizeof(*q));
	int *fds = calloc(nr, sizeof(*fds));
	long long before, after;
	unsigned int i;
	char path[64];
	int ret = 0;

	if (!keys || !fds || !q)
		die("calloc");
	if (src == SRC_KEY) {
		ring = syscall(__NR_add_key, "keyring", "wqb7", NULL, 0,
			       KEY_SPEC_PROCESS_KEYRING);
		if (ring < 0)
			die("add_key keyring");
	}
	for (i = 0; i < nr; i++) {
		switch (src) {
		case SRC_KEY:
			snprintf(path, sizeof(path), "k%u", i);
			keys[i] = syscall(__NR_add_key, "user", path, "x", 1,
					  ring);
			if (keys[i] < 0)
				die("add_key");
			break;
		case SRC_MOUNT:
			snprintf(path, sizeof(path), TOP "/m%u", i);
			mkdir_p(path);
			mount_or_die(TOP "/src", path, NULL, MS_BIND);
			break;
		default:
			fds[i] = make_userns();
			break;
		}
	}
	/* A queue has 256 watch IDs of each type: one queue per 256. */
	for (i = 0; i < nq; i++)
		if (bq_open_ring(&q[i], 4096) < 0)
			die("open the ring");
	before = kmem_settled();
	for (i = 0; i < nr && !ret; i++) {
		struct bq *qi = &q[i / WATCH_IDS];
		unsigned int id = i % WATCH_IDS;

		switch (src) {
		case SRC_KEY:
			ret = bq_watch_key(qi, keys[i], id);
			break;
		case SRC_MOUNT:
			snprintf(path, sizeof(path), TOP "/m%u", i);
			ret = bq_watch_mount(qi, path, id);
			break;
		default:
			ret = bq_watch_userns(qi, fds[i], id);
			break;
		}
	}
	after = kmem_settled();
	if (ret < 0) {
		errno = -ret;
		die("%s %u", source_names[src], i - 1);
	}
	for (i = 0; i < nq; i++)
		bq_close(&q[i]);
	for (i = 0; i < nr; i++) {
		if (src == SRC_MOUNT) {
			snprintf(path, sizeof(path), TOP "/m%u", i);
			umount2(path, 0);
		} else if (src == SRC_USERNS) {
			close(fds[i]);
		}
	}
	if (src == SRC_KEY)
		syscall(__NR_keyctl, KEYCTL_UNLINK, ring,
			KEY_SPEC_PROCESS_KEYRING);
	free(keys);
	free(fds);
	free(q);
	return (double)(after - before) / nr;
}

/**
 * run - Case 7, in the group, in a mount namespace of its own
 */
static void run(void)
{
	static const size_t sizes[] = { 4096, 16384, 65536, 262144, 1048576 };
	unsigned int reps = reps_or(3), r, i, nr;
	char pid[16], x[32];

	pin_to_cpu(0);
	snprintf(pid, sizeof(pid), "%d", getpid());
	cg_write(CG "/cgroup.procs", pid);
	private_mount_ns();
	mkdir_p(TOP);
	mount_or_die("wqb7", TOP, "tmpfs", 0);
	mkdir_p(TOP "/src");
	raise_nofile(4096);

	for (r = 0; r < reps; r++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			nr = opts.smoke ? 2 : sizes[i] >= 262144 ? 8 : 32;
			snprintf(x, sizeof(x), "ring-%zu", sizes[i]);
			sample(7, x, "bytes", r, per_queue(sizes[i], nr, false));
		}
		nr = opts.smoke ? 2 : 32;
		sample(7, "pipe-64", "bytes", r, per_queue(64 * 128, nr, true));
		sample(7, "pipe-512", "bytes", r, per_queue(512 * 128, nr, true));
		for (i = 0; i < NR_SOURCES; i++) {
			double b;

			nr = opts.smoke ? 8 : i == SRC_USERNS ? 200 : 1000;
			b = per_watch(i, nr);
			/*
			 * Flushed, a few hundred objects are tens of pages:
			 * nothing at all means that the watches were not
			 * charged, never that they cost 0 bytes.
			 */
			if (b > 0)
				sample(7, source_names[i], "bytes", r, b);
			else
				skipped(7, source_names[i], "bytes",
					"nothing charged to the group");
		}
	}
}

/**
 * case_memory - Case 7
 */
void case_memory(void)
{
	int pid;

	if (opts.zero)
		return;
	if (setup_cgroup() < 0) {
		skipped(7, "all", "bytes", "no cgroup v2 memory controller");
		return;
	}
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		run();
		exit(0);
	}
	if (wait_child(pid))
		die("case 7 failed");
	rmdir(CG);
}
