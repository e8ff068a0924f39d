/*
 * test_key_independence.c -- keys under nearby seeds behave as independent
 * (src/record/key.h, reproducibility contract 2).
 *
 * Contract 1 hashed with the user's seed as XXH3's seed, and XXH3 mixes
 * the seed in linearly for short inputs, so nearby seeds relabelled each
 * other: key(1, "200") == key(2, "201"), record (s, input 1, offset o) ==
 * (s + 1, input 0, o ^ 1), and the `--cluster store --rate 0.1` samples of
 * seeds s and s+1 over clusters a00..a99 were copies (correlation of kept
 * counts 0.83). Every check below runs twice: on ladle's keys, which must
 * pass, and on contract 1's construction (recomputed here), which must
 * fail it -- so each check is shown to have the power to see the flaw.
 *
 * 1. Relabelling: for 16 adjacent seed pairs (s, s+1), the keys of every
 *    0-, 1- and 2-byte value, of the 3-byte values over [0-9a-z]^3, of
 *    8-byte and 16-byte counters, and of record identities (inputs 0..3,
 *    offsets 0..4095) under s share no key with those under s+1 (as
 *    multisets of 64-bit values: among ~700,000 random keys a chance
 *    collision has probability < 2^-24). Contract 1 shares thousands.
 * 2. Kept-count correlation: for each of 4,000 seeds s, the number of
 *    a00..a99 clusters kept at rate 0.1 (value key < floor(0.1 2^64)); the
 *    Pearson correlation of the counts of s and s+1 over the 4,000 seeds
 *    has sd 1/sqrt(4000) under independence, and must be below 4 sd =
 *    0.063 in absolute value (normal tail 6e-5). The same for values of 3,
 *    7, 12, 24 and 300 bytes (short, 4-8, 9-16, >16 and >240 bytes: the
 *    five code paths of XXH3), the record identities (input in {0, 1},
 *    offsets 0..49) and the split draws of a record key. Contract 1 fails
 *    the short and record families (r ~ 0.8).
 * 3. Domains: a record's key, its value key and its split draw from one
 *    seed are not the same numbers (no two domains coincide).
 * 4. The literal cases of the audit: key(1, "200") != key(2, "201"), and
 *    (s, 1, o) != (s + 1, 0, o ^ 1) for many s and o.
 * 5. Neighbouring source ids (contract 4: a record's identity is (source
 *    id, offset)): under one seed, for 4,000 random ids x, the members kept
 *    at rate 0.1 among offsets 0..99 of source x and of source x ^ 1 (and
 *    x + 1) give kept counts whose correlation is below the bound of 2.
 *    Ids are hashes, so neighbours are rare, but nothing may link them.
 * 6. Speed (information only, the test does not time itself): run
 *    `build-release/tests/test_key_independence --bench`.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record/key.h"

#include "test_stat.h"
#include "test_util.h"

/* ---- the two constructions under test ---- */

struct scheme {
    const char *name;
    uint64_t (*value)(uint64_t seed, const void *v, size_t len);
    uint64_t (*record)(uint64_t seed, uint64_t source, uint64_t offset);
    uint64_t (*split)(uint64_t seed, uint64_t key);
};

static uint64_t new_value(uint64_t seed, const void *v, size_t len)
{
    return ladle_value_key(seed, v, len);
}

static uint64_t new_record(uint64_t seed, uint64_t source, uint64_t offset)
{
    return ladle_record_key(seed, source, offset);
}

static uint64_t new_split(uint64_t seed, uint64_t key)
{
    return ladle_draw(seed, LADLE_DOMAIN_SPLIT, key);
}

/* Contract 1 (ladle 0.1.0): the seed straight into XXH3, and `seed ^ salt`
 * for the split draws. */
static uint64_t old_value(uint64_t seed, const void *v, size_t len)
{
    return XXH3_64bits_withSeed(v, len, seed);
}

