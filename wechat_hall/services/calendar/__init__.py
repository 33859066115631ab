"""The national calendar: which dates are working days in China, for every year.

One calendar serves the halls' open days (``services/appointments/calendar.py`` puts the
operator's table on top), trading days (``services/queries/trading_days.py``) and the
hours of customer service (``services/support``). Sources, first that knows wins:

1. the State Council's notice as imported (``notices.py``, ``flask calendar import``);
2. ``chinese-calendar`` (announced schedules up to the year it was released for);
3. the law (全国年节及纪念日放假办法, 2024 revision) computed by python-holidays
   (``statutory.py``): the statutory days are certain, the make-up days off it predicts
   and every day within two weeks of a holiday are provisional until a notice is out;
4. the weekend rule. ``national.py`` walks them and names the one that decided.
"""
