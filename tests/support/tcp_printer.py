"""A stand-in network receipt printer on 127.0.0.1 (or ::1), started by the test: it keeps every job it took.

Like a raw port-9100 printer, it reads a connection to its end and closes its side; each connection is
one job. `refuse()` stops listening (connections are refused, as with a printer that is off) and
`accept()` listens again on the same port (it was switched back on). `reset_next()` makes it read a
little of the next job and then reset the connection, as a printer that fails mid-job; `hold_open()`
makes it keep connections open after the job (some printers never close their end).

Its paper sensor: a connection that begins with DLE EOT 4 (the paper query) gets the answer of
`paper(state)`, "paper" (the default), "near end", "out" or "silent" (no answer, as from the many
printers that never answer status queries). Queries are counted in `status_queries` and are not part of
the job (a printer does not print them); a connection that brings nothing else is not a job. Like a real
printer that is out of paper, it still takes the bytes of a job sent anyway.
"""

from __future__ import annotations

import socket
import struct
import threading
import time

#: DLE EOT 4: the paper sensor query (python-escpos's RT_STATUS_PAPER).
PAPER_QUERY = b"\x10\x04\x04"
#: The answers to it (fixed bits 0xx1xx10): near end sets bits 2-3, paper end bits 5-6 (and, the roll
#: being past its near end, 2-3 too).
PAPER_ANSWERS = {"paper": b"\x12", "near end": b"\x1e", "out": b"\x7e", "silent": b""}


class TcpPrinter:
    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.host = host  # "::1": an IPv6 printer
        self.port = port
        self.jobs: list[bytes] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._reset_next = False
        self._hold_open = False
        self._paper = "paper"
        self.status_queries = 0
        self._workers: list[threading.Thread] = []

    # --- control --------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"

    def accept(self) -> TcpPrinter:
        """Listen (again, on the same port)."""
        if self._listener is not None:
            return self
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        sock.listen(16)
        sock.settimeout(0.1)
        self._listener = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
        self._thread.start()
        return self

    def refuse(self) -> TcpPrinter:
        """Stop listening: a connection now gets ECONNREFUSED, as from a printer that is off."""
        if self.port == 0:  # never listened: take a port, then let it go
            self.accept()
        sock, self._listener = self._listener, None
        if sock is not None:
            sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        return self

    def reset_next(self) -> None:
        self._reset_next = True

    def hold_open(self, value: bool = True) -> None:
        self._hold_open = value

    def paper(self, state: str) -> TcpPrinter:
        """What the paper sensor answers from now on: "paper", "near end", "out" or "silent"."""
        if state not in PAPER_ANSWERS:
            raise ValueError(f"paper state {state!r} is not one of {', '.join(PAPER_ANSWERS)}")
        self._paper = state
        return self

    def close(self) -> None:
        self.refuse()
        for worker in self._workers:
            worker.join(timeout=5)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """The jobs, once at least `count` have arrived (the server finishes a job after the client's close)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.jobs) >= count:
                    return list(self.jobs)
            time.sleep(0.01)
        with self._lock:
            return list(self.jobs)

    def __enter__(self) -> TcpPrinter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- serving ---------------------------------------------------------------------------------

    def _serve(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            worker = threading.Thread(target=self._job, args=(conn,), daemon=True)
            self._workers.append(worker)
            worker.start()

    def _job(self, conn: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            reset, self._reset_next = self._reset_next, False
        conn.settimeout(10)
        data = bytearray()
        try:
            data += self._answer_queries(conn)
            if reset:
                data += conn.recv(8)
                # SO_LINGER 0: close() sends RST, the client's pending or next I/O fails
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                return
            while chunk := conn.recv(65536):
                data += chunk
            if self._hold_open:
                time.sleep(5)
        except OSError:
            return
        finally:
            if not reset:
                conn.close()
        if data:
            with self._lock:
                self.jobs.append(bytes(data))

    def _answer_queries(self, conn: socket.socket) -> bytes:
        """Answer the paper queries the connection begins with; the first bytes of the job after them."""
        data = b""
        while True:
            if data.startswith(PAPER_QUERY):
                data = data[len(PAPER_QUERY):]
                with self._lock:
                    self.status_queries += 1
                    answer = PAPER_ANSWERS[self._paper]
                if answer:
                    conn.sendall(answer)
                continue
            if data and not PAPER_QUERY.startswith(data):
                return data  # the job itself
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
