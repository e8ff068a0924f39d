/*
 * test_field_json_fuzz.c -- JSON paths (src/field/field_json.c) against
 * jansson as the oracle; skipped (77) when built without jansson.
 *
 * 20,000 random documents (random nesting, strings with escapes and every
 * UTF-8 length, digit keys, keys ladle cannot address, integers and reals)
 * drawn from a fixed-seed PRNG, serialized by json_dumps with varying flags
 * (compact or not, ASCII-only escaping, escaped slashes, indentation,
 * sorted keys) and, for a quarter of them, with random whitespace around
 * every token. For existing paths, paths that leave the document, and
 * random paths, ladle must agree with a jansson walk of the same path
 * (field.h's rule: an all-digit segment indexes an array, else is a key):
 * MISSING exactly when jansson finds nothing; strings byte-equal after
 * unescaping; other values parse back (json_loadb) to a value json_equal to
 * jansson's.
 *
 * Then random byte mutations of every document: ladle must return
 * OK/MISSING/BAD and never read outside the record (each record sits in a
 * heap buffer of its exact size, so ASan sees any overread); when jansson
 * still accepts the mutant (strictly: no duplicate keys), ladle must agree
 * with it as above.
 */
#include <stdio.h>

#ifndef LADLE_HAVE_JANSSON
int main(void)
{
    fprintf(stderr, "test_field_json_fuzz: skipped (built without jansson)\n");
    return 77;
}
#else

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "field/field.h"
#include "test_stat.h"
#include "test_util.h"

#define DOCS 20000
#define PATHS_PER_DOC 8
#define PATH_MAX_LEN 512

static struct ladle_field_scratch *S;
static uint64_t rng_state = 20240611;
static int reported;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state); /* the suite's one generator (test_stat.c) */
}

/* ---- random documents ---- */

static size_t put_utf8(char *out, uint32_t cp)
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

/* Random valid UTF-8 without NUL, weighted toward what needs escaping. */
static size_t rand_text(char *out, size_t max_chars)
{
    static const char special[] = "\"\\/\b\f\n\r\t\x01\x1f.";
    size_t n = 0, chars = t_below(&rng_state, max_chars + 1);
    for (size_t i = 0; i < chars; i++) {
        size_t r = t_below(&rng_state, 100);
        uint32_t cp;
        if (r < 55)
            cp = 0x20 + (uint32_t)t_below(&rng_state, 0x5F);
        else if (r < 70)
            cp = (uint8_t)special[t_below(&rng_state, sizeof special - 1)];
        else if (r < 82)
            cp = 0x80 + (uint32_t)t_below(&rng_state, 0x800 - 0x80);
        else if (r < 94) {
            do
                cp = 0x800 + (uint32_t)t_below(&rng_state, 0x10000 - 0x800);
            while (cp >= 0xD800 && cp <= 0xDFFF);
        } else
            cp = 0x10000 + (uint32_t)t_below(&rng_state, 0x110000 - 0x10000);
        n += put_utf8(out + n, cp);
    }
    out[n] = '\0';
    return n;
}

static const char *const KEYS[] = {
    "a",     "b",           "id",   "user",        "items",
    "0",     "1",           "2",    "10",          "x.y",
    "",      "caf\xC3\xA9", "k\"q", "back\\slash", "\xF0\x9F\x98\x80",
    "sp ace"};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

static void rand_key(char *out)
{
    if (t_below(&rng_state, 2))
        strcpy(out, KEYS[t_below(&rng_state, NKEYS)]);
    else
        rand_text(out, 6);
}

static json_t *rand_number(void)
{
    switch (t_below(&rng_state, 6)) {
    case 0: return json_integer((json_int_t)t_below(&rng_state, 10));
    case 1: return json_integer(-(json_int_t)t_below(&rng_state, 100000));
    case 2: return json_integer((json_int_t)rnd());
    case 3: return json_real((double)(int64_t)rnd() / 65536.0);
    case 4:
        return json_real(ldexp((double)t_below(&rng_state, 1u << 30) + 1,
                               (int)t_below(&rng_state, 2000) - 1000));
    default: return json_real(-1.0 / (double)(t_below(&rng_state, 1000) + 1));
    }
}

