"""Domain services of the web app: study import/export, operations, questionnaires, audit."""
