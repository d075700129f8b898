// SPDX-License-Identifier: GPL-2.0
/*
 * Process event notifications, set by IOC_WATCH_QUEUE_WATCH on an nsfs
 * file or a pidfd of a pid namespace, through /dev/watch_queue and
 * notification pipes: every subtype with every field (fork, exec, exit by
 * code and by signal, core dump, setsid, uid and gid changes, comm, ptrace
 * attach and detach, threads), pid translation into the opener's pid
 * namespace (0 when invisible) and uid translation into its user
 * namespace, scoping to a pid namespace and its descendants, permissions
 * as uid 65534, a fork storm whose records are all delivered or counted
 * lost, closing a queue during the storm, and the removal notice when the
 * watched pid namespace dies, before or after the queue is closed.
 *
 * Runs as root.  Every wait for a record is bounded by poll() with a
 * generous timeout; nothing is asserted about time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

/* Bound on a pid namespace's death: its free is an RCU callback's work. */
#define PROC_WAIT_MS	60000
#define WATCH_ID	9
#define EXIT_CODE_ENV	"PROC_NOTIFY_TEST_EXIT"

/* Re-executed by the exec test: exit at once with the code asked for. */
__attribute__((constructor)) static void exit_if_asked(void)
{
	const char *code = getenv(EXIT_CODE_ENV);

	if (code)
		_exit(atoi(code));
}

static long proc_watch(int q_fd, int obj_fd, unsigned int id)
{
	return wq_ret(watchq_watch_procs(q_fd, obj_fd, id));
}

static int pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

static int pidns_open(pid_t pid, const char *name)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* NS_GET_ID of /proc/@pid/ns/@name, 0 on error. */
static __u64 pidns_id(pid_t pid, const char *name)
{
	__u64 id = 0;
	int fd = pidns_open(pid, name);

	if (fd < 0)
		return 0;
	if (ioctl(fd, NS_GET_ID, &id) < 0)
		id = 0;
	close(fd);
	return id;
}

/* Records read past while waiting for another, for negative checks. */
#define MAX_SKIPPED	1024
static struct proc_notification skipped[MAX_SKIPPED];
static int nr_skipped;

/*
 * Read records until a process record of @subtype about @pid (as the queue
 * sees it; if @by_parent, about a child of @pid) arrives, within
 * PROC_WAIT_MS; others are kept in skipped[].  Returns 1 with the record
 * in *@out, or 0.
 */
static int wait_proc_by(struct wq_queue *q, unsigned int subtype, pid_t pid,
			int by_parent, struct proc_notification *out)
{
	long long end = wq_now_ms() + PROC_WAIT_MS;
	unsigned char buf[WQ_REC_MAX];
	struct proc_notification *r = (void *)buf;
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
		    wq_type(&r->watch) == WATCH_TYPE_PROC_NOTIFY &&
		    wq_subtype(&r->watch) == subtype &&
		    (by_parent ? r->ppid : r->pid) == pid) {
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

static int wait_proc(struct wq_queue *q, unsigned int subtype, pid_t pid,
		     struct proc_notification *out)
{
	return wait_proc_by(q, subtype, pid, 0, out);
}

/* Whether a record read past was a process record of @subtype about @pid. */
static int skipped_has(unsigned int subtype, pid_t pid)
{
	int i;

	for (i = 0; i < nr_skipped; i++)
		if (wq_type(&skipped[i].watch) == WATCH_TYPE_PROC_NOTIFY &&
		    wq_subtype(&skipped[i].watch) == subtype &&
		    skipped[i].pid == pid)
			return 1;
	return 0;
}

/* Whether a record read past had comm @comm. */
static int skipped_comm(const char *comm)
{
	int i;

	for (i = 0; i < nr_skipped; i++)
		if (wq_type(&skipped[i].watch) == WATCH_TYPE_PROC_NOTIFY &&
		    !strncmp(skipped[i].comm, comm, sizeof(skipped[i].comm)))
			return 1;
	return 0;
}

#define ASSERT_PROC_REC(q, st, pid, out) do {				\
	struct proc_notification *_out = (out);				\
	unsigned int _st = (st);					\
	pid_t _pid = (pid);						\
	char _d[300];							\
	int _i;								\
									\
	if (!wait_proc(q, _st, _pid, _out)) {				\
		for (_i = 0; _i < nr_skipped; _i++) {			\
			wq_describe(&skipped[_i], sizeof(skipped[0]), _d, sizeof(_d)); \
			TH_LOG("skipped: %s", _d);			\
		}							\
		ASSERT_TRUE(0) TH_LOG("no subtype %u record for pid %d", \
				      _st, _pid);			\
	}								\
	wq_describe(_out, sizeof(*_out), _d, sizeof(_d));		\
	TH_LOG("got %s", _d);						\
} while (0)

/* The fields every record has, for a task of ours in our pid namespace. */
#define ASSERT_COMMON(r, pid_, tgid_, ppid_, nsid) do {			\
	const struct proc_notification *_r = &(r);			\
	pid_t _ppid = (ppid_);						\
									\
	ASSERT_EQ(_r->watch.info & WATCH_INFO_LENGTH, sizeof(*_r));	\
	ASSERT_EQ(sizeof(*_r), PROC_NOTIFICATION_SIZE_VER0);		\
	ASSERT_EQ(watchq_rec_id(&_r->watch), WATCH_ID);			\
	ASSERT_EQ(_r->pid, (pid_));					\
	ASSERT_EQ(_r->tgid, (tgid_));					\
	ASSERT_EQ(_r->ppid, _ppid);					\
	ASSERT_EQ(_r->ptgid, _ppid);					\
	ASSERT_EQ(_r->pidns_id, (nsid));				\
} while (0)

