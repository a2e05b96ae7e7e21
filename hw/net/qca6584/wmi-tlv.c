/*
 * Qualcomm QCA6584 model: WMI-TLV, the firmware's control interface
 *
 * The WMI commands ath10k (wmi-tlv.c) sends to this chip and the events
 * it waits for: SERVICE_READY and READY at start, vdev start/stop, peer
 * create/delete (answered through HTT's PEER_MAP, as the firmware does),
 * PDEV_SUSPEND, and management frames from the AP as MGMT_RX events. The
 * scan lives in scan.c. Each message is a command id followed by TLVs
 * (a length, a tag, a value); each value has a packed struct below with
 * ath10k's field names and sizes.
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
#include "hw/net/trace.h"

/* Commands and events (ath10k wmi-tlv.h) */
#define WMI_CMD_INIT            0x00001
#define WMI_CMD_START_SCAN      0x03001
#define WMI_CMD_STOP_SCAN       0x03002
#define WMI_CMD_VDEV_START      0x05003
#define WMI_CMD_VDEV_RESTART    0x05004
#define WMI_CMD_VDEV_UP         0x05005
#define WMI_CMD_VDEV_STOP       0x05006
#define WMI_CMD_VDEV_DOWN       0x05007
#define WMI_CMD_VDEV_INSTALL_KEY 0x05009
#define WMI_CMD_PEER_CREATE     0x06001
#define WMI_CMD_PEER_DELETE     0x06002
#define WMI_CMD_PDEV_SUSPEND    0x11001
#define WMI_CMD_ID_MASK         0xffffff
#define WMI_EV_SERVICE_READY    0x1
#define WMI_EV_READY            0x2
#define WMI_EV_VDEV_START_RESP  0x5001
#define WMI_EV_VDEV_STOPPED     0x5002
#define WMI_EV_MGMT_RX          0x7001

/* TLV tags */
#define WMI_TAG_SERVICE_READY   32
#define WMI_TAG_HAL_REG_CAPS    33
#define WMI_TAG_READY           35
#define WMI_TAG_VDEV_START_RESP 40
#define WMI_TAG_VDEV_STOPPED    41
#define WMI_TAG_MGMT_RX_HDR     44
#define WMI_TAG_CHANNEL         80
#define WMI_TAG_VDEV_START_CMD  88
#define WMI_TAG_VDEV_UP_CMD     92
#define WMI_TAG_VDEV_STOP_CMD   93
#define WMI_TAG_VDEV_DOWN_CMD   94
#define WMI_TAG_INSTALL_KEY_CMD 96
#define WMI_TAG_PEER_CREATE_CMD 97
#define WMI_TAG_PEER_DELETE_CMD 98

#define WMI_VDEV_RESP_START     0
#define WMI_VDEV_RESP_RESTART   1
#define WMI_PHY_MODE_11A        0
#define WMI_PHY_MODE_11G        1
#define WMI_PHY_11A_11G         3
#define WMI_ABI_VER0            0x01000000
#define WMI_ABI_VER1            53
#define WMI_ABI_NS0             0x5f414351
#define WMI_ABI_NS1             0x00004c4d
#define WMI_SERVICES_WORDS      4       /* the service bitmap: none set */

/* struct wmi_tlv_abi_version */
typedef struct QEMU_PACKED WmiAbiVersion {
    uint32_t abi_ver0;
    uint32_t abi_ver1;
    uint32_t abi_ver_ns0;
    uint32_t abi_ver_ns1;
    uint32_t abi_ver_ns2;
    uint32_t abi_ver_ns3;
} WmiAbiVersion;

/* struct wmi_tlv_svc_rdy_ev */
typedef struct QEMU_PACKED WmiSvcRdyEv {
    uint32_t fw_build_vers;
    WmiAbiVersion abi;
    uint32_t phy_capability;
    uint32_t max_frag_entry;
    uint32_t num_rf_chains;
    uint32_t ht_cap_info;
    uint32_t vht_cap_info;
    uint32_t vht_supp_mcs;
    uint32_t hw_min_tx_power;
    uint32_t hw_max_tx_power;
    uint32_t sys_cap_info;
    uint32_t min_pkt_size_enable;
    uint32_t max_bcn_ie_size;
    uint32_t num_mem_reqs;
    uint32_t max_num_scan_chans;
    uint32_t hw_bd_id;
    uint32_t hw_bd_info[5];
} WmiSvcRdyEv;
QEMU_BUILD_BUG_ON(sizeof(WmiSvcRdyEv) != 104);
QEMU_BUILD_BUG_ON(offsetof(WmiSvcRdyEv, max_num_scan_chans) != 76);

