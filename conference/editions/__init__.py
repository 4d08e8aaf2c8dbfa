"""The annual edition: year, city, theme, dates, hosts; cloned from last year's."""
