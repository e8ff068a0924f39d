/*
 * gzip_index.c -- the gzip index on disk (gzip_index.h): written whole to
 * a temporary file and renamed, read whole and checked before any use.
 *
 * The file, little-endian: a header of HEADER_LEN bytes (magic, version,
 * the stamp, span, decompressed size, end of the last member, counts),
 * the checkpoints (POINT_LEN bytes each), the members (MEMBER_LEN each),
 * the zstd-compressed windows, and an XXH3-64 of all that. Every count
 * must agree with the file's length and every offset with its neighbours:
 * a reader trusts nothing it did not check, and allocates nothing the
 * file's own size does not bound.
 */
#include "codec/gzip_index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include "common/write_all.h"

static const char MAGIC[8] = {'L', 'A', 'D', 'L', 'E', 'G', 'Z', 'I'};
#define VERSION 1u
#define HEADER_LEN 88
#define POINT_LEN 40
#define MEMBER_LEN 16
#define STAMP_BYTES ((size_t)64 << 10)

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
    return p + 8;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
    return p + 4;
}

static uint64_t hash_at(int fd, uint64_t off, size_t len, unsigned char *buf, int *bad)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *bad = 1;
            return 0;
        }
        got += (size_t)n;
    }
    return XXH3_64bits(buf, len);
}

int ladle_gzip_stamp_file(int fd, uint64_t size, struct ladle_gzip_stamp *s)
{
    unsigned char *buf = malloc(STAMP_BYTES);
    if (!buf)
        return -1;
    size_t n = size < STAMP_BYTES ? (size_t)size : STAMP_BYTES;
    int bad = 0;
    s->size = size;
    s->head = hash_at(fd, 0, n, buf, &bad);
    s->tail = hash_at(fd, size - n, n, buf, &bad);
    free(buf);
    return bad ? -1 : 0;
}

void ladle_gzip_index_free(struct ladle_gzip_index *ix)
{
    if (!ix)
        return;
    free(ix->points);
    free(ix->members);
    free(ix->mem);
    free(ix);
}

int ladle_gzip_index_window(const struct ladle_gzip_index *ix, size_t j, unsigned char *dict)
{
    const struct ladle_gzip_point *pt = &ix->points[j];
    if (!pt->dict_len)
        return 0;
    size_t n = ZSTD_decompress(dict, LADLE_GZIP_WINDOW, ix->windows + pt->win_off, pt->win_len);
    return ZSTD_isError(n) || n != pt->dict_len ? -1 : 0;
}

/* ---- reading ---- */

#define DAMAGED(...)                                                                               \
    do {                                                                                           \
        snprintf(why, why_cap, __VA_ARGS__);                                                       \
        return -1;                                                                                 \
    } while (0)

/* The member a checkpoint lies in: the last one that starts at or before it. */
static size_t member_of(const struct ladle_gzip_index *ix, uint64_t bit)
{
    size_t lo = 0, hi = ix->nmembers;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->members[mid].comp * 8 <= bit)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static int check_members(const struct ladle_gzip_index *ix, char *why, size_t why_cap)
{
    for (size_t m = 0; m < ix->nmembers; m++) {
        const struct ladle_gzip_member *mb = &ix->members[m];
        if (m == 0 ? mb->comp || mb->out : mb->comp <= mb[-1].comp || mb->out < mb[-1].out)
            DAMAGED("member %zu is out of order", m);
        if (mb->comp >= ix->data_end || mb->out > ix->total_out)
            DAMAGED("member %zu lies past the data", m);
    }
    return 0;
}

static int check_points(const struct ladle_gzip_index *ix, char *why, size_t why_cap)
{
    for (size_t j = 0; j < ix->npoints; j++) {
        const struct ladle_gzip_point *pt = &ix->points[j];
        const struct ladle_gzip_member *mb = &ix->members[member_of(ix, pt->bit)];
        bool at_member = pt->flags & LADLE_GZIP_AT_MEMBER;
        if (j == 0 ? pt->bit || pt->out || !at_member
                   : pt->bit <= pt[-1].bit || pt->out <= pt[-1].out)
            DAMAGED("checkpoint %zu is out of order", j);
        if (pt->bit / 8 >= ix->data_end || pt->out > ix->total_out || pt->out < mb->out ||
            (pt->flags & ~LADLE_GZIP_AT_MEMBER))
            DAMAGED("checkpoint %zu lies outside its member", j);
        if (at_member ? pt->bit != mb->comp * 8 || pt->out != mb->out || pt->dict_len
                      : pt->dict_len > LADLE_GZIP_WINDOW || pt->dict_len > pt->out - mb->out ||
                            (pt->dict_len != 0) != (pt->win_len != 0))
            DAMAGED("checkpoint %zu has a wrong window", j);
        if (pt->win_off > ix->windows_len || pt->win_len > ix->windows_len - pt->win_off)
            DAMAGED("checkpoint %zu's window lies outside the file", j);
    }
    return 0;
}

