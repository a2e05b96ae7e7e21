/*
 * i.MX7 System Reset Controller (SRC): secondary Cortex-A7 start/stop
 *
 * The part of the SRC that decides whether core1 runs, with the silicon
 * behaviour kernels trip over: the core1 enable (A7RCR1 bit 1) starts the
 * core only on a 0->1 edge, at the address in GPR3 with GPR4 in r0, and
 * stops it on 1->0. A kernel that only ORs the enable in (Linux 6.1's
 * imx_enable_cpu() does) never starts core1 again once a previous owner
 * left the bit set: "CPU1: failed to come online".
 *
 * Fault injection knobs (QOM properties: -global driver=imx7.src,... or
 * qom-set at run time) make the failures happen on demand, and read-only
 * counters let tests check what the SoC saw. With imx7_src_route_psci()
 * QEMU's PSCI CPU_ON/CPU_OFF/AFFINITY_INFO for core1 go through the same
 * logic, as U-Boot's i.MX7 PSCI firmware drives the same SRC bits.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "hw/misc/imx7_src.h"
#include "migration/vmstate.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qom/object.h"
#include "hw/core/cpu.h"
#include "cpu.h"
#include "arm-powerctl.h"
#include "kvm-consts.h"
#include "trace.h"

#define IMX7_SRC_MMIO_SIZE  0x1000
#define IMX7_SRC_CORE1      1   /* MPIDR affinity 0 of the second A7 */

/* Exception level of a PSCI CPU_ON: QEMU's PSCI starts cores in NS HYP */
#define IMX7_SRC_PSCI_EL    2

/* Writable bits where not every bit is (others: all, or read-only) */
#define A7RCR0_WMASK        0x003f3333
#define A7RCR1_WMASK        0xcf000002

static const char *imx7_src_reg_name(unsigned idx)
{
    static char unknown[16];

    switch (idx) {
    case SRC_SCR: return "SCR";
    case SRC_A7RCR0: return "A7RCR0";
    case SRC_A7RCR1: return "A7RCR1";
    case SRC_M4RCR: return "M4RCR";
    case SRC_ERCR: return "ERCR";
    case SRC_HSICPHY_RCR: return "HSICPHY_RCR";
    case SRC_USBOPHY1_RCR: return "USBOPHY1_RCR";
    case SRC_USBOPHY2_RCR: return "USBOPHY2_RCR";
    case SRC_MIPIPHY_RCR: return "MIPIPHY_RCR";
    case SRC_PCIEPHY_RCR: return "PCIEPHY_RCR";
    case SRC_SBMR1: return "SBMR1";
    case SRC_SRSR: return "SRSR";
    case SRC_SISR: return "SISR";
    case SRC_SIMR: return "SIMR";
    case SRC_SBMR2: return "SBMR2";
    case SRC_GPR1 ... SRC_GPR10:
        snprintf(unknown, sizeof(unknown), "GPR%u", idx - SRC_GPR1 + 1);
        return unknown;
    default:
        snprintf(unknown, sizeof(unknown), "[0x%03x]", idx * 4);
        return unknown;
    }
}

static bool imx7_src_reg_exists(unsigned idx)
{
    switch (idx) {
    case SRC_SCR ... SRC_M4RCR:
    case SRC_ERCR:
    case SRC_HSICPHY_RCR ... SRC_PCIEPHY_RCR:
    case SRC_SBMR1 ... SRC_SRSR:
    case SRC_SISR ... SRC_GPR10:
        return true;
    default:
        return false;
    }
}

static CPUState *imx7_src_core1(void)
{
    return arm_get_cpu_by_id(IMX7_SRC_CORE1);
}

static void imx7_src_inject(IMX7SRCState *s, const char *knob, uint32_t n)
{
    s->cpu1_injected++;
    trace_imx7_src_inject(knob, n);
    qemu_log_mask(LOG_UNIMP, "imx7.src: fault injected: %s (%u)\n", knob, n);
}

