/*
 * card_fields.c -- the record fields the cards describe (see cards.h):
 * read from the first line of the dataset's first shard, decompressed as
 * a stream and never past LADLE_CARD_LINE_MAX bytes. The shard's bytes
 * are untrusted here (ladle verify reads them too): anything unexpected
 * gives no fields, never an error.
 */
#include "split/cards.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

/* The first shard the manifest lists, or NULL. */
static const char *first_shard(const json_t *m)
{
    json_t *splits = json_object_get(m, "splits");
    for (size_t k = 0; k < json_array_size(splits); k++) {
        json_t *shards = json_object_get(json_array_get(splits, k), "shards");
        const char *f = json_string_value(json_object_get(json_array_get(shards, 0), "file"));
        if (f)
            return f;
    }
    return NULL;
}

/* dirfd/"<split>/<name>" as ladle writes it, opened without following a
 * link at either step (the manifest may be anyone's): a regular file's
 * fd, or -1. */
static int open_shard(int dirfd, const char *file)
{
    const char *slash = strchr(file, '/');
    char sub[256];
    if (!slash || slash == file || (size_t)(slash - file) >= sizeof sub || strchr(slash + 1, '/') ||
        !slash[1] || slash[1] == '.' || file[0] == '.')
        return -1;
    memcpy(sub, file, (size_t)(slash - file));
    sub[slash - file] = '\0';
    int dfd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    /* O_NONBLOCK: a FIFO under a shard's name must not hang us. */
    int fd = dfd < 0 ? -1 : openat(dfd, slash + 1, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (dfd >= 0)
        close(dfd);
    struct stat sb;
    if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* The first line of dirfd/file without its '\n' (malloc'd, *len), or NULL. */
static char *first_line(int dirfd, const char *file, size_t *len)
{
    int fd = open_shard(dirfd, file);
    if (fd < 0)
        return NULL;
    ZSTD_DCtx *z = ZSTD_createDCtx();
    size_t in_cap = ZSTD_DStreamInSize();
    char *in = malloc(in_cap), *out = malloc(LADLE_CARD_LINE_MAX + 1);
    char *line = NULL;
    ZSTD_outBuffer ob = {out, LADLE_CARD_LINE_MAX + 1, 0};
    while (z && in && out && !line && ob.pos < ob.size) {
        ssize_t n = read(fd, in, in_cap);
        if (n <= 0)
            break;
        ZSTD_inBuffer ib = {in, (size_t)n, 0};
        while (ib.pos < ib.size && ob.pos < ob.size) {
            size_t before = ob.pos;
            size_t r = ZSTD_decompressStream(z, &ob, &ib);
            if (ZSTD_isError(r))
                goto out;
            char *nl = memchr(out + before, '\n', ob.pos - before);
            if (nl) {
                *len = (size_t)(nl - out);
                line = out;
                break;
            }
            if (r == 0 && ib.pos == ib.size)
                break;
        }
    }
out:
    ZSTD_freeDCtx(z);
    free(in);
    if (!line)
        free(out);
    close(fd);
    return line;
}

static const char *croissant_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER: return "sc:Integer";
    case JSON_REAL: return "sc:Float";
    case JSON_TRUE:
    case JSON_FALSE: return "sc:Boolean";
    default: return "sc:Text"; /* strings, and nested values as their text */
    }
}

static void add(json_t *a, const char *name, size_t len, const char *type)
{
    json_array_append_new(a, json_pack("{s:s%, s:s}", "name", name, len, "type", type));
}

/* A JSON object's keys, in the order the line has them (jansson keeps it). */
static json_t *object_fields(const char *line, size_t len)
{
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *a = NULL;
    if (json_is_object(o) && json_object_size(o)) {
        a = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v) add(a, k, strlen(k), croissant_type(v));
    }
    json_decref(o);
    return a;
}

/* A header line's columns: split at delim, csv quotes ("" inside) undone. */
static json_t *header_fields(const char *line, size_t len, char delim, int quotes)
{
    if (len && line[len - 1] == '\r')
        len--;
    json_t *a = json_array();
    char *cell = malloc(len + 1);
    size_t i = 0;
    while (a && cell) {
        size_t n = 0;
        if (quotes && i < len && line[i] == '"') {
            for (i++; i < len; i++) {
                if (line[i] == '"' && i + 1 < len && line[i + 1] == '"')
                    cell[n++] = line[i++];
                else if (line[i] == '"')
                    break;
                else
                    cell[n++] = line[i];
            }
            i++; /* the closing quote */
        }
        while (i < len && line[i] != delim)
            cell[n++] = line[i++];
        add(a, cell, n, "sc:Text");
        if (i >= len)
            break;
        i++;
    }
    free(cell);
    return a;
}

json_t *ladle_cards_fields(int dirfd, const json_t *m)
{
    const char *format = json_string_value(json_object_get(m, "format"));
    const char *file = first_shard(m);
    int header = json_is_true(json_object_get(m, "header"));
    if (!format || !file)
        return NULL;
    int tsv = strcmp(format, "tsv") == 0, csv = strcmp(format, "csv") == 0;
    if (!(strcmp(format, "jsonl") == 0 || ((tsv || csv) && header)))
        return NULL;
    size_t len = 0;
    char *line = first_line(dirfd, file, &len);
    if (!line)
        return NULL;
    json_t *a;
    if (tsv || csv) {
        const char *d = json_string_value(json_object_get(m, "delimiter"));
        a = header_fields(line, len, d && strlen(d) == 1 ? d[0] : tsv ? '\t' : ',', csv);
    } else {
        a = object_fields(line, len);
    }
    free(line);
    return a;
}
