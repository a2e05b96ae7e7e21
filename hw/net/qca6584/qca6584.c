/*
 * Qualcomm QCA6584 Wi-Fi on SDIO (ath10k family), as Linux's ath10k_sdio
 * drives it
 *
 * The model is the chip's SDIO function 1 and the firmware's side of the
 * host interfaces: the mailbox register window, the boot loader (BMI) and,
 * after BMI_DONE, HTC with the WMI-TLV and HTT messages the driver needs to
 * probe and register a wiphy. It runs no firmware: what BMI downloads is
 * accepted and ignored (the lab's firmware files are synthetic, see
 * scripts/make-ath10k-firmware). The layers are in files of their own
 * (qca6584-internal.h has the map); this one is the QOM device.
 *
 * The radio side is a simulated access point (hw/net/wifi-ap.c, an open
 * or WPA2 network, properties ap-ssid, ap-psk, ap-channel, ap-bssid,
 * ap-snr), and up to three more (aps=SSID:CHANNEL[:SNR],...: their BSSIDs
 * follow ap-bssid, the passphrase is the same): scans find them, the
 * station authenticates and associates with one, and its data frames go
 * to the QEMU network backend given with netdev= (and back), so with
 * -netdev user the guest gets a DHCP address through Wi-Fi. The network
 * behind the APs is one, an ESS: a station that roams keeps its address.
 * Each AP is a child object, /machine/wifi/ap[N], with its run-time knobs.
 *
 * Function 1 address map (Linux ath10k hw.h, sdio.h):
 *   0x800-0x82b   interrupt status, RX lookahead and interrupt enables
 *   0x840+4n      counters; n = 4 is the BMI command credit
 *   0x868         chip control (wakes the target: fn0 0x1138 reads 1)
 *   0x874-0x87f   diagnostic window: data, write address, read address
 *   0x1000-0x17ff mailbox 0 (BMI, HTC target-to-host reads)
 *   0x5000-0x12fff, 0x13800-0x1c7ff  mailbox 0 extended windows (HTC
 *                 host-to-target writes end at the window's end)
 *
 * Every mailbox message is traced (trace events qca6584_*): Debian's ath10k
 * has no debug output, so this is where the traffic can be seen.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qca6584-internal.h"
#include "hw/qdev-properties.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "migration/vmstate.h"
#include "qemu/bitops.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "hw/net/trace.h"

/* SDIO identity: Atheros vendor, AR6005 (QCA6174-class, chip rev 0x0a) */
#define QCA_SDIO_VENDOR         0x0271
#define QCA_SDIO_DEVICE         0x050a

/* Function 1 registers */
#define REG_HOST_INT_STATUS     0x800
#define REG_CPU_INT_STATUS      0x801
#define REG_RX_LOOKAHEAD_VALID  0x805
#define REG_RX_LOOKAHEAD0       0x808
#define REG_IRQ_PROC_END        0x828   /* the block ath10k reads at once */
#define REG_INT_STATUS_EN       0x828
#define REG_CNTR_INT_STATUS_EN  0x82b
#define REG_COUNT_DEC           0x840
#define REG_BMI_CREDIT          (REG_COUNT_DEC + 4 * 4)
#define REG_COUNT_DEC_END       0x860   /* COUNT and COUNT_DEC, 8 words */
#define REG_CHIP_CONTROL        0x868
#define REG_WINDOW_DATA         0x874
#define REG_WINDOW_WRITE_ADDR   0x878
#define REG_WINDOW_READ_ADDR    0x87c
#define QCA_FUNC_SIZE           0x20000

#define HOST_INT_MBOX0_DATA     0x01
#define HOST_INT_CPU            0x40    /* 0x801 & 0x829 */
#define FN0_RTC_STATE           0x1138      /* function 0: target awake */

/* -- CIS ------------------------------------------------------------------- */

