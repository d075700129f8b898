// SPDX-License-Identifier: GPL-2.0
/*
 * Case 8: resynchronising after a loss.
 *
 * A monitor watches one subtree of a mount namespace of N mounts through a
 * one-page ring, and loses records in a storm.  It rebuilds its view of
 * the subtree as Documentation/userspace-api/mount_notify.rst says: the
 * namespace's change counter C0, listmount() of the subtree and
 * statmount() of each of its mounts (what mountinfo shows, and the parent),
 * the counter C1 ("subtree-resync").  Without counters, a monitor re-reads
 * all of /proc/self/mountinfo and parses every line ("mountinfo"), as
 * findmnt --poll does; or takes a statmount() snapshot of the whole
 * namespace ("full-resync").  Wall time of one resync; the three alternate
 * repetition by repetition.
 *
 * x is "N/S": N mounts in the namespace, S of them in the watched subtree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/mount.h>
#include <linux/stat.h>

#include "bench.h"
#include "queue.h"

#define TOP	"/tmp/wqb8"
#define SRC	TOP "/src"
#define SUB	TOP "/sub"
#define STORM	150	/* Mounts and unmounts in the subtree: a loss */

/* A statmount() buffer with room for the strings of one mount. */
static union {
	struct statmount sm;
	char buf[4096];
} smb;

/* The change counter of the mount @id's namespace; 0 without one. */
static uint64_t ns_change(uint64_t id)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER0,
		.mnt_id = id,
		.param = STATMOUNT_MNT_NS_CHANGE,
	};

	if (syscall(__NR_statmount, &req, &smb.sm, sizeof(smb), 0) < 0 ||
	    !(smb.sm.mask & STATMOUNT_MNT_NS_CHANGE))
		return 0;
	return smb.sm.mnt_ns_change;
}

/*
 * listmount() of the mounts below @root (LSMT_ROOT: all of them) and
 * statmount() of each; returns how many were described.
 */
static size_t snapshot(uint64_t root, uint64_t **ids, size_t *cap)
{
	struct mnt_id_req req = {
		.size = MNT_ID_REQ_SIZE_VER0,
		.mnt_id = root,
	};
	size_t nr = 0, i, got = 0;
	long ret;

	for (;;) {
		if (*cap - nr < 1024) {
			*cap = *cap ? *cap * 2 : 8192;
			*ids = realloc(*ids, *cap * sizeof(**ids));
			if (!*ids)
				die("realloc");
		}
		ret = syscall(__NR_listmount, &req, *ids + nr, *cap - nr, 0);
		if (ret < 0)
			die("listmount");
		nr += ret;
		if ((size_t)ret < *cap - (nr - ret))
			break;
		req.param = (*ids)[nr - 1];
	}
	for (i = 0; i < nr; i++)
		if (!stat_mount((*ids)[i], &smb, sizeof(smb)))
			got++;
	return got;
}

/* Read and split every line of mountinfo; returns the number of lines. */
static size_t read_mountinfo(char **buf, size_t *cap)
{
	size_t len = read_file("/proc/self/mountinfo", buf, cap), n = 0;
	char *p = *buf, *nl, *f;
	unsigned int fields;

	while (p < *buf + len && (nl = memchr(p, '\n', *buf + len - p))) {
		*nl = '\0';
		/* The fields a monitor keeps: IDs, point, options, source. */
		for (fields = 0, f = p; f && fields < 10; fields++) {
			f = strchr(f, ' ');
			if (f)
				*f++ = '\0';
		}
		n++;
		p = nl + 1;
	}
	return n;
}

/* One size, in a child with a namespace of its own. */
static void run(unsigned int total, unsigned int sub, unsigned int reps)
{
	uint64_t *ids = NULL, root, c0, c1;
	size_t cap = 0, icap = 0, n;
	char path[64], x[32], *mi = NULL;
	unsigned int i, have, r;
	struct bq q;
	uint64_t t;

	private_mount_ns();
	mkdir_p(TOP);
	mount_or_die("wqb8", TOP, "tmpfs", 0);
	mkdir_p(SRC);
	mkdir_p(SUB);
	mount_or_die("wqb8sub", SUB, "tmpfs", 0);
	if (bq_open_ring(&q, 4096) < 0)
		die("opening a one-page ring");
	if (bq_watch_mount(&q, SUB, 1) < 0)
		die("watching %s", SUB);
	/* The subtree, then binds elsewhere up to @total. */
	for (i = 0; i < sub; i++) {
		snprintf(path, sizeof(path), SUB "/s%u", i);
		mkdir_p(path);
		mount_or_die(SRC, path, NULL, MS_BIND);
	}
	have = snapshot(LSMT_ROOT, &ids, &icap);
	for (i = 0; have + i < total; i++) {
		snprintf(path, sizeof(path), TOP "/o%u", i);
		mkdir_p(path);
		mount_or_die(SRC, path, NULL, MS_BIND);
	}
	/* A storm in the subtree that the monitor does not read: a loss. */
	snprintf(path, sizeof(path), SUB "/storm");
	mkdir_p(path);
	for (i = 0; i < STORM; i++) {
		mount_or_die(SRC, path, NULL, MS_BIND);
		if (umount(path) < 0)
			die("umount %s", path);
	}
	if (!bq_lost(&q))
		die("case 8: a storm of %u mounts lost no record", STORM);
	{
		struct statx stx;

		if (statx(AT_FDCWD, SUB, 0, STATX_MNT_ID_UNIQUE, &stx) < 0)
			die("statx %s", SUB);
		root = stx.stx_mnt_id;
	}
	snprintf(x, sizeof(x), "%u/%u", total, sub);
	for (r = 0; r < reps; r++) {
		t = wall_ns();
		c0 = ns_change(root);
		n = snapshot(root, &ids, &icap);
		c1 = ns_change(root);
		t = wall_ns() - t;
		if (!c0 || c1 < c0 || n != sub)
			skipped(8, x, "subtree-resync",
				"no change counter, or the subtree changed");
		else
			sample(8, x, "subtree-resync", r, t);

		t = wall_ns();
		n = read_mountinfo(&mi, &cap);
		t = wall_ns() - t;
		if (n < total)
			die("mountinfo has %zu lines, not %u", n, total);
		sample(8, x, "mountinfo", r, t);

		t = wall_ns();
		n = snapshot(LSMT_ROOT, &ids, &icap);
		t = wall_ns() - t;
		sample(8, x, "full-resync", r, t);
	}
	bq_close(&q);
	free(ids);
	free(mi);
}

/**
 * case_resync - Case 8
 */
void case_resync(void)
{
	static const unsigned int subs[] = { 10, 100 };
	unsigned int i, total = opts.smoke ? 40 : 1000;
	int pid;

	if (opts.zero)
		return;
	for (i = 0; i < (opts.smoke ? 1 : 2); i++) {
		unsigned int sub = opts.smoke ? 10 : subs[i];

		note("case 8: %u mounts, a subtree of %u", total, sub);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			run(total, sub, reps_or(15));
			exit(0);
		}
		if (wait_child(pid))
			die("case 8 at %u/%u mounts failed", total, sub);
	}
}
