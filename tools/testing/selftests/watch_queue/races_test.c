// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime races, each a stress case of its own on the guest's two vCPUs:
 * a queue's end against its objects' ends, posting against unmounting,
 * munmap, fork and exec, and a process watch against its namespace's last
 * exit.  Each round starts both sides at a barrier, and a seeded delay
 * decides which one usually goes first.  The verdict is the kernel log
 * (KASAN, lockdep, kmemleak, list debugging) and, for every queue that
 * stays open, delivered + lost == posted: on the ring, lost is the header's
 * count; a pipe keeps no count, so a shortfall there needs a loss record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define BASE		"/tmp/wq-race"
#define ROUNDS		60
#define POSTS		2000	/* records posted against munmap, fork, exec */

/* The two sides of a round, started together. */
struct race {
	void (*side[2])(struct race *r);
	pthread_barrier_t barrier;
	unsigned int delay_us[2];
	unsigned int max_delay_us;	/* 0: 200 */
	struct wq_queue *q;	/* the queue that one side closes */
	int32_t key;
	const char *path;
	pid_t kid;
	int kid_go;		/* write end of the kid's go pipe */
	int nsfd;
	long watch_ret;		/* what a side's watch got: 0 or errno */
};

struct side_arg {
	struct race *r;
	int i;
};

static void *side_thread(void *arg)
{
	struct side_arg *a = arg;

	pthread_barrier_wait(&a->r->barrier);
	if (a->r->delay_us[a->i])
		usleep(a->r->delay_us[a->i]);
	a->r->side[a->i](a->r);
	return NULL;
}

/*
 * Run both sides of @r at once; @seed picks which one waits a little, so
 * that both orders and the overlap between them all happen.
 */
static int run_race(struct race *r, __u32 *seed)
{
	struct side_arg a[2] = { { r, 0 }, { r, 1 } };
	pthread_t t[2];
	__u32 x = wq_rand(seed);
	int i;

	r->delay_us[0] = 0;
	r->delay_us[1] = 0;
	r->delay_us[x & 1] = (x >> 1) % (r->max_delay_us ?: 200);
	if (pthread_barrier_init(&r->barrier, NULL, 2))
		return -1;
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, side_thread, &a[i]))
			return -1;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&r->barrier);
	return 0;
}

/* What a queue that stays open has delivered. */
struct tally {
	int recs;		/* records of the type counted */
	int removals;		/* removal notices */
	int losses;		/* loss records */
	int after_removal;	/* records of a watch after its removal notice */
	__u64 lost;		/* the ring's count (the device only) */
};

/*
 * Read @q, counting as struct tally says: waiting up to WAIT_MS while it
 * has fewer than @want records of @type or @want_removals removal
 * notices, then until it has been quiet for @quiet_ms.
 */
static void drain(struct wq_queue *q, unsigned int type, int want,
		  int want_removals, int quiet_ms, struct tally *t)
{
	unsigned char buf[WQ_REC_MAX];
	struct watch_notification *n = (void *)buf;
	unsigned char removed[256] = { 0 };
	unsigned int id;
	int wait;

	memset(t, 0, sizeof(*t));
	for (;;) {
		wait = t->recs < want || t->removals < want_removals ?
			WAIT_MS : quiet_ms;
		if (wq_queue_next(q, buf, sizeof(buf), wait) <= 0)
			break;
		id = (n->info & WATCH_INFO_ID) >> __builtin_ctz(WATCH_INFO_ID);
		if (wq_type(n) == type) {
			t->recs++;
			if (removed[id])
				t->after_removal++;
		} else if (wq_type(n) == WATCH_TYPE_META &&
			   wq_subtype(n) == WATCH_META_LOSS_NOTIFICATION) {
			t->losses++;
		} else if (wq_type(n) == WATCH_TYPE_META &&
			   wq_subtype(n) == WATCH_META_REMOVAL_NOTIFICATION) {
			t->removals++;
			removed[id] = 1;
		}
	}
	if (!q->use_pipe)
		t->lost = watchq_lost(&q->q);
}

/*
 * delivered + lost == posted, in the way each transport can tell it:
 * the ring counts what it lost; a pipe keeps no count, so a shortfall
 * there needs a loss record.  Says what it found; true if it holds.
 */
