/*
 * Qualcomm QCA6584 model: the mailbox transport
 *
 * What ath10k's sdio.c is on the host side: mailbox 0 carries BMI
 * requests and responses, then HTC messages. Target to host, messages
 * wait in a FIFO, padded to the SDIO block size; the host sizes each
 * read from the lookahead register and reads several messages at once
 * when the lookahead says they form a bundle. Host to target, bytes are
 * assembled into one message at a time and handed to BMI or HTC.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "qca6584-internal.h"

/* Mailbox 0 and its extended windows in function 1 (ath10k hw.h) */
#define MBOX0_BASE              0x1000
#define MBOX0_END               0x1800
#define MBOX0_EXT0_BASE         0x5000
#define MBOX0_EXT0_END          0x13000
#define MBOX0_EXT1_BASE         0x13800
#define MBOX0_EXT1_END          0x1c800

#define HTC_BUNDLE_BYTES        65536   /* the host's bundle buffer */

bool qca6584_is_mbox(uint32_t addr)
{
    return (addr >= MBOX0_BASE && addr < MBOX0_END) ||
           (addr >= MBOX0_EXT0_BASE && addr < MBOX0_EXT0_END) ||
           (addr >= MBOX0_EXT1_BASE && addr < MBOX0_EXT1_END);
}

/* -- target to host -------------------------------------------------------- */

bool qca6584_mbox_pending(QCA6584State *s)
{
    return s->mbox.t2h_len != 0;
}

bool qca6584_mbox_has_room(QCA6584State *s, uint32_t bytes)
{
    return bytes <= T2H_FIFO_SIZE - s->mbox.t2h_len;
}

static uint8_t qca6584_mbox_peek(QCA6584State *s, uint32_t i)
{
    QCAMbox *m = &s->mbox;

    return i < m->t2h_len ? m->t2h[(m->t2h_head + i) % T2H_FIFO_SIZE] : 0;
}

/* Queue @len bytes of @data for the host, zero-padded to @padded */
bool qca6584_mbox_push(QCA6584State *s, const void *data, uint32_t len,
                       uint32_t padded)
{
    QCAMbox *m = &s->mbox;
    const uint8_t *bytes = data;
    uint32_t i;

    if (!qca6584_mbox_has_room(s, padded)) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: target-to-host FIFO full, "
                      "message of %u bytes dropped (the host does not read "
                      "its mailbox)\n", len);
        return false;
    }
    for (i = 0; i < padded; i++) {
        m->t2h[(m->t2h_head + m->t2h_len + i) % T2H_FIFO_SIZE] =
            i < len ? bytes[i] : 0;
    }
    m->t2h_len += padded;
    qca6584_update_irq(s);
    return true;
}

static uint8_t qca6584_mbox_pop(QCA6584State *s)
{
    QCAMbox *m = &s->mbox;
    uint8_t value;

    if (!m->t2h_len) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: mailbox read with nothing "
                      "queued\n");
        return 0;
    }
    value = m->t2h[m->t2h_head];
    m->t2h_head = (m->t2h_head + 1) % T2H_FIFO_SIZE;
    m->t2h_len--;
    if (!m->t2h_len) {
        qca6584_update_irq(s);
    }
    return value;
}

/* The padded length of the HTC message starting @at bytes into the FIFO */
static uint32_t qca6584_mbox_msg_size(QCA6584State *s, uint32_t at)
{
    uint32_t len = qca6584_mbox_peek(s, at + offsetof(HtcHdr, len)) |
                   qca6584_mbox_peek(s, at + offsetof(HtcHdr, len) + 1) << 8;

    return qca6584_htc_padded(len);
}

/*
 * The host reads the lookahead, the next message's header, to size its
 * read. Tell it, in the header's bundle count, how many messages after
 * this one it can take in the same read: ath10k reads each of them as
 * long as the first (its padded size), so those that follow on the same
 * endpoint and are no longer join, as many as its bundle buffer holds.
 * The read serves each one padded to that size (qca6584_mbox_read): a
 * short HTT TX completion among received frames does not end a bundle.
 */
static void qca6584_mbox_bundle(QCA6584State *s)
{
    QCAMbox *m = &s->mbox;
    uint32_t slot, size, at, n;
    uint8_t eid, flags;

    if (s->mode != QCA_MODE_HTC || m->t2h_len < sizeof(HtcHdr) ||
        m->bundle_off) {
        return;                 /* not at a message's start: leave it */
    }
    eid = qca6584_mbox_peek(s, offsetof(HtcHdr, eid));
    slot = qca6584_mbox_msg_size(s, 0);
    m->bundle_size[0] = slot;
    for (n = 1, at = slot; n < HTC_BUNDLE_MAX &&
         (n + 1) * slot <= HTC_BUNDLE_BYTES &&
         at + sizeof(HtcHdr) <= m->t2h_len;
         n++, at += size) {
        size = qca6584_mbox_msg_size(s, at);
        if (qca6584_mbox_peek(s, at + offsetof(HtcHdr, eid)) != eid ||
            size > slot || at + size > m->t2h_len) {
            break;
        }
        m->bundle_size[n] = size;
    }
    m->bundle_members = n;
    m->bundle_index = 0;
    m->bundle_slot = slot;
    n--;                        /* the count is of the others */
    /* count bits 3:0 in flags bits 7:4, bits 5:4 in flags bits 3:2 */
    flags = qca6584_mbox_peek(s, offsetof(HtcHdr, flags)) &
            (HTC_FLAG_TRAILER | HTC_FLAG_1MORE_BLOCK);
    flags |= (n & 0xf) << 4 | (n >> 4) << 2;
    m->t2h[(m->t2h_head + offsetof(HtcHdr, flags)) % T2H_FIFO_SIZE] = flags;
}

