/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_LINUX_WATCH_QUEUE_H
#define _UAPI_LINUX_WATCH_QUEUE_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <asm/byteorder.h>
/*
 * O_NOTIFICATION_PIPE needs O_EXCL.  Take it from the C library's <fcntl.h>
 * when that was included first: <linux/fcntl.h> redefines its structures.
 */
#ifndef O_EXCL
#include <linux/fcntl.h>
#endif

#define O_NOTIFICATION_PIPE	O_EXCL	/* Parameter to pipe2() selecting notification pipe */

/*
 * ioctls on a queue.  SET_SIZE sizes a notification pipe only, in notes (1 to
 * 512 records of up to 128 bytes); /dev/watch_queue refuses it with
 * EOPNOTSUPP and is sized in bytes by SETUP.  SET_FILTER works on both.
 * SETUP, GET_INFO and WATCH are size-versioned: the size in the command is
 * the caller's sizeof() of the struct.  WATCH works on both.
 */
#define IOC_WATCH_QUEUE_SET_SIZE	_IO('W', 0x60)	/* Pipe: size in notes */
#define IOC_WATCH_QUEUE_SET_FILTER	_IO('W', 0x61)	/* Set the filter */
#define IOC_WATCH_QUEUE_SETUP		_IOWR('W', 0x62, struct watch_queue_setup)
#define IOC_WATCH_QUEUE_GET_INFO	_IOR('W', 0x63, struct watch_queue_info)
#define IOC_WATCH_QUEUE_WATCH		_IOW('W', 0x64, struct watch_queue_watch)
#define IOC_WATCH_QUEUE_PROBE		_IOWR('W', 0x65, struct watch_queue_probe)

enum watch_notification_type {
	WATCH_TYPE_META		= 0,	/* Special record */
	WATCH_TYPE_KEY_NOTIFY	= 1,	/* Key change event notification */
	WATCH_TYPE_MOUNT_NOTIFY	= 2,	/* Mount topology change notification */
	WATCH_TYPE_SB_NOTIFY	= 3,	/* Superblock change notification */
	WATCH_TYPE_NS_NOTIFY	= 4,	/* Namespace change notification */
	WATCH_TYPE_USER_NOTIFY	= 5,	/* Record injected by write() on the queue */
	WATCH_TYPE_PROC_NOTIFY	= 6,	/* Process event notification */
	WATCH_TYPE__NR		= 7
};

enum watch_meta_notification_subtype {
	WATCH_META_REMOVAL_NOTIFICATION	= 0,	/* Watched object was removed */
	WATCH_META_LOSS_NOTIFICATION	= 1,	/* Data loss occurred */
	WATCH_META_SKIP_NOTIFICATION	= 2,	/* Ring padding: skip this record */
};

/*
 * Notification record header.  This is aligned to 64-bits so that subclasses
 * can contain __u64 fields.
 *
 * The rules that let records grow:
 * - A consumer takes a record's length from info & WATCH_INFO_LENGTH and
 *   accepts a record longer than the struct it knows: it reads the fields
 *   it knows and ignores the rest.
 * - A record shorter than the struct a consumer knows comes from an older
 *   kernel: the fields past its end are absent, not zero.
 * - Every record the kernel posts has a length that is a multiple of 8, so
 *   that the fields of a longer record stay aligned.  (Records injected
 *   with write() on /dev/watch_queue are the exception: any length from 8
 *   to 127.)
 * - WATCH_INFO_RESERVED is zero in every record; a filter that names it
 *   is refused (EINVAL).  It may later mark a record longer than 127 bytes.
 */
