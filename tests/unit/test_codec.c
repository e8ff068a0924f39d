/*
 * test_codec.c -- input formats and read engines, through the public API.
 * LADLE_TEST_PIPELINE (runs ladle_job_run: also built and run under TSan)
 *
 * One generated text (about 3 MiB: random hex records, CRLF and empty
 * lines, NUL bytes, a 200 KiB record, a last line without '\n') is written as plain
 * text, zstd (one frame; two frames split mid-record; skippable frames
 * around a frame; a frame declaring a 256 MiB window) and gzip (by the
 * gzip program, by ISA-L, and a two-member file split mid-record, one
 * member from each). A job with LADLE_DESIGN_BERNOULLI and rate 1 keeps
 * every record, so the output must be the text itself plus the '\n' the
 * last line gains -- identical for every format, for io_uring and pread,
 * and for two chunk sizes. Format detection is by magic bytes only, so
 * every file here is named .log. The compressed files exceed the 1 MiB
 * read buffer of the compressed codecs, so their input ring turns over.
 *
 * Also:
 * - the 256 MiB window frame fails without LADLE_P_ZSTD_LONG (LADLE_E_INPUT,
 *   a message mentioning --long) and decodes with it;
 * - truncated and corrupted (bytes flipped in the middle) .zst and .gz
 *   fail with LADLE_E_INPUT and a message naming the file and the
 *   "compressed byte" where it happened; the zstd frames used for the
 *   corruption carry a checksum, since zstd without one may decode a
 *   corrupted literal without noticing;
 * - that byte is exact: for a .zst, it is the start of a unit (frame
 *   header, block header, block, checksum) of the undamaged stream as an
 *   independent parse here finds them, and that unit does not end before
 *   the damage (damage at byte 600000 was once reported "at compressed
 *   byte 0"); a checksum failure names the frame's byte range, which holds
 *   the damage; a gzip error is not reported before the damage, and a
 *   CRC-32 failure names the member's range;
 * - data after the last member or frame that is not gzip or zstd is named
 *   so, at its first byte (not "truncated"); a frame declaring a 4 GiB
 *   window names that window and the 2 GiB limit under --long (not "use
 *   --long"); inputs of 2 to 5 bytes that start the zstd magic and the
 *   gzip magic alone are truncated compressed streams, not text;
 * - an empty file, an empty zstd frame and an empty gzip member give no
 *   output and status OK;
 * - the same streams read from a pipe on stdin ("-"), where the format
 *   magic must be peeked without seeking back;
 * - the report: records_in, bytes_in (decompressed), bytes_compressed (the
 *   file's size) and io_uring_used.
 * Where io_uring is refused by the kernel the io_uring half is skipped with
 * a note. Every check is exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include "test_stat.h"
#include "test_util.h"

static uint64_t rng_state = 2024;

static uint64_t rnd(void)
{
    return t_splitmix(&rng_state); /* the suite's one generator (test_stat.c) */
}

struct bytes {
    unsigned char *p;
    size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *d, size_t n)
{
    if (!b->p || b->len + n + 1 > b->cap) { /* geometric: ASan's realloc always copies */
        b->cap = 2 * (b->len + n + 1) + 4096;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    if (n)
        memcpy(b->p + b->len, d, n);
    b->len += n;
}

/* Equal byte strings (memcmp must not see NULL, even for 0 bytes). */
static int eq(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* ---- the text ---- */

static struct bytes text;     /* the input */
static struct bytes expected; /* what rate 1 must write */
static uint64_t text_records;

static void make_text(size_t target)
{
    static const char hex[] = "0123456789abcdef";
    char line[256];
    while (text.len < target) {
        uint64_t r = rnd();
        size_t n = (size_t)(r % 200);
        for (size_t i = 0; i < n; i++)
            line[i] = hex[(rnd() >> 7) & 15];
        switch ((r >> 32) % 10) {
        case 0:
            n = 0;
            line[n++] = '\n';
            break; /* empty line */
        case 1:
            line[n++] = '\r';
            line[n++] = '\n';
            break; /* CRLF */
        case 2:
            line[n++] = '\0';
            line[n++] = '\n';
            break; /* a NUL byte */
        default: line[n++] = '\n'; break;
        }
        bytes_add(&text, line, n);
        text_records++;
        if (text_records == 5000) { /* one long record */
            for (int k = 0; k < 200 * 1024; k++)
                bytes_add(&text, &hex[k % 16], 1);
            bytes_add(&text, "\n", 1);
            text_records++;
        }
    }
    bytes_add(&text, "last line without newline", 25);
    text_records++;
    bytes_add(&expected, text.p, text.len);
    bytes_add(&expected, "\n", 1);
}

/* ---- compressors ---- */

static struct bytes zstd_simple(const void *src, size_t len)
{
    struct bytes out = {0};
    size_t cap = ZSTD_compressBound(len);
    out.p = malloc(cap);
    size_t r = ZSTD_compress(out.p, cap, src, len, 3);
    if (ZSTD_isError(r)) {
        fprintf(stderr, "ZSTD_compress: %s\n", ZSTD_getErrorName(r));
        exit(1);
    }
    out.len = r;
    return out;
}

/* A frame through the streaming API: window_log (0 = default), checksum.
 * The first call uses ZSTD_e_continue so that libzstd does not learn the
 * input size up front and shrink the window to fit it: the frame then
 * really declares 2^window_log. */
static struct bytes zstd_stream(const void *src, size_t len, int window_log, int checksum)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum);
    if (window_log) {
        ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
        ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
    }
    struct bytes out = {0};
    size_t cap = ZSTD_compressBound(len) + 1024;
    out.p = malloc(cap);
    ZSTD_outBuffer o = {out.p, cap, 0};
    ZSTD_inBuffer i = {src, len, 0};
    size_t r = ZSTD_compressStream2(c, &o, &i, ZSTD_e_continue);
    while (!ZSTD_isError(r)) {
        r = ZSTD_compressStream2(c, &o, &i, ZSTD_e_end);
        if (r == 0)
            break;
    }
    if (ZSTD_isError(r)) {
        fprintf(stderr, "ZSTD_compressStream2: %s\n", ZSTD_getErrorName(r));
        exit(1);
    }
    out.len = o.pos;
    ZSTD_freeCCtx(c);
    return out;
}

