/*
 * test_assign.c -- split assignment (src/split/assign.c and the hash
 * routing of split.h), driven as the output stage drives it: a counting
 * pass, ladle_split_state_plan, a writing pass into real shards, which are
 * read back.
 *
 *  - routing: every 64-bit hash goes to one split, the boundaries exactly
 *    where the bounds say, shares within 5 sigma of the ratios;
 *  - --stratify: each class's quota per split is the largest-remainder
 *    share (hand-computed), and exactly that many of its records land in
 *    each split, each record once; the same seed assigns the same records,
 *    another seed other ones;
 *  - --balance under, cap:N, ratio:R, over on one split: each class's
 *    records written there equal its target exactly (under: the smallest
 *    class; over: the largest, every original kept and the rest copies),
 *    the other splits untouched;
 *  - classes: the same hash finds the same class across index growth.
 */
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "record/key.h"
#include "shard/shards.h"
#include "split/assign.h"
#include "split/split.h"
#include "test_stat.h"
#include "test_util.h"

#define MAXREC 4000
#define NCLS 6

struct rec {
    size_t cls;
    uint64_t key;
    char text[32];
    size_t len;
};

static struct rec recs[MAXREC];
static size_t nrec;
static const char *const cls_names[NCLS] = {"c0", "c1", "c2", "c3", "c4", "c5"};
static uint64_t rng_state = 0xA55;

/* sizes[c] records of class c, in a shuffled order, each "r<i> c<c>\n". */
static void make_recs(const size_t *sizes, size_t ncls)
{
    nrec = 0;
    for (size_t c = 0; c < ncls; c++)
        for (size_t i = 0; i < sizes[c]; i++)
            recs[nrec++].cls = c;
    for (size_t i = nrec; i > 1; i--) {
        size_t j = t_below(&rng_state, i), t = recs[i - 1].cls;
        recs[i - 1].cls = recs[j].cls;
        recs[j].cls = t;
    }
    for (size_t i = 0; i < nrec; i++) {
        recs[i].key = t_splitmix(&rng_state);
        recs[i].len = (size_t)snprintf(recs[i].text, sizeof recs[i].text, "r%zu %s\n", i,
                                       cls_names[recs[i].cls]);
    }
}

static uint64_t cls_hash(size_t c)
{
    uint64_t x = 0xC1A55 + c; /* any fixed hash per label will do */
    return t_splitmix(&x);
}

/* ---- one run: counting pass, plan, writing pass, shards read back ---- */

struct outcome {
    uint64_t per[NCLS][3]; /* records written per class and split (from the shards) */
    uint64_t copies[MAXREC];
    int split_of[MAXREC]; /* the (last) split record i was read back from; -1 none */
    uint64_t after[NCLS][3], target[NCLS][3], quota[NCLS][3], n[NCLS][3];
    int ok;
};

static int run_no;

/* Parses the shard text of split k into o. */
static void read_back(const char *text, size_t len, unsigned k, struct outcome *o)
{
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t idx;
        if (!nl || sscanf(text + i, "r%zu", &idx) != 1 || idx >= nrec) {
            CHECKF(0, "shard of split %u: unexpected line at byte %zu", k, i);
            o->ok = 0;
            return;
        }
        o->copies[idx]++;
        o->split_of[idx] = (int)k;
        o->per[recs[idx].cls][k]++;
        i = (size_t)(nl - text) + 1;
    }
}

static void collect(struct ladle_shards *sh, int dirfd, const struct ladle_split_spec *sp,
                    struct outcome *o)
{
    for (unsigned k = 0; k < sp->count; k++) {
        size_t count;
        const struct ladle_shard_info *info = ladle_shards_of(sh, k, &count);
        for (size_t i = 0; i < count; i++) {
            char name[64], path[160];
            ladle_shard_file_name(name, sizeof name, (uint32_t)i, ladle_shards_ext(sh));
            snprintf(path, sizeof path, "%s/%s", sp->names[k], name);
            int fd = openat(dirfd, path, O_RDONLY);
            CHECKF(fd >= 0, "cannot open shard %s", path);
            if (fd < 0)
                continue;
            char *z = malloc(info[i].compressed + 1), *text = malloc(info[i].bytes + 1);
            ssize_t got = pread(fd, z, info[i].compressed, 0);
            close(fd);
            size_t d = ZSTD_decompress(text, info[i].bytes, z, (size_t)got);
            CHECKF(!ZSTD_isError(d) && d == info[i].bytes, "shard %s does not decompress", path);
            if (!ZSTD_isError(d))
                read_back(text, d, k, o);
            free(z);
            free(text);
        }
    }
}

