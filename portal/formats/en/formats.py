"""English dates as shoppers and staff in Europe write them: "1 December 2026" and 01/12/2026,
not "Dec. 1, 2026" and 12/01/2026."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
