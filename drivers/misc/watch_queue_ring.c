// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/watch_queue ring: its pages, what they are charged, their
 * mappings into userspace, and the producer side.
 *
 * The ring is the consumer's page, the header page and a power-of-two
 * number of data pages, in that order in the mmap() offset space.  Only the
 * consumer's page, which holds the tail and nothing the kernel writes, can
 * be mapped writable; the header and the data, which only the kernel
 * writes, are mapped read-only for good.  Records are written at 8-byte
 * slot granularity and never wrap: a record that would cross the end of the
 * data area is preceded by a skip record that pads to the end.  A record
 * that does not fit is dropped and counted; a loss record is written at the
 * gap before the next record that fits.
 *
 * The kernel keeps its own copy of the geometry and of the producer state.
 * The only value it reads back from userspace is the consumer's tail, and
 * an impossible tail makes the ring look full.
 *
 * The pages and their locked-memory charge are one refcounted object, held
 * by the queue and by every mapping, so that the charge goes only when the
 * last of them does: a mapping pins the pages after its queue is closed.
 *
 * See Documentation/userspace-api/watch_queue_dev.rst
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "watch_queue_ring.h"

#define WATCH_RING_SLOTS_PER_PAGE	(PAGE_SIZE / WATCH_QUEUE_SLOT_SIZE)

/**
 * watch_ring_slots - Slots taken by a record
 * @len: Length of the record in bytes.
 *
 * Return: @len in 8-byte slots, rounded up.
 */
static u32 watch_ring_slots(u32 len)
{
	return DIV_ROUND_UP(len, WATCH_QUEUE_SLOT_SIZE);
}

/*
 * Everything a ring allocates is charged to the sizer's memory cgroup.  A
 * ring that does not fit under the group's memory.max, or in memory, fails
 * to allocate with ENOMEM: any user may ask for one, so asking never calls
 * the OOM killer and never warns.
 */
#define WATCH_RING_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/**
 * watch_ring_charge - Charge a ring's pages to the sizer's locked memory
 * @mem: The ring's pages; @mem->nr_pages is set.
 *
 * The pages are pinned for as long as the queue or a mapping lives, so
 * they count as locked memory of the user who sizes the queue, within that
 * task's RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK, as for io_uring rings.
 * The user that is checked is the user that is charged.
 *
 * Return: 0, or -ENOMEM if over the limit.
 */
static int watch_ring_charge(struct watch_ring_mem *mem)
{
	struct user_struct *user = current_user();
	unsigned long limit, cur, new;

	if (capable(CAP_IPC_LOCK))
		return 0;

	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	cur = atomic_long_read(&user->locked_vm);
	do {
		new = cur + mem->nr_pages;
		if (new > limit)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, new));

	mem->user = get_uid(user);
	mem->locked = mem->nr_pages;
	return 0;
}

/**
 * watch_ring_mem_free - Free a ring's pages and give back their charge
 * @mem: The ring's pages, with no reference left.
 *
 * Pages are freed as their last page reference goes: a page table entry
 * being torn down may hold one a little longer.
 */
static void watch_ring_mem_free(struct watch_ring_mem *mem)
{
	unsigned int i;

	if (mem->data)
		vunmap(mem->data);
	for (i = 0; i < mem->nr_pages; i++)
		if (mem->pages[i])
			put_page(mem->pages[i]);
	if (mem->user) {
		atomic_long_sub(mem->locked, &mem->user->locked_vm);
		free_uid(mem->user);
	}
	kfree(mem);
}

/**
 * watch_ring_mem_put - Drop a reference to a ring's pages
 * @mem: The ring's pages.
 *
 * Called from process context only: by the queue's release and by the
 * close of a mapping.
 */
static void watch_ring_mem_put(struct watch_ring_mem *mem)
{
	if (refcount_dec_and_test(&mem->ref))
		watch_ring_mem_free(mem);
}

/**
 * watch_ring_data_pages - The data pages of a ring of a size in bytes
 * @size: Bytes of data area asked for.
 * @clamp: Give the largest ring for a larger @size instead of failing.
 * @nr_pages: Set to the number of data pages.
 *
 * @size is rounded up to a power-of-two number of pages, at least one.
 *
 * Return: 0, or -EINVAL for a size of 0 or, without @clamp, one larger than
 * the largest data area.
 */
