"""The browsable API, fitted to this project: its raw-data form is pre-filled with the fields a
client may write (never read-only ones such as a referral's status or offers, which the server
would ignore or refuse), and its logout is a plain POST form (DRF's own runs an inline onclick
handler, which the content security policy blocks)."""

import json

from rest_framework import renderers
from rest_framework.request import override_method


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    template = "api/browsable.html"

    def get_raw_data_form(self, data, view, method, request):
        form = super().get_raw_data_form(data, view, method, request)
        if form is None or not hasattr(view, "get_serializer") or not form.fields["_content"].initial:
            return form
        with override_method(view, request, method):
            serializer = view.get_serializer()
        serializer = getattr(serializer, "child", serializer)
        writable = {name for name, field in serializer.fields.items() if not field.read_only}
        try:
            content = json.loads(form.fields["_content"].initial)
        except ValueError:
            return form
        if isinstance(content, dict):
            content = {name: value for name, value in content.items() if name in writable}
            form.fields["_content"].initial = json.dumps(content, indent=4, ensure_ascii=False)
        return form
