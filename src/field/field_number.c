/*
 * field_number.c -- a field value as a weight (see field.h for what is
 * accepted).
 *
 * strtod alone accepts too much for a weight ("nan", "inf", "0x1p3",
 * leading blanks, a sign) and reads the decimal point from LC_NUMERIC, so
 * the grammar is checked here first and strtod only converts (correctly
 * rounded) what already passed. The value is copied to a stack buffer
 * because it is not NUL-terminated, and if the locale's radix is not '.',
 * the '.' is swapped for it so "2.5" means 2.5 in every locale.
 * Plain integers and decimals of up to 15 digits and at most 22 after the
 * point, the common cases ("12", "12.34"), skip strtod (Clinger's fast
 * path): the digits form an integer exact in a double, 10^k is exact too,
 * and one IEEE division of two exact values is correctly rounded, so the
 * result is the same double strtod gives.
 */
#include "field/field.h"

#include <langinfo.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WEIGHT_MAX_LEN 255

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* digits [. digits] [(e|E) [+|-] digits], with a digit before or after the
 * point: 1 when v is all of that. */
static int weight_grammar(const char *v, size_t len)
{
    size_t i = 0, mantissa = 0;
    while (i < len && is_digit(v[i]))
        i++, mantissa++;
    if (i < len && v[i] == '.') {
        i++;
        while (i < len && is_digit(v[i]))
            i++, mantissa++;
    }
    if (mantissa == 0)
        return 0;
    if (i < len && (v[i] == 'e' || v[i] == 'E')) {
        i++;
        if (i < len && (v[i] == '+' || v[i] == '-'))
            i++;
        size_t start = i;
        while (i < len && is_digit(v[i]))
            i++;
        if (i == start)
            return 0;
    }
    return i == len;
}

int ladle_field_parse_weight(const char *v, size_t len, double *out)
{
    if (len == 0 || len > WEIGHT_MAX_LEN)
        return -1;
    if (len <= 16) {
        static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
        uint64_t n = 0;
        size_t i = 0, digits = 0, frac = 0;
        while (i < len && is_digit(v[i]))
            n = n * 10 + (uint64_t)(v[i++] - '0'), digits++;
        if (i < len && v[i] == '.')
            for (i++; i < len && is_digit(v[i]); i++, digits++, frac++)
                n = n * 10 + (uint64_t)(v[i] - '0');
        if (i == len && digits >= 1 && digits <= 15) {
            /* digits [. digits] with a digit somewhere: the grammar holds */
            *out = (double)n / pow10[frac];
            return 0;
        }
    }
    if (!weight_grammar(v, len))
        return -1;
    char buf[WEIGHT_MAX_LEN * 4 + 1]; /* room for a multibyte radix */
    size_t n = 0;
    const char *radix = NULL;
    for (size_t i = 0; i < len; i++) {
        if (v[i] == '.') {
            if (!radix)
                radix = nl_langinfo(RADIXCHAR);
            size_t r = strlen(radix);
            if (r == 0 || r > 4) { /* no usable radix: keep '.' */
                radix = ".";
                r = 1;
            }
            memcpy(buf + n, radix, r);
            n += r;
        } else {
            buf[n++] = v[i];
        }
    }
    buf[n] = '\0';
    char *stop;
    double d = strtod(buf, &stop);
    if (stop != buf + n || !isfinite(d) || d < 0)
        return -1;
    *out = d;
    return 0;
}
