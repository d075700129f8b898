// SPDX-License-Identifier: GPL-2.0
/*
 * uring_watch: a /dev/watch_queue consumer with an io_uring event loop.
 *
 * One ring, three multishot polls (IORING_POLL_ADD_MULTI): the queue, a
 * timerfd and a signalfd.  Each completion of the queue's poll is one
 * wake-up; the records are drained straight from the mapped ring through
 * watchq.h.  The timer reports records the kernel dropped (watchq_lost())
 * once a second and, with -t, ends the run.  SIGINT or SIGTERM ends it
 * cleanly: the summary goes to stdout and the exit status is 0.
 *
 *	uring_watch [-k KEY]... [-f FD] [-s BYTES] [-t SECONDS] [-q]
 *
 *	-k KEY		watch a key (a number, or "@s", "@u" for the session
 *			or user keyring); the default when neither -k nor -f
 *			is given is the session keyring
 *	-f FD		consume a queue opened and sized by the parent and
 *			inherited as FD (as a service manager passes one on),
 *			instead of opening one
 *	-s BYTES	size of the ring to set up (default 65536)
 *	-t SECONDS	exit after that many seconds, as on SIGINT
 *	-q		print only the summary, not every record
 *
 * Once its watches are set it prints "uring_watch: ready" (not with -q).
 * Then one line a record: its type, subtype and watch ID, then what it is about:
 * the key of a key record, the sequence number of a record injected with
 * write() (its first four bytes of payload, as the selftests number them),
 * the count of a loss record.  At the end:
 *
 *	uring_watch: records N wakeups W lost L
 *
 * where L is the kernel's count of dropped records (the header's lost).
 *
 * Built statically against liburing (Debian's liburing-dev).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <linux/keyctl.h>
#include <linux/types.h>
#include <liburing.h>

#include "watchq.h"

/* user_data of the three polls. */
enum { EV_QUEUE = 1, EV_TIMER, EV_SIGNAL };

#define MAX_KEYS	16

/**
 * struct loop - The state of the event loop
 * @ring: The io_uring.
 * @q: The queue's consumer.
 * @tfd: The timerfd, ticking once a second.
 * @sfd: The signalfd of SIGINT and SIGTERM.
 * @quiet: Print only the summary.
 * @ticks_left: Seconds until the run ends, or -1 for no limit.
 * @records: Records consumed.
 * @wakeups: Completions of the queue's poll that were handled.
 * @lost: The kernel's count of dropped records when last reported.
 * @done: A signal or the time limit ended the run.
 */
struct loop {
	struct io_uring ring;
	struct watchq q;
	int tfd, sfd;
	int quiet;
	long ticks_left;
	__u64 records, wakeups, lost;
	int done;
};

/**
 * arm - Submit a multishot poll for POLLIN on @fd
 * @l: The loop.
 * @fd: The descriptor.
 * @tag: Its EV_* user_data.
 *
 * Arming polls the file at once (vfs_poll()), after the poll is on the
 * file's wait queue: a descriptor that is already readable completes
 * straight away, so nothing that arrived before the poll was armed is
 * missed.
 *
 * Return: 0, or -errno.
 */
static int arm(struct loop *l, int fd, __u64 tag)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_multishot(sqe, fd, POLLIN);
	io_uring_sqe_set_data64(sqe, tag);
	return 0;
}

/**
 * print_record - Print one record
 * @n: The record.
 */
static void print_record(const struct watch_notification *n)
{
	size_t len = watchq_rec_len(n);
	unsigned int id = (n->info & WATCH_INFO_ID) >> WATCH_INFO_ID__SHIFT;
	__u32 u32;
	__u64 u64;

	printf("type %u subtype %u id %u len %zu", n->type, n->subtype, id, len);
	if (n->type == WATCH_TYPE_META &&
	    n->subtype == WATCH_META_LOSS_NOTIFICATION &&
	    len >= sizeof(struct watch_notification_loss)) {
		memcpy(&u64, (const char *)n +
		       offsetof(struct watch_notification_loss, nr_lost),
		       sizeof(u64));
		printf(" loss %llu", (unsigned long long)u64);
	} else if (n->type == WATCH_TYPE_KEY_NOTIFY &&
		   len >= sizeof(struct key_notification)) {
		memcpy(&u32, (const char *)n +
		       offsetof(struct key_notification, key_id), sizeof(u32));
		printf(" key %u", u32);
	} else if (n->type == WATCH_TYPE_USER_NOTIFY &&
		   len >= sizeof(*n) + sizeof(u32)) {
		memcpy(&u32, n + 1, sizeof(u32));
		printf(" seq %u", u32);
	}
	putchar('\n');
}