int watch_ring_data_pages(u64 size, bool clamp, unsigned int *nr_pages)
{
	const u64 max = watch_ring_max_size();

	if (!size)
		return -EINVAL;
	if (size > max) {
		if (!clamp)
			return -EINVAL;
		size = max;
	}
	*nr_pages = roundup_pow_of_two(DIV_ROUND_UP_ULL(size, PAGE_SIZE));
	return 0;
}

/**
 * watch_ring_alloc - Allocate and charge the pages of a ring
 * @ring: The ring to fill in; it is not yet visible to posters.
 * @nr_data_pages: Number of data pages, a power of two, at most
 *	WATCH_RING_MAX_DATA_PAGES.
 *
 * The pages are charged to the caller: to its memory cgroup, and to its
 * user's locked memory (see watch_ring_charge()).  The ring holds the first
 * reference to them.
 *
 * Return: 0 or -ENOMEM.
 */
int watch_ring_alloc(struct watch_ring *ring, unsigned int nr_data_pages)
{
	const unsigned int nr_pages = WATCH_RING_DATA_PAGE + nr_data_pages;
	struct watch_ring_mem *mem;
	unsigned int i;

	memset(ring, 0, sizeof(*ring));

	mem = kzalloc(struct_size(mem, pages, nr_pages), WATCH_RING_GFP);
	if (!mem)
		return -ENOMEM;
	refcount_set(&mem->ref, 1);
	mem->nr_pages = nr_pages;

	if (watch_ring_charge(mem) < 0)
		goto err;
	for (i = 0; i < mem->nr_pages; i++) {
		mem->pages[i] = alloc_page(WATCH_RING_GFP | __GFP_ZERO);
		if (!mem->pages[i])
			goto err;
	}
	mem->data = vmap(mem->pages + WATCH_RING_DATA_PAGE, nr_data_pages,
			 VM_MAP, PAGE_KERNEL);
	if (!mem->data)
		goto err;

	ring->mem = mem;
	ring->data = mem->data;
	ring->nr_data_pages = nr_data_pages;
	ring->mask = nr_data_pages * WATCH_RING_SLOTS_PER_PAGE - 1;
	ring->cons = page_address(mem->pages[WATCH_RING_CONSUMER_PAGE]);
	ring->hdr = page_address(mem->pages[WATCH_RING_HEADER_PAGE]);
	ring->hdr->mask = ring->mask;
	ring->hdr->hdr_size = sizeof(*ring->hdr);
	ring->hdr->features = WATCH_RING_FEATURES;
	return 0;

err:
	watch_ring_mem_free(mem);
	return -ENOMEM;
}

/**
 * watch_ring_store_lost - Show the kernel's count of lost records
 * @ring: The ring, sized.
 *
 * For consumers that can't load 64 bits at once, lost_hi repeats the high
 * half of lost, stored after it: a consumer that loads lost_hi, the low
 * half of lost, then its high half, and finds both high halves equal, has
 * a value that lost held (it only grows).  A 32-bit kernel stores the
 * halves of lost one at a time, the high half first, for the same reason.
 */
static void watch_ring_store_lost(struct watch_ring *ring)
{
	struct watch_queue_ring *hdr = ring->hdr;
#if BITS_PER_LONG == 64
	WRITE_ONCE(hdr->lost, ring->lost);
#else
	u32 *half = (u32 *)&hdr->lost;
#ifdef __BIG_ENDIAN
	const int hi = 0;
#else
	const int hi = 1;
#endif

	WRITE_ONCE(half[hi], upper_32_bits(ring->lost));
	/* The high half before the low one: see above. */
	smp_wmb();
	WRITE_ONCE(half[!hi], lower_32_bits(ring->lost));
#endif
	/* Pairs with the consumer's load of lost_hi, then of lost. */
	smp_wmb();
	WRITE_ONCE(hdr->lost_hi, upper_32_bits(ring->lost));
}

/**
 * watch_ring_set_flags - Update the status flags of the header
 * @ring: The ring, sized.
 * @set: WATCH_QUEUE_RING_* flags to set.
 * @clear: WATCH_QUEUE_RING_* flags to clear.
 *
 * Must be called with the owning queue's lock held, or once no poster can
 * reach the ring.
 */