static struct ladle_shards *open_shards(const struct ladle_split_spec *sp, int *dirfd)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s/run%d", t_tmpdir(), run_no++);
    mkdir(dir, 0700);
    *dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    const char *names[LADLE_SPLIT_MAX];
    for (unsigned k = 0; k < sp->count; k++) {
        names[k] = sp->names[k];
        mkdirat(*dirfd, names[k], 0700);
    }
    struct ladle_shards_config sc = {.dirfd = *dirfd,
                                     .dir_name = dir,
                                     .nsplits = sp->count,
                                     .names = names,
                                     .ext = "txt",
                                     .shard_records = 700, /* several shards per split */
                                     .frame_size = 4096,
                                     .level = 1};
    struct ladle_error err = {0};
    struct ladle_shards *sh = NULL;
    CHECKF(ladle_shards_create(&sh, &sc, &err) == LADLE_OK, "shards: %s", err.msg);
    return sh;
}

/* The route the stage before would give record i: PENDING under --stratify. */
static struct ladle_route route_of(const struct ladle_split_spec *sp, uint64_t seed, size_t i)
{
    struct ladle_route rt = {0, (uint32_t)recs[i].len, recs[i].key, cls_hash(recs[i].cls)};
    rt.split = sp->stratify ? LADLE_ROUTE_PENDING
                            : ladle_split_of_hash(sp, ladle_draw(seed, LADLE_DOMAIN_SPLIT, rt.key));
    return rt;
}

static void pass(struct ladle_split_state *s, const struct ladle_split_spec *sp, uint64_t seed)
{
    struct ladle_error err = {0};
    for (size_t i = 0; i < nrec; i++) {
        struct ladle_route rt = route_of(sp, seed, i);
        const char *label = cls_names[recs[i].cls];
        struct ladle_split_class *c = ladle_split_class_get(s, rt.label, label, strlen(label));
        CHECK(c != NULL && c->label_len == strlen(label) && memcmp(c->label, label, 2) == 0);
        CHECK(ladle_split_state_take(s, &rt, c, recs[i].text, &err) == LADLE_OK);
    }
}

static void run(const struct ladle_split_spec *sp, uint64_t seed, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    o->ok = 1;
    for (size_t i = 0; i < nrec; i++)
        o->split_of[i] = -1;
    struct ladle_split_state s;
    struct ladle_error err = {0};
    CHECK(ladle_split_state_init(&s, sp, seed, 1, &err) == LADLE_OK);
    s.counting = 1;
    pass(&s, sp, seed);
    ladle_split_state_plan(&s);
    for (size_t c = 0; c < NCLS; c++) {
        if (!ladle_split_class_known(&s, cls_hash(c)))
            continue;
        struct ladle_split_class *cl = ladle_split_class_get(&s, cls_hash(c), "", 0);
        for (unsigned k = 0; k < sp->count; k++) {
            o->quota[c][k] = sp->stratify ? cl->quota[k] : 0;
            o->target[c][k] = cl->target[k];
            o->n[c][k] = cl->n[k];
        }
    }
    int dirfd;
    struct ladle_shards *sh = open_shards(sp, &dirfd);
    s.counting = 0;
    s.shards = sh;
    pass(&s, sp, seed);
    CHECK(ladle_shards_finish(sh, &err) == LADLE_OK);
    for (size_t c = 0; c < NCLS; c++)
        if (ladle_split_class_known(&s, cls_hash(c)))
            for (unsigned k = 0; k < sp->count; k++)
                o->after[c][k] = ladle_split_class_get(&s, cls_hash(c), "", 0)->after[k];
    collect(sh, dirfd, sp, o);
    ladle_shards_destroy(sh);
    close(dirfd);
    ladle_split_state_free(&s);
}

