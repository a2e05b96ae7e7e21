/*
 * QTest for the imx7d-custom kernel-lab machine: what the board promises
 * before any peripheral of the lab is attached (CPUs, RAM, SoC identity,
 * and the controllers the display and Wi-Fi slots hang off).
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#include "qemu/osdep.h"
#include <sys/socket.h>
#include <sys/un.h>
#include "qemu/units.h"
#include "qemu/bswap.h"
#include "libqtest-single.h"
#include <sys/socket.h>
#include "lab-fuzz.h"
#include "lab-net-fuzz.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"

#define ANALOG_DIGPROG      0x30360800  /* i.MX7 silicon revision */
#define ECSPI1_BASE         0x30820000
#define ECSPI_STATREG       0x18
#define ECSPI_STATREG_TE    (1 << 0)    /* TX FIFO empty */
#define USDHC1_BASE         0x30b40000
#define USDHC2_BASE         0x30b50000
#define SDHC_CAPAB          0x40        /* host controller capabilities */

/* The GIC's virtual interface control (GICH), in the A7 MPCore window */
#define GICH_THIS_CPU       0x31004000
#define GICH_CPU(n)         (0x31005000 + 0x200 * (n))
#define GICH_HCR            0x000
#define GICH_VTR            0x004
#define GICH_APR            0x0f0
#define GICH_LR0            0x100
#define GICH_HCR_EN         0x1

/* ENET1 (imx_fec, enhanced descriptors), its frames to a socket netdev */
#define ENET1_BASE          0x30be0000
#define ENET_TDAR           0x014
#define ENET_ECR            0x024
#define ENET_TDSR           0x184
#define ENET_TDAR_TDAR      (1u << 24)
#define ENET_ECR_ETHEREN    (1u << 1)
#define ENET_ECR_EN1588     (1u << 4)   /* enhanced (32-byte) descriptors */
#define ENET_BD_R           (1u << 15)
#define ENET_BD_W           (1u << 13)
#define ENET_BD_L           (1u << 11)
#define ENET_BD_PINS        (1u << 12)  /* option: insert TCP/UDP checksum */
#define ENET_BD_IINS        (1u << 11)  /* option: insert IPv4 checksum */
#define ENET_TX_DESC        0x80000000u
#define ENET_TX_DATA        0x80001000u
#define ETH_HLEN            14

static void test_two_cpus_by_default(void)
{
    QDict *resp = qmp("{ 'execute': 'query-cpus-fast' }");
    QList *cpus = qdict_get_qlist(resp, "return");

    g_assert_cmpint(qlist_size(cpus), ==, 2);
    qobject_unref(resp);
}

static void test_512mib_ram_by_default(void)
{
    QDict *resp = qmp("{ 'execute': 'query-memory-size-summary' }");
    QDict *ret = qdict_get_qdict(resp, "return");

    g_assert_cmpint(qdict_get_int(ret, "base-memory"), ==, 512 * MiB);
    qobject_unref(resp);
}

static void test_soc_is_imx7d(void)
{
    /* Linux's cpu_is_imx7d() reads this: major 0x72, revision 1.0 */
    g_assert_cmphex(readl(ANALOG_DIGPROG), ==, 0x00720010);
}

static void test_display_bus_present(void)
{
    /* ECSPI1 out of reset: TX FIFO empty */
    g_assert_cmphex(readl(ECSPI1_BASE + ECSPI_STATREG) & ECSPI_STATREG_TE,
                    ==, ECSPI_STATREG_TE);
}

#define ECSPI_RXDATA        0x00
#define ECSPI_TXDATA        0x04
#define ECSPI_CONREG        0x08
#define ECSPI_INTREG        0x10
#define ECSPI_CONREG_EN     (1 << 0)
#define ECSPI_CONREG_XCH    (1 << 2)
#define ECSPI_CONREG_MASTER0 (1 << 4)
#define ECSPI_CONREG_BL8    (7 << 20)
#define ECSPI_INTREG_TEEN   (1 << 0)
#define ECSPI_INTREG_RREN   (1 << 3)
#define ECSPI1_GIC_INPUT    31          /* SPI 31, GIC ID 63 */

