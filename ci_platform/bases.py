"""What the type checker reads a mixin as: each mixin below is only ever combined with one of these
classes (a page view, a form view, a DRF view, an admin class), so mypy checks it against that
class's attributes (`self.request`, `super().get_form_kwargs()`...). At run time each is `object`:
the mixins' MRO is exactly what it would be without them. `Text` is text a class declares for
the reader: a str or a lazy translation.

    class InitiativeMixin(LoginRequiredMixin, PageView): ...
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin as AdminClass
    from django.utils.functional import _StrOrPromise as Text  # a str, or gettext_lazy's promise of one
    from django.views.generic import FormView
    from django.views.generic import TemplateView as PageView
    from rest_framework.generics import GenericAPIView as ApiView
else:
    AdminClass = FormView = PageView = ApiView = object
    Text = str

__all__ = ["AdminClass", "ApiView", "FormView", "PageView", "Text"]
