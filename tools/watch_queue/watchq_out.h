/* SPDX-License-Identifier: GPL-2.0 */
/*
 * watchq_out.h - the output lines of watchq(1): a bounded text buffer and
 * the JSON writer, with strings escaped as RFC 8259 wants them.
 */
#ifndef _WATCHQ_OUT_H
#define _WATCHQ_OUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "watchq_names.h"

#define OUT_MAX	65536

/**
 * struct out - A line being built
 * @s: The text, always NUL-terminated.
 * @len: Its length; stays below OUT_MAX, longer lines are cut.
 * @first: For JSON: no member written yet in the innermost object/array.
 */
struct out {
	char s[OUT_MAX];
	size_t len;
	bool first;
};

static inline void out_reset(struct out *o)
{
	o->s[0] = '\0';
	o->len = 0;
	o->first = true;
}

static inline void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (o->len >= OUT_MAX - 1)
		return;
	va_start(ap, fmt);
	ret = vsnprintf(o->s + o->len, OUT_MAX - o->len, fmt, ap);
	va_end(ap);
	if (ret > 0)
		o->len = o->len + ret < OUT_MAX - 1 ? o->len + ret : OUT_MAX - 1;
}

/* The length of the UTF-8 sequence at @p (1 to 4), or 0 if invalid. */
static inline size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

/*
 * A JSON string: quotes, backslashes and control characters escaped;
 * valid UTF-8 kept; each byte of an invalid sequence written as \u00XX
 * (the byte as a Latin-1 character), so that the line is always valid
 * JSON whatever bytes a path holds.
 */
static inline void out_jstr(struct out *o, const char *str)
{
	const unsigned char *p = (const unsigned char *)str;
	size_t n;

	out_printf(o, "\"");
	while (*p) {
		n = utf8_len(p);
		if (*p == '"' || *p == '\\') {
			out_printf(o, "\\%c", *p);
		} else if (*p == '\n') {
			out_printf(o, "\\n");
		} else if (*p == '\t') {
			out_printf(o, "\\t");
		} else if (*p < 0x20 || *p == 0x7f || !n) {
			out_printf(o, "\\u%04x", *p);
			n = 1;
		} else {
			out_printf(o, "%.*s", (int)n, (const char *)p);
		}
		p += n ? n : 1;
	}
	out_printf(o, "\"");
}

/* The separator and key of the next member of an object. */
static inline void out_jkey(struct out *o, const char *key)
{
	if (!o->first)
		out_printf(o, ",");
	o->first = false;
	if (key) {
		out_jstr(o, key);
		out_printf(o, ":");
	}
}

static inline void out_jopen(struct out *o, const char *key, char brace)
{
	out_jkey(o, key);
	out_printf(o, "%c", brace);
	o->first = true;
}

static inline void out_jclose(struct out *o, char brace)
{
	out_printf(o, "%c", brace);
	o->first = false;
}

static inline void out_jstring(struct out *o, const char *key, const char *v)
{
	out_jkey(o, key);
	if (v)
		out_jstr(o, v);
	else
		out_printf(o, "null");
}

static inline void out_juint(struct out *o, const char *key, uint64_t v)
{
	out_jkey(o, key);
	out_printf(o, "%llu", (unsigned long long)v);
}

static inline void out_jint(struct out *o, const char *key, int64_t v)
{
	out_jkey(o, key);
	out_printf(o, "%lld", (long long)v);
}

static inline void out_jbool(struct out *o, const char *key, bool v)
{
	out_jkey(o, key);
	out_printf(o, v ? "true" : "false");
}

static inline void out_jnull(struct out *o, const char *key)
{
	out_jkey(o, key);
	out_printf(o, "null");
}

#endif /* _WATCHQ_OUT_H */