/*
 * ECSPI1's interrupt line, as the A7 MPCore's input sees it, follows
 * STATREG & INTREG through every access that changes either: the model
 * drives the line only on a change, so a missed one would stick.
 */
static void test_ecspi_irq_follows_status(void)
{
    QTestState *qts = qtest_init("-machine imx7d-custom");
    uint32_t on = ECSPI_CONREG_EN | ECSPI_CONREG_MASTER0 | ECSPI_CONREG_BL8;
    int i;

    qtest_irq_intercept_in(qts, "/machine/soc/a7mpcore");
    qtest_writel(qts, ECSPI1_BASE + ECSPI_CONREG, on);
    g_assert_false(qtest_get_irq(qts, ECSPI1_GIC_INPUT));

    for (i = 0; i < 2; i++) {
        /* TX FIFO empty raises it, a queued word lowers it */
        qtest_writel(qts, ECSPI1_BASE + ECSPI_INTREG, ECSPI_INTREG_TEEN);
        g_assert_true(qtest_get_irq(qts, ECSPI1_GIC_INPUT));
        qtest_writel(qts, ECSPI1_BASE + ECSPI_TXDATA, 0x00);
        g_assert_false(qtest_get_irq(qts, ECSPI1_GIC_INPUT));
        /* the exchange empties the TX FIFO again */
        qtest_writel(qts, ECSPI1_BASE + ECSPI_CONREG, on | ECSPI_CONREG_XCH);
        g_assert_true(qtest_get_irq(qts, ECSPI1_GIC_INPUT));

        /* RX ready holds it until the word is read */
        qtest_writel(qts, ECSPI1_BASE + ECSPI_INTREG, ECSPI_INTREG_RREN);
        g_assert_true(qtest_get_irq(qts, ECSPI1_GIC_INPUT));
        qtest_readl(qts, ECSPI1_BASE + ECSPI_RXDATA);
        g_assert_false(qtest_get_irq(qts, ECSPI1_GIC_INPUT));
    }

    /* disabling the block is a soft reset: the line stays low after it */
    qtest_writel(qts, ECSPI1_BASE + ECSPI_INTREG, ECSPI_INTREG_TEEN);
    g_assert_true(qtest_get_irq(qts, ECSPI1_GIC_INPUT));
    qtest_writel(qts, ECSPI1_BASE + ECSPI_CONREG, 0);
    g_assert_false(qtest_get_irq(qts, ECSPI1_GIC_INPUT));
    qtest_writel(qts, ECSPI1_BASE + ECSPI_CONREG, on);
    g_assert_false(qtest_get_irq(qts, ECSPI1_GIC_INPUT));

    /* after a system reset the line is driven again from the start */
    qtest_qmp_assert_success(qts, "{ 'execute': 'system_reset' }");
    qtest_qmp_eventwait(qts, "RESET");
    qtest_writel(qts, ECSPI1_BASE + ECSPI_CONREG, on);
    g_assert_false(qtest_get_irq(qts, ECSPI1_GIC_INPUT));
    qtest_writel(qts, ECSPI1_BASE + ECSPI_INTREG, ECSPI_INTREG_TEEN);
    g_assert_true(qtest_get_irq(qts, ECSPI1_GIC_INPUT));
    qtest_quit(qts);
}

static void test_sdio_slot_present(void)
{
    uint32_t v1 = readl(USDHC1_BASE + SDHC_CAPAB);
    uint32_t v2 = readl(USDHC2_BASE + SDHC_CAPAB);

    /* uSDHC2 is the same controller as uSDHC1, and it is mapped */
    g_assert_cmphex(v2, !=, 0);
    g_assert_cmphex(v2, ==, v1);
}

