# Dates shown as they are typed (01.12.2026); the rest is Django's Russian.
DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M", "%H.%M"]
