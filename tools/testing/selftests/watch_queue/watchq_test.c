// SPDX-License-Identifier: GPL-2.0
/*
 * watchq(1) driven as a user drives it: the test runs the command with
 * real mounts, keys and namespaces around it and checks the lines it
 * prints, in text and, validated by a strict JSON parser, in --json; its
 * exit status for --count, --timeout and the removal of its last watch; its
 * error messages and hints for a missing path, a superblock watched
 * without the right (uid 65534), a path it may not search and a root
 * without /dev/watch_queue; --filter and --exec; and a loss on a one-page
 * ring, with and without --resync, whose diff must bring watchq's view
 * back to the mounts that exist.
 *
 * watchq is the one built next to this program (the Makefile builds it
 * from tools/watch_queue/), else the one in PATH.  Runs as root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/keyctl.h>

#include "../kselftest_harness.h"
#include "wq_selftest.h"
#include "wq_json.h"

#define LINE_MAX_LEN	8192
#define STORM		200	/* Mounts made while watchq is stopped */
#define STORM_UMOUNT	50	/* Of which unmounted again */

/**
 * struct wqq - A running watchq
 * @pid: Its process.
 * @out: Its stdout, non-blocking.
 * @err: Its stderr, non-blocking.
 * @obuf: What was read of stdout and not yet returned as lines.
 * @ebuf: All of stderr read so far.
 * @olen: Bytes in @obuf.
 * @elen: Bytes in @ebuf.
 * @status: Its wait status once reaped, else -1.
 */
struct wqq {
	pid_t pid;
	int out, err;
	char obuf[65536], ebuf[16384];
	size_t olen, elen;
	int status;
};

/* The watchq to run: next to this program if it is there. */
static const char *watchq_path(void)
{
	static char path[PATH_MAX];
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (len > 0) {
		self[len] = '\0';
		snprintf(path, sizeof(path), "%s/watchq", dirname(self));
		if (!access(path, X_OK))
			return path;
	}
	return "watchq";
}

/*
 * Start watchq with @argv (NULL-terminated, without argv[0]); @pre runs in
 * the child before exec (to drop privileges, say), unless NULL.
 */
