"""Print the demo accounts (one per role) with the demo password and the administrators' TOTP keys."""

from django.core.management.base import BaseCommand

from tupo.accounts.demo import ACCOUNTS, DEMO_PASSWORD, totp_secret
from tupo.accounts.models import User


class Command(BaseCommand):
    help = "Print the demo accounts."

    def handle(self, *args, **options):
        self.stdout.write("")
        self.stdout.write(f"Tupo 演示账号 / demo accounts  (password 密码: {DEMO_PASSWORD})")
        self.stdout.write("-" * 78)
        names = dict(User.objects.filter(username__in=[a[0] for a in ACCOUNTS]).values_list("username", "display_name"))
        for username, display, role, _where in ACCOUNTS:
            display = names.get(username, display)
            secret = totp_secret(username)
            extra = f"  TOTP key 动态口令密钥: {secret}" if secret else ""
            self.stdout.write(f"  {username:<12} {display:<14} {role.label}{extra}")
        self.stdout.write("-" * 78)
        self.stdout.write("The three administrators need a code from an authenticator app (TOTP) with the key above.")
        self.stdout.write("三员账号登录需输入认证器应用按上述密钥生成的六位动态口令。")
        self.stdout.write("")
