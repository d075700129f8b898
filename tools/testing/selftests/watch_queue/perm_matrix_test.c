// SPDX-License-Identifier: GPL-2.0
/*
 * Who may set which watch: every source's objects, tried by four callers
 * on both transports, against the table that
 * Documentation/userspace-api/watch_queue_security.rst gives.
 *
 * The callers:
 * - root: uid 0 of the initial user namespace;
 * - nobody: uid 65534 of the initial user namespace;
 * - ns-root: uid 0 of a user namespace of its own (with its own mount and
 *   pid namespaces), which is uid 100000 outside it;
 * - ns-user: uid 1 of that user namespace, uid 100001 outside.
 *
 * The objects belong to the initial namespaces (made by root), except the
 * "own" ones, which the user namespace's callers make for themselves: a
 * mount namespace, a user namespace, a pid namespace and a tmpfs.  Each
 * cell is tried in a process of its own, which opens its own queue.
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define DIR		"/tmp/wq-perm"
#define OWN_DIR		DIR "/own"	/* where ns-root mounts its tmpfs */
#define NODEV_DIR	DIR "/nodev"	/* a tmpfs mounted nodev */
#define PUB_NODE	DIR "/disk"	/* the disk's node, readable by all */
#define NODEV_NODE	NODEV_DIR "/disk"
#define DISK		"/dev/vda"	/* the guest's disk: mode 0660 */
#define NS_BASE		100000	/* uid and gid 0 of the user namespace */

enum who { ROOT, NOBODY, NS_ROOT, NS_USER, NR_WHO };

static const char * const who_name[NR_WHO] = {
	"root", "nobody", "ns-root", "ns-user",
};

/* What the initial namespaces' objects are, for every cell. */
static struct {
	int32_t key_private;	/* root's, no permission for others */
	int32_t key_public;	/* root's, others may view it */
	int mnt_ns;		/* the initial mount namespace */
	int user_ns;		/* the initial user namespace */
	int pidfd;		/* init, whose pid namespace is the initial one */
	int have_disk;
} g;

/* What a user namespace's callers make for themselves. */
struct own {
	int mnt_ns, user_ns, pid_ns;
};

/* A cell's object: how to watch it, and what each caller gets. */
struct perm_obj {
	const char *name;
	int (*watch)(int qfd, const struct own *own);
	int needs_disk;
	int want[NR_WHO];	/* 0, or the errno; NA where it makes no sense */
};

#define NA	(-1)

static int watch_fd(int qfd, unsigned int type, int fd)
{
	return -watchq_watch_fd(qfd, type, fd, 1);
}

static int key_private(int qfd, const struct own *own)
{
	return wq_watch_key(g.key_private, qfd, 1) ? errno : 0;
}

static int key_public(int qfd, const struct own *own)
{
	return wq_watch_key(g.key_public, qfd, 1) ? errno : 0;
}

static int mount_root(int qfd, const struct own *own)
{
	return -watchq_watch_mount(qfd, AT_FDCWD, "/", 0, 1);
}

static int mount_ns_initial(int qfd, const struct own *own)
{
	return watch_fd(qfd, WATCH_TYPE_MOUNT_NOTIFY, g.mnt_ns);
}

static int mount_ns_own(int qfd, const struct own *own)
{
	return watch_fd(qfd, WATCH_TYPE_MOUNT_NOTIFY, own->mnt_ns);
}

static int sb_root(int qfd, const struct own *own)
{
	return -watchq_watch_sb(qfd, AT_FDCWD, "/", 0, 1);
}

static int sb_own(int qfd, const struct own *own)
{
	return -watchq_watch_sb(qfd, AT_FDCWD, OWN_DIR, 0, 1);
}

static int ns_initial(int qfd, const struct own *own)
{
	return watch_fd(qfd, WATCH_TYPE_NS_NOTIFY, g.user_ns);
}

static int ns_own(int qfd, const struct own *own)
{
	return watch_fd(qfd, WATCH_TYPE_NS_NOTIFY, own->user_ns);
}

