"""``python manage.py screening_report [-m]``: recall per kind and false positives of screening."""

from django.core.management.base import BaseCommand

from referrals.screening import report


class Command(BaseCommand):
    help = "Screen the corpus in referrals/screening/corpus/: recall per kind, false-positive rate, timing."

    def add_arguments(self, parser):
        parser.add_argument("--misses", "-m", action="store_true", help="list what was missed or wrongly refused")

    def handle(self, *args, **options):
        for line in report.run().lines(verbose=options["misses"]):
            self.stdout.write(line)
