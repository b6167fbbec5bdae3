"""The failover link protocol of one relationship, sans I/O and without a clock.

`FailoverSession` sits between the TCP adapter (`adapters/peer_tcp.py`) and the state
machine: the adapter reports connections made and lost and the messages it decoded, the
session answers with actions — messages to transmit on a connection, connections to drop,
and the machine's own outputs (log lines, `StateChanged` records to persist, service
changes) for the daemon.  It owns what ISC dhcpd 4.4 does around the machine
(server/failover.c; spec failover §1, §3, §10): who sends CONNECT (a primary, on every
connection), which CONNECT wins (the first; later ones get reject 7), what follows the
CONNECT and CONNECTACK checks (made in `handshake`), the per-connection xid counter,
CONTACT every peer receive-timer / 3, the 15 s link start-up timeout, and bare answers
to UPDREQ/UPDREQALL/POOLREQ for a server that has no leases to send.  Time comes in
as `now`; `next_deadline()` and `handle_timer(now)` follow aioquic's timer interface.
The actions it hands out are in `session_types`; the watch over an update it asked
for in `update_watch`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.config.failover_peer import FailoverPeerConfig
from domain.failover.handshake import (
    VENDOR_CLASS,
    connect_ack_refusal,
    connect_answer,
    connect_conflict,
    connect_refusal,
)
from domain.failover.machine import FailoverMachine, FailoverSettings
from domain.failover.session_types import (
    Action,
    BindAckReceived,
    BindUpdateReceived,
    DropLink,
    PeerParameters,
    PoolRequested,
    Transmit,
    UpdatesRequested,
)
from domain.failover.states import (
    CloseLink,
    Input,
    LogLine,
    Output,
    RescindUpdates,
    Role,
    SendState,
    SendUpdReq,
    SendUpdReqAll,
)
from domain.failover.update_watch import UpdateWatch, ack_window_warning
from domain.failover_messages import (
    PROTOCOL_VERSION,
    BndAck,
    BndUpd,
    Connect,
    ConnectAck,
    Contact,
    Disconnect,
    FailoverMessage,
    PoolReq,
    PoolResp,
    ServerFlag,
    State,
    UnknownMessage,
    UpdDone,
    UpdReq,
    UpdReqAll,
    construct,
    reject_reason_text,
)
from domain.lease import FailoverStateRecord

LINK_STARTUP_SECONDS = 15


@dataclass(slots=True)
class _Connection:
    """What the session knows of one TCP connection."""

    opened_at: int
    last_sent: int
    next_xid: int = 0
    handshake_done: bool = False


@dataclass(slots=True)
class FailoverSession:
    """One relationship's link protocol around its `FailoverMachine`."""

    config: FailoverPeerConfig
    machine: FailoverMachine
    peer: PeerParameters = field(default_factory=PeerParameters)
    active: int | None = None
    _connections: dict[int, _Connection] = field(default_factory=dict)
    # the update we asked the peer for, while it comes (domain/failover/update_watch.py)
    update_watch: UpdateWatch = field(init=False)

    def __post_init__(self) -> None:
        self.update_watch = UpdateWatch.for_peer(self.config.name,
                                                 self.config.max_response_delay)

    @classmethod
    def resume(
        cls, config: FailoverPeerConfig, record: FailoverStateRecord | None, now: int
    ) -> FailoverSession:
        """A session whose machine resumes from `record`, the last state the lease
        file holds for this relationship (None on a first start)."""
        settings = FailoverSettings.from_config(config, record)
        return cls(config, FailoverMachine(settings, record, now))

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def is_primary(self) -> bool:
        return self.machine.settings.role is Role.PRIMARY

    def wants_connection(self) -> bool:
        """Whether the adapter should try to connect to the peer (no link is up)."""
        return self.active is None

    def start(self, now: int) -> list[Action]:
        """dhcpd's start-up: the machine moves to startup (spec §6.2)."""
        return self._machine(Input.START, now)

    def connection_made(self, link: int, now: int) -> list[Action]:
        """A TCP connection is up (accepted or opened): an ISC primary sends CONNECT on
        every connection, a secondary waits for one (spec §1.2)."""
        self._connections[link] = _Connection(opened_at=now, last_sent=now)
        if not self.is_primary:
            return []
        connect = Connect(
            time=now, xid=self._xid(link), relationship_name=self.name.encode(),
            max_unacked=self.config.max_unacked_updates,
            receive_timer=self.config.max_response_delay, vendor_class=VENDOR_CLASS,
            protocol_version=PROTOCOL_VERSION, tls_request=0, mclt=self.machine.mclt,
            hba=self.config.hba,
        )
        return [self._send(link, connect, now)]

    def connection_lost(self, link: int, now: int) -> list[Action]:
        """The connection closed (either end); losing the link runs the disconnect
        transition (spec §6.3).  The BNDUPDs in flight on it go back to the head of the
        update queue whatever the state: no BNDACK can come for them any more.  (ISC
        puts them back only when the state leaves normal, potential-conflict or
        partner-down, spec §6.6; a primary that stays in partner-down through the
        loss keeps its ack queue full of them, sends nothing on the next connection
        and never finishes answering a recovering peer's UPDREQALL.)"""
        self._connections.pop(link, None)
        if link != self.active:
            return []
        return [*self._link_gone(), *self._machine(Input.LINK_DOWN, now)]

    def _link_gone(self) -> list[Action]:
        """No link any more (closed, or dropped by us): what was in flight on it goes
        back on the queue, and the update we asked for will be asked for again."""
        self.active = None
        self.update_watch.ended()
        return [RescindUpdates()]

    def message_received(
        self, link: int, message: FailoverMessage | UnknownMessage, now: int
    ) -> list[Action]:
        """Carry out one decoded message as ISC's `dhcp_failover_state_signal` does."""
        if link not in self._connections or isinstance(message, UnknownMessage):
            return []
        if isinstance(message, Connect):
            return self._connect(link, message, now)
        if isinstance(message, ConnectAck):
            return self._connect_ack(link, message, now)
        if isinstance(message, Disconnect):
            return self._disconnect(link, message)
        if link != self.active:
            return []
        return self._on_link(link, message, now)

    def acknowledge(self, received: BindUpdateReceived, now: int) -> list[Action]:
        """The BNDACK for a stored BNDUPD: only assigned-IP-address and the BNDUPD's
        xid (spec §7.6, pitfall 7).  Nothing is sent if that connection is gone."""
        if received.link not in self._connections:
            return []
        ack = construct(BndAck, time=now, xid=received.update.xid,
                        assigned_address=received.update.assigned_address)
        return [self._send(received.link, ack, now)]

    def transmit(self, build: Callable[[int], FailoverMessage], now: int) -> list[Transmit]:
        """Send on the established link the message `build(xid)` makes with the
        connection's next xid; nothing when no link is up."""
        if self.active is None or self.active not in self._connections:
            return []
        return [self._send(self.active, build(self._xid(self.active)), now)]

    def reply(self, message: FailoverMessage, now: int) -> list[Transmit]:
        """Send an answer that carries its request's xid (UPDDONE, POOLRESP)."""
        if self.active is None or self.active not in self._connections:
            return []
        return [self._send(self.active, message, now)]

    def partner_down(self, now: int) -> list[Action]:
        """The operator says the peer is down (`leaseledger ctl partner-down`, ISC's
        OMAPI `local-state` 4): the machine moves to partner-down from any state."""
        return self._machine(Input.ADMIN_PARTNER_DOWN, now)

    def shutdown(self, now: int) -> list[Action]:
        """Leaving: DISCONNECT on the link, then close every connection.  The state is
        not changed (ISC's Debian build keeps its saved state on SIGTERM, spec §6.7)."""
        actions: list[Action] = []
        if self.active is not None:
            goodbye = Disconnect(time=now, xid=self._xid(self.active))
            actions.append(self._send(self.active, goodbye, now))
        actions += [DropLink(link) for link in self._connections]
        self._connections.clear()
        self.active = None
        return actions

    def next_deadline(self) -> int | None:
        """When `handle_timer` next has something to do: the machine's timers, the
        CONTACT keepalive, a connection's start-up timeout, or the update watch."""
        due = [at for at in (self.machine.next_deadline(), self._contact_due(),
                             self.update_watch.deadline()) if at]
        due += [
            connection.opened_at + LINK_STARTUP_SECONDS
            for connection in self._connections.values()
            if not connection.handshake_done
        ]
        return min(due, default=None)

    def handle_timer(self, now: int) -> list[Action]:
        """Fire whatever is due at `now`; harmless when nothing is."""
        actions: list[Action] = []
        for link, connection in list(self._connections.items()):
            if not connection.handshake_done and connection.opened_at + LINK_STARTUP_SECONDS <= now:
                actions.append(LogLine("info", "failover: link startup timeout"))
                actions.append(DropLink(link))
                del self._connections[link]
        actions += self._machine(Input.TICK, now)
        actions += self.update_watch.due(now)
        contact_due = self._contact_due()
        if self.active is not None and contact_due is not None and contact_due <= now:
            actions.append(self._send(self.active, Contact(time=now, xid=self._xid(self.active)),
                                      now))
        return actions

    def _contact_due(self) -> int | None:
        """CONTACT goes out when nothing was sent for the peer's receive-timer / 3
        (at least every second, so a peer announcing 0 is not flooded)."""
        if self.active is None or self.active not in self._connections:
            return None
        interval = max(self.peer.receive_timer // 3, 1)
        return self._connections[self.active].last_sent + interval

    def _connect(self, link: int, message: Connect, now: int) -> list[Action]:
        """A CONNECT, checked in ISC's order (`handshake`); the first valid one wins."""
        problem = connect_refusal(message, self.name, now)
        if problem is not None:
            name = message.relationship_name
            shown = (self.name if name == self.name.encode()
                     else (name or b"unknown").decode("latin-1"))
            return [
                LogLine("error", f"Failover CONNECT from {shown}: {problem[1]}"),
                self._send(link, connect_answer(message, self.config, now, problem), now),
                LogLine("info", f"failover: disconnect: {problem[1]}"),
                DropLink(link),
            ]
        problem = connect_conflict(message, connected=self.active is not None)
        if problem is not None:
            return [self._send(link, connect_answer(message, self.config, now, problem), now),
                    DropLink(link)]
        self.peer = PeerParameters(
            max_unacked=message.max_unacked or 0, receive_timer=message.receive_timer or 0,
            hba=message.hba,
        )
        if not self.is_primary and message.mclt is not None:
            self.machine.adopt_mclt(message.mclt)
        return [self._send(link, connect_answer(message, self.config, now, None), now),
                *self._window_warning(message.vendor_class), *self._link_up(link, now)]

    def _connect_ack(self, link: int, message: ConnectAck, now: int) -> list[Action]:
        """The answer to our CONNECT (spec §1.4, primary side)."""
        if message.reject_reason is not None and message.relationship_name is not None:
            reason = reject_reason_text(int(message.reject_reason))
            return [LogLine("error", f"Failover CONNECT to {self.name} rejected: {reason}"),
                    DropLink(link)]
        problem = connect_ack_refusal(message, self.name, now,
                                      connected=self.active is not None)
        if problem is not None:
            goodbye = Disconnect(time=now, xid=self._xid(link), reject_reason=problem[0],
                                 message=problem[1].encode())
            return [LogLine("error", f"Failover CONNECTACK from {self.name}: {problem[1]}"),
                    self._send(link, goodbye, now), DropLink(link)]
        self.peer = PeerParameters(
            max_unacked=message.max_unacked or 0, receive_timer=message.receive_timer or 0)
        return [*self._window_warning(message.vendor_class), *self._link_up(link, now)]

    def _window_warning(self, vendor_class: bytes | None) -> list[LogLine]:
        return ack_window_warning(self.name, self.config.max_unacked_updates,
                                  self.peer.max_unacked, vendor_class)

    def _disconnect(self, link: int, message: Disconnect) -> list[Action]:
        """DISCONNECT: log the reason if one is given, then close (the adapter reports
        the closed connection, which runs the disconnect transition)."""
        actions: list[Action] = []
        if message.reject_reason:
            reason = reject_reason_text(int(message.reject_reason))
            actions.append(LogLine("error", f"Failover DISCONNECT from {self.name}: {reason}"))
        return [*actions, DropLink(link)]

    def _link_up(self, link: int, now: int) -> list[Action]:
        self.active = link
        self._connections[link].handshake_done = True
        return self._machine(Input.LINK_UP, now)

    def _on_link(self, link: int, message: FailoverMessage, now: int) -> list[Action]:
        """A message on the established link; every one re-arms the receive timeout."""
        if isinstance(message, State):
            code = int(message.server_state or 0)
            startup = bool(int(message.server_flags or 0) & ServerFlag.STARTUP)
            return self._machine(Input.PEER_STATE, now, peer_state=code, peer_startup=startup)
        if isinstance(message, UpdDone):
            self.update_watch.ended()
            return self._machine(Input.UPDDONE, now)
        actions = self._machine(Input.MESSAGE_RECEIVED, now)
        if isinstance(message, UpdReqAll | UpdReq):
            actions.append(UpdatesRequested(isinstance(message, UpdReqAll), message.xid))
        elif isinstance(message, BndUpd):
            self.update_watch.progress(now)
            actions.append(BindUpdateReceived(link, message))
        elif isinstance(message, BndAck):
            actions.append(BindAckReceived(message))
        elif isinstance(message, PoolReq):
            actions.append(PoolRequested(message.xid))
        elif isinstance(message, PoolResp):
            count = message.addresses_transferred or 0
            actions.append(LogLine("info", f"pool response: {count} leases"))
        return actions

    def _machine(
        self, event: Input, now: int, *, peer_state: int | None = None,
        peer_startup: bool = False,
    ) -> list[Action]:
        """Run the machine and turn its sending outputs into messages on the link."""
        outputs = self.machine.handle(event, now, peer_state=peer_state,
                                      peer_startup=peer_startup)
        actions: list[Action] = []
        for output in outputs:
            actions += self._carry_out(output, now)
        return actions

    def _carry_out(self, output: Output, now: int) -> list[Action]:
        link = self.active
        if isinstance(output, CloseLink):
            if link is None:
                return []
            self._connections.pop(link, None)
            return [*self._link_gone(), DropLink(link)]
        if not isinstance(output, SendState | SendUpdReqAll | SendUpdReq):
            return [output]
        if link is None:
            return []
        if isinstance(output, SendState):
            flags = ServerFlag.STARTUP if output.startup else ServerFlag(0)
            state = State(time=now, xid=self._xid(link), server_state=output.state,
                          server_flags=flags, stos=output.stos)
            return [self._send(link, state, now)]
        if isinstance(output, SendUpdReqAll):
            request: UpdReqAll | UpdReq = UpdReqAll(time=now, xid=self._xid(link))
            line = f"Sent update request all message to {self.name}"
        else:
            request = UpdReq(time=now, xid=self._xid(link))
            line = f"Sent update request message to {self.name}"
        self.update_watch.requested(now)
        return [self._send(link, request, now), LogLine("info", line)]

    def _xid(self, link: int) -> int:
        """The next value of the connection's xid counter (spec §2)."""
        connection = self._connections[link]
        xid = connection.next_xid
        connection.next_xid = (xid + 1) & 0xFFFFFFFF
        return xid

    def _send(self, link: int, message: FailoverMessage, now: int) -> Transmit:
        """Every message sent re-arms the CONTACT timer (spec §10)."""
        connection = self._connections.get(link)
        if connection is not None:
            connection.last_sent = now
        return Transmit(link, message)
