/*
 * file_map.c -- mapped views of a file, and the SIGBUS handler that keeps
 * a file shrinking under them from killing the process (file_map.h).
 *
 * The handler finds the view that holds the faulting address in a fixed
 * table of slots (lock-free: a handler may not take a lock), maps
 * anonymous zero pages from the faulting page to the view's end
 * (mmap(2) is a system call, safe in a handler on Linux), marks the view
 * faulted and returns, so that the load is made again and reads zeros.
 */
#include "io/file_map.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Views alive at once: one per chunk in flight, so a few per worker. A
 * view that finds the table full is not made (the caller reads instead). */
#define SLOTS 256

static atomic_uintptr_t slot_lo[SLOTS]; /* 0: free or being set up */
static atomic_uintptr_t slot_hi[SLOTS];
static struct ladle_file_map *_Atomic slot_map[SLOTS];
static atomic_bool slot_taken[SLOTS];

static struct sigaction previous;
static uintptr_t page_size;
static bool installed;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static void pass_on(int sig, siginfo_t *si, void *uc)
{
    if (previous.sa_flags & SA_SIGINFO) {
        previous.sa_sigaction(sig, si, uc);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
    } else {
        /* The default action: returning makes the load again, which now
         * ends the process as it would have without us. */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(sig, &dfl, NULL);
    }
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    const int saved = errno;
    const uintptr_t at = (uintptr_t)si->si_addr;
    for (unsigned k = 0; k < SLOTS; k++) {
        uintptr_t lo = atomic_load_explicit(&slot_lo[k], memory_order_acquire);
        if (!lo || at < lo)
            continue;
        uintptr_t hi = atomic_load_explicit(&slot_hi[k], memory_order_relaxed);
        struct ladle_file_map *m = atomic_load_explicit(&slot_map[k], memory_order_relaxed);
        if (at >= hi || atomic_load_explicit(&slot_lo[k], memory_order_acquire) != lo)
            continue;
        uintptr_t from = at & ~(page_size - 1);
        if (mmap((void *)from, hi - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
                 0) == MAP_FAILED)
            break; /* cannot mend it: as if it were not ours */
        atomic_store_explicit(&m->faulted, true, memory_order_release);
        struct stat sb; /* fstat(2) is async-signal-safe */
        if (m->watch) {
            atomic_store(&m->watch->size_found, fstat(m->fd, &sb) == 0 ? (uint64_t)sb.st_size : 0);
            atomic_store(&m->watch->shrank, true);
        }
        errno = saved;
        return;
    }
    errno = saved;
    pass_on(sig, si, uc);
}

static void install(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0)
        return;
    page_size = (uintptr_t)ps;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    installed = sigaction(SIGBUS, &sa, &previous) == 0;
}

int ladle_file_map_open(struct ladle_file_map *m, int fd, uint64_t off, size_t len,
                        struct ladle_file_map_watch *watch)
{
    pthread_once(&install_once, install);
    if (!installed || !len)
        return -1;
    uint64_t from = off & ~(uint64_t)(page_size - 1);
    size_t maplen = len + (size_t)(off - from);
    void *base = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)from);
    if (base == MAP_FAILED)
        return -1;
    unsigned k = 0;
    while (k < SLOTS && atomic_exchange(&slot_taken[k], true))
        k++;
    if (k == SLOTS) {
        munmap(base, maplen);
        return -1;
    }
    m->base = base;
    m->len = maplen;
    m->bytes = m->base + (off - from);
    m->slot = k;
    m->fd = fd;
    m->watch = watch;
    atomic_init(&m->faulted, false);
    atomic_store_explicit(&slot_map[k], m, memory_order_relaxed);
    atomic_store_explicit(&slot_hi[k], (uintptr_t)base + maplen, memory_order_relaxed);
    atomic_store_explicit(&slot_lo[k], (uintptr_t)base, memory_order_release);
    return 0;
}

bool ladle_file_map_close(struct ladle_file_map *m)
{
    /* Out of the table first: no fault can come from it any more (its
     * reader is done), and a handler running now skips it. */
    atomic_store_explicit(&slot_lo[m->slot], 0, memory_order_release);
    munmap(m->base, m->len);
    atomic_store(&slot_taken[m->slot], false);
    return ladle_file_map_faulted(m);
}
