/*
 * The simulated access point's RSN authenticator: WPA2-PSK with CCMP
 *
 * One station, one PSK, CCMP for both keys, HMAC-SHA1 MICs (key
 * descriptor version 2): the configuration hostapd has with
 * wpa=2 wpa_key_mgmt=WPA-PSK rsn_pairwise=CCMP. Retransmissions and the
 * give-up follow hostapd: a message is sent at most 4 times, one virtual
 * second apart, and then the station is deauthenticated (reason 15 in the
 * 4-way handshake, 16 in the group key handshake). A message 2 whose MIC
 * fails (the station has another passphrase) is ignored, as hostapd does,
 * so a wrong passphrase ends in that deauthentication.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/guest-random.h"
#include "qemu/log.h"
#include "migration/vmstate.h"
#include "hw/net/wifi-ap.h"
#include "trace.h"

/* EAPOL (802.1X-2004 11.3) and its Key frame (802.11-2016 12.7.2) */
#define EAPOL_HDR_LEN           4
#define EAPOL_TYPE_KEY          3
#define EAPOL_VERSION_AP        2       /* hostapd's eapol_version */
#define KEY_DESC_RSN            2
#define KEY_OFF_DESC            4
#define KEY_OFF_INFO            5
#define KEY_OFF_KEYLEN          7
#define KEY_OFF_REPLAY          9
#define KEY_OFF_NONCE           17
#define KEY_OFF_RSC             65
#define KEY_OFF_MIC             81
#define KEY_OFF_DATA_LEN        97
#define KEY_FRAME_MIN           99      /* with no key data */

#define KEY_INFO_VERSION_MASK   0x0007
#define KEY_INFO_VERSION_AES    2       /* HMAC-SHA1-128, AES key wrap */
#define KEY_INFO_PAIRWISE       0x0008
#define KEY_INFO_INSTALL        0x0040
#define KEY_INFO_ACK            0x0080
#define KEY_INFO_MIC            0x0100
#define KEY_INFO_SECURE         0x0200
#define KEY_INFO_ERROR          0x0400
#define KEY_INFO_REQUEST        0x0800
#define KEY_INFO_ENCRYPTED      0x1000

#define MSG1_INFO  (KEY_INFO_VERSION_AES | KEY_INFO_PAIRWISE | KEY_INFO_ACK)
#define MSG3_INFO  (MSG1_INFO | KEY_INFO_INSTALL | KEY_INFO_MIC | \
                    KEY_INFO_SECURE | KEY_INFO_ENCRYPTED)
#define GMSG1_INFO (KEY_INFO_VERSION_AES | KEY_INFO_ACK | KEY_INFO_MIC | \
                    KEY_INFO_SECURE | KEY_INFO_ENCRYPTED)

#define IE_RSN                  48
#define IE_VENDOR               0xdd
#define KDE_GTK_LEN             (2 + 4 + 2 + WIFI_GTK_LEN)
#define RSNE_LEN                (2 + 20)

#define RSN_SENDS_MAX           4       /* dot11RSNAConfigPairwiseUpdateCount */
#define RSN_RETRY_NS            NANOSECONDS_PER_SECOND
#define RSN_FIRST_NS            (5 * SCALE_MS)  /* after the assoc response */

#define REASON_PREV_AUTH_INVALID 2
#define REASON_4WAY_TIMEOUT     15
#define REASON_GROUP_TIMEOUT    16
#define STATUS_INVALID_IE       40
#define STATUS_INVALID_GROUP    41
#define STATUS_INVALID_PAIRWISE 42
#define STATUS_INVALID_AKMP     43
#define STATUS_UNSUPP_RSN_VER   44

