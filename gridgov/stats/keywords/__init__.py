"""民意热词: what residents ask for, as terms of the event descriptions (hotline records
included: a hotline work order is an event with source 81890 / 12345).

``tokenize`` cuts text with jieba and the user dictionary; ``index`` keeps the per-event term
rows (``EventTerm``); ``query`` counts cases per term by period and area; ``words`` holds the
seed governance terms and the built-in stop list.
"""
