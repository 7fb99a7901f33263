from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or update the demo's staff login 'staff' (a superuser) with the given password."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True)

    def handle(self, *args, password, **options):
        user, _ = get_user_model().objects.get_or_create(
            username="staff", defaults={"email": "staff@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write("Demo staff login 'staff' is ready.")
