/*
 * test_gzip_index.c -- the gzip index (src/codec/gzip_index.c,
 * gzip_build.c) and the reader that enters a file at its checkpoints
 * (src/codec/range_gzip.c).
 *
 * For gzip files of many makes (gzip -1 and -9, igzip, pigz when there
 * is one, zlib's stored blocks, sync-flushed blocks, several members with
 * an empty one, a file smaller than the span), the index is built with a
 * 64 KiB span, written, read back, and the reader is started at every
 * checkpoint: it must give the file's bytes from there to its end, byte
 * for byte, and stop once at the next segment's start. Feeding the
 * builder a few bytes at a time must give the same index.
 * An index is refused when stale (the file rewritten) or damaged (cut
 * short, any bit flipped); a file changed under a valid index (a literal
 * byte of a stored block, its first and last 64 KiB kept) fails the
 * reader with the CRC-32 of its checkpoint. Damaged gzip files fail the
 * build with where.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "codec/gzip_index.h"
#include "codec/range.h"
#include "test_util.h"

#define SPAN ((uint64_t)64 << 10)

struct bytes {
    unsigned char *p;
    size_t len, cap;
};

/* Grows geometrically (ASan's realloc always copies). */
static void add(struct bytes *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

/* Log-like lines, with a stretch of random bytes (stored by deflate). */
static struct bytes make_text(size_t len, uint64_t seed)
{
    static const char *words[] = {"GET",     "POST", "/api/v1/items", "200",   "404",   "user",
                                  "session", "ok",   "timeout",       "retry", "cache", "miss"};
    struct bytes b = {0};
    char line[256];
    for (uint64_t i = 0; b.len < len; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        if (i % 4000 == 3999) { /* 16 KiB of noise */
            for (int k = 0; k < 16384; k++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                line[k % 256] = (char)(seed >> 56);
                if (k % 256 == 255)
                    add(&b, line, 256);
            }
            continue;
        }
        int n = snprintf(line, sizeof line, "%llu %s %s %s %llu\n", (unsigned long long)i,
                         words[(seed >> 20) % 12], words[(seed >> 30) % 12],
                         words[(seed >> 40) % 12], (unsigned long long)(seed >> 44));
        add(&b, line, (size_t)n);
    }
    return b;
}

/* zlib's gzip at level (0: stored blocks); a sync flush every `flush`
 * bytes when flush > 0 (as pigz cuts its blocks). */
static struct bytes zlib_gzip(const struct bytes *src, int level, size_t flush)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        exit(1);
    struct bytes out = {0};
    out.p = malloc(deflateBound(&z, src->len) + src->len / 100 + 1024);
    size_t at = 0;
    z.next_out = out.p;
    do {
        size_t n = flush && src->len - at > flush ? flush : src->len - at;
        z.next_in = src->p + at;
        z.avail_in = (uInt)n;
        at += n;
        z.avail_out = 1u << 30;
        if (deflate(&z, at == src->len ? Z_FINISH : Z_SYNC_FLUSH) == Z_STREAM_ERROR)
            exit(1);
    } while (at < src->len);
    out.len = z.total_out;
    deflateEnd(&z);
    return out;
}

/* src through a compressor program ("gzip -9"); .len 0 when there is none. */
static struct bytes program_gzip(const struct bytes *src, const char *cmd)
{
    char path[512], line[700];
    snprintf(path, sizeof path, "%s/prog.gz", t_tmpdir());
    snprintf(line, sizeof line, "%s > '%s' 2>/dev/null", cmd, path);
    /* A program that is not installed exits at once: the write then fails
     * (EPIPE) instead of the test dying of SIGPIPE. */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    FILE *p = popen(line, "w");
    int ok = p && fwrite(src->p, 1, src->len, p) == src->len;
    ok = (p ? pclose(p) : -1) == 0 && ok;
    signal(SIGPIPE, old);
    struct bytes out = {0};
    FILE *f = ok ? fopen(path, "rb") : NULL;
    unsigned char buf[65536];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        add(&out, buf, n);
    if (f)
        fclose(f);
    if (!ok)
        out.len = 0;
    return out;
}

static char *put_file(const char *name, const struct bytes *b)
{
    return t_write_file(name, b->p, b->len);
}

static int open_size(const char *path, uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    fstat(fd, &sb);
    *size = (uint64_t)sb.st_size;
    return fd;
}

/* Reads segment k of p to the end of the file (or to the next segment's
 * start: to_edge) into *got, in reads of cap bytes; the edge's *own,
 * told once, into *own (UINT64_MAX: never told). */
