"""HTTP plumbing shared by every blueprint.

Languages in the URL (`i18n`), fragment or page (`responses`), caching and session
headers (`http_caching`, `sessions`), security headers, error pages, static files,
local redirect targets (`next_url`), the validators every form uses, and the date
formats (`dates`).

May import: Flask and its extensions, `webapp.config`, `webapp.extensions`, and
`webapp.content` (error pages show the operator). Never a blueprint or
`webapp.helpdesk`: the rules do not depend on how they are served.
"""