/* Common CIS at 0x1000, function 1's at 0x1080 (SDIO spec 16.7) */
#define QCA_FUNC1_CIS           0x1080
static const uint8_t qca6584_cis[] = {
    /* 0x1000: common */
    0x21, 0x02, 0x0c, 0x00,                     /* FUNCID: SDIO card */
    0x22, 0x04, 0x00,                           /* FUNCE type 0: */
    QCA_BLOCK_SIZE & 0xff, QCA_BLOCK_SIZE >> 8, /*   fn0 max block */
    0x32,                                       /*   25 MHz */
    0x20, 0x04,                                 /* MANFID */
    QCA_SDIO_VENDOR & 0xff, QCA_SDIO_VENDOR >> 8,
    QCA_SDIO_DEVICE & 0xff, QCA_SDIO_DEVICE >> 8,
    0xff,                                       /* END */
    [QCA_FUNC1_CIS - SDIO_CIS_BASE] =
    /* 0x1080: function 1 */
    0x21, 0x02, 0x0c, 0x00,                     /* FUNCID */
    0x22, 0x2a, 0x01,                           /* FUNCE type 1 (42 B): */
    0x00, 0x20,                                 /*   info, I/O revision */
    0x00, 0x00, 0x00, 0x00,                     /*   serial number */
    0x00, 0x00, 0x00, 0x00,                     /*   CSA size */
    0x00,                                       /*   CSA properties */
    QCA_BLOCK_SIZE & 0xff, QCA_BLOCK_SIZE >> 8, /*   max block size */
    0x00, 0x80, 0xff, 0x00,                     /*   OCR */
    0x00, 0x00, 0x00, 0x00, 0x00,               /*   power */
    0x00, 0x00, 0x00, 0x00, 0x00,
    0x0a, 0x00,                                 /*   enable timeout x10ms */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,         /*   power (SDIO 2.0) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x20, 0x04,                                 /* MANFID */
    QCA_SDIO_VENDOR & 0xff, QCA_SDIO_VENDOR >> 8,
    QCA_SDIO_DEVICE & 0xff, QCA_SDIO_DEVICE >> 8,
    0xff,                                       /* END */
};

/* -- function 1 registers -------------------------------------------------- */

static uint8_t qca6584_host_int_status(QCA6584State *s)
{
    return (qca6584_mbox_pending(s) ? HOST_INT_MBOX0_DATA : 0) |
           (s->cpu_int_status & s->irq_en[1] ? HOST_INT_CPU : 0);
}

void qca6584_update_irq(QCA6584State *s)
{
    bool level = qca6584_host_int_status(s) & s->irq_en[0];

    sdio_card_set_func_irq(&s->parent_obj, 1, level);
}

/* Called per byte: container_of(), as sdio-card.c does, not a QOM cast */
static uint8_t qca6584_read(SDIOCard *card, unsigned fn, uint32_t addr)
{
    QCA6584State *s = container_of(card, QCA6584State, parent_obj);

    if (qca6584_is_mbox(addr)) {
        return qca6584_mbox_read(s);
    }
    switch (addr) {
    case REG_HOST_INT_STATUS:
        return qca6584_host_int_status(s);
    case REG_CPU_INT_STATUS:
        return s->cpu_int_status;
    case REG_RX_LOOKAHEAD_VALID:
        return qca6584_mbox_pending(s) ? 1 : 0;
    case REG_RX_LOOKAHEAD0 ... REG_RX_LOOKAHEAD0 + 3:
        return qca6584_mbox_lookahead(s, addr - REG_RX_LOOKAHEAD0);
    case REG_INT_STATUS_EN ... REG_CNTR_INT_STATUS_EN:
        return s->irq_en[addr - REG_INT_STATUS_EN];
    case REG_BMI_CREDIT:
        return s->mode == QCA_MODE_BMI ? 1 : 0;
    case REG_CHIP_CONTROL ... REG_CHIP_CONTROL + 3:
        return extract32(s->chip_control, 8 * (addr - REG_CHIP_CONTROL), 8);
    case REG_WINDOW_DATA ... REG_WINDOW_DATA + 3:
        return extract32(s->window_data, 8 * (addr - REG_WINDOW_DATA), 8);
    case REG_WINDOW_WRITE_ADDR ... REG_WINDOW_READ_ADDR + 3:
        return s->window_addr[addr - REG_WINDOW_WRITE_ADDR];
    default:
        if ((addr >= REG_HOST_INT_STATUS && addr < REG_IRQ_PROC_END) ||
            (addr >= REG_COUNT_DEC && addr < REG_COUNT_DEC_END)) {
            return 0;   /* other status and counter bytes: nothing pending */
        }
        qemu_log_mask(LOG_GUEST_ERROR | LOG_UNIMP, "qca6584: read of "
                      "function 1 address 0x%05x, not a register the model "
                      "has\n", addr);
        return 0;
    }
}

