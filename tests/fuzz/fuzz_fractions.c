/*
 * fuzz_fractions.c -- the --fractions parser (src/sample/fractions.c).
 *
 * Input: the spec, up to the first '\n'; each later line is a value looked
 * up in the parsed table. Checked, on success: at least one entry; every
 * rate in [0, 1] with keep_all exactly when it is 1 and a threshold that
 * matches it; values distinct, without ',' (the separator), each found
 * again by lookup; a value not in the table gets the '*' entry. On
 * failure: a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "record/key.h"
#include "sample/fractions.h"

static void check_entry(const struct ladle_fraction *e)
{
    if (!(e->rate >= 0 && e->rate <= 1) || e->keep_all != (e->rate >= 1) ||
        e->threshold != ladle_rate_threshold(e->rate))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    char *lines = strchr(text, '\n');
    if (lines)
        *lines++ = '\0';
    struct ladle_fractions *f = NULL;
    char why[256] = "";
    if (ladle_fractions_parse(text, &f, why, sizeof why) != 0) {
        if (!why[0] || f)
            abort();
        free(text);
        return 0;
    }
    check_entry(&f->rest);
    for (size_t i = 0; i < f->count; i++) {
        const struct ladle_fraction *e = &f->v[i];
        check_entry(e);
        if (!e->value || e->len != strlen(e->value) || memchr(e->value, ',', e->len) ||
            ladle_fractions_lookup(f, e->value, e->len) != e)
            abort();
    }
    while (lines && *lines) {
        char *nl = strchr(lines, '\n');
        size_t n = nl ? (size_t)(nl - lines) : strlen(lines);
        const struct ladle_fraction *e = ladle_fractions_lookup(f, lines, n);
        if (e != &f->rest && (e->len != n || memcmp(e->value, lines, n) != 0))
            abort();
        lines = nl ? nl + 1 : NULL;
    }
    ladle_fractions_free(f);
    free(text);
    return 0;
}
