/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the watch_queue selftests: opening queues of both
 * transports, injecting records and reading them back.
 */
#ifndef _WQ_SELFTEST_H
#define _WQ_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <linux/watch_queue.h>

#include "watchq.h"

#define WQ_PAGE_SIZE	((size_t)sysconf(_SC_PAGESIZE))
#define WQ_PIPE_NOTES	64	/* Size of a wq_queue on a pipe, in notes */

/* The bit-fields of a record header, as plain values for ASSERT_EQ(). */
static inline unsigned int wq_type(const struct watch_notification *n)
{
	return n->type;
}

static inline unsigned int wq_subtype(const struct watch_notification *n)
{
	return n->subtype;
}

/* Bytes a record of @len bytes takes in the ring. */
static inline size_t wq_rec_size(size_t len)
{
	return (len + WATCH_QUEUE_SLOT_SIZE - 1) & ~(size_t)(WATCH_QUEUE_SLOT_SIZE - 1);
}

/* Open /dev/watch_queue without sizing it; -errno on failure. */
static inline int wq_open_dev(void)
{
	int fd = open(WATCHQ_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * Open a notification pipe sized for @nr_notes records.  Returns the read
 * end (the queue) and stores the write end in *@wfd; -errno on failure.
 */
static inline int wq_open_pipe(unsigned int nr_notes, int *wfd)
{
	int fds[2], ret;

	if (pipe2(fds, O_NOTIFICATION_PIPE | O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	if (ioctl(fds[0], IOC_WATCH_QUEUE_SET_SIZE, nr_notes) < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	*wfd = fds[1];
	return fds[0];
}

/*
 * Build an injectable record of @len bytes (8..127) in @buf: type USER,
 * @subtype, and a payload whose first 32-bit word is @seq and whose other
 * bytes are a pattern derived from @seq.  Returns the bytes it takes in a
 * write() buffer (len rounded up to 8), padding zeroed.
 */
static inline size_t wq_make_record(void *buf, unsigned int subtype,
				    size_t len, uint32_t seq)
{
	struct watch_notification *n = buf;
	unsigned char *p = buf;
	size_t i, size = wq_rec_size(len);

	memset(buf, 0, size);
	n->type = WATCH_TYPE_USER_NOTIFY;
	n->subtype = subtype;
	n->info = len;
	for (i = sizeof(*n); i < len; i++)
		p[i] = (unsigned char)(seq * 7 + i);
	if (len >= sizeof(*n) + sizeof(seq))
		memcpy(p + sizeof(*n), &seq, sizeof(seq));
	return size;
}

/* Check that a record read back matches wq_make_record(..., @len, @seq). */
static inline int wq_check_record(const struct watch_notification *n,
				  unsigned int subtype, size_t len,
				  uint32_t seq)
{
	unsigned char want[128];

	if (n->type != WATCH_TYPE_USER_NOTIFY || n->subtype != subtype ||
	    (n->info & WATCH_INFO_LENGTH) != len)
		return -1;
	wq_make_record(want, subtype, len, seq);
	return memcmp((const unsigned char *)n + sizeof(*n),
		      want + sizeof(*n), len - sizeof(*n)) ? -1 : 0;
}

/* Inject one record; returns write()'s result. */
static inline ssize_t wq_inject(int fd, unsigned int subtype, size_t len,
				uint32_t seq)
{
	unsigned char buf[128];
	size_t size = wq_make_record(buf, subtype, len, seq);

	return write(fd, buf, size);
}

/* The sequence number a wq_make_record() record carries. */
static inline uint32_t wq_record_seq(const struct watch_notification *n)
{
	uint32_t seq;

	memcpy(&seq, (const unsigned char *)n + sizeof(*n), sizeof(seq));
	return seq;
}

static inline long wq_keyctl(int cmd, unsigned long a2, unsigned long a3,
			     unsigned long a4, unsigned long a5)
{
	return syscall(__NR_keyctl, cmd, a2, a3, a4, a5);
}

static inline long wq_watch_key(int32_t key, int fd, int id)
{
	return wq_keyctl(KEYCTL_WATCH_KEY, key, fd, id, 0);
}

static inline int32_t wq_add_key(const char *type, const char *desc,
				 const void *payload, size_t plen,
				 int32_t ring)
{
	return syscall(__NR_add_key, type, desc, payload, plen, ring);
}

/* A deterministic pseudo-random sequence (xorshift32); @state must not be 0. */
static inline __u32 wq_rand(__u32 *state)
{
	__u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* A queue of either transport, read record by record. */
struct wq_queue {
	int use_pipe;
	int fd;			/* the device, or the pipe's read end */
	int wfd;		/* the pipe's write end */
	struct watchq q;	/* the device's ring */
	unsigned char pending[4096];	/* records read from the pipe */
	size_t pend_len, pend_off;
};

static inline int wq_queue_open(struct wq_queue *q, int use_pipe)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->use_pipe = use_pipe;
	q->fd = -1;
	q->wfd = -1;
	q->q.fd = -1;
	if (use_pipe) {
		ret = wq_open_pipe(WQ_PIPE_NOTES, &q->wfd);
		if (ret < 0)
			return ret;
		q->fd = ret;
		return 0;
	}
	ret = watchq_open(&q->q, 1);
	if (ret < 0)
		return ret;
	q->fd = q->q.fd;
	return 0;
}

/* Close the queue, which removes its watches; 0 or -errno of close(). */
static inline int wq_queue_close(struct wq_queue *q)
{
	int ret = 0;

	if (q->use_pipe) {
		if (q->fd >= 0 && close(q->fd))
			ret = -errno;
		if (q->wfd >= 0 && close(q->wfd))
			ret = -errno;
	} else if (q->fd >= 0) {
		if (munmap(q->q.ring, q->q.map_len))
			ret = -errno;
		if (close(q->fd))
			ret = -errno;
		q->q.ring = NULL;
		q->q.fd = -1;
	}
	q->fd = -1;
	q->wfd = -1;
	return ret;
}

static inline long long wq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static inline void wq_sleep_ms(int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};

	nanosleep(&ts, NULL);
}

/* The next record of the pipe's last read, or NULL (errno EPROTO if bad). */
static inline const struct watch_notification *wq_pipe_next(struct wq_queue *q)
{
	const struct watch_notification *n;
	size_t len;

	if (q->pend_off >= q->pend_len)
		return NULL;
	n = (const void *)(q->pending + q->pend_off);
	len = watchq_rec_len(n);
	if (len < sizeof(*n) || len > q->pend_len - q->pend_off) {
		errno = EPROTO;
		q->pend_off = q->pend_len;
		return NULL;
	}
	q->pend_off += len;
	return n;
}

/*
 * Copy the next record into @buf, waiting up to @timeout_ms for one.
 * Returns its length, 0 if there is none, or -1 with errno set.
 */
static inline ssize_t wq_queue_next(struct wq_queue *q, void *buf, size_t size,
				    int timeout_ms)
{
	long long end = wq_now_ms() + timeout_ms;
	const struct watch_notification *n;
	struct pollfd pfd;
	ssize_t got;
	size_t len;
	int left;

	for (;;) {
		errno = 0;
		if (q->use_pipe) {
			n = wq_pipe_next(q);
			if (!n && !errno) {
				got = read(q->fd, q->pending,
					   sizeof(q->pending));
				if (got < 0 && errno != EAGAIN)
					return -1;
				q->pend_len = got > 0 ? got : 0;
				q->pend_off = 0;
				errno = 0;
				n = wq_pipe_next(q);
			}
		} else {
			n = watchq_next(&q->q);
		}
		if (n)
			break;
		if (errno)
			return -1;
		left = end - wq_now_ms();
		if (left <= 0)
			return 0;
		if (!q->use_pipe)
			watchq_release(&q->q);
		pfd.fd = q->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return -1;
	}
	len = watchq_rec_len(n);
	if (len > size) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(buf, n, len);
	if (!q->use_pipe)
		watchq_release(&q->q);
	return len;
}

#endif /* _WQ_SELFTEST_H */
