/*
 * A simulated Wi-Fi access point: an open or WPA2-PSK network with one
 * station
 *
 * Management: beacons and probe responses, open system authentication,
 * (re)association, deauthentication and disassociation. Data: 802.11
 * frames to and from the distribution system, with the LLC/SNAP header
 * (RFC 1042) that carries the Ethernet type. With a passphrase, the RSN
 * element in beacons and associations and the authenticator of
 * wifi-rsn.c, which holds the port closed to all but EAPOL until the
 * 4-way handshake has put the keys in place.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/net/wifi-ap.h"
#include "migration/vmstate.h"
#include "qemu/bswap.h"
#include "trace.h"

/* Frame control, first byte: type (bits 3:2) and subtype (bits 7:4) */
#define FC_TYPE(fc0)            (((fc0) >> 2) & 3)
#define FC_TYPE_MGMT            0
#define FC_TYPE_DATA            2
#define FC_SUBTYPE(fc0)         ((fc0) >> 4)
#define MGMT_ASSOC_REQ          0x0
#define MGMT_ASSOC_RESP         0x1
#define MGMT_REASSOC_REQ        0x2
#define MGMT_REASSOC_RESP       0x3
#define MGMT_PROBE_REQ          0x4
#define MGMT_PROBE_RESP         0x5
#define MGMT_BEACON             0x8
#define TU_NS                   1024000 /* a time unit: 1024 us */
#define MGMT_DISASSOC           0xa
#define MGMT_AUTH               0xb
#define MGMT_DEAUTH             0xc
#define DATA_SUBTYPE_NODATA     0x4     /* null function, CF-ack/poll only */
#define DATA_SUBTYPE_QOS        0x8
/* Frame control, second byte */
#define FC1_TO_DS               0x01
#define FC1_FROM_DS             0x02

#define CAP_ESS                 0x0001
#define CAP_PRIVACY             0x0010
#define CAP_SHORT_SLOT          0x0400
#define AUTH_OPEN_SYSTEM        0
#define STATUS_SUCCESS          0
#define STATUS_UNSUPP_AUTH_ALG  13
#define STATUS_NOT_AUTHENTICATED 1      /* "unspecified failure" */
#define ASSOC_REQ_FIXED         4       /* capability, listen interval */
#define REASSOC_REQ_FIXED       10      /* ... and the current AP */
#define AID_FLAGS               0xc000
#define STA_AID                 1

#define IE_SSID                 0
#define IE_RATES                1
#define IE_DS_PARAMS            3
#define IE_TIM                  5
#define IE_EXT_RATES            50

static const uint8_t rfc1042_snap[6] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00 };

bool wifi_ap_valid_channel(uint8_t chan)
{
    return (chan >= 1 && chan <= 14) ||
           (chan >= 36 && chan <= 64 && chan % 4 == 0) ||
           (chan >= 100 && chan <= 144 && chan % 4 == 0) ||
           (chan >= 149 && chan <= 165 && chan % 4 == 1);
}

static void wifi_ap_beacon_tick(void *opaque);

void wifi_ap_init(Object *chip, const char *name, WifiAP *ap,
                  WifiAPToStation *to_sta, void *opaque)
{
    object_initialize_child(chip, name, ap, TYPE_WIFI_AP);
    ap->to_sta = to_sta;
    ap->opaque = opaque;
    ap->enabled = true;
    ap->beacon_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, wifi_ap_beacon_tick,
                                    ap);
    wifi_rsn_init(ap);
}

static void wifi_ap_arm_beacon(WifiAP *ap)
{
    timer_mod(ap->beacon_timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
              (int64_t)ap->beacon_int * TU_NS);
}

/* One beacon each interval, its DTIM count running down */
static void wifi_ap_beacon_tick(void *opaque)
{
    WifiAP *ap = opaque;
    uint8_t beacon[WIFI_MGMT_MAX];
    size_t len;

    if (!ap->enabled) {
        return;
    }
    len = wifi_ap_beacon(ap, NULL, beacon);
    ap->dtim_count = ap->dtim_count ? ap->dtim_count - 1
                                    : ap->dtim_period - 1;
    ap->to_sta(ap, beacon, len, NULL, 0, 0);
    wifi_ap_arm_beacon(ap);
}

