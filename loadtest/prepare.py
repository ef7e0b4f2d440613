"""Accounts, a token and an open period for the load test, on the benchmark initiative that
`manage.py bench --build-only` built (100 organisations × 50 measures × 60 months).

Defaults are issue 22's month-end: 60 partners (each of its own organisation), 25 steering members,
5 backbone staff, 10 integrators.

* `load-partner-N`: a partner contributor of the N-th benchmark organisation; that organisation's
  submission for the last month is a draft again, and the month is open for data until 30 days
  from now, so the grid can be saved and submitted;
* `load-steering-N`: steering committee members; `load-backbone`, `load-backbone-1`, …: backbone
  staff, who approve and unlock the partners' submissions so that they can be submitted again;
* read-scope API tokens, one per integrator (new ones each run; the previous ones are revoked).

Everyone's password is LOAD_PASSWORD. Writes what the locustfile needs as JSON to the path given.
Run as `python loadtest/prepare.py OUT.json` with DATABASE_URL set (loadtest/run.py does).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta


def main(
    out: str,
    slug: str = "bench",
    partners: int = 60,
    steering: int = 25,
    integrators: int = 10,
    backbone: int = 5,
) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ci_platform.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from initiatives import services as initiative_services
    from initiatives.choices import Role, TokenScope
    from initiatives.models import ApiToken, Initiative, Membership, Organization
    from measurement.aggregation import runs
    from measurement.choices import SubmissionStatus
    from measurement.models import Submission

    password = os.environ.get("LOAD_PASSWORD", "load-test-Pass-2026")
    initiative = Initiative.objects.get(slug=slug)
    users = get_user_model()

    def account(username: str, organization: Organization, role: str):
        user, _created = users.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user, initiative=initiative, defaults={"organization": organization, "role": role}
        )
        return user

    with transaction.atomic():
        backbone_org = Organization.objects.get(name="Bench backbone")
        funder_org = Organization.objects.get(name="Bench funder")
        backbone_names = [
            account("load-backbone" if n == 0 else f"load-backbone-{n}", backbone_org, Role.BACKBONE).username
            for n in range(max(1, backbone))
        ]
        by = users.objects.get(username=backbone_names[0])
        steering_names = [
            account(f"load-steering-{n}", funder_org, Role.STEERING).username for n in range(steering)
        ]
        orgs = list(
            Organization.objects.filter(
                participations__initiative=initiative, name__startswith=f"Bench {slug} partner"
            ).order_by("name")[:partners]
        )
        if len(orgs) < partners:
            raise SystemExit(
                f"{partners} partners need as many organisations; the initiative {slug} has {len(orgs)}"
            )
        period = initiative.periods.filter(frequency="monthly").order_by("-start").first()
        today = timezone.localdate()
        period.opens_on = min(period.opens_on, today)
        period.closes_on = today + timedelta(days=30)
        period.save(update_fields=["opens_on", "closes_on"])
        Submission.objects.filter(period=period, organization__in=orgs).update(
            status=SubmissionStatus.DRAFT, submitted_at=None, reviewed_at=None
        )
        partner_accounts = []
        for n, org in enumerate(orgs):
            user = account(f"load-partner-{n}", org, Role.PARTNER)
            submission = Submission.objects.get(period=period, organization=org)
            partner_accounts.append(
                {"username": user.username, "organization": org.pk, "submission": submission.pk}
            )
        for token in ApiToken.objects.filter(initiative=initiative, label="Load test", revoked_at=None):
            initiative_services.api_token_revoke(token=token, by=by)
        # One token per integrator: each stays within its own rate (API_RATE_TOKEN, 6000/hour).
        secrets = [
            initiative_services.api_token_create(
                initiative=initiative, by=by, label="Load test", scope=TokenScope.READ, days=2
            )[1]
            for _n in range(integrators)
        ]

    if runs.active_run(initiative) is None:
        print("computing the aggregates (no active run yet)", file=sys.stderr)
        run = runs.rebuild_start(initiative)
        for measure_id in initiative.measures.values_list("pk", flat=True):
            runs.rebuild_measure(run.pk, measure_id)

    setup = {
        "slug": slug,
        "password": password,
        "period": {"code": period.code, "frequency": period.frequency},
        "backbone": backbone_names,
        "steering": steering_names,
        "partners": partner_accounts,
        "tokens": secrets,
        "measures": list(initiative.measures.order_by("code").values_list("code", flat=True)),
    }
    with open(out, "w") as fh:
        json.dump(setup, fh, indent=1)
    print(f"load test set-up written to {out}", file=sys.stderr)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--partners", type=int, default=60)
    parser.add_argument("--steering", type=int, default=25)
    parser.add_argument("--integrators", type=int, default=10)
    parser.add_argument("--backbone", type=int, default=5)
    args = parser.parse_args()
    main(
        args.out,
        partners=args.partners,
        steering=args.steering,
        integrators=args.integrators,
        backbone=args.backbone,
    )
