/*
 * test_state.c -- the LDST state container (src/state/).
 *
 * 1. Round trip: a state with every kind of parameter, a header, sources,
 *    segments and a payload encodes, decodes to the same fields, and
 *    encodes again to the same bytes; also through write_file/read_file.
 * 2. Refusals (LADLE_E_INPUT, "state: what (byte N)", nothing kept):
 *    every truncation; every byte flipped; a foreign file and a kept_state
 *    payload without its container; a newer and an older reproducibility
 *    contract; a newer container version; body errors behind a valid
 *    checksum (a segment past the sources, a bad switch, bytes after the
 *    payload).
 * 3. ladle_state_check names the first parameter that differs, as typed.
 * 4. The lock refuses a second holder.
 * 5. Write failures (when LADLE_FAULT_SHIM names tests/fault's shim, i.e.
 *    not under a sanitizer): this program re-runs itself as a child that
 *    replaces state A by state B with every file-system call of the write
 *    failing in turn (ENOSPC, EIO) or killed. After a failure the file is
 *    A byte for byte and no temporary file is left; after success or
 *    "written, but" (the folder's fsync) it is B; after a kill it is A or B.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/error.h"
#include "out/outbuf.h"
#include "state/state.h"
#include "test_util.h"

static const struct ladle_state_kv kvs[] = {
    {"-n", LADLE_STATE_U64, 100, NULL, 0},
    {"--rate", LADLE_STATE_F64, 0x3fb999999999999aULL, NULL, 0}, /* 0.1 */
    {"--field", LADLE_STATE_STR, 0, "user\tid", 7},
    {"--emit-weight", LADLE_STATE_SWITCH, 1, NULL, 0},
};

static const struct ladle_state_source srcs[] = {
    {0x1111,
     {1, 2, 3},
     0,
     "app.log",
     "/var/log/app.log",
     LADLE_STATE_PLAIN,
     4096,
     40,
     4096,
     0xabcdef,
     1,
     2,
     4096,
     1700000000000000000ULL,
     0,
     0,
     0},
    {0x2222, {9}, 1, "x.csv", "x.csv.zst", LADLE_STATE_ZSTD, 10, 1, 10, 7, 0, 0, 3, 0, 7, 4, 10},
    {0x3333, {0}, 0, "", "-", LADLE_STATE_PIPE, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0},
};

static const struct ladle_state_segment segs[] = {{0, 0, 4096}, {1, 0, 10}};

static struct ladle_state make_state(const char *payload)
{
    struct ladle_state st;
    memset(&st, 0, sizeof st);
    st.contract = LADLE_CONTRACT_VERSION;
    memcpy(st.design, "LDBK", 4);
    st.seed = 7;
    st.params = kvs;
    st.nparams = sizeof kvs / sizeof kvs[0];
    st.header = "a,b\n";
    st.header_len = 4;
    st.sources = srcs;
    st.nsources = 3;
    st.segments = segs;
    st.nsegments = 2;
    st.payload = (const unsigned char *)payload;
    st.payload_len = strlen(payload);
    return st;
}

static struct ladle_outbuf encode(const struct ladle_state *st)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_outbuf o = {0};
    CHECK(ladle_state_encode(st, &o, &err) == LADLE_OK);
    return o;
}

/* Decodes data, expecting a refusal whose message contains want. */
static void refused(const void *data, size_t len, const char *want)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_state st;
    ladle_status s = ladle_state_decode(data, len, NULL, &st, &err);
    CHECKF(s == LADLE_E_INPUT, "len %zu: status %d", len, (int)s);
    CHECKF(s != LADLE_E_INPUT || (strncmp(err.msg, "state: ", 7) == 0 &&
                                  strstr(err.msg, " (byte ") && strstr(err.msg, want)),
           "len %zu: \"%s\", want \"%s\"", len, err.msg, want);
    CHECK(st.owned == NULL && st.nsources == 0);
    ladle_state_free(&st);
}

