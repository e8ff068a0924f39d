/*
 * key.h -- the random key of a record: XXH3-64 of (seed, identity).
 *
 * Every random decision in ladle derives from this value (or from the
 * same hash of a key field), so a record's fate depends on nothing but the
 * seed and what the record is: not on threads, chunking or compression.
 * Probabilities are applied by comparing the 64-bit value with an integer
 * threshold, never by bit-casting it to a double.
 */
#ifndef LADLE_KEY_H
#define LADLE_KEY_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

static inline uint64_t ladle_record_key(uint64_t seed, uint32_t input, uint64_t offset)
{
    /* Little-endian on every host, so keys agree across machines. Whole
     * 64-bit stores: byte stores here stall the hash's 64-bit loads. */
    uint64_t id[2] = {htole64((uint64_t)input), htole64(offset)};
    return XXH3_64bits_withSeed(id, sizeof id, seed);
}

/* The random key of a field value (a cluster, a stratum): the same value
 * gets the same key in every file and every run with this seed. */
static inline uint64_t ladle_value_key(uint64_t seed, const char *v, size_t len)
{
    return XXH3_64bits_withSeed(v, len, seed);
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
