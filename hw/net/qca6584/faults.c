/*
 * Qualcomm QCA6584 model: the failures ath10k_sdio meets in the field
 *
 * Knobs in the style of the i.MX7 SRC's (hw/misc/imx7_src.c): each
 * "fail-*" property is a count of the next events to fail, taken one by
 * one; every fault injected is counted (faults-injected), traced and
 * logged (LOG_UNIMP, -d unimp).
 *
 * fw-crash (write 1): the firmware asserts. It stops taking messages and
 * raises the target CPU interrupt (function 1's 0x801, bit 0), which
 * ath10k_sdio reads as a firmware crash: it reads hi_failure_state and the
 * 60 register words behind it through the diagnostic window (the dump it
 * prints and puts in the devcoredump), then restarts the chip: a power
 * cycle of the card, the boot loader, HTC and WMI again. The simulated AP
 * keeps its station, as an AP does while a client's chip reboots, and
 * ath10k keeps the association across the restart on this chip.
 *
 * fail-wmi N: the next N WMI commands are swallowed, neither carried out
 * nor credited back, as by a firmware whose WMI handler hangs. With this
 * firmware's 8 credits, the host's 9th command waits 3 s and then ath10k
 * prints "wmi command ... timeout, restarting hardware".
 *
 * fail-cmd53 N: the next N CMD53s to function 1 fail as a card in
 * trouble answers them, R5 ERROR and no data: Linux's mmc core gives
 * ath10k -EIO (it does not retry CMD53). On an idle link the next one is
 * the interrupt status read a beacon causes: "failed to read from address
 * 0x800: -5", "read int status fail, start recovery", and the restart.
 *
 * fail-cmd53-crc N, fail-cmd53-timeout N: the next N CMD53s to function
 * 1 are accepted, and their data phase fails on the lines: the uSDHC
 * reports a data CRC error (a read's data has left the card all the same,
 * a write's is refused) or a data timeout (the card never sends or takes
 * the data), and Linux's mmc core gives ath10k -EILSEQ or -ETIMEDOUT,
 * again without a retry. On an idle link: "failed to read from address
 * 0x800: -84" (or -110), and the recovery above.
 *
 * fail-cmd53-addr A: the three fail-cmd53 knobs take only the CMD53s
 * whose bytes include function 1 address A (0xffffffff, the default: any
 * CMD53). Which transfer comes next is up to the driver's timing; 0x800,
 * say, aims them at the interrupt status reads.
 *
 * fail-suspend-ack N: the next N PDEV_SUSPEND commands get no
 * SUSPEND_COMPLETE, and ath10k prints "suspend timed out - target pause
 * event never came" (at every interface down).
 *
 * A chip reset (the power cycle of a restart) ends a crash; the counts
 * left stay, as the SRC's do.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qca6584-internal.h"
#include "hw/net/trace.h"

/* Where the crashed firmware leaves its registers (hw.h REG_DUMP_COUNT) */
#define QCA_CRASH_DUMP_ADDR     0x00436000
#define QCA_CRASH_DUMP_WORDS    60
#define HI_FAILURE_STATE        0x00400804
#define QCA_TARGET_ID           0x05030000

static void qca6584_fault(QCA6584State *s, const char *knob, uint32_t left)
{
    s->faults.injected++;
    trace_qca6584_fault(knob, left);
    qemu_log_mask(LOG_UNIMP, "qca6584: fault injected: %s (%u left)\n",
                  knob, left);
}

void qca6584_fw_crash(QCA6584State *s)
{
    if (s->mode != QCA_MODE_HTC) {
        qemu_log_mask(LOG_UNIMP, "qca6584: fw-crash: the firmware is not "
                      "running\n");
        return;
    }
    qca6584_fault(s, "fw-crash", 0);
    s->faults.crashes++;
    s->mode = QCA_MODE_CRASHED;
    s->cpu_int_status |= QCA_CPU_INT_FW_ASSERT;
    qca6584_scan_cancel(s);
    qca6584_update_irq(s);
}

/* One event of a "fail-*" knob's count (@left), if it has any left */
static bool qca6584_fault_take(QCA6584State *s, uint32_t *left,
                               const char *knob)
{
    if (!*left) {
        return false;
    }
    (*left)--;
    qca6584_fault(s, knob, *left);
    return true;
}

bool qca6584_fault_wmi(QCA6584State *s)
{
    return qca6584_fault_take(s, &s->faults.fail_wmi, "fail-wmi");
}

SDIOCmd53Fault qca6584_fault_cmd53(QCA6584State *s, uint32_t addr,
                                   uint32_t span)
{
    uint32_t at = s->faults.fail_cmd53_addr;

    if (at != QCA_FAIL_CMD53_ANY && (at < addr || at - addr >= span)) {
        return SDIO_CMD53_OK;
    }
    if (qca6584_fault_take(s, &s->faults.fail_cmd53, "fail-cmd53")) {
        return SDIO_CMD53_R5_ERROR;
    }
    if (qca6584_fault_take(s, &s->faults.fail_cmd53_crc, "fail-cmd53-crc")) {
        return SDIO_CMD53_DATA_CRC;
    }
    if (qca6584_fault_take(s, &s->faults.fail_cmd53_timeout,
                           "fail-cmd53-timeout")) {
        return SDIO_CMD53_DATA_TIMEOUT;
    }
    return SDIO_CMD53_OK;
}

bool qca6584_fault_suspend_ack(QCA6584State *s)
{
    return qca6584_fault_take(s, &s->faults.fail_suspend_ack,
                              "fail-suspend-ack");
}

/*
 * The crashed firmware's words in target memory: hi_failure_state points
 * to its register dump, which ath10k reads word by word. Returns false
 * for every other address (and when the firmware has not crashed).
 */
bool qca6584_crash_read32(QCA6584State *s, uint32_t addr, uint32_t *val)
{
    uint32_t i;

    if (s->mode != QCA_MODE_CRASHED) {
        return false;
    }
    if (addr == HI_FAILURE_STATE) {
        *val = QCA_CRASH_DUMP_ADDR;
        return true;
    }
    if (addr < QCA_CRASH_DUMP_ADDR ||
        addr >= QCA_CRASH_DUMP_ADDR + 4 * QCA_CRASH_DUMP_WORDS || addr & 3) {
        return false;
    }
    /* the target id, an assert's program counter, then made-up registers */
    i = (addr - QCA_CRASH_DUMP_ADDR) / 4;
    *val = i == 0 ? QCA_TARGET_ID : i == 1 ? 0x00981d2c
                                           : 0x4a000000 | (i << 8) | i;
    return true;
}

void qca6584_faults_reset(QCA6584State *s)
{
    s->cpu_int_status = 0;
}
