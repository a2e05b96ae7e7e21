/*
 * The 802.11 RSN key hierarchy for the simulated access point
 *
 * PSK to PMK (PBKDF2-HMAC-SHA1), PMK to PTK (the SHA-1 PRF), the
 * EAPOL-Key MIC (HMAC-SHA1-128) and AES key wrap (RFC 3394): what a
 * WPA2-PSK authenticator with CCMP computes (IEEE 802.11-2016 12.7.1).
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_NET_WIFI_CRYPTO_H
#define HW_NET_WIFI_CRYPTO_H

#define WIFI_PMK_LEN            32
#define WIFI_NONCE_LEN          32
#define WIFI_KCK_LEN            16
#define WIFI_KEK_LEN            16
#define WIFI_TK_LEN             16      /* CCMP-128 */
#define WIFI_MIC_LEN            16

/* The pairwise transient key of CCMP with HMAC-SHA1 MICs: 48 bytes */
typedef struct WifiPtk {
    uint8_t kck[WIFI_KCK_LEN];          /* EAPOL-Key MICs */
    uint8_t kek[WIFI_KEK_LEN];          /* wraps the GTK */
    uint8_t tk[WIFI_TK_LEN];            /* the data frames' key */
} WifiPtk;

/* PMK = PBKDF2-HMAC-SHA1(@pass, @ssid, 4096 rounds, 32 bytes) */
bool wifi_psk_to_pmk(const char *pass, const char *ssid,
                     uint8_t pmk[WIFI_PMK_LEN]);

/*
 * The PRF of 12.7.1.2: HMAC-SHA1(@key, @label || 0 || @data || i),
 * i = 0, 1, ..., the first @out_len bytes of the concatenation
 */
bool wifi_prf_sha1(const uint8_t *key, size_t key_len, const char *label,
                   const uint8_t *data, size_t data_len,
                   uint8_t *out, size_t out_len);

/*
 * PTK = PRF-384(PMK, "Pairwise key expansion", Min(AA, SPA) ||
 * Max(AA, SPA) || Min(ANonce, SNonce) || Max(ANonce, SNonce))
 */
bool wifi_pmk_to_ptk(const uint8_t pmk[WIFI_PMK_LEN], const uint8_t aa[6],
                     const uint8_t spa[6],
                     const uint8_t anonce[WIFI_NONCE_LEN],
                     const uint8_t snonce[WIFI_NONCE_LEN], WifiPtk *ptk);

/* The first 16 bytes of HMAC-SHA1(@kck, @frame): the EAPOL-Key MIC */
bool wifi_eapol_mic(const uint8_t kck[WIFI_KCK_LEN], const uint8_t *frame,
                    size_t len, uint8_t mic[WIFI_MIC_LEN]);

/*
 * RFC 3394 key wrap of @len bytes (a multiple of 8, at least 16) of
 * @plain under @kek into @out, which gets @len + 8 bytes
 */
bool wifi_aes_key_wrap(const uint8_t kek[WIFI_KEK_LEN], const uint8_t *plain,
                       size_t len, uint8_t *out);

#endif /* HW_NET_WIFI_CRYPTO_H */
