/*
 * verify_shard.c -- one shard of `ladle verify` (see verify_shard.h).
 *
 * Each shard is read once, front to back, in LADLE_VERIFY_BLOCK preads:
 * every block goes into the file's XXH3-128 and the part of it before the
 * seek table is fed to a streaming zstd decoder, cut at the boundaries the
 * seek table gives. So a multi-GB shard costs one read and a block, a
 * decoder window and an output buffer of memory, whatever its size or its
 * frames' sizes.
 *
 * The decoder keeps zstd's default window limit (128 MiB): shards are
 * written with ordinary levels, and a corrupt header must not make us
 * allocate gigabytes.
 */
#include "split/verify_shard.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "record/csv_edge.h"
#include "common/sha256.h"
#include "shard/seekable.h"

/* Where the scan is in the seek table's current frame. */
struct frame_scan {
    size_t i;       /* frame index in the seek table */
    int started;    /* frame i has begun */
    uint64_t start; /* its offset in the file */
    uint64_t fed;   /* its compressed bytes fed so far */
    uint64_t out;   /* its decompressed bytes so far */
    uint64_t lines; /* records: under csv, '\n's outside quotes */
    char csv_delim;
    enum ladle_csv_state csv_state;
    unsigned char last; /* its last decompressed byte */
    int ended;          /* the decoder finished the zstd frame */
    int failed;         /* already reported: ignore the rest of its bytes */
    XXH64_state_t xxh;
    /* whole shard */
    uint64_t total_lines, total_bytes, bad_frames;
};

static void frame_where(const struct frame_scan *fs, char *buf, size_t cap)
{
    snprintf(buf, cap, "frame %zu at byte %llu", fs->i, (unsigned long long)fs->start);
}

