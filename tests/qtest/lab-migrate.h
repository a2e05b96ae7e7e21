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

/*
 * Migrate @from into a file, quit it, and start a QEMU with @args that
 * loads the file. Returns the new QEMU, running.
 */
static inline QTestState *lab_migrate(QTestState *from, const char *args)
{
    g_autofree char *path = g_strdup_printf("/tmp/lab-migrate-%d.state",
                                            (int)getpid());
    g_autofree char *uri = g_strdup_printf("exec:cat > %s", path);
    QTestState *to;
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

    to = qtest_initf("%s -incoming 'exec:cat %s'", args, path);
    for (tries = 0;; tries++) {
        g_autofree char *status = lab_migrate_status(to, "query-status");

        if (strcmp(status, "inmigrate")) {
            g_assert_cmpstr(status, ==, "running");
            break;
        }
        g_assert_cmpint(tries, <, 1000);
        g_usleep(10 * 1000);
    }
    unlink(path);
    return to;
}

#endif /* LAB_MIGRATE_H */
