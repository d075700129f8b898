// SPDX-License-Identifier: GPL-2.0
/*
 * watch_test: watch keyrings, mounts, superblocks, namespaces, processes
 * and block devices through
 * /dev/watch_queue or a notification pipe and print every record as it
 * arrives.
 *
 *	watch_test [-p] [-f] [-r] [-l LABEL] [-n COUNT] [-t SECONDS]
 *		   [-k KEY]... [-m PATH]... [-M MNTNS]... [-s PATH]...
 *		   [-N USERNS]... [-P PIDNS]... [-b DEV]...
 *
 *	-k KEY	watch a key or keyring: a serial number or @s, @u, @us, @p
 *		(default, when nothing else is watched: @s, the session
 *		keyring)
 *	-m PATH	watch the mount PATH is on and every mount below it
 *	-M NS	watch every mount of a mount namespace, NS naming it, e.g.
 *		/proc/self/ns/mnt
 *	-s PATH	watch the superblock of the filesystem PATH is on
 *	-N NS	watch the namespaces that a user namespace and its descendants
 *		own, NS naming it, e.g. /proc/self/ns/user
 *	-P NS	watch the tasks of a pid namespace and of its descendants, NS
 *		naming it: /proc/PID/ns/pid, pid_for_children
 *	-b DEV	watch the block device DEV, e.g. /dev/vdb
 *	-f	follow: also watch each key linked into a watched keyring
 *	-r	resync: after a loss, take a snapshot of each tree watched
 *		with -m, between two reads of its namespace's change counter
 *		(C0, C1), and skip the records up to C0, which the snapshot
 *		includes (Documentation/userspace-api/mount_notify.rst,
 *		"Resynchronising")
 *	-p	use a notification pipe instead of /dev/watch_queue
 *	-l L	start every line with L
 *	-n N	exit after N records
 *	-t S	exit after S seconds without a record
 *
 * Keys are watched with keyctl(KEYCTL_WATCH_KEY), everything else with the
 * queue's IOC_WATCH_QUEUE_WATCH, through tools/lib/watch_queue/watchq.h.
 * On the device, records are read straight from the mapped ring; on a
 * pipe, with read().
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <linux/watch_queue.h>

#include "watchq.h"
#include "watchq_names.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define RING_BYTES	16384
#define PIPE_NOTES	256
#define MAX_WATCHES	16

static bool follow, resync;
static const char *label = "";
static int qfd;

/*
 * The mounts watched with -m, by watch ID less 0x20: the path, the
 * mount's unique ID, and C0 of the last resync (0 before any).
 */
static struct {
	const char *path;
	__u64 mnt_id, c0;
} mwatch[MAX_WATCHES];
static int nr_mwatch;
static __u64 lost_seen;

static long keyctl_watch(long key, int fd, int id)
{
	return syscall(__NR_keyctl, KEYCTL_WATCH_KEY, key, fd, id);
}

/* A name from watchq_names.h, or "?" for a value it does not know. */
static const char *name_or(const char *name)
{
	return name ? name : "?";
}

static void print_ns(const struct watch_notification *n, size_t len)
{
	const struct ns_notification *r = (const void *)n;
	const char *type = name_or(watchq_ns_type_name(r->ns_type));

	if (!watchq_rec_check(n, len)) {
		printf("ns subtype %u, short record\n", n->subtype);
		return;
	}
	printf("ns %s %s:[%llu] owner user:[%llu] (%s)",
	       name_or(watchq_subtype_name(n->type, n->subtype)), type,
	       (unsigned long long)r->ns_inum,
	       (unsigned long long)r->owner_inum,
	       name_or(watchq_ns_reason_name(r->reason)));
	if (r->old_inum)
		printf(" from %s:[%llu]", type,
		       (unsigned long long)r->old_inum);
	if (r->pid)
		printf(" by pid %d tgid %d", r->pid, r->tgid);
	/* IDs and the subject's uids: records of a kernel before them lack them. */
	if (len >= NS_NOTIFICATION_SIZE_VER1) {
		printf(" id %llu", (unsigned long long)r->ns_id);
		if (r->old_id)
			printf(" from id %llu", (unsigned long long)r->old_id);
		printf(" owner id %llu", (unsigned long long)r->owner_id);
		if (r->uid != (__u32)-1)
			printf(" uid %u euid %u", r->uid, r->euid);
		if (r->loginuid != (__u32)-1)
			printf(" auid %u", r->loginuid);
		if (r->sessionid != (__u32)-1)
			printf(" ses %u", r->sessionid);
	}
	printf("\n");
}

