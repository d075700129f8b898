// SPDX-License-Identifier: GPL-2.0
/*
 * watchq_open() on a kernel without /dev/watch_queue: it fails cleanly with
 * EOPNOTSUPP, and makes no system call but the open() of the device, so
 * that nothing of ours reaches a kernel that does not know it.  The calls
 * are recorded with ptrace(), as strace would; the guest has no strace.
 *
 * The kernels without the device are made up here with a mount namespace:
 * no node at all (ENOENT), a node with no driver behind it (ENXIO), and a
 * node that is some other device (SETUP fails with ENOTTY).  Run with
 * WQ_EXPECT=unsupported on a kernel without the device (make
 * check-pristine) or WQ_EXPECT=supported on one with it, this_kernel checks
 * the real thing too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "watchq.h"

#define MAX_CALLS	16

/* What the traced child did between its two markers. */
struct trace {
	long nr[MAX_CALLS];	/* System call numbers, in order */
	unsigned long arg1[MAX_CALLS];	/* Their second argument */
	char path[256];		/* The path of the first openat() */
	int calls;
	int ret;		/* The helper's result */
	int err;		/* errno after it */
	char why[128];		/* Why the child could not run the test */
};

/* What the child reports through a pipe. */
struct result {
	int ret;
	int err;
	char why[128];
};

/* How the child sets up its view of /dev before it is traced. */
enum fake { FAKE_NONE, FAKE_NO_NODE, FAKE_NO_DRIVER, FAKE_OTHER_DEVICE };

/* What the traced child does between its markers. */
enum act {
	ACT_OPEN,		/* watchq_open() */
	ACT_PIPE_MOUNT,		/* watchq_watch_mount() on a notification pipe */
	ACT_PIPE_SB,		/* watchq_watch_sb() on one */
	ACT_PIPE_NS,		/* watchq_watch_ns() on one */
};

/*
 * Set up what @act needs before tracing: a notification pipe in *@qfd and
 * an nsfs file in *@nsfd.  0, or -1 with the reason in @why.
 */
