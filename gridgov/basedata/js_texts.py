"""The messages of ``basedata/js/validators.js``, drawn into the page by
``basedata/_js_texts.html`` (a JSON script tag) so the device shows them in the page's language.

The msgids are the server's own (``basedata/validators.py``), placeholders included
(``%(n)d``, ``%(c)s``): the device and the server give the same reason in the same words."""

from django.utils.translation import gettext_lazy as _

VALIDATOR_TEXTS = {
    "idLength": _("身份证号应为18位,实际为%(n)d位。"),
    "idFormat": _("身份证号前17位应为数字,末位为数字或X。"),
    "idChecksum": _("身份证号校验位错误:末位应为 %(c)s(GB 11643)。"),
    "idBirth": _("身份证号中的出生日期无效。"),
    "mobile": _("手机号应为以1开头的11位号码。"),
    "usccLength": _("统一社会信用代码应为18位,实际为%(n)d位。"),
    "usccFormat": _("统一社会信用代码格式不正确(GB 32100)。"),
    "usccChecksum": _("统一社会信用代码校验位错误:末位应为 %(c)s(GB 32100)。"),
}
