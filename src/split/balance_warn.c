/*
 * balance_warn.c -- says when --balance threw most of a split away (see
 * assign.h): under-sampling to a class of one record keeps a handful of a
 * split, and a user reading only the exit status would not know.
 */
#include <inttypes.h>
#include <stdio.h>

#include "split/assign.h"

/* Records a split keeps when no class has more than `cap` of them. */
static uint64_t kept_under_cap(const struct ladle_split_state *s, unsigned k, uint64_t cap)
{
    uint64_t kept = 0;
    for (size_t i = 0; i < s->nclasses; i++)
        kept += s->classes[i].n[k] < cap ? s->classes[i].n[k] : cap;
    return kept;
}

/* The smallest per-class cap that keeps at least half of the split. */
static uint64_t half_cap(const struct ladle_split_state *s, unsigned k, uint64_t before,
                         uint64_t hi)
{
    uint64_t lo = 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (kept_under_cap(s, k, mid) * 2 >= before)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void ladle_split_balance_warnings(const struct ladle_split_state *s, const char *dir,
                                  void (*note)(void *arg, const char *line), void *arg)
{
    const struct ladle_split_spec *sp = s->spec;
    if (sp->balance == LADLE_BALANCE_NONE || sp->balance == LADLE_BALANCE_OVER || !note)
        return;
    for (unsigned k = 0; k < sp->count; k++) {
        if (!(sp->balance_mask >> k & 1))
            continue;
        uint64_t before = 0, after = 0, hi = 0;
        const struct ladle_split_class *smallest = NULL;
        for (size_t i = 0; i < s->nclasses; i++) {
            const struct ladle_split_class *c = &s->classes[i];
            before += c->n[k];
            after += c->after[k];
            hi = c->n[k] > hi ? c->n[k] : hi;
            if (c->n[k] && (!smallest || c->n[k] < smallest->n[k]))
                smallest = c;
        }
        if (!smallest || after * 10 >= before) /* kept 10 % or more: nothing to say */
            continue;
        uint64_t cap = half_cap(s, k, before, hi);
        uint64_t ratio = (cap + smallest->n[k] - 1) / smallest->n[k];
        char line[512];
        if (sp->balance == LADLE_BALANCE_CAP)
            snprintf(line, sizeof line,
                     "warning: %s: --balance kept %" PRIu64 " of %" PRIu64
                     " records of split '%s' (%.2f%%): cap:%" PRIu64
                     " sets every class's size; cap:%" PRIu64 " would keep about half",
                     dir, after, before, sp->names[k], 100.0 * (double)after / (double)before,
                     sp->balance_cap, cap);
        else
            snprintf(line, sizeof line,
                     "warning: %s: --balance kept %" PRIu64 " of %" PRIu64
                     " records of split '%s' (%.2f%%): class '%.*s' has %" PRIu64
                     " record%s and sets every class's size; --balance-mode cap:%" PRIu64
                     " or ratio:%" PRIu64 " would keep about half",
                     dir, after, before, sp->names[k], 100.0 * (double)after / (double)before,
                     (int)(smallest->label_len > 64 ? 64 : smallest->label_len), smallest->label,
                     smallest->n[k], smallest->n[k] == 1 ? "" : "s", cap, ratio);
        note(arg, line);
    }
}
