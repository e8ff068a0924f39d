/*
 * similar.h -- how far one word is from another, for "did you mean" hints
 * (a mistyped option, a JSON key that does not occur).
 */
#ifndef LADLE_SIMILAR_H
#define LADLE_SIMILAR_H

#include <stddef.h>

/* Edits (insert, delete, substitute, swap two neighbours) from a to b,
 * capped: words over 40 bytes are 99 apart, since only small distances make
 * a suggestion. */
size_t ladle_edit_distance(const char *a, const char *b);

/* The most edits a suggestion for a word of len bytes may be away: none
 * under 3 bytes, 1 under 5, else 2 (more would suggest unrelated words). */
size_t ladle_edit_budget(size_t len);

#endif
