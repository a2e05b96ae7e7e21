/*
 * A capture of the air: 802.11 frames with radiotap headers in a pcap
 * file (link type 127), the one window onto a Wi-Fi link that real
 * hardware needs a sniffer for. tcpdump, tshark and Wireshark read it.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_NET_WIFI_PCAP_H
#define HW_NET_WIFI_PCAP_H

typedef struct WifiPcap {
    int fd;                             /* -1: no capture */
    int64_t start_s;                    /* wall clock at the start */
    uint64_t frames;
} WifiPcap;

/* Start a capture into @path (NULL or empty: none) */
bool wifi_pcap_open(WifiPcap *cap, const char *path, Error **errp);
void wifi_pcap_close(WifiPcap *cap);

/*
 * One frame on the air, timed by the virtual clock: @frame (802.11, no
 * FCS) on the channel of @mhz, heard at @dbm. A Protected frame is
 * written as the capture of a sniffer that has the keys shows it: its
 * plaintext, the Protected bit cleared.
 */
void wifi_pcap_frame(WifiPcap *cap, const uint8_t *frame, size_t len,
                     uint16_t mhz, int8_t dbm);

#endif /* HW_NET_WIFI_PCAP_H */
