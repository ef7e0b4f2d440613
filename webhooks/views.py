"""Pages of webhooks, for backbone staff: the subscriptions, one subscription with its delivery log,
the form, secret rotation and redelivery. InitiativeMixin decides 404 or 403 once (MANAGE for every
page, reading included); services write, selectors read. A secret is shown on the answer to the POST
that made it, once, and never on a page that can be opened again."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from initiatives.views import InitiativeMixin, apply_errors

from . import permissions as perms
from . import selectors, services
from .forms import SubscriptionEditForm, SubscriptionForm
from .models import Delivery, Subscription

DELIVERIES_PER_PAGE = 25


class WebhooksMixin(InitiativeMixin):
    permission = perms.MANAGE
    section = "webhooks"

    def subscription(self) -> Subscription:
        return get_object_or_404(Subscription, initiative=self.initiative, pk=self.kwargs["pk"])

    def secret_page(self, subscription: Subscription, secret: str, *, created: bool):
        response = self.response_class(
            request=self.request,
            template=["webhooks/secret.html"],
            context=self.get_context_data(subscription=subscription, secret=secret, created=created),
            using=self.template_engine,
        )
        response["Cache-Control"] = "no-store"  # the secret is not kept by the browser or a proxy
        return response


class SubscriptionListView(WebhooksMixin, TemplateView):
    template_name = "webhooks/subscription_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            subscriptions=list(selectors.subscriptions_of(self.initiative)), **kwargs
        )


class SubscriptionCreateView(WebhooksMixin, FormView):
    template_name = "webhooks/subscription_form.html"
    form_class = SubscriptionForm

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            subscription, secret = services.subscription_create(
                initiative=self.initiative, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        return self.secret_page(subscription, secret, created=True)


class SubscriptionEditView(WebhooksMixin, FormView):
    template_name = "webhooks/subscription_form.html"
    form_class = SubscriptionEditForm

    def get_initial(self):
        s = self.subscription()
        return {"url": s.url, "description": s.description, "events": s.events, "is_active": s.is_active}

    def get_context_data(self, **kwargs):
        if "subscription" not in kwargs:
            kwargs["subscription"] = self.subscription()
        return super().get_context_data(**kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            subscription = services.subscription_update(
                subscription=self.subscription(), by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The subscription was saved."))
        return redirect(subscription)


class SubscriptionDetailView(WebhooksMixin, TemplateView):
    """The subscription and its delivery log: every attempt with its status code, time and error."""

    template_name = "webhooks/subscription_detail.html"

    def get_context_data(self, **kwargs):
        subscription = self.subscription()
        log = selectors.deliveries_of(self.initiative).filter(subscription=subscription)
        page = Paginator(log, DELIVERIES_PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(subscription=subscription, page=page, now=timezone.now(), **kwargs)


class SecretRotateView(WebhooksMixin, TemplateView):
    """GET asks; POST makes the new secret and shows it once."""

    template_name = "webhooks/rotate.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("overlap_hours", settings.WEBHOOKS_ROTATION_OVERLAP_HOURS)
        if "subscription" not in kwargs:
            kwargs["subscription"] = self.subscription()
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        subscription = self.subscription()
        secret = services.subscription_secret_rotate(subscription=subscription, by=request.user)
        subscription.refresh_from_db()
        return self.secret_page(subscription, secret, created=False)


class SubscriptionDeleteView(WebhooksMixin, View):
    def post(self, request, *args, **kwargs):
        services.subscription_delete(subscription=self.subscription(), by=request.user)
        messages.success(request, _("The subscription was deleted."))
        return redirect("webhooks:list", slug=self.initiative.slug)


class RedeliverView(WebhooksMixin, View):
    def post(self, request, *args, **kwargs):
        delivery = get_object_or_404(
            Delivery.objects.select_related("subscription__initiative"),
            subscription__initiative=self.initiative,
            pk=kwargs["pk"],
        )
        try:
            services.delivery_redeliver(delivery=delivery, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The event is being sent again; its attempt will appear in the log."))
        return redirect(delivery.subscription)
