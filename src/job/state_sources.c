/*
 * state_sources.c -- which bytes of which inputs a `--state` run reads
 * (doc/design-issue10.md, section 5: growing and rotating logs).
 *
 * A source is known by its first record (F, from the job's probe): a file
 * whose F is a consumed source's, whatever its name now, is that source
 * if it still holds the bytes the state ended with (the hash of its last
 * 4 KiB consumed). It is then read from there, under its stored id and in
 * its stored place, so that no record is read twice and none is skipped:
 * a log that grew, was renamed (app.log -> app.log.1) or compressed
 * (app.log.1.gz) continues. Anything else is a new source; one that
 * shares a consumed source's name or start (it shrank, or was rewritten)
 * is said on stderr.
 */
#include "job/state_sources.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static void fp_bytes(struct ladle_fingerprint f, unsigned char out[16])
{
    for (int b = 0; b < 8; b++) {
        out[b] = (unsigned char)(f.low >> (8 * b));
        out[8 + b] = (unsigned char)(f.high >> (8 * b));
    }
}

/* XXH3-64 of bytes [end - len, end) of the file at path; 0 and *ok = 0
 * when they cannot be read. */
static uint64_t file_tail_hash(const char *path, uint64_t end, uint16_t len, int *ok)
{
    unsigned char buf[LADLE_STATE_TAIL_MAX];
    *ok = 0;
    if (len > end || len > sizeof buf)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n;
    do
        n = pread(fd, buf, len, (off_t)(end - len));
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n != (ssize_t)len)
        return 0;
    *ok = 1;
    return XXH3_64bits(buf, len);
}

static int same_hint(const struct ladle_state_source *a, const struct ladle_state_source *b)
{
    if (a->kind == LADLE_STATE_PIPE || b->kind == LADLE_STATE_PIPE)
        return 0; /* a pipe's inode says nothing of what comes through it */
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns;
}

/* 1 when the input (new, probed) continues consumed source o: a plain
 * file that still holds o's last bytes where they were, or a compressed
 * file or a pipe (checked by the decoder as it passes them). */
static int continues(const struct ladle_state_source *in, const char *path,
                     const struct ladle_state_source *o)
{
    if (in->kind != LADLE_STATE_PLAIN)
        return 1;
    if (in->size < o->consumed)
        return 0;
    int ok;
    uint64_t h = file_tail_hash(path, o->consumed, o->tail_len, &ok);
    return ok && h == o->tail_hash;
}

static ladle_status nomem(struct ladle_error *err)
{
    return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
}

static ladle_status grow_arrays(struct ladle_state_inputs *si, size_t cap, struct ladle_error *err)
{
    size_t n = cap ? cap : 1;
    si->all = calloc(n, sizeof *si->all);
    si->paths = calloc(n, sizeof *si->paths);
    si->names = calloc(n, sizeof *si->names);
    si->ids = calloc(n, sizeof *si->ids);
    si->opened = calloc(n, sizeof *si->opened);
    si->starts = calloc(n, sizeof *si->starts);
    si->ends = calloc(n, sizeof *si->ends);
    si->read = calloc(n, sizeof *si->read);
    si->firsts = calloc(n, sizeof *si->firsts);
    if (!si->all || !si->paths || !si->names || !si->ids || !si->opened || !si->starts ||
        !si->ends || !si->read || !si->firsts)
        return nomem(err);
    return LADLE_OK;
}

/* The input as a source: its probe and its stat hint. */
static ladle_status describe(const struct ladle_probe *p, uint32_t i, const char *path,
                             const char *name, struct ladle_state_source *s,
                             struct ladle_error *err)
{
    struct stat sb;
    int in = strcmp(path, "-") == 0;
    if ((in ? fstat(STDIN_FILENO, &sb) : stat(path, &sb)) != 0)
        return ladle_error_set(err, LADLE_E_INPUT, "%s: cannot open: %s", name, strerror(errno));
    memset(s, 0, sizeof *s);
    s->id = p->ids[i];
    fp_bytes(p->fps[i], s->first);
    s->stem = p->stems[i];
    s->path = path;
    s->kind = p->kinds[i] == 1   ? LADLE_STATE_ZSTD
              : p->kinds[i] == 2 ? LADLE_STATE_GZIP
                                 : LADLE_STATE_PLAIN;
    if (!S_ISREG(sb.st_mode)) { /* a finished stream: no stat hint, decoded and checked */
        s->kind = LADLE_STATE_PIPE;
        return LADLE_OK;
    }
    s->dev = (uint64_t)sb.st_dev;
    s->ino = (uint64_t)sb.st_ino;
    s->size = (uint64_t)sb.st_size;
    s->mtime_ns = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
    return LADLE_OK;
}

