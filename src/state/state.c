/*
 * state.c -- the LDST state container in bytes (layout in state.h).
 *
 * The reader trusts nothing: the magic, the container version, the
 * checksum and the contract are judged first, then the body is walked
 * twice with the same code -- once to check every length against the end
 * and to size what it holds, once to copy it into one block -- so a refused
 * file changes nothing and a half-copied state never exists.
 */
#include "state/state.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "ladle/ladle.h"

#define HEAD_LEN 8     /* magic + version */
#define SUM_LEN 8      /* the trailing checksum */
#define MAX_PARAMS 256 /* so that the duplicate check stays small */
#define SOURCE_MIN 91  /* a source's fixed fields */
#define SEGMENT_LEN 20

static const unsigned char magic[HEAD_LEN - 1] = {'L', 'D', 'S', 'T', 0, 0, 0};

/* --- writing */

static int put(struct ladle_outbuf *o, uint64_t v, int bytes)
{
    unsigned char b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    return ladle_outbuf_append(o, b, (size_t)bytes);
}

static int put_str(struct ladle_outbuf *o, const char *s, size_t len, int lenbytes)
{
    if (lenbytes == 2 && len > UINT16_MAX)
        return -1;
    if (lenbytes == 4 && len > UINT32_MAX)
        return -1;
    return put(o, len, lenbytes) | ladle_outbuf_append(o, s, len);
}

static int put_kv(struct ladle_outbuf *o, const struct ladle_state_kv *kv)
{
    int bad = put(o, (uint64_t)kv->type, 1) | put_str(o, kv->flag, strlen(kv->flag), 2);
    switch (kv->type) {
    case LADLE_STATE_U64:
    case LADLE_STATE_F64: return bad | put(o, kv->u, 8);
    case LADLE_STATE_STR: return bad | put_str(o, kv->s, kv->slen, 4);
    case LADLE_STATE_SWITCH: return bad | put(o, kv->u ? 1 : 0, 1);
    default: return -1;
    }
}

static int put_source(struct ladle_outbuf *o, const struct ladle_state_source *s)
{
    return put(o, s->id, 8) | ladle_outbuf_append(o, s->first, 16) | put(o, s->gen, 4) |
           put_str(o, s->stem, strlen(s->stem), 2) | put_str(o, s->path, strlen(s->path), 2) |
           put(o, (uint64_t)s->kind, 1) | put(o, s->consumed, 8) | put(o, s->records, 8) |
           put(o, s->tail_len, 2) | put(o, s->tail_hash, 8) | put(o, s->dev, 8) |
           put(o, s->ino, 8) | put(o, s->size, 8) | put(o, s->mtime_ns, 8) | put(o, s->ordinal, 4) |
           put(o, s->from, 8) | put(o, s->to, 8);
}

ladle_status ladle_state_encode(const struct ladle_state *st, struct ladle_outbuf *out,
                                struct ladle_error *err)
{
    size_t start = out->len;
    int bad = ladle_outbuf_append(out, magic, sizeof magic) | put(out, LADLE_STATE_VERSION, 1) |
              put(out, st->contract, 4) | ladle_outbuf_append(out, st->design, 4) |
              put(out, st->seed, 8) | put(out, st->job, 8) | put(out, st->nparams, 4);
    for (size_t i = 0; i < st->nparams && !bad; i++)
        bad = put_kv(out, &st->params[i]);
    bad |=
        put_str(out, st->header ? st->header : "", st->header_len, 4) | put(out, st->nsources, 8);
    for (size_t i = 0; i < st->nsources && !bad; i++)
        bad = put_source(out, &st->sources[i]);
    bad |= put(out, st->nsegments, 8);
    for (size_t i = 0; i < st->nsegments && !bad; i++)
        bad = put(out, st->segments[i].source, 4) | put(out, st->segments[i].from, 8) |
              put(out, st->segments[i].to, 8);
    bad |= put(out, st->payload_len, 8);
    if (!bad && st->payload_len)
        bad = ladle_outbuf_append(out, st->payload, st->payload_len);
    if (!bad)
        bad = put(out, XXH3_64bits(out->data + start, out->len - start), 8);
    if (bad)
        return ladle_error_set(err, LADLE_E_INTERNAL,
                               "state: out of memory, or a field too long to write");
    return LADLE_OK;
}

/* --- reading */

