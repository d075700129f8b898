// SPDX-License-Identifier: GPL-2.0
/*
 * Block device notifications, set by IOC_WATCH_QUEUE_WATCH on a device
 * node, through /dev/watch_queue and notification pipes, on disks that
 * fail for real: null_blk devices made in configfs with badblocks, each
 * completion mode (irqmode 0: in the submitter, 1: softirq, 2: a timer's
 * hard interrupt), and scsi_debug for medium errors and write protection.
 *
 * Exactly one record per failed request with its sector, size, op and
 * status; a burst that outruns the disk's collector counted in a DROPPED
 * record; a queue overflowed, counted in lost; read-only changes by
 * BLKROSET and by a SCSI disk's write protection; removal (configfs
 * power=0, and during an error storm) with its removal notice; watches
 * added while the disk is deleted, each removed or refused; a watch added
 * after a burst gets none of it; closing queues during an error storm; who
 * may watch (read access to the node where open() honours it, or
 * CAP_SYS_ADMIN) and every bad argument.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/fs.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"
#include "wq_nullb.h"

#define SDEBUG_DRV	"/sys/bus/pseudo/drivers/scsi_debug"
#define SDEBUG_PAR	"/sys/module/scsi_debug/parameters"

#define BAD_FIRST	1024	/* badblocks: sectors 1024 to 2047 fail */
#define BAD_LAST	2047
#define IO_SIZE		4096
#define STS_IOERR	10	/* BLK_STS_IOERR */
#define STS_MEDIUM	7	/* BLK_STS_MEDIUM */
#define OP_READ		0
#define OP_WRITE	1
#define SETTLE_MS	300
#define BREC		((ssize_t)sizeof(struct block_notification))

/*
 * One O_DIRECT read or write of IO_SIZE at @sector of @fd: 0 if it
 * succeeded, else -errno.
 */
static int disk_io(int fd, int write_it, __u64 sector)
{
	static __thread char *buf;
	ssize_t ret;

	/* O_DIRECT wants an aligned buffer; one per thread, kept. */
	if (!buf)
		buf = aligned_alloc(4096, IO_SIZE);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0, IO_SIZE);
	if (write_it)
		ret = pwrite(fd, buf, IO_SIZE, sector * 512);
	else
		ret = pread(fd, buf, IO_SIZE, sector * 512);
	if (ret < 0)
		return -errno;
	return ret == IO_SIZE ? 0 : -EIO;
}

static long block_watch(int qfd, int obj_fd, int id)
{
	return wq_ret(watchq_watch_fd(qfd, WATCH_TYPE_BLOCK_NOTIFY, obj_fd,
				      id));
}

/* Counts of what a queue held. */
struct tally {
	int errors;		/* IO_ERROR and MEDIUM_ERROR records */
	__u64 dropped;		/* sum of DROPPED records' counts */
	int dropped_recs;
	int losses;		/* LOSS records */
	__u64 nr_lost;		/* their counts (the device only) */
	int removals;
	int other;
};

/* Read every record until none comes for @settle_ms; -1 on error. */
static int tally_queue(struct wq_queue *q, struct tally *t, int timeout_ms,
		       int want_errors, int settle_ms)
{
	unsigned char buf[WQ_REC_MAX];
	const struct block_notification *b = (const void *)buf;
	const struct watch_notification_loss *l = (const void *)buf;
	long long end = wq_now_ms() + timeout_ms;
	ssize_t len;

	memset(t, 0, sizeof(*t));
	for (;;) {
		int left = (t->errors + (int)t->dropped < want_errors) ?
			   (int)(end - wq_now_ms()) : settle_ms;

		len = wq_queue_next(q, buf, sizeof(buf), left > 0 ? left : 0);
		if (len < 0)
			return -1;
		if (len == 0)
			return 0;
		if (wq_type(&b->watch) == WATCH_TYPE_META) {
			if (wq_subtype(&b->watch) == WATCH_META_LOSS_NOTIFICATION) {
				t->losses++;
				if (len >= (ssize_t)sizeof(*l))
					t->nr_lost += l->nr_lost;
			} else if (wq_subtype(&b->watch) ==
				   WATCH_META_REMOVAL_NOTIFICATION) {
				t->removals++;
			} else {
				t->other++;
			}
			continue;
		}
		if (wq_type(&b->watch) != WATCH_TYPE_BLOCK_NOTIFY ||
		    len != BREC) {
			t->other++;
			continue;
		}
		switch (wq_subtype(&b->watch)) {
		case NOTIFY_BLOCK_IO_ERROR:
		case NOTIFY_BLOCK_MEDIUM_ERROR:
			t->errors++;
			break;
		case NOTIFY_BLOCK_DROPPED:
			t->dropped_recs++;
			t->dropped += b->dropped;
			break;
		default:
			t->other++;
		}
	}
}

FIXTURE(blk) {
	struct wq_queue q;
	struct nullb nb;
	int dfd;		/* the disk, O_RDWR | O_DIRECT */
};

FIXTURE_VARIANT(blk) {
	int use_pipe;
	int irqmode;
};

FIXTURE_VARIANT_ADD(blk, device_submit) { .use_pipe = 0, .irqmode = 0 };
FIXTURE_VARIANT_ADD(blk, device_softirq) { .use_pipe = 0, .irqmode = 1 };
FIXTURE_VARIANT_ADD(blk, device_hardirq) { .use_pipe = 0, .irqmode = 2 };
FIXTURE_VARIANT_ADD(blk, pipe_submit) { .use_pipe = 1, .irqmode = 0 };
FIXTURE_VARIANT_ADD(blk, pipe_softirq) { .use_pipe = 1, .irqmode = 1 };
FIXTURE_VARIANT_ADD(blk, pipe_hardirq) { .use_pipe = 1, .irqmode = 2 };

