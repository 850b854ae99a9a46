import base64
import datetime as dt

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.factories import PASSWORD, make_user

from tupo.accounts import services
from tupo.accounts.choices import Role
from tupo.accounts.models import RoleGrant, SecurityPolicy
from tupo.core.models import AuditEvent
from tupo.core.services import SYSTEM


def post_login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_records_an_audit_event_with_the_source_address(personas, client):
    r = post_login(client, "dept_admin")
    assert r.status_code == 302
    event = AuditEvent.objects.filter(event_type="auth.login").latest("id")
    assert event.actor_username == "dept_admin" and event.source_ip == "127.0.0.1"


def test_a_wrong_password_is_audited_as_a_failure(personas, client):
    r = post_login(client, "dept_admin", "wrong")
    assert r.status_code == 200 and "Wrong user name or password" in r.content.decode()
    assert AuditEvent.objects.filter(event_type="auth.login_failed", result="failure", actor_username="dept_admin").exists()


def test_five_failures_lock_the_account_for_the_configured_time(personas, client):
    for _ in range(5):
        post_login(client, "leader", "wrong")
    locked = post_login(client, "leader")
    assert locked.status_code == 429 and "locked" in locked.content.decode().lower()
    with time_machine.travel(dt.datetime.now() + dt.timedelta(minutes=16)):
        assert post_login(client, "leader").status_code == 302


def test_the_security_admin_changes_the_lockout_threshold(personas, client):
    services.update_policy(personas.secadmin, {"lockout_failures": 3}, expected_version=SecurityPolicy.current().version)
    for _ in range(3):
        post_login(client, "leader", "wrong")
    assert post_login(client, "leader").status_code == 429


def test_an_administrator_without_a_second_factor_must_set_one_up(personas, client):
    post_login(client, "auditadmin")
    r = client.get("/audit/")
    assert r.status_code == 302 and r.url == "/accounts/two-factor/"
    page = client.get("/accounts/two-factor/")
    secret = page.context["secret"]
    code = f"{totp(base64.b32decode(secret)):06d}"
    assert client.post("/accounts/two-factor/", {"token": code}).status_code == 302
    assert client.get("/audit/").status_code == 200


def test_a_user_with_a_device_enters_a_code_after_the_password(personas, client):
    device = TOTPDevice.objects.create(user=personas.secadmin, name="phone", confirmed=True)
    r = post_login(client, "secadmin")
    assert r.url.startswith("/accounts/login/code/")
    assert client.get("/accounts/roles/").status_code == 302      # not logged in yet
    wrong = client.post("/accounts/login/code/", {"token": "000000" if totp(device.bin_key) else "111111"})
    assert wrong.status_code == 200 and "wrong or has expired" in wrong.content.decode()
    # django-otp throttles after a wrong code (1 s, doubling): a person waits, then enters the new code.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5), tick=False):
        client.post("/accounts/login/code/", {"token": f"{totp(device.bin_key):06d}"})
        assert client.get("/accounts/roles/").status_code == 200


def test_no_account_may_hold_two_of_the_three_administrator_roles(personas):
    with pytest.raises(ValidationError, match="may not hold two"):
        services.grant_role(personas.secadmin, personas.sysadmin, Role.AUDIT_ADMIN)
    with pytest.raises(IntegrityError):
        RoleGrant.objects.create(user=personas.sysadmin, role=Role.SECURITY_ADMIN)


def test_only_the_security_admin_grants_roles(personas, tree):
    with pytest.raises(PermissionDenied):
        services.grant_role(personas.sysadmin, personas.nobody, Role.LEADER, tree.county)
    services.grant_role(personas.secadmin, personas.nobody, Role.LEADER, tree.county)
    assert personas.nobody.role_grants.filter(role=Role.LEADER).exists()


def test_a_superuser_flag_grants_nothing(personas, tree):
    personas.nobody.is_superuser = True
    personas.nobody.save()
    assert not personas.nobody.has_perm("orgs.change_organization", tree.county)
    assert not personas.nobody.has_perm("accounts.manage_roles")


