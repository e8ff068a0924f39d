/*
 * out.c -- the command's standard streams.
 *
 * A report that does not reach stdout (a full disk, a closed descriptor)
 * is a failed command, so everything the commands print goes through one
 * stream whose writes remember why they failed: stdio's errno is long gone
 * by fclose, and a reader that went away (EPIPE, `ladle ... | head`) must
 * be told apart from a lost report. The records of `ladle sample` go to
 * fd 1 directly (out/writer.c) and are checked there.
 *
 * Closed descriptors 0, 1 and 2 are filled at startup, so that no file the
 * run opens (a memory file, a shard, a spool) becomes "stdout" and gets the
 * report or the error messages written into it. They are filled so that
 * they still fail as a closed one would: /dev/null read-only on 1 (a write
 * fails with EBADF, an output error), write-only on 0 (a read fails with
 * EBADF, an input error).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static FILE *out;
static int out_errno;     /* the first failed write's errno, 0: none */
static int stdout_closed; /* fd 1 was closed when ladle started */

/* fopencookie(3): the bytes written, 0 on error, never a negative value. */
static ssize_t cookie_write(void *cookie, const char *buf, size_t len)
{
    (void)cookie;
    if (out_errno) {
        errno = out_errno;
        return 0;
    }
    for (size_t off = 0; off < len;) {
        ssize_t n = write(STDOUT_FILENO, buf + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            out_errno = n < 0 ? errno : EIO;
            errno = out_errno;
            return 0;
        }
        off += (size_t)n;
    }
    return (ssize_t)len;
}

/* Opens /dev/null as fd `fd` with `flags` if fd is closed; 1 if it was. */
static int fill(int fd, int flags)
{
    if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
        return 0;
    int got = open("/dev/null", flags);
    if (got >= 0 && got != fd) {
        /* Lower descriptors were open: dup it where it belongs. */
        dup2(got, fd);
        close(got);
    }
    return 1;
}

void ladle_cli_std_fds(void)
{
    /* In order: open(2) returns the lowest free descriptor. */
    fill(STDIN_FILENO, O_WRONLY);
    stdout_closed = fill(STDOUT_FILENO, O_RDONLY);
    fill(STDERR_FILENO, O_WRONLY);
}

int ladle_cli_stdout_closed(void)
{
    if (!stdout_closed)
        return 0;
    fprintf(stderr, "ladle: <stdout>: write failed: %s\n", strerror(EBADF));
    return 1;
}

FILE *ladle_cli_out(void)
{
    if (!out) {
        cookie_io_functions_t io = {.write = cookie_write};
        out = fopencookie(NULL, "w", io);
        if (!out)
            out = stdout; /* out of memory: unchecked, but printed */
    }
    return out;
}

int ladle_cli_out_close(int rc)
{
    if (out && out != stdout && fclose(out) != 0 && !out_errno)
        out_errno = errno ? errno : EIO;
    out = NULL;
    if (out_errno && out_errno != EPIPE) {
        fprintf(stderr, "ladle: <stdout>: write failed: %s\n", strerror(out_errno));
        if (rc == 0)
            rc = LADLE_E_OUTPUT;
    }
    return rc;
}