void wifi_ap_set_enabled(WifiAP *ap, bool enabled)
{
    if (enabled == ap->enabled) {
        return;
    }
    trace_wifi_ap_enabled(enabled);
    ap->enabled = enabled;
    if (enabled) {
        wifi_ap_arm_beacon(ap);
    } else {
        timer_del(ap->beacon_timer);
        wifi_ap_reset(ap);
    }
}

bool wifi_ap_realize(WifiAP *ap, const WifiAPConfig *conf, Error **errp)
{
    if (conf->bssid.a[0] & 1) {
        error_setg(errp, "ap-bssid must be a unicast address");
        return false;
    }
    if (!conf->ssid || !*conf->ssid || strlen(conf->ssid) > 32) {
        error_setg(errp, "ap-ssid must have 1 to 32 characters");
        return false;
    }
    if (conf->snr > WIFI_SNR_MAX) {
        error_setg(errp, "ap-snr %u dB is more than %u", conf->snr,
                   WIFI_SNR_MAX);
        return false;
    }
    if (!wifi_ap_valid_channel(conf->channel)) {
        error_setg(errp, "ap-channel %u is not a Wi-Fi channel",
                   conf->channel);
        return false;
    }
    if (conf->beacon_int < 15 || conf->beacon_int > 1000 ||
        !conf->dtim_period) {
        error_setg(errp, "ap-beacon-interval must be 15-1000 TU and "
                   "ap-dtim-period 1-255");
        return false;
    }
    g_free(ap->ssid);
    ap->ssid = g_strdup(conf->ssid);
    ap->channel = conf->channel;
    ap->bssid = conf->bssid;
    ap->beacon_int = conf->beacon_int;
    ap->dtim_period = conf->dtim_period;
    ap->snr = ap->snr_at_start = conf->snr;
    if (!wifi_rsn_realize(ap, conf->psk, errp)) {
        return false;
    }
    if (ap->enabled) {
        wifi_ap_arm_beacon(ap);
    }
    return true;
}

void wifi_ap_finalize(WifiAP *ap)
{
    timer_free(ap->beacon_timer);
    ap->beacon_timer = NULL;
    wifi_rsn_finalize(ap);
    g_free(ap->ssid);
    ap->ssid = NULL;
}

void wifi_ap_reset(WifiAP *ap)
{
    ap->state = WIFI_AP_IDLE;
    memset(&ap->sta, 0, sizeof(ap->sta));
    wifi_rsn_stop(ap);
}

uint64_t wifi_mac(const uint8_t *addr)
{
    uint64_t mac = 0;
    int i;

    for (i = 0; i < 6; i++) {
        mac = mac << 8 | addr[i];
    }
    return mac;
}

const uint8_t *wifi_ie_find(const uint8_t *ies, size_t len, uint8_t id)
{
    size_t off = 0;

    while (off + 2 <= len && off + 2 + ies[off + 1] <= len) {
        if (ies[off] == id) {
            return ies + off;
        }
        off += 2 + ies[off + 1];
    }
    return NULL;
}

static bool wifi_is_group(const uint8_t *addr)
{
    return addr[0] & 1;
}

/* The 24-byte management header from the AP to @to */
static uint8_t *wifi_ap_mgmt_hdr(WifiAP *ap, uint8_t *buf, uint8_t subtype,
                                 const uint8_t *to)
{
    memset(buf, 0, WIFI_HDR_LEN);
    buf[0] = subtype << 4;
    memcpy(buf + 4, to, 6);
    memcpy(buf + 10, ap->bssid.a, 6);
    memcpy(buf + 16, ap->bssid.a, 6);
    stw_le_p(buf + 22, ap->seq++ << 4);
    return buf + WIFI_HDR_LEN;
}

/* WPA2 networks have the Privacy bit set */
static uint16_t wifi_ap_capability(WifiAP *ap)
{
    return CAP_ESS | CAP_SHORT_SLOT | (ap->rsn.enabled ? CAP_PRIVACY : 0);
}

/* Supported and extended rates of the AP's band; basic rates marked */
static uint8_t *wifi_ap_rates(WifiAP *ap, uint8_t *p)
{
    static const uint8_t rates_2ghz[] = {
        IE_RATES, 8, 0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24,
        IE_EXT_RATES, 4, 0x30, 0x48, 0x60, 0x6c,
    };
    static const uint8_t rates_5ghz[] = {
        IE_RATES, 8, 0x8c, 0x12, 0x98, 0x24, 0xb0, 0x48, 0x60, 0x6c,
    };

    if (ap->channel <= 14) {
        memcpy(p, rates_2ghz, sizeof(rates_2ghz));
        return p + sizeof(rates_2ghz);
    }
    memcpy(p, rates_5ghz, sizeof(rates_5ghz));
    return p + sizeof(rates_5ghz);
}

