/*
 * write_all.c -- see write_all.h.
 */
#include "common/write_all.h"

#include <errno.h>
#include <unistd.h>

int ladle_write_all(int fd, const void *p, size_t len)
{
    const char *b = p;
    while (len) {
        ssize_t n = write(fd, b, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        b += n;
        len -= (size_t)n;
    }
    return 0;
}