/* ---- the tests ---- */

static struct ladle_split_spec spec_of(const char *ratios)
{
    struct ladle_split_spec sp;
    memset(&sp, 0, sizeof sp);
    struct ladle_error err = {0};
    CHECKF(ladle_split_parse_ratios(&sp, ratios, 0, &err) == LADLE_OK, "%s", err.msg);
    return sp;
}

static void test_routing(void)
{
    struct ladle_split_spec sp = spec_of("train=0.5,val=0.3,test=0.2");
    CHECK(sp.count == 3 && strcmp(sp.names[2], "test") == 0);
    CHECK(sp.bound[0] < sp.bound[1] && sp.bound[2] == UINT64_MAX);
    CHECK(ladle_split_of_hash(&sp, 0) == 0);
    CHECK(ladle_split_of_hash(&sp, sp.bound[0] - 1) == 0);
    CHECK(ladle_split_of_hash(&sp, sp.bound[0]) == 1);
    CHECK(ladle_split_of_hash(&sp, sp.bound[1] - 1) == 1);
    CHECK(ladle_split_of_hash(&sp, sp.bound[1]) == 2);
    CHECK(ladle_split_of_hash(&sp, UINT64_MAX) == 2);
    uint64_t cnt[3] = {0}, n = 300000, st = 1;
    for (uint64_t i = 0; i < n; i++) {
        unsigned k = ladle_split_of_hash(&sp, t_splitmix(&st));
        CHECK(k < 3);
        cnt[k < 3 ? k : 0]++;
    }
    for (unsigned k = 0; k < 3; k++) {
        double p = sp.ratio[k], sd = sqrt((double)n * p * (1 - p));
        CHECKF(fabs((double)cnt[k] - (double)n * p) <= 5 * sd, "split %u got %llu of %llu", k,
               (unsigned long long)cnt[k], (unsigned long long)n);
    }
}

static void test_stratify(void)
{
    /* Largest remainder of 0.5/0.3/0.2 by hand (ties to the earlier split:
     * 5 records: 2.5, 1.5, 1 -> 3, 1, 1). */
    static const size_t sizes[NCLS] = {7, 10, 1, 3, 1000, 5};
    static const uint64_t want[NCLS][3] = {{4, 2, 1}, {5, 3, 2},       {1, 0, 0},
                                           {1, 1, 1}, {500, 300, 200}, {3, 1, 1}};
    make_recs(sizes, NCLS);
    struct ladle_split_spec sp = spec_of("train=0.5,val=0.3,test=0.2");
    sp.stratify = 1;
    static struct outcome a, b, c;
    run(&sp, 42, &a);
    for (size_t cl = 0; cl < NCLS; cl++)
        for (unsigned k = 0; k < 3; k++) {
            CHECKF(a.quota[cl][k] == want[cl][k], "class %zu split %u: quota %llu, want %llu", cl,
                   k, (unsigned long long)a.quota[cl][k], (unsigned long long)want[cl][k]);
            CHECKF(a.per[cl][k] == want[cl][k] && a.after[cl][k] == want[cl][k],
                   "class %zu split %u: %llu written (%llu counted), want %llu", cl, k,
                   (unsigned long long)a.per[cl][k], (unsigned long long)a.after[cl][k],
                   (unsigned long long)want[cl][k]);
        }
    size_t once = 0;
    for (size_t i = 0; i < nrec; i++)
        once += a.copies[i] == 1;
    CHECKF(once == nrec, "%zu of %zu records written exactly once", once, nrec);
    run(&sp, 42, &b);
    run(&sp, 43, &c);
    CHECK(memcmp(a.split_of, b.split_of, nrec * sizeof *a.split_of) == 0);
    size_t moved = 0;
    for (size_t i = 0; i < nrec; i++)
        moved += a.split_of[i] != c.split_of[i];
    CHECKF(moved > nrec / 4, "another seed moved only %zu of %zu records", moved, nrec);
}