/* struct wmi_hal_reg_capabilities */
typedef struct QEMU_PACKED WmiHalRegCaps {
    uint32_t eeprom_rd;
    uint32_t eeprom_rd_ext;
    uint32_t regcap1;
    uint32_t regcap2;
    uint32_t wireless_modes;
    uint32_t low_2ghz_chan;
    uint32_t high_2ghz_chan;
    uint32_t low_5ghz_chan;
    uint32_t high_5ghz_chan;
} WmiHalRegCaps;
QEMU_BUILD_BUG_ON(sizeof(WmiHalRegCaps) != 36);

/* struct wmi_tlv_rdy_ev */
typedef struct QEMU_PACKED WmiRdyEv {
    WmiAbiVersion abi;
    uint8_t mac_addr[6];
    uint16_t mac_pad;                   /* struct wmi_mac_addr is 8 bytes */
    uint32_t status;
} WmiRdyEv;
QEMU_BUILD_BUG_ON(sizeof(WmiRdyEv) != 36);

/* struct wmi_tlv_mgmt_rx_ev */
typedef struct QEMU_PACKED WmiMgmtRxEv {
    uint32_t channel;
    uint32_t snr;
    uint32_t rate;
    uint32_t phy_mode;
    uint32_t buf_len;
    uint32_t status;
    uint32_t rssi[4];
} WmiMgmtRxEv;
QEMU_BUILD_BUG_ON(sizeof(WmiMgmtRxEv) != 40);

/* struct wmi_vdev_start_response_event */
typedef struct QEMU_PACKED WmiVdevStartResp {
    uint32_t vdev_id;
    uint32_t req_id;
    uint32_t resp_type;
    uint32_t status;
} WmiVdevStartResp;
QEMU_BUILD_BUG_ON(sizeof(WmiVdevStartResp) != 16);

/*
 * The commands' leading fields, all the model reads: vdev_id starts
 * wmi_tlv_vdev_start_cmd, wmi_vdev_stop_cmd and the vdev stopped event;
 * mhz starts wmi_channel; wmi_tlv_peer_create_cmd and wmi_peer_delete_cmd
 * start with a vdev_id and the peer's address
 */
typedef struct QEMU_PACKED WmiVdevId {
    uint32_t vdev_id;
} WmiVdevId;

/* struct wmi_vdev_up_cmd */
typedef struct QEMU_PACKED WmiVdevUp {
    uint32_t vdev_id;
    uint32_t assoc_id;
    uint8_t bssid[6];
    uint16_t bssid_pad;
} WmiVdevUp;

typedef struct QEMU_PACKED WmiChannelMhz {
    uint32_t mhz;
} WmiChannelMhz;

/* struct wmi_vdev_install_key_cmd; the key follows in an ARRAY_BYTE */
typedef struct QEMU_PACKED WmiInstallKeyCmd {
    uint32_t vdev_id;
    uint8_t peer_addr[6];
    uint16_t peer_pad;
    uint32_t key_idx;
    uint32_t key_flags;
    uint32_t key_cipher;
    uint8_t key_counters[56];           /* RSC, global RSC, TSC, WAPI */
    uint32_t key_len;
    uint32_t key_txmic_len;
    uint32_t key_rxmic_len;
} WmiInstallKeyCmd;
QEMU_BUILD_BUG_ON(sizeof(WmiInstallKeyCmd) != 92);

#define WMI_KEY_GROUP           0x01    /* else pairwise */
#define WMI_TLV_CIPHER_NONE     0
#define WMI_TLV_CIPHER_AES_CCM  4
#define HTT_SECURITY_NONE       0
#define HTT_SECURITY_AES_CCMP   6

typedef struct QEMU_PACKED WmiPeerCmd {
    uint32_t vdev_id;
    uint8_t peer_addr[6];
} WmiPeerCmd;
QEMU_BUILD_BUG_ON(sizeof(WmiPeerCmd) != 10);

/* -- TLVs ------------------------------------------------------------------ */

/* Append a TLV header at @p, zero its value and return it */
uint8_t *qca6584_wmi_tlv_put(uint8_t **p, uint16_t tag, uint16_t len)
{
    WmiTlv *tlv = (WmiTlv *)*p;
    uint8_t *value = *p + sizeof(WmiTlv);

    tlv->len = cpu_to_le16(len);
    tlv->tag = cpu_to_le16(tag);
    memset(value, 0, len);
    *p = value + len;
    return value;
}

