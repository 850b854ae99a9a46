import pytest
from django.db import connection

@pytest.mark.e2e
def test_dbg(e2e_db, personas, page, log_in):
    log_in(page, "dept_admin", "Test-pass-2026")

@pytest.mark.e2e
def test_dbg2(e2e_db):
    with connection.cursor() as c:
        c.execute("select name from sqlite_master where type='trigger'")
        assert len(c.fetchall()) == 2
