/*
 * fuzz_field.h -- the driver shared by the four field extractor targets
 * (fuzz_field_tsv.c, _csv.c, _json.c, _regex.c): each includes it and
 * names its format.
 *
 * Input: byte 0 holds flags (bits 0-1: the delimiter, default / ';' / '|' /
 * ' '; bit 2: the next line is a header to bind; bit 3: for JSON, format
 * "auto" rather than "json"; bit 4: compile the spec as a snowball link
 * FROM:TO). The first line is the field spec ("re:" is put in front for
 * the regex target), then the header line if any, then records, one per
 * line. Every value extracted is read in full (so ASan sees where it
 * points) and handed to the weight and timestamp parsers, as the designs
 * do with values.
 */
#ifndef LADLE_FUZZ_FIELD_H
#define LADLE_FUZZ_FIELD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "field/field.h"
#include "field/timestamp.h"
#include "fuzz_util.h"

static volatile unsigned fuzz_field_sink;

static void fuzz_field_use(const char *v, size_t n)
{
    unsigned h = 0;
    for (size_t i = 0; i < n; i++)
        h = h * 31 + (unsigned char)v[i];
    fuzz_field_sink += h;
    double w;
    int64_t ns;
    if (ladle_field_parse_weight(v, n, &w) == 0 && !(w >= 0))
        abort(); /* a weight is finite and non-negative */
    (void)ladle_parse_time(v, n, &ns);
}

static void fuzz_field_records(const struct ladle_field *f, const struct ladle_field_binding *b,
                               const char *p, const char *end, struct ladle_field_scratch *s)
{
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        /* An exact copy: the extractor must not read past the record. */
        char *rec = malloc(len ? len : 1);
        if (!rec)
            abort();
        memcpy(rec, p, len);
        const char *v = NULL;
        size_t vlen = 0;
        enum ladle_field_result r = ladle_field_get(f, b, rec, len, s, &v, &vlen);
        if (r == LADLE_FIELD_OK) {
            if (!v && vlen)
                abort();
            if (v)
                fuzz_field_use(v, vlen);
        } else if (v || vlen) {
            abort(); /* no value on failure */
        }
        free(rec);
        p += len;
    }
}

static int fuzz_field_run(const uint8_t *data, size_t size, enum ladle_format fmt, int regex)
{
    if (size < 1)
        return 0;
    static const char delims[4] = {0, ';', '|', ' '};
    unsigned flags = data[0];
    char delim = delims[flags & 3];
    if (fmt == LADLE_FORMAT_JSON && (flags & 8))
        fmt = LADLE_FORMAT_AUTO;
    const char *p = (const char *)data + 1, *end = (const char *)data + size;

    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t spec_len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    char *spec = malloc(spec_len + 4);
    if (!spec)
        abort();
    size_t at = 0;
    if (regex) {
        memcpy(spec, "re:", 3);
        at = 3;
    }
    memcpy(spec + at, p, spec_len);
    spec[at + spec_len] = '\0';
    p += spec_len + (nl != NULL);

    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *f = NULL, *to = NULL;
    ladle_status st = (flags & 16) && !regex
                          ? ladle_field_compile_link(&f, &to, spec, fmt, delim, &err)
                          : ladle_field_compile(&f, spec, fmt, delim, &err);
    free(spec);
    if (st != LADLE_OK) {
        if (st != LADLE_E_USAGE || !err.msg[0])
            abort(); /* a bad spec is a usage error with a message */
        return 0;
    }
    const char *header = NULL;
    size_t header_len = 0;
    if (flags & 4) {
        nl = memchr(p, '\n', (size_t)(end - p));
        header_len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        header = p;
        p += header_len;
    }
    struct ladle_field_scratch *s1 = ladle_field_scratch_new(), *s2 = ladle_field_scratch_new();
    if (!s1 || !s2)
        abort();
    struct ladle_field_binding b1, b2;
    ladle_error_init(&err);
    char *hcopy = NULL; /* an exact copy: no NUL after it to hide an over-read */
    if (header) {
        if (!(hcopy = malloc(header_len ? header_len : 1)))
            abort();
        memcpy(hcopy, header, header_len);
    }
    if (ladle_field_bind(f, hcopy, header_len, "fuzz", &b1, &err) == LADLE_OK &&
        (!to || ladle_field_bind(to, hcopy, header_len, "fuzz", &b2, &err) == LADLE_OK)) {
        fuzz_field_records(f, &b1, p, end, s1);
        if (to)
            fuzz_field_records(to, &b2, p, end, s2);
    }
    free(hcopy);
    ladle_field_scratch_free(s1);
    ladle_field_scratch_free(s2);
    ladle_field_free(f);
    ladle_field_free(to);
    return 0;
}

#endif
