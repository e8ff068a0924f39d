/*
 * test_seekable.c -- the seek table (src/shard/seekable.c) and `ladle
 * verify` (src/split/verify.c).
 *
 * What is checked:
 * - the table's bytes are exactly the spec's layout (a golden table of one
 *   entry), and ladle_seek_checksum is XXH64's low 32 bits: pinned to the
 *   known XXH64("abc") and equal to the content checksum zstd itself puts
 *   at the end of a frame;
 * - round trip: lines compressed into 5 frames by ZSTD_compress, the table
 *   appended, parsed back (in memory and from an fd): every entry, where
 *   the frames end, and every frame found at the offset the sums give,
 *   decompressing to its dsize and checksum; a table of 0 frames; a table
 *   without checksums (8-byte entries) is accepted; unused descriptor bits
 *   are ignored;
 * - corruptions are refused with a reason: bad seekable magic, bad
 *   skippable magic, truncated footer, a file shorter than a table, a
 *   reserved bit set, a wrong Frame_Size, a frame count larger than the
 *   file, entries that do not tile the file (one csize off by one, a stray
 *   byte before the frames);
 * - verify: a hand-built dataset (2 splits, 3 shards, manifest written with
 *   jansson) passes with the exact summary line; so do a dataset with
 *   header lines and one whose frames (~0.7 MiB compressed each) straddle
 *   verify's 1 MiB read blocks. Then one corruption at a time, on a fresh
 *   copy, must be reported naming the file and what: a byte flipped in a
 *   frame, records changed in the manifest (shard and split totals), a
 *   wrong frame count, a deleted shard, a stray part file, a symlinked
 *   shard, a truncated shard, a frame cut mid-line, seek table entries that
 *   tile the file but not the frames, a wrong dsize, a missing and a
 *   malformed manifest, and a shard outside its split's directory;
 * - `zstd -t` accepts a shard and `zstd -dc` gives back its lines (skipped
 *   when zstd is not on PATH).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <zstd.h>
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "common/error.h"
#include "shard/seekable.h"
#include "split/verify.h"
#include "test_util.h"

/* ---- helpers ---- */

static void write_all(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct t_buf b = {0};
    char tmp[1 << 16];
    size_t n;
    if (!f) {
        perror(path);
        exit(1);
    }
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        t_buf_add(&b, tmp, n);
    fclose(f);
    t_buf_add(&b, "", 1);
    *len = b.len - 1;
    return b.p;
}

/* What the manifest says of a shard built by write_shard. */
struct shard_out {
    uint64_t records, bytes, compressed, frames;
    char hex[33];
};

/* Compresses text into one frame per piece ending at cuts[i] (ascending,
 * the last == len), appends the seek table, and returns the file's bytes. */
static struct t_buf build_shard(const char *text, size_t len, const size_t *cuts, size_t ncuts,
                                int level)
{
    struct t_buf file = {0};
    struct ladle_seek_table t = {0};
    size_t from = 0;
    CHECK(ncuts > 0 && cuts[ncuts - 1] == len);
    for (size_t i = 0; i < ncuts; i++) {
        size_t n = cuts[i] - from, cap = ZSTD_compressBound(n);
        unsigned char *z = malloc(cap);
        size_t zn = ZSTD_compress(z, cap, text + from, n, level);
        CHECK(!ZSTD_isError(zn));
        CHECK(ladle_seek_table_add(&t, (uint32_t)zn, (uint32_t)n,
                                   ladle_seek_checksum(text + from, n)) == 0);
        t_buf_add(&file, z, zn);
        free(z);
        from = cuts[i];
    }
    size_t tn = ladle_seek_table_size(&t);
    unsigned char *tb = malloc(tn);
    ladle_seek_table_write(&t, tb);
    t_buf_add(&file, tb, tn);
    free(tb);
    ladle_seek_table_free(&t);
    return file;
}

static void hex128(const void *data, size_t len, char hex[33])
{
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(data, len));
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", c.digest[i]);
}