static void take_output(struct frame_scan *fs, const unsigned char *p, size_t n)
{
    if (!n)
        return;
    XXH64_update(&fs->xxh, p, n);
    fs->out += n;
    fs->last = p[n - 1];
    if (fs->csv_delim) {
        const char *c = (const char *)p;
        for (size_t e; n && (e = ladle_csv_first_edge(c, n, fs->csv_delim, &fs->csv_state));
             c += e, n -= e)
            fs->lines++;
        return;
    }
    for (const unsigned char *e = p + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        fs->lines++;
}

/* Feeds the next len compressed bytes of the current frame to the decoder. */
static void feed_frame(struct ladle_verify_run *v, struct frame_scan *fs, const char *file,
                       const unsigned char *data, size_t len)
{
    ZSTD_inBuffer in = {data, len, 0};
    char where[64];
    while (!fs->failed && in.pos < in.size) {
        if (fs->ended) {
            frame_where(fs, where, sizeof where);
            ladle_verify_problem(v, file, where,
                                 "zstd frame ends at byte %llu, inside its seek table entry",
                                 (unsigned long long)(fs->start + fs->fed + in.pos));
            fs->failed = 1;
            break;
        }
        ZSTD_outBuffer out = {v->out, v->out_cap, 0};
        size_t r = ZSTD_decompressStream(v->dctx, &out, &in);
        if (ZSTD_isError(r)) {
            frame_where(fs, where, sizeof where);
            ladle_verify_problem(v, file, where, "cannot decompress: %s", ZSTD_getErrorName(r));
            fs->failed = 1;
            break;
        }
        take_output(fs, out.dst, out.pos);
        fs->ended = r == 0;
    }
    fs->fed += len;
}

/* All of frame i's bytes are fed: drain the decoder and check the frame. */
static void end_frame(struct ladle_verify_run *v, struct frame_scan *fs, const char *file,
                      const struct ladle_seek_table *t)
{
    const struct ladle_seek_entry *e = &t->v[fs->i];
    char where[64];
    frame_where(fs, where, sizeof where);
    while (!fs->failed && !fs->ended) {
        ZSTD_inBuffer in = {NULL, 0, 0};
        ZSTD_outBuffer out = {v->out, v->out_cap, 0};
        size_t r = ZSTD_decompressStream(v->dctx, &out, &in);
        if (ZSTD_isError(r)) {
            ladle_verify_problem(v, file, where, "cannot decompress: %s", ZSTD_getErrorName(r));
            fs->failed = 1;
            break;
        }
        take_output(fs, out.dst, out.pos);
        fs->ended = r == 0;
        if (!fs->ended && out.pos == 0)
            break; /* the decoder wants input the entry does not have */
    }
    uint64_t before = v->tot.problems;
    if (e->csize == 0) {
        ladle_verify_problem(v, file, where, "seek table entry has no compressed bytes");
    } else if (!fs->failed && !fs->ended) {
        ladle_verify_problem(v, file, where,
                             "zstd frame continues past the %u bytes of its seek table entry",
                             e->csize);
    } else if (!fs->failed) {
        if (fs->out != e->dsize)
            ladle_verify_problem(v, file, where, "decompresses to %llu bytes, seek table says %u",
                                 (unsigned long long)fs->out, e->dsize);
        uint32_t sum = (uint32_t)XXH64_digest(&fs->xxh);
        if (t->checksummed && sum != e->checksum)
            ladle_verify_problem(v, file, where, "checksum %08x, seek table says %08x", sum,
                                 e->checksum);
        if (fs->out == 0)
            ladle_verify_problem(v, file, where, "frame holds no lines");
        else if (fs->last != '\n')
            ladle_verify_problem(v, file, where, "frame does not end at a line boundary");
    }
    if (fs->failed || v->tot.problems != before)
        fs->bad_frames++;
    fs->total_lines += fs->lines;
    fs->total_bytes += fs->out;
    ZSTD_DCtx_reset(v->dctx, ZSTD_reset_session_only);
}

/* Ends every frame whose bytes are all fed and begins the next one. */
static void advance_frames(struct ladle_verify_run *v, struct frame_scan *fs, const char *file,
                           const struct ladle_seek_table *t)
{
    while (fs->i < t->count && (!fs->started || fs->fed == t->v[fs->i].csize)) {
        if (fs->started) {
            end_frame(v, fs, file, t);
            fs->start += t->v[fs->i].csize;
            fs->i++;
        }
        fs->started = fs->i < t->count;
        fs->fed = fs->out = fs->lines = 0;
        fs->ended = fs->failed = 0;
        XXH64_reset(&fs->xxh, 0);
    }
}

/* Reads the shard once: hashes all of it into *hash and, when t is given,
 * decodes [0, frames_end) frame by frame. 0, or -1 on a read error (reported). */
static int scan_shard(struct ladle_verify_run *v, int fd, uint64_t size, const char *file,
                      const struct ladle_seek_table *t, uint64_t frames_end, struct frame_scan *fs,
                      XXH128_hash_t *hash, struct ladle_sha256 *sha)
{
    XXH3_state_t h;
    XXH3_128bits_reset(&h);
    /* A previous shard may have stopped mid-frame on a read error. */
    ZSTD_DCtx_reset(v->dctx, ZSTD_reset_session_only);
    if (t)
        advance_frames(v, fs, file, t);
    for (uint64_t pos = 0; pos < size;) {
        size_t want = size - pos < LADLE_VERIFY_BLOCK ? (size_t)(size - pos) : LADLE_VERIFY_BLOCK;
        ssize_t n = pread(fd, v->in, want, (off_t)pos);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            char where[48];
            snprintf(where, sizeof where, "at byte %llu", (unsigned long long)pos);
            ladle_verify_problem(v, file, where, "cannot read: %s",
                                 n < 0 ? strerror(errno) : "file shrank");
            return -1;
        }
        XXH3_128bits_update(&h, v->in, (size_t)n);
        if (sha)
            ladle_sha256_update(sha, v->in, (size_t)n);
        /* The entries tile [0, frames_end) (the parser checked), so each
         * byte before the table belongs to frame fs->i. */
        for (size_t off = 0; t && fs->i < t->count && off < (size_t)n && pos + off < frames_end;) {
            uint64_t left = t->v[fs->i].csize - fs->fed;
            size_t take = (size_t)n - off < left ? (size_t)n - off : (size_t)left;
            feed_frame(v, fs, file, v->in + off, take);
            off += take;
            advance_frames(v, fs, file, t);
        }
        pos += (uint64_t)n;
    }
    *hash = XXH3_128bits_digest(&h);
    return 0;
}

/* Opens "<split>/<name>" below DIR refusing symlinks at both steps, and
 * anything that is not a regular file. -1 when reported. */
