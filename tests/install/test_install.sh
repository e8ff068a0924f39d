#!/usr/bin/env bash
# test_install.sh -- libladle as a library people link: `cmake --install
# --prefix` into a temporary folder puts every file in its GNUInstallDirs
# place; a small C program built with `pkg-config --cflags --libs ladle`
# against the installed libladle.so runs and agrees with the installed
# ladle binary; libladle.so exports exactly the LADLE_API functions of
# ladle.h (nm -D); the completions name every option of `ladle help ...`.
# Exit 77 (skip) without cc, pkg-config or nm.
#
# Environment (set by tests/CMakeLists.txt): LADLE_BUILD (the build folder),
# CMAKE (the cmake binary), CC, LADLE_TEST_CFLAGS (sanitizer flags).
set -u
fail() { echo "test_install: $*" >&2; exit 1; }
cc=${CC:-cc}
for tool in "$cc" pkg-config nm; do
  command -v "$tool" >/dev/null || { echo "test_install: no $tool: skipped"; exit 77; }
done
[ -f "$LADLE_BUILD/libladle.so" ] || { echo "test_install: no libladle.so (LADLE_SHARED=OFF): skipped"; exit 77; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage
"$CMAKE" --install "$LADLE_BUILD" --prefix "$stage" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install failed"; }

# Every file where GNUInstallDirs puts it (lib may be lib64 or lib/<triplet>).
libdir=$(dirname "$(find "$stage" -name libladle.so -print -quit)")
[ -n "$libdir" ] && [ "$libdir" != . ] || fail "no libladle.so under $stage"
case $libdir in "$stage"/*) ;; *) fail "libdir $libdir is outside the prefix" ;; esac
for f in bin/ladle include/ladle/ladle.h share/man/man1/ladle.1 \
         share/bash-completion/completions/ladle share/zsh/site-functions/_ladle; do
  [ -f "$stage/$f" ] || fail "missing $f"
done
version=$(sed -n 's/^project(ladle VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
for f in libladle.a libladle.so.0 "libladle.so.$version" pkgconfig/ladle.pc; do
  [ -e "$libdir/$f" ] || fail "missing ${libdir#"$stage"/}/$f"
done
[ "$(readlink "$libdir/libladle.so")" = libladle.so.0 ] || fail "libladle.so is not a link to libladle.so.0"
soname=$(objdump -p "$libdir/libladle.so.$version" 2>/dev/null | awk '$1 == "SONAME" {print $2}')
[ -z "$soname" ] || [ "$soname" = libladle.so.0 ] || fail "SONAME $soname"

# Exports: exactly the LADLE_API functions of ladle.h.
grep -o 'LADLE_API [^(]*(' "$stage/include/ladle/ladle.h" | grep -o 'ladle_[a-z0-9_]*($' |
  tr -d '(' | sort >"$tmp/api"
nm -D --defined-only "$libdir/libladle.so" | awk '{print $NF}' |
  grep -vxE '_init|_fini|_edata|_end|__bss_start' | sort >"$tmp/exported"
[ -s "$tmp/api" ] || fail "no LADLE_API function found in ladle.h"
diff -u "$tmp/api" "$tmp/exported" >&2 || fail "libladle.so exports other symbols than ladle.h's LADLE_API functions (- only in ladle.h, + only in the library)"

# A program built against the installed library, with pkg-config.
cat >"$tmp/prog.c" <<'PROG'
#include <ladle/ladle.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int count(void *arg, const char *rec, size_t len, double weight)
{
    unsigned long *n = arg;
    if (len == 0 || rec[len - 1] != '\n' || !(weight == 4.0))
        return 1; /* a Bernoulli 0.25 record weighs 1/0.25 */
    ++*n;
    return 0;
}

int main(int argc, char **argv)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", LADLE_VERSION_MAJOR, LADLE_VERSION_MINOR,
             LADLE_VERSION_PATCH);
    if (strcmp(ladle_version(), want) != 0 ||
        strcmp(ladle_status_name(LADLE_E_INPUT), "LADLE_E_INPUT") != 0)
        return 2;
    ladle_job *job = ladle_job_new();
    unsigned long n = 0;
    ladle_report rep;
    if (argc != 2 || !job || ladle_job_add_input(job, argv[1]) != LADLE_OK ||
        ladle_job_set(job, LADLE_P_DESIGN, LADLE_DESIGN_BERNOULLI) != LADLE_OK ||
        ladle_job_set_rate(job, 0.25) != LADLE_OK || ladle_job_set(job, LADLE_P_SEED, 9) != LADLE_OK ||
        ladle_job_run_sink(job, count, &n, &rep) != LADLE_OK) {
        fprintf(stderr, "prog: %s\n", job ? ladle_job_error(job) : "out of memory");
        return 1;
    }
    printf("%lu %llu\n", n, (unsigned long long)rep.records_in);
    ladle_job_free(job);
    return 0;
}
PROG
export PKG_CONFIG_PATH=$libdir/pkgconfig
flags=$(pkg-config --cflags --libs ladle) || fail "pkg-config --cflags --libs ladle failed"
# shellcheck disable=SC2086 # the flags are words
"$cc" ${LADLE_TEST_CFLAGS:-} -o "$tmp/prog" "$tmp/prog.c" $flags -Wl,-rpath,"$libdir" ||
  fail "cannot build a program with: $flags"
ldd "$tmp/prog" 2>/dev/null | grep -q "$libdir/libladle.so.0" ||
  { ldd "$tmp/prog" >&2; fail "prog does not use the installed libladle.so.0"; }
# And against libladle.a, with the private dependencies of ladle.pc. (The
# rpath: a sanitizer's link turns --as-needed off, so the -lladle of the
# flags leaves a needless DT_NEEDED on libladle.so.0.)
static_flags=$(pkg-config --static --libs ladle) || fail "pkg-config --static --libs ladle failed"
# shellcheck disable=SC2086
"$cc" ${LADLE_TEST_CFLAGS:-} -o "$tmp/prog_static" "$tmp/prog.c" $(pkg-config --cflags ladle) \
  "$libdir/libladle.a" $static_flags -Wl,-rpath,"$libdir" || fail "cannot build a program with libladle.a and: $static_flags"
seq 1 20000 >"$tmp/in.txt"
[ "$("$tmp/prog_static" "$tmp/in.txt")" = "$("$tmp/prog" "$tmp/in.txt")" ] ||
  fail "the static and the shared library disagree"
got=$("$tmp/prog" "$tmp/in.txt") || fail "prog failed"
want=$("$stage/bin/ladle" sample --rate 0.25 --seed 9 "$tmp/in.txt" | wc -l)
[ "$got" = "$want 20000" ] || fail "prog says '$got', ladle sample kept $want of 20000"

# The completions name every option that `ladle help CMD` lists.
for cmd in sample split stats verify merge shuffle index; do
  opts=$("$stage/bin/ladle" help "$cmd" | grep -oE '(^|[ ,/[])--?[a-z][a-z-]*' | grep -oE -- '--?[a-z][a-z-]*' | sort -u)
  for o in $opts; do
    for f in share/bash-completion/completions/ladle share/zsh/site-functions/_ladle; do
      grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" "$stage/$f" || fail "$f lacks $o (ladle help $cmd)"
    done
  done
done
bash -n "$stage/share/bash-completion/completions/ladle" || fail "bash completion: syntax"
if command -v zsh >/dev/null; then
  zsh -n "$stage/share/zsh/site-functions/_ladle" || fail "zsh completion: syntax"
fi
echo "test_install: ok"