struct cur {
    const unsigned char *base, *p, *end;
    int version;
    const char *name;
    struct ladle_error *err;
};

/* Refuses the file at byte `at`. */
static ladle_status refuse(struct cur *c, const unsigned char *at, const char *what)
{
    return ladle_error_set(c->err, LADLE_E_INPUT, "%s%sstate: %s (byte %zu)",
                           c->name ? c->name : "", c->name ? ": " : "", what,
                           (size_t)(at - c->base));
}

static int get(struct cur *c, uint64_t *v, int bytes)
{
    if (c->end - c->p < bytes) {
        refuse(c, c->p, "truncated");
        return -1;
    }
    uint64_t x = 0;
    for (int i = 0; i < bytes; i++)
        x |= (uint64_t)c->p[i] << (8 * i);
    c->p += bytes;
    *v = x;
    return 0;
}

/* A length-prefixed string: *s points at its bytes in the buffer. */
static int get_str(struct cur *c, const unsigned char **s, uint64_t *len, int lenbytes)
{
    const unsigned char *at = c->p;
    if (get(c, len, lenbytes))
        return -1;
    if ((uint64_t)(c->end - c->p) < *len) {
        refuse(c, at, "a length past the end");
        return -1;
    }
    *s = c->p;
    c->p += *len;
    return 0;
}

/* Where pass 2 copies to; NULL in pass 1, which only counts. */
struct fill {
    struct ladle_state_kv *kv;
    struct ladle_state_source *src;
    struct ladle_state_segment *seg;
    char *bytes; /* strings, each NUL-terminated, then the payload */
};

struct counts {
    uint64_t nparams, nsources, nsegments, bytes;
};

static const char *copy_str(struct fill *f, struct counts *n, const unsigned char *s, uint64_t len)
{
    n->bytes += len + 1;
    if (!f)
        return NULL;
    char *d = f->bytes;
    memcpy(d, s, (size_t)len);
    d[len] = '\0';
    f->bytes += len + 1;
    return d;
}

/* A flag as typed, maybe with its value ("--format csv"): printable ASCII,
 * not starting or ending with a space. */
static int printable(const unsigned char *s, uint64_t len)
{
    for (uint64_t i = 0; i < len; i++)
        if (s[i] < ' ' || s[i] >= 0x7f)
            return 0;
    return len > 0 && s[0] != ' ' && s[len - 1] != ' ';
}

static int walk_param(struct cur *c, struct fill *f, struct counts *n, size_t i)
{
    const unsigned char *at = c->p, *flag, *s = NULL;
    uint64_t type, flen, u = 0, slen = 0;
    if (get(c, &type, 1) || get_str(c, &flag, &flen, 2))
        return -1;
    if (!printable(flag, flen))
        return refuse(c, at, "a parameter's name is not a flag"), -1;
    if (type == LADLE_STATE_U64 || type == LADLE_STATE_F64) {
        if (get(c, &u, 8))
            return -1;
    } else if (type == LADLE_STATE_STR) {
        if (get_str(c, &s, &slen, 4))
            return -1;
    } else if (type == LADLE_STATE_SWITCH) {
        if (get(c, &u, 1))
            return -1;
        if (u > 1)
            return refuse(c, c->p - 1, "a switch neither on nor off"), -1;
    } else {
        return refuse(c, at, "a parameter of unknown type"), -1;
    }
    if (!f) {
        n->bytes += flen + 1 + (s ? slen + 1 : 0);
        return 0;
    }
    struct ladle_state_kv *kv = &f->kv[i];
    kv->type = (int)type;
    kv->u = u;
    kv->flag = copy_str(f, n, flag, flen);
    for (size_t j = 0; j < i; j++)
        if (strcmp(f->kv[j].flag, kv->flag) == 0)
            return refuse(c, at, "a parameter given twice"), -1;
    if (s) {
        kv->s = copy_str(f, n, s, slen);
        kv->slen = (size_t)slen;
    }
    return 0;
}