@pytest.mark.parametrize("password,message", [
    ("short1A", "at least 8"), ("alllowercase", "mix at least 3"), ("Tupo2026", None),
])
def test_password_complexity(personas, password, message):
    if message:
        with pytest.raises(ValidationError, match=message):
            services.set_password(personas.leader, personas.leader, password, old_password=PASSWORD)
    else:
        services.set_password(personas.leader, personas.leader, password, old_password=PASSWORD)


def test_the_last_five_passwords_cannot_be_reused(personas):
    user = personas.leader
    old = PASSWORD
    for i in range(5):
        new = f"Fresh-pass-{i}"
        services.set_password(user, user, new, old_password=old)
        old = new
    with pytest.raises(ValidationError, match="last 5"):
        services.set_password(user, user, "Fresh-pass-1", old_password=old)
    services.set_password(user, user, PASSWORD, old_password=old)  # six back: allowed again


def test_an_expired_password_must_be_changed_before_anything_else(personas, client):
    personas.leader.password_changed_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    personas.leader.save()
    client.force_login(personas.leader)
    r = client.get("/orgs/")
    assert r.status_code == 302 and r.url == "/accounts/password/"


def test_an_admin_reset_forces_a_change_at_next_login(personas, client):
    services.set_password(personas.sysadmin, personas.leader, "Admin-set-99")
    post_login(client, "leader", "Admin-set-99")
    assert client.get("/").url == "/accounts/password/"


def test_sessions_expire_after_the_idle_time(personas, client):
    client.force_login(personas.leader)
    client.get("/")
    assert client.session.get_expiry_age() == 30 * 60


def test_argon2_is_the_production_hasher(settings):
    encoded = make_password("x", hasher="argon2")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert "Argon2PasswordHasher" in settings.PASSWORD_HASHERS[-2]


def test_logout_needs_post_and_is_audited(personas, client):
    client.force_login(personas.leader)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(event_type="auth.logout", actor_username="leader").exists()


def test_the_system_admin_creates_accounts_but_cannot_grant_roles(personas, login):
    c = login(personas.sysadmin)
    r = c.post("/accounts/users/", {"username": "newbie", "display_name": "新人", "password": "New-user-2026"})
    assert r.status_code == 302
    assert c.get("/accounts/roles/").status_code == 404


def test_the_audit_admin_only_reads_the_log(personas, login):
    c = login(personas.auditadmin)
    assert c.get("/audit/").status_code == 200
    assert c.get("/audit/?export=xlsx").status_code == 200
    assert c.get(f"/orgs/people/{1}/").status_code == 404
    assert c.get("/accounts/users/").status_code == 404
    assert login(personas.sysadmin).get("/audit/").status_code == 404


def test_tokens_are_shown_once_and_stored_hashed(personas):
    token, key = services.create_token(personas.leader, personas.leader, name="laptop")
    assert key not in token.key_hash and services.authenticate_token(key) == personas.leader
    services.revoke_token(personas.leader, token)
    assert services.authenticate_token(key) is None


def test_make_user_helper_has_no_extra_roles(db):
    u = make_user("plain")
    assert u.roles == set()
    assert SYSTEM.has_perm("anything")


def test_a_new_authenticator_replaces_the_old_one_only_with_a_right_code(personas):
    user = personas.secadmin
    old = TOTPDevice.objects.create(user=user, name="old phone", confirmed=True)
    pending = services.pending_totp_device(user)
    assert services.pending_totp_device(user) == pending          # one pending device, not one per visit
    wrong = "000000" if totp(pending.bin_key) else "111111"
    assert services.confirm_totp(user, pending, wrong) is False
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    assert not AuditEvent.objects.filter(event_type="auth.otp_enabled").exists()
    pending.refresh_from_db()
    pending.throttle_reset()  # a failure throttles the device for a moment (django-otp); the user waits
    assert services.confirm_totp(user, pending, f"{totp(pending.bin_key):06d}") is True
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [pending]
    assert AuditEvent.objects.filter(event_type="auth.otp_enabled", actor_id=user.pk).exists()
