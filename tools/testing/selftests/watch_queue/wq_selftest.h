/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the watch_queue selftests: opening queues of both
 * transports, injecting records and reading them back.
 */
#ifndef _WQ_SELFTEST_H
#define _WQ_SELFTEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/keyctl.h>
#include <linux/stat.h>
#include <linux/watch_queue.h>

#include "watchq.h"
#include "watchq_names.h"
#include "wq_syscalls.h"

#define WQ_PAGE_SIZE	((size_t)sysconf(_SC_PAGESIZE))
#define WQ_PIPE_NOTES	64	/* Size of a wq_queue on a pipe, in notes */
#define WQ_RING_SIZE	4096	/* Size of a wq_queue's ring, in bytes */

/*
 * Bound on waiting for a record or another asynchronous event: only to
 * avoid hangs, never a measure of speed.
 */
#define WAIT_MS		10000

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

static inline long wq_watch_key(int32_t key, int fd, int id)
{
	return wq_keyctl(KEYCTL_WATCH_KEY, key, fd, id, 0);
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

/**
 * wq_queue_open_sized - Open a queue of either transport, of a given size
 * @q: The queue.
 * @use_pipe: A notification pipe rather than /dev/watch_queue.
 * @notes: The pipe's size, in notes.
 * @ring_bytes: The ring's size, in bytes.
 *
 * Return: 0 or -errno.
 */
static inline int wq_queue_open_sized(struct wq_queue *q, int use_pipe,
				      unsigned int notes, uint64_t ring_bytes)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->use_pipe = use_pipe;
	q->fd = -1;
	q->wfd = -1;
	q->q.fd = -1;
	if (use_pipe) {
		ret = wq_open_pipe(notes, &q->wfd);
		if (ret < 0)
			return ret;
		q->fd = ret;
		return 0;
	}
	ret = watchq_open(&q->q, ring_bytes);
	if (ret < 0)
		return ret;
	q->fd = q->q.fd;
	return 0;
}

