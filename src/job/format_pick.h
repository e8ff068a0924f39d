/*
 * format_pick.h -- the input format of a run, from --format, -d, the
 * inputs' names and the fields asked for (rules in format_pick.c).
 */
#ifndef LADLE_FORMAT_PICK_H
#define LADLE_FORMAT_PICK_H

#include <stddef.h>
#include <stdint.h>

#include "common/config.h"
#include "common/error.h"

/* Settles cfg->params.format (auto may become csv or tsv), the implied
 * header and cfg->engine.csv_delim, before fields compile. specs: the
 * field specs of the run (NULL entries skipped). Usage errors: --header
 * with json, a field with --format lines. */
ladle_status ladle_format_pick(struct ladle_config *cfg, const char *const *paths, uint32_t count,
                               const char *const *specs, size_t nspecs, struct ladle_error *err);

#endif
