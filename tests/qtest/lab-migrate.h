/*
 * Save a running board to a file and restore it into a fresh QEMU, for
 * the lab's snapshot qtests: a device stopped mid-operation must carry on
 * in the new QEMU as if nothing happened.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef LAB_MIGRATE_H
#define LAB_MIGRATE_H

#include "qemu/bswap.h"
#include "qapi/qmp/qdict.h"
#include "lab-fuzz.h"

/* query-migrate's status, or query-status's for @cmd "query-status" */
static inline char *lab_migrate_status(QTestState *qts, const char *cmd)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': %s }", cmd);
    QDict *ret = qdict_get_qdict(rsp, "return");
    char *status = g_strdup(ret && qdict_haskey(ret, "status") ?
                            qdict_get_str(ret, "status") : "");

    qobject_unref(rsp);
    return status;
}

/* A file for one saved board of this test process */
static inline char *lab_migrate_path(void)
{
    return g_strdup_printf("%s/lab-migrate-%d.state", g_get_tmp_dir(),
                           (int)getpid());
}

/* Migrate @from to @uri and quit it */
static inline void lab_migrate_save_to(QTestState *from, const char *uri)
{
    QDict *rsp;
    int tries;

    rsp = qtest_qmp(from, "{ 'execute': 'migrate', 'arguments': "
                    "{ 'uri': %s } }", uri);
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    for (tries = 0;; tries++) {
        g_autofree char *status = lab_migrate_status(from, "query-migrate");

        g_assert_cmpstr(status, !=, "failed");
        if (!strcmp(status, "completed")) {
            break;
        }
        g_assert_cmpint(tries, <, 1000);
        g_usleep(10 * 1000);
    }
    qtest_quit(from);
}

/* Migrate @from into the file @path and quit it */
static inline void lab_migrate_save(QTestState *from, const char *path)
{
    g_autofree char *uri = g_strdup_printf("exec:cat > %s", path);

    lab_migrate_save_to(from, uri);
}

/* A QEMU with @args that loads what @cmd writes; returns it running */
static inline QTestState *lab_migrate_load_from(const char *args,
                                                const char *cmd)
{
    QTestState *to = qtest_initf("%s -incoming 'exec:%s'", args, cmd);
    int tries;

    for (tries = 0;; tries++) {
        g_autofree char *status = lab_migrate_status(to, "query-status");

        if (strcmp(status, "inmigrate")) {
            g_assert_cmpstr(status, ==, "running");
            break;
        }
        g_assert_cmpint(tries, <, 1000);
        g_usleep(10 * 1000);
    }
    return to;
}

/* A QEMU with @args that loads @path; returns it running */
static inline QTestState *lab_migrate_load(const char *args, const char *path)
{
    g_autofree char *cmd = g_strdup_printf("cat %s", path);

    return lab_migrate_load_from(args, cmd);
}

/*
 * A QEMU with @args given @path must refuse it: exit 1 with a load error,
 * never an abort or a crash (a sanitizer report fails the run too)
 */
static inline void lab_migrate_load_refused(const char *args,
                                            const char *path)
{
    QTestState *to = qtest_initf("%s -incoming 'exec:cat %s'", args, path);
    int tries;

    qtest_set_expected_status(to, EXIT_FAILURE);
    for (tries = 0; qtest_probe_child(to); tries++) {
        g_assert_cmpint(tries, <, 1000);
        g_usleep(10 * 1000);
    }
    qtest_quit(to);             /* checks the exit status */
}

/*
 * The fields of the section whose id string ends in @idstr: from after
 * its header to its footer (QEMU_VM_SECTION_FOOTER, 0x7e, and the
 * section id the header gave), as offsets into @data
 */
static inline void lab_migrate_section(const char *data, size_t size,
                                       const char *idstr, size_t *start,
                                       size_t *len)
{
    const char *at = memmem(data, size, idstr, strlen(idstr));
    const char *fields, *end;
    char footer[5] = { 0x7e };

    g_assert_nonnull(at);
    /* 0x04, the 32-bit section id, the id string's length, the string */
    g_assert_cmpuint(at - data, >=, 6);
    memcpy(footer + 1, at - 5, 4);
    fields = at + strlen(idstr) + 8;
    end = memmem(fields, size - (fields - data), footer, sizeof(footer));
    g_assert_nonnull(end);
    *start = fields - data;
    *len = end - fields;
}

/*
 * Overwrite @len bytes at @offset into the fields of the section whose
 * id string ends in @idstr, in the saved file @path
 */
static inline void lab_migrate_patch(const char *path, const char *idstr,
                                     size_t offset, const void *bytes,
                                     size_t len)
{
    g_autofree char *data = NULL;
    size_t size, start, fields_len;

    g_assert_true(g_file_get_contents(path, &data, &size, NULL));
    lab_migrate_section(data, size, idstr, &start, &fields_len);
    g_assert_cmpuint(offset + len, <=, fields_len);
    memcpy(data + start + offset, bytes, len);
    g_assert_true(g_file_set_contents(path, data, size, NULL));
}