/*
 * Each CPU's view of GICH reaches that CPU's registers. QEMU 7.2 wrote
 * through it with the vCPU number as the CPU index, out of bounds of
 * h_hcr[], h_lr[] and h_apr[]: the usdhc-dma fuzzer found it (DMA to a
 * random address, UBSan) and patch 0013 fixes it. A guest store is enough.
 */
/*
 * UART1 receives a character (from a file chardev's input): USR2 says both
 * "receive data ready" and "start bit detected" (WAKE, write 1 to clear),
 * as the silicon does. Linux 6.2+ takes receive interrupts without WAKE
 * for its "RX flood" erratum: after 4 it soft-resets the UART, with a
 * dev_warn() under the port lock that deadlocks when the UART is the
 * console (seen booting 6.12: CPU0 spinning in imx_uart_console_write()).
 */
#define UART1_BASE      0x30860000
#define UART_URXD       0x00
#define UART_USR2       0x98
#define USR2_RDR        (1 << 0)
#define USR2_WAKE       (1 << 7)

static void test_uart_rx_start_bit(void)
{
    g_autofree char *dir = g_dir_make_tmp("lab-uart-XXXXXX", NULL);
    g_autofree char *path = g_strdup_printf("%s/console", dir);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    QTestState *qts;
    int fd, i;

    qts = qtest_initf("-machine imx7d-custom -chardev socket,id=u1,path=%s,"
                      "server=on,wait=off -serial chardev:u1", path);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(write(fd, "ab", 2), ==, 2);
    for (i = 0; i < 5000 && !(qtest_readl(qts, UART1_BASE + UART_USR2) &
                              USR2_RDR); i++) {
        g_usleep(1000);
    }
    g_assert_cmphex(qtest_readl(qts, UART1_BASE + UART_USR2) &
                    (USR2_RDR | USR2_WAKE), ==, USR2_RDR | USR2_WAKE);
    qtest_writel(qts, UART1_BASE + UART_USR2, USR2_WAKE);
    g_assert_cmphex(qtest_readl(qts, UART1_BASE + UART_USR2) & USR2_WAKE,
                    ==, 0);
    /* the next character has its start bit too */
    g_assert_cmphex(qtest_readl(qts, UART1_BASE + UART_URXD) & 0xff, ==, 'a');
    for (i = 0; i < 5000 && !(qtest_readl(qts, UART1_BASE + UART_USR2) &
                              USR2_WAKE); i++) {
        g_usleep(1000);
    }
    g_assert_cmphex(qtest_readl(qts, UART1_BASE + UART_USR2) & USR2_WAKE,
                    ==, USR2_WAKE);
    close(fd);
    qtest_quit(qts);
    unlink(path);
    rmdir(dir);
}

static void test_gic_hyp_per_cpu_view(void)
{
    uint32_t vtr = readl(GICH_THIS_CPU + GICH_VTR);
    int cpu;

    for (cpu = 0; cpu < 2; cpu++) {
        writel(GICH_CPU(cpu) + GICH_HCR, GICH_HCR_EN);
        g_assert_cmphex(readl(GICH_CPU(cpu) + GICH_HCR), ==, GICH_HCR_EN);
        writel(GICH_CPU(cpu) + GICH_LR0, 0x10000000 | (cpu + 1));
        g_assert_cmphex(readl(GICH_CPU(cpu) + GICH_LR0), ==,
                        0x10000000 | (cpu + 1));
        /* past the end of h_apr[] lay the number of list registers */
        writel(GICH_CPU(cpu) + GICH_APR, 0xffffffff);
        g_assert_cmphex(readl(GICH_THIS_CPU + GICH_VTR), ==, vtr);
        writel(GICH_CPU(cpu) + GICH_LR0, 0);
        writel(GICH_CPU(cpu) + GICH_APR, 0);
        writel(GICH_CPU(cpu) + GICH_HCR, 0);
    }
    /* under qtest "this CPU" is CPU 0 */
    writel(GICH_CPU(0) + GICH_HCR, GICH_HCR_EN);
    g_assert_cmphex(readl(GICH_THIS_CPU + GICH_HCR), ==, GICH_HCR_EN);
    g_assert_cmphex(readl(GICH_CPU(1) + GICH_HCR), ==, 0);
    writel(GICH_CPU(0) + GICH_HCR, 0);
}

