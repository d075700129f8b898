// SPDX-License-Identifier: GPL-2.0
/*
 * Key notifications through /dev/watch_queue and notification pipes: every
 * key subtype with its fields, removal notices, removing watches, one event
 * seen by two queues, the accounting of watches, and closing a queue while
 * its watched keys change or die (the shape of CVE-2022-1882).
 *
 * The construction tests need request-key, built from request-key.c and
 * installed next to this program: they make /sbin/request-key a symlink to
 * it while they run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/keyctl.h>
#include <linux/watch_queue.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"

#define HELPER		"/sbin/request-key"

/* The name of a key subtype, for the log. */
static const char *key_subtype_name(unsigned int subtype)
{
	const char *name = watchq_subtype_name(WATCH_TYPE_KEY_NOTIFY, subtype);

	return name ? name : "?";
}

/*
 * Read the next record, waiting up to @timeout_ms; 1 if it is the key
 * notification given, else 0 with what was read described in @got.
 */
static int next_key_rec(struct wq_queue *q, unsigned int subtype, int key,
			unsigned int aux, unsigned int id, int timeout_ms,
			char *got, size_t size)
{
	unsigned char buf[128];
	const struct key_notification *k = (const void *)buf;
	ssize_t len = wq_queue_next(q, buf, sizeof(buf), timeout_ms);

	wq_describe(buf, len, got, size);
	return len == sizeof(*k) &&
	       (k->watch.info & WATCH_INFO_LENGTH) == sizeof(*k) &&
	       wq_type(&k->watch) == WATCH_TYPE_KEY_NOTIFY &&
	       wq_subtype(&k->watch) == subtype &&
	       watchq_rec_id(&k->watch) == id &&
	       !(k->watch.info & WATCH_INFO_TYPE_INFO) &&
	       k->key_id == (unsigned int)key && k->aux == aux;
}

/* Likewise for the removal notice of the watch @id on @key. */
static int next_removal(struct wq_queue *q, int key, unsigned int id,
			int timeout_ms, char *got, size_t size)
{
	unsigned char buf[128];
	const struct watch_notification_removal *r = (const void *)buf;
	ssize_t len = wq_queue_next(q, buf, sizeof(buf), timeout_ms);

	wq_describe(buf, len, got, size);
	return len == sizeof(*r) &&
	       (r->watch.info & WATCH_INFO_LENGTH) == sizeof(*r) &&
	       wq_type(&r->watch) == WATCH_TYPE_META &&
	       wq_subtype(&r->watch) == WATCH_META_REMOVAL_NOTIFICATION &&
	       watchq_rec_id(&r->watch) == id && r->id == (unsigned int)key;
}

/* The next record must be this key notification, already posted. */
#define ASSERT_KEY_REC(q, st, key, aux, id) do {			\
	unsigned int _st = (st), _aux = (aux), _id = (id);		\
	int _key = (key), _ok;						\
	char _got[160];							\
									\
	_ok = next_key_rec(q, _st, _key, _aux, _id, 0, _got,		\
			   sizeof(_got));				\
	ASSERT_TRUE(_ok)						\
		TH_LOG("want %s key %d aux %#x id %u; got %s",		\
		       key_subtype_name(_st), _key, _aux, _id, _got);	\
} while (0)

/* The next record must be the removal notice, within WAIT_MS. */
#define ASSERT_REMOVAL(q, key, id) do {					\
	unsigned int _id = (id);					\
	int _key = (key), _ok;						\
	char _got[160];							\
									\
	_ok = next_removal(q, _key, _id, WAIT_MS, _got, sizeof(_got));	\
	ASSERT_TRUE(_ok)						\
		TH_LOG("want removal of key %d id %u; got %s",		\
		       _key, _id, _got);				\
} while (0)

/* There must be no record now. */
#define ASSERT_NO_REC(q) do {						\
	unsigned char _buf[128];					\
	char _got[160];							\
	ssize_t _len = wq_queue_next(q, _buf, sizeof(_buf), 0);		\
	wq_describe(_buf, _len, _got, sizeof(_got));			\
	ASSERT_EQ(0, _len) TH_LOG("unexpected %s", _got);		\
} while (0)

static int add_user_key(const char *desc, const char *payload, int ring)
{
	return wq_add_key("user", desc, payload, strlen(payload), ring);
}

static int add_keyring(const char *desc, int ring)
{
	return wq_add_key("keyring", desc, NULL, 0, ring);
}

/* Read a key's payload as a string; the length, or -1 with errno set. */
static long read_key(int key, char *buf, size_t size)
{
	long len = wq_keyctl(KEYCTL_READ, key, (unsigned long)buf,
			     size - 1, 0);

	if (len >= 0)
		buf[len < (long)size ? len : (long)size - 1] = '\0';
	return len;
}

/* Is @key in /proc/keys, that is not yet destroyed?  -1 on error. */
static int key_exists(int key)
{
	char line[256], *end;
	unsigned long serial;
	int found = 0;
	FILE *f;

	f = fopen("/proc/keys", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		serial = strtoul(line, &end, 16);
		if (end != line && serial == (unsigned int)key)
			found = 1;
	}
	fclose(f);
	return found;
}

