// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring sample, samples/watch_queue/uring_watch.c, run as a user
 * would: its multishot poll on a /dev/watch_queue queue must wake it for
 * every record, however the records and the wake-ups interleave, and
 * SIGINT, SIGTERM and its time limit must end it with status 0 and a true
 * summary.
 *
 * The stream: this test opens and sizes the queue, hands it to the sample
 * as descriptor 3 (uring_watch -f 3), and writes numbered records into it
 * in bursts of random sizes, some back to back and some a few microseconds
 * apart.  After each burst it waits, through its own mapping of the ring,
 * until the sample has given every slot back, then pauses so that the
 * sample goes back to sleep: each burst needs a new wake-up.  A record
 * that the sample is not woken for stays unread and the wait times out.
 * The sample's output, one line a record, goes to a memfd that the test
 * reads afterwards: every sequence number once, in order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/keyctl.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define RING_SIZE	65536	/* The queue handed to the sample */
#define REC_LEN		16	/* Header, sequence number, pattern */
#define BURSTS		300
#define BURST_MAX	40
#define CATCH_UP_MS	5000	/* A burst the sample does not read by then is missed */
#define EXIT_MS		10000	/* Bounded wait for the sample to exit */
#define OUT_MAX		(4 << 20)

FIXTURE(uring) {
	struct watchq q;	/* The queue; the test only writes and watches the tail */
	int out;		/* memfd: the sample's stdout */
	pid_t pid;
};

FIXTURE_SETUP(uring)
{
	self->pid = -1;
	ASSERT_EQ(0, watchq_open(&self->q, RING_SIZE));
	self->out = memfd_create("uring_watch.out", MFD_CLOEXEC);
	ASSERT_LE(0, self->out);
}

FIXTURE_TEARDOWN(uring)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	close(self->out);
	watchq_close(&self->q);
}

/*
 * Start uring_watch with @args (NULL-terminated), the queue as descriptor 3
 * and stdout to the memfd.  $URING_WATCH names the program; else it is
 * found in $PATH (the guest installs the samples in /usr/bin).
 */
static pid_t start_sample(int qfd, int out, const char *const *args)
{
	const char *prog = getenv("URING_WATCH");
	const char *argv[16] = { "uring_watch" };
	pid_t pid;
	int i;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	pid = fork();
	if (pid)
		return pid;
	/* dup2() onto itself would leave FD_CLOEXEC set. */
	if ((qfd == 3 ? fcntl(qfd, F_SETFD, 0) : dup2(qfd, 3)) < 0)
		_exit(126);
	if (dup2(out, 1) < 0)
		_exit(126);
	if (prog)
		execv(prog, (char *const *)argv);
	else
		execvp("uring_watch", (char *const *)argv);
	fprintf(stderr, "exec uring_watch: %s\n", strerror(errno));
	_exit(127);
}

/* Wait for @pid to exit, at most @ms; its wait status, or -1 on timeout. */
static int wait_exit(pid_t pid, int ms)
{
	long long end = wq_now_ms() + ms;
	int status;

	while (wq_now_ms() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		wq_sleep_ms(5);
	}
	return -1;
}

/* The slots the consumer has given back, as its page says. */
static uint64_t cons_tail(const struct watchq *q)
{
	return __atomic_load_n(&q->cons->tail, __ATOMIC_ACQUIRE);
}

/*
 * Wait until the consumer has given back every slot up to the head, at
 * most @ms; 0, or -1 if it did not.
 */
static int wait_caught_up(const struct watchq *q, int ms)
{
	long long end = wq_now_ms() + ms;

	do {
		if (cons_tail(q) ==
		    __atomic_load_n(&q->ring->head, __ATOMIC_ACQUIRE))
			return 0;
		usleep(200);
	} while (wq_now_ms() < end);
	return -1;
}

/* Busy-wait @us microseconds, to vary where writes land in a drain. */
static void spin_us(unsigned int us)
{
	long long end;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000000LL + ts.tv_nsec / 1000 + us;
	do {
		clock_gettime(CLOCK_MONOTONIC, &ts);
	} while (ts.tv_sec * 1000000LL + ts.tv_nsec / 1000 < end);
}

