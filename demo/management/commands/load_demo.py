from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo.network import DEMO_PASSWORD, ORGANISATIONS, load_demo, load_demo_referrals, load_demo_waiting_offer


class Command(BaseCommand):
    help = "Load boundaries and the demo network (organisations, users, shelters, coverage). Idempotent."

    def handle(self, *args, **options):
        self.stdout.write("Loading boundaries of the Bali Process member states...")
        call_command("load_boundaries", verbosity=0, stdout=self.stdout)
        self.stdout.write("Loading demo organisations...")
        organisations = load_demo(log=self.stdout.write)
        self.stdout.write("Loading demo referrals...")
        load_demo_referrals(organisations, log=self.stdout.write)
        load_demo_waiting_offer(organisations, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Demo loaded. Accounts (password for all: {DEMO_PASSWORD}):"))
        self.stdout.write("  platform.admin       (platform administrator)")
        self.stdout.write("  platform.analyst     (analyst: statistics over every referral)")
        for spec in ORGANISATIONS:
            for username, role in spec.get("members", []):
                self.stdout.write(f"  {username:<20} {role:<11} {spec['name']}")