static void watch_ring_set_flags(struct watch_ring *ring, u32 set, u32 clear)
{
	u32 flags = READ_ONCE(ring->hdr->flags);

	WRITE_ONCE(ring->hdr->flags, (flags & ~clear) | set);
}

/**
 * watch_ring_publish - Make a newly allocated ring the live one
 * @ring: The live ring, unsized, that posters see.
 * @new: A ring filled in by watch_ring_alloc().
 *
 * Records dropped before the ring had a size stay counted, and a loss record
 * reports them ahead of the first record that is stored.  Must be called
 * with the owning queue's lock held.
 */
void watch_ring_publish(struct watch_ring *ring, struct watch_ring *new)
{
	new->lost = ring->lost;
	new->unreported = ring->unreported;
	new->unreported_types = ring->unreported_types;
	watch_ring_store_lost(new);
	if (new->unreported)
		watch_ring_set_flags(new, WATCH_QUEUE_RING_LOSS_PENDING, 0);
	*ring = *new;
}

/**
 * watch_ring_info - Describe a ring for IOC_WATCH_QUEUE_SETUP and GET_INFO
 * @ring: The ring, sized or not; the caller keeps it from being sized
 *	concurrently.
 * @info: Filled in: the offsets of the parts, their lengths and the limits.
 *	Before the ring is sized only the limits and the features are set.
 */
void watch_ring_info(const struct watch_ring *ring,
		     struct watch_queue_info *info)
{
	memset(info, 0, sizeof(*info));
	info->max_size = watch_ring_max_size();
	info->max_record = WATCH_INFO_LENGTH;
	info->features = WATCH_RING_FEATURES;
	if (!ring->mem)
		return;
	info->mmap_len = (u64)ring->mem->nr_pages << PAGE_SHIFT;
	info->consumer_off = (u64)WATCH_RING_CONSUMER_PAGE << PAGE_SHIFT;
	info->consumer_len = PAGE_SIZE;
	info->header_off = (u64)WATCH_RING_HEADER_PAGE << PAGE_SHIFT;
	info->header_len = PAGE_SIZE;
	info->data_off = (u64)WATCH_RING_DATA_PAGE << PAGE_SHIFT;
	info->data_len = (u64)ring->nr_data_pages << PAGE_SHIFT;
	info->nr_slots = ring->mask + 1;
	info->hdr_size = sizeof(*ring->hdr);
}

/**
 * watch_ring_close - Mark a ring as closed for the mappings that outlive it
 * @ring: The ring, which no poster can reach any more.
 *
 * A consumer that holds only a mapping learns that no record will follow.
 */
void watch_ring_close(struct watch_ring *ring)
{
	if (ring->hdr)
		watch_ring_set_flags(ring, WATCH_QUEUE_RING_CLOSED, 0);
}

/**
 * watch_ring_free - Drop the queue's reference to a ring's pages
 * @ring: The ring, which no poster may reach any more.
 *
 * The pages, and their charge, stay until the last mapping of the ring is
 * gone too.
 */
void watch_ring_free(struct watch_ring *ring)
{
	if (ring->mem)
		watch_ring_mem_put(ring->mem);
	memset(ring, 0, sizeof(*ring));
}

/**
 * watch_ring_space - Free slots, judged from the consumer's tail
 * @ring: The ring.
 *
 * A tail that is ahead of the head or more than a ring behind it cannot come
 * from a correct consumer; the ring is then treated as full.  The acquire
 * pairs with the consumer's release of tail: its reads of the slots it
 * gives back are done before they are overwritten.
 *
 * Return: The number of free slots.
 */
static u32 watch_ring_space(const struct watch_ring *ring)
{
	u32 size = ring->mask + 1;
	/* Acquire: pairs with the consumer's store-release of tail. */
	u32 used = ring->head - smp_load_acquire(&ring->cons->tail);

	return used <= size ? size - used : 0;
}

/**
 * watch_ring_cost - Slots a record takes at a position, padding included
 * @ring: The ring.
 * @pos: Where the record would be produced.
 * @slots: Slots of the record itself.
 *
 * Return: @slots, plus the slots to the end of the data area if the record
 * would otherwise wrap.
 */
