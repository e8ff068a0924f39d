/*
 * field_json.c -- a dot path into one JSON value per line, without a DOM.
 *
 * The path is walked in place: at each level the scanner reads member keys
 * (or counts array elements) and steps over every value it does not need
 * with skip_value, which is iterative (a bit stack of 2048 levels, the
 * depth jansson allows too; deeper is BAD), so hostile nesting cannot
 * overflow the thread's stack. Nothing is built and nothing allocated; only
 * a string value holding escapes is decoded, into the scratch.
 *
 * Rules (see field.h for the path grammar):
 * - keys compare after unescaping; the first of duplicate keys wins (the
 *   scan stops there; jansson keeps the last);
 * - a string value is returned unescaped (\uXXXX and surrogate pairs to
 *   UTF-8; a lone surrogate is BAD, as in jansson); numbers, true, false
 *   and null as their raw text; objects and arrays as their raw text;
 * - a path through a valid scalar (or a key into an array) is MISSING; a
 *   path through malformed JSON is BAD.
 *
 * Validation is strict on the path taken and on the values skipped (commas,
 * colons, brackets, number grammar, literals), with two leniencies that
 * keep string scanning to a search for the next quote or backslash:
 * strings that are only skipped have their escapes delimited but not
 * checked, and raw control bytes or invalid UTF-8 in strings pass through.
 * Bytes after the value are not read.
 */
#include "field/field_ops.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define JSON_MAX_DEPTH 2048

struct json_seg {
    const char *key; /* borrowed from json_path.text */
    size_t len;
    size_t index; /* all-digit keys: the array index (SIZE_MAX if huge) */
    int is_index;
};

struct json_path {
    char *text; /* owns: the path, '.' replaced by '\0' */
    size_t n;
    struct json_seg seg[];
};

/* ---- scanning ---- */

static inline const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

#if defined(__SSE2__)
/* Offset of the first '"' or backslash in the 16 bytes at p, or 16. */
static inline unsigned quote_or_backslash16(const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hit =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    unsigned m = (unsigned)_mm_movemask_epi8(hit);
    return m ? (unsigned)__builtin_ctz(m) : 16;
}
#endif

/* start: just past an opening quote. Returns the closing quote, or NULL;
 * *escaped tells whether a backslash came before it. Hot path: strings are
 * most of a JSON line, so on x86-64 this looks at 16 bytes a step (SSE2,
 * unaligned, never past end) for the next '"' or backslash. */
static const char *string_end(const char *start, const char *end, int *escaped)
{
    const char *p = start;
    *escaped = 0;
    for (;;) {
#if defined(__SSE2__)
        while (end - p >= 16) {
            unsigned at = quote_or_backslash16(p);
            p += at;
            if (at < 16)
                break;
        }
#endif
        while (p < end && *p != '"' && *p != '\\')
            p++;
        if (p == end)
            return NULL;
        if (*p == '"')
            return p;
        *escaped = 1;
        if (end - p < 2)
            return NULL;
        p += 2; /* the escaped byte cannot close the string */
    }
}