static void test_round_trip(void)
{
    struct ladle_state a = make_state("LDBK payload bytes");
    struct ladle_outbuf o = encode(&a);
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_state b;
    CHECK(ladle_state_decode(o.data, o.len, "f", &b, &err) == LADLE_OK);
    CHECK(b.contract == LADLE_CONTRACT_VERSION && memcmp(b.design, "LDBK", 4) == 0 && b.seed == 7);
    CHECK(b.nparams == 4 && b.params[1].u == kvs[1].u && b.params[2].slen == 7 &&
          memcmp(b.params[2].s, "user\tid", 7) == 0 && b.params[3].type == LADLE_STATE_SWITCH);
    CHECK(b.header_len == 4 && memcmp(b.header, "a,b\n", 4) == 0);
    CHECK(b.nsources == 3 && strcmp(b.sources[0].path, "/var/log/app.log") == 0 &&
          b.sources[0].mtime_ns == srcs[0].mtime_ns && b.sources[1].first[0] == 9 &&
          b.sources[1].gen == 1 && b.sources[2].kind == LADLE_STATE_PIPE &&
          strcmp(b.sources[2].stem, "") == 0);
    CHECK(b.nsegments == 2 && b.segments[1].to == 10);
    CHECK(b.payload_len == 18 && memcmp(b.payload, "LDBK payload bytes", 18) == 0);
    struct ladle_outbuf o2 = encode(&b);
    CHECK(o2.len == o.len && memcmp(o2.data, o.data, o.len) == 0);
    ladle_outbuf_free(&o2);
    ladle_state_free(&b);

    /* An empty state (a first run over no records) too. */
    struct ladle_state e;
    memset(&e, 0, sizeof e);
    e.contract = LADLE_CONTRACT_VERSION;
    memcpy(e.design, "LDWS", 4);
    struct ladle_outbuf oe = encode(&e);
    CHECK(ladle_state_decode(oe.data, oe.len, NULL, &b, &err) == LADLE_OK);
    CHECK(b.nsources == 0 && b.payload_len == 0 && b.owned != NULL);
    ladle_state_free(&b);
    ladle_outbuf_free(&oe);

    /* Through a file. */
    char *path = t_write_file("rt.state", "", 0);
    CHECK(ladle_state_write_file(path, &a, &err) == LADLE_OK);
    int exists = 0;
    CHECK(ladle_state_read_file(path, &b, &exists, &err) == LADLE_OK && exists);
    CHECK(b.nsources == 3 && b.payload_len == 18);
    ladle_state_free(&b);
    unlink(path);
    CHECK(ladle_state_read_file(path, &b, &exists, &err) == LADLE_OK && !exists);
    free(path);
    ladle_outbuf_free(&o);
}

/* Re-seals a body with a right checksum, so the walker itself is tested. */
static void reseal(struct ladle_outbuf *o);

