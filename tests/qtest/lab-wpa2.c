/*
 * The station's side of WPA2-PSK for the lab's qtests (lab-wpa2.h)
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "lab-wpa2.h"

const uint8_t lab_wpa2_rsne[LAB_RSNE_LEN] = {
    48, 20, 0x01, 0x00, 0x00, 0x0f, 0xac, 0x04,
    0x01, 0x00, 0x00, 0x0f, 0xac, 0x04,
    0x01, 0x00, 0x00, 0x0f, 0xac, 0x02, 0x00, 0x00,
};

static void hmac_sha1(const uint8_t *key, size_t key_len,
                      const uint8_t *a, size_t a_len,
                      const uint8_t *b, size_t b_len, uint8_t out[20])
{
    GHmac *hmac = g_hmac_new(G_CHECKSUM_SHA1, key, key_len);
    gsize len = 20;

    g_hmac_update(hmac, a, a_len);
    if (b_len) {
        g_hmac_update(hmac, b, b_len);
    }
    g_hmac_get_digest(hmac, out, &len);
    g_hmac_unref(hmac);
}

/* PBKDF2-HMAC-SHA1, 4096 rounds, 32 bytes (IEEE 802.11 J.4) */
static void psk_to_pmk(const char *psk, const char *ssid, uint8_t pmk[32])
{
    uint8_t u[20], t[20], count[4];
    unsigned block, round, i;

    for (block = 1; block <= 2; block++) {
        stl_be_p(count, block);
        hmac_sha1((const uint8_t *)psk, strlen(psk), (const uint8_t *)ssid,
                  strlen(ssid), count, 4, u);
        memcpy(t, u, 20);
        for (round = 1; round < 4096; round++) {
            hmac_sha1((const uint8_t *)psk, strlen(psk), u, 20, NULL, 0, u);
            for (i = 0; i < 20; i++) {
                t[i] ^= u[i];
            }
        }
        memcpy(pmk + (block - 1) * 20, t, block == 1 ? 20 : 12);
    }
}

/* The PTK: PRF-384 over the sorted addresses and nonces (12.7.1.3) */
static void derive_ptk(LabWpa2Sta *sta)
{
    static const char label[] = "Pairwise key expansion";
    uint8_t data[sizeof(label) + 76 + 1], out[60];
    bool aa_low = memcmp(sta->aa, sta->spa, 6) < 0;
    bool an_low = memcmp(sta->anonce, sta->snonce, 32) < 0;
    uint8_t *p = data + sizeof(label);
    int i;

    memcpy(data, label, sizeof(label));     /* with its 0 byte */
    memcpy(p, aa_low ? sta->aa : sta->spa, 6);
    memcpy(p + 6, aa_low ? sta->spa : sta->aa, 6);
    memcpy(p + 12, an_low ? sta->anonce : sta->snonce, 32);
    memcpy(p + 44, an_low ? sta->snonce : sta->anonce, 32);
    for (i = 0; i < 3; i++) {
        data[sizeof(data) - 1] = i;
        hmac_sha1(sta->pmk, 32, data, sizeof(data), NULL, 0, out + 20 * i);
    }
    memcpy(sta->kck, out, 16);
    memcpy(sta->kek, out + 16, 16);
    memcpy(sta->tk, out + 32, 16);
}

void lab_wpa2_init(LabWpa2Sta *sta, const char *psk, const char *ssid,
                   const uint8_t aa[6], const uint8_t spa[6])
{
    int i;

    memset(sta, 0, sizeof(*sta));
    psk_to_pmk(psk, ssid, sta->pmk);
    memcpy(sta->aa, aa, 6);
    memcpy(sta->spa, spa, 6);
    for (i = 0; i < 32; i++) {
        sta->snonce[i] = 0xc0 + i;
    }
}

void lab_wpa2_put_mic(const uint8_t kck[16], uint8_t *frame, size_t len)
{
    uint8_t mic[20];

    memset(frame + LAB_EAPOL_OFF_MIC, 0, 16);
    hmac_sha1(kck, 16, frame, len, NULL, 0, mic);
    memcpy(frame + LAB_EAPOL_OFF_MIC, mic, 16);
}

bool lab_wpa2_from_ap(LabWpa2Sta *sta, const uint8_t *eapol, size_t len,
                      uint16_t *info)
{
    uint8_t copy[2048];

    if (len < LAB_EAPOL_KEY_MIN || len > sizeof(copy) || eapol[1] != 3 ||
        eapol[4] != 2 || 4 + lduw_be_p(eapol + 2) != len ||
        LAB_EAPOL_KEY_MIN + lduw_be_p(eapol + LAB_EAPOL_OFF_DATA_LEN) != len) {
        return false;
    }
    *info = lduw_be_p(eapol + LAB_EAPOL_OFF_INFO);
    if (!(*info & LAB_KEY_INFO_ACK)) {
        return false;
    }
    if (*info & LAB_KEY_INFO_MIC) {
        memcpy(copy, eapol, len);
        lab_wpa2_put_mic(sta->kck, copy, len);
        if (memcmp(copy + LAB_EAPOL_OFF_MIC, eapol + LAB_EAPOL_OFF_MIC, 16)) {
            return false;
        }
    } else {
        memcpy(sta->anonce, eapol + LAB_EAPOL_OFF_NONCE, 32);
        derive_ptk(sta);
    }
    sta->replay = ldq_be_p(eapol + LAB_EAPOL_OFF_REPLAY);
    return true;
}

size_t lab_wpa2_answer(LabWpa2Sta *sta, uint16_t info, uint8_t *buf)
{
    bool msg2 = !(info & LAB_KEY_INFO_MIC);
    bool pairwise = info & LAB_KEY_INFO_PAIRWISE;
    size_t data_len = msg2 ? LAB_RSNE_LEN : 0;
    size_t len = LAB_EAPOL_KEY_MIN + data_len;
    uint16_t answer = 2 | LAB_KEY_INFO_MIC | (pairwise ? LAB_KEY_INFO_PAIRWISE
                                                       : 0) |
                      (msg2 ? 0 : LAB_KEY_INFO_SECURE);

    memset(buf, 0, len);
    buf[0] = 1;                             /* wpa_supplicant's version */
    buf[1] = 3;
    stw_be_p(buf + 2, len - 4);
    buf[4] = 2;
    stw_be_p(buf + LAB_EAPOL_OFF_INFO, answer);
    stq_be_p(buf + LAB_EAPOL_OFF_REPLAY, sta->replay);
    if (msg2) {
        memcpy(buf + LAB_EAPOL_OFF_NONCE, sta->snonce, 32);
        memcpy(buf + LAB_EAPOL_KEY_MIN, lab_wpa2_rsne, LAB_RSNE_LEN);
    }
    stw_be_p(buf + LAB_EAPOL_OFF_DATA_LEN, data_len);
    lab_wpa2_put_mic(sta->kck, buf, len);
    return len;
}
