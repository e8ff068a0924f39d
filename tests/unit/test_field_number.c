/*
 * test_field_number.c -- field values as weights
 * (src/field/field_number.c): what is a finite non-negative decimal, what
 * is not (signs, blanks, nan, inf, hex, junk, overflow), and that the
 * decimal point stays '.' whatever LC_NUMERIC says.
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "field/field.h"
#include "test_util.h"

static void ok(const char *v, double want)
{
    double d = -42;
    int rc = ladle_field_parse_weight(v, strlen(v), &d);
    CHECKF(rc == 0 && d == want, "'%s': rc %d, got %.17g, want %.17g", v, rc, d, want);
}

static void bad(const char *v)
{
    double d = -42;
    int rc = ladle_field_parse_weight(v, strlen(v), &d);
    CHECKF(rc == -1 && d == -42, "'%s': rc %d, got %.17g", v, rc, d);
}

static void test_values(void)
{
    ok("1", 1);
    ok("0", 0);
    ok("2.5", 2.5);
    ok("1e3", 1000);
    ok("1E3", 1000);
    ok("1e+3", 1000);
    ok("25e-1", 2.5);
    ok(".5", 0.5);
    ok("5.", 5);
    ok("007", 7);
    ok("0.1", 0.1);
    ok("123456789012345", 123456789012345.0);
    ok("12345678901234567890", 12345678901234567890.0);
    ok("1.7976931348623157e308", 1.7976931348623157e308);
    ok("1e-400", 0); /* underflow: a tiny weight, not an error */

    bad("");
    bad("-1");
    bad("-0");
    bad("+1");
    bad(" 1");
    bad("1 ");
    bad("1\n");
    bad("nan");
    bad("NaN");
    bad("inf");
    bad("Infinity");
    bad("1x");
    bad("1e");
    bad("1e+");
    bad(".");
    bad("e3");
    bad("0x10");
    bad("1.2.3");
    bad("1,5");
    bad("1e999"); /* overflow to infinity */
    char big[300];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    bad(big);

    /* The value is not NUL-terminated: only len bytes count. */
    double d = 0;
    CHECK(ladle_field_parse_weight("2.5xyz", 3, &d) == 0 && d == 2.5);
    CHECK(ladle_field_parse_weight("12", 1, &d) == 0 && d == 1);
}

/* Under a locale whose radix is ',', "2.5" still means 2.5. */
static void test_locale(void)
{
    const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (setlocale(LC_NUMERIC, names[i])) {
            ok("2.5", 2.5);
            ok("0.125e1", 1.25);
            bad("2,5");
            setlocale(LC_NUMERIC, "C");
            fprintf(stderr, "test_field_number: checked under %s\n", names[i]);
            return;
        }
    }
    fprintf(stderr, "test_field_number: no comma-radix locale installed, locale part skipped\n");
}

int main(void)
{
    test_values();
    test_locale();
    return t_done("test_field_number");
}
