/*
 * finish.c -- the second half of a dataset commit, and what a run finds
 * left by dead ones (see dataset.h).
 *
 * Finishing is written to be redone: a run killed part way through it
 * leaves a state the same steps finish from. DIR/manifest.json stays the
 * staged manifest (files under T/) until the last rename, so at every
 * step it describes shards that exist: T's are never touched here. The
 * final folders get hard links, not T's files themselves, for that reason.
 */
#include "split/dataset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "split/cards.h"
#include "split/dataset_fs.h"

#define OLD ".old" /* inside T: the old dataset's entries, removed with T */

int ladle_dataset_remove_tree(int dirfd, const char *name)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -1;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    int rc = 0, first = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            ladle_dataset_remove_tree(fd, e->d_name) != 0 && rc == 0) {
            rc = -1;
            first = errno;
        }
    closedir(d); /* closes fd */
    if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && rc == 0) {
        rc = -1;
        first = errno;
    }
    if (rc)
        errno = first;
    return rc;
}

int ladle_dataset_is_tmp_name(const char *s)
{
    return strncmp(s, LADLE_DATASET_TMP_PREFIX, strlen(LADLE_DATASET_TMP_PREFIX)) == 0 &&
           !strchr(s, '/');
}

int ladle_dataset_is_part_name(const char *s)
{
    return strncmp(s, "part-", 5) == 0;
}

int ladle_dataset_list(int dirfd, char ***names, size_t *count)
{
    *names = NULL;
    *count = 0;
    int fd = dup(dirfd);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    rewinddir(d); /* the fd's offset is shared with dirfd's */
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (*count == cap) {
            cap = cap ? 2 * cap : 16;
            char **p = realloc(*names, cap * sizeof *p);
            if (!p) {
                rc = -1;
                break;
            }
            *names = p;
        }
        if (!((*names)[*count] = strdup(e->d_name)))
            rc = -1;
        else
            (*count)++;
    }
    closedir(d);
    if (rc != 0) {
        ladle_dataset_free_list(*names, *count);
        *names = NULL;
        *count = 0;
        errno = ENOMEM;
    }
    return rc;
}

void ladle_dataset_free_list(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* A folder of DIR that ladle could have written: it holds at least one
 * part-* file and nothing else. */
static int holds_only_parts(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    int parts = 0, other = 0;
    struct dirent *e;
    while (!other && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat sb;
        if (ladle_dataset_is_part_name(e->d_name) &&
            fstatat(fd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode))
            parts++;
        else
            other++;
    }
    closedir(d);
    return parts && !other;
}

int ladle_dataset_read_json(int dirfd, const char *name, json_t **out)
{
    *out = NULL;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ELOOP ? 0 : -1; /* a link is no manifest of ours */
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            char *p = cap < (64u << 20) ? realloc(buf, cap ? 2 * cap : 8192) : NULL;
            if (!p) {
                rc = -1;
                errno = ENOMEM;
                break;
            }
            buf = p;
            cap = cap ? 2 * cap : 8192;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        len += (size_t)n;
    }
    int e = errno;
    close(fd);
    if (rc == 0) {
        json_t *j = json_loadb(buf, len, 0, NULL);
        if (json_is_object(j))
            *out = j;
        else
            json_decref(j);
    }
    free(buf);
    errno = e;
    return rc;
}

json_t *ladle_dataset_load_json(int dirfd, const char *name)
{
    json_t *j;
    return ladle_dataset_read_json(dirfd, name, &j) == 0 ? j : NULL;
}

const char *ladle_dataset_pending_folder(const json_t *manifest)
{
    const char *f = json_string_value(
        json_object_get(json_object_get(manifest, LADLE_DATASET_PENDING), "folder"));
    return f && ladle_dataset_is_tmp_name(f) ? f : NULL;
}

/* A name the old dataset may have used for a split: one plain component. */
static int retirable(const char *s)
{
    return *s && *s != '.' && !strchr(s, '/') && strcmp(s, "manifest.json") != 0 &&
           strlen(s) <= LADLE_SPLIT_NAME_MAX;
}

