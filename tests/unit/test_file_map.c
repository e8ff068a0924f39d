/*
 * test_file_map.c -- mapped views of a file (src/io/file_map.c) when the
 * file shrinks under them.
 *
 * A view whose pages lie past the file's end once it was truncated must
 * not kill the process (SIGBUS): the load reads zeros and the view says
 * it faulted; a view that kept its bytes does not. A SIGBUS on a mapping
 * that is no view still ends the process with SIGBUS (the handler passes
 * it on to the one before, a sanitizer's in those builds), checked in a
 * child. Views of many segments at once, and the
 * table's slots reused.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/file_map.h"
#include "test_util.h"

#define SIZE ((size_t)1 << 20)

/* Under ASan or TSan the handler ours passes a foreign SIGBUS on to is the
 * sanitizer's. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static char *make_file(const char *name)
{
    static char data[SIZE];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (i % 80 == 79) ? '\n' : (char)('a' + i % 26);
    return t_write_file(name, data, sizeof data);
}

/* Sums every byte of the view (touching each page). */
static unsigned long touch(const struct ladle_file_map *m, size_t len)
{
    unsigned long sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += (unsigned char)m->bytes[i];
    return sum;
}

static void shrink_case(size_t off, size_t len, size_t new_size)
{
    char *path = make_file("view.log");
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    struct ladle_file_map m;
    struct ladle_file_map_watch w;
    atomic_init(&w.shrank, false);
    atomic_init(&w.size_found, 0);
    CHECK(ladle_file_map_open(&m, fd, off, len, &w) == 0);
    CHECK(m.bytes[0] == (char)((off % 80 == 79) ? '\n' : 'a' + off % 26));
    CHECK(truncate(path, (off_t)new_size) == 0);
    unsigned long sum = touch(&m, len);
    const bool cut = new_size < off + len;
    CHECKF(ladle_file_map_faulted(&m) == cut, "view [%zu, +%zu), file cut to %zu: faulted %d", off,
           len, new_size, ladle_file_map_faulted(&m));
    if (cut && new_size <= off)
        CHECKF(sum == 0, "a view wholly past the end reads zeros (sum %lu)", sum);
    CHECK(atomic_load(&w.shrank) == cut);
    if (cut)
        CHECKF(atomic_load(&w.size_found) == new_size, "the size found: %llu, want %zu",
               (unsigned long long)atomic_load(&w.size_found), new_size);
    CHECK(ladle_file_map_close(&m) == cut);
    close(fd);
    unlink(path);
    free(path);
}

/* Many views at once (more than a run holds), their slots then reused. */
static void many_views(void)
{
    char *path = make_file("many.log");
    int fd = open(path, O_RDONLY);
    enum { N = 200 };
    static struct ladle_file_map v[N];
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < N; i++)
            CHECK(ladle_file_map_open(&v[i], fd, i * 4099 % SIZE, 100, NULL) == 0);
        for (size_t i = 0; i < N; i++) {
            size_t off = i * 4099 % SIZE;
            CHECK(v[i].bytes[5] == (char)(((off + 5) % 80 == 79) ? '\n' : 'a' + (off + 5) % 26));
            CHECK(!ladle_file_map_close(&v[i]));
        }
    }
    close(fd);
    unlink(path);
    free(path);
}

/* A SIGBUS that is not a view's: the process still dies of it. */
static void foreign_sigbus(void)
{
    char *path = make_file("foreign.log");
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(path, O_RDONLY);
        struct ladle_file_map m;
        if (ladle_file_map_open(&m, fd, 0, 100, NULL) != 0) /* installs the handler */
            _exit(2);
        const volatile char *raw = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
        if (raw == MAP_FAILED || truncate(path, 0) != 0)
            _exit(3);
        (void)raw[SIZE - 1];
        _exit(0);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
#if SANITIZED
    /* The handler before ours is the sanitizer's: it reports and aborts. */
    CHECKF(!WIFEXITED(status) ||
               (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 2 && WEXITSTATUS(status) != 3),
           "a foreign SIGBUS under a sanitizer: status %#x, want its report", status);
#else
    CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS,
           "a foreign SIGBUS: status %#x, want death by SIGBUS", status);
#endif
    unlink(path);
    free(path);
}

int main(void)
{
    shrink_case(0, SIZE, SIZE);          /* untouched: no fault */
    shrink_case(4096, 8192, SIZE / 2);   /* cut after the view: no fault */
    shrink_case(100000, 300000, 200000); /* cut inside it, mid-page */
    shrink_case(8192, 4096 * 3, 8192);   /* cut at its start, on a page edge */
    shrink_case(300001, 5000, 0);        /* emptied */
    many_views();
    foreign_sigbus();
    return t_done("test_file_map");
}
