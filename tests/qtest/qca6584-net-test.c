/*
 * QTest for the QCA6584 Wi-Fi model's data path (hw/net/qca6584.c and its
 * access point, hw/net/wifi-ap.c) on the imx7d-custom board: frames
 * between the host (HTT TX_FRM, RX_IND), the simulated AP and a QEMU
 * network (a datagram socket here), checksum offload, a peer that stops
 * reading, the association across a snapshot, and a fuzzer of frames
 * both ways; WPA2-PSK (hw/net/wifi-rsn.c) driven message by message by
 * the station of lab-wpa2.h, keys installed, Protected frames both ways,
 * a wrong passphrase, and a fuzzer of EAPOL frames and key commands.
 * The host side is lab-qca.h over lab-usdhc.h, every CMD53 by ADMA2
 * (cmd53_adma()), as Linux moves them.
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include "qemu/bswap.h"
#include "libqtest.h"
#include "lab-fuzz.h"
#include "lab-migrate.h"
#include "lab-net-fuzz.h"
#include "lab-usdhc.h"
#include "lab-qca.h"
#include "lab-wpa2.h"
#include "qapi/qmp/qdict.h"

#define WIFI_HDR_LEN        24
#define FC0_DATA            0x08
#define FC0_QOS_DATA        0x88
#define FC0_AUTH            0xb0
#define FC0_ASSOC_REQ       0x00
#define FC0_REASSOC_REQ     0x20
#define FC0_PROBE_REQ       0x40
#define FC0_DISASSOC        0xa0
#define FC0_DEAUTH          0xc0
#define FC1_TO_DS           0x01
#define FC1_FROM_DS         0x02
#define ETH_HDR_LEN         14
#define ETHERTYPE_IPV4      0x0800
#define ETHERTYPE_IPV6      0x86dd
#define ETHERTYPE_RARP      0x8035
#define ETHERTYPE_EAPOL     0x888e
#define FC1_PROTECTED       0x40
#define REASON_4WAY_TIMEOUT 15
#define WMI_MGMT_RX         0x7001
#define WMI_INSTALL_KEY     0x5009
#define WMI_TAG_INSTALL_KEY 96
#define WMI_TAG_ARRAY_BYTE  17
#define WMI_KEY_GROUP       1
#define WMI_CIPHER_CCMP     4
#define HTT_T2H_SEC_IND     0xb
#define HTT_SEC_CCMP_UCAST  (6 | 0x80)
#define HTT_RX_ENCRYPTED    (1 << 12)
#define WPA2_PSK            "lab-passphrase"
#define WPA2_ARGS           "-global qca6584.ap-psk=" WPA2_PSK

/*
 * The AP's default BSSID (qca6584 ap-bssid) and the next AP's (aps=), our
 * station, a wired host
 */
static const uint8_t ap_bssid[6] = { 0x02, 0x03, 0x7f, 0x00, 0x00, 0x01 };
static const uint8_t ap2_bssid[6] = { 0x02, 0x03, 0x7f, 0x00, 0x00, 0x02 };
static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define TWO_APS_ARGS        "-global qca6584.aps=lab-ap:11:30"
static const uint8_t sta_mac[6] = { 0x02, 0x1a, 0xb0, 0x00, 0x00, 0x42 };
static const uint8_t host_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t llc_snap[6] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00 };

/*
 * The QEMU arguments of a board whose Wi-Fi AP bridges to a datagram
 * socket (one frame each), @extra after them: our end in @fd, QEMU's in
 * @peer (to close once QEMU has it)
 */
static char *net_args(int *fd, int *peer, const char *extra)
{
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), ==, 0);
    g_assert_cmpint(fcntl(sv[0], F_SETFL, O_NONBLOCK), ==, 0);
    *fd = sv[0];
    *peer = sv[1];
    return g_strdup_printf("-machine imx7d-custom -netdev socket,id=wifi,"
                           "fd=%d -global qca6584.netdev=wifi %s", sv[1],
                           extra);
}

#define HI_ACS_FLAGS            0x004008c0
#define HI_ACS_REDUCE_TX_COMPL  (1 << 1)
#define HI_ACS_REDUCE_TX_ACK    (1 << 17)
/* The card booted as htc_boot(), asking for reduced TX completions */
static void htc_boot_reduced(QcaHost *h)
{
    uint8_t buf[QCA_BLOCK_SIZE] = { 0 };
    unsigned n = bmi_cmd(buf, BMI_WRITE_MEMORY, HI_ACS_FLAGS, 4, 3);

    sdio_write16(h->qts, 0, FBR1_BLKSIZE, QCA_BLOCK_SIZE);
    stl_le_p(buf + n, HI_ACS_REDUCE_TX_COMPL);
    sdio_rw_bytes(h->qts, h->cmd53, true, 1, QCA_MBOX0, true, buf, n + 4);
    htc_boot(h);
}

/*
 * That board (net_args()) as @h, every CMD53 by ADMA2, the HTC up by
 * @boot (htc_boot or htc_boot_reduced)
 */
static QTestState *net_start_boot(QcaHost *h, int *fd, const char *extra,
                                  void (*boot)(QcaHost *h))
{
    int peer;
    g_autofree char *args = net_args(fd, &peer, extra);
    QTestState *qts = qtest_init(args);

    close(peer);
    h->qts = qts;
    h->cmd53 = cmd53_adma;
    sdhc_init(qts);
    sdio_enumerate(qts);
    boot(h);
    return qts;
}

static QTestState *net_start_with(QcaHost *h, int *fd, const char *extra)
{
    return net_start_boot(h, fd, extra, htc_boot);
}

static QTestState *net_start(QcaHost *h, int *fd)
{
    return net_start_with(h, fd, "");
}

/* An 802.11 header: frame control, then addresses 1, 2 and 3 */
static unsigned wifi_hdr(uint8_t *p, uint8_t fc0, uint8_t fc1,
                         const uint8_t *a1, const uint8_t *a2,
                         const uint8_t *a3)
{
    memset(p, 0, WIFI_HDR_LEN);
    p[0] = fc0;
    p[1] = fc1;
    memcpy(p + 4, a1, 6);
    memcpy(p + 10, a2, 6);
    memcpy(p + 16, a3, 6);
    return WIFI_HDR_LEN;
}

/* A management frame from our station to the AP @bssid, body @body */
static void sta_mgmt_to(QcaHost *h, const uint8_t *bssid, uint8_t fc0,
                        const uint8_t *body, unsigned blen)
{
    uint8_t frame[256];
    unsigned n = wifi_hdr(frame, fc0, 0, bssid, sta_mac, bssid);

    memcpy(frame + n, body, blen);
    htt_tx(h, HTT_TX_PKT_MGMT, 0, 1, frame, n + blen);
}

/* What the data path's frames leave: HTC messages and socket datagrams */
static void net_drain(QcaHost *h, int fd)
{
    uint8_t frame[4096];

    qca_drain_any(h);
    while (recv(fd, frame, sizeof(frame), 0) > 0) {
        continue;
    }
}

/*
 * Until QEMU has taken every frame sent to it (the host reading its
 * mailbox so that they find room), then what they left behind is read
 */
static void net_settle(QcaHost *h, int fd)
{
    QTestState *qts = h->qts;
    int i, queued = 0;

    for (i = 0; i < 10000; i++) {
        g_assert_cmpint(ioctl(fd, SIOCOUTQ, &queued), ==, 0);
        if (!queued) {
            break;
        }
        net_drain(h, fd);
        qtest_clock_step(qts, 0);       /* a main loop turn for QEMU */
    }
    g_assert_cmpint(queued, ==, 0);
    net_drain(h, fd);
}

/*
 * The frame QEMU sent to the network, waiting a little for it. After an
 * incoming migration QEMU announces the NIC's address itself (RARP,
 * qemu_announce_self()): those are not the model's frames.
 */
