/*
 * Prints what hw/net/wifi-crypto.c computes for the published test
 * vectors (IEEE 802.11-2016 J.3.2, J.4.2, J.7; RFC 3394 4.1), one
 * "name hex" line each, for tests/host/test_wifi_crypto.py to compare.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "hw/net/wifi-crypto.h"

static void print_hex(const char *name, const uint8_t *buf, size_t len)
{
    size_t i;

    printf("%s ", name);
    for (i = 0; i < len; i++) {
        printf("%02x", buf[i]);
    }
    printf("\n");
}

static void from_hex(const char *hex, uint8_t *buf)
{
    size_t i;

    for (i = 0; hex[2 * i]; i++) {
        sscanf(hex + 2 * i, "%2hhx", &buf[i]);
    }
}

int main(void)
{
    uint8_t pmk[WIFI_PMK_LEN], aa[6], spa[6];
    uint8_t anonce[WIFI_NONCE_LEN], snonce[WIFI_NONCE_LEN];
    uint8_t kek[16], plain[16], wrapped[24], key[20], prf[64];
    WifiPtk ptk;
    bool ok = true;

    ok &= wifi_psk_to_pmk("password", "IEEE", pmk);
    print_hex("pmk-ieee", pmk, sizeof(pmk));
    ok &= wifi_psk_to_pmk("ThisIsAPassword", "ThisIsASSID", pmk);
    print_hex("pmk-ssid", pmk, sizeof(pmk));

    from_hex("a0a1a1a3a4a5", aa);
    from_hex("b0b1b2b3b4b5", spa);
    from_hex("e0e1e2e3e4e5e6e7e8e9f0f1f2f3f4f5"
             "f6f7f8f9fafbfcfdfeff000102030405", anonce);
    from_hex("c0c1c2c3c4c5c6c7c8c9d0d1d2d3d4d5"
             "d6d7d8d9dadbdcdddedfe0e1e2e3e4e5", snonce);
    ok &= wifi_pmk_to_ptk(pmk, aa, spa, anonce, snonce, &ptk);
    print_hex("kck", ptk.kck, sizeof(ptk.kck));
    print_hex("kek", ptk.kek, sizeof(ptk.kek));
    print_hex("tk", ptk.tk, sizeof(ptk.tk));

    memset(key, 0x0b, sizeof(key));
    ok &= wifi_prf_sha1(key, sizeof(key), "prefix",
                        (const uint8_t *)"Hi There", 8, prf, sizeof(prf));
    print_hex("prf-512", prf, sizeof(prf));

    from_hex("000102030405060708090a0b0c0d0e0f", kek);
    from_hex("00112233445566778899aabbccddeeff", plain);
    ok &= wifi_aes_key_wrap(kek, plain, sizeof(plain), wrapped);
    print_hex("key-wrap", wrapped, sizeof(wrapped));
    return ok ? 0 : 1;
}