/*
 * Bring the vCPU's power state to what the SoC wants. Runs as work on
 * core1's own vCPU, so it is ordered with arm-powerctl's own work there.
 * arm_set_cpu_on/off() check the power state when called, not when their
 * work runs, so at most one of them is in flight: after each, this work
 * is queued again behind it and looks anew. A stop and a start in quick
 * succession are both carried out, in order: a stop that the vCPU has not
 * seen yet (cpu1_restart) powers it off first, even when a start has
 * already asked for it to run again. (Two back-to-back writes of the
 * enable, 1->0->1, come before this work runs: without that, core1 would
 * go on where it was instead of starting at GPR3.)
 */
static void imx7_src_cpu1_sync(CPUState *cs, run_on_cpu_data data)
{
    IMX7SRCState *s = data.host_ptr;
    bool running = ARM_CPU(cs)->power_state == PSCI_ON;
    bool restart = s->cpu1_restart;
    int ret;

    s->cpu1_sync_queued = false;
    s->cpu1_restart = false;
    if (s->cpu1_run == running && !(restart && running)) {
        return;
    }
    if (s->cpu1_run && !running) {
        ret = arm_set_cpu_on(IMX7_SRC_CORE1, s->cpu1_entry, s->cpu1_arg,
                             s->cpu1_el, false);
        trace_imx7_src_cpu1_on(s->cpu1_entry, s->cpu1_arg, s->cpu1_el, ret);
        if (ret == QEMU_ARM_POWERCTL_RET_SUCCESS) {
            s->cpu1_power_ons++;
        }
    } else {
        ret = arm_set_cpu_off(IMX7_SRC_CORE1);
        trace_imx7_src_cpu1_off(ret);
    }
    if (ret == QEMU_ARM_POWERCTL_RET_SUCCESS) {
        s->cpu1_sync_queued = true;
        async_run_on_cpu(cs, imx7_src_cpu1_sync, RUN_ON_CPU_HOST_PTR(s));
    }
}

static void imx7_src_cpu1_kick(IMX7SRCState *s)
{
    CPUState *cs = imx7_src_core1();

    if (cs && !s->cpu1_sync_queued) {
        s->cpu1_sync_queued = true;
        async_run_on_cpu(cs, imx7_src_cpu1_sync, RUN_ON_CPU_HOST_PTR(s));
    }
}

static void imx7_src_cpu1_start(IMX7SRCState *s)
{
    s->cpu1_start_pending = false;
    s->cpu1_starts++;
    s->cpu1_run = true;
    imx7_src_cpu1_kick(s);
}

static void imx7_src_cpu1_start_timer(void *opaque)
{
    IMX7SRCState *s = opaque;

    if (s->cpu1_start_pending) {
        imx7_src_cpu1_start(s);
    }
}

/* A 0->1 edge of the core1 enable: the ROM would start core1 at GPR3. */
static void imx7_src_cpu1_release(IMX7SRCState *s)
{
    s->cpu1_releases++;
    trace_imx7_src_cpu1_release(s->cpu1_releases, s->cpu1_on);

    if (s->fail_cpu1_on) {
        s->fail_cpu1_on--;
        imx7_src_inject(s, "fail-cpu1-on", s->fail_cpu1_on);
        return;
    }
    if (s->fail_cpu1_on_nth && s->fail_cpu1_on_nth == s->cpu1_releases) {
        imx7_src_inject(s, "fail-cpu1-on-nth", s->cpu1_releases);
        return;
    }
    if (s->cpu1_on) {
        /* never stopped (a zombie, or left running by a crash kernel) */
        trace_imx7_src_cpu1_on(s->cpu1_entry, s->cpu1_arg, s->cpu1_el,
                               QEMU_ARM_POWERCTL_ALREADY_ON);
        return;
    }

    s->cpu1_on = true;
    if (s->psci) {
        s->cpu1_entry = s->psci_entry;
        s->cpu1_arg = s->psci_context;
        s->cpu1_el = IMX7_SRC_PSCI_EL;
    } else {
        s->cpu1_entry = s->regs[SRC_GPR3];
        s->cpu1_arg = s->regs[SRC_GPR4];
        s->cpu1_el = s->secondary_el;
    }
    if (s->cpu1_on_delay_ms) {
        imx7_src_inject(s, "cpu1-on-delay-ms", s->cpu1_on_delay_ms);
        s->cpu1_start_pending = true;
        timer_mod(s->cpu1_start_timer,
                  qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + s->cpu1_on_delay_ms);
        return;
    }
    imx7_src_cpu1_start(s);
}

