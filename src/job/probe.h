/*
 * probe.h -- each input's identity, settled before the engine starts
 * (doc/design-issue10.md, sections 1 and 3).
 *
 * The probe opens every input, decodes it up to the end of its first
 * record (its second with --header), and computes the source id from the
 * stem of the path as given and that record (record/source_id.h). Regular
 * files are closed again (the engine reopens them; the bytes are in the
 * page cache). Pipes and stdin stay open, rewound: what the probe read is
 * served again first, so nothing is lost. Then two inputs with one id are
 * a usage error, before anything is written.
 */
#ifndef LADLE_PROBE_H
#define LADLE_PROBE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"
#include "record/source_id.h"

struct ladle_source;

struct ladle_probe_opts {
    const char *stdin_name; /* --source-name, or NULL */
    enum ladle_stem_mode stem_mode;
    const char *prefix; /* --source-prefix, or NULL */
    bool no_keys;       /* the design keys no record (stats): nothing to probe */
};

struct ladle_probe {
    uint32_t count;
    uint64_t *ids;                 /* owns: per input, 0 when it has no record */
    bool *has_id;                  /* owns: the input has a first record */
    char **stems;                  /* owns */
    struct ladle_source **opened;  /* owns: pipes kept open and rewound, else NULL */
    struct ladle_fingerprint *fps; /* owns: per input with an id, its F */
    int *kinds;                    /* owns: per input, 0 plain, 1 zstd, 2 gzip */
};

/* Probes paths[0..count) (names for messages), then checks that no two
 * have one id (LADLE_E_USAGE, the design's message) and that a
 * --source-name has a stdin to name. cancel: set asynchronously to
 * interrupt a wait on a pipe. p always needs ladle_probe_free. */
ladle_status ladle_probe_run(struct ladle_probe *p, const struct ladle_config *cfg,
                             const char *const *paths, const char *const *names, uint32_t count,
                             const struct ladle_probe_opts *o, const atomic_int *cancel,
                             struct ladle_error *err);

void ladle_probe_free(struct ladle_probe *p);

#endif
