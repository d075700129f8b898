// SPDX-License-Identifier: GPL-2.0
/*
 * watchq - print the notifications of keys, mounts, superblocks,
 * namespaces, processes and block devices as they happen, through /dev/watch_queue
 *
 *	watchq [--keys KEY] [--mounts PATH] [--sb PATH] [--ns NSFILE]
 *	       [--procs PID|NSFILE] [--block DEV]
 *	       [--no-recursive] [--filter TYPE[:SUBTYPE,...]] [--json]
 *	       [--count N] [--timeout S] [--exec CMD] [--resync]
 *	       [--ring-size BYTES]
 *
 * The counterpart of inotifywait and findmnt --poll for the notification
 * queue: one line per record, with the objects it names resolved when it
 * arrives (mount IDs to mount point, source and type; superblocks to device
 * and mount point; namespaces to type:[inode] and the pid to its command;
 * keys to type and description), or with --json one JSON object per line
 * of the schema in watchq(1) and Documentation/userspace-api/watchq.rst.
 *
 * Exit status: 0 when --count records were printed or on SIGINT/SIGTERM,
 * 1 on an error, 2 on --timeout, 3 when the last watch was removed, 64 on a
 * bad command line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/keyctl.h>
#include <linux/nsfs.h>
#include <linux/watch_queue.h>

#include "watchq.h"
#include "watchq_names.h"
#include "watchq_out.h"
#include "watchq_mounts.h"

#define EXIT_TIMEOUT	2
#define EXIT_REMOVED	3
#define EXIT_USAGE	64

#define MAX_WATCHES	WATCH_QUEUE_MAX_WATCH_ID
#define MAX_FILTERS	16
#define DEFAULT_RING	65536

enum watch_kind { W_KEY, W_MOUNT, W_SB, W_MNTNS, W_USERNS, W_PROCS, W_BLOCK };

static const char *const kind_opt[] = {
	[W_KEY] = "keys", [W_MOUNT] = "mounts", [W_SB] = "sb",
	[W_MNTNS] = "ns", [W_USERNS] = "ns", [W_PROCS] = "procs",
	[W_BLOCK] = "block",
};

/**
 * struct watch - One watch that watchq set
 * @kind: What it watches.
 * @arg: The argument it was given on the command line.
 * @key: For keys, the key's serial number.
 * @mnt_id: For mounts, the mount's ID.
 * @ns_id: For mount namespaces, the namespace's ID.
 * @c0: For mounts and mount namespaces, the namespace's change counter
 *	before the last resync's snapshot: the records up to it describe
 *	changes the snapshot includes (0 before any resync).
 * @active: Not removed yet.
 */
struct watch {
	enum watch_kind kind;
	const char *arg;
	int32_t key;
	uint64_t mnt_id, ns_id;
	uint64_t c0;
	bool active;
};

static struct watch watches[MAX_WATCHES + 1];	/* by watch ID, from 1 */
static unsigned int nr_watches, nr_active;
static bool json, resync, recursive = true;
static const char *exec_cmd;
static struct mnt_table table;
static struct out line;
static uint64_t lost_known;	/* the header's lost when last reported */

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: watchq [--keys KEY] [--mounts PATH] [--sb PATH] [--ns NSFILE]\n"
		"              [--procs PID|NSFILE] [--block DEV]\n"
		"              [--no-recursive] [--filter TYPE[:SUBTYPE,...]] [--json]\n"
		"              [--count N] [--timeout S] [--exec CMD] [--resync]\n"
		"              [--ring-size BYTES]\n"
		"Each of --keys, --mounts, --sb, --ns, --procs, --block and --filter may be repeated.\n"
		"Types: key, mount, sb, ns, proc, block, meta, user; see watchq(1).\n");
}

/**
 * struct hint - What to do about an errno
 * @err: The errno.
 * @kind: The kind of watch it is for, or -1 for any.
 * @text: The advice, one line.
 */
struct hint {
	int err;
	int kind;
	const char *text;
};

static const struct hint hints[] = {
	{ ENOENT, W_KEY, "" },
	{ ENOENT, -1, "check the path: it must exist" },
	{ ENOKEY, -1, "no such key: list keys with 'keyctl show'" },
	{ EKEYREVOKED, -1, "the key is dead: watch a live key" },
	{ EKEYEXPIRED, -1, "the key is dead: watch a live key" },
	{ EPERM, W_SB,
	  "watching a superblock needs CAP_SYS_ADMIN over the filesystem's user namespace: run as root, or watch a filesystem mounted in your own user namespace",
	},
	{ EACCES, W_BLOCK,
	  "watching a block device needs read access to its node, or CAP_SYS_ADMIN",
	},
	{ ENOTBLK, W_BLOCK, "not a block device node (use /dev/sda, /dev/vdb, ...)" },
	{ EPERM, W_USERNS, "needs CAP_SYS_ADMIN over that namespace: run as root" },
	{ EPERM, W_MNTNS, "needs CAP_SYS_ADMIN over that namespace: run as root" },
	{ EPERM, W_PROCS,
	  "needs CAP_SYS_ADMIN over the user namespace that owns that pid namespace: run as root, or watch a pid namespace of your own user namespace",
	},
	{ EPERM, -1, "not permitted: run as root or as the object's owner" },
	{ EACCES, W_KEY,
	  "the key does not grant you 'view' permission: see 'keyctl describe' and 'keyctl setperm'",
	},
	{ EACCES, -1,
	  "permission denied looking up the path: check the directories' search permissions, or run as root",
	},
	{ EOPNOTSUPP, W_KEY,
	  "this kernel can't watch keys through this queue (CONFIG_KEY_NOTIFICATIONS)",
	},
	{ EOPNOTSUPP, -1,
	  "this kernel can't set such watches through the queue: it lacks IOC_WATCH_QUEUE_WATCH or the source (CONFIG_MOUNT_NOTIFICATIONS, CONFIG_SB_NOTIFICATIONS, CONFIG_NS_NOTIFICATIONS, CONFIG_PROC_NOTIFICATIONS)",
	},
	{ EAGAIN, -1,
	  "too many watches for your user: see /proc/sys/user/max_watch_queue_watches",
	},
	{ ENOMEM, -1, "out of memory, or the memory cgroup's memory.max is reached" },
	{ EEXIST, -1, "that object is already watched by this queue" },
	{ EINVAL, -1,
	  "the kernel refused the request: check the argument (an nsfs file for --ns)",
	},
	/* Any other errno; "Function not implemented" above all. */
	{ 0, -1,
	  "if the error is 'Function not implemented', this kernel lacks a system call: watchq needs Linux 6.12 with the watch_queue patches",
	},
};