/* The window size a zstd frame header declares (RFC 8878, 3.1.1.1). */
static uint64_t zstd_declared_window(const unsigned char *f, size_t len)
{
    if (len < 6)
        return 0;
    unsigned fhd = f[4];
    if (fhd & 0x20)
        return 0; /* single segment: window = content size */
    unsigned wd = f[5];
    uint64_t base = (uint64_t)1 << (10 + (wd >> 3));
    return base + (base / 8) * (wd & 7);
}

static struct bytes gzip_isal(const void *src, size_t len)
{
    struct isal_zstream z;
    isal_deflate_init(&z);
    z.gzip_flag = IGZIP_GZIP;
    z.level = 1;
    z.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
    z.level_buf = malloc(z.level_buf_size);
    z.end_of_stream = 1;
    z.flush = NO_FLUSH;
    struct bytes out = {0};
    size_t cap = len + len / 2 + 4096;
    out.p = malloc(cap);
    z.next_in = (uint8_t *)(uintptr_t)src;
    z.avail_in = (uint32_t)len;
    z.next_out = out.p;
    z.avail_out = (uint32_t)cap;
    int rc = isal_deflate(&z);
    if (rc != COMP_OK || z.internal_state.state != ZSTATE_END) {
        fprintf(stderr, "isal_deflate: %d\n", rc);
        exit(1);
    }
    out.len = z.total_out;
    free(z.level_buf);
    return out;
}

/* gzip by the gzip program (another implementation than the decoder's);
 * falls back to ISA-L where there is no gzip. */
static int have_gzip = -1;

static struct bytes gzip_cli(const void *src, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/gz-tmp", t_tmpdir());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "gzip -c -n > '%s' 2>/dev/null", path);
    if (have_gzip != 0) {
        FILE *p = popen(cmd, "w");
        int ok = p && fwrite(src, 1, len, p) == len;
        int rc = p ? pclose(p) : -1;
        have_gzip = ok && rc == 0;
    }
    struct bytes out = {0};
    if (!have_gzip) {
        fprintf(stderr, "note: no gzip program; using ISA-L for the gzip-program cases\n");
        return gzip_isal(src, len);
    }
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        bytes_add(&out, buf, n);
    if (f)
        fclose(f);
    unlink(path);
    return out;
}

static struct bytes concat(struct bytes a, struct bytes b)
{
    bytes_add(&a, b.p, b.len);
    free(b.p);
    return a;
}

/* A split point in the middle of a record. */
static size_t mid_record(size_t near)
{
    while (near < text.len && (text.p[near] == '\n' || text.p[near - 1] == '\n'))
        near++;
    return near;
}

/* ---- running jobs ---- */

struct run_opts {
    int io_mode;
    int64_t chunk; /* 0: default */
    int zstd_long;
    unsigned threads;
};

static void run_file(const char *path, const struct run_opts *o, struct t_output *out)
{
    ladle_job *j = ladle_job_new();
    CHECK(ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI) == LADLE_OK);
    CHECK(ladle_job_set_rate(j, 1.0) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_SEED, 42) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_THREADS, o->threads ? o->threads : 2) == LADLE_OK);
    CHECK(ladle_job_set(j, LADLE_P_IO_MODE, o->io_mode) == LADLE_OK);
    if (o->chunk)
        CHECK(ladle_job_set(j, LADLE_P_CHUNK_SIZE, o->chunk) == LADLE_OK);
    if (o->zstd_long)
        CHECK(ladle_job_set(j, LADLE_P_ZSTD_LONG, 1) == LADLE_OK);
    CHECK(ladle_job_add_input(j, path) == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
}

static int uring_ok = 1;

static const char *mode_name(int m)
{
    return m == LADLE_IO_URING ? "io_uring" : m == LADLE_IO_PREAD ? "pread" : "auto";
}