#define ASSERT_IDS(r, u, eu, g, eg) do {				\
	const struct proc_notification *_r = &(r);			\
									\
	ASSERT_EQ(_r->uid, (u));					\
	ASSERT_EQ(_r->euid, (eu));					\
	ASSERT_EQ(_r->gid, (g));					\
	ASSERT_EQ(_r->egid, (eg));					\
} while (0)

static int get_cmd(int in)
{
	char c;

	return read(in, &c, 1) == 1 ? c : -1;
}

FIXTURE(proc) {
	struct wq_queue q;
	int ns_fd;		/* our pid namespace */
	__u64 ns_id;
};

FIXTURE_VARIANT(proc) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(proc, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(proc, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(proc)
{
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	self->ns_fd = pidns_open(0, "pid");
	ASSERT_LE(0, self->ns_fd);
	ASSERT_EQ(0, ioctl(self->ns_fd, NS_GET_ID, &self->ns_id));
	ASSERT_NE(0, self->ns_id);
}

FIXTURE_TEARDOWN(proc)
{
	wq_queue_close(&self->q);
	close(self->ns_fd);
}

/*
 * The child of every_subtype: a new session, a name, a gid and an
 * effective uid, then exec() of ourselves, which exits with 7.
 */
static void every_subtype_child(int go)
{
	char self_exe[PATH_MAX];
	ssize_t n;
	char c;

	if (read(go, &c, 1) != 1)
		_exit(100);
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n < 0)
		_exit(101);
	self_exe[n] = 0;
	if (setsid() < 0)
		_exit(102);
	if (prctl(PR_SET_NAME, "wq-comm", 0, 0, 0) < 0)
		_exit(103);
	if (setresgid(1234, 1235, -1) < 0)
		_exit(104);
	if (setresuid(-1, 4321, -1) < 0)
		_exit(105);
	/* a saved ID alone posts nothing */
	if (setresuid(-1, -1, 4321) < 0)
		_exit(106);
	setenv(EXIT_CODE_ENV, "7", 1);
	execl(self_exe, self_exe, (char *)NULL);
	_exit(107);
}

/* fork, setsid, comm, gid, uid, exec and exit, each with every field. */
TEST_F_TIMEOUT(proc, every_subtype, 120)
{
	struct proc_notification r;
	pid_t me = getpid(), pid;
	int go[2], status;

	ASSERT_EQ(0, proc_watch(self->q.fd, self->ns_fd, WATCH_ID));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		every_subtype_child(go[0]);
	}
	close(go[0]);

	/* FORK: the creator in arg, fork()'s clone flags in arg64. */
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_FORK, pid, &r);
	ASSERT_COMMON(r, pid, pid, me, self->ns_id);
	ASSERT_IDS(r, 0, 0, 0, 0);
	ASSERT_EQ(me, r.arg);
	ASSERT_EQ(SIGCHLD, r.arg64 & CSIGNAL);
	ASSERT_EQ(0, r.arg64 & (CLONE_THREAD | CLONE_VM));
	ASSERT_EQ(0, r.flags);
	ASSERT_EQ(0, r.watch.info & NOTIFY_PROC_INFO_THREAD);

	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);

	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_SETSID, pid, &r);
	ASSERT_COMMON(r, pid, pid, me, self->ns_id);
	ASSERT_IDS(r, 0, 0, 0, 0);
	ASSERT_EQ(0, r.arg);
	ASSERT_EQ(0, r.arg64);
	ASSERT_EQ(0, r.flags);

	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_COMM, pid, &r);
	ASSERT_COMMON(r, pid, pid, me, self->ns_id);
	ASSERT_STREQ("wq-comm", r.comm);
	ASSERT_EQ(0, r.arg);

	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_GID, pid, &r);
	ASSERT_COMMON(r, pid, pid, me, self->ns_id);
	ASSERT_IDS(r, 0, 0, 1234, 1235);
	ASSERT_EQ(0, r.arg);		/* gid before */
	ASSERT_EQ(0, r.arg64);		/* egid before */
	ASSERT_STREQ("wq-comm", r.comm);

	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_UID, pid, &r);
	ASSERT_COMMON(r, pid, pid, me, self->ns_id);
	ASSERT_IDS(r, 0, 4321, 1234, 1235);
	ASSERT_EQ(0, r.arg);
	ASSERT_EQ(0, r.arg64);

	/* Nothing for the saved uid; then exec, with the new comm. */
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_EXEC, pid, &r);
	ASSERT_FALSE(skipped_has(NOTIFY_PROC_UID, pid));
	ASSERT_COMMON(r, pid, pid, me, self->ns_id);
	ASSERT_IDS(r, 0, 4321, 1234, 1235);
	ASSERT_STREQ("proc_notify_tes", r.comm);
	ASSERT_EQ(0, r.arg);

	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_EXIT, pid, &r);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(7, WEXITSTATUS(status));
	ASSERT_COMMON(r, pid, pid, me, self->ns_id);
	ASSERT_EQ((__u32)status, r.arg);
	ASSERT_EQ(SIGCHLD, r.arg64);
	ASSERT_EQ(0, r.flags);
}

