// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace notifications, set by IOC_WATCH_QUEUE_WATCH on an nsfs file or
 * a pidfd of a user namespace, through /dev/watch_queue and notification
 * pipes: a CREATE for each of the eight types by unshare(),
 * one per namespace for clone3() with several flags, SETNS by namespace fd
 * and by pidfd, nothing for a failing setns(), DESTROY once the last task,
 * the last namespace fd or the last bind mount goes, or the last struct
 * pid with interrupts disabled, the pid namespace for children, scoping to
 * a user namespace and its descendants, the removal of a watch on a user
 * namespace that dies, permissions, process IDs seen from a queue opened
 * in a child pid namespace, closing queues during a storm of namespace
 * churn, every bad argument, no CREATE of an inode number before the
 * DESTROY of the namespace that had it, and an unprivileged user adding
 * and removing a watch ten thousand times without the kernel patching
 * its text each time, records of exactly their length while watches
 * come and go around the queue's, and two hundred pid namespaces dying at
 * once, each reported.
 *
 * Runs as root.  Every wait for a record is bounded by poll() with a
 * generous timeout; nothing is asserted about time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME	0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP	0x02000000
#endif

/*
 * Bound on waiting for a namespace record, longer than WAIT_MS: net and
 * user namespaces die in workqueues.
 */
#define NS_WAIT_MS	60000
#define WATCH_ID	7

/* Watch the user namespace @ns_fd names, through watchq.h. */
static long ns_watch(int ns_fd, int watch_fd, unsigned int id)
{
	return wq_ret(watchq_watch_ns(watch_fd, ns_fd, id));
}

/* Remove the namespace watch @id of the queue @watch_fd. */
static long ns_unwatch(int watch_fd, unsigned int id)
{
	return wq_unwatch(watch_fd, WATCH_TYPE_NS_NOTIFY, id);
}

/* A namespace watch request with its flags and at_flags, by hand. */
static long ns_watch_raw(int ns_fd, int watch_fd, unsigned int id,
			 unsigned int flags, unsigned int at_flags)
{
	struct watch_queue_watch w = {
		.type = WATCH_TYPE_NS_NOTIFY,
		.flags = flags,
		.watch_id = id,
		.object = WATCH_OBJECT_FD,
		.fd = ns_fd,
		.at_flags = at_flags,
	};

	return ioctl(watch_fd, IOC_WATCH_QUEUE_WATCH, &w);
}

static const struct ns_type {
	unsigned int flag;
	const char *name;	/* /proc/PID/ns/ file of the task itself */
	const char *child;	/* the one that the flag changes */
} ns_types[] = {
	{ CLONE_NEWUSER,	"user",		"user" },
	{ CLONE_NEWNS,		"mnt",		"mnt" },
	{ CLONE_NEWUTS,		"uts",		"uts" },
	{ CLONE_NEWIPC,		"ipc",		"ipc" },
	{ CLONE_NEWPID,		"pid",		"pid_for_children" },
	{ CLONE_NEWNET,		"net",		"net" },
	{ CLONE_NEWCGROUP,	"cgroup",	"cgroup" },
	{ CLONE_NEWTIME,	"time",		"time_for_children" },
};

#define NR_TYPES	((int)ARRAY_SIZE(ns_types))

static const char *type_name(unsigned int flag)
{
	int i;

	for (i = 0; i < NR_TYPES; i++)
		if (ns_types[i].flag == flag)
			return ns_types[i].name;
	return "?";
}

/* The inode number of /proc/@pid/ns/@name (pid 0: self), 0 on error. */
static __u64 ns_inum(pid_t pid, const char *name)
{
	char path[64];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	if (stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

static int ns_open(pid_t pid, const char *name)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Records read past while waiting for another, for negative checks. */
#define MAX_SKIPPED	512
static struct ns_notification skipped[MAX_SKIPPED];
static int nr_skipped;

/*
 * Read records until an ns record of @subtype for the namespace @inum
 * arrives, waiting up to NS_WAIT_MS.  Others are kept in skipped[].  Returns
 * 1 with the record in *@out, or 0.
 */
static int wait_ns(struct wq_queue *q, unsigned int subtype, __u64 inum,
		   struct ns_notification *out)
{
	long long end = wq_now_ms() + NS_WAIT_MS;
	unsigned char buf[128];
	struct ns_notification *r = (void *)buf;
	ssize_t len;
	int left;

	nr_skipped = 0;
	for (;;) {
		left = end - wq_now_ms();
		if (left <= 0)
			return 0;
		len = wq_queue_next(q, buf, sizeof(buf), left);
		if (len <= 0)
			return 0;
		if (len == sizeof(*r) &&
		    wq_type(&r->watch) == WATCH_TYPE_NS_NOTIFY &&
		    wq_subtype(&r->watch) == subtype && r->ns_inum == inum) {
			if (out)
				*out = *r;
			return 1;
		}
		if (nr_skipped < MAX_SKIPPED) {
			memset(&skipped[nr_skipped], 0, sizeof(*r));
			memcpy(&skipped[nr_skipped], buf,
			       len < (ssize_t)sizeof(*r) ? (size_t)len : sizeof(*r));
			nr_skipped++;
		}
	}
}

/*
 * Read records until a DESTROY for each of the @n namespaces @inums has
 * arrived, in any order; 1 if all did within NS_WAIT_MS.
 */
static int wait_destroys(struct wq_queue *q, const __u64 *inums, int n)
{
	long long end = wq_now_ms() + NS_WAIT_MS;
	unsigned char buf[128];
	struct ns_notification *r = (void *)buf;
	int left, i, missing = n;
	char seen[64] = {};

	while (missing) {
		left = end - wq_now_ms();
		if (left <= 0 || wq_queue_next(q, buf, sizeof(buf), left) <= 0)
			return 0;
		if (wq_type(&r->watch) != WATCH_TYPE_NS_NOTIFY ||
		    wq_subtype(&r->watch) != NOTIFY_NS_DESTROY)
			continue;
		for (i = 0; i < n; i++) {
			if (!seen[i] && inums[i] == r->ns_inum) {
				seen[i] = 1;
				missing--;
			}
		}
	}
	return 1;
}

/*
 * Whether an ns record of @subtype for @inum is already queued, without
 * waiting; what is read past is lost.
 */
static int wait_ns_now(struct wq_queue *q, unsigned int subtype, __u64 inum)
{
	unsigned char buf[128];
	struct ns_notification *r = (void *)buf;

	while (wq_queue_next(q, buf, sizeof(buf), 0) > 0)
		if (wq_type(&r->watch) == WATCH_TYPE_NS_NOTIFY &&
		    wq_subtype(&r->watch) == subtype && r->ns_inum == inum)
			return 1;
	return 0;
}

/* Whether skipped[] holds an ns record of @subtype (any inum if 0). */
static int skipped_has(unsigned int subtype, __u64 inum)
{
	int i;

	for (i = 0; i < nr_skipped; i++)
		if (wq_type(&skipped[i].watch) == WATCH_TYPE_NS_NOTIFY &&
		    wq_subtype(&skipped[i].watch) == subtype &&
		    (!inum || skipped[i].ns_inum == inum))
			return 1;
	return 0;
}

/* Whether the queue holds no record right now. */
static int queue_empty(struct wq_queue *q)
{
	unsigned char buf[128];

	return wq_queue_next(q, buf, sizeof(buf), 0) == 0;
}

#define ASSERT_NS_REC(q, st, inum, out) do {				\
	unsigned int _st = (st);					\
	__u64 _inum = (inum);						\
	char _d[200];							\
	int _i;								\
									\
	if (!wait_ns(q, _st, _inum, out)) {				\
		for (_i = 0; _i < nr_skipped; _i++) {			\
			wq_describe(&skipped[_i], sizeof(skipped[0]), _d, sizeof(_d)); \
			TH_LOG("skipped: %s", _d);			\
		}							\
		ASSERT_TRUE(0) TH_LOG("no subtype %u record for inum %llu", \
				      _st, (unsigned long long)_inum);	\
	}								\
} while (0)

/* A record's fields, checked. */
#define ASSERT_FIELDS(r, type, reason_, old, owner, pid_) do {		\
	const struct ns_notification *_r = &(r);			\
	int _pid = (pid_);						\
	char _d[200];							\
									\
	wq_describe(_r, sizeof(*_r), _d, sizeof(_d));			\
	TH_LOG("got %s", _d);						\
	ASSERT_EQ(_r->watch.info & WATCH_INFO_LENGTH, sizeof(*_r));	\
	ASSERT_EQ(watchq_rec_id(&_r->watch), WATCH_ID);			\
	ASSERT_EQ(_r->ns_type, (type));					\
	ASSERT_EQ(_r->reason, (reason_));				\
	ASSERT_EQ(_r->old_inum, (old));					\
	ASSERT_EQ(_r->owner_inum, (owner));				\
	ASSERT_EQ(_r->pid, _pid);					\
	ASSERT_EQ(_r->tgid, _pid);					\
} while (0)

/*
 * Fork a first task into a new pid namespace for children, which exits at
 * once: until one is made, /proc/PID/ns/pid_for_children cannot be opened.
 */
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

/*
 * Kid: report the inums of the namespaces of all types (those the flags
 * change), unshare(flags), report them again (or the negated errno of
 * unshare() in the first value), then wait to be told to go.
 */
static int kid_unshare(void *arg, int in, int out)
{
	unsigned long flags = (unsigned long)arg;
	int i;

	for (i = 0; i < NR_TYPES; i++)
		put_u64(out, ns_inum(0, ns_types[i].child));
	if (unshare(flags) < 0) {
		put_u64(out, -errno);
		return 1;
	}
	if ((flags & CLONE_NEWPID) && first_pid() < 0)
		return 2;
	for (i = 0; i < NR_TYPES; i++)
		put_u64(out, ns_inum(0, ns_types[i].child));
	wait_eof(in);
	return 0;
}

/* The inums before and after a kid_unshare(). */
struct inums {
	__u64 before[8], after[8];
};

