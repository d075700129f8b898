// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/watch_queue records: what write() accepts and rejects, the layout
 * of records read straight from the mapping, wrapping with skip records,
 * overruns and loss records, a consumer's page that userspace scribbles
 * over, and a header that userspace cannot write at all.
 *
 * Most checks compare the ring with a model of the producer that follows
 * Documentation/userspace-api/watch_queue_dev.rst: a record takes
 * round_up(len, 8) bytes at slot (head & mask); one that would cross the
 * end of the data area is preceded by a skip record padding to the end; one
 * that does not fit in the free slots is dropped and counted; the first
 * record stored after a drop is preceded by a 24-byte loss record, which
 * names the types dropped, and the two are stored together or not at all;
 * a tail that is ahead of the head or more than a ring behind it makes the
 * ring full.
 *
 * The data area is read-only to userspace: to see that the kernel writes
 * nothing but the records it should, a test compares the slots it did not
 * expect to change with a copy taken before, after filling the ring with
 * records of FILL bytes for a lap (prefill()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/types.h>
#include <linux/watch_queue.h>
#include <signal.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define SLOT		WATCH_QUEUE_SLOT_SIZE
#define MAX_LEN		127
#define LOSS_LEN	((__u32)sizeof(struct watch_notification_loss))
#define FILL		0xa5	/* Pattern of bytes the kernel must not touch */
#define FILL_SUBTYPE	0xfa	/* Subtype of the records that prefill() posts */
#define FILL_LEN	64	/* Their length */
#define PAD_IN		0xee	/* Padding in write() buffers: ignored */
#define MAX_EXP		4096	/* Records the model can track: >= slots */

/* A length from 8 to 127 bytes. */
static __u32 rnd_len(__u32 *state)
{
	return 8 + wq_rand(state) % (MAX_LEN - 8 + 1);
}

static __u32 nr_slots(__u32 len)
{
	return (len + SLOT - 1) / SLOT;
}

static __u32 load_head(const struct watchq *q)
{
	return __atomic_load_n(&q->ring->head, __ATOMIC_ACQUIRE);
}

static __u64 load_lost(const struct watchq *q)
{
	return __atomic_load_n(&q->ring->lost, __ATOMIC_RELAXED);
}

static void store_tail(struct watchq *q, __u32 tail)
{
	__atomic_store_n(&q->cons->tail, tail, __ATOMIC_RELEASE);
}

/*
 * Where slot position @pos is in the data area.  The mask is the one the
 * kernel reported when the ring was set up.
 */
static const unsigned char *data_at(const struct watchq *q, __u32 pos)
{
	return q->data + (size_t)(pos & q->mask) * SLOT;
}

static const struct watch_notification *
rec_at(const struct watchq *q, __u32 pos)
{
	return (const void *)data_at(q, pos);
}

/* The subtype that record @seq is injected with. */
static unsigned int seq_subtype(__u32 seq)
{
	return seq % 251;
}

/*
 * Build record @seq of @len bytes at @buf, with garbage in its padding;
 * return the bytes it takes.
 */
static size_t make_rec(void *buf, __u32 len, __u32 seq)
{
	size_t size = wq_make_record(buf, seq_subtype(seq), len, seq);

	memset((unsigned char *)buf + len, PAD_IN, size - len);
	return size;
}

/* Inject record @seq of @len bytes; return write()'s result. */
static ssize_t inject(struct watchq *q, __u32 len, __u32 seq)
{
	unsigned char buf[128];

	return write(q->fd, buf, make_rec(buf, len, seq));
}

enum exp_kind { EXP_USER, EXP_SKIP, EXP_LOSS, EXP_FILL };

struct exp_rec {
	__u32 pos;
	__u32 len;
	enum exp_kind kind;
	__u32 seq;
	__u64 nr_lost;
	__u64 lost_types;
};

/*
 * A model of the producer and of the records it has stored and the test
 * has not consumed yet.
 */
struct model {
	__u32 size;		/* Slots in the data area */
	__u32 head;
	__u64 lost;
	__u64 unreported;
	__u64 unreported_types;	/* WATCH_LOST_TYPE() of the records dropped */
	__u64 reported;		/* Sum of nr_lost of loss records seen */
	struct exp_rec *exp;	/* Queue of MAX_EXP expected records */
	unsigned int exp_head, exp_tail;
	unsigned char *snap;	/* The data area as snapshot() saw it */
};

static int model_init(struct model *m, const struct watchq *q)
{
	memset(m, 0, sizeof(*m));
	m->size = q->mask + 1;
	if (m->size > MAX_EXP)
		return -1;
	m->exp = calloc(MAX_EXP, sizeof(*m->exp));
	m->snap = calloc(m->size, SLOT);
	return m->exp && m->snap ? 0 : -1;
}

static void model_free(struct model *m)
{
	free(m->exp);
	free(m->snap);
	m->exp = NULL;
	m->snap = NULL;
}

/* Slots a record of @slots slots takes at @pos, with padding. */
static __u32 model_cost(const struct model *m, __u32 pos, __u32 slots)
{
	__u32 room = m->size - pos % m->size;

	return slots <= room ? slots : room + slots;
}

static struct exp_rec *model_push(struct model *m, enum exp_kind kind,
				  __u32 len, __u32 seq)
{
	struct exp_rec *e = &m->exp[m->exp_head++ % MAX_EXP];

	memset(e, 0, sizeof(*e));
	e->pos = m->head;
	e->kind = kind;
	e->len = len;
	e->seq = seq;
	m->head += nr_slots(len);
	return e;
}

static struct exp_rec *model_put(struct model *m, enum exp_kind kind,
				 __u32 len, __u32 seq)
{
	__u32 room = m->size - m->head % m->size;

	if (nr_slots(len) > room)
		model_push(m, EXP_SKIP, room * SLOT, 0);
	return model_push(m, kind, len, seq);
}

/*
 * Post a record of @kind, @seq and @len bytes with the consumer's tail at
 * @tail, as the kernel should.  Return whether it is stored.
 */
static int model_post_kind(struct model *m, enum exp_kind kind, __u32 tail,
			   __u32 len, __u32 seq)
{
	__u32 used = m->head - tail;
	__u32 space = used <= m->size ? m->size - used : 0;
	__u32 need = 0;
	struct exp_rec *e;

	if (m->unreported)
		need = model_cost(m, m->head, nr_slots(LOSS_LEN));
	need += model_cost(m, m->head + need, nr_slots(len));
	if (need > space) {
		m->lost++;
		m->unreported++;
		m->unreported_types |= WATCH_LOST_TYPE(WATCH_TYPE_USER_NOTIFY);
		return 0;
	}
	if (m->unreported) {
		e = model_put(m, EXP_LOSS, LOSS_LEN, 0);
		e->nr_lost = m->unreported;
		e->lost_types = m->unreported_types;
		m->unreported = 0;
		m->unreported_types = 0;
	}
	model_put(m, kind, len, seq);
	return 1;
}

/* Post record @seq of @len bytes, as wq_make_record() builds it. */
static int model_post(struct model *m, __u32 tail, __u32 len, __u32 seq)
{
	return model_post_kind(m, EXP_USER, tail, len, seq);
}

static unsigned int model_pending(const struct model *m)
{
	return m->exp_head - m->exp_tail;
}

/* The position up to which the oldest @nr expected records go. */
static __u32 model_pos_after(const struct model *m, unsigned int nr)
{
	const struct exp_rec *e;

	if (nr == 0)
		return model_pending(m) ? m->exp[m->exp_tail % MAX_EXP].pos :
					  m->head;
	e = &m->exp[(m->exp_tail + nr - 1) % MAX_EXP];
	return e->pos + nr_slots(e->len);
}

/* Whether the bytes of @p to @p + @len are all @c. */
static int all_bytes(const void *p, size_t len, unsigned char c)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

/*
 * Check the oldest expected record against the ring, read raw, and drop
 * it from the model.
 */
static void check_one(struct __test_metadata *_metadata, struct model *m,
		      const struct watchq *q)
{
	const struct exp_rec *e = &m->exp[m->exp_tail++ % MAX_EXP];
	const struct watch_notification *n = rec_at(q, e->pos);
	const struct watch_notification_loss *loss = (const void *)n;
	const unsigned char *b = (const void *)n;
	__u32 off = e->pos % m->size;

	/* No record crosses the end of the data area. */
	ASSERT_LE(off + nr_slots(e->len), m->size);
	ASSERT_EQ(e->len, watchq_rec_len(n))
		TH_LOG("record at %u (kind %d seq %u)", e->pos, e->kind,
		       e->seq);

	switch (e->kind) {
	case EXP_SKIP:
		/* The skip record pads exactly to the end. */
		ASSERT_EQ(m->size, off + e->len / SLOT);
		ASSERT_EQ(WATCH_TYPE_META, wq_type(n))
			TH_LOG("skip record at %u", e->pos);
		ASSERT_EQ(WATCH_META_SKIP_NOTIFICATION, wq_subtype(n))
			TH_LOG("skip record at %u", e->pos);
		break;
	case EXP_LOSS:
		ASSERT_EQ(WATCH_TYPE_META, wq_type(n))
			TH_LOG("loss record at %u", e->pos);
		ASSERT_EQ(WATCH_META_LOSS_NOTIFICATION, wq_subtype(n))
			TH_LOG("loss record at %u", e->pos);
		ASSERT_EQ(e->nr_lost, loss->nr_lost)
			TH_LOG("loss record at %u", e->pos);
		ASSERT_EQ(e->lost_types, loss->lost_types)
			TH_LOG("loss record at %u", e->pos);
		m->reported += loss->nr_lost;
		break;
	case EXP_FILL:
		ASSERT_EQ(WATCH_TYPE_USER_NOTIFY, wq_type(n));
		ASSERT_EQ(FILL_SUBTYPE, wq_subtype(n));
		ASSERT_TRUE(all_bytes(b + sizeof(*n), e->len - sizeof(*n),
				      FILL));
		break;
	case EXP_USER:
		ASSERT_EQ(0, wq_check_record(n, seq_subtype(e->seq), e->len,
					     e->seq))
			TH_LOG("record %u at %u: type %u subtype %u seq %u",
			       e->seq, e->pos, wq_type(n), wq_subtype(n),
			       wq_record_seq(n));
		/* Its padding is zeroed, whatever the write() buffer had. */
		ASSERT_TRUE(all_bytes(b + e->len,
				      nr_slots(e->len) * SLOT - e->len, 0))
			TH_LOG("padding of record %u", e->seq);
		break;
	}
}

/*
 * Check and consume the oldest @nr expected records and store the tail
 * after them.
 */
static void consume(struct __test_metadata *_metadata, struct model *m,
		    struct watchq *q, unsigned int nr)
{
	__u32 tail = model_pos_after(m, nr);

	while (nr--)
		check_one(_metadata, m, q);
	store_tail(q, tail);
}

static void consume_all(struct __test_metadata *_metadata, struct model *m,
			struct watchq *q)
{
	consume(_metadata, m, q, model_pending(m));
}

/* Check that the header shows the model's head and lost. */
static void check_header(struct __test_metadata *_metadata,
			 const struct model *m, const struct watchq *q)
{
	ASSERT_EQ(m->head, load_head(q));
	ASSERT_EQ(m->lost, load_lost(q));
}

/* Remember what the data area holds now, for check_untouched(). */
static void snapshot(struct model *m, const struct watchq *q)
{
	memcpy(m->snap, q->data, (size_t)m->size * SLOT);
}

/*
 * Check that the data area holds what snapshot() saw except where the
 * pending records are.  The padding slots of a skip record may hold
 * anything.
 */
static void check_untouched(struct __test_metadata *_metadata,
			    const struct model *m, const struct watchq *q)
{
	unsigned char *covered = calloc(m->size, 1);
	const struct exp_rec *e;
	unsigned int k;
	__u32 i, s;

	ASSERT_NE(NULL, covered);
	for (k = m->exp_tail; k != m->exp_head; k++) {
		e = &m->exp[k % MAX_EXP];
		s = e->kind == EXP_SKIP ? e->len / SLOT : nr_slots(e->len);
		for (i = 0; i < s; i++)
			covered[(e->pos + i) % m->size] = 1;
	}
	for (i = 0; i < m->size; i++) {
		if (covered[i])
			continue;
		ASSERT_EQ(0, memcmp(q->data + i * SLOT, m->snap + i * SLOT,
				    SLOT))
			TH_LOG("slot %u was written", i);
	}
	free(covered);
}

/*
 * Fill a lap of the ring, from a lap boundary, with records whose payload
 * is FILL, and consume them: the data area then holds bytes that a stray
 * write of the kernel, zeroes included, would change.
 */
static void prefill(struct __test_metadata *_metadata, struct model *m,
		    struct watchq *q)
{
	unsigned char buf[FILL_LEN];
	struct watch_notification *n = (void *)buf;
	__u32 i;

	ASSERT_EQ(0, m->head % m->size);
	memset(buf, FILL, sizeof(buf));
	n->type = WATCH_TYPE_USER_NOTIFY;
	n->subtype = FILL_SUBTYPE;
	n->info = FILL_LEN;
	for (i = 0; i < m->size / nr_slots(FILL_LEN); i++) {
		ASSERT_EQ(FILL_LEN, write(q->fd, buf, FILL_LEN));
		ASSERT_TRUE(model_post_kind(m, EXP_FILL, m->head, FILL_LEN, 0));
		consume_all(_metadata, m, q);
	}
	ASSERT_EQ(0, m->head % m->size);
}

FIXTURE(ring) {
	struct watchq q;
	struct model m;
	__u32 seq;
};

FIXTURE_SETUP(ring)
{
	ASSERT_EQ(0, watchq_open(&self->q, WQ_PAGE_SIZE));
	ASSERT_EQ(0, model_init(&self->m, &self->q));
	ASSERT_EQ(WQ_PAGE_SIZE / SLOT, self->m.size);
}

FIXTURE_TEARDOWN(ring)
{
	model_free(&self->m);
	watchq_close(&self->q);
}

/*
 * Nothing was posted by a failed write(): the header is unchanged, and the
 * next record is stored at the head with no loss record before it.
 */
static void nothing_posted(struct __test_metadata *_metadata,
			   struct model *m, struct watchq *q, __u32 seq)
{
	check_header(_metadata, m, q);
	ASSERT_EQ(16, inject(q, 16, seq));
	ASSERT_TRUE(model_post(m, m->head, 16, seq));
	check_header(_metadata, m, q);
	ASSERT_EQ(1, model_pending(m));
	consume_all(_metadata, m, q);
}

/* Write @len bytes of @buf; return 0 or errno. */
static int write_err(int fd, const void *buf, size_t len)
{
	/* Not write(): the compiler would object to the bad pointers. */
	long ret = syscall(SYS_write, fd, buf, len);

	if (ret < 0)
		return errno;
	return ret == (long)len ? 0 : -1;
}

TEST_F(ring, write_rejects_other_types)
{
	static const unsigned int types[] = {
		WATCH_TYPE_META, WATCH_TYPE_KEY_NOTIFY, WATCH_TYPE_MOUNT_NOTIFY,
		WATCH_TYPE_SB_NOTIFY, WATCH_TYPE_NS_NOTIFY, WATCH_TYPE__NR,
		0x100 | WATCH_TYPE_USER_NOTIFY, 0xffffff,
	};
	unsigned char buf[3 * 128];
	struct watch_notification *bad;
	unsigned int i, at;
	size_t off;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		/* The bad record alone, first, in the middle and last. */
		for (at = 0; at < 4; at++) {
			off = 0;
			if (at >= 2)
				off += make_rec(buf + off, 24, 1000);
			bad = (void *)(buf + off);
			off += make_rec(buf + off, 16, 1001);
			bad->type = types[i];
			if (at == 1 || at == 2)
				off += make_rec(buf + off, 40, 1002);
			EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off))
				TH_LOG("type %#x, case %u", types[i], at);
			/* Skip and loss records in particular. */
			bad->subtype = WATCH_META_SKIP_NOTIFICATION;
			EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off));
			bad->subtype = WATCH_META_LOSS_NOTIFICATION;
			EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off));
		}
	}
	nothing_posted(_metadata, &self->m, &self->q, self->seq++);
}