static void check_balance(const char *mode, uint64_t cap, double ratio)
{
    static const size_t sizes[3] = {60, 300, 1500};
    make_recs(sizes, 3);
    struct ladle_split_spec sp = spec_of("train=0.8,test=0.2");
    struct ladle_error err = {0};
    CHECK(ladle_split_parse_balance(&sp, mode, &err) == LADLE_OK);
    CHECK(ladle_split_parse_balance_splits(&sp, "train", &err) == LADLE_OK);
    static struct outcome o;
    run(&sp, 7, &o);
    uint64_t n[3][2] = {{0}}, lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < nrec; i++)
        n[recs[i].cls][ladle_split_of_hash(&sp, ladle_draw(7, LADLE_DOMAIN_SPLIT, recs[i].key))]++;
    for (size_t c = 0; c < 3; c++) {
        lo = n[c][0] < lo ? n[c][0] : lo;
        hi = n[c][0] > hi ? n[c][0] : hi;
    }
    for (size_t c = 0; c < 3; c++) {
        CHECK(o.n[c][0] == n[c][0] && o.n[c][1] == n[c][1]);
        uint64_t t = strcmp(mode, "under") == 0  ? lo
                     : strcmp(mode, "over") == 0 ? hi
                     : cap                       ? (n[c][0] < cap ? n[c][0] : cap)
                           : (uint64_t)fmin((double)n[c][0], floor(ratio * (double)lo));
        CHECKF(o.target[c][0] == t && o.per[c][0] == t && o.after[c][0] == t,
               "--balance %s: class %zu: target %llu, %llu written, want %llu", mode, c,
               (unsigned long long)o.target[c][0], (unsigned long long)o.per[c][0],
               (unsigned long long)t);
        CHECKF(o.per[c][1] == n[c][1], "--balance %s: class %zu: test split changed", mode, c);
    }
    /* Each record where its hash sends it, at most once unless oversampled,
     * and under over every original is kept. */
    size_t bad = 0;
    for (size_t i = 0; i < nrec; i++) {
        int k = (int)ladle_split_of_hash(&sp, ladle_draw(7, LADLE_DOMAIN_SPLIT, recs[i].key));
        int over = strcmp(mode, "over") == 0;
        if (o.copies[i] && o.split_of[i] != k)
            bad++;
        else if ((k == 1 || over) ? o.copies[i] < 1 : o.copies[i] > 1)
            bad++;
    }
    CHECKF(bad == 0, "--balance %s: %zu records misplaced, lost or duplicated", mode, bad);
}

static void test_classes(void)
{
    struct ladle_split_spec sp = spec_of("a=0.5,b=0.5");
    struct ladle_split_state s;
    struct ladle_error err = {0};
    CHECK(ladle_split_state_init(&s, &sp, 1, 1, &err) == LADLE_OK);
    char label[32];
    uint64_t st = 9;
    for (int i = 0; i < 3000; i++) {
        int len = snprintf(label, sizeof label, "L%d", i);
        uint64_t h = t_splitmix(&st) | 1;
        CHECK(!ladle_split_class_known(&s, h));
        /* (a class pointer lasts until the next class is made) */
        struct ladle_split_class *c = ladle_split_class_get(&s, h, label, (size_t)len);
        CHECK(c != NULL && ladle_split_class_known(&s, h));
        if (c)
            c->total = (uint64_t)i;
    }
    CHECK(s.nclasses == 3000);
    st = 9;
    size_t wrong = 0;
    for (int i = 0; i < 3000; i++) {
        struct ladle_split_class *c = ladle_split_class_get(&s, t_splitmix(&st) | 1, "?", 1);
        snprintf(label, sizeof label, "L%d", i);
        wrong += !c || c->total != (uint64_t)i || strcmp(c->label, label) != 0;
    }
    CHECKF(wrong == 0, "%zu classes not found again by their hash", wrong);
    CHECK(s.nclasses == 3000);
    ladle_split_state_free(&s);
}

int main(void)
{
    test_routing();
    test_stratify();
    check_balance("under", 0, 0);
    check_balance("cap:100", 100, 0);
    check_balance("ratio:2.5", 0, 2.5);
    check_balance("over", 0, 0);
    test_classes();
    return t_done("test_assign");
}
