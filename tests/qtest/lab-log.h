/*
 * QEMU's guest-error log (-d guest_errors) for the lab's qtests, in a
 * file of its own per test (lab-log.c): what a test reads to check that
 * a model names a guest's mistake
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef LAB_LOG_H
#define LAB_LOG_H

/*
 * The QEMU arguments that log guest errors to a new, empty temporary
 * file, whose path goes to @path; lab_log_read() removes it
 */
char *lab_log_args(char **path);

/* What QEMU logged to @path (QEMU has quit); the file is removed */
char *lab_log_read(const char *path);

#endif /* LAB_LOG_H */
