/*
 * Network frames for the lab's fuzz qtests: half-sane L3 headers with
 * their lengths at the boundaries, and the Internet checksum (what and
 * why: lab-net-fuzz.h)
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "lab-fuzz.h"
#include "lab-net-fuzz.h"

/* Ones' complement sum of @len bytes from @sum, folded: 0xffff verifies */
uint16_t lab_inet_sum(const uint8_t *p, size_t len,
                      uint32_t sum)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += lduw_be_p(p + i);
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

/* A length field: often the truth, else one of its boundaries, or any */
unsigned lab_fuzz_length(LabFuzz *f, unsigned truth,
                         unsigned header)
{
    switch (lab_fuzz_below(f, 10)) {
    case 0:
        return 0;
    case 1:
        return header ? header - 1 : 0;         /* inside the header */
    case 2:
        return header;                          /* no payload */
    case 3:
        return truth + 1 + lab_fuzz_below(f, 64);   /* beyond the frame */
    case 4:
        return 0xffff;
    case 5:
        return lab_fuzz_below(f, 0x10000);
    default:
        return truth;
    }
}

/* A TCP, UDP or other protocol number */
uint8_t lab_fuzz_l4_proto(LabFuzz *f)
{
    static const uint8_t l4[] = { 6, 6, 17, 17, 1, 58, 0, 43, 44, 60, 255 };

    return l4[lab_fuzz_below(f, G_N_ELEMENTS(l4))];
}

/* An IPv4 header and @plen payload bytes at @p; returns the bytes used */
unsigned lab_fuzz_ipv4(LabFuzz *f, uint8_t *p, unsigned plen)
{
    unsigned ihl = lab_fuzz_chance(f, 2) ? 5 : lab_fuzz_below(f, 16);
    unsigned hlen = ihl * 4, used = MAX(hlen, 20) + plen;

    if (!lab_fuzz_chance(f, 8)) {
        p[0] = 0x40 | ihl;
    }
    stw_be_p(p + 2, lab_fuzz_length(f, used, hlen));
    switch (lab_fuzz_below(f, 4)) {
    case 0:
        stw_be_p(p + 6, 0);                     /* a whole datagram */
        break;
    case 1:
        stw_be_p(p + 6, 0x4000);                /* don't fragment */
        break;
    case 2:
        /* more fragments, or a later fragment */
        stw_be_p(p + 6, lab_fuzz_chance(f, 2) ? 0x2000
                                              : 1 + lab_fuzz_below(f, 0x1fff));
        break;
    default:
        break;                                  /* the random bytes */
    }
    p[9] = lab_fuzz_l4_proto(f);
    return used;
}

/*
 * The L3 part of a frame at @p (up to LAB_NET_FUZZ_L3_MAX bytes), its
 * ethertype in @type: IPv4 (also behind a VLAN tag or QinQ), IPv6, ARP
 * and low types, or anything. Returns its length.
 */
unsigned lab_fuzz_l3(LabFuzz *f, uint8_t *p, uint16_t *type)
{
    unsigned plen = lab_fuzz_below(f, LAB_NET_FUZZ_PAYLOAD);
    unsigned tags = 0;

    lab_fuzz_bytes(f, p, LAB_NET_FUZZ_L3_MAX);
    switch (lab_fuzz_below(f, 7)) {
    case 0 ... 1:
        *type = LAB_ETHERTYPE_IPV4;
        return lab_fuzz_ipv4(f, p, plen);
    case 2:
        /* a tag (TCI, then the inner type), or two for QinQ */
        tags = lab_fuzz_chance(f, 2) ? 1 : 2;
        *type = tags == 2 ? LAB_ETHERTYPE_QINQ : LAB_ETHERTYPE_VLAN;
        if (tags == 2) {
            stw_be_p(p + 2, LAB_ETHERTYPE_VLAN);
        }
        stw_be_p(p + 4 * tags - 2, LAB_ETHERTYPE_IPV4);
        return 4 * tags + lab_fuzz_ipv4(f, p + 4 * tags, plen);
    case 3:
        *type = LAB_ETHERTYPE_IPV6;
        p[0] = lab_fuzz_chance(f, 8) ? p[0] : 0x60;
        stw_be_p(p + 4, lab_fuzz_length(f, plen, 0));
        p[6] = lab_fuzz_l4_proto(f);
        return 40 + plen;
    case 4:
        *type = lab_fuzz_chance(f, 2) ? 0x0806 : lab_fuzz_below(f, 0x600);
        return plen;
    default:
        *type = (uint16_t)lab_fuzz_next(f);
        return plen;
    }
}
