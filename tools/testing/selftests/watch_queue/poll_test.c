// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/watch_queue waiting: poll() and epoll readiness, sleepers woken by
 * injected records and by a kernel source (keyrings), and batched wake-ups
 * that must never leave a consumer asleep with records to read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <linux/types.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define READABLE	(POLLIN | POLLRDNORM)

/* poll() @fd once with @timeout_ms; return its revents, or -1. */
static int poll_revents(int fd, int timeout_ms)
{
	struct pollfd p = {
		.fd = fd,
		.events = POLLIN | POLLRDNORM | POLLPRI | POLLOUT | POLLWRNORM,
	};
	int ret = poll(&p, 1, timeout_ms);

	if (ret < 0)
		return -1;
	return ret ? p.revents : 0;
}

/* epoll_wait() once; return the events of the one fd, or -1. */
static int epoll_events(int epfd, int timeout_ms)
{
	struct epoll_event ev = { 0 };
	int ret = epoll_wait(epfd, &ev, 1, timeout_ms);

	if (ret < 0)
		return -1;
	return ret ? (int)ev.events : 0;
}

static int epoll_for(int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (epfd < 0)
		return -1;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(epfd);
		return -1;
	}
	return epfd;
}

static pid_t gettid_raw(void)
{
	return syscall(SYS_gettid);
}

/* The scheduler state of thread @tid of this process, or 0. */
static char task_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Wait until thread @tid, which is about to call poll() or epoll_wait(),
 * sleeps in it, or until *@finished (if not NULL) says it returned.
 * Return 0, or -1 if neither happened within the bounded wait.
 */
static int wait_asleep(pid_t tid, const int *finished)
{
	int i;

	for (i = 0; i < WAIT_MS; i++) {
		if (finished && __atomic_load_n(finished, __ATOMIC_ACQUIRE))
			return 0;
		if (task_state(tid) == 'S')
			return 0;
		usleep(1000);
	}
	return -1;
}

/* A thread that waits once in poll() or epoll_wait(). */
struct waiter {
	pthread_t thread;
	int fd;			/* The queue, or an epoll fd */
	int use_epoll;
	pid_t tid;
	int started;
	int finished;
	int ret;		/* revents or epoll events, or -1 */
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->tid = gettid_raw();
	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	if (w->use_epoll)
		w->ret = epoll_events(w->fd, WAIT_MS);
	else
		w->ret = poll_revents(w->fd, WAIT_MS);
	__atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Start a waiter and return once it sleeps or has returned already:
 * 1 if it sleeps, 0 if it returned, -1 on error.
 */
static int waiter_start(struct waiter *w, int fd, int use_epoll)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->use_epoll = use_epoll;
	if (pthread_create(&w->thread, NULL, waiter_fn, w))
		return -1;
	while (!__atomic_load_n(&w->started, __ATOMIC_ACQUIRE))
		sched_yield();
	if (wait_asleep(w->tid, &w->finished))
		return -1;
	return !__atomic_load_n(&w->finished, __ATOMIC_ACQUIRE);
}

static int waiter_join(struct waiter *w)
{
	pthread_join(w->thread, NULL);
	return w->ret;
}

FIXTURE(queue) {
	struct watchq q;
};

FIXTURE_SETUP(queue)
{
	ASSERT_EQ(0, watchq_open(&self->q, WQ_PAGE_SIZE));
}

FIXTURE_TEARDOWN(queue)
{
	watchq_close(&self->q);
}

/* Consume every record now in the ring and release them. */
static unsigned int drain(struct watchq *q)
{
	unsigned int nr = 0;

	while (watchq_next(q))
		nr++;
	watchq_release(q);
	return nr;
}

