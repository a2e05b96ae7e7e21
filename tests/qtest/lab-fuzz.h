/*
 * Seeded random operations for the lab's device fuzz qtests
 *
 * Each device test file has a "fuzz" case that drives its device with
 * random but well-typed guest operations from this generator and checks
 * after each batch that the device still answers a known-good sequence.
 * A run is reproducible from its seed:
 *
 *   LAB_FUZZ_SEED=1234 LAB_FUZZ_OPS=1000000 build/qemu-asan/tests/qtest/X-test
 *
 * LAB_FUZZ_OPS is the number of operations per device (default: a dose
 * that fits `make test`); `make check-asan` runs more under sanitizers.
 * A failure prints the seed and the operation number.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef LAB_FUZZ_H
#define LAB_FUZZ_H

#define LAB_FUZZ_DEFAULT_OPS    5000
#define LAB_FUZZ_DEFAULT_SEED   0x1ab5eedULL

typedef struct LabFuzz {
    uint64_t state;
    uint64_t seed;
    unsigned long ops;
    unsigned long done;
} LabFuzz;

static inline uint64_t lab_fuzz_env(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);

    return v && *v ? g_ascii_strtoull(v, NULL, 0) : dflt;
}

static inline void lab_fuzz_init(LabFuzz *f, const char *device)
{
    f->seed = lab_fuzz_env("LAB_FUZZ_SEED", LAB_FUZZ_DEFAULT_SEED);
    f->ops = lab_fuzz_env("LAB_FUZZ_OPS", LAB_FUZZ_DEFAULT_OPS);
    f->state = f->seed ? f->seed : 1;
    f->done = 0;
    g_test_message("fuzz %s: seed 0x%" PRIx64 ", %lu operations", device,
                   f->seed, f->ops);
}

/* xorshift64*: small, fast, and the same sequence on every host */
static inline uint64_t lab_fuzz_next(LabFuzz *f)
{
    f->state ^= f->state >> 12;
    f->state ^= f->state << 25;
    f->state ^= f->state >> 27;
    return f->state * 0x2545f4914f6cdd1dULL;
}

/* A number in [0, n) */
static inline uint32_t lab_fuzz_below(LabFuzz *f, uint32_t n)
{
    return (uint32_t)((lab_fuzz_next(f) >> 32) % n);
}

static inline bool lab_fuzz_chance(LabFuzz *f, uint32_t one_in)
{
    return lab_fuzz_below(f, one_in) == 0;
}

static inline void lab_fuzz_bytes(LabFuzz *f, uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = (uint8_t)lab_fuzz_next(f);
    }
}

/* Whether to go on; counts the operation */
static inline bool lab_fuzz_more(LabFuzz *f)
{
    return f->done++ < f->ops;
}

#endif /* LAB_FUZZ_H */