/* Fills ix from the header and tables of buf (len checked by the caller). */
static int parse_tables(struct ladle_gzip_index *ix, const unsigned char *buf, size_t len,
                        char *why, size_t why_cap)
{
    if (get32(buf + 8) != VERSION || get32(buf + 12) != 0)
        DAMAGED("version %u, not %u", get32(buf + 8), VERSION);
    ix->span = get64(buf + 40);
    ix->total_out = get64(buf + 48);
    ix->data_end = get64(buf + 56);
    uint64_t np = get64(buf + 64), nm = get64(buf + 72), wl = get64(buf + 80);
    size_t room = len - HEADER_LEN - 8;
    if (np == 0 || nm == 0 || np > room / POINT_LEN || nm > (room - np * POINT_LEN) / MEMBER_LEN ||
        wl != room - np * POINT_LEN - nm * MEMBER_LEN)
        DAMAGED("its counts disagree with its length");
    if (ix->span < LADLE_GZIP_SPAN_MIN || ix->data_end > ix->stamp.size)
        DAMAGED("span or data end out of range");
    ix->npoints = (size_t)np;
    ix->nmembers = (size_t)nm;
    ix->points = malloc(ix->npoints * sizeof *ix->points);
    ix->members = malloc(ix->nmembers * sizeof *ix->members);
    if (!ix->points || !ix->members)
        DAMAGED("out of memory");
    const unsigned char *p = buf + HEADER_LEN;
    for (size_t j = 0; j < ix->npoints; j++, p += POINT_LEN)
        ix->points[j] =
            (struct ladle_gzip_point){get64(p),      get64(p + 8),  get64(p + 16), get32(p + 24),
                                      get32(p + 28), get32(p + 32), get32(p + 36)};
    for (size_t m = 0; m < ix->nmembers; m++, p += MEMBER_LEN)
        ix->members[m] = (struct ladle_gzip_member){get64(p), get64(p + 8)};
    ix->windows = p;
    ix->windows_len = (size_t)wl;
    return check_members(ix, why, why_cap) || check_points(ix, why, why_cap) ? -1 : 0;
}

struct ladle_gzip_index *ladle_gzip_index_parse(unsigned char *buf, size_t len,
                                                const struct ladle_gzip_stamp *want, char *why,
                                                size_t why_cap)
{
    struct ladle_gzip_index *ix = calloc(1, sizeof *ix);
    if (!ix) {
        free(buf);
        snprintf(why, why_cap, "out of memory");
        return NULL;
    }
    ix->mem = buf;
    int bad = -1;
    if (len < HEADER_LEN + 8 || memcmp(buf, MAGIC, sizeof MAGIC) != 0)
        snprintf(why, why_cap, "not a ladle gzip index");
    else if (XXH3_64bits(buf, len - 8) != get64(buf + len - 8))
        snprintf(why, why_cap, "its checksum does not match");
    else if (get64(buf + 16) != want->size || get64(buf + 24) != want->head ||
             get64(buf + 32) != want->tail)
        snprintf(why, why_cap, "stale");
    else {
        ix->stamp = *want;
        bad = parse_tables(ix, buf, len, why, why_cap);
    }
    if (bad) {
        ladle_gzip_index_free(ix);
        return NULL;
    }
    return ix;
}

/* The sidecar's path: gz_path + suffix (malloc'd), or NULL. */
static char *sidecar_path(const char *gz_path)
{
    size_t n = strlen(gz_path);
    char *s = malloc(n + sizeof LADLE_GZIP_INDEX_SUFFIX);
    if (s) {
        memcpy(s, gz_path, n);
        memcpy(s + n, LADLE_GZIP_INDEX_SUFFIX, sizeof LADLE_GZIP_INDEX_SUFFIX);
    }
    return s;
}