static ssize_t net_recv(QTestState *qts, int fd, uint8_t *frame, size_t size)
{
    ssize_t n;
    int i;

    for (i = 0; i < 1000; i++) {
        n = recv(fd, frame, size, 0);
        if (n >= ETH_HDR_LEN && lduw_be_p(frame + 12) == ETHERTYPE_RARP) {
            continue;
        }
        if (n >= 0) {
            return n;
        }
        g_assert_cmpint(errno, ==, EAGAIN);
        qtest_clock_step(qts, 0);       /* a main loop turn for QEMU */
    }
    g_assert_not_reached();
}

/*
 * Authenticated and (re)associated (@fc0) with the AP @bssid, as the
 * host's PEER_CREATE and MLME do, the request's body @assoc; what the AP
 * answers unread
 */
static void sta_join_to(QcaHost *h, int fd, const uint8_t *bssid,
                        uint8_t fc0, const uint8_t *assoc, unsigned len)
{
    static const uint8_t auth[6] = { 0, 0, 1, 0, 0, 0 };
    uint8_t cmd[16] = { 0 };

    net_settle(h, fd);
    memcpy(cmd + 4, bssid, 6);
    wmi_send(h, WMI_PEER_CREATE, WMI_TAG_PEER_CREATE, cmd, sizeof(cmd));
    sta_mgmt_to(h, bssid, FC0_AUTH, auth, sizeof(auth));
    sta_mgmt_to(h, bssid, fc0, assoc, len);
}

/* ... associated with the first AP */
static void sta_join(QcaHost *h, int fd, const uint8_t *assoc, unsigned len)
{
    sta_join_to(h, fd, ap_bssid, FC0_ASSOC_REQ, assoc, len);
}

/* Associated to the open network, what came of it read */
static void net_associate(QcaHost *h, int fd)
{
    static const uint8_t assoc[4] = { 0x01, 0x04, 0x0a, 0x00 };

    sta_join(h, fd, assoc, sizeof(assoc));
    net_drain(h, fd);
}

/*
 * The station associated with @bssid, the AP known as peer @peer_id: a
 * UDP datagram each way: the one sent gets its offloaded checksums filled
 * in, the one received comes up as an 802.11 frame from that AP in an
 * RX_IND
 */
static void assert_data_flows_via(QcaHost *h, int fd, uint16_t peer_id,
                                  const uint8_t *bssid)
{
    QTestState *qts = h->qts;
    uint8_t out[128], in[4096], msg[8 * QCA_BLOCK_SIZE];
    uint8_t *ip = out + ETH_HDR_LEN, *udp = ip + 20, *f;
    unsigned i, len = ETH_HDR_LEN + 20 + 8 + 32;
    ssize_t n;

    memset(out, 0, sizeof(out));
    memcpy(out, host_mac, 6);
    memcpy(out + 6, sta_mac, 6);
    stw_be_p(out + 12, ETHERTYPE_IPV4);
    ip[0] = 0x45;
    stw_be_p(ip + 2, len - ETH_HDR_LEN);
    ip[8] = 64;
    ip[9] = 17;                                 /* UDP */
    stl_be_p(ip + 12, 0x0a00020f);
    stl_be_p(ip + 16, 0x0a000202);
    stw_be_p(udp, 5000);
    stw_be_p(udp + 2, 5001);
    stw_be_p(udp + 4, 8 + 32);
    for (i = 0; i < 32; i++) {
        udp[8 + i] = i * 7;
    }
    htt_tx(h, HTT_TX_PKT_ETH, HTT_TX_CSUM, 7, out, len);
    n = net_recv(qts, fd, in, sizeof(in));
    g_assert_cmpint(n, ==, len);
    g_assert_cmpmem(in, 12, out, 12);
    g_assert_cmphex(lab_inet_sum(in + ETH_HDR_LEN, 20, 0), ==, 0xffff);
    g_assert_cmphex(lduw_be_p(in + ETH_HDR_LEN + 20 + 6), !=, 0);
    /* pseudo header: addresses, protocol, UDP length */
    g_assert_cmphex(lab_inet_sum(in + ETH_HDR_LEN + 20, 8 + 32,
                             lab_inet_sum(in + ETH_HDR_LEN + 12, 8, 17 + 40)),
                    ==, 0xffff);
    g_assert_cmpmem(in + ETH_HDR_LEN + 28, 32, udp + 8, 32);
    qca_drain_any(h);                            /* its completion */

    memcpy(out, sta_mac, 6);
    memcpy(out + 6, host_mac, 6);
    g_assert_cmpint(send(fd, out, len, 0), ==, len);
    for (i = 0; i < 1000 && !(sdio_readb(qts, 1, QCA_LOOKAHEAD_VALID) & 1);
         i++) {
        qtest_clock_step(qts, 0);
    }
    g_assert_cmpuint(htc_drain(h, msg), ==, 1);
    g_assert_cmpuint(msg[0], ==, HTC_EP_HTT);
    g_assert_cmpuint(msg[HTC_HDR_LEN], ==, HTT_T2H_RX_IND);
    g_assert_cmpuint(lduw_le_p(msg + HTC_HDR_LEN + 2), ==, peer_id);
    f = msg + HTC_HDR_LEN + HTT_RX_IND_HL_LEN;
    g_assert_cmphex(f[0], ==, FC0_DATA);
    g_assert_cmphex(f[1], ==, FC1_FROM_DS);
    g_assert_cmpmem(f + 4, 6, sta_mac, 6);
    g_assert_cmpmem(f + 10, 6, bssid, 6);
    g_assert_cmpmem(f + 16, 6, host_mac, 6);
    g_assert_cmpmem(f + WIFI_HDR_LEN, 6, llc_snap, 6);
    g_assert_cmpmem(f + WIFI_HDR_LEN + 6, len - 12, out + 12, len - 12);
}

static void assert_data_flows(QcaHost *h, int fd, uint16_t peer_id)
{
    assert_data_flows_via(h, fd, peer_id, ap_bssid);
}

/* Authenticated and associated, then a datagram each way intact */
static void assert_data_path_ok(QcaHost *h, int fd, uint16_t peer_id)
{
    net_associate(h, fd);
    assert_data_flows(h, fd, peer_id);
}

/* A board whose station is associated, the data path proven, all read */
static QTestState *net_start_associated(QcaHost *h, int *fd)
{
    QTestState *qts;

    qts = net_start(h, fd);
    assert_data_path_ok(h, *fd, 1);
    net_drain(h, *fd);
    return qts;
}

/*
 * Saved with the station associated (the AP's state, the peer) and
 * restored into a new QEMU on a new socket: a datagram goes each way
 * without a new association. @stream: restored from that committed
 * stream instead (lab_migrate_stream())
 */
static void test_snapshot_associated(const void *stream)
{
    const char *extra = stream ? LAB_STREAM_ARGS : "";
    g_autofree char *args = NULL;
    QcaHost host, *h = &host;
    QTestState *qts;
    int fd, old_fd, peer;

    qts = net_start_with(h, &old_fd, extra);
    net_associate(h, old_fd);
    args = net_args(&fd, &peer, extra);
    qts = stream ? lab_migrate_stream(qts, stream, args)
                 : lab_migrate(qts, args);
    h->qts = qts;
    close(old_fd);
    close(peer);
    assert_data_flows(h, fd, 1);
    qtest_quit(qts);
    close(fd);
}

static bool ap_associated(QTestState *qts, int ap)
{
    g_autofree char *path = g_strdup_printf("/ap[%d]", ap);
    QDict *resp = wifi_qom_get(qts, path, "associated");
    bool value = qdict_get_bool(resp, "return");

    qobject_unref(resp);
    return value;
}

/*
 * Two APs of one network (aps=): the station joins the first, data flows
 * through it; it roams (authentication and reassociation with the
 * second, which the host made its peer 2), the first forgets it and data
 * flows through the second, also after a migration (the second AP's
 * state is in a subsection of its own)
 */