struct watch_notification {
	__u32			type:24;	/* enum watch_notification_type */
	__u32			subtype:8;	/* Type-specific subtype (filterable) */
	__u32			info;
#define WATCH_INFO_LENGTH	0x0000007f	/* Length of record */
#define WATCH_INFO_LENGTH__SHIFT 0
#define WATCH_INFO_RESERVED	0x00000080	/* Must be zero */
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
 * The type and subtype without the bit-fields, for bindings that have none
 * (Go, Rust, ...).  @word is the first 32-bit word of a record, loaded in
 * the CPU's byte order.  C compilers allocate bit-fields from the least
 * significant bit on little-endian CPUs and from the most significant one
 * on big-endian CPUs, so the shifts follow the byte order; these macros
 * give the same values as the bit-fields on both.
 */
#if defined(__BIG_ENDIAN_BITFIELD)
#define WATCH_NOTIFICATION_TYPE_SHIFT		8
#define WATCH_NOTIFICATION_SUBTYPE_SHIFT	0
#else
#define WATCH_NOTIFICATION_TYPE_SHIFT		0
#define WATCH_NOTIFICATION_SUBTYPE_SHIFT	24
#endif
#define WATCH_NOTIFICATION_TYPE_MASK		0x00ffffffU
#define WATCH_NOTIFICATION_SUBTYPE_MASK		0x000000ffU

#define WATCH_NOTIFICATION_TYPE(word)					\
	(((__u32)(word) >> WATCH_NOTIFICATION_TYPE_SHIFT) &		\
	 WATCH_NOTIFICATION_TYPE_MASK)
#define WATCH_NOTIFICATION_SUBTYPE(word)				\
	(((__u32)(word) >> WATCH_NOTIFICATION_SUBTYPE_SHIFT) &		\
	 WATCH_NOTIFICATION_SUBTYPE_MASK)
#define WATCH_NOTIFICATION_WORD(type, subtype)				\
	((((__u32)(type) & WATCH_NOTIFICATION_TYPE_MASK) <<		\
	  WATCH_NOTIFICATION_TYPE_SHIFT) |				\
	 (((__u32)(subtype) & WATCH_NOTIFICATION_SUBTYPE_MASK) <<	\
	  WATCH_NOTIFICATION_SUBTYPE_SHIFT))

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
 * IOC_WATCH_QUEUE_WATCH: add or remove a watch, on a /dev/watch_queue file
 * or a notification pipe alike.  The one way to set a watch of every type
 * but keys (keyctl(KEYCTL_WATCH_KEY) stays).
 *
 * The struct is size-versioned, as clone3()'s and statmount()'s are: the
 * size encoded in the command is the caller's sizeof(struct
 * watch_queue_watch).  The kernel accepts any size from
 * WATCH_QUEUE_WATCH_SIZE_VER0 up: a field it does not know must be zero
 * (E2BIG otherwise), and a field the caller does not pass is zero.  Zero
 * the whole struct, then fill in what the object needs: every field that
 * the object does not use must be zero (EINVAL otherwise), and zero always
 * means absent.  No field depends on the size of a pointer: the layout is
 * the same for a 32-bit and a 64-bit process.
 *
 * Adding a watch:
 * - type: the source, enum watch_notification_type (EOPNOTSUPP for a type
 *   whose watches are not set this way);
 * - watch_id: 0 to 255, the ID that the watch's records carry in
 *   WATCH_INFO_ID.  It names the watch: it must not be the ID of another
 *   watch that this queue got through IOC_WATCH_QUEUE_WATCH (EEXIST);
 * - object: how the watched object is named (WATCH_OBJECT_*), and its
 *   fields:
 *   - WATCH_OBJECT_PATH: fd (a directory descriptor or AT_FDCWD),
 *     pathname (a pointer to the path, zero-extended to 64 bits) and
 *     at_flags (AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH, and
 *     what the type adds, such as AT_RECURSIVE for mounts);
 *   - WATCH_OBJECT_ID: object_id, a 64-bit ID such as a unique mount ID,
 *     and ns_id, the namespace that object_id is looked up in (a
 *     mnt_ns_id), 0 for the caller's; at_flags as the type says;
 *   - WATCH_OBJECT_FD: fd, an open nsfs file (/proc/PID/ns/...) or a
 *     pidfd, as the type says.
 *   A queue watches an object once (EBUSY for a second watch on it).
 *
 * Removing a watch: flags = WATCH_QUEUE_WATCH_REMOVE, type and watch_id
 * of the watch, every other field zero.  No object is looked up, so a
 * watch can be removed whatever became of its object; the queue gets the
 * watch's removal notice, as it does when the object goes away.  ENOENT if
 * the queue has no watch of that type with that ID.
 *
 * The types, the objects they take and the permissions they need:
 * Documentation/userspace-api/watch_queue_watch.rst.
 */