TEST_F(ring, write_rejects_short_lengths)
{
	unsigned char buf[3 * 128];
	struct watch_notification *bad;
	unsigned int len, at;
	size_t off;

	for (len = 0; len < 8; len++) {
		for (at = 0; at < 3; at++) {
			off = 0;
			if (at >= 1)
				off += make_rec(buf + off, 32, 2000);
			bad = (void *)(buf + off);
			off += make_rec(buf + off, 8, 2001);
			bad->info = len;
			if (at == 1)
				off += make_rec(buf + off, 8, 2002);
			EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off))
				TH_LOG("length %u, case %u", len, at);
		}
	}
	nothing_posted(_metadata, &self->m, &self->q, self->seq++);
}

/* Bit 0x80 of info is reserved: no record may have it, wherever it is. */
TEST_F(ring, write_rejects_reserved_info_bit)
{
	unsigned char buf[3 * 128];
	struct watch_notification *bad;
	unsigned int at;
	size_t off;

	for (at = 0; at < 3; at++) {
		off = 0;
		if (at >= 1)
			off += make_rec(buf + off, 40, 2500);
		bad = (void *)(buf + off);
		off += make_rec(buf + off, 16, 2501);
		bad->info |= WATCH_INFO_RESERVED;
		if (at == 1)
			off += make_rec(buf + off, 24, 2502);
		EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off))
			TH_LOG("case %u", at);
		/* With the type-specific bits and the ID too. */
		bad->info |= WATCH_INFO_ID | WATCH_INFO_TYPE_INFO;
		EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off))
			TH_LOG("case %u", at);
	}
	nothing_posted(_metadata, &self->m, &self->q, self->seq++);
}

