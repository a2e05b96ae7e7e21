/*
 * QEMU's guest-error log for the lab's qtests (what and why: lab-log.h)
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "lab-log.h"

char *lab_log_args(char **path)
{
    g_autoptr(GError) err = NULL;
    int fd = g_file_open_tmp("lab-log-XXXXXX.txt", path, &err);

    g_assert_no_error(err);
    close(fd);
    return g_strdup_printf("-d guest_errors -D %s", *path);
}

char *lab_log_read(const char *path)
{
    char *log = NULL;

    g_assert_true(g_file_get_contents(path, &log, NULL, NULL));
    unlink(path);
    return log;
}