/* Wait up to WAIT_MS for a key to be destroyed; 0 when it is. */
static int wait_key_gone(int key)
{
	long long end = wq_now_ms() + WAIT_MS;

	while (key_exists(key)) {
		if (wq_now_ms() > end)
			return -1;
		wq_sleep_ms(10);
	}
	return 0;
}

/* The request-key helper, as a test set it up. */
struct helper {
	char go[64];		/* a go-file to remove at teardown */
	int installed;		/* we made HELPER */
};

/* Undo what a test did to run the helper. */
static void uninstall_helper(struct helper *h)
{
	if (h->go[0])
		unlink(h->go);
	h->go[0] = '\0';
	if (h->installed)
		unlink(HELPER);
	h->installed = 0;
}

FIXTURE(keys) {
	struct wq_queue q;
	struct helper helper;
};

FIXTURE_VARIANT(keys) {
	int use_pipe;
};

FIXTURE_VARIANT_ADD(keys, device) {
	.use_pipe = 0,
};

FIXTURE_VARIANT_ADD(keys, pipe) {
	.use_pipe = 1,
};

FIXTURE_SETUP(keys)
{
	ASSERT_EQ(0, wq_queue_open(&self->q, variant->use_pipe));
	/* A session keyring of this test's own. */
	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
}

FIXTURE_TEARDOWN(keys)
{
	wq_queue_close(&self->q);
	uninstall_helper(&self->helper);
}

/* Updating a key, by keyctl() or by add_key() of the same description. */
TEST_F(keys, updated)
{
	struct wq_queue *q = &self->q;
	char buf[64];
	int key;

	key = add_user_key("upd", "one", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, wq_watch_key(key, q->fd, 0x11));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)"two", 3,
			       0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_UPDATED, key, 0, 0x11);
	ASSERT_EQ(key, add_user_key("upd", "three", KEY_SPEC_SESSION_KEYRING));
	ASSERT_KEY_REC(q, NOTIFY_KEY_UPDATED, key, 0, 0x11);
	ASSERT_NO_REC(q);
	ASSERT_EQ(5, read_key(key, buf, sizeof(buf)));
	EXPECT_STREQ("three", buf);
}

/* Links and unlinks in a watched keyring: by link, add_key() and move. */
TEST_F(keys, linked_and_unlinked)
{
	struct wq_queue *q = &self->q;
	int ring, k1, k2;

	ring = add_keyring("ring", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);
	/* The session keyring keeps k1 alive while it is out of ring. */
	k1 = add_user_key("k1", "a", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, k1);
	ASSERT_EQ(0, wq_watch_key(ring, q->fd, 0x22));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_LINK, k1, ring, 0, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_LINKED, ring, k1, 0x22);
	k2 = add_user_key("k2", "b", ring);
	ASSERT_LT(0, k2);
	ASSERT_KEY_REC(q, NOTIFY_KEY_LINKED, ring, k2, 0x22);
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UNLINK, k1, ring, 0, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_UNLINKED, ring, k1, 0x22);
	ASSERT_EQ(0, wq_keyctl(KEYCTL_MOVE, k2, ring,
			       KEY_SPEC_SESSION_KEYRING, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_UNLINKED, ring, k2, 0x22);
	ASSERT_EQ(0, wq_keyctl(KEYCTL_MOVE, k2, KEY_SPEC_SESSION_KEYRING,
			       ring, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_LINKED, ring, k2, 0x22);
	ASSERT_NO_REC(q);
	EXPECT_EQ(1, key_exists(k1));
	EXPECT_EQ(1, key_exists(k2));
}

/* Clearing a keyring is one record, not one per key. */
TEST_F(keys, cleared)
{
	struct wq_queue *q = &self->q;
	int ring;

	ring = add_keyring("ring", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);
	ASSERT_LT(0, add_user_key("k1", "a", ring));
	ASSERT_LT(0, add_user_key("k2", "b", ring));
	ASSERT_EQ(0, wq_watch_key(ring, q->fd, 0x33));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_CLEAR, ring, 0, 0, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_CLEARED, ring, 0, 0x33);
	ASSERT_NO_REC(q);
	EXPECT_EQ(0, wq_keyctl(KEYCTL_READ, ring, 0, 0, 0));
}

TEST_F(keys, revoked)
{
	struct wq_queue *q = &self->q;
	char buf[16];
	int key;

	key = add_user_key("rev", "x", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, wq_watch_key(key, q->fd, 0x44));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_REVOKE, key, 0, 0, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_REVOKED, key, 0, 0x44);
	ASSERT_NO_REC(q);
	EXPECT_EQ(-1, read_key(key, buf, sizeof(buf)));
	EXPECT_EQ(EKEYREVOKED, errno);
}

/*
 * Invalidating a key posts INVALIDATED, then the garbage collector destroys
 * it and the watch posts its removal notice: the key serial as the object,
 * the watch's ID.  The watch is gone with the key.
 */
