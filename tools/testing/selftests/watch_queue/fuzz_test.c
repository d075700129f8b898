// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded, seeded fuzzer of /dev/watch_queue, notification pipes and
 * every watch system call.
 *
 * Several processes of several threads each run a fixed number of random
 * operations, from a seed: open and close queues of both transports,
 * every IOC_WATCH_QUEUE_* ioctl with random and boundary arguments on
 * both, raw 'W' ioctls, mmap/munmap/mremap/madvise/mprotect of the rings,
 * fork (and exec) with mapped rings, write() of random and boundary
 * records, random values in the consumer's part of the ring and attempts
 * on the read-only header, and watches added and removed with random IDs
 * on keys, mounts, mount namespaces, superblocks, user and pid
 * namespaces, pidfds and a null_blk disk.  Meanwhile background workers
 * make every source post: key updates and links, mount and unmount churn
 * and remounts ro/rw on a tmpfs, unshare/setns/exit, fork/exec/exit, and
 * I/O errors on null_blk (the worker is left out if there is no null_blk).
 *
 * The kernel refusing bad input is expected.  The run fails on a process
 * killed by a signal (a fault reading a ring that must stay valid; the
 * accesses are only made where a fault means a bug), on a broken
 * invariant (a record with a length out of bounds, a head more than the
 * ring's size ahead of the tail, a header that changed geometry, a
 * mapping the kernel should have refused), on a quiet queue whose
 * delivered + lost records differ from those posted, and on any kernel
 * report in the log.
 *
 * WQ_FUZZ_SEED and WQ_FUZZ_OPS in the environment set the seed (default:
 * the time) and the number of operations (default FUZZ_OPS_DEFAULT, the
 * figure make check runs); the seed is printed first and with any
 * failure, and "make fuzz SEED=... OPS=..." reruns it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"
#include "wq_nullb.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

/* Operations make check runs: about two minutes on the debug kernel under TCG. */
#define FUZZ_OPS_DEFAULT	20000
#define FUZZ_PROCS		2	/* fuzzing processes */
#define FUZZ_THREADS		3	/* threads in each */
#define FUZZ_SLOTS		6	/* queues a thread holds at most */
#define FUZZ_MAPS		8	/* extra mappings a thread holds at most */
#define FUZZ_DIR		"/tmp/wqfuzz"
#define FUZZ_SUB		FUZZ_DIR "/m"
#define FUZZ_MSG		512
#define FUZZ_MAX_TYPE		16	/* types above this are findings */
#define FUZZ_QUIET_POSTS	2000	/* records the quiet worker posts */

enum fuzz_op { OP_OPEN, OP_CLOSE, OP_IOCTL, OP_WATCH, OP_WRITE, OP_CONSUME,
	       OP_SCRIBBLE, OP_MMAP, OP_MM, OP_FORK, OP__NR };

static const char * const op_names[OP__NR] = { "open", "close", "ioctl",
	"watch", "write", "consume", "scribble", "mmap", "mm", "fork" };

/* What the processes share: the stop flag, counters and the first finding. */
struct fuzz_shared {
	int stop;
	int findings;
	unsigned long ops, ok, refused, forks, records;
	unsigned long op_ok[OP__NR], op_refused[OP__NR];
	char msg[FUZZ_MSG];
};

static struct fuzz_shared *sh;
static __u32 fuzz_seed;

static int stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE);
}

/* Objects the fuzzers watch and the workers change. */
static int32_t key_busy, keyring, key_quiet;
static __u64 tmpfs_mnt_id;
static struct nullb nb;
static int have_nullb;
static pid_t worker_pids[8];
static int nr_workers;

/* Record the first finding; every later one is counted. */
static void finding(const char *fmt, ...)
{
	char buf[FUZZ_MSG], line[FUZZ_MSG + 32];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = snprintf(buf, sizeof(buf), "seed %u pid %d: ", fuzz_seed, getpid());
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	/* write(), not stdio: a forked child must not wait for its lock. */
	n = snprintf(line, sizeof(line), "# fuzz: found: %s\n", buf);
	if (write(2, line, n) < 0)
		n = 0;
	if (__atomic_fetch_add(&sh->findings, 1, __ATOMIC_SEQ_CST) == 0)
		memcpy(sh->msg, buf, sizeof(buf));
}

/* A mapping the fuzz made of a device queue's offset space. */
struct fmap {
	unsigned char *addr;
	size_t len;
	int prot;
	int readable;	/* every page maps [0, mmap_len): reads must work */
	int dofork;	/* MADV_DOFORK given: a child has it */
};

/* A queue a thread owns. */
struct fslot {
	int used;
	int pipe;
	int fd, wfd;
	int sized;	/* the device: SETUP succeeded */
	int mapped;	/* q's mappings are in place */
	int checked;	/* only watchq_release() stores the tail */
	int closed;	/* the fd is closed, the mappings kept */
	int saw_closed;	/* the header said WATCH_QUEUE_RING_CLOSED */
	int dofork;	/* MADV_DOFORK on q's mappings */
	struct watchq q;
};

struct fthread {
	__u32 rnd;
	int proc, idx;
	unsigned long ops;
	struct fslot slot[FUZZ_SLOTS];
	struct fmap map[FUZZ_MAPS];
	unsigned char *edge;	/* a page followed by a PROT_NONE page */
	int objfd[8];		/* nsfs files, pidfds, disks */
	int nr_objfd;
	unsigned char buf[4096];
};

