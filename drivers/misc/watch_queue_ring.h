/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The producer side of the /dev/watch_queue ring.
 *
 * See Documentation/userspace-api/watch_queue_dev.rst
 */
#ifndef _DRIVERS_MISC_WATCH_QUEUE_RING_H
#define _DRIVERS_MISC_WATCH_QUEUE_RING_H

#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/watch_queue.h>

struct page;
struct user_struct;
struct vm_area_struct;

/**
 * struct watch_ring_mem - The pages of a ring and what they are charged
 * @ref: One reference for the queue and one for each mapping (VMA).
 * @nr_pages: The header page and the data pages.
 * @data: Kernel mapping of the data pages.
 * @user: The user whose locked memory @locked is charged to, if any.
 * @locked: Pages charged to @user's locked memory: 0 or @nr_pages.
 * @pages: The header page followed by the data pages.
 *
 * The pages, their kernel mapping and their charge live as long as the
 * queue or any mapping of the ring does.  Their memory cgroup charge is the
 * pages' own and goes when the last page reference does.
 */
struct watch_ring_mem {
	refcount_t		ref;
	unsigned int		nr_pages;
	void			*data;
	struct user_struct	*user;
	unsigned long		locked;
	struct page		*pages[] __counted_by(nr_pages);
};

/**
 * struct watch_ring - Kernel side of a notification ring
 * @mem: The pages, shared with the mappings; NULL until the ring is sized.
 * @hdr: The header page, shared with userspace; only tail is ever read.
 * @data: Kernel mapping of the data area.
 * @nr_pages: Number of data pages; 0 until the ring is sized.
 * @mask: Number of slots in the data area minus 1 (the kernel's own copy).
 * @head: Slots produced (the kernel's own copy).
 * @lost: Records dropped, cumulative (the kernel's own copy).
 * @unreported: Records dropped since the last loss record was written.
 * @woken_tail: The consumer's tail when the kernel last decided to wake it.
 * @woken: Whether @woken_tail holds anything yet.
 *
 * Everything but @hdr->tail is kernel-private, so nothing userspace writes
 * into the header can steer where the kernel writes.  The producer fields
 * are protected by the lock of the watch queue that owns the ring.
 */
struct watch_ring {
	struct watch_ring_mem	*mem;
	struct watch_queue_ring	*hdr;
	void			*data;
	unsigned int		nr_pages;
	u32			mask;
	u32			head;
	u64			lost;
	u64			unreported;
	u32			woken_tail;
	bool			woken;
};

int watch_ring_alloc(struct watch_ring *ring, unsigned int nr_pages);
void watch_ring_publish(struct watch_ring *ring, struct watch_ring *new);
void watch_ring_free(struct watch_ring *ring);
bool watch_ring_post(struct watch_ring *ring,
		     const struct watch_notification *n, bool *wake);
bool watch_ring_readable(const struct watch_ring *ring);
int watch_ring_mmap(struct watch_ring *ring, struct vm_area_struct *vma);

#endif /* _DRIVERS_MISC_WATCH_QUEUE_RING_H */