/* The sidecar's bytes: 0, 1 when there is none, or -1 (*why says). */
static int read_sidecar(const char *gz_path, unsigned char **buf, size_t *len, char *why,
                        size_t why_cap)
{
    char *path = sidecar_path(gz_path);
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    int e = path ? errno : ENOMEM;
    free(path);
    if (fd < 0 && e == ENOENT)
        return 1;
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(why, why_cap, "cannot read it: %s", fd < 0 ? strerror(e) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *len = (size_t)sb.st_size;
    *buf = malloc(*len ? *len : 1);
    size_t got = 0;
    while (*buf && got < *len) {
        ssize_t n = pread(fd, *buf + got, *len - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!*buf || got < *len) {
        snprintf(why, why_cap, "cannot read it");
        free(*buf);
        return -1;
    }
    return 0;
}

struct ladle_gzip_index *ladle_gzip_index_load(const char *gz_path, const char *name, int fd,
                                               uint64_t size, char *note, size_t note_cap)
{
    char why[160] = "";
    unsigned char *buf = NULL;
    size_t len = 0;
    struct ladle_gzip_stamp want;
    note[0] = '\0';
    int r = read_sidecar(gz_path, &buf, &len, why, sizeof why);
    if (r == 1)
        return NULL;
    struct ladle_gzip_index *ix = NULL;
    if (r == 0 && ladle_gzip_stamp_file(fd, size, &want) != 0) {
        snprintf(why, sizeof why, "%s cannot be read", name);
        free(buf);
    } else if (r == 0) {
        ix = ladle_gzip_index_parse(buf, len, &want, why, sizeof why);
    }
    if (!ix && strcmp(why, "stale") == 0)
        snprintf(note, note_cap, "%s: index is stale (the file changed), reading it without", name);
    else if (!ix)
        snprintf(note, note_cap, "%s: index is damaged (%s), reading it without", name, why);
    return ix;
}

/* ---- writing ---- */

/* The whole file in one buffer (the windows are most of it). */
static unsigned char *serialize(const struct ladle_gzip_index *ix, size_t *len)
{
    *len = HEADER_LEN + ix->npoints * POINT_LEN + ix->nmembers * MEMBER_LEN + ix->windows_len + 8;
    unsigned char *buf = malloc(*len), *p = buf;
    if (!buf)
        return NULL;
    memcpy(p, MAGIC, sizeof MAGIC);
    p = put32(p + 8, VERSION);
    p = put32(p, 0);
    p = put64(p, ix->stamp.size);
    p = put64(p, ix->stamp.head);
    p = put64(p, ix->stamp.tail);
    p = put64(p, ix->span);
    p = put64(p, ix->total_out);
    p = put64(p, ix->data_end);
    p = put64(p, ix->npoints);
    p = put64(p, ix->nmembers);
    p = put64(p, ix->windows_len);
    for (size_t j = 0; j < ix->npoints; j++) {
        const struct ladle_gzip_point *pt = &ix->points[j];
        p = put64(put64(put64(p, pt->bit), pt->out), pt->win_off);
        p = put32(put32(put32(put32(p, pt->win_len), pt->dict_len), pt->crc), pt->flags);
    }
    for (size_t m = 0; m < ix->nmembers; m++)
        p = put64(put64(p, ix->members[m].comp), ix->members[m].out);
    if (ix->windows_len)
        memcpy(p, ix->windows, ix->windows_len);
    p += ix->windows_len;
    put64(p, XXH3_64bits(buf, (size_t)(p - buf)));
    return buf;
}

ladle_status ladle_gzip_index_save(const struct ladle_gzip_index *ix, const char *gz_path,
                                   const volatile sig_atomic_t *cancel, struct ladle_error *err)
{
    size_t len, plen;
    unsigned char *buf = serialize(ix, &len);
    char *path = sidecar_path(gz_path);
    char *tmp = path ? malloc((plen = strlen(path)) + 8) : NULL;
    if (!buf || !tmp) {
        free(buf);
        free(path);
        return ladle_error_set(err, LADLE_E_INTERNAL, "%s: out of memory", gz_path);
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    int fd = mkostemp(tmp, O_CLOEXEC), e = errno, bad = fd < 0;
    struct stat sb;
    if (fd >= 0) {
        /* Readable by whoever may read the file (mkostemp makes it 0600). */
        if (stat(gz_path, &sb) == 0)
            (void)fchmod(fd, sb.st_mode & 0666);
        bad = ladle_write_all(fd, buf, len) || fsync(fd) != 0;
        e = errno;
        if (close(fd) != 0 && !bad) {
            bad = 1;
            e = errno;
        }
        if (!bad && cancel && *cancel) {
            bad = 1;
            e = EINTR;
        }
        if (!bad && rename(tmp, path) != 0) {
            bad = 1;
            e = errno;
        }
        if (bad)
            unlink(tmp);
    }
    ladle_status s = LADLE_OK;
    if (bad && e == EINTR && cancel && *cancel)
        s = LADLE_E_INTERRUPTED;
    else if (bad)
        s = ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot write: %s", path, strerror(e));
    free(buf);
    free(tmp);
    free(path);
    return s;
}