static void qca6584_write(SDIOCard *card, unsigned fn, uint32_t addr,
                          uint8_t value)
{
    QCA6584State *s = container_of(card, QCA6584State, parent_obj);

    if (qca6584_is_mbox(addr)) {
        qca6584_mbox_write(s, addr, value);
        return;
    }
    switch (addr) {
    case REG_CPU_INT_STATUS:
        s->cpu_int_status &= ~value;
        qca6584_update_irq(s);
        break;
    case REG_INT_STATUS_EN ... REG_CNTR_INT_STATUS_EN:
        s->irq_en[addr - REG_INT_STATUS_EN] = value;
        qca6584_update_irq(s);
        break;
    case REG_CHIP_CONTROL ... REG_CHIP_CONTROL + 3:
        s->chip_control = deposit32(s->chip_control,
                                    8 * (addr - REG_CHIP_CONTROL), 8, value);
        s->rtc_on = true;               /* any access wakes the target */
        break;
    case REG_WINDOW_DATA ... REG_WINDOW_DATA + 3:
        s->window_data = deposit32(s->window_data,
                                   8 * (addr - REG_WINDOW_DATA), 8, value);
        break;
    case REG_WINDOW_WRITE_ADDR ... REG_WINDOW_READ_ADDR + 3:
        s->window_addr[addr - REG_WINDOW_WRITE_ADDR] = value;
        /* the most significant byte, written last, starts the access */
        if (addr == REG_WINDOW_WRITE_ADDR + 3) {
            qca6584_target_write32(s, ldl_le_p(s->window_addr),
                                   s->window_data);
        } else if (addr == REG_WINDOW_READ_ADDR + 3) {
            s->window_data = qca6584_target_read32(s, ldl_le_p(s->window_addr +
                                                                4));
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: write 0x%02x to read-only "
                      "or unmodelled register 0x%05x\n", value, addr);
        break;
    }
}

static void qca6584_transfer_done(SDIOCard *card, unsigned fn, uint32_t addr,
                                  uint32_t len, bool write)
{
    if (qca6584_is_mbox(addr)) {
        qca6584_mbox_transfer_done(QCA6584(card), write);
    }
}

static uint8_t qca6584_vendor_read(SDIOCard *card, uint32_t addr)
{
    QCA6584State *s = QCA6584(card);

    if (addr == FN0_RTC_STATE) {
        return s->rtc_on ? 1 : 0;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "qca6584: function 0 read of 0x%05x\n",
                  addr);
    return 0;
}

static void qca6584_vendor_write(SDIOCard *card, uint32_t addr, uint8_t value)
{
    qemu_log_mask(LOG_GUEST_ERROR, "qca6584: function 0 write 0x%02x to "
                  "0x%05x\n", value, addr);
}

static SDIOCmd53Fault qca6584_cmd53_fault(SDIOCard *card, unsigned fn,
                                          uint32_t addr, uint32_t span,
                                          bool write)
{
    return qca6584_fault_cmd53(QCA6584(card), addr, span);
}

/* Power-up or SDIO reset: the chip is back in its boot loader */
static void qca6584_io_reset(SDIOCard *card)
{
    QCA6584State *s = QCA6584(card);

    trace_qca6584_reset();
    s->mode = QCA_MODE_BMI;
    memset(s->irq_en, 0, sizeof(s->irq_en));
    s->chip_control = 0;
    s->window_data = 0;
    memset(s->window_addr, 0, sizeof(s->window_addr));
    s->rtc_on = false;
    qca6584_mbox_reset(s);
    qca6584_bmi_reset(s);
    qca6584_htc_reset(s);
    /* the firmware forgot its scan, vdevs, peers and station */
    qca6584_wmi_reset(s);
    qca6584_htt_tx_reset(s);
    qca6584_faults_reset(s);
    /*
     * The AP is not the chip: it keeps its station, as an AP does while a
     * client's chip reboots (ath10k keeps the association across its
     * firmware restart on this chip); a new authentication starts over
     */
    qca6584_htt_rx_drained(s);  /* frames held for room are dropped now */
}

WifiAP *qca6584_ap_by_bssid(QCA6584State *s, const uint8_t *bssid)
{
    uint32_t i;

    for (i = 0; i < s->n_aps; i++) {
        if (!memcmp(s->ap[i].bssid.a, bssid, 6)) {
            return &s->ap[i];
        }
    }
    return NULL;
}

/*
 * The station associated with @ap: the other APs of the network forget
 * it, as the distribution system moves a station that roamed (mac80211
 * sends the old AP nothing when it leaves for a new one)
 */