/* What to do about @err for a watch of @kind, in one line. */
static const char *hint(int err, enum watch_kind kind)
{
	unsigned int i;

	for (i = 0; i < WATCHQ_ARRAY_SIZE(hints); i++) {
		const struct hint *h = &hints[i];

		if (h->err && h->err != err)
			continue;
		if (h->kind < 0 || h->kind == (int)kind)
			return h->text;
	}
	return "";
}

/* Print an error about a watch and exit 1. */
static void watch_fail(enum watch_kind kind, const char *arg, int err)
{
	const char *h = hint(err, kind);

	fprintf(stderr, "watchq: --%s %s: %s\n", kind_opt[kind], arg,
		strerror(err));
	if (*h)
		fprintf(stderr, "watchq: hint: %s\n", h);
	exit(1);
}

static void open_fail(int err)
{
	struct stat st;

	if (err == EOPNOTSUPP && stat(WATCHQ_DEVICE, &st) < 0) {
		fprintf(stderr, "watchq: no %s: this kernel has no notification queue device\n",
			WATCHQ_DEVICE);
		fprintf(stderr, "%s\n",
			"watchq: hint: boot a kernel with the watch_queue patches (CONFIG_WATCH_QUEUE_DEV), or load the module: modprobe watch_queue");
	} else if (err == EOPNOTSUPP) {
		fprintf(stderr, "watchq: %s: no driver behind the device node\n",
			WATCHQ_DEVICE);
		fprintf(stderr, "%s\n",
			"watchq: hint: load the module (modprobe watch_queue) or boot a kernel with CONFIG_WATCH_QUEUE_DEV");
	} else {
		fprintf(stderr, "watchq: %s: %s\n", WATCHQ_DEVICE, strerror(err));
		if (err == EACCES)
			fprintf(stderr, "watchq: hint: the node should be mode 0666: ls -l %s\n",
				WATCHQ_DEVICE);
		else if (err == ENOMEM || err == EPERM)
			fprintf(stderr, "%s\n",
				"watchq: hint: the ring counts against RLIMIT_MEMLOCK: try a smaller --ring-size, or raise ulimit -l");
		else if (err == EINVAL)
			fprintf(stderr, "%s\n",
				"watchq: hint: --ring-size is above the kernel's maximum");
	}
	exit(1);
}

static long keyctl(int cmd, unsigned long a2, unsigned long a3,
		   unsigned long a4, unsigned long a5)
{
	return syscall(__NR_keyctl, cmd, a2, a3, a4, a5);
}

/* "type;description" of a key, from KEYCTL_DESCRIBE; false if unknown. */
static bool key_desc(int32_t key, char *type, size_t tsize, char *desc,
		     size_t dsize)
{
	char buf[1024], *p, *f[5];
	long len;
	int i;

	len = keyctl(KEYCTL_DESCRIBE, key, (unsigned long)buf, sizeof(buf), 0);
	if (len <= 0 || len > (long)sizeof(buf))
		return false;
	buf[sizeof(buf) - 1] = '\0';
	/* type;uid;gid;perm;description: the description may hold ';'. */
	p = buf;
	for (i = 0; i < 4; i++) {
		f[i] = p;
		p = strchr(p, ';');
		if (!p)
			return false;
		*p++ = '\0';
	}
	f[4] = p;
	snprintf(type, tsize, "%s", f[0]);
	snprintf(desc, dsize, "%s", f[4]);
	return true;
}

/* The key @key, resolved, as text and as a JSON member @jkey. */
static void put_key(struct out *o, const char *jkey, int32_t key)
{
	char type[64], desc[512];
	bool ok = key_desc(key, type, sizeof(type), desc, sizeof(desc));

	if (json) {
		if (!ok) {
			out_jnull(o, jkey);
			return;
		}
		out_jopen(o, jkey, '{');
		out_jstring(o, "type", type);
		out_jstring(o, "description", desc);
		out_jclose(o, '}');
	} else if (ok) {
		out_printf(o, "%d (%s %s)", key, type, desc);
	} else {
		out_printf(o, "%d (gone)", key);
	}
}

/*
 * A mount, resolved now by statmount(); a mount that is gone is "(gone)",
 * with what the table last knew of it.  Updates the table.
 */
static void put_mount(struct out *o, const char *jkey, uint64_t id,
		      uint64_t ns_id)
{
	struct mnt_info mi, was, *old = mnt_find(&table, id);
	bool gone = mnt_stat(id, ns_id, &mi) < 0;

	if (old) {
		was = *old;
		old = &was;
	}
	if (!gone)
		mnt_put(&table, &mi);
	if (json) {
		out_jopen(o, jkey, '{');
		out_juint(o, "id", id);
		out_jbool(o, "gone", gone);
		if (gone && !old) {
			out_jnull(o, "point");
			out_jnull(o, "source");
			out_jnull(o, "fstype");
		} else {
			const struct mnt_info *p = gone ? old : &mi;

			out_jstring(o, "point", p->point);
			out_jstring(o, "source", p->source);
			out_jstring(o, "fstype", p->fstype);
		}
		out_jclose(o, '}');
	} else if (!gone) {
		out_printf(o, "%s (%s, %s)", mi.point, mi.source, mi.fstype);
	} else if (old) {
		out_printf(o, "(gone, was %s)", old->point);
	} else {
		out_printf(o, "(gone) %#llx", (unsigned long long)id);
	}
}