/* The sample's output so far, NUL-terminated, in a malloc()ed buffer. */
static char *read_out(int out)
{
	char *buf = malloc(OUT_MAX + 1);
	ssize_t n, len = 0;

	if (!buf)
		return NULL;
	while (len < OUT_MAX && (n = pread(out, buf + len, OUT_MAX - len, len)) > 0)
		len += n;
	buf[len] = '\0';
	return buf;
}

/* The summary line's three counts; 0, or -1 if there is none. */
static int summary(const char *out, unsigned long long *records,
		   unsigned long long *wakeups, unsigned long long *lost)
{
	const char *s = strstr(out, "uring_watch: records ");

	if (!s || sscanf(s, "uring_watch: records %llu wakeups %llu lost %llu",
			 records, wakeups, lost) != 3)
		return -1;
	return 0;
}

/*
 * Check that the output has the records seq 0 to @nr - 1, each once and in
 * order, and no other; return the first sequence number wrong or missing,
 * or -1 if all is well.
 */
static long check_seqs(const char *out, unsigned int nr)
{
	const char *line;
	unsigned int next = 0, seq;

	for (line = out; *line; line = strchr(line, '\n') + 1) {
		if (!strchr(line, '\n'))
			break;
		if (!strncmp(line, "uring_watch:", 12))
			continue;
		if (sscanf(line, "type 5 subtype 1 id 0 len 16 seq %u", &seq) != 1 ||
		    seq != next)
			return next;
		next++;
	}
	return next == nr ? -1 : (long)next;
}

/*
 * Many bursts, each of which the sample must be woken for and read
 * completely without any further record to prod it; then SIGINT.
 */
TEST_F(uring, stream_none_missed)
{
	static const char *const args[] = { "-f", "3", NULL };
	unsigned long long records, wakeups, lost;
	unsigned int b, i, nr = 0, burst;
	__u32 rnd = 0x5eed1234;
	int status;
	long bad;
	char *out;

	self->pid = start_sample(self->q.fd, self->out, args);
	ASSERT_LT(0, self->pid);

	for (b = 0; b < BURSTS; b++) {
		burst = 1 + wq_rand(&rnd) % BURST_MAX;
		for (i = 0; i < burst; i++, nr++) {
			ASSERT_EQ(REC_LEN, wq_inject(self->q.fd, 1, REC_LEN, nr));
			if (wq_rand(&rnd) % 2)
				spin_us(wq_rand(&rnd) % 50);
		}
		if (wait_caught_up(&self->q, CATCH_UP_MS)) {
			TH_LOG("burst %u (records up to %u): %llu slots unread for %d ms",
			       b, nr - 1,
			       (unsigned long long)(self->q.ring->head - cons_tail(&self->q)),
			       CATCH_UP_MS);
			ASSERT_TRUE(0);
		}
		/* Let it go back to sleep: the next burst needs a wake-up. */
		wq_sleep_ms(1 + wq_rand(&rnd) % 3);
	}

	ASSERT_EQ(0, kill(self->pid, SIGINT));
	status = wait_exit(self->pid, EXIT_MS);
	ASSERT_NE(-1, status) TH_LOG("the sample did not exit on SIGINT");
	self->pid = -1;
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("wait status %#x", status);
	ASSERT_EQ(0, WEXITSTATUS(status));

	out = read_out(self->out);
	ASSERT_NE(NULL, out);
	bad = check_seqs(out, nr);
	if (bad >= 0)
		TH_LOG("record seq %ld is missing or out of order (of %u)", bad, nr);
	EXPECT_EQ(-1, bad);
	ASSERT_EQ(0, summary(out, &records, &wakeups, &lost))
		TH_LOG("no summary in: %.200s", out);
	TH_LOG("%llu records, %llu wake-ups, %llu lost", records, wakeups, lost);
	EXPECT_EQ(nr, records);
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, watchq_lost(&self->q));
	/* Woken many times: the pauses made it sleep between bursts. */
	EXPECT_LE(BURSTS / 4, wakeups);
	EXPECT_GE(records, wakeups);
	free(out);
}