TEST_F(ring, write_rejects_cut_records)
{
	static const __u32 lens[] = { 9, 12, 15, 20, 63, 100, 127 };
	unsigned char buf[3 * 128];
	unsigned int i;
	size_t off, rec;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		/* A last record without its padding, alone or after others. */
		rec = make_rec(buf, lens[i], 3000);
		EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, lens[i]))
			TH_LOG("length %u", lens[i]);
		EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, rec - 1));
		off = make_rec(buf, 48, 3001);
		make_rec(buf + off, lens[i], 3002);
		EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off + lens[i]));
		/* Only the header of a longer record. */
		EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off + 8));
	}
	nothing_posted(_metadata, &self->m, &self->q, self->seq++);
}

TEST_F(ring, write_rejects_trailing_bytes)
{
	unsigned char buf[2 * 128];
	unsigned int extra;
	size_t off;

	for (extra = 1; extra < 8; extra++) {
		off = make_rec(buf, 16, 4000);
		off += make_rec(buf + off, 27, 4001);
		/* Zeroes, then the start of a valid header. */
		memset(buf + off, 0, extra);
		EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off + extra))
			TH_LOG("%u trailing bytes", extra);
		make_rec(buf + off, 8, 4002);
		EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, off + extra))
			TH_LOG("%u trailing bytes", extra);
		/* And nothing but the fragment. */
		EXPECT_EQ(EINVAL, write_err(self->q.fd, buf + off, extra));
	}
	nothing_posted(_metadata, &self->m, &self->q, self->seq++);
}

TEST_F(ring, write_buffer_size_limit)
{
	size_t max = self->q.info.max_size, off;
	__u32 i, nr = max / 64, tail;
	unsigned char *buf;

	buf = malloc(max + 64);
	ASSERT_NE(NULL, buf);
	for (off = 0, i = 0; off < max + 64; i++)
		off += make_rec(buf + off, 64, i);

	/* One record more than the largest ring can hold. */
	EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, max + 8));
	EXPECT_EQ(EINVAL, write_err(self->q.fd, buf, max + 64));
	nothing_posted(_metadata, &self->m, &self->q, self->seq++);

	/*
	 * Exactly the limit is accepted: the records that fit are stored,
	 * the others counted, and write() returns the whole length.
	 */
	EXPECT_EQ(0, write_err(self->q.fd, buf, max));
	tail = self->m.head;
	for (i = 0; i < nr; i++)
		model_post(&self->m, tail, 64, i);
	check_header(_metadata, &self->m, &self->q);
	/* From slot 2, 63 records of 8 slots fit before the end. */
	EXPECT_EQ(63, model_pending(&self->m));
	EXPECT_EQ(nr - 63, self->m.lost);
	consume_all(_metadata, &self->m, &self->q);
	free(buf);
}

TEST_F(ring, write_bad_pointer)
{
	size_t page = WQ_PAGE_SIZE;
	unsigned char *map, *rec;

	EXPECT_EQ(EFAULT, write_err(self->q.fd, (void *)8, 16));
	EXPECT_EQ(EFAULT, write_err(self->q.fd, (void *)(page * 3), 64));

	/* Valid records running into an inaccessible page. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	rec = map + page - 64;
	make_rec(rec, 32, 5000);
	make_rec(rec + 32, 32, 5001);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));
	EXPECT_EQ(EFAULT, write_err(self->q.fd, rec, 96));
	EXPECT_EQ(EFAULT, write_err(self->q.fd, map + page, 32));
	nothing_posted(_metadata, &self->m, &self->q, self->seq++);

	/* The part before the hole is fine on its own. */
	EXPECT_EQ(0, write_err(self->q.fd, rec, 64));
	ASSERT_TRUE(model_post(&self->m, self->m.head, 32, 5000));
	ASSERT_TRUE(model_post(&self->m, self->m.head, 32, 5001));
	check_header(_metadata, &self->m, &self->q);
	consume_all(_metadata, &self->m, &self->q);
	munmap(map, 2 * page);
}