static inline int wq_queue_open(struct wq_queue *q, int use_pipe)
{
	return wq_queue_open_sized(q, use_pipe, WQ_PIPE_NOTES, WQ_RING_SIZE);
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
		ret = watchq_unmap(&q->q);
		if (close(q->fd))
			ret = -errno;
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

/* A watchq.h result (0 or -errno) as a system call's: 0, or -1 and errno. */
static inline long wq_ret(int ret)
{
	if (ret >= 0)
		return 0;
	errno = -ret;
	return -1;
}

/* IOC_WATCH_QUEUE_WATCH itself, of the caller's size: 0, or -1 and errno. */
static inline long wq_watch_ioctl(int fd, const void *w, size_t size)
{
	return ioctl(fd, _IOC(_IOC_WRITE, _IOC_TYPE(IOC_WATCH_QUEUE_WATCH),
			      _IOC_NR(IOC_WATCH_QUEUE_WATCH), size), w);
}

/*
 * IOC_WATCH_QUEUE_WATCH on a path without watchq.h, for the errno the
 * kernel gives; 0, or -1 and errno.
 */
static inline long wq_raw_watch_path(int fd, unsigned int type, int dfd,
				     const char *path, unsigned int at_flags,
				     unsigned int id)
{
	struct watch_queue_watch w = {
		.type = type,
		.watch_id = id,
		.object = WATCH_OBJECT_PATH,
		.fd = dfd,
		.pathname = (uintptr_t)path,
		.at_flags = at_flags,
	};

	return ioctl(fd, IOC_WATCH_QUEUE_WATCH, &w);
}

/* Watch the mount @path is on, through watchq.h; 0, or -1 and errno. */
static inline long wq_mount_watch(int dfd, const char *path,
				  unsigned int at_flags, int fd,
				  unsigned int id)
{
	return wq_ret(watchq_watch_mount(fd, dfd, path, at_flags, id));
}

/* Watch the superblock @path is on, through watchq.h. */
static inline long wq_sb_watch(int dfd, const char *path,
			       unsigned int at_flags, int fd, unsigned int id)
{
	return wq_ret(watchq_watch_sb(fd, dfd, path, at_flags, id));
}

/* Remove the watch of @type with @id, through watchq.h. */
static inline long wq_unwatch(int fd, unsigned int type, unsigned int id)
{
	return wq_ret(watchq_unwatch(fd, type, id));
}

#define wq_mount_unwatch(fd, id)	wq_unwatch(fd, WATCH_TYPE_MOUNT_NOTIFY, id)
#define wq_sb_unwatch(fd, id)		wq_unwatch(fd, WATCH_TYPE_SB_NOTIFY, id)

/*
 * statmount() of the mount @path is on, the fields @mask asks for, into
 * @sm; 0, or -1 with errno set.
 */
static inline int wq_statmount_path(const char *path, __u64 mask,
				    struct statmount *sm, size_t size)
{
	struct mnt_id_req req = { .size = sizeof(req) };
	struct statx stx;

	memset(&stx, 0, sizeof(stx));
	if (wq_statx(AT_FDCWD, path, 0, STATX_MNT_ID_UNIQUE, &stx))
		return -1;
	req.mnt_id = stx.stx_mnt_id;
	req.param = mask;
	return wq_statmount(&req, sm, size, 0) ? -1 : 0;
}

/* The sb_id statmount() reports for the filesystem @path is on; 0 if none. */
static inline __u64 wq_sb_id(const char *path)
{
	struct statmount sm;

	if (wq_statmount_path(path, STATMOUNT_SB_ID, &sm, sizeof(sm)))
		return 0;
	if (!(sm.mask & STATMOUNT_SB_ID)) {
		errno = EOPNOTSUPP;
		return 0;
	}
	return sm.sb_id;
}

/* The mnt_ns_id of the mount @path is on; 0 if statmount() fails. */
static inline __u64 wq_mnt_ns_id(const char *path)
{
	struct statmount sm;

	if (wq_statmount_path(path, STATMOUNT_MNT_NS_ID, &sm, sizeof(sm)))
		return 0;
	return sm.mnt_ns_id;
}

/*
 * The unique ID (statx() STATX_MNT_ID_UNIQUE) of the mount that @path is
 * on; @at_flags as for statx().  0 with errno set on failure.
 */
static inline __u64 wq_mount_id(int dfd, const char *path,
				unsigned int at_flags)
{
	struct statx stx;

	memset(&stx, 0, sizeof(stx));
	if (wq_statx(dfd, path, at_flags, STATX_MNT_ID_UNIQUE, &stx))
		return 0;
	if (!(stx.stx_mask & STATX_MNT_ID_UNIQUE)) {
		errno = EOPNOTSUPP;
		return 0;
	}
	return stx.stx_mnt_id;
}

/* Write @text to @path, such as /proc/self/uid_map; 0 or -1. */
static inline int wq_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = strlen(text);

	if (fd < 0)
		return -1;
	if (write(fd, text, len) != len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* The value of the line of /proc/meminfo that starts with @key, or -1. */
static inline long wq_meminfo_kib(const char *key)
{
	size_t len = strlen(key);
	char line[128];
	long kib = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len)) {
			kib = strtol(line + len, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kib;
}

/* Become uid and gid 65534 with no supplementary groups: no capabilities. */
static inline int wq_become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -1;
	return 0;
}

/*
 * Open /dev/kmsg positioned after the messages logged so far, to look for
 * kernel reports that a test caused; -errno on failure.
 */
static inline int wq_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * The patterns of kernel reports, one POSIX extended regular expression a
 * line: the harness's own list (harness/guest/kernel-log-reports), which
 * the guest's /init and the host check the whole kernel log against, and
 * which the initramfs installs here.  WQ_KERNEL_REPORTS in the environment
 * names another file.
 */
#define WQ_KERNEL_REPORTS	"/usr/share/watchq/kernel-log-reports"
#define WQ_MAX_REPORTS		64

/*
 * Compile the patterns into @re, @max at most; how many, or -errno (the
 * patterns file unreadable, a bad pattern: -EINVAL).
 */
static inline int wq_kmsg_patterns(regex_t *re, int max)
{
	const char *path = getenv("WQ_KERNEL_REPORTS");
	char line[512];
	FILE *f;
	int n = 0;

	f = fopen(path ? path : WQ_KERNEL_REPORTS, "re");
	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		if (regcomp(&re[n], line, REG_EXTENDED | REG_NOSUB)) {
			while (n--)
				regfree(&re[n]);
			fclose(f);
			return -EINVAL;
		}
		n++;
	}
	fclose(f);
	return n ? n : -ENODATA;
}

