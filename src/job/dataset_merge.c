/*
 * dataset_merge.c -- `ladle merge -o DIR PARTDIR...` from start to commit
 * (see dataset_merge.h): lock and verify the parts, plan the join, link
 * their shards into DIR's temporary folder under their new names, write
 * the manifest, commit; on any failure or signal, leave DIR as it was.
 */
#include "job/dataset_merge.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "split/dataset.h"
#include "split/dataset_fs.h"
#include "split/dataset_join.h"
#include "split/manifest_append.h"
#include "split/verify.h"

struct run {
    struct ladle_dataset_merge *q;
    int *fds;   /* the parts, locked shared */
    json_t **m; /* their manifests */
    struct ladle_error *err;
};

static int cancelled(const struct run *r)
{
    return r->q->cancel && *r->q->cancel;
}

static ladle_status interrupted(struct run *r)
{
    return ladle_error_set(r->err, LADLE_E_INTERRUPTED, "interrupted");
}

/* 1 when DIR is, or would be made, inside the folder sb (or is it):
 * its nearest existing ancestor's path is walked up to the root. */
static int inside(const char *dir, const struct stat *sb)
{
    char *path = strdup(dir), *real = NULL;
    int found = 0;
    while (path && !(real = realpath(path, NULL))) {
        char *slash = strrchr(path, '/');
        if (!slash || slash == path) { /* "a" or "/a": what is left is "." or "/" */
            real = realpath(slash ? "/" : ".", NULL);
            break;
        }
        *slash = '\0';
    }
    while (real && !found) {
        struct stat at;
        found = stat(real, &at) == 0 && at.st_dev == sb->st_dev && at.st_ino == sb->st_ino;
        char *end = strrchr(real, '/');
        if (!end || !real[1])
            break;               /* "/" was the last */
        end[end == real] = '\0'; /* "/a" becomes "/", "/a/b" "/a" */
    }
    free(path);
    free(real);
    return found;
}

/* Opens and share-locks every part; refuses one given twice, and DIR
 * among them (the parts stay as they are). */
