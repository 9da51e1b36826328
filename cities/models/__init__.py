from .indicators import Indicator, IndicatorValue, Target
from .places import City, Region

__all__ = ["City", "Indicator", "IndicatorValue", "Region", "Target"]
