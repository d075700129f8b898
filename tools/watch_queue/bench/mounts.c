// SPDX-License-Identifier: GPL-2.0
/*
 * Case 1: the CPU time a monitor spends learning that one mount was added,
 * and which one, with N mounts present.  Methods:
 *
 *	mountinfo	re-read and parse /proc/self/mountinfo, diff the IDs
 *	listmount	listmount() every mount, diff the IDs
 *	statmount	listmount() plus statmount() of every mount, compared
 *			field by field (which also catches attribute changes)
 *	record		one mount record from the ring, which names the mount
 *	record+stat	that record plus one statmount() of the ID it carries
 *	empty-poll	not a method: poll() of a ring that has nothing, the
 *			floor under "record", which polls once
 *
 * Every method detects the same change: one bind mount at NEWDIR, made
 * untimed, then each method in turn, in an order that rotates with the
 * repetition; then the mount is removed, untimed, and the records that
 * caused are consumed.  Each method must find the mount that the kernel
 * says was made (statx() of NEWDIR), or the run stops.
 *
 * The "peer" variant runs in a slave mount namespace whose mounts are all
 * slaves of one peer group of the parent namespace: there the kernel
 * walks the whole peer group for each mount mountinfo shows, and for each
 * statmount() of the propagation source.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/mount.h>
#include <linux/stat.h>

#include "bench.h"
#include "queue.h"

#define TOP	"/tmp/wqb1"
#define NEWDIR	TOP "/new"
#define SRC	TOP "/src"

#define NR_METHODS	6
static const char *const method_names[NR_METHODS] = {
	"mountinfo", "listmount", "statmount", "record", "record+stat",
	"empty-poll",
};

/* One line of mountinfo, fields pointing into the buffer read. */
struct mi_entry {
	unsigned int id, parent, major, minor;
	const char *root, *point, *opts, *fstype, *source, *super;
};

/* What a statmount() diff compares of a mount. */
struct sm_state {
	uint64_t id, parent, attr, propagation, peer_group, master, from;
	uint32_t sb_flags, str_hash;
};

/**
 * struct mon - The monitor's state: baselines and buffers of each method
 * @mi_buf: mountinfo as read.
 * @mi_cap: Its capacity.
 * @mi: Parsed lines.
 * @mi_nr_cap: Capacity of @mi.
 * @mi_base: Sorted mountinfo IDs of the baseline.
 * @mi_base_nr: Their number.
 * @ids: listmount() result.
 * @ids_cap: Its capacity.
 * @lm_base: The baseline's unique IDs, ascending.
 * @lm_base_nr: Their number.
 * @sm_base: The baseline's statmount() states, by ascending ID.
 * @sm: The buffer of statmount().
 * @qd: The queue of "record".
 * @qe: The queue of "record+stat".
 * @qp: The queue of "empty-poll", which watches nothing.
 */
struct mon {
	char *mi_buf;
	size_t mi_cap;
	struct mi_entry *mi;
	size_t mi_nr_cap;
	unsigned int *mi_base;
	size_t mi_base_nr;
	uint64_t *ids;
	size_t ids_cap;
	uint64_t *lm_base;
	size_t lm_base_nr;
	struct sm_state *sm_base;
	struct statmount *sm;
	struct bq qd, qe, qp;
};

#define SM_SIZE	8192

/**
 * unescape - Undo mountinfo's octal escapes in place
 * @s: A field.
 *
 * Return: @s.
 */
