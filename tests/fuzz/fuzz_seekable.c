/*
 * fuzz_seekable.c -- the seek-table reader (src/shard/seekable.c) on
 * arbitrary bytes taken as a whole shard file.
 *
 * Both readers run: ladle_seek_table_parse on the bytes in memory and
 * ladle_seek_table_read_fd on the same bytes in a file. Checked: they agree
 * (both refuse, or both accept with the same table and frames_end); an
 * accepted table tiles [0, frames_end) with its compressed sizes and ends
 * the file; a refused one comes with a reason and leaves the table empty;
 * and an accepted table written back with ladle_seek_table_write is the
 * file's own tail when it carried checksums (the only layout ladle writes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "shard/seekable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ladle_seek_table a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    uint64_t end_a = 0, end_b = 0;
    const char *why_a = NULL, *why_b = NULL;
    int ra = ladle_seek_table_parse(data, size, &a, &end_a, &why_a);
    int fd = fuzz_memfd(data, size);
    int rb = ladle_seek_table_read_fd(fd, size, &b, &end_b, &why_b);
    close(fd);
    if (ra != rb)
        abort(); /* the two readers disagree */
    if (ra != 0) {
        if (!why_a || !why_b || a.count || b.count)
            abort();
        return 0;
    }
    if (end_a != end_b || a.count != b.count || a.checksummed != b.checksummed ||
        (a.count && memcmp(a.v, b.v, a.count * sizeof *a.v) != 0))
        abort();
    uint64_t sum = 0;
    for (size_t i = 0; i < a.count; i++)
        sum += a.v[i].csize;
    if (sum != end_a || end_a > size)
        abort(); /* frames must tile [0, frames_end) */
    size_t table = ladle_seek_table_size(&a);
    if (a.checksummed) {
        if (end_a + table != size)
            abort();
        unsigned char *w = malloc(table);
        if (!w)
            abort();
        ladle_seek_table_write(&a, w);
        /* The descriptor's bits 1..0 are unused: readers ignore them, ladle writes 0. */
        w[table - 5] |= data[size - 5] & 3u;
        if (memcmp(w, data + end_a, table) != 0)
            abort(); /* parse and write disagree on the layout */
        free(w);
    }
    ladle_seek_table_free(&a);
    ladle_seek_table_free(&b);
    return 0;
}