static ladle_status open_parts(struct run *r)
{
    struct ladle_dataset_merge *q = r->q;
    struct stat out, *sb = calloc(q->nparts, sizeof *sb);
    if (!sb)
        return ladle_error_set(r->err, LADLE_E_INTERNAL, "out of memory");
    int have_out = stat(q->dir, &out) == 0;
    ladle_status st = LADLE_OK;
    for (size_t i = 0; i < q->nparts && st == LADLE_OK; i++) {
        const char *p = q->parts[i];
        if ((r->fds[i] = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
            fstat(r->fds[i], &sb[i]) != 0) {
            st = ladle_error_set(r->err, LADLE_E_INPUT, "%s: cannot open the folder: %s", p,
                                 strerror(errno));
            break;
        }
        if (inside(q->dir, &sb[i]))
            st = ladle_error_set(
                r->err, LADLE_E_USAGE,
                "%s: the output folder %s is %s: the parts are left as they "
                "are (write the join to a folder outside them)",
                p, q->dir,
                have_out && sb[i].st_ino == out.st_ino && sb[i].st_dev == out.st_dev ? "this folder"
                                                                                     : "inside it");
        for (size_t j = 0; j < i && st == LADLE_OK; j++)
            if (sb[j].st_dev == sb[i].st_dev && sb[j].st_ino == sb[i].st_ino)
                st = ladle_error_set(r->err, LADLE_E_USAGE, "%s: given twice (as %s too)", p,
                                     q->parts[j]);
        if (st == LADLE_OK && flock(r->fds[i], LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
            st = ladle_error_set(r->err, LADLE_E_INPUT,
                                 "%s: a ladle run is writing this folder now: join it once the "
                                 "run has finished",
                                 p);
    }
    free(sb);
    return st;
}

/* Every part is checked as `ladle verify` checks it, then read. */
static ladle_status verify_parts(struct run *r)
{
    for (size_t i = 0; i < r->q->nparts; i++) {
        const char *p = r->q->parts[i];
        if (cancelled(r))
            return interrupted(r);
        struct ladle_error verr;
        ladle_error_init(&verr);
        ladle_status st = ladle_verify_dir(p, NULL, NULL, NULL, &verr);
        if (cancelled(r))
            return interrupted(r);
        if (st == LADLE_E_INTERNAL)
            return ladle_error_set(r->err, st, "%s", verr.msg);
        if (st != LADLE_OK)
            return ladle_error_set(r->err, LADLE_E_INPUT,
                                   "%s (%s is not a sound dataset: `ladle verify %s` lists every "
                                   "problem; nothing joined)",
                                   verr.msg, p, p);
        if (!(r->m[i] = ladle_dataset_load_json(r->fds[i], "manifest.json")))
            return ladle_error_set(r->err, LADLE_E_INPUT, "%s/manifest.json: cannot read: %s", p,
                                   errno ? strerror(errno) : "not a JSON object");
    }
    return LADLE_OK;
}

/* Copies sfd/from to dfd/to (a file system without hard links), looking
 * at the signal flag every block. 0, or -1 with errno (EINTR: cancelled). */
static int copy_as(const struct run *r, int sfd, const char *from, int dfd, const char *to)
{
    return ladle_dataset_copy_as(sfd, from, dfd, to, 1, r->q->cancel);
}

/* Every shard into T under its joined name: a hard link, or a copy. */
static ladle_status place_shards(struct run *r, const struct ladle_join_plan *p, int tmpfd)
{
    for (unsigned k = 0; k < p->nsplits; k++)
        for (size_t i = 0; i < p->count[k]; i++) {
            const struct ladle_join_shard *sh = &p->shards[k][i];
            char to[LADLE_SPLIT_NAME_MAX + 80];
            ladle_join_file(p, k, i, to, sizeof to);
            if (cancelled(r))
                return interrupted(r);
            int sfd = r->fds[sh->from];
            /* A folder made before 0.6.0 has no "sha256": the join's manifest gets it. */
            if (ladle_manifest_entry_sha256(sh->entry, sfd, sh->file) != 0)
                return ladle_error_set(r->err, LADLE_E_INPUT, "%s/%s: cannot read: %s",
                                       r->q->parts[sh->from], sh->file, strerror(errno));
            if (linkat(sfd, sh->file, tmpfd, to, 0) == 0) {
                r->q->linked++;
                continue;
            }
            if ((errno == EPERM || errno == EOPNOTSUPP || errno == EMLINK || errno == ENOSYS ||
                 errno == EXDEV) &&
                copy_as(r, sfd, sh->file, tmpfd, to) == 0) {
                r->q->copied++;
                continue;
            }
            if (errno == EINTR && cancelled(r))
                return interrupted(r);
            return ladle_error_set(r->err, LADLE_E_OUTPUT,
                                   "%s/%s: cannot link or copy %s/%s into the join: %s", r->q->dir,
                                   to, r->q->parts[sh->from], sh->file, strerror(errno));
        }
    return LADLE_OK;
}

/* DIR: opened, filled, committed. */
static ladle_status commit(struct run *r, const struct ladle_join_plan *p)
{
    struct ladle_dataset_merge *q = r->q;
    struct ladle_split_spec *spec = calloc(1, sizeof *spec); /* only its names */
    if (!spec)
        return ladle_error_set(r->err, LADLE_E_INTERNAL, "out of memory");
    spec->count = p->nsplits;
    memcpy(spec->names, p->names, sizeof p->names);
    struct ladle_dataset ds;
    ladle_status st = ladle_dataset_open(&ds, q->dir, q->force, spec, q->say, q->say_arg, r->err);
    char *manifest = NULL;
    if (st == LADLE_OK)
        st = place_shards(r, p, ds.tmpfd);
    if (st == LADLE_OK &&
        !(manifest = ladle_join_manifest(p, r->m, LADLE_VERSION, q->argc, q->argv)))
        st = ladle_error_set(r->err, LADLE_E_INTERNAL, "manifest: out of memory");
    /* The last chance to be interrupted: after the commit the join is done. */
    if (st == LADLE_OK && cancelled(r))
        st = interrupted(r);
    if (st == LADLE_OK)
        st = ladle_dataset_commit(&ds, manifest, strlen(manifest), r->err);
    ladle_dataset_abort(&ds); /* after a commit: only closes DIR and releases its lock */
    free(manifest);
    free(spec);
    return st;
}

ladle_status ladle_dataset_merge_run(struct ladle_dataset_merge *q, struct ladle_error *err)
{
    struct run r = {q, calloc(q->nparts ? q->nparts : 1, sizeof(int)),
                    calloc(q->nparts ? q->nparts : 1, sizeof(json_t *)), err};
    struct ladle_join_plan p;
    memset(&p, 0, sizeof p);
    ladle_status st = LADLE_OK;
    q->splits = 0;
    q->shards = q->records = q->linked = q->copied = 0;
    if (!r.fds || !r.m)
        st = ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    for (size_t i = 0; r.fds && i < q->nparts; i++)
        r.fds[i] = -1;
    if (st == LADLE_OK && !q->nparts)
        st = ladle_error_set(err, LADLE_E_USAGE, "give the dataset folders to join");
    if (st == LADLE_OK)
        st = open_parts(&r);
    if (st == LADLE_OK)
        st = verify_parts(&r);
    if (st == LADLE_OK)
        st = ladle_join_plan(&p, r.m, q->parts, q->nparts, err);
    if (st == LADLE_OK && cancelled(&r))
        st = interrupted(&r);
    if (st == LADLE_OK)
        st = commit(&r, &p);
    if (st == LADLE_OK) {
        q->splits = p.nsplits;
        for (unsigned k = 0; k < p.nsplits; k++) {
            q->shards += p.count[k];
            for (size_t i = 0; i < p.count[k]; i++)
                q->records +=
                    (uint64_t)json_integer_value(json_object_get(p.shards[k][i].entry, "records"));
        }
    }
    ladle_join_plan_free(&p);
    for (size_t i = 0; r.fds && r.m && i < q->nparts; i++) {
        if (r.fds[i] >= 0)
            close(r.fds[i]); /* and its lock */
        json_decref(r.m[i]);
    }
    free(r.fds);
    free(r.m);
    return st;
}