/* EXIT by a signal, and by one that dumps core, after COREDUMP. */
TEST_F_TIMEOUT(proc, exit_by_signal_and_coredump, 120)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct proc_notification r;
	pid_t pid;
	int status;

	ASSERT_EQ(0, proc_watch(self->q.fd, self->ns_fd, WATCH_ID));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		raise(SIGKILL);
		_exit(1);
	}
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_EXIT, pid, &r);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ((__u32)status, r.arg);
	ASSERT_EQ(SIGKILL, WTERMSIG(r.arg));
	ASSERT_EQ(NOTIFY_PROC_SIGNALED, r.flags);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Dump core in /tmp, if the core pattern lets us. */
		setrlimit(RLIMIT_CORE, &rl);
		if (chdir("/tmp") < 0)
			_exit(1);
		signal(SIGABRT, SIG_DFL);
		raise(SIGABRT);
		_exit(1);
	}
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_COREDUMP, pid, &r);
	ASSERT_EQ(SIGABRT, r.arg);
	ASSERT_EQ(0, r.flags);
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_EXIT, pid, &r);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ((__u32)status, r.arg);
	ASSERT_EQ(SIGABRT, WTERMSIG(r.arg));
	ASSERT_EQ(!!WCOREDUMP(status), !!(r.flags & NOTIFY_PROC_COREDUMPED));
	ASSERT_NE(0, r.flags & NOTIFY_PROC_SIGNALED);
	TH_LOG("core dumped: %d", !!WCOREDUMP(status));
}

static int thread_pipe[2];

static void *thread_fn(void *arg)
{
	pid_t tid = gettid();

	if (write(thread_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	return NULL;
}

/* A thread: FORK and EXIT with the THREAD flag, in the record and info. */
TEST_F_TIMEOUT(proc, thread_fork_and_exit, 120)
{
	struct proc_notification r;
	pid_t me = getpid(), tid;
	pthread_t t;

	ASSERT_EQ(0, proc_watch(self->q.fd, self->ns_fd, WATCH_ID));
	ASSERT_EQ(0, pipe(thread_pipe));
	ASSERT_EQ(0, pthread_create(&t, NULL, thread_fn, NULL));
	ASSERT_EQ(sizeof(tid), read(thread_pipe[0], &tid, sizeof(tid)));
	ASSERT_EQ(0, pthread_join(t, NULL));

	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_FORK, tid, &r);
	ASSERT_EQ(me, r.tgid);
	ASSERT_EQ(getppid(), r.ppid);	/* a thread's parent: its process's */
	ASSERT_EQ(self->ns_id, r.pidns_id);
	ASSERT_EQ(me, r.arg);
	ASSERT_NE(0, r.arg64 & CLONE_THREAD);
	ASSERT_EQ(NOTIFY_PROC_THREAD, r.flags);
	ASSERT_NE(0, r.watch.info & NOTIFY_PROC_INFO_THREAD);

	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_EXIT, tid, &r);
	ASSERT_EQ(me, r.tgid);
	ASSERT_EQ(NOTIFY_PROC_THREAD, r.flags);
	ASSERT_NE(0, r.watch.info & NOTIFY_PROC_INFO_THREAD);
	ASSERT_EQ((__u64)-1, r.arg64);
	ASSERT_EQ(0, r.arg);
	close(thread_pipe[0]);
	close(thread_pipe[1]);
}

/* A filter on the info flag drops the threads' records, not the others'. */
TEST_F_TIMEOUT(proc, filter_out_threads, 120)
{
	struct {
		struct watch_notification_filter f;
		struct watch_notification_type_filter t[1];
	} flt = {
		.f.nr_filters = 1,
		.t[0] = {
			.type = WATCH_TYPE_PROC_NOTIFY,
			.info_filter = 0,
			.info_mask = NOTIFY_PROC_INFO_THREAD,
			.subtype_filter = { 1U << NOTIFY_PROC_FORK },
		},
	};
	struct proc_notification r;
	pid_t tid, pid, pid2;
	pthread_t t;

	ASSERT_EQ(0, ioctl(self->q.fd, IOC_WATCH_QUEUE_SET_FILTER, &flt));
	ASSERT_EQ(0, proc_watch(self->q.fd, self->ns_fd, WATCH_ID));
	ASSERT_EQ(0, pipe(thread_pipe));
	ASSERT_EQ(0, pthread_create(&t, NULL, thread_fn, NULL));
	ASSERT_EQ(sizeof(tid), read(thread_pipe[0], &tid, sizeof(tid)));
	ASSERT_EQ(0, pthread_join(t, NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	pid2 = fork();
	ASSERT_LE(0, pid2);
	if (pid2 == 0)
		_exit(0);
	ASSERT_EQ(pid2, waitpid(pid2, NULL, 0));
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_FORK, pid2, &r);
	/* The process's FORK passed, its EXIT did not, nor the thread's. */
	ASSERT_TRUE(skipped_has(NOTIFY_PROC_FORK, pid));
	ASSERT_FALSE(skipped_has(NOTIFY_PROC_EXIT, pid));
	ASSERT_FALSE(skipped_has(NOTIFY_PROC_FORK, tid));
	ASSERT_FALSE(skipped_has(NOTIFY_PROC_EXIT, tid));
	close(thread_pipe[0]);
	close(thread_pipe[1]);
}

/* PTRACE_ATTACH, PTRACE_DETACH, PTRACE_SEIZE: the tracer in arg. */
TEST_F_TIMEOUT(proc, ptrace_attach_detach, 120)
{
	struct proc_notification r;
	pid_t me = getpid(), pid;
	int status;

	ASSERT_EQ(0, proc_watch(self->q.fd, self->ns_fd, WATCH_ID));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (;;)
			pause();
	}
	ASSERT_EQ(0, ptrace(PTRACE_ATTACH, pid, 0, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, pid, 0, 0));

	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_PTRACE_ATTACH, pid, &r);
	ASSERT_COMMON(r, pid, pid, me, self->ns_id);
	ASSERT_EQ(me, r.arg);
	ASSERT_EQ(me, r.arg64);
	ASSERT_EQ(0, r.flags);
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_PTRACE_DETACH, pid, &r);
	ASSERT_COMMON(r, pid, pid, me, self->ns_id);
	ASSERT_EQ(me, r.arg);
	ASSERT_EQ(me, r.arg64);
	ASSERT_EQ(0, r.flags);

	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, pid, 0, 0));
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_PTRACE_ATTACH, pid, &r);
	ASSERT_EQ(NOTIFY_PROC_SEIZED, r.flags);
	ASSERT_EQ(me, r.arg);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
}

