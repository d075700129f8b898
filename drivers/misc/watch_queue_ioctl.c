// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of /dev/watch_queue: sizing a queue in bytes and reporting
 * where the parts of its ring are (SETUP, GET_INFO), probing what the
 * kernel posts (PROBE), and filters.
 *
 * SETUP and GET_INFO are size-versioned: the size encoded in the command is
 * the caller's sizeof() of the struct, which may be older or newer than the
 * kernel's.  A newer caller's extra fields must be zero on the way in
 * (copy_struct_from_user()), and what the kernel does not know it leaves
 * zero on the way out: zero always means absent.
 *
 * See Documentation/userspace-api/watch_queue_dev.rst
 */

#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/watch_queue.h>

#include "watch_queue_dev.h"

#define WATCH_QUEUE_SETUP_FLAGS	WATCH_QUEUE_SETUP_CLAMP

static_assert(sizeof(struct watch_queue_info) == WATCH_QUEUE_INFO_SIZE_VER0);
static_assert(sizeof(struct watch_queue_setup) == WATCH_QUEUE_SETUP_SIZE_VER0);

/**
 * watch_queue_ioc_is - Whether a command is a size-versioned one
 * @cmd: The command, with the caller's struct size in it.
 * @base: The command as this kernel defines it.
 *
 * Return: true if @cmd is @base with any struct size.
 */
static bool watch_queue_ioc_is(unsigned int cmd, unsigned int base)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(base) &&
	       _IOC_NR(cmd) == _IOC_NR(base) &&
	       _IOC_DIR(cmd) == _IOC_DIR(base);
}

/**
 * watch_queue_dev_size - Give a queue its ring, once
 * @wf: The queue file.
 * @setup: The caller's request; its info is filled in.
 *
 * Allocate the ring, charged to the caller, and make it the one that
 * posters write to.
 *
 * Return: 0, -EINVAL for a bad size, -EBUSY if already sized, or -ENOMEM.
 */
static long watch_queue_dev_size(struct watch_queue_file *wf,
				 struct watch_queue_setup *setup)
{
	struct watch_ring ring;
	unsigned int nr_pages;
	int ret;

	ret = watch_ring_data_pages(setup->size,
				    setup->flags & WATCH_QUEUE_SETUP_CLAMP,
				    &nr_pages);
	if (ret < 0)
		return ret;

	mutex_lock(&wf->size_lock);
	ret = -EBUSY;
	if (wf->ring.mem)
		goto out;

	ret = watch_ring_alloc(&ring, nr_pages);
	if (ret < 0)
		goto out;

	spin_lock_bh(&wf->wqueue->lock);
	watch_ring_publish(&wf->ring, &ring);
	spin_unlock_bh(&wf->wqueue->lock);
	watch_ring_info(&wf->ring, &setup->info);
out:
	mutex_unlock(&wf->size_lock);
	return ret;
}

/**
 * watch_queue_dev_setup - IOC_WATCH_QUEUE_SETUP
 * @wf: The queue file.
 * @cmd: The command, with the size of the caller's struct.
 * @uarg: The caller's struct watch_queue_setup.
 *
 * Return: 0; -EINVAL for a struct older than the first version, unknown
 * flags, non-zero reserved fields or a bad size; -E2BIG for non-zero
 * fields this kernel does not know; -EBUSY, -ENOMEM or -EFAULT.
 */
static long watch_queue_dev_setup(struct watch_queue_file *wf,
				  unsigned int cmd, void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);
	struct watch_queue_setup setup;
	long ret;

	if (usize < WATCH_QUEUE_SETUP_SIZE_VER0)
		return -EINVAL;
	ret = copy_struct_from_user(&setup, sizeof(setup), uarg, usize);
	if (ret)
		return ret;
	if ((setup.flags & ~WATCH_QUEUE_SETUP_FLAGS) ||
	    memchr_inv(setup.__reserved, 0, sizeof(setup.__reserved)))
		return -EINVAL;

	ret = watch_queue_dev_size(wf, &setup);
	if (ret < 0)
		return ret;
	/* A newer caller's extra fields were zero and stay so. */
	if (copy_to_user(uarg, &setup, min(usize, sizeof(setup))))
		return -EFAULT;
	return 0;
}

/**
 * watch_queue_dev_get_info - IOC_WATCH_QUEUE_GET_INFO
 * @wf: The queue file.
 * @cmd: The command, with the size of the caller's struct.
 * @uarg: The caller's struct watch_queue_info.
 *
 * Anyone holding the descriptor learns the geometry of the ring, to map it:
 * a process that received it over SCM_RIGHTS, for one.  An unsized queue
 * reports only its limits.
 *
 * Return: 0, -EINVAL for a struct older than the first version, or -EFAULT.
 */