/* A 1->0 edge of the core1 enable: core1 is held, powered off. */
static void imx7_src_cpu1_hold(IMX7SRCState *s)
{
    trace_imx7_src_cpu1_hold(s->cpu1_on);

    if (s->cpu1_start_pending) {
        /* held before its delayed start: it never ran */
        timer_del(s->cpu1_start_timer);
        s->cpu1_start_pending = false;
        s->cpu1_on = false;
        return;
    }
    if (!s->cpu1_on) {
        return;
    }
    if (s->fail_cpu1_off) {
        /*
         * A zombie: the core never reaches its power-down. It is parked
         * (no more instructions), but the SoC still sees it running, so
         * the next release finds it on and is lost.
         */
        s->fail_cpu1_off--;
        imx7_src_inject(s, "fail-cpu1-off", s->fail_cpu1_off);
    } else {
        s->cpu1_on = false;
        s->cpu1_stops++;
    }
    s->cpu1_run = false;
    s->cpu1_restart = true;
    imx7_src_cpu1_kick(s);
}

static void imx7_src_write_a7rcr1(IMX7SRCState *s, uint32_t value)
{
    uint32_t old = s->regs[SRC_A7RCR1];

    s->regs[SRC_A7RCR1] = value & A7RCR1_WMASK;
    if (!FIELD_EX32(old, A7RCR1, CORE1_ENABLE) &&
        FIELD_EX32(value, A7RCR1, CORE1_ENABLE)) {
        imx7_src_cpu1_release(s);
    } else if (FIELD_EX32(old, A7RCR1, CORE1_ENABLE) &&
               !FIELD_EX32(value, A7RCR1, CORE1_ENABLE)) {
        imx7_src_cpu1_hold(s);
    }
}

static void imx7_src_write_a7rcr0(IMX7SRCState *s, uint32_t value)
{
    if (FIELD_EX32(value, A7RCR0, CORE0_RST)) {
        qemu_log_mask(LOG_UNIMP, "imx7.src: core0 software reset\n");
    }
    /*
     * A core1 reset while core1 is enabled: held, then released again, as
     * the ROM would run and jump to GPR3. Disabled, it stays off.
     */
    if (FIELD_EX32(value, A7RCR0, CORE1_RST) &&
        FIELD_EX32(s->regs[SRC_A7RCR1], A7RCR1, CORE1_ENABLE)) {
        imx7_src_cpu1_hold(s);
        imx7_src_cpu1_release(s);
    }
    /* The core reset bits clear themselves once the reset is done. */
    value = FIELD_DP32(value, A7RCR0, CORE0_RST, 0);
    value = FIELD_DP32(value, A7RCR0, CORE1_RST, 0);
    s->regs[SRC_A7RCR0] = value & A7RCR0_WMASK;
}

static uint64_t imx7_src_read(void *opaque, hwaddr offset, unsigned size)
{
    IMX7SRCState *s = opaque;
    unsigned idx = offset / 4;
    uint32_t value = 0;

    if (idx < SRC_MAX && imx7_src_reg_exists(idx)) {
        value = s->regs[idx];
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "imx7.src: read of reserved offset "
                      "0x%03" HWADDR_PRIx "\n", offset);
    }
    trace_imx7_src_read(imx7_src_reg_name(idx), offset, value);
    return value;
}