static int proc_initial(int qfd, const struct own *own)
{
	return watch_fd(qfd, WATCH_TYPE_PROC_NOTIFY, g.pidfd);
}

static int proc_own(int qfd, const struct own *own)
{
	return watch_fd(qfd, WATCH_TYPE_PROC_NOTIFY, own->pid_ns);
}

/* The disk through a node at @path, opened O_PATH: watching opens nothing. */
static int disk_at(int qfd, const char *path)
{
	int fd = open(path, O_PATH | O_CLOEXEC), ret;

	if (fd < 0)
		return errno;
	ret = watch_fd(qfd, WATCH_TYPE_BLOCK_NOTIFY, fd);
	close(fd);
	return ret;
}

static int disk_dev(int qfd, const struct own *own)
{
	return disk_at(qfd, DISK);
}

static int disk_public(int qfd, const struct own *own)
{
	return disk_at(qfd, PUB_NODE);
}

static int disk_nodev(int qfd, const struct own *own)
{
	return disk_at(qfd, NODEV_NODE);
}

/*
 * The table.  Keys need view permission, as in mainline.  A mount is
 * watched by whoever statmount() shows it to; a whole mount namespace,
 * a superblock, the namespaces a user namespace owns and the processes of
 * a pid namespace need CAP_SYS_ADMIN over the owning user namespace.  A
 * disk needs read access to a node that open() would honour, or
 * CAP_SYS_ADMIN.
 */
static const struct perm_obj objs[] = {
	{ "key, private", key_private, 0, { 0, EACCES, EACCES, EACCES } },
	{ "key, others may view", key_public, 0, { 0, 0, 0, 0 } },
	{ "mount, /", mount_root, 0, { 0, 0, 0, 0 } },
	{ "mount ns, initial", mount_ns_initial, 0, { 0, EPERM, EPERM, EPERM } },
	{ "mount ns, own", mount_ns_own, 0, { NA, NA, 0, EPERM } },
	{ "superblock, /", sb_root, 0, { 0, EPERM, EPERM, EPERM } },
	{ "superblock, own tmpfs", sb_own, 0, { NA, NA, 0, EPERM } },
	{ "namespaces, initial", ns_initial, 0, { 0, EPERM, EPERM, EPERM } },
	{ "namespaces, own", ns_own, 0, { NA, NA, 0, EPERM } },
	{ "processes, initial", proc_initial, 0, { 0, EPERM, EPERM, EPERM } },
	{ "processes, own", proc_own, 0, { NA, NA, 0, EPERM } },
	{ "disk, " DISK " 0660", disk_dev, 1, { 0, EACCES, EACCES, EACCES } },
	{ "disk, node 0444", disk_public, 1, { 0, 0, 0, 0 } },
	{ "disk, node 0444 on nodev", disk_nodev, 1, { 0, EACCES, EACCES, EACCES } },
};

#define NR_OBJS	ARRAY_SIZE(objs)

/* Exit statuses of a cell's process that are not an errno. */
#define CELL_SETUP	250	/* it could not become its caller */
#define CELL_QUEUE	251	/* it could not open its queue */

/* Write the user namespace's ID maps of @pid: 0 and 1 as 100000 and 100001. */
static int map_ids(pid_t pid)
{
	char path[64], map[32];

	snprintf(map, sizeof(map), "0 %d 2", NS_BASE);
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	if (wq_write_file(path, map))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	return wq_write_file(path, map);
}