/*
 * Look through the kernel messages logged since wq_kmsg_open() (or the
 * last call) for a BUG, WARNING, KASAN, UBSAN, lockdep or similar report,
 * as the patterns of WQ_KERNEL_REPORTS define them.  Returns 1 with the
 * first such message in @buf, 0 if there is none, or -errno (with what
 * went wrong in @buf: a test must not pass because it could not look).
 */
static inline int wq_kmsg_report(int fd, char *buf, size_t size)
{
	regex_t re[WQ_MAX_REPORTS];
	char rec[8192], *msg, *end;
	int i, nr, ret = 0;
	ssize_t len;

	nr = wq_kmsg_patterns(re, WQ_MAX_REPORTS);
	if (nr < 0) {
		snprintf(buf, size, "reading the report patterns %s: %s",
			 WQ_KERNEL_REPORTS, strerror(-nr));
		return nr;
	}
	while (!ret) {
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;	/* overwritten messages */
		if (len < 0) {
			ret = errno == EAGAIN ? 0 : -errno;
			break;
		}
		rec[len] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		for (i = 0; i < nr; i++) {
			if (regexec(&re[i], msg, 0, NULL, 0))
				continue;
			len = strlen(msg);
			if ((size_t)len >= size)
				len = size - 1;
			memcpy(buf, msg, len);
			buf[len] = '\0';
			ret = 1;
			break;
		}
	}
	for (i = 0; i < nr; i++)
		regfree(&re[i]);
	return ret;
}

#define WQ_REC_MAX	128	/* Largest record the tests read */

/*
 * Read records into @recs, their lengths into @lens, @max at most: wait up
 * to @timeout_ms in all for @want of them, then up to @settle_ms for each
 * further one, which the caller did not expect.  Returns how many were
 * read, or -1 with errno set.
 */
static inline int wq_collect(struct wq_queue *q,
			     unsigned char (*recs)[WQ_REC_MAX], size_t *lens,
			     int max, int want, int timeout_ms, int settle_ms)
{
	long long end = wq_now_ms() + timeout_ms;
	long long left;
	ssize_t len;
	int n = 0;

	while (n < max) {
		left = n < want ? end - wq_now_ms() : settle_ms;
		len = wq_queue_next(q, recs[n], WQ_REC_MAX,
				    left > 0 ? (int)left : 0);
		if (len < 0)
			return -1;
		if (len == 0)
			break;
		lens[n++] = len;
	}
	return n;
}

/*
 * A record that a test expects.  Mount records: @obj is mnt_parent_id,
 * @aux mnt_id, @ns mnt_ns_id (0: wq_expect_ns_id, the test's namespace);
 * an ATTR record's mnt_attr must have the bits of @attr_set and none of
 * @attr_clr, and its mnt_propagation must be @prop unless that is 0.
 * Superblock records: @obj is sb_id, @dev the device number (0: not
 * checked).  Removal notices: @obj is the object's ID.
 */
struct wq_want {
	unsigned int type;
	unsigned int subtype;
	unsigned int flags;	/* WATCH_INFO_TYPE_INFO bits */
	unsigned int id;	/* watch ID */
	__u64 obj;
	__u64 aux;
	__u64 ns;
	__u64 attr_set, attr_clr, prop;	/* mount ATTR records */
	__u32 dev;		/* superblock records */
	__u32 error;		/* superblock errors: error_number */
	__u32 cookie;		/* superblock errors: error_cookie */
	__u32 qtype, warning;	/* superblock quota records */
	__u64 qid;
	__u64 change;		/* the record's change counter, 0 for any */
};

