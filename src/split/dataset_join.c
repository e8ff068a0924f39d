/*
 * dataset_join.c -- which dataset folders can be joined, in what order,
 * and the joined manifest (see dataset_join.h).
 */
#include "split/manifest.h"
#include "split/dataset_join.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard/shards.h"

/* What decides a record's split or the shards' form: equal in every folder. */
static const char *const same_keys[] = {
    "contract",    "seed",        "format",        "delimiter",  "header",
    "by",          "time_field",  "design",        "ratios",     "cutoffs",
    "time_format", "tz",          "frame_size",    "shard_size", "shard_records",
    "level",       "source_stem", "source_prefix", "license",
};
/* What a split's entry says about its records (the same in every folder). */
static const char *const split_keys[] = {"name", "ratio", "from_ns", "until_ns", "balanced"};

/* A folder's part numbers: n 0 when it records none. */
struct held {
    const json_t *job; /* the --part job's identity (N and the inputs, hashed), if recorded */
    int64_t n;
    int64_t *k;
    size_t nk;
};

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A value as short JSON text, for a message. */
static void show(const json_t *v, char *buf, size_t size)
{
    char *t = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    snprintf(buf, size, "%s", v ? (t ? t : "?") : "absent");
    if (strlen(buf) + 1 == size && size > 4)
        memcpy(buf + size - 4, "...", 4);
    free(t);
}

static int same(const json_t *a, const json_t *b)
{
    return (!a && !b) || (a && b && json_equal((json_t *)a, (json_t *)b));
}

static ladle_status differ(struct ladle_error *err, const char *a, const char *b, const char *what,
                           const json_t *va, const json_t *vb)
{
    char sa[96], sb[96];
    show(va, sa, sizeof sa);
    show(vb, sb, sizeof sb);
    return ladle_error_set(err, LADLE_E_USAGE,
                           "%s and %s were drawn differently: %s is %s in the first, %s in the "
                           "second (join only folders of one split's settings)",
                           a, b, what, sa, sb);
}

/* What no join can follow, and what a manifest must record to be joined. */
static ladle_status refusals(const json_t *m, const char *dir, struct ladle_error *err)
{
    const char *design = str(m, "design");
    if (json_object_get(m, "label"))
        return ladle_error_set(err, LADLE_E_USAGE,
                               "%s: made with --stratify or --balance, which place records by "
                               "counts over all records: parts cannot be joined (use `ladle-mpi "
                               "split`, which counts over all of them first)",
                               dir);
    if (!design || !json_is_array(json_object_get(m, "sources")))
        return ladle_error_set(err, LADLE_E_USAGE,
                               "%s: the manifest records no %s (an older ladle made it): make it "
                               "again",
                               dir, design ? "sources" : "design");
    if (strcmp(design, "none") != 0)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "%s: a sample (design %s): its parts cannot be joined into one "
                               "run's sample (use `ladle-mpi split`)",
                               dir, design);
    if (!json_is_array(json_object_get(m, "splits")) ||
        json_array_size(json_object_get(m, "splits")) > LADLE_SPLIT_MAX)
        return ladle_error_set(err, LADLE_E_INPUT, "%s/manifest.json: \"splits\" is damaged", dir);
    return LADLE_OK;
}

static ladle_status compare(const json_t *a, const json_t *b, const char *da, const char *db,
                            struct ladle_error *err)
{
    char what[96];
    for (size_t i = 0; i < sizeof same_keys / sizeof same_keys[0]; i++) {
        const json_t *va = json_object_get(a, same_keys[i]), *vb = json_object_get(b, same_keys[i]);
        snprintf(what, sizeof what, "\"%s\"", same_keys[i]);
        if (!same(va, vb))
            return differ(err, da, db, what, va, vb);
    }
    const json_t *sa = json_object_get(a, "splits"), *sb = json_object_get(b, "splits");
    if (json_array_size(sa) != json_array_size(sb)) {
        json_t *na = json_integer((json_int_t)json_array_size(sa));
        json_t *nb = json_integer((json_int_t)json_array_size(sb));
        ladle_status st = differ(err, da, db, "the number of splits", na, nb);
        json_decref(na);
        json_decref(nb);
        return st;
    }
    for (size_t k = 0; k < json_array_size(sa); k++)
        for (size_t i = 0; i < sizeof split_keys / sizeof split_keys[0]; i++) {
            const json_t *va = json_object_get(json_array_get(sa, k), split_keys[i]);
            const json_t *vb = json_object_get(json_array_get(sb, k), split_keys[i]);
            snprintf(what, sizeof what, "split %zu's \"%s\"", k + 1, split_keys[i]);
            if (!same(va, vb))
                return differ(err, da, db, what, va, vb);
        }
    return LADLE_OK;
}