static void test_refusals(void)
{
    struct ladle_state a = make_state("payload");
    struct ladle_outbuf o = encode(&a);
    for (size_t k = 0; k < o.len; k++)
        refused(o.data, k, "");
    refused(o.data, 4, "not a ladle state file (byte 0)");
    for (size_t i = 0; i < o.len; i++)
        for (int bit = 0; bit < 8; bit += 3) {
            o.data[i] ^= (char)(1 << bit);
            refused(o.data, o.len, i < 7 ? "not a ladle state file" : "");
            o.data[i] ^= (char)(1 << bit);
        }
    o.data[o.len - 1] ^= 1;
    refused(o.data, o.len, "truncated or corrupt (checksum)");
    o.data[o.len - 1] ^= 1;
    o.data[7] = 3;
    refused(o.data, o.len, "a state of container version 3, this ladle reads 2 (byte 7)");
    refused("hello, world\n", 13, "not a ladle state file (byte 0)");
    refused("LDBK\0\0\0\2", 8, "not a ladle state file (byte 0)");
    ladle_outbuf_free(&o);

    char want[128];
    a.contract = LADLE_CONTRACT_VERSION + 1;
    o = encode(&a);
    snprintf(want, sizeof want,
             "state: written by reproducibility contract %u, this ladle has %u "
             "(byte 8)",
             LADLE_CONTRACT_VERSION + 1, LADLE_CONTRACT_VERSION);
    refused(o.data, o.len, want);
    ladle_outbuf_free(&o);
    a.contract = LADLE_CONTRACT_VERSION - 1;
    o = encode(&a);
    refused(o.data, o.len, "(its keys differ: start a new state)");
    ladle_outbuf_free(&o);
    a.contract = LADLE_CONTRACT_VERSION;

    /* Behind a valid checksum. */
    struct ladle_state_segment bad_seg = {3, 0, 1};
    a.segments = &bad_seg;
    a.nsegments = 1;
    o = encode(&a);
    refused(o.data, o.len, "a segment outside its sources");
    ladle_outbuf_free(&o);
    a.segments = segs;
    o = encode(&a);
    o.len -= 8;
    CHECK(ladle_outbuf_append(&o, "x", 1) == 0);
    reseal(&o);
    refused(o.data, o.len, "bytes after the payload");
    ladle_outbuf_free(&o);
    struct ladle_state_kv twice[2] = {kvs[0], kvs[0]};
    a.params = twice;
    a.nparams = 2;
    o = encode(&a);
    refused(o.data, o.len, "a parameter given twice");
    ladle_outbuf_free(&o);
}

static void reseal(struct ladle_outbuf *o)
{
    uint64_t sum = XXH3_64bits(o->data, o->len);
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(sum >> (8 * i));
    CHECK(ladle_outbuf_append(o, b, 8) == 0);
}

static void mismatch(const struct ladle_state *st, const char *design, uint64_t seed,
                     const struct ladle_state_kv *p, size_t n, const char *want)
{
    struct ladle_error err;
    ladle_error_init(&err);
    ladle_status s = ladle_state_check(st, design, seed, p, n, &err);
    if (!want) {
        CHECKF(s == LADLE_OK, "%s", err.msg);
        return;
    }
    CHECKF(s == LADLE_E_USAGE && strcmp(err.msg, want) == 0, "\"%s\", want \"%s\"", err.msg, want);
}

static void test_check(void)
{
    struct ladle_state a = make_state("");
    struct ladle_state_kv p[4];
    memcpy(p, kvs, sizeof p);
    mismatch(&a, "LDBK", 7, p, 4, NULL);
    mismatch(&a, "LDBK", 3, p, 4, "state: drawn with --seed 7, this run has --seed 3");
    mismatch(&a, "LDWS", 7, p, 4, "state: drawn with -n, this run has --weight");
    mismatch(&a, "LDRT", 7, p, 4, "state: drawn with -n, this run has --rate");
    mismatch(&a, "LDZZ", 7, p, 4, "state: drawn with -n, this run has design LDZZ");
    p[0].u = 5;
    mismatch(&a, "LDBK", 7, p, 4, "state: drawn with -n 100, this run has -n 5");
    p[0].u = 100;
    p[3].u = 0;
    mismatch(&a, "LDBK", 7, p, 4, "state: drawn with --emit-weight, this run has no --emit-weight");
    p[3].u = 1;
    p[2].s = "user";
    p[2].slen = 4;
    mismatch(&a, "LDBK", 7, p, 4,
             "state: drawn with --field 'user?id', this run has --field 'user'");
    p[2] = kvs[2];
    p[1].u = 0x3fc999999999999aULL; /* 0.2 */
    mismatch(&a, "LDBK", 7, p, 4,
             "state: drawn with --rate 0.10000000000000001, this run has --rate "
             "0.20000000000000001");
    p[1] = kvs[1];
    mismatch(&a, "LDBK", 7, p, 3, "state: drawn with --emit-weight, this run has no --emit-weight");
    struct ladle_state_kv more[5];
    memcpy(more, kvs, sizeof kvs);
    more[4] = (struct ladle_state_kv){"--header", LADLE_STATE_SWITCH, 1, NULL, 0};
    mismatch(&a, "LDBK", 7, more, 5, "state: drawn without --header, this run has --header");
}

