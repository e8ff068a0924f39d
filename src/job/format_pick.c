/*
 * format_pick.c -- the input format a run reads, settled before fields
 * compile (see format_pick.h).
 *
 * Rules, in order (each documented in man/ladle.1 under --format):
 *   --header with --format json: a usage error (a JSON record names its
 *     own keys; the first record would be copied into every output).
 *   -d C without --format: csv when C is ',', else tsv.
 *   auto, every input named *.csv or *.tsv (before a .zst/.zstd/.gz
 *     suffix, any case): that format. Mixed or unnamed (stdin): auto.
 *   csv or tsv and a field naming a column (not a number, not re:): the
 *     first line is a header, as with --header.
 *   lines and a field that is not re:: a usage error that says which
 *     format would read it.
 * Under csv the framer then cuts records at line ends outside quotes.
 */
#include "job/format_pick.h"

#include <string.h>
#include <strings.h>

#include "field/field.h"

/* The format a file name says, or auto. */
static enum ladle_format by_name(const char *path)
{
    size_t n = strlen(path);
    static const char *const packed[] = {".zst", ".zstd", ".gz"};
    for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++) {
        size_t k = strlen(packed[i]);
        if (n > k && strcasecmp(path + n - k, packed[i]) == 0) {
            n -= k;
            break;
        }
    }
    if (n > 4 && strncasecmp(path + n - 4, ".csv", 4) == 0)
        return LADLE_FORMAT_CSV;
    if (n > 4 && strncasecmp(path + n - 4, ".tsv", 4) == 0)
        return LADLE_FORMAT_TSV;
    return LADLE_FORMAT_AUTO;
}

/* Whether one piece of a spec (up to end) names a column: not a number. */
static int piece_names_column(const char *s, const char *end)
{
    if (s == end)
        return 0;
    for (; s < end; s++)
        if (*s < '0' || *s > '9')
            return 1;
    return 0;
}

/* Whether spec names a column under csv/tsv. FROM:TO links and
 * comma lists (a date and a time column) count when any piece does. */
static int names_column(const char *spec)
{
    if (!spec || strncmp(spec, "re:", 3) == 0)
        return 0;
    const char *s = spec;
    for (;;) {
        const char *e = s + strcspn(s, ":,");
        if (piece_names_column(s, e))
            return 1;
        if (!*e)
            return 0;
        s = e + 1;
    }
}

ladle_status ladle_format_pick(struct ladle_config *cfg, const char *const *paths, uint32_t count,
                               const char *const *specs, size_t nspecs, struct ladle_error *err)
{
    struct ladle_design_params *p = &cfg->params;
    if (p->format == LADLE_FORMAT_JSON && cfg->engine.header)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--header with --format json: JSON records carry their own keys, "
                               "and a header line would be copied into every output (and shard)");
    if (p->format == LADLE_FORMAT_AUTO && p->delim)
        p->format = p->delim == ',' ? LADLE_FORMAT_CSV : LADLE_FORMAT_TSV;
    if (p->format == LADLE_FORMAT_AUTO && count > 0) {
        enum ladle_format f = by_name(paths[0]);
        for (uint32_t i = 1; i < count && f != LADLE_FORMAT_AUTO; i++)
            if (by_name(paths[i]) != f)
                f = LADLE_FORMAT_AUTO;
        p->format = (int)f;
    }
    for (size_t i = 0; i < nspecs; i++) {
        const char *s = specs[i];
        if (!s || strncmp(s, "re:", 3) == 0)
            continue;
        if (p->format == LADLE_FORMAT_LINES)
            return ladle_error_set(
                err, LADLE_E_USAGE,
                "field '%s': --format lines has no fields; for a column name use --format "
                "csv|tsv --header (for a JSON key --format json, for a pattern re:REGEX)",
                s);
        if ((p->format == LADLE_FORMAT_CSV || p->format == LADLE_FORMAT_TSV) && names_column(s))
            cfg->engine.header = 1;
    }
    cfg->engine.csv_delim = p->format == LADLE_FORMAT_CSV ? (p->delim ? p->delim : ',') : 0;
    return LADLE_OK;
}
