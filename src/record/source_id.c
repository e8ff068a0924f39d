/*
 * source_id.c -- stems, first-record fingerprints and source ids (see
 * source_id.h).
 */
#include "record/source_id.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* One trailing compression suffix is not part of the name: x.log,
 * x.log.gz and x.log.zst are one source. */
static size_t without_suffix(const char *s, size_t len)
{
    static const char *const suffixes[] = {".zst", ".gz"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t n = strlen(suffixes[i]);
        if (len > n && strncasecmp(s + len - n, suffixes[i], n) == 0)
            return len - n;
    }
    return len;
}

char *ladle_source_stem(const char *path, const char *stdin_name, enum ladle_stem_mode mode,
                        const char *prefix)
{
    const char *s = path;
    if (strcmp(path, "-") == 0)
        s = stdin_name ? stdin_name : "";
    if (mode == LADLE_STEM_NAME) {
        const char *slash = strrchr(s, '/');
        if (slash)
            s = slash + 1;
    } else {
        while (s[0] == '.' && s[1] == '/') {
            s += 2;
            while (*s == '/')
                s++;
        }
    }
    size_t len = without_suffix(s, strlen(s));
    size_t plen = prefix ? strlen(prefix) : 0;
    char *stem = malloc(plen + len + 1);
    if (!stem)
        return NULL;
    if (plen)
        memcpy(stem, prefix, plen);
    memcpy(stem + plen, s, len);
    stem[plen + len] = '\0';
    return stem;
}

struct ladle_fingerprint ladle_source_fingerprint(const void *header, size_t hlen, const void *rec,
                                                  size_t len)
{
    XXH3_state_t st;
    XXH3_128bits_reset(&st);
    if (hlen)
        XXH3_128bits_update(&st, header, hlen);
    if (len)
        XXH3_128bits_update(&st, rec, len);
    XXH128_hash_t h = XXH3_128bits_digest(&st);
    return (struct ladle_fingerprint){h.low64, h.high64};
}

uint64_t ladle_source_id(const char *stem, size_t stem_len, struct ladle_fingerprint f,
                         uint32_t gen)
{
    XXH3_state_t st;
    XXH3_128bits_reset(&st);
    XXH3_128bits_update(&st, "ladlesrc", 8);
    uint32_t n = htole32((uint32_t)stem_len);
    XXH3_128bits_update(&st, &n, sizeof n);
    XXH3_128bits_update(&st, stem, stem_len);
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, (XXH128_hash_t){f.low, f.high});
    XXH3_128bits_update(&st, &c, sizeof c);
    uint32_t g = htole32(gen);
    XXH3_128bits_update(&st, &g, sizeof g);
    return XXH3_128bits_digest(&st).low64;
}