void qca6584_ess_roamed(QCA6584State *s, WifiAP *ap)
{
    uint32_t i;

    for (i = 0; i < s->n_aps; i++) {
        if (&s->ap[i] != ap && s->ap[i].state != WIFI_AP_IDLE &&
            !memcmp(s->ap[i].sta.a, ap->sta.a, 6)) {
            trace_qca6584_ess_roamed(wifi_mac(s->ap[i].bssid.a),
                                     wifi_mac(ap->bssid.a));
            wifi_ap_reset(&s->ap[i]);
        }
    }
}

/*
 * A frame between the chip and @ap, to the capture of the air, on the
 * AP's channel (@ap NULL: the one the station is on, or the first)
 */
void qca6584_capture(QCA6584State *s, WifiAP *ap, const uint8_t *frame,
                     size_t len)
{
    uint8_t chan;
    uint16_t mhz;

    if (s->pcap.fd < 0) {
        return;
    }
    if (!ap) {
        ap = qca6584_serving_ap(s) ?: &s->ap[0];
    }
    chan = ap->channel;
    mhz = chan == 14 ? 2484 : chan < 14 ? 2407 + 5 * chan : 5000 + 5 * chan;
    wifi_pcap_frame(&s->pcap, frame, len, mhz, -95 + (int)ap->snr);
}

/* An AP's own frames: management ones as WMI MGMT_RX, data as RX_IND */
static void qca6584_ap_to_sta(WifiAP *ap, const uint8_t *frame, size_t len,
                              const uint8_t *key, uint8_t key_id, uint64_t pn)
{
    QCA6584State *s = ap->opaque;

    if (frame[0] == WIFI_FC0_BEACON) {
        /*
         * On the air whoever listens; to the host only the beacons of the
         * BSS it is connected to, while the FIFO has room (the firmware
         * drops what it cannot pass on)
         */
        if (s->mode == QCA_MODE_HTC && qca6584_link_beacon(s, frame, len) &&
            qca6584_htc_can_send(s, QCA_BLOCK_SIZE)) {
            qca6584_wmi_mgmt_rx(s, ap, frame, len);
        } else {
            qca6584_capture(s, ap, frame, len);
        }
        return;
    }
    if (s->mode != QCA_MODE_HTC) {
        return;
    }
    if (((frame[0] >> 2) & 3) == 0) {
        qca6584_wmi_mgmt_rx(s, ap, frame, len);
    } else {
        qca6584_htt_rx_from_ap(s, ap, frame, len, key, key_id, pn);
    }
}

static void qca6584_set_fw_crash(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    uint32_t crash;

    if (visit_type_uint32(v, name, &crash, errp) && crash) {
        qca6584_fw_crash(QCA6584(obj));
    }
}

/* -- QOM ------------------------------------------------------------------- */