static uint64_t old_record(uint64_t seed, uint64_t source, uint64_t offset)
{
    uint64_t id[2] = {htole64(source), htole64(offset)};
    return XXH3_64bits_withSeed(id, sizeof id, seed);
}

static uint64_t old_split(uint64_t seed, uint64_t key)
{
    uint64_t le = htole64(key);
    return XXH3_64bits_withSeed(&le, sizeof le, seed ^ 0x73706c6974000001ULL);
}

static const struct scheme ladle_keys = {"ladle", new_value, new_record, new_split};
static const struct scheme contract1 = {"contract 1", old_value, old_record, old_split};

/* ---- 1. relabelling ---- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static const char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* Every key of the families of check 1 under seed, into v; returns count. */
static size_t family_keys(const struct scheme *sc, uint64_t seed, uint64_t *v)
{
    size_t n = 0;
    unsigned char b[16] = {0};
    v[n++] = sc->value(seed, b, 0);
    for (unsigned x = 0; x < 256; x++) {
        b[0] = (unsigned char)x;
        v[n++] = sc->value(seed, b, 1);
    }
    for (unsigned x = 0; x < 65536; x++) {
        b[0] = (unsigned char)x;
        b[1] = (unsigned char)(x >> 8);
        v[n++] = sc->value(seed, b, 2);
    }
    for (int i = 0; i < 36; i++)
        for (int j = 0; j < 36; j++)
            for (int k = 0; k < 36; k++) {
                b[0] = (unsigned char)alnum[i];
                b[1] = (unsigned char)alnum[j];
                b[2] = (unsigned char)alnum[k];
                v[n++] = sc->value(seed, b, 3);
            }
    for (uint64_t x = 0; x < 65536; x++) {
        uint64_t le[2] = {htole64(x), htole64(x >> 3)};
        v[n++] = sc->value(seed, le, 8);
        v[n++] = sc->value(seed, le, 16);
    }
    for (uint32_t in = 0; in < 4; in++)
        for (uint64_t o = 0; o < 4096; o++)
            v[n++] = sc->record(seed, in, o);
    return n;
}

enum { FAMILY_MAX = 1 + 256 + 65536 + 46656 + 2 * 65536 + 4 * 4096 };

/* Keys shared by the families of seeds s and s+1 (merge of sorted lists). */
static size_t shared_keys(const struct scheme *sc, uint64_t s, uint64_t *x, uint64_t *y)
{
    size_t nx = family_keys(sc, s, x), ny = family_keys(sc, s + 1, y), i = 0, j = 0, common = 0;
    qsort(x, nx, sizeof *x, cmp_u64);
    qsort(y, ny, sizeof *y, cmp_u64);
    while (i < nx && j < ny) {
        if (x[i] < y[j]) {
            i++;
        } else if (y[j] < x[i]) {
            j++;
        } else {
            common++;
            i++;
            j++;
        }
    }
    return common;
}

static void test_relabelling(void)
{
    uint64_t *x = malloc(FAMILY_MAX * sizeof *x), *y = malloc(FAMILY_MAX * sizeof *y);
    size_t old_min = SIZE_MAX;
    uint64_t rng = 0x5eed;
    for (int pair = 0; pair < 16; pair++) {
        /* Small seeds (what people type) and random ones. */
        uint64_t s = pair < 8 ? (uint64_t)pair : t_splitmix(&rng);
        size_t c = shared_keys(&ladle_keys, s, x, y);
        CHECKF(c == 0, "seeds %llu and %llu share %zu keys", (unsigned long long)s,
               (unsigned long long)s + 1, c);
        if (pair < 4) {
            size_t o = shared_keys(&contract1, s, x, y);
            old_min = o < old_min ? o : old_min;
        }
    }
    /* Power: contract 1 relabels (every 1-3 byte value, every record). */
    CHECKF(old_min > 1000, "contract 1 shares only %zu keys between adjacent seeds", old_min);
    printf("relabelling: ladle 0 shared keys, contract 1 at least %zu of ~%d\n", old_min,
           FAMILY_MAX);
    free(x);
    free(y);
}

