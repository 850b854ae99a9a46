"""Record and verify the append-only, hash-chained audit log.

``record()`` joins the caller's transaction: a write and its audit row commit or roll back together.
Failures and denials are recorded by the caller *after* its transaction rolled back, so they survive.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tupo.core.choices import AuditResult
from tupo.core.masking import mask_text
from tupo.core.middleware import current_request_context
from tupo.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> str:
    payload = {
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "source_ip": event.source_ip,
        "event_type": event.event_type,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "result": event.result,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event).encode("utf-8")).hexdigest()


def record(
    event_type: str,
    *,
    actor=None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    result: str = AuditResult.SUCCESS,
    details: dict | None = None,
    source_ip: str | None = None,
) -> AuditEvent:
    """Append one audit event. Actor and source address default to the current request's."""
    ctx = current_request_context()
    if actor is None and ctx is not None:
        actor = ctx.user
    if source_ip is None and ctx is not None:
        source_ip = ctx.ip
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    username = actor.get_username() if actor_id else (getattr(actor, "username", "") or "")
    # Personal numbers never reach the log in clear.
    clean_details = json.loads(mask_text(json.dumps(details or {}, ensure_ascii=False, default=str)))
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        event = AuditEvent(
            created_at=timezone.now(),
            actor_id=actor_id,
            actor_username=username[:150],
            source_ip=source_ip,
            event_type=event_type,
            object_type=object_type[:64],
            object_id=str(object_id)[:64],
            object_repr=mask_text(str(object_repr))[:200],
            result=result,
            details=clean_details,
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(event)
        event.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash, last_event_id=event.pk)
    return event


@dataclass
class VerifyReport:
    checked: int
    ok: bool
    broken_event_id: int | None = None
    reason: str = ""


def verify_chain(batch: int = 5000) -> VerifyReport:
    """Walk the chain in id order; return the first event whose link or content does not match."""
    prev = GENESIS
    checked = 0
    last_id = 0
    qs = AuditEvent.objects.order_by("id")
    while True:
        rows = list(qs.filter(id__gt=last_id)[:batch])
        if not rows:
            break
        for event in rows:
            if event.prev_hash != prev:
                return VerifyReport(checked, False, event.pk, "previous-hash link does not match (a row was removed or reordered)")
            if compute_hash(event) != event.hash:
                return VerifyReport(checked, False, event.pk, "content does not match its hash (the row was edited)")
            prev = event.hash
            checked += 1
            last_id = event.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and checked and head.last_hash != prev:
        return VerifyReport(checked, False, head.last_event_id, "the newest events were removed (head does not match)")
    return VerifyReport(checked, True)