static void imx7_src_write(void *opaque, hwaddr offset, uint64_t value,
                           unsigned size)
{
    IMX7SRCState *s = opaque;
    unsigned idx = offset / 4;

    if (idx >= SRC_MAX || !imx7_src_reg_exists(idx)) {
        qemu_log_mask(LOG_GUEST_ERROR, "imx7.src: write of reserved offset "
                      "0x%03" HWADDR_PRIx "\n", offset);
        return;
    }
    trace_imx7_src_write(imx7_src_reg_name(idx), offset, value);

    switch (idx) {
    case SRC_A7RCR0:
        imx7_src_write_a7rcr0(s, value);
        break;
    case SRC_A7RCR1:
        imx7_src_write_a7rcr1(s, value);
        break;
    case SRC_SBMR1:
    case SRC_SBMR2:
        qemu_log_mask(LOG_GUEST_ERROR, "imx7.src: %s is read-only\n",
                      imx7_src_reg_name(idx));
        break;
    case SRC_SRSR:
    case SRC_SISR:
        s->regs[idx] &= ~value;     /* status bits: write 1 to clear */
        break;
    case SRC_M4RCR:
    case SRC_ERCR:
    case SRC_HSICPHY_RCR ... SRC_PCIEPHY_RCR:
        qemu_log_mask(LOG_UNIMP, "imx7.src: %s resets are not modelled\n",
                      imx7_src_reg_name(idx));
        s->regs[idx] = value;
        break;
    default:
        s->regs[idx] = value;
        break;
    }
}

static const MemoryRegionOps imx7_src_ops = {
    .read = imx7_src_read,
    .write = imx7_src_write,
    .endianness = DEVICE_NATIVE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
        .unaligned = false,
    },
};

/* -- PSCI firmware on top of the SRC --------------------------------------- */

static bool imx7_src_psci_call(void *opaque, CPUState *caller,
                               const uint64_t *param, int32_t *ret)
{
    IMX7SRCState *s = opaque;

    switch (param[0]) {
    case QEMU_PSCI_0_1_FN_CPU_ON:
    case QEMU_PSCI_0_2_FN_CPU_ON:
        if (param[1] != IMX7_SRC_CORE1) {
            return false;
        }
        if (s->cpu1_on) {
            *ret = QEMU_PSCI_RET_ALREADY_ON;
            trace_imx7_src_psci_cpu_on(param[2], *ret);
            return true;
        }
        /* as U-Boot: entry point saved, then the core1 enable ORed in */
        s->psci_entry = param[2];
        s->psci_context = param[3];
        imx7_src_write_a7rcr1(s, s->regs[SRC_A7RCR1] |
                              R_A7RCR1_CORE1_ENABLE_MASK);
        *ret = QEMU_PSCI_RET_SUCCESS;
        trace_imx7_src_psci_cpu_on(param[2], *ret);
        return true;
    case QEMU_PSCI_0_1_FN_CPU_OFF:
    case QEMU_PSCI_0_2_FN_CPU_OFF:
        if (caller != imx7_src_core1()) {
            return false;
        }
        trace_imx7_src_psci_cpu_off();
        imx7_src_write_a7rcr1(s, s->regs[SRC_A7RCR1] &
                              ~R_A7RCR1_CORE1_ENABLE_MASK);
        /* Whatever the SoC thinks, this vCPU leaves the guest's code. */
        s->cpu1_run = false;
        s->cpu1_restart = true;
        imx7_src_cpu1_kick(s);
        *ret = QEMU_PSCI_RET_SUCCESS;
        return true;
    case QEMU_PSCI_0_2_FN_AFFINITY_INFO:
        if (param[1] != IMX7_SRC_CORE1 || param[2] != 0) {
            return false;
        }
        *ret = s->cpu1_start_pending ? PSCI_ON_PENDING :
               s->cpu1_on ? PSCI_ON : PSCI_OFF;
        return true;
    default:
        return false;
    }
}