static long watch_queue_dev_get_info(struct watch_queue_file *wf,
				     unsigned int cmd, void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);
	struct watch_queue_info info;

	if (usize < WATCH_QUEUE_INFO_SIZE_VER0)
		return -EINVAL;

	mutex_lock(&wf->size_lock);
	watch_ring_info(&wf->ring, &info);
	mutex_unlock(&wf->size_lock);

	if (copy_to_user(uarg, &info, min(usize, sizeof(info))))
		return -EFAULT;
	if (usize > sizeof(info) &&
	    clear_user(uarg + sizeof(info), usize - sizeof(info)))
		return -EFAULT;
	return 0;
}

/**
 * watch_queue_dev_probe - IOC_WATCH_QUEUE_PROBE
 * @uarg: The caller's struct watch_queue_probe, with room for nr_types
 *	entries after it.
 *
 * Describe the types of record the kernel knows, from the registry of
 * sources: entry i for type i, for as many types as the caller has room
 * for, up to the last one this kernel knows.
 *
 * Return: 0, -EINVAL for non-zero reserved fields, or -EFAULT.
 */
static long watch_queue_dev_probe(void __user *uarg)
{
	struct watch_queue_probe __user *uprobe = uarg;
	const struct watch_source *src;
	struct watch_queue_probe_type t;
	struct watch_queue_probe probe;
	u32 i, nr;

	if (copy_from_user(&probe, uprobe, sizeof(probe)))
		return -EFAULT;
	if (memchr_inv(probe.__reserved, 0, sizeof(probe.__reserved)))
		return -EINVAL;

	nr = min_t(u32, probe.nr_types, WATCH_TYPE__NR);
	for (i = 0; i < nr; i++) {
		memset(&t, 0, sizeof(t));
		t.type = i;
		src = watch_source_find(i);
		if (src) {
			t.flags = WATCH_QUEUE_PROBE_SUPPORTED;
			t.record_size = src->record_size;
			BUILD_BUG_ON(sizeof(t.subtypes) != sizeof(src->subtypes));
			memcpy(t.subtypes, src->subtypes, sizeof(t.subtypes));
		}
		if (copy_to_user(&uprobe->types[i], &t, sizeof(t)))
			return -EFAULT;
	}

	probe.last_type = WATCH_TYPE__NR - 1;
	probe.max_size = watch_ring_max_size();
	probe.features = WATCH_RING_FEATURES;
	if (copy_to_user(uprobe, &probe, sizeof(probe)))
		return -EFAULT;
	return 0;
}

/**
 * watch_queue_dev_ioctl - The ioctls of a queue
 * @file: The queue file.
 * @cmd: IOC_WATCH_QUEUE_SETUP, IOC_WATCH_QUEUE_GET_INFO,
 *	IOC_WATCH_QUEUE_PROBE, IOC_WATCH_QUEUE_SET_FILTER or the core's
 *	IOC_WATCH_QUEUE_WATCH.
 * @arg: A pointer to the command's struct; for SET_FILTER, to the filter,
 *	or NULL to remove it.
 *
 * IOC_WATCH_QUEUE_SET_SIZE, which counts notes on a notification pipe,
 * does not size a device queue: it fails with -EOPNOTSUPP.
 *
 * Return: 0, a negative error, or -ENOTTY for another command.
 */
long watch_queue_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct watch_queue_file *wf = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (watch_queue_ioc_is(cmd, IOC_WATCH_QUEUE_SETUP))
		return watch_queue_dev_setup(wf, cmd, uarg);
	if (watch_queue_ioc_is(cmd, IOC_WATCH_QUEUE_GET_INFO))
		return watch_queue_dev_get_info(wf, cmd, uarg);

	switch (cmd) {
	case IOC_WATCH_QUEUE_PROBE:
		return watch_queue_dev_probe(uarg);
	case IOC_WATCH_QUEUE_SET_FILTER:
		return watch_queue_set_filter(wf->wqueue, uarg);
	case IOC_WATCH_QUEUE_SET_SIZE:
		return -EOPNOTSUPP;
	default:
		/* IOC_WATCH_QUEUE_WATCH: the core's, shared with pipes */
		return watch_queue_ioctl(wf->wqueue, cmd, arg);
	}
}