static void test_roam(void)
{
    static const uint8_t reassoc[10] = {
        0x01, 0x04, 0x0a, 0x00, 0x02, 0x03, 0x7f, 0x00, 0x00, 0x01,
    };
    g_autofree char *args = NULL;
    QcaHost host, *h = &host;
    QTestState *qts;
    int fd, old_fd, peer;

    qts = net_start_with(h, &fd, TWO_APS_ARGS);
    assert_data_path_ok(h, fd, 1);
    g_assert_true(ap_associated(qts, 0));
    g_assert_false(ap_associated(qts, 1));

    sta_join_to(h, fd, ap2_bssid, FC0_REASSOC_REQ, reassoc, sizeof(reassoc));
    net_drain(h, fd);
    g_assert_false(ap_associated(qts, 0));
    g_assert_true(ap_associated(qts, 1));
    assert_data_flows_via(h, fd, 2, ap2_bssid);

    old_fd = fd;
    args = net_args(&fd, &peer, TWO_APS_ARGS);
    h->qts = qts = lab_migrate(qts, args);
    close(old_fd);
    close(peer);
    g_assert_true(ap_associated(qts, 1));
    assert_data_flows_via(h, fd, 2, ap2_bssid);
    qtest_quit(qts);
    close(fd);
}

static void test_data_path(void)
{
    int fd;
    QcaHost host, *h = &host;
    QTestState *qts;

    qts = net_start(h, &fd);
    assert_data_path_ok(h, fd, 1);
    qtest_quit(qts);
    close(fd);
}

/*
 * An IPv4 header longer than its own total length (IHL 15, total 20),
 * TCP, with checksum offload: QEMU 7.2's net_checksum_calculate() took
 * the difference as a length of nearly 64 KiB and summed the vCPU stack
 * behind the model's frame into the TCP checksum. The model leaves a
 * header it cannot parse alone: the frame goes out as the host wrote it.
 */
static void test_data_path_ihl_beyond_length(void)
{
    uint8_t out[ETH_HDR_LEN + 80], in[4096];
    uint8_t *ip = out + ETH_HDR_LEN;
    unsigned i;
    ssize_t n;
    QcaHost host, *h = &host;
    QTestState *qts;
    int fd;

    qts = net_start_associated(h, &fd);

    memcpy(out, host_mac, 6);
    memcpy(out + 6, sta_mac, 6);
    stw_be_p(out + 12, ETHERTYPE_IPV4);
    for (i = 0; i < 80; i++) {
        ip[i] = 0xa5 ^ i;
    }
    ip[0] = 0x4f;                               /* IHL 15: 60 bytes */
    stw_be_p(ip + 2, 20);                       /* total length 20 */
    stw_be_p(ip + 6, 0);                        /* not a fragment */
    ip[9] = 6;                                  /* TCP */
    htt_tx(h, HTT_TX_PKT_ETH, HTT_TX_CSUM, 9, out, sizeof(out));
    n = net_recv(qts, fd, in, sizeof(in));
    g_assert_cmpint(n, ==, sizeof(out));
    g_assert_cmpmem(in, sizeof(out), out, sizeof(out));
    qca_drain_any(h);
    qtest_quit(qts);
    close(fd);
}

/* QEMU's resident memory: the one child process of this test */
static long qemu_rss_kib(void)
{
    g_autoptr(GDir) dir = g_dir_open("/proc", 0, NULL);
    const char *name;
    long rss = -1;

    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *stat_path = g_strdup_printf("/proc/%s/stat", name);
        g_autofree char *status_path = NULL;
        g_autofree char *text = NULL;
        const char *p;
        int ppid;

        if (!g_ascii_isdigit(name[0]) ||
            !g_file_get_contents(stat_path, &text, NULL, NULL) ||
            !(p = strrchr(text, ')')) || sscanf(p + 2, "%*c %d", &ppid) != 1 ||
            ppid != getpid()) {
            continue;
        }
        g_free(text);
        status_path = g_strdup_printf("/proc/%s/status", name);
        g_assert_true(g_file_get_contents(status_path, &text, NULL, NULL));
        p = strstr(text, "VmRSS:");
        g_assert_nonnull(p);
        g_assert_cmpint(rss, ==, -1);           /* only one QEMU */
        rss = strtol(p + 6, NULL, 10);
    }
    g_assert_cmpint(rss, >, 0);
    return rss;
}

/*
 * QEMU grew by @grown KiB, less than @bound. Not under the sanitizers
 * (tests/run sets LAB_QEMU_SANITIZED): there every qtest command's freed
 * buffers wait in ASan's quarantine (256 MiB) and RSS measured 377 MiB
 * for the backpressure test; the plain build in make test is the check.
 */
static void assert_rss_growth(long grown, long bound)
{
    if (getenv("LAB_QEMU_SANITIZED")) {
        g_test_message("QEMU grew by %ld KiB: not checked under the "
                       "sanitizers", grown);
        return;
    }
    g_assert_cmpint(grown, <, bound);
}

/* An integer property of the QCA6584 */
/*
 * 10,000 frames (about 40 s here; 100,000 take 7 min): with the bound
 * QEMU did not grow by a page over the 9,000 after the socket filled,
 * without it by 4.7 MiB
 */
#define BACKPRESSURE_FRAMES 10000
#define BACKPRESSURE_RSS_KIB (2 * 1024)

/*
 * A network peer that stops reading: QEMU queues what the socket does
 * not take, and with a sent callback its queue has no limit, so the model
 * used to grow by a frame (~2.3 KB) for every frame the guest streamed.
 * The model keeps at most a batch waiting and discards the rest, as a
 * firmware with a finite queue does. Once the peer reads, frames flow.
 */
static void test_data_path_backpressure(void)
{
    uint8_t out[ETH_HDR_LEN + 1480], in[4096];
    long rss_before = 0, rss_after;
    unsigned i, sent = 0;
    ssize_t n;
    QcaHost host, *h = &host;
    QTestState *qts;
    int fd;

    qts = net_start_associated(h, &fd);

    memset(out, 0x3c, sizeof(out));
    memcpy(out, host_mac, 6);
    memcpy(out + 6, sta_mac, 6);
    stw_be_p(out + 12, 0x88b5);                 /* local experimental */
    for (i = 0; i < BACKPRESSURE_FRAMES; i++) {
        if (i == 1000) {
            rss_before = qemu_rss_kib();        /* the socket is full */
        }
        htt_tx(h, HTT_TX_PKT_ETH, 0, i & 0x3ff, out, sizeof(out));
        if (i % 16 == 15) {
            qca_drain_any(h);                    /* completions */
        }
    }
    rss_after = qemu_rss_kib();
    g_test_message("QEMU RSS %ld KiB after 1000 frames, %ld after %d",
                   rss_before, rss_after, BACKPRESSURE_FRAMES);
    assert_rss_growth(rss_after - rss_before, BACKPRESSURE_RSS_KIB);
    g_assert_cmpint(wifi_qom_get_int(qts, "tx-discarded"), >,
                    BACKPRESSURE_FRAMES / 2);

    /* the peer reads again: what waited goes out, then new frames do */
    while (recv(fd, in, sizeof(in), 0) > 0 || sent++ < 100) {
        qtest_clock_step(qts, 0);
    }
    qca_drain_any(h);
    out[ETH_HDR_LEN] = 0x42;
    htt_tx(h, HTT_TX_PKT_ETH, 0, 5, out, sizeof(out));
    n = net_recv(qts, fd, in, sizeof(in));
    g_assert_cmpint(n, ==, sizeof(out));
    g_assert_cmpmem(in, n, out, sizeof(out));
    qtest_quit(qts);
    close(fd);
}

/* Either AP's BSSID, mostly the first; or any address */
static const uint8_t *fuzz_bssid(LabFuzz *f, uint8_t *any)
{
    if (lab_fuzz_chance(f, 8)) {
        lab_fuzz_bytes(f, any, 6);
        return any;
    }
    return lab_fuzz_chance(f, 3) ? ap2_bssid : ap_bssid;
}

