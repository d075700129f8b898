/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * watchq_names.h - the record vocabulary of watch queues, for userspace
 *
 * Header-only, next to watchq.h: the name of every record type and
 * subtype, the watch ID and flags of a record, the least length a record
 * of each type and subtype has, and one-line descriptions of records for
 * logs.  Every table is indexed by the UAPI enums of
 * <linux/watch_queue.h> with designated initialisers, so that a value can't
 * end up under another's name; the type table is checked against
 * WATCH_TYPE__NR at compile time.
 *
 * See Documentation/userspace-api/watch_queue_dev.rst
 */
#ifndef _WATCHQ_NAMES_H
#define _WATCHQ_NAMES_H

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <stdlib.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <linux/watch_queue.h>

#define WATCHQ_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Short names of the record types, as watchq(1) prints and parses them. */
static const char *const watchq_type_names[] = {
	[WATCH_TYPE_META]		= "meta",
	[WATCH_TYPE_KEY_NOTIFY]		= "key",
	[WATCH_TYPE_MOUNT_NOTIFY]	= "mount",
	[WATCH_TYPE_SB_NOTIFY]		= "sb",
	[WATCH_TYPE_NS_NOTIFY]		= "ns",
	[WATCH_TYPE_USER_NOTIFY]	= "user",
	[WATCH_TYPE_PROC_NOTIFY]	= "proc",
	[WATCH_TYPE_BLOCK_NOTIFY]	= "block",
};

static_assert(WATCHQ_ARRAY_SIZE(watchq_type_names) == WATCH_TYPE__NR,
	      "a record type without a name");

static const char *const watchq_meta_names[] = {
	[WATCH_META_REMOVAL_NOTIFICATION]	= "removal",
	[WATCH_META_LOSS_NOTIFICATION]		= "loss",
	[WATCH_META_SKIP_NOTIFICATION]		= "skip",
};

static const char *const watchq_key_names[] = {
	[NOTIFY_KEY_INSTANTIATED]	= "instantiated",
	[NOTIFY_KEY_UPDATED]		= "updated",
	[NOTIFY_KEY_LINKED]		= "linked",
	[NOTIFY_KEY_UNLINKED]		= "unlinked",
	[NOTIFY_KEY_CLEARED]		= "cleared",
	[NOTIFY_KEY_REVOKED]		= "revoked",
	[NOTIFY_KEY_INVALIDATED]	= "invalidated",
	[NOTIFY_KEY_SETATTR]		= "setattr",
};

static const char *const watchq_mount_names[] = {
	[NOTIFY_MOUNT_ATTACH]		= "attach",
	[NOTIFY_MOUNT_DETACH]		= "detach",
	[NOTIFY_MOUNT_EXPIRY]		= "expiry",
	[NOTIFY_MOUNT_ATTR]		= "attr",
	[NOTIFY_MOUNT_MOVE_FROM]	= "move_from",
	[NOTIFY_MOUNT_MOVE_TO]		= "move_to",
};

static const char *const watchq_sb_names[] = {
	[NOTIFY_SUPERBLOCK_READONLY]	= "readonly",
	[NOTIFY_SUPERBLOCK_ERROR]	= "error",
	[NOTIFY_SUPERBLOCK_EDQUOT]	= "edquot",
	[NOTIFY_SUPERBLOCK_RECONFIGURE]	= "reconfigure",
};

static const char *const watchq_ns_names[] = {
	[NOTIFY_NS_CREATE]	= "create",
	[NOTIFY_NS_SETNS]	= "setns",
	[NOTIFY_NS_DESTROY]	= "destroy",
};

static const char *const watchq_block_names[] = {
	[NOTIFY_BLOCK_IO_ERROR]		= "io_error",
	[NOTIFY_BLOCK_MEDIUM_ERROR]	= "medium_error",
	[NOTIFY_BLOCK_READONLY]		= "readonly",
	[NOTIFY_BLOCK_DROPPED]		= "dropped",
};

static const char *const watchq_ns_reason_names[] = {
	[NOTIFY_NS_REASON_CLONE]	= "clone",
	[NOTIFY_NS_REASON_UNSHARE]	= "unshare",
	[NOTIFY_NS_REASON_SETNS_NSFD]	= "setns_nsfd",
	[NOTIFY_NS_REASON_SETNS_PIDFD]	= "setns_pidfd",
	[NOTIFY_NS_REASON_RELEASE]	= "release",
};

