from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ttdn.accounts"
    label = "accounts"
    verbose_name = "Accounts"
