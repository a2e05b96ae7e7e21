/*
 * imx7d-custom: the kernel lab's i.MX7D board
 *
 * An i.MX7 Dual (fsl-imx7 SoC, two Cortex-A7) with 512 MiB of DDR and the
 * peripherals the lab's driver work needs:
 *   - UART1 as the serial console (ttymxc0);
 *   - uSDHC1 with an SD card (-drive if=sd,index=0), as on the SABRE board;
 *   - ECSPI1: an ILI9341 240x320 TFT (chip select, D/C and reset on GPIO4,
 *     see below), shown on the QEMU console;
 *   - uSDHC2: the SDIO slot with a QCA6584 Wi-Fi chip (ath10k_sdio), QOM
 *     path /machine/wifi, its MAC address -global qca6584.mac=...
 *   - a virtio-mmio transport (machine property virtio=on|off, on by
 *     default) for a device the user plugs in: scripts/run shares the
 *     host's module builds with -device virtio-9p-device (lab-reload).
 *
 * Secondary CPU boot, machine property psci=on|off:
 *   on (default)  the kernel starts in non-secure HYP and QEMU provides
 *                 PSCI, as behind U-Boot's PSCI firmware: a /psci node is
 *                 added to the device tree and Linux uses psci_smp_ops.
 *                 CPU_ON/CPU_OFF for core1 go through the SRC model, as
 *                 U-Boot's i.MX7 PSCI code drives the SRC.
 *   off           the kernel starts in secure SVC with no /psci, as behind
 *                 a bootloader without PSCI: Linux starts core1 itself
 *                 through the SRC (imx7_smp_ops).
 * Either way the SRC's fault injection knobs apply (hw/misc/imx7_src.c).
 * The guest device tree that matches this wiring is dts/imx7d-custom.dts.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This code is licensed under the GPL, version 2 or later.
 * See the file `COPYING' in the top level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/units.h"
#include "hw/arm/boot.h"
#include "hw/arm/fsl-imx7.h"
#include "hw/boards.h"
#include "hw/display/ili9341.h"
#include "hw/net/qca6584.h"
#include "hw/ssi/ssi.h"
#include "hw/sysbus.h"
#include "hw/qdev-properties.h"
#include "sysemu/blockdev.h"
#include "sysemu/block-backend.h"
#include "sysemu/device_tree.h"
#include "sysemu/qtest.h"
#include "qom/object.h"
#include <libfdt.h>

#define TYPE_IMX7D_CUSTOM_MACHINE MACHINE_TYPE_NAME("imx7d-custom")
OBJECT_DECLARE_SIMPLE_TYPE(IMX7DCustomMachineState, IMX7D_CUSTOM_MACHINE)

/* uSDHC1 and uSDHC2, counted from 0 like fsl-imx7's usdhc[] array */
#define IMX7D_CUSTOM_SD_SLOT    0
#define IMX7D_CUSTOM_SDIO_SLOT  1

/*
 * The display's control lines, on pads whose GPIO function the device tree
 * selects (dts/imx7d-custom.dts): fsl-imx7's gpio[3] is GPIO4.
 */
#define DISPLAY_GPIO_BANK   3
#define DISPLAY_CS_PIN      19  /* pad ECSPI1_SS0 = GPIO4_IO19, active low */
#define DISPLAY_DC_PIN      20  /* pad ECSPI2_SCLK = GPIO4_IO20, high = data */
#define DISPLAY_RESX_PIN    21  /* pad ECSPI2_MOSI = GPIO4_IO21, active low */

/*
 * The virtio-mmio transport: in a hole of the i.MX7 memory map (between
 * AIPS3 and the A7 MPCore), on an SPI that imx7s.dtsi/imx7d.dtsi leave
 * unused. dts/imx7d-custom.dts has the matching node.
 */
#define IMX7D_CUSTOM_VIRTIO_ADDR    0x30c00000
#define IMX7D_CUSTOM_VIRTIO_IRQ     127

struct IMX7DCustomMachineState {
    MachineState parent_obj;

    FslIMX7State soc;
    struct arm_boot_info boot_info;
    bool psci;
    bool virtio;
};

/*
 * psci=off: core1 waits powered off until the guest releases it through
 * the SRC, so no boot stub and no reset hook (as sabrelite).
 */
static void imx7d_custom_write_secondary(ARMCPU *cpu,
                                         const struct arm_boot_info *info)
{
}

static void imx7d_custom_reset_secondary(ARMCPU *cpu,
                                         const struct arm_boot_info *info)
{
}

/* SNVS_LPCR: setting DP_EN and TOP turns the board off */
#define SNVS_LPCR_OFFSET    0x38
#define SNVS_LPCR_OFF_BITS  0x60

/*
 * psci=off: describe power-off through the SNVS, as a bootloader without
 * PSCI does (with PSCI, SYSTEM_OFF powers off and Linux would refuse a
 * second handler). Linux 6.1's imx7s.dtsi has no such node; 6.5 and later
 * have it, disabled for the board to enable: this is the board.
 */
