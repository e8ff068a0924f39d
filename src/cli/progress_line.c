/*
 * progress_line.c -- the progress line on stderr: on a terminal, or with
 * --progress; never with --no-progress.
 *
 *   pass 1/2  1.2/3.2 GB 37%  5.1M rec  410 MB/s  1.6M rec/s  kept 12.3k  ETA 0:05
 *
 * The engine's ticker thread calls draw() about 4 times a second; each draw
 * is "\r" + the line + "\033[K" (erase to the end), cut to the terminal's
 * width. Any other message during a run first clears the line
 * (ladle_cli_progress_note, under engine/console.h's lock, which draw()
 * holds too: a message and a redraw never interleave); the next tick draws
 * it again below the message. The line is cleared once the run ends.
 * Spooling and a dataset's commit are said on lines of their own, and an
 * interrupted run says what it left (ladle_cli_progress_interrupted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/console.h"

static struct {
    int on;
    int drawn;           /* under the console lock: a line is on the screen */
    uint64_t inputs;     /* the operands' sizes (0: not known) */
    ladle_progress last; /* under the console lock: the last snapshot */
    int seen;            /* under the console lock: last is set */
} pl;

/* "1.2 GB", "512 KB", "17 B" into buf. */
static const char *bytes_text(char *buf, size_t n, double b)
{
    static const char *const unit[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (b >= 1000 && u < 5) {
        b /= 1000;
        u++;
    }
    snprintf(buf, n, u && b < 100 ? "%.1f %s" : "%.0f %s", b, unit[u]);
    return buf;
}

/* "12.3 k", "5.1 M", "999" into buf. */
static const char *count_text(char *buf, size_t n, double c)
{
    static const char *const unit[] = {"", "k", "M", "G", "T"};
    int u = 0;
    while (c >= 1000 && u < 4) {
        c /= 1000;
        u++;
    }
    snprintf(buf, n, u && c < 100 ? "%.1f%s" : "%.0f%s", c, unit[u]);
    return buf;
}

static unsigned width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    /* Not a terminal (--progress into a file): $COLUMNS, as ls and others read it. */
    const char *c = getenv("COLUMNS");
    long n = c ? strtol(c, NULL, 10) : 0;
    return n >= 20 && n <= 1000 ? (unsigned)n : 80;
}

/* Seconds left: the rest of this pass and the passes still to come, at this pass's speed. */
static int eta(const ladle_progress *p, double *left)
{
    if (!p->bytes_total || !p->bytes_read || p->seconds <= 0 || p->bytes_read > p->bytes_total)
        return 0;
    double rate = (double)p->bytes_read / p->seconds;
    double todo = (double)(p->bytes_total - p->bytes_read);
    if (p->passes > p->pass)
        todo += (double)p->bytes_total * (p->passes - p->pass);
    *left = todo / rate;
    return 1;
}

/* "143/315 MB 45%", or "512 MB/3.2 GB 16%" when the units differ. */
static void bytes_field(char *f, size_t n, const ladle_progress *p)
{
    char a[32], b[32];
    bytes_text(a, sizeof a, (double)p->bytes_read);
    if (!p->bytes_total) {
        snprintf(f, n, "%s", a);
        return;
    }
    bytes_text(b, sizeof b, (double)p->bytes_total);
    const char *ua = strchr(a, ' '), *ub = strchr(b, ' ');
    double share = 100.0 * (double)p->bytes_read / (double)p->bytes_total;
    unsigned pct = share < 999 ? (unsigned)(share + 0.5) : 999; /* a file that grew */
    if (ua && ub && strcmp(ua, ub) == 0)
        snprintf(f, n, "%.*s/%s %u%%", (int)(ua - a), a, b, pct);
    else
        snprintf(f, n, "%s/%s %u%%", a, b, pct);
}

/* The fields, most wanted first; those that do not fit the terminal's
 * width are left out, least wanted first. */
enum { F_PASS, F_BYTES, F_RECORDS, F_MBPS, F_RECPS, F_KEPT, F_ETA, F_COUNT };

static void read_line(char *line, size_t cap, const ladle_progress *p)
{
    char f[F_COUNT][96], a[32];
    if (p->passes)
        snprintf(f[F_PASS], sizeof f[F_PASS], "pass %u/%u", p->pass, p->passes);
    else
        snprintf(f[F_PASS], sizeof f[F_PASS], "pass %u", p->pass);
    bytes_field(f[F_BYTES], sizeof f[F_BYTES], p);
    snprintf(f[F_RECORDS], sizeof f[F_RECORDS], "%s rec",
             count_text(a, sizeof a, (double)p->records));
    double s = p->seconds > 0 ? p->seconds : 1e-9;
    snprintf(f[F_MBPS], sizeof f[F_MBPS], "%s/s",
             bytes_text(a, sizeof a, (double)p->bytes_read / s));
    snprintf(f[F_RECPS], sizeof f[F_RECPS], "%s rec/s",
             count_text(a, sizeof a, (double)p->records / s));
    snprintf(f[F_KEPT], sizeof f[F_KEPT], "kept %s", count_text(a, sizeof a, (double)p->kept));
    double left;
    f[F_ETA][0] = '\0';
    if (eta(p, &left)) {
        unsigned long t = (unsigned long)(left + 0.5);
        if (t >= 3600)
            snprintf(f[F_ETA], sizeof f[F_ETA], "ETA %lu:%02lu:%02lu", t / 3600, t / 60 % 60,
                     t % 60);
        else
            snprintf(f[F_ETA], sizeof f[F_ETA], "ETA %lu:%02lu", t / 60, t % 60);
    }
    static const int drop[] = {F_RECPS, F_RECORDS, F_MBPS, F_KEPT, F_ETA, F_BYTES};
    int keep[F_COUNT] = {1, 1, 1, 1, 1, 1, 1};
    size_t w = width() - 1; /* the last column would wrap on some terminals */
    for (size_t d = 0;; d++) {
        size_t len = 0;
        line[0] = '\0';
        for (int k = 0; k < F_COUNT; k++)
            if (keep[k] && f[k][0])
                len += (size_t)snprintf(line + len, cap - len, "%s%s", len ? "  " : "", f[k]);
        if (len <= w || d == sizeof drop / sizeof *drop) {
            if (len > w)
                line[w] = '\0';
            return;
        }
        keep[drop[d]] = 0;
    }
}

