"""Notifications through small transports: in-app (the bell) and e-mail. Callers name users, not channels.

``notify(users, title, body, url)`` writes the in-app rows in the caller's transaction and sends e-mail
after commit, so a rolled-back action notifies nobody. Recipients are decided by the caller (e.g. a bid's
own team): a transport never widens them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction


class Transport:
    def send(self, users: list, title: str, body: str, url: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class InApp(Transport):
    def send(self, users, title, body, url):
        from tupo.core.models import Notification

        Notification.objects.bulk_create(
            [Notification(user=u, title=title[:200], body=body, url=url[:300]) for u in users], batch_size=1000
        )


class Email(Transport):
    def send(self, users, title, body, url):
        emails = sorted({u.email for u in users if getattr(u, "email", "")})
        if not emails:
            return
        text = f"{body}\n\n{url}" if url else body
        # One message per address: recipients never see each other (a bid's team, a call's audience…).
        messages = [(title, text, settings.DEFAULT_FROM_EMAIL, [e]) for e in emails]
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


TRANSPORTS: list[Transport] = [InApp(), Email()]


def notify(users: Iterable, title: str, body: str = "", url: str = "") -> int:
    recipients = [u for u in {getattr(u, "pk", None): u for u in users}.values() if getattr(u, "is_active", False)]
    for transport in TRANSPORTS:
        transport.send(recipients, title, body, url)
    return len(recipients)


def unread_count(user) -> int:
    from tupo.core.models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()