/* A frame from the host: native Wi-Fi, raw, Ethernet or random type */
static void fuzz_net_tx(QcaHost *h, LabFuzz *f)
{
    static const uint8_t types[] = {
        HTT_TX_PKT_NWIFI, HTT_TX_PKT_NWIFI, HTT_TX_PKT_RAW, HTT_TX_PKT_ETH,
        HTT_TX_PKT_ETH, HTT_TX_PKT_MGMT, 4, 7,
    };
    uint8_t frame[HTC_MSG_MAX], dst[6], any[6];
    unsigned type = types[lab_fuzz_below(f, G_N_ELEMENTS(types))];
    unsigned n = 0, len;
    uint16_t ethertype;

    lab_fuzz_bytes(f, dst, sizeof(dst));
    if (type == HTT_TX_PKT_ETH) {
        memcpy(frame, lab_fuzz_chance(f, 4) ? dst : host_mac, 6);
        memcpy(frame + 6, sta_mac, 6);
        n = ETH_HDR_LEN;
    } else {
        n = wifi_hdr(frame, lab_fuzz_chance(f, 8) ? (uint8_t)lab_fuzz_next(f)
                     : lab_fuzz_chance(f, 2) ? FC0_DATA : FC0_QOS_DATA,
                     lab_fuzz_chance(f, 8) ? (uint8_t)lab_fuzz_next(f)
                     : FC1_TO_DS, fuzz_bssid(f, any),
                     lab_fuzz_chance(f, 8) ? dst : sta_mac,
                     lab_fuzz_chance(f, 2) ? dst : host_mac);
        if (frame[0] == FC0_QOS_DATA) {
            n += 2;
            frame[WIFI_HDR_LEN] = lab_fuzz_below(f, 16);
            frame[WIFI_HDR_LEN + 1] = 0;
        }
        memcpy(frame + n, llc_snap, 6);
        if (lab_fuzz_chance(f, 16)) {
            frame[n + lab_fuzz_below(f, 6)] ^= 1;
        }
        n += 8;
    }
    len = lab_fuzz_l3(f, frame + n, &ethertype);
    stw_be_p(frame + n - 2, ethertype);
    len = MIN(n + len, HTC_MSG_MAX - HTC_HDR_LEN - HTT_TX_DESC_LEN);
    if (lab_fuzz_chance(f, 8)) {
        len = lab_fuzz_below(f, len + 1);       /* cut anywhere */
    }
    htt_tx(h, type, lab_fuzz_chance(f, 4) ? (uint16_t)lab_fuzz_next(f)
                      : lab_fuzz_chance(f, 4) ? 0 : HTT_TX_CSUM,
           lab_fuzz_next(f), frame, len);
}

/* A frame from the network: for us, broadcast or not, any type and size */
static void fuzz_net_rx(LabFuzz *f, int fd)
{
    uint8_t frame[2400];
    unsigned len;
    uint16_t ethertype;

    switch (lab_fuzz_below(f, 4)) {
    case 0:
        memset(frame, 0xff, 6);
        break;
    case 1:
        lab_fuzz_bytes(f, frame, 6);
        break;
    default:
        memcpy(frame, sta_mac, 6);
        break;
    }
    if (lab_fuzz_chance(f, 8)) {
        memcpy(frame + 6, sta_mac, 6);
    } else {
        lab_fuzz_bytes(f, frame + 6, 6);
    }
    len = ETH_HDR_LEN + lab_fuzz_l3(f, frame + ETH_HDR_LEN, &ethertype);
    stw_be_p(frame + 12, ethertype);
    if (lab_fuzz_chance(f, 8)) {
        /* not 0: QEMU's socket netdev takes that for the link's end */
        len = lab_fuzz_chance(f, 2) ? 1 + lab_fuzz_below(f, ETH_HDR_LEN)
                                    : 1500 + lab_fuzz_below(f, 900);
        lab_fuzz_bytes(f, frame + ETH_HDR_LEN, sizeof(frame) - ETH_HDR_LEN);
    }
    send(fd, frame, len, 0);    /* a full socket drops it, as a link would */
}

/* Authentication, (re)association, their undoing, probes: any body */
static void fuzz_net_mgmt(QcaHost *h, LabFuzz *f)
{
    static const uint8_t fc0[] = {
        FC0_AUTH, FC0_AUTH, FC0_ASSOC_REQ, FC0_REASSOC_REQ, FC0_PROBE_REQ,
        FC0_DISASSOC, FC0_DEAUTH,
    };
    uint8_t body[200], any[6];
    unsigned blen = lab_fuzz_below(f, sizeof(body));
    const uint8_t *bssid = lab_fuzz_chance(f, 8) ? broadcast_mac
                                                 : fuzz_bssid(f, any);

    lab_fuzz_bytes(f, body, sizeof(body));
    if (blen >= 6 && lab_fuzz_chance(f, 2)) {
        memcpy(body, "\0\0\1\0\0\0", 6);         /* open system, seq 1 */
    }
    sta_mgmt_to(h, bssid, fc0[lab_fuzz_below(f, G_N_ELEMENTS(fc0))], body,
                blen);
}

/*
 * A run-time knob of either AP: its signal (out of range too, which QEMU
 * refuses), on or off
 */
static void fuzz_net_ap_knob(QTestState *qts, LabFuzz *f)
{
    g_autofree char *path = g_strdup_printf("/machine/wifi/ap[%u]",
                                            lab_fuzz_below(f, 2));
    QDict *resp;

    if (lab_fuzz_chance(f, 4)) {
        resp = qtest_qmp(qts, "{ 'execute': 'qom-set', 'arguments': "
                         "{ 'path': %s, 'property': 'enabled', "
                         "'value': %i } }", path, lab_fuzz_chance(f, 4) ? 0
                                                                        : 1);
    } else {
        uint32_t snr = lab_fuzz_chance(f, 8) ? lab_fuzz_next(f)
                                             : lab_fuzz_below(f, 91);

        resp = qtest_qmp(qts, "{ 'execute': 'qom-set', 'arguments': "
                         "{ 'path': %s, 'property': 'snr', 'value': %u } }",
                         path, snr);
    }
    qobject_unref(resp);
}

#define HTC_MSG_SETUP_COMPLETE  5
#define HTT_T2H_TX_CREDIT       0xf
#define HTT_TX_WANTS_COMPL      (1 << 15)

/*
 * The target's messages until none is left: the sum of the HTT credit
 * updates, and how many TX completions (of @msdu_id, if it is >= 0)
 */
static unsigned htt_credits_read(QcaHost *h, unsigned *compl, int msdu_id)
{
    uint8_t msg[8 * QCA_BLOCK_SIZE], *m = msg + HTC_HDR_LEN;
    unsigned credits = 0;
    int n;

    *compl = 0;
    while ((n = htc_read(h, msg, sizeof(msg))) >= 0) {
        if (msg[0] != HTC_EP_HTT || n < 4) {
            continue;
        }
        if (m[0] == HTT_T2H_TX_CREDIT) {
            g_assert_cmphex(m[1], ==, 0);       /* a positive delta */
            credits += lduw_le_p(m + 2);
        } else if (m[0] == HTT_T2H_TX_COMPL &&
                   (msdu_id < 0 || lduw_le_p(m + 4) == msdu_id)) {
            *compl += m[2];
        }
    }
    return credits;
}

/*
 * Reduced TX completions, as ath10k_sdio asks for them (hi_acs_flags
 * before BMI_DONE) and the firmware takes them on: it says so in
 * hi_acs_flags, gives the HTT endpoint its credits at SETUP_COMPLETE,
 * returns a credit for each HTT message after its transfer, and completes
 * only the frames that ask for it (mgmt ones, flags1 bit 15); a data
 * frame is complete once sent, and reaches the network all the same.
 */
