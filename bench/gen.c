/*
 * ladle-gen: a fast, deterministic generator of realistic service logs
 * (JSON lines or TSV), used by the benchmarks and tests.
 *
 *   ladle-gen [--format json|tsv] [--records N | --bytes SIZE] [--seed S] [--header]
 *
 * The output is a pure function of (format, seed, header): a --records or
 * --bytes run is a prefix of any longer run with the same seed.  --bytes
 * stops at the first record boundary at or after SIZE.
 *
 * Every random choice comes from a private xoshiro256** stream.  Records are
 * assembled with memcpy and hand-written integer formatting into a large
 * buffer flushed with write(2).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* PRNG                                                                */

static uint64_t rng_s[4];

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rnd(void)
{
    uint64_t r = rotl(rng_s[1] * 5, 7) * 9;
    uint64_t t = rng_s[1] << 17;
    rng_s[2] ^= rng_s[0];
    rng_s[3] ^= rng_s[1];
    rng_s[1] ^= rng_s[2];
    rng_s[0] ^= rng_s[3];
    rng_s[2] ^= t;
    rng_s[3] = rotl(rng_s[3], 45);
    return r;
}

static inline uint32_t rnd32(void)
{
    return (uint32_t)(rnd() >> 32);
}

/* Uniform in [0, n) (Lemire's multiply-shift; the tiny bias is irrelevant here). */
static inline uint32_t rnd_below(uint32_t n)
{
    return (uint32_t)(((uint64_t)rnd32() * n) >> 32);
}

/* Uniform in (0, 1]. */
static inline double rnd_unit(void)
{
    return (double)((rnd() >> 11) + 1) * (1.0 / 9007199254740992.0);
}

static int normal_have;
static double normal_next;

static double rnd_normal(void)
{
    if (normal_have) {
        normal_have = 0;
        return normal_next;
    }
    double u1 = rnd_unit(), u2 = rnd_unit();
    double r = sqrt(-2.0 * log(u1));
    double a = 6.283185307179586 * u2;
    normal_next = r * sin(a);
    normal_have = 1;
    return r * cos(a);
}

/* ------------------------------------------------------------------ */
/* Formatting helpers                                                  */

static const char hexdig[] = "0123456789abcdef";
static char hexpair[256][2];
static char dig2[100][2];

static void fmt_init(void)
{
    for (int i = 0; i < 256; i++) {
        hexpair[i][0] = hexdig[i >> 4];
        hexpair[i][1] = hexdig[i & 15];
    }
    for (int i = 0; i < 100; i++) {
        dig2[i][0] = (char)('0' + i / 10);
        dig2[i][1] = (char)('0' + i % 10);
    }
}

static inline char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

#define PUTLIT(p, s) put((p), (s), sizeof(s) - 1)

static inline char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    char *e = tmp + sizeof tmp, *q = e;
    while (v >= 100) {
        q -= 2;
        memcpy(q, dig2[v % 100], 2);
        v /= 100;
    }
    if (v >= 10) {
        q -= 2;
        memcpy(q, dig2[v], 2);
    } else {
        *--q = (char)('0' + v);
    }
    return put(p, q, (size_t)(e - q));
}

/* Exactly `width` digits, zero padded (v < 10^width). */
static inline char *put_u32_fixed(char *p, uint32_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

static inline char *put_hex64(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        memcpy(p + 2 * i, hexpair[(v >> (56 - 8 * i)) & 0xff], 2);
    return p + 16;
}

static inline char *put_hex32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        memcpy(p + 2 * i, hexpair[(v >> (24 - 8 * i)) & 0xff], 2);
    return p + 8;
}

/* ------------------------------------------------------------------ */
/* Timestamps                                                          */

/* Howard Hinnant's civil-from-days / days-from-civil. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int64_t ts_base_sec; /* unix seconds of 2026-11-01T00:00:00Z */
static uint64_t ts_us;      /* microseconds since the base */
static uint64_t ts_cached_sec = UINT64_MAX;
static char ts_cached[19]; /* "YYYY-MM-DDTHH:MM:SS" */