static u32 watch_ring_cost(const struct watch_ring *ring, u32 pos, u32 slots)
{
	u32 room = ring->mask + 1 - (pos & ring->mask);

	return slots <= room ? slots : room + slots;
}

/**
 * watch_ring_put - Write a record at the head
 * @ring: The ring.
 * @rec: The record.
 * @len: Its length in bytes.
 *
 * Write it after a skip record if it would otherwise wrap; the caller has
 * checked that it fits.  The bytes between the end of the record and the
 * end of its last slot are zeroed.
 */
static void watch_ring_put(struct watch_ring *ring, const void *rec, u32 len)
{
	u32 slots = watch_ring_slots(len);
	u32 off = ring->head & ring->mask;
	u32 room = ring->mask + 1 - off;
	void *p;

	if (slots > room) {
		struct watch_notification skip = {
			.type		= WATCH_TYPE_META,
			.subtype	= WATCH_META_SKIP_NOTIFICATION,
			.info		= room * WATCH_QUEUE_SLOT_SIZE,
		};

		/* A record has at most 127 bytes, so the padding fits in
		 * the length field of the skip record.
		 */
		memcpy(ring->data + off * WATCH_QUEUE_SLOT_SIZE, &skip,
		       sizeof(skip));
		ring->head += room;
		off = 0;
	}

	p = ring->data + off * WATCH_QUEUE_SLOT_SIZE;
	memcpy(p, rec, len);
	memset(p + len, 0, slots * WATCH_QUEUE_SLOT_SIZE - len);
	ring->head += slots;
}

/**
 * watch_ring_store - Write a record into the ring, not yet published
 * @ring: The ring.
 * @n: The record; its length is in n->info.
 *
 * Never sleeps and never waits for the consumer.  A record that does not
 * fit, together with the loss record that must precede it, is dropped and
 * counted.  The consumer sees the records stored only once
 * watch_ring_commit() has moved the head it reads, which may be done once
 * for several records.  Must be called with the owning queue's lock held.
 *
 * Return: true if the record was stored.
 */
bool watch_ring_store(struct watch_ring *ring,
		      const struct watch_notification *n)
{
	struct watch_notification_loss loss;
	u32 len = n->info & WATCH_INFO_LENGTH;
	u32 start, need;

	if (WARN_ON_ONCE(len < sizeof(*n) || (n->info & WATCH_INFO_RESERVED)))
		return false;
	if (!ring->nr_data_pages)
		goto lost;

	start = ring->head;
	need = 0;
	if (ring->unreported)
		need = watch_ring_cost(ring, start,
				       watch_ring_slots(sizeof(loss)));
	need += watch_ring_cost(ring, start + need, watch_ring_slots(len));
	if (need > watch_ring_space(ring))
		goto lost;

	if (ring->unreported) {
		memset(&loss, 0, sizeof(loss));
		loss.watch.type = WATCH_TYPE_META;
		loss.watch.subtype = WATCH_META_LOSS_NOTIFICATION;
		loss.watch.info = watch_sizeof(loss);
		loss.nr_lost = ring->unreported;
		loss.lost_types = ring->unreported_types;
		watch_ring_put(ring, &loss, sizeof(loss));
		ring->unreported = 0;
		ring->unreported_types = 0;
		watch_ring_set_flags(ring, 0, WATCH_QUEUE_RING_LOSS_PENDING);
	}
	watch_ring_put(ring, n, len);
	return true;

lost:
	ring->lost++;
	ring->unreported++;
	ring->unreported_types |= WATCH_LOST_TYPE(n->type);
	if (ring->hdr) {
		watch_ring_store_lost(ring);
		watch_ring_set_flags(ring, WATCH_QUEUE_RING_LOSS_PENDING, 0);
	}
	return false;
}

/**
 * watch_ring_reserve - Where records may be written straight into the ring
 * @ring: The ring.
 * @len: Bytes of records, a multiple of WATCH_QUEUE_SLOT_SIZE, that each
 *	fill their slots exactly.
 *
 * For a store that writes records at the head itself and then calls
 * watch_ring_advance(): if no loss is waiting to be reported and @len bytes
 * fit in the free space before the end of the data area, return where they
 * go.  The consumer reads nothing there until the head moves, so the bytes
 * may be written, checked, and given up by not advancing.  Must be called
 * with the owning queue's lock held, which must stay held until then.
 *
 * Return: The address at the head, or NULL.
 */