static const char *const watchq_proc_names[] = {
	[NOTIFY_PROC_FORK]		= "fork",
	[NOTIFY_PROC_EXEC]		= "exec",
	[NOTIFY_PROC_EXIT]		= "exit",
	[NOTIFY_PROC_SETSID]		= "setsid",
	[NOTIFY_PROC_UID]		= "uid",
	[NOTIFY_PROC_GID]		= "gid",
	[NOTIFY_PROC_COMM]		= "comm",
	[NOTIFY_PROC_PTRACE_ATTACH]	= "ptrace_attach",
	[NOTIFY_PROC_PTRACE_DETACH]	= "ptrace_detach",
	[NOTIFY_PROC_COREDUMP]		= "coredump",
};

/**
 * struct watchq_subtypes - The subtype names of one record type
 * @names: Indexed by the subtype; NULL where the value has no name.
 * @nr: Entries in @names.
 */
struct watchq_subtypes {
	const char *const *names;
	unsigned int nr;
};

static const struct watchq_subtypes watchq_subtype_table[] = {
	[WATCH_TYPE_META] = {
		watchq_meta_names, WATCHQ_ARRAY_SIZE(watchq_meta_names)
	},
	[WATCH_TYPE_KEY_NOTIFY] = {
		watchq_key_names, WATCHQ_ARRAY_SIZE(watchq_key_names)
	},
	[WATCH_TYPE_MOUNT_NOTIFY] = {
		watchq_mount_names, WATCHQ_ARRAY_SIZE(watchq_mount_names)
	},
	[WATCH_TYPE_SB_NOTIFY] = {
		watchq_sb_names, WATCHQ_ARRAY_SIZE(watchq_sb_names)
	},
	[WATCH_TYPE_NS_NOTIFY] = {
		watchq_ns_names, WATCHQ_ARRAY_SIZE(watchq_ns_names)
	},
	[WATCH_TYPE_USER_NOTIFY]	= { NULL, 0 },	/* any subtype */
	[WATCH_TYPE_PROC_NOTIFY] = {
		watchq_proc_names, WATCHQ_ARRAY_SIZE(watchq_proc_names)
	},
	[WATCH_TYPE_BLOCK_NOTIFY] = {
		watchq_block_names, WATCHQ_ARRAY_SIZE(watchq_block_names)
	},
};

static_assert(WATCHQ_ARRAY_SIZE(watchq_subtype_table) == WATCH_TYPE__NR,
	      "a record type without its subtypes");

/**
 * watchq_type_name - The short name of a record type
 * @type: enum watch_notification_type.
 *
 * Return: "mount" and the like, or NULL for a type this header does not
 * know (a newer kernel's).
 */
static inline const char *watchq_type_name(unsigned int type)
{
	return type < WATCH_TYPE__NR ? watchq_type_names[type] : NULL;
}

/**
 * watchq_subtype_name - The short name of a record's subtype
 * @type: enum watch_notification_type.
 * @subtype: The subtype.
 *
 * Return: "attach" and the like, or NULL if the subtype has no name here.
 */
static inline const char *watchq_subtype_name(unsigned int type,
					      unsigned int subtype)
{
	const struct watchq_subtypes *t;

	if (type >= WATCH_TYPE__NR)
		return NULL;
	t = &watchq_subtype_table[type];
	return subtype < t->nr ? t->names[subtype] : NULL;
}

/**
 * watchq_type_lookup - The record type of a short name
 * @name: "key", "mount", ...; case is ignored.
 *
 * Return: The type, or -1 if no type has that name.
 */
static inline int watchq_type_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < WATCH_TYPE__NR; i++)
		if (watchq_type_names[i] &&
		    !strcasecmp(name, watchq_type_names[i]))
			return i;
	return -1;
}

/**
 * watchq_subtype_lookup - The subtype of a type by its short name
 * @type: enum watch_notification_type.
 * @name: "attach", ...; case is ignored.
 *
 * Return: The subtype, or -1 if the type has no subtype of that name.
 */
static inline int watchq_subtype_lookup(unsigned int type, const char *name)
{
	const struct watchq_subtypes *t;
	unsigned int i;

	if (type >= WATCH_TYPE__NR)
		return -1;
	t = &watchq_subtype_table[type];
	for (i = 0; i < t->nr; i++)
		if (t->names[i] && !strcasecmp(name, t->names[i]))
			return i;
	return -1;
}