static bool accounted(const struct tally *t, int posted, int use_pipe)
{
	fprintf(stderr, "# %d posted: %d delivered, %llu lost, %d loss records\n",
		posted, t->recs, (unsigned long long)t->lost, t->losses);
	if (use_pipe)
		return t->recs == posted || (t->recs < posted && t->losses);
	return t->recs + t->lost == (__u64)posted;
}

FIXTURE(race) {
	__u32 seed;
};

FIXTURE_VARIANT(race) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(race, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(race, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(race)
{
	const char *env = getenv("WQ_RACE_SEED");

	self->seed = env ? strtoul(env, NULL, 0) : (__u32)wq_now_ms();
	if (!self->seed)
		self->seed = 1;
	TH_LOG("seed %u (WQ_RACE_SEED=%u repeats it)", self->seed, self->seed);
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	mkdir(BASE, 0755);
	ASSERT_EQ(0, mount("race", BASE, "tmpfs", 0, "size=1m"));
	ASSERT_EQ(0, mkdir(BASE "/d", 0755));
}

FIXTURE_TEARDOWN(race)
{
	umount2(BASE, MNT_DETACH);
}

static void close_queue(struct race *r)
{
	wq_queue_close(r->q);
}

static void invalidate_key(struct race *r)
{
	wq_keyctl(KEYCTL_INVALIDATE, r->key, 0, 0, 0);
}

/* A queue closed while the key it watches is invalidated, both orders. */
TEST_F_TIMEOUT(race, close_vs_key_end, 300)
{
	struct race r = { .side = { close_queue, invalidate_key } };
	struct wq_queue q;
	char desc[32];
	int i;

	for (i = 0; i < ROUNDS; i++) {
		snprintf(desc, sizeof(desc), "wq-race:%d", i);
		r.key = wq_add_key("user", desc, "x", 1,
				   KEY_SPEC_SESSION_KEYRING);
		ASSERT_LT(0, r.key);
		ASSERT_EQ(0, wq_queue_open(&q, variant->use_pipe));
		ASSERT_EQ(0, wq_watch_key(r.key, q.fd, 1));
		r.q = &q;
		ASSERT_EQ(0, run_race(&r, &self->seed));
	}
}

static void umount_path(struct race *r)
{
	umount2(r->path, MNT_DETACH);
}

/*
 * A queue closed while the mount and the superblock it watches go, both
 * orders.  A queue that watches their parent mount stays open: it must
 * account for each round's attach and detach.
 */
TEST_F_TIMEOUT(race, close_vs_umount, 300)
{
	struct race r = { .side = { close_queue, umount_path },
			  .path = BASE "/d" };
	struct wq_queue q, parent;
	struct tally t;
	int i;

	ASSERT_EQ(0, wq_queue_open_sized(&parent, variant->use_pipe, 256,
					 64 * 1024));
	ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, BASE, 0, parent.fd, 9));
	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, mount("d", r.path, "tmpfs", 0, "size=64k"));
		ASSERT_EQ(0, wq_queue_open(&q, variant->use_pipe));
		ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, r.path, 0, q.fd, 1));
		ASSERT_EQ(0, wq_sb_watch(AT_FDCWD, r.path, 0, q.fd, 2));
		r.q = &q;
		ASSERT_EQ(0, run_race(&r, &self->seed));
	}
	drain(&parent, WATCH_TYPE_MOUNT_NOTIFY, 2 * ROUNDS, 0, 500, &t);
	ASSERT_TRUE(accounted(&t, 2 * ROUNDS, variant->use_pipe));
	wq_queue_close(&parent);
}

/* Mount and unmount under r->path until it is no longer the mount. */
static void post_under(struct race *r)
{
	char child[64];
	int i;

	snprintf(child, sizeof(child), "%s/c", r->path);
	for (i = 0; i < 20; i++) {
		if (mount("c", child, "tmpfs", 0, "size=64k"))
			break;
		umount2(child, MNT_DETACH);
	}
}

/*
 * A watched mount unmounted while records are posted to it: the watch
 * gets exactly one removal notice, and no record after it.
 */