TEST_F(keys, invalidated_then_removed)
{
	struct wq_queue *q = &self->q;
	int key;

	key = add_user_key("inval", "x", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, wq_watch_key(key, q->fd, 0x55));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_INVALIDATE, key, 0, 0, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_INVALIDATED, key, 0, 0x55);
	ASSERT_REMOVAL(q, key, 0x55);
	ASSERT_NO_REC(q);
	/* The removal notice comes after the key left the key tree. */
	EXPECT_EQ(0, key_exists(key));
	EXPECT_EQ(-1, wq_watch_key(key, q->fd, -1));
	EXPECT_EQ(ENOKEY, errno);
}

/* Unlinking the last link of a watched key destroys it: removal notice. */
TEST_F(keys, removed_by_last_unlink)
{
	struct wq_queue *q = &self->q;
	int ring, key;

	ring = add_keyring("ring", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);
	key = add_user_key("doomed", "x", ring);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, wq_watch_key(key, q->fd, 0x77));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_UNLINK, key, ring, 0, 0));
	ASSERT_REMOVAL(q, key, 0x77);
	ASSERT_NO_REC(q);
	EXPECT_EQ(0, key_exists(key));
}

/* Permissions, ownership, timeout and keyring restriction. */
TEST_F(keys, setattr)
{
	/* All rights for the possessor and the owner (keyutils' *_ALL). */
	const unsigned int perm = 0x3f3f0000;
	struct wq_queue *q = &self->q;
	unsigned int uid, gid, got_perm;
	int key, ring, n;
	char buf[128];

	key = add_user_key("attr", "x", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	ring = add_keyring("attr-ring", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);
	ASSERT_EQ(0, wq_watch_key(key, q->fd, 0x66));
	ASSERT_EQ(0, wq_watch_key(ring, q->fd, 0x67));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_SETPERM, key, perm, 0, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_SETATTR, key, 0, 0x66);
	ASSERT_EQ(0, wq_keyctl(KEYCTL_CHOWN, key, (uid_t)-1, 4321, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_SETATTR, key, 0, 0x66);
	ASSERT_EQ(0, wq_keyctl(KEYCTL_SET_TIMEOUT, key, 3600, 0, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_SETATTR, key, 0, 0x66);
	ASSERT_EQ(0, wq_keyctl(KEYCTL_RESTRICT_KEYRING, ring, 0, 0, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_SETATTR, ring, 0, 0x67);
	/* The restriction holds, and a refused link posts nothing. */
	EXPECT_EQ(-1, wq_keyctl(KEYCTL_LINK, key, ring, 0, 0));
	EXPECT_EQ(EPERM, errno);
	ASSERT_NO_REC(q);

	memset(buf, 0, sizeof(buf));
	ASSERT_LT(0, wq_keyctl(KEYCTL_DESCRIBE, key, (unsigned long)buf,
			       sizeof(buf) - 1, 0));
	n = sscanf(buf, "user;%u;%u;%x;", &uid, &gid, &got_perm);
	ASSERT_EQ(3, n) TH_LOG("description '%s'", buf);
	EXPECT_EQ(4321U, gid);
	EXPECT_EQ(perm, got_perm);
}

/*
 * KEYCTL_WATCH_KEY with watch_id -1 removes the queue's watch on the key,
 * with a removal notice; EBADSLT when there is none (as in mainline).  A
 * queue has one watch per key, whatever its ID: EBUSY.
 */
TEST_F(keys, remove_watch)
{
	struct wq_queue *q = &self->q;
	int key, other;

	key = add_user_key("rw", "x", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	other = add_user_key("other", "y", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, other);

	/* Never watched. */
	EXPECT_EQ(-1, wq_watch_key(other, q->fd, -1));
	EXPECT_EQ(EBADSLT, errno);

	ASSERT_EQ(0, wq_watch_key(key, q->fd, 0x10));
	EXPECT_EQ(-1, wq_watch_key(key, q->fd, 0x10));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, wq_watch_key(key, q->fd, 0x20));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, wq_watch_key(key, q->fd, 256));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, wq_watch_key(key, q->fd, -2));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, wq_watch_key(key, q->fd, -1));
	ASSERT_REMOVAL(q, key, 0x10);
	ASSERT_NO_REC(q);
	/* The key lives on, unwatched. */
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)"z", 1, 0));
	ASSERT_NO_REC(q);
	/* No watch left: the key's watch list exists but is empty. */
	EXPECT_EQ(-1, wq_watch_key(key, q->fd, -1));
	EXPECT_EQ(EBADSLT, errno);

	/* And it can be watched again. */
	ASSERT_EQ(0, wq_watch_key(key, q->fd, 0x20));
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)"w", 1, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_UPDATED, key, 0, 0x20);
	ASSERT_NO_REC(q);
}

