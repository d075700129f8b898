/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The producer side of the /dev/watch_queue ring.
 *
 * See Documentation/userspace-api/watch_queue_dev.rst
 */
#ifndef _DRIVERS_MISC_WATCH_QUEUE_RING_H
#define _DRIVERS_MISC_WATCH_QUEUE_RING_H

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/refcount.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/watch_queue.h>

struct page;
struct user_struct;
struct vm_area_struct;

/*
 * The pages of a ring, in the order of the mmap() offset space: the
 * consumer's page, the only one userspace may write, then the kernel's
 * header page, then the data pages.
 */
#define WATCH_RING_CONSUMER_PAGE	0
#define WATCH_RING_HEADER_PAGE		1
#define WATCH_RING_DATA_PAGE		2

/* The largest data area: 1 MiB, or one page where a page is larger. */
#define WATCH_RING_MAX_DATA_PAGES	max(SZ_1M / PAGE_SIZE, 1UL)

/* What every ring of this kernel does (WATCH_QUEUE_FEAT_*). */
#define WATCH_RING_FEATURES		WATCH_QUEUE_FEAT_LOSS_TYPES

/**
 * struct watch_ring_mem - The pages of a ring and what they are charged
 * @ref: One reference for the queue and one for each mapping (VMA).
 * @nr_pages: The consumer's page, the header page and the data pages.
 * @data: Kernel mapping of the data pages.
 * @user: The user whose locked memory @locked is charged to, if any.
 * @locked: Pages charged to @user's locked memory: 0 or @nr_pages.
 * @pages: The pages, in mmap() offset order.
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
 * @cons: The consumer's page; only its tail is ever read, never trusted.
 * @hdr: The header page, written by the kernel only.
 * @data: Kernel mapping of the data area.
 * @nr_data_pages: Number of data pages; 0 until the ring is sized.
 * @mask: Number of slots in the data area minus 1 (the kernel's own copy).
 * @head: Slots produced (the kernel's own copy).
 * @lost: Records dropped, cumulative (the kernel's own copy).
 * @unreported: Records dropped since the last loss record was written.
 * @unreported_types: WATCH_LOST_TYPE() of the types of those records.
 * @published: The head the consumer was last shown (watch_ring_commit()).
 * @woken_tail: The consumer's tail when the kernel last decided to wake it.
 * @woken: Whether @woken_tail holds anything yet.
 *
 * The producer state is the kernel's own: nothing userspace writes can
 * steer where the kernel writes.  The producer fields are protected by the
 * lock of the watch queue that owns the ring.
 */
struct watch_ring {
	struct watch_ring_mem		*mem;
	struct watch_queue_consumer	*cons;
	struct watch_queue_ring		*hdr;
	void				*data;
	unsigned int			nr_data_pages;
	u32				mask;
	u32				head;
	u64				lost;
	u64				unreported;
	u64				unreported_types;
	u32				published;
	u32				woken_tail;
	bool				woken;
};

/**
 * watch_ring_max_size - The largest data area a queue can be given
 *
 * Return: Its size in bytes, a power-of-two number of pages.
 */
static inline u64 watch_ring_max_size(void)
{
	return (u64)WATCH_RING_MAX_DATA_PAGES << PAGE_SHIFT;
}

int watch_ring_data_pages(u64 size, bool clamp, unsigned int *nr_pages);
int watch_ring_alloc(struct watch_ring *ring, unsigned int nr_data_pages);
void watch_ring_publish(struct watch_ring *ring, struct watch_ring *new);
void watch_ring_info(const struct watch_ring *ring,
		     struct watch_queue_info *info);
void watch_ring_close(struct watch_ring *ring);
void watch_ring_free(struct watch_ring *ring);
bool watch_ring_store(struct watch_ring *ring,
		      const struct watch_notification *n);
void *watch_ring_reserve(struct watch_ring *ring, u32 len);
void watch_ring_advance(struct watch_ring *ring, u32 len);
bool watch_ring_store_dense(struct watch_ring *ring, const void *recs,
			    u32 len);
bool watch_ring_commit(struct watch_ring *ring);
bool watch_ring_post(struct watch_ring *ring,
		     const struct watch_notification *n, bool *wake);
bool watch_ring_readable(const struct watch_ring *ring);
int watch_ring_mmap(struct watch_ring *ring, struct vm_area_struct *vma);

#endif /* _DRIVERS_MISC_WATCH_QUEUE_RING_H */