TEST_F_TIMEOUT(race, umount_while_posting, 300)
{
	struct race r = { .side = { post_under, umount_path },
			  .path = BASE "/d" };
	struct wq_queue q;
	struct tally t;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		ASSERT_EQ(0, mount("d", r.path, "tmpfs", 0, "size=64k"));
		ASSERT_EQ(0, mkdir(BASE "/d/c", 0755));
		ASSERT_EQ(0, wq_queue_open_sized(&q, variant->use_pipe, 256,
						 64 * 1024));
		ASSERT_EQ(0, wq_mount_watch(AT_FDCWD, r.path, AT_RECURSIVE,
					    q.fd, 1));
		ASSERT_EQ(0, run_race(&r, &self->seed));
		drain(&q, WATCH_TYPE_MOUNT_NOTIFY, 0, 1, 200, &t);
		ASSERT_EQ(1, t.removals) TH_LOG("round %d", i);
		ASSERT_EQ(0, t.after_removal) TH_LOG("round %d", i);
		ASSERT_EQ(0, (int)t.lost + t.losses) TH_LOG("round %d", i);
		ASSERT_EQ(0, wq_queue_close(&q));
	}
}

/* A kid that waits on @go, then exits; its pid, or -1. */
static pid_t start_kid(int flags, int *go)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[1]);
		if (flags && unshare(flags))
			_exit(1);
		if (read(fds[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(fds[0]);
	*go = fds[1];
	return pid;
}

static void end_kid(struct race *r)
{
	close(r->kid_go);
	waitpid(r->kid, NULL, 0);
}

/*
 * A user namespace freed, once its last task is gone, while the queue
 * that watches it closes.  A queue on the initial user namespace stays
 * open: each round creates one namespace and destroys it.
 */
TEST_F_TIMEOUT(race, close_vs_ns_free, 300)
{
	struct race r = { .side = { close_queue, end_kid } };
	struct wq_queue q, init_q;
	char path[64];
	struct tally t;
	int i, fd, go;

	ASSERT_EQ(0, wq_queue_open_sized(&init_q, variant->use_pipe, 512,
					 256 * 1024));
	fd = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, wq_ret(watchq_watch_ns(init_q.fd, fd, 9)));
	close(fd);
	for (i = 0; i < ROUNDS; i++) {
		r.kid = start_kid(CLONE_NEWUSER, &go);
		ASSERT_LT(0, r.kid);
		r.kid_go = go;
		snprintf(path, sizeof(path), "/proc/%d/ns/user", r.kid);
		/* The kid unshares first: wait until its namespace is new. */
		for (fd = -1; fd < 0;) {
			struct stat a, b;

			fd = open(path, O_RDONLY | O_CLOEXEC);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, fstat(fd, &a));
			ASSERT_EQ(0, stat("/proc/self/ns/user", &b));
			if (a.st_ino == b.st_ino) {
				close(fd);
				fd = -1;
				wq_sleep_ms(1);
			}
		}
		ASSERT_EQ(0, wq_queue_open(&q, variant->use_pipe));
		ASSERT_EQ(0, wq_ret(watchq_watch_ns(q.fd, fd, 1)));
		close(fd);
		r.q = &q;
		ASSERT_EQ(0, run_race(&r, &self->seed));
	}
	drain(&init_q, WATCH_TYPE_NS_NOTIFY, 2 * ROUNDS, 0, 500, &t);
	ASSERT_TRUE(accounted(&t, 2 * ROUNDS, variant->use_pipe));
	wq_queue_close(&init_q);
}

static void watch_procs(struct race *r)
{
	r->watch_ret = -watchq_watch_procs(r->q->fd, r->nsfd, 1);
}