size_t wifi_ap_beacon(WifiAP *ap, const uint8_t *to, uint8_t *buf)
{
    static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    size_t ssid_len = MIN(strlen(ap->ssid), 32);
    uint8_t *p;

    p = wifi_ap_mgmt_hdr(ap, buf, to ? MGMT_PROBE_RESP : MGMT_BEACON,
                         to ? to : broadcast);
    /* the TSF: the AP started with the virtual clock */
    stq_le_p(p, qemu_clock_get_us(QEMU_CLOCK_VIRTUAL));
    stw_le_p(p + 8, ap->beacon_int);
    stw_le_p(p + 10, wifi_ap_capability(ap));
    p += 12;
    *p++ = IE_SSID;
    *p++ = ssid_len;
    memcpy(p, ap->ssid, ssid_len);
    p += ssid_len;
    p = wifi_ap_rates(ap, p);
    *p++ = IE_DS_PARAMS;
    *p++ = 1;
    *p++ = ap->channel;
    /* TIM: the DTIM count and period; no traffic buffered */
    *p++ = IE_TIM;
    *p++ = 4;
    *p++ = ap->dtim_count;
    *p++ = ap->dtim_period;
    *p++ = 0;
    *p++ = 0;
    if (ap->rsn.enabled) {
        p = wifi_rsn_put_ie(p);
    }
    return p - buf;
}

/* Whether a probe request's SSID element asks for us (or any network) */
static bool wifi_ap_probe_matches(WifiAP *ap, const uint8_t *ies, size_t len)
{
    const uint8_t *e = wifi_ie_find(ies, len, IE_SSID);

    return e && (e[1] == 0 ||
                 (e[1] == strlen(ap->ssid) && !memcmp(e + 2, ap->ssid, e[1])));
}

static size_t wifi_ap_auth(WifiAP *ap, const uint8_t *sta,
                           const uint8_t *body, size_t len, uint8_t *reply)
{
    uint16_t alg = len >= 2 ? lduw_le_p(body) : 0xffff;
    uint16_t seq = len >= 4 ? lduw_le_p(body + 2) : 0;
    uint16_t status = alg == AUTH_OPEN_SYSTEM ? STATUS_SUCCESS
                                               : STATUS_UNSUPP_AUTH_ALG;
    uint8_t *p;

    if (seq != 1) {
        return 0;                       /* only the first frame gets a reply */
    }
    if (status == STATUS_SUCCESS) {
        ap->state = WIFI_AP_AUTHENTICATED;  /* whatever came before */
        memcpy(ap->sta.a, sta, 6);
        wifi_rsn_stop(ap);
    }
    trace_wifi_ap_auth(wifi_mac(sta), status);
    p = wifi_ap_mgmt_hdr(ap, reply, MGMT_AUTH, sta);
    stw_le_p(p, alg);
    stw_le_p(p + 2, 2);
    stw_le_p(p + 4, status);
    return p + 6 - reply;
}

static size_t wifi_ap_assoc(WifiAP *ap, const uint8_t *sta, bool reassoc,
                            const uint8_t *body, size_t len, uint8_t *reply)
{
    bool known = ap->state != WIFI_AP_IDLE && !memcmp(ap->sta.a, sta, 6);
    size_t fixed = reassoc ? REASSOC_REQ_FIXED : ASSOC_REQ_FIXED;
    uint16_t status = known ? STATUS_SUCCESS : STATUS_NOT_AUTHENTICATED;
    uint8_t *p;

    if (known) {
        /* a new association is a new handshake, whatever came before */
        wifi_rsn_stop(ap);
        status = wifi_rsn_assoc(ap, body + MIN(fixed, len),
                                len - MIN(fixed, len));
    }
    if (status == STATUS_SUCCESS) {
        ap->state = WIFI_AP_ASSOCIATED;
        wifi_rsn_start(ap);
    }
    trace_wifi_ap_assoc(wifi_mac(sta), status);
    p = wifi_ap_mgmt_hdr(ap, reply,
                         reassoc ? MGMT_REASSOC_RESP : MGMT_ASSOC_RESP, sta);
    stw_le_p(p, wifi_ap_capability(ap));
    stw_le_p(p + 2, status);
    stw_le_p(p + 4, status == STATUS_SUCCESS ? STA_AID | AID_FLAGS : 0);
    return wifi_ap_rates(ap, p + 6) - reply;
}

