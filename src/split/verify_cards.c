/*
 * verify_cards.c -- README.md and croissant.json checked against the
 * manifest (see verify_cards.h). Both files are read as untrusted bytes:
 * never through a link, never more than LADLE_CARD_FILE_MAX bytes.
 */
#include "split/verify_cards.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "split/cards.h"

#define LADLE_CARD_FILE_MAX ((size_t)64 << 20)

/* DIR/name's bytes (malloc'd, *len); NULL with *missing set when there is
 * no such entry, NULL (reported) when it cannot be read. */
static char *read_card(struct ladle_verify_run *v, const char *name, size_t *len, int *missing)
{
    *missing = 0;
    int fd = openat(v->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            *missing = 1;
        else
            ladle_verify_problem(v, name, NULL, "cannot open: %s",
                                 errno == ELOOP ? "it is a symbolic link (refused)"
                                                : strerror(errno));
        return NULL;
    }
    struct stat sb;
    char *text = NULL;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        ladle_verify_problem(v, name, NULL, "not a regular file");
    else if ((uint64_t)sb.st_size > LADLE_CARD_FILE_MAX)
        ladle_verify_problem(v, name, NULL, "%lld bytes: larger than a card can be",
                             (long long)sb.st_size);
    else if ((text = malloc((size_t)sb.st_size + 1))) {
        size_t n = 0;
        for (;;) {
            ssize_t r = read(fd, text + n, (size_t)sb.st_size + 1 - n);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0 || (n += (size_t)r) > (size_t)sb.st_size)
                break;
        }
        if (n != (size_t)sb.st_size) {
            ladle_verify_problem(v, name, NULL, "cannot read: %s",
                                 n > (size_t)sb.st_size ? "it grew" : "it shrank or failed");
            free(text);
            text = NULL;
        }
        *len = n;
    }
    close(fd);
    return text;
}

/* The line (1-based) of the first byte where a and b differ. */
static size_t first_diff_line(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t line = 1;
    for (size_t i = 0; i < alen && i < blen && a[i] == b[i]; i++)
        line += a[i] == '\n';
    return line;
}

static void check_croissant(struct ladle_verify_run *v, const char *want)
{
    size_t len = 0;
    int missing;
    char *have = read_card(v, LADLE_CARD_CROISSANT, &len, &missing);
    size_t wlen = strlen(want);
    if (missing)
        ladle_verify_problem(v, LADLE_CARD_CROISSANT, NULL,
                             "missing (the manifest is of ladle 0.6.0 or later, which writes it)");
    else if (have && (len != wlen || memcmp(have, want, len) != 0)) {
        char where[32];
        snprintf(where, sizeof where, "line %zu", first_diff_line(have, len, want, wlen));
        ladle_verify_problem(v, LADLE_CARD_CROISSANT, where,
                             "differs from what manifest.json gives");
    }
    free(have);
}

static void check_readme(struct ladle_verify_run *v, const char *want)
{
    size_t len = 0;
    int missing;
    char *have = read_card(v, LADLE_CARD_README, &len, &missing);
    size_t wlen = ladle_cards_header_len(want, strlen(want));
    if (missing)
        ladle_verify_problem(v, LADLE_CARD_README, NULL,
                             "missing (the manifest is of ladle 0.6.0 or later, which writes it)");
    else if (have && (ladle_cards_header_len(have, len) != wlen || memcmp(have, want, wlen) != 0)) {
        char where[32];
        snprintf(where, sizeof where, "line %zu", first_diff_line(have, len, want, wlen));
        ladle_verify_problem(v, LADLE_CARD_README, where,
                             "its YAML header (to the closing ---) differs from what manifest.json "
                             "gives (the text below it may be edited)");
    }
    free(have);
}

void ladle_verify_cards(struct ladle_verify_run *v, const json_t *root)
{
    struct stat sb;
    if (!json_object_get(root, "license") &&
        fstatat(v->dirfd, LADLE_CARD_README, &sb, AT_SYMLINK_NOFOLLOW) != 0 &&
        fstatat(v->dirfd, LADLE_CARD_CROISSANT, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
        if (v->detail)
            fprintf(v->detail,
                    "ladle: verify: %s: no README.md or croissant.json (made before "
                    "ladle 0.6.0): cards not checked\n",
                    v->dir);
        return;
    }
    json_t *fields = ladle_cards_fields(v->dirfd, root);
    char *readme, *croissant;
    if (ladle_cards_make(root, fields, &readme, &croissant) != 0) {
        ladle_verify_problem(v, NULL, NULL, "out of memory making the cards");
    } else {
        uint64_t before = v->tot.problems;
        check_croissant(v, croissant);
        check_readme(v, readme);
        if (v->detail)
            fprintf(v->detail, "ladle: verify: %s: README.md's header and croissant.json: %s\n",
                    v->dir, v->tot.problems == before ? "OK" : "problems (above)");
    }
    free(readme);
    free(croissant);
    json_decref(fields);
}