/* A board whose ENET1 sends to the datagram socket *fd, one frame each */
static QTestState *enet_start(int *fd)
{
    QTestState *qts;
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), ==, 0);
    g_assert_cmpint(fcntl(sv[0], F_SETFL, O_NONBLOCK), ==, 0);
    qts = qtest_initf("-machine imx7d-custom -netdev socket,id=eth,fd=%d "
                      "-net nic,netdev=eth", sv[1]);
    close(sv[1]);
    *fd = sv[0];
    qtest_writel(qts, ENET1_BASE + ENET_TDSR, ENET_TX_DESC);
    qtest_writel(qts, ENET1_BASE + ENET_ECR, 0);    /* takes TDSR */
    qtest_writel(qts, ENET1_BASE + ENET_ECR,
                 ENET_ECR_ETHEREN | ENET_ECR_EN1588);
    return qts;
}

/*
 * @frame sent by one enhanced TX descriptor with the checksum insertion
 * bits, as fec_main.c does for CHECKSUM_PARTIAL; what reached the network
 * is read back into @out
 */
static void enet_send(QTestState *qts, int fd, const uint8_t *frame,
                      size_t len, uint8_t *out)
{
    uint8_t bd[32] = { 0 };
    ssize_t n = -1;
    int i;

    stw_le_p(bd + 0, len);
    stw_le_p(bd + 2, ENET_BD_R | ENET_BD_L | ENET_BD_W);
    stl_le_p(bd + 4, ENET_TX_DATA);
    stw_le_p(bd + 10, ENET_BD_PINS | ENET_BD_IINS);
    qtest_memwrite(qts, ENET_TX_DATA, frame, len);
    qtest_memwrite(qts, ENET_TX_DESC, bd, sizeof(bd));
    qtest_writel(qts, ENET1_BASE + ENET_TDAR, ENET_TDAR_TDAR);
    for (i = 0; i < 1000 && n < 0; i++) {
        n = recv(fd, out, 2048, 0);
        if (n < 0) {
            g_assert_cmpint(errno, ==, EAGAIN);
            qtest_clock_step(qts, 0);
        }
    }
    g_assert_cmpint(n, ==, len);
    /* the descriptor was handed back */
    g_assert_cmphex(qtest_readw(qts, ENET_TX_DESC + 2) & ENET_BD_R, ==, 0);
}

/*
 * Read what QEMU sent until it has nothing left: frames the socket had no
 * room for wait in QEMU's queue and come as it gets main loop turns
 */
static void enet_drain(QTestState *qts, int fd)
{
    uint8_t frame[2048];
    int idle = 0;

    while (idle < 20) {
        if (recv(fd, frame, sizeof(frame), 0) > 0) {
            idle = 0;
        } else {
            idle++;
            qtest_clock_step(qts, 0);
        }
    }
}

/* An Ethernet + IPv4 frame: @ihl words of header, @proto, @l4 bytes */
static size_t ipv4_frame(uint8_t *f, unsigned ihl, uint8_t proto,
                         unsigned l4)
{
    uint8_t *ip = f + ETH_HLEN;
    size_t i, len = ETH_HLEN + ihl * 4 + l4;

    for (i = 0; i < len; i++) {
        f[i] = 0x5a ^ (i * 13);
    }
    memset(f, 0xff, 6);
    stw_be_p(f + 12, 0x0800);
    ip[0] = 0x40 | ihl;
    stw_be_p(ip + 2, ihl * 4 + l4);
    stw_be_p(ip + 6, 0);                        /* not a fragment */
    ip[9] = proto;
    return len;
}