static void write_shard(const char *path, const char *text, size_t len, const size_t *cuts,
                        size_t ncuts, int header, struct shard_out *o)
{
    struct t_buf f = build_shard(text, len, cuts, ncuts, 3);
    write_all(path, f.p, f.len);
    o->records = 0;
    for (size_t i = 0; i < len; i++)
        o->records += text[i] == '\n';
    o->records -= header ? 1 : 0;
    o->bytes = len;
    o->compressed = f.len;
    o->frames = ncuts;
    hex128(f.p, f.len, o->hex);
    free(f.p);
}

/* n JSON lines starting at line number first, after a header line if asked. */
static char *make_lines(int first, int n, int header, size_t *len)
{
    struct t_buf b = {0};
    char line[128];
    if (header)
        t_buf_add(&b, "HEADER\n", 7);
    for (int i = first; i < first + n; i++) {
        int k =
            snprintf(line, sizeof line, "{\"i\": %d, \"level\": \"%s\", \"msg\": \"hello %d\"}\n",
                     i, i % 3 ? "INFO" : "WARN", i * 7);
        t_buf_add(&b, line, (size_t)k);
    }
    t_buf_add(&b, "", 1);
    *len = b.len - 1;
    return b.p;
}

/* Byte offset just after the k-th '\n' (1-based). */
static size_t after_line(const char *text, int k)
{
    const char *p = text;
    for (int i = 0; i < k; i++)
        p = strchr(p, '\n') + 1;
    return (size_t)(p - text);
}

static json_t *shard_json(const char *file, const struct shard_out *o)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "file", file, "records",
                     (json_int_t)o->records, "bytes", (json_int_t)o->bytes, "compressed_bytes",
                     (json_int_t)o->compressed, "frames", (json_int_t)o->frames, "xxh3_128",
                     o->hex);
}

