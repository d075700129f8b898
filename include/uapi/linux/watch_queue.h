/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_LINUX_WATCH_QUEUE_H
#define _UAPI_LINUX_WATCH_QUEUE_H

#include <linux/types.h>
#include <linux/ioctl.h>
/*
 * O_NOTIFICATION_PIPE needs O_EXCL.  Take it from the C library's <fcntl.h>
 * when that was included first: <linux/fcntl.h> redefines its structures.
 */
#ifndef O_EXCL
#include <linux/fcntl.h>
#endif

#define O_NOTIFICATION_PIPE	O_EXCL	/* Parameter to pipe2() selecting notification pipe */

#define IOC_WATCH_QUEUE_SET_SIZE	_IO('W', 0x60)	/* Set the size in pages */
#define IOC_WATCH_QUEUE_SET_FILTER	_IO('W', 0x61)	/* Set the filter */

enum watch_notification_type {
	WATCH_TYPE_META		= 0,	/* Special record */
	WATCH_TYPE_KEY_NOTIFY	= 1,	/* Key change event notification */
	WATCH_TYPE_MOUNT_NOTIFY	= 2,	/* Mount topology change notification */
	WATCH_TYPE_SB_NOTIFY	= 3,	/* Superblock change notification */
	WATCH_TYPE_NS_NOTIFY	= 4,	/* Namespace change notification */
	WATCH_TYPE_USER_NOTIFY	= 5,	/* Record injected by write() on the queue */
	WATCH_TYPE__NR		= 6
};

enum watch_meta_notification_subtype {
	WATCH_META_REMOVAL_NOTIFICATION	= 0,	/* Watched object was removed */
	WATCH_META_LOSS_NOTIFICATION	= 1,	/* Data loss occurred */
	WATCH_META_SKIP_NOTIFICATION	= 2,	/* Ring padding: skip this record */
};

/*
 * Notification record header.  This is aligned to 64-bits so that subclasses
 * can contain __u64 fields.
 */
struct watch_notification {
	__u32			type:24;	/* enum watch_notification_type */
	__u32			subtype:8;	/* Type-specific subtype (filterable) */
	__u32			info;
#define WATCH_INFO_LENGTH	0x0000007f	/* Length of record */
#define WATCH_INFO_LENGTH__SHIFT 0
#define WATCH_INFO_ID		0x0000ff00	/* ID of watchpoint */
#define WATCH_INFO_ID__SHIFT	8
#define WATCH_INFO_TYPE_INFO	0xffff0000	/* Type-specific info */
#define WATCH_INFO_TYPE_INFO__SHIFT 16
#define WATCH_INFO_FLAG_0	0x00010000	/* Type-specific info, flag bit 0 */
#define WATCH_INFO_FLAG_1	0x00020000	/* ... */
#define WATCH_INFO_FLAG_2	0x00040000
#define WATCH_INFO_FLAG_3	0x00080000
#define WATCH_INFO_FLAG_4	0x00100000
#define WATCH_INFO_FLAG_5	0x00200000
#define WATCH_INFO_FLAG_6	0x00400000
#define WATCH_INFO_FLAG_7	0x00800000
};

/*
 * Notification filtering rules (IOC_WATCH_QUEUE_SET_FILTER).
 */
struct watch_notification_type_filter {
	__u32	type;			/* Type to apply filter to */
	__u32	info_filter;		/* Filter on watch_notification::info */
	__u32	info_mask;		/* Mask of relevant bits in info_filter */
	__u32	subtype_filter[8];	/* Bitmask of subtypes to filter on */
};

struct watch_notification_filter {
	__u32	nr_filters;		/* Number of filters */
	__u32	__reserved;		/* Must be 0 */
	struct watch_notification_type_filter filters[];
};

/*
 * Extended watch removal notification.  This is used optionally if the type
 * wants to indicate an identifier for the object being watched, if there is
 * such.  This can be distinguished by the length.
 *
 * type -> WATCH_TYPE_META
 * subtype -> WATCH_META_REMOVAL_NOTIFICATION
 */
