/*
 * write_all.h -- a whole buffer written to a file descriptor.
 */
#ifndef LADLE_WRITE_ALL_H
#define LADLE_WRITE_ALL_H

#include <stddef.h>

/* Writes len bytes of p to fd, through short writes and EINTR. 0, or -1
 * with errno set (a write that writes nothing counts as a failure). */
int ladle_write_all(int fd, const void *p, size_t len);

#endif