static void qca6584_instance_init(Object *obj)
{
    SDIOCard *card = SDIO_CARD(obj);
    QCA6584State *s = QCA6584(obj);

    card->num_funcs = 1;
    card->func_size = QCA_FUNC_SIZE;
    card->cis = qca6584_cis;
    card->cis_len = sizeof(qca6584_cis);
    card->func_cis[0] = SDIO_CIS_BASE;
    card->func_cis[1] = QCA_FUNC1_CIS;
    s->ap_conf.ssid = g_strdup("lab-ap");
    s->pcap.fd = -1;
    wifi_ap_init(obj, "ap[0]", &s->ap[0], qca6584_ap_to_sta, s);
    qca6584_scan_init(s);
    qca6584_link_init(s);
    /*
     * The first AP's knobs, as they were before there were more: ap-rekey,
     * ap-enabled, ap-deauth, ap-disassoc, and its WPA2 handshakes completed
     * and messages 2 to 4 whose MIC failed (another passphrase)
     */
    object_property_add_alias(obj, "ap-rekey", OBJECT(&s->ap[0]), "rekey");
    object_property_add_alias(obj, "ap-enabled", OBJECT(&s->ap[0]),
                              "enabled");
    object_property_add_alias(obj, "ap-deauth", OBJECT(&s->ap[0]), "deauth");
    object_property_add_alias(obj, "ap-disassoc", OBJECT(&s->ap[0]),
                              "disassoc");
    object_property_add_alias(obj, "ap-handshakes", OBJECT(&s->ap[0]),
                              "handshakes");
    object_property_add_alias(obj, "ap-bad-mics", OBJECT(&s->ap[0]),
                              "bad-mics");
    object_property_add_uint64_ptr(obj, "bmiss-events",
                                   &s->link.bmiss_events, OBJ_PROP_FLAG_READ);
    /* injected failures (faults.c) */
    object_property_add(obj, "fw-crash", "uint32", NULL, qca6584_set_fw_crash,
                        NULL, NULL);
    object_property_set_description(obj, "fw-crash", "1: the firmware "
                                    "asserts now");
    object_property_add_uint32_ptr(obj, "fail-wmi", &s->faults.fail_wmi,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "fail-suspend-ack",
                                   &s->faults.fail_suspend_ack,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "fail-cmd53", &s->faults.fail_cmd53,
                                   OBJ_PROP_FLAG_READWRITE);
    s->faults.fail_cmd53_addr = QCA_FAIL_CMD53_ANY;
    object_property_add_uint32_ptr(obj, "fail-cmd53-addr",
                                   &s->faults.fail_cmd53_addr,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_set_description(obj, "fail-cmd53-addr", "the fail-cmd53 "
                                    "knobs take only CMD53s whose bytes "
                                    "include this function 1 address "
                                    "(default 0xffffffff: any)");
    object_property_add_uint32_ptr(obj, "fail-cmd53-crc",
                                   &s->faults.fail_cmd53_crc,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "fail-cmd53-timeout",
                                   &s->faults.fail_cmd53_timeout,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint64_ptr(obj, "faults-injected",
                                   &s->faults.injected, OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "fw-crashes", &s->faults.crashes,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "tx-discarded", &s->htt.tx_discarded,
                                   OBJ_PROP_FLAG_READ);
}

static void qca6584_instance_finalize(Object *obj)
{
    QCA6584State *s = QCA6584(obj);
    uint32_t i;

    timer_free(s->wmi.scan_timer);
    for (i = 0; i < QCA_MAX_APS; i++) {
        if (s->ap[i].to_sta) {
            wifi_ap_finalize(&s->ap[i]);
        }
    }
    wifi_pcap_close(&s->pcap);
    qca6584_link_finalize(s);
}

/*
 * The APs after the first, from aps=SSID:CHANNEL[:SNR],...: the same
 * passphrase and beacon timing as the first, the BSSIDs after its own
 */
static bool qca6584_realize_more_aps(QCA6584State *s, Error **errp)
{
    g_auto(GStrv) specs = NULL;
    uint32_t i;

    if (!s->aps || !*s->aps) {
        return true;
    }
    specs = g_strsplit(s->aps, ",", 0);
    if (g_strv_length(specs) > QCA_MAX_APS - 1) {
        error_setg(errp, "aps: at most %u more APs", QCA_MAX_APS - 1);
        return false;
    }
    for (i = 0; specs[i]; i++) {
        g_auto(GStrv) field = g_strsplit(specs[i], ":", 0);
        WifiAPConfig conf = s->ap_conf;
        g_autofree char *name = g_strdup_printf("ap[%u]", i + 1);
        unsigned long channel, snr = s->ap_conf.snr;
        guint nfields = g_strv_length(field);

        if (nfields < 2 || nfields > 3 ||
            qemu_strtoul(field[1], NULL, 10, &channel) || channel > 255 ||
            (nfields == 3 && qemu_strtoul(field[2], NULL, 10, &snr)) ||
            snr > UINT32_MAX) {
            error_setg(errp, "aps: '%s' is not SSID:CHANNEL[:SNR]",
                       specs[i]);
            return false;
        }
        conf.ssid = field[0];
        conf.channel = channel;
        conf.snr = snr;
        conf.bssid.a[5] += i + 1;
        wifi_ap_init(OBJECT(s), name, &s->ap[i + 1], qca6584_ap_to_sta, s);
        if (!wifi_ap_realize(&s->ap[i + 1], &conf, errp)) {
            error_prepend(errp, "aps: %s: ", specs[i]);
            return false;
        }
        s->n_aps++;
    }
    s->n_more_aps = s->n_aps - 1;
    return true;
}

static DeviceRealize qca6584_parent_realize;

static void qca6584_realize(DeviceState *dev, Error **errp)
{
    ERRP_GUARD();
    QCA6584State *s = QCA6584(dev);
    static const MACAddr default_bssid = {
        .a = { 0x02, 0x03, 0x7f, 0x00, 0x00, 0x01 }
    };
    static const MACAddr zero;

    if (!memcmp(&s->ap_conf.bssid, &zero, sizeof(zero))) {
        s->ap_conf.bssid = default_bssid;
    }
    if (!wifi_ap_realize(&s->ap[0], &s->ap_conf, errp)) {
        error_prepend(errp, "qca6584: ");
        return;
    }
    s->n_aps = 1;
    if (!qca6584_realize_more_aps(s, errp)) {
        error_prepend(errp, "qca6584: ");
        return;
    }
    if (!wifi_pcap_open(&s->pcap, s->pcap_path, errp)) {
        error_prepend(errp, "qca6584: pcap: ");
        return;
    }
    qemu_macaddr_default_if_unset(&s->conf.macaddr);
    s->nic = qemu_new_nic(&qca6584_net_info, &s->conf,
                          object_get_typename(OBJECT(dev)), dev->id,
                          &dev->mem_reentrancy_guard, s);
    qemu_format_nic_info_str(qemu_get_queue(s->nic), s->conf.macaddr.a);
    qca6584_parent_realize(dev, errp);
}

static const VMStateDescription vmstate_qca6584_peer = {
    .name = "qca6584-peer",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_BOOL(used, QCAPeer),
        VMSTATE_UINT8(vdev, QCAPeer),
        VMSTATE_UINT8_ARRAY(mac, QCAPeer, 6),
        VMSTATE_END_OF_LIST()
    },
};

static const VMStateDescription vmstate_qca6584_peer_keys = {
    .name = "qca6584-peer-keys",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_BOOL(pairwise_set, QCAPeer),
        VMSTATE_UINT8_ARRAY(pairwise_key, QCAPeer, QCA_KEY_LEN),
        VMSTATE_UINT8(group_set, QCAPeer),
        VMSTATE_UINT8_2DARRAY(group_key, QCAPeer, QCA_GROUP_KEYS,
                              QCA_KEY_LEN),
        VMSTATE_END_OF_LIST()
    },
};