void imx7_src_route_psci(IMX7SRCState *s)
{
    s->psci = true;
    arm_psci_set_hook(imx7_src_psci_call, s);
}

/* -- QOM ------------------------------------------------------------------- */

static void imx7_src_reset(DeviceState *dev)
{
    IMX7SRCState *s = IMX7_SRC(dev);

    memset(s->regs, 0, sizeof(s->regs));
    s->regs[SRC_SCR] = 0xa0;
    s->regs[SRC_SRSR] = 0x1;        /* power-on reset */
    s->regs[SRC_SIMR] = 0x1f;

    /* a system reset powers core1 off (start-powered-off) */
    timer_del(s->cpu1_start_timer);
    s->cpu1_start_pending = false;
    s->cpu1_on = false;
    s->cpu1_run = false;
    s->cpu1_sync_queued = false;
    s->cpu1_restart = false;
}

static int imx7_src_post_load(void *opaque, int version_id)
{
    IMX7SRCState *s = opaque;

    /*
     * A pending or running core1 is started at cpu1_el: arm_set_cpu_on()
     * asserts 1..3, and a stream is not to be trusted more than a guest
     * (0 is what a core1 that was never released has).
     */
    if (s->cpu1_el > 3 ||
        ((s->cpu1_run || s->cpu1_start_pending) && s->cpu1_el == 0)) {
        error_report("imx7.src: migrated core1 exception level %u is not "
                     "1 to 3", s->cpu1_el);
        return -EINVAL;
    }
    /*
     * A core that runs or waits to start is one the SoC released
     * (cpu1_on), and never both at once: otherwise a later release would
     * find the vCPU running where the stream left it and not restart it.
     */
    if (((s->cpu1_run || s->cpu1_start_pending) && !s->cpu1_on) ||
        (s->cpu1_run && s->cpu1_start_pending)) {
        error_report("imx7.src: migrated core1 state is inconsistent "
                     "(released %d, running %d, start pending %d)",
                     s->cpu1_on, s->cpu1_run, s->cpu1_start_pending);
        return -EINVAL;
    }
    /* core1 is an AArch32 core: its entry point and r0 are 32-bit */
    if (s->cpu1_entry > UINT32_MAX || s->cpu1_arg > UINT32_MAX ||
        s->psci_entry > UINT32_MAX || s->psci_context > UINT32_MAX) {
        error_report("imx7.src: migrated core1 entry or argument is not "
                     "32-bit");
        return -EINVAL;
    }
    s->cpu1_sync_queued = false;
    imx7_src_cpu1_kick(s);
    return 0;
}

static bool imx7_src_restart_needed(void *opaque)
{
    return IMX7_SRC(opaque)->cpu1_restart;
}

