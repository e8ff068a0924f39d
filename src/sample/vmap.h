/*
 * vmap.h -- a map from field values (byte strings) to a fixed-size payload:
 * strata, clusters, snowball nodes, `ladle stats` counts.
 *
 * Open addressing with linear probing on the value's 64-bit XXH3 (stored,
 * so probes compare hashes before bytes); values are copied into the map.
 * Single-threaded like every sampler state: each worker fills its own map
 * and the maps merge afterwards (ladle_vmap_each + ladle_vmap_put).
 */
#ifndef LADLE_VMAP_H
#define LADLE_VMAP_H

#include <stddef.h>
#include <stdint.h>

struct ladle_vmap_slot {
    uint64_t hash;
    char *value; /* owns; NULL: empty slot */
    size_t len;
    void *payload; /* owns: payload_size bytes, zeroed when created */
};

struct ladle_vmap {
    struct ladle_vmap_slot *slots; /* owns */
    size_t cap, count;
    size_t payload_size;
    /* The slot of the last hit: log records come in runs of one value
     * (a level, a user's session), so most lookups end here without hashing. */
    const struct ladle_vmap_slot *last;
};

void ladle_vmap_init(struct ladle_vmap *m, size_t payload_size);
/* Frees every value and payload; payloads that own memory must be freed
 * by the caller first (ladle_vmap_each). */
void ladle_vmap_free(struct ladle_vmap *m);

uint64_t ladle_vmap_hash(const char *v, size_t len);

/* The payload for value v, or NULL. Safe on a map other threads read too. */
void *ladle_vmap_get(const struct ladle_vmap *m, const char *v, size_t len);
/* The same for a map this thread owns: remembers the hit for the next call. */
void *ladle_vmap_find(struct ladle_vmap *m, const char *v, size_t len);
/* The payload for v, created (zeroed) if absent; *created says which.
 * NULL when out of memory. */
void *ladle_vmap_put(struct ladle_vmap *m, const char *v, size_t len, int *created);

/* Calls fn for every entry, in slot order (not input order: callers that
 * need determinism sort or merge order-independently). */
void ladle_vmap_each(const struct ladle_vmap *m,
                     void (*fn)(void *arg, const char *v, size_t len, void *payload), void *arg);

#endif
