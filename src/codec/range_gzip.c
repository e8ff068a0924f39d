/*
 * range_gzip.c -- the reader of a gzip file from its index (range.h,
 * gzip_index.h): ISA-L inflate, entered at a checkpoint.
 *
 * Inside a member, a checkpoint is a deflate block boundary: the decoder
 * starts raw (no gzip wrapper) with the checkpoint's window as its
 * dictionary and the bits of the byte the boundary falls in primed into
 * its bit buffer. When that member's last block ends, the member table
 * says where the next member's header is; from there each member is read
 * whole (ISAL_GZIP: header, data, trailer's CRC-32), to the end of the file;
 * a header with a reserved flag bit set is refused, as in codec_gzip.c.
 *
 * The index's CRC-32 of every checkpoint interval inside the segment is
 * checked as the reader passes it (a file changed where its stamp does
 * not look, or a damaged window, is caught there). What is read
 * past the segment's end, to finish its last record, is the next
 * segment's to check.
 */
#include "codec/range.h"

#include <errno.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/gzip_header.h"
#include "codec/gzip_index.h"

#define IN_SIZE ((size_t)1 << 20)

struct gz_reader {
    struct inflate_state z;
    const struct ladle_range_plan *p;
    const struct ladle_gzip_index *ix;
    unsigned char *in;           /* owns: IN_SIZE bytes read at in_at */
    uint64_t in_at;              /* file offset of in[0] */
    uint64_t next;               /* the next byte to read */
    size_t member;               /* the member being decoded */
    uint64_t member_end;         /* one past its last byte */
    uint64_t out;                /* decompressed offset of the next byte out */
    uint64_t seg_start, seg_end; /* dec[k], dec[k + 1] (total_out for the last) */
    bool edge;                   /* seg_end is the next segment's start */
    bool edge_told;              /* *own was reported */
    size_t point;                /* the checkpoint whose interval the CRC covers */
    uint32_t crc;
    bool ended;
    unsigned char dict[LADLE_GZIP_WINDOW];
};

static void *gz_new(void)
{
    struct gz_reader *r = calloc(1, sizeof *r);
    if (r && !(r->in = malloc(IN_SIZE))) {
        free(r);
        return NULL;
    }
    return r;
}

static void gz_free(void *st)
{
    struct gz_reader *r = st;
    if (r)
        free(r->in);
    free(r);
}

/* Where the decoder is: bytes taken, less those still in its bit buffer. */
static unsigned long long gz_at(const struct gz_reader *r)
{
    uint64_t at = r->in_at + (uint64_t)(r->z.next_in - r->in);
    uint64_t buffered = r->z.read_in_length > 0 ? (uint64_t)r->z.read_in_length / 8 : 0;
    return (unsigned long long)(buffered <= at ? at - buffered : at);
}

static ladle_status damaged(const struct gz_reader *r, const char *what, struct ladle_error *err)
{
    return ladle_error_set(err, LADLE_E_INPUT,
                           "%s: %s: its index does not match it (damaged or stale: remove %s%s "
                           "and run again) (at compressed byte %llu)",
                           r->p->name, what, r->p->name, LADLE_GZIP_INDEX_SUFFIX, gz_at(r));
}