/* Only while a stop has not reached the vCPU: streams stay as they were */
static const VMStateDescription vmstate_imx7_src_restart = {
    .name = TYPE_IMX7_SRC "/cpu1-restart",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = imx7_src_restart_needed,
    .fields = (VMStateField[]) {
        VMSTATE_BOOL(cpu1_restart, IMX7SRCState),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_imx7_src = {
    .name = TYPE_IMX7_SRC,
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = imx7_src_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32_ARRAY(regs, IMX7SRCState, SRC_MAX),
        VMSTATE_BOOL(cpu1_on, IMX7SRCState),
        VMSTATE_BOOL(cpu1_run, IMX7SRCState),
        VMSTATE_BOOL(cpu1_start_pending, IMX7SRCState),
        VMSTATE_TIMER_PTR(cpu1_start_timer, IMX7SRCState),
        VMSTATE_UINT64(cpu1_entry, IMX7SRCState),
        VMSTATE_UINT64(cpu1_arg, IMX7SRCState),
        VMSTATE_UINT32(cpu1_el, IMX7SRCState),
        VMSTATE_UINT64(psci_entry, IMX7SRCState),
        VMSTATE_UINT64(psci_context, IMX7SRCState),
        VMSTATE_UINT32(fail_cpu1_on, IMX7SRCState),
        VMSTATE_UINT32(fail_cpu1_on_nth, IMX7SRCState),
        VMSTATE_UINT32(cpu1_on_delay_ms, IMX7SRCState),
        VMSTATE_UINT32(fail_cpu1_off, IMX7SRCState),
        VMSTATE_UINT32(cpu1_releases, IMX7SRCState),
        VMSTATE_UINT32(cpu1_starts, IMX7SRCState),
        VMSTATE_UINT32(cpu1_stops, IMX7SRCState),
        VMSTATE_UINT32(cpu1_injected, IMX7SRCState),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * []) {
        &vmstate_imx7_src_restart,
        NULL
    },
};

static void imx7_src_get_secondary_el(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    visit_type_uint32(v, name, &IMX7_SRC(obj)->secondary_el, errp);
}

static void imx7_src_set_secondary_el(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    uint32_t el;

    if (!visit_type_uint32(v, name, &el, errp)) {
        return;
    }
    if (el < 1 || el > 3) {
        error_setg(errp, "imx7.src: secondary-el must be 1, 2 or 3");
        return;
    }
    IMX7_SRC(obj)->secondary_el = el;
}

static void imx7_src_init(Object *obj)
{
    IMX7SRCState *s = IMX7_SRC(obj);

    memory_region_init_io(&s->iomem, obj, &imx7_src_ops, s, TYPE_IMX7_SRC,
                          IMX7_SRC_MMIO_SIZE);
    sysbus_init_mmio(SYS_BUS_DEVICE(obj), &s->iomem);
    s->cpu1_start_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL,
                                       imx7_src_cpu1_start_timer, s);

    /*
     * Plain QOM properties rather than qdev ones: qdev refuses writes after
     * realize, and tests arm the knobs at run time (qom-set). -global
     * applies to these too.
     */
    s->secondary_el = 3;
    object_property_add(obj, "secondary-el", "uint32",
                        imx7_src_get_secondary_el, imx7_src_set_secondary_el,
                        NULL, NULL);
    object_property_add_uint32_ptr(obj, "fail-cpu1-on", &s->fail_cpu1_on,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "fail-cpu1-on-nth",
                                   &s->fail_cpu1_on_nth,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "cpu1-on-delay-ms",
                                   &s->cpu1_on_delay_ms,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "fail-cpu1-off", &s->fail_cpu1_off,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "cpu1-releases", &s->cpu1_releases,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "cpu1-starts", &s->cpu1_starts,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "cpu1-stops", &s->cpu1_stops,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "cpu1-injected", &s->cpu1_injected,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint32_ptr(obj, "cpu1-power-ons", &s->cpu1_power_ons,
                                   OBJ_PROP_FLAG_READ);
}

static void imx7_src_finalize(Object *obj)
{
    IMX7SRCState *s = IMX7_SRC(obj);

    timer_free(s->cpu1_start_timer);
}

static void imx7_src_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->reset = imx7_src_reset;
    dc->vmsd = &vmstate_imx7_src;
    dc->desc = "i.MX7 System Reset Controller";
}

static const TypeInfo imx7_src_info = {
    .name = TYPE_IMX7_SRC,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(IMX7SRCState),
    .instance_init = imx7_src_init,
    .instance_finalize = imx7_src_finalize,
    .class_init = imx7_src_class_init,
};

static void imx7_src_register_types(void)
{
    type_register_static(&imx7_src_info);
}

type_init(imx7_src_register_types)
