/*
 * fault_shim.c -- an LD_PRELOAD library that makes one file-system call of
 * ladle fail, or kills ladle at it, for tests/fault/sweep.sh.
 *
 * The calls that change files (open, openat, mkdir, mkdirat, mkdtemp,
 * write, pwrite, writev, fsync, fdatasync, rename, renameat, renameat2,
 * link, linkat, unlink, unlinkat, close) are numbered 1, 2, ... in the
 * order they happen, counting only those made by the main program: libc's
 * own calls (stdio flushing through write, mkdtemp's mkdir) do not come
 * through these symbols, and calls from other libraries are told apart by
 * their return address.
 *
 * Environment:
 *   LADLE_FAULT_AT=N          the Nth call is the faulty one (none if unset)
 *   LADLE_FAULT_MODE=enospc|eio|kill
 *                             fail it with ENOSPC or EIO (a close still
 *                             releases its fd, as Linux's does), or SIGKILL
 *                             the process just before it
 *   LADLE_FAULT_COUNT=FILE    at exit, write the number of calls seen to FILE
 *   LADLE_FAULT_LOG=FILE      append "N call argument" for every call seen
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long calls;
static long fault_at = -1;
static int fault_errno; /* 0: kill */
static uintptr_t main_lo = UINTPTR_MAX, main_hi;
static int log_fd = -1;
static const char *count_path;

/* The real functions, looked up once. */
#define REAL(ret, name, ...)                                                                       \
    static ret (*real_##name)(__VA_ARGS__);                                                        \
    if (!real_##name)                                                                              \
        real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name);

static int main_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    /* The first object listed is the program itself. */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (lo < main_lo)
            main_lo = lo;
        if (hi > main_hi)
            main_hi = hi;
    }
    return 1;
}

static int (*real_close_fn)(int);

__attribute__((constructor)) static void shim_init(void)
{
    dl_iterate_phdr(main_segments, NULL);
    const char *at = getenv("LADLE_FAULT_AT"), *mode = getenv("LADLE_FAULT_MODE");
    if (at && *at)
        fault_at = atol(at);
    if (mode && strcmp(mode, "eio") == 0)
        fault_errno = EIO;
    else if (mode && strcmp(mode, "kill") == 0)
        fault_errno = 0;
    else
        fault_errno = ENOSPC;
    count_path = getenv("LADLE_FAULT_COUNT");
    const char *lp = getenv("LADLE_FAULT_LOG");
    int (*real_open)(const char *, int, ...) =
        (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    if (lp && *lp)
        log_fd = real_open(lp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    real_close_fn = (int (*)(int))dlsym(RTLD_NEXT, "close");
}

__attribute__((destructor)) static void shim_fini(void)
{
    if (!count_path || !*count_path)
        return;
    FILE *f = fopen(count_path, "w");
    if (f) {
        fprintf(f, "%ld\n", atomic_load(&calls));
        fclose(f);
    }
}

/* 1: fail this call (errno set), 0: go on. Kills the process in kill mode. */
static int hit(const void *caller, const char *name, const char *arg)
{
    uintptr_t c = (uintptr_t)caller;
    if (c < main_lo || c >= main_hi)
        return 0;
    long n = atomic_fetch_add(&calls, 1) + 1;
    if (log_fd >= 0) {
        char line[512];
        int len = snprintf(line, sizeof line, "%ld %s %s\n", n, name, arg ? arg : "");
        if (len > (int)sizeof line - 1)
            len = (int)sizeof line - 1;
        ssize_t w = write(log_fd, line, (size_t)len); /* libc's own: not counted */
        (void)w;
    }
    if (n != fault_at)
        return 0;
    if (!fault_errno) {
        kill(getpid(), SIGKILL);
        for (;;)
            pause();
    }
    errno = fault_errno;
    return 1;
}

#define CALLER __builtin_return_address(0)

int open(const char *path, int flags, ...)
{
    REAL(int, open, const char *, int, ...)
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (hit(CALLER, "open", path))
        return -1;
    return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    REAL(int, open64, const char *, int, ...)
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (hit(CALLER, "open64", path))
        return -1;
    return real_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    REAL(int, openat, int, const char *, int, ...)
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (hit(CALLER, "openat", path))
        return -1;
    return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    REAL(int, openat64, int, const char *, int, ...)
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (hit(CALLER, "openat64", path))
        return -1;
    return real_openat64(dirfd, path, flags, mode);
}

int mkdir(const char *path, mode_t mode)
{
    REAL(int, mkdir, const char *, mode_t)
    return hit(CALLER, "mkdir", path) ? -1 : real_mkdir(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
    REAL(int, mkdirat, int, const char *, mode_t)
    return hit(CALLER, "mkdirat", path) ? -1 : real_mkdirat(dirfd, path, mode);
}

char *mkdtemp(char *tmpl)
{
    REAL(char *, mkdtemp, char *)
    return hit(CALLER, "mkdtemp", tmpl) ? NULL : real_mkdtemp(tmpl);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(ssize_t, write, int, const void *, size_t)
    return hit(CALLER, "write", NULL) ? -1 : real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(ssize_t, pwrite, int, const void *, size_t, off_t)
    return hit(CALLER, "pwrite", NULL) ? -1 : real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    REAL(ssize_t, pwrite64, int, const void *, size_t, off_t)
    return hit(CALLER, "pwrite64", NULL) ? -1 : real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    REAL(ssize_t, writev, int, const struct iovec *, int)
    return hit(CALLER, "writev", NULL) ? -1 : real_writev(fd, iov, cnt);
}

int fsync(int fd)
{
    REAL(int, fsync, int)
    return hit(CALLER, "fsync", NULL) ? -1 : real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(int, fdatasync, int)
    return hit(CALLER, "fdatasync", NULL) ? -1 : real_fdatasync(fd);
}

int rename(const char *from, const char *to)
{
    REAL(int, rename, const char *, const char *)
    return hit(CALLER, "rename", from) ? -1 : real_rename(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    REAL(int, renameat, int, const char *, int, const char *)
    return hit(CALLER, "renameat", from) ? -1 : real_renameat(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    REAL(int, renameat2, int, const char *, int, const char *, unsigned)
    return hit(CALLER, "renameat2", from) ? -1 : real_renameat2(fd1, from, fd2, to, flags);
}

int link(const char *from, const char *to)
{
    REAL(int, link, const char *, const char *)
    return hit(CALLER, "link", from) ? -1 : real_link(from, to);
}

int linkat(int fd1, const char *from, int fd2, const char *to, int flags)
{
    REAL(int, linkat, int, const char *, int, const char *, int)
    return hit(CALLER, "linkat", from) ? -1 : real_linkat(fd1, from, fd2, to, flags);
}

int unlink(const char *path)
{
    REAL(int, unlink, const char *)
    return hit(CALLER, "unlink", path) ? -1 : real_unlink(path);
}

int unlinkat(int dirfd, const char *path, int flags)
{
    REAL(int, unlinkat, int, const char *, int)
    return hit(CALLER, "unlinkat", path) ? -1 : real_unlinkat(dirfd, path, flags);
}

int close(int fd)
{
    if (!real_close_fn)
        real_close_fn = (int (*)(int))dlsym(RTLD_NEXT, "close");
    if (hit(CALLER, "close", NULL)) {
        int e = errno;
        real_close_fn(fd); /* Linux releases the fd whatever close returns */
        errno = e;
        return -1;
    }
    return real_close_fn(fd);
}
