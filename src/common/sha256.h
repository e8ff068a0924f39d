/*
 * sha256.h -- SHA-256 of a file's bytes, streamed (what sha256sum prints).
 *
 * Hub and Croissant readers check shards by SHA-256, so the manifest
 * records it next to XXH3-128. OpenSSL's libcrypto (EVP) computes it: a
 * library every distribution keeps patched and fast (SHA-NI, AVX2), rather
 * than a hand-rolled digest.
 */
#ifndef LADLE_SHA256_H
#define LADLE_SHA256_H

#include <stddef.h>

#define LADLE_SHA256_HEX 65 /* 64 lowercase hex digits and a NUL */

struct ladle_sha256;

/* A fresh digest, or NULL when out of memory. */
struct ladle_sha256 *ladle_sha256_new(void);
/* Starts over (a new file). 0, or -1 when libcrypto fails. */
int ladle_sha256_reset(struct ladle_sha256 *h);
void ladle_sha256_update(struct ladle_sha256 *h, const void *p, size_t n);
/* The digest of everything since the last reset, as hex. 0, or -1. */
int ladle_sha256_hex(struct ladle_sha256 *h, char hex[LADLE_SHA256_HEX]);
void ladle_sha256_free(struct ladle_sha256 *h);

/* The digest of the file dirfd/name (not through a link), as hex. 0, or
 * -1 with errno. */
int ladle_sha256_file(int dirfd, const char *name, char hex[LADLE_SHA256_HEX]);

#endif