static int wqq_start(struct wqq *w, const char *const *argv,
		     int (*pre)(void))
{
	int o[2], e[2], n = 0;
	const char *args[64];

	memset(w, 0, sizeof(*w));
	w->status = -1;
	args[n++] = "watchq";
	while (*argv && n < 62)
		args[n++] = *argv++;
	args[n] = NULL;
	if (pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC))
		return -1;
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (!w->pid) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		if (pre && pre())
			_exit(100);
		execvp(watchq_path(), (char **)args);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	w->out = o[0];
	w->err = e[0];
	fcntl(w->out, F_SETFL, O_NONBLOCK);
	fcntl(w->err, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Read what is there of stderr. */
static void wqq_read_err(struct wqq *w)
{
	ssize_t got;

	while (w->elen < sizeof(w->ebuf) - 1) {
		got = read(w->err, w->ebuf + w->elen, sizeof(w->ebuf) - 1 - w->elen);
		if (got <= 0)
			break;
		w->elen += got;
	}
	w->ebuf[w->elen] = '\0';
}

/*
 * The next line of stdout into @line, waiting up to @ms: 1, or 0 on
 * timeout or end of file.
 */
static int wqq_line(struct wqq *w, char *line, size_t size, int ms)
{
	long long end = wq_now_ms() + ms;
	struct pollfd p[2];
	char *nl;
	ssize_t got;
	size_t len;

	for (;;) {
		nl = memchr(w->obuf, '\n', w->olen);
		if (nl) {
			len = nl - w->obuf;
			snprintf(line, size, "%.*s", (int)len, w->obuf);
			memmove(w->obuf, nl + 1, w->olen - len - 1);
			w->olen -= len + 1;
			return 1;
		}
		if (wq_now_ms() >= end)
			return 0;
		p[0].fd = w->out;
		p[0].events = POLLIN;
		p[1].fd = w->err;
		p[1].events = POLLIN;
		poll(p, 2, end - wq_now_ms() > 0 ? end - wq_now_ms() : 0);
		wqq_read_err(w);
		got = read(w->out, w->obuf + w->olen, sizeof(w->obuf) - w->olen);
		if (got == 0 && w->olen < sizeof(w->obuf))
			return 0;
		if (got > 0)
			w->olen += got;
	}
}

/* Wait up to @ms for @text on stderr; 1 if it came. */
static int wqq_err_has(struct wqq *w, const char *text, int ms)
{
	long long end = wq_now_ms() + ms;
	struct pollfd p;

	for (;;) {
		wqq_read_err(w);
		if (strstr(w->ebuf, text))
			return 1;
		if (wq_now_ms() >= end)
			return 0;
		p.fd = w->err;
		p.events = POLLIN;
		if (poll(&p, 1, 100) > 0 && (p.revents & POLLHUP) &&
		    !(p.revents & POLLIN))
			wq_sleep_ms(50);
	}
}

/* Wait up to @ms for watchq to exit; its exit status, or -1. */
static int wqq_wait(struct wqq *w, int ms)
{
	long long end = wq_now_ms() + ms;
	pid_t r;

	while (w->status < 0) {
		r = waitpid(w->pid, &w->status, WNOHANG);
		if (r == w->pid)
			break;
		w->status = -1;
		if (wq_now_ms() >= end)
			return -1;
		wq_sleep_ms(20);
	}
	wqq_read_err(w);
	return WIFEXITED(w->status) ? WEXITSTATUS(w->status) :
				      128 + WTERMSIG(w->status);
}

/* Stop watchq if it still runs, and reap it. */
static void wqq_kill(struct wqq *w)
{
	if (w->pid > 0 && w->status < 0) {
		kill(w->pid, SIGKILL);
		waitpid(w->pid, &w->status, 0);
	}
	if (w->out > 0)
		close(w->out);
	if (w->err > 0)
		close(w->err);
	w->out = -1;
	w->err = -1;
}

/* Read lines until one contains every string of @want; 1 if so. */
static int wqq_expect(struct wqq *w, char *line, size_t size, int ms,
		      const char *const *want)
{
	long long end = wq_now_ms() + ms;
	int i, left;

	for (;;) {
		left = end - wq_now_ms();
		if (left <= 0 || !wqq_line(w, line, size, left))
			return 0;
		for (i = 0; want[i] && strstr(line, want[i]); i++)
			;
		if (!want[i])
			return 1;
		fprintf(stderr, "# (skipped) %s\n", line);
	}
}

#define EXPECT_LINE(w, ...) do {					\
	const char *const _want[] = { __VA_ARGS__, NULL };		\
	struct wqq *_w = (w);						\
	char _line[LINE_MAX_LEN];					\
									\
	ASSERT_TRUE(wqq_expect(_w, _line, sizeof(_line), WAIT_MS, _want)) \
		TH_LOG("no line with \"%s\"...; stderr: %s", _want[0],	\
		       _w->ebuf);					\
	TH_LOG("%s", _line);						\
} while (0)

/* The next line, which must be valid JSON, parsed into @j. */
#define NEXT_JSON(w, j) do {						\
	struct wqq *_w = (w);						\
	struct wq_json *_j = (j);					\
	char _line[LINE_MAX_LEN];					\
									\
	ASSERT_TRUE(wqq_line(_w, _line, sizeof(_line), WAIT_MS))	\
		TH_LOG("no line; stderr: %s", _w->ebuf);		\
	TH_LOG("%s", _line);						\
	ASSERT_TRUE(wq_json_parse(_j, _line))				\
		TH_LOG("invalid JSON (%s) at \"%.20s\"", _j->err, _j->p); \
} while (0)

/* The member @path must be the string @want. */
#define ASSERT_JSTR(j, path, want) do {					\
	const struct wq_json *_j = (j);					\
	const char *_path = (path), *_want = (want);			\
	const char *_v = wq_json_get(_j, _path);			\
									\
	ASSERT_TRUE(wq_json_str_is(_j, _path, _want))			\
		TH_LOG("%s: want \"%s\", got %s", _path, _want,		\
		       _v ? _v : "nothing");				\
} while (0)

/* The member @path must be the number or literal @want. */
#define ASSERT_JLIT(j, path, want) do {					\
	const struct wq_json *_j = (j);					\
	const char *_path = (path), *_want = (want);			\
	const char *_v = wq_json_get(_j, _path);			\
									\
	ASSERT_TRUE(_v && !wq_json_str_is(_j, _path, _v) &&		\
		    !strcmp(_v, _want))					\
		TH_LOG("%s: want %s, got %s", _path, _want,		\
		       _v ? _v : "nothing");				\
} while (0)

/* Start watchq and wait until it has set its watches. */
#define START(w, pre, ...) do {						\
	const char *const _argv[] = { __VA_ARGS__, NULL };		\
	struct wqq *_w = (w);						\
									\
	ASSERT_EQ(0, wqq_start(_w, _argv, pre));			\
	ASSERT_TRUE(wqq_err_has(_w, "; ready", WAIT_MS))		\
		TH_LOG("watchq did not start: %s", _w->ebuf);		\
} while (0)