void *watch_ring_reserve(struct watch_ring *ring, u32 len)
{
	u32 slots = len / WATCH_QUEUE_SLOT_SIZE;
	u32 off = ring->head & ring->mask;

	if (!ring->nr_data_pages || ring->unreported ||
	    slots > ring->mask + 1 - off || slots > watch_ring_space(ring))
		return NULL;
	return ring->data + off * WATCH_QUEUE_SLOT_SIZE;
}

/**
 * watch_ring_advance - Take in the records written at a reservation
 * @ring: The ring.
 * @len: The length that watch_ring_reserve() was given.
 *
 * Not yet published: see watch_ring_commit().
 */
void watch_ring_advance(struct watch_ring *ring, u32 len)
{
	ring->head += len / WATCH_QUEUE_SLOT_SIZE;
}

/**
 * watch_ring_store_dense - Store records that need no padding in one copy
 * @ring: The ring.
 * @recs: Records, back to back, each a whole number of slots long, that
 *	the caller has checked as watch_ring_store() would.
 * @len: Their length in bytes, a multiple of WATCH_QUEUE_SLOT_SIZE.
 *
 * If watch_ring_reserve() finds room, copy them there at once, the same
 * bytes that watch_ring_store() of each would write.  Otherwise store
 * nothing: the caller then stores them one by one, which reports losses
 * and pads at the end of the area.  Not yet published.  Must be called
 * with the owning queue's lock held.
 *
 * Return: true if the records were stored.
 */
bool watch_ring_store_dense(struct watch_ring *ring, const void *recs,
			    u32 len)
{
	void *dst = watch_ring_reserve(ring, len);

	if (!dst)
		return false;
	memcpy(dst, recs, len);
	watch_ring_advance(ring, len);
	return true;
}

/**
 * watch_ring_commit - Let the consumer see the records stored so far
 * @ring: The ring, with at least one record stored since the last publish.
 *
 * Wake-ups are batched: the consumer is woken if its tail is at the head
 * it was last shown, before these records (it had read everything and may
 * be waiting), or if its tail has moved since it was last woken (it gave
 * slots back, and may have stored its tail and gone to sleep, as an
 * edge-triggered waiter may, with these records unseen).  A consumer that
 * lags without giving slots back is not woken again and again.  The first
 * test is what keeps a wake-up from being lost: the tail is read after
 * the head is stored, and a consumer on another CPU may in between read
 * these very records and store its tail, so that the wake-up is spent on
 * records it has read; by the second test alone, every later commit would
 * then see that tail as already woken.
 * Must be called with the owning queue's lock held.
 *
 * Return: true if the consumer may be waiting for these records.
 */
bool watch_ring_commit(struct watch_ring *ring)
{
	u32 shown = ring->published, tail;

	ring->published = ring->head;
	/* Pairs with the consumer's load-acquire of head. */
	smp_store_release(&ring->hdr->head, ring->head);

	/*
	 * Order the store of head before the load of tail.  Pairs with the
	 * full barrier a consumer puts between storing its tail and loading
	 * the head again before it waits: either it sees these records, or
	 * this sees its new tail and wakes it.
	 */
	smp_mb();
	tail = READ_ONCE(ring->cons->tail);
	if (tail == shown || !ring->woken || tail != ring->woken_tail) {
		ring->woken = true;
		ring->woken_tail = tail;
		return true;
	}
	return false;
}

/**
 * watch_ring_post - Store a record in the ring and publish it
 * @ring: The ring.
 * @n: The record; its length is in n->info.
 * @wake: Set to true if the consumer may be waiting for this record.
 *
 * watch_ring_store() and, if the record was stored, watch_ring_commit().
 * Must be called with the owning queue's lock held.
 *
 * Return: true if the record was stored.
 */
bool watch_ring_post(struct watch_ring *ring,
		     const struct watch_notification *n, bool *wake)
{
	*wake = false;
	if (!watch_ring_store(ring, n))
		return false;
	*wake = watch_ring_commit(ring);
	return true;
}