/* A queue without a size is never readable; what is written is lost. */
TEST(unsized_queue_not_readable)
{
	int fd = wq_open_dev(), epfd;

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, poll_revents(fd, 0));
	ASSERT_EQ(16, wq_inject(fd, 1, 16, 1));
	EXPECT_EQ(0, poll_revents(fd, 0));
	epfd = epoll_for(fd, EPOLLIN);
	ASSERT_LE(0, epfd);
	EXPECT_EQ(0, epoll_events(epfd, 0));
	close(epfd);
	close(fd);
}

/*
 * poll() with no timeout: readable exactly while the header's tail is not
 * the head, whatever the consumer has read but not released.
 */
TEST_F(queue, poll_readiness)
{
	int fd = self->q.fd;
	unsigned int i;

	EXPECT_EQ(0, poll_revents(fd, 0));
	ASSERT_EQ(16, wq_inject(fd, 1, 16, 1));
	EXPECT_EQ(READABLE, poll_revents(fd, 0));
	EXPECT_EQ(READABLE, poll_revents(fd, 0));

	/* Read but not released: still readable. */
	ASSERT_NE(NULL, watchq_next(&self->q));
	EXPECT_EQ(NULL, watchq_next(&self->q));
	EXPECT_EQ(READABLE, poll_revents(fd, 0));
	watchq_release(&self->q);
	EXPECT_EQ(0, poll_revents(fd, 0));

	/* Partly released. */
	ASSERT_EQ(16, wq_inject(fd, 1, 16, 2));
	ASSERT_EQ(32, wq_inject(fd, 1, 32, 3));
	ASSERT_NE(NULL, watchq_next(&self->q));
	watchq_release(&self->q);
	EXPECT_EQ(READABLE, poll_revents(fd, 0));
	ASSERT_NE(NULL, watchq_next(&self->q));
	watchq_release(&self->q);
	EXPECT_EQ(0, poll_revents(fd, 0));

	/* A full ring, records lost, then drained: not readable. */
	for (i = 0; i < 70; i++)
		ASSERT_EQ(64, wq_inject(fd, 1, 64, i));
	EXPECT_LT(0, watchq_lost(&self->q));
	EXPECT_EQ(READABLE, poll_revents(fd, 0));
	EXPECT_LT(0, drain(&self->q));
	EXPECT_EQ(0, poll_revents(fd, 0));
	/* The loss record and its record make it readable again. */
	ASSERT_EQ(16, wq_inject(fd, 1, 16, 100));
	EXPECT_EQ(READABLE, poll_revents(fd, 0));
	EXPECT_EQ(2, drain(&self->q));
	EXPECT_EQ(0, poll_revents(fd, 0));
}

/*
 * A thread asleep in poll() or epoll_wait() is woken by a record injected
 * from another thread: into a new ring, into one the consumer emptied
 * after it wrapped, and after losses (the loss record comes first).
 */
static void wake_sleeper(struct __test_metadata *_metadata, struct watchq *q,
			 int use_epoll)
{
	struct waiter w;
	unsigned int round, i;
	int epfd = -1, fd = q->fd;

	if (use_epoll) {
		epfd = epoll_for(q->fd, EPOLLIN | EPOLLRDNORM);
		ASSERT_LE(0, epfd);
		fd = epfd;
	}
	for (round = 0; round < 3; round++) {
		if (round == 1) {
			/* Wrap a few times; consume everything. */
			for (i = 0; i < 200; i++) {
				ASSERT_EQ(40, wq_inject(q->fd, 2, 40, i));
				drain(q);
			}
		} else if (round == 2) {
			/* Overrun; consume everything. */
			for (i = 0; i < 100; i++)
				ASSERT_EQ(64, wq_inject(q->fd, 2, 64, i));
			ASSERT_LT(0, watchq_lost(q));
			drain(q);
		}
		EXPECT_EQ(0, poll_revents(q->fd, 0));
		ASSERT_EQ(1, waiter_start(&w, fd, use_epoll))
			TH_LOG("the waiter did not go to sleep");
		ASSERT_EQ(24, wq_inject(q->fd, 3, 24, 1000 + round));
		EXPECT_EQ(READABLE, waiter_join(&w))
			TH_LOG("round %u: waiter not woken", round);
		EXPECT_EQ(round == 2 ? 2 : 1, drain(q));
	}
	if (epfd >= 0)
		close(epfd);
}