static __thread sigjmp_buf *fault_jmp;
static __thread const void *fault_at;

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (fault_jmp) {
		fault_at = si->si_addr;
		siglongjmp(*fault_jmp, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static __u32 rnd(struct fthread *t)
{
	return wq_rand(&t->rnd);
}

static __u32 below(struct fthread *t, __u32 n)
{
	return n ? rnd(t) % n : 0;
}

static __u64 rnd64(struct fthread *t)
{
	return ((__u64)rnd(t) << 32) | rnd(t);
}

/* A boundary or random 32-bit value. */
static __u32 rnd_u32(struct fthread *t)
{
	static const __u32 v[] = { 0, 1, 2, 7, 8, 127, 128, 255, 256, 511,
				   512, 513, 4095, 4096, 0x7fffffff,
				   0x80000000, 0xfffffffe, 0xffffffff };

	if (below(t, 2))
		return v[below(t, ARRAY_SIZE(v))];
	return rnd(t);
}

static __u64 rnd_u64(struct fthread *t)
{
	static const __u64 v[] = { 0, 1, 4096, 1ULL << 20, (1ULL << 20) + 1,
				   1ULL << 32, ~0ULL, 1ULL << 63 };

	if (below(t, 2))
		return v[below(t, ARRAY_SIZE(v))];
	return below(t, 2) ? rnd_u32(t) : rnd64(t);
}

static __thread enum fuzz_op cur_op;

/* Count a system call's result: done, or refused by the kernel. */
static void count(long ret)
{
	if (ret < 0) {
		__atomic_fetch_add(&sh->refused, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&sh->op_refused[cur_op], 1, __ATOMIC_RELAXED);
	} else {
		__atomic_fetch_add(&sh->ok, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&sh->op_ok[cur_op], 1, __ATOMIC_RELAXED);
	}
}

static struct fslot *pick_slot(struct fthread *t)
{
	struct fslot *s = &t->slot[below(t, FUZZ_SLOTS)];

	return s->used ? s : NULL;
}

/* An open queue, if one of three tries finds one. */
static struct fslot *pick_open(struct fthread *t)
{
	struct fslot *s;
	int i;

	for (i = 0; i < 3; i++) {
		s = pick_slot(t);
		if (s && !s->closed)
			return s;
	}
	return NULL;
}

/* A descriptor to aim at: a queue, an object, or a bad number. */
static int rnd_fd(struct fthread *t)
{
	struct fslot *s;

	switch (below(t, 4)) {
	case 0:
		s = pick_open(t);
		return s ? s->fd : -1;
	case 1:
		return below(t, 2) ? -1 : (int)rnd_u32(t);
	default:
		return t->nr_objfd ? t->objfd[below(t, t->nr_objfd)] : -1;
	}
}

static unsigned int rnd_id(struct fthread *t)
{
	return below(t, 4) ? below(t, 8) : rnd_u32(t);
}

/* Drop every mapping of a slot's ring and forget the slot. */
static void slot_free(struct fslot *s)
{
	if (!s->used)
		return;
	if (!s->closed) {
		close(s->fd);
		if (s->pipe)
			close(s->wfd);
	}
	if (s->mapped)
		watchq_unmap(&s->q);
	memset(s, 0, sizeof(*s));
}

static void op_open(struct fthread *t)
{
	static const __u64 sizes[] = { 1, 4096, 8192, 16384, 65536 };
	struct fslot *s = &t->slot[below(t, FUZZ_SLOTS)];
	int fds[2], ret;

	slot_free(s);
	s->pipe = below(t, 3) == 0;
	s->fd = -1;
	s->wfd = -1;
	s->q.fd = -1;
	if (s->pipe) {
		if (pipe2(fds, O_NOTIFICATION_PIPE | O_CLOEXEC | O_NONBLOCK)) {
			count(-1);
			return;
		}
		s->fd = fds[0];
		s->wfd = fds[1];
		s->used = 1;
		count(ioctl(s->fd, IOC_WATCH_QUEUE_SET_SIZE,
			    below(t, 4) ? 1 + below(t, 64) : rnd_u32(t)));
		return;
	}
	s->fd = open(WATCHQ_DEVICE, (below(t, 8) ? O_RDWR : O_RDONLY) |
				    O_CLOEXEC | (below(t, 2) ? O_NONBLOCK : 0));
	if (s->fd < 0) {
		count(-1);
		return;
	}
	s->used = 1;
	if (below(t, 6) == 0)
		return;		/* unsized; the ioctls may size it */
	ret = watchq_setup(s->fd, sizes[below(t, 5)], 0, &s->q.info);
	count(ret);
	if (ret)
		return;
	s->sized = 1;
	if (below(t, 5) == 0)
		return;		/* sized, not mapped */
	ret = watchq_map(&s->q, s->fd);
	count(ret);
	if (ret)
		return;
	s->mapped = 1;
	s->checked = below(t, 3) != 0;
}

static void op_close(struct fthread *t)
{
	struct fslot *s = pick_open(t);

	if (!s)
		return;
	count(0);
	if (!s->mapped || below(t, 2)) {
		slot_free(s);
		return;
	}
	/* Keep the mappings: the ring stays readable and says CLOSED. */
	close(s->fd);
	if (s->pipe)
		close(s->wfd);
	s->closed = 1;
}

/*
 * Walk the records of a checked ring from our tail to the kernel's head:
 * every one must lie inside the ring with a sane length.  Consumes them.
 */
static void ring_walk(struct fthread *t, struct fslot *s)
{
	const struct watch_queue_ring *r = s->q.ring;
	__u32 nr = s->q.info.nr_slots, head, tail, pos, len, slots;
	const struct watch_notification *n;
	unsigned int walked = 0;

	if (r->mask != nr - 1 || r->hdr_size != s->q.info.hdr_size ||
	    r->features != s->q.info.features) {
		finding("header: mask %u hdr_size %u features %llx, not %u slots, %u",
			r->mask, r->hdr_size, (unsigned long long)r->features,
			nr, s->q.info.hdr_size);
		return;
	}
	if (r->flags & ~(__u32)(WATCH_QUEUE_RING_LOSS_PENDING |
				WATCH_QUEUE_RING_CLOSED))
		finding("ring flags %#x", r->flags);
	/*
	 * Closing our descriptor may not close the queue (a child forked by
	 * another thread holds it too), but once closed it stays so.
	 */
	if (r->flags & WATCH_QUEUE_RING_CLOSED)
		s->saw_closed = 1;
	else if (s->saw_closed)
		finding("a closed queue's ring lost WATCH_QUEUE_RING_CLOSED");
	if (!s->checked)
		return;
	head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	tail = s->q.tail;
	if (head - tail > nr) {
		finding("head %u is %u slots ahead of tail %u, ring of %u",
			head, head - tail, tail, nr);
		s->checked = 0;
		return;
	}
	while (tail != head) {
		pos = tail & (nr - 1);
		n = (const void *)(s->q.data + (size_t)pos * WATCH_QUEUE_SLOT_SIZE);
		len = n->info & WATCH_INFO_LENGTH;
		slots = (len + WATCH_QUEUE_SLOT_SIZE - 1) / WATCH_QUEUE_SLOT_SIZE;
		if (len < sizeof(*n) || len > s->q.info.max_record ||
		    pos + slots > nr || slots > head - tail ||
		    (n->info & WATCH_INFO_RESERVED) || n->type > FUZZ_MAX_TYPE ||
		    (n->type != WATCH_TYPE_USER_NOTIFY && (len & 7))) {
			finding("slot %u (tail %u head %u): type %u/%u info %#x",
				pos, tail, head, n->type, n->subtype, n->info);
			s->checked = 0;
			return;
		}
		tail += slots;
		walked++;
	}
	__atomic_fetch_add(&sh->records, walked, __ATOMIC_RELAXED);
	s->q.tail = tail;
	s->q.head = head;
	if (!s->closed || below(t, 2))
		watchq_release(&s->q);
}

/* Read every page of a mapping that must be readable, under a guard. */
static void touch_map(const unsigned char *addr, size_t len, const char *what)
{
	static unsigned int touch_sum;
	unsigned int sum = 0;
	sigjmp_buf jb;
	size_t i;

	if (sigsetjmp(jb, 1)) {
		fault_jmp = NULL;
		finding("fault at %p reading %s %p+%zu", (void *)fault_at, what,
			addr, len);
		return;
	}
	fault_jmp = &jb;
	for (i = 0; i < len; i += WQ_PAGE_SIZE)
		sum += __atomic_load_n(&addr[i], __ATOMIC_RELAXED);
	fault_jmp = NULL;
	touch_sum += sum;
}

static void op_consume(struct fthread *t)
{
	struct fslot *s = pick_slot(t);
	const struct watch_notification *n;
	ssize_t got, off;
	sigjmp_buf jb;
	size_t want;

	if (!s)
		return;
	if (s->pipe) {
		if (s->closed)
			return;
		want = below(t, 4) ? sizeof(t->buf) : below(t, 200);
		got = read(s->fd, t->buf, want);
		count(got);
		for (off = 0; got > 0 && off < got; off += n->info & WATCH_INFO_LENGTH) {
			n = (const void *)(t->buf + off);
			if ((n->info & WATCH_INFO_LENGTH) < sizeof(*n) ||
			    (ssize_t)(n->info & WATCH_INFO_LENGTH) > got - off) {
				finding("pipe record at %zd of %zd: info %#x",
					off, got, n->info);
				break;
			}
		}
		return;
	}
	if (!s->mapped) {
		count(read(s->fd, t->buf, below(t, 64)));	/* EINVAL */
		return;
	}
	if (sigsetjmp(jb, 1)) {
		fault_jmp = NULL;
		finding("fault at %p walking a mapped ring", (void *)fault_at);
		s->mapped = 0;	/* leave it */
		return;
	}
	fault_jmp = &jb;
	ring_walk(t, s);
	fault_jmp = NULL;
	count(0);
}

/* Random values into the consumer's part of an unchecked ring. */
static void op_scribble(struct fthread *t)
{
	struct fslot *s = pick_slot(t);
	unsigned char *p;
	long ret;

	if (!s || !s->mapped)
		return;
	if (!s->checked && s->q.cons) {
		s->q.cons->tail = below(t, 2) ? rnd_u32(t) :
				  s->q.ring->head - below(t, 2 * s->q.info.nr_slots);
		if (below(t, 4) == 0)
			s->q.cons->__reserved = rnd(t);
		return;
	}
	/* The read-only header: it must stay so. */
	p = (unsigned char *)s->q.ro_map;
	switch (below(t, 2)) {
	case 0:
		ret = mprotect(p, WQ_PAGE_SIZE, PROT_READ | PROT_WRITE);
		if (!ret) {
			finding("mprotect(PROT_WRITE) of the ring's header worked");
			mprotect(p, WQ_PAGE_SIZE, PROT_READ);
		}
		count(ret);
		break;
	default: {
		int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
		__u32 v = rnd(t);

		if (fd < 0)
			break;
		ret = pwrite(fd, &v, sizeof(v),
			     (off_t)(uintptr_t)(p + 4 * below(t, 8)));
		if (ret > 0)
			finding("/proc/self/mem wrote into the ring's header");
		count(ret);
		close(fd);
	}
	}
}

/* A filter of random rules. */
static void *rnd_filter(struct fthread *t, size_t *size)
{
	struct watch_notification_filter *f = (void *)t->buf;
	unsigned int i, nr = below(t, 4) ? below(t, 6) : below(t, 20);

	memset(t->buf, 0, sizeof(t->buf));
	f->nr_filters = below(t, 8) ? nr : rnd_u32(t);
	if (below(t, 8) == 0)
		f->__reserved = rnd(t);
	for (i = 0; i < nr; i++) {
		struct watch_notification_type_filter *tf = &f->filters[i];

		tf->type = below(t, 4) ? below(t, 9) : rnd_u32(t);
		tf->info_filter = below(t, 2) ? 0 : rnd(t);
		tf->info_mask = below(t, 2) ? 0 : rnd(t);
		tf->subtype_filter[0] = below(t, 4) ? ~0U : rnd(t);
		if (below(t, 4) == 0)
			tf->subtype_filter[below(t, 8)] = rnd(t);
	}
	*size = sizeof(*f) + nr * sizeof(f->filters[0]);
	return f;
}

/* An argument pointer: good, NULL, bad, or ending at an unmapped page. */
static void *rnd_arg(struct fthread *t, void *good, size_t size)
{
	switch (below(t, 16)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)rnd64(t);
	case 2:
		if (size > WQ_PAGE_SIZE)
			return good;
		memcpy(t->edge + WQ_PAGE_SIZE - size, good, size);
		return t->edge + WQ_PAGE_SIZE - size + below(t, 2) * 8;
	default:
		return good;
	}
}

static unsigned long ioc(unsigned int dir, unsigned int nr, size_t size)
{
	return _IOC(dir, 'W', nr, size & _IOC_SIZEMASK);
}

static void op_ioctl(struct fthread *t)
{
	unsigned char arg[512];
	struct watch_queue_setup *su = (void *)arg;
	struct watch_queue_probe *pr = (void *)arg;
	int fd = below(t, 8) ? -1 : rnd_fd(t);
	struct fslot *s = pick_open(t);
	size_t size;
	void *f;

	if (fd < 0) {
		if (!s)
			return;
		fd = s->fd;
	}
	memset(arg, 0, sizeof(arg));
	switch (below(t, 8)) {
	case 0:
		count(ioctl(fd, IOC_WATCH_QUEUE_SET_SIZE,
			    (unsigned long)rnd_u32(t)));
		break;
	case 1:
		f = rnd_filter(t, &size);
		count(ioctl(fd, IOC_WATCH_QUEUE_SET_FILTER,
			    below(t, 6) ? rnd_arg(t, f, size) : NULL));
		break;
	case 2:
		su->size = below(t, 2) ? 4096U << below(t, 6) : rnd_u64(t);
		su->flags = below(t, 2) ? 0 : below(t, 2) ? WATCH_QUEUE_SETUP_CLAMP :
			    rnd_u64(t);
		if (below(t, 8) == 0)
			su->__reserved[below(t, 2)] = rnd64(t);
		size = below(t, 2) ? sizeof(*su) : below(t, 3) ?
		       WATCH_QUEUE_SETUP_SIZE_VER0 + 8 * below(t, 4) - 8 : below(t, 400);
		if (below(t, 8) == 0)
			arg[size < sizeof(arg) ? size - 1 : 0] = rnd(t);
		count(ioctl(fd, ioc(_IOC_READ | _IOC_WRITE, 0x62, size),
			    rnd_arg(t, arg, size)));
		break;
	case 3:
		size = below(t, 2) ? sizeof(struct watch_queue_info) : below(t, 400);
		count(ioctl(fd, ioc(_IOC_READ, 0x63, size), rnd_arg(t, arg, size)));
		break;
	case 4:
		pr->nr_types = below(t, 2) ? below(t, 10) : rnd_u32(t) % 9;
		if (below(t, 8) == 0)
			pr->__reserved[below(t, 2)] = rnd64(t);
		size = sizeof(*pr) + pr->nr_types * sizeof(pr->types[0]);
		count(ioctl(fd, IOC_WATCH_QUEUE_PROBE, rnd_arg(t, arg, size)));
		break;
	case 5:
		/* A raw 'W' ioctl around ours, any direction and size. */
		size = below(t, 2) ? below(t, 200) : below(t, sizeof(arg));
		for (size_t i = 0; i < size; i++)
			arg[i] = below(t, 4) ? 0 : rnd(t);
		count(ioctl(fd, ioc(below(t, 4), 0x5e + below(t, 10), size),
			    rnd_arg(t, arg, size)));
		break;
	case 6:
		count(ioctl(fd, FIONREAD, arg));
		break;
	default: {
		/* SETUP on the slot, then map it, as the last step of open. */
		struct watch_queue_info info;

		if (!s || s->pipe || s->sized)
			return;
		count(watchq_setup(s->fd, rnd_u64(t) & ((1ULL << 21) - 1),
				   below(t, 2) ? WATCH_QUEUE_SETUP_CLAMP : 0, &info));
	}
	}
}

static const char * const watch_paths[] = {
	FUZZ_DIR, FUZZ_SUB, "/", "/proc", "/tmp", "/dev/watch_queue",
	"/nonexistent", "",
};

static void op_watch(struct fthread *t)
{
	unsigned char raw[256];
	struct watch_queue_watch *w = (void *)raw;
	struct fslot *s = pick_open(t);
	int fd = s ? s->fd : rnd_fd(t);
	unsigned int id = rnd_id(t);
	size_t size = sizeof(*w);
	long ret;

	memset(raw, 0, sizeof(raw));
	switch (below(t, 10)) {
	case 0: {
		static const int32_t special[] = { KEY_SPEC_SESSION_KEYRING,
			KEY_SPEC_PROCESS_KEYRING, KEY_SPEC_USER_KEYRING, 0 };
		int32_t key = below(t, 2) ? (below(t, 2) ? key_busy : keyring) :
			      below(t, 2) ? special[below(t, 4)] : (int32_t)rnd(t);

		ret = wq_watch_key(key, fd, below(t, 4) ? (int)rnd_id(t) : -1);
		count(ret);
		return;
	}
	case 1:
	case 2:
		w->type = below(t, 2) ? WATCH_TYPE_MOUNT_NOTIFY : WATCH_TYPE_SB_NOTIFY;
		w->object = WATCH_OBJECT_PATH;
		w->fd = AT_FDCWD;
		w->pathname = (uintptr_t)watch_paths[below(t, 8)];
		w->at_flags = below(t, 2) ? 0 : below(t, 2) ? AT_RECURSIVE :
			      rnd_u32(t);
		break;
	case 3:
		w->type = WATCH_TYPE_MOUNT_NOTIFY;
		w->object = WATCH_OBJECT_ID;
		w->object_id = below(t, 2) ? tmpfs_mnt_id : rnd_u64(t);
		w->ns_id = below(t, 2) ? 0 : rnd_u64(t);
		w->at_flags = below(t, 2) ? 0 : AT_RECURSIVE;
		break;
	case 4:
	case 5: {
		static const unsigned int types[] = { WATCH_TYPE_MOUNT_NOTIFY,
			WATCH_TYPE_NS_NOTIFY, WATCH_TYPE_PROC_NOTIFY,
			WATCH_TYPE_BLOCK_NOTIFY };

		w->type = types[below(t, 4)];
		w->object = WATCH_OBJECT_FD;
		w->fd = rnd_fd(t);
		break;
	}
	case 6:
		/* Remove a watch, of the kind this queue may have. */
		ret = wq_ret(watchq_unwatch(fd, below(t, 9), id));
		count(ret);
		return;
	default:
		/* Anything at all, of any size. */
		w->type = below(t, 2) ? below(t, 9) : rnd_u32(t);
		w->flags = below(t, 4) ? 0 : rnd_u32(t);
		w->object = below(t, 2) ? below(t, 5) : rnd_u32(t);
		w->fd = below(t, 2) ? rnd_fd(t) : AT_FDCWD;
		w->at_flags = below(t, 2) ? 0 : rnd_u32(t);
		w->pathname = below(t, 2) ? (uintptr_t)watch_paths[below(t, 8)] :
			      rnd_u64(t);
		w->object_id = rnd_u64(t);
		w->ns_id = below(t, 2) ? 0 : rnd_u64(t);
		if (below(t, 3) == 0) {
			size = below(t, 4) ? WATCH_QUEUE_WATCH_SIZE_VER0 + 8 * below(t, 4) :
			       below(t, sizeof(raw));
			if (below(t, 2) && size > sizeof(*w))
				raw[size - 1] = rnd(t);
		}
	}
	w->watch_id = id;
	ret = ioctl(fd, ioc(_IOC_WRITE, 0x64, size), rnd_arg(t, raw, size));
	count(ret);
}

/* Records to inject: good ones, boundary lengths, or garbage. */
static void op_write(struct fthread *t)
{
	struct fslot *s = pick_open(t);
	unsigned char *p = t->buf;
	size_t len = 0, rec;
	int i, nr = below(t, 4) ? 1 + below(t, 8) : below(t, 64);
	int fd;

	if (!s)
		return;
	fd = s->pipe && below(t, 2) ? s->wfd : s->fd;
	for (i = 0; i < nr && len + 128 <= sizeof(t->buf); i++) {
		static const unsigned int lens[] = { 0, 7, 8, 9, 16, 120, 127, 128 };
		unsigned int l = below(t, 2) ? lens[below(t, 8)] : 8 + below(t, 120);

		rec = wq_make_record(p + len, below(t, 256), l < 128 ? l : 127, rnd(t));
		if (below(t, 16) == 0) {
			struct watch_notification *n = (void *)(p + len);

			switch (below(t, 3)) {
			case 0:
				n->type = below(t, 9);
				break;
			case 1:
				n->info = rnd(t);
				break;
			default:
				n->info |= WATCH_INFO_RESERVED;
			}
		}
		len += rec;
	}
	if (below(t, 8) == 0)
		len = below(t, 2) ? below(t, sizeof(t->buf)) : len + below(t, 8);
	count(write(fd, rnd_arg(t, t->buf, len), len));
}

static struct fmap *free_map(struct fthread *t)
{
	struct fmap *m = &t->map[below(t, FUZZ_MAPS)];

	if (m->addr)
		munmap(m->addr, m->len);
	memset(m, 0, sizeof(*m));
	return m;
}

static struct fmap *pick_map(struct fthread *t)
{
	struct fmap *m = &t->map[below(t, FUZZ_MAPS)];

	return m->addr ? m : NULL;
}

static void op_mmap(struct fthread *t)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
		PROT_NONE, PROT_READ | PROT_EXEC, PROT_WRITE };
	struct fslot *s = pick_open(t);
	size_t pg = WQ_PAGE_SIZE, total, off, len;
	int prot = prots[below(t, 5)], flags;
	struct watch_queue_info info;
	struct fmap *m;
	void *addr;
	int sized;

	if (!s || s->pipe)
		return;
	/* The ioctls may have sized it: ask. */
	if (watchq_get_info(s->fd, &info))
		return;
	sized = info.mmap_len != 0;
	total = sized ? info.mmap_len / pg : 4;
	off = below(t, 8) ? below(t, total) : below(t, total + 3);
	len = below(t, 8) ? 1 + below(t, total - (off < total ? off : 0)) :
	      below(t, total + 3);
	flags = below(t, 8) ? MAP_SHARED : MAP_PRIVATE;
	addr = mmap(NULL, len * pg, prot, flags, s->fd,
		    below(t, 16) ? off * pg : off * pg + below(t, pg));
	count(addr == MAP_FAILED ? -1 : 0);
	if (addr == MAP_FAILED)
		return;
	/* A raw SETUP on this descriptor (a random fd) may have come between. */
	if (!sized && !watchq_get_info(s->fd, &info) && info.mmap_len) {
		sized = 1;
		total = info.mmap_len / pg;
	}
	if (!sized || off + len > total || flags != MAP_SHARED ||
	    (prot & PROT_EXEC))
		finding("mmap of pages %zu+%zu of %zu, prot %#x flags %#x worked",
			off, len, total, prot, flags);
	else if ((prot & PROT_WRITE) &&
		 (off * pg < info.consumer_off ||
		  (off + len) * pg > info.consumer_off + info.consumer_len))
		finding("writable mmap of pages %zu+%zu reaches past the consumer's part",
			off, len);
	m = free_map(t);
	m->addr = addr;
	m->len = len * pg;
	m->prot = prot;
	m->readable = (prot & PROT_READ) && sized && off + len <= total;
	if (m->readable)
		touch_map(m->addr, m->len, "a fresh mapping");
}