static int open_shard(struct ladle_verify_run *v, const char *file, struct stat *st)
{
    const char *slash = strchr(file, '/');
    char sub[256];
    if ((size_t)(slash - file) >= sizeof sub) {
        ladle_verify_problem(v, file, NULL, "path too long");
        return -1;
    }
    memcpy(sub, file, (size_t)(slash - file));
    sub[slash - file] = '\0';
    int dfd = openat(v->dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    /* O_NONBLOCK: a FIFO planted under a shard's name must not hang us. */
    int fd = dfd < 0 ? -1 : openat(dfd, slash + 1, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    int saved = errno;
    if (dfd >= 0)
        close(dfd);
    if (fd < 0) {
        ladle_verify_problem(v, file, NULL, "cannot open: %s",
                             saved == ELOOP ? "it is a symbolic link (refused)" : strerror(saved));
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        ladle_verify_problem(v, file, NULL, "not a regular file");
        close(fd);
        return -1;
    }
    return fd;
}

/* The manifest's SHA-256 of the shard, or NULL: none (reported when malformed). */
static const char *sha256_expected(struct ladle_verify_run *v, const struct ladle_shard_expect *x)
{
    const char *s = json_string_value(x->sha256);
    size_t n = 0;
    while (s && ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
        n++;
    if (s && n == 64 && !s[n])
        return s;
    if (x->sha256)
        ladle_verify_problem(v, x->file, NULL,
                             "the manifest's \"sha256\" is not 64 lowercase hex digits");
    return NULL;
}

void ladle_verify_shard(struct ladle_verify_run *v, const struct ladle_shard_expect *x)
{
    struct stat st;
    int fd = open_shard(v, x->file, &st);
    if (fd < 0)
        return;
    uint64_t size = (uint64_t)st.st_size;
    if (size != x->compressed)
        ladle_verify_problem(v, x->file, NULL, "file is %llu bytes, manifest says %llu",
                             (unsigned long long)size, (unsigned long long)x->compressed);

    struct ladle_seek_table t = {0};
    uint64_t frames_end = 0;
    const char *why;
    int have_table = ladle_seek_table_read_fd(fd, size, &t, &frames_end, &why) == 0;
    if (!have_table)
        ladle_verify_problem(v, x->file, NULL, "%s", why);
    else if (t.count != x->frames)
        ladle_verify_problem(v, x->file, NULL, "seek table lists %zu %s, manifest says %llu",
                             t.count, t.count == 1 ? "frame" : "frames",
                             (unsigned long long)x->frames);

    struct frame_scan fs = {0};
    fs.csv_delim = v->csv_delim;
    XXH128_hash_t hash;
    uint64_t before = v->tot.problems;
    const char *want = sha256_expected(v, x);
    struct ladle_sha256 *sha = want ? ladle_sha256_new() : NULL;
    int scanned =
        scan_shard(v, fd, size, x->file, have_table ? &t : NULL, frames_end, &fs, &hash, sha) == 0;
    if (scanned && want) {
        char hex[LADLE_SHA256_HEX];
        if (!sha || ladle_sha256_hex(sha, hex) != 0)
            ladle_verify_problem(v, x->file, NULL, "cannot compute its SHA-256 (libcrypto)");
        else if (strcmp(hex, want) != 0)
            ladle_verify_problem(v, x->file, NULL, "SHA-256 is %s, manifest says %s", hex, want);
    }
    ladle_sha256_free(sha);
    if (scanned && x->xxh3_128) {
        XXH128_canonical_t c;
        char hex[33];
        XXH128_canonicalFromHash(&c, hash);
        for (int i = 0; i < 16; i++)
            snprintf(hex + 2 * i, 3, "%02x", c.digest[i]);
        if (strcmp(hex, x->xxh3_128) != 0)
            ladle_verify_problem(v, x->file, NULL, "XXH3-128 is %s, manifest says %s", hex,
                                 x->xxh3_128);
    }
    /* Counts are only meaningful when every frame decoded. */
    if (have_table && v->tot.problems == before && fs.bad_frames == 0) {
        uint64_t headers = v->header ? 1 : 0;
        if (fs.total_lines < headers)
            ladle_verify_problem(v, x->file, NULL,
                                 "no header line, but the manifest says \"header\": true");
        else if (fs.total_lines - headers != x->records)
            ladle_verify_problem(v, x->file, NULL, "holds %llu records, manifest says %llu",
                                 (unsigned long long)(fs.total_lines - headers),
                                 (unsigned long long)x->records);
        if (fs.total_bytes != x->bytes)
            ladle_verify_problem(v, x->file, NULL, "holds %llu bytes, manifest says %llu",
                                 (unsigned long long)fs.total_bytes, (unsigned long long)x->bytes);
    }
    ladle_seek_table_free(&t);
    close(fd);
}