static void mount_record(struct out *o, const struct watch_notification *n)
{
	const struct mount_attr_notification *ma = (const void *)n;
	const struct mount_notification *m = &ma->m;
	static const char *const rel[] = {
		[NOTIFY_MOUNT_ATTACH] = "on", [NOTIFY_MOUNT_DETACH] = "from",
		[NOTIFY_MOUNT_EXPIRY] = "from", [NOTIFY_MOUNT_ATTR] = "under",
		[NOTIFY_MOUNT_MOVE_FROM] = "from",
		[NOTIFY_MOUNT_MOVE_TO] = "to",
	};
	char attrs[128];

	if (json) {
		out_juint(o, "mnt_id", m->mnt_id);
		out_juint(o, "parent_id", m->mnt_parent_id);
		out_juint(o, "mnt_ns_id", m->mnt_ns_id);
		out_jbool(o, "in_subtree", n->info & NOTIFY_MOUNT_IN_SUBTREE);
		out_jbool(o, "submount", n->info & NOTIFY_MOUNT_IS_SUBMOUNT);
	}
	put_mount(o, "mount", m->mnt_id, m->mnt_ns_id);
	if (!json)
		out_printf(o, " %s ", n->subtype < WATCHQ_ARRAY_SIZE(rel) ?
				      rel[n->subtype] : "under");
	put_mount(o, "parent", m->mnt_parent_id, m->mnt_ns_id);
	if (n->subtype == NOTIFY_MOUNT_ATTR) {
		mnt_attr_names(ma->mnt_attr, attrs, sizeof(attrs));
		if (json) {
			out_juint(o, "attr", ma->mnt_attr);
			out_jstring(o, "options", attrs);
			out_juint(o, "propagation", ma->mnt_propagation);
		} else {
			out_printf(o, " options %s propagation %#llx", attrs,
				   (unsigned long long)ma->mnt_propagation);
		}
	}
	if (!json && (n->info & NOTIFY_MOUNT_IS_SUBMOUNT))
		out_printf(o, " [automount]");
	/* Forget what is gone, once it was named. */
	if (n->subtype == NOTIFY_MOUNT_DETACH ||
	    n->subtype == NOTIFY_MOUNT_EXPIRY)
		mnt_del(&table, m->mnt_id);
}

/* The block device of a device number, from sysfs; @buf "M:m" if none. */
static void dev_name(unsigned int major, unsigned int minor, char *buf,
		     size_t size)
{
	char path[96], line[256];
	FILE *f;

	snprintf(buf, size, "%u:%u", major, minor);
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major,
		 minor);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, size, "/dev/%s", line + 8);
		}
	}
	fclose(f);
}

/* The first mount, in the caller's namespace, of the superblock @sb_id. */
static bool sb_mount(uint64_t sb_id, struct mnt_info *out)
{
	uint64_t *ids;
	long nr, i;
	bool found = false;

	nr = mnt_list(LSMT_ROOT, 0, &ids);
	for (i = 0; i < nr && !found; i++)
		if (mnt_sb_id(ids[i]) == sb_id && !mnt_stat(ids[i], 0, out))
			found = true;
	if (nr >= 0)
		free(ids);
	return found;
}

static void sb_record(struct out *o, const struct watch_notification *n)
{
	const struct superblock_error_notification *e = (const void *)n;
	const struct superblock_quota_notification *qn = (const void *)n;
	const struct superblock_notification *s = (const void *)n;
	static const char *const qtypes[] = { "user", "group", "project" };
	const char *qt = qn->quota_type < 3 ? qtypes[qn->quota_type] : "?";
	bool ro = n->info & NOTIFY_SUPERBLOCK_IS_NOW_RO;
	char dev[320], major_minor[32];
	struct mnt_info mi;
	bool mounted;

	dev_name(s->sb_dev_major, s->sb_dev_minor, dev, sizeof(dev));
	snprintf(major_minor, sizeof(major_minor), "%u:%u", s->sb_dev_major,
		 s->sb_dev_minor);
	mounted = sb_mount(s->sb_id, &mi);
	if (json) {
		out_juint(o, "sb_id", s->sb_id);
		out_jstring(o, "dev", major_minor);
		out_jstring(o, "device", strcmp(dev, major_minor) ? dev :
					 mounted ? mi.source : NULL);
		out_jstring(o, "mount_point", mounted ? mi.point : NULL);
		out_jstring(o, "fstype", mounted ? mi.fstype : NULL);
	} else {
		out_printf(o, "%s", strcmp(dev, major_minor) ? dev :
				    mounted ? mi.source : "?");
		out_printf(o, " (dev %s) on %s", major_minor,
			   mounted ? mi.point : "(not mounted here)");
		if (mounted)
			out_printf(o, " (%s)", mi.fstype);
	}
	switch (n->subtype) {
	case NOTIFY_SUPERBLOCK_READONLY:
	case NOTIFY_SUPERBLOCK_RECONFIGURE:
		if (json)
			out_jbool(o, "readonly", ro);
		else
			out_printf(o, ": %s", ro ? "read-only" : "read-write");
		break;
	case NOTIFY_SUPERBLOCK_ERROR:
		if (json) {
			out_juint(o, "error", e->error_number);
			out_jstring(o, "error_name",
				    strerrorname_np(e->error_number));
			out_juint(o, "cookie", e->error_cookie);
		} else {
			out_printf(o, ": error %u (%s), #%u", e->error_number,
				   strerror(e->error_number), e->error_cookie);
		}
		break;
	case NOTIFY_SUPERBLOCK_EDQUOT:
		if (json) {
			out_jstring(o, "quota_type", qt);
			out_juint(o, "quota_id", qn->quota_id);
			out_juint(o, "warning", qn->warning);
		} else {
			out_printf(o, ": %s quota of %llu exceeded (warning %u)",
				   qt, (unsigned long long)qn->quota_id,
				   qn->warning);
		}
		break;
	}
}

