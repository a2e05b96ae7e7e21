/*
 * Save a running board to a file and restore it into a fresh QEMU, for
 * the lab's snapshot qtests (lab-migrate.c): a device stopped
 * mid-operation must carry on in the new QEMU as if nothing happened.
 * The outgoing side is QEMU's own migration-helpers.c; what is the lab's
 * is the incoming side, the stream surgery of the refusal tests, the
 * stream fuzzer and the committed streams (tests/qtest/streams/).
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef LAB_MIGRATE_H
#define LAB_MIGRATE_H

#include "libqtest.h"
#include "lab-fuzz.h"

/* What the committed streams add to a test's QEMU arguments: little RAM */
#define LAB_STREAM_ARGS "-m 16M"

/* A load costs as much as this many device operations (lab-fuzz.h) */
#define LAB_MIGRATE_FUZZ_COST 200

/*
 * A path for one saved board, in a directory of its own made for it;
 * lab_migrate_tmp_remove() removes both
 */
char *lab_migrate_tmp_path(void);
void lab_migrate_tmp_remove(char *path);

/* Migrate @from to @uri (a file: "exec:cat > FILE") and quit it */
void lab_migrate_save_to(QTestState *from, const char *uri);
/* Migrate @from into the file @path and quit it */
void lab_migrate_save(QTestState *from, const char *path);

/* A QEMU with @args that loads what the shell command @cmd writes */
QTestState *lab_migrate_load_from(const char *args, const char *cmd);
/* A QEMU with @args that loads @path; returns it running */
QTestState *lab_migrate_load(const char *args, const char *path);

/*
 * A QEMU with @args given @path must refuse it: exit 1 with a load error,
 * never an abort or a crash (a sanitizer report fails the run too)
 */
void lab_migrate_load_refused(const char *args, const char *path);

/*
 * The fields of the section whose id string ends in @idstr: from after
 * its header to its footer, as offsets into @data
 */
void lab_migrate_section(const char *data, size_t size, const char *idstr,
                         size_t *start, size_t *len);

/*
 * Overwrite @len bytes at @offset into the fields of the section whose
 * id string ends in @idstr, in the saved file @path
 */
void lab_migrate_patch(const char *path, const char *idstr, size_t offset,
                       const void *bytes, size_t len);

/*
 * One operation of a migration-stream fuzzer: @saved (the device @idstr
 * saved mid-operation) with a few of its section's bytes flipped or
 * replaced by boundary values, loaded into a QEMU with @args. The load is
 * refused (QEMU exits 1: NULL), or the new QEMU runs (returned, for the
 * caller to check that the device works). An abort, a crash or a
 * sanitizer report fails the test, as the fuzzers' other failures do.
 */
QTestState *lab_migrate_fuzz_load(LabFuzz *f, const char *saved,
                                  const char *idstr, const char *args);

/*
 * Migrate @from into a file, quit it, and start a QEMU with @args that
 * loads the file. Returns the new QEMU, running.
 */
QTestState *lab_migrate(QTestState *from, const char *args);

/*
 * The snapshot tests against saved streams (tests/qtest/streams/): a
 * stream that an older build of the models saved must load into this one
 * and the device carry on. @from is the board brought to the point where
 * the stream NAME was saved; it is quit, and a QEMU with @args (those it
 * was saved with) loads $LAB_STREAM_DIR/NAME.state.gz and is returned
 * running. With LAB_STREAM_SAVE=1 @from is saved as that file first:
 * that is how the committed streams were made.
 */
QTestState *lab_migrate_stream(QTestState *from, const char *name,
                               const char *args);

#endif /* LAB_MIGRATE_H */