static int read_inums(struct kid *k, struct inums *ino)
{
	int i;

	for (i = 0; i < NR_TYPES; i++)
		ino->before[i] = get_u64(k->from);
	for (i = 0; i < NR_TYPES; i++)
		ino->after[i] = get_u64(k->from);
	return ino->after[0] == ~0ULL ? -1 : 0;
}

FIXTURE(ns) {
	struct wq_queue q;
	int user_fd;		/* the initial user namespace */
	__u64 init_user;
};

FIXTURE_VARIANT(ns) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(ns, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(ns, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(ns)
{
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	self->user_fd = ns_open(0, "user");
	ASSERT_LE(0, self->user_fd);
	self->init_user = ns_inum(0, "user");
	ASSERT_EQ(0, ns_watch(self->user_fd, self->q.fd, WATCH_ID))
		TH_LOG("ns_notify: %s", strerror(errno));
}

FIXTURE_TEARDOWN(ns)
{
	wq_queue_close(&self->q);
	close(self->user_fd);
}

/* Each type by unshare(): CREATE with every field, then DESTROY at exit. */
TEST_F_TIMEOUT(ns, unshare_each_type, 240)
{
	struct ns_notification r;
	struct inums ino;
	struct kid k;
	int i;

	for (i = 0; i < NR_TYPES; i++) {
		__u64 owner = self->init_user;

		TH_LOG("unshare(CLONE_NEW%s)", ns_types[i].name);
		ASSERT_LT(0, kid_start(&k, kid_unshare,
				       (void *)(unsigned long)ns_types[i].flag));
		ASSERT_EQ(0, read_inums(&k, &ino));
		ASSERT_NE(ino.before[i], ino.after[i]);

		ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, ino.after[i], &r);
		ASSERT_FIELDS(r, ns_types[i].flag, NOTIFY_NS_REASON_UNSHARE,
			      ino.before[i], owner, k.pid);
		/* Nothing else was created. */
		ASSERT_FALSE(skipped_has(NOTIFY_NS_CREATE, 0));

		ASSERT_EQ(0, kid_finish(&k));
		ASSERT_NS_REC(&self->q, NOTIFY_NS_DESTROY, ino.after[i], &r);
		ASSERT_FIELDS(r, ns_types[i].flag, NOTIFY_NS_REASON_RELEASE,
			      0, owner, 0);
	}
}

/* Kid of clone3: report its namespaces, then wait. */
static int clone3_kid(int in, int out)
{
	int i;

	for (i = 0; i < NR_TYPES; i++)
		put_u64(out, ns_inum(0, ns_types[i].child));
	wait_eof(in);
	return 0;
}

/* clone3() with all eight flags: one CREATE per namespace, user first. */
TEST_F_TIMEOUT(ns, clone3_all_types, 240)
{
	struct wq_clone_args args = {};
	struct ns_notification r;
	__u64 before[8], after[8];
	unsigned int flags = 0;
	int a[2], b[2], i, status, seen = 0;
	pid_t pid;

	for (i = 0; i < NR_TYPES; i++) {
		flags |= ns_types[i].flag;
		before[i] = ns_inum(0, ns_types[i].child);
	}
	ASSERT_EQ(0, pipe(a));
	ASSERT_EQ(0, pipe(b));
	args.flags = flags;
	args.exit_signal = SIGCHLD;
	pid = wq_clone3(&args, sizeof(args));
	if (pid == 0) {
		close(a[1]);
		close(b[0]);
		_exit(clone3_kid(a[0], b[1]));
	}
	ASSERT_LT(0, pid) TH_LOG("clone3: %s", strerror(errno));
	close(a[0]);
	close(b[1]);
	for (i = 0; i < NR_TYPES; i++)
		after[i] = get_u64(b[0]);

	/* The user namespace comes first: it owns the others. */
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, after[0], &r);
	ASSERT_FIELDS(r, CLONE_NEWUSER, NOTIFY_NS_REASON_CLONE, before[0],
		      self->init_user, pid);
	ASSERT_FALSE(skipped_has(NOTIFY_NS_CREATE, 0));
	for (i = 1; i < NR_TYPES; i++) {
		ASSERT_NE(before[i], after[i]);
		ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, after[i], &r);
		ASSERT_FIELDS(r, ns_types[i].flag, NOTIFY_NS_REASON_CLONE,
			      before[i], after[0], pid);
		seen += nr_skipped;
	}
	/* In order, with nothing between them. */
	ASSERT_EQ(0, seen);

	close(a[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(b[0]);
	ASSERT_EQ(0, status);
	/* All eight die with the task. */
	ASSERT_TRUE(wait_destroys(&self->q, after, NR_TYPES));
}

/* Kid: setns() into what the parent names, by fd or pidfd, then report. */
struct setns_arg {
	int fd;
	int flags;
	int threads;	/* become multithreaded first, to make setns() fail */
	unsigned long marker;	/* unshare() these afterwards */
};

static void *sleeper(void *arg)
{
	pause();
	return NULL;
}

static int kid_setns(void *p, int in, int out)
{
	struct setns_arg *arg = p;
	pthread_t t;
	int i, ret;

	for (i = 0; i < NR_TYPES; i++)
		put_u64(out, ns_inum(0, ns_types[i].child));
	if (arg->threads && pthread_create(&t, NULL, sleeper, NULL))
		return 2;
	ret = setns(arg->fd, arg->flags);
	put_u64(out, ret < 0 ? -errno : 0);
	if (arg->marker && unshare(arg->marker) < 0)
		return 3;
	for (i = 0; i < NR_TYPES; i++)
		put_u64(out, ns_inum(0, ns_types[i].child));
	wait_eof(in);
	return 0;
}

/* setns() by a namespace fd: one SETNS, with the namespace left. */
TEST_F_TIMEOUT(ns, setns_nsfd, 120)
{
	struct setns_arg arg = {};
	struct ns_notification r;
	struct inums target, ino;
	struct kid t, k;
	__u64 err;

	ASSERT_LT(0, kid_start(&t, kid_unshare, (void *)CLONE_NEWUTS));
	ASSERT_EQ(0, read_inums(&t, &target));
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, target.after[2], NULL);

	arg.fd = ns_open(t.pid, "uts");
	ASSERT_LE(0, arg.fd);
	ASSERT_LT(0, kid_start(&k, kid_setns, &arg));
	close(arg.fd);
	for (int i = 0; i < NR_TYPES; i++)
		ino.before[i] = get_u64(k.from);
	err = get_u64(k.from);
	ASSERT_EQ(0, err);
	for (int i = 0; i < NR_TYPES; i++)
		ino.after[i] = get_u64(k.from);
	ASSERT_EQ(target.after[2], ino.after[2]);
	ASSERT_NS_REC(&self->q, NOTIFY_NS_SETNS, target.after[2], &r);
	ASSERT_FIELDS(r, CLONE_NEWUTS, NOTIFY_NS_REASON_SETNS_NSFD,
		      ino.before[2], self->init_user, k.pid);
	ASSERT_EQ(0, kid_finish(&k));
	ASSERT_EQ(0, kid_finish(&t));
	ASSERT_NS_REC(&self->q, NOTIFY_NS_DESTROY, target.after[2], NULL);
}

/*
 * setns() by a pidfd with several flags: one SETNS per namespace switched,
 * none for the mount namespace, which the two tasks share.
 */
TEST_F_TIMEOUT(ns, setns_pidfd_several, 120)
{
	static const int idx[] = { 2, 3, 5 };	/* uts, ipc, net */
	struct setns_arg arg = {};
	struct ns_notification r;
	struct inums target, ino;
	struct kid t, k;
	int i;

	ASSERT_LT(0, kid_start(&t, kid_unshare,
			       (void *)(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET)));
	ASSERT_EQ(0, read_inums(&t, &target));
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, target.after[5], NULL);

	arg.fd = wq_pidfd_open(t.pid, 0);
	ASSERT_LE(0, arg.fd);
	arg.flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS;
	arg.marker = CLONE_NEWCGROUP;
	ASSERT_LT(0, kid_start(&k, kid_setns, &arg));
	close(arg.fd);
	for (i = 0; i < NR_TYPES; i++)
		ino.before[i] = get_u64(k.from);
	ASSERT_EQ(0, get_u64(k.from));
	for (i = 0; i < NR_TYPES; i++)
		ino.after[i] = get_u64(k.from);
	ASSERT_EQ(ino.before[1], ino.after[1]);

	for (i = 0; i < (int)ARRAY_SIZE(idx); i++) {
		ASSERT_EQ(target.after[idx[i]], ino.after[idx[i]]);
		ASSERT_NS_REC(&self->q, NOTIFY_NS_SETNS, target.after[idx[i]], &r);
		ASSERT_FIELDS(r, ns_types[idx[i]].flag,
			      NOTIFY_NS_REASON_SETNS_PIDFD,
			      ino.before[idx[i]], self->init_user, k.pid);
		ASSERT_FALSE(skipped_has(NOTIFY_NS_SETNS, 0));
	}
	/* The marker: nothing about the mount namespace came before it. */
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, ino.after[6], NULL);
	ASSERT_FALSE(skipped_has(NOTIFY_NS_SETNS, 0));
	ASSERT_EQ(0, kid_finish(&k));
	ASSERT_EQ(0, kid_finish(&t));
}

