// SPDX-License-Identifier: GPL-2.0
/*
 * The 64-bit namespace ID of NS_GET_ID (<linux/nsfs.h>), which namespace
 * records carry beside the inode numbers: the initial namespaces have the
 * fixed IDs of later kernels, every type gets one from the same counter,
 * a mount namespace's is its mnt_ns_id, and a long loop of namespaces of
 * every type made and freed never sees an ID twice while it does see
 * inode numbers handed out again: inode numbers alone can't tell a dead
 * namespace from a new one.
 *
 * Runs as root in the initial namespaces.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/nsfs.h>

#include "../kselftest_harness.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP	0x02000000
#endif

static const struct {
	unsigned int flag;
	const char *name;	/* /proc/PID/ns/ file of the task itself */
	const char *child;	/* the one that the flag changes */
	__u64 init_id;
} types[] = {
	{ CLONE_NEWIPC,		"ipc",		"ipc",			IPC_NS_INIT_ID },
	{ CLONE_NEWUTS,		"uts",		"uts",			UTS_NS_INIT_ID },
	{ CLONE_NEWUSER,	"user",		"user",			USER_NS_INIT_ID },
	{ CLONE_NEWPID,		"pid",		"pid_for_children",	PID_NS_INIT_ID },
	{ CLONE_NEWCGROUP,	"cgroup",	"cgroup",		CGROUP_NS_INIT_ID },
	{ CLONE_NEWTIME,	"time",		"time_for_children",	TIME_NS_INIT_ID },
	{ CLONE_NEWNET,		"net",		"net",			NET_NS_INIT_ID },
	{ CLONE_NEWNS,		"mnt",		"mnt",			MNT_NS_INIT_ID },
};

#define NR_TYPES	((int)ARRAY_SIZE(types))

/*
 * The ID and inode number of /proc/@pid/ns/@name (0: self); 0 or -errno.
 * The inode number is set even if NS_GET_ID fails.
 */
static int ns_id_of(pid_t pid, const char *name, __u64 *id, __u64 *inum)
{
	char path[64];
	struct stat st;
	int fd, ret = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*id = 0;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (inum)
		*inum = st.st_ino;
	if (!ret && ioctl(fd, NS_GET_ID, id) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Fork a first task into a new pid namespace, so pid_for_children opens. */
static int first_pid(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(getpid() == 1 ? 0 : 1);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		return -1;
	return 0;
}

/* What a child that unshared one type reports. */
struct made {
	__u64 id, inum;
	int err;	/* 0, or the negated errno of the step that failed */
};

/*
 * In a child: unshare @flag, report the ID and the inode number of the
 * namespace made through @out, and exit, which frees it.
 */
static void make_one(int i, int out)
{
	struct made m = {};

	if (unshare(types[i].flag) < 0)
		m.err = -errno;
	else if (types[i].flag == CLONE_NEWPID && first_pid() < 0)
		m.err = -ECHILD;
	else
		m.err = ns_id_of(0, types[i].child, &m.id, &m.inum);
	if (write(out, &m, sizeof(m)) != sizeof(m))
		_exit(2);
	_exit(0);
}

/* Make a namespace of type @i in a child that then exits; 0 or -errno. */
static int make_and_free(int i, struct made *m)
{
	int p[2], status;
	pid_t pid;

	if (pipe(p) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(p[0]);
		make_one(i, p[1]);
	}
	close(p[1]);
	if (read(p[0], m, sizeof(*m)) != sizeof(*m))
		m->err = -EIO;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -ECHILD;
	return m->err;
}

/* The initial namespaces have the fixed IDs later kernels give them. */
TEST(initial_namespaces)
{
	__u64 id, inum, mntns_id;
	int i, fd;

	for (i = 0; i < NR_TYPES; i++) {
		ASSERT_EQ(0, ns_id_of(1, types[i].name, &id, &inum))
			TH_LOG("NS_GET_ID on /proc/1/ns/%s: %s", types[i].name,
			       strerror(errno));
		TH_LOG("init %s: inum %llu id %llu", types[i].name,
		       (unsigned long long)inum, (unsigned long long)id);
		EXPECT_EQ(types[i].init_id, id);
		/* The test runs in them too. */
		ASSERT_EQ(0, ns_id_of(0, types[i].name, &id, NULL));
		EXPECT_EQ(types[i].init_id, id);
	}

	/* A mount namespace's ID is its mnt_ns_id. */
	fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, NS_GET_MNTNS_ID, &mntns_id));
	ASSERT_EQ(0, ioctl(fd, NS_GET_ID, &id));
	EXPECT_EQ(mntns_id, id);
	close(fd);
}

