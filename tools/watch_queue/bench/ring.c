// SPDX-License-Identifier: GPL-2.0
/*
 * Case 4: raw ring throughput.  Records of 32 bytes, 64 to a write() of
 * 2 KiB, each batch taken out again before the next; the same bytes go
 * through each method, in an order that rotates with the repetition:
 *
 *	ring	write() into /dev/watch_queue, then watchq_next() over the
 *		batch, copying each record out of the ring
 *	pipe	write() into a plain pipe, then read() of the batch
 *	memcpy	the batch copied twice, as the kernel's copy and the
 *		consumer's: this machine's bound for moving the bytes
 *	ring-w1	the ring again, but one record per write(): with "ring",
 *		what a write() costs apart from its records
 *
 * The value is CPU nanoseconds per record.  The phases of "ring" and
 * "pipe" are also timed on their own, batch by batch, as ring.write,
 * ring.read, pipe.write and pipe.read (each includes one reading of the
 * clock per batch, timer_floor_ns).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "queue.h"

#define REC_SIZE	32
#define PER_WRITE	64
#define BATCH_BYTES	(REC_SIZE * PER_WRITE)

/**
 * make_batch - Fill a batch with injectable records
 * @buf: BATCH_BYTES bytes.
 */
static void make_batch(unsigned char *buf)
{
	unsigned int i, j;

	for (i = 0; i < PER_WRITE; i++) {
		struct watch_notification *n = (void *)(buf + i * REC_SIZE);

		memset(n, 0, REC_SIZE);
		n->type = WATCH_TYPE_USER_NOTIFY;
		n->subtype = i & 7;
		n->info = REC_SIZE;
		for (j = sizeof(*n); j < REC_SIZE; j++)
			buf[i * REC_SIZE + j] = (unsigned char)(i + j);
	}
}

/* CPU time of the phases of the last run of "ring" or "pipe". */
static uint64_t phase_write, phase_read;

/**
 * run_ring - Methods "ring" and "ring-w1"
 * @q: The ring.
 * @src: The batch.
 * @dst: Where the consumer copies it.
 * @batches: How many batches.
 * @per_write: Records per write(): PER_WRITE, or 1.
 *
 * With @per_write PER_WRITE, also times the phases.
 */
static void run_ring(struct bq *q, const unsigned char *src,
		     unsigned char *dst, unsigned int batches,
		     unsigned int per_write)
{
	const struct watch_notification *n;
	bool phases = per_write == PER_WRITE;
	uint64_t t0 = 0, t1 = 0, t2 = 0;
	unsigned int i, j;
	size_t off;

	phase_write = 0;
	phase_read = 0;
	for (i = 0; i < batches; i++) {
		if (phases)
			t0 = cpu_ns();
		for (j = 0; j < PER_WRITE; j += per_write)
			if (bq_write(q, src + j * REC_SIZE,
				     per_write * REC_SIZE) < 0)
				die("write to the ring");
		if (phases)
			t1 = cpu_ns();
		off = 0;
		while ((n = bq_next(q))) {
			size_t len = bq_rec_len(n);

			memcpy(dst + off, n, len);
			off += len;
		}
		bq_release(q);
		if (phases) {
			t2 = cpu_ns();
			phase_write += t1 - t0;
			phase_read += t2 - t1;
		}
		if (off != BATCH_BYTES)
			die("ring: %zu bytes of %d came back", off, BATCH_BYTES);
	}
}

/**
 * run_pipe - Method "pipe"
 * @fds: A plain pipe.
 * @src: The batch.
 * @dst: Where the reader puts it.
 * @batches: How many batches.
 */
static void run_pipe(const int *fds, const unsigned char *src,
		     unsigned char *dst, unsigned int batches)
{
	uint64_t t0, t1, t2;
	unsigned int i;

	phase_write = 0;
	phase_read = 0;
	for (i = 0; i < batches; i++) {
		t0 = cpu_ns();
		if (write(fds[1], src, BATCH_BYTES) != BATCH_BYTES)
			die("write to the pipe");
		t1 = cpu_ns();
		if (read(fds[0], dst, BATCH_BYTES) != BATCH_BYTES)
			die("read from the pipe");
		t2 = cpu_ns();
		phase_write += t1 - t0;
		phase_read += t2 - t1;
	}
}

/**
 * run_memcpy - Method "memcpy"
 * @src: The batch.
 * @mid: The kernel's copy.
 * @dst: The consumer's.
 * @batches: How many batches.
 */
static void run_memcpy(const unsigned char *src, unsigned char *mid,
		       unsigned char *dst, unsigned int batches)
{
	unsigned int i;

	for (i = 0; i < batches; i++) {
		memcpy(mid, src, BATCH_BYTES);
		__asm__ __volatile__("" : : "r"(mid) : "memory");
		memcpy(dst, mid, BATCH_BYTES);
		__asm__ __volatile__("" : : "r"(dst) : "memory");
	}
}

/**
 * case_ring - Case 4
 */
void case_ring(void)
{
	static const char *const names[] = { "ring", "pipe", "memcpy",
					     "ring-w1" };
	unsigned int reps = reps_or(15), batches = opts.smoke ? 16 : 1024;
	unsigned char src[BATCH_BYTES], mid[BATCH_BYTES], dst[BATCH_BYTES];
	unsigned int r, k;
	uint64_t t0, t1;
	int fds[2];
	struct bq q;
	char x[16], m[24];

	if (opts.zero)
		return;
	make_batch(src);
	if (bq_open_ring(&q, 65536) < 0)
		die("open the ring");
	if (pipe2(fds, O_CLOEXEC) < 0)
		die("pipe");
	snprintf(x, sizeof(x), "%dx%d", PER_WRITE, REC_SIZE);
	for (r = 0; r < reps; r++) {
		for (k = 0; k < 4; k++) {
			unsigned int meth = (k + r) % 4;
			double nr = (double)batches * PER_WRITE;

			t0 = cpu_ns();
			if (meth == 0)
				run_ring(&q, src, dst, batches, PER_WRITE);
			else if (meth == 1)
				run_pipe(fds, src, dst, batches);
			else if (meth == 2)
				run_memcpy(src, mid, dst, batches);
			else
				run_ring(&q, src, dst, batches, 1);
			t1 = cpu_ns();
			if (memcmp(src, dst, BATCH_BYTES))
				die("%s: the bytes changed", names[meth]);
			memset(dst, 0, BATCH_BYTES);
			sample(4, x, names[meth], r, (double)(t1 - t0) / nr);
			if (meth == 0 || meth == 1) {
				snprintf(m, sizeof(m), "%s.write", names[meth]);
				sample(4, x, m, r, phase_write / nr);
				snprintf(m, sizeof(m), "%s.read", names[meth]);
				sample(4, x, m, r, phase_read / nr);
			}
		}
	}
	if (bq_lost(&q))
		die("the ring lost records");
	bq_close(&q);
	close(fds[0]);
	close(fds[1]);
}