/* RSN version 1, group CCMP, one pairwise CCMP, one AKM PSK, no caps */
static const uint8_t ap_rsne[RSNE_LEN] = {
    IE_RSN, 20, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04,
    0x01, 0x00, 0x00, 0x0f, 0xac, 0x04,
    0x01, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x00, 0x00,
};
static const uint8_t suite_ccmp[4] = { 0x00, 0x0f, 0xac, 0x04 };
static const uint8_t suite_psk[4] = { 0x00, 0x0f, 0xac, 0x02 };

uint8_t *wifi_rsn_put_ie(uint8_t *p)
{
    memcpy(p, ap_rsne, sizeof(ap_rsne));
    return p + sizeof(ap_rsne);
}

static void wifi_rsn_arm(WifiRsn *rsn, int64_t delay_ns)
{
    timer_mod(rsn->timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + delay_ns);
}

/* The station must use what we offer: CCMP both ways, PSK */
uint16_t wifi_rsn_assoc(WifiAP *ap, const uint8_t *ies, size_t len)
{
    WifiRsn *rsn = &ap->rsn;
    const uint8_t *e, *v;
    size_t elen;

    if (!rsn->enabled) {
        return 0;
    }
    e = wifi_ie_find(ies, len, IE_RSN);
    elen = e ? 2 + e[1] : 0;
    if (!e || elen > WIFI_RSNE_MAX || elen < 2 + 2 + 4 + 2 + 4 + 2 + 4) {
        return STATUS_INVALID_IE;
    }
    v = e + 2;
    if (lduw_le_p(v) != 1) {
        return STATUS_UNSUPP_RSN_VER;
    }
    if (memcmp(v + 2, suite_ccmp, 4)) {
        return STATUS_INVALID_GROUP;
    }
    /* one pairwise suite, one AKM: what a station that chose ours sends */
    if (lduw_le_p(v + 6) != 1 || memcmp(v + 8, suite_ccmp, 4)) {
        return STATUS_INVALID_PAIRWISE;
    }
    if (lduw_le_p(v + 12) != 1 || memcmp(v + 14, suite_psk, 4)) {
        return STATUS_INVALID_AKMP;
    }
    memcpy(rsn->sta_rsne, e, elen);
    rsn->sta_rsne_len = elen;
    return 0;
}

/*
 * An EAPOL-Key frame from the AP in @buf: the next replay counter, the
 * MIC over the whole frame if @info asks for one. Returns its length.
 */
static size_t wifi_rsn_key_frame(WifiRsn *rsn, uint8_t *buf, uint16_t info,
                                 uint16_t key_len, const uint8_t *nonce,
                                 uint64_t rsc, const uint8_t *key_data,
                                 size_t key_data_len)
{
    size_t len = KEY_FRAME_MIN + key_data_len;

    memset(buf, 0, KEY_FRAME_MIN);
    buf[0] = EAPOL_VERSION_AP;
    buf[1] = EAPOL_TYPE_KEY;
    stw_be_p(buf + 2, len - EAPOL_HDR_LEN);
    buf[KEY_OFF_DESC] = KEY_DESC_RSN;
    stw_be_p(buf + KEY_OFF_INFO, info);
    stw_be_p(buf + KEY_OFF_KEYLEN, key_len);
    stq_be_p(buf + KEY_OFF_REPLAY, ++rsn->replay);
    if (nonce) {
        memcpy(buf + KEY_OFF_NONCE, nonce, WIFI_NONCE_LEN);
    }
    stq_le_p(buf + KEY_OFF_RSC, rsc);   /* the PN, its octet 0 first */
    stw_be_p(buf + KEY_OFF_DATA_LEN, key_data_len);
    if (key_data_len) {
        memcpy(buf + KEY_FRAME_MIN, key_data, key_data_len);  /* not NULL */
    }
    if ((info & KEY_INFO_MIC) &&
        !wifi_eapol_mic(rsn->ptk.kck, buf, len, buf + KEY_OFF_MIC)) {
        return 0;
    }
    return len;
}

