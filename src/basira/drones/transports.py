"""Find Remote ID (and DJI DroneID) payloads in radio frames: Wi-Fi beacons and NAN service discovery frames
behind a radiotap header, Bluetooth 4 legacy and Bluetooth 5 extended advertising, raw or in Nordic sniffer and
Linux LE link-layer captures. Each returns a `Frame` with the raw bytes kept byte for byte.

A frame that carries no Remote ID at all gives ``None`` (a capture is mostly other traffic); a frame that claims
to but cannot be trusted (bad CRC, truncated) gives a `Frame` with its ``rejected`` reason, so it is counted.
"""

from __future__ import annotations

import datetime as dt
import math
import struct

from basira.core.errors import InvalidInput
from basira.drones.messages import MESSAGE_SIZE, DjiFlightInfo, Frame, Message, MessagePack, Transport
from basira.drones.remoteid import DecodeError, decode_message

ASTM_OUI = b"\xfa\x0b\xbc"  # ASD-STAN / ASTM vendor IE
PARROT_OUI = b"\x90\x3a\xe6"  # early Parrot firmware used its own OUI with the same layout
DJI_OUI = b"\x26\x37\x12"
ODID_APP_CODE = 0x0D
NAN_OUI_TYPE = b"\x50\x6f\x9a\x13"  # Wi-Fi Alliance, NAN
NAN_ODID_SERVICE_ID = bytes.fromhex("8869199d9209")  # first 6 bytes of SHA-256("org.opendroneid.remoteid")
BLE_ODID_UUID = b"\xfa\xff"  # 16-bit service UUID 0xFFFA, little-endian on air
ADV_ACCESS_ADDRESS = 0x8E89BED6

LINKTYPE_IEEE802_11 = 105
LINKTYPE_RADIOTAP = 127
LINKTYPE_BLUETOOTH_LE_LL = 251
LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR = 256
LINKTYPE_NORDIC_BLE = 272

_U16 = struct.Struct("<H")
_DJI_V1 = struct.Struct("<BHH16siihhhhhhhhiiBB20s")
_DJI_V2 = struct.Struct("<BHH16siihhhhhhQiiiiBB20s")
_DJI_RAD = 1e7 * math.pi / 180  # DJI sends radians × 1e7