/* A pid namespace's init that waits on @go; the namespace's nsfd, or -1. */
static int start_pidns(pid_t *kid, int *go)
{
	int fds[2], ready[2], fd;
	char path[64], c;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[1]);
		close(ready[0]);
		if (unshare(CLONE_NEWPID))
			_exit(1);
		pid = fork();
		if (pid < 0)
			_exit(2);
		if (pid == 0) {
			if (read(fds[0], &c, 1) < 0)
				_exit(3);
			_exit(0);
		}
		/* pid_for_children names the namespace once it has its init. */
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		close(ready[1]);
		_exit(waitpid(pid, NULL, 0) == pid ? 0 : 5);
	}
	close(fds[0]);
	close(ready[1]);
	*go = fds[1];
	*kid = pid;
	fd = -1;
	if (read(ready[0], &c, 1) == 1) {
		snprintf(path, sizeof(path), "/proc/%d/ns/pid_for_children",
			 pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	close(ready[0]);
	return fd;
}

/*
 * A process watch set while the last task of its pid namespace exits.
 * The nsfd keeps the namespace, dead or not, so the watch is set in
 * either order (refused, it could only be with ENOENT); what must hold is
 * that each watch set gets its removal notice once the namespace is
 * freed, whether it came before the last exit or after it.
 */
TEST_F_TIMEOUT(race, proc_watch_vs_last_exit, 300)
{
	/* The exit takes longer than the watch: give it a head start. */
	struct race r = { .side = { watch_procs, end_kid },
			  .max_delay_us = 5000 };
	struct wq_queue q;
	unsigned int set = 0;
	struct tally t;
	int i, go;

	for (i = 0; i < ROUNDS; i++) {
		r.nsfd = start_pidns(&r.kid, &go);
		ASSERT_LE(0, r.nsfd);
		r.kid_go = go;
		ASSERT_EQ(0, wq_queue_open(&q, variant->use_pipe));
		r.q = &q;
		ASSERT_EQ(0, run_race(&r, &self->seed));
		close(r.nsfd);
		if (r.watch_ret) {
			ASSERT_EQ(ENOENT, r.watch_ret)
				TH_LOG("round %d: %s", i, strerror(r.watch_ret));
		} else {
			set++;
			drain(&q, WATCH_TYPE_PROC_NOTIFY, 0, 1, 0, &t);
			ASSERT_EQ(1, t.removals) TH_LOG("round %d", i);
		}
		ASSERT_EQ(0, wq_queue_close(&q));
	}
	TH_LOG("%u of %d watches set, each removed", set, ROUNDS);
}

/* Update @key @n times: each update posts one record to its watches. */
static int update_key(int32_t key, int n)
{
	char v[16];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(v, sizeof(v), "%d", i);
		if (wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)v, strlen(v),
			      0) < 0)
			return -1;
	}
	return 0;
}

struct poster {
	pthread_t thread;
	int32_t key;
	int ret;
};

static void *poster_thread(void *arg)
{
	struct poster *p = arg;

	p->ret = update_key(p->key, POSTS);
	return NULL;
}

/*
 * The ring unmapped, mapped again and unmapped while the kernel posts to
 * it: nothing the kernel writes depends on the mapping, and every record
 * is still there or counted.  The device only: a pipe has no mapping.
 */
TEST_F_TIMEOUT(race, munmap_while_posting, 300)
{
	struct watch_queue_info info;
	struct poster p = { 0 };
	struct wq_queue q;
	struct tally t;
	int i;

	if (variant->use_pipe)
		SKIP(return, "a pipe has no mapping");
	p.key = wq_add_key("user", "wq-race:munmap", "x", 1,
			   KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, p.key);
	ASSERT_EQ(0, wq_queue_open_sized(&q, 0, 0, POSTS * 64));
	ASSERT_EQ(0, wq_watch_key(p.key, q.fd, 1));
	ASSERT_EQ(0, watchq_get_info(q.fd, &info));
	ASSERT_EQ(0, pthread_create(&p.thread, NULL, poster_thread, &p));
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, watchq_unmap(&q.q));
		ASSERT_EQ(0, watchq_map_info(&q.q, q.fd, &info));
	}
	pthread_join(p.thread, NULL);
	ASSERT_EQ(0, p.ret);
	drain(&q, WATCH_TYPE_KEY_NOTIFY, POSTS, 0, 500, &t);
	ASSERT_TRUE(accounted(&t, POSTS, variant->use_pipe));
	wq_queue_close(&q);
}

/*
 * fork() and exec() with the ring mapped while the kernel posts: the
 * children, which get no mapping and close the queue on exec, change
 * nothing for the parent's queue.
 */
TEST_F_TIMEOUT(race, fork_exec_while_posting, 300)
{
	struct poster p = { 0 };
	struct wq_queue q;
	struct tally t;
	int i, status;
	pid_t pid;

	p.key = wq_add_key("user", "wq-race:fork", "x", 1,
			   KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, p.key);
	ASSERT_EQ(0, wq_queue_open_sized(&q, variant->use_pipe, 512,
					 POSTS * 64));
	ASSERT_EQ(0, wq_watch_key(p.key, q.fd, 1));
	ASSERT_EQ(0, pthread_create(&p.thread, NULL, poster_thread, &p));
	for (i = 0; i < 50; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			if (i & 1)
				execl("/bin/true", "true", (char *)NULL);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	pthread_join(p.thread, NULL);
	ASSERT_EQ(0, p.ret);
	drain(&q, WATCH_TYPE_KEY_NOTIFY, POSTS, 0, 500, &t);
	ASSERT_TRUE(accounted(&t, POSTS, variant->use_pipe));
	wq_queue_close(&q);
}

TEST_HARNESS_MAIN