/*
 * Run @fn as the init of a new pid namespace, with @in and @out as
 * kid_start() gives them; the kid's exit status is init's.
 */
struct in_ns {
	int (*fn)(void *arg, int in, int out);
	void *arg;
};

static int kid_new_pid_ns(void *p, int in, int out)
{
	struct in_ns *a = p;
	int status, go[2];
	pid_t pid;
	char c;

	if (unshare(CLONE_NEWPID) < 0 || pipe(go) < 0)
		return 90;
	pid = fork();
	if (pid == 0) {
		/* Init writes to @out only after our pid report. */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(94);
		close(go[0]);
		_exit(a->fn(a->arg, in, out));
	}
	if (pid < 0)
		return 91;
	close(go[0]);
	/* Tell the parent init's pid here, then let init go and wait for it. */
	if (put_u64(out, pid) < 0 || write(go[1], "g", 1) != 1)
		return 95;
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid)
		return 92;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 93;
}

static pid_t start_in_new_ns(struct kid *k, struct in_ns *a, pid_t *init)
{
	if (kid_start(k, kid_new_pid_ns, a) < 0)
		return -1;
	*init = (pid_t)get_u64(k->from);
	return *init;
}

/*
 * Init of a child pid namespace with a queue of its own on its own
 * namespace: forks a task (pid 2 here) that exits with 3, and reports
 * that task's FORK and EXIT as it saw them, then its own COMM.
 */
static int inner_monitor(void *arg, int in, int out)
{
	int use_pipe = (long)arg;
	struct proc_notification r;
	struct wq_queue q;
	int fd, status;
	pid_t pid;

	if (getpid() != 1)
		return 10;
	if (wq_queue_open(&q, use_pipe) < 0)
		return 11;
	fd = pidns_open(0, "pid");
	if (fd < 0 || proc_watch(q.fd, fd, WATCH_ID) < 0)
		return 12;
	close(fd);
	put_u64(out, pidns_id(0, "pid"));
	if (get_cmd(in) != 'f')
		return 13;
	pid = fork();
	if (pid == 0)
		_exit(3);
	if (pid != 2 || waitpid(pid, &status, 0) != pid)
		return 14;
	if (!wait_proc(&q, NOTIFY_PROC_FORK, 2, &r))
		return 15;
	put_u64(out, r.pid);
	put_u64(out, r.tgid);
	put_u64(out, r.ppid);
	put_u64(out, r.ptgid);
	put_u64(out, r.arg);
	put_u64(out, r.pidns_id);
	if (!wait_proc(&q, NOTIFY_PROC_EXIT, 2, &r))
		return 16;
	put_u64(out, r.arg);
	/* Our own record: our parent is outside, invisible here. */
	prctl(PR_SET_NAME, "wq-inner", 0, 0, 0);
	if (!wait_proc(&q, NOTIFY_PROC_COMM, 1, &r))
		return 17;
	put_u64(out, r.ppid);
	put_u64(out, r.ptgid);
	/* The outer test's own tasks: invisible here, never reported. */
	if (get_cmd(in) != 'o')
		return 18;
	prctl(PR_SET_NAME, "wq-inner2", 0, 0, 0);
	if (!wait_proc(&q, NOTIFY_PROC_COMM, 1, &r))
		return 19;
	put_u64(out, skipped_comm("wq-outer"));
	wait_eof(in);
	wq_queue_close(&q);
	return 0;
}

/*
 * One event, two monitors: one in the initial pid namespace, one inside a
 * child pid namespace, each with its own pids; a task invisible inside
 * reads 0 there.
 */
TEST_F_TIMEOUT(proc, pid_translation, 120)
{
	struct in_ns a = { inner_monitor, (void *)(long)variant->use_pipe };
	struct proc_notification r;
	pid_t init, outer_kid, pid;
	struct kid k;
	__u64 inner_id;

	ASSERT_EQ(0, proc_watch(self->q.fd, self->ns_fd, WATCH_ID));
	ASSERT_LT(0, start_in_new_ns(&k, &a, &init));
	inner_id = get_u64(k.from);
	ASSERT_NE(~0ULL, inner_id);
	ASSERT_NE(self->ns_id, inner_id);
	ASSERT_EQ(inner_id, pidns_id(init, "pid"));
	ASSERT_EQ(1, write(k.to, "f", 1));

	/* Inside: pid 2, its parent and creator pid 1. */
	ASSERT_EQ(2, get_u64(k.from));
	ASSERT_EQ(2, get_u64(k.from));
	ASSERT_EQ(1, get_u64(k.from));
	ASSERT_EQ(1, get_u64(k.from));
	ASSERT_EQ(1, get_u64(k.from));
	ASSERT_EQ(inner_id, get_u64(k.from));
	ASSERT_EQ(3 << 8, get_u64(k.from));

	/* Outside: the same FORK with our pids. */
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_FORK, init, &r);
	ASSERT_EQ(k.pid, r.ppid);
	ASSERT_EQ(inner_id, r.pidns_id);
	if (!wait_proc_by(&self->q, NOTIFY_PROC_FORK, init, 1, &r))
		ASSERT_TRUE(0) TH_LOG("no FORK of a child of %d", init);
	pid = r.pid;
	ASSERT_NE(2, pid);
	ASSERT_EQ(init, r.ppid);
	ASSERT_EQ(init, r.ptgid);
	ASSERT_EQ(init, r.arg);
	ASSERT_EQ(inner_id, r.pidns_id);
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_EXIT, pid, &r);
	ASSERT_EQ(3 << 8, r.arg);

	/* init's parent, outside: 0 inside, the kid outside. */
	ASSERT_EQ(0, get_u64(k.from));
	ASSERT_EQ(0, get_u64(k.from));
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_COMM, init, &r);
	ASSERT_EQ(k.pid, r.ppid);
	ASSERT_STREQ("wq-inner", r.comm);

	/* An outer task renames itself: the inner monitor sees nothing. */
	outer_kid = fork();
	ASSERT_LE(0, outer_kid);
	if (outer_kid == 0) {
		prctl(PR_SET_NAME, "wq-outer", 0, 0, 0);
		_exit(0);
	}
	ASSERT_EQ(outer_kid, waitpid(outer_kid, NULL, 0));
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_COMM, outer_kid, &r);
	ASSERT_EQ(1, write(k.to, "o", 1));
	ASSERT_EQ(0, get_u64(k.from));
	ASSERT_EQ(0, kid_finish(&k));
}

