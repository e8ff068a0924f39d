/*
 * fuzz_state.c -- the LDST state container reader (src/state/state.c), as
 * `--state FILE` reads a file from anywhere.
 *
 * Input: byte 0 holds flags, the rest is the file. Bit 0: the file is
 * given without its checksum and the target appends the right one, so the
 * fuzzer gets past it to the body's walker (the seeds in corpus/state are
 * written so). Bit 1: the contract field (bytes 8-11) is set to this
 * ladle's, so the seeds stay deep when the contract is bumped.
 *
 * Checked: a refusal is LADLE_E_INPUT with one line "state: what (byte
 * N)", N within the file; an accepted file encodes again to exactly its own
 * bytes (every field round-trips; a version 1 file is written as version 2,
 * which must then round-trip), and ladle_state_check against a fixed
 * run either passes or refuses with a usage error saying "state: drawn ",
 * and ladle_state_check_pair (ladle merge) passes against itself and
 * names both files against another.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "common/error.h"
#include "out/outbuf.h"
#include "state/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t len = size - 1;
    int reseal = data[0] & 1;
    unsigned char *file = malloc(len + 8);
    if (!file)
        abort();
    memcpy(file, data + 1, len);
    if ((data[0] & 2) && len >= 12)
        for (int i = 0; i < 4; i++)
            file[8 + i] = (unsigned char)((unsigned)LADLE_CONTRACT_VERSION >> (8 * i));
    if (reseal) {
        uint64_t sum = XXH3_64bits(file, len);
        for (int i = 0; i < 8; i++)
            file[len++] = (unsigned char)(sum >> (8 * i));
    }
    /* An exact copy: a read past its end is seen by ASan. */
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact)
        abort();
    memcpy(exact, file, len);
    free(file);

    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_state st;
    ladle_status s = ladle_state_decode(exact, len, NULL, &st, &err);
    if (s != LADLE_OK) {
        const char *at = strstr(err.msg, " (byte ");
        unsigned long long byte = 0;
        if (s != LADLE_E_INPUT || strncmp(err.msg, "state: ", 7) != 0 || !at ||
            sscanf(at, " (byte %llu)", &byte) != 1 || byte > len || strchr(err.msg, '\n'))
            abort();
        if (st.owned || st.nsources || st.payload)
            abort(); /* a refusal keeps nothing */
    } else {
        struct ladle_outbuf out;
        memset(&out, 0, sizeof out);
        if (ladle_state_encode(&st, &out, &err) != LADLE_OK)
            abort();
        if (exact[7] == 1) { /* version 1 is written back as 2: that must round-trip */
            struct ladle_state st2;
            struct ladle_outbuf again;
            memset(&again, 0, sizeof again);
            if (ladle_state_decode(out.data, out.len, NULL, &st2, &err) != LADLE_OK ||
                ladle_state_encode(&st2, &again, &err) != LADLE_OK || again.len != out.len ||
                memcmp(again.data, out.data, out.len) != 0 || st2.nsources != st.nsources)
                abort();
            ladle_state_free(&st2);
            ladle_outbuf_free(&again);
        } else if (out.len != len || memcmp(out.data, exact, len) != 0) {
            abort(); /* what we read, we write back */
        }
        ladle_outbuf_free(&out);
        static const struct ladle_state_kv run[] = {
            {"-n", LADLE_STATE_U64, 3, NULL, 0},
            {"--emit-weight", LADLE_STATE_SWITCH, 0, NULL, 0},
        };
        ladle_error_init(&err);
        s = ladle_state_check(&st, "LDBK", 1, run, 2, &err);
        if (s != LADLE_OK && (s != LADLE_E_USAGE || strncmp(err.msg, "state: drawn ", 13) != 0))
            abort();
        /* ladle merge: a state agrees with itself; against another, a
         * refusal names both files. */
        struct ladle_state other;
        memset(&other, 0, sizeof other);
        memcpy(other.design, "LDBK", 4);
        other.seed = 1;
        other.params = run;
        other.nparams = 2;
        ladle_error_init(&err);
        if (ladle_state_check_pair(&st, "a", &st, "b", &err) != LADLE_OK)
            abort();
        s = ladle_state_check_pair(&st, "a", &other, "b", &err);
        if (s != LADLE_OK && (s != LADLE_E_USAGE ||
                              strncmp(err.msg, "merge: a and b were drawn differently: a ", 41) ||
                              strchr(err.msg, '\n')))
            abort();
        ladle_state_free(&st);
    }
    free(exact);
    return 0;
}