static void op_mm(struct fthread *t)
{
	static const int advice[] = { MADV_DONTNEED, MADV_DOFORK,
		MADV_DONTFORK, MADV_WILLNEED, MADV_COLD, MADV_PAGEOUT,
		MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_DODUMP,
		MADV_DONTDUMP, MADV_REMOVE, MADV_FREE, MADV_NORMAL,
		MADV_RANDOM, MADV_SEQUENTIAL, MADV_MERGEABLE, MADV_HUGEPAGE,
		MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLLAPSE };
	static const int ring_advice[] = { MADV_DONTNEED, MADV_DOFORK,
		MADV_DONTFORK, MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED };
	static const int prots[] = { PROT_READ, PROT_NONE,
		PROT_READ | PROT_WRITE, PROT_EXEC };
	struct fmap *m = pick_map(t);
	size_t pg = WQ_PAGE_SIZE, npg;
	struct fslot *s;
	void *addr;
	int adv, ret, whole;

	if (below(t, 4) == 0) {
		/* The advice on a slot's own ring: harmless ones only. */
		s = pick_slot(t);
		if (!s || !s->mapped)
			return;
		adv = ring_advice[below(t, ARRAY_SIZE(ring_advice))];
		ret = madvise(s->q.ro_map, s->q.ro_len, adv);
		count(ret);
		if (adv == MADV_DOFORK || adv == MADV_DONTFORK)
			s->dofork = adv == MADV_DOFORK && !ret &&
				    !madvise(s->q.cons_map, s->q.cons_len, adv);
		return;
	}
	if (!m)
		return;
	npg = m->len / pg;
	switch (below(t, 5)) {
	case 0:
		munmap(m->addr, m->len);
		memset(m, 0, sizeof(*m));
		break;
	case 1: {
		/*
		 * Its end: what is left stays ours, and nothing else can be
		 * mapped into a hole of it that we would unmap later.
		 */
		size_t keep = 1 + below(t, npg);

		if (keep < npg) {
			count(munmap(m->addr + keep * pg, (npg - keep) * pg));
			m->len = keep * pg;
		}
		break;
	}
	case 2:
		ret = mprotect(m->addr, m->len, prots[below(t, ARRAY_SIZE(prots))]);
		count(ret);
		/* The pages' protection is now unknown, or PROT_READ. */
		if (ret || mprotect(m->addr, m->len, PROT_READ))
			m->readable = 0;
		break;
	case 3:
		adv = advice[below(t, ARRAY_SIZE(advice))];
		whole = below(t, 2);
		ret = madvise(m->addr, whole ? m->len : pg, adv);
		count(ret);
		/* A child gets it only if every page of it has DOFORK. */
		if (!ret && adv == MADV_DOFORK && whole)
			m->dofork = 1;
		if (adv == MADV_DONTFORK || (adv == MADV_DOFORK && ret))
			m->dofork = 0;
		break;
	default: {
		/* Move it, shrink it, or try to grow it. */
		size_t nlen = below(t, 3) == 0 ? m->len + pg :
			      (1 + below(t, npg)) * pg;

		addr = mremap(m->addr, m->len, nlen,
			      below(t, 2) ? MREMAP_MAYMOVE : 0);
		count(addr == MAP_FAILED ? -1 : 0);
		if (addr == MAP_FAILED)
			break;
		if (nlen > m->len)
			finding("mremap grew a ring mapping from %zu to %zu", m->len, nlen);
		m->addr = addr;
		m->len = nlen;
		m->dofork = 0;	/* the moved part keeps the advice; don't rely */
	}
	}
	if (m->addr && m->readable)
		touch_map(m->addr, m->len, "a ring mapping after mm calls");
}