/* The mnt_ns_id that mount records are expected to carry by default. */
static __u64 wq_expect_ns_id;

/* Names for mount IDs in the log, as a test gives them. */
struct wq_name {
	__u64 id;
	char name[48];
};

#define WQ_NAMES	64

static inline struct wq_name *wq_names(void)
{
	static struct wq_name names[WQ_NAMES];

	return names;
}

static inline void wq_name_id(__u64 id, const char *name)
{
	struct wq_name *names = wq_names();
	int i;

	for (i = 0; i < WQ_NAMES - 1 && names[i].id && names[i].id != id; i++)
		;
	names[i].id = id;
	snprintf(names[i].name, sizeof(names[i].name), "%s", name);
}

/* @id's name if it has one, else the number; in @buf. */
static inline const char *wq_id_name(__u64 id, char *buf, size_t size)
{
	struct wq_name *names = wq_names();
	int i;

	for (i = 0; i < WQ_NAMES && names[i].id; i++) {
		if (names[i].id == id) {
			snprintf(buf, size, "%s(%#llx)", names[i].name,
				 (unsigned long long)id);
			return buf;
		}
	}
	snprintf(buf, size, "%#llx", (unsigned long long)id);
	return buf;
}

/* "mount/attach" and the like, for the log; in @buf. */
static inline const char *wq_rec_name(unsigned int type, unsigned int subtype,
				      char *buf, size_t size)
{
	const char *tn = watchq_type_name(type);
	const char *sn = watchq_subtype_name(type, subtype);

	if (tn && sn)
		snprintf(buf, size, "%s/%s", tn, sn);
	else
		snprintf(buf, size, "type %u/%u", type, subtype);
	return buf;
}

/* wq_id_name() as a watchq_id_namer. */
static inline const char *wq_id_namer(uint64_t id, char *buf, size_t size)
{
	return wq_id_name(id, buf, size);
}

/* Describe a record, or what wq_queue_next() returned, for the log. */
static inline void wq_describe(const void *buf, ssize_t len, char *s,
			       size_t size)
{
	watchq_describe(buf, len, s, size, wq_id_namer);
}

static inline void wq_describe_want(const struct wq_want *w, char *s,
				    size_t size)
{
	char b1[80], b2[80];
	int o;

	o = snprintf(s, size, "%s id %u flags %#x",
		     wq_rec_name(w->type, w->subtype, b1, sizeof(b1)), w->id,
		     w->flags);
	if (o < 0 || (size_t)o >= size)
		return;
	s += o;
	size -= o;
	switch (w->type) {
	case WATCH_TYPE_MOUNT_NOTIFY:
		o = snprintf(s, size, " parent %s mnt %s ns %llu",
			     wq_id_name(w->obj, b1, sizeof(b1)),
			     wq_id_name(w->aux, b2, sizeof(b2)),
			     (unsigned long long)(w->ns ? w->ns :
						  wq_expect_ns_id));
		if (o > 0 && (size_t)o < size &&
		    w->subtype == NOTIFY_MOUNT_ATTR)
			snprintf(s + o, size - o,
				 " attr +%#llx -%#llx propagation %#llx",
				 (unsigned long long)w->attr_set,
				 (unsigned long long)w->attr_clr,
				 (unsigned long long)w->prop);
		break;
	case WATCH_TYPE_SB_NOTIFY:
		o = snprintf(s, size, " sb %#llx dev %#x",
			     (unsigned long long)w->obj, w->dev);
		if (o <= 0 || (size_t)o >= size)
			break;
		if (w->subtype == NOTIFY_SUPERBLOCK_ERROR)
			snprintf(s + o, size - o, " error %u cookie %u",
				 w->error, w->cookie);
		else if (w->subtype == NOTIFY_SUPERBLOCK_EDQUOT)
			snprintf(s + o, size - o,
				 " qtype %u qid %llu warning %u", w->qtype,
				 (unsigned long long)w->qid, w->warning);
		break;
	default:
		snprintf(s, size, " object %s",
			 wq_id_name(w->obj, b1, sizeof(b1)));
	}
}