static ladle_status read_segment(const struct ladle_range_plan *p, void *st, size_t k, size_t cap,
                                 bool to_edge, struct bytes *got, uint64_t *own,
                                 struct ladle_error *err)
{
    got->len = 0;
    *own = UINT64_MAX;
    ladle_status s = p->ops->seek(st, p, k, err);
    char *buf = malloc(cap);
    unsigned told = 0;
    while (s == LADLE_OK) {
        size_t n = 0;
        uint64_t o = 0;
        bool set = false;
        s = p->ops->read(st, buf, cap, &n, &o, &set, err);
        if (set) {
            told++;
            *own = o;
            CHECKF(got->len + n == o, "the read stops at the edge (%zu + %zu, own %llu)", got->len,
                   n, (unsigned long long)o);
        }
        if (s != LADLE_OK || n == 0)
            break;
        add(got, buf, n);
        if (to_edge && set)
            break;
    }
    CHECK(told <= 1);
    p->ops->finish(st);
    free(buf);
    return s;
}

/* The reader from every checkpoint gives plain[from, end). */
static void check_every_checkpoint(const char *label, const char *path,
                                   const struct ladle_gzip_index *ix, const struct bytes *plain,
                                   size_t cap)
{
    struct ladle_range_plan p;
    memset(&p, 0, sizeof p);
    int r = ladle_range_plan_gzip(&p, ix, 0);
    if (ix->npoints < 2 || ix->points[1].out == ix->total_out) {
        CHECKF(r == -1, "%s: no plan of one segment", label);
        return;
    }
    CHECKF(r == 0, "%s: plan", label);
    if (r != 0)
        return;
    uint64_t size;
    p.fd = open_size(path, &size);
    p.size = size;
    p.name = label;
    void *st = ladle_range_gzip.new_state();
    struct bytes got = {0};
    for (size_t k = 0; k < p.n; k++) {
        struct ladle_error err;
        ladle_error_init(&err);
        uint64_t own;
        ladle_status s = read_segment(&p, st, k, cap, false, &got, &own, &err);
        uint64_t from = p.dec[k];
        CHECKF(s == LADLE_OK, "%s: segment %zu: %s", label, k, err.msg);
        CHECKF(got.len == plain->len - from && memcmp(got.p, plain->p + from, got.len) == 0,
               "%s: segment %zu (from byte %llu): %zu bytes, want %zu, identical %d", label, k,
               (unsigned long long)from, got.len, (size_t)(plain->len - from),
               got.len == plain->len - from && !memcmp(got.p, plain->p + from, got.len));
        uint64_t want_own = k + 1 < p.n ? p.dec[k + 1] - from : UINT64_MAX;
        CHECKF(own == want_own, "%s: segment %zu's edge %llu, want %llu", label, k,
               (unsigned long long)own, (unsigned long long)want_own);
    }
    free(got.p);
    ladle_range_gzip.free_state(st);
    ladle_range_plan_free(&p);
}

/* The builder fed `step` bytes at a time, into `cap` bytes of output. */
static struct ladle_gzip_index *build_in_steps(const struct bytes *gz, size_t step, size_t cap,
                                               const char *path, struct bytes *plain)
{
    struct ladle_gzip_builder *b = ladle_gzip_builder_new(SPAN);
    unsigned char *out = malloc(cap);
    size_t at = 0;
    bool done = false;
    ladle_status s = LADLE_OK;
    plain->len = 0;
    while (s == LADLE_OK && !done) {
        size_t len = gz->len - at < step ? gz->len - at : step, used, made;
        struct ladle_error err;
        ladle_error_init(&err);
        s = ladle_gzip_builder_step(b, gz->p + at, len, at + len == gz->len, out, cap, &used, &made,
                                    &done, "steps", &err);
        CHECKF(s == LADLE_OK, "steps: %s", err.msg);
        at += used;
        add(plain, out, made);
    }
    uint64_t size;
    int fd = open_size(path, &size);
    struct ladle_gzip_index *ix = s == LADLE_OK ? ladle_gzip_builder_finish(b, fd, size) : NULL;
    close(fd);
    ladle_gzip_builder_free(b);
    free(out);
    return ix;
}

