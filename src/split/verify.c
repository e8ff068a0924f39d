/*
 * verify.c -- `ladle verify DIR` (see verify.h for what passing means):
 * the manifest, its splits and the files nobody listed. The manifest is
 * walked split by split, shard by shard; verify_shard.c reads each shard.
 *
 * Every problem is reported, not just the first: a user repairing a dataset
 * wants the whole list. Checks that only make sense on sound data (record
 * counts after a corrupt frame) are skipped rather than piled on.
 */
#include "split/verify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <zstd.h>

#include "split/dataset.h"
#include "split/verify_cards.h"
#include "split/verify_shard.h"

#define MANIFEST "manifest.json"

/* "DIR/file: what (where)" in line. Names come from the manifest: a control
 * byte in one (a '\n', an escape sequence) must not break the one-line
 * report or reach the terminal, so each becomes '?'. */
static void format_line(const struct ladle_verify_run *v, const char *file, const char *what,
                        const char *where, char *line, size_t size)
{
    size_t dl = strlen(v->dir);
    const char *sep = !file ? "" : (dl && v->dir[dl - 1] == '/') ? "" : "/";
    snprintf(line, size, "%s%s%s: %s%s%s%s", v->dir, sep, file ? file : "", what, where ? " (" : "",
             where ? where : "", where ? ")" : "");
    for (char *c = line; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
}

void ladle_verify_problem(struct ladle_verify_run *v, const char *file, const char *where,
                          const char *fmt, ...)
{
    char what[512], line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    format_line(v, file, what, where, line, sizeof line);
    v->tot.problems++;
    ladle_error_set(v->err, LADLE_E_INPUT, "%s", line);
    if (v->problems)
        fprintf(v->problems, "ladle: %s\n", line);
}

/* -v: one line "ladle: verify: DIR/file: what", control bytes as '?' (as
 * problems are). */
__attribute__((format(printf, 3, 4))) static void detail(struct ladle_verify_run *v,
                                                         const char *file, const char *fmt, ...)
{
    if (!v->detail)
        return;
    char what[512], line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    format_line(v, file, what, NULL, line, sizeof line);
    fprintf(v->detail, "ladle: verify: %s\n", line);
}

static const char *outcome(uint64_t problems, char *buf, size_t size)
{
    if (!problems)
        return "OK";
    snprintf(buf, size, "%llu problem%s (above)", (unsigned long long)problems,
             problems == 1 ? "" : "s");
    return buf;
}

/* ---- reading the manifest ---- */

/* A non-negative integer field; reports and returns -1 when absent or not one. */
static int get_count(struct ladle_verify_run *v, json_t *obj, const char *key, const char *where,
                     uint64_t *out)
{
    json_t *j = json_object_get(obj, key);
    if (!json_is_integer(j) || json_integer_value(j) < 0) {
        ladle_verify_problem(v, MANIFEST, where, "\"%s\" is missing or not a non-negative integer",
                             key);
        *out = 0;
        return -1;
    }
    *out = (uint64_t)json_integer_value(j);
    return 0;
}

static const char *get_string(struct ladle_verify_run *v, json_t *obj, const char *key,
                              const char *where)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        ladle_verify_problem(v, MANIFEST, where, "\"%s\" is missing or not a string", key);
    return s;
}