FIXTURE(cli) {
	char base[64];
	char path[PATH_MAX];
	struct wqq w;
};

FIXTURE_SETUP(cli)
{
	snprintf(self->base, sizeof(self->base), "/tmp/wqq.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->base));
	ASSERT_EQ(0, chmod(self->base, 0755));
	ASSERT_EQ(0, mount("wqbase", self->base, "tmpfs", 0, "mode=0755"));
	self->w.pid = -1;
	self->w.status = -1;
	self->w.out = -1;
	self->w.err = -1;
}

FIXTURE_TEARDOWN(cli)
{
	wqq_kill(&self->w);
	umount2(self->base, MNT_DETACH);
	rmdir(self->base);
}

static const char *sub(const char *base, const char *rel)
{
	static char bufs[4][PATH_MAX];
	static int i;
	char *p = bufs[i++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", base, rel);
	return p;
}

#define SUB(rel)	sub(self->base, rel)

/* A mount's attach, attribute change and detach, resolved, as text. */
TEST_F(cli, mounts_text)
{
	char on[PATH_MAX + 64];

	ASSERT_EQ(0, mkdir(SUB("a"), 0755));
	START(&self->w, NULL, "--mounts", self->base, "--count", "3");
	snprintf(on, sizeof(on), " on %s (wqbase, tmpfs)", self->base);

	ASSERT_EQ(0, mount("wqsrc", SUB("a"), "tmpfs", 0, NULL));
	EXPECT_LINE(&self->w, "mount attach ", SUB("a"), "(wqsrc, tmpfs)",
		    on, "[watch 1]");
	ASSERT_EQ(0, mount(NULL, SUB("a"), NULL,
			   MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	EXPECT_LINE(&self->w, "mount attr ", SUB("a"), "options ro");
	ASSERT_EQ(0, umount(SUB("a")));
	snprintf(on, sizeof(on), "mount detach (gone, was %s) from %s",
		 SUB("a"), self->base);
	EXPECT_LINE(&self->w, on);
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS)) TH_LOG("%s", self->w.ebuf);
}

/* The same in --json, and strings that need escaping, valid JSON always. */
TEST_F(cli, mounts_json)
{
	const char *odd = "q\"u\\o\tt\xc3\xa9";	/* quote, backslash, tab, é */
	const char *bad = "x\xff\x01y";		/* not UTF-8, a control */
	struct wq_json *j = malloc(sizeof(*j));

	ASSERT_NE(NULL, j);
	ASSERT_EQ(0, mkdir(SUB(odd), 0755));
	ASSERT_EQ(0, mkdir(SUB(bad), 0755));
	START(&self->w, NULL, "--mounts", self->base, "--json");

	ASSERT_EQ(0, mount("wqsrc", SUB(odd), "tmpfs", 0, NULL));
	NEXT_JSON(&self->w, j);
	ASSERT_JSTR(j, "type", "mount");
	ASSERT_JSTR(j, "event", "attach");
	ASSERT_JLIT(j, "watch", "1");
	ASSERT_JLIT(j, "in_subtree", "false");	/* a child of the watched mount */
	ASSERT_JLIT(j, "mount.gone", "false");
	ASSERT_JSTR(j, "mount.point", SUB(odd));
	ASSERT_JSTR(j, "mount.source", "wqsrc");
	ASSERT_JSTR(j, "mount.fstype", "tmpfs");
	ASSERT_JSTR(j, "parent.point", self->base);
	ASSERT_JSTR(j, "parent.source", "wqbase");
	ASSERT_NE(NULL, wq_json_get(j, "time"));
	ASSERT_NE(NULL, wq_json_get(j, "mnt_id"));

	ASSERT_EQ(0, mount(NULL, SUB(odd), NULL,
			   MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
	NEXT_JSON(&self->w, j);
	ASSERT_JSTR(j, "event", "attr");
	ASSERT_JSTR(j, "options", "ro");
	ASSERT_JSTR(j, "mount.point", SUB(odd));

	ASSERT_EQ(0, umount(SUB(odd)));
	NEXT_JSON(&self->w, j);
	ASSERT_JSTR(j, "event", "detach");
	ASSERT_JLIT(j, "mount.gone", "true");
	ASSERT_JSTR(j, "mount.point", SUB(odd));	/* as it was */

	/* Bytes that are not UTF-8 still make valid JSON. */
	ASSERT_EQ(0, mount("wqsrc", SUB(bad), "tmpfs", 0, NULL));
	NEXT_JSON(&self->w, j);
	ASSERT_JSTR(j, "event", "attach");
	ASSERT_JSTR(j, "mount.point", sub(self->base, "x\xc3\xbf\x01y"));
	ASSERT_EQ(0, umount(SUB(bad)));
	NEXT_JSON(&self->w, j);
	ASSERT_JSTR(j, "event", "detach");

	kill(self->w.pid, SIGTERM);
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
	free(j);
}

/* The parser of the test rejects what is not JSON, so it can fail. */
TEST(json_parser_is_strict)
{
	static const char *const good[] = {
		"{}", "[]", "{\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\ud83d\\ude00\"]}",
		" {\"a\" : {\"b\":\"c\"}} ", "0", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
	};
	static const char *const bad[] = {
		"", "{", "{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\":01}",
		"{\"a\":1}x", "{\"a\":\"\t\"}", "{\"a\":\"\xff\"}",
		"{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\\x\"}", "{\"a\":tru}",
		"{\"a\":1 \"b\":2}", "{\"a\":1,\"a\":2}", "{\"a\":\"\\ud800\"}",
		"{\"a\":.5}", "{\"a\":1.}", "{\"a\":NaN}", "{a:1}",
	};
	struct wq_json *j = malloc(sizeof(*j));
	unsigned int i;

	ASSERT_NE(NULL, j);
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (!wq_json_parse(j, good[i]))
			fprintf(stderr, "# rejected %s: %s\n", good[i], j->err);
		EXPECT_EQ(NULL, j->err);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (wq_json_parse(j, bad[i]))
			fprintf(stderr, "# accepted %s\n", bad[i]);
		EXPECT_NE(NULL, j->err);
	}
	ASSERT_TRUE(wq_json_parse(j, "{\"a\":{\"b\":\"\\u00e9\"},\"c\":[7]}"));
	ASSERT_TRUE(wq_json_str_is(j, "a.b", "\xc3\xa9"));
	ASSERT_STREQ("7", wq_json_get(j, "c.0"));
	free(j);
}

/* A superblock going read-only: device (source) and mount point. */
TEST_F(cli, sb_text_and_json)
{
	struct wq_json *j = malloc(sizeof(*j));
	char want[PATH_MAX + 64];

	ASSERT_NE(NULL, j);
	START(&self->w, NULL, "--sb", self->base, "--count", "2");
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	snprintf(want, sizeof(want), " on %s (tmpfs): read-only", self->base);
	EXPECT_LINE(&self->w, "sb readonly wqbase (dev 0:", want);
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT, NULL));
	EXPECT_LINE(&self->w, "sb readonly wqbase", ": read-write");
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
	wqq_kill(&self->w);

	START(&self->w, NULL, "--sb", self->base, "--json", "--count", "1");
	ASSERT_EQ(0, mount(NULL, self->base, NULL, MS_REMOUNT | MS_RDONLY,
			   NULL));
	NEXT_JSON(&self->w, j);
	ASSERT_JSTR(j, "type", "sb");
	ASSERT_JSTR(j, "event", "readonly");
	ASSERT_JLIT(j, "readonly", "true");
	ASSERT_JSTR(j, "mount_point", self->base);
	ASSERT_JSTR(j, "device", "wqbase");
	ASSERT_JSTR(j, "fstype", "tmpfs");
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
	free(j);
}

static long keyctl(int cmd, unsigned long a2, unsigned long a3,
		   unsigned long a4)
{
	return wq_keyctl(cmd, a2, a3, a4, 0);
}

/*
 * Keys: a link into the watched session keyring resolved to both keys'
 * type and description; then a watch on the key itself, which exits 3
 * once the key is revoked, unlinked and gone.
 */
TEST_F_TIMEOUT(cli, keys, 120)
{
	struct wq_json *j = malloc(sizeof(*j));
	char id[32], want[128];
	long ses, key;

	ASSERT_NE(NULL, j);
	ses = keyctl(KEYCTL_JOIN_SESSION_KEYRING, (unsigned long)"wqq-ses", 0, 0);
	ASSERT_LT(0, ses);
	START(&self->w, NULL, "--keys", "@s", "--count", "1");
	key = wq_add_key("user", "wqq-desc", "x", 1, KEY_SPEC_SESSION_KEYRING);
	ASSERT_LT(0, key);
	snprintf(want, sizeof(want), "key linked %ld (keyring wqq-ses) <- %ld (user wqq-desc)",
		 ses, key);
	EXPECT_LINE(&self->w, want);
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
	wqq_kill(&self->w);

	snprintf(id, sizeof(id), "%ld", key);
	START(&self->w, NULL, "--keys", id, "--json");
	ASSERT_EQ(0, keyctl(KEYCTL_UPDATE, key, (unsigned long)"yy", 2));
	NEXT_JSON(&self->w, j);
	ASSERT_JSTR(j, "type", "key");
	ASSERT_JSTR(j, "event", "updated");
	ASSERT_JLIT(j, "key_id", id);
	ASSERT_JSTR(j, "key.type", "user");
	ASSERT_JSTR(j, "key.description", "wqq-desc");
	ASSERT_EQ(0, keyctl(KEYCTL_REVOKE, key, 0, 0));
	NEXT_JSON(&self->w, j);
	ASSERT_JSTR(j, "event", "revoked");
	ASSERT_EQ(0, keyctl(KEYCTL_UNLINK, key, KEY_SPEC_SESSION_KEYRING, 0));
	NEXT_JSON(&self->w, j);
	ASSERT_JSTR(j, "type", "meta");
	ASSERT_JSTR(j, "event", "removal");
	ASSERT_JLIT(j, "object_id", id);
	ASSERT_EQ(3, wqq_wait(&self->w, WAIT_MS)) TH_LOG("%s", self->w.ebuf);
	ASSERT_NE(NULL, strstr(self->w.ebuf, "the last watch was removed"));
	free(j);
}

/* Namespaces: type:[inum], the pid's command while it lives. */
TEST_F_TIMEOUT(cli, namespaces, 120)
{
	struct wq_json *j = malloc(sizeof(*j));
	char want[128], ns[64], pid_s[16];
	int sync[2], i;
	struct stat st;
	pid_t child;

	ASSERT_NE(NULL, j);
	for (i = 0; i < 2; i++) {
		if (i)
			START(&self->w, NULL, "--ns", "/proc/self/ns/user",
			      "--json");
		else
			START(&self->w, NULL, "--ns", "/proc/self/ns/user");
		ASSERT_EQ(0, pipe(sync));
		child = fork();
		ASSERT_LE(0, child);
		if (!child) {
			char c = 0;

			prctl(PR_SET_NAME, "wqq-nschild");
			if (unshare(CLONE_NEWUTS))
				_exit(1);
			close(sync[0]);
			if (write(sync[1], &c, 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		close(sync[1]);
		ASSERT_EQ(0, read(sync[0], want, 1) == 1 ? 0 : -1);
		close(sync[0]);
		snprintf(want, sizeof(want), "/proc/%d/ns/uts", child);
		ASSERT_EQ(0, stat(want, &st));
		snprintf(ns, sizeof(ns), "uts:[%llu]",
			 (unsigned long long)st.st_ino);
		snprintf(pid_s, sizeof(pid_s), "%d", child);
		if (!i) {
			snprintf(want, sizeof(want), "by pid %d (wqq-nschild)",
				 child);
			EXPECT_LINE(&self->w, "ns create ", ns, "(unshare)",
				    want, "[watch 1]");
		} else {
			do {
				NEXT_JSON(&self->w, j);
			} while (!wq_json_str_is(j, "ns", ns));
			ASSERT_JSTR(j, "type", "ns");
			ASSERT_JSTR(j, "event", "create");
			ASSERT_JSTR(j, "ns_type", "uts");
			ASSERT_JSTR(j, "reason", "unshare");
			ASSERT_JLIT(j, "pid", pid_s);
			ASSERT_JSTR(j, "comm", "wqq-nschild");
		}
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		if (!i) {
			EXPECT_LINE(&self->w, "ns destroy ", ns, "(release)");
		} else {
			do {
				NEXT_JSON(&self->w, j);
			} while (!wq_json_str_is(j, "ns", ns));
			ASSERT_JSTR(j, "event", "destroy");
		}
		kill(self->w.pid, SIGTERM);
		ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
		wqq_kill(&self->w);
	}
	free(j);
}

/* --procs by nsfs file (text) and by PID (JSON): a child's comm and exit. */
TEST_F_TIMEOUT(cli, procs, 120)
{
	struct wq_json *j = malloc(sizeof(*j));
	char want[128], pid_s[16], me_s[16];
	int sync[2], i;
	pid_t child;

	ASSERT_NE(NULL, j);
	snprintf(me_s, sizeof(me_s), "%d", getpid());
	for (i = 0; i < 2; i++) {
		if (i)
			START(&self->w, NULL, "--procs", me_s, "--json");
		else
			START(&self->w, NULL, "--procs", "/proc/self/ns/pid");
		ASSERT_EQ(0, pipe(sync));
		child = fork();
		ASSERT_LE(0, child);
		if (!child) {
			char c;

			close(sync[1]);
			if (read(sync[0], &c, 1) != 1)
				_exit(1);
			prctl(PR_SET_NAME, "wqq-proc");
			_exit(4);
		}
		close(sync[0]);
		ASSERT_EQ(1, write(sync[1], "g", 1));
		close(sync[1]);
		ASSERT_EQ(child, waitpid(child, NULL, 0));
		snprintf(pid_s, sizeof(pid_s), "%d", child);
		if (!i) {
			snprintf(want, sizeof(want), "pid %d (wqq-proc)", child);
			EXPECT_LINE(&self->w, "proc comm ", want, "[watch 1]");
			EXPECT_LINE(&self->w, "proc exit ", want, "status 4",
				    "[watch 1]");
		} else {
			do {
				NEXT_JSON(&self->w, j);
			} while (!(wq_json_str_is(j, "event", "exit") &&
				   wq_json_get(j, "pid") &&
				   !strcmp(wq_json_get(j, "pid"), pid_s)));
			ASSERT_JSTR(j, "type", "proc");
			ASSERT_JSTR(j, "comm", "wqq-proc");
			ASSERT_JLIT(j, "ppid", me_s);
			ASSERT_JLIT(j, "arg", "1024");
		}
		kill(self->w.pid, SIGTERM);
		ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
		wqq_kill(&self->w);
	}
	free(j);
}

/* --count N: exactly N lines, then exit 0. */
TEST_F(cli, count)
{
	char line[LINE_MAX_LEN];
	int i;

	START(&self->w, NULL, "--mounts", self->base, "--count", "2");
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, mkdir(SUB(i == 0 ? "c0" : i == 1 ? "c1" : "c2"), 0755));
		ASSERT_EQ(0, mount("wqc", SUB(i == 0 ? "c0" : i == 1 ? "c1" : "c2"),
				   "tmpfs", 0, NULL));
	}
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
	ASSERT_EQ(1, wqq_line(&self->w, line, sizeof(line), WAIT_MS));
	ASSERT_NE(NULL, strstr(line, "mount attach"));
	ASSERT_EQ(1, wqq_line(&self->w, line, sizeof(line), WAIT_MS));
	ASSERT_NE(NULL, strstr(line, "mount attach"));
	ASSERT_EQ(0, wqq_line(&self->w, line, sizeof(line), 500))
		TH_LOG("a third line: %s", line);
	for (i = 0; i < 3; i++)
		umount(SUB(i == 0 ? "c0" : i == 1 ? "c1" : "c2"));
}

/* --timeout S: exit 2 when nothing comes for S seconds. */
TEST_F(cli, timeout)
{
	long long t0;
	int status;

	START(&self->w, NULL, "--mounts", self->base, "--timeout", "1");
	t0 = wq_now_ms();
	status = wqq_wait(&self->w, WAIT_MS);
	ASSERT_EQ(2, status) TH_LOG("%s", self->w.ebuf);
	ASSERT_LE(900, wq_now_ms() - t0);
	ASSERT_NE(NULL, strstr(self->w.ebuf, "timeout"));
}

/* The watched mount unmounted: its removal is printed, exit 3. */
TEST_F(cli, last_watch_removed)
{
	char want[PATH_MAX + 64];

	ASSERT_EQ(0, mkdir(SUB("x"), 0755));
	ASSERT_EQ(0, mount("wqx", SUB("x"), "tmpfs", 0, NULL));
	START(&self->w, NULL, "--mounts", SUB("x"), "--no-recursive");
	ASSERT_EQ(0, umount(SUB("x")));
	snprintf(want, sizeof(want), "(--mounts %s): object", SUB("x"));
	EXPECT_LINE(&self->w, "meta removal watch 1 ", want, "is gone");
	ASSERT_EQ(3, wqq_wait(&self->w, WAIT_MS)) TH_LOG("%s", self->w.ebuf);
}

/* --filter mount:detach: the attach is not printed, the detach is. */
TEST_F(cli, filter)
{
	char line[LINE_MAX_LEN];

	ASSERT_EQ(0, mkdir(SUB("f"), 0755));
	START(&self->w, NULL, "--mounts", self->base, "--filter",
	      "mount:detach", "--count", "1");
	ASSERT_EQ(0, mount("wqf", SUB("f"), "tmpfs", 0, NULL));
	ASSERT_EQ(0, umount(SUB("f")));
	ASSERT_EQ(1, wqq_line(&self->w, line, sizeof(line), WAIT_MS));
	ASSERT_EQ(0, strncmp(line, "mount detach ", 13)) TH_LOG("%s", line);
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
}

/* --exec: the command runs per record with the record in its environment. */
TEST_F(cli, exec)
{
	char cmd[PATH_MAX + 64], buf[256] = "";
	ssize_t len;
	int fd;

	ASSERT_EQ(0, mkdir(SUB("e"), 0755));
	snprintf(cmd, sizeof(cmd),
		 "echo \"$WATCHQ_TYPE/$WATCHQ_EVENT/$WATCHQ_WATCH\" >> %s/log",
		 self->base);
	START(&self->w, NULL, "--mounts", self->base, "--exec", cmd,
	      "--count", "1");
	ASSERT_EQ(0, mount("wqe", SUB("e"), "tmpfs", 0, NULL));
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
	fd = open(SUB("log"), O_RDONLY);
	ASSERT_LE(0, fd);
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, len);
	buf[len] = '\0';
	ASSERT_STREQ("mount/attach/1\n", buf);
	umount(SUB("e"));
}

static int become_nobody(void)
{
	return wq_become_nobody();
}

/* Errors say what went wrong and what to do, and exit 1 (usage: 64). */
TEST_F_TIMEOUT(cli, errors, 120)
{
	const char *const usage1[] = { "--bogus", NULL };
	const char *const usage2[] = { "--mounts", "/", "--filter",
				       "mount:nonesuch", NULL };
	const char *const usage3[] = { NULL };

	/* A missing path. */
	ASSERT_EQ(0, wqq_start(&self->w, (const char *const[]){
		"--mounts", "/nonexistent/wqq", NULL }, NULL));
	ASSERT_EQ(1, wqq_wait(&self->w, WAIT_MS));
	ASSERT_NE(NULL, strstr(self->w.ebuf,
			       "--mounts /nonexistent/wqq: No such file or directory"))
		TH_LOG("%s", self->w.ebuf);
	ASSERT_NE(NULL, strstr(self->w.ebuf, "hint: check the path"));
	wqq_kill(&self->w);

	/* A superblock watched by uid 65534, who has no right over it. */
	ASSERT_EQ(0, wqq_start(&self->w, (const char *const[]){
		"--sb", self->base, NULL }, become_nobody));
	ASSERT_EQ(1, wqq_wait(&self->w, WAIT_MS)) TH_LOG("%s", self->w.ebuf);
	ASSERT_NE(NULL, strstr(self->w.ebuf, "Operation not permitted"))
		TH_LOG("%s", self->w.ebuf);
	ASSERT_NE(NULL, strstr(self->w.ebuf, "hint: watching a superblock needs CAP_SYS_ADMIN"));
	wqq_kill(&self->w);

	/* A path below a directory uid 65534 may not search. */
	ASSERT_EQ(0, mkdir(SUB("private"), 0700));
	ASSERT_EQ(0, mkdir(SUB("private/sub"), 0755));
	ASSERT_EQ(0, wqq_start(&self->w, (const char *const[]){
		"--mounts", SUB("private/sub"), NULL }, become_nobody));
	ASSERT_EQ(1, wqq_wait(&self->w, WAIT_MS));
	ASSERT_NE(NULL, strstr(self->w.ebuf, "Permission denied"))
		TH_LOG("%s", self->w.ebuf);
	ASSERT_NE(NULL, strstr(self->w.ebuf, "hint: permission denied looking up the path"));
	wqq_kill(&self->w);

	/* Bad command lines. */
	ASSERT_EQ(0, wqq_start(&self->w, usage1, NULL));
	ASSERT_EQ(64, wqq_wait(&self->w, WAIT_MS));
	wqq_kill(&self->w);
	ASSERT_EQ(0, wqq_start(&self->w, usage2, NULL));
	ASSERT_EQ(64, wqq_wait(&self->w, WAIT_MS));
	ASSERT_NE(NULL, strstr(self->w.ebuf, "unknown type or subtype"));
	wqq_kill(&self->w);
	ASSERT_EQ(0, wqq_start(&self->w, usage3, NULL));
	ASSERT_EQ(64, wqq_wait(&self->w, WAIT_MS));
	ASSERT_NE(NULL, strstr(self->w.ebuf, "nothing to watch"));
}

/* Hide /dev/watch_queue: a private mount namespace with an empty /dev. */
static int no_device(void)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("wqnodev", "/dev", "tmpfs", 0, NULL))
		return -1;
	return 0;
}