/*
 * The TLV with @tag in a WMI command, at least @min_len long, or NULL.
 * Logs a command whose TLVs overrun it.
 */
const uint8_t *qca6584_wmi_tlv_find(const uint8_t *tlvs, uint32_t len,
                                    uint16_t tag, uint16_t min_len,
                                    uint16_t *tlv_len)
{
    uint32_t off = 0;

    while (off + sizeof(WmiTlv) <= len) {
        const WmiTlv *tlv = (const WmiTlv *)(tlvs + off);
        uint16_t tlen = le16_to_cpu(tlv->len);

        if (tlen > len - off - sizeof(WmiTlv)) {
            qemu_log_mask(LOG_GUEST_ERROR, "qca6584: WMI TLV (tag %u) of %u "
                          "bytes overruns its command\n",
                          le16_to_cpu(tlv->tag), tlen);
            return NULL;
        }
        if (le16_to_cpu(tlv->tag) == tag && tlen >= min_len) {
            if (tlv_len) {
                *tlv_len = tlen;
            }
            return tlvs + off + sizeof(WmiTlv);
        }
        off += sizeof(WmiTlv) + tlen;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "qca6584: WMI command without a TLV of "
                  "tag %u (at least %u bytes)\n", tag, min_len);
    return NULL;
}

/* An event: its id, then @len bytes of TLVs */
void qca6584_wmi_event(QCA6584State *s, uint32_t id, const uint8_t *tlvs,
                       uint32_t len)
{
    uint8_t ev[HTC_MAX_MSG];

    assert(len <= sizeof(ev) - 4);
    stl_le_p(ev, id);
    memcpy(ev + 4, tlvs, len);
    trace_qca6584_wmi_event(id, len);
    qca6584_htc_send(s, s->htc.wmi_eid, 0, 0, ev, 4 + len);
}

#define WMI_TLV_PUT(p, tag, type) \
    ((type *)qca6584_wmi_tlv_put(p, tag, sizeof(type)))

/* -- ready events ---------------------------------------------------------- */

static void qca6584_wmi_put_abi(WmiAbiVersion *abi)
{
    abi->abi_ver0 = cpu_to_le32(WMI_ABI_VER0);
    abi->abi_ver1 = cpu_to_le32(WMI_ABI_VER1);
    abi->abi_ver_ns0 = cpu_to_le32(WMI_ABI_NS0);
    abi->abi_ver_ns1 = cpu_to_le32(WMI_ABI_NS1);
}

/* HTC is set up: what the firmware can do, and that it asks no memory */
void qca6584_wmi_service_ready(QCA6584State *s)
{
    uint8_t buf[256], *p = buf;
    WmiSvcRdyEv *ev = WMI_TLV_PUT(&p, WMI_TAG_SERVICE_READY, WmiSvcRdyEv);
    WmiHalRegCaps *caps;

    ev->fw_build_vers = cpu_to_le32(1);
    qca6584_wmi_put_abi(&ev->abi);
    ev->phy_capability = cpu_to_le32(WMI_PHY_11A_11G);  /* 2.4 + 5 GHz */
    ev->num_rf_chains = cpu_to_le32(2);
    ev->hw_max_tx_power = cpu_to_le32(30);              /* dBm */
    ev->max_num_scan_chans = cpu_to_le32(WMI_SCAN_MAX_CHANNELS);
    caps = WMI_TLV_PUT(&p, WMI_TAG_HAL_REG_CAPS, WmiHalRegCaps);
    caps->eeprom_rd = 0;                                /* default (US) */
    caps->low_2ghz_chan = cpu_to_le32(2412);
    caps->high_2ghz_chan = cpu_to_le32(2484);
    caps->low_5ghz_chan = cpu_to_le32(4900);
    caps->high_5ghz_chan = cpu_to_le32(5935);
    qca6584_wmi_tlv_put(&p, WMI_TAG_ARRAY_UINT32, 4 * WMI_SERVICES_WORDS);
    qca6584_wmi_tlv_put(&p, WMI_TAG_ARRAY_STRUCT, 0);  /* memory requests */
    qca6584_wmi_event(s, WMI_EV_SERVICE_READY, buf, p - buf);
}

