"""No overbooking (APT-6): many people confirm the last places of one slot at once.

On PostgreSQL (the services run) these are real concurrent transactions on separate
connections; on SQLite they queue on the write lock. Either way exactly ``capacity``
bookings must succeed and the rest get the 约满 message.
"""
import threading

from wechat_hall.extensions import db
from wechat_hall.services.appointments import booking as booking
from wechat_hall.services.appointments.application import Application

from tests.appointments.apt_helpers import (TUESDAY, appointments, ids, person_id, set_capacity,
                                            slot_row)

THREADS = 24


def _race(app, application_for, capacity, threads=THREADS):
    barrier = threading.Barrier(threads)
    results = [None] * threads

    def attempt(i):
        with app.app_context():
            application = application_for(i)
            barrier.wait()
            try:
                booking.book(application, f"token-{i}", booking.Owner(openid=f"o_racer_{i:04d}"))
                results[i] = "ok"
            except booking.Refused as exc:
                results[i] = str(exc)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=attempt, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    return results


def test_many_people_confirming_the_last_places_at_once_get_exactly_capacity(hall_app):
    office_id, business_id, template_id = ids(hall_app)
    set_capacity(hall_app, template_id, 5)

    def application_for(i):
        return Application(office_id, "domestic", f"客户{i}", "公司", person_id(i),
                                   business_id, 1, TUESDAY, template_id)

    results = _race(hall_app, application_for, 5)
    assert results.count("ok") == 5, results
    assert all(r == "ok" or "号源已约满" in r for r in results), results
    assert slot_row(hall_app, template_id, TUESDAY) == (5, 5)
    assert len(appointments(hall_app)) == 5


def test_one_person_tapping_on_many_phones_at_once_books_once(hall_app):
    """The same ID number from many sessions at once: the per-person index holds."""
    office_id, business_id, template_id = ids(hall_app)

    def application_for(i):
        return Application(office_id, "domestic", "张三", "公司", person_id(7),
                                   business_id, 1, TUESDAY, template_id)

    results = _race(hall_app, application_for, 10, threads=8)
    assert results.count("ok") == 1, results
    assert slot_row(hall_app, template_id, TUESDAY) == (10, 1)  # the losers gave their place back


def test_the_same_token_confirmed_from_many_threads_books_once(hall_app):
    office_id, business_id, template_id = ids(hall_app)
    barrier = threading.Barrier(6)
    made = []

    def attempt():
        with hall_app.app_context():
            application = Application(office_id, "domestic", "张三", "公司", person_id(3),
                                              business_id, 1, TUESDAY, template_id)
            barrier.wait()
            try:
                made.append(booking.book(application, "one-token",
                                         booking.Owner(openid="o_double_tapper_1")).id)
            except booking.Refused as exc:
                made.append(str(exc))
            finally:
                db.session.remove()

    workers = [threading.Thread(target=attempt) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert len(appointments(hall_app)) == 1
    only = appointments(hall_app)[0].id
    # Every tap answers with the one appointment (none sees an error page).
    assert made == [only] * 6, made
    assert slot_row(hall_app, template_id, TUESDAY) == (10, 1)
