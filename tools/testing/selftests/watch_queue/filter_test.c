// SPDX-License-Identifier: GPL-2.0
/*
 * IOC_WATCH_QUEUE_SET_FILTER: validation and semantics, identical on
 * /dev/watch_queue and on notification pipes, including all 256 subtypes
 * and the shape of CVE-2022-0995 (entries of unknown types).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/keyctl.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define MAX_FILTERS	16

struct filter_buf {
	struct watch_notification_filter f;
	struct watch_notification_type_filter t[MAX_FILTERS + 1];
};

static void filter_init(struct filter_buf *b, unsigned int nr)
{
	memset(b, 0, sizeof(*b));
	b->f.nr_filters = nr;
}

/* Accept every subtype of @type. */
static void filter_all_subtypes(struct watch_notification_type_filter *t,
				unsigned int type)
{
	memset(t, 0, sizeof(*t));
	t->type = type;
	memset(t->subtype_filter, 0xff, sizeof(t->subtype_filter));
}

static void subtype_set(struct watch_notification_type_filter *t,
			unsigned int subtype)
{
	t->subtype_filter[subtype / 32] |= 1U << (subtype % 32);
}

FIXTURE(queue) {
	struct wq_queue q;	/* the device or a notification pipe */
	int fd;			/* the queue's descriptor */
};

