/*
 * test_util.c -- see test_util.h.
 */
#include "test_util.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/source_id.h"

int t_failures;
static char tmpdir[256];

int t_done(const char *name)
{
    t_cleanup();
    if (t_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, t_failures);
        return 1;
    }
    fprintf(stderr, "%s: ok%s\n", name, t_smoke() ? " (LADLE_TEST_SCALE=smoke)" : "");
    return 0;
}

int t_smoke(void)
{
    static int smoke = -1;
    if (smoke < 0) {
        const char *v = getenv("LADLE_TEST_SCALE");
        smoke = v && strcmp(v, "smoke") == 0;
    }
    return smoke;
}

size_t t_reps(size_t full, size_t smoke)
{
    return t_smoke() ? smoke : full;
}

unsigned t_threads_step(unsigned max)
{
    return t_smoke() ? max - 1 : 1;
}

const char *t_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/ladle-test-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return tmpdir;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void t_cleanup(void)
{
    if (tmpdir[0])
        nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    tmpdir[0] = '\0';
}

char *t_write_file(const char *name, const void *data, size_t len)
{
    size_t n = strlen(t_tmpdir()) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", t_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    return path;
}

void t_run_job(ladle_job *job, struct t_output *out)
{
    memset(out, 0, sizeof *out);
    char path[512];
    snprintf(path, sizeof path, "%s/out-XXXXXX", t_tmpdir());
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        exit(1);
    }
    out->status = ladle_job_run(job, fd, &out->report);
    snprintf(out->error, sizeof out->error, "%s", ladle_job_error(job));
    off_t size = lseek(fd, 0, SEEK_END);
    out->len = (size_t)size;
    out->data = malloc(out->len + 1);
    if (pread(fd, out->data, out->len, 0) != (ssize_t)out->len) {
        perror("pread");
        exit(1);
    }
    out->data[out->len] = '\0';
    close(fd);
    unlink(path);
}

void t_output_free(struct t_output *out)
{
    free(out->data);
    out->data = NULL;
}

size_t t_count_lines(const struct t_output *out)
{
    size_t n = 0;
    for (size_t i = 0; i < out->len; i++)
        n += out->data[i] == '\n';
    return n;
}

void t_show_first_diff(const struct t_output *out, const char *want, size_t wlen)
{
    size_t i = 0;
    while (i < out->len && i < wlen && out->data[i] == want[i])
        i++;
    size_t a = i > 24 ? i - 24 : 0;
    fprintf(stderr, "    first difference at byte %zu:\n    got  \"%.60s\"\n    want \"%.60s\"\n",
            i, out->data + a, want + a);
}

void t_append(char **buf, size_t *len, size_t *cap, const void *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = 2 * (*len + n + 1) + 4096;
        *buf = realloc(*buf, *cap);
        if (!*buf)
            abort();
    }
    if (s && n)
        memcpy(*buf + *len, s, n);
    *len += n;
}

void t_buf_add(struct t_buf *b, const void *s, size_t n)
{
    t_append(&b->p, &b->len, &b->cap, s, n);
}

void t_text_add(struct t_text *t, const char *s, size_t n)
{
    t_append(&t->p, &t->len, &t->cap, s, n);
}

void t_text_index(struct t_text *t)
{
    t->offs = malloc((t->len + 1) * sizeof *t->offs);
    if (!t->offs)
        abort();
    t->nrecs = 0;
    for (size_t i = t->hdr; i < t->len;) {
        t->offs[t->nrecs++] = i;
        const char *nl = memchr(t->p + i, '\n', t->len - i);
        i = nl ? (size_t)(nl - t->p) + 1 : t->len;
    }
}

size_t t_text_rec_len(const struct t_text *t, size_t r)
{
    return (r + 1 < t->nrecs ? t->offs[r + 1] : t->len) - t->offs[r];
}

static uint64_t source_id(const char *path, const void *hdr, size_t hlen, const void *rec,
                          size_t len)
{
    char *stem = ladle_source_stem(path, NULL, LADLE_STEM_NAME, NULL);
    if (!stem)
        abort();
    struct ladle_fingerprint f = ladle_source_fingerprint(hdr, hlen, rec, len);
    uint64_t id = ladle_source_id(stem, strlen(stem), f, 0);
    free(stem);
    return id;
}

uint64_t t_text_source_id(const struct t_text *t, const char *path)
{
    if (!t->nrecs)
        return 0;
    return source_id(path, t->p, t->hdr, t->p + t->offs[0], t_text_rec_len(t, 0));
}

uint64_t t_source_id(const char *path, const void *data, size_t len, size_t hdr)
{
    if (len <= hdr)
        return 0;
    const char *rec = (const char *)data + hdr, *nl = memchr(rec, '\n', len - hdr);
    return source_id(path, data, hdr, rec, nl ? (size_t)(nl - rec) + 1 : len - hdr);
}

void t_text_free(struct t_text *t)
{
    free(t->p);
    free(t->offs);
    memset(t, 0, sizeof *t);
}