static char *unescape(char *s)
{
	char *r = s, *w = s;

	if (!strchr(s, '\\'))
		return s;
	while (*r) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' &&
		    r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 |
				      (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

/**
 * next_field - Cut the next space-separated field
 * @p: Where the line goes on; moved past the field.
 *
 * Return: The field, NUL-terminated.
 */
static char *next_field(char **p)
{
	char *f = *p, *e = strchr(f, ' ');

	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = f + strlen(f);
	}
	return f;
}

/**
 * parse_mountinfo - Read and parse /proc/self/mountinfo, as libmount does
 * @m: The monitor.
 *
 * Every field of every line is split out and the paths are unescaped.
 *
 * Return: The number of mounts.
 */
static size_t parse_mountinfo(struct mon *m)
{
	size_t nr = 0;
	char *line, *end, *p;

	read_file("/proc/self/mountinfo", &m->mi_buf, &m->mi_cap);
	for (line = m->mi_buf; *line; line = end) {
		struct mi_entry *e;

		end = strchr(line, '\n');
		if (end)
			*end++ = '\0';
		else
			end = line + strlen(line);
		if (nr == m->mi_nr_cap) {
			m->mi_nr_cap = m->mi_nr_cap ? m->mi_nr_cap * 2 : 1024;
			m->mi = realloc(m->mi, m->mi_nr_cap * sizeof(*m->mi));
			if (!m->mi)
				die("realloc");
		}
		e = &m->mi[nr++];
		p = line;
		e->id = strtoul(next_field(&p), NULL, 10);
		e->parent = strtoul(next_field(&p), NULL, 10);
		if (sscanf(next_field(&p), "%u:%u", &e->major, &e->minor) != 2)
			die("mountinfo: bad device in line %zu", nr);
		e->root = unescape(next_field(&p));
		e->point = unescape(next_field(&p));
		e->opts = next_field(&p);
		while (*p && strcmp(next_field(&p), "-"))
			;	/* optional fields: shared:, master:, ... */
		e->fstype = next_field(&p);
		e->source = unescape(next_field(&p));
		e->super = next_field(&p);
	}
	return nr;
}

/**
 * cmp_u32 - qsort() order of unsigned ints
 * @a: One.
 * @b: The other.
 *
 * Return: <0, 0 or >0.
 */
static int cmp_u32(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/**
 * mi_baseline - Take the baseline of the mountinfo method
 * @m: The monitor.
 */
static void mi_baseline(struct mon *m)
{
	size_t i, nr = parse_mountinfo(m);

	free(m->mi_base);
	m->mi_base = malloc(nr * sizeof(*m->mi_base));
	if (!m->mi_base)
		die("malloc");
	for (i = 0; i < nr; i++)
		m->mi_base[i] = m->mi[i].id;
	qsort(m->mi_base, nr, sizeof(*m->mi_base), cmp_u32);
	m->mi_base_nr = nr;
}

/**
 * detect_mountinfo - Method "mountinfo"
 * @m: The monitor.
 * @point: Set to the mount point of the new mount.
 *
 * Return: The (old, 32-bit) ID of the mount that is not in the baseline.
 */
static unsigned int detect_mountinfo(struct mon *m, const char **point)
{
	size_t i, nr = parse_mountinfo(m);
	unsigned int found = 0;

	for (i = 0; i < nr; i++) {
		if (bsearch(&m->mi[i].id, m->mi_base, m->mi_base_nr,
			    sizeof(*m->mi_base), cmp_u32))
			continue;
		found = m->mi[i].id;
		*point = m->mi[i].point;
	}
	return found;
}

/**
 * lm_baseline - Take the baseline of the listmount method
 * @m: The monitor.
 */
static void lm_baseline(struct mon *m)
{
	ssize_t nr = list_mounts(&m->ids, &m->ids_cap);

	free(m->lm_base);
	m->lm_base = malloc(nr * sizeof(*m->lm_base));
	if (!m->lm_base)
		die("malloc");
	memcpy(m->lm_base, m->ids, nr * sizeof(*m->ids));
	m->lm_base_nr = nr;
}

/**
 * detect_listmount - Method "listmount"
 * @m: The monitor.
 *
 * Both lists are in ascending order: one merge finds what is new.
 *
 * Return: The unique ID of the new mount.
 */
static uint64_t detect_listmount(struct mon *m)
{
	size_t nr = list_mounts(&m->ids, &m->ids_cap), i, j = 0;
	uint64_t found = 0;

	for (i = 0; i < nr; i++) {
		while (j < m->lm_base_nr && m->lm_base[j] < m->ids[i])
			j++;
		if (j < m->lm_base_nr && m->lm_base[j] == m->ids[i])
			continue;
		found = m->ids[i];
	}
	return found;
}

/**
 * str_hash - FNV-1a of a string of a statmount() result
 * @sm: The result.
 * @off: The string's offset, in sm->str.
 * @h: The hash so far.
 *
 * Return: The hash.
 */
static uint32_t str_hash(const struct statmount *sm, uint32_t off, uint32_t h)
{
	const char *s = sm->str + off;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/**
 * sm_state_of - What the statmount method compares of a mount
 * @sm: A statmount() result.
 * @st: Filled in.
 */
static void sm_state_of(const struct statmount *sm, struct sm_state *st)
{
	uint32_t h = 2166136261u;

	st->id = sm->mnt_id;
	st->parent = sm->mnt_parent_id;
	st->attr = sm->mnt_attr;
	st->propagation = sm->mnt_propagation;
	st->peer_group = sm->mnt_peer_group;
	st->master = sm->mnt_master;
	st->from = sm->propagate_from;
	st->sb_flags = sm->sb_flags;
	h = str_hash(sm, sm->mnt_root, h);
	h = str_hash(sm, sm->mnt_point, h);
	st->str_hash = str_hash(sm, sm->fs_type, h);
}

/**
 * sm_baseline - Take the baseline of the statmount method
 * @m: The monitor.
 */
static void sm_baseline(struct mon *m)
{
	size_t i;

	lm_baseline(m);
	free(m->sm_base);
	m->sm_base = malloc(m->lm_base_nr * sizeof(*m->sm_base));
	if (!m->sm_base)
		die("malloc");
	for (i = 0; i < m->lm_base_nr; i++) {
		if (stat_mount(m->lm_base[i], m->sm, SM_SIZE) < 0)
			die("statmount %llu", (unsigned long long)m->lm_base[i]);
		sm_state_of(m->sm, &m->sm_base[i]);
	}
}

/**
 * detect_statmount - Method "statmount"
 * @m: The monitor.
 * @changed: Set to the number of known mounts whose state changed.
 *
 * Return: The unique ID of the new mount.
 */
static uint64_t detect_statmount(struct mon *m, unsigned int *changed)
{
	size_t nr = list_mounts(&m->ids, &m->ids_cap), i, j = 0;
	uint64_t found = 0;
	struct sm_state st;

	*changed = 0;
	for (i = 0; i < nr; i++) {
		if (stat_mount(m->ids[i], m->sm, SM_SIZE) < 0)
			continue;	/* gone meanwhile */
		sm_state_of(m->sm, &st);
		while (j < m->lm_base_nr && m->lm_base[j] < st.id)
			j++;
		if (j < m->lm_base_nr && m->lm_base[j] == st.id) {
			if (memcmp(&st, &m->sm_base[j], sizeof(st)))
				(*changed)++;
			continue;
		}
		found = st.id;
	}
	return found;
}

/**
 * detect_record - Methods "record" and "record+stat"
 * @q: The queue.
 * @stat: Whether to statmount() the mount the record names.
 * @sm: The buffer for it.
 *
 * Return: The unique ID the record carries.
 */
static uint64_t detect_record(struct bq *q, bool stat, struct statmount *sm)
{
	const struct watch_notification *n;
	uint64_t id = 0;

	if (bq_poll(q, 0) <= 0)
		return 0;
	while (!id && (n = bq_next(q)))
		bq_mount_attached(n, &id);
	bq_release(q);
	if (stat && id && stat_mount(id, sm, SM_SIZE) < 0)
		return 0;
	return id;
}

/**
 * mount_ids - The unique and the old ID of the mount at a path
 * @path: The mount point.
 * @old: Set to the old ID, as mountinfo has it.
 *
 * Return: The unique ID.
 */
static uint64_t mount_ids(const char *path, unsigned int *old)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &stx) < 0)
		die("statx %s", path);
	*old = stx.stx_mnt_id;
	if (statx(AT_FDCWD, path, 0, STATX_MNT_ID_UNIQUE, &stx) < 0)
		die("statx %s", path);
	return stx.stx_mnt_id;
}