TEST_F_TIMEOUT(queue, poll_wakes_sleeper, 120)
{
	wake_sleeper(_metadata, &self->q, 0);
}

TEST_F_TIMEOUT(queue, epoll_wakes_sleeper, 120)
{
	wake_sleeper(_metadata, &self->q, 1);
}

/* Level-triggered epoll reports the queue for as long as it is readable. */
TEST_F(queue, epoll_level_triggered)
{
	int epfd = epoll_for(self->q.fd, EPOLLIN | EPOLLRDNORM);

	ASSERT_LE(0, epfd);
	EXPECT_EQ(0, epoll_events(epfd, 0));
	ASSERT_EQ(16, wq_inject(self->q.fd, 1, 16, 1));
	EXPECT_EQ(READABLE, epoll_events(epfd, 0));
	EXPECT_EQ(READABLE, epoll_events(epfd, 0));
	/* The consumer lags: still readable. */
	ASSERT_EQ(16, wq_inject(self->q.fd, 1, 16, 2));
	ASSERT_NE(NULL, watchq_next(&self->q));
	watchq_release(&self->q);
	EXPECT_EQ(READABLE, epoll_events(epfd, 0));
	EXPECT_EQ(1, drain(&self->q));
	EXPECT_EQ(0, epoll_events(epfd, 0));
	EXPECT_EQ(0, epoll_events(epfd, 0));
	ASSERT_EQ(16, wq_inject(self->q.fd, 1, 16, 3));
	EXPECT_EQ(READABLE, epoll_events(epfd, 0));
	close(epfd);
}

/*
 * Edge-triggered epoll reports each wake-up once; a record posted into a
 * ring the consumer emptied is a new edge, with the waiter asleep or not.
 */
TEST_F_TIMEOUT(queue, epoll_edge_triggered, 120)
{
	int epfd = epoll_for(self->q.fd, EPOLLIN | EPOLLET);
	struct waiter w;
	unsigned int i;

	ASSERT_LE(0, epfd);
	EXPECT_EQ(0, epoll_events(epfd, 0));
	ASSERT_EQ(16, wq_inject(self->q.fd, 1, 16, 1));
	EXPECT_EQ(EPOLLIN, epoll_events(epfd, 0) & EPOLLIN);
	/* Reported once. */
	EXPECT_EQ(0, epoll_events(epfd, 0));
	EXPECT_EQ(1, drain(&self->q));
	EXPECT_EQ(0, epoll_events(epfd, 0));

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(16, wq_inject(self->q.fd, 1, 16, 10 + i));
		EXPECT_EQ(EPOLLIN, epoll_events(epfd, 0) & EPOLLIN)
			TH_LOG("round %u", i);
		EXPECT_EQ(0, epoll_events(epfd, 0));
		EXPECT_EQ(1, drain(&self->q));
	}

	ASSERT_EQ(1, waiter_start(&w, epfd, 1))
		TH_LOG("the waiter did not go to sleep");
	ASSERT_EQ(16, wq_inject(self->q.fd, 1, 16, 20));
	EXPECT_EQ(EPOLLIN, waiter_join(&w) & EPOLLIN);
	EXPECT_EQ(0, epoll_events(epfd, 0));
	EXPECT_EQ(1, drain(&self->q));
	close(epfd);
}

/*
 * A record posted after the consumer last loaded the head but before it
 * released its tail, as another producer may do at any moment: the
 * consumer then stores its tail and sleeps, as the documentation asks, and
 * must not be left asleep with records to read, least of all while more
 * records arrive.  poll() and level-triggered epoll look at the ring when
 * they are called; edge-triggered epoll needs a wake-up.
 */
