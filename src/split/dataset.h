/*
 * dataset.h -- the output folder of a split, changed all at once or not at all.
 *
 * A run holds an exclusive flock(2) on DIR itself for its whole life: a
 * second run on the same DIR is refused, and a run that holds the lock
 * knows that every .ladle-tmp-* folder in DIR was left by a dead run.
 *
 * Everything is written into a fresh temporary folder T inside DIR
 * (.ladle-tmp-XXXXXX, mode 0700, made with mkdtemp: never an existing
 * path, never through a link). The commit keeps one promise at every
 * instant, crash or not: DIR/manifest.json describes shards that exist.
 *
 *   1. T/manifest.json (the final manifest) and T/staged.json (the same
 *      dataset with every file under T/, a "commit_pending" key naming T
 *      and the old dataset's split names) are written and synced.
 *   2. T/staged.json is renamed over DIR/manifest.json: the commit point.
 *      From here on the new dataset is the one DIR holds.
 *   3. Finish: the old dataset's entries (the splits its manifest listed,
 *      entries named like the new splits, and every folder that holds
 *      nothing but part-* files) move into T/.old; each new split gets its
 *      folder DIR/<split>/ with hard links to its shards (copies where the
 *      file system has no hard links); T/manifest.json is renamed over
 *      DIR/manifest.json.
 *   4. T is removed (with the old dataset in it).
 *
 * A run killed before 2 leaves DIR's dataset as it was (and T); one
 * killed after it leaves the new dataset, listed in T. The next run on DIR
 * (or `ladle verify --repair DIR`) finishes a pending commit (3 and 4
 * again: each step can be redone) and removes temporary folders left by
 * dead runs. Abort (any error before 2, SIGINT, SIGTERM) removes T and
 * leaves DIR as it was.
 */
#ifndef LADLE_DATASET_H
#define LADLE_DATASET_H

#include "common/error.h"
#include "split/split.h"

#define LADLE_DATASET_TMP_PREFIX ".ladle-tmp-"
#define LADLE_DATASET_PENDING "commit_pending" /* the key a staged manifest has */

/* Says one line (a warning or a note, without "ladle: ") to the user. */
typedef void ladle_dataset_say(void *arg, const char *line);

struct ladle_dataset {
    char *dir; /* owns: DIR as given */
    int dirfd; /* DIR, flock'ed */
    int tmpfd; /* DIR/.ladle-tmp-XXXXXX */
    char tmpname[32];
    int created_dir; /* DIR did not exist: abort removes it */
    int force;
    int committed; /* the commit point is passed: abort keeps T */
    unsigned nsplits;
    const char (*names)[LADLE_SPLIT_NAME_MAX + 1]; /* borrowed */
    ladle_dataset_say *say;
    void *say_arg;
};

/* Opens DIR (creating it if missing), locks it, finishes a commit a dead
 * run left pending and removes the temporary folders of dead runs, then
 * makes the temporary folder with one sub-folder per split. A DIR with
 * other entries is refused (LADLE_E_OUTPUT) unless force; so is a DIR that
 * another live run holds. say (may be NULL) hears what was cleaned. */
ladle_status ladle_dataset_open(struct ladle_dataset *d, const char *dir, int force,
                                const struct ladle_split_spec *spec, ladle_dataset_say *say,
                                void *say_arg, struct ladle_error *err);
/* Writes manifest.json (text, len) and commits (see above). An error
 * before the commit point leaves DIR as it was (after abort); one after it
 * (the new dataset committed but not yet in its folders) says so in err;
 * either way LADLE_E_OUTPUT. A temporary folder that cannot be removed
 * once everything is in place is only a warning (through say): LADLE_OK. */
ladle_status ladle_dataset_commit(struct ladle_dataset *d, const char *manifest, size_t len,
                                  struct ladle_error *err);
/* Removes every trace of the run (unless it committed); safe after a
 * failed open or commit. Releases the lock. */
void ladle_dataset_abort(struct ladle_dataset *d);

/* `ladle verify --repair`: with DIR (dirfd) locked by the caller, finishes
 * a pending commit and removes dead runs' temporary folders, telling say
 * what it did. LADLE_OK, or LADLE_E_OUTPUT with err set. */
ladle_status ladle_dataset_recover(int dirfd, const char *dir, ladle_dataset_say *say,
                                   void *say_arg, struct ladle_error *err);
/* Takes the run lock on DIR (dirfd): LADLE_OK; LADLE_E_OUTPUT when a live
 * run holds it (err says so). A file system without flock is let through
 * (*locked = 0: then nothing that could be another run's is removed). */
ladle_status ladle_dataset_lock(int dirfd, const char *dir, int *locked, struct ladle_error *err);

#endif
