// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/watch_queue under concurrency: producer threads inject records into
 * one ring while the consumer drains it, with and without a kernel source
 * (key updates) posting into the same ring.  Nothing may be lost silently:
 * delivered + lost == posted exactly, the loss records add up to the
 * header's count, each producer's records arrive in order and intact.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/keyctl.h>
#include <linux/types.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define NR_PRODUCERS	4
#define PER_PRODUCER	5000
#define NR_UPDATES	1500
#define SENTINEL	0xfe	/* Subtype of the last thread's wake-up */
#define FLUSH		0xff	/* Subtype of the consumer's last record */
#define KEY_WATCH_ID	0x77

/* Record @seq of producer @id (1 to NR_PRODUCERS) is this long. */
static __u32 rec_len(unsigned int id, __u32 seq)
{
	return 12 + (seq * 37 + id * 11) % (128 - 12);
}

struct stress;

struct thread_ctx {
	struct stress *st;
	pthread_t thread;
	unsigned int id;
	__u64 posted;		/* Records it made the kernel post */
	int err;
};

struct stress {
	int fd;
	const struct watch_queue_ring *ring;
	__s32 key;
	int nr_threads;
	int finished;		/* Threads done posting */
	int sentinel_done;	/* The last one posted the sentinel */
	__u64 sentinel_posted;
	struct thread_ctx t[NR_PRODUCERS + 1];
};

/*
 * The last thread to finish posts a record to wake a consumer that emptied
 * the ring, again until it is stored: the consumer may empty the ring just
 * after one is lost, and then nothing would wake it.
 */
static void thread_finish(struct thread_ctx *c)
{
	struct stress *st = c->st;
	__u64 lost;

	if (__atomic_add_fetch(&st->finished, 1, __ATOMIC_ACQ_REL) !=
	    st->nr_threads)
		return;
	for (;;) {
		lost = __atomic_load_n(&st->ring->lost, __ATOMIC_RELAXED);
		if (wq_inject(st->fd, SENTINEL, 16, 0) != 16) {
			c->err = errno ? errno : -1;
			break;
		}
		st->sentinel_posted++;
		if (__atomic_load_n(&st->ring->lost, __ATOMIC_RELAXED) == lost)
			break;
		usleep(1000);
	}
	__atomic_store_n(&st->sentinel_done, 1, __ATOMIC_RELEASE);
}

/*
 * Inject PER_PRODUCER records numbered from 0, one to four per write(),
 * sometimes yielding.
 */
static void *producer_fn(void *arg)
{
	struct thread_ctx *c = arg;
	unsigned char buf[4 * 128];
	__u32 state = 0x9e3779b9 * c->id, seq = 0, nr, i;
	size_t off;

	while (seq < PER_PRODUCER && !c->err) {
		nr = 1 + wq_rand(&state) % 4;
		if (nr > PER_PRODUCER - seq)
			nr = PER_PRODUCER - seq;
		for (off = 0, i = 0; i < nr; i++)
			off += wq_make_record(buf + off, c->id,
					      rec_len(c->id, seq + i), seq + i);
		if (write(c->st->fd, buf, off) != (ssize_t)off) {
			c->err = errno ? errno : -1;
			break;
		}
		seq += nr;
		if (wq_rand(&state) % 16 == 0)
			sched_yield();
	}
	c->posted = seq;
	thread_finish(c);
	return NULL;
}

/* Update the watched key: each successful update posts one record. */
static void *updater_fn(void *arg)
{
	struct thread_ctx *c = arg;
	char payload[16];
	unsigned int i;

	for (i = 0; i < NR_UPDATES; i++) {
		memset(payload, 'a' + i % 26, sizeof(payload));
		if (wq_keyctl(KEYCTL_UPDATE, c->st->key, (unsigned long)payload,
			      1 + i % sizeof(payload), 0) < 0) {
			c->err = errno;
			break;
		}
		c->posted++;
	}
	thread_finish(c);
	return NULL;
}

FIXTURE(stress) {
	struct watchq q;
	struct stress st;
};

FIXTURE_VARIANT(stress) {
	unsigned int nr_pages;
};

FIXTURE_VARIANT_ADD(stress, one_page) {
	.nr_pages = 1,
};

FIXTURE_VARIANT_ADD(stress, sixty_four_pages) {
	.nr_pages = 64,
};