/* The TCP/UDP checksum over pseudo header and segment verifies */
static void assert_l4_sum_ok(const uint8_t *ip, unsigned ihl, uint8_t proto,
                             unsigned l4)
{
    uint32_t pseudo = lab_inet_sum(ip + 12, 8, proto + l4);

    g_assert_cmphex(lab_inet_sum(ip + ihl * 4, l4, pseudo), ==, 0xffff);
}

/* @frame through a board's ENET1 with checksum insertion, into @out */
static void enet_offload(const uint8_t *frame, size_t len, uint8_t *out)
{
    QTestState *qts;
    int fd;

    qts = enet_start(&fd);
    enet_send(qts, fd, frame, len, out);
    qtest_quit(qts);
    close(fd);
}

/* The ENET's checksum offload fills in the IPv4 and TCP checksums */
static void test_enet_csum_offload(void)
{
    uint8_t frame[128], out[2048];
    size_t len = ipv4_frame(frame, 5, 6, 40);

    enet_offload(frame, len, out);
    g_assert_cmphex(lab_inet_sum(out + ETH_HLEN, 20, 0), ==, 0xffff);
    assert_l4_sum_ok(out + ETH_HLEN, 5, 6, 40);
    g_assert_cmpmem(out + ETH_HLEN + 20, 16, frame + ETH_HLEN + 20, 16);
}

/*
 * With IP options the UDP header follows them: QEMU 7.2 wrote the
 * checksum 20 bytes into the IP header, over the wrong bytes
 */
static void test_enet_csum_ip_options(void)
{
    uint8_t frame[128], out[2048];
    size_t len = ipv4_frame(frame, 6, 17, 32);

    enet_offload(frame, len, out);
    g_assert_cmphex(lab_inet_sum(out + ETH_HLEN, 24, 0), ==, 0xffff);
    g_assert_cmpmem(out + ETH_HLEN + 20, 4, frame + ETH_HLEN + 20, 4);
    assert_l4_sum_ok(out + ETH_HLEN, 6, 17, 32);
}

/*
 * IHL 15 with a total length of 20: QEMU 7.2's net_checksum_calculate()
 * took -40 as a TCP length of 65496 and summed what lies behind the
 * ENET's frame buffer into the packet. Only the IP checksum may change.
 */
static void test_enet_csum_ihl_beyond_length(void)
{
    uint8_t frame[128], out[2048];
    size_t len = ipv4_frame(frame, 15, 6, 20);

    stw_be_p(frame + ETH_HLEN + 2, 20);
    enet_offload(frame, len, out);
    g_assert_cmphex(lab_inet_sum(out + ETH_HLEN, 60, 0), ==, 0xffff);
    g_assert_cmpmem(out, ETH_HLEN + 10, frame, ETH_HLEN + 10);
    g_assert_cmpmem(out + ETH_HLEN + 12, len - ETH_HLEN - 12,
                    frame + ETH_HLEN + 12, len - ETH_HLEN - 12);
}

/*
 * An empty frame (a descriptor of length 0 with L set) to a datagram
 * socket netdev: send() of it returns 0, which QEMU 7.2's net layer took
 * for "try again" with no write poll armed, and the link stalled for
 * good. Patch 0016 drops it; the next frame goes out. The ENET fuzzer
 * found it.
 */
static void test_enet_empty_frame(void)
{
    uint8_t bd[32] = { 0 }, frame[128], out[2048];
    size_t len = ipv4_frame(frame, 5, 17, 8);
    QTestState *qts;
    int fd;

    qts = enet_start(&fd);
    stw_le_p(bd + 2, ENET_BD_R | ENET_BD_L | ENET_BD_W);
    stl_le_p(bd + 4, ENET_TX_DATA);
    qtest_memwrite(qts, ENET_TX_DESC, bd, sizeof(bd));
    qtest_writel(qts, ENET1_BASE + ENET_TDAR, ENET_TDAR_TDAR);
    enet_send(qts, fd, frame, len, out);
    g_assert_cmpmem(out, 12, frame, 12);
    assert_l4_sum_ok(out + ETH_HLEN, 5, 17, 8);
    qtest_quit(qts);
    close(fd);
}

