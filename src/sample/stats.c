/*
 * stats.c -- placeholder until `ladle stats` lands (being written).
 */
#include "sample/sampler.h"

const struct ladle_sampler_ops ladle_sampler_stats = {
    .name = "stats",
    .streaming = 0,
};
