/*
 * dataset.c -- a run's life in DIR: the lock, the temporary folder, the
 * staged manifest and its rename, the commit point (see dataset.h).
 */
#include "split/dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "split/cards.h"
#include "split/dataset_fs.h"

#define STAGED "staged.json" /* in T: the manifest renamed over DIR's at the commit point */

/* DIR has entries besides temporary folders (which a run that holds the
 * lock has removed, or could not: they are not a dataset either way). */
static int has_entries(int dirfd)
{
    char **names;
    size_t n;
    if (ladle_dataset_list(dirfd, &names, &n) != 0)
        return 1;
    int found = 0;
    for (size_t i = 0; i < n && !found; i++)
        found = !ladle_dataset_is_tmp_name(names[i]);
    ladle_dataset_free_list(names, n);
    return found;
}

ladle_status ladle_dataset_open(struct ladle_dataset *d, const char *dir, int force,
                                const struct ladle_split_spec *spec, ladle_dataset_say *say,
                                void *say_arg, struct ladle_error *err)
{
    memset(d, 0, sizeof *d);
    d->dirfd = d->tmpfd = -1;
    d->force = force;
    d->nsplits = spec->count;
    d->names = spec->names;
    d->say = say;
    d->say_arg = say_arg;
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
    int locked;
    ladle_status st = ladle_dataset_lock(d->dirfd, dir, &locked, err);
    if (st != LADLE_OK) {
        d->created_dir = 0; /* the other run's now */
        return st;
    }
    if (locked && (st = ladle_dataset_recover(d->dirfd, dir, say, say_arg, err)) != LADLE_OK)
        return st;
    if (!force && has_entries(d->dirfd))
        return ladle_error_set(err, LADLE_E_OUTPUT,
                               "%s: folder is not empty (--force replaces its dataset)", dir);
    /* mkdtemp wants a path: the name is made relative to DIR's fd below. */
    size_t n = strlen(dir);
    char *path = malloc(n + 32);
    if (!path)
        return ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    snprintf(path, n + 32, "%s/" LADLE_DATASET_TMP_PREFIX "XXXXXX", dir);
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

/* Writes T/name (text, len) and syncs it. */
static ladle_status write_file(struct ladle_dataset *d, const char *name, const char *text,
                               size_t len, struct ladle_error *err)
{
    /* (the staged manifest is named as the file it becomes) */
    const char *shown = strcmp(name, STAGED) == 0 ? "manifest.json" : name;
    int fd = openat(d->tmpfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot create: %s", d->dir, shown,
                               strerror(errno));
    const char *p = text;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot write: %s", d->dir, shown,
                                   w < 0 ? strerror(e) : "no progress");
        }
        p += w;
        len -= (size_t)w;
    }
    /* The commit point must not reach the disk before what it points to. */
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot write: %s", d->dir, shown,
                               strerror(errno));
    }
    if (close(fd) != 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot write: %s", d->dir, shown,
                               strerror(errno));
    return LADLE_OK;
}

/* The staged manifest: the final one with every file under T/, the
 * pending commit's folder and the split names of old (the old manifest,
 * may be NULL: gone once this one replaces it). NULL when out of memory. */
static char *staged_manifest(struct ladle_dataset *d, const char *manifest, size_t len, json_t *old)
{
    json_t *m = json_loadb(manifest, len, 0, NULL);
    json_t *splits = json_object_get(m, "splits");
    for (size_t i = 0; i < json_array_size(splits); i++) {
        json_t *shards = json_object_get(json_array_get(splits, i), "shards");
        for (size_t j = 0; j < json_array_size(shards); j++) {
            json_t *sh = json_array_get(shards, j);
            const char *f = json_string_value(json_object_get(sh, "file"));
            if (!f)
                continue;
            char *p = malloc(strlen(d->tmpname) + strlen(f) + 2);
            if (!p)
                goto nomem;
            sprintf(p, "%s/%s", d->tmpname, f);
            json_object_set_new(sh, "file", json_string(p));
            free(p);
        }
    }
    json_t *retire = json_array();
    json_t *osplits = json_object_get(old, "splits");
    for (size_t i = 0; i < json_array_size(osplits); i++) {
        json_t *name = json_object_get(json_array_get(osplits, i), "name");
        if (json_is_string(name))
            json_array_append(retire, name);
    }
    /* "cards": T holds README.md and croissant.json (finish.c: a pending
     * commit of 0.5.0 had none, and the old dataset's then go). */
    json_object_set_new(
        m, LADLE_DATASET_PENDING,
        json_pack("{s:s, s:o, s:b}", "folder", d->tmpname, "retire", retire, "cards", 1));
    char *text = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    json_decref(m);
    return text;
nomem:
    json_decref(m);
    return NULL;
}

