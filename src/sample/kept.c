/*
 * kept.c -- retained records (see kept.h).
 */
#include "sample/kept.h"

#include <stdlib.h>
#include <string.h>

#include "out/outbuf.h"
#include "out/weight_column.h"

int ladle_kept_key_less(const struct ladle_kept *a, const struct ladle_kept *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    if (a->input != b->input)
        return a->input < b->input;
    return a->offset < b->offset;
}

static int cmp_key(const void *x, const void *y)
{
    const struct ladle_kept *a = x, *b = y;
    return ladle_kept_key_less(a, b) ? -1 : ladle_kept_key_less(b, a) ? 1 : 0;
}

static int cmp_identity(const void *x, const void *y)
{
    const struct ladle_kept *a = x, *b = y;
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    return 0;
}

int ladle_kept_set_add(struct ladle_kept_set *s, uint64_t key, uint32_t input, uint64_t offset,
                       const char *data, size_t len)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct ladle_kept *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    char *copy = malloc(len);
    if (!copy)
        return -1;
    memcpy(copy, data, len);
    s->v[s->count++] = (struct ladle_kept){key, offset, input, len, copy, 0.0};
    return 0;
}

void ladle_kept_set_free(struct ladle_kept_set *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->v[i].data);
    free(s->v);
    memset(s, 0, sizeof *s);
}

void ladle_kept_sort(struct ladle_kept *v, size_t count, int by_key)
{
    if (count)
        qsort(v, count, sizeof *v, by_key ? cmp_key : cmp_identity);
}

ladle_status ladle_kept_emit(struct ladle_kept *v, size_t count, int by_key, struct ladle_writer *w)
{
    return ladle_kept_emit_column(v, count, by_key, NULL, 0, w, w->err);
}

ladle_status ladle_kept_emit_column(struct ladle_kept *v, size_t count, int by_key,
                                    const char *column, char delim, struct ladle_writer *w,
                                    struct ladle_error *err)
{
    ladle_kept_sort(v, count, by_key);
    struct ladle_outbuf line;
    memset(&line, 0, sizeof line);
    ladle_status st = LADLE_OK;
    for (size_t i = 0; i < count && st == LADLE_OK && !w->closed; i++) {
        if (column) {
            line.len = 0;
            if (ladle_append_column(&line, v[i].data, v[i].len, column, v[i].weight, delim) != 0) {
                st = ladle_error_set(err, LADLE_E_INTERNAL, "output: out of memory");
                break;
            }
            st = ladle_writer_record(w, line.data, line.len, v[i].key, v[i].input);
        } else {
            st = ladle_writer_record(w, v[i].data, v[i].len, v[i].key, v[i].input);
        }
    }
    ladle_outbuf_free(&line);
    return st;
}
