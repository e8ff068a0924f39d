/*
 * sha256.c -- SHA-256 through libcrypto's EVP (see sha256.h).
 */
#include "common/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct ladle_sha256 {
    EVP_MD_CTX *ctx; /* owns */
    int failed;      /* an EVP call failed: the digest is worthless */
};

struct ladle_sha256 *ladle_sha256_new(void)
{
    struct ladle_sha256 *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    if (!(h->ctx = EVP_MD_CTX_new()) || ladle_sha256_reset(h) != 0) {
        ladle_sha256_free(h);
        return NULL;
    }
    return h;
}

int ladle_sha256_reset(struct ladle_sha256 *h)
{
    h->failed = EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1;
    return h->failed ? -1 : 0;
}

void ladle_sha256_update(struct ladle_sha256 *h, const void *p, size_t n)
{
    if (n && EVP_DigestUpdate(h->ctx, p, n) != 1)
        h->failed = 1;
}

int ladle_sha256_hex(struct ladle_sha256 *h, char hex[LADLE_SHA256_HEX])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (h->failed || EVP_DigestFinal_ex(h->ctx, md, &len) != 1 || len != 32)
        return -1;
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

void ladle_sha256_free(struct ladle_sha256 *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

int ladle_sha256_file(int dirfd, const char *name, char hex[LADLE_SHA256_HEX])
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct ladle_sha256 *h = ladle_sha256_new();
    char *buf = malloc(1 << 17);
    int rc = -1, e = ENOMEM;
    if (h && buf) {
        for (;;) {
            ssize_t n = read(fd, buf, 1 << 17);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                e = errno;
                break;
            }
            if (n == 0) {
                rc = ladle_sha256_hex(h, hex);
                e = EIO;
                break;
            }
            ladle_sha256_update(h, buf, (size_t)n);
        }
    }
    free(buf);
    ladle_sha256_free(h);
    close(fd);
    if (rc != 0)
        errno = e;
    return rc;
}
