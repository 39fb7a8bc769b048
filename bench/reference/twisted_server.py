#!/usr/bin/python3
"""Twisted's own echo servers on its epoll reactor: the row weft is measured against.

usage: twisted_server.py --protocol echo|lenprefix|line [--port N]
Prints "listening on 127.0.0.1:PORT" first; SIGINT/SIGTERM stop the reactor (exit 0).
lenprefix is a 4-byte little-endian prefix (Int32StringReceiver with "<I"); line is "\\n".
"""
import argparse
import resource
import sys

from twisted.internet import epollreactor

epollreactor.install()

from twisted.internet import protocol, reactor  # noqa: E402
from twisted.protocols import basic  # noqa: E402


class Echo(protocol.Protocol):
    def dataReceived(self, data):
        self.transport.write(data)


class LenPrefixEcho(basic.IntNStringReceiver):
    structFormat = "<I"
    prefixLength = 4
    MAX_LENGTH = 1 << 24

    def stringReceived(self, string):
        self.sendString(string)


class LineEcho(basic.LineOnlyReceiver):
    delimiter = b"\n"
    MAX_LENGTH = 1 << 24

    def lineReceived(self, line):
        self.sendLine(line)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--protocol", default="echo", choices=["echo", "lenprefix", "line"])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    # Up to 10,000 idle connections beside the active ones: soft fd limit up to the hard one.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    factory = protocol.Factory.forProtocol(
        {"echo": Echo, "lenprefix": LenPrefixEcho, "line": LineEcho}[args.protocol])
    port = reactor.listenTCP(args.port, factory, interface="127.0.0.1")
    print("listening on 127.0.0.1:%d" % port.getHost().port, flush=True)
    reactor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