/* INIT: the firmware is up, with the chip's MAC address */
static void qca6584_wmi_ready(QCA6584State *s)
{
    uint8_t buf[64], *p = buf;
    WmiRdyEv *ev = WMI_TLV_PUT(&p, WMI_TAG_READY, WmiRdyEv);

    qca6584_wmi_put_abi(&ev->abi);
    memcpy(ev->mac_addr, s->conf.macaddr.a, 6);
    qca6584_wmi_event(s, WMI_EV_READY, buf, p - buf);
}

/* -- management frames ----------------------------------------------------- */

/*
 * An 802.11 management frame from @ap to the host, as WMI MGMT_RX: heard
 * on the AP's channel, with its signal
 */
void qca6584_wmi_mgmt_rx(QCA6584State *s, WifiAP *ap, const uint8_t *frame,
                         uint32_t len)
{
    uint8_t buf[sizeof(WmiTlv) + sizeof(WmiMgmtRxEv) + sizeof(WmiTlv) +
                WIFI_MGMT_MAX + 8];
    uint8_t *p = buf, *v;
    WmiMgmtRxEv *ev = WMI_TLV_PUT(&p, WMI_TAG_MGMT_RX_HDR, WmiMgmtRxEv);
    uint8_t chan = ap->channel;

    assert(len <= WIFI_MGMT_MAX);
    qca6584_capture(s, ap, frame, len);
    ev->channel = cpu_to_le32(chan);
    ev->snr = cpu_to_le32(ap->snr);
    ev->rate = cpu_to_le32(chan <= 14 ? 1000 : 6000);      /* kbit/s */
    ev->phy_mode = cpu_to_le32(chan <= 14 ? WMI_PHY_MODE_11G :
                               WMI_PHY_MODE_11A);
    ev->buf_len = cpu_to_le32(len);
    v = qca6584_wmi_tlv_put(&p, WMI_TAG_ARRAY_BYTE, ROUND_UP(len, 4));
    memcpy(v, frame, len);
    qca6584_wmi_event(s, WMI_EV_MGMT_RX, buf, p - buf);
}

/* -- vdevs and peers ------------------------------------------------------- */

static void qca6584_wmi_vdev_start(QCA6584State *s, const uint8_t *tlvs,
                                   uint32_t len, uint32_t resp_type)
{
    const WmiVdevId *cmd = (const WmiVdevId *)
        qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_VDEV_START_CMD,
                             sizeof(WmiVdevId), NULL);
    const WmiChannelMhz *chan = (const WmiChannelMhz *)
        qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_CHANNEL,
                             sizeof(WmiChannelMhz), NULL);
    uint8_t buf[sizeof(WmiTlv) + sizeof(WmiVdevStartResp)], *p = buf;
    WmiVdevStartResp *resp;

    if (!cmd || !chan) {
        return;
    }
    trace_qca6584_vdev_start(le32_to_cpu(cmd->vdev_id),
                             le32_to_cpu(chan->mhz));
    resp = WMI_TLV_PUT(&p, WMI_TAG_VDEV_START_RESP, WmiVdevStartResp);
    resp->vdev_id = cmd->vdev_id;
    resp->resp_type = cpu_to_le32(resp_type);   /* request 0, status 0 */
    qca6584_wmi_event(s, WMI_EV_VDEV_START_RESP, buf, p - buf);
}

static void qca6584_wmi_vdev_stop(QCA6584State *s, const uint8_t *tlvs,
                                  uint32_t len)
{
    const WmiVdevId *cmd = (const WmiVdevId *)
        qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_VDEV_STOP_CMD,
                             sizeof(WmiVdevId), NULL);
    uint8_t buf[sizeof(WmiTlv) + sizeof(WmiVdevId)], *p = buf;

    if (!cmd) {
        return;
    }
    qca6584_link_down(s, le32_to_cpu(cmd->vdev_id));
    WMI_TLV_PUT(&p, WMI_TAG_VDEV_STOPPED, WmiVdevId)->vdev_id = cmd->vdev_id;
    qca6584_wmi_event(s, WMI_EV_VDEV_STOPPED, buf, p - buf);
}

/* VDEV_UP: a station vdev on its BSS, watched for beacons from now on */
static void qca6584_wmi_vdev_up(QCA6584State *s, const uint8_t *tlvs,
                                uint32_t len)
{
    const WmiVdevUp *cmd = (const WmiVdevUp *)
        qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_VDEV_UP_CMD,
                             sizeof(WmiVdevUp), NULL);

    if (cmd) {
        qca6584_link_up(s, le32_to_cpu(cmd->vdev_id), cmd->bssid);
    }
}

