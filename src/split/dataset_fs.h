/*
 * dataset_fs.h -- what dataset.c, finish.c and `ladle verify` share about
 * a dataset folder's entries (internal).
 */
#ifndef LADLE_DATASET_FS_H
#define LADLE_DATASET_FS_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>

#include "common/error.h"

/* Removes name (a file or a folder tree) under dirfd, never following
 * links. 0, or -1 with errno from the first failure (the rest is still
 * removed as far as it can be). */
int ladle_dataset_remove_tree(int dirfd, const char *name);
/* The entries of dirfd but . and .. (*names owned by the caller: free
 * with ladle_dataset_free_list). 0, or -1 with errno. */
int ladle_dataset_list(int dirfd, char ***names, size_t *count);
void ladle_dataset_free_list(char **names, size_t count);
/* Copies sfd/name to dfd/name (created or truncated, synced). 0, or -1 with errno. */
int ladle_dataset_copy_file(int sfd, int dfd, const char *name);
/* Copies sfd/from to dfd/to, synced: created or truncated, or with excl
 * created only (O_EXCL). stop (may be NULL) is read after every block
 * read: set, the copy ends with -1 and EINTR. 0, or -1 with errno. */
int ladle_dataset_copy_as(int sfd, const char *from, int dfd, const char *to, int excl,
                          const volatile sig_atomic_t *stop);
/* .ladle-tmp-*: a run's temporary folder. */
int ladle_dataset_is_tmp_name(const char *s);
/* part-*: a shard's file name. */
int ladle_dataset_is_part_name(const char *s);
/* *out: the JSON object in dirfd/name, or NULL when the file is missing, a link or
 * not a JSON object. 0, or -1 with errno when it cannot be opened or read. */
int ladle_dataset_read_json(int dirfd, const char *name, json_t **out);
/* The JSON object in dirfd/name, or NULL (missing, unreadable, not an object). */
json_t *ladle_dataset_load_json(int dirfd, const char *name);
/* The temporary folder a staged manifest's pending commit lives in, or NULL. */
const char *ladle_dataset_pending_folder(const json_t *manifest);
/* Steps 3 of the commit (see dataset.h) for the temporary folder tmp. */
ladle_status ladle_dataset_finish(int dirfd, const char *dir, const char *tmp,
                                  struct ladle_error *err);

#endif