/* Init of a namespace that runs commands: see ns_cmd(). */
static int ns_commands(void *arg, int in, int out)
{
	struct in_ns nested = { ns_commands, NULL };
	struct kid k;
	pid_t init;
	int c;

	for (;;) {
		c = get_cmd(in);
		switch (c) {
		case 'n':	/* rename ourselves "wq-<next byte>" */
		{
			char name[16] = "wq-";

			name[3] = get_cmd(in);
			prctl(PR_SET_NAME, name, 0, 0, 0);
			put_u64(out, 0);
			break;
		}
		case 'c':	/* a nested namespace, renamed by 'n' */
			if (start_in_new_ns(&k, &nested, &init) < 0)
				return 20;
			put_u64(out, init);
			if (write(k.to, "nN", 2) != 2 || get_u64(k.from))
				return 21;
			kid_finish(&k);
			put_u64(out, 0);
			break;
		default:
			return 0;
		}
	}
}

/* Tell a namespace of ns_commands() to rename itself "wq-@c". */
static int ns_rename(struct kid *k, char c)
{
	char cmd[2] = { 'n', c };

	if (write(k->to, cmd, 2) != 2)
		return -1;
	return get_u64(k->from) == 0 ? 0 : -1;
}

/*
 * A watch on a child pid namespace sees its tasks and its nested
 * namespaces' tasks, never its parent's or a sibling's.
 */
TEST_F_TIMEOUT(proc, scoping, 120)
{
	struct in_ns a = { ns_commands, NULL };
	struct proc_notification r;
	pid_t init_a, init_b, parent_kid;
	struct kid ka, kb;
	int fd;

	ASSERT_LT(0, start_in_new_ns(&ka, &a, &init_a));
	ASSERT_LT(0, start_in_new_ns(&kb, &a, &init_b));
	fd = pidns_open(init_a, "pid");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, proc_watch(self->q.fd, fd, WATCH_ID));
	close(fd);

	/* The parent namespace and the sibling: not seen. */
	parent_kid = fork();
	ASSERT_LE(0, parent_kid);
	if (parent_kid == 0) {
		prctl(PR_SET_NAME, "wq-P", 0, 0, 0);
		_exit(0);
	}
	ASSERT_EQ(parent_kid, waitpid(parent_kid, NULL, 0));
	ASSERT_EQ(0, ns_rename(&kb, 'S'));
	/* A nested namespace: seen; then A itself, the end marker. */
	ASSERT_EQ(1, write(ka.to, "c", 1));
	ASSERT_NE(~0ULL, get_u64(ka.from));
	ASSERT_EQ(0, get_u64(ka.from));
	ASSERT_EQ(0, ns_rename(&ka, 'A'));

	/* The queue's opener is in the initial namespace: A's init's pid there. */
	ASSERT_PROC_REC(&self->q, NOTIFY_PROC_COMM, init_a, &r);
	ASSERT_STREQ("wq-A", r.comm);
	ASSERT_EQ(pidns_id(init_a, "pid"), r.pidns_id);
	ASSERT_TRUE(skipped_comm("wq-N"));
	ASSERT_FALSE(skipped_comm("wq-P"));
	ASSERT_FALSE(skipped_comm("wq-S"));
	/* B's tasks hold copies of A's pipes: B goes first, or A never ends. */
	ASSERT_EQ(0, kid_finish(&kb));
	ASSERT_EQ(0, kid_finish(&ka));
}

/*
 * As uid 65534: EPERM on the initial pid namespace, by nsfd and pidfd;
 * allowed on a pid namespace of its own, in a user namespace of its own,
 * whose tasks it then sees, with uids as the opener's user namespace
 * maps them.
 */
