// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the benchmark: mounts, processes, limits, files, and the
 * listmount() and statmount() system calls.
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
#include <linux/mount.h>

#include "bench.h"

/**
 * mkdir_p - Make a directory and its parents; existing ones are fine
 * @path: The directory.
 */
void mkdir_p(const char *path)
{
	char buf[256], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			die("mkdir %s", buf);
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		die("mkdir %s", buf);
}

/**
 * mount_or_die - mount(2), or stop
 * @src: Source.
 * @dst: Mount point.
 * @type: Filesystem type, or NULL.
 * @flags: MS_* flags.
 */
void mount_or_die(const char *src, const char *dst, const char *type,
		  unsigned long flags)
{
	if (mount(src, dst, type, flags, NULL) < 0)
		die("mount %s on %s", src ? src : "-", dst);
}

/**
 * private_mount_ns - Move to a new mount namespace where nothing propagates
 */
void private_mount_ns(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNS)");
	mount_or_die(NULL, "/", NULL, MS_REC | MS_PRIVATE);
}

/**
 * wait_child - Reap a child and check that it exited with 0
 * @pid: The child.
 *
 * Return: Its exit status, or -1 if it was killed.
 */
int wait_child(int pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -1;
}

/**
 * raise_nofile - Let the process have @nr descriptors open
 * @nr: The number.
 */
void raise_nofile(unsigned int nr)
{
	struct rlimit rl = { .rlim_cur = nr, .rlim_max = nr };

	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit(RLIMIT_NOFILE, %u)", nr);
}

/**
 * pin_to_cpu - Run the calling thread on one CPU only
 * @cpu: The CPU.
 */
void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
}

/**
 * unpin - Let the calling thread run on every CPU again
 */
void unpin(void)
{
	cpu_set_t set;
	long i, nr = sysconf(_SC_NPROCESSORS_CONF);

	CPU_ZERO(&set);
	for (i = 0; i < nr && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
}

/**
 * read_file - Read a whole file into a growing buffer
 * @path: The file.
 * @buf: The buffer, reallocated as needed; NUL-terminated.
 * @cap: Its capacity.
 *
 * Return: The number of bytes read.
 */
size_t read_file(const char *path, char **buf, size_t *cap)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s", path);
	for (;;) {
		if (*cap - len < 65536) {
			*cap = *cap ? *cap * 2 : 1 << 20;
			*buf = realloc(*buf, *cap);
			if (!*buf)
				die("realloc");
		}
		n = read(fd, *buf + len, *cap - len - 1);
		if (n < 0)
			die("read %s", path);
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	(*buf)[len] = '\0';
	return len;
}

/**
 * list_mounts - listmount() every mount of the caller's mount namespace
 * @ids: The array of unique mount IDs, grown as needed; ascending.
 * @cap: Its capacity, in IDs.
 *
 * Return: The number of mounts.
 */
ssize_t list_mounts(uint64_t **ids, size_t *cap)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER0,
		.mnt_id = LSMT_ROOT,
	};
	size_t nr = 0;
	long ret;

	for (;;) {
		if (*cap - nr < 1024) {
			*cap = *cap ? *cap * 2 : 8192;
			*ids = realloc(*ids, *cap * sizeof(**ids));
			if (!*ids)
				die("realloc");
		}
		ret = syscall(__NR_listmount, &req, *ids + nr, *cap - nr, 0);
		if (ret < 0)
			die("listmount");
		nr += ret;
		if ((size_t)ret < *cap - (nr - ret))
			return nr;
		req.param = (*ids)[nr - 1];
	}
}

/**
 * stat_mount - statmount() one mount
 * @id: Its unique ID.
 * @buf: A struct statmount with room for its strings.
 * @size: Size of @buf.
 *
 * Asks for what /proc/self/mountinfo shows: BENCH_STATMOUNT_MASK.
 *
 * Return: 0 or -errno.
 */
int stat_mount(uint64_t id, void *buf, size_t size)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER0,
		.mnt_id = id,
		.param = BENCH_STATMOUNT_MASK,
	};

	if (syscall(__NR_statmount, &req, buf, size, 0) < 0)
		return -errno;
	return 0;
}
