/*
 * split_append.c -- `ladle split --append` (see split_append.h). A
 * record's split depends only on the seed and its (source id, offset) or
 * its --by key, so the new inputs land where a one-shot split over all
 * files would put them; designs that place records by whole-population
 * counts are refused (split_run.c).
 */
#include "job/split_append.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job/job_internal.h"
#include "job/probe.h"
#include "split/dataset_fs.h"
#include "split/manifest_append.h"

static ladle_status set_strings(ladle_job *j, const struct ladle_append_settings *s)
{
    const struct {
        ladle_string_param p;
        const char *v;
    } set[] = {
        {LADLE_S_RATIOS, s->ratios},
        {LADLE_S_BY, s->by},
        {LADLE_S_TIME_FIELD, s->time_field},
        {LADLE_S_CUTOFFS, s->cutoffs},
        {LADLE_S_TIME_FORMAT, s->time_format},
        {LADLE_S_TZ, s->tz},
        {LADLE_S_FORMAT, s->format},
        {LADLE_S_DELIM, s->delim},
        {LADLE_S_SOURCE_PREFIX, s->prefix && *s->prefix ? s->prefix : NULL},
        {LADLE_S_LICENSE, s->license},
    };
    ladle_status st = LADLE_OK;
    for (size_t i = 0; st == LADLE_OK && i < sizeof set / sizeof set[0]; i++)
        if (set[i].v)
            st = ladle_job_set_string(j, set[i].p, set[i].v);
    return st;
}

ladle_status ladle_split_append_settings(ladle_job *j, const char *dir)
{
    struct ladle_error *err = ladle_job_err(j);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ladle_error_set(err, LADLE_E_USAGE, "%s: --append: cannot open the folder: %s", dir,
                               strerror(errno));
    json_t *m = ladle_dataset_load_json(fd, "manifest.json");
    close(fd);
    if (!m)
        return ladle_error_set(err, LADLE_E_USAGE,
                               "%s: --append: no dataset here (no readable manifest.json): make "
                               "it with `ladle split -o %s` first",
                               dir, dir);
    struct ladle_append_settings s;
    char seed[32];
    const char *why;
    ladle_status st = LADLE_OK;
    if (ladle_manifest_append_settings(m, &s, seed, sizeof seed, &why) != 0)
        st = ladle_error_set(err, LADLE_E_USAGE,
                             "%s: --append: the manifest records no %s (an older ladle made the "
                             "dataset): make it again",
                             dir, why);
    else if (strcmp(s.design, "none") != 0)
        st = ladle_error_set(err, LADLE_E_USAGE,
                             "%s: --append: the dataset is a sample (design %s), and an append "
                             "adds every record of its inputs: make it again over all files",
                             dir, s.design);
    if (st == LADLE_OK)
        st = set_strings(j, &s);
    if (st == LADLE_OK)
        st = ladle_job_set(j, LADLE_P_SEED, (int64_t)strtoull(s.seed, NULL, 10));
    if (st == LADLE_OK)
        st = ladle_job_set(j, LADLE_P_HEADER, s.header);
    if (st == LADLE_OK && s.shard_size > 0)
        st = ladle_job_set(j, LADLE_P_SHARD_SIZE, s.shard_size);
    if (st == LADLE_OK)
        st = ladle_job_set(j, LADLE_P_SHARD_RECORDS, s.shard_records);
    if (st == LADLE_OK)
        st = ladle_job_set(j, LADLE_P_LEVEL, s.level);
    if (st == LADLE_OK)
        st = ladle_job_set(j, LADLE_P_SOURCE_STEM, s.stem_path);
    json_decref(m);
    return st;
}

/* An input whose source DIR already holds: a usage error naming both. */
static ladle_status refuse_known(const json_t *old, const char *dir,
                                 const struct ladle_probe *probe, const char *const *names,
                                 struct ladle_error *err)
{
    for (uint32_t i = 0; i < probe->count; i++) {
        const char *stem = probe->has_id[i] ? ladle_manifest_source(old, probe->ids[i]) : NULL;
        if (stem)
            return ladle_error_set(err, LADLE_E_USAGE,
                                   "%s: already in %s (source '%s', id %016" PRIx64
                                   "): --append takes new inputs only (a file that has grown "
                                   "since cannot be continued yet)",
                                   names[i], dir, stem, probe->ids[i]);
    }
    return LADLE_OK;
}

static int listed(const char **files, size_t n, const char *split, const char *entry)
{
    size_t ls = strlen(split);
    for (size_t i = 0; i < n; i++)
        if (strncmp(files[i], split, ls) == 0 && files[i][ls] == '/' &&
            strcmp(files[i] + ls + 1, entry) == 0)
            return 1;
    return 0;
}