/* The GTK KDE (12.7.2, Figure 12-35) at @p: returns the end */
static uint8_t *wifi_rsn_put_gtk_kde(WifiRsn *rsn, uint8_t *p)
{
    *p++ = IE_VENDOR;
    *p++ = KDE_GTK_LEN - 2;
    *p++ = 0x00;
    *p++ = 0x0f;
    *p++ = 0xac;
    *p++ = 0x01;                        /* GTK KDE */
    *p++ = rsn->gtk_id;                 /* Tx clear: pairwise keys in use */
    *p++ = 0;
    memcpy(p, rsn->gtk, WIFI_GTK_LEN);
    return p + WIFI_GTK_LEN;
}

/*
 * Key data wrapped under the KEK, padded first (0xdd, then zeros) to at
 * least 16 bytes and a multiple of 8. Returns the wrapped length.
 */
static size_t wifi_rsn_wrap(WifiRsn *rsn, uint8_t *plain, size_t len,
                            uint8_t *out)
{
    if (len < 16 || len % 8) {
        plain[len++] = IE_VENDOR;
        while (len < 16 || len % 8) {
            plain[len++] = 0;
        }
    }
    return wifi_aes_key_wrap(rsn->ptk.kek, plain, len, out) ? len + 8 : 0;
}

/* (Re)send the handshake's current message, with a new replay counter */
static void wifi_rsn_send(WifiAP *ap)
{
    WifiRsn *rsn = &ap->rsn;
    uint8_t plain[RSNE_LEN + KDE_GTK_LEN + 16], wrapped[sizeof(plain) + 8];
    uint8_t frame[KEY_FRAME_MIN + sizeof(wrapped)];
    size_t len = 0, wrapped_len;

    switch (rsn->state) {
    case WIFI_RSN_PTKSTART:
        len = wifi_rsn_key_frame(rsn, frame, MSG1_INFO, WIFI_TK_LEN,
                                 rsn->anonce, 0, NULL, 0);
        break;
    case WIFI_RSN_PTKNEGOTIATING:
        wifi_rsn_put_gtk_kde(rsn, wifi_rsn_put_ie(plain));
        wrapped_len = wifi_rsn_wrap(rsn, plain, RSNE_LEN + KDE_GTK_LEN,
                                    wrapped);
        len = wrapped_len ? wifi_rsn_key_frame(rsn, frame, MSG3_INFO,
                                               WIFI_TK_LEN, rsn->anonce,
                                               rsn->group_pn, wrapped,
                                               wrapped_len) : 0;
        break;
    case WIFI_RSN_REKEYING:
        wifi_rsn_put_gtk_kde(rsn, plain);
        wrapped_len = wifi_rsn_wrap(rsn, plain, KDE_GTK_LEN, wrapped);
        len = wrapped_len ? wifi_rsn_key_frame(rsn, frame, GMSG1_INFO, 0,
                                               NULL, rsn->group_pn, wrapped,
                                               wrapped_len) : 0;
        break;
    default:
        return;
    }
    rsn->sends++;
    wifi_rsn_arm(rsn, RSN_RETRY_NS);
    if (!len) {
        qemu_log_mask(LOG_UNIMP, "wifi-ap: no HMAC-SHA1 or AES for an "
                      "EAPOL-Key frame\n");
        return;
    }
    trace_wifi_rsn_send(rsn->state, rsn->sends, rsn->replay);
    /* the group key handshake runs under the pairwise key */
    wifi_ap_send_data(ap, WIFI_ETH_P_EAPOL, frame, len,
                      rsn->state == WIFI_RSN_REKEYING);
}

/* Start sending a message: its first replay counter is the next one */
static void wifi_rsn_next_message(WifiAP *ap, uint32_t state)
{
    WifiRsn *rsn = &ap->rsn;

    rsn->state = state;
    rsn->sends = 0;
    rsn->replay_first = rsn->replay + 1;
}