static void test_data_path_reduced_completions(void)
{
    uint8_t buf[QCA_BLOCK_SIZE] = { 0 }, in[256], frame[64];
    uint8_t setup[4] = { HTC_MSG_SETUP_COMPLETE };
    QcaHost host, *h = &host;
    unsigned compl, n;
    QTestState *qts;
    int fd;

    qts = net_start_boot(h, &fd, "", htc_boot_reduced);
    stl_le_p(buf, HI_ACS_FLAGS);
    sdio_rw_bytes(qts, cmd53_pio, true, 1, QCA_WINDOW_RD_ADDR, true, buf, 4);
    sdio_rw_bytes(qts, cmd53_pio, false, 1, QCA_WINDOW_DATA, true, buf, 4);
    g_assert_cmphex(ldl_le_p(buf), ==,
                    HI_ACS_REDUCE_TX_COMPL | HI_ACS_REDUCE_TX_ACK);
    htc_send(h, HTC_EP_CONTROL, setup, sizeof(setup));
    g_assert_cmpuint(htt_credits_read(h, &compl, -1), ==, 32);

    net_associate(h, fd);
    htt_credits_read(h, &compl, -1);
    g_assert_cmpuint(compl, ==, 0);     /* the mgmt frames did not ask */

    /* a data frame: to the network, a credit back, no completion */
    memset(frame, 0, sizeof(frame));
    memcpy(frame, host_mac, 6);
    memcpy(frame + 6, sta_mac, 6);
    stw_be_p(frame + 12, ETHERTYPE_IPV4);
    htt_tx(h, HTT_TX_PKT_ETH, 0, 5, frame, sizeof(frame));
    g_assert_cmpint(net_recv(qts, fd, in, sizeof(in)), ==, sizeof(frame));
    g_assert_cmpuint(htt_credits_read(h, &compl, -1), ==, 1);
    g_assert_cmpuint(compl, ==, 0);

    /* a management frame that asks for its completion gets it */
    n = wifi_hdr(frame, FC0_PROBE_REQ, 0, ap_bssid, sta_mac, ap_bssid);
    htt_tx(h, HTT_TX_PKT_MGMT, HTT_TX_WANTS_COMPL, 6, frame, n);
    g_assert_cmpuint(htt_credits_read(h, &compl, 6), ==, 1);
    g_assert_cmpuint(compl, ==, 1);
    qtest_quit(qts);
    close(fd);
}

/* -- WPA2 ----------------------------------------------------------------- */

/* What the AP sent while a test waited for its next EAPOL frame */
typedef struct Wpa2Seen {
    uint8_t eapol[512];                 /* the EAPOL frame, from its version */
    unsigned len;
    uint8_t fc1;                        /* its 802.11 frame's flags */
    uint16_t deauth;                    /* the reason of a deauth, if one */
    unsigned data;                      /* other data frames (RX_IND) */
} Wpa2Seen;

/*
 * The messages the target queued, read; the first EAPOL frame the AP sent
 * kept in @seen (true), waiting up to @ms of virtual time for one
 */
static bool wpa2_wait(QcaHost *h, Wpa2Seen *seen, unsigned ms)
{
    uint8_t msg[8 * QCA_BLOCK_SIZE], *f;
    unsigned t;
    int n;

    seen->len = 0;
    for (t = 0; t <= ms; t += 10) {
        while ((n = htc_read(h, msg, sizeof(msg))) >= 0) {
            f = msg + HTC_HDR_LEN + HTT_RX_IND_HL_LEN;
            if (msg[0] == HTC_EP_HTT && msg[HTC_HDR_LEN] == HTT_T2H_RX_IND &&
                n >= HTT_RX_IND_HL_LEN + WIFI_HDR_LEN + 8) {
                if (memcmp(f + WIFI_HDR_LEN, llc_snap, 6) ||
                    lduw_be_p(f + WIFI_HDR_LEN + 6) != ETHERTYPE_EAPOL) {
                    seen->data++;
                    continue;
                }
                seen->len = n - HTT_RX_IND_HL_LEN - WIFI_HDR_LEN - 8;
                g_assert_cmpuint(seen->len, <=, sizeof(seen->eapol));
                memcpy(seen->eapol, f + WIFI_HDR_LEN + 8, seen->len);
                seen->fc1 = f[1];
                return true;
            }
            /* MGMT_RX: event id, TLV header, 40-byte header, TLV, frame */
            f = msg + HTC_HDR_LEN + 4 + 4 + 40 + 4;
            if (msg[0] == HTC_EP_WMI && n >= 4 + 4 + 40 + 4 + 26 &&
                ldl_le_p(msg + HTC_HDR_LEN) == WMI_MGMT_RX &&
                f[0] == FC0_DEAUTH) {
                seen->deauth = lduw_le_p(f + WIFI_HDR_LEN);
            }
        }
        qtest_clock_step(h->qts, 10 * 1000 * 1000);   /* 10 ms */
    }
    return false;
}

/* An EAPOL frame from the station, Protected (under its PTK) or not */
static void sta_eapol(QcaHost *h, const uint8_t *eapol, unsigned len,
                      bool protect)
{
    uint8_t frame[HTC_MSG_MAX];
    unsigned n = wifi_hdr(frame, FC0_DATA, FC1_TO_DS |
                          (protect ? FC1_PROTECTED : 0), ap_bssid, sta_mac,
                          ap_bssid);

    len = MIN(len, sizeof(frame) - HTC_HDR_LEN - HTT_TX_DESC_LEN - n - 8);
    memcpy(frame + n, llc_snap, 6);
    stw_be_p(frame + n + 6, ETHERTYPE_EAPOL);
    memcpy(frame + n + 8, eapol, len);
    htt_tx(h, HTT_TX_PKT_NWIFI, 0, 3, frame, n + 8 + len);
}

/* Authenticated and associated with the AP's RSN element, M1 not yet */
static void wpa2_associate(QcaHost *h, int fd, const uint8_t *rsne,
                           unsigned rsne_len)
{
    uint8_t assoc[4 + 8 + 64] = { 0x11, 0x04, 0x0a, 0x00, 0, 6 };

    memcpy(assoc + 6, "lab-ap", 6);
    g_assert_cmpuint(rsne_len, <=, 64);
    memcpy(assoc + 12, rsne, rsne_len);
    sta_join(h, fd, assoc, 12 + rsne_len);
}

/* VDEV_INSTALL_KEY of a CCMP key (@key NULL: a delete) for the AP peer */
static void wpa2_install_key(QcaHost *h, bool group, uint32_t idx,
                             const uint8_t *key)
{
    uint8_t buf[4 + 4 + 92 + 4 + 16] = { 0 }, *cmd = buf + 8;

    stl_le_p(buf, WMI_INSTALL_KEY);
    stw_le_p(buf + 4, 92);
    stw_le_p(buf + 6, WMI_TAG_INSTALL_KEY);
    memcpy(cmd + 4, ap_bssid, 6);
    stl_le_p(cmd + 12, idx);
    stl_le_p(cmd + 16, group ? WMI_KEY_GROUP : 0);
    stl_le_p(cmd + 20, key ? WMI_CIPHER_CCMP : 0);
    stl_le_p(cmd + 80, key ? 16 : 0);
    stw_le_p(cmd + 92, 16);
    stw_le_p(cmd + 94, WMI_TAG_ARRAY_BYTE);
    if (key) {
        memcpy(cmd + 96, key, 16);
    }
    htc_send(h, HTC_EP_WMI, buf, sizeof(buf));
}

