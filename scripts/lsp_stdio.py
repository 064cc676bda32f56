"""Framing of language server messages over a process's stdin and stdout
(`Content-Length` headers), shared by the scripts that drive the server."""

import json


def send(proc, message):
    """Writes one message to the process's standard input."""
    body = json.dumps(message).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def receive(proc):
    """Reads one message from the process's standard output."""
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the server closed its output")
        line = line.strip()
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return json.loads(proc.stdout.read(length))