static void do_op(struct fthread *t, int in_child);

/* fork with the rings mapped: the child reads what it inherited. */
static void op_fork(struct fthread *t)
{
	int status, i, exec_it = below(t, 4) == 0;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		count(-1);
		return;
	}
	if (pid == 0) {
		if (exec_it) {
			execl("/bin/true", "true", (char *)NULL);
			execl("/bin/sh", "sh", "-c", ":", (char *)NULL);
			_exit(0);
		}
		for (i = 0; i < FUZZ_MAPS; i++)
			if (t->map[i].addr && t->map[i].readable && t->map[i].dofork)
				touch_map(t->map[i].addr, t->map[i].len,
					  "an inherited mapping");
		for (i = 0; i < FUZZ_SLOTS; i++) {
			struct fslot *s = &t->slot[i];

			s->q.cons = NULL;	/* the parent's tail */
			if (s->used && s->mapped && s->dofork) {
				s->checked = 0;
				touch_map(s->q.ro_map, s->q.ro_len,
					  "an inherited ring");
			} else if (s->used) {
				s->mapped = 0;	/* not ours in the child */
				s->checked = 0;
			}
		}
		for (i = 0; i < FUZZ_MAPS; i++)
			if (!t->map[i].dofork)
				memset(&t->map[i], 0, sizeof(t->map[i]));
		t->rnd ^= 0x9e3779b9;
		for (i = 0; i < 8; i++)
			do_op(t, 1);
		_exit(0);
	}
	__atomic_fetch_add(&sh->forks, 1, __ATOMIC_RELAXED);
	count(0);
	if (waitpid(pid, &status, 0) != pid) {
		finding("waitpid of a forked child: %s", strerror(errno));
		return;
	}
	if (WIFSIGNALED(status))
		finding("a forked fuzz child died of signal %d", WTERMSIG(status));
}

