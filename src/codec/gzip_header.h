/*
 * gzip_header.h -- the one member-header check ladle makes itself: ISA-L
 * reads past a set reserved FLG bit (7..5), which RFC 1952 says a reader
 * must refuse (it may announce a field this reader does not know), as gzip
 * and zlib do. Shared by the serial codec and the indexed workers' reader
 * so both say the same words.
 */
#ifndef LADLE_CODEC_GZIP_HEADER_H
#define LADLE_CODEC_GZIP_HEADER_H

#include <stdint.h>

#include "common/error.h"

/* FLG: the member header's 4th byte; member_start: the header's offset. */
static inline ladle_status ladle_gzip_check_flags(const char *name, uint8_t flg,
                                                  uint64_t member_start, struct ladle_error *err)
{
    if (!(flg & 0xE0))
        return LADLE_OK;
    return ladle_error_set(err, LADLE_E_INPUT,
                           "%s: corrupt gzip data: reserved header flags set (0x%02x), in the "
                           "member that starts at compressed byte %llu (at compressed byte %llu)",
                           name, flg & 0xE0u, (unsigned long long)member_start,
                           (unsigned long long)member_start + 3);
}

#endif
