/*
 * test_field_json.c -- JSON paths (src/field/field_json.c).
 *
 * By hand: nested paths, array indexes, digit keys in objects, escaped keys
 * and values (\u00e9, surrogate pairs), raw numbers, booleans and null,
 * objects and arrays as raw text, whitespace everywhere, missing keys,
 * paths through scalars, duplicate keys (first wins), malformed records
 * (BAD), and nesting far deeper than any stack (BAD, no crash).
 *
 * The randomized comparison with jansson is test_field_json_fuzz.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "field/field.h"
#include "test_util.h"

static struct ladle_field_scratch *S;

static struct ladle_field *compile(const char *spec)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL;
    ladle_status st = ladle_field_compile(&f, spec, LADLE_FORMAT_JSON, 0, &err);
    CHECKF(st == LADLE_OK && f, "compile '%s': %s", spec, err.msg);
    return f;
}

/* Extracts path from rec (copied into a buffer of its exact size). */
#define EXPECT(path, rec, res, want) expect(__LINE__, path, rec, res, want, want_len(want))
static size_t want_len(const char *want)
{
    return want ? strlen(want) : 0;
}

static void expect(int line, const char *path, const char *rec, enum ladle_field_result res,
                   const char *want, size_t wlen)
{
    struct ladle_field *f = compile(path);
    if (!f)
        return;
    size_t len = strlen(rec);
    char *copy = malloc(len ? len : 1);
    memcpy(copy, rec, len);
    const char *v = "unset";
    size_t n = 99;
    enum ladle_field_result r = ladle_field_get(f, NULL, copy, len, S, &v, &n);
    int ok = r == res;
    if (ok && res == LADLE_FIELD_OK)
        ok = n == wlen && memcmp(v, want, n) == 0;
    if (ok && res != LADLE_FIELD_OK)
        ok = v == NULL && n == 0;
    if (!ok) {
        fprintf(stderr, "%s:%d: path '%s' on '%s': got %d '%.*s', want %d '%s'\n", __FILE__, line,
                path, rec, (int)r, v ? (int)n : 0, v ? v : "", (int)res, want ? want : "");
        t_failures++;
    }
    free(copy);
    ladle_field_free(f);
}