TEST_F(ring, write_zero_length)
{
	unsigned char buf[16];

	make_rec(buf, 16, 6000);
	EXPECT_EQ(0, write(self->q.fd, buf, 0));
	EXPECT_EQ(0, write(self->q.fd, NULL, 0));
	EXPECT_EQ(0, write(self->q.fd, (void *)8, 0));
	nothing_posted(_metadata, &self->m, &self->q, self->seq++);
}

/* Records written to a queue before it has a size are lost and reported. */
TEST(write_before_sizing)
{
	const struct watch_notification_loss *loss;
	const struct watch_notification *n;
	unsigned char buf[128];
	struct watchq q;
	int fd;

	fd = wq_open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, write(fd, buf, 0));
	ASSERT_EQ(16, write(fd, buf, make_rec(buf, 16, 1)));
	ASSERT_EQ(24, write(fd, buf, make_rec(buf, 20, 2)));
	/* Invalid records are still refused, not counted. */
	ASSERT_EQ(-1, write(fd, buf, 12));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, watchq_setup(fd, WQ_PAGE_SIZE, 0,
				  &(struct watch_queue_info){}));
	ASSERT_EQ(0, watchq_map(&q, fd));
	EXPECT_EQ(2, load_lost(&q));
	EXPECT_EQ(0, load_head(&q));

	ASSERT_EQ(16, write(fd, buf, make_rec(buf, 16, 3)));
	EXPECT_EQ(nr_slots(LOSS_LEN) + 2, load_head(&q));
	n = rec_at(&q, 0);
	loss = (const void *)n;
	EXPECT_EQ(WATCH_TYPE_META, wq_type(n));
	EXPECT_EQ(WATCH_META_LOSS_NOTIFICATION, wq_subtype(n));
	EXPECT_EQ(24, watchq_rec_len(n));
	EXPECT_EQ(2, loss->nr_lost);
	EXPECT_EQ(WATCH_LOST_TYPE(WATCH_TYPE_USER_NOTIFY), loss->lost_types);
	EXPECT_EQ(0, wq_check_record(rec_at(&q, nr_slots(LOSS_LEN)),
				     seq_subtype(3), 16, 3));
	watchq_close(&q);
}

/*
 * One write() of many records of many sizes: it returns its length, and
 * the records are stored back to back, in order.
 */
TEST_F(ring, write_many_records)
{
	const struct watch_notification *n;
	unsigned char buf[40 * 128];
	size_t off = 0;
	__u32 i;

	for (i = 0; i < 40; i++)
		off += make_rec(buf + off, 8 + i * 3, 7000 + i);
	EXPECT_EQ(off, write(self->q.fd, buf, off));
	for (i = 0; i < 40; i++)
		ASSERT_TRUE(model_post(&self->m, 0, 8 + i * 3, 7000 + i));
	EXPECT_EQ(off / SLOT, self->m.head);
	check_header(_metadata, &self->m, &self->q);

	/* Through the consumer library too, before the raw check. */
	for (i = 0; i < 40; i++) {
		n = watchq_next(&self->q);
		ASSERT_NE(NULL, n);
		EXPECT_EQ(0, wq_check_record(n, seq_subtype(7000 + i),
					     8 + i * 3, 7000 + i));
	}
	EXPECT_EQ(NULL, watchq_next(&self->q));
	consume_all(_metadata, &self->m, &self->q);
}

/*
 * Every length from 8 to 127, for a few laps, into a filled data area:
 * each record is at (pos & mask) * 8 and takes round_up(len, 8) bytes with
 * zeroed padding, nothing else is written, and the head advances by its
 * slots (and by the padding of a skip record before it).
 */
TEST_F(ring, record_layout)
{
	struct model *m = &self->m;
	__u32 len, lap, pos, room;

	prefill(_metadata, m, &self->q);
	for (lap = 0; lap < 3; lap++) {
		for (len = 8; len <= MAX_LEN; len++) {
			pos = m->head;
			room = m->size - pos % m->size;
			snapshot(m, &self->q);
			ASSERT_EQ(nr_slots(len) * SLOT,
				  inject(&self->q, len, self->seq));
			ASSERT_TRUE(model_post(m, pos, len, self->seq++));
			/* After padding to the end if it would cross it. */
			ASSERT_EQ(pos + nr_slots(len) +
				  (nr_slots(len) > room ? room : 0), m->head);
			check_header(_metadata, m, &self->q);
			check_untouched(_metadata, m, &self->q);
			consume_all(_metadata, m, &self->q);
		}
	}
}

/* Skip records in hand-picked places. */
TEST_F(ring, skip_edge_cases)
{
	static const struct {
		__u32 at;	/* Slot where the record would start */
		__u32 len;
		__u32 skip;	/* Expected bytes of padding, or 0 */
	} edge[] = {
		{ 511, 16, 8 },		/* The smallest skip record */
		{ 511, 8, 0 },		/* The last slot, exactly */
		{ 510, 16, 0 },		/* The last two slots, exactly */
		{ 510, 17, 16 },
		{ 497, 127, 120 },	/* The largest skip record */
		{ 496, 127, 0 },
		{ 0, 127, 0 },
	};
	const struct watch_notification *n;
	struct model *m = &self->m;
	__u32 pos, i, fill, off;

	ASSERT_EQ(512, m->size);
	prefill(_metadata, m, &self->q);
	for (i = 0; i < ARRAY_SIZE(edge); i++) {
		/* Move the head there with records that need no padding. */
		pos = m->head;
		while (m->head % 512 != edge[i].at) {
			off = m->head % 512;
			fill = (off < edge[i].at ? edge[i].at : 512) - off;
			fill = fill > 15 ? 15 : fill;
			ASSERT_EQ(fill * SLOT, inject(&self->q, fill * SLOT,
						      self->seq));
			ASSERT_TRUE(model_post(m, pos, fill * SLOT,
					       self->seq++));
		}
		consume_all(_metadata, m, &self->q);
		pos = m->head;
		snapshot(m, &self->q);
		ASSERT_EQ(nr_slots(edge[i].len) * SLOT,
			  inject(&self->q, edge[i].len, self->seq));
		ASSERT_TRUE(model_post(m, pos, edge[i].len, self->seq++));
		check_header(_metadata, m, &self->q);
		check_untouched(_metadata, m, &self->q);
		n = rec_at(&self->q, pos);
		if (edge[i].skip) {
			EXPECT_EQ(WATCH_TYPE_META, wq_type(n));
			EXPECT_EQ(WATCH_META_SKIP_NOTIFICATION, wq_subtype(n));
			EXPECT_EQ(edge[i].skip, watchq_rec_len(n));
			n = rec_at(&self->q, 0);
		}
		EXPECT_EQ(WATCH_TYPE_USER_NOTIFY, wq_type(n))
			TH_LOG("case %u", i);
		EXPECT_EQ(edge[i].len, watchq_rec_len(n))
			TH_LOG("case %u", i);
		consume_all(_metadata, m, &self->q);
	}
}

