/*
 * fuzz_gzip_index.c -- the gzip index loader (src/codec/gzip_index.c) on
 * arbitrary bytes taken as a sidecar, and the reader (range_gzip.c)
 * entering arbitrary bytes at the checkpoints of an index it accepted.
 *
 * Byte 0: bit 0 writes the right XXH3 over the rest into its last 8 bytes
 * (so that the structure checks are reached), bit 1 expects another file
 * than the one the header names (the index must then be refused). The
 * stamp expected is otherwise the header's own.
 * Checked: a refusal says why; an accepted index has ordered checkpoints
 * and members inside the data, windows inside the file, writes back to
 * exactly its bytes, and plans segments in order; every window decodes or
 * is refused; the reader, started at every segment on the input's bytes
 * as the file, returns data or an input error with a message, never more
 * than it was asked for.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "codec/gzip_index.h"
#include "codec/range.h"
#include "fuzz_util.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void check_index(const struct ladle_gzip_index *ix)
{
    if (!ix->npoints || !ix->nmembers || ix->points[0].bit || ix->points[0].out ||
        ix->data_end > ix->stamp.size)
        abort();
    for (size_t j = 1; j < ix->npoints; j++)
        if (ix->points[j].bit <= ix->points[j - 1].bit ||
            ix->points[j].out <= ix->points[j - 1].out || ix->points[j].bit / 8 >= ix->data_end ||
            ix->points[j].out > ix->total_out ||
            ix->points[j].win_off + ix->points[j].win_len > ix->windows_len)
            abort();
    unsigned char dict[LADLE_GZIP_WINDOW];
    for (size_t j = 0; j < ix->npoints; j++)
        (void)ladle_gzip_index_window(ix, j, dict);
}

/* Writes ix back; its bytes must be the input's. */
static void check_round_trip(const struct ladle_gzip_index *ix, const uint8_t *data, size_t size)
{
    char *dir = fuzz_mkdtemp(), gz[4200], side[4300];
    snprintf(gz, sizeof gz, "%s/f.gz", dir);
    snprintf(side, sizeof side, "%s%s", gz, LADLE_GZIP_INDEX_SUFFIX);
    struct ladle_error err;
    ladle_error_init(&err);
    if (ladle_gzip_index_save(ix, gz, NULL, &err) != LADLE_OK)
        FUZZ_DIE("save");
    FILE *f = fopen(side, "rb");
    unsigned char *back = malloc(size + 1);
    if (!f || !back)
        FUZZ_DIE(side);
    size_t n = fread(back, 1, size + 1, f);
    fclose(f);
    if (n != size || memcmp(back, data, size) != 0)
        abort();
    free(back);
    fuzz_rm_rf(dir);
    free(dir);
}

/* Each segment read on the input's bytes as the file, 256 KiB at most. */
static void check_reader(const struct ladle_gzip_index *ix, const uint8_t *data, size_t size)
{
    struct ladle_range_plan p;
    memset(&p, 0, sizeof p);
    if (ladle_range_plan_gzip(&p, ix, 0) != 0)
        return;
    if (p.comp[p.n] != ix->stamp.size || p.dec[p.n] != ix->total_out)
        abort();
    for (size_t k = 0; k < p.n; k++)
        if (p.dec[k + 1] <= p.dec[k] || p.comp[k + 1] < p.comp[k])
            abort();
    p.fd = fuzz_memfd(data, size);
    p.size = size;
    p.name = "f.gz";
    void *st = ladle_range_gzip.new_state();
    char *buf = malloc(1 << 16);
    if (!st || !buf)
        FUZZ_DIE("malloc");
    for (size_t k = 0; k < p.n; k++) {
        struct ladle_error err;
        ladle_error_init(&err);
        ladle_status s = ladle_range_gzip.seek(st, &p, k, &err);
        for (size_t got = 0; s == LADLE_OK && got < ((size_t)256 << 10);) {
            size_t n = 0;
            uint64_t own = 0;
            bool set = false;
            s = ladle_range_gzip.read(st, buf, 1 << 16, &n, &own, &set, &err);
            if (n > (1 << 16) || (s != LADLE_OK && n))
                abort();
            if (!n)
                break;
            got += n;
        }
        if (s != LADLE_OK && (s != LADLE_E_INPUT || strncmp(err.msg, "f.gz: ", 6) != 0))
            abort();
        ladle_range_gzip.finish(st);
    }
    free(buf);
    ladle_range_gzip.free_state(st);
    close(p.fd);
    ladle_range_plan_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    size--;
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        FUZZ_DIE("malloc");
    memcpy(buf, data + 1, size);
    if ((flags & 1) && size >= 8) {
        uint64_t h = XXH3_64bits(buf, size - 8);
        for (int i = 0; i < 8; i++)
            buf[size - 8 + i] = (unsigned char)(h >> (8 * i));
    }
    struct ladle_gzip_stamp want = {0, 0, 0};
    if (size >= 40)
        want = (struct ladle_gzip_stamp){le64(buf + 16), le64(buf + 24), le64(buf + 32)};
    if (flags & 2)
        want.tail ^= 1;
    unsigned char *copy = malloc(size ? size : 1);
    if (!copy)
        FUZZ_DIE("malloc");
    memcpy(copy, buf, size);
    char why[200] = "";
    struct ladle_gzip_index *ix = ladle_gzip_index_parse(buf, size, &want, why, sizeof why);
    if (!ix && !why[0])
        abort(); /* a refusal says why */
    if (ix && (flags & 2))
        abort(); /* another file's index */
    if (ix) {
        check_index(ix);
        check_round_trip(ix, copy, size);
        check_reader(ix, copy, size);
    }
    ladle_gzip_index_free(ix);
    free(copy);
    return 0;
}