FIXTURE_SETUP(blk)
{
	self->dfd = -1;
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	ASSERT_EQ(0, nullb_create(&self->nb, "", variant->irqmode, NULL))
		TH_LOG("null_blk in configfs: %s", strerror(errno));
	self->dfd = open(self->nb.node, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, self->dfd);
}

FIXTURE_TEARDOWN(blk)
{
	if (self->dfd >= 0)
		close(self->dfd);
	wq_queue_close(&self->q);
	nullb_destroy(&self->nb);
}

/* Check that @b is an error record of the disk with these fields. */
static int check_error(struct __test_metadata *_metadata,
		       const struct nullb *nb, const unsigned char *buf,
		       ssize_t len, int id, int op, __u64 sector)
{
	const struct block_notification *b = (const void *)buf;

	EXPECT_EQ(BREC, len);
	if (len != BREC)
		return -1;
	EXPECT_EQ(WATCH_TYPE_BLOCK_NOTIFY, (int)wq_type(&b->watch));
	EXPECT_EQ(NOTIFY_BLOCK_IO_ERROR, (int)wq_subtype(&b->watch));
	EXPECT_EQ((unsigned int)id, watchq_rec_id(&b->watch));
	EXPECT_EQ(0U, watchq_rec_flags(&b->watch));
	EXPECT_EQ(major(nb->rdev), b->dev_major);
	EXPECT_EQ(minor(nb->rdev), b->dev_minor);
	EXPECT_EQ(nb->diskseq, b->diskseq);
	EXPECT_EQ(sector, b->sector);
	EXPECT_EQ((__u32)IO_SIZE, b->size);
	EXPECT_EQ((__u32)op, b->op);
	EXPECT_EQ((__u32)STS_IOERR, b->status);
	EXPECT_EQ((__u32)EIO, b->error);
	EXPECT_EQ(0ULL, b->dropped);
	return 0;
}

/*
 * N failed reads and writes at known sectors: exactly N IO_ERROR records,
 * in order, each with its sector, size, op, status and errno, the disk's
 * device number and diskseq.  Requests that succeed post nothing.
 */
TEST_F(blk, exact_errors)
{
	unsigned char buf[WQ_REC_MAX];
	const int n = 12;
	ssize_t len;
	int i;

	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 3));
	ASSERT_EQ(0, disk_io(self->dfd, 0, 0));
	ASSERT_EQ(0, disk_io(self->dfd, 1, 8));
	for (i = 0; i < n; i++)
		ASSERT_EQ(-EIO, disk_io(self->dfd, i & 1, BAD_FIRST + 8 * i));
	ASSERT_EQ(0, disk_io(self->dfd, 0, BAD_LAST + 1));

	for (i = 0; i < n; i++) {
		len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
		ASSERT_EQ(0, check_error(_metadata, &self->nb, buf, len, 3,
					 i & 1 ? OP_WRITE : OP_READ,
					 BAD_FIRST + 8 * i))
			TH_LOG("record %d: len %zd", i, len);
	}
	EXPECT_EQ(0, wq_queue_next(&self->q, buf, sizeof(buf), SETTLE_MS));
}

/*
 * A second queue watching the same disk gets the same records; a queue
 * that stopped watching (removal by ID) gets its removal notice and then
 * nothing.
 */
TEST_F(blk, two_queues_and_unwatch)
{
	unsigned char buf[WQ_REC_MAX];
	const struct watch_notification_removal *r = (const void *)buf;
	struct wq_queue q2;
	ssize_t len;

	ASSERT_EQ(0, wq_queue_open(&q2, !variant->use_pipe));
	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 1));
	ASSERT_EQ(0, block_watch(q2.fd, self->dfd, 2));
	ASSERT_EQ(-1, block_watch(q2.fd, self->dfd, 5));
	EXPECT_EQ(EBUSY, errno);

	ASSERT_EQ(-EIO, disk_io(self->dfd, 0, BAD_FIRST));
	len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
	check_error(_metadata, &self->nb, buf, len, 1, OP_READ, BAD_FIRST);
	len = wq_queue_next(&q2, buf, sizeof(buf), WAIT_MS);
	check_error(_metadata, &self->nb, buf, len, 2, OP_READ, BAD_FIRST);

	ASSERT_EQ(0, wq_ret(watchq_unwatch(q2.fd, WATCH_TYPE_BLOCK_NOTIFY, 2)));
	len = wq_queue_next(&q2, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ((ssize_t)sizeof(*r), len);
	EXPECT_EQ(WATCH_TYPE_META, (int)wq_type(&r->watch));
	EXPECT_EQ(WATCH_META_REMOVAL_NOTIFICATION, (int)wq_subtype(&r->watch));
	EXPECT_EQ(self->nb.diskseq, r->id);

	ASSERT_EQ(-EIO, disk_io(self->dfd, 1, BAD_FIRST + 8));
	len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
	check_error(_metadata, &self->nb, buf, len, 1, OP_WRITE, BAD_FIRST + 8);
	EXPECT_EQ(0, wq_queue_next(&q2, buf, sizeof(buf), SETTLE_MS));
	wq_queue_close(&q2);
}

/*
 * BLKROSET on the whole disk: READONLY with IS_NOW_RO, then READONLY
 * without it; setting what is already set posts nothing.
 */
