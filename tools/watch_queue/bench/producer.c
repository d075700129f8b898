// SPDX-License-Identifier: GPL-2.0
/*
 * Case 5: what producing costs.  The CPU time per operation, the caller's
 * and its children's, of
 *
 *	keyctl	KEYCTL_UPDATE of a key
 *	mount	mount() of a tmpfs and umount() of it
 *	unshare	fork(), unshare(CLONE_NEWUTS) in the child, exit, wait
 *	fork	fork(), exit, wait
 *	bio	a 4 KiB O_DIRECT read of a null_blk disk that completes it in
 *		the submitter (irqmode 0) and never fails: the I/O completion
 *		path, whose error hook must cost nothing on success
 *
 * with 0 watchers, 1 ring, 1 notification pipe, 8 rings and 64 rings
 * watching the object the operation changes (the key; the mount the tmpfs
 * is mounted on; the initial user namespace for unshare and fork; the
 * disk for bio).  A batch of
 * BATCH operations (4 in a smoke run) is timed, after one such batch
 * untimed; the queues are emptied between batches,
 * untimed, so that no record is lost (a lost record costs less than a
 * stored one).  Configurations alternate within each repetition.
 *
 * Also the lazy unmount of a tree of 1,000 mounts with 0, 1 and 100 rings
 * watching its parent.
 *
 * On the pristine kernel only the configurations with no watcher run:
 * the report divides the patched kernel's figures by these, boot by boot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/keyctl.h>

#include "bench.h"
#include "queue.h"

#define TOP		"/tmp/wqb5"
#define MNT		TOP "/m"
#define TREE		TOP "/t"
#define BATCH		64
#define MAX_QUEUES	100
#define NULLB		"/sys/kernel/config/nullb/wqb5"
#define NULLB_DEV	"/dev/wqb5"

enum op { OP_KEYCTL, OP_MOUNT, OP_UNSHARE, OP_FORK, OP_BIO, NR_OPS };
static const char *const op_names[NR_OPS] = {
	"keyctl", "mount", "unshare", "fork", "bio",
};

/* The watcher configurations: how many queues, and of which transport. */
struct config {
	const char *name;
	unsigned int nr;
	bool pipe;
};

static const struct config configs[] = {
	{ "0", 0, false },
	{ "1ring", 1, false },
	{ "1pipe", 1, true },
	{ "8ring", 8, false },
	{ "64ring", 64, false },
};

#define NR_CONFIGS	ARRAY_SIZE(configs)

static struct bq queues[MAX_QUEUES];
static int32_t key;
static int user_fd;
static int disk_fd;
static void *bio_buf;

/**
 * children_ns - CPU time of the reaped children, so far
 *
 * Return: Nanoseconds.
 */
static uint64_t children_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
		1000000000u +
		((uint64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
}

/**
 * open_watchers - Open the queues of a configuration and set their watches
 * @c: The configuration.
 * @op: What they watch for.
 */
static void open_watchers(const struct config *c, enum op op)
{
	unsigned int i;
	int ret;

	for (i = 0; i < c->nr; i++) {
		ret = c->pipe ? bq_open_pipe(&queues[i], 512) :
				bq_open_ring(&queues[i], 32768);
		if (ret < 0)
			die("open queue %u of %s", i, c->name);
		switch (op) {
		case OP_KEYCTL:
			ret = bq_watch_key(&queues[i], key, 1);
			break;
		case OP_MOUNT:
			ret = bq_watch_mount(&queues[i], TOP, 1);
			break;
		case OP_BIO:
			ret = bq_watch_block(&queues[i], disk_fd, 1);
			break;
		default:
			ret = bq_watch_userns(&queues[i], user_fd, 1);
			break;
		}
		if (ret < 0) {
			errno = -ret;
			die("watch for %s", op_names[op]);
		}
	}
}

/**
 * close_watchers - Check the queues of a configuration, and close them
 * @c: The configuration.
 * @want: Records each should have got since the last drain.
 */
static void drain_watchers(const struct config *c, size_t want)
{
	unsigned int i;
	size_t got;

	for (i = 0; i < c->nr; i++) {
		got = bq_drain(&queues[i]);
		if (got < want)
			die("%s: queue %u got %zu records of %zu", c->name, i,
			    got, want);
		if (!queues[i].pipe && bq_lost(&queues[i]))
			die("%s: queue %u lost records", c->name, i);
	}
}

/**
 * close_watchers - Close the queues of a configuration
 * @c: The configuration.
 */
static void close_watchers(const struct config *c)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		bq_close(&queues[i]);
}

/**
 * do_op - One operation
 * @op: Which.
 */
static void do_op(enum op op)
{
	int pid;

	switch (op) {
	case OP_KEYCTL:
		if (syscall(__NR_keyctl, KEYCTL_UPDATE, key, "y", 1) < 0)
			die("KEYCTL_UPDATE");
		break;
	case OP_MOUNT:
		mount_or_die("wqb5m", MNT, "tmpfs", 0);
		if (umount2(MNT, 0) < 0)
			die("umount %s", MNT);
		break;
	case OP_UNSHARE:
	case OP_FORK:
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			if (op == OP_UNSHARE && unshare(CLONE_NEWUTS) < 0)
				_exit(1);
			_exit(0);
		}
		if (wait_child(pid))
			die("the child of %s failed", op_names[op]);
		break;
	case OP_BIO:
		if (pread(disk_fd, bio_buf, 4096, 0) != 4096)
			die("read %s", NULLB_DEV);
		break;
	default:
		break;
	}
}

/* Records each watcher gets per operation. */
static const unsigned int records_per_op[NR_OPS] = { 1, 2, 2, 0, 0 };

