"""Several threads taking turns in virtual time: a discrete-event runner for benchmarks.

Each participant runs in a real thread, but only the one holding the *baton* runs; the rest
are blocked. A participant gives the baton up only in ``VirtualTime.sleep``: it registers
its wake-up, then hands the baton on itself, to the earliest pending event. Events are
ordered by (virtual time, callbacks before wake-ups, registration order), so a run is
deterministic whatever the OS scheduler does. Handing on means: move the clock to the
event's time (never backwards), then run it if it is a plain callback (``at``), in the
handing thread, and go on to the next; or, if it is a participant's wake-up, give that
participant the baton and block until the baton comes back.

The clock moves only between events, so a participant may block on real I/O (HTTP to a fake
server, a database) while it holds the baton: nothing else runs meanwhile, and no virtual
time passes. Threads wait on a condition variable: no busy-waiting and no real sleeps.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

_CALLBACK, _WAKE = 0, 1  # at the same time, callbacks go before wake-ups
_STOP = -1  # the baton goes to nobody: the run is over
LINE_POLL = 0.05  # virtual seconds between looks of a request waiting in a quota's line


class Clock(Protocol):
    """The fake's VirtualClock: read it, move it forward."""

    def __call__(self) -> float: ...

    def advance(self, seconds: float) -> None: ...


class _Abort(BaseException):
    """Raised in a participant's ``sleep`` when another one failed: it unwinds and stops.

    A BaseException, so participant code that catches Exception (a sync loop's per-sheet
    error handler) doesn't swallow it.
    """


class VirtualTime:
    """Runs participants one at a time in virtual time; see the module docstring.

    >>> from tests.fakes.google_quota import VirtualClock
    >>> clock = VirtualClock(0.0)
    >>> vt, seen = VirtualTime(clock), []
    >>> def ping(name: str, every: float) -> Callable[[], None]:
    ...     def loop() -> None:
    ...         for _ in range(2):
    ...             vt.sleep(every)
    ...             seen.append((name, clock()))
    ...     return loop
    >>> vt.run([ping("a", 3), ping("b", 2)])
    >>> seen
    [('b', 2.0), ('a', 3.0), ('b', 4.0), ('a', 6.0)]
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._cond = threading.Condition()
        # (when, kind, registration number, participant index or callback)
        self._events: list[tuple[float, int, int, int | Callable[[], None]]] = []
        self._order = itertools.count()
        self._turn: int | None = None  # the participant holding the baton
        self._alive = 0  # participants that have not returned yet
        self._failure: BaseException | None = None
        self._running = False
        self._local = threading.local()

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Run ``action`` at virtual time ``when`` (now, if that has passed).

        It runs in whichever thread hands the baton on, before any participant due at the
        same or a later time; it may call ``at`` itself. Callbacks still pending when the
        last participant returns never run.
        """
        with self._cond:
            self._push(max(when, self.clock()), _CALLBACK, action)

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of virtual time; other participants and callbacks run meanwhile.

        Only for participant threads (a quota scheduler's or an HTTP client's sleep).
        """
        me: int | None = getattr(self._local, "index", None)
        if me is None:
            raise RuntimeError("VirtualTime.sleep called outside a participant of run()")
        with self._cond:
            self._stop_if_failed()
            self._push(self.clock() + max(0.0, seconds), _WAKE, me)
        self._hand_on()
        self._wait_for_baton(me)

    def wait_in_line(self, line: threading.Condition) -> None:
        """A participant's wait on ``line`` (held) for another participant to notify it: in
        virtual time, a short sleep with ``line`` released, after which the caller looks
        again. A real wait would keep the baton while the one it waits for needs it.
        """
        line.release()
        try:
            self.sleep(LINE_POLL)
        finally:
            line.acquire()

    def run(self, participants: Sequence[Callable[[], None]]) -> None:
        """Run each participant in a thread of its own, all due now in the given order.

        Returns when all have returned. If one raises (or a callback does), the others
        are stopped at their next ``sleep`` and the first error is raised here.
        """
        with self._cond:
            if self._running:
                raise RuntimeError("VirtualTime.run is already running")
            self._running, self._failure, self._alive = True, None, len(participants)
            for index in range(len(participants)):
                self._push(self.clock(), _WAKE, index)
        threads = [
            threading.Thread(target=self._participate, args=(i, p), name=f"vt-{i}", daemon=True)
            for i, p in enumerate(participants)
        ]
        for thread in threads:
            thread.start()
        try:
            self._hand_on()  # this thread holds the baton until the first participant has it
            for thread in threads:
                thread.join()
        except KeyboardInterrupt:
            # Ctrl-C: the participants (daemon threads) stay where they wait; the caller's
            # cleanup (servers, folders) runs now instead of after a run nobody wants.
            self._fail(_Abort())
            raise
        finally:
            with self._cond:
                self._running, self._turn = False, None
                self._events.clear()  # callbacks nobody lived to see
        if self._failure is not None:
            raise self._failure

    def _participate(self, index: int, body: Callable[[], None]) -> None:
        self._local.index = index
        try:
            self._wait_for_baton(index)
            body()
        except _Abort:
            pass
        except BaseException as error:  # re-raised by run(), in the caller's thread
            self._fail(error)
        finally:
            with self._cond:
                self._alive -= 1
            self._hand_on()

    def _hand_on(self) -> None:
        """Run events in order until one is a participant's wake-up; give it the baton."""
        while True:
            with self._cond:
                action = self._next_callback()
                if action is None:
                    return
            try:
                action()
            except Exception as error:  # a callback's error ends the run like a participant's
                self._fail(error)

    def _next_callback(self) -> Callable[[], None] | None:
        """Under the lock: the next callback to run, or None once the baton is handed on."""
        while self._events and self._alive:
            when, _, _, item = heapq.heappop(self._events)
            stopping = self._failure is not None  # time stands; participants only unwind
            if not stopping:
                self.clock.advance(when - self.clock())
            if isinstance(item, int):
                self._give(item)
                return None
            if not stopping:
                return item
        self._give(_STOP)
        return None

    def _give(self, index: int) -> None:
        self._turn = index
        self._cond.notify_all()

    def _wait_for_baton(self, me: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._turn == me)
            self._stop_if_failed()

    def _stop_if_failed(self) -> None:
        if self._failure is not None:
            raise _Abort

    def _fail(self, error: BaseException) -> None:
        with self._cond:
            if self._failure is None:
                self._failure = error

    def _push(self, when: float, kind: int, item: int | Callable[[], None]) -> None:
        heapq.heappush(self._events, (when, kind, next(self._order), item))
