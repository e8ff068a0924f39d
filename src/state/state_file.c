/*
 * state_file.c -- a state on disk: read whole, replaced atomically, locked
 * against a second run.
 *
 * The state is the only record of what earlier runs consumed, so a crash
 * or a full disk must leave either the old file or the new one: the new
 * bytes go to a temporary file in the same folder (same file system, so the
 * rename is atomic), which is fsync'd before the rename and whose folder is
 * fsync'd after it, so the rename itself survives a power cut.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mkostemp */
#endif
#include "state/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/write_all.h"

ladle_status ladle_state_read_file(const char *path, struct ladle_state *st, int *exists,
                                   struct ladle_error *err)
{
    memset(st, 0, sizeof *st);
    *exists = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return LADLE_OK;
        return ladle_error_set(err, LADLE_E_INPUT, "%s: state: cannot open: %s", path,
                               strerror(errno));
    }
    *exists = 1;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return ladle_error_set(err, LADLE_E_INPUT, "%s: state: not a regular file", path);
    }
    size_t cap = (size_t)sb.st_size + 1, len = 0;
    unsigned char *buf = malloc(cap);
    ssize_t n = 1;
    while (buf && n > 0) {
        if (len == cap) { /* it grew while read: take all of it */
            unsigned char *b = realloc(buf, cap * 2);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
        n = read(fd, buf + len, cap - len);
        if (n > 0)
            len += (size_t)n;
        else if (n < 0 && errno == EINTR)
            n = 1;
    }
    int read_errno = errno;
    close(fd);
    if (!buf || n > 0) {
        free(buf);
        return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    }
    if (n < 0) {
        free(buf);
        return ladle_error_set(err, LADLE_E_INPUT, "%s: state: cannot read: %s", path,
                               strerror(read_errno));
    }
    ladle_status s = ladle_state_decode(buf, len, path, st, err);
    free(buf);
    return s;
}

/* The folder holding path, for its fsync: "." when path names none. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

/* After the rename: the new state is in place; make the rename durable. */
static ladle_status sync_folder(const char *path, struct ladle_error *err)
{
    char *dir = folder_of(path);
    if (!dir)
        return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int bad = fd < 0 || fsync(fd) != 0;
    int e = errno;
    if (fd >= 0)
        close(fd); /* a directory fd: nothing of ours to lose in its close */
    free(dir);
    if (bad)
        return ladle_error_set(err, LADLE_E_OUTPUT,
                               "state: %s written, but its folder could not be synced: %s", path,
                               strerror(e));
    return LADLE_OK;
}

ladle_status ladle_state_write_file(const char *path, const struct ladle_state *st,
                                    struct ladle_error *err)
{
    struct ladle_outbuf out = {0};
    ladle_status s = ladle_state_encode(st, &out, err);
    size_t plen = strlen(path);
    char *tmp = s == LADLE_OK ? malloc(plen + 8) : NULL;
    if (s != LADLE_OK || !tmp) {
        ladle_outbuf_free(&out);
        return s != LADLE_OK ? s : ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    int fd = mkostemp(tmp, O_CLOEXEC);
    int e = errno;
    if (fd >= 0) {
        int bad = ladle_write_all(fd, out.data, out.len) || fsync(fd) != 0;
        e = errno;
        if (close(fd) != 0 && !bad) { /* a failed close may lose written data */
            bad = 1;
            e = errno;
        }
        if (!bad && rename(tmp, path) != 0) {
            bad = 1;
            e = errno;
        }
        if (bad)
            unlink(tmp);
        else
            e = 0;
    }
    free(tmp);
    ladle_outbuf_free(&out);
    if (e)
        return ladle_error_set(err, LADLE_E_OUTPUT, "state: cannot write %s: %s", path,
                               strerror(e));
    return sync_folder(path, err);
}

ladle_status ladle_state_lock(const char *path, int *fd, struct ladle_error *err)
{
    size_t plen = strlen(path);
    char *lp = malloc(plen + 6);
    if (!lp)
        return ladle_error_set(err, LADLE_E_INTERNAL, "state: out of memory");
    memcpy(lp, path, plen);
    memcpy(lp + plen, ".lock", 6);
    *fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    int e = errno;
    free(lp);
    if (*fd < 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "state: cannot make %s.lock: %s", path,
                               strerror(e));
    while (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        e = errno;
        close(*fd);
        *fd = -1;
        if (e == EWOULDBLOCK)
            return ladle_error_set(err, LADLE_E_USAGE, "state %s is in use by another ladle", path);
        return ladle_error_set(err, LADLE_E_OUTPUT, "state: cannot lock %s.lock: %s", path,
                               strerror(e));
    }
    return LADLE_OK;
}

void ladle_state_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}
