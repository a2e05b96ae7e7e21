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

/* 802.11 data header, LLC/SNAP, with room for an Ethernet payload */
#define WIFI_HDR_LEN            24
#define WIFI_SNAP_LEN           8
#define WIFI_ETH_HDR_LEN        14
#define WIFI_FRAME_MAX          2352    /* 802.11 MSDU plus headers */
#define WIFI_MGMT_MAX           256     /* the AP's own management frames */

typedef enum WifiAPState {
    WIFI_AP_IDLE,                       /* no station */
    WIFI_AP_AUTHENTICATED,
    WIFI_AP_ASSOCIATED,
} WifiAPState;

typedef struct WifiAP {
    /* configuration */
    char *ssid;
    uint8_t channel;
    MACAddr bssid;

    /* run time */
    uint32_t state;                     /* WifiAPState */
    MACAddr sta;                        /* the station, once authenticated */
    uint16_t seq;                       /* sequence number of our frames */
} WifiAP;

extern const VMStateDescription vmstate_wifi_ap;

/* Whether @chan is a 2.4 or 5 GHz channel number in use */
bool wifi_ap_valid_channel(uint8_t chan);

/* Back to no station (the chip was reset) */
void wifi_ap_reset(WifiAP *ap);

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
 * no payload, not LLC/SNAP).
 */
int wifi_ap_data_to_eth(WifiAP *ap, uint8_t *frame, size_t len,
                        size_t *eth_len);

/*
 * An Ethernet frame from the network to the station as an 802.11 data
 * frame (from the DS) in @frame, which has room for @len + WIFI_HDR_LEN +
 * WIFI_SNAP_LEN - WIFI_ETH_HDR_LEN bytes. Returns the frame's length, 0 if
 * the station is not the destination or not associated.
 */
size_t wifi_ap_eth_to_data(WifiAP *ap, const uint8_t *eth, size_t len,
                           uint8_t *frame);

#endif /* HW_NET_WIFI_AP_H */