static void print_proc(const struct watch_notification *n, size_t len)
{
	const struct proc_notification *r = (const void *)n;

	if (!watchq_rec_check(n, len)) {
		printf("proc subtype %u, short record\n", n->subtype);
		return;
	}
	printf("proc %s pid %d tgid %d ppid %d ptgid %d pidns %llu",
	       name_or(watchq_subtype_name(n->type, n->subtype)), r->pid,
	       r->tgid, r->ppid, r->ptgid, (unsigned long long)r->pidns_id);
	printf(" uid %u euid %u gid %u egid %u comm \"%.16s\"", r->uid, r->euid,
	       r->gid, r->egid, r->comm);
	if (r->flags & NOTIFY_PROC_THREAD)
		printf(" thread");
	switch (n->subtype) {
	case NOTIFY_PROC_FORK:
		printf(" by %d clone_flags %#llx", (int)r->arg,
		       (unsigned long long)r->arg64);
		break;
	case NOTIFY_PROC_EXIT:
		if (r->flags & NOTIFY_PROC_SIGNALED)
			printf(" signal %u%s", r->arg & 0x7f,
			       r->flags & NOTIFY_PROC_COREDUMPED ? " (core dumped)" : "");
		else
			printf(" status %u", (r->arg >> 8) & 0xff);
		break;
	case NOTIFY_PROC_UID:
	case NOTIFY_PROC_GID:
		printf(" was %u/%u", r->arg, (unsigned int)r->arg64);
		break;
	case NOTIFY_PROC_PTRACE_ATTACH:
	case NOTIFY_PROC_PTRACE_DETACH:
		printf(" tracer %d tgid %d%s", (int)r->arg, (int)r->arg64,
		       r->flags & NOTIFY_PROC_SEIZED ? " (seized)" : "");
		break;
	case NOTIFY_PROC_COREDUMP:
		printf(" signal %u", r->arg);
		break;
	}
	printf("\n");
}

/* A key as keyctl(1) names it; exits if it names none. */
static long parse_key(const char *s)
{
	long id = watchq_key_spec(s);

	if (!id)
		errx(2, "bad key '%s'", s);
	return id;
}

static void print_key(const struct watch_notification *n, size_t len)
{
	const struct key_notification *k = (const void *)n;

	if (!watchq_rec_check(n, len)) {
		printf("key: short record (%zu bytes)\n", len);
		return;
	}
	printf("key %d: %s", k->key_id,
	       name_or(watchq_subtype_name(n->type, n->subtype)));
	if (n->subtype == NOTIFY_KEY_LINKED || n->subtype == NOTIFY_KEY_UNLINKED)
		printf(" key %u", k->aux);
	else if (n->subtype == NOTIFY_KEY_INSTANTIATED && k->aux)
		printf(" error %d", (int)k->aux);
	printf("\n");

	if (follow && n->subtype == NOTIFY_KEY_LINKED &&
	    keyctl_watch(k->aux, qfd, watchq_rec_id(n)) < 0 &&
	    errno != EBUSY)
		warn("watching key %u", k->aux);
}

static void print_meta(const struct watch_notification *n, size_t len)
{
	const struct watch_notification_removal *r = (const void *)n;
	const struct watch_notification_loss *l = (const void *)n;

	switch (n->subtype) {
	case WATCH_META_REMOVAL_NOTIFICATION:
		if (len >= sizeof(*r))
			printf("watch removed: object %llu is gone\n",
			       (unsigned long long)r->id);
		else
			printf("watch removed\n");
		break;
	case WATCH_META_LOSS_NOTIFICATION:
		/* 24 bytes in a ring, 16 from an older one, 8 on a pipe. */
		if (len >= sizeof(*l))
			printf("LOST %llu records here, of types %#llx\n",
			       (unsigned long long)l->nr_lost,
			       (unsigned long long)l->lost_types);
		else if (len >= offsetof(typeof(*l), lost_types))
			printf("LOST %llu records here\n",
			       (unsigned long long)l->nr_lost);
		else
			printf("LOST records here\n");
		break;
	default:
		printf("meta subtype %u\n", n->subtype);
	}
}