/* The next HTT message but completions is a SEC_IND for peer 1, @flags */
static void assert_sec_ind(QcaHost *h, uint8_t flags)
{
    uint8_t msg[8 * QCA_BLOCK_SIZE];
    unsigned i;
    int n;

    for (i = 0; i < 10; i++) {
        n = htc_read(h, msg, sizeof(msg));
        g_assert_cmpint(n, >=, 0);
        if (msg[0] == HTC_EP_HTT && msg[HTC_HDR_LEN] != HTT_T2H_TX_COMPL) {
            break;
        }
    }
    g_assert_cmpint(n, ==, 28);
    g_assert_cmphex(msg[HTC_HDR_LEN], ==, HTT_T2H_SEC_IND);
    g_assert_cmphex(msg[HTC_HDR_LEN + 1], ==, flags);
    g_assert_cmpuint(lduw_le_p(msg + HTC_HDR_LEN + 2), ==, 1);
}

/* The 4-way handshake to its end, answered by @sta; the PTK installed */
static void wpa2_handshake(QcaHost *h, int fd, LabWpa2Sta *sta)
{
    uint8_t answer[256];
    int64_t handshakes = wifi_qom_get_int(h->qts, "ap-handshakes");
    Wpa2Seen seen = { 0 };
    uint16_t info;

    lab_wpa2_init(sta, WPA2_PSK, "lab-ap", ap_bssid, sta_mac);
    wpa2_associate(h, fd, lab_wpa2_rsne, LAB_RSNE_LEN);

    /* message 1: in the clear, no MIC, the ANonce */
    g_assert_true(wpa2_wait(h, &seen, 100));
    g_assert_true(lab_wpa2_from_ap(sta, seen.eapol, seen.len, &info));
    g_assert_cmphex(info, ==, 0x008a);
    g_assert_cmphex(seen.fc1, ==, FC1_FROM_DS);
    sta_eapol(h, answer, lab_wpa2_answer(sta, info, answer), false);

    /* message 3: the MIC our KCK gives, the GTK wrapped (56 bytes) */
    g_assert_true(wpa2_wait(h, &seen, 100));
    g_assert_true(lab_wpa2_from_ap(sta, seen.eapol, seen.len, &info));
    g_assert_cmphex(info, ==, 0x13ca);
    g_assert_cmpuint(lduw_be_p(seen.eapol + LAB_EAPOL_OFF_DATA_LEN), ==, 56);
    sta_eapol(h, answer, lab_wpa2_answer(sta, info, answer), false);
    g_assert_false(wpa2_wait(h, &seen, 0));
    g_assert_cmpint(wifi_qom_get_int(h->qts, "ap-handshakes"), ==,
                    handshakes + 1);

    wpa2_install_key(h, false, 0, sta->tk);
    assert_sec_ind(h, HTT_SEC_CCMP_UCAST);
}

/*
 * A UDP datagram from the network to the station: its 802.11 frame's
 * flags and its RX_IND's descriptor (info, PN) in @fc1, @info, @pn;
 * false if the chip delivered nothing
 */
static bool wpa2_datagram_in(QcaHost *h, int fd, uint8_t *fc1,
                             uint32_t *info, uint64_t *pn)
{
    uint8_t out[64] = { 0 }, msg[8 * QCA_BLOCK_SIZE];
    unsigned i;
    int n;

    memcpy(out, sta_mac, 6);
    memcpy(out + 6, host_mac, 6);
    stw_be_p(out + 12, ETHERTYPE_IPV4);
    out[14] = 0x45;
    stw_be_p(out + 16, 50);
    out[23] = 17;
    g_assert_cmpint(send(fd, out, sizeof(out), 0), ==, sizeof(out));
    for (i = 0; i < 20; i++) {
        qtest_clock_step(h->qts, 0);
        while ((n = htc_read(h, msg, sizeof(msg))) >= 0) {
            if (msg[0] == HTC_EP_HTT && msg[HTC_HDR_LEN] == HTT_T2H_RX_IND) {
                *fc1 = msg[HTC_HDR_LEN + HTT_RX_IND_HL_LEN + 1];
                *info = ldl_le_p(msg + HTC_HDR_LEN + 56);
                *pn = ldl_le_p(msg + HTC_HDR_LEN + 60) |
                      (uint64_t)lduw_le_p(msg + HTC_HDR_LEN + 64) << 32;
                return true;
            }
        }
    }
    return false;
}

/* A UDP datagram from the station; whether it reached the network */
static bool wpa2_datagram_out(QcaHost *h, int fd, bool protect)
{
    uint8_t frame[128], in[256];
    unsigned n = wifi_hdr(frame, FC0_DATA, FC1_TO_DS |
                          (protect ? FC1_PROTECTED : 0), ap_bssid, sta_mac,
                          host_mac);
    int i;

    memcpy(frame + n, llc_snap, 6);
    stw_be_p(frame + n + 6, ETHERTYPE_IPV4);
    memset(frame + n + 8, 0, 28);
    frame[n + 8] = 0x45;
    stw_be_p(frame + n + 10, 28);
    frame[n + 17] = 17;
    net_drain(h, fd);
    htt_tx(h, HTT_TX_PKT_NWIFI, 0, 9, frame, n + 8 + 28);
    for (i = 0; i < 20; i++) {
        qtest_clock_step(h->qts, 0);
        if (recv(fd, in, sizeof(in), 0) > 0) {
            return true;
        }
    }
    return false;
}

/*
 * The whole 4-way handshake, message by message: the port stays closed
 * to data until it ends (both ways); then the AP's frames come Protected
 * and decrypted, with the descriptor's encrypted flag and a PN that rises
 * from 1, the station's Protected frames reach the network and its clear
 * ones do not; with another pairwise key in the chip nothing decrypts.
 */
static void test_wpa2_handshake(void)
{
    static const uint8_t wrong_key[16] = { 0x5a };
    QcaHost host, *h = &host;
    QTestState *qts;
    LabWpa2Sta sta;
    uint8_t fc1;
    uint32_t info;
    uint64_t pn;
    int fd;

    qts = net_start_with(h, &fd, WPA2_ARGS);
    wpa2_associate(h, fd, lab_wpa2_rsne, LAB_RSNE_LEN);
    g_assert_false(wpa2_datagram_in(h, fd, &fc1, &info, &pn));
    g_assert_false(wpa2_datagram_out(h, fd, false));
    wpa2_handshake(h, fd, &sta);

    g_assert_true(wpa2_datagram_in(h, fd, &fc1, &info, &pn));
    g_assert_cmphex(fc1, ==, FC1_FROM_DS | FC1_PROTECTED);
    g_assert_cmphex(info & HTT_RX_ENCRYPTED, ==, HTT_RX_ENCRYPTED);
    g_assert_cmpuint(pn, ==, 1);
    g_assert_true(wpa2_datagram_in(h, fd, &fc1, &info, &pn));
    g_assert_cmpuint(pn, ==, 2);
    g_assert_true(wpa2_datagram_out(h, fd, true));
    g_assert_false(wpa2_datagram_out(h, fd, false));

    wpa2_install_key(h, false, 0, wrong_key);
    assert_sec_ind(h, HTT_SEC_CCMP_UCAST);
    g_assert_false(wpa2_datagram_in(h, fd, &fc1, &info, &pn));
    g_assert_false(wpa2_datagram_out(h, fd, true));
    qtest_quit(qts);
    close(fd);
}

/*
 * Another passphrase: every message 2 fails its MIC and is ignored; the
 * AP sends message 1 four times, a second apart, each with a new replay
 * counter, and then deauthenticates the station with reason 15
 */
