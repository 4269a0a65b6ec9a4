"""The browsable API, fitted to this project.

- Its forms show what a client may write. A view whose requests are read by other serializers
  than the one its responses use (a referral: created with ReferralCreateSerializer, changed with
  ReferralUpdateSerializer, shown with ReferralSerializer) names them in `form_serializer_classes`
  ({"POST": ..., "PATCH": ...}); the forms are built from those, so they never pre-fill read-only
  fields such as a referral's status or offers, which the server refuses. Elsewhere read-only
  fields are left out of the raw-data form's JSON.
- Its logout is a plain POST form (DRF's own runs an inline onclick handler, which the content
  security policy blocks): the template api/browsable.html."""

import json

from rest_framework import renderers
from rest_framework.request import override_method

FORM_STYLE = {"template_pack": "rest_framework/horizontal"}


def _writable(serializer) -> dict:
    return {name: field for name, field in serializer.fields.items() if not field.read_only}


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    template = "api/browsable.html"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from .errors import PROBLEM_CONTENT_TYPE  # api.errors reads DRF's settings, which load this module

        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400 and response.content_type == PROBLEM_CONTENT_TYPE:
            return renderers.JSONRenderer().render(data, PROBLEM_CONTENT_TYPE, renderer_context)
        return super().render(data, accepted_media_type, renderer_context)

    def _form_serializer(self, view, method: str, request):
        form_class = getattr(view, "form_serializer_classes", {}).get(method)
        if form_class is None:
            return None
        return form_class(context=view.get_serializer_context())

    def get_rendered_html_form(self, data, view, method, request):
        with override_method(view, request, method) as overridden:
            serializer = self._form_serializer(view, method, overridden)
            if serializer is not None:
                if not self.show_form_for_method(view, method, overridden, None):
                    return None
                return self.form_renderer_class().render(serializer.data, self.accepted_media_type,
                                                         {"style": FORM_STYLE})
        return super().get_rendered_html_form(data, view, method, request)

    def get_raw_data_form(self, data, view, method, request):
        form = super().get_raw_data_form(data, view, method, request)
        if form is None or not hasattr(view, "get_serializer") or not form.fields["_content"].initial:
            return form
        try:
            current = json.loads(form.fields["_content"].initial)
        except ValueError:
            return form
        if not isinstance(current, dict):
            return form
        with override_method(view, request, method) as overridden:
            serializer = self._form_serializer(view, method, overridden) or view.get_serializer()
        serializer = getattr(serializer, "child", serializer)
        writable = _writable(serializer)
        # The current value where the response shows the field as it is written; else the default.
        content = {name: current[name] if name in current and not isinstance(current[name], dict)
                   else field.get_initial() for name, field in writable.items()}
        form.fields["_content"].initial = json.dumps(content, indent=4, ensure_ascii=False)
        return form
