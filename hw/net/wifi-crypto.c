/*
 * The 802.11 RSN key hierarchy for the simulated access point
 *
 * Built on QEMU's crypto API. The lab's QEMU has no crypto library
 * linked in: HMAC comes from GLib and AES from QEMU's builtin cipher,
 * but qcrypto_pbkdf2() is the stub that fails, so PBKDF2 (RFC 8018 5.2)
 * is written out here over qcrypto_hmac. The GLib HMAC objects take one
 * digest each, so every digest gets a new one.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "crypto/cipher.h"
#include "crypto/hmac.h"
#include "qapi/error.h"
#include "hw/net/wifi-crypto.h"

#define SHA1_LEN                20
#define PBKDF2_ROUNDS           4096

/* HMAC-SHA1 over the concatenation of @iov: 20 bytes in @out */
static bool wifi_hmac_sha1(const uint8_t *key, size_t key_len,
                           const struct iovec *iov, size_t niov,
                           uint8_t out[SHA1_LEN])
{
    g_autoptr(QCryptoHmac) hmac = NULL;
    uint8_t *digest = out;
    size_t digest_len = SHA1_LEN;

    hmac = qcrypto_hmac_new(QCRYPTO_HASH_ALG_SHA1, key, key_len, NULL);
    return hmac &&
           qcrypto_hmac_bytesv(hmac, iov, niov, &digest, &digest_len,
                               NULL) == 0 &&
           digest_len == SHA1_LEN;
}

bool wifi_psk_to_pmk(const char *pass, const char *ssid,
                     uint8_t pmk[WIFI_PMK_LEN])
{
    size_t pass_len = strlen(pass);
    uint8_t u[SHA1_LEN], t[SHA1_LEN], count[4];
    unsigned block, round, i;

    for (block = 1; (block - 1) * SHA1_LEN < WIFI_PMK_LEN; block++) {
        struct iovec first[2] = {
            { .iov_base = (void *)ssid, .iov_len = strlen(ssid) },
            { .iov_base = count, .iov_len = sizeof(count) },
        };
        struct iovec next = { .iov_base = u, .iov_len = SHA1_LEN };

        stl_be_p(count, block);
        /* U1 = PRF(P, S || INT(i)); Uj = PRF(P, Uj-1); T = U1 ^ ... */
        if (!wifi_hmac_sha1((const uint8_t *)pass, pass_len, first, 2, u)) {
            return false;
        }
        memcpy(t, u, SHA1_LEN);
        for (round = 1; round < PBKDF2_ROUNDS; round++) {
            if (!wifi_hmac_sha1((const uint8_t *)pass, pass_len, &next, 1,
                                u)) {
                return false;
            }
            for (i = 0; i < SHA1_LEN; i++) {
                t[i] ^= u[i];
            }
        }
        memcpy(pmk + (block - 1) * SHA1_LEN, t,
               MIN(SHA1_LEN, WIFI_PMK_LEN - (block - 1) * SHA1_LEN));
    }
    return true;
}

bool wifi_prf_sha1(const uint8_t *key, size_t key_len, const char *label,
                   const uint8_t *data, size_t data_len,
                   uint8_t *out, size_t out_len)
{
    uint8_t zero = 0, i = 0, digest[SHA1_LEN];
    size_t done = 0;

    while (done < out_len) {
        struct iovec iov[4] = {
            { .iov_base = (void *)label, .iov_len = strlen(label) },
            { .iov_base = &zero, .iov_len = 1 },
            { .iov_base = (void *)data, .iov_len = data_len },
            { .iov_base = &i, .iov_len = 1 },
        };

        if (!wifi_hmac_sha1(key, key_len, iov, 4, digest)) {
            return false;
        }
        memcpy(out + done, digest, MIN(SHA1_LEN, out_len - done));
        done += MIN(SHA1_LEN, out_len - done);
        i++;
    }
    return true;
}

bool wifi_pmk_to_ptk(const uint8_t pmk[WIFI_PMK_LEN], const uint8_t aa[6],
                     const uint8_t spa[6],
                     const uint8_t anonce[WIFI_NONCE_LEN],
                     const uint8_t snonce[WIFI_NONCE_LEN], WifiPtk *ptk)
{
    uint8_t data[2 * 6 + 2 * WIFI_NONCE_LEN], key[sizeof(WifiPtk)];
    bool aa_first = memcmp(aa, spa, 6) < 0;
    bool anonce_first = memcmp(anonce, snonce, WIFI_NONCE_LEN) < 0;

    memcpy(data, aa_first ? aa : spa, 6);
    memcpy(data + 6, aa_first ? spa : aa, 6);
    memcpy(data + 12, anonce_first ? anonce : snonce, WIFI_NONCE_LEN);
    memcpy(data + 12 + WIFI_NONCE_LEN, anonce_first ? snonce : anonce,
           WIFI_NONCE_LEN);
    if (!wifi_prf_sha1(pmk, WIFI_PMK_LEN, "Pairwise key expansion",
                       data, sizeof(data), key, sizeof(key))) {
        return false;
    }
    memcpy(ptk->kck, key, WIFI_KCK_LEN);
    memcpy(ptk->kek, key + WIFI_KCK_LEN, WIFI_KEK_LEN);
    memcpy(ptk->tk, key + WIFI_KCK_LEN + WIFI_KEK_LEN, WIFI_TK_LEN);
    return true;
}

bool wifi_eapol_mic(const uint8_t kck[WIFI_KCK_LEN], const uint8_t *frame,
                    size_t len, uint8_t mic[WIFI_MIC_LEN])
{
    struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };
    uint8_t digest[SHA1_LEN];

    if (!wifi_hmac_sha1(kck, WIFI_KCK_LEN, &iov, 1, digest)) {
        return false;
    }
    memcpy(mic, digest, WIFI_MIC_LEN);
    return true;
}

bool wifi_aes_key_wrap(const uint8_t kek[WIFI_KEK_LEN], const uint8_t *plain,
                       size_t len, uint8_t *out)
{
    g_autoptr(QCryptoCipher) aes = NULL;
    size_t n = len / 8, i, j;
    uint8_t *a = out, *r = out + 8, b[16];
    uint64_t t;

    if (len % 8 || n < 2) {
        return false;
    }
    aes = qcrypto_cipher_new(QCRYPTO_CIPHER_ALG_AES_128,
                             QCRYPTO_CIPHER_MODE_ECB, kek, WIFI_KEK_LEN, NULL);
    if (!aes) {
        return false;
    }
    memset(a, 0xa6, 8);
    memcpy(r, plain, len);
    for (j = 0; j < 6; j++) {
        for (i = 0; i < n; i++) {
            memcpy(b, a, 8);
            memcpy(b + 8, r + 8 * i, 8);
            if (qcrypto_cipher_encrypt(aes, b, b, sizeof(b), NULL) < 0) {
                return false;
            }
            t = n * j + i + 1;
            stq_be_p(a, ldq_be_p(b) ^ t);
            memcpy(r + 8 * i, b + 8, 8);
        }
    }
    return true;
}