static void test_paths(void)
{
    const char *doc = "{\"user\":{\"id\":123,\"name\":\"bob\"},\"items\":[{\"sku\":\"a\"},"
                      "{\"sku\":\"b\",\"n\":[10,[20,21]]}],\"0\":\"zero\",\"m\":{\"1\":\"one\"}}\n";
    EXPECT("user.id", doc, LADLE_FIELD_OK, "123");
    EXPECT("user.name", doc, LADLE_FIELD_OK, "bob");
    EXPECT("user", doc, LADLE_FIELD_OK, "{\"id\":123,\"name\":\"bob\"}");
    EXPECT("items.0.sku", doc, LADLE_FIELD_OK, "a");
    EXPECT("items.1.sku", doc, LADLE_FIELD_OK, "b");
    EXPECT("items.1.n.1.0", doc, LADLE_FIELD_OK, "20");
    EXPECT("items.1.n.1", doc, LADLE_FIELD_OK, "[20,21]");
    EXPECT("items.0", doc, LADLE_FIELD_OK, "{\"sku\":\"a\"}");
    EXPECT("items.01.sku", doc, LADLE_FIELD_OK, "b");
    EXPECT("items.2.sku", doc, LADLE_FIELD_MISSING, NULL);
    EXPECT("items.99999999999999999999999", doc, LADLE_FIELD_MISSING, NULL);
    EXPECT("items.sku", doc, LADLE_FIELD_MISSING, NULL);
    /* All-digit keys in objects are keys. */
    EXPECT("0", doc, LADLE_FIELD_OK, "zero");
    EXPECT("m.1", doc, LADLE_FIELD_OK, "one");
    EXPECT("m.0", doc, LADLE_FIELD_MISSING, NULL);
    /* Missing keys and paths through scalars. */
    EXPECT("user.email", doc, LADLE_FIELD_MISSING, NULL);
    EXPECT("nobody", doc, LADLE_FIELD_MISSING, NULL);
    EXPECT("user.id.x", doc, LADLE_FIELD_MISSING, NULL);
    EXPECT("user.name.0", doc, LADLE_FIELD_MISSING, NULL);
    EXPECT("a.b", "{\"a\":null}", LADLE_FIELD_MISSING, NULL);
    EXPECT("a.b", "{\"a\":true}", LADLE_FIELD_MISSING, NULL);
    EXPECT("a", "{}", LADLE_FIELD_MISSING, NULL);
    EXPECT("a.b", "{\"a\":{}}", LADLE_FIELD_MISSING, NULL);
    EXPECT("a.0", "{\"a\":[]}", LADLE_FIELD_MISSING, NULL);
    EXPECT("a", "\"just a string\"", LADLE_FIELD_MISSING, NULL);
    EXPECT("a", "42", LADLE_FIELD_MISSING, NULL);
    /* A top-level array (--format json takes any value). */
    EXPECT("1", "[10, 20]", LADLE_FIELD_OK, "20");
    EXPECT("1.a", "[10, {\"a\": \"x\"}]", LADLE_FIELD_OK, "x");
    /* Duplicate keys: the first wins. */
    EXPECT("a", "{\"a\":1,\"a\":2}", LADLE_FIELD_OK, "1");
    EXPECT("a.b", "{\"a\":{\"c\":0},\"a\":{\"b\":2}}", LADLE_FIELD_MISSING, NULL);
    /* Raw text of scalars. */
    EXPECT("n", "{\"n\":-1.5e+10}", LADLE_FIELD_OK, "-1.5e+10");
    EXPECT("n", "{\"n\":0}", LADLE_FIELD_OK, "0");
    EXPECT("n", "{\"n\":-0.0E-0}", LADLE_FIELD_OK, "-0.0E-0");
    EXPECT("n", "{\"n\":12345678901234567890123}", LADLE_FIELD_OK, "12345678901234567890123");
    EXPECT("t", "{\"t\":true,\"f\":false,\"z\":null}", LADLE_FIELD_OK, "true");
    EXPECT("f", "{\"t\":true,\"f\":false,\"z\":null}", LADLE_FIELD_OK, "false");
    EXPECT("z", "{\"t\":true,\"f\":false,\"z\":null}", LADLE_FIELD_OK, "null");
    EXPECT("s", "{\"s\":\"\"}", LADLE_FIELD_OK, "");
    EXPECT("a", "{\"a\": {\"b\": [1, 2]} , \"c\":0}", LADLE_FIELD_OK, "{\"b\": [1, 2]}");
    EXPECT("a", "{\"a\": []}", LADLE_FIELD_OK, "[]");
    /* Whitespace everywhere, CRLF, a byte order mark. */
    const char *spaced = " \t{ \n \"a\" \r : \t [ 1 , { \"b\" : \"c\" } ] \n , \"d\" : 4 } \r\n";
    EXPECT("a.1.b", spaced, LADLE_FIELD_OK, "c");
    EXPECT("d", spaced, LADLE_FIELD_OK, "4");
    EXPECT("a.0", spaced, LADLE_FIELD_OK, "1");
    EXPECT("a", spaced, LADLE_FIELD_OK, "[ 1 , { \"b\" : \"c\" } ]");
    EXPECT("a", "{\"a\":\"b\"}\r\n", LADLE_FIELD_OK, "b");
    EXPECT("a", "\xEF\xBB\xBF{\"a\":\"b\"}\n", LADLE_FIELD_OK, "b");
}