static json_t *rand_value(size_t depth, size_t max_depth)
{
    size_t r = t_below(&rng_state, 12);
    if (depth < max_depth && r < 3) {
        json_t *o = json_object();
        size_t n = t_below(&rng_state, 7);
        char key[64];
        for (size_t i = 0; i < n; i++) {
            rand_key(key);
            json_object_set_new(o, key, rand_value(depth + 1, max_depth));
        }
        return o;
    }
    if (depth < max_depth && r < 5) {
        json_t *a = json_array();
        size_t n = t_below(&rng_state, 6);
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, rand_value(depth + 1, max_depth));
        return a;
    }
    char text[200];
    switch (t_below(&rng_state, 7)) {
    case 0:
    case 1:
    case 2: rand_text(text, 24); return json_string(text);
    case 3:
    case 4: return rand_number();
    case 5: return json_boolean(t_below(&rng_state, 2));
    default: return json_null();
    }
}

/* Copies the text with 0..2 random blanks around every token outside strings. */
static char *respace(const char *in)
{
    static const char blanks[] = " \t\r\n";
    size_t n = strlen(in), k = 0;
    char *out = malloc(n * 5 + 8);
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (in_str) {
            out[k++] = c;
            if (c == '\\')
                out[k++] = in[++i];
            else if (c == '"')
                in_str = 0;
            continue;
        }
        int tok = strchr("{}[],:", c) != NULL;
        for (size_t b = tok ? t_below(&rng_state, 3) : 0; b; b--)
            out[k++] = blanks[t_below(&rng_state, 4)];
        out[k++] = c;
        in_str = c == '"';
        for (size_t b = tok ? t_below(&rng_state, 3) : 0; b; b--)
            out[k++] = blanks[t_below(&rng_state, 4)];
    }
    out[k] = '\0';
    return out;
}

/* ---- paths ---- */

static int addressable(const char *key)
{
    return key[0] && !strchr(key, '.');
}

static int all_digits(const char *s)
{
    return s[strspn(s, "0123456789")] == '\0';
}

/* Walks root like ladle does; NULL when the path leads nowhere. */
static json_t *resolve(json_t *root, const char *spec)
{
    char buf[PATH_MAX_LEN];
    snprintf(buf, sizeof buf, "%s", spec);
    json_t *cur = root;
    for (char *seg = buf, *next; cur && seg; seg = next) {
        next = strchr(seg, '.');
        if (next)
            *next++ = '\0';
        if (json_is_array(cur) && all_digits(seg)) {
            size_t idx = 0;
            for (const char *d = seg; *d; d++)
                idx = idx > (SIZE_MAX - 9) / 10 ? SIZE_MAX : idx * 10 + (size_t)(*d - '0');
            cur = json_array_get(cur, idx);
        } else {
            cur = json_is_object(cur) ? json_object_get(cur, seg) : NULL;
        }
    }
    return cur;
}

static void append_seg(char *spec, const char *seg)
{
    size_t n = strlen(spec);
    if (n + strlen(seg) + 2 > PATH_MAX_LEN)
        return;
    if (n)
        spec[n++] = '.';
    strcpy(spec + n, seg);
}

/* A random existing path into root (may stop anywhere past the first step). */
static void existing_path(json_t *root, char *spec)
{
    spec[0] = '\0';
    json_t *cur = root;
    for (;;) {
        if (spec[0] && t_below(&rng_state, 4) == 0)
            return;
        char seg[64];
        if (json_is_object(cur) && json_object_size(cur)) {
            size_t want = t_below(&rng_state, json_object_size(cur)), i = 0;
            const char *key;
            json_t *val;
            json_object_foreach(cur, key, val)
            {
                if (i++ == want)
                    break;
            }
            if (!addressable(key))
                return;
            append_seg(spec, key);
            cur = val;
        } else if (json_is_array(cur) && json_array_size(cur)) {
            size_t i = t_below(&rng_state, json_array_size(cur));
            snprintf(seg, sizeof seg, "%zu", i);
            append_seg(spec, seg);
            cur = json_array_get(cur, i);
        } else {
            return;
        }
    }
}

