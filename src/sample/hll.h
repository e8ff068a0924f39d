/*
 * hll.h -- HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007) with 2^14
 * one-byte registers: distinct counts in 16 KiB, standard error
 * 1.04/sqrt(2^14) = 0.81%, merged by register-wise max (so any partition
 * of the input gives the same sketch).
 */
#ifndef LADLE_HLL_H
#define LADLE_HLL_H

#include <stdint.h>

#define LADLE_HLL_P 14
#define LADLE_HLL_M (1u << LADLE_HLL_P)

struct ladle_hll {
    uint8_t reg[LADLE_HLL_M];
};

void ladle_hll_add(struct ladle_hll *h, uint64_t hash);
void ladle_hll_merge(struct ladle_hll *into, const struct ladle_hll *from);
double ladle_hll_estimate(const struct ladle_hll *h);

#endif
