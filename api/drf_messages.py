"""The messages of Django REST framework (and knox) that the API's callers meet most, listed here
so that the project's own catalogues (locale/) carry them in every language the network speaks:
DRF ships catalogues for some of the region's languages (Thai, Vietnamese, Indonesian, Chinese)
but not for Malay, Filipino, Burmese, Khmer or Lao. The project's catalogues come first
(LOCALE_PATHS), so these strings read the same wherever DRF raises them. Nothing imports this
module: it exists for `makemessages` only."""

from django.utils.translation import gettext_noop as _

DRF_MESSAGES = [
    _("This field is required."),
    _("This field may not be null."),
    _("This field may not be blank."),
    _("This list may not be empty."),
    _("Not a valid string."),
    _("A valid integer is required."),
    _("A valid number is required."),
    _("Must be a valid boolean."),
    _("Must be a valid UUID."),
    _("Enter a valid URL."),
    _("Enter a valid email address."),
    _('"{input}" is not a valid choice.'),
    _('Expected a list of items but got type "{input_type}".'),
    _("Invalid data. Expected a dictionary, but got {datatype}."),
    _("Ensure this field has no more than {max_length} characters."),
    _("Ensure this field has at least {min_length} characters."),
    _("Ensure this field has no more than {max_length} elements."),
    _("Ensure this field has at least {min_length} elements."),
    _("Ensure this value is greater than or equal to {min_value}."),
    _("Ensure this value is less than or equal to {max_value}."),
    _("Datetime has wrong format. Use one of these formats instead: {format}."),
    _("Date has wrong format. Use one of these formats instead: {format}."),
    _('Invalid pk "{pk_value}" - object does not exist.'),
    _("Incorrect type. Expected pk value, received {data_type}."),
    _("Authentication credentials were not provided."),
    _("Incorrect authentication credentials."),
    _("Invalid token."),
    _("You do not have permission to perform this action."),
    _("Not found."),
    _('Method "{method}" not allowed.'),
    _('Unsupported media type "{media_type}" in request.'),
    _("Malformed request."),
    _("Request was throttled."),
    _("Invalid page."),
    _("Invalid cursor"),
]
