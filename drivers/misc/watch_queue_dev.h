/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An open of /dev/watch_queue, shared by the file operations and the
 * ioctls.
 *
 * See Documentation/userspace-api/watch_queue_dev.rst
 */
#ifndef _DRIVERS_MISC_WATCH_QUEUE_DEV_H
#define _DRIVERS_MISC_WATCH_QUEUE_DEV_H

#include <linux/mutex.h>
#include <linux/wait.h>

#include "watch_queue_ring.h"

struct file;

/**
 * struct watch_queue_file - One open of /dev/watch_queue
 * @wqueue: The watch queue; its lock protects the producer state of @ring.
 * @ring: The ring that the queue posts into.
 * @size_lock: Serialises sizing against mmap and GET_INFO.
 * @waitq: Pollers waiting for records.
 */
struct watch_queue_file {
	struct watch_queue	*wqueue;
	struct watch_ring	ring;
	struct mutex		size_lock;	/* Sizing vs mmap */
	wait_queue_head_t	waitq;
};

long watch_queue_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg);

#endif /* _DRIVERS_MISC_WATCH_QUEUE_DEV_H */