/*
 * A mount's ID with where it is mounted, as statmount() says, or as it
 * said last time for a mount that is gone.
 */
static const char *mount_name(__u64 id)
{
	static struct { __u64 id; char path[64]; } known[64];
	static char name[128];
	static unsigned int next;
	struct mnt_id_req req = {
		.size = sizeof(req),
		.mnt_id = id,
		.param = STATMOUNT_MNT_POINT,
	};
	union {
		struct statmount sm;
		char buf[4096];
	} u;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(known) && known[i].id != id; i++)
		;
	if (!syscall(__NR_statmount, &req, &u.sm, sizeof(u), 0) &&
	    (u.sm.mask & STATMOUNT_MNT_POINT)) {
		if (i == ARRAY_SIZE(known))
			i = next++ % ARRAY_SIZE(known);
		known[i].id = id;
		snprintf(known[i].path, sizeof(known[i].path), "%s",
			 u.sm.str + u.sm.mnt_point);
		snprintf(name, sizeof(name), "%llu (%s)",
			 (unsigned long long)id, known[i].path);
	} else if (i < ARRAY_SIZE(known)) {
		snprintf(name, sizeof(name), "%llu (was %s)",
			 (unsigned long long)id, known[i].path);
	} else {
		snprintf(name, sizeof(name), "%llu", (unsigned long long)id);
	}
	return name;
}

/* The change counter a mount record carries, 0 if it is too old for one. */
static __u64 mnt_change(const struct watch_notification *n, size_t len)
{
	const struct mount_attr_notification *a = (const void *)n;
	const struct mount_topology_notification *t = (const void *)n;

	if (n->subtype == NOTIFY_MOUNT_ATTR)
		return len >= MOUNT_ATTR_NOTIFICATION_SIZE_VER1 ?
		       a->mnt_ns_change : 0;
	return len >= MOUNT_NOTIFICATION_SIZE_VER1 ? t->mnt_ns_change : 0;
}

/* The unique ID of the mount @path is on; exits on failure. */
static __u64 mount_id(const char *path)
{
	struct statx stx;

	memset(&stx, 0, sizeof(stx));
	if (statx(AT_FDCWD, path, 0, STATX_MNT_ID_UNIQUE, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID_UNIQUE))
		err(1, "statx(%s, STATX_MNT_ID_UNIQUE)", path);
	return stx.stx_mnt_id;
}

/* The change counter of the namespace of the mount @mnt_id, or 0. */
static __u64 ns_change(__u64 mnt_id)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER0,
		.mnt_id = mnt_id,
		.param = STATMOUNT_MNT_NS_CHANGE,
	};
	struct statmount sm;

	if (syscall(__NR_statmount, &req, &sm, sizeof(sm), 0) < 0 ||
	    !(sm.mask & STATMOUNT_MNT_NS_CHANGE))
		return 0;
	return sm.mnt_ns_change;
}

/*
 * Steps 2 to 4 of the resync for each tree watched with -m: C0, a
 * listmount() snapshot of the tree (its mounts counted here; a monitor
 * would statmount() each into its table), C1.
 */
static void do_resync(void)
{
	struct mnt_id_req req = { .size = MNT_ID_REQ_SIZE_VER0 };
	__u64 ids[512], c1;
	long nr, total;
	int i;

	for (i = 0; i < nr_mwatch; i++) {
		mwatch[i].c0 = ns_change(mwatch[i].mnt_id);
		req.mnt_id = mwatch[i].mnt_id;
		req.param = 0;
		total = 0;
		do {
			nr = syscall(__NR_listmount, &req, ids,
				     ARRAY_SIZE(ids), 0);
			if (nr > 0) {
				total += nr;
				req.param = ids[nr - 1];
			}
		} while (nr == (long)ARRAY_SIZE(ids));
		c1 = ns_change(mwatch[i].mnt_id);
		printf("%s[id %u] resync: %ld mounts below %s, change counter %llu to %llu\n",
		       label, 0x20 + i, total, mwatch[i].path,
		       (unsigned long long)mwatch[i].c0,
		       (unsigned long long)c1);
	}
	fflush(stdout);
}