FIXTURE_VARIANT(queue) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(queue, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(queue, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(queue)
{
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	self->fd = self->q.fd;
	/* A session keyring of our own for the key-based tests. */
	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
}

FIXTURE_TEARDOWN(queue)
{
	wq_queue_close(&self->q);
}

static int set_filter(int fd, const void *f)
{
	return ioctl(fd, IOC_WATCH_QUEUE_SET_FILTER, f) < 0 ? errno : 0;
}

TEST_F(queue, rejects_malformed_filters)
{
	struct filter_buf b;

	filter_init(&b, 0);
	EXPECT_EQ(EINVAL, set_filter(self->fd, &b));

	filter_init(&b, MAX_FILTERS + 1);
	EXPECT_EQ(EINVAL, set_filter(self->fd, &b));

	filter_init(&b, 1);
	filter_all_subtypes(&b.t[0], WATCH_TYPE_KEY_NOTIFY);
	b.f.__reserved = 1;
	EXPECT_EQ(EINVAL, set_filter(self->fd, &b));

	/* Info bits outside info_mask. */
	filter_init(&b, 1);
	filter_all_subtypes(&b.t[0], WATCH_TYPE_KEY_NOTIFY);
	b.t[0].info_mask = WATCH_INFO_FLAG_0;
	b.t[0].info_filter = WATCH_INFO_FLAG_1;
	EXPECT_EQ(EINVAL, set_filter(self->fd, &b));

	/* The length is not filterable. */
	filter_init(&b, 1);
	filter_all_subtypes(&b.t[0], WATCH_TYPE_KEY_NOTIFY);
	b.t[0].info_mask = WATCH_INFO_LENGTH;
	EXPECT_EQ(EINVAL, set_filter(self->fd, &b));

	/*
	 * Nor the reserved bit 0x80, which may later mark a long record: in
	 * the mask, in the filter, with other bits, for any type.
	 */
	filter_init(&b, 1);
	filter_all_subtypes(&b.t[0], WATCH_TYPE_KEY_NOTIFY);
	b.t[0].info_mask = WATCH_INFO_RESERVED;
	EXPECT_EQ(EINVAL, set_filter(self->fd, &b));
	b.t[0].info_filter = WATCH_INFO_RESERVED;
	EXPECT_EQ(EINVAL, set_filter(self->fd, &b));
	b.t[0].info_mask = WATCH_INFO_RESERVED | WATCH_INFO_FLAG_0 |
			   WATCH_INFO_ID;
	b.t[0].info_filter = WATCH_INFO_FLAG_0;
	EXPECT_EQ(EINVAL, set_filter(self->fd, &b));
	b.t[0].type = 1000;
	EXPECT_EQ(EINVAL, set_filter(self->fd, &b));
	/* The same filter without the bit is fine. */
	b.t[0].info_mask &= ~WATCH_INFO_RESERVED;
	EXPECT_EQ(0, set_filter(self->fd, &b));

	EXPECT_EQ(EFAULT, set_filter(self->fd, (void *)8));

	/* The largest valid filter, then removal with NULL. */
	filter_init(&b, MAX_FILTERS);
	for (int i = 0; i < MAX_FILTERS; i++)
		filter_all_subtypes(&b.t[i], i % WATCH_TYPE__NR);
	EXPECT_EQ(0, set_filter(self->fd, &b));
	EXPECT_EQ(0, set_filter(self->fd, NULL));
}

/*
 * The shape of CVE-2022-0995: entries whose types are beyond the internal
 * type bitmap must be skipped by every loop alike.  With KASAN, a loop that
 * counted differently from the one that copies would be caught writing past
 * the filter.  The type values straddle every word boundary of the bitmap.
 */
TEST_F(queue, unknown_types_are_ignored)
{
	static const unsigned int types[MAX_FILTERS] = {
		WATCH_TYPE__NR, 7, 31, 32, 63, 64, 65, 127, 128, 255, 256,
		1023, 1024, 0x7fffffff, 0x80000000, 0xffffffff,
	};
	struct filter_buf b;
	int i;

	filter_init(&b, MAX_FILTERS);
	for (i = 0; i < MAX_FILTERS; i++)
		filter_all_subtypes(&b.t[i], types[i]);
	ASSERT_EQ(0, set_filter(self->fd, &b));

	/* Fifteen unknown entries and one that matters. */
	filter_all_subtypes(&b.t[MAX_FILTERS - 1], WATCH_TYPE_KEY_NOTIFY);
	ASSERT_EQ(0, set_filter(self->fd, &b));
}

/* The next record of the queue, already there; 0 if there is none. */
#define NEXT_RECORD(buf)	wq_queue_next(&self->q, buf, sizeof(buf), 0)

/*
 * Key notifications filtered by subtype: only links get through, on both
 * transports alike.
 */
TEST_F(queue, key_subtype_filter)
{
	unsigned char buf[128];
	struct key_notification *k = (void *)buf;
	struct filter_buf b;
	int32_t ring, key;

	ring = wq_add_key("keyring", "filtered", NULL, 0,
			  KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);
	filter_init(&b, 1);
	b.t[0].type = WATCH_TYPE_KEY_NOTIFY;
	subtype_set(&b.t[0], NOTIFY_KEY_LINKED);
	ASSERT_EQ(0, set_filter(self->fd, &b));
	ASSERT_EQ(0, wq_watch_key(ring, self->fd, 0x42));

	/* The session keyring keeps the key alive while it is unlinked. */
	key = wq_add_key("user", "k1", "a", 1, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, wq_keyctl(KEYCTL_LINK, key, ring, 0, 0));
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UNLINK, key, ring, 0, 0));
	ASSERT_EQ(0, wq_keyctl(KEYCTL_LINK, key, ring, 0, 0));

	/* Two links, and nothing of the unlink in between. */
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(sizeof(*k), NEXT_RECORD(buf));
		EXPECT_EQ(WATCH_TYPE_KEY_NOTIFY, wq_type(&k->watch));
		EXPECT_EQ(NOTIFY_KEY_LINKED, wq_subtype(&k->watch));
		EXPECT_EQ(0x42, (k->watch.info & WATCH_INFO_ID) >>
				WATCH_INFO_ID__SHIFT);
		EXPECT_EQ(ring, k->key_id);
		EXPECT_EQ(key, (int32_t)k->aux);
	}
	EXPECT_EQ(0, NEXT_RECORD(buf));

	/* Without a filter, the unlink gets through too. */
	ASSERT_EQ(0, set_filter(self->fd, NULL));
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UNLINK, key, ring, 0, 0));
	ASSERT_EQ(sizeof(*k), NEXT_RECORD(buf));
	EXPECT_EQ(NOTIFY_KEY_UNLINKED, wq_subtype(&k->watch));
}

FIXTURE(ring) {
	struct watchq q;
};

FIXTURE_SETUP(ring)
{
	ASSERT_EQ(0, watchq_open(&self->q, 4 * WQ_PAGE_SIZE));
}

FIXTURE_TEARDOWN(ring)
{
	watchq_close(&self->q);
}