/*
 * A root without the device node, as on a kernel without the patches: the
 * message names the device and says what to boot or load.
 */
TEST_F(cli, no_device)
{
	ASSERT_EQ(0, wqq_start(&self->w, (const char *const[]){
		"--mounts", "/", NULL }, no_device));
	ASSERT_EQ(1, wqq_wait(&self->w, WAIT_MS)) TH_LOG("%s", self->w.ebuf);
	ASSERT_NE(NULL, strstr(self->w.ebuf, "watchq: no /dev/watch_queue"))
		TH_LOG("%s", self->w.ebuf);
	ASSERT_NE(NULL, strstr(self->w.ebuf, "hint: boot a kernel with the watch_queue patches"));
}

/* Mount and unmount the storm while watchq is stopped. */
static int storm(const char *base, int n, int n_umount)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/s%d", base, i);
		if (mount("wqstorm", path, "tmpfs", 0, NULL))
			return -1;
	}
	for (i = 0; i < n_umount; i++) {
		snprintf(path, sizeof(path), "%s/s%d", base, i);
		if (umount(path))
			return -1;
	}
	return 0;
}

static void storm_dirs(const char *base, int n)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/s%d", base, i);
		mkdir(path, 0755);
	}
}

/*
 * A storm of mounts while watchq is stopped overflows its one-page ring:
 * the loss is printed with the hint to resync; with --resync, the diff of
 * a fresh snapshot against its table must leave watchq's view (what the
 * records and the diff added and removed) equal to the mounts there are.
 */