/* Does the mount record @m of @len bytes match @w? */
static inline int wq_match_mount(const struct wq_want *w,
				 const struct mount_notification *m,
				 size_t len)
{
	const struct mount_attr_notification *ma = (const void *)m;
	const struct mount_topology_notification *t = (const void *)m;
	__u64 ns = w->ns ? w->ns : wq_expect_ns_id;

	if (m->mnt_parent_id != w->obj || m->mnt_id != w->aux ||
	    m->mnt_ns_id != ns)
		return 0;
	/* Every change counts: the counter is never 0 after one. */
	if (w->subtype != NOTIFY_MOUNT_ATTR)
		return len == sizeof(*t) && t->mnt_ns_change &&
		       (!w->change || t->mnt_ns_change == w->change);
	return len == sizeof(*ma) && ma->mnt_ns_change &&
	       (!w->change || ma->mnt_ns_change == w->change) &&
	       (ma->mnt_attr & w->attr_set) == w->attr_set &&
	       !(ma->mnt_attr & w->attr_clr) &&
	       (!w->prop || ma->mnt_propagation == w->prop);
}

/* Does the superblock record @sb of @len bytes match @w? */
static inline int wq_match_sb(const struct wq_want *w,
			      const struct superblock_notification *sb,
			      size_t len)
{
	const struct superblock_state_notification *st = (const void *)sb;
	const struct superblock_error_notification *e = (const void *)sb;
	const struct superblock_quota_notification *qn = (const void *)sb;

	if (sb->sb_id != w->obj ||
	    (w->dev && makedev(sb->sb_dev_major, sb->sb_dev_minor) != w->dev))
		return 0;
	/* Every change counts: the counter is never 0 after one. */
	switch (w->subtype) {
	case NOTIFY_SUPERBLOCK_ERROR:
		return len == sizeof(*e) && e->error_number == w->error &&
		       e->error_cookie == w->cookie && e->sb_change &&
		       (!w->change || e->sb_change == w->change);
	case NOTIFY_SUPERBLOCK_EDQUOT:
		return len == sizeof(*qn) && qn->quota_type == w->qtype &&
		       qn->quota_id == w->qid && qn->warning == w->warning &&
		       qn->sb_change &&
		       (!w->change || qn->sb_change == w->change);
	}
	return len == sizeof(*st) && st->sb_change &&
	       (!w->change || st->sb_change == w->change);
}

/* Does the record @buf of @len bytes match @w exactly? */
static inline int wq_match(const struct wq_want *w, const void *buf,
			   size_t len)
{
	const struct watch_notification *n = buf;
	const struct watch_notification_removal *r = buf;

	if (len < sizeof(*n) || watchq_rec_len(n) != len ||
	    wq_type(n) != w->type || wq_subtype(n) != w->subtype ||
	    watchq_rec_id(n) != w->id || watchq_rec_flags(n) != w->flags)
		return 0;
	switch (w->type) {
	case WATCH_TYPE_MOUNT_NOTIFY:
		return len >= sizeof(struct mount_notification) &&
		       wq_match_mount(w, buf, len);
	case WATCH_TYPE_SB_NOTIFY:
		return len >= sizeof(struct superblock_notification) &&
		       wq_match_sb(w, buf, len);
	case WATCH_TYPE_META:
		return len == sizeof(*r) && r->id == w->obj;
	}
	return 0;
}

/*
 * Read the records a test expects, @nr_want of them, in the order of @want
 * if @ordered, else in any order, and check that no other record follows
 * within @settle_ms.  1 if so, else 0 with what differed in @err.
 */