static const char *const block_ops[] = {
	"read", "write", "flush", "discard", "op_4", "secure_erase", "op_6",
	"op_7", "op_8", "write_zeroes",
};

static void block_record(struct out *o, const struct watch_notification *n)
{
	const struct block_notification *b = (const void *)n;
	const char *op = b->op < 10 ? block_ops[b->op] : "op_?";
	char dev[320], major_minor[32];
	bool err = n->subtype == NOTIFY_BLOCK_IO_ERROR ||
		   n->subtype == NOTIFY_BLOCK_MEDIUM_ERROR;

	dev_name(b->dev_major, b->dev_minor, dev, sizeof(dev));
	snprintf(major_minor, sizeof(major_minor), "%u:%u", b->dev_major,
		 b->dev_minor);
	if (json) {
		out_jstring(o, "dev", major_minor);
		out_jstring(o, "device", strcmp(dev, major_minor) ? dev : NULL);
		out_juint(o, "diskseq", b->diskseq);
		if (err) {
			out_jstring(o, "op", op);
			out_juint(o, "sector", b->sector);
			out_juint(o, "size", b->size);
			out_juint(o, "status", b->status);
			out_juint(o, "error", b->error);
			out_jstring(o, "error_name", strerrorname_np(b->error));
		} else if (n->subtype == NOTIFY_BLOCK_DROPPED) {
			out_juint(o, "dropped", b->dropped);
		} else if (n->subtype == NOTIFY_BLOCK_READONLY) {
			out_jbool(o, "readonly",
				  n->info & NOTIFY_BLOCK_IS_NOW_RO);
		}
		return;
	}
	out_printf(o, "%s (dev %s, diskseq %llu)", dev, major_minor,
		   (unsigned long long)b->diskseq);
	if (err)
		out_printf(o, ": %s of %u bytes at sector %llu failed: %s (status %u)",
			   op, b->size, (unsigned long long)b->sector,
			   strerrorname_np(b->error) ?: "?", b->status);
	else if (n->subtype == NOTIFY_BLOCK_DROPPED)
		out_printf(o, ": %llu errors not kept", (unsigned long long)b->dropped);
	else if (n->subtype == NOTIFY_BLOCK_READONLY)
		out_printf(o, ": now %s", n->info & NOTIFY_BLOCK_IS_NOW_RO ?
			   "read-only" : "writable");
}

/* The command of a live process, from /proc; false if it is gone. */
static bool pid_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t len;
	int fd;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

static void ns_record(struct out *o, const struct watch_notification *n)
{
	const struct ns_notification *r = (const void *)n;
	const char *t = watchq_ns_type_name(r->ns_type);
	const char *why = watchq_ns_reason_name(r->reason);
	char ns[64], comm[64];
	bool alive = pid_comm(r->pid, comm, sizeof(comm));

	if (!t)
		t = "?";
	snprintf(ns, sizeof(ns), "%s:[%llu]", t, (unsigned long long)r->ns_inum);
	if (json) {
		out_jstring(o, "ns_type", t);
		out_jstring(o, "ns", ns);
		out_juint(o, "ns_inum", r->ns_inum);
		out_juint(o, "old_inum", r->old_inum);
		out_juint(o, "owner_inum", r->owner_inum);
		out_jstring(o, "reason", why);
		out_jint(o, "pid", r->pid);
		out_jint(o, "tgid", r->tgid);
		out_jstring(o, "comm", alive ? comm : NULL);
		return;
	}
	out_printf(o, "%s", ns);
	if (r->old_inum)
		out_printf(o, " from %s:[%llu]", t,
			   (unsigned long long)r->old_inum);
	out_printf(o, " owner user:[%llu] (%s)",
		   (unsigned long long)r->owner_inum, why ? why : "?");
	if (r->pid)
		out_printf(o, " by pid %d (%s)", r->pid, alive ? comm : "gone");
}

static void proc_record(struct out *o, const struct watch_notification *n)
{
	const struct proc_notification *r = (const void *)n;
	char comm[sizeof(r->comm) + 1];

	memcpy(comm, r->comm, sizeof(r->comm));
	comm[sizeof(r->comm)] = '\0';
	if (json) {
		out_jint(o, "pid", r->pid);
		out_jint(o, "tgid", r->tgid);
		out_jint(o, "ppid", r->ppid);
		out_jint(o, "ptgid", r->ptgid);
		out_juint(o, "pidns_id", r->pidns_id);
		out_juint(o, "uid", r->uid);
		out_juint(o, "euid", r->euid);
		out_juint(o, "gid", r->gid);
		out_juint(o, "egid", r->egid);
		out_juint(o, "proc_flags", r->flags);
		out_juint(o, "arg", r->arg);
		out_juint(o, "arg64", r->arg64);
		out_jstring(o, "comm", comm);
		return;
	}
	out_printf(o, "pid %d (%s) tgid %d ppid %d pidns %llu uid %u euid %u gid %u egid %u",
		   r->pid, comm, r->tgid, r->ppid,
		   (unsigned long long)r->pidns_id, r->uid, r->euid, r->gid,
		   r->egid);
	if (r->flags & NOTIFY_PROC_THREAD)
		out_printf(o, " thread");
	switch (n->subtype) {
	case NOTIFY_PROC_FORK:
		out_printf(o, " by %d flags %#llx", (int)r->arg,
			   (unsigned long long)r->arg64);
		break;
	case NOTIFY_PROC_EXIT:
		if (r->flags & NOTIFY_PROC_SIGNALED)
			out_printf(o, " signal %u%s", r->arg & 0x7f,
				   r->flags & NOTIFY_PROC_COREDUMPED ?
				   " (core dumped)" : "");
		else
			out_printf(o, " status %u", (r->arg >> 8) & 0xff);
		break;
	case NOTIFY_PROC_UID:
	case NOTIFY_PROC_GID:
		out_printf(o, " was %u/%u", r->arg, (unsigned int)r->arg64);
		break;
	case NOTIFY_PROC_PTRACE_ATTACH:
	case NOTIFY_PROC_PTRACE_DETACH:
		out_printf(o, " tracer %d%s", (int)r->arg,
			   r->flags & NOTIFY_PROC_SEIZED ? " (seized)" : "");
		break;
	case NOTIFY_PROC_COREDUMP:
		out_printf(o, " signal %u", r->arg);
		break;
	}
}