/**
 * measure_ops - The operations, under each configuration in turn
 * @reps: Repetitions.
 */
static void measure_ops(unsigned int reps)
{
	unsigned int r, o, k, i, nr_configs = opts.zero ? 1 : NR_CONFIGS;
	unsigned int batch = opts.smoke ? 4 : BATCH;
	uint64_t t0, c0, t1, c1;

	for (r = 0; r < reps; r++) {
		for (o = 0; o < NR_OPS; o++) {
			for (k = 0; k < nr_configs; k++) {
				const struct config *c =
					&configs[(k + r) % nr_configs];

				/*
				 * The namespace and block hooks' static keys
				 * go off up to a second after the last watch
				 * of theirs is removed: let them, so that "0"
				 * is measured with the hooks idle.
				 */
				if (!c->nr && o >= OP_UNSHARE && !opts.smoke &&
				    !opts.zero)
					usleep(1100000);
				open_watchers(c, o);
				/* Warm up: a whole batch, untimed. */
				for (i = 0; i < batch; i++)
					do_op(o);
				drain_watchers(c, 0);
				c0 = children_ns();
				t0 = cpu_ns();
				for (i = 0; i < batch; i++)
					do_op(o);
				t1 = cpu_ns();
				c1 = children_ns();
				drain_watchers(c, (size_t)batch * records_per_op[o]);
				close_watchers(c);
				sample(5, op_names[o], c->name, r,
				       (double)(t1 - t0 + c1 - c0) / batch);
			}
		}
	}
}

/**
 * make_tree - Mount a tmpfs at TREE with @nr - 1 bind mounts below it
 * @nr: Mounts in the tree.
 */
static void make_tree(unsigned int nr)
{
	char path[64];
	unsigned int i;

	mount_or_die("wqb5t", TREE, "tmpfs", 0);
	mkdir_p(TREE "/src");
	for (i = 1; i < nr; i++) {
		snprintf(path, sizeof(path), TREE "/d%u", i);
		mkdir_p(path);
		mount_or_die(TREE "/src", path, NULL, MS_BIND);
	}
}

/**
 * measure_lazy - umount2(MNT_DETACH) of a tree of mounts
 * @reps: Repetitions.
 */
static void measure_lazy(unsigned int reps)
{
	static const struct config lazy[] = {
		{ "0", 0, false }, { "1", 1, false }, { "100", 100, false },
	};
	unsigned int nr = opts.smoke ? 20 : 1000, nr_configs, r, k, i;
	char x[16];
	uint64_t t0, t1;
	int ret;

	nr_configs = opts.zero ? 1 : 3;
	snprintf(x, sizeof(x), "lazy%u", nr);
	for (r = 0; r < reps; r++) {
		for (k = 0; k < nr_configs; k++) {
			const struct config *c = &lazy[(k + r) % nr_configs];

			make_tree(nr);
			for (i = 0; i < c->nr; i++) {
				ret = bq_open_ring(&queues[i], 65536);
				if (!ret)
					ret = bq_watch_mount(&queues[i], TOP, 1);
				if (ret < 0) {
					errno = -ret;
					die("lazy: queue %u", i);
				}
			}
			t0 = cpu_ns();
			if (umount2(TREE, MNT_DETACH) < 0)
				die("umount2 %s", TREE);
			t1 = cpu_ns();
			drain_watchers(c, nr);
			close_watchers(c);
			sample(5, x, c->name, r, t1 - t0);
		}
	}
}

/**
 * nullb_attr - Write a configfs attribute of the bench's null_blk disk
 * @attr: Its name.
 * @val: The value.
 */
static void nullb_attr(const char *attr, const char *val)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), NULLB "/%s", attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		die("write %s", path);
	close(fd);
}

/**
 * make_disk - A null_blk disk completing in the submitter, never failing
 */
static void make_disk(void)
{
	if (access("/sys/kernel/config/nullb", F_OK) &&
	    mount("none", "/sys/kernel/config", "configfs", 0, NULL) &&
	    errno != EBUSY)
		die("mount configfs");
	if (mkdir(NULLB, 0755) && errno != EEXIST)
		die("mkdir %s (null_blk)", NULLB);
	nullb_attr("size", "16");
	nullb_attr("irqmode", "0");
	nullb_attr("power", "1");
	disk_fd = open(NULLB_DEV, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (disk_fd < 0)
		die("open %s", NULLB_DEV);
	if (posix_memalign(&bio_buf, 4096, 4096))
		die("posix_memalign");
}

/**
 * remove_disk - Delete the disk of make_disk()
 */
static void remove_disk(void)
{
	close(disk_fd);
	nullb_attr("power", "0");
	if (rmdir(NULLB))
		die("rmdir %s", NULLB);
}

/**
 * run - Case 5, in a mount namespace of its own
 */
static void run(void)
{
	private_mount_ns();
	mkdir_p(TOP);
	mount_or_die("wqb5", TOP, "tmpfs", 0);
	mkdir_p(MNT);
	mkdir_p(TREE);
	key = syscall(__NR_add_key, "user", "wqb5", "x", 1,
		      KEY_SPEC_PROCESS_KEYRING);
	if (key < 0)
		die("add_key");
	user_fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	if (user_fd < 0)
		die("open /proc/self/ns/user");
	raise_nofile(4096);
	make_disk();
	measure_ops(reps_or(11));
	remove_disk();
	measure_lazy(reps_or(5));
}

/**
 * case_producer - Case 5
 */
void case_producer(void)
{
	int pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		run();
		exit(0);
	}
	if (wait_child(pid))
		die("case 5 failed");
}