struct watch_queue_watch {
	__u32		type;		/* enum watch_notification_type */
	__u32		flags;		/* WATCH_QUEUE_WATCH_* */
	__u32		watch_id;	/* 0..255: WATCH_INFO_ID of the records */
	__u32		object;		/* WATCH_OBJECT_*: how the object is named */
	__s32		fd;		/* PATH: dirfd or AT_FDCWD; FD: the file */
	__u32		at_flags;	/* PATH: AT_*; ID: what the type allows */
	__aligned_u64	pathname;	/* PATH: (const char *) */
	__aligned_u64	object_id;	/* ID: the object's 64-bit ID */
	__aligned_u64	ns_id;		/* ID: its namespace's ID, 0: the caller's */
};

#define WATCH_QUEUE_WATCH_SIZE_VER0	48	/* sizeof first published struct */

/* Flags of struct watch_queue_watch */
#define WATCH_QUEUE_WATCH_REMOVE	0x00000001 /* Remove the watch type/watch_id */

/* How struct watch_queue_watch names the object (its object field) */
#define WATCH_OBJECT_NONE		0	/* None: WATCH_QUEUE_WATCH_REMOVE */
#define WATCH_OBJECT_PATH		1	/* fd, pathname, at_flags */
#define WATCH_OBJECT_ID			2	/* object_id in ns_id */
#define WATCH_OBJECT_FD			3	/* fd: an nsfs file or a pidfd */

#define WATCH_QUEUE_MAX_WATCH_ID	255	/* Largest watch_id */

/*
 * Extended watch removal notification.  This is used optionally if the type
 * wants to indicate an identifier for the object being watched, if there is
 * such.  This can be distinguished by the length.  Every source of this
 * header sends it, with id:
 * - keys: the key's serial number;
 * - a mount watch: the mount's unique mount ID;
 * - a mount namespace watch: the namespace's mnt_ns_id;
 * - superblocks: the sb_id;
 * - namespaces: the inode number of the watched user namespace;
 * - processes: the ID (NS_GET_ID) of the watched pid namespace.
 *
 * type -> WATCH_TYPE_META
 * subtype -> WATCH_META_REMOVAL_NOTIFICATION
 */
struct watch_notification_removal {
	struct watch_notification watch;
	__u64	id;		/* Type-dependent identifier */
};

/*
 * Loss notification.  It is written at the point in the stream where
 * records were dropped because they did not fit, before the first record
 * that fitted again.  Its length says what it carries:
 * - on a notification pipe, 8 bytes: the header alone, no count;
 * - in a /dev/watch_queue ring, 24 bytes: the count and the types, as
 *   below (16 bytes, without lost_types, from an older version).
 *
 * type -> WATCH_TYPE_META
 * subtype -> WATCH_META_LOSS_NOTIFICATION
 */
struct watch_notification_loss {
	struct watch_notification watch;
	__aligned_u64	nr_lost;	/* Records dropped at this point in the stream */
	__aligned_u64	lost_types;	/* WATCH_LOST_TYPE() of each type dropped */
};

/* The bit of lost_types for a type; types from 63 up share bit 63. */
#define WATCH_LOST_TYPE(type) \
	(1ULL << ((__u32)(type) < 63 ? (__u32)(type) : 63))

/*
 * /dev/watch_queue
 * ================
 *
 * Each open makes a private queue.  IOC_WATCH_QUEUE_SETUP gives it a ring
 * and reports where the ring's parts are in the offset space of mmap():
 *
 * - the consumer's part, struct watch_queue_consumer: the only memory the
 *   consumer writes and the only memory the kernel reads back, on a page
 *   of its own.  Map it PROT_READ | PROT_WRITE, MAP_SHARED.
 * - the kernel's header, struct watch_queue_ring, and the data area:
 *   written by the kernel only.  Map them PROT_READ, MAP_SHARED; the
 *   mapping can never be made writable (EACCES).
 *
 * Any range of whole pages inside [0, mmap_len) may be mapped read-only;
 * only pages of the consumer's part may be mapped writable.  A process
 * that received the queue's descriptor (SCM_RIGHTS, a service manager's fd
 * store) learns the same with IOC_WATCH_QUEUE_GET_INFO.
 *
 * Every offset, length and count comes from the kernel: none is a
 * constant of this header.  Reserved fields are zero; they may gain a
 * meaning later, and zero always means absent.
 */

