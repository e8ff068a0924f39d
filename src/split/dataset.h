/*
 * dataset.h -- the output folder of a split, changed all at once or not at all.
 *
 * Everything is written into a fresh temporary folder inside DIR
 * (.ladle-tmp-XXXXXX, mode 0700, made with mkdtemp: never an existing
 * path, never through a link). Commit moves the split folders into DIR
 * and then manifest.json: the manifest's rename is the commit point, so a
 * reader that trusts only what manifest.json lists never sees half a
 * dataset. Abort (any error, SIGINT, SIGTERM) removes the temporary folder
 * and puts back what --force had moved aside, leaving DIR as it was.
 */
#ifndef LADLE_DATASET_H
#define LADLE_DATASET_H

#include "common/error.h"
#include "split/split.h"

struct ladle_dataset {
    char *dir;          /* owns: DIR as given */
    int dirfd;          /* DIR */
    int tmpfd;          /* DIR/.ladle-tmp-XXXXXX */
    char tmpname[32];
    int created_dir;    /* DIR did not exist: abort removes it */
    int force;
    unsigned nsplits;
    const char (*names)[LADLE_SPLIT_NAME_MAX + 1]; /* borrowed */
    int moved_aside;    /* commit moved old entries into tmp/.old */
    unsigned char placed[LADLE_SPLIT_MAX]; /* commit moved our split k into DIR */
};

/* Opens DIR (creating it if missing) and the temporary folder with one
 * sub-folder per split. A DIR with entries is refused (LADLE_E_OUTPUT)
 * unless force. */
ladle_status ladle_dataset_open(struct ladle_dataset *d, const char *dir, int force,
                                const struct ladle_split_spec *spec, struct ladle_error *err);
/* Writes manifest.json (text, len) and moves everything into place. */
ladle_status ladle_dataset_commit(struct ladle_dataset *d, const char *manifest, size_t len,
                                  struct ladle_error *err);
/* Removes every trace of the run; safe after a failed open or commit. */
void ladle_dataset_abort(struct ladle_dataset *d);

#endif