TEST_F(blk, readonly_blkroset)
{
	unsigned char buf[WQ_REC_MAX];
	const struct block_notification *b = (const void *)buf;
	int on = 1, off = 0;
	ssize_t len;

	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 4));
	ASSERT_EQ(0, ioctl(self->dfd, BLKROSET, &on));
	ASSERT_EQ(0, ioctl(self->dfd, BLKROSET, &on));
	ASSERT_EQ(0, ioctl(self->dfd, BLKROSET, &off));

	len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ(BREC, len);
	EXPECT_EQ(NOTIFY_BLOCK_READONLY, (int)wq_subtype(&b->watch));
	EXPECT_EQ((unsigned int)NOTIFY_BLOCK_IS_NOW_RO,
		  watchq_rec_flags(&b->watch));
	EXPECT_EQ(4U, watchq_rec_id(&b->watch));
	EXPECT_EQ(self->nb.diskseq, b->diskseq);
	EXPECT_EQ(minor(self->nb.rdev), b->dev_minor);
	len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ(BREC, len);
	EXPECT_EQ(NOTIFY_BLOCK_READONLY, (int)wq_subtype(&b->watch));
	EXPECT_EQ(0U, watchq_rec_flags(&b->watch));
	EXPECT_EQ(0, wq_queue_next(&self->q, buf, sizeof(buf), SETTLE_MS));
}

/*
 * Powering the disk off (del_gendisk()) after errors: the errors, then
 * the removal notice with the diskseq, then nothing; a new watch on the
 * stale descriptor fails.
 */
TEST_F(blk, removal)
{
	unsigned char buf[WQ_REC_MAX];
	const struct watch_notification_removal *r = (const void *)buf;
	struct tally t;
	ssize_t len;
	int i;

	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 7));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(-EIO, disk_io(self->dfd, 0, BAD_FIRST + 8 * i));
	for (i = 0; i < 3; i++) {
		len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
		check_error(_metadata, &self->nb, buf, len, 7, OP_READ,
			    BAD_FIRST + 8 * i);
	}
	close(self->dfd);
	self->dfd = -1;
	ASSERT_EQ(0, nullb_power_off(&self->nb));
	len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ((ssize_t)sizeof(*r), len);
	EXPECT_EQ(WATCH_TYPE_META, (int)wq_type(&r->watch));
	EXPECT_EQ(WATCH_META_REMOVAL_NOTIFICATION, (int)wq_subtype(&r->watch));
	EXPECT_EQ(7U, watchq_rec_id(&r->watch));
	EXPECT_EQ(self->nb.diskseq, r->id);
	ASSERT_EQ(0, tally_queue(&self->q, &t, 0, 0, SETTLE_MS));
	EXPECT_EQ(0, t.errors + t.removals + t.other + t.dropped_recs);
}

/* Let only the READONLY block records through the queue's filter. */
static int only_readonly(int fd)
{
	struct {
		struct watch_notification_filter f;
		struct watch_notification_type_filter t[1];
	} flt;

	memset(&flt, 0, sizeof(flt));
	flt.f.nr_filters = 1;
	flt.t[0].type = WATCH_TYPE_BLOCK_NOTIFY;
	flt.t[0].subtype_filter[0] = 1U << NOTIFY_BLOCK_READONLY;
	return ioctl(fd, IOC_WATCH_QUEUE_SET_FILTER, &flt.f);
}

/* The failing threads of an error storm. */
struct storm {
	const char *node;
	int stop;
	int count;
};

static void *storm_thread(void *arg)
{
	struct storm *s = arg;
	int fd = open(s->node, O_RDONLY | O_DIRECT | O_CLOEXEC);
	int i = 0;

	if (fd < 0)
		return NULL;
	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		if (disk_io(fd, 0, BAD_FIRST + 8 * (i++ % 64)) == -ENXIO)
			break;
		__atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
	}
	close(fd);
	return NULL;
}

/*
 * Deleting a watched disk while requests fail on it from two threads: the
 * removal notice comes, last, and nothing crashes (the kernel log is
 * checked by the harness).  The queue filters the error records out, as
 * they would fill it before the notice.
 */
TEST_F(blk, removal_during_storm)
{
	unsigned char buf[WQ_REC_MAX];
	const struct watch_notification *n = (const void *)buf;
	struct storm s = { .node = self->nb.node };
	pthread_t th[2];
	int i, removal = 0, after = 0;
	ssize_t len;

	ASSERT_EQ(0, only_readonly(self->q.fd));
	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 9));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, storm_thread, &s));
	wq_sleep_ms(300);
	ASSERT_EQ(0, nullb_power_off(&self->nb));
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);

	for (;;) {
		len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
		ASSERT_LE(0, len);
		if (!len)
			break;
		if (removal)
			after++;
		if (wq_type(n) == WATCH_TYPE_META &&
		    wq_subtype(n) == WATCH_META_REMOVAL_NOTIFICATION)
			removal++;
	}
	EXPECT_EQ(1, removal);
	EXPECT_EQ(0, after);
	TH_LOG("%d failed reads before the removal", s.count);
}

/*
 * Closing queues while requests fail: each queue watching the disk is
 * closed during the storm, over and over; then a fresh watch still gets
 * exactly the errors of its time.
 */
TEST_F(blk, close_during_storm)
{
	struct storm s = { .node = self->nb.node };
	unsigned char buf[WQ_REC_MAX];
	struct wq_queue q2;
	pthread_t th[2];
	ssize_t len;
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, storm_thread, &s));
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, wq_queue_open(&q2, i & 1));
		ASSERT_EQ(0, block_watch(q2.fd, self->dfd, i % 256));
		wq_sleep_ms(5);
		ASSERT_EQ(0, wq_queue_close(&q2));
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ASSERT_LT(0, s.count);

	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 1));
	ASSERT_EQ(-EIO, disk_io(self->dfd, 1, BAD_LAST - 7));
	len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
	check_error(_metadata, &self->nb, buf, len, 1, OP_WRITE, BAD_LAST - 7);
	EXPECT_EQ(0, wq_queue_next(&self->q, buf, sizeof(buf), SETTLE_MS));
}

