/*
 * fuzz_stats_report.c -- `ladle stats --json` and `--tsv` with arbitrary
 * value bytes (src/sample/stats_report.c), and the number grammar of the
 * numeric summary (src/sample/stats.c's parse, via the stats design).
 *
 * Input: values, each a length byte then that many bytes. They are
 * counted as a field's top values and written as JSON and as TSV.
 * Checked: the JSON parses (jansson) and gives back every value's bytes,
 * as "value" when they are UTF-8 and as "value_hex" when not; each TSV row
 * has four tab-separated columns, no raw newline inside, and unescapes to
 * the value's bytes (NUL included).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "field/field.h"
#include "fuzz_util.h"
#include "sample/stats_field.h"

#define MAXV 64

static char *report(const struct ladle_config *cfg, const struct ladle_stats_field *f,
                    const struct ladle_stats_entry *e, size_t n, size_t *len)
{
    int fd = memfd_create("fuzz", 0);
    struct ladle_error err;
    struct ladle_writer w;
    ladle_error_init(&err);
    if (fd < 0 || ladle_writer_init(&w, fd, &err) != LADLE_OK ||
        ladle_stats_report(cfg, f, n, e, n, 1, &w, &err) != LADLE_OK ||
        ladle_writer_flush(&w) != LADLE_OK)
        abort();
    ladle_writer_destroy(&w);
    off_t size = lseek(fd, 0, SEEK_END);
    char *buf = malloc((size_t)size + 1);
    if (!buf || pread(fd, buf, (size_t)size, 0) != size)
        abort();
    buf[size] = '\0';
    close(fd);
    *len = (size_t)size;
    return buf;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void check_json(const char *text, size_t len, const struct ladle_stats_entry *e, size_t n)
{
    json_error_t jerr;
    json_t *o = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
    json_t *top = json_object_get(o, "top");
    if (!o || json_array_size(top) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(top, i), *hex = json_object_get(t, "value_hex");
        if (hex) {
            const char *h = json_string_value(hex);
            if (!h || strlen(h) != 2 * e[i].len)
                abort();
            for (size_t k = 0; k < e[i].len; k++)
                if ((unsigned char)e[i].v[k] != hexval(h[2 * k]) * 16 + hexval(h[2 * k + 1]))
                    abort();
        } else {
            json_t *v = json_object_get(t, "value");
            if (json_string_length(v) != e[i].len ||
                memcmp(json_string_value(v), e[i].v, e[i].len) != 0)
                abort();
        }
    }
    json_decref(o);
}

static void check_tsv(char *text, size_t len, const struct ladle_stats_entry *e, size_t n)
{
    char *stop = text + len, *line = memchr(text, '\n', len); /* after the header */
    for (size_t i = 0; i < n; i++) {
        if (!line)
            abort();
        char *row = line + 1, *end = memchr(row, '\n', (size_t)(stop - row));
        if (!end || end - row < 2 || memcmp(row, "v\t", 2) != 0)
            abort();
        char *value = row + 2, *tab = memchr(value, '\t', (size_t)(end - value));
        if (!tab)
            abort();
        size_t k = 0;
        for (char *p = value; p < tab; p++, k++) {
            char c = *p;
            if (c == '\\') {
                char x = *++p;
                c = x == 't' ? '\t' : x == 'n' ? '\n' : x == 'r' ? '\r' : x == '\\' ? '\\' : 0;
                if (!c)
                    abort();
            }
            if (k >= e[i].len || c != e[i].v[k])
                abort();
        }
        if (k != e[i].len)
            abort();
        line = end;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ladle_stats_entry e[MAXV];
    size_t n = 0;
    for (size_t i = 0; i < size && n < MAXV;) {
        size_t len = data[i++];
        len = len > size - i ? size - i : len;
        e[n] = (struct ladle_stats_entry){(const char *)data + i, len, n + 1};
        n++;
        i += len;
    }
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_field *field = NULL;
    if (ladle_field_compile(&field, "v", LADLE_FORMAT_JSON, 0, &err) != LADLE_OK)
        abort();
    struct ladle_stats_field f = {.field = field, .with_field = n * (n + 1) / 2};
    struct ladle_config cfg;
    memset(&cfg, 0, sizeof cfg);
    for (int out = 1; out <= 2; out++) {
        cfg.params.stats_output = out;
        size_t len;
        char *text = report(&cfg, &f, e, n, &len);
        if (out == 1)
            check_json(text, len, e, n);
        else
            check_tsv(text, len, e, n);
        free(text);
    }
    ladle_field_free(field);
    return 0;
}