FIXTURE_SETUP(stress)
{
	ASSERT_EQ(0, watchq_open(&self->q, variant->nr_pages * WQ_PAGE_SIZE));
	self->st.fd = self->q.fd;
	self->st.ring = self->q.ring;
}

FIXTURE_TEARDOWN(stress)
{
	watchq_close(&self->q);
}

struct tally {
	__s64 last[NR_PRODUCERS + 1];	/* Last sequence seen per producer */
	__u64 user;			/* Injected records delivered */
	__u64 key;			/* Key records delivered */
	__u64 reported;			/* Sum of nr_lost of loss records */
	__u64 loss_records;
	int after_loss;			/* The last record was a loss record */
	int sentinel;
	int flush;
};

/* The types whose records may be lost: key records only with a key. */
#define LOST_TYPES(key)							\
	(WATCH_LOST_TYPE(WATCH_TYPE_USER_NOTIFY) |			\
	 ((key) >= 0 ? WATCH_LOST_TYPE(WATCH_TYPE_KEY_NOTIFY) : 0))

/* Check one record from the ring and count it. */
static void check_record(struct __test_metadata *_metadata, struct tally *t,
			 const struct watch_notification *n, __s32 key)
{
	const struct watch_notification_loss *loss = (const void *)n;
	const struct key_notification *kn = (const void *)n;
	unsigned int id;
	__u32 seq;

	switch (wq_type(n)) {
	case WATCH_TYPE_META:
		ASSERT_EQ(WATCH_META_LOSS_NOTIFICATION, wq_subtype(n));
		ASSERT_EQ(sizeof(*loss), watchq_rec_len(n));
		ASSERT_EQ(0, t->after_loss) TH_LOG("two loss records in a row");
		ASSERT_LT(0, loss->nr_lost);
		/* Only the types posted here can have been lost. */
		ASSERT_NE(0, loss->lost_types & LOST_TYPES(key));
		ASSERT_EQ(0, loss->lost_types & ~LOST_TYPES(key))
			TH_LOG("lost types %#llx",
			       (unsigned long long)loss->lost_types);
		t->reported += loss->nr_lost;
		t->loss_records++;
		t->after_loss = 1;
		return;
	case WATCH_TYPE_KEY_NOTIFY:
		ASSERT_LE(0, key) TH_LOG("key record without a key watch");
		ASSERT_EQ(NOTIFY_KEY_UPDATED, wq_subtype(n));
		ASSERT_EQ(sizeof(*kn), watchq_rec_len(n));
		ASSERT_EQ(KEY_WATCH_ID, (n->info & WATCH_INFO_ID) >>
					WATCH_INFO_ID__SHIFT);
		ASSERT_EQ(key, kn->key_id);
		ASSERT_EQ(0, kn->aux);
		t->key++;
		break;
	case WATCH_TYPE_USER_NOTIFY:
		id = wq_subtype(n);
		if (id == SENTINEL || id == FLUSH) {
			ASSERT_EQ(0, wq_check_record(n, id, 16, 0));
			if (id == SENTINEL)
				t->sentinel++;
			else
				t->flush++;
			break;
		}
		ASSERT_LE(1, id);
		ASSERT_GE(NR_PRODUCERS, id);
		seq = wq_record_seq(n);
		ASSERT_LT(t->last[id], (__s64)seq)
			TH_LOG("producer %u: record %u after %lld", id, seq,
			       (long long)t->last[id]);
		ASSERT_GT(PER_PRODUCER, seq);
		ASSERT_EQ(0, wq_check_record(n, id, rec_len(id, seq), seq))
			TH_LOG("producer %u record %u", id, seq);
		t->last[id] = seq;
		t->user++;
		break;
	default:
		ASSERT_TRUE(0) TH_LOG("record of type %u", wq_type(n));
	}
	t->after_loss = 0;
}

/* Consume every record there is now; release them. */
static void drain(struct __test_metadata *_metadata, struct watchq *q,
		  struct tally *t, __s32 key)
{
	const struct watch_notification *n;

	while ((n = watchq_next(q)))
		check_record(_metadata, t, n, key);
	ASSERT_NE(EPROTO, errno) TH_LOG("a broken ring");
	watchq_release(q);
}

/* Records posted by all threads, once they are all done. */
static __u64 total_posted(const struct stress *st)
{
	__u64 posted = st->sentinel_posted;
	int i;

	for (i = 0; i < st->nr_threads; i++)
		posted += st->t[i].posted;
	return posted;
}