/*
 * A queue too small for a burst: the records that do not fit are counted
 * in lost, and LOSS records say so in the stream (with their counts on the
 * device), at the latest before the next record posted once there is room;
 * with what was read, no error is unaccounted for.  The work item may
 * still be posting while the test reads, so a LOSS record may come at any
 * point.
 */
TEST_F(blk, queue_overflow_lost)
{
	unsigned char buf[WQ_REC_MAX];
	const struct watch_notification_loss *l = (const void *)buf;
	const struct block_notification *b = (const void *)buf;
	const int n = 200;
	__u64 lost = 0, prev, nr_lost;
	int i, losses, found = 0;
	struct tally t;
	ssize_t len;

	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 2));
	for (i = 0; i < n; i++)
		ASSERT_EQ(-EIO, disk_io(self->dfd, 0, BAD_FIRST + 8 * (i % 128)));
	/* Until the posting is over: lost still for a while. */
	prev = ~0ULL;
	for (i = 0; i < 40; i++) {
		wq_sleep_ms(SETTLE_MS);
		if (!variant->use_pipe)
			lost = watchq_lost(&self->q.q);
		if (lost == prev)
			break;
		prev = lost;
	}
	if (!variant->use_pipe)
		ASSERT_LT(0ULL, lost);
	ASSERT_EQ(0, tally_queue(&self->q, &t, 0, 0, SETTLE_MS));
	TH_LOG("%d errors, %llu dropped, %d losses, header lost %llu",
	       t.errors, (unsigned long long)t.dropped, t.losses,
	       (unsigned long long)lost);
	EXPECT_GT(n, t.errors + (int)t.dropped);
	EXPECT_EQ(0, t.other);
	losses = t.losses;
	nr_lost = t.nr_lost;

	/* Room again: any loss not said yet is said before the next record. */
	ASSERT_EQ(-EIO, disk_io(self->dfd, 1, BAD_FIRST));
	while (!found) {
		len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
		ASSERT_LT(0, len);
		if (wq_type(&l->watch) == WATCH_TYPE_META &&
		    wq_subtype(&l->watch) == WATCH_META_LOSS_NOTIFICATION) {
			losses++;
			if (len >= (ssize_t)sizeof(*l))
				nr_lost += l->nr_lost;
			continue;
		}
		ASSERT_EQ(BREC, len);
		if (wq_subtype(&b->watch) == NOTIFY_BLOCK_DROPPED) {
			t.dropped += b->dropped;
		} else if (b->op == OP_WRITE) {
			check_error(_metadata, &self->nb, buf, len, 2, OP_WRITE,
				    BAD_FIRST);
			found = 1;
		} else {
			t.errors++;	/* late, from the burst */
		}
	}
	EXPECT_LE(1, losses);
	if (!variant->use_pipe) {
		/*
		 * Each record lost stands for one error or more: a lost
		 * DROPPED record stands for all the errors it counted.  So
		 * what was read and lost never exceeds what was made, and
		 * falls short of it only if records were lost.
		 */
		lost = watchq_lost(&self->q.q);
		EXPECT_GE(n, t.errors + (int)t.dropped + (int)lost);
		EXPECT_EQ(!!lost, t.errors + (int)t.dropped < n);
		EXPECT_EQ(lost, nr_lost);
	}
}

/*
 * A burst of @n failed reads; then, if @add_q is set, a watch with ID 8 on
 * it of the disk @add_fd names, set at once (@add_ret: 0 or -errno).
 */
struct burst {
	const char *node;
	int n;
	int done;
	int err;
	struct wq_queue *add_q;
	int add_fd;
	int add_ret;
};

/*
 * Fail @n reads in a row on CPU 0 under SCHED_FIFO, without sleeping
 * (irqmode 0 completes them in the submitter): the work item that posts
 * them, bound to CPU 0, can't run in between.
 */