/**
 * drain - Consume every record there is, and leave the ring idle
 * @l: The loop.
 *
 * A multishot poll is edge-like: it completes when the kernel wakes the
 * queue's wait queue, not while records are waiting, and the queue wakes
 * its waiters once each time the consumer has moved its tail since the
 * last wake-up (watch_ring_commit()).  So the tail must be handed back
 * with watchq_release_idle(), not watchq_release(): it stores the tail,
 * then, after a full barrier, loads the head again.  A record posted
 * between the last watchq_next() and that store found the tail where the
 * last wake-up left it, so the kernel did not wake us for it; the new load
 * of the head sees it, and we read it now.  A record posted after the
 * store finds a tail the kernel has not woken us for yet, so it wakes the
 * wait queue and the poll posts a completion, which waits in the
 * completion ring until we get to it.  Either way nothing is left unread
 * while we sleep in io_uring_submit_and_wait().  (With watchq_release()
 * the first kind would sit in the ring until the next record.)  A poll
 * re-armed after the kernel ended it (no IORING_CQE_F_MORE) polls the
 * file when it is armed, so the same holds there.
 */
static void drain(struct loop *l)
{
	const struct watch_notification *n;

	do {
		errno = 0;
		while ((n = watchq_next(&l->q))) {
			l->records++;
			if (!l->quiet)
				print_record(n);
		}
		if (errno == EPROTO) {
			fprintf(stderr, "uring_watch: broken record in the ring\n");
			exit(1);
		}
		/* The lines are out before their slots are handed back. */
		if (!l->quiet)
			fflush(stdout);
	} while (!watchq_release_idle(&l->q));
}

/**
 * report_lost - Print how many records the kernel dropped since last time
 * @l: The loop.
 */
static void report_lost(struct loop *l)
{
	__u64 lost = watchq_lost(&l->q);

	if (lost != l->lost) {
		fprintf(stderr, "uring_watch: %llu records lost\n",
			(unsigned long long)(lost - l->lost));
		l->lost = lost;
	}
}

/**
 * handle - Handle one completion
 * @l: The loop.
 * @cqe: The completion.
 *
 * Return: 0, or -errno to end the run with an error.
 */
static int handle(struct loop *l, const struct io_uring_cqe *cqe)
{
	__u64 tag = io_uring_cqe_get_data64(cqe);
	struct signalfd_siginfo si;
	__u64 ticks;
	int fd;

	if (cqe->res < 0) {
		fprintf(stderr, "uring_watch: poll %llu: %s\n",
			(unsigned long long)tag, strerror(-cqe->res));
		return cqe->res;
	}
	switch (tag) {
	case EV_QUEUE:
		fd = l->q.fd;
		l->wakeups++;
		drain(l);
		break;
	case EV_TIMER:
		fd = l->tfd;
		if (read(l->tfd, &ticks, sizeof(ticks)) != sizeof(ticks))
			ticks = 0;
		report_lost(l);
		if (l->ticks_left >= 0) {
			l->ticks_left -= (long)ticks;
			if (l->ticks_left <= 0)
				l->done = 1;
		}
		break;
	case EV_SIGNAL:
		fd = l->sfd;
		if (read(l->sfd, &si, sizeof(si)) == sizeof(si))
			l->done = 1;
		break;
	default:
		return 0;
	}
	/* The kernel ended the multishot poll (a full CQ, say): arm it again. */
	if (!(cqe->flags & IORING_CQE_F_MORE))
		return arm(l, fd, tag);
	return 0;
}

/**
 * run - The event loop
 * @l: The loop, with its descriptors open.
 *
 * Return: 0 when a signal or the time limit ended it, or -errno.
 */
static int run(struct loop *l)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen;
	int ret;

	ret = io_uring_queue_init(8, &l->ring, 0);
	if (ret < 0)
		return ret;
	if (arm(l, l->q.fd, EV_QUEUE) || arm(l, l->tfd, EV_TIMER) ||
	    arm(l, l->sfd, EV_SIGNAL))
		return -EBUSY;
	while (!l->done) {
		ret = io_uring_submit_and_wait(&l->ring, 1);
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			break;
		ret = 0;
		seen = 0;
		io_uring_for_each_cqe(&l->ring, head, cqe) {
			seen++;
			ret = handle(l, cqe);
			if (ret)
				break;
		}
		io_uring_cq_advance(&l->ring, seen);
		if (ret)
			break;
	}
	io_uring_queue_exit(&l->ring);
	return ret;
}