/**
 * measure - Run the repetitions at one size, in the current namespace
 * @x: The size's label.
 * @reps: Repetitions.
 */
static void measure(const char *x, unsigned int reps)
{
	struct mon m = { 0 };
	unsigned int r, k, old, mi_found, changed = 0;
	const char *point = NULL;
	uint64_t want, got, t0, t1;
	bool have_q = !opts.zero;

	m.sm = malloc(SM_SIZE);
	if (!m.sm)
		die("malloc");
	mi_baseline(&m);
	sm_baseline(&m);
	if (have_q) {
		if (bq_open_ring(&m.qd, 65536) < 0 ||
		    bq_open_ring(&m.qe, 65536) < 0 ||
		    bq_open_ring(&m.qp, 65536) < 0)
			die("open the rings");
		if (bq_watch_mount(&m.qd, "/", 1) < 0 ||
		    bq_watch_mount(&m.qe, "/", 1) < 0)
			die("watch /");
	}

	for (r = 0; r < reps; r++) {
		mount_or_die(SRC, NEWDIR, NULL, MS_BIND);
		want = mount_ids(NEWDIR, &old);
		for (k = 0; k < NR_METHODS; k++) {
			unsigned int meth = (k + r) % NR_METHODS;

			if (meth >= 3 && !have_q)
				continue;
			got = 0;
			mi_found = 0;
			t0 = cpu_ns();
			switch (meth) {
			case 0:
				mi_found = detect_mountinfo(&m, &point);
				break;
			case 1:
				got = detect_listmount(&m);
				break;
			case 2:
				got = detect_statmount(&m, &changed);
				break;
			case 3:
				got = detect_record(&m.qd, false, m.sm);
				break;
			case 4:
				got = detect_record(&m.qe, true, m.sm);
				break;
			case 5:
				got = bq_poll(&m.qp, 0) ? 0 : want;
				break;
			}
			t1 = cpu_ns();
			if (meth == 0 && (mi_found != old || strcmp(point, NEWDIR)))
				die("mountinfo found mount %u at %s, not %u",
				    mi_found, point ? point : "-", old);
			if (meth != 0 && got != want)
				die("%s found mount %llu, not %llu",
				    method_names[meth],
				    (unsigned long long)got,
				    (unsigned long long)want);
			if (meth == 2 && changed)
				die("statmount: %u known mounts changed", changed);
			sample(1, x, method_names[meth], r, t1 - t0);
		}
		if (umount2(NEWDIR, 0) < 0)
			die("umount %s", NEWDIR);
		if (have_q) {
			bq_drain(&m.qd);
			bq_drain(&m.qe);
		}
	}
	if (have_q) {
		if (bq_lost(&m.qd) || bq_lost(&m.qe))
			die("the rings lost records");
		bq_close(&m.qd);
		bq_close(&m.qe);
		bq_close(&m.qp);
	}
}