static void rand_seg(char *seg)
{
    do {
        if (t_below(&rng_state, 3) == 0)
            snprintf(seg, 64, "%zu", t_below(&rng_state, 8));
        else
            rand_key(seg);
    } while (!addressable(seg));
}

/* Existing paths, paths that step off them, random paths. */
static void make_paths(json_t *root, char paths[][PATH_MAX_LEN], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char seg[64];
        if (i < n / 2) {
            existing_path(root, paths[i]);
        } else if (i + 1 < n) {
            existing_path(root, paths[i]);
            for (size_t k = 1 + t_below(&rng_state, 2); k; k--) {
                rand_seg(seg);
                append_seg(paths[i], seg);
            }
        } else {
            paths[i][0] = '\0';
            for (size_t k = 1 + t_below(&rng_state, 3); k; k--) {
                rand_seg(seg);
                append_seg(paths[i], seg);
            }
        }
    }
}

/* ---- checks ---- */

static void report(const char *what, const char *rec, size_t len, const char *spec,
                   enum ladle_field_result r, const char *v, size_t n)
{
    t_failures++;
    if (++reported > 10)
        return;
    fprintf(stderr, "%s: path '%s' on '%.*s': got %d '%.*s'\n", what, spec,
            (int)(len > 600 ? 600 : len), rec, (int)r, v ? (int)(n > 200 ? 200 : n) : 0,
            v ? v : "");
}

/* Extracts spec from rec (exactly len bytes on the heap) and, when root is
 * not NULL, compares with jansson. Returns the result. */
static enum ladle_field_result check(const char *rec, size_t len, json_t *root, const char *spec)
{
    if (!spec[0])
        return LADLE_FIELD_MISSING;
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL;
    if (ladle_field_compile(&f, spec, LADLE_FORMAT_JSON, 0, &err) != LADLE_OK) {
        report(err.msg, rec, len, spec, LADLE_FIELD_BAD, NULL, 0);
        return LADLE_FIELD_BAD;
    }
    const char *v;
    size_t n;
    enum ladle_field_result r = ladle_field_get(f, NULL, rec, len, S, &v, &n);
    ladle_field_free(f);
    if (r != LADLE_FIELD_OK && r != LADLE_FIELD_MISSING && r != LADLE_FIELD_BAD)
        report("unexpected result", rec, len, spec, r, NULL, 0);
    if (!root)
        return r;
    json_t *node = resolve(root, spec);
    if (!node) {
        if (r != LADLE_FIELD_MISSING)
            report("jansson finds nothing", rec, len, spec, r, v, n);
        return r;
    }
    if (r != LADLE_FIELD_OK) {
        report("jansson finds a value", rec, len, spec, r, NULL, 0);
        return r;
    }
    if (json_is_string(node)) {
        if (n != json_string_length(node) || memcmp(v, json_string_value(node), n) != 0)
            report("string differs from jansson's", rec, len, spec, r, v, n);
        return r;
    }
    json_error_t jerr;
    json_t *back = json_loadb(v, n, JSON_DECODE_ANY, &jerr);
    if (!back || !json_equal(back, node))
        report("value differs from jansson's", rec, len, spec, r, v, n);
    json_decref(back);
    return r;
}

