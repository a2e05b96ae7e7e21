/*
 * Save a running board to a file and restore it into a fresh QEMU, for
 * the lab's snapshot qtests (what and why: lab-migrate.h)
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "migration-helpers.h"
#include "qapi/qmp/qdict.h"
#include "lab-fuzz.h"
#include "lab-migrate.h"

/* query-status's status: "inmigrate" until the stream is loaded */
static char *lab_migrate_run_state(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-status' }");
    QDict *ret = qdict_get_qdict(rsp, "return");
    char *status = g_strdup(ret && qdict_haskey(ret, "status") ?
                            qdict_get_str(ret, "status") : "");

    qobject_unref(rsp);
    return status;
}

enum {
    LAB_LOAD_RUNNING,
    LAB_LOAD_LOADING,
    LAB_LOAD_GONE,              /* exited under the question */
    LAB_LOAD_OTHER,             /* alive, in a state a load never leaves */
};

/*
 * Where a QEMU given a stream that it may refuse stands, asked from a
 * child process. Such a QEMU exits by itself whenever the bad field
 * comes, and a QMP command to a QEMU that exits under it aborts the
 * process that sent it: libqtest answers a closed socket with abort().
 * Asking only after a grace period (300 ms) lost that race under load
 * (a nice'd ASan dose beside parallel builds). In a child the abort
 * costs nothing, and the answer comes back as the child's exit status.
 */
static int lab_migrate_probe_state(QTestState *to)
{
    int wstatus;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        char *state;
        int devnull = open("/dev/null", O_WRONLY);

        /* no libqtest abort hooks (they kill QEMU), no "Broken pipe" */
        signal(SIGABRT, SIG_DFL);
        dup2(devnull, STDERR_FILENO);
        state = lab_migrate_run_state(to);
        _exit(!strcmp(state, "running") ? LAB_LOAD_RUNNING :
              !strcmp(state, "inmigrate") ? LAB_LOAD_LOADING : LAB_LOAD_OTHER);
    }
    g_assert_cmpint(waitpid(pid, &wstatus, 0), ==, pid);
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : LAB_LOAD_GONE;
}

char *lab_migrate_tmp_path(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("lab-migrate-XXXXXX", &err);

    g_assert_no_error(err);
    return g_build_filename(dir, "board.state", NULL);
}

void lab_migrate_tmp_remove(char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);

    unlink(path);
    g_assert_cmpint(rmdir(dir), ==, 0);
    g_free(path);
}

void lab_migrate_save_to(QTestState *from, const char *uri)
{
    migrate_qmp(from, uri, "{}");
    wait_for_migration_complete(from);
    qtest_quit(from);
}

void lab_migrate_save(QTestState *from, const char *path)
{
    g_autofree char *uri = g_strdup_printf("exec:cat > %s", path);

    lab_migrate_save_to(from, uri);
}

QTestState *lab_migrate_load_from(const char *args, const char *cmd)
{
    QTestState *to = qtest_initf("%s -incoming 'exec:%s'", args, cmd);
    int tries;

    for (tries = 0;; tries++) {
        g_autofree char *status = lab_migrate_run_state(to);

        if (strcmp(status, "inmigrate")) {
            g_assert_cmpstr(status, ==, "running");
            break;
        }
        g_assert_cmpint(tries, <, 1000);
        g_usleep(10 * 1000);
    }
    return to;
}

QTestState *lab_migrate_load(const char *args, const char *path)
{
    g_autofree char *cmd = g_strdup_printf("cat %s", path);

    return lab_migrate_load_from(args, cmd);
}

void lab_migrate_load_refused(const char *args, const char *path)
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
 * A section's header: QEMU_VM_SECTION_FULL (0x04), the 32-bit section
 * id, the id string's length and the string, then instance and version
 * ids (8 bytes); its footer QEMU_VM_SECTION_FOOTER (0x7e) and the id again
 */
void lab_migrate_section(const char *data, size_t size, const char *idstr,
                         size_t *start, size_t *len)
{
    const char *at = memmem(data, size, idstr, strlen(idstr));
    const char *fields, *end;
    char footer[5] = { 0x7e };

    g_assert_nonnull(at);
    g_assert_cmpuint(at - data, >=, 6);
    memcpy(footer + 1, at - 5, 4);
    fields = at + strlen(idstr) + 8;
    end = memmem(fields, size - (fields - data), footer, sizeof(footer));
    g_assert_nonnull(end);
    *start = fields - data;
    *len = end - fields;
}

void lab_migrate_patch(const char *path, const char *idstr, size_t offset,
                       const void *bytes, size_t len)
{
    g_autofree char *data = NULL;
    size_t size, start, fields_len;

    g_assert_true(g_file_get_contents(path, &data, &size, NULL));
    lab_migrate_section(data, size, idstr, &start, &fields_len);
    g_assert_cmpuint(offset + len, <=, fields_len);
    memcpy(data + start + offset, bytes, len);
    g_assert_true(g_file_set_contents(path, data, size, NULL));
}

QTestState *lab_migrate_fuzz_load(LabFuzz *f, const char *saved,
                                  const char *idstr, const char *args)
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
    int tries, state;

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
        if (!qtest_probe_child(to)) {
            /* exited: only a clean refusal is right (checked at quit) */
            qtest_set_expected_status(to, EXIT_FAILURE);
            qtest_quit(to);
            unlink(path);
            return NULL;
        }
        state = lab_migrate_probe_state(to);
        g_assert_cmpint(state, !=, LAB_LOAD_OTHER);
        if (state == LAB_LOAD_RUNNING) {
            unlink(path);
            return to;
        }
        g_assert_cmpint(tries, <, 3000);
        g_usleep(10 * 1000);
    }
}

QTestState *lab_migrate(QTestState *from, const char *args)
{
    char *path = lab_migrate_tmp_path();
    QTestState *to;

    lab_migrate_save(from, path);
    to = lab_migrate_load(args, path);
    lab_migrate_tmp_remove(path);
    return to;
}

/* Compressed: a stream is mostly pages of zeros and ROM, 690 KB, 47 gzipped */
QTestState *lab_migrate_stream(QTestState *from, const char *name,
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