FIXTURE(wrap) {
	struct watchq q;
	struct model m;
};

FIXTURE_VARIANT(wrap) {
	unsigned int nr_pages;
	unsigned int laps;
};

FIXTURE_VARIANT_ADD(wrap, one_page) {
	.nr_pages = 1,
	.laps = 30,
};

FIXTURE_VARIANT_ADD(wrap, two_pages) {
	.nr_pages = 2,
	.laps = 20,
};

FIXTURE_SETUP(wrap)
{
	ASSERT_EQ(0, watchq_open(&self->q, variant->nr_pages * WQ_PAGE_SIZE));
	ASSERT_EQ(0, model_init(&self->m, &self->q));
}

FIXTURE_TEARDOWN(wrap)
{
	model_free(&self->m);
	watchq_close(&self->q);
}

/*
 * Many laps of mixed sizes, in batches of one write() each: a skip record
 * appears exactly when the next record would cross the end and pads to the
 * end; no record crosses the end; watchq_next() never returns a skip
 * record but returns every other record, in order.
 */
TEST_F(wrap, skip_records)
{
	struct model *m = &self->m;
	const struct watch_notification *n;
	const struct exp_rec *e;
	unsigned char buf[8 * 128];
	__u32 state = 0x1234567, seq = 0, len[8], i, nr, tail;
	unsigned int skips = 0, ends = 0, k;
	size_t off;

	while (m->head < variant->laps * m->size) {
		nr = 1 + wq_rand(&state) % 8;
		tail = m->head;
		for (off = 0, i = 0; i < nr; i++) {
			len[i] = rnd_len(&state);
			off += make_rec(buf + off, len[i], seq + i);
			ASSERT_TRUE(model_post(m, tail, len[i], seq + i));
		}
		ASSERT_EQ(off, write(self->q.fd, buf, off));
		check_header(_metadata, m, &self->q);

		/* The library's view: every record but the skip records. */
		for (i = 0; i < nr; i++, seq++) {
			n = watchq_next(&self->q);
			ASSERT_NE(NULL, n);
			ASSERT_EQ(0, wq_check_record(n, seq_subtype(seq),
						     len[i], seq))
				TH_LOG("record %u: type %u subtype %u", seq,
				       wq_type(n), wq_subtype(n));
		}
		ASSERT_EQ(NULL, watchq_next(&self->q));

		/* The raw view, against the model. */
		for (k = m->exp_tail; k != m->exp_head; k++) {
			e = &m->exp[k % MAX_EXP];
			if (e->kind == EXP_SKIP)
				skips++;
			else if ((e->pos + nr_slots(e->len)) % m->size == 0)
				ends++;
		}
		consume_all(_metadata, m, &self->q);
		ASSERT_EQ(self->q.tail, m->head);
	}
	/* Every lap ended with a skip record or a record ending there. */
	EXPECT_EQ(m->head / m->size, skips + ends);
	EXPECT_LT(variant->laps / 2, skips);
	EXPECT_EQ(0, load_lost(&self->q));
}

/*
 * Fill the ring without consuming: exactly the records that don't fit are
 * counted, and what is in the ring is not touched.  The first record stored
 * after the consumer frees space is preceded by a loss record that says how
 * many went missing there.
 */
TEST_F(ring, overrun_and_loss_records)
{
	struct model *m = &self->m;
	__u32 tail;

	/* 64 records of 8 slots fill the ring. */
	for (self->seq = 0; self->seq < 64; self->seq++) {
		ASSERT_EQ(64, inject(&self->q, 64, self->seq));
		ASSERT_TRUE(model_post(m, 0, 64, self->seq));
	}
	check_header(_metadata, m, &self->q);
	EXPECT_EQ(512, load_head(&self->q));
	EXPECT_EQ(0, load_lost(&self->q));
	for (; self->seq < 74; self->seq++) {
		ASSERT_EQ(64, inject(&self->q, 64, self->seq));
		ASSERT_FALSE(model_post(m, 0, 64, self->seq));
	}
	EXPECT_EQ(512, load_head(&self->q));
	EXPECT_EQ(10, load_lost(&self->q));
	/* Even the smallest record is lost: the ring is full. */
	ASSERT_EQ(8, inject(&self->q, 8, self->seq));
	ASSERT_FALSE(model_post(m, 0, 8, self->seq++));
	EXPECT_EQ(11, load_lost(&self->q));
	check_header(_metadata, m, &self->q);

	/* The stored records are intact. */
	consume_all(_metadata, m, &self->q);
	tail = 512;
	ASSERT_EQ(64, inject(&self->q, 64, self->seq));
	ASSERT_TRUE(model_post(m, tail, 64, self->seq++));
	EXPECT_EQ(512 + nr_slots(LOSS_LEN) + 8, load_head(&self->q));
	EXPECT_EQ(11, load_lost(&self->q));
	ASSERT_EQ(2, model_pending(m));
	consume_all(_metadata, m, &self->q);
	EXPECT_EQ(11, m->reported);

	/* A second overrun is reported by a second loss record. */
	tail = m->head;
	while (model_post(m, tail, 64, self->seq))
		ASSERT_EQ(64, inject(&self->q, 64, self->seq++));
	ASSERT_EQ(64, inject(&self->q, 64, self->seq++));
	while (self->seq < 80) {
		ASSERT_EQ(64, inject(&self->q, 64, self->seq));
		ASSERT_FALSE(model_post(m, tail, 64, self->seq++));
	}
	check_header(_metadata, m, &self->q);
	ASSERT_LT(11, m->lost);
	consume_all(_metadata, m, &self->q);
	ASSERT_EQ(40, inject(&self->q, 40, self->seq));
	ASSERT_TRUE(model_post(m, m->head, 40, self->seq++));
	check_header(_metadata, m, &self->q);
	consume_all(_metadata, m, &self->q);
	/* The loss records add up to the header's count. */
	EXPECT_EQ(m->lost, m->reported);
	EXPECT_EQ(load_lost(&self->q), m->reported);
}

/*
 * The loss record and the record after it are stored together or not at
 * all: when only the loss record would fit, neither is written and one
 * more record is lost.
 */
TEST_F(ring, loss_record_needs_room_for_the_next)
{
	struct model *m = &self->m;
	__u32 i, len;

	ASSERT_EQ(3, nr_slots(LOSS_LEN));
	/*
	 * A record of 3 slots, 254 of 2 slots and one of 1 slot fill the
	 * ring; then 3 are lost.
	 */
	for (i = 0; i < 259; i++) {
		len = i == 0 ? 24 : i == 255 ? 8 : 16;
		ASSERT_EQ(len, inject(&self->q, len, i));
		model_post(m, 0, len, i);
	}
	check_header(_metadata, m, &self->q);
	ASSERT_EQ(512, m->head);
	ASSERT_EQ(3, m->lost);

	/* Free the first record: room for the loss record only. */
	consume(_metadata, m, &self->q, 1);
	ASSERT_EQ(16, inject(&self->q, 16, 259));
	ASSERT_FALSE(model_post(m, 3, 16, 259));
	ASSERT_EQ(8, inject(&self->q, 8, 260));
	ASSERT_FALSE(model_post(m, 3, 8, 260));
	check_header(_metadata, m, &self->q);
	EXPECT_EQ(5, load_lost(&self->q));
	/* Slot 0 still holds the consumed record: nothing was written. */
	EXPECT_EQ(0, wq_check_record(rec_at(&self->q, 0), seq_subtype(0), 24,
				     0));

	/* One more record freed: room for both. */
	consume(_metadata, m, &self->q, 1);
	ASSERT_EQ(16, inject(&self->q, 16, 261));
	ASSERT_TRUE(model_post(m, 5, 16, 261));
	check_header(_metadata, m, &self->q);
	EXPECT_EQ(512 + 3 + 2, load_head(&self->q));
	consume_all(_metadata, m, &self->q);
	EXPECT_EQ(5, m->reported);
}

