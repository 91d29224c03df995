"""The Django app holding the study in the database (app label ``records``)."""