static void clear_locked(void)
{
    if (pl.drawn)
        fputs("\r\033[K", stderr);
    pl.drawn = 0;
}

/* One line of its own, above the progress line. */
static void say_locked(const char *line)
{
    clear_locked();
    fprintf(stderr, "%s\n", line);
}

static void draw(void *arg, const ladle_progress *p)
{
    (void)arg;
    char line[512], a[32];
    unsigned w = width();
    ladle_console_lock();
    switch (p->phase) {
    case LADLE_PROGRESS_READ:
        pl.last = *p;
        pl.seen = 1;
        read_line(line, sizeof line, p);
        fprintf(stderr, "\r%s\033[K", line);
        pl.drawn = 1;
        break;
    case LADLE_PROGRESS_SPOOL:
        pl.last = *p;
        pl.seen = 1;
        snprintf(line, sizeof line, "ladle: spooling %s to %s for a two-pass design (%s so far)",
                 p->what, p->where, bytes_text(a, sizeof a, (double)p->bytes_read));
        line[w - 1 < sizeof line ? w - 1 : sizeof line - 1] = '\0';
        fprintf(stderr, "\r%s\033[K", line);
        pl.drawn = 1;
        break;
    case LADLE_PROGRESS_SPOOLED:
        snprintf(line, sizeof line, "ladle: spooled %s to %s for a two-pass design (%s)", p->what,
                 p->where, bytes_text(a, sizeof a, (double)p->bytes_read));
        say_locked(line);
        break;
    case LADLE_PROGRESS_COMMIT:
        snprintf(line, sizeof line, "ladle: committing %u split%s to %s ...", p->splits,
                 p->splits == 1 ? "" : "s", p->what);
        say_locked(line);
        break;
    }
    fflush(stderr);
    ladle_console_unlock();
}

void ladle_cli_progress_setup(ladle_job *job, int mode, int ninputs, char *const *inputs)
{
    memset(&pl, 0, sizeof pl);
    for (int i = 0; i < ninputs; i++) {
        struct stat sb;
        if (strcmp(inputs[i], "-") == 0 || stat(inputs[i], &sb) != 0 || !S_ISREG(sb.st_mode)) {
            pl.inputs = 0;
            break;
        }
        pl.inputs += (uint64_t)sb.st_size;
    }
    pl.on = mode > 0 || (mode == 0 && isatty(STDERR_FILENO));
    if (pl.on)
        ladle_job_set_progress(job, draw, NULL);
}

void ladle_cli_progress_clear(void)
{
    ladle_console_lock();
    clear_locked();
    fflush(stderr);
    ladle_console_unlock();
}

void ladle_cli_progress_note(const char *line)
{
    ladle_console_lock();
    clear_locked();
    fprintf(stderr, "ladle: %s\n", line);
    ladle_console_unlock();
}

void ladle_cli_note_line(void *verbose, const char *line)
{
    if (*(int *)verbose || strncmp(line, "warning: ", 9) == 0 || strncmp(line, "note: ", 6) == 0)
        ladle_cli_progress_note(line);
}

void ladle_cli_progress_interrupted(const ladle_report *rep, const char *left)
{
    char a[32], b[32], line[512];
    ladle_console_lock();
    clear_locked();
    /* The ticker is joined: pl.last is the run's last snapshot, if any. */
    if (pl.seen && pl.last.phase == LADLE_PROGRESS_SPOOL) {
        snprintf(line, sizeof line, "ladle: interrupted while spooling %s: %s copied; %s",
                 pl.last.what, bytes_text(a, sizeof a, (double)pl.last.bytes_read), left);
    } else {
        uint64_t got = rep->bytes_compressed;
        if (pl.seen && pl.last.bytes_read > got)
            got = pl.last.bytes_read;
        uint64_t total = pl.seen && pl.last.bytes_total ? pl.last.bytes_total : pl.inputs;
        char pass[48] = "";
        if (pl.seen && pl.last.passes > 1)
            snprintf(pass, sizeof pass, " in pass %u of %u", pl.last.pass, pl.last.passes);
        if (total)
            snprintf(line, sizeof line, "ladle: interrupted: %s of %s read%s; %s",
                     bytes_text(a, sizeof a, (double)got), bytes_text(b, sizeof b, (double)total),
                     pass, left);
        else
            snprintf(line, sizeof line, "ladle: interrupted: %s read%s; %s",
                     bytes_text(a, sizeof a, (double)got), pass, left);
    }
    fprintf(stderr, "%s\n", line);
    ladle_console_unlock();
}