static bool same_index(const struct ladle_gzip_index *a, const struct ladle_gzip_index *b)
{
    if (a->npoints != b->npoints || a->nmembers != b->nmembers || a->total_out != b->total_out ||
        a->data_end != b->data_end || memcmp(&a->stamp, &b->stamp, sizeof a->stamp) != 0)
        return false;
    for (size_t j = 0; j < a->npoints; j++)
        if (a->points[j].bit != b->points[j].bit || a->points[j].out != b->points[j].out ||
            a->points[j].crc != b->points[j].crc || a->points[j].dict_len != b->points[j].dict_len)
            return false;
    return memcmp(a->members, b->members, a->nmembers * sizeof *a->members) == 0;
}

/* Builds, saves, loads and reads gz (whose data is plain) every way. */
static void check_file(const char *label, const struct bytes *gz, const struct bytes *plain,
                       size_t members)
{
    if (!gz->len) {
        fprintf(stderr, "note: %s: no such compressor here, skipped\n", label);
        return;
    }
    char name[64];
    snprintf(name, sizeof name, "%s.gz", label);
    char *path = put_file(name, gz);
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_gzip_index *ix = NULL;
    ladle_status s = ladle_gzip_index_build_file(path, SPAN, NULL, &ix, &err);
    CHECKF(s == LADLE_OK && ix, "%s: build: %s", label, err.msg);
    if (!ix) {
        free(path);
        return;
    }
    CHECKF(ix->total_out == plain->len, "%s: %llu bytes out, want %zu", label,
           (unsigned long long)ix->total_out, plain->len);
    CHECKF(ix->nmembers == members, "%s: %zu members, want %zu", label, ix->nmembers, members);
    /* A checkpoint needs a block boundary: igzip's blocks are larger than the span. */
    CHECKF(ix->npoints >= plain->len / (SPAN * 8) + 1, "%s: %zu checkpoints for %zu bytes", label,
           ix->npoints, plain->len);
    fprintf(stderr, "%s: %zu checkpoints, %zu members, %zu bytes of windows\n", label, ix->npoints,
            ix->nmembers, ix->windows_len);
    CHECK(ladle_gzip_index_save(ix, path, NULL, &err) == LADLE_OK);
    uint64_t size;
    int fd = open_size(path, &size);
    char note[256];
    struct ladle_gzip_index *back = ladle_gzip_index_load(path, label, fd, size, note, sizeof note);
    close(fd);
    CHECKF(back && same_index(ix, back) && !note[0], "%s: read back (%s)", label, note);
    struct bytes dec = {0};
    struct ladle_gzip_index *stepped = build_in_steps(gz, 7, 1000, path, &dec);
    CHECKF(stepped && same_index(ix, stepped), "%s: the same index in small steps", label);
    CHECKF(dec.len == plain->len && !memcmp(dec.p, plain->p, dec.len), "%s: steps decode", label);
    if (back) {
        check_every_checkpoint(label, path, back, plain, (size_t)1 << 20);
        check_every_checkpoint(label, path, back, plain, 4093);
    }
    ladle_gzip_index_free(stepped);
    ladle_gzip_index_free(back);
    ladle_gzip_index_free(ix);
    free(dec.p);
    free(path);
}

static void test_makes(const struct bytes *text)
{
    struct bytes g1 = program_gzip(text, "gzip -1 -c -n"), g9 = program_gzip(text, "gzip -9 -c -n");
    struct bytes ig = program_gzip(text, "igzip -c"), pz = program_gzip(text, "pigz -c -b 128");
    struct bytes st = zlib_gzip(text, 0, 0), sy = zlib_gzip(text, 6, 100000);
    check_file("gzip-1", &g1, text, 1);
    check_file("gzip-9", &g9, text, 1);
    check_file("igzip", &ig, text, 1);
    check_file("pigz", &pz, text, 1);
    check_file("stored", &st, text, 1);
    check_file("sync-flush", &sy, text, 1);

    /* cat a.gz empty.gz b.gz c.gz: members of several makes, an empty one. */
    size_t cut1 = text->len / 3, cut2 = text->len / 3 * 2;
    struct bytes a = {text->p, cut1, 0}, empty = {text->p, 0, 0},
                 b = {text->p + cut1, cut2 - cut1, 0}, c = {text->p + cut2, text->len - cut2, 0};
    struct bytes ga = zlib_gzip(&a, 1, 0), ge = zlib_gzip(&empty, 6, 0), gb = zlib_gzip(&b, 0, 0),
                 gc = zlib_gzip(&c, 9, 0), multi = {0};
    add(&multi, ga.p, ga.len);
    add(&multi, ge.p, ge.len);
    add(&multi, gb.p, gb.len);
    add(&multi, gc.p, gc.len);
    check_file("members", &multi, text, 4);
    /* Small members, many of them at checkpoints; zero padding after. */
    struct bytes many = {0};
    for (size_t at = 0; at < 600000; at += 50000) {
        struct bytes part = {text->p + at, 50000, 0};
        struct bytes g = zlib_gzip(&part, 6, 0);
        add(&many, g.p, g.len);
        free(g.p);
    }
    add(&many, "\0\0\0\0\0\0\0\0", 8);
    struct bytes many_plain = {text->p, 600000, 0};
    check_file("small-members", &many, &many_plain, 12);

    struct bytes small = {text->p, 5000, 0};
    struct bytes gs = zlib_gzip(&small, 6, 0);
    check_file("small", &gs, &small, 1);
    struct bytes ee = zlib_gzip(&empty, 6, 0);
    check_file("empty", &ee, &empty, 1);
    free(g1.p), free(g9.p), free(ig.p), free(pz.p), free(st.p), free(sy.p);
    free(ga.p), free(ge.p), free(gb.p), free(gc.p), free(multi.p), free(many.p), free(gs.p);
    free(ee.p);
}

