/*
 * cmd_stats.c -- placeholder until `ladle stats` lands (being written).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "ladle/ladle.h"

void ladle_cli_usage_stats(FILE *f)
{
    fputs("Usage: ladle stats [--field F] [--top K] FILE...\n", f);
}

int ladle_cli_stats(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("ladle: stats: not available yet\n", stderr);
    return LADLE_E_USAGE;
}
