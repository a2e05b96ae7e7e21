/*
 * i.MX7 System Reset Controller (SRC): secondary Cortex-A7 start/stop
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_MISC_IMX7_SRC_H
#define HW_MISC_IMX7_SRC_H

#include "hw/sysbus.h"
#include "hw/registerfields.h"
#include "qemu/timer.h"
#include "qom/object.h"

/* Register indexes (offset / 4), i.MX7D reference manual chapter SRC */
#define SRC_SCR             0x00
#define SRC_A7RCR0          0x01
#define SRC_A7RCR1          0x02
#define SRC_M4RCR           0x03
#define SRC_ERCR            0x05
#define SRC_HSICPHY_RCR     0x07
#define SRC_USBOPHY1_RCR    0x08
#define SRC_USBOPHY2_RCR    0x09
#define SRC_MIPIPHY_RCR     0x0A
#define SRC_PCIEPHY_RCR     0x0B
#define SRC_SBMR1           0x16
#define SRC_SRSR            0x17
#define SRC_SISR            0x1A
#define SRC_SIMR            0x1B
#define SRC_SBMR2           0x1C
#define SRC_GPR1            0x1D
#define SRC_GPR2            0x1E
#define SRC_GPR3            0x1F    /* core1 entry point */
#define SRC_GPR4            0x20    /* core1 argument (r0) */
#define SRC_GPR10           0x26
#define SRC_MAX             0x27

/* The same field names as QEMU 8.2's imx7_src, so the two stay comparable */
FIELD(A7RCR0, CORE0_RST, 4, 1)
FIELD(A7RCR0, CORE1_RST, 5, 1)
FIELD(A7RCR1, CORE1_ENABLE, 1, 1)

#define TYPE_IMX7_SRC "imx7.src"
OBJECT_DECLARE_SIMPLE_TYPE(IMX7SRCState, IMX7_SRC)

struct IMX7SRCState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    QEMUTimer *cpu1_start_timer;    /* a delayed core1 start */
    uint32_t regs[SRC_MAX];

    /*
     * What the SoC knows of core1: set when it is released (powering up or
     * running), cleared when it is really stopped. A release while it is
     * still set finds the core on.
     */
    bool cpu1_on;
    /* Whether core1's vCPU should execute (false also for a parked zombie) */
    bool cpu1_run;
    /* A start waiting for its delay (cpu1-on-delay-ms) */
    bool cpu1_start_pending;
    /* Where the last release sends core1: entry, r0, exception level */
    uint64_t cpu1_entry;
    uint64_t cpu1_arg;
    uint32_t cpu1_el;
    /* Power-state work queued on core1 (at most one at a time) */
    bool cpu1_sync_queued;
    /*
     * core1 was stopped since the vCPU last matched cpu1_run: a start
     * that follows before the sync work runs must still restart it.
     */
    bool cpu1_restart;
    /* times the vCPU was powered on (arm_set_cpu_on), not migrated */
    uint32_t cpu1_power_ons;

    /*
     * PSCI firmware mode (the board routes QEMU's PSCI CPU_ON/CPU_OFF/
     * AFFINITY_INFO for core1 here): the entry point and context id of
     * the last CPU_ON, used instead of GPR3/GPR4.
     */
    bool psci;
    uint64_t psci_entry;
    uint64_t psci_context;

    /* Exception level core1 starts in from GPR3 (3: secure SVC, as the ROM) */
    uint32_t secondary_el;

    /* Fault injection (QOM properties, settable with -global and qom-set) */
    uint32_t fail_cpu1_on;          /* swallow the next N releases */
    uint32_t fail_cpu1_on_nth;      /* swallow release number N */
    uint32_t cpu1_on_delay_ms;      /* start core1 N ms after its release */
    uint32_t fail_cpu1_off;         /* ignore the next N stops (zombie) */

    /* Read-only counters since QEMU started: test oracles */
    uint32_t cpu1_releases;
    uint32_t cpu1_starts;
    uint32_t cpu1_stops;
    uint32_t cpu1_injected;
};

/*
 * Route QEMU's PSCI core1 power calls through @s, as U-Boot's i.MX7 PSCI
 * firmware drives the SRC: CPU_ON sets the core1 enable, CPU_OFF clears it.
 * The fault injection knobs then act on the PSCI path too.
 */
void imx7_src_route_psci(IMX7SRCState *s);

#endif /* HW_MISC_IMX7_SRC_H */
