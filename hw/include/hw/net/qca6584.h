/*
 * Qualcomm QCA6584 Wi-Fi on SDIO (ath10k family)
 *
 * Copyright (c) 2026 The imx7d kernel lab authors
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_NET_QCA6584_H
#define HW_NET_QCA6584_H

/* An SDIO card (TYPE_SDIO_CARD): plug it on an SD bus */
#define TYPE_QCA6584 "qca6584"

#endif /* HW_NET_QCA6584_H */