/* A file that must decode to `want` (want_bytes_in decompressed bytes). */
static void expect_good(const char *label, const char *path, const struct bytes *file,
                        const struct bytes *want, uint64_t want_records, uint64_t want_bytes_in,
                        int zstd_long)
{
    static const int modes[] = {LADLE_IO_URING, LADLE_IO_PREAD};
    static const int64_t chunks[] = {0, 65536 + 3};
    for (size_t m = 0; m < 2; m++) {
        if (modes[m] == LADLE_IO_URING && !uring_ok)
            continue;
        for (size_t c = 0; c < 2; c++) {
            struct run_opts o = {modes[m], chunks[c], zstd_long, 2};
            struct t_output out;
            run_file(path, &o, &out);
            const char *mn = mode_name(modes[m]);
            CHECKF(out.status == LADLE_OK, "%s (%s, chunk %lld): status %d: %s", label, mn,
                   (long long)chunks[c], out.status, out.error);
            CHECKF(eq(out.data, out.len, want->p, want->len),
                   "%s (%s, chunk %lld): output differs (%zu bytes, want %zu)", label, mn,
                   (long long)chunks[c], out.len, want->len);
            CHECKF(out.report.records_in == want_records && out.report.records_out == want_records,
                   "%s (%s): records in %llu out %llu, want %llu", label, mn,
                   (unsigned long long)out.report.records_in,
                   (unsigned long long)out.report.records_out, (unsigned long long)want_records);
            CHECKF(out.report.bytes_in == want_bytes_in, "%s (%s): bytes_in %llu, want %llu", label,
                   mn, (unsigned long long)out.report.bytes_in, (unsigned long long)want_bytes_in);
            CHECKF(out.report.bytes_compressed == file->len,
                   "%s (%s): bytes_compressed %llu, want the file's %zu", label, mn,
                   (unsigned long long)out.report.bytes_compressed, file->len);
            CHECKF(out.report.io_uring_used == (modes[m] == LADLE_IO_URING),
                   "%s (%s): io_uring_used %d", label, mn, out.report.io_uring_used);
            t_output_free(&out);
        }
    }
}

/* A file that must fail with LADLE_E_INPUT and a message with these words. */
static void expect_bad(const char *label, const char *path, const char *word1, const char *word2,
                       int zstd_long)
{
    static const int modes[] = {LADLE_IO_URING, LADLE_IO_PREAD};
    for (size_t m = 0; m < 2; m++) {
        if (modes[m] == LADLE_IO_URING && !uring_ok)
            continue;
        struct run_opts o = {modes[m], 0, zstd_long, 2};
        struct t_output out;
        run_file(path, &o, &out);
        CHECKF(out.status == LADLE_E_INPUT, "%s (%s): status %d, want LADLE_E_INPUT (%s)", label,
               mode_name(modes[m]), out.status, out.error);
        CHECKF(strstr(out.error, word1) != NULL, "%s: message '%s' lacks '%s'", label, out.error,
               word1);
        if (word2)
            CHECKF(strstr(out.error, word2) != NULL, "%s: message '%s' lacks '%s'", label,
                   out.error, word2);
        t_output_free(&out);
    }
}

static char *write_file(const char *name, const struct bytes *b)
{
    return t_write_file(name, b->p, b->len);
}

static void probe_uring(const char *plain_path)
{
    struct run_opts o = {LADLE_IO_URING, 0, 0, 1};
    struct t_output out;
    run_file(plain_path, &o, &out);
    if (out.status != LADLE_OK && strstr(out.error, "io_uring unavailable")) {
        fprintf(stderr, "note: io_uring refused here (%s): io_uring half skipped\n", out.error);
        uring_ok = 0;
    }
    t_output_free(&out);
}

/* ---- the cases ---- */

/* A real sample (not keep-all) is the same whatever the compression: the
 * keys depend on the source (its name stem and first record) and the
 * decompressed offsets only. Each file is read under one name, through a
 * link in a folder of its own, so that the stems agree. */
static void run_design(const char *file, int design, double rate, int64_t n, int shuffle,
                       struct t_output *out)
{
    ladle_job *j = ladle_job_new();
    ladle_job_set(j, LADLE_P_DESIGN, design);
    if (design == LADLE_DESIGN_BERNOULLI)
        ladle_job_set_rate(j, rate);
    else
        ladle_job_set(j, LADLE_P_N, n);
    ladle_job_set(j, LADLE_P_SEED, 31337);
    ladle_job_set(j, LADLE_P_SHUFFLE, shuffle);
    ladle_job_set(j, LADLE_P_THREADS, 2);
    ladle_job_set(j, LADLE_P_CHUNK_SIZE, 100000);
    static unsigned links;
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/as-one-%u", t_tmpdir(), links++);
    snprintf(path, sizeof path, "%s/data.log", dir);
    CHECK(mkdir(dir, 0700) == 0 && symlink(file, path) == 0);
    ladle_job_add_input(j, path);
    t_run_job(j, out);
    ladle_job_free(j);
}

static void test_designs_across_formats(const char *const *paths, size_t npaths)
{
    static const struct {
        int design;
        double rate;
        int64_t n;
        int shuffle;
    } designs[] = {
        {LADLE_DESIGN_BERNOULLI, 0.3, 0, 0}, {LADLE_DESIGN_BERNOULLI, 0.05, 0, 1},
        {LADLE_DESIGN_BOTTOMK, 0, 1000, 0},  {LADLE_DESIGN_BOTTOMK, 0, 333, 1},
        {LADLE_DESIGN_HEAD, 0, 7777, 0},
    };
    for (size_t d = 0; d < sizeof designs / sizeof designs[0]; d++) {
        struct t_output ref;
        run_design(paths[0], designs[d].design, designs[d].rate, designs[d].n, designs[d].shuffle,
                   &ref);
        CHECKF(ref.status == LADLE_OK && ref.len > 0 && ref.len < expected.len,
               "design %zu on plain text: status %d, %zu bytes", d, ref.status, ref.len);
        for (size_t i = 1; i < npaths; i++) {
            struct t_output out;
            run_design(paths[i], designs[d].design, designs[d].rate, designs[d].n,
                       designs[d].shuffle, &out);
            CHECKF(out.status == LADLE_OK && eq(out.data, out.len, ref.data, ref.len),
                   "design %zu: %s gives another sample than the plain text (%zu vs %zu bytes)", d,
                   paths[i], out.len, ref.len);
            t_output_free(&out);
        }
        t_output_free(&ref);
    }
}

