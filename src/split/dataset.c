/*
 * dataset.c -- the temporary folder and the commit by renames (see dataset.h).
 */
#include "split/dataset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OLD ".old" /* inside the temporary folder: what --force moved aside */

/* Removes name (a file or a folder tree) under dirfd, never following links. */
static void remove_tree_at(int dirfd, const char *name)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            remove_tree_at(fd, e->d_name);
    closedir(d); /* closes fd */
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* A split name from an old manifest: one path component, no dot files. */
static int name_is_plain(const char *s)
{
    return *s && *s != '.' && !strchr(s, '/') && strlen(s) <= LADLE_SPLIT_NAME_MAX;
}

static int exists_at(int dirfd, const char *name)
{
    struct stat sb;
    return fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

static int is_empty(int dirfd)
{
    int fd = dup(dirfd);
    if (fd < 0)
        return 0;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return 0;
    }
    int empty = 1;
    struct dirent *e;
    while (empty && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    return empty;
}

ladle_status ladle_dataset_open(struct ladle_dataset *d, const char *dir, int force,
                                const struct ladle_split_spec *spec, struct ladle_error *err)
{
    memset(d, 0, sizeof *d);
    d->dirfd = d->tmpfd = -1;
    d->force = force;
    d->nsplits = spec->count;
    d->names = spec->names;
    if (!(d->dir = strdup(dir)))
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    if (mkdir(dir, 0777) == 0)
        d->created_dir = 1;
    else if (errno != EEXIST)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot create the folder: %s", dir,
                               strerror(errno));
    d->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->dirfd < 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot open the folder: %s", dir,
                               strerror(errno));
    if (!force && !is_empty(d->dirfd))
        return ladle_error_set(err, LADLE_E_OUTPUT,
                               "%s: folder is not empty (--force replaces its dataset)", dir);
    /* mkdtemp wants a path: the name is made relative to DIR's fd below. */
    size_t n = strlen(dir);
    char *path = malloc(n + 32);
    if (!path)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    snprintf(path, n + 32, "%s/.ladle-tmp-XXXXXX", dir);
    if (!mkdtemp(path)) {
        ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot create a temporary folder: %s", dir,
                        strerror(errno));
        free(path);
        return LADLE_E_OUTPUT;
    }
    snprintf(d->tmpname, sizeof d->tmpname, "%s", path + n + 1);
    free(path);
    d->tmpfd = openat(d->dirfd, d->tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d->tmpfd < 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot open: %s", dir, d->tmpname,
                               strerror(errno));
    for (unsigned k = 0; k < d->nsplits; k++)
        if (mkdirat(d->tmpfd, d->names[k], 0777) != 0)
            return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot create: %s", dir,
                                   d->names[k], strerror(errno));
    return LADLE_OK;
}

static ladle_status write_manifest(struct ladle_dataset *d, const char *text, size_t len,
                                   struct ladle_error *err)
{
    int fd = openat(d->tmpfd, "manifest.json",
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/manifest.json: cannot create: %s",
                               d->dir, strerror(errno));
    const char *p = text;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return ladle_error_set(err, LADLE_E_OUTPUT, "%s/manifest.json: cannot write: %s",
                                   d->dir, w < 0 ? strerror(e) : "no progress");
        }
        p += w;
        len -= (size_t)w;
    }
    /* The commit point must not reach the disk before what it points to
     * does: the manifest is synced, and so are the folders after the renames. */
    if (fsync(fd) != 0 || close(fd) != 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/manifest.json: cannot write: %s", d->dir,
                               strerror(errno));
    return LADLE_OK;
}

/* Moves DIR/name into tmp/.old (--force), if it exists. */
static int move_aside(struct ladle_dataset *d, int oldfd, const char *name)
{
    if (!exists_at(d->dirfd, name))
        return 0;
    d->moved_aside = 1;
    return renameat(d->dirfd, name, oldfd, name);
}

