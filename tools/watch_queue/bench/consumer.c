// SPDX-License-Identifier: GPL-2.0
/*
 * Case 3: consumer cost.  One key is watched by a ring and by a
 * notification pipe at once; B updates of the key (untimed) put the same B
 * records in both; then each consumer takes them, in an order that
 * alternates with the repetition:
 *
 *	ring	one poll(), then watchq.h's watchq_next() over the records in
 *		place, then watchq_release()
 *	pipe	one poll(), then read() into a 4 KiB buffer until the B
 *		records are in, each read returning as many whole records as
 *		fit
 *
 * Both read the key's serial number out of every record.  The value is CPU
 * nanoseconds per record; the report turns it into records per second.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>

#include "bench.h"
#include "queue.h"

#define PIPE_BUF_SIZE	4096

/**
 * consume_ring - The ring's consumer
 * @q: The ring.
 * @want: Records to take.
 * @key: The key they must name.
 *
 * Return: The number of records taken that named @key.
 */
static unsigned int consume_ring(struct bq *q, unsigned int want, int32_t key)
{
	const struct watch_notification *n;
	unsigned int got = 0;

	if (bq_poll(q, 0) <= 0)
		return 0;
	while (got < want && (n = bq_next(q))) {
		const struct key_notification *k = (const void *)n;

		if (n->type == WATCH_TYPE_KEY_NOTIFY && k->key_id == (uint32_t)key)
			got++;
	}
	bq_release(q);
	return got;
}

/**
 * consume_pipe - The notification pipe's consumer
 * @q: The pipe.
 * @want: Records to take.
 * @key: The key they must name.
 * @buf: A buffer of PIPE_BUF_SIZE bytes.
 *
 * Return: The number of records taken that named @key.
 */
static unsigned int consume_pipe(struct bq *q, unsigned int want, int32_t key,
				 unsigned char *buf)
{
	unsigned int got = 0, seen = 0;
	size_t off;
	ssize_t len;

	if (bq_poll(q, 0) <= 0)
		return 0;
	while (seen < want) {
		len = read(q->fd, buf, PIPE_BUF_SIZE);
		if (len <= 0)
			break;
		for (off = 0; off + sizeof(struct watch_notification) <= (size_t)len;) {
			const struct watch_notification *n = (const void *)(buf + off);
			const struct key_notification *k = (const void *)n;
			size_t rlen = bq_rec_len(n);

			if (!rlen)
				break;
			if (n->type == WATCH_TYPE_KEY_NOTIFY &&
			    k->key_id == (uint32_t)key)
				got++;
			seen++;
			off += rlen;
		}
	}
	return got;
}

/**
 * case_consumer - Case 3
 */
void case_consumer(void)
{
	static const unsigned int batches[] = { 1, 16, 256 };
	unsigned char *buf;
	unsigned int i, j, r, k, got;
	struct bq ring, pipe;
	int32_t keyring, key;
	uint64_t t0, t1;
	char x[16];

	if (opts.zero)
		return;
	buf = malloc(PIPE_BUF_SIZE);
	if (!buf)
		die("malloc");
	keyring = syscall(__NR_add_key, "keyring", "wqb3", NULL, 0,
			  KEY_SPEC_PROCESS_KEYRING);
	key = syscall(__NR_add_key, "user", "wqb3", "x", 1, keyring);
	if (keyring < 0 || key < 0)
		die("add_key");
	if (bq_open_ring(&ring, 65536) < 0 || bq_open_pipe(&pipe, 512) < 0)
		die("open the queues");
	if (bq_watch_key(&ring, key, 1) < 0 || bq_watch_key(&pipe, key, 2) < 0)
		die("KEYCTL_WATCH_KEY");

	for (i = 0; i < 3; i++) {
		unsigned int b = batches[i];
		unsigned int reps = reps_or(b == 1 ? 41 : b == 16 ? 31 : 21);

		snprintf(x, sizeof(x), "%u", b);
		for (r = 0; r < reps; r++) {
			for (j = 0; j < b; j++)
				if (syscall(__NR_keyctl, KEYCTL_UPDATE, key,
					    "y", 1) < 0)
					die("KEYCTL_UPDATE");
			for (k = 0; k < 2; k++) {
				bool use_pipe = (k + r) % 2;

				t0 = cpu_ns();
				if (use_pipe)
					got = consume_pipe(&pipe, b, key, buf);
				else
					got = consume_ring(&ring, b, key);
				t1 = cpu_ns();
				if (got != b)
					die("%s consumer got %u of %u records",
					    use_pipe ? "pipe" : "ring", got, b);
				sample(3, x, use_pipe ? "pipe" : "ring", r,
				       (double)(t1 - t0) / b);
			}
		}
	}
	if (bq_lost(&ring))
		die("the ring lost records");
	bq_close(&ring);
	bq_close(&pipe);
	syscall(__NR_keyctl, KEYCTL_UNLINK, keyring, KEY_SPEC_PROCESS_KEYRING);
	free(buf);
}