static size_t mutate(char *buf, size_t len, size_t cap)
{
    static const char interesting[] = "{}[]\":,\\u0123456789eE.-+ tfnrl\x00\xff\xc3";
    for (size_t k = 1 + t_below(&rng_state, 4); k && len; k--) {
        size_t at = t_below(&rng_state, len);
        switch (t_below(&rng_state, 5)) {
        case 0: buf[at] = interesting[t_below(&rng_state, sizeof interesting - 1)]; break;
        case 1: buf[at] = (char)t_below(&rng_state, 256); break;
        case 2:
            memmove(buf + at, buf + at + 1, len - at - 1);
            len--;
            break;
        case 3:
            if (len < cap) {
                memmove(buf + at + 1, buf + at, len - at);
                buf[at] = interesting[t_below(&rng_state, sizeof interesting - 1)];
                len++;
            }
            break;
        default: len = at; break;
        }
    }
    return len;
}

static const size_t FLAGS[] = {
    0,
    JSON_COMPACT,
    JSON_ENSURE_ASCII,
    JSON_COMPACT | JSON_ENSURE_ASCII,
    JSON_COMPACT | JSON_ESCAPE_SLASH,
    JSON_INDENT(2),
    JSON_INDENT(1) | JSON_ENSURE_ASCII | JSON_SORT_KEYS,
    JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH,
};

static void test_fuzz(void)
{
    static char paths[PATHS_PER_DOC][PATH_MAX_LEN];
    size_t ok = 0, missing = 0, bad = 0, mutants_valid = 0;
    for (size_t d = 0; d < DOCS; d++) {
        json_t *root = t_below(&rng_state, 10) ? json_object() : json_array();
        size_t max_depth = 1 + t_below(&rng_state, 7), n = 1 + t_below(&rng_state, 8);
        char key[64];
        for (size_t i = 0; i < n; i++) {
            json_t *v = rand_value(1, max_depth);
            if (json_is_object(root)) {
                rand_key(key);
                json_object_set_new(root, key, v);
            } else {
                json_array_append_new(root, v);
            }
        }
        char *text = json_dumps(root, FLAGS[t_below(&rng_state, sizeof FLAGS / sizeof FLAGS[0])]);
        if (t_below(&rng_state, 4) == 0) {
            char *spaced = respace(text);
            free(text);
            text = spaced;
        }
        size_t len = strlen(text);
        char *rec = malloc(len + 1);
        memcpy(rec, text, len);
        if (t_below(&rng_state, 2))
            rec[len++] = '\n';
        make_paths(root, paths, PATHS_PER_DOC);
        size_t doc_bad = 0;
        for (size_t i = 0; i < PATHS_PER_DOC; i++) {
            enum ladle_field_result r = check(rec, len, root, paths[i]);
            ok += r == LADLE_FIELD_OK;
            missing += r == LADLE_FIELD_MISSING;
            doc_bad += r == LADLE_FIELD_BAD;
        }
        CHECKF(doc_bad == 0 || reported > 10, "valid JSON read as BAD: %s", text);
        bad += doc_bad;

        /* Mutants: in a bigger buffer, then copied to one of their exact size. */
        char *work = malloc(len + 8);
        memcpy(work, rec, len);
        size_t mlen = mutate(work, len, len + 8);
        char *mut = malloc(mlen ? mlen : 1);
        memcpy(mut, work, mlen);
        json_error_t jerr;
        json_t *mroot = json_loadb(mut, mlen, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
        mutants_valid += mroot != NULL;
        for (size_t i = 0; i < PATHS_PER_DOC; i++)
            check(mut, mlen, mroot, paths[i]);
        json_decref(mroot);
        free(mut);
        free(work);
        free(rec);
        free(text);
        json_decref(root);
    }
    fprintf(stderr,
            "test_field_json_fuzz: %d docs: %zu OK, %zu MISSING, %zu BAD; "
            "%zu mutants jansson accepts\n",
            DOCS, ok, missing, bad, mutants_valid);
    CHECK(ok > DOCS && missing > DOCS);
}

int main(void)
{
    S = ladle_field_scratch_new();
    CHECK(S);
    test_fuzz();
    ladle_field_scratch_free(S);
    return t_done("test_field_json_fuzz");
}

#endif