/* A setns() that fails part-way posts nothing. */
TEST_F_TIMEOUT(ns, setns_failing_posts_nothing, 120)
{
	struct wq_clone_args args = {};
	struct setns_arg arg = {};
	struct inums ino;
	int a[2], status, i;
	struct kid k;
	__u64 err;
	pid_t t;

	/* The target has new uts, ipc and time namespaces of its own. */
	ASSERT_EQ(0, pipe(a));
	args.flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWTIME;
	args.exit_signal = SIGCHLD;
	t = wq_clone3(&args, sizeof(args));
	if (t == 0) {
		char c;

		close(a[1]);
		while (read(a[0], &c, 1) > 0)
			;
		_exit(0);
	}
	ASSERT_LT(0, t);
	close(a[0]);

	/*
	 * Switching time namespace needs a single-threaded task: the uts
	 * and ipc namespaces are installed in the new set first, then the
	 * whole setns() fails.
	 */
	arg.fd = wq_pidfd_open(t, 0);
	ASSERT_LE(0, arg.fd);
	arg.flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWTIME;
	arg.threads = 1;
	arg.marker = CLONE_NEWUTS;
	ASSERT_LT(0, kid_start(&k, kid_setns, &arg));
	close(arg.fd);
	for (i = 0; i < NR_TYPES; i++)
		ino.before[i] = get_u64(k.from);
	err = get_u64(k.from);
	ASSERT_NE(0, err) TH_LOG("setns() succeeded");
	TH_LOG("setns() failed with %s as it should", strerror(-(int)err));
	for (i = 0; i < NR_TYPES; i++)
		ino.after[i] = get_u64(k.from);
	ASSERT_EQ(ino.before[3], ino.after[3]);

	/* The marker unshare() comes after the setns(): no SETNS before it. */
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, ino.after[2], NULL);
	ASSERT_FALSE(skipped_has(NOTIFY_NS_SETNS, 0));
	kill(k.pid, SIGKILL);
	kid_finish(&k);
	close(a[1]);
	ASSERT_EQ(t, waitpid(t, &status, 0));
}

/*
 * A pid namespace: the CREATE of unshare() and the SETNS of setns() mark
 * pid_ns_for_children changing; the task itself stays where it was.
 */
TEST_F_TIMEOUT(ns, pid_ns_for_children, 120)
{
	struct setns_arg arg = {};
	struct ns_notification r;
	struct inums target, ino;
	__u64 mypid = ns_inum(0, "pid");
	struct kid t, k;
	int i;

	ASSERT_LT(0, kid_start(&t, kid_unshare, (void *)CLONE_NEWPID));
	ASSERT_EQ(0, read_inums(&t, &target));
	/* pid_for_children changed, not the task's own pid namespace. */
	ASSERT_EQ(mypid, ns_inum(t.pid, "pid"));
	ASSERT_NE(target.before[4], target.after[4]);
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, target.after[4], &r);
	ASSERT_FIELDS(r, CLONE_NEWPID, NOTIFY_NS_REASON_UNSHARE,
		      target.before[4], self->init_user, t.pid);

	/* Enter it by its nsfd, which pid_for_children gives. */
	arg.fd = ns_open(t.pid, "pid_for_children");
	ASSERT_LE(0, arg.fd);
	ASSERT_LT(0, kid_start(&k, kid_setns, &arg));
	close(arg.fd);
	for (i = 0; i < NR_TYPES; i++)
		ino.before[i] = get_u64(k.from);
	ASSERT_EQ(0, get_u64(k.from));
	for (i = 0; i < NR_TYPES; i++)
		ino.after[i] = get_u64(k.from);
	ASSERT_EQ(target.after[4], ino.after[4]);
	ASSERT_EQ(mypid, ns_inum(k.pid, "pid"));
	ASSERT_NS_REC(&self->q, NOTIFY_NS_SETNS, target.after[4], &r);
	ASSERT_FIELDS(r, CLONE_NEWPID, NOTIFY_NS_REASON_SETNS_NSFD,
		      ino.before[4], self->init_user, k.pid);

	ASSERT_EQ(0, kid_finish(&k));
	ASSERT_EQ(0, kid_finish(&t));
	/* No task was ever in it: it dies with the last nsproxy. */
	ASSERT_NS_REC(&self->q, NOTIFY_NS_DESTROY, target.after[4], NULL);
}

/* DESTROY of a pid namespace whose tasks' pids are freed by RCU. */
static int kid_pid_ns_with_task(void *arg, int in, int out)
{
	pid_t pid;
	int status;

	if (unshare(CLONE_NEWPID) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		put_u64(out, ns_inum(0, "pid"));
		_exit(getpid() == 1 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		return 2;
	wait_eof(in);
	return 0;
}

TEST_F_TIMEOUT(ns, destroy_pid_ns_after_last_task, 120)
{
	struct kid k;
	__u64 inum;

	ASSERT_LT(0, kid_start(&k, kid_pid_ns_with_task, NULL));
	inum = get_u64(k.from);
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, inum, NULL);
	ASSERT_EQ(0, kid_finish(&k));
	ASSERT_NS_REC(&self->q, NOTIFY_NS_DESTROY, inum, NULL);
}

/* Kid: a pid namespace with one task, C, killed when told to finish. */
static int kid_pid_ns_owner(void *arg, int in, int out)
{
	int status, p[2], q[2];
	pid_t pid;
	char c;

	if (unshare(CLONE_NEWPID) < 0 || pipe(p) < 0 || pipe(q) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		put_u64(out, ns_inum(0, "pid"));
		close(q[1]);	/* reported */
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	close(q[1]);
	while (read(q[0], &c, 1) > 0)
		;
	put_u64(out, pid);
	wait_eof(in);
	close(p[1]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		return 2;
	return 0;
}

/*
 * The last reference on a pid namespace can be the struct pid of a file's
 * owner, dropped by F_SETOWN with interrupts disabled: the DESTROY must
 * still arrive, and the kernel log stay clean.
 */
TEST_F_TIMEOUT(ns, destroy_pid_ns_irqs_disabled, 120)
{
	struct kid k;
	__u64 inum;
	pid_t pid;
	int fd;

	ASSERT_LT(0, kid_start(&k, kid_pid_ns_owner, NULL));
	inum = get_u64(k.from);
	pid = get_u64(k.from);
	ASSERT_LT(0, pid);
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, inum, NULL);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_SETOWN, pid));
	ASSERT_EQ(0, kid_finish(&k));
	/*
	 * Once the tasks' RCU-deferred puts have run, only the file's owner
	 * holds the namespace.  Give them time: if they have not run, the
	 * DESTROY comes from them instead, which is also correct.
	 */
	wq_sleep_ms(500);
	ASSERT_EQ(0, fcntl(fd, F_SETOWN, getpid()));
	if (wait_ns_now(&self->q, NOTIFY_NS_DESTROY, inum)) {
		TH_LOG("DESTROY queued by the time F_SETOWN returned");
	} else {
		TH_LOG("DESTROY not queued yet when F_SETOWN returned");
		ASSERT_NS_REC(&self->q, NOTIFY_NS_DESTROY, inum, NULL);
	}
	close(fd);
}

/*
 * DESTROY waits for the last reference: an open namespace fd, then a bind
 * mount of one.  The uts namespace is freed synchronously, so a marker
 * event proves that no DESTROY came early.
 */
TEST_F_TIMEOUT(ns, destroy_after_nsfd_and_bind_mount, 120)
{
	const char *target = "/tmp/ns_notify_test.uts";
	struct inums ino, m;
	struct kid k, mk;
	__u64 uts;
	int fd;

	ASSERT_LT(0, kid_start(&k, kid_unshare, (void *)CLONE_NEWUTS));
	ASSERT_EQ(0, read_inums(&k, &ino));
	uts = ino.after[2];
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, uts, NULL);
	fd = ns_open(k.pid, "uts");
	ASSERT_LE(0, fd);
	close(open(target, O_CREAT | O_RDONLY | O_CLOEXEC, 0600));
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/ns/uts", k.pid);
		ASSERT_EQ(0, mount(path, target, NULL, MS_BIND, NULL))
			TH_LOG("bind mount: %s", strerror(errno));
	}
	ASSERT_EQ(0, kid_finish(&k));

	/* The task is gone, the fd and the bind mount hold it. */
	ASSERT_LT(0, kid_start(&mk, kid_unshare, (void *)CLONE_NEWIPC));
	ASSERT_EQ(0, read_inums(&mk, &m));
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, m.after[3], NULL);
	ASSERT_FALSE(skipped_has(NOTIFY_NS_DESTROY, uts));
	ASSERT_EQ(0, kid_finish(&mk));

	close(fd);
	/* The bind mount still holds it. */
	ASSERT_LT(0, kid_start(&mk, kid_unshare, (void *)CLONE_NEWIPC));
	ASSERT_EQ(0, read_inums(&mk, &m));
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, m.after[3], NULL);
	ASSERT_FALSE(skipped_has(NOTIFY_NS_DESTROY, uts));
	ASSERT_EQ(0, kid_finish(&mk));

	ASSERT_EQ(0, umount2(target, MNT_DETACH));
	unlink(target);
	ASSERT_NS_REC(&self->q, NOTIFY_NS_DESTROY, uts, NULL);
}