static inline int wq_check_recs(struct wq_queue *q, const struct wq_want *want,
				int nr_want, int ordered, int timeout_ms,
				int settle_ms, char *err, size_t size)
{
	unsigned char recs[64][WQ_REC_MAX];
	size_t lens[64], o = 0;
	char used[64] = { 0 };
	int n, i, j, ok = 1;
	char d[256];

	err[0] = '\0';
	n = wq_collect(q, recs, lens, 64, nr_want, timeout_ms, settle_ms);
	if (n < 0) {
		snprintf(err, size, "reading the queue: %s", strerror(errno));
		return 0;
	}
	for (i = 0; i < n; i++) {
		for (j = ordered ? i : 0; j < nr_want; j++) {
			if (!used[j] && wq_match(&want[j], recs[i], lens[i]))
				break;
			if (ordered)
				j = nr_want - 1;
		}
		if (j < nr_want) {
			used[j] = 1;
			continue;
		}
		ok = 0;
		wq_describe(recs[i], lens[i], d, sizeof(d));
		if (o < size)
			o += snprintf(err + o, size - o, "%s#%d: %s",
				      o ? "; unexpected " : "unexpected ",
				      i, d);
	}
	for (j = 0; j < nr_want; j++) {
		if (used[j])
			continue;
		ok = 0;
		wq_describe_want(&want[j], d, sizeof(d));
		if (o < size)
			o += snprintf(err + o, size - o, "%smissing %s",
				      o ? "; " : "", d);
	}
	return ok;
}

/*
 * cgroup v2, for tests of what is charged to a memory cgroup: a test mounts
 * its own cgroup2 at a temporary directory (the guest has no systemd to do
 * it), makes a child group with the memory controller and moves a process
 * into it.
 */

/**
 * struct wq_cgroup - A child cgroup made for one test
 * @mnt: The temporary directory cgroup2 is mounted at.
 * @path: The child group, under @mnt.
 */
struct wq_cgroup {
	char mnt[64];
	char path[128];
};

/*
 * The memory controller charges its page counter, memory.current, in
 * batches of up to this many pages through a per-CPU stock, so that
 * memory.current runs ahead of what the group really uses by 0 to this
 * many pages for each CPU that charged it (MEMCG_CHARGE_BATCH of
 * include/linux/memcontrol.h).
 */
#define WQ_MEMCG_BATCH	64

/**
 * wq_cg_write - Write a string to a control file
 * @dir: The group's directory.
 * @file: The control file, e.g. "memory.max".
 * @val: The string to write.
 *
 * Return: 0 or -errno.
 */