static int walk_source(struct cur *c, struct fill *f, struct counts *n, size_t i)
{
    const unsigned char *at = c->p, *first, *stem, *path;
    uint64_t id, gen, stem_len, path_len, kind, consumed, records, tail_len, v[5];
    if (get(c, &id, 8))
        return -1;
    if (c->end - c->p < 16)
        return refuse(c, c->p, "truncated"), -1;
    first = c->p;
    c->p += 16;
    if (get(c, &gen, 4) || get_str(c, &stem, &stem_len, 2) || get_str(c, &path, &path_len, 2) ||
        get(c, &kind, 1) || get(c, &consumed, 8) || get(c, &records, 8) || get(c, &tail_len, 2))
        return -1;
    for (int k = 0; k < 5; k++)
        if (get(c, &v[k], 8))
            return -1;
    uint64_t ordinal = i, from = 0, to = 0;
    if (c->version >= 2 && (get(c, &ordinal, 4) || get(c, &from, 8) || get(c, &to, 8)))
        return -1;
    if (to && from >= to)
        return refuse(c, at, "a source read over an empty range"), -1;
    if (memchr(stem, 0, (size_t)stem_len) || memchr(path, 0, (size_t)path_len))
        return refuse(c, at, "a source name with a NUL byte"), -1;
    if (kind > LADLE_STATE_PIPE)
        return refuse(c, at, "a source of unknown kind"), -1;
    if (tail_len > LADLE_STATE_TAIL_MAX || tail_len > consumed)
        return refuse(c, at, "a source's tail longer than what it consumed"), -1;
    if (!f) {
        n->bytes += stem_len + 1 + path_len + 1;
        return 0;
    }
    struct ladle_state_source *s = &f->src[i];
    *s = (struct ladle_state_source){.id = id,
                                     .gen = (uint32_t)gen,
                                     .kind = (int)kind,
                                     .consumed = consumed,
                                     .records = records,
                                     .tail_len = (uint16_t)tail_len,
                                     .tail_hash = v[0],
                                     .dev = v[1],
                                     .ino = v[2],
                                     .size = v[3],
                                     .mtime_ns = v[4]};
    memcpy(s->first, first, 16);
    s->ordinal = (uint32_t)ordinal;
    s->from = from;
    s->to = to;
    s->stem = copy_str(f, n, stem, stem_len);
    s->path = copy_str(f, n, path, path_len);
    return 0;
}

/* The body between the version byte and the checksum, once per pass. */
static int walk(struct cur *c, struct ladle_state *st, struct fill *f, struct counts *n)
{
    uint64_t v;
    const unsigned char *at, *s;
    c->p = c->base + HEAD_LEN + 4; /* the contract is judged before */
    if (c->end - c->p < 4)
        return refuse(c, c->p, "truncated"), -1;
    for (int i = 0; i < 4; i++)
        if (!((c->p[i] >= 'A' && c->p[i] <= 'Z') || (c->p[i] >= '0' && c->p[i] <= '9')))
            return refuse(c, c->p, "a design tag that is not one"), -1;
    memcpy(st->design, c->p, 4);
    c->p += 4;
    if (get(c, &st->seed, 8))
        return -1;
    if (c->version >= 2 && get(c, &st->job, 8))
        return -1;
    at = c->p;
    if (get(c, &n->nparams, 4))
        return -1;
    if (n->nparams > MAX_PARAMS)
        return refuse(c, at, "more than 256 parameters"), -1;
    for (size_t i = 0; i < n->nparams; i++)
        if (walk_param(c, f, n, i))
            return -1;
    if (get_str(c, &s, &v, 4))
        return -1;
    st->header = copy_str(f, n, s, v);
    st->header_len = (size_t)v;
    if (get(c, &n->nsources, 8))
        return -1;
    if (n->nsources > (uint64_t)(c->end - c->p) / SOURCE_MIN)
        return refuse(c, c->p - 8, "more sources than bytes to hold them"), -1;
    for (size_t i = 0; i < n->nsources; i++)
        if (walk_source(c, f, n, i))
            return -1;
    if (get(c, &n->nsegments, 8))
        return -1;
    if (n->nsegments > (uint64_t)(c->end - c->p) / SEGMENT_LEN)
        return refuse(c, c->p - 8, "more segments than bytes to hold them"), -1;
    for (size_t i = 0; i < n->nsegments; i++) {
        uint64_t src, from, to;
        at = c->p;
        if (get(c, &src, 4) || get(c, &from, 8) || get(c, &to, 8))
            return -1;
        if (src >= n->nsources || from > to)
            return refuse(c, at, "a segment outside its sources"), -1;
        if (f)
            f->seg[i] = (struct ladle_state_segment){(uint32_t)src, from, to};
    }
    if (get_str(c, &s, &v, 8))
        return -1;
    n->bytes += v;
    if (f) {
        memcpy(f->bytes, s, (size_t)v);
        st->payload = (const unsigned char *)f->bytes;
        st->payload_len = (size_t)v;
    }
    if (c->p != c->end)
        return refuse(c, c->p, "bytes after the payload"), -1;
    return 0;
}