/* Several inputs of different formats in one job: each input's records in
 * turn, and a missing file named in the error. */
static void test_mixed_inputs(const char *a, const char *b, const char *c)
{
    ladle_job *j = ladle_job_new();
    ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI);
    ladle_job_set_rate(j, 1.0);
    ladle_job_set(j, LADLE_P_THREADS, 3);
    ladle_job_add_input(j, a);
    ladle_job_add_input(j, b);
    ladle_job_add_input(j, c);
    struct t_output out;
    t_run_job(j, &out);
    ladle_job_free(j);
    CHECKF(out.status == LADLE_OK, "mixed inputs: %s", out.error);
    int ok = out.len == 3 * expected.len;
    for (size_t k = 0; ok && k < 3; k++)
        ok = memcmp(out.data + k * expected.len, expected.p, expected.len) == 0;
    CHECKF(ok, "mixed inputs: output is not the three texts in order (%zu bytes)", out.len);
    CHECK(out.report.records_in == 3 * text_records);
    t_output_free(&out);

    char missing[512];
    snprintf(missing, sizeof missing, "%s/no-such-file.log", t_tmpdir());
    j = ladle_job_new();
    ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI);
    ladle_job_set_rate(j, 1.0);
    ladle_job_add_input(j, a);
    ladle_job_add_input(j, missing);
    t_run_job(j, &out);
    ladle_job_free(j);
    CHECK(out.status == LADLE_E_INPUT);
    CHECKF(strstr(out.error, missing) != NULL, "message: %s", out.error);
    t_output_free(&out);
}

static void test_formats(void)
{
    struct bytes plain = {0};
    bytes_add(&plain, text.p, text.len);
    char *p_plain = write_file("plain.log", &plain);
    probe_uring(p_plain);
    expect_good("plain", p_plain, &plain, &expected, text_records, text.len, 0);

    struct bytes z1 = zstd_simple(text.p, text.len);
    CHECKF(z1.len > ((size_t)1 << 20), "test bug: the .zst (%zu bytes) should exceed 1 MiB",
           z1.len);
    char *p_z1 = write_file("one-zst.log", &z1);
    expect_good("zstd", p_z1, &z1, &expected, text_records, text.len, 0);

    size_t split = mid_record(text.len / 3);
    struct bytes z2 =
        concat(zstd_simple(text.p, split), zstd_simple(text.p + split, text.len - split));
    char *p_z2 = write_file("two-zst.log", &z2);
    expect_good("zstd, two frames", p_z2, &z2, &expected, text_records, text.len, 0);

    /* Skippable frames (magic 0x184D2A5?) before and after the data. */
    struct bytes zs = {0};
    static const unsigned char skip[] = {0x50, 0x2A, 0x4D, 0x18, 5,   0,  0,
                                         0,    'h',  'e',  'l',  'l', 'o'};
    static const unsigned char skip2[] = {0x5F, 0x2A, 0x4D, 0x18, 0, 0, 0, 0};
    bytes_add(&zs, skip, sizeof skip);
    struct bytes zf = zstd_simple(text.p, text.len);
    bytes_add(&zs, zf.p, zf.len);
    free(zf.p);
    bytes_add(&zs, skip2, sizeof skip2);
    char *p_zs = write_file("skip-zst.log", &zs);
    expect_good("zstd, skippable frames", p_zs, &zs, &expected, text_records, text.len, 0);

    struct bytes g1 = gzip_cli(text.p, text.len);
    char *p_g1 = write_file("cli-gz.log", &g1);
    expect_good("gzip (gzip program)", p_g1, &g1, &expected, text_records, text.len, 0);

    struct bytes g2 = gzip_isal(text.p, text.len);
    CHECKF(g2.len > ((size_t)1 << 20), "test bug: the .gz (%zu bytes) should exceed 1 MiB", g2.len);
    char *p_g2 = write_file("isal-gz.log", &g2);
    expect_good("gzip (ISA-L)", p_g2, &g2, &expected, text_records, text.len, 0);

    split = mid_record(text.len / 2 + 1234);
    struct bytes g3 = concat(gzip_cli(text.p, split), gzip_isal(text.p + split, text.len - split));
    char *p_g3 = write_file("two-gz.log", &g3);
    expect_good("gzip, two members", p_g3, &g3, &expected, text_records, text.len, 0);

    test_designs_across_formats((const char *[]){p_plain, p_z1, p_z2, p_zs, p_g1, p_g2, p_g3}, 7);
    test_mixed_inputs(p_plain, p_z2, p_g3);

    free(plain.p), free(z1.p), free(z2.p), free(zs.p), free(g1.p), free(g2.p), free(g3.p);
    free(p_plain), free(p_z1), free(p_z2), free(p_zs), free(p_g1), free(p_g2), free(p_g3);
}