/*
 * One namespace of every type at once: each has an ID, none an initial
 * one's, all different (one counter), and a new mount namespace's is its
 * mnt_ns_id.  The namespaces the test stays in keep theirs.
 */
TEST(every_type)
{
	__u64 ids[2 * NR_TYPES];
	int p[2], i, j, status;
	unsigned int flags = 0;
	pid_t pid;

	for (i = 0; i < NR_TYPES; i++) {
		flags |= types[i].flag;
		ASSERT_EQ(0, ns_id_of(0, types[i].child, &ids[i], NULL));
	}
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u64 v[NR_TYPES + 2] = {};
		int fd;

		if (unshare(flags) < 0 || first_pid() < 0)
			_exit(1);
		for (i = 0; i < NR_TYPES; i++)
			if (ns_id_of(0, types[i].child, &v[i], NULL) < 0)
				_exit(2);
		fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, NS_GET_MNTNS_ID, &v[NR_TYPES]) < 0)
			_exit(3);
		if (write(p[1], v, sizeof(v)) != sizeof(v))
			_exit(4);
		_exit(0);
	}
	close(p[1]);
	{
		__u64 v[NR_TYPES + 2];

		ASSERT_EQ(sizeof(v), read(p[0], v, sizeof(v)));
		memcpy(&ids[NR_TYPES], v, NR_TYPES * sizeof(__u64));
		/* v[NR_TYPES]: the new mount namespace's mnt_ns_id. */
		EXPECT_EQ(v[NR_TYPES], v[NR_TYPES - 1]);
	}
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);

	for (i = 0; i < NR_TYPES; i++) {
		TH_LOG("%s: %llu -> %llu", types[i].name,
		       (unsigned long long)ids[i],
		       (unsigned long long)ids[NR_TYPES + i]);
		EXPECT_EQ(types[i].init_id, ids[i]);
		EXPECT_LT(MNT_NS_INIT_ID, ids[NR_TYPES + i]);
	}
	for (i = 0; i < 2 * NR_TYPES; i++)
		for (j = i + 1; j < 2 * NR_TYPES; j++)
			EXPECT_NE(ids[i], ids[j]) TH_LOG("%d and %d", i, j);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

#define LOOPS	800

/*
 * Namespaces of every type in turn, each freed before the next is made:
 * the inode numbers come round again, the IDs never do: each is higher
 * than the one before, whatever its type.
 */
FIXTURE(loop) {
	int unused;
};

FIXTURE_SETUP(loop)
{
}

FIXTURE_TEARDOWN(loop)
{
}

TEST_F_TIMEOUT(loop, never_reused, 600)
{
	static __u64 ids[LOOPS], inums[LOOPS];
	int i, ret, reused = 0, id_err = 0;
	struct made m;

	for (i = 0; i < LOOPS; i++) {
		ret = make_and_free(i % NR_TYPES, &m);
		/* The inode number even without NS_GET_ID, to show reuse. */
		ASSERT_TRUE(!ret || (ret == m.err && m.inum))
			TH_LOG("loop %d, %s: %s", i, types[i % NR_TYPES].name,
			       strerror(-ret));
		if (ret && !id_err)
			id_err = ret;
		ids[i] = m.id;
		inums[i] = m.inum;
	}

	qsort(inums, LOOPS, sizeof(inums[0]), cmp_u64);
	for (i = 1; i < LOOPS; i++)
		reused += inums[i] == inums[i - 1];
	TH_LOG("%d namespaces, %d of them with an inode number seen before",
	       LOOPS, reused);
	/* proc_alloc_inum() hands out the lowest free number. */
	EXPECT_LT(LOOPS / 4, reused);

	ASSERT_EQ(0, id_err) TH_LOG("NS_GET_ID: %s", strerror(-id_err));
	for (i = 1; i < LOOPS; i++)
		ASSERT_LT(ids[i - 1], ids[i]) TH_LOG("loop %d", i);
}

TEST(bad_arguments)
{
	int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, NS_GET_ID, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(fd);

	/* Not an nsfs file. */
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, NS_GET_ID, &(__u64){ 0 }));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST_HARNESS_MAIN