/**
 * watchq_ns_type_name - The /proc/PID/ns/ name of a namespace type
 * @ns_type: CLONE_NEW*, as ns_notification's ns_type.
 *
 * Return: "mnt", "uts", ..., or NULL.
 */
static inline const char *watchq_ns_type_name(unsigned int ns_type)
{
	switch (ns_type) {
	case CLONE_NEWNS:	return "mnt";
	case CLONE_NEWUTS:	return "uts";
	case CLONE_NEWIPC:	return "ipc";
	case CLONE_NEWPID:	return "pid";
	case CLONE_NEWNET:	return "net";
	case CLONE_NEWUSER:	return "user";
	case CLONE_NEWCGROUP:	return "cgroup";
	case CLONE_NEWTIME:	return "time";
	}
	return NULL;
}

/**
 * watchq_ns_reason_name - The name of an ns_notification's reason
 * @reason: enum ns_notification_reason.
 *
 * Return: "clone", ..., or NULL.
 */
static inline const char *watchq_ns_reason_name(unsigned int reason)
{
	return reason < WATCHQ_ARRAY_SIZE(watchq_ns_reason_names) ?
	       watchq_ns_reason_names[reason] : NULL;
}

/**
 * watchq_key_spec - A key named as keyctl(1) names it
 * @s: A serial number, or @s, @u, @us, @p or @t.
 *
 * Return: The serial number, or the KEY_SPEC_* of a special keyring; 0 if
 * @s names no key.
 */
static inline int32_t watchq_key_spec(const char *s)
{
	static const struct { const char *name; int32_t id; } specs[] = {
		{ "@s", KEY_SPEC_SESSION_KEYRING },
		{ "@u", KEY_SPEC_USER_KEYRING },
		{ "@us", KEY_SPEC_USER_SESSION_KEYRING },
		{ "@p", KEY_SPEC_PROCESS_KEYRING },
		{ "@t", KEY_SPEC_THREAD_KEYRING },
	};
	unsigned int i;
	char *end;
	long id;

	for (i = 0; i < WATCHQ_ARRAY_SIZE(specs); i++)
		if (!strcmp(s, specs[i].name))
			return specs[i].id;
	errno = 0;
	id = strtol(s, &end, 0);
	if (*end || !*s || errno || id <= 0 || id > INT32_MAX)
		return 0;
	return id;
}

/**
 * watchq_rec_id - The watch ID a record carries
 * @n: The record.
 *
 * Return: The ID given when the watch was set, 0 to 255.
 */
static inline unsigned int watchq_rec_id(const struct watch_notification *n)
{
	return (n->info & WATCH_INFO_ID) >> WATCH_INFO_ID__SHIFT;
}

/**
 * watchq_rec_flags - The type-specific flags of a record
 * @n: The record.
 *
 * Return: Its WATCH_INFO_TYPE_INFO bits, in place (WATCH_INFO_FLAG_*).
 */
static inline unsigned int watchq_rec_flags(const struct watch_notification *n)
{
	return n->info & WATCH_INFO_TYPE_INFO;
}

/**
 * watchq_rec_min_len - The least length of a record of a type and subtype
 * @type: enum watch_notification_type.
 * @subtype: The subtype.
 *
 * Records may grow: a record is at least this long, never exactly.  A
 * removal notice may be a bare header (a watch without an object ID); a
 * loss record is 8 bytes on a notification pipe.
 *
 * Return: The length in bytes, header included; the length of the header
 * for a type or subtype this header does not know.
 */
static inline size_t watchq_rec_min_len(unsigned int type,
					unsigned int subtype)
{
	switch (type) {
	case WATCH_TYPE_KEY_NOTIFY:
		return sizeof(struct key_notification);
	case WATCH_TYPE_MOUNT_NOTIFY:
		/* The change counter came later: read it by length. */
		if (subtype == NOTIFY_MOUNT_ATTR)
			return MOUNT_ATTR_NOTIFICATION_SIZE_VER0;
		return MOUNT_NOTIFICATION_SIZE_VER0;
	case WATCH_TYPE_SB_NOTIFY:
		if (subtype == NOTIFY_SUPERBLOCK_ERROR)
			return SUPERBLOCK_ERROR_NOTIFICATION_SIZE_VER0;
		if (subtype == NOTIFY_SUPERBLOCK_EDQUOT)
			return SUPERBLOCK_QUOTA_NOTIFICATION_SIZE_VER0;
		return SUPERBLOCK_NOTIFICATION_SIZE_VER0;
	case WATCH_TYPE_NS_NOTIFY:
		/* The IDs and the subject came later: read them by length. */
		return NS_NOTIFICATION_SIZE_VER0;
	case WATCH_TYPE_PROC_NOTIFY:
		return PROC_NOTIFICATION_SIZE_VER0;
	case WATCH_TYPE_BLOCK_NOTIFY:
		return BLOCK_NOTIFICATION_SIZE_VER0;
	}
	return sizeof(struct watch_notification);
}