/* IOC_WATCH_QUEUE_SETUP flags */
#define WATCH_QUEUE_SETUP_CLAMP		0x0001ULL /* Clamp size to max_size */

/* Features of a ring (features of struct watch_queue_info and the header) */
#define WATCH_QUEUE_FEAT_LOSS_TYPES	0x0001ULL /* Loss records carry lost_types */

/*
 * The geometry of a queue's ring, as IOC_WATCH_QUEUE_SETUP and
 * IOC_WATCH_QUEUE_GET_INFO report it.  Offsets are mmap() offsets, in
 * bytes, page-aligned; the parts do not overlap.  Before the queue is
 * sized, everything but max_size, max_record and features is 0.
 */
struct watch_queue_info {
	__aligned_u64	mmap_len;	/* Bytes of the offset space: every part */
	__aligned_u64	consumer_off;	/* struct watch_queue_consumer */
	__aligned_u64	consumer_len;	/* Bytes of the consumer's part */
	__aligned_u64	header_off;	/* struct watch_queue_ring */
	__aligned_u64	header_len;	/* Bytes of the header's part */
	__aligned_u64	data_off;	/* The data area */
	__aligned_u64	data_len;	/* Bytes of the data area */
	__aligned_u64	max_size;	/* Largest data area SETUP gives now */
	__aligned_u64	features;	/* WATCH_QUEUE_FEAT_* */
	__u32		nr_slots;	/* data_len / WATCH_QUEUE_SLOT_SIZE */
	__u32		max_record;	/* Longest record in the ring, bytes */
	__u32		hdr_size;	/* Bytes of struct watch_queue_ring filled */
	__u32		__reserved;
};

#define WATCH_QUEUE_INFO_SIZE_VER0	88	/* sizeof first published struct */

/*
 * IOC_WATCH_QUEUE_SETUP: size a new queue, once.  Zero the whole struct,
 * then set size (bytes of data area wanted) and flags.  The data area is
 * size rounded up to a power-of-two number of pages, at least one page.
 * A size of 0, unknown flags or non-zero reserved fields fail with EINVAL,
 * and so does a size above max_size unless WATCH_QUEUE_SETUP_CLAMP asks for
 * max_size instead.  Fields that a later version adds go into __reserved,
 * or, for the results, at the end of info.
 */
struct watch_queue_setup {
	__aligned_u64	size;		/* In: bytes of data area wanted */
	__aligned_u64	flags;		/* In: WATCH_QUEUE_SETUP_* */
	__aligned_u64	__reserved[2];	/* In: zero */
	struct watch_queue_info info;	/* Out: the ring, as GET_INFO reports it */
};

#define WATCH_QUEUE_SETUP_SIZE_VER0	(32 + WATCH_QUEUE_INFO_SIZE_VER0)

/*
 * The consumer's part, at consumer_off: the consumer writes tail, with
 * release semantics, once it has read the records before it.  The kernel
 * reads nothing else from userspace, and a tail that no consumer could
 * have written (ahead of head, or more than nr_slots behind it) makes the
 * ring look full.
 */
struct watch_queue_consumer {
	__u32	tail;		/* Slots consumed */
	__u32	__reserved;
};

/*
 * The kernel's header, at header_off; read-only.  Positions count 8-byte
 * slots and run freely; a record starts at data slot (pos & mask).  The
 * kernel stores head with release semantics after the records before it.
 * Fields past hdr_size are absent (an older kernel); the rest of the page
 * is zero.
 *
 * lost is stored with one 64-bit store on a 64-bit kernel.  A consumer that
 * can't load 64 bits at once (a 32-bit process without a 64-bit atomic
 * load, or any process on a 32-bit kernel) loads lost_hi, then the low half
 * of lost, then its high half, and starts again unless both high halves
 * agree: the kernel stores the high half, the low half, then lost_hi.
 */
