/*
 * test_util.c -- see test_util.h.
 */
#include "test_util.h"

#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int t_failures;
static char tmpdir[256];

int t_done(const char *name)
{
    t_cleanup();
    if (t_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, t_failures);
        return 1;
    }
    fprintf(stderr, "%s: ok\n", name);
    return 0;
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