static void *burst_thread(void *arg)
{
	struct sched_param sp = { .sched_priority = 10 };
	struct burst *b = arg;
	int fd, i;

	b->err = wq_pin_cpu(0);
	if (!b->err && sched_setscheduler(0, SCHED_FIFO, &sp))
		b->err = -errno;
	fd = open(b->node, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0 && !b->err)
		b->err = -errno;
	for (i = 0; !b->err && i < b->n; i++)
		if (disk_io(fd, 0, BAD_FIRST + 8 * (i % 128)) == -EIO)
			b->done++;
	/* Still on CPU 0 at its priority: the burst is not posted yet. */
	if (!b->err && b->add_q)
		b->add_ret = block_watch(b->add_q->fd, b->add_fd, 8) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/*
 * A burst of errors faster than the disk's collector drains it (64 are
 * kept): the rest are counted in a DROPPED record, so that the errors
 * read plus those dropped are exactly the errors made.  Submit-time
 * completion only: the other modes are not in one burst.
 */
TEST_F(blk, collector_dropped)
{
	struct burst b = { .node = self->nb.node, .n = 300 };
	struct wq_queue big;
	struct tally t;
	pthread_t th;

	if (variant->irqmode != 0)
		SKIP(return, "the burst completes in the submitter (irqmode 0)");
	ASSERT_EQ(0, wq_queue_open_sized(&big, variant->use_pipe, 512,
					 (uint64_t)512 * 64));
	ASSERT_EQ(0, block_watch(big.fd, self->dfd, 6));
	ASSERT_EQ(0, pthread_create(&th, NULL, burst_thread, &b));
	pthread_join(th, NULL);
	ASSERT_EQ(0, b.err) TH_LOG("burst: %s", strerror(-b.err));
	ASSERT_EQ(b.n, b.done);

	ASSERT_EQ(0, tally_queue(&big, &t, WAIT_MS, b.n, SETTLE_MS));
	TH_LOG("%d error records, %d DROPPED records for %llu", t.errors,
	       t.dropped_recs, (unsigned long long)t.dropped);
	EXPECT_EQ(0, t.losses);
	EXPECT_EQ(0, t.other);
	EXPECT_EQ(b.n, t.errors + (int)t.dropped);
	EXPECT_LE(1, t.dropped_recs);
	EXPECT_LE(64, t.errors);
	wq_queue_close(&big);
}

/*
 * A watch added while the disk's collector still holds a burst (a full
 * ring and a dropped count, taken down before the add) gets none of it:
 * the burst goes, whole, to the watch that was there, and the new watch
 * gets only what fails after its add.
 */
TEST_F(blk, add_after_burst)
{
	struct wq_queue big, late;
	struct burst b = {
		.node = self->nb.node, .n = 300, .add_q = &late,
		.add_fd = self->dfd,
	};
	unsigned char buf[WQ_REC_MAX];
	struct tally t;
	pthread_t th;
	ssize_t len;

	if (variant->irqmode != 0)
		SKIP(return, "the burst completes in the submitter (irqmode 0)");
	ASSERT_EQ(0, wq_queue_open_sized(&big, variant->use_pipe, 512,
					 (uint64_t)512 * 64));
	ASSERT_EQ(0, wq_queue_open(&late, !variant->use_pipe));
	ASSERT_EQ(0, block_watch(big.fd, self->dfd, 6));
	ASSERT_EQ(0, pthread_create(&th, NULL, burst_thread, &b));
	pthread_join(th, NULL);
	ASSERT_EQ(0, b.err) TH_LOG("burst: %s", strerror(-b.err));
	ASSERT_EQ(b.n, b.done);
	ASSERT_EQ(0, b.add_ret) TH_LOG("late watch: %s", strerror(-b.add_ret));

	ASSERT_EQ(0, tally_queue(&big, &t, WAIT_MS, b.n, SETTLE_MS));
	TH_LOG("first watch: %d errors, %d DROPPED records for %llu",
	       t.errors, t.dropped_recs, (unsigned long long)t.dropped);
	EXPECT_EQ(0, t.losses);
	EXPECT_EQ(0, t.other);
	EXPECT_EQ(b.n, t.errors + (int)t.dropped);

	ASSERT_EQ(0, tally_queue(&late, &t, 0, 0, SETTLE_MS));
	TH_LOG("late watch: %d errors, %d DROPPED records for %llu",
	       t.errors, t.dropped_recs, (unsigned long long)t.dropped);
	EXPECT_EQ(0, t.errors);
	EXPECT_EQ(0, t.dropped_recs);
	EXPECT_EQ(0ULL, t.dropped);
	EXPECT_EQ(0, t.losses + t.other);

	/* The late watch is live: it gets what fails now. */
	ASSERT_EQ(-EIO, disk_io(self->dfd, 1, BAD_LAST - 7));
	len = wq_queue_next(&late, buf, sizeof(buf), WAIT_MS);
	check_error(_metadata, &self->nb, buf, len, 8, OP_WRITE, BAD_LAST - 7);
	EXPECT_EQ(0, wq_queue_next(&late, buf, sizeof(buf), SETTLE_MS));
	wq_queue_close(&late);
	wq_queue_close(&big);
}

#define RACE_ROUNDS	25
#define RACE_QUEUES	64

/* Watches added, one a queue, while the disk is deleted. */
struct adder {
	struct wq_queue *qs;
	int fd;			/* an O_PATH descriptor of the node */
	int go;
	int delay_us;		/* before the first add */
	int added;		/* qs[0] to qs[added - 1] watch the disk */
	int err;		/* the errno of the add that failed, or 0 */
};

static void *adder_thread(void *arg)
{
	struct adder *a = arg;
	int i;

	while (!__atomic_load_n(&a->go, __ATOMIC_ACQUIRE))
		;
	usleep(a->delay_us);
	for (i = 0; i < RACE_QUEUES; i++) {
		if (block_watch(a->qs[i].fd, a->fd, 1)) {
			a->err = errno;
			break;
		}
		a->added++;
	}
	return NULL;
}

/*
 * Watches added from one thread while another deletes the disk (configfs
 * power=0, then rmdir), many rounds on 2 CPUs, each starting at a random
 * point of the deletion (the first watch, which makes the disk's state,
 * is the one that can race with it): each add either fails (the
 * node names no disk any more: ENXIO; the disk is going: ENOENT) or sets
 * a watch that gets its removal notice.  A watch added as the disk goes
 * and missed by its deletion would get none, and would point at a freed
 * disk (KASAN) or leak the disk's state (kmemleak).
 */
TEST_F_TIMEOUT(blk, add_during_delete, 600)
{
	unsigned char buf[WQ_REC_MAX];
	const struct watch_notification *n = (const void *)buf;
	int round, i, failed_adds = 0, raced = 0, watches = 0;
	long long start = wq_now_ms();
	__u32 seed = getpid();
	struct wq_queue *qs;
	struct nullb nb;
	pthread_t th;
	ssize_t len;

	if (variant->irqmode != 0)
		SKIP(return, "one completion mode is enough");
	qs = calloc(RACE_QUEUES, sizeof(*qs));
	ASSERT_NE(NULL, qs);
	for (round = 0; round < RACE_ROUNDS; round++) {
		struct adder a = {
			.qs = qs, .delay_us = wq_rand(&seed) % 3000,
		};

		for (i = 0; i < RACE_QUEUES; i++)
			ASSERT_EQ(0, wq_queue_open(&qs[i],
						   (variant->use_pipe + i) & 1));
		ASSERT_EQ(0, nullb_create(&nb, "r", 0, NULL));
		a.fd = open(nb.node, O_PATH | O_CLOEXEC);
		ASSERT_LE(0, a.fd);
		ASSERT_EQ(0, pthread_create(&th, NULL, adder_thread, &a));
		__atomic_store_n(&a.go, 1, __ATOMIC_RELEASE);
		usleep(wq_rand(&seed) % 3000);
		ASSERT_EQ(0, nullb_power_off(&nb));
		pthread_join(th, NULL);
		nullb_destroy(&nb);
		close(a.fd);

		if (a.err) {
			failed_adds++;
			EXPECT_TRUE(a.err == ENXIO || a.err == ENOENT ||
				    a.err == ENODEV)
				TH_LOG("round %d add %d: %s", round, a.added,
				       strerror(a.err));
		}
		if (a.err && a.added)
			raced++;
		watches += a.added;
		for (i = 0; i < a.added; i++) {
			len = wq_queue_next(&qs[i], buf, sizeof(buf), WAIT_MS);
			EXPECT_EQ((ssize_t)sizeof(struct watch_notification_removal),
				  len)
				TH_LOG("round %d watch %d of %d: no removal notice",
				       round, i, a.added);
			if (len > 0) {
				EXPECT_EQ(WATCH_TYPE_META, (int)wq_type(n));
				EXPECT_EQ(WATCH_META_REMOVAL_NOTIFICATION,
					  (int)wq_subtype(n));
			}
		}
		for (i = 0; i < RACE_QUEUES; i++)
			ASSERT_EQ(0, wq_queue_close(&qs[i]));
		if (_metadata->exit_code)
			break;
	}
	TH_LOG("%d rounds, %lld ms: %d watches removed, %d adds refused (%d after adds)",
	       round, wq_now_ms() - start, watches, failed_adds, raced);
	free(qs);
}

/*
 * Who may watch: uid 65534 without read access to the node gets EACCES,
 * with it (mode 0644) the watch is set; O_PATH descriptors will do.
 */
TEST_F(blk, permission)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, chmod(self->nb.node, 0600));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct wq_queue q;
		int fd;

		if (wq_become_nobody())
			_exit(10);
		if (wq_queue_open(&q, variant->use_pipe))
			_exit(11);
		fd = open(self->nb.node, O_PATH | O_CLOEXEC);
		if (fd < 0)
			_exit(12);
		if (block_watch(q.fd, fd, 1) != -1 || errno != EACCES)
			_exit(13);
		if (open(self->nb.node, O_RDONLY) >= 0 || errno != EACCES)
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(0, chmod(self->nb.node, 0644));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct wq_queue q;
		int fd;

		if (wq_become_nobody())
			_exit(10);
		if (wq_queue_open(&q, variant->use_pipe))
			_exit(11);
		fd = open(self->nb.node, O_PATH | O_CLOEXEC);
		if (fd < 0)
			_exit(12);
		if (block_watch(q.fd, fd, 1))
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * uid 65534 watching through a node of mode 0666 on tmpfs: allowed where
 * the mount honours device nodes, EACCES on a nodev mount (where open()
 * would refuse it too), however open the node's mode.
 */
