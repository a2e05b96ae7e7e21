/*
 * Seeded random operations for the lab's device fuzz qtests: the
 * generator, the run and its reproducers (what they are: lab-fuzz.h)
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "lab-fuzz.h"

uint64_t lab_fuzz_env(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);

    return v && *v ? g_ascii_strtoull(v, NULL, 0) : dflt;
}

/* tests/run reads this line to save the reproducer */
static void lab_fuzz_report_failure(void *opaque)
{
    LabFuzz *f = opaque;

    if (f->reported) {
        return;         /* the abort handler can run again on the way out */
    }
    f->reported = true;
    fprintf(stderr, "LAB-FUZZ-FAIL device=%s gen=%u seed=0x%" PRIx64
            " op=%lu\n", f->device, f->gen, f->seed, f->done);
}

/*
 * Start a run of DEVICE's generator GEN: from the environment, or from a
 * reproducer (REPRO non-NULL). Pair with lab_fuzz_end().
 */
void lab_fuzz_init(LabFuzz *f, const char *device, unsigned gen,
                   const LabFuzzRepro *repro)
{
    f->device = device;
    f->gen = gen;
    if (repro) {
        if (repro->gen != gen) {
            g_test_message("%s was found with %s generator %u, this build "
                           "has %u: turn it into a regression test or "
                           "delete it", repro->name, device, repro->gen, gen);
            g_assert_cmpuint(repro->gen, ==, gen);
        }
        f->seed = repro->seed;
        f->ops = repro->ops;
    } else {
        f->seed = lab_fuzz_env("LAB_FUZZ_SEED", LAB_FUZZ_DEFAULT_SEED);
        f->ops = lab_fuzz_env("LAB_FUZZ_OPS", LAB_FUZZ_DEFAULT_OPS);
    }
    f->state = f->seed ? f->seed : 1;
    f->done = 0;
    f->reported = false;
    g_test_message("fuzz %s: seed 0x%" PRIx64 ", %lu operations", device,
                   f->seed, f->ops);
    qtest_add_abrt_handler(lab_fuzz_report_failure, f);
}

void lab_fuzz_end(LabFuzz *f)
{
    qtest_remove_abrt_handler(f);
    g_test_message("fuzz %s: %lu operations passed", f->device, f->ops);
}

/* xorshift64*: small, fast, and the same sequence on every host */
uint64_t lab_fuzz_next(LabFuzz *f)
{
    f->state ^= f->state >> 12;
    f->state ^= f->state << 25;
    f->state ^= f->state >> 27;
    return f->state * 0x2545f4914f6cdd1dULL;
}

/* A number in [0, n) */
uint32_t lab_fuzz_below(LabFuzz *f, uint32_t n)
{
    return (uint32_t)((lab_fuzz_next(f) >> 32) % n);
}

bool lab_fuzz_chance(LabFuzz *f, uint32_t one_in)
{
    return lab_fuzz_below(f, one_in) == 0;
}

void lab_fuzz_bytes(LabFuzz *f, uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = (uint8_t)lab_fuzz_next(f);
    }
}

/* Whether to go on; counts the operation */
bool lab_fuzz_more(LabFuzz *f)
{
    if (f->done == f->ops) {
        return false;
    }
    f->done++;
    if (f->done % LAB_FUZZ_PROGRESS == 0) {
        g_test_message("fuzz %s: %lu operations so far", f->device, f->done);
        fflush(stdout);                 /* a long run shows how far it is */
    }
    return true;
}

static LabFuzzRepro *lab_fuzz_repro_load(const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    LabFuzzRepro *r;
    int have = 0;
    char **l;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return NULL;
    }
    r = g_new0(LabFuzzRepro, 1);
    lines = g_strsplit(text, "\n", -1);
    for (l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "gen=")) {
            r->gen = g_ascii_strtoull(*l + 4, NULL, 0);
            have |= 1;
        } else if (g_str_has_prefix(*l, "seed=")) {
            r->seed = g_ascii_strtoull(*l + 5, NULL, 0);
            have |= 2;
        } else if (g_str_has_prefix(*l, "ops=")) {
            r->ops = g_ascii_strtoull(*l + 4, NULL, 0);
            have |= 4;
        }
    }
    if (have != 7) {
        fprintf(stderr, "%s: needs gen=, seed= and ops= lines\n", path);
        g_free(r);
        return NULL;
    }
    r->name = g_path_get_basename(path);
    return r;
}

static void lab_fuzz_repro_free(void *r)
{
    g_free(((LabFuzzRepro *)r)->name);
    g_free(r);
}

/*
 * Register PATH (the dose from the environment) and PATH/repro/NAME for
 * every DEVICE-*.repro in $LAB_FUZZ_REPRO_DIR
 */
void lab_fuzz_add_tests(const char *path, const char *device,
                        void (*fn)(const void *))
{
    const char *dir = getenv("LAB_FUZZ_REPRO_DIR");
    g_autofree char *prefix = g_strdup_printf("%s-", device);
    g_autoptr(GDir) d = NULL;
    const char *entry;

    qtest_add_data_func(path, NULL, fn);
    d = dir ? g_dir_open(dir, 0, NULL) : NULL;
    while (d && (entry = g_dir_read_name(d))) {
        g_autofree char *file = NULL;
        g_autofree char *name = NULL;
        LabFuzzRepro *r;

        if (!g_str_has_prefix(entry, prefix) ||
            !g_str_has_suffix(entry, ".repro")) {
            continue;
        }
        file = g_build_filename(dir, entry, NULL);
        r = lab_fuzz_repro_load(file);
        g_assert(r);
        name = g_strdup_printf("%s/repro/%s", path, r->name);
        qtest_add_data_func_full(name, r, fn, lab_fuzz_repro_free);
    }
}