static void test_escapes(void)
{
    EXPECT("k", "{\"k\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}", LADLE_FIELD_OK,
           "a\"b\\c/d\b\f\n\r\t");
    EXPECT("k", "{\"k\":\"caf\\u00e9\"}", LADLE_FIELD_OK, "caf\xC3\xA9");
    EXPECT("k", "{\"k\":\"caf\\u00E9\"}", LADLE_FIELD_OK, "caf\xC3\xA9");
    EXPECT("k", "{\"k\":\"\\u20ac \\u0041\\u07ff\"}", LADLE_FIELD_OK, "\xE2\x82\xAC A\xDF\xBF");
    EXPECT("k", "{\"k\":\"\\ud83d\\ude00!\"}", LADLE_FIELD_OK, "\xF0\x9F\x98\x80!");
    EXPECT("k", "{\"k\":\"\\uDBFF\\uDFFF\"}", LADLE_FIELD_OK, "\xF4\x8F\xBF\xBF");
    EXPECT("k", "{\"k\":\"raw \xC3\xA9 \xF0\x9F\x98\x80\"}", LADLE_FIELD_OK,
           "raw \xC3\xA9 \xF0\x9F\x98\x80");
    expect(__LINE__, "k", "{\"k\":\"a\\u0000b\"}", LADLE_FIELD_OK, "a\0b", 3);
    /* A string ending in an escaped backslash, and an escaped quote. */
    EXPECT("k", "{\"k\":\"x\\\\\",\"j\":1}", LADLE_FIELD_OK, "x\\");
    EXPECT("j", "{\"k\":\"x\\\\\",\"j\":1}", LADLE_FIELD_OK, "1");
    EXPECT("j", "{\"k\":\"x\\\\\\\"\",\"j\":1}", LADLE_FIELD_OK, "1");
    EXPECT("j", "{\"k\":\"\\\"},\\\"j\\\":2\",\"j\":1}", LADLE_FIELD_OK, "1");
    /* Escaped keys compare after unescaping. */
    EXPECT("caf\xC3\xA9", "{\"caf\\u00e9\":1}", LADLE_FIELD_OK, "1");
    EXPECT("a\"b", "{\"a\\\"b\":2}", LADLE_FIELD_OK, "2");
    EXPECT("user.id", "{\"\\u0075ser\":{\"i\\u0064\":5}}", LADLE_FIELD_OK, "5");
    EXPECT("\xF0\x9F\x98\x80", "{\"\\ud83d\\ude00\":\"smile\"}", LADLE_FIELD_OK, "smile");
    EXPECT("a\\b", "{\"a\\\\b\":3}", LADLE_FIELD_OK, "3");
    EXPECT("a\\\\b", "{\"a\\\\b\":3}", LADLE_FIELD_MISSING, NULL);
    EXPECT("ab", "{\"a\\\\b\":3}", LADLE_FIELD_MISSING, NULL);
    /* Bad escapes in the value, and in a key that is compared. */
    EXPECT("k", "{\"k\":\"\\ud83d\"}", LADLE_FIELD_BAD, NULL);
    EXPECT("k", "{\"k\":\"\\ud83dx\"}", LADLE_FIELD_BAD, NULL);
    EXPECT("k", "{\"k\":\"\\ud83d\\u0041\"}", LADLE_FIELD_BAD, NULL);
    EXPECT("k", "{\"k\":\"\\ude00\"}", LADLE_FIELD_BAD, NULL);
    EXPECT("k", "{\"k\":\"\\x\"}", LADLE_FIELD_BAD, NULL);
    EXPECT("k", "{\"k\":\"\\u12\"}", LADLE_FIELD_BAD, NULL);
    EXPECT("k", "{\"k\":\"\\u00zz\"}", LADLE_FIELD_BAD, NULL);
    EXPECT("kk", "{\"k\\q\":1}", LADLE_FIELD_BAD, NULL);
}

static void test_malformed(void)
{
    static const char *const bad[] = {
        "",
        "   ",
        "not json",
        "{",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":1,}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":-}",
        "{\"a\":1e}",
        "{\"a\":+1}",
        "{\"a\":1x}",
        "{\"a\":truex}",
        "{\"a\":[1,2}",
        "{\"a\":{\"x\":1]}",
        "{\"a\":[1,]}",
        "{\"a\":[,1]}",
        "{\"a\":{,}}",
        "{\"a\":\"unterminated}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1,,\"b\":2}",
        "{\"a\":[1 2]}",
        "{\"a\":{\"x\" 1}}",
        "{\"a\":{\"x\":}}",
        "{\"a\":'x'}",
        "{\"a\":[\"x\"\"y\"]}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\"",
        "{\"",
        "{1:2}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        EXPECT("b", bad[i], LADLE_FIELD_BAD, NULL);
    /* Only what is scanned is validated. */
    EXPECT("a", "{\"a\":1", LADLE_FIELD_OK, "1");
    EXPECT("a", "{\"a\":1 garbage", LADLE_FIELD_OK, "1");
    EXPECT("a", "{\"a\":[1,2", LADLE_FIELD_BAD, NULL);
    EXPECT("a.0", "{\"a\":[1,]}", LADLE_FIELD_OK, "1");
    EXPECT("a.1", "{\"a\":[1,]}", LADLE_FIELD_BAD, NULL);
    EXPECT("a.1.x", "{\"a\":[1,]}", LADLE_FIELD_BAD, NULL);
    EXPECT("a.b", "{\"a\":nope}", LADLE_FIELD_BAD, NULL);
}