static void wifi_rsn_timeout(void *opaque)
{
    WifiAP *ap = opaque;
    WifiRsn *rsn = &ap->rsn;

    if (rsn->state != WIFI_RSN_PTKSTART &&
        rsn->state != WIFI_RSN_PTKNEGOTIATING &&
        rsn->state != WIFI_RSN_REKEYING) {
        return;
    }
    if (rsn->sends >= RSN_SENDS_MAX) {
        /* hostapd: "PTKSTART: Retry limit 4 reached", then deauth */
        trace_wifi_rsn_give_up(rsn->state);
        wifi_ap_deauth(ap, rsn->state == WIFI_RSN_REKEYING ?
                       REASON_GROUP_TIMEOUT : REASON_4WAY_TIMEOUT);
        return;
    }
    wifi_rsn_send(ap);
}

void wifi_rsn_start(WifiAP *ap)
{
    WifiRsn *rsn = &ap->rsn;

    if (!rsn->enabled) {
        return;
    }
    qemu_guest_getrandom_nofail(rsn->anonce, sizeof(rsn->anonce));
    memset(&rsn->ptk, 0, sizeof(rsn->ptk));
    rsn->tx_pn = 0;
    wifi_rsn_next_message(ap, WIFI_RSN_PTKSTART);
    wifi_rsn_arm(rsn, RSN_FIRST_NS);
}

void wifi_rsn_stop(WifiAP *ap)
{
    WifiRsn *rsn = &ap->rsn;

    if (rsn->timer) {
        timer_del(rsn->timer);
    }
    rsn->state = WIFI_RSN_IDLE;
    rsn->sta_rsne_len = 0;
    memset(&rsn->ptk, 0, sizeof(rsn->ptk));
}

bool wifi_rsn_port_open(WifiAP *ap)
{
    return !ap->rsn.enabled || ap->rsn.state == WIFI_RSN_DONE ||
           ap->rsn.state == WIFI_RSN_REKEYING;
}

void wifi_rsn_rekey(WifiAP *ap)
{
    WifiRsn *rsn = &ap->rsn;

    if (!rsn->enabled || rsn->state != WIFI_RSN_DONE) {
        return;
    }
    qemu_guest_getrandom_nofail(rsn->gtk, sizeof(rsn->gtk));
    rsn->gtk_id = rsn->gtk_id == 1 ? 2 : 1;
    rsn->group_pn = 0;
    wifi_rsn_next_message(ap, WIFI_RSN_REKEYING);
    wifi_rsn_send(ap);
}

const uint8_t *wifi_rsn_tx_key(WifiAP *ap, bool group, uint8_t *key_id,
                               uint64_t *pn)
{
    WifiRsn *rsn = &ap->rsn;

    if (group) {
        *key_id = rsn->gtk_id;
        *pn = ++rsn->group_pn;
        return rsn->gtk;
    }
    *key_id = 0;
    *pn = ++rsn->tx_pn;
    return rsn->ptk.tk;
}

const uint8_t *wifi_rsn_rx_key(WifiAP *ap)
{
    return ap->rsn.ptk.tk;
}

/* Whether @frame's MIC is the one @kck gives */
static bool wifi_rsn_mic_ok(const uint8_t *kck, const uint8_t *frame,
                            size_t len)
{
    uint8_t copy[WIFI_FRAME_MAX], mic[WIFI_MIC_LEN];

    assert(len <= sizeof(copy));
    memcpy(copy, frame, len);
    memset(copy + KEY_OFF_MIC, 0, WIFI_MIC_LEN);
    return wifi_eapol_mic(kck, copy, len, mic) &&
           !memcmp(mic, frame + KEY_OFF_MIC, WIFI_MIC_LEN);
}