struct watch_queue_ring {
	__u32		head;		/* Slots produced */
	__u32		mask;		/* nr_slots - 1 */
	__aligned_u64	lost;		/* Records dropped, cumulative */
	__u32		hdr_size;	/* sizeof(struct watch_queue_ring) of the kernel */
	__u32		flags;		/* WATCH_QUEUE_RING_*: the kernel's status */
	__aligned_u64	features;	/* WATCH_QUEUE_FEAT_* */
	__u32		lost_hi;	/* lost >> 32, stored after lost */
	__u32		__reserved;
};

/* Flags of the header: the kernel's status */
#define WATCH_QUEUE_RING_LOSS_PENDING	0x0001	/* Records dropped, unreported yet */
#define WATCH_QUEUE_RING_CLOSED		0x0002	/* Closed: no record will follow */

#define WATCH_QUEUE_SLOT_SIZE		8	/* Size of a ring slot in bytes */

/*
 * IOC_WATCH_QUEUE_PROBE: what this kernel posts, in the style of
 * IORING_REGISTER_PROBE.  The caller sets nr_types to the entries it has
 * room for after the header and zeroes the rest of the header; the kernel
 * fills entries 0 to min(nr_types, last_type + 1) - 1, entry i describing
 * type i.  A type the kernel knows but does not post (no source is built
 * in) has flags 0.  Filters ignore unknown types, so they can't probe.
 */
struct watch_queue_probe_type {
	__u32	type;			/* enum watch_notification_type */
	__u32	flags;			/* WATCH_QUEUE_PROBE_* */
	__u32	record_size;		/* Longest record of the type, bytes */
	__u32	__reserved;
	__u32	subtypes[8];		/* Bitmap of the subtypes it may post */
};

#define WATCH_QUEUE_PROBE_SUPPORTED	0x0001	/* The kernel posts this type */

struct watch_queue_probe {
	__u32		nr_types;	/* In: entries in types[] */
	__u32		last_type;	/* Out: the highest type the kernel knows */
	__aligned_u64	max_size;	/* Out: largest data area SETUP gives */
	__aligned_u64	features;	/* Out: WATCH_QUEUE_FEAT_* */
	__aligned_u64	__reserved[2];	/* In: zero */
	struct watch_queue_probe_type types[];
};

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
 * - watch.subtype = enum key_notification_subtype
 */
struct key_notification {
	struct watch_notification watch;
	__u32	key_id;		/* The key/keyring affected */
	__u32	aux;		/* Per-type auxiliary data */
};

/*
 * Mount notifications (WATCH_TYPE_MOUNT_NOTIFY), in fanotify's words.
 * - watch.subtype = enum mount_notification_subtype
 * - watch.info & WATCH_INFO_TYPE_INFO = NOTIFY_MOUNT_* flags
 *
 * Each record is about one mount, mnt_id, and is seen on one mount, the
 * "trigger": the parent a mount was attached to, detached from or moved
 * from or to (mnt_parent_id), or, for ATTR, the mount itself (mnt_id).
 * A watch on a mount gets the records seen on it; with AT_RECURSIVE, also
 * those seen on any mount below it, with NOTIFY_MOUNT_IN_SUBTREE set.  A
 * watch on a mount namespace gets the records of every mount of the
 * namespace, without NOTIFY_MOUNT_IN_SUBTREE.
 */
enum mount_notification_subtype {
	NOTIFY_MOUNT_ATTACH	= 0,	/* mnt_id was attached to mnt_parent_id */
	NOTIFY_MOUNT_DETACH	= 1,	/* mnt_id was detached from mnt_parent_id */
	NOTIFY_MOUNT_EXPIRY	= 2,	/* ... because the automount expired */
	NOTIFY_MOUNT_ATTR	= 3,	/* mnt_id's attributes or propagation changed */
	NOTIFY_MOUNT_MOVE_FROM	= 4,	/* mnt_id was moved away from mnt_parent_id */
	NOTIFY_MOUNT_MOVE_TO	= 5,	/* mnt_id was moved onto mnt_parent_id */
};

#define NOTIFY_MOUNT_IN_SUBTREE		WATCH_INFO_FLAG_0 /* Seen below the watched mount */
#define NOTIFY_MOUNT_IS_SUBMOUNT	WATCH_INFO_FLAG_1 /* ATTACH: an automount */