/* A part number K of N: 1 <= K <= N. */
static int part_no(const json_t *v, int64_t n)
{
    return json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= n;
}

/* The parts folder m holds ("part" or "parts"), into h. */
static ladle_status held_of(const json_t *m, const char *dir, struct held *h,
                            struct ladle_error *err)
{
    const json_t *one = json_object_get(m, "part"), *many = json_object_get(m, "parts");
    memset(h, 0, sizeof *h);
    const json_t *n = json_object_get(one ? one : many, "n");
    if (!one && !many)
        return LADLE_OK;
    if (!json_is_integer(n) || json_integer_value(n) < 1 || (one && many))
        goto damaged;
    h->n = json_integer_value(n);
    h->job = json_object_get(one ? one : many, "job");
    const json_t *ks = json_object_get(many, "k");
    size_t nk = one ? 1 : json_array_size(ks);
    if (!(h->k = malloc((nk ? nk : 1) * sizeof *h->k)))
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    for (size_t i = 0; i < nk; i++) {
        const json_t *k = one ? json_object_get(one, "k") : json_array_get(ks, i);
        if (!part_no(k, h->n) || (i && json_integer_value(k) <= h->k[i - 1]))
            goto damaged;
        h->k[h->nk++] = json_integer_value(k);
    }
    if (h->nk)
        return LADLE_OK;
damaged:
    return ladle_error_set(err, LADLE_E_INPUT,
                           "%s/manifest.json: \"part\" or \"parts\" is damaged (not K of N, or "
                           "parts out of order)",
                           dir);
}

static int holds(const struct held *h, int64_t k)
{
    for (size_t i = 0; i < h->nk; i++)
        if (h->k[i] == k)
            return 1;
    return 0;
}

/* The folders hold parts of one N, none twice; or none records any. */
static ladle_status check_parts(const struct held *h, const char *const *dirs, size_t count,
                                struct ladle_error *err)
{
    for (size_t i = 1; i < count; i++) {
        if (!h[i].n != !h[0].n)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "%s records %s part number, %s %s: join folders made with "
                                   "--part, or folders made without it, not both",
                                   dirs[h[0].n ? 0 : i], "a", dirs[h[0].n ? i : 0], "none");
        if (h[i].n != h[0].n)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "%s and %s are parts of different runs: of %" PRId64
                                   " and of %" PRId64 " parts",
                                   dirs[0], dirs[i], h[0].n, h[i].n);
        if (h[i].job && h[0].job && !same(h[i].job, h[0].job))
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "%s and %s are parts of different runs: their inputs (or N) "
                                   "were not the same",
                                   dirs[0], dirs[i]);
        for (size_t j = 0; j < i; j++)
            for (size_t x = 0; x < h[i].nk; x++)
                if (holds(&h[j], h[i].k[x]))
                    return ladle_error_set(err, LADLE_E_USAGE,
                                           "part %" PRId64 "/%" PRId64 " is in both %s and %s",
                                           h[i].k[x], h[i].n, dirs[j], dirs[i]);
    }
    return LADLE_OK;
}

struct src_ref {
    const char *id, *stem;
    size_t from;
};

static int cmp_src(const void *a, const void *b)
{
    const struct src_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->from > y->from) - (x->from < y->from);
}

/* Folders without part numbers hold whole sources: none may be in two. */
static ladle_status check_sources(json_t *const *m, const char *const *dirs, size_t count,
                                  struct ladle_error *err)
{
    size_t total = 0, n = 0;
    for (size_t i = 0; i < count; i++)
        total += json_array_size(json_object_get(m[i], "sources"));
    struct src_ref *r = malloc((total ? total : 1) * sizeof *r);
    if (!r)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const json_t *a = json_object_get(m[i], "sources");
        for (size_t j = 0; j < json_array_size(a); j++) {
            const char *id = str(json_array_get(a, j), "id");
            const char *stem = str(json_array_get(a, j), "stem");
            if (id)
                r[n++] = (struct src_ref){id, stem ? stem : "?", i};
        }
    }
    qsort(r, n, sizeof *r, cmp_src);
    ladle_status st = LADLE_OK;
    for (size_t i = 1; i < n && st == LADLE_OK; i++)
        if (strcmp(r[i - 1].id, r[i].id) == 0 && r[i - 1].from != r[i].from)
            st = ladle_error_set(err, LADLE_E_USAGE,
                                 "%s and %s both hold source '%s' (id %s): parts must be "
                                 "drawn over disjoint inputs",
                                 dirs[r[i - 1].from], dirs[r[i].from], r[i].stem, r[i].id);
    free(r);
    return st;
}