/* How often each operation comes, in percent. */
static const unsigned char op_weight[OP__NR] = {
	[OP_OPEN] = 8, [OP_CLOSE] = 4, [OP_IOCTL] = 18, [OP_WATCH] = 20,
	[OP_WRITE] = 12, [OP_CONSUME] = 14, [OP_SCRIBBLE] = 6, [OP_MMAP] = 6,
	[OP_MM] = 10, [OP_FORK] = 2,
};

static void (* const op_fn[OP__NR])(struct fthread *t) = {
	[OP_OPEN] = op_open, [OP_CLOSE] = op_close, [OP_IOCTL] = op_ioctl,
	[OP_WATCH] = op_watch, [OP_WRITE] = op_write,
	[OP_CONSUME] = op_consume, [OP_SCRIBBLE] = op_scribble,
	[OP_MMAP] = op_mmap, [OP_MM] = op_mm, [OP_FORK] = op_fork,
};

/* One random operation; a forked child makes no further children. */
static void do_op(struct fthread *t, int in_child)
{
	unsigned int r = below(t, 100), op = 0;

	while (op < OP__NR - 1 && r >= op_weight[op])
		r -= op_weight[op++];
	if (in_child && op == OP_FORK)
		op = OP_CONSUME;
	t->ops++;
	cur_op = op;
	op_fn[op](t);
}