/*
 * A random workload against the model: batches of random sizes and a
 * consumer that frees random numbers of records, so that records are lost,
 * loss records land next to the end of the data area, and padding goes
 * before a loss record or between it and its record.
 */
TEST_F(ring, overrun_random)
{
	struct model *m = &self->m;
	unsigned char buf[6 * 128];
	__u32 state = 0xdecafbad, seq = 0, tail = 0, len, i, nr, iter;
	__u64 stored = 0, before;
	size_t off;

	for (iter = 0; iter < 6000; iter++) {
		if (wq_rand(&state) % 6) {
			nr = 1 + wq_rand(&state) % 6;
			before = m->lost;
			for (off = 0, i = 0; i < nr; i++) {
				len = rnd_len(&state);
				off += make_rec(buf + off, len, seq);
				model_post(m, tail, len, seq++);
			}
			ASSERT_EQ(off, write(self->q.fd, buf, off));
			stored += nr - (m->lost - before);
			/* The header's head is written only with a record. */
			ASSERT_EQ(m->lost, load_lost(&self->q));
			if (m->lost - before < nr)
				ASSERT_EQ(m->head, load_head(&self->q));
		} else {
			nr = wq_rand(&state) % (model_pending(m) + 1);
			if (wq_rand(&state) % 8 == 0)
				nr = model_pending(m);
			tail = model_pos_after(m, nr);
			consume(_metadata, m, &self->q, nr);
		}
	}
	consume_all(_metadata, m, &self->q);
	ASSERT_EQ(8, inject(&self->q, 8, seq));
	ASSERT_TRUE(model_post(m, m->head, 8, seq++));
	stored++;
	consume_all(_metadata, m, &self->q);
	EXPECT_EQ(load_lost(&self->q), m->reported);
	EXPECT_EQ(seq, stored + load_lost(&self->q));
	/* The workload did what it is for. */
	EXPECT_LT(100, m->lost);
	EXPECT_LT(1000, stored);
}

/*
 * Writes of up to 300 records whose lengths are whole slots (16, 32 or 64
 * bytes), which the kernel may copy into the ring many at once: across its
 * batches of records, the end of the data area and a full ring, every
 * record must land, be lost and be reported exactly as if posted alone.
 */
TEST_F(ring, overrun_dense_writes)
{
	static const __u32 lens[] = { 16, 32, 64 };
	struct model *m = &self->m;
	unsigned char *buf;
	__u32 state = 0x5eed1e55, seq = 0, tail = 0, len, i, nr, iter;
	__u64 stored = 0, before;
	size_t off;

	buf = malloc(300 * 64);
	ASSERT_NE(NULL, buf);
	for (iter = 0; iter < 1500; iter++) {
		if (wq_rand(&state) % 3) {
			nr = 1 + wq_rand(&state) % 300;
			len = lens[wq_rand(&state) % 3];
			before = m->lost;
			for (off = 0, i = 0; i < nr; i++) {
				off += make_rec(buf + off, len, seq);
				model_post(m, tail, len, seq++);
			}
			ASSERT_EQ(off, write(self->q.fd, buf, off));
			stored += nr - (m->lost - before);
			ASSERT_EQ(m->lost, load_lost(&self->q));
			if (m->lost - before < nr)
				ASSERT_EQ(m->head, load_head(&self->q));
		} else {
			nr = wq_rand(&state) % (model_pending(m) + 1);
			tail = model_pos_after(m, nr);
			consume(_metadata, m, &self->q, nr);
		}
	}
	/* The losses not yet reported go with the next record stored. */
	consume_all(_metadata, m, &self->q);
	ASSERT_EQ(8, inject(&self->q, 8, seq));
	ASSERT_TRUE(model_post(m, m->head, 8, seq++));
	stored++;
	consume_all(_metadata, m, &self->q);
	check_header(_metadata, m, &self->q);
	EXPECT_EQ(load_lost(&self->q), m->reported);
	EXPECT_EQ(seq, stored + load_lost(&self->q));
	/* Both fast and slow paths were taken: losses, and many stored. */
	EXPECT_LT(1000, m->lost);
	EXPECT_LT(10000, stored);
	free(buf);
}

/*
 * Fill the parts of the consumer's page that the kernel must not write:
 * everything but the tail.
 */
static void poison_consumer(struct watchq *q)
{
	unsigned char *c = (void *)q->cons;

	memset(c + sizeof(q->cons->tail), FILL,
	       q->cons_len - sizeof(q->cons->tail));
}

/*
 * Whether the consumer's page still holds FILL outside the tail, and the
 * header page is zero past what the kernel fills in it.
 */
static int header_poisoned(const struct watchq *q)
{
	const unsigned char *c = (const void *)q->cons;
	const unsigned char *h = (const void *)q->ring;

	return all_bytes(c + sizeof(q->cons->tail),
			 q->cons_len - sizeof(q->cons->tail), FILL) &&
	       q->ring->hdr_size == sizeof(*q->ring) && !q->ring->__reserved &&
	       all_bytes(h + q->ring->hdr_size,
			 q->info.header_len - q->ring->hdr_size, 0);
}

/*
 * Try every way userspace has to write @len bytes of @val at @addr, in the
 * kernel's header or data: a store (in a child, which must die of SIGSEGV),
 * /proc/self/mem, process_vm_writev(), mprotect() to make the page
 * writable, and a new writable mapping of the page.  Return NULL if all of
 * them failed and the bytes are unchanged, else what worked, for the log.
 */