/* ladle merge: both files named, the first state's side first. */
static void test_check_pair(void)
{
    struct ladle_state a = make_state(""), b = make_state("");
    struct ladle_error err;
    struct ladle_state_kv p[5];
    memcpy(p, kvs, sizeof kvs);
    ladle_error_init(&err);
    CHECK(ladle_state_check_pair(&a, "a.st", &b, "b.st", &err) == LADLE_OK);
    const char *pre = "merge: a.st and b.st were drawn differently: ";
    char want[256];
    b.seed = 8;
    ladle_error_init(&err); /* the first error set stays: a fresh one each time */
    CHECK(ladle_state_check_pair(&a, "a.st", &b, "b.st", &err) == LADLE_E_USAGE);
    snprintf(want, sizeof want, "%sa.st has --seed 7, b.st has --seed 8", pre);
    CHECKF(strcmp(err.msg, want) == 0, "%s", err.msg);
    b.seed = a.seed;
    memcpy(b.design, "LDWS", 4);
    ladle_error_init(&err); /* the first error set stays: a fresh one each time */
    CHECK(ladle_state_check_pair(&a, "a.st", &b, "b.st", &err) == LADLE_E_USAGE);
    snprintf(want, sizeof want, "%sa.st has -n, b.st has --weight", pre);
    CHECKF(strcmp(err.msg, want) == 0, "%s", err.msg);
    memcpy(b.design, a.design, 4);
    p[0].u = 5;
    b.params = p;
    ladle_error_init(&err); /* the first error set stays: a fresh one each time */
    CHECK(ladle_state_check_pair(&a, "a.st", &b, "b.st", &err) == LADLE_E_USAGE);
    snprintf(want, sizeof want, "%sa.st has -n 100, b.st has -n 5", pre);
    CHECKF(strcmp(err.msg, want) == 0, "%s", err.msg);
    p[0].u = kvs[0].u;
    b.nparams = 3;
    ladle_error_init(&err); /* the first error set stays: a fresh one each time */
    CHECK(ladle_state_check_pair(&a, "a.st", &b, "b.st", &err) == LADLE_E_USAGE);
    snprintf(want, sizeof want, "%sa.st has --emit-weight, b.st has no --emit-weight", pre);
    CHECKF(strcmp(err.msg, want) == 0, "%s", err.msg);
    p[4] = (struct ladle_state_kv){"--header", LADLE_STATE_SWITCH, 1, NULL, 0};
    b.nparams = 5;
    ladle_error_init(&err); /* the first error set stays: a fresh one each time */
    CHECK(ladle_state_check_pair(&a, "a.st", &b, "b.st", &err) == LADLE_E_USAGE);
    snprintf(want, sizeof want, "%sa.st has no --header, b.st has --header", pre);
    CHECKF(strcmp(err.msg, want) == 0, "%s", err.msg);
}

static void test_lock(void)
{
    struct ladle_error err;
    ladle_error_init(&err);
    char *path = t_write_file("locked.state", "", 0);
    int a = -1, b = -1;
    CHECK(ladle_state_lock(path, &a, &err) == LADLE_OK && a >= 0);
    CHECK(ladle_state_lock(path, &b, &err) == LADLE_E_USAGE && b == -1);
    CHECK(strstr(err.msg, "is in use by another ladle") != NULL);
    ladle_state_unlock(a);
    ladle_error_init(&err);
    CHECK(ladle_state_lock(path, &b, &err) == LADLE_OK);
    ladle_state_unlock(b);
    free(path);
}

/* --- 5. write failures */

/* The child: replaces the state at path by state B. Exit 0: written;
 * 2: written, but the folder not synced; 1: not written. */