/* ---- 2. kept-count correlation ---- */

enum { SEEDS = 4000, MEMBERS = 100 };

enum family { FAM_VALUE, FAM_RECORD, FAM_SPLIT };

/* Members of the value families: "a00".."a99" padded to len bytes. */
static size_t member(char *buf, size_t len, int i)
{
    memset(buf, 'x', len);
    char head[8];
    snprintf(head, sizeof head, "a%02d", i);
    memcpy(buf, head, 3);
    return len;
}

/* Members kept at rate 0.1 under seed s. */
static int kept_count(const struct scheme *sc, enum family fam, size_t len, uint64_t s)
{
    const uint64_t t = ladle_rate_threshold(0.1);
    char buf[512];
    int kept = 0;
    for (int i = 0; i < MEMBERS; i++) {
        uint64_t k;
        if (fam == FAM_VALUE)
            k = sc->value(s, buf, member(buf, len, i));
        else if (fam == FAM_RECORD)
            k = sc->record(s, (uint32_t)(i & 1), (uint64_t)(i >> 1));
        else /* the split draw of record keys that are consecutive numbers */
            k = sc->split(s, (uint64_t)i);
        kept += k < t;
    }
    return kept;
}

/* Pearson correlation of (count(s), count(s+1)) over s = 1..SEEDS. */
static double adjacent_correlation(const struct scheme *sc, enum family fam, size_t len)
{
    static int c[SEEDS + 1];
    for (uint64_t s = 1; s <= SEEDS + 1; s++)
        c[s - 1] = kept_count(sc, fam, len, s);
    double mx = 0, my = 0;
    for (int i = 0; i < SEEDS; i++) {
        mx += c[i];
        my += c[i + 1];
    }
    mx /= SEEDS;
    my /= SEEDS;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < SEEDS; i++) {
        sxy += (c[i] - mx) * (c[i + 1] - my);
        sxx += (c[i] - mx) * (c[i] - mx);
        syy += (c[i + 1] - my) * (c[i + 1] - my);
    }
    return sxy / sqrt(sxx * syy);
}

static void test_correlation(void)
{
    const double bound = 4.0 / sqrt((double)SEEDS);
    static const struct {
        const char *name;
        enum family fam;
        size_t len;
        int old_fails; /* contract 1 is known to fail this family */
    } f[] = {
        {"3-byte values", FAM_VALUE, 3, 1},     {"7-byte values", FAM_VALUE, 7, 0},
        {"12-byte values", FAM_VALUE, 12, 0},   {"24-byte values", FAM_VALUE, 24, 0},
        {"300-byte values", FAM_VALUE, 300, 0}, {"record identities", FAM_RECORD, 0, 1},
        {"split draws", FAM_SPLIT, 0, 0},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        double r = adjacent_correlation(&ladle_keys, f[i].fam, f[i].len);
        double r1 = adjacent_correlation(&contract1, f[i].fam, f[i].len);
        printf("%-18s r(s, s+1) = %+.4f (contract 1: %+.4f), bound %.4f\n", f[i].name, r, r1,
               bound);
        CHECKF(fabs(r) < bound, "%s: kept counts of seeds s and s+1 correlate, r = %.4f", f[i].name,
               r);
        if (f[i].old_fails)
            CHECKF(fabs(r1) >= bound, "%s: the check does not see contract 1's flaw (r = %.4f)",
                   f[i].name, r1);
    }
}

/* ---- 3, 4. domains and the audit's cases ---- */