/**
 * watch_ring_readable - Whether the consumer has records to read
 * @ring: The ring.
 *
 * Must be called with the owning queue's lock held, which orders it against
 * watch_ring_commit() for the wake-up protocol.
 *
 * Return: true if the head differs from the consumer's tail.
 */
bool watch_ring_readable(const struct watch_ring *ring)
{
	return ring->nr_data_pages && ring->head != READ_ONCE(ring->cons->tail);
}

/**
 * watch_ring_vm_open - A mapping of the ring was copied
 * @vma: The new mapping: one piece of a split, the target of a move by
 *	 mremap(), or a child's copy after MADV_DOFORK.
 *
 * Each mapping holds a reference to the pages, and with it their charge.
 */
static void watch_ring_vm_open(struct vm_area_struct *vma)
{
	struct watch_ring_mem *mem = vma->vm_private_data;

	refcount_inc(&mem->ref);
}

/**
 * watch_ring_vm_close - A mapping of the ring is going away
 * @vma: The mapping.
 */
static void watch_ring_vm_close(struct vm_area_struct *vma)
{
	watch_ring_mem_put(vma->vm_private_data);
}

/**
 * watch_ring_vm_fault - Map a page of the ring back in
 * @vmf: The fault, in a mapping of the ring.
 *
 * The pages are inserted when the ring is mapped.  An entry that is gone
 * since, by MADV_DONTNEED for instance, maps the same page of the ring
 * again, with what it holds: the ring keeps working.
 *
 * Return: 0 with a reference to the page in @vmf->page, or VM_FAULT_SIGBUS
 * past the end of the ring, which a mapping of it cannot reach.
 */
static vm_fault_t watch_ring_vm_fault(struct vm_fault *vmf)
{
	struct watch_ring_mem *mem = vmf->vma->vm_private_data;
	struct page *page;

	if (vmf->pgoff >= mem->nr_pages)
		return VM_FAULT_SIGBUS;
	page = mem->pages[vmf->pgoff];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct watch_ring_vm_ops = {
	.open		= watch_ring_vm_open,
	.close		= watch_ring_vm_close,
	.fault		= watch_ring_vm_fault,
};

/**
 * watch_ring_mmap - Map a ring, or part of it, into userspace
 * @ring: The ring; the caller keeps it from being sized concurrently.
 * @vma: The mapping: whole pages of the ring's offset space, shared.
 *
 * Any part of the ring may be mapped read-only; only the consumer's page
 * may be mapped writable.  A mapping that reaches a page the kernel writes
 * loses VM_MAYWRITE, so that mprotect() cannot make it writable either.  A
 * descriptor opened read-only gets read-only mappings only, as for any
 * file.
 *
 * The mapping cannot grow, is not inherited across fork unless asked for
 * with MADV_DOFORK, and holds a reference to the pages and their charge,
 * so it stays valid after the queue is closed.  Every copy of it, by a
 * split, by mremap() or by fork, holds one of its own, and a page whose
 * entry was zapped is mapped again on the next access (watch_ring_vm_ops).
 *
 * Return: 0; -EINVAL for an unsized ring, a private or executable mapping,
 * or one outside the ring; -EACCES for a writable mapping of a page the
 * kernel writes; or -ENOMEM.
 */
int watch_ring_mmap(struct watch_ring *ring, struct vm_area_struct *vma)
{
	struct watch_ring_mem *mem = ring->mem;
	unsigned long nr = vma_pages(vma);
	int ret;

	if (!mem || vma->vm_pgoff >= mem->nr_pages ||
	    nr > mem->nr_pages - vma->vm_pgoff)
		return -EINVAL;
	if (!(vma->vm_flags & VM_MAYSHARE) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	if (vma->vm_pgoff != WATCH_RING_CONSUMER_PAGE || nr != 1) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}

	vm_flags_mod(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP,
		     VM_MAYEXEC);
	ret = vm_insert_pages(vma, vma->vm_start, mem->pages + vma->vm_pgoff,
			      &nr);
	if (ret < 0)
		return ret;	/* The caller unmaps what was inserted. */

	refcount_inc(&mem->ref);
	vma->vm_private_data = mem;
	vma->vm_ops = &watch_ring_vm_ops;
	return 0;
}