static void ts_refresh(uint64_t sec)
{
    int64_t t = ts_base_sec + (int64_t)sec;
    int64_t days = t / 86400;
    unsigned sod = (unsigned)(t - days * 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char *p = ts_cached;
    p = put_u32_fixed(p, (uint32_t)y, 4);
    *p++ = '-';
    p = put_u32_fixed(p, m, 2);
    *p++ = '-';
    p = put_u32_fixed(p, d, 2);
    *p++ = 'T';
    p = put_u32_fixed(p, sod / 3600, 2);
    *p++ = ':';
    p = put_u32_fixed(p, sod / 60 % 60, 2);
    *p++ = ':';
    put_u32_fixed(p, sod % 60, 2);
    ts_cached_sec = sec;
}

/* 24 bytes: 2026-11-01T00:00:00.123Z */
static inline char *put_ts(char *p)
{
    uint64_t sec = ts_us / 1000000;
    if (sec != ts_cached_sec)
        ts_refresh(sec);
    p = put(p, ts_cached, 19);
    *p++ = '.';
    p = put_u32_fixed(p, (uint32_t)(ts_us / 1000 % 1000), 3);
    *p++ = 'Z';
    return p;
}

/* ------------------------------------------------------------------ */
/* Users: Zipf(s = 1.1, q = 5) over 1,000,000 ranks via a CDF table + guide   */

#define N_USERS 1000000u
#define ZIPF_S 1.1
#define ZIPF_Q 5.0 /* Zipf-Mandelbrot offset: hottest user gets ~2% of traffic, not ~12% */
#define GUIDE_BITS 16

static uint32_t *zipf_cdf; /* scaled to 2^32 */
static uint32_t zipf_guide[(1u << GUIDE_BITS) + 1];

static void zipf_init(void)
{
    zipf_cdf = malloc(N_USERS * sizeof *zipf_cdf);
    double *w = malloc(N_USERS * sizeof *w);
    if (!zipf_cdf || !w) {
        fputs("ladle-gen: out of memory\n", stderr);
        exit(1);
    }
    double total = 0;
    for (uint32_t i = 0; i < N_USERS; i++) {
        w[i] = exp(-ZIPF_S * log((double)(i + 1) + ZIPF_Q));
        total += w[i];
    }
    double acc = 0;
    for (uint32_t i = 0; i < N_USERS; i++) {
        acc += w[i];
        double c = acc / total * 4294967296.0;
        zipf_cdf[i] = c >= 4294967295.0 ? 0xffffffffu : (uint32_t)c;
    }
    zipf_cdf[N_USERS - 1] = 0xffffffffu;
    free(w);
    /* guide[j] = first i with cdf[i] > j << (32 - GUIDE_BITS) */
    uint32_t i = 0;
    for (uint32_t j = 0; j <= (1u << GUIDE_BITS); j++) {
        uint64_t lim = (uint64_t)j << (32 - GUIDE_BITS);
        while (i < N_USERS - 1 && (uint64_t)zipf_cdf[i] <= lim)
            i++;
        zipf_guide[j] = i;
    }
}

/* Returns a 0-based rank; rank 0 is the most active user. */
static inline uint32_t zipf_rank(void)
{
    uint32_t u = rnd32();
    uint32_t j = u >> (32 - GUIDE_BITS);
    uint32_t lo = zipf_guide[j], hi = zipf_guide[j + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (zipf_cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Scatter ranks over the id space so hot users are not u000000..u000009. */
static inline uint32_t user_id_of_rank(uint32_t rank)
{
    return (uint32_t)(((uint64_t)rank * 736177u + 104729u) % N_USERS);
}

/* ------------------------------------------------------------------ */
/* Weighted choices via 1024-slot lookup tables                        */

#define LUT_SIZE 1024

static void lut_build(uint8_t *lut, const unsigned *weights, size_t n)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += weights[i];
    size_t slot = 0;
    unsigned acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += weights[i];
        size_t end = (size_t)((uint64_t)acc * LUT_SIZE / total);
        while (slot < end)
            lut[slot++] = (uint8_t)i;
    }
    while (slot < LUT_SIZE)
        lut[slot++] = (uint8_t)(n - 1);
}

/* Levels, per 10,000: INFO 90%, DEBUG 6%, WARN 3%, ERROR 0.9%, FATAL 0.1%. */
enum { L_INFO, L_DEBUG, L_WARN, L_ERROR, L_FATAL, N_LEVELS };
static const char *const level_name[N_LEVELS] = {"INFO", "DEBUG", "WARN", "ERROR", "FATAL"};
static const uint32_t level_cut[N_LEVELS] = {9000, 9600, 9900, 9990, 10000};

static inline int pick_level(void)
{
    uint32_t r = rnd_below(10000);
    int l = 0;
    while (r >= level_cut[l])
        l++;
    return l;
}

/* Status codes. */
static const unsigned status_code[] = {200, 201, 204, 301, 304, 400, 401,
                                       403, 404, 429, 500, 502, 503};
static const unsigned status_weight[] = {800, 40, 30, 5, 40, 20, 15, 8, 25, 7, 5, 3, 2};
#define N_STATUS (sizeof status_code / sizeof status_code[0])
static uint8_t status_lut[LUT_SIZE];
static char status_str[N_STATUS][3];

/* ------------------------------------------------------------------ */
/* Paths                                                               */

enum { P_NONE, P_INT, P_USER, P_HEX, P_SMALL };

struct path_tmpl {
    const char *pre;
    int kind;
    const char *suf;
    unsigned weight;
};

static const struct path_tmpl paths[] = {
    {"/api/v1/items/", P_INT, "", 120},
    {"/api/v1/items/", P_INT, "/reviews", 25},
    {"/api/v1/items", P_NONE, "", 30},
    {"/api/v1/items?page=", P_SMALL, "", 20},
    {"/api/v1/items/search", P_NONE, "", 25},
    {"/api/v1/users/", P_USER, "", 60},
    {"/api/v1/users/", P_USER, "/orders", 30},
    {"/api/v1/users/", P_USER, "/settings", 12},
    {"/api/v1/users/", P_USER, "/avatar", 15},
    {"/api/v1/orders/", P_INT, "", 40},
    {"/api/v1/orders/", P_INT, "/status", 25},
    {"/api/v1/orders", P_NONE, "", 15},
    {"/api/v1/cart", P_NONE, "", 35},
    {"/api/v1/cart/items/", P_INT, "", 20},
    {"/api/v1/checkout", P_NONE, "", 12},
    {"/api/v1/payments/", P_HEX, "", 10},
    {"/api/v1/payments/", P_HEX, "/refund", 3},
    {"/api/v1/sessions", P_NONE, "", 10},
    {"/api/v1/sessions/", P_HEX, "", 12},
    {"/api/v1/auth/login", P_NONE, "", 20},
    {"/api/v1/auth/logout", P_NONE, "", 8},
    {"/api/v1/auth/refresh", P_NONE, "", 25},
    {"/api/v1/search", P_NONE, "", 35},
    {"/api/v1/recommendations/", P_USER, "", 30},
    {"/api/v1/categories/", P_SMALL, "", 15},
    {"/api/v1/categories/", P_SMALL, "/items", 20},
    {"/api/v1/inventory/", P_INT, "", 10},
    {"/api/v1/notifications", P_NONE, "", 18},
    {"/api/v1/notifications/", P_INT, "/read", 8},
    {"/api/v2/items/", P_INT, "", 30},
    {"/api/v2/feed", P_NONE, "", 25},
    {"/api/v2/feed/", P_USER, "", 20},
    {"/api/v2/events", P_NONE, "", 30},
    {"/api/v2/metrics", P_NONE, "", 8},
    {"/api/v2/uploads/", P_HEX, "", 5},
    {"/api/v2/uploads/", P_HEX, "/complete", 4},
    {"/graphql", P_NONE, "", 30},
    {"/health", P_NONE, "", 25},
    {"/healthz", P_NONE, "", 15},
    {"/ready", P_NONE, "", 10},
    {"/metrics", P_NONE, "", 12},
    {"/static/js/app.", P_HEX, ".js", 15},
    {"/static/css/main.", P_HEX, ".css", 10},
    {"/static/img/products/", P_INT, ".jpg", 25},
    {"/favicon.ico", P_NONE, "", 6},
    {"/robots.txt", P_NONE, "", 2},
    {"/admin/users/", P_USER, "", 3},
    {"/admin/reports/", P_SMALL, "", 2},
    {"/webhooks/stripe", P_NONE, "", 4},
    {"/webhooks/github", P_NONE, "", 2},
    {"/internal/cache/", P_HEX, "/invalidate", 3},
    {"/.well-known/openid-configuration", P_NONE, "", 2},
};
#define N_PATHS (sizeof paths / sizeof paths[0])
static uint8_t path_lut[LUT_SIZE];
static size_t path_pre_len[N_PATHS], path_suf_len[N_PATHS];

/* Item-like ids: half from a hot range, half from a wide one. */
static inline uint32_t pick_int_id(void)
{
    uint32_t r = rnd32();
    return (r & 1) ? 1 + rnd_below(2000) : 1 + rnd_below(999999);
}

static inline char *put_user(char *p, uint32_t uid)
{
    *p++ = 'u';
    return put_u32_fixed(p, uid, 6);
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/*
 * Templates hold raw text (what TSV prints) with placeholders:
 *   %d integer 1..99999   %k small 1..64   %m duration 1..5000
 *   %u the record's user  %h 8 hex chars
 * At start-up each template is split into segments, with a JSON-escaped
 * copy of every literal.
 */

static const char *const msg_info[] = {
    "request completed",
    "request completed in %d us",
    "handled by worker %k",
    "cache hit for key \"item:%d\"",
    "cache miss for key \"user:%u\"",
    "user %u logged in",
    "user %u logged out",
    "session %h refreshed",
    "order %d created",
    "order %d shipped to warehouse %k",
    "payment %h authorized",
    "inventory reserved for item %d (qty=%k)",
    "feed rendered with %k items",
    "search returned %d results",
    "notification %d delivered",
    "upload %h finished (%d bytes)",
    "r\xc3\xa9sum\xc3\xa9 uploaded by %u",
    "token issued for user %u, ttl=3600s",
    "GET served from CDN edge fra%k",
    "config loaded from C:\\ProgramData\\svc\\app.ini",
    "user-agent \"Mozilla/5.0 (X11; Linux x86_64; rv:128.0)\"",
    "recommendations computed for %u in %m ms",
    "websocket opened by %u",
    "ok",
    "checkout completed for %u: order %d, 3 items, total 129.97 EUR, payment method \"card\", "
    "shipping standard",
    "feature flags evaluated for %u: search-ranker-b=on, checkout-v2=off, feed-cache=on (rule "
    "\"beta users\")",
    "outbound call to payments-svc POST /v2/charges took %m ms (pool=default, conn reused=true)",
    "served %d bytes for GET /api/v1/items?page=%k&sort=price_desc&filter=in_stock from cache "
    "shard %k",
};

static const char *const msg_debug[] = {
    "db pool stats: active=%k idle=%k waiting=0",
    "resolved route to handler items.get",
    "parsed query string \"page=%k&sort=desc\"",
    "span %h started",
    "span %h finished after %m ms",
    "header X-Request-Id=%h",
    "regex matched ^/api/v\\d+/items/(\\d+)$",
    "cache entry \"feed:%u\" expires in %d s",
    "gc pause %d us",
    "retry budget remaining: %k",
};

static const char *const msg_warn[] = {
    "slow request: %m ms",
    "rate limit exceeded for user %u",
    "retrying request (attempt %k of 5)",
    "token expired for user %u",
    "deprecated API v1 used by client \"legacy-app/%k.0\"",
    "cache eviction storm: %d keys in 1s",
    "certificate expires in %k days",
    "permission denied: role \"viewer\" cannot write to \"orders\"",
    "upstream latency above SLO (%m ms)",
    "invalid JSON in body: unexpected token '\"' at position %d",
};

static const char *const msg_error[] = {
    "connection reset by peer",
    "timeout after %m ms waiting for upstream payments",
    "circuit breaker open for service inventory",
    "failed to parse header \"X-Forwarded-For\": value too long",
    "database error: deadlock detected on relation \"orders\"",
    "file not found: D:\\data\\blobs\\%h.bin",
    "upstream returned 502 for /api/v1/payments/%h",
    "websocket closed abnormally (code=1006)",
};

static const char *const msg_fatal[] = {
    "out of memory: failed to allocate %d bytes",
    "unrecoverable state in shard %k, shutting down",
    "could not bind to 0.0.0.0:8443: address already in use",
    "assertion failed: \"balance >= 0\" in ledger.c:%d",
};

/* Long messages: a few hundred bytes. */
static const char *const msg_long[] = {
    "slow query (%m ms): SELECT o.id, o.user_id, o.status, o.total_cents, o.created_at, "
    "i.sku, i.qty, i.price_cents FROM orders o JOIN order_items i ON i.order_id = o.id "
    "WHERE o.user_id = '%u' AND o.status IN ('paid', 'shipped', 'delivered') AND "
    "o.created_at > now() - interval '30 days' ORDER BY o.created_at DESC LIMIT 50 OFFSET %k",
    "request body rejected by schema validation: {\"items\":[{\"sku\":\"SKU-%d\",\"qty\":%k,"
    "\"price\":\"19.99\"},{\"sku\":\"SKU-%d\",\"qty\":-1}],\"coupon\":\"WINTER\\\\2026\","
    "\"shipping\":{\"name\":\"O'Brien\",\"street\":\"1 Main St\",\"zip\":\"0%d\"}} "
    "errors: [\"/items/1/qty must be >= 1\", \"/coupon has invalid characters\"]",
    "client sent oversized cookie header (%d bytes): session=%h; prefs=eyJ0aGVtZSI6ImRhcmsiLCJs"
    "YW5nIjoiZW4tVVMiLCJ0eiI6IkV1cm9wZS9CZXJsaW4ifQ; _ga=GA1.2.%d.1700000000; "
    "_gid=GA1.2.%d.1700000000; cart=%h%h%h%h; ab=checkout-v2,search-ranker-b,feed-cache-on",
};

#define MAX_SEGS 16

struct seg {
    const char *lit[2]; /* [0] raw (TSV), [1] JSON-escaped */
    uint16_t len[2];
    char ph; /* placeholder after the literal, 0 = none */
};

struct msg_tmpl {
    struct seg seg[MAX_SEGS];
    int nseg;
};

struct vocab {
    struct msg_tmpl *t;
    uint32_t n;
};

static struct vocab voc_level[N_LEVELS], voc_long;

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fputs("ladle-gen: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static size_t json_escape(char *out, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            out[o++] = '\\';
            out[o++] = 'u';
            out[o++] = '0';
            out[o++] = '0';
            out[o++] = hexdig[c >> 4];
            out[o++] = hexdig[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    return o;
}

static void tmpl_compile(struct msg_tmpl *t, const char *src)
{
    t->nseg = 0;
    const char *p = src;
    for (;;) {
        const char *q = p;
        while (*q && *q != '%')
            q++;
        if (t->nseg == MAX_SEGS) {
            fputs("ladle-gen: internal error: template too complex\n", stderr);
            exit(1);
        }
        struct seg *s = &t->seg[t->nseg++];
        size_t n = (size_t)(q - p);
        char *esc = xmalloc(6 * n + 1);
        s->lit[0] = p;
        s->len[0] = (uint16_t)n;
        s->lit[1] = esc;
        s->len[1] = (uint16_t)json_escape(esc, p, n);
        s->ph = 0;
        if (!*q)
            break;
        s->ph = q[1];
        if (!q[1])
            break;
        p = q + 2;
    }
}

static void vocab_build(struct vocab *v, const char *const *src, size_t n)
{
    v->t = xmalloc(n * sizeof *v->t);
    v->n = (uint32_t)n;
    for (size_t i = 0; i < n; i++)
        tmpl_compile(&v->t[i], src[i]);
}

#define VOCAB(v, arr) vocab_build((v), (arr), sizeof(arr) / sizeof((arr)[0]))

static char *put_tmpl(char *p, const struct msg_tmpl *t, int json, uint32_t uid)
{
    for (int i = 0; i < t->nseg; i++) {
        const struct seg *s = &t->seg[i];
        p = put(p, s->lit[json], s->len[json]);
        switch (s->ph) {
        case 0: break;
        case 'd': p = put_u64(p, 1 + rnd_below(99999)); break;
        case 'k': p = put_u64(p, 1 + rnd_below(64)); break;
        case 'm': p = put_u64(p, 1 + rnd_below(5000)); break;
        case 'u': p = put_user(p, uid); break;
        case 'h': p = put_hex32(p, rnd32()); break;
        default: *p++ = s->ph; break;
        }
    }
    return p;
}

/* Java-style stack traces, for ERROR/FATAL.  In JSON the frames are
 * separated by an escaped "\n\tat " (as JSON logging libraries emit them);
 * TSV cannot carry newlines or tabs, so there they are separated by " at ". */
static const char *const exc_types[] = {
    "java.lang.NullPointerException: Cannot invoke \"Order.total()\" because \"order\" is null",
    "java.lang.IllegalStateException: connection pool exhausted",
    "java.util.concurrent.TimeoutException: upstream did not answer within 5000 ms",
    "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",
    "java.io.IOException: Broken pipe",
};
static const char *const frames[] = {
    "com.example.orders.OrderService.place(OrderService.java:",
    "com.example.orders.OrderController.create(OrderController.java:",
    "com.example.payments.PaymentClient.authorize(PaymentClient.java:",
    "com.example.inventory.StockRepository.reserve(StockRepository.java:",
    "com.example.http.RetryingClient.execute(RetryingClient.java:",
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:",
    "jakarta.servlet.http.HttpServlet.service(HttpServlet.java:",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:",
    "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:",
    "java.base/java.lang.Thread.run(Thread.java:",
};
#define N_EXC (sizeof exc_types / sizeof exc_types[0])
#define N_FRAMES (sizeof frames / sizeof frames[0])
static struct seg exc_seg[N_EXC];
static size_t frame_len[N_FRAMES];

static void stack_init(void)
{
    for (size_t i = 0; i < N_EXC; i++) {
        size_t n = strlen(exc_types[i]);
        char *esc = xmalloc(6 * n + 1);
        exc_seg[i].lit[0] = exc_types[i];
        exc_seg[i].len[0] = (uint16_t)n;
        exc_seg[i].lit[1] = esc;
        exc_seg[i].len[1] = (uint16_t)json_escape(esc, exc_types[i], n);
    }
    for (size_t i = 0; i < N_FRAMES; i++)
        frame_len[i] = strlen(frames[i]);
}

static char *put_stack(char *p, int json)
{
    const struct seg *e = &exc_seg[rnd_below(N_EXC)];
    p = put(p, e->lit[json], e->len[json]);
    uint32_t nfr = 3 + rnd_below(6);
    uint32_t f = rnd_below(N_FRAMES);
    for (uint32_t i = 0; i < nfr; i++) {
        p = json ? PUTLIT(p, "\\n\\tat ") : PUTLIT(p, " at ");
        p = put(p, frames[f], frame_len[f]);
        p = put_u64(p, 20 + rnd_below(800));
        *p++ = ')';
        f = (f + 1 + rnd_below(3)) % (uint32_t)N_FRAMES;
    }
    return p;
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

static uint64_t session_salt;

/* Longest possible record: the long templates and stack traces are
 * bounded well below this; the buffer keeps this much slack. */
#define MAX_RECORD 8192

static char *put_latency(char *p, double v)
{
    uint64_t scale;
    int dec;
    if (v < 10.0) {
        scale = 1000;
        dec = 3;
    } else if (v < 100.0) {
        scale = 100;
        dec = 2;
    } else {
        scale = 10;
        dec = 1;
    }
    uint64_t x = (uint64_t)(v * (double)scale + 0.5);
    p = put_u64(p, x / scale);
    *p++ = '.';
    return put_u32_fixed(p, (uint32_t)(x % scale), dec);
}

static char *gen_record(char *p, int json)
{
    /* clock: exponential inter-arrival, mean ~0.9 ms */
    ts_us += (uint64_t)(-log(rnd_unit()) * 900.0);

    int level = pick_level();
    uint32_t uid = user_id_of_rank(zipf_rank());

    /* sessions last ~30 minutes per user */
    uint64_t sess = mix64(((uint64_t)uid << 24) ^ (ts_us / 1800000000u) ^ session_salt);

    unsigned si = status_lut[rnd_below(LUT_SIZE)];
    if (level >= L_ERROR) {
        if (rnd_below(10) < 8)
            si = N_STATUS - 3 + rnd_below(3); /* 500/502/503 */
    } else if (level == L_WARN) {
        if (rnd_below(2) == 0)
            si = 5 + rnd_below(5); /* 400..429 */
    }

    double lat = exp(2.5 + 1.0 * rnd_normal()); /* median ~12 ms */
    if (rnd_below(200) == 0)                    /* Pareto tail */
        lat += 200.0 * pow(rnd_unit(), -1.0 / 1.2);
    if (level >= L_ERROR && rnd_below(4) == 0)
        lat += 5000.0 * rnd_unit();
    if (lat > 600000.0)
        lat = 600000.0;

    const struct path_tmpl *pt = &paths[path_lut[rnd_below(LUT_SIZE)]];
    size_t pi = (size_t)(pt - paths);

    if (json)
        p = PUTLIT(p, "{\"ts\":\"");
    p = put_ts(p);
    if (json) {
        p = PUTLIT(p, "\",\"level\":\"");
        p = put(p, level_name[level], strlen(level_name[level]));
        p = PUTLIT(p, "\",\"user\":\"");
        p = put_user(p, uid);
        p = PUTLIT(p, "\",\"session\":\"");
        p = put_hex64(p, sess);
        p = PUTLIT(p, "\",\"status\":");
        p = put(p, status_str[si], 3);
        p = PUTLIT(p, ",\"latency_ms\":");
        p = put_latency(p, lat);
        p = PUTLIT(p, ",\"path\":\"");
    } else {
        *p++ = '\t';
        p = put(p, level_name[level], strlen(level_name[level]));
        *p++ = '\t';
        p = put_user(p, uid);
        *p++ = '\t';
        p = put_hex64(p, sess);
        *p++ = '\t';
        p = put(p, status_str[si], 3);
        *p++ = '\t';
        p = put_latency(p, lat);
        *p++ = '\t';
    }

    p = put(p, pt->pre, path_pre_len[pi]);
    switch (pt->kind) {
    case P_INT: p = put_u64(p, pick_int_id()); break;
    case P_USER: p = put_user(p, rnd_below(8) ? uid : user_id_of_rank(zipf_rank())); break;
    case P_HEX: p = put_hex32(p, rnd32()); break;
    case P_SMALL: p = put_u64(p, 1 + rnd_below(50)); break;
    default: break;
    }
    p = put(p, pt->suf, path_suf_len[pi]);

    p = json ? PUTLIT(p, "\",\"msg\":\"") : PUTLIT(p, "\t");

    uint32_t r = rnd_below(1000);
    if ((level == L_ERROR && r < 400) || (level == L_FATAL && r < 800)) {
        p = put_stack(p, json);
    } else if ((level <= L_DEBUG && r < 25) || (level == L_WARN && r < 60)) {
        p = put_tmpl(p, &voc_long.t[rnd_below(voc_long.n)], json, uid);
    } else {
        const struct vocab *v = &voc_level[level];
        p = put_tmpl(p, &v->t[rnd_below(v->n)], json, uid);
    }

    p = json ? PUTLIT(p, "\"}\n") : PUTLIT(p, "\n");
    return p;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

#define OUT_CAP (1u << 20)
static char *out_buf;

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE)
                exit(0);
            fprintf(stderr, "ladle-gen: write: %s\n", strerror(errno));
            exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
}

/* ------------------------------------------------------------------ */
/* Arguments                                                           */

static void usage(FILE *f)
{
    fputs(
        "usage: ladle-gen [--format json|tsv] [--records N | --bytes SIZE] [--seed S] [--header]\n"
        "\n"
        "Writes a deterministic, realistic service log to stdout, one record per line.\n"
        "\n"
        "  --format json|tsv  JSON lines (default) or tab-separated values\n"
        "  --records N        number of records (default 1000)\n"
        "  --bytes SIZE       stop at the first record boundary at or after SIZE bytes;\n"
        "                     SIZE takes a K, M, G or T suffix (powers of 1024)\n"
        "  --seed S           64-bit seed (default 1); same seed, same output\n"
        "  --header           TSV only: first line names the columns\n"
        "  -h, --help         this text\n"
        "\n"
        "Fields, in order: ts level user session status latency_ms path msg\n",
        f);
}

static _Noreturn void bad(const char *what, const char *arg)
{
    if (arg)
        fprintf(stderr, "ladle-gen: %s: '%s' (try --help)\n", what, arg);
    else
        fprintf(stderr, "ladle-gen: %s (try --help)\n", what);
    exit(2);
}

static int parse_u64(const char *s, uint64_t *out, const char **end)
{
    if (*s < '0' || *s > '9')
        return 0;
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
        s++;
    }
    *out = v;
    *end = s;
    return 1;
}

static int parse_size(const char *s, uint64_t *out)
{
    const char *e;
    uint64_t v;
    if (!parse_u64(s, &v, &e))
        return 0;
    unsigned shift = 0;
    switch (*e) {
    case 0: break;
    case 'k':
    case 'K':
        shift = 10;
        e++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        e++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        e++;
        break;
    case 't':
    case 'T':
        shift = 40;
        e++;
        break;
    default: return 0;
    }
    if (shift && (*e == 'i' || *e == 'I'))
        e++;
    if (shift && (*e == 'b' || *e == 'B'))
        e++;
    if (*e)
        return 0;
    if (shift && v > (UINT64_MAX >> shift))
        return 0;
    *out = v << shift;
    return 1;
}

/* Accepts "--opt value" and "--opt=value". */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (a[n] == '=')
        return a + n + 1;
    if (*i + 1 >= argc)
        bad("missing value for option", name);
    return argv[++*i];
}

static int opt_is(const char *a, const char *name)
{
    size_t n = strlen(name);
    return strncmp(a, name, n) == 0 && (a[n] == 0 || a[n] == '=');
}

int main(int argc, char **argv)
{
    int json = 1, header = 0, have_records = 0, have_bytes = 0;
    uint64_t records = 1000, bytes = 0, seed = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *e;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (opt_is(a, "--format")) {
            const char *v = opt_value(argc, argv, &i, "--format");
            if (!strcmp(v, "json") || !strcmp(v, "jsonl"))
                json = 1;
            else if (!strcmp(v, "tsv"))
                json = 0;
            else
                bad("unknown format (json or tsv)", v);
        } else if (opt_is(a, "--records")) {
            const char *v = opt_value(argc, argv, &i, "--records");
            if (!parse_u64(v, &records, &e) || *e)
                bad("invalid record count", v);
            have_records = 1;
        } else if (opt_is(a, "--bytes")) {
            const char *v = opt_value(argc, argv, &i, "--bytes");
            if (!parse_size(v, &bytes))
                bad("invalid size", v);
            have_bytes = 1;
        } else if (opt_is(a, "--seed")) {
            const char *v = opt_value(argc, argv, &i, "--seed");
            if (!parse_u64(v, &seed, &e) || *e)
                bad("invalid seed", v);
        } else if (!strcmp(a, "--header")) {
            header = 1;
        } else if (a[0] == '-') {
            bad("unknown option", a);
        } else {
            bad("unexpected argument", a);
        }
    }
    if (have_records && have_bytes)
        bad("--records and --bytes are mutually exclusive", NULL);

    /* seed everything */
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        rng_s[i] = splitmix64(&sm);
    session_salt = splitmix64(&sm);

    fmt_init();
    zipf_init();
    VOCAB(&voc_level[L_INFO], msg_info);
    VOCAB(&voc_level[L_DEBUG], msg_debug);
    VOCAB(&voc_level[L_WARN], msg_warn);
    VOCAB(&voc_level[L_ERROR], msg_error);
    VOCAB(&voc_level[L_FATAL], msg_fatal);
    VOCAB(&voc_long, msg_long);
    stack_init();
    lut_build(status_lut, status_weight, N_STATUS);
    for (size_t i = 0; i < N_STATUS; i++)
        put_u32_fixed(status_str[i], status_code[i], 3);
    unsigned pw[N_PATHS];
    for (size_t i = 0; i < N_PATHS; i++) {
        pw[i] = paths[i].weight;
        path_pre_len[i] = strlen(paths[i].pre);
        path_suf_len[i] = strlen(paths[i].suf);
    }
    lut_build(path_lut, pw, N_PATHS);
    ts_base_sec = days_from_civil(2026, 11, 1) * 86400;

    out_buf = xmalloc(OUT_CAP + MAX_RECORD);
    char *p = out_buf;
    uint64_t total = 0;

    if (header && !json) {
        static const char hdr[] = "ts\tlevel\tuser\tsession\tstatus\tlatency_ms\tpath\tmsg\n";
        if (!have_bytes || bytes > 0) {
            p = PUTLIT(p, hdr);
            total += sizeof hdr - 1;
        }
    }

    if (have_bytes) {
        while (total < bytes) {
            char *q = gen_record(p, json);
            total += (uint64_t)(q - p);
            p = q;
            if ((size_t)(p - out_buf) >= OUT_CAP) {
                write_all(out_buf, (size_t)(p - out_buf));
                p = out_buf;
            }
        }
    } else {
        for (uint64_t n = 0; n < records; n++) {
            p = gen_record(p, json);
            if ((size_t)(p - out_buf) >= OUT_CAP) {
                write_all(out_buf, (size_t)(p - out_buf));
                p = out_buf;
            }
        }
    }
    write_all(out_buf, (size_t)(p - out_buf));
    return 0;
}
