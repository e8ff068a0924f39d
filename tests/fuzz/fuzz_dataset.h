/*
 * fuzz_dataset.h -- dataset folders for the verify and manifest targets:
 * a fuzz input read as a tiny archive of files written into a folder, and
 * a run of ladle_verify_dir whose report is checked.
 *
 * Layout: entries one after another, each
 *   NAME '\0' LEN(u32, little-endian) LEN bytes
 * (a short last entry takes what is left). NAME is a relative path: '/'
 * separates folders (made as needed); a NAME ending in '/' is a folder
 * alone; a NAME starting with '@' is a symbolic link whose target is the
 * entry's bytes (a path inside the folder, cleaned the same way). Names are
 * cleaned so nothing lands outside the folder: bytes other than
 * [A-Za-z0-9._-] become '_', empty, "." and ".." components are dropped,
 * and at most 4 components of 64 bytes are kept. pack_dataset.py in this
 * folder writes a real dataset in this layout (the seeds).
 */
#ifndef LADLE_FUZZ_DATASET_H
#define LADLE_FUZZ_DATASET_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "fuzz_util.h"
#include "split/verify.h"

/* Cleans name[0..n) into out (cap bytes): a relative path, maybe empty. */
static inline void fuzz_archive_clean(const char *name, size_t n, char *out, size_t cap)
{
    size_t o = 0, comps = 0, i = 0;
    while (i < n && comps < 4) {
        size_t start = i;
        while (i < n && name[i] != '/')
            i++;
        size_t len = i - start < 64 ? i - start : 64;
        i++; /* the '/' */
        if (len == 0 || (len == 1 && name[start] == '.') ||
            (len == 2 && name[start] == '.' && name[start + 1] == '.'))
            continue;
        if (o + len + 2 > cap)
            break;
        if (o)
            out[o++] = '/';
        for (size_t k = 0; k < len; k++) {
            char c = name[start + k];
            int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '.' || c == '_' || c == '-';
            out[o++] = ok ? c : '_';
        }
        comps++;
    }
    out[o] = '\0';
}

/* mkdir -p of path's folders (all of path when whole). */
static inline void fuzz_archive_mkdirs(int dirfd, char *path, int whole)
{
    for (char *p = path;; p++) {
        if (*p == '/' || (*p == '\0' && whole)) {
            char c = *p;
            *p = '\0';
            if (mkdirat(dirfd, path, 0755) != 0 && errno != EEXIST)
                (void)0; /* a file of that name: the entry below fails, fine */
            *p = c;
        }
        if (!*p)
            break;
    }
}

/* Writes the archive in data into the folder dir. */
static inline void fuzz_archive_extract(const uint8_t *data, size_t size, const char *dir)
{
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        FUZZ_DIE(dir);
    size_t pos = 0;
    while (pos < size) {
        const uint8_t *nul = memchr(data + pos, 0, size - pos);
        if (!nul)
            break;
        const char *name = (const char *)data + pos;
        size_t nlen = (size_t)(nul - data) - pos;
        pos += nlen + 1;
        uint32_t len = 0;
        for (int i = 0; i < 4 && pos < size; i++)
            len |= (uint32_t)data[pos++] << (8 * i);
        size_t n = len < size - pos ? len : size - pos;
        const uint8_t *bytes = data + pos;
        pos += n;

        int link = nlen && name[0] == '@';
        char path[512];
        fuzz_archive_clean(name + link, nlen - (size_t)link, path, sizeof path);
        if (!path[0])
            continue;
        if (!link && nlen && name[nlen - 1] == '/') {
            fuzz_archive_mkdirs(dirfd, path, 1);
            continue;
        }
        fuzz_archive_mkdirs(dirfd, path, 0);
        if (link) {
            char target[512];
            fuzz_archive_clean((const char *)bytes, n, target, sizeof target);
            (void)symlinkat(target[0] ? target : ".", dirfd, path);
            continue;
        }
        int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
            continue; /* a folder of that name already, say */
        if (n && write(fd, bytes, n) != (ssize_t)n)
            FUZZ_DIE("write");
        close(fd);
    }
    close(dirfd);
}

/* Runs verify on dir and checks what it says (both targets). */
static inline void fuzz_verify_dir(const char *dir)
{
    char *problems = NULL, *summary = NULL;
    size_t plen = 0, slen = 0;
    FILE *pf = open_memstream(&problems, &plen), *sf = open_memstream(&summary, &slen);
    if (!pf || !sf)
        FUZZ_DIE("open_memstream");
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_verify_totals tot;
    memset(&tot, 0, sizeof tot);
    ladle_status st = ladle_verify_dir(dir, pf, sf, &tot, &err);
    fclose(pf);
    fclose(sf);
    if (getenv("LADLE_FUZZ_SHOW")) /* triage: what verify said */
        fprintf(stderr, "%s%s", summary ? summary : "", problems ? problems : "");
    if (st != LADLE_OK && st != LADLE_E_INPUT)
        abort();
    if ((st == LADLE_OK) != (tot.problems == 0) || (st == LADLE_OK) != (slen > 0))
        abort();
    uint64_t lines = 0;
    size_t dlen = strlen(dir);
    for (char *p = problems; p && *p;) {
        if (strncmp(p, "ladle: ", 7) != 0 || strncmp(p + 7, dir, dlen) != 0)
            abort(); /* "ladle: DIR/FILE: what (where)" */
        char *nl = strchr(p, '\n');
        if (!nl)
            abort();
        for (char *c = p; c < nl; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                abort(); /* one line, no control bytes from the manifest */
        lines++;
        p = nl + 1;
    }
    if (lines != tot.problems)
        abort();
    free(problems);
    free(summary);
}

#endif
