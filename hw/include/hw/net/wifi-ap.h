/*
 * A simulated Wi-Fi access point: the 802.11 side of an open network for
 * Wi-Fi chip models that run no firmware
 *
 * The chip model (hw/net/qca6584/) carries frames between its host driver
 * and this AP; the AP answers management frames as an access point would
 * and converts data frames between 802.11 and Ethernet, so the network
 * behind it can be any QEMU network backend.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_NET_WIFI_AP_H
#define HW_NET_WIFI_AP_H

#include "net/net.h"
#include "qom/object.h"
#include "hw/net/wifi-rsn.h"

/* 802.11 data header, LLC/SNAP, with room for an Ethernet payload */
#define WIFI_HDR_LEN            24
#define WIFI_SNAP_LEN           8
#define WIFI_ETH_HDR_LEN        14
#define WIFI_FRAME_MAX          2352    /* 802.11 MSDU plus headers */
#define WIFI_MGMT_MAX           256     /* the AP's own management frames */

/* Frame control: the first byte of a beacon, the second's Protected bit */
#define WIFI_FC0_BEACON         0x80
#define WIFI_FC1_PROTECTED      0x40

typedef enum WifiAPState {
    WIFI_AP_IDLE,                       /* no station */
    WIFI_AP_AUTHENTICATED,
    WIFI_AP_ASSOCIATED,
} WifiAPState;

#define TYPE_WIFI_AP "wifi-ap"
OBJECT_DECLARE_SIMPLE_TYPE(WifiAP, WIFI_AP)

#define WIFI_SNR_MAX            90      /* dB: -5 dBm, next to the AP */

/* What an AP is set up with */
typedef struct WifiAPConfig {
    char *ssid;
    char *psk;                          /* WPA2 passphrase; empty: open */
    uint8_t channel;
    MACAddr bssid;
    uint16_t beacon_int;                /* TU (1024 us) */
    uint8_t dtim_period;                /* beacons */
    uint32_t snr;                       /* at first; see WifiAP */
} WifiAPConfig;

/*
 * How @ap's frames reach the station: through the chip model, which
 * delivers @frame (802.11, @len bytes) to its host. @pn is the frame's
 * CCMP packet number when it is Protected, under @key (@key_id 0: the
 * pairwise key), else 0.
 */
typedef void WifiAPToStation(WifiAP *ap, const uint8_t *frame, size_t len,
                             const uint8_t *key, uint8_t key_id, uint64_t pn);

/*
 * An AP is a QOM object, a child of the chip model that hears it, so
 * that each AP's run-time knobs (its signal, on or off, a deauth) have
 * a path: /machine/wifi/ap[N]
 */
struct WifiAP {
    Object parent_obj;

    /* configuration, from WifiAPConfig */
    char *ssid;
    uint8_t channel;
    MACAddr bssid;
    uint16_t beacon_int;
    uint8_t dtim_period;
    uint32_t snr_at_start;
    WifiAPToStation *to_sta;
    void *opaque;

    /* run time */
    uint32_t state;                     /* WifiAPState */
    MACAddr sta;                        /* the station, once authenticated */
    uint16_t seq;                       /* sequence number of our frames */
    WifiRsn rsn;                        /* WPA2: the authenticator */
    bool enabled;                       /* on the air, beaconing */
    /* the signal as the station hears it: dB above the noise, -95 dBm */
    uint32_t snr;
    uint8_t dtim_count;
    QEMUTimer *beacon_timer;            /* virtual time, not migrated */
};

extern const VMStateDescription vmstate_wifi_ap;

/*
 * At the chip's instance init: @ap, its child @name, and how the AP's own
 * frames reach the station
 */
void wifi_ap_init(Object *chip, const char *name, WifiAP *ap,
                  WifiAPToStation *to_sta, void *opaque);

/*
 * At realize: the AP set up as @conf says (checked; the PSK's PMK
 * derived) and on the air
 */
bool wifi_ap_realize(WifiAP *ap, const WifiAPConfig *conf, Error **errp);
void wifi_ap_finalize(WifiAP *ap);

/* A MAC address as one number, for traces */
uint64_t wifi_mac(const uint8_t *addr);

/*
 * The first element @id in the @len bytes of elements at @ies, its
 * header included (its length is 2 + @ret[1]), or NULL; an element that
 * overruns @len ends the search
 */
const uint8_t *wifi_ie_find(const uint8_t *ies, size_t len, uint8_t id);

/* Whether @chan is a 2.4 or 5 GHz channel number in use */
bool wifi_ap_valid_channel(uint8_t chan);

/* Back to no station (the chip was reset) */
void wifi_ap_reset(WifiAP *ap);

/* The AP deauthenticates its station with @reason, and tells it so */
void wifi_ap_deauth(WifiAP *ap, uint16_t reason);
/* ... or disassociates it */
void wifi_ap_disassoc(WifiAP *ap, uint16_t reason);

/*
 * The AP switched on or off. Off, it is silent (no beacons, no answers)
 * and forgets its station without a word, as an AP that loses power.
 */
void wifi_ap_set_enabled(WifiAP *ap, bool enabled);

/*
 * A data frame from the AP itself (an EAPOL one) to the station: the
 * @ethertype payload, @protect: under the pairwise key
 */
void wifi_ap_send_data(WifiAP *ap, uint16_t ethertype, const uint8_t *payload,
                       size_t len, bool protect);

/*
 * The AP's beacon (@to NULL) or probe response to @to, in @buf
 * (WIFI_MGMT_MAX bytes). Returns its length.
 */
size_t wifi_ap_beacon(WifiAP *ap, const uint8_t *to, uint8_t *buf);

/*
 * A management frame the station sent: updates the association and puts
 * the AP's answer in @reply (WIFI_MGMT_MAX bytes). Returns the answer's
 * length, 0 if there is none.
 */
size_t wifi_ap_mgmt_from_sta(WifiAP *ap, const uint8_t *frame, size_t len,
                             uint8_t *reply);

/*
 * An 802.11 data frame from the associated station to an Ethernet frame
 * in place: returns the Ethernet frame's offset in @frame and sets @eth_len,
 * or returns -1 if the frame does not go to the network (not associated,
 * no payload, not LLC/SNAP, port closed, EAPOL for the authenticator).
 * @key: the key a Protected frame was sent under (NULL: none installed).
 */
int wifi_ap_data_to_eth(WifiAP *ap, uint8_t *frame, size_t len,
                        const uint8_t *key, size_t *eth_len);

/*
 * An Ethernet frame from the network to the station as an 802.11 data
 * frame (from the DS) in @frame, which has room for @len + WIFI_HDR_LEN +
 * WIFI_SNAP_LEN - WIFI_ETH_HDR_LEN bytes. Returns the frame's length, 0 if
 * the station is not the destination, not associated or its port closed.
 * A frame under WPA2 is Protected: @key, @key_id and @pn say how.
 */
size_t wifi_ap_eth_to_data(WifiAP *ap, const uint8_t *eth, size_t len,
                           uint8_t *frame, const uint8_t **key,
                           uint8_t *key_id, uint64_t *pn);

#endif /* HW_NET_WIFI_AP_H */