static void test_zstd_long(void)
{
    struct bytes z = zstd_stream(text.p, text.len, 28, 0);
    uint64_t window = zstd_declared_window(z.p, z.len);
    CHECKF(window == ((uint64_t)1 << 28), "test bug: frame declares a %llu-byte window",
           (unsigned long long)window);
    char *path = write_file("long-zst.log", &z);
    expect_bad("zstd, 256 MiB window, no --long", path, "--long", path, 0);
    expect_good("zstd, 256 MiB window, --long", path, &z, &expected, text_records, text.len, 1);
    free(z.p);
    free(path);

    /* A 128 MiB window is within the default limit. */
    struct bytes z27 = zstd_stream(text.p, text.len / 4, 27, 0);
    CHECK(zstd_declared_window(z27.p, z27.len) == ((uint64_t)1 << 27));
    char *p27 = write_file("w27-zst.log", &z27);
    struct run_opts o = {LADLE_IO_PREAD, 0, 0, 2};
    struct t_output out;
    run_file(p27, &o, &out);
    CHECKF(out.status == LADLE_OK, "zstd, 128 MiB window: %s", out.error);
    t_output_free(&out);
    free(z27.p);
    free(p27);
}

static void write_variant(const char *name, const struct bytes *b, size_t len, size_t flip_at,
                          char **path)
{
    struct bytes v = {0};
    bytes_add(&v, b->p, len);
    if (flip_at)
        for (size_t k = 0; k < 3; k++)
            v.p[flip_at + k] ^= 0x5A;
    *path = write_file(name, &v);
    free(v.p);
}

/* ---- the units of a zstd stream, found independently of the decoder ---- */

struct zunits {
    uint64_t start[4096], len[4096];
    size_t n;
};

static uint64_t le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static void zunit(struct zunits *u, uint64_t start, uint64_t len)
{
    if (u->n < 4096) {
        u->start[u->n] = start;
        u->len[u->n++] = len;
    }
}

/* RFC 8878: frame header, then 3-byte block headers each followed by its
 * content (1 byte for RLE), then a 4-byte checksum when the header says. */
static void zstd_units(const struct bytes *b, struct zunits *u)
{
    u->n = 0;
    size_t p = 0;
    while (p + 4 <= b->len) {
        if ((le(b->p + p, 4) & 0xFFFFFFF0u) == 0x184D2A50u) {
            uint64_t size = le(b->p + p + 4, 4);
            zunit(u, p, 8 + size);
            p += 8 + (size_t)size;
            continue;
        }
        unsigned fhd = b->p[p + 4];
        static const size_t did[4] = {0, 1, 2, 4}, fcs[4] = {0, 2, 4, 8};
        int ss = (fhd >> 5) & 1;
        size_t hsize =
            5 + (ss ? 0 : 1) + did[fhd & 3] + ((fhd >> 6) == 0 && ss ? 1 : fcs[fhd >> 6]);
        zunit(u, p, hsize);
        p += hsize;
        for (int last = 0; !last && p + 3 <= b->len;) {
            uint32_t bh = (uint32_t)le(b->p + p, 3);
            last = bh & 1;
            uint64_t content = ((bh >> 1) & 3) == 1 ? 1 : bh >> 3;
            zunit(u, p, 3);
            p += 3;
            if (content)
                zunit(u, p, content);
            p += (size_t)content;
        }
        if ((fhd >> 2) & 1) {
            zunit(u, p, 4);
            p += 4;
        }
    }
}

/* The unit starting at `at`, or -1. */
static long zunit_at(const struct zunits *u, uint64_t at)
{
    for (size_t i = 0; i < u->n; i++)
        if (u->start[i] == at)
            return (long)i;
    return -1;
}

/* True if bytes [f, f + 3) touch a 3-byte unit (a block header) or the
 * frame header, whose damage moves every later unit. */
static int touches_header(const struct zunits *u, uint64_t f)
{
    for (size_t i = 0; i < u->n; i++)
        if ((u->len[i] == 3 || u->start[i] == 0) && f < u->start[i] + u->len[i] &&
            u->start[i] < f + 3)
            return 1;
    return 0;
}

/* The message of one pread run of path (LADLE_E_INPUT expected). */
static void damaged_message(const char *label, const char *path, char *msg, size_t len)
{
    struct run_opts o = {LADLE_IO_PREAD, 0, 0, 2};
    struct t_output out;
    run_file(path, &o, &out);
    CHECKF(out.status == LADLE_E_INPUT, "%s: status %d (%s)", label, out.status, out.error);
    snprintf(msg, len, "%s", out.error);
    t_output_free(&out);
}

/* The compressed file b with bytes f..f+2 flipped, read: its label ("zst
 * with bytes F..F+2 flipped") and the one-line message it fails with. */
static void flipped_message(const char *ext, const struct bytes *b, uint64_t f, char *label,
                            size_t label_len, char *msg, size_t msg_len)
{
    char name[64], *path;
    snprintf(name, sizeof name, "where%llu-%s.log", (unsigned long long)f, ext);
    snprintf(label, label_len, "%s with bytes %llu..%llu flipped", ext, (unsigned long long)f,
             (unsigned long long)f + 2);
    write_variant(name, b, b->len, (size_t)f, &path);
    damaged_message(label, path, msg, msg_len);
    free(path);
}

