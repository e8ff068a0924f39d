/*
 * test_source_id.c -- source stems, first-record fingerprints and source
 * ids (src/record/source_id.c).
 *
 * What is checked:
 * - stems: the basename, one trailing ".zst"/".gz" removed in any case
 *   (a/b/x.log.ZST -> x.log; x.gz.gz keeps one .gz), --source-stem path
 *   keeps the directories but drops leading "./", stdin is its
 *   --source-name (normalised the same way) or "", and the prefix comes
 *   first.
 * - F: the hash of header || record, however the bytes are split; it
 *   differs for CSVs with one header and different first rows.
 * - the id: recomputed from bytes laid out by hand ("ladlesrc", le32
 *   stem length, stem, canonical F, le32 gen) and pinned to a golden
 *   value, since it enters every record's key (contract 4); stem, F and
 *   gen each change it.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/source_id.h"
#include "test_util.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

static void check_stem(const char *path, const char *name, enum ladle_stem_mode mode,
                       const char *prefix, const char *want)
{
    char *s = ladle_source_stem(path, name, mode, prefix);
    CHECKF(s && strcmp(s, want) == 0, "stem of %s: '%s', want '%s'", path, s ? s : "(null)", want);
    free(s);
}

static void test_stems(void)
{
    check_stem("a/b/x.log.ZST", NULL, LADLE_STEM_NAME, NULL, "x.log");
    check_stem("x.log.gz", NULL, LADLE_STEM_NAME, NULL, "x.log");
    check_stem("x.log.Gz", NULL, LADLE_STEM_NAME, NULL, "x.log");
    check_stem("x.log", NULL, LADLE_STEM_NAME, NULL, "x.log");
    check_stem("x.gz.gz", NULL, LADLE_STEM_NAME, NULL, "x.gz");
    check_stem(".gz", NULL, LADLE_STEM_NAME, NULL, ".gz");
    check_stem("/var/log/app.log", NULL, LADLE_STEM_NAME, NULL, "app.log");
    check_stem("./a/app.log.zst", NULL, LADLE_STEM_PATH, NULL, "a/app.log");
    check_stem(".//./a/app.log", NULL, LADLE_STEM_PATH, NULL, "a/app.log");
    check_stem("/var/log/app.log", NULL, LADLE_STEM_PATH, NULL, "/var/log/app.log");
    check_stem("-", NULL, LADLE_STEM_NAME, NULL, "");
    check_stem("-", "x.log.zst", LADLE_STEM_NAME, NULL, "x.log");
    check_stem("-", "d/x.log", LADLE_STEM_PATH, NULL, "d/x.log");
    check_stem("app.log", NULL, LADLE_STEM_NAME, "host1/", "host1/app.log");
    check_stem("-", NULL, LADLE_STEM_NAME, "p:", "p:");
}

static int fp_eq(struct ladle_fingerprint a, struct ladle_fingerprint b)
{
    return a.low == b.low && a.high == b.high;
}

static void test_fingerprint(void)
{
    const char *h = "id,name\n", *r1 = "1,a\n", *r2 = "2,b\n";
    struct ladle_fingerprint whole = ladle_source_fingerprint(NULL, 0, "id,name\n1,a\n", 12);
    CHECK(fp_eq(ladle_source_fingerprint(h, strlen(h), r1, strlen(r1)), whole));
    CHECK(!fp_eq(ladle_source_fingerprint(h, strlen(h), r2, strlen(r2)), whole));
    XXH128_hash_t x = XXH3_128bits("id,name\n1,a\n", 12);
    CHECK(whole.low == x.low64 && whole.high == x.high64);
}

static uint64_t by_hand(const char *stem, struct ladle_fingerprint f, uint32_t gen)
{
    unsigned char buf[256];
    size_t n = 0, len = strlen(stem);
    memcpy(buf, "ladlesrc", 8);
    n = 8;
    uint32_t le = htole32((uint32_t)len);
    memcpy(buf + n, &le, 4);
    n += 4;
    memcpy(buf + n, stem, len);
    n += len;
    for (int i = 7; i >= 0; i--) /* canonical: high then low, big-endian */
        buf[n++] = (unsigned char)(f.high >> (8 * i));
    for (int i = 7; i >= 0; i--)
        buf[n++] = (unsigned char)(f.low >> (8 * i));
    le = htole32(gen);
    memcpy(buf + n, &le, 4);
    n += 4;
    return XXH3_128bits(buf, n).low64;
}

static void test_id(void)
{
    struct ladle_fingerprint f = ladle_source_fingerprint(NULL, 0, "hello\n", 6);
    uint64_t id = ladle_source_id("x.log", 5, f, 0);
    CHECK(id == by_hand("x.log", f, 0));
    CHECK(ladle_source_id("x.log", 5, f, 1) == by_hand("x.log", f, 1));
    CHECK(ladle_source_id("", 0, f, 0) == by_hand("", f, 0));
    /* Golden: a change here changes every key (a new contract version). */
    CHECKF(id == 0xf3ecd4b80174f30eULL, "id %#llx", (unsigned long long)id);
    CHECK(ladle_source_id("x.log", 5, f, 1) != id);
    CHECK(ladle_source_id("y.log", 5, f, 0) != id);
    struct ladle_fingerprint g = ladle_source_fingerprint(NULL, 0, "hello!\n", 7);
    CHECK(ladle_source_id("x.log", 5, g, 0) != id);
}

int main(void)
{
    test_stems();
    test_fingerprint();
    test_id();
    return t_done("test_source_id");
}
