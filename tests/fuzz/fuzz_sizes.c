/*
 * fuzz_sizes.c -- the command line's number and size parsers
 * (src/cli/args.c, compiled into this target: the CLI is no library):
 * ladle_cli_parse_size ("64K", "1MiB", "3G"...) and ladle_cli_parse_u64.
 *
 * Checked against a reference written here: a u64 is all decimal digits
 * and fits; a size is such a number, then optionally one of k/m/g (either
 * case) optionally followed by "B" or "iB", scaled by 2^10/2^20/2^30
 * without overflow. Both parsers must agree with it on acceptance and
 * value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fuzz_util.h"

/* Decimal digits at s: their count, and the value if it fits (else *fits 0). */
static size_t ref_digits(const char *s, uint64_t *v, int *fits)
{
    size_t n = 0;
    *v = 0;
    *fits = 1;
    while (s[n] >= '0' && s[n] <= '9') {
        unsigned d = (unsigned)(s[n] - '0');
        if (*v > (UINT64_MAX - d) / 10)
            *fits = 0;
        *v = *v * 10 + d;
        n++;
    }
    return n;
}

static int ref_size(const char *s, uint64_t *out)
{
    uint64_t v;
    int fits;
    size_t n = ref_digits(s, &v, &fits);
    if (n == 0 || !fits)
        return -1;
    const char *p = s + n;
    unsigned shift = 0;
    switch (*p) {
    case '\0': *out = v; return 0;
    case 'k':
    case 'K': shift = 10; break;
    case 'm':
    case 'M': shift = 20; break;
    case 'g':
    case 'G': shift = 30; break;
    default: return -1;
    }
    p++;
    if (strcmp(p, "") != 0 && strcmp(p, "B") != 0 && strcmp(p, "iB") != 0)
        return -1;
    if (v > (UINT64_MAX >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    uint64_t a = 0, b = 0, v;
    int fits;
    size_t n = ref_digits(s, &v, &fits);
    int want_u64 = n > 0 && fits && s[n] == '\0';
    int got_u64 = ladle_cli_parse_u64(s, &a) == 0;
    if (got_u64 != want_u64 || (got_u64 && a != v))
        abort();
    uint64_t want;
    int want_size = ref_size(s, &want) == 0;
    int got_size = ladle_cli_parse_size(s, &b) == 0;
    if (got_size != want_size || (got_size && b != want))
        abort();
    free(s);
    return 0;
}
