"""The base of every page form: Flask-WTF's FlaskForm, reading only what a form posts.

FlaskForm fills a form from a JSON body when the request carries one, so a field meant
for text would hold a number, a list or an object and its validators would fail with a
500 (``len()`` of a float; found by tests/fuzz). The pages post forms; a JSON body is
not one and leaves every field empty (the form then says what is missing).
"""
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import CombinedMultiDict


class HallForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                if not _is_submitted():
                    return None
                if request.files:
                    return CombinedMultiDict((request.files, request.form))
                return request.form or None
            return formdata