/* unshare(CLONE_NEWUSER), mapping root there to our IDs outside. */
static int unshare_user_mapped(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[32];

	if (unshare(CLONE_NEWUSER) < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", (int)uid);
	if (wq_write_file("/proc/self/uid_map", map) < 0)
		return -1;
	if (wq_write_file("/proc/self/setgroups", "deny") < 0)
		return -1;
	snprintf(map, sizeof(map), "0 %d 1", (int)gid);
	return wq_write_file("/proc/self/gid_map", map);
}

/*
 * Kid: in a new user namespace, unshare @flags when told to ('u') or a
 * nested user namespace ('n').
 */
static int kid_userns(void *arg, int in, int out)
{
	unsigned long flags = (unsigned long)arg;
	char c;

	if (unshare_user_mapped() < 0)
		return 1;
	put_u64(out, ns_inum(0, "user"));
	while (read(in, &c, 1) == 1) {
		if (c == 'u' && unshare(flags) < 0)
			return 2;
		if (c == 'n' && unshare_user_mapped() < 0)
			return 3;
		put_u64(out, ns_inum(0, "user"));
		put_u64(out, ns_inum(0, "uts"));
	}
	return 0;
}

/*
 * A watch on a child user namespace sees what it and its descendants own,
 * nothing from its parent or its siblings; when it dies, the watch is
 * removed with a notice.
 */
TEST_F_TIMEOUT(ns, scoping_and_removal, 180)
{
	unsigned char buf[128];
	const struct watch_notification_removal *rm = (const void *)buf;
	struct ns_notification r;
	struct wq_queue sub;
	struct inums ino;
	struct kid c1, c2, p;
	__u64 u1, u2, user, uts;
	int fd;
	ssize_t len;

	ASSERT_EQ(0, wq_queue_open(&sub, variant->use_pipe));
	ASSERT_LT(0, kid_start(&c1, kid_userns, (void *)CLONE_NEWUTS));
	u1 = get_u64(c1.from);
	ASSERT_LT(0, kid_start(&c2, kid_userns, (void *)CLONE_NEWUTS));
	u2 = get_u64(c2.from);
	ASSERT_NE(u1, u2);

	fd = ns_open(c1.pid, "user");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ns_watch(fd, sub.fd, WATCH_ID));

	/* The parent's scope and a sibling's: not seen by sub. */
	ASSERT_LT(0, kid_start(&p, kid_unshare, (void *)CLONE_NEWUTS));
	ASSERT_EQ(0, read_inums(&p, &ino));
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, ino.after[2], NULL);
	ASSERT_EQ(1, write(c2.to, "u", 1));
	user = get_u64(c2.from);
	uts = get_u64(c2.from);
	ASSERT_EQ(u2, user);
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, uts, &r);
	ASSERT_EQ(u2, r.owner_inum);
	ASSERT_TRUE(queue_empty(&sub));

	/* Its own: seen, with the owner. */
	ASSERT_EQ(1, write(c1.to, "u", 1));
	user = get_u64(c1.from);
	uts = get_u64(c1.from);
	ASSERT_NS_REC(&sub, NOTIFY_NS_CREATE, uts, &r);
	ASSERT_FIELDS(r, CLONE_NEWUTS, NOTIFY_NS_REASON_UNSHARE,
		      ino.before[2], u1, c1.pid);
	ASSERT_EQ(0, nr_skipped);

	/* A descendant's: seen too, the grandchild user namespace first. */
	ASSERT_EQ(1, write(c1.to, "n", 1));
	user = get_u64(c1.from);
	get_u64(c1.from);
	ASSERT_NS_REC(&sub, NOTIFY_NS_CREATE, user, &r);
	ASSERT_FIELDS(r, CLONE_NEWUSER, NOTIFY_NS_REASON_UNSHARE, u1, u1,
		      c1.pid);
	ASSERT_EQ(1, write(c1.to, "u", 1));
	get_u64(c1.from);
	uts = get_u64(c1.from);
	ASSERT_NS_REC(&sub, NOTIFY_NS_CREATE, uts, &r);
	ASSERT_EQ(user, r.owner_inum);

	ASSERT_EQ(0, kid_finish(&p));
	ASSERT_EQ(0, kid_finish(&c2));

	/* Remove it by its ID, then again: ENOENT; add it back. */
	ASSERT_EQ(0, ns_unwatch(sub.fd, WATCH_ID));
	len = wq_queue_next(&sub, buf, sizeof(buf), NS_WAIT_MS);
	while (len > 0 && wq_type(&rm->watch) != WATCH_TYPE_META)
		len = wq_queue_next(&sub, buf, sizeof(buf), NS_WAIT_MS);
	ASSERT_EQ(sizeof(*rm), len);
	ASSERT_EQ(WATCH_META_REMOVAL_NOTIFICATION, wq_subtype(&rm->watch));
	ASSERT_EQ(u1, rm->id);
	ASSERT_EQ(-1, ns_unwatch(sub.fd, WATCH_ID));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, ns_watch(fd, sub.fd, WATCH_ID));

	/* The watched user namespace dies: the watch goes with a notice. */
	close(fd);
	ASSERT_EQ(0, kid_finish(&c1));
	ASSERT_NS_REC(&self->q, NOTIFY_NS_DESTROY, u1, NULL);
	for (;;) {
		len = wq_queue_next(&sub, buf, sizeof(buf), NS_WAIT_MS);
		ASSERT_LT(0, len) TH_LOG("no removal notice");
		if (wq_type(&rm->watch) == WATCH_TYPE_META)
			break;
	}
	ASSERT_EQ(sizeof(*rm), len);
	ASSERT_EQ(WATCH_META_REMOVAL_NOTIFICATION, wq_subtype(&rm->watch));
	ASSERT_EQ(WATCH_ID, watchq_rec_id(&rm->watch));
	ASSERT_EQ(u1, rm->id);
	wq_queue_close(&sub);
}

/*
 * A pidfd names the user namespace of its process: a child in a user
 * namespace of its own is watched through its pidfd alone, and the watch
 * sees what the child creates there; a pidfd of a reaped process names
 * nothing (ESRCH).
 */
TEST_F_TIMEOUT(ns, watch_by_pidfd, 180)
{
	struct ns_notification r;
	struct wq_queue sub;
	__u64 u, user, uts;
	struct kid c;
	int pidfd;

	ASSERT_EQ(0, wq_queue_open(&sub, variant->use_pipe));
	ASSERT_LT(0, kid_start(&c, kid_userns, (void *)CLONE_NEWUTS));
	u = get_u64(c.from);
	pidfd = wq_pidfd_open(c.pid, 0);
	ASSERT_LE(0, pidfd) TH_LOG("pidfd_open: %s", strerror(errno));
	ASSERT_EQ(0, ns_watch(pidfd, sub.fd, WATCH_ID));
	ASSERT_EQ(-1, ns_watch(pidfd, sub.fd, WATCH_ID + 1));
	ASSERT_EQ(EBUSY, errno);

	ASSERT_EQ(1, write(c.to, "u", 1));
	user = get_u64(c.from);
	uts = get_u64(c.from);
	ASSERT_EQ(u, user);
	ASSERT_NS_REC(&sub, NOTIFY_NS_CREATE, uts, &r);
	ASSERT_EQ(u, r.owner_inum);
	ASSERT_EQ(CLONE_NEWUTS, r.ns_type);
	ASSERT_EQ(WATCH_ID, watchq_rec_id(&r.watch));

	ASSERT_EQ(0, kid_finish(&c));
	ASSERT_EQ(-1, ns_watch(pidfd, sub.fd, WATCH_ID + 1));
	ASSERT_EQ(ESRCH, errno);
	close(pidfd);
	wq_queue_close(&sub);
}

/* Kid as nobody: report errno of each attempt to watch. */
static int kid_nobody(void *arg, int in, int out)
{
	int init_fd = *(int *)arg;
	struct wq_queue q;
	int fd, ret;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return 1;
	if (wq_queue_open(&q, 0) < 0)
		return 2;
	/* Not in the initial user namespace, without CAP_SYS_ADMIN there. */
	ret = ns_watch(init_fd, q.fd, 1);
	put_u64(out, ret < 0 ? errno : 0);
	if (unshare(CLONE_NEWUSER) < 0) {
		put_u64(out, 1000 + errno);
		return 3;
	}
	/* Not even with every capability in a user namespace of its own. */
	ret = ns_watch(init_fd, q.fd, 1);
	put_u64(out, ret < 0 ? errno : 0);
	/* Its own it may watch, and it sees what it creates there. */
	fd = ns_open(0, "user");
	ret = ns_watch(fd, q.fd, 1);
	put_u64(out, ret < 0 ? errno : 0);
	if (unshare(CLONE_NEWUTS) < 0)
		return 4;
	{
		unsigned char buf[128];
		struct ns_notification *r = (void *)buf;
		ssize_t len = wq_queue_next(&q, buf, sizeof(buf), NS_WAIT_MS);

		put_u64(out, len == sizeof(*r) &&
			wq_subtype(&r->watch) == NOTIFY_NS_CREATE &&
			r->ns_inum == ns_inum(0, "uts") &&
			r->owner_inum == ns_inum(0, "user") &&
			r->pid == getpid());
	}
	wait_eof(in);
	return 0;
}

TEST_F_TIMEOUT(ns, permissions, 60)
{
	struct kid k;
	int fd;

	/* Some distributions gate unprivileged user namespaces. */
	fd = open("/proc/sys/kernel/unprivileged_userns_clone", O_WRONLY);
	if (fd >= 0) {
		ASSERT_EQ(1, write(fd, "1", 1));
		close(fd);
	}
	ASSERT_LT(0, kid_start(&k, kid_nobody, &self->user_fd));
	ASSERT_EQ(EPERM, get_u64(k.from));
	ASSERT_EQ(EPERM, get_u64(k.from));
	ASSERT_EQ(0, get_u64(k.from));
	ASSERT_EQ(1, get_u64(k.from));
	ASSERT_EQ(0, kid_finish(&k));
}

/*
 * A queue opened in a child pid namespace sees pids as they are there: its
 * own children's, and 0 for tasks it cannot see; the outer queue sees the
 * same event with the outer pid.
 */
struct inner_arg {
	int use_pipe;
	int user_fd;
};

static int inner_init(struct inner_arg *arg, int in, int out)
{
	unsigned char buf[128];
	struct ns_notification *r = (void *)buf;
	struct wq_queue q;
	struct kid k;
	struct inums ino;
	ssize_t len;
	char c;

	if (wq_queue_open(&q, arg->use_pipe) < 0)
		return 10;
	if (ns_watch(arg->user_fd, q.fd, WATCH_ID) < 0)
		return 11;
	put_u64(out, 0);	/* watching */

	/* A child of ours unshares: we see it as pid 2. */
	if (kid_start(&k, kid_unshare, (void *)CLONE_NEWUTS) < 0)
		return 12;
	if (read_inums(&k, &ino) < 0)
		return 13;
	put_u64(out, ino.after[2]);
	if (!wait_ns(&q, NOTIFY_NS_CREATE, ino.after[2], r))
		return 14;
	put_u64(out, r->pid);
	put_u64(out, r->tgid);
	put_u64(out, k.pid);
	kid_finish(&k);

	/* The outer test unshares: we cannot see it. */
	if (read(in, &c, 1) != 1)
		return 15;
	len = wq_queue_next(&q, buf, sizeof(buf), NS_WAIT_MS);
	while (len > 0 && !(wq_subtype(&r->watch) == NOTIFY_NS_CREATE &&
			    r->ns_type == CLONE_NEWIPC))
		len = wq_queue_next(&q, buf, sizeof(buf), NS_WAIT_MS);
	put_u64(out, len > 0 ? r->ns_inum : 0);
	put_u64(out, r->pid);
	put_u64(out, r->tgid);
	wait_eof(in);
	wq_queue_close(&q);
	return 0;
}