static bool qca6584_keys_needed(void *opaque)
{
    QCA6584State *s = opaque;
    int i;

    for (i = 0; i < QCA_MAX_PEERS; i++) {
        if (s->wmi.peers[i].pairwise_set || s->wmi.peers[i].group_set) {
            return true;
        }
    }
    return false;
}

static bool qca6584_crash_needed(void *opaque)
{
    QCA6584State *s = opaque;

    return s->mode == QCA_MODE_CRASHED || s->cpu_int_status;
}

/* A subsection: a stream of a running firmware is the same as before */
static const VMStateDescription vmstate_qca6584_crash = {
    .name = "qca6584/crash",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = qca6584_crash_needed,
    .fields = (VMStateField[]) {
        VMSTATE_UINT8(cpu_int_status, QCA6584State),
        VMSTATE_END_OF_LIST()
    },
};

static bool qca6584_more_aps_needed(void *opaque)
{
    QCA6584State *s = opaque;

    return s->n_aps > 1;
}

/*
 * A subsection: the APs after the first, as many as the command line
 * gave (the same on both sides, or the load fails)
 */
static const VMStateDescription vmstate_qca6584_more_aps = {
    .name = "qca6584/more-aps",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = qca6584_more_aps_needed,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32_EQUAL(n_more_aps, QCA6584State, NULL),
        {
            .name = "ap[1]",
            .version_id = 1,
            .num_offset = offsetof(QCA6584State, n_more_aps),
            .vmsd = &vmstate_wifi_ap,
            .size = sizeof(WifiAP),
            .flags = VMS_STRUCT | VMS_VARRAY_UINT32,
            .offset = offsetof(QCA6584State, ap[1]),
        },
        VMSTATE_END_OF_LIST()
    },
};

static bool qca6584_credits_needed(void *opaque)
{
    QCA6584State *s = opaque;

    return s->htt.credit_flow;
}

/* A subsection: a host without reduced completions streams as before */
static const VMStateDescription vmstate_qca6584_credits = {
    .name = "qca6584/htt-credits",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = qca6584_credits_needed,
    .fields = (VMStateField[]) {
        VMSTATE_BOOL(htt.credit_flow, QCA6584State),
        VMSTATE_UINT32(htt.credits_owed, QCA6584State),
        VMSTATE_END_OF_LIST()
    },
};

static bool qca6584_link_needed(void *opaque)
{
    QCA6584State *s = opaque;

    return s->link.up;
}

