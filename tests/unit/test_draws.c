/*
 * test_draws.c -- src/sample/draws.c and src/out/rep_columns.c.
 *
 * 1. ladle_poisson1: monotone in u, and where it steps from k to k+1 is
 *    floor(F(k) 2^64) for the Poisson(1) CDF F, recomputed here in long
 *    double (64-bit mantissa: within 2^12 of the exact table), so every
 *    class has its probability to about 2^-52.
 * 2. ladle_binomial: m <= 1 gives e; e = 0 gives 0; never more than e.
 * 3. ladle_append_reps: JSON keys before the brace ({} without a comma,
 *    CRLF kept), TSV columns, the extra column last; the header names.
 */
#include <math.h>
#include <string.h>

#include "out/rep_columns.h"
#include "sample/draws.h"
#include "test_util.h"

/* The smallest u with ladle_poisson1(u) > k (binary search). */
static uint64_t step_of(unsigned k)
{
    uint64_t lo = 0, hi = UINT64_MAX;
    if (ladle_poisson1(hi) <= k)
        return UINT64_MAX;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ladle_poisson1(mid) > k)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void test_poisson(void)
{
    long double f = 1.0L, cdf = 0;
    for (unsigned k = 0; k < 20; k++) {
        if (k)
            f /= (long double)k;
        cdf += f * expl(-1.0L);
        long double want = floorl(cdf * 18446744073709551616.0L);
        uint64_t step = step_of(k);
        long double diff = fabsl((long double)step - want);
        CHECKF(diff <= 4096.0L, "F(%u): step %llu, want %.0Lf", k, (unsigned long long)step, want);
    }
    CHECK(ladle_poisson1(0) == 0);
    CHECK(ladle_poisson1(UINT64_MAX) == 20);
    unsigned prev = 0;
    for (uint64_t u = 0, i = 0; i < 100000; i++, u += 184467440737095ULL) {
        unsigned k = ladle_poisson1(u);
        CHECK(k >= prev);
        prev = k;
    }
}

static void test_binomial(void)
{
    uint64_t rng = 42;
    CHECK(ladle_binomial(17, 1, &rng) == 17);
    CHECK(ladle_binomial(17, 0, &rng) == 17);
    CHECK(ladle_binomial(0, 5, &rng) == 0);
    for (int i = 0; i < 1000; i++)
        CHECK(ladle_binomial(9, 2, &rng) <= 9);
    CHECK(ladle_below(UINT64_MAX, 10) == 9);
    CHECK(ladle_below(0, 10) == 0);
}

static void expect(const char *rec, unsigned n, const char *extra, const char *want)
{
    static const unsigned char reps[] = {2, 0, 13};
    struct ladle_outbuf o;
    memset(&o, 0, sizeof o);
    CHECK(ladle_append_reps(&o, rec, strlen(rec), reps, n, extra, 1.5, '\t') == 0);
    CHECKF(o.len == strlen(want) && memcmp(o.data, want, o.len) == 0, "[%.*s] != [%s]", (int)o.len,
           o.data, want);
    ladle_outbuf_free(&o);
}

static void test_columns(void)
{
    expect("{\"a\":1}\n", 3, NULL, "{\"a\":1,\"_rep1\":2,\"_rep2\":0,\"_rep3\":13}\n");
    expect("{}\n", 2, "_weight", "{\"_rep1\":2,\"_rep2\":0,\"_weight\":1.5}\n");
    expect("{\"a\":1}\r\n", 1, NULL, "{\"a\":1,\"_rep1\":2}\r\n");
    expect("x\ty\n", 3, "_weight", "x\ty\t2\t0\t13\t1.5\n");
    expect("x\r\n", 1, NULL, "x\t2\r\n");
    struct ladle_outbuf o;
    memset(&o, 0, sizeof o);
    CHECK(ladle_append_reps_header(&o, "a,b\n", 4, 2, "_weight", ',') == 0);
    CHECK(o.len == 24 && memcmp(o.data, "a,b,_rep1,_rep2,_weight\n", 24) == 0);
    ladle_outbuf_free(&o);
    /* 1000 columns: the block is flushed as it fills */
    unsigned char many[1000];
    memset(many, 1, sizeof many);
    CHECK(ladle_append_reps(&o, "{}\n", 3, many, 1000, NULL, 0, '\t') == 0);
    CHECK(o.len > 1000 * 10 && memcmp(o.data + o.len - 15, ",\"_rep1000\":1}\n", 15) == 0);
    ladle_outbuf_free(&o);
}

int main(void)
{
    test_poisson();
    test_binomial();
    test_columns();
    return t_done("test_draws");
}