/* Moves DIR/name (any type: a link moves, never its target) into T/.old. */
static int retire(int dirfd, int oldfd, const char *name, unsigned *seq)
{
    struct stat sb;
    if (!retirable(name) || fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return 0;
    char to[32];
    for (;;) { /* a fresh name in .old: a finish that is redone finds earlier ones */
        snprintf(to, sizeof to, "%u", (*seq)++);
        if (fstatat(oldfd, to, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            break;
    }
    return renameat(dirfd, name, oldfd, to);
}

int ladle_dataset_copy_file(int sfd, int dfd, const char *name)
{
    return ladle_dataset_copy_as(sfd, name, dfd, name, 0, NULL);
}

int ladle_dataset_copy_as(int sfd, const char *from, int dfd, const char *to, int excl,
                          const volatile sig_atomic_t *stop)
{
    int in = openat(sfd, from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0)
        return -1;
    int out = openat(dfd, to,
                     O_WRONLY | O_CREAT | (excl ? O_EXCL : O_TRUNC) | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (out < 0) {
        int e = errno;
        close(in);
        errno = e;
        return -1;
    }
    char buf[1 << 16];
    ssize_t n;
    int rc = 0, e = 0;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
        if (stop && *stop) {
            rc = -1, e = EINTR;
            break;
        }
        if (n < 0) {
            rc = errno == EINTR ? 0 : -1;
            continue;
        }
        for (ssize_t at = 0; rc == 0 && at < n;) {
            ssize_t w = write(out, buf + at, (size_t)(n - at));
            if (w > 0)
                at += w;
            else if (w < 0 && errno != EINTR)
                rc = -1;
        }
    }
    if (e != EINTR)
        e = errno;
    if (rc == 0 && fsync(out) != 0)
        rc = -1, e = errno;
    if (close(out) != 0 && rc == 0)
        rc = -1, e = errno;
    close(in);
    errno = e;
    return rc;
}

/* DIR/name/ gets every file of T/name/, as hard links (or copies). */
static int place_split(int dirfd, int tmpfd, const char *name)
{
    if (mkdirat(dirfd, name, 0777) != 0)
        return -1;
    int sfd = openat(tmpfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0)
        return -1;
    int dfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int lfd = dfd < 0 ? -1 : dup(sfd);
    DIR *d = lfd < 0 ? NULL : fdopendir(lfd);
    if (!d) {
        int e = errno;
        if (lfd >= 0)
            close(lfd);
        if (dfd >= 0)
            close(dfd);
        close(sfd);
        errno = e;
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (linkat(sfd, e->d_name, dfd, e->d_name, 0) == 0)
            continue;
        if (errno == EPERM || errno == EOPNOTSUPP || errno == EMLINK || errno == ENOSYS ||
            errno == EXDEV)
            rc =
                ladle_dataset_copy_file(sfd, dfd, e->d_name); /* a file system without hard links */
        else
            rc = -1;
    }
    int err = errno;
    closedir(d);
    if (rc == 0 && fsync(dfd) != 0)
        rc = -1, err = errno;
    close(dfd);
    close(sfd);
    errno = err;
    return rc;
}

static ladle_status failed(struct ladle_error *err, const char *dir, const char *tmp,
                           const char *what)
{
    return ladle_error_set(err, LADLE_E_OUTPUT,
                           "%s: %s: %s (the new dataset is committed, in %s: 'ladle verify "
                           "--repair' or the next run puts it in place)",
                           dir, what, strerror(errno), tmp);
}

ladle_status ladle_dataset_finish(int dirfd, const char *dir, const char *tmp,
                                  struct ladle_error *err)
{
    ladle_status st = LADLE_OK;
    int oldfd = -1;
    json_t *staged = NULL, *final = NULL;
    int tmpfd = -1;
    if (ladle_dataset_read_json(dirfd, "manifest.json", &staged) != 0 || !staged) {
        if (!staged && errno == 0)
            errno = EINVAL;
        st = failed(err, dir, tmp, "cannot read manifest.json");
        goto out;
    }
    tmpfd = openat(dirfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (tmpfd < 0) {
        st = failed(err, dir, tmp, "cannot open it");
        goto out;
    }
    if (ladle_dataset_read_json(tmpfd, "manifest.json", &final) != 0 || !final) {
        if (!final && errno == 0)
            errno = EINVAL;
        st = failed(err, dir, tmp, "cannot read its manifest.json");
        goto out;
    }
    if ((mkdirat(tmpfd, OLD, 0700) != 0 && errno != EEXIST) ||
        (oldfd = openat(tmpfd, OLD, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        st = failed(err, dir, tmp, "cannot make " OLD);
        goto out;
    }
    /* The old dataset goes: the splits its manifest listed, whatever is
     * named like ours, and every folder only ladle could have written. */
    unsigned seq = 0;
    json_t *names = json_object_get(json_object_get(staged, LADLE_DATASET_PENDING), "retire");
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *n = json_string_value(json_array_get(names, i));
        if (n && retire(dirfd, oldfd, n, &seq) != 0) {
            st = failed(err, dir, tmp, "cannot move an old split aside");
            goto out;
        }
    }
    json_t *splits = json_object_get(final, "splits");
    for (size_t i = 0; i < json_array_size(splits); i++) {
        const char *n = json_string_value(json_object_get(json_array_get(splits, i), "name"));
        if (n && retire(dirfd, oldfd, n, &seq) != 0) {
            st = failed(err, dir, tmp, "cannot move an old split aside");
            goto out;
        }
    }
    /* Names first, then renames: a folder changing while it is read may
     * show an entry twice or never. */
    char **found = NULL;
    size_t nfound = 0;
    if (ladle_dataset_list(dirfd, &found, &nfound) != 0) {
        st = failed(err, dir, tmp, "cannot list the folder");
        goto out;
    }
    int rc = 0;
    for (size_t i = 0; i < nfound; i++) {
        struct stat sb;
        if (rc == 0 && retirable(found[i]) &&
            fstatat(dirfd, found[i], &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode) &&
            holds_only_parts(dirfd, found[i]))
            rc = retire(dirfd, oldfd, found[i], &seq);
    }
    int saved = errno;
    ladle_dataset_free_list(found, nfound);
    errno = saved;
    if (rc != 0) {
        st = failed(err, dir, tmp, "cannot move an old split aside");
        goto out;
    }
    for (size_t i = 0; i < json_array_size(splits); i++) {
        const char *n = json_string_value(json_object_get(json_array_get(splits, i), "name"));
        if (n && retirable(n) && place_split(dirfd, tmpfd, n) != 0) {
            st = failed(err, dir, tmp, "cannot make a split's folder");
            goto out;
        }
    }
    /* The cards, then the final manifest: from here on T holds nothing the
     * dataset needs. Cards missing from T were moved by a finish that is
     * being redone, or (a pending commit of 0.5.0) never made: then DIR's
     * are the old dataset's, and go. */
    static const char *const cards[] = {LADLE_CARD_README, LADLE_CARD_CROISSANT};
    int made =
        json_is_true(json_object_get(json_object_get(staged, LADLE_DATASET_PENDING), "cards"));
    for (size_t i = 0; i < 2; i++)
        if (renameat(tmpfd, cards[i], dirfd, cards[i]) != 0 &&
            (errno != ENOENT || (!made && unlinkat(dirfd, cards[i], 0) != 0 && errno != ENOENT))) {
            st = failed(err, dir, tmp, "cannot rename the dataset's cards");
            goto out;
        }
    if (renameat(tmpfd, "manifest.json", dirfd, "manifest.json") != 0 || fsync(dirfd) != 0) {
        st = failed(err, dir, tmp, "cannot rename manifest.json");
        goto out;
    }
out:
    if (oldfd >= 0)
        close(oldfd);
    if (tmpfd >= 0)
        close(tmpfd);
    json_decref(staged);
    json_decref(final);
    return st;
}

ladle_status ladle_dataset_lock(int dirfd, const char *dir, int *locked, struct ladle_error *err)
{
    *locked = 0;
    if (flock(dirfd, LOCK_EX | LOCK_NB) == 0) {
        *locked = 1;
        return LADLE_OK;
    }
    if (errno == EWOULDBLOCK)
        return ladle_error_set(err, LADLE_E_OUTPUT,
                               "%s: another ladle run is writing this folder (wait for it)", dir);
    return LADLE_OK; /* no flock here (some network file systems): go on, carefully */
}

static void say(ladle_dataset_say *fn, void *arg, const char *fmt, const char *a, const char *b,
                const char *c)
{
    if (!fn)
        return;
    char line[1024];
    snprintf(line, sizeof line, fmt, a, b, c);
    fn(arg, line);
}

/* ladle 0.1.0 committed by moving the old dataset's entries into T/.old
 * under their own names before moving the new ones in: a run killed part
 * way left DIR's manifest listing splits that are only in T/.old (or no
 * manifest, with the old one in T/.old). Those go back before T is
 * removed. (This version's T/.old is only ever filled after the commit
 * point, under other names, and only once every split DIR's manifest
 * lists is in place: nothing of it is missing from DIR.) */
static void restore_legacy(int dirfd, const char *dir, const char *tmp, ladle_dataset_say *sayfn,
                           void *say_arg)
{
    char old[64];
    snprintf(old, sizeof old, "%s/" OLD, tmp);
    int oldfd = openat(dirfd, old, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (oldfd < 0)
        return;
    struct stat sb;
    if (fstatat(dirfd, "manifest.json", &sb, AT_SYMLINK_NOFOLLOW) != 0 &&
        fstatat(oldfd, "manifest.json", &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
        renameat(oldfd, "manifest.json", dirfd, "manifest.json") == 0)
        say(sayfn, say_arg,
            "%s/manifest.json: put back from %s/%s (a run of ladle 0.1.0 that did "
            "not finish)",
            dir, old, "");
    json_t *m = ladle_dataset_load_json(dirfd, "manifest.json");
    json_t *splits = json_object_get(m, "splits");
    for (size_t i = 0; i < json_array_size(splits); i++) {
        const char *n = json_string_value(json_object_get(json_array_get(splits, i), "name"));
        if (n && retirable(n) && fstatat(dirfd, n, &sb, AT_SYMLINK_NOFOLLOW) != 0 &&
            fstatat(oldfd, n, &sb, AT_SYMLINK_NOFOLLOW) == 0 && renameat(oldfd, n, dirfd, n) == 0)
            say(sayfn, say_arg,
                "%s/%s: put back from %s (a run of ladle 0.1.0 that did not "
                "finish)",
                dir, n, old);
    }
    json_decref(m);
    close(oldfd);
}

ladle_status ladle_dataset_recover(int dirfd, const char *dir, ladle_dataset_say *sayfn,
                                   void *say_arg, struct ladle_error *err)
{
    /* A manifest that cannot be read may be a pending commit's: then the
     * temporary folders may hold the dataset, and nothing is touched. */
    json_t *m;
    if (ladle_dataset_read_json(dirfd, "manifest.json", &m) != 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/manifest.json: cannot read: %s", dir,
                               strerror(errno));
    const char *tmp = ladle_dataset_pending_folder(m);
    ladle_status st = LADLE_OK;
    if (tmp) {
        struct stat sb;
        if (fstatat(dirfd, tmp, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            st = ladle_error_set(err, LADLE_E_OUTPUT,
                                 "%s/manifest.json: lists a dataset in %s, which is gone (remove "
                                 "manifest.json to use the folder again)",
                                 dir, tmp);
        } else if ((st = ladle_dataset_finish(dirfd, dir, tmp, err)) == LADLE_OK) {
            say(sayfn, say_arg, "%s: finished the commit of a run that was interrupted (%s%s)", dir,
                tmp, "");
        }
    }
    json_decref(m);
    if (st != LADLE_OK)
        return st;
    /* Every temporary folder is a dead run's: the caller holds the lock. */
    char **names;
    size_t n;
    if (ladle_dataset_list(dirfd, &names, &n) != 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot list the folder: %s", dir,
                               strerror(errno));
    for (size_t i = 0; i < n; i++) {
        if (!ladle_dataset_is_tmp_name(names[i]))
            continue;
        restore_legacy(dirfd, dir, names[i], sayfn, say_arg);
        if (ladle_dataset_remove_tree(dirfd, names[i]) == 0)
            say(sayfn, say_arg,
                "%s/%s: removed: a temporary folder left by a run that did not "
                "finish%s",
                dir, names[i], "");
        else
            say(sayfn, say_arg,
                "warning: %s/%s: cannot remove this temporary folder left by a run "
                "that did not finish: %s",
                dir, names[i], strerror(errno));
    }
    ladle_dataset_free_list(names, n);
    return LADLE_OK; /* (unsynced: a folder back after a crash is removed next time) */
}