/* Bump when the operation mix below changes (lab-fuzz.h) */
#define ENET_FUZZ_GEN 1

/*
 * Frames through ENET1's TX descriptors (lab-fuzz.h): L3 headers from
 * lab-net-fuzz.h (IHL against total length at its boundaries, whole
 * datagrams and fragments, VLAN and QinQ) behind a random or broadcast
 * Ethernet header, cut anywhere, with the checksum insertion bits on or
 * off, in one descriptor or split over two, descriptor fields random now
 * and then; the network side drained or not. Every 100 operations a
 * frame with offloaded checksums still goes out exactly right.
 */
static void test_enet_fuzz(const void *repro)
{
    uint8_t frame[ETH_HLEN + LAB_NET_FUZZ_L3_MAX], bd[64], out[2048];
    uint8_t good[128];
    size_t good_len = ipv4_frame(good, 5, 17, 24);
    uint16_t type;
    QTestState *qts;
    LabFuzz f;
    size_t len;
    int fd;

    qts = enet_start(&fd);
    lab_fuzz_init(&f, "imx7d-enet", ENET_FUZZ_GEN, repro);
    while (lab_fuzz_more(&f)) {
        unsigned split, option;

        len = ETH_HLEN + lab_fuzz_l3(&f, frame + ETH_HLEN, &type);
        lab_fuzz_bytes(&f, frame, 12);
        if (lab_fuzz_chance(&f, 2)) {
            memset(frame, 0xff, 6);
        }
        stw_be_p(frame + 12, type);
        if (lab_fuzz_chance(&f, 8)) {
            len = lab_fuzz_below(&f, len + 1);
        }
        option = lab_fuzz_chance(&f, 4) ? lab_fuzz_next(&f)
                 : lab_fuzz_chance(&f, 4) ? 0 : ENET_BD_PINS | ENET_BD_IINS;
        split = lab_fuzz_chance(&f, 4) ? lab_fuzz_below(&f, len + 1) : len;
        /* one or two descriptors, the last with L, the ring wrapping */
        memset(bd, 0, sizeof(bd));
        stw_le_p(bd + 0, split);
        stw_le_p(bd + 2, ENET_BD_R | (split == len ? ENET_BD_L |
                                      ENET_BD_W : 0));
        stl_le_p(bd + 4, ENET_TX_DATA);
        stw_le_p(bd + 10, option);
        stw_le_p(bd + 32, len - split);
        stw_le_p(bd + 34, ENET_BD_R | ENET_BD_L | ENET_BD_W);
        stl_le_p(bd + 36, ENET_TX_DATA + split);
        stw_le_p(bd + 42, option);
        if (lab_fuzz_chance(&f, 16)) {
            lab_fuzz_bytes(&f, bd, sizeof(bd));         /* any fields */
            stl_le_p(bd + 4, ENET_TX_DATA + lab_fuzz_below(&f, 4096));
        }
        qtest_memwrite(qts, ENET_TX_DATA, frame, len);
        qtest_memwrite(qts, ENET_TX_DESC, bd, sizeof(bd));
        qtest_writel(qts, ENET1_BASE + ENET_TDAR, ENET_TDAR_TDAR);
        if (lab_fuzz_chance(&f, 2)) {
            while (recv(fd, out, sizeof(out), 0) > 0) {
                continue;
            }
        }
        if (f.done % 100 == 0) {
            /* the ring from its start again, the socket empty */
            qtest_writel(qts, ENET1_BASE + ENET_ECR, 0);
            qtest_writel(qts, ENET1_BASE + ENET_ECR,
                         ENET_ECR_ETHEREN | ENET_ECR_EN1588);
            enet_drain(qts, fd);
            enet_send(qts, fd, good, good_len, out);
            g_assert_cmphex(lab_inet_sum(out + ETH_HLEN, 20, 0), ==, 0xffff);
            assert_l4_sum_ok(out + ETH_HLEN, 5, 17, 24);
        }
    }
    qtest_quit(qts);
    close(fd);
    lab_fuzz_end(&f);
}