/* Retry a watch refused for the user's watch count; 0 or -1 with errno. */
static int watch_when_allowed(int key, int fd, int id)
{
	long long end = wq_now_ms() + WAIT_MS;

	while (wq_watch_key(key, fd, id)) {
		if (errno != EAGAIN || wq_now_ms() > end)
			return -1;
		wq_sleep_ms(10);
	}
	return 0;
}

/*
 * A user's watches count against /proc/sys/user/max_watch_queue_watches of
 * its user namespace.  That makes it visible when watches are freed: a
 * removal notice frees the watch of the dead key, closing the queue frees
 * all of its watches.  The test runs as a user of its own, in a user
 * namespace of its own whose limit it sets, so that no other watches count
 * and no other test sees the limit.
 */
#define WATCH_LIMIT	16
#define WATCH_SYSCTL	"/proc/sys/user/max_watch_queue_watches"

TEST_F(keys, watches_are_freed)
{
	const int limit = WATCH_LIMIT;
	uid_t uid = 47000 + variant->use_pipe;
	struct wq_queue *q = &self->q;
	int k[WATCH_LIMIT + 2];
	char desc[16], map[32];
	int i;

	ASSERT_EQ(0, setgid(uid));
	ASSERT_EQ(0, setuid(uid));
	ASSERT_EQ(0, prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	ASSERT_EQ(0, unshare(CLONE_NEWUSER));
	snprintf(map, sizeof(map), "0 %d 1", (int)uid);
	ASSERT_EQ(0, wq_write_file("/proc/self/uid_map", map));
	ASSERT_EQ(0, wq_write_file("/proc/self/setgroups", "deny"));
	ASSERT_EQ(0, wq_write_file("/proc/self/gid_map", map));
	snprintf(desc, sizeof(desc), "%d", limit);
	ASSERT_EQ(0, wq_write_file(WATCH_SYSCTL, desc))
		TH_LOG("%s: %s", WATCH_SYSCTL, strerror(errno));
	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	for (i = 0; i < limit + 2; i++) {
		snprintf(desc, sizeof(desc), "w%d", i);
		k[i] = add_user_key(desc, "x", KEY_SPEC_SESSION_KEYRING);
		ASSERT_LT(0, k[i]);
	}

	for (i = 0; i < limit; i++)
		ASSERT_EQ(0, wq_watch_key(k[i], q->fd, i))
			TH_LOG("watch %d: %s", i, strerror(errno));
	ASSERT_EQ(-1, wq_watch_key(k[limit], q->fd, limit));
	ASSERT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, wq_keyctl(KEYCTL_INVALIDATE, k[0], 0, 0, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_INVALIDATED, k[0], 0, 0);
	ASSERT_REMOVAL(q, k[0], 0);
	ASSERT_EQ(0, watch_when_allowed(k[limit], q->fd, limit))
		TH_LOG("the removed watch was not freed: %s", strerror(errno));

	ASSERT_EQ(0, wq_queue_close(q));
	ASSERT_EQ(0, wq_queue_open(q, variant->use_pipe));
	for (i = 1; i <= limit; i++)
		ASSERT_EQ(0, watch_when_allowed(k[i], q->fd, i))
			TH_LOG("closed queue's watches not freed? watch %d: %s",
			       i, strerror(errno));
	/* Exactly all of them were freed. */
	EXPECT_EQ(-1, wq_watch_key(k[limit + 1], q->fd, 0x99));
	EXPECT_EQ(EAGAIN, errno);
}

/* One event, two queues watching the same keyring: a device and a pipe. */
TEST(two_queues_one_keyring)
{
	struct wq_queue dev, pipe;
	int ring, key;

	ASSERT_LT(0, wq_keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0));
	ASSERT_EQ(0, wq_queue_open(&dev, 0));
	ASSERT_EQ(0, wq_queue_open(&pipe, 1));
	ring = add_keyring("shared", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, ring);
	key = add_user_key("k", "x", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	ASSERT_EQ(0, wq_watch_key(ring, dev.fd, 1));
	ASSERT_EQ(0, wq_watch_key(ring, pipe.fd, 2));

	ASSERT_EQ(0, wq_keyctl(KEYCTL_LINK, key, ring, 0, 0));
	ASSERT_KEY_REC(&dev, NOTIFY_KEY_LINKED, ring, key, 1);
	ASSERT_KEY_REC(&pipe, NOTIFY_KEY_LINKED, ring, key, 2);
	ASSERT_NO_REC(&dev);
	ASSERT_NO_REC(&pipe);

	/* Removing one queue's watch leaves the other's. */
	ASSERT_EQ(0, wq_watch_key(ring, pipe.fd, -1));
	ASSERT_REMOVAL(&pipe, ring, 2);
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UNLINK, key, ring, 0, 0));
	ASSERT_KEY_REC(&dev, NOTIFY_KEY_UNLINKED, ring, key, 1);
	ASSERT_NO_REC(&dev);
	ASSERT_NO_REC(&pipe);
	EXPECT_EQ(0, wq_queue_close(&dev));
	EXPECT_EQ(0, wq_queue_close(&pipe));
}

#define CHURN_KEYS	4
#define CHURN_ITERS	1000

