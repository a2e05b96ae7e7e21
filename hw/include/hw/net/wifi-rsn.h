/*
 * The simulated access point's RSN authenticator: WPA2-PSK with CCMP
 *
 * The 4-way handshake and the group key handshake of IEEE 802.11-2016
 * 12.7.6 and 12.7.7, as the authenticator (hostapd's role), for the one
 * station of hw/net/wifi-ap.c. Data frames are not encrypted here: the
 * chip model carries them as a chip with hardware CCMP delivers them
 * (Protected, plaintext body, a rising packet number).
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_NET_WIFI_RSN_H
#define HW_NET_WIFI_RSN_H

#include "hw/net/wifi-crypto.h"
#include "qemu/timer.h"

#define WIFI_RSNE_MAX           64      /* a station's RSN element, kept */
#define WIFI_GTK_LEN            16
#define WIFI_ETH_P_EAPOL        0x888e

typedef enum WifiRsnState {
    WIFI_RSN_IDLE,                      /* no handshake: port closed */
    WIFI_RSN_PTKSTART,                  /* message 1 sent */
    WIFI_RSN_PTKNEGOTIATING,            /* message 3 sent */
    WIFI_RSN_DONE,                      /* keys in place: port open */
    WIFI_RSN_REKEYING,                  /* group message 1 sent */
} WifiRsnState;

typedef struct WifiRsn {
    /* configuration: the PMK comes from the passphrase at realize */
    bool enabled;
    uint8_t pmk[WIFI_PMK_LEN];

    /* run time */
    uint32_t state;                     /* WifiRsnState */
    uint8_t sta_rsne[WIFI_RSNE_MAX];    /* from the association request */
    uint8_t sta_rsne_len;
    uint8_t anonce[WIFI_NONCE_LEN];
    WifiPtk ptk;
    uint8_t gtk[WIFI_GTK_LEN];
    uint8_t gtk_id;                     /* 1 or 2 */
    uint64_t replay;                    /* the last replay counter sent */
    uint64_t replay_first;              /* ... the current message's first */
    uint32_t sends;                     /* of the current message */
    uint64_t tx_pn;                     /* packet numbers of our frames */
    uint64_t group_pn;
    QEMUTimer *timer;                   /* retransmission, virtual time */
    /* statistics for tests, not migrated */
    uint64_t handshakes;
    uint64_t bad_mics;
} WifiRsn;

struct WifiAP;

extern const VMStateDescription vmstate_wifi_rsn;

/* At instance init: the retransmission timer */
void wifi_rsn_init(struct WifiAP *ap);

/* At realize: derive the PMK from @passphrase (8-63 characters) */
bool wifi_rsn_realize(struct WifiAP *ap, const char *passphrase,
                      Error **errp);
void wifi_rsn_finalize(struct WifiAP *ap);

/* The AP's RSN element at @p; returns the end */
uint8_t *wifi_rsn_put_ie(uint8_t *p);

/*
 * The station's association request elements @ies: the 802.11 status
 * code (0 accepts it, and its RSN element is kept for message 2)
 */
uint16_t wifi_rsn_assoc(struct WifiAP *ap, const uint8_t *ies, size_t len);

/* Associated: the 4-way handshake starts */
void wifi_rsn_start(struct WifiAP *ap);

/* The station left, or the chip was reset: the keys are gone */
void wifi_rsn_stop(struct WifiAP *ap);

/* An EAPOL frame (from its version byte) the station sent */
void wifi_rsn_eapol_from_sta(struct WifiAP *ap, const uint8_t *eapol,
                             size_t len);

/* Whether data may flow: no RSN, or its keys in place */
bool wifi_rsn_port_open(struct WifiAP *ap);

/* A new group key, to the station through the group key handshake */
void wifi_rsn_rekey(struct WifiAP *ap);

/*
 * The key a data frame from the AP goes under (@group: to a group
 * address), its key ID and the frame's packet number, the next one
 */
const uint8_t *wifi_rsn_tx_key(struct WifiAP *ap, bool group,
                               uint8_t *key_id, uint64_t *pn);

/* The key the station's protected frames must be sent under */
const uint8_t *wifi_rsn_rx_key(struct WifiAP *ap);

#endif /* HW_NET_WIFI_RSN_H */
