/*
 * gzip_build.c -- building a gzip index while the file is decoded from
 * byte 0 (gzip_index.h), with zlib: inflate(Z_BLOCK) returns at every
 * deflate block boundary, where the bit position and the window
 * (inflateGetDictionary) are known, as in zlib's examples/zran.c.
 *
 * A checkpoint is taken at the first boundary at least `span` output
 * bytes after the last one, but never at the end of a member's last block
 * (nothing follows it in that member). A boundary right after a member's
 * header (no output of the member yet) is recorded as the member's start
 * instead: a reader decodes it as a fresh member, with no window.
 *
 * Members follow one another (cat a.gz b.gz, pigz, bgzip); zlib checks
 * each one's CRC-32 and length. After the last, only zero padding may
 * follow, as for the serial reader (codec_gzip.c).
 */
#include "codec/gzip_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define WINDOW_LEVEL 3 /* zstd level of the stored windows */

struct ladle_gzip_builder {
    z_stream z;
    bool z_ready;
    uint64_t span;
    uint64_t in_at, out_at; /* compressed bytes taken, bytes output */
    bool in_member;         /* between a member's header and its trailer's end */
    bool padding;           /* reading the zeros after the last member */
    uint32_t crc;           /* of the output since the last checkpoint */
    struct ladle_gzip_index ix;
    size_t points_cap, members_cap, windows_cap;
    unsigned char dict[LADLE_GZIP_WINDOW];
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static int add_member(struct ladle_gzip_builder *b)
{
    struct ladle_gzip_index *ix = &b->ix;
    if (grow((void **)&ix->members, &b->members_cap, ix->nmembers + 1, sizeof *ix->members))
        return -1;
    ix->members[ix->nmembers++] = (struct ladle_gzip_member){b->in_at, b->out_at};
    return 0;
}

/* A checkpoint here: at the current member's header, or (bit, window). */
static int add_point(struct ladle_gzip_builder *b, bool at_member, uint64_t bit)
{
    struct ladle_gzip_index *ix = &b->ix;
    if (grow((void **)&ix->points, &b->points_cap, ix->npoints + 1, sizeof *ix->points))
        return -1;
    struct ladle_gzip_point pt = {.bit = bit, .out = b->out_at, .win_off = ix->windows_len};
    if (at_member) {
        pt.flags = LADLE_GZIP_AT_MEMBER;
        pt.bit = ix->members[ix->nmembers - 1].comp * 8;
    } else {
        uInt len = 0;
        if (inflateGetDictionary(&b->z, b->dict, &len) != Z_OK)
            return -1;
        size_t bound = ZSTD_compressBound(len);
        if (grow((void **)&ix->mem, &b->windows_cap, ix->windows_len + bound, 1))
            return -1;
        size_t n = ZSTD_compress(ix->mem + ix->windows_len, bound, b->dict, len, WINDOW_LEVEL);
        if (ZSTD_isError(n))
            return -1;
        pt.dict_len = len;
        pt.win_len = (uint32_t)n;
        ix->windows_len += n;
    }
    if (ix->npoints)
        ix->points[ix->npoints - 1].crc = b->crc;
    ix->points[ix->npoints++] = pt;
    b->crc = 0;
    return 0;
}

struct ladle_gzip_builder *ladle_gzip_builder_new(uint64_t span)
{
    struct ladle_gzip_builder *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->span = span < LADLE_GZIP_SPAN_MIN ? LADLE_GZIP_SPAN_MIN : span;
    b->ix.span = b->span;
    if (inflateInit2(&b->z, 15 + 16) != Z_OK) { /* gzip only */
        free(b);
        return NULL;
    }
    b->z_ready = true;
    b->in_member = true;
    if (add_member(b) || add_point(b, true, 0)) {
        ladle_gzip_builder_free(b);
        return NULL;
    }
    return b;
}

void ladle_gzip_builder_free(struct ladle_gzip_builder *b)
{
    if (!b)
        return;
    if (b->z_ready)
        inflateEnd(&b->z);
    free(b->ix.points);
    free(b->ix.members);
    free(b->ix.mem);
    free(b);
}

static ladle_status corrupt(struct ladle_gzip_builder *b, const char *name, struct ladle_error *err)
{
    const char *msg = b->z.msg ? b->z.msg : "inflate error";
    unsigned long long start = b->ix.members[b->ix.nmembers - 1].comp;
    if (strstr(msg, "incorrect data check") || strstr(msg, "incorrect length check"))
        return ladle_error_set(err, LADLE_E_INPUT,
                               "%s: corrupt gzip data: the member at compressed bytes %llu-%llu "
                               "does not match its %s (at compressed byte %llu)",
                               name, start, (unsigned long long)b->in_at - 1,
                               strstr(msg, "data") ? "CRC-32" : "length",
                               (unsigned long long)b->in_at);
    return ladle_error_set(err, LADLE_E_INPUT,
                           "%s: corrupt gzip data: %s, in the member that starts at compressed "
                           "byte %llu (at compressed byte %llu)",
                           name, msg, start, (unsigned long long)b->in_at);
}

/* Between members: zero padding, or the next member's magic. */
static ladle_status between(struct ladle_gzip_builder *b, const unsigned char *in, size_t len,
                            size_t *used, const char *name, struct ladle_error *err)
{
    if (in[0] == 0 || b->padding) {
        b->padding = true;
        while (*used < len && in[*used] == 0)
            ++*used;
        b->in_at += *used;
        if (*used < len)
            return ladle_error_set(err, LADLE_E_INPUT,
                                   "%s: data after the zero padding that ends the gzip stream "
                                   "(at compressed byte %llu)",
                                   name, (unsigned long long)b->in_at);
        return LADLE_OK;
    }
    if (in[0] != 0x1F || (len > 1 && in[1] != 0x8B))
        return ladle_error_set(err, LADLE_E_INPUT,
                               "%s: data after the last gzip member is not gzip (at compressed "
                               "byte %llu)",
                               name, (unsigned long long)b->in_at);
    if (inflateReset(&b->z) != Z_OK || add_member(b))
        return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
    b->in_member = true;
    return LADLE_OK;
}

/* One inflate call, and the checkpoint it may reach. */
static ladle_status inflate_some(struct ladle_gzip_builder *b, const char *name,
                                 struct ladle_error *err)
{
    size_t in_before = b->z.avail_in, out_before = b->z.avail_out;
    unsigned char *out = b->z.next_out;
    int rc = inflate(&b->z, Z_BLOCK);
    size_t took = in_before - b->z.avail_in, made = out_before - b->z.avail_out;
    b->in_at += took;
    b->out_at += made;
    b->crc = (uint32_t)crc32(b->crc, out, (uInt)made);
    if (rc == Z_STREAM_END) {
        b->in_member = false;
        b->ix.data_end = b->in_at;
        return LADLE_OK;
    }
    if (rc == Z_MEM_ERROR)
        return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
    if (rc != Z_OK && rc != Z_BUF_ERROR)
        return corrupt(b, name, err);
    const struct ladle_gzip_index *ix = &b->ix;
    bool boundary = (b->z.data_type & 128) && !(b->z.data_type & 64);
    if (boundary && b->out_at - ix->points[ix->npoints - 1].out >= b->span) {
        bool at_member = b->out_at == ix->members[ix->nmembers - 1].out;
        if (add_point(b, at_member, b->in_at * 8 - (uint64_t)(b->z.data_type & 7)))
            return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", name);
    }
    return LADLE_OK;
}

ladle_status ladle_gzip_builder_step(struct ladle_gzip_builder *b, const unsigned char *in,
                                     size_t len, bool eof, unsigned char *out, size_t cap,
                                     size_t *used, size_t *made, bool *done, const char *name,
                                     struct ladle_error *err)
{
    *used = *made = 0;
    *done = false;
    ladle_status s = LADLE_OK;
    while (s == LADLE_OK && *made < cap) {
        if (!b->in_member) {
            if (*used == len) {
                *done = eof;
                break;
            }
            size_t skipped = 0;
            s = between(b, in + *used, len - *used, &skipped, name, err);
            *used += skipped;
            continue;
        }
        b->z.next_in = (unsigned char *)(uintptr_t)(in + *used);
        b->z.avail_in = (uInt)(len - *used > UINT32_MAX ? UINT32_MAX : len - *used);
        b->z.next_out = out + *made;
        b->z.avail_out = (uInt)(cap - *made > UINT32_MAX ? UINT32_MAX : cap - *made);
        size_t in_before = b->z.avail_in, out_before = b->z.avail_out;
        s = inflate_some(b, name, err);
        *used += in_before - b->z.avail_in;
        *made += out_before - b->z.avail_out;
        if (s == LADLE_OK && b->in_member && in_before == b->z.avail_in &&
            out_before == b->z.avail_out) {
            if (eof && *used == len) /* nothing more will come: the member is cut */
                s = ladle_error_set(err, LADLE_E_INPUT,
                                    "%s: truncated gzip stream: the input ends inside the member "
                                    "that starts at compressed byte %llu (at compressed byte "
                                    "%llu)",
                                    name,
                                    (unsigned long long)b->ix.members[b->ix.nmembers - 1].comp,
                                    (unsigned long long)b->in_at);
            break; /* more input wanted */
        }
    }
    return s;
}

struct ladle_gzip_index *ladle_gzip_builder_finish(struct ladle_gzip_builder *b, int fd,
                                                   uint64_t size)
{
    struct ladle_gzip_index *ix = malloc(sizeof *ix);
    if (!ix || b->in_member || ladle_gzip_stamp_file(fd, size, &b->ix.stamp) != 0) {
        free(ix);
        return NULL;
    }
    b->ix.points[b->ix.npoints - 1].crc = b->crc;
    b->ix.total_out = b->out_at;
    b->ix.windows = b->ix.mem;
    *ix = b->ix;
    memset(&b->ix, 0, sizeof b->ix);
    return ix;
}

ladle_status ladle_gzip_index_build_file(const char *path, uint64_t span,
                                         const volatile sig_atomic_t *cancel,
                                         struct ladle_gzip_index **out, struct ladle_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        ladle_status s =
            ladle_error_set(err, LADLE_E_INPUT, "%s: cannot open: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return s;
    }
    const size_t cap = (size_t)1 << 20;
    unsigned char *in = malloc(cap), *dec = malloc(cap);
    struct ladle_gzip_builder *b = ladle_gzip_builder_new(span);
    ladle_status s =
        in && dec && b ? LADLE_OK : ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    size_t pos = 0, len = 0;
    bool eof = false, done = false;
    while (s == LADLE_OK && !done) {
        if (cancel && *cancel) {
            s = LADLE_E_INTERRUPTED;
            break;
        }
        if (pos == len && !eof) {
            ssize_t n = read(fd, in, cap);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                s = ladle_error_set(err, LADLE_E_INPUT, "%s: read failed: %s (at byte %llu)", path,
                                    strerror(errno), (unsigned long long)b->in_at);
                break;
            }
            pos = 0;
            len = (size_t)n;
            eof = n == 0;
        }
        size_t used, made;
        s = ladle_gzip_builder_step(b, in + pos, len - pos, eof, dec, cap, &used, &made, &done,
                                    path, err);
        pos += used;
    }
    if (s == LADLE_OK && !(*out = ladle_gzip_builder_finish(b, fd, (uint64_t)sb.st_size)))
        s = ladle_error_set(err, LADLE_E_INPUT,
                            "%s: cannot stamp its index (read failed or out of memory)", path);
    ladle_gzip_builder_free(b);
    free(in);
    free(dec);
    close(fd);
    return s;
}