/* The message names where the damage at [f, f + 3) was found, exactly. */
static void check_zstd_where(const char *label, const char *msg, const struct zunits *u, uint64_t f,
                             uint64_t total)
{
    unsigned long long a, b, at;
    const char *range = strstr(msg, "compressed bytes ");
    if (strstr(msg, "does not match its checksum")) {
        CHECKF(range && sscanf(range, "compressed bytes %llu-%llu", &a, &b) == 2 && a <= f &&
                   f < b && b < total,
               "%s: '%s' does not name a frame range holding byte %llu", label, msg,
               (unsigned long long)f);
        return;
    }
    const char *where = strstr(msg, "(at compressed byte ");
    if (!where || sscanf(where, "(at compressed byte %llu)", &at) != 1) {
        CHECKF(0, "%s: no compressed byte in '%s'", label, msg);
        return;
    }
    long i = zunit_at(u, at);
    CHECKF(i >= 0, "%s: '%s': byte %llu starts no frame header, block header, block or checksum",
           label, msg, at);
    if (i >= 0)
        CHECKF(u->start[i] + u->len[i] > f,
               "%s: '%s': the unit at %llu (%llu bytes) ends before the damage at %llu", label, msg,
               at, (unsigned long long)u->len[i], (unsigned long long)f);
}

static void check_gzip_where(const char *label, const char *msg, uint64_t f)
{
    unsigned long long a, b, at;
    const char *range = strstr(msg, "compressed bytes ");
    if (strstr(msg, "CRC-32")) {
        CHECKF(range && sscanf(range, "compressed bytes %llu-%llu", &a, &b) == 2 && a <= f &&
                   f <= b,
               "%s: '%s' does not name a member range holding byte %llu", label, msg,
               (unsigned long long)f);
        return;
    }
    const char *where = strstr(msg, "(at compressed byte ");
    CHECKF(where && sscanf(where, "(at compressed byte %llu)", &at) == 1 && at + 8 >= f,
           "%s: '%s' reports the damage at byte %llu before it happened", label, msg,
           (unsigned long long)f);
}

static void test_damage_where(void)
{
    struct bytes z = zstd_stream(text.p, text.len, 0, 1); /* with checksum */
    struct zunits *u = malloc(sizeof *u);
    zstd_units(&z, u);
    CHECKF(u->n > 10 && u->start[u->n - 1] + u->len[u->n - 1] == z.len,
           "test bug: the unit parse covers %llu of %zu bytes in %zu units",
           u->n ? (unsigned long long)(u->start[u->n - 1] + u->len[u->n - 1]) : 0ULL, z.len, u->n);
    int checked = 0;
    for (int k = 1; k < 20; k++) {
        uint64_t f = (uint64_t)z.len * (uint64_t)k / 20;
        while (touches_header(u, f))
            f += 3;
        char label[96], msg[512];
        flipped_message("zst", &z, f, label, sizeof label, msg, sizeof msg);
        check_zstd_where(label, msg, u, f, z.len);
        checked++;
    }
    /* A block header flipped: reported at that header (the first unit
     * whose bytes changed), whatever follows. */
    for (size_t i = u->n / 2; i < u->n; i++) {
        if (u->len[i] != 3)
            continue;
        char msg[512], *path;
        write_variant("bh-zst.log", &z, z.len, (size_t)u->start[i], &path);
        damaged_message("zst with a block header flipped", path, msg, sizeof msg);
        char want[64];
        snprintf(want, sizeof want, "(at compressed byte %llu)", (unsigned long long)u->start[i]);
        CHECKF(strstr(msg, "block header") && strstr(msg, want),
               "block header at %llu flipped: '%s'", (unsigned long long)u->start[i], msg);
        free(path);
        break;
    }
    free(u);

    struct bytes g = gzip_isal(text.p, text.len);
    for (int k = 1; k < 10; k++) {
        uint64_t f = (uint64_t)g.len * (uint64_t)k / 10;
        char label[96], msg[512];
        flipped_message("gz", &g, f, label, sizeof label, msg, sizeof msg);
        check_gzip_where(label, msg, f);
    }

    /* Not-a-member after the last member, not-a-frame after the last frame:
     * named so, at their first byte. */
    static const char junk[] = "junk after the data\n";
    struct {
        const char *kind, *what;
        struct bytes *b;
    } tails[] = {{"gz", "data after the last gzip member is not gzip", &g},
                 {"zst", "data after the last zstd frame is not zstd", &z}};
    for (size_t t = 0; t < 2; t++) {
        struct bytes v = {0};
        bytes_add(&v, tails[t].b->p, tails[t].b->len);
        bytes_add(&v, junk, sizeof junk - 1);
        char name[32], want[160], *path;
        snprintf(name, sizeof name, "junk-%s.log", tails[t].kind);
        path = write_file(name, &v);
        snprintf(want, sizeof want, "%s (at compressed byte %zu)", tails[t].what, tails[t].b->len);
        expect_bad(name, path, want, path, 0);
        free(path);
        free(v.p);
    }
    free(z.p);
    free(g.p);
}

/* A frame header declaring a 4 GiB window (exponent 22), after a good
 * frame: the message names the window, the limit in force and the frame. */
