#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target: a few small, valid (or nearly
valid) inputs each, so that libFuzzer starts from the formats' shapes instead
of discovering magic bytes and checksums by itself.

    python3 Fuzz/seeds.py OUTPUT_DIR     # writes OUTPUT_DIR/<Target>/seed-N

Kept as a generator rather than committed binary files so that each seed says
what it is. Layouts: Sources/LLMCache/Payload/PayloadCodec.swift (frames),
Sources/LLMCache/Entry/CacheEntry+Coding.swift and ByteBuffer.swift (entries).
"""
import json
import os
import struct
import sys

MASK = 0xFFFFFFFF
P1, P2, P3, P4, P5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393


def rotl(value, bits):
    return ((value << bits) | (value >> (32 - bits))) & MASK


def xxh32(data, seed=0):
    """XXH32, as Sources/LLMCache/Payload/Checksum.swift computes it."""
    length, offset = len(data), 0
    if length >= 16:
        v = [(seed + P1 + P2) & MASK, (seed + P2) & MASK, seed, (seed - P1) & MASK]
        while offset + 16 <= length:
            for i in range(4):
                lane = struct.unpack_from("<I", data, offset)[0]
                v[i] = (rotl((v[i] + lane * P2) & MASK, 13) * P1) & MASK
                offset += 4
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & MASK
    else:
        h = (seed + P5) & MASK
    h = (h + length) & MASK
    while offset + 4 <= length:
        h = (rotl((h + struct.unpack_from("<I", data, offset)[0] * P3) & MASK, 17) * P4) & MASK
        offset += 4
    while offset < length:
        h = (rotl((h + data[offset] * P5) & MASK, 11) * P1) & MASK
        offset += 1
    h ^= h >> 15
    h = (h * P2) & MASK
    h ^= h >> 13
    h = (h * P3) & MASK
    return h ^ (h >> 16)


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def frame(body, compressed_body=None):
    """A payload frame: plain, or with `compressed_body` (a zstd frame) as its body."""
    flags = 0 if compressed_body is None else 1
    header = bytes([0xCA, 1, flags]) + varint(len(body)) + struct.pack("<I", xxh32(body))
    return header + (body if compressed_body is None else compressed_body)


def zstd_raw(body):
    """A zstd frame holding `body` (< 256 bytes) as one raw block: no compression needed."""
    assert len(body) < 256
    block_header = (1 | (0 << 1) | (len(body) << 3)).to_bytes(3, "little")
    return b"\x28\xb5\x2f\xfd" + bytes([0x20, len(body)]) + block_header + body


def string(text):
    data = text.encode()
    return struct.pack("<I", len(data)) + data


def entry(value, created=1_700_000_000_000, expires=1_700_000_060_000, sliding=-1,
          usage=(12, 34), model="gpt-4o-mini", source="What is a cache?", tags=("docs",)):
    out = bytearray([1])
    out += struct.pack("<qqqQ", created, expires, sliding, 3)
    out += b"\x01" + struct.pack("<qq", *usage) if usage else b"\x00"
    out += b"\x01" + string(model) if model is not None else b"\x00"
    out += b"\x01" + string(source) if source is not None else b"\x00"
    out += struct.pack("<I", len(tags))
    for tag in sorted(tags):
        out += string(tag)
    out += struct.pack("<I", len(value)) + value
    return bytes(out)


ANSWER = json.dumps({"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000,
                     "model": "gpt-4o-mini",
                     "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"},
                                  "finish_reason": "stop"}],
                     "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}).encode()

SEEDS = {
    "FuzzPayloadFrame": [
        frame(b""),
        frame(b"hello, cache"),
        frame(ANSWER),
        frame(b"compressed " * 3, zstd_raw(b"compressed " * 3)),
    ],
    "FuzzCacheEntry": [
        entry(b"The answer."),
        entry(ANSWER, expires=-(2**63), usage=None, model=None, source=None, tags=()),
        entry(b"slides", sliding=60_000, tags=("a", "b")),
        frame(entry(b"framed")),
    ],
    "FuzzChatCodable": [
        json.dumps({"model": "gpt-4o-mini", "temperature": 0.2, "top_p": 1, "max_tokens": 64, "seed": 7,
                    "stop": ["\n\n", "END"], "template_version": "v2",
                    "messages": [{"role": "system", "content": "Be brief."},
                                 {"role": "user", "content": "What is 2+2?"}]}).encode(),
        json.dumps({"model": "m", "stop": "x", "messages": [{"role": "tool", "content": "42", "tool_call_id": "c1"}],
                    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"b": [1, 2.5, None, True]}}}],
                    "tool_choice": "auto", "response_format": {"type": "json_object"}}).encode(),
        ANSWER,
    ],
    "FuzzServerSentEvents": [
        b'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n: keep-alive\n\ndata: [DONE]\n\n',
        b"event: message\r\ndata: line one\r\ndata: line two\r\nid: 7\r\n\r\ndata\n\ndata:no-space\n\n",
        "data: caf\u00e9 \u4e2d\u6587\n\n".encode(),
    ],
    "FuzzWordPiece": [
        b"Hello, world! What's the capital of France?",
        "[CLS] Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u4e2d\u6587 unbelievable [SEP][MASK] [pad]".encode(),
        b"The price is $1,234.56 (about 10%) - e-mail: a@b.c",
        b"\x00\x7f\xc2\xa0\xe2\x80\x8b tabs\tand\nnewlines",
    ],
    "FuzzRedisReplies": [
        b"+OK\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n-ERR wrong type\r\n",
        b"*3\r\n$3\r\nfoo\r\n:-7\r\n*2\r\n+a\r\n$0\r\n\r\n",
        b"*2\r\n*1\r\n*1\r\n:1\r\n$3\r\nbar\r\n",
    ],
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for target, seeds in SEEDS.items():
        folder = os.path.join(sys.argv[1], target)
        os.makedirs(folder, exist_ok=True)
        for index, seed in enumerate(seeds):
            with open(os.path.join(folder, f"seed-{index}"), "wb") as handle:
                handle.write(seed)


if __name__ == "__main__":
    main()
