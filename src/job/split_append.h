/*
 * split_append.h -- `ladle split --append -o DIR FILES`: the new inputs go
 * into DIR's dataset with the settings its manifest records; new shards
 * come after the existing ones, which are never rewritten (they are hard
 * linked into the run's temporary folder, so the commit of dataset.h puts
 * them back in place, the same files).
 */
#ifndef LADLE_SPLIT_APPEND_H
#define LADLE_SPLIT_APPEND_H

#include <jansson.h>
#include <stdint.h>

#include "common/error.h"
#include "ladle/ladle.h"
#include "split/split.h"

struct ladle_probe;

/* Sets j's dataset settings (ratios, --by or the time split, format,
 * header, -d, seed, shard size, level, source naming) from
 * DIR/manifest.json. LADLE_E_USAGE when DIR holds no dataset an append can
 * go on (err in j says why). */
ladle_status ladle_split_append_settings(ladle_job *j, const char *dir);

/* With DIR (dirfd) locked and the run's temporary folder tmpfd made:
 * checks DIR's manifest against spec, refuses inputs whose source it
 * already lists (LADLE_E_USAGE, naming both) and split folders holding
 * files it does not list, links the existing shards into tmpfd, and gives
 * each split's next shard number in first[]. *old: the manifest (the
 * caller json_decref's it, also on failure). */
ladle_status ladle_split_append_open(json_t **old, int dirfd, int tmpfd, const char *dir,
                                     const struct ladle_split_spec *spec,
                                     const struct ladle_probe *probe, const char *const *names,
                                     uint32_t *first, struct ladle_error *err);

#endif
