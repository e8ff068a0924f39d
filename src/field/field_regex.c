/*
 * field_regex.c -- re:PATTERN fields on free text (or on any format).
 *
 * The pattern is compiled once by PCRE2 and, where the platform allows,
 * JIT-compiled (pcre2_jit_compile); without JIT it runs on the interpreter,
 * slower but the same. The compiled code is immutable and shared; what a
 * match writes (the ovector) lives in each thread's scratch, so threads
 * never share match data.
 *
 * Exactly one capture group, checked at compile time: its text is the
 * value. The subject is the record without its line end, in byte mode (no
 * UTF check: logs hold invalid UTF-8). No match, or a match that leaves the
 * group unset (`a|(b)`), is MISSING; an engine error on a record (match or
 * JIT stack limit) is BAD.
 */
#include "field/field_ops.h"

#include <stdlib.h>

struct regex {
    pcre2_code *code; /* owns */
    int jit;          /* 1 when pcre2_jit_compile succeeded */
};

static ladle_status regex_compile(struct ladle_field *f, const char *body, struct ladle_error *err)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)body, PCRE2_ZERO_TERMINATED, 0, &code, &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
            msg[0] = '\0';
        return ladle_error_set(err, LADLE_E_USAGE,
                               "field '%s': bad regular expression: %s (at offset %zu)", f->spec,
                               (const char *)msg, (size_t)offset);
    }
    uint32_t groups = 0;
    (void)pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups != 1) {
        pcre2_code_free(re);
        return ladle_error_set(err, LADLE_E_USAGE,
                               "field '%s': the pattern needs exactly one capture group, it has "
                               "%u (group with (?:...) when the value is not the group)",
                               f->spec, groups);
    }
    struct regex *r = calloc(1, sizeof *r);
    if (!r) {
        pcre2_code_free(re);
        return ladle_error_set(err, LADLE_E_INTERNAL, "field '%s': out of memory", f->spec);
    }
    r->code = re;
    r->jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
    f->impl = r;
    return LADLE_OK;
}

static enum ladle_field_result regex_get(const struct ladle_field *f, size_t column,
                                         const char *rec, size_t len, struct ladle_field_scratch *s,
                                         const char **value, size_t *vlen)
{
    (void)column;
    const struct regex *r = f->impl;
    PCRE2_SPTR subject = (PCRE2_SPTR)rec;
    size_t n = ladle_field_chomp(rec, len);
    int rc = r->jit ? pcre2_jit_match(r->code, subject, n, 0, 0, s->md, NULL)
                    : pcre2_match(r->code, subject, n, 0, 0, s->md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
        return LADLE_FIELD_MISSING;
    if (rc < 0)
        return LADLE_FIELD_BAD;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    if (rc < 2 || ov[2] == PCRE2_UNSET)
        return LADLE_FIELD_MISSING;
    *value = rec + ov[2];
    *vlen = ov[3] - ov[2];
    return LADLE_FIELD_OK;
}

static void regex_destroy(struct ladle_field *f)
{
    struct regex *r = f->impl;
    if (r)
        pcre2_code_free(r->code);
    free(r);
    f->impl = NULL;
}

const struct ladle_field_ops ladle_field_regex = {
    .name = "regex",
    .compile = regex_compile,
    .find_column = NULL,
    .get = regex_get,
    .destroy = regex_destroy,
};