/* SIGTERM ends it as SIGINT does, with the count of what it read. */
TEST_F(uring, sigterm_summary)
{
	static const char *const args[] = { "-f", "3", "-q", NULL };
	unsigned long long records, wakeups, lost;
	unsigned int i;
	int status;
	char *out;

	self->pid = start_sample(self->q.fd, self->out, args);
	ASSERT_LT(0, self->pid);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(REC_LEN, wq_inject(self->q.fd, 2, REC_LEN, i));
		ASSERT_EQ(0, wait_caught_up(&self->q, CATCH_UP_MS));
	}
	ASSERT_EQ(0, kill(self->pid, SIGTERM));
	status = wait_exit(self->pid, EXIT_MS);
	ASSERT_NE(-1, status);
	self->pid = -1;
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	out = read_out(self->out);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, summary(out, &records, &wakeups, &lost));
	EXPECT_EQ(NULL, strstr(out, "type 5")) TH_LOG("-q printed records");
	EXPECT_EQ(10, records);
	EXPECT_LE(1, wakeups);
	EXPECT_GE(10, wakeups);
	EXPECT_EQ(0, lost);
	free(out);
}

/* -t: the time limit ends the run through the timerfd, status 0. */
TEST_F(uring, time_limit)
{
	static const char *const args[] = { "-f", "3", "-t", "1", NULL };
	unsigned long long records, wakeups, lost;
	long long t0 = wq_now_ms();
	int status;
	char *out;

	self->pid = start_sample(self->q.fd, self->out, args);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(REC_LEN, wq_inject(self->q.fd, 1, REC_LEN, 0));
	status = wait_exit(self->pid, EXIT_MS);
	ASSERT_NE(-1, status) TH_LOG("-t 1 did not end the run");
	self->pid = -1;
	EXPECT_LE(900, wq_now_ms() - t0);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	out = read_out(self->out);
	ASSERT_NE(NULL, out);
	EXPECT_EQ(-1, check_seqs(out, 1));
	ASSERT_EQ(0, summary(out, &records, &wakeups, &lost));
	EXPECT_EQ(1, records);
	EXPECT_EQ(1, wakeups);
	free(out);
}

/* How many times @want occurs in the sample's output so far; -1 on error. */
static int count_out(int out, const char *want)
{
	char *buf = read_out(out);
	const char *s;
	int n = 0;

	if (!buf)
		return -1;
	for (s = buf; (s = strstr(s, want)); s++)
		n++;
	free(buf);
	return n;
}

/*
 * A kernel source: the sample opens its own queue and watches a key (-k).
 * Each update is made only once the one before has been printed, and must
 * be printed without another to prod it.  (It may be read in the wake-up
 * of the one before: the sample prints, then releases and re-checks.)
 */
TEST_F(uring, key_updates)
{
	unsigned long long records, wakeups, lost;
	char id[16], want[64], *out;
	const char *args[3] = { "-k", id, NULL };
	int i, n, status;
	long long end;
	int32_t key;

	key = wq_add_key("user", "uring_test", "x", 1, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	snprintf(id, sizeof(id), "%d", key);
	snprintf(want, sizeof(want), "type %u subtype %u id 1 len %zu key %d\n",
		 WATCH_TYPE_KEY_NOTIFY, NOTIFY_KEY_UPDATED,
		 sizeof(struct key_notification), key);
	self->pid = start_sample(self->q.fd, self->out, args);
	ASSERT_LT(0, self->pid);

	/* Its watch is set once it says it is ready. */
	end = wq_now_ms() + CATCH_UP_MS;
	while (count_out(self->out, "uring_watch: ready\n") < 1 &&
	       wq_now_ms() < end)
		usleep(1000);
	ASSERT_EQ(1, count_out(self->out, "uring_watch: ready\n"));

	for (i = 1; i <= 30; i++) {
		ASSERT_EQ(0, wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)"y", 1, 0));
		end = wq_now_ms() + CATCH_UP_MS;
		while ((n = count_out(self->out, want)) < i &&
		       wq_now_ms() < end)
			usleep(500);
		ASSERT_EQ(i, n)
			TH_LOG("update %d: not printed within %d ms", i, CATCH_UP_MS);
	}

	ASSERT_EQ(0, kill(self->pid, SIGINT));
	status = wait_exit(self->pid, EXIT_MS);
	ASSERT_NE(-1, status);
	self->pid = -1;
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	out = read_out(self->out);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, summary(out, &records, &wakeups, &lost));
	EXPECT_EQ(30, records);
	EXPECT_LE(1, wakeups);
	EXPECT_GE(30, wakeups);
	EXPECT_EQ(0, lost);
	wq_keyctl(KEYCTL_UNLINK, key, KEY_SPEC_SESSION_KEYRING, 0, 0);
	free(out);
}

TEST_HARNESS_MAIN