def _mac(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def _pack_messages(frame: Frame, payload: bytes | memoryview) -> None:
    """Decode a Remote ID message or pack into ``frame`` (packs flattened, every problem kept)."""
    try:
        decoded = decode_message(payload)
    except DecodeError as e:
        frame.errors.append(e.detail)
        return
    if isinstance(decoded, MessagePack):
        frame.pack_declared = payload[2]
        frame.pack_carried = (len(payload) - 3) // MESSAGE_SIZE
        frame.messages.extend(decoded.messages)
        frame.errors.extend(decoded.errors)
    else:
        frame.messages.append(decoded)


# -- radiotap and 802.11 ----------------------------------------------------------------------------------------

# (size, alignment) of the radiotap fields before the antenna signal: TSFT, flags, rate, channel, FHSS.
_RADIOTAP_FIELDS = ((8, 8), (1, 1), (1, 1), (4, 2), (2, 1))


def parse_radiotap(buf: bytes) -> tuple[int, int | None, int | None, bool]:
    """Read a radiotap header: (its length, RSSI dBm, channel MHz, whether the 802.11 frame ends in an FCS).

    Raises:
        InvalidInput: the header is shorter than it claims.
    """
    if len(buf) < 8 or buf[0] != 0:
        raise InvalidInput("not a radiotap header")
    length = _U16.unpack_from(buf, 2)[0]
    if length < 8 or length > len(buf):
        raise InvalidInput(f"radiotap header claims {length} bytes, the frame has {len(buf)}")
    present = int.from_bytes(buf[4:8], "little")
    pos = 8
    word = present
    while word & 0x80000000 and pos + 4 <= length:  # extended presence bitmaps
        word = int.from_bytes(buf[pos:pos + 4], "little")
        pos += 4
    rssi = freq = None
    fcs = False
    for bit, (size, align) in enumerate(_RADIOTAP_FIELDS):
        if present & (1 << bit):
            pos += -pos % align
            if pos + size > length:
                return length, rssi, freq, fcs
            if bit == 1:
                fcs = bool(buf[pos] & 0x10)
            elif bit == 3:
                freq = _U16.unpack_from(buf, pos)[0]
            pos += size
    if present & (1 << 5) and pos < length:
        rssi = struct.unpack_from("<b", buf, pos)[0]
    return length, rssi, freq, fcs


def _channel(freq: int | None) -> int | None:
    if freq is None:
        return None
    if 2412 <= freq <= 2472:
        return (freq - 2407) // 5
    if freq == 2484:
        return 14
    if 5000 <= freq <= 5900:
        return (freq - 5000) // 5
    return None


def _vendor_ies(body: bytes, start: int) -> list[tuple[int, int]]:
    """(offset, length) of each vendor-specific IE (221) from ``start``; a truncated IE ends the walk."""
    found = []
    pos = start
    end = len(body)
    while pos + 2 <= end:
        eid, elen = body[pos], body[pos + 1]
        if pos + 2 + elen > end:
            break
        if eid == 221:
            found.append((pos + 2, elen))
        pos += 2 + elen
    return found


def parse_dji(ie: bytes) -> DjiFlightInfo:
    """Decode the body of a DJI DroneID vendor IE (after the OUI) carrying flight telemetry (subcommand 0x10).

    The layout is the one Kismet documents (``dot11_ie_221_dji_droneid.ksy``); version 2 adds the GPS time and
    the pilot's position. Positions are radians × 10⁷, speeds cm/s, yaw hundredths of a degree.

    Raises:
        DecodeError: another subcommand, an unknown version or a truncated record.
    """
    if len(ie) < 5:
        raise DecodeError("truncated DJI DroneID element")
    if ie[3] != 0x10:
        raise DecodeError(f"DJI DroneID subcommand 0x{ie[3]:02x} carries no flight telemetry")
    version = ie[4]
    rec = ie[4:]
    if version == 1 and len(rec) >= _DJI_V1.size:
        (_, seq, state, serial, lon, lat, alt, height, vn, ve, vu, _, _, yaw, hlon, hlat, product, _,
         uuid) = _DJI_V1.unpack_from(rec)
        plat = plon = 0
    elif version == 2 and len(rec) >= _DJI_V2.size:
        (_, seq, state, serial, lon, lat, alt, height, vn, ve, vu, yaw, _, plat, plon, hlon, hlat, product, _,
         uuid) = _DJI_V2.unpack_from(rec)
    elif version in (1, 2):
        raise DecodeError(f"truncated DJI DroneID version {version} record: {len(rec)} bytes")
    else:
        raise DecodeError(f"unknown DJI DroneID version {version}")

    def pos(lat_raw: int, lon_raw: int) -> tuple[float | None, float | None]:
        if lat_raw == 0 and lon_raw == 0:
            return None, None
        la, lo = lat_raw / _DJI_RAD, lon_raw / _DJI_RAD
        if not (-90 <= la <= 90 and -180 <= lo <= 180):
            raise DecodeError(f"DJI DroneID position {la:.5f}, {lo:.5f} is off the globe")
        return la, lo

    la, lo = pos(lat, lon)
    pla, plo = pos(plat, plon)
    hla, hlo = pos(hlat, hlon)
    text = serial.split(b"\0", 1)[0].decode("ascii", "backslashreplace")
    return DjiFlightInfo(
        version, seq, text, la, lo, float(alt), height / 10, vn / 100, ve / 100, vu / 100, (yaw / 100) % 360,
        pla, plo, hla, hlo, product, _dji_uuid(uuid), state)


def _dji_uuid(raw: bytes) -> str:
    # Senders disagree on padding (some put a NUL before the text): keep the printable run, NULs dropped.
    return raw.strip(b"\0").split(b"\0", 1)[0].decode("ascii", "backslashreplace")


def _nan_service_info(body: bytes, pos: int) -> bytes | None:
    """The service info of the Remote ID service descriptor attribute in NAN attributes from ``pos``."""
    end = len(body)
    while pos + 3 <= end:
        aid, alen = body[pos], _U16.unpack_from(body, pos + 1)[0]
        attr = body[pos + 3: pos + 3 + alen]
        pos += 3 + alen
        if aid != 0x03 or len(attr) < 9 or attr[:6] != NAN_ODID_SERVICE_ID:
            continue
        control = attr[8]
        p = 9
        if control & 0x40:  # binding bitmap
            p += 2
        if control & 0x04:  # matching filter
            p += 1 + (attr[p] if p < len(attr) else 0)
        if control & 0x08:  # service response filter
            p += 1 + (attr[p] if p < len(attr) else 0)
        if not control & 0x10 or p >= len(attr):
            return b""
        return attr[p + 1: p + 1 + attr[p]]
    return None


def parse_80211(data: bytes, frame: Frame) -> Frame | None:
    """Fill ``frame`` from an 802.11 management frame (no radiotap, no FCS); ``None`` if it holds no Remote ID."""
    if len(data) < 24:
        return None
    fc = data[0]
    source = _mac(data[10:16])
    if fc == 0x80 and len(data) >= 36:  # beacon
        for off, elen in _vendor_ies(data, 36):
            oui = data[off: off + 3]
            if oui in (ASTM_OUI, PARROT_OUI) and elen >= 5 and data[off + 3] == ODID_APP_CODE:
                frame.transport, frame.source, frame.counter = Transport.WIFI_BEACON, source, data[off + 4]
                _pack_messages(frame, memoryview(data)[off + 5: off + elen])
                return frame
            if oui == DJI_OUI and elen >= 4:
                frame.transport, frame.source = Transport.DJI, source
                try:
                    info = parse_dji(data[off + 3: off + elen])
                except DecodeError as e:
                    frame.errors.append(e.detail)
                else:
                    frame.messages.append(info)
                    frame.counter = info.sequence
                return frame
        return None
    if fc == 0xD0 and len(data) >= 30 and data[24] == 4 and data[25] == 9 and data[26:30] == NAN_OUI_TYPE:
        service_info = _nan_service_info(data, 30)
        if service_info is None:
            return None
        frame.transport, frame.source = Transport.WIFI_NAN, source
        if len(service_info) < 1 + 3:
            frame.rejected = "NAN service info too short for a Remote ID message"
            return frame
        frame.counter = service_info[0]
        _pack_messages(frame, memoryview(service_info)[1:])
        return frame
    return None


def parse_radiotap_frame(buf: bytes, received_at: dt.datetime) -> Frame | None:
    """A Wi-Fi frame behind a radiotap header (link type 127), or ``None`` if it holds no Remote ID."""
    try:
        hlen, rssi, freq, fcs = parse_radiotap(buf)
    except InvalidInput:
        return None
    frame = Frame(Transport.WIFI_BEACON, received_at, bytes(buf), rssi=rssi, channel=_channel(freq))
    body = buf[hlen:-4] if fcs and len(buf) - hlen >= 28 else buf[hlen:]
    return parse_80211(body, frame)


# -- Bluetooth ---------------------------------------------------------------------------------------------------


def parse_ad_structures(adv_data: bytes | memoryview, frame: Frame) -> bool:
    """Decode Remote ID service data (UUID 0xFFFA, app code 0x0D, counter, message) in BLE advertising data."""
    pos, end = 0, len(adv_data)
    while pos < end:
        alen = adv_data[pos]
        if alen == 0 or pos + 1 + alen > end:
            break
        if adv_data[pos + 1] == 0x16 and alen >= 4 and bytes(adv_data[pos + 2: pos + 4]) == BLE_ODID_UUID \
                and adv_data[pos + 4] == ODID_APP_CODE:
            frame.counter = adv_data[pos + 5] if alen >= 5 else None
            _pack_messages(frame, adv_data[pos + 6: pos + 1 + alen])
            return True
        pos += 1 + alen
    return False


def parse_ble_pdu(pdu: bytes | memoryview, frame: Frame) -> Frame | None:
    """Fill ``frame`` from an advertising-channel PDU (2-byte header, payload; no access address, no CRC).

    Legacy ADV_IND / ADV_NONCONN_IND / ADV_SCAN_IND are Bluetooth 4; AUX_ADV_IND (type 7) with AdvData is
    Bluetooth 5 extended advertising. ``None`` when it carries no Remote ID.
    """
    if len(pdu) < 2:
        return None
    kind, length = pdu[0] & 0x0F, pdu[1]
    payload = pdu[2: 2 + length]
    if kind in (0, 2, 6) and len(payload) >= 6:
        frame.transport, frame.source = Transport.BT4, _mac(bytes(payload[5::-1]))
        return frame if parse_ad_structures(payload[6:], frame) else None
    if kind == 7 and len(payload) >= 1:
        hlen, flags = payload[0] & 0x3F, payload[1] if len(payload) > 1 else 0
        p = 2
        if hlen and flags & 0x01 and len(payload) >= p + 6:  # AdvA
            frame.source = _mac(bytes(payload[p: p + 6][::-1]))
        frame.transport = Transport.BT5
        return frame if parse_ad_structures(payload[1 + hlen:], frame) else None
    return None


def parse_nordic_ble(buf: bytes, received_at: dt.datetime) -> Frame | None:
    """A frame of the nRF Sniffer for Bluetooth LE (link type 272); bad-CRC frames carrying Remote ID are
    returned rejected so they are counted rather than trusted.
    """
    if len(buf) < 17 + 4 + 2:
        return None
    flags, rssi = buf[8], -buf[10]
    phy = (flags >> 4) & 0x07
    pos = 17
    if int.from_bytes(buf[pos: pos + 4], "little") != ADV_ACCESS_ADDRESS:
        return None
    pos += 4 + (1 if phy == 2 else 0)  # LE Coded PHY: coding indicator byte
    frame = Frame(Transport.BT5 if phy == 2 else Transport.BT4, received_at, bytes(buf), rssi=rssi,
                  channel=buf[9])
    if not flags & 0x01:
        # A corrupted advertisement may not even look like Remote ID any more; counting every one on the
        # advertising channel keeps the reception figures honest.
        return _reject_crc(frame)
    return parse_ble_pdu(memoryview(buf)[pos:-3], frame)


def _reject_crc(frame: Frame) -> Frame:
    frame.messages.clear()
    frame.errors.clear()
    frame.rejected = "bad CRC"
    return frame


def parse_le_ll(buf: bytes, received_at: dt.datetime, with_phdr: bool) -> Frame | None:
    """A Linux Bluetooth LE link-layer frame (link type 251, or 256 with its 10-byte pseudo-header)."""
    rssi = channel = None
    crc_bad = False
    if with_phdr:
        if len(buf) < 10:
            return None
        channel, rssi = buf[0], struct.unpack_from("<b", buf, 1)[0]
        phdr_flags = _U16.unpack_from(buf, 8)[0]
        crc_bad = bool(phdr_flags & 0x0400) and not phdr_flags & 0x0800
        buf_ll = buf[10:]
    else:
        buf_ll = buf
    if len(buf_ll) < 4 + 2 + 3 or int.from_bytes(buf_ll[:4], "little") != ADV_ACCESS_ADDRESS:
        return None
    frame = Frame(Transport.BT4, received_at, bytes(buf), rssi=rssi, channel=channel)
    found = parse_ble_pdu(memoryview(buf_ll)[4:-3], frame)
    return _reject_crc(found) if found is not None and crc_bad else found


def parse_packet(linktype: int, buf: bytes, received_at: dt.datetime) -> Frame | None:
    """The Remote ID frame in one captured packet of the given link type, or ``None`` if it has none."""
    if linktype == LINKTYPE_RADIOTAP:
        return parse_radiotap_frame(buf, received_at)
    if linktype == LINKTYPE_NORDIC_BLE:
        return parse_nordic_ble(buf, received_at)
    if linktype == LINKTYPE_IEEE802_11:
        return parse_80211(buf, Frame(Transport.WIFI_BEACON, received_at, bytes(buf)))
    if linktype in (LINKTYPE_BLUETOOTH_LE_LL, LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR):
        return parse_le_ll(buf, received_at, linktype == LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR)
    return None


SUPPORTED_LINKTYPES = frozenset({LINKTYPE_IEEE802_11, LINKTYPE_RADIOTAP, LINKTYPE_BLUETOOTH_LE_LL,
                                 LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR, LINKTYPE_NORDIC_BLE})


def decode_frame(transport: Transport | str, raw: bytes, *, received_at: dt.datetime,
                 sensor_id: str | None = None, rssi: float | None = None, source: str | None = None) -> Frame:
    """Decode one frame as a receiver hands it over (the entry point of live ingest).

    ``raw`` is, per transport: Wi-Fi (beacon, NAN, DJI) an 802.11 frame, with or without a radiotap header;
    Bluetooth 4 or 5 an advertising PDU (header and payload, without access address and CRC), or just the
    Remote ID service data (``0D``, counter, message) as phone APIs give it. The frame is always returned;
    ``rejected`` says why when nothing in it is Remote ID.

    Raises:
        InvalidInput: an unknown transport name.
    """
    try:
        kind = Transport(transport)
    except ValueError:
        names = ", ".join(t.value for t in Transport)
        raise InvalidInput(f"unknown transport {transport!r}; expected one of {names}") from None
    frame = Frame(kind, received_at, bytes(raw), sensor_id=sensor_id, rssi=rssi, source=source)
    if not raw:
        frame.rejected = "empty frame"
        return frame
    found: Frame | None
    if kind in (Transport.WIFI_BEACON, Transport.WIFI_NAN, Transport.DJI):
        found = None
        # Radiotap version 0 (its pad byte is not always 0: some capture tools leave junk there).
        if len(raw) >= 8 and raw[0] == 0 and 8 <= int.from_bytes(raw[2:4], "little") <= len(raw):
            try:
                hlen, r, freq, fcs = parse_radiotap(raw)
            except InvalidInput:
                hlen = 0
            else:
                frame.rssi = frame.rssi if frame.rssi is not None else r
                frame.channel = _channel(freq)
                body = raw[hlen:-4] if fcs and len(raw) - hlen >= 28 else raw[hlen:]
                found = parse_80211(body, frame)
        if found is None and not frame.messages:
            found = parse_80211(raw, frame)
    elif raw[0] == ODID_APP_CODE and len(raw) >= 2:
        frame.counter = raw[1]
        _pack_messages(frame, memoryview(raw)[2:])
        found = frame
    else:
        found = parse_ble_pdu(raw, frame)
    if found is None:
        frame.rejected = f"no Remote ID payload in this {kind.value} frame"
    elif source is not None:
        frame.source = source
    if sensor_id is not None:
        frame.sensor_id = sensor_id
    return frame


__all__ = ["Frame", "Message", "decode_frame", "parse_dji", "parse_packet", "parse_radiotap"]
