"""French date formats of the portal: "30 nov. 2026 à 11:06" (times in Europe/Paris, USE_TZ)."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j N Y à H:i"
SHORT_DATETIME_FORMAT = "j N Y à H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