TEST_F(blk, nodev_mount)
{
	const unsigned long flags[2] = { MS_NODEV, 0 };
	char dir[2][64], node[2][128];
	int i, status;
	pid_t pid;

	if (variant->irqmode != 0)
		SKIP(return, "one completion mode is enough");
	for (i = 0; i < 2; i++) {
		snprintf(dir[i], sizeof(dir[i]), "/tmp/wqb-nodev.XXXXXX");
		ASSERT_NE(NULL, mkdtemp(dir[i]));
		ASSERT_EQ(0, mount("wqbnodev", dir[i], "tmpfs", flags[i],
				   "mode=0755"));
		snprintf(node[i], sizeof(node[i]), "%s/disk", dir[i]);
		ASSERT_EQ(0, mknod(node[i], S_IFBLK | 0666, self->nb.rdev));
		ASSERT_EQ(0, chmod(node[i], 0666));
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct wq_queue q;
		int fd;

		if (wq_become_nobody())
			_exit(10);
		if (wq_queue_open(&q, variant->use_pipe))
			_exit(11);
		/* nodev: refused, as open() refuses it. */
		fd = open(node[0], O_PATH | O_CLOEXEC);
		if (fd < 0)
			_exit(12);
		if (block_watch(q.fd, fd, 1) != -1 || errno != EACCES)
			_exit(13);
		if (open(node[0], O_RDONLY) >= 0 || errno != EACCES)
			_exit(14);
		close(fd);
		/* The same node where device nodes are honoured: allowed. */
		fd = open(node[1], O_PATH | O_CLOEXEC);
		if (fd < 0)
			_exit(15);
		if (block_watch(q.fd, fd, 1))
			_exit(16);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	for (i = 0; i < 2; i++) {
		umount2(dir[i], MNT_DETACH);
		rmdir(dir[i]);
	}
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Bad arguments: not a block node, a closed fd, a path, an ID. */
TEST_F(blk, bad_arguments)
{
	struct watch_queue_watch w;
	int fd;

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, block_watch(self->q.fd, fd, 1));
	EXPECT_EQ(ENOTBLK, errno);
	close(fd);
	EXPECT_EQ(-1, block_watch(self->q.fd, fd, 1));
	EXPECT_EQ(EBADF, errno);

	memset(&w, 0, sizeof(w));
	w.type = WATCH_TYPE_BLOCK_NOTIFY;
	w.object = WATCH_OBJECT_PATH;
	w.fd = AT_FDCWD;
	w.pathname = (uintptr_t)self->nb.node;
	EXPECT_EQ(-1, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	EXPECT_EQ(EINVAL, errno);
	memset(&w, 0, sizeof(w));
	w.type = WATCH_TYPE_BLOCK_NOTIFY;
	w.object = WATCH_OBJECT_ID;
	w.object_id = self->nb.diskseq;
	EXPECT_EQ(-1, wq_watch_ioctl(self->q.fd, &w, sizeof(w)));
	EXPECT_EQ(EINVAL, errno);
	/* The same disk twice, with the same ID or another. */
	EXPECT_EQ(0, block_watch(self->q.fd, self->dfd, 1));
	EXPECT_EQ(-1, block_watch(self->q.fd, self->dfd, 1));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, block_watch(self->q.fd, self->dfd, 2));
	EXPECT_EQ(EBUSY, errno);
	/* A watch ID another object has. */
	fd = open("/dev/vda", O_PATH | O_CLOEXEC);
	if (fd >= 0) {
		EXPECT_EQ(-1, block_watch(self->q.fd, fd, 1));
		EXPECT_EQ(EEXIST, errno);
		EXPECT_EQ(0, block_watch(self->q.fd, fd, 2));
		close(fd);
	}
}

/* A scsi_debug disk: medium errors and write protection. */
FIXTURE(sdebug) {
	struct wq_queue q;
	char node[64];
	char rescan[128];
	dev_t rdev;
	__u64 diskseq;
	int dfd;
	int added;
};

FIXTURE_VARIANT(sdebug) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(sdebug, device) { .use_pipe = 0 };
FIXTURE_VARIANT_ADD(sdebug, pipe) { .use_pipe = 1 };

/* The sdX of scsi_debug's host, the guest's only SCSI disk; 0 or -1. */
static int sdebug_disk(char *name, size_t size)
{
	struct dirent *de;
	int ret = -1;
	DIR *d;

	d = opendir("/sys/block");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "sd", 2) || strlen(de->d_name) >= size)
			continue;
		memcpy(name, de->d_name, strlen(de->d_name) + 1);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