static int kid_pid_ns(void *p, int in, int out)
{
	pid_t pid;
	int status;

	if (unshare(CLONE_NEWPID) < 0)
		return 1;
	pid = fork();
	if (pid == 0)
		_exit(inner_init(p, in, out));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

TEST_F_TIMEOUT(ns, pid_translation, 120)
{
	struct inner_arg arg = { variant->use_pipe, self->user_fd };
	struct ns_notification r;
	struct inums ino;
	struct kid k, o;
	__u64 uts, ipc;

	ASSERT_LT(0, kid_start(&k, kid_pid_ns, &arg));
	ASSERT_EQ(0, get_u64(k.from));
	uts = get_u64(k.from);
	ASSERT_NE(~0ULL, uts);
	/* Seen from inside: pid 2, after init, pid 1. */
	ASSERT_EQ(2, get_u64(k.from));
	ASSERT_EQ(2, get_u64(k.from));
	ASSERT_EQ(2, get_u64(k.from));
	/* Seen from outside: the task's pid here, not 2. */
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, uts, &r);
	ASSERT_NE(2, r.pid);
	ASSERT_LT(0, r.pid);
	ASSERT_EQ(r.pid, r.tgid);

	/* An outer task: invisible inside. */
	ASSERT_LT(0, kid_start(&o, kid_unshare, (void *)CLONE_NEWIPC));
	ASSERT_EQ(0, read_inums(&o, &ino));
	ipc = ino.after[3];
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, ipc, &r);
	ASSERT_EQ(o.pid, r.pid);
	ASSERT_EQ(1, write(k.to, "x", 1));
	ASSERT_EQ(ipc, get_u64(k.from));
	ASSERT_EQ(0, get_u64(k.from));
	ASSERT_EQ(0, get_u64(k.from));
	ASSERT_EQ(0, kid_finish(&o));
	ASSERT_EQ(0, kid_finish(&k));
}

/* Every bad argument. */
TEST_F(ns, bad_arguments)
{
	struct wq_queue other;
	int fds[2], netfd, nullfd, closed;

	netfd = ns_open(0, "net");
	ASSERT_LE(0, netfd);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nullfd);
	ASSERT_EQ(0, pipe(fds));
	/* Opened last, so that nothing reuses the number. */
	closed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(closed);

#define ASSERT_ERR(e, call) do {					\
	ASSERT_EQ(-1, call);						\
	ASSERT_EQ(e, errno) TH_LOG("%s: %s", #call, strerror(errno));	\
} while (0)

	/* Unknown flags, at_flags, and objects a namespace is not named by. */
	ASSERT_ERR(EINVAL, ns_watch_raw(self->user_fd, self->q.fd, 1, 2, 0));
	ASSERT_ERR(EINVAL, ns_watch_raw(self->user_fd, self->q.fd, 1, ~0U, 0));
	ASSERT_ERR(EINVAL, ns_watch_raw(self->user_fd, self->q.fd, 1, 0,
					AT_EMPTY_PATH));
	ASSERT_ERR(EINVAL, wq_raw_watch_path(self->q.fd, WATCH_TYPE_NS_NOTIFY,
					     AT_FDCWD, "/proc/self/ns/user", 0,
					     1));
	ASSERT_ERR(EINVAL, ns_watch(self->user_fd, self->q.fd, 256));
	ASSERT_ERR(EINVAL, ns_watch(self->user_fd, self->q.fd, -2));
	ASSERT_ERR(EBADF, ns_watch(-1, self->q.fd, 1));
	ASSERT_ERR(EBADF, ns_watch(closed, self->q.fd, 1));
	ASSERT_ERR(EINVAL, ns_watch(netfd, self->q.fd, 1));
	ASSERT_ERR(EINVAL, ns_watch(nullfd, self->q.fd, 1));
	/* Not a queue: ENOTTY, which watchq.h says as EOPNOTSUPP; a pipe. */
	ASSERT_ERR(EBADF, ns_watch(self->user_fd, -1, 1));
	ASSERT_ERR(EBADF, ns_watch(self->user_fd, closed, 1));
	ASSERT_ERR(EOPNOTSUPP, ns_watch(self->user_fd, nullfd, 1));
	ASSERT_ERR(ENOTTY, ns_watch_raw(self->user_fd, nullfd, 1, 0, 0));
	ASSERT_ERR(ENODEV, ns_watch(self->user_fd, fds[0], 1));
	ASSERT_ERR(EOPNOTSUPP, ns_watch(self->user_fd, self->user_fd, 1));
	/* The same queue on the same user namespace, with any ID. */
	ASSERT_ERR(EBUSY, ns_watch(self->user_fd, self->q.fd, WATCH_ID));
	ASSERT_ERR(EBUSY, ns_watch(self->user_fd, self->q.fd, 0));
	/* Another queue may, and may remove it, once. */
	ASSERT_EQ(0, wq_queue_open(&other, variant->use_pipe));
	ASSERT_ERR(ENOENT, ns_unwatch(other.fd, 255));
	ASSERT_EQ(0, ns_watch(self->user_fd, other.fd, 255));
	ASSERT_EQ(0, ns_unwatch(other.fd, 255));
	ASSERT_ERR(ENOENT, ns_unwatch(other.fd, 255));
	/* A removal names no object. */
	ASSERT_ERR(EINVAL, ns_watch_raw(netfd, other.fd, 255,
					WATCH_QUEUE_WATCH_REMOVE, 0));
	wq_queue_close(&other);

	close(netfd);
	close(nullfd);
	close(fds[0]);
	close(fds[1]);
}

/* A removed watch sees nothing more, while another queue still does. */
TEST_F(ns, removed_watch_is_silent)
{
	struct wq_queue other;
	struct inums ino;
	struct kid k;

	ASSERT_EQ(0, wq_queue_open(&other, variant->use_pipe));
	ASSERT_EQ(0, ns_watch(self->user_fd, other.fd, 3));
	ASSERT_EQ(0, ns_unwatch(other.fd, 3));
	while (!queue_empty(&other))
		;
	ASSERT_LT(0, kid_start(&k, kid_unshare, (void *)CLONE_NEWUTS));
	ASSERT_EQ(0, read_inums(&k, &ino));
	/* Posted synchronously by unshare() to every watching queue. */
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, ino.after[2], NULL);
	ASSERT_TRUE(queue_empty(&other));
	ASSERT_EQ(0, kid_finish(&k));
	wq_queue_close(&other);
}

/*
 * Queues closed and reopened while threads churn through namespaces whose
 * destruction is posted from process context, workqueues and RCU
 * callbacks.  The kernel log check catches what goes wrong.
 */
#define STORM_THREADS	3
#define STORM_ROUNDS	6

static int storm_stop;	/* accessed atomically */

static void *storm(void *arg)
{
	unsigned long flags = (unsigned long)arg;
	pid_t pid;
	int status;

	while (!__atomic_load_n(&storm_stop, __ATOMIC_RELAXED)) {
		pid = fork();
		if (pid == 0) {
			if (unshare(flags) < 0)
				_exit(1);
			/* A task in the new pid namespace, freed by RCU. */
			if (fork() == 0)
				_exit(0);
			wait(NULL);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
			return (void *)1;
	}
	return NULL;
}

TEST_F_TIMEOUT(ns, close_during_storm, 300)
{
	static const unsigned long flags[STORM_THREADS] = {
		CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID,
		CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWTIME,
		CLONE_NEWNET | CLONE_NEWPID,
	};
	pthread_t t[STORM_THREADS];
	struct wq_queue q[2];
	unsigned char buf[128];
	void *ret;
	int i, round, got;

	__atomic_store_n(&storm_stop, 0, __ATOMIC_RELAXED);
	for (i = 0; i < STORM_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, storm,
					    (void *)flags[i]));
	for (round = 0; round < STORM_ROUNDS; round++) {
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, wq_queue_open(&q[i], (round + i) & 1));
			ASSERT_EQ(0, ns_watch(self->user_fd, q[i].fd, i));
		}
		/* Let records flow, then close mid-stream. */
		for (got = 0; got < 20; got++)
			if (wq_queue_next(&q[round & 1], buf, sizeof(buf),
					  NS_WAIT_MS) <= 0)
				break;
		ASSERT_EQ(20, got);
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, wq_queue_close(&q[i]));
	}
	/* Drain the fixture's queue too, while records still arrive. */
	while (wq_queue_next(&self->q, buf, sizeof(buf), 0) > 0)
		;
	__atomic_store_n(&storm_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < STORM_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		ASSERT_EQ(NULL, ret);
	}
}

/* A queue of either transport with room for @pages pages of records. */
static int queue_open_sized(struct wq_queue *q, int use_pipe,
			    unsigned int pages)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->use_pipe = use_pipe;
	q->fd = -1;
	q->wfd = -1;
	q->q.fd = -1;
	if (use_pipe) {
		/* A pipe holds 32 notes per page, 512 at most. */
		ret = wq_open_pipe(pages * 32, &q->wfd);
		if (ret < 0)
			return ret;
		q->fd = ret;
		return 0;
	}
	ret = watchq_open(&q->q, pages * WQ_PAGE_SIZE);
	if (ret < 0)
		return ret;
	q->fd = q->q.fd;
	return 0;
}

/*
 * An inode number must stay taken until the DESTROY of its namespace is
 * out: proc_alloc_inum() hands out the lowest free number, so a namespace
 * made just after another is freed tends to get the same one, and a
 * monitor keyed on inode numbers has to see the DESTROY of the first
 * before the CREATE of the second.  Network namespaces, freed from a
 * workqueue, die one after the other while a kid keeps making UTS and IPC
 * namespaces; no CREATE of a number may arrive while the last CREATE of
 * that number has had no DESTROY yet.
 */
#define REUSE_ROUNDS	100
#define REUSE_LIVE	256

struct live_ns {
	__u64 inum;
	unsigned int type;
	int round;
};

