#!/usr/bin/env python3
"""Writes the seed corpus (corpus/<target>/) from the test vectors of Twisted's test_basic.py
and docs/twisted-semantics.md. Input layout: config byte, chunk-seed byte, stream (fuzz_common.hpp).
Run from this directory: ./make_corpus.py"""
import os
import struct

def write(target, name, config, stream, seed=7):
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes([config, seed]) + stream)

# Line receivers: config bits 0-1 delimiter (crlf, lf, <END>, aab), bits 2-3 max (0,4,16,16384).
CRLF, LF = 0, 1
M4, M16, MDEF = 1 << 2, 2 << 2, 3 << 2
TEST_BUFFER = (b"len 10\n\n0123456789len 5\n\n1234\nlen 20\nfoo 123\n\n0123456789\n"
               b"012345678len 0\nfoo 5\n\n" + b"1234567890" * 7 + b"\nlen 1\n\na")
line_vectors = {
    "test_buffer": (LF | MDEF, TEST_BUFFER),
    "pause": (LF | MDEF, b"twiddle1\ntwiddle2\npause\ntwiddle3\n"),
    "rawpause": (LF | MDEF, b"twiddle1\ntwiddle2\nlen 5\nrawpause\n12345twiddle3\n"),
    "stop": (LF | MDEF, b"twiddle1\ntwiddle2\nstop\nmore\nstuff\n"),
    "exact_max": (CRLF | M4, b"xxxx\r\n"),
    "too_long_remainder": (CRLF | M4, b"xxxxx\r\nab\r\nc"),
    "partial_delimiter": (CRLF | M4, b"xxxx\r"),
    "unterminated": (CRLF | M4, b"xxxxxx"),
    "split_delimiter": (CRLF | M4, b"xxxx\r\nyy"),
    "empty_lines": (CRLF | M16, b"\r\n\r\n"),
    "quit": (CRLF | M16, b"a\r\nquit\r\nQ\r\nb\r\n"),
    "modes": (CRLF | M16, b"one\r\nR\r\nRAW|two\r\nthree\r\nPx\r\nIinj\r\nCx\r\nSab\r\nM\x05\r\n"),
    "long_delimiter": (2 | M16, b"a<END><EN<END>b<E<END<END><END>"),
    "overlapping_delimiter": (3 | M16, b"aaab aab aaaab"),
    "bleakness": (LF | MDEF, b"foo\n    bleakness\n    desolation\n    plastic forks\n    "),
}
for target in ("fuzz_line_receiver", "fuzz_line_only_receiver"):
    for name, (config, stream) in line_vectors.items():
        write(target, name, config, stream)

# IntN: config bits 0-2 format (u8,u16be,u16le,u32be,u32le), bits 3-4 max (0,10,300,99999),
# bit 5 keep the connection on lengthLimitExceeded, bit 6 resume after every chunk.
FORMATS = ["B", ">H", "<H", ">I", "<I"]
for i, fmt in enumerate(FORMATS):
    pack = lambda n, fmt=fmt: struct.pack(fmt, n)
    base = i | (3 << 3)
    write("fuzz_int_n_string_receiver", f"receive_{i}", base, pack(1) + b"a" + pack(16) + b"b" * 16)
    write("fuzz_int_n_string_receiver", f"data_{i}", base, pack(4) + b"ubar" + pack(0))
    write("fuzz_int_n_string_receiver", f"limit_{i}", i | (1 << 3), pack(11))
    write("fuzz_int_n_string_receiver", f"long_{i}", i | (1 << 3), pack(11) + b"x" * 11)
    write("fuzz_int_n_string_receiver", f"skip_{i}", i | (1 << 3) | 0x20,
          pack(3) + b"abc" + pack(12) + b"w" * 12 + pack(2) + b"hi")
    write("fuzz_int_n_string_receiver", f"pause_{i}", base | 0x40, pack(1) + b"P" + pack(3) + b"two")
write("fuzz_int_n_string_receiver", "illegal_32", 3 | (2 << 3), b"\x10\x00\x00\x00aaaaaa")
write("fuzz_int_n_string_receiver", "illegal_16", 1 | (2 << 3), b"\x10\x00aaaaaa")
write("fuzz_int_n_string_receiver", "illegal_8", 0 | (1 << 3), b"\x00\x00aaaaaa")
write("fuzz_int_n_string_receiver", "huge_prefix", 4 | (3 << 3) | 0x20, b"\xff\xff\xff\xff" + b"z" * 64)

# Netstrings: config bits 0-2 max (0, 1, 12, 50, 99999, 1000000, 1, 11).
M50, MDEF_NS, M12, M11 = 3, 4, 2, 7
ns_vectors = {
    "buffer": (5, b"5:hello,5:world,3:how,3:are,6:you123,6::today,515:" + b"a" * 515 + b","),
    "illegal_digits": (M50, b"9999999999999999999999"),
    "illegal_abc": (M50, b"abc"),
    "illegal_more": (M50, b"4:abcde"),
    "illegal_max": (M50, b"51:" + b"a" * 50 + b"b,"),
    "empty": (M50, b"0:,"),
    "nested": (M50, b"4:1:a,,"),
    "more_than_specified": (M50, b"2:aaa,"),
    "zero_with_data": (M50, b"0:a,"),
    "missing_number": (M50, b":aaa,"),
    "missing_colon": (M50, b"3aaa,"),
    "leading_zero": (MDEF_NS, b"007:abc,"),
    "bad_comma": (MDEF_NS, b"3:abc;"),
    "then_error": (MDEF_NS, b"1:a,1:b,x"),
    "no_colon_yet": (MDEF_NS, b"1000000"),
    "max_digits": (MDEF_NS, b"99999:"),
    "border_12": (M12, b"12:abcdefghijkl,"),
    "border_11": (M11, b"12:"),
}
for name, (config, stream) in ns_vectors.items():
    write("fuzz_netstring_receiver", name, config, stream)