FIXTURE_SETUP(sdebug)
{
	char name[32];
	struct stat st;
	int i;

	self->dfd = -1;
	if (access(SDEBUG_DRV "/add_host", W_OK))
		SKIP(return, "no scsi_debug");
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	ASSERT_EQ(0, wq_write_file(SDEBUG_DRV "/opts", "0"));
	ASSERT_EQ(0, wq_write_file(SDEBUG_PAR "/wp", "N"));
	/* No host left by a test that failed before its teardown. */
	for (i = 0; i < 100 && !sdebug_disk(name, sizeof(name)); i++) {
		wq_write_file(SDEBUG_DRV "/add_host", "-1");
		wq_sleep_ms(50);
	}
	ASSERT_NE(0, sdebug_disk(name, sizeof(name)));
	ASSERT_EQ(0, wq_write_file(SDEBUG_DRV "/add_host", "1"));
	self->added = 1;
	for (i = 0; i < 100 && sdebug_disk(name, sizeof(name)); i++)
		wq_sleep_ms(50);
	ASSERT_EQ(0, sdebug_disk(name, sizeof(name)));
	snprintf(self->node, sizeof(self->node), "/dev/%s", name);
	snprintf(self->rescan, sizeof(self->rescan),
		 "/sys/block/%s/device/rescan", name);
	for (i = 0; i < 100 && stat(self->node, &st); i++)
		wq_sleep_ms(50);
	ASSERT_EQ(0, stat(self->node, &st));
	self->rdev = st.st_rdev;
	/* sd probes asynchronously: the node may come before the disk. */
	for (i = 0; i < 200; i++) {
		self->dfd = open(self->node, O_RDWR | O_DIRECT | O_CLOEXEC);
		if (self->dfd >= 0)
			break;
		wq_sleep_ms(50);
	}
	ASSERT_LE(0, self->dfd) TH_LOG("open %s: %s", self->node,
				       strerror(errno));
	ASSERT_EQ(0, ioctl(self->dfd, BLKGETDISKSEQ, &self->diskseq));
}

FIXTURE_TEARDOWN(sdebug)
{
	if (self->dfd >= 0)
		close(self->dfd);
	wq_queue_close(&self->q);
	if (self->added) {
		wq_write_file(SDEBUG_DRV "/opts", "0");
		wq_write_file(SDEBUG_PAR "/wp", "N");
		wq_write_file(SDEBUG_DRV "/add_host", "-1");
	}
}

/*
 * scsi_debug with opts=2 fails reads of sectors 4660 to 4669 with a
 * MEDIUM ERROR: a MEDIUM_ERROR record, status BLK_STS_MEDIUM, ENODATA.
 * The SCSI layer may fail the request in more than one completion (the
 * good bytes first): every error record is a medium error on the sector
 * range read.
 */
