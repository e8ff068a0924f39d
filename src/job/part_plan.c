/*
 * part_plan.c -- the cuts of `--part K/N` (see part_plan.h).
 */
#include "job/part_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "codec/zstd_frames.h"
#include "shard/seekable.h"

static int parse_u32(const char *s, const char **end, uint32_t *v)
{
    char *e;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, &e, 10);
    if (errno || x > UINT32_MAX)
        return -1;
    *v = (uint32_t)x;
    *end = e;
    return 0;
}

static ladle_status from_slurm(uint32_t *k, uint32_t *n, struct ladle_error *err)
{
    const char *id = getenv("SLURM_ARRAY_TASK_ID"), *min = getenv("SLURM_ARRAY_TASK_MIN");
    const char *count = getenv("SLURM_ARRAY_TASK_COUNT"), *e;
    uint32_t i, lo = 0;
    if (!id || !count)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--part slurm: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are "
                               "not set (run it as a task of an sbatch --array job)");
    const char *max = getenv("SLURM_ARRAY_TASK_MAX"), *step = getenv("SLURM_ARRAY_TASK_STEP");
    uint32_t hi = 0, by = 1;
    if (parse_u32(id, &e, &i) || *e || parse_u32(count, &e, n) || *e ||
        (min && (parse_u32(min, &e, &lo) || *e)) || i < lo || i - lo >= *n ||
        (max && (parse_u32(max, &e, &hi) || *e || hi < lo || hi - lo + 1 != *n)) ||
        (step && (parse_u32(step, &e, &by) || *e || by != 1)))
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--part slurm: task %s of %s (from %s) is not a part of the "
                               "array: give --array=A-B without a step, or --part K/N",
                               id, count, min ? min : "0");
    *k = i - lo + 1;
    return LADLE_OK;
}

ladle_status ladle_part_parse(const char *spec, uint32_t *k, uint32_t *n, struct ladle_error *err)
{
    const char *e;
    if (strcmp(spec, "slurm") == 0)
        return from_slurm(k, n, err);
    if (parse_u32(spec, &e, k) || *e != '/' || parse_u32(e + 1, &e, n) || *e || *k < 1 || *k > *n)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--part '%s': give K/N with 1 <= K <= N (part 1/4 .. 4/4), or "
                               "slurm",
                               spec);
    return LADLE_OK;
}

/* One input as the plan sees it. */
struct piece {
    uint64_t size;
    int kind; /* 0 whole, 1 plain (cut anywhere), 2 zstd (cut at frames) */
};

static ladle_status look(const char *path, const char *name, struct piece *pc,
                         struct ladle_error *err)
{
    if (strcmp(path, "-") == 0)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "--part reads files: stdin cannot be cut into parts");
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ladle_error_set(err, LADLE_E_INPUT, "%s: cannot open: %s", name, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return ladle_error_set(err, LADLE_E_USAGE,
                               "%s: --part reads regular files: a pipe cannot be cut into parts",
                               name);
    pc->size = (uint64_t)sb.st_size;
    pc->kind = 0;
    return LADLE_OK;
}

/* What kind of cut input i allows: read only for the inputs a span ends
 * in (their magic bytes). */
static int cut_kind(const char *path, const struct ladle_config *cfg)
{
    unsigned char m[4] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t r = pread(fd, m, 4, 0);
    close(fd);
    if (r == 4 && ((m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) ||
                   ((m[0] & 0xf0) == 0x50 && m[1] == 0x2a && m[2] == 0x4d && m[3] == 0x18)))
        return 2; /* a zstd frame, or a skippable one first (pzstd) */
    if (r >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        return 0;
    return cfg->engine.csv_delim ? 0 : 1;
}

/* The edge of a plain or zstd input at local compressed offset x (0 <
 * x < size): decompressed offset of the cut, and where to seek for it. */
struct edge {
    uint64_t comp, dec, seek_comp, seek_dec;
};

/* A seekable-format file (ladle's shards, t2sz): the seek table sizes
 * every frame, with or without content sizes in their headers. 1 when c
 * was filled from it, 0 when the file has no seek table. */
static int seek_table_cut(int fd, uint64_t size, uint64_t at, struct ladle_zstd_cut *c)
{
    struct ladle_seek_table t;
    memset(&t, 0, sizeof t);
    uint64_t end;
    const char *why;
    if (ladle_seek_table_read_fd(fd, size, &t, &end, &why) != 0)
        return 0;
    uint64_t comp = 0, dec = 0;
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < t.count && comp < at; i++) {
        if (t.v[i].dsize) {
            c->prev_comp = comp;
            c->prev_dec = dec;
        }
        comp += t.v[i].csize;
        dec += t.v[i].dsize;
    }
    c->comp = comp < end ? comp : size; /* past the last frame: the end */
    c->dec = dec;
    ladle_seek_table_free(&t);
    return 1;
}