static void qca6584_wmi_vdev_down(QCA6584State *s, const uint8_t *tlvs,
                                  uint32_t len)
{
    const WmiVdevId *cmd = (const WmiVdevId *)
        qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_VDEV_DOWN_CMD,
                             sizeof(WmiVdevId), NULL);

    if (cmd) {
        qca6584_link_down(s, le32_to_cpu(cmd->vdev_id));
    }
}

static QCAPeer *qca6584_wmi_peer_find(QCA6584State *s, const uint8_t *mac)
{
    int i;

    for (i = 0; i < QCA_MAX_PEERS; i++) {
        if (s->wmi.peers[i].used && !memcmp(s->wmi.peers[i].mac, mac, 6)) {
            return &s->wmi.peers[i];
        }
    }
    return NULL;
}

static uint16_t qca6584_wmi_peer_index_id(QCA6584State *s, QCAPeer *peer)
{
    return peer - s->wmi.peers + 1;
}

/* The HTT peer id of the peer with address @mac, 0 if there is none */
uint16_t qca6584_wmi_peer_id(QCA6584State *s, const uint8_t *mac)
{
    QCAPeer *peer = qca6584_wmi_peer_find(s, mac);

    return peer ? qca6584_wmi_peer_index_id(s, peer) : 0;
}

/* The key installed for @mac's peer (@group: with @key_id), or NULL */
const uint8_t *qca6584_wmi_peer_key(QCA6584State *s, const uint8_t *mac,
                                    bool group, uint8_t key_id)
{
    QCAPeer *peer = qca6584_wmi_peer_find(s, mac);

    if (!peer) {
        return NULL;
    }
    if (!group) {
        return peer->pairwise_set ? peer->pairwise_key : NULL;
    }
    return key_id < QCA_GROUP_KEYS && peer->group_set & (1 << key_id) ?
           peer->group_key[key_id] : NULL;
}

/*
 * VDEV_INSTALL_KEY: CCMP keys in place, or a key deleted (cipher NONE).
 * The firmware answers with HTT SEC_IND, not a WMI event: ath10k waits
 * for it 3 s after each key (mac.c ath10k_install_key).
 */
static void qca6584_wmi_install_key(QCA6584State *s, const uint8_t *tlvs,
                                    uint32_t len)
{
    const WmiInstallKeyCmd *cmd = (const WmiInstallKeyCmd *)
        qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_INSTALL_KEY_CMD,
                             sizeof(WmiInstallKeyCmd), NULL);
    QCAPeer *peer = cmd ? qca6584_wmi_peer_find(s, cmd->peer_addr) : NULL;
    uint32_t cipher, key_len, idx;
    const uint8_t *key = NULL;
    uint16_t array_len = 0;
    bool group;

    if (!peer) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: VDEV_INSTALL_KEY %s\n",
                      cmd ? "for an unknown peer" : "without its command");
        return;
    }
    cipher = le32_to_cpu(cmd->key_cipher);
    key_len = le32_to_cpu(cmd->key_len);
    idx = le32_to_cpu(cmd->key_idx);
    group = le32_to_cpu(cmd->key_flags) & WMI_KEY_GROUP;
    if (cipher == WMI_TLV_CIPHER_AES_CCM) {
        key = qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_ARRAY_BYTE, QCA_KEY_LEN,
                                   &array_len);
    }
    if ((cipher != WMI_TLV_CIPHER_NONE && cipher != WMI_TLV_CIPHER_AES_CCM) ||
        (cipher == WMI_TLV_CIPHER_AES_CCM &&
         (key_len != QCA_KEY_LEN || !key)) ||
        (group && idx >= QCA_GROUP_KEYS)) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: VDEV_INSTALL_KEY of cipher "
                      "%u, %u-byte key, index %u: only CCMP-128 keys, "
                      "index 0-3\n", cipher, key_len, idx);
        return;
    }
    trace_qca6584_install_key(qca6584_wmi_peer_index_id(s, peer), group,
                              idx, cipher);
    if (group) {
        peer->group_set &= ~(1 << idx);
        if (key) {
            memcpy(peer->group_key[idx], key, QCA_KEY_LEN);
            peer->group_set |= 1 << idx;
        }
    } else {
        peer->pairwise_set = key != NULL;
        if (key) {
            memcpy(peer->pairwise_key, key, QCA_KEY_LEN);
        }
    }
    qca6584_htt_sec_ind(s, qca6584_wmi_peer_index_id(s, peer), !group,
                        key ? HTT_SECURITY_AES_CCMP : HTT_SECURITY_NONE);
}