struct reuse {
	struct live_ns live[REUSE_LIVE];
	int nr_live;
	int creates;
	int reused;	/* CREATEs of a number that was still live */
	int losses;
	char first[256];
};

/*
 * Account for one record read in @round; -1 if the table of live numbers
 * is full.  After a loss, DESTROYs may be missing: what was live is
 * forgotten and only what follows is judged.
 */
static int reuse_record(struct reuse *s, const void *buf, ssize_t len,
			int round)
{
	const struct ns_notification *r = buf;
	int i;

	if (wq_type(&r->watch) == WATCH_TYPE_META) {
		if (wq_subtype(&r->watch) == WATCH_META_LOSS_NOTIFICATION) {
			s->losses++;
			s->nr_live = 0;
		}
		return 0;
	}
	if (len != sizeof(*r) || wq_type(&r->watch) != WATCH_TYPE_NS_NOTIFY)
		return 0;
	for (i = 0; i < s->nr_live; i++)
		if (s->live[i].inum == r->ns_inum)
			break;
	if (wq_subtype(&r->watch) == NOTIFY_NS_DESTROY) {
		if (i < s->nr_live)
			s->live[i] = s->live[--s->nr_live];
		return 0;
	}
	if (wq_subtype(&r->watch) != NOTIFY_NS_CREATE)
		return 0;
	s->creates++;
	if (i < s->nr_live) {
		if (!s->reused++)
			snprintf(s->first, sizeof(s->first),
				 "round %d: CREATE %s %llu while the %s of round %d with that number had no DESTROY yet",
				 round, type_name(r->ns_type),
				 (unsigned long long)r->ns_inum,
				 type_name(s->live[i].type), s->live[i].round);
		s->live[i].type = r->ns_type;
		s->live[i].round = round;
		return 0;
	}
	if (s->nr_live == REUSE_LIVE)
		return -1;
	s->live[s->nr_live].inum = r->ns_inum;
	s->live[s->nr_live].type = r->ns_type;
	s->live[s->nr_live].round = round;
	s->nr_live++;
	return 0;
}

/* Kid: new UTS and IPC namespaces, one pair a millisecond, until told. */
static int kid_uts_churn(void *arg, int in, int out)
{
	struct pollfd pfd = { .fd = in, .events = POLLIN };

	while (poll(&pfd, 1, 1) == 0)
		if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0)
			return 1;
	return 0;
}

/* Kid: a network namespace of its own, whose number it reports. */
static int kid_net_once(void *arg, int in, int out)
{
	if (unshare(CLONE_NEWNET) < 0)
		return 1;
	put_u64(out, ns_inum(0, "net"));
	return 0;
}

TEST_F_TIMEOUT(ns, no_create_before_destroy_of_number, 240)
{
	static struct reuse s;
	unsigned char buf[128];
	const struct ns_notification *r = (const void *)buf;
	long long t0 = wq_now_ms(), end;
	struct wq_queue q;
	struct kid churn, net;
	int round, left, done, i;
	__u64 inum;
	ssize_t len;

	memset(&s, 0, sizeof(s));
	ASSERT_EQ(0, queue_open_sized(&q, variant->use_pipe, 16));
	ASSERT_EQ(0, ns_watch(self->user_fd, q.fd, WATCH_ID));
	ASSERT_LT(0, kid_start(&churn, kid_uts_churn, NULL));

	for (round = 0; round < REUSE_ROUNDS; round++) {
		ASSERT_LT(0, kid_start(&net, kid_net_once, NULL));
		inum = get_u64(net.from);
		ASSERT_EQ(0, kid_finish(&net));
		ASSERT_NE(~0ULL, inum);
		/* Judge records until this one's DESTROY has come. */
		end = wq_now_ms() + NS_WAIT_MS;
		for (done = 0; !done;) {
			left = end - wq_now_ms();
			ASSERT_LT(0, left)
				TH_LOG("round %d: no DESTROY of net %llu",
				       round, (unsigned long long)inum);
			len = wq_queue_next(&q, buf, sizeof(buf), left);
			ASSERT_LT(0, len)
				TH_LOG("round %d: no DESTROY of net %llu",
				       round, (unsigned long long)inum);
			ASSERT_EQ(0, reuse_record(&s, buf, len, round))
				TH_LOG("more than %d namespaces live", REUSE_LIVE);
			done = len == sizeof(*r) &&
			       wq_type(&r->watch) == WATCH_TYPE_NS_NOTIFY &&
			       wq_subtype(&r->watch) == NOTIFY_NS_DESTROY &&
			       r->ns_inum == inum;
		}
	}
	ASSERT_EQ(0, kid_finish(&churn));
	while ((len = wq_queue_next(&q, buf, sizeof(buf), 200)) > 0)
		ASSERT_EQ(0, reuse_record(&s, buf, len, round));
	wq_queue_close(&q);

	TH_LOG("%d rounds in %lld ms: %d CREATEs, %d of a number not yet destroyed, %d losses",
	       REUSE_ROUNDS, wq_now_ms() - t0, s.creates, s.reused, s.losses);
	if (s.reused)
		TH_LOG("first: %s", s.first);
	ASSERT_EQ(0, s.reused);
	/* Enough was judged: losses reset the table rarely, if ever. */
	ASSERT_GT(s.creates, REUSE_ROUNDS * 2);
	for (i = 0; i < s.nr_live; i++)
		ASSERT_NE(CLONE_NEWNET, s.live[i].type);
}

/*
 * An unprivileged user may add and remove a watch on a user namespace of
 * its own as often as it likes; with no other namespace watch anywhere,
 * each add and each remove is the only one.  Ten thousand cycles finish
 * and the kernel log stays clean.
 */
#define TOGGLE_CYCLES	10000

FIXTURE(unwatched) {
	int kmsg;
};

