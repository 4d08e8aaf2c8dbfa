"""Registration: categories, the online form, invitation codes, consent, approval, session
seats with waiting lists, imports and exports. It creates people.Person rows."""
