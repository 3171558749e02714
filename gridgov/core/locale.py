"""Language choice: Chinese unless the person picked English with the language switch."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but without the browser's Accept-Language.

    A district's staff share computers and phones whose browsers are often set to English; the
    platform speaks Chinese to everyone (LANGUAGE_CODE) until a person chooses otherwise with
    the switch in the top bar, which sets the language cookie.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = dict(settings.LANGUAGES)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
