/*
 * fuzz_split_spec.c -- the parsers of `ladle split`'s settings
 * (src/split/split_spec.c): --ratios, --cutoffs (after --ratios names),
 * --balance-mode and --balance-splits.
 *
 * Input: byte 0 picks the case (0: --ratios with fractions; 1: --ratios
 * names, then --cutoffs; 2: --ratios with fractions, then
 * --balance-splits; 3: --balance-mode); the rest is the text, the first
 * line for the first parser and the rest for the second.
 *
 * Checked, on success: 1..64 splits with valid, distinct names that
 * ladle_split_find finds again; fractions in (0, 1] summing to 1 within
 * 1e-9; bounds non-decreasing, the last UINT64_MAX, and every hash lands
 * in a split; cutoffs strictly increasing, one fewer than the splits;
 * a balance mask naming only existing splits; cap > 0, ratio >= 1. On
 * failure: LADLE_E_USAGE with a message naming the option.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "fuzz_util.h"
#include "split/split.h"

static void check_fail(ladle_status st, const struct ladle_error *err)
{
    if (st != LADLE_E_USAGE || strncmp(err->msg, "--", 2) != 0)
        abort();
}

static void check_names(const struct ladle_split_spec *s)
{
    if (s->count < 1 || s->count > LADLE_SPLIT_MAX)
        abort();
    for (unsigned k = 0; k < s->count; k++) {
        size_t n = strlen(s->names[k]);
        if (n < 1 || n > LADLE_SPLIT_NAME_MAX || ladle_split_find(s, s->names[k], n) != (int)k)
            abort();
        for (size_t i = 0; i < n; i++)
            if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                        s->names[k][i]))
                abort();
    }
}

static void check_ratios(const struct ladle_split_spec *s)
{
    check_names(s);
    double sum = 0;
    for (unsigned k = 0; k < s->count; k++) {
        if (!(s->ratio[k] > 0 && s->ratio[k] <= 1))
            abort();
        sum += s->ratio[k];
        if (k && s->bound[k] < s->bound[k - 1])
            abort();
    }
    if (fabs(sum - 1) > 1e-9 || s->bound[s->count - 1] != UINT64_MAX)
        abort();
    static const uint64_t probe[] = {0,         1, UINT64_MAX / 3, UINT64_MAX / 2, UINT64_MAX - 1,
                                     UINT64_MAX};
    for (size_t i = 0; i < sizeof probe / sizeof probe[0]; i++)
        if (ladle_split_of_hash(s, probe[i]) >= s->count)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = fuzz_cstr(data + 1, size - 1);
    char *second = strchr(text, '\n');
    if (second)
        *second++ = '\0';
    else
        second = text + strlen(text);
    struct ladle_split_spec s;
    memset(&s, 0, sizeof s);
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st;
    switch (data[0] & 3) {
    case 0:
        if ((st = ladle_split_parse_ratios(&s, text, 0, &err)) != LADLE_OK)
            check_fail(st, &err);
        else
            check_ratios(&s);
        break;
    case 1:
        if ((st = ladle_split_parse_ratios(&s, text, 1, &err)) != LADLE_OK) {
            check_fail(st, &err);
            break;
        }
        check_names(&s);
        if ((st = ladle_split_parse_cutoffs(&s, second, &err)) != LADLE_OK) {
            check_fail(st, &err);
            break;
        }
        if (!s.by_time)
            abort();
        for (unsigned k = 1; k + 1 < s.count; k++)
            if (s.cutoff[k] <= s.cutoff[k - 1])
                abort();
        if (ladle_split_of_time(&s, INT64_MIN) != 0 ||
            ladle_split_of_time(&s, INT64_MAX) != s.count - 1)
            abort();
        break;
    case 2:
        if ((st = ladle_split_parse_ratios(&s, text, 0, &err)) != LADLE_OK) {
            check_fail(st, &err);
            break;
        }
        check_ratios(&s);
        if ((st = ladle_split_parse_balance_splits(&s, second, &err)) != LADLE_OK)
            check_fail(st, &err);
        else if (!s.balance_mask || (s.count < 64 && (s.balance_mask >> s.count)))
            abort();
        break;
    default:
        if ((st = ladle_split_parse_balance(&s, text, &err)) != LADLE_OK)
            check_fail(st, &err);
        else if (s.balance == LADLE_BALANCE_NONE ||
                 (s.balance == LADLE_BALANCE_CAP && s.balance_cap == 0) ||
                 (s.balance == LADLE_BALANCE_RATIO && !(s.balance_ratio >= 1)))
            abort();
        break;
    }
    free(text);
    return 0;
}
