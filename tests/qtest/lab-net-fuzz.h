/*
 * Network frames for the lab's fuzz qtests (lab-fuzz.h): the L3 part of
 * a frame, half-sane, with its lengths at the boundaries a parser checks;
 * and the Internet checksum the tests verify offloaded sums with.
 *
 * What a parser trusts is what it is to be fuzzed with: an IPv4 header
 * length (IHL) of 0 to 15 words against a total length below it, equal
 * to it, to the frame, beyond the frame, or anything; fragments or not
 * (random flags and offset are a fragment almost always, and QEMU's
 * checksum helper stops at a fragment: a fuzzer that never sends a whole
 * datagram never reaches the TCP/UDP code); VLAN and QinQ tags before it.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef LAB_NET_FUZZ_H
#define LAB_NET_FUZZ_H

#include "lab-fuzz.h"

#define LAB_ETHERTYPE_IPV4  0x0800
#define LAB_ETHERTYPE_IPV6  0x86dd
#define LAB_ETHERTYPE_VLAN  0x8100
#define LAB_ETHERTYPE_QINQ  0x88a8

/* Payload bytes after the L3 header, at most */
#define LAB_NET_FUZZ_PAYLOAD 1400
/* What lab_fuzz_l3() may write: two tags, the longest IPv4 header, data */
#define LAB_NET_FUZZ_L3_MAX (8 + 60 + LAB_NET_FUZZ_PAYLOAD)

/* Ones' complement sum of @len bytes from @sum, folded: 0xffff verifies */
uint16_t lab_inet_sum(const uint8_t *p, size_t len, uint32_t sum);

/* A length field: often the truth, else one of its boundaries, or any */
unsigned lab_fuzz_length(LabFuzz *f, unsigned truth, unsigned header);

/* A TCP, UDP or other protocol number */
uint8_t lab_fuzz_l4_proto(LabFuzz *f);

/* An IPv4 header and @plen payload bytes at @p; returns the bytes used */
unsigned lab_fuzz_ipv4(LabFuzz *f, uint8_t *p, unsigned plen);

/*
 * The L3 part of a frame at @p (up to LAB_NET_FUZZ_L3_MAX bytes), its
 * ethertype in @type: IPv4 (also behind a VLAN tag or QinQ), IPv6, ARP
 * and low types, or anything. Returns its length.
 */
unsigned lab_fuzz_l3(LabFuzz *f, uint8_t *p, uint16_t *type);

#endif /* LAB_NET_FUZZ_H */