static void test_window_limits(void)
{
    struct bytes z = zstd_simple(text.p, 100000);
    static const unsigned char huge[] = {0x28, 0xB5, 0x2F, 0xFD, 0x00, 22 << 3, 0x01, 0x00, 0x00};
    struct bytes v = {0};
    bytes_add(&v, z.p, z.len);
    bytes_add(&v, huge, sizeof huge);
    char *path = write_file("w4g-zst.log", &v);
    char at[64];
    snprintf(at, sizeof at, "(at compressed byte %zu)", z.len);
    expect_bad("4 GiB window, --long", path, "needs a 4 GiB window, over the 2 GiB limit of --long",
               at, 1);
    expect_bad("4 GiB window, no --long", path, "needs a 4 GiB window, over the 128 MiB limit", at,
               0);
    struct t_output out;
    struct run_opts o = {LADLE_IO_PREAD, 0, 1, 2};
    run_file(path, &o, &out);
    CHECKF(strstr(out.error, "use --long") == NULL, "--long given, yet: '%s'", out.error);
    t_output_free(&out);
    free(path);
    free(v.p);
    free(z.p);
}

/* Inputs shorter than a frame header that start a compressed format's
 * magic are cut compressed files, not text. */
static void test_tiny_compressed(void)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *what;
    } cases[] = {
        {"\x28\xB5", 2, "truncated zstd stream"},
        {"\x28\xB5\x2F", 3, "truncated zstd stream"},
        {"\x28\xB5\x2F\xFD", 4, "truncated zstd stream"},
        {"\x28\xB5\x2F\xFD\x04", 5, "truncated zstd stream"},
        {"\x1F\x8B", 2, "truncated gzip stream"},
        {"\x1F\x8B\x08", 3, "truncated gzip stream"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32], label[64];
        snprintf(name, sizeof name, "tiny%zu.log", i);
        snprintf(label, sizeof label, "a %zu-byte input starting a magic (case %zu)", cases[i].len,
                 i);
        char *path = t_write_file(name, cases[i].bytes, cases[i].len);
        char at[48];
        snprintf(at, sizeof at, "(at compressed byte %zu)", cases[i].len);
        expect_bad(label, path, cases[i].what, at, 0);
        free(path);
    }
    /* One byte of the magic is still text. */
    char *one = t_write_file("tiny-one.log", "(", 1);
    struct t_output out;
    struct run_opts o = {LADLE_IO_PREAD, 0, 0, 2};
    run_file(one, &o, &out);
    CHECKF(out.status == LADLE_OK && out.len == 2 && memcmp(out.data, "(\n", 2) == 0,
           "a 1-byte input '(': status %d, %zu bytes", out.status, out.len);
    t_output_free(&out);
    free(one);
}

static void test_damaged(void)
{
    struct bytes z = zstd_stream(text.p, text.len, 0, 1); /* with checksum */
    struct bytes g = gzip_isal(text.p, text.len);
    struct {
        const char *kind;
        struct bytes *b;
    } kinds[] = {{"zst", &z}, {"gz", &g}};
    for (size_t k = 0; k < 2; k++) {
        const struct bytes *b = kinds[k].b;
        const size_t cuts[] = {10, b->len / 2, b->len - 1};
        for (size_t c = 0; c < 3; c++) {
            char name[64], label[96], *path;
            snprintf(name, sizeof name, "cut%zu-%s.log", cuts[c], kinds[k].kind);
            snprintf(label, sizeof label, "%s truncated to %zu of %zu bytes", kinds[k].kind,
                     cuts[c], b->len);
            write_variant(name, b, cuts[c], 0, &path);
            expect_bad(label, path, path, "compressed byte", 0);
            free(path);
        }
        const size_t flips[] = {b->len / 2, b->len / 3};
        for (size_t f = 0; f < 2; f++) {
            char name[64], label[96], *path;
            snprintf(name, sizeof name, "flip%zu-%s.log", flips[f], kinds[k].kind);
            snprintf(label, sizeof label, "%s with bytes %zu..%zu flipped", kinds[k].kind, flips[f],
                     flips[f] + 2);
            write_variant(name, b, b->len, flips[f], &path);
            expect_bad(label, path, path, "compressed byte", 0);
            free(path);
        }
    }
    free(z.p);
    free(g.p);
}

static void test_empty(void)
{
    struct bytes none = {0};
    struct bytes empty_out = {0};
    char *p0 = t_write_file("empty.log", "", 0);
    expect_good("empty file", p0, &none, &empty_out, 0, 0, 0);
    struct bytes ez = zstd_simple("", 0);
    char *p1 = write_file("empty-zst.log", &ez);
    expect_good("empty zstd frame", p1, &ez, &empty_out, 0, 0, 0);
    struct bytes eg = gzip_isal("", 0);
    char *p2 = write_file("empty-gz.log", &eg);
    expect_good("empty gzip member", p2, &eg, &empty_out, 0, 0, 0);
    free(ez.p), free(eg.p), free(p0), free(p1), free(p2);
}