/* Deauthentication or disassociation of the station, sent to it */
static void wifi_ap_drop_sta(WifiAP *ap, uint8_t subtype, uint16_t reason)
{
    uint8_t frame[WIFI_HDR_LEN + 2], sta[6];

    if (ap->state == WIFI_AP_IDLE ||
        (subtype == MGMT_DISASSOC && ap->state != WIFI_AP_ASSOCIATED)) {
        return;
    }
    memcpy(sta, ap->sta.a, 6);
    trace_wifi_ap_deauth(wifi_mac(sta), subtype == MGMT_DISASSOC, reason);
    stw_le_p(wifi_ap_mgmt_hdr(ap, frame, subtype, sta), reason);
    if (subtype == MGMT_DEAUTH) {
        wifi_ap_reset(ap);
    } else {
        ap->state = WIFI_AP_AUTHENTICATED;
        wifi_rsn_stop(ap);
    }
    ap->to_sta(ap, frame, sizeof(frame), NULL, 0, 0);
}

void wifi_ap_deauth(WifiAP *ap, uint16_t reason)
{
    wifi_ap_drop_sta(ap, MGMT_DEAUTH, reason);
}

void wifi_ap_disassoc(WifiAP *ap, uint16_t reason)
{
    wifi_ap_drop_sta(ap, MGMT_DISASSOC, reason);
}

void wifi_ap_send_data(WifiAP *ap, uint16_t ethertype, const uint8_t *payload,
                       size_t len, bool protect)
{
    uint8_t frame[WIFI_FRAME_MAX];
    const uint8_t *key = NULL;
    uint8_t key_id = 0;
    uint64_t pn = 0;

    if (ap->state != WIFI_AP_ASSOCIATED ||
        len > sizeof(frame) - WIFI_HDR_LEN - WIFI_SNAP_LEN) {
        return;
    }
    memset(frame, 0, WIFI_HDR_LEN);
    frame[0] = FC_TYPE_DATA << 2;
    frame[1] = FC1_FROM_DS;
    memcpy(frame + 4, ap->sta.a, 6);            /* DA */
    memcpy(frame + 10, ap->bssid.a, 6);
    memcpy(frame + 16, ap->bssid.a, 6);         /* SA: the AP itself */
    stw_le_p(frame + 22, ap->seq++ << 4);
    memcpy(frame + WIFI_HDR_LEN, rfc1042_snap, 6);
    stw_be_p(frame + WIFI_HDR_LEN + 6, ethertype);
    memcpy(frame + WIFI_HDR_LEN + WIFI_SNAP_LEN, payload, len);
    if (protect) {
        frame[1] |= WIFI_FC1_PROTECTED;
        key = wifi_rsn_tx_key(ap, false, &key_id, &pn);
    }
    ap->to_sta(ap, frame, WIFI_HDR_LEN + WIFI_SNAP_LEN + len, key, key_id,
               pn);
}

size_t wifi_ap_mgmt_from_sta(WifiAP *ap, const uint8_t *frame, size_t len,
                             uint8_t *reply)
{
    const uint8_t *sta = frame + 10, *body = frame + WIFI_HDR_LEN;
    size_t blen = len - WIFI_HDR_LEN;
    bool to_us;

    if (len < WIFI_HDR_LEN || FC_TYPE(frame[0]) != FC_TYPE_MGMT ||
        !ap->enabled) {
        return 0;
    }
    to_us = !memcmp(frame + 4, ap->bssid.a, 6);
    switch (FC_SUBTYPE(frame[0])) {
    case MGMT_PROBE_REQ:
        if ((to_us || wifi_is_group(frame + 4)) &&
            wifi_ap_probe_matches(ap, body, blen)) {
            return wifi_ap_beacon(ap, sta, reply);
        }
        return 0;
    case MGMT_AUTH:
        return to_us ? wifi_ap_auth(ap, sta, body, blen, reply) : 0;
    case MGMT_ASSOC_REQ:
    case MGMT_REASSOC_REQ:
        return to_us ? wifi_ap_assoc(ap, sta, FC_SUBTYPE(frame[0]) ==
                                     MGMT_REASSOC_REQ, body, blen,
                                     reply) : 0;
    case MGMT_DEAUTH:
    case MGMT_DISASSOC:
        if (to_us && ap->state != WIFI_AP_IDLE &&
            !memcmp(ap->sta.a, sta, 6)) {
            trace_wifi_ap_leave(wifi_mac(sta), blen >= 2 ? lduw_le_p(body)
                                                          : 0);
            if (FC_SUBTYPE(frame[0]) == MGMT_DEAUTH) {
                wifi_ap_reset(ap);
            } else {
                ap->state = WIFI_AP_AUTHENTICATED;
                wifi_rsn_stop(ap);
            }
        }
        return 0;
    default:
        return 0;                       /* action frames and the like */
    }
}