struct watch_notification_removal {
	struct watch_notification watch;
	__u64	id;		/* Type-dependent identifier */
};

/*
 * Loss notification in a /dev/watch_queue ring.  It is written at the point
 * in the stream where records were dropped because they did not fit, before
 * the first record that fitted again.
 *
 * type -> WATCH_TYPE_META
 * subtype -> WATCH_META_LOSS_NOTIFICATION
 */
struct watch_notification_loss {
	struct watch_notification watch;
	__u64	nr_lost;	/* Records dropped at this point in the stream */
};

/*
 * Header of a /dev/watch_queue ring, at offset 0 of the mapping.  The data
 * area follows in the next page.  Positions count 8-byte slots and run
 * freely; a record starts at data slot (pos & mask).
 *
 * The kernel writes head, mask and lost; the consumer writes only tail.  The
 * kernel never trusts anything it reads back from this page.
 *
 * Consumer protocol: load head with acquire semantics, consume the records
 * from tail up to head, then store tail with release semantics.
 */
struct watch_queue_ring {
	__u32	head;		/* Slots produced (kernel-written) */
	__u32	mask;		/* Slots in the data area minus 1 */
	__u64	lost;		/* Records dropped, cumulative */
	__u32	__reserved0[12];
	/* tail is on its own 64-byte cache line */
	__u32	tail;		/* Slots consumed (consumer-written) */
	__u32	__reserved1[15];
};

#define WATCH_QUEUE_SLOT_SIZE		8	/* Size of a ring slot in bytes */
#define WATCH_QUEUE_MAX_PAGES		256	/* Largest data area in pages */

/*
 * Type of key/keyring change notification.
 */
enum key_notification_subtype {
	NOTIFY_KEY_INSTANTIATED	= 0, /* Key was instantiated (aux is error code) */
	NOTIFY_KEY_UPDATED	= 1, /* Key was updated */
	NOTIFY_KEY_LINKED	= 2, /* Key (aux) was added to watched keyring */
	NOTIFY_KEY_UNLINKED	= 3, /* Key (aux) was removed from watched keyring */
	NOTIFY_KEY_CLEARED	= 4, /* Keyring was cleared */
	NOTIFY_KEY_REVOKED	= 5, /* Key was revoked */
	NOTIFY_KEY_INVALIDATED	= 6, /* Key was invalidated */
	NOTIFY_KEY_SETATTR	= 7, /* Key's attributes got changed */
};

/*
 * Key/keyring notification record.
 * - watch.type = WATCH_TYPE_KEY_NOTIFY
 * - watch.subtype = enum key_notification_type
 */
struct key_notification {
	struct watch_notification watch;
	__u32	key_id;		/* The key/keyring affected */
	__u32	aux;		/* Per-type auxiliary data */
};

/*
 * Type of mount topology change notification (WATCH_TYPE_MOUNT_NOTIFY).
 * - watch.subtype = enum mount_notification_subtype
 * - watch.info & WATCH_INFO_TYPE_INFO = NOTIFY_MOUNT_* flags
 */
enum mount_notification_subtype {
	NOTIFY_MOUNT_NEW_MOUNT	= 0,	/* A mount was attached */
	NOTIFY_MOUNT_UNMOUNT	= 1,	/* A mount was detached */
	NOTIFY_MOUNT_EXPIRY	= 2,	/* An automount expired */
	NOTIFY_MOUNT_READONLY	= 3,	/* A mount became read-only or writable */
	NOTIFY_MOUNT_SETATTR	= 4,	/* Other mount attributes changed */
	NOTIFY_MOUNT_MOVE_FROM	= 5,	/* A mount was moved away from here */
	NOTIFY_MOUNT_MOVE_TO	= 6,	/* A mount was moved here */
};

#define NOTIFY_MOUNT_IN_SUBTREE		WATCH_INFO_FLAG_0 /* Below the watched mount */
#define NOTIFY_MOUNT_IS_NOW_RO		WATCH_INFO_FLAG_1 /* Mount is now read-only */
#define NOTIFY_MOUNT_IS_SUBMOUNT	WATCH_INFO_FLAG_2 /* Mount is an automount */