/* A file in a split's folder that the manifest does not list would be
 * dropped with the old folder at the commit: refuse instead. */
static ladle_status refuse_strays(int dirfd, const char *dir, const struct ladle_split_spec *spec,
                                  const char **files, size_t n, struct ladle_error *err)
{
    for (unsigned k = 0; k < spec->count; k++) {
        int fd = openat(dirfd, spec->names[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue; /* a split without shards has no folder to lose */
        char **names;
        size_t count;
        int rc = ladle_dataset_list(fd, &names, &count);
        close(fd);
        if (rc != 0)
            return ladle_error_set(err, LADLE_E_OUTPUT, "%s/%s: cannot list: %s", dir,
                                   spec->names[k], strerror(errno));
        ladle_status st = LADLE_OK;
        for (size_t i = 0; i < count && st == LADLE_OK; i++)
            if (!listed(files, n, spec->names[k], names[i]))
                st = ladle_error_set(err, LADLE_E_OUTPUT,
                                     "%s/%s/%s: not in the manifest: --append would drop it "
                                     "(move it away; `ladle verify %s` lists such files)",
                                     dir, spec->names[k], names[i], dir);
        ladle_dataset_free_list(names, count);
        if (st != LADLE_OK)
            return st;
    }
    return LADLE_OK;
}

/* "split/part-..." of one of spec's splits: nothing else is linked. */
static int shard_path_ok(const char *f, const struct ladle_split_spec *spec)
{
    const char *slash = strchr(f, '/');
    if (!slash || strchr(slash + 1, '/') || !ladle_dataset_is_part_name(slash + 1))
        return 0;
    for (unsigned k = 0; k < spec->count; k++)
        if (strlen(spec->names[k]) == (size_t)(slash - f) &&
            strncmp(f, spec->names[k], (size_t)(slash - f)) == 0)
            return 1;
    return 0;
}

static ladle_status link_old(int dirfd, int tmpfd, const char *dir,
                             const struct ladle_split_spec *spec, const char **files, size_t n,
                             struct ladle_error *err)
{
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        if (!shard_path_ok(files[i], spec))
            return ladle_error_set(err, LADLE_E_INPUT,
                                   "%s/manifest.json: lists '%s', not a shard of its splits", dir,
                                   files[i]);
        if (fstatat(dirfd, files[i], &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
            return ladle_error_set(err, LADLE_E_INPUT,
                                   "%s/%s: listed in the manifest but %s (`ladle verify %s`)", dir,
                                   files[i], errno == ENOENT ? "missing" : "not a file", dir);
        if (linkat(dirfd, files[i], tmpfd, files[i], 0) == 0)
            continue;
        if ((errno == EPERM || errno == EOPNOTSUPP || errno == EMLINK || errno == ENOSYS ||
             errno == EXDEV) &&
            ladle_dataset_copy_file(dirfd, tmpfd, files[i]) == 0)
            continue; /* a file system without hard links */
        return ladle_error_set(err, LADLE_E_OUTPUT,
                               "%s/%s: cannot link it into the new dataset: %s", dir, files[i],
                               strerror(errno));
    }
    return LADLE_OK;
}

ladle_status ladle_split_append_open(json_t **old, int dirfd, int tmpfd, const char *dir,
                                     const struct ladle_split_spec *spec,
                                     const struct ladle_probe *probe, const char *const *names,
                                     uint32_t *first, struct ladle_error *err)
{
    *old = NULL;
    if (ladle_dataset_read_json(dirfd, "manifest.json", old) != 0)
        return ladle_error_set(err, LADLE_E_OUTPUT, "%s/manifest.json: cannot read: %s", dir,
                               strerror(errno));
    ladle_status st = ladle_manifest_append_check(*old, spec, dir, first, err);
    if (st == LADLE_OK)
        st = refuse_known(*old, dir, probe, names, err);
    const char **files = NULL;
    size_t n = 0;
    if (st == LADLE_OK && ladle_manifest_files(*old, &files, &n) != 0)
        st = ladle_error_set(err, LADLE_E_INTERNAL, "out of memory");
    if (st == LADLE_OK)
        st = refuse_strays(dirfd, dir, spec, files, n, err);
    if (st == LADLE_OK)
        st = link_old(dirfd, tmpfd, dir, spec, files, n, err);
    const char *f = NULL;
    if (st == LADLE_OK && ladle_manifest_fill_sha256(*old, tmpfd, &f) != 0)
        st = ladle_error_set(err, LADLE_E_INPUT, "%s/%s: cannot read: %s", dir, f ? f : "",
                             strerror(errno));
    free(files);
    return st;
}
