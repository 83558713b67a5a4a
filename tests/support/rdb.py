"""What a Redis DUMP holds, readable: tests look for personal data in it.

DUMP serializes a key as RDB does, and RDB compresses strings longer than 20 bytes with LZF
(marker 0xC3, then the compressed and uncompressed lengths, then the data): a stream's
listpacks, with every entry — including entries XDEL only flagged as deleted — are usually
compressed. `dump_text` returns the dump with every LZF-compressed string decompressed.
"""

from __future__ import annotations

LZF = 0xC3


def _length(data: bytes, at: int) -> tuple[int, int]:
    """An RDB length at `at`: (value, next position); ValueError when it is not one."""
    first = data[at]
    kind = first >> 6
    if kind == 0:
        return first & 0x3F, at + 1
    if kind == 1:
        return ((first & 0x3F) << 8) | data[at + 1], at + 2
    if first == 0x80:
        return int.from_bytes(data[at + 1:at + 5], "big"), at + 5
    if first == 0x81:
        return int.from_bytes(data[at + 1:at + 9], "big"), at + 9
    raise ValueError("not a length")


def lzf_decompress(data: bytes, expected: int) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        ctrl = data[i]
        i += 1
        if ctrl < 32:  # a literal run of ctrl + 1 bytes
            out += data[i:i + ctrl + 1]
            i += ctrl + 1
            continue
        length = ctrl >> 5  # a back reference
        ref = len(out) - ((ctrl & 0x1F) << 8) - 1
        if length == 7:
            length += data[i]
            i += 1
        ref -= data[i]
        i += 1
        if ref < 0:
            raise ValueError("bad back reference")
        for _ in range(length + 2):
            out.append(out[ref])
            ref += 1
    if len(out) != expected:
        raise ValueError("wrong length")
    return bytes(out)


def dump_text(dump: bytes) -> bytes:
    """The dump followed by every LZF string in it, decompressed."""
    parts = [dump]
    for at, byte in enumerate(dump):
        if byte != LZF:
            continue
        try:
            compressed, at2 = _length(dump, at + 1)
            expected, start = _length(dump, at2)
            if 0 < compressed <= len(dump) - start and expected < 1 << 26:
                parts.append(lzf_decompress(dump[start:start + compressed], expected))
        except (ValueError, IndexError):
            continue
    return b"\n".join(parts)