static int nobody_watch(void *arg, int in, int out)
{
	int use_pipe = (long)arg;
	struct proc_notification r;
	struct wq_queue q;
	int fd, status, go[2];
	pid_t pid;

	if (wq_become_nobody() < 0)
		return 30;
	if (wq_queue_open(&q, use_pipe) < 0)
		return 31;
	fd = pidns_open(0, "pid");
	if (fd < 0)
		return 32;
	if (proc_watch(q.fd, fd, WATCH_ID) == 0 || errno != EPERM)
		return 33;
	close(fd);
	fd = pidfd_open(1);
	if (fd < 0)
		return 34;
	if (proc_watch(q.fd, fd, WATCH_ID) == 0 || errno != EPERM)
		return 35;
	close(fd);

	if (unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0)
		return 36;
	if (pipe(go) < 0)
		return 37;
	/* The new namespace's init: waits, forks a task that exits 5, exits 6. */
	pid = fork();
	if (pid == 0) {
		char c;
		pid_t k;

		close(go[1]);
		if (getpid() != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		k = fork();
		if (k == 0)
			_exit(5);
		if (k < 0 || waitpid(k, &status, 0) != k || status != 5 << 8)
			_exit(2);
		_exit(6);
	}
	if (pid < 0)
		return 38;
	close(go[0]);
	/* Its pid namespace, by its pidfd: ours, owned by our user namespace. */
	fd = pidfd_open(pid);
	if (fd < 0)
		return 39;
	if (proc_watch(q.fd, fd, WATCH_ID) < 0)
		return 40;
	close(fd);
	if (write(go[1], "g", 1) != 1 || waitpid(pid, &status, 0) != pid)
		return 41;
	/* Its child, as the queue's opener (in the initial namespaces) sees it. */
	if (!wait_proc_by(&q, NOTIFY_PROC_FORK, pid, 1, &r))
		return 42;
	if (r.uid != 65534 || r.euid != 65534 || r.gid != 65534 ||
	    r.pidns_id == 0)
		return 43;
	if (!wait_proc(&q, NOTIFY_PROC_EXIT, pid, &r))
		return 44;
	if (r.arg != (6 << 8) || r.arg != (__u32)status)
		return 45;
	wq_queue_close(&q);
	return 0;
}

TEST_F_TIMEOUT(proc, permissions, 120)
{
	struct kid k;

	ASSERT_LT(0, kid_start(&k, nobody_watch,
			       (void *)(long)variant->use_pipe));
	ASSERT_EQ(0, kid_finish(&k));
}

/*
 * The rate-limited key rule: any user may add and remove watches on a pid
 * namespace of its own as fast as it likes, but the hooks' static branch
 * is switched at most twice a second (a deferred key), not on every
 * cycle, so that nobody can make every CPU take the IPIs of text patching
 * at will.
 */
#define TOGGLE_CYCLES	10000

static int nobody_toggle(void *arg, int in, int out)
{
	int use_pipe = (long)arg;
	struct wq_queue q;
	int fd, i, go[2];
	long long t0;
	pid_t init;

	if (wq_become_nobody() < 0 || unshare(CLONE_NEWUSER | CLONE_NEWPID) < 0)
		return 1;
	if (pipe(go) < 0)
		return 2;
	init = fork();
	if (init == 0) {
		char c;

		close(go[1]);
		_exit(read(go[0], &c, 1) < 0);
	}
	if (init < 0)
		return 3;
	close(go[0]);
	fd = pidfd_open(init);
	if (fd < 0 || wq_queue_open(&q, use_pipe) < 0)
		return 4;
	t0 = wq_now_ms();
	for (i = 1; i <= TOGGLE_CYCLES; i++) {
		if (proc_watch(q.fd, fd, 1) < 0)
			return 5;
		if (wq_unwatch(q.fd, WATCH_TYPE_PROC_NOTIFY, 1) < 0)
			return 6;
		/* The removal notices fill the queue; losing them is fine. */
		if (i % 1000 == 0)
			put_u64(out, wq_now_ms() - t0);
	}
	wq_queue_close(&q);
	close(go[1]);
	return waitpid(init, NULL, 0) == init ? 0 : 7;
}

TEST_F_TIMEOUT(proc, unprivileged_add_remove_cycles, 120)
{
	long long ipis = wq_call_ipis();
	struct kid k;
	__u64 ms;
	int i;

	ASSERT_LT(0, kid_start(&k, nobody_toggle,
			       (void *)(long)variant->use_pipe));
	for (i = 1000; i <= TOGGLE_CYCLES; i += 1000) {
		ms = get_u64(k.from);
		ASSERT_NE(~0ULL, ms) TH_LOG("the kid stopped after %d cycles",
					    i - 1000);
	}
	TH_LOG("%d cycles in %llu ms", TOGGLE_CYCLES, (unsigned long long)ms);
	ASSERT_EQ(0, kid_finish(&k));
	/* Allow one IPI per ten cycles; an idle guest takes a few in all. */
	if (ipis >= 0 && sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		ipis = wq_call_ipis() - ipis;
		TH_LOG("%lld function call IPIs meanwhile", ipis);
		ASSERT_GT(TOGGLE_CYCLES / 10, ipis);
	} else {
		TH_LOG("one CPU or no IPI counts: the IPIs are not checked");
	}
}

/* Pass a descriptor over a unix socket. */
static int send_fd(int sock, int fd)
{
	char c = 'f', cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { &c, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static int uid_sock[2];

/*
 * Opens a queue in a user namespace of its own that maps its uid 1000 to
 * the initial uid 0 and gid 1000 to gid 0, nothing else; it can't watch
 * the initial pid namespace, so it passes the queue to the test, which
 * does.  Reports the uid, euid, gid and egid of the EXIT of a task that
 * set its uids to 0 and 2000 and its gids to 0 and 3000.
 */
static int mapped_monitor(void *arg, int in, int out)
{
	int use_pipe = (long)arg;
	struct proc_notification r;
	struct wq_queue q;
	pid_t pid;

	if (unshare(CLONE_NEWUSER) < 0)
		return 50;
	put_u64(out, 0);	/* the parent writes our maps */
	if (get_cmd(in) != 'm')
		return 51;
	if (wq_queue_open(&q, use_pipe) < 0)
		return 52;
	if (send_fd(uid_sock[1], q.fd) < 0)
		return 53;
	pid = (pid_t)get_u64(in);	/* watched; the task ran */
	if (!wait_proc(&q, NOTIFY_PROC_EXIT, pid, &r))
		return 54;
	put_u64(out, r.uid);
	put_u64(out, r.euid);
	put_u64(out, r.gid);
	put_u64(out, r.egid);
	put_u64(out, r.pid);
	wait_eof(in);
	wq_queue_close(&q);
	return 0;
}

TEST_F_TIMEOUT(proc, uids_in_opener_user_ns, 120)
{
	char path[64];
	struct kid k;
	pid_t pid;
	int qfd, status;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, uid_sock));
	ASSERT_LT(0, kid_start(&k, mapped_monitor,
			       (void *)(long)variant->use_pipe));
	ASSERT_EQ(0, get_u64(k.from));
	snprintf(path, sizeof(path), "/proc/%d/uid_map", k.pid);
	ASSERT_EQ(0, wq_write_file(path, "1000 0 1"));
	snprintf(path, sizeof(path), "/proc/%d/setgroups", k.pid);
	ASSERT_EQ(0, wq_write_file(path, "deny"));
	snprintf(path, sizeof(path), "/proc/%d/gid_map", k.pid);
	ASSERT_EQ(0, wq_write_file(path, "1000 0 1"));
	ASSERT_EQ(1, write(k.to, "m", 1));
	qfd = recv_fd(uid_sock[0]);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, proc_watch(qfd, self->ns_fd, WATCH_ID));
	close(qfd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setresgid(0, 3000, 0) < 0 || setresuid(0, 2000, 0) < 0)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, put_u64(k.to, pid));
	/* 0 is 1000 there; 2000 and 3000 are unmapped: the overflow IDs. */
	ASSERT_EQ(1000, get_u64(k.from));
	ASSERT_EQ(65534, get_u64(k.from));
	ASSERT_EQ(1000, get_u64(k.from));
	ASSERT_EQ(65534, get_u64(k.from));
	/* Its pid namespace is ours: the pid reads as here. */
	ASSERT_EQ(pid, get_u64(k.from));
	ASSERT_EQ(0, kid_finish(&k));
	close(uid_sock[0]);
	close(uid_sock[1]);
}

