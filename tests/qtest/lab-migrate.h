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

#include "qapi/qmp/qdict.h"

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

/* Migrate @from into the file @path and quit it */
static inline void lab_migrate_save(QTestState *from, const char *path)
{
    g_autofree char *uri = g_strdup_printf("exec:cat > %s", path);
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

/* A QEMU with @args that loads @path; returns it running */
static inline QTestState *lab_migrate_load(const char *args, const char *path)
{
    QTestState *to = qtest_initf("%s -incoming 'exec:cat %s'", args, path);
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
 * Overwrite @len bytes at @offset into the fields of the section whose
 * id string ends in @idstr (its first occurrence: the header), in the
 * saved file @path
 */
static inline void lab_migrate_patch(const char *path, const char *idstr,
                                     size_t offset, const void *bytes,
                                     size_t len)
{
    g_autofree char *data = NULL;
    size_t size;
    char *at;

    g_assert_true(g_file_get_contents(path, &data, &size, NULL));
    at = memmem(data, size, idstr, strlen(idstr));
    g_assert_nonnull(at);
    /* the id string, then instance id and version id, then the fields */
    at += strlen(idstr) + 8;
    g_assert_cmpuint(at - data + offset + len, <=, size);
    memcpy(at + offset, bytes, len);
    g_assert_true(g_file_set_contents(path, data, size, NULL));
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

#endif /* LAB_MIGRATE_H */
