/*
 * fuzz_tzif.c -- the TZif reader of --tz (src/field/tz.c) on arbitrary
 * bytes: a zone file is system data, but the reader must still never
 * crash, read past the end or loop on a damaged one. An accepted zone is
 * then asked for the offset of a few wall times (the binary search over
 * the keys, with the footer rule expanded), which must be within the
 * ±26 h the reader allows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "field/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    if (size)
        memcpy(buf, data, size);
    struct ladle_tz *tz = NULL;
    if (ladle_tz_parse_tzif(&tz, buf, size) == 0) {
        static const int64_t walls[] = {INT64_MIN,    -4000000000LL, 0,        1700000000LL,
                                        4102444800LL, 9000000000LL,  INT64_MAX};
        for (size_t i = 0; i < sizeof walls / sizeof walls[0]; i++) {
            int32_t off = ladle_tz_offset_of_wall(tz, walls[i]);
            if (off < -26 * 3600 || off > 26 * 3600)
                abort();
        }
        ladle_tz_free(tz);
    }
    free(buf);
    return 0;
}