/* Every bad argument. */
TEST_F(proc, bad_arguments)
{
	struct watch_queue_watch w = {
		.type = WATCH_TYPE_PROC_NOTIFY,
		.watch_id = WATCH_ID,
		.object = WATCH_OBJECT_FD,
	};
	int fd;

	w.fd = -1;
	ASSERT_EQ(-EBADF, watchq_watch(self->q.fd, &w));
	fd = pidns_open(0, "user");
	ASSERT_LE(0, fd);
	w.fd = fd;
	ASSERT_EQ(-EINVAL, watchq_watch(self->q.fd, &w));
	close(fd);
	fd = open("/proc/self/status", O_RDONLY);
	ASSERT_LE(0, fd);
	w.fd = fd;
	ASSERT_EQ(-EINVAL, watchq_watch(self->q.fd, &w));
	close(fd);
	w.fd = self->ns_fd;
	w.object = WATCH_OBJECT_ID;
	ASSERT_EQ(-EINVAL, watchq_watch(self->q.fd, &w));
	w.object = WATCH_OBJECT_FD;
	w.at_flags = 1;
	ASSERT_EQ(-EINVAL, watchq_watch(self->q.fd, &w));
	w.at_flags = 0;
	ASSERT_EQ(0, watchq_watch(self->q.fd, &w));
	w.watch_id = WATCH_ID + 1;
	ASSERT_EQ(-EBUSY, watchq_watch(self->q.fd, &w));
	/* The same namespace by a pidfd: the queue watches it already. */
	fd = pidfd_open(getpid());
	ASSERT_LE(0, fd);
	w.fd = fd;
	ASSERT_EQ(-EBUSY, watchq_watch(self->q.fd, &w));
	close(fd);
	ASSERT_EQ(0, wq_unwatch(self->q.fd, WATCH_TYPE_PROC_NOTIFY, WATCH_ID));
}

/* A fork storm inside a namespace: STORM_WORKERS forking in parallel. */
#define STORM_WORKERS	2
#define STORM_FORKS	400

static int storm_worker(int forks)
{
	int i, status;
	pid_t pid;

	for (i = 0; i < forks; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			return 1;
	}
	return 0;
}

/* Init of the storm: 'g' starts it, reports 0 when all workers are done. */
static int storm_init(void *arg, int in, int out)
{
	pid_t pids[STORM_WORKERS];
	int forks = (long)arg;
	int i, status, ret = 0;

	put_u64(out, 0);
	if (get_cmd(in) != 'g')
		return 60;
	for (i = 0; i < STORM_WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(storm_worker(forks));
	}
	for (i = 0; i < STORM_WORKERS; i++)
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    status)
			ret = 61;
	put_u64(out, ret);
	wait_eof(in);
	return ret;
}

/* Records a storm posts before init exits: FORK and EXIT of each task. */
#define STORM_POSTED(forks)	(2 * STORM_WORKERS * ((forks) + 1))

/* Count a queue's process records and losses, until it has no more. */
static void count_records(struct wq_queue *q, __u64 *recs, __u64 *losses)
{
	unsigned char buf[WQ_REC_MAX];
	struct watch_notification *n = (void *)buf;

	*recs = 0;
	*losses = 0;
	while (wq_queue_next(q, buf, sizeof(buf), 500) > 0) {
		if (wq_type(n) == WATCH_TYPE_PROC_NOTIFY)
			(*recs)++;
		else if (wq_type(n) == WATCH_TYPE_META &&
			 wq_subtype(n) == WATCH_META_LOSS_NOTIFICATION)
			(*losses)++;
	}
}

/*
 * delivered + lost == posted for each of two queues: on the ring, lost is
 * the header's count; a pipe keeps no count, so there a shortfall must
 * come with a loss record.
 */