/* Checks the fields above "splits" that nothing else reads. */
static int is_hex(const char *s, size_t len)
{
    if (strlen(s) != len)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* "sources" (contract 4, optional: older manifests have none): what split
 * --append refuses to read again; "appended": the commands of the appends. */
static void check_sources(struct ladle_verify_run *v, json_t *root)
{
    json_t *stem = json_object_get(root, "source_stem");
    if (stem && !(json_is_string(stem) && (strcmp(json_string_value(stem), "name") == 0 ||
                                           strcmp(json_string_value(stem), "path") == 0)))
        ladle_verify_problem(v, MANIFEST, NULL, "\"source_stem\" is not \"name\" or \"path\"");
    json_t *prefix = json_object_get(root, "source_prefix");
    if (prefix && !json_is_string(prefix))
        ladle_verify_problem(v, MANIFEST, NULL, "\"source_prefix\" is not a string");
    json_t *appended = json_object_get(root, "appended");
    if (appended && !json_is_array(appended))
        ladle_verify_problem(v, MANIFEST, NULL, "\"appended\" is not an array");
    json_t *sources = json_object_get(root, "sources");
    if (!sources)
        return;
    if (!json_is_array(sources)) {
        ladle_verify_problem(v, MANIFEST, NULL, "\"sources\" is not an array");
        return;
    }
    for (size_t i = 0; i < json_array_size(sources); i++) {
        json_t *s = json_array_get(sources, i);
        char where[32];
        uint64_t n;
        snprintf(where, sizeof where, "sources[%zu]", i);
        if (!json_is_object(s)) {
            ladle_verify_problem(v, MANIFEST, where, "not an object");
            continue;
        }
        const char *id = get_string(v, s, "id", where);
        const char *first = get_string(v, s, "first", where);
        get_string(v, s, "stem", where);
        if (id && !is_hex(id, 16))
            ladle_verify_problem(v, MANIFEST, where, "\"id\" is not 16 hex digits");
        if (first && !is_hex(first, 32))
            ladle_verify_problem(v, MANIFEST, where, "\"first\" is not 32 hex digits");
        get_count(v, s, "consumed", where, &n);
    }
}

/* A part number: 1 <= K <= N. */
static int part_ok(const json_t *k, json_int_t n)
{
    return json_is_integer(k) && json_integer_value(k) >= 1 && json_integer_value(k) <= n;
}

/* "part" ({"k", "n"}: written by `split --part K/N`), "parts" ({"n", "k":
 * [...]}) and "joined" (the parts' commands): written by `ladle merge -o`. */
static void check_parts(struct ladle_verify_run *v, json_t *root)
{
    json_t *part = json_object_get(root, "part"), *parts = json_object_get(root, "parts");
    json_t *joined = json_object_get(root, "joined");
    json_t *n = json_object_get(part, "n");
    if (part && !(json_is_object(part) && json_is_integer(n) && json_integer_value(n) >= 1 &&
                  part_ok(json_object_get(part, "k"), json_integer_value(n))))
        ladle_verify_problem(v, MANIFEST, NULL,
                             "\"part\" is not {\"k\": K, \"n\": N}, 1 <= K <= N");
    n = json_object_get(parts, "n");
    json_t *ks = json_object_get(parts, "k");
    int ok = json_is_object(parts) && json_is_integer(n) && json_integer_value(n) >= 1 &&
             json_array_size(ks) > 0;
    for (size_t i = 0; ok && i < json_array_size(ks); i++)
        ok = part_ok(json_array_get(ks, i), json_integer_value(n)) &&
             (!i || json_integer_value(json_array_get(ks, i)) >
                        json_integer_value(json_array_get(ks, i - 1)));
    if (parts && !ok)
        ladle_verify_problem(v, MANIFEST, NULL,
                             "\"parts\" is not {\"n\": N, \"k\": [K...]}, K increasing in 1..N");
    if (joined && !json_is_array(joined))
        ladle_verify_problem(v, MANIFEST, NULL, "\"joined\" is not an array");
}

static void check_top_fields(struct ladle_verify_run *v, json_t *root)
{
    uint64_t seed;
    get_string(v, root, "ladle_version", NULL);
    const char *format = get_string(v, root, "format", NULL);
    v->csv_delim = format && strcmp(format, "csv") == 0 ? ',' : 0; /* as split wrote it */
    json_t *delim = json_object_get(root, "delimiter");
    if (delim && (!json_is_string(delim) || json_string_length(delim) != 1))
        ladle_verify_problem(v, MANIFEST, NULL, "\"delimiter\" is not a one-byte string");
    else if (delim && v->csv_delim)
        v->csv_delim = json_string_value(delim)[0];
    /* "contract" appeared with contract 2: absent means contract 1. */
    json_t *contract = json_object_get(root, "contract");
    if (contract && (!json_is_integer(contract) || json_integer_value(contract) < 1))
        ladle_verify_problem(v, MANIFEST, NULL, "\"contract\" is not a positive integer");
    /* Seeds past 2^63 are written as a decimal string (JSON integers are signed). */
    const char *seed_text = json_string_value(json_object_get(root, "seed"));
    if (!seed_text || !*seed_text || seed_text[strspn(seed_text, "0123456789")])
        get_count(v, root, "seed", NULL, &seed);
    if (!json_is_array(json_object_get(root, "command")))
        ladle_verify_problem(v, MANIFEST, NULL, "\"command\" is missing or not an array");
    json_t *header = json_object_get(root, "header");
    if (!json_is_boolean(header))
        ladle_verify_problem(v, MANIFEST, NULL, "\"header\" is missing or not a boolean");
    v->header = json_is_true(header);
    check_sources(v, root);
    check_parts(v, root);
    json_t *inputs = json_object_get(root, "inputs");
    if (!json_is_array(inputs)) {
        ladle_verify_problem(v, MANIFEST, NULL, "\"inputs\" is missing or not an array");
        return;
    }
    for (size_t i = 0; i < json_array_size(inputs); i++) {
        json_t *in = json_array_get(inputs, i);
        char where[32];
        snprintf(where, sizeof where, "inputs[%zu]", i);
        if (!json_is_object(in))
            ladle_verify_problem(v, MANIFEST, where, "not an object");
        else
            get_string(v, in, "path", where);
    }
}

/* A split name is one path component: it names DIR's subdirectory. */
static int split_name_ok(const char *name)
{
    return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* The shard must be "<split>/<name>" with <name> one plain component, so it
 * lies in its split's directory and nowhere else. */
static int shard_path_ok(const char *file, const char *split)
{
    size_t n = strlen(split);
    if (strncmp(file, split, n) != 0 || file[n] != '/')
        return 0;
    return split_name_ok(file + n + 1);
}

static int is_hex128(const char *s)
{
    if (strlen(s) != 32)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

/* ---- splits, and files nobody listed ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Checks one split's entry and its shards; appends each shard's file to listed. */
static void check_split(struct ladle_verify_run *v, json_t *split, size_t si, const char **listed,
                        size_t *nlisted)
{
    char where[300];
    snprintf(where, sizeof where, "splits[%zu]", si);
    if (!json_is_object(split)) {
        ladle_verify_problem(v, MANIFEST, where, "not an object");
        return;
    }
    const char *name = get_string(v, split, "name", where);
    if (name && !split_name_ok(name)) {
        ladle_verify_problem(v, MANIFEST, where, "split name \"%s\" is not a plain directory name",
                             name);
        name = NULL;
    }
    uint64_t records, bytes, sum_records = 0, sum_bytes = 0;
    int totals_ok = get_count(v, split, "records", where, &records) == 0;
    totals_ok &= get_count(v, split, "bytes", where, &bytes) == 0;
    json_t *shards = json_object_get(split, "shards");
    if (!json_is_array(shards)) {
        ladle_verify_problem(v, MANIFEST, where, "\"shards\" is missing or not an array");
        return;
    }
    json_t *classes = json_object_get(split, "classes");
    if (classes && !json_is_array(classes))
        ladle_verify_problem(v, MANIFEST, where, "\"classes\" is not an array");

    for (size_t i = 0; i < json_array_size(shards); i++) {
        json_t *sh = json_array_get(shards, i);
        snprintf(where, sizeof where, "split \"%s\", shards[%zu]", name ? name : "?", i);
        if (!json_is_object(sh)) {
            ladle_verify_problem(v, MANIFEST, where, "not an object");
            totals_ok = 0;
            continue;
        }
        struct ladle_shard_expect x = {.file = get_string(v, sh, "file", where)};
        int ok = x.file != NULL;
        ok &= get_count(v, sh, "records", where, &x.records) == 0;
        ok &= get_count(v, sh, "bytes", where, &x.bytes) == 0;
        ok &= get_count(v, sh, "compressed_bytes", where, &x.compressed) == 0;
        ok &= get_count(v, sh, "frames", where, &x.frames) == 0;
        json_t *part = json_object_get(sh, "part"); /* a joined dataset's: its part */
        if (part && !(json_is_integer(part) && json_integer_value(part) >= 1))
            ladle_verify_problem(v, MANIFEST, where, "\"part\" is not a positive integer");
        x.xxh3_128 = get_string(v, sh, "xxh3_128", where);
        if (x.xxh3_128 && !is_hex128(x.xxh3_128)) {
            ladle_verify_problem(v, MANIFEST, where, "\"xxh3_128\" is not 32 lowercase hex digits");
            x.xxh3_128 = NULL;
        }
        x.sha256 = json_object_get(sh, "sha256"); /* none before 0.6.0 */
        totals_ok &= ok;
        sum_records += x.records;
        sum_bytes += x.bytes;
        v->tot.shards++;
        v->tot.compressed += x.compressed;
        if (!x.file)
            continue;
        listed[(*nlisted)++] = x.file;
        if (name && !shard_path_ok(x.file, name))
            ladle_verify_problem(v, MANIFEST, where,
                                 "\"%s\" is not a file in the split's directory \"%s/\"", x.file,
                                 name);
        else if (name && ok) {
            uint64_t before = v->tot.problems;
            char buf[64];
            ladle_verify_shard(v, &x);
            detail(v, x.file,
                   "%llu records, %llu bytes in %llu frame%s, %llu bytes compressed; size, "
                   "XXH3-128, SHA-256, seek table, frame checksums and line ends: %s",
                   (unsigned long long)x.records, (unsigned long long)x.bytes,
                   (unsigned long long)x.frames, x.frames == 1 ? "" : "s",
                   (unsigned long long)x.compressed,
                   outcome(v->tot.problems - before, buf, sizeof buf));
        }
    }
    snprintf(where, sizeof where, "split \"%s\"", name ? name : "?");
    if (totals_ok && sum_records != records)
        ladle_verify_problem(v, MANIFEST, where, "\"records\" is %llu, its shards hold %llu",
                             (unsigned long long)records, (unsigned long long)sum_records);
    if (totals_ok && sum_bytes != bytes)
        ladle_verify_problem(v, MANIFEST, where, "\"bytes\" is %llu, its shards hold %llu",
                             (unsigned long long)bytes, (unsigned long long)sum_bytes);
    v->tot.records += records;
    v->tot.bytes += bytes;
    if (name && totals_ok)
        detail(v, NULL, "split \"%s\": %zu shard%s, %llu records, %llu bytes: %s", name,
               json_array_size(shards), json_array_size(shards) == 1 ? "" : "s",
               (unsigned long long)records, (unsigned long long)bytes,
               sum_records == records && sum_bytes == bytes ? "the shards add up"
                                                            : "the shards do not add up");
}

static int is_part_name(const char *s)
{
    size_t n = strlen(s);
    return n > 9 && strncmp(s, "part-", 5) == 0 && strcmp(s + n - 4, ".zst") == 0;
}

/* Reports part-*.zst files in DIR's subdirectories that the manifest does
 * not list (sorted listed[]): leftovers of another run would otherwise be
 * taken for part of this dataset. Reported in name order. 0, or -1 on nomem. */
static int find_strays(struct ladle_verify_run *v, const char **listed, size_t nlisted)
{
    char **strays = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    int fd = openat(v->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        ladle_verify_problem(v, NULL, NULL, "cannot list: %s", strerror(errno));
        return 0;
    }
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        struct stat st;
        if (!v->live &&
            strncmp(de->d_name, LADLE_DATASET_TMP_PREFIX, strlen(LADLE_DATASET_TMP_PREFIX)) == 0) {
            ladle_verify_problem(v, de->d_name, NULL,
                                 "a temporary folder left by a run that did not finish "
                                 "('ladle verify --repair %s' removes it)",
                                 v->dir);
            continue;
        }
        if (de->d_name[0] == '.' || fstatat(v->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(st.st_mode))
            continue;
        int sfd = openat(v->dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *sd = sfd < 0 ? NULL : fdopendir(sfd);
        if (!sd) {
            if (sfd >= 0)
                close(sfd);
            continue;
        }
        struct dirent *e;
        while (rc == 0 && (e = readdir(sd))) {
            if (!is_part_name(e->d_name))
                continue;
            char rel[600];
            snprintf(rel, sizeof rel, "%s/%s", de->d_name, e->d_name);
            const char *key = rel;
            if (bsearch(&key, listed, nlisted, sizeof *listed, cmp_str))
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 8;
                char **s = realloc(strays, cap * sizeof *s);
                if (!s) {
                    rc = -1;
                    break;
                }
                strays = s;
            }
            if (!(strays[n] = strdup(rel)))
                rc = -1;
            else
                n++;
        }
        closedir(sd);
    }
    closedir(d);
    if (rc == 0 && n) {
        qsort(strays, n, sizeof *strays, cmp_str);
        for (size_t i = 0; i < n; i++)
            ladle_verify_problem(v, strays[i], NULL, "not listed in " MANIFEST);
    }
    for (size_t i = 0; i < n; i++)
        free(strays[i]);
    free(strays);
    return rc;
}

/* Checks the whole manifest (root) and every shard it lists. 0, or -1 on nomem. */
static int check_manifest(struct ladle_verify_run *v, json_t *root)
{
    if (!json_is_object(root)) {
        ladle_verify_problem(v, MANIFEST, NULL, "not a JSON object");
        return 0;
    }
    check_top_fields(v, root);
    json_t *splits = json_object_get(root, "splits");
    if (!json_is_array(splits)) {
        ladle_verify_problem(v, MANIFEST, NULL, "\"splits\" is missing or not an array");
        return 0;
    }
    size_t total = 0, nsplits = json_array_size(splits);
    for (size_t i = 0; i < nsplits; i++)
        total += json_array_size(json_object_get(json_array_get(splits, i), "shards"));
    const char **listed = malloc((total ? total : 1) * sizeof *listed);
    if (!listed)
        return -1;
    size_t nlisted = 0;
    for (size_t i = 0; i < nsplits; i++) {
        json_t *s = json_array_get(splits, i);
        const char *name = json_string_value(json_object_get(s, "name"));
        for (size_t j = 0; j < i && name; j++) {
            const char *other =
                json_string_value(json_object_get(json_array_get(splits, j), "name"));
            if (other && strcmp(name, other) == 0)
                ladle_verify_problem(v, MANIFEST, NULL, "split \"%s\" is listed twice", name);
        }
        check_split(v, s, i, listed, &nlisted);
        v->tot.splits++;
    }
    qsort(listed, nlisted, sizeof *listed, cmp_str);
    for (size_t i = 1; i < nlisted; i++)
        if (strcmp(listed[i - 1], listed[i]) == 0)
            ladle_verify_problem(v, MANIFEST, NULL, "shard \"%s\" is listed twice", listed[i]);
    uint64_t before = v->tot.problems;
    int rc = find_strays(v, listed, nlisted);
    char buf[64];
    if (rc == 0)
        detail(v, NULL, "%zu shards listed; stray part-*.zst files and temporary folders: %s",
               nlisted, outcome(v->tot.problems - before, buf, sizeof buf));
    free(listed);
    return rc;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

ladle_status ladle_verify_dir(const char *dir, FILE *problems, FILE *summary,
                              struct ladle_verify_totals *totals, struct ladle_error *err)
{
    return ladle_verify_dir_detail(dir, problems, summary, NULL, totals, err);
}

ladle_status ladle_verify_dir_detail(const char *dir, FILE *problems, FILE *summary,
                                     FILE *detail_to, struct ladle_verify_totals *totals,
                                     struct ladle_error *err)
{
    struct ladle_verify_run v = {
        .dir = dir, .problems = problems, .detail = detail_to, .err = err, .dirfd = -1};
    ladle_status st = LADLE_OK;
    json_t *root = NULL;
    v.out_cap = ZSTD_DStreamOutSize();
    v.in = malloc(LADLE_VERIFY_BLOCK);
    v.out = malloc(v.out_cap);
    v.dctx = ZSTD_createDCtx();
    if (!v.in || !v.out || !v.dctx)
        goto nomem;

    v.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (v.dirfd < 0) {
        ladle_verify_problem(&v, NULL, NULL, "cannot open: %s", strerror(errno));
        goto done;
    }
    /* A run writing DIR holds an exclusive lock on it (split/dataset.h):
     * what it writes is in flux, and its temporary folder is no stray. */
    if (flock(v.dirfd, LOCK_SH | LOCK_NB) == 0)
        flock(v.dirfd, LOCK_UN);
    else if (errno == EWOULDBLOCK)
        v.live = 1;
    if (v.live) {
        ladle_verify_problem(&v, NULL, NULL,
                             "a ladle run is writing this folder now: verify it once the run "
                             "has finished");
        goto done;
    }
    int mfd = openat(v.dirfd, MANIFEST, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (mfd < 0) {
        ladle_verify_problem(&v, MANIFEST, NULL, "cannot open: %s",
                             errno == ELOOP ? "it is a symbolic link (refused)" : strerror(errno));
        goto done;
    }
    json_error_t jerr;
    root = json_loadfd(mfd, JSON_REJECT_DUPLICATES, &jerr);
    close(mfd);
    if (!root) {
        char where[64];
        snprintf(where, sizeof where, "line %d, column %d", jerr.line, jerr.column);
        ladle_verify_problem(&v, MANIFEST, where, "not valid JSON: %s", jerr.text);
        goto done;
    }
    json_t *pending = json_object_get(root, LADLE_DATASET_PENDING);
    if (pending) {
        const char *f = json_string_value(json_object_get(pending, "folder"));
        ladle_verify_problem(
            &v, MANIFEST, NULL,
            "a commit that did not finish: the dataset it lists is still in %s ('ladle verify "
            "--repair %s', or the next ladle run on it, finishes it)",
            f ? f : "?", dir);
        goto done;
    }
    if (check_manifest(&v, root) != 0)
        goto nomem;
    if (json_is_object(root))
        ladle_verify_cards(&v, root);
    if (!v.tot.problems && summary)
        fprintf(summary, "%s: OK: %llu %s, %llu %s, %llu %s, %llu %s (%llu compressed)\n", dir,
                (unsigned long long)v.tot.splits, plural(v.tot.splits, "split", "splits"),
                (unsigned long long)v.tot.shards, plural(v.tot.shards, "shard", "shards"),
                (unsigned long long)v.tot.records, plural(v.tot.records, "record", "records"),
                (unsigned long long)v.tot.bytes, plural(v.tot.bytes, "byte", "bytes"),
                (unsigned long long)v.tot.compressed);
    goto done;
nomem:
    st = ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", dir);
    if (problems)
        fprintf(problems, "ladle: %s: out of memory\n", dir);
done:
    if (st == LADLE_OK && v.tot.problems)
        st = LADLE_E_INPUT;
    if (totals)
        *totals = v.tot;
    json_decref(root);
    if (v.dirfd >= 0)
        close(v.dirfd);
    ZSTD_freeDCtx(v.dctx);
    free(v.out);
    free(v.in);
    return st;
}