/*
 * The board's device windows (info mtree -f), each with its size: what a
 * guest store can reach besides RAM. The lab's own devices are fuzzed by
 * their own tests; here they are neighbours.
 */
static const struct {
    uint32_t base, size;
} board_windows[] = {
    { 0x30200000, 0x20 }, { 0x30210000, 0x20 }, { 0x30220000, 0x20 },
    { 0x30230000, 0x20 }, { 0x30240000, 0x20 }, { 0x30250000, 0x20 },
    { 0x30260000, 0x20 },                               /* GPIO1..7 */
    { 0x30280000, 0x0a }, { 0x30290000, 0x0a }, { 0x302a0000, 0x0a },
    { 0x302b0000, 0x0a },                               /* WDOG1..4 */
    { 0x302d0000, 0x1000 }, { 0x302e0000, 0x1000 }, { 0x302f0000, 0x1000 },
    { 0x30300000, 0x1000 },                             /* GPT1..4 */
    { 0x30340000, 0x10000 },                            /* IOMUXC GPR */
    { 0x30360000, 0x10000 },                            /* ANALOG */
    { 0x30370000, 0x1000 },                             /* SNVS */
    { 0x30380000, 0xbe04 },                             /* CCM */
    { 0x30390000, 0x1000 },                             /* SRC */
    { 0x303a0000, 0xe00 },                              /* GPC */
    { 0x30630000, 0x1000 }, { 0x30820000, 0x1000 }, { 0x30830000, 0x1000 },
    { 0x30840000, 0x1000 },                             /* ECSPI4, 1..3 */
    { 0x30860000, 0x1000 }, { 0x30880000, 0x1000 }, { 0x30890000, 0x1000 },
    { 0x30a60000, 0x1000 }, { 0x30a70000, 0x1000 }, { 0x30a80000, 0x1000 },
    { 0x30a90000, 0x1000 },                             /* UART1..7 */
    { 0x30a20000, 0x14 }, { 0x30a30000, 0x14 }, { 0x30a40000, 0x14 },
    { 0x30a50000, 0x14 },                               /* I2C1..4 */
    { 0x30b10000, 0x400 }, { 0x30b20000, 0x400 }, { 0x30b30000, 0x400 },
    { 0x30b40000, 0x100 }, { 0x30b50000, 0x100 }, { 0x30b60000, 0x100 },
    { 0x30be0000, 0x4000 }, { 0x30bf0000, 0x4000 },     /* USB, uSDHC, ENET */
    { 0x31001000, 0x1000 }, { 0x31002000, 0x2000 }, { 0x31004000, 0x1000 },
    { 0x31005000, 0x400 }, { 0x31006000, 0x2000 },      /* GIC */
    { 0x33800000, 0x1000 },                             /* PCIe */
};

#define BOARD_RAM           0x80000000u
#define BOARD_DMA_AREA      0x100000u   /* where fuzzed descriptors live */

/* A value a register may take: often an address in RAM, as DMA wants */
static uint32_t board_value(LabFuzz *f)
{
    switch (lab_fuzz_below(f, 4)) {
    case 0:
        return BOARD_RAM + lab_fuzz_below(f, BOARD_DMA_AREA);
    case 1:
        return lab_fuzz_below(f, 256);
    default:
        return lab_fuzz_next(f);
    }
}

/* Bump when the operation mix below changes (lab-fuzz.h) */
#define BOARD_FUZZ_GEN 1