/* Runs a job on "-" with `b` written into a pipe on stdin by a child. */
static void run_stdin(const struct bytes *b, struct t_output *out)
{
    int fds[2];
    if (pipe(fds) != 0)
        abort();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        size_t off = 0;
        while (off < b->len) {
            ssize_t w = write(fds[1], b->p + off, b->len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                _exit(0); /* the reader stopped early (an error case) */
            off += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    dup2(fds[0], STDIN_FILENO);
    close(fds[0]);
    ladle_job *j = ladle_job_new();
    ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI);
    ladle_job_set_rate(j, 1.0);
    ladle_job_set(j, LADLE_P_THREADS, 2);
    CHECK(ladle_job_add_input(j, "-") == LADLE_OK);
    t_run_job(j, out);
    ladle_job_free(j);
    dup2(saved, STDIN_FILENO); /* closes the pipe's read end */
    close(saved);
    waitpid(pid, NULL, 0);
}

static void test_stdin(void)
{
    struct bytes plain = {0};
    bytes_add(&plain, text.p, text.len);
    struct bytes z = zstd_simple(text.p, text.len);
    struct bytes g = gzip_isal(text.p, text.len);
    struct {
        const char *label;
        struct bytes *b;
    } cases[] = {{"plain on stdin", &plain}, {"zstd on stdin", &z}, {"gzip on stdin", &g}};
    for (size_t i = 0; i < 3; i++) {
        struct t_output out;
        run_stdin(cases[i].b, &out);
        CHECKF(out.status == LADLE_OK, "%s: %s", cases[i].label, out.error);
        CHECKF(eq(out.data, out.len, expected.p, expected.len),
               "%s: output differs (%zu bytes, want %zu)", cases[i].label, out.len, expected.len);
        CHECK(out.report.bytes_compressed == cases[i].b->len);
        t_output_free(&out);
    }
    /* A stream shorter than the 4 magic bytes is plain text. */
    struct bytes tiny = {(unsigned char *)"ab", 2, 2};
    struct t_output out;
    run_stdin(&tiny, &out);
    CHECK(out.status == LADLE_OK && out.len == 3 && memcmp(out.data, "ab\n", 3) == 0);
    t_output_free(&out);
    /* Truncated gzip on stdin names <stdin>. */
    struct bytes cut = {g.p, g.len / 2, g.len / 2};
    run_stdin(&cut, &out);
    CHECK(out.status == LADLE_E_INPUT);
    CHECKF(strstr(out.error, "<stdin>") && strstr(out.error, "compressed byte"), "message: %s",
           out.error);
    t_output_free(&out);
    free(plain.p), free(z.p), free(g.p);
}

/* --max-record through the pipeline: the same verdict for every format and
 * chunk size (the pipeline caps chunks at max_record so the framer sees
 * every long record), and the offset of the offending record. */
static void test_max_record(void)
{
    static const int64_t chunks[] = {1, 7, 4096, 0};
    for (size_t extra = 0; extra <= 1; extra++)
        for (int last = 0; last <= 1; last++) {
            struct bytes t = {0};
            for (int i = 0; i < 300; i++) {
                char line[64];
                int n = snprintf(line, sizeof line, "short line %d\n", i);
                bytes_add(&t, line, (size_t)n);
            }
            uint64_t off = t.len;
            for (size_t k = 0; k < 100 + extra; k++)
                bytes_add(&t, "L", 1);
            if (!last) {
                bytes_add(&t, "\n", 1);
                bytes_add(&t, "tail\n", 5);
            }
            struct bytes forms[3] = {{0}, zstd_simple(t.p, t.len), gzip_isal(t.p, t.len)};
            bytes_add(&forms[0], t.p, t.len);
            for (size_t f = 0; f < 3; f++) {
                char name[64];
                snprintf(name, sizeof name, "maxrec-%zu-%d-%zu.log", extra, last, f);
                char *path = write_file(name, &forms[f]);
                for (size_t c = 0; c < 4; c++) {
                    ladle_job *j = ladle_job_new();
                    ladle_job_set(j, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI);
                    ladle_job_set_rate(j, 1.0);
                    ladle_job_set(j, LADLE_P_THREADS, 2);
                    CHECK(ladle_job_set(j, LADLE_P_MAX_RECORD, 100) == LADLE_OK);
                    if (chunks[c])
                        ladle_job_set(j, LADLE_P_CHUNK_SIZE, chunks[c]);
                    ladle_job_add_input(j, path);
                    struct t_output out;
                    t_run_job(j, &out);
                    ladle_job_free(j);
                    char at[64];
                    snprintf(at, sizeof at, "at offset %llu", (unsigned long long)off);
                    if (extra)
                        CHECKF(out.status == LADLE_E_INPUT &&
                                   strstr(out.error, "record longer than") &&
                                   strstr(out.error, path) && strstr(out.error, at),
                               "%s, chunk %lld: a 101-byte record with --max-record 100: status %d "
                               "'%s'",
                               name, (long long)chunks[c], out.status, out.error);
                    else
                        CHECKF(out.status == LADLE_OK && out.len == t.len + (size_t)last,
                               "%s, chunk %lld: a 100-byte record with --max-record 100: status %d "
                               "'%s'",
                               name, (long long)chunks[c], out.status, out.error);
                    t_output_free(&out);
                }
                free(path);
                free(forms[f].p);
            }
            free(t.p);
        }
}

int main(void)
{
    make_text((size_t)3 << 20);
    test_formats();
    test_zstd_long();
    test_damaged();
    test_damage_where();
    test_window_limits();
    test_tiny_compressed();
    test_empty();
    test_stdin();
    test_max_record();
    free(text.p);
    free(expected.p);
    return t_done("test_codec");
}