static const char *try_write(const struct watchq *q, const void *addr,
			     const void *val, size_t len)
{
	const size_t page = WQ_PAGE_SIZE;
	void *pg = (void *)((uintptr_t)addr & ~(uintptr_t)(page - 1));
	off_t off = q->info.header_off < q->info.data_off ?
		    q->info.header_off : q->info.data_off;
	struct iovec local = { (void *)val, len }, remote = { (void *)addr, len };
	unsigned char before[8];
	int status, fd, ready[2], ok;
	void *map;
	pid_t pid;
	char c;

	off += (const unsigned char *)pg - (const unsigned char *)q->ro_map;
	memcpy(before, addr, len);
	/*
	 * The child must have the mappings, which fork() leaves out unless
	 * asked: it stores the tail, then the bytes.
	 */
	if (madvise(q->ro_map, q->ro_len, MADV_DOFORK) ||
	    madvise(q->cons_map, q->cons_len, MADV_DOFORK))
		return "madvise(MADV_DOFORK)";
	if (pipe(ready))
		return "pipe";
	pid = fork();
	if (pid < 0)
		return "fork";
	if (pid == 0) {
		close(ready[0]);
		__atomic_store_n(&q->cons->tail, q->cons->tail,
				 __ATOMIC_RELAXED);
		if (__atomic_load_n((const unsigned char *)addr,
				    __ATOMIC_RELAXED) != before[0] ||
		    write(ready[1], "r", 1) != 1)
			_exit(1);
		memcpy((void *)addr, val, len);
		_exit(0);
	}
	close(ready[1]);
	ok = read(ready[0], &c, 1) == 1;
	close(ready[0]);
	if (waitpid(pid, &status, 0) != pid)
		return "waitpid";
	if (!ok)
		return "nothing: the child does not have the mappings";
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
		return "a store";
	if (madvise(q->ro_map, q->ro_len, MADV_DONTFORK) ||
	    madvise(q->cons_map, q->cons_len, MADV_DONTFORK))
		return "madvise(MADV_DONTFORK)";
	fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return "opening /proc/self/mem";
	if (pwrite(fd, val, len, (off_t)(uintptr_t)addr) >= 0) {
		close(fd);
		return "/proc/self/mem";
	}
	close(fd);
	if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) >= 0)
		return "process_vm_writev()";
	if (!mprotect(pg, page, PROT_READ | PROT_WRITE) || errno != EACCES)
		return "mprotect()";
	map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, q->fd, off);
	if (map != MAP_FAILED || errno != EACCES)
		return "mmap()";
	if (memcmp(before, addr, len))
		return "the bytes changed";
	return NULL;
}

#define ASSERT_READ_ONLY(q, field, value) do {				\
	__typeof__(field) _v = (value);					\
	const char *_how = try_write(q, &(field), &_v, sizeof(_v));	\
									\
	ASSERT_EQ(NULL, _how)						\
		TH_LOG("%s wrote %s", _how, #field);			\
} while (0)

/*
 * Tails that no correct consumer can produce, ahead of the head or more
 * than a ring behind it, make the ring full: every record is counted lost
 * and nothing is written.  Restoring tail == head makes posting work again,
 * starting with a loss record.
 */
TEST_F(ring, impossible_tail_means_full)
{
	struct model *m = &self->m;
	__u32 state = 0xfeedf00d, head, bad[40], tail, off;
	unsigned int i, nr = 0, r;

	/* Three records stay unconsumed; the rest of the data is saved. */
	prefill(_metadata, m, &self->q);
	tail = m->head;
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(16, inject(&self->q, 16, self->seq));
		ASSERT_TRUE(model_post(m, tail, 16, self->seq++));
	}
	head = m->head;
	off = head % m->size;
	snapshot(m, &self->q);
	poison_consumer(&self->q);

	bad[nr++] = head + 1;
	bad[nr++] = head + 2;
	bad[nr++] = head + m->size;
	bad[nr++] = head + 0x7fffffff;
	bad[nr++] = head + 0x80000000;
	bad[nr++] = head - m->size - 1;
	bad[nr++] = head - m->size - 2;
	bad[nr++] = head - 2 * m->size;
	bad[nr++] = head - 0x40000000;
	bad[nr++] = head + 0xfffffd00;
	while (nr < ARRAY_SIZE(bad)) {
		tail = wq_rand(&state);
		if ((__u32)(head - tail) > m->size)
			bad[nr++] = tail;
	}
	for (i = 0; i < nr; i++) {
		ASSERT_LT(m->size, (__u32)(head - bad[i]));
		store_tail(&self->q, bad[i]);
		for (r = 0; r < 2; r++) {
			ASSERT_EQ(8 << r, inject(&self->q, 8 << r, self->seq));
			ASSERT_FALSE(model_post(m, bad[i], 8 << r,
						self->seq++));
			ASSERT_EQ(m->lost, load_lost(&self->q))
				TH_LOG("tail %#x with head %#x", bad[i], head);
			ASSERT_EQ(head, load_head(&self->q));
		}
	}
	/* A legitimately full ring loses records too. */
	store_tail(&self->q, head - m->size);
	ASSERT_EQ(8, inject(&self->q, 8, self->seq));
	ASSERT_FALSE(model_post(m, head - m->size, 8, self->seq++));
	check_header(_metadata, m, &self->q);

	EXPECT_EQ(0, memcmp(data_at(&self->q, head), m->snap + off * SLOT,
			    (m->size - off) * SLOT));
	EXPECT_TRUE(header_poisoned(&self->q));

	/* A sane tail again. */
	consume_all(_metadata, m, &self->q);
	ASSERT_EQ(24, inject(&self->q, 24, self->seq));
	ASSERT_TRUE(model_post(m, head, 24, self->seq++));
	check_header(_metadata, m, &self->q);
	ASSERT_EQ(2, model_pending(m));
	ASSERT_EQ(EXP_LOSS, m->exp[m->exp_tail % MAX_EXP].kind);
	consume_all(_metadata, m, &self->q);
	EXPECT_EQ(m->lost, m->reported);
	EXPECT_TRUE(header_poisoned(&self->q));
}

/*
 * The mask cannot be clobbered: the header is read-only, however userspace
 * tries.  The kernel keeps writing where its own geometry says, for laps,
 * with skip records at the real end, and keeps a full ring full.
 */
TEST_F(ring, mask_cannot_be_clobbered)
{
	static const __u32 masks[] = {
		0, 1, 7, 255, 1023, 4095, 0x7fffffff, 0x80000000, 0xffffffff,
	};
	struct model *m = &self->m;
	__u32 state = 0x600dcafe, len, i, tail;

	prefill(_metadata, m, &self->q);
	poison_consumer(&self->q);
	for (i = 0; i < ARRAY_SIZE(masks); i++)
		ASSERT_READ_ONLY(&self->q, self->q.ring->mask, masks[i]);
	for (i = 0; m->head < 6 * m->size; i++) {
		snapshot(m, &self->q);
		len = rnd_len(&state);
		ASSERT_EQ(nr_slots(len) * SLOT, inject(&self->q, len,
						       self->seq));
		ASSERT_TRUE(model_post(m, m->head, len, self->seq++));
		check_header(_metadata, m, &self->q);
		check_untouched(_metadata, m, &self->q);
		consume_all(_metadata, m, &self->q);
		ASSERT_EQ(m->size - 1, self->q.ring->mask);
	}
	EXPECT_TRUE(header_poisoned(&self->q));

	/* Fill the ring, then try to claim it is much larger. */
	tail = m->head;
	while (model_post(m, tail, 8, self->seq))
		ASSERT_EQ(8, inject(&self->q, 8, self->seq++));
	ASSERT_READ_ONLY(&self->q, self->q.ring->mask, 0xffffffff);
	/* The model was asked once more: that record is lost too. */
	ASSERT_EQ(8, inject(&self->q, 8, self->seq++));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(64, inject(&self->q, 64, self->seq));
		ASSERT_FALSE(model_post(m, tail, 64, self->seq++));
	}
	check_header(_metadata, m, &self->q);
	consume_all(_metadata, m, &self->q);
	ASSERT_EQ(8, inject(&self->q, 8, self->seq));
	ASSERT_TRUE(model_post(m, m->head, 8, self->seq++));
	consume_all(_metadata, m, &self->q);
	EXPECT_EQ(5, m->lost);
	EXPECT_EQ(m->lost, m->reported);
	EXPECT_TRUE(header_poisoned(&self->q));
}