/* In the cell's process: become @who; 0 or -1. */
static int become(enum who who, int ready, int go, struct own *own)
{
	int life[2];
	pid_t init;
	char c;

	if (who == ROOT)
		return 0;
	if (who == NOBODY)
		return wq_become_nobody();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) ||
	    write(ready, "u", 1) != 1 || read(go, &c, 1) != 1 || c != 'g')
		return -1;
	if (setgroups(0, NULL) || setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return -2;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("own", OWN_DIR, "tmpfs", 0, NULL))
		return -3;
	/*
	 * A pid namespace is there for nsfs once it has its init.  The init
	 * lives as long as this process: it waits for the end of a pipe that
	 * only this process holds (a namespace's init ignores the signals it
	 * has no handler for, a parent-death signal included, and left behind
	 * it would keep the test's output open).
	 */
	if (pipe2(life, O_CLOEXEC))
		return -4;
	init = fork();
	if (init < 0)
		return -4;
	if (init == 0) {
		close(life[1]);
		if (read(life[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(life[0]);
	own->mnt_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	own->user_ns = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	own->pid_ns = open("/proc/self/ns/pid_for_children",
			   O_RDONLY | O_CLOEXEC);
	if (own->mnt_ns < 0 || own->user_ns < 0 || own->pid_ns < 0)
		return -5;
	if (who == NS_USER &&
	    (setresgid(1, 1, 1) || setresuid(1, 1, 1)))
		return -1;
	return 0;
}

/*
 * Try one cell: @obj watched by @who on a queue of the transport
 * @use_pipe.  Returns 0 or the errno the watch got, or CELL_* if the
 * cell could not be set up.
 */
static int try_cell(const struct perm_obj *obj, enum who who, int use_pipe)
{
	int ready[2], go[2], status, ret;
	pid_t pid;
	char c;

	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		return CELL_SETUP;
	pid = fork();
	if (pid < 0)
		return CELL_SETUP;
	if (pid == 0) {
		struct own own = { -1, -1, -1 };
		struct wq_queue q;

		/* Root's keys are not possessed through a session of ours. */
		int step;

		if (wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0)
			_exit(CELL_SETUP);
		step = become(who, ready[1], go[0], &own);
		if (step) {
			fprintf(stderr, "# %s: step %d: %s\n", who_name[who],
				-step, strerror(errno));
			_exit(CELL_SETUP);
		}
		if (wq_queue_open(&q, use_pipe))
			_exit(CELL_QUEUE);
		_exit(obj->watch(q.fd, &own));
	}
	/* Only the cell's process holds these ends: its exit ends a read. */
	close(ready[1]);
	close(go[0]);
	ret = 0;
	if (who == NS_ROOT || who == NS_USER) {
		if (read(ready[0], &c, 1) != 1 || map_ids(pid) ||
		    write(go[1], "g", 1) != 1)
			ret = CELL_SETUP;
	}
	close(ready[0]);
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return CELL_SETUP;
	return ret ? ret : WEXITSTATUS(status);
}

static const char *result_name(int err, char *buf, size_t size)
{
	if (err == 0)
		return "allowed";
	if (err == CELL_SETUP)
		return "(setup failed)";
	if (err == CELL_QUEUE)
		return "(no queue)";
	snprintf(buf, size, "%s", strerror(err));
	return buf;
}

/* The objects every cell uses, made by root once. */
static int make_objects(void)
{
	struct stat st;

	g.key_private = wq_add_key("user", "wq-perm:private", "x", 1,
				   KEY_SPEC_SESSION_KEYRING);
	g.key_public = wq_add_key("user", "wq-perm:public", "x", 1,
				  KEY_SPEC_SESSION_KEYRING);
	if (g.key_private < 0 || g.key_public < 0 ||
	    wq_keyctl(KEYCTL_SETPERM, g.key_private, 0x3f3f0000, 0, 0) ||
	    wq_keyctl(KEYCTL_SETPERM, g.key_public, 0x3f3f0001, 0, 0))
		return -1;
	g.mnt_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	g.user_ns = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	g.pidfd = wq_pidfd_open(1, 0);
	if (g.mnt_ns < 0 || g.user_ns < 0 || g.pidfd < 0)
		return -1;

	umount2(NODEV_DIR, MNT_DETACH);
	mkdir(DIR, 0755);
	mkdir(OWN_DIR, 0755);
	mkdir(NODEV_DIR, 0755);
	if (mount("nodev", NODEV_DIR, "tmpfs", MS_NODEV, "mode=0755"))
		return -1;
	g.have_disk = !stat(DISK, &st) && S_ISBLK(st.st_mode);
	if (!g.have_disk)
		return 0;
	unlink(PUB_NODE);
	if (chmod(DISK, 0660) ||
	    mknod(PUB_NODE, S_IFBLK | 0444, st.st_rdev) ||
	    mknod(NODEV_NODE, S_IFBLK | 0444, st.st_rdev) ||
	    chmod(PUB_NODE, 0444) || chmod(NODEV_NODE, 0444))
		return -1;
	return 0;
}

FIXTURE(matrix) {
	int dummy;
};

FIXTURE_VARIANT(matrix) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(matrix, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(matrix, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(matrix)
{
	ASSERT_EQ(0, (int)geteuid()) TH_LOG("the matrix is made by root");
	ASSERT_EQ(0, make_objects()) TH_LOG("objects: %s", strerror(errno));
}

FIXTURE_TEARDOWN(matrix)
{
	umount2(NODEV_DIR, MNT_DETACH);
	unlink(PUB_NODE);
}

/*
 * Every cell of the table, each printed; the test fails if any cell gets
 * other than the table says.
 */
TEST_F_TIMEOUT(matrix, who_may_watch_what, 300)
{
	char got_buf[64], want_buf[64];
	unsigned int i, cells = 0, bad = 0, skipped = 0;
	int who, got;

	for (i = 0; i < NR_OBJS; i++) {
		for (who = 0; who < NR_WHO; who++) {
			if (objs[i].want[who] == NA)
				continue;
			if (objs[i].needs_disk && !g.have_disk) {
				skipped++;
				continue;
			}
			got = try_cell(&objs[i], who, variant->use_pipe);
			cells++;
			if (got == objs[i].want[who])
				continue;
			bad++;
			TH_LOG("%s by %s: %s, the table says %s", objs[i].name,
			       who_name[who],
			       result_name(got, got_buf, sizeof(got_buf)),
			       result_name(objs[i].want[who], want_buf,
					   sizeof(want_buf)));
		}
	}
	TH_LOG("%u cells, %u as the table says, %u without a disk", cells,
	       cells - bad, skipped);
	EXPECT_EQ(0, (int)bad);
	EXPECT_EQ(0, (int)skipped);
}

/*
 * What mount records tell a chrooted watcher.  Mount IDs it may learn are
 * those statmount() gives it: of the mounts it can reach, and their
 * parents as statmount() reports them (the parent of the mount at the
 * chroot's root is outside it, and statmount() says so, as mountinfo
 * does); and mounts made inside the chroot that are gone before it could
 * look, whose IDs root tells it.  Records must tell it no other ID.
 */
#define JAIL		DIR "/jail"
#define JAIL_PATHS	3

static const char * const jail_paths[JAIL_PATHS] = { "/m", "/m/a", "/m/b" };

/* Add the IDs statmount() gives for the mounts at jail_paths to @known. */
static int learn_ids(__u64 *known, int n, int max)
{
	struct statmount sm;
	int i;

	for (i = 0; i < JAIL_PATHS && n + 2 <= max; i++) {
		if (wq_statmount_path(jail_paths[i], STATMOUNT_MNT_BASIC, &sm,
				      sizeof(sm)))
			continue;
		known[n++] = sm.mnt_id;
		known[n++] = sm.mnt_parent_id;
	}
	return n;
}

static int is_known(const __u64 *known, int n, __u64 id)
{
	while (n--)
		if (known[n] == id)
			return 1;
	return 0;
}

/*
 * The steps root takes outside the chroot, one a round.  *@inside is set
 * to the ID of a mount it made inside the chroot, which the watcher may be
 * told of even if it is gone before the watcher could look; else 0.
 */
static int jail_step(int step, __u64 *inside)
{
	*inside = 0;
	switch (step) {
	case 0:		/* ATTACH below the watched mount */
		if (mount("a", JAIL "/m/a", "tmpfs", 0, NULL))
			return -1;
		*inside = wq_mount_id(AT_FDCWD, JAIL "/m/a", 0);
		return 0;
	case 1:		/* ATTR of the watched mount itself */
		return mount(NULL, JAIL "/m", NULL,
			     MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
	case 2:		/* MOVE_FROM: a leaves for a mount outside */
		return mount(JAIL "/m/a", DIR "/out/x", NULL, MS_MOVE, NULL);
	case 3:		/* ATTACH, then DETACH */
		if (mount("b", JAIL "/m/b", "tmpfs", 0, NULL))
			return -1;
		*inside = wq_mount_id(AT_FDCWD, JAIL "/m/b", 0);
		return umount2(JAIL "/m/b", 0);
	}
	return -1;
}

#define JAIL_STEPS	4

TEST_F_TIMEOUT(matrix, chrooted_records_tell_no_more_than_statmount, 120)
{
	int ready[2], go[2], status, step;
	char c;
	pid_t pid;

	umount2(JAIL "/m", MNT_DETACH);
	umount2(DIR "/out", MNT_DETACH);
	mkdir(JAIL, 0755);
	mkdir(JAIL "/m", 0755);
	mkdir(DIR "/out", 0755);
	ASSERT_EQ(0, mount("out", DIR "/out", "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(DIR "/out/x", 0755));
	ASSERT_EQ(0, mount("m", JAIL "/m", "tmpfs", 0, "mode=0755"));
	ASSERT_EQ(0, mkdir(JAIL "/m/a", 0755));
	ASSERT_EQ(0, mkdir(JAIL "/m/b", 0755));
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned char buf[WQ_REC_MAX];
		struct mount_notification *n = (void *)buf;
		int nk = 0, bad = 0, recs = 0;
		__u64 known[64], inside;
		struct wq_queue q;

		if (wq_queue_open_sized(&q, variant->use_pipe, 64, 16384) ||
		    chroot(JAIL) || chdir("/") || wq_become_nobody())
			_exit(100);
		if (wq_mount_watch(AT_FDCWD, "/m", AT_RECURSIVE, q.fd, 1))
			_exit(101);
		for (step = 0; step < JAIL_STEPS; step++) {
			nk = learn_ids(known, nk, 64);
			if (write(ready[1], "r", 1) != 1 ||
			    read(go[0], &inside, sizeof(inside)) != sizeof(inside))
				_exit(102);
			if (inside)
				known[nk++] = inside;
			while (wq_queue_next(&q, buf, sizeof(buf), 500) > 0) {
				if (wq_type(&n->watch) != WATCH_TYPE_MOUNT_NOTIFY)
					continue;
				recs++;
				nk = learn_ids(known, nk, 64);
				if (is_known(known, nk, n->mnt_id) &&
				    is_known(known, nk, n->mnt_parent_id))
					continue;
				bad++;
				fprintf(stderr, "# step %d: subtype %u: %llu on %llu, unknown\n",
					step, wq_subtype(&n->watch),
					(unsigned long long)n->mnt_id,
					(unsigned long long)n->mnt_parent_id);
			}
		}
		fprintf(stderr, "# %d records, %d with an ID statmount() does not give\n",
			recs, bad);
		_exit(bad ? 1 : recs < JAIL_STEPS + 1 ? 2 : 0);
	}
	for (step = 0; step < JAIL_STEPS; step++) {
		__u64 inside;

		ASSERT_EQ(1, read(ready[0], &c, 1));
		ASSERT_EQ(0, jail_step(step, &inside))
			TH_LOG("step %d: %s", step, strerror(errno));
		ASSERT_EQ((ssize_t)sizeof(inside),
			  write(go[1], &inside, sizeof(inside)));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	umount2(DIR "/out/x", MNT_DETACH);
	umount2(DIR "/out", MNT_DETACH);
	umount2(JAIL "/m", MNT_DETACH);
}

TEST_HARNESS_MAIN
