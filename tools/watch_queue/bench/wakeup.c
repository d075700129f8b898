// SPDX-License-Identifier: GPL-2.0
/*
 * Case 6: wake-ups.  A producer thread on one CPU updates a watched key
 * NR_RECORDS times, each update one record, either back to back ("burst")
 * or one every PACE_US microseconds ("paced"); the consumer, on the other
 * CPU, sleeps until the ring is readable, takes everything there is, and
 * sleeps again.  It waits in poll(), in level-triggered epoll, in
 * edge-triggered epoll or in an io_uring multishot poll
 * (IORING_POLL_ADD_MULTI), the last two edge-like: re-checking the head
 * after releasing, as watchq_release_idle() says.  Two samples per run:
 * records per wake-up, and the consumer's CPU nanoseconds per record (the
 * io_uring's task work, which runs in the consumer, included).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <liburing.h>

#include "bench.h"
#include "queue.h"

#define PACE_US		50

enum wait_kind { W_POLL, W_EPOLL_LT, W_EPOLL_ET, W_URING, NR_WAITS };
static const char *const wait_names[NR_WAITS] = {
	"poll", "epoll-lt", "epoll-et", "io_uring",
};

/**
 * struct producer - What the producer thread does
 * @key: The key it updates.
 * @nr: How many times.
 * @pace_ns: Time between updates, 0 for none.
 */
struct producer {
	int32_t key;
	unsigned int nr;
	uint64_t pace_ns;
};

/**
 * produce - The producer thread
 * @arg: Its struct producer.
 *
 * Return: NULL.
 */
static void *produce(void *arg)
{
	const struct producer *p = arg;
	uint64_t next = wall_ns();
	unsigned int i;

	pin_to_cpu(1);
	for (i = 0; i < p->nr; i++) {
		if (p->pace_ns) {
			while (wall_ns() < next)
				;
			next += p->pace_ns;
		}
		if (syscall(__NR_keyctl, KEYCTL_UPDATE, p->key, "y", 1) < 0)
			die("KEYCTL_UPDATE");
	}
	return NULL;
}

/**
 * take - Take every record there is, without releasing
 * @q: The ring.
 *
 * Return: How many.
 */
static unsigned int take(struct bq *q)
{
	unsigned int nr = 0;

	while (bq_next(q))
		nr++;
	return nr;
}

/**
 * uring_arm - Submit a multishot poll for POLLIN on the queue
 * @ring: The io_uring.
 * @fd: The queue.
 */
static void uring_arm(struct io_uring *ring, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		die("io_uring_get_sqe");
	io_uring_prep_poll_multishot(sqe, fd, POLLIN);
}

/**
 * wait_uring - The io_uring consumer: one multishot poll on the queue
 * @q: The ring.
 * @want: Records to take.
 * @wakeups: Set to the number of wake-ups.
 *
 * A wake-up is one return from io_uring_submit_and_wait() with at least one
 * completion of the poll, as one return of epoll_wait() is for epoll.  The
 * poll is armed again only if the kernel ended it (no IORING_CQE_F_MORE).
 *
 * Return: 0.
 */
static int wait_uring(struct bq *q, unsigned int want, unsigned int *wakeups)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned int got = 0, head, seen;
	bool rearm;
	int ret;

	*wakeups = 0;
	ret = io_uring_queue_init(8, &ring, 0);
	if (ret < 0) {
		errno = -ret;
		die("io_uring_queue_init");
	}
	uring_arm(&ring, q->fd);
	while (got < want) {
		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			errno = -ret;
			die("io_uring_submit_and_wait");
		}
		seen = 0;
		rearm = false;
		io_uring_for_each_cqe(&ring, head, cqe) {
			if (cqe->res < 0) {
				errno = -cqe->res;
				die("multishot poll");
			}
			if (!(cqe->flags & IORING_CQE_F_MORE))
				rearm = true;
			seen++;
		}
		io_uring_cq_advance(&ring, seen);
		if (!seen)
			continue;
		(*wakeups)++;
		got += take(q);
		while (!bq_release_idle(q))
			got += take(q);
		if (rearm)
			uring_arm(&ring, q->fd);
	}
	io_uring_queue_exit(&ring);
	return 0;
}

/**
 * consume - Consume @want records, waiting as @kind says
 * @q: The ring.
 * @kind: How to wait.
 * @want: Records to take.
 * @wakeups: Set to the number of wake-ups.
 *
 * Return: 0, or -errno.
 */
static int consume(struct bq *q, enum wait_kind kind, unsigned int want,
		   unsigned int *wakeups)
{
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int got = 0;
	int ep = -1;

	if (kind == W_URING)
		return wait_uring(q, want, wakeups);
	*wakeups = 0;
	if (kind != W_POLL) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (kind == W_EPOLL_ET)
			ev.events |= EPOLLET;
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, q->fd, &ev) < 0)
			die("epoll");
	}
	while (got < want) {
		if (kind == W_POLL) {
			if (bq_poll(q, -1) < 0)	/* releases first */
				die("poll");
		} else if (epoll_wait(ep, &ev, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		(*wakeups)++;
		got += take(q);
		if (kind == W_EPOLL_ET) {
			while (!bq_release_idle(q))
				got += take(q);
		} else if (kind == W_EPOLL_LT) {
			bq_release(q);
		}
	}
	bq_release(q);
	if (ep >= 0)
		close(ep);
	return 0;
}

/**
 * case_wakeup - Case 6
 */
void case_wakeup(void)
{
	static const uint64_t paces[] = { 0, PACE_US * 1000 };
	unsigned int reps = reps_or(5), r, p, k, wakeups;
	struct producer prod;
	pthread_t thread;
	uint64_t t0, t1;
	struct bq q;
	char x[16], m[48];

	if (opts.zero)
		return;
	pin_to_cpu(0);
	prod.key = syscall(__NR_add_key, "user", "wqb6", "x", 1,
			   KEY_SPEC_PROCESS_KEYRING);
	if (prod.key < 0)
		die("add_key");
	prod.nr = opts.smoke ? 50 : 2000;
	if (bq_open_ring(&q, 262144) < 0 || bq_watch_key(&q, prod.key, 1) < 0)
		die("the ring");
	for (p = 0; p < 2; p++) {
		prod.pace_ns = paces[p];
		snprintf(x, sizeof(x), p ? "paced%dus" : "burst", PACE_US);
		for (r = 0; r < reps; r++) {
			for (k = 0; k < NR_WAITS; k++) {
				enum wait_kind kind = (k + r) % NR_WAITS;

				bq_drain(&q);
				if (pthread_create(&thread, NULL, produce, &prod))
					die("pthread_create");
				t0 = cpu_ns();
				if (consume(&q, kind, prod.nr, &wakeups) < 0)
					die("consume");
				t1 = cpu_ns();
				pthread_join(thread, NULL);
				snprintf(m, sizeof(m), "%s/records-per-wakeup",
					 wait_names[kind]);
				sample(6, x, m, r, (double)prod.nr / wakeups);
				snprintf(m, sizeof(m), "%s/ns-per-record",
					 wait_names[kind]);
				sample(6, x, m, r, (double)(t1 - t0) / prod.nr);
			}
		}
	}
	if (bq_lost(&q))
		die("the ring lost records");
	bq_close(&q);
	syscall(__NR_keyctl, KEYCTL_UNLINK, prod.key, KEY_SPEC_PROCESS_KEYRING);
	unpin();
}