static void notice(const struct ladle_config *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void notice(const struct ladle_config *cfg, const char *fmt, ...)
{
    if (!cfg->engine.notify)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cfg->engine.notify(cfg->engine.notify_arg, line);
}

/* The consumed source a new one is most like: the same start, else the
 * same name; NULL if none. */
static const struct ladle_state_source *related(const struct ladle_state *old,
                                                const struct ladle_state_source *in)
{
    for (size_t k = 0; k < old->nsources; k++)
        if (memcmp(old->sources[k].first, in->first, 16) == 0)
            return &old->sources[k];
    for (size_t k = 0; k < old->nsources; k++)
        if (strcmp(old->sources[k].stem, in->stem) == 0)
            return &old->sources[k];
    return NULL;
}

/* A new source that shares a consumed one's name or start: say why it is
 * not read as that one. */
static void say_new(const struct ladle_config *cfg, const struct ladle_state *old,
                    const struct ladle_state_source *in, const char *name)
{
    const struct ladle_state_source *o = related(old, in);
    if (!o)
        return;
    int same_start = memcmp(o->first, in->first, 16) == 0;
    if (in->kind == LADLE_STATE_PLAIN && same_start && in->size < o->consumed)
        notice(cfg,
               "warning: %s: a new source: it shrank from %llu to %llu bytes since --state "
               "read it",
               name, (unsigned long long)o->consumed, (unsigned long long)in->size);
    else
        notice(cfg, "warning: %s: a new source: %s since --state read %s", name,
               same_start ? "its bytes differ" : "its first record changed", o->path);
}

/* A new source's id, made unique against the state's: (stem, F) seen
 * before in a source that was not continued counts a generation up. */
static uint64_t fresh_id(const struct ladle_state *old, const struct ladle_state_source *in,
                         struct ladle_fingerprint f, uint32_t *gen)
{
    uint64_t id = in->id;
    for (*gen = 0;; ++*gen) {
        id = ladle_source_id(in->stem, strlen(in->stem), f, *gen);
        size_t k = 0;
        while (k < old->nsources && old->sources[k].id != id)
            k++;
        if (k == old->nsources)
            return id;
    }
}

ladle_status ladle_state_inputs_plan(struct ladle_state_inputs *si, const struct ladle_state *old,
                                     const struct ladle_pipeline_io *io,
                                     const struct ladle_probe *p, const struct ladle_config *cfg,
                                     const struct ladle_part_plan *part, struct ladle_error *err)
{
    memset(si, 0, sizeof *si);
    size_t nold = old->nsources;
    ladle_status st = grow_arrays(si, nold + io->count, err);
    if (st != LADLE_OK)
        return st;
    for (size_t k = 0; k < nold; k++) {
        si->all[k] = old->sources[k];
        si->paths[k] = "/dev/null"; /* holds the place of a consumed source */
        si->names[k] = old->sources[k].path;
        si->ids[k] = old->sources[k].id; /* no record, but its kept ones key by it */
    }
    size_t n = nold;
    for (uint32_t i = 0; i < io->count; i++) {
        if (!p->has_id[i])
            continue; /* no record: nothing to read, nothing to remember */
        struct ladle_state_source in;
        if ((st = describe(p, i, io->paths[i], io->names[i], &in, err)) != LADLE_OK)
            return st;
        size_t k = 0;
        for (; k < nold; k++) {
            const struct ladle_state_source *o = &old->sources[k];
            if (memcmp(o->first, in.first, 16) == 0 &&
                (same_hint(o, &in) || continues(&in, io->paths[i], o)))
                break;
        }
        if (k < nold) { /* a consumed source, maybe grown, renamed or compressed */
            if (si->read[k] || si->all[k].path != old->sources[k].path)
                return ladle_error_set(err, LADLE_E_USAGE,
                                       "%s and %s are both the source --state consumed as %s: "
                                       "give one of them",
                                       si->names[k], io->names[i], old->sources[k].path);
            si->all[k].path = io->paths[i];
            si->names[k] = io->names[i];
            si->firsts[k] = in;
            if (same_hint(&old->sources[k], &in) ||
                (in.kind == LADLE_STATE_PLAIN && in.size == old->sources[k].consumed))
                continue; /* nothing new: only where it was seen last changes */
            si->paths[k] = io->paths[i];
            si->opened[k] = p->opened[i];
            si->starts[k] = (struct ladle_input_start){.start = old->sources[k].consumed,
                                                       .tail_hash = old->sources[k].tail_hash,
                                                       .tail_len = old->sources[k].tail_len};
            si->read[k] = 1;
            continue;
        }
        for (size_t g = nold; g < n; g++)
            if (si->all[g].id == in.id)
                return ladle_error_set(err, LADLE_E_USAGE,
                                       "%s and %s are the same source to --state: give it once",
                                       si->names[g], io->names[i]);
        say_new(cfg, old, &in, io->names[i]);
        in.id = fresh_id(old, &in, p->fps[i], &in.gen);
        in.ordinal = (uint32_t)n;
        if (part) { /* --part: its range, and its place among all the job's inputs */
            si->starts[n] = part->ranges[i];
            in.ordinal = part->ordinal[i];
            in.from = part->ranges[i].start;
            in.to = part->ranges[i].stop;
        }
        si->all[n] = in;
        si->firsts[n] = in;
        si->paths[n] = io->paths[i];
        si->names[n] = io->names[i];
        si->ids[n] = in.id;
        si->opened[n] = p->opened[i];
        si->read[n] = 1;
        n++;
    }
    si->count = n;
    return LADLE_OK;
}

ladle_status ladle_state_inputs_settle(struct ladle_state_inputs *si,
                                       const struct ladle_config *cfg, struct ladle_error *err)
{
    for (size_t k = 0; k < si->count; k++) {
        struct ladle_state_source *s = &si->all[k];
        const struct ladle_input_end *e = &si->ends[k];
        if (si->firsts[k].stem) { /* seen this run: where, and its stat hint */
            s->path = si->firsts[k].path;
            s->kind = si->firsts[k].kind;
            s->dev = si->firsts[k].dev;
            s->ino = si->firsts[k].ino;
            s->size = si->firsts[k].size;
            s->mtime_ns = si->firsts[k].mtime_ns;
        }
        if (!si->read[k])
            continue;
        /* Not read to its end only when the design needed no more (--head
         * full): its records after e->end could never be drawn. */
        s->consumed = e->end;
        s->tail_len = (uint16_t)(e->end < LADLE_STATE_TAIL_MAX ? e->end : LADLE_STATE_TAIL_MAX);
        if (si->starts[k].part && e->tail_len < s->tail_len)
            s->tail_len = e->tail_len; /* a part's ring holds its own range only */
        if (s->kind == LADLE_STATE_PLAIN) {
            int ok;
            s->tail_hash = file_tail_hash(si->paths[k], s->consumed, s->tail_len, &ok);
            if (!ok)
                return ladle_error_set(err, LADLE_E_INPUT, "%s: cannot read it again: %s",
                                       si->names[k], strerror(errno));
        } else if (e->tail_len >= s->tail_len) {
            s->tail_hash = e->tail_hash; /* decoded from byte 0: the ring saw it */
        } else {
            return ladle_error_set(err, LADLE_E_INTERNAL, "%s: its last bytes were not kept",
                                   si->names[k]);
        }
        if (e->held && e->done) /* not a record cut where --head stopped */
            notice(cfg, "note: %s: %llu bytes without a line end wait for the next run (--state)",
                   si->names[k], (unsigned long long)e->held);
    }
    return LADLE_OK;
}

void ladle_state_inputs_free(struct ladle_state_inputs *si)
{
    free(si->all);
    free(si->paths);
    free(si->names);
    free(si->ids);
    free(si->opened);
    free(si->starts);
    free(si->ends);
    free(si->read);
    free(si->firsts);
    memset(si, 0, sizeof *si);
}