/* Step 5: does the last snapshot of its watch include @n's change? */
static bool in_snapshot(const struct watch_notification *n, size_t len)
{
	unsigned int id = watchq_rec_id(n);
	__u64 c = n->type == WATCH_TYPE_MOUNT_NOTIFY ? mnt_change(n, len) : 0;

	return c && id >= 0x20 && id < 0x20u + nr_mwatch &&
	       c <= mwatch[id - 0x20].c0;
}

static void print_mount(const struct watch_notification *n, size_t len)
{
	static const char *const what[] = {
		[NOTIFY_MOUNT_ATTACH]		= "attached to",
		[NOTIFY_MOUNT_DETACH]		= "detached from",
		[NOTIFY_MOUNT_EXPIRY]		= "expired, detached from",
		[NOTIFY_MOUNT_MOVE_FROM]	= "moved away from",
		[NOTIFY_MOUNT_MOVE_TO]		= "moved onto",
	};
	const struct mount_attr_notification *a = (const void *)n;
	const struct mount_notification *m = &a->m;

	if (!watchq_rec_check(n, len)) {
		printf("mount: short record (%zu bytes)\n", len);
		return;
	}
	printf("mount %s ", mount_name(m->mnt_id));
	if (n->subtype == NOTIFY_MOUNT_ATTR)
		printf("attributes %#llx%s, propagation %#llx",
		       (unsigned long long)a->mnt_attr,
		       a->mnt_attr & MOUNT_ATTR_RDONLY ? " (read-only)" : "",
		       (unsigned long long)a->mnt_propagation);
	else if (n->subtype < ARRAY_SIZE(what) && what[n->subtype])
		printf("%s %s", what[n->subtype],
		       mount_name(m->mnt_parent_id));
	else
		printf("subtype %u", n->subtype);
	printf(" [mnt ns %llu", (unsigned long long)m->mnt_ns_id);
	if (mnt_change(n, len))
		printf(", change %llu", (unsigned long long)mnt_change(n, len));
	printf("]");
	if (n->info & NOTIFY_MOUNT_IN_SUBTREE)
		printf(" [below the watched mount]");
	if (n->info & NOTIFY_MOUNT_IS_SUBMOUNT)
		printf(" [automount]");
	printf("\n");
}

/* The change counter a superblock record carries, or 0. */
static __u64 sb_change(const struct watch_notification *n, size_t len)
{
	const struct superblock_state_notification *st = (const void *)n;
	const struct superblock_error_notification *e = (const void *)n;
	const struct superblock_quota_notification *qn = (const void *)n;

	switch (n->subtype) {
	case NOTIFY_SUPERBLOCK_ERROR:
		return len >= SUPERBLOCK_ERROR_NOTIFICATION_SIZE_VER1 ?
		       e->sb_change : 0;
	case NOTIFY_SUPERBLOCK_EDQUOT:
		return len >= SUPERBLOCK_QUOTA_NOTIFICATION_SIZE_VER1 ?
		       qn->sb_change : 0;
	}
	return len >= SUPERBLOCK_NOTIFICATION_SIZE_VER1 ? st->sb_change : 0;
}