/*
 * Mount notification record.  mnt_id and mnt_parent_id are unique mount
 * IDs, as statx(STATX_MNT_ID_UNIQUE), statmount() and listmount() report
 * them:
 * - mnt_id: the mount attached, detached, moved or changed.
 * - mnt_parent_id: ATTACH, its parent after the attach; DETACH and EXPIRY,
 *   the parent it was detached from; MOVE_FROM, its parent before the
 *   move; MOVE_TO, its parent after it; ATTR, its parent when the record
 *   was posted, as statmount()'s mnt_parent_id (mnt_id itself for the root
 *   of a namespace or of a detached tree).
 * - mnt_ns_id: the mount namespace the mount is in, or was in before a
 *   DETACH or an EXPIRY, as statmount()'s mnt_ns_id; 0 for a detached
 *   tree (of open_tree() or fsmount()), which has no ID.
 * A move is one MOVE_FROM and one MOVE_TO record, in that order; so are
 * the moves that an attach or an unmount makes on the way (a mount put
 * back where an unmounted one was, a mount that a mount beneath pushes up).
 */
struct mount_notification {
	struct watch_notification watch; /* WATCH_TYPE_MOUNT_NOTIFY */
	__aligned_u64	mnt_id;		/* The mount the record is about */
	__aligned_u64	mnt_parent_id;	/* Its parent, as the subtype says */
	__aligned_u64	mnt_ns_id;	/* Its mount namespace, 0 if none */
};

/*
 * NOTIFY_MOUNT_ATTR record: the mount's attributes and propagation when
 * the record was posted, after the change, as statmount() reports them in
 * mnt_attr and mnt_propagation.  One record per mount per operation; a
 * change that leaves everything as it was posts none.
 */
struct mount_attr_notification {
	struct mount_notification m;	/* subtype = NOTIFY_MOUNT_ATTR */
	__aligned_u64	mnt_attr;	/* MOUNT_ATTR_* */
	__aligned_u64	mnt_propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE */
};

/*
 * Superblock notifications (WATCH_TYPE_SB_NOTIFY).
 * - watch.subtype = enum superblock_notification_subtype
 * - watch.info & WATCH_INFO_TYPE_INFO = NOTIFY_SUPERBLOCK_* flags
 */
enum superblock_notification_subtype {
	NOTIFY_SUPERBLOCK_READONLY	= 0,	/* It became read-only or writable */
	NOTIFY_SUPERBLOCK_ERROR		= 1,	/* The filesystem reported an error */
	NOTIFY_SUPERBLOCK_EDQUOT	= 2,	/* A quota was exceeded */
	NOTIFY_SUPERBLOCK_RECONFIGURE	= 3,	/* Reconfigured, read-only state kept */
};

/* READONLY, RECONFIGURE: the superblock is read-only after the change */
#define NOTIFY_SUPERBLOCK_IS_NOW_RO	WATCH_INFO_FLAG_0

/*
 * Superblock notification record.
 * - sb_id: the superblock's ID, which statmount() reports in sb_id
 *   (STATMOUNT_SB_ID).  It is given to the superblock when it is set up,
 *   is above 2^32, so that it is never taken for a device number, and
 *   no other superblock gets it until the system reboots: the counter is
 *   64 bits wide and does not wrap.
 * - sb_dev_major, sb_dev_minor: its device number (s_dev), as statmount()
 *   reports it; stat(2)'s st_dev is the same for most filesystems, but
 *   not for every one (btrfs subvolumes, overlayfs).
 * A successful reconfiguration (a remount, FSCONFIG_CMD_RECONFIGURE) posts
 * READONLY if it made the superblock read-only or writable, RECONFIGURE
 * otherwise.  A filesystem that shuts itself down on an error (ext4 with
 * errors=remount-ro) posts READONLY with NOTIFY_SUPERBLOCK_IS_NOW_RO once.
 */
struct superblock_notification {
	struct watch_notification watch; /* WATCH_TYPE_SB_NOTIFY */
	__aligned_u64	sb_id;		/* statmount()'s sb_id */
	__u32		sb_dev_major;	/* Device number */
	__u32		sb_dev_minor;
};

