"""Operator files the legal-page tests share (instance/operator.toml as an operator
would write it)."""

# A private operator: German and English texts only, no data protection officer.
PRIVATE_OPERATOR = """
kind = "private"

[provider]
name = "Zukunftsverein Erzgebirge e. V."
legal_form = { de = "eingetragener Verein", en = "registered association" }
street = "Bahnhofstraße 12"
postcode = "09456"
city = "Annaberg-Buchholz"
country = { de = "Deutschland", en = "Germany" }
email = "impressum@zukunft.example"
phone = "+49 3733 123456"
representative = { de = "Jana Beispiel (Vorstand)", en = "Jana Beispiel (board)" }
register = "VR 4711, Amtsgericht Chemnitz"
content_responsible = "Jana Beispiel, Bahnhofstraße 12, 09456 Annaberg-Buchholz"

[data_protection_authority]
name = "Sächsische Datenschutz- und Transparenzbeauftragte"
postal_address = "Postfach 11 01 32, 01330 Dresden"
email = "post@sdtb.sachsen.de"

[hosting]
name = "Sachsen-Server AG"
address = "Serverstraße 1, 01067 Dresden"

[mail]
name = "Post-Dienst GmbH"
address = "Briefweg 5, 04109 Leipzig"

[privacy]
server_log_days = 14

[accessibility]
status = "partially"
prepared = 2026-03-02
reviewed = 2026-10-15
law = { de = "freiwillig, nach der BITV 2.0", en = "voluntary, following BITV 2.0" }

[accessibility.enforcement]
name = { de = "Schlichtungsstelle Barrierefreiheit", en = "Accessibility conciliation body" }
address = "Amtsweg 9, 01097 Dresden"
email = "schlichtung@behoerde.example"

[accessibility.monitoring]
name = "Überwachungsstelle Beispiel"
address = "Prüfweg 1, 04109 Leipzig"
"""

# The same operator with every optional item filled in: a supervisory authority and VAT
# number, a separate controller, a data protection officer, the authority's website.
FILLED_OPERATOR = PRIVATE_OPERATOR.replace(
    'content_responsible = "Jana Beispiel, Bahnhofstraße 12, 09456 Annaberg-Buchholz"\n',
    'content_responsible = "Jana Beispiel, Bahnhofstraße 12, 09456 Annaberg-Buchholz"\n'
    'supervisory_authority = "Landesdirektion Sachsen"\n'
    'vat_id = "DE999999999"\n'
    """
[controller]
name = "Zukunftsverein Datenstelle"
street = "Marktplatz 3"
postcode = "09111"
city = "Chemnitz"
email = "daten@zukunft.example"

[data_protection_officer]
name = "Tom Schutz"
email = "dsb@zukunft.example"
""",
).replace(
    'email = "post@sdtb.sachsen.de"\n',
    'email = "post@sdtb.sachsen.de"\nweb = "https://www.datenschutz.sachsen.de/"\n',
    1,
)
