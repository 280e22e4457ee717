"""``python3 build.py ARGS`` as a shell in the tests runs it, through the server
(``tests/cliserver.py``) whose socket ``POLICYBRIEF_CLISERVER`` names: this process hands
over its descriptors 0-2, argv, folder, environment and the ``build.py`` it was given, and
exits with the command's code. ``helpers.shell_bin`` puts it behind ``python3`` on a PATH.
A ``build.py`` that is not this repository's is run by the interpreter as it is.

Usage: ``python3 -S cliclient.py build.py ARGS...``. Only the standard library is imported
(``-S``: not even site-packages), so that it starts in a few milliseconds.
"""

import json
import os
import socket
import sys

ENGINE_SCRIPT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build.py"
)


def same_file_text(a: str, b: str) -> bool:
    try:
        with open(a, "rb") as one, open(b, "rb") as other:
            return one.read() == other.read()
    except OSError:
        return False


def main() -> int:
    script, *argv = sys.argv[1:]
    if not same_file_text(script, ENGINE_SCRIPT):  # some other build.py: run it as it is
        os.execv(sys.executable, [sys.executable, script, *argv])
    request = {
        "argv": argv,
        "script": os.path.abspath(script),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
    }
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(os.environ["POLICYBRIEF_CLISERVER"])
        socket.send_fds(connection, [b"!"], [0, 1, 2])
        connection.sendall(json.dumps(request).encode())
        connection.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := connection.recv(64):
            reply += chunk
    code = int(reply)
    if code < 0:  # ended by a signal: end the same way, as the shell would see it
        os.kill(os.getpid(), -code)
    return code


if __name__ == "__main__":
    sys.exit(main())
