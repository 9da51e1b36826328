from .places import City, Region
from .services import ServiceCategory, ServiceLocation

__all__ = ["City", "Region", "ServiceCategory", "ServiceLocation"]