TEST_F_TIMEOUT(proc, fork_storm_accounting, 300)
{
	struct in_ns a = { storm_init, (void *)STORM_FORKS };
	__u64 recs[2], losses[2], lost[2] = { 0, 0 };
	struct wq_queue q2, *qs[2] = { &self->q, &q2 };
	pid_t init;
	struct kid k;
	int fd, i;

	ASSERT_EQ(0, wq_queue_open(&q2, variant->use_pipe));
	ASSERT_LT(0, start_in_new_ns(&k, &a, &init));
	ASSERT_EQ(0, get_u64(k.from));
	fd = pidns_open(init, "pid");
	ASSERT_LE(0, fd);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, proc_watch(qs[i]->fd, fd, WATCH_ID));
	close(fd);
	ASSERT_EQ(1, write(k.to, "g", 1));
	ASSERT_EQ(0, get_u64(k.from));
	for (i = 0; i < 2; i++) {
		count_records(qs[i], &recs[i], &losses[i]);
		if (!variant->use_pipe)
			lost[i] = watchq_lost(&qs[i]->q);
		TH_LOG("queue %d: %llu delivered, %llu lost, %llu loss records",
		       i, (unsigned long long)recs[i],
		       (unsigned long long)lost[i],
		       (unsigned long long)losses[i]);
		if (variant->use_pipe) {
			ASSERT_GE(STORM_POSTED(STORM_FORKS), recs[i]);
			if (recs[i] < STORM_POSTED(STORM_FORKS))
				ASSERT_LT(0, losses[i]);
		} else {
			ASSERT_EQ(STORM_POSTED(STORM_FORKS), recs[i] + lost[i]);
		}
	}
	ASSERT_EQ(0, kid_finish(&k));
	wq_queue_close(&q2);
}

/* Wait for the removal notice of a watch on the namespace @id. */
static int wait_removal(struct wq_queue *q, __u64 id)
{
	long long end = wq_now_ms() + PROC_WAIT_MS;
	unsigned char buf[WQ_REC_MAX];
	struct watch_notification_removal *r = (void *)buf;
	ssize_t len;
	int left;

	for (;;) {
		left = end - wq_now_ms();
		if (left <= 0)
			return 0;
		len = wq_queue_next(q, buf, sizeof(buf), left);
		if (len <= 0)
			return 0;
		if (wq_type(&r->watch) == WATCH_TYPE_META &&
		    wq_subtype(&r->watch) == WATCH_META_REMOVAL_NOTIFICATION &&
		    len == sizeof(*r) && r->id == id &&
		    watchq_rec_id(&r->watch) == WATCH_ID)
			return 1;
	}
}

/*
 * The last task of a watched namespace exits while the queue is open: the
 * queue gets the removal notice, with the namespace's ID, after the exit
 * of its init; then the queue closes.  And the other order: the queue is
 * closed during the storm, then the namespace dies.
 */
#define SMALL_FORKS	5

TEST_F_TIMEOUT(proc, ns_dies_then_close, 300)
{
	struct in_ns a = { storm_init, (void *)SMALL_FORKS };
	struct proc_notification r;
	pid_t init;
	struct kid k;
	__u64 id;
	int fd;

	ASSERT_LT(0, start_in_new_ns(&k, &a, &init));
	ASSERT_EQ(0, get_u64(k.from));
	fd = pidns_open(init, "pid");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, NS_GET_ID, &id));
	ASSERT_EQ(0, proc_watch(self->q.fd, fd, WATCH_ID));
	close(fd);
	ASSERT_EQ(1, write(k.to, "g", 1));
	ASSERT_EQ(0, get_u64(k.from));
	ASSERT_EQ(0, kid_finish(&k));
	/* Every record of the tasks, then init's EXIT, then the notice. */
	ASSERT_TRUE(wait_proc(&self->q, NOTIFY_PROC_EXIT, init, &r));
	ASSERT_EQ(STORM_POSTED(SMALL_FORKS), nr_skipped);
	ASSERT_TRUE(wait_removal(&self->q, id));
	/* Nothing after the notice: the watch is gone. */
	ASSERT_EQ(0, wq_queue_next(&self->q, &r, sizeof(r), 200));
	ASSERT_EQ(-1, wq_unwatch(self->q.fd, WATCH_TYPE_PROC_NOTIFY, WATCH_ID));
	ASSERT_EQ(ENOENT, errno);
}

/*
 * The queue is closed while the storm posts to it (the kernel log check
 * catches a use after free or a lock misuse), then the namespace dies; a
 * queue watching it from then on is the namespace's until it dies.
 */
TEST_F_TIMEOUT(proc, close_during_storm_then_ns_dies, 300)
{
	struct in_ns a = { storm_init, (void *)STORM_FORKS };
	struct wq_queue q2;
	__u64 recs, losses;
	pid_t init;
	struct kid k;
	__u64 id;
	int fd;

	ASSERT_LT(0, start_in_new_ns(&k, &a, &init));
	ASSERT_EQ(0, get_u64(k.from));
	fd = pidns_open(init, "pid");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, NS_GET_ID, &id));
	ASSERT_EQ(0, proc_watch(self->q.fd, fd, WATCH_ID));
	ASSERT_EQ(1, write(k.to, "g", 1));
	wq_sleep_ms(50);
	ASSERT_EQ(0, wq_queue_close(&self->q));
	ASSERT_EQ(0, get_u64(k.from));
	/* After the storm, a second queue: it gets init's EXIT, then the notice. */
	ASSERT_EQ(0, wq_queue_open(&q2, variant->use_pipe));
	ASSERT_EQ(0, proc_watch(q2.fd, fd, WATCH_ID));
	close(fd);
	ASSERT_EQ(0, kid_finish(&k));
	ASSERT_TRUE(wait_proc(&q2, NOTIFY_PROC_EXIT, init, NULL));
	ASSERT_TRUE(wait_removal(&q2, id));
	count_records(&q2, &recs, &losses);
	ASSERT_EQ(0, recs);
	ASSERT_EQ(0, wq_queue_close(&q2));
}

TEST_HARNESS_MAIN