/* Message 2: the SNonce gives the PTK, and the PTK must give its MIC */
static void wifi_rsn_msg2(WifiAP *ap, const uint8_t *key, size_t len,
                          const uint8_t *key_data, size_t key_data_len)
{
    WifiRsn *rsn = &ap->rsn;
    WifiPtk ptk;

    if (!wifi_pmk_to_ptk(rsn->pmk, ap->bssid.a, ap->sta.a, rsn->anonce,
                         key + KEY_OFF_NONCE, &ptk)) {
        return;
    }
    if (!wifi_rsn_mic_ok(ptk.kck, key, len)) {
        /* another passphrase; hostapd ignores the frame as well */
        rsn->bad_mics++;
        trace_wifi_rsn_drop("invalid MIC in msg 2/4 of 4-Way Handshake");
        return;
    }
    if (key_data_len != rsn->sta_rsne_len ||
        memcmp(key_data, rsn->sta_rsne, key_data_len)) {
        trace_wifi_rsn_drop("RSN IE in msg 2/4 differs from the "
                            "association request's");
        wifi_ap_deauth(ap, REASON_PREV_AUTH_INVALID);
        return;
    }
    rsn->ptk = ptk;
    wifi_rsn_next_message(ap, WIFI_RSN_PTKNEGOTIATING);
    wifi_rsn_send(ap);
}

void wifi_rsn_eapol_from_sta(WifiAP *ap, const uint8_t *eapol, size_t len)
{
    WifiRsn *rsn = &ap->rsn;
    size_t key_data_len;
    uint16_t info;
    uint64_t replay;

    if (!rsn->enabled) {
        trace_wifi_rsn_drop("EAPOL on an open network");
        return;
    }
    if (len < KEY_FRAME_MIN || eapol[1] != EAPOL_TYPE_KEY ||
        eapol[KEY_OFF_DESC] != KEY_DESC_RSN) {
        trace_wifi_rsn_drop("not an RSN EAPOL-Key frame");
        return;
    }
    /* what follows the EAPOL body (padding) is not covered by the MIC */
    if (EAPOL_HDR_LEN + lduw_be_p(eapol + 2) > len ||
        EAPOL_HDR_LEN + lduw_be_p(eapol + 2) < KEY_FRAME_MIN) {
        trace_wifi_rsn_drop("EAPOL body length outside the frame");
        return;
    }
    len = EAPOL_HDR_LEN + lduw_be_p(eapol + 2);
    key_data_len = lduw_be_p(eapol + KEY_OFF_DATA_LEN);
    if (KEY_FRAME_MIN + key_data_len > len) {
        trace_wifi_rsn_drop("key data length outside the frame");
        return;
    }
    info = lduw_be_p(eapol + KEY_OFF_INFO);
    replay = ldq_be_p(eapol + KEY_OFF_REPLAY);
    if ((info & KEY_INFO_VERSION_MASK) != KEY_INFO_VERSION_AES ||
        !(info & KEY_INFO_MIC) || info & (KEY_INFO_ACK | KEY_INFO_REQUEST)) {
        trace_wifi_rsn_drop("EAPOL-Key info not a station's answer");
        return;
    }
    if (replay < rsn->replay_first || replay > rsn->replay) {
        trace_wifi_rsn_drop("replay counter not of the message in flight");
        return;
    }
    trace_wifi_rsn_receive(rsn->state, info, replay);
    switch (rsn->state) {
    case WIFI_RSN_PTKSTART:
        if ((info & (KEY_INFO_PAIRWISE | KEY_INFO_SECURE)) !=
            KEY_INFO_PAIRWISE) {
            break;
        }
        wifi_rsn_msg2(ap, eapol, len, eapol + KEY_FRAME_MIN, key_data_len);
        return;
    case WIFI_RSN_PTKNEGOTIATING:
    case WIFI_RSN_REKEYING:
        if (!(info & KEY_INFO_SECURE) ||
            !(info & KEY_INFO_PAIRWISE) !=
            (rsn->state == WIFI_RSN_REKEYING)) {
            break;
        }
        if (!wifi_rsn_mic_ok(rsn->ptk.kck, eapol, len)) {
            rsn->bad_mics++;
            trace_wifi_rsn_drop("invalid MIC in msg 4/4 or group msg 2/2");
            return;
        }
        timer_del(rsn->timer);
        if (rsn->state == WIFI_RSN_PTKNEGOTIATING) {
            rsn->handshakes++;
        }
        trace_wifi_rsn_done(wifi_mac(ap->sta.a),
                            rsn->state == WIFI_RSN_REKEYING);
        rsn->state = WIFI_RSN_DONE;
        return;
    default:
        break;
    }
    trace_wifi_rsn_drop("EAPOL-Key frame out of order");
}

