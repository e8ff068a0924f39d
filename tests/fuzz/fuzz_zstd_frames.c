/*
 * fuzz_zstd_frames.c -- the frame walker --part cuts .zst files with
 * (src/codec/zstd_frames.c) on arbitrary bytes taken as a file.
 *
 * Cuts are asked at offsets spread over the file and past its end.
 * Checked: a cut lies in the file; the frame before it with content
 * starts before it and decodes to fewer bytes; cuts never go back as the
 * offset grows; and where libzstd can size the frames before a cut
 * (ZSTD_findDecompressedSize over [0, cut)), the walker's decompressed
 * offset is that size. A refusal (-1) is the same for every later offset.
 *
 * Also the segment plan of parallel reads (ladle_zstd_plan) at small
 * targets: segments start in order inside the file, at 0 first; their
 * decompressed offsets, when known, grow, and where libzstd can size the
 * frames before a start, are that size.
 *
 * And the readers of those segments (codec/range_codec.c): where the fast
 * way (own_bound, own_decode: a segment's frames decoded at once) takes a
 * segment, it decodes to no more than its bound, and the serial codec's
 * reader, from the same start to the next segment's, gives the same bytes
 * without an error before it passes the segment's end (the fast way must
 * not accept what the serial path refuses; what lies past the end is the
 * next segment's).
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_findDecompressedSize */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "codec/range.h"
#include "common/config.h"
#include "codec/zstd_frames.h"
#include "fuzz_util.h"

/* Segment k by both ways; 1 MiB of output at most. */
static void check_segment(struct ladle_range_plan *p, void *st, size_t k, char *fast, char *slow)
{
    const size_t cap = (size_t)1 << 20;
    size_t bound = ladle_range_zstd.own_bound(st, p, k), n = 0;
    if (!bound || bound > cap || !ladle_range_zstd.own_decode(st, fast, cap, &n))
        return;
    if (n > bound)
        abort();
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status s = ladle_range_zstd.seek(st, p, k, &err);
    size_t got = 0;
    bool own_set = false;
    uint64_t own = 0;
    while (s == LADLE_OK && !own_set && got <= n) {
        size_t m = 0;
        s = ladle_range_zstd.read(st, slow + got, cap + 1 - got, &m, &own, &own_set, &err);
        if (!m)
            break;
        got += m;
    }
    if (s != LADLE_OK) {
        /* The serial reader goes on past the segment's end (for the last
           record's tail): an error found there, once it has passed the end
           with the fast way's count, is the next segment's to report. */
        if (k + 1 < p->n && own_set && own == n) {
            ladle_range_zstd.finish(st);
            return;
        }
        abort(); /* the fast way took what the serial codec refuses */
    }
    if (k + 1 < p->n && (!own_set || own != n))
        abort();
    if (got < n || memcmp(fast, slow, n) != 0)
        abort();
    ladle_range_zstd.finish(st);
}

static void check_readers(struct ladle_range_plan *p, int fd, size_t size)
{
    static struct ladle_config cfg;
    p->fd = fd;
    p->size = size;
    p->name = "f.zst";
    p->cfg = &cfg;
    void *st = ladle_range_zstd.new_state();
    char *fast = malloc((size_t)1 << 20), *slow = malloc(((size_t)1 << 20) + 1);
    if (!st || !fast || !slow)
        abort();
    for (size_t k = 0; k < p->n && k < 16; k++)
        check_segment(p, st, k, fast, slow);
    free(fast);
    free(slow);
    ladle_range_zstd.free_state(st);
    p->fd = -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = fuzz_memfd(data, size);
    struct ladle_zstd_cut last = {0, 0, 0, 0};
    int refused = 0;
    for (uint64_t i = 0; i <= 9; i++) {
        uint64_t at = i < 9 ? size * i / 8 : size + 7;
        struct ladle_zstd_cut c;
        int r = ladle_zstd_cut_at(fd, size, at, &c);
        if (r != 0) {
            refused = 1;
            continue;
        }
        if (refused && at > 0)
            abort(); /* damage before an offset is damage before every later one */
        if (c.comp > size || c.comp < last.comp || c.dec < last.dec)
            abort();
        if ((c.prev_comp || c.prev_dec) && (c.prev_comp >= c.comp || c.prev_dec >= c.dec))
            abort();
        if (c.comp && c.comp <= size) {
            unsigned long long d = ZSTD_findDecompressedSize(data, (size_t)c.comp);
            if (d != ZSTD_CONTENTSIZE_ERROR && d != ZSTD_CONTENTSIZE_UNKNOWN && d != c.dec)
                abort();
        }
        last = c;
    }
    for (size_t target = 1; target <= 4096; target *= 64) {
        struct ladle_range_plan p;
        memset(&p, 0, sizeof p);
        if (ladle_zstd_plan(fd, size, target, &p) != 0)
            continue;
        if (p.n < 2 || p.comp[0] != 0 || p.dec[0] != 0 || p.comp[p.n] != size)
            abort();
        for (size_t k = 1; k < p.n; k++) {
            if (p.comp[k] <= p.comp[k - 1] || p.comp[k] >= size)
                abort();
            if (p.dec_known && p.dec[k] < p.dec[k - 1])
                abort();
            unsigned long long d = ZSTD_findDecompressedSize(data, (size_t)p.comp[k]);
            if (p.dec_known && d != ZSTD_CONTENTSIZE_ERROR && d != ZSTD_CONTENTSIZE_UNKNOWN &&
                d != p.dec[k])
                abort();
        }
        check_readers(&p, fd, size);
        ladle_range_plan_free(&p);
    }
    close(fd);
    return 0;
}
