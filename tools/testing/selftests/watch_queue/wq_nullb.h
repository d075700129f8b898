/* SPDX-License-Identifier: GPL-2.0 */
/*
 * null_blk disks made in configfs, with a range of bad sectors, for the
 * selftests that need a block device that fails for real
 * (block_notify_test, fuzz_test).
 */
#ifndef _WQ_NULLB_H
#define _WQ_NULLB_H

#include "wq_selftest.h"

#ifndef BLKGETDISKSEQ
#define BLKGETDISKSEQ	_IOR(0x12, 128, __u64)
#endif

#define CONFIGFS	"/sys/kernel/config"
#define NULLB		CONFIGFS "/nullb"

/* A null_blk disk made in configfs. */
struct nullb {
	char name[32];
	char dir[128];
	char node[64];
	dev_t rdev;
	__u64 diskseq;
};

static inline int nullb_attr(const struct nullb *nb, const char *attr,
			     const char *val)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", nb->dir, attr);
	return wq_write_file(path, val);
}

/*
 * Make and power on a 16 MiB null_blk disk completing in @irqmode, with
 * sectors BAD_FIRST to BAD_LAST bad; 0, or -1 with errno set.
 */
static inline int nullb_create(struct nullb *nb, const char *tag,
			       int irqmode, const char *completion_nsec)
{
	char val[16];
	struct stat st;
	int fd;

	memset(nb, 0, sizeof(*nb));
	if (access(NULLB, F_OK) &&
	    mount("none", CONFIGFS, "configfs", 0, NULL) && errno != EBUSY)
		return -1;
	snprintf(nb->name, sizeof(nb->name), "wqb%s%d", tag, getpid());
	snprintf(nb->dir, sizeof(nb->dir), NULLB "/%s", nb->name);
	snprintf(nb->node, sizeof(nb->node), "/dev/%s", nb->name);
	if (mkdir(nb->dir, 0755))
		return -1;
	snprintf(val, sizeof(val), "%d", irqmode);
	if (nullb_attr(nb, "size", "16") || nullb_attr(nb, "blocksize", "512") ||
	    nullb_attr(nb, "irqmode", val) ||
	    nullb_attr(nb, "hw_queue_depth", "256") ||
	    (completion_nsec &&
	     nullb_attr(nb, "completion_nsec", completion_nsec)) ||
	    nullb_attr(nb, "power", "1") ||
	    nullb_attr(nb, "badblocks", "+1024-2047"))
		return -1;
	if (stat(nb->node, &st) || !S_ISBLK(st.st_mode))
		return -1;
	nb->rdev = st.st_rdev;
	fd = open(nb->node, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(fd, BLKGETDISKSEQ, &nb->diskseq)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Power the disk off (del_gendisk()); 0 or -1. */
static inline int nullb_power_off(struct nullb *nb)
{
	return nullb_attr(nb, "power", "0");
}

static inline void nullb_destroy(struct nullb *nb)
{
	if (!nb->dir[0])
		return;
	nullb_power_off(nb);
	rmdir(nb->dir);
	nb->dir[0] = '\0';
}

#endif /* _WQ_NULLB_H */
