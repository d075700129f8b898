/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict JSON parser (RFC 8259) for the tests of watchq --json: it
 * rejects anything that is not one well-formed JSON value, invalid UTF-8
 * included, and flattens the value it accepts into (path, value) pairs,
 * "mount.point" -> "/mnt/a", that a test can look up.  The guest has no
 * python or jq; a parser of our own in the test costs less than building
 * one statically into the initramfs, and nothing of it is shared with
 * watchq's writer, so that the two can't agree on the same mistake.
 */
#ifndef _WQ_JSON_H
#define _WQ_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WQ_JSON_PAIRS	128
#define WQ_JSON_PATH	128
#define WQ_JSON_VAL	1024
#define WQ_JSON_DEPTH	16

/**
 * struct wq_json - A parsed JSON value, flattened
 * @path: Each scalar's path: members joined by '.', array elements by
 *	their index.
 * @val: Each scalar: a string decoded to UTF-8, or the literal text of a
 *	number, true, false or null.
 * @is_str: Whether the scalar was a string.
 * @nr: How many scalars.
 * @p: The parser's position.
 * @err: What was wrong, if parsing failed.
 */
struct wq_json {
	char path[WQ_JSON_PAIRS][WQ_JSON_PATH];
	char val[WQ_JSON_PAIRS][WQ_JSON_VAL];
	bool is_str[WQ_JSON_PAIRS];
	int nr;
	const char *p;
	const char *err;
};