static void open_objfds(struct fthread *t)
{
	static const char * const paths[] = { "/proc/self/ns/user",
		"/proc/self/ns/pid", "/proc/self/ns/mnt",
		"/proc/self/ns/pid_for_children", "/dev/vda" };
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			t->objfd[t->nr_objfd++] = fd;
	}
	fd = wq_pidfd_open(getpid(), 0);
	if (fd >= 0)
		t->objfd[t->nr_objfd++] = fd;
	if (nr_workers) {
		fd = wq_pidfd_open(worker_pids[t->idx % nr_workers], 0);
		if (fd >= 0)
			t->objfd[t->nr_objfd++] = fd;
	}
	if (have_nullb) {
		fd = open(nb.node, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			t->objfd[t->nr_objfd++] = fd;
	}
}

struct fuzz_arg {
	struct fthread t;
	unsigned long nr_ops;
};

static void *fuzz_thread(void *p)
{
	struct fuzz_arg *a = p;
	struct fthread *t = &a->t;
	unsigned long i;
	int j;

	t->edge = mmap(NULL, 2 * WQ_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->edge == MAP_FAILED) {
		finding("mmap of the edge buffer: %s", strerror(errno));
		return NULL;
	}
	mprotect(t->edge + WQ_PAGE_SIZE, WQ_PAGE_SIZE, PROT_NONE);
	open_objfds(t);
	for (i = 0; i < a->nr_ops && !stopping(); i++)
		do_op(t, 0);
	for (j = 0; j < FUZZ_SLOTS; j++)
		slot_free(&t->slot[j]);
	for (j = 0; j < FUZZ_MAPS; j++)
		if (t->map[j].addr)
			munmap(t->map[j].addr, t->map[j].len);
	for (j = 0; j < t->nr_objfd; j++)
		close(t->objfd[j]);
	__atomic_fetch_add(&sh->ops, t->ops, __ATOMIC_RELAXED);
	return NULL;
}