/* A subsection: a stream without a vdev up is the same as before */
static const VMStateDescription vmstate_qca6584_link = {
    .name = "qca6584/link",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = qca6584_link_needed,
    .fields = (VMStateField[]) {
        VMSTATE_BOOL(link.up, QCA6584State),
        VMSTATE_UINT32(link.vdev, QCA6584State),
        VMSTATE_UINT8_ARRAY(link.bssid, QCA6584State, 6),
        VMSTATE_END_OF_LIST()
    },
};

/* A subsection: a stream without keys is the same as before WPA2 */
static const VMStateDescription vmstate_qca6584_keys = {
    .name = "qca6584/keys",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = qca6584_keys_needed,
    .fields = (VMStateField[]) {
        VMSTATE_STRUCT_ARRAY(wmi.peers, QCA6584State, QCA_MAX_PEERS, 1,
                             vmstate_qca6584_peer_keys, QCAPeer),
        VMSTATE_END_OF_LIST()
    },
};

/* Indices and lengths from the stream are checked before use */
static int qca6584_post_load(void *opaque, int version_id)
{
    QCA6584State *s = opaque;
    QCAMbox *m = &s->mbox;
    uint32_t i;

    if (m->h2t_len > H2T_BUF_SIZE || m->t2h_len > T2H_FIFO_SIZE ||
        m->t2h_head >= T2H_FIFO_SIZE || s->bmi.mem_used > QCA_MEM_WORDS ||
        s->wmi.scan_nfreqs > WMI_SCAN_MAX_CHANNELS ||
        s->wmi.scan_next > s->wmi.scan_nfreqs ||
        s->htt.tx_done_count > HTT_TX_DONE_MAX ||
        m->bundle_members > HTC_BUNDLE_MAX ||
        m->bundle_index > m->bundle_members ||
        (m->bundle_index < m->bundle_members &&
         m->bundle_off >= m->bundle_slot) ||
        s->mode > QCA_MODE_CRASHED) {
        return -EINVAL;
    }
    for (i = 0; i < QCA_MAX_APS; i++) {
        if (s->ap[i].state > WIFI_AP_ASSOCIATED) {
            return -EINVAL;
        }
    }
    qca6584_link_post_load(s);
    return 0;
}

/* What a stream without the subsections leaves: no vdev up */
static int qca6584_pre_load(void *opaque)
{
    QCA6584State *s = opaque;

    s->link.up = false;
    s->cpu_int_status = 0;
    s->htt.credit_flow = false;
    s->htt.credits_owed = 0;
    return 0;
}

/*
 * The fields in the order of the single-struct model before the split
 * into layers (version 2): a stream saved by either loads in the other
 */