/*
 * The head cannot be clobbered either.  A tail that agrees with a head the
 * kernel never wrote makes the ring full; the kernel judges the free space
 * from its own head and stores the right head with the next record.
 */
TEST_F(ring, head_cannot_be_clobbered)
{
	struct model *m = &self->m;
	__u32 head;

	ASSERT_EQ(40, inject(&self->q, 40, self->seq));
	ASSERT_TRUE(model_post(m, 0, 40, self->seq++));
	consume_all(_metadata, m, &self->q);
	head = m->head;

	/* A tail that agrees with a head 100 slots on. */
	ASSERT_READ_ONLY(&self->q, self->q.ring->head, head + 100);
	store_tail(&self->q, head + 100);
	ASSERT_EQ(16, inject(&self->q, 16, self->seq));
	ASSERT_FALSE(model_post(m, head + 100, 16, self->seq++));
	EXPECT_EQ(1, load_lost(&self->q));
	EXPECT_TRUE(all_bytes(data_at(&self->q, head + 100), 16, 0));

	/* The right tail. */
	ASSERT_READ_ONLY(&self->q, self->q.ring->head, 3);
	store_tail(&self->q, head);
	ASSERT_EQ(16, inject(&self->q, 16, self->seq));
	ASSERT_TRUE(model_post(m, head, 16, self->seq++));
	check_header(_metadata, m, &self->q);
	consume_all(_metadata, m, &self->q);

	ASSERT_READ_ONLY(&self->q, self->q.ring->head, 0xffffffff);
	ASSERT_EQ(16, inject(&self->q, 16, self->seq));
	ASSERT_TRUE(model_post(m, m->head, 16, self->seq++));
	check_header(_metadata, m, &self->q);
	consume_all(_metadata, m, &self->q);
	EXPECT_EQ(1, m->reported);
}

/*
 * Nor the lost count, or anything else in the header: the kernel counts
 * on from its own number, and the halves a 32-bit consumer reads agree.
 */
TEST_F(ring, lost_cannot_be_clobbered)
{
	struct model *m = &self->m;

	ASSERT_READ_ONLY(&self->q, self->q.ring->lost, 1000);
	store_tail(&self->q, 1);	/* Ahead of the head: full */
	ASSERT_EQ(8, inject(&self->q, 8, self->seq));
	ASSERT_FALSE(model_post(m, 1, 8, self->seq++));
	EXPECT_EQ(1, load_lost(&self->q));
	EXPECT_EQ(1, watchq_lost_split(&self->q));

	ASSERT_READ_ONLY(&self->q, self->q.ring->lost, ~0ULL);
	ASSERT_READ_ONLY(&self->q, self->q.ring->lost_hi, 1);
	ASSERT_READ_ONLY(&self->q, self->q.ring->hdr_size, 0);
	ASSERT_READ_ONLY(&self->q, self->q.ring->flags, 0);
	ASSERT_READ_ONLY(&self->q, self->q.ring->features, 0);
	ASSERT_READ_ONLY(&self->q, self->q.ring->__reserved, 1);
	ASSERT_EQ(8, inject(&self->q, 8, self->seq));
	ASSERT_FALSE(model_post(m, 1, 8, self->seq++));
	EXPECT_EQ(2, load_lost(&self->q));
	EXPECT_EQ(2, watchq_lost_split(&self->q));
	EXPECT_EQ(0, self->q.ring->lost_hi);

	/* The loss record counts from the kernel's own number too. */
	ASSERT_READ_ONLY(&self->q, self->q.ring->lost, 7);
	store_tail(&self->q, 0);
	ASSERT_EQ(8, inject(&self->q, 8, self->seq));
	ASSERT_TRUE(model_post(m, 0, 8, self->seq++));
	EXPECT_EQ(m->head, load_head(&self->q));
	consume_all(_metadata, m, &self->q);
	EXPECT_EQ(2, m->reported);
	EXPECT_EQ(2, watchq_lost_split(&self->q));
}

/*
 * Everything at once: random tails before every write(), sometimes
 * plausible and sometimes not, and random bytes everywhere else in the
 * consumer's page.  The records land where the model says, the kernel
 * writes nothing in the consumer's page, and once a sane tail is back the
 * stream goes on, with a loss record for what was dropped.
 */
TEST_F(ring, scribbled_consumer_page)
{
	unsigned char *c = (void *)self->q.cons;
	struct model *m = &self->m;
	__u32 state = 0xabad1dea, tail = 0, len, iter, r, at;
	unsigned char *want;
	int posted;

	want = malloc(self->q.cons_len);
	ASSERT_NE(NULL, want);
	poison_consumer(&self->q);
	for (iter = 0; iter < 3000; iter++) {
		r = wq_rand(&state);
		/* A random byte anywhere in the page but the tail. */
		at = sizeof(self->q.cons->tail) +
		     wq_rand(&state) % (self->q.cons_len -
					sizeof(self->q.cons->tail));
		c[at] = wq_rand(&state);
		switch ((r >> 3) % 4) {
		case 0:		/* Anything */
			tail = wq_rand(&state);
			break;
		case 1:		/* Plausible, or just more than a ring behind */
			tail = m->head - wq_rand(&state) % (m->size + 16);
			break;
		case 2:		/* Just ahead */
			tail = m->head + 1 + wq_rand(&state) % 64;
			break;
		default:	/* Consume what was stored */
			consume_all(_metadata, m, &self->q);
			tail = m->head;
			break;
		}
		/*
		 * A plausible tail hands back the slots before it: forget
		 * the records that start there, which may be overwritten.
		 */
		while (model_pending(m) &&
		       (__u32)(m->head - tail) <= m->size &&
		       (__u32)(m->head - m->exp[m->exp_tail % MAX_EXP].pos) >
		       (__u32)(m->head - tail))
			m->exp_tail++;
		store_tail(&self->q, tail);
		memcpy(want, c, self->q.cons_len);

		len = rnd_len(&state);
		ASSERT_EQ(nr_slots(len) * SLOT, inject(&self->q, len, iter));
		posted = model_post(m, tail, len, iter);
		if (posted)
			ASSERT_EQ(m->head, load_head(&self->q))
				TH_LOG("iteration %u", iter);
		ASSERT_EQ(m->lost, load_lost(&self->q))
			TH_LOG("iteration %u", iter);
		ASSERT_EQ(0, memcmp(want, c, self->q.cons_len))
			TH_LOG("iteration %u: the kernel wrote the consumer's page",
			       iter);
	}
	/* A sane tail: the records after it are all there. */
	poison_consumer(&self->q);
	consume_all(_metadata, m, &self->q);
	ASSERT_EQ(16, inject(&self->q, 16, 0));
	r = m->unreported ? 2 : 1;
	ASSERT_TRUE(model_post(m, m->head, 16, 0));
	ASSERT_EQ(r, model_pending(m));
	consume_all(_metadata, m, &self->q);
	EXPECT_EQ(m->head, load_head(&self->q));
	EXPECT_TRUE(header_poisoned(&self->q));
	EXPECT_LT(500, m->lost);
	free(want);
}

TEST_HARNESS_MAIN