/**
 * parse_key - A key ID from the command line
 * @s: A number, "@s" or "@u".
 *
 * Return: The key ID or special key ID, or 0 if @s is none.
 */
static __s32 parse_key(const char *s)
{
	char *end;
	long v;

	if (!strcmp(s, "@s"))
		return KEY_SPEC_SESSION_KEYRING;
	if (!strcmp(s, "@u"))
		return KEY_SPEC_USER_KEYRING;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v == 0 || v != (__s32)v)
		return 0;
	return (__s32)v;
}

/**
 * print_usage - Print the usage and exit with status 2
 * @prog: The program's name.
 */
static void print_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-k KEY]... [-f FD] [-s BYTES] [-t SECONDS] [-q]\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	struct itimerspec its = { .it_interval.tv_sec = 1, .it_value.tv_sec = 1 };
	__s32 keys[MAX_KEYS];
	unsigned long size = 65536;
	struct loop l = { .ticks_left = -1, .tfd = -1, .sfd = -1 };
	int nr_keys = 0, in_fd = -1, opt, i, ret;
	sigset_t sigs;
	char *end;

	while ((opt = getopt(argc, argv, "k:f:s:t:q")) != -1) {
		switch (opt) {
		case 'k':
			if (nr_keys == MAX_KEYS)
				print_usage(argv[0]);
			keys[nr_keys] = parse_key(optarg);
			if (!keys[nr_keys++])
				print_usage(argv[0]);
			break;
		case 'f':
			in_fd = strtol(optarg, &end, 10);
			if (*end || end == optarg || in_fd < 0)
				print_usage(argv[0]);
			break;
		case 's':
			size = strtoul(optarg, &end, 0);
			if (*end || end == optarg || !size)
				print_usage(argv[0]);
			break;
		case 't':
			l.ticks_left = strtol(optarg, &end, 10);
			if (*end || end == optarg || l.ticks_left <= 0)
				print_usage(argv[0]);
			break;
		case 'q':
			l.quiet = 1;
			break;
		default:
			print_usage(argv[0]);
		}
	}
	if (optind != argc)
		print_usage(argv[0]);
	if (!nr_keys && in_fd < 0)
		keys[nr_keys++] = KEY_SPEC_SESSION_KEYRING;

	/* Signals arrive through the signalfd only. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0) {
		perror("sigprocmask");
		return 1;
	}
	l.sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	l.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l.sfd < 0 || l.tfd < 0 || timerfd_settime(l.tfd, 0, &its, NULL) < 0) {
		perror("signalfd/timerfd");
		return 1;
	}

	ret = in_fd >= 0 ? watchq_map(&l.q, in_fd) : watchq_open(&l.q, size);
	if (ret < 0) {
		if (in_fd >= 0)
			fprintf(stderr, "uring_watch: descriptor %d: %s\n", in_fd,
				ret == -EOPNOTSUPP ? "not a /dev/watch_queue queue"
						   : strerror(-ret));
		else
			fprintf(stderr, "uring_watch: %s\n",
				ret == -EOPNOTSUPP ? "this kernel has no /dev/watch_queue"
						   : strerror(-ret));
		return 1;
	}
	l.lost = watchq_lost(&l.q);
	for (i = 0; i < nr_keys; i++) {
		if (syscall(__NR_keyctl, KEYCTL_WATCH_KEY, keys[i], l.q.fd,
			    i + 1) < 0) {
			fprintf(stderr, "uring_watch: KEYCTL_WATCH_KEY %d: %s\n",
				keys[i], strerror(errno));
			return 1;
		}
	}

	if (!l.quiet) {
		printf("uring_watch: ready\n");
		fflush(stdout);
	}
	ret = run(&l);
	if (ret < 0) {
		fprintf(stderr, "uring_watch: io_uring: %s\n", strerror(-ret));
		return 1;
	}
	printf("uring_watch: records %llu wakeups %llu lost %llu\n",
	       (unsigned long long)l.records, (unsigned long long)l.wakeups,
	       (unsigned long long)watchq_lost(&l.q));
	watchq_close(&l.q);
	return 0;
}
