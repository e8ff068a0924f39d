/*
 * test_dataset.c -- the dataset commit (src/split/dataset.c, finish.c):
 * what DIR holds before, at and after the commit point, checked as a
 * listing of every file and its bytes.
 *
 *  - a fresh DIR: shards are staged in one .ladle-tmp-* folder (mode 0700)
 *    and nothing of the new dataset is in DIR until the commit; after it
 *    DIR holds exactly manifest.json (the given bytes), the cards made
 *    from it, and the split folders with the staged shards, and no
 *    temporary folder;
 *  - a second run on a locked DIR is refused and leaves the first's work;
 *    a non-empty DIR without force is refused; neither leaves anything;
 *  - --force: the old dataset's splits and folders of part-* files go,
 *    other files stay, the new splits are in place;
 *  - a failure before the commit point, and an abort, leave DIR byte for
 *    byte as it was, with no temporary folder;
 *  - a dead run's temporary folder is removed by the next open (and said);
 *    a commit interrupted after its commit point (built by hand as
 *    dataset.h describes it) is finished by ladle_dataset_recover, the
 *    path of `ladle verify --repair`.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "split/dataset.h"
#include "split/dataset_fs.h"
#include "split/split.h"
#include "test_util.h"

/* ---- DIR as text: "path (mode) = bytes" per entry, sorted, recursive ---- */

static void list_into(const char *dir, const char *rel, struct t_buf *out)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
    struct dirent **ents;
    int n = scandir(path, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        /* The cards are the manifest's (tests/e2e/test_cards.sh checks
         * them): here only that they come and go with it. */
        int card = !*rel && (strcmp(name, "README.md") == 0 || strcmp(name, "croissant.json") == 0);
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !card) {
            char sub[1024], full[2100];
            snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", name);
            snprintf(full, sizeof full, "%s/%s", dir, sub);
            struct stat sb;
            lstat(full, &sb);
            char line[1200];
            int len = snprintf(line, sizeof line, "%s%s", sub, S_ISDIR(sb.st_mode) ? "/\n" : " = ");
            t_buf_add(out, line, (size_t)len);
            if (S_ISDIR(sb.st_mode)) {
                list_into(dir, sub, out);
            } else {
                FILE *f = fopen(full, "rb");
                char buf[4096];
                size_t got = f ? fread(buf, 1, sizeof buf, f) : 0;
                if (f)
                    fclose(f);
                t_buf_add(out, buf, got);
                t_buf_add(out, "\n", 1);
            }
        }
        free(ents[i]);
    }
    if (n >= 0)
        free(ents);
}

static char *listing(const char *dir)
{
    struct t_buf b = {0};
    list_into(dir, "", &b);
    t_buf_add(&b, "", 1);
    return b.p;
}

static int has_tmp(const char *dir)
{
    char *l = listing(dir);
    int found = strstr(l, LADLE_DATASET_TMP_PREFIX) != NULL;
    free(l);
    return found;
}

/* ---- datasets ---- */

static struct ladle_split_spec spec_of(const char *names)
{
    struct ladle_split_spec sp;
    memset(&sp, 0, sizeof sp);
    struct ladle_error err = {0};
    CHECK(ladle_split_parse_ratios(&sp, names, 1, &err) == LADLE_OK);
    return sp;
}

/* The manifest of splits (names) with one shard each. */
static char *manifest_of(const struct ladle_split_spec *sp, const char *tag)
{
    static char m[2048];
    size_t n = (size_t)snprintf(m, sizeof m, "{\"tag\": \"%s\", \"splits\": [", tag);
    for (unsigned k = 0; k < sp->count; k++)
        n += (size_t)snprintf(m + n, sizeof m - n,
                              "%s{\"name\": \"%s\", \"shards\": [{\"file\": "
                              "\"%s/part-00000.txt.zst\"}]}",
                              k ? ", " : "", sp->names[k], sp->names[k]);
    snprintf(m + n, sizeof m - n, "]}\n");
    return m;
}