static int cmp_shard(const void *a, const void *b)
{
    const struct ladle_join_shard *x = a, *y = b;
    if (x->part != y->part)
        return x->part < y->part ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static ladle_status gather(struct ladle_join_plan *p, json_t *const *m, const struct held *h,
                           const char *const *dirs, size_t count, struct ladle_error *err)
{
    for (unsigned k = 0; k < p->nsplits; k++) {
        size_t total = 0;
        for (size_t i = 0; i < count; i++)
            total += json_array_size(
                json_object_get(json_array_get(json_object_get(m[i], "splits"), k), "shards"));
        if (total >= UINT32_MAX / 2 ||
            !(p->shards[k] = calloc(total ? total : 1, sizeof **p->shards)))
            return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
        for (size_t i = 0; i < count; i++) {
            json_t *a =
                json_object_get(json_array_get(json_object_get(m[i], "splits"), k), "shards");
            for (size_t j = 0; j < json_array_size(a); j++) {
                json_t *e = json_array_get(a, j);
                const json_t *pk = json_object_get(e, "part");
                int64_t part = h[i].nk == 1 ? h[i].k[0] : json_integer_value(pk);
                if (!str(e, "file") || (h[i].n && !holds(&h[i], part)))
                    return ladle_error_set(err, LADLE_E_INPUT,
                                           "%s/manifest.json: split \"%s\", shards[%zu]: no "
                                           "file, or no part of the folder's",
                                           dirs[i], p->names[k], j);
                size_t at = p->count[k]++;
                p->shards[k][at] =
                    (struct ladle_join_shard){i, str(e, "file"), h[i].n ? part : 0, e, at};
            }
        }
        qsort(p->shards[k], p->count[k], sizeof **p->shards, cmp_shard);
    }
    return LADLE_OK;
}

/* The folders in joined order: by their first part (in the order given without). */
static void order_folders(struct ladle_join_plan *p, const struct held *h, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        size_t j = i;
        for (; j > 0 && h[i].n && h[p->order[j - 1]].k[0] > h[i].k[0]; j--)
            p->order[j] = p->order[j - 1];
        p->order[j] = i;
    }
}

static ladle_status plan(struct ladle_join_plan *p, json_t *const *m, const char *const *dirs,
                         size_t count, struct held *h, struct ladle_error *err)
{
    ladle_status st = LADLE_OK;
    for (size_t i = 0; i < count && st == LADLE_OK; i++)
        if ((st = refusals(m[i], dirs[i], err)) == LADLE_OK && i)
            st = compare(m[0], m[i], dirs[0], dirs[i], err);
    for (size_t i = 0; i < count && st == LADLE_OK; i++)
        st = held_of(m[i], dirs[i], &h[i], err);
    if (st == LADLE_OK)
        st = check_parts(h, dirs, count, err);
    if (st == LADLE_OK && !h[0].n)
        st = check_sources(m, dirs, count, err);
    if (st != LADLE_OK)
        return st;
    static const char *const exts[] = {"jsonl", "tsv", "csv", "txt"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (str(m[0], "format") && strcmp(str(m[0], "format"), exts[i]) == 0)
            p->ext = exts[i];
    const json_t *splits = json_object_get(m[0], "splits");
    p->nsplits = (unsigned)json_array_size(splits);
    for (unsigned k = 0; k <= p->nsplits; k++) {
        const char *name = k < p->nsplits ? str(json_array_get(splits, k), "name") : "";
        if (!name || strlen(name) > LADLE_SPLIT_NAME_MAX || !p->ext || !p->nsplits)
            return ladle_error_set(err, LADLE_E_INPUT,
                                   "%s/manifest.json: no splits, or a split's name or the format "
                                   "is damaged",
                                   dirs[0]);
        if (k < p->nsplits)
            snprintf(p->names[k], sizeof p->names[k], "%s", name);
    }
    p->n = h[0].n;
    p->job = h[0].job;
    if (!(p->order = malloc(count * sizeof *p->order)))
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    order_folders(p, h, count);
    return gather(p, m, h, dirs, count, err);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Every part the folders hold, increasing (the joined folder's "parts"). */
static ladle_status gather_parts(struct ladle_join_plan *p, const struct held *h, size_t count,
                                 struct ladle_error *err)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += h[i].nk;
    if (!(p->parts = malloc((total ? total : 1) * sizeof *p->parts)))
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    for (size_t i = 0; i < count; i++)
        for (size_t x = 0; x < h[i].nk; x++)
            p->parts[p->nparts++] = h[i].k[x];
    qsort(p->parts, p->nparts, sizeof *p->parts, cmp_i64);
    return LADLE_OK;
}

ladle_status ladle_join_plan(struct ladle_join_plan *p, json_t *const *m, const char *const *dirs,
                             size_t count, struct ladle_error *err)
{
    memset(p, 0, sizeof *p);
    struct held *h = calloc(count ? count : 1, sizeof *h);
    if (!h)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    ladle_status st = count ? plan(p, m, dirs, count, h, err)
                            : ladle_error_set(err, LADLE_E_USAGE, "no folders to join");
    if (st == LADLE_OK && p->n)
        st = gather_parts(p, h, count, err);
    for (size_t i = 0; i < count; i++)
        free(h[i].k);
    free(h);
    p->folders = count;
    return st;
}

void ladle_join_plan_free(struct ladle_join_plan *p)
{
    for (unsigned k = 0; k < LADLE_SPLIT_MAX; k++)
        free(p->shards[k]);
    free(p->order);
    free(p->parts);
    memset(p, 0, sizeof *p);
}

void ladle_join_file(const struct ladle_join_plan *p, unsigned split, size_t i, char *buf,
                     size_t size)
{
    char name[64];
    ladle_shard_file_name(name, sizeof name, (uint32_t)i, p->ext);
    snprintf(buf, size, "%s/%s", p->names[split], name);
}

/* dst[key]: the folders' arrays under key, one after the other (NULL: none has one). */
static void join_arrays(json_t *dst, const struct ladle_join_plan *p, json_t *const *m,
                        const char *key)
{
    json_t *a = json_array();
    int any = 0;
    for (size_t i = 0; i < p->folders; i++) {
        const json_t *v = json_object_get(m[p->order[i]], key);
        any |= v != NULL;
        json_array_extend(a, (json_t *)v);
    }
    if (any)
        json_object_set(dst, key, a);
    json_decref(a);
}

/* The commands that made the folders (a joined folder's own "joined" ones). */
static json_t *commands(const struct ladle_join_plan *p, json_t *const *m)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->folders; i++) {
        const json_t *f = m[p->order[i]], *joined = json_object_get(f, "joined");
        if (json_is_array(joined))
            json_array_extend(a, (json_t *)joined);
        else
            json_array_append(a, json_object_get(f, "command"));
    }
    return a;
}