static void test_cases(void)
{
    CHECK(ladle_value_key(1, "200", 3) != ladle_value_key(2, "201", 3));
    CHECK(old_value(1, "200", 3) == old_value(2, "201", 3)); /* the flaw, as reported */
    uint64_t rng = 99;
    int old_equal = 0;
    for (int i = 0; i < 10000; i++) {
        uint64_t s = i < 5000 ? (uint64_t)i : t_splitmix(&rng), o = t_splitmix(&rng) >> (i % 64);
        CHECK(ladle_record_key(s, 1, o) != ladle_record_key(s + 1, 0, o ^ 1));
        old_equal += old_record(s, 1, o) == old_record(s + 1, 0, o ^ 1);
        /* Domains: the same seed and bytes give unrelated numbers. */
        uint64_t id[2] = {htole64(1), htole64(o)};
        uint64_t rk = ladle_record_key(s, 1, o);
        CHECK(rk != ladle_value_key(s, (const char *)id, sizeof id));
        CHECK(ladle_draw(s, LADLE_DOMAIN_SPLIT, o) != ladle_draw(s, LADLE_DOMAIN_BALANCE, o));
        CHECK(ladle_draw(s, LADLE_DOMAIN_SPLIT, o) != ladle_draw(s, LADLE_DOMAIN_STRATIFY, o));
    }
    /* Contract 1: equal whenever seed s's low bits make the carry line up. */
    CHECKF(old_equal > 1000, "contract 1's record relabelling seen %d times", old_equal);
}

/* ---- 5. speed (information only) ---- */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void bench(void)
{
    enum { N = 50 * 1000 * 1000 };
    volatile uint64_t seed_v = 7; /* the seed is read once, as in a design's loop */
    uint64_t seed = seed_v, acc = 0;
    double t0 = now_ns();
    for (uint64_t o = 0; o < N; o++)
        acc += old_record(seed, 1, o * 97);
    double t1 = now_ns();
    for (uint64_t o = 0; o < N; o++)
        acc += ladle_record_key(seed, 1, o * 97);
    double t2 = now_ns();
    /* The worst case: a seed the compiler cannot hoist (derivation per call). */
    for (uint64_t o = 0; o < N; o++)
        acc += ladle_record_key(seed + (o >> 40), 1, o * 97);
    double t3 = now_ns();
    printf("record key: contract 1 %.2f ns, contract 2 %.2f ns (hoisted derivation), %.2f ns "
           "(derivation per call) [%llx]\n",
           (t1 - t0) / N, (t2 - t1) / N, (t3 - t2) / N, (unsigned long long)(acc & 0xf));
}

/* Check 5: kept counts of sources x and nb(x) under one seed. */
static double neighbour_correlation(uint64_t (*nb)(uint64_t))
{
    const uint64_t t = ladle_rate_threshold(0.1);
    static int a[SEEDS], b[SEEDS];
    uint64_t rng = 99;
    for (int i = 0; i < SEEDS; i++) {
        uint64_t x = t_splitmix(&rng);
        a[i] = b[i] = 0;
        for (uint64_t o = 0; o < MEMBERS; o++) {
            a[i] += ladle_record_key(7, x, o) < t;
            b[i] += ladle_record_key(7, nb(x), o) < t;
        }
    }
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < SEEDS; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= SEEDS;
    mb /= SEEDS;
    for (int i = 0; i < SEEDS; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

static uint64_t flip1(uint64_t x)
{
    return x ^ 1;
}

static uint64_t plus1(uint64_t x)
{
    return x + 1;
}

static void test_neighbour_ids(void)
{
    const double bound = 4.0 / sqrt((double)SEEDS);
    double r1 = neighbour_correlation(flip1), r2 = neighbour_correlation(plus1);
    printf("source ids x, x^1: r = %+.4f; x, x+1: r = %+.4f; bound %.4f\n", r1, r2, bound);
    CHECKF(fabs(r1) < bound, "sources x and x^1 correlate, r = %.4f", r1);
    CHECKF(fabs(r2) < bound, "sources x and x+1 correlate, r = %.4f", r2);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
        bench();
        return 0;
    }
    test_cases();
    test_relabelling();
    test_correlation();
    test_neighbour_ids();
    return t_done("test_key_independence");
}