/**
 * add_mounts - Bind SRC onto new directories until the namespace has @total
 * @total: The number of mounts wanted.
 * @tag: Prefix of the directories, under TOP.
 */
static void add_mounts(unsigned int total, const char *tag)
{
	uint64_t *ids = NULL;
	size_t cap = 0;
	ssize_t have = list_mounts(&ids, &cap);
	char path[64];
	unsigned int i;

	free(ids);
	for (i = 0; have + i < total; i++) {
		snprintf(path, sizeof(path), TOP "/%s%u", tag, i);
		mkdir_p(path);
		mount_or_die(SRC, path, NULL, MS_BIND);
	}
}

/**
 * run_plain - One size of the plain variant, in a child
 * @total: Mounts in the namespace.
 * @reps: Repetitions.
 */
static void run_plain(unsigned int total, unsigned int reps)
{
	char x[16];

	private_mount_ns();
	mkdir_p(TOP);
	mount_or_die("wqb1", TOP, "tmpfs", 0);
	mkdir_p(SRC);
	mkdir_p(NEWDIR);
	add_mounts(total, "m");
	snprintf(x, sizeof(x), "%u", total);
	measure(x, reps);
}

/**
 * run_peer - One size of the peer-group variant, in a child
 * @total: Mounts in the namespace.
 * @reps: Repetitions.
 *
 * The parent namespace gets a shared tmpfs at SRC and @total binds of it,
 * all one peer group; the namespace measured is a copy of it made a slave
 * throughout.  An nsfs descriptor keeps the parent namespace, and so the
 * masters, alive.
 */
static void run_peer(unsigned int total, unsigned int reps)
{
	char x[24];
	int ns_fd;

	private_mount_ns();
	mkdir_p(TOP);
	mount_or_die("wqb1", TOP, "tmpfs", 0);
	mkdir_p(SRC);
	mkdir_p(NEWDIR);
	mount_or_die("wqb1src", SRC, "tmpfs", 0);
	mount_or_die(NULL, SRC, NULL, MS_SHARED);
	add_mounts(total, "p");
	ns_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (ns_fd < 0)
		die("open /proc/self/ns/mnt");
	if (unshare(CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNS)");
	mount_or_die(NULL, "/", NULL, MS_REC | MS_SLAVE);
	snprintf(x, sizeof(x), "peer%u", total);
	measure(x, reps);
	close(ns_fd);
}

/**
 * case_mounts - Case 1
 */
void case_mounts(void)
{
	static const unsigned int plain[] = { 10, 100, 1000, 5000 };
	static const unsigned int peer[] = { 100, 1000 };
	unsigned int i, reps;
	int pid;

	if (opts.zero)
		return;
	for (i = 0; i < (opts.smoke ? 1 : 4); i++) {
		reps = reps_or(plain[i] >= 5000 ? 10 : 15);
		note("case 1: %u mounts", plain[i]);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			run_plain(plain[i], reps);
			exit(0);
		}
		if (wait_child(pid))
			die("case 1 at %u mounts failed", plain[i]);
	}
	for (i = 0; i < 2; i++) {
		unsigned int n = opts.smoke ? 10 : peer[i];

		reps = reps_or(n >= 1000 ? 7 : 11);
		note("case 1: %u mounts in one peer group", n);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			run_peer(n, reps);
			exit(0);
		}
		if (wait_child(pid))
			die("case 1 at %u peers failed", n);
		if (opts.smoke)
			break;
	}
}
