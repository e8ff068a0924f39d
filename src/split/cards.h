/*
 * cards.h -- the two files loaders read, made from a dataset's manifest:
 * README.md (a Hugging Face dataset card: YAML header with `configs:` /
 * `data_files:`, then a short data card) and croissant.json (MLCommons
 * Croissant 1.0). manifest.json stays the source of truth: the cards are
 * a function of it and of the first line of the dataset's first shard
 * (the fields of a JSON object or a header line), so `ladle verify`
 * makes them again and compares. Nothing in them reads the clock.
 */
#ifndef LADLE_CARDS_H
#define LADLE_CARDS_H

#include <jansson.h>
#include <stddef.h>

#define LADLE_CARD_README "README.md"
#define LADLE_CARD_CROISSANT "croissant.json"
#define LADLE_CARD_LINE_MAX ((size_t)1 << 20) /* a longer first line gives no fields */
/* croissant.json lists a Field per (split, field): past this many in all it
 * lists none, so a hostile manifest (many splits, a wide first record) cannot
 * make verify build gigabytes of cards. */
#define LADLE_CARD_FIELDS_MAX 20000

/* The record fields of the dataset in dirfd that manifest m describes: an
 * array of {"name", "type"} (Croissant data types) from the first line of
 * its first shard -- a JSON object's keys in order (format jsonl), or the
 * header line's columns (tsv, csv with "header": true). NULL when there
 * are none: another format, no shard, no such line, not an object. */
json_t *ladle_cards_fields(int dirfd, const json_t *m);

/* README.md's and croissant.json's text (malloc'd, ending in a newline)
 * for manifest m and fields (may be NULL). 0, or -1 out of memory (then
 * both are NULL). */
int ladle_cards_make(const json_t *m, const json_t *fields, char **readme, char **croissant);

/* The length of a README.md's YAML header: from its first line "---" to
 * the next line "---", that line and its newline included; 0 when text
 * does not start with one. */
size_t ladle_cards_header_len(const char *text, size_t len);

/* Internal to the cards: each file's maker, and what both say. */
char *ladle_card_readme(const json_t *m, const json_t *fields);
char *ladle_card_croissant(const json_t *m, const json_t *fields);
/* The glob of a split's shards: its name, a slash and *.EXT.zst (malloc'd). */
char *ladle_card_glob(const char *split, const char *ext);
/* The content's media type for the manifest's "format". */
const char *ladle_card_mime(const char *format);
/* A name for the dataset: the first input's base name without extensions. */
char *ladle_card_name(const json_t *m);

#endif