static int act_setup(enum act act, int *qfd, int *nsfd, char *why,
		     size_t size)
{
	int fds[2];

	if (act == ACT_OPEN)
		return 0;
	if (pipe2(fds, O_NOTIFICATION_PIPE)) {
		snprintf(why, size, "a notification pipe: %s",
			 strerror(errno));
		return -1;
	}
	*qfd = fds[0];
	*nsfd = open("/proc/self/ns/user", O_RDONLY);
	if (*nsfd < 0) {
		snprintf(why, size, "/proc/self/ns/user: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Do @act, as set up by act_setup(); the helper's result. */
static int act_run(enum act act, int qfd, int nsfd)
{
	const uint64_t size = sysconf(_SC_PAGESIZE);
	struct watchq q;

	switch (act) {
	case ACT_OPEN:
		return watchq_open(&q, size);
	case ACT_PIPE_MOUNT:
		return watchq_watch_mount(qfd, AT_FDCWD, "/", 0, 1);
	case ACT_PIPE_SB:
		return watchq_watch_sb(qfd, AT_FDCWD, "/", 0, 2);
	case ACT_PIPE_NS:
		return watchq_watch_ns(qfd, nsfd, 3);
	}
	return -EINVAL;
}

/* A private /dev in a new mount namespace, as @fake says; 0 or -1. */
static int fake_dev(enum fake fake, char *why, size_t size)
{
	if (fake == FAKE_NONE)
		return 0;
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) ||
	    mount("wq-dev", "/dev", "tmpfs", 0, "mode=0755")) {
		snprintf(why, size, "a private /dev: %s", strerror(errno));
		return -1;
	}
	switch (fake) {
	case FAKE_NO_DRIVER:
		/* A minor of the mem driver that it does not have. */
		if (mknod(WATCHQ_DEVICE, S_IFCHR | 0666, makedev(1, 250))) {
			snprintf(why, size, "mknod: %s", strerror(errno));
			return -1;
		}
		break;
	case FAKE_OTHER_DEVICE:
		if (mknod(WATCHQ_DEVICE, S_IFCHR | 0666, makedev(1, 3))) {
			snprintf(why, size, "mknod: %s", strerror(errno));
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/*
 * Do @act in a child traced by the caller, with /dev as @fake says, and
 * record every system call it makes between two getpid() markers.  0, or
 * -1 with the reason in @t->why.
 */
static int trace_act(enum fake fake, enum act act, struct trace *t)
{
	struct __ptrace_syscall_info info;
	int status, recording = 0, pipefd[2];
	struct result res;
	long word;
	size_t i;
	pid_t pid;

	memset(t, 0, sizeof(*t));
	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct result r = { 0 };
		int qfd = -1, nsfd = -1;

		close(pipefd[0]);
		if (fake_dev(fake, r.why, sizeof(r.why)) ||
		    act_setup(act, &qfd, &nsfd, r.why, sizeof(r.why))) {
			if (write(pipefd[1], &r, sizeof(r)) < 0)
				_exit(2);
			_exit(1);
		}
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(3);
		raise(SIGSTOP);
		syscall(SYS_getpid);		/* Start */
		r.ret = act_run(act, qfd, nsfd);
		r.err = errno;
		syscall(SYS_getpid);		/* End */
		if (write(pipefd[1], &r, sizeof(r)) != sizeof(r))
			_exit(4);
		_exit(0);
	}
	close(pipefd[1]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status)) {
		/* The child could not set up; it says why. */
		if (read(pipefd[0], &res, sizeof(res)) == sizeof(res))
			memcpy(t->why, res.why, sizeof(t->why));
		else
			snprintf(t->why, sizeof(t->why), "child exit %d",
				 WEXITSTATUS(status));
		close(pipefd[0]);
		return -1;
	}
	ptrace(PTRACE_SETOPTIONS, pid, NULL,
	       (void *)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL));
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, NULL))
			break;
		if (waitpid(pid, &status, 0) != pid || WIFEXITED(status) ||
		    WIFSIGNALED(status))
			break;
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80))
			continue;
		if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info),
			   &info) <= 0)
			break;
		if (info.op != PTRACE_SYSCALL_INFO_ENTRY)
			continue;	/* The exit of a call */
		if (info.entry.nr == SYS_getpid) {
			recording = !recording;
			continue;
		}
		if (!recording)
			continue;
		if (t->calls < MAX_CALLS) {
			t->nr[t->calls] = info.entry.nr;
			t->arg1[t->calls] = info.entry.args[1];
		}
		if (info.entry.nr == SYS_openat && !t->path[0]) {
			for (i = 0; i + sizeof(long) < sizeof(t->path);
			     i += sizeof(long)) {
				errno = 0;
				word = ptrace(PTRACE_PEEKDATA, pid,
					      (void *)(info.entry.args[1] + i),
					      NULL);
				if (errno)
					break;
				memcpy(t->path + i, &word, sizeof(word));
				if (memchr(&word, 0, sizeof(word)))
					break;
			}
		}
		t->calls++;
	}
	if (read(pipefd[0], &res, sizeof(res)) != sizeof(res)) {
		close(pipefd[0]);
		snprintf(t->why, sizeof(t->why), "no result from the child");
		return -1;
	}
	close(pipefd[0]);
	t->ret = res.ret;
	t->err = res.err;
	return 0;
}

/* Print what the child called, for the log. */
static void log_calls(struct __test_metadata *_metadata, const struct trace *t)
{
	int i;

	for (i = 0; i < t->calls && i < MAX_CALLS; i++)
		TH_LOG("call %d: system call %ld (second argument %#lx)", i,
		       t->nr[i], t->arg1[i]);
}

/* The child did nothing but open the device, and got EOPNOTSUPP. */
static void check_clean_unsupported(struct __test_metadata *_metadata,
				    const struct trace *t)
{
	ASSERT_EQ(-EOPNOTSUPP, t->ret);
	ASSERT_EQ(EOPNOTSUPP, t->err);
	ASSERT_EQ(1, t->calls)
		log_calls(_metadata, t);
	ASSERT_EQ(SYS_openat, t->nr[0]);
	ASSERT_STREQ(WATCHQ_DEVICE, t->path);
}

/* No node: ENOENT from open(), reported as EOPNOTSUPP. */
TEST(no_node)
{
	struct trace t;

	if (trace_act(FAKE_NO_NODE, ACT_OPEN, &t))
		SKIP(return, "cannot trace: %s", t.why);
	check_clean_unsupported(_metadata, &t);
}

/* A node with no driver behind it: ENXIO, reported as EOPNOTSUPP. */
TEST(node_without_driver)
{
	struct trace t;

	if (trace_act(FAKE_NO_DRIVER, ACT_OPEN, &t))
		SKIP(return, "cannot trace: %s", t.why);
	check_clean_unsupported(_metadata, &t);
}