/* Magic, version, checksum and contract, in that order: a damaged file is
 * "corrupt" before its contract field is believed. */
static ladle_status judge_head(struct cur *c, size_t len, uint32_t *contract)
{
    const unsigned char *b = c->base;
    if (len < sizeof magic || memcmp(b, magic, sizeof magic) != 0)
        return refuse(c, b, "not a ladle state file");
    if (len < HEAD_LEN + 4 + SUM_LEN)
        return refuse(c, b + len, "truncated");
    if (b[HEAD_LEN - 1] != LADLE_STATE_VERSION && b[HEAD_LEN - 1] != 1) {
        char what[96];
        snprintf(what, sizeof what, "a state of container version %u, this ladle reads %u",
                 (unsigned)b[HEAD_LEN - 1], (unsigned)LADLE_STATE_VERSION);
        return refuse(c, b + HEAD_LEN - 1, what);
    }
    uint64_t sum = 0;
    for (int i = 0; i < SUM_LEN; i++)
        sum |= (uint64_t)b[len - SUM_LEN + (size_t)i] << (8 * i);
    if (XXH3_64bits(b, len - SUM_LEN) != sum)
        return refuse(c, b + len - SUM_LEN, "truncated or corrupt (checksum)");
    *contract = (uint32_t)b[HEAD_LEN] | (uint32_t)b[HEAD_LEN + 1] << 8 |
                (uint32_t)b[HEAD_LEN + 2] << 16 | (uint32_t)b[HEAD_LEN + 3] << 24;
    if (*contract != LADLE_CONTRACT_VERSION) {
        char what[160];
        snprintf(what, sizeof what, "written by reproducibility contract %u, this ladle has %u%s",
                 (unsigned)*contract, (unsigned)LADLE_CONTRACT_VERSION,
                 *contract < LADLE_CONTRACT_VERSION ? " (its keys differ: start a new state)" : "");
        return refuse(c, b + HEAD_LEN, what);
    }
    return LADLE_OK;
}

ladle_status ladle_state_decode(const void *data, size_t len, const char *name,
                                struct ladle_state *st, struct ladle_error *err)
{
    memset(st, 0, sizeof *st);
    struct cur c = {.base = data,
                    .p = data,
                    .end = (const unsigned char *)data + len,
                    .name = name,
                    .err = err};
    ladle_status s = judge_head(&c, len, &st->contract);
    if (s != LADLE_OK)
        return s;
    c.version = ((const unsigned char *)data)[HEAD_LEN - 1];
    c.end -= SUM_LEN;
    struct counts n = {0};
    struct ladle_state probe = *st;
    if (walk(&c, &probe, NULL, &n))
        return ladle_error_status(err);

    /* Pass 2: one block, arrays first (aligned), then the bytes. */
    size_t kv = (size_t)n.nparams * sizeof(struct ladle_state_kv);
    size_t src = (size_t)n.nsources * sizeof(struct ladle_state_source);
    size_t seg = (size_t)n.nsegments * sizeof(struct ladle_state_segment);
    if (n.nsources > SIZE_MAX / 2 / sizeof(struct ladle_state_source))
        return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    char *block = malloc(kv + src + seg + (size_t)n.bytes + 1);
    if (!block)
        return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    struct fill f = {(void *)block, (void *)(block + kv), (void *)(block + kv + src),
                     block + kv + src + seg};
    struct counts again = {0};
    if (walk(&c, st, &f, &again)) { /* only a duplicate flag fails here */
        free(block);
        memset(st, 0, sizeof *st);
        return ladle_error_status(err);
    }
    st->params = f.kv;
    st->nparams = (size_t)n.nparams;
    st->sources = f.src;
    st->nsources = (size_t)n.nsources;
    st->segments = f.seg;
    st->nsegments = (size_t)n.nsegments;
    st->owned = block;
    return LADLE_OK;
}

void ladle_state_free(struct ladle_state *st)
{
    free(st->owned);
    memset(st, 0, sizeof *st);
}