static void late_release(struct __test_metadata *_metadata, struct watchq *q,
			 unsigned int epoll_flags)
{
	const struct watch_notification *n;
	int epfd = -1, fd = q->fd, ret;
	struct waiter w;

	if (epoll_flags) {
		epfd = epoll_for(q->fd, epoll_flags);
		ASSERT_LE(0, epfd);
		fd = epfd;
	}
	ASSERT_EQ(16, wq_inject(q->fd, 1, 16, 1));
	if (epfd >= 0)
		ASSERT_EQ(READABLE, epoll_events(epfd, 0));
	n = watchq_next(q);
	ASSERT_NE(NULL, n);
	ASSERT_EQ(1, wq_record_seq(n));
	ASSERT_EQ(NULL, watchq_next(q));

	/* The race, made deterministic. */
	ASSERT_EQ(16, wq_inject(q->fd, 1, 16, 2));
	watchq_release(q);

	ret = waiter_start(&w, fd, epfd >= 0);
	ASSERT_LE(0, ret);
	/* And one more record while it waits, if it does. */
	ASSERT_EQ(16, wq_inject(q->fd, 1, 16, 3));
	EXPECT_EQ(READABLE, waiter_join(&w))
		TH_LOG("left asleep with records to read");
	EXPECT_EQ(2, drain(q));
	if (epfd >= 0)
		close(epfd);
}

TEST_F_TIMEOUT(queue, late_release_poll, 60)
{
	late_release(_metadata, &self->q, 0);
}

TEST_F_TIMEOUT(queue, late_release_epoll, 60)
{
	late_release(_metadata, &self->q, EPOLLIN | EPOLLRDNORM);
}

TEST_F_TIMEOUT(queue, late_release_epoll_edge, 60)
{
	late_release(_metadata, &self->q, EPOLLIN | EPOLLRDNORM | EPOLLET);
}

/*
 * A kernel source wakes a sleeper too: another thread links a key into a
 * watched keyring, then unlinks it, while the main thread sleeps in poll().
 */
struct key_kicker {
	pthread_t thread;
	pid_t sleeper;
	__s32 keyring;
	__s32 key;		/* Created in round 0 */
	int round;
	int err;
};

static void *key_kicker_fn(void *arg)
{
	struct key_kicker *k = arg;

	if (wait_asleep(k->sleeper, NULL)) {
		k->err = -1;
		return NULL;
	}
	if (k->round == 0) {
		k->key = wq_add_key("user", "poll_test", "payload", 7,
				    k->keyring);
		if (k->key < 0)
			k->err = errno;
	} else if (wq_keyctl(KEYCTL_UNLINK, k->key, k->keyring, 0, 0) < 0) {
		k->err = errno;
	}
	return NULL;
}

TEST_F_TIMEOUT(queue, keyring_wakes_sleeper, 120)
{
	static const unsigned int subtypes[] = {
		NOTIFY_KEY_LINKED, NOTIFY_KEY_UNLINKED,
	};
	const struct key_notification *kn;
	const struct watch_notification *n;
	struct key_kicker k = { .sleeper = gettid_raw() };
	int round;

	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	k.keyring = wq_add_key("keyring", "poll_test", NULL, 0,
			       KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, k.keyring);
	ASSERT_EQ(0, wq_watch_key(k.keyring, self->q.fd, 0x5a));

	for (round = 0; round < 2; round++) {
		k.round = round;
		EXPECT_EQ(0, poll_revents(self->q.fd, 0));
		ASSERT_EQ(0, pthread_create(&k.thread, NULL, key_kicker_fn, &k));
		EXPECT_EQ(READABLE, poll_revents(self->q.fd, WAIT_MS))
			TH_LOG("round %d: not woken", round);
		pthread_join(k.thread, NULL);
		ASSERT_EQ(0, k.err) TH_LOG("round %d", round);

		n = watchq_next(&self->q);
		ASSERT_NE(NULL, n);
		kn = (const void *)n;
		EXPECT_EQ(WATCH_TYPE_KEY_NOTIFY, wq_type(n));
		EXPECT_EQ(subtypes[round], wq_subtype(n));
		EXPECT_EQ(sizeof(*kn), watchq_rec_len(n));
		EXPECT_EQ(0x5a, (n->info & WATCH_INFO_ID) >>
				WATCH_INFO_ID__SHIFT);
		EXPECT_EQ(k.keyring, kn->key_id);
		EXPECT_EQ(k.key, (__s32)kn->aux);
		EXPECT_EQ(NULL, watchq_next(&self->q));
		watchq_release(&self->q);
	}
}

