/*
 * The station's side of WPA2-PSK for the lab's qtests: what
 * wpa_supplicant computes and sends in the 4-way and group key
 * handshakes, written again here over GLib's HMAC-SHA1 (not the model's
 * hw/net/wifi-crypto.c), so that a test can drive the simulated AP's
 * authenticator message by message and a fuzzer can reach every state.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef LAB_WPA2_H
#define LAB_WPA2_H

#define LAB_EAPOL_KEY_MIN       99      /* an EAPOL-Key frame without data */
#define LAB_EAPOL_OFF_INFO      5
#define LAB_EAPOL_OFF_REPLAY    9
#define LAB_EAPOL_OFF_NONCE     17
#define LAB_EAPOL_OFF_MIC       81
#define LAB_EAPOL_OFF_DATA_LEN  97
#define LAB_KEY_INFO_PAIRWISE   0x0008
#define LAB_KEY_INFO_INSTALL    0x0040
#define LAB_KEY_INFO_ACK        0x0080
#define LAB_KEY_INFO_MIC        0x0100
#define LAB_KEY_INFO_SECURE     0x0200
#define LAB_KEY_INFO_ENCRYPTED  0x1000
#define LAB_RSNE_LEN            22

/* The station's handshake state with one AP */
typedef struct LabWpa2Sta {
    uint8_t pmk[32];
    uint8_t aa[6], spa[6];              /* the AP's and our address */
    uint8_t anonce[32], snonce[32];
    uint8_t kck[16], kek[16], tk[16];
    uint64_t replay;                    /* the AP's last replay counter */
} LabWpa2Sta;

/* What a station that takes the AP's offer puts in its association */
extern const uint8_t lab_wpa2_rsne[LAB_RSNE_LEN];

/* The PMK of @psk on @ssid, the addresses; the SNonce fixed */
void lab_wpa2_init(LabWpa2Sta *sta, const char *psk, const char *ssid,
                   const uint8_t aa[6], const uint8_t spa[6]);

/*
 * An EAPOL-Key frame from the AP: its key info, and its replay counter
 * and ANonce (message 1: the PTK is derived) taken. Returns false if it
 * is not a well-formed AP message or its MIC is not the KCK's.
 */
bool lab_wpa2_from_ap(LabWpa2Sta *sta, const uint8_t *eapol, size_t len,
                      uint16_t *info);

/*
 * The station's answer to the AP's last message into @buf: message 2
 * (with our RSN element), 4 or group 2 by @info; the MIC by the KCK.
 * Returns its length.
 */
size_t lab_wpa2_answer(LabWpa2Sta *sta, uint16_t info, uint8_t *buf);

/* The EAPOL-Key MIC of @len bytes at @frame put in place */
void lab_wpa2_put_mic(const uint8_t kck[16], uint8_t *frame, size_t len);

#endif /* LAB_WPA2_H */