FIXTURE_VARIANT(unwatched) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(unwatched, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(unwatched, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(unwatched)
{
	int fd;

	/* Some distributions gate unprivileged user namespaces. */
	fd = open("/proc/sys/kernel/unprivileged_userns_clone", O_WRONLY);
	if (fd >= 0) {
		ASSERT_EQ(1, write(fd, "1", 1));
		close(fd);
	}
	self->kmsg = wq_kmsg_open();
	ASSERT_LE(0, self->kmsg);
}

FIXTURE_TEARDOWN(unwatched)
{
	close(self->kmsg);
}

/* Kid: as nobody, in a user namespace of its own, add and remove. */
static int kid_toggle(void *arg, int in, int out)
{
	int use_pipe = *(int *)arg;
	long long t0;
	struct wq_queue q;
	int fd, i;

	if (wq_become_nobody() < 0 || unshare(CLONE_NEWUSER) < 0)
		return 1;
	fd = ns_open(0, "user");
	if (fd < 0 || wq_queue_open(&q, use_pipe) < 0)
		return 2;
	t0 = wq_now_ms();
	for (i = 1; i <= TOGGLE_CYCLES; i++) {
		if (ns_watch(fd, q.fd, 1) < 0)
			return 3;
		if (ns_unwatch(q.fd, 1) < 0)
			return 4;
		/* The removal notices fill the queue; losing them is fine. */
		if (i % 1000 == 0)
			put_u64(out, wq_now_ms() - t0);
	}
	wq_queue_close(&q);
	return 0;
}

TEST_F_TIMEOUT(unwatched, unprivileged_add_remove_cycles, 120)
{
	int use_pipe = variant->use_pipe;
	char report[512];
	struct kid k;
	__u64 ms;
	int i;

	long long ipis = wq_call_ipis();

	ASSERT_LT(0, kid_start(&k, kid_toggle, &use_pipe));
	for (i = 1000; i <= TOGGLE_CYCLES; i += 1000) {
		ms = get_u64(k.from);
		ASSERT_NE(~0ULL, ms) TH_LOG("the kid stopped after %d cycles",
					    i - 1000);
		TH_LOG("%d cycles in %llu ms", i, (unsigned long long)ms);
	}
	ASSERT_EQ(0, kid_finish(&k));
	/*
	 * Patching the kernel text of a static branch interrupts every
	 * other CPU a few times over.  A user's cycles must not do that
	 * each time: allow one IPI per ten cycles, where an idle guest
	 * takes a few in all.
	 */
	if (ipis >= 0 && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		ipis = wq_call_ipis() - ipis;
		TH_LOG("%lld function call IPIs meanwhile", ipis);
		ASSERT_GT(TOGGLE_CYCLES / 10, ipis);
	} else {
		TH_LOG("one CPU or no IPI counts: the IPIs are not checked");
	}
	ASSERT_EQ(0, wq_kmsg_report(self->kmsg, report, sizeof(report)))
		TH_LOG("kernel: %s", report);
}

/*
 * Watches on the user namespace come and go on both CPUs while a thread
 * makes namespaces.  A poster that found a watch just before it was
 * removed must not damage the record that the live watches after it get:
 * every record of the long-lived queue has exactly the length and the
 * watch ID it should, and the kernel log stays clean (KASAN would see a
 * record copied from past the end of the poster's).
 */
#define CHURN_MS	10000
#define CHURN_BURST	16

struct churn_arg {
	int use_pipe;
	int user_fd;
	int cpu;
	long cycles;
};

static int churn_stop;	/* accessed atomically */

static void *churn_watches(void *p)
{
	struct churn_arg *a = p;
	struct wq_queue q[CHURN_BURST];
	cpu_set_t cpus;
	int i;

	CPU_ZERO(&cpus);
	CPU_SET(a->cpu, &cpus);
	/* On a single CPU, both run there. */
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	while (!__atomic_load_n(&churn_stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < CHURN_BURST; i++) {
			if (wq_queue_open(&q[i], a->use_pipe) < 0)
				return (void *)1;
			if (ns_watch(a->user_fd, q[i].fd, a->cpu + 1) < 0)
				return (void *)2;
		}
		/*
		 * Newest first: the order in which a poster walks the
		 * watches, so that it may step from one removed watch to
		 * another.
		 */
		for (i = CHURN_BURST - 1; i >= 0; i--)
			if (wq_queue_close(&q[i]) < 0)
				return (void *)3;
		a->cycles += CHURN_BURST;
	}
	return NULL;
}

static void *make_namespaces(void *p)
{
	long *made = p;

	while (!__atomic_load_n(&churn_stop, __ATOMIC_RELAXED)) {
		if (unshare(CLONE_NEWUTS) < 0)
			return (void *)1;
		(*made)++;
	}
	return NULL;
}

TEST_F_TIMEOUT(ns, churned_watches_keep_record_length, 120)
{
	struct churn_arg args[2];
	pthread_t churn[2], maker;
	unsigned char buf[128];
	const struct ns_notification *r = (const void *)buf;
	const __u32 want_info = sizeof(*r) << WATCH_INFO_LENGTH__SHIFT |
				WATCH_ID << WATCH_INFO_ID__SHIFT;
	long checked = 0, bad = 0, made = 0;
	unsigned char first_bad[128];
	ssize_t bad_len = 0;
	long long end;
	char report[512];
	ssize_t len = 0;
	void *ret;
	int kmsg, i;

	kmsg = wq_kmsg_open();
	ASSERT_LE(0, kmsg);
	__atomic_store_n(&churn_stop, 0, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++) {
		args[i].use_pipe = variant->use_pipe;
		args[i].user_fd = self->user_fd;
		args[i].cpu = i % (sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1);
		args[i].cycles = 0;
		ASSERT_EQ(0, pthread_create(&churn[i], NULL, churn_watches,
					    &args[i]));
	}
	ASSERT_EQ(0, pthread_create(&maker, NULL, make_namespaces, &made));

	end = wq_now_ms() + CHURN_MS;
	while (wq_now_ms() < end && !bad) {
		len = wq_queue_next(&self->q, buf, sizeof(buf), 100);
		if (len < 0)
			break;
		if (len == 0 || wq_type(&r->watch) == WATCH_TYPE_META)
			continue;
		checked++;
		if (len != sizeof(*r) ||
		    r->watch.info != want_info) {
			if (!bad++) {
				memcpy(first_bad, buf, len);
				bad_len = len;
			}
		}
	}
	__atomic_store_n(&churn_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(churn[i], &ret));
		ASSERT_EQ(NULL, ret);
	}
	ASSERT_EQ(0, pthread_join(maker, &ret));
	ASSERT_EQ(NULL, ret);
	ASSERT_LE(0, len) TH_LOG("reading the queue: %s", strerror(errno));

	TH_LOG("%ld records checked, %ld namespaces made, %ld + %ld watches churned",
	       checked, made, args[0].cycles, args[1].cycles);
	if (bad) {
		const struct watch_notification *n = (const void *)first_bad;
		char hex[3 * 72 + 1] = "";

		for (i = sizeof(*r); i < bad_len && i < (int)sizeof(*r) + 72; i++)
			sprintf(hex + 3 * (i - sizeof(*r)), " %02x",
				first_bad[i]);
		TH_LOG("%ld bad; the first: type %u subtype %u, %zd bytes, info %#x, not %#x",
		       bad, wq_type(n), wq_subtype(n), bad_len, n->info,
		       want_info);
		if (bad_len > (ssize_t)sizeof(*r))
			TH_LOG("bytes past the record:%s", hex);
	}
	ASSERT_EQ(0, bad);
	ASSERT_LT(0, checked);
	ASSERT_EQ(0, wq_kmsg_report(kmsg, report, sizeof(report)))
		TH_LOG("kernel: %s", report);
	close(kmsg);
}

/*
 * Many pid namespaces dying at once: their RCU callbacks run in one burst.
 * Every DESTROY must come, into a queue with room for them all, and into
 * one without room either arrive or be counted lost.
 */
#define DYING_PID_NS	200

/* Kid in a pid namespace of its own, as its init: wait, then exit. */
static int pid_ns_waiter(int fd)
{
	char c;

	while (read(fd, &c, 1) > 0)
		;
	return getpid() == 1 ? 0 : 1;
}

TEST_F_TIMEOUT(ns, many_pid_ns_die_at_once, 240)
{
	static __u64 inums[DYING_PID_NS];
	static pid_t pids[DYING_PID_NS];
	static char seen[DYING_PID_NS];
	struct wq_clone_args args = {};
	unsigned char buf[128];
	const struct ns_notification *r = (const void *)buf;
	int go[2], i, status, missing, small_seen = 0, small_loss = 0;
	__u64 lost0 = 0, lost = 0;
	long long end;
	struct wq_queue q;
	ssize_t len;

	ASSERT_EQ(0, queue_open_sized(&q, variant->use_pipe, 16));
	ASSERT_EQ(0, ns_watch(self->user_fd, q.fd, WATCH_ID));
	ASSERT_EQ(0, pipe(go));
	args.flags = CLONE_NEWPID;
	args.exit_signal = SIGCHLD;
	for (i = 0; i < DYING_PID_NS; i++) {
		pids[i] = wq_clone3(&args, sizeof(args));
		if (pids[i] == 0) {
			close(go[1]);
			_exit(pid_ns_waiter(go[0]));
		}
		ASSERT_LT(0, pids[i]) TH_LOG("clone3: %s", strerror(errno));
		inums[i] = ns_inum(pids[i], "pid");
		ASSERT_NE(0, inums[i]);
	}
	close(go[0]);
	/* The CREATEs are out of the way: only the DESTROYs are to come. */
	while (wq_queue_next(&q, buf, sizeof(buf), 0) > 0)
		;
	while (wq_queue_next(&self->q, buf, sizeof(buf), 0) > 0)
		;
	if (!variant->use_pipe) {
		lost0 = watchq_lost(&q.q);
		lost = watchq_lost(&self->q.q);
	}

	/* All of them exit and are reaped at once. */
	close(go[1]);
	for (i = 0; i < DYING_PID_NS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ASSERT_EQ(0, status);
	}

	missing = DYING_PID_NS;
	end = wq_now_ms() + NS_WAIT_MS;
	while (missing && wq_now_ms() < end) {
		len = wq_queue_next(&q, buf, sizeof(buf), end - wq_now_ms());
		if (len <= 0)
			break;
		if (len != sizeof(*r) ||
		    wq_type(&r->watch) != WATCH_TYPE_NS_NOTIFY ||
		    wq_subtype(&r->watch) != NOTIFY_NS_DESTROY)
			continue;
		for (i = 0; i < DYING_PID_NS; i++) {
			if (!seen[i] && inums[i] == r->ns_inum) {
				seen[i] = 1;
				missing--;
			}
		}
	}
	/* Nothing lost on the ring (a pipe keeps no count). */
	ASSERT_EQ(lost0, variant->use_pipe ? lost0 : watchq_lost(&q.q));
	ASSERT_EQ(0, missing) TH_LOG("%d DESTROYs of %d missing", missing,
				     DYING_PID_NS);

	/* The fixture's queue holds a fraction: the rest must be counted. */
	while ((len = wq_queue_next(&self->q, buf, sizeof(buf), 500)) > 0) {
		if (wq_type(&r->watch) == WATCH_TYPE_META &&
		    wq_subtype(&r->watch) == WATCH_META_LOSS_NOTIFICATION)
			small_loss++;
		if (len != sizeof(*r) ||
		    wq_type(&r->watch) != WATCH_TYPE_NS_NOTIFY ||
		    wq_subtype(&r->watch) != NOTIFY_NS_DESTROY)
			continue;
		for (i = 0; i < DYING_PID_NS; i++)
			if (inums[i] == r->ns_inum)
				small_seen++;
	}
	if (!variant->use_pipe)
		lost = watchq_lost(&self->q.q) - lost;
	TH_LOG("small queue: %d delivered, %llu counted lost, %d loss records",
	       small_seen, (unsigned long long)lost, small_loss);
	/* All there, or the ring counted the rest, or the pipe flagged it. */
	ASSERT_TRUE(variant->use_pipe ?
		    small_seen == DYING_PID_NS || small_loss :
		    small_seen + lost >= DYING_PID_NS);
	wq_queue_close(&q);
}

/* NS_GET_ID of /proc/@pid/ns/@name (pid 0: self), 0 on error. */
static __u64 ns_id(pid_t pid, const char *name)
{
	__u64 id = 0;
	int fd = ns_open(pid, name);

	if (fd < 0)
		return 0;
	if (ioctl(fd, NS_GET_ID, &id) < 0)
		id = 0;
	close(fd);
	return id;
}

/* A number in a /proc file, or ~0ULL - 1 if there is no such file. */
static __u64 proc_number(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return ~0ULL - 1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return ~0ULL - 1;
	return strtoull(buf, NULL, 10);
}

/*
 * Read records until a DESTROY of one of the @n namespaces @inums arrives,
 * not seen before; 1 with it in *@out and its index in *@idx, or 0.
 */
static int wait_any_destroy(struct wq_queue *q, const __u64 *inums, int n,
			    struct ns_notification *out, int *idx)
{
	static char seen[64];
	long long end = wq_now_ms() + WAIT_MS;
	unsigned char buf[128];
	struct ns_notification *r = (void *)buf;
	int left, i;

	if (!out) {
		memset(seen, 0, sizeof(seen));
		return 0;
	}
	for (;;) {
		left = end - wq_now_ms();
		if (left <= 0 || wq_queue_next(q, buf, sizeof(buf), left) <= 0)
			return 0;
		if (wq_type(&r->watch) != WATCH_TYPE_NS_NOTIFY ||
		    wq_subtype(&r->watch) != NOTIFY_NS_DESTROY)
			continue;
		for (i = 0; i < n; i++) {
			if (!seen[i] && inums[i] == r->ns_inum) {
				seen[i] = 1;
				*out = *r;
				*idx = i;
				return 1;
			}
		}
	}
}

#define SUBJ_LOGINUID	4321
#define SUBJ_UID	1001
#define SUBJ_EUID	1002

/*
 * Kid: set its audit login uid (which starts a session), take a real and
 * an effective uid of their own, report its login uid and session ID as
 * /proc/self shows them, the inode numbers and IDs of its namespaces,
 * unshare() all eight types (as an unprivileged user: the user namespace
 * comes first), report them again, and wait.
 */
static int kid_subject(void *arg, int in, int out)
{
	unsigned long flags = 0;
	int i;

	for (i = 0; i < NR_TYPES; i++)
		flags |= ns_types[i].flag;
	if (access("/proc/self/loginuid", F_OK) == 0 &&
	    wq_write_file("/proc/self/loginuid", "4321") < 0)
		return 1;
	put_u64(out, proc_number("/proc/self/loginuid"));
	put_u64(out, proc_number("/proc/self/sessionid"));
	if (setresuid(SUBJ_UID, SUBJ_EUID, 0) < 0)
		return 2;
	for (i = 0; i < NR_TYPES; i++) {
		put_u64(out, ns_inum(0, ns_types[i].child));
		put_u64(out, ns_id(0, ns_types[i].child));
	}
	if (unshare(flags) < 0 || first_pid() < 0)
		return 3;
	for (i = 0; i < NR_TYPES; i++) {
		put_u64(out, ns_inum(0, ns_types[i].child));
		put_u64(out, ns_id(0, ns_types[i].child));
	}
	wait_eof(in);
	return 0;
}

/*
 * The IDs of the namespace, of the one left and of the owner, and the
 * subject: the real and effective uid, the audit login uid and session ID
 * against /proc/self/loginuid and /proc/self/sessionid; then the DESTROYs,
 * with the IDs and no subject.
 */
TEST_F_TIMEOUT(ns, ids_and_subject, 240)
{
	__u64 inum[2][8], id[2][8], loginuid, sessionid, owner, owner_id;
	struct ns_notification r;
	struct kid k;
	int i, n;

	ASSERT_LT(0, kid_start(&k, kid_subject, NULL));
	loginuid = get_u64(k.from);
	sessionid = get_u64(k.from);
	for (i = 0; i < 2 * NR_TYPES; i++) {
		inum[i / NR_TYPES][i % NR_TYPES] = get_u64(k.from);
		id[i / NR_TYPES][i % NR_TYPES] = get_u64(k.from);
	}
	ASSERT_NE(~0ULL, id[1][NR_TYPES - 1]) TH_LOG("the kid failed");
	if (loginuid == ~0ULL - 1) {
		/* Without CONFIG_AUDIT: neither is set. */
		TH_LOG("no /proc/self/loginuid: no audit");
		loginuid = (__u32)-1;
		sessionid = (__u32)-1;
	} else {
		ASSERT_EQ(SUBJ_LOGINUID, loginuid);
		ASSERT_NE((__u32)-1, sessionid);
		ASSERT_NE(~0ULL - 1, sessionid);
	}
	TH_LOG("loginuid %llu sessionid %llu", (unsigned long long)loginuid,
	       (unsigned long long)sessionid);

	for (i = 0; i < NR_TYPES; i++) {
		owner = i ? inum[1][0] : self->init_user;
		owner_id = i ? id[1][0] : USER_NS_INIT_ID;
		ASSERT_NE(0, id[0][i]);
		ASSERT_NE(0, id[1][i]);
		ASSERT_NE(id[0][i], id[1][i]);
		ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, inum[1][i], &r);
		ASSERT_FIELDS(r, ns_types[i].flag, NOTIFY_NS_REASON_UNSHARE,
			      inum[0][i], owner, k.pid);
		ASSERT_EQ(id[1][i], r.ns_id);
		ASSERT_EQ(id[0][i], r.old_id);
		ASSERT_EQ(owner_id, r.owner_id);
		ASSERT_EQ(SUBJ_UID, r.uid);
		ASSERT_EQ(SUBJ_EUID, r.euid);
		ASSERT_EQ(loginuid, r.loginuid);
		ASSERT_EQ(sessionid, r.sessionid);
	}

	ASSERT_EQ(0, kid_finish(&k));
	wait_any_destroy(NULL, NULL, 0, NULL, NULL);
	/* They die in no set order: user, net, pid from workqueues. */
	for (n = 0; n < NR_TYPES; n++) {
		ASSERT_EQ(1, wait_any_destroy(&self->q, inum[1], NR_TYPES, &r, &i));
		owner = i ? inum[1][0] : self->init_user;
		owner_id = i ? id[1][0] : USER_NS_INIT_ID;
		ASSERT_FIELDS(r, ns_types[i].flag, NOTIFY_NS_REASON_RELEASE,
			      0, owner, 0);
		ASSERT_EQ(id[1][i], r.ns_id);
		ASSERT_EQ(0, r.old_id);
		ASSERT_EQ(owner_id, r.owner_id);
		ASSERT_EQ((__u32)-1, r.uid);
		ASSERT_EQ((__u32)-1, r.euid);
		ASSERT_EQ((__u32)-1, r.loginuid);
		ASSERT_EQ((__u32)-1, r.sessionid);
	}
}