/*
 * Random stores and loads of every width anywhere in the board's device
 * windows, RAM filled with random descriptors for the DMA engines, time
 * passing (lab-fuzz.h): the GIC bug of patch 0013 was in a neighbour of
 * the lab's devices, found by a DMA that went astray. Every 1000
 * operations QEMU must still answer.
 */
static void test_board_fuzz(const void *repro)
{
    QTestState *qts = qtest_init("-machine imx7d-custom -no-shutdown");
    uint8_t buf[512];
    LabFuzz f;

    lab_fuzz_init(&f, "imx7d-board", BOARD_FUZZ_GEN, repro);
    while (lab_fuzz_more(&f)) {
        unsigned w = lab_fuzz_below(&f, G_N_ELEMENTS(board_windows));
        uint32_t size = board_windows[w].size;
        uint64_t addr = board_windows[w].base + lab_fuzz_below(&f, size);

        switch (lab_fuzz_below(&f, 10)) {
        case 0 ... 3:
            qtest_writel(qts, addr & ~3, board_value(&f));
            break;
        case 4:
            qtest_writew(qts, addr & ~1, board_value(&f));
            break;
        case 5:
            qtest_writeb(qts, addr, board_value(&f));
            break;
        case 6 ... 7:
            switch (lab_fuzz_below(&f, 3)) {
            case 0:
                qtest_readb(qts, addr);
                break;
            case 1:
                qtest_readw(qts, addr & ~1);
                break;
            default:
                qtest_readl(qts, addr & ~3);
                break;
            }
            break;
        case 8:
            lab_fuzz_bytes(&f, buf, sizeof(buf));
            qtest_memwrite(qts, BOARD_RAM +
                           lab_fuzz_below(&f, BOARD_DMA_AREA - sizeof(buf)),
                           buf, sizeof(buf));
            break;
        case 9:
            qtest_clock_step(qts, lab_fuzz_below(&f, 10000000));
            break;
        }
        if (f.done % 1000 == 0) {
            g_assert_cmphex(qtest_readl(qts, ANALOG_DIGPROG), ==, 0x00720010);
        }
    }
    g_assert_cmphex(qtest_readl(qts, ANALOG_DIGPROG), ==, 0x00720010);
    qtest_quit(qts);
    lab_fuzz_end(&f);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/imx7d-custom/cpus", test_two_cpus_by_default);
    qtest_add_func("/imx7d-custom/ram", test_512mib_ram_by_default);
    qtest_add_func("/imx7d-custom/soc-id", test_soc_is_imx7d);
    qtest_add_func("/imx7d-custom/ecspi1", test_display_bus_present);
    qtest_add_func("/imx7d-custom/ecspi1/irq", test_ecspi_irq_follows_status);
    qtest_add_func("/imx7d-custom/usdhc2", test_sdio_slot_present);
    qtest_add_func("/imx7d-custom/uart1/rx-start-bit", test_uart_rx_start_bit);
    qtest_add_func("/imx7d-custom/gic/hyp-per-cpu-view",
                   test_gic_hyp_per_cpu_view);
    lab_fuzz_add_tests("/imx7d-custom/fuzz", "imx7d-board", test_board_fuzz);
    qtest_add_func("/imx7d-custom/enet/csum-offload", test_enet_csum_offload);
    qtest_add_func("/imx7d-custom/enet/csum-ip-options",
                   test_enet_csum_ip_options);
    qtest_add_func("/imx7d-custom/enet/csum-ihl-beyond-length",
                   test_enet_csum_ihl_beyond_length);
    qtest_add_func("/imx7d-custom/enet/empty-frame", test_enet_empty_frame);
    lab_fuzz_add_tests("/imx7d-custom/enet/fuzz", "imx7d-enet",
                       test_enet_fuzz);

    qtest_start("-machine imx7d-custom");
    ret = g_test_run();
    qtest_end();
    return ret;
}
