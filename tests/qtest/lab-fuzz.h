/*
 * Seeded random operations for the lab's device fuzz qtests (lab-fuzz.c)
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
 *
 * A failure (an assertion here or QEMU dying under a sanitizer) prints
 *
 *   LAB-FUZZ-FAIL device=D gen=G seed=S op=N
 *
 * and tests/run saves that as tests/qtest/repro/D-S-N.repro. Every
 * reproducer in $LAB_FUZZ_REPRO_DIR (tests/run points it there) becomes a
 * qtest of its own, FUZZ_PATH/repro/NAME, that replays the same N
 * operations from the same seed: a crash found once is checked by every
 * `make test` until it is turned into a hand-written regression test.
 * The operations come from the test file's generator, so a file names
 * its generator's version (gen): one whose operation mix changed refuses
 * old reproducers instead of silently replaying something else.
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
#define LAB_FUZZ_PROGRESS       100000  /* operations between progress lines */

/* A saved failure: replay OPS operations from SEED */
typedef struct LabFuzzRepro {
    char *name;
    unsigned gen;
    uint64_t seed;
    unsigned long ops;
} LabFuzzRepro;

typedef struct LabFuzz {
    const char *device;
    unsigned gen;
    uint64_t state;
    uint64_t seed;
    unsigned long ops;
    unsigned long done;
    bool reported;
} LabFuzz;

/* An environment variable as a number, @dflt when unset or empty */
uint64_t lab_fuzz_env(const char *name, uint64_t dflt);

/*
 * Start a run of DEVICE's generator GEN: from the environment, or from a
 * reproducer (REPRO non-NULL). Pair with lab_fuzz_end().
 */
void lab_fuzz_init(LabFuzz *f, const char *device, unsigned gen,
                   const LabFuzzRepro *repro);
void lab_fuzz_end(LabFuzz *f);

/* xorshift64*: small, fast, and the same sequence on every host */
uint64_t lab_fuzz_next(LabFuzz *f);
/* A number in [0, n) */
uint32_t lab_fuzz_below(LabFuzz *f, uint32_t n);
bool lab_fuzz_chance(LabFuzz *f, uint32_t one_in);
void lab_fuzz_bytes(LabFuzz *f, uint8_t *buf, size_t len);
/* Whether to go on; counts the operation */
bool lab_fuzz_more(LabFuzz *f);

/*
 * Register PATH (the dose from the environment) and PATH/repro/NAME for
 * every DEVICE-*.repro in $LAB_FUZZ_REPRO_DIR
 */
void lab_fuzz_add_tests(const char *path, const char *device,
                        void (*fn)(const void *));

#endif /* LAB_FUZZ_H */
