/*
 * usage.c -- help texts. They mirror man/ladle.1; change both together.
 */
#include <stdio.h>

#include "cli/cli.h"

void ladle_cli_usage_main(FILE *f)
{
    fputs("Usage: ladle COMMAND [OPTIONS] [FILE...]\n"
          "\n"
          "Statistically sound samples of huge line-oriented logs (plain, .zst, .gz).\n"
          "\n"
          "Commands:\n"
          "  sample     draw a sample of the records of FILEs (or stdin)\n"
          "  stats      count records and bytes; with --field, its values and top K\n"
          "  help       show this help, or `ladle help sample`\n"
          "\n"
          "Options:\n"
          "  -h, --help     show this help\n"
          "  -V, --version  show the version\n"
          "\n"
          "Examples:\n"
          "  ladle sample --rate 0.01 access.log.zst > 1pct.log\n"
          "  ladle sample -n 1000 --seed 7 logs/*.gz\n"
          "  zcat big.gz | ladle sample --head 5\n"
          "\n"
          "Exit status: 0 success, 2 usage error, 3 input error, 4 output error,\n"
          "5 internal error, 130 interrupted (SIGINT), 143 terminated (SIGTERM).\n"
          "See ladle(1) for the reproducibility contract.\n",
          f);
}

void ladle_cli_usage_sample(FILE *f)
{
    fputs("Usage: ladle sample DESIGN [OPTIONS] [FILE...]\n"
          "\n"
          "Reads FILEs in argument order (\"-\" or none: stdin); the format (plain, zstd,\n"
          "gzip) is detected from the content. Writes the kept records, unchanged, to\n"
          "stdout in input order.\n"
          "\n"
          "Design (exactly one):\n"
          "      --rate P         Bernoulli: keep each record with probability P (0..1)\n"
          "  -n N                 exactly N records, uniform without replacement\n"
          "                       (all of them if there are fewer)\n"
          "      --head N         the first N records; stops reading once it has them\n"
          "      --every K        systematic: records S, S+K, S+2K... by global index\n"
          "      --start S        first index for --every (0..K-1; default drawn from\n"
          "                       the seed)\n"
          "\n"
          "Output and reproducibility:\n"
          "      --shuffle        emit the sample in random order instead of input order\n"
          "      --header         the first line of each input is a header: not sampled,\n"
          "                       written once at the top of the output\n"
          "      --seed N|random  seed of every random decision (default 0); `random`\n"
          "                       draws one and prints it on stderr\n"
          "\n"
          "Engine:\n"
          "  -t, --threads N      worker threads (default: online CPUs)\n"
          "      --chunk-size SIZE  bytes per pipeline chunk (default 1M)\n"
          "      --max-record SIZE  longest record accepted (default 64M)\n"
          "      --long           accept zstd windows up to 2 GiB (default 128 MiB)\n"
          "      --drop-cache     release page cache behind the reader\n"
          "      --io MODE        auto (io_uring, else pread), uring or pread\n"
          "  -v, --verbose        summary and engine notes on stderr\n"
          "  -h, --help           show this help\n"
          "\n"
          "SIZE takes K, M, G suffixes (powers of 1024). The same command gives the same\n"
          "output for any --threads, --chunk-size or input compression.\n",
          f);
}
