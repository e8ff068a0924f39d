/*
 * key.h -- every random number ladle draws: keys of records, of field
 * values and further draws from a key, each a hash of (seed, what it is).
 *
 * Every random decision in ladle derives from these values, so a record's
 * fate depends on nothing but the seed and what the record is: not on
 * threads, chunking or compression. Probabilities are applied by comparing
 * the 64-bit value with an integer threshold, never by bit-casting it to a
 * double.
 *
 * Seeds (reproducibility contract 2, LADLE_CONTRACT_VERSION). XXH3 mixes
 * its seed in linearly for short inputs (1-16 bytes: input ^ (secret +
 * seed)), so under contract 1, which hashed with the user's seed as is,
 * key(seed 1, "200") == key(seed 2, "201") and the record (seed s, input
 * 1, offset o) had the key of (seed s+1, input 0, offset o^1): samples of
 * nearby seeds were relabelled copies. Now each use of a seed (a domain:
 * records, values, split draws...) first derives two words from it with
 * the splitmix64 finalizer, a = mix(mix(seed + G) ^ domain) and b =
 * mix(a + G), and a key is mix(XXH3(bytes, seed a) ^ b): a is a strongly
 * mixed seed, and b, entering through a non-linear mix after the hash,
 * removes what XXH3 leaves linear. Keys under different seeds, or under
 * different domains of one seed, behave as independent for every length
 * and identity (tests/stat/test_key_independence.c).
 *
 * Hot path: ladle_record_key runs once per record. The derivation depends
 * on the seed only, so in a loop the compiler hoists it; what remains per
 * record is XXH3 of 16 bytes plus one finalizer (bench in the test above).
 * This file is the one place that turns a seed into randomness.
 */
#ifndef LADLE_KEY_H
#define LADLE_KEY_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* The domains: one per kind of draw, so that draws of different kinds
 * from one seed are independent. Values are arbitrary distinct tags
 * (ASCII); changing one changes outputs, i.e. the contract version. */
#define LADLE_DOMAIN_RECORD 0x6c61646c65726563ULL   /* "ladlerec": a record's key */
#define LADLE_DOMAIN_VALUE 0x6c61646c6576616cULL    /* "ladleval": a field value's key */
#define LADLE_DOMAIN_SPLIT 0x6c61646c6573706cULL    /* "ladlespl": split by key or field */
#define LADLE_DOMAIN_STRATIFY 0x6c61646c65737472ULL /* "ladlestr": split --stratify places */
#define LADLE_DOMAIN_BALANCE 0x6c61646c6562616cULL  /* "ladlebal": split --balance draws */
#define LADLE_DOMAIN_START 0x6c61646c65737461ULL    /* "ladlesta": --every's start */
#define LADLE_DOMAIN_REPLACE 0x6c61646c65726570ULL  /* "ladlerep": -n --replace multiplicities */
#define LADLE_DOMAIN_COPY 0x6c61646c65637079ULL     /* "ladlecpy": a copy's key (--shuffle) */
#define LADLE_DOMAIN_BOOT 0x6c61646c65626f6fULL     /* "ladleboo": --bootstrap replicates */

#define LADLE_GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

/* The splitmix64 finalizer (Stafford's mix 13): a bijection of 64-bit
 * words whose every output bit depends on every input bit. */
static inline uint64_t ladle_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A seed made ready for one domain: the hash's seed a and the word b
 * mixed in after it. */
struct ladle_seed {
    uint64_t a, b;
};

static inline struct ladle_seed ladle_seed_derive(uint64_t seed, uint64_t domain)
{
    struct ladle_seed d;
    d.a = ladle_mix64(ladle_mix64(seed + LADLE_GOLDEN_GAMMA) ^ domain);
    d.b = ladle_mix64(d.a + LADLE_GOLDEN_GAMMA);
    return d;
}

/* The key of len bytes under a derived seed. */
static inline uint64_t ladle_seeded_hash(struct ladle_seed d, const void *p, size_t len)
{
    return ladle_mix64(XXH3_64bits_withSeed(p, len, d.a) ^ d.b);
}

/* A record's key under the record domain's derived seed d: the key of its
 * identity, (source id, decompressed offset) under contract 4 (the source
 * id of record/source_id.h; contract 3 had the input ordinal). Per-record
 * paths derive d once (ladle_sampler has it): the derivation costs more
 * than the hash of 16 bytes. */
static inline uint64_t ladle_record_key_d(struct ladle_seed d, uint64_t source, uint64_t offset)
{
    /* Little-endian on every host, so keys agree across machines. Whole
     * 64-bit stores: byte stores here stall the hash's 64-bit loads. */
    uint64_t id[2] = {htole64(source), htole64(offset)};
    return ladle_seeded_hash(d, id, sizeof id);
}

static inline uint64_t ladle_record_key(uint64_t seed, uint64_t source, uint64_t offset)
{
    return ladle_record_key_d(ladle_seed_derive(seed, LADLE_DOMAIN_RECORD), source, offset);
}

/* The key of bytes v in a domain of the seed. */
static inline uint64_t ladle_domain_key(uint64_t seed, uint64_t domain, const void *v, size_t len)
{
    return ladle_seeded_hash(ladle_seed_derive(seed, domain), v, len);
}

/* The random key of a field value (a cluster, a stratum): the same value
 * gets the same key in every file and every run with this seed. */
static inline uint64_t ladle_value_key(uint64_t seed, const char *v, size_t len)
{
    return ladle_domain_key(seed, LADLE_DOMAIN_VALUE, v, len);
}

/* A further draw in a domain from a 64-bit number (a record's key, a
 * counter): the hash of its 8 little-endian bytes. */
static inline uint64_t ladle_draw(uint64_t seed, uint64_t domain, uint64_t x)
{
    uint64_t le = htole64(x);
    return ladle_domain_key(seed, domain, &le, sizeof le);
}

/* An integer uniform on 0..m-1 (m >= 1), exactly: the first of the draws
 * x_i = ladle_draw(seed, domain, i), i = 0, 1, ..., that is at least
 * 2^64 mod m, reduced mod m. The accepted values number a multiple of m,
 * so there is no modulo bias; a draw is rejected with probability
 * (2^64 mod m) / 2^64 < m / 2^64. */
static inline uint64_t ladle_draw_below(uint64_t seed, uint64_t domain, uint64_t m)
{
    uint64_t reject = (0 - m) % m; /* 2^64 mod m: draws below it are redrawn */
    for (uint64_t i = 0;; i++) {
        uint64_t x = ladle_draw(seed, domain, i);
        if (x >= reject)
            return x % m;
    }
}

/* A uniform double in (0, 1) from a key: its top 53 bits, centred, never a
 * bit-cast of the key itself. */
static inline double ladle_key_unit(uint64_t key)
{
    return ((double)(key >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* Threshold such that key < threshold holds with probability p (0..1).
 * p >= 1 is "always": callers test ladle_rate_all first. */
static inline uint64_t ladle_rate_threshold(double p)
{
    if (p <= 0.0)
        return 0;
    if (p >= 1.0)
        return UINT64_MAX;
    return (uint64_t)(p * 18446744073709551616.0); /* p * 2^64 < 2^64 */
}

#endif