static void print_sb(const struct watch_notification *n, size_t len)
{
	const struct superblock_quota_notification *qn = (const void *)n;
	const struct superblock_error_notification *e = (const void *)n;
	const struct superblock_notification *s = &e->s;
	static const char *const qtypes[] = { "user", "group", "project" };

	if (!watchq_rec_check(n, len)) {
		printf("superblock: short record (%zu bytes)\n", len);
		return;
	}
	printf("superblock %#llx (dev %u:%u", (unsigned long long)s->sb_id,
	       s->sb_dev_major, s->sb_dev_minor);
	if (sb_change(n, len))
		printf(", change %llu", (unsigned long long)sb_change(n, len));
	printf("): ");
	switch (n->subtype) {
	case NOTIFY_SUPERBLOCK_READONLY:
		printf("%s\n", n->info & NOTIFY_SUPERBLOCK_IS_NOW_RO ?
		       "now read-only" : "now read-write");
		break;
	case NOTIFY_SUPERBLOCK_RECONFIGURE:
		printf("reconfigured, %s\n",
		       n->info & NOTIFY_SUPERBLOCK_IS_NOW_RO ?
		       "read-only" : "read-write");
		break;
	case NOTIFY_SUPERBLOCK_ERROR:
		printf("error %u (%s), error #%u\n", e->error_number,
		       strerror(e->error_number), e->error_cookie);
		break;
	case NOTIFY_SUPERBLOCK_EDQUOT:
		printf("%s quota of %llu exceeded (warning %u)\n",
		       qn->quota_type < ARRAY_SIZE(qtypes) ?
		       qtypes[qn->quota_type] : "?",
		       (unsigned long long)qn->quota_id, qn->warning);
		break;
	default:
		printf("subtype %u\n", n->subtype);
	}
}

static void print_block(const struct watch_notification *n, size_t len)
{
	const struct block_notification *b = (const void *)n;

	if (!watchq_rec_check(n, len)) {
		printf("block: short record (%zu bytes)\n", len);
		return;
	}
	printf("block device %u:%u (diskseq %llu): ", b->dev_major,
	       b->dev_minor, (unsigned long long)b->diskseq);
	switch (n->subtype) {
	case NOTIFY_BLOCK_IO_ERROR:
	case NOTIFY_BLOCK_MEDIUM_ERROR:
		printf("%s%s of %u bytes at sector %llu failed: %s\n",
		       n->subtype == NOTIFY_BLOCK_MEDIUM_ERROR ?
		       "medium error: " : "",
		       b->op == 0 ? "read" : b->op == 1 ? "write" : "request",
		       b->size, (unsigned long long)b->sector,
		       strerror(b->error));
		break;
	case NOTIFY_BLOCK_READONLY:
		printf("%s\n", n->info & NOTIFY_BLOCK_IS_NOW_RO ?
		       "now read-only" : "now read-write");
		break;
	case NOTIFY_BLOCK_DROPPED:
		printf("%llu errors not kept\n", (unsigned long long)b->dropped);
		break;
	default:
		printf("subtype %u\n", n->subtype);
	}
}

/* Print one record, decoded. */
static void print_record(const struct watch_notification *n, size_t len)
{
	if (resync && in_snapshot(n, len))
		return;
	printf("%s[id %u] ", label, watchq_rec_id(n));
	switch (n->type) {
	case WATCH_TYPE_META:
		print_meta(n, len);
		break;
	case WATCH_TYPE_KEY_NOTIFY:
		print_key(n, len);
		break;
	case WATCH_TYPE_MOUNT_NOTIFY:
		print_mount(n, len);
		break;
	case WATCH_TYPE_SB_NOTIFY:
		print_sb(n, len);
		break;
	case WATCH_TYPE_NS_NOTIFY:
		print_ns(n, len);
		break;
	case WATCH_TYPE_PROC_NOTIFY:
		print_proc(n, len);
		break;
	case WATCH_TYPE_BLOCK_NOTIFY:
		print_block(n, len);
		break;
	case WATCH_TYPE_USER_NOTIFY:
		printf("user record, subtype %u, %zu bytes\n", n->subtype, len);
		break;
	default:
		printf("type %u subtype %u, %zu bytes\n", n->type, n->subtype,
		       len);
	}
	fflush(stdout);
}

/* Read every record available from a notification pipe. */
static int drain_pipe(int fd)
{
	unsigned char buf[4096];
	ssize_t got, off;
	int count = 0;
	size_t len;

	got = read(fd, buf, sizeof(buf));
	if (got < 0)
		return errno == EAGAIN ? 0 : -1;
	for (off = 0; off + (ssize_t)sizeof(struct watch_notification) <= got;
	     off += len) {
		const struct watch_notification *n = (const void *)(buf + off);

		len = watchq_rec_len(n);
		if (len < sizeof(*n) || off + (ssize_t)len > got)
			break;
		print_record(n, len);
		count++;
		if (resync && n->type == WATCH_TYPE_META &&
		    n->subtype == WATCH_META_LOSS_NOTIFICATION)
			do_resync();
	}
	return count;
}