ladle_status ladle_dataset_commit(struct ladle_dataset *d, const char *manifest, size_t len,
                                  struct ladle_error *err)
{
    ladle_status st = write_manifest(d, manifest, len, err);
    if (st != LADLE_OK)
        return st;
    int oldfd = -1;
    if (d->force) {
        if (mkdirat(d->tmpfd, OLD, 0700) != 0 ||
            (oldfd = openat(d->tmpfd, OLD, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
            return ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot create %s/%s: %s", d->dir,
                                   d->tmpname, OLD, strerror(errno));
        /* The old dataset goes: the split folders its manifest lists (so no
         * stale shards stay behind) and ours, then the manifest itself. */
        json_t *old = NULL;
        int mfd = openat(d->dirfd, "manifest.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (mfd >= 0) {
            old = json_loadfd(mfd, 0, NULL);
            close(mfd);
        }
        json_t *splits = json_object_get(old, "splits");
        for (size_t i = 0; i < json_array_size(splits); i++) {
            const char *name = json_string_value(json_object_get(json_array_get(splits, i), "name"));
            if (name && name_is_plain(name) && move_aside(d, oldfd, name) != 0) {
                json_decref(old);
                goto rename_failed;
            }
        }
        json_decref(old);
        for (unsigned k = 0; k < d->nsplits; k++)
            if (move_aside(d, oldfd, d->names[k]) != 0)
                goto rename_failed;
        if (move_aside(d, oldfd, "manifest.json") != 0)
            goto rename_failed;
    }
    for (unsigned k = 0; k < d->nsplits; k++) {
        if (renameat(d->tmpfd, d->names[k], d->dirfd, d->names[k]) != 0)
            goto rename_failed;
        d->placed[k] = 1;
    }
    if (renameat(d->tmpfd, "manifest.json", d->dirfd, "manifest.json") != 0)
        goto rename_failed;
    /* Committed. */
    if (oldfd >= 0)
        close(oldfd);
    d->moved_aside = 0;
    close(d->tmpfd);
    d->tmpfd = -1;
    remove_tree_at(d->dirfd, d->tmpname);
    fsync(d->dirfd);
    close(d->dirfd);
    d->dirfd = -1;
    d->created_dir = 0;
    free(d->dir);
    d->dir = NULL;
    return LADLE_OK;
rename_failed:
    st = ladle_error_set(err, LADLE_E_OUTPUT, "%s: cannot move the dataset into place: %s",
                         d->dir, strerror(errno));
    if (oldfd >= 0)
        close(oldfd);
    return st;
}

void ladle_dataset_abort(struct ladle_dataset *d)
{
    if (d->dirfd >= 0 && d->tmpfd >= 0) {
        /* Undo a commit that failed half way: our splits back out, the old entries back in. */
        for (unsigned k = 0; k < d->nsplits; k++)
            if (d->placed[k])
                renameat(d->dirfd, d->names[k], d->tmpfd, d->names[k]);
        int oldfd = d->moved_aside ? openat(d->tmpfd, OLD, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
                                                               O_CLOEXEC)
                                   : -1;
        DIR *old = oldfd >= 0 ? fdopendir(oldfd) : NULL;
        struct dirent *e;
        while (old && (e = readdir(old)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                renameat(oldfd, e->d_name, d->dirfd, e->d_name);
        if (old)
            closedir(old);
        else if (oldfd >= 0)
            close(oldfd);
    }
    if (d->tmpfd >= 0)
        close(d->tmpfd);
    if (d->dirfd >= 0 && d->tmpname[0])
        remove_tree_at(d->dirfd, d->tmpname);
    if (d->dirfd >= 0)
        close(d->dirfd);
    if (d->created_dir && d->dir)
        rmdir(d->dir);
    free(d->dir);
    memset(d, 0, sizeof *d);
    d->dirfd = d->tmpfd = -1;
}