static void imx7d_custom_add_snvs_poweroff(void *fdt)
{
    int snvs = fdt_node_offset_by_compatible(fdt, -1, "fsl,sec-v4.0-mon");
    int poweroff = fdt_node_offset_by_compatible(fdt, -1, "syscon-poweroff");
    g_autofree char *node = NULL;
    char path[256];

    if (poweroff >= 0) {
        fdt_setprop_string(fdt, poweroff, "status", "okay");
        return;
    }
    if (snvs < 0 || fdt_get_path(fdt, snvs, path, sizeof(path))) {
        return;     /* not the SoC's usual tree */
    }
    node = g_strdup_printf("%s/snvs-poweroff", path);
    qemu_fdt_add_subnode(fdt, node);
    qemu_fdt_setprop_string(fdt, node, "compatible", "syscon-poweroff");
    qemu_fdt_setprop_phandle(fdt, node, "regmap", path);
    qemu_fdt_setprop_cell(fdt, node, "offset", SNVS_LPCR_OFFSET);
    qemu_fdt_setprop_cell(fdt, node, "value", SNVS_LPCR_OFF_BITS);
    qemu_fdt_setprop_cell(fdt, node, "mask", SNVS_LPCR_OFF_BITS);
}

/*
 * virtio=off: the guest must not see the transport's node, or its
 * virtio_mmio driver would touch unassigned memory and take an abort.
 */
static void imx7d_custom_disable_virtio_node(void *fdt)
{
    int node = -1;
    const fdt32_t *reg;
    int len;

    while ((node = fdt_node_offset_by_compatible(fdt, node,
                                                 "virtio,mmio")) >= 0) {
        reg = fdt_getprop(fdt, node, "reg", &len);
        if (reg && len >= sizeof(*reg) &&
            fdt32_to_cpu(reg[0]) == IMX7D_CUSTOM_VIRTIO_ADDR) {
            fdt_setprop_string(fdt, node, "status", "disabled");
        }
    }
}

static void imx7d_custom_modify_dtb(const struct arm_boot_info *info,
                                    void *fdt)
{
    IMX7DCustomMachineState *s = container_of(info, IMX7DCustomMachineState,
                                              boot_info);

    if (!s->psci) {
        imx7d_custom_add_snvs_poweroff(fdt);
    }
    if (!s->virtio) {
        imx7d_custom_disable_virtio_node(fdt);
    }
}

/*
 * A transport with no backend reads as device ID 0, which Linux skips;
 * modern (version 2) registers, as Linux prefers.
 */
static void imx7d_custom_add_virtio(IMX7DCustomMachineState *s)
{
    DeviceState *transport = qdev_new("virtio-mmio");

    qdev_prop_set_bit(transport, "force-legacy", false);
    object_property_add_child(OBJECT(s), "virtio-mmio", OBJECT(transport));
    sysbus_realize_and_unref(SYS_BUS_DEVICE(transport), &error_fatal);
    sysbus_mmio_map(SYS_BUS_DEVICE(transport), 0, IMX7D_CUSTOM_VIRTIO_ADDR);
    sysbus_connect_irq(SYS_BUS_DEVICE(transport), 0,
                       qdev_get_gpio_in(DEVICE(&s->soc.a7mpcore),
                                        IMX7D_CUSTOM_VIRTIO_IRQ));
}

/* An SD card on uSDHC1, backed by -drive if=sd,index=0 when given. */
static void imx7d_custom_add_sd_card(IMX7DCustomMachineState *s)
{
    DriveInfo *di = drive_get(IF_SD, 0, 0);
    BlockBackend *blk = di ? blk_by_legacy_dinfo(di) : NULL;
    BusState *bus;
    DeviceState *card;

    bus = qdev_get_child_bus(DEVICE(&s->soc.usdhc[IMX7D_CUSTOM_SD_SLOT]),
                             "sd-bus");
    card = qdev_new(TYPE_SD_CARD);
    qdev_prop_set_drive_err(card, "drive", blk, &error_fatal);
    qdev_realize_and_unref(card, bus, &error_fatal);
}

/* The Wi-Fi module, an SDIO card soldered on uSDHC2 */
static void imx7d_custom_add_wifi(IMX7DCustomMachineState *s)
{
    BusState *bus = qdev_get_child_bus(
        DEVICE(&s->soc.usdhc[IMX7D_CUSTOM_SDIO_SLOT]), "sd-bus");
    DeviceState *wifi = qdev_new(TYPE_QCA6584);

    object_property_add_child(OBJECT(s), "wifi", OBJECT(wifi));
    qdev_realize_and_unref(wifi, bus, &error_fatal);
}

/*
 * The ILI9341 on ECSPI1. Its chip select is a GPIO, as on real boards with
 * spi-imx: the ECSPI's own SS lines never deassert between messages.
 */
