/*
 * fuzz_kept_state.c -- the sample-state readers (src/sample/kept_state.c):
 * bottom-k's "LDBK" v2 and weighted's "LDWS" v1, through each design's
 * deserialize, as `--merge-state` reads a file from anywhere.
 *
 * Input: byte 0 picks the design (bit 0: bottom-k / weighted), bit 1
 * --emit-weight, bit 2 --shuffle, bits 3-4 the output format (its weight
 * column); the rest is the state. The sample is -n 3 --seed 1, which the
 * seeds in corpus/kept_state are drawn with, so the fuzzer gets past the
 * parameter check.
 *
 * Checked: a state is accepted or refused with LADLE_E_INPUT and a message
 * starting "state: "; an accepted state serializes again and that text is
 * accepted too (read twice: a merge with itself); then the sample is
 * emitted (to a writer that discards), which formats every kept record
 * and, for --emit-weight, its weight.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/error.h"
#include "field/field.h"
#include "out/outbuf.h"
#include "out/writer.h"
#include "sample/sampler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const int formats[4] = {LADLE_FORMAT_LINES, LADLE_FORMAT_TSV, LADLE_FORMAT_CSV,
                                   LADLE_FORMAT_JSON};
    struct ladle_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.params.n = 3;
    cfg.params.seed = 1;
    cfg.engine.threads = 1;
    cfg.params.emit_weight = (data[0] >> 1) & 1;
    cfg.params.shuffle = (data[0] >> 2) & 1;
    cfg.params.format = formats[(data[0] >> 3) & 3];
    const struct ladle_sampler_ops *ops =
        (data[0] & 1) ? &ladle_sampler_weighted : &ladle_sampler_bottomk;
    /* An exact copy of the state, so a read past its end is seen. */
    size_t len = size - 1;
    unsigned char *state = malloc(len ? len : 1);
    if (!state)
        abort();
    memcpy(state, data + 1, len);

    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_sampler a, c;
    if (ladle_sampler_init(&a, ops, &cfg, &err) != LADLE_OK)
        abort();
    ladle_status st = a.ops->deserialize(&a, state, len, &err);
    if (st != LADLE_OK) {
        if (st != LADLE_E_INPUT || strncmp(err.msg, "state: ", 7) != 0)
            abort();
    } else {
        struct ladle_outbuf out;
        memset(&out, 0, sizeof out);
        if (a.ops->serialize(&a, &out, &err) != LADLE_OK)
            abort();
        if (ladle_sampler_init(&c, ops, &cfg, &err) != LADLE_OK)
            abort();
        if (c.ops->deserialize(&c, out.data, out.len, &err) != LADLE_OK ||
            a.ops->deserialize(&a, out.data, out.len, &err) != LADLE_OK)
            abort(); /* what we wrote, we must read */
        ladle_outbuf_free(&out);
        struct ladle_writer w;
        if (ladle_writer_init(&w, -1, &err) != LADLE_OK)
            abort();
        if (a.ops->finish(&a, &w, &err) != LADLE_OK)
            abort();
        ladle_writer_destroy(&w);
        ladle_sampler_destroy(&c);
    }
    ladle_sampler_destroy(&a);
    free(state);
    return 0;
}