static int write_child(const char *path)
{
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_state b = make_state("the new payload B");
    b.seed = 8;
    ladle_status s = ladle_state_write_file(path, &b, &err);
    if (s == LADLE_OK)
        return 0;
    fprintf(stderr, "child: %s\n", err.msg);
    return strstr(err.msg, "written, but") ? 2 : 1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 16);
    *len = buf ? fread(buf, 1, 1 << 16, f) : 0;
    fclose(f);
    return buf;
}

/* The names in dir other than "s": temporary files left behind. */
static int others(const char *dir, int remove_them)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "s")) {
            n++;
            if (remove_them) {
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        }
    if (d)
        closedir(d);
    return n;
}

/* Runs the child with the shim; returns its wait status. */
static int run_child(const char *shim, const char *path, long at, const char *mode,
                     const char *count)
{
    pid_t pid = fork();
    if (pid == 0) {
        char atbuf[32];
        snprintf(atbuf, sizeof atbuf, "%ld", at);
        setenv("LD_PRELOAD", shim, 1);
        setenv("LADLE_FAULT_AT", atbuf, 1);
        setenv("LADLE_FAULT_MODE", mode, 1);
        if (count)
            setenv("LADLE_FAULT_COUNT", count, 1);
        execl("/proc/self/exe", "test_state", "--write-child", path, (char *)NULL);
        _exit(99);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    return ws;
}

static void test_write_failures(void)
{
    const char *shim = getenv("LADLE_FAULT_SHIM");
    if (!shim || access(shim, R_OK) != 0) {
        fprintf(stderr, "test_state: no LADLE_FAULT_SHIM: write failures not injected\n");
        return;
    }
    char dir[2048], path[4096], count[4096];
    snprintf(dir, sizeof dir, "%s/faults", t_tmpdir());
    snprintf(path, sizeof path, "%s/s", dir);
    snprintf(count, sizeof count, "%s/count", t_tmpdir());
    CHECK(mkdir(dir, 0755) == 0);
    struct ladle_error err;
    ladle_error_init(&err);
    struct ladle_state a = make_state("the old payload A");
    struct ladle_state b = make_state("the new payload B");
    b.seed = 8;
    struct ladle_outbuf oa = encode(&a), ob = encode(&b);

    /* How many calls one write makes. */
    CHECK(ladle_state_write_file(path, &a, &err) == LADLE_OK);
    int ws = run_child(shim, path, 0, "eio", count);
    CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    size_t clen = 0;
    char *c = slurp(count, &clen);
    long calls = c && clen ? atol(c) : 0;
    free(c);
    CHECKF(calls >= 5, "%ld calls counted", calls);
    static const char *modes[] = {"enospc", "eio", "kill"};
    int cases = 0;
    for (long at = 1; at <= calls; at++)
        for (int m = 0; m < 3; m++) {
            CHECK(ladle_state_write_file(path, &a, &err) == LADLE_OK);
            ws = run_child(shim, path, at, modes[m], NULL);
            size_t len = 0;
            char *got = slurp(path, &len);
            int is_a = got && len == oa.len && memcmp(got, oa.data, len) == 0;
            int is_b = got && len == ob.len && memcmp(got, ob.data, len) == 0;
            free(got);
            int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
            int killed = WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL;
            if (killed)
                CHECKF(is_a || is_b, "call %ld kill: neither state", at);
            else if (code == 1)
                CHECKF(is_a && others(dir, 0) == 0,
                       "call %ld %s: old state changed or a "
                       "temporary file left",
                       at, modes[m]);
            else
                CHECKF((code == 0 || code == 2) && is_b && others(dir, 0) == 0,
                       "call %ld %s: exit %d, new state %d", at, modes[m], code, is_b);
            others(dir, 1); /* a kill may leave its temporary file */
            cases++;
        }
    fprintf(stderr, "test_state: %d write-failure cases over %ld calls\n", cases, calls);
    ladle_outbuf_free(&oa);
    ladle_outbuf_free(&ob);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-child") == 0)
        return write_child(argv[2]);
    test_round_trip();
    test_refusals();
    test_check();
    test_check_pair();
    test_lock();
    test_write_failures();
    return t_done("test_state");
}