int wifi_ap_data_to_eth(WifiAP *ap, uint8_t *frame, size_t len,
                        const uint8_t *key, size_t *eth_len)
{
    size_t hdr = WIFI_HDR_LEN;
    uint8_t da[6], sa[6];
    uint8_t *eth;
    bool protected;

    if (len < WIFI_HDR_LEN || FC_TYPE(frame[0]) != FC_TYPE_DATA) {
        return -1;
    }
    if (FC_SUBTYPE(frame[0]) & DATA_SUBTYPE_NODATA) {
        return -1;                      /* null data: power save signalling */
    }
    if ((frame[1] & (FC1_TO_DS | FC1_FROM_DS)) != FC1_TO_DS ||
        ap->state != WIFI_AP_ASSOCIATED || !ap->enabled ||
        memcmp(frame + 4, ap->bssid.a, 6) || memcmp(frame + 10, ap->sta.a, 6)) {
        trace_wifi_ap_drop("data frame not from the associated station");
        return -1;
    }
    /*
     * A Protected frame left the chip under the key installed there; the
     * AP can read it only if that is the PTK it negotiated
     */
    protected = frame[1] & WIFI_FC1_PROTECTED;
    if (protected && (!ap->rsn.enabled || !wifi_rsn_port_open(ap) || !key ||
                      memcmp(key, wifi_rsn_rx_key(ap), WIFI_TK_LEN))) {
        trace_wifi_ap_drop("protected frame the AP has no key for");
        return -1;
    }
    if (FC_SUBTYPE(frame[0]) & DATA_SUBTYPE_QOS) {
        hdr += 2;
    }
    if (len < hdr + WIFI_SNAP_LEN || memcmp(frame + hdr, rfc1042_snap, 6)) {
        trace_wifi_ap_drop("data frame without an LLC/SNAP header");
        return -1;
    }
    if (ap->rsn.enabled &&
        lduw_be_p(frame + hdr + 6) == WIFI_ETH_P_EAPOL) {
        wifi_rsn_eapol_from_sta(ap, frame + hdr + WIFI_SNAP_LEN,
                                len - hdr - WIFI_SNAP_LEN);
        return -1;
    }
    if (ap->rsn.enabled && !protected) {
        trace_wifi_ap_drop("unprotected data on a WPA2 network");
        return -1;
    }
    /* DA is address 3, SA address 2; the SNAP type becomes the Ethernet's */
    memcpy(da, frame + 16, 6);
    memcpy(sa, frame + 10, 6);
    eth = frame + hdr + WIFI_SNAP_LEN - WIFI_ETH_HDR_LEN;
    memcpy(eth, da, 6);
    memcpy(eth + 6, sa, 6);
    *eth_len = len - (eth - frame);
    return eth - frame;
}