/*
 * Mount topology change notification record.  Both IDs are unique mount IDs,
 * as statx(STATX_MNT_ID_UNIQUE), statmount() and listmount() use.
 */
struct mount_notification {
	struct watch_notification watch; /* WATCH_TYPE_MOUNT_NOTIFY */
	__u64	triggered_on;		/* The watched mount or the parent of the change */
	__u64	auxiliary_mount;	/* The mount added, removed, moved or changed */
};

/*
 * Type of superblock notification (WATCH_TYPE_SB_NOTIFY).
 * - watch.subtype = enum superblock_notification_type
 * - watch.info & WATCH_INFO_TYPE_INFO = NOTIFY_SUPERBLOCK_* flags
 */
enum superblock_notification_type {
	NOTIFY_SUPERBLOCK_READONLY	= 0,	/* Filesystem became read-only or writable */
	NOTIFY_SUPERBLOCK_ERROR		= 1,	/* Filesystem error reported */
	NOTIFY_SUPERBLOCK_EDQUOT	= 2,	/* Quota exceeded */
	NOTIFY_SUPERBLOCK_NETWORK	= 3,	/* Reserved for network filesystems */
};

#define NOTIFY_SUPERBLOCK_IS_NOW_RO	WATCH_INFO_FLAG_0 /* Superblock is now read-only */

/*
 * Superblock notification record.  sb_id is unique until reboot: the low 32
 * bits are the device number as stat(2) reports it in st_dev, the high 32
 * bits tell apart superblocks that had the same device number.
 */
struct superblock_notification {
	struct watch_notification watch; /* WATCH_TYPE_SB_NOTIFY */
	__u64	sb_id;			/* Superblock identifier */
};

struct superblock_error_notification {
	struct superblock_notification s; /* subtype = NOTIFY_SUPERBLOCK_ERROR */
	__u32	error_number;		/* Positive errno value */
	__u32	error_cookie;		/* Number of errors on this superblock so far */
};

/*
 * Type of namespace notification.
 */
enum ns_notification_subtype {
	NOTIFY_NS_CREATE	= 0, /* Made by clone(), clone3() or unshare() */
	NOTIFY_NS_SETNS		= 1, /* A task entered it by setns() */
	NOTIFY_NS_DESTROY	= 2, /* It was freed */
};

/*
 * What caused a namespace notification.
 */
enum ns_notification_reason {
	NOTIFY_NS_REASON_CLONE		= 0, /* clone() or clone3() */
	NOTIFY_NS_REASON_UNSHARE	= 1, /* unshare() */
	NOTIFY_NS_REASON_SETNS_NSFD	= 2, /* setns() on a namespace fd */
	NOTIFY_NS_REASON_SETNS_PIDFD	= 3, /* setns() on a pidfd */
	NOTIFY_NS_REASON_RELEASE	= 4, /* Last reference dropped */
};

/*
 * Namespace notification record, one per namespace.
 * - watch.type = WATCH_TYPE_NS_NOTIFY
 * - watch.subtype = enum ns_notification_subtype
 *
 * A pid or time namespace is reported when a task's namespace for its
 * children changes: the task itself stays where it was.
 */
struct ns_notification {
	struct watch_notification watch;
	__u32	ns_type;	/* CLONE_NEWNS, CLONE_NEWUTS, ... CLONE_NEWTIME */
	__u32	reason;		/* enum ns_notification_reason */
	__u64	ns_inum;	/* Inode number of the namespace */
	__u64	old_inum;	/* The one the task left (CREATE, SETNS), else 0 */
	__u64	owner_inum;	/* Inode number of the owning user namespace */
	__s32	pid;		/* Causing task, in the opener's pid ns, or 0 */
	__s32	tgid;		/* Its thread group ID, likewise */
};

#endif /* _UAPI_LINUX_WATCH_QUEUE_H */