struct churn {
	int ring;
	int keys[CHURN_KEYS];
	int done;		/* iterations completed */
	int finished;		/* the thread is done */
	const char *failed;	/* the call that failed, if one did */
	int err;
};

/* Update, link and unlink the keys in turn. */
static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	char payload[16];
	int key;
	int i, len;

	for (i = 0; i < CHURN_ITERS; i++) {
		key = c->keys[i % CHURN_KEYS];
		len = snprintf(payload, sizeof(payload), "v%d", i);
		if (wq_keyctl(KEYCTL_UPDATE, key, (unsigned long)payload, len,
			      0)) {
			c->failed = "update";
			break;
		}
		if (wq_keyctl(KEYCTL_LINK, key, c->ring, 0, 0)) {
			c->failed = "link";
			break;
		}
		if (wq_keyctl(KEYCTL_UNLINK, key, c->ring, 0, 0)) {
			c->failed = "unlink";
			break;
		}
		__atomic_store_n(&c->done, i + 1, __ATOMIC_RELEASE);
	}
	if (c->failed)
		c->err = errno;
	__atomic_store_n(&c->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Could the churn have caused this record? */
static int churn_record(const struct churn *c, const void *buf, ssize_t len)
{
	const struct key_notification *k = buf;
	unsigned int st;
	int i;

	if (len < (ssize_t)sizeof(k->watch))
		return 0;
	st = wq_subtype(&k->watch);
	if (wq_type(&k->watch) == WATCH_TYPE_META)
		return st == WATCH_META_LOSS_NOTIFICATION;
	if (len != sizeof(*k) || wq_type(&k->watch) != WATCH_TYPE_KEY_NOTIFY)
		return 0;
	if (k->key_id == (unsigned int)c->ring) {
		if (watchq_rec_id(&k->watch) != 1 ||
		    (st != NOTIFY_KEY_LINKED && st != NOTIFY_KEY_UNLINKED))
			return 0;
		for (i = 0; i < CHURN_KEYS; i++)
			if (k->aux == (unsigned int)c->keys[i])
				return 1;
		return 0;
	}
	for (i = 0; i < CHURN_KEYS; i++)
		if (k->key_id == (unsigned int)c->keys[i])
			return st == NOTIFY_KEY_UPDATED &&
			       watchq_rec_id(&k->watch) == 2U + i && !k->aux;
	return 0;
}

/*
 * Close a queue while another thread keeps changing the keys it watches:
 * the thread sees no error, the keys live on with their last payloads, and
 * the keys can be watched again afterwards.
 */
TEST_F(keys, close_while_keys_change)
{
	struct wq_queue *q = &self->q;
	struct churn c = { 0 };
	unsigned char buf[128];
	char desc[32], bad[160] = "";
	int i, good = 0, nr_bad = 0;
	long long end;
	pthread_t t;
	ssize_t len;

	c.ring = add_keyring("churn", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, c.ring);
	ASSERT_EQ(0, wq_watch_key(c.ring, q->fd, 1));
	for (i = 0; i < CHURN_KEYS; i++) {
		snprintf(desc, sizeof(desc), "churn%d", i);
		c.keys[i] = add_user_key(desc, "v", KEY_SPEC_SESSION_KEYRING);
		ASSERT_LT(0, c.keys[i]);
		ASSERT_EQ(0, wq_watch_key(c.keys[i], q->fd, 2 + i));
	}

	ASSERT_EQ(0, pthread_create(&t, NULL, churn_thread, &c));
	/* Read what comes until the thread is well under way, then close. */
	end = wq_now_ms() + 2 * WAIT_MS;
	while (!__atomic_load_n(&c.finished, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&c.done, __ATOMIC_ACQUIRE) < CHURN_ITERS / 4 &&
	       wq_now_ms() < end) {
		len = wq_queue_next(q, buf, sizeof(buf), 10);
		if (!len)
			continue;
		if (len > 0 && churn_record(&c, buf, len))
			good++;
		else if (!nr_bad++)
			wq_describe(buf, len, bad, sizeof(bad));
	}
	/* What is queued now, however little time the loop above had. */
	for (i = 0; i < 1000; i++) {
		len = wq_queue_next(q, buf, sizeof(buf), 0);
		if (!len)
			break;
		if (len > 0 && churn_record(&c, buf, len))
			good++;
		else if (!nr_bad++)
			wq_describe(buf, len, bad, sizeof(bad));
	}
	EXPECT_EQ(0, wq_queue_close(q));
	pthread_join(t, NULL);

	EXPECT_EQ(0, nr_bad) TH_LOG("first unexpected record: %s", bad);
	EXPECT_LT(0, good);
	EXPECT_EQ(NULL, c.failed)
		TH_LOG("%s failed after %d iterations: %s", c.failed, c.done,
		       strerror(c.err));
	EXPECT_EQ(CHURN_ITERS, c.done);

	for (i = 0; i < CHURN_KEYS; i++) {
		char want[16], got[16];

		snprintf(want, sizeof(want), "v%d",
			 CHURN_ITERS - CHURN_KEYS + i);
		ASSERT_LT(0, read_key(c.keys[i], got, sizeof(got)))
			TH_LOG("key %d: %s", i, strerror(errno));
		EXPECT_STREQ(want, got);
	}
	EXPECT_EQ(0, wq_keyctl(KEYCTL_READ, c.ring, 0, 0, 0));

	ASSERT_EQ(0, wq_queue_open(q, variant->use_pipe));
	ASSERT_EQ(0, wq_watch_key(c.keys[0], q->fd, 9));
	ASSERT_EQ(0, wq_keyctl(KEYCTL_UPDATE, c.keys[0],
			       (unsigned long)"again", 5, 0));
	ASSERT_KEY_REC(q, NOTIFY_KEY_UPDATED, c.keys[0], 0, 9);
	ASSERT_NO_REC(q);
}

#define RACE_ROUNDS	200

enum { KILL_INVALIDATE, KILL_UNLINK };

struct race {
	pthread_barrier_t start, end;
	struct wq_queue *q;
	int ring, key;
	int kill;
	int stop;
	long kill_ret;
	int kill_err;
	int close_ret;
};

static long kill_key(const struct race *r)
{
	if (r->kill == KILL_INVALIDATE)
		return wq_keyctl(KEYCTL_INVALIDATE, r->key, 0, 0, 0);
	return wq_keyctl(KEYCTL_UNLINK, r->key, r->ring, 0, 0);
}

static void *race_killer(void *arg)
{
	struct race *r = arg;

	for (;;) {
		pthread_barrier_wait(&r->start);
		if (r->stop)
			return NULL;
		r->kill_ret = kill_key(r);
		r->kill_err = r->kill_ret ? errno : 0;
		pthread_barrier_wait(&r->end);
	}
}

static void *race_closer(void *arg)
{
	struct race *r = arg;

	for (;;) {
		pthread_barrier_wait(&r->start);
		if (r->stop)
			return NULL;
		r->close_ret = wq_queue_close(r->q);
		pthread_barrier_wait(&r->end);
	}
}

/*
 * The shape of CVE-2022-1882: a watched key dies (invalidated, or unlinked
 * from its only keyring) while its queue is closed.  The queue also watches
 * the keyring, so that unlinking posts to the queue being closed.  Rounds
 * alternate between both at once, the queue first, and the key first with
 * its removal notice read before the close.  In the end every key has been
 * destroyed.
 */
TEST_F_TIMEOUT(keys, cve_2022_1882_close_vs_key_death, 240)
{
	struct race r = { 0 };
	struct wq_queue *q = &self->q;
	int keys[RACE_ROUNDS];
	pthread_t killer, closer;
	char desc[32];
	int i;

	wq_queue_close(q);
	r.q = q;
	r.ring = add_keyring("race", KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, r.ring);
	ASSERT_EQ(0, pthread_barrier_init(&r.start, NULL, 3));
	ASSERT_EQ(0, pthread_barrier_init(&r.end, NULL, 3));
	ASSERT_EQ(0, pthread_create(&killer, NULL, race_killer, &r));
	ASSERT_EQ(0, pthread_create(&closer, NULL, race_closer, &r));

	for (i = 0; i < RACE_ROUNDS; i++) {
		snprintf(desc, sizeof(desc), "race%d", i);
		/* The keyring holds the key's only link. */
		keys[i] = add_user_key(desc, "x", r.ring);
		ASSERT_LT(0, keys[i]);
		ASSERT_EQ(0, wq_queue_open(q, variant->use_pipe));
		ASSERT_EQ(0, wq_watch_key(keys[i], q->fd, 1));
		ASSERT_EQ(0, wq_watch_key(r.ring, q->fd, 2));
		r.key = keys[i];
		r.kill = (i % 4 == 1 || i % 4 == 2) ? KILL_UNLINK :
						      KILL_INVALIDATE;

		switch (i % 4) {
		case 0:
		case 1:
			pthread_barrier_wait(&r.start);
			pthread_barrier_wait(&r.end);
			ASSERT_EQ(0, r.kill_ret)
				TH_LOG("round %d: %s", i, strerror(r.kill_err));
			ASSERT_EQ(0, r.close_ret)
				TH_LOG("round %d: %s", i, strerror(-r.close_ret));
			break;
		case 2:
			ASSERT_EQ(0, wq_queue_close(q));
			ASSERT_EQ(0, kill_key(&r))
				TH_LOG("round %d: %s", i, strerror(errno));
			break;
		case 3:
			ASSERT_EQ(0, kill_key(&r))
				TH_LOG("round %d: %s", i, strerror(errno));
			ASSERT_KEY_REC(q, NOTIFY_KEY_INVALIDATED, r.key, 0, 1);
			ASSERT_REMOVAL(q, r.key, 1);
			ASSERT_EQ(0, wq_queue_close(q));
			break;
		}
	}
	r.stop = 1;
	pthread_barrier_wait(&r.start);
	pthread_join(killer, NULL);
	pthread_join(closer, NULL);

	for (i = 0; i < RACE_ROUNDS && !wait_key_gone(keys[i]); i++)
		;
	EXPECT_EQ(RACE_ROUNDS, i)
		TH_LOG("key %d of round %d was not destroyed",
		       keys[i % RACE_ROUNDS], i);
	EXPECT_EQ(0, wq_keyctl(KEYCTL_READ, r.ring, 0, 0, 0));
	pthread_barrier_destroy(&r.start);
	pthread_barrier_destroy(&r.end);
}

/* Are two files the same program? */
static int same_file(const char *a, const char *b)
{
	char ba[4096], bb[4096];
	struct stat sa, sb;
	int fa, fb, same = 0;
	ssize_t na, nb;

	if (stat(a, &sa) || stat(b, &sb))
		return 0;
	if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		return 1;
	if (sa.st_size != sb.st_size)
		return 0;
	fa = open(a, O_RDONLY | O_CLOEXEC);
	fb = open(b, O_RDONLY | O_CLOEXEC);
	if (fa >= 0 && fb >= 0) {
		do {
			na = read(fa, ba, sizeof(ba));
			nb = read(fb, bb, sizeof(bb));
			same = na == nb && na >= 0 && !memcmp(ba, bb, na);
		} while (same && na > 0);
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

/*
 * Make HELPER the request-key installed next to this program, unless it is
 * already.  0, or -1 with the reason in @why.
 */
static int install_helper(struct helper *h, char *why, size_t size)
{
	char exe[PATH_MAX], helper[PATH_MAX + 16];
	struct stat st;
	ssize_t len;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len < 0) {
		snprintf(why, size, "/proc/self/exe: %s", strerror(errno));
		return -1;
	}
	exe[len] = '\0';
	snprintf(helper, sizeof(helper), "%s/request-key", dirname(exe));
	if (stat(helper, &st)) {
		snprintf(why, size, "%.200s: %s", helper, strerror(errno));
		return -1;
	}
	if (!lstat(HELPER, &st)) {
		if (same_file(helper, HELPER))
			return 0;
		snprintf(why, size, "%s is another program", HELPER);
		return -1;
	}
	if (symlink(helper, HELPER)) {
		snprintf(why, size, "cannot install %s: %s", HELPER,
			 strerror(errno));
		return -1;
	}
	h->installed = 1;
	return 0;
}

struct request {
	char desc[64];
	char callout[128];
	long ret;
	int err;
	int done;
};

static void *request_thread(void *arg)
{
	struct request *r = arg;

	r->ret = wq_request_key("user", r->desc, r->callout,
				KEY_SPEC_SESSION_KEYRING);
	r->err = r->ret < 0 ? errno : 0;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

struct watcher {
	int key;
	int fd, id;
	long ret;
	int err;
	int done;
};

static void *watch_thread(void *arg)
{
	struct watcher *w = arg;

	w->ret = wq_watch_key(w->key, w->fd, w->id);
	w->err = w->ret < 0 ? errno : 0;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* The user key described @desc in the session keyring, or 0. */
static int find_key(const char *desc)
{
	int ids[256];
	char buf[256], *p;
	long n, i;

	n = wq_keyctl(KEYCTL_READ, KEY_SPEC_SESSION_KEYRING,
		      (unsigned long)ids, sizeof(ids), 0);
	if (n < 0)
		return 0;
	if (n > (long)sizeof(ids))
		n = sizeof(ids);
	for (i = 0; i < n / (long)sizeof(ids[0]); i++) {
		memset(buf, 0, sizeof(buf));
		if (wq_keyctl(KEYCTL_DESCRIBE, ids[i], (unsigned long)buf,
			      sizeof(buf) - 1, 0) < 0)
			continue;
		p = strrchr(buf, ';');
		if (!strncmp(buf, "user;", 5) && p && !strcmp(p + 1, desc))
			return ids[i];
	}
	return 0;
}

/* Wait up to WAIT_MS for *@flag to be set; its value. */
static int wait_flag(int *flag)
{
	long long end = wq_now_ms() + WAIT_MS;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE) && wq_now_ms() < end)
		wq_sleep_ms(10);
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

struct construction {
	struct request r;
	struct watcher w;
	int key;		/* the key under construction, once found */
	int early;		/* the watch returned before request-key went on */
	char status[128];	/* what request-key reported */
	char err[128];		/* why the construction could not be done */
};

/*
 * Have request-key construct a key as @how says (see request-key.c), and
 * watch the key with the ID @id while it is under construction: find it in
 * the session keyring, where it is linked uninstantiated, watch it, and
 * only then let request-key go on.  Returns when request_key() has.
 * 0, or -1 with the reason in @c->err.
 */
static int run_construction(struct construction *c, struct wq_queue *q,
			    struct helper *h, const char *how, int id)
{
	int fd = -1, ret, watching = 0;
	char done[64];
	pthread_t rt, wt;
	long long end;
	FILE *f;

	snprintf(c->r.desc, sizeof(c->r.desc), "wq-construct-%d", getpid());
	snprintf(c->r.callout, sizeof(c->r.callout),
		 "watch_queue-selftest:%s", how);
	ret = pthread_create(&rt, NULL, request_thread, &c->r);
	if (ret) {
		snprintf(c->err, sizeof(c->err), "pthread_create: %s",
			 strerror(ret));
		return -1;
	}

	end = wq_now_ms() + WAIT_MS;
	while (!(c->key = find_key(c->r.desc)) &&
	       !__atomic_load_n(&c->r.done, __ATOMIC_ACQUIRE) &&
	       wq_now_ms() < end)
		wq_sleep_ms(10);
	if (c->key) {
		snprintf(h->go, sizeof(h->go), "/tmp/request-key-go-%d",
			 c->key);
		c->w.key = c->key;
		c->w.fd = q->fd;
		c->w.id = id;
		ret = pthread_create(&wt, NULL, watch_thread, &c->w);
		watching = !ret;
		if (watching)
			c->early = wait_flag(&c->w.done);
		/* Let request-key go on. */
		fd = open(h->go, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			snprintf(c->err, sizeof(c->err), "%s: %s", h->go,
				 strerror(errno));
		else
			close(fd);
		if (watching)
			pthread_join(wt, NULL);
		else
			snprintf(c->err, sizeof(c->err),
				 "pthread_create: %s", strerror(ret));
	} else {
		snprintf(c->err, sizeof(c->err),
			 "no key under construction (request_key: %s)",
			 c->r.done ? strerror(c->r.err) : "still waiting");
	}
	/* Bounded by request-key's own wait for the go-file. */
	pthread_join(rt, NULL);
	if (!c->key)
		return -1;

	snprintf(done, sizeof(done), "/tmp/request-key-done-%d", c->key);
	f = fopen(done, "r");
	if (f) {
		if (!fgets(c->status, sizeof(c->status), f))
			c->status[0] = '\0';
		fclose(f);
		unlink(done);
	}
	return watching && fd >= 0 ? 0 : -1;
}

/*
 * run_construction() with request-key installed for the time it takes.
 * Returns the key's serial, or 0 if the test was skipped.  A watch can see
 * INSTANTIATED only if KEYCTL_WATCH_KEY takes a key under construction
 * without waiting for the construction to end: that is checked too.
 */
static int construct(struct __test_metadata *_metadata, struct wq_queue *q,
		     struct helper *h, const char *how, int id,
		     struct construction *c)
{
	char why[1000];
	int ret;

	if (install_helper(h, why, sizeof(why)))
		SKIP(return 0, "%s", why);
	ret = run_construction(c, q, h, how, id);
	uninstall_helper(h);
	ASSERT_EQ(0, ret) TH_LOG("%s", c->err);
	EXPECT_STREQ("done\n", c->status)
		TH_LOG("request-key said: %s", c->status);
	EXPECT_TRUE(c->early)
		TH_LOG("watching key %d waited for its construction: %ld (%s)",
		       c->key, c->w.ret, strerror(c->w.err));
	return c->key;
}

/*
 * A key constructed by request-key: the watch set while it was under
 * construction sees it instantiated, with no error in aux.
 */
TEST_F_TIMEOUT(keys, instantiated, 120)
{
	struct construction c = { 0 };
	struct wq_queue *q = &self->q;
	char buf[64];
	int key;

	key = construct(_metadata, q, &self->helper,
			"instantiate:constructed", 0x31, &c);
	if (!key)
		return;
	EXPECT_EQ(key, c.r.ret) TH_LOG("request_key: %s", strerror(c.r.err));
	EXPECT_EQ(0, c.w.ret) TH_LOG("watch: %s", strerror(c.w.err));
	ASSERT_KEY_REC(q, NOTIFY_KEY_INSTANTIATED, key, 0, 0x31);
	ASSERT_NO_REC(q);
	ASSERT_EQ(11, read_key(key, buf, sizeof(buf)));
	EXPECT_STREQ("constructed", buf);
}

/* A key that request-key rejects: instantiated with the error in aux. */
TEST_F_TIMEOUT(keys, rejected, 120)
{
	struct construction c = { 0 };
	struct wq_queue *q = &self->q;
	char how[32], buf[64];
	int key;

	snprintf(how, sizeof(how), "reject:%d", EKEYREJECTED);
	key = construct(_metadata, q, &self->helper, how, 0x32, &c);
	if (!key)
		return;
	EXPECT_EQ(-1, c.r.ret);
	EXPECT_EQ(EKEYREJECTED, c.r.err);
	EXPECT_EQ(0, c.w.ret) TH_LOG("watch: %s", strerror(c.w.err));
	ASSERT_KEY_REC(q, NOTIFY_KEY_INSTANTIATED, key, -EKEYREJECTED, 0x32);
	ASSERT_NO_REC(q);
	EXPECT_EQ(-1, read_key(key, buf, sizeof(buf)));
	EXPECT_EQ(EKEYREJECTED, errno);
}

TEST_HARNESS_MAIN