static const VMStateDescription vmstate_qca6584 = {
    .name = TYPE_QCA6584,
    .version_id = 2,
    .minimum_version_id = 2,
    .pre_load = qca6584_pre_load,
    .post_load = qca6584_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, QCA6584State, 1, vmstate_sdio_card,
                       SDIOCard),
        VMSTATE_UINT32(mode, QCA6584State),
        VMSTATE_UINT8_ARRAY(mbox.h2t, QCA6584State, H2T_BUF_SIZE),
        VMSTATE_UINT32(mbox.h2t_len, QCA6584State),
        VMSTATE_BOOL(mbox.h2t_skip, QCA6584State),
        VMSTATE_UINT8_ARRAY(mbox.t2h, QCA6584State, T2H_FIFO_SIZE),
        VMSTATE_UINT32(mbox.t2h_head, QCA6584State),
        VMSTATE_UINT32(mbox.t2h_len, QCA6584State),
        VMSTATE_UINT32_ARRAY(mbox.bundle_size, QCA6584State, HTC_BUNDLE_MAX),
        VMSTATE_UINT32(mbox.bundle_members, QCA6584State),
        VMSTATE_UINT32(mbox.bundle_index, QCA6584State),
        VMSTATE_UINT32(mbox.bundle_slot, QCA6584State),
        VMSTATE_UINT32(mbox.bundle_off, QCA6584State),
        VMSTATE_UINT8_ARRAY(irq_en, QCA6584State, 4),
        VMSTATE_UINT32(chip_control, QCA6584State),
        VMSTATE_UINT32(window_data, QCA6584State),
        VMSTATE_UINT8_ARRAY(window_addr, QCA6584State, 8),
        VMSTATE_BOOL(rtc_on, QCA6584State),
        VMSTATE_UINT8_ARRAY(bmi.board, QCA6584State, QCA_BOARD_SIZE),
        VMSTATE_UINT32_ARRAY(bmi.mem_addr, QCA6584State, QCA_MEM_WORDS),
        VMSTATE_UINT32_ARRAY(bmi.mem_val, QCA6584State, QCA_MEM_WORDS),
        VMSTATE_UINT32(bmi.mem_used, QCA6584State),
        VMSTATE_UINT8(htc.seq, QCA6584State),
        VMSTATE_UINT8(htc.wmi_eid, QCA6584State),
        VMSTATE_UINT8(htc.htt_eid, QCA6584State),
        VMSTATE_TIMER_PTR(wmi.scan_timer, QCA6584State),
        VMSTATE_BOOL(wmi.scan_active, QCA6584State),
        VMSTATE_UINT32(wmi.scan_id, QCA6584State),
        VMSTATE_UINT32(wmi.scan_req_id, QCA6584State),
        VMSTATE_UINT32(wmi.scan_vdev, QCA6584State),
        VMSTATE_UINT32_ARRAY(wmi.scan_freqs, QCA6584State,
                             WMI_SCAN_MAX_CHANNELS),
        VMSTATE_UINT32(wmi.scan_nfreqs, QCA6584State),
        VMSTATE_UINT32(wmi.scan_next, QCA6584State),
        VMSTATE_STRUCT_ARRAY(wmi.peers, QCA6584State, QCA_MAX_PEERS, 1,
                             vmstate_qca6584_peer, QCAPeer),
        VMSTATE_UINT16_ARRAY(htt.tx_done, QCA6584State, HTT_TX_DONE_MAX),
        VMSTATE_UINT32(htt.tx_done_count, QCA6584State),
        VMSTATE_BOOL(htt.tx_held, QCA6584State),
        VMSTATE_BOOL(htt.rx_held, QCA6584State),
        VMSTATE_STRUCT(ap[0], QCA6584State, 1, vmstate_wifi_ap, WifiAP),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * []) {
        &vmstate_qca6584_keys,
        &vmstate_qca6584_link,
        &vmstate_qca6584_crash,
        &vmstate_qca6584_credits,
        &vmstate_qca6584_more_aps,
        NULL
    },
};

static Property qca6584_properties[] = {
    DEFINE_NIC_PROPERTIES(QCA6584State, conf),
    DEFINE_PROP_STRING("ap-ssid", QCA6584State, ap_conf.ssid),
    DEFINE_PROP_STRING("ap-psk", QCA6584State, ap_conf.psk),
    DEFINE_PROP_UINT8("ap-channel", QCA6584State, ap_conf.channel, 6),
    DEFINE_PROP_MACADDR("ap-bssid", QCA6584State, ap_conf.bssid),
    DEFINE_PROP_UINT32("ap-snr", QCA6584State, ap_conf.snr, 45),
    DEFINE_PROP_STRING("aps", QCA6584State, aps),
    DEFINE_PROP_STRING("pcap", QCA6584State, pcap_path),
    DEFINE_PROP_UINT16("ap-beacon-interval", QCA6584State, ap_conf.beacon_int,
                       100),
    DEFINE_PROP_UINT8("ap-dtim-period", QCA6584State, ap_conf.dtim_period, 1),
    DEFINE_PROP_END_OF_LIST(),
};

static void qca6584_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    SDIOCardClass *sc = SDIO_CARD_CLASS(klass);

    dc->desc = "Qualcomm QCA6584 Wi-Fi (ath10k SDIO)";
    device_class_set_parent_realize(dc, qca6584_realize,
                                    &qca6584_parent_realize);
    dc->vmsd = &vmstate_qca6584;
    device_class_set_props(dc, qca6584_properties);
    sc->read = qca6584_read;
    sc->write = qca6584_write;
    sc->transfer_done = qca6584_transfer_done;
    sc->vendor_read = qca6584_vendor_read;
    sc->vendor_write = qca6584_vendor_write;
    sc->io_reset = qca6584_io_reset;
    sc->cmd53_fault = qca6584_cmd53_fault;
}

static const TypeInfo qca6584_info = {
    .name = TYPE_QCA6584,
    .parent = TYPE_SDIO_CARD,
    .instance_size = sizeof(QCA6584State),
    .instance_init = qca6584_instance_init,
    .instance_finalize = qca6584_instance_finalize,
    .class_init = qca6584_class_init,
};

static void qca6584_register_types(void)
{
    type_register_static(&qca6584_info);
}

type_init(qca6584_register_types)
