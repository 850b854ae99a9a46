"""Database backups: a consistent copy (SQLite ``VACUUM INTO``; PostgreSQL ``pg_dump -Fc``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


class BackupError(Exception):
    pass


def backup_dir() -> Path:
    path = Path(settings.DATA_DIR) / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_backup(target_dir: Path | None = None) -> Path:
    target_dir = target_dir or backup_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S-%f")
    if connection.vendor == "sqlite":
        target = target_dir / f"tupo-{stamp}.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(target)])
        return target
    if connection.vendor == "postgresql":
        if not shutil.which("pg_dump"):
            raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
        target = target_dir / f"tupo-{stamp}.dump"
        s = settings.DATABASES["default"]
        cmd = ["pg_dump", "-Fc", "-f", str(target), "-h", s.get("HOST") or "localhost", "-p", str(s.get("PORT") or 5432),
               "-U", s.get("USER") or "postgres", s["NAME"]]
        subprocess.run(cmd, check=True, env={**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}, capture_output=True)
        return target
    raise BackupError(f"no backup method for {connection.vendor}")


def list_backups() -> list[tuple[str, int, float]]:
    return sorted(((p.name, p.stat().st_size, p.stat().st_mtime) for p in backup_dir().glob("tupo-*")), reverse=True)
