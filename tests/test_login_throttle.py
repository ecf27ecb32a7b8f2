"""Login throttling (django-axes): five failures lock the account everywhere and the address
for every account, on the readers' login page and the admin's; a locked attempt is refused
with a Chinese page even with the right password; success resets the count; reading goes on."""
from django.test import TestCase
from django.urls import reverse

from tests.factories import make_article, make_compilation, make_user

PASSWORD = "正确-密码-2024"
LOGIN = reverse("login")


class LoginThrottleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_user("会员甲", group="会员", password=PASSWORD)
        make_user("会员乙", group="会员", password=PASSWORD)
        make_user("编辑丙", group="编辑", staff=True, password=PASSWORD)

    def attempt(self, username, password, address="10.0.0.1", url=LOGIN):
        return self.client.post(url, {"username": username, "password": password},
                                REMOTE_ADDR=address)

    def test_five_failures_lock_the_account_and_the_address(self):
        for _ in range(4):
            self.assertEqual(self.attempt("会员甲", "猜错的密码").status_code, 200)
        self.assertEqual(self.attempt("会员甲", "猜错的密码").status_code, 429)  # the fifth locks
        locked = self.attempt("会员甲", PASSWORD)
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "连续 5 次登录失败", status_code=429)
        self.assertContains(locked, "15 分钟后再试", status_code=429)
        # A reader who forgot the password is sent to the reset by mail.
        self.assertContains(locked, f'href="{reverse("password_reset")}"', status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        # The account from another address, and the address for another account.
        self.assertEqual(self.attempt("会员甲", PASSWORD, address="10.0.0.2").status_code, 429)
        self.assertEqual(self.attempt("会员乙", PASSWORD).status_code, 429)
        # Someone else, elsewhere, is not affected.
        self.assertEqual(self.attempt("会员乙", PASSWORD, address="10.0.0.3").status_code, 302)

    def test_the_admin_login_counts_and_locks_too(self):
        admin_login = reverse("admin:login")
        for _ in range(5):
            self.attempt("编辑丙", "猜错的密码", url=admin_login)
        self.assertEqual(self.attempt("编辑丙", PASSWORD, url=admin_login,
                                      address="10.0.0.9").status_code, 429)

    def test_a_success_resets_the_count(self):
        for _ in range(4):
            self.attempt("会员甲", "猜错的密码")
        self.assertEqual(self.attempt("会员甲", PASSWORD).status_code, 302)
        self.client.logout()
        for _ in range(4):
            self.attempt("会员甲", "猜错的密码")
        self.assertEqual(self.attempt("会员甲", PASSWORD).status_code, 302)

    def test_reading_goes_on_from_a_locked_address(self):
        article = make_article(title="锁定时照常阅读", compilation=make_compilation())
        for _ in range(6):
            self.attempt("会员甲", "猜错的密码")
        response = self.client.get(article.get_absolute_url(), REMOTE_ADDR="10.0.0.1")
        self.assertEqual(response.status_code, 200)