static struct ladle_gzip_index *load(const char *path, char *note, size_t cap)
{
    uint64_t size;
    int fd = open_size(path, &size);
    struct ladle_gzip_index *ix = ladle_gzip_index_load(path, "f.gz", fd, size, note, cap);
    close(fd);
    return ix;
}

static struct bytes slurp(const char *path)
{
    struct bytes b = {0};
    FILE *f = fopen(path, "rb");
    unsigned char buf[65536];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        add(&b, buf, n);
    if (f)
        fclose(f);
    return b;
}

/* Missing, stale and damaged indexes are not used, and say why. */
static void test_refused(const struct bytes *text)
{
    struct bytes gz = zlib_gzip(text, 6, 0);
    char *path = put_file("refused.gz", &gz);
    char note[256], side[600];
    snprintf(side, sizeof side, "%s%s", path, LADLE_GZIP_INDEX_SUFFIX);
    CHECK(!load(path, note, sizeof note) && note[0] == '\0'); /* none: no note */
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_gzip_index *ix = NULL;
    CHECK(ladle_gzip_index_build_file(path, SPAN, NULL, &ix, &err) == LADLE_OK);
    CHECK(ladle_gzip_index_save(ix, path, NULL, &err) == LADLE_OK);
    struct ladle_gzip_index *ok = load(path, note, sizeof note);
    CHECK(ok != NULL);
    ladle_gzip_index_free(ok);
    struct bytes idx = slurp(side);

    /* Damaged: cut short, or any bit flipped (the checksum's or not). */
    size_t cuts[] = {0, 7, 88, idx.len / 2, idx.len - 9, idx.len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        struct bytes cut = {idx.p, cuts[i], 0};
        free(put_file("refused.gz" LADLE_GZIP_INDEX_SUFFIX, &cut));
        CHECKF(!load(path, note, sizeof note) && strstr(note, "f.gz: index is damaged ("),
               "cut at %zu: %s", cuts[i], note);
    }
    for (size_t i = 0; i < 300; i++) {
        size_t at = i < 100 ? i : (i < 200 ? idx.len - 1 - (i - 100) : idx.len / 100 * (i - 200));
        idx.p[at] ^= (unsigned char)(1u << (i % 8));
        free(put_file("refused.gz" LADLE_GZIP_INDEX_SUFFIX, &idx));
        CHECKF(!load(path, note, sizeof note) && strstr(note, "index is damaged"),
               "bit flipped at %zu: %s", at, note);
        idx.p[at] ^= (unsigned char)(1u << (i % 8));
    }
    /* Stale: the file rewritten (other bytes, or only its last byte). */
    free(put_file("refused.gz" LADLE_GZIP_INDEX_SUFFIX, &idx));
    struct bytes other = zlib_gzip(text, 1, 0);
    free(put_file("refused.gz", &other));
    CHECKF(!load(path, note, sizeof note) &&
               strcmp(note, "f.gz: index is stale (the file changed), reading it without") == 0,
           "%s", note);
    gz.p[gz.len - 1] ^= 1;
    free(put_file("refused.gz", &gz));
    CHECK(!load(path, note, sizeof note) && strstr(note, "is stale"));
    ladle_gzip_index_free(ix);
    free(idx.p);
    free(other.p);
    free(gz.p);
    free(path);
}

/* A literal byte of a stored block changed under a valid index: the
 * reader of the segment holding it fails with its checkpoint's CRC-32;
 * the others read to their edge. (Read on to the member's end, segment
 * 0 would fail too, on the member's own CRC-32.) */
