/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Record assertions and mount helpers shared by the selftests of the
 * notification sources.  Include after kselftest_harness.h and
 * wq_selftest.h.
 */
#ifndef WQ_RECORDS_H
#define WQ_RECORDS_H

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define SETTLE_MS	200	/* Time for an unexpected record to show */

/*
 * The expected record: mount event @st with @flags for the watch @wid,
 * about the mount @mnt_id, whose parent (as the subtype says) is @parent,
 * in the test's mount namespace (wq_expect_ns_id).
 */
#define MNT(st, fl, wid, parent, mnt_id) {				\
	.type = WATCH_TYPE_MOUNT_NOTIFY, .subtype = NOTIFY_MOUNT_##st,	\
	.flags = (fl), .id = (wid), .obj = (parent), .aux = (mnt_id) }

/* The same, in the mount namespace @ns_id. */
#define MNT_NS(st, fl, wid, parent, mnt_id, ns_id) {			\
	.type = WATCH_TYPE_MOUNT_NOTIFY, .subtype = NOTIFY_MOUNT_##st,	\
	.flags = (fl), .id = (wid), .obj = (parent), .aux = (mnt_id),	\
	.ns = (ns_id) }

/*
 * An ATTR record about @mnt_id, whose parent is @parent: its mnt_attr has
 * the MOUNT_ATTR_* bits @set and none of @clr.
 */
#define MATTR(fl, wid, parent, mnt_id, set, clr) {			\
	.type = WATCH_TYPE_MOUNT_NOTIFY, .subtype = NOTIFY_MOUNT_ATTR,	\
	.flags = (fl), .id = (wid), .obj = (parent), .aux = (mnt_id),	\
	.attr_set = (set), .attr_clr = (clr) }

/* The same, with the propagation @propagation (MS_SHARED, ...). */
#define MATTR_PROP(fl, wid, parent, mnt_id, propagation) {		\
	.type = WATCH_TYPE_MOUNT_NOTIFY, .subtype = NOTIFY_MOUNT_ATTR,	\
	.flags = (fl), .id = (wid), .obj = (parent), .aux = (mnt_id),	\
	.prop = (propagation) }

/* The removal notice of the watch @wid on the object @obj_id. */
#define GONE(wid, obj_id) {						\
	.type = WATCH_TYPE_META,					\
	.subtype = WATCH_META_REMOVAL_NOTIFICATION,			\
	.id = (wid), .obj = (obj_id) }

/* Exactly these records must be queued, @ordered or in any order. */
#define CHECK_RECS(q, ordered, ...) do {				\
	const struct wq_want _w[] = { __VA_ARGS__ };			\
	char _err[2048];						\
									\
	ASSERT_TRUE(wq_check_recs(q, _w, ARRAY_SIZE(_w), ordered,	\
				  WAIT_MS, SETTLE_MS, _err,		\
				  sizeof(_err)))			\
		TH_LOG("%s", _err);					\
} while (0)

#define ASSERT_RECS(q, ...)		CHECK_RECS(q, 0, __VA_ARGS__)
#define ASSERT_RECS_IN_ORDER(q, ...)	CHECK_RECS(q, 1, __VA_ARGS__)

#define ASSERT_NO_RECS(q) do {						\
	char _err[2048];						\
									\
	ASSERT_TRUE(wq_check_recs(q, NULL, 0, 0, 0, SETTLE_MS, _err,	\
				  sizeof(_err)))			\
		TH_LOG("%s", _err);					\
} while (0)

/* @call must fail with @err. */
#define ASSERT_FAILS(err, call) do {					\
	int _want = (err);						\
	long _ret;							\
									\
	errno = 0;							\
	_ret = (call);							\
	ASSERT_EQ(-1, _ret);						\
	ASSERT_EQ(_want, errno)						\
		TH_LOG("%s: want %s, got %s", #call, strerror(_want),	\
		       strerror(errno));				\
} while (0)

/* @rel under the test's directory, in one of a few rotating buffers. */
static inline const char *at(const char *base, const char *rel)
{
	static char bufs[8][256];
	static unsigned int i;
	char *p = bufs[i++ % 8];

	snprintf(p, sizeof(bufs[0]), "%s/%s", base, rel);
	return p;
}

#define AT(rel)	at(self->base, rel)

/* Mount a tmpfs on @path, making the directory first if need be. */
static inline int mount_tmpfs(const char *path, const char *options)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return -1;
	return mount("wqtest", path, "tmpfs", 0, options);
}

/* The kernel log since wq_kmsg_open() gave @kmsg must show no report. */
#define EXPECT_NO_KERNEL_REPORT(kmsg) do {				\
	int _kmsg = (kmsg);						\
	char _report[512];						\
									\
	if (_kmsg >= 0) {						\
		EXPECT_EQ(0, wq_kmsg_report(_kmsg, _report,		\
					    sizeof(_report)))		\
			TH_LOG("kernel report: %s", _report);		\
		close(_kmsg);						\
	}								\
} while (0)

/*
 * A thread that runs @op once per round, in lockstep with the test: the
 * test calls wq_race_go(), does its part, then wq_race_wait(), after which
 * @ret and @err hold what @op returned and its errno.
 */
struct wq_race {
	pthread_barrier_t start, end;
	pthread_t thread;
	char path[256];			/* For @op */
	int flags;			/* For @op */
	int stop;
	int ret, err;
	int (*op)(struct wq_race *r);
};

static inline void *wq_race_thread(void *arg)
{
	struct wq_race *r = arg;

	for (;;) {
		pthread_barrier_wait(&r->start);
		if (r->stop)
			return NULL;
		r->ret = r->op(r);
		r->err = r->ret ? errno : 0;
		pthread_barrier_wait(&r->end);
	}
}

/* Start @r's thread running @op; 0 or -1. */
static inline int wq_race_start(struct wq_race *r, int (*op)(struct wq_race *r))
{
	r->op = op;
	if (pthread_barrier_init(&r->start, NULL, 2) ||
	    pthread_barrier_init(&r->end, NULL, 2))
		return -1;
	return pthread_create(&r->thread, NULL, wq_race_thread, r) ? -1 : 0;
}

static inline void wq_race_go(struct wq_race *r)
{
	pthread_barrier_wait(&r->start);
}

static inline void wq_race_wait(struct wq_race *r)
{
	pthread_barrier_wait(&r->end);
}

/* End @r's thread. */
static inline void wq_race_stop(struct wq_race *r)
{
	r->stop = 1;
	pthread_barrier_wait(&r->start);
	pthread_join(r->thread, NULL);
	pthread_barrier_destroy(&r->start);
	pthread_barrier_destroy(&r->end);
}

#endif /* WQ_RECORDS_H */