static inline int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *skip_digits(const char *p, const char *end)
{
    while (p < end && is_digit(*p))
        p++;
    return p;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static const char *skip_number(const char *p, const char *end)
{
    if (p < end && *p == '-')
        p++;
    if (p == end || !is_digit(*p))
        return NULL;
    p = *p == '0' ? p + 1 : skip_digits(p, end);
    if (p < end && *p == '.') {
        p++;
        if (p == end || !is_digit(*p))
            return NULL;
        p = skip_digits(p, end);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return NULL;
        p = skip_digits(p, end);
    }
    return p;
}

static const char *skip_literal(const char *p, const char *end, const char *lit, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0 ? p + n : NULL;
}

/* A number or literal must end at whitespace, ',', '}', ']' or the end:
 * "truex" and "12x" are malformed, not "true" and "12". */
static int ends_token(const char *p, const char *end)
{
    return p == end || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',' ||
           *p == '}' || *p == ']';
}

static const char *skip_scalar(const char *p, const char *end)
{
    const char *q;
    switch (*p) {
    case '"': {
        int escaped;
        q = string_end(p + 1, end, &escaped);
        return q ? q + 1 : NULL;
    }
    case 't': q = skip_literal(p, end, "true", 4); break;
    case 'f': q = skip_literal(p, end, "false", 5); break;
    case 'n': q = skip_literal(p, end, "null", 4); break;
    default: q = skip_number(p, end); break;
    }
    return q && ends_token(q, end) ? q : NULL;
}

/* p: a member's key. Returns the first byte of the member's value. */
static const char *skip_key(const char *p, const char *end)
{
    if (p == end || *p != '"')
        return NULL;
    int escaped;
    const char *q = string_end(p + 1, end, &escaped);
    if (!q)
        return NULL;
    p = ws(q + 1, end);
    if (p == end || *p != ':')
        return NULL;
    return ws(p + 1, end);
}

/* p: the first byte of a value. Returns the byte after it, or NULL when
 * malformed or nested deeper than JSON_MAX_DEPTH. Iterative: the open
 * containers live in a bit stack (1: object). */
static const char *skip_value(const char *p, const char *end)
{
    uint64_t objects[JSON_MAX_DEPTH / 64];
    size_t depth = 0;
    for (;;) {
        if (p == end)
            return NULL;
        if (*p == '{' || *p == '[') {
            if (depth == JSON_MAX_DEPTH)
                return NULL;
            int obj = *p == '{';
            uint64_t bit = (uint64_t)1 << (depth % 64);
            if (depth % 64 == 0)
                objects[depth / 64] = 0;
            objects[depth / 64] = obj ? objects[depth / 64] | bit : objects[depth / 64] & ~bit;
            depth++;
            p = ws(p + 1, end);
            if (p == end || *p != (obj ? '}' : ']')) {
                if (obj && !(p = skip_key(p, end)))
                    return NULL;
                continue; /* to the first element */
            }
            p++;
            depth--;
        } else if (!(p = skip_scalar(p, end))) {
            return NULL;
        }
        /* A value ended: close containers, or step to the next element. */
        for (;;) {
            if (depth == 0)
                return p;
            int obj = (int)(objects[(depth - 1) / 64] >> ((depth - 1) % 64)) & 1;
            p = ws(p, end);
            if (p == end)
                return NULL;
            if (*p == ',') {
                p = ws(p + 1, end);
                if (obj && !(p = skip_key(p, end)))
                    return NULL;
                break;
            }
            if (*p != (obj ? '}' : ']'))
                return NULL;
            p++;
            depth--;
        }
    }
}

/* ---- unescaping ---- */

static int hex4(const char *p, const char *end, unsigned *out)
{
    if (end - p < 4)
        return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

static int utf8_put(unsigned cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes the escape at *pp (a backslash) into out as UTF-8 and moves *pp
 * past it. Returns the bytes written (1..4, never more than the escape's
 * own length), or -1 when invalid. */
static int unescape_one(const char **pp, const char *end, char *out)
{
    const char *p = *pp + 1;
    if (p == end)
        return -1;
    char c = *p++;
    switch (c) {
    case '"':
    case '\\':
    case '/': out[0] = c; break;
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'u': {
        unsigned cp, lo;
        if (!hex4(p, end, &cp))
            return -1;
        p += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return -1;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, end, &lo) ||
                lo < 0xDC00 || lo > 0xDFFF)
                return -1;
            p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        *pp = p;
        return utf8_put(cp, out);
    }
    default: return -1;
    }
    *pp = p;
    return 1;
}

/* Unescapes the string body s..e into out (room for e - s bytes). Returns
 * the length, or -1 for a bad escape. */
static ptrdiff_t unescape(const char *s, const char *e, char *out)
{
    char *o = out;
    for (;;) {
        const char *bs = memchr(s, '\\', (size_t)(e - s));
        size_t run = (size_t)((bs ? bs : e) - s);
        memcpy(o, s, run);
        o += run;
        if (!bs)
            return o - out;
        s = bs;
        int n = unescape_one(&s, e, o);
        if (n < 0)
            return -1;
        o += n;
    }
}

/* Compares the raw key body k..e with seg after unescaping: 1 equal, 0 not,
 * -1 for a bad escape met before a difference. */
static int key_equals(const char *k, const char *e, int escaped, const struct json_seg *seg)
{
    size_t raw = (size_t)(e - k);
    if (!escaped)
        return raw == seg->len && memcmp(k, seg->key, raw) == 0;
    if (raw < seg->len) /* unescaping never lengthens */
        return 0;
    size_t i = 0;
    while (k < e) {
        if (*k != '\\') {
            if (i == seg->len || seg->key[i] != *k)
                return 0;
            i++;
            k++;
            continue;
        }
        char buf[4];
        int n = unescape_one(&k, e, buf);
        if (n < 0)
            return -1;
        if (seg->len - i < (size_t)n || memcmp(seg->key + i, buf, (size_t)n) != 0)
            return 0;
        i += (size_t)n;
    }
    return i == seg->len;
}

/* ---- the walk ---- */

/* *pp: an object's '{'. On OK, *pp is the first byte of seg's value. */
static enum ladle_field_result find_member(const char **pp, const char *end,
                                           const struct json_seg *seg)
{
    const char *p = ws(*pp + 1, end);
    if (p < end && *p == '}')
        return LADLE_FIELD_MISSING;
    for (;;) {
        if (p == end || *p != '"')
            return LADLE_FIELD_BAD;
        int escaped;
        const char *k = p + 1, *ke = string_end(k, end, &escaped);
        if (!ke)
            return LADLE_FIELD_BAD;
        p = ws(ke + 1, end);
        if (p == end || *p != ':')
            return LADLE_FIELD_BAD;
        p = ws(p + 1, end);
        int eq = key_equals(k, ke, escaped, seg);
        if (eq < 0)
            return LADLE_FIELD_BAD;
        if (eq) {
            *pp = p;
            return LADLE_FIELD_OK;
        }
        if (!(p = skip_value(p, end)))
            return LADLE_FIELD_BAD;
        p = ws(p, end);
        if (p < end && *p == '}')
            return LADLE_FIELD_MISSING;
        if (p == end || *p != ',')
            return LADLE_FIELD_BAD;
        p = ws(p + 1, end);
    }
}

/* *pp: an array's '['. On OK, *pp is the first byte of element index. */
static enum ladle_field_result find_element(const char **pp, const char *end, size_t index)
{
    const char *p = ws(*pp + 1, end);
    if (p < end && *p == ']')
        return LADLE_FIELD_MISSING;
    for (size_t i = 0;; i++) {
        if (i == index) {
            *pp = p;
            return LADLE_FIELD_OK;
        }
        if (!(p = skip_value(p, end)))
            return LADLE_FIELD_BAD;
        p = ws(p, end);
        if (p < end && *p == ']')
            return LADLE_FIELD_MISSING;
        if (p == end || *p != ',')
            return LADLE_FIELD_BAD;
        p = ws(p + 1, end);
    }
}

/* p: the first byte of the value the path leads to. */
static enum ladle_field_result json_value(const char *p, const char *end,
                                          struct ladle_field_scratch *s, const char **value,
                                          size_t *vlen)
{
    if (p == end)
        return LADLE_FIELD_BAD;
    if (*p == '"') {
        int escaped;
        const char *b = p + 1, *e = string_end(b, end, &escaped);
        if (!e)
            return LADLE_FIELD_BAD;
        if (!escaped) {
            *value = b;
            *vlen = (size_t)(e - b);
            return LADLE_FIELD_OK;
        }
        char *out = ladle_field_scratch_reserve(s, (size_t)(e - b));
        if (!out)
            return LADLE_FIELD_NOMEM;
        ptrdiff_t n = unescape(b, e, out);
        if (n < 0)
            return LADLE_FIELD_BAD;
        *value = out;
        *vlen = (size_t)n;
        return LADLE_FIELD_OK;
    }
    const char *q = skip_value(p, end);
    if (!q)
        return LADLE_FIELD_BAD;
    *value = p;
    *vlen = (size_t)(q - p);
    return LADLE_FIELD_OK;
}

static enum ladle_field_result json_get(const struct ladle_field *f, size_t column, const char *rec,
                                        size_t len, struct ladle_field_scratch *s,
                                        const char **value, size_t *vlen)
{
    (void)column;
    const struct json_path *path = f->impl;
    const char *p = rec, *end = rec + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    p = ws(p, end);
    for (size_t i = 0; i < path->n; i++) {
        const struct json_seg *seg = &path->seg[i];
        enum ladle_field_result r;
        if (p == end)
            return LADLE_FIELD_BAD;
        if (*p == '{')
            r = find_member(&p, end, seg);
        else if (*p == '[' && seg->is_index)
            r = find_element(&p, end, seg->index);
        else
            return skip_value(p, end) ? LADLE_FIELD_MISSING : LADLE_FIELD_BAD;
        if (r != LADLE_FIELD_OK)
            return r;
    }
    return json_value(p, end, s, value, vlen);
}

/* --format auto: records that do not open with '{' are free text, and free
 * text has no fields (MISSING) other than re: ones, which never get here. */
static enum ladle_field_result json_auto_get(const struct ladle_field *f, size_t column,
                                             const char *rec, size_t len,
                                             struct ladle_field_scratch *s, const char **value,
                                             size_t *vlen)
{
    if (ladle_format_detect(rec, len) != LADLE_FORMAT_JSON)
        return LADLE_FIELD_MISSING;
    return json_get(f, column, rec, len, s, value, vlen);
}

/* ---- the path ---- */

static ladle_status json_compile(struct ladle_field *f, const char *body, struct ladle_error *err)
{
    size_t n = 1;
    for (const char *c = body; *c; c++)
        n += *c == '.';
    struct json_path *path = calloc(1, sizeof *path + n * sizeof path->seg[0]);
    if (!path || !(path->text = strdup(body))) {
        free(path);
        return ladle_error_set(err, LADLE_E_INTERNAL, "field '%s': out of memory", f->spec);
    }
    f->impl = path;
    path->n = n;
    char *k = path->text;
    for (size_t i = 0; i < n; i++) {
        struct json_seg *seg = &path->seg[i];
        char *dot = strchr(k, '.');
        if (dot)
            *dot = '\0';
        seg->key = k;
        seg->len = strlen(k);
        if (seg->len == 0)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "field '%s': empty key in the path (segment %zu)", f->spec,
                                   i + 1);
        seg->is_index = strspn(k, "0123456789") == seg->len;
        seg->index = 0;
        for (size_t j = 0; seg->is_index && j < seg->len; j++) {
            size_t d = (size_t)(k[j] - '0');
            seg->index = seg->index > (SIZE_MAX - d) / 10 ? SIZE_MAX : seg->index * 10 + d;
        }
        k = dot ? dot + 1 : k + seg->len;
    }
    return LADLE_OK;
}

static void json_destroy(struct ladle_field *f)
{
    struct json_path *path = f->impl;
    if (path)
        free(path->text);
    free(path);
    f->impl = NULL;
}

const struct ladle_field_ops ladle_field_json = {
    .name = "json",
    .compile = json_compile,
    .find_column = NULL,
    .get = json_get,
    .destroy = json_destroy,
};

const struct ladle_field_ops ladle_field_json_auto = {
    .name = "auto",
    .compile = json_compile,
    .find_column = NULL,
    .get = json_auto_get,
    .destroy = json_destroy,
};