/* Byte @i of the lookahead register; reading byte 0 sizes the bundle */
uint8_t qca6584_mbox_lookahead(QCA6584State *s, uint32_t i)
{
    if (i == 0) {
        qca6584_mbox_bundle(s);
    }
    return qca6584_mbox_peek(s, i);
}

/* A byte of mailbox 0 for the host: the bundle being read, or the FIFO */
uint8_t qca6584_mbox_read(QCA6584State *s)
{
    QCAMbox *m = &s->mbox;
    uint8_t value;

    if (m->bundle_index == m->bundle_members) {
        return qca6584_mbox_pop(s);
    }
    value = m->bundle_off < m->bundle_size[m->bundle_index] ?
            qca6584_mbox_pop(s) : 0;
    if (++m->bundle_off == m->bundle_slot) {
        m->bundle_off = 0;
        m->bundle_index++;
    }
    return value;
}

/* -- host to target -------------------------------------------------------- */

/*
 * A byte more of host-to-target HTC: a message is handled as soon as it is
 * complete, so a bundle (messages each padded to the credit size, as
 * much as 56 KiB in one CMD53) never needs more than one message of
 * buffer. A message may span CMD53s (Linux splits a write into blocks
 * and a byte-mode rest), but it always ends at the mailbox window's end:
 * ath10k writes each message or bundle there. So after a bad header the
 * bytes up to the window's end are skipped, and the next write starts
 * clean (qca6584_mbox_window_end).
 */
static void qca6584_mbox_htc_byte(QCA6584State *s)
{
    QCAMbox *m = &s->mbox;
    const HtcHdr *hdr = (const HtcHdr *)m->h2t;
    uint32_t len, pad;

    if (m->h2t_len < sizeof(HtcHdr)) {
        return;
    }
    len = sizeof(HtcHdr) + le16_to_cpu(hdr->len);
    pad = hdr->flags & HTC_FLAG_SEND_BUNDLE ? le16_to_cpu(hdr->pad_len) : 0;
    if (len + pad > H2T_BUF_SIZE) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTC message of %u bytes "
                      "(padding %u) dropped, up to the mailbox's end\n",
                      len, pad);
        m->h2t_len = 0;
        m->h2t_skip = true;
        return;
    }
    if (m->h2t_len == len + pad) {
        qca6584_htc_receive(s, m->h2t, len);
        m->h2t_len = 0;
    }
}

/* A host-to-target write reached the last byte of a mailbox window */
static void qca6584_mbox_window_end(QCA6584State *s, uint32_t addr)
{
    QCAMbox *m = &s->mbox;

    if (addr != MBOX0_END - 1 && addr != MBOX0_EXT0_END - 1 &&
        addr != MBOX0_EXT1_END - 1) {
        return;
    }
    if (m->h2t_len && s->mode == QCA_MODE_HTC) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: HTC message cut short at "
                      "the mailbox's end, %u bytes dropped\n", m->h2t_len);
        m->h2t_len = 0;
    }
    m->h2t_skip = false;
}

void qca6584_mbox_write(QCA6584State *s, uint32_t addr, uint8_t value)
{
    QCAMbox *m = &s->mbox;

    if (s->mode == QCA_MODE_CRASHED) {
        return;                         /* nobody reads it any more */
    }
    if (m->h2t_len == H2T_BUF_SIZE) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: host-to-target message "
                      "longer than %u bytes, dropped\n", H2T_BUF_SIZE);
        m->h2t_len = 0;
    }
    if (!m->h2t_skip) {
        m->h2t[m->h2t_len++] = value;
        if (s->mode == QCA_MODE_HTC) {
            qca6584_mbox_htc_byte(s);
        }
    }
    qca6584_mbox_window_end(s, addr);
}

/*
 * A CMD53 to the mailbox ended. BMI requests are taken whole at the end
 * of their transfer (the next may follow in the same one); HTC messages
 * went up as they completed, so what is left is one TX completion for
 * all the frames the transfer carried.
 */
void qca6584_mbox_transfer_done(QCA6584State *s, bool write)
{
    QCAMbox *m = &s->mbox;
    uint32_t used;

    if (s->mode == QCA_MODE_CRASHED) {
        return;
    }
    if (!write) {
        qca6584_htt_rx_drained(s);
    } else if (s->mode == QCA_MODE_BMI) {
        /* one at a time: what follows moves up (and the stream shows it) */
        while ((used = qca6584_bmi_receive(s, m->h2t, m->h2t_len)) != 0) {
            memmove(m->h2t, m->h2t + used, m->h2t_len - used);
            m->h2t_len -= used;
        }
    } else {
        qca6584_htt_tx_done_flush(s);
    }
}

void qca6584_mbox_reset(QCA6584State *s)
{
    QCAMbox *m = &s->mbox;

    m->h2t_len = 0;
    m->h2t_skip = false;
    m->t2h_head = 0;
    m->t2h_len = 0;
    m->bundle_members = 0;
    m->bundle_index = 0;
    m->bundle_off = 0;
}