/* Stages split k's shard in T: its bytes say which run and split. */
static void stage(struct ladle_dataset *d, const struct ladle_split_spec *sp, const char *tag)
{
    for (unsigned k = 0; k < sp->count; k++) {
        char path[128], text[128];
        snprintf(path, sizeof path, "%s/part-00000.txt.zst", sp->names[k]);
        int len = snprintf(text, sizeof text, "shard of %s, run %s", sp->names[k], tag);
        int fd = openat(d->tmpfd, path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        CHECKF(fd >= 0, "cannot stage %s", path);
        if (fd >= 0) {
            CHECK(write(fd, text, (size_t)len) == len);
            close(fd);
        }
    }
}

static char said[4096];

static void hear(void *arg, const char *line)
{
    (void)arg;
    size_t n = strlen(said);
    snprintf(said + n, sizeof said - n, "%s\n", line);
}

/* One whole run: open, stage, commit. */
static ladle_status run(const char *dir, const char *names, const char *tag, int force,
                        struct ladle_error *err)
{
    struct ladle_split_spec sp = spec_of(names);
    struct ladle_dataset d;
    ladle_status st = ladle_dataset_open(&d, dir, force, &sp, hear, NULL, err);
    if (st == LADLE_OK) {
        stage(&d, &sp, tag);
        st = ladle_dataset_commit(&d, manifest_of(&sp, tag), strlen(manifest_of(&sp, tag)), err);
    }
    ladle_dataset_abort(&d);
    return st;
}

/* ---- the tests ---- */

static char dir[512];

static void test_fresh(void)
{
    snprintf(dir, sizeof dir, "%s/ds", t_tmpdir());
    struct ladle_split_spec sp = spec_of("a,b");
    struct ladle_dataset d;
    struct ladle_error err = {0};
    CHECK(ladle_dataset_open(&d, dir, 0, &sp, hear, NULL, &err) == LADLE_OK);
    stage(&d, &sp, "1");
    char *before = listing(dir);
    char want[256];
    snprintf(want, sizeof want, "%s/\n%s/a/\n%s/a/part-00000.txt.zst = shard of a, run 1\n",
             d.tmpname, d.tmpname, d.tmpname);
    CHECKF(strncmp(before, want, strlen(want)) == 0 && !strstr(before, "manifest.json"),
           "before the commit DIR holds: %s", before);
    struct stat sb;
    CHECK(fstatat(d.dirfd, d.tmpname, &sb, 0) == 0 && (sb.st_mode & 0777) == 0700);
    const char *m = manifest_of(&sp, "1");
    CHECK(ladle_dataset_commit(&d, m, strlen(m), &err) == LADLE_OK);
    ladle_dataset_abort(&d);
    char expect[1024];
    snprintf(expect, sizeof expect,
             "a/\na/part-00000.txt.zst = shard of a, run 1\nb/\nb/part-00000.txt.zst = shard of "
             "b, run 1\nmanifest.json = %s\n",
             m);
    char *after = listing(dir);
    CHECKF(strcmp(after, expect) == 0, "after the commit DIR holds:\n%s", after);
    char card[1100];
    snprintf(card, sizeof card, "%s/README.md", dir);
    CHECK(access(card, F_OK) == 0);
    snprintf(card, sizeof card, "%s/croissant.json", dir);
    CHECK(access(card, F_OK) == 0);
    free(before);
    free(after);
}

static void test_refused(void)
{
    char *before = listing(dir);
    struct ladle_split_spec sp = spec_of("a,b");
    struct ladle_dataset d1, d2;
    struct ladle_error err = {0}, err2 = {0};
    CHECK(ladle_dataset_open(&d1, dir, 1, &sp, hear, NULL, &err) == LADLE_OK);
    stage(&d1, &sp, "2");
    CHECK(ladle_dataset_open(&d2, dir, 1, &sp, hear, NULL, &err2) == LADLE_E_OUTPUT);
    CHECKF(strstr(err2.msg, "another ladle run") != NULL, "%s", err2.msg);
    ladle_dataset_abort(&d2); /* must not touch d1's folder */
    struct stat sb;
    CHECK(fstatat(d1.dirfd, d1.tmpname, &sb, 0) == 0);
    ladle_dataset_abort(&d1); /* an abort: nothing of run 2 stays */
    char *after = listing(dir);
    CHECKF(strcmp(before, after) == 0, "after an abort DIR holds:\n%s", after);
    free(after);

    struct ladle_error err3 = {0};
    CHECK(run(dir, "a,b", "3", 0, &err3) == LADLE_E_OUTPUT);
    CHECKF(strstr(err3.msg, "not empty") != NULL, "%s", err3.msg);
    after = listing(dir);
    CHECKF(strcmp(before, after) == 0, "after a refused run DIR holds:\n%s", after);
    free(after);
    free(before);
}

static void test_force(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("mine", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/stale", dir); /* a folder of nothing but part-* files */
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/stale/part-00003.jsonl.zst", dir);
    fclose(fopen(path, "w"));
    struct ladle_error err = {0};
    CHECKF(run(dir, "b,c", "4", 1, &err) == LADLE_OK, "%s", err.msg);
    struct ladle_split_spec sp = spec_of("b,c");
    char expect[1024];
    snprintf(expect, sizeof expect,
             "b/\nb/part-00000.txt.zst = shard of b, run 4\nc/\nc/part-00000.txt.zst = shard of "
             "c, run 4\nmanifest.json = %s\nnotes.txt = mine\n",
             manifest_of(&sp, "4"));
    char *after = listing(dir);
    CHECKF(strcmp(after, expect) == 0, "after --force DIR holds:\n%s", after);
    free(after);
}

static void test_failures(void)
{
    char *before = listing(dir);
    struct ladle_split_spec sp = spec_of("b,c");
    struct ladle_dataset d;
    struct ladle_error err = {0};
    /* The staging folder vanishes before the commit: it fails, DIR stays. */
    CHECK(ladle_dataset_open(&d, dir, 1, &sp, hear, NULL, &err) == LADLE_OK);
    stage(&d, &sp, "5");
    CHECK(ladle_dataset_remove_tree(d.dirfd, d.tmpname) == 0);
    const char *m = manifest_of(&sp, "5");
    CHECK(ladle_dataset_commit(&d, m, strlen(m), &err) == LADLE_E_OUTPUT);
    CHECK(!d.committed);
    ladle_dataset_abort(&d);
    char *after = listing(dir);
    CHECKF(strcmp(before, after) == 0, "after a failed commit DIR holds:\n%s", after);
    free(after);

    /* An old manifest.json that cannot be read stops the run (at open: it
     * may be a pending commit's), leaving nothing behind. */
    char mpath[600], moved[600];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    snprintf(moved, sizeof moved, "%s/../manifest.keep", dir);
    CHECK(rename(mpath, moved) == 0 && mkdir(mpath, 0777) == 0);
    struct ladle_error err2 = {0};
    CHECK(run(dir, "b,c", "6", 1, &err2) == LADLE_E_OUTPUT);
    CHECKF(strstr(err2.msg, "manifest.json") != NULL, "%s", err2.msg);
    CHECK(!has_tmp(dir));
    CHECK(rmdir(mpath) == 0 && rename(moved, mpath) == 0);
    after = listing(dir);
    CHECKF(strcmp(before, after) == 0, "after a refused commit DIR holds:\n%s", after);
    free(after);
    free(before);
}

/* A dead run left T; then one died just after its commit point. */
static void test_recover(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/" LADLE_DATASET_TMP_PREFIX "dead01", dir);
    CHECK(mkdir(path, 0700) == 0);
    /* Split c of the old dataset holds a file of the user's: only the old
     * manifest's list retires it (not the sweep of part-* folders). */
    snprintf(path, sizeof path, "%s/c/README", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    said[0] = '\0';
    struct ladle_split_spec sp = spec_of("d");
    struct ladle_dataset d;
    struct ladle_error err = {0};
    CHECK(ladle_dataset_open(&d, dir, 1, &sp, hear, NULL, &err) == LADLE_OK);
    CHECKF(strstr(said, "dead01: removed") != NULL, "said: %s", said);
    stage(&d, &sp, "7");
    /* Steps 1 and 2 of dataset.h by hand, then the run dies. */
    const char *m = manifest_of(&sp, "7");
    char staged[2048];
    snprintf(staged, sizeof staged,
             "{\"tag\": \"7\", \"splits\": [{\"name\": \"d\", \"shards\": [{\"file\": "
             "\"%s/d/part-00000.txt.zst\"}]}], \"" LADLE_DATASET_PENDING
             "\": {\"folder\": \"%s\", \"retire\": [\"b\", \"c\"]}}\n",
             d.tmpname, d.tmpname);
    int fd = openat(d.tmpfd, "manifest.json", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0 && write(fd, m, strlen(m)) == (ssize_t)strlen(m));
    close(fd);
    fd = openat(d.tmpfd, "staged.json", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0 && write(fd, staged, strlen(staged)) == (ssize_t)strlen(staged));
    close(fd);
    CHECK(renameat(d.tmpfd, "staged.json", d.dirfd, "manifest.json") == 0);
    close(d.tmpfd);
    close(d.dirfd); /* the lock goes with the process */
    free(d.dir);

    /* `ladle verify --repair DIR`: lock, then recover. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int locked = 0;
    CHECK(ladle_dataset_lock(dfd, dir, &locked, &err) == LADLE_OK && locked);
    said[0] = '\0';
    CHECKF(ladle_dataset_recover(dfd, dir, hear, NULL, &err) == LADLE_OK, "%s", err.msg);
    CHECKF(strstr(said, "finished the commit") != NULL, "said: %s", said);
    close(dfd);
    char expect[1024];
    snprintf(expect, sizeof expect,
             "d/\nd/part-00000.txt.zst = shard of d, run 7\nmanifest.json = %s\nnotes.txt = "
             "mine\n",
             m);
    char *after = listing(dir);
    CHECKF(strcmp(after, expect) == 0, "after recovery DIR holds:\n%s", after);
    free(after);
}

int main(void)
{
    test_fresh();
    test_refused();
    test_force();
    test_failures();
    test_recover();
    return t_done("test_dataset");
}