static void test_wpa2_wrong_passphrase(void)
{
    QcaHost host, *h = &host;
    Wpa2Seen seen = { 0 };
    uint8_t answer[256];
    QTestState *qts;
    LabWpa2Sta sta;
    uint16_t info;
    int fd, i;

    qts = net_start_with(h, &fd, WPA2_ARGS);
    lab_wpa2_init(&sta, "not-the-passphrase", "lab-ap", ap_bssid, sta_mac);
    wpa2_associate(h, fd, lab_wpa2_rsne, LAB_RSNE_LEN);
    for (i = 1; i <= 4; i++) {
        g_assert_true(wpa2_wait(h, &seen, 1100));
        g_assert_true(lab_wpa2_from_ap(&sta, seen.eapol, seen.len, &info));
        g_assert_cmphex(info, ==, 0x008a);
        g_assert_cmpuint(sta.replay, ==, i);
        sta_eapol(h, answer, lab_wpa2_answer(&sta, info, answer), false);
    }
    g_assert_false(wpa2_wait(h, &seen, 1100));
    g_assert_cmpuint(seen.deauth, ==, REASON_4WAY_TIMEOUT);
    g_assert_cmpint(wifi_qom_get_int(qts, "ap-bad-mics"), ==, 4);
    g_assert_cmpint(wifi_qom_get_int(qts, "ap-handshakes"), ==, 0);
    qtest_quit(qts);
    close(fd);
}

/* An association request's RSN element: the AP's offer, or mangled */
static unsigned fuzz_wpa2_rsne(LabFuzz *f, uint8_t *rsne)
{
    unsigned len = LAB_RSNE_LEN;

    memcpy(rsne, lab_wpa2_rsne, LAB_RSNE_LEN);
    if (lab_fuzz_chance(f, 3)) {
        rsne[2 + lab_fuzz_below(f, 20)] = lab_fuzz_next(f);
    }
    if (lab_fuzz_chance(f, 4)) {
        len = 2 + lab_fuzz_below(f, 62);
        rsne[1] = lab_fuzz_chance(f, 2) ? len - 2 : lab_fuzz_next(f);
        lab_fuzz_bytes(f, rsne + LAB_RSNE_LEN,
                       MAX(len, LAB_RSNE_LEN) - LAB_RSNE_LEN);
    }
    return len;
}

/*
 * An EAPOL frame from the station: the right answer to the AP's last
 * message (a valid MIC and replay counter), or one with its key info,
 * replay counter, body or key data length at their boundaries, a MIC
 * recomputed over the damage or not, cut anywhere or padded
 */
static void fuzz_wpa2_eapol(QcaHost *h, LabFuzz *f, LabWpa2Sta *sta,
                            uint16_t ap_info)
{
    uint8_t frame[600];
    unsigned len = lab_wpa2_answer(sta, ap_info, frame);

    if (lab_fuzz_chance(f, 3)) {
        switch (lab_fuzz_below(f, 6)) {
        case 0:
            stw_be_p(frame + LAB_EAPOL_OFF_INFO, lab_fuzz_next(f));
            break;
        case 1:
            stq_be_p(frame + LAB_EAPOL_OFF_REPLAY, sta->replay +
                     (int)lab_fuzz_below(f, 5) - 2);
            break;
        case 2:
            stw_be_p(frame + 2, lab_fuzz_length(f, len - 4, 95));
            break;
        case 3:
            stw_be_p(frame + LAB_EAPOL_OFF_DATA_LEN,
                     lab_fuzz_length(f, len - LAB_EAPOL_KEY_MIN, 0));
            break;
        case 4:
            frame[lab_fuzz_below(f, 5)] = lab_fuzz_next(f);
            break;
        default:
            lab_fuzz_bytes(f, frame + LAB_EAPOL_KEY_MIN,
                           sizeof(frame) - LAB_EAPOL_KEY_MIN);
            len = LAB_EAPOL_KEY_MIN + lab_fuzz_below(f, 400);
            stw_be_p(frame + 2, lab_fuzz_length(f, len - 4, 95));
            stw_be_p(frame + LAB_EAPOL_OFF_DATA_LEN,
                     lab_fuzz_length(f, len - LAB_EAPOL_KEY_MIN, 0));
            break;
        }
        if (lab_fuzz_chance(f, 2)) {
            lab_wpa2_put_mic(sta->kck, frame, MIN(len, sizeof(frame)));
        }
    }
    if (lab_fuzz_chance(f, 8)) {
        len = lab_fuzz_below(f, len + 1);
    } else if (lab_fuzz_chance(f, 8)) {
        memset(frame + len, 0, 16);              /* padding after it */
        len += lab_fuzz_below(f, 17);
    }
    sta_eapol(h, frame, len, lab_fuzz_chance(f, 3));
}

/* VDEV_INSTALL_KEY of any shape: cipher, index, lengths, peer, TLVs */
static void fuzz_wpa2_install_key(QcaHost *h, LabFuzz *f, LabWpa2Sta *sta)
{
    uint8_t buf[4 + 4 + 92 + 4 + 64] = { 0 }, *cmd = buf + 8;
    unsigned len = sizeof(buf);

    stl_le_p(buf, WMI_INSTALL_KEY);
    stw_le_p(buf + 4, lab_fuzz_length(f, 92, 0));
    stw_le_p(buf + 6, lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 200)
                                            : WMI_TAG_INSTALL_KEY);
    lab_fuzz_bytes(f, cmd, 92);
    if (lab_fuzz_chance(f, 2)) {
        memcpy(cmd + 4, ap_bssid, 6);
    }
    stl_le_p(cmd + 12, lab_fuzz_chance(f, 2) ? lab_fuzz_below(f, 5)
                                             : lab_fuzz_next(f));
    stl_le_p(cmd + 16, lab_fuzz_below(f, 4));
    stl_le_p(cmd + 20, lab_fuzz_chance(f, 4) ? lab_fuzz_below(f, 10)
                       : lab_fuzz_chance(f, 3) ? 0 : WMI_CIPHER_CCMP);
    stl_le_p(cmd + 80, lab_fuzz_chance(f, 2) ? 16 : lab_fuzz_length(f, 16, 0));
    stw_le_p(cmd + 92, lab_fuzz_length(f, 16, 0));
    stw_le_p(cmd + 94, lab_fuzz_chance(f, 8) ? lab_fuzz_below(f, 40)
                                             : WMI_TAG_ARRAY_BYTE);
    memcpy(cmd + 96, sta->tk, 16);
    if (lab_fuzz_chance(f, 4)) {
        lab_fuzz_bytes(f, cmd + 96, 64);
    }
    if (lab_fuzz_chance(f, 6)) {
        len = 4 + lab_fuzz_below(f, sizeof(buf) - 3);    /* cut anywhere */
    }
    htc_send(h, HTC_EP_WMI, buf, len);
}

/* Bump when the operation mix below changes (lab-fuzz.h) */
#define QCA_WPA2_FUZZ_GEN 2        /* 2: AP off/on, drops, crashes */

/*
 * The WPA2 authenticator and the chip's keys under a station that mostly
 * follows the handshake and often does not (lab-fuzz.h): associations
 * with any RSN element, EAPOL frames that answer the AP's last message
 * right, late, early, mangled or cut, Protected or not; key installs of
 * any shape; group rekeys; data both ways; virtual time that lets the
 * AP's retransmissions and deauthentication fire; the AP switched off
 * and on, dropping the station, the firmware crashing. Every 200 operations
 * the chip is reset and a clean handshake must still complete, with a
 * Protected datagram each way.
 */