/* A seed of its own for each thread, from the run's seed. */
static __u32 sub_seed(__u32 seed, int proc, int thread)
{
	__u32 x = seed ^ (0x9e3779b9U * (__u32)(proc * 16 + thread + 1));

	x ^= x >> 16;
	x *= 0x45d9f3bU;
	x ^= x >> 16;
	return x ? x : 1;
}

static void fuzz_proc(int proc, unsigned long nr_ops)
{
	struct fuzz_arg *a;
	pthread_t th[FUZZ_THREADS];
	int i;

	a = calloc(FUZZ_THREADS, sizeof(*a));
	if (!a)
		_exit(2);
	for (i = 0; i < FUZZ_THREADS; i++) {
		a[i].t.rnd = sub_seed(fuzz_seed, proc, i);
		a[i].t.proc = proc;
		a[i].t.idx = i;
		a[i].nr_ops = nr_ops / FUZZ_THREADS;
		if (pthread_create(&th[i], NULL, fuzz_thread, &a[i]))
			_exit(2);
	}
	for (i = 0; i < FUZZ_THREADS; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

/* Background sources: each loops until stop, and never fails the run itself. */
static void worker_keys(void)
{
	char desc[32], payload[16];
	int32_t k;
	int i;

	for (i = 0; !stopping(); i++) {
		snprintf(payload, sizeof(payload), "v%d", i);
		wq_keyctl(KEYCTL_UPDATE, key_busy, (unsigned long)payload,
			  strlen(payload), 0);
		wq_keyctl(KEYCTL_LINK, key_busy, keyring, 0, 0);
		wq_keyctl(KEYCTL_UNLINK, key_busy, keyring, 0, 0);
		snprintf(desc, sizeof(desc), "fz%d", i % 16);
		k = wq_add_key("user", desc, payload, strlen(payload), keyring);
		if (k > 0 && i % 3 == 0)
			wq_keyctl(KEYCTL_REVOKE, k, 0, 0, 0);
		if (k > 0 && i % 5 == 0)
			wq_keyctl(KEYCTL_INVALIDATE, k, 0, 0, 0);
		if (i % 32 == 31)
			wq_keyctl(KEYCTL_CLEAR, keyring, 0, 0, 0);
		wq_sleep_ms(2);
	}
}

static void worker_mounts(void)
{
	int i;

	for (i = 0; !stopping(); i++) {
		if (!mount("fz", FUZZ_SUB, "tmpfs", 0, "size=64k")) {
			mount(NULL, FUZZ_SUB, NULL, MS_REMOUNT | MS_RDONLY, NULL);
			mount(NULL, FUZZ_SUB, NULL, MS_REMOUNT, NULL);
			mount(NULL, FUZZ_SUB, NULL, MS_PRIVATE, NULL);
			umount2(FUZZ_SUB, i & 1 ? MNT_DETACH : 0);
		}
		if (i % 4 == 0) {
			mount(NULL, FUZZ_DIR, NULL, MS_REMOUNT | MS_RDONLY, NULL);
			mount(NULL, FUZZ_DIR, NULL, MS_REMOUNT, NULL);
		}
		wq_sleep_ms(3);
	}
}

static void worker_ns(void)
{
	int mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	int uts = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	int i, status;
	pid_t pid;

	for (i = 0; !stopping(); i++) {
		pid = fork();
		if (pid == 0) {
			if (unshare(CLONE_NEWUTS | CLONE_NEWIPC |
				    (i & 1 ? CLONE_NEWNS : 0) |
				    (i & 2 ? CLONE_NEWPID : 0)))
				_exit(0);
			if (i & 2 && fork() == 0)
				_exit(0);	/* the new pid ns's init, exiting */
			if (i & 4) {
				setns(uts, CLONE_NEWUTS);
				setns(mnt, CLONE_NEWNS);
			}
			wait(NULL);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, &status, 0);
		wq_sleep_ms(5);
	}
}

static void worker_procs(void)
{
	int i, status;
	pid_t pid;

	for (i = 0; !stopping(); i++) {
		pid = fork();
		if (pid == 0) {
			if (i & 1) {
				execl("/bin/true", "true", (char *)NULL);
				execl("/bin/sh", "sh", "-c", ":", (char *)NULL);
			}
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, &status, 0);
		wq_sleep_ms(3);
	}
}

static void worker_block(void)
{
	void *buf = aligned_alloc(4096, 4096);
	int fd = open(nb.node, O_RDWR | O_DIRECT | O_CLOEXEC);
	int i;

	if (fd < 0 || !buf)
		return;
	for (i = 0; !stopping(); i++) {
		if (i & 1)
			pread(fd, buf, 4096, (1024 + 8 * (i % 64)) * 512);
		else
			pwrite(fd, buf, 4096, (1024 + 8 * (i % 64)) * 512);
		wq_sleep_ms(5);
	}
	close(fd);
}

/*
 * A quiet queue: only this worker posts to it, by key updates of its own
 * key and by write(), reading now and then.  At the end, every record
 * posted was read or counted lost.
 */
static void worker_quiet(void)
{
	unsigned char buf[WQ_REC_MAX];
	struct wq_queue q;
	unsigned long posted = 0, got = 0, lost;
	ssize_t len;
	int i;

	if (wq_queue_open_sized(&q, 0, 0, 4096)) {
		finding("quiet queue: open: %s", strerror(errno));
		return;
	}
	if (wq_watch_key(key_quiet, q.fd, 1)) {
		finding("quiet queue: watch: %s", strerror(errno));
		return;
	}
	for (i = 0; i < FUZZ_QUIET_POSTS && !stopping(); i++) {
		if (i & 1) {
			if (wq_keyctl(KEYCTL_UPDATE, key_quiet, (unsigned long)"q",
				      1, 0) == 0)
				posted++;
		} else if (wq_inject(q.fd, 1, 16, i) == 16) {
			posted++;
		}
		/* Now and then: the ring of 512 slots overflows in between. */
		if (i % 401 < 2) {
			while ((len = wq_queue_next(&q, buf, sizeof(buf), 0)) > 0) {
				const struct watch_notification *n = (void *)buf;

				if (n->type != WATCH_TYPE_META)
					got++;
			}
		}
		if (i % 16 == 0)
			wq_sleep_ms(1);
	}
	while ((len = wq_queue_next(&q, buf, sizeof(buf), 0)) > 0)
		if (((struct watch_notification *)buf)->type != WATCH_TYPE_META)
			got++;
	lost = watchq_lost(&q.q);
	if (got + lost != posted)
		finding("quiet queue: %lu posted, %lu read + %lu lost", posted, got, lost);
	wq_queue_close(&q);
}

static pid_t start(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn();
		_exit(0);
	}
	return pid;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

static void wait_for(pid_t pid, const char *what)
{
	int status;

	if (pid <= 0)
		return;
	if (waitpid(pid, &status, 0) != pid)
		finding("waitpid of the %s: %s", what, strerror(errno));
	else if (WIFSIGNALED(status))
		finding("the %s died of signal %d", what, WTERMSIG(status));
	else if (WEXITSTATUS(status))
		finding("the %s exited with %d", what, WEXITSTATUS(status));
}

FIXTURE(fuzz) {
	int kmsg;
};

FIXTURE_SETUP(fuzz)
{
	self->kmsg = wq_kmsg_open();
	ASSERT_LE(0, self->kmsg)
		TH_LOG("/dev/kmsg: %s", strerror(-self->kmsg));
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->kmsg >= 0)
		close(self->kmsg);
}

/* The whole run; a long make fuzz is bounded by its QEMU timeout. */
TEST_F_TIMEOUT(fuzz, run, 86400)
{
	unsigned long nr_ops = env_ul("WQ_FUZZ_OPS", FUZZ_OPS_DEFAULT);
	struct sigaction sa = { .sa_sigaction = fault_handler,
				.sa_flags = SA_SIGINFO };
	pid_t fuzzers[FUZZ_PROCS], quiet;
	long long start_ms = wq_now_ms();
	char report[512];
	int i, ret;

	fuzz_seed = env_ul("WQ_FUZZ_SEED", 0);
	if (!fuzz_seed)
		fuzz_seed = (__u32)time(NULL) ^ ((__u32)getpid() << 16);
	if (!fuzz_seed)
		fuzz_seed = 1;
	fprintf(stderr, "# fuzz: seed %u, %lu operations, %d processes of %d threads\n",
		fuzz_seed, nr_ops, FUZZ_PROCS, FUZZ_THREADS);
	fprintf(stderr, "# fuzz: rerun with make fuzz SEED=%u OPS=%lu\n",
		fuzz_seed, nr_ops);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	ASSERT_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));

	/* The objects. */
	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	key_busy = wq_add_key("user", "fz-busy", "x", 1, KEY_SPEC_SESSION_KEYRING);
	keyring = wq_add_key("keyring", "fz-ring", NULL, 0, KEY_SPEC_SESSION_KEYRING);
	key_quiet = wq_add_key("user", "fz-quiet", "x", 1, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key_busy);
	ASSERT_LT(0, keyring);
	ASSERT_LT(0, key_quiet);
	ASSERT_EQ(0, mkdir(FUZZ_DIR, 0755) && errno != EEXIST ? -1 : 0);
	ASSERT_EQ(0, mount("fuzz", FUZZ_DIR, "tmpfs", 0, "size=1m"));
	ASSERT_EQ(0, mkdir(FUZZ_SUB, 0755));
	tmpfs_mnt_id = wq_mount_id(AT_FDCWD, FUZZ_DIR, 0);
	have_nullb = nullb_create(&nb, "fz", 1, NULL) == 0;
	if (!have_nullb)
		TH_LOG("no null_blk disk (%s): no I/O error worker", strerror(errno));

	/* The sources. */
	worker_pids[nr_workers++] = start(worker_keys);
	worker_pids[nr_workers++] = start(worker_mounts);
	worker_pids[nr_workers++] = start(worker_ns);
	worker_pids[nr_workers++] = start(worker_procs);
	if (have_nullb)
		worker_pids[nr_workers++] = start(worker_block);
	quiet = start(worker_quiet);

	/* The fuzz. */
	for (i = 0; i < FUZZ_PROCS; i++) {
		fuzzers[i] = fork();
		if (fuzzers[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			fuzz_proc(i, nr_ops / FUZZ_PROCS);
		}
	}
	for (i = 0; i < FUZZ_PROCS; i++)
		wait_for(fuzzers[i], "fuzzing process");
	wait_for(quiet, "quiet queue's worker");
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nr_workers; i++)
		wait_for(worker_pids[i], "source worker");

	umount2(FUZZ_SUB, MNT_DETACH);
	umount2(FUZZ_DIR, MNT_DETACH);
	rmdir(FUZZ_DIR);
	if (have_nullb)
		nullb_destroy(&nb);

	TH_LOG("seed %u: %lu operations in %lld s: %lu calls done, %lu refused",
	       fuzz_seed, sh->ops, (wq_now_ms() - start_ms) / 1000, sh->ok,
	       sh->refused);
	TH_LOG("seed %u: %lu forks, %lu ring records checked", fuzz_seed,
	       sh->forks, sh->records);
	for (i = 0; i < OP__NR; i++)
		TH_LOG("  %-8s %lu done, %lu refused", op_names[i], sh->op_ok[i],
		       sh->op_refused[i]);
	ret = wq_kmsg_report(self->kmsg, report, sizeof(report));
	EXPECT_EQ(0, ret)
		TH_LOG("seed %u: kernel report: %s", fuzz_seed, report);
	EXPECT_EQ(0, sh->findings)
		TH_LOG("seed %u: %d findings, the first: %s", fuzz_seed,
		       sh->findings, sh->msg);
	EXPECT_LE(nr_ops / FUZZ_PROCS / FUZZ_THREADS * FUZZ_PROCS * FUZZ_THREADS,
		  sh->ops)
		TH_LOG("seed %u: only %lu of %lu operations ran", fuzz_seed,
		       sh->ops, nr_ops);
}

TEST_HARNESS_MAIN