static inline void wq_json_ws(struct wq_json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static inline bool wq_json_fail(struct wq_json *j, const char *why)
{
	if (!j->err)
		j->err = why;
	return false;
}

/* Append the code point @c to @out as UTF-8. */
static inline bool wq_json_put(char *out, size_t *o, unsigned int c)
{
	unsigned char b[4];
	size_t n, i;

	if (c < 0x80) {
		b[0] = c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = 0xc0 | c >> 6;
		b[1] = 0x80 | (c & 0x3f);
		n = 2;
	} else if (c < 0x10000) {
		b[0] = 0xe0 | c >> 12;
		b[1] = 0x80 | ((c >> 6) & 0x3f);
		b[2] = 0x80 | (c & 0x3f);
		n = 3;
	} else {
		b[0] = 0xf0 | c >> 18;
		b[1] = 0x80 | ((c >> 12) & 0x3f);
		b[2] = 0x80 | ((c >> 6) & 0x3f);
		b[3] = 0x80 | (c & 0x3f);
		n = 4;
	}
	if (*o + n >= WQ_JSON_VAL)
		return false;
	for (i = 0; i < n; i++)
		out[(*o)++] = b[i];
	out[*o] = '\0';
	return true;
}

static inline int wq_json_hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string at j->p, decoded into @out (WQ_JSON_VAL bytes). */
static inline bool wq_json_string(struct wq_json *j, char *out)
{
	const unsigned char *p = (const unsigned char *)j->p;
	size_t o = 0, n, i;
	unsigned int c;
	int h, l;

	out[0] = '\0';
	if (*p++ != '"')
		return wq_json_fail(j, "expected a string");
	for (;;) {
		if (*p == '"') {
			j->p = (const char *)p + 1;
			return true;
		}
		if (*p < 0x20)
			return wq_json_fail(j, "control character or end in a string");
		if (*p == '\\') {
			p++;
			switch (*p) {
			case '"': case '\\': case '/':
				c = *p;
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u':
				h = wq_json_hex4((const char *)p + 1);
				if (h < 0)
					return wq_json_fail(j, "bad \\u escape");
				p += 4;
				c = h;
				if (h >= 0xdc00 && h <= 0xdfff)
					return wq_json_fail(j, "lone low surrogate");
				if (h >= 0xd800 && h <= 0xdbff) {
					if (p[1] != '\\' || p[2] != 'u')
						return wq_json_fail(j, "lone high surrogate");
					l = wq_json_hex4((const char *)p + 3);
					if (l < 0xdc00 || l > 0xdfff)
						return wq_json_fail(j, "bad surrogate pair");
					c = 0x10000 + ((h - 0xd800) << 10) +
					    (l - 0xdc00);
					p += 6;
				}
				break;
			default:
				return wq_json_fail(j, "bad escape");
			}
			p++;
			if (!wq_json_put(out, &o, c))
				return wq_json_fail(j, "string too long");
			continue;
		}
		/* Raw UTF-8, validated. */
		if (*p < 0x80) {
			n = 1;
			c = *p;
		} else if (*p >= 0xc2 && *p <= 0xdf) {
			n = 2;
			c = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 3;
			c = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 4;
			c = *p & 0x07;
		} else {
			return wq_json_fail(j, "invalid UTF-8");
		}
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return wq_json_fail(j, "invalid UTF-8");
			c = c << 6 | (p[i] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
		    (c >= 0xd800 && c <= 0xdfff))
			return wq_json_fail(j, "invalid UTF-8");
		if (o + n >= WQ_JSON_VAL)
			return wq_json_fail(j, "string too long");
		memcpy(out + o, p, n);
		o += n;
		out[o] = '\0';
		p += n;
	}
}

static inline bool wq_json_add(struct wq_json *j, const char *path,
			       const char *val, size_t len, bool is_str)
{
	if (j->nr == WQ_JSON_PAIRS)
		return wq_json_fail(j, "too many values");
	snprintf(j->path[j->nr], WQ_JSON_PATH, "%s", path);
	snprintf(j->val[j->nr], WQ_JSON_VAL, "%.*s", (int)len, val);
	j->is_str[j->nr++] = is_str;
	return true;
}

/* A number as RFC 8259 spells it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static inline bool wq_json_number(struct wq_json *j, const char *path)
{
	const char *s = j->p, *p = j->p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return wq_json_fail(j, "bad number");
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return wq_json_fail(j, "bad fraction");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return wq_json_fail(j, "bad exponent");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	j->p = p;
	return wq_json_add(j, path, s, p - s, false);
}

static inline bool wq_json_value(struct wq_json *j, const char *path, int depth);

/*
 * An object (@obj) or an array at j->p: members "key": value or values,
 * separated by commas, no trailing comma, no duplicate key.
 */
static inline bool wq_json_container(struct wq_json *j, const char *path,
				     int depth, bool obj)
{
	char key[WQ_JSON_VAL], sub[WQ_JSON_PATH];
	char seen[WQ_JSON_PAIRS][64];
	const char close = obj ? '}' : ']';
	int nr = 0, i;

	j->p++;
	wq_json_ws(j);
	if (*j->p == close) {
		j->p++;
		return true;
	}
	for (;; nr++) {
		wq_json_ws(j);
		if (obj) {
			if (!wq_json_string(j, key))
				return false;
			for (i = 0; i < nr && i < WQ_JSON_PAIRS; i++)
				if (!strcmp(seen[i], key))
					return wq_json_fail(j, "duplicate member");
			if (nr < WQ_JSON_PAIRS)
				snprintf(seen[nr], sizeof(seen[0]), "%.63s", key);
			wq_json_ws(j);
			if (*j->p++ != ':')
				return wq_json_fail(j, "expected ':'");
		} else {
			snprintf(key, sizeof(key), "%d", nr);
		}
		snprintf(sub, sizeof(sub), "%.63s%s%.63s", path, *path ? "." : "", key);
		if (!wq_json_value(j, sub, depth + 1))
			return false;
		wq_json_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p++ == close)
			return true;
		return wq_json_fail(j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static inline bool wq_json_value(struct wq_json *j, const char *path, int depth)
{
	static const char *const lits[] = { "true", "false", "null" };
	char str[WQ_JSON_VAL];
	unsigned int i;

	if (depth > WQ_JSON_DEPTH)
		return wq_json_fail(j, "nested too deep");
	wq_json_ws(j);
	switch (*j->p) {
	case '{':
		return wq_json_container(j, path, depth, true);
	case '[':
		return wq_json_container(j, path, depth, false);
	case '"':
		return wq_json_string(j, str) &&
		       wq_json_add(j, path, str, strlen(str), true);
	}
	for (i = 0; i < 3; i++) {
		size_t n = strlen(lits[i]);

		if (!strncmp(j->p, lits[i], n)) {
			j->p += n;
			return wq_json_add(j, path, lits[i], n, false);
		}
	}
	return wq_json_number(j, path);
}

/**
 * wq_json_parse - Parse one JSON text, strictly
 * @j: Filled in.
 * @text: The text, NUL-terminated: one value, with white space around it
 *	at most.
 *
 * Return: true if @text is valid JSON; else false, with @j->err saying why.
 */
static inline bool wq_json_parse(struct wq_json *j, const char *text)
{
	memset(j, 0, sizeof(*j));
	j->p = text;
	if (!wq_json_value(j, "", 0))
		return false;
	wq_json_ws(j);
	if (*j->p)
		return wq_json_fail(j, "trailing characters");
	return true;
}

/* The value at @path ("mount.point"), or NULL if there is none. */
static inline const char *wq_json_get(const struct wq_json *j, const char *path)
{
	int i;

	for (i = 0; i < j->nr; i++)
		if (!strcmp(j->path[i], path))
			return j->val[i];
	return NULL;
}

/* Whether @path holds the string @want (not a number or literal). */
static inline bool wq_json_str_is(const struct wq_json *j, const char *path,
				  const char *want)
{
	int i;

	for (i = 0; i < j->nr; i++)
		if (!strcmp(j->path[i], path))
			return j->is_str[i] && !strcmp(j->val[i], want);
	return false;
}

#endif /* _WQ_JSON_H */
