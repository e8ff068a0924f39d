/*
 * verify_cards.h -- `ladle verify`'s check of README.md and croissant.json
 * against the manifest (split/cards.h makes both). Internal to src/split.
 */
#ifndef LADLE_VERIFY_CARDS_H
#define LADLE_VERIFY_CARDS_H

#include <jansson.h>

#include "split/verify_shard.h"

/* croissant.json must be exactly what the manifest gives, and README.md's
 * YAML header (to its closing ---) too; the text below it is the user's.
 * A manifest made before 0.6.0 (no "license") may have neither file. */
void ladle_verify_cards(struct ladle_verify_run *v, const json_t *root);

#endif