/*
 * A node that is another device, or an older version of ours: the one
 * ioctl SETUP fails with ENOTTY, reported as EOPNOTSUPP, and the helper
 * closes what it opened.
 */
TEST(node_of_another_device)
{
	struct trace t;

	if (trace_act(FAKE_OTHER_DEVICE, ACT_OPEN, &t))
		SKIP(return, "cannot trace: %s", t.why);
	ASSERT_EQ(-EOPNOTSUPP, t.ret);
	ASSERT_EQ(EOPNOTSUPP, t.err);
	ASSERT_EQ(3, t.calls)
		log_calls(_metadata, &t);
	ASSERT_EQ(SYS_openat, t.nr[0]);
	ASSERT_STREQ(WATCHQ_DEVICE, t.path);
	ASSERT_EQ(SYS_ioctl, t.nr[1]);
	ASSERT_EQ((unsigned long)IOC_WATCH_QUEUE_SETUP, t.arg1[1]);
	ASSERT_EQ(SYS_close, t.nr[2]);
}

/*
 * This kernel: with the device, open(), SETUP and two mmap()s; without it,
 * the open() alone and EOPNOTSUPP.  WQ_EXPECT says which it must be.
 */
TEST(this_kernel)
{
	const char *expect = getenv("WQ_EXPECT");
	struct stat st;
	struct trace t;
	int have = stat(WATCHQ_DEVICE, &st) == 0;

	if (expect && !strcmp(expect, "unsupported"))
		ASSERT_FALSE(have) TH_LOG("%s exists", WATCHQ_DEVICE);
	if (expect && !strcmp(expect, "supported"))
		ASSERT_TRUE(have) TH_LOG("%s is missing", WATCHQ_DEVICE);
	if (trace_act(FAKE_NONE, ACT_OPEN, &t))
		SKIP(return, "cannot trace: %s", t.why);
	if (!have) {
		TH_LOG("no %s: a kernel without the device", WATCHQ_DEVICE);
		check_clean_unsupported(_metadata, &t);
		return;
	}
	ASSERT_EQ(0, t.ret) TH_LOG("watchq_open: %s", strerror(t.err));
	ASSERT_EQ(4, t.calls)
		log_calls(_metadata, &t);
	ASSERT_EQ(SYS_openat, t.nr[0]);
	ASSERT_STREQ(WATCHQ_DEVICE, t.path);
	ASSERT_EQ(SYS_ioctl, t.nr[1]);
	ASSERT_EQ((unsigned long)IOC_WATCH_QUEUE_SETUP, t.arg1[1]);
	ASSERT_EQ(SYS_mmap, t.nr[2]);
	ASSERT_EQ(SYS_mmap, t.nr[3]);
}

/*
 * Watches set through a notification pipe, which mainline has too: on a
 * kernel with IOC_WATCH_QUEUE_WATCH, each helper makes that one ioctl and
 * succeeds; on one without (the pristine kernel, whose pipes answer
 * ENOTTY), it makes the same one ioctl and says EOPNOTSUPP, and no other
 * system call is tried.
 */
TEST(pipe_watches)
{
	static const enum act acts[] = {
		ACT_PIPE_MOUNT, ACT_PIPE_SB, ACT_PIPE_NS,
	};
	const char *expect = getenv("WQ_EXPECT");
	struct stat st;
	struct trace t;
	int have = stat(WATCHQ_DEVICE, &st) == 0;
	size_t i;

	if (expect && !strcmp(expect, "unsupported"))
		have = 0;
	for (i = 0; i < ARRAY_SIZE(acts); i++) {
		if (trace_act(FAKE_NONE, acts[i], &t))
			SKIP(return, "cannot trace: %s", t.why);
		if (have) {
			ASSERT_EQ(0, t.ret)
				TH_LOG("helper %zu: %s", i, strerror(t.err));
		} else {
			ASSERT_EQ(-EOPNOTSUPP, t.ret)
				TH_LOG("helper %zu: %s", i, strerror(t.err));
			ASSERT_EQ(EOPNOTSUPP, t.err);
		}
		ASSERT_EQ(1, t.calls)
			log_calls(_metadata, &t);
		ASSERT_EQ(SYS_ioctl, t.nr[0]);
		ASSERT_EQ((unsigned long)IOC_WATCH_QUEUE_WATCH, t.arg1[0]);
	}
}

TEST_HARNESS_MAIN