TEST_F_TIMEOUT(cli, loss_and_resync, 240)
{
	static char seen[STORM];
	struct wq_json *j = malloc(sizeof(*j));
	const char *pt, *ev, *ty, *gone;
	int i, n, lost = 0, extra = 0;
	size_t blen;

	ASSERT_NE(NULL, j);
	storm_dirs(self->base, STORM);

	/* Without --resync: the hint. */
	START(&self->w, NULL, "--mounts", self->base, "--ring-size", "4096");
	ASSERT_EQ(0, kill(self->w.pid, SIGSTOP));
	ASSERT_EQ(0, storm(self->base, STORM, STORM));
	ASSERT_EQ(0, kill(self->w.pid, SIGCONT));
	EXPECT_LINE(&self->w, "meta loss ", "records lost", "rerun with --resync");
	kill(self->w.pid, SIGTERM);
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
	wqq_kill(&self->w);

	/* With it: the diff. */
	START(&self->w, NULL, "--mounts", self->base, "--ring-size", "4096",
	      "--resync", "--json");
	ASSERT_EQ(0, kill(self->w.pid, SIGSTOP));
	ASSERT_EQ(0, storm(self->base, STORM, STORM_UMOUNT));
	ASSERT_EQ(0, kill(self->w.pid, SIGCONT));
	blen = strlen(self->base);
	for (;;) {
		NEXT_JSON(&self->w, j);
		ty = wq_json_get(j, "type");
		ev = wq_json_get(j, "event");
		ASSERT_NE(NULL, ty);
		ASSERT_NE(NULL, ev);
		if (!strcmp(ty, "meta") && !strcmp(ev, "loss")) {
			lost++;
			ASSERT_NE(NULL, wq_json_get(j, "nr_lost"));
			ASSERT_STRNE("0", wq_json_get(j, "nr_lost"));
			ASSERT_JLIT(j, "resync", "true");
			continue;
		}
		if (!strcmp(ty, "resync") && !strcmp(ev, "done"))
			break;
		pt = wq_json_get(j, "mount.point");
		gone = wq_json_get(j, "mount.gone");
		if (!pt || strncmp(pt, self->base, blen) ||
		    strncmp(pt + blen, "/s", 2)) {
			extra++;	/* the base itself, say */
			continue;
		}
		n = atoi(pt + blen + 2);
		ASSERT_TRUE(n >= 0 && n < STORM) TH_LOG("%s", pt);
		if (!strcmp(ty, "mount") && !strcmp(ev, "attach"))
			seen[n] = gone && !strcmp(gone, "false");
		else if (!strcmp(ty, "mount") && !strcmp(ev, "detach"))
			seen[n] = 0;
		else if (!strcmp(ty, "resync") && strcmp(ev, "removed"))
			seen[n] = 1;
		else if (!strcmp(ty, "resync"))
			seen[n] = 0;
	}
	ASSERT_EQ(1, lost);
	ASSERT_JLIT(j, "mounts", "151");	/* the base and 150 */
	for (i = 0; i < STORM; i++)
		ASSERT_EQ(i >= STORM_UMOUNT, seen[i]) TH_LOG("s%d", i);
	TH_LOG("%d other lines", extra);
	kill(self->w.pid, SIGTERM);
	ASSERT_EQ(0, wqq_wait(&self->w, WAIT_MS));
	free(j);
}

TEST_HARNESS_MAIN