static int edge_at(const char *path, const struct piece *pc, uint64_t x, struct edge *e)
{
    if (pc->kind == 1) {
        *e = (struct edge){x, x, 0, 0};
        return 0;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct ladle_zstd_cut c;
    int r = seek_table_cut(fd, pc->size, x, &c) ? 0 : ladle_zstd_cut_at(fd, pc->size, x, &c);
    close(fd);
    *e = (struct edge){c.comp, c.dec, c.prev_comp, c.prev_dec};
    return r;
}

static uint64_t span_edge(uint64_t total, uint32_t i, uint32_t n)
{
    return (uint64_t)((unsigned __int128)total * i / n);
}

void ladle_part_plan_free(struct ladle_part_plan *pp)
{
    free(pp->ordinal);
    free(pp->ranges);
    free(pp->paths);
    free(pp->names);
    memset(pp, 0, sizeof *pp);
}

/* Input i's range in this part: whole, a cut one, or none (*in = 0). */
static int range_of(const char *path, const struct ladle_config *cfg, struct piece *pc, uint64_t g,
                    uint64_t a, uint64_t b, int last, struct ladle_input_start *r, int *in)
{
    uint64_t s = pc->size;
    int crosses = (g < a && a < g + s) || (g < b && b < g + s);
    *in = 0;
    memset(r, 0, sizeof *r);
    r->part = 1;
    if (crosses) {
        pc->kind = cut_kind(path, cfg);
        struct edge whole;
        if (pc->kind == 2 && edge_at(path, pc, s, &whole) != 0)
            pc->kind = 0; /* damaged headers: one piece (the decoder says what is wrong) */
    }
    if (!crosses || pc->kind == 0) { /* whole, to the part that holds its middle byte */
        uint64_t mid = g + s / 2;
        *in = a <= mid && (mid < b || (last && mid == b));
        return 0;
    }
    /* The range in decompressed bytes, [start, stop), UINT64_MAX: the end.
     * A cut at the file's end (no frame after it) is the end too. */
    struct edge lo = {0, 0, 0, 0}, hi = {s, 0, 0, 0};
    if (g < a && edge_at(path, pc, a - g, &lo) != 0)
        return -1;
    if (b < g + s && edge_at(path, pc, b - g, &hi) != 0)
        return -1;
    uint64_t start = lo.comp >= s ? UINT64_MAX : lo.dec;
    uint64_t stop = hi.comp >= s ? UINT64_MAX : hi.dec;
    if (start >= stop)
        return 0; /* the span ends inside one frame, or one line */
    r->start = start;
    r->stop = stop == UINT64_MAX ? 0 : stop;
    if (pc->kind == 2) { /* decoded from the frame cut at, its edges by line ends after them */
        r->after = 1;
        r->stop_comp = r->stop ? hi.comp : 0;
        r->seek_comp = start ? lo.comp : 0;
        r->seek_dec = start ? lo.dec : 0;
    }
    *in = 1;
    return 0;
}

static uint64_t job_hash(const char *const *paths, uint32_t count, uint32_t n)
{
    XXH3_state_t *h = XXH3_createState();
    if (!h)
        return 0;
    XXH3_64bits_reset(h);
    XXH3_64bits_update(h, "ladlepart", 9);
    XXH3_64bits_update(h, &n, sizeof n);
    for (uint32_t i = 0; i < count; i++)
        XXH3_64bits_update(h, paths[i], strlen(paths[i]) + 1);
    uint64_t v = XXH3_64bits_digest(h);
    XXH3_freeState(h);
    return v ? v : 1; /* 0 is "not a part" */
}

ladle_status ladle_part_plan_make(struct ladle_part_plan *pp, const char *const *paths,
                                  const char *const *names, uint32_t count, uint32_t k, uint32_t n,
                                  const struct ladle_config *cfg, struct ladle_error *err)
{
    memset(pp, 0, sizeof *pp);
    pp->k = k;
    pp->n = n;
    struct piece *pc = calloc(count ? count : 1, sizeof *pc);
    pp->ordinal = calloc(count ? count : 1, sizeof *pp->ordinal);
    pp->ranges = calloc(count ? count : 1, sizeof *pp->ranges);
    pp->paths = calloc(count ? count : 1, sizeof *pp->paths);
    pp->names = calloc(count ? count : 1, sizeof *pp->names);
    ladle_status st = LADLE_OK;
    if (!pc || !pp->ordinal || !pp->ranges || !pp->paths || !pp->names)
        st = ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    uint64_t total = 0;
    for (uint32_t i = 0; i < count && st == LADLE_OK; i++)
        if ((st = look(paths[i], names[i], &pc[i], err)) == LADLE_OK)
            total += pc[i].size;
    uint64_t a = span_edge(total, k - 1, n), b = span_edge(total, k, n), g = 0;
    for (uint32_t i = 0; i < count && st == LADLE_OK; g += pc[i].size, i++) {
        int in;
        struct ladle_input_start *r = &pp->ranges[pp->count];
        if (range_of(paths[i], cfg, &pc[i], g, a, b, k == n, r, &in) != 0)
            st = ladle_error_set(err, LADLE_E_INPUT, "%s: cannot read it to cut it into parts",
                                 names[i]);
        else if (in) {
            pp->ordinal[pp->count] = i;
            pp->paths[pp->count] = paths[i];
            pp->names[pp->count++] = names[i];
        }
    }
    pp->job = job_hash(paths, count, n);
    free(pc);
    return st;
}
