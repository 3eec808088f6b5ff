"""What the site shows about the programme and itself.

The alliances' texts (`initiatives.toml`, loaded by `loader`, served from memory by
`initiatives`), the operator's details (`operator_details`, from
`instance/operator.toml`) and what the statutory pages say about the running site
(`statutory`). `demo.toml` holds the made-up requests of `flask demo load`.

May import: `webapp.models`, `webapp.extensions`, `webapp.config`; `statutory` also reads
the help desk's settings (`webapp.helpdesk`), so the legal pages state what the code does.
Never Flask's `request`, `session` or `g`, and never a blueprint.
"""