/* "{\"a\":" + n * '[' + n * ']' + ",\"b\":1}" (or objects) */
static char *nested(size_t n, int objects, size_t *len)
{
    char *s = malloc(n * 6 + 32);
    size_t k = 0;
    k += (size_t)sprintf(s, "{\"a\":");
    for (size_t i = 0; i < n; i++) {
        if (objects) {
            memcpy(s + k, "{\"a\":", 5);
            k += 5;
        } else {
            s[k++] = '[';
        }
    }
    if (objects)
        s[k++] = '0';
    for (size_t i = 0; i < n; i++)
        s[k++] = objects ? '}' : ']';
    k += (size_t)sprintf(s + k, ",\"b\":1}");
    *len = k;
    return s;
}

static void test_deep(void)
{
    static const struct {
        size_t n;
        int objects;
        enum ladle_field_result want;
    } cases[] = {
        {1000, 0, LADLE_FIELD_OK},    {2047, 0, LADLE_FIELD_OK},     {2048, 0, LADLE_FIELD_OK},
        {2049, 0, LADLE_FIELD_BAD},   {1000000, 0, LADLE_FIELD_BAD}, {2048, 1, LADLE_FIELD_OK},
        {300000, 1, LADLE_FIELD_BAD},
    };
    struct ladle_field *b = compile("b"), *a = compile("a");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        char *s = nested(cases[i].n, cases[i].objects, &len);
        const char *v;
        size_t vlen;
        enum ladle_field_result r = ladle_field_get(b, NULL, s, len, S, &v, &vlen);
        CHECKF(r == cases[i].want, "depth %zu: %d", cases[i].n, (int)r);
        if (r == LADLE_FIELD_OK)
            CHECK(vlen == 1 && v[0] == '1');
        r = ladle_field_get(a, NULL, s, len, S, &v, &vlen);
        CHECKF(r == cases[i].want, "depth %zu: %d", cases[i].n, (int)r);
        free(s);
    }
    /* Deep unclosed nesting at the end of a record. */
    size_t n = 100000;
    char *s = malloc(n + 5);
    memcpy(s, "{\"a\":", 5);
    memset(s + 5, '[', n);
    const char *v;
    size_t vlen;
    CHECK(ladle_field_get(b, NULL, s, n + 5, S, &v, &vlen) == LADLE_FIELD_BAD);
    free(s);
    ladle_field_free(a);
    ladle_field_free(b);
}

/* Values are borrowed from the record when no escape needs decoding. */
static void test_borrowing(void)
{
    struct ladle_field *f = compile("k");
    const char *rec = "{\"k\":\"plain\"}";
    const char *v;
    size_t n;
    CHECK(ladle_field_get(f, NULL, rec, strlen(rec), S, &v, &n) == LADLE_FIELD_OK);
    CHECK(v == rec + 6 && n == 5);
    ladle_field_free(f);

    struct ladle_error err;
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "a..b", LADLE_FORMAT_JSON, 0, &err) == LADLE_E_USAGE);
    CHECKF(strcmp(err.msg, "field 'a..b': empty key in the path (segment 2)") == 0, "%s", err.msg);
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, ".a", LADLE_FORMAT_JSON, 0, &err) == LADLE_E_USAGE);
    ladle_error_init(&err);
    CHECK(ladle_field_compile(&f, "a.", LADLE_FORMAT_JSON, 0, &err) == LADLE_E_USAGE);
}

int main(void)
{
    S = ladle_field_scratch_new();
    CHECK(S);
    test_paths();
    test_escapes();
    test_malformed();
    test_deep();
    test_borrowing();
    ladle_field_scratch_free(S);
    return t_done("test_field_json");
}