/*
 * NOTIFY_SUPERBLOCK_ERROR record: one per error, never merged.
 * error_cookie counts the errors reported on the superblock since it was
 * set up, this one included (modulo 2^32): 1 for its first error, and a
 * gap says how many errors a consumer did not get.
 */
struct superblock_error_notification {
	struct superblock_notification s; /* subtype = NOTIFY_SUPERBLOCK_ERROR */
	__u32	error_number;		/* Positive errno value */
	__u32	error_cookie;		/* This error's number, from 1 */
};

/*
 * NOTIFY_SUPERBLOCK_EDQUOT record: what quota netlink reports for a
 * warning that a limit was exceeded (QUOTA_NL_IHARDWARN,
 * QUOTA_NL_ISOFTLONGWARN, QUOTA_NL_ISOFTWARN, QUOTA_NL_BHARDWARN,
 * QUOTA_NL_BSOFTLONGWARN, QUOTA_NL_BSOFTWARN of <linux/quota.h>).
 * quota_id is the user, group or project ID as the superblock's user
 * namespace sees it (the initial one for most filesystems, as quota
 * netlink reports it), or the overflow ID if it has no mapping there, as
 * stat(2) does.
 */
struct superblock_quota_notification {
	struct superblock_notification s; /* subtype = NOTIFY_SUPERBLOCK_EDQUOT */
	__u32		quota_type;	/* USRQUOTA, GRPQUOTA or PRJQUOTA */
	__u32		warning;	/* QUOTA_NL_* */
	__aligned_u64	quota_id;	/* Whose quota */
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
 *
 * Inode numbers are reused once a namespace is freed; the IDs, those of
 * NS_GET_ID in <linux/nsfs.h>, never are.  The subject, the task that
 * caused the event (for CREATE by clone(), the new task), is named by its
 * pid and tgid, its real and effective uid (in the opener's user
 * namespace, the overflow uid if unmapped there), and its audit login uid
 * (likewise, but (__u32)-1 if unset or unmapped, as /proc/PID/loginuid
 * reads) and session ID ((__u32)-1 if unset).  A DESTROY has no subject:
 * pid and tgid are 0, the four others (__u32)-1.  Records may grow at the
 * end: read them by their length, at least NS_NOTIFICATION_SIZE_VER0.
 */
struct ns_notification {
	struct watch_notification watch;
	__u32		ns_type;	/* CLONE_NEWNS, ... CLONE_NEWTIME */
	__u32		reason;		/* enum ns_notification_reason */
	__aligned_u64	ns_inum;	/* Inode number of the namespace */
	__aligned_u64	old_inum;	/* The one the task left (CREATE, SETNS), else 0 */
	__aligned_u64	owner_inum;	/* Inode number of the owning user namespace */
	__s32		pid;		/* Causing task, in the opener's pid ns, or 0 */
	__s32		tgid;		/* Its thread group ID, likewise */
	/* End of NS_NOTIFICATION_SIZE_VER0 */
	__aligned_u64	ns_id;		/* ID of the namespace (NS_GET_ID) */
	__aligned_u64	old_id;		/* ID of the one the task left, else 0 */
	__aligned_u64	owner_id;	/* ID of the owning user namespace */
	__u32		uid;		/* Causing task's real uid, in the opener's user ns */
	__u32		euid;		/* Its effective uid, likewise */
	__u32		loginuid;	/* Its audit login uid, likewise, or (__u32)-1 */
	__u32		sessionid;	/* Its audit session ID, or (__u32)-1 */
};

#define NS_NOTIFICATION_SIZE_VER0	48	/* Inode numbers, pid and tgid */
#define NS_NOTIFICATION_SIZE_VER1	88	/* IDs and the subject's IDs */

/*
 * Process events (WATCH_TYPE_PROC_NOTIFY), those of the proc connector.
 * - watch.subtype = enum proc_notification_subtype
 * - watch.info & WATCH_INFO_TYPE_INFO: NOTIFY_PROC_INFO_THREAD for a
 *   record about a thread that is not its process's leader (FORK with
 *   CLONE_THREAD, EXIT of such a thread), so that a filter can drop them.
 *
 * A watch on a pid namespace gets the events of every task in it and in
 * its descendants, never those of an ancestor's or a sibling's tasks.
 */
enum proc_notification_subtype {
	NOTIFY_PROC_FORK		= 0, /* New task: pid; its creator in arg */
	NOTIFY_PROC_EXEC		= 1, /* The task exec()ed a program */
	NOTIFY_PROC_EXIT		= 2, /* The task exits: arg = wait status */
	NOTIFY_PROC_SETSID		= 3, /* The process made a new session */
	NOTIFY_PROC_UID			= 4, /* Real or effective uid changed */
	NOTIFY_PROC_GID			= 5, /* Real or effective gid changed */
	NOTIFY_PROC_COMM		= 6, /* comm set by prctl() or /proc */
	NOTIFY_PROC_PTRACE_ATTACH	= 7, /* Traced: the tracer in arg */
	NOTIFY_PROC_PTRACE_DETACH	= 8, /* No longer traced: tracer in arg */
	NOTIFY_PROC_COREDUMP		= 9, /* Killed by a signal that dumps core */
};

#define NOTIFY_PROC_INFO_THREAD		WATCH_INFO_FLAG_0 /* As NOTIFY_PROC_THREAD */

/* Flags of struct proc_notification */
#define NOTIFY_PROC_THREAD		0x0001 /* A thread, not a process's leader */
#define NOTIFY_PROC_COREDUMPED		0x0002 /* EXIT: it dumped core */
#define NOTIFY_PROC_SIGNALED		0x0004 /* EXIT: killed by a signal */
#define NOTIFY_PROC_SEIZED		0x0008 /* PTRACE_ATTACH: by PTRACE_SEIZE */

/*
 * Process event record; every subtype has the same fixed layout.
 *
 * Process IDs are in the pid namespace of the queue's opener, 0 where the
 * task is not visible there.  User and group IDs are in the opener's user
 * namespace, the overflow ID where unmapped (as stat(2) reports them).
 * pidns_id is the ID (NS_GET_ID, the ns_id of namespace records) of the
 * pid namespace the task lives in.
 *
 * arg and arg64, per subtype:
 * - FORK: arg = the task that called clone() (its pid), arg64 = the clone
 *   flags, with the exit signal in CSIGNAL as clone() takes them;
 *   ppid/ptgid are the new task's parent, as getppid() says;
 * - EXIT: arg = the wait status, as waitpid() would report it for a
 *   process (WIFEXITED, WEXITSTATUS, WTERMSIG, WCOREDUMP), arg64 = the
 *   signal the parent gets (exit_signal), or (__u64)-1 for a thread;
 * - UID: arg = the real uid before, arg64 = the effective uid before;
 * - GID: arg = the real gid before, arg64 = the effective gid before;
 * - PTRACE_ATTACH, PTRACE_DETACH: arg = the tracer's pid, arg64 = its tgid;
 * - COREDUMP: arg = the signal;
 * - EXEC, SETSID, COMM: 0.
 * comm is the task's name after the event, NUL-padded.
 *
 * Records may grow at the end: read them by their length, at least
 * PROC_NOTIFICATION_SIZE_VER0.
 */
struct proc_notification {
	struct watch_notification watch; /* WATCH_TYPE_PROC_NOTIFY */
	__s32		pid;		/* The task, in the opener's pid ns, or 0 */
	__s32		tgid;		/* Its process (thread group leader) */
	__s32		ppid;		/* Its parent (real_parent) */
	__s32		ptgid;		/* The parent's process */
	__aligned_u64	pidns_id;	/* ID of the task's pid namespace */
	__u32		uid;		/* The task's real uid, in the opener's user ns */
	__u32		euid;		/* Its effective uid */
	__u32		gid;		/* Its real gid */
	__u32		egid;		/* Its effective gid */
	__u32		flags;		/* NOTIFY_PROC_* flags */
	__u32		arg;		/* Per subtype, see above */
	__aligned_u64	arg64;		/* Per subtype, see above */
	char		comm[16];	/* The task's comm */
};

#define PROC_NOTIFICATION_SIZE_VER0	80	/* First published struct */

#endif /* _UAPI_LINUX_WATCH_QUEUE_H */