static char *path_in(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static json_t *load_manifest(const char *dir)
{
    char *p = path_in(dir, "manifest.json");
    json_t *root = json_load_file(p, 0, NULL);
    free(p);
    CHECK(root != NULL);
    return root;
}

static void save_manifest(const char *dir, json_t *root)
{
    char *p = path_in(dir, "manifest.json");
    CHECK(json_dump_file(root, p, JSON_INDENT(2)) == 0);
    free(p);
    json_decref(root);
}

static json_t *manifest_shard(json_t *root, size_t split, size_t shard)
{
    return json_array_get(
        json_object_get(json_array_get(json_object_get(root, "splits"), split), "shards"), shard);
}

static int dataset_no;

/* A fresh valid dataset under the test's temp dir:
 *   train/part-00000 (lines 0..19 in 2 frames), train/part-00001 (20..24,
 *   1 frame), test/part-00000 (100..105, 1 frame). Returns its malloc'd path. */
static char *build_dataset(int header)
{
    char name[32];
    snprintf(name, sizeof name, "ds-%d", dataset_no++);
    char *dir = path_in(t_tmpdir(), name);
    char *train = path_in(dir, "train"), *test = path_in(dir, "test");
    CHECK(mkdir(dir, 0755) == 0 && mkdir(train, 0755) == 0 && mkdir(test, 0755) == 0);

    struct {
        const char *file;
        int first, n, cut_after;
    } spec[] = {
        {"train/part-00000.jsonl.zst", 0, 20, 7},
        {"train/part-00001.jsonl.zst", 20, 5, 0},
        {"test/part-00000.jsonl.zst", 100, 6, 0},
    };
    struct shard_out out[3];
    for (int i = 0; i < 3; i++) {
        size_t len, cuts[2], ncuts = 0;
        char *text = make_lines(spec[i].first, spec[i].n, header, &len);
        if (spec[i].cut_after)
            cuts[ncuts++] = after_line(text, spec[i].cut_after + (header ? 1 : 0));
        cuts[ncuts++] = len;
        char *p = path_in(dir, spec[i].file);
        write_shard(p, text, len, cuts, ncuts, header, &out[i]);
        free(p);
        free(text);
    }
    json_t *root =
        json_pack("{s:s, s:[s,s,s,s], s:I, s:s, s:b, s:[{s:s, s:I, s:I, s:I, s:{s:I}}]}",
                  "ladle_version", "0.1.0", "command", "ladle", "split", "-o", "out", "seed",
                  (json_int_t)7, "format", "jsonl", "header", header, "inputs", "path", "a.jsonl",
                  "size", (json_int_t)4000, "decompressed_bytes", (json_int_t)4000, "records",
                  (json_int_t)31, "skipped", "missing", (json_int_t)0);
    json_t *splits = json_array();
    json_t *train_shards = json_array(), *test_shards = json_array();
    json_array_append_new(train_shards, shard_json(spec[0].file, &out[0]));
    json_array_append_new(train_shards, shard_json(spec[1].file, &out[1]));
    json_array_append_new(test_shards, shard_json(spec[2].file, &out[2]));
    json_array_append_new(
        splits, json_pack("{s:s, s:I, s:I, s:o, s:[{s:s, s:I, s:I, s:f}]}", "name", "train",
                          "records", (json_int_t)(out[0].records + out[1].records), "bytes",
                          (json_int_t)(out[0].bytes + out[1].bytes), "shards", train_shards,
                          "classes", "label", "INFO", "before", (json_int_t)16, "after",
                          (json_int_t)16, "weight", 1.0));
    json_array_append_new(splits, json_pack("{s:s, s:I, s:I, s:o}", "name", "test", "records",
                                            (json_int_t)out[2].records, "bytes",
                                            (json_int_t)out[2].bytes, "shards", test_shards));
    json_object_set_new(root, "splits", splits);
    save_manifest(dir, root);
    free(train);
    free(test);
    return dir;
}

struct verdict {
    ladle_status st;
    char *problems; /* all problem lines */
    char *summary;
    uint64_t nproblems;
};

static struct verdict verify(const char *dir)
{
    struct verdict r = {0};
    size_t plen, slen;
    FILE *p = open_memstream(&r.problems, &plen), *s = open_memstream(&r.summary, &slen);
    struct ladle_error err;
    struct ladle_verify_totals tot;
    ladle_error_init(&err);
    r.st = ladle_verify_dir(dir, p, s, &tot, &err);
    fclose(p);
    fclose(s);
    r.nproblems = tot.problems;
    /* The first problem is err's message. */
    if (r.st != LADLE_OK)
        CHECKF(strstr(r.problems, err.msg) != NULL, "first error '%s' not among problems", err.msg);
    return r;
}

static void verdict_free(struct verdict *r)
{
    free(r->problems);
    free(r->summary);
}

/* Checks that verify fails on dir and that every needle is in the problems. */
#define EXPECT_PROBLEMS(dir, ...)                                                                  \
    do {                                                                                           \
        struct verdict r_ = verify(dir);                                                           \
        const char *needles_[] = {__VA_ARGS__};                                                    \
        CHECKF(r_.st == LADLE_E_INPUT, "status %d, problems:\n%s", r_.st, r_.problems);            \
        CHECK(r_.summary[0] == '\0');                                                              \
        for (size_t k_ = 0; k_ < sizeof needles_ / sizeof *needles_; k_++)                         \
            CHECKF(strstr(r_.problems, needles_[k_]) != NULL, "'%s' not in:\n%s", needles_[k_],    \
                   r_.problems);                                                                   \
        verdict_free(&r_);                                                                         \
    } while (0)

static void flip_byte(const char *path, long off)
{
    int fd = open(path, O_RDWR);
    unsigned char c = 0;
    CHECK(fd >= 0 && pread(fd, &c, 1, off) == 1);
    c ^= 0x40;
    CHECK(pwrite(fd, &c, 1, off) == 1);
    close(fd);
}

/* ---- the seek table ---- */

static void test_golden_layout(void)
{
    struct ladle_seek_table t = {0};
    CHECK(ladle_seek_table_add(&t, 0x01020304u, 5, 0xAABBCCDDu) == 0);
    static const unsigned char want[] = {
        0x5E, 0x2A, 0x4D, 0x18, 21,   0,    0,    0,          /* skippable magic, Frame_Size */
        0x04, 0x03, 0x02, 0x01, 5,    0,    0,    0,          /* csize, dsize */
        0xDD, 0xCC, 0xBB, 0xAA,                               /* checksum */
        1,    0,    0,    0,    0x80, 0xB1, 0xEA, 0x92, 0x8F, /* footer */
    };
    CHECK(ladle_seek_table_size(&t) == sizeof want);
    unsigned char got[sizeof want];
    ladle_seek_table_write(&t, got);
    CHECK(memcmp(got, want, sizeof want) == 0);
    ladle_seek_table_free(&t);
    CHECK(t.v == NULL && t.count == 0);

    CHECK(ladle_seek_checksum("abc", 3) == 0xAD770999u); /* XXH64("abc") = 0x44BC2CF5AD770999 */
    /* zstd's frame content checksum is the same function: shards may reuse it. */
    const char *s = "some text to compress\n";
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    unsigned char z[256];
    size_t zn = ZSTD_compress2(cc, z, sizeof z, s, strlen(s));
    CHECK(!ZSTD_isError(zn) && zn > 4);
    uint32_t tail = (uint32_t)z[zn - 4] | (uint32_t)z[zn - 3] << 8 | (uint32_t)z[zn - 2] << 16 |
                    (uint32_t)z[zn - 1] << 24;
    CHECK(ladle_seek_checksum(s, strlen(s)) == tail);
    ZSTD_freeCCtx(cc);
}

static void test_round_trip(void)
{
    size_t len;
    char *text = make_lines(0, 200, 0, &len);
    size_t cuts[] = {after_line(text, 1), after_line(text, 40), after_line(text, 41),
                     after_line(text, 150), len};
    struct t_buf f = build_shard(text, len, cuts, 5, 3);

    struct ladle_seek_table t = {0};
    uint64_t end = 0;
    const char *why = NULL;
    CHECKF(ladle_seek_table_parse((const unsigned char *)f.p, f.len, &t, &end, &why) == 0, "%s",
           why);
    CHECK(t.count == 5 && t.checksummed);
    CHECK(end == f.len - (8 + 5 * 12 + 9));
    uint64_t off = 0;
    size_t from = 0;
    for (size_t i = 0; i < t.count && i < 5; i++) {
        const struct ladle_seek_entry *e = &t.v[i];
        CHECK(e->dsize == cuts[i] - from);
        CHECK(ZSTD_findFrameCompressedSize(f.p + off, e->csize) == e->csize);
        CHECK(ZSTD_getFrameContentSize(f.p + off, e->csize) == e->dsize);
        char *d = malloc(e->dsize);
        CHECK(ZSTD_decompress(d, e->dsize, f.p + off, e->csize) == e->dsize);
        CHECK(memcmp(d, text + from, e->dsize) == 0);
        CHECK(ladle_seek_checksum(d, e->dsize) == e->checksum);
        free(d);
        off += e->csize;
        from = cuts[i];
    }
    CHECK(off == end);

    /* The same through an fd. */
    char *path = t_write_file("rt.zst", f.p, f.len);
    int fd = open(path, O_RDONLY);
    struct ladle_seek_table t2 = {0};
    uint64_t end2 = 0;
    CHECKF(ladle_seek_table_read_fd(fd, f.len, &t2, &end2, &why) == 0, "%s", why);
    CHECK(end2 == end && t2.count == t.count && memcmp(t2.v, t.v, t.count * sizeof *t.v) == 0);
    ladle_seek_table_free(&t2);
    /* A size past the real end: a short read, refused. */
    CHECK(ladle_seek_table_read_fd(fd, f.len + 100, &t2, &end2, &why) == -1);
    close(fd);
    free(path);

    /* Unused descriptor bits (1..0) are ignored. */
    f.p[f.len - 5] |= 0x03;
    CHECK(ladle_seek_table_parse((const unsigned char *)f.p, f.len, &t2, &end2, &why) == 0);
    ladle_seek_table_free(&t2);

    ladle_seek_table_free(&t);
    free(f.p);
    free(text);

    /* Zero frames: the table alone. */
    struct ladle_seek_table empty = {0};
    unsigned char eb[17];
    CHECK(ladle_seek_table_size(&empty) == sizeof eb);
    ladle_seek_table_write(&empty, eb);
    CHECK(ladle_seek_table_parse(eb, sizeof eb, &t, &end, &why) == 0 && t.count == 0 && end == 0);
    ladle_seek_table_free(&t);

    /* No checksums: 8-byte entries, descriptor 0. */
    static const unsigned char nock[] = {
        'x', 'y', 0x5E, 0x2A, 0x4D, 0x18, 8 + 9, 0,    0,    0, /* 2 bytes of "frame" */
        2,   0,   0,    0,    7,    0,    0,     0,             /* csize 2, dsize 7 */
        1,   0,   0,    0,    0x00, 0xB1, 0xEA,  0x92, 0x8F,
    };
    CHECK(ladle_seek_table_parse(nock, sizeof nock, &t, &end, &why) == 0);
    CHECK(t.count == 1 && !t.checksummed && t.v[0].csize == 2 && t.v[0].dsize == 7 && end == 2);
    ladle_seek_table_free(&t);
}

/* parse must refuse data, and say why. */
static void expect_refused(const unsigned char *data, size_t len, const char *what)
{
    struct ladle_seek_table t = {0};
    uint64_t end = 0;
    const char *why = NULL;
    CHECKF(ladle_seek_table_parse(data, len, &t, &end, &why) == -1, "%s accepted", what);
    CHECKF(why && why[0], "%s: no reason", what);
    CHECK(t.v == NULL);
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void test_corrupt_tables(void)
{
    size_t len;
    char *text = make_lines(0, 50, 0, &len);
    size_t cuts[] = {after_line(text, 20), len};
    struct t_buf f = build_shard(text, len, cuts, 2, 3);
    size_t tstart = f.len - (8 + 2 * 12 + 9);
    unsigned char *c = malloc(f.len + 1);

#define MUTATE(stmt, what)                                                                         \
    do {                                                                                           \
        memcpy(c, f.p, f.len);                                                                     \
        size_t n_ = f.len;                                                                         \
        stmt;                                                                                      \
        expect_refused(c, n_, what);                                                               \
    } while (0)

    MUTATE(c[f.len - 1] ^= 1, "bad seekable magic");
    MUTATE(n_ = f.len - 1, "truncated footer");
    MUTATE(n_ = 10, "file shorter than a table");
    MUTATE(c[f.len - 5] |= 0x04, "reserved bit 2");
    MUTATE(c[f.len - 5] |= 0x40, "reserved bit 6");
    MUTATE(c[tstart] ^= 1, "bad skippable magic");
    MUTATE(c[tstart + 4] += 1, "wrong Frame_Size");
    MUTATE(put32(c + f.len - 9, 1000), "frame count past the file");
    MUTATE(put32(c + f.len - 9, 0xFFFFFFFFu), "frame count over the limit");
    MUTATE(c[tstart + 8] += 1, "csize off by one");
    MUTATE((memmove(c + 1, c, f.len), c[0] = 0, n_ = f.len + 1), "a byte before the frames");
#undef MUTATE
    free(c);
    free(f.p);
    free(text);
}

/* ---- verify ---- */

static void test_verify_valid(void)
{
    char *dir = build_dataset(0);
    struct verdict r = verify(dir);
    CHECKF(r.st == LADLE_OK, "problems:\n%s", r.problems);
    CHECK(r.nproblems == 0 && r.problems[0] == '\0');
    char want[512];
    char *m = path_in(dir, "manifest.json");
    json_t *root = json_load_file(m, 0, NULL);
    json_int_t bytes = 0, comp = 0;
    for (size_t s = 0; s < 2; s++) {
        bytes += json_integer_value(
            json_object_get(json_array_get(json_object_get(root, "splits"), s), "bytes"));
        for (size_t k = 0; k < 2; k++)
            comp +=
                json_integer_value(json_object_get(manifest_shard(root, s, k), "compressed_bytes"));
    }
    json_decref(root);
    free(m);
    snprintf(want, sizeof want,
             "%s: OK: 2 splits, 3 shards, 31 records, %lld bytes (%lld compressed)\n", dir,
             (long long)bytes, (long long)comp);
    CHECKF(strcmp(r.summary, want) == 0, "summary '%s', want '%s'", r.summary, want);
    verdict_free(&r);

    /* zstd itself reads a shard: it skips the seek table. */
    if (system("command -v zstd >/dev/null 2>&1") == 0) {
        char cmd[1024], *shard = path_in(dir, "train/part-00000.jsonl.zst");
        char *out = path_in(t_tmpdir(), "zstd-out.txt");
        snprintf(cmd, sizeof cmd, "zstd -q -t '%s'", shard);
        CHECK(system(cmd) == 0);
        snprintf(cmd, sizeof cmd, "zstd -q -d -c '%s' > '%s'", shard, out);
        CHECK(system(cmd) == 0);
        size_t len, n;
        char *want_text = make_lines(0, 20, 0, &len), *got = read_all(out, &n);
        CHECK(n == len && memcmp(got, want_text, len) == 0);
        free(want_text);
        free(got);
        free(out);
        free(shard);
    } else {
        fprintf(stderr, "test_seekable: zstd not on PATH: `zstd -t` check skipped\n");
    }
    free(dir);

    /* Header lines: counted in bytes, not in records. */
    dir = build_dataset(1);
    r = verify(dir);
    CHECKF(r.st == LADLE_OK, "header dataset, problems:\n%s", r.problems);
    CHECK(strstr(r.summary, "31 records") != NULL);
    verdict_free(&r);
    /* The same shards read as header-less hold one more record each. */
    json_t *mroot = load_manifest(dir);
    json_object_set_new(mroot, "header", json_false());
    save_manifest(dir, mroot);
    EXPECT_PROBLEMS(dir, "train/part-00000.jsonl.zst: holds 21 records, manifest says 20",
                    "test/part-00000.jsonl.zst: holds 7 records, manifest says 6");
    free(dir);
}

/* Frames bigger than verify's 1 MiB read block, so blocks end mid-frame. */
static void test_verify_big_frames(void)
{
    char *dir = path_in(t_tmpdir(), "big");
    char *sub = path_in(dir, "all");
    CHECK(mkdir(dir, 0755) == 0 && mkdir(sub, 0755) == 0);
    struct t_buf text = {0};
    uint64_t x = 88172645463325252ULL;
    size_t cuts[3], nl = 0;
    char line[64];
    for (int f = 0; f < 3; f++) {
        while (text.len < (size_t)(f + 1) * 1500000) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: text that barely compresses */
            int k = snprintf(line, sizeof line, "%016llx %016llx\n", (unsigned long long)x,
                             (unsigned long long)(x * 0x9E3779B97F4A7C15ULL));
            t_buf_add(&text, line, (size_t)k);
            nl++;
        }
        cuts[f] = text.len;
    }
    struct shard_out o;
    char *p = path_in(dir, "all/part-00000.txt.zst");
    write_shard(p, text.p, text.len, cuts, 3, 0, &o);
    CHECK(o.compressed > 2 * (1u << 20));
    json_t *root =
        json_pack("{s:s, s:[s], s:I, s:s, s:b, s:[], s:[{s:s, s:I, s:I, s:[o]}]}", "ladle_version",
                  "0.1.0", "command", "ladle", "seed", (json_int_t)0, "format", "lines", "header",
                  0, "inputs", "splits", "name", "all", "records", (json_int_t)o.records, "bytes",
                  (json_int_t)o.bytes, "shards", shard_json("all/part-00000.txt.zst", &o));
    save_manifest(dir, root);
    struct verdict r = verify(dir);
    CHECKF(r.st == LADLE_OK, "problems:\n%s", r.problems);
    CHECK(o.records == nl);
    verdict_free(&r);
    /* A flipped byte deep in frame 2, past the second read block. */
    flip_byte(p, (long)(o.compressed - 100000));
    EXPECT_PROBLEMS(dir, "frame 2 at byte", "XXH3-128 is");
    free(p);
    free(text.p);
    free(sub);
    free(dir);
}

static void test_verify_corruptions(void)
{
    char *dir, *p, *q;
    json_t *root;

    /* A flipped byte inside frame 1 of train/part-00000. */
    dir = build_dataset(0);
    p = path_in(dir, "train/part-00000.jsonl.zst");
    {
        struct ladle_seek_table t = {0};
        uint64_t end;
        const char *why;
        size_t n;
        char *bytes = read_all(p, &n);
        CHECK(ladle_seek_table_parse((unsigned char *)bytes, n, &t, &end, &why) == 0);
        flip_byte(p, (long)(t.v[0].csize + t.v[1].csize / 2));
        ladle_seek_table_free(&t);
        free(bytes);
    }
    EXPECT_PROBLEMS(dir, "train/part-00000.jsonl.zst: XXH3-128 is",
                    "train/part-00000.jsonl.zst: ", "(frame 1 at byte ");
    free(p);
    free(dir);

    /* records of a shard changed: the shard and the split's sum disagree. */
    dir = build_dataset(0);
    root = load_manifest(dir);
    json_object_set_new(manifest_shard(root, 0, 1), "records", json_integer(6));
    save_manifest(dir, root);
    EXPECT_PROBLEMS(dir, "train/part-00001.jsonl.zst: holds 5 records, manifest says 6",
                    "manifest.json: \"records\" is 25, its shards hold 26 (split \"train\")");
    free(dir);

    /* A wrong frame count. */
    dir = build_dataset(0);
    root = load_manifest(dir);
    json_object_set_new(manifest_shard(root, 1, 0), "frames", json_integer(2));
    save_manifest(dir, root);
    EXPECT_PROBLEMS(dir, "test/part-00000.jsonl.zst: seek table lists 1 frame, manifest says 2");
    free(dir);

    /* A deleted shard. */
    dir = build_dataset(0);
    p = path_in(dir, "train/part-00001.jsonl.zst");
    CHECK(unlink(p) == 0);
    EXPECT_PROBLEMS(dir, "train/part-00001.jsonl.zst: cannot open: No such file");
    free(p);
    free(dir);

    /* A stray part file, and a leftover split directory. */
    dir = build_dataset(0);
    p = path_in(dir, "train/part-00000.jsonl.zst");
    q = path_in(dir, "train/part-00007.jsonl.zst");
    size_t n;
    char *bytes = read_all(p, &n);
    write_all(q, bytes, n);
    free(q);
    q = path_in(dir, "old");
    CHECK(mkdir(q, 0755) == 0);
    free(q);
    q = path_in(dir, "old/part-00000.jsonl.zst");
    write_all(q, bytes, n);
    {
        struct verdict r = verify(dir);
        CHECK(r.st == LADLE_E_INPUT && r.nproblems == 2);
        /* Sorted by name: old/ before train/. */
        const char *a = strstr(r.problems, "old/part-00000.jsonl.zst: not listed in manifest.json");
        const char *b =
            strstr(r.problems, "train/part-00007.jsonl.zst: not listed in manifest.json");
        CHECKF(a && b && a < b, "%s", r.problems);
        verdict_free(&r);
    }
    free(bytes);
    free(q);
    free(p);
    free(dir);

    /* A shard replaced by a symlink to an identical copy. */
    dir = build_dataset(0);
    p = path_in(dir, "test/part-00000.jsonl.zst");
    q = path_in(dir, "copy.zst");
    CHECK(rename(p, q) == 0 && symlink(q, p) == 0);
    EXPECT_PROBLEMS(dir, "test/part-00000.jsonl.zst: cannot open: it is a symbolic link");
    free(q);
    free(p);
    free(dir);

    /* A truncated shard: no seek table, wrong size and hash. */
    dir = build_dataset(0);
    p = path_in(dir, "train/part-00001.jsonl.zst");
    bytes = read_all(p, &n);
    write_all(p, bytes, n - 3);
    free(bytes);
    EXPECT_PROBLEMS(dir, "train/part-00001.jsonl.zst: no seek table",
                    "train/part-00001.jsonl.zst: file is", "XXH3-128 is");
    free(p);
    free(dir);

    /* A frame cut mid-line (the manifest otherwise updated to match). */
    dir = build_dataset(0);
    {
        size_t len;
        char *text = make_lines(20, 5, 0, &len);
        size_t cuts[] = {after_line(text, 2) + 5, len};
        struct shard_out o;
        p = path_in(dir, "train/part-00001.jsonl.zst");
        write_shard(p, text, len, cuts, 2, 0, &o);
        root = load_manifest(dir);
        json_array_set_new(
            json_object_get(json_array_get(json_object_get(root, "splits"), 0), "shards"), 1,
            shard_json("train/part-00001.jsonl.zst", &o));
        save_manifest(dir, root);
        EXPECT_PROBLEMS(dir, "train/part-00001.jsonl.zst: frame does not end at a line boundary "
                             "(frame 0 at byte 0)");
        free(text);
        free(p);
    }
    free(dir);

    /* Entries that tile the file but not the frames: csizes (a-1, b+1). */
    dir = build_dataset(0);
    p = path_in(dir, "train/part-00000.jsonl.zst");
    bytes = read_all(p, &n);
    {
        size_t t0 = n - (8 + 2 * 12 + 9) + 8;
        unsigned char *u = (unsigned char *)bytes;
        uint32_t a = (uint32_t)u[t0] | (uint32_t)u[t0 + 1] << 8 | (uint32_t)u[t0 + 2] << 16;
        uint32_t b = (uint32_t)u[t0 + 12] | (uint32_t)u[t0 + 13] << 8 | (uint32_t)u[t0 + 14] << 16;
        put32(u + t0, a - 1);
        put32(u + t0 + 12, b + 1);
        write_all(p, bytes, n);
    }
    EXPECT_PROBLEMS(dir, "(frame 0 at byte 0)", "(frame 1 at byte ");
    free(bytes);
    free(p);
    free(dir);

    /* A wrong dsize in the seek table. */
    dir = build_dataset(0);
    p = path_in(dir, "test/part-00000.jsonl.zst");
    bytes = read_all(p, &n);
    bytes[n - 9 - 12 + 4] ^= 1; /* dsize of the one entry: footer, entry, csize before it */
    write_all(p, bytes, n);
    EXPECT_PROBLEMS(dir, "test/part-00000.jsonl.zst: decompresses to");
    free(bytes);
    free(p);
    free(dir);

    /* No manifest; a malformed one; one missing a field. */
    dir = build_dataset(0);
    p = path_in(dir, "manifest.json");
    CHECK(unlink(p) == 0);
    EXPECT_PROBLEMS(dir, "manifest.json: cannot open");
    write_all(p, "{\"splits\": [", 12);
    EXPECT_PROBLEMS(dir, "manifest.json: not valid JSON");
    free(p);
    free(dir);
    dir = build_dataset(0);
    root = load_manifest(dir);
    json_object_del(root, "format");
    json_object_del(manifest_shard(root, 1, 0), "xxh3_128");
    save_manifest(dir, root);
    EXPECT_PROBLEMS(dir, "manifest.json: \"format\" is missing or not a string",
                    "\"xxh3_128\" is missing or not a string (split \"test\", shards[0])");
    free(dir);

    /* A shard listed outside its split's directory. */
    dir = build_dataset(0);
    root = load_manifest(dir);
    json_object_set_new(manifest_shard(root, 1, 0), "file",
                        json_string("train/part-00000.jsonl.zst"));
    save_manifest(dir, root);
    EXPECT_PROBLEMS(dir, "is not a file in the split's directory \"test/\"",
                    "test/part-00000.jsonl.zst: not listed in manifest.json");
    free(dir);

    /* A directory that is not there. */
    p = path_in(t_tmpdir(), "nowhere");
    EXPECT_PROBLEMS(p, "nowhere: cannot open: No such file");
    free(p);
}

int main(void)
{
    test_golden_layout();
    test_round_trip();
    test_corrupt_tables();
    test_verify_valid();
    test_verify_big_frames();
    test_verify_corruptions();
    return t_done("test_seekable");
}