static void test_crc_mismatch(const struct bytes *text)
{
    struct bytes gz = zlib_gzip(text, 0, 0);
    char *path = put_file("crc.gz", &gz);
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_gzip_index *ix = NULL;
    CHECK(ladle_gzip_index_build_file(path, SPAN, NULL, &ix, &err) == LADLE_OK);
    CHECK(ladle_gzip_index_save(ix, path, NULL, &err) == LADLE_OK);
    size_t plain_at = text->len / 2;
    unsigned char *hit = memmem(gz.p, gz.len, text->p + plain_at, 64);
    CHECK(hit && (size_t)(hit - gz.p) > 65536 && (size_t)(hit - gz.p) < gz.len - 65536);
    hit[10] ^= 0x20;
    plain_at += 10;
    free(put_file("crc.gz", &gz));
    char note[256];
    struct ladle_gzip_index *back = load(path, note, sizeof note);
    CHECKF(back != NULL, "the stamp still matches: %s", note);
    struct ladle_range_plan p;
    memset(&p, 0, sizeof p);
    if (!back || ladle_range_plan_gzip(&p, back, 0) != 0) {
        CHECK(0);
        return;
    }
    uint64_t size;
    p.fd = open_size(path, &size);
    p.size = size;
    p.name = "crc.gz";
    void *st = ladle_range_gzip.new_state();
    struct bytes got = {0};
    size_t failed = 0;
    for (size_t k = 0; k < p.n; k++) {
        ladle_error_init(&err);
        uint64_t own;
        ladle_status s = read_segment(&p, st, k, 1 << 16, true, &got, &own, &err);
        bool holds = p.dec[k] <= plain_at && plain_at < p.dec[k + 1];
        CHECKF(holds == (s != LADLE_OK), "segment %zu: %s", k, err.msg);
        if (holds) {
            char want[200];
            snprintf(want, sizeof want,
                     "crc.gz: CRC-32 mismatch in bytes %llu..%llu of the data (index checkpoint "
                     "%zu) (at compressed byte %llu)",
                     (unsigned long long)p.dec[k], (unsigned long long)p.dec[k + 1] - 1, k,
                     (unsigned long long)p.comp[k]);
            CHECKF(strcmp(err.msg, want) == 0, "%s\nwant %s", err.msg, want);
            failed++;
        }
    }
    CHECK(failed == 1);
    free(got.p);
    ladle_range_gzip.free_state(st);
    ladle_range_plan_free(&p);
    ladle_gzip_index_free(back);
    ladle_gzip_index_free(ix);
    free(gz.p);
    free(path);
}

/* Damaged gzip files fail the build, saying where. */
static void test_bad_gzip(const struct bytes *text)
{
    struct bytes small = {text->p, 300000, 0};
    struct bytes gz = zlib_gzip(&small, 6, 0);
    struct {
        const char *label, *want;
        size_t cut, flip;
        const char *tail;
    } cases[] = {
        {"cut", "truncated gzip stream: the input ends inside the member", 100, 0, NULL},
        {"garbage", "data after the last gzip member is not gzip (at compressed byte", 0, 0,
         "hello"},
        {"trailer", "does not match its CRC-32", 0, 6, NULL},
        {"middle", "corrupt gzip data: ", 0, 1000, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct bytes b = {0};
        add(&b, gz.p, gz.len - cases[i].cut);
        if (cases[i].flip)
            b.p[b.len - cases[i].flip] ^= 0x55;
        if (cases[i].tail)
            add(&b, cases[i].tail, strlen(cases[i].tail));
        char *path = put_file("bad.gz", &b);
        struct ladle_error err;
        ladle_error_init(&err);
        struct ladle_gzip_index *ix = NULL;
        ladle_status s = ladle_gzip_index_build_file(path, SPAN, NULL, &ix, &err);
        CHECKF(s == LADLE_E_INPUT && !ix && strstr(err.msg, cases[i].want) &&
                   strstr(err.msg, "at compressed byte"),
               "%s: %s", cases[i].label, err.msg);
        free(b.p);
        free(path);
    }
    free(gz.p);
}

int main(void)
{
    struct bytes text = make_text((size_t)3 << 20, 42);
    test_makes(&text);
    test_refused(&text);
    test_crc_mismatch(&text);
    test_bad_gzip(&text);
    free(text.p);
    t_cleanup();
    return t_done("test_gzip_index");
}