/* A load costs as much as this many device operations (lab-fuzz.h) */
#define LAB_MIGRATE_FUZZ_COST 200

/*
 * One operation of a migration-stream fuzzer: @saved (the device @idstr
 * saved mid-operation) with a few of its section's bytes flipped or
 * replaced by boundary values, loaded into a QEMU with @args. The load is
 * refused (QEMU exits 1: NULL), or the new QEMU runs (returned, for the
 * caller to check that the device works). An abort, a crash or a
 * sanitizer report fails the test, as the fuzzers' other failures do.
 */
static inline QTestState *lab_migrate_fuzz_load(LabFuzz *f, const char *saved,
                                                const char *idstr,
                                                const char *args)
{
    static const uint32_t words[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
        0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
    };
    g_autofree char *path = g_strdup_printf("%s.fuzz", saved);
    g_autofree char *data = NULL;
    size_t size, start, len, at;
    unsigned n, i;
    QTestState *to;
    int tries;

    g_assert_true(g_file_get_contents(saved, &data, &size, NULL));
    lab_migrate_section(data, size, idstr, &start, &len);
    g_assert_cmpuint(len, >=, 4);
    n = 1 + lab_fuzz_below(f, 4);
    for (i = 0; i < n; i++) {
        at = start + lab_fuzz_below(f, len);
        switch (lab_fuzz_below(f, 4)) {
        case 0:
            data[at] ^= 1 << lab_fuzz_below(f, 8);
            break;
        case 1:
            data[at] = lab_fuzz_chance(f, 2) ? 0xff : (char)lab_fuzz_next(f);
            break;
        default:
            /* a big-endian word, as VMState writes them, at any offset */
            at = start + lab_fuzz_below(f, len - 3);
            stl_be_p(data + at, words[lab_fuzz_below(f,
                                                    G_N_ELEMENTS(words))]);
            break;
        }
    }
    g_assert_true(g_file_set_contents(path, data, size, NULL));

    to = qtest_initf("%s -incoming 'exec:cat %s'", args, path);
    for (tries = 0;; tries++) {
        g_autofree char *status = NULL;

        if (!qtest_probe_child(to)) {
            /* exited: only a clean refusal is right (checked at quit) */
            qtest_set_expected_status(to, EXIT_FAILURE);
            qtest_quit(to);
            unlink(path);
            return NULL;
        }
        /*
         * A device section loads in milliseconds: ask QEMU only once it
         * had the time to refuse, as QMP to a QEMU that just exited
         * aborts the test
         */
        if (tries < 30) {
            g_usleep(10 * 1000);
            continue;
        }
        status = lab_migrate_status(to, "query-status");
        if (strcmp(status, "inmigrate")) {
            g_assert_cmpstr(status, ==, "running");
            unlink(path);
            return to;
        }
        g_assert_cmpint(tries, <, 1000);
        g_usleep(10 * 1000);
    }
}

/*
 * Migrate @from into a file, quit it, and start a QEMU with @args that
 * loads the file. Returns the new QEMU, running.
 */
static inline QTestState *lab_migrate(QTestState *from, const char *args)
{
    g_autofree char *path = lab_migrate_path();
    QTestState *to;

    lab_migrate_save(from, path);
    to = lab_migrate_load(args, path);
    unlink(path);
    return to;
}

/*
 * The snapshot tests against saved streams (tests/qtest/streams/): a
 * stream that an older build of the models saved must load into this one
 * and the device carry on. @from is the board brought to the point where
 * the stream NAME was saved; it is quit, and a QEMU with @args (those it
 * was saved with) loads $LAB_STREAM_DIR/NAME.state.gz and is returned
 * running. With LAB_STREAM_SAVE=1 @from is saved as that file first:
 * that is how the committed streams were made. Compressed, as a stream
 * is mostly pages of zeros and ROM: 690 KB, 47 KB gzipped.
 */
/* What the committed streams add to a test's QEMU arguments: little RAM */
#define LAB_STREAM_ARGS "-m 16M"

static inline QTestState *lab_migrate_stream(QTestState *from,
                                             const char *name,
                                             const char *args)
{
    const char *dir = getenv("LAB_STREAM_DIR");
    g_autofree char *path = NULL;
    g_autofree char *cmd = NULL;

    if (!dir) {
        g_test_message("LAB_STREAM_DIR is not set (tests/run sets it to "
                       "tests/qtest/streams)");
    }
    g_assert_nonnull(dir);
    path = g_strdup_printf("%s/%s.state.gz", dir, name);
    if (getenv("LAB_STREAM_SAVE")) {
        g_autofree char *uri = g_strdup_printf("exec:gzip -9n > %s", path);

        lab_migrate_save_to(from, uri);
    } else {
        qtest_quit(from);
    }
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    cmd = g_strdup_printf("gzip -dc %s", path);
    return lab_migrate_load_from(args, cmd);
}

#endif /* LAB_MIGRATE_H */