static void key_record(struct out *o, const struct watch_notification *n)
{
	const struct key_notification *k = (const void *)n;

	if (json)
		out_juint(o, "key_id", k->key_id);
	put_key(o, "key", k->key_id);
	if (n->subtype == NOTIFY_KEY_LINKED ||
	    n->subtype == NOTIFY_KEY_UNLINKED) {
		if (json) {
			out_juint(o, "aux_key_id", k->aux);
		} else {
			out_printf(o, n->subtype == NOTIFY_KEY_LINKED ?
				   " <- " : " -/- ");
		}
		put_key(o, "aux_key", k->aux);
	} else if (n->subtype == NOTIFY_KEY_INSTANTIATED) {
		if (json)
			out_jint(o, "error", (int32_t)k->aux);
		else if (k->aux)
			out_printf(o, " error %d", (int32_t)k->aux);
	}
}

static void print_line(void)
{
	fputs(line.s, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Begin a line: the members every JSON object has, or the text prefix. */
static void begin(const char *type, const char *event)
{
	struct timespec ts;

	out_reset(&line);
	if (!json) {
		out_printf(&line, "%s %s ", type, event);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	out_jopen(&line, NULL, '{');
	out_jkey(&line, "time");
	out_printf(&line, "%lld.%06ld", (long long)ts.tv_sec,
		   ts.tv_nsec / 1000);
	out_jstring(&line, "type", type);
	out_jstring(&line, "event", event);
}

static void end(void)
{
	if (json)
		out_jclose(&line, '}');
	print_line();
}

/* One line of a resync's diff: @mi @ev ("added", ...), as it @was. */
static void resync_line(const char *ev, const struct mnt_info *mi,
			const struct mnt_info *was)
{
	begin("resync", ev);
	if (json) {
		out_juint(&line, "mnt_id", mi->id);
		out_jopen(&line, "mount", '{');
		out_jstring(&line, "point", mi->point);
		out_jstring(&line, "source", mi->source);
		out_jstring(&line, "fstype", mi->fstype);
		out_jstring(&line, "options", mi->opts);
		out_jclose(&line, '}');
		if (was) {
			out_jopen(&line, "was", '{');
			out_jstring(&line, "point", was->point);
			out_jstring(&line, "options", was->opts);
			out_jclose(&line, '}');
		}
	} else {
		out_printf(&line, "%s (%s, %s) %s", mi->point, mi->source,
			   mi->fstype, mi->opts);
		if (was)
			out_printf(&line, ", was %s %s", was->point, was->opts);
	}
	end();
}

/*
 * The change counter of a watched tree's namespace, read before its
 * snapshot: of a mount watch, through the watched mount; of a namespace
 * watch, through its first mount.  0 if there is none.
 */
static uint64_t watch_change(const struct watch *w)
{
	uint64_t *ids, c = 0;
	long nr;

	if (w->kind == W_MOUNT)
		return mnt_ns_change(w->mnt_id, 0);
	nr = mnt_list(LSMT_ROOT, w->ns_id, &ids);
	if (nr > 0)
		c = mnt_ns_change(ids[0], w->ns_id);
	if (nr >= 0)
		free(ids);
	return c;
}

/*
 * --resync, after a loss: for each watched tree only, read its
 * namespace's change counter C0, take a snapshot of the tree, and diff
 * the snapshot with the table (Documentation/userspace-api/mount_notify.rst,
 * "Resynchronising").  The records still queued whose counter is at most
 * C0 describe changes the snapshot includes: handle() skips them.  Sorted
 * tables make the diff O(N log N) for N mounts.
 */
static void do_resync(void)
{
	struct mnt_table now = { 0 };
	unsigned int added = 0, removed = 0, changed = 0, i;
	struct mnt_info *old;
	size_t j;

	for (i = 1; i <= nr_watches; i++) {
		struct watch *w = &watches[i];

		if (!w->active ||
		    (w->kind != W_MOUNT && w->kind != W_MNTNS))
			continue;
		w->c0 = watch_change(w);
		if (w->kind == W_MOUNT)
			mnt_snapshot(&now, w->mnt_id, 0, recursive);
		else
			mnt_snapshot(&now, LSMT_ROOT, w->ns_id, true);
	}
	mnt_table_sort(&table);
	for (j = 0; j < now.nr; j++) {
		struct mnt_info *mi = &now.m[j];
		const char *ev;

		old = mnt_find(&table, mi->id);
		if (old && old->gone)
			old = NULL;
		if (old && !strcmp(old->point, mi->point) &&
		    old->parent == mi->parent && !strcmp(old->opts, mi->opts))
			continue;
		ev = old ? "changed" : "added";
		if (old)
			changed++;
		else
			added++;
		resync_line(ev, mi, old);
	}
	for (j = 0; j < table.nr; j++) {
		old = &table.m[j];
		if (old->gone || mnt_find(&now, old->id))
			continue;
		removed++;
		resync_line("removed", old, NULL);
	}
	begin("resync", "done");
	if (json) {
		out_juint(&line, "added", added);
		out_juint(&line, "removed", removed);
		out_juint(&line, "changed", changed);
		out_juint(&line, "mounts", now.nr);
	} else {
		out_printf(&line, "%u added, %u removed, %u changed: %zu mounts watched",
			   added, removed, changed, now.nr);
	}
	end();
	mnt_table_free(&table);
	table = now;
}

/*
 * Does the last resync's snapshot include the change of the mount record
 * @n already?  Its counter is at most the C0 of its watch's namespace.
 */
static bool resync_covers(const struct watch_notification *n)
{
	unsigned int id = watchq_rec_id(n);
	uint64_t c;

	if (n->type != WATCH_TYPE_MOUNT_NOTIFY || !id || id > nr_watches)
		return false;
	c = mnt_rec_change(n, watchq_rec_len(n));
	return c && c <= watches[id].c0;
}

/* Records the header counts as lost that no line reported yet. */
static uint64_t lost_unreported(struct watchq *q)
{
	uint64_t lost = watchq_lost(q);

	return lost > lost_known ? lost - lost_known : 0;
}

/* What a loss line says to do, or that a resync follows. */
static void loss_advice(struct out *o, bool pending)
{
	if (resync && pending)
		out_printf(o, "; resyncing");
	else if (resync)
		out_printf(o, "; resynced already");
	else
		out_printf(o, "%s",
			   "; the state may have changed unseen: rerun with --resync, or re-read it (findmnt, keyctl show)");
}

static struct watchq q;

static void meta_record(struct out *o, const struct watch_notification *n,
			size_t len)
{
	bool lost_pending = lost_unreported(&q) > 0;

	const struct watch_notification_removal *r = (const void *)n;
	const struct watch_notification_loss *l = (const void *)n;
	unsigned int id = watchq_rec_id(n), t;
	struct watch *w = id && id <= nr_watches ? &watches[id] : NULL;
	char types[128] = "";
	size_t tl = 0;

	if (n->subtype == WATCH_META_REMOVAL_NOTIFICATION) {
		bool has_id = len >= sizeof(*r);

		if (json) {
			if (has_id)
				out_juint(o, "object_id", r->id);
			else
				out_jnull(o, "object_id");
		} else {
			out_printf(o, "watch %u", id);
			if (w)
				out_printf(o, " (--%s %s)", kind_opt[w->kind],
					   w->arg);
			if (has_id)
				out_printf(o, ": object %#llx is gone",
					   (unsigned long long)r->id);
		}
		if (w && w->active) {
			w->active = false;
			nr_active--;
		}
		return;
	}
	if (n->subtype != WATCH_META_LOSS_NOTIFICATION)
		return;
	if (len >= sizeof(*l)) {
		for (t = 0; t < 64; t++) {
			const char *tn = watchq_type_name(t);

			if (!(l->lost_types & WATCH_LOST_TYPE(t)))
				continue;
			if (tn)
				watchq_append(types, sizeof(types), &tl,
					      "%s%s", tl ? "," : "", tn);
			else
				watchq_append(types, sizeof(types), &tl,
					      "%s%u", tl ? "," : "", t);
		}
	}
	if (json) {
		if (len >= offsetof(struct watch_notification_loss, lost_types))
			out_juint(o, "nr_lost", l->nr_lost);
		else
			out_jnull(o, "nr_lost");
		out_jstring(o, "lost_types", len >= sizeof(*l) ? types : NULL);
		out_jbool(o, "pending", false);
		out_jbool(o, "resync", resync && lost_pending);
	} else {
		if (len >= offsetof(struct watch_notification_loss, lost_types))
			out_printf(o, "%llu records lost here",
				   (unsigned long long)l->nr_lost);
		else
			out_printf(o, "records lost here");
		if (*types)
			out_printf(o, " (types %s)", types);
		loss_advice(o, lost_pending);
	}
}

/*
 * Run --exec's command for the line just printed.  Everything the child
 * needs is taken from the record first: the ring is not mapped in a child
 * (the device's mappings are not copied on fork()).
 */
static void run_exec(const struct watch_notification *n)
{
	const char *type = watchq_type_name(n->type);
	const char *event = watchq_subtype_name(n->type, n->subtype);
	int status = 0;
	char id[16];
	pid_t pid;

	if (!exec_cmd)
		return;
	snprintf(id, sizeof(id), "%u", watchq_rec_id(n));
	pid = fork();
	if (pid < 0) {
		perror("watchq: fork");
		return;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setenv("WATCHQ_LINE", line.s, 1);
		setenv("WATCHQ_WATCH", id, 1);
		setenv("WATCHQ_TYPE", type ?: "?", 1);
		setenv("WATCHQ_EVENT", event ?: "?", 1);
		execl("/bin/sh", "sh", "-c", exec_cmd, (char *)NULL);
		perror("watchq: --exec: /bin/sh");
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status))
		fprintf(stderr, "watchq: --exec: exit status %d\n",
			WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "watchq: --exec: killed by signal %d\n",
			WTERMSIG(status));
}

/* Print one record, resolved. */
static void handle(const struct watch_notification *n)
{
	size_t len = watchq_rec_len(n);
	const char *tn = watchq_type_name(n->type);
	const char *sn = watchq_subtype_name(n->type, n->subtype);
	unsigned int id = watchq_rec_id(n);
	char tbuf[16], sbuf[16];

	if (!tn) {
		snprintf(tbuf, sizeof(tbuf), "type_%u", n->type);
		tn = tbuf;
	}
	if (!sn) {
		snprintf(sbuf, sizeof(sbuf), "subtype_%u", n->subtype);
		sn = sbuf;
	}
	/* What a resync's diff reported already. */
	if (resync && watchq_rec_check(n, len) && resync_covers(n))
		return;
	begin(tn, sn);
	if (json) {
		out_juint(&line, "watch", id);
		out_juint(&line, "len", len);
		out_juint(&line, "flags", watchq_rec_flags(n) >>
					  WATCH_INFO_TYPE_INFO__SHIFT);
	}
	if (!watchq_rec_check(n, len)) {
		if (json)
			out_jbool(&line, "short", true);
		else
			out_printf(&line, "(short record, %zu bytes)", len);
	} else {
		switch (n->type) {
		case WATCH_TYPE_META:
			meta_record(&line, n, len);
			break;
		case WATCH_TYPE_KEY_NOTIFY:
			key_record(&line, n);
			break;
		case WATCH_TYPE_MOUNT_NOTIFY:
			mount_record(&line, n);
			break;
		case WATCH_TYPE_SB_NOTIFY:
			sb_record(&line, n);
			break;
		case WATCH_TYPE_NS_NOTIFY:
			ns_record(&line, n);
			break;
		case WATCH_TYPE_PROC_NOTIFY:
			proc_record(&line, n);
			break;
		case WATCH_TYPE_BLOCK_NOTIFY:
			block_record(&line, n);
			break;
		default:
			if (!json)
				out_printf(&line, "%zu bytes", len);
		}
	}
	if (!json && n->type != WATCH_TYPE_META)
		out_printf(&line, " [watch %u]", id);
	end();
	run_exec(n);
	if (n->type == WATCH_TYPE_META &&
	    n->subtype == WATCH_META_LOSS_NOTIFICATION &&
	    lost_unreported(&q)) {
		lost_known = watchq_lost(&q);
		if (resync)
			do_resync();
	}
}

/*
 * The kernel posts its loss record before the next record it can post: a
 * ring that stays full, or quiet once emptied, has records lost that no
 * record reports yet.  The header counts them; report them at once.
 */
static void check_lost(void)
{
	uint64_t nr = lost_unreported(&q);

	if (!nr)
		return;
	lost_known += nr;
	begin("meta", "loss");
	if (json) {
		out_juint(&line, "watch", 0);
		out_juint(&line, "len", 0);
		out_juint(&line, "flags", 0);
		out_juint(&line, "nr_lost", nr);
		out_jnull(&line, "lost_types");
		out_jbool(&line, "pending", true);
		out_jbool(&line, "resync", resync);
	} else {
		out_printf(&line, "%llu records lost %s",
			   (unsigned long long)nr,
			   "(the ring's header says so; the kernel's loss record comes with its next record)");
		loss_advice(&line, true);
	}
	end();
	if (resync)
		do_resync();
}

/* --filter TYPE[:SUBTYPE,...], added to @f; false if it names nothing. */
static bool parse_filter(char *arg, struct watch_notification_filter *f)
{
	struct watch_notification_type_filter *tf;
	char *colon = strchr(arg, ':'), *sub, *save;
	int type, st, i;

	if (colon)
		*colon++ = '\0';
	type = watchq_type_lookup(arg);
	if (type < 0 || f->nr_filters == MAX_FILTERS)
		return false;
	tf = &f->filters[f->nr_filters++];
	memset(tf, 0, sizeof(*tf));
	tf->type = type;
	if (!colon) {
		for (i = 0; i < 8; i++)
			tf->subtype_filter[i] = ~0U;
		return true;
	}
	for (sub = strtok_r(colon, ",", &save); sub;
	     sub = strtok_r(NULL, ",", &save)) {
		st = watchq_subtype_lookup(type, sub);
		if (st < 0 && type == WATCH_TYPE_USER_NOTIFY) {
			char *end;

			st = strtol(sub, &end, 0);
			if (*end || st > 255)
				st = -1;
		}
		if (st < 0)
			return false;
		tf->subtype_filter[st / 32] |= 1U << (st % 32);
	}
	return true;
}

static unsigned int add_watch(enum watch_kind kind, const char *arg)
{
	if (nr_watches == MAX_WATCHES) {
		fprintf(stderr, "watchq: at most %u watches\n", MAX_WATCHES);
		exit(EXIT_USAGE);
	}
	nr_watches++;
	watches[nr_watches].kind = kind;
	watches[nr_watches].arg = arg;
	return nr_watches;
}

/* Set watch @id on the queue @fd; exits with a hint if it fails. */
static void set_watch(int fd, unsigned int id)
{
	struct watch *w = &watches[id];
	struct statx stx;
	int nsfd, ret = 0, type;

	switch (w->kind) {
	case W_KEY:
		w->key = watchq_key_spec(w->arg);
		if (!w->key) {
			fprintf(stderr, "watchq: --keys %s: %s\n", w->arg,
				"not a key (a serial number, @s, @u, @us, @p or @t)");
			exit(EXIT_USAGE);
		}
		/* The serial of @s and the like, for the lines printed. */
		ret = keyctl(KEYCTL_GET_KEYRING_ID, w->key, 0, 0, 0);
		if (ret < 0)
			watch_fail(w->kind, w->arg, errno);
		w->key = ret;
		if (keyctl(KEYCTL_WATCH_KEY, w->key, fd, id, 0) < 0)
			watch_fail(w->kind, w->arg, errno);
		break;
	case W_MOUNT:
		memset(&stx, 0, sizeof(stx));
		if (statx(AT_FDCWD, w->arg, 0, STATX_MNT_ID_UNIQUE, &stx) < 0)
			watch_fail(w->kind, w->arg, errno);
		w->mnt_id = stx.stx_mnt_id;
		ret = watchq_watch_mount(fd, AT_FDCWD, w->arg,
					 recursive ? AT_RECURSIVE : 0, id);
		if (ret < 0)
			watch_fail(w->kind, w->arg, -ret);
		mnt_snapshot(&table, w->mnt_id, 0, recursive);
		break;
	case W_SB:
		ret = watchq_watch_sb(fd, AT_FDCWD, w->arg, 0, id);
		if (ret < 0)
			watch_fail(w->kind, w->arg, -ret);
		break;
	case W_BLOCK:
		/* O_PATH: watching a disk does not open it. */
		nsfd = open(w->arg, O_PATH | O_CLOEXEC);
		if (nsfd < 0)
			watch_fail(w->kind, w->arg, errno);
		ret = watchq_watch_fd(fd, WATCH_TYPE_BLOCK_NOTIFY, nsfd, id);
		close(nsfd);
		if (ret < 0)
			watch_fail(w->kind, w->arg, -ret);
		break;
	case W_MNTNS:
	case W_USERNS:
		nsfd = open(w->arg, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			watch_fail(w->kind, w->arg, errno);
		type = ioctl(nsfd, NS_GET_NSTYPE);
		if (type < 0 && errno == ENOTTY) {
			fprintf(stderr, "watchq: --ns %s: %s\n", w->arg,
				"not a namespace file (use /proc/PID/ns/user or /proc/PID/ns/mnt)");
			exit(1);
		}
		if (type == CLONE_NEWNS) {
			w->kind = W_MNTNS;
			if (ioctl(nsfd, NS_GET_MNTNS_ID, &w->ns_id) < 0)
				w->ns_id = 0;
			ret = watchq_watch_mount_ns(fd, nsfd, id);
		} else if (type == CLONE_NEWUSER || type < 0) {
			w->kind = W_USERNS;
			ret = watchq_watch_ns(fd, nsfd, id);
		} else {
			fprintf(stderr, "watchq: --ns %s: a %s namespace; %s\n", w->arg,
				watchq_ns_type_name(type) ?: "?",
				"watch a user namespace (its namespaces) or a mount namespace (its mounts)");
			exit(1);
		}
		close(nsfd);
		if (ret < 0)
			watch_fail(w->kind, w->arg, -ret);
		if (w->kind == W_MNTNS)
			mnt_snapshot(&table, LSMT_ROOT, w->ns_id, true);
		break;
	case W_PROCS:
		/* A number is a PID, named by a pidfd; anything else an nsfs file. */
		if (*w->arg && strspn(w->arg, "0123456789") == strlen(w->arg))
			nsfd = syscall(SYS_pidfd_open, atoi(w->arg), 0);
		else
			nsfd = open(w->arg, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			watch_fail(w->kind, w->arg, errno);
		ret = watchq_watch_procs(fd, nsfd, id);
		close(nsfd);
		if (ret == -EINVAL) {
			fprintf(stderr, "watchq: --procs %s: %s\n", w->arg,
				"not a pid namespace (use a PID, /proc/PID/ns/pid or /proc/PID/ns/pid_for_children)");
			exit(1);
		}
		if (ret < 0)
			watch_fail(w->kind, w->arg, -ret);
		break;
	}
	w->active = true;
	nr_active++;
}

static long parse_num(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (!*s || *end || errno || v < min || v > max) {
		fprintf(stderr, "watchq: --%s %s: want a number from %ld to %ld\n",
			opt, s, min, max);
		exit(EXIT_USAGE);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keys", required_argument, NULL, 'k' },
		{ "mounts", required_argument, NULL, 'm' },
		{ "sb", required_argument, NULL, 's' },
		{ "ns", required_argument, NULL, 'n' },
		{ "procs", required_argument, NULL, 'P' },
		{ "block", required_argument, NULL, 'b' },
		{ "no-recursive", no_argument, NULL, 'R' },
		{ "filter", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "exec", required_argument, NULL, 'e' },
		{ "resync", no_argument, NULL, 'r' },
		{ "ring-size", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	static union {
		struct watch_notification_filter f;
		char buf[sizeof(struct watch_notification_filter) +
			 MAX_FILTERS * sizeof(struct watch_notification_type_filter)];
	} filter;
	const struct watch_notification *n;
	long count = -1, timeout_ms = -1, ring = DEFAULT_RING, seen = 0;
	struct pollfd pfd[2];
	sigset_t sigs;
	unsigned int i;
	int opt, ret, sfd;

	while ((opt = getopt_long(argc, argv, "k:m:s:n:P:b:Rf:jc:t:e:rS:h", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'k':
			add_watch(W_KEY, optarg);
			break;
		case 'm':
			add_watch(W_MOUNT, optarg);
			break;
		case 's':
			add_watch(W_SB, optarg);
			break;
		case 'n':
			add_watch(W_USERNS, optarg);
			break;
		case 'P':
			add_watch(W_PROCS, optarg);
			break;
		case 'b':
			add_watch(W_BLOCK, optarg);
			break;
		case 'R':
			recursive = false;
			break;
		case 'f':
			if (!parse_filter(optarg, &filter.f)) {
				fprintf(stderr, "watchq: --filter %s: %s\n", optarg,
					"unknown type or subtype (see watchq(1))");
				return EXIT_USAGE;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'c':
			count = parse_num("count", optarg, 1, LONG_MAX);
			break;
		case 't':
			timeout_ms = parse_num("timeout", optarg, 0,
					       INT_MAX / 1000) * 1000;
			break;
		case 'e':
			exec_cmd = optarg;
			break;
		case 'r':
			resync = true;
			break;
		case 'S':
			ring = parse_num("ring-size", optarg, 1, 1L << 30);
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || !nr_watches) {
		if (!nr_watches)
			fprintf(stderr, "watchq: nothing to watch\n");
		print_usage(stderr);
		return EXIT_USAGE;
	}

	ret = watchq_open(&q, ring);
	if (ret < 0)
		open_fail(-ret);
	if (filter.f.nr_filters) {
		ret = watchq_set_filter(&q, &filter.f);
		if (ret < 0) {
			fprintf(stderr, "watchq: --filter: %s\n", strerror(-ret));
			return 1;
		}
	}
	for (i = 1; i <= nr_watches; i++)
		set_watch(q.fd, i);
	/* SIGINT and SIGTERM end the loop below, by a signalfd it polls. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("watchq: signalfd");
		return 1;
	}
	fprintf(stderr, "watchq: watching %u object(s) through %s; ready\n",
		nr_watches, WATCHQ_DEVICE);

	for (;;) {
		watchq_release(&q);
		pfd[0].fd = q.fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = sfd;
		pfd[1].events = POLLIN;
		ret = poll(pfd, 2, timeout_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			perror("watchq: poll");
			return 1;
		}
		if (pfd[1].revents & POLLIN)
			return 0;
		if (ret == 0) {
			fprintf(stderr, "watchq: no record for %ld s: timeout\n",
				timeout_ms / 1000);
			return EXIT_TIMEOUT;
		}
		errno = 0;
		while ((n = watchq_next(&q))) {
			handle(n);
			if (count > 0 && ++seen == count)
				return 0;
			if (!nr_active) {
				fprintf(stderr, "watchq: the last watch was removed\n");
				return EXIT_REMOVED;
			}
		}
		if (errno == EPROTO) {
			fprintf(stderr, "watchq: the ring holds a malformed record\n");
			return 1;
		}
		check_lost();
	}
}