void wifi_rsn_init(WifiAP *ap)
{
    ap->rsn.timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, wifi_rsn_timeout, ap);
}

bool wifi_rsn_realize(WifiAP *ap, const char *passphrase, Error **errp)
{
    WifiRsn *rsn = &ap->rsn;
    size_t len = passphrase ? strlen(passphrase) : 0;
    size_t i;

    rsn->enabled = len > 0;
    if (!rsn->enabled) {
        return true;
    }
    if (len < 8 || len > 63) {
        error_setg(errp, "ap-psk must have 8 to 63 characters, not %zu", len);
        return false;
    }
    for (i = 0; i < len; i++) {
        if (passphrase[i] < 32 || passphrase[i] > 126) {
            error_setg(errp, "ap-psk must be printable ASCII");
            return false;
        }
    }
    if (!wifi_psk_to_pmk(passphrase, ap->ssid, rsn->pmk)) {
        error_setg(errp, "ap-psk: no HMAC-SHA1 in this QEMU's crypto");
        return false;
    }
    /* the first GTK: a random key, key ID 1 as hostapd's first */
    qemu_guest_getrandom_nofail(rsn->gtk, sizeof(rsn->gtk));
    rsn->gtk_id = 1;
    return true;
}

void wifi_rsn_finalize(WifiAP *ap)
{
    timer_free(ap->rsn.timer);
    ap->rsn.timer = NULL;
}

static int wifi_rsn_post_load(void *opaque, int version_id)
{
    WifiRsn *rsn = opaque;

    if (rsn->state > WIFI_RSN_REKEYING || rsn->sta_rsne_len > WIFI_RSNE_MAX ||
        rsn->sends > RSN_SENDS_MAX || (rsn->gtk_id != 1 && rsn->gtk_id != 2) ||
        rsn->replay_first > rsn->replay + 1) {
        return -EINVAL;
    }
    return 0;
}

const VMStateDescription vmstate_wifi_rsn = {
    .name = "wifi-rsn",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = wifi_rsn_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(state, WifiRsn),
        VMSTATE_UINT8_ARRAY(sta_rsne, WifiRsn, WIFI_RSNE_MAX),
        VMSTATE_UINT8(sta_rsne_len, WifiRsn),
        VMSTATE_UINT8_ARRAY(anonce, WifiRsn, WIFI_NONCE_LEN),
        VMSTATE_UINT8_ARRAY(ptk.kck, WifiRsn, WIFI_KCK_LEN),
        VMSTATE_UINT8_ARRAY(ptk.kek, WifiRsn, WIFI_KEK_LEN),
        VMSTATE_UINT8_ARRAY(ptk.tk, WifiRsn, WIFI_TK_LEN),
        VMSTATE_UINT8_ARRAY(gtk, WifiRsn, WIFI_GTK_LEN),
        VMSTATE_UINT8(gtk_id, WifiRsn),
        VMSTATE_UINT64(replay, WifiRsn),
        VMSTATE_UINT64(replay_first, WifiRsn),
        VMSTATE_UINT32(sends, WifiRsn),
        VMSTATE_UINT64(tx_pn, WifiRsn),
        VMSTATE_UINT64(group_pn, WifiRsn),
        VMSTATE_TIMER_PTR(timer, WifiRsn),
        VMSTATE_END_OF_LIST()
    },
};
