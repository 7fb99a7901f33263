"""English dates as shoppers in Europe write them: "1 December 2026", not "Dec. 1, 2026"."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