static void test_wpa2_fuzz(const void *repro)
{
    QcaHost host, *h = &host;
    Wpa2Seen seen = { 0 };
    uint8_t rsne[64], fc1;
    uint16_t ap_info = 0x008a;
    static const struct {
        const char *name;
        bool is_bool;
        int value;
    } knobs[] = {
        { "ap-rekey", true, 1 }, { "ap-rekey", true, 1 },
        { "ap-enabled", true, 0 }, { "ap-enabled", true, 1 },
        { "ap-deauth", false, 3 }, { "ap-disassoc", false, 8 },
        { "fw-crash", false, 1 },
    };
    unsigned knob;
    QTestState *qts;
    LabWpa2Sta sta;
    uint32_t info;
    uint64_t pn;
    LabFuzz f;
    int fd;

    qts = net_start_with(h, &fd, WPA2_ARGS);
    lab_fuzz_init(&f, "qca6584-wpa2", QCA_WPA2_FUZZ_GEN, repro);
    wpa2_handshake(h, fd, &sta);
    while (lab_fuzz_more(&f)) {
        switch (lab_fuzz_below(&f, 12)) {
        case 0:
            wpa2_associate(h, fd, rsne, fuzz_wpa2_rsne(&f, rsne));
            break;
        case 1 ... 4:
            fuzz_wpa2_eapol(h, &f, &sta, ap_info);
            break;
        case 5:
            fuzz_wpa2_install_key(h, &f, &sta);
            break;
        case 6:
            /* a group rekey, the AP off or on, a deauth, a firmware crash */
            knob = lab_fuzz_below(&f, G_N_ELEMENTS(knobs));
            if (knobs[knob].is_bool) {
                qtest_qmp_assert_success(qts, "{ 'execute': 'qom-set', "
                                         "'arguments': { 'path': "
                                         "'/machine/wifi', 'property': %s, "
                                         "'value': %i } }", knobs[knob].name,
                                         knobs[knob].value);
            } else {
                wifi_qom_set_uint(qts, knobs[knob].name, knobs[knob].value);
            }
            break;
        case 7:
            wpa2_datagram_in(h, fd, &fc1, &info, &pn);
            break;
        case 8:
            wpa2_datagram_out(h, fd, lab_fuzz_chance(&f, 2));
            break;
        case 9:
            fuzz_net_mgmt(h, &f);
            break;
        default:
            /* the AP's next message, if it sent one in that time */
            qtest_clock_step(qts, lab_fuzz_below(&f, 1500) * 1000 * 1000);
            if (wpa2_wait(h, &seen, 0) &&
                !lab_wpa2_from_ap(&sta, seen.eapol, seen.len, &ap_info)) {
                ap_info = lduw_be_p(seen.eapol + LAB_EAPOL_OFF_INFO);
            }
            break;
        }
        if (f.done % 200 == 0) {
            qtest_qmp_assert_success(qts, "{ 'execute': 'qom-set', "
                                     "'arguments': { 'path': '/machine/wifi',"
                                     " 'property': 'ap-enabled', "
                                     "'value': true } }");
            net_settle(h, fd);
            sdio_enumerate(qts);
            htc_boot(h);
            wpa2_handshake(h, fd, &sta);
            g_assert_true(wpa2_datagram_in(h, fd, &fc1, &info, &pn));
            g_assert_cmphex(fc1, ==, FC1_FROM_DS | FC1_PROTECTED);
            g_assert_true(wpa2_datagram_out(h, fd, true));
            ap_info = 0x008a;
        }
    }
    qtest_quit(qts);
    close(fd);
    lab_fuzz_end(&f);
}

/*
 * Bump when the operation mix below changes (lab-fuzz.h). 2: the L3
 * headers of lab-net-fuzz.h (lengths at their boundaries, whole
 * datagrams, VLAN tags), and a peer that stops reading. 3: half the
 * boots with reduced TX completions (HTT credits). 4: two APs (aps=),
 * frames to either BSSID, their signal and power switched at run time.
 */
#define QCA_NET_FUZZ_GEN 4

/*
 * Random frames both ways through the QCA6584 and its AP, the parsers a
 * guest and a network both feed (lab-fuzz.h): host frames of every HTT
 * packet type with half-sane 802.11, LLC/SNAP, IPv4/IPv6 and TCP/UDP
 * headers, checksum offload on and off, cut anywhere; network frames for
 * us, broadcast or others, runts and giants; management frames that
 * (de)authenticate and (dis)associate, with two APs to roam between;
 * peers created and deleted; the APs' signal and power switched; reads
 * or none (full FIFOs, a full socket), and stretches of about a hundred
 * operations where the network peer reads nothing (backpressure). Every
 * 200 operations after an I/O reset the station associates and a
 * datagram goes each way intact, and QEMU has not grown by more than
 * NET_FUZZ_RSS_KIB since the start.
 */
#define NET_FUZZ_RSS_KIB (32 * 1024)

static void test_net_fuzz(const void *repro)
{
    uint8_t setup[4] = { HTC_MSG_SETUP_COMPLETE };
    uint8_t cmd[16] = { 0 };
    QcaHost host, *h = &host;
    QTestState *qts;
    bool deaf = false;
    uint8_t any[6];
    long rss_start;
    LabFuzz f;
    int fd;

    qts = net_start_with(h, &fd, TWO_APS_ARGS);

    lab_fuzz_init(&f, "qca6584-net", QCA_NET_FUZZ_GEN, repro);
    assert_data_path_ok(h, fd, 1);
    rss_start = qemu_rss_kib();
    while (lab_fuzz_more(&f)) {
        switch (lab_fuzz_below(&f, 14)) {
        case 0 ... 3:
            fuzz_net_tx(h, &f);
            break;
        case 4 ... 6:
            fuzz_net_rx(&f, fd);
            break;
        case 7:
            fuzz_net_mgmt(h, &f);
            break;
        case 8:
            memcpy(cmd + 4, fuzz_bssid(&f, any), 6);
            wmi_send(h, lab_fuzz_chance(&f, 2) ? WMI_PEER_CREATE
                                                 : WMI_PEER_DELETE,
                     lab_fuzz_chance(&f, 2) ? WMI_TAG_PEER_CREATE
                                            : WMI_TAG_PEER_DELETE,
                     cmd, sizeof(cmd));
            break;
        case 9 ... 10:
            if (deaf) {
                qca_drain_any(h);        /* the host reads, the peer not */
            } else {
                net_drain(h, fd);
            }
            break;
        case 11:
            qtest_clock_step(qts, lab_fuzz_below(&f, 20000000));
            break;
        case 12:
            if (lab_fuzz_chance(&f, 8)) {
                deaf = !deaf;
            }
            break;
        case 13:
            fuzz_net_ap_knob(qts, &f);
            break;
        }
        if (f.done % 200 == 0) {
            deaf = false;
            net_settle(h, fd);
            assert_rss_growth(qemu_rss_kib() - rss_start, NET_FUZZ_RSS_KIB);
            sdio_enumerate(qts);
            if (lab_fuzz_chance(&f, 2)) {
                /* the firmware as Linux runs it: credits, fewer completions */
                htc_boot_reduced(h);
                htc_send(h, HTC_EP_CONTROL, setup, sizeof(setup));
                qca_drain_any(h);
            } else {
                htc_boot(h);
            }
            qtest_qmp_assert_success(qts, "{ 'execute': 'qom-set', "
                                     "'arguments': { 'path': '/machine/wifi',"
                                     " 'property': 'ap-enabled', "
                                     "'value': true } }");
            assert_data_path_ok(h, fd, 1);
        }
    }
    qtest_quit(qts);
    close(fd);
    lab_fuzz_end(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/qca6584-net/data-path", test_data_path);
    qtest_add_func("/qca6584-net/roam", test_roam);
    qtest_add_func("/qca6584-net/data-path/ihl-beyond-length",
                   test_data_path_ihl_beyond_length);
    qtest_add_func("/qca6584-net/data-path/backpressure",
                   test_data_path_backpressure);
    qtest_add_func("/qca6584-net/data-path/reduced-completions",
                   test_data_path_reduced_completions);
    qtest_add_data_func("/qca6584-net/snapshot/associated", NULL,
                        test_snapshot_associated);
    qtest_add_data_func("/qca6584-net/snapshot/stream/associated",
                        "qca6584-associated", test_snapshot_associated);
    lab_fuzz_add_tests("/qca6584-net/fuzz", "qca6584-net", test_net_fuzz);
    qtest_add_func("/qca6584-net/wpa2/handshake", test_wpa2_handshake);
    qtest_add_func("/qca6584-net/wpa2/wrong-passphrase",
                   test_wpa2_wrong_passphrase);
    lab_fuzz_add_tests("/qca6584-net/wpa2/fuzz", "qca6584-wpa2",
                       test_wpa2_fuzz);
    return g_test_run();
}
