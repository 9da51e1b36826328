"""Local formats (settings.FORMAT_MODULE_PATH): Belarusian, which Django lacks (dates as
dd.mm.yyyy, a decimal comma), and Russian dates shown as dd.mm.yyyy like they are typed. A
format missing here is Django's own."""