/* T/README.md and T/croissant.json, made from the manifest and T's shards
 * (split/cards.h); finishing moves them into DIR with the splits. */
static ladle_status write_cards(struct ladle_dataset *d, const char *manifest, size_t len,
                                struct ladle_error *err)
{
    json_t *m = json_loadb(manifest, len, 0, NULL);
    json_t *fields = m ? ladle_cards_fields(d->tmpfd, m) : NULL;
    char *readme = NULL, *croissant = NULL;
    ladle_status st = LADLE_OK;
    if (!m || ladle_cards_make(m, fields, &readme, &croissant) != 0)
        st = ladle_error_set(err, LADLE_E_INTERNAL, "dataset cards: out of memory");
    if (st == LADLE_OK)
        st = write_file(d, LADLE_CARD_README, readme, strlen(readme), err);
    if (st == LADLE_OK)
        st = write_file(d, LADLE_CARD_CROISSANT, croissant, strlen(croissant), err);
    free(readme);
    free(croissant);
    json_decref(fields);
    json_decref(m);
    return st;
}

ladle_status ladle_dataset_commit(struct ladle_dataset *d, const char *manifest, size_t len,
                                  struct ladle_error *err)
{
    ladle_status st = write_cards(d, manifest, len, err);
    if (st == LADLE_OK)
        st = write_file(d, "manifest.json", manifest, len, err);
    if (st != LADLE_OK)
        return st;
    /* An old manifest that cannot be read (not one that is corrupt: that
     * names no splits) stops the run: its splits would be left behind. */
    json_t *old;
    if (ladle_dataset_read_json(d->dirfd, "manifest.json", &old) != 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/manifest.json: cannot read: %s", d->dir,
                               strerror(errno));
    char *staged = staged_manifest(d, manifest, len, old);
    json_decref(old);
    if (!staged)
        return ladle_error_set(err, LADLE_E_INTERNAL, "manifest: out of memory");
    st = write_file(d, STAGED, staged, strlen(staged), err);
    free(staged);
    if (st != LADLE_OK)
        return st;
    if (fsync(d->tmpfd) != 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot sync: %s", d->dir, d->tmpname,
                               strerror(errno));
    if (renameat(d->tmpfd, STAGED, d->dirfd, "manifest.json") != 0)
        return ladle_error_set(err, LADLE_E_OUTPUT,
                               "%s/manifest.json: cannot rename %s/%s over it: %s", d->dir,
                               d->tmpname, STAGED, strerror(errno));
    /* Committed: from here on, an error leaves the new dataset (in T). */
    d->committed = 1;
    if (fsync(d->dirfd) != 0)
        return ladle_error_set(err, LADLE_E_OUTPUT,
                               "%s: the new dataset is committed, but the folder cannot be "
                               "synced: %s",
                               d->dir, strerror(errno));
    if ((st = ladle_dataset_finish(d->dirfd, d->dir, d->tmpname, err)) != LADLE_OK)
        return st;
    close(d->tmpfd);
    d->tmpfd = -1;
    if (ladle_dataset_remove_tree(d->dirfd, d->tmpname) != 0 && d->say) {
        char line[600];
        snprintf(line, sizeof line,
                 "warning: %s/%s: cannot remove this temporary folder (it holds the replaced "
                 "dataset): %s; the dataset is complete, and the next ladle run on %s, or "
                 "'ladle verify --repair %s', removes it",
                 d->dir, d->tmpname, strerror(errno), d->dir, d->dir);
        d->say(d->say_arg, line);
    }
    return LADLE_OK; /* T's removal unsynced: back after a crash, the next run removes it */
}

void ladle_dataset_abort(struct ladle_dataset *d)
{
    if (d->tmpfd >= 0)
        close(d->tmpfd);
    if (!d->committed) {
        if (d->dirfd >= 0 && d->tmpname[0])
            ladle_dataset_remove_tree(d->dirfd, d->tmpname);
        if (d->created_dir && d->dir)
            rmdir(d->dir);
    }
    if (d->dirfd >= 0)
        close(d->dirfd); /* and the lock with it */
    free(d->dir);
    memset(d, 0, sizeof *d);
    d->dirfd = d->tmpfd = -1;
}