size_t wifi_ap_eth_to_data(WifiAP *ap, const uint8_t *eth, size_t len,
                           uint8_t *frame, const uint8_t **key,
                           uint8_t *key_id, uint64_t *pn)
{
    *key = NULL;
    *key_id = 0;
    *pn = 0;
    if (len < WIFI_ETH_HDR_LEN || ap->state != WIFI_AP_ASSOCIATED ||
        !wifi_rsn_port_open(ap)) {
        return 0;
    }
    if (!wifi_is_group(eth) && memcmp(eth, ap->sta.a, 6)) {
        return 0;                       /* for someone else */
    }
    if (!memcmp(eth + 6, ap->sta.a, 6) || lduw_be_p(eth + 12) < 0x600) {
        return 0;                       /* our own, or 802.3 length frames */
    }
    memset(frame, 0, WIFI_HDR_LEN);
    frame[0] = FC_TYPE_DATA << 2;
    frame[1] = FC1_FROM_DS;
    memcpy(frame + 4, eth, 6);                  /* DA */
    memcpy(frame + 10, ap->bssid.a, 6);
    memcpy(frame + 16, eth + 6, 6);             /* SA */
    stw_le_p(frame + 22, ap->seq++ << 4);
    memcpy(frame + WIFI_HDR_LEN, rfc1042_snap, 6);
    memcpy(frame + WIFI_HDR_LEN + 6, eth + 12, len - 12);
    if (ap->rsn.enabled) {
        frame[1] |= WIFI_FC1_PROTECTED;
        *key = wifi_rsn_tx_key(ap, wifi_is_group(eth), key_id, pn);
    }
    return WIFI_HDR_LEN + 6 + len - 12;
}

static bool wifi_ap_off_needed(void *opaque)
{
    WifiAP *ap = opaque;

    return !ap->enabled;
}

static bool wifi_ap_signal_needed(void *opaque)
{
    WifiAP *ap = opaque;

    return ap->snr != ap->snr_at_start;
}

/* A subsection: the signal, once it was set at run time */
static const VMStateDescription vmstate_wifi_ap_signal = {
    .name = "wifi-ap/signal",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = wifi_ap_signal_needed,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(snr, WifiAP),
        VMSTATE_END_OF_LIST()
    },
};

/* A subsection: an AP on the air streams as before it could be off */
static const VMStateDescription vmstate_wifi_ap_off = {
    .name = "wifi-ap/off",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = wifi_ap_off_needed,
    .fields = (VMStateField[]) {
        VMSTATE_BOOL(enabled, WifiAP),
        VMSTATE_END_OF_LIST()
    },
};

/* An AP on the air beacons again; the phase of its beacons is not kept */
static int wifi_ap_post_load(void *opaque, int version_id)
{
    WifiAP *ap = opaque;

    ap->dtim_count %= ap->dtim_period;
    if (ap->snr > WIFI_SNR_MAX) {
        return -EINVAL;
    }
    if (ap->enabled) {
        wifi_ap_arm_beacon(ap);
    } else {
        timer_del(ap->beacon_timer);
    }
    return 0;
}

/* Before a load: on the air, unless the stream's subsection says not */
static int wifi_ap_pre_load(void *opaque)
{
    WifiAP *ap = opaque;

    ap->enabled = true;
    ap->snr = ap->snr_at_start;
    return 0;
}

static bool wifi_ap_rsn_needed(void *opaque)
{
    WifiAP *ap = opaque;

    return ap->rsn.enabled;
}

/* A subsection: an open network's stream is the same as before WPA2 */
static const VMStateDescription vmstate_wifi_ap_rsn = {
    .name = "wifi-ap/rsn",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = wifi_ap_rsn_needed,
    .fields = (VMStateField[]) {
        VMSTATE_STRUCT(rsn, WifiAP, 1, vmstate_wifi_rsn, WifiRsn),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_wifi_ap = {
    .name = "wifi-ap",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_load = wifi_ap_pre_load,
    .post_load = wifi_ap_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(state, WifiAP),
        VMSTATE_UINT8_ARRAY(sta.a, WifiAP, 6),
        VMSTATE_UINT16(seq, WifiAP),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * []) {
        &vmstate_wifi_ap_rsn,
        &vmstate_wifi_ap_off,
        &vmstate_wifi_ap_signal,
        NULL
    },
};

/* -- QOM: the run-time knobs of /machine/wifi/ap[N] ------------------------ */

static void wifi_ap_get_snr(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    visit_type_uint32(v, name, &WIFI_AP(obj)->snr, errp);
}

/* The signal changes from the next frame on, as the station moves */
static void wifi_ap_set_snr(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    WifiAP *ap = WIFI_AP(obj);
    uint32_t snr;

    if (!visit_type_uint32(v, name, &snr, errp)) {
        return;
    }
    if (snr > WIFI_SNR_MAX) {
        error_setg(errp, "snr %u dB is more than %u", snr, WIFI_SNR_MAX);
        return;
    }
    trace_wifi_ap_snr(wifi_mac(ap->bssid.a), snr);
    ap->snr = snr;
}

static bool wifi_ap_get_enabled(Object *obj, Error **errp)
{
    return WIFI_AP(obj)->enabled;
}

static void wifi_ap_set_enabled_prop(Object *obj, bool enabled, Error **errp)
{
    wifi_ap_set_enabled(WIFI_AP(obj), enabled);
}

static bool wifi_ap_get_associated(Object *obj, Error **errp)
{
    return WIFI_AP(obj)->state == WIFI_AP_ASSOCIATED;
}

static char *wifi_ap_get_bssid(Object *obj, Error **errp)
{
    const uint8_t *a = WIFI_AP(obj)->bssid.a;

    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                           a[0], a[1], a[2], a[3], a[4], a[5]);
}

