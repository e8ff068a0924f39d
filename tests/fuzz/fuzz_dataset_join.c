/*
 * fuzz_dataset_join.c -- the manifest side of `ladle merge -o DIR
 * PARTDIR...` (src/split/dataset_join.c): the checks of part folders'
 * manifests against each other, the join's order and the joined manifest.
 *
 * Input: up to three manifests separated by NUL bytes (one alone is
 * joined with itself and refused for its shared sources, or planned).
 * Each that parses as a JSON object goes to ladle_join_plan as folder
 * "a", "b", "c".
 *
 * Checked: a refusal is LADLE_E_USAGE, LADLE_E_INPUT or LADLE_E_INTERNAL
 * with a message; a plan has 1..64 splits, every shard from a folder
 * given, in non-decreasing part order, with a name of its split; the
 * joined manifest parses, lists exactly the plan's shards split by split,
 * their "records" summed into each split's, and every "parts" entry
 * increasing.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "split/dataset_join.h"

static void check_manifest(const struct ladle_join_plan *p, const char *text)
{
    json_t *m = json_loads(text, 0, NULL);
    json_t *splits = json_object_get(m, "splits");
    if (!json_is_object(m) || json_array_size(splits) != p->nsplits)
        abort();
    for (unsigned k = 0; k < p->nsplits; k++) {
        json_t *s = json_array_get(splits, k), *sh = json_object_get(s, "shards");
        uint64_t sum = 0;
        if (json_array_size(sh) != p->count[k])
            abort();
        for (size_t i = 0; i < p->count[k]; i++) {
            char want[LADLE_SPLIT_NAME_MAX + 80];
            ladle_join_file(p, k, i, want, sizeof want);
            const char *f = json_string_value(json_object_get(json_array_get(sh, i), "file"));
            if (!f || strcmp(f, want) != 0)
                abort();
            sum += (uint64_t)json_integer_value(json_object_get(json_array_get(sh, i), "records"));
        }
        if ((uint64_t)json_integer_value(json_object_get(s, "records")) != sum)
            abort();
    }
    json_t *ks = json_object_get(json_object_get(m, "parts"), "k");
    for (size_t i = 1; i < json_array_size(ks); i++)
        if (json_integer_value(json_array_get(ks, i)) <=
            json_integer_value(json_array_get(ks, i - 1)))
            abort();
    json_decref(m);
}

static void check_plan(const struct ladle_join_plan *p, size_t n)
{
    if (p->nsplits < 1 || p->nsplits > LADLE_SPLIT_MAX || !p->ext)
        abort();
    for (unsigned k = 0; k < p->nsplits; k++)
        for (size_t i = 0; i < p->count[k]; i++) {
            const struct ladle_join_shard *s = &p->shards[k][i];
            if (s->from >= n || !s->file || (i && s->part < p->shards[k][i - 1].part))
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *m[3] = {NULL, NULL, NULL};
    const char *dirs[3] = {"a", "b", "c"};
    size_t n = 0, at = 0;
    while (at <= size && n < 3) {
        const uint8_t *nul = memchr(data + at, 0, size - at);
        size_t len = nul ? (size_t)(nul - (data + at)) : size - at;
        json_t *j = json_loadb((const char *)data + at, len, 0, NULL);
        if (json_is_object(j))
            m[n++] = j;
        else
            json_decref(j);
        at += len + 1;
        if (!nul)
            break;
    }
    if (n == 1)
        m[n++] = json_incref(m[0]);
    struct ladle_join_plan p;
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status st = ladle_join_plan(&p, m, dirs, n, &err);
    if (st == LADLE_OK) {
        check_plan(&p, n);
        char *text = ladle_join_manifest(&p, m, "0.0.0", 1, (const char *[]){"ladle"});
        if (text)
            check_manifest(&p, text);
        free(text);
    } else if ((st != LADLE_E_USAGE && st != LADLE_E_INPUT && st != LADLE_E_INTERNAL) ||
               !err.msg[0]) {
        abort();
    }
    ladle_join_plan_free(&p);
    for (size_t i = 0; i < n; i++)
        json_decref(m[i]);
    return 0;
}