/**
 * watchq_rec_check - Whether a record is long enough for its type
 * @n: The record.
 * @len: The bytes of it that were read (its length as a pipe or the ring
 *	gave it).
 *
 * Return: true if @len covers the record's own length and that length is
 * at least watchq_rec_min_len() of its type and subtype, so that every
 * field of its struct may be read.
 */
static inline int watchq_rec_check(const struct watch_notification *n,
				   size_t len)
{
	size_t rlen;

	if (len < sizeof(*n))
		return 0;
	rlen = n->info & WATCH_INFO_LENGTH;
	return rlen <= len && rlen >= watchq_rec_min_len(n->type, n->subtype);
}

/**
 * typedef watchq_id_namer - Names an object ID for watchq_describe()
 * @id: A mount ID, superblock ID, key serial or other object ID.
 * @buf: Where to write the name.
 * @size: Size of @buf.
 *
 * Return: @buf, holding the name (the number itself if it has none).
 */
typedef const char *(*watchq_id_namer)(uint64_t id, char *buf, size_t size);

static inline const char *watchq_id_number(uint64_t id, char *buf,
					   size_t size)
{
	snprintf(buf, size, "%#llx", (unsigned long long)id);
	return buf;
}

/* Append to @s at *@o, up to @size, printf-like; keeps *@o in bounds. */
static inline void watchq_append(char *s, size_t size, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (*o >= size)
		return;
	va_start(ap, fmt);
	ret = vsnprintf(s + *o, size - *o, fmt, ap);
	va_end(ap);
	if (ret > 0)
		*o = *o + ret < size ? *o + ret : size;
}

/**
 * watchq_describe - One line describing a record, for logs and tests
 * @buf: The record.
 * @len: The bytes of it available: 0 for "no record", negative for an
 *	error (described with errno).
 * @s: Where to write the line.
 * @size: Size of @s.
 * @namer: Names object IDs (mount and superblock IDs, objects of removal
 *	notices), or NULL for plain numbers.
 *
 * The line is "TYPE/SUBTYPE id ID flags FLAGS len LEN" and the fields of
 * the record's struct as far as @len covers them.  Meant for people, not
 * parsers: watchq --json is for those.
 */