static void join_splits(json_t *root, const struct ladle_join_plan *p)
{
    json_t *splits = json_object_get(root, "splits");
    for (unsigned k = 0; k < p->nsplits; k++) {
        json_t *s = json_array_get(splits, k), *files = json_array();
        uint64_t records = 0, bytes = 0; /* (unsigned: garbled counts wrap, never overflow) */
        for (size_t i = 0; i < p->count[k]; i++) {
            const struct ladle_join_shard *sh = &p->shards[k][i];
            json_t *e = json_deep_copy(sh->entry);
            char file[LADLE_SPLIT_NAME_MAX + 80];
            ladle_join_file(p, k, i, file, sizeof file);
            json_object_set_new(e, "file", json_string(file));
            if (p->n)
                json_object_set_new(e, "part", json_integer(sh->part));
            else
                json_object_del(e, "part");
            records += (uint64_t)json_integer_value(json_object_get(e, "records"));
            bytes += (uint64_t)json_integer_value(json_object_get(e, "bytes"));
            json_array_append_new(files, e);
        }
        json_object_set_new(s, "records", json_integer((json_int_t)records));
        json_object_set_new(s, "bytes", json_integer((json_int_t)bytes));
        json_object_set_new(s, "shards", files);
    }
}

char *ladle_join_manifest(const struct ladle_join_plan *p, json_t *const *m, const char *version,
                          int argc, const char *const *argv)
{
    json_t *root = json_deep_copy(m[p->order[0]]), *cmd = json_array();
    if (!root || !cmd) {
        json_decref(root);
        json_decref(cmd);
        return NULL;
    }
    for (int i = 0; i < argc; i++)
        json_array_append_new(cmd, json_string(argv[i]));
    json_object_set_new(root, "ladle_version", json_string(version));
    json_object_set_new(root, "command", cmd);
    json_object_del(root, "part");
    json_object_del(root, "parts");
    if (!json_object_get(root, "license")) /* folders of 0.5.0: the cards' default, recorded */
        json_object_set_new(root, "license", json_string("unknown"));
    join_arrays(root, p, m, "inputs");
    join_arrays(root, p, m, "sources");
    join_arrays(root, p, m, "appended");
    json_object_set_new(root, "joined", commands(p, m));
    if (p->n) {
        json_t *ks = json_array();
        for (size_t i = 0; i < p->nparts; i++)
            json_array_append_new(ks, json_integer(p->parts[i]));
        json_t *parts = json_pack("{s:I, s:o}", "n", (json_int_t)p->n, "k", ks);
        if (p->job)
            json_object_set(parts, "job", (json_t *)p->job);
        json_object_set_new(root, "parts", parts);
    }
    join_splits(root, p);
    return ladle_manifest_text(root);
}