static char *wifi_ap_get_ssid(Object *obj, Error **errp)
{
    return g_strdup(WIFI_AP(obj)->ssid);
}

static void wifi_ap_get_channel(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    visit_type_uint8(v, name, &WIFI_AP(obj)->channel, errp);
}

static void wifi_ap_get_handshakes(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    visit_type_uint64(v, name, &WIFI_AP(obj)->rsn.handshakes, errp);
}

static void wifi_ap_get_bad_mics(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    visit_type_uint64(v, name, &WIFI_AP(obj)->rsn.bad_mics, errp);
}

static void wifi_ap_set_rekey(Object *obj, Visitor *v, const char *name,
                              void *opaque, Error **errp)
{
    bool rekey;

    if (visit_type_bool(v, name, &rekey, errp) && rekey) {
        wifi_rsn_rekey(WIFI_AP(obj));
    }
}

/*
 * deauth, disassoc: the AP drops its station with that reason; @opaque
 * is how (wifi_ap_deauth or wifi_ap_disassoc)
 */
static void wifi_ap_set_drop(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    void (*drop)(WifiAP *ap, uint16_t reason) = opaque;
    uint16_t reason;

    if (visit_type_uint16(v, name, &reason, errp)) {
        drop(WIFI_AP(obj), reason);
    }
}

static void wifi_ap_class_init(ObjectClass *oc, void *data)
{
    ObjectProperty *op;

    object_class_property_add(oc, "snr", "uint32", wifi_ap_get_snr,
                              wifi_ap_set_snr, NULL, NULL);
    object_class_property_set_description(oc, "snr", "the AP's signal at "
        "the station, dB above the noise floor (-95 dBm), 0-90");
    object_class_property_add_bool(oc, "enabled", wifi_ap_get_enabled,
                                   wifi_ap_set_enabled_prop);
    object_class_property_set_description(oc, "enabled", "false: the AP "
        "is off the air and forgets its station");
    object_class_property_add_bool(oc, "associated", wifi_ap_get_associated,
                                   NULL);
    object_class_property_add_str(oc, "bssid", wifi_ap_get_bssid, NULL);
    object_class_property_add_str(oc, "ssid", wifi_ap_get_ssid, NULL);
    object_class_property_add(oc, "channel", "uint8", wifi_ap_get_channel,
                              NULL, NULL, NULL);
    op = object_class_property_add(oc, "deauth", "uint16", NULL,
                                   wifi_ap_set_drop, NULL, NULL);
    op->opaque = wifi_ap_deauth;
    object_class_property_set_description(oc, "deauth", "the AP "
        "deauthenticates its station with this reason code");
    op = object_class_property_add(oc, "disassoc", "uint16", NULL,
                                   wifi_ap_set_drop, NULL, NULL);
    op->opaque = wifi_ap_disassoc;
    object_class_property_set_description(oc, "disassoc", "the AP "
        "disassociates its station with this reason code");
    object_class_property_add(oc, "rekey", "bool", NULL, wifi_ap_set_rekey,
                              NULL, NULL);
    object_class_property_set_description(oc, "rekey", "true: the AP sends "
        "a new group key (the group key handshake)");
    /* WPA2 handshakes completed; messages 2-4 with a bad MIC */
    object_class_property_add(oc, "handshakes", "uint64",
                              wifi_ap_get_handshakes, NULL, NULL, NULL);
    object_class_property_add(oc, "bad-mics", "uint64", wifi_ap_get_bad_mics,
                              NULL, NULL, NULL);
}

static const TypeInfo wifi_ap_info = {
    .name = TYPE_WIFI_AP,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(WifiAP),
    .class_init = wifi_ap_class_init,
};

static void wifi_ap_register_types(void)
{
    type_register_static(&wifi_ap_info);
}

type_init(wifi_ap_register_types)