static inline int wq_cg_write(const char *dir, const char *file,
			      const char *val)
{
	char path[256];
	ssize_t len = strlen(val);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/**
 * wq_cg_read_file - Read a control file into a string
 * @dir: The group's directory.
 * @file: The control file.
 * @buf: Where to put its contents, NUL-terminated.
 * @size: Size of @buf.
 *
 * Return: 0 or -errno.
 */
static inline int wq_cg_read_file(const char *dir, const char *file,
				  char *buf, size_t size)
{
	char path[256];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	if (len < 0) {
		len = -errno;
		close(fd);
		return len;
	}
	buf[len] = '\0';
	close(fd);
	return 0;
}

/**
 * wq_cg_read - Read a control file that holds one number
 * @dir: The group's directory.
 * @file: The control file, e.g. "memory.current".
 *
 * Return: The number (INT64_MAX for "max"), or -errno.
 */
static inline long long wq_cg_read(const char *dir, const char *file)
{
	char buf[64];
	int ret;

	ret = wq_cg_read_file(dir, file, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (!strncmp(buf, "max", 3))
		return INT64_MAX;
	return strtoll(buf, NULL, 10);
}

/**
 * wq_cg_key - Read one entry of a flat-keyed control file
 * @dir: The group's directory.
 * @file: The control file, e.g. "memory.events" or "memory.stat".
 * @key: The entry, e.g. "oom_kill".
 *
 * Return: Its value, or -ENOENT if there is no such entry, or -errno.
 */
static inline long long wq_cg_key(const char *dir, const char *file,
				  const char *key)
{
	char buf[8192], *line;
	size_t klen = strlen(key);
	int ret;

	ret = wq_cg_read_file(dir, file, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	for (line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return strtoll(line + klen + 1, NULL, 10);
	}
	return -ENOENT;
}

/**
 * wq_cg_setup - Mount cgroup2 and make a child group with memory control
 * @cg: Filled in.
 *
 * Mount cgroup2 at a new temporary directory (the same hierarchy as any
 * other mount of cgroup2), enable the memory controller for the root's
 * children, and make an empty child group.  Needs CAP_SYS_ADMIN.  Undo
 * with wq_cg_cleanup().
 *
 * Return: 0; -EOPNOTSUPP if the kernel has no cgroup v2 or no memory
 * controller (a test should then skip); or -errno.
 */
static inline int wq_cg_setup(struct wq_cgroup *cg)
{
	static unsigned int seq;
	char buf[256];
	int ret;

	memset(cg, 0, sizeof(*cg));
	snprintf(cg->mnt, sizeof(cg->mnt), "/tmp/wq-cgroup.XXXXXX");
	if (!mkdtemp(cg->mnt))
		return -errno;
	if (mount("none", cg->mnt, "cgroup2", 0, NULL)) {
		ret = errno == ENODEV ? -EOPNOTSUPP : -errno;
		goto err_rmdir;
	}
	ret = wq_cg_read_file(cg->mnt, "cgroup.controllers", buf, sizeof(buf));
	if (ret < 0)
		goto err_umount;
	if (!strstr(buf, "memory")) {
		ret = -EOPNOTSUPP;
		goto err_umount;
	}
	ret = wq_cg_write(cg->mnt, "cgroup.subtree_control", "+memory");
	if (ret < 0)
		goto err_umount;
	snprintf(cg->path, sizeof(cg->path), "%s/wq-%d-%u", cg->mnt,
		 (int)getpid(), seq++);
	if (mkdir(cg->path, 0755)) {
		ret = -errno;
		goto err_umount;
	}
	return 0;

err_umount:
	umount2(cg->mnt, MNT_DETACH);
err_rmdir:
	rmdir(cg->mnt);
	cg->path[0] = '\0';
	cg->mnt[0] = '\0';
	return ret;
}

/**
 * wq_cg_enter - Move a process into the child group
 * @cg: The group, from wq_cg_setup().
 * @pid: The process, or 0 for the caller.
 *
 * Charges already made stay where they are: only what the process
 * allocates from now on is charged to the group.
 *
 * Return: 0 or -errno.
 */
static inline int wq_cg_enter(const struct wq_cgroup *cg, pid_t pid)
{
	char val[32];

	snprintf(val, sizeof(val), "%d\n", (int)pid);
	return wq_cg_write(cg->path, "cgroup.procs", val);
}

/**
 * wq_cg_cleanup - Remove the child group and unmount cgroup2
 * @cg: The group, from wq_cg_setup(); nothing is done if it was not set up.
 *
 * Every process moved into the group must have exited and been reaped.
 * Removing a group is refused while it is populated; a reaped task may take
 * a moment to leave it, so this retries for up to two seconds.
 *
 * Return: 0 or -errno of the last rmdir() of the group.
 */
static inline int wq_cg_cleanup(struct wq_cgroup *cg)
{
	int i, ret = 0;

	if (!cg->mnt[0])
		return 0;
	for (i = 0; cg->path[0] && i < 200; i++) {
		ret = rmdir(cg->path) ? -errno : 0;
		if (ret != -EBUSY)
			break;
		wq_sleep_ms(10);
	}
	umount2(cg->mnt, MNT_DETACH);
	rmdir(cg->mnt);
	cg->path[0] = '\0';
	cg->mnt[0] = '\0';
	return ret;
}

/**
 * wq_pin_cpu - Run the caller on one CPU only
 * @cpu: The CPU.
 *
 * A process that is pinned before it enters a new group charges that group
 * from one per-CPU stock only, so that memory.current is then within
 * WQ_MEMCG_BATCH pages of what the group really uses.
 *
 * Return: 0 or -errno.
 */
static inline int wq_pin_cpu(int cpu)
{
	unsigned long mask[16] = { 0 };

	if (cpu < 0 || cpu >= (int)(8 * sizeof(mask)))
		return -EINVAL;
	mask[cpu / (8 * sizeof(mask[0]))] = 1UL << (cpu % (8 * sizeof(mask[0])));
	return syscall(__NR_sched_setaffinity, 0, sizeof(mask), mask) ? -errno : 0;
}

/**
 * wq_slab_flush - Make the slab allocators give back freed objects
 * @prefix: Flush the caches whose names start with this, such as
 *	"kmalloc-cg-" for the memory-cgroup-charged kmalloc() caches.
 *
 * Freed objects stay charged to their memory cgroup until the allocator
 * really frees them, and KASAN keeps them in a quarantine for a while:
 * shrinking a cache (/sys/kernel/slab/NAME/shrink) takes its objects out of
 * it, so that memory.current shows what is still in use.  Does nothing
 * where that interface is missing.
 */
static inline void wq_slab_flush(const char *prefix)
{
	char path[320];
	struct dirent *de;
	DIR *dir;
	int fd;

	dir = opendir("/sys/kernel/slab");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 de->d_name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (write(fd, "1", 1) < 0)
			errno = 0;
		close(fd);
	}
	closedir(dir);
}

/*
 * A child process that runs @fn, which talks through @in (commands from the
 * parent) and @out (reports to it).  Closing the parent's end of @in tells
 * the child to finish.
 */
struct kid {
	pid_t pid;
	int to;		/* parent -> kid */
	int from;	/* kid -> parent */
};

/**
 * kid_start - Fork a child that runs @fn(@arg, in, out) and exits with
 * its return value
 * @k: Filled in with the child and the parent's ends of the two pipes.
 * @fn: What the child runs.
 * @arg: Its argument.
 *
 * Return: the child's pid, or -1.
 */
static inline pid_t kid_start(struct kid *k,
			      int (*fn)(void *arg, int in, int out), void *arg)
{
	int a[2], b[2];

	if (pipe(a) < 0 || pipe(b) < 0)
		return -1;
	k->pid = fork();
	if (k->pid == 0) {
		/* A parent that stops listening must not kill the kid. */
		signal(SIGPIPE, SIG_IGN);
		close(a[1]);
		close(b[0]);
		_exit(fn(arg, a[0], b[1]));
	}
	close(a[0]);
	close(b[1]);
	k->to = a[1];
	k->from = b[0];
	return k->pid;
}

/**
 * kid_finish - Tell the kid to finish (close its pipes) and reap it
 * @k: The kid.
 *
 * Return: its exit status, 128 + the signal that killed it, or -1.
 */
static inline int kid_finish(struct kid *k)
{
	int status;

	if (k->to >= 0)
		close(k->to);
	if (k->from >= 0)
		close(k->from);
	k->to = -1;
	k->from = -1;
	if (waitpid(k->pid, &status, 0) != k->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Report one value to the other side of a kid's pipe: 0 or -1. */
static inline int put_u64(int fd, __u64 v)
{
	return write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : -1;
}

/* Read one value the other side reported, or all-ones if it did not. */
static inline __u64 get_u64(int fd)
{
	__u64 v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return ~0ULL;
	return v;
}

/* Block until the parent closes @in. */
static inline void wait_eof(int in)
{
	char c;

	while (read(in, &c, 1) > 0)
		;
}

/*
 * Function call IPIs taken so far, all CPUs together (the "Function call
 * interrupts" line of /proc/interrupts), or -1 if there is no such line.
 * Patching a static branch's kernel text interrupts every other CPU.
 */
static inline long long wq_call_ipis(void)
{
	char line[4096], *p, *end;
	long long sum = -1;
	FILE *f;

	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "Function call interrupts"))
			continue;
		p = strchr(line, ':');
		if (!p)
			break;
		sum = 0;
		for (p++;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
		break;
	}
	fclose(f);
	return sum;
}

#endif /* _WQ_SELFTEST_H */
