/*
 * cards.c -- what README.md and croissant.json share (see cards.h).
 */
#include "split/cards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ladle_cards_make(const json_t *m, const json_t *fields, char **readme, char **croissant)
{
    *readme = ladle_card_readme(m, fields);
    *croissant = ladle_card_croissant(m, fields);
    if (*readme && *croissant)
        return 0;
    free(*readme);
    free(*croissant);
    *readme = *croissant = NULL;
    return -1;
}

size_t ladle_cards_header_len(const char *text, size_t len)
{
    if (len < 4 || memcmp(text, "---\n", 4) != 0)
        return 0;
    for (size_t i = 4; i + 4 <= len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        if (memcmp(text + i, "---\n", 4) == 0)
            return i + 4;
        if (!nl)
            break;
        i = (size_t)(nl - text) + 1;
    }
    return 0;
}

char *ladle_card_glob(const char *split, const char *ext)
{
    size_t n = strlen(split) + strlen(ext) + 16;
    char *g = malloc(n);
    if (g)
        snprintf(g, n, "%s/*.%s.zst", split, ext);
    return g;
}

const char *ladle_card_mime(const char *format)
{
    if (!format)
        return "text/plain";
    if (strcmp(format, "jsonl") == 0)
        return "application/jsonlines";
    if (strcmp(format, "tsv") == 0)
        return "text/tab-separated-values";
    if (strcmp(format, "csv") == 0)
        return "text/csv";
    return "text/plain";
}

char *ladle_card_name(const json_t *m)
{
    const char *p =
        json_string_value(json_object_get(json_array_get(json_object_get(m, "inputs"), 0), "path"));
    if (!p || strcmp(p, "-") == 0)
        p = "dataset";
    const char *base = strrchr(p, '/');
    base = base && base[1] ? base + 1 : p;
    size_t n = strcspn(base, ".");
    if (n == 0)
        base = "dataset", n = strlen(base);
    char *name = malloc(n + 1);
    if (name) {
        /* A plain name: what a Hub or Croissant id may hold. */
        for (size_t i = 0; i < n; i++) {
            char c = base[i];
            int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_';
            name[i] = ok ? c : '_';
        }
        name[n] = '\0';
    }
    return name;
}