TEST_F(sdebug, medium_error)
{
	unsigned char buf[WQ_REC_MAX];
	const struct block_notification *b = (const void *)buf;
	ssize_t len;
	int got = 0;

	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 5));
	ASSERT_EQ(0, wq_write_file(SDEBUG_PAR "/medium_error_start", "4664"));
	ASSERT_EQ(0, wq_write_file(SDEBUG_PAR "/medium_error_count", "8"));
	ASSERT_EQ(0, wq_write_file(SDEBUG_DRV "/opts", "2"));
	EXPECT_EQ(-ENODATA, disk_io(self->dfd, 0, 4664));
	ASSERT_EQ(0, wq_write_file(SDEBUG_DRV "/opts", "0"));

	while ((len = wq_queue_next(&self->q, buf, sizeof(buf),
				    got ? SETTLE_MS : WAIT_MS)) > 0) {
		ASSERT_EQ(BREC, len);
		EXPECT_EQ(WATCH_TYPE_BLOCK_NOTIFY, (int)wq_type(&b->watch));
		EXPECT_EQ(NOTIFY_BLOCK_MEDIUM_ERROR, (int)wq_subtype(&b->watch));
		EXPECT_EQ(5U, watchq_rec_id(&b->watch));
		EXPECT_EQ(major(self->rdev), b->dev_major);
		EXPECT_EQ(minor(self->rdev), b->dev_minor);
		EXPECT_EQ(self->diskseq, b->diskseq);
		EXPECT_EQ((__u32)OP_READ, b->op);
		EXPECT_EQ((__u32)STS_MEDIUM, b->status);
		EXPECT_EQ((__u32)ENODATA, b->error);
		EXPECT_LE(4664ULL, b->sector);
		EXPECT_GE(4664ULL + 7, b->sector);
		got++;
	}
	ASSERT_EQ(0, len);
	EXPECT_LE(1, got);
}

/*
 * Write protection seen by a rescan: set_disk_ro() posts READONLY with
 * IS_NOW_RO, and READONLY without it when it is lifted.
 */
TEST_F(sdebug, write_protect)
{
	unsigned char buf[WQ_REC_MAX];
	const struct block_notification *b = (const void *)buf;
	ssize_t len;

	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 8));
	ASSERT_EQ(0, wq_write_file(SDEBUG_PAR "/wp", "Y"));
	ASSERT_EQ(0, wq_write_file(self->rescan, "1"));
	len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ(BREC, len);
	EXPECT_EQ(NOTIFY_BLOCK_READONLY, (int)wq_subtype(&b->watch));
	EXPECT_EQ((unsigned int)NOTIFY_BLOCK_IS_NOW_RO,
		  watchq_rec_flags(&b->watch));
	EXPECT_EQ(self->diskseq, b->diskseq);

	ASSERT_EQ(0, wq_write_file(SDEBUG_PAR "/wp", "N"));
	ASSERT_EQ(0, wq_write_file(self->rescan, "1"));
	len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ(BREC, len);
	EXPECT_EQ(NOTIFY_BLOCK_READONLY, (int)wq_subtype(&b->watch));
	EXPECT_EQ(0U, watchq_rec_flags(&b->watch));
	EXPECT_EQ(0, wq_queue_next(&self->q, buf, sizeof(buf), SETTLE_MS));
}

/* Removing the SCSI host deletes the disk: the removal notice. */
TEST_F(sdebug, removal)
{
	unsigned char buf[WQ_REC_MAX];
	const struct watch_notification_removal *r = (const void *)buf;
	ssize_t len;

	ASSERT_EQ(0, block_watch(self->q.fd, self->dfd, 9));
	close(self->dfd);
	self->dfd = -1;
	ASSERT_EQ(0, wq_write_file(SDEBUG_DRV "/add_host", "-1"));
	self->added = 0;
	len = wq_queue_next(&self->q, buf, sizeof(buf), WAIT_MS);
	ASSERT_EQ((ssize_t)sizeof(*r), len);
	EXPECT_EQ(WATCH_META_REMOVAL_NOTIFICATION, (int)wq_subtype(&r->watch));
	EXPECT_EQ(self->diskseq, r->id);
}

/* IOC_WATCH_QUEUE_PROBE lists the type, its record size and subtypes. */
TEST(probe)
{
	struct {
		struct watch_queue_probe p;
		struct watch_queue_probe_type t[WATCH_TYPE__NR];
	} pr;
	const struct watch_queue_probe_type *t;
	int fd = wq_open_dev();
	unsigned int i;

	ASSERT_LE(0, fd);
	memset(&pr, 0, sizeof(pr));
	pr.p.nr_types = WATCH_TYPE__NR;
	ASSERT_EQ(0, ioctl(fd, IOC_WATCH_QUEUE_PROBE, &pr.p));
	ASSERT_LE((__u32)WATCH_TYPE_BLOCK_NOTIFY, pr.p.last_type);
	t = &pr.p.types[WATCH_TYPE_BLOCK_NOTIFY];
	EXPECT_EQ((__u32)WATCH_TYPE_BLOCK_NOTIFY, t->type);
	EXPECT_EQ((__u32)WATCH_QUEUE_PROBE_SUPPORTED, t->flags);
	EXPECT_EQ((__u32)BLOCK_NOTIFICATION_SIZE_VER0, t->record_size);
	EXPECT_EQ((__u32)BREC, t->record_size);
	EXPECT_EQ(0xfU, t->subtypes[0]);
	for (i = 1; i < 8; i++)
		EXPECT_EQ(0U, t->subtypes[i]);
	close(fd);
}

TEST_HARNESS_MAIN
