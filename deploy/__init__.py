"""Operations tools, outside the application package.

`nginx_config` renders `deploy/nginx/wir.conf.in`; `stack` runs nginx in front of app
instances and the sender on one machine (`make stack`); `accesslog` is gunicorn's access
log without query strings (`logger_class` in `gunicorn.conf.py`). They import `webapp`
only to read its settings; `webapp` never imports them.
"""