static void run(struct __test_metadata *_metadata, struct watchq *q,
		struct stress *st, int with_keys)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	__u64 posted = 0, lost, delivered;
	struct tally t;
	unsigned int i, timeouts = 0;
	int ret;

	memset(&t, 0, sizeof(t));
	for (i = 0; i <= NR_PRODUCERS; i++)
		t.last[i] = -1;
	st->key = -1;
	if (with_keys) {
		ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0,
				       0));
		st->key = wq_add_key("user", "stress", "x", 1,
				     KEY_SPEC_SESSION_KEYRING);
		ASSERT_LT(0, st->key);
		ASSERT_EQ(0, wq_watch_key(st->key, q->fd, KEY_WATCH_ID));
	}

	st->nr_threads = NR_PRODUCERS + !!with_keys;
	for (i = 0; i < (unsigned int)st->nr_threads; i++) {
		st->t[i].st = st;
		st->t[i].id = i + 1;
		ASSERT_EQ(0, pthread_create(&st->t[i].thread, NULL,
					    i < NR_PRODUCERS ? producer_fn :
					    updater_fn, &st->t[i]));
	}

	for (;;) {
		errno = 0;
		drain(_metadata, q, &t, st->key);
		/* Only the last sentinel is stored; it comes after all. */
		if (t.sentinel)
			break;
		if (__atomic_load_n(&st->sentinel_done, __ATOMIC_ACQUIRE)) {
			/* Nothing is posted any more. */
			posted = total_posted(st);
			if (t.user + t.key + t.sentinel + watchq_lost(q) ==
			    posted)
				break;
		}
		ret = poll(&pfd, 1, WAIT_MS);
		ASSERT_LE(0, ret);
		if (ret)
			continue;
		ASSERT_EQ(q->tail, __atomic_load_n(&q->ring->head,
						   __ATOMIC_ACQUIRE))
			TH_LOG("left asleep with records to read");
		/* All posted, and neither delivered nor counted lost? */
		ASSERT_FALSE(__atomic_load_n(&st->sentinel_done,
					     __ATOMIC_ACQUIRE))
			TH_LOG("%llu posted, %llu delivered, %llu lost",
			       (unsigned long long)total_posted(st),
			       (unsigned long long)(t.user + t.key +
						    t.sentinel),
			       (unsigned long long)watchq_lost(q));
		ASSERT_GT(3, ++timeouts) TH_LOG("no progress");
	}
	for (i = 0; i < (unsigned int)st->nr_threads; i++) {
		pthread_join(st->t[i].thread, NULL);
		EXPECT_EQ(0, st->t[i].err) TH_LOG("thread %u", i + 1);
	}
	ASSERT_EQ(1, t.sentinel);
	posted = total_posted(st);
	for (i = 0; i < NR_PRODUCERS; i++)
		EXPECT_EQ(PER_PRODUCER, st->t[i].posted);
	if (with_keys)
		EXPECT_EQ(NR_UPDATES, st->t[NR_PRODUCERS].posted);

	/*
	 * The ring is empty: one more record is stored, after a loss record
	 * for whatever was lost since the last one.
	 */
	ASSERT_EQ(16, wq_inject(q->fd, FLUSH, 16, 0));
	posted++;
	drain(_metadata, q, &t, st->key);
	ASSERT_EQ(1, t.flush);
	ASSERT_EQ(0, t.after_loss);

	lost = watchq_lost(q);
	delivered = t.user + t.key + t.sentinel + t.flush;
	EXPECT_EQ(posted, delivered + lost);
	EXPECT_EQ(lost, t.reported);
	EXPECT_GE(NR_PRODUCERS * PER_PRODUCER, t.user);
	if (with_keys)
		EXPECT_GE(NR_UPDATES, t.key);
	TH_LOG("posted %llu: %llu injected and %llu key records delivered, %llu lost in %llu gaps",
	       (unsigned long long)posted, (unsigned long long)t.user,
	       (unsigned long long)t.key, (unsigned long long)lost,
	       (unsigned long long)t.loss_records);
}

TEST_F_TIMEOUT(stress, producers, 120)
{
	run(_metadata, &self->q, &self->st, 0);
}

TEST_F_TIMEOUT(stress, producers_and_key_updates, 120)
{
	run(_metadata, &self->q, &self->st, 1);
}

TEST_HARNESS_MAIN