/* PEER_CREATE: the firmware tells the host the peer's id (HTT PEER_MAP) */
static void qca6584_wmi_peer_create(QCA6584State *s, const uint8_t *tlvs,
                                    uint32_t len)
{
    const WmiPeerCmd *cmd = (const WmiPeerCmd *)
        qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_PEER_CREATE_CMD,
                             sizeof(WmiPeerCmd), NULL);
    QCAPeer *peer;
    int i;

    if (!cmd) {
        return;
    }
    peer = qca6584_wmi_peer_find(s, cmd->peer_addr);
    for (i = 0; !peer && i < QCA_MAX_PEERS; i++) {
        if (!s->wmi.peers[i].used) {
            peer = &s->wmi.peers[i];
        }
    }
    if (!peer) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: more than %d peers\n",
                      QCA_MAX_PEERS);
        return;
    }
    if (!peer->used) {
        memset(peer, 0, sizeof(*peer));    /* no keys from an old peer */
    }
    peer->used = true;
    peer->vdev = le32_to_cpu(cmd->vdev_id);
    memcpy(peer->mac, cmd->peer_addr, 6);
    trace_qca6584_peer(true, qca6584_wmi_peer_index_id(s, peer));
    qca6584_htt_peer_map(s, peer->vdev, qca6584_wmi_peer_index_id(s, peer),
                         peer->mac);
}

static void qca6584_wmi_peer_delete(QCA6584State *s, const uint8_t *tlvs,
                                    uint32_t len)
{
    const WmiPeerCmd *cmd = (const WmiPeerCmd *)
        qca6584_wmi_tlv_find(tlvs, len, WMI_TAG_PEER_DELETE_CMD,
                             sizeof(WmiPeerCmd), NULL);
    QCAPeer *peer = cmd ? qca6584_wmi_peer_find(s, cmd->peer_addr) : NULL;
    uint16_t id;

    if (!peer) {
        qemu_log_mask(LOG_GUEST_ERROR, "qca6584: PEER_DELETE of an unknown "
                      "peer\n");
        return;
    }
    id = qca6584_wmi_peer_index_id(s, peer);
    trace_qca6584_peer(false, id);
    peer->used = false;
    qca6584_htt_peer_unmap(s, id);
}

/* -- commands -------------------------------------------------------------- */

void qca6584_wmi_command(QCA6584State *s, const uint8_t *msg, uint32_t len)
{
    uint32_t id = len >= 4 ? ldl_le_p(msg) & WMI_CMD_ID_MASK : 0;
    const uint8_t *tlvs = msg + 4;
    uint32_t tlvs_len = len >= 4 ? len - 4 : 0;

    trace_qca6584_wmi_cmd(id, len);
    if (qca6584_fault_wmi(s)) {
        return;                         /* swallowed, credits and all */
    }
    qca6584_htc_return_credits(s, s->htc.wmi_eid, len);
    switch (id) {
    case WMI_CMD_INIT:
        qca6584_wmi_ready(s);
        break;
    case WMI_CMD_START_SCAN:
        qca6584_scan_start(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_STOP_SCAN:
        qca6584_scan_cancel(s);
        break;
    case WMI_CMD_VDEV_START:
        qca6584_wmi_vdev_start(s, tlvs, tlvs_len, WMI_VDEV_RESP_START);
        break;
    case WMI_CMD_VDEV_RESTART:
        qca6584_wmi_vdev_start(s, tlvs, tlvs_len, WMI_VDEV_RESP_RESTART);
        break;
    case WMI_CMD_VDEV_UP:
        qca6584_wmi_vdev_up(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_VDEV_DOWN:
        qca6584_wmi_vdev_down(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_VDEV_STOP:
        qca6584_wmi_vdev_stop(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_VDEV_INSTALL_KEY:
        qca6584_wmi_install_key(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_PEER_CREATE:
        qca6584_wmi_peer_create(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_PEER_DELETE:
        qca6584_wmi_peer_delete(s, tlvs, tlvs_len);
        break;
    case WMI_CMD_PDEV_SUSPEND:
        if (!qca6584_fault_suspend_ack(s)) {
            qca6584_htc_suspend_done(s);
        }
        break;
    default:
        break;                          /* the credits are all it needs */
    }
}

/* The firmware forgot its vdevs, peers and scan */
void qca6584_wmi_reset(QCA6584State *s)
{
    qca6584_scan_reset(s);
    qca6584_link_reset(s);
    memset(s->wmi.peers, 0, sizeof(s->wmi.peers));
}