static inline void watchq_describe(const void *buf, ssize_t len, char *s,
				   size_t size, watchq_id_namer namer)
{
	const struct watch_notification *n = buf;
	const char *tn, *sn;
	char b1[80], b2[80];
	size_t o = 0;

	if (!size)
		return;
	s[0] = '\0';
	if (len <= 0) {
		snprintf(s, size, len ? "error (%s)" : "no record",
			 strerror(errno));
		return;
	}
	if (!namer)
		namer = watchq_id_number;
	tn = watchq_type_name(n->type);
	sn = watchq_subtype_name(n->type, n->subtype);
	if (tn)
		watchq_append(s, size, &o, "%s/", tn);
	else
		watchq_append(s, size, &o, "type %u/", n->type);
	if (sn)
		watchq_append(s, size, &o, "%s", sn);
	else
		watchq_append(s, size, &o, "%u", n->subtype);
	watchq_append(s, size, &o, " id %u flags %#x len %zd",
		      watchq_rec_id(n), watchq_rec_flags(n), len);
	if (!watchq_rec_check(n, len)) {
		if ((size_t)len >= sizeof(*n) &&
		    len >= (ssize_t)(n->info & WATCH_INFO_LENGTH))
			watchq_append(s, size, &o, " (short)");
		return;
	}
	switch (n->type) {
	case WATCH_TYPE_META: {
		const struct watch_notification_removal *r = buf;
		const struct watch_notification_loss *l = buf;

		if (n->subtype == WATCH_META_REMOVAL_NOTIFICATION &&
		    len >= (ssize_t)sizeof(*r))
			watchq_append(s, size, &o, " object %s",
				      namer(r->id, b1, sizeof(b1)));
		else if (n->subtype == WATCH_META_LOSS_NOTIFICATION &&
			 len >= (ssize_t)sizeof(*l))
			watchq_append(s, size, &o, " lost %llu types %#llx",
				      (unsigned long long)l->nr_lost,
				      (unsigned long long)l->lost_types);
		break;
	}
	case WATCH_TYPE_KEY_NOTIFY: {
		const struct key_notification *k = buf;

		watchq_append(s, size, &o, " key %d aux %#x", (int)k->key_id,
			      k->aux);
		break;
	}
	case WATCH_TYPE_MOUNT_NOTIFY: {
		const struct mount_attr_notification *ma = buf;
		const struct mount_notification *m = &ma->m;

		watchq_append(s, size, &o, " parent %s mnt %s ns %llu",
			      namer(m->mnt_parent_id, b1, sizeof(b1)),
			      namer(m->mnt_id, b2, sizeof(b2)),
			      (unsigned long long)m->mnt_ns_id);
		if (n->subtype == NOTIFY_MOUNT_ATTR)
			watchq_append(s, size, &o,
				      " attr %#llx propagation %#llx",
				      (unsigned long long)ma->mnt_attr,
				      (unsigned long long)ma->mnt_propagation);
		break;
	}
	case WATCH_TYPE_SB_NOTIFY: {
		const struct superblock_error_notification *e = buf;
		const struct superblock_quota_notification *qn = buf;
		const struct superblock_notification *sb = buf;

		watchq_append(s, size, &o, " sb %#llx dev %u:%u",
			      (unsigned long long)sb->sb_id, sb->sb_dev_major,
			      sb->sb_dev_minor);
		if (n->subtype == NOTIFY_SUPERBLOCK_ERROR)
			watchq_append(s, size, &o, " error %u cookie %u",
				      e->error_number, e->error_cookie);
		else if (n->subtype == NOTIFY_SUPERBLOCK_EDQUOT)
			watchq_append(s, size, &o,
				      " qtype %u qid %llu warning %u",
				      qn->quota_type,
				      (unsigned long long)qn->quota_id,
				      qn->warning);
		break;
	}
	case WATCH_TYPE_NS_NOTIFY: {
		const struct ns_notification *r = buf;
		const char *nt = watchq_ns_type_name(r->ns_type);
		const char *rn = watchq_ns_reason_name(r->reason);

		watchq_append(s, size, &o,
			      " %s inum %llu old %llu owner %llu reason %s pid %d tgid %d",
			      nt ? nt : "?", (unsigned long long)r->ns_inum,
			      (unsigned long long)r->old_inum,
			      (unsigned long long)r->owner_inum, rn ? rn : "?",
			      r->pid, r->tgid);
		break;
	}
	case WATCH_TYPE_PROC_NOTIFY: {
		const struct proc_notification *p = buf;

		watchq_append(s, size, &o,
			      " pid %d tgid %d ppid %d ptgid %d pidns %llu uid %u euid %u gid %u egid %u flags %#x arg %u arg64 %#llx comm %.16s",
			      p->pid, p->tgid, p->ppid, p->ptgid,
			      (unsigned long long)p->pidns_id, p->uid, p->euid,
			      p->gid, p->egid, p->flags, p->arg,
			      (unsigned long long)p->arg64, p->comm);
		break;
	}
	case WATCH_TYPE_BLOCK_NOTIFY: {
		const struct block_notification *b = buf;

		watchq_append(s, size, &o, " dev %u:%u diskseq %llu",
			      b->dev_major, b->dev_minor,
			      (unsigned long long)b->diskseq);
		if (n->subtype == NOTIFY_BLOCK_IO_ERROR ||
		    n->subtype == NOTIFY_BLOCK_MEDIUM_ERROR)
			watchq_append(s, size, &o,
				      " op %u sector %llu size %u status %u error %u",
				      b->op, (unsigned long long)b->sector,
				      b->size, b->status, b->error);
		else if (n->subtype == NOTIFY_BLOCK_DROPPED)
			watchq_append(s, size, &o, " dropped %llu",
				      (unsigned long long)b->dropped);
		break;
	}
	}
}

#endif /* _WATCHQ_NAMES_H */