/* The next compressed bytes of the member, at r->next; 0 bytes at its end. */
static ladle_status refill(struct gz_reader *r, struct ladle_error *err)
{
    uint64_t left = r->member_end - r->next;
    size_t want = left < IN_SIZE ? (size_t)left : IN_SIZE;
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(r->p->fd, r->in + got, want - got, (off_t)(r->next + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ladle_error_set(err, LADLE_E_INPUT,
                                   "%s: read failed: %s (at compressed byte "
                                   "%llu)",
                                   r->p->name, strerror(errno),
                                   (unsigned long long)(r->next + got));
        if (n == 0)
            return ladle_error_set(err, LADLE_E_INPUT,
                                   "%s: the file ends at compressed byte "
                                   "%llu, before the end its index records (it shrank?)",
                                   r->p->name, (unsigned long long)(r->next + got));
        got += (size_t)n;
    }
    r->in_at = r->next;
    r->next += got;
    r->z.next_in = r->in;
    r->z.avail_in = (uint32_t)got;
    /* A refill at a member's start holds its header (gzip_header.h). */
    if (r->z.crc_flag == ISAL_GZIP && r->in_at == r->ix->members[r->member].comp && got >= 4)
        return ladle_gzip_check_flags(r->p->name, r->in[3], r->in_at, err);
    return LADLE_OK;
}

static void enter_member(struct gz_reader *r, size_t m)
{
    const struct ladle_gzip_index *ix = r->ix;
    r->member = m;
    r->member_end = m + 1 < ix->nmembers ? ix->members[m + 1].comp : ix->data_end;
    r->next = ix->members[m].comp;
    r->z.avail_in = 0;
    isal_inflate_reset(&r->z);
    r->z.crc_flag = ISAL_GZIP;
}

static size_t point_at(const struct ladle_gzip_index *ix, uint64_t bit)
{
    size_t lo = 0, hi = ix->npoints;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->points[mid].bit <= bit)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static ladle_status gz_seek(void *st, const struct ladle_range_plan *p, size_t k,
                            struct ladle_error *err)
{
    struct gz_reader *r = st;
    const struct ladle_gzip_index *ix = p->gz;
    r->p = p;
    r->ix = ix;
    r->point = point_at(ix, p->bits[k]);
    const struct ladle_gzip_point *pt = &ix->points[r->point];
    size_t m = 0;
    while (m + 1 < ix->nmembers && ix->members[m + 1].comp * 8 <= pt->bit)
        m++;
    isal_inflate_init(&r->z);
    enter_member(r, m);
    r->out = pt->out;
    r->seg_start = p->dec[k];
    r->seg_end = k + 1 < p->n ? p->dec[k + 1] : ix->total_out;
    r->edge = k + 1 < p->n;
    r->edge_told = false;
    r->crc = 0;
    r->ended = false;
    r->in_at = r->next;
    r->z.next_in = r->in;
    if (pt->flags & LADLE_GZIP_AT_MEMBER)
        return LADLE_OK;
    /* Inside the member: raw deflate from the block boundary. */
    r->z.crc_flag = ISAL_DEFLATE;
    if (ladle_gzip_index_window(ix, r->point, r->dict) != 0 ||
        isal_inflate_set_dict(&r->z, r->dict, pt->dict_len) != COMP_OK)
        return damaged(r, "a window of its index cannot be read", err);
    r->next = pt->bit / 8;
    ladle_status s = refill(r, err);
    if (s == LADLE_OK && pt->bit % 8) {
        if (r->z.avail_in == 0)
            return damaged(r, "a checkpoint lies past the member's end", err);
        r->z.read_in = r->in[0] >> (pt->bit % 8);
        r->z.read_in_length = (int32_t)(8 - pt->bit % 8);
        r->z.next_in++;
        r->z.avail_in--;
    }
    return s;
}

/* The CRC-32 of each checkpoint interval inside the segment, as the bytes
 * buf[0, n) at r->out pass by. */
static ladle_status verify(struct gz_reader *r, const unsigned char *buf, size_t n,
                           struct ladle_error *err)
{
    const struct ladle_gzip_index *ix = r->ix;
    uint64_t at = r->out;
    while (n && at < r->seg_end) {
        const struct ladle_gzip_point *pt = &ix->points[r->point];
        uint64_t end = r->point + 1 < ix->npoints ? pt[1].out : ix->total_out;
        uint64_t take = end - at < n ? end - at : n;
        r->crc = crc32_gzip_refl(r->crc, buf, take);
        at += take;
        buf += take;
        n -= (size_t)take;
        if (at < end)
            break;
        if (r->crc != pt->crc)
            return ladle_error_set(err, LADLE_E_INPUT,
                                   "%s: CRC-32 mismatch in bytes %llu..%llu of the data (index "
                                   "checkpoint %zu) (at compressed byte %llu)",
                                   r->p->name, (unsigned long long)pt->out,
                                   (unsigned long long)(end - 1), r->point,
                                   (unsigned long long)(pt->bit / 8));
        r->crc = 0;
        if (r->point + 1 < ix->npoints)
            r->point++;
    }
    return LADLE_OK;
}

static const char *isal_error_name(int rc)
{
    switch (rc) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid lookback distance";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_INCORRECT_CHECKSUM: return "CRC-32 or length mismatch";
    default: return "inflate error";
    }
}