/*
 * Batched wake-ups never leave a consumer asleep.  A producer thread posts
 * bursts of records, sometimes one write() per record, sometimes one
 * write() for the whole burst, sometimes pausing; the consumer drains,
 * releases and sleeps.  A wait that times out with records in the ring is
 * a missed wake-up.
 */
#define BURST_RECORDS	20000
#define SENTINEL	0xff

struct producer {
	int fd;
	const struct watch_queue_ring *ring;
	int done;
	int err;
	__u32 posted;
};

static __u32 burst_len(__u32 seq)
{
	return 12 + (seq * 29) % 60;
}

static void *burst_producer(void *arg)
{
	unsigned char buf[256 * 128];
	struct producer *p = arg;
	__u32 state = 0x5eed, seq = 0, nr, i;
	__u64 lost;
	size_t off;

	while (seq < BURST_RECORDS && !p->err) {
		nr = 1 + wq_rand(&state) % (wq_rand(&state) % 8 ? 32 : 200);
		if (nr > BURST_RECORDS - seq)
			nr = BURST_RECORDS - seq;
		if (wq_rand(&state) % 2) {
			for (off = 0, i = 0; i < nr; i++, seq++)
				off += wq_make_record(buf + off, 1,
						      burst_len(seq), seq);
			if (write(p->fd, buf, off) != (ssize_t)off)
				p->err = errno ? errno : -1;
		} else {
			for (i = 0; i < nr && !p->err; i++, seq++)
				if (wq_inject(p->fd, 1, burst_len(seq), seq) !=
				    (ssize_t)wq_rec_size(burst_len(seq)))
					p->err = errno ? errno : -1;
		}
		switch (wq_rand(&state) % 4) {
		case 0:
			sched_yield();
			break;
		case 1:
			usleep(wq_rand(&state) % 500);
			break;
		}
	}
	/*
	 * The end, in a record that wakes a consumer that emptied the ring.
	 * Posted again until it is stored: the consumer may empty the ring
	 * just after one is lost, and then nothing would wake it.
	 */
	while (!p->err) {
		lost = __atomic_load_n(&p->ring->lost, __ATOMIC_RELAXED);
		if (wq_inject(p->fd, SENTINEL, 16, seq) != 16) {
			p->err = errno ? errno : -1;
			break;
		}
		seq++;
		if (__atomic_load_n(&p->ring->lost, __ATOMIC_RELAXED) == lost)
			break;
		usleep(1000);
	}
	p->posted = seq;
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

FIXTURE(burst) {
	struct watchq q;
	int epfd;
};

FIXTURE_VARIANT(burst) {
	unsigned int nr_pages;
	unsigned int epoll_flags;	/* 0: poll() */
};

FIXTURE_VARIANT_ADD(burst, poll_1) {
	.nr_pages = 1,
};

FIXTURE_VARIANT_ADD(burst, poll_4) {
	.nr_pages = 4,
};

FIXTURE_VARIANT_ADD(burst, epoll_1) {
	.nr_pages = 1,
	.epoll_flags = EPOLLIN,
};

FIXTURE_VARIANT_ADD(burst, epoll_et_1) {
	.nr_pages = 1,
	.epoll_flags = EPOLLIN | EPOLLET,
};

FIXTURE_SETUP(burst)
{
	self->epfd = -1;
	ASSERT_EQ(0, watchq_open(&self->q, variant->nr_pages * WQ_PAGE_SIZE));
	if (variant->epoll_flags) {
		self->epfd = epoll_for(self->q.fd, variant->epoll_flags);
		ASSERT_LE(0, self->epfd);
	}
}

FIXTURE_TEARDOWN(burst)
{
	if (self->epfd >= 0)
		close(self->epfd);
	watchq_close(&self->q);
}

TEST_F_TIMEOUT(burst, never_left_asleep, 120)
{
	struct producer p = { .fd = self->q.fd, .ring = self->q.ring };
	const struct watch_notification_loss *loss;
	const struct watch_notification *n;
	__u64 delivered = 0, reported = 0, pending_loss = 0, lost;
	__u32 expect = 0, seq, head, sleeps = 0, timeouts = 0;
	pthread_t thread;
	int ret, end = 0;

	ASSERT_EQ(0, pthread_create(&thread, NULL, burst_producer, &p));
	for (;;) {
		while ((n = watchq_next(&self->q))) {
			if (wq_type(n) == WATCH_TYPE_META) {
				ASSERT_EQ(WATCH_META_LOSS_NOTIFICATION,
					  wq_subtype(n));
				ASSERT_EQ(sizeof(*loss), watchq_rec_len(n));
				ASSERT_EQ(0, pending_loss)
					TH_LOG("two loss records in a row");
				loss = (const void *)n;
				ASSERT_LT(0, loss->nr_lost);
				pending_loss = loss->nr_lost;
				reported += loss->nr_lost;
				continue;
			}
			/* Records in order, gaps exactly where reported. */
			seq = wq_record_seq(n);
			ASSERT_LE(expect, seq);
			ASSERT_EQ(pending_loss, seq - expect)
				TH_LOG("record %u after %u", seq, expect - 1);
			if (wq_subtype(n) == SENTINEL) {
				ASSERT_LE(BURST_RECORDS, seq);
				end = 1;
			} else {
				ASSERT_EQ(0, wq_check_record(n, 1,
							     burst_len(seq),
							     seq));
			}
			pending_loss = 0;
			expect = seq + 1;
			delivered++;
		}
		ASSERT_EQ(0, pending_loss) TH_LOG("loss record at the end");
		watchq_release(&self->q);
		if (end || (__atomic_load_n(&p.done, __ATOMIC_ACQUIRE) &&
			    p.err))
			break;

		if (variant->epoll_flags & EPOLLET) {
			/*
			 * Edge-triggered, look again after releasing: a
			 * record may have come after the last look at the
			 * head, without a wake-up.
			 */
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			head = __atomic_load_n(&self->q.ring->head,
					       __ATOMIC_ACQUIRE);
			if (head != self->q.tail)
				continue;
		}
		sleeps++;
		if (self->epfd >= 0)
			ret = epoll_events(self->epfd, WAIT_MS);
		else
			ret = poll_revents(self->q.fd, WAIT_MS);
		ASSERT_LE(0, ret);
		if (ret)
			continue;
		head = __atomic_load_n(&self->q.ring->head, __ATOMIC_ACQUIRE);
		ASSERT_EQ(self->q.tail, head)
			TH_LOG("left asleep with %u slots to read",
			       head - self->q.tail);
		ASSERT_GT(3, ++timeouts) TH_LOG("the producer is stuck");
	}
	pthread_join(thread, NULL);
	ASSERT_EQ(0, p.err);
	ASSERT_LT(BURST_RECORDS, p.posted);
	/* The last record posted was stored, after all losses. */
	ASSERT_EQ(p.posted, expect);

	lost = watchq_lost(&self->q);
	EXPECT_EQ(p.posted, delivered + lost);
	EXPECT_EQ(lost, reported);
	TH_LOG("%llu delivered, %llu lost, %u waits",
	       (unsigned long long)delivered, (unsigned long long)lost,
	       sleeps);
}

TEST_HARNESS_MAIN