/* Every one of the 256 subtypes is individually filterable. */
TEST_F(ring, all_256_subtypes)
{
	static const unsigned int wanted[] = { 0, 1, 31, 32, 33, 63, 64, 127,
					       128, 200, 254, 255 };
	const struct watch_notification *n;
	struct filter_buf b;
	unsigned int i, st;

	filter_init(&b, 1);
	b.t[0].type = WATCH_TYPE_USER_NOTIFY;
	for (i = 0; i < ARRAY_SIZE(wanted); i++)
		subtype_set(&b.t[0], wanted[i]);
	ASSERT_EQ(0, set_filter(self->q.fd, &b));

	for (st = 0; st < 256; st++)
		ASSERT_EQ(16, wq_inject(self->q.fd, st, 16, st));

	for (i = 0; i < ARRAY_SIZE(wanted); i++) {
		n = watchq_next(&self->q);
		ASSERT_NE(NULL, n);
		EXPECT_EQ(0, wq_check_record(n, wanted[i], 16, wanted[i]));
	}
	EXPECT_EQ(NULL, watchq_next(&self->q));
	/* Filtered records are not lost records. */
	EXPECT_EQ(0, watchq_lost(&self->q));

	/* The complement: everything but the wanted subtypes. */
	for (i = 0; i < 8; i++)
		b.t[0].subtype_filter[i] = ~b.t[0].subtype_filter[i];
	ASSERT_EQ(0, set_filter(self->q.fd, &b));
	for (st = 0; st < 256; st++)
		ASSERT_EQ(16, wq_inject(self->q.fd, st, 16, st));
	watchq_release(&self->q);
	for (st = 0, i = 0; st < 256; st++) {
		if (i < ARRAY_SIZE(wanted) && wanted[i] == st) {
			i++;
			continue;
		}
		n = watchq_next(&self->q);
		ASSERT_NE(NULL, n);
		EXPECT_EQ(0, wq_check_record(n, st, 16, st));
	}
	EXPECT_EQ(NULL, watchq_next(&self->q));
}

/* info_filter/info_mask select on the type-specific flag bits. */
TEST_F(ring, info_flags)
{
	unsigned char rec[16];
	struct watch_notification *n = (void *)rec;
	const struct watch_notification *got;
	struct filter_buf b;
	int i;

	filter_init(&b, 1);
	filter_all_subtypes(&b.t[0], WATCH_TYPE_USER_NOTIFY);
	b.t[0].info_mask = WATCH_INFO_FLAG_0 | WATCH_INFO_FLAG_3;
	b.t[0].info_filter = WATCH_INFO_FLAG_0;
	ASSERT_EQ(0, set_filter(self->q.fd, &b));

	for (i = 0; i < 4; i++) {
		wq_make_record(rec, 9, sizeof(rec), i);
		if (i & 1)
			n->info |= WATCH_INFO_FLAG_0;
		if (i & 2)
			n->info |= WATCH_INFO_FLAG_3;
		ASSERT_EQ(sizeof(rec), write(self->q.fd, rec, sizeof(rec)));
	}
	/* Only i == 1 has FLAG_0 without FLAG_3. */
	got = watchq_next(&self->q);
	ASSERT_NE(NULL, got);
	EXPECT_EQ(1, wq_record_seq(got));
	EXPECT_EQ(WATCH_INFO_FLAG_0, got->info & (WATCH_INFO_FLAG_0 |
						  WATCH_INFO_FLAG_3));
	EXPECT_EQ(NULL, watchq_next(&self->q));
}

/* A filter that matches no known type rejects everything; NULL removes it. */
TEST_F(ring, only_unknown_types_rejects_all)
{
	const struct watch_notification *n;
	struct filter_buf b;

	filter_init(&b, 2);
	filter_all_subtypes(&b.t[0], 64);
	filter_all_subtypes(&b.t[1], 1000);
	ASSERT_EQ(0, set_filter(self->q.fd, &b));
	ASSERT_EQ(16, wq_inject(self->q.fd, 1, 16, 1));
	EXPECT_EQ(NULL, watchq_next(&self->q));

	ASSERT_EQ(0, set_filter(self->q.fd, NULL));
	ASSERT_EQ(16, wq_inject(self->q.fd, 1, 16, 2));
	n = watchq_next(&self->q);
	ASSERT_NE(NULL, n);
	EXPECT_EQ(0, wq_check_record(n, 1, 16, 2));
}

TEST_HARNESS_MAIN