static void imx7d_custom_add_display(IMX7DCustomMachineState *s)
{
    DeviceState *gpio = DEVICE(&s->soc.gpio[DISPLAY_GPIO_BANK]);
    SSIBus *bus = (SSIBus *)qdev_get_child_bus(DEVICE(&s->soc.spi[0]), "spi");
    DeviceState *lcd = qdev_new(TYPE_ILI9341);

    object_property_add_child(OBJECT(s), "display", OBJECT(lcd));
    ssi_realize_and_unref(lcd, bus, &error_fatal);
    qdev_connect_gpio_out(gpio, DISPLAY_CS_PIN,
                          qdev_get_gpio_in_named(lcd, SSI_GPIO_CS, 0));
    qdev_connect_gpio_out(gpio, DISPLAY_DC_PIN, qdev_get_gpio_in(lcd, 0));
    qdev_connect_gpio_out(gpio, DISPLAY_RESX_PIN,
                          qdev_get_gpio_in_named(lcd, ILI9341_GPIO_RESX, 0));
}

static void imx7d_custom_init(MachineState *machine)
{
    IMX7DCustomMachineState *s = IMX7D_CUSTOM_MACHINE(machine);

    if (machine->ram_size > FSL_IMX7_MMDC_SIZE) {
        error_report("RAM size " RAM_ADDR_FMT " above max supported (%08x)",
                     machine->ram_size, FSL_IMX7_MMDC_SIZE);
        exit(1);
    }

    object_initialize_child(OBJECT(machine), "soc", &s->soc, TYPE_FSL_IMX7);
    qdev_realize(DEVICE(&s->soc), NULL, &error_fatal);

    memory_region_add_subregion(get_system_memory(), FSL_IMX7_MMDC_ADDR,
                                machine->ram);

    imx7d_custom_add_sd_card(s);
    imx7d_custom_add_display(s);
    imx7d_custom_add_wifi(s);
    if (s->virtio) {
        imx7d_custom_add_virtio(s);
    }

    s->boot_info = (struct arm_boot_info) {
        .loader_start = FSL_IMX7_MMDC_ADDR,
        .board_id = -1,
        .ram_size = machine->ram_size,
    };
    if (s->psci) {
        s->boot_info.psci_conduit = QEMU_PSCI_CONDUIT_SMC;
        imx7_src_route_psci(&s->soc.src);
    } else {
        s->boot_info.psci_conduit = QEMU_PSCI_CONDUIT_DISABLED;
        s->boot_info.secure_boot = true;
        s->boot_info.write_secondary_boot = imx7d_custom_write_secondary;
        s->boot_info.secondary_cpu_reset_hook = imx7d_custom_reset_secondary;
    }
    s->boot_info.modify_dtb = imx7d_custom_modify_dtb;
    if (!qtest_enabled()) {
        arm_load_kernel(&s->soc.cpu[0], machine, &s->boot_info);
    }
}

static bool imx7d_custom_get_psci(Object *obj, Error **errp)
{
    return IMX7D_CUSTOM_MACHINE(obj)->psci;
}

static void imx7d_custom_set_psci(Object *obj, bool value, Error **errp)
{
    IMX7D_CUSTOM_MACHINE(obj)->psci = value;
}

static bool imx7d_custom_get_virtio(Object *obj, Error **errp)
{
    return IMX7D_CUSTOM_MACHINE(obj)->virtio;
}

static void imx7d_custom_set_virtio(Object *obj, bool value, Error **errp)
{
    IMX7D_CUSTOM_MACHINE(obj)->virtio = value;
}

static void imx7d_custom_instance_init(Object *obj)
{
    IMX7D_CUSTOM_MACHINE(obj)->psci = true;
    IMX7D_CUSTOM_MACHINE(obj)->virtio = true;
}

static void imx7d_custom_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->desc = "i.MX7D kernel lab board (2x Cortex-A7, SPI display, SDIO)";
    mc->init = imx7d_custom_init;
    mc->max_cpus = FSL_IMX7_NUM_CPUS;
    mc->default_cpus = FSL_IMX7_NUM_CPUS;
    mc->default_ram_size = 512 * MiB;
    mc->default_ram_id = "imx7d-custom.ram";

    object_class_property_add_bool(oc, "psci", imx7d_custom_get_psci,
                                   imx7d_custom_set_psci);
    object_class_property_set_description(oc, "psci",
        "Secondary CPU boot: on = QEMU's PSCI firmware (kernel in HYP, "
        "/psci in the DTB), off = the SRC (kernel in secure SVC, no /psci)");
    object_class_property_add_bool(oc, "virtio", imx7d_custom_get_virtio,
                                   imx7d_custom_set_virtio);
    object_class_property_set_description(oc, "virtio",
        "A virtio-mmio transport at 0x30c00000 (SPI 127) for -device "
        "virtio-*-device; off removes it and disables its DTB node");
}

static const TypeInfo imx7d_custom_machine_type = {
    .name = TYPE_IMX7D_CUSTOM_MACHINE,
    .parent = TYPE_MACHINE,
    .instance_size = sizeof(IMX7DCustomMachineState),
    .instance_init = imx7d_custom_instance_init,
    .class_init = imx7d_custom_class_init,
};

static void imx7d_custom_machine_register_types(void)
{
    type_register_static(&imx7d_custom_machine_type);
}

type_init(imx7d_custom_machine_register_types)