#define INNER_ROOT	1000	/* uid 0 of the inner user namespace */

/* Wait for a CREATE of @inum on @q; report its uid, euid, loginuid. */
static int kid_wait_create(struct wq_queue *q, __u64 inum, int out)
{
	unsigned char buf[256];
	struct ns_notification *r = (void *)buf;
	long long end = wq_now_ms() + WAIT_MS;
	ssize_t len;

	while (wq_now_ms() < end) {
		len = wq_queue_next(q, buf, sizeof(buf), end - wq_now_ms());
		if (len <= 0)
			break;
		if (len == sizeof(*r) &&
		    wq_type(&r->watch) == WATCH_TYPE_NS_NOTIFY &&
		    wq_subtype(&r->watch) == NOTIFY_NS_CREATE &&
		    r->ns_inum == inum) {
			put_u64(out, r->uid);
			put_u64(out, r->euid);
			put_u64(out, r->loginuid);
			return 0;
		}
	}
	put_u64(out, ~0ULL);
	put_u64(out, ~0ULL);
	put_u64(out, ~0ULL);
	return -1;
}

/*
 * Kid: with the login uid INNER_ROOT, in a user namespace whose uid 0 is
 * INNER_ROOT outside (the parent writes the maps), open a queue watching
 * it; unshare a UTS namespace as itself, still uid 0 outside and so
 * unmapped inside; fork a task that becomes uid 0 inside and unshares
 * another; report both inums, then the uid, euid and loginuid of each as
 * its queue saw them.
 */
static int kid_uid_opener(void *arg, int in, int out)
{
	struct wq_queue q;
	__u64 inum_self, inum_root;
	int user_fd, status, gp[2];
	pid_t pid;
	char c;

	if (wq_write_file("/proc/self/loginuid", "1000") < 0)
		return 1;
	if (unshare(CLONE_NEWUSER) < 0)
		return 2;
	put_u64(out, 1);
	if (read(in, &c, 1) != 1)
		return 3;
	if (wq_queue_open(&q, (int)(long)arg) < 0)
		return 4;
	user_fd = ns_open(0, "user");
	if (user_fd < 0 || ns_watch(user_fd, q.fd, WATCH_ID) < 0)
		return 5;

	if (unshare(CLONE_NEWUTS) < 0)
		return 6;
	inum_self = ns_inum(0, "uts");
	put_u64(out, inum_self);

	if (pipe(gp) < 0)
		return 7;
	pid = fork();
	if (pid == 0) {
		if (setresuid(0, 0, 0) < 0 || unshare(CLONE_NEWUTS) < 0)
			_exit(1);
		put_u64(gp[1], ns_inum(0, "uts"));
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		return 8;
	inum_root = get_u64(gp[0]);
	close(gp[0]);
	close(gp[1]);
	put_u64(out, inum_root);

	kid_wait_create(&q, inum_self, out);
	kid_wait_create(&q, inum_root, out);
	wait_eof(in);
	wq_queue_close(&q);
	close(user_fd);
	return 0;
}

/*
 * The same two events seen by the fixture's queue, in the initial user
 * namespace, and by one opened in a child user namespace: uids and login
 * uids as each opener's namespace maps them, the overflow uid where the
 * child's does not.
 */
TEST_F_TIMEOUT(ns, uid_translation, 120)
{
	__u64 overflow = proc_number("/proc/sys/kernel/overflowuid");
	__u64 inum_self, inum_root, seen[6];
	struct ns_notification r;
	char path[64];
	struct kid k;
	int i;

	if (access("/proc/self/loginuid", F_OK))
		SKIP(return, "no /proc/self/loginuid (CONFIG_AUDIT=n)");
	ASSERT_LT(0, kid_start(&k, kid_uid_opener,
			       (void *)(long)variant->use_pipe));
	ASSERT_EQ(1, get_u64(k.from));
	snprintf(path, sizeof(path), "/proc/%d/uid_map", k.pid);
	ASSERT_EQ(0, wq_write_file(path, "0 1000 1"));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", k.pid);
	ASSERT_EQ(0, wq_write_file(path, "0 1000 1"));
	ASSERT_EQ(1, write(k.to, "g", 1));

	inum_self = get_u64(k.from);
	inum_root = get_u64(k.from);
	ASSERT_NE(~0ULL, inum_root) TH_LOG("the kid failed");
	for (i = 0; i < 6; i++)
		seen[i] = get_u64(k.from);

	/* Inside: uid 0 outside is unmapped, INNER_ROOT is 0. */
	EXPECT_EQ(overflow, seen[0]);
	EXPECT_EQ(overflow, seen[1]);
	EXPECT_EQ(0, seen[2]);
	EXPECT_EQ(0, seen[3]);
	EXPECT_EQ(0, seen[4]);
	EXPECT_EQ(0, seen[5]);

	/* Outside: as they are. */
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, inum_self, &r);
	EXPECT_EQ(0, r.uid);
	EXPECT_EQ(0, r.euid);
	EXPECT_EQ(INNER_ROOT, r.loginuid);
	ASSERT_NS_REC(&self->q, NOTIFY_NS_CREATE, inum_root, &r);
	EXPECT_EQ(INNER_ROOT, r.uid);
	EXPECT_EQ(INNER_ROOT, r.euid);
	EXPECT_EQ(INNER_ROOT, r.loginuid);

	ASSERT_EQ(0, kid_finish(&k));
}

TEST_HARNESS_MAIN
