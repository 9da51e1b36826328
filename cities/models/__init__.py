from .indicators import Indicator, IndicatorValue, Target
from .places import City, Region
from .services import ServiceCategory, ServiceLocation

__all__ = [
    "City",
    "Indicator",
    "IndicatorValue",
    "Region",
    "ServiceCategory",
    "ServiceLocation",
    "Target",
]