static int drain_ring(struct watchq *q)
{
	const struct watch_notification *n;
	int count = 0;

	for (;;) {
		/* The header counts a loss before its record can be posted. */
		if (resync && watchq_lost(q) > lost_seen) {
			lost_seen = watchq_lost(q);
			do_resync();
		}
		n = watchq_next(q);
		if (!n)
			break;
		print_record(n, watchq_rec_len(n));
		count++;
	}
	watchq_release(q);
	return count;
}

/* Open @path and watch what it names with @watch(); exits on failure. */
static void watch_ns_file(const char *path, unsigned int id,
			  int (*watch)(int fd, int ns_fd, unsigned int id))
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		err(1, "opening %s", path);
	ret = watch(qfd, fd, id);
	if (ret < 0) {
		errno = -ret;
		err(1, "watching %s", path);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	long keys[MAX_WATCHES];
	const char *mounts[MAX_WATCHES], *sbs[MAX_WATCHES];
	const char *userns[MAX_WATCHES], *mntns[MAX_WATCHES];
	const char *pidns[MAX_WATCHES];
	const char *blocks[MAX_WATCHES];
	int nkeys = 0, nmounts = 0, nsbs = 0, nns = 0, nmntns = 0, npidns = 0;
	int nblocks = 0;
	int max_records = -1, idle_ms = -1, seen = 0;
	bool use_pipe = false;
	struct watchq q;
	int opt, i, ret, fds[2];

	while ((opt = getopt(argc, argv, "fprl:n:t:k:m:M:s:N:P:b:")) != -1) {
		switch (opt) {
		case 'f':
			follow = true;
			break;
		case 'r':
			resync = true;
			break;
		case 'p':
			use_pipe = true;
			break;
		case 'l':
			label = optarg;
			break;
		case 'n':
			max_records = atoi(optarg);
			break;
		case 't':
			idle_ms = atoi(optarg) * 1000;
			break;
		case 'k':
			if (nkeys == MAX_WATCHES)
				errx(2, "too many keys");
			keys[nkeys++] = parse_key(optarg);
			break;
		case 'm':
			if (nmounts == MAX_WATCHES)
				errx(2, "too many mounts");
			mounts[nmounts++] = optarg;
			break;
		case 'M':
			if (nmntns == MAX_WATCHES)
				errx(2, "too many mount namespaces");
			mntns[nmntns++] = optarg;
			break;
		case 's':
			if (nsbs == MAX_WATCHES)
				errx(2, "too many superblocks");
			sbs[nsbs++] = optarg;
			break;
		case 'N':
			if (nns == MAX_WATCHES)
				errx(2, "too many user namespaces");
			userns[nns++] = optarg;
			break;
		case 'P':
			if (npidns == MAX_WATCHES)
				errx(2, "too many pid namespaces");
			pidns[npidns++] = optarg;
			break;
		case 'b':
			if (nblocks == MAX_WATCHES)
				errx(2, "too many block devices");
			blocks[nblocks++] = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-p] [-f] [-r] [-l LABEL] [-n COUNT] [-t SECONDS] [-k KEY]... [-m PATH]... [-M MNTNS]... [-s PATH]... [-N USERNS]... [-P PIDNS]... [-b DEV]...\n",
				argv[0]);
			return 2;
		}
	}
	if (!nkeys && !nmounts && !nsbs && !nns && !nmntns && !npidns &&
	    !nblocks)
		keys[nkeys++] = KEY_SPEC_SESSION_KEYRING;

	if (use_pipe) {
		if (pipe2(fds, O_NOTIFICATION_PIPE | O_NONBLOCK) < 0)
			err(1, "pipe2(O_NOTIFICATION_PIPE)");
		if (ioctl(fds[0], IOC_WATCH_QUEUE_SET_SIZE, PIPE_NOTES) < 0)
			err(1, "sizing the notification pipe");
		qfd = fds[0];
	} else {
		ret = watchq_open(&q, RING_BYTES);
		if (ret == -EOPNOTSUPP)
			errx(1, "this kernel has no %s", WATCHQ_DEVICE);
		if (ret < 0) {
			errno = -ret;
			err(1, "opening %s", WATCHQ_DEVICE);
		}
		qfd = q.fd;
	}

	/*
	 * Watch IDs: 0x1N for keys, 0x2N for mounts, 0x3N for superblocks,
	 * 0x4N for user namespaces, 0x5N for mount namespaces, 0x6N for
	 * pid namespaces.
	 * block devices.
	 */
	for (i = 0; i < nkeys; i++)
		if (keyctl_watch(keys[i], qfd, 0x10 + i) < 0)
			err(1, "KEYCTL_WATCH_KEY %ld", keys[i]);
	for (i = 0; i < nmounts; i++) {
		ret = watchq_watch_mount(qfd, AT_FDCWD, mounts[i], AT_RECURSIVE,
					 0x20 + i);
		if (ret < 0) {
			errno = -ret;
			err(1, "watching the mounts at %s", mounts[i]);
		}
		printf("%s[id %u] watching the mounts at and below %s\n",
		       label, 0x20 + i, mounts[i]);
		mwatch[i].path = mounts[i];
		mwatch[i].mnt_id = mount_id(mounts[i]);
		nr_mwatch = i + 1;
	}
	for (i = 0; i < nsbs; i++) {
		ret = watchq_watch_sb(qfd, AT_FDCWD, sbs[i], 0, 0x30 + i);
		if (ret < 0) {
			errno = -ret;
			err(1, "watching the superblock of %s", sbs[i]);
		}
		printf("%s[id %u] watching the superblock of %s\n", label,
		       0x30 + i, sbs[i]);
	}
	for (i = 0; i < nns; i++)
		watch_ns_file(userns[i], 0x40 + i, watchq_watch_ns);
	for (i = 0; i < nmntns; i++) {
		watch_ns_file(mntns[i], 0x50 + i, watchq_watch_mount_ns);
		printf("%s[id %u] watching every mount of %s\n", label,
		       0x50 + i, mntns[i]);
	}
	for (i = 0; i < npidns; i++) {
		watch_ns_file(pidns[i], 0x60 + i, watchq_watch_procs);
		printf("%s[id %u] watching the tasks of %s\n", label,
		       0x60 + i, pidns[i]);
	}
	for (i = 0; i < nblocks; i++) {
		int bfd = open(blocks[i], O_PATH | O_CLOEXEC);

		if (bfd < 0)
			err(1, "opening %s", blocks[i]);
		ret = watchq_watch_fd(qfd, WATCH_TYPE_BLOCK_NOTIFY, bfd, 0x70 + i);
		if (ret < 0) {
			errno = -ret;
			err(1, "watching %s", blocks[i]);
		}
		close(bfd);
		printf("%s[id %u] watching the block device %s\n", label,
		       0x70 + i, blocks[i]);
	}
	printf("%swatching %d key(s), %d mount(s), ", label, nkeys, nmounts);
	printf("%d mount namespace(s), %d superblock(s), %d user namespace(s)",
	       nmntns, nsbs, nns);
	printf(", %d pid namespace(s) and %d block device(s)", npidns, nblocks);
	printf(" through %s\n",
	       use_pipe ? "a notification pipe" : WATCHQ_DEVICE);
	fflush(stdout);

	while (max_records < 0 || seen < max_records) {
		struct pollfd pfd = { .fd = qfd, .events = POLLIN };

		if (!use_pipe)
			watchq_release(&q);
		ret = poll(&pfd, 1, idle_ms);
		if (ret < 0)
			err(1, "poll");
		if (ret == 0)
			break;
		ret = use_pipe ? drain_pipe(qfd) : drain_ring(&q);
		if (ret < 0)
			err(1, "reading records");
		seen += ret;
	}
	printf("%s%d records\n", label, seen);
	return 0;
}