/* A member ended: the next one, or the end of the data. */
static ladle_status next_member(struct gz_reader *r, struct ladle_error *err)
{
    const struct ladle_gzip_index *ix = r->ix;
    size_t m = r->member + 1;
    if (m == ix->nmembers) {
        r->ended = true;
        if (r->out != ix->total_out)
            return damaged(r, "the data ends elsewhere", err);
        return LADLE_OK;
    }
    if (r->out != ix->members[m].out)
        return damaged(r, "a member ends elsewhere", err);
    enter_member(r, m);
    return LADLE_OK;
}

static ladle_status gz_read(void *st, char *buf, size_t cap, size_t *n, uint64_t *own,
                            bool *own_set, struct ladle_error *err)
{
    struct gz_reader *r = st;
    ladle_status s = LADLE_OK;
    size_t lim = cap;
    bool to_edge = own && r->edge && !r->edge_told;
    if (to_edge && r->out < r->seg_end && r->seg_end - r->out < lim)
        lim = (size_t)(r->seg_end - r->out); /* stop at the segment's end */
    *n = 0;
    while (s == LADLE_OK && *n < lim && !r->ended) {
        if (r->z.block_state == ISAL_BLOCK_FINISH) {
            s = next_member(r, err);
            continue;
        }
        if (r->z.avail_in == 0 && r->next < r->member_end) {
            s = refill(r, err);
            continue;
        }
        uint32_t in_before = r->z.avail_in;
        int before_state = r->z.block_state;
        r->z.next_out = (uint8_t *)buf + *n;
        r->z.avail_out = (uint32_t)(lim - *n > UINT32_MAX ? UINT32_MAX : lim - *n);
        uint32_t out_before = r->z.avail_out;
        int rc = isal_inflate(&r->z);
        if (rc < 0) {
            s = ladle_error_set(err, LADLE_E_INPUT,
                                "%s: corrupt gzip data: %s, in the member that starts at "
                                "compressed byte %llu (at compressed byte %llu)",
                                r->p->name, isal_error_name(rc),
                                (unsigned long long)r->ix->members[r->member].comp, gz_at(r));
            break;
        }
        size_t made = out_before - r->z.avail_out;
        s = verify(r, (const unsigned char *)buf + *n, made, err);
        r->out += made;
        *n += made;
        if (s == LADLE_OK && !made && in_before == r->z.avail_in &&
            before_state == (int)r->z.block_state) /* stuck: no byte left to give it */
            s = damaged(r, "a member ends before its last block", err);
    }
    if (s != LADLE_OK)
        *n = 0;
    else if (to_edge && r->out == r->seg_end) {
        *own = r->seg_end - r->seg_start;
        *own_set = true;
        r->edge_told = true;
    }
    return s;
}

static void gz_finish(void *st)
{
    struct gz_reader *r = st;
    r->p = NULL;
    r->ix = NULL;
}

const struct ladle_range_ops ladle_range_gzip = {
    .name = "gzip",
    .new_state = gz_new,
    .free_state = gz_free,
    .seek = gz_seek,
    .read = gz_read,
    .finish = gz_finish,
};

/* Whether checkpoint j begins a segment: the first, and then each one at
 * least target bytes after the last that did, with data after it. */
static bool starts_segment(const struct ladle_gzip_index *ix, size_t j, size_t last, size_t target)
{
    const struct ladle_gzip_point *pt = ix->points;
    return j == 0 || (pt[j].out - pt[last].out >= target && pt[j].out < ix->total_out);
}

int ladle_range_plan_gzip(struct ladle_range_plan *p, const struct ladle_gzip_index *ix,
                          size_t target)
{
    size_t n = 0;
    for (size_t j = 0, last = 0; j < ix->npoints; j++)
        if (starts_segment(ix, j, last, target)) {
            n++;
            last = j;
        }
    if (n < 2)
        return -1;
    if (ladle_range_plan_init(p, n, true) != 0 || !(p->bits = malloc((n + 1) * sizeof *p->bits))) {
        ladle_range_plan_free(p);
        return -1;
    }
    for (size_t j = 0, k = 0, last = 0; j < ix->npoints; j++)
        if (starts_segment(ix, j, last, target)) {
            p->bits[k] = ix->points[j].bit;
            p->comp[k] = ix->points[j].bit / 8;
            p->dec[k++] = ix->points[j].out;
            last = j;
        }
    p->bits[n] = ix->data_end * 8;
    p->comp[n] = ix->stamp.size;
    p->dec[n] = ix->total_out;
    p->gz = ix;
    p->ops = &ladle_range_gzip;
    return 0;
}
